#!/usr/bin/env bats
# tunctl list: only TUN/TAP devices, from the link dump; text table and JSON.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	HOLDERS=()
}
teardown() {
	[ "${#HOLDERS[@]}" -gt 0 ] && kill "${HOLDERS[@]}" 2>/dev/null
	ns_teardown
}
hold() { hold_device "$@" && HOLDERS+=("$HOLDER"); }

@test "an empty namespace lists nothing" {
	run --separate-stderr t list
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr t -j list
	[ "$output" = "[]" ]
}

@test "list shows TUN/TAP devices only, as an aligned table" {
	in_ns ip tuntap add tun0 mode tun
	in_ns ip tuntap add tap0 mode tap user 65534 group 65534 multi_queue vnet_hdr
	in_ns ip link add v0 type veth peer name v1
	run --separate-stderr t list
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NAME  MODE  STATE  PROCS  FLAGS                         OWNER   GROUP    MASTER" ]
	[[ "${lines[1]}" =~ ^tap0\ +tap\ +down\ +0\ +persist,vnet_hdr,multi_queue\ +nobody\ +nogroup\ +-$ ]]
	[[ "${lines[2]}" =~ ^tun0\ +tun\ +down\ +0\ +persist\ +-\ +-\ +-$ ]]
	[ "${#lines[@]}" -eq 3 ]
}

@test "list -j matches sysfs for every device" {
	in_ns ip tuntap add tun0 mode tun pi
	in_ns ip tuntap add tap0 mode tap user 1234
	t add tap1 --mode tap --group 4321 --vnet-hdr
	run --separate-stderr t list -j
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 3 ]
	for d in tun0 tap0 tap1; do
		o=$(jq -c --arg d "$d" '.[] | select(.ifname == $d)' <<<"$output")
		info=$(link_json "$d" | jq -c .[0].linkinfo.info_data)
		[ "$(jq -r .mode <<<"$o")" = "$(jq -r .type <<<"$info")" ]
		for k in pi vnet_hdr multi_queue persist; do
			[ "$(jq -r .$k <<<"$o")" = "$(jq -r .$k <<<"$info")" ]
		done
		owner=$(sysfs "$d" owner); group=$(sysfs "$d" group)
		[ "$(jq -r .tun_owner <<<"$o")" = "$([ "$owner" = -1 ] && echo null || echo "$owner")" ]
		[ "$(jq -r .tun_group <<<"$o")" = "$([ "$group" = -1 ] && echo null || echo "$group")" ]
	done
}

@test "list --mode and the ls alias" {
	in_ns ip tuntap add tun0 mode tun
	in_ns ip tuntap add tap0 mode tap
	run t -j ls --mode tap
	[ "$(jq -r '.[].ifname' <<<"$output")" = tap0 ]
	run t list --mode tun -j
	[ "$(jq -r '.[].ifname' <<<"$output")" = tun0 ]
	run --separate-stderr t list --mode eth
	assert_error 2 eth
	run --separate-stderr t list extra
	assert_error 2 extra
}

# The STATE column's word for a device, from ip -j link's flags.
ip_state() {
	link_json "$1" | jq -r '.[0].flags | if index("UP") == null then "down"
		elif index("LOWER_UP") != null then "up" else "up,no-carrier" end'
}

@test "list: STATE (up, up,no-carrier, down) as ip -j link flags say, and PROCS, the processes attached" {
	t add a0 --down >/dev/null
	t add b0 >/dev/null
	t add c0 --down >/dev/null
	hold c0
	t add d0 --multi-queue >/dev/null
	hold d0 0x1101
	hold d0 0x1101
	run --separate-stderr t list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^NAME\ +MODE\ +STATE\ +PROCS\ +FLAGS\ +OWNER\ +GROUP\ +MASTER$ ]]
	[ "$(printf '%s\n' "${lines[@]:1}" | awk '{ print $1, $3, $4 }')" = "$(printf '%s\n' "a0 down 0" "b0 up,no-carrier 0" "c0 down 1" "d0 up 2")" ]
	for d in a0 b0 c0 d0; do
		[ "$(printf '%s\n' "${lines[@]}" | awk -v d="$d" '$1 == d { print $3 }')" = "$(ip_state "$d")" ]
	done
	# JSON: up, carrier only when up, and the processes themselves.
	run --separate-stderr t -j list
	[ "$status" -eq 0 ]
	for d in a0 b0 c0 d0; do
		o=$(jq -c --arg d "$d" '.[] | select(.ifname == $d)' <<<"$output")
		[ "$(jq -r 'if .up | not then "down" elif .carrier then "up" else "up,no-carrier" end' <<<"$o")" = "$(ip_state "$d")" ]
		[ "$(jq 'has("carrier")' <<<"$o")" = "$(jq .up <<<"$o")" ]
		# The same as show says.
		[ "$(jq -c '{up, carrier, processes}' <<<"$o")" = "$(t -j show "$d" | jq -c '{up, carrier, processes}')" ]
	done
	[ "$(jq -c '.[] | select(.ifname == "c0") | [.processes[].pid]' <<<"$output")" = "[${HOLDERS[0]}]" ]
	[ "$(jq -c '.[] | select(.ifname == "d0") | [.processes[].pid] | sort' <<<"$output")" = "$(printf '%s\n' "${HOLDERS[1]}" "${HOLDERS[2]}" | sort -n | jq -sc .)" ]
}

@test "list counts each device's holders in one pass, however many devices" {
	for i in 0 1 2 3 4 5 6 7 8 9; do echo "add m$i --multi-queue"; done | t -b - >/dev/null
	hold m3 0x1101
	hold m7 0x1101
	hold m7 0x1101
	run --separate-stderr t list
	[ "$(printf '%s\n' "${lines[@]:1}" | awk '{ printf "%s=%s ", $1, $4 }')" = "m0=0 m1=0 m2=0 m3=1 m4=0 m5=0 m6=0 m7=2 m8=0 m9=0 " ]
	# /proc is read once, not once per device.
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=openat "$TUNCTL" list
	[ "$(grep -c '"/proc"' "$BATS_TEST_TMPDIR/trace")" -eq 1 ]
}

@test "a directory read error fails list, never an empty listing" {
	command -v strace >/dev/null || skip "strace is not installed"
	t add tun0 >/dev/null
	# The one directory list reads is /proc (the devices come from the
	# link dump).
	run --separate-stderr env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -o /dev/null -e trace=getdents64 \
		-e inject=getdents64:error=EIO:when=1 "$TUNCTL" list
	assert_error 1 "reading /proc: Input/output error"
	# A failed dump fails it too.
	run --separate-stderr env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -o /dev/null -e trace=recvmsg \
		-e inject=recvmsg:error=EIO:when=1 "$TUNCTL" -j list
	assert_error 1 "listing links: Input/output error"
}

@test "list takes every device from one link dump: no sysfs, and /sys need not be mounted" {
	command -v strace >/dev/null || skip "strace is not installed"
	for i in 0 1 2 3 4 5 6 7; do echo "add s$i"; done | t -b - >/dev/null
	in_ns ip tuntap add tap9 mode tap user 65534 multi_queue
	# list -j has the operstate, which the kernel settles asynchronously.
	settle
	want_text=$(t list)
	want_json=$(t -j list)
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=openat,sendto,sendmsg "$TUNCTL" list
	[ "$status" -eq 0 ]
	[ "$(grep -c '"/sys' "$BATS_TEST_TMPDIR/trace")" -eq 0 ]
	# One request: the link dump.
	[ "$(grep -c 'sendto\|sendmsg' "$BATS_TEST_TMPDIR/trace")" -eq 1 ]
	# The same listing with /sys unmounted, and with something else on it.
	for how in "umount -l /sys" "mount -t tmpfs none /sys"; do
		run --separate-stderr in_ns unshare -m sh -c "$how && exec \"\$0\" list" "$TUNCTL"
		[ "$status" -eq 0 ]
		[ "$output" = "$want_text" ]
		run --separate-stderr in_ns unshare -m sh -c "$how && exec \"\$0\" -j list" "$TUNCTL"
		[ "$output" = "$want_json" ]
	done
	[ "$(jq -c '.[] | select(.ifname == "tap9") | [.mode, .multi_queue, .tun_owner, .up]' <<<"$want_json")" = '["tap",true,65534,false]' ]
}

@test "list looks each owner and group up once, before printing anything" {
	command -v strace >/dev/null || skip "strace is not installed"
	# Owners alternating in name order: nobody, root, nobody, root.
	t add a0 --user 65534 >/dev/null
	t add b0 >/dev/null
	t add c0 --user 65534 --group 65534 >/dev/null
	t add d0 >/dev/null
	run --separate-stderr t list
	[ "$(printf '%s\n' "${lines[@]:1}" | awk '{ print $1, $6, $7 }')" = "$(printf '%s\n' "a0 nobody -" "b0 root -" "c0 nobody nogroup" "d0 root -")" ]
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=openat "$TUNCTL" list
	[ "$status" -eq 0 ]
	# Two owners and one group: three lookups.
	[ "$(grep -c '"/etc/passwd"\|"/etc/group"' "$BATS_TEST_TMPDIR/trace")" -eq 3 ]
	# A lookup that fails fails the listing, with nothing printed: the
	# first is of uid 0, b0's owner.
	run --separate-stderr env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -o /dev/null -P /etc/nsswitch.conf -e trace=openat \
		-e inject=openat:error=EMFILE "$TUNCTL" list
	assert_error 1 "b0: looking up its owner (uid 0): Too many open files"
	# JSON gives the numbers: no lookup.
	run --separate-stderr env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -o /dev/null -P /etc/nsswitch.conf -e trace=openat \
		-e inject=openat:error=EMFILE "$TUNCTL" -j list
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.[] | .tun_owner]' <<<"$output")" = "[65534,0,65534,0]" ]
}

@test "a process that exits while list reads its descriptors is gone, not an error" {
	command -v strace >/dev/null || skip "strace is not installed"
	t add tun0 >/dev/null
	sleep 100 &
	local pid=$!
	# fdopendir's fstat of /proc/PID/fd says ENOENT once PID has exited
	# after the open: CI saw it, 1 run in 600 under parallel tests.
	run --separate-stderr env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -o /dev/null -P "/proc/$pid/fd" -e trace=newfstatat,fstat \
		-e inject=newfstatat,fstat:error=ENOENT "$TUNCTL" -j list
	kill "$pid"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[].ifname' <<<"$output")" = tun0 ]
}

@test "list -j carries ifindex, mtu and operstate as ip -j link has them, and no key of ip's with another meaning" {
	t add tap0 --mode tap --mtu 1400 --group 4321 >/dev/null
	t add tun0 --down >/dev/null
	settle
	run --separate-stderr t -j list
	[ "$status" -eq 0 ]
	for d in tap0 tun0; do
		keys='{ifname, ifindex, mtu, operstate}'
		mine=$(jq -c --arg d "$d" ".[] | select(.ifname == \$d) | $keys" <<<"$output")
		theirs=$(link_json "$d" | jq -c ".[0] | $keys")
		[ "$mine" = "$theirs" ] || { echo "$mine != $theirs"; return 1; }
	done
	# The TUN group is tun_group; ip's "group" is the link group.
	[ "$(jq '.[] | select(.ifname == "tap0") | .tun_group' <<<"$output")" -eq 4321 ]
	jq -e 'all(.[]; has("group") | not) and all(.[]; has("owner") | not)' <<<"$output"
}
