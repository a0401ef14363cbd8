#!/usr/bin/env bats
# Without CAP_NET_ADMIN changing commands fail with the hint, reading ones
# work; owner and group decide who may attach, and the owner may change
# owner, group and persistence (the kernel's rule for those ioctls).
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	NS2=$NS-b
}
teardown() {
	ip netns del "$NS2" 2>/dev/null || true
	ns_teardown
}

# tunctl in the namespace without CAP_NET_ADMIN (still uid 0).
nocap() { in_ns setpriv --inh-caps=-net_admin --bounding-set=-net_admin "$TUNCTL" "$@"; }
# tunctl in the namespace without CAP_SYS_ADMIN (uid 0, CAP_NET_ADMIN kept).
nosysadmin() { in_ns setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin "$TUNCTL" "$@"; }

# tunctl in the namespace as user $1 (uid and gid), which has no capabilities.
# /dev/net/tun may be mode 0600 here: a 0666 node is bind-mounted over it in
# a private mount namespace, as on distributions that ship it world-accessible.
as_user() {
	local id=$1 node=$BATS_TEST_TMPDIR/tun
	shift
	[ -e "$node" ] || { mknod "$node" c 10 200 && chmod 666 "$node"; } || skip "cannot make a device node here"
	unshare -m sh -c 'mount --bind "$1" /dev/net/tun && shift && exec "$@"' _ "$node" \
		ip netns exec "$NS" setpriv --reuid="$id" --regid="$id" --clear-groups "$TUNCTL" "$@"
}

# tunctl in the namespace as user $1, with /dev/net/tun a 0600 root node (as
# on a machine without udev's rule), bind-mounted in a private mount
# namespace so the host's node is left as it is.
as_user_0600() {
	local id=$1 node=$BATS_TEST_TMPDIR/tun0600
	shift
	[ -e "$node" ] || { mknod "$node" c 10 200 && chown 0:0 "$node" && chmod 600 "$node"; } ||
		skip "cannot make a device node here"
	unshare -m sh -c 'mount --bind "$1" /dev/net/tun && shift && exec "$@"' _ "$node" \
		ip netns exec "$NS" setpriv --reuid="$id" --regid="$id" --clear-groups "$TUNCTL" "$@"
}

# Everything a command could change, in both namespaces: links, addresses,
# routes, and the TUN/TAP devices' sysfs attributes.
state() {
	local ns
	for ns in "$NS" "$NS2"; do
		[ -e "/run/netns/$ns" ] || continue
		{ ip -n "$ns" -d -j link show; ip -n "$ns" -j addr show; ip -n "$ns" -j route show table all; } |
			jq -cs '.[0] |= map(del(.stats64)) | .[2] |= sort_by(.dst) | .[]'
		ip netns exec "$ns" sh -c 'cd /sys/class/net && for f in */tun_flags; do
			[ -e "$f" ] || continue
			d=${f%/*}
			grep -H . "$d/tun_flags" "$d/owner" "$d/group" "$d/mtu" "$d/tx_queue_len" "$d/address" "$d/flags"
		done'
	done
}

# fails_with_hint "ARGS" RUNNER: runs tunctl ARGS (split on blanks) through
# RUNNER (nocap, or "as_user UID") and checks that it exits 1 with the
# CAP_NET_ADMIN hint and changes nothing.
fails_with_hint() {
	local before
	# A failed attach flips carrier, which linkwatch reports later.
	settle
	before=$(state)
	# shellcheck disable=SC2086
	run --separate-stderr $2 $1
	assert_error 1 CAP_NET_ADMIN || { echo "command: $1"; return 1; }
	[[ "$stderr" == *"setcap cap_net_admin+ep"* ]] || { echo "command: $1: $stderr"; return 1; }
	settle
	[ "$before" = "$(state)" ] || { echo "command $1 changed:"; diff <(echo "$before") <(state); return 1; }
}

@test "every changing command fails with exit 1 and the CAP_NET_ADMIN hint" {
	# Names of its own: tunctl del looks for holders by name in every
	# namespace, so a tun0 held by another test would answer first.
	ip netns add "$NS2"
	t add pv0 --addr 192.0.2.1/24 --route 198.51.100.0/24 >/dev/null
	t add pvtap0 --mode tap >/dev/null
	# Owned by another user: uid 0 without CAP_NET_ADMIN is not its owner.
	t add pvown0 --user 4242 >/dev/null
	settle
	printf 'set pv0 --mtu 1300\nadd pv2\n' >"$BATS_TEST_TMPDIR/batch"
	printf 'add pv2\n' >"$BATS_TEST_TMPDIR/batch-add"
	n=0
	while read -r args; do
		fails_with_hint "$args" nocap || return 1
		n=$((n + 1))
	done <<-CMDS
		add pv1
		add pv1 --exist-ok
		add pv0 --exist-ok
		add pv0 --exist-ok --mtu 1300
		del pv0
		del --all
		del --all --force
		set pv0 --mtu 1400
		set pv0 --down
		set pv0 --txqueuelen 10
		set pvtap0 --mac 02:00:5e:00:53:07
		set pv0 --netns $NS2
		set pvown0 --user 0
		set pvown0 --group 0
		addr add pv0 198.51.100.1/24
		addr del pv0 192.0.2.1/24
		addr flush pv0
		route add pv0 203.0.113.0/24
		route del pv0 198.51.100.0/24
		-b $BATS_TEST_TMPDIR/batch
		-b $BATS_TEST_TMPDIR/batch-add
		-t pv5
		-t pv5 -u 4242
		-d pvown0
	CMDS
	[ "$n" -eq 24 ]
	addr_json dev pv0 | jq -e '.[0].addr_info[] | select(.local == "192.0.2.1")'
	[ "$(sysfs pvown0 owner)" = 4242 ]
}

@test "a device's owner may set its owner, group and persistence without CAP_NET_ADMIN" {
	# TUNSETOWNER, TUNSETGROUP and TUNSETPERSIST are checked against the
	# device's owner and group, not a capability.
	t add pvown0 --user 4242 >/dev/null
	t add pvown1 --user 4242 >/dev/null
	run --separate-stderr as_user 4242 set pvown0 --group 4242
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	[ -z "$stderr" ]
	[ "$(sysfs pvown0 group)" = 4242 ]
	run --separate-stderr as_user 4242 -d pvown0
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	[ -z "$stderr" ]
	[ "$(tun_devices)" = pvown1 ]
	# Giving a device away works; then the former owner is an outsider, as
	# is any other user.
	run --separate-stderr as_user 4242 set pvown1 --user 4243
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	[ "$(sysfs pvown1 owner)" = 4243 ]
	fails_with_hint "set pvown1 --user 4242" "as_user 4242"
	fails_with_hint "set pvown1 --group 4242" "as_user 4242"
	fails_with_hint "-d pvown1" "as_user 4242"
	fails_with_hint "-d pvown1" "as_user 4244"
	[ "$(sysfs pvown1 owner)" = 4243 ]
	link_json pvown1 | jq -e '.[0].linkinfo.info_data.persist'
}

@test "list and show work without CAP_NET_ADMIN" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	run --separate-stderr nocap -j list
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].ifname' <<<"$output")" = tun0 ]
	run --separate-stderr nocap -j show tun0
	[ "$status" -eq 0 ]
	jq -e '.addresses[] | select(.local == "192.0.2.1")' <<<"$output"
}

# Attaches to device $2 as user $1, group $3 (default 65534), with TUNSETIFF
# (IFF_TUN|IFF_NO_PI), and prints "ok" or the error. /dev/net/tun may be
# mode 0600 here: a 0666 node is bind-mounted over it in a private mount
# namespace, as on distributions that ship it world-accessible.
attach_as() {
	local user=$1 dev=$2 group=${3:-65534} node=$BATS_TEST_TMPDIR/tun
	[ -e "$node" ] || { mknod "$node" c 10 200 && chmod 666 "$node"; } || return 2
	unshare -m sh -c 'mount --bind "$1" /dev/net/tun && shift && exec "$@"' _ "$node" \
		ip netns exec "$NS" setpriv --reuid="$user" --regid="$group" --clear-groups \
		/usr/bin/python3 -c "$TUN_OPEN" "$dev" 0x1001 try
}

@test "--user U: U may attach without privileges, another user may not" {
	t add tun0 --user nobody >/dev/null
	run attach_as 65534 tun0
	[ "$status" -ne 2 ] || skip "cannot make a device node here"
	[ "$output" = ok ]
	run attach_as 1 tun0
	[ "$output" = "Operation not permitted" ]
}

@test "the default (owned by the caller, root) keeps other users out" {
	t add tun0 >/dev/null
	[ "$(sysfs tun0 owner)" = 0 ]
	run attach_as 65534 tun0
	[ "$status" -ne 2 ] || skip "cannot make a device node here"
	[ "$output" = "Operation not permitted" ]
}

@test "--any-user lets any user attach (what ip tuntap add leaves)" {
	t add tun0 --any-user >/dev/null
	run attach_as 65534 tun0
	[ "$status" -ne 2 ] || skip "cannot make a device node here"
	[ "$output" = ok ]
}

@test "--group G: a member of G may attach" {
	t add tun0 --group 4242 >/dev/null
	run attach_as 65534 tun0
	[ "$output" = "Operation not permitted" ]
	# setpriv with the group as the real and effective gid.
	run attach_as 65534 tun0 4242
	[ "$output" = ok ]
}

@test "a 0600 /dev/net/tun: the error gives the node's mode and owner and what to do" {
	# The device is the user's own: only the node stands in the way.
	t add pvacc0 --user 4242 >/dev/null
	settle
	before=$(state)
	for cmd in "attach pvacc0 --count 1" "set pvacc0 --group 4242" "-t pvacc1"; do
		# shellcheck disable=SC2086
		run --separate-stderr as_user_0600 4242 $cmd
		assert_error 1 "cannot open /dev/net/tun: Permission denied" || { echo "command: $cmd"; return 1; }
		[[ "$stderr" == *"(it is mode 0600, owner root, group root)"* ]] || { echo "$cmd: $stderr"; return 1; }
		[[ "$stderr" == *"run as root, or make it 0666 as udev's rule does (chmod 0666 /dev/net/tun)"* ]] ||
			{ echo "$cmd: $stderr"; return 1; }
	done
	settle
	[ "$before" = "$(state)" ] || { diff <(echo "$before") <(state); return 1; }
}

@test "-n NS without CAP_SYS_ADMIN: the error names CAP_SYS_ADMIN, not CAP_NET_ADMIN" {
	ip netns add "$NS2"
	t add pv0 >/dev/null
	settle
	before=$(state)
	# An ordinary user, and root without CAP_SYS_ADMIN (but with CAP_NET_ADMIN).
	for runner in "as_user 4242" nosysadmin; do
		run --separate-stderr $runner -n "$NS2" list
		assert_error 1 "entering network namespace \"$NS2\": Operation not permitted (CAP_SYS_ADMIN is needed to enter a namespace: run as root)" ||
			{ echo "runner: $runner"; return 1; }
		run --separate-stderr $runner -n "$NS2" add pv9
		assert_error 1 "CAP_SYS_ADMIN is needed" || { echo "runner: $runner"; return 1; }
		[[ "$stderr" != *CAP_NET_ADMIN* ]] || { echo "runner: $runner: $stderr"; return 1; }
	done
	[ "$before" = "$(state)" ]
}

@test "opening /run/netns/NS refused: the error is the open's, without the CAP_NET_ADMIN hint" {
	command -v strace >/dev/null || skip "strace is not installed"
	ip netns add "$NS2"
	t add pv0 >/dev/null
	settle
	before=$(state)
	for args in "-n $NS2 list" "set pv0 --netns $NS2"; do
		# shellcheck disable=SC2086
		run --separate-stderr in_ns setpriv --inh-caps=-net_admin --bounding-set=-net_admin \
			env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -qq -o /dev/null -P "/run/netns/$NS2" -e trace=openat -e inject=openat:error=EPERM "$TUNCTL" $args
		assert_error 1 "opening /run/netns/$NS2: Operation not permitted" || { echo "args: $args"; return 1; }
		[[ "$stderr" != *CAP_NET_ADMIN* ]] || { echo "args: $args: $stderr"; return 1; }
	done
	[ "$before" = "$(state)" ]
}

@test "set --group G by an owner not in G: refused (exit 2) unless --yes" {
	t add pvown0 --user 4242 >/dev/null
	t add pvown1 >/dev/null
	t add pvown2 --user 4242 >/dev/null
	settle
	before=$(state)
	run --separate-stderr as_user 4242 set pvown0 --group 4243
	assert_error 2 "--group 4243 would lock you (uid 4242) out of pvown0: you are not in that group, and could not attach to it or change it back; add --yes to do it anyway"
	[ "$before" = "$(state)" ]
	[ "$(sysfs pvown0 group)" = -1 ]
	# A group of one's own, or root (CAP_NET_ADMIN attaches anyway): no question.
	run --separate-stderr as_user 4242 set pvown0 --group 4242
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || { echo "$stderr"; return 1; }
	run --separate-stderr t set pvown1 --group 4243
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || { echo "$stderr"; return 1; }
	[ "$(sysfs pvown1 group)" = 4243 ]
	# Giving the device away with --user needs no --yes.
	run --separate-stderr as_user 4242 set pvown2 --user 4243 --group 4243
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || { echo "$stderr"; return 1; }
	[ "$(sysfs pvown2 owner)" = 4243 ] && [ "$(sysfs pvown2 group)" = 4243 ]
	# With --yes it is done.
	run --separate-stderr as_user 4242 set pvown0 --group 4243 --yes
	[ "$status" -eq 0 ] && [ -z "$stderr" ] && [ -z "$output" ] || { echo "$stderr"; return 1; }
	[ "$(sysfs pvown0 group)" = 4243 ]
	[ "$(sysfs pvown0 owner)" = 4242 ]
	# Locked out indeed: the owner cannot change it back.
	fails_with_hint "set pvown0 --group 4242" "as_user 4242"
}
