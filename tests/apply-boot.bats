#!/usr/bin/env bats
# apply at boot and on reload: a device whose addresses and routes are its
# program's (--keep-config, save --keep-config), each device on its own
# (--per-device), a group that locks the owner out (set, apply), and stop
# signals (SIGINT, SIGTERM) sent at a chosen system call with strace, in
# apply and in a batch.  Kernel state read back with ip and sysfs.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	F=$BATS_TEST_TMPDIR/devices
	# Lines whose user does not exist: a name no one has.
	NOUSER=tunctl-apply-boot-nouser-$$
}
teardown() { ns_teardown; }

has_addr() { addr_json dev "$1" | jq -e --arg a "$2" '.[0].addr_info[] | select(.local == $a)' >/dev/null; }
has_route() { route_json dev "$1" | jq -e --arg d "$2" '.[] | select(.dst == $d)' >/dev/null; }

# The addresses and the route "the program" (Nebula, openconnect's script,
# OpenVPN --ifconfig) gives neb0, with ip.
program_config() {
	ip -n "$NS" addr add 198.51.100.7/24 dev neb0
	ip -n "$NS" addr add 2001:db8:7::7/64 dev neb0
	ip -n "$NS" route add 203.0.113.0/24 dev neb0
}

program_config_there() {
	has_addr neb0 198.51.100.7 || { echo "198.51.100.7 gone"; addr_json dev neb0; return 1; }
	has_addr neb0 2001:db8:7::7 || { echo "2001:db8:7::7 gone"; addr_json dev neb0; return 1; }
	has_route neb0 203.0.113.0/24 || { echo "route 203.0.113.0/24 gone"; route_json dev neb0; return 1; }
}

@test "apply leaves the addresses and routes of a --keep-config device that the line does not list, with and without --prune" {
	t add neb0 --addr 192.0.2.1/24 >/dev/null
	t add other0 --addr 192.0.2.9/24 >/dev/null
	program_config
	ip -n "$NS" addr add 198.51.100.9/24 dev other0
	cat >"$F" <<-EOF
	add neb0 --addr 192.0.2.1/24 --addr 192.0.2.5/24 --keep-config
	add other0 --addr 192.0.2.9/24
	EOF
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	# What the line lists is still added; the rest of neb0 is its program's.
	[ "$output" = "+ neb0 addr 192.0.2.5/24
- other0 addr 198.51.100.9/24" ] || { echo "$output"; return 1; }
	has_addr neb0 192.0.2.5
	program_config_there
	# other0 has no --keep-config: what its line does not list goes.
	run has_addr other0 198.51.100.9
	[ "$status" -ne 0 ]
	# As systemctl reload does it, again, and with --prune, and --per-device.
	for opts in "" --prune "--prune --per-device"; do
		# shellcheck disable=SC2086 # the options, as words
		run --separate-stderr t apply $opts "$F"
		[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ] || { echo "$opts: $output $stderr"; return 1; }
		program_config_there
	done
	# The test can fail: without --keep-config they are removed.
	sed -i 's/ --keep-config//' "$F"
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ]
	run program_config_there
	[ "$status" -eq 1 ]
}

@test "a device made by apply from a --keep-config line gets what the line lists; what its program adds then stays" {
	echo 'add neb0 --addr 192.0.2.1/24 --route 198.18.0.0/15 --keep-config' >"$F"
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	has_addr neb0 192.0.2.1
	has_route neb0 198.18.0.0/15
	program_config
	run --separate-stderr t apply --prune "$F"
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$output $stderr"; return 1; }
	program_config_there
	has_route neb0 198.18.0.0/15
}

@test "save --keep-config NAME writes NAME's line with --keep-config and without its addresses and routes" {
	t add neb0 --addr 192.0.2.1/24 >/dev/null
	t add tap0 --mode tap --addr 192.0.2.9/24 --mac 02:00:5e:00:53:01 >/dev/null
	program_config
	run --separate-stderr t save --keep-config neb0
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "add neb0 --mode tun "*" --keep-config" ]] || { echo "${lines[0]}"; return 1; }
	[[ "${lines[0]}" != *--addr* && "${lines[0]}" != *--route* ]] || { echo "${lines[0]}"; return 1; }
	[[ "${lines[1]}" == "add tap0 --mode tap "*"--addr 192.0.2.9/24" ]] || { echo "${lines[1]}"; return 1; }
	printf '%s\n' "$output" >"$F"
	# The saved file, applied after the program's reload: nothing to do.
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$output $stderr"; return 1; }
	program_config_there
	# Made again from it (at boot): the device, without the program's
	# addresses, which the program gives it again when it starts.
	t del --all
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	[ "$(link_json dev neb0 | jq -r '.[0].linkinfo.info_data.type')" = tun ]
	[ "$(addr_json dev neb0 | jq '[.[0].addr_info[] | select(.scope == "global")] | length')" -eq 0 ]
	# -j: the same lines in an array.
	program_config
	run --separate-stderr t -j save neb0 --keep-config neb0
	[ "$(jq -r '.[0]' <<<"$output")" = "$(t save --keep-config neb0 | head -n 1)" ]
}

@test "save --keep-config: a device not saved, missing or not TUN/TAP is refused; add and batch refuse --keep-config" {
	t add neb0 >/dev/null
	t add tap0 --mode tap >/dev/null
	run --separate-stderr t save tap0 --keep-config neb0
	assert_error 2 "--keep-config neb0: neb0 is not among the devices saved; name it too"
	run --separate-stderr t save --keep-config nosuch0
	assert_error 1 "--keep-config nosuch0: device nosuch0 does not exist"
	run --separate-stderr t save --keep-config lo
	assert_error 2 "--keep-config lo: lo is not a TUN/TAP device"
	run --separate-stderr t save --keep-config neb0 --keep-config neb0
	assert_error 2 "--keep-config neb0 is given twice"
	run --separate-stderr t add kc0 --keep-config
	assert_error 2 "--keep-config is for the lines of apply's FILE"
	printf 'add kc1\nadd kc2 --keep-config\n' >"$BATS_TEST_TMPDIR/batch"
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/batch"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tunctl: $BATS_TEST_TMPDIR/batch:2: --keep-config is for the lines of apply's FILE"* ]] ||
		{ echo "$stderr"; return 1; }
	[ "$(tun_devices | sort | tr '\n' ' ')" = "kc1 neb0 tap0 " ]
}

@test "set --group G on a device whose owner is not in G: refused (exit 2) unless --yes" {
	t add own0 --user nobody >/dev/null
	# nobody is in nogroup (its primary group), not in daemon.
	run --separate-stderr t set own0 --group daemon
	assert_error 2 "group daemon would lock own0's owner nobody (uid 65534) out: nobody is not in that group"
	[ "$(sysfs own0 group)" = -1 ]
	# With --user in the same command, that owner is the one asked about.
	t add own1 >/dev/null
	run --separate-stderr t set own1 --user nobody --group daemon
	assert_error 2 "group daemon would lock own1's owner nobody"
	[ "$(sysfs own1 owner)" = 0 ] && [ "$(sysfs own1 group)" = -1 ]
	# Its own group: no question.
	run --separate-stderr t set own0 --group nogroup
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || { echo "$stderr"; return 1; }
	[ "$(sysfs own0 group)" = 65534 ]
	run --separate-stderr t set own0 --group daemon --yes
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || { echo "$stderr"; return 1; }
	[ "$(sysfs own0 group)" = 1 ]
}

@test "apply: a line whose owner is not in its group is refused with FILE:LINE unless --yes; with --per-device only that device" {
	printf 'add ok0\nadd own0 --user nobody --group daemon\n' >"$F"
	run --separate-stderr t apply "$F"
	assert_error 2 "$F:2: group daemon would lock own0's owner nobody (uid 65534) out"
	[[ "$stderr" == *"apply --yes accepts it"* ]]
	[ -z "$(tun_devices)" ]
	run --separate-stderr t apply --per-device "$F"
	[ "$status" -eq 1 ]
	[ "$(tun_devices)" = ok0 ]
	[[ "$stderr" == *"apply --per-device: 1 device failed: own0 ($F:2)"* ]] || { echo "$stderr"; return 1; }
	run --separate-stderr t apply --yes "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	[ "$(sysfs own0 owner)" = 65534 ] && [ "$(sysfs own0 group)" = 1 ]
}

@test "apply --per-device: an unknown user costs its device only; the others converge, exit 1 naming it" {
	t add pre0 --mtu 1400 >/dev/null
	t add z0 >/dev/null
	cat >"$F" <<-EOF
	add a0 --addr 192.0.2.1/24
	add b0 --user $NOUSER
	add pre0 --mtu 1300
	add c0 --mode tap --addr 2001:db8::1/64
	EOF
	# All or nothing by default: nothing.
	run --separate-stderr t apply "$F"
	assert_error 2 "$F:2: unknown user \"$NOUSER\""
	[ "$(tun_devices | sort | tr '\n' ' ')" = "pre0 z0 " ]
	run --separate-stderr t apply --per-device --prune "$F"
	[ "$status" -eq 1 ]
	# A failed command writes nothing on stdout: the plan of what was done
	# is on stderr, beside the errors.
	[ -z "$output" ] || { echo "$output"; return 1; }
	[[ "$stderr" == *"tunctl: $F:2: unknown user \"$NOUSER\""* ]] || { echo "$stderr"; return 1; }
	[ "$(printf '%s\n' "$stderr" | tail -n 1)" = "tunctl: apply --per-device: 1 device failed: b0 ($F:2); the others match the file" ]
	[[ "$stderr" == *"+ a0 create"* && "$stderr" == *"~ pre0 mtu 1400 -> 1300"* && "$stderr" == *"- z0 delete"* ]] ||
		{ echo "$stderr"; return 1; }
	[ "$(tun_devices | sort | tr '\n' ' ')" = "a0 c0 pre0 " ]
	has_addr a0 192.0.2.1
	has_addr c0 2001:db8::1
	[ "$(link_json dev c0 | jq -r '.[0].linkinfo.info_data.type')" = tap ]
	[ "$(sysfs pre0 mtu)" = 1300 ]
}

@test "apply --per-device: a device the kernel refuses is undone alone; a present device of a failing line is not pruned" {
	ip -n "$NS" link add x0 type veth peer name x1
	t add m0 >/dev/null
	cat >"$F" <<-EOF
	add a0
	add x0
	add m0 --master nosuch0 --mtu 1300
	add c0 --addr 192.0.2.3/24
	EOF
	run --separate-stderr t apply --per-device --prune "$F"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"x0 exists and is not a TUN/TAP device"* && "$stderr" == *"no device nosuch0"* ]] ||
		{ echo "$stderr"; return 1; }
	[[ "$stderr" == *"2 devices failed: x0 ($F:2), m0 ($F:3)"* ]] || { echo "$stderr"; return 1; }
	[ "$(tun_devices | sort | tr '\n' ' ')" = "a0 c0 m0 " ]
	# m0's MTU, in the same exchange as the refused master: put back.
	[ "$(sysfs m0 mtu)" = 1500 ]
	[ "$(link_json dev x0 | jq -r '.[0].linkinfo.info_kind')" = veth ]
	has_addr c0 192.0.2.3
	# A file that is all good: exit 0, as without --per-device.
	printf 'add a0\nadd c0 --addr 192.0.2.3/24\n' >"$F"
	run --separate-stderr t apply --per-device "$F"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || { echo "$stderr"; return 1; }
}

# tunctl under strace, which sends $1 (SIGINT, SIGTERM) when the
# $2-th openat of /dev/net/tun begins (it stays pending: tunctl holds it).
t_signal_at_tun_open() {
	local sig=$1 when=$2
	shift 2
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" in_ns strace -qq -o /dev/null -P /dev/net/tun \
		-e trace=openat -e inject=openat:signal="$sig":when="$when" "$TUNCTL" "$@"
}

@test "apply stopped by SIGTERM before its end: everything undone, exit 143, and it says so" {
	t add e0 --mtu 1500 --addr 192.0.2.1/24 >/dev/null
	before=$(ip -n "$NS" -j addr | jq -S 'map({ifname, mtu, a: [.addr_info[].local]})')
	cat >"$F" <<-EOF
	add e0 --mtu 1400 --addr 192.0.2.2/24
	add n0 --addr 198.51.100.1/24
	add n1 --mode tap
	EOF
	# The signal comes as n0 is being created: e0 is converged by then.
	run --separate-stderr t_signal_at_tun_open SIGTERM 1 apply "$F"
	[ "$status" -eq 143 ] || { echo "status $status: $stderr"; return 1; }
	[ -z "$output" ]
	[ "$stderr" = "tunctl: interrupted by SIGTERM: apply undid what it had changed; the devices are as before" ]
	[ "$(tun_devices)" = e0 ]
	[ "$(ip -n "$NS" -j addr | jq -S 'map({ifname, mtu, a: [.addr_info[].local]})')" = "$before" ]
	# SIGINT the same, 130; and --per-device stops at the device it was on.
	run --separate-stderr t_signal_at_tun_open SIGINT 1 apply "$F"
	[ "$status" -eq 130 ]
	[ "$(tun_devices)" = e0 ]
	printf 'add b0 --user %s\nadd n0\nadd n1\n' "$NOUSER" >"$F"
	run --separate-stderr t_signal_at_tun_open SIGTERM 2 apply --per-device "$F"
	[ "$status" -eq 143 ] || { echo "status $status: $stderr"; return 1; }
	[[ "$stderr" == *"interrupted by SIGTERM at $F:3 (n1): apply undid that device; 1 of the file's devices is as it says, the rest not done"* ]] ||
		{ echo "$stderr"; return 1; }
	[ "$(tun_devices | sort | tr '\n' ' ')" = "e0 n0 " ]
}

@test "apply: a SIGTERM that comes once the deletions have begun is too late: done, exit 0, with a warning" {
	t add keep0 >/dev/null
	t add old0 >/dev/null
	echo 'add keep0' >"$F"
	# Which sendto carries the deletion of old0: counted on a first run,
	# after which old0 is made again (the same requests, in the same order).
	log=$BATS_TEST_TMPDIR/sendto
	ASAN_OPTIONS=detect_leaks=0 in_ns strace -qq -o "$log" -e trace=sendto "$TUNCTL" apply --prune "$F" >/dev/null
	n=$(grep -n RTM_DELLINK "$log" | head -n 1 | cut -d: -f1)
	[ -n "$n" ] || { cat "$log"; return 1; }
	t add old0 >/dev/null
	run --separate-stderr env ASAN_OPTIONS=detect_leaks=0 ip netns exec "$NS" strace -qq -o "$log" -e trace=sendto \
		-e inject=sendto:signal=SIGTERM:when="$n" "$TUNCTL" apply --prune "$F"
	sed -n "${n}p" "$log" | grep -q RTM_DELLINK || { echo "sendto $n is not the deletion:"; cat "$log"; return 1; }
	[ "$status" -eq 0 ] || { echo "status $status: $stderr"; return 1; }
	[ "$output" = "- old0 delete" ]
	[ "$stderr" = "tunctl: warning: SIGTERM came too late to stop apply: it had finished; the devices match $F" ]
	[ "$(tun_devices)" = keep0 ]
}

@test "a batch stopped by SIGINT says at which FILE:LINE and how many commands were done; exit 130" {
	B=$BATS_TEST_TMPDIR/batch
	printf 'add b1 --exist-ok\nadd b2 --exist-ok\n\nadd b3 --exist-ok\nadd b4 --exist-ok\n' >"$B"
	# The signal comes while line 2 runs: that line is finished, the
	# next not begun.
	run --separate-stderr t_signal_at_tun_open SIGINT 2 -b "$B"
	[ "$status" -eq 130 ] || { echo "status $status: $stderr"; return 1; }
	[ "$stderr" = "tunctl: $B:4: interrupted by SIGINT before this line: 2 of 4 commands done, the rest not run" ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "b1 b2 " ]
	# With -j, one JSON object.
	t del --all
	run --separate-stderr t_signal_at_tun_open SIGTERM 1 -j -b "$B"
	[ "$status" -eq 143 ]
	jq -e --arg w "$B:2" '.where == $w and .exit == 143 and (.error | contains("1 of 4 commands done"))' <<<"$stderr"
	[ "$(tun_devices)" = b1 ]
	# Too late (during the last line): all done, exit 0, a warning.
	t del --all
	run --separate-stderr t_signal_at_tun_open SIGTERM 4 -b "$B"
	[ "$status" -eq 0 ] || { echo "status $status: $stderr"; return 1; }
	[ "$stderr" = "tunctl: warning: SIGTERM came too late to stop the batch: its 4 commands had run" ]
	[ "$(tun_devices | wc -l)" -eq 4 ]
}

@test "apply --per-device --dry-run: the plan of the devices that would converge, the failed named, nothing changed" {
	t add z0 >/dev/null
	printf 'add a0 --addr 192.0.2.1/24\nadd b0 --user %s\n' "$NOUSER" >"$F"
	run --separate-stderr t apply --per-device --dry-run "$F"
	[ "$status" -eq 1 ]
	[ -z "$output" ] || { echo "$output"; return 1; }
	want=$(printf '+ a0 create\n+ a0 addr 192.0.2.1/24\n! z0 not in %s: kept (--prune deletes it)' "$F")
	[[ "$stderr" == *"$want"* ]] || { echo "$stderr"; return 1; }
	[ "$(printf '%s\n' "$stderr" | tail -n 1)" = "tunctl: apply --per-device: 1 device failed: b0 ($F:2); the others would match the file" ]
	[ "$(tun_devices)" = z0 ]
}

@test "apply --per-device: a line that is not add costs that line only, beside a device the file does not name" {
	# It once crashed here: the last pass compared the device the file
	# does not name with the line's missing name.
	t add z0 >/dev/null
	printf 'add a0 --addr 192.0.2.1/24\ndel b0\n' >"$F"
	run --separate-stderr t apply --per-device "$F"
	[ "$status" -eq 1 ] || { echo "status $status: $stderr"; return 1; }
	[ -z "$output" ] || { echo "$output"; return 1; }
	[[ "$stderr" == *"tunctl: $F:2: only add lines can stand in a file for apply, not \"del\""* ]] || { echo "$stderr"; return 1; }
	[[ "$stderr" == *"! z0 not in $F: kept (--prune deletes it)"* ]] || { echo "$stderr"; return 1; }
	[ "$(printf '%s\n' "$stderr" | tail -n 1)" = "tunctl: apply --per-device: 1 device failed: $F:2; the others match the file" ]
	[ "$(tun_devices | tr '\n' ' ')" = "a0 z0 " ] || { tun_devices; return 1; }
	has_addr a0 192.0.2.1
}
