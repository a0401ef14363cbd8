#!/usr/bin/env bats
# tunctl-cni, the CNI plugin, driven exactly as a runtime drives it: the
# request in CNI_* variables, the configuration on stdin, the result or the
# spec's error as JSON on stdout. The IPAM plugin is Debian's host-local
# (containernetworking-plugins), its leases in the test's own directory.
# The plugin runs inside a "runtime" namespace of the test's own ($HNS), the
# container is another ($NS): nothing touches the machine's namespace.
bats_require_minimum_version 1.5.0
load helpers

HOSTLOCAL=/usr/lib/cni/host-local

setup() {
	ns_setup
	HNS=$NS-rt
	ip netns add "$HNS"
	BIN=$BATS_TEST_TMPDIR/bin
	mkdir -p "$BIN"
	ln -s "$TUNCTL" "$BIN/tunctl-cni"
	PLUGIN=$BIN/tunctl-cni
	LEASES=$BATS_TEST_TMPDIR/ipam
	CNI_PATH_DIRS=$BIN:/usr/lib/cni
	export BIN PLUGIN LEASES HNS
}

teardown() {
	ip netns del "$HNS" 2>/dev/null || true
	ns_teardown
}

need_hostlocal() {
	[ -x "$HOSTLOCAL" ] || skip "no $HOSTLOCAL (apt-get install containernetworking-plugins)"
}

# cni COMMAND [VAR=VALUE...] < config: the plugin as the runtime runs it.
cni() {
	local cmd=$1
	shift
	ip netns exec "$HNS" env CNI_COMMAND="$cmd" CNI_CONTAINERID=ctr1 CNI_NETNS="/run/netns/$NS" \
		CNI_IFNAME=eth0 CNI_PATH="$CNI_PATH_DIRS" "$@" "$PLUGIN"
}

# A configuration: the base keys and $1's (a JSON object's members, or "").
conf() {
	jq -cn --argjson extra "{${1:-}}" '{cniVersion: "1.0.0", name: "tnet", type: "tunctl-cni"} + $extra'
}
ipam() {
	printf '"ipam": {"type": "%s", "subnet": "192.0.2.0/24", "gateway": "192.0.2.1", "dataDir": "%s", "routes": [{"dst": "198.51.100.0/24"}]}' \
		"${1:-host-local}" "$LEASES"
}

# The leases host-local holds in our directory (file names that are addresses).
leases() { ls "$LEASES/tnet" 2>/dev/null | grep -E '^[0-9]+\.' || true; }

# Asserts the spec's error: status $1, error code $2 on stdout (one JSON
# object with msg and details), one line on stderr naming $3.
assert_cni_error() {
	[ "$status" -eq "$1" ] || { echo "status $status, want $1; out: $output; err: $stderr"; return 1; }
	jq -e --argjson c "$2" '.code == $c and (.msg | length > 0) and (.details | type == "string") and .cniVersion' \
		<<<"$output" >/dev/null || { echo "not error code $2: $output"; return 1; }
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] && [[ "$stderr" == "tunctl-cni: "*"$3"* ]] ||
		{ echo "stderr: $stderr (want one line naming $3)"; return 1; }
}

# No TUN/TAP device, nor any device but lo, in the container.
assert_no_device() {
	local l
	l=$(ip -n "$NS" -j link show | jq -r '[.[].ifname | select(. != "lo")] | join(" ")')
	[ -z "$l" ] || { echo "left in the container: $l"; return 1; }
}

@test "VERSION lists 0.3.0 to 1.0.0, with or without a configuration" {
	run --separate-stderr cni VERSION <<<'{"cniVersion":"1.0.0"}'
	[ "$status" -eq 0 ]
	jq -e '.cniVersion == "1.0.0" and .supportedVersions == ["0.3.0","0.3.1","0.4.0","1.0.0"]' <<<"$output"
	run --separate-stderr cni VERSION </dev/null
	[ "$status" -eq 0 ]
	jq -e '.supportedVersions | index("0.4.0")' <<<"$output"
}

@test "ADD: an L2 tap with mtu, mac, owner, group, multiQueue and vnetHdr, up, persistent" {
	run --separate-stderr cni ADD < <(conf '"mtu": 9000, "mac": "02:00:00:00:00:11", "owner": 1234, "group": 2345, "multiQueue": true, "vnetHdr": true')
	[ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
	jq -e --arg ns "/run/netns/$NS" '.cniVersion == "1.0.0" and .interfaces == [{name: "eth0", mac: "02:00:00:00:00:11", sandbox: $ns}] and (has("ips") | not)' <<<"$output"
	link_json eth0 | jq -e '.[0] | .mtu == 9000 and .address == "02:00:00:00:00:11" and (.flags | index("UP"))
		and .linkinfo.info_kind == "tun" and .linkinfo.info_data.type == "tap" and .linkinfo.info_data.multi_queue
		and .linkinfo.info_data.vnet_hdr and .linkinfo.info_data.persist and (.linkinfo.info_data.pi | not)'
	[ "$(sysfs eth0 owner)" = 1234 ] && [ "$(sysfs eth0 group)" = 2345 ]
	# Nothing in the runtime's namespace, no temporary name left.
	[ "$(ip -n "$HNS" -j link show | jq length)" -eq 1 ]
	[ "$(ip -n "$NS" -j link show | jq '[.[] | select(.ifname | startswith("tcni"))] | length')" -eq 0 ]
}

@test "ADD: without owner and group the tap is root's, not open to every user" {
	run --separate-stderr cni ADD < <(conf '')
	[ "$status" -eq 0 ]
	[ "$(sysfs eth0 owner)" = 0 ] && [ "$(sysfs eth0 group)" = -1 ]
	link_json eth0 | jq -e '.[0].linkinfo.info_data | .type == "tap" and (.vnet_hdr | not) and (.multi_queue | not)'
}

@test "ADD: mode tun, and 0.4.0's result with the IPs' version" {
	need_hostlocal
	run --separate-stderr cni ADD < <(conf '"mode": "tun", '"$(ipam)" | jq -c '.cniVersion = "0.4.0"')
	[ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
	jq -e '.cniVersion == "0.4.0" and .ips[0].version == "4" and (.interfaces[0] | has("mac") | not)' <<<"$output"
	link_json eth0 | jq -e '.[0].linkinfo.info_data.type == "tun"'
}

@test "ADD: the mac from CNI_ARGS over the configuration's, runtimeConfig's over both" {
	run --separate-stderr cni ADD CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=p;MAC=02:00:00:00:00:22" < <(conf '"mac": "02:00:00:00:00:11"')
	[ "$status" -eq 0 ]
	link_json eth0 | jq -e '.[0].address == "02:00:00:00:00:22"'
	cni DEL < <(conf '')
	run --separate-stderr cni ADD CNI_ARGS="MAC=02:00:00:00:00:22" < <(conf '"mac": "02:00:00:00:00:11", "runtimeConfig": {"mac": "02:00:00:00:00:33"}')
	[ "$status" -eq 0 ]
	jq -e '.interfaces[0].mac == "02:00:00:00:00:33"' <<<"$output"
	link_json eth0 | jq -e '.[0].address == "02:00:00:00:00:33"'
}

@test "ADD: master enslaves the tap to a bridge of the container's, in the same request" {
	ip -n "$NS" link add br0 type bridge
	run --separate-stderr cni ADD < <(conf '"master": "br0", "mtu": 1400')
	[ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
	link_json eth0 | jq -e '.[0].master == "br0" and .[0].mtu == 1400'
	# CHECK sees the master, and its loss.
	run --separate-stderr cni CHECK < <(conf '"master": "br0", "mtu": 1400' | jq -c --argjson p "$output" '.prevResult = $p')
	[ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
	ip -n "$NS" link set eth0 nomaster
	run --separate-stderr cni CHECK < <(conf '"master": "br0", "mtu": 1400' | jq -c --argjson p "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/$NS\"}]}" '.prevResult = $p')
	assert_cni_error 1 102 "not a port of br0"
	cni DEL < <(conf '"master": "br0"')
	# The reference plugin's name for it.
	run --separate-stderr cni ADD < <(conf '"bridge": "br0"')
	[ "$status" -eq 0 ]
	link_json eth0 | jq -e '.[0].master == "br0"'
}

@test "ADD: a master that is not there fails before any lease, and leaves nothing" {
	need_hostlocal
	run --separate-stderr cni ADD < <(conf '"master": "br9", '"$(ipam)")
	assert_cni_error 1 7 br9
	assert_no_device
	[ -z "$(leases)" ]
}

@test "ADD with host-local: its address and routes on the tap, in the result; DEL gives them back, twice" {
	need_hostlocal
	run --separate-stderr cni ADD < <(conf '"mtu": 1400, "dns": {"nameservers": ["192.0.2.53"]}, '"$(ipam)")
	[ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
	jq -e '.ips == [{address: "192.0.2.2/24", gateway: "192.0.2.1", interface: 0}] and .routes == [{dst: "198.51.100.0/24"}]
		and .dns.nameservers == ["192.0.2.53"]' <<<"$output"
	addr_json eth0 | jq -e '[.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"] == ["192.0.2.2/24"]'
	route_json 198.51.100.0/24 | jq -e '.[0].dev == "eth0" and .[0].gateway == "192.0.2.1"'
	[ "$(leases)" = 192.0.2.2 ]
	run --separate-stderr cni DEL < <(conf "$(ipam)")
	[ "$status" -eq 0 ] && [ -z "$output" ]
	assert_no_device
	[ -z "$(leases)" ]
	run --separate-stderr cni DEL < <(conf "$(ipam)")
	[ "$status" -eq 0 ] && [ -z "$output" ]
}

@test "DEL: a namespace that is gone is success, and the lease is still given back" {
	need_hostlocal
	cni ADD < <(conf "$(ipam)") >/dev/null
	[ "$(leases)" = 192.0.2.2 ]
	ip netns del "$NS"
	run --separate-stderr cni DEL < <(conf "$(ipam)")
	[ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
	[ -z "$(leases)" ]
	run --separate-stderr cni DEL CNI_NETNS= < <(conf "$(ipam)")
	[ "$status" -eq 0 ]
}

@test "DEL: a device of that name that is not TUN/TAP is left, with a warning" {
	ip -n "$NS" link add eth0 type bridge
	run --separate-stderr cni DEL < <(conf '')
	[ "$status" -eq 0 ] && [ -z "$output" ]
	[[ "$stderr" == *"not a TUN/TAP device"* ]]
	link_json eth0 | jq -e '.[0].linkinfo.info_kind == "bridge"'
}

@test "ADD: CNI_IFNAME taken in the container fails and leaves it, without asking for a lease" {
	need_hostlocal
	wrap_ipam
	ip -n "$NS" link add eth0 type bridge
	run --separate-stderr cni ADD < <(conf "$(ipam wrap-ipam)")
	assert_cni_error 1 100 eth0
	link_json eth0 | jq -e '.[0].linkinfo.info_kind == "bridge"'
	[ -z "$(leases)" ]
	[ ! -e "$BATS_TEST_TMPDIR/ipam.log" ]
	[ "$(tun_devices)" = "" ]
}

@test "ADD: a name the runtime's namespace has cannot collide (the device is made in the container)" {
	ip -n "$HNS" link add eth0 type bridge
	ip -n "$HNS" link add tcni00000000 type bridge
	run --separate-stderr cni ADD < <(conf '')
	[ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
	link_json eth0 | jq -e '.[0].linkinfo.info_kind == "tun"'
	ip -n "$HNS" -d -j link show eth0 | jq -e '.[0].linkinfo.info_kind == "bridge"'
}

@test "ADD: the IPAM plugin not found, or failing: its error, no device" {
	run --separate-stderr cni ADD < <(conf "$(ipam no-such-ipam)")
	assert_cni_error 1 101 no-such-ipam
	assert_no_device
	cat >"$BIN/fail-ipam" <<'EOF'
#!/bin/sh
cat >/dev/null
printf '{"cniVersion":"1.0.0","code":11,"msg":"pool busy","details":"try later"}'
exit 1
EOF
	chmod +x "$BIN/fail-ipam"
	run --separate-stderr cni ADD < <(conf "$(ipam fail-ipam)")
	assert_cni_error 1 11 "pool busy"
	jq -e '.msg == "pool busy" and (.details | contains("try later"))' <<<"$output"
	assert_no_device
}

# An IPAM plugin that takes host-local's lease, logs each command, and (with
# WRAP=garbage) answers ADD with what is not JSON.
wrap_ipam() {
	cat >"$BIN/wrap-ipam" <<EOF
#!/bin/sh
echo "\$CNI_COMMAND" >>"$BATS_TEST_TMPDIR/ipam.log"
out=\$($HOSTLOCAL) || { printf '%s' "\$out"; exit 1; }
if [ "\$CNI_COMMAND" = ADD ] && [ "\${WRAP:-}" = garbage ]; then printf 'not json'; else printf '%s' "\$out"; fi
EOF
	chmod +x "$BIN/wrap-ipam"
}

@test "ADD: an IPAM answer that is not JSON: no device, and the lease given back (IPAM DEL)" {
	need_hostlocal
	wrap_ipam
	run --separate-stderr cni ADD WRAP=garbage < <(conf "$(ipam wrap-ipam)")
	assert_cni_error 1 101 "wrap-ipam ADD"
	assert_no_device
	[ -z "$(leases)" ]
	[ "$(cat "$BATS_TEST_TMPDIR/ipam.log" | tr '\n' ' ')" = "ADD DEL " ]
}

@test "ADD: a failure after the lease (a route the container has) leaves no device and gives the lease back" {
	need_hostlocal
	wrap_ipam
	ip -n "$NS" link add d0 type bridge
	ip -n "$NS" link set d0 up
	ip -n "$NS" route add 198.51.100.0/24 dev d0
	run --separate-stderr cni ADD < <(conf '"mtu": 1400, '"$(ipam wrap-ipam)")
	assert_cni_error 1 100 "198.51.100.0/24"
	[ -z "$(tun_devices)" ]
	[ "$(ip -n "$NS" -j link show | jq -r '[.[].ifname] | join(" ")')" = "lo d0" ]
	[ -z "$(leases)" ]
	[ "$(cat "$BATS_TEST_TMPDIR/ipam.log" | tr '\n' ' ')" = "ADD DEL " ]
}

@test "ADD: a result that cannot be written drops the device and gives the lease back" {
	need_hostlocal
	local rc=0
	cni ADD < <(conf "$(ipam)") >/dev/full 2>"$BATS_TEST_TMPDIR/err" || rc=$?
	[ "$rc" -eq 1 ]
	grep -q "writing the result" "$BATS_TEST_TMPDIR/err" || { cat "$BATS_TEST_TMPDIR/err"; return 1; }
	assert_no_device
	[ -z "$(leases)" ]
}

@test "bad input: each refused with the spec's code, exit 2, nothing made" {
	run --separate-stderr cni ADD <<<'{"cniVersion": "1.0.0", "name": '
	assert_cni_error 2 6 "invalid JSON"
	run --separate-stderr cni ADD <<<'{"cniVersion":"1.0.0","name":"a","name":"b"}'
	assert_cni_error 2 6 "twice"
	run --separate-stderr cni ADD < <(conf '' | jq -c '.cniVersion = "0.2.0"')
	assert_cni_error 2 1 0.2.0
	run --separate-stderr cni ADD < <(conf '' | jq -c 'del(.name)')
	assert_cni_error 2 7 name
	run --separate-stderr cni ADD < <(conf '"mtu": "9000"')
	assert_cni_error 2 7 mtu
	run --separate-stderr cni ADD < <(conf '"mode": "tun", "mac": "02:00:00:00:00:01"')
	assert_cni_error 2 2 mac
	run --separate-stderr cni ADD < <(conf '"ipam": {"type": "../../bin/sh"}')
	assert_cni_error 2 7 ipam
	run --separate-stderr cni ADD CNI_IFNAME= < <(conf '')
	assert_cni_error 2 4 CNI_IFNAME
	run --separate-stderr cni ADD CNI_IFNAME=eth0/x < <(conf '')
	assert_cni_error 2 4 CNI_IFNAME
	run --separate-stderr cni ADD CNI_ARGS=FOO=1 < <(conf '')
	assert_cni_error 2 4 FOO
	run --separate-stderr cni ADD CNI_PATH= < <(conf "$(ipam)")
	assert_cni_error 2 4 CNI_PATH
	run --separate-stderr cni MOVE < <(conf '')
	assert_cni_error 2 4 MOVE
	run --separate-stderr ip netns exec "$HNS" env -u CNI_COMMAND "$PLUGIN" </dev/null
	assert_cni_error 2 4 CNI_COMMAND
	run --separate-stderr cni ADD CNI_NETNS=/run/netns/no-such-ns-$$ < <(conf '')
	assert_cni_error 1 3 no-such-ns
	assert_no_device
}

@test "a hostile user running the plugin: refused, nothing made" {
	run --separate-stderr cni ADD setpriv --reuid=65534 --regid=65534 --clear-groups < <(conf '')
	[ "$status" -ne 0 ]
	jq -e '.code' <<<"$output"
	assert_no_device
}

@test "CHECK: passes on what ADD made, fails on a lost address, another MAC, no device; needs prevResult" {
	need_hostlocal
	prev=$(cni ADD < <(conf '"mtu": 1400, '"$(ipam)"))
	check() { conf '"mtu": 1400, '"$(ipam)" | jq -c --argjson p "$1" '.prevResult = $p'; }
	run --separate-stderr cni CHECK < <(check "$prev")
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$output $stderr"; return 1; }
	run --separate-stderr cni CHECK < <(check "$(jq -c '.interfaces[0].mac = "02:00:00:00:99:99"' <<<"$prev")")
	assert_cni_error 1 102 "02:00:00:00:99:99"
	ip -n "$NS" addr del 192.0.2.2/24 dev eth0
	run --separate-stderr cni CHECK < <(check "$prev")
	assert_cni_error 1 102 192.0.2.2/24
	run --separate-stderr cni CHECK < <(conf '"mtu": 1400, '"$(ipam)")
	assert_cni_error 2 7 prevResult
	ip -n "$NS" link del eth0
	run --separate-stderr cni CHECK < <(check "$prev")
	assert_cni_error 1 102 "no device eth0"
}

@test "ADD after another plugin: its prevResult is passed on, the tap and its address added after" {
	need_hostlocal
	prev='{"cniVersion":"1.0.0","interfaces":[{"name":"veth0","mac":"02:00:00:00:00:aa"}],"ips":[{"address":"203.0.113.5/24","interface":0}],"routes":[{"dst":"203.0.113.128/25","gw":"203.0.113.1"}]}'
	run --separate-stderr cni ADD < <(conf "$(ipam)" | jq -c --argjson p "$prev" '.prevResult = $p')
	[ "$status" -eq 0 ] || { echo "$output $stderr"; return 1; }
	jq -e --arg ns "/run/netns/$NS" '.interfaces == [{name: "veth0", mac: "02:00:00:00:00:aa"}, {name: "eth0", mac: .interfaces[1].mac, sandbox: $ns}]
		and .ips == [{address: "203.0.113.5/24", interface: 0}, {address: "192.0.2.2/24", gateway: "192.0.2.1", interface: 1}]
		and .routes == [{dst: "203.0.113.128/25", gw: "203.0.113.1"}, {dst: "198.51.100.0/24"}]' <<<"$output"
	addr_json eth0 | jq -e '[.[0].addr_info[] | select(.family == "inet") | .local] == ["192.0.2.2"]'
}

@test "hostile sizes: a configuration or an IPAM answer past 1 MiB is refused, nothing made, the lease given back" {
	need_hostlocal
	run --separate-stderr cni ADD < <(printf '{"cniVersion":"1.0.0","name":"tnet","pad":"'; head -c 1100000 /dev/zero | tr '\0' x; printf '"}')
	assert_cni_error 2 7 "1 MiB"
	cat >"$BIN/big-ipam" <<EOF2
#!/bin/sh
echo "\$CNI_COMMAND" >>"$BATS_TEST_TMPDIR/ipam.log"
out=\$($HOSTLOCAL) || exit 1
[ "\$CNI_COMMAND" = ADD ] && head -c 2000000 /dev/zero | tr '\0' ' '
printf '%s' "\$out"
EOF2
	chmod +x "$BIN/big-ipam"
	run --separate-stderr cni ADD < <(conf "$(ipam big-ipam)")
	assert_cni_error 1 101 "more than 1 MiB"
	assert_no_device
	[ -z "$(leases)" ]
	[ "$(cat "$BATS_TEST_TMPDIR/ipam.log" | tr '\n' ' ')" = "ADD DEL " ]
}
