#!/usr/bin/env bats
load helpers
@test "placeholder configure" { true; }
