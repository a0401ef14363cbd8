#!/usr/bin/env bats
# list --unused and del --unused [PATTERN...]: the devices no process holds,
# deleted in one kernel operation, never one a process attaches meanwhile.
bats_require_minimum_version 1.5.0
load helpers

setup() { ns_setup; }
teardown() {
	[ -z "${PIDS:-}" ] || kill $PIDS 2>/dev/null || true
	[ -z "${OTHER:-}" ] || ip netns del "$OTHER" 2>/dev/null || true
	ns_teardown
}

names() { link_json | jq -r '[.[] | select(.linkinfo.info_kind == "tun") | .ifname] | sort | join(" ")'; }

# A holder that keeps a device open: tunctl run NAME -- sleep.  Waited
# for among the namespace's own processes: a process elsewhere (another
# test run) may hold a device of the same name in its namespace.
hold() {
	in_ns "$TUNCTL" run "$1" -- sleep 100 &
	PIDS="${PIDS:-} $!"
	wait_until sh -c "for p in \$(ip netns pids '$NS'); do grep -qs '^iff:[[:space:]]*$1\$' /proc/\$p/fdinfo/* && exit 0; done; exit 1"
}

@test "list --unused, -j: only devices no process holds" {
	for d in tap1 tap2 tap3; do t add $d --mode tap; done
	t add mq0 --mode tap --multi-queue
	t add mq1 --mode tap --multi-queue
	hold tap2
	hold mq1
	run --separate-stderr t -j list --unused
	[ "$status" -eq 0 ]
	[ "$(jq -r 'map(.ifname) | join(" ")' <<<"$output")" = "mq0 tap1 tap3" ]
	run --separate-stderr t list --unused --mode tap
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]:1}" | awk '{print $1}' | tr '\n' ' ')" = "mq0 tap1 tap3 " ]
	# Nothing changed by looking: every device is there, the held ones held.
	[ "$(names)" = "mq0 mq1 tap1 tap2 tap3" ]
	[ "$(link_json tap2 | jq -r '.[0].flags | index("LOWER_UP") != null')" = true ]
}

@test "del --unused [PATTERN...]: the unheld devices that match, in one group delete; held ones stay" {
	for d in tap1 tap2 tap3 vm1 vm2; do t add $d --mode tap; done
	t add mq0 --mode tap --multi-queue
	t add mq1 --mode tap --multi-queue
	t add tun0
	hold tap2
	hold mq1
	run --separate-stderr t del --unused 'tap*' 'mq?'
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(names)" = "mq1 tap2 tun0 vm1 vm2" ]
	run --separate-stderr t del --unused --mode tun
	[ "$status" -eq 0 ]
	[ "$(names)" = "mq1 tap2 vm1 vm2" ]
	# One kernel operation: the devices leave by one RTM_DELLINK of a group.
	# Without LeakSanitizer, which cannot run under ptrace (a sanitizer build).
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=sendto,sendmsg -e signal=none -o "$BATS_TEST_TMPDIR/trace" \
		ip netns exec "$NS" "$TUNCTL" del --unused
	[ "$status" -eq 0 ]
	[ "$(names)" = "mq1 tap2" ]
	# (strace may not name the type: RTM_DELLINK is 0x11.)
	[ "$(grep -oE 'nlmsg_type=(RTM_DELLINK|0x11 )' "$BATS_TEST_TMPDIR/trace" | wc -l)" -eq 1 ]
	# Held devices, even with no pattern: still there and held.
	[ "$(link_json tap2 | jq -r '.[0].flags | index("LOWER_UP") != null')" = true ]
	[ "$(link_json mq1 | jq -r '.[0].flags | index("LOWER_UP") != null')" = true ]
}

@test "del --unused: bad usage" {
	run --separate-stderr t del --unused --all
	assert_error 2 "not with --all"
	run --separate-stderr t del --unused --force
	assert_error 2 "not with --force"
	run --separate-stderr t del --unused 'a/b'
	assert_error 2 "invalid pattern"
	run --separate-stderr t del --mode tap tap0
	assert_error 2 "--mode goes with --all or --unused"
}

# Holders attach and detach again and again, on the devices that
# del --unused deletes in a loop and that are made again: a holder whose
# device is deleted while it holds it finds its descriptor detached
# (TUNGETIFF: EBADFD) and says LOST.  On a multi-queue device a holder
# detaches its queue half the time while it waits (TUNSETQUEUE): a
# detached queue holds the device too, and attaching it again fails
# (EINVAL) when the device was deleted meanwhile.
# They stop when the file STOP exists (or after SECONDS).
HOLDER='import fcntl, os, random, struct, sys, time, errno
names, stop, end = sys.argv[1:-2], sys.argv[-2], time.time() + float(sys.argv[-1])
held = 0
while time.time() < end and not os.path.exists(stop):
    name = random.choice(names)
    mq = name.startswith("mq")
    fd = os.open("/dev/net/tun", os.O_RDWR)
    try:
        fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", name.encode(), 0x0002 | 0x1000 | (0x0100 if mq else 0)))
    except OSError as e:
        os.close(fd)
        if e.errno not in (errno.EBUSY, errno.E2BIG, errno.EINVAL):
            raise
        continue
    held += 1
    parked = mq and random.random() < 0.5
    if parked:
        fcntl.ioctl(fd, 0x400454d9, struct.pack("16sH", b"", 0x0400))
    time.sleep(random.random() * 0.02)
    try:
        if parked:
            fcntl.ioctl(fd, 0x400454d9, struct.pack("16sH", b"", 0x0200))
        fcntl.ioctl(fd, 0x800454d2, bytes(40))
    except OSError as e:
        print("LOST", name, e.errno, flush=True)
    os.close(fd)
print("held", held)'

@test "del --unused while processes attach and detach: never a held device" {
	devs="t0 t1 t2 t3 t4 t5 mq0 mq1"
	make_all() {
		for d in $devs; do
			case $d in
			mq*) in_ns "$TUNCTL" add $d --mode tap --multi-queue --exist-ok >/dev/null 2>&1 ;;
			*) in_ns "$TUNCTL" add $d --mode tap --exist-ok >/dev/null 2>&1 ;;
			esac
		done
		true
	}
	make_all
	for k in 1 2 3; do
		in_ns python3 -c "$HOLDER" $devs "$BATS_TEST_TMPDIR/stop" 120 >"$BATS_TEST_TMPDIR/h$k" 2>&1 &
		PIDS="${PIDS:-} $!"
	done
	# At least 5 s and 20 deletes (a loaded machine takes longer), at
	# most 90 s.
	dels=0 fails=0
	start=$(date +%s)
	while [ "$(date +%s)" -lt $((start + 5)) ] || { [ "$dels" -lt 20 ] && [ "$(date +%s)" -lt $((start + 90)) ]; }; do
		if in_ns "$TUNCTL" del --unused 2>>"$BATS_TEST_TMPDIR/del.err"; then
			dels=$((dels + 1))
		else
			fails=$((fails + 1))
		fi
		make_all
	done
	touch "$BATS_TEST_TMPDIR/stop"
	wait $PIDS
	PIDS=
	cat "$BATS_TEST_TMPDIR"/h* "$BATS_TEST_TMPDIR/del.err"
	[ "$dels" -ge 20 ]
	# Every holder ran and attached, and none lost its device.
	[ "$(cat "$BATS_TEST_TMPDIR"/h* | grep -c '^held [1-9]')" -eq 3 ]
	run grep -h LOST "$BATS_TEST_TMPDIR"/h1 "$BATS_TEST_TMPDIR"/h2 "$BATS_TEST_TMPDIR"/h3
	[ "$status" -eq 1 ]
	echo "del --unused runs: $dels ok, $fails failed" >&3
}

@test "del --unused with a /sys of another namespace: exit 1, nothing deleted, never 'nothing to delete'" {
	t add d0 --mode tap
	t add d1 --mode tun
	OTHER="$NS-other"
	ip netns add "$OTHER"
	# /sys mounted in the other (empty) namespace, tunctl run in this one
	# with that /sys: as after unshare -n without a sysfs of its own.
	run --separate-stderr unshare -m sh -c 'nsenter --net=/run/netns/"$1" mount -t sysfs sysfs /sys &&
		exec nsenter --net=/run/netns/"$2" "$3" del --unused' - "$OTHER" "$NS" "$TUNCTL"
	assert_error 1 "another network namespace"
	[ "$(names)" = "d0 d1" ]
}

@test "del --unused with a /sys of another namespace that has devices of the same names: exit 1, nothing deleted" {
	t add d0 --mode tap
	t add d1 --mode tun
	OTHER="$NS-other"
	ip netns add "$OTHER"
	# The other namespace has a tun d0 (other flags) and a veth d1: /sys
	# there says d0 is a tun device and d1 none.
	ip netns exec "$OTHER" "$TUNCTL" add d0 --mode tun --pi
	ip -n "$OTHER" link add d1 type veth peer name d1p
	run --separate-stderr unshare -m sh -c 'nsenter --net=/run/netns/"$1" mount -t sysfs sysfs /sys &&
		exec nsenter --net=/run/netns/"$2" "$3" del --unused' - "$OTHER" "$NS" "$TUNCTL"
	assert_error 1 "another network namespace"
	[ "$(names)" = "d0 d1" ]
}
