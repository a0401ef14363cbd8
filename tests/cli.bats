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
	# list -j has the operstate, which the kernel settles asynchronously.
	settle
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

@test "typos and misplaced options: the nearest name, the place it goes" {
	while IFS=$'\t' read -r msg args; do
		IFS='|' read -r -a argv <<<"$args"
		run --separate-stderr "$TUNCTL" "${argv[@]}"
		assert_error 2 "" || { echo "case: $args"; return 1; }
		[ "$stderr" = "$msg" ] || { echo "case: $args"; echo "got:  $stderr"; echo "want: $msg"; return 1; }
	done <<-'T'
		tunctl: unknown command "lsit"; did you mean "list"?	lsit
		tunctl: unknown command "rotue"; did you mean "route"?	help|rotue
		tunctl: unknown option "--mdoe" for "add"; did you mean "--mode"?	add|x1|--mdoe|tun
		tunctl: unknown option "--multiqueue" for "add"; did you mean "--multi-queue"?	add|x1|--multiqueue
		tunctl: unknown option "--jsno" for "list"; did you mean "--json"?	list|--jsno
		tunctl: unknown option "--txqlen" for "set"; did you mean "--txqueuelen"?	set|x1|--txqlen|100
		tunctl: unknown option "--frob" for "list" (see tunctl list --help)	list|--frob
		tunctl: "-n" goes before the command: tunctl -n blue list -j	list|-n|blue|-j
		tunctl: "--netns" goes before the command: tunctl --netns blue show x1	show|x1|--netns|blue
		tunctl: "-n" goes before the command: tunctl -n blue set x1 --up ("set NAME --netns NETNS" moves a device there)	set|x1|-n|blue|--up
		tunctl: --force before the command goes with -b; put it after the command: tunctl del --all --force	--force|del|--all
		tunctl: --force before the command goes with -b (tunctl -b FILE --force); "add" has no --force	--force|add|x1
		tunctl: --force goes with -b FILE (see tunctl --help)	--force
	T
}

@test "--help says --force before the command is -b's, and set --yes" {
	run --separate-stderr "$TUNCTL" --help
	[[ "$output" == *"--force           with --batch: go on after a failing line (del's own"* ]]
	run --separate-stderr "$TUNCTL" set --help
	[[ "$output" == *"--yes "*"locking"* ]]
}

@test "-j: a failure is one JSON object on stderr (message, errno, device, FILE:LINE, exit), stdout empty" {
	ns_setup
	run --separate-stderr t -j set nosuch0 --mtu 1400
	[ "$status" -eq 1 ] && [ -z "$output" ]
	jq -e '. == {"error": "device nosuch0 does not exist", "device": "nosuch0", "exit": 1, "class": "failed"}' <<<"$stderr"
	t add tun0 >/dev/null
	run --separate-stderr t -j set tun0 --mtu 20
	[ "$status" -eq 1 ] && [ -z "$output" ]
	jq -e '.errno == "EINVAL" and .device == "tun0" and (.error | startswith("tun0: mtu 20: ")) and .exit == 1' <<<"$stderr"
	run --separate-stderr t -j frobnicate
	[ "$status" -eq 2 ] && [ -z "$output" ]
	jq -e '.class == "usage" and .exit == 2 and (.error | contains("frobnicate"))' <<<"$stderr"
	b=$BATS_TEST_TMPDIR/b
	printf 'set tun0 --mtu 1400\nset tun0 --mtu 20\n' >"$b"
	run --separate-stderr t -j -b "$b"
	[ "$status" -eq 1 ] && [ -z "$output" ]
	jq -e --arg w "$b:2" '.where == $w and .errno == "EINVAL" and .device == "tun0"' <<<"$stderr"
	[ "$(link_json tun0 | jq .[0].mtu)" = 1400 ]
	# Without -j: the text line.
	run --separate-stderr t set tun0 --mtu 20
	assert_error 1 "mtu 20"
	[[ "$stderr" == "tunctl: "* ]]
	ns_teardown
}
