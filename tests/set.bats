#!/usr/bin/env bats
load helpers
@test "placeholder set" { true; }
