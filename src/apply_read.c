/* apply_read.c - apply's reader: the file's lines into wanted devices
 * (with their owners resolved, checked for a name or route given twice),
 * and the namespace into a device set, with what the diff (apply_plan.c)
 * asks for beyond the link dump: who holds a device (/proc, or the kernel
 * when /proc cannot tell) and its promote_secondaries.  The diff's
 * refusals are reported here. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrroute.h"
#include "apply.h"
#include "procfs.h"

static int by_name_then_line(const void *a, const void *b)
{
	const struct want *x = *(const struct want *const *)a, *y = *(const struct want *const *)b;
	int d = strcmp(x->r->name, y->r->name);

	return d ? d : (x > y) - (x < y);
}

/* A name given twice: the second line is the error. Sorted, so that a
 * file of many devices costs n log n. Returns 0, or 2 after reporting. */
static int name_twice(struct ctx *c, struct want *w, size_t n)
{
	const struct want **v = malloc((n + 1) * sizeof(*v)), *bad = NULL, *first = NULL;

	if (!v) {
		report(c, "out of memory");
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = &w[i];
	qsort(v, n, sizeof(*v), by_name_then_line);
	/* In each run of one name, the second is the line that repeats it
	 * and the first the line it repeats; the earliest such line counts. */
	for (size_t i = 1; i < n; i++) {
		if (strcmp(v[i]->r->name, v[i - 1]->r->name) ||
		    (i >= 2 && !strcmp(v[i - 2]->r->name, v[i]->r->name)))
			continue;
		if (!bad || v[i] < bad) {
			bad = v[i];
			first = v[i - 1];
		}
	}
	if (bad) {
		const char *at = ctx_at(c, bad->where);
		report(c, "device %s is named twice (first at %s)", bad->r->name, first->where);
		ctx_at(c, at);
	}
	free(v);
	return bad ? 2 : 0;
}

/* A route given twice, on two lines or on one: the kernel keeps one
 * route per destination, metric and table, so the second would never be
 * there, and apply would report it made.  The later is the error, the
 * earlier named.  Returns 0, or 2 after reporting. */
static int route_twice(struct ctx *c, const struct want *w, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		for (size_t l = 0; l < w[j].r->nroutes; l++) {
			const struct route_spec *b = &w[j].r->routes[l];

			for (size_t i = 0; i <= j; i++) {
				size_t m = i == j ? l : w[i].r->nroutes;

				for (size_t k = 0; k < m; k++) {
					const struct route_spec *a = &w[i].r->routes[k];
					char ta[ROUTE_TEXT_LEN], tb[ROUTE_TEXT_LEN];

					if (!route_same_slot(a, b))
						continue;
					route_text(a, ta, sizeof(ta));
					route_text(b, tb, sizeof(tb));
					const char *at = ctx_at(c, w[j].where);
					report(c, "%s's route \"%s\" and %s's route \"%s\" (at %s) are one route to the "
					       "kernel, which keeps one per destination, metric and table: give it to one "
					       "device, or each its own metric", w[j].r->name, tb, w[i].r->name, ta, w[i].where);
					ctx_at(c, at);
					return 2;
				}
			}
		}
	}
	return 0;
}

/* A device or a route given twice in w (see above). */
int apply_check_twice(struct ctx *c, struct want *w, size_t n)
{
	int rc = name_twice(c, w, n);

	return rc ? rc : route_twice(c, w, n);
}

int apply_read_wants(struct ctx *c, const struct batch_line *v, size_t n, const char *name,
		     struct want *w, char (*where)[WHERE_LEN])
{
	for (size_t i = 0; i < n; i++) {
		const struct request *req = &v[i].req;
		const struct add_req *r = &req->u.add;

		struct owner o;
		int rc = 0;

		snprintf(where[i], sizeof(where[i]), "%s:%u", name, v[i].no);
		/* where is the caller's, freed when apply ends: c->where is
		 * put back before each return. */
		const char *at = ctx_at(c, where[i]);
		if (req->cmd != CMD_ADD || req->g.help) {
			report(c, "only add lines can stand in a file for apply, not \"%s\"", cmd_name(req->cmd));
			rc = 2;
		} else if (strchr(r->name, '%')) {
			report(c, "\"%s\" is a name template: apply needs the device's own name", r->name);
			rc = 2;
		} else {
			rc = owner_resolve(c, &r->user, &r->group, !r->any_user, &o);
		}
		ctx_at(c, at);
		if (rc)
			return rc;
		w[i] = (struct want){ .r = r, .where = where[i], .link = r->link, .o = o };
		w[i].flags = (struct tun_flags){ .mode = r->mode, .pi = r->pi, .vnet_hdr = r->vnet_hdr,
						 .multi_queue = r->multi_queue };
		w[i].link.set_updown = true;
	}
	return apply_check_twice(c, w, n);
}

/* Whether d is held, after dev_read_holders: by a process /proc shows
 * (d->nholders), or, when /proc could not look into every process (another
 * user's, another user namespace's), as the kernel says.  1, 0, or -1
 * after reporting that it cannot be known ("...; fix"). */
static int held(struct ctx *c, const struct device *d, const char *fix)
{
	/* What the link dump of the device set said: not asked again. */
	const struct device li = {
		.ifindex = d->ifindex, .is_tun = true,
		.ti = { .flags = { .multi_queue = d->ti.flags.multi_queue } }, .has_queues = d->has_queues,
		.num_queues = d->num_queues, .num_disabled = d->num_disabled,
	};

	if (d->nholders)
		return 1;
	if (!proc_unseen())
		return 0;
	return ops_held_per_kernel(c, &li, d->ti.name, fix);
}

/* The holders of every device, then whether n's device is held.  0, or
 * 1 after reporting. */
static int read_held(struct apply *a, const struct fact_need *n)
{
	static const char *const fix[] = {
		[HELD_RECREATE] = "it is not re-created while that is not known",
		[HELD_PI] = "apply cannot tell whether its pi and vnet-hdr may be set back",
		[HELD_OWNER] = "its owner and group are not changed while that is not known",
		[HELD_PRUNE] = "use --force to delete it anyway",
	};
	struct ctx *c = a->c;
	int h;

	if (dev_read_holders(c, &a->cur))
		return 1;
	if (n->held == HELD_NO)
		return 0;
	/* A device the file does not name: no line to name. */
	const char *at = n->where ? ctx_at(c, n->where) : NULL;
	h = held(c, &a->cur.v[n->dev], fix[n->held]);
	if (n->where)
		ctx_at(c, at);
	if (h < 0)
		return 1;
	a->cur.v[n->dev].facts.held = h;
	return 0;
}

/* What the diff asked for of one device, in its order (struct
 * fact_need).  0, or 1 after reporting. */
static int read_facts(struct apply *a, const struct fact_need *n)
{
	struct dev_facts *f = &a->cur.v[n->dev].facts;

	if (n->holders && n->holders_first && read_held(a, n))
		return 1;
	/* Unknown: as the kernel's default, which re-adds them at worst. */
	if (n->promote)
		proc_promote_secondaries(a->cur.v[n->dev].ti.name, &f->promote);
	if (n->holders && !n->holders_first && read_held(a, n))
		return 1;
	f->read = true;
	return 0;
}

int apply_make_plan(struct apply *a)
{
	struct ctx *c = a->c;
	struct fact_need need;
	struct refusal why;
	int rc;

	if (dev_read_all(c, &a->cur))
		return 1;
	free(a->prune);
	a->prune = calloc(a->cur.n + 1, sizeof(*a->prune));
	if (!a->prune) {
		report(c, "out of memory");
		return 1;
	}
	a->diff_at = 0;
	while ((rc = apply_diff(a, &why, &need)) == 2)
		if (read_facts(a, &need))
			return 1;
	if (rc == 1) {
		const char *at = ctx_at(c, why.where);
		report(c, "%s", why.text);
		ctx_at(c, at);
		return 1;
	}
	if (rc || a->plan.oom) {
		report(c, "out of memory");
		return 1;
	}
	return 0;
}
