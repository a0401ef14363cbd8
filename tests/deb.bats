#!/usr/bin/env bats
# The Debian package (debian/): dpkg-buildpackage -us -uc -b from a clean copy
# of the checkout, lintian without errors or warnings, and the package
# installed, upgraded, removed and purged beside uml-utilities (which ships
# its own /usr/bin/tunctl and tunctl(8)) in both orders. The installs happen
# in a Debian 12 chroot made by mmdebstrap under a temporary directory, each
# test on its own overlay of it, so the machine's packages never change (the
# last test checks that too). Minutes, not seconds: not part of make check;
# "make check-deb" or CI's own step runs it.
bats_require_minimum_version 1.5.0

SRCDIR=$BATS_TEST_DIRNAME/..

# Everything the file needs, checked once; the tests skip with the reason.
setup_file() {
	W=$(mktemp -d /tmp/tunctl-deb.XXXXXX)
	export W
	local need
	if [ "$(id -u)" != 0 ]; then
		need="needs root (mmdebstrap, chroot and mounts)"
	elif ! git -C "$SRCDIR" rev-parse --git-dir >/dev/null 2>&1 || [ ! -f "$SRCDIR/debian/rules" ]; then
		need="not a git checkout with debian/ (a tarball)"
	else
		for tool in dpkg-buildpackage dh lintian mmdebstrap apt-get; do
			command -v "$tool" >/dev/null || { need="$tool is not installed (apt-get install debhelper lintian mmdebstrap)"; break; }
		done
	fi
	if [ -n "$need" ]; then
		echo "$need" >"$W/skip"
		return 0
	fi
	dpkg-query -W -f '${Package} ${Version} ${Status}\n' | sort >"$W/host-before"

	# uml-utilities as the archive has it, and a Debian 12 chroot with its
	# dependencies and tunctl's, from the machine's own Debian sources: made
	# while the package builds (one waits on the network, the other on CPU).
	(cd "$W" && apt-get download -q uml-utilities) >"$W/download.log" 2>&1 || echo "apt-get download uml-utilities failed" >>"$W/fail"
	local sources mm
	for sources in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
		[ -f "$sources" ] && break
	done
	(
		t0=$SECONDS
		mmdebstrap --quiet --variant=minbase --include=adduser,libfuse2,libreadline8,lsb-base,libmnl0 \
			bookworm "$W/base" "$sources" </dev/null >"$W/mmdebstrap.log" 2>&1 || exit 1
		echo "mmdebstrap: $((SECONDS - t0)) s" >>"$W/times"
	) 3>&- &
	mm=$!

	# A clean copy: the files git knows (tracked, and new ones not ignored).
	mkdir -p "$W/src/tunctl"
	git -C "$SRCDIR" ls-files -co --exclude-standard -z | (cd "$SRCDIR" && tar --null -T - -cf -) | tar -xf - -C "$W/src/tunctl"
	local t0=$SECONDS
	(cd "$W/src/tunctl" && dpkg-buildpackage -us -uc -b) >"$W/build.log" 2>&1 || echo "dpkg-buildpackage failed" >>"$W/fail"
	echo "dpkg-buildpackage: $((SECONDS - t0)) s" >>"$W/times"
	DEB=$(ls "$W"/src/tunctl_*.deb 2>/dev/null | head -n 1)
	echo "$DEB" >"$W/deb"

	wait "$mm" || echo "mmdebstrap failed" >>"$W/fail"
	# No service starts in the chroot (uml-utilities has an init script).
	printf '#!/bin/sh\nexit 101\n' >"$W/base/usr/sbin/policy-rc.d" && chmod 755 "$W/base/usr/sbin/policy-rc.d"
}

teardown_file() {
	[ -n "${W:-}" ] || return 0
	if [ -f "$W/times" ]; then sed 's/^/# /' "$W/times" >&3; fi
	[ -d "$W/base" ] && umount -R "$W"/t*/root 2>/dev/null
	rm -rf "$W"
}

# Each test: an overlay of the chroot at $R, the package files inside it.
setup() {
	[ ! -f "$W/skip" ] || skip "$(cat "$W/skip")"
	[ ! -f "$W/fail" ] || { cat "$W/fail" "$W/build.log" "$W/mmdebstrap.log" "$W/download.log" 2>/dev/null | tail -40; return 1; }
	DEB=$(cat "$W/deb")
	T=$W/t$BATS_TEST_NUMBER
	R=$T/root
	mkdir -p "$T/upper" "$T/work" "$R"
	mount -t overlay overlay -o "lowerdir=$W/base,upperdir=$T/upper,workdir=$T/work" "$R"
	cp "$DEB" "$R/tmp/tunctl.deb"
	cp "$W"/uml-utilities_*.deb "$R/tmp/uml-utilities.deb"
	rm -rf "$W/uml" && dpkg-deb -x "$R/tmp/uml-utilities.deb" "$W/uml"
	rm -rf "$W/ours" && dpkg-deb -x "$DEB" "$W/ours"
}

teardown() {
	[ -n "${R:-}" ] && mountpoint -q "$R" && umount "$R"
	return 0
}

# A command inside the chroot, with a plain environment.
c() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }
# What a package could leave behind: files, links and directories under
# /etc, /usr and systemd's enablement state, with the content of each file
# in /etc; diversions and stat overrides; the packages dpkg knows.
snapshot() {
	(cd "$R" && find etc usr var/lib/systemd -printf '%y %m %u %p -> %l\n' 2>/dev/null | sort)
	(cd "$R" && find etc -type f -exec md5sum {} + | sort -k2)
	c dpkg-divert --list | sort
	c dpkg-statoverride --list | sort
	c dpkg-query -W -f '${Package} ${Version} ${Status}\n' | grep -v ' not-installed$' | sort
}
same_as() {
	snapshot >"$T/now"
	diff -u "$1" "$T/now" || { echo "differs from $1 (- before, + now)"; return 1; }
}
# Our program answers as "tunctl" and the man page of "tunctl" is ours.
ours_in_place() {
	run c tunctl --version
	[ "$status" -eq 0 ] && [[ "$output" == "tunctl "* ]] || { echo "tunctl --version: $status $output"; return 1; }
	cmp "$R/usr/share/man/man8/tunctl.8.gz" "$W/ours/usr/share/man/man8/tunctl.8.gz"
}
# uml-utilities' program and page, at PATH (tunctl or tunctl.uml-utilities).
uml_at() {
	cmp "$R/usr/bin/$1" "$W/uml/usr/bin/tunctl"
	cmp "$R/usr/share/man/man8/$1.8.gz" "$W/uml/usr/share/man/man8/tunctl.8.gz"
	run c "$1" -h
	[[ "$output" == *"Create: $1 [-b] [-u owner] [-g group] [-t device-name]"* ]] || { echo "$1 -h: $output"; return 1; }
	run c dpkg --verify uml-utilities
	[ -z "$output" ] || { echo "dpkg --verify uml-utilities: $output"; return 1; }
}
# None of tunctl's (dash has its own).
no_diversions() {
	run c dpkg-divert --list
	run grep 'by tunctl$' <<<"$output"
	[ "$status" -eq 1 ] || { echo "left: $output"; return 1; }
}

@test "dpkg-buildpackage -us -uc -b builds; lintian: no errors, no warnings" {
	[ -n "$DEB" ] && [ -f "$DEB" ]
	t0=$SECONDS
	run lintian --fail-on error,warning --info --pedantic "$W"/src/tunctl_*.changes
	echo "lintian: $((SECONDS - t0)) s" >>"$W/times"
	echo "$output" | grep -v 'running with root privileges' | sed 's/^/lintian: /'
	[ "$status" -eq 0 ]
	run grep -E '^[EW]: ' <<<"$output"
	[ "$status" -eq 1 ]
}

@test "the package holds /usr/bin/tunctl, tunctl(8), the three completions where the shells load them, the units, the CNI plugin link and /etc/tunctl" {
	run dpkg-deb -c "$DEB"
	files=$(awk '{print $6}' <<<"$output")
	for f in ./usr/bin/tunctl ./usr/share/man/man8/tunctl.8.gz \
		./usr/share/bash-completion/completions/tunctl \
		./usr/share/zsh/vendor-completions/_tunctl \
		./usr/share/fish/vendor_completions.d/tunctl.fish \
		./lib/systemd/system/tunctl.service ./lib/systemd/system/tunctl@.service \
		./lib/systemd/system/tunctl-netns@.service \
		./usr/lib/cni/tunctl-cni \
		./etc/tunctl/ ./usr/share/doc/tunctl/copyright; do
		grep -qxF "$f" <<<"$files" || { echo "missing $f in: $files"; return 1; }
	done
	run grep -c sbin <<<"$files"
	[ "$output" = 0 ]
	grep -qx 'ExecStart=/usr/bin/tunctl apply --per-device /etc/tunctl/devices' "$W/ours/lib/systemd/system/tunctl.service"
	grep -qx 'ExecStart=/usr/bin/tunctl -n %i apply --per-device /etc/tunctl/netns/%i' "$W/ours/lib/systemd/system/tunctl@.service"
	# The page names where the program is.
	zcat "$W/ours/usr/share/man/man8/tunctl.8.gz" | grep -qF 'usr/\:bin/tunctl'
}

@test "alone: install, reinstall, remove and purge leave nothing behind; purge takes the devices files" {
	snapshot >"$T/before"
	# As the README says: apt-get install of the built file.
	c apt-get install -y -q /tmp/tunctl.deb
	ours_in_place
	[ -d "$R/etc/tunctl" ]
	# "tunctl save >/etc/tunctl/devices" has its directory on a fresh install.
	c sh -c 'echo "add tun0" >/etc/tunctl/devices'
	[ -L "$R/etc/systemd/system/multi-user.target.wants/tunctl.service" ]
	[ "$(c dpkg-divert --listpackage /usr/bin/tunctl)" = tunctl ]
	[ "$(c dpkg-divert --truename /usr/bin/tunctl)" = /usr/bin/tunctl.uml-utilities ]
	[ "$(c dpkg-divert --truename /usr/share/man/man8/tunctl.8.gz)" = /usr/share/man/man8/tunctl.uml-utilities.8.gz ]
	# Again (preinst upgrade): the same diversions, once each.
	c dpkg -i /tmp/tunctl.deb
	[ "$(c dpkg-divert --list | grep -c 'by tunctl$')" -eq 2 ]
	ours_in_place
	c dpkg -r tunctl
	[ ! -e "$R/usr/bin/tunctl" ] && [ ! -e "$R/usr/share/man/man8/tunctl.8.gz" ]
	no_diversions
	run c dpkg -L tunctl
	[[ "$output" != *"/usr/bin/tunctl"* ]]
	# remove keeps the administrator's files; purge takes them.
	[ -f "$R/etc/tunctl/devices" ]
	mkdir "$R/etc/tunctl/netns" && echo "add tap0 --mode tap" >"$R/etc/tunctl/netns/blue"
	c dpkg -P tunctl
	run c dpkg -L tunctl
	[ "$status" -ne 0 ]
	same_as "$T/before"
}

@test "uml-utilities first, then tunctl: tunctl is ours, the classic tool is tunctl.uml-utilities; removing ours gives uml-utilities its files back" {
	c dpkg -i /tmp/uml-utilities.deb
	uml_at tunctl
	snapshot >"$T/before"
	c dpkg -i /tmp/tunctl.deb
	ours_in_place
	uml_at tunctl.uml-utilities
	# The classic dialect still works through ours.
	run c tunctl -h
	[ "$status" -eq 0 ]
	c dpkg -r tunctl
	uml_at tunctl
	[ ! -e "$R/usr/bin/tunctl.uml-utilities" ] && [ ! -e "$R/usr/share/man/man8/tunctl.uml-utilities.8.gz" ]
	no_diversions
	c dpkg -P tunctl
	same_as "$T/before"
}

@test "tunctl first, then uml-utilities: its files go to tunctl.uml-utilities; either removal order leaves the other whole" {
	snapshot >"$T/before"
	c dpkg -i /tmp/tunctl.deb
	c dpkg -i /tmp/uml-utilities.deb
	ours_in_place
	uml_at tunctl.uml-utilities
	# An upgrade of tunctl (here the same version again) keeps both in place.
	c dpkg -i /tmp/tunctl.deb
	ours_in_place
	uml_at tunctl.uml-utilities
	# Purging ours gives uml-utilities /usr/bin/tunctl and tunctl(8).
	c dpkg -P tunctl
	uml_at tunctl
	no_diversions
	# Both again, and this time uml-utilities leaves first: ours stays whole.
	c dpkg -i /tmp/tunctl.deb
	uml_at tunctl.uml-utilities
	c dpkg -P uml-utilities
	ours_in_place
	[ ! -e "$R/usr/bin/tunctl.uml-utilities" ] && [ ! -e "$R/usr/share/man/man8/tunctl.uml-utilities.8.gz" ]
	run c dpkg --verify tunctl
	[ -z "$output" ] || { echo "dpkg --verify tunctl: $output"; return 1; }
	c dpkg -P tunctl
	no_diversions
	# uml-utilities leaves its uml-net user behind, so no whole comparison
	# here (the tests above make one): nothing of tunctl's is left.
	(cd "$R" && find etc usr var/lib/systemd -path '*tunctl*') >"$T/left"
	[ ! -s "$T/left" ] || { echo "left: $(cat "$T/left")"; return 1; }
}

@test "the machine's own packages are as they were" {
	dpkg-query -W -f '${Package} ${Version} ${Status}\n' | sort >"$W/host-after"
	diff -u "$W/host-before" "$W/host-after"
}
