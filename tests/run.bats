#!/usr/bin/env bats
# tunctl run: the device's queues handed to a program as descriptors 3..,
# with the sd_listen_fds(3) variables, by exec (the program holds the device).
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	NS2=$NS-b
	NODE=$BATS_TEST_TMPDIR/tun
}
teardown() {
	[ -n "${PROG:-}" ] && kill "$PROG" 2>/dev/null && wait "$PROG" 2>/dev/null
	[ -n "${PROG2:-}" ] && kill "$PROG2" 2>/dev/null && wait "$PROG2" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null || true
	ns_teardown
}

# Runs a command in namespace $1 as nobody (uid and gid 65534) with no
# capabilities at all. /dev/net/tun may be mode 0600 here: a 0666 node is
# bind-mounted over it in a private mount namespace, as on distributions
# that ship it world-accessible.
as_nobody_in() {
	local ns=$1
	shift
	[ -e "$NODE" ] || { mknod "$NODE" c 10 200 && chmod 666 "$NODE"; } || skip "cannot make a device node here"
	exec unshare -m sh -c 'mount --bind "$1" /dev/net/tun && shift && exec "$@"' _ "$NODE" \
		ip netns exec "$ns" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$@"
}

# Waits until device $1 in namespace $2 (default $NS) has a holder.
wait_held() {
	local ns=${2:-$NS}
	wait_until -t 5 ip netns exec "$ns" sh -c 'grep -qs "^iff:[[:space:]]*$0\$" /proc/[0-9]*/fdinfo/*' "$1"
}

# What a program sees: each fd from 3 on that is open, its close-on-exec
# flag and the device it is attached to (TUNGETIFF), and the environment.
cat_fds() {
	exec python3 -c '
import fcntl, os, struct
for fd in range(3, 12):
    try:
        fl = fcntl.fcntl(fd, fcntl.F_GETFD)
    except OSError:
        continue
    try:
        ifr = fcntl.ioctl(fd, 0x800454d2, bytes(18))
        name, flags = struct.unpack("16sH", ifr)
        print(fd, "cloexec" if fl & fcntl.FD_CLOEXEC else "inherit", name.rstrip(b"\0").decode(), hex(flags))
    except OSError:
        print(fd, "cloexec" if fl & fcntl.FD_CLOEXEC else "inherit", "-")
for k in ("LISTEN_FDS", "LISTEN_FDNAMES", "TUNCTL_FD", "TUNCTL_IFNAME"):
    print(k + "=" + os.environ.get(k, "(unset)"))
print("pid", "same" if os.environ.get("LISTEN_PID") == str(os.getpid()) else os.environ.get("LISTEN_PID", "(unset)"))
'
}

@test "run: descriptor 3 is the device with exactly its flags, inherited, with the LISTEN_ variables" {
	t add d0 --mode tap --vnet-hdr >/dev/null
	flags=$(sysfs d0 tun_flags)
	# The descriptors the caller has: the program gets these, and no more.
	before=$(in_ns bash -c "$(declare -f cat_fds); cat_fds" | grep '^[0-9]')
	run --separate-stderr t run d0 -- bash -c "$(declare -f cat_fds); cat_fds"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(grep '^3 ' <<<"$output")" = "3 inherit d0 $flags" ]
	grep -qx 'LISTEN_FDS=1' <<<"$output"
	grep -qx 'LISTEN_FDNAMES=d0' <<<"$output"
	grep -qx 'TUNCTL_FD=3' <<<"$output"
	grep -qx 'TUNCTL_IFNAME=d0' <<<"$output"
	grep -qx 'pid same' <<<"$output"
	[ "$(grep '^[0-9]' <<<"$output" | grep -v '^3 ')" = "$(grep -v '^3 ' <<<"$before")" ]
}

@test "run: sd_listen_fds() of libsystemd takes the queues" {
	/usr/bin/python3 -c 'from systemd import daemon' 2>/dev/null || skip "python3-systemd is not installed"
	t add mq0 --multi-queue >/dev/null
	run --separate-stderr t run mq0 --queues 3 -- /usr/bin/python3 -c '
from systemd import daemon
import os
fds = daemon.listen_fds(False)
print(fds, os.environ["LISTEN_FDNAMES"])'
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$output" = "[3, 4, 5] mq0:mq0:mq0" ]
}

@test "run --fd K: descriptors from K, the caller's other descriptors kept, LISTEN_ variables removed" {
	t add mq0 --multi-queue >/dev/null
	echo kept >"$BATS_TEST_TMPDIR/f"
	run --separate-stderr env LISTEN_FDS=9 LISTEN_PID=1 ip netns exec "$NS" "$TUNCTL" run mq0 --queues 2 --fd 6 -- \
		bash -c "$(declare -f cat_fds); cat_fds" 4<"$BATS_TEST_TMPDIR/f"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	grep -qx '4 inherit -' <<<"$output"
	grep -qx "6 inherit mq0 $(sysfs mq0 tun_flags)" <<<"$output"
	grep -qx "7 inherit mq0 $(sysfs mq0 tun_flags)" <<<"$output"
	[ "$(grep -c ' mq0 ' <<<"$output")" -eq 2 ]
	grep -qx 'LISTEN_FDS=(unset)' <<<"$output"
	grep -qx 'TUNCTL_FD=6' <<<"$output"
}

@test "run: the caller's descriptor 3 is replaced by the device, not kept beside it" {
	t add d0 >/dev/null
	run --separate-stderr ip netns exec "$NS" "$TUNCTL" run d0 -- bash -c "$(declare -f cat_fds); cat_fds" \
		3<"$BATS_TEST_TMPDIR"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(grep '^3 ' <<<"$output")" = "3 inherit d0 $(sysfs d0 tun_flags)" ]
}

# A program with no privileges answers pings through descriptor 3; show
# names it as the device's holder, and the carrier came on (a real reader).
@test "run as the owner without capabilities: a python3 program on fd 3 answers a ping, and show names it" {
	command -v ping >/dev/null || skip "ping is not installed"
	t add p0 --user nobody --addr 192.0.2.1/24 >/dev/null
	# Given inline: nobody cannot read the test's directory.
	code=$(cat <<'EOF'
import os, struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
print("ready", flush=True)
while True:
    p = bytearray(os.read(3, 65536))
    if len(p) < 28 or p[0] >> 4 != 4 or p[9] != 1: continue
    h = (p[0] & 15) * 4
    if p[h] != 8: continue
    p[12:16], p[16:20] = p[16:20], p[12:16]
    p[h] = 0; p[h+2:h+4] = b"\0\0"
    p[h+2:h+4] = struct.pack("!H", csum(bytes(p[h:])))
    os.write(3, p)
EOF
)
	as_nobody_in "$NS" "$TUNCTL" run p0 -- python3 -c "$code" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	PROG=$!
	wait_held p0
	run in_ns ping -c 2 -W 2 192.0.2.7
	[ "$status" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/out"; echo "$output"; false; }
	[ "$(sysfs p0 carrier)" = 1 ]
	run --separate-stderr t -j show p0
	# exec: the holder is the program itself, under tunctl's pid.
	jq -e --argjson pid "$PROG" '[.processes[] | select(.pid == $pid)] | length == 1' <<<"$output"
	run t show p0
	[[ "$output" == *"process $PROG python3"* ]]
}

# socat's TUN: address needs CAP_NET_ADMIN for its own SIOCSIFFLAGS; with
# the descriptor handed over, plain FD:3 carries the tunnel unprivileged.
@test "run: socat FD:3 as nobody carries pings between two namespaces over UDP" {
	command -v socat >/dev/null || skip "socat is not installed"
	command -v ping >/dev/null || skip "ping is not installed"
	ip netns add "$NS2"
	ip -n "$NS" link add ve0 type veth peer name ve1 netns "$NS2"
	ip -n "$NS" addr add 198.18.0.1/30 dev ve0
	ip -n "$NS2" addr add 198.18.0.2/30 dev ve1
	ip -n "$NS" link set ve0 up
	ip -n "$NS2" link set ve1 up
	t add a0 --user nobody --addr 192.0.2.1 --peer 192.0.2.2 >/dev/null
	mknod "$NODE" c 10 200 && chmod 666 "$NODE" || skip "cannot make a device node here"
	ip netns exec "$NS2" "$TUNCTL" add b0 --user nobody --addr 192.0.2.2 --peer 192.0.2.1 >/dev/null
	as_nobody_in "$NS" "$TUNCTL" run a0 -- socat FD:3 UDP-DATAGRAM:198.18.0.2:4789,bind=198.18.0.1:4789 \
		>"$BATS_TEST_TMPDIR/a" 2>&1 &
	PROG=$!
	as_nobody_in "$NS2" "$TUNCTL" run b0 -- socat FD:3 UDP-DATAGRAM:198.18.0.1:4789,bind=198.18.0.2:4789 \
		>"$BATS_TEST_TMPDIR/b" 2>&1 &
	PROG2=$!
	wait_held a0 || { cat "$BATS_TEST_TMPDIR/a"; false; }
	wait_held b0 "$NS2" || { cat "$BATS_TEST_TMPDIR/b"; false; }
	# The first echo may cross before both ends read; then all of them.
	for _ in 1 2 3; do in_ns ping -c 1 -W 2 192.0.2.2 >/dev/null && break; done
	run in_ns ping -c 3 -i 0.2 -W 3 192.0.2.2
	[ "$status" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"; echo "$output"; false; }
	[[ "$output" == *" 3 received"* || "$output" == *" 2 received"* ]] || { echo "$output"; false; }
	run t show a0
	[[ "$output" == *"process $PROG socat"* ]]
}

# How many queues of device $1 process $2 holds.
queues_held() { in_ns sh -c 'grep -ls "^iff:[[:space:]]*$1\$" /proc/"$2"/fdinfo/* | wc -l' _ "$1" "$2"; }

qemu_holds() {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
	local dev=$1
	shift
	# -S: the machine is made, with its network backend on the descriptors,
	# and waits there; no disk and no CPU time needed.
	as_nobody_in "$NS" "$TUNCTL" run "$dev" "$@" -nodefaults -display none -S -monitor none \
		>"$BATS_TEST_TMPDIR/qemu" 2>&1 &
	PROG=$!
	# Until qemu holds the queues, or has failed (then what it said).
	wait_until "[ \$(queues_held $dev $PROG) -ge ${want:-1} ] || ! kill -0 $PROG 2>/dev/null"
	kill -0 "$PROG" 2>/dev/null || { cat "$BATS_TEST_TMPDIR/qemu"; return 1; }
}

@test "run: qemu -netdev tap,fd=3 holds the tap device and show names qemu" {
	t add vm0 --mode tap --vnet-hdr --user nobody >/dev/null
	qemu_holds vm0 -- qemu-system-x86_64 -netdev tap,id=n0,fd=3 -device virtio-net-pci,netdev=n0
	run --separate-stderr t -j show vm0
	jq -e --argjson pid "$PROG" '[.processes[] | select(.pid == $pid and (.name | startswith("qemu")))] | length == 1' <<<"$output" ||
		{ cat "$BATS_TEST_TMPDIR/qemu"; echo "$output"; false; }
}

@test "run --queues 4: qemu takes a multi-queue tap device with fds=3:4:5:6" {
	t add vm1 --mode tap --vnet-hdr --multi-queue --user nobody >/dev/null
	want=4 qemu_holds vm1 --queues 4 -- qemu-system-x86_64 -netdev tap,id=n0,fds=3:4:5:6 \
		-device virtio-net-pci,netdev=n0,mq=on,vectors=10
	n=$(in_ns sh -c "grep -ls '^iff:[[:space:]]*vm1\$' /proc/$PROG/fdinfo/* | wc -l")
	[ "$n" -eq 4 ] || { cat "$BATS_TEST_TMPDIR/qemu"; echo "$n queues"; false; }
	run --separate-stderr t -j show vm1
	jq -e --argjson pid "$PROG" '[.processes[] | select(.pid == $pid)] | length >= 1' <<<"$output"
}

# Each failure: one line, the right status, no process left holding the
# device, and no carrier change (so no link-local address appeared).
# No process of the test's namespace holds $1 (devices of that name in
# other tests' namespaces, run in parallel, are not this test's).
no_trace() {
	local me p
	me=$(in_ns readlink /proc/self/ns/net)
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/net" 2>/dev/null)" = "$me" ] || continue
		if grep -qs "^iff:[[:space:]]*$1\$" "$p"/fdinfo/*; then return 1; fi
	done
	[ "$(addr_json dev "$1" | jq '[.[].addr_info[] | select(.scope == "link")] | length')" -eq 0 ]
}

@test "run errors: missing device, not TUN/TAP, no --, no command, single-queue --queues, batch" {
	t add d0 >/dev/null
	run --separate-stderr t run nosuch0 -- true
	assert_error 1 "device nosuch0 does not exist"
	run --separate-stderr t run lo -- true
	assert_error 1 "lo is not a TUN/TAP device"
	run --separate-stderr t run d0 true
	assert_error 2 'needs "--" before the command: tunctl run d0 -- true'
	run --separate-stderr t run d0 --
	assert_error 2 'needs a command after "--"'
	run --separate-stderr t run d0 --queues 2 -- true
	assert_error 1 "--queues 2 needs a device made with --multi-queue"
	run --separate-stderr t run d0 --queues 0 -- true
	assert_error 2 'invalid --queues "0"'
	run --separate-stderr t run d0 --fd 2 -- true
	assert_error 2 'invalid --fd "2"'
	run --separate-stderr t -b - <<<"run d0 -- true"
	assert_error 2 'cannot stand in a batch file'
	no_trace d0
}

@test "run errors: command not found is 127 and not executable 126, before the device is opened" {
	t add d0 >/dev/null
	run -127 --separate-stderr t run d0 -- no-such-command-here
	assert_error 127 "no-such-command-here: command not found"
	run -127 --separate-stderr t run d0 -- "$BATS_TEST_TMPDIR/none"
	assert_error 127 "$BATS_TEST_TMPDIR/none: No such file or directory"
	printf '#!/bin/sh\n' >"$BATS_TEST_TMPDIR/noexec"
	run --separate-stderr t run d0 -- "$BATS_TEST_TMPDIR/noexec"
	assert_error 126 "noexec: permission denied"
	run --separate-stderr t run d0 -- "$BATS_TEST_TMPDIR"
	assert_error 126 "is a directory"
	no_trace d0
}

@test "run errors: another user's device names its owner; a held device names its holder" {
	t add d0 >/dev/null
	run --separate-stderr as_nobody_in "$NS" "$TUNCTL" run d0 -- true
	assert_error 1 "permission denied attaching to d0: it belongs to user root"
	no_trace d0
	hold_device d0
	run --separate-stderr t run d0 -- true
	assert_error 1 "d0 is in use by python3 (pid $HOLDER)"
	kill "$HOLDER"; wait "$HOLDER" 2>/dev/null || true
}

@test "run: the program gets SIGPIPE's default disposition and its own exit status" {
	t add d0 >/dev/null
	run t run d0 -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
	# yes dies of SIGPIPE when head is done: 141 from the shell.
	run in_ns bash -c '"$0" run d0 -- yes | head -n 1; echo "${PIPESTATUS[0]}"' "$TUNCTL"
	[ "${lines[1]}" = 141 ]
}
