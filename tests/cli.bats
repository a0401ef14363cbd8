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

@test "the aliases delete, address and ls: named in --help, same help as their command" {
	run "$TUNCTL" --help
	[[ "$output" == *"del "*"(alias: delete)"* ]]
	[[ "$output" == *"addr "*"(alias: address)"* ]]
	[[ "$output" == *"list "*"(alias: ls)"* ]]
	for pair in delete:del address:addr ls:list; do
		run --separate-stderr "$TUNCTL" "${pair%%:*}" --help
		[ "$status" -eq 0 ]
		[ "$output" = "$("$TUNCTL" "${pair##*:}" --help)" ]
	done
}

@test "set --help: --no-user and --no-group do not claim to clear" {
	run --separate-stderr "$TUNCTL" set --help
	[ "$status" -eq 0 ]
	[[ "$output" != *"clear the"* && "$output" != *"or clear"* ]]
	[[ "$output" == *"--no-user"*"require that none is set"* ]]
	[[ "$output" == *"cannot clear an owner or group once set"* ]]
}

@test "del, set, addr and route print nothing on success, with or without -j" {
	ns_setup
	t add tun0 >/dev/null
	t add tun1 >/dev/null
	for j in "" -j; do
		for cmd in "set tun0 --mtu 1400" "addr add tun0 192.0.2.1/24" "route add tun0 198.51.100.0/24" \
			"route del tun0 198.51.100.0/24" "addr del tun0 192.0.2.1/24" "addr flush tun0"; do
			run --separate-stderr t $j $cmd
			[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ] ||
				{ echo "$j $cmd: status $status, stdout '$output', stderr '$stderr'"; return 1; }
		done
	done
	run --separate-stderr t del tun0
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
	run --separate-stderr t -j del tun1
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
	[ -z "$(tun_devices)" ]
	ns_teardown
}
