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
teardown() {
	# tunctl-netns@'s test: the namespace its unit made, by its scratch name.
	[ -n "${SCRATCH:-}" ] && ip netns del "$SCRATCH" 2>/dev/null
	ns_teardown
}

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
		if [ -n "${SANDBOX_RO:-}" ]; then
			for m in / /etc /run "$2"; do
				mountpoint -q "$m" || mount --rbind "$m" "$m" || exit 1
				mount -o remount,bind,ro "$m" || exit 1
			done
		fi &&
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
	run --separate-stderr unit_line tunctl@.service "$NS" ExecStart
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(link_json dev ns0 | jq -r '.[0].linkinfo.info_data.type')" = tap ]
	addr_json dev ns0 | jq -e '.[0].addr_info[] | select(.local == "2001:db8::1")'
}

# The unit's CapabilityBoundingSet= as setpriv(1) takes it: -all,+net_admin,...
unit_caps() {
	local caps c out=-all
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNITDIR/$1")
	for c in $caps; do
		c=${c#CAP_}
		out+=",+${c,,}"
	done
	echo "$out"
}

# The unit's sandbox, as far as it can be had without systemd: its
# capability bounding set (no ambient or inheritable ones), no new
# privileges, and (ProtectSystem=strict) the file systems read-only; run
# as the last words of unit_line, in its mount namespace.
sandboxed() {
	local unit=$1
	shift
	echo setpriv --bounding-set="$(unit_caps "$unit")" --inh-caps=-all --ambient-caps=-all --no-new-privs --
}

@test "tunctl.service and tunctl@.service: hardened, exposure at most 3.0 (systemd-analyze security --offline)" {
	for u in tunctl.service tunctl@.service; do
		run systemd-analyze security --offline=true --root="$DEST" "$UNITDIR/$u"
		exposure=$(printf '%s\n' "$output" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
		echo "$u: exposure $exposure" >&3
		awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 3.0) }' || { echo "$u: exposure $exposure"; echo "$output"; false; }
	done
	# Bounded to what tunctl uses: CAP_NET_ADMIN; for tunctl@ only,
	# CAP_SYS_ADMIN to enter the namespace (setns) and mount its /sys.
	grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN' "$UNITDIR/tunctl.service"
	grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_SYS_ADMIN' "$UNITDIR/tunctl@.service"
	grep -qx 'ProtectSystem=strict' "$UNITDIR/tunctl.service"
	grep -qx 'RestrictNamespaces=net mnt' "$UNITDIR/tunctl@.service"
	grep -qx "ExecStart=$PREFIX/bin/tunctl apply --per-device /etc/tunctl/devices" "$UNITDIR/tunctl.service"
}

@test "every system call tunctl apply and -n make is allowed by the units' SystemCallFilter" {
	# The groups, expanded (a group may hold groups).
	expand() {
		local w
		for w in $(systemd-analyze syscall-filter "$1" | sed -e '1d' -e '/^ *#/d'); do
			case $w in @*) expand "$w" ;; *) echo "$w" ;; esac
		done
	}
	denied=$(expand @privileged | sort -u)
	# Each system call of the log $2 in the groups $3... and not in @privileged.
	check() {
		local allowed used s
		allowed=$(for g in "${@:2}"; do expand "$g"; done | sort -u)
		used=$(sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p' "$1" | sort -u)
		[ -n "$used" ] || return 1
		for s in $used; do
			grep -qx "$s" <<<"$allowed" || { echo "$s is not in ${*:2}"; return 1; }
			grep -qx "$s" <<<"$denied" && { echo "$s is in @privileged"; return 1; }
		done
		return 0
	}
	grep -qx 'SystemCallFilter=@system-service' "$UNITDIR/tunctl.service"
	grep -qx 'SystemCallFilter=@system-service @mount' "$UNITDIR/tunctl@.service"
	grep -qx 'SystemCallFilter=~@privileged' "$UNITDIR/tunctl.service"
	grep -qx 'SystemCallFilter=~@privileged' "$UNITDIR/tunctl@.service"
	f=$BATS_TEST_TMPDIR/devices
	# Made, converged (an attach for the owner), pruned, a line that fails.
	printf 'add keep0 --addr 192.0.2.1/24 --user nobody\nadd new0 --mode tap\nadd bad0 --user tunctl-systemd-nouser-%s\n' $$ >"$f"
	t add keep0 --mtu 1400 >/dev/null
	t add old0 >/dev/null
	log=$BATS_TEST_TMPDIR/strace
	# tunctl.service: apply in the namespace it runs in.
	ASAN_OPTIONS=detect_leaks=0 run in_ns strace -f -qq -o "$log" "$TUNCTL" apply --per-device --prune "$f"
	[ "$status" -eq 1 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "keep0 new0 " ]
	check "$log" @system-service
	# tunctl@.service: -n NAME, which also mounts a /sys of its own.
	t del --all
	t add keep0 --mtu 1400 >/dev/null
	t add old0 >/dev/null
	ASAN_OPTIONS=detect_leaks=0 run strace -f -qq -o "$log" "$TUNCTL" -n "$NS" apply --per-device --prune "$f"
	[ "$status" -eq 1 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "keep0 new0 " ]
	grep -q '^[0-9]* *mount(' "$log"
	check "$log" @system-service @mount
	# The check can fail: without @mount, -n's mount is refused.
	run check "$log" @system-service
	[ "$status" -eq 1 ]
}

@test "tunctl.service under its sandbox: ExecStart makes the devices, a bad line costs its device only, ExecReload converges" {
	mkdir -p "$BATS_TEST_TMPDIR/etc"
	cat >"$BATS_TEST_TMPDIR/etc/devices" <<-EOF
	add boot0 --addr 192.0.2.1/24 --route "198.51.100.0/24 via 192.0.2.2" --mtu 1400
	add bad0 --user tunctl-systemd-nouser-$$
	add vm0 --mode tap --user nobody --vnet-hdr
	add neb0 --addr 192.0.2.9/24 --keep-config
	EOF
	# shellcheck disable=SC2046 # sandboxed's words
	SANDBOX_RO=1 run --separate-stderr unit_line tunctl.service "" ExecStart ip netns exec "$NS" $(sandboxed tunctl.service)
	[ "$status" -eq 1 ] || { echo "status $status: $stderr"; false; }
	[[ "$stderr" == *"1 device failed: bad0 (/etc/tunctl/devices:2)"* ]] || { echo "$stderr"; false; }
	[ "$(tun_devices | sort | tr '\n' ' ')" = "boot0 neb0 vm0 " ]
	[ "$(link_json dev boot0 | jq '.[0].mtu')" -eq 1400 ]
	[ "$(sysfs vm0 owner)" = 65534 ]
	route_json dev boot0 | jq -e '.[] | select(.dst == "198.51.100.0/24" and .gateway == "192.0.2.2")'
	# The line fixed, a program's address on neb0: the reload converges and keeps it.
	sed -i '/bad0/d' "$BATS_TEST_TMPDIR/etc/devices"
	ip -n "$NS" addr add 198.51.100.77/24 dev neb0
	ip -n "$NS" link set boot0 mtu 1280
	# shellcheck disable=SC2046
	SANDBOX_RO=1 run --separate-stderr unit_line tunctl.service "" ExecReload ip netns exec "$NS" $(sandboxed tunctl.service)
	[ "$status" -eq 0 ] || { echo "status $status: $stderr"; false; }
	[ "$output" = "~ boot0 mtu 1280 -> 1400" ]
	addr_json dev neb0 | jq -e '.[0].addr_info[] | select(.local == "198.51.100.77")'
	# The sandbox bites: without CAP_NET_ADMIN the same line fails.
	ip -n "$NS" link set boot0 mtu 1280
	SANDBOX_RO=1 run --separate-stderr unit_line tunctl.service "" ExecReload ip netns exec "$NS" \
		setpriv --bounding-set=-all --inh-caps=-all --no-new-privs --
	[ "$status" -eq 1 ]
	[ "$(link_json dev boot0 | jq '.[0].mtu')" -eq 1280 ]
}

@test "tunctl-netns@NAME.service makes /run/netns/NAME (ip netns add) for tunctl@NAME.service, which requires and follows it" {
	d=$BATS_TEST_TMPDIR/units
	mkdir -p "$d"
	# Not --root: ip is the machine's.
	cp "$UNITDIR/tunctl-netns@.service" "$d/"
	run systemd-analyze verify --man=no "$d/tunctl-netns@.service"
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$output"; false; }
	grep -qx 'Requires=tunctl-netns@%i.service' "$UNITDIR/tunctl@.service"
	grep -q '^After=tunctl-netns@%i.service' "$UNITDIR/tunctl@.service"
	run grep -x 'ConditionPathExists=/run/netns/%i' "$UNITDIR/tunctl@.service"
	[ "$status" -eq 1 ]
	grep -qx 'ConditionPathExists=!/run/netns/%i' "$UNITDIR/tunctl-netns@.service"
	# Its ExecStart, by hand, under its capability bounding set, with a
	# scratch name (deleted in teardown).
	SCRATCH=tunctl-systemd-scratch-$$
	[ ! -e "/run/netns/$SCRATCH" ]
	line=$(sed -n 's/^ExecStart=//p' "$UNITDIR/tunctl-netns@.service")
	# shellcheck disable=SC2046,SC2086 # words, as systemd splits them
	run $(sandboxed tunctl-netns@.service) ${line//%i/$SCRATCH}
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ -e "/run/netns/$SCRATCH" ]
	ip netns list | grep -q "^$SCRATCH\b"
	# Then tunctl@NAME's ExecStart, under its sandbox, makes the devices there.
	mkdir -p "$BATS_TEST_TMPDIR/etc/netns"
	echo 'add ns0 --mode tap --addr 2001:db8::1/64' >"$BATS_TEST_TMPDIR/etc/netns/$SCRATCH"
	# shellcheck disable=SC2046
	SANDBOX_RO=1 run --separate-stderr unit_line tunctl@.service "$SCRATCH" ExecStart $(sandboxed tunctl@.service)
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(ip -n "$SCRATCH" -d -j link show dev ns0 | jq -r '.[0].linkinfo.info_data.type')" = tap ]
	ip -n "$SCRATCH" -j addr show dev ns0 | jq -e '.[0].addr_info[] | select(.local == "2001:db8::1")'
	# Without CAP_SYS_ADMIN, tunctl@ could not enter it.
	SANDBOX_RO=1 run --separate-stderr unit_line tunctl@.service "$SCRATCH" ExecStart \
		setpriv --bounding-set=-all,+net_admin --inh-caps=-all --no-new-privs --
	[ "$status" -eq 1 ] || { echo "status $status: $stderr"; false; }
}
