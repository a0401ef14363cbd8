#!/usr/bin/env bats
# A device is looked up through the device model (issue 21): one
# RTM_GETLINK by name (find_tun, devread.c), or the link dump the command
# makes anyway (del); sysfs only for the flags the kernel shows nowhere
# else (IFF_NAPI, IFF_NAPI_FRAGS, IFF_ONE_QUEUE in tun_flags), read by the
# commands that attach with the device's own flags.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	command -v strace >/dev/null || skip "strace is not installed"
}

teardown() {
	ns_teardown
}

# What the kernel says of the namespace's links, to compare before and after.
links() { link_json | jq -c '[.[] | {ifname, mtu, flags, linkinfo}]'; }

# tunctl in the namespace under strace, with one fault: traced SYSCALL ERRNO WHEN ARGS...
traced() {
	local sc=$1 e=$2 when=$3
	shift 3
	run --separate-stderr in_ns env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc:error=$e:when=$when" "$TUNCTL" "$@"
}

# The files under /sys/class/net/$1 that tunctl ARGS... opens, by their
# path or relative to an open /sys/class/net (-y names the descriptor).
sysfs_opened() {
	local dev=$1
	shift
	in_ns env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -y -o "$BATS_TEST_TMPDIR/trace" -e trace=openat,open "$TUNCTL" "$@" >/dev/null || return 1
	grep -oE "\"/sys/class/net/$dev/[^\"]*\"|</sys/class/net>, \"$dev/[^\"]*\"" "$BATS_TEST_TMPDIR/trace" |
		sed -E 's|^</sys/class/net>, "|/sys/class/net/|' | tr -d '"' | sort -u | tr '\n' ' '
}

@test "set, del, run: the device is found by netlink; sysfs is read only for the flags only it shows" {
	in_ns ip tuntap add f0 mode tun
	in_ns ip tuntap add f1 mode tap
	# Link settings only: nothing of the device from sysfs to find it.
	run sysfs_opened f0 set f0 --mtu 1400
	[ "$status" -eq 0 ]
	[[ "$output" != *tun_flags* && "$output" != *owner* && "$output" != *group* ]] || { echo "$output"; return 1; }
	[ "$(link_json f0 | jq '.[0].mtu')" = 1400 ]
	# Owner by attaching: tun_flags (IFF_NAPI and co.), and neither owner nor group.
	run sysfs_opened f0 set f0 --user 65534
	[ "$status" -eq 0 ]
	[ "$output" = "/sys/class/net/f0/tun_flags " ] || { echo "$output"; return 1; }
	[ "$(sysfs f0 owner)" = 65534 ]
	run sysfs_opened f1 run f1 -- true
	[ "$status" -eq 0 ]
	[ "$output" = "/sys/class/net/f1/tun_flags " ] || { echo "$output"; return 1; }
	# del: its names checked in its own link dump; tun_flags only where
	# /proc hides a process (a container's init, say), to ask the kernel
	# whether f1 is held (an attach without carrier, IFF_NAPI and co.).
	run sysfs_opened f1 del f1
	[ "$status" -eq 0 ]
	[ -z "$output" ] || [ "$output" = "/sys/class/net/f1/tun_flags " ] || { echo "$output"; return 1; }
	[ "$(link_json | jq -c '[.[].ifname]')" = '["lo","f0"]' ]
}

@test "add --exist-ok, classic -t, apply: sysfs only for tun_flags, and only to attach" {
	in_ns ip tuntap add f0 mode tun user 0
	# Adopted as it is: found by netlink, nothing from sysfs.
	run sysfs_opened f0 add f0 --exist-ok --mtu 1400
	[ "$status" -eq 0 ]
	[ -z "$output" ] || { echo "$output"; return 1; }
	[ "$(link_json f0 | jq '.[0].mtu')" = 1400 ]
	# Adopted with a group to set (an attach): tun_flags alone.
	run sysfs_opened f0 add f0 --exist-ok --group 0
	[ "$status" -eq 0 ]
	[ "$output" = "/sys/class/net/f0/tun_flags " ] || { echo "$output"; return 1; }
	[ "$(sysfs f0 group)" = 0 ]
	# The classic take-over: the flags to attach with, tun_flags alone.
	run sysfs_opened f0 -t f0
	[ "$status" -eq 0 ]
	[ "$output" = "/sys/class/net/f0/tun_flags " ] || { echo "$output"; return 1; }
	# apply attaching to a device (its owner to set): tun_flags alone.
	in_ns ip tuntap add f2 mode tun
	printf 'add f0 --mode tun --user 0 --group 0 --mtu 1400\nadd f2 --mode tun --user 65534\n' >"$BATS_TEST_TMPDIR/f"
	run sysfs_opened f2 apply "$BATS_TEST_TMPDIR/f"
	[ "$status" -eq 0 ]
	[ "$output" = "/sys/class/net/f2/tun_flags " ] || { echo "$output"; return 1; }
	[ "$(sysfs f2 owner)" = 65534 ]
}

@test "an attach keeps the device's IFF_NAPI, which only sysfs's tun_flags shows" {
	# IFF_TUN|IFF_NO_PI|IFF_NAPI (0x1011), made persistent.
	in_ns python3 -c "$TUN_OPEN" n0 0x1011 persist >/dev/null
	flags_before=$(sysfs n0 tun_flags)
	(( flags_before & 0x10 )) || skip "the kernel did not keep IFF_NAPI (CONFIG_TUN without NAPI?)"
	t set n0 --user 65534
	[ "$(sysfs n0 owner)" = 65534 ]
	[ "$(sysfs n0 tun_flags)" = "$flags_before" ]
	t run n0 -- true
	[ "$(sysfs n0 tun_flags)" = "$flags_before" ]
	t -d n0 >/dev/null
	[ -z "$(link_json n0 2>/dev/null | jq '.[]')" ] || [ "$(sysfs n0 tun_flags)" = "$flags_before" ]
}

@test "set, del, run, classic -d: a fault on the lookup's netlink exchange fails cleanly, nothing changed" {
	in_ns ip tuntap add f0 mode tun
	in_ns ip link set f0 up
	before=$(links)
	owner=$(sysfs f0 owner)
	for fault in sendto:ENOMEM sendto:EPERM recvmsg:ENOMEM recvmsg:EIO; do
		sc=${fault%:*} e=${fault#*:}
		{
			for cmd in "set f0 --mtu 1400" "set f0 --user 65534" "-j set f0 --mtu 1400" "run f0 -- true"; do
				# shellcheck disable=SC2086
				traced "$sc" "$e" 1 $cmd
				assert_error 1 "reading f0" || { echo "$sc $e: $cmd"; return 1; }
				[ "$(links)" = "$before" ] && [ "$(sysfs f0 owner)" = "$owner" ] || { echo "$sc $e: $cmd changed it"; return 1; }
			done
			traced "$sc" "$e" 1 del f0
			assert_error 1 "listing links" || { echo "$sc $e: del"; return 1; }
			[ "$(links)" = "$before" ] || { echo "$sc $e: del changed it"; return 1; }
			# The classic dialect: an error is its own, and the device stays.
			traced "$sc" "$e" 1 -d f0
			[ "$status" -eq 1 ] && [ -z "$output" ] && [[ "$stderr" == "tunctl: reading f0: "* ]] ||
				{ echo "$sc $e: -d: $status $output $stderr"; return 1; }
			[ "$(links)" = "$before" ] || { echo "$sc $e: -d changed it"; return 1; }
		}
	done
	# ENOBUFS (the socket's buffer overrun): the lookup is asked again.
	for sc in sendto recvmsg; do
		traced "$sc" ENOBUFS 1 set f0 --mtu 1400
		[ "$status" -eq 0 ] && [ -z "$stderr" ] || { echo "$sc ENOBUFS: $status $stderr"; return 1; }
		[ "$(link_json f0 | jq '.[0].mtu')" = 1400 ]
		in_ns ip link set f0 mtu 1500
	done
}

@test "the lookup's messages: missing, not TUN/TAP (plain and -j)" {
	in_ns ip link add v0 type veth peer name v1
	for cmd in set del run; do
		args=(--mtu 1400)
		[ "$cmd" = del ] && args=()
		[ "$cmd" = run ] && args=(-- true)
		run --separate-stderr t "$cmd" nope "${args[@]}"
		assert_error 1 "device nope does not exist"
		run --separate-stderr t "$cmd" v0 "${args[@]}"
		assert_error 1 "v0 is not a TUN/TAP device"
		run --separate-stderr t -j "$cmd" v0 "${args[@]}"
		assert_error 1 "v0 is not a TUN/TAP device"
	done
	# lo: every namespace has one.
	run --separate-stderr t set lo --mtu 1400
	assert_error 1 "lo is not a TUN/TAP device"
}
