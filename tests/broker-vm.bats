#!/usr/bin/env bats
# A VM without root: root writes one policy line and starts the broker;
# the user makes a tap on a bridge and runs qemu on it, and traffic passes
# to another namespace.  And what a user may not do through the broker
# (del --unused would take other users' devices too).
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	need_root
	command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
	# A name of this run's own (two checkouts may run the suite at once),
	# removed at the end; one left by a run that was killed, removed now.
	for old in $(getent passwd | cut -d: -f1 | grep -E '^tvmc[0-9]+$'); do
		kill -0 "${old#tvmc}" 2>/dev/null || userdel "$old" 2>/dev/null || true
	done
	export U=tvmc$$
	useradd -M -N -g users -s /usr/sbin/nologin "$U"
	export BNS="tvm-broker-$$" BNS2="tvm-peer-$$"
	ip netns add "$BNS"
	ip netns add "$BNS2"
	export BDIR=$(mktemp -d /tmp/tvm.XXXXXX)
	chmod 755 "$BDIR"
	export SOCK=$BDIR/broker.sock POLICY=$BDIR/policy
	# Root's part: one policy line, and the broker started.
	printf 'allow user %s mode tap name vm%%d max 4 master br0\n' "$U" >"$POLICY"
	ip netns exec "$BNS" "$TUNCTL" broker --socket "$SOCK" --policy "$POLICY" 2>"$BDIR/log" 3>&- &
	echo $! >"$BDIR/pid"
	wait_until test -S "$SOCK"
}

teardown_file() {
	[ -n "${BDIR:-}" ] && [ -f "$BDIR/pid" ] && kill "$(cat "$BDIR/pid")" 2>/dev/null
	[ -n "${BNS:-}" ] && ip netns del "$BNS" 2>/dev/null
	[ -n "${BNS2:-}" ] && ip netns del "$BNS2" 2>/dev/null
	[ -n "${U:-}" ] && userdel "$U" 2>/dev/null
	[ -n "${BDIR:-}" ] && rm -rf "$BDIR"
	true
}

teardown() {
	[ -n "${qemu:-}" ] && { kill "$qemu" 2>/dev/null; wait "$qemu" 2>/dev/null || true; }
	[ -n "${cap:-}" ] && { kill "$cap" 2>/dev/null; wait "$cap" 2>/dev/null || true; }
	ip netns exec "$BNS" "$TUNCTL" del --all --force >/dev/null 2>&1 || true
	ip -n "$BNS" link del br0 2>/dev/null || true
	ip -n "$BNS" link del ve0 2>/dev/null || true
}

# tunctl as the user, in the broker's namespace, where /dev/net/tun is not
# even there (as in a container): only the broker can make or open a device.
as() {
	ip netns exec "$BNS" unshare -m sh -c 'mount -t tmpfs none /dev/net && exec "$@"' sh \
		setpriv --reuid "$U" --regid users --init-groups --inh-caps=-all \
		env TUNCTL_BROKER_SOCKET="$SOCK" "$TUNCTL" "$@"
}

# The same in the background, in place of the subshell: $! is then the
# process itself (tunctl run execs the command), which kill stops.
as_bg() {
	exec ip netns exec "$BNS" unshare -m sh -c 'mount -t tmpfs none /dev/net && exec "$@"' sh \
		setpriv --reuid "$U" --regid users --init-groups --inh-caps=-all \
		env TUNCTL_BROKER_SOCKET="$SOCK" "$TUNCTL" "$@"
}

# The peer namespace's neighbour entry for 192.0.2.2: its MAC, or nothing.
peer_mac() { ip -n "$BNS2" -j neigh show 192.0.2.2 | jq -r '.[0].lladdr // empty'; }

# The guest: no OS image is at hand offline, so qemu's firmware is the
# guest (SeaBIOS and iPXE's e1000 option ROM, Debian's ipxe-qemu, boot from
# the network: its DHCP requests are the guest NIC's frames), and qemu's own
# user-mode network (libslirp, restricted to itself) answers ARP and ping
# for 192.0.2.2 from inside qemu.  Both are on qemu's emulated hub with the
# tap the broker handed over.
ROM=/usr/lib/ipxe/qemu/pxe-e1000.rom
GUEST_MAC=52:54:00:53:00:24

@test "a VM entirely without root: the user's tap on br0, qemu on its descriptor, traffic to another namespace" {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
	qemu-system-x86_64 -netdev help 2>/dev/null | grep -qx user || skip "qemu has no user-mode network (libslirp)"
	command -v tcpdump >/dev/null || skip "no tcpdump"
	[ -r "$ROM" ] || skip "no iPXE e1000 ROM (ipxe-qemu)"
	# The test's fixture, as a host's would be: br0 in the broker's
	# namespace, a veth on it whose peer is in another namespace.
	ip -n "$BNS" link add br0 type bridge
	ip -n "$BNS" link set br0 up
	ip -n "$BNS" link add ve0 type veth peer name ve1 netns "$BNS2"
	ip -n "$BNS" link set ve0 master br0 up
	ip -n "$BNS2" addr add 192.0.2.200/24 dev ve1
	ip -n "$BNS2" link set ve1 up
	ip netns exec "$BNS2" timeout 120 tcpdump -i ve1 -nn -e -l -c 1 "ether src $GUEST_MAC" \
		>"$BATS_TEST_TMPDIR/cap" 2>"$BATS_TEST_TMPDIR/cap.err" &
	cap=$!
	wait_until -t 10 grep -q "listening on" "$BATS_TEST_TMPDIR/cap.err"
	# The user's part.
	run --separate-stderr as add vm0 --mode tap --master br0
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	[ "$output" = vm0 ]
	[ "$(ip -n "$BNS" -j link show vm0 | jq -r '.[0].master')" = br0 ]
	[ "$(ip -n "$BNS" -d -j link show vm0 | jq -r '.[0].linkinfo.info_data.user')" = "$U" ]
	rx0=$(ip netns exec "$BNS" cat /sys/class/net/vm0/statistics/rx_packets)
	as_bg run vm0 -- qemu-system-x86_64 -display none -nodefaults -no-user-config -accel tcg -m 64 \
		-netdev tap,id=t0,fd=3 -netdev user,id=u0,net=192.0.2.0/24,host=192.0.2.2,restrict=on \
		-netdev hubport,id=h0,hubid=0,netdev=t0 -netdev hubport,id=h1,hubid=0,netdev=u0 \
		-netdev hubport,id=h2,hubid=0 -device e1000,netdev=h2,mac=$GUEST_MAC,romfile=$ROM -boot n \
		>"$BATS_TEST_TMPDIR/qemu" 2>&1 &
	qemu=$!
	# The guest's own frame (its NIC's MAC) seen in the other namespace.
	wait_until -t 90 "! kill -0 $cap 2>/dev/null" || { cat "$BATS_TEST_TMPDIR/qemu" "$BDIR/log"; return 1; }
	cat "$BATS_TEST_TMPDIR/cap"
	grep -q "^[0-9:.]* $GUEST_MAC > " "$BATS_TEST_TMPDIR/cap"
	# And a ping from there answered inside qemu (slirp's MAC for
	# 192.0.2.2, 52:55:c0:00:02:02), through the tap both ways: the kernel
	# counts what the tap sent to qemu (tx) and what qemu wrote to it (rx).
	wait_until -t 10 "ip netns exec '$BNS2' ping -c1 -W1 192.0.2.2 >/dev/null 2>&1" ||
		{ cat "$BATS_TEST_TMPDIR/qemu" "$BDIR/log"; return 1; }
	[ "$(peer_mac)" = 52:55:c0:00:02:02 ]
	[ "$(ip netns exec "$BNS" cat /sys/class/net/vm0/statistics/tx_packets)" -gt 0 ]
	[ "$(ip netns exec "$BNS" cat /sys/class/net/vm0/statistics/rx_packets)" -gt "$rx0" ]
	# Without qemu on the tap, nothing answers: the answers were qemu's.
	kill "$qemu"
	wait "$qemu" 2>/dev/null || true
	qemu=
	ip -n "$BNS2" neigh flush dev ve1
	run ! ip netns exec "$BNS2" ping -c1 -W1 192.0.2.2
	# The broker did it all: the add and the queue it handed qemu.
	grep -q "uid $(id -u "$U") ($U) pid [0-9]*: add vm0 --mode tap --master br0: exit 0" "$BDIR/log"
	grep -q "run vm0 --queues 1 -- -: exit 0" "$BDIR/log"
}

@test "broker: del --unused refused, nothing deleted" {
	ip netns exec "$BNS" "$TUNCTL" add other0 --mode tap >/dev/null
	run --separate-stderr as del --unused 'other*'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not --all or --unused"* ]]
	ip -n "$BNS" link show other0 >/dev/null
	ip netns exec "$BNS" "$TUNCTL" del other0
}

@test "broker: set --name refused (the policy goes by name), the device as it was" {
	run --separate-stderr as add vm2 --mode tap
	[ "$status" -eq 0 ]
	run --separate-stderr as set vm2 --name vm3
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tunctl: not allowed: --name through the broker"* ]]
	ip -n "$BNS" link show vm2 >/dev/null
	run ip -n "$BNS" link show vm3
	[ "$status" -ne 0 ]
	ip netns exec "$BNS" "$TUNCTL" del vm2
}
