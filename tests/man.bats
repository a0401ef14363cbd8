#!/usr/bin/env bats
# The man page renders cleanly and documents every command, alias and long
# option the code accepts: the lists come from the code (tunctl --help, each
# tunctl COMMAND --help, the option tables in src/), so a new command or
# option fails here until it is documented.
bats_require_minimum_version 1.5.0
load helpers

MAN=${MAN_PAGE:-$BATS_TEST_DIRNAME/../man/tunctl.8}
SRC=$BATS_TEST_DIRNAME/../src

setup() {
	[ -f "$MAN" ] || skip "man page not built ($MAN)"
	command -v groff >/dev/null || skip "no groff"
}

@test "groff renders it without warnings" {
	run --separate-stderr groff -man -ww -z "$MAN"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "man renders it without warnings" {
	command -v man >/dev/null || skip "no man"
	run --separate-stderr env LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$MAN"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

# The page as text, with roff escapes for '-' undone.
text() { sed 's/\\-/-/g; s/\\f[BIRP]//g' "$MAN"; }

@test "every long option in the code is documented" {
	opts=$(grep -ohE '\{ *"[a-z][a-z0-9-]+" *, *(no|required)_argument' "$SRC"/*.c | sed -E 's/\{ *"([^"]+)".*/\1/' | sort -u)
	[ -n "$opts" ]
	missing=""
	for o in $opts; do
		text | grep -q -- "--$o" || missing="$missing --$o"
	done
	[ -z "$missing" ] || { echo "undocumented:$missing"; return 1; }
}

# The commands and their aliases, from tunctl --help: "NAME" or "NAME ALIAS"
# a line.
commands() {
	"$TUNCTL" --help | awk '/^Commands:/ { on = 1; next } on && !NF { exit }
		on { a = ""; if (match($0, /\(alias: [a-z]+\)/)) a = substr($0, RSTART + 8, RLENGTH - 9)
		     print $1, a }'
}

# The long options a --help lists under "Options:" ($1: a command, or none).
help_opts() {
	"$TUNCTL" $1 --help | awk '/^Options:/ { on = 1; next } on && !NF { exit } on' |
		grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# The entries of the COMMANDS section, one a line: "NAME<TAB>its text", the
# entries of one command (del NAME..., del --all) joined.
entries() {
	text | awk '
	/^\.SH/ { on = ($0 ~ /^\.SH COMMANDS/); next }
	!on { next }
	/^\.RS/ { depth++ } /^\.RE/ { depth-- }
	depth == 0 && /^\.TP/ { head = 1; next }
	head { name = $2; gsub(/"/, "", name); head = 0 }
	name != "" { body[name] = body[name] " " $0 }
	END { for (n in body) print n "\t" body[n] }'
}

@test "every command of --help has an entry of its own in COMMANDS, naming its alias" {
	run commands
	[ "$status" -eq 0 ]
	[ "$(wc -l <<<"$output")" -ge 9 ]
	cmds=$output
	ents=$(entries)
	while read -r c alias; do
		entry=$(awk -F '\t' -v c="$c" '$1 == c { print $2 }' <<<"$ents")
		[ -n "$entry" ] || { echo "no entry for $c in COMMANDS"; return 1; }
		if [ -n "$alias" ]; then
			grep -qw -- "$alias" <<<"$entry" || { echo "the entry for $c does not name its alias $alias"; return 1; }
		fi
	done <<<"$cmds"
	# And no entry for a command that is not there.
	while IFS=$'\t' read -r c _; do
		cut -d' ' -f1 <<<"$cmds" | grep -qx -- "$c" ||
			{ echo "COMMANDS documents $c, which --help does not list"; return 1; }
	done <<<"$ents"
}

@test "each command's options (from COMMAND --help) are in its own entry" {
	ents=$(entries)
	missing=""
	for c in $(commands | cut -d' ' -f1); do
		entry=$(awk -F '\t' -v c="$c" '$1 == c { print $2 }' <<<"$ents")
		for o in $(help_opts "$c"); do
			grep -q -- "$o\b" <<<"$entry" || missing="$missing $c:$o"
		done
	done
	[ -z "$missing" ] || { echo "not in their command's entry:$missing"; return 1; }
}

@test "the global options of --help are in GLOBAL OPTIONS" {
	section=$(text | awk '/^\.SH/ { on = ($0 ~ /^\.SH "?GLOBAL OPTIONS/); next } on')
	opts=$(help_opts)
	[ -n "$opts" ]
	for o in $opts; do
		grep -q -- "$o\b" <<<"$section" || { echo "GLOBAL OPTIONS lacks $o"; return 1; }
	done
}

@test "the page has the sections a man page needs" {
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS "GLOBAL OPTIONS" "EXIT STATUS" "JSON OUTPUT" SECURITY \
		"CLASSIC TUNCTL COMPATIBILITY" FILES EXAMPLES "SEE ALSO"; do
		grep -q "^\.SH \"\?$s" "$MAN" || { echo "no section $s"; return 1; }
	done
}

@test "the version in the page is the program's" {
	v=$("$TUNCTL" --version | awk '{print $2}')
	grep -q "\"tunctl $v\"" "$MAN"
}

@test "the classic options of --help are documented" {
	classic=$("$TUNCTL" --help | grep '^Classic tunctl:' | grep -oE -- ' -[a-z]' | sort -u)
	[ -n "$classic" ]
	section=$(text | awk '/^\.SH/ { on = ($0 ~ /^\.SH "?CLASSIC/); next } on')
	for o in $classic; do
		grep -q -- "$o\b" <<<"$section" || { echo "CLASSIC TUNCTL COMPATIBILITY lacks $o"; return 1; }
	done
}

@test "set's entry says --no-user and --no-group cannot clear, as set --help does" {
	entry=$(entries | awk -F '\t' '$1 == "set" { print $2 }')
	[[ "$entry" == *"Require that no owner (group) is set"* ]]
	[[ "$entry" == *"the kernel cannot clear an owner or group once set"* ]]
	[[ "$entry" != *"clear the owner"* ]]
}

@test "the page's date is the page's: its last commit, or the date a tarball carries; not the build day" {
	top=$BATS_TEST_DIRNAME/..
	if [ -f "$top/man/tunctl.8.date" ]; then
		want=$(cat "$top/man/tunctl.8.date")
	else
		want=$(git -C "$top" log -1 --format=%cs -- man/tunctl.8.in 2>/dev/null) || true
	fi
	[ -n "$want" ] || skip "neither a git checkout with the page committed nor a tarball"
	run grep -c "^\.TH TUNCTL 8 \"$want\" " "$MAN"
	[ "$output" = 1 ] || { grep '^\.TH' "$MAN"; echo "want $want"; return 1; }
}

teardown() { ns_teardown; }

# The sample batch file of EXAMPLES, from its first line "# devices.txt" on.
example_batch() {
	text | awk '$0 == "# devices.txt" { on = 1 } on && /^\.fi/ { exit } on'
}

@test "EXAMPLES: the sample batch file runs, and its second run fails as shown" {
	example_batch >"$BATS_TEST_TMPDIR/devices.txt"
	grep -q '^add ' "$BATS_TEST_TMPDIR/devices.txt" || { echo "no sample batch file in EXAMPLES"; return 1; }
	want=$(text | grep '^tunctl: devices.txt:')
	[ -n "$want" ]
	ns_setup
	# alice need not exist here.
	sed -i 's/--user alice/--user root/' "$BATS_TEST_TMPDIR/devices.txt"
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr t -b devices.txt
	[ "$status" -eq 0 ] || { echo "status $status: $stderr"; return 1; }
	[ "$(tun_devices | sort | paste -sd ' ')" = "vm1 vm2 vpn0" ]
	[ "$(sysfs vm1 mtu)" = 9000 ]
	[ "$(sysfs vm1 tx_queue_len)" = 2000 ]
	route_json 198.51.100.0/24 | jq -e '.[0].gateway == "192.0.2.2" and .[0].metric == 50' >/dev/null
	run --separate-stderr t -b devices.txt
	[ "$status" -eq 1 ]
	[ "$stderr" = "$want" ] || { echo "stderr \"$stderr\", the page says \"$want\""; return 1; }
}

@test "SEE ALSO: by section, then by name; the capture and capability pages" {
	see=$(text | awk '/^\.SH/ { on = ($0 ~ /^\.SH "?SEE ALSO/); next }
		on && /^\.BR/ { gsub(/[(),]/, "", $3); print $3, $2 }')
	[ -n "$see" ]
	LC_ALL=C sort -c -k1,1n -k2,2 <<<"$see" || { echo "not sorted: $see"; return 1; }
	for p in "1 tshark" "7 capabilities" "8 setcap" "8 tcpdump" "8 ip-tuntap"; do
		grep -qx -- "$p" <<<"$see" || { echo "SEE ALSO lacks $p"; return 1; }
	done
}
