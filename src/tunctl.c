/* tunctl.c - main: parses the command line, enters -n NETNS and runs the
 * request (run_request, or batch_run for --batch); the only exit(). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>

#include "broker.h"
#include "cni.h"
#include "procfs.h"
#include "sysfs.h"
#include "tunctl.h"

/* As "ip -n" does; sysfs.c mounts a private /sys for it when first needed. */
static int enter_netns(struct ctx *c, const char *name)
{
	int fd;

	if (open_netns(c, name, &fd))
		return 1;
	if (setns(fd, CLONE_NEWNET) < 0) {
		int err = errno;

		/* Entering takes CAP_SYS_ADMIN, not the CAP_NET_ADMIN that
		 * report_err would name. */
		if (err == EPERM && !proc_has_cap(CAP_SYS_ADMIN))
			report(c, "entering network namespace \"%s\": %s (CAP_SYS_ADMIN is needed to enter a "
			       "namespace: run as root)", name, strerror(err));
		else
			report(c, "entering network namespace \"%s\": %s", name, strerror(err));
		close(fd);
		return 1;
	}
	close(fd);
	sysfs_for_netns(name);
	return 0;
}

/* Standard input, output and error, when closed, are opened on /dev/null:
 * else the first descriptor tunctl opens (a device's, the netlink socket)
 * would take their number, and output meant for the terminal would go to
 * it, into a device as a packet even. False when that cannot be done. */
static bool std_fds_open(void)
{
	/* In order: open takes the lowest free number, which is fd itself. */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
			return false;
	return true;
}

int main(int argc, char **argv)
{
	struct request req;
	struct ctx c;
	char err[ERRLEN];
	int rc;

	if (!std_fds_open()) {
		/* Said only if stderr is open; never run with a descriptor
		 * standing in for another. */
		fprintf(stderr, "tunctl: cannot open /dev/null for a closed standard descriptor: %s\n",
			strerror(errno));
		exit(1);
	}
	/* A reader that is gone is a write error like any other (EPIPE): it is
	 * reported, and what add made for that output is dropped, instead of
	 * the process dying half way with the device left. */
	signal(SIGPIPE, SIG_IGN);
	/* The same binary is the CNI plugin, by that name (a link to it). */
	if (argc > 0 && !strcmp(strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0], CNI_PLUGIN_NAME))
		exit(cni_main());
	memset(&c, 0, sizeof(c));
	out_init(&c.out, stdout, false);
	rc = cmdline_parse(argc, argv, &req, err, sizeof(err));
	if (rc) {
		c.json_errors = req.g.json;
		report(&c, "%s", err);
		ctx_flush_error(&c, rc, NULL);
		if (req.cmd == CMD_CLASSIC && !req.g.json)
			fputs(classic_usage, stderr);
		exit(rc);
	}
	if (req.g.version) {
		printf("tunctl %s\n", PACKAGE_VERSION);
		exit(0);
	}
	if (req.cmd == CMD_NONE && req.g.help) {
		usage(stdout);
		exit(0);
	}
	c.json_errors = req.g.json;
	if (req.g.netns && !req.g.help && (rc = enter_netns(&c, req.g.netns)))
		goto out;
	/* Without CAP_NET_ADMIN, through the broker when there is one. */
	if (broker_wanted(&req))
		rc = broker_client_run(&c, argc, argv);
	else if (req.g.batch)
		rc = batch_run(&c, req.g.batch, req.g.json, req.g.force);
	else
		rc = run_request(&c, &req);
out:
	if (fflush(stdout) == EOF || ferror(stdout)) {
		report(&c, "writing output: %s", strerror(errno));
		if (!rc)
			rc = 1;
	}
	ctx_flush_error(&c, rc, request_device(&req));
	request_free(&req);
	/* Root's lock file goes with the lock (a kill -9 leaves one, which
	 * the next command takes over). */
	ctx_unlock(&c);
	ctx_free(&c);
	exit(rc);
}
