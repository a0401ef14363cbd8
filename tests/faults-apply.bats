#!/usr/bin/env bats
# Fault injection (tests/faults/common.bash): apply.
bats_require_minimum_version 1.5.0
load helpers
load faults/common

@test "faults: apply --prune, converging, creating and deleting" { fault_case apply; }
