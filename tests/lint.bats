#!/usr/bin/env bats
# The suite's own rules, checked on its files: each is a way a test passes
# without testing anything. Needs nothing but the sources.

TESTDIR=$BATS_TEST_DIRNAME

@test "no bare '! cmd' line: bats ignores a negated command's status (use run !, or check the status)" {
	run grep -nE '^[[:space:]]*![[:space:]]' "$TESTDIR"/*.bats "$TESTDIR"/helpers.bash
	[ "$status" -eq 1 ] || { echo "$output"; return 1; }
}

@test "no hand-written wait (a sleep as a command): wait_until, which fails the test on timeout" {
	# "sleep N &" (a process to look at) is not a wait; helpers.bash's
	# wait_until is the one poll. Apart: completion.bats's driver of zsh,
	# zsh code that fails ("zsh did not complete") when its loop ends.
	run grep -nE '(^|[;&|{(]|\b(then|do|else))[[:space:]]*sleep[[:space:]]+[0-9.]+[[:space:]]*(;|\)|$)' "$TESTDIR"/*.bats
	[ "$status" -le 1 ] || return 1
	output=$(grep -v 'completion\.bats:[0-9]*:	for i in {1\.\.200}; do \[\[ -e \$tmp/done \]\] && break; while zpty -rt z junk; do :; done; sleep 0\.05; done$' <<<"$output" || true)
	[ -z "$output" ] || { echo "$output"; return 1; }
}

@test "every tests/*.bats is registered in Makefile.am's BATS_TESTS, once" {
	local f n
	for f in "$TESTDIR"/*.bats; do
		n=$(grep -cE "^[[:space:]]*tests/$(basename "$f")([[:space:]]*\\\\)?\$" "$TESTDIR/../Makefile.am" || true)
		[ "$n" -eq 1 ] || { echo "tests/$(basename "$f") is listed $n times in Makefile.am"; return 1; }
	done
}
