#!/usr/bin/env bats
# A lost netlink answer: the request reached the kernel, its answer did not
# reach tunctl (recvmsg failed: ENOBUFS, EAGAIN, EINTR).  tunctl asks the
# kernel again before it reports: after every such fault the command has
# either done all of its work and exits 0, or exits 1 with the namespace
# exactly as before.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	command -v strace >/dev/null || skip "strace is not installed"
}
teardown() { ns_teardown; }

# The namespace's links, addresses and routes (v4 and v6, every table),
# without what the kernel changes on its own (operstate, carrier flags,
# counters) and without ifindexes, which a re-created device does not keep.
snap() { snap_ns "$NS"; }
# Three processes, not eight: this runs twice for every fault point.
# "route show table all" is both families (iproute2 5.x and later).
snap_ns() {
	{ ip -n "$1" -d -j link show; printf 'addr show\nroute show table all\n' | ip -n "$1" -j -batch -; } |
		jq -S -c -s '(.[0] | sort_by(.ifname) | [.[] | {ifname, mtu, address, group, txqlen, linkinfo,
			flags: [.flags[] | select(. != "LOWER_UP" and . != "NO-CARRIER")]}]),
		(.[1] | sort_by(.ifname) | [.[] | {ifname, a: [.addr_info[] | {family, local, prefixlen, address}]}]),
		(.[2] | [.[] | del(.flags, .expires)] | sort_by(tostring))'
}

# tunctl under strace, with extra strace arguments before "--".
traced() {
	local args=()
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	# LeakSanitizer cannot run under ptrace (the sanitizer build in CI).
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		in_ns strace -f -qq -e signal=none "${args[@]}" "$TUNCTL" "$@"
}

# lost UNDO -- ARGS: runs tunctl ARGS once to count its recvmsg calls, then
# again for each call with that one failed, with each errno.  After every
# run: exit 0 and the state of the clean run, or exit 1, one "tunctl: " line
# and the state from before.  UNDO (a shell command) goes from the first to
# the second.  With LOST_WANT set, every faulty run must exit with it.
lost() {
	local undo=$1 before after now k rc
	shift 2
	before=$(snap)
	rc=0
	traced -o "$BATS_TEST_TMPDIR/count" -e trace=recvmsg -- "$@" >/dev/null 2>&1 || rc=$?
	[ "$rc" = "${LOST_WANT:-0}" ]
	after=$(snap)
	k=$(grep -c 'recvmsg(' "$BATS_TEST_TMPDIR/count")
	[ "$k" -gt 0 ]
	eval "$undo" >/dev/null
	now=$(snap)
	[ "$now" = "$before" ] || { echo "undo did not restore the state"; diff <(echo "$before") <(echo "$now"); return 1; }
	for e in ENOBUFS EAGAIN EINTR; do
		for n in $(seq "$k"); do
			rc=0
			traced -o /dev/null -e trace=recvmsg -e "inject=recvmsg:error=$e:when=$n" -- "$@" \
				>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || rc=$?
			now=$(snap)
			if [ -n "${LOST_WANT:-}" ] && [ "$rc" != "$LOST_WANT" ]; then
				echo "$e at recvmsg $n/$k: exit $rc, want $LOST_WANT: $(cat "$BATS_TEST_TMPDIR/err")"
				return 1
			fi
			case $rc in
			0)
				[ "$now" = "$after" ] || { echo "$e at recvmsg $n/$k: exit 0 but the work is not complete"
					diff <(echo "$after") <(echo "$now"); return 1; }
				eval "$undo" >/dev/null;;
			1)
				[ "$now" = "$before" ] || { echo "$e at recvmsg $n/$k: exit 1 ($(cat "$BATS_TEST_TMPDIR/err")) but the state changed"
					diff <(echo "$before") <(echo "$now"); return 1; }
				[ ! -s "$BATS_TEST_TMPDIR/out" ]
				[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1 ]
				grep -q '^tunctl: ' "$BATS_TEST_TMPDIR/err";;
			*)
				echo "$e at recvmsg $n/$k: exit $rc: $(cat "$BATS_TEST_TMPDIR/err")"; return 1;;
			esac
			now=$(snap)
			[ "$now" = "$before" ] || { echo "$e at recvmsg $n/$k: undo did not restore the state"
				diff <(echo "$before") <(echo "$now"); return 1; }
		done
	done
}

@test "addr add with a lost answer: done, or nothing changed" {
	t add f0 >/dev/null
	# The kernel's own first IPv6 address on a device adds routes that stay.
	t addr add f0 192.0.2.9/24
	t addr add f0 2001:db8::9/64
	lost "t addr del f0 192.0.2.1/24" -- addr add f0 192.0.2.1/24
	lost "t addr del f0 2001:db8::1/64" -- addr add f0 2001:db8::1/64
}

@test "addr add of an address that is there already fails at every lost answer" {
	t add f0
	t addr add f0 192.0.2.1/24
	LOST_WANT=1 lost ":" -- addr add f0 192.0.2.1/24
}

@test "addr del with a lost answer: done, or nothing changed" {
	t add f0
	t addr add f0 192.0.2.1/24
	lost "t addr add f0 192.0.2.1/24" -- addr del f0 192.0.2.1/24
}

@test "route add and del with a lost answer: done, or nothing changed" {
	t add f0 --addr 192.0.2.1/24
	t set f0 --up
	settle
	lost "t route del f0 198.51.100.0/24 via 192.0.2.2" -- route add f0 198.51.100.0/24 via 192.0.2.2
	lost "t route del f0 203.0.113.0/24 metric 7 table 100" -- route add f0 203.0.113.0/24 metric 7 table 100
	t route add f0 198.18.0.0/16
	lost "t route add f0 198.18.0.0/16" -- route del f0 198.18.0.0/16
}

@test "del of several devices with a lost answer: all gone, or none" {
	for d in a b c; do t add "$d"; done
	lost "t add a; t add b; t add c" -- del a b c
	lost "t add b" -- del b
}

@test "add --exist-ok with a lost answer: complete, or the device as it was" {
	t add f0
	t set f0 --up
	settle
	lost "t set f0 --mtu 1500; t route del f0 198.51.100.0/24; t addr del f0 192.0.2.1/24" -- \
		add f0 --exist-ok --mtu 1400 --addr 192.0.2.1/24 --route 198.51.100.0/24
	# What is there already is not ours: kept whatever happens.
	t addr add f0 192.0.2.1/24
	LOST_WANT=0 lost ":" -- add f0 --exist-ok --addr 192.0.2.1/24
}

@test "set with a lost answer: complete, or the device as it was" {
	t add tap0 --mode tap --mac 02:00:5e:00:53:01 --txqueuelen 1000
	lost "t set tap0 --mtu 1500 --txqueuelen 1000 --mac 02:00:5e:00:53:01 --up" -- \
		set tap0 --mtu 1400 --txqueuelen 33 --mac 02:00:5e:00:53:02 --down
}

@test "add of a new device with a lost answer: complete, or no device" {
	lost "t del f0" -- add f0 --mtu 1400 --addr 192.0.2.1/24 --addr 2001:db8::1/64 --route 198.51.100.0/24
}

@test "addr flush with a lost answer: all gone, or all there" {
	t add f0
	t addr add f0 192.0.2.9/24
	t addr add f0 2001:db8::9/64
	t addr add f0 192.0.2.1/24
	t addr add f0 2001:db8::1/64
	# Put back in the order they came: primary before secondary.
	lost "t addr add f0 192.0.2.9/24; t addr add f0 2001:db8::9/64; t addr add f0 192.0.2.1/24; t addr add f0 2001:db8::1/64" \
		-- addr flush f0
}

@test "set --netns with a lost answer: moved, or where it was" {
	local other="$NS-other"
	ip netns add "$other"
	t add f0
	# The state of both namespaces, the other's in the same form.
	snap() { snap_ns "$NS"; snap_ns "$other"; }
	run lost "ip -n $other link set f0 netns $NS && ip -n $NS link set f0 up" -- set f0 --netns "$other"
	ip netns del "$other"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "set --netns --master with a lost answer: the master asked again in the target namespace" {
	local other="$NS-other"
	ip netns add "$other"
	# Its own MAC, which a port does not change.
	ip -n "$other" link add br0 address 02:00:5e:00:53:0b type bridge
	t add tap0 --mode tap
	snap() { snap_ns "$NS"; snap_ns "$other"; }
	# Every lost answer is asked again and found done: the master read
	# back in the target namespace, where its index names br0.
	LOST_WANT=0 run lost "ip -n $other link set tap0 nomaster netns $NS && ip -n $NS link set tap0 up" -- \
		set tap0 --netns "$other" --master br0
	ip netns del "$other"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}
