#!/usr/bin/env bats
# Failures reported as what they are: out of memory, a failed user or group
# lookup, an unreadable or unmounted /sys (exit 1), never bad usage or a
# wrong "unknown"/"exists".
bats_require_minimum_version 1.5.0
load helpers

setup() { ns_setup; }
teardown() { ns_teardown; }

# Builds $BATS_TEST_TMPDIR/failalloc.so: with TUNCTL_FAIL_ALLOC=N in the
# environment, the Nth malloc, calloc or realloc of the process fails (with
# TUNCTL_FAIL_ONLY=realloc, say, the Nth of that one only).
build_failalloc() {
	command -v cc >/dev/null || skip "no C compiler for the allocation-failure shim"
	grep -q __asan_init "$TUNCTL" && skip "a sanitizer build has its own allocator"
	cat >"$BATS_TEST_TMPDIR/failalloc.c" <<'C'
#include <errno.h>
#include <stdlib.h>
#include <string.h>
extern void *__libc_malloc(size_t), *__libc_calloc(size_t, size_t), *__libc_realloc(void *, size_t);
static long count, at = -2;
static const char *only;
static int fail(const char *what)
{
	if (at == -2) {
		const char *e = getenv("TUNCTL_FAIL_ALLOC");
		at = e ? atol(e) : -1;
		only = getenv("TUNCTL_FAIL_ONLY");
	}
	if ((only && strcmp(only, what)) || ++count != at)
		return 0;
	errno = ENOMEM;
	return 1;
}
void *malloc(size_t n) { return fail("malloc") ? NULL : __libc_malloc(n); }
void *calloc(size_t n, size_t s) { return fail("calloc") ? NULL : __libc_calloc(n, s); }
void *realloc(void *p, size_t n) { return fail("realloc") ? NULL : __libc_realloc(p, n); }
C
	cc -shared -fPIC -O1 -o "$BATS_TEST_TMPDIR/failalloc.so" "$BATS_TEST_TMPDIR/failalloc.c"
}

@test "out of memory while parsing exits 1, not 2 (bad usage)" {
	build_failalloc
	t add tun0 >/dev/null
	t add tun1 >/dev/null
	oom=0
	for n in $(seq 1 20); do
		run --separate-stderr in_ns env LD_PRELOAD="$BATS_TEST_TMPDIR/failalloc.so" \
			TUNCTL_FAIL_ALLOC=$n "$TUNCTL" del tun0 tun1 nosuch
		[[ "$stderr" == *"out of memory"* ]] || continue
		oom=$((oom + 1))
		assert_error 1 "out of memory"
		[ "$(tun_devices | sort | tr '\n' ' ')" = "tun0 tun1 " ]
	done
	[ "$oom" -gt 0 ]
}

@test "a failed allocation while reading the batch fails it (exit 1), never an empty success" {
	build_failalloc
	for i in $(seq 20); do echo "add tun$i"; done >"$BATS_TEST_TMPDIR/b"
	for n in $(seq 1 10); do
		run --separate-stderr in_ns env LD_PRELOAD="$BATS_TEST_TMPDIR/failalloc.so" \
			TUNCTL_FAIL_ALLOC=$n "$TUNCTL" -b "$BATS_TEST_TMPDIR/b"
		if [ "$status" -eq 0 ]; then
			[ "$(tun_devices | wc -l)" -eq 20 ]
		else
			assert_error 1 "memory"
			[ -z "$(tun_devices)" ]
		fi
		t del --all
	done
}

# tunctl in the namespace with the first open of path $1 failing with $2.
t_failopen() {
	local path=$1 err=$2
	shift 2
	env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -o /dev/null -P "$path" -e trace=open,openat \
		-e inject=open,openat:error="$err":when="${FAIL_WHEN:-1}" "$TUNCTL" "$@"
}

@test "a failed user or group lookup is reported as such, exit 1, not as an unknown name" {
	command -v strace >/dev/null || skip "strace is not installed"
	run --separate-stderr t_failopen /etc/nsswitch.conf EMFILE add tun0 --user nobody
	assert_error 1 'looking up user "nobody": Too many open files'
	run --separate-stderr t_failopen /etc/nsswitch.conf EMFILE add tun0 --group nogroup
	assert_error 1 'looking up group "nogroup": Too many open files'
	[ -z "$(tun_devices)" ]
	t add tun0 >/dev/null
	run --separate-stderr t_failopen /etc/nsswitch.conf EMFILE set tun0 --user nobody
	assert_error 1 'looking up user "nobody": Too many open files'
	run --separate-stderr t_failopen /etc/nsswitch.conf EIO set tun0 --group nogroup
	assert_error 1 'looking up group "nogroup": Input/output error'
	[ "$(sysfs tun0 owner)" = "$(id -u)" ]
	[ "$(sysfs tun0 group)" = -1 ]
	run --separate-stderr t_failopen /etc/nsswitch.conf EMFILE -t tap7 -u nobody
	assert_error 1 'looking up user "nobody": Too many open files'
	[ "$(tun_devices)" = tun0 ]
	# A name that is not there is still bad input.
	run --separate-stderr t add tun1 --user no-such-user-here
	assert_error 2 'unknown user "no-such-user-here"'
}

@test "apply: a failed user or group lookup is FILE:LINE, exit 1, not an unknown name" {
	command -v strace >/dev/null || skip "strace is not installed"
	local f=$BATS_TEST_TMPDIR/devices
	printf 'add a0\nadd a1 --user nobody\n' >"$f"
	run --separate-stderr t_failopen /etc/nsswitch.conf EMFILE apply "$f"
	assert_error 1 "$f:2: looking up user \"nobody\": Too many open files"
	printf 'add a0 --group nogroup\n' >"$f"
	run --separate-stderr t_failopen /etc/nsswitch.conf EIO apply "$f"
	assert_error 1 "$f:1: looking up group \"nogroup\": Input/output error"
	[ -z "$(tun_devices)" ]
}

@test "add --exist-ok reports an unreadable sysfs or a failed lookup, not \"already exists\"" {
	command -v strace >/dev/null || skip "strace is not installed"
	t add tun0 >/dev/null
	# The device is looked up by netlink (RTM_GETLINK): a fault there is
	# the lookup's, and nothing is created nor changed.
	run --separate-stderr in_ns env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -o /dev/null -e trace=sendto -e inject=sendto:error=ENOMEM:when=1 \
		"$TUNCTL" add tun0 --exist-ok
	assert_error 1 "reading tun0: Cannot allocate memory"
	[ "$(tun_devices)" = tun0 ]
	# sysfs's tun_flags is read when the adopt attaches (to set a group):
	# for IFF_NAPI and co., before anything changes.
	run --separate-stderr t_failopen /sys/class/net/tun0/tun_flags EMFILE add tun0 --exist-ok --group 0
	# (strace says where the symbolic link led.)
	stderr=$(grep -v '^strace: Requested path' <<<"$stderr")
	assert_error 1 "reading /sys/class/net/tun0: Too many open files"
	[ "$(tun_devices)" = tun0 ]
	[ "$(sysfs tun0 group)" = -1 ]
}

@test "without /sys mounted, commands say so" {
	t add tun0 >/dev/null
	for how in "umount -l /sys" "mount -t tmpfs none /sys"; do
		# (list and show need no /sys: list.bats, show.bats; nor does
		# set of link settings, below.)
		for cmd in "del --all" "del tun0" "add tun0 --exist-ok --group 0" "set tun0 --mtu 1400 --user 0"; do
			run --separate-stderr in_ns unshare -m sh -c "$how && exec \"\$0\" $cmd" "$TUNCTL"
			assert_error 1 "/sys is not mounted"
		done
	done
	[ "$(tun_devices)" = tun0 ]
	[ "$(link_json tun0 | jq .[0].mtu)" = 1500 ]
	[ "$(sysfs tun0 group)" = -1 ]
	# The link settings, and what undo would put back, come from netlink.
	run --separate-stderr in_ns unshare -m sh -c "umount -l /sys && exec \"\$0\" set tun0 --mtu 1400" "$TUNCTL"
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	[ "$(link_json tun0 | jq .[0].mtu)" = 1400 ]
	# So does the device add --exist-ok adopts, when no attach is needed.
	run --separate-stderr in_ns unshare -m sh -c "umount -l /sys && exec \"\$0\" add tun0 --exist-ok --mtu 1300" "$TUNCTL"
	[ "$status" -eq 0 ] && [ "$output" = tun0 ] || { echo "$status $output $stderr"; return 1; }
	[ "$(link_json tun0 | jq .[0].mtu)" = 1300 ]
}

@test "attach: a memory stream whose last realloc fails is out of memory, never a write from NULL" {
	build_failalloc
	command -v ping >/dev/null || skip "ping (iputils-ping) is not installed"
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	oom=0
	# The first reallocs of a run after the lookup's one (dev_lookup's
	# array): the output streams closed at each flush.
	for n in $(seq 2 7); do
		(exec ip netns exec "$NS" env LD_PRELOAD="$BATS_TEST_TMPDIR/failalloc.so" \
			TUNCTL_FAIL_ONLY=realloc TUNCTL_FAIL_ALLOC=$n "$TUNCTL" attach tun0 --count 2 \
			>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err") &
		pid=$!
		wait_until -t 5 "in_ns grep -qs 'iff:.tun0\$' /proc/$pid/fdinfo/* || ! kill -0 $pid 2>/dev/null"
		in_ns ping -c 3 -i 0.2 -W 1 192.0.2.2 >/dev/null || true
		status=0
		wait $pid || status=$?
		stderr=$(cat "$BATS_TEST_TMPDIR/err")
		output=$(cat "$BATS_TEST_TMPDIR/out")
		[[ "$stderr" != *"Bad address"* ]] || { echo "realloc $n: $stderr"; false; }
		if [ "$status" -ne 0 ]; then
			oom=$((oom + 1))
			# attach streams: lines of the packets before the failure stay.
			output=
			assert_error 1 "writing output: Cannot allocate memory"
		else
			[[ "$stderr" == "2 packets, "* ]]
		fi
	done
	[ "$oom" -gt 0 ]
}

# Builds $BATS_TEST_TMPDIR/pwerr.so: getpwuid_r finds no entry and returns
# the errno TUNCTL_PW_ERR gives (a number; 0: no such entry).
build_pwerr() {
	command -v cc >/dev/null || skip "no C compiler for the getpwuid_r shim"
	grep -q __asan_init "$TUNCTL" && skip "a sanitizer build must come first in the preload list"
	cat >"$BATS_TEST_TMPDIR/pwerr.c" <<'C'
#include <pwd.h>
#include <stdlib.h>
int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **res)
{
	(void)uid; (void)pw; (void)buf; (void)len;
	*res = NULL;
	return atoi(getenv("TUNCTL_PW_ERR"));
}
C
	cc -shared -fPIC -O1 -o "$BATS_TEST_TMPDIR/pwerr.so" "$BATS_TEST_TMPDIR/pwerr.c"
}

# tunctl in the namespace with getpwuid_r answering errno $1.
t_pwerr() {
	local e=$1
	shift
	in_ns env LD_PRELOAD="$BATS_TEST_TMPDIR/pwerr.so" TUNCTL_PW_ERR="$e" "$TUNCTL" "$@"
}

@test "getpwuid_r's answers: a user's groups fail on any error; a name shown takes EPERM and ESRCH for no entry" {
	build_pwerr
	t add tun0 --user 65534 >/dev/null
	# Reading the owner's groups: only "no entry" (0) is no entry.
	for e in 1:"Operation not permitted" 3:"No such process" 5:"Input/output error"; do
		run --separate-stderr t_pwerr "${e%%:*}" check --user 65534 tun0
		assert_error 1 "reading the groups of uid 65534: ${e#*:}"
		run --separate-stderr t_pwerr "${e%%:*}" set tun0 --group nogroup
		assert_error 1 "telling whether tun0's owner 65534 is in group nogroup: ${e#*:}"
		[ "$(sysfs tun0 group)" = -1 ]
	done
	# A name to show: EPERM and ESRCH are "no such entry" too
	# (getpwuid_r(3)), so the number; EIO fails.
	for e in 1 3 0; do
		run --separate-stderr t_pwerr "$e" show tun0
		[ "$status" -eq 0 ] && [ -z "$stderr" ]
		[[ "$output" == *"owner 65534  group -"* ]]
	done
	run --separate-stderr t_pwerr 5 show tun0
	assert_error 1 "tun0: looking up its owner (uid 65534): Input/output error"
	# No entry at all: nothing known to refuse, so the group is set.
	run --separate-stderr t_pwerr 0 check --user 65534 tun0
	[ "$status" -le 1 ] && [ -z "$stderr" ]
	run --separate-stderr t_pwerr 0 set tun0 --group nogroup
	[ "$status" -eq 0 ]
	[ "$(sysfs tun0 group)" = "$(getent group nogroup | cut -d: -f3)" ]
}
