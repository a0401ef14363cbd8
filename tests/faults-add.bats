#!/usr/bin/env bats
# Fault injection (tests/faults/common.bash): add, add --exist-ok, addr add and route add.
bats_require_minimum_version 1.5.0
load helpers
load faults/common

@test "faults: add with addresses, peer, routes, MTU, MAC, owner" { fault_case add; }
@test "faults: add --exist-ok on a device missing an address" { fault_case add-exist-ok; }
@test "faults: addr add" { fault_case addr-add; }
@test "faults: route add" { fault_case route-add; }
