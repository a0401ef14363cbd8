/* commands.c - the command table: one row per command drives parsing
 * (its options and parser), dispatch (its run function) and help. */
#include "config.h"

#include <stdio.h>

#include "args.h"
#include "broker.h"
#include "check.h"
#include "evwatch.h"
#include "tunctl.h"

/* The run functions take their own request; these pick it out. A new
 * command's run function can take the request itself. */
#define RUN_MEMBER(x) \
	static int x##_main(struct ctx *c, const struct request *req) { return x##_run(c, &req->u.x); }
RUN_MEMBER(add) RUN_MEMBER(del) RUN_MEMBER(list) RUN_MEMBER(show) RUN_MEMBER(set) RUN_MEMBER(addr)
RUN_MEMBER(route) RUN_MEMBER(attach) RUN_MEMBER(run) RUN_MEMBER(save) RUN_MEMBER(apply)
RUN_MEMBER(classic)

static int help_main(struct ctx *c, const struct request *req);

/* In this order in tunctl --help. */
const struct command commands[] = {
	{
		.name = "add", .id = CMD_ADD, .parse = parse_add, .run = add_main, .free = free_add,
		.opts = (const struct optdef[]){
			{ "mode", required_argument, .id = O_MODE },
			{ "user", required_argument, .id = O_USER },
			{ "group", required_argument, .id = O_GROUP },
			{ "any-user", no_argument, FLAG_IN(struct add_req, any_user) },
			{ "pi", no_argument, FLAG_IN(struct add_req, pi) },
			{ "vnet-hdr", no_argument, FLAG_IN(struct add_req, vnet_hdr) },
			{ "multi-queue", no_argument, FLAG_IN(struct add_req, multi_queue) },
			{ "addr", required_argument, .id = O_ADDR },
			{ "peer", required_argument, .id = O_PEER },
			{ "route", required_argument, .id = O_ROUTE },
			LINK_OPTS
			{ "down", no_argument, .id = O_DOWN },
			{ "exist-ok", no_argument, FLAG_IN(struct add_req, exist_ok) },
			{ "keep-config", no_argument, FLAG_IN(struct add_req, keep_config) },
			OPT_END },
		.synopsis = "add NAME [--mode tun|tap] [OPTIONS]",
		.summary = "create a persistent, configured device",
		.options =
		"  --mode tun|tap        device mode (default tun)\n"
		"  --user USER           owner (name or uid); default: the caller\n"
		"  --group GROUP         group (name or gid)\n"
		"  --any-user            no owner or group: any user may attach (unsafe)\n"
		"  --pi                  keep the packet information header\n"
		"  --vnet-hdr            virtio-net header\n"
		"  --multi-queue         several queues\n"
		"  --addr CIDR           add an address (repeatable; IPv4 or IPv6)\n"
		"  --peer ADDR           point-to-point peer of the --addr before it\n"
		"  --route ROUTE         \"PREFIX [via GW] [metric N] [table ID]\" (repeatable)\n"
		LINK_HELP(ADD)
		"  --down                leave the link down (default: up)\n"
		"  --exist-ok            succeed if NAME exists alike; add what is missing\n"
		"  --keep-config         in apply's FILE only: the addresses and routes the\n"
		"                        line does not list are its program's, kept\n"
		"NAME may hold one %d, as in tap%d: the name chosen is printed.\n",
	},
	{
		.name = "del", .alias = "delete", .id = CMD_DEL, .parse = parse_del, .run = del_main,
		.free = free_del,
		.opts = (const struct optdef[]){
			{ "all", no_argument, FLAG_IN(struct del_req, all) },
			{ "unused", no_argument, FLAG_IN(struct del_req, unused) },
			{ "mode", required_argument, .id = O_MODE },
			{ "force", no_argument, FLAG_IN(struct del_req, force) },
			OPT_END },
		.synopsis = "del NAME... [--force] | del --all [--mode tun|tap] [--force]\n"
			    "       del --unused [--mode tun|tap] [PATTERN...]",
		.summary = "delete devices (alias: delete)",
		.options =
		"  --all                 every TUN/TAP device (of --mode, if given)\n"
		"  --unused              every device no process holds (that matches a\n"
		"                        PATTERN, as in tap*, if given)\n"
		"  --mode tun|tap        with --all or --unused: only devices of that mode\n"
		"  --force               delete even devices a process holds open\n",
	},
	{
		.name = "list", .alias = "ls", .id = CMD_LIST, .parse = parse_list, .run = list_main,
		.opts = (const struct optdef[]){
			{ "mode", required_argument, .id = O_MODE },
			{ "unused", no_argument, FLAG_IN(struct list_req, unused) },
			OPT_END },
		.synopsis = "list [--mode tun|tap] [--unused]",
		.summary = "list TUN/TAP devices (alias: ls)",
		.options = "  --mode tun|tap        only devices of that mode\n"
			   "  --unused              only devices no process holds\n",
	},
	{
		.name = "show", .id = CMD_SHOW, .parse = parse_show, .run = show_main,
		.synopsis = "show [NAME]",
		.summary = "show a device in detail (every device without NAME)",
		.options = "",
	},
	{
		.name = "set", .id = CMD_SET, .parse = parse_set, .run = set_main,
		.opts = (const struct optdef[]){
			{ "user", required_argument, .id = O_USER },
			{ "no-user", no_argument, FLAG_IN(struct set_req, no_user) },
			{ "group", required_argument, .id = O_GROUP },
			{ "no-group", no_argument, FLAG_IN(struct set_req, no_group) },
			{ "up", no_argument, .id = O_UP },
			{ "down", no_argument, .id = O_DOWN },
			LINK_OPTS
			{ "nomaster", no_argument, .id = O_NOMASTER },
			{ "netns", required_argument, .id = O_NETNS },
			{ "name", required_argument, .id = O_RENAME },
			{ "yes", no_argument, FLAG_IN(struct set_req, yes) },
			OPT_END },
		.synopsis = "set NAME [OPTIONS]",
		.summary = "change a device",
		.options =
		"  --user USER | --no-user     set the owner, or require that none is set\n"
		"  --group GROUP | --no-group  set the group, or require that none is set\n"
		"  --up | --down               link state\n"
		LINK_HELP(SET) "\n"
		"  --netns NETNS               move the device into namespace NETNS (down,\n"
		"                              no addresses); the other options apply there\n"
		"  --name NEW                  rename it (an up device is taken down and\n"
		"                              brought back up, with its addresses and routes)\n"
		"  --yes                       set a --group that you are not in, locking\n"
		"                              yourself out (refused without it, unless root)\n"
		"The kernel cannot clear an owner or group once set: where one is set,\n"
		"--no-user (--no-group) fails; delete and re-create the device instead.\n",
	},
	{
		.name = "addr", .alias = "address", .id = CMD_ADDR, .parse = parse_addr, .run = addr_main,
		.opts = (const struct optdef[]){
			{ "peer", required_argument, .id = O_PEER },
			{ "exist-ok", no_argument, FLAG_IN(struct addr_req, exist_ok) },
			OPT_END },
		.synopsis = "addr add|replace|del NAME CIDR [--peer ADDR] [--exist-ok] | addr flush NAME",
		.summary = "manage addresses (alias: address)",
		.options = "  --peer ADDR           point-to-point peer address\n"
			   "  --exist-ok            add: succeed if the same address is there\n"
			   "replace adds the address, or changes the one there, as ip addr replace.\n",
	},
	{
		.name = "route", .id = CMD_ROUTE, .parse = parse_route_cmd, .run = route_main,
		.opts = (const struct optdef[]){
			{ "exist-ok", no_argument, FLAG_IN(struct route_req, exist_ok) },
			OPT_END },
		.synopsis = "route add|replace|del NAME PREFIX [via GW] [metric N] [table ID] [--exist-ok]",
		.summary = "manage routes",
		.options = "  --exist-ok            add: succeed if the same route is there\n"
			   "replace adds the route, or puts it in place of the one with its prefix,\n"
			   "metric and table (through any device), as ip route replace.\n",
	},
	{
		.name = "attach", .id = CMD_ATTACH, .parse = parse_attach, .run = attach_main,
		.opts = (const struct optdef[]){
			{ "count", required_argument, .id = O_COUNT },
			{ "hex", no_argument, FLAG_IN(struct attach_req, hex) },
			{ "pcap", required_argument, .id = O_PCAP },
			{ "echo", no_argument, FLAG_IN(struct attach_req, echo) },
			OPT_END },
		.synopsis = "attach NAME [--count N] [--hex] [--pcap FILE] [--echo]",
		.summary = "read (and answer) packets on a device",
		.options =
		"  --count N             stop after N packets\n"
		"  --hex                 add a hex dump of each packet\n"
		"  --pcap FILE           also write the packets to a pcap file\n"
		"  --echo                answer pings, ARP and neighbour solicitations\n",
	},
	{
		.name = "run", .id = CMD_RUN, .parse = parse_run, .run = run_main,
		.opts = (const struct optdef[]){
			{ "queues", required_argument, .id = O_QUEUES },
			{ "fd", required_argument, .id = O_FD },
			{ "pi", no_argument, .id = O_PI },
			{ "no-pi", no_argument, .id = O_NO_PI },
			{ "vnet-hdr", no_argument, .id = O_VNET_HDR },
			{ "no-vnet-hdr", no_argument, .id = O_NO_VNET_HDR },
			OPT_END },
		.no_batch = "\"run\" cannot stand in a batch file: it replaces tunctl with its command",
		.synopsis = "run NAME [--queues N] [--fd K] [--[no-]pi] [--[no-]vnet-hdr] -- COMMAND [ARGS...]",
		.summary = "run a program holding the device's queues as descriptors",
		.options =
		"  --queues N            open N queues (multi-queue devices; default 1)\n"
		"  --fd K                put them at descriptors K, K+1, ... (default 3)\n"
		"  --pi | --no-pi        attach with (without) the packet information header\n"
		"  --vnet-hdr | --no-vnet-hdr\n"
		"                        attach with (without) the virtio-net header\n"
		"                        (default: as the device has; the device keeps them)\n"
		"With --fd 3, LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES are set as\n"
		"sd_listen_fds(3) expects; TUNCTL_FD and TUNCTL_IFNAME always.\n",
	},
	{
		.name = "save", .id = CMD_SAVE, .parse = parse_save, .run = save_main, .free = free_save,
		.opts = (const struct optdef[]){
			{ "keep-config", required_argument, .id = O_KEEP_CONFIG },
			OPT_END },
		.synopsis = "save [NAME...] [--keep-config NAME]...",
		.summary = "print the devices as a file that apply takes",
		.options =
		"  --keep-config NAME    write NAME's line with --keep-config and without its\n"
		"                        addresses and routes: they are its program's\n"
		"                        (repeatable)\n",
	},
	{
		.name = "apply", .id = CMD_APPLY, .parse = parse_apply, .run = apply_main,
		.opts = (const struct optdef[]){
			{ "dry-run", no_argument, FLAG_IN(struct apply_req, dry_run) },
			{ "prune", no_argument, FLAG_IN(struct apply_req, prune) },
			{ "recreate", no_argument, FLAG_IN(struct apply_req, recreate) },
			{ "force", no_argument, FLAG_IN(struct apply_req, force) },
			{ "per-device", no_argument, FLAG_IN(struct apply_req, per_device) },
			{ "yes", no_argument, FLAG_IN(struct apply_req, yes) },
			OPT_END },
		.no_batch = "\"apply\" cannot stand in a batch file: give the file to apply itself",
		.synopsis = "apply FILE [--dry-run] [--prune [--force]] [--recreate] [--per-device] [--yes]",
		.summary = "make the devices match FILE, converging in place",
		.options =
		"  --dry-run             print the plan, change nothing\n"
		"  --prune               also delete TUN/TAP devices FILE does not name\n"
		"  --force               with --prune: delete them even when held open\n"
		"  --recreate            re-create a device whose mode or multi-queue differs\n"
		"  --per-device          each device all or nothing on its own: the others\n"
		"                        still converge when one fails (at boot)\n"
		"  --yes                 accept a line whose owner is not in its group\n"
		"FILE holds add lines (as tunctl save prints them); - is standard input.\n",
	},
	{
		.name = "monitor", .id = CMD_MONITOR, .parse = parse_monitor, .run = monitor_main,
		.opts = monitor_opts,
		.no_batch = "\"monitor\" cannot stand in a batch file: it runs until stopped",
		.synopsis = "monitor [NAME...] [--mode tun|tap] [--initial]",
		.summary = "print TUN/TAP devices' events as they happen",
		.options =
		"  --mode tun|tap        only devices of that mode\n"
		"  --initial             first print the devices that exist (\"exists\")\n"
		"Events: created deleted renamed moved up down attached detached mtu mac\n"
		"master addr-add addr-del route-add route-del, and resync after an overrun.\n",
	},
	{
		.name = "wait", .id = CMD_WAIT, .parse = parse_wait, .run = wait_main,
		.opts = wait_opts,
		.synopsis = "wait NAME --for CONDITION [--timeout SECONDS]",
		.summary = "wait until a device is in a state",
		.options =
		"  --for CONDITION       exists, gone, up, down, attached, detached,\n"
		"                        addr CIDR or master DEV\n"
		"  --timeout SECONDS     give up after SECONDS (exit 1, saying what the\n"
		"                        device is now); default: wait for ever\n",
	},
	{
		.name = "check", .id = CMD_CHECK, .parse = parse_check, .run = check_main,
		.opts = check_opts,
		.synopsis = "check NAME [--user USER] [--mode tun|tap] [--queues N] [--[no-]pi]\n"
			    "       [--[no-]vnet-hdr] [--vhost] [--master DEV]",
		.summary = "say whether a device is ready for its consumer, and what to fix",
		.options =
		"  --user USER           the consumer's user (default: the caller)\n"
		"  --mode tun|tap        the mode it needs\n"
		"  --queues N            the queues it opens (more than 1: multi-queue)\n"
		"  --pi | --no-pi        it wants (does not want) the packet information header\n"
		"  --vnet-hdr | --no-vnet-hdr\n"
		"                        it wants (does not want) the virtio-net header\n"
		"  --vhost               it opens /dev/vhost-net too\n"
		"  --master DEV          the device must be on bridge (bond, VRF) DEV\n"
		"Changes nothing and needs no privilege. Exit 0: ready (nothing printed);\n"
		"1: a line per problem, \"MESSAGE; fix: FIX\"; 2: bad usage.\n",
	},
	{
		.name = "help", .id = CMD_HELP, .parse = parse_help, .run = help_main,
		.synopsis = "help [COMMAND]",
		.summary = "show help",
		.options = "",
	},
	{
		.name = "broker", .id = CMD_BROKER, .parse = parse_broker, .run = broker_main, .free = free_broker,
		.opts = (const struct optdef[]){
			{ "socket", required_argument, .id = O_SOCKET },
			{ "policy", required_argument, .id = O_POLICY },
			{ "timeout", required_argument, .id = O_TIMEOUT },
			OPT_END },
		.no_batch = "\"broker\" cannot stand in a batch file: it is a service",
		.synopsis = "broker [--socket PATH] [--policy FILE] [--timeout SECONDS]",
		.summary = "serve add, del, set and run to users without root, as a policy allows",
		.options =
		"  --socket PATH         listen there (default /run/tunctl/broker.sock, or\n"
		"                        the socket systemd passes)\n"
		"  --policy FILE         the policy (default /etc/tunctl/policy)\n"
		"  --timeout SECONDS     drop a client that sends no request in time (default 5)\n",
	},
	/* No command word: parse_classic takes the whole command line when
	 * looks_classic says so; not in --help. */
	{ .name = "classic", .id = CMD_CLASSIC, .run = classic_main },
};

const size_t ncommands = sizeof(commands) / sizeof(commands[0]);

void usage(FILE *f)
{
	fprintf(f, "Usage: tunctl [OPTIONS] COMMAND [ARGS]\n"
		"Create and manage persistent TUN/TAP devices.\n\nCommands:\n");
	for (size_t i = 0; i < ncommands; i++)
		if (commands[i].summary)
			fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nOptions:\n"
		"  -j, --json            JSON output\n"
		"  -n, --netns NETNS     run inside network namespace NETNS\n"
		"  -b, --batch FILE      run the commands in FILE (- for stdin)\n"
		"      --force           with --batch: go on after a failing line (del's own\n"
		"                        --force goes after the command)\n"
		"  -h, --help            show help (also: tunctl COMMAND --help)\n"
		"  -V, --version         show the version\n"
		"\nClassic tunctl: tunctl [-b] [-u USER] [-g GROUP] [-t NAME] [-p|-n] [-f PATH],"
		" tunctl -d NAME\nSee tunctl(8).\n");
}

/* tunctl --help (id CMD_NONE) or tunctl COMMAND --help. */
static void help(enum cmd_id id)
{
	const struct command *cmd = cmd_get(id);

	if (id == CMD_NONE) {
		usage(stdout);
		return;
	}
	if (!cmd || !cmd->synopsis)
		return;
	printf("Usage: tunctl %s\n%s.\n", cmd->synopsis, cmd->summary);
	if (*cmd->options)
		printf("\nOptions:\n%s", cmd->options);
	printf("\nAlso: -j/--json, -h/--help. See tunctl(8).\n");
}

static int help_main(struct ctx *c, const struct request *req)
{
	help(req->u.help.topic);
	return 0;
}

int run_request(struct ctx *c, const struct request *req)
{
	const struct command *cmd = cmd_get(req->cmd);

	c->out.json = req->g.json;
	if (req->g.help) {
		help(req->cmd);
		return 0;
	}
	if (!cmd) {
		report(c, "no command given (see tunctl --help)");
		return 2;
	}
	return cmd->run(c, req);
}

const char *request_device(const struct request *req)
{
	switch (req->cmd) {
	case CMD_ADD: return req->u.add.name;
	case CMD_SET: return req->u.set.name;
	case CMD_SHOW: return req->u.show.name;
	case CMD_ADDR: return req->u.addr.name;
	case CMD_ROUTE: return req->u.route.name;
	case CMD_ATTACH: return req->u.attach.name;
	case CMD_RUN: return req->u.run.name;
	case CMD_CLASSIC: return req->u.classic.name;
	case CMD_DEL: return req->u.del.nnames == 1 ? req->u.del.names[0] : NULL;
	default: return NULL;
	}
}
