#!/usr/bin/env bats
# tunctl save and apply: the namespace's devices as a file, and converged
# to one, read back with ip.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	F=$BATS_TEST_TMPDIR/devices
}
teardown() {
	[ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null && wait "$HOLDER" 2>/dev/null
	ns_teardown
}

# Everything apply manages, as ip sees it, with what changes by itself
# (indexes, counters, carrier and operstate, address lifetimes, tentative
# and linkdown flags) left out. Sorted, so that order does not count.
state() {
	link_json | jq -S 'map({ifname, mtu, txqlen, address, up: (.flags | index("UP") != null),
		tun: .linkinfo.info_data}) | sort_by(.ifname)'
	addr_json | jq -S 'map({ifname, a: (.addr_info | map({family, local, prefixlen, address})
		| sort_by(.local))}) | sort_by(.ifname)'
	for fam in -4 -6; do
		ip -n "$NS" "$fam" -j route show table all |
			jq -S 'map(select(.type != "local" and .type != "multicast" and .type != "broadcast"
			and (.dst | startswith("fe80") | not) and .dst != "ff00::/8")
			| del(.flags, .pref)) | sort_by(.dst, .dev, .table)'
	done
}

devices() {
	t add vpn0 --addr 192.0.2.1 --peer 192.0.2.2 --route "198.51.100.0/24 via 192.0.2.2 metric 50" \
		--mtu 1400 >/dev/null
	t add vm0 --mode tap --vnet-hdr --user nobody --addr 2001:db8::1/64 --addr 203.0.113.1/24 \
		--route "2001:db8:1::/48 table 100" --route "198.18.0.0/16 via 203.0.113.254 table 200" \
		--txqueuelen 2000 >/dev/null
	t add q0 --multi-queue --any-user --down >/dev/null
	t add g0 --group nogroup --pi >/dev/null
}

@test "save, del --all, apply: the same devices, as ip sees them, and save prints the file again" {
	devices
	state >"$BATS_TEST_TMPDIR/before"
	run --separate-stderr t save
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$F"
	[ "$(wc -l <"$F")" -eq 4 ]
	t del --all
	[ -z "$(tun_devices)" ]
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	grep -qx '+ vpn0 create' <<<"$output"
	state >"$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run --separate-stderr t save
	diff <(printf '%s\n' "$output") "$F"
}

@test "save is canonical: save, del --all, apply, save gives the same bytes" {
	t add c0 --addr 2001:db8::2/64 --addr 203.0.113.9/24 >/dev/null
	t addr add c0 2001:db8::1/64
	t addr add c0 192.0.2.1/24
	t route add c0 "2001:db8:2::/48"
	t route add c0 "198.51.100.0/24 via 203.0.113.254"
	t route add c0 "2001:db8:1::/48"
	t add b0 --mode tap --addr 2001:db8:9::9/64 --addr 2001:db8:9::3/64 >/dev/null
	run --separate-stderr t save
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$F"
	# Sorted: IPv4 before IPv6, each by address.
	grep -q -- '--addr 192.0.2.1/24 --addr 203.0.113.9/24 --addr 2001:db8::1/64 --addr 2001:db8::2/64 ' "$F"
	grep -q -- '--route "198.51.100.0/24 via 203.0.113.254" --route "2001:db8:1::/48" --route "2001:db8:2::/48"$' "$F"
	grep -q -- '--addr 2001:db8:9::3/64 --addr 2001:db8:9::9/64$' "$F"
	t del --all
	[ -z "$(tun_devices)" ]
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(addr_json c0 | jq '[.[0].addr_info[] | select(.scope == "global")] | length')" -eq 4 ]
	run --separate-stderr t save
	[ "$status" -eq 0 ]
	cmp <(printf '%s\n' "$output") "$F"
}

@test "apply says that a present device the file does not name is kept, in text and JSON" {
	t add keep0 >/dev/null
	t add in0 >/dev/null
	echo "add in0 --user root" >"$F"
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ]
	[ "$output" = "! keep0 not in $F: kept (--prune deletes it)" ]
	run --separate-stderr t apply - <"$F"
	[ "$output" = "! keep0 not in standard input: kept (--prune deletes it)" ]
	run --separate-stderr t -j apply --dry-run "$F"
	[ "$status" -eq 0 ]
	jq -e '.changed == false and (.changes | length == 1) and .changes[0].device == "keep0" and
		.changes[0].op == "note" and .changes[0].not_in_file == true' <<<"$output"
	link_json keep0 | jq -e '.[0].ifname == "keep0"'
	# With --prune it is deleted, and no note.
	run --separate-stderr t apply --prune "$F"
	[ "$output" = "- keep0 delete" ]
	run ip -n "$NS" link show keep0
	[ "$status" -ne 0 ]
}

@test "save NAME...: those devices; a missing one fails and prints nothing" {
	devices
	run --separate-stderr t save vm0 q0
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "add vm0 --mode tap --vnet-hdr --user nobody "* ]]
	[[ "${lines[1]}" == "add q0 --mode tun --multi-queue --any-user --mtu 1500 "*" --down" ]]
	run --separate-stderr t save vm0 nosuch0
	assert_error 1 "device nosuch0 does not exist"
	run --separate-stderr t save lo
	assert_error 1 "lo is not a TUN/TAP device"
	run --separate-stderr t -j save vpn0
	[ "$(jq -r '.[0]' <<<"$output")" = "$(t save vpn0)" ]
}

@test "apply twice: the second run prints nothing and -j says changed false" {
	devices
	t save >"$F"
	t del --all
	t apply "$F" >/dev/null
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr t -j apply "$F"
	[ "$status" -eq 0 ]
	jq -e '.changed == false and .changes == []' <<<"$output"
}

@test "apply converges each kind of difference in place, and says each in the plan" {
	devices
	t save >"$F"
	state >"$BATS_TEST_TMPDIR/want"
	# Every setting apply manages, changed behind its back.
	idx=$(link_json dev vpn0 | jq '.[0].ifindex')
	ip -n "$NS" link set vpn0 mtu 1300
	ip -n "$NS" link set q0 up
	ip -n "$NS" tuntap del mode tap name vm0 vnet_hdr
	ip -n "$NS" tuntap add mode tap name vm0 vnet_hdr user 0
	ip -n "$NS" link set vm0 address 02:00:5e:00:53:01 txqueuelen 10 up
	ip -n "$NS" addr add 203.0.113.1/24 dev vm0
	ip -n "$NS" -6 addr add 2001:db8:9::1/64 dev vm0
	ip -n "$NS" route add 2001:db8:1::/48 dev vm0 table 100
	ip -n "$NS" route add 203.0.113.128/25 dev vm0 table 300
	# Down, vpn0 loses its routes too.
	ip -n "$NS" link set vpn0 down
	ip -n "$NS" addr add 198.51.100.9/32 peer 198.51.100.10 dev vpn0
	ip -n "$NS" tuntap del mode tun name g0
	ip -n "$NS" tuntap add mode tun name g0 group 2
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	for want in '~ vpn0 mtu 1300 -> 1400' '~ vpn0 state down -> up' '~ q0 state up -> down' \
		'~ vm0 txqueuelen 10 -> 2000' '~ vm0 mac 02:00:5e:00:53:01 -> ' '- vpn0 addr 198.51.100.9/32 peer 198.51.100.10' \
		'+ vm0 addr 2001:db8::1/64' '- vm0 addr 2001:db8:9::1/64' '- vm0 route 203.0.113.128/25 table 300' '+ vpn0 route 198.51.100.0/24 via 192.0.2.2 metric 50' \
		'+ vm0 route 198.18.0.0/16 via 203.0.113.254 table 200' '~ g0 pi off -> on' '~ g0 group 2 -> 65534' '~ vm0 user 0 -> 65534'; do
		grep -qF -- "$want" <<<"$output" || { echo "missing: $want"; echo "$output"; false; }
	done
	state >"$BATS_TEST_TMPDIR/got"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# In place: the same device, not a new one.
	[ "$(link_json dev vpn0 | jq '.[0].ifindex')" -eq "$idx" ]
	run t apply "$F"
	[ -z "$output" ]
}

@test "apply: an owner set through an attach keeps the flags only sysfs shows (IFF_ONE_QUEUE, IFF_NAPI)" {
	ip -n "$NS" tuntap add mode tap name oq0 one_queue user 0
	in_ns python3 -c "$TUN_OPEN" nq0 0x1012 persist >/dev/null
	[ $(($(sysfs oq0 tun_flags) & 0x2000)) -ne 0 ]
	[ $(($(sysfs nq0 tun_flags) & 0x0010)) -ne 0 ]
	printf 'add oq0 --mode tap --user nobody\nadd nq0 --mode tap --user nobody\n' >"$F"
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	[ "$(sysfs oq0 owner)" = 65534 ]
	[ "$(sysfs nq0 owner)" = 65534 ]
	# TUNSETIFF sets the features it is given: these were passed back.
	[ $(($(sysfs oq0 tun_flags) & 0x2000)) -ne 0 ] || { echo "oq0 lost IFF_ONE_QUEUE: $(sysfs oq0 tun_flags)"; return 1; }
	[ $(($(sysfs nq0 tun_flags) & 0x0010)) -ne 0 ] || { echo "nq0 lost IFF_NAPI: $(sysfs nq0 tun_flags)"; return 1; }
}

@test "apply: a different mode or multi-queue is an error naming both, and --recreate re-creates it" {
	t add a0 --addr 192.0.2.1/24 >/dev/null
	echo 'add a0 --mode tap --addr 192.0.2.1/24' >"$F"
	state >"$BATS_TEST_TMPDIR/before"
	run --separate-stderr t apply "$F"
	assert_error 1 "$F:1: a0 is mode tun, the file says mode tap: apply --recreate"
	state >"$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run --separate-stderr t apply --recreate "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	grep -qx '~ a0 recreate (mode tun -> tap)' <<<"$output"
	[ "$(link_json dev a0 | jq -r '.[0].linkinfo.info_data.type')" = tap ]
	[ "$(addr_json dev a0 | jq -r '[.[0].addr_info[] | select(.family == "inet")][0].local')" = 192.0.2.1 ]
	[ "$(tun_devices)" = a0 ]
	echo 'add a0 --mode tap --multi-queue' >"$F"
	run --separate-stderr t apply "$F"
	assert_error 1 "a0 is multi-queue off, the file says multi-queue on"
	# Held: refused, naming the holder.
	hold_device a0 0x1002
	run --separate-stderr t apply --recreate "$F"
	assert_error 1 "a0 is in use by python3 (pid $HOLDER)"
}

@test "apply: an owner the file does not have cannot be cleared in place: an error, or --recreate" {
	t add o0 --user nobody >/dev/null
	echo 'add o0 --any-user' >"$F"
	run --separate-stderr t apply "$F"
	assert_error 1 "o0 has user 65534 and the kernel cannot clear it: apply --recreate"
	[ "$(sysfs o0 owner)" = 65534 ]
	run --separate-stderr t apply --recreate "$F"
	[ "$status" -eq 0 ]
	[ "$output" = "~ o0 recreate (user 65534 -> -)" ]
	[ "$(sysfs o0 owner)" = -1 ]
}

@test "apply: pi and vnet-hdr set by an attached program are left, as a note, and set back once it is gone" {
	t add vm0 --mode tap --vnet-hdr >/dev/null
	t save vm0 >"$F"
	# A program attaches without vnet_hdr (IFF_TAP|IFF_NO_PI), as some do.
	hold_device vm0 0x1002
	[ "$(( $(sysfs vm0 tun_flags) & 0x4000 ))" -eq 0 ]
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$output" = "! vm0 vnet-hdr off, the file says on: left as the attached python3 (pid $HOLDER) set it" ]
	run --separate-stderr t -j apply "$F"
	jq -e '.changed == false and .changes[0].op == "note"' <<<"$output"
	kill "$HOLDER"; wait "$HOLDER" 2>/dev/null || true; HOLDER=
	# The holder was a reader: its carrier made a link-local address.
	ip -n "$NS" addr flush dev vm0 scope link
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ]
	[ "$output" = "~ vm0 vnet-hdr off -> on" ]
	[ "$(( $(sysfs vm0 tun_flags) & 0x4000 ))" -ne 0 ]
	# The attach that set it back brought no carrier, so no link-local address.
	[ "$(addr_json dev vm0 | jq '[.[].addr_info[] | select(.scope == "link")] | length')" -eq 0 ]
}

@test "apply --prune deletes the TUN/TAP devices the file does not name, never lo or a veth" {
	devices
	ip -n "$NS" link add ve0 type veth peer name ve1
	t save vpn0 >"$F"
	run --separate-stderr t apply --prune --dry-run "$F"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sort)" = "$(printf '%s\n' '- g0 delete' '- q0 delete' '- vm0 delete')" ]
	[ "$(tun_devices | wc -l)" -eq 4 ]
	hold_device q0 0x1101
	run --separate-stderr t apply --prune "$F"
	assert_error 1 "q0 is in use by python3 (pid $HOLDER): --prune deletes it only with --force"
	[ "$(tun_devices | wc -l)" -eq 4 ]
	run --separate-stderr t apply --prune --force "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(tun_devices)" = vpn0 ]
	[ "$(link_json | jq -r '[.[].ifname] | sort | join(" ")')" = "lo ve0 ve1 vpn0" ]
}

@test "apply --dry-run prints the plan and changes nothing" {
	devices
	t save >"$F"
	echo 'add new0 --addr 198.51.100.1/24' >>"$F"
	sed -i 's/--mtu 1400/--mtu 1280/' "$F"
	state >"$BATS_TEST_TMPDIR/before"
	run --separate-stderr t apply --dry-run "$F"
	[ "$status" -eq 0 ]
	[ "$output" = "~ vpn0 mtu 1400 -> 1280
+ new0 create
+ new0 addr 198.51.100.1/24" ]
	state >"$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run --separate-stderr t -j apply --dry-run "$F"
	jq -e '.changed and (.changes | length == 3) and .changes[0] == {"device": "vpn0", "op": "set",
		"setting": "mtu", "from": "1400", "to": "1280"} and .changes[2].addr == "198.51.100.1/24"' <<<"$output"
}

@test "apply: a step that fails in the middle puts back everything, newest first" {
	devices
	t save >"$F"
	state >"$BATS_TEST_TMPDIR/before"
	# An MTU change, an address, a new device, then a gateway nothing reaches.
	sed -e 's/--mtu 1400/--mtu 1280/' -e 's|^add q0 .*|& --addr 198.51.100.7/24|' "$F" >"$F.bad"
	echo 'add new0 --addr 203.0.113.9/24 --route "198.18.0.0/24 via 192.0.2.200"' >>"$F.bad"
	run --separate-stderr t apply "$F.bad"
	assert_error 1 "$F.bad:5: new0: route 198.18.0.0/24 via 192.0.2.200"
	state >"$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# An MTU the kernel refuses, after other changes in the same exchange.
	sed -e 's/--mtu 1400/--mtu 70000/' -e 's|^add q0 .*|& --addr 198.51.100.7/24|' "$F" >"$F.bad"
	run --separate-stderr t apply "$F.bad"
	assert_error 1 "vpn0: mtu 70000"
	state >"$BATS_TEST_TMPDIR/after"
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "two applies of the same file at once both exit 0 and leave the file's state" {
	for i in $(seq 0 19); do echo "add c$i --addr 198.18.1.$i/32 --route 198.18.100.$i/32"; done >"$F"
	for round in 1 2 3; do
		t del --all 2>/dev/null || true
		t apply "$F" >"$BATS_TEST_TMPDIR/o1" 2>&1 & p1=$!
		t apply "$F" >"$BATS_TEST_TMPDIR/o2" 2>&1 & p2=$!
		wait "$p1" || { cat "$BATS_TEST_TMPDIR/o1"; false; }
		wait "$p2" || { cat "$BATS_TEST_TMPDIR/o2"; false; }
		[ "$(tun_devices | wc -l)" -eq 20 ]
		[ "$(addr_json | jq '[.[].addr_info[] | select(.local | startswith("198.18.1."))] | length')" -eq 20 ]
		run t apply "$F"
		[ -z "$output" ]
	done
}

@test "apply: bad files are FILE:LINE errors, exit 2, and change nothing" {
	devices
	state >"$BATS_TEST_TMPDIR/before"
	check() {
		printf '%b' "$1" >"$F"
		run --separate-stderr t apply "$F"
		assert_error 2 "$F:$2: $3"
		state >"$BATS_TEST_TMPDIR/after"
		diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	}
	check 'add new0\nadd new1 --bogus\n' 2 'unknown option "--bogus"'
	check 'add new0\nadd tap%d\n' 2 '"tap%d" is a name template'
	check 'add new0\n# a comment\nadd new0 --mtu 1400\n' 3 'device new0 is named twice (first at '
	check 'add new0 --route "198.51.100.0/24\n' 1 'unterminated double quote'
	check 'add new0\ndel vpn0\n' 2 'only add lines can stand in a file for apply, not "del"'
	check 'add new0 --user no-such-user-here\n' 1 'unknown user "no-such-user-here"'
	run --separate-stderr t apply "$BATS_TEST_TMPDIR/none"
	assert_error 1 "cannot open $BATS_TEST_TMPDIR/none"
	run --separate-stderr t apply
	assert_error 2 '"apply" needs a file'
	run --separate-stderr t apply "$F" --force
	assert_error 2 '--force goes with --prune'
}

@test "apply - reads standard input; apply in a batch file is refused" {
	echo 'add s0 --addr 192.0.2.5/24' | t apply - >/dev/null
	[ "$(tun_devices)" = s0 ]
	run --separate-stderr t -b - <<<"apply /dev/null"
	assert_error 2 '"apply" cannot stand in a batch file'
}

@test "an apply racing add --exist-ok of the same line: both exit 0, the file's state" {
	echo 'add r0 --addr 198.18.2.1/32 --route 198.18.200.0/24' >"$F"
	for round in 1 2 3 4 5; do
		t del --all 2>/dev/null || true
		t apply "$F" >"$BATS_TEST_TMPDIR/o1" 2>&1 & p1=$!
		t add r0 --addr 198.18.2.1/32 --route 198.18.200.0/24 --exist-ok >"$BATS_TEST_TMPDIR/o2" 2>&1 & p2=$!
		wait "$p1" || { echo "apply, round $round:"; cat "$BATS_TEST_TMPDIR/o1"; false; }
		wait "$p2" || { echo "add, round $round:"; cat "$BATS_TEST_TMPDIR/o2"; false; }
		[ "$(tun_devices)" = r0 ]
		run t apply "$F"
		[ -z "$output" ] || { echo "round $round: $output"; false; }
	done
}

@test "apply: more new devices than descriptors it may hold is refused before anything is made" {
	printf 'add f%d\n' $(seq 0 39) >"$F"
	run --separate-stderr in_ns bash -c 'ulimit -n 50 && ulimit -Hn 50 && exec "$@"' - "$TUNCTL" apply "$F"
	assert_error 1 "apply would hold 40 new devices open at once, and the limit of descriptors is 50 (ulimit -n)"
	[ -z "$(tun_devices)" ]
}

@test "save quotes a name batch syntax would misread, and apply reads it back" {
	for n in '#q' "a'b" 'x"y$z'; do ip -n "$NS" tuntap add name "$n" mode tun; done
	t save >"$F"
	grep -qx 'add "#q" --mode tun --any-user .*' "$F"
	t del --all
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(tun_devices | sort | paste -sd ' ')" = "#q a'b x\"y\$z" ]
	diff <(t save) "$F"
}


@test "apply --prune and --recreate: a device held by a process /proc does not show is held, per the kernel" {
	command -v setpriv >/dev/null || skip "no setpriv"
	t add keep0 --any-user >/dev/null
	t add q0 --multi-queue --any-user >/dev/null
	t add s0 --any-user >/dev/null
	# Multi-queue: the kernel counts the queues attached.
	hold_device q0 0x1101       # IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE
	local first=$HOLDER
	run --separate-stderr t_unseen apply --prune - <<<'add keep0 --any-user
add s0 --any-user'
	assert_error 1 "q0 is in use by a process that tunctl cannot see in /proc: --prune deletes it only with --force"
	run --separate-stderr t_unseen apply --recreate - <<<'add q0 --mode tap --multi-queue --any-user'
	assert_error 1 "q0 is in use by a process that tunctl cannot see in /proc: it cannot be re-created (mode tun -> tap) while held"
	[ "$(link_json q0 | jq -r '.[0].linkinfo.info_data.type')" = tun ]
	# Single-queue: a second reader is refused (EBUSY).
	hold_device s0
	run --separate-stderr t_unseen apply --prune - <<<'add keep0 --any-user
add q0 --multi-queue --any-user'
	assert_error 1 "s0 is in use by a process that tunctl cannot see in /proc: --prune deletes it only with --force"
	run --separate-stderr t_unseen apply --recreate - <<<'add s0 --mode tap --any-user'
	assert_error 1 "s0 is in use by a process that tunctl cannot see in /proc: it cannot be re-created (mode tun -> tap) while held"
	[ "$(tun_devices | sort | tr '\n' ' ')" = "keep0 q0 s0 " ]
	[ "$(link_json s0 | jq -r '.[0].linkinfo.info_data.type')" = tun ]
	# pi set by its holder: left, with a note, not a failed attach.
	run --separate-stderr t_unseen apply - <<<'add s0 --pi --any-user'
	[ "$status" -eq 0 ] || { echo "status $status: $stderr"; return 1; }
	grep -qxF "! s0 pi off, the file says on: left as the attached process (one tunctl cannot see in /proc) set it" <<<"$output"
	[ "$(link_json s0 | jq -r '.[0].linkinfo.info_data.pi')" = false ]
	# --force prunes them all the same.
	run --separate-stderr t_unseen apply --prune --force - <<<'add keep0 --any-user'
	[ "$status" -eq 0 ] || { echo "status $status: $stderr"; return 1; }
	[ "$(tun_devices)" = keep0 ]
	kill "$first" 2>/dev/null || true
	wait "$first" 2>/dev/null || true
}


@test "apply: an exchange whose answers are lost (recvmsg fails) leaves the namespace as before or as the file says" {
	command -v strace >/dev/null || skip "strace is not installed"
	printf 'add a0 --mtu 1400 --addr 192.0.2.5/24 --route 198.51.100.0/24\nadd n0 --mode tap\n' >"$F"
	for w in $(seq 1 20); do
		in_ns sh -c 'ip tuntap add a0 mode tun user 0 && ip link set a0 up && ip addr add 192.0.2.1/24 dev a0 && ip tuntap add p0 mode tun'
		env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" ip netns exec "$NS" \
			strace -f -qq -o /dev/null -e inject=recvmsg:error=ENOMEM:when="$w" "$TUNCTL" apply --prune "$F" \
			>/dev/null 2>&1 || true
		local st
		st="$(addr_json dev a0 | jq -r '[.[0].addr_info[] | select(.family == "inet") | .local] | join(",")') $(link_json a0 | jq .[0].mtu) $(route_json 198.51.100.0/24 | jq length) $(tun_devices | sort | tr '\n' ,)"
		case "$st" in
		"192.0.2.1 1500 0 a0,p0," | "192.0.2.5 1400 1 a0,n0,") ;;
		*) echo "recvmsg failing at call $w left: $st"; return 1 ;;
		esac
		in_ns sh -c 'for d in a0 n0 p0; do ip link del "$d" 2>/dev/null; done; true'
	done
}

# 127 devices to prune, a0 (with an address, up) and b0 to re-create: 129
# deletions, in two windows of requests (128 each).
many_to_delete() {
	# Those of the last round, gone in one unregistration (one each is slow).
	in_ns sh -c 'for d in /sys/class/net/*; do [ -e "$d/tun_flags" ] && echo "link set ${d##*/} group 77"; done; true' \
		>"$BATS_TEST_TMPDIR/ip.batch"
	[ -s "$BATS_TEST_TMPDIR/ip.batch" ] && echo "link del group 77" >>"$BATS_TEST_TMPDIR/ip.batch"
	for i in $(seq 1 127); do echo "tuntap add p$i mode tun"; done >>"$BATS_TEST_TMPDIR/ip.batch"
	ip -n "$NS" -b "$BATS_TEST_TMPDIR/ip.batch"
	in_ns sh -c 'ip tuntap add a0 mode tun && ip link set a0 up && ip addr add 192.0.2.1/24 dev a0 &&
		ip tuntap add b0 mode tun'
	printf 'add a0 --mode tap --addr 192.0.2.1/24\nadd b0 --mode tap\n' >"$F"
}

# tunctl apply --prune --recreate "$F" with one system call failed ($1:
# strace's inject=...), under strace.
apply_faulted() {
	env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" ip netns exec "$NS" \
		strace -f -qq -o /dev/null -e trace="${1%%:*}" -e inject="$1" "$TUNCTL" apply --prune --recreate "$F"
}

@test "apply --prune --recreate: deletions that fail after some went through lose no device" {
	command -v strace >/dev/null || skip "strace is not installed"
	many_to_delete
	a0=$(link_json dev a0 | jq '.[0].ifindex')
	b0=$(link_json dev b0 | jq '.[0].ifindex')
	# The second window's sendto (the 9th) fails: the first window, the
	# pruned and a0's old copy, went through.
	run --separate-stderr apply_faulted sendto:error=ENOBUFS:when=9
	assert_error 1 "deleting devices: No buffer space available; by then a0 was re-created and p1, p10, p100 and 124 more were pruned, as the file says; the rest is undone"
	# a0, its old copy gone: the new one kept, as the file says; b0 as
	# before (undone); no old copy left aside.
	[ "$(link_json | jq -r '[.[].ifname] | sort | join(" ")')" = "a0 b0 lo" ]
	[ "$(link_json dev a0 | jq -r '.[0].linkinfo.info_data.type')" = tap ]
	[ "$(link_json dev a0 | jq '.[0].ifindex')" -ne "$a0" ]
	[ "$(addr_json dev a0 | jq -r '[.[0].addr_info[] | select(.family == "inet")][0].local')" = 192.0.2.1 ]
	[ "$(link_json dev a0 | jq -r '.[0].flags | index("UP") != null')" = true ]
	[ "$(( $(sysfs a0 tun_flags) & 0x800 ))" -ne 0 ]       # IFF_PERSIST
	[ "$(link_json dev b0 | jq -r '.[0].linkinfo.info_data.type')" = tun ]
	[ "$(link_json dev b0 | jq '.[0].ifindex')" -eq "$b0" ]
	# A run without the fault does the rest.
	run --separate-stderr t apply --prune --recreate "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$output" = "~ b0 recreate (mode tun -> tap)" ]

	# Each of the last sends and receives failing: every device as before
	# or as the file says, and an exit 0 only with all of it done.
	many_to_delete
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" in_ns \
		strace -f -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=sendto,recvmsg "$TUNCTL" apply --prune --recreate "$F" >/dev/null
	local ns nr
	ns=$(grep -c ' sendto(' "$BATS_TEST_TMPDIR/trace")
	nr=$(grep -c ' recvmsg(' "$BATS_TEST_TMPDIR/trace")
	for f in $(seq $((ns - 1)) "$ns" | sed 's/^/sendto:error=ENOBUFS:when=/') \
		$(seq $((nr - 2)) "$nr" | sed 's/^/recvmsg:error=ENOBUFS:when=/'); do
		many_to_delete
		a0=$(link_json dev a0 | jq '.[0].ifindex')
		b0=$(link_json dev b0 | jq '.[0].ifindex')
		run --separate-stderr apply_faulted "$f"
		local got
		got="$(link_json | jq -r --argjson a0 "$a0" --argjson b0 "$b0" '[.[] | select(.ifname != "lo") |
			if .ifname == "a0" then (if .ifindex == $a0 and .linkinfo.info_data.type == "tun" then "a0:before"
				elif .linkinfo.info_data.type == "tap" then "a0:file" else "a0:?" end)
			elif .ifname == "b0" then (if .ifindex == $b0 and .linkinfo.info_data.type == "tun" then "b0:before"
				elif .linkinfo.info_data.type == "tap" then "b0:file" else "b0:?" end)
			elif (.ifname | test("^p[0-9]+$")) then "p" else .ifname end] | unique | join(" ")')"
		got="$got $(addr_json dev a0 | jq -r '[.[0].addr_info[] | select(.family == "inet")][0].local')"
		[[ "$status $got" =~ ^(0\ a0:file\ b0:file|1\ a0:(before|file)\ b0:(before|file)(\ p)?)\ 192\.0\.2\.1$ ]] ||
			{ echo "$f: status $status, left: $got; $stderr"; return 1; }
		[ "$status" -eq 0 ] || assert_error 1 ""
	done
}

@test "apply --prune: whether a multi-queue device is held, per the kernel, comes from the one link dump" {
	command -v setpriv >/dev/null || skip "no setpriv"
	command -v strace >/dev/null || skip "strace is not installed"
	t add keep0 --any-user >/dev/null
	for q in q0 q1 q2; do t add "$q" --multi-queue --any-user >/dev/null; done
	# t_unseen under strace: /proc hides root's processes, so each device to
	# prune is asked of the kernel; for a multi-queue one its queues, which
	# the dump of the device set already has.
	strace() {
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			command strace -f -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=sendto "$@"
	}
	unshare() { strace unshare "$@"; }
	run --separate-stderr t_unseen apply --prune - <<<'add keep0 --any-user'
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(tun_devices)" = keep0 ]
	# RTM_GETLINK (18), as strace names it or not.
	[ "$(grep -cE 'nlmsg_type=(RTM_GETLINK|0x12 )' "$BATS_TEST_TMPDIR/trace")" -eq 1 ]
}

@test "apply: a new device's creation failing says so as add does, with FILE:LINE, and leaves nothing" {
	command -v strace >/dev/null || skip "strace is not installed"
	echo 'add n0 --user nobody --addr 192.0.2.3/24' >"$F"
	# Its ioctls: TUNSETIFF, TUNSETOWNER, TUNSETPERSIST.
	for w in 1 2 3; do
		run --separate-stderr env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" ip netns exec "$NS" \
			strace -f -qq -o /dev/null -e trace=ioctl -e inject=ioctl:error=EPERM:when=$w "$TUNCTL" apply "$F"
		case $w in
		1) assert_error 1 "$F:1: creating n0: Operation not permitted" ;;
		2) assert_error 1 "$F:1: n0: setting owner 65534: Operation not permitted" ;;
		3) assert_error 1 "$F:1: n0: making it persistent: Operation not permitted" ;;
		esac
		[ -z "$(tun_devices)" ]
	done
}
