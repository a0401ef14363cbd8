/* apply_do.c - apply's plan carried out, all or nothing: present devices
 * converged in one exchange, new ones made and kept only once all is done,
 * deletions last; on any failure everything undone, newest first. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "dumps.h"
#include "sidefx.h"
#include "tun.h"


/* The stop signal the caller holds pending, if one came: until the
 * deletions, apply stops there, undoes and says so (APPLY_STOPPED). */
static int stop_pending(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	sigset_t p;

	if (sigpending(&p))
		return 0;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigismember(&p, sigs[i]) == 1)
			return sigs[i];
	return 0;
}

/* A present device's three exchanges (enum present_job). */
static void set_dcs(struct apply_dev *t)
{
	t->dc[JOB_ROUTE_DEL] = (struct devconf){ .routes = t->del_r, .nroutes = t->ndel_r, .undo = true };
	t->dc[JOB_ADDR_DEL] = (struct devconf){ .addrs = t->del_a, .naddrs = t->ndel_a, .undo = true };
	t->dc[JOB_ADD] = (struct devconf){ .link = &t->link, .restore = &t->old, .addrs = t->add_a,
				      .naddrs = t->nadd_a, .routes = t->add_r, .nroutes = t->nadd_r,
				      /* Made meanwhile by another process (an add
				       * --exist-ok of the same line): as wanted. */
				      .add = true, .exist_ok = true, .undo = true };
}

/* Whether t is a present device converged in place (not made, nor
 * re-made). */
static bool in_place(const struct apply_dev *t)
{
	return t->d && !t->recreate;
}

/* Creates the device of w, held by *fd and not persistent yet. Returns 0,
 * or -EEXIST when it has come to exist meanwhile, or 1 after reporting
 * (FILE:LINE, but for /dev/net/tun, which no line is the cause of). */
static int create_one(struct ctx *c, const struct want *w, int *fd)
{
	enum ops_step step;
	char name[16];
	int err, rc;

	snprintf(name, sizeof(name), "%s", w->r->name);
	if (!(err = ops_tun_create(fd, name, &w->flags, &w->o, &step)))
		return 0;
	if (ops_create_taken(err, step))
		return -EEXIST;
	const char *at = ctx_at(c, step == OPS_OPEN ? NULL : w->where);
	rc = ops_report_create(c, err, step, name, &w->o);
	ctx_at(c, at);
	return rc;
}

/* The indexes of the devices just made: one link dump for all of them,
 * not one request each. Returns 0 or 1 after reporting. */
static int new_indexes(struct apply *a)
{
	struct device *l = NULL;
	size_t nl = 0;

	if (dump_links(a->c, &l, &nl))
		return 1;
	links_sort(l, nl);
	for (size_t i = 0; i < a->nw; i++) {
		const struct device *hit;

		if (in_place(&a->dev[i]))
			continue;
		if (!(hit = links_find(l, nl, a->w[i].r->name))) {
			report(a->c, "%s was deleted by another process while being created", a->w[i].r->name);
			free(l);
			return 1;
		}
		a->dev[i].ifindex = hit->ifindex;
	}
	free(l);
	return 0;
}

/* Sends the present devices' requests.  Should the exchange fail as a
 * whole, the kernel is asked again what became of each request whose
 * answer was lost, against the addresses and routes from before, as
 * dc_exchange does for one device: so that undo neither leaves what was
 * added nor loses what was removed.  Returns 0 (dc_result tells each
 * request's fate), or 1 after reporting. */
static int send_present(struct apply *a)
{
	struct ctx *c = a->c;
	struct dump_state before;
	unsigned what = 0;
	int err;

	memset(&before, 0, sizeof(before));
	if (!a->run1.tx.n)
		return 0;
	if (!ctx_nl(c))
		return 1;
	for (size_t i = 0; i < a->nw; i++) {
		const struct apply_dev *t = &a->dev[i];

		if (!in_place(t))
			continue;
		if (t->nadd_a || t->ndel_a)
			what |= DS_ADDRS;
		if (t->nadd_r || t->ndel_r)
			what |= DS_ROUTES;
		/* What the kernel may drop by itself (sidefx.h): for undo
		 * to put back. */
		if (t->ndel_a || sidefx_link_may_drop(&t->link))
			what |= DS_ADDRS | DS_ROUTES;
	}
	/* One dump of every device's, not one each. */
	if (what && (err = dump_state(c, 0, what, &before))) {
		report_err(c, err, NULL, "listing addresses and routes (to tell what was done should an answer be lost)");
		dump_state_free(&before);
		return 1;
	}
	if ((what & DS_ADDRS) && (what & DS_ROUTES) && dc_keep_snap(&a->run1, &before)) {
		report(c, "out of memory");
		dump_state_free(&before);
		return 1;
	}
	if ((err = nl_tx_run(&c->nl, &a->run1.tx))) {
		struct dump_state *b = a->run1.snap ? a->run1.snap : &before;

		for (size_t i = 0; i < a->nw; i++) {
			if (!in_place(&a->dev[i]))
				continue;
			b->ifindex = a->dev[i].d->ifindex;
			for (enum present_job k = 0; k < JOB_N; k++)
				dc_verify(c, &a->run1, apply_job(i, k), b, err);
		}
	}
	dump_state_free(&before);
	return 0;
}

/* Undoes what apply_carry_out did up to its failure, newest first. */
static void undo(struct apply *a)
{
	for (size_t i = a->nw; i-- > 0;) {
		struct apply_dev *t = &a->dev[i];

		/* Not persistent (any more), a device goes with its last fd. */
		if (t->fd >= 0) {
			tun_set_persist(t->fd, false);
			close(t->fd);
			t->fd = -1;
		}
		if (t->renamed) {
			struct nl_tx tx;
			void *room;

			nl_tx_init(&tx);
			if ((room = nl_tx_room(&tx))) {
				rtnl_link_rename(room, t->d->ifindex, t->d->ti.name);
				nl_tx_push(&tx);
			}
			/* Back in its own link group, and up if it was. */
			if ((room = nl_tx_room(&tx))) {
				rtnl_link_set(room, t->d->ifindex, &(struct link_spec){ .set_updown = t->d->link.up,
					      .up = true }, -1, t->d->link_group);
				nl_tx_push(&tx);
			}
			if (tx.n && ctx_nl(a->c))
				nl_tx_run(&a->c->nl, &tx);
			nl_tx_free(&tx);
			/* Down, it lost its IPv6 addresses and its routes (the
			 * kernel flushes them): they are given back. Quietly: the
			 * failure being undone is the one to report. */
			if (t->d->link.up && (t->d->naddrs || t->d->nroutes)) {
				struct devconf dc = { .addrs = t->d->addrs, .naddrs = t->d->naddrs,
						      .routes = t->d->routes, .nroutes = t->d->nroutes,
						      .add = true, .exist_ok = true };
				char ignored[512] = "", *saved = a->c->capture;
				size_t saved_len = a->c->capture_len;

				a->c->capture = ignored;
				a->c->capture_len = sizeof(ignored);
				devconf_apply(a->c, t->d->ti.name, t->d->ifindex, &dc);
				/* One whose gateway nothing reaches any more the
				 * kernel takes back only onlink. */
				dc_put_back_routes(a->c, t->d->ifindex, t->d->routes, t->d->nroutes);
				a->c->capture = saved;
				a->c->capture_len = saved_len;
			}
			t->renamed = false;
		}
		if (t->attached) {
			const struct tun_info *o = &t->d->ti;

			ops_admin_attach(o->name, &o->flags, &(struct owner){ .user_set = o->owner_set,
					 .uid = o->owner, .group_set = o->group_set, .gid = o->group }, NULL);
			t->attached = false;
		}
	}
	/* In the reverse of the order sent: every device's additions, then
	 * address deletions, then route deletions. */
	for (enum present_job k = JOB_N; k-- > 0;) {
		for (size_t i = a->nw; i-- > 0;) {
			if (!in_place(&a->dev[i]))
				continue;
			dc_undo(a->c, &a->run1, apply_job(i, k));
		}
	}
}

/* One deletion of step 6: a pruned device (t NULL), or the old copy of
 * t's device, which is re-created. */
enum gone_state { G_THERE, G_GONE, G_MAYBE };

struct gone {
	int ifindex;
	const char *name;               /* pruned: its name; old copy: the device's */
	struct apply_dev *t;
	enum gone_state st;
};

/* "a0", "a0 and b0", "a0, b0, c0 and 4 more": the names of those of v
 * (n) in state st and of the kind (re-created or not), for a message;
 * *count: how many. */
static void names_text(char *buf, size_t len, const struct gone *v, size_t n, enum gone_state st, bool recreated,
		       size_t *count)
{
	size_t k = 0, total = 0, at = 0;

	for (size_t i = 0; i < n; i++)
		total += v[i].st == st && !!v[i].t == recreated;
	*count = total;
	buf[0] = '\0';
	for (size_t i = 0; i < n && k < 3 && at < len; i++) {
		if (v[i].st != st || !!v[i].t != recreated)
			continue;
		k++;
		at += (size_t)snprintf(buf + at, len - at, "%s%s", k == 1 ? "" :
				       k == total ? " and " : ", ", v[i].name);
	}
	if (total > 3 && at < len)
		snprintf(buf + at, len - at, " and %zu more", total - 3);
}

/* After deletions of which some went through, which cannot be undone:
 * says, in one line, what failed (err, kmsg: the deletion of what), what
 * was done all the same and what is not known; the caller undoes the
 * rest. */
static void report_partial(struct ctx *c, const struct gone *v, size_t n, const char *what, int err,
			   const char *kmsg, int dump_err)
{
	char cause[200], rec[160], pru[160], mrec[160], mpru[160], done[400] = "", maybe[600] = "";
	const char *aside = "tunctl<index>";
	size_t nrec, npru, nmrec, nmpru;

	for (size_t i = 0; i < n; i++)
		if (v[i].t && v[i].st == G_MAYBE)
			aside = v[i].t->tmpname;

	snprintf(cause, sizeof(cause), "%s", kmsg && *kmsg ? kmsg : strerror(-err));
	names_text(rec, sizeof(rec), v, n, G_GONE, true, &nrec);
	names_text(pru, sizeof(pru), v, n, G_GONE, false, &npru);
	names_text(mrec, sizeof(mrec), v, n, G_MAYBE, true, &nmrec);
	names_text(mpru, sizeof(mpru), v, n, G_MAYBE, false, &nmpru);
	if (nrec || npru)
		snprintf(done, sizeof(done), "; by then %s%s%s%s%s, as the file says", rec,
			 !nrec ? "" : nrec > 1 ? " were re-created" : " was re-created", nrec && npru ? " and " : "",
			 pru, !npru ? "" : npru > 1 ? " were pruned" : " was pruned");
	if (nmrec || nmpru)
		snprintf(maybe, sizeof(maybe), "; asking the kernel again what was deleted failed (%s): %s%s%s%s%s%s",
			 strerror(-dump_err), mrec,
			 !nmrec ? "" : nmrec > 1 ? " are kept re-created, their old copies perhaps left as tunctl<index>"
			 : " is kept re-created, its old copy perhaps left as ", nmrec == 1 ? aside : "",
			 nmrec && nmpru ? ", and " : "", mpru, nmpru ? " perhaps pruned" : "");
	report(c, "deleting %s: %s%s%s; the rest is undone", what, cause, done, maybe);
}

/* Step 6's deletions: what is pruned first, so that a failure there costs
 * nothing else, then the old copies of the devices re-created; *n of
 * them.  NULL when out of memory. */
static struct gone *gone_list(struct apply *a, size_t *n)
{
	struct gone *v = calloc(a->nw + a->nprune + 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < a->nprune; i++)
		v[(*n)++] = (struct gone){ .ifindex = a->prune[i]->ifindex, .name = a->prune[i]->ti.name };
	for (size_t i = 0; i < a->nw; i++)
		if (a->dev[i].recreate)
			v[(*n)++] = (struct gone){ .ifindex = a->dev[i].d->ifindex, .name = a->w[i].r->name,
						   .t = &a->dev[i] };
	return v;
}

/* Each deletion's fate, into v from tx's answers; those whose answer was
 * lost, from one link dump (*dump_err: its failure, when it failed).
 * ENODEV: another process deleted it first; gone all the same.  Returns
 * the first deletion the kernel refused, or SIZE_MAX. */
static size_t deletion_fates(struct ctx *c, struct gone *v, size_t ng, const struct nl_tx *tx, int *dump_err)
{
	size_t nunknown = 0, bad = SIZE_MAX;
	int *idx;
	bool *gone;

	for (size_t i = 0; i < ng; i++) {
		const struct nl_reply *r = &tx->replies[i];

		if (r->fate == NL_UNKNOWN) {
			v[i].st = G_MAYBE;
			nunknown++;
		} else if (r->fate == NL_ANSWERED && (!r->err || r->err == -ENODEV)) {
			v[i].st = G_GONE;
		} else {
			v[i].st = G_THERE;
			if (r->fate == NL_ANSWERED && bad == SIZE_MAX)
				bad = i;
		}
	}
	if (!nunknown)
		return bad;
	/* Answers lost: the kernel is asked again, once. */
	idx = calloc(ng + 1, sizeof(*idx));
	gone = calloc(ng + 1, sizeof(*gone));
	if (!idx || !gone) {
		*dump_err = -ENOMEM;
	} else {
		long left;

		for (size_t i = 0; i < ng; i++)
			idx[i] = v[i].ifindex;
		if ((left = dump_links_left(c, idx, ng, gone)) < 0)
			*dump_err = (int)left;
	}
	for (size_t i = 0; !*dump_err && i < ng; i++)
		if (v[i].st == G_MAYBE)
			v[i].st = gone[i] ? G_GONE : G_THERE;
	free(idx);
	free(gone);
	return bad;
}

/* The deletions failed, some perhaps done (v: their fates, bad: the
 * first refused or SIZE_MAX, err: the exchange's failure): a re-created
 * device whose old copy is gone (or may be) is kept, as the file says, and
 * not undone; what failed and what was done all the same reported. */
static void deletions_failed(struct ctx *c, struct gone *v, size_t ng, const struct nl_tx *tx, size_t bad, int err,
			     int dump_err)
{
	bool any_gone = false;

	for (size_t i = 0; i < ng; i++) {
		struct apply_dev *t = v[i].t;

		any_gone = any_gone || v[i].st != G_THERE;
		/* Its old copy gone (or perhaps): the new one, persistent
		 * already, stays, and is not to be undone. */
		if (t && v[i].st != G_THERE) {
			close(t->fd);
			t->fd = -1;
			t->renamed = false;
		}
	}
	if (!any_gone && bad != SIZE_MAX)
		report_err(c, tx->replies[bad].err, tx->replies[bad].msg, "deleting %s", v[bad].name);
	else if (!any_gone)
		report_err(c, err, NULL, "deleting devices");
	else if (bad != SIZE_MAX)
		report_partial(c, v, ng, v[bad].name, tx->replies[bad].err, tx->replies[bad].msg, dump_err);
	else
		report_partial(c, v, ng, "devices", err, NULL, dump_err);
}

/* Step 6: what is pruned, then the old copies of the devices re-created,
 * in one exchange.  A deletion that went through cannot be undone: should
 * the exchange fail, which went through is learnt from the answers, and
 * those lost from one link dump; a re-created device whose old copy is
 * gone (or may be) is kept, as the file says, and the rest undone, so
 * that each device is as before or as the file says.  Returns 0, or 1
 * after reporting. */
static int delete_old(struct apply *a)
{
	struct ctx *c = a->c;
	size_t ng, bad;
	struct gone *v = gone_list(a, &ng);
	int err, dump_err = 0, rc = 1;
	struct nl_tx tx;
	void *room;

	if (v && !ng) {
		free(v);
		return 0;
	}
	nl_tx_init(&tx);
	for (size_t i = 0; v && i < ng && (room = nl_tx_room(&tx)); i++) {
		rtnl_link_del(room, v[i].ifindex);
		nl_tx_push(&tx);
	}
	if (!v || tx.n < ng) {
		report(c, "out of memory");
	} else if (ctx_nl(c)) {
		err = nl_tx_run(&c->nl, &tx);
		bad = deletion_fates(c, v, ng, &tx, &dump_err);
		rc = 0;
		for (size_t i = 0; i < ng && !rc; i++)
			rc = v[i].st != G_GONE;
		/* Answers lost, but everything was done: done. */
		if (bad != SIZE_MAX || rc) {
			deletions_failed(c, v, ng, &tx, bad, err, dump_err);
			rc = 1;
		}
	}
	nl_tx_free(&tx);
	free(v);
	if (rc)
		undo(a);
	return rc;
}

/* A stop signal pending: everything undone, APPLY_STOPPED (1).  At each
 * step up to the deletions. */
static int stopped(struct apply *a)
{
	if (!(a->stop_sig = stop_pending()))
		return 0;
	undo(a);
	a->outcome = APPLY_STOPPED;
	return 1;
}

/* 1. Present devices: link settings, addresses and routes of all of them
 * in one exchange: every device's route deletions, then address
 * deletions, then the rest, so that a route one line takes from a device
 * is gone before another line's device gets it.  Returns 0, or 1 after
 * reporting (undone). */
static int converge_present(struct apply *a)
{
	struct ctx *c = a->c;
	int rc, err;

	for (size_t i = 0; i < a->nw; i++)
		if (in_place(&a->dev[i]))
			set_dcs(&a->dev[i]);
	for (enum present_job k = 0; k < JOB_N; k++) {
		for (size_t i = 0; i < a->nw; i++) {
			struct apply_dev *t = &a->dev[i];

			if (!in_place(t))
				continue;
			if ((err = dc_queue(c, &a->run1, apply_job(i, k), t->d->ti.name, t->d->ifindex, &t->dc[k])))
				return dc_queue_failed(c, &a->run1, err);
		}
	}
	if (send_present(a)) {
		undo(a);
		return 1;
	}
	for (size_t i = 0; i < a->nw; i++) {
		if (!in_place(&a->dev[i]))
			continue;
		const char *at = ctx_at(c, a->w[i].where);
		rc = dc_result(c, &a->run1, apply_job(i, JOB_ROUTE_DEL)) ||
		     dc_result(c, &a->run1, apply_job(i, JOB_ADDR_DEL)) || dc_result(c, &a->run1, apply_job(i, JOB_ADD));
		ctx_at(c, at);
		if (rc) {
			undo(a);
			return 1;
		}
	}
	return 0;
}

/* 2. Devices to re-create step aside: down, and renamed.  Returns 0, or
 * 1 after reporting (undone). */
static int set_aside(struct apply *a)
{
	struct ctx *c = a->c;
	int err = 0;

	for (size_t i = 0; i < a->nw; i++) {
		struct apply_dev *t = &a->dev[i];
		struct nl_tx tx;
		void *room;
		int bad = 0;

		if (!t->recreate)
			continue;
		snprintf(t->tmpname, sizeof(t->tmpname), "tunctl%d", t->d->ifindex);
		nl_tx_init(&tx);
		if ((room = nl_tx_room(&tx))) {
			/* Into a link group of tunctl's: should apply be
			 * killed, the next one (or del) finds it left over. */
			rtnl_link_set(room, t->d->ifindex, &(struct link_spec){ .set_updown = true }, -1,
				      OPS_ASIDE_GROUP);
			nl_tx_push(&tx);
		}
		if ((room = nl_tx_room(&tx))) {
			rtnl_link_rename(room, t->d->ifindex, t->tmpname);
			nl_tx_push(&tx);
		}
		if (tx.n != 2 || !ctx_nl(c) || (err = nl_tx_run(&c->nl, &tx)) ||
		    (err = tx.replies[0].err) || (err = tx.replies[1].err))
			bad = 1;
		if (!bad)
			t->renamed = true;
		else if (tx.n == 2 && tx.replies[0].fate == NL_ANSWERED && !tx.replies[0].err)
			t->renamed = true;      /* down, not renamed: put back up */
		if (bad) {
			const char *at = ctx_at(c, a->w[i].where);
			report_err(c, err ? err : -ENOMEM, tx.n == 2 ? tx.replies[1].msg : NULL,
				   "%s: setting it aside to re-create it", t->d->ti.name);
			ctx_at(c, at);
			nl_tx_free(&tx);
			undo(a);
			return 1;
		}
		nl_tx_free(&tx);
	}
	return 0;
}

/* 3. New devices, and re-created ones: made (nnew of them), and their
 * configuration queued for one exchange.  Returns 0, or 1 after reporting
 * or, a->outcome APPLY_RACED, when one came to exist meanwhile (undone). */
static int create_new(struct apply *a, size_t nnew)
{
	struct ctx *c = a->c;
	int rc, err;

	for (size_t i = 0; i < a->nw; i++) {
		if (in_place(&a->dev[i]))
			continue;
		if ((rc = create_one(c, &a->w[i], &a->dev[i].fd))) {
			if (rc == -EEXIST)
				a->outcome = APPLY_RACED;
			undo(a);
			return 1;
		}
	}
	if (nnew && new_indexes(a)) {
		undo(a);
		return 1;
	}
	for (size_t i = 0; i < a->nw; i++) {
		struct apply_dev *t = &a->dev[i];

		if (in_place(t))
			continue;
		t->dc_new = (struct devconf){ .link = &a->w[i].link, .addrs = a->w[i].r->addrs,
					      .naddrs = a->w[i].r->naddrs, .routes = a->w[i].r->routes,
					      .nroutes = a->w[i].r->nroutes, .add = true, .exist_ok = true };
		if ((err = dc_queue(c, &a->run2, i, a->w[i].r->name, t->ifindex, &t->dc_new))) {
			dc_queue_failed(c, &a->run2, err);
			undo(a);
			return 1;
		}
	}
	return 0;
}

/* 3, continued: the new devices' configuration sent.  Returns 0, or 1
 * after reporting (undone). */
static int configure_new(struct apply *a)
{
	struct ctx *c = a->c;
	int rc;

	if (dc_send(c, &a->run2)) {
		undo(a);
		return 1;
	}
	for (size_t i = 0; i < a->nw; i++) {
		if (in_place(&a->dev[i]))
			continue;
		const char *at = ctx_at(c, a->w[i].where);
		rc = dc_result(c, &a->run2, i);
		ctx_at(c, at);
		if (rc) {
			undo(a);
			return 1;
		}
	}
	return 0;
}

/* 4. The new devices are made persistent, still held (should the
 * deletions fail, they are made not persistent again and dropped with the
 * rest).  Returns 0, or 1 after reporting (undone). */
static int make_persistent(struct apply *a)
{
	struct ctx *c = a->c;
	int err;

	for (size_t i = 0; i < a->nw; i++) {
		int fd = a->dev[i].fd;

		if (fd >= 0 && (err = tun_set_persist(fd, true))) {
			const char *at = ctx_at(c, a->w[i].where);
			report_err(c, err, NULL, "%s: making it persistent", a->w[i].r->name);
			ctx_at(c, at);
			undo(a);
			return 1;
		}
	}
	return 0;
}

/* 5. What takes an attach: pi, vnet_hdr, owner and group; late, as an
 * owner or group given to a device that had none cannot be taken back
 * (what else fails after it is undone, that stays).  Returns 0, or 1
 * after reporting (undone). */
static int attach_present(struct apply *a)
{
	struct ctx *c = a->c;
	int err;

	for (size_t i = 0; i < a->nw; i++) {
		struct apply_dev *t = &a->dev[i];
		struct tun_flags f;

		if (!in_place(t) || !t->attach)
			continue;
		/* TUNSETIFF sets what it is given: the flags tunctl does not
		 * manage (IFF_NAPI...) are carried over from sysfs's tun_flags,
		 * the only place the kernel shows them. */
		f = a->w[i].flags;
		if (!sysfs_tun_flags_only(t->d->ti.name, &t->d->ti.flags))
			tun_flags_take_hidden(&f, &t->d->ti.flags);
		t->attached = true;
		if ((err = ops_admin_attach(t->d->ti.name, &f, &a->w[i].o, NULL))) {
			const char *at = ctx_at(c, a->w[i].where);
			report_err(c, err, NULL, "%s: setting its flags, owner and group", t->d->ti.name);
			ctx_at(c, at);
			undo(a);
			return 1;
		}
	}
	return 0;
}

int apply_carry_out(struct apply *a)
{
	size_t nnew = 0;

	a->outcome = APPLY_DONE;
	if (stopped(a))
		return 1;
	/* Every new device is held open until all is done (all or nothing). */
	for (size_t i = 0; i < a->nw; i++)
		nnew += !in_place(&a->dev[i]);
	if (nnew && nnew + 32 > fd_room()) {
		report(a->c, "apply would hold %zu new devices open at once, and the limit of descriptors is %zu "
		       "(ulimit -n): raise it, or apply the file in parts", nnew, fd_room());
		return 1;
	}
	/* Each step undoes everything on failure; a stop signal is looked at
	 * between them, until the deletions (6), which cannot be undone:
	 * past them a stop signal waits for the end. */
	if (converge_present(a) || stopped(a) || set_aside(a) || stopped(a) || create_new(a, nnew) ||
	    stopped(a) || configure_new(a) || stopped(a) || make_persistent(a) || attach_present(a) ||
	    stopped(a) || delete_old(a))
		return 1;
	for (size_t i = 0; i < a->nw; i++) {
		a->dev[i].renamed = false;
		if (a->dev[i].fd >= 0)
			close(a->dev[i].fd);
		a->dev[i].fd = -1;
	}
	return 0;
}

void apply_reset(struct apply *a)
{
	for (size_t i = 0; a->dev && i < a->nw; i++) {
		struct apply_dev *t = &a->dev[i];

		free(t->add_a);
		free(t->del_a);
		free(t->add_r);
		free(t->del_r);
		if (t->fd >= 0)
			close(t->fd);
		memset(t, 0, sizeof(*t));
		t->fd = -1;
	}
	devset_free(&a->cur);
	free(a->plan.v);
	memset(&a->plan, 0, sizeof(a->plan));
	a->nprune = 0;
	a->diff_at = 0;
	a->outcome = APPLY_DONE;
	dc_run_free(&a->run1);
	dc_run_free(&a->run2);
	dc_run_init(&a->run1);
	dc_run_init(&a->run2);
}
