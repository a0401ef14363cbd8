#!/usr/bin/env bats
# Without CAP_NET_ADMIN changing commands fail with the hint, reading ones
# work; owner and group decide who may attach.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
}
teardown() { ns_teardown; }

# tunctl in the namespace without CAP_NET_ADMIN (still uid 0).
nocap() { in_ns setpriv --inh-caps=-net_admin --bounding-set=-net_admin "$TUNCTL" "$@"; }

@test "every changing command fails with exit 1 and the CAP_NET_ADMIN hint" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	settle
	before=$(link_json | jq -c '[.[] | del(.stats64)]')
	for args in "add tun1" "del tun0" "set tun0 --mtu 1400" "set tun0 --down" "addr add tun0 198.51.100.1/24" \
		"addr del tun0 192.0.2.1/24" "addr flush tun0" "route add tun0 198.51.100.0/24" "del --all"; do
		run --separate-stderr nocap $args
		assert_error 1 CAP_NET_ADMIN || { echo "command: $args"; return 1; }
		[[ "$stderr" == *"setcap cap_net_admin+ep"* ]]
	done
	[ "$(link_json | jq -c '[.[] | del(.stats64)]')" = "$before" ]
	addr_json dev tun0 | jq -e '.[0].addr_info[] | select(.local == "192.0.2.1")'
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

# Attaches to device $2 as user $1 (TUNSETIFF with IFF_TUN|IFF_NO_PI) and
# prints "ok" or the error. /dev/net/tun may be mode 0600 here: a 0666 node
# is bind-mounted over it in a private mount namespace, as on distributions
# that ship it world-accessible.
attach_as() {
	local user=$1 dev=$2 node=$BATS_TEST_TMPDIR/tun
	[ -e "$node" ] || { mknod "$node" c 10 200 && chmod 666 "$node"; } || return 2
	unshare -m sh -c 'mount --bind "$1" /dev/net/tun && exec ip netns exec "$2" setpriv --reuid="$3" --regid=65534 --clear-groups /usr/bin/python3 -c "
import fcntl, struct, os, sys
try:
    fd = os.open(\"/dev/net/tun\", os.O_RDWR)
    fcntl.ioctl(fd, 0x400454ca, struct.pack(\"16sH\", sys.argv[1].encode(), 0x1001))
    print(\"ok\")
except OSError as e:
    print(e.strerror)
" "$4"' _ "$node" "$NS" "$user" "$dev"
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
	node=$BATS_TEST_TMPDIR/tun
	run unshare -m sh -c 'mount --bind "$1" /dev/net/tun && exec ip netns exec "$2" setpriv --reuid=65534 --regid=4242 --clear-groups /usr/bin/python3 -c "
import fcntl, struct, os
fd = os.open(\"/dev/net/tun\", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack(\"16sH\", b\"tun0\", 0x1001))
print(\"ok\")"' _ "$node" "$NS"
	[ "$output" = ok ]
}
