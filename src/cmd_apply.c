/* cmd_apply.c - "tunctl apply": make the namespace's TUN/TAP devices match a
 * file: the plan (apply_plan.c) carried out (apply_do.c) under a lock on
 * the namespace, all or nothing (or, with --per-device, each device on its
 * own); a stop signal undoes what is not done, or comes too late. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "tunctl.h"

/* Tries when another process creates or deletes a device the plan is about. */
#define RACE_TRIES 3

/* SIGINT, SIGTERM and SIGHUP: held (blocked) while devices change, and
 * looked at by apply_carry_out between its steps. */
struct stops {
	sigset_t set, old;
	bool masked;
};

static void stops_hold(struct stops *s)
{
	if (!s->masked) {
		sigprocmask(SIG_BLOCK, &s->set, &s->old);
		s->masked = true;
	}
}

/* The stop signal that came while they were held, taken (so that letting
 * them in again does not kill tunctl): 0 if none. */
static int stops_take(struct stops *s)
{
	const struct timespec now = { 0, 0 };
	int sig = 0, got;

	if (!s->masked)
		return 0;
	while ((got = sigtimedwait(&s->set, NULL, &now)) > 0)
		if (!sig)
			sig = got;
	return sig;
}

static void stops_release(struct stops *s)
{
	if (s->masked) {
		fflush(stdout);
		sigprocmask(SIG_SETMASK, &s->old, NULL);
		s->masked = false;
	}
}

static const char *sig_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
}

/* Plans and carries out what a says, trying again when another process
 * made or deleted a device meanwhile.  Returns 0, 1, 2, or -EINTR (a stop
 * signal: undone, in a->stop_sig). */
static int converge(struct apply *a, struct stops *st)
{
	int rc;

	for (int try = 0;; try++) {
		if ((rc = apply_make_plan(a)) || a->ar->dry_run)
			return rc;
		/* A signal (Ctrl-C, systemctl stop) takes effect once the
		 * namespace is as before or as the file says, not half-way. */
		stops_hold(st);
		rc = apply_carry_out(a);
		if (rc != -EEXIST)
			return rc;
		if (try + 1 >= RACE_TRIES) {
			report(a->c, "devices of the file were created and deleted by others while apply ran, "
			       "%d times; try again", RACE_TRIES);
			return 1;
		}
		apply_reset(a);
	}
}

/* A line that gives an owner and a group the owner is not in: the owner
 * could not attach (the kernel wants both).  0, or the status after
 * reporting FILE:LINE. */
static int check_group(struct ctx *c, const struct apply_req *ar, const struct want *w)
{
	int rc;

	if (ar->yes || !w->o.user_set || !w->o.group_set)
		return 0;
	const char *at = ctx_at(c, w->where);
	rc = owner_check_group(c, w->o.uid, w->o.gid, w->r->name,
			       "apply --yes accepts it (for a program given the group otherwise, as by "
			       "systemd's SupplementaryGroups=)");
	ctx_at(c, at);
	return rc;
}

/* Appends q's plan lines to p. */
static void plan_join(struct plan *p, const struct plan *q)
{
	struct change *v;

	if (!q->n)
		return;
	if (!(v = realloc(p->v, (p->n + q->n) * sizeof(*v)))) {
		p->oom = true;
		return;
	}
	p->v = v;
	memcpy(p->v + p->n, q->v, q->n * sizeof(*v));
	p->n += q->n;
}

/* "a0 (FILE:3)", appended to buf (len) for the summary of --per-device. */
static void name_failed(char *buf, size_t len, size_t *count, const char *name, const char *where)
{
	size_t at = strlen(buf);

	if (++*count > 8) {
		if (*count == 9 && at < len)
			snprintf(buf + at, len - at, ", ...");
		return;
	}
	if (at < len)
		snprintf(buf + at, len - at, "%s%s%s%s%s", at ? ", " : "", name ? name : "", name ? " (" : "",
			 where, name ? ")" : "");
}

/* --per-device: the whole file first, all or nothing, its error kept
 * quiet; should that fail, each device on its own, in a pass of its own
 * (apply_carry_out's undo stays within the device), and a last pass for
 * what the file does not name (notes, --prune).  v: the file's n lines. */
static int per_device(struct apply *a, struct stops *st, const struct batch_line *v, size_t n,
		      const char *name, char (*where)[WHERE_LEN])
{
	struct ctx *c = a->c;
	struct apply_req sub_req = *a->ar;
	struct plan all = { 0 };
	const char **names = calloc(n + 1, sizeof(*names));
	int *line_rc = calloc(n + 1, sizeof(*line_rc));
	char failed[600] = "", quiet[1024] = "";
	size_t nfailed = 0, ndone = 0;
	int rc = 0;

	if (!names || !line_rc) {
		report(c, "out of memory");
		rc = 1;
		goto out;
	}
	/* Each line read on its own: one that cannot be (an unknown user)
	 * fails that device alone. */
	for (size_t i = 0; i < n; i++) {
		if (v[i].req.cmd == CMD_ADD)
			names[i] = v[i].req.u.add.name;
		if (!(line_rc[i] = apply_read_wants(c, &v[i], 1, name, &a->w[i], &where[i])))
			line_rc[i] = check_group(c, a->ar, &a->w[i]);
		if (line_rc[i]) {
			snprintf(where[i], sizeof(where[i]), "%s:%u", name, v[i].no);
			name_failed(failed, sizeof(failed), &nfailed, names[i], where[i]);
		}
	}
	/* A name given twice is the file's error, not a device's. */
	{
		struct want *good = calloc(n + 1, sizeof(*good));
		size_t ng = 0;

		if (!good) {
			report(c, "out of memory");
			rc = 1;
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			if (!line_rc[i])
				good[ng++] = a->w[i];
		rc = apply_check_twice(c, good, ng);
		free(good);
		if (rc)
			goto out;
	}
	a->file_names = names;
	a->nfile_names = n;
	/* Every line good: the whole file at once, quietly; if that works,
	 * that is all (one reading of the namespace, not one per device). */
	if (!nfailed && !a->ar->dry_run) {
		c->capture = quiet;
		c->capture_len = sizeof(quiet);
		rc = converge(a, st);
		c->capture = NULL;
		if (rc == -EINTR || !rc) {
			if (!rc)
				plan_join(&all, &a->plan);
			if (rc == -EINTR)
				report(c, "interrupted by %s: apply undid what it had changed; the devices are as before",
				       sig_name(a->stop_sig));
			goto done;
		}
		apply_reset(a);
	}
	sub_req.prune = false;
	for (size_t i = 0; i < n; i++) {
		struct apply d = { .c = c, .ar = &sub_req, .w = &a->w[i], .nw = 1, .t = &a->t[i],
				   .fds = &a->fds[i], .idx = &a->idx[i], .cdc = &a->cdc[i], .wants_only = true };

		if (line_rc[i])
			continue;
		dc_run_init(&d.run1);
		dc_run_init(&d.run2);
		rc = converge(&d, st);
		if (!rc) {
			plan_join(&all, &d.plan);
			ndone++;
		} else if (rc == -EINTR) {
			report(c, "interrupted by %s at %s (%s): apply undid that device; %zu of the file's devices "
			       "%s as it says, the rest not done", sig_name(d.stop_sig), d.w->where, d.w->r->name,
			       ndone, ndone == 1 ? "is" : "are");
			a->stop_sig = d.stop_sig;
		} else {
			name_failed(failed, sizeof(failed), &nfailed, d.w->r->name, d.w->where);
		}
		apply_reset(&d);
		free(d.prune);
		if (rc == -EINTR)
			goto done;
	}
	/* The devices the file does not name. */
	{
		struct apply last = { .c = c, .ar = a->ar, .w = a->w, .nw = 0, .t = a->t, .fds = a->fds,
				      .idx = a->idx, .cdc = a->cdc, .file_names = names, .nfile_names = n };

		dc_run_init(&last.run1);
		dc_run_init(&last.run2);
		rc = converge(&last, st);
		if (!rc)
			plan_join(&all, &last.plan);
		else if (rc == -EINTR)
			report(c, "interrupted by %s before --prune: the devices of the file are done, none pruned",
			       sig_name(last.stop_sig));
		else
			name_failed(failed, sizeof(failed), &nfailed, NULL, "the devices FILE does not name");
		if (rc == -EINTR)
			a->stop_sig = last.stop_sig;
		/* Printed before the names of its devices are freed.  With a
		 * device failed, apply fails (exit 1), and a failed command
		 * writes nothing on stdout: the plan of what was done goes to
		 * stderr beside the errors (the journal at boot), and with -j
		 * it is left out (stderr is the one error object). */
		if (!rc && !nfailed) {
			apply_print_plan(c, &all);
		} else if (!rc && !c->out.json) {
			FILE *f = c->out.f;

			c->out.f = stderr;
			apply_print_plan(c, &all);
			c->out.f = f;
		}
		apply_reset(&last);
		free(last.prune);
		if (rc == -EINTR || (!rc && !nfailed))
			goto out;
	}
	report(c, "apply --per-device: %zu device%s failed: %s; the others %s the file", nfailed,
	       nfailed == 1 ? "" : "s", failed, a->ar->dry_run ? "would match" : "match");
	rc = 1;
	goto out;
done:
	if (!rc)
		apply_print_plan(c, &all);
out:
	if (all.oom)
		warn(c, "out of memory: some lines of the plan are not printed");
	free(all.v);
	free(names);
	free(line_rc);
	return rc;
}

int apply_run(struct ctx *c, const struct apply_req *ar)
{
	struct apply a = { .c = c, .ar = ar };
	struct batch_line *v = NULL;
	char (*where)[WHERE_LEN] = NULL;
	const char *name;
	struct stops st = { .masked = false };
	size_t n = 0;
	int rc, late;

	sigemptyset(&st.set);
	sigaddset(&st.set, SIGINT);
	sigaddset(&st.set, SIGTERM);
	sigaddset(&st.set, SIGHUP);
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
	if (!ar->per_device && (rc = apply_read_wants(c, v, n, name, a.w, where)))
		goto out;
	for (size_t i = 0; !ar->per_device && i < n; i++)
		if ((rc = check_group(c, ar, &a.w[i])))
			goto out;
	/* Applies, and every other command that changes devices, run one
	 * after another in a namespace (ctx_lock). */
	if (!ar->dry_run && (rc = ctx_lock(c)))
		goto out;
	if (ar->per_device) {
		rc = per_device(&a, &st, v, n, name, where);
	} else {
		rc = converge(&a, &st);
		if (!rc)
			apply_print_plan(c, &a.plan);
		else if (rc == -EINTR)
			report(c, "interrupted by %s: apply undid what it had changed; the devices are as before",
			       sig_name(a.stop_sig));
	}
	/* A stop signal that came once the deletions had begun, or after: the
	 * work is done, and says so (exit 0); one that stopped it: 128 + N,
	 * as a shell says of a process the signal ended. */
	late = stops_take(&st);
	if (rc == -EINTR)
		rc = 128 + a.stop_sig;
	else if (late && !rc)
		warn(c, "%s came too late to stop apply: it had finished; the devices match %s", sig_name(late),
		     strcmp(ar->file, "-") ? ar->file : "standard input");
	stops_release(&st);
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
