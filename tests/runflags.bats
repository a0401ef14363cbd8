#!/usr/bin/env bats
# tunctl run --pi/--no-pi, --vnet-hdr/--no-vnet-hdr: the flags the attach
# sets, as the kernel reports them for the program's descriptor
# (TUNGETIFF) and in sysfs.
bats_require_minimum_version 1.5.0
load helpers

setup() { ns_setup; }
teardown() { ns_teardown; }

# What descriptor 3 gives the program: whether the first frame read (the
# kernel's IPv6 neighbour discovery or MLD once the tap has carrier)
# starts with the packet information header (flags, then the protocol
# 0x86dd: not a MAC address, which for these starts 33:33), and whether
# TUNGETIFF has IFF_VNET_HDR.  (TUNGETIFF cannot tell pi: it reports
# IFF_NOFILTER in IFF_NO_PI's bit.)  Fails after 10 s without a frame.
FLAGS_OF_FD3='import fcntl, os, select, struct
f = struct.unpack("16sH", fcntl.ioctl(3, 0x800454d2, bytes(40))[:18])[1]
if not select.select([3], [], [], 10)[0]:
    raise SystemExit("no frame in 10 s")
d = os.read(3, 65536)
print("pi" if d[2:4] == b"\x86\xdd" else "no-pi" if d[0:2] == b"33" or d[10:12] == b"33" else "? " + d[:12].hex(),
      "vnet_hdr" if f & 0x4000 else "no-vnet_hdr")'

@test "run --pi --vnet-hdr, --no-pi --no-vnet-hdr: the program's descriptor has them, and the device keeps them" {
	t add tap0 --mode tap
	[ "$(sysfs tap0 tun_flags)" = 0x1802 ]   # TAP, NO_PI, PERSIST
	# Default: as the device has.
	run t run tap0 -- python3 -c "$FLAGS_OF_FD3"
	[ "$status" -eq 0 ]
	[ "$output" = "no-pi no-vnet_hdr" ]
	run t run tap0 --pi --vnet-hdr -- sh -c "python3 -c '$FLAGS_OF_FD3'; cat /sys/class/net/tap0/tun_flags"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pi vnet_hdr" ]
	[ "${lines[1]}" = 0x4802 ]
	[ "$(sysfs tap0 tun_flags)" = 0x4802 ]
	run t -j show tap0
	[ "$(jq -c '[.pi, .vnet_hdr]' <<<"$output")" = '[true,true]' ]
	# Default again: now as the device has them.
	run t run tap0 -- python3 -c "$FLAGS_OF_FD3"
	[ "$output" = "pi vnet_hdr" ]
	run t run tap0 --no-pi -- python3 -c "$FLAGS_OF_FD3"
	[ "$output" = "no-pi vnet_hdr" ]
	run t run tap0 --no-vnet-hdr -- python3 -c "$FLAGS_OF_FD3"
	[ "$output" = "no-pi no-vnet_hdr" ]
	[ "$(sysfs tap0 tun_flags)" = 0x1802 ]
}

@test "run --pi on a multi-queue device; a tun device; refused where another process holds a queue" {
	t add mq0 --mode tap --multi-queue
	run t run mq0 --queues 2 --pi -- cat /sys/class/net/mq0/tun_flags
	[ "$status" -eq 0 ]
	[ "$output" = 0x902 ]   # TAP, PERSIST, MULTI_QUEUE; no NO_PI
	t add tun0 --pi
	run t run tun0 --no-pi --vnet-hdr -- cat /sys/class/net/tun0/tun_flags
	[ "$output" = 0x5801 ]  # TUN, NO_PI, PERSIST, VNET_HDR
	# A queue held elsewhere: the kernel keeps the flags; said, not run.
	in_ns "$TUNCTL" run mq0 -- sleep 100 &
	holder=$!
	wait_until in_ns sh -c 'grep -l "^iff:.*mq0" /proc/[0-9]*/fdinfo/* 2>/dev/null | grep -q .'
	run --separate-stderr t run mq0 --no-pi -- touch "$BATS_TEST_TMPDIR/ran"
	kill "$holder"
	wait "$holder" || true
	assert_error 1 "mq0 is in use by sleep"
	[[ "$stderr" == *"changes --pi and --vnet-hdr only when the first queue attaches"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
	[ "$(sysfs mq0 tun_flags)" = 0x902 ]
}

@test "run --pi with --no-pi, or twice: exit 2, nothing run" {
	t add tap0 --mode tap
	run --separate-stderr t run tap0 --pi --no-pi -- touch "$BATS_TEST_TMPDIR/ran"
	assert_error 2 "options --pi and --no-pi conflict"
	run --separate-stderr t run tap0 --no-vnet-hdr --vnet-hdr -- touch "$BATS_TEST_TMPDIR/ran"
	assert_error 2 "options --vnet-hdr and --no-vnet-hdr conflict"
	run --separate-stderr t run tap0 --pi --pi -- touch "$BATS_TEST_TMPDIR/ran"
	assert_error 2 "given twice"
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
	[ "$(sysfs tap0 tun_flags)" = 0x1802 ]
}
