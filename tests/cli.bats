#!/usr/bin/env bats
load helpers
@test "placeholder cli" { true; }
