#!/usr/bin/env bats
# All or nothing: a failing step removes the device this command created.
bats_require_minimum_version 1.5.0
load helpers

setup() { ns_setup; }
teardown() { ns_teardown; }

# Nothing at all is left: no TUN/TAP device, no link but lo.
assert_clean() {
	[ -z "$(tun_devices)" ] || { echo "left: $(tun_devices)"; return 1; }
	[ "$(link_json | jq length)" -eq 1 ] || { link_json; return 1; }
}

@test "a gateway that is not reachable: the kernel's message, exit 1, nothing left" {
	run --separate-stderr t add tun0 --addr 192.0.2.1/24 --route "198.51.100.0/24 via 203.0.113.9"
	assert_error 1 "route 198.51.100.0/24 via 203.0.113.9"
	[[ "$stderr" == *"Nexthop has invalid gateway"* ]]
	assert_clean
}

@test "an MTU the kernel refuses: exit 1, nothing left" {
	run --separate-stderr t add tun0 --addr 192.0.2.1/24 --mtu 70000
	assert_error 1 "mtu 70000"
	assert_clean
	run --separate-stderr t add tun0 --mtu 20
	assert_error 1 "mtu 20"
	assert_clean
}

@test "a duplicate address: exit 1, nothing left" {
	run --separate-stderr t add tun0 --addr 192.0.2.1/24 --addr 192.0.2.1/24
	assert_error 1 "192.0.2.1/24"
	assert_clean
}

@test "a route in a table with an unreachable IPv6 gateway: nothing left" {
	run --separate-stderr t add tun0 --addr 2001:db8::1/64 --route "2001:db8:5::/48 via 2001:db8:9::1 table 200"
	assert_error 1 "2001:db8:5::/48"
	assert_clean
}

@test "a MAC on a tun device is refused before anything is made" {
	run --separate-stderr t add tun0 --addr 192.0.2.1/24 --mac 02:00:5e:00:53:01
	assert_error 2 "02:00:5e:00:53:01"
	assert_clean
}

@test "a failed --exist-ok leaves the device and removes only what it added" {
	t add tun0 --addr 192.0.2.1/24
	run --separate-stderr t add tun0 --exist-ok --addr 192.0.2.1/24 --addr 198.51.100.1/24 \
		--route "203.0.113.0/24 via 198.18.0.1"
	assert_error 1 "203.0.113.0/24"
	[ "$(tun_devices)" = tun0 ]
	# The address it had stays; the one this command added is gone again.
	addr_json dev tun0 | jq -e '.[0].addr_info[] | select(.local == "192.0.2.1")'
	addr_json dev tun0 | jq -e 'all(.[0].addr_info[]; .local != "198.51.100.1")'
}

@test "a failed --exist-ok puts back the link settings and leaves owner and group" {
	in_ns ip tuntap add tun5 mode tun
	run --separate-stderr t add tun5 --exist-ok --mtu 1300 --txqueuelen 99 --group 123 \
		--route "203.0.113.0/24 via 198.18.0.1"
	assert_error 1 "Nexthop has invalid gateway"
	link_json tun5 | jq -e '.[0].mtu == 1500 and .[0].txqlen == 500 and (.[0].flags | index("UP") | not)'
	[ "$(sysfs tun5 group)" = -1 ]
	[ "$(sysfs tun5 owner)" = -1 ]
	# And the same line without the bad route does all of it.
	run t add tun5 --exist-ok --mtu 1300 --txqueuelen 99 --group 123
	[ "$status" -eq 0 ]
	link_json tun5 | jq -e '.[0].mtu == 1300 and .[0].txqlen == 99 and (.[0].flags | index("UP"))'
	[ "$(sysfs tun5 group)" = 123 ]
}

# tunctl add killed (SIGKILL, nothing of its own runs) at the $2-th call of
# syscall $1; strace's log of its ioctls and netlink traffic in $3.
killed_add() {
	# LeakSanitizer cannot run under ptrace (the sanitizer build in CI).
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" in_ns strace -f -qq -o "$3" \
		-e trace=ioctl,sendto,recvmsg -e inject="$1":signal=SIGKILL:when="$2" \
		"$TUNCTL" add tun0 --addr 192.0.2.1/24 --route "198.51.100.0/24 via 192.0.2.2"
}

@test "a killed add leaves nothing: the device is persistent only at the end" {
	command -v strace >/dev/null || skip "strace is not installed"
	local sc n log kills=0
	# Killed at each netlink send and receive after TUNSETIFF made the
	# device, up to the last ACK, which comes just before TUNSETPERSIST:
	# however far it got, the device goes with tunctl's descriptor.
	for sc in sendto recvmsg; do
		for n in $(seq 1 20); do
			log="$BATS_TEST_TMPDIR/strace.$sc.$n"
			run killed_add "$sc" "$n" "$log"
			# Past the last call of that syscall: tunctl ran to the end.
			[ "$status" -eq 137 ] || break
			grep -q '+++ killed by SIGKILL +++' "$log" || { cat "$log"; return 1; }
			assert_clean || { echo "killed at $sc #$n"; return 1; }
			if grep -q TUNSETPERSIST "$log"; then cat "$log"; return 1; fi
			grep -q 'TUNSETIFF, .* = 0$' "$log" && kills=$((kills + 1))
		done
		[ "$status" -eq 0 ] || { echo "status $status at $sc #$n: $output"; return 1; }
		# The run that was not killed made the device, configured.
		addr_json dev tun0 | jq -e '.[0].addr_info[] | select(.local == "192.0.2.1")' >/dev/null
		route_json | jq -e '.[] | select(.dst == "198.51.100.0/24" and .gateway == "192.0.2.2")' >/dev/null
		in_ns ip link del tun0
	done
	# The dumps and the exchange: at least three sends and three receives.
	[ "$kills" -ge 6 ] || { echo "only $kills kill points"; return 1; }
}

@test "--exist-ok refuses before changing anything when an old value cannot be read" {
	command -v strace >/dev/null || skip "strace is not installed"
	t add f0
	before=$(ip -n "$NS" -j addr show f0 | jq -c '.[0] | [.mtu, [.addr_info[].local]]')
	# The old values are read by the first RTM_GETLINK (the adoption
	# finds the device through sysfs): made to fail, nothing changes.
	run --separate-stderr in_ns env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e signal=none \
		-e inject=sendto:error=EIO:when=1 "$TUNCTL" add f0 --exist-ok --mtu 1300 --addr 192.0.2.1/24
	assert_error 1 "reading f0"
	[ "$(ip -n "$NS" -j addr show f0 | jq -c '.[0] | [.mtu, [.addr_info[].local]]')" = "$before" ]
}
