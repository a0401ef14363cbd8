#!/usr/bin/env bats
# The systemd units, as installed: systemd-analyze verify is clean, and their
# ExecStart lines, run as written in the installed files (inside a scratch
# network namespace, with the install tree and a scratch /etc/tunctl mounted
# where the units look, in a private mount namespace), make the devices.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	command -v systemd-analyze >/dev/null || skip "systemd-analyze (systemd) is not installed"
	BUILD=$(cd "$(dirname "$TUNCTL")/.." && pwd)
	DEST=$BATS_TEST_TMPDIR/root
	env -u MAKEFLAGS -u MFLAGS make -s -C "$BUILD" install DESTDIR="$DEST" >/dev/null
	UNITDIR=$(find "$DEST" -name 'tunctl.service' -printf '%h\n' | head -n 1)
	[ -n "$UNITDIR" ] || { echo "no tunctl.service installed under $DEST"; return 1; }
	PREFIX=$(sed -n 's/^prefix = //p' "$BUILD/Makefile")
}
teardown() { ns_teardown; }

@test "the units are installed into systemd's unit directory, and systemd-analyze verify is clean" {
	[ -f "$UNITDIR/tunctl@.service" ]
	want=$(pkg-config --define-variable=prefix="$PREFIX" --define-variable=root_prefix="$PREFIX" \
		--define-variable=rootprefix="$PREFIX" --variable=systemdsystemunitdir systemd 2>/dev/null ||
		echo "$PREFIX/lib/systemd/system")
	[ "$UNITDIR" = "$DEST$want" ]
	# --root: the units' ExecStart paths are looked up in the install tree.
	run systemd-analyze verify --man=no --root="$DEST" "$UNITDIR/tunctl.service" "$UNITDIR/tunctl@.service"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ -z "$output" ] || { echo "$output"; false; }
	grep -qx 'Before=network-pre.target shutdown.target' "$UNITDIR/tunctl.service"
	grep -qx 'ConditionPathExists=/etc/tunctl/devices' "$UNITDIR/tunctl.service"
	grep -qx 'Type=oneshot' "$UNITDIR/tunctl.service"
	grep -qx 'RemainAfterExit=yes' "$UNITDIR/tunctl.service"
}

@test "tunctl-broker.socket and .service: installed, verify clean, the service hardened (exposure at most 2.5)" {
	[ -f "$UNITDIR/tunctl-broker.socket" ]
	[ -f "$UNITDIR/tunctl-broker.service" ]
	# Not --root: their default dependencies (sysinit.target...) are the
	# machine's; ExecStart pointed at the install tree instead.
	d=$BATS_TEST_TMPDIR/units
	mkdir -p "$d"
	cp "$UNITDIR/tunctl-broker.socket" "$d/"
	sed "s|^ExecStart=$PREFIX|ExecStart=$DEST$PREFIX|" "$UNITDIR/tunctl-broker.service" >"$d/tunctl-broker.service"
	run systemd-analyze verify --man=no "$d/tunctl-broker.socket" "$d/tunctl-broker.service"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ -z "$output" ] || { echo "$output"; false; }
	grep -qx "ExecStart=$PREFIX/bin/tunctl broker" "$UNITDIR/tunctl-broker.service"
	run systemd-analyze security --offline=true --root="$DEST" "$UNITDIR/tunctl-broker.service"
	exposure=$(printf '%s\n' "$output" | sed -n 's/.*Overall exposure level for tunctl-broker.service: \([0-9.]*\).*/\1/p')
	awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.5) }' || { echo "exposure: $exposure"; false; }
}

# Runs the unit's line KEY (ExecStart, ExecReload) as systemd would, with
# %i as $2, after "$3..." (ip netns exec for the unit of the machine's own
# namespace), in a mount namespace where the install tree stands at the
# prefix and /etc/tunctl holds the files of $BATS_TEST_TMPDIR/etc.
unit_line() {
	local unit=$1 inst=$2 key=$3
	shift 3
	local line
	line=$(sed -n "s/^$key=//p" "$UNITDIR/$unit")
	line=${line//%i/$inst}
	mkdir -p "$BATS_TEST_TMPDIR/upper" "$BATS_TEST_TMPDIR/work"
	# shellcheck disable=SC2086 # the unit's line is split into words, as systemd does here
	unshare -m sh -c '
		mount --make-rprivate / &&
		mount --bind "$1$2" "$2" &&
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$3/upper,workdir=$3/work" /etc &&
		mkdir -p /etc/tunctl && cp -r "$3/etc/." /etc/tunctl/ &&
		shift 3 && exec "$@"' _ "$DEST" "$PREFIX" "$BATS_TEST_TMPDIR" "$@" $line
}

@test "tunctl.service: its ExecStart makes the devices of /etc/tunctl/devices, ExecReload converges" {
	mkdir -p "$BATS_TEST_TMPDIR/etc"
	t add old0 --addr 192.0.2.9/24 >/dev/null
	t add boot0 --addr 192.0.2.1/24 --route "198.51.100.0/24 via 192.0.2.2" --mtu 1400 >/dev/null
	t save boot0 >"$BATS_TEST_TMPDIR/etc/devices"
	t del --all
	run --separate-stderr unit_line tunctl.service "" ExecStart ip netns exec "$NS"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(link_json dev boot0 | jq '.[0].mtu')" -eq 1400 ]
	route_json dev boot0 | jq -e '.[] | select(.dst == "198.51.100.0/24" and .gateway == "192.0.2.2")'
	ip -n "$NS" link set boot0 mtu 1280
	run --separate-stderr unit_line tunctl.service "" ExecReload ip netns exec "$NS"
	[ "$status" -eq 0 ]
	[ "$output" = "~ boot0 mtu 1280 -> 1400" ]
	[ "$(link_json dev boot0 | jq '.[0].mtu')" -eq 1400 ]
}

@test "tunctl@NAME.service: its ExecStart makes the devices of /etc/tunctl/netns/NAME inside /run/netns/NAME" {
	mkdir -p "$BATS_TEST_TMPDIR/etc/netns"
	echo 'add ns0 --mode tap --addr 2001:db8::1/64' >"$BATS_TEST_TMPDIR/etc/netns/$NS"
	grep -qx "ConditionPathExists=/run/netns/%i" "$UNITDIR/tunctl@.service"
	run --separate-stderr unit_line tunctl@.service "$NS" ExecStart
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(link_json dev ns0 | jq -r '.[0].linkinfo.info_data.type')" = tap ]
	addr_json dev ns0 | jq -e '.[0].addr_info[] | select(.local == "2001:db8::1")'
}
