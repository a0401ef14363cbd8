#!/usr/bin/env bats
# -n NETNS for every command, and moving a device between namespaces.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	NS2="$NS-b"
	ip netns add "$NS2"
}
teardown() {
	ip netns del "$NS2" 2>/dev/null || true
	ns_teardown
}

# tunctl -n NS from the machine's namespace: it must act inside NS only.
n() { "$TUNCTL" -n "$NS" "$@"; }

@test "-n works for every command and touches only that namespace" {
	host_links=$(ip -j link show | jq -c '[.[].ifname]')
	run n add tun0 --addr 192.0.2.1/24
	[ "$status" -eq 0 ]
	link_json tun0 | jq -e '.[0].linkinfo.info_kind == "tun"'
	run n add tap0 --mode tap
	[ "$(n -j list | jq -r '[.[].ifname] | join(",")')" = "tap0,tun0" ]
	[ "$(n -j show tun0 | jq -r '.addresses[] | select(.family == "inet") | .local')" = 192.0.2.1 ]
	run n set tun0 --mtu 1400
	[ "$status" -eq 0 ]
	[ "$(link_json tun0 | jq .[0].mtu)" = 1400 ]
	run n addr add tun0 198.51.100.1/24
	[ "$status" -eq 0 ]
	addr_json dev tun0 | jq -e '.[0].addr_info[] | select(.local == "198.51.100.1")'
	run n route add tun0 203.0.113.0/24
	[ "$status" -eq 0 ]
	route_json dev tun0 | jq -e '.[] | select(.dst == "203.0.113.0/24")'
	run n route del tun0 203.0.113.0/24
	[ "$status" -eq 0 ]
	route_json dev tun0 | jq -e 'all(.[]; .dst != "203.0.113.0/24")'
	run n addr del tun0 198.51.100.1/24
	[ "$status" -eq 0 ]
	addr_json dev tun0 | jq -e 'all(.[0].addr_info[]; .local != "198.51.100.1")'
	run n addr flush tun0
	[ "$status" -eq 0 ]
	[ "$(addr_json dev tun0 | jq '[.[0].addr_info[] | select(.family == "inet")] | length')" -eq 0 ]
	printf 'add tun1\nadd tun2\n' >"$BATS_TEST_TMPDIR/b"
	run n -b "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 0 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tap0 tun0 tun1 tun2 " ]
	run n del tun1 tap0
	[ "$status" -eq 0 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tun0 tun2 " ]
	run n del --all --mode tun
	[ "$status" -eq 0 ]
	[ -z "$(tun_devices)" ]
	# The machine's own namespace is as it was.
	[ "$(ip -j link show | jq -c '[.[].ifname]')" = "$host_links" ]
}

@test "list -n shows that namespace's devices, not the caller's" {
	ip netns exec "$NS2" "$TUNCTL" add other0
	n add tun0
	[ "$(n -j list | jq -r '.[].ifname')" = tun0 ]
	[ "$("$TUNCTL" -n "$NS2" -j list | jq -r '.[].ifname')" = other0 ]
}

@test "an unknown namespace is an error, exit 1" {
	run --separate-stderr "$TUNCTL" -n no-such-ns-xyz list
	assert_error 1 no-such-ns-xyz
	run --separate-stderr "$TUNCTL" -n no-such-ns-xyz add tun0
	assert_error 1 no-such-ns-xyz
}

@test "set --netns moves a device into another namespace" {
	n add tun0 --user nobody
	run --separate-stderr n set tun0 --netns "$NS2"
	[ "$status" -eq 0 ]
	[ -z "$(tun_devices)" ]
	ip -n "$NS2" -d -j link show tun0 | jq -e '.[0].linkinfo.info_data.persist'
	[ "$(ip netns exec "$NS2" cat /sys/class/net/tun0/owner)" = 65534 ]
	run --separate-stderr "$TUNCTL" -n "$NS2" set tun0 --netns no-such-ns-xyz
	assert_error 1 no-such-ns-xyz
	ip -n "$NS2" link show tun0
}

@test "set --netns applies the other settings in the new namespace, after the move" {
	n add tun0 --addr 192.0.2.1/24 >/dev/null
	n set tun0 --up
	run --separate-stderr n set tun0 --netns "$NS2" --up --mtu 1400 --txqueuelen 77
	[ "$status" -eq 0 ]
	[ -z "$(tun_devices)" ]
	ip -n "$NS2" -j link show tun0 | jq -e '.[0].mtu == 1400 and .[0].txqlen == 77 and (.[0].flags | index("UP"))'
	# What the move loses: the addresses (the kernel drops them).
	[ "$(ip -n "$NS2" -j addr show tun0 | jq '[.[0].addr_info[] | select(.family == "inet")] | length')" -eq 0 ]
	# Without --up it arrives down, whatever it was.
	"$TUNCTL" -n "$NS2" set tun0 --netns "$NS" --mtu 1300
	link_json tun0 | jq -e '.[0].mtu == 1300 and (.[0].flags | index("UP") | not)'
	# A setting refused in the new namespace: undone, and the device moved back.
	run --separate-stderr n set tun0 --netns "$NS2" --txqueuelen 5 --mtu 20
	assert_error 1 "mtu 20"
	link_json tun0 | jq -e '.[0].mtu == 1300 and .[0].txqlen == 77'
	run ip -n "$NS2" link show tun0
	[ "$status" -ne 0 ]
}

@test "set checks the target namespace first, and a refused move changes nothing" {
	n add tun0 >/dev/null
	run --separate-stderr n set tun0 --mtu 1300 --txqueuelen 77 --user nobody --netns no-such-ns-xyz
	assert_error 1 no-such-ns-xyz
	link_json tun0 | jq -e '.[0].mtu == 1500 and .[0].txqlen == 500'
	[ "$(sysfs tun0 owner)" = 0 ]
	# The same name in the target: the kernel refuses the move; the MTU and
	# state set before it in the same command are put back.
	"$TUNCTL" -n "$NS2" add tun0 >/dev/null
	run --separate-stderr n set tun0 --mtu 1400 --down --netns "$NS2"
	assert_error 1 "same name exists"
	link_json tun0 | jq -e '.[0].mtu == 1500 and (.[0].flags | index("UP"))'
	# A refused setting (made after the move, in the new namespace) moves
	# the device back.
	"$TUNCTL" -n "$NS2" del tun0
	run --separate-stderr n set tun0 --mtu 20 --netns "$NS2"
	assert_error 1 "mtu 20"
	link_json tun0 | jq -e '.[0].ifname == "tun0"'
}

@test "set --netns --master: the master is the one of that name in the target namespace" {
	# br0 is a bridge in $NS2 only.
	ip -n "$NS2" link add br0 type bridge
	n add tap0 --mode tap >/dev/null
	run --separate-stderr n set tap0 --netns "$NS2" --master br0 --mtu 1400
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	[ -z "$(tun_devices)" ]
	ip -n "$NS2" -d -j link show tap0 | jq -e '.[0].master == "br0" and .[0].mtu == 1400 and
		.[0].linkinfo.info_slave_kind == "bridge"'
	# Back here, where a bridge br0 of this namespace's own exists too:
	# the target's still, whatever this namespace names br0.
	"$TUNCTL" -n "$NS2" set tap0 --netns "$NS" >/dev/null
	ip -n "$NS" link add br0 type bridge
	run --separate-stderr n set tap0 --netns "$NS2" --master br0
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	ip -n "$NS2" -d -j link show tap0 | jq -e '.[0].master == "br0" and .[0].linkinfo.info_slave_kind == "bridge"'
	# A name in neither: the error names the target's namespace, and the
	# device is back here, as it was.
	"$TUNCTL" -n "$NS2" set tap0 --netns "$NS" >/dev/null
	run --separate-stderr n set tap0 --netns "$NS2" --master nosuch
	assert_error 1 "--master nosuch: no device nosuch in namespace $NS2 (it must be in the device's namespace: ip -n $NS2 link show nosuch)"
	link_json tap0 | jq -e '.[0].ifname == "tap0" and (.[0].master | not)'
	run ip -n "$NS2" link show tap0
	[ "$status" -ne 0 ]
}

@test "set --netns that fails after the move: back on the master it had here" {
	ip -n "$NS" link add brA type bridge
	ip -n "$NS2" link add br0 type bridge
	n add tap0 --mode tap --master brA --mtu 1400 >/dev/null
	# The MTU refused in $NS2, after the master was set there; the master
	# index from here means nothing there.
	run --separate-stderr n set tap0 --netns "$NS2" --master br0 --mtu 20
	assert_error 1 "mtu 20"
	link_json tap0 | jq -e '.[0].master == "brA" and .[0].mtu == 1400'
	run ip -n "$NS2" link show tap0
	[ "$status" -ne 0 ]
	# And with the master alone: the move, then the master refused there.
	ip -n "$NS2" link add notbr type veth peer name notbr1
	run --separate-stderr n set tap0 --netns "$NS2" --master notbr
	assert_error 1 "notbr cannot be a master"
	link_json tap0 | jq -e '.[0].master == "brA" and .[0].mtu == 1400'
}

# tap0 in namespace $1 as ip -d -j shows it, its addresses and routes, less
# what the kernel changes by itself (operstate, carrier, counters).
tap0_state() {
	{ ip -n "$1" -d -j link show tap0; ip -n "$1" -j addr show tap0; ip -n "$1" -j route show dev tap0; } |
		jq -S -c -s '(.[0][0] | {ifindex, ifname, mtu, address, txqlen, linkinfo, master,
			flags: [.flags[] | select(. != "LOWER_UP" and . != "NO-CARRIER")]}),
		[.[1][0].addr_info[] | {family, local, prefixlen}], .[2]'
}

@test "set --netns --user whose owner fails after the move: moved back, as it was" {
	command -v strace >/dev/null || skip "strace is not installed"
	id -u nobody >/dev/null || skip "no user nobody"
	n add tap0 --mode tap --user nobody --mtu 1400 --addr 192.0.2.1/24 --addr 2001:db8::1/64 >/dev/null
	n set tap0 --up
	ip -n "$NS" route add 198.51.100.0/24 via 192.0.2.2 dev tap0
	before=$(tap0_state "$NS")
	# The owner it has already: a run that succeeds changes only where it is.
	# LeakSanitizer cannot run under ptrace (the sanitizer build in CI).
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" in_ns strace -f -qq -e signal=none \
		-e trace=ioctl -o "$BATS_TEST_TMPDIR/trace" "$TUNCTL" set tap0 --netns "$NS2" --user nobody
	ip -n "$NS2" -d -j link show tap0 | jq -e '.[0].linkinfo.info_data.user == "nobody"'
	# Which ioctl sets the owner.
	w=$(grep -n TUNSETOWNER "$BATS_TEST_TMPDIR/trace" | cut -d: -f1)
	[ -n "$w" ]
	ip -n "$NS2" link set tap0 netns "$NS"
	ip -n "$NS" link set tap0 up
	ip -n "$NS" addr add 2001:db8::1/64 dev tap0
	ip -n "$NS" addr add 192.0.2.1/24 dev tap0
	ip -n "$NS" route add 198.51.100.0/24 via 192.0.2.2 dev tap0
	[ "$(tap0_state "$NS")" = "$before" ]
	# That ioctl refused: the device back here, up, with its addresses and
	# routes, as it was.
	run --separate-stderr env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" ip netns exec "$NS" \
		strace -f -qq -e signal=none -o /dev/null -e trace=ioctl -e inject=ioctl:error=EPERM:when="$w" \
		"$TUNCTL" set tap0 --netns "$NS2" --user nobody
	assert_error 1 "tap0: setting owner and group: Operation not permitted"
	run ip -n "$NS2" link show tap0
	[ "$status" -ne 0 ]
	now=$(tap0_state "$NS")
	[ "$now" = "$before" ] || { diff <(echo "$before") <(echo "$now"); return 1; }
}

@test "a process holding a same-named device in another namespace is not a holder here" {
	n add tun0 >/dev/null
	"$TUNCTL" -n "$NS2" add tun0 >/dev/null
	# python3 holds $NS2's tun0, not ours.
	NS=$NS2 hold_device tun0
	holder=$HOLDER
	[ "$("$TUNCTL" -n "$NS2" -j show tun0 | jq '.processes | length')" -eq 1 ]
	[ "$(n -j show tun0 | jq '.processes | length')" -eq 0 ]
	run --separate-stderr n del tun0
	[ "$status" -eq 0 ]
	[ -z "$(tun_devices)" ]
	run --separate-stderr "$TUNCTL" -n "$NS2" del tun0
	kill "$holder"
	assert_error 1 "python3 (pid $holder)"
}

@test "a device moved away from its reader's namespace is still held, in list, show and del" {
	n add tun0 --mode tun >/dev/null
	hold_device tun0
	holder=$HOLDER
	run --separate-stderr n set tun0 --netns "$NS2"
	[ "$status" -eq 0 ]
	# The reader stays in $NS; the device, and its descriptor, are in $NS2.
	ip -n "$NS2" -j link show tun0 | jq -e '.[0].ifname == "tun0"'
	[ "$("$TUNCTL" -n "$NS2" -j list | jq '.[0].processes | length')" -eq 1 ]
	[ "$("$TUNCTL" -n "$NS2" -j show tun0 | jq -r '.processes[0].pid')" -eq "$holder" ]
	run --separate-stderr "$TUNCTL" -n "$NS2" list
	[ "$(awk '$1 == "tun0" { print $4 }' <<<"$output")" = 1 ]
	run --separate-stderr "$TUNCTL" -n "$NS2" del tun0
	assert_error 1 "in use by python3 (pid $holder)"
	ip -n "$NS2" -j link show tun0 | jq -e '.[0].ifname == "tun0"'
	# Nothing of it is left in the namespace the reader is in.
	[ "$(n -j list | jq length)" -eq 0 ]
	kill "$holder"
	wait_until '[ "$("$TUNCTL" -n "$NS2" -j list | jq ".[0].processes | length")" -eq 0 ]'
}

@test "a reader of a device moved here, which /proc hides from this user: the kernel's answer, not PROCS 0" {
	id -u nobody >/dev/null || skip "no user nobody"
	n add tun0 --user nobody >/dev/null
	hold_device tun0
	holder=$HOLDER
	n set tun0 --netns "$NS2" >/dev/null
	# As nobody, in $NS2: /proc/PID/fd of root's python3 is closed to it.
	run --separate-stderr ip netns exec "$NS2" setpriv --reuid=nobody --regid=nogroup --clear-groups "$TUNCTL" list
	[ "$status" -eq 0 ]
	[ "$(awk '$1 == "tun0" { print $4 }' <<<"$output")" = "?" ]
	run --separate-stderr ip netns exec "$NS2" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		--inh-caps=+net_admin,+dac_override --ambient-caps=+net_admin,+dac_override "$TUNCTL" del tun0
	kill "$holder"
	assert_error 1 "the kernel reports a process attached to it, and /proc hides which from this user"
}

@test "a reader here of a device moved away does not hold the new device of the same name here" {
	n add tun0 >/dev/null
	hold_device tun0
	holder=$HOLDER
	n set tun0 --netns "$NS2" >/dev/null
	n add tun0 >/dev/null
	# python3 runs here, and holds the tun0 now in $NS2, not this one.
	[ "$(n -j show tun0 | jq '.processes | length')" -eq 0 ]
	[ "$("$TUNCTL" -n "$NS2" -j show tun0 | jq '.processes | length')" -eq 1 ]
	run --separate-stderr n del tun0
	[ "$status" -eq 0 ]
	[ -z "$(tun_devices)" ]
	run --separate-stderr "$TUNCTL" -n "$NS2" del tun0
	kill "$holder"
	assert_error 1 "python3 (pid $holder)"
}
