#!/usr/bin/env bats
# --master DEV and set --nomaster: the device on a bridge (bond, VRF), in
# the same exchange as its other link settings, undone on failure.
bats_require_minimum_version 1.5.0
load helpers

setup() { ns_setup; }
teardown() {
	[ -z "${NS2:-}" ] || ip netns del "$NS2" 2>/dev/null || true
	ns_teardown
}

master_of() { link_json "$1" | jq -r '.[0].master // "<none>"'; }

@test "--master on add, set, save, apply and show; set --nomaster; ip -j's master" {
	in_ns ip link add br0 type bridge
	in_ns ip link add br1 type bridge
	run t add tap0 --mode tap --master br0 --mtu 1400
	[ "$status" -eq 0 ]
	[ "$(master_of tap0)" = br0 ]
	[ "$(link_json tap0 | jq -r '.[0].linkinfo.info_slave_kind')" = bridge ]
	[ "$(t -j show tap0 | jq -r .master)" = br0 ]
	t show tap0 | grep -q '^    link .*  master br0$'
	t save tap0 | grep -q -- ' --master br0$'
	t add tun0
	[ "$(t -j list | jq -c 'map([.ifname, .master // "<none>"])')" = '[["tap0","br0"],["tun0","<none>"]]' ]
	run t list
	[[ "${lines[0]}" =~ \ MASTER$ ]]
	[[ "${lines[1]}" =~ ^tap0\ .*\ br0$ ]]
	[[ "${lines[2]}" =~ ^tun0\ .*\ -$ ]]
	run t set tap0 --master br1
	[ "$status" -eq 0 ]
	[ "$(master_of tap0)" = br1 ]
	run t set tap0 --nomaster
	[ "$status" -eq 0 ]
	[ "$(master_of tap0)" = "<none>" ]
	[ "$(t -j show tap0 | jq -r '.master // "<none>"')" = "<none>" ]
	run t -j apply --dry-run - <<<'add tap0 --mode tap --mtu 1400 --master br0'
	# tun0, not in the file, is a note (kept), not a change.
	[ "$(jq -c '[.changes[] | select(.op != "note")]' <<<"$output")" = '[{"device":"tap0","op":"set","setting":"master","from":"","to":"br0"}]' ]
	[ "$(jq -c '[.changes[] | select(.op == "note") | .device]' <<<"$output")" = '["tun0"]' ]
	run t apply - <<<'add tap0 --mode tap --mtu 1400 --master br0'
	[ "$status" -eq 0 ]
	[ "$(master_of tap0)" = br0 ]
	# iproute2's word.
	run --separate-stderr t set tap0 master br1
	assert_error 2 "tunctl set tap0 --master br1"
	run --separate-stderr t set tap0 nomaster
	assert_error 2 "tunctl set tap0 --nomaster"
	run --separate-stderr t set tap0 --master br1 --nomaster
	assert_error 2 "--master and --nomaster conflict"
	run --separate-stderr t set tap0 --master ""
	assert_error 2 "--master needs a device name"
	run --separate-stderr t set tap0 --master a/b
	assert_error 2 "must not contain"
	[ "$(master_of tap0)" = br0 ]
}

@test "--master errors: no such device, not a master (put back as it was), one in another namespace" {
	in_ns ip link add br0 type bridge
	t add tap0 --mode tap --master br0 --mtu 1400
	t add tap1 --mode tap
	run --separate-stderr t set tap0 --mtu 1300 --master nosuch
	assert_error 1 "tap0: --master nosuch: no device nosuch in this namespace"
	[ "$(master_of tap0)" = br0 ]
	[ "$(link_json tap0 | jq -r '.[0].mtu')" = 1400 ]
	# The kernel releases the device from br0 before it refuses tap1:
	# the old master is put back, with the MTU.
	run --separate-stderr t set tap0 --mtu 1300 --master tap1
	assert_error 1 "tap0: --master tap1: tap1 cannot be a master"
	[ "$(master_of tap0)" = br0 ]
	[ "$(link_json tap0 | jq -r '.[0].mtu')" = 1400 ]
	# A master in another namespace is not one this device can have.
	NS2="$NS-other"
	ip netns add "$NS2"
	ip -n "$NS2" link add brx type bridge
	run --separate-stderr t set tap0 --master brx
	assert_error 1 "no device brx in this namespace"
	[ "$(master_of tap0)" = br0 ]
}

@test "add whose master step fails leaves nothing, alone and in a batch" {
	in_ns ip link add br0 type bridge
	t add tap1 --mode tap
	run --separate-stderr t add tap0 --mode tap --mtu 1400 --master tap1
	assert_error 1 "tap1 cannot be a master"
	run link_json tap0
	[ "$status" -ne 0 ]
	run --separate-stderr t add tap0 --mode tap --master nosuch
	assert_error 1 "no device nosuch"
	run link_json tap0
	[ "$status" -ne 0 ]
	run --separate-stderr t -b - <<-EOF2
		add tapa --mode tap --master br0
		add tapb --mode tap --master tap1
	EOF2
	# The line before stays, as batch keeps what succeeded; tapb is gone.
	[ "$status" -eq 1 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tap1 tapa " ]
	run t -b - <<-EOF2
		add tapc --mode tap --master br0
		add tapb --mode tap --master br0
	EOF2
	[ "$status" -eq 0 ]
	[ "$(master_of tapa)$(master_of tapb)$(master_of tapc)" = br0br0br0 ]
}

@test "--master on a bond and a VRF, where the kernel has them" {
	if ! in_ns ip link add b0 type bond 2>/dev/null; then
		skip "this kernel has no bonding (ip link add b0 type bond fails)"
	fi
	t add tap0 --mode tap --down
	run t set tap0 --master b0
	[ "$status" -eq 0 ]
	[ "$(master_of tap0)" = b0 ]
}

@test "--master on a VRF, where the kernel has it" {
	if ! in_ns ip link add v0 type vrf table 10 2>/dev/null; then
		skip "this kernel has no VRF (ip link add v0 type vrf table 10 fails)"
	fi
	t add tap0 --mode tap --master v0
	[ "$(master_of tap0)" = v0 ]
}
