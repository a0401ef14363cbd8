#!/usr/bin/env bats
# -b FILE: many commands in one process; FILE:LINE errors; --force.
bats_require_minimum_version 1.5.0
load helpers

setup() { ns_setup; }
teardown() { ns_teardown; }

@test "a batch file with comments, blank lines and quoting" {
	cat >"$BATS_TEST_TMPDIR/b" <<'B'
# provisioning
add tun0 --addr 192.0.2.1/24 --route "198.51.100.0/24 via 192.0.2.2 metric 5"

add tap0 --mode tap --user nobody   # trailing comment
add 'tun1' --addr 2001:db8::1/64
set tun1 --mtu 1400
addr add tun0 203.0.113.1/24
route add tun0 203.0.113.128/25 via 203.0.113.2
B
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'tun0\ntap0\ntun1')" ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tap0 tun0 tun1 " ]
	route_json dev tun0 | jq -e '.[] | select(.dst == "198.51.100.0/24" and .metric == 5)'
	route_json dev tun0 | jq -e '.[] | select(.dst == "203.0.113.128/25")'
	[ "$(sysfs tap0 owner)" = 65534 ]
	[ "$(link_json tun1 | jq .[0].mtu)" = 1400 ]
}

@test "commands from stdin with -b -" {
	run t -b - <<<"$(printf 'add tun0\nadd tun1\n')"
	[ "$status" -eq 0 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tun0 tun1 " ]
}

@test "a failing line stops the batch with FILE:LINE; later lines do not run" {
	printf 'add tun0\nadd tun1 --mtu 20\nadd tun2\nlist\n' >"$BATS_TEST_TMPDIR/b"
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tunctl: $BATS_TEST_TMPDIR/b:2: tun1: mtu 20: mtu less than device minimum" ]
	[ "$output" = tun0 ]
	[ "$(tun_devices)" = tun0 ]
}

@test "--force carries on and exits 1 at the end" {
	printf 'add tun0\nadd tun1 --mtu 20\nadd tun2\ndel nosuch0\nadd tun3\n' >"$BATS_TEST_TMPDIR/b"
	run --separate-stderr t --force -b "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"b:2: tun1: mtu 20"* ]]
	[[ "$stderr" == *"b:4: device nosuch0 does not exist"* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 2 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tun0 tun2 tun3 " ]
}

@test "a syntax error anywhere: exit 2 with FILE:LINE, and nothing runs" {
	printf 'add tun0\nadd tun1\nfrobnicate tun2\n' >"$BATS_TEST_TMPDIR/b"
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/b"
	assert_error 2 "b:3: unknown command \"frobnicate\""
	printf 'add tun0\nadd "tun1\n' >"$BATS_TEST_TMPDIR/c"
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/c"
	assert_error 2 "c:2: unterminated double quote"
	printf 'add tun0\n-n x list\n' >"$BATS_TEST_TMPDIR/d"
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/d"
	assert_error 2 "d:2:"
	[ -z "$(tun_devices)" ]
}

@test "--force reports and skips lines that do not parse; a run-time bad input exits 1" {
	printf 'add tun0\nfrobnicate tun9\nadd "tun8\nadd tun1 --user no-such-user-x\nadd tun2\n' >"$BATS_TEST_TMPDIR/b"
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/b" --force
	[ "$status" -eq 1 ]
	[ -z "$output" ] || [ "$output" = "$(printf 'tun0\ntun2')" ]
	[[ "$stderr" == *"b:2: unknown command \"frobnicate\""* ]]
	[[ "$stderr" == *"b:3: unterminated double quote"* ]]
	[[ "$stderr" == *"b:4: unknown user \"no-such-user-x\""* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 3 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tun0 tun2 " ]
}

@test "pipelined adds report the first failing line only, in line order" {
	t add ex0
	printf 'add g0 --mtu 20\nadd g1\nadd ex0\nadd g3\n' >"$BATS_TEST_TMPDIR/b"
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tunctl: $BATS_TEST_TMPDIR/b:1: g0: mtu 20: mtu less than device minimum" ]
	[ "$(tun_devices)" = ex0 ]
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/b" --force
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | head -1)" = "tunctl: $BATS_TEST_TMPDIR/b:1: g0: mtu 20: mtu less than device minimum" ]
	[ "$(printf '%s\n' "$stderr" | tail -1)" = "tunctl: $BATS_TEST_TMPDIR/b:3: device ex0 already exists" ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "ex0 g1 g3 " ]
}

@test "a missing batch file, exit 1" {
	run --separate-stderr t -b /nonexistent/batch
	assert_error 1 /nonexistent/batch
}

@test "a device that exists stops the pipelined adds at its line" {
	t add tun1
	printf 'add tun0\nadd tun1\nadd tun2\n' >"$BATS_TEST_TMPDIR/b"
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tunctl: $BATS_TEST_TMPDIR/b:2: device tun1 already exists" ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tun0 tun1 " ]
}

@test "batch -j prints one JSON document per command" {
	printf 'add tun0\nlist\n' >"$BATS_TEST_TMPDIR/b"
	run --separate-stderr t -j -b "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 0 ]
	[ "$(jq -r .ifname <<<"${lines[0]}")" = tun0 ]
	[ "$(jq -r '.[0].ifname' <<<"${lines[1]}")" = tun0 ]
}

@test "300 devices from one batch: all made, each with its address" {
	for i in $(seq 0 299); do echo "add b$i --addr 198.18.$((i / 256)).$((i % 256))/32"; done >"$BATS_TEST_TMPDIR/b"
	run t -b "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 0 ]
	[ "$(tun_devices | wc -l)" -eq 300 ]
	[ "$(addr_json | jq '[.[].addr_info[] | select(.family == "inet" and (.local | startswith("198.18.")))] | length')" -eq 300 ]
	addr_json dev b299 | jq -e '.[0].addr_info[] | select(.local == "198.18.1.43")'
	run t del --all
	[ "$status" -eq 0 ]
	[ -z "$(tun_devices)" ]
}

@test "20 adds whose output fails: exit 1 at line 1, no device left (/dev/full, -j, | true, --force)" {
	b=$BATS_TEST_TMPDIR/b
	for i in $(seq 0 19); do echo "add b$i --addr 198.18.0.$i/32"; done >"$b"
	gone() {
		[ -z "$(tun_devices)" ] || { echo "left: $(tun_devices | tr '\n' ' ')"; return 1; }
		[ "$(ip -n "$NS" -j link | jq -c '[.[].ifname]')" = '["lo"]' ]
		[ "$(addr_json | jq '[.[].addr_info[] | select(.local | startswith("198.18."))] | length')" -eq 0 ]
	}
	run --separate-stderr t_full -b "$b"
	assert_error 1 "$b:1: writing output: No space left on device"
	gone
	run --separate-stderr t_full -j -b "$b"
	assert_error 1 "$b:1: writing output: No space left on device"
	gone
	run t_to_true -b "$b"
	[ "$status" -eq 1 ]
	[ "$(cat "$BATS_TEST_TMPDIR/stderr")" = "tunctl: $b:1: writing output: Broken pipe" ]
	gone
	# --force: every line is tried, and each fails on its own output.
	run --separate-stderr t_full --force -b "$b"
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | grep -c ': writing output: No space left on device$')" -eq 20 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 20 ]
	gone
	# --exist-ok lines run one by one: the same.
	printf 'add x0 --exist-ok\nadd x1 --exist-ok\n' >"$b"
	run --separate-stderr t_full -b "$b"
	assert_error 1 "$b:1: writing output: No space left on device"
	gone
}
