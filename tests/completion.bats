#!/usr/bin/env bats
# The bash, zsh and fish completions offer the right candidates at each
# position: zsh's through a pseudo-terminal (zsh/zpty), fish's through
# "complete -C"; and as a person types, each shell in tmux.
bats_require_minimum_version 1.5.0
load helpers

COMPDIR=$BATS_TEST_DIRNAME/../completions
COMP=$COMPDIR/tunctl

setup() {
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
	# zsh's compinit dump, made once for the file (compinit is slow without).
	export ZDUMP=$BATS_FILE_TMPDIR/zcompdump
}

teardown() {
	# The tmux server of a tmux test (ours alone: its own socket).
	[ -S "$BATS_TEST_TMPDIR/tmux.sock" ] && tmux -S "$BATS_TEST_TMPDIR/tmux.sock" kill-server 2>/dev/null
	ns_teardown
}

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
# compadd is wrapped to write down every match it is given. $ZDUMP, if set,
# is compinit's dump file.
zsh_complete() {
	zsh -f -c '
zmodload zsh/zpty || exit 1
tmp=$(mktemp -d) || exit 1
zpty z zsh -f -i
zpty -w z "PS1=; fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -d ${ZDUMP:-$tmp/dump}"
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
	[ "$output" = "$(printf 'add\naddr\naddress\napply\nattach')" ]
	run complete_line "tunctl d"
	[ "$output" = "$(printf 'del\ndelete')" ]
	run complete_line "tunctl -j s"
	[ "$output" = "$(printf 'save\nset\nshow')" ]
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
	[ "$output" = tapB ]
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
	[ "$output" = "$(printf 'add\naddr\naddress\napply\nattach')" ]
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
	[ "$output" = tapB ]
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

# The completion of line $2 by shell $1 (bash, zsh or fish, through its own
# completion API), run inside the test's namespace: the devices are its own.
# Prints the candidates sorted, on one line, a space between them.
ns_complete() {
	local fn=complete_line
	case $1 in
	zsh) fn=zsh_complete ;;
	fish) fn=fish_complete ;;
	esac
	in_ns bash -c "$(declare -f $fn); COMP='$COMP'; COMPDIR='$COMPDIR'; $fn \"\$1\"" _ "$2" | sort -u | paste -sd' '
}

# Checks pairs of a line and the candidates it must get (on one line, sorted;
# ending in " ...": at least those) in shell $1, and reports every pair that
# is wrong.
check_cases() {
	local sh=$1 fail=0 got w ok
	shift
	while (($#)); do
		got=$(ns_complete "$sh" "$1")
		ok=1
		if [[ $2 == *" ..." ]]; then
			for w in ${2% ...}; do
				[[ " $got " == *" $w "* ]] || ok=0
			done
		else
			[ "$got" = "$2" ] || ok=0
		fi
		((ok)) || { echo "$sh: \"$1\" gives \"$got\", want \"$2\""; fail=1; }
		shift 2
	done
	return $fail
}

# The cases run in a directory of two files, the candidates for apply's FILE.
cd_files() {
	mkdir "$BATS_TEST_TMPDIR/files"
	touch "$BATS_TEST_TMPDIR/files/blue.conf" "$BATS_TEST_TMPDIR/files/devices"
	cd "$BATS_TEST_TMPDIR/files"
}

# What tunctl would accept at each place (src/cmdline.c, src/parse.c): each
# device once, --all without names and --mode only with it, --peer after an
# address, a route's prefix (or default) and then each keyword once with a
# value after it, and nothing after a word that ends the command; run's
# options and "--" after its device, then the command and its own arguments;
# apply's --force only with --prune.
CASES=(
	"tunctl del tunA "				"tapB"
	"tunctl del tunA tapB "				""
	"tunctl del tunA --"				"--force --help --json"
	"tunctl del --all "				"--force --mode"
	"tunctl del --all --mode tun "			"--force"
	"tunctl del --mode tun "			"--all --force"
	"tunctl show tunA "				""
	"tunctl attach tunA --hex --"			"--count --echo --help --json --pcap"
	"tunctl addr add tunA "				""
	"tunctl addr add tunA 192.0.2.1/24 --"		"--help --json --peer"
	"tunctl addr add tunA 192.0.2.1/24 --peer 192.0.2.2 --"	"--help --json"
	"tunctl addr flush tunA "			""
	"tunctl route add tunA "			"default"
	"tunctl route del tunA --"			"--help --json"
	"tunctl route add tunA 198.51.100.0/24 via "	""
	"tunctl route add tunA 198.51.100.0/24 via 192.0.2.2 "	"metric table"
	"tunctl route add tunA default via 192.0.2.2 metric 5 "	"table"
	"tunctl route add tunA 198.51.100.0/24 metric "	""
	"tunctl route add tunA 198.51.100.0/24 table "	"default local main"
	"tunctl route add tunA 198.51.100.0/24 table main via 192.0.2.2 metric 7 "	""
	"tunctl add x0 --addr 192.0.2.1/24 --p"		"--peer --pi"
	"tunctl add x0 --p"				"--pi"
	"tunctl add x0 --addr 192.0.2.1/24 --addr 192.0.2.3/24 --peer 192.0.2.2 --p"	"--pi"
	"tunctl add x0 --addr 192.0.2.1/24 --peer 192.0.2.2 --addr 192.0.2.3/24 --p"	"--peer --pi"
	"tunctl add x0 --addr 192.0.2.1/24 --peer 192.0.2.2 --mode "	"tap tun"
	"tunctl add x0 --any-user --"			"--addr --alias --down --exist-ok --help --json --mac --mode --mtu --multi-queue --pi --route --txqueuelen --vnet-hdr"
	"tunctl set tunA --up --user root --"		"--alias --group --help --json --mac --mtu --netns --no-group --txqueuelen --yes"
	"tunctl "					"apply run save ..."
	"tunctl r"					"route run"
	"tunctl s"					"save set show"
	"tunctl help "					"add addr apply attach broker del list monitor route run save set show wait"
	"tunctl run t"					"tapB tunA"
	"tunctl run tunA "				"-- --fd --queues"
	"tunctl run tunA --"				"-- --fd --help --json --queues"
	"tunctl run tunA --queues 2 --"			"-- --fd --help --json"
	"tunctl run tunA -- ech"			"echo ..."
	"tunctl run tunA -- tunctl s"			"save set show"
	"tunctl run tunA --fd=4 -- tunctl del tunA "	"tapB"
	"tunctl save t"					"tapB tunA"
	"tunctl save tunA "				"tapB"
	"tunctl save --"				"--help --json"
	"tunctl apply "					"- blue.conf devices"
	"tunctl apply f "				"--dry-run --prune --recreate"
	"tunctl apply f --"				"--dry-run --help --json --prune --recreate"
	"tunctl apply f --prune --"			"--dry-run --force --help --json --recreate"
	"tunctl apply f --prune --force --recreate "	"--dry-run"
	"tunctl monitor --"				"--help --initial --json --mode"
	"tunctl monitor tunA "				"tapB"
	"tunctl monitor --initial --mode "		"tap tun"
	"tunctl wait "					"tapB tunA"
	"tunctl wait tunA --"				"--for --help --json --timeout"
	"tunctl wait tunA --for "			"addr attached detached down exists gone master up"
	"tunctl wait tunA --for up --"			"--help --json --timeout"
	"tunctl wait tunA --for master "		"lo tapB tunA vethC vethD"
)

@test "bash: only what tunctl would accept, at each place" {
	ns_with_devices
	cd_files
	check_cases bash "${CASES[@]}"
}

@test "zsh: only what tunctl would accept, at each place" {
	need_zsh
	ns_with_devices
	cd_files
	check_cases zsh "${CASES[@]}"
}

@test "fish: only what tunctl would accept, at each place" {
	need_fish
	ns_with_devices
	cd_files
	check_cases fish "${CASES[@]}"
}

# Completion as a person types it: the shell runs interactively in tmux
# inside the test's namespace, the keys are sent, and the screen is read.
need_tmux() { command -v tmux >/dev/null || skip "tmux not installed"; }

tm() { tmux -S "$BATS_TEST_TMPDIR/tmux.sock" "$@"; }

# Waits (up to 10 s) until a line of the screen is the whole of the
# extended regular expression $1 (trailing spaces aside).
wait_line() {
	for _ in $(seq 200); do
		tm capture-pane -p | grep -qEx -- "$1" && return 0
		sleep 0.05
	done
	echo "no line of the screen was \"$1\":"
	tm capture-pane -p
	return 1
}

# Starts shell command $1 in the namespace in a fixed-size terminal, types
# the setup $2 (which must make the prompt "READY> ") and waits for it.
start_shell() {
	mkdir -p "$BATS_TEST_TMPDIR/home"
	tm new-session -d -x 120 -y 30 \
		"exec ip netns exec $NS env -i HOME=$BATS_TEST_TMPDIR/home XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/home TERM=xterm PATH=$PATH $1"
	# Typed once the shell has drawn its first prompt.
	for _ in $(seq 200); do
		tm capture-pane -p | grep -q . && break
		sleep 0.05
	done
	tm send-keys -l -- "$2"
	tm send-keys Enter
	# The prompt is set in two halves: what was typed does not show it.
	wait_line "READY>"
	fresh_line
}

# Abandons the line (and any list shown) and clears the screen: then the
# screen is the prompt alone.
fresh_line() {
	tm send-keys C-c
	# Keys typed before the shell is back from the interrupt may be lost.
	for _ in $(seq 200); do
		[ "$(tm capture-pane -p | grep . | tail -n 1)" = "READY>" ] && break
		sleep 0.05
	done
	tm send-keys C-l
	for _ in $(seq 200); do
		[ "$(tm capture-pane -p | grep .)" = "READY>" ] && return 0
		sleep 0.05
	done
	echo "the screen did not clear:"
	tm capture-pane -p
	return 1
}

# Types $1, then Tab $3 times (default once), and waits for a line of the
# screen to be $2 (an extended regular expression).
type_tab() {
	tm send-keys -l -- "$1"
	for _ in $(seq "${3:-1}"); do tm send-keys Tab; done
	wait_line "$2"
	fresh_line
}

# Types $1, then Tab twice (bash lists on the second), then "X": the screen
# must then be the line $1 and the X alone, nothing inserted or listed (the
# X shows that the Tabs have been dealt with).
type_tab_nothing() {
	tm send-keys -l -- "$1"
	tm send-keys Tab
	tm send-keys Tab
	tm send-keys -l X
	for _ in $(seq 200); do
		tm capture-pane -p | grep -qFx -- "READY> $1X" && break
		sleep 0.05
	done
	[ "$(tm capture-pane -p | grep .)" = "READY> $1X" ] || {
		echo "\"$1\" did not stay alone on the screen:"
		tm capture-pane -p
		return 1
	}
	fresh_line
}

@test "bash in tmux: del, route via, del --all, route prefix, run, apply as typed" {
	need_tmux
	ns_with_devices
	start_shell "bash --norc --noprofile -i" \
		"source /usr/share/bash-completion/bash_completion; source $COMP; PS1='REA''DY> '"
	# The one device not named yet is completed whole.
	type_tab "tunctl del tunA " "READY> tunctl del tunA tapB *"
	# After "via GW": the keywords not used yet (Tab twice lists them).
	type_tab "tunctl route add tunA 198.51.100.0/24 via 192.0.2.2 " "metric +table *" 2
	# After via: a gateway, no keyword; nothing after a route given whole.
	type_tab_nothing "tunctl route add tunA 198.51.100.0/24 via "
	type_tab_nothing 'tunctl route add tunA "198.51.100.0/24 via 192.0.2.2" '
	# No device after --all: its options' common part.
	type_tab "tunctl del --all " "READY> tunctl del --all --"
	type_tab "tunctl route add tunA " "READY> tunctl route add tunA default *"	# run: after "--" a command, then that command's own completion.
	type_tab "tunctl run tunA -- ech" "READY> tunctl run tunA -- echo *"
	type_tab "tunctl run tunA -- tunctl del tunA " "READY> tunctl run tunA -- tunctl del tunA tapB *"
	type_tab "tunctl apply f --prune --f" "READY> tunctl apply f --prune --force *"
}

@test "zsh in tmux: del, route via, del --all, route prefix, run, apply as typed" {
	need_tmux
	need_zsh
	ns_with_devices
	start_shell "zsh -f -i" \
		"fpath=($COMPDIR \$fpath); autoload -Uz compinit; compinit -u -d $BATS_TEST_TMPDIR/zcompdump; PS1='REA''DY> '"
	type_tab "tunctl del tunA " "READY> tunctl del tunA tapB *"
	type_tab "tunctl route add tunA 198.51.100.0/24 via 192.0.2.2 " "metric +table *"
	type_tab_nothing "tunctl route add tunA 198.51.100.0/24 via "
	type_tab_nothing 'tunctl route add tunA "198.51.100.0/24 via 192.0.2.2" '
	type_tab "tunctl del --all " "READY> tunctl del --all --"
	type_tab "tunctl route add tunA " "READY> tunctl route add tunA default *"	# run: after "--" a command, then that command's own completion.
	type_tab "tunctl run tunA -- ech" "READY> tunctl run tunA -- echo *"
	type_tab "tunctl run tunA -- tunctl del tunA " "READY> tunctl run tunA -- tunctl del tunA tapB *"
	type_tab "tunctl apply f --prune --f" "READY> tunctl apply f --prune --force *"
}

@test "fish in tmux: del, addr add options, route via, show, run, apply as typed" {
	need_tmux
	need_fish
	ns_with_devices
	start_shell "fish -i" \
		"set -g fish_greeting; set -g fish_autosuggestion_enabled 0; source $COMPDIR/tunctl.fish; function fish_prompt; echo -n 'REA''DY> '; end"
	type_tab "tunctl del tunA " "READY> tunctl del tunA tapB *"
	# Only --peer (of add's options) goes after addr add's address.
	type_tab "tunctl addr add tunA 192.0.2.1/24 --p" "READY> tunctl addr add tunA 192.0.2.1/24 --peer *"
	type_tab "tunctl route add tunA 198.51.100.0/24 via 192.0.2.2 " "metric +table *"
	type_tab_nothing 'tunctl route add tunA "198.51.100.0/24 via 192.0.2.2" '
	# Nothing after show's device, nor after addr add's.
	type_tab_nothing "tunctl show tunA "
	type_tab_nothing "tunctl addr add tunA "
	type_tab "tunctl del --all " "READY> tunctl del --all --"	# run: after "--" a command, then that command's own completion.
	type_tab "tunctl run tunA -- ech" "READY> tunctl run tunA -- echo *"
	type_tab "tunctl run tunA -- tunctl del tunA " "READY> tunctl run tunA -- tunctl del tunA tapB *"
	type_tab "tunctl apply f --prune --f" "READY> tunctl apply f --prune --force *"
}
