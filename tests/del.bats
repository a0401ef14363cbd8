#!/usr/bin/env bats
load helpers
@test "placeholder del" { true; }
