# Shared by the .bats files. Every test runs in a network namespace of its own,
# created in setup and deleted in teardown: never in the machine's namespace.

TUNCTL=${TUNCTL:-$BATS_TEST_DIRNAME/../src/tunctl}

# Tests that change the kernel need root (CAP_NET_ADMIN, CAP_SYS_ADMIN for
# "ip netns"). As an ordinary user they skip and say why.
need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root: creates network namespaces and devices"
}

ns_setup() {
	need_root
	NS="tunctl-$(basename "$BATS_TEST_FILENAME" .bats)-${BATS_SUITE_TEST_NUMBER:-0}-$$"
	ip netns add "$NS"
	export NS
}

ns_teardown() {
	[ -n "${NS:-}" ] && ip netns del "$NS" 2>/dev/null || true
}

# tunctl inside the test's namespace.
t() { ip netns exec "$NS" "$TUNCTL" "$@"; }
# Any command inside the test's namespace.
in_ns() { ip netns exec "$NS" "$@"; }

# Independent readers of kernel state.
link_json() { ip -n "$NS" -d -j link show "$@"; }
addr_json() { ip -n "$NS" -j addr show "$@"; }
route_json() { ip -n "$NS" -j route show "$@"; }
# The TUN/TAP devices in the namespace, from sysfs, one name per line.
tun_devices() {
	in_ns sh -c 'for d in /sys/class/net/*; do [ -e "$d/tun_flags" ] && basename "$d"; done; true'
}
sysfs() { in_ns cat "/sys/class/net/$1/$2"; }

# Output that fails. t_full: tunctl in the namespace with standard output on
# /dev/full (every write: ENOSPC). t_to_true: tunctl on the left of
# "| true", started once true has exited, so its output finds no reader
# (EPIPE), as it does whenever tunctl is the slower of the two; SIGPIPE at
# its default, as a shell leaves it. Returns tunctl's status (PIPESTATUS);
# its stderr goes to $BATS_TEST_TMPDIR/stderr.
t_full() { t "$@" >/dev/full; }
t_to_true() {
	in_ns python3 -c '
import os, select, signal, sys, time
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
p = select.poll()
p.register(1, 0)
for _ in range(500):
    if p.poll(0):   # POLLERR: the reader is gone
        break
    time.sleep(0.01)
os.execv(sys.argv[1], sys.argv[1:])' "$TUNCTL" "$@" 2>"$BATS_TEST_TMPDIR/stderr" | true
	return "${PIPESTATUS[0]}"
}

# Asserts the failure shape every error must have: status, one line on
# stderr starting "tunctl: " and naming $3, nothing on stdout.
# Use after: run --separate-stderr t ...
assert_error() {
	local want=$1 needle=$2
	[ "$status" -eq "$want" ] || { echo "status $status, want $want; stderr: $stderr"; return 1; }
	[ -z "$output" ] || { echo "stdout not empty: $output"; return 1; }
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || { echo "stderr not one line: $stderr"; return 1; }
	[[ "$stderr" == "tunctl: "* ]] || { echo "stderr does not start with 'tunctl: ': $stderr"; return 1; }
	[[ "$stderr" == *"$needle"* ]] || { echo "stderr does not name '$needle': $stderr"; return 1; }
}

# Holds tun device $1 open from a process inside the namespace (flags $2,
# default IFF_TUN|IFF_NO_PI) until killed; sets HOLDER to its pid.
hold_device() {
	local out="$BATS_TEST_TMPDIR/holder.$1"
	# A second holder of the same device must not see the first's "ready".
	rm -f "$out"
	# exec: $! is then the holder itself, named python3.
	(exec ip netns exec "$NS" python3 -c '
import fcntl, struct, os, sys, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", sys.argv[1].encode(), int(sys.argv[2], 0)))
print("ready", flush=True)
time.sleep(60)' "$1" "${2:-0x1001}" >"$out") &
	HOLDER=$!
	for _ in $(seq 50); do grep -q ready "$out" 2>/dev/null && return 0; sleep 0.1; done
	echo "holder of $1 did not start"; return 1
}

# Waits (up to 3 s) until the kernel's linkwatch has caught up with the
# carrier of every TUN/TAP device: operstate, NO-CARRIER and the routes'
# linkdown flag follow carrier asynchronously, rate-limited to once a second.
settle() {
	for _ in $(seq 30); do
		ip -n "$NS" -j link show type tun | jq -e 'all(.[]; .operstate == "DOWN" or (.flags | index("UP") | not))' >/dev/null && return 0
		sleep 0.1
	done
}

# tunctl as an ordinary user (nobody) with CAP_NET_ADMIN: /proc does not let
# it look into root's processes (proc_unseen), so a device that root's
# process holds is held only as far as the kernel says.  /dev/net/tun may
# be mode 0600 here: a 0666 node is bind-mounted over it (as privileges.bats).
t_unseen() {
	local node=$BATS_TEST_TMPDIR/tun
	[ -e "$node" ] || { mknod "$node" c 10 200 && chmod 666 "$node"; } || skip "cannot make a device node here"
	unshare -m sh -c 'mount --bind "$1" /dev/net/tun && shift && exec "$@"' _ "$node" \
		ip netns exec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=+net_admin --ambient-caps=+net_admin "$TUNCTL" "$@"
}
