#!/usr/bin/env bats
# The command line: help, version, global options, usage errors. No kernel
# state is needed, so these run as any user.
bats_require_minimum_version 1.5.0
load helpers

@test "--help and help print the usage and exit 0" {
	for args in "--help" "-h" "help"; do
		run --separate-stderr "$TUNCTL" $args
		[ "$status" -eq 0 ]
		[[ "$output" == "Usage: tunctl"* ]]
		for c in add del list show set addr route attach; do
			[[ "$output" == *"  $c "* ]]
		done
		[ -z "$stderr" ]
	done
}

@test "COMMAND --help, -h after the command and help COMMAND" {
	for c in add del list show set addr route attach; do
		run --separate-stderr "$TUNCTL" $c --help
		[ "$status" -eq 0 ]
		[[ "$output" == "Usage: tunctl $c"* ]]
		run "$TUNCTL" help $c
		[[ "$output" == "Usage: tunctl $c"* ]]
	done
	run "$TUNCTL" add -h
	[[ "$output" == *"--exist-ok"* ]]
}

@test "--version" {
	run "$TUNCTL" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^tunctl\ [0-9]+\.[0-9]+ ]]
}

@test "no command, unknown command, unknown option: exit 2, one line" {
	run --separate-stderr "$TUNCTL"
	assert_error 2 "no command"
	run --separate-stderr "$TUNCTL" frobnicate
	assert_error 2 frobnicate
	run --separate-stderr "$TUNCTL" --frob list
	assert_error 2 --frob
	run --separate-stderr "$TUNCTL" list --frob
	assert_error 2 --frob
	run --separate-stderr "$TUNCTL" help frobnicate
	assert_error 2 frobnicate
	run --separate-stderr "$TUNCTL" -j
	assert_error 2 "no command"
	run --separate-stderr "$TUNCTL" --json=yes list
	assert_error 2 --json
}

@test "options take values as --opt=value too" {
	ns_setup
	run --separate-stderr t add tun0 --mode=tap --mtu=1400
	[ "$status" -eq 0 ]
	[ "$(link_json tun0 | jq -r .[0].linkinfo.info_data.type)" = tap ]
	[ "$(link_json tun0 | jq .[0].mtu)" = 1400 ]
	ns_teardown
}

@test "-j works before and after the command" {
	ns_setup
	t add tun0
	a=$(t -j list); b=$(t list -j); c=$(t --json list)
	ns_teardown
	[ "$a" = "$b" ] && [ "$b" = "$c" ]
	jq -e '.[0].ifname == "tun0"' <<<"$a"
}

@test "-- ends the options" {
	ns_setup
	run --separate-stderr t add -- --x
	# "--x" is then a name, and a valid one for the kernel.
	[ "$status" -eq 0 ]
	[ "$(tun_devices)" = "--x" ]
	ns_teardown
}
