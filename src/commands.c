/* commands.c - the command table: dispatch and help text from one place. */
#include "config.h"

#include <stdio.h>

#include "tunctl.h"

static const struct command {
	enum cmd_id id;
	const char *synopsis;
	const char *summary;
	const char *options;
} commands[] = {
	{ CMD_ADD, "add NAME [--mode tun|tap] [OPTIONS]", "create a persistent, configured device",
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
	  "  --mtu N               MTU\n"
	  "  --mac ADDR            MAC address (tap only)\n"
	  "  --txqueuelen N        transmit queue length\n"
	  "  --down                leave the link down (default: up)\n"
	  "  --exist-ok            succeed if NAME exists alike; add what is missing\n"
	  "NAME may hold one %d, as in tap%d: the name chosen is printed.\n" },
	{ CMD_DEL, "del NAME... [--force] | del --all [--mode tun|tap] [--force]", "delete devices (alias: delete)",
	  "  --all                 every TUN/TAP device (of --mode, if given)\n"
	  "  --mode tun|tap        with --all: only devices of that mode\n"
	  "  --force               delete even devices a process holds open\n" },
	{ CMD_LIST, "list [--mode tun|tap]", "list TUN/TAP devices (alias: ls)",
	  "  --mode tun|tap        only devices of that mode\n" },
	{ CMD_SHOW, "show [NAME]", "show a device in detail (every device without NAME)", "" },
	{ CMD_SET, "set NAME [OPTIONS]", "change a device",
	  "  --user USER | --no-user     set the owner, or require that none is set\n"
	  "  --group GROUP | --no-group  set the group, or require that none is set\n"
	  "  --up | --down               link state\n"
	  "  --mtu N  --mac ADDR  --txqueuelen N\n"
	  "  --netns NETNS               move the device into namespace NETNS\n"
	  "  --yes                       set a --group that you are not in, locking\n"
	  "                              yourself out (refused without it, unless root)\n"
	  "The kernel cannot clear an owner or group once set: where one is set,\n"
	  "--no-user (--no-group) fails; delete and re-create the device instead.\n" },
	{ CMD_ADDR, "addr add|del NAME CIDR [--peer ADDR] | addr flush NAME", "manage addresses (alias: address)",
	  "  --peer ADDR           point-to-point peer address\n" },
	{ CMD_ROUTE, "route add|del NAME PREFIX [via GW] [metric N] [table ID]", "manage routes", "" },
	{ CMD_ATTACH, "attach NAME [--count N] [--hex] [--pcap FILE] [--echo]",
	  "read (and answer) packets on a device",
	  "  --count N             stop after N packets\n"
	  "  --hex                 add a hex dump of each packet\n"
	  "  --pcap FILE           also write the packets to a pcap file\n"
	  "  --echo                answer pings, ARP and neighbour solicitations\n" },
	{ CMD_RUN, "run NAME [--queues N] [--fd K] -- COMMAND [ARGS...]",
	  "run a program holding the device's queues as descriptors",
	  "  --queues N            open N queues (multi-queue devices; default 1)\n"
	  "  --fd K                put them at descriptors K, K+1, ... (default 3)\n"
	  "With --fd 3, LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES are set as\n"
	  "sd_listen_fds(3) expects; TUNCTL_FD and TUNCTL_IFNAME always.\n" },
	{ CMD_SAVE, "save [NAME...]", "print the devices as a file that apply takes", "" },
	{ CMD_APPLY, "apply FILE [--dry-run] [--prune [--force]] [--recreate]",
	  "make the devices match FILE, converging in place",
	  "  --dry-run             print the plan, change nothing\n"
	  "  --prune               also delete TUN/TAP devices FILE does not name\n"
	  "  --force               with --prune: delete them even when held open\n"
	  "  --recreate            re-create a device whose mode or multi-queue differs\n"
	  "FILE holds add lines (as tunctl save prints them); - is standard input.\n" },
	{ CMD_HELP, "help [COMMAND]", "show help", "" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

void usage(FILE *f)
{
	fprintf(f, "Usage: tunctl [OPTIONS] COMMAND [ARGS]\n"
		"Create and manage persistent TUN/TAP devices.\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", cmd_name(commands[i].id), commands[i].summary);
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

static void command_help(enum cmd_id id)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (commands[i].id != id)
			continue;
		printf("Usage: tunctl %s\n%s.\n", commands[i].synopsis, commands[i].summary);
		if (*commands[i].options)
			printf("\nOptions:\n%s", commands[i].options);
		printf("\nAlso: -j/--json, -h/--help. See tunctl(8).\n");
	}
}

int run_request(struct ctx *c, const struct request *req)
{
	c->out.json = req->g.json;
	if (req->g.help) {
		if (req->cmd == CMD_NONE)
			usage(stdout);
		else
			command_help(req->cmd);
		return 0;
	}
	switch (req->cmd) {
	case CMD_ADD: return add_run(c, &req->u.add);
	case CMD_DEL: return del_run(c, &req->u.del);
	case CMD_LIST: return list_run(c, &req->u.list);
	case CMD_SHOW: return show_run(c, &req->u.show);
	case CMD_SET: return set_run(c, &req->u.set);
	case CMD_ADDR: return addr_run(c, &req->u.addr);
	case CMD_ROUTE: return route_run(c, &req->u.route);
	case CMD_ATTACH: return attach_run(c, &req->u.attach);
	case CMD_RUN: return run_run(c, &req->u.run);
	case CMD_SAVE: return save_run(c, &req->u.save);
	case CMD_APPLY: return apply_run(c, &req->u.apply);
	case CMD_CLASSIC: return classic_run(c, &req->u.classic);
	case CMD_HELP:
		if (req->u.help.topic == CMD_NONE)
			usage(stdout);
		else
			command_help(req->u.help.topic);
		return 0;
	default:
		report(c, "no command given (see tunctl --help)");
		return 2;
	}
}

