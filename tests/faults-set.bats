#!/usr/bin/env bats
# Fault injection (tests/faults/common.bash): set and list.
bats_require_minimum_version 1.5.0
load helpers
load faults/common

@test "faults: set mtu, mac, txqueuelen, user" { fault_case set; }
@test "faults: set --name (an up device renamed, its addresses and routes put back)" { fault_case set-rename; }
@test "faults: list" { fault_case list; }
