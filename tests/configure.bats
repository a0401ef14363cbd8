#!/usr/bin/env bats
# add configures link, addresses and routes; --exist-ok; show reads them back.
bats_require_minimum_version 1.5.0
load helpers

setup() { ns_setup; }
teardown() { ns_teardown; }

addrs() { addr_json dev "$1" | jq -c '[.[0].addr_info[] | select(.scope != "link") | {local, prefixlen, address}]'; }

@test "IPv4 and IPv6 addresses, routes with gateway, metric and table" {
	run --separate-stderr t add tun0 --addr 192.0.2.1/24 --addr 2001:db8::1/64 \
		--route "198.51.100.0/24 via 192.0.2.2 metric 50" --route 203.0.113.0/24 \
		--route "203.0.113.128/25 table 100" --route "2001:db8:1::/48 via 2001:db8::2"
	[ "$status" -eq 0 ]
	addr_json dev tun0 | jq -e '.[0].addr_info[] | select(.local == "192.0.2.1" and .prefixlen == 24)'
	addr_json dev tun0 | jq -e '.[0].addr_info[] | select(.local == "2001:db8::1" and .prefixlen == 64)'
	route_json dev tun0 | jq -e '.[] | select(.dst == "198.51.100.0/24" and .gateway == "192.0.2.2" and .metric == 50)'
	route_json dev tun0 | jq -e '.[] | select(.dst == "203.0.113.0/24" and .scope == "link")'
	ip -n "$NS" -j route show table 100 | jq -e '.[] | select(.dst == "203.0.113.128/25" and .dev == "tun0")'
	ip -n "$NS" -6 -j route show dev tun0 | jq -e '.[] | select(.dst == "2001:db8:1::/48" and .gateway == "2001:db8::2")'
}

@test "--peer makes a point-to-point address: IFA_LOCAL local, IFA_ADDRESS peer" {
	run t add tun0 --addr 192.0.2.1/32 --peer 192.0.2.2
	[ "$status" -eq 0 ]
	addr_json dev tun0 | jq -e '.[0].addr_info[] | select(.local == "192.0.2.1" and .address == "192.0.2.2")'
	route_json dev tun0 | jq -e '.[] | select(.dst == "192.0.2.2")'
}

@test "MTU, txqueuelen and --down" {
	run t add tun0 --mtu 1400 --txqueuelen 77 --down
	[ "$status" -eq 0 ]
	[ "$(link_json tun0 | jq .[0].mtu)" = 1400 ]
	[ "$(link_json tun0 | jq .[0].txqlen)" = 77 ]
	link_json tun0 | jq -e '.[0].flags | index("UP") | not'
}

@test "MAC address on a tap device" {
	run t add tap0 --mode tap --mac 02:00:5e:00:53:01
	[ "$status" -eq 0 ]
	[ "$(link_json tap0 | jq -r .[0].address)" = 02:00:5e:00:53:01 ]
	[ "$(sysfs tap0 address)" = 02:00:5e:00:53:01 ]
}

@test "--mac on a tun device is refused before anything is created" {
	run --separate-stderr t add tun0 --mac 02:00:5e:00:53:01
	assert_error 2 02:00:5e:00:53:01
	[ -z "$(tun_devices)" ]
}

@test "--exist-ok twice succeeds and changes nothing the second time" {
	args=(add tun0 --user nobody --addr 192.0.2.1/24 --route "198.51.100.0/24 via 192.0.2.2" --mtu 1400)
	run --separate-stderr t -j "${args[@]}" --exist-ok
	[ "$status" -eq 0 ]
	[ "$(jq -r .created <<<"$output")" = true ]
	before=$(link_json tun0 | jq -c '.[0] | del(.stats64)'; addr_json dev tun0; route_json dev tun0)
	run --separate-stderr t -j "${args[@]}" --exist-ok
	[ "$status" -eq 0 ]
	[ "$(jq -r .created <<<"$output")" = false ]
	after=$(link_json tun0 | jq -c '.[0] | del(.stats64)'; addr_json dev tun0; route_json dev tun0)
	[ "$before" = "$after" ]
	# Without --exist-ok the same line fails.
	run --separate-stderr t "${args[@]}"
	assert_error 1 tun0
}

@test "--exist-ok adds what is missing" {
	in_ns ip tuntap add tun0 mode tun
	run t add tun0 --exist-ok --addr 192.0.2.1/24 --route 198.51.100.0/24
	[ "$status" -eq 0 ]
	[ "$(sysfs tun0 owner)" = 0 ]
	addr_json dev tun0 | jq -e '.[0].addr_info[] | select(.local == "192.0.2.1")'
	route_json dev tun0 | jq -e '.[] | select(.dst == "198.51.100.0/24")'
}

@test "--exist-ok against another mode or owner fails naming the difference; pi nobody holds is set" {
	t add tun0
	run --separate-stderr t add tun0 --mode tap --exist-ok
	assert_error 1 tap
	# pi and vnet-hdr are whoever attached last's: set back, with nobody holding it.
	run --separate-stderr t add tun0 --pi --exist-ok
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || { echo "$stderr"; false; }
	[ "$(( $(sysfs tun0 tun_flags) & 0x1000 ))" -eq 0 ]
	run --separate-stderr t add tun0 --pi --user nobody --exist-ok
	assert_error 1 owner
	[ "$(link_json tun0 | jq -r .[0].linkinfo.info_data.type)" = tun ]
}

@test "show -j reports state, addresses, routes and processes" {
	t add tun0 --addr 192.0.2.1/24 --addr 192.0.2.9/32 --peer 192.0.2.10 --mtu 1300 --route "198.51.100.0/24 via 192.0.2.2 metric 7"
	# Operstate follows carrier through the kernel's linkwatch, asynchronously.
	wait_until '[ "$(link_json tun0 | jq -r .[0].operstate)" = DOWN ]'
	run --separate-stderr t -j show tun0
	[ "$status" -eq 0 ]
	j=$output
	[ "$(jq -r .ifname <<<"$j")" = tun0 ]
	[ "$(jq -r .mode <<<"$j")" = tun ]
	[ "$(jq -r .mtu <<<"$j")" = 1300 ]
	[ "$(jq -r .operstate <<<"$j")" = "$(link_json tun0 | jq -r .[0].operstate)" ]
	jq -e '.addresses[] | select(.family == "inet" and .local == "192.0.2.1" and .prefixlen == 24 and (has("peer") | not))' <<<"$j"
	jq -e '.addresses[] | select(.local == "192.0.2.9" and .peer == "192.0.2.10")' <<<"$j"
	jq -e '.routes[] | select(.dst == "198.51.100.0/24" and .gateway == "192.0.2.2" and .metric == 7)' <<<"$j"
	[ "$(jq -c .processes <<<"$j")" = "[]" ]
	# show names the process holding the device.
	hold_device tun0
	pid=$HOLDER
	run --separate-stderr t -j show tun0
	kill $pid
	jq -e --argjson p "$pid" '.processes[] | select(.pid == $p and .name == "python3")' <<<"$output"
}

@test "show text names the device, and errors for missing or foreign devices" {
	t add tap0 --mode tap --addr 203.0.113.1/24
	run --separate-stderr t show tap0
	[ "$status" -eq 0 ]
	[[ "$output" == "tap0: tap persist"* ]]
	[[ "$output" == *"inet 203.0.113.1/24"* ]]
	run --separate-stderr t show nosuch0
	assert_error 1 nosuch0
	run --separate-stderr t show lo
	assert_error 1 lo
}

@test "an EPERM while holding CAP_NET_ADMIN gives the kernel's error without the capability hint" {
	# The kernel refuses this txqueuelen with EPERM even to root.
	run --separate-stderr t add tun0 --txqueuelen 4294967295
	assert_error 1 "txqueuelen 4294967295: Operation not permitted"
	[[ "$stderr" != *CAP_NET_ADMIN* ]]
	[ -z "$(tun_devices)" ]
}

@test "show -j gives every route a metric, 0 when none is set" {
	t add tun0 --addr 192.0.2.1/24 --route 198.51.100.0/24 --route "203.0.113.0/24 metric 7" >/dev/null
	t -j show tun0 | jq -e '[.routes[] | .metric] | sort == [0, 0, 7]'
}

@test "--exist-ok: pi and vnet-hdr an attached program changed are left, with a warning; set back once it is gone" {
	t add vm0 --mode tap --vnet-hdr >/dev/null
	# A program attaches without vnet_hdr (IFF_TAP|IFF_NO_PI), as some do.
	hold_device vm0 0x1002
	[ "$(( $(sysfs vm0 tun_flags) & 0x4000 ))" -eq 0 ]
	run --separate-stderr t add vm0 --mode tap --vnet-hdr --exist-ok
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$output" = vm0 ]
	[ "$stderr" = "tunctl: warning: vm0 has vnet-hdr off, not on: left as python3 (pid $HOLDER), which has it open, set it" ]
	# In a batch, the warning names its line.
	printf '\nadd vm0 --mode tap --vnet-hdr --exist-ok\n' >"$BATS_TEST_TMPDIR/b"
	run --separate-stderr t -b "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 0 ]
	[ "$stderr" = "tunctl: $BATS_TEST_TMPDIR/b:2: warning: vm0 has vnet-hdr off, not on: left as python3 (pid $HOLDER), which has it open, set it" ]
	[ "$(( $(sysfs vm0 tun_flags) & 0x4000 ))" -eq 0 ]
	kill "$HOLDER"; wait "$HOLDER" 2>/dev/null || true
	ip -n "$NS" addr flush dev vm0 scope link
	run --separate-stderr t add vm0 --mode tap --vnet-hdr --exist-ok
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || { echo "$stderr"; false; }
	[ "$(( $(sysfs vm0 tun_flags) & 0x4000 ))" -ne 0 ]
	# Set back by an attach without carrier: no link-local address came of it.
	settle
	[ "$(addr_json dev vm0 | jq '[.[].addr_info[] | select(.scope == "link")] | length')" -eq 0 ]
	# multi-queue is the device's identity: still an error.
	run --separate-stderr t add vm0 --mode tap --vnet-hdr --multi-queue --exist-ok
	assert_error 1 "vm0 exists with multi-queue off, but on was asked for"
}
