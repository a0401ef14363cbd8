/* cmd_apply.c - "tunctl apply": make the namespace's TUN/TAP devices match a
 * file: the two models read (apply_read.c) and diffed (apply_plan.c), the
 * plan carried out (apply_do.c) under a lock on the namespace, all or
 * nothing (or, with --per-device, each device on its own), and printed; a
 * stop signal undoes what is not done, or comes too late. */
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

static const char *const op_names[] = { "create", "recreate", "delete", "set", "add", "remove", "note" };

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

/* The plan, in text (a line per change) or JSON. */
void apply_print_plan(struct ctx *c, const struct plan *p)
{
	struct out *o = &c->out;
	bool changed = false;

	for (size_t i = 0; i < p->n; i++)
		changed |= p->v[i].op != ST_NOTE;
	if (o->json) {
		out_obj_open(o, NULL);
		out_bool(o, "changed", NULL, changed);
		out_arr_open(o, "changes");
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct change *ch = &p->v[i];

		if (!o->json) {
			switch (ch->op) {
			case ST_CREATE: fprintf(o->f, "+ %s create\n", ch->dev); break;
			case ST_DELETE: fprintf(o->f, "- %s delete\n", ch->dev); break;
			case ST_RECREATE:
				fprintf(o->f, "~ %s recreate (%s %s -> %s)\n", ch->dev, ch->what, ch->from, ch->to);
				break;
			case ST_SET: fprintf(o->f, "~ %s %s %s -> %s\n", ch->dev, ch->what, ch->from, ch->to); break;
			case ST_ADD: fprintf(o->f, "+ %s %s %s\n", ch->dev, ch->what, ch->text); break;
			case ST_REMOVE: fprintf(o->f, "- %s %s %s\n", ch->dev, ch->what, ch->text); break;
			case ST_NOTE: fprintf(o->f, "! %s %s\n", ch->dev, ch->text); break;
			}
			continue;
		}
		out_obj_open(o, NULL);
		out_str(o, "device", NULL, ch->dev);
		out_str(o, "op", NULL, op_names[ch->op]);
		if (ch->op == ST_SET || ch->op == ST_RECREATE) {
			out_str(o, "setting", NULL, ch->what);
			out_str(o, "from", NULL, ch->from);
			out_str(o, "to", NULL, ch->to);
		} else if (ch->op == ST_ADD || ch->op == ST_REMOVE) {
			out_str(o, ch->what, NULL, ch->text);
		} else if (ch->op == ST_NOTE) {
			/* A device the file does not name has no setting. */
			if (ch->what)
				out_str(o, "setting", NULL, ch->what);
			else
				out_bool(o, "not_in_file", NULL, true);
			out_str(o, "note", NULL, ch->text);
		}
		out_obj_close(o);
	}
	if (o->json) {
		out_arr_close(o);
		out_obj_close(o);
		out_end(o);
	}
}

/* Plans and carries out what a says, trying again when another process
 * made or deleted a device meanwhile.  Returns 0, or 1 after reporting,
 * or 1 not reported with a->outcome APPLY_STOPPED (a stop signal: undone,
 * in a->stop_sig). */
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
		if (!rc || a->outcome != APPLY_RACED)
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

/* What --per-device keeps across its passes. */
struct per_dev {
	struct apply *a;
	struct stops *st;
	struct plan all;                /* the plan of what was done */
	const char **names;             /* per line: its device's name (NULL: not an add line) */
	int *line_rc;                   /* per line: the status of reading it */
	char failed[600];               /* the devices that failed, for the summary */
	size_t nfailed, ndone;
};

/* Each line read on its own: one that cannot be (an unknown user) fails
 * that device alone; a name given twice is the file's error, not a
 * device's.  Returns 0, or 1 or 2 after reporting. */
static int read_lines(struct per_dev *p, const struct batch_line *v, size_t n, const char *name,
		      char (*where)[WHERE_LEN])
{
	struct apply *a = p->a;
	struct want *good;
	size_t ng = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (v[i].req.cmd == CMD_ADD)
			p->names[i] = v[i].req.u.add.name;
		if (!(p->line_rc[i] = apply_read_wants(a->c, &v[i], 1, name, &a->w[i], &where[i])))
			p->line_rc[i] = check_group(a->c, a->ar, &a->w[i]);
		if (p->line_rc[i]) {
			snprintf(where[i], sizeof(where[i]), "%s:%u", name, v[i].no);
			name_failed(p->failed, sizeof(p->failed), &p->nfailed, p->names[i], where[i]);
		}
	}
	if (!(good = calloc(n + 1, sizeof(*good)))) {
		report(a->c, "out of memory");
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		if (!p->line_rc[i])
			good[ng++] = a->w[i];
	rc = apply_check_twice(a->c, good, ng);
	free(good);
	return rc;
}

/* Every line good: the whole file at once, quietly; if that works, that
 * is all (one reading of the namespace, not one per device).  Returns
 * whether it was (done, or stopped by a signal: *rc). */
static bool whole_file(struct per_dev *p, int *rc)
{
	struct apply *a = p->a;
	struct ctx *c = a->c;
	char quiet[1024] = "";

	if (p->nfailed || a->ar->dry_run)
		return false;
	c->capture = quiet;
	c->capture_len = sizeof(quiet);
	*rc = converge(a, p->st);
	c->capture = NULL;
	if (!*rc)
		plan_join(&p->all, &a->plan);
	else if (a->outcome == APPLY_STOPPED)
		report(c, "interrupted by %s: apply undid what it had changed; the devices are as before",
		       sig_name(a->stop_sig));
	else
		apply_reset(a);
	return !*rc || a->outcome == APPLY_STOPPED;
}

/* Each device of the file on its own, in a pass of its own (its undo
 * stays within the device), --prune left for the last pass.  Returns 0,
 * or 1 when a stop signal came (reported; p->a's outcome says so). */
static int each_device(struct per_dev *p, size_t n)
{
	struct apply *a = p->a;
	struct apply_req sub_req = *a->ar;
	int rc;

	sub_req.prune = false;
	for (size_t i = 0; i < n; i++) {
		struct apply d = { .c = a->c, .ar = &sub_req, .w = &a->w[i], .nw = 1, .dev = &a->dev[i],
				   .wants_only = true };
		bool stop;

		if (p->line_rc[i])
			continue;
		dc_run_init(&d.run1);
		dc_run_init(&d.run2);
		rc = converge(&d, p->st);
		stop = rc && d.outcome == APPLY_STOPPED;
		if (!rc) {
			plan_join(&p->all, &d.plan);
			p->ndone++;
		} else if (stop) {
			report(a->c, "interrupted by %s at %s (%s): apply undid that device; %zu of the file's devices "
			       "%s as it says, the rest not done", sig_name(d.stop_sig), d.w->where, d.w->r->name,
			       p->ndone, p->ndone == 1 ? "is" : "are");
			a->stop_sig = d.stop_sig;
			a->outcome = APPLY_STOPPED;
		} else {
			name_failed(p->failed, sizeof(p->failed), &p->nfailed, d.w->r->name, d.w->where);
		}
		apply_reset(&d);
		free(d.prune);
		if (stop)
			return 1;
	}
	return 0;
}

/* The last pass: the devices the file does not name (notes, --prune);
 * then the plan of what was done printed.  Returns the pass's status
 * (a stop signal: p->a's outcome says so). */
static int unnamed_pass(struct per_dev *p, size_t n)
{
	struct apply *a = p->a;
	struct ctx *c = a->c;
	struct apply last = { .c = c, .ar = a->ar, .w = a->w, .nw = 0, .dev = a->dev, .file_names = p->names,
			      .nfile_names = n };
	int rc;

	dc_run_init(&last.run1);
	dc_run_init(&last.run2);
	rc = converge(&last, p->st);
	if (!rc)
		plan_join(&p->all, &last.plan);
	else if (last.outcome == APPLY_STOPPED)
		report(c, "interrupted by %s before --prune: the devices of the file are done, none pruned",
		       sig_name(last.stop_sig));
	else
		name_failed(p->failed, sizeof(p->failed), &p->nfailed, NULL, "the devices FILE does not name");
	if (rc && last.outcome == APPLY_STOPPED) {
		a->stop_sig = last.stop_sig;
		a->outcome = APPLY_STOPPED;
	}
	/* Printed before the names of its devices are freed.  With a device
	 * failed, apply fails (exit 1), and a failed command writes nothing
	 * on stdout: the plan of what was done goes to stderr beside the
	 * errors (the journal at boot), and with -j it is left out (stderr is
	 * the one error object). */
	if (!rc && !p->nfailed) {
		apply_print_plan(c, &p->all);
	} else if (!rc && !c->out.json) {
		FILE *f = c->out.f;

		c->out.f = stderr;
		apply_print_plan(c, &p->all);
		c->out.f = f;
	}
	apply_reset(&last);
	free(last.prune);
	return rc;
}

/* --per-device: the whole file first, all or nothing, its error kept
 * quiet; should that fail, each device on its own, and a last pass for
 * what the file does not name.  v: the file's n lines.  Returns 0, 1 or
 * 2 (a stop signal: 1, a->outcome APPLY_STOPPED). */
static int per_device(struct apply *a, struct stops *st, const struct batch_line *v, size_t n,
		      const char *name, char (*where)[WHERE_LEN])
{
	struct per_dev p = { .a = a, .st = st, .names = calloc(n + 1, sizeof(*p.names)),
			     .line_rc = calloc(n + 1, sizeof(*p.line_rc)) };
	int rc;

	if (!p.names || !p.line_rc) {
		report(a->c, "out of memory");
		rc = 1;
	} else if (!(rc = read_lines(&p, v, n, name, where))) {
		a->file_names = p.names;
		a->nfile_names = n;
		if (whole_file(&p, &rc)) {
			if (!rc)
				apply_print_plan(a->c, &p.all);
		} else if (!each_device(&p, n) && (rc = unnamed_pass(&p, n)) == 0 && !p.nfailed) {
			rc = 0;
		} else if (a->outcome != APPLY_STOPPED) {
			report(a->c, "apply --per-device: %zu device%s failed: %s; the others %s the file", p.nfailed,
			       p.nfailed == 1 ? "" : "s", p.failed, a->ar->dry_run ? "would match" : "match");
			rc = 1;
		} else {
			rc = 1;
		}
	}
	if (p.all.oom)
		warn(a->c, "out of memory: some lines of the plan are not printed");
	free(p.all.v);
	free(p.names);
	free(p.line_rc);
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
	a.dev = calloc(n + 1, sizeof(*a.dev));
	dc_run_init(&a.run1);
	dc_run_init(&a.run2);
	if (!a.w || !where || !a.dev) {
		report(c, "out of memory");
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		a.dev[i].fd = -1;
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
		else if (a.outcome == APPLY_STOPPED)
			report(c, "interrupted by %s: apply undid what it had changed; the devices are as before",
			       sig_name(a.stop_sig));
	}
	/* A stop signal that came once the deletions had begun, or after: the
	 * work is done, and says so (exit 0); one that stopped it: 128 + N,
	 * as a shell says of a process the signal ended. */
	late = stops_take(&st);
	if (rc && a.outcome == APPLY_STOPPED)
		rc = 128 + a.stop_sig;
	else if (late && !rc)
		warn(c, "%s came too late to stop apply: it had finished; the devices match %s", sig_name(late),
		     strcmp(ar->file, "-") ? ar->file : "standard input");
	stops_release(&st);
out:
	apply_reset(&a);
	free(a.prune);
	free(a.dev);
	free(a.w);
	free(where);
	batch_lines_free(v, n);
	return rc;
}
