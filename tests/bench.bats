#!/usr/bin/env bats
# bench/run still runs, on a handful of devices and with no pause between
# cases: every case ran and printed a number, the ratio lines are there, and
# the scratch namespace it made is gone, also when a case fails. No time is
# asserted: timings are taken on a quiet machine and recorded in
# bench/RESULTS.md.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	need_root
	BENCH=$BATS_TEST_DIRNAME/../bench/run
	FLOOR=$(dirname "$TUNCTL")/../bench/tun-floor
	[ -x "$FLOOR" ] || skip "bench/tun-floor is not built (make check builds it)"
}

# At least $2 numbers (milliseconds or ratios, none of them 0.000) in the
# line of $output that holds $1.
numbers_in() {
	local line
	line=$(grep -F -- "$1" <<<"$output" | head -1)
	[ -n "$line" ] || { echo "no line '$1' in: $output"; return 1; }
	[ "$(grep -oE '[0-9]+\.[0-9]{3}' <<<"$line" | grep -vc '^0\.000$')" -ge "$2" ] ||
		{ echo "too few numbers: $line"; return 1; }
}

# The namespace that the run's header names is gone.
namespace_gone() {
	local ns
	ns=$(grep -oE 'namespace=tunctl-bench-[0-9]+' <<<"$output" | cut -d= -f2)
	[ -n "$ns" ] || { echo "no namespace in the header: $output"; return 1; }
	run ip netns list
	[[ $output != *"$ns"* ]] || { echo "$ns is left"; return 1; }
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
	namespace_gone
}

@test "bench/run: every case beside iproute2, with TUNCTL_BEFORE's (b) and list" {
	run env SETTLE=0 TUN_FLOOR="$FLOOR" TUNCTL_BEFORE="$TUNCTL" "$BENCH" -r 2 -n 3 -l 3
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	numbers_in "(a) one device" 3
	numbers_in "(b) 3 devices up with an address (batch)" 3
	numbers_in "(b) the same, TUNCTL_BEFORE" 3
	numbers_in "(b2) the same, descriptors held" 3
	numbers_in "(c) deleting 3 devices" 3
	numbers_in "(d) listing 3 devices" 3
	numbers_in "(d) the same, TUNCTL_BEFORE's list" 3
	numbers_in "(b) over (b1) run by run: median" 3
	namespace_gone
}

@test "bench/run: a case that fails ends the run (1) with no medians, and its namespace is deleted" {
	run env SETTLE=0 TUN_FLOOR="$FLOOR" TUNCTL_BEFORE=/bin/false "$BENCH" -b -r 2 -n 2
	[ "$status" -eq 1 ]
	[[ $output != *"median"* ]]
	namespace_gone
}

@test "bench/run: bad usage is 2 and names the fix" {
	run "$BENCH" -x
	[ "$status" -eq 2 ]
	[[ $output == *"illegal option -- x"* ]]
	run "$BENCH" -r five
	[ "$status" -eq 2 ]
	[[ $output == *"'five' is not a number"* ]]
	run env TUNCTL_BEFORE=/nonexistent "$BENCH" -b
	[ "$status" -eq 2 ]
	[[ $output == *"TUNCTL_BEFORE=/nonexistent is not an executable"* ]]
	run env TUN_FLOOR=/nonexistent "$BENCH" -b -r 1 -n 1
	[ "$status" -eq 2 ]
	[[ $output == *"make bench"* ]]
}
