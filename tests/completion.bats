#!/usr/bin/env bats
# The bash, zsh and fish completions offer the right candidates at each
# position: zsh's through a pseudo-terminal (zsh/zpty), fish's through
# "complete -C".
bats_require_minimum_version 1.5.0
load helpers

COMPDIR=$BATS_TEST_DIRNAME/../completions
COMP=$COMPDIR/tunctl

setup() {
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
}

teardown() { ns_teardown; }

# Completes the line "$*" (the last word is the one being completed; end
# the line with a space to complete an empty word) and prints the candidates.
# The words are split as bash splits them, "=" (of COMP_WORDBREAKS) apart.
complete_line() {
	local line="$*"
	bash -c '
source /usr/share/bash-completion/bash_completion
source "$1"
COMP_LINE=$2
COMP_POINT=${#COMP_LINE}
read -r -a COMP_WORDS <<<"${COMP_LINE//=/ = }"
[[ $COMP_LINE == *[" "=] ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_tunctl
printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$COMP" "$line"
}

# The same with zsh's completion system, driven through a pseudo-terminal:
# compadd is wrapped to write down every match it is given.
zsh_complete() {
	zsh -f -c '
zmodload zsh/zpty || exit 1
tmp=$(mktemp -d) || exit 1
zpty z zsh -f -i
zpty -w z "PS1=; fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -d $tmp/dump"
zpty -w z "compadd() { local -a m; builtin compadd -O m \"\$@\"; (( \$#m )) && print -rl -- \$m >>$tmp/out; builtin compadd \"\$@\" }"
zpty -w z "_tc_done() { zle complete-word; : >$tmp/done }; zle -N _tc_done; bindkey \"^T\" _tc_done"
zpty -w -n z "$2"$'"'"'\x14'"'"'
for i in {1..100}; do [[ -e $tmp/done ]] && break; sleep 0.05; done
zpty -d z
[[ -e $tmp/done ]] || { print -u2 "zsh did not complete"; rm -rf $tmp; exit 1 }
[[ -e $tmp/out ]] && sort -u $tmp/out
rm -rf $tmp' _ "$COMPDIR" "$*"
}

# And with fish's.
fish_complete() {
	fish -c "source $COMPDIR/tunctl.fish; complete -C '$*'" | cut -f1 | sort -u
}

need_zsh() { command -v zsh >/dev/null || skip "zsh not installed"; }
need_fish() { command -v fish >/dev/null || skip "fish not installed"; }

# A test namespace with two TUN/TAP devices and a veth pair.
ns_with_devices() {
	ns_setup
	in_ns ip tuntap add tunA mode tun
	in_ns ip tuntap add tapB mode tap
	in_ns ip link add vethC type veth peer name vethD
}

@test "commands at the first position" {
	run complete_line "tunctl "
	[[ "$output" == *add* && "$output" == *del* && "$output" == *list* && "$output" == *attach* ]]
	run complete_line "tunctl a"
	[ "$output" = "$(printf 'add\naddr\naddress\nattach')" ]
	run complete_line "tunctl d"
	[ "$output" = "$(printf 'del\ndelete')" ]
	run complete_line "tunctl -j s"
	[ "$output" = "$(printf 'set\nshow')" ]
}

@test "global options, and namespace names for -n" {
	run complete_line "tunctl --"
	[[ "$output" == *--json* && "$output" == *--netns* && "$output" == *--batch* && "$output" == *--version* ]]
	need_root
	ip netns add tunctl-comp-test-$$
	run complete_line "tunctl -n tunctl-comp-te"
	ip netns del tunctl-comp-test-$$
	[ "$output" = "tunctl-comp-test-$$" ]
}

@test "options of each command" {
	run complete_line "tunctl add tun0 --m"
	[ "$output" = "$(printf -- '--mac\n--mode\n--mtu\n--multi-queue')" ]
	run complete_line "tunctl add tun0 --e"
	[ "$output" = "--exist-ok" ]
	run complete_line "tunctl del --"
	[[ "$output" == *--all* && "$output" == *--force* && "$output" == *--mode* ]]
	run complete_line "tunctl set tun0 --no"
	[ "$output" = "$(printf -- '--no-group\n--no-user')" ]
	run complete_line "tunctl attach tun0 --"
	[[ "$output" == *--count* && "$output" == *--echo* && "$output" == *--hex* && "$output" == *--pcap* ]]
}

@test "values: modes, users, groups, actions" {
	run complete_line "tunctl add tun0 --mode "
	[ "$output" = "$(printf 'tap\ntun')" ]
	run complete_line "tunctl list --mode t"
	[ "$output" = "$(printf 'tap\ntun')" ]
	run complete_line "tunctl add tun0 --user roo"
	[ "$output" = root ]
	run complete_line "tunctl add tun0 --group nogr"
	[ "$output" = nogroup ]
	run complete_line "tunctl addr "
	[ "$output" = "$(printf 'add\ndel\nflush')" ]
	run complete_line "tunctl route "
	[ "$output" = "$(printf 'add\ndel')" ]
	run complete_line "tunctl help sh"
	[ "$output" = show ]
}

@test "device names where a device is expected, from the namespace's sysfs" {
	ns_with_devices
	run in_ns bash -c "$(declare -f complete_line); COMP='$COMP'; complete_line 'tunctl show '"
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	run in_ns bash -c "$(declare -f complete_line); COMP='$COMP'; complete_line 'tunctl del tunA t'"
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	run in_ns bash -c "$(declare -f complete_line); COMP='$COMP'; complete_line 'tunctl addr add '"
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	run in_ns bash -c "$(declare -f complete_line); COMP='$COMP'; complete_line 'tunctl route del tu'"
	[ "$output" = tunA ]
	# -n NETNS: the devices of that namespace, from the machine's namespace.
	run complete_line "tunctl -n $NS set "
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	run complete_line "tunctl --netns=$NS attach "
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	run complete_line "tunctl -n$NS -j del "
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	# Classic -d: a device (of the namespace tunctl runs in).
	run in_ns bash -c "$(declare -f complete_line); COMP='$COMP'; complete_line 'tunctl -d t'"
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	# A new device's name is not completed.
	run in_ns bash -c "$(declare -f complete_line); COMP='$COMP'; complete_line 'tunctl add '"
	[ -z "$output" ]
}

@test "--opt=value: the value after the =" {
	run complete_line "tunctl list --mode=t"
	[ "$output" = "$(printf 'tap\ntun')" ]
	run complete_line "tunctl add tun0 --mode="
	[ "$output" = "$(printf 'tap\ntun')" ]
	run complete_line "tunctl add tun0 --user=roo"
	[ "$output" = root ]
	run complete_line "tunctl set tun0 --group=nogr"
	[ "$output" = nogroup ]
	# An option that takes no value gets none.
	run complete_line "tunctl add tun0 --down="
	[ -z "$output" ]
	# Options are still completed by name.
	run complete_line "tunctl list --mo"
	[ "$output" = --mode ]
}

@test "classic options on the first word, and their values" {
	run complete_line "tunctl -"
	for o in -t -d -u -g -p -f -b -n -j --netns; do
		grep -qx -- "$o" <<<"$output" || { echo "no $o in: $output"; return 1; }
	done
	# Not after a global option: tunctl's own line then.
	run complete_line "tunctl -j -"
	! grep -qx -- -t <<<"$output"
	run complete_line "tunctl -u roo"
	[ "$output" = root ]
	run complete_line "tunctl -t tap0 -g nogr"
	[ "$output" = nogroup ]
	run complete_line "tunctl -bu roo"
	[ "$output" = root ]
	run complete_line "tunctl -n -t tap0 -"
	[ "$output" = "$(printf -- '-b\n-d\n-f\n-g\n-n\n-p\n-t\n-u')" ]
	# -t names a new device: nothing to offer.
	run complete_line "tunctl -t "
	[ -z "$output" ]
}

@test "zsh: commands, aliases, options, values, classic options" {
	need_zsh
	run zsh_complete "tunctl a"
	[ "$output" = "$(printf 'add\naddr\naddress\nattach')" ]
	run zsh_complete "tunctl d"
	[ "$output" = "$(printf 'del\ndelete')" ]
	run zsh_complete "tunctl set tun0 --no"
	[ "$output" = "$(printf -- '--no-group\n--no-user')" ]
	run zsh_complete "tunctl list --mode="
	[ "$output" = "$(printf 'tap\ntun')" ]
	run zsh_complete "tunctl -"
	for o in -t -d -u -g -p -f -b -n -j --netns; do
		grep -qx -- "$o" <<<"$output" || { echo "no $o in: $output"; return 1; }
	done
	run zsh_complete "tunctl -u roo"
	[ "$output" = root ]
	run zsh_complete "tunctl -t tap0 -g nogr"
	[ "$output" = nogroup ]
}

@test "zsh: device names honour -n NETNS" {
	need_zsh
	ns_with_devices
	run zsh_complete "tunctl -n $NS show "
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	run zsh_complete "tunctl --netns $NS del tunA "
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	run zsh_complete "tunctl --netns=$NS addr add "
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	run zsh_complete "tunctl -j -n $NS route del tu"
	[ "$output" = tunA ]
	# Without -n: the namespace it runs in.
	run in_ns bash -c "$(declare -f zsh_complete); COMPDIR='$COMPDIR'; zsh_complete 'tunctl attach '"
	[ "$output" = "$(printf 'tapB\ntunA')" ]
}

@test "fish: commands, aliases, options, values, classic options" {
	need_fish
	run fish_complete "tunctl d"
	[ "$output" = "$(printf 'del\ndelete')" ]
	run fish_complete "tunctl addr"
	[ "$output" = "$(printf 'addr\naddress')" ]
	run fish_complete "tunctl -"
	for o in -t -d -u -g -p -f -b -n -j --netns; do
		grep -qx -- "$o" <<<"$output" || { echo "no $o in: $output"; return 1; }
	done
	run fish_complete "tunctl -j -"
	! grep -qx -- -t <<<"$output"
	run fish_complete "tunctl -u roo"
	[ "$output" = root ]
	run fish_complete "tunctl -t tap0 -g nogr"
	[ "$output" = nogroup ]
	run fish_complete "tunctl list --mode "
	[ "$output" = "$(printf 'tap\ntun')" ]
}

@test "fish: device names honour -n NETNS" {
	need_fish
	ns_with_devices
	run fish_complete "tunctl -n $NS show "
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	run fish_complete "tunctl --netns $NS del "
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	run fish_complete "tunctl --netns=$NS addr add "
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	run fish_complete "tunctl -n$NS set "
	[ "$output" = "$(printf 'tapB\ntunA')" ]
	# Without -n: the namespace it runs in.
	run in_ns fish -c "source $COMPDIR/tunctl.fish; complete -C 'tunctl attach '"
	[ "$(cut -f1 <<<"$output" | sort)" = "$(printf 'tapB\ntunA')" ]
}

@test "the zsh and fish completions parse" {
	if command -v zsh >/dev/null; then
		zsh -n "$BATS_TEST_DIRNAME/../completions/_tunctl"
	fi
	if command -v fish >/dev/null; then
		fish --no-execute "$BATS_TEST_DIRNAME/../completions/tunctl.fish"
	fi
	command -v zsh >/dev/null || command -v fish >/dev/null || skip "neither zsh nor fish installed"
}

@test "fish offers commands and device options" {
	need_fish
	run fish_complete "tunctl ad"
	[ "$output" = "$(printf 'add\naddr\naddress')" ]
	run fish_complete "tunctl add x --mo"
	[ "$output" = --mode ]
}

@test "no completion says --no-user or --no-group clears: the kernel cannot" {
	run grep -il 'clear the owner\|clear the group\|set or clear' "$COMPDIR"/tunctl "$COMPDIR"/_tunctl "$COMPDIR"/tunctl.fish
	[ "$status" -eq 1 ]
	grep -q 'no-user\[require that no owner is set' "$COMPDIR/_tunctl"
	grep -q "no-user -d 'Require that no owner is set" "$COMPDIR/tunctl.fish"
}
