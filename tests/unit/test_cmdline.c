/* test_cmdline.c - argv to requests: table-driven, exit codes and messages. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "args.h"
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
		{ "add tun0 --down --route 198.51.100.0/24", 2, "cannot go with --down" },
		{ "add tun0 --route 2001:db8:9::/64 --mtu 1200", 2, "at least 1280" },
		{ "route add tun0 198.51.100.0/24 table local", 2, "kernel's own" },
		{ "add tun0 --txqueuelen x", 2, "\"x\"" },
		{ "add tun0 --addr 192.0.2.1/33", 2, "192.0.2.1/33" },
		{ "add tun0 --addr 192.0.2.256", 2, "192.0.2.256" },
		{ "add tun0 --peer 192.0.2.2", 2, "must follow" },
		{ "add tun0 --addr 192.0.2.1 --peer 2001:db8::1", 2, "2001:db8::1" },
		{ "add tun0 --route 198.51.100.0/24 via 2001:db8::1", 2, "quote it" },
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
		{ "set tun0 --group 5 --yes", 0, NULL },
		{ "set tun0 --yes", 2, "needs something" },
		{ "set tun0 --group 5 --yes --yes", 2, "twice" },
		{ "set tun0 --name vpn0", 0, NULL },
		{ "set tun0 --name vpn0 --up --mtu 1400", 0, NULL },
		{ "set tun0 --name vpn%d", 2, "must not contain '%'" },
		{ "set tun0 --name 0123456789abcdef", 2, "longer than 15 bytes" },
		{ "set tun0 --name a/b", 2, "--name: interface name" },
		{ "set tun0 --name x --name y", 2, "twice" },
		{ "addr", 2, "add, replace, del or flush" },
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
	ok(parse_line("-t", &req, err, false) == 1, "classic -t without a name: exit 1, as the classic tool");
	/* The classic tool ignored -b, -u and -g with -d. */
	ok(!parse_line("-d tap0 -u bob -b", &req, err, false) && req.u.classic.del, "classic -d with -u -b");
	/* getopt's bundles and attached values. */
	ok(!parse_line("-nbt tun3", &req, err, false) && req.cmd == CMD_CLASSIC && req.u.classic.brief &&
	   req.u.classic.mode == MODE_TUN && !strcmp(req.u.classic.name, "tun3"), "classic -nbt NAME");
	ok(!parse_line("-ualice -ttap9", &req, err, false) && req.cmd == CMD_CLASSIC &&
	   !strcmp(req.u.classic.user.name, "alice") && !strcmp(req.u.classic.name, "tap9"),
	   "classic -uUSER -tNAME");
	ok(parse_line("-t tap0 -bx", &req, err, false) == 1 && strstr(err, "\"-x\" (in \"-bx\")"),
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

/* Splits a line on '|' into argv with "tunctl" first: words may hold blanks. */
static int parse_bars(const char *line, struct request *req, char *err, bool batch)
{
	static char buf[512];
	char *argv[MAXW] = { "tunctl" }, *t = buf;
	int argc = 1;

	snprintf(buf, sizeof(buf), "%s", line);
	while (*line && argc < MAXW - 1) {
		argv[argc++] = t;
		t += strcspn(t, "|");
		if (!*t)
			break;
		*t++ = '\0';
	}
	argv[argc] = NULL;
	return batch ? cmdline_parse_batch(argc, argv, req, err, ERRLEN)
		     : cmdline_parse(argc, argv, req, err, ERRLEN);
}

/* Errors that teach: the exact message, which says the tunctl form. */
static void test_guidance(void)
{
	static const struct { const char *line; bool batch; const char *msg; } cases[] = {
		/* iproute2 habits */
		{ "add|dev|x1|mode|tun", false,
		  "\"dev\" is iproute2 syntax; tunctl takes the name first: tunctl add x1 --mode tun" },
		{ "add|name|x1|mode|tap|multi_queue|vnet_hdr", false,
		  "\"name\" is iproute2 syntax; tunctl takes the name first: tunctl add x1 --mode tap --multi-queue --vnet-hdr" },
		{ "add|x1|mode|tap|--addr|192.0.2.1/24|peer|192.0.2.2", false,
		  "\"mode\" is iproute2 syntax; tunctl spells it --mode: tunctl add x1 --mode tap --addr 192.0.2.1/24 --peer 192.0.2.2" },
		{ "set|mytun|up", false, "\"up\" is iproute2 syntax; tunctl spells it --up: tunctl set mytun --up" },
		{ "set|mytun|name|vpn0", false, "\"name\" is iproute2 syntax; tunctl spells it --name: tunctl set mytun --name vpn0" },
		{ "set|mytun|mtu|1400|down", false,
		  "\"mtu\" is iproute2 syntax; tunctl spells it --mtu: tunctl set mytun --mtu 1400 --down" },
		{ "set|dev|mytun|address|02:00:5e:00:53:01", false,
		  "\"dev\" is iproute2 syntax; tunctl takes the name first: tunctl set mytun --mac 02:00:5e:00:53:01" },
		{ "-j|show|dev|mytun", false, "\"dev\" is iproute2 syntax; tunctl takes the name first: tunctl -j show mytun" },
		{ "list|tap", false, "list takes the mode as an option: tunctl list --mode tap" },
		{ "ls|tun|-j", false, "list takes the mode as an option: tunctl ls --mode tun -j" },
		{ "list|mode|tap", false, "\"mode\" is iproute2 syntax; tunctl spells it --mode: tunctl list --mode tap" },
		{ "list|-n|blue", false, "\"-n\" goes before the command: tunctl -n blue list" },
		{ "list|--netns=blue", false, "\"--netns=blue\" goes before the command: tunctl --netns=blue list" },
		{ "set|mytun|-n|blue|--up", false,
		  "\"-n\" goes before the command: tunctl -n blue set mytun --up (\"set NAME --netns NETNS\" moves a device there)" },
		{ "list|-V", false, "\"-V\" goes before the command: tunctl -V list" },
		{ "add|x1|--route|203.0.113.0/24|via|192.0.2.2", false,
		  "--route takes the route as one argument: quote it: --route \"203.0.113.0/24 via 192.0.2.2\"" },
		{ "add|x1|--route=203.0.113.0/24|metric|5|--mtu|1400", false,
		  "--route takes the route as one argument: quote it: --route \"203.0.113.0/24 metric 5\"" },
		{ "addr|add|192.0.2.9/24|mytun", false,
		  "the device name goes before the address: tunctl addr add mytun 192.0.2.9/24" },
		{ "addr|add|192.0.2.9/24|dev|mytun|peer|192.0.2.10", false,
		  "\"dev\" is iproute2 syntax; tunctl takes the name first: tunctl addr add mytun 192.0.2.9/24 --peer 192.0.2.10" },
		{ "addr|flush|dev|mytun", false, "\"dev\" is iproute2 syntax; tunctl takes the name first: tunctl addr flush mytun" },
		{ "route|add|203.0.113.0/24|dev|vpn0", false,
		  "\"dev\" is iproute2 syntax; tunctl takes the name first: tunctl route add vpn0 203.0.113.0/24" },
		{ "route|del|default|via|192.0.2.2|dev|vpn0", false,
		  "\"dev\" is iproute2 syntax; tunctl takes the name first: tunctl route del vpn0 default via 192.0.2.2" },
		{ "route|add|2001:db8:1::/64|via|2001:db8::2|vpn0", false,
		  "the device name goes before the route: tunctl route add vpn0 2001:db8:1::/64 via 2001:db8::2" },
		/* In a batch file the line has no program name. */
		{ "route|add|203.0.113.0/24|dev|vpn0", true,
		  "\"dev\" is iproute2 syntax; tunctl takes the name first: route add vpn0 203.0.113.0/24" },
		/* Typos: the nearest option of the command, or command. */
		{ "add|x1|--mdoe|tun", false, "unknown option \"--mdoe\" for \"add\"; did you mean \"--mode\"?" },
		{ "add|x1|--multiqueue", false, "unknown option \"--multiqueue\" for \"add\"; did you mean \"--multi-queue\"?" },
		{ "add|x1|--vnet_hdr", false, "unknown option \"--vnet_hdr\" for \"add\"; did you mean \"--vnet-hdr\"?" },
		{ "set|x1|--txqlen=5", false, "unknown option \"--txqlen=5\" for \"set\"; did you mean \"--txqueuelen\"?" },
		{ "set|x1|--address|02:00:5e:00:53:01", false,
		  "unknown option \"--address\" for \"set\"; did you mean \"--mac\"?" },
		{ "list|--jsno", false, "unknown option \"--jsno\" for \"list\"; did you mean \"--json\"?" },
		{ "--jsno|list", false, "unknown option \"--jsno\"; did you mean \"--json\"?" },
		{ "attach|x1|--cuont|3", false, "unknown option \"--cuont\" for \"attach\"; did you mean \"--count\"?" },
		{ "lsit", false, "unknown command \"lsit\"; did you mean \"list\"?" },
		{ "attahc|x1", false, "unknown command \"attahc\"; did you mean \"attach\"?" },
		{ "delte|x1", false, "unknown command \"delte\"; did you mean \"delete\"?" },
		{ "help|rotue", false, "unknown command \"rotue\"; did you mean \"route\"?" },
		/* Too far from anything: no guess. */
		{ "frobnicate", false, "unknown command \"frobnicate\" (see tunctl --help)" },
		{ "add|x1|--colour", false, "unknown option \"--colour\" for \"add\" (see tunctl add --help)" },
		{ "list|--frob", false, "unknown option \"--frob\" for \"list\" (see tunctl list --help)" },
		/* --force before the command is -b's. */
		{ "--force|del|x1", false,
		  "--force before the command goes with -b; put it after the command: tunctl del x1 --force" },
		{ "-j|--force|del|--all|--mode|tap", false,
		  "--force before the command goes with -b; put it after the command: tunctl -j del --all --mode tap --force" },
		{ "--force|add|x1", false,
		  "--force before the command goes with -b (tunctl -b FILE --force); \"add\" has no --force" },
		{ "--force", false, "--force goes with -b FILE (see tunctl --help)" },
		/* apply's --force goes with --prune: the form moved would not parse. */
		{ "--force|apply|f", false,
		  "--force before the command goes with -b; apply's own --force goes after the command (see tunctl apply --help)" },
		{ "--force|apply|f|--prune", false,
		  "--force before the command goes with -b; put it after the command: tunctl apply f --prune --force" },
		/* Empty values: a variable that expanded to nothing. */
		{ "add|x1|--user|", false, "--user needs a user name or uid; \"\" is empty (is $USER set?)" },
		{ "add|x1|--user=", false, "--user needs a user name or uid; \"\" is empty (is $USER set?)" },
		{ "set|x1|--group|", false, "--group needs a group name or gid; \"\" is empty" },
		{ "-n||list", false, "-n needs a network namespace name; \"\" is empty" },
		{ "add|x1|--addr|", false, "--addr needs an address (CIDR); \"\" is empty" },
		{ "add|x1|--mtu=", false, "--mtu needs a number; \"\" is empty" },
		{ "attach|x1|--pcap|", false, "--pcap needs a file name; \"\" is empty" },
		{ "-t|tap0|-u|", false, "-u needs a user name or uid; \"\" is empty (is $USER set?)" },
		{ "-t|tap0|-g|", false, "-g needs a group name or gid; \"\" is empty" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct request req;
		char err[ERRLEN] = "";
		int rc = parse_bars(cases[i].line, &req, err, cases[i].batch);
		/* The classic dialect's usage errors exit 1, as that tool did. */
		int want = !strncmp(cases[i].line, "-t|", 3) ? 1 : 2;

		ok(rc == want && !strcmp(err, cases[i].msg), "\"%s\" -> %d (%s)", cases[i].line, rc, err);
		request_free(&req);
	}
}

/* Hints never turn a good command line bad, nor guess at what is valid. */
static void test_no_false_hints(void)
{
	static const char *const good[] = {
		"del|dev|x1", "add|mode", "set|up|--down", "list|--mode|tap", "show|dev",
		"route|add|vpn0|203.0.113.0/24|via|192.0.2.2", "del|x1|--force", "-b|f|--force",
		"--force|-b|f", "add|x1|--route|203.0.113.0/24 via 192.0.2.2",
	};
	static const struct { const char *line, *msg; } bad[] = {
		/* Still wrong in the tunctl form: the original message stands. */
		{ "add|dev|x1|mode|tan", "unexpected argument \"x1\"" },
		{ "set|mytun|up|--up|--down", "unexpected argument \"up\"" },
		{ "route|add|203.0.113.0/24|dev|vpn0|proto|static",
		  "interface name \"203.0.113.0/24\" must not contain '/', ':' or blanks" },
		{ "add|x1|mode", "unexpected argument \"mode\"" },
		{ "list|tap|mode|tun", "unexpected argument \"tap\"" },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct request req;
		char err[ERRLEN] = "";

		ok(parse_bars(good[i], &req, err, false) == 0, "\"%s\" parses (%s)", good[i], err);
		request_free(&req);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct request req;
		char err[ERRLEN] = "";
		int rc = parse_bars(bad[i].line, &req, err, false);

		ok(rc == 2 && !strcmp(err, bad[i].msg), "\"%s\" -> %d (%s)", bad[i].line, rc, err);
	}
}

/* The command table: each row is found by its name and alias, and each of
 * its flag options sets a bool once and is refused twice, the same for
 * every command, as each_opt does it from the row. */
static void test_command_table(void)
{
	for (size_t i = 0; i < ncommands; i++) {
		const struct command *cmd = &commands[i];

		if (!cmd->parse) {
			ok(cmd_lookup(cmd->name) == CMD_NONE && !cmd->summary, "\"%s\" is no command word", cmd->name);
			continue;
		}
		ok(cmd_lookup(cmd->name) == cmd->id && !strcmp(cmd_name(cmd->id), cmd->name) &&
		   (!cmd->alias || cmd_lookup(cmd->alias) == cmd->id) && cmd->run && cmd->synopsis &&
		   cmd->summary && cmd->options, "row \"%s\": found by name and alias, runs, has help", cmd->name);
		for (const struct optdef *d = cmd->opts; d && d->name; d++) {
			struct request req;
			char line[128], err[ERRLEN] = "", want[ERRLEN];
			int rc;

			if (!d->flag)
				continue;
			snprintf(line, sizeof(line), "%s x0 --%s --%s", cmd->name, d->name, d->name);
			snprintf(want, sizeof(want), "option --%s is given twice", d->name);
			rc = parse_line(line, &req, err, false);
			ok(rc == 2 && !strcmp(err, want), "\"%s\" -> %d (%s)", line, rc, err);
			request_free(&req);
		}
	}
}

int main(void)
{
	test_table();
	test_values();
	test_batch_and_classic();
	test_guidance();
	test_no_false_hints();
	test_command_table();
	return tap_done();
}
