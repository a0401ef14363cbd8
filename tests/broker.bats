#!/usr/bin/env bats
# tunctl broker: devices for users without root, as the policy allows. Two
# real unprivileged users (tbkaPID, tbkbPID: this run's own) ask a broker that runs in a
# namespace of this file's own, its socket in a temporary directory; state
# is read back with ip and sysfs, never with tunctl.
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	need_root
	command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
	# Names of this run's own, so that two checkouts can run the suite at
	# once: tbka, tbkb, tbkg and the pid of the shell that runs
	# setup_file (at most 11 bytes: "\$USER-a" still fits in a device
	# name). Those of a run that was killed, whose pid is gone, go now.
	for old in $(getent passwd | cut -d: -f1 | grep -E '^tbk[ab][0-9]+$'); do
		kill -0 "${old#tbk?}" 2>/dev/null || userdel "$old" 2>/dev/null || true
	done
	for old in $(getent group | cut -d: -f1 | grep -E '^tbkg[0-9]+$'); do
		kill -0 "${old#tbkg}" 2>/dev/null || groupdel "$old" 2>/dev/null || true
	done
	export ALICE=tbka$$ BOB=tbkb$$ GRP=tbkg$$
	groupadd $GRP
	useradd -M -N -g users -s /usr/sbin/nologin $ALICE
	useradd -M -N -g users -G $GRP -s /usr/sbin/nologin $BOB
	export BNS="tbk-broker-$$" BNS2="tbk-broker2-$$"
	ip netns add "$BNS"
	ip netns add "$BNS2"
	# Not BATS_FILE_TMPDIR: the users must reach the socket.
	export BDIR=$(mktemp -d /tmp/tbk.XXXXXX)
	chmod 755 "$BDIR"
	export SOCK=$BDIR/broker.sock POLICY=$BDIR/policy
	: >"$POLICY"
	# Under the sanitizer build (CI), no quarantine of freed memory: the
	# memory test below measures the broker's own growth.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
		ip netns exec "$BNS" "$TUNCTL" broker --socket "$SOCK" --policy "$POLICY" --timeout 2 \
		2>"$BDIR/log" 3>&- &
	echo $! >"$BDIR/pid"
	wait_until -t 5 test -S "$SOCK"
}

teardown_file() {
	# The broker gone (a zombie of this shell's counts) before its files go.
	[ -n "${BDIR:-}" ] && [ -f "$BDIR/pid" ] && kill "$(cat "$BDIR/pid")" 2>/dev/null &&
		wait_until -t 5 "gone $(cat "$BDIR/pid")"
	[ -n "${BNS:-}" ] && ip netns del "$BNS" 2>/dev/null
	[ -n "${BNS2:-}" ] && ip netns del "$BNS2" 2>/dev/null
	for u in ${ALICE:-} ${BOB:-}; do userdel "$u" 2>/dev/null || true; done
	[ -n "${GRP:-}" ] && groupdel "$GRP" 2>/dev/null
	[ -n "${BDIR:-}" ] && rm -rf "$BDIR"
	true
}

# True once process $1 has ended (exited, or a zombie not yet reaped).
gone() {
	kill -0 "$1" 2>/dev/null || return 0
	grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

setup() {
	NS=$BNS
	broker_alive
}

teardown() {
	# A slow broker that a failed test left running: the broker, then strace.
	if [ -n "${RACE:-}" ]; then
		kill $(pgrep -P $RACE) 2>/dev/null
		wait $RACE 2>/dev/null || true
	fi
	# A holder of alice's that a failed test left waiting.
	[ -n "${holder:-}" ] && { touch "$BDIR/release"; wait $holder 2>/dev/null || true; }
	[ -n "${slots:-}" ] && { kill $slots 2>/dev/null; wait $slots 2>/dev/null || true; }
	# Every device the test made, whoever owns it.
	NS=$BNS
	ip netns exec "$BNS" "$TUNCTL" del --all --force >/dev/null 2>&1 || true
	ip netns exec "$BNS2" "$TUNCTL" del --all --force >/dev/null 2>&1 || true
	for b in br0 brold br-lan "br-$ALICE"; do ip -n "$BNS" link del "$b" 2>/dev/null || true; done
	# A race test that failed half-way: its slow broker, then strace.
	if [ -n "${RACE:-}" ]; then kill $(pgrep -P "$RACE") "$RACE" 2>/dev/null || true; fi
}

broker_pid() { cat "$BDIR/pid"; }
broker_alive() { kill -0 "$(broker_pid)" || { echo "the broker died:"; tail "$BDIR/log"; return 1; }; }

# A new policy, as the broker will read it at the next request.
policy() {
	printf '%s\n' "$@" >"$POLICY.new"
	mv "$POLICY.new" "$POLICY"
}

# tunctl as user $1 (no capability: setpriv drops them with root's uid),
# inside the broker's namespace.
as() {
	local u=$1
	shift
	ip netns exec "$BNS" setpriv --reuid "$u" --regid users --init-groups --inh-caps=-all \
		env TUNCTL_BROKER_SOCKET="$SOCK" RELEASE="$BDIR/release" "$TUNCTL" "$@"
}

owner_of() { ip -n "$BNS" -d -j link show "$1" | jq -r '.[0].linkinfo.info_data.user // "none"'; }
exists() { ip -n "$BNS" link show "$1" >/dev/null 2>&1; }

# Raw requests (python): RAW_REQ holds the bytes as a Python expression;
# prints "status<TAB>error line", or "closed" when the broker said nothing.
raw() {
	python3 - "$SOCK" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(sys.argv[1])
s.send(eval(sys.argv[2]))
r = s.recv(70000)
if not r:
    print("closed")
else:
    n = int.from_bytes(r[5:9], "little")
    print("%d\t%s" % (r[4], r[9 + n:].rstrip(b"\0\n").decode()))
PY
}

@test "add: the device is made, owned by the caller, its name printed; the log names uid, pid, command, result" {
	policy "allow user $ALICE mode tap name vm%d max 2"
	run --separate-stderr as $ALICE add vm0 --mode tap
	[ "$status" -eq 0 ]
	[ "$output" = vm0 ]
	[ -z "$stderr" ]
	[ "$(owner_of vm0)" = $ALICE ]
	ip -n "$BNS" -d -j link show vm0 | jq -e '.[0].linkinfo.info_data.type == "tap"'
	uid=$(id -u $ALICE)
	grep -E "uid $uid \($ALICE\) pid [0-9]+: add vm0 --mode tap: exit 0$" "$BDIR/log"
	# JSON and a template, as a direct add prints them.
	run --separate-stderr as $ALICE -j add 'vm%d' --mode tap
	[ "$status" -eq 0 ]
	[ "$output" = '{"ifname":"vm1","created":true}' ]
}

@test "no rule: refused with the message that says so, nothing made, nothing on stdout" {
	policy "allow user $ALICE mode tap name vm%d"
	run --separate-stderr as $ALICE add vm9x --mode tap
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "tunctl: not allowed by $POLICY: no rule lets $ALICE create tap devices named \"vm9x\"" ]
	run ! exists vm9x
	run --separate-stderr as $ALICE add vm0 --mode tun
	[ "$status" -eq 1 ]
	[[ $stderr == *"no rule lets $ALICE create tun devices named \"vm0\"" ]]
	run --separate-stderr as $BOB add vm0 --mode tap
	[ "$status" -eq 1 ]
	[[ $stderr == *"no rule lets $BOB create tap devices"* ]]
	run ! exists vm0
	grep -q "add vm9x --mode tap: exit 1: tunctl: not allowed" "$BDIR/log"
}

@test "an empty policy grants nothing (default deny)" {
	policy "# nothing"
	run --separate-stderr as $ALICE add vm0 --mode tap
	[ "$status" -eq 1 ]
	[[ $stderr == *"no rule lets $ALICE"* ]]
	run ! exists vm0
}

@test "each field: mtu range, multi_queue, vnet_hdr, allowed and refused, naming the rule's line" {
	policy "# line 1" "allow user $ALICE mode tap name vm%d max 9 mtu 1280-9000 vnet_hdr"
	run --separate-stderr as $ALICE add vm0 --mode tap --mtu 9000 --vnet-hdr
	[ "$status" -eq 0 ]
	[ "$(ip -n "$BNS" -j link show vm0 | jq '.[0].mtu')" = 9000 ]
	[ "$(ip -n "$BNS" -d -j link show vm0 | jq -r '.[0].linkinfo.info_data.vnet_hdr')" = true ]
	run --separate-stderr as $ALICE add vm1 --mode tap --mtu 9001
	[ "$status" -eq 1 ]
	[ "$stderr" = "tunctl: not allowed by $POLICY:2: --mtu 9001 is outside the rule's range 1280-9000" ]
	run --separate-stderr as $ALICE add vm1 --mode tap --multi-queue
	[ "$status" -eq 1 ]
	[[ $stderr == *"$POLICY:2: --multi-queue is not allowed"* ]]
	run ! exists vm1
	policy "allow user $ALICE mode tap name vm%d max 9 multi_queue"
	run --separate-stderr as $ALICE add vm1 --mode tap --multi-queue
	[ "$status" -eq 0 ]
	[ "$(ip -n "$BNS" -d -j link show vm1 | jq -r '.[0].linkinfo.info_data.multi_queue')" = true ]
	run --separate-stderr as $ALICE add vm2 --mode tap --vnet-hdr
	[ "$status" -eq 1 ]
	[[ $stderr == *"--vnet-hdr is not allowed"* ]]
	run --separate-stderr as $ALICE add vm2 --mode tap --mtu 1400
	[ "$status" -eq 1 ]
	[[ $stderr == *"--mtu is not allowed (the rule has no mtu range)"* ]]
	run ! exists vm2
}

@test "addresses and routes: none by default, only within the listed prefixes" {
	policy "allow user $ALICE mode tun name tun%d max 9"
	run --separate-stderr as $ALICE add tun0 --addr 192.0.2.1/24
	[ "$status" -eq 1 ]
	[[ $stderr == *"--addr 192.0.2.1/24 is not within the rule's addr prefixes (it lists none)" ]]
	run ! exists tun0
	policy "allow user $ALICE mode tun name tun%d max 9 addr 192.0.2.0/24 route 198.51.100.0/24"
	run --separate-stderr as $ALICE add tun0 --addr 192.0.2.1/24 --route 198.51.100.0/25
	[ "$status" -eq 0 ]
	[ "$(ip -n "$BNS" -j addr show tun0 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" = 192.0.2.1 ]
	ip -n "$BNS" -j route show 198.51.100.0/25 | jq -e 'length == 1'
	run --separate-stderr as $ALICE add tun1 --addr 192.0.2.1/16
	[ "$status" -eq 1 ]
	[[ $stderr == *"--addr 192.0.2.1/16 is not within"* ]]
	run --separate-stderr as $ALICE add tun1 --route 203.0.113.0/24
	[ "$status" -eq 1 ]
	[[ $stderr == *"--route 203.0.113.0/24 is not within"* ]]
	run --separate-stderr as $ALICE add tun1 --route "198.51.100.0/24 table 7"
	[ "$status" -eq 1 ]
	[[ $stderr == *"only the main table"* ]]
	run ! exists tun1
	ip -n "$BNS" -j route show table all | jq -e 'all(.[]; .table != "7")'
}

@test "quota: max devices, counted by owner in the namespace" {
	policy "allow user $ALICE mode tap name vm%d max 2"
	as $ALICE add vm0 --mode tap
	as $ALICE add vm1 --mode tap
	run --separate-stderr as $ALICE add vm2 --mode tap
	[ "$status" -eq 1 ]
	[ "$stderr" = "tunctl: not allowed by $POLICY:1: $ALICE owns 2 TUN/TAP devices already, as many as the rule allows (max 2)" ]
	run ! exists vm2
	as $ALICE del vm1
	as $ALICE add vm2 --mode tap
	exists vm2
}

@test "names: PREFIX%d, globs with \$USER; /, .., control bytes, too long refused before anything" {
	policy "allow user $ALICE mode tap name vm%d name '\$USER-*' max 9"
	run as $ALICE add vm12 --mode tap
	[ "$status" -eq 0 ]
	run as $ALICE add vm1x --mode tap
	[ "$status" -eq 1 ]
	run as $ALICE add 'vm%dx' --mode tap
	[ "$status" -ne 0 ]
	# $USER is the caller: "tbkaPID-a" fits in 15 bytes.
	run as $ALICE add $ALICE-a --mode tap
	[ "$status" -eq 0 ]
	run --separate-stderr as $BOB add $ALICE-b --mode tap
	[ "$status" -eq 1 ]
	# Bad names: refused as a direct run refuses them (exit 2), by the
	# client, and by the broker itself when sent raw.
	for n in 'vm/1' '..' 'vm0123456789abcde'; do
		run --separate-stderr as $ALICE add "$n" --mode tap
		[ "$status" -eq 2 ] || { echo "$n: $status $stderr"; return 1; }
	done
	# The kernel would take control bytes; the broker does not.
	run --separate-stderr as $ALICE add "vm1$(printf '\001')" --mode tap
	[ "$status" -eq 1 ]
	[ "$stderr" = "tunctl: not allowed by $POLICY: the name holds a control byte (\\x01): no rule grants such names" ]
	run raw 'b"TBK1add\0vm/1\0"'
	[ "${output%%	*}" = 2 ]
	run raw 'b"TBK1add\0vm1\x1b\0"'
	[[ $output == "1	"*"control byte (\\x1b)"* ]]
	run raw 'b"TBK1add\0vm0123456789abcdef\0"'
	[ "${output%%	*}" = 2 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "$ALICE-a vm12 " ]
}

@test "another user's device: not deleted, changed, re-owned, moved or opened" {
	policy "allow user $ALICE mode tap name vm%d max 9 mtu 1280-9000 netns $BNS2" \
	       "allow user $BOB mode tap name vm%d max 9 mtu 1280-9000 netns $BNS2"
	as $ALICE add vm0 --mode tap
	for cmd in "del vm0" "set vm0 --mtu 1400" "set vm0 --netns $BNS2" "set vm0 --down"; do
		run --separate-stderr as $BOB $cmd
		[ "$status" -eq 1 ] || { echo "$cmd: $status"; return 1; }
		[ "$stderr" = "tunctl: not allowed by $POLICY: vm0 belongs to $ALICE, not to $BOB" ]
	done
	# Re-owning, even one's own: a brokered device stays its caller's.
	run --separate-stderr as $ALICE set vm0 --user $BOB --mtu 1400
	[ "$status" -eq 1 ]
	[[ $stderr == *"always belongs to its caller"* ]]
	run --separate-stderr as $BOB add vm5 --mode tap --user $ALICE
	[ "$status" -eq 1 ]
	run ! exists vm5
	run --separate-stderr as $BOB add vm0 --mode tap --exist-ok
	[ "$status" -eq 1 ]
	[[ $stderr == *"vm0 belongs to $ALICE, not to $BOB" ]]
	# Opened through the broker: refused too (no /dev/net/tun here).
	run --separate-stderr ip netns exec "$BNS" unshare -m sh -c 'mount -t tmpfs none /dev/net &&
		exec setpriv --reuid '$BOB' --regid users --init-groups --inh-caps=-all env TUNCTL_BROKER_SOCKET='$SOCK' '$TUNCTL' run vm0 -- true'
	[ "$status" -eq 1 ]
	[[ $stderr == *"vm0 belongs to $ALICE, not to $BOB" ]]
	# All as it was.
	[ "$(owner_of vm0)" = $ALICE ]
	[ "$(ip -n "$BNS" -j link show vm0 | jq '.[0].mtu')" = 1500 ]
	ip -n "$BNS" -j link show vm0 | jq -e '.[0].flags | index("UP")'
	# The owner may.
	as $ALICE set vm0 --mtu 1400
	[ "$(ip -n "$BNS" -j link show vm0 | jq '.[0].mtu')" = 1400 ]
	as $ALICE del vm0
	run ! exists vm0
}

@test "netns: a move only into a namespace the rule names" {
	policy "allow user $ALICE mode tap name vm%d max 9"
	as $ALICE add vm0 --mode tap
	run --separate-stderr as $ALICE set vm0 --netns "$BNS2"
	[ "$status" -eq 1 ]
	[[ $stderr == *"--netns $BNS2 is not allowed (the rule's netns list is empty)" ]]
	exists vm0
	policy "allow user $ALICE mode tap name vm%d max 9 netns $BNS2"
	as $ALICE set vm0 --netns "$BNS2"
	run ! exists vm0
	ip -n "$BNS2" link show vm0
}

@test "netns: --up or --master with --netns refused (the move would drop them), nothing moved" {
	policy "allow user $ALICE mode tap name vm%d max 9 netns $BNS2 master br0"
	ip -n "$BNS" link add br0 type bridge
	as $ALICE add vm0 --mode tap
	for opt in "--master br0" "--up"; do
		# shellcheck disable=SC2086
		run --separate-stderr as $ALICE set vm0 --netns "$BNS2" $opt
		[ "$status" -eq 2 ] || { echo "$opt: exit $status: $stderr"; ip -n "$BNS2" -d -j link show vm0; return 1; }
		[ "$stderr" = "tunctl: set vm0 --netns $BNS2: through the broker, --up and --master cannot go with --netns (the move takes the device down and off its master): move it with --netns alone" ]
		exists vm0
		run ip -n "$BNS2" link show vm0
		[ "$status" -ne 0 ]
		[ "$(master_of vm0)" = "<none>" ]
	done
	as $ALICE set vm0 --netns "$BNS2"
	ip -n "$BNS2" link show vm0
}

@test "quota: devices moved into a namespace the policy names still count against max" {
	# The broker's own namespace named too (not counted twice), and a name
	# with no namespace behind it (holding none).
	policy "allow user $ALICE mode tap name vm%d max 2 netns $BNS2 netns $BNS" \
	       "allow user $BOB mode tap name vm%d max 2 netns tbk-none-$$"
	as $ALICE add vm0 --mode tap
	as $ALICE add vm1 --mode tap
	as $ALICE set vm0 --netns "$BNS2"
	ip -n "$BNS2" link show vm0
	run --separate-stderr as $ALICE add vm2 --mode tap
	[ "$status" -eq 1 ]
	[ "$stderr" = "tunctl: not allowed by $POLICY:1: $ALICE owns 2 TUN/TAP devices already, as many as the rule allows (max 2)" ]
	run ! exists vm2
	# Gone from there: room again.
	ip -n "$BNS2" link del vm0
	as $ALICE add vm2 --mode tap
	exists vm2
	as $BOB add vm3 --mode tap
	[ "$(owner_of vm3)" = $BOB ]
}

master_of() { ip -n "$BNS" -j link show "$1" | jq -r '.[0].master // "<none>"'; }

@test "master: only a bridge a rule names (a list or glob, \$USER expanded; none by default), for one's own devices" {
	ip -n "$BNS" link add br0 type bridge
	ip -n "$BNS" link add br-lan type bridge
	ip -n "$BNS" link add "br-$ALICE" type bridge
	policy "allow user $ALICE mode tap name vm%d max 9" "allow user $BOB mode tap name vm%d max 9 master br0"
	# None by default: the host's bridges are not the users'.
	run --separate-stderr as $ALICE add vm0 --mode tap --master br0
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "tunctl: not allowed by $POLICY:1: --master br0 is not allowed (the rule's master list is empty)" ]
	run ! exists vm0
	policy "# alice's bridges" "allow user $ALICE mode tap name vm%d max 9 master br0 master 'br-\$USER*'" \
	       "allow user $BOB mode tap name vm%d max 9 master br0"
	run --separate-stderr as $ALICE add vm0 --mode tap --master br-lan
	[ "$status" -eq 1 ]
	[ "$stderr" = "tunctl: not allowed by $POLICY:2: --master br-lan is not allowed (the rule's master list does not name it)" ]
	run ! exists vm0
	run --separate-stderr as $ALICE add vm0 --mode tap --master br0
	[ "$status" -eq 0 ]
	[ "$output" = vm0 ]
	[ "$(master_of vm0)" = br0 ]
	[ "$(owner_of vm0)" = $ALICE ]
	# set: onto another allowed master (by the \$USER glob), off, back.
	as $ALICE set vm0 --master "br-$ALICE"
	[ "$(master_of vm0)" = "br-$ALICE" ]
	run --separate-stderr as $ALICE set vm0 --master br-lan
	[ "$status" -eq 1 ]
	[[ $stderr == *"$POLICY:2: --master br-lan is not allowed"* ]]
	[ "$(master_of vm0)" = "br-$ALICE" ]
	as $ALICE set vm0 --nomaster
	[ "$(master_of vm0)" = "<none>" ]
	as $ALICE set vm0 --master br0
	[ "$(master_of vm0)" = br0 ]
	# Bob may use br0, but not on alice's device; nor br-alice at all.
	for cmd in "set vm0 --nomaster" "set vm0 --master br0"; do
		run --separate-stderr as $BOB $cmd
		[ "$status" -eq 1 ] && [ "$stderr" = "tunctl: not allowed by $POLICY: vm0 belongs to $ALICE, not to $BOB" ] ||
			{ echo "$cmd: $status $stderr"; return 1; }
	done
	[ "$(master_of vm0)" = br0 ]
	run --separate-stderr as $BOB add vm1 --mode tap --master "br-$ALICE"
	[ "$status" -eq 1 ]
	[[ $stderr == *"$POLICY:3: --master br-$ALICE is not allowed"* ]]
	run ! exists vm1
	# A master allowed by the glob that is not there: as a direct add says.
	run --separate-stderr as $ALICE add vm1 --mode tap --master "br-${ALICE}x"
	[ "$status" -eq 1 ]
	[ "$stderr" = "tunctl: vm1: --master br-${ALICE}x: no device br-${ALICE}x in this namespace (it must be in the device's namespace: ip link show br-${ALICE}x)" ]
	run ! exists vm1
	# Not a bridge (a tap of alice's own): the kernel's refusal, nothing left.
	policy "allow user $ALICE mode tap name vm%d max 9 master 'vm*'"
	run --separate-stderr as $ALICE add vm1 --mode tap --master vm0
	[ "$status" -eq 1 ]
	[[ $stderr == *"vm0 cannot be a master"* ]]
	run ! exists vm1
	grep -q "add vm0 --mode tap --master br0: exit 0" "$BDIR/log"
	ip -n "$BNS" link del br0
	ip -n "$BNS" link del br-lan
	ip -n "$BNS" link del "br-$ALICE"
}

@test "a group rule applies to the group's members (the kernel's supplementary groups)" {
	policy "allow group $GRP mode tun name g%d"
	run --separate-stderr as $ALICE add g0
	[ "$status" -eq 1 ]
	run --separate-stderr as $BOB add g0
	[ "$status" -eq 0 ]
	[ "$(owner_of g0)" = $BOB ]
}

@test "a policy with an error refuses everything with its FILE:LINE: message, until fixed" {
	policy "allow user $ALICE mode tap name vm%d max 9" "allow user $ALICE mode tap name vm%d mtu 1-2"
	run --separate-stderr as $ALICE add vm0 --mode tap
	[ "$status" -eq 1 ]
	[ "$stderr" = "tunctl: not allowed: $POLICY:2: mtu \"1-2\": expected N or MIN-MAX, from 68 to 65535 (the broker refuses every request until the policy is fixed)" ]
	run ! exists vm0
	rm "$POLICY"
	run --separate-stderr as $ALICE add vm0 --mode tap
	[ "$status" -eq 1 ]
	[[ $stderr == *"$POLICY: cannot read: No such file or directory"* ]]
	policy "allow user $ALICE mode tap name vm%d max 9"
	# Writable by others than root: it could grant anything (refused even
	# when the file was read before and only its mode changed).
	as $ALICE add vm9 --mode tap
	chmod 0666 "$POLICY"
	run --separate-stderr as $ALICE add vm0 --mode tap
	[ "$status" -eq 1 ]
	[[ $stderr == *"$POLICY: mode 0666, owner uid 0: only root may be able to write it"* ]]
	run ! exists vm0
	chmod 0644 "$POLICY"
	as $ALICE del vm9
	as $ALICE add vm0 --mode tap
	exists vm0
}

@test "requests oversized, truncated, malformed: refused with exit 2; the broker goes on" {
	run raw 'b"TBK1" + b"a\0" * 5000'
	[ "$output" = "2	tunctl: bad request to the broker: request of 10004 bytes is larger than 8192" ]
	run raw 'b"TBK1add\0vm0"'
	[ "$output" = "2	tunctl: bad request to the broker: truncated request: its last word is not ended" ]
	run raw 'b"XXXX"'
	[[ $output == "2	tunctl: bad request to the broker: not a tunctl broker request"* ]]
	run raw 'b"TBK1"'
	[[ $output == "2	"*"empty request"* ]]
	run raw 'b"TBK1list\0"'
	[[ $output == "2	tunctl: the broker does add, del, set and run"* ]]
	run raw 'b"TBK1-n\0other\0add\0x\0"'
	[[ $output == "2	"* ]]
	broker_alive
}

@test "a silent client is dropped after the timeout and blocks no one meanwhile" {
	policy "allow user $ALICE mode tap name vm%d max 9"
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
t = time.monotonic()
print("connected", file=sys.stderr, flush=True)
s.settimeout(10)
r = s.recv(100)
print("%s %.1f" % ("eof" if r == b"" else "data", time.monotonic() - t))' "$SOCK" >"$BATS_TEST_TMPDIR/silent" \
		2>"$BATS_TEST_TMPDIR/silent.err" &
	silent=$!
	# Connected: it is in the broker's queue ahead of alice's request.
	wait_until -t 5 grep -q connected "$BATS_TEST_TMPDIR/silent.err"
	start=$(date +%s%N)
	as $ALICE add vm0 --mode tap
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$took" -lt 1500 ] || { echo "add took $took ms behind a silent client"; return 1; }
	wait $silent
	read -r what secs <"$BATS_TEST_TMPDIR/silent"
	[ "$what" = eof ]
	# --timeout 2
	awk -v s="$secs" 'BEGIN { exit !(s >= 1.5 && s < 4) }'
	grep -q "no request within 2 s: dropped" "$BDIR/log"
}

@test "200 clients at once all get their answers" {
	policy "allow user $ALICE mode tap name vm%d max 9"
	python3 - "$SOCK" <<'PY'
import socket, sys
socks = []
for i in range(200):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(20)
    s.connect(sys.argv[1])
    socks.append(s)
for s in socks:
    s.send(b"TBK1del\0nosuch0\0")
bad = 0
for s in socks:
    r = s.recv(70000)
    if r[:4] != b"TBR1" or r[4] != 1 or b"nosuch0 does not exist" not in r:
        bad += 1
print("bad", bad)
sys.exit(1 if bad else 0)
PY
	broker_alive
}

@test "clients that close before the answer, or mid-request, harm no one" {
	policy "allow user $ALICE mode tap name vm%d max 9"
	python3 - "$SOCK" <<'PY'
import socket, sys
for i in range(100):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    if i % 2:
        s.send(b"TBK1del\0nosuch0\0")
    s.close()
PY
	as $ALICE add vm0 --mode tap
	exists vm0
	broker_alive
}

@test "1,000 requests: the broker's descriptors and memory do not grow" {
	policy "allow user $ALICE mode tap name vm%d max 9 addr 192.0.2.0/24 mtu 1280-1500"
	pid=$(broker_pid)
	# As alice: devices made, changed, opened and deleted, and requests
	# refused, malformed or dropped, in turn.
	req() {
		ip netns exec "$BNS" setpriv --reuid $ALICE --regid users --init-groups --inh-caps=-all \
			/usr/bin/python3 - "$SOCK" "$1" <<'PY'
import array, os, socket, sys
reqs = [b"TBK1add\x00vm0\x00--mode\x00tap\x00--addr\x00192.0.2.1/24\x00", b"TBK1-j\x00set\x00vm0\x00--mtu\x001400\x00",
        b"TBK1run\x00vm0\x00--queues\x001\x00--\x00-\x00", b"TBK1del\x00vm0\x00", b"TBK1add\x00x\x00", b"TBK1set\x00nosuch\x00--up\x00",
        b"XXXX", None]
bad = 0
for i in range(int(sys.argv[2])):
    r = reqs[i % len(reqs)]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    if r is None:
        s.close()
        continue
    s.send(r)
    fds = array.array("i")
    msg, anc, _, _ = s.recvmsg(70000, socket.CMSG_SPACE(64 * 4))
    for lvl, typ, data in anc:
        fds.frombytes(data[:len(data) - len(data) % 4])
    for fd in fds:
        os.close(fd)
    want = 0 if i % len(reqs) < 4 else (1 if i % len(reqs) < 6 else 2)
    if msg[4] != want:
        print(i, r, msg, file=sys.stderr)
        bad += 1
s.close()
sys.exit(1 if bad else 0)
PY
	}
	req 200
	fds0=$(ls /proc/$pid/fd | wc -l)
	rss0=$(awk '/^VmRSS/ { print $2 }' /proc/$pid/status)
	req 1000
	fds1=$(ls /proc/$pid/fd | wc -l)
	rss1=$(awk '/^VmRSS/ { print $2 }' /proc/$pid/status)
	echo "# fds $fds0 -> $fds1, rss $rss0 -> $rss1 kB" >&3
	[ "$fds0" -eq "$fds1" ]
	[ $((rss1 - rss0)) -lt 256 ]
}

@test "run: the broker hands its owner the queues where /dev/net/tun is missing; traffic flows" {
	policy "allow user $ALICE mode tun name tun%d max 9 addr 192.0.2.0/24"
	as $ALICE add tun0 --addr 192.0.2.1/24
	# A container without /dev/net/tun: only the broker can open the device.
	run --separate-stderr ip netns exec "$BNS" unshare -m sh -c 'mount -t tmpfs none /dev/net &&
		exec setpriv --reuid '$ALICE' --regid users --init-groups --inh-caps=-all \
		env TUNCTL_BROKER_SOCKET='$SOCK' '$TUNCTL' run tun0 -- sh -c "
			test ! -e /dev/net/tun && readlink /proc/self/fd/3 && echo \$LISTEN_FDS \$TUNCTL_IFNAME
			ping -c1 -W1 192.0.2.2 >/dev/null 2>&1 &
			timeout 3 head -c 1 <&3 | wc -c"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /dev/net/tun ]
	[ "${lines[1]}" = "1 tun0" ]
	# A packet the kernel routed to the device was read from descriptor 3.
	[ "${lines[2]}" = 1 ]
	grep -q "run tun0 --queues 1 -- -: exit 0" "$BDIR/log"
}

@test "systemd units: verify clean, the service's exposure at most 2.5" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	units=$BATS_TEST_DIRNAME/../systemd
	d=$BATS_TEST_TMPDIR/units
	mkdir -p "$d"
	sed 's|@bindir@|/usr/bin|' "$units/tunctl-broker.service.in" >"$d/tunctl-broker.service"
	cp "$units/tunctl-broker.socket" "$d/"
	run systemd-analyze security --offline=true "$d/tunctl-broker.service"
	exposure=$(printf '%s\n' "$output" | sed -n 's/.*Overall exposure level for tunctl-broker.service: \([0-9.]*\).*/\1/p')
	echo "exposure $exposure"
	awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.5) }'
	grep -qx 'ListenSequentialPacket=/run/tunctl/broker.sock' "$d/tunctl-broker.socket"
	grep -qx 'SocketMode=0666' "$d/tunctl-broker.socket"
	grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN' "$d/tunctl-broker.service"
	grep -qx 'RestrictAddressFamilies=AF_UNIX AF_NETLINK' "$d/tunctl-broker.service"
	grep -qx 'SyslogFacility=authpriv' "$d/tunctl-broker.service"
}

@test "a VM without root: alice's qemu gets both taps from the broker and passes traffic to another namespace" {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
	# Root's part: one policy line (the same on a bridge: broker-vm.bats).
	policy "allow user $ALICE mode tap name vm%d max 2 addr 192.0.2.0/24 netns $BNS2"
	# Alice's part, with no /dev/net/tun at all (as in a container): two
	# taps, the second moved into the other namespace once qemu's queue
	# of it is open, and qemu's emulated hub between them.
	as $ALICE add vm0 --mode tap --addr 192.0.2.1/24
	as $ALICE add vm1 --mode tap
	ip netns exec "$BNS" unshare -m sh -c 'mount -t tmpfs none /dev/net &&
		exec setpriv --reuid '$ALICE' --regid users --init-groups --inh-caps=-all \
		env TUNCTL_BROKER_SOCKET='$SOCK' '$TUNCTL' run vm1 --fd 4 -- sh -c "
			'$TUNCTL' set vm1 --netns '$BNS2' || exit 9
			exec '$TUNCTL' run vm0 -- qemu-system-x86_64 -M none -nodefaults -display none \
				-netdev tap,id=a,fd=3 -netdev tap,id=b,fd=4 \
				-netdev hubport,id=h0,hubid=0,netdev=a -netdev hubport,id=h1,hubid=0,netdev=b"' \
		>"$BATS_TEST_TMPDIR/qemu" 2>&1 &
	qemu=$!
	wait_until -t 5 'ip -n "$BNS2" link show vm1 >/dev/null 2>&1' || { cat "$BATS_TEST_TMPDIR/qemu"; return 1; }
	# The other namespace's end (the test's fixture, as a peer host would be).
	ip -n "$BNS2" addr add 192.0.2.2/24 dev vm1
	ip -n "$BNS2" link set vm1 up
	ok=0
	for _ in $(seq 20); do
		ip netns exec "$BNS" ping -c1 -W1 192.0.2.2 >/dev/null 2>&1 && { ok=1; break; }
		kill -0 $qemu 2>/dev/null || break
	done
	# qemu held both: no carrier-less end.
	carrier0=$(ip netns exec "$BNS" cat /sys/class/net/vm0/carrier)
	kill $qemu 2>/dev/null; wait $qemu 2>/dev/null || true
	[ "$ok" = 1 ] || { cat "$BATS_TEST_TMPDIR/qemu"; return 1; }
	[ "$carrier0" = 1 ]
	grep -q "set vm1 --netns $BNS2: exit 0" "$BDIR/log"
	grep -q "run vm0 --queues 1 -- -: exit 0" "$BDIR/log"
}

@test "log: every request with uid, pid, command and result; on the journal's stream, each line with its priority" {
	policy "allow user $ALICE mode tap name jr%d max 9"
	rm -f "$BDIR/jr.sock"
	: >"$BDIR/jr.log"
	# As systemd starts it: standard error the journal's stream, which
	# $JOURNAL_STREAM names by device and inode.
	ip netns exec "$BNS" env JOURNAL_STREAM="$(stat -c %d:%i "$BDIR/jr.log")" \
		"$TUNCTL" broker --socket "$BDIR/jr.sock" --policy "$POLICY" 2>>"$BDIR/jr.log" 3>&- &
	jr=$!
	wait_until -t 5 test -S "$BDIR/jr.sock"
	for n in jr0 vm0; do
		ip netns exec "$BNS" setpriv --reuid $ALICE --regid users --init-groups --inh-caps=-all \
			env TUNCTL_BROKER_SOCKET="$BDIR/jr.sock" "$TUNCTL" add $n --mode tap >/dev/null 2>&1 || true
	done
	kill $jr
	wait $jr || true
	cat "$BDIR/jr.log"
	uid=$(id -u $ALICE)
	grep -qx "<6>uid $uid ($ALICE) pid [0-9]*: add jr0 --mode tap: exit 0" "$BDIR/jr.log"
	grep -qx "<5>uid $uid ($ALICE) pid [0-9]*: add vm0 --mode tap: exit 1: tunctl: not allowed by $POLICY: no rule lets $ALICE create tap devices named \"vm0\"" "$BDIR/jr.log"
	grep -qx "<6>listening on $BDIR/jr.sock" "$BDIR/jr.log"
	run ! grep -q "tunctl-broker:" "$BDIR/jr.log"
	# Not the journal (the foreground broker of this file): the name, no
	# priority.
	as $ALICE add jr1 --mode tap
	grep -q "^tunctl-broker: uid [0-9]* ($ALICE) pid [0-9]*: " "$BDIR/log"
	run ! grep -q "^<[0-9]>" "$BDIR/log"
}

@test "socket activation: the broker serves the socket systemd passes (LISTEN_FDS)" {
	command -v systemd-socket-activate >/dev/null || skip "no systemd-socket-activate"
	policy "allow user $ALICE mode tap name act%d"
	ip netns exec "$BNS" systemd-socket-activate --seqpacket -l "$BDIR/act.sock" \
		"$TUNCTL" broker --policy "$POLICY" 2>"$BDIR/act.log" &
	act=$!
	wait_until -t 5 test -S "$BDIR/act.sock"
	chmod 0666 "$BDIR/act.sock"
	run --separate-stderr ip netns exec "$BNS" setpriv --reuid $ALICE --regid users --init-groups \
		--inh-caps=-all env TUNCTL_BROKER_SOCKET="$BDIR/act.sock" "$TUNCTL" add act0 --mode tap
	kill $act 2>/dev/null; wait $act 2>/dev/null || true
	[ "$status" -eq 0 ] || { echo "$stderr"; cat "$BDIR/act.log"; return 1; }
	[ "$output" = act0 ]
	[ "$(owner_of act0)" = $ALICE ]
	grep -q "listening on the socket systemd passed" "$BDIR/act.log"
}

@test "through the broker, the same output, errors and exit status as a direct run" {
	policy "allow user $ALICE mode tap name vm%d max 9 mtu 1280-9000"
	# Root's direct run and alice's brokered one, side by side.
	for cmd in "set nosuch0 --mtu 1400" "del nosuch0" "add vm0 --mode tap --mtu 1280 --mac zz"; do
		run --separate-stderr t $cmd
		ds=$status do=$output de=$stderr
		run --separate-stderr as $ALICE $cmd
		[ "$status" = "$ds" ] && [ "$output" = "$do" ] && [ "$stderr" = "$de" ] ||
			{ echo "$cmd: direct $ds '$do' '$de'; brokered $status '$output' '$stderr'"; return 1; }
	done
	# A device held open: del says who holds it, as a direct del does.
	as $ALICE add vm1 --mode tap
	in_ns python3 -c '
import fcntl, struct, sys, time
f = open("/dev/net/tun", "r+b", buffering=0)
fcntl.ioctl(f, 0x400454ca, struct.pack("16sH", b"vm1", 0x0002 | 0x1000))
print("ready", flush=True)
time.sleep(30)' >"$BATS_TEST_TMPDIR/hold" &
	holder=$!
	wait_until -t 5 grep -q ready "$BATS_TEST_TMPDIR/hold"
	run --separate-stderr t del vm1
	ds=$status de=$stderr
	run --separate-stderr as $ALICE del vm1
	kill $holder; wait $holder 2>/dev/null || true
	[ "$ds" -eq 1 ] && [ "$status" -eq 1 ]
	[ "$stderr" = "$de" ] || { echo "direct '$de'; brokered '$stderr'"; return 1; }
	[[ $stderr == *"vm1 is in use by python3"* ]]
	exists vm1
}

@test "a connection passed to another process keeps its connector's identity (as the man page warns)" {
	policy "allow user $ALICE mode tap name vm%d max 9"
	# Alice connects and hands the connection to bob's process, which asks.
	run --separate-stderr ip netns exec "$BNS" python3 - "$SOCK" "$(id -u $ALICE)" "$(id -u $BOB)" "$(getent group users | cut -d: -f3)" <<'PY'
import os, socket, sys
path, alice, bob, gid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
if os.fork() == 0:
    os.setgroups([]); os.setgid(gid); os.setuid(alice)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    socket.send_fds(a, [b"x"], [s.fileno()])
    os._exit(0)
os.wait()
os.setgroups([]); os.setgid(gid); os.setuid(bob)
_, fds, _, _ = socket.recv_fds(b, 1, 1)
s = socket.socket(fileno=fds[0])
s.send(b"TBK1add\0vm0\0--mode\0tap\0")
r = s.recv(70000)
print(r[4], os.getuid() == bob)
PY
	[ "$status" -eq 0 ]
	[ "$output" = "0 True" ]
	# Bob asked, but the device is alice's, and the log says alice.
	[ "$(owner_of vm0)" = $ALICE ]
	grep -q "uid $(id -u $ALICE) ($ALICE) pid [0-9]*: add vm0 --mode tap: exit 0" "$BDIR/log"
}

# A second broker whose second netlink send (the act, after the check's
# dump) waits 1.5 s: the window a race between check and act would need.
slow_broker() {
	command -v strace >/dev/null || skip "no strace"
	rm -f "$BDIR/race.sock" "$BDIR/race.trace"
	# LeakSanitizer cannot run under ptrace (the sanitizer build in CI).
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		ip netns exec "$BNS" strace -o "$BDIR/race.trace" -e trace=sendto -e inject=sendto:delay_enter=1500000:when=2+ \
		"$TUNCTL" broker --socket "$BDIR/race.sock" --policy "$POLICY" 2>>"$BDIR/race.log" 3>&- &
	RACE=$!
	wait_until -t 5 test -S "$BDIR/race.sock"
}

# True while the slow broker is held in its second sendto (the act):
# strace has written that call's first half, and no result yet.
in_act() {
	[ "$(grep -c '^sendto(' "$BDIR/race.trace")" -ge 2 ] &&
		grep '^sendto(' "$BDIR/race.trace" | tail -n1 | grep -vq ' = '
}

# Between alice's check and act, root swaps a new device of bob's in
# under her device's name; $1: alice's request.
race() {
	slow_broker
	as $ALICE add vm0 --mode tap --mtu 1500
	old=$(ip -n "$BNS" -j link show vm0 | jq '.[0].ifindex')
	ip netns exec "$BNS" setpriv --reuid $ALICE --regid users --init-groups --inh-caps=-all \
		env TUNCTL_BROKER_SOCKET="$BDIR/race.sock" "$TUNCTL" $1 >"$BATS_TEST_TMPDIR/race.out" 2>&1 &
	req=$!
	wait_until -t 5 in_act
	ip -n "$BNS" link set vm0 down
	ip -n "$BNS" link set vm0 name vmold
	ip -n "$BNS" tuntap add vm0 mode tap user $BOB
	rc=0
	wait $req || rc=$?
	# The broker (strace's child), then strace.
	kill $(pgrep -P $RACE) 2>/dev/null
	wait $RACE 2>/dev/null || true
	new=$(ip -n "$BNS" -j link show vm0 | jq '.[0].ifindex')
	[ "$new" != "$old" ]
	[ "$(owner_of vm0)" = $BOB ]
}

@test "a race between check and act: del and set act on the device checked, not on a name swapped in" {
	policy "allow user $ALICE mode tap name vm%d max 9 mtu 1280-9000"
	race "del vm0"
	cat "$BATS_TEST_TMPDIR/race.out"
	[ "$rc" -eq 0 ]
	# Alice's device (renamed) is gone; bob's, under the name, is there.
	run ! ip -n "$BNS" link show vmold
	ip -n "$BNS" link show vm0
	ip -n "$BNS" link del vm0
	race "set vm0 --mtu 1400"
	cat "$BATS_TEST_TMPDIR/race.out"
	[ "$rc" -eq 0 ]
	[ "$(ip -n "$BNS" -j link show vmold | jq '.[0].mtu')" = 1400 ]
	[ "$(ip -n "$BNS" -j link show vm0 | jq '.[0].mtu')" = 1500 ]
}

@test "a race between check and act: --master goes to the bridge checked, by index, not to one made under its name" {
	policy "allow user $ALICE mode tap name vm%d max 9 master br0"
	ip -n "$BNS" link add br0 type bridge
	as $ALICE add vm0 --mode tap
	checked=$(ip -n "$BNS" -j link show br0 | jq '.[0].ifindex')
	# A broker held 1.5 s where set reads the device's master (for its
	# undo, the RTM_GETLINK after the check's dump), before the request
	# is built: slow_broker's second sendto.
	slow_broker
	ip netns exec "$BNS" setpriv --reuid $ALICE --regid users --init-groups --inh-caps=-all \
		env TUNCTL_BROKER_SOCKET="$BDIR/race.sock" "$TUNCTL" set vm0 --master br0 >"$BATS_TEST_TMPDIR/race.out" 2>&1 &
	req=$!
	wait_until -t 5 in_act
	grep '^sendto(' "$BDIR/race.trace" | tail -n1 | grep -q 'RTM_GETLINK, nlmsg_flags=NLM_F_REQUEST|NLM_F_ACK'
	# Root's bridge br0 renamed away, and another made under its name
	# (a user could not do either; the broker must still not be fooled).
	ip -n "$BNS" link set br0 name brold
	ip -n "$BNS" link add br0 type bridge
	rc=0
	wait $req || rc=$?
	stop_slow_broker
	cat "$BATS_TEST_TMPDIR/race.out"
	[ "$rc" -eq 0 ]
	[ "$(ip -n "$BNS" -j link show brold | jq '.[0].ifindex')" = "$checked" ]
	[ "$(master_of vm0)" = brold ]
	ip -n "$BNS" -j link show master br0 | jq -e 'length == 0'
	ip -n "$BNS" link del brold
	ip -n "$BNS" link del br0
}

stop_slow_broker() {
	kill $(pgrep -P $RACE) 2>/dev/null
	wait $RACE 2>/dev/null || true
}

@test "a race between check and act: add --exist-ok never adopts a device put under the name meanwhile" {
	policy "allow user $ALICE mode tap name vm%d max 9"
	# Held 1.5 s from its second netlink send: add --exist-ok's lookup of
	# the name it is to adopt (RTM_GETLINK), after the check's dump.
	slow_broker
	# The name is free when checked; root makes a device without owner
	# under it before the broker acts.
	ip netns exec "$BNS" setpriv --reuid $ALICE --regid users --init-groups --inh-caps=-all \
		env TUNCTL_BROKER_SOCKET="$BDIR/race.sock" "$TUNCTL" add vm0 --mode tap --exist-ok \
		>"$BATS_TEST_TMPDIR/race.out" 2>&1 &
	req=$!
	# Held before it acts, or (never adopting) done.
	wait_until -t 5 "in_act || ! kill -0 $req 2>/dev/null"
	rootrc=0
	ip -n "$BNS" tuntap add vm0 mode tap || rootrc=$?
	rc=0
	wait $req || rc=$?
	cat "$BATS_TEST_TMPDIR/race.out"
	if [ "$rootrc" -eq 0 ]; then
		[ "$(owner_of vm0)" = none ]
		[ "$rc" -ne 0 ]
	else
		[ "$(owner_of vm0)" = $ALICE ]
	fi
	ip -n "$BNS" link del vm0
	# The name is alice's when checked; root swaps an ownerless device in.
	# (A new slow broker: its second send is this request's lookup.)
	stop_slow_broker
	slow_broker
	as $ALICE add vm1 --mode tap
	ip netns exec "$BNS" setpriv --reuid $ALICE --regid users --init-groups --inh-caps=-all \
		env TUNCTL_BROKER_SOCKET="$BDIR/race.sock" "$TUNCTL" add vm1 --mode tap --exist-ok \
		>"$BATS_TEST_TMPDIR/race.out" 2>&1 &
	req=$!
	wait_until -t 5 in_act
	grep '^sendto(' "$BDIR/race.trace" | tail -n1 | grep -q 'RTM_GETLINK, nlmsg_flags=NLM_F_REQUEST|NLM_F_ACK'
	ip -n "$BNS" link set vm1 name vmold
	ip -n "$BNS" tuntap add vm1 mode tap
	rc=0
	wait $req || rc=$?
	stop_slow_broker
	cat "$BATS_TEST_TMPDIR/race.out"
	[ "$rc" -eq 1 ]
	[ "$(owner_of vm1)" = none ]
	[ "$(owner_of vmold)" = $ALICE ]
}

@test "add --exist-ok of a device its owner holds unpersisted is refused at once, not waited for" {
	policy "allow user $ALICE mode tap name vm%d max 9"
	as $ALICE add vm0 --mode tap
	# Alice attaches to her device and makes it not persistent, as its
	# owner may: a broker that waited for it would serve no one meanwhile.
	rm -f "$BDIR/release"
	as $ALICE run vm0 -- /usr/bin/python3 -c '
import fcntl, os, time
fcntl.ioctl(3, 0x400454cb, 0)
print("held", flush=True)
for _ in range(200):
    if os.path.exists(os.environ["RELEASE"]):
        break
    time.sleep(0.05)
' >"$BATS_TEST_TMPDIR/hold" &
	holder=$!
	wait_until -t 5 grep -q held "$BATS_TEST_TMPDIR/hold"
	[ "$(ip netns exec "$BNS" cat /sys/class/net/vm0/tun_flags)" = 0x1002 ]
	run -1 as $ALICE add vm0 --mode tap --exist-ok
	touch "$BDIR/release"
	wait $holder
	echo "$output"
	[[ "$output" == *"the broker does not wait for one"* ]]
	[ "${#lines[@]}" -eq 1 ]
	broker_alive
}

@test "one user's idle connections leave the broker's slots to the others" {
	policy "allow user $ALICE mode tap name vm%d max 9"
	rm -f "$BDIR/slots.sock" "$BDIR/release"
	# Its own broker: a long deadline, so that only the cap frees slots.
	ip netns exec "$BNS" "$TUNCTL" broker --socket "$BDIR/slots.sock" --policy "$POLICY" --timeout 60 \
		2>"$BDIR/slots.log" 3>&- &
	slots=$!
	wait_until -t 5 test -S "$BDIR/slots.sock"
	# Bob connects 300 times and sends nothing.
	ip netns exec "$BNS" setpriv --reuid $BOB --regid users --init-groups --inh-caps=-all \
		env RELEASE="$BDIR/release" /usr/bin/python3 -c '
import os, socket, sys, time
held = []
for _ in range(300):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    held.append(s)
print("held", flush=True)
for _ in range(400):
    if os.path.exists(os.environ["RELEASE"]):
        break
    time.sleep(0.05)
' "$BDIR/slots.sock" >"$BATS_TEST_TMPDIR/hold" &
	holder=$!
	wait_until -t 10 grep -q held "$BATS_TEST_TMPDIR/hold"
	rc=0
	ip netns exec "$BNS" setpriv --reuid $ALICE --regid users --init-groups --inh-caps=-all \
		env TUNCTL_BROKER_SOCKET="$BDIR/slots.sock" timeout 10 "$TUNCTL" add vm0 --mode tap || rc=$?
	touch "$BDIR/release"
	wait $holder
	kill $slots
	wait $slots || true
	[ "$rc" -eq 0 ]
	[ "$(owner_of vm0)" = $ALICE ]
	grep -q "uid $(id -u $BOB) pid [0-9]*: dropped, to make room: every place was taken, more than 16 of them by this user" "$BDIR/slots.log"
}

@test "txqueuelen through the broker: at most 1000, on add and on set" {
	policy "allow user $ALICE mode tap name vm%d max 9"
	run -1 as $ALICE add vm0 --mode tap --txqueuelen 100000
	[ "$output" = "tunctl: not allowed by $POLICY: --txqueuelen 100000: at most 1000 through the broker (a queue's unread packets are kernel memory)" ]
	run ! ip -n "$BNS" link show vm0
	as $ALICE add vm0 --mode tap --txqueuelen 1000
	[ "$(ip netns exec "$BNS" cat /sys/class/net/vm0/tx_queue_len)" = 1000 ]
	run -1 as $ALICE set vm0 --txqueuelen 4000000
	[[ "$output" == *"--txqueuelen 4000000: at most 1000"* ]]
	[ "$(ip netns exec "$BNS" cat /sys/class/net/vm0/tx_queue_len)" = 1000 ]
}
