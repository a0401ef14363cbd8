#!/usr/bin/env bats
# tunctl del: one, many, --all; busy devices; bad names.
bats_require_minimum_version 1.5.0
load helpers

setup() { ns_setup; }
teardown() { ns_teardown; }

@test "del removes a device without repeating its mode" {
	t add tap0 --mode tap --multi-queue
	run --separate-stderr t del tap0
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$(tun_devices)" ]
}

@test "del of many names removes them all, leaving the others" {
	for i in 0 1 2 3 4; do t add "tun$i"; done
	in_ns ip link set tun4 group 7
	run --separate-stderr t del tun0 tun1 tun2 tun4
	[ "$status" -eq 0 ]
	[ "$(tun_devices)" = tun3 ]
	[ "$(link_json tun3 | jq -r .[0].group)" = default ]
}

@test "del --all and del --all --mode" {
	t add tun0; t add tun1; t add tap0 --mode tap; t add tap1 --mode tap
	in_ns ip link add v0 type veth peer name v1
	run t del --all --mode tap
	[ "$status" -eq 0 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tun0 tun1 " ]
	run t del --all
	[ "$status" -eq 0 ]
	[ -z "$(tun_devices)" ]
	# Other devices are not touched.
	link_json v0 | jq -e '.[0].ifname == "v0"'
	run t del --all
	[ "$status" -eq 0 ]
}

@test "a missing or foreign name fails and deletes nothing" {
	t add tun0
	in_ns ip link add v0 type veth peer name v1
	run --separate-stderr t del tun0 nosuch0
	assert_error 1 nosuch0
	run --separate-stderr t del tun0 v0
	assert_error 1 v0
	[ "$(tun_devices)" = tun0 ]
	link_json v0 | jq -e '.[0].ifname == "v0"'
}

@test "a device a process holds is refused, naming the process, unless --force" {
	t add tun0
	hold_device tun0
	pid=$HOLDER
	run --separate-stderr t del tun0
	assert_error 1 tun0
	[[ "$stderr" == *"python3 (pid $pid)"* ]]
	[[ "$stderr" == *--force* ]]
	[ "$(tun_devices)" = tun0 ]
	run --separate-stderr t del tun0 --force
	kill $pid || true
	[ "$status" -eq 0 ]
	[ -z "$(tun_devices)" ]
}

@test "a multi-queue device held by several processes: the refusal names them all, or three and how many more" {
	t add mq0 --multi-queue
	pids=()
	for _ in 1 2; do
		hold_device mq0 0x1101 && pids+=("$HOLDER")
	done
	run --separate-stderr t del mq0
	assert_error 1 mq0
	[[ "$stderr" == *"in use by python3 (pid ${pids[0]}), python3 (pid ${pids[1]}); use --force"* ]]
	for _ in 3 4 5; do
		hold_device mq0 0x1101 && pids+=("$HOLDER")
	done
	run --separate-stderr t del mq0
	assert_error 1 mq0
	[[ "$stderr" == *"in use by python3 (pid "*"), python3 (pid "*"), python3 (pid "*") and 2 more; use --force"* ]]
	kill "${pids[@]}"
	[ "$(tun_devices)" = mq0 ]
}

@test "bad del usage exits 2" {
	run --separate-stderr t del
	assert_error 2 del
	run --separate-stderr t del tun0 tun0
	assert_error 2 tun0
	run --separate-stderr t del --all tun0
	assert_error 2 tun0
	run --separate-stderr t del tun0 --mode tap
	assert_error 2 --mode
	run --separate-stderr t del "a/b"
	assert_error 2 "a/b"
}

@test "del of many names is one RTM_DELLINK for all of them" {
	command -v strace >/dev/null || skip "strace is not installed"
	for i in 0 1 2 3 4; do t add "tun$i"; done
	# LeakSanitizer cannot run under ptrace (the sanitizer build in CI).
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		in_ns strace -f -qq -e trace=sendto,sendmsg -e signal=none -o "$BATS_TEST_TMPDIR/st" \
		"$TUNCTL" del tun0 tun1 tun2 tun3 tun4
	[ -z "$(tun_devices)" ]
	[ "$(grep -o RTM_DELLINK "$BATS_TEST_TMPDIR/st" | wc -l)" -eq 1 ]
	[ "$(grep -o RTM_SETLINK "$BATS_TEST_TMPDIR/st" | wc -l)" -eq 5 ]
}
