#!/usr/bin/env bats
# Scripts written for the classic (UML utilities) tunctl keep working.
bats_require_minimum_version 1.5.0
load helpers

setup() { ns_setup; }
teardown() { ns_teardown; }

info() { link_json "$1" | jq -r ".[0].linkinfo.info_data.$2"; }

@test "tunctl -t tap0 -u nobody: a persistent tap owned by nobody" {
	run --separate-stderr t -t tap0 -u nobody
	[ "$status" -eq 0 ]
	[ "$output" = "Set 'tap0' persistent and owned by uid 65534" ]
	[ "$(info tap0 type)" = tap ]
	[ "$(info tap0 persist)" = true ]
	[ "$(sysfs tap0 owner)" = 65534 ]
	# IFF_NO_PI, as the classic tool asked for.
	[ "$(info tap0 pi)" = false ]
}

@test "tunctl -n -t tun0: a tun device, owned by the caller" {
	run t -n -t tun0
	[ "$status" -eq 0 ]
	[ "$output" = "Set 'tun0' persistent and owned by uid 0" ]
	[ "$(info tun0 type)" = tun ]
	[ "$(sysfs tun0 owner)" = 0 ]
}

@test "tunctl -b prints only the name; -b -n makes a tun" {
	run t -b
	[ "$status" -eq 0 ]
	[ "$output" = tap0 ]
	[ "$(info tap0 type)" = tap ]
	run t -b -n
	[ "$output" = tun0 ]
	[ "$(info tun0 type)" = tun ]
	run t -b -p
	[ "$output" = tap1 ]
}

@test "-g GROUP, -f PATH, and a name template" {
	run t -t 'cls%d' -g nogroup -f /dev/net/tun
	[ "$status" -eq 0 ]
	[ "$output" = "Set 'cls0' persistent and owned by gid 65534" ]
	[ "$(sysfs cls0 group)" = 65534 ]
	[ "$(sysfs cls0 owner)" = -1 ]
}

@test "an existing device is taken over, as the classic tool did" {
	in_ns ip tuntap add tap0 mode tap
	run t -t tap0 -u 1234
	[ "$status" -eq 0 ]
	[ "$(sysfs tap0 owner)" = 1234 ]
}

@test "tunctl -d tap0 deletes it" {
	t -t tap0 >/dev/null
	run --separate-stderr t -d tap0
	[ "$status" -eq 0 ]
	[ "$output" = "Set 'tap0' nonpersistent" ]
	[ -z "$(tun_devices)" ]
	# Missing: what the classic tool printed, and exit 0 (scripts under
	# set -e rely on it); nothing is made.
	run --separate-stderr t -d tap0
	[ "$status" -eq 0 ]
	[ "$output" = "Set 'tap0' nonpersistent" ]
	[ -z "$stderr" ]
	[ -z "$(tun_devices)" ]
	# A device that is not TUN/TAP is still an error.
	run --separate-stderr t -d lo
	assert_error 1 lo
}

@test "-n -t NAME refuses an existing tap, -p an existing tun; nothing changes" {
	in_ns ip tuntap add tap0 mode tap
	in_ns ip tuntap add tun0 mode tun
	run --separate-stderr t -n -t tap0
	assert_error 1 "tap0 is a tap device, not tun"
	[ "$(info tap0 type)" = tap ]
	[ "$(sysfs tap0 owner)" = -1 ]
	run --separate-stderr t -p -t tun0 -u 1234
	assert_error 1 "tun0 is a tun device, not tap"
	[ "$(sysfs tun0 owner)" = -1 ]
	# Without -n or -p an existing device is taken over, whatever its mode.
	run --separate-stderr t -t tun0 -u 1234
	[ "$status" -eq 0 ]
	[ "$(sysfs tun0 owner)" = 1234 ]
}

# A classic usage error: exit 1, the message, then the classic usage text.
classic_usage_error() {
	[ "$status" -eq 1 ] || { echo "status $status, want 1: $stderr"; return 1; }
	[ -z "$output" ]
	[[ "${stderr%%$'\n'*}" == "tunctl: "*"$1"* ]] || { echo "first line does not name '$1': $stderr"; return 1; }
	grep -q '^Create: tunctl \[-b\] \[-u owner\] \[-g group\] \[-t device-name\]' <<<"$stderr"
	grep -q '^Delete: tunctl -d device-name \[-f tun-clone-device\]$' <<<"$stderr"
}

@test "bad classic input: exit 1 with the classic usage text, nothing made" {
	run --separate-stderr t -t
	classic_usage_error -t
	run --separate-stderr t -t tap0 -u no-such-user-xyz
	classic_usage_error no-such-user-xyz
	run --separate-stderr t -t tap0 -g no-such-group-xyz
	classic_usage_error no-such-group-xyz
	run --separate-stderr t -t tap0 -x
	classic_usage_error -x
	run --separate-stderr t -t 'a/b'
	classic_usage_error a/b
	run --separate-stderr t -t tap0 -bx
	classic_usage_error -x
	run --separate-stderr t -ttap0 extra
	classic_usage_error extra
	run --separate-stderr t -pt
	classic_usage_error -t
	run --separate-stderr t -d
	classic_usage_error -d
	run --separate-stderr t -t x1 -u ""
	classic_usage_error '-u needs a user name or uid; "" is empty (is $USER set?)'
	# Not a usage error: one line, as the classic tool's.
	run --separate-stderr t -t tap0 -f /nonexistent/tun
	assert_error 1 /nonexistent/tun
	[ -z "$(tun_devices)" ]
}

@test "-n followed by a namespace name is tunctl's own -n, not classic" {
	run --separate-stderr "$TUNCTL" -n "$NS" -j list
	[ "$status" -eq 0 ]
	[ "$output" = "[]" ]
}

@test "getopt style: bundled flags and attached values" {
	run --separate-stderr t -bt ctap1
	[ "$status" -eq 0 ]
	[ "$output" = ctap1 ]
	[ "$(info ctap1 type)" = tap ]
	[ "$(info ctap1 persist)" = true ]
	[ "$(sysfs ctap1 owner)" = 0 ]
	run --separate-stderr t -ttap9
	[ "$status" -eq 0 ]
	[ "$output" = "Set 'tap9' persistent and owned by uid 0" ]
	[ "$(info tap9 type)" = tap ]
	run --separate-stderr t -unobody -t tap2 -gnogroup
	[ "$status" -eq 0 ]
	[ "$output" = "Set 'tap2' persistent and owned by uid 65534 gid 65534" ]
	[ "$(sysfs tap2 owner)" = 65534 ]
	[ "$(sysfs tap2 group)" = 65534 ]
	run --separate-stderr t -nbt tun3
	[ "$status" -eq 0 ]
	[ "$output" = tun3 ]
	[ "$(info tun3 type)" = tun ]
	[ "$(info tun3 persist)" = true ]
	run --separate-stderr t -nbu1234 -f/dev/net/tun -ttun4
	[ "$status" -eq 0 ]
	[ "$output" = tun4 ]
	[ "$(info tun4 type)" = tun ]
	[ "$(sysfs tun4 owner)" = 1234 ]
}

@test "-d ignores -b, -u and -g, as the classic tool did" {
	t -t tap0 -u nobody >/dev/null
	t -t tap1 >/dev/null
	run --separate-stderr t -d tap0 -b
	[ "$status" -eq 0 ]
	[ "$output" = "Set 'tap0' nonpersistent" ]
	run --separate-stderr t -bu nobody -g nogroup -dtap1
	[ "$status" -eq 0 ]
	[ "$output" = "Set 'tap1' nonpersistent" ]
	[ -z "$(tun_devices)" ]
	[ "$(link_json | jq '[.[] | select(.linkinfo.info_kind == "tun")] | length')" = 0 ]
}

@test "-nNETNS and -bFILE with the value attached stay tunctl's own" {
	run --separate-stderr "$TUNCTL" -n"$NS" -j list
	[ "$status" -eq 0 ]
	[ "$output" = "[]" ]
	echo "add tun7" >"$BATS_TEST_TMPDIR/devs"
	run --separate-stderr t -b"$BATS_TEST_TMPDIR/devs"
	[ "$status" -eq 0 ]
	[ "$output" = tun7 ]
	[ "$(info tun7 type)" = tun ]
	[ "$(tun_devices)" = tun7 ]
}
