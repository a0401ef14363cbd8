#!/usr/bin/env bats
# The model-based random test (tests/random/modeltest.py, issue 27): random
# valid and invalid commands, kill -9 and concurrent runs, the namespace
# read back with ip and sysfs after every step and compared with a model.
# Here with a fixed seed and a bounded time; by hand it runs longer with
# another seed: tests/random/modeltest.py --help.

load helpers

setup() { need_root; }

@test "random commands, kills and concurrent runs keep the namespace as the model says (fixed seed)" {
	# MODELTEST_SEED and MODELTEST_TIME override the defaults by hand.
	run python3 "$BATS_TEST_DIRNAME/random/modeltest.py" \
		--seed "${MODELTEST_SEED:-27}" --time "${MODELTEST_TIME:-40}" --tunctl "$TUNCTL"
	echo "$output"
	# its summary (seed, steps, mismatches) on make check's console
	grep '^seed ' <<<"$output" | sed 's/^/# /' >&3
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 mismatches"* ]]
}
