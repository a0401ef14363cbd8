#!/usr/bin/env bats
# make install: the program in bin, the page in man8, the devices files'
# directory, and each completion where that shell really loads it. A copy of the sources is configured for
# a prefix, installed with DESTDIR, and the staged tree is laid over the real
# prefix (an overlay in a private mount namespace, so nothing on the machine
# changes); bash, zsh and fish then start as they would after a real install,
# with no directory added by the test, and must complete "tunctl <TAB>".
bats_require_minimum_version 1.5.0
load helpers

SRCDIR=$BATS_TEST_DIRNAME/..

# The shells load nothing of the machine user's (own_home).
setup() { own_home; }

setup_file() {
	BUILDDIR=${TUNCTL%/src/tunctl}
	export BUILDDIR
}

need_stage() {
	[ "$(id -u)" = 0 ] || skip "needs root (mounts an overlay in a private mount namespace)"
	[ -f "$BUILDDIR/Makefile" ] || skip "no build tree at $BUILDDIR"
	unshare -m mount -t tmpfs none /mnt 2>/dev/null || skip "cannot make a private mount namespace here"
}

# A copy of the distributed sources, configured for prefix $1 (and XDG_DATA_DIRS
# unset, as on a fresh machine, and PATH=$STAGE_PATH when set), installed into
# $BATS_TEST_TMPDIR/root. Sets CONF to configure's output.
stage() {
	local prefix=$1 src=$BATS_TEST_TMPDIR/src build=$BATS_TEST_TMPDIR/build
	make -s -C "$BUILDDIR" distdir distdir="$src" >/dev/null
	mkdir -p "$build"
	CONF=$(cd "$build" && env -u XDG_DATA_DIRS PATH="${STAGE_PATH:-$PATH}" "$src/configure" --prefix="$prefix" 2>&1) || { echo "$CONF"; return 1; }
	make -s -C "$build" -j2 install DESTDIR="$BATS_TEST_TMPDIR/root" >/dev/null
}

# Runs "$@" with the staged tree under prefix $1 laid over the real one.
over() {
	local prefix=$1
	shift
	unshare -m sh -c 'mount -t overlay overlay -o lowerdir="$1$2:$2" "$2" && shift 2 && exec env -u XDG_DATA_DIRS "$@"' \
		_ "$BATS_TEST_TMPDIR/root" "$prefix" "$@"
}

# "tunctl <TAB>" in each shell, through its own loader: bash-completion's
# _completion_loader, zsh's compinit over its built-in $fpath, fish's
# autoloading from $fish_complete_path. Each prints the candidates.
bash_tab() {
	over "$1" bash --norc --noprofile -c '
source /usr/share/bash-completion/bash_completion
_completion_loader tunctl
spec=$(complete -p tunctl) || exit 1
fn=${spec##*-F }; fn=${fn%% *}
COMP_WORDS=(tunctl ""); COMP_CWORD=1; COMP_LINE="tunctl "; COMP_POINT=7
"$fn" tunctl "" tunctl
printf "%s\n" "${COMPREPLY[@]}"'
}
zsh_tab() {
	over "$1" zsh -fc 'autoload -Uz compinit && compinit -u -D && print -r -- "comp=$_comps[tunctl]" && print -l -- $fpath'
}
fish_tab() {
	over "$1" fish -c "complete -C 'tunctl '" | cut -f1
}

@test "make install: bin, man8, /etc/tunctl, and completions bash, zsh and fish load (--prefix=/usr); configure warns of another tunctl first on PATH" {
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
	command -v zsh >/dev/null || skip "zsh is not installed"
	command -v fish >/dev/null || skip "fish is not installed"
	need_stage
	# Another tunctl before /usr/bin on PATH, as an older install in sbin would be.
	other=$BATS_TEST_TMPDIR/other
	mkdir -p "$other" && printf '#!/bin/sh\n' >"$other/tunctl" && chmod +x "$other/tunctl"
	STAGE_PATH="$other:$PATH" stage /usr
	[[ "$CONF" == *"WARNING: $other/tunctl comes before /usr/bin on PATH: \"tunctl\" will run that one"* ]] || { echo "$CONF"; return 1; }
	[[ "$CONF" == *"program:           /usr/bin/tunctl (but $other/tunctl comes first on PATH)"* ]]
	root=$BATS_TEST_TMPDIR/root
	[ -x "$root/usr/bin/tunctl" ]
	[ ! -e "$root/usr/sbin/tunctl" ]
	[ -f "$root/usr/share/man/man8/tunctl.8" ]
	# sysconfdir is /etc with --prefix=/usr: "tunctl save >/etc/tunctl/devices" works at once.
	[ -d "$root/etc/tunctl" ] && [ ! -e "$root/usr/etc" ]
	grep -qx 'ExecStart=/usr/bin/tunctl apply --per-device /etc/tunctl/devices' "$root/usr/lib/systemd/system/tunctl.service"
	# The CNI plugin: a link to the program, in Debian's CNI plugin directory.
	[ "$(readlink "$root/usr/lib/cni/tunctl-cni")" = /usr/bin/tunctl ]
	run bash_tab /usr
	[ "$status" -eq 0 ]
	grep -qx add <<<"$output" && grep -qx list <<<"$output" || { echo "bash: $output"; return 1; }
	run zsh_tab /usr
	[ "$status" -eq 0 ]
	grep -qx comp=_tunctl <<<"$output" || { echo "zsh: $output"; ls -R "$root/usr/share/zsh"; return 1; }
	run fish_tab /usr
	[ "$status" -eq 0 ]
	grep -qx add <<<"$output" && grep -qx list <<<"$output" || { echo "fish: $output"; return 1; }
}

@test "make install with the default prefix: bash and zsh load theirs; configure says fish will not; uninstall" {
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
	command -v zsh >/dev/null || skip "zsh is not installed"
	need_stage
	# bindir first on PATH: "tunctl" is this one, and configure says nothing.
	STAGE_PATH="/usr/local/bin:$PATH" stage /usr/local
	[[ "$CONF" != *"comes before"* ]] || { echo "$CONF"; return 1; }
	[[ "$CONF" == *"program:           /usr/local/bin/tunctl"$'\n'* ]] || { echo "$CONF"; return 1; }
	root=$BATS_TEST_TMPDIR/root
	[ -x "$root/usr/local/bin/tunctl" ]
	[ -f "$root/usr/local/share/man/man8/tunctl.8" ]
	# The directory goes in sysconfdir; configure says the units read /etc/tunctl.
	[ -d "$root/usr/local/etc/tunctl" ]
	[[ "$CONF" == *"devices files:     /usr/local/etc/tunctl (the units read /etc/tunctl: configure --sysconfdir=/etc"* ]] || { echo "$CONF"; return 1; }
	# The summary's paths expanded, as make install writes them.
	[[ "$CONF" == *"bash completions:  /usr/local/share/bash-completion/completions"$'\n'* ]] || { echo "$CONF"; return 1; }
	[[ "$CONF" == *"systemd units:     /usr/local/lib/systemd/system"$'\n'* ]] || { echo "$CONF"; return 1; }
	[[ "$CONF" != *'${'* ]] || { echo "unexpanded: $CONF"; return 1; }
	run bash_tab /usr/local
	[ "$status" -eq 0 ]
	grep -qx add <<<"$output" || { echo "bash: $output"; return 1; }
	run zsh_tab /usr/local
	[ "$status" -eq 0 ]
	grep -qx comp=_tunctl <<<"$output" || { echo "zsh: $output"; return 1; }
	if command -v fish >/dev/null; then
		# fish searches $XDG_DATA_DIRS, else only its own data dir (/usr/share).
		[[ "$CONF" == *"fish does not load /usr/local/share/fish/vendor_completions.d"* ]] || { echo "$CONF"; return 1; }
		run fish_tab /usr/local
		run ! grep -qx add <<<"$output"
		# With XDG_DATA_DIRS naming the prefix, as the message says, it does.
		run over /usr/local env XDG_DATA_DIRS=/usr/local/share:/usr/share fish -c "complete -C 'tunctl '"
		grep -q '^add' <<<"$output"
	fi
	# make uninstall takes the directory back while it is empty, and keeps it with a file in it.
	touch "$root/usr/local/etc/tunctl/devices"
	make -s -C "$BATS_TEST_TMPDIR/build" uninstall DESTDIR="$root" >/dev/null
	[ -f "$root/usr/local/etc/tunctl/devices" ]
	rm "$root/usr/local/etc/tunctl/devices"
	make -s -C "$BATS_TEST_TMPDIR/build" uninstall DESTDIR="$root" >/dev/null
	run find "$root" -not -type d
	[ -z "$output" ] || { echo "left after uninstall: $output"; return 1; }
	[ ! -e "$root/usr/local/etc/tunctl" ]
}

@test "the Quick start installs the packages .ci/run installs, less its sanitizer, valgrind and packaging tools" {
	[ -f "$SRCDIR/.ci/run" ] || skip "no .ci/run (a tarball)"
	readme=$(grep -m1 '^apt-get update' "$SRCDIR/README.md" |
		sed 's/.*--no-install-recommends //; s/ &&.*//' | tr ' ' '\n' | sort)
	ci=$(awk '/--no-install-recommends/ { on = 1; sub(/.*--no-install-recommends/, "") }
		on { last = /\/dev\/null/; sub(/>.*/, ""); gsub(/\\/, ""); print; if (last) on = 0 }' "$SRCDIR/.ci/run" |
		tr -s ' \t' '\n' | grep . | grep -vxE 'clang|libclang-rt-[0-9]+-dev|valgrind|debhelper|dpkg-dev|lintian|mmdebstrap' | sort)
	[ -n "$readme" ] && [ -n "$ci" ]
	[ "$readme" = "$ci" ] || { diff <(echo "$readme") <(echo "$ci"); return 1; }
	# It installs what is missing and upgrades nothing already there.
	grep -m1 '^apt-get update' "$SRCDIR/README.md" | grep -q -- 'apt-get install -y --no-upgrade --no-install-recommends '
}
