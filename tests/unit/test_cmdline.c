/* test_cmdline.c - argv to requests: table-driven, exit codes and messages. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmdline.h"
#include "tap.h"

#define MAXW 24

/* Splits a line on blanks into argv with "tunctl" first. */
static int parse_line(const char *line, struct request *req, char *err, bool batch)
{
	static char buf[512];
	char *argv[MAXW] = { "tunctl" };
	int argc = 1;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < MAXW - 1; t = strtok(NULL, " "))
		argv[argc++] = strcmp(t, "''") ? t : "";
	argv[argc] = NULL;
	return batch ? cmdline_parse_batch(argc, argv, req, err, ERRLEN)
		     : cmdline_parse(argc, argv, req, err, ERRLEN);
}

static void test_table(void)
{
	static const struct { const char *line; int rc; const char *needle; } cases[] = {
		{ "add tun0", 0, NULL },
		{ "add tun0 --mode tap --user alice --group 100 --pi --vnet-hdr --multi-queue", 0, NULL },
		{ "add tun0 --addr 192.0.2.1/24 --peer 192.0.2.2 --route 198.51.100.0/24", 0, NULL },
		{ "-j add tun0", 0, NULL },
		{ "add tun0 -j", 0, NULL },
		{ "list", 0, NULL }, { "ls --mode tap", 0, NULL }, { "show tun0", 0, NULL },
		{ "del tun0 tun1", 0, NULL }, { "del --all --mode tun", 0, NULL }, { "delete tun0", 0, NULL },
		{ "set tun0 --up", 0, NULL }, { "set tun0 --netns blue", 0, NULL },
		{ "addr add tun0 192.0.2.1/24", 0, NULL }, { "addr flush tun0", 0, NULL },
		{ "route add tun0 198.51.100.0/24 via 192.0.2.1 metric 5", 0, NULL },
		{ "attach tun0 --count 3 --hex --echo --pcap /tmp/x", 0, NULL },
		{ "help", 0, NULL }, { "help add", 0, NULL }, { "--help", 0, NULL }, { "add --help", 0, NULL },
		{ "--version", 0, NULL }, { "-n blue list", 0, NULL }, { "-b file", 0, NULL },
		{ "", 2, "no command" },
		{ "frob", 2, "frob" },
		{ "add", 2, "needs a device name" },
		{ "add ''", 2, "empty" },
		{ "add abcdefghijklmnop", 2, "abcdefghijklmnop" },
		{ "add tun0 --mode", 2, "--mode" },
		{ "add tun0 --mode tan", 2, "tan" },
		{ "add tun0 --mode tun --mode tap", 2, "twice" },
		{ "add tun0 --mtu 4294967296", 2, "4294967296" },
		{ "add tun0 --mtu -1", 2, "-1" },
		{ "add tun0 --mtu abc", 2, "abc" },
		{ "add tun0 --txqueuelen x", 2, "\"x\"" },
		{ "add tun0 --addr 192.0.2.1/33", 2, "192.0.2.1/33" },
		{ "add tun0 --addr 192.0.2.256", 2, "192.0.2.256" },
		{ "add tun0 --peer 192.0.2.2", 2, "must follow" },
		{ "add tun0 --addr 192.0.2.1 --peer 2001:db8::1", 2, "2001:db8::1" },
		{ "add tun0 --route 198.51.100.0/24 via 2001:db8::1", 2, "unexpected argument" },
		{ "add tun0 --any-user --user bob", 2, "--any-user" },
		{ "add tun0 --mac 02:00:00:00:00:01", 2, "--mode tap" },
		{ "add tun0 --mode tap --mac 01:00:00:00:00:01", 2, "multicast" },
		{ "add tun0 extra", 2, "extra" },
		{ "add tun0 --pi --pi", 2, "twice" },
		{ "add tun0 --user 4294967295", 2, "4294967295" },
		{ "add tun0 --down=yes", 2, "takes no value" },
		{ "add tun0 --bogus", 2, "--bogus" },
		{ "del", 2, "device name" },
		{ "del --all tun0", 2, "tun0" },
		{ "del tun0 --mode tap", 2, "--mode" },
		{ "del tun0 tun0", 2, "twice" },
		{ "del b a c a b", 2, "device \"a\" is named twice" },
		{ "del a b b a", 2, "device \"b\" is named twice" },
		{ "del x x y/z", 2, "device \"x\" is named twice" },
		{ "del x y/z x", 2, "y/z" },
		{ "set tun0", 2, "needs something" },
		{ "set tun0 --up --down", 2, "conflict" },
		{ "set tun0 --user bob --no-user", 2, "--no-user" },
		{ "addr", 2, "add, del or flush" },
		{ "addr move tun0", 2, "move" },
		{ "addr add tun0", 2, "needs an address" },
		{ "addr flush tun0 192.0.2.1/24", 2, "192.0.2.1/24" },
		{ "route add tun0", 2, "needs a route" },
		{ "route add tun0 198.51.100.1/24", 2, "host bits" },
		{ "route flush tun0", 2, "flush" },
		{ "attach tun0 --count 0", 2, "0" },
		{ "show", 0, NULL }, { "show tun0 tun1", 2, "tun1" },
		{ "show a/b", 2, "a/b" },
		{ "list --mode", 2, "--mode" },
		{ "help frob", 2, "frob" },
		{ "-b file list", 2, "list" },
		{ "--json=1 list", 2, "--json" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct request req;
		char err[ERRLEN] = "";
		int rc = parse_line(cases[i].line, &req, err, false);

		ok(rc == cases[i].rc && (!cases[i].needle || strstr(err, cases[i].needle)),
		   "\"%s\" -> %d (%s)", cases[i].line, rc, err);
		request_free(&req);
	}
}

static void test_values(void)
{
	struct request req;
	char err[ERRLEN];

	ok(!parse_line("add tun0 --addr 192.0.2.1/24 --peer 192.0.2.2 --addr 2001:db8::1/64 --route 198.51.100.0/24", &req, err, false) &&
	   req.cmd == CMD_ADD && req.u.add.naddrs == 2 && req.u.add.addrs[0].has_peer &&
	   !req.u.add.addrs[1].has_peer && req.u.add.addrs[1].local.addr.family == AF_INET6 &&
	   req.u.add.nroutes == 1 && req.u.add.mode == MODE_TUN && req.u.add.link.set_updown &&
	   req.u.add.link.up, "add collects addresses, peers, routes; up by default");
	request_free(&req);
	ok(!parse_line("add tun0 --down --mtu 1400", &req, err, false) && !req.u.add.link.up &&
	   req.u.add.link.has_mtu && req.u.add.link.mtu == 1400, "--down and --mtu");
	request_free(&req);
	ok(!parse_line("list -j", &req, err, false) && req.g.json, "-j after the command");
	request_free(&req);
	ok(!parse_line("-n blue show tun0", &req, err, false) && req.g.netns && !strcmp(req.g.netns, "blue"),
	   "-n NETNS");
	request_free(&req);
	ok(!parse_line("-b - --force", &req, err, false) && req.g.batch && req.g.force, "-b - --force");
	request_free(&req);
	ok(!parse_line("del tun0 tun1 tun2", &req, err, false) && req.u.del.nnames == 3 &&
	   !strcmp(req.u.del.names[2], "tun2"), "del names");
	request_free(&req);
	ok(!parse_line("route add tun0 198.51.100.0/24 via 192.0.2.1 metric 5 table 7", &req, err, false) &&
	   req.u.route.route.has_gw && req.u.route.route.metric == 5 && req.u.route.route.table == 7,
	   "route as words");
	request_free(&req);
	ok(!parse_line("attach tun0 --count 18446744073709551615", &req, err, false) &&
	   req.u.attach.count == UINT64_MAX, "attach --count max");
	request_free(&req);
}

static void test_batch_and_classic(void)
{
	struct request req;
	char err[ERRLEN];

	ok(parse_line("-n blue list", &req, err, true) == 2, "batch lines refuse -n");
	ok(parse_line("-b x list", &req, err, true) == 2, "batch lines refuse -b");
	ok(parse_line("-j list", &req, err, true) == 0 && req.g.json, "batch lines accept -j");
	request_free(&req);
	ok(parse_line("-t tap0", &req, err, true) == 2, "batch lines have no classic mode");
	ok(!parse_line("-t tap0 -u alice", &req, err, false) && req.cmd == CMD_CLASSIC &&
	   req.u.classic.mode == MODE_TAP && !strcmp(req.u.classic.name, "tap0") && req.u.classic.user.set,
	   "classic -t -u");
	ok(!parse_line("-n -t tun0", &req, err, false) && req.cmd == CMD_CLASSIC && req.u.classic.mode == MODE_TUN,
	   "classic -n -t is tun");
	ok(!parse_line("-b", &req, err, false) && req.cmd == CMD_CLASSIC && req.u.classic.brief, "classic -b");
	ok(!parse_line("-d tap0", &req, err, false) && req.u.classic.del, "classic -d");
	ok(!parse_line("-n blue list", &req, err, false) && req.cmd == CMD_LIST, "-n NETNS is not classic");
	request_free(&req);
	ok(parse_line("-t", &req, err, false) == 2, "classic -t without a name");
	/* The classic tool ignored -b, -u and -g with -d. */
	ok(!parse_line("-d tap0 -u bob -b", &req, err, false) && req.u.classic.del, "classic -d with -u -b");
	/* getopt's bundles and attached values. */
	ok(!parse_line("-nbt tun3", &req, err, false) && req.cmd == CMD_CLASSIC && req.u.classic.brief &&
	   req.u.classic.mode == MODE_TUN && !strcmp(req.u.classic.name, "tun3"), "classic -nbt NAME");
	ok(!parse_line("-ualice -ttap9", &req, err, false) && req.cmd == CMD_CLASSIC &&
	   !strcmp(req.u.classic.user.name, "alice") && !strcmp(req.u.classic.name, "tap9"),
	   "classic -uUSER -tNAME");
	ok(parse_line("-t tap0 -bx", &req, err, false) == 2 && strstr(err, "\"-x\" (in \"-bx\")"),
	   "classic unknown letter in a bundle");
	/* tunctl's own -n and -b with an attached value. */
	ok(!parse_line("-nblue list", &req, err, false) && req.cmd == CMD_LIST && !strcmp(req.g.netns, "blue"),
	   "-nNETNS COMMAND is not classic");
	ok(!parse_line("-bdevs.txt", &req, err, false) && req.cmd == CMD_NONE && !strcmp(req.g.batch, "devs.txt"),
	   "-bFILE is not classic");
	ok(!parse_line("-bdevs.txt --force", &req, err, false) && req.cmd == CMD_NONE && req.g.force,
	   "-bFILE --force is not classic");
	ok(!parse_line("-nbu1234 -ttun4", &req, err, false) && req.cmd == CMD_CLASSIC &&
	   req.u.classic.user.id == 1234 && !strcmp(req.u.classic.name, "tun4"), "classic -nbuUID -tNAME");
}

int main(void)
{
	test_table();
	test_values();
	test_batch_and_classic();
	return tap_done();
}
