#!/usr/bin/env bats
# Many tunctl processes at once: the kernel decides, nothing is half-made.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	dir=$BATS_TEST_TMPDIR
	PIDS=()
	# The start barrier: every racer waits for a shared lock on $gate while
	# the test holds it exclusively, so they are released together.
	gate=$dir/gate
	exec 8>"$gate"
	flock -x 8
}
teardown() {
	exec 8>&- 2>/dev/null
	[ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null
	ns_teardown
}

# racer K CMD...: runs CMD in the background once the gate opens; its output
# goes to out.K / err.K, its exit status becomes the job's.
racer() {
	local k=$1
	shift
	(
		exec 8>&-
		: >"$dir/ready.$k"
		flock -s "$gate" true
		exec "$@" >"$dir/out.$k" 2>"$dir/err.$k"
	) &
	PIDS[k]=$!
}

# Opens the gate once all N racers are at it.
release() {
	wait_until "[ \$(find $dir -name 'ready.*' | wc -l) -ge $1 ]"
	flock -u 8
}

# Waits for every racer and records each exit status in rc.K: a failing
# racer is seen, not swallowed by a bare wait.
reap() {
	local k rc
	for k in "${!PIDS[@]}"; do
		if wait "${PIDS[k]}"; then rc=0; else rc=$?; fi
		echo "$rc" >"$dir/rc.$k"
	done
}

@test "50 adds of the same name at once: exactly one wins, the others say it exists" {
	# Each racer asks for its own mtu and address, so the survivor shows
	# whose settings it has.
	for k in $(seq 1 50); do
		racer "$k" ip netns exec "$NS" "$TUNCTL" add race0 --mtu $((1300 + k)) --addr "192.0.2.$k/24"
	done
	release 50
	reap
	winners=$(grep -l '^0$' "$dir"/rc.* | sed 's/.*rc\.//')
	[ "$(echo "$winners" | wc -w)" -eq 1 ] || { grep . "$dir"/rc.*; return 1; }
	w=$winners
	[ "$(cat "$dir/out.$w")" = race0 ]
	[ ! -s "$dir/err.$w" ]
	for k in $(seq 1 50); do
		[ "$k" = "$w" ] && continue
		[ "$(cat "$dir/rc.$k")" = 1 ] || { echo "racer $k: exit $(cat "$dir/rc.$k")"; return 1; }
		[ "$(cat "$dir/err.$k")" = "tunctl: device race0 already exists" ] || { echo "racer $k: $(cat "$dir/err.$k")"; return 1; }
		[ ! -s "$dir/out.$k" ]
	done
	# The winner's device, with the winner's settings and nothing of a loser's.
	[ "$(tun_devices)" = race0 ]
	[ "$(link_json | jq -c '[.[].ifname]')" = '["lo","race0"]' ]
	[ "$(sysfs race0 mtu)" -eq $((1300 + w)) ]
	link_json race0 | jq -e ".[0].mtu == $((1300 + w)) and .[0].linkinfo.info_data.persist"
	[ "$(addr_json | jq -c '[.[].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"]')" = "[\"192.0.2.$w/24\"]" ]
	[ "$(route_json | jq -c '[.[] | "\(.dst) \(.dev)"]')" = '["192.0.2.0/24 race0"]' ]
}

@test "200 adds of distinct names at once all succeed" {
	for k in $(seq 0 199); do
		racer "$k" ip netns exec "$NS" "$TUNCTL" add "p$k" --addr "198.18.0.$k/32"
	done
	release 200
	reap
	for k in $(seq 0 199); do
		[ "$(cat "$dir/rc.$k")" = 0 ] || { echo "p$k: exit $(cat "$dir/rc.$k"): $(cat "$dir/err.$k")"; return 1; }
		[ "$(cat "$dir/out.$k")" = "p$k" ]
		[ ! -s "$dir/err.$k" ]
	done
	[ "$(tun_devices | wc -l)" -eq 200 ]
	[ "$(ip -n "$NS" -j link show type tun | jq length)" -eq 200 ]
	# Each device has exactly its own address.
	addr_json | jq -e '[.[] | select(.ifname | startswith("p")) | .ifname[1:] as $k |
		.addr_info | map(select(.family == "inet")) | length == 1 and .[0].local == "198.18.0.\($k)"] |
		length == 200 and all' >/dev/null
	link_json | jq -e '[.[] | select(.linkinfo.info_kind == "tun") | .linkinfo.info_data.persist] | all'
}

@test "adds and a del --all racing leave only whole devices" {
	for k in $(seq 0 59); do
		racer "$k" ip netns exec "$NS" "$TUNCTL" add "r$k" --addr "198.18.1.$k/32"
	done
	racer 60 ip netns exec "$NS" "$TUNCTL" del --all --force
	release 61
	reap
	# Either outcome is fine for any one of them, but only as a clean
	# success or a clean failure: exit 0, or exit 1 with one line.
	for k in $(seq 0 60); do
		rc=$(cat "$dir/rc.$k")
		case $rc in
		0) [ ! -s "$dir/err.$k" ] ;;
		1) [ "$(wc -l <"$dir/err.$k")" -eq 1 ] && grep -q '^tunctl: ' "$dir/err.$k" ;;
		*) echo "racer $k: exit $rc: $(cat "$dir/err.$k")"; return 1 ;;
		esac
	done
	# Every device left is persistent, has its address, and belongs to an
	# add that succeeded: a failed add leaves nothing behind.
	for d in $(tun_devices); do
		[ "$(cat "$dir/rc.${d#r}")" = 0 ] || { echo "$d left by a failed add"; return 1; }
		link_json "$d" | jq -e '.[0].linkinfo.info_data.persist' >/dev/null
		[ "$(addr_json dev "$d" | jq -c '[.[0].addr_info[] | select(.family == "inet") | .local]')" = "[\"198.18.1.${d#r}\"]" ]
	done
}

# The same --exist-ok line from many processes: one creates, the others
# wait for it and adopt it (or create it again if it is dropped).
@test "20 concurrent add --exist-ok of one line, round after round: one complete device, every process exits 0" {
	for round in $(seq 1 8); do
		rm -f "$dir"/ready.* "$dir"/rc.* "$dir"/out.* "$dir"/err.*
		PIDS=()
		exec 8>"$gate"
		flock -x 8
		for k in $(seq 1 20); do
			racer "$k" "$TUNCTL" -n "$NS" add c0 --exist-ok --addr 192.0.2.1/24
		done
		release 20
		reap
		# All at once: every status 0, every output "c0", no error.
		[ -z "$(grep -L '^0$' "$dir"/rc.*)" ] ||
			{ echo "round $round:"; grep -H . $(grep -L '^0$' "$dir"/rc.*) "$dir"/err.*; return 1; }
		[ "$(cat "$dir"/out.* | uniq -c | sed 's/^ *//')" = "20 c0" ]
		# Nothing, but the note of an add that waited long (a loaded machine).
		[ -z "$(grep -hv '^tunctl: waiting for ' "$dir"/err.*)" ]
		[ "$(tun_devices)" = c0 ] || { echo "round $round: devices: $(tun_devices | tr '\n' ' ')"; return 1; }
		link_json c0 | jq -e '.[0].linkinfo.info_data.persist and (.[0].flags | index("UP"))' >/dev/null ||
			{ echo "round $round: $(link_json c0)"; return 1; }
		[ "$(addr_json dev c0 | jq -c '[.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"]')" = '["192.0.2.1/24"]' ] ||
			{ echo "round $round: $(addr_json dev c0)"; return 1; }
		in_ns ip link del c0
	done
}

# hold_device makes a device that is not persistent, as an add still at
# work has it: --exist-ok waits for it instead of adopting it.
@test "--exist-ok waits while another process holds the device, not persistent; when it is dropped, creates it" {
	hold_device c0
	"$TUNCTL" -n "$NS" add c0 --exist-ok --addr 192.0.2.1/24 >"$dir/out" 2>"$dir/err" &
	pid=$!
	# Until it waits between looks (or is done, as before the fix).
	wait_until -t 5 "grep -q nanosleep /proc/$pid/wchan 2>/dev/null || [ ! -d /proc/$pid ]"
	kill "$HOLDER"
	HOLDER=
	wait "$pid"
	[ "$(cat "$dir/out")" = c0 ]
	[ -z "$(grep -v '^tunctl: waiting for ' "$dir/err")" ]
	link_json c0 | jq -e '.[0].linkinfo.info_data.persist' >/dev/null
	[ "$(addr_json dev c0 | jq -c '[.[0].addr_info[] | select(.family == "inet") | .local]')" = '["192.0.2.1"]' ]
}

@test "--exist-ok refuses a device that stays not persistent, after waiting, and changes nothing" {
	hold_device c0
	run --separate-stderr t add c0 --exist-ok --addr 192.0.2.1/24
	# It said once what it waited for, then failed.
	[[ "$(head -n 1 <<<"$stderr")" == "tunctl: waiting for python3 (pid $HOLDER) to release c0 or make it persistent (up to "[1-4]" s more)" ]]
	stderr=$(tail -n +2 <<<"$stderr")
	assert_error 1 "c0 is in use by python3 (pid $HOLDER): it is not persistent, and --exist-ok adopts only a persistent device"
	[ "$(addr_json dev c0 | jq '[.[0].addr_info[] | select(.family == "inet")] | length')" -eq 0 ]
	[ "$(sysfs c0 tun_flags)" = 0x1001 ]
}

# Issue 27, "kill -9 and concurrency": every command that changes devices
# holds the namespace's lock (ctx_lock) while it reads and changes them.

# slow K SYSCALL WHEN CMD...: tunctl CMD in the namespace, in the background,
# under strace, its WHEN-th SYSCALL held 3 s after the kernel has done it
# (delay_exit; ASan's leak check cannot run under ptrace). wait_slow K
# returns once it is held there. Its status goes to rc.K, its output to
# out.K / err.K.
slow() {
	local k=$1 sc=$2 when=$3
	shift 3
	(
		exec 8>&-
		if ASAN_OPTIONS=detect_leaks=0 ip netns exec "$NS" strace -qq -o "$dir/trace.$k" -e trace="$sc" \
			-e inject="$sc":delay_exit=3000000:when="$when" "$TUNCTL" "$@" >"$dir/out.$k" 2>"$dir/err.$k"
		then echo 0 >"$dir/rc.$k"; else echo $? >"$dir/rc.$k"; fi
	) &
	PIDS[k]=$!
}
slow_tun() {    # as slow, its open of /dev/net/tun (strace -P) held
	local k=$1
	shift
	(
		exec 8>&-
		if ASAN_OPTIONS=detect_leaks=0 ip netns exec "$NS" strace -qq -o "$dir/trace.$k" -P /dev/net/tun \
			-e trace=openat -e inject=openat:delay_exit=3000000:when=1 "$TUNCTL" "$@" >"$dir/out.$k" 2>"$dir/err.$k"
		then echo 0 >"$dir/rc.$k"; else echo $? >"$dir/rc.$k"; fi
	) &
	PIDS[k]=$!
}
wait_slow() {
	wait_until -t 20 "grep -q DELAYED '$dir/trace.$1' 2>/dev/null"
}
pi_on() {       # IFF_NO_PI (0x1000) clear
	(( ($(sysfs "$1" tun_flags) & 0x1000) == 0 ))
}

@test "six identical add --pi --exist-ok at once on a device whose pi differs: all exit 0, pi ends on (15 rounds)" {
	for round in $(seq 1 15); do
		PIDS=()
		rm -f "$dir"/ready.* "$dir"/rc.*
		t add sk0 --addr 192.0.2.1/24 >/dev/null
		exec 8>"$gate"
		flock -x 8
		for k in $(seq 1 6); do
			racer "$k" ip netns exec "$NS" "$TUNCTL" add sk0 --pi --mtu 1400 --addr 192.0.2.1/24 --exist-ok
		done
		release 6
		reap
		for k in $(seq 1 6); do
			[ "$(cat "$dir/rc.$k")" = 0 ] || { echo "round $round, racer $k: exit $(cat "$dir/rc.$k"): $(cat "$dir/err.$k")"; return 1; }
			[ "$(cat "$dir/out.$k")" = sk0 ] || { echo "round $round, racer $k printed: $(cat "$dir/out.$k")"; return 1; }
		done
		pi_on sk0 || { echo "round $round: pi off: $(sysfs sk0 tun_flags)"; return 1; }
		[ "$(sysfs sk0 mtu)" = 1400 ]
		in_ns ip link del sk0
	done
}

@test "six identical applies at once on a device whose pi differs: all exit 0, pi ends on (15 rounds)" {
	echo 'add sk0 --pi --addr 192.0.2.1/24' >"$dir/f"
	for round in $(seq 1 15); do
		PIDS=()
		rm -f "$dir"/ready.* "$dir"/rc.*
		t add sk0 --addr 192.0.2.1/24 >/dev/null
		exec 8>"$gate"
		flock -x 8
		for k in $(seq 1 6); do
			racer "$k" ip netns exec "$NS" "$TUNCTL" apply "$dir/f"
		done
		release 6
		reap
		for k in $(seq 1 6); do
			[ "$(cat "$dir/rc.$k")" = 0 ] || { echo "round $round, racer $k: exit $(cat "$dir/rc.$k"): $(cat "$dir/err.$k")"; return 1; }
		done
		pi_on sk0
		in_ns ip link del sk0
	done
}

@test "a failing add --exist-ok's undo does not revert a set that ran meanwhile and exited 0" {
	t add sk0 --addr 192.0.2.1/24 >/dev/null
	# Held after its exchange (MTU 1400 made, the route refused), before
	# its undo puts back the MTU it read, 1500.
	slow 1 sendto 2 add sk0 --mtu 1400 --route "198.51.100.0/25 via 198.51.100.250" --exist-ok
	wait_slow 1
	run t set sk0 --mtu 1300
	[ "$status" -eq 0 ]
	wait "${PIDS[1]}" || true
	[ "$(cat "$dir/rc.1")" = 1 ] || { cat "$dir/err.1"; return 1; }
	grep -q "Nexthop has invalid gateway" "$dir/err.1"
	# The set's, which it reported done: not the failed add's stale 1500.
	[ "$(sysfs sk0 mtu)" = 1300 ]
}

# While an add that will fail is making sk1 (held after its exchange, the
# third message: the device is there, up, with its address, not persistent
# yet), CMD runs; exit 0 must mean done, on a device that stays.
@test "commands do not act on a device another tunctl is still making: addr, route, set, run, apply" {
	echo 'add sk1 --addr 192.0.2.77/32' >"$dir/f"
	for cmd in "addr add sk1 192.0.2.77/32" "route add sk1 203.0.113.0/24" "set sk1 --mtu 1300" \
		   "run sk1 -- true" "apply $dir/f"; do
		PIDS=()
		rm -f "$dir"/trace.* "$dir"/rc.*
		slow 1 sendto 3 add sk1 --addr 192.0.2.1/24 --route "198.51.100.0/25 via 198.51.100.250"
		wait_slow 1
		# shellcheck disable=SC2086
		run --separate-stderr t $cmd
		wait "${PIDS[1]}" || true
		[ "$(cat "$dir/rc.1")" = 1 ] || { echo "$cmd: the add: $(cat "$dir/err.1")"; return 1; }
		if [ "$status" -eq 0 ]; then
			# Done, so there: only apply, which makes it anew.
			[ "$(link_json sk1 2>/dev/null | jq -r '.[0].linkinfo.info_data.persist')" = true ] ||
				{ echo "$cmd exited 0 on a device that is gone"; return 1; }
			[ "$(addr_json dev sk1 | jq -c '[.[0].addr_info[] | select(.family == "inet") | .local]')" = '["192.0.2.77"]' ]
			[[ "$cmd" == apply* ]] || { echo "$cmd exited 0"; return 1; }
		else
			[ "$status" -eq 1 ] && [[ "$stderr" == *"sk1 does not exist"* ]] ||
				{ echo "$cmd: status $status: $stderr"; return 1; }
		fi
		in_ns ip link del sk1 2>/dev/null || true
	done
}

# set --user, run and attach read the pi and vnet-hdr flags, then attach with them:
# held between the two (their open of /dev/net/tun), an add --exist-ok that
# sets pi back and says so must not be reverted.
@test "set --user, run and attach do not revert a concurrent add --exist-ok's pi reset" {
	for cmd in "set sk0 --user 0" "run sk0 -- true" "attach sk0"; do
		PIDS=()
		rm -f "$dir"/trace.* "$dir"/rc.*
		t add sk0 --pi >/dev/null
		slow_tun 1 $cmd
		wait_slow 1
		run --separate-stderr t add sk0 --exist-ok
		if [ "$cmd" = "attach sk0" ]; then
			# It reads until stopped: once attached (its descriptor
			# names the device), stopped by its pid, under strace's.
			tracer=$(pgrep -P "${PIDS[1]}")
			tp=$(pgrep -P "$tracer")
			wait_until -t 20 "grep -qsE '^iff:\s*sk0$' /proc/$tp/fdinfo/*"
			kill -TERM "$tp"
		fi
		wait "${PIDS[1]}" || true
		[ "$cmd" = "attach sk0" ] || [ "$(cat "$dir/rc.1")" = 0 ] || { echo "$cmd: $(cat "$dir/err.1")"; return 1; }
		[ "$status" -eq 0 ] && [ "$output" = sk0 ]
		# Reset and said nothing: pi stays off. (Had it found the device
		# held by run's program, it would have said so and left it.)
		if [ -z "$stderr" ]; then
			if pi_on sk0; then echo "$cmd: add --exist-ok set pi off, exited 0, and pi is on again"; return 1; fi
		else
			[[ "$stderr" == *"warning: sk0 has pi on, not off"* ]] || { echo "$cmd: $stderr"; return 1; }
		fi
		in_ns ip link del sk0
	done
}
