/* cmd_run.c - "tunctl run": hand a device's queues to a program as ready descriptors. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "broker.h"
#include "sysfs.h"
#include "tun.h"
#include "tunctl.h"

/* The first descriptor of sd_listen_fds(3): LISTEN_FDS counts from here. */
#define SD_LISTEN_FDS_START 3

/* What execvp would run, found before anything is opened, so that a
 * missing command costs nothing and says so as a shell does. Returns 0,
 * 127 (not found) or 126 (found but not executable), after reporting. */
static int find_program(struct ctx *c, const char *cmd, char *path, size_t len)
{
	const char *dirs = getenv("PATH"), *p;
	bool denied = false;
	struct stat st;

	if (strchr(cmd, '/')) {
		snprintf(path, len, "%s", cmd);
		if (stat(path, &st) < 0) {
			report_err(c, errno, NULL, "%s", cmd);
			return errno == ENOENT || errno == ENOTDIR ? 127 : 126;
		}
		if (S_ISDIR(st.st_mode) || access(path, X_OK) < 0) {
			report(c, "%s: %s", cmd, S_ISDIR(st.st_mode) ? "is a directory" : "permission denied");
			return 126;
		}
		return 0;
	}
	if (!dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	for (p = dirs;; p++) {
		const char *end = strchr(p, ':');
		size_t dlen = end ? (size_t)(end - p) : strlen(p);

		/* An empty entry is the current directory, as for execvp. */
		if ((size_t)snprintf(path, len, "%.*s%s%s", (int)dlen, p, dlen ? "/" : "", cmd) < len &&
		    !stat(path, &st) && S_ISREG(st.st_mode)) {
			if (!access(path, X_OK))
				return 0;
			denied = true;
		}
		if (!end)
			break;
		p = end;
	}
	if (denied) {
		report(c, "%s: permission denied (found in PATH, but not executable)", cmd);
		return 126;
	}
	report(c, "%s: command not found", cmd);
	return 127;
}

/* Opens n queues of the device, with exactly its flags: a real attach, so
 * the carrier comes on as for any reader. Returns 0 or 1 after reporting;
 * fds[] holds the descriptors opened so far. */
static int open_queues(struct ctx *c, struct tun_info *ti, unsigned n, int *fds, unsigned *opened)
{
	for (*opened = 0; *opened < n; (*opened)++) {
		int fd = tun_open(NULL), err;

		if (fd < 0) {
			report_tun_open(c, fd, NULL);
			return 1;
		}
		fds[*opened] = fd;
		err = tun_attach(fd, ti->name, &ti->flags);
		if (err == -EPERM) {
			report_attach_denied(c, ti);
		} else if (err == -EBUSY) {
			report_in_use(c, ti->name, ti->flags.multi_queue ?
				      "it has no queue left to attach" : "a single-queue device takes one reader");
		} else if (err) {
			report_err(c, err, NULL, "attaching queue %u of %s", *opened + 1, ti->name);
		} else {
			continue;
		}
		close(fd);
		return 1;
	}
	return 0;
}

/* Puts fds[0..n) at first, first+1, ... without close-on-exec. Any of ours
 * already in that range is moved above it first, so none is overwritten.
 * Returns 0 or -errno. */
static int place(int *fds, unsigned n, int first)
{
	for (unsigned i = 0; i < n; i++) {
		int fd;

		if (fds[i] < first || fds[i] >= first + (int)n)
			continue;
		if ((fd = fcntl(fds[i], F_DUPFD_CLOEXEC, first + (int)n)) < 0)
			return -errno;
		close(fds[i]);
		fds[i] = fd;
	}
	for (unsigned i = 0; i < n; i++) {
		if (dup2(fds[i], first + (int)i) < 0)
			return -errno;
		close(fds[i]);
		fds[i] = first + (int)i;
	}
	return 0;
}

/* sd_listen_fds(3) takes the descriptors from 3 on: the LISTEN_ variables
 * are set for --fd 3 and removed otherwise, so that a program never counts
 * descriptors that are not there. */
static int set_env(const struct run_req *r, unsigned n)
{
	char num[32], *names;
	size_t len = strlen(r->name) + 1;
	int rc = 0;

	if (!(names = malloc(len * n)))
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		memcpy(names + i * len, r->name, len - 1);
		names[i * len + len - 1] = i + 1 < n ? ':' : '\0';
	}
	if (r->first_fd == SD_LISTEN_FDS_START) {
		snprintf(num, sizeof(num), "%u", n);
		rc |= setenv("LISTEN_FDS", num, 1);
		snprintf(num, sizeof(num), "%ld", (long)getpid());
		rc |= setenv("LISTEN_PID", num, 1);
		rc |= setenv("LISTEN_FDNAMES", names, 1);
	} else {
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDNAMES");
	}
	snprintf(num, sizeof(num), "%u", r->first_fd);
	rc |= setenv("TUNCTL_FD", num, 1);
	rc |= setenv("TUNCTL_IFNAME", r->name, 1);
	free(names);
	return rc ? -ENOMEM : 0;
}

/* What the device and the descriptor limit allow: 0, or 1 after reporting. */
static int run_limits(struct ctx *c, const struct run_req *r, const struct tun_info *ti)
{
	if (r->queues > 1 && !ti->flags.multi_queue) {
		report(c, "%s has no multi_queue flag, so it has one queue: --queues %u needs a device "
		       "made with --multi-queue", r->name, r->queues);
		return 1;
	}
	/* The queues go at first.., and are moved above that range first. */
	if (r->first_fd + r->queues - 1 > (unsigned)INT_MAX ||
	    (long)(r->first_fd + r->queues) >= sysconf(_SC_OPEN_MAX)) {
		report(c, "--fd %u with %u queues goes past the descriptor limit %ld (ulimit -n)",
		       r->first_fd, r->queues, sysconf(_SC_OPEN_MAX));
		return 1;
	}
	return 0;
}

/* The queues into fds (*opened of them open, whatever the outcome), here
 * or, without CAP_NET_ADMIN, through the broker: 0, or the status after
 * reporting. */
static int run_open(struct ctx *c, const struct run_req *r, struct tun_info *ti, bool flags_changed,
		    int *fds, unsigned *opened)
{
	int rc;

	if (broker_for_run()) {
		/* Without CAP_NET_ADMIN: what cannot be opened here (no
		 * /dev/net/tun, say) the broker may open for its owner. */
		char why[1024] = "";

		c->capture = why;
		c->capture_len = sizeof(why);
		if (open_queues(c, ti, r->queues, fds, opened)) {
			c->capture = NULL;
			for (; *opened; (*opened)--)
				close(fds[*opened - 1]);
			/* The broker attaches with the device's own flags. */
			if (flags_changed) {
				const char *w = strncmp(why, "tunctl: ", 8) ? why : why + 8;

				report(c, "%.*s (the broker, which attaches with the device's own flags, cannot "
				       "change --pi or --vnet-hdr)", (int)strcspn(w, "\n"), w);
				return 1;
			}
			if ((rc = broker_client_queues(c, r->name, r->queues, fds)))
				return rc;
			*opened = r->queues;
		}
		c->capture = NULL;
	} else if (open_queues(c, ti, r->queues, fds, opened)) {
		return 1;
	}
	return 0;
}

/* The kernel takes the flags from the attach that makes a queue the
 * first: where another process holds one, they stay as they are.  0, or 1
 * after reporting (ours closed first, so that the holders named are the
 * others). */
static int run_flags_took(struct ctx *c, const struct run_req *r, const struct tun_info *ti, int *fds,
			  unsigned *opened)
{
	struct tun_info now;

	if (find_tun(c, r->name, &now, NULL))
		return 1;
	if (!now.flags.pi != !ti->flags.pi || !now.flags.vnet_hdr != !ti->flags.vnet_hdr) {
		for (; *opened; (*opened)--)
			close(fds[*opened - 1]);
		report_in_use(c, r->name, "the kernel changes --pi and --vnet-hdr only when the first queue "
			      "attaches");
		return 1;
	}
	return 0;
}

int run_run(struct ctx *c, const struct run_req *r)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	char path[PATH_MAX];
	struct tun_info ti;
	int *fds, err, rc;
	unsigned opened = 0;
	bool flags_changed;

	/* Under the lock until its queues are open: the device is not one
	 * another command is making, and its flags are not being set back. */
	if (ctx_lock(c) || find_tun_attach(c, r->name, &ti, NULL))
		return 1;
	flags_changed = (r->pi >= 0 && !r->pi != !ti.flags.pi) ||
			(r->vnet_hdr >= 0 && !r->vnet_hdr != !ti.flags.vnet_hdr);
	/* The attach sets the device's pi and vnet_hdr flags (TUNSETIFF on
	 * a device that exists takes them from the caller). */
	if (r->pi >= 0)
		ti.flags.pi = r->pi;
	if (r->vnet_hdr >= 0)
		ti.flags.vnet_hdr = r->vnet_hdr;
	if (run_limits(c, r, &ti))
		return 1;
	if ((rc = find_program(c, r->argv[0], path, sizeof(path))))
		return rc;
	if (!(fds = calloc(r->queues, sizeof(*fds)))) {
		report(c, "out of memory");
		return 1;
	}
	/* Nothing of ours but the queues goes to the program. */
	ctx_free(c);
	if ((rc = run_open(c, r, &ti, flags_changed, fds, &opened)))
		goto fail;
	rc = 1;
	if (flags_changed && run_flags_took(c, r, &ti, fds, &opened))
		goto fail;
	/* The program may run for long: the lock is not its to hold. */
	ctx_unlock(c);
	if ((err = place(fds, opened, (int)r->first_fd))) {
		report_err(c, err, NULL, "placing the descriptors of %s at %u", r->name, r->first_fd);
		goto fail;
	}
	if ((err = set_env(r, opened))) {
		report_err(c, err, NULL, "setting the environment of %s", r->argv[0]);
		goto fail;
	}
	/* main ignores SIGPIPE for its own writes; the program gets the default. */
	sigaction(SIGPIPE, &dfl, NULL);
	fflush(stdout);
	fflush(stderr);
	execv(path, r->argv);
	err = errno;
	report_err(c, err, NULL, "running %s", path);
	rc = err == ENOENT ? 127 : 126;
fail:
	for (unsigned i = 0; i < opened; i++)
		close(fds[i]);
	free(fds);
	return rc;
}
