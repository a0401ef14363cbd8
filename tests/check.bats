#!/usr/bin/env bats
# tunctl check: each problem made real in a namespace of the test's own,
# asked as the consumer itself (an ordinary user without any capability),
# and as root for another user (--user). The state each problem rests on is
# read back with ip first; check itself must change nothing.
bats_require_minimum_version 1.5.0
load helpers

# Users and a group of this file's own (prefix tck-), removed at the end:
# IN is in group GRP, OUT in neither GRP nor any device's owner.
setup_file() {
	need_root
	command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
	export IN=tck-in-$$ OUT=tck-out-$$ GRP=tck-g-$$
	groupadd "$GRP"
	useradd -M -N -g users -G "$GRP" -s /usr/sbin/nologin "$IN"
	useradd -M -N -g users -s /usr/sbin/nologin "$OUT"
}

teardown_file() {
	[ -n "${IN:-}" ] || return 0
	for u in "$IN" "$OUT"; do userdel "$u" 2>/dev/null || true; done
	groupdel "$GRP" 2>/dev/null || true
}

setup() {
	ns_setup
	HOLDERS=()
}

teardown() {
	for p in "${HOLDERS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	ns_teardown
}

# Runs a command in a private mount namespace whose /dev is a tmpfs holding
# only null, net/tun (mode $TUN_MODE, default 0666; with $TUN_ACL, a POSIX
# ACL granting group $TUN_ACL read and write) and vhost-net (mode
# $VHOST_MODE; unset: none): the host's /dev is never touched, and the
# nodes' modes are the test's, whatever the machine's are.
# Each step execs the next, so that a process started so in the background
# is, in the end, the command itself.
WITH_DEV='
	mount -t tmpfs -o mode=755 tck-dev /dev && mkdir /dev/net &&
	mknod -m 666 /dev/null c 1 3 && mknod -m "$1" /dev/net/tun c 10 200 &&
	{ [ -z "$2" ] || mknod -m "$2" /dev/vhost-net c 10 238; } &&
	{ [ -z "$3" ] || /usr/bin/python3 -c "$ACL_SET" /dev/net/tun "$3"; } && shift 3 && exec "$@"'
# u::rw- g::--- g:GID:rw- m::rw- o::--- on a file, as setfacl would write it.
ACL_SET='
import os, struct, sys
none = 0xffffffff
e = [(0x01, 6, none), (0x04, 0, none), (0x08, 6, int(sys.argv[2])), (0x10, 6, none), (0x20, 0, none)]
os.setxattr(sys.argv[1], "system.posix_acl_access", struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *x) for x in e))
'
with_dev() {
	ACL_SET=$ACL_SET unshare -m sh -c "$WITH_DEV" _ "${TUN_MODE:-666}" "${VHOST_MODE:-}" \
		"${TUN_ACL:+$(getent group "$TUN_ACL" | cut -d: -f3)}" "$@"
}
# tunctl as root in the test's namespace, in with_dev's /dev.
t_dev() { with_dev ip netns exec "$NS" "$TUNCTL" "$@"; }

# A command as user $1 in the test's namespace, with no capability at all
# (setpriv drops every one, bounding set included), in with_dev's /dev.
# The words after as_user_cmd's, for an exec of their own.
user_words() {
	WORDS=(ip netns exec "$NS" setpriv --reuid "$1" --regid users --init-groups
	       --inh-caps=-all --bounding-set=-all)
}
as_user_cmd() {
	local WORDS
	user_words "$1"
	shift
	with_dev "${WORDS[@]}" "$@"
}
as_user() { local u=$1; shift; as_user_cmd "$u" "$TUNCTL" "$@"; }

# check's answer "ready": exit 0, nothing on stdout or stderr. (Not "[ ] &&
# [ ]": bats's set -e ignores a failure on the left of an &&.)
assert_ready() {
	[ "$status" -eq 0 ] || { echo "status $status, want 0: $output $stderr"; return 1; }
	[ -z "$output" ] || { echo "stdout not empty: $output"; return 1; }
	[ -z "${stderr:-}" ] || { echo "stderr not empty: $stderr"; return 1; }
}

# The problem codes of a check -j answer in $output, space-separated.
codes() { jq -r '[.problems[].code] | join(" ")' <<<"$output"; }

# ip's view of tap0 (or $1), for the state a problem rests on.
info() { link_json "${2:-tap0}" | jq -r ".[0].$1"; }

@test "the consumer's user runs without any capability" {
	run as_user_cmd "$IN" grep -E '^Cap(Eff|Prm|Bnd):' /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(grep -c ':[[:space:]]*0000000000000000$' <<<"$output")" -eq 3 ] || { echo "$output"; false; }
	run as_user_cmd "$IN" id -nG
	[[ " $output " == *" $GRP "* ]]
}

@test "a device ready for its consumer: exit 0, nothing printed; -j ready with no problems" {
	t add tap0 --mode tap --user "$IN" --group "$GRP" --multi-queue --vnet-hdr
	[ "$(info flags | jq -r 'index("UP") != null')" = true ]
	before=$(link_json)
	run --separate-stderr as_user "$IN" check tap0 --mode tap --queues 4 --vnet-hdr --no-pi
	[ "$status" -eq 0 ] || { echo "$output $stderr"; false; }
	[ -z "$output" ]
	[ -z "$stderr" ]
	run --separate-stderr as_user "$IN" -j check tap0 --queues 4
	[ "$status" -eq 0 ]
	jq -e '. == {"device":"tap0","ready":true,"problems":[]}' <<<"$output"
	# Read as root for the user: the same answer.
	run --separate-stderr t_dev check tap0 --user "$IN" --queues 4 --vnet-hdr
	assert_ready
	# Nothing changed.
	[ "$(link_json)" = "$before" ]
}

@test "a device that does not exist, and a link that is not TUN/TAP" {
	run --separate-stderr as_user "$IN" check tap0 --mode tap
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	[ "$output" = "tap0 does not exist; fix: create it: tunctl add tap0 --mode tap" ]
	run --separate-stderr as_user "$IN" -j check lo
	[ "$status" -eq 1 ]
	jq -e '.device == "lo" and .ready == false and [.problems[].code] == ["not-tun"]' <<<"$output"
}

@test "wrong mode: --mode tap on a tun device" {
	t add tun0 --user "$IN" --vnet-hdr
	[ "$(link_json tun0 | jq -r '.[0].linkinfo.info_data.type')" = tun ]
	# The virtio-net header implies no mode: the kernel has it on tun too.
	run --separate-stderr as_user "$IN" check tun0 --vnet-hdr
	assert_ready
	run --separate-stderr as_user "$IN" check tun0 --mode tap
	[ "$status" -eq 1 ]
	[ "$output" = "tun0 is a tun device, not tap; fix: make it again: tunctl del tun0, then tunctl add tun0 --mode tap" ]
	run --separate-stderr as_user "$IN" check tun0 --mode tun
	assert_ready
}

@test "a device that is down, then up" {
	t add tap0 --mode tap --user "$IN" --down
	[ "$(info flags | jq -r 'index("UP") == null')" = true ]
	run --separate-stderr as_user "$IN" check tap0
	[ "$status" -eq 1 ]
	[ "$output" = "tap0 is down; fix: bring it up: tunctl set tap0 --up" ]
	ip -n "$NS" link set tap0 up
	run --separate-stderr as_user "$IN" check tap0
	assert_ready
}

# Starts "tunctl run tap0 -- sleep" as $1 (root: in the namespace only),
# holding tap0's one queue; HOLDER is sleep's pid once it has attached.
hold() {
	if [ "$1" = root ]; then
		(exec ip netns exec "$NS" "$TUNCTL" run tap0 -- sleep 300) &
	else
		local WORDS
		user_words "$1"
		(exec unshare -m sh -c "$WITH_DEV" _ 666 "" "" "${WORDS[@]}" "$TUNCTL" run tap0 -- sleep 300) &
	fi
	HOLDER=$!
	HOLDERS+=("$HOLDER")
	wait_until "[ \"\$(cat /proc/$HOLDER/comm 2>/dev/null)\" = sleep ]"
	wait_until "link_json tap0 | jq -e '.[0].flags | index(\"LOWER_UP\")' >/dev/null"
}

@test "held by a process of the consumer's user: its pid and name" {
	t add tap0 --mode tap --user "$IN"
	hold "$IN"
	run --separate-stderr as_user "$IN" check tap0
	[ "$status" -eq 1 ]
	[ "$output" = "tap0 is held by sleep (pid $HOLDER): a device of one queue takes one reader; fix: stop it (kill $HOLDER), or make the device with --multi-queue to share it" ]
	run --separate-stderr as_user "$IN" -j check tap0
	[ "$(codes)" = held ]
	kill "$HOLDER"
	wait "$HOLDER" || true
	wait_until "link_json tap0 | jq -e '.[0].flags | index(\"LOWER_UP\") == null' >/dev/null"
	run --separate-stderr as_user "$IN" check tap0
	assert_ready
}

@test "held by root's process: root names it, the user sees it held all the same" {
	t add tap0 --mode tap --user "$IN"
	hold root
	run --separate-stderr t_dev check tap0 --user "$IN"
	[ "$status" -eq 1 ]
	[[ "$output" == "tap0 is held by sleep (pid $HOLDER):"* ]]
	# The user cannot look into root's process: the kernel's carrier says it.
	run --separate-stderr as_user "$IN" -j check tap0
	[ "$status" -eq 1 ]
	jq -e '[.problems[].code] == ["held"] and (.problems[0].message | contains("cannot see"))' <<<"$output"
	# Held while down too (carrier is the attachment, not the link state).
	ip -n "$NS" link set tap0 down
	run --separate-stderr as_user "$IN" -j check tap0
	[ "$(codes)" = "down held" ]
}

@test "a multi-queue device held by others is not a problem" {
	t add tap0 --mode tap --user "$IN" --multi-queue
	(exec ip netns exec "$NS" "$TUNCTL" run tap0 --queues 2 -- sleep 300) &
	HOLDERS+=("$!")
	wait_until "link_json tap0 | jq -e '.[0].linkinfo.info_data.numqueues == 2' >/dev/null"
	run --separate-stderr as_user "$IN" check tap0 --queues 4
	assert_ready
}

@test "a user outside the owner: may not attach" {
	t add tap0 --mode tap --user "$IN"
	[ "$(info linkinfo.info_data.user)" = "$IN" ]
	run --separate-stderr as_user "$OUT" check tap0
	[ "$status" -eq 1 ]
	[ "$output" = "user $OUT (uid $(id -u "$OUT")) may not attach to tap0: its owner is user $IN; fix: make the consumer's user its owner: tunctl set tap0 --user $OUT" ]
	# Root, asking for that user, computes the same.
	run --separate-stderr t_dev -j check tap0 --user "$OUT"
	[ "$(codes)" = owner ]
	# Root itself has CAP_NET_ADMIN: it may.
	run --separate-stderr t_dev check tap0
	assert_ready
}

@test "root without CAP_NET_ADMIN is held to the owner rule as anyone" {
	t add tap0 --mode tap --user "$IN"
	run --separate-stderr in_ns setpriv --inh-caps=-net_admin --bounding-set=-net_admin \
		grep -E '^CapEff:' /proc/self/status
	[ "$(( 0x${output##*[[:space:]]} >> 12 & 1 ))" -eq 0 ]
	run --separate-stderr in_ns setpriv --inh-caps=-net_admin --bounding-set=-net_admin "$TUNCTL" -j check tap0
	[ "$status" -eq 1 ]
	[ "$(codes)" = owner ]
	jq -e '.problems[0].message | startswith("user root (uid 0) may not attach to tap0")' <<<"$output"
}

@test "a user outside the group: may not attach; a member may" {
	t add tap0 --mode tap --group "$GRP"
	[ "$(info linkinfo.info_data.group)" = "$GRP" ]
	[ "$(info linkinfo.info_data.user)" = null ]
	run --separate-stderr as_user "$OUT" -j check tap0
	[ "$status" -eq 1 ]
	[ "$(codes)" = group ]
	run --separate-stderr as_user "$OUT" check tap0
	[[ "$output" == "user $OUT (uid "*") may not attach to tap0: it is not in its group $GRP; fix: add the user to group $GRP"* ]]
	run --separate-stderr t_dev -j check tap0 --user "$OUT"
	[ "$(codes)" = group ]
	run --separate-stderr as_user "$IN" check tap0
	assert_ready
	run --separate-stderr t_dev check tap0 --user "$IN"
	assert_ready
}

@test "both an owner and a group: the kernel wants both" {
	t add tap0 --mode tap --user "$OUT" --group "$GRP"
	# IN is in the group but not the owner; OUT the owner but not in the group.
	run --separate-stderr as_user "$IN" -j check tap0
	[ "$(codes)" = owner ]
	run --separate-stderr as_user "$OUT" -j check tap0
	[ "$(codes)" = group ]
	# What the kernel answers them, for the record: both refused.
	run as_user_cmd "$IN" /usr/bin/python3 -c "$TUN_OPEN" tap0 0x1002 try
	[ "$output" = "Operation not permitted" ]
	run as_user_cmd "$OUT" /usr/bin/python3 -c "$TUN_OPEN" tap0 0x1002 try
	[ "$output" = "Operation not permitted" ]
}

@test "--queues 4 needs multi_queue; more than the kernel's 256 never fit" {
	t add tap0 --mode tap --user "$IN"
	[ "$(info linkinfo.info_data.multi_queue)" = false ]
	run --separate-stderr as_user "$IN" check tap0 --queues 4
	[ "$status" -eq 1 ]
	[ "$output" = "4 queues need a multi-queue device; tap0 has one queue; fix: make it again: tunctl del tap0, then tunctl add tap0 --multi-queue" ]
	run --separate-stderr as_user "$IN" check tap0 --queues 1
	[ "$status" -eq 0 ]
	t del tap0
	t add tap0 --mode tap --user "$IN" --multi-queue
	[ "$(info linkinfo.info_data.multi_queue)" = true ]
	run --separate-stderr as_user "$IN" check tap0 --queues 4
	assert_ready
	run --separate-stderr as_user "$IN" -j check tap0 --queues 300
	[ "$status" -eq 1 ]
	[ "$(codes)" = queues ]
	jq -e '.problems[0].message | contains("at most 256")' <<<"$output"
}

@test "attach flags that differ, and the run option that fixes each" {
	t add tap0 --mode tap --user "$IN" --vnet-hdr
	[ "$(info linkinfo.info_data.pi)" = false ]
	[ "$(info linkinfo.info_data.vnet_hdr)" = true ]
	run --separate-stderr as_user "$IN" check tap0 --pi --no-vnet-hdr
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "tap0 lacks the packet information header; fix: attach with tunctl run tap0 --pi -- COMMAND (the device keeps it), or have the consumer ask for it" ]
	[ "${lines[1]}" = "tap0 has the virtio-net header; fix: attach with tunctl run tap0 --no-vnet-hdr -- COMMAND (the device keeps it), or have the consumer ask without it" ]
	[ "${#lines[@]}" -eq 2 ]
	run --separate-stderr as_user "$IN" -j check tap0 --no-pi --vnet-hdr
	[ "$status" -eq 0 ]
	# The fix works: run --pi --no-vnet-hdr leaves the device so.
	t run tap0 --pi --no-vnet-hdr -- true
	[ "$(info linkinfo.info_data.pi)" = true ]
	run --separate-stderr as_user "$IN" check tap0 --pi --no-vnet-hdr
	assert_ready
}

@test "/dev/net/tun the user cannot open (0600 in a private mount namespace)" {
	t add tap0 --mode tap --user "$IN"
	TUN_MODE=600 run --separate-stderr as_user "$IN" check tap0
	[ "$status" -eq 1 ]
	[[ "$output" == "user $IN (uid "*") cannot open /dev/net/tun (mode 0600, owner root, group root); fix: "* ]]
	# Root asking for the user: from the node's mode and owner.
	TUN_MODE=600 run --separate-stderr t_dev -j check tap0 --user "$IN"
	[ "$(codes)" = tun-open ]
	TUN_MODE=660 run --separate-stderr t_dev -j check tap0 --user "$IN"
	[ "$(codes)" = tun-open ]
	TUN_MODE=606 run --separate-stderr t_dev -j check tap0 --user "$IN"
	[ "$status" -eq 0 ]
	# Root itself opens it whatever the mode.
	TUN_MODE=600 run --separate-stderr t_dev check tap0
	assert_ready
}

@test "/dev/net/tun with an ACL for a group: the computed answer is the kernel's" {
	t add tap0 --mode tap --any-user
	# The kernel's answer: each user opens it.
	TUN_MODE=660 TUN_ACL=$GRP run --separate-stderr as_user "$IN" check tap0
	assert_ready
	TUN_MODE=660 TUN_ACL=$GRP run --separate-stderr as_user "$OUT" -j check tap0
	[ "$(codes)" = tun-open ] || { echo "$output $stderr"; false; }
	jq -e '.problems[0].message | contains("an ACL")' <<<"$output"
	# Computed by root from the mode and the ACL: the same.
	TUN_MODE=660 TUN_ACL=$GRP run --separate-stderr t_dev check tap0 --user "$IN"
	assert_ready
	TUN_MODE=660 TUN_ACL=$GRP run --separate-stderr t_dev -j check tap0 --user "$OUT"
	[ "$(codes)" = tun-open ]
}

# This kernel may have no vhost_net: a node that is there then opens as
# ENODEV, which check says too.
vhost_driver() { [ -e /sys/dev/char/10:238 ]; }

@test "--vhost: a 0600 /dev/vhost-net in a private mount namespace, and none at all" {
	t add tap0 --mode tap --user "$IN"
	run --separate-stderr as_user "$IN" check tap0
	[ "$status" -eq 0 ]
	VHOST_MODE=600 run --separate-stderr as_user "$IN" check tap0 --vhost
	[ "$status" -eq 1 ]
	[[ "$output" == "user $IN (uid "*") cannot open /dev/vhost-net (mode 0600, owner root, group root); fix: "* ]]
	VHOST_MODE=600 run --separate-stderr t_dev -j check tap0 --vhost --user "$IN"
	[ "$(codes)" = vhost-open ]
	jq -e '.problems[0].message | contains("mode 0600")' <<<"$output"
	# No node: modprobe is the fix.
	run --separate-stderr as_user "$IN" -j check tap0 --vhost
	[ "$(codes)" = vhost-open ]
	jq -e '.problems[0].message == "/dev/vhost-net does not exist"' <<<"$output"
	# A node the user may open: ready where the driver is, else no driver.
	VHOST_MODE=666 run --separate-stderr as_user "$IN" -j check tap0 --vhost
	if vhost_driver; then
		[ "$status" -eq 0 ]
	else
		[ "$(codes)" = vhost-open ]
		jq -e '.problems[0].message == "/dev/vhost-net has no driver in this kernel"' <<<"$output"
	fi
}

@test "master down, up, missing (deleted) and another than asked" {
	ip -n "$NS" link add br0 type bridge
	t add tap0 --mode tap --user "$IN" --master br0
	[ "$(info master)" = br0 ]
	[ "$(link_json br0 | jq -r '.[0].flags | index("UP") == null')" = true ]
	run --separate-stderr as_user "$IN" check tap0
	[ "$status" -eq 1 ]
	[ "$output" = "master br0 is down; fix: bring it up: ip link set br0 up" ]
	ip -n "$NS" link set br0 up
	run --separate-stderr as_user "$IN" check tap0 --master br0
	assert_ready
	ip -n "$NS" link add br1 type bridge
	run --separate-stderr as_user "$IN" -j check tap0 --master br1
	[ "$(codes)" = "master-differs master-down" ]
	ip -n "$NS" link del br0
	[ "$(info master)" = null ]
	run --separate-stderr as_user "$IN" -j check tap0 --master br0
	[ "$status" -eq 1 ]
	[ "$(codes)" = master-missing ]
	# Without --master, a device on no master asks for none.
	run --separate-stderr as_user "$IN" check tap0
	[ "$status" -eq 0 ]
}

@test "-j: every problem at once, in order, with the stable codes" {
	ip -n "$NS" link add br0 type bridge
	t add tap0 --mode tap --user "$OUT" --down --master br0
	VHOST_MODE=600 TUN_MODE=600 run --separate-stderr as_user "$IN" -j check tap0 --mode tun --queues 4 \
		--pi --vnet-hdr --vhost --master br0
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	[ "$(codes)" = "mode down owner multi-queue pi vnet-hdr master-down tun-open vhost-open" ]
	jq -e 'all(.problems[]; (.message | length > 0) and (.fix | length > 0))' <<<"$output"
	# Text: the same problems, a line each.
	VHOST_MODE=600 TUN_MODE=600 run --separate-stderr as_user "$IN" check tap0 --mode tun --queues 4 \
		--pi --vnet-hdr --vhost --master br0
	[ "${#lines[@]}" -eq 9 ]
}

@test "-n NETNS: the same check, the fixes naming the namespace" {
	t add tap0 --mode tap --down
	run --separate-stderr "$TUNCTL" -n "$NS" check tap0
	[ "$status" -eq 1 ]
	[ "$output" = "tap0 is down; fix: bring it up: tunctl -n $NS set tap0 --up" ]
	run --separate-stderr "$TUNCTL" -n "$NS" -j check tap0 --master br9
	[ "$(codes)" = "down master-missing" ]
	jq -e --arg ns "$NS" '.problems[1].fix | contains("ip -n " + $ns + " link add br9")' <<<"$output"
}

@test "bad usage: exit 2, one line on stderr, nothing on stdout" {
	t add tap0 --mode tap
	run --separate-stderr t check
	assert_error 2 "needs a device name"
	run --separate-stderr t check tap0 extra
	assert_error 2 extra
	run --separate-stderr t check tap0 --queues 0
	assert_error 2 'invalid --queues "0"'
	run --separate-stderr t check tap0 --pi --no-pi
	assert_error 2 "conflict"
	run --separate-stderr t check tap0 --mode tup
	assert_error 2 tup
	run --separate-stderr t check tap0 --master "a/b"
	assert_error 2 "--master"
	run --separate-stderr t check tap0 --user tck-nosuch-$$
	assert_error 2 "unknown user \"tck-nosuch-$$\""
	run --separate-stderr t -j check tap0 --user tck-nosuch-$$
	assert_error 2 "tck-nosuch-$$"
	run --separate-stderr t check tap0 --frobnicate
	assert_error 2 frobnicate
}

@test "a failed reading of the kernel: exit 1, one error line, no answer on stdout" {
	command -v strace >/dev/null || skip "no strace"
	t add tap0 --mode tap
	ASAN_OPTIONS=detect_leaks=0 run --separate-stderr in_ns strace -f -qq -o /dev/null \
		-e trace=recvmsg -e inject=recvmsg:error=EIO "$TUNCTL" check tap0
	assert_error 1 "Input/output error"
	ASAN_OPTIONS=detect_leaks=0 run --separate-stderr in_ns strace -f -qq -o /dev/null \
		-e trace=socket -e inject=socket:error=EMFILE "$TUNCTL" -j check tap0
	assert_error 1 "socket"
}

@test "in a batch: a device not ready stops it there, FILE:LINE on stderr" {
	t add tap0 --mode tap
	printf 'check tap0\nset tap0 --down\ncheck tap0 --pi\nset tap0 --up\n' >"$BATS_TEST_TMPDIR/b"
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 1 ]
	[ "$output" = "tap0 is down; fix: bring it up: tunctl set tap0 --up
tap0 lacks the packet information header; fix: attach with tunctl run tap0 --pi -- COMMAND (the device keeps it), or have the consumer ask for it" ]
	[ "$stderr" = "tunctl: $BATS_TEST_TMPDIR/b:3: tap0 is not ready (2 problems)" ]
	# The line after it did not run: still down.
	[ "$(info flags | jq -r 'index("UP") == null')" = true ]
}

