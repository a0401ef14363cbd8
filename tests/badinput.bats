#!/usr/bin/env bats
# A table of bad command lines. For each: the exit status (2 for bad input, 1
# where the kernel decides), exactly one line on stderr starting "tunctl: "
# that names the bad value, nothing on stdout, and nothing created or changed
# in the namespace: links, addresses, routes and the TUN/TAP devices' sysfs
# attributes are compared before and after each case.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	t add tap0 --mode tap >/dev/null
	settle
}
teardown() { ns_teardown; }

# One snapshot of everything a command could change, taken after each case.
state() {
	{ ip -n "$NS" -d -j link show; ip -n "$NS" -j addr show; ip -n "$NS" -j route show table all; } |
		jq -cs '.[0] |= map(del(.stats64)) | .[2] |= sort_by(.dst) | .[]'
	in_ns sh -c 'cd /sys/class/net && for f in */tun_flags; do
		[ -e "$f" ] || continue
		d=${f%/*}
		grep -H . "$d/tun_flags" "$d/owner" "$d/group" "$d/mtu" "$d/tx_queue_len" "$d/address" "$d/flags" "$d/ifindex"
	done'
}

# Fails, showing the difference, if the namespace is not as it was in $before.
unchanged() {
	local after
	after=$(state)
	[ "$before" = "$after" ] || { echo "changed by: $1"; diff <(echo "$before") <(echo "$after"); return 1; }
}

# status <TAB> the value stderr must name <TAB> the arguments, '|' between them
CASES=$(cat <<'T'
2	tun1/x	add|tun1/x
2	abcdefghijklmnop	add|abcdefghijklmnop
2	a:b	add|a:b
2	a b	add|a b
2	..	add|..
2	aNBSPb	add|aNBSPb
2	aVTb	add|aVTb
2	interface name is empty	add|
2	x%s	add|x%s
2	tan	add|tun1|--mode|tan
2	twice	add|tun1|--mode|tun|--mode|tap
2	no-such-user-xyz	add|tun1|--user|no-such-user-xyz
2	no-such-group-xyz	add|tun1|--group|no-such-group-xyz
2	--any-user	add|tun1|--any-user|--user|nobody
2	4294967296	add|tun1|--mtu|4294967296
2	-1	add|tun1|--mtu|-1
2	1e3	add|tun1|--mtu|1e3
2	"x"	add|tun1|--txqueuelen|x
2	192.0.2.1/33	add|tun1|--addr|192.0.2.1/33
2	192.0.2.256	add|tun1|--addr|192.0.2.256
2	2001:db8:::1/64	add|tun1|--addr|2001:db8:::1/64
2	2001:db8::1	add|tun1|--route|198.51.100.0/24 via 2001:db8::1
2	2001:db8::2	add|tun1|--addr|192.0.2.9/24|--peer|2001:db8::2
2	must follow	add|tun1|--peer|192.0.2.2
2	198.51.100.1/24	add|tun1|--route|198.51.100.1/24
2	dev	add|tun1|--route|198.51.100.0/24 dev tun0
2	metric	add|tun1|--route|198.51.100.0/24 metric
2	01:00:5e:00:00:01	add|tun1|--mode|tap|--mac|01:00:5e:00:00:01
2	02-00-00-00-00-01	add|tun1|--mode|tap|--mac|02-00-00-00-00-01
2	--mode tap	add|tun1|--mac|02:00:00:00:00:01
2	conflict	set|tun0|--up|--down
2	--no-user	set|tun0|--user|nobody|--no-user
2	needs something	set|tun0
2	--pi	add|tun1|--pi|--pi
2	--addr	add|tun1|--addr
2	--colour	add|tun1|--colour
2	frobnicate	frobnicate|tun1
2	extra	show|tun0|extra
2	move	addr|move|tun0
2	192.0.2.1/24	addr|flush|tun0|192.0.2.1/24
2	--all	del|--all|tun0
2	"0"	attach|tun0|--count|0
2	../x	-n|../x|list
2	eth	list|--mode|eth
1	tun0	add|tun0
1	nosuch0	del|nosuch0
1	lo	del|tun0|lo
1	nosuch0	addr|add|nosuch0|192.0.2.7/24
1	mtu 70000	set|tun0|--mtu|70000
2	02:00:5e:00:53:09	set|tun0|--mac|02:00:5e:00:53:09
1	198.51.100.0/24 via 203.0.113.9	route|add|tun0|198.51.100.0/24 via 203.0.113.9
1	192.0.2.1/24	addr|add|tun0|192.0.2.1/24
1	no-such-ns-xyz	set|tun0|--netns|no-such-ns-xyz
T
)

@test "at least 40 bad command lines fail cleanly and change nothing" {
	before=$(state)
	n=0
	while IFS=$'\t' read -r want needle args; do
		# Bytes a heredoc cannot hold plainly: the kernel's extra blanks.
		args=${args//NBSP/$'\xa0'} needle=${needle//NBSP/$'\xa0'}
		args=${args//VT/$'\v'} needle=${needle//VT/$'\v'}
		IFS='|' read -r -a argv <<<"$args"
		[ "$args" = "add|" ] && argv=(add "")
		run --separate-stderr t "${argv[@]}"
		assert_error "$want" "$needle" || { echo "case: $args"; return 1; }
		unchanged "$args" || return 1
		n=$((n + 1))
	done <<<"$CASES"
	[ "$n" -ge 40 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tap0 tun0 " ]
}

@test "garbage in batch files: exit 2 with FILE:LINE, nothing runs" {
	before=$(state)
	# Not "i": bats' run uses that name.
	nfile=0
	for content in 'add tun5\nadd "tun6\n' 'add tun5\nadd tun6\nfrobnicate\n' "add tun5\nadd tun6 --mtu x\n" \
		'add tun5\n-b other list\n' 'add tun5\nadd tun6 \\' "\x01\x02\x03\n" 'add tun5\nadd tun6 --route "198.51.100.0/24 via"\n'; do
		nfile=$((nfile + 1))
		printf "$content" >"$BATS_TEST_TMPDIR/b$nfile"
		run --separate-stderr t -b "$BATS_TEST_TMPDIR/b$nfile"
		assert_error 2 "/b$nfile:" || { echo "batch: $content"; return 1; }
		unchanged "batch: $content" || return 1
	done
}

# status <TAB> the whole of stderr <TAB> the arguments, '|' between them
# (EMPTY: an empty argument). Habits from iproute2, swapped arguments, typos
# and empty values: the message says the tunctl form, and nothing changes.
GUIDANCE=$(cat <<'T'
2	tunctl: "dev" is iproute2 syntax; tunctl takes the name first: tunctl add x1 --mode tun	add|dev|x1|mode|tun
2	tunctl: "up" is iproute2 syntax; tunctl spells it --up: tunctl set tun0 --up	set|tun0|up
2	tunctl: "dev" is iproute2 syntax; tunctl takes the name first: tunctl set tun0 --mtu 1400 --down	set|dev|tun0|mtu|1400|down
2	tunctl: list takes the mode as an option: tunctl list --mode tap	list|tap
2	tunctl: "-n" goes before the command: tunctl -n blue list	list|-n|blue
2	tunctl: --route takes the route as one argument: quote it: --route "203.0.113.0/24 via 192.0.2.2"	add|x1|--route|203.0.113.0/24|via|192.0.2.2
2	tunctl: the device name goes before the address: tunctl addr add tun0 192.0.2.9/24	addr|add|192.0.2.9/24|tun0
2	tunctl: "dev" is iproute2 syntax; tunctl takes the name first: tunctl addr del tun0 192.0.2.1/24	addr|del|192.0.2.1/24|dev|tun0
2	tunctl: "dev" is iproute2 syntax; tunctl takes the name first: tunctl route add tun0 203.0.113.0/24	route|add|203.0.113.0/24|dev|tun0
2	tunctl: the device name goes before the route: tunctl route add tun0 203.0.113.0/24 via 192.0.2.2	route|add|203.0.113.0/24|via|192.0.2.2|tun0
2	tunctl: unknown option "--mdoe" for "add"; did you mean "--mode"?	add|x1|--mdoe|tun
2	tunctl: unknown option "--multiqueue" for "add"; did you mean "--multi-queue"?	add|x1|--multiqueue
2	tunctl: unknown command "lsit"; did you mean "list"?	lsit
2	tunctl: --force before the command goes with -b; put it after the command: tunctl del tun0 --force	--force|del|tun0
2	tunctl: --user needs a user name or uid; "" is empty (is $USER set?)	add|x1|--user|EMPTY
2	tunctl: --group needs a group name or gid; "" is empty	set|tun0|--group|EMPTY
2	tunctl: "tuntap add" is iproute2 syntax; in tunctl: tunctl add tun9 --mode tun	tuntap|add|dev|tun9|mode|tun
2	tunctl: "tuntap del" is iproute2 syntax; in tunctl: tunctl del tun0	tuntap|del|dev|tun0|mode|tun
2	tunctl: "tuntap" is iproute2 syntax; in tunctl: tunctl list	tuntap
2	tunctl: "link set" is iproute2 syntax; in tunctl: tunctl set tun0 --up	link|set|tun0|up
2	tunctl: "link set" is iproute2 syntax; in tunctl: tunctl set tun0 --mtu 1400	link|set|dev|tun0|mtu|1400
2	tunctl: "link add" is iproute2 syntax; in tunctl: tunctl add x1 --mode tap	link|add|x1|type|tap
2	tunctl: "link set" is iproute2 syntax; tunctl's command is "set" (see tunctl set --help)	link|set|tun0|frobnicate
2	tunctl: "dev" is iproute2 syntax; tunctl takes the name first: tunctl addr add tun0 192.0.2.9/24	addr|add|tun0|192.0.2.9/24|dev|tun0
2	tunctl: "dev" is iproute2 syntax; tunctl takes the name first: tunctl route add tun0 203.0.113.0/24	route|add|tun0|203.0.113.0/24|dev|tun0
2	tunctl: "-n" is given before the command already: tunctl -n blue list	-n|blue|list|-n|blue
2	tunctl: "-n" is given twice, before the command and after it: give it once, before the command	-n|blue|list|-n|red
T
)

@test "iproute2 habits, swapped arguments, typos, empty values: the message says the tunctl form" {
	settle
	before=$(state)
	n=0
	while IFS=$'\t' read -r want msg args; do
		IFS='|' read -r -a argv <<<"$args"
		argv=("${argv[@]/#EMPTY/}")
		run --separate-stderr t "${argv[@]}"
		assert_error "$want" "" || { echo "case: $args"; return 1; }
		[ "$stderr" = "$msg" ] || { echo "case: $args"; echo "got:  $stderr"; echo "want: $msg"; return 1; }
		unchanged "$args" || return 1
		n=$((n + 1))
	done <<<"$GUIDANCE"
	[ "$n" -eq 27 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tap0 tun0 " ]
}

@test "a route that exists, or is not there: route exists / no such route, with the route; nothing changes" {
	t route add tun0 198.51.100.0/24 >/dev/null
	t addr add tun0 2001:db8::1/64 >/dev/null
	t route add tun0 2001:db8:1::/64 >/dev/null
	settle
	before=$(state)
	while IFS=$'\t' read -r msg args; do
		IFS='|' read -r -a argv <<<"$args"
		run --separate-stderr t "${argv[@]}"
		assert_error 1 "" || { echo "case: $args"; return 1; }
		[ "$stderr" = "$msg" ] || { echo "case: $args"; echo "got:  $stderr"; echo "want: $msg"; return 1; }
		unchanged "$args" || return 1
	done <<-'T'
		tunctl: tun0: route exists: 198.51.100.0/24 (on this or another device: ip route show 198.51.100.0/24)	route|add|tun0|198.51.100.0/24
		tunctl: tun0: route exists: 2001:db8:1::/64 (on this or another device: ip -6 route show 2001:db8:1::/64)	route|add|tun0|2001:db8:1::/64
		tunctl: tun1: route exists: 198.51.100.0/24 (on this or another device: ip route show 198.51.100.0/24)	add|tun1|--route|198.51.100.0/24
		tunctl: tun0: no such route: 203.0.113.0/24 (tunctl show tun0 lists its routes)	route|del|tun0|203.0.113.0/24
		tunctl: tun0: no such route: 198.51.100.0/24 via 192.0.2.7 (tunctl show tun0 lists its routes)	route|del|tun0|198.51.100.0/24|via|192.0.2.7
		tunctl: tun0: no such route: 2001:db8:2::/64 (tunctl show tun0 lists its routes)	route|del|tun0|2001:db8:2::/64
		tunctl: tap0: no such route: 198.51.100.0/24 (tunctl show tap0 lists its routes)	route|del|tap0|198.51.100.0/24
	T
	# The kernel's own text, where it gives one, is kept.
	run --separate-stderr t addr del tun0 192.0.2.9/24
	assert_error 1 "tun0: address 192.0.2.9/24: "
	[[ "$stderr" != *"Cannot assign requested address"* ]]
	unchanged "addr del" || return 1
}
