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
