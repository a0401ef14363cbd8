#!/usr/bin/env bats
# Fault injection (issue 12): each command of a representative kind is run
# once per fault point, with exactly one system call failed (strace inject)
# or one allocation failed (tests/faults/failmalloc.so), and every run must
# fail cleanly or succeed completely. tests/faults/drive does the work and
# prints, per command, the points tried, sampled and clean and each class of
# exception, with a reproducer for each failing point.
# FAULTS_BUDGET sets the points per command and kind (default 150; 40 on a
# sanitizer build).
bats_require_minimum_version 1.5.0
load helpers

DRIVE="$BATS_TEST_DIRNAME/faults/drive"
# The shim is built next to the tests in the build tree (make check builds it).
FAILMALLOC_SO=${FAILMALLOC_SO:-$(cd "$(dirname "$TUNCTL")/.." && pwd)/tests/faults/failmalloc.so}
export FAILMALLOC_SO TUNCTL

setup() {
	need_root
	command -v strace >/dev/null || skip "needs strace"
	command -v python3 >/dev/null || skip "needs python3"
}

# Runs the driver on one case; its report goes to the TAP log either way.
fault_case() {
	run "$DRIVE" "$1"
	printf '%s\n' "$output" | sed 's/^/# /' >&3
	[ "$status" -eq 0 ]
}

@test "faults: add with addresses, peer, routes, MTU, MAC, owner" { fault_case add; }
@test "faults: add --exist-ok on a device missing an address" { fault_case add-exist-ok; }
@test "faults: set mtu, mac, txqueuelen, user" { fault_case set; }
@test "faults: del of several devices" { fault_case del; }
@test "faults: del refusing a device in use" { fault_case del-busy; }
@test "faults: del --all" { fault_case del-all; }
@test "faults: a five-line batch" { fault_case batch; }
@test "faults: apply --prune, converging, creating and deleting" { fault_case apply; }
@test "faults: addr add" { fault_case addr-add; }
@test "faults: route add" { fault_case route-add; }
@test "faults: list" { fault_case list; }
