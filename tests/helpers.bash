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
	# With -j: one JSON object, its exit and message checked. Only a command
	# run with -j or --json may answer so: JSON anywhere else is a failure.
	if [[ "$stderr" == "{"* ]]; then
		[[ " $BATS_RUN_COMMAND " == *" -j "* || " $BATS_RUN_COMMAND " == *" --json "* ]] ||
			{ echo "a JSON error from a command run without -j: $stderr"; return 1; }
		jq -e --argjson want "$want" --arg n "$needle" '.exit == $want and ((if .where then .where + ": " else "" end) + .error | contains($n))' \
			<<<"$stderr" >/dev/null || { echo "JSON error does not say exit $want and '$needle': $stderr"; return 1; }
		return 0
	fi
	[[ "$stderr" == "tunctl: "* ]] || { echo "stderr does not start with 'tunctl: ': $stderr"; return 1; }
	[[ "$stderr" == *"$needle"* ]] || { echo "stderr does not name '$needle': $stderr"; return 1; }
}

# Waits until CONDITION holds, trying it every 0.05 s: CONDITION is a
# command and its arguments, or one string the shell evaluates. After
# SECONDS (default 10) the test fails, naming what it waited for. The one
# way tests wait: no fixed sleeps, no loop that times out silently.
#   wait_until [-t SECONDS] CONDITION...
wait_until() {
	local _wu_secs=10 _wu_end
	if [ "$1" = -t ]; then _wu_secs=$2; shift 2; fi
	_wu_end=$(( ${EPOCHREALTIME/./} + _wu_secs * 1000000 ))
	while :; do
		if [ $# -eq 1 ]; then eval "$1" && return 0; else "$@" && return 0; fi
		if (( ${EPOCHREALTIME/./} > _wu_end )); then
			echo "timed out after $_wu_secs s waiting until: $*" >&2
			return 1
		fi
		sleep 0.05
	done
}

# TUNSETIFF on /dev/net/tun, from a process of its own (python3):
#   python3 -c "$TUN_OPEN" NAME FLAGS THEN
# FLAGS as the kernel's (0x1001: IFF_TUN|IFF_NO_PI); THEN is "hold" (print
# "ready", keep the queue until killed), "persist" (TUNSETPERSIST, exit) or
# "try" (print "ok" or the error's text, exit 0).
TUN_OPEN='
import fcntl, os, struct, sys, time
name, flags, then = sys.argv[1], int(sys.argv[2], 0), sys.argv[3]
try:
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", name.encode(), flags))  # TUNSETIFF
except OSError as e:
    if then != "try":
        raise
    print(e.strerror)
    sys.exit(0)
if then == "persist":
    fcntl.ioctl(fd, 0x400454cb, 1)  # TUNSETPERSIST
print("ok" if then == "try" else "ready", flush=True)
if then == "hold":
    time.sleep(60)
'

# Holds tun device $1 open from a process inside the namespace $NS (flags
# $2, default IFF_TUN|IFF_NO_PI) until killed; sets HOLDER to its pid, a
# process named python3.
hold_device() {
	local out="$BATS_TEST_TMPDIR/holder.$1"
	# A second holder of the same device must not see the first's "ready".
	rm -f "$out"
	# exec: $! is then the holder itself, named python3.
	(exec ip netns exec "$NS" python3 -c "$TUN_OPEN" "$1" "${2:-0x1001}" hold >"$out") &
	HOLDER=$!
	wait_until -t 5 grep -qs ready "$out"
}

# True once the kernel's linkwatch has caught up with the carrier of every
# TUN/TAP device: operstate, NO-CARRIER and the routes' linkdown flag follow
# carrier asynchronously, rate-limited to once a second. settle waits for
# it; only for devices nobody has attached (an attached device stays UP).
carrier_settled() {
	ip -n "$NS" -j link show type tun | jq -e 'all(.[]; .operstate == "DOWN" or (.flags | index("UP") | not))' >/dev/null
}
settle() { wait_until carrier_settled; }

# An empty home and XDG config, data and cache directories of the test's
# own, exported: a shell started by the test then loads nothing of the
# machine user's (completions fish generated from man pages, say), and fish
# generates none (its generated_completions directory is there already).
own_home() {
	local h=$BATS_TEST_TMPDIR/home
	export HOME=$h XDG_CONFIG_HOME=$h/.config XDG_DATA_HOME=$h/.local/share XDG_CACHE_HOME=$h/.cache
	mkdir -p "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME/fish/generated_completions"
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
