/* cmd_apply.c - "tunctl apply": make the namespace's TUN/TAP devices match a
 * file: the plan (apply_plan.c) carried out (apply_do.c) under a lock on
 * the namespace, with stop signals held until it is all done or undone. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "apply.h"
#include "tunctl.h"

/* Tries when another process creates or deletes a device the plan is about. */
#define RACE_TRIES 3

int apply_run(struct ctx *c, const struct apply_req *ar)
{
	struct apply a = { .c = c, .ar = ar };
	struct batch_line *v = NULL;
	char (*where)[WHERE_LEN] = NULL;
	const char *name;
	sigset_t stops, oldmask;
	bool masked = false;
	size_t n = 0;
	int rc;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	if ((rc = batch_read(c, ar->file, &name, &v, &n)))
		return rc;
	a.nw = n;
	a.w = calloc(n + 1, sizeof(*a.w));
	where = calloc(n + 1, sizeof(*where));
	a.t = calloc(n + 1, sizeof(*a.t));
	a.fds = calloc(n + 1, sizeof(*a.fds));
	a.idx = calloc(n + 1, sizeof(*a.idx));
	a.cdc = calloc(n + 1, sizeof(*a.cdc));
	dc_run_init(&a.run1);
	dc_run_init(&a.run2);
	if (!a.w || !where || !a.t || !a.fds || !a.idx || !a.cdc) {
		report(c, "out of memory");
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		a.t[i].fd = a.fds[i] = -1;
	if ((rc = apply_read_wants(c, v, n, name, a.w, where)))
		goto out;
	/* Applies, and every other command that changes devices, run one
	 * after another in a namespace (ctx_lock). */
	if (!ar->dry_run && (rc = ctx_lock(c)))
		goto out;
	for (int try = 0;; try++) {
		if ((rc = apply_make_plan(&a)) < 0) {
			report(c, "out of memory");
			rc = 1;
		}
		if (rc || ar->dry_run)
			break;
		/* A signal (Ctrl-C, systemctl stop) takes effect once the
		 * namespace is as before or as the file says, not half-way:
		 * it is held until the plan is out. */
		if (!masked) {
			sigprocmask(SIG_BLOCK, &stops, &oldmask);
			masked = true;
		}
		rc = apply_carry_out(&a);
		if (rc != -EEXIST)
			break;
		if (try + 1 >= RACE_TRIES) {
			report(c, "devices of the file were created and deleted by others while apply ran, "
			       "%d times; try again", RACE_TRIES);
			rc = 1;
			break;
		}
		apply_reset(&a);
	}
	if (!rc)
		apply_print_plan(c, &a.plan);
	if (masked) {
		fflush(stdout);
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
	}
out:
	apply_reset(&a);
	free(a.prune);
	free(a.t);
	free(a.fds);
	free(a.idx);
	free(a.cdc);
	free(a.w);
	free(where);
	batch_lines_free(v, n);
	return rc;
}
