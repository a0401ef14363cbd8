#!/usr/bin/env bats
# tunctl add: persistent devices through the /dev/net/tun ioctls.
bats_require_minimum_version 1.5.0
load helpers

# The bad-input tests ("... exit 2 ...") need no privilege: tunctl refuses
# the input before it touches the kernel. As root they run in the test's
# namespace and also check nothing was made; as an ordinary user, who
# cannot create devices anyway, they run tunctl directly instead of skipping.
setup() {
	NS=
	case "$BATS_TEST_DESCRIPTION" in
	*"exit 2"*) [ "$(id -u)" != 0 ] || ns_setup ;;
	*) ns_setup ;;
	esac
}
teardown() {
	[ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null && wait "$HOLDER" 2>/dev/null
	ns_teardown
}
u() { if [ -n "$NS" ]; then t "$@"; else "$TUNCTL" "$@"; fi; }
none_made() { [ -z "$NS" ] || [ -z "$(tun_devices)" ]; }

# info_data of the device as ip -d -j shows it.
info() { link_json "$1" | jq -c ".[0].linkinfo.info_data"; }

@test "add creates a persistent tun device, up, owned by the caller" {
	run --separate-stderr t add tun0
	[ "$status" -eq 0 ]
	[ "$output" = "tun0" ]
	[ -z "$stderr" ]
	[ "$(info tun0 | jq -r .type)" = tun ]
	[ "$(info tun0 | jq -r .persist)" = true ]
	[ "$(info tun0 | jq -r .pi)" = false ]
	[ "$(sysfs tun0 tun_flags)" = 0x1801 ]
	[ "$(sysfs tun0 owner)" = 0 ]
	[ "$(sysfs tun0 group)" = -1 ]
	link_json tun0 | jq -e '.[0].flags | index("UP")'
}

@test "with standard output closed, add succeeds and writes nothing into the device" {
	t add tun0 --addr 192.0.2.1/24 >&- 2>"$BATS_TEST_TMPDIR/err"
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	[ "$(link_json tun0 | jq -r '.[0].ifname')" = tun0 ]
	[ "$(addr_json dev tun0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" = 192.0.2.1 ]
	# Text written into the device would count as received, or dropped.
	[ "$(ip -n "$NS" -s -j link show tun0 | jq '.[0].stats64 | .rx.packets + .rx.dropped + .rx.errors')" -eq 0 ]
	t -j list >&-
}

@test "add --mode tap with flags sets them" {
	run t add tap0 --mode tap --pi --vnet-hdr --multi-queue
	[ "$status" -eq 0 ]
	[ "$(info tap0 | jq -r .type)" = tap ]
	[ "$(info tap0 | jq -r .pi)" = true ]
	[ "$(info tap0 | jq -r .vnet_hdr)" = true ]
	[ "$(info tap0 | jq -r .multi_queue)" = true ]
	[ "$(info tap0 | jq -r .persist)" = true ]
}

@test "add --user and --group by name and number" {
	run t add tun0 --user nobody --group nogroup
	[ "$status" -eq 0 ]
	[ "$(sysfs tun0 owner)" = 65534 ]
	[ "$(sysfs tun0 group)" = 65534 ]
	run t add tun1 --user 1234
	[ "$status" -eq 0 ]
	[ "$(sysfs tun1 owner)" = 1234 ]
	[ "$(sysfs tun1 group)" = -1 ]
	run t add tun2 --group 4321
	[ "$status" -eq 0 ]
	[ "$(sysfs tun2 owner)" = -1 ]
	[ "$(sysfs tun2 group)" = 4321 ]
}

@test "add --any-user leaves owner and group unset" {
	run t add tun0 --any-user
	[ "$status" -eq 0 ]
	[ "$(sysfs tun0 owner)" = -1 ]
	[ "$(sysfs tun0 group)" = -1 ]
}

@test "a name template prints the name the kernel chose" {
	run t add tap%d --mode tap
	[ "$status" -eq 0 ]
	[ "$output" = tap0 ]
	run t add tap%d --mode tap
	[ "$output" = tap1 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tap0 tap1 " ]
}

@test "add refuses a bare %d, and an IPv6 address on an MTU under 1280, saying why" {
	run --separate-stderr t add %d
	assert_error 2 'tun%d'
	[ -z "$(tun_devices)" ]
	run --separate-stderr t add v6 --mtu 1200 --addr 2001:db8::1/64
	assert_error 2 "at least 1280"
	[ -z "$(tun_devices)" ]
	t add v6 --mtu 1200 >/dev/null
	run --separate-stderr t addr add v6 2001:db8::1/64
	assert_error 1 "IPv6 needs an MTU of at least 1280"
	[ "$(addr_json v6 | jq '[.[0].addr_info[] | select(.family == "inet6" and .scope == "global")] | length')" = 0 ]
}

@test "add -j prints the name as JSON" {
	run --separate-stderr t -j add tun0
	[ "$status" -eq 0 ]
	[ "$(jq -r .ifname <<<"$output")" = tun0 ]
	[ "$(jq -r .created <<<"$output")" = true ]
}

@test "an existing device is never adopted" {
	in_ns ip tuntap add tun0 mode tun
	run --separate-stderr t add tun0 --user nobody
	assert_error 1 "tun0"
	[[ "$stderr" == *exists* ]]
	# Left as it was: owner still unset.
	[ "$(sysfs tun0 owner)" = -1 ]
}

@test "a name held by another kind of device says so" {
	in_ns ip link add dummy0 type veth peer name dummy1
	run --separate-stderr t add dummy0
	assert_error 1 "dummy0"
}

@test "bad names are refused with exit 2 and nothing is created" {
	for name in "" abcdefghijklmnop "a/b" "a:b" "a b" . .. "x%s"; do
		run --separate-stderr u add "$name"
		assert_error 2 "$name"
	done
	none_made
}

@test "unknown mode, user and group exit 2 naming the value" {
	run --separate-stderr u add tun0 --mode tan
	assert_error 2 tan
	run --separate-stderr u add tun0 --user no-such-user-xyz
	assert_error 2 no-such-user-xyz
	run --separate-stderr u add tun0 --group no-such-group-xyz
	assert_error 2 no-such-group-xyz
	none_made
}

@test "missing name and unknown option exit 2" {
	run --separate-stderr u add
	assert_error 2 add
	run --separate-stderr u add tun0 --colour
	assert_error 2 --colour
	run --separate-stderr u add tun0 --mode
	assert_error 2 --mode
	none_made
}

@test "without CAP_NET_ADMIN add fails with the hint" {
	command -v setpriv >/dev/null || skip "no setpriv"
	run --separate-stderr in_ns setpriv --inh-caps=-net_admin --bounding-set=-net_admin "$TUNCTL" add tun0
	assert_error 1 CAP_NET_ADMIN
	[[ "$stderr" == *"setcap cap_net_admin+ep"* ]]
	[ -z "$(tun_devices)" ]
}

# What add prints is part of it: a device whose name could not be written
# out is not kept, and no address of it is left.
no_device_left() {
	[ -z "$(tun_devices)" ] || { echo "left: $(tun_devices)"; return 1; }
	[ "$(ip -n "$NS" -j link | jq -c '[.[].ifname]')" = '["lo"]' ]
	[ "$(addr_json | jq '[.[].addr_info[] | select(.local == "192.0.2.1")] | length')" -eq 0 ]
}

@test "add with standard output on /dev/full: exit 1, the write error, no device left" {
	for args in "add f0 --addr 192.0.2.1/24" "-j add f0 --addr 192.0.2.1/24" \
		"add f0 --exist-ok --addr 192.0.2.1/24" "add f%d --addr 192.0.2.1/24"; do
		# shellcheck disable=SC2086
		run --separate-stderr t_full $args
		assert_error 1 "writing output: No space left on device" || { echo "tunctl $args"; return 1; }
		[ "$stderr" = "tunctl: writing output: No space left on device" ] ||
			jq -e '.errno == "ENOSPC"' <<<"$stderr"
		no_device_left || { echo "tunctl $args"; return 1; }
	done
}

@test "add | true (the reader gone): EPIPE is an error like any other, exit 1, no device left" {
	for args in "add f0 --addr 192.0.2.1/24" "-j add f0 --addr 192.0.2.1/24" \
		"add f0 --exist-ok --addr 192.0.2.1/24"; do
		# shellcheck disable=SC2086
		run t_to_true $args
		# Not 141: SIGPIPE does not kill it half way.
		[ "$status" -eq 1 ] || { echo "tunctl $args: status $status"; return 1; }
		[ "$(cat "$BATS_TEST_TMPDIR/stderr")" = "tunctl: writing output: Broken pipe" ] ||
			jq -e '.error == "writing output: Broken pipe" and .errno == "EPIPE"' "$BATS_TEST_TMPDIR/stderr"
		no_device_left || { echo "tunctl $args"; return 1; }
	done
}

@test "add --exist-ok on an existing device whose output fails: what it added is undone" {
	t add e0 >/dev/null
	for how in t_full t_to_true; do
		run --separate-stderr "$how" add e0 --exist-ok --mtu 1400 --addr 192.0.2.1/24 --route 198.51.100.0/24
		[ "$status" -eq 1 ] || { echo "$how: status $status"; return 1; }
		[ "$(tun_devices)" = e0 ]
		[ "$(link_json e0 | jq .[0].mtu)" -eq 1500 ]
		[ "$(addr_json dev e0 | jq '[.[0].addr_info[] | select(.family == "inet")] | length')" -eq 0 ]
		[ "$(route_json dev e0 | jq length)" -eq 0 ]
	done
	[ "$(cat "$BATS_TEST_TMPDIR/stderr")" = "tunctl: writing output: Broken pipe" ]
	# With output that works, the same line does it all.
	run --separate-stderr t add e0 --exist-ok --mtu 1400 --addr 192.0.2.1/24 --route 198.51.100.0/24
	[ "$status" -eq 0 ]
	[ "$output" = e0 ]
	[ "$(link_json e0 | jq .[0].mtu)" -eq 1400 ]
}

info_data() { link_json "$1" | jq -c ".[0].linkinfo.info_data | {$2}"; }

@test "add --exist-ok: pi and vnet-hdr of a device held by a process /proc does not show are left, per the kernel" {
	command -v setpriv >/dev/null || skip "no setpriv"
	# Multi-queue: the kernel counts the queues attached.
	t add m0 --mode tap --multi-queue --vnet-hdr --any-user >/dev/null
	hold_device m0 0x5102       # IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE
	local first=$HOLDER
	run --separate-stderr t_unseen add m0 --mode tap --multi-queue --any-user --exist-ok
	[ "$status" -eq 0 ] || { echo "status $status: $stderr"; return 1; }
	[ "$output" = m0 ]
	[[ "$stderr" == "tunctl: warning: m0 has vnet-hdr on, not off: left as set by the process that has it open, one tunctl cannot see in /proc" ]]
	[ "$(info_data m0 vnet_hdr,numqueues)" = '{"vnet_hdr":true,"numqueues":1}' ]
	# Single-queue: a second reader is refused (EBUSY).
	t add s0 --mode tap --vnet-hdr --any-user >/dev/null
	hold_device s0 0x5002       # IFF_TAP | IFF_NO_PI | IFF_VNET_HDR
	run --separate-stderr t_unseen add s0 --mode tap --any-user --exist-ok
	[ "$status" -eq 0 ] || { echo "status $status: $stderr"; return 1; }
	[ "$output" = s0 ]
	[[ "$stderr" == *"s0 has vnet-hdr on, not off: left as set by the process that has it open, one tunctl cannot see in /proc"* ]]
	[ "$(info_data s0 vnet_hdr)" = '{"vnet_hdr":true}' ]
	# Nobody holds it any more: set back.
	kill "$first" "$HOLDER"
	wait "$first" "$HOLDER" 2>/dev/null || true
	HOLDER=
	run --separate-stderr t_unseen add m0 --mode tap --multi-queue --any-user --exist-ok
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$(info_data m0 vnet_hdr,numqueues)" = '{"vnet_hdr":false,"numqueues":0}' ]
}
