#!/usr/bin/env bats
# Every example of the man page's EXAMPLES and of README.md, run as written,
# in order, so that none can rot: the blocks are taken from the files by the
# marker before each (man: '.\" example: KIND', README: '<!-- example: KIND
# -->'), in a scratch network namespace of a private mount namespace, where
# /run/netns (with the namespaces blue and guests the examples name) and
# /etc/passwd (with the users alice and bob they name) are the test's own.
# Only addresses outside the documentation ranges would be rewritten; there
# are none. sudo, where an example says it, is the test's root itself.
bats_require_minimum_version 1.5.0
load helpers

MAN_SRC=${MAN_SOURCE:-$BATS_TEST_DIRNAME/../man/tunctl.8.in}
README=$BATS_TEST_DIRNAME/../README.md

# The blocks of a file, one JSON object a line: {line, kind, args, fresh,
# text}. Unmarked blocks are listed with kind null (the lint test fails on
# them).
extract_py() {
	cat <<'PY'
import json, re, sys
kind, path = sys.argv[1], sys.argv[2]
lines = open(path).read().split("\n")
out = []
def unroff(t):
    t = t.replace("\\-", "-").replace("\\e", "\\").replace("\\(dq", "\"").replace("\\&", "")
    return re.sub(r"\\f[BIRP]", "", t)
if kind == "man":
    on, mark = False, None
    for i, l in enumerate(lines):
        if l.startswith(".SH "):
            on = l == ".SH EXAMPLES"
            continue
        if not on:
            continue
        m = re.match(r"^\.\\\" example: (.*)$", l)
        if m:
            mark = (i + 1, m.group(1))
        elif l == ".nf":
            end = lines.index(".fi", i)
            out.append((mark, i + 1, "\n".join(unroff(x) for x in lines[i + 1:end])))
            mark = None
        elif not l.startswith(".") and mark:
            mark = None
else:
    i, mark = 0, None
    while i < len(lines):
        l = lines[i]
        m = re.match(r"^<!-- example: (.*) -->$", l)
        if m:
            mark = (i + 1, m.group(1))
        elif l.startswith("```"):
            end = lines.index("```", i + 1)
            out.append((mark, i + 1, "\n".join(lines[i + 1:end])))
            mark, i = None, end
        elif l.strip():
            mark = None
        i += 1
for mark, line, text in out:
    w = mark[1].split() if mark else []
    fresh = bool(w) and w[0] == "fresh"
    if fresh:
        w = w[1:]
    print(json.dumps({"line": line, "kind": w[0] if w else None, "args": " ".join(w[1:]),
                      "fresh": fresh, "text": text}))
PY
}

# Runs the blocks on stdin (EXTRACT's lines) in order; inside the private
# mount namespace that run_examples makes.
run_py() {
	cat <<'PY'
import json, os, subprocess, sys
tmp = sys.argv[1]
def sh(*a):
    subprocess.run(a, check=True)
sh("mount", "-t", "tmpfs", "tmpfs", "/run/netns")
with open("/etc/passwd") as f:
    pw = f.read()
with open(tmp + "/passwd", "w") as f:
    f.write(pw + "alice:x:64101:64101:alice:/nonexistent:/usr/sbin/nologin\n"
                 "bob:x:64102:64102:bob:/nonexistent:/usr/sbin/nologin\n")
sh("mount", "--bind", tmp + "/passwd", "/etc/passwd")
for ns in ("scratch", "blue", "guests"):
    sh("ip", "netns", "add", ns)
# Background jobs of a block (attach &) end with it.
PRE = r"""set -e -o pipefail
sudo() { "$@"; }
export USER=${USER:-$(id -un)}
trap 'rc=$?; j=$(jobs -p); [ -z "$j" ] || kill $j 2>/dev/null; wait; exit $rc' EXIT
"""
def run(script):
    return subprocess.run(["ip", "netns", "exec", "scratch", "bash", "-c", PRE + script], cwd=tmp,
                          capture_output=True, text=True)
failed = 0
for n, line in enumerate(sys.stdin):
    b = json.loads(line)
    where = "%s:%d" % (os.environ["EXAMPLES_FILE"], b["line"])
    if b["kind"] == "skip":
        continue
    if b["fresh"]:
        sh("ip", "netns", "del", "scratch")
        sh("ip", "netns", "add", "scratch")
    ok, why = True, ""
    if b["kind"] == "run":
        r = run(b["text"])
        ok, why = r.returncode == 0, "exit %d\n%s%s" % (r.returncode, r.stdout, r.stderr)
    elif b["kind"] == "batch":
        with open(os.path.join(tmp, b["args"]), "w") as f:
            f.write(b["text"] + "\n")
        r = run("tunctl -b " + b["args"])
        ok, why = r.returncode == 0, "exit %d\n%s%s" % (r.returncode, r.stdout, r.stderr)
    elif b["kind"] == "stderr":
        r = run(b["args"])
        ok = r.returncode != 0 and r.stderr.rstrip("\n") == b["text"]
        why = "exit %d, stderr:\n%s\nwant:\n%s" % (r.returncode, r.stderr, b["text"])
    elif b["kind"] == "transcript":
        cmd, want, got = None, [], []
        for l in b["text"].split("\n") + ["$ "]:
            if l.startswith("$ "):
                if cmd:
                    r = run(cmd)
                    if r.returncode != 0 or r.stdout.rstrip("\n") != "\n".join(want):
                        ok = False
                        why += "$ %s\nexit %d, stdout:\n%s%s\nwant:\n%s\n" % (cmd, r.returncode, r.stdout,
                                                                           r.stderr, "\n".join(want))
                cmd, want = l[2:], []
            else:
                want.append(l)
    else:
        ok, why = False, "unknown kind %r" % b["kind"]
    if not ok:
        failed += 1
        print("%s: the example fails as written (%s):\n%s\n%s" % (where, b["kind"], b["text"], why))
sys.exit(1 if failed else 0)
PY
}

setup() {
	need_root
	command -v python3 >/dev/null || skip "python3 is not installed"
}

# The examples of file $2 (kind $1: man or readme), run in order.
run_examples() {
	local dir=$BATS_TEST_TMPDIR/run
	mkdir -p "$dir"
	# The examples call "tunctl": the one built here.
	mkdir -p "$dir/bin"
	ln -sf "$(readlink -f "$TUNCTL")" "$dir/bin/tunctl"
	python3 -c "$(extract_py)" "$1" "$2" >"$dir/blocks"
	[ -s "$dir/blocks" ]
	run env PATH="$dir/bin:$PATH" EXAMPLES_FILE="$(basename "$2")" \
		unshare -m --propagation private python3 -c "$(run_py)" "$dir" <"$dir/blocks"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "every example block of the man page's EXAMPLES and of README.md is marked to be run or says why not" {
	for f in "man:$MAN_SRC" "readme:$README"; do
		python3 -c "$(extract_py)" "${f%%:*}" "${f#*:}" >"$BATS_TEST_TMPDIR/blocks"
		[ -s "$BATS_TEST_TMPDIR/blocks" ]
		unmarked=$(jq -r 'select(.kind == null or (.kind | IN("run", "batch", "stderr", "transcript", "skip") | not))
			| "line \(.line): \(.text | split("\n")[0])"' "$BATS_TEST_TMPDIR/blocks")
		[ -z "$unmarked" ] || { echo "${f#*:}: blocks without an example: marker:"; echo "$unmarked"; return 1; }
		# A skipped block says why.
		[ -z "$(jq -r 'select(.kind == "skip" and .args == "") | .line' "$BATS_TEST_TMPDIR/blocks")" ]
	done
	# The man page's EXAMPLES skip none.
	python3 -c "$(extract_py)" man "$MAN_SRC" | jq -e -s 'length >= 12 and all(.[]; .kind != "skip")' >/dev/null
}

@test "the man page's EXAMPLES run as written, in order" {
	run_examples man "$MAN_SRC"
}

@test "README.md's examples run as written, in order" {
	run_examples readme "$README"
}
