#!/usr/bin/env bats
# Fault injection (tests/faults/common.bash): del of several devices, of one in use, and
# del --unused beside one in use.
bats_require_minimum_version 1.5.0
load helpers
load faults/common

@test "faults: del of several devices" { fault_case del; }
@test "faults: del refusing a device in use" { fault_case del-busy; }
@test "faults: del --unused, beside a device in use" { fault_case del-unused; }
