#!/usr/bin/env bats
# tunctl attach: the userspace end of a device, proven with ping and read
# back with tshark.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	command -v ping >/dev/null || skip "ping (iputils-ping) is not installed"
	ATTACH_PID=
	HOLDER=
	PINGER=
	TRACER=
}
teardown() {
	[ -n "$TRACER" ] && kill "$TRACER" 2>/dev/null
	[ -n "$PINGER" ] && kill "$PINGER" 2>/dev/null
	[ -n "$ATTACH_PID" ] && kill "$ATTACH_PID" 2>/dev/null
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	ns_teardown
}

# Starts tunctl attach in the namespace in the background (output in
# $BATS_TEST_TMPDIR/attach.out and .err) and waits until it is attached.
start_attach() {
	local dev=$1
	shift
	(exec ip netns exec "$NS" "$TUNCTL" attach "$dev" "$@" >"$BATS_TEST_TMPDIR/attach.out" 2>"$BATS_TEST_TMPDIR/attach.err") &
	ATTACH_PID=$!
	wait_attached "$dev"
}

# True if process $1 holds device $2.
holds() { in_ns grep -qs "iff:.$2\$" /proc/"$1"/fdinfo/*; }

# Waits until ATTACH_PID holds device $1.
wait_attached() {
	wait_until -t 5 holds "$ATTACH_PID" "$1" || {
		echo "attach did not start: $(cat "$BATS_TEST_TMPDIR/attach.err" 2>/dev/null)"; return 1; }
}

# Waits until device $1 (up) has carrier: a reader is attached to it.
wait_carrier() {
	wait_until -t 5 "[ \"\$(sysfs $1 carrier 2>/dev/null)\" = 1 ]"
}

# Waits until process $1 holds device $2 or is gone (it may fail at once).
wait_attached_or_gone() {
	wait_until -t 5 "holds $1 $2 || ! kill -0 $1 2>/dev/null"
}

# Stops it with SIGINT and checks it exits 0 with its summary.
stop_attach() {
	kill -INT "$ATTACH_PID"
	local rc=0
	wait "$ATTACH_PID" || rc=$?
	ATTACH_PID=
	[ "$rc" -eq 0 ] || { echo "attach exited $rc: $(cat "$BATS_TEST_TMPDIR/attach.err")"; return 1; }
	grep -qE '^[0-9]+ packets?, [0-9]+ bytes received(; [0-9]+ answers? sent)?$' "$BATS_TEST_TMPDIR/attach.err"
}

pcap_count() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }

@test "tun: ping gets 3 replies, and tshark reads requests and replies from the pcap" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	start_attach tun0 --echo --pcap "$BATS_TEST_TMPDIR/f.pcap"
	run in_ns ping -c 3 -i 0.2 -W 2 192.0.2.2
	[[ "$output" == *"3 packets transmitted, 3 received"* ]]
	stop_attach
	[ "$(pcap_count "$BATS_TEST_TMPDIR/f.pcap" 'icmp.type == 8')" -eq 3 ]
	[ "$(pcap_count "$BATS_TEST_TMPDIR/f.pcap" 'icmp.type == 0')" -eq 3 ]
	[ "$(tshark -r "$BATS_TEST_TMPDIR/f.pcap" -T fields -e frame.protocols 2>/dev/null | grep -c '^raw:ip:icmp')" -ge 6 ]
	grep -q 'in .* IPv4 192.0.2.1 > 192.0.2.2: ICMP echo request id [0-9]* seq 1' "$BATS_TEST_TMPDIR/attach.out"
	grep -q 'out .* IPv4 192.0.2.2 > 192.0.2.1: ICMP echo reply id [0-9]* seq 3' "$BATS_TEST_TMPDIR/attach.out"
}

@test "tap whose own MAC is the answers' one: answered from another (the MAC the lookup read)" {
	t add tap0 --mode tap --mac 02:00:5e:10:00:01 --addr 198.51.100.1/24 >/dev/null
	start_attach tap0 --echo
	run in_ns ping -c 2 -i 0.2 -W 2 198.51.100.2
	[[ "$output" == *"2 packets transmitted, 2 received"* ]]
	ip -n "$NS" -j neigh show dev tap0 | jq -e '.[] | select(.dst == "198.51.100.2" and .lladdr == "02:00:5e:10:00:fe")'
	stop_attach
}

@test "tap: ARP is answered, ping gets replies, the pcap is Ethernet" {
	t add tap0 --mode tap --addr 198.51.100.1/24 >/dev/null
	start_attach tap0 --echo --pcap "$BATS_TEST_TMPDIR/f.pcap"
	run in_ns ping -c 3 -i 0.2 -W 2 198.51.100.2
	[[ "$output" == *"3 packets transmitted, 3 received"* ]]
	# The kernel learned the answer (flushed again when carrier goes).
	ip -n "$NS" -j neigh show dev tap0 | jq -e '.[] | select(.dst == "198.51.100.2" and .lladdr == "02:00:5e:10:00:01")'
	stop_attach
	[ "$(pcap_count "$BATS_TEST_TMPDIR/f.pcap" 'arp.opcode == 2')" -ge 1 ]
	[ "$(pcap_count "$BATS_TEST_TMPDIR/f.pcap" 'icmp.type == 0')" -eq 3 ]
	tshark -r "$BATS_TEST_TMPDIR/f.pcap" -T fields -e frame.protocols 2>/dev/null | grep -q '^eth:ethertype:arp'
}

@test "IPv6: ping -6 over tun, and over tap with neighbour discovery" {
	t add tun0 --addr 2001:db8::1/64 >/dev/null
	start_attach tun0 --echo
	run in_ns ping -6 -c 2 -i 0.2 -W 2 2001:db8::2
	[[ "$output" == *"2 packets transmitted, 2 received"* ]]
	stop_attach
	t add tap0 --mode tap --addr 2001:db8:1::1/64 >/dev/null
	start_attach tap0 --echo --pcap "$BATS_TEST_TMPDIR/g.pcap"
	# Duplicate address detection first (attach must stay silent to it).
	wait_until -t 5 "addr_json dev tap0 | jq -e '.[0].addr_info[] | select(.local == \"2001:db8:1::1\" and (.tentative | not))' >/dev/null"
	addr_json dev tap0 | jq -e '.[0].addr_info[] | select(.local == "2001:db8:1::1" and (.dadfailed | not))'
	run in_ns ping -6 -c 2 -i 0.2 -W 2 2001:db8:1::2
	[[ "$output" == *"2 packets transmitted, 2 received"* ]]
	stop_attach
	[ "$(pcap_count "$BATS_TEST_TMPDIR/g.pcap" 'icmpv6.type == 136')" -ge 1 ]
	[ "$(pcap_count "$BATS_TEST_TMPDIR/g.pcap" 'icmpv6.type == 129')" -eq 2 ]
}

@test "--pi and --vnet-hdr devices: attach asks for their flags and strips the headers" {
	t add tun0 --pi --addr 192.0.2.1/24 >/dev/null
	start_attach tun0 --echo --pcap "$BATS_TEST_TMPDIR/p.pcap"
	run in_ns ping -c 2 -i 0.2 -W 2 192.0.2.2
	[[ "$output" == *"2 received"* ]]
	stop_attach
	[ "$(pcap_count "$BATS_TEST_TMPDIR/p.pcap" 'icmp.type == 0')" -eq 2 ]
	[ "$(sysfs tun0 tun_flags)" = 0x801 ]      # still pi: attaching did not change the flags
	t add tap1 --mode tap --vnet-hdr --addr 198.51.100.1/24 >/dev/null
	start_attach tap1 --echo
	run in_ns ping -c 2 -i 0.2 -W 2 198.51.100.2
	[[ "$output" == *"2 received"* ]]
	stop_attach
}

@test "--count N stops by itself; -j prints one JSON object per packet; --hex dumps" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	(exec ip netns exec "$NS" "$TUNCTL" -j attach tun0 --count 2 --hex >"$BATS_TEST_TMPDIR/j.out" 2>"$BATS_TEST_TMPDIR/j.err") &
	pid=$!
	wait_carrier tun0
	in_ns ping -c 4 -i 0.2 -W 1 192.0.2.2 >/dev/null || true
	rc=0
	timeout 5 tail --pid="$pid" -f /dev/null || rc=$?
	[ "$rc" -eq 0 ]
	wait "$pid"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/j.out")" -eq 2 ]
	jq -e 'select(.direction == "in" and .protocol == "ICMP" and .dst == "192.0.2.2" and (.hex | test("0000")))' "$BATS_TEST_TMPDIR/j.out"
	grep -q '^2 packets' "$BATS_TEST_TMPDIR/j.err"
}

@test "the owner attaches without privileges; another user is refused, naming the owner" {
	t add tun0 --user nobody --addr 192.0.2.1/24 >/dev/null
	node=$BATS_TEST_TMPDIR/tun
	mknod "$node" c 10 200 && chmod 666 "$node" || skip "cannot make a device node here"
	as_user() {
		unshare -m sh -c 'mount --bind "$1" /dev/net/tun && shift && exec "$@"' _ "$node" \
			ip netns exec "$NS" setpriv --reuid="$1" --regid=65534 --clear-groups "$TUNCTL" attach tun0 "${@:2}"
	}
	run --separate-stderr as_user 1 --count 1
	assert_error 1 "permission denied"
	[[ "$stderr" == *"user nobody"* ]]
	as_user 65534 --echo --count 2 >"$BATS_TEST_TMPDIR/u.out" 2>&1 &
	pid=$!
	wait_carrier tun0
	run in_ns ping -c 1 -W 2 192.0.2.2
	[[ "$output" == *"1 received"* ]]
	wait "$pid"
	grep -q "echo reply" "$BATS_TEST_TMPDIR/u.out"
}

@test "bad cases: no such device, not TUN/TAP, busy, unwritable pcap" {
	run --separate-stderr t attach nosuch0
	assert_error 1 nosuch0
	in_ns ip link add v0 type veth peer name v1
	run --separate-stderr t attach v0
	assert_error 1 v0
	t add tun0 >/dev/null
	hold_device tun0
	run --separate-stderr t attach tun0
	kill "$HOLDER"
	assert_error 1 "python3 (pid $HOLDER)"
	run --separate-stderr t attach tun0 --pcap /nonexistent/dir/f.pcap
	assert_error 1 /nonexistent/dir/f.pcap
	run --separate-stderr t attach tun0 --count x
	assert_error 2 '"x"'
}

@test "a device deleted while attached: one clear error, exit 1" {
	t add tun0 >/dev/null
	start_attach tun0
	t del tun0 --force
	rc=0
	wait "$ATTACH_PID" || rc=$?
	ATTACH_PID=
	[ "$rc" -eq 1 ]
	[ "$(cat "$BATS_TEST_TMPDIR/attach.err")" = "tunctl: tun0 was deleted while attached" ]
}

@test "TCP and UDP headers are decoded end to end" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	start_attach tun0
	in_ns python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("192.0.2.1", 40000))
u.sendto(b"hello", ("192.0.2.2", 9))
t = socket.socket()
t.bind(("192.0.2.1", 40001))
t.settimeout(0.3)
try:
    t.connect(("192.0.2.2", 80))
except OSError:
    pass'
	# Until attach has written both lines (at the end of their burst).
	wait_until -t 5 "grep -q ': TCP 40001 > 80' $BATS_TEST_TMPDIR/attach.out && grep -q ': UDP 40000 > 9' $BATS_TEST_TMPDIR/attach.out"
	stop_attach
	grep -q 'in .* IPv4 192.0.2.1 > 192.0.2.2: UDP 40000 > 9$' "$BATS_TEST_TMPDIR/attach.out"
	grep -q 'in .* IPv4 192.0.2.1 > 192.0.2.2: TCP 40001 > 80 \[S\] seq [0-9]*$' "$BATS_TEST_TMPDIR/attach.out"
}

@test "--echo leaves broadcast, multicast and fragmented pings unanswered; fragments are shown" {
	t add tun0 --addr 192.0.2.1/24 --addr 2001:db8::1/64 >/dev/null
	start_attach tun0 --echo
	# Each ping waits out its second for the answer that must not come: the
	# four at once.
	local k=0 args pings=()
	for args in "-b 192.0.2.255" "-I tun0 224.0.0.1" "-6 ff02::1%tun0" "-s 3000 192.0.2.3"; do
		k=$((k + 1))
		# shellcheck disable=SC2086
		in_ns ping -c 1 -W 1 $args >"$BATS_TEST_TMPDIR/ping.$k" 2>&1 &
		pings+=($!)
	done
	wait "${pings[@]}" || true
	for k in 1 2 3 4; do
		grep -q "1 packets transmitted, 0 received" "$BATS_TEST_TMPDIR/ping.$k" || { cat "$BATS_TEST_TMPDIR/ping.$k"; return 1; }
	done
	stop_attach
	grep -q 'in .* IPv4 192.0.2.1 > 192.0.2.255: ICMP echo request' "$BATS_TEST_TMPDIR/attach.out"
	grep -q 'in .* IPv4 192.0.2.1 > 224.0.0.1: ICMP echo request' "$BATS_TEST_TMPDIR/attach.out"
	grep -q 'in .* > ff02::1: ICMPv6 echo request' "$BATS_TEST_TMPDIR/attach.out"
	grep -q 'in .* IPv4 192.0.2.1 > 192.0.2.3: .*(frag id [0-9]* off 1480+)' "$BATS_TEST_TMPDIR/attach.out"
	run ! grep -q ' out ' "$BATS_TEST_TMPDIR/attach.out"
}

@test "SIGTERM stops attach even while its output is stuck on a full pipe; exit 0 with the summary" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	# A reader that never reads: the pipe fills and attach's write blocks.
	sleep 30 <"$BATS_TEST_TMPDIR/fifo" &
	reader=$!
	(exec ip netns exec "$NS" "$TUNCTL" attach tun0 --echo --hex >"$BATS_TEST_TMPDIR/fifo" 2>"$BATS_TEST_TMPDIR/attach.err") &
	ATTACH_PID=$!
	wait_attached tun0
	in_ns ping -f -q -w 1 192.0.2.2 >/dev/null || true
	kill -TERM "$ATTACH_PID"
	rc=0
	timeout 5 tail --pid="$ATTACH_PID" -f /dev/null || rc=$?
	kill "$reader"
	[ "$rc" -eq 0 ]
	wait "$ATTACH_PID"
	ATTACH_PID=
	grep -qE '^[0-9]+ packets?, [0-9]+ bytes received(; [0-9]+ answers? sent)?$' "$BATS_TEST_TMPDIR/attach.err"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/attach.err")" -eq 1 ]
}

# Holds both ends of fifo $1, never reading, with the pipe full but for $2
# pages, and stays (prints "ready" when it is so). Run it in the background
# with 3>&-, so that bats does not wait for it.
hold_fifo() {
	exec python3 -c '
import os, sys, time
r = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
w = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
try:
    while True:
        os.write(w, b"x" * 4096)
except BlockingIOError:
    pass
for _ in range(int(sys.argv[2])):
    os.read(r, 4096)
print("ready", flush=True)
time.sleep(60)
' "$1" "$2"
}

# Makes $FIFO, a pipe nobody reads, full but for $1 pages (HOLDER holds it).
stuck_fifo() {
	FIFO=$BATS_TEST_TMPDIR/fifo
	mkfifo "$FIFO"
	hold_fifo "$FIFO" "$1" >"$BATS_TEST_TMPDIR/holder" 3>&- &
	HOLDER=$!
	wait_until -t 5 test -s "$BATS_TEST_TMPDIR/holder"
}

# gdb_attach FUNC COND SHOWN ARGS REDIRECTS: tunctl attach ARGS (REDIRECTS
# its output) run under gdb in the background ($gdb: timeout's pid), which
# at the first call of FUNC where COND holds delivers SIGTERM, as if it had
# come after attach last looked at its stop flag, and says so in gdb.out:
# "SIGTERM before FUNC(SHOWN<its third argument>)".
gdb_attach() {
	cat >"$BATS_TEST_TMPDIR/cmds.gdb" <<-EOF
		set pagination off
		set confirm off
		handle SIGTERM nostop noprint pass
		set \$sent = 0
		break $1 if $2 && \$sent == 0
		commands
		silent
		set \$sent = 1
		printf "SIGTERM before $1($3%d)\\n", \$rdx
		signal SIGTERM
		end
	EOF
	# LeakSanitizer cannot work under ptrace (the ASan build of CI).
	(export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	 exec ip netns exec "$NS" timeout 20 gdb -q -batch -nx -iex 'set debuginfod enabled off' \
		-x "$BATS_TEST_TMPDIR/cmds.gdb" -ex "run attach $4 $5" \
		--args "$TUNCTL" >"$BATS_TEST_TMPDIR/gdb.out" 2>&1) &
	gdb=$!
}

# One SIGTERM must end attach (ATTACH_PID) within 5 s; its exit status is
# left in ATTACH_RC.
sigterm_ends_attach() {
	local rc=0
	kill -TERM "$ATTACH_PID"
	timeout 5 tail --pid="$ATTACH_PID" -f /dev/null || rc=$?
	kill "$HOLDER"
	HOLDER=
	[ "$rc" -eq 0 ] || { echo "attach still runs 5 s after SIGTERM"; return 1; }
	ATTACH_RC=0
	wait "$ATTACH_PID" || ATTACH_RC=$?
	ATTACH_PID=
}

@test "a SIGTERM that lands just before a write still stops attach at once (gdb sends it there)" {
	command -v gdb >/dev/null || skip "gdb is not installed"
	[ "$(uname -m)" = x86_64 ] || skip "the breakpoint's condition reads x86-64 registers"
	# No IPv6 in the namespace: the first packet attach sees is the ping.
	in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	stuck_fifo 1
	# At the first write to standard output, gdb delivers SIGTERM, as if it
	# had come after attach last looked at its stop flag. The output of one
	# large packet in hex is bigger than the one page of room: an attach
	# that wrote it whole would block there for ever, its signal spent.
	gdb_attach write '$rdi == 1' "1, ..., " "tun0 --echo --hex" ">$FIFO 2>$BATS_TEST_TMPDIR/attach.err"
	# attach runs as gdb's child, gdb as timeout's ($gdb).
	# shellcheck disable=SC2016
	wait_until 'g=$(pgrep -P "$gdb" | head -1) && a=$(pgrep -P "$g" | head -1) && [ -n "$a" ] && holds "$a" tun0' ||
		{ kill "$gdb"; echo "attach did not start under gdb"; cat "$BATS_TEST_TMPDIR/gdb.out"; false; }
	in_ns ping -c 1 -s 1400 -W 1 192.0.2.2 >/dev/null || true
	rc=0
	wait "$gdb" || rc=$?
	cat "$BATS_TEST_TMPDIR/gdb.out"
	[ "$rc" -eq 0 ]
	grep -q '^SIGTERM before write(1, \.\.\., [0-9]*)$' "$BATS_TEST_TMPDIR/gdb.out"
	grep -q 'exited normally' "$BATS_TEST_TMPDIR/gdb.out"
	grep -qE '^1 packet, 1428 bytes received; [0-9]+ answers? sent$' "$BATS_TEST_TMPDIR/attach.err"
}

@test "SIGTERM stops attach when stdout and stderr are both a pipe nobody reads" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	stuck_fifo 0
	(exec ip netns exec "$NS" "$TUNCTL" attach tun0 --echo --hex >"$FIFO" 2>&1) 3>&- &
	ATTACH_PID=$!
	wait_attached tun0
	# Its first packet line finds the pipe full: attach waits on it.
	in_ns ping -c 3 -i 0.2 -s 1400 -W 1 192.0.2.2 >/dev/null || true
	sigterm_ends_attach
	[ "$ATTACH_RC" -eq 0 ]
}

@test "stdout stuck on a full pipe, stderr a pipe with room: one SIGTERM, and the summary still comes" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	stuck_fifo 0
	(exec ip netns exec "$NS" "$TUNCTL" attach tun0 --echo --hex >"$FIFO" 2> >(cat >"$BATS_TEST_TMPDIR/attach.err")) 3>&- &
	ATTACH_PID=$!
	wait_attached tun0
	in_ns ping -c 2 -i 0.2 -s 1400 -W 1 192.0.2.2 >/dev/null || true
	sigterm_ends_attach
	[ "$ATTACH_RC" -eq 0 ]
	wait_until -t 2 test -s "$BATS_TEST_TMPDIR/attach.err"
	grep -qE '^[0-9]+ packets?, [0-9]+ bytes received(; [0-9]+ answers? sent)?$' "$BATS_TEST_TMPDIR/attach.err"
}

@test "--pcap into a FIFO nobody reads: one SIGTERM ends attach, exit 0 with the summary" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	stuck_fifo 0
	start_attach tun0 --echo --pcap "$FIFO"
	in_ns ping -c 2 -i 0.2 -W 1 192.0.2.2 >/dev/null || true
	sigterm_ends_attach
	cat "$BATS_TEST_TMPDIR/attach.err"
	[ "$ATTACH_RC" -eq 0 ]
	grep -qE '^[0-9]+ packets?, [0-9]+ bytes received(; [0-9]+ answers? sent)?$' "$BATS_TEST_TMPDIR/attach.err"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/attach.err")" -eq 1 ]
}

@test "with standard output closed, attach's lines go to /dev/null, not to a descriptor of its own" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	(exec ip netns exec "$NS" "$TUNCTL" attach tun0 --count 2 >&- 2>"$BATS_TEST_TMPDIR/attach.err") &
	ATTACH_PID=$!
	wait_attached tun0
	[ "$(readlink /proc/"$ATTACH_PID"/fd/1)" = /dev/null ]
	in_ns ping -c 2 -i 0.2 -W 1 192.0.2.2 >/dev/null || true
	wait "$ATTACH_PID"
	ATTACH_PID=
	grep -qE '^2 packets, [0-9]+ bytes received$' "$BATS_TEST_TMPDIR/attach.err"
}

@test "a reader that goes away ends the run (SIGPIPE ignored): exit 0" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	(trap '' PIPE; exec ip netns exec "$NS" "$TUNCTL" attach tun0 --echo 2>"$BATS_TEST_TMPDIR/attach.err" | head -1 >/dev/null; echo "${PIPESTATUS[0]}" >"$BATS_TEST_TMPDIR/rc") &
	wait_carrier tun0
	in_ns ping -c 3 -i 0.2 -W 1 192.0.2.2 >/dev/null || true
	wait_until -t 3 test -s "$BATS_TEST_TMPDIR/rc"
	[ "$(cat "$BATS_TEST_TMPDIR/rc")" = 0 ]
	grep -qE '^[0-9]+ packets' "$BATS_TEST_TMPDIR/attach.err"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/attach.err")" -eq 1 ]
}

@test "multi-queue: a warning names the other reader; attaching keeps IFF_NAPI" {
	t add mq0 --multi-queue --addr 192.0.2.1/24 >/dev/null
	hold_device mq0 0x1101
	start_attach mq0 --count 1
	in_ns ping -c 3 -i 0.2 -W 1 192.0.2.2 >/dev/null || true
	kill "$HOLDER"
	kill -INT "$ATTACH_PID" 2>/dev/null || true
	wait "$ATTACH_PID" || true
	ATTACH_PID=
	grep -q "^tunctl: warning: mq0 has 1 other queue attached (python3, pid $HOLDER)" "$BATS_TEST_TMPDIR/attach.err"
	# A device made with IFF_NAPI (ip tuntap cannot): attach asks for it too.
	in_ns python3 -c "$TUN_OPEN" napi0 0x1011 persist >/dev/null
	[ "$(sysfs napi0 tun_flags)" = 0x1811 ]
	start_attach napi0
	stop_attach
	[ "$(sysfs napi0 tun_flags)" = 0x1811 ]
}

@test "owner and group both set: a member of the group who is not the owner is refused, naming why" {
	t add tun0 --user 4242 --group nogroup >/dev/null
	node=$BATS_TEST_TMPDIR/tun
	mknod "$node" c 10 200 && chmod 666 "$node" || skip "cannot make a device node here"
	run --separate-stderr unshare -m sh -c 'mount --bind "$1" /dev/net/tun && shift && exec "$@"' _ "$node" \
		ip netns exec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups "$TUNCTL" attach tun0 --count 1
	assert_error 1 "belongs to user 4242, not to uid 65534"
	t add tun1 --user 65534 --group 4343 >/dev/null
	run --separate-stderr unshare -m sh -c 'mount --bind "$1" /dev/net/tun && shift && exec "$@"' _ "$node" \
		ip netns exec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups "$TUNCTL" attach tun1 --count 1
	assert_error 1 "uid 65534 (nobody) is not in its group 4343"
}

@test "a write error on the output or the pcap file: one error, exit 1, no crash; the pcap still gets the packets seen" {
	# No IPv6 in the namespace: the first packet attach sees is the ping.
	in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	pcap=$BATS_TEST_TMPDIR/f.pcap
	for args in "" "--pcap /dev/full" "--echo --pcap $pcap"; do
		out=/dev/full
		[ "$args" = "--pcap /dev/full" ] && out=/dev/null
		# shellcheck disable=SC2086
		(exec ip netns exec "$NS" "$TUNCTL" attach tun0 $args >"$out" 2>"$BATS_TEST_TMPDIR/attach.err") &
		pid=$!
		# With --pcap /dev/full, attach fails at once on the file header.
		wait_attached_or_gone "$pid" tun0
		in_ns ping -c 1 -W 1 192.0.2.2 >/dev/null || true
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" -eq 1 ]
		[ "$(wc -l <"$BATS_TEST_TMPDIR/attach.err")" -eq 1 ]
		grep -q '^tunctl: writing .*No space left on device$' "$BATS_TEST_TMPDIR/attach.err"
	done
	# The last run failed writing its output; the request is in its pcap.
	if command -v tshark >/dev/null; then
		[ "$(pcap_count "$pcap" 'icmp.type == 8')" -eq 1 ]
	fi
}

@test "a device made with one_queue keeps IFF_ONE_QUEUE through attach, set --user and add --exist-ok" {
	# IFF_ONE_QUEUE is 0x2000 in tun_flags; ip tuntap sets it with one_queue.
	in_ns ip tuntap add mode tun one_queue name oq0
	in_ns ip link set oq0 up
	in_ns ip addr add 192.0.2.1/24 dev oq0
	before=$(sysfs oq0 tun_flags)
	(( before & 0x2000 ))
	start_attach oq0
	[ "$(sysfs oq0 tun_flags)" = "$before" ]
	stop_attach
	[ "$(sysfs oq0 tun_flags)" = "$before" ]
	t set oq0 --user 65534
	[ "$(sysfs oq0 tun_flags)" = "$before" ]
	[ "$(sysfs oq0 owner)" = 65534 ]
	t add oq0 --exist-ok --group 65534 --user 65534 >/dev/null
	[ "$(sysfs oq0 tun_flags)" = "$before" ]
	[ "$(sysfs oq0 group)" = 65534 ]
	# A tap, with pi, through attach once more.
	in_ns ip tuntap add mode tap one_queue pi name oq1
	in_ns ip link set oq1 up
	before=$(sysfs oq1 tun_flags)
	start_attach oq1
	stop_attach
	[ "$(sysfs oq1 tun_flags)" = "$before" ]
}

@test "the summary: on its own line after an echoed ^C, singular for one, answers only with --echo" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	# On a terminal: ^C typed, echoed by the terminal, then the summary.
	run in_ns python3 -c '
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "attach", "tun0"])
def held():
    d = "/proc/%d/fd" % pid
    for n in os.listdir(d):
        try:
            if "iff:\ttun0" in open("/proc/%d/fdinfo/%s" % (pid, n)).read():
                return True
        except OSError:
            pass
    return False
deadline = time.time() + 10
while not held():
    if time.time() > deadline:
        sys.exit("attach did not attach")
    time.sleep(0.05)
os.write(fd, b"\x03")
out = b""
while True:
    r, _, _ = select.select([fd], [], [], 10)
    if not r:
        sys.exit("no end: %r" % out)
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
_, st = os.waitpid(pid, 0)
sys.stdout.write(repr(out) + " " + str(os.waitstatus_to_exitcode(st)))
' "$TUNCTL"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# (The kernel's router solicitations may come first.)
	re="\\^C\\\\r\\\\n[0-9]+ packets?, [0-9]+ bytes received\\\\r\\\\n' 0\$"
	[[ "$output" =~ $re ]] || { echo "$output"; false; }
	# One packet, one answer: singular.
	(exec ip netns exec "$NS" "$TUNCTL" attach tun0 --echo --count 1 >/dev/null 2>"$BATS_TEST_TMPDIR/attach.err") &
	ATTACH_PID=$!
	wait_attached tun0
	in_ns ping -c 1 -W 5 192.0.2.2 >/dev/null
	wait "$ATTACH_PID"
	ATTACH_PID=
	[ "$(cat "$BATS_TEST_TMPDIR/attach.err")" = "1 packet, 84 bytes received; 1 answer sent" ]
}

# True while process $1 sleeps in a read of 65792 bytes (the third argument
# in /proc/PID/syscall): attach's read of its device.
in_read() { [ "$(cut -d' ' -f4 /proc/"$1"/syscall 2>/dev/null)" = 0x10100 ]; }

# Sends signal $1 to ATTACH_PID, which must be gone within 2 s, with exit 0
# and its summary.
signal_ends_attach() {
	kill -"$1" "$ATTACH_PID"
	wait_until -t 2 "! kill -0 $ATTACH_PID 2>/dev/null" || { echo "attach still runs 2 s after SIG$1"; return 1; }
	local rc=0
	wait "$ATTACH_PID" || rc=$?
	ATTACH_PID=
	[ "$rc" -eq 0 ] || { echo "attach exited $rc after SIG$1: $(cat "$BATS_TEST_TMPDIR/attach.err")"; return 1; }
	grep -qE '^[0-9]+ packets?, [0-9]+ bytes received(; [0-9]+ answers? sent)?$' "$BATS_TEST_TMPDIR/attach.err"
}

@test "idle, attach sleeps in a blocking read of the device; SIGTERM or SIGINT ends it at once" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	for run in "TERM /dev/null" "INT /dev/null" "TERM lines" "INT lines --pcap f.pcap"; do
		# shellcheck disable=SC2086
		set -- $run
		sig=$1 out=$2
		shift 2
		[ "$out" = /dev/null ] || out=$BATS_TEST_TMPDIR/$out
		(cd "$BATS_TEST_TMPDIR" && exec ip netns exec "$NS" "$TUNCTL" attach tun0 --echo "$@" >"$out" 2>"$BATS_TEST_TMPDIR/attach.err") &
		ATTACH_PID=$!
		wait_attached tun0
		# After a packet, too: its output written, the read blocks again.
		in_ns ping -c 1 -W 5 192.0.2.2 >/dev/null
		wait_until -t 5 in_read "$ATTACH_PID"
		signal_ends_attach "$sig"
		grep -q '; 1 answer sent$' "$BATS_TEST_TMPDIR/attach.err"
	done
	grep -q ' out .*ICMP echo reply' "$BATS_TEST_TMPDIR/lines"
}

@test "under a flood ping, SIGTERM (output to /dev/null) and SIGINT (output to a file) end attach at once" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	for run in "TERM /dev/null" "INT $BATS_TEST_TMPDIR/lines"; do
		# shellcheck disable=SC2086
		set -- $run
		(exec ip netns exec "$NS" "$TUNCTL" attach tun0 --echo >"$2" 2>"$BATS_TEST_TMPDIR/attach.err") &
		ATTACH_PID=$!
		wait_attached tun0
		in_ns ping -f -q -c 1000000 -w 20 192.0.2.2 >/dev/null &
		PINGER=$!
		# The kernel has handed attach 1,000 more packets: it is busy.
		base=$(sysfs tun0 statistics/tx_packets)
		wait_until -t 10 "[ \"\$(sysfs tun0 statistics/tx_packets)\" -gt $((base + 1000)) ]"
		signal_ends_attach "$1"
		kill "$PINGER"
		wait "$PINGER" || true
		PINGER=
		grep -qE '; [0-9]{4,} answers sent$' "$BATS_TEST_TMPDIR/attach.err"
	done
}

@test "a SIGTERM that lands just before the blocking read of the device still ends attach at once (gdb sends it there)" {
	command -v gdb >/dev/null || skip "gdb is not installed"
	[ "$(uname -m)" = x86_64 ] || skip "the breakpoint's condition reads x86-64 registers"
	# No IPv6 in the namespace: no packet comes that would end the read.
	in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	# At the first read of the device (65792 bytes), gdb delivers SIGTERM,
	# as if it had come after attach last looked at its stop flag: the
	# handler runs, then the read begins, and must not block.
	gdb_attach read '$rdx == 65792' "..., " "tun0 --echo" ">/dev/null 2>$BATS_TEST_TMPDIR/attach.err"
	wait_until -t 10 "! kill -0 $gdb 2>/dev/null" || { cat "$BATS_TEST_TMPDIR/gdb.out"; echo "attach still blocks"; false; }
	rc=0
	wait "$gdb" || rc=$?
	cat "$BATS_TEST_TMPDIR/gdb.out"
	[ "$rc" -eq 0 ]
	grep -q '^SIGTERM before read(\.\.\., 65792)$' "$BATS_TEST_TMPDIR/gdb.out"
	grep -q 'exited normally' "$BATS_TEST_TMPDIR/gdb.out"
	[ "$(cat "$BATS_TEST_TMPDIR/attach.err")" = "0 packets, 0 bytes received; 0 answers sent" ]
}

# The system calls ATTACH_PID makes while $1 pings go, one at a time
# (strace -c on the running process).
calls_for_pings() {
	local n=$1
	(exec strace -c -o "$BATS_TEST_TMPDIR/trace" -p "$ATTACH_PID" 2>/dev/null) &
	TRACER=$!
	# In $(...), where errexit does not hold: a timeout must end it here.
	wait_until -t 5 "grep -q '^TracerPid:[[:space:]]*[1-9]' /proc/$ATTACH_PID/status" || return 1
	in_ns ping -c "$n" -i 0.05 -W 1 -q 192.0.2.2 >/dev/null
	kill -INT "$TRACER"
	wait "$TRACER" || true
	TRACER=
	cat "$BATS_TEST_TMPDIR/trace" >&2
	awk '$NF == "total" { print $4 }' "$BATS_TEST_TMPDIR/trace"
}

@test "a ping at a time costs attach --echo 2 system calls (to /dev/null) or 4 (to a file), not a wait more" {
	command -v strace >/dev/null || skip "strace is not installed"
	# No IPv6 in the namespace: the pings are all the packets.
	in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	for out in /dev/null "$BATS_TEST_TMPDIR/lines"; do
		# LeakSanitizer cannot work under ptrace (the ASan build of CI).
		(export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
		 exec ip netns exec "$NS" "$TUNCTL" attach tun0 --echo >"$out" 2>"$BATS_TEST_TMPDIR/attach.err") &
		ATTACH_PID=$!
		wait_attached tun0
		# The first line reads the time zone: once, before the count.
		in_ns ping -c 1 -W 5 192.0.2.2 >/dev/null
		calls=$(calls_for_pings 20)
		stop_attach
		# Counted at all: at least a read and a write an answer.
		[ -n "$calls" ] && [ "$calls" -ge 40 ]
		grep -q '^21 packets, 1764 bytes received; 21 answers sent$' "$BATS_TEST_TMPDIR/attach.err"
		# Each: the read that waits, the answer's write; to a file, a read
		# that says no more is waiting and the write of the lines. (One more
		# for strace's attaching, which restarts the waiting read.)
		per=2
		[ "$out" = /dev/null ] || per=4
		echo "$out: $calls system calls for 20 answers"
		[ "$calls" -le $((20 * per + 2)) ]
	done
}

@test "a reader that goes away ends the run at the write that finds it gone, without waiting for one more packet" {
	# No IPv6 in the namespace: no packet comes but the pings.
	in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	head -1 <"$BATS_TEST_TMPDIR/fifo" >/dev/null &
	reader=$!
	(trap '' PIPE; exec ip netns exec "$NS" "$TUNCTL" attach tun0 --echo >"$BATS_TEST_TMPDIR/fifo" 2>"$BATS_TEST_TMPDIR/attach.err") &
	ATTACH_PID=$!
	wait_attached tun0
	# The first ping's lines reach the reader, which takes one and goes.
	in_ns ping -c 1 -W 5 192.0.2.2 >/dev/null
	wait "$reader"
	# The second's write finds no reader: attach ends then.
	in_ns ping -c 1 -W 5 192.0.2.2 >/dev/null
	wait_until -t 3 "! kill -0 $ATTACH_PID 2>/dev/null" || { echo "attach still runs"; false; }
	rc=0
	wait "$ATTACH_PID" || rc=$?
	ATTACH_PID=
	[ "$rc" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/attach.err")" = "2 packets, 168 bytes received; 2 answers sent" ]
}
