#!/usr/bin/env bats
# tunctl show: the state a user can see (up or down, carrier, readers),
# address and route flags, every device at once; each checked against ip -j.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	HOLDERS=()
}
teardown() {
	[ "${#HOLDERS[@]}" -gt 0 ] && kill "${HOLDERS[@]}" 2>/dev/null
	ns_teardown
}

# hold_device, remembering the holder for teardown.
hold() { hold_device "$@" && HOLDERS+=("$HOLDER"); }

# Whether ip -j link shows flag $2 on device $1: "true" or "false".
ip_flag() { link_json "$1" | jq --arg f "$2" '.[0].flags | index($f) != null'; }

# The three devices of the issue: down, up without a reader, down with a
# reader; and a fourth, up with a reader.
make_three() {
	t add a0 --down >/dev/null
	t add b0 >/dev/null
	t add c0 --down >/dev/null
	hold c0
	t add d0 >/dev/null
	hold d0
}

@test "show tells down, up without a reader and down with a reader apart, as ip -j link flags say" {
	make_three
	for d in a0 b0 c0 d0; do
		j=$(t -j show "$d")
		[ "$(jq .up <<<"$j")" = "$(ip_flag "$d" UP)" ]
		if [ "$(jq .up <<<"$j")" = true ]; then
			[ "$(jq .carrier <<<"$j")" = "$(ip_flag "$d" LOWER_UP)" ]
			[ "$(jq .carrier <<<"$j")" != "$(ip_flag "$d" NO-CARRIER)" ]
		else
			# Carrier means nothing while the link is down: not given.
			jq -e 'has("carrier") | not' <<<"$j"
		fi
		eval "J_$d=\$j"
		eval "T_$d=\$(t show $d)"
	done
	[ "$(jq -c '[.up, .carrier]' <<<"$J_a0")" = '[false,null]' ]
	[ "$(jq -c '[.up, .carrier]' <<<"$J_b0")" = '[true,false]' ]
	[ "$(jq -c '[.up, .carrier]' <<<"$J_c0")" = '[false,null]' ]
	[ "$(jq -c '[.up, .carrier]' <<<"$J_d0")" = '[true,true]' ]
	[ "$(jq '.processes | length' <<<"$J_a0")" -eq 0 ]
	[ "$(jq '.processes | length' <<<"$J_c0")" -eq 1 ]
	# The JSON of any two differs by more than the name.
	for x in a0 b0 c0 d0; do for y in a0 b0 c0 d0; do
		[ "$x" = "$y" ] && continue
		eval "jx=\$J_$x jy=\$J_$y tx=\$T_$x ty=\$T_$y"
		[ "$(jq -c 'del(.ifname, .ifindex)' <<<"$jx")" != "$(jq -c 'del(.ifname, .ifindex)' <<<"$jy")" ]
		[ "${tx//$x/}" != "${ty//$y/}" ]
	done; done
	# Text: the link state in words, and the reader.
	[[ "$T_a0" == *$'\n    link down  mtu '* ]]
	[[ "$T_b0" == *$'\n    link up,no-carrier  mtu '* ]]
	[[ "$T_c0" == *$'\n    link down  mtu '* ]]
	[[ "$T_c0" == *$'\n    process '"${HOLDERS[0]}"' python3'* ]]
	[[ "$T_d0" == *$'\n    link up  mtu '* ]]
	# ip's operstate is still there in JSON, and says DOWN for b0.
	for d in a0 b0; do
		[ "$(jq -r .operstate <<<"$(t -j show $d)")" = "$(link_json $d | jq -r .[0].operstate)" ]
	done
}

@test "show and list follow a change of state: set --up, a reader going away" {
	t add a0 --down >/dev/null
	[ "$(t -j show a0 | jq .up)" = false ]
	t set a0 --up
	[ "$(t -j show a0 | jq -c '[.up, .carrier]')" = '[true,false]' ]
	hold a0
	[ "$(t -j show a0 | jq -c '[.up, .carrier]')" = '[true,true]' ]
	[ "$(t -j show a0 | jq -c '[.up, .carrier]')" = "[$(ip_flag a0 UP),$(ip_flag a0 LOWER_UP)]" ]
	kill "$HOLDER"; wait "$HOLDER" 2>/dev/null || true
	HOLDERS=()
	[ "$(t -j show a0 | jq -c '[.up, .carrier, (.processes | length)]')" = '[true,false,0]' ]
	[ "$(ip_flag a0 NO-CARRIER)" = true ]
}

@test "show marks routes linkdown and addresses tentative, deprecated, noprefixroute as ip -j does" {
	t add tap0 --mode tap --addr 192.0.2.1/24 --addr 2001:db8::1/64 --route "198.51.100.0/24 via 192.0.2.2" >/dev/null
	in_ns ip addr add 192.0.2.9/24 dev tap0
	in_ns ip addr add 2001:db8:1::1/64 dev tap0 noprefixroute preferred_lft 0
	in_ns ip route add 203.0.113.0/24 via 192.0.2.3 dev tap0 onlink
	settle
	j=$(t -j show tap0)
	# Every address flag ip -j prints as a key that show knows, the same.
	for a in $(addr_json dev tap0 | jq -r '.[0].addr_info[] | select(.scope == "global") | .local'); do
		mine=$(jq -c --arg a "$a" '.addresses[] | select(.local == $a) | with_entries(select(.value == true)) | keys' <<<"$j")
		theirs=$(addr_json dev tap0 | jq -c --arg a "$a" '.[0].addr_info[] | select(.local == $a) |
			with_entries(select(.value == true and (.key | IN("secondary", "temporary", "deprecated", "tentative", "dadfailed", "noprefixroute")))) | keys')
		[ "$mine" = "$theirs" ]
	done
	# And what this setup must show, so the loop above is not empty.
	jq -e '.addresses[] | select(.local == "2001:db8::1" and .tentative)' <<<"$j"
	jq -e '.addresses[] | select(.local == "2001:db8:1::1" and .deprecated and .noprefixroute)' <<<"$j"
	jq -e '.addresses[] | select(.local == "192.0.2.9" and .secondary)' <<<"$j"
	jq -e '.addresses[] | select(.local == "192.0.2.1" and (.secondary | not))' <<<"$j"
	# Routes: the same flags as ip -j route, for each.
	for r in $(route_json dev tap0 | jq -r '.[].dst') $(ip -n "$NS" -6 -j route show dev tap0 | jq -r '.[] | select(.dst | startswith("fe80") | not) | .dst'); do
		theirs=$( { route_json dev tap0; ip -n "$NS" -6 -j route show dev tap0; } | jq -sc --arg r "$r" '[.[][] | select(.dst == $r) | .flags // [] | .[] | select(IN("dead", "onlink", "linkdown"))] | sort')
		mine=$(jq -c --arg r "$r" '[.routes[] | select(.dst == $r) | .flags[]] | sort' <<<"$j")
		[ "$mine" = "$theirs" ]
	done
	[ "$(jq -c '.routes[] | select(.dst == "198.51.100.0/24") | .flags' <<<"$j")" = '["linkdown"]' ]
	[ "$(jq -c '.routes[] | select(.dst == "203.0.113.0/24") | .flags' <<<"$j")" = '["onlink","linkdown"]' ]
	# Text: the same words after the address or route.
	run t show tap0
	[[ "$output" == *$'\n    inet6 2001:db8::1/64 tentative\n'* ]]
	[[ "$output" == *$'\n    inet6 2001:db8:1::1/64 deprecated tentative noprefixroute\n'* ]]
	[[ "$output" == *$'\n    route 198.51.100.0/24 via 192.0.2.2 linkdown\n'* ]]
	# With a reader, carrier comes and linkdown goes, in ip's view and ours.
	hold tap0 0x1002
	wait_until "route_json dev tap0 | jq -e '[.[] | .flags // [] | index(\"linkdown\")] | all(. == null)' >/dev/null"
	[ "$(t -j show tap0 | jq -c '[.routes[] | .flags[] | select(. == "linkdown")]')" = '[]' ]
	[ "$(t -j show tap0 | jq .carrier)" = true ]
}

@test "show without a name shows every device: text blocks apart, a JSON array" {
	run --separate-stderr t show
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr t -j show
	[ "$output" = "[]" ]
	t add tun1 --addr 192.0.2.1/24 >/dev/null
	t add tap0 --mode tap --down >/dev/null
	hold tap0 0x1002
	in_ns ip link add v0 type veth peer name v1
	# show NAME asks for its device (RTM_GETLINK), which has the kernel
	# finish the device's pending link events first (operstate, routes'
	# linkdown); show reads a dump, which, as ip's, does not: until the
	# kernel's linkwatch has run (within a second), tun1 still says
	# UNKNOWN there.
	wait_until '[ "$(link_json tun1 | jq -r .[0].operstate)" = DOWN ]'
	run --separate-stderr t -j show
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.[].ifname]' <<<"$output")" = '["tap0","tun1"]' ]
	# Each element is what show NAME prints.
	for d in tap0 tun1; do
		[ "$(jq -c --arg d "$d" '.[] | select(.ifname == $d)' <<<"$output")" = "$(t -j show "$d")" ]
	done
	[ "$(jq -c '[.[] | {ifname, ifindex}]' <<<"$output")" = "$(link_json type tun | jq -c '[.[] | {ifname, ifindex}] | sort_by(.ifname)')" ]
	run --separate-stderr t show
	[ "$status" -eq 0 ]
	[ "$output" = "$(t show tap0; echo; t show tun1)" ]
	# Still one name at most.
	run --separate-stderr t show tap0 tun1
	assert_error 2 tun1
	run --separate-stderr t show nosuch0
	assert_error 1 nosuch0
}

@test "show reads links from netlink, not sysfs: /sys need not be mounted" {
	command -v strace >/dev/null || skip "strace is not installed"
	t add tap0 --mode tap --mtu 1400 --txqueuelen 77 --addr 192.0.2.1/24 >/dev/null
	t add tun0 --down >/dev/null
	in_ns ip link add v0 type veth peer name v1
	settle
	for cmd in "show" "-j show" "show tap0" "-j show tap0" "-j show tun0"; do
		# shellcheck disable=SC2086
		want=$(t $cmd)
		run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			ip netns exec "$NS" strace -f -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=openat "$TUNCTL" $cmd
		[ "$status" -eq 0 ]
		[ "$(grep -c '"/sys' "$BATS_TEST_TMPDIR/trace")" -eq 0 ] || { echo "$cmd opened /sys"; return 1; }
		for how in "umount -l /sys" "mount -t tmpfs none /sys"; do
			run --separate-stderr in_ns unshare -m sh -c "$how && exec \"\$0\" $cmd" "$TUNCTL"
			[ "$status" -eq 0 ]
			[ "$output" = "$want" ] || { echo "$cmd after $how"; diff <(echo "$want") <(echo "$output"); return 1; }
		done
	done
	# The errors for a device missing or not TUN/TAP are the same as ever.
	run --separate-stderr in_ns unshare -m sh -c "umount -l /sys && exec \"\$0\" show nosuch0" "$TUNCTL"
	assert_error 1 "device nosuch0 does not exist"
	run --separate-stderr t show v0
	assert_error 1 "v0 is not a TUN/TAP device"
}

@test "show and list fail cleanly when /proc cannot be read" {
	command -v strace >/dev/null || skip "no strace"
	t add tun0 >/dev/null
	for cmd in "show tun0" "-j show" "list" "-j list"; do
		run --separate-stderr env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			ip netns exec "$NS" strace -f -qq -o /dev/null -e inject=openat:error=EACCES -P /proc "$TUNCTL" $cmd
		assert_error 1 "reading /proc: Permission denied"
	done
}

# The keys the man page's JSON OUTPUT section documents for list, show and
# add (up to where attach's begin): the bold words of its .B and .BR lines.
schema_keys() {
	local page=${MAN_SOURCE:-$BATS_TEST_DIRNAME/../man/tunctl.8.in}
	awk '/^\.SH JSON OUTPUT/ { on = 1; next } on && (/^\.SH / || /^\.B attach$/) { exit }
		on && /^\.BR? / { sub(/^\.BR? /, ""); gsub(/"[^"]*"/, " "); gsub(/\\\(..|\\f.|\\-/, " ")
			n = split($0, w, /[^a-z0-9_]+/); for (i = 1; i <= n; i++) if (w[i] != "") print w[i] }' "$page" | sort -u
}

# Every object key in the JSON documents on standard input.
json_keys() { jq -r '.. | objects | keys[]' | sort -u; }

@test "every key show -j, list -j and add -j emit is in the man page's JSON schema" {
	[ -n "$(schema_keys)" ]
	# A device with something under every key: a tap with a MAC, addresses
	# with a peer and flags, routes with a gateway, a table and flags, and
	# a process attached.
	t -j add tap0 --mode tap --user 65534 --group 65534 --pi --vnet-hdr --multi-queue \
		--addr 192.0.2.1/24 --addr 198.51.100.1 --peer 198.51.100.2 --addr 2001:db8::1/64 \
		--route "203.0.113.0/24 via 192.0.2.2 metric 5" --route "198.18.0.0/15 table 100" >"$BATS_TEST_TMPDIR/add.json"
	t -j add tap0 --mode tap --user 65534 --group 65534 --pi --vnet-hdr --multi-queue --exist-ok >>"$BATS_TEST_TMPDIR/add.json"
	t add tun0 --down >/dev/null
	in_ns ip addr add 192.0.2.9/24 dev tap0
	in_ns ip addr add 2001:db8:1::1/64 dev tap0 noprefixroute preferred_lft 0
	# IFF_TAP | IFF_MULTI_QUEUE | IFF_VNET_HDR, the device's flags.
	hold tap0 0x4102
	{ cat "$BATS_TEST_TMPDIR/add.json"; t -j show tap0; t -j show tun0; t -j show; t -j list; } >"$BATS_TEST_TMPDIR/all.json"
	jq -se '[.[] | objects | select(.ifname == "tap0" and has("addresses"))] | length == 1 and all(
		.carrier and .address and (.processes | length == 1) and
		any(.addresses[]; .peer) and any(.addresses[]; .secondary) and any(.addresses[]; .deprecated) and
		any(.addresses[]; .noprefixroute) and any(.routes[]; .gateway) and any(.routes[]; .table))' \
		"$BATS_TEST_TMPDIR/all.json" >/dev/null || { cat "$BATS_TEST_TMPDIR/all.json"; return 1; }
	missing=$(comm -23 <(json_keys <"$BATS_TEST_TMPDIR/all.json") <(schema_keys))
	[ -z "$missing" ] || { echo "not in the man page's JSON OUTPUT:" $missing; return 1; }
}

@test "show -j uses ip -j's keys for the quantities ip shows: the same values" {
	t add tap0 --mode tap --mtu 1400 --txqueuelen 77 --mac 02:00:5e:00:53:01 >/dev/null
	t add tun0 --down >/dev/null
	for d in tap0 tun0; do
		keys='{ifname, ifindex, mtu, txqlen, operstate} + (if has("address") then {address} else {} end)'
		mine=$(t -j show "$d" | jq -c "$keys")
		# A tun device has no MAC: ip's "address" is absent or empty there.
		theirs=$(link_json "$d" | jq -c ".[0] | if .link_type == \"ether\" then . else del(.address) end | $keys")
		[ "$mine" = "$theirs" ]
	done
	[ "$(t -j show tap0 | jq -r .address)" = 02:00:5e:00:53:01 ]
	[ "$(t -j show tap0 | jq .txqlen)" -eq 77 ]
}

@test "the man page's sample show output is what show prints" {
	local page=${MAN_SOURCE:-$BATS_TEST_DIRNAME/../man/tunctl.8.in}
	want=$(awk '/^\$ tunctl show vpn0$/ { on = 1; next } on && /^\.fi$/ { exit } on' "$page" | sed 's/\\-/-/g')
	[ -n "$want" ]
	t add vpn0 --addr 192.0.2.1/24 --route "198.51.100.0/24 via 192.0.2.2" >/dev/null
	settle
	run --separate-stderr t show vpn0
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ] || { diff <(echo "$want") <(echo "$output"); return 1; }
}

@test "show NAME of a device deleted while it is read fails, never shows it without its addresses" {
	command -v strace >/dev/null || skip "strace is not installed"
	t add t0 --addr 192.0.2.1/24 >/dev/null
	# The address dump (the second request) waits 2 s; t0 goes meanwhile.
	ip netns exec "$NS" env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -o /dev/null -e trace=sendto -e inject=sendto:delay_enter=2000000:when=2 \
		"$TUNCTL" show t0 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$!
	# Until tunctl (strace's child) sits in that delay: stopped entering
	# sendto (x86-64: 44) of 24 bytes, the RTM_GETADDR request.
	wait_until -t 5 "grep -qs '^44 0x[0-9a-f]* 0x[0-9a-f]* 0x18 ' /proc/\$(pgrep -P $pid)/syscall"
	ip -n "$NS" link del t0
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 1 ]
	[ ! -s "$BATS_TEST_TMPDIR/out" ]
	grep -q '^tunctl: .*t0' "$BATS_TEST_TMPDIR/err"
}

@test "show -j: a route's dst as ip -j route prints it, a host route's without /32 or /128" {
	t add tun0 --addr 192.0.2.1/24 --addr 2001:db8::1/64 --route 198.51.100.7/32 --route 198.51.100.0/24 \
		--route 2001:db8:1::7/128 >/dev/null
	run --separate-stderr t -j show tun0
	[ "$status" -eq 0 ]
	mine=$(jq -c '[.routes[].dst] | sort' <<<"$output")
	theirs=$( { route_json dev tun0; ip -n "$NS" -6 -j route show dev tun0; } |
		jq -sc '[.[][] | select(.dst | startswith("fe80") | not) | .dst] | sort')
	[ "$mine" = "$theirs" ] || { echo "$mine != $theirs"; return 1; }
	jq -e '[.routes[].dst] | index("198.51.100.7") and index("2001:db8:1::7")' <<<"$output"
	jq -e 'has("group") | not' <<<"$output"
}
