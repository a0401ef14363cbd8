#!/usr/bin/env bats
# tunctl wait: returns as soon as the condition holds (at once if it does),
# 1 on timeout saying what it waited for and what the device is, 2 for bad
# usage; the changes are made by ip behind tunctl's back and by real
# programs attaching (socat, qemu, tunctl run).
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	OUT=$BATS_TEST_TMPDIR/wait.out
	ERR=$BATS_TEST_TMPDIR/wait.err
}
teardown() {
	[ -n "${PROG:-}" ] && kill "$PROG" 2>/dev/null && wait "$PROG" 2>/dev/null
	[ -n "${W:-}" ] && kill "$W" 2>/dev/null && wait "$W" 2>/dev/null
	ns_teardown
}

# True once pid $1 has a netlink socket subscribed to groups (its line in
# $NS's /proc/net/netlink).
subscribed() {
	in_ns awk -v p="$1" '$2 == 0 && $3 == p && $4 != "00000000" { f = 1 } END { exit !f }' /proc/net/netlink
}

# True while pid $1 sleeps in poll with nothing left to read on its netlink
# sockets: it has taken in every event so far and goes on waiting.
idle() {
	local ino
	[[ $(cat "/proc/$1/wchan" 2>/dev/null) == *poll* ]] || return 1
	ino=$(ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' | paste -sd' ')
	in_ns awk -v ino=" $ino " 'index(ino, " " $10 " ") && $5 != 0 { f = 1 } END { exit f }' /proc/net/netlink &&
		[[ $(cat "/proc/$1/wchan" 2>/dev/null) == *poll* ]]
}

# Starts tunctl wait ARGS... in $NS in the background (W: its pid, ip netns
# exec execs it) and waits until its socket is subscribed, or it is done.
wait_start() {
	(exec ip netns exec "$NS" "$TUNCTL" wait "$@" >"$OUT" 2>"$ERR") &
	W=$!
	wait_until -t 5 "subscribed $W || ! kill -0 $W 2>/dev/null"
}

# Asserts that the wait started by wait_start is still waiting: once it has
# read every event so far and sleeps again (idle), it is still there.
still_waiting() {
	wait_until -t 5 "idle $W || ! kill -0 $W 2>/dev/null"
	kill -0 "$W" 2>/dev/null || { echo "wait ended early:"; cat "$OUT" "$ERR"; return 1; }
}

# Asserts that it ends (within 5 s) with status $1 (default 0).
ends_with() {
	local st=0
	wait_until -t 5 "! kill -0 $W 2>/dev/null" || { echo "wait did not end"; return 1; }
	wait "$W" || st=$?
	W=
	[ "$st" -eq "${1:-0}" ] || { echo "status $st, want ${1:-0}"; cat "$ERR"; return 1; }
}

@test "wait: a condition that holds already returns 0 at once, printing nothing" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	for cond in exists up detached "addr 192.0.2.1/24" "addr 192.0.2.1"; do
		run --separate-stderr timeout 2 ip netns exec "$NS" "$TUNCTL" wait tun0 --for $cond
		[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ] || { echo "$cond: $status $stderr"; false; }
	done
	run --separate-stderr t wait nosuch --for gone
	[ "$status" -eq 0 ]
	# The condition in one word, too.
	run --separate-stderr t wait tun0 --for "addr 192.0.2.1/24"
	[ "$status" -eq 0 ]
}

@test "wait: ip creates, configures and deletes the device behind tunctl's back" {
	wait_start nd0 --for exists
	still_waiting
	ip -n "$NS" tuntap add nd0 mode tap
	ends_with 0
	wait_start nd0 --for up
	still_waiting
	ip -n "$NS" link set nd0 up
	ends_with 0
	wait_start nd0 --for addr 192.0.2.7/24
	ip -n "$NS" addr add 192.0.2.7/25 dev nd0
	still_waiting
	ip -n "$NS" addr add 192.0.2.7/24 dev nd0
	ends_with 0
	ip -n "$NS" link add br0 type bridge
	wait_start nd0 --for master br0
	still_waiting
	ip -n "$NS" link set nd0 master br0
	ends_with 0
	wait_start nd0 --for down
	still_waiting
	ip -n "$NS" link set nd0 down
	ends_with 0
	wait_start nd0 --for gone
	still_waiting
	ip -n "$NS" tuntap del nd0 mode tap
	ends_with 0
	run ip -n "$NS" link show nd0
	[ "$status" -ne 0 ]
}

@test "wait --for attached and detached: socat, qemu, tunctl run" {
	command -v socat >/dev/null || skip "socat is not installed"
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
	t add tun0 >/dev/null
	t add vm0 --mode tap --vnet-hdr >/dev/null
	wait_start tun0 --for attached
	still_waiting
	(exec ip netns exec "$NS" socat -u TUN:192.0.2.9/24,tun-name=tun0,iff-no-pi,tun-type=tun OPEN:/dev/null) &
	PROG=$!
	ends_with 0
	wait_start tun0 --for detached
	still_waiting
	kill "$PROG"; wait "$PROG" || true; PROG=
	ends_with 0
	# qemu opens the tap device itself by name.
	wait_start vm0 --for attached
	(exec ip netns exec "$NS" qemu-system-x86_64 -nodefaults -display none -S -monitor none \
		-netdev tap,id=n0,ifname=vm0,script=no,downscript=no -device virtio-net-pci,netdev=n0) &
	PROG=$!
	ends_with 0
	in_ns grep -qs "^iff:[[:space:]]*vm0\$" /proc/"$PROG"/fdinfo/*
	kill "$PROG"; wait "$PROG" || true; PROG=
	# A reader that comes and goes while wait is not looking (stopped) is
	# still seen: both events are read at once.
	wait_start tun0 --for attached
	kill -STOP "$W"
	ip netns exec "$NS" "$TUNCTL" run tun0 -- true
	kill -CONT "$W"
	ends_with 0
}

@test "wait --timeout: 1, one line saying what it waited for and what the device is now" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	run --separate-stderr t wait tun0 --for attached --timeout 0.2
	assert_error 1 "timed out after 0.2 s waiting for a reader to attach to tun0: tun0 is up, no reader attached"
	run --separate-stderr t wait tun0 --for addr 198.51.100.1/24 --timeout 0
	assert_error 1 "waiting for tun0 to have address 198.51.100.1/24: tun0 is up, no reader attached, addresses 192.0.2.1/24"
	run --separate-stderr t wait tun0 --for master br0 --timeout 0.1
	assert_error 1 "no master"
	run --separate-stderr t wait nosuch --for up --timeout 0.1
	assert_error 1 "waiting for nosuch to be up: nosuch does not exist"
	run --separate-stderr t wait tun0 --for gone --timeout 0.1
	assert_error 1 "waiting for tun0 to be gone"
}

@test "wait: no polling (one ppoll while nothing happens), and SIGTERM ends it with 1" {
	command -v strace >/dev/null || skip "strace is not installed"
	# Down: no late linkwatch or IPv6 events of its own (linkwatch sends
	# them only for an up device), so nothing to wait for before it.
	t add tun0 --down >/dev/null
	# Without LeakSanitizer, which cannot run under ptrace (a sanitizer build).
	run --separate-stderr env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -e trace=ppoll,poll,select,pselect6,nanosleep,clock_nanosleep \
		-o "$BATS_TEST_TMPDIR/trace" "$TUNCTL" wait tun0 --for attached --timeout 1
	[ "$status" -eq 1 ]
	[ "$(grep -c . "$BATS_TEST_TMPDIR/trace")" -eq 1 ] || { cat "$BATS_TEST_TMPDIR/trace"; false; }
	grep -q "^[0-9]* *ppoll(" "$BATS_TEST_TMPDIR/trace"
	wait_start tun0 --for attached
	kill -TERM "$W"
	ends_with 1
	[ "$(cat "$ERR")" = "tunctl: interrupted while waiting for a reader to attach to tun0" ]
}

@test "wait -n NETNS: the namespace deleted while it waits ends it with a message and 1" {
	(exec "$TUNCTL" -n "$NS" wait tun0 --for exists >"$OUT" 2>"$ERR") &
	W=$!
	# Its socket subscribed in $NS: it waits there.
	wait_until -t 5 "in_ns awk -v p=$W '\$3 == p && \$4 != \"00000000\" { f = 1 } END { exit !f }' /proc/net/netlink"
	ip netns del "$NS"
	ends_with 1
	[ "$(cat "$ERR")" = "tunctl: network namespace \"$NS\" was deleted" ]
}

@test "wait: bad usage is 2 with one line naming the value" {
	run --separate-stderr t wait
	assert_error 2 "device name"
	run --separate-stderr t wait tun0
	assert_error 2 "--for"
	run --separate-stderr t wait tun0 --for sideways
	assert_error 2 sideways
	run --separate-stderr t wait tun0 --for up --for down
	assert_error 2 for
	run --separate-stderr t wait tun0 --for addr
	assert_error 2 "address"
	run --separate-stderr t wait tun0 --for addr 192.0.2.300/24
	assert_error 2 "192.0.2.300"
	run --separate-stderr t wait tun0 --for master
	assert_error 2 "device name"
	run --separate-stderr t wait tun0 --for master bad/name
	assert_error 2 "bad/name"
	run --separate-stderr t wait tun0 --for up extra
	assert_error 2 extra
	run --separate-stderr t wait tun0 --for "up now"
	assert_error 2 now
	for bad in x -1 1.2345 1e3 0x10 1. .5; do
		run --separate-stderr t wait tun0 --for up --timeout "$bad"
		assert_error 2 "--timeout \"$bad\""
	done
	run --separate-stderr t wait tun0 --for up --timeout ""
	assert_error 2 "--timeout"
	run --separate-stderr t wait tun0 --for up --timeout 1 --timeout 2
	assert_error 2 timeout
	run --separate-stderr t wait bad/name --for up
	assert_error 2 bad/name
}

@test "wait in a batch: the lines after it run once it holds, and a timeout fails the batch" {
	printf '%s\n' "add w0 --down" "wait w0 --for down --timeout 1" "set w0 --up" "wait w0 --for up" \
		"del w0" "wait w0 --for gone" >"$BATS_TEST_TMPDIR/b"
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	run ip -n "$NS" link show w0
	[ "$status" -ne 0 ]
	printf '%s\n' "add w1" "wait w1 --for attached --timeout 0.1" "del w1" >"$BATS_TEST_TMPDIR/b"
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *":2: timed out after 0.1 s waiting for a reader to attach to w1"* ]] || { echo "$stderr"; false; }
	# Without --force the batch stops there: w1 is left.
	ip -n "$NS" link show w1 >/dev/null
}
