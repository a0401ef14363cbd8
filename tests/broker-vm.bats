#!/usr/bin/env bats
# The broker and issue 22's options: a user without root may not put a
# device on a bridge (--master, --nomaster: the policy has no rule for
# them), nor reclaim devices (del --unused would take other users' too).
bats_require_minimum_version 1.5.0
load helpers

U=tvm-carol

setup_file() {
	need_root
	command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
	userdel "$U" 2>/dev/null || true
	useradd -M -N -g users -s /usr/sbin/nologin "$U"
	export BNS="tvm-broker-$$"
	ip netns add "$BNS"
	export BDIR=$(mktemp -d /tmp/tvm.XXXXXX)
	chmod 755 "$BDIR"
	export SOCK=$BDIR/broker.sock POLICY=$BDIR/policy
	printf 'allow user %s mode tap name vm%%d max 4\n' "$U" >"$POLICY"
	ip netns exec "$BNS" "$TUNCTL" broker --socket "$SOCK" --policy "$POLICY" 2>"$BDIR/log" 3>&- &
	echo $! >"$BDIR/pid"
	wait_until test -S "$SOCK"
}

teardown_file() {
	[ -n "${BDIR:-}" ] && [ -f "$BDIR/pid" ] && kill "$(cat "$BDIR/pid")" 2>/dev/null
	[ -n "${BNS:-}" ] && ip netns del "$BNS" 2>/dev/null
	userdel "$U" 2>/dev/null || true
	[ -n "${BDIR:-}" ] && rm -rf "$BDIR"
	true
}

as() {
	ip netns exec "$BNS" setpriv --reuid "$U" --regid users --init-groups --inh-caps=-all \
		env TUNCTL_BROKER_SOCKET="$SOCK" "$TUNCTL" "$@"
}
master_of() { ip -n "$BNS" -j link show "$1" | jq -r '.[0].master // "<none>"'; }

@test "broker: add --master, set --master and --nomaster refused; the device as it was" {
	ip -n "$BNS" link add br0 type bridge
	run --separate-stderr as add vm1 --mode tap --master br0
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tunctl: not allowed: --master and --nomaster through the broker"* ]]
	run ip -n "$BNS" link show vm1
	[ "$status" -ne 0 ]
	run --separate-stderr as add vm1 --mode tap
	[ "$status" -eq 0 ]
	run --separate-stderr as set vm1 --master br0
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"not allowed: --master"* ]]
	[ "$(master_of vm1)" = "<none>" ]
	ip -n "$BNS" link set vm1 master br0
	run --separate-stderr as set vm1 --nomaster
	[ "$status" -eq 1 ]
	[ "$(master_of vm1)" = br0 ]
	ip netns exec "$BNS" "$TUNCTL" del vm1
	ip -n "$BNS" link del br0
}

@test "broker: del --unused refused, nothing deleted" {
	ip netns exec "$BNS" "$TUNCTL" add other0 --mode tap >/dev/null
	run --separate-stderr as del --unused 'other*'
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"not --all or --unused"* ]]
	ip -n "$BNS" link show other0 >/dev/null
	ip netns exec "$BNS" "$TUNCTL" del other0
}

@test "broker: set --name refused (the policy goes by name), the device as it was" {
	run --separate-stderr as add vm2 --mode tap
	[ "$status" -eq 0 ]
	run --separate-stderr as set vm2 --name vm3
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tunctl: not allowed: --name through the broker"* ]]
	ip -n "$BNS" link show vm2 >/dev/null
	run ip -n "$BNS" link show vm3
	[ "$status" -ne 0 ]
	ip netns exec "$BNS" "$TUNCTL" del vm2
}
