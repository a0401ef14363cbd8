#!/usr/bin/env bats
# Many tunctl processes at once: the kernel decides, nothing is half-made.
bats_require_minimum_version 1.5.0
load helpers

setup() { ns_setup; }
teardown() { ns_teardown; }

@test "50 adds of the same name at once: exactly one wins, the others say it exists" {
	dir=$BATS_TEST_TMPDIR
	for k in $(seq 1 50); do
		# bats runs tests under set -e, which the subshell inherits.
		(rc=0; ip netns exec "$NS" "$TUNCTL" add race0 --addr 192.0.2.1/24 >"$dir/out.$k" 2>"$dir/err.$k" || rc=$?
		 echo $rc >"$dir/rc.$k") &
	done
	wait
	[ "$(cat "$dir"/rc.* | grep -c '^0$')" -eq 1 ]
	[ "$(cat "$dir"/rc.* | grep -c '^1$')" -eq 49 ]
	for k in $(seq 1 50); do
		if [ "$(cat "$dir/rc.$k")" = 1 ]; then
			[ "$(cat "$dir/err.$k")" = "tunctl: device race0 already exists" ]
			[ ! -s "$dir/out.$k" ]
		else
			[ "$(cat "$dir/out.$k")" = race0 ]
		fi
	done
	[ "$(tun_devices)" = race0 ]
	link_json race0 | jq -e '.[0].linkinfo.info_data.persist'
	[ "$(addr_json dev race0 | jq '[.[0].addr_info[] | select(.family == "inet")] | length')" -eq 1 ]
}

@test "200 adds of distinct names at once all succeed" {
	seq 0 199 | xargs -P 50 -I{} ip netns exec "$NS" "$TUNCTL" add "p{}" --addr "198.18.0.{}/32" >/dev/null
	[ "$(tun_devices | wc -l)" -eq 200 ]
	[ "$(ip -n "$NS" -j link show type tun | jq length)" -eq 200 ]
	[ "$(addr_json | jq '[.[].addr_info[] | select(.family == "inet" and (.local | startswith("198.18.0.")))] | length')" -eq 200 ]
	link_json | jq -e '[.[] | select(.linkinfo.info_kind == "tun") | .linkinfo.info_data.persist] | all'
}

@test "adds and a del --all racing leave only whole devices" {
	seq 0 59 | xargs -P 20 -I{} ip netns exec "$NS" "$TUNCTL" add "r{}" --addr "198.18.1.{}/32" >/dev/null 2>&1 &
	sleep 0.05
	ip netns exec "$NS" "$TUNCTL" del --all --force >/dev/null 2>&1 || true
	wait
	# Every device left is persistent and has its address: none half-made.
	for d in $(tun_devices); do
		link_json "$d" | jq -e '.[0].linkinfo.info_data.persist' >/dev/null
		[ "$(addr_json dev "$d" | jq '[.[0].addr_info[] | select(.family == "inet")] | length')" -eq 1 ]
	done
}
