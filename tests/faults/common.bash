# Shared by the tests/faults-*.bats files (fault injection, issue 12): each
# command of a representative kind is run once per fault point, with exactly
# one system call failed (strace inject) or one allocation failed
# (tests/faults/failmalloc.so), and every run must fail cleanly or succeed
# completely. tests/faults/drive does the work and prints, per command, the
# points tried, sampled and clean and each class of exception, with a
# reproducer for each failing point. The cases are spread over several
# files so that make check -j runs them side by side.
# FAULTS_BUDGET sets the points per command and kind (default 150; 40 on a
# sanitizer build).
DRIVE="$BATS_TEST_DIRNAME/faults/drive"
# The shim is built next to the tests in the build tree (make check builds it).
FAILMALLOC_SO=${FAILMALLOC_SO:-$(cd "$(dirname "$TUNCTL")/.." && pwd)/tests/faults/failmalloc.so}
export FAILMALLOC_SO TUNCTL

setup() {
	need_root
	command -v strace >/dev/null || skip "needs strace"
	command -v python3 >/dev/null || skip "needs python3"
}

# Runs the driver on one case. Its report goes to the TAP log as it comes
# (the driver says what it is trying before it starts, and how far it got
# every 100 points), so that a long case is never silent.
fault_case() {
	local rc
	"$DRIVE" "$1" 2>&1 | tee "$BATS_TEST_TMPDIR/report" | sed -u 's/^/# /' >&3
	rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/report"; return 1; }
}
