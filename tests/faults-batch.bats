#!/usr/bin/env bats
# Fault injection (tests/faults/common.bash): del --all and a batch.
bats_require_minimum_version 1.5.0
load helpers
load faults/common

@test "faults: del --all" { fault_case del-all; }
@test "faults: a five-line batch" { fault_case batch; }
