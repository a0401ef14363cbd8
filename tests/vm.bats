#!/usr/bin/env bats
# Real programs on the path VM platforms and VPNs take: a tap made for a user
# on a bridge and handed to qemu by "run" (the guest's traffic crosses the
# bridge to a veth in another namespace), and wireguard-go given its
# descriptor (WG_TUN_FD) by "run --pi", a ping through the tunnel.
bats_require_minimum_version 1.5.0
load helpers

# Guest traffic without an OS image: qemu's firmware (SeaBIOS and iPXE's
# virtio-net option ROM, Debian's ipxe-qemu) boots from the network, and its
# DHCP requests are the guest's frames.  The ROM names the modern device
# (1af4:1041): SeaBIOS runs it only for a virtio-net-pci with
# disable-legacy=on (the default transitional device is 1af4:1000).
ROM=/usr/lib/ipxe/qemu/pxe-virtio.rom
GUEST_MAC=52:54:00:53:00:01

setup() {
	ns_setup
	U=trnm$$
	NS2="$NS-peer"
	NODE=$BATS_TEST_TMPDIR/tun
}

teardown() {
	# shellcheck disable=SC2086
	[ -z "${PROG:-}" ] || kill $PROG 2>/dev/null || true
	[ -z "${CAP:-}" ] || kill "$CAP" 2>/dev/null || true
	# shellcheck disable=SC2086
	[ -z "${PROG:-}" ] || wait $PROG 2>/dev/null || true
	[ -z "${MADE_RUN_WG:-}" ] || rmdir /run/wireguard 2>/dev/null || true
	ip netns del "$NS2" 2>/dev/null || true
	[ -n "${NS3:-}" ] && ip netns del "$NS3" 2>/dev/null
	userdel "$U" 2>/dev/null || true
	ns_teardown
}

# Runs a command in namespace $1 as user $U, with what setpriv's other
# arguments ($2: "none" or "net_admin") give, and /dev/net/tun 0666 in a
# private mount namespace (as Debian's udev leaves it; it may be 0600 here),
# where /run/wireguard is $RUNDIR if set (wireguard-go's control socket).
as_user_in() {
	local ns=$1 caps=$2 bind=
	shift 2
	[ -z "${RUNDIR:-}" ] || bind="mount --bind $RUNDIR /run/wireguard &&"
	[ -e "$NODE" ] || { mknod "$NODE" c 10 200 && chmod 666 "$NODE"; } || skip "cannot make a device node here"
	if [ "$caps" = net_admin ]; then
		set -- --inh-caps=+net_admin --ambient-caps=+net_admin "$@"
	else
		set -- --inh-caps=-all "$@"
	fi
	exec unshare -m sh -c "$bind"' mount --bind "$1" /dev/net/tun && shift && exec "$@"' _ "$NODE" \
		ip netns exec "$ns" setpriv --reuid="$U" --regid=users --init-groups "$@"
}

# The wireguard-go attached to wg0 in namespace $1: its pid (the other
# peer's wg0 has the same name: told apart by the process's namespace).
wg_pid() {
	local f p
	for f in $(grep -ls '^iff:[[:space:]]*wg0$' /proc/[0-9]*/fdinfo/*); do
		p=${f#/proc/}
		p=${p%%/*}
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = wireguard-go ] && [ "$(ip netns identify "$p")" = "$1" ] &&
			{ echo "$p"; return 0; }
	done
	return 1
}
# wg as root, in the mount namespace of that wireguard-go (its socket).
wg_in() {
	local pid
	pid=$(wg_pid "$1")
	shift
	[ -n "$pid" ] && nsenter -t "$pid" -m -n wg "$@"
}

# Prints "seen" once a frame from MAC $2 arrives on device $1 of namespace
# NS2 (an AF_PACKET socket: no tcpdump needed).
SEE='
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
mac = bytes.fromhex(sys.argv[2].replace(":", ""))
print("listening", flush=True)
while True:
    f = s.recv(4096)
    if f[6:12] == mac:
        print("seen ethertype %s len %d" % (f[12:14].hex(), len(f)), flush=True)
'

@test "VM path: add --mode tap --master br0 --user U, then as U run -- qemu fd=3: the guest's frames reach a veth in another namespace" {
	command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
	[ -r "$ROM" ] || skip "no $ROM (Debian's ipxe-qemu)"
	useradd -M -N -g users -s /usr/sbin/nologin "$U"
	ip netns add "$NS2"
	in_ns ip link add br0 type bridge
	in_ns ip link set br0 up
	in_ns ip link add ve0 type veth peer name ve1 netns "$NS2"
	in_ns ip link set ve0 master br0 up
	ip -n "$NS2" link set ve1 up
	run t add tap0 --mode tap --master br0 --user "$U"
	[ "$status" -eq 0 ]
	[ "$(link_json tap0 | jq -r '.[0].master')" = br0 ]
	[ "$(sysfs tap0 owner)" = "$(id -u "$U")" ]
	is_up=$(link_json tap0 | jq -r '.[0].flags | index("UP") != null')
	[ "$is_up" = true ]

	(exec ip netns exec "$NS2" python3 -c "$SEE" ve1 "$GUEST_MAC" >"$BATS_TEST_TMPDIR/seen") &
	CAP=$!
	wait_until -t 5 grep -qs listening "$BATS_TEST_TMPDIR/seen"
	# As U, no capabilities: run opens the queue (U owns the device) and
	# qemu gets it as descriptor 3.
	(as_user_in "$NS" none "$TUNCTL" run tap0 -- timeout 60 qemu-system-x86_64 \
		-nographic -nodefaults -no-user-config -accel tcg -m 64 \
		-netdev tap,id=n0,fd=3 -device virtio-net-pci,disable-legacy=on,netdev=n0,mac=$GUEST_MAC,romfile=$ROM,bootindex=0 \
		-serial none -monitor none >"$BATS_TEST_TMPDIR/qemu.out" 2>&1) &
	PROG=$!
	# qemu holds the queue...
	wait_until -t 10 "in_ns sh -c 'grep -qs \"^iff:[[:space:]]*tap0\$\" /proc/[0-9]*/fdinfo/*'" ||
		{ cat "$BATS_TEST_TMPDIR/qemu.out"; return 1; }
	holder=$(in_ns sh -c 'for f in $(grep -ls "^iff:[[:space:]]*tap0$" /proc/[0-9]*/fdinfo/*); do
		p=${f#/proc/}; p=${p%%/*}; [ "$(cat /proc/$p/comm)" = qemu-system-x86 ] && echo $p; done; true' | head -1)
	[ -n "$holder" ]
	[ "$(stat -c %U /proc/"$holder")" = "$U" ]
	# ...and the guest's firmware, booting from the network, asks for an
	# address: its frames cross the bridge to the other namespace.
	wait_until -t 30 grep -qs '^seen ethertype 0800' "$BATS_TEST_TMPDIR/seen" ||
		{ cat "$BATS_TEST_TMPDIR/qemu.out"; return 1; }
	# The bridge learnt the guest's MAC on the tap.
	[ "$(bridge -n "$NS" -j fdb show br br0 | jq -r --arg m "$GUEST_MAC" '[.[] | select(.mac == $m) | .ifname] | first')" = tap0 ]
}

@test "wireguard-go through run --pi as an ordinary user with CAP_NET_ADMIN: a ping through the tunnel" {
	command -v wireguard-go >/dev/null || skip "no wireguard-go (Debian's wireguard-go)"
	command -v wg >/dev/null || skip "no wg (Debian's wireguard-tools)"
	useradd -M -N -g users -s /usr/sbin/nologin "$U"
	NS3="$NS-b"
	ip netns add "$NS2"
	ip netns add "$NS3"
	# The two namespaces meet on a veth; each runs a wireguard-go peer.
	ip -n "$NS2" link add ve0 type veth peer name ve1 netns "$NS3"
	ip -n "$NS2" addr add 198.51.100.1/24 dev ve0
	ip -n "$NS3" addr add 198.51.100.2/24 dev ve1
	ip -n "$NS2" link set ve0 up
	ip -n "$NS3" link set ve1 up
	umask 077
	wg genkey >"$BATS_TEST_TMPDIR/k1"
	wg genkey >"$BATS_TEST_TMPDIR/k2"
	wg pubkey <"$BATS_TEST_TMPDIR/k1" >"$BATS_TEST_TMPDIR/p1"
	wg pubkey <"$BATS_TEST_TMPDIR/k2" >"$BATS_TEST_TMPDIR/p2"
	chmod 644 "$BATS_TEST_TMPDIR"/k[12]
	[ -d /run/wireguard ] || { mkdir /run/wireguard && MADE_RUN_WG=1; }
	i=0
	for ns in "$NS2" "$NS3"; do
		i=$((i + 1))
		ip netns exec "$ns" "$TUNCTL" add wg0 --user "$U" --addr 203.0.113.$i/24 >/dev/null
		# Each wireguard-go's control socket in a directory of its own.
		RUNDIR=$BATS_TEST_TMPDIR/run$i
		mkdir "$RUNDIR"
		chown "$U" "$RUNDIR"
		# wireguard-go expects the packet information header on WG_TUN_FD.
		(as_user_in "$ns" net_admin env WG_TUN_FD=3 WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error \
			"$TUNCTL" run wg0 --pi -- timeout 60 wireguard-go -f wg0 >"$BATS_TEST_TMPDIR/wg$i.out" 2>&1) &
		PROG="${PROG:-} $!"
		RUNDIR=
	done
	for ns in "$NS2" "$NS3"; do
		wait_until -t 10 "wg_in '$ns' show wg0 >/dev/null 2>&1" ||
			{ cat "$BATS_TEST_TMPDIR"/wg*.out; return 1; }
	done
	wg_in "$NS2" set wg0 private-key "$BATS_TEST_TMPDIR/k1" listen-port 51820 \
		peer "$(cat "$BATS_TEST_TMPDIR/p2")" endpoint 198.51.100.2:51820 allowed-ips 203.0.113.2/32
	wg_in "$NS3" set wg0 private-key "$BATS_TEST_TMPDIR/k2" listen-port 51820 \
		peer "$(cat "$BATS_TEST_TMPDIR/p1")" endpoint 198.51.100.1:51820 allowed-ips 203.0.113.1/32
	run ip netns exec "$NS2" ping -c 3 -i 0.2 -W 3 203.0.113.2
	[[ "$output" == *"3 packets transmitted, 3 received"* ]] ||
		{ echo "$output"; cat "$BATS_TEST_TMPDIR"/wg*.out; wg_in "$NS2" show; wg_in "$NS3" show; ip -n "$NS2" -s link show wg0; return 1; }
	# wireguard-go set the MTU itself (CAP_NET_ADMIN, ambient).
	[ "$(ip netns exec "$NS2" cat /sys/class/net/wg0/mtu)" = 1420 ]
	# The handshake happened, through the user's wireguard-go.
	[ "$(wg_in "$NS2" show wg0 latest-handshakes | awk '{print $2}')" -gt 0 ]
	[ "$(stat -c %U /proc/"$(wg_pid "$NS2")")" = "$U" ]
}
