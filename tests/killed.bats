#!/usr/bin/env bats
# kill -9 at each step of a command that changes devices, then a rerun:
# what the killed one left, the rerun finishes or removes (issue 27).
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	F=$BATS_TEST_TMPDIR/f
	echo 'add sk0 --addr 192.0.2.1/24' >"$F"
}
teardown() { ns_teardown; }

# killed_at K ARGS...: tunctl ARGS in the namespace, killed (SIGKILL) on
# entry to its K-th sendto (each netlink exchange is one): 137 when it was,
# else its status.
killed_at() {
	local k=$1
	shift
	ASAN_OPTIONS=detect_leaks=0 in_ns strace -qq -o /dev/null -e trace=sendto \
		-e inject=sendto:signal=SIGKILL:when="$k" "$TUNCTL" "$@" >/dev/null 2>&1
}

# The state the file asks for, and nothing else: sk0 a tun device,
# persistent, up, with 192.0.2.1/24; no other TUN/TAP device.
as_file_says() {
	[ "$(tun_devices | tr '\n' ' ')" = "sk0 " ] || { echo "$1: devices: $(tun_devices | tr '\n' ' ')"; return 1; }
	[ "$(link_json sk0 | jq -r '.[0].linkinfo.info_data | "\(.type) \(.persist)"')" = "tun true" ] ||
		{ echo "$1: $(link_json sk0)"; return 1; }
	[ "$(addr_json dev sk0 | jq -c '[.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"]')" = '["192.0.2.1/24"]' ]
}

# sk0 made a tap device, which the file's line (a tun device) re-creates.
tap_sk0() {
	in_ns ip link del sk0 2>/dev/null || true
	t del --all >/dev/null
	t add sk0 --mode tap --addr 192.0.2.1/24 >/dev/null
}

@test "apply --recreate killed at each step: the same apply run again ends as the file says, no copy left aside" {
	local k killed=0 copy
	for k in $(seq 1 30); do
		tap_sk0
		if killed_at "$k" apply --recreate "$F"; then break; fi
		killed=$((killed + 1))
		copy=$(tun_devices | grep -v '^sk0$' || true)
		run --separate-stderr t apply --recreate "$F"
		[ "$status" -eq 0 ] || { echo "killed at sendto $k; rerun: $status $stderr"; return 1; }
		as_file_says "killed at sendto $k"
		# The copy's deletion is in the plan it prints.
		if [ -n "$copy" ]; then
			grep -qx -- "- $copy delete" <<<"$output" || { echo "killed at sendto $k: $output"; return 1; }
		fi
	done
	# Killed at every step, up to the one it then went through.
	[ "$killed" -ge 5 ] && [ "$k" -lt 30 ]
}

@test "apply --recreate killed at each step: an apply without --recreate finishes it too" {
	local k
	for k in $(seq 1 30); do
		tap_sk0
		if killed_at "$k" apply --recreate "$F"; then break; fi
		run --separate-stderr t apply "$F"
		# The old copy goes; sk0, re-created or not, is not a tap device
		# kept by a tunctl that was killed.
		[[ "$(tun_devices | tr '\n' ' ')" =~ ^(sk0 )?$ ]] ||
			{ echo "killed at sendto $k: devices: $(tun_devices | tr '\n' ' '); apply: $status $stderr"; return 1; }
		if [ "$status" -eq 0 ]; then as_file_says "killed at sendto $k"; fi
	done
	[ "$k" -lt 30 ]
}

@test "apply --recreate killed at each step: del sk0 (or del of the copy) removes the copy left aside" {
	local k copy saw=0
	for k in $(seq 1 30); do
		tap_sk0
		if killed_at "$k" apply --recreate "$F"; then break; fi
		copy=$(tun_devices | grep -v '^sk0$' || true)
		if [ -z "$copy" ]; then continue; fi
		saw=$((saw + 1))
		# What it is: down, persistent, its addresses kept, in a link
		# group of tunctl's (0x7e5700ff), named tunctl<its index>.
		[ "$copy" = "tunctl$(sysfs "$copy" ifindex)" ]
		link_json "$copy" | jq -e '.[0].group == "2119631103" or .[0].group == 2119631103' >/dev/null ||
			{ echo "$copy: $(link_json "$copy" | jq -c '.[0].group')"; return 1; }
		if tun_devices | grep -qx sk0; then
			run --separate-stderr t del sk0
		else
			run --separate-stderr t del "$copy"
		fi
		[ "$status" -eq 0 ] || { echo "killed at sendto $k: del: $stderr"; return 1; }
		[ -z "$(tun_devices)" ] || { echo "killed at sendto $k: left: $(tun_devices | tr '\n' ' ')"; return 1; }
	done
	[ "$saw" -ge 2 ]
}

@test "apply --recreate that fails puts the old device back in its own link group, up, with its address" {
	tap_sk0
	in_ns ip link set sk0 group 7
	# The new sk0's exchange refused: a route through a gateway nothing reaches.
	echo 'add sk0 --addr 192.0.2.1/24 --route "198.51.100.0/25 via 198.51.100.250"' >"$F"
	run --separate-stderr t apply --recreate "$F"
	[ "$status" -eq 1 ]
	[ "$(tun_devices)" = sk0 ]
	link_json sk0 | jq -e '.[0].group == "7" or .[0].group == 7' >/dev/null || { link_json sk0; return 1; }
	[ "$(link_json sk0 | jq -r '.[0].linkinfo.info_data.type')" = tap ]
	link_json sk0 | jq -e '.[0].flags | index("UP") != null' >/dev/null
	[ "$(addr_json dev sk0 | jq -c '[.[0].addr_info[] | select(.family == "inet") | .local]')" = '["192.0.2.1"]' ]
}
