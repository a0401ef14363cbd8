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
	own_home
}

teardown() {
	# The tmux server of a tmux test (ours alone: its own socket).
	[ -S "$BATS_TEST_TMPDIR/tmux.sock" ] && tmux -S "$BATS_TEST_TMPDIR/tmux.sock" kill-server 2>/dev/null
	ns_teardown
}

# Each shell completes each of its arguments, a command line (the last word
# is the one being completed; end the line with a space to complete an empty
# word), and prints the candidates sorted, then a line "@@". One shell for
# all the lines, as one interactive shell completes line after line.
# bash: the words are split as bash splits them, "=" (of COMP_WORDBREAKS)
# apart.
bash_complete() {
	bash -c '
source /usr/share/bash-completion/bash_completion
source "$1"
shift
for COMP_LINE; do
	COMPREPLY=()
	COMP_POINT=${#COMP_LINE}
	read -r -a COMP_WORDS <<<"${COMP_LINE//=/ = }"
	[[ $COMP_LINE == *[" "=] ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_tunctl
	((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}" | sort -u
	echo @@
done' _ "$COMP" "$@"
}

# zsh's completion system, driven through a pseudo-terminal: compadd is
# wrapped to write down every match it is given; the line is emptied after
# each completion, and what zsh draws is read away. $ZDUMP, if set, is
# compinit's dump file.
zsh_complete() {
	zsh -f -c '
zmodload zsh/zpty || exit 1
tmp=$(mktemp -d) || exit 1
zpty z zsh -f -i
zpty -w z "PS1=; fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -d ${ZDUMP:-$tmp/dump}"
zpty -w z "compadd() { local -a m; builtin compadd -O m \"\$@\"; (( \$#m )) && print -rl -- \$m >>$tmp/out; builtin compadd \"\$@\" }"
zpty -w z "_tc_done() { zle complete-word; BUFFER=; CURSOR=0; : >$tmp/done }; zle -N _tc_done; bindkey \"^T\" _tc_done"
shift
for line; do
	rm -f $tmp/out $tmp/done
	zpty -w -n z "$line"$'"'"'\x14'"'"'
	for i in {1..200}; do [[ -e $tmp/done ]] && break; while zpty -rt z junk; do :; done; sleep 0.05; done
	[[ -e $tmp/done ]] || { print -u2 "zsh did not complete \"$line\""; zpty -d z; rm -rf $tmp; exit 1 }
	[[ -e $tmp/out ]] && sort -u $tmp/out
	print @@
done
zpty -d z
rm -rf $tmp' _ "$COMPDIR" "$@"
}

# And fish's.
fish_complete() {
	fish -c 'source $argv[1]
for l in $argv[2..-1]
	complete -C $l | string replace -r "\t.*" "" | sort -u
	echo @@
end' "$COMPDIR/tunctl.fish" "$@"
}

# bash's candidates for the line $1, alone.
complete_line() { bash_complete "$1" | sed '/^@@$/d'; }

need_zsh() { command -v zsh >/dev/null || skip "zsh not installed"; }
need_fish() { command -v fish >/dev/null || skip "fish not installed"; }

# A test namespace with two TUN/TAP devices and a veth pair.
ns_with_devices() {
	ns_setup
	in_ns ip tuntap add tunA mode tun
	in_ns ip tuntap add tapB mode tap
	in_ns ip link add vethC type veth peer name vethD
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

@test "the zsh and fish completions parse" {
	if command -v zsh >/dev/null; then
		zsh -n "$BATS_TEST_DIRNAME/../completions/_tunctl"
	fi
	if command -v fish >/dev/null; then
		fish --no-execute "$BATS_TEST_DIRNAME/../completions/tunctl.fish"
	fi
	command -v zsh >/dev/null || command -v fish >/dev/null || skip "neither zsh nor fish installed"
}

@test "no completion says --no-user or --no-group clears: the kernel cannot" {
	run grep -il 'clear the owner\|clear the group\|set or clear' "$COMPDIR"/tunctl "$COMPDIR"/_tunctl "$COMPDIR"/tunctl.fish
	[ "$status" -eq 1 ]
	grep -q 'no-user\[require that no owner is set' "$COMPDIR/_tunctl"
	grep -q "no-user -d 'Require that no owner is set" "$COMPDIR/tunctl.fish"
}

# The completions of lines $2... by shell $1 (bash, zsh or fish, through
# its own completion API), one line of output for each: its candidates
# sorted, a space between them. Run inside the test's namespace, whose
# devices are its own; a line that names the namespace (@NS@ in the table)
# is completed from the machine's namespace instead, so its devices can
# only come through -n.
ns_complete() {
	local sh=$1 l i
	local -a inside=() outside=() got_in=() got_out=()
	shift
	for l; do
		if [[ $l == *@NS@* ]]; then outside+=("${l//@NS@/$NS}"); else inside+=("$l"); fi
	done
	joined() { awk '/^@@$/ { print line; line = ""; next } { line = line == "" ? $0 : line " " $0 }'; }
	((${#inside[@]})) && mapfile -t got_in < <(in_ns bash -c "$(declare -f "${sh}_complete"); COMP='$COMP'; COMPDIR='$COMPDIR'; ${sh}_complete \"\$@\"" _ "${inside[@]}" | joined)
	((${#outside[@]})) && mapfile -t got_out < <("${sh}_complete" "${outside[@]}" | joined)
	[ "${#got_in[@]}" -eq "${#inside[@]}" ] && [ "${#got_out[@]}" -eq "${#outside[@]}" ] ||
		{ echo "$sh: ${#got_in[@]} + ${#got_out[@]} answers for ${#inside[@]} + ${#outside[@]} lines" >&2; return 1; }
	local a=0 b=0
	for l; do
		if [[ $l == *@NS@* ]]; then echo "${got_out[b++]}"; else echo "${got_in[a++]}"; fi
	done
}

# Checks pairs of a line and the candidates it must get in shell $1: on one
# line, sorted; ending in " ...": at least those; starting with "! ": none
# of those; "WANT|zsh: OTHER": OTHER in zsh, WANT in the others. fish
# completes "--opt=value" as the whole word, the others the value alone: the
# value is compared. Reports every pair that is wrong.
check_cases() {
	local sh=$1 fail=0 got w ok want i
	local -a lines=() wants=() gots=()
	shift
	while (($#)); do lines+=("$1"); wants+=("$2"); shift 2; done
	mapfile -t gots < <(ns_complete "$sh" "${lines[@]}")
	[ "${#gots[@]}" -eq "${#lines[@]}" ] || { echo "$sh: ${#gots[@]} answers for ${#lines[@]} lines"; return 1; }
	for i in "${!lines[@]}"; do
		got=${gots[i]}
		[[ $sh == fish && ${lines[i]} =~ (--[a-z-]+=)[^\ ]*$ ]] && got=${got//"${BASH_REMATCH[1]}"/}
		want=${wants[i]%%|*}
		[[ ${wants[i]} == *"|$sh: "* ]] && want=${wants[i]#*"|$sh: "} && want=${want%%|*}
		ok=1
		if [[ $want == *" ..." ]]; then
			for w in ${want% ...}; do
				[[ " $got " == *" $w "* ]] || ok=0
			done
		elif [[ $want == "! "* ]]; then
			for w in ${want#! }; do
				[[ " $got " != *" $w "* ]] || ok=0
			done
		else
			[ "$got" = "$want" ] || ok=0
		fi
		((ok)) || { echo "$sh: \"${lines[i]}\" gives \"$got\", want \"$want\""; fail=1; }
	done
	return $fail
}

# The cases run in a directory of two files, the candidates for apply's FILE.
cd_files() {
	mkdir "$BATS_TEST_TMPDIR/files"
	touch "$BATS_TEST_TMPDIR/files/blue.conf" "$BATS_TEST_TMPDIR/files/devices"
	cd "$BATS_TEST_TMPDIR/files"
}

# One table for the three shells: each line, and what tunctl would accept
# there (src/cmdline.c, src/parse.c), in a namespace with the devices tunA
# and tapB (and a veth pair, never offered). Commands and their aliases;
# each command's options, and the values of those that take one (modes,
# users, groups, actions), after a space or an "="; device names where a
# device is expected, of the namespace -n names; the classic options on the
# first word only. Each device once, --all without names and --mode only
# with it, --peer after an address, a route's prefix (or default) and then
# each keyword once with a value after it, and nothing after a word that
# ends the command; run's options and "--" after its device, then the
# command and its own arguments; apply's --force only with --prune. zsh
# offers a command's options where nothing else can come (as _arguments
# does), and leaves out the classic options given already.
CASES=(
	"tunctl "					"add attach del list ..."
	"tunctl a"					"add addr address apply attach"
	"tunctl ad"					"add addr address"
	"tunctl addr"					"addr address"
	"tunctl d"					"del delete"
	"tunctl -j s"					"save set show"
	"tunctl --"					"--batch --json --netns --version ..."
	"tunctl add tun0 --m"				"--mac --master --mode --mtu --multi-queue"
	"tunctl add tun0 --e"				"--exist-ok"
	"tunctl add x --mo"				"--mode"
	"tunctl del --"					"--all --force --mode --unused ..."
	"tunctl set tun0 --no"				"--no-group --no-user --nomaster"
	"tunctl attach tun0 --"				"--count --echo --hex --pcap ..."
	"tunctl add tun0 --mode "			"tap tun"
	"tunctl list --mode t"				"tap tun"
	"tunctl list --mode "				"tap tun"
	"tunctl add tun0 --user roo"			"root"
	"tunctl add tun0 --group nogr"			"nogroup"
	"tunctl addr "					"add del flush replace"
	"tunctl route "					"add del replace"
	"tunctl help sh"				"show"
	"tunctl list --mode=t"				"tap tun"
	"tunctl list --mode="				"tap tun"
	"tunctl add tun0 --mode="			"tap tun"
	"tunctl add tun0 --user=roo"			"root"
	"tunctl set tun0 --group=nogr"			"nogroup"
	"tunctl add tun0 --down="			""
	"tunctl list --mo"				"--mode"
	"tunctl show "					"tapB tunA"
	"tunctl attach "				"tapB tunA"
	"tunctl del tunA t"				"tapB"
	"tunctl addr add "				"tapB tunA"
	"tunctl route del tu"				"tunA"
	"tunctl add "					"|zsh: --addr --alias --group --mac --master --mode --mtu --route --txqueuelen --user"
	"tunctl -n @NS@ set "				"tapB tunA"
	"tunctl -n @NS@ show "				"tapB tunA"
	"tunctl --netns=@NS@ attach "			"tapB tunA"
	"tunctl --netns @NS@ del "			"tapB tunA"
	"tunctl --netns @NS@ del tunA "			"tapB"
	"tunctl --netns=@NS@ addr add "			"tapB tunA"
	"tunctl -j -n @NS@ route del tu"		"tunA"
	"tunctl -n@NS@ set "				"tapB tunA"
	"tunctl -n@NS@ -j del "				"tapB tunA"
	"tunctl -"					"-b -d -f -g -j -n -p -t -u --netns ..."
	"tunctl -j -"					"! -t"
	"tunctl -u roo"					"root"
	"tunctl -t tap0 -g nogr"			"nogroup"
	"tunctl -bu roo"				"root"
	"tunctl -n -t tap0 -"				"-b -d -f -g -n -p -t -u|zsh: -b -f -g -u"
	"tunctl -t "					""
	"tunctl -d t"					"tapB tunA"
	"tunctl del tunA "				"tapB"
	"tunctl del tunA tapB "				""
	"tunctl del tunA --"				"--force --help --json"
	"tunctl del --all "				"--force --mode"
	"tunctl del --all --mode tun "			"--force"
	"tunctl del --mode tun "			"--all --force --unused"
	"tunctl del --unused --"			"--help --json --mode"
	"tunctl list --"				"--help --json --mode --unused"
	"tunctl show tunA "				""
	"tunctl attach tunA --hex --"			"--count --echo --help --json --pcap"
	"tunctl addr add tunA "				""
	"tunctl addr add tunA 192.0.2.1/24 --"		"--exist-ok --help --json --peer"
	"tunctl addr add tunA 192.0.2.1/24 --peer 192.0.2.2 --"	"--exist-ok --help --json"
	"tunctl addr add tunA 192.0.2.1/24 --exist-ok --"	"--help --json --peer"
	"tunctl addr replace tunA 192.0.2.1/24 --"	"--help --json --peer"
	"tunctl addr del tunA 192.0.2.1/24 --"		"--help --json --peer"
	"tunctl addr flush tunA "			""
	"tunctl route add tunA "			"default"
	"tunctl route del tunA --"			"--help --json"
	"tunctl route add tunA 198.51.100.0/24 --"	"--exist-ok --help --json"
	"tunctl route replace tunA 198.51.100.0/24 --"	"--help --json"
	"tunctl route add tunA 198.51.100.0/24 --exist-ok --"	"--help --json"
	"tunctl route add tunA 198.51.100.0/24 via "	""
	"tunctl route add tunA 198.51.100.0/24 via 192.0.2.2 "	"metric table"
	"tunctl route add tunA default via 192.0.2.2 metric 5 "	"table"
	"tunctl route add tunA 198.51.100.0/24 metric "	""
	"tunctl route add tunA 198.51.100.0/24 table "	"default main"
	"tunctl route add tunA 198.51.100.0/24 table main via 192.0.2.2 metric 7 "	""
	"tunctl add x0 --addr 192.0.2.1/24 --p"		"--peer --pi"
	"tunctl add x0 --p"				"--pi"
	"tunctl add x0 --addr 192.0.2.1/24 --addr 192.0.2.3/24 --peer 192.0.2.2 --p"	"--pi"
	"tunctl add x0 --addr 192.0.2.1/24 --peer 192.0.2.2 --addr 192.0.2.3/24 --p"	"--peer --pi"
	"tunctl add x0 --addr 192.0.2.1/24 --peer 192.0.2.2 --mode "	"tap tun"
	"tunctl add x0 --any-user --"			"--addr --alias --down --exist-ok --help --json --mac --master --mode --mtu --multi-queue --pi --route --txqueuelen --vnet-hdr"
	"tunctl set tunA --up --user root --"		"--alias --group --help --json --mac --master --mtu --name --netns --no-group --nomaster --txqueuelen --yes"
	"tunctl set tunA --na"				"--name"
	"tunctl set tunA --name "			""
	"tunctl set tunA --name x --n"			"--netns --no-group --no-user --nomaster"
	"tunctl set tunA --master lo --no"		"--no-group --no-user"
	"tunctl set tunA --nomaster --ma"		"--mac"
	"tunctl "					"apply run save ..."
	"tunctl r"					"route run"
	"tunctl s"					"save set show"
	"tunctl help "					"add addr apply attach broker check del list monitor route run save set show wait"
	"tunctl run t"					"tapB tunA"
	"tunctl run tunA "				"-- --fd --no-pi --no-vnet-hdr --pi --queues --vnet-hdr"
	"tunctl run tunA --"				"-- --fd --help --json --no-pi --no-vnet-hdr --pi --queues --vnet-hdr"
	"tunctl run tunA --queues 2 --"			"-- --fd --help --json --no-pi --no-vnet-hdr --pi --vnet-hdr"
	"tunctl run tunA --pi --no-vnet-hdr --"		"-- --fd --help --json --queues"
	"tunctl run tunA -- ech"			"echo ..."
	"tunctl run tunA -- tunctl s"			"save set show"
	"tunctl run tunA --fd=4 -- tunctl del tunA "	"tapB"
	"tunctl save t"					"tapB tunA"
	"tunctl save tunA "				"tapB"
	"tunctl save --"				"--help --json --keep-config"
	"tunctl save --keep-config "			"tapB tunA"
	"tunctl save tunA --keep-config tunA --"	"--help --json --keep-config"
	"tunctl apply "					"- blue.conf devices"
	"tunctl apply f "				"--dry-run --per-device --prune --recreate --yes"
	"tunctl apply f --"				"--dry-run --help --json --per-device --prune --recreate --yes"
	"tunctl apply f --prune --"			"--dry-run --force --help --json --per-device --recreate --yes"
	"tunctl apply f --prune --force --recreate --per-device --yes "	"--dry-run"
	"tunctl monitor --"				"--help --initial --json --mode"
	"tunctl monitor tunA "				"tapB"
	"tunctl monitor --initial --mode "		"tap tun"
	"tunctl wait "					"tapB tunA"
	"tunctl wait tunA --"				"--for --help --json --timeout"
	"tunctl wait tunA --for "			"addr attached detached down exists gone master up"
	"tunctl wait tunA --for up --"			"--help --json --timeout"
	"tunctl wait tunA --for master "		"lo tapB tunA vethC vethD"
	"tunctl c"					"check"
	"tunctl check "					"tapB tunA"
	"tunctl check tunA --"				"--help --json --master --mode --no-pi --no-vnet-hdr --pi --queues --user --vhost --vnet-hdr"
	"tunctl check tunA --pi --queues 4 --"		"--help --json --master --mode --no-vnet-hdr --user --vhost --vnet-hdr"
	"tunctl check tunA --no-vnet-hdr --vhost --"	"--help --json --master --mode --no-pi --pi --queues --user"
	"tunctl check tunA --mode "			"tap tun"
	"tunctl check tunA --user roo"			"root"
	"tunctl check tunA --user=roo"			"root"
	"tunctl check tunA --master "			"lo tapB tunA vethC vethD"
)

@test "bash: the table of cases" {
	ns_with_devices
	cd_files
	check_cases bash "${CASES[@]}"
}

@test "zsh: the table of cases" {
	need_zsh
	ns_with_devices
	cd_files
	check_cases zsh "${CASES[@]}"
}

@test "fish: the table of cases" {
	need_fish
	ns_with_devices
	cd_files
	check_cases fish "${CASES[@]}"
}

# Completion as a person types it: the shell runs interactively in tmux
# inside the test's namespace, the keys are sent, and the screen is read.
need_tmux() { command -v tmux >/dev/null || skip "tmux not installed"; }

tm() { tmux -S "$BATS_TEST_TMPDIR/tmux.sock" "$@"; }

# True if a line of the screen is the whole of the extended regular
# expression $1 (trailing spaces aside).
screen_line() { tm capture-pane -p | grep -qEx -- "$1"; }
# True if a line of the screen is $1, as it is.
screen_has() { tm capture-pane -p | grep -qFx -- "$1"; }

# Waits until a line of the screen is $1 (as screen_line); shows the screen
# if none comes.
wait_line() {
	wait_until screen_line "$1" || { tm capture-pane -p; return 1; }
}

# Starts shell command $1 in the namespace in a fixed-size terminal, types
# the setup $2 (which must make the prompt "READY> ") and waits for it. The
# shell gets the test's own empty home (own_home) and nothing else.
start_shell() {
	tm new-session -d -x 120 -y 30 \
		"exec ip netns exec $NS env -i HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_DATA_HOME=$XDG_DATA_HOME XDG_CACHE_HOME=$XDG_CACHE_HOME TERM=xterm PATH=$PATH $1"
	# Typed once the shell has drawn its first prompt.
	wait_line '.+'
	tm send-keys -l -- "$2"
	tm send-keys Enter
	# The prompt is set in two halves: what was typed does not show it.
	wait_line "READY>"
	fresh_line
}

# True if the screen is the prompt alone; if not, asks for a clear screen
# (again: a C-l the shell read while still back from an interrupt is lost).
cleared() {
	[ "$(tm capture-pane -p | grep .)" = "READY>" ] && return 0
	tm send-keys C-l
	return 1
}

# Abandons the line (and any list shown) and clears the screen: then the
# screen is the prompt alone.
fresh_line() {
	tm send-keys C-c
	# Keys typed before the shell is back from the interrupt may be lost.
	wait_until '[ "$(tm capture-pane -p | grep . | tail -n 1)" = "READY>" ]' || { tm capture-pane -p; return 1; }
	wait_until cleared || { tm capture-pane -p; return 1; }
}

# Types $1, then Tab $3 times (default once), and waits for a line of the
# screen to be $2 (an extended regular expression).
type_tab() {
	local i
	tm send-keys -l -- "$1"
	for ((i = 0; i < ${3:-1}; i++)); do tm send-keys Tab; done
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
	wait_until screen_has "READY> $1X" || { tm capture-pane -p; return 1; }
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
	# After via: a gateway, no keyword; after a route given whole, add's
	# one option, and nothing after a route of del.
	type_tab_nothing "tunctl route add tunA 198.51.100.0/24 via "
	type_tab 'tunctl route add tunA "198.51.100.0/24 via 192.0.2.2" ' 'READY> tunctl route add tunA "198.51.100.0/24 via 192.0.2.2" --exist-ok *'
	type_tab_nothing 'tunctl route del tunA "198.51.100.0/24 via 192.0.2.2" '
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
