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
	[[ "$stderr" == *"in use by python3 (pid ${pids[0]}), python3 (pid ${pids[1]}); use --force"* ]] ||
		{ echo "holders ${pids[*]}; stderr: $stderr"; return 1; }
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

# tunctl in the namespace with the syscall $1 failing once, at its $2nd call, with $3.
t_inject() {
	local sc=$1 when=$2 err=$3
	shift 3
	env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -o /dev/null -e trace="$sc" \
		-e inject="$sc":error="$err":when="$when" "$TUNCTL" "$@"
}

@test "a link dump read error fails del --all and deletes nothing" {
	command -v strace >/dev/null || skip "strace is not installed"
	t add tun0 >/dev/null
	t add tun1 >/dev/null
	# The first receive is the dump's.
	run --separate-stderr t_inject recvmsg 1 EIO del --all
	assert_error 1 "listing links: Input/output error"
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tun0 tun1 " ]
	# With nothing to delete, del --all reads no directory (no /sys listing).
	run --separate-stderr t_inject getdents64 1 EIO del --all --mode tap
	[ "$status" -eq 0 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tun0 tun1 " ]
}

@test "a device deleted while del --all runs is left out; the others are deleted" {
	command -v strace >/dev/null || skip "strace is not installed"
	t add t0 >/dev/null
	t add t1 >/dev/null
	# del --all waits 2 s in its socket(), before it lists anything:
	# t1 goes meanwhile.
	(exec env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -o "$BATS_TEST_TMPDIR/st" -e trace=socket \
		-e inject=socket:delay_enter=2000000 "$TUNCTL" del --all --force \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err") &
	pid=$!
	wait_until -t 5 grep -qs 'socket(' "$BATS_TEST_TMPDIR/st"
	ip -n "$NS" link del t1
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/err"; false; }
	[ ! -s "$BATS_TEST_TMPDIR/out" ] && [ ! -s "$BATS_TEST_TMPDIR/err" ]
	[ -z "$(tun_devices)" ]
}

@test "the in-use check fails closed when /proc cannot be read" {
	command -v strace >/dev/null || skip "strace is not installed"
	t add tun0 >/dev/null
	t add tun1 >/dev/null
	hold_device tun0
	# /proc itself, then the first process's descriptors.
	for when in 1 2; do
		run --separate-stderr t_inject getdents64 $when EIO del tun0
		assert_error 1 "reading /proc: Input/output error"
		run --separate-stderr t_inject getdents64 $when EIO del tun0 tun1
		assert_error 1 "reading /proc: Input/output error"
		[ "$(tun_devices | sort | tr '\n' ' ')" = "tun0 tun1 " ] || { kill "$HOLDER"; false; }
	done
	kill "$HOLDER"
}

@test "among many names, the first repeat in their order is the one named; nothing is deleted" {
	t add n3 >/dev/null
	t add n7 >/dev/null
	run --separate-stderr t del $(seq -f n%g 2000) n1500 n7 n3
	assert_error 2 'device "n1500" is named twice'
	run --separate-stderr t del n7 n3 n9 n3 n7
	assert_error 2 'device "n3" is named twice'
	[ "$(tun_devices | sort | tr '\n' ' ')" = "n3 n7 " ]
}

# 0x7e570000: the first of the link groups a del of several devices moves
# them into before deleting the group (DEL_GROUP_FIRST in src/cmd_del.c).
DEL_GROUP=2119630848

@test "devices a killed del left in its link group are deleted by the next del; other devices stay" {
	for d in ta tb tc td; do t add "$d" >/dev/null; done
	t add tp --mode tap >/dev/null
	ip -n "$NS" link add v0 type veth peer name v1
	ip -n "$NS" link set dev ta group $DEL_GROUP
	ip -n "$NS" link set dev tb group $((DEL_GROUP + 1))
	ip -n "$NS" link set dev v0 group $DEL_GROUP
	run --separate-stderr t del tc
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "td tp " ]
	[ "$(link_json v0 | jq -r '.[0].group')" = $DEL_GROUP ]
	ip -n "$NS" link show v1 >/dev/null
	# --all --mode tap finishes the job for tun devices too.
	ip -n "$NS" link set dev td group $((DEL_GROUP + 7))
	run --separate-stderr t del --all --mode tap
	[ "$status" -eq 0 ]
	[ -z "$(tun_devices)" ]
	# And with nothing else to delete.
	t add te >/dev/null
	ip -n "$NS" link set dev te group $DEL_GROUP
	run --separate-stderr t del --all --mode tap
	[ "$status" -eq 0 ]
	[ -z "$(tun_devices)" ]
	[ "$(link_json v0 | jq -r '.[0].group')" = $DEL_GROUP ]
}

@test "a del running at the same time as another, which sweeps its devices, still exits 0" {
	command -v strace >/dev/null || skip "strace is not installed"
	for d in a1 a2 b1 b2; do t add "$d" >/dev/null; done
	# The first del waits 3 s before its group delete (its third request,
	# or later should anything come before it):
	# its devices sit in the group meanwhile, as if it had been killed.
	(exec env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -o /dev/null -e trace=sendto \
		-e inject=sendto:delay_enter=3000000:when=3+ "$TUNCTL" del a1 a2 2>"$BATS_TEST_TMPDIR/a.err") &
	pid=$!
	wait_until -t 5 '[ "$(link_json a2 | jq -r ".[0].group")" = "$DEL_GROUP" ]'
	run --separate-stderr t del b1 b2
	[ "$status" -eq 0 ]
	[ -z "$(tun_devices)" ]
	status=0
	wait $pid || status=$?
	[ "$status" -eq 0 ] || { echo "first del: $status $(cat "$BATS_TEST_TMPDIR/a.err")"; false; }
}
