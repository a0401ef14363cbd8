#!/usr/bin/env bats
# bench/run still runs, on a handful of devices and with no pause between
# cases: every case ran and printed a number, the ratio lines are there, and
# the scratch namespace it made is gone. No time is asserted: timings are
# taken on a quiet machine and recorded in bench/RESULTS.md.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	need_root
	BENCH=$BATS_TEST_DIRNAME/../bench/run
	FLOOR=$(dirname "$TUNCTL")/../bench/tun-floor
	[ -x "$FLOOR" ] || skip "bench/tun-floor is not built (make check builds it)"
	before=$(ip netns list | grep -c '^tunctl-bench-' || true)
}

# Numbers (milliseconds or ratios) in the line of $output that starts with
# $1: at least $2 of them.
numbers_in() {
	local line
	line=$(grep -F -- "$1" <<<"$output" | head -1)
	[ -n "$line" ] || { echo "no line '$1' in: $output"; return 1; }
	[ "$(grep -oE '[0-9]+\.[0-9]{3}' <<<"$line" | wc -l)" -ge "$2" ] || { echo "too few numbers: $line"; return 1; }
}

no_namespace_left() {
	[ "$(ip netns list | grep -c '^tunctl-bench-' || true)" -eq "$before" ]
}

@test "bench/run -b: (b), TUNCTL_BEFORE's (b) and the three floors, the ratios of medians and run by run" {
	run env SETTLE=0 TUN_FLOOR="$FLOOR" TUNCTL_BEFORE="$TUNCTL" "$BENCH" -b -r 3 -n 4
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	numbers_in "(b) 4 devices up with an address (batch)" 1
	numbers_in "(b) the same, TUNCTL_BEFORE" 1
	numbers_in "(b0) floor" 1
	numbers_in "(b1) floor" 1
	numbers_in "(b2) the same, descriptors held" 1
	numbers_in "(b) over its floor (b1):" 3
	numbers_in "(b) over (b2) run by run: median" 3
	[[ $output == *"of 3 runs at or under 1.10"* ]]
	numbers_in "TUNCTL_BEFORE's (b) over (b1):" 5
	# iproute2 is left out of -b.
	[[ $output != *"(c) deleting"* ]]
	no_namespace_left
}

@test "bench/run: every case beside iproute2, with TUNCTL_BEFORE's (b) and list" {
	run env SETTLE=0 TUN_FLOOR="$FLOOR" TUNCTL_BEFORE="$TUNCTL" "$BENCH" -r 1 -n 3 -l 3
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	numbers_in "(a) one device" 3
	numbers_in "(b) 3 devices up with an address (batch)" 3
	numbers_in "(b) the same, TUNCTL_BEFORE" 3
	numbers_in "(b2) the same, descriptors held" 3
	numbers_in "(c) deleting 3 devices" 3
	numbers_in "(d) listing 3 devices" 3
	numbers_in "(d) the same, TUNCTL_BEFORE's list" 3
	numbers_in "(b) over (b1) run by run: median" 3
	no_namespace_left
}

@test "bench/run: a bad option is usage (2), and -b without the floor says to build it" {
	run "$BENCH" -x
	[ "$status" -eq 2 ]
	run env TUN_FLOOR=/nonexistent "$BENCH" -b -r 1 -n 1
	[ "$status" -eq 2 ]
	[[ $output == *"make bench"* ]]
	no_namespace_left
}
