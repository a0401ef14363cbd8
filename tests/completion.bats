#!/usr/bin/env bats
# The bash completion offers the right candidates at each position; the zsh
# and fish files at least parse.
bats_require_minimum_version 1.5.0
load helpers

COMP=$BATS_TEST_DIRNAME/../completions/tunctl

setup() {
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
}

teardown() { ns_teardown; }

# Completes the line "$*" (the last word is the one being completed; end
# the line with a space to complete an empty word) and prints the candidates.
complete_line() {
	local line="$*"
	bash -c '
source /usr/share/bash-completion/bash_completion
source "$1"
COMP_LINE=$2
COMP_POINT=${#COMP_LINE}
read -r -a COMP_WORDS <<<"$COMP_LINE"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_tunctl
printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$COMP" "$line"
}

@test "commands at the first position" {
	run complete_line "tunctl "
	[[ "$output" == *add* && "$output" == *del* && "$output" == *list* && "$output" == *attach* ]]
	run complete_line "tunctl a"
	[ "$output" = "$(printf 'add\naddr\nattach')" ]
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
	ns_setup
	in_ns ip tuntap add tunA mode tun
	in_ns ip tuntap add tapB mode tap
	in_ns ip link add vethC type veth peer name vethD
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
	# A new device's name is not completed.
	run in_ns bash -c "$(declare -f complete_line); COMP='$COMP'; complete_line 'tunctl add '"
	[ -z "$output" ]
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
	command -v fish >/dev/null || skip "fish not installed"
	run fish -c "source $BATS_TEST_DIRNAME/../completions/tunctl.fish; complete -C 'tunctl ad'"
	[[ "$output" == *add* && "$output" == *addr* ]]
	run fish -c "source $BATS_TEST_DIRNAME/../completions/tunctl.fish; complete -C 'tunctl add x --mo'"
	[[ "$output" == *--mode* ]]
}
