#!/usr/bin/env bats
# tunctl monitor: TUN/TAP devices' events, checked against what was done
# (by tunctl, by ip behind its back, by real programs attaching) and against
# the kernel's state read back with ip.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	NS2=$NS-b
	OUT=$BATS_TEST_TMPDIR/mon.out
	ERR=$BATS_TEST_TMPDIR/mon.err
}
teardown() {
	[ -n "${PROG:-}" ] && kill "$PROG" 2>/dev/null && wait "$PROG" 2>/dev/null
	[ -n "${MON:-}" ] && kill "$MON" 2>/dev/null && wait "$MON" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null || true
	ns_teardown
}

# Starts tunctl [global options] ARGS... in $NS in the background, its
# output in $OUT, and waits until its socket is subscribed (its line in
# /proc/net/netlink has groups): what happens from then on is an event.
# MON is its pid (ip netns exec execs it).
mon_start() {
	(exec ip netns exec "$NS" ${ENVS:-} "$TUNCTL" "$@" >"$OUT" 2>"$ERR") &
	MON=$!
	wait_until -t 5 "subscribed $MON || ! kill -0 $MON 2>/dev/null" || { echo "monitor did not subscribe"; return 1; }
	kill -0 "$MON" 2>/dev/null || { cat "$ERR"; return 1; }
}

# True once pid $1 has a netlink socket subscribed to groups (its line in
# $NS's /proc/net/netlink).
subscribed() {
	in_ns awk -v p="$1" '$2 == 0 && $3 == p && $4 != "00000000" { f = 1 } END { exit !f }' /proc/net/netlink
}

# Waits (up to 5 s) until the monitor's JSON output has an event that jq
# filter $1 selects; with $2, until it has that many of them (an event
# that happened before too: the earlier one is not the one waited for).
mon_until() {
	wait_until -t 5 "jq -e -s $(printf %q "[.[] | select($1)] | length >= ${2:-1}") \"\$OUT\" >/dev/null 2>&1" &&
		return 0
	echo "not ${2:-1} events matching $1 in:"; cat "$OUT" "$ERR"; return 1
}

# The events of device $1, as "event" words in order.
events_of() {
	jq -r --arg n "$1" 'select(.ifname == $n or .old_ifname == $n) | .event' "$OUT" | paste -sd' '
}

@test "monitor -j: tunctl's and ip's changes, each once, in order, with ip's keys" {
	mon_start -j monitor
	t add vm0 --mode tap --addr 192.0.2.1/24 --route "198.51.100.0/24 via 192.0.2.2" >/dev/null
	ip -n "$NS" link set vm0 mtu 1400
	ip -n "$NS" link set vm0 address 02:00:5e:10:00:09
	ip -n "$NS" link add br0 type bridge
	ip -n "$NS" link set vm0 master br0
	ip -n "$NS" link set vm0 nomaster
	ip -n "$NS" link set vm0 down
	ip -n "$NS" link set vm0 name vm1
	ip -n "$NS" addr add 2001:db8::1/64 dev vm1 nodad
	ip -n "$NS" addr del 192.0.2.1/24 dev vm1
	ip -n "$NS" link add ve0 type veth peer name ve1
	ip -n "$NS" link set ve0 up
	ip -n "$NS" tuntap del vm1 mode tap
	mon_until '.event == "deleted"'
	run events_of vm0
	[ "$output" = "created up detached addr-add route-add route-add mtu mac master master down route-del route-del renamed" ] ||
		{ echo "vm0: $output"; cat "$OUT"; false; }
	run events_of vm1
	[[ "$output" == "renamed addr-add"*"addr-del"*"deleted" ]] || { echo "vm1: $output"; false; }
	# Other links' events are not shown.
	[ "$(jq -r .ifname "$OUT" | sort -u | paste -sd' ')" = "vm0 vm1" ]
	jq -e -s '.[0] | .event == "created" and .ifname == "vm0" and .mode == "tap" and (.ifindex | type) == "number"
		and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+[+-][0-9]{2}:[0-9]{2}$"))' "$OUT"
	jq -e -s 'any(.[]; .event == "mtu" and .old_mtu == 1500 and .mtu == 1400)' "$OUT"
	jq -e -s 'any(.[]; .event == "mac" and .address == "02:00:5e:10:00:09")' "$OUT"
	jq -e -s '[.[] | select(.event == "master")] | .[0].master == "br0" and .[1].master == null' "$OUT"
	jq -e -s 'any(.[]; .event == "route-add" and .dst == "198.51.100.0/24" and .gateway == "192.0.2.2")' "$OUT"
	jq -e -s 'any(.[]; .event == "addr-add" and .local == "2001:db8::1" and .prefixlen == 64 and .family == "inet6")' "$OUT"
	jq -e -s 'any(.[]; .event == "renamed" and .ifname == "vm1" and .old_ifname == "vm0")' "$OUT"
	# Every line is one JSON object.
	[ "$(wc -l <"$OUT")" -eq "$(jq -c . "$OUT" | wc -l)" ]
}

@test "monitor: text lines name the event, the device and its index" {
	mon_start monitor
	t add tun0 >/dev/null
	idx=$(ip -n "$NS" -j link show tun0 | jq '.[0].ifindex')
	ip -n "$NS" link set tun0 mtu 1280
	ip -n "$NS" link del tun0
	wait_until -t 5 grep -q " deleted " "$OUT" || { cat "$OUT"; false; }
	grep -Eq "^[0-9T:.+-]+ created tun0 index $idx tun down attached mtu 1500\$" "$OUT" || { cat "$OUT"; false; }
	grep -q " mtu tun0 index $idx 1500 -> 1280\$" "$OUT"
	grep -q " deleted tun0 index $idx\$" "$OUT"
}

@test "monitor --initial: the devices first, as exists, then the events; NAME and --mode filter" {
	t add old0 --addr 192.0.2.1/24 >/dev/null
	t add tap9 --mode tap >/dev/null
	mon_start -j monitor --initial --mode tun
	mon_until '.event == "exists"'
	t add new0 >/dev/null
	mon_until '.ifname == "new0" and .event == "created"'
	jq -e -s '.[0] | .event == "exists" and .ifname == "old0" and .up == true and .mode == "tun"' "$OUT"
	jq -e -s '.[1] | .event == "addr-add" and .local == "192.0.2.1"' "$OUT"
	run ! grep -q tap9 "$OUT"
	kill "$MON"; wait "$MON" || true
	mon_start -j monitor new0 --initial
	mon_until '.event == "exists"'
	ip -n "$NS" link set old0 mtu 1300
	ip -n "$NS" link set new0 mtu 1300
	mon_until '.event == "mtu"'
	[ "$(jq -r .ifname "$OUT" | sort -u)" = new0 ] || { cat "$OUT"; false; }
}

@test "monitor: socat, qemu and tunctl run attach and detach, with their pids" {
	command -v socat >/dev/null || skip "socat is not installed"
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
	t add tun0 >/dev/null
	t add vm0 --mode tap --vnet-hdr >/dev/null
	mon_start -j monitor
	(exec ip netns exec "$NS" socat -u TUN:192.0.2.9/24,tun-name=tun0,iff-no-pi,tun-type=tun OPEN:/dev/null) &
	PROG=$!
	mon_until '.event == "attached" and .ifname == "tun0"'
	jq -e -s --argjson p "$PROG" 'any(.[]; .event == "attached" and any(.processes[]; .pid == $p and .name == "socat"))' "$OUT" ||
		{ cat "$OUT"; false; }
	kill "$PROG"; wait "$PROG" || true; PROG=
	mon_until '.event == "detached" and .ifname == "tun0"'
	(exec ip netns exec "$NS" qemu-system-x86_64 -nodefaults -display none -S -monitor none \
		-netdev tap,id=n0,ifname=vm0,script=no,downscript=no -device virtio-net-pci,netdev=n0) &
	PROG=$!
	mon_until '.event == "attached" and .ifname == "vm0"'
	jq -e -s --argjson p "$PROG" 'any(.[]; .event == "attached" and any(.processes[]; .pid == $p))' "$OUT" ||
		{ cat "$OUT"; false; }
	kill "$PROG"; wait "$PROG" || true; PROG=
	mon_until '.event == "detached" and .ifname == "vm0"'
	(exec ip netns exec "$NS" "$TUNCTL" run tun0 -- sleep 0.3)
	# tun0's second detach: socat's, the first, is there already.
	mon_until '[.event, .ifname] == ["detached", "tun0"]' 2
	run events_of tun0
	[[ "$output" == *"attached"*"detached"*"attached"*"detached" ]] || { cat "$OUT"; false; }
	[ "$(grep -c tached "$OUT")" -eq 6 ]
}

@test "monitor: a device moved to another namespace, seen from both" {
	ip netns add "$NS2"
	t add mv0 >/dev/null
	mon_start -j monitor
	ip -n "$NS" link set mv0 netns "$NS2"
	mon_until '.event == "moved"'
	jq -e -s '.[-1] | .ifname == "mv0" and (.new_netnsid | type) == "number"' "$OUT"
	ip -n "$NS2" link show mv0 >/dev/null
}

@test "monitor: SIGINT and SIGTERM end it with 0; so does a reader that went away" {
	for sig in INT TERM; do
		mon_start monitor
		kill -"$sig" "$MON"
		st=0
		wait "$MON" || st=$?
		MON=
		[ "$st" -eq 0 ] || { echo "SIG$sig: $st"; cat "$ERR"; false; }
		[ ! -s "$ERR" ]
	done
	# The reader is gone before any event: monitor notices at once.
	run timeout 5 bash -c 'ip netns exec "$1" "$2" monitor | true; echo "${PIPESTATUS[0]}"' _ "$NS" "$TUNCTL"
	[ "$output" = 0 ]
	# The reader leaves after the first line.
	t add a0 >/dev/null
	run timeout 5 bash -c 'ip netns exec "$1" "$2" monitor --initial | head -n1 >/dev/null; echo "${PIPESTATUS[0]}"' _ "$NS" "$TUNCTL"
	[ "$output" = 0 ]
}

@test "monitor -n NETNS: the namespace deleted under it ends it with a message and 1" {
	(exec "$TUNCTL" -n "$NS" monitor >"$OUT" 2>"$ERR") &
	MON=$!
	wait_until -t 5 "in_ns awk -v p=$MON '\$3 == p && \$4 != \"00000000\" { f = 1 } END { exit !f }' /proc/net/netlink"
	ip netns del "$NS"
	wait_until -t 5 "! kill -0 $MON 2>/dev/null" || { echo "monitor still runs"; false; }
	st=0
	wait "$MON" || st=$?
	MON=
	[ "$st" -eq 1 ]
	[ "$(cat "$ERR")" = "tunctl: network namespace \"$NS\" was deleted" ]
}

# A receive buffer far too small, and the monitor stopped while 300
# devices come, get an address and half of them go: the kernel drops
# events (ENOBUFS), and after one resync the picture the events draw
# is still the kernel's.
@test "monitor: an overrun buffer gives a resync, and the events still add up" {
	ENVS="env TUNCTL_TEST_RCVBUF=4096" mon_start -j monitor --initial
	t add keep0 >/dev/null
	mon_until '.ifname == "keep0"'
	kill -STOP "$MON"
	for i in $(seq 300); do echo "add r$i --addr 198.18.$((i / 250)).$((i % 250 + 1))/32"; done >"$BATS_TEST_TMPDIR/b"
	for i in $(seq 1 2 300); do echo "del r$i"; done >>"$BATS_TEST_TMPDIR/b"
	echo "del keep0" >>"$BATS_TEST_TMPDIR/b"
	t -b "$BATS_TEST_TMPDIR/b" >/dev/null
	kill -CONT "$MON"
	mon_until '.event == "resync"'
	t add end0 >/dev/null
	mon_until '.ifname == "end0"'
	picture='reduce .[] as $e ({};
		if $e.event == "created" or $e.event == "exists" then .[$e.ifindex | tostring] = {n: $e.ifname, a: []}
		elif $e.event == "deleted" or $e.event == "moved" then del(.[$e.ifindex | tostring])
		elif $e.event == "addr-add" then .[$e.ifindex | tostring].a += [$e.local]
		elif $e.event == "addr-del" then .[$e.ifindex | tostring].a -= [$e.local]
		else . end) | [.[] | "\(.n) \(.a | sort | join(","))"] | sort | .[]'
	jq -r -s "$picture" "$OUT" >"$BATS_TEST_TMPDIR/seen"
	ip -n "$NS" -j addr show type tun | jq -r '[.[] | "\(.ifname) \([.addr_info[] | select(.family == "inet") | .local] | sort | join(","))"] | sort | .[]' \
		>"$BATS_TEST_TMPDIR/kernel"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/kernel")" -eq 151 ]
	diff "$BATS_TEST_TMPDIR/kernel" "$BATS_TEST_TMPDIR/seen"
	[ "$(jq -s '[.[] | select(.event == "resync")] | length' "$OUT")" -ge 1 ]
	# The devices removed while it was stopped were given as deleted.
	jq -e -s 'any(.[]; .event == "deleted" and .ifname == "keep0")' "$OUT"
}

@test "monitor: bad usage is 2 with one line naming the value" {
	run --separate-stderr t monitor --mode foo
	assert_error 2 foo
	run --separate-stderr t monitor --mode tun --mode tap
	assert_error 2 mode
	run --separate-stderr t monitor --initial --initial
	assert_error 2 initial
	run --separate-stderr t monitor bad/name
	assert_error 2 bad/name
	run --separate-stderr t monitor --bogus
	assert_error 2 bogus
	run --separate-stderr env TUNCTL_TEST_RCVBUF=lots "$TUNCTL" -n "$NS" monitor
	assert_error 2 lots
	run --separate-stderr t -b - <<<"monitor"
	[ "$status" -eq 2 ] && [[ "$stderr" == *"monitor"* ]]
}
