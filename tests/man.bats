#!/usr/bin/env bats
# The man page renders cleanly and documents every command and long option
# the code accepts (taken from src/cmdline.c, so a new option fails here
# until it is documented).
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

@test "every command is documented, with the sections a man page needs" {
	for c in add del list show set addr route attach help; do
		text | grep -qE "^\.(B|BI|TP)?.*\b$c\b" || { echo "no $c"; return 1; }
	done
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" "JSON OUTPUT" SECURITY FILES EXAMPLES "SEE ALSO"; do
		grep -q "^\.SH \"\?$s" "$MAN" || { echo "no section $s"; return 1; }
	done
}

@test "the version in the page is the program's" {
	v=$("$TUNCTL" --version | awk '{print $2}')
	grep -q "\"tunctl $v\"" "$MAN"
}

@test "--help names every command the man page documents" {
	run "$TUNCTL" --help
	for c in add del list show set addr route attach help; do
		[[ "$output" == *"  $c "* ]] || { echo "--help lacks $c"; return 1; }
	done
}
