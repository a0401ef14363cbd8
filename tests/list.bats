#!/usr/bin/env bats
# tunctl list: only TUN/TAP devices, from sysfs; text table and JSON.
bats_require_minimum_version 1.5.0
load helpers

setup() { ns_setup; }
teardown() { ns_teardown; }

@test "an empty namespace lists nothing" {
	run --separate-stderr t list
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr t -j list
	[ "$output" = "[]" ]
}

@test "list shows TUN/TAP devices only, as an aligned table" {
	in_ns ip tuntap add tun0 mode tun
	in_ns ip tuntap add tap0 mode tap user 65534 group 65534 multi_queue vnet_hdr
	in_ns ip link add v0 type veth peer name v1
	run --separate-stderr t list
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NAME  MODE  FLAGS                         OWNER   GROUP" ]
	[[ "${lines[1]}" =~ ^tap0\ +tap\ +persist,vnet_hdr,multi_queue\ +nobody\ +nogroup$ ]]
	[[ "${lines[2]}" =~ ^tun0\ +tun\ +persist\ +-\ +-$ ]]
	[ "${#lines[@]}" -eq 3 ]
}

@test "list -j matches sysfs for every device" {
	in_ns ip tuntap add tun0 mode tun pi
	in_ns ip tuntap add tap0 mode tap user 1234
	t add tap1 --mode tap --group 4321 --vnet-hdr
	run --separate-stderr t list -j
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 3 ]
	for d in tun0 tap0 tap1; do
		o=$(jq -c --arg d "$d" '.[] | select(.ifname == $d)' <<<"$output")
		info=$(link_json "$d" | jq -c .[0].linkinfo.info_data)
		[ "$(jq -r .mode <<<"$o")" = "$(jq -r .type <<<"$info")" ]
		for k in pi vnet_hdr multi_queue persist; do
			[ "$(jq -r .$k <<<"$o")" = "$(jq -r .$k <<<"$info")" ]
		done
		owner=$(sysfs "$d" owner); group=$(sysfs "$d" group)
		[ "$(jq -r .owner <<<"$o")" = "$([ "$owner" = -1 ] && echo null || echo "$owner")" ]
		[ "$(jq -r .group <<<"$o")" = "$([ "$group" = -1 ] && echo null || echo "$group")" ]
	done
}

@test "list --mode and the ls alias" {
	in_ns ip tuntap add tun0 mode tun
	in_ns ip tuntap add tap0 mode tap
	run t -j ls --mode tap
	[ "$(jq -r '.[].ifname' <<<"$output")" = tap0 ]
	run t list --mode tun -j
	[ "$(jq -r '.[].ifname' <<<"$output")" = tun0 ]
	run --separate-stderr t list --mode eth
	assert_error 2 eth
	run --separate-stderr t list extra
	assert_error 2 extra
}

@test "a directory read error fails list, never an empty listing" {
	command -v strace >/dev/null || skip "strace is not installed"
	t add tun0 >/dev/null
	run --separate-stderr env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$NS" strace -f -qq -o /dev/null -e trace=getdents64 \
		-e inject=getdents64:error=EIO:when=1 "$TUNCTL" list
	assert_error 1 "reading /sys/class/net: Input/output error"
}
