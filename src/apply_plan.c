/* apply_plan.c - apply's plan: the file's devices against the namespace's,
 * as a diff of two device models; nothing is changed here. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "addrroute.h"
#include "apply.h"
#include "link.h"
#include "procfs.h"
#include "sidefx.h"
#include "vec.h"

static const char *const op_names[] = { "create", "recreate", "delete", "set", "add", "remove", "note" };

static struct change *plan_add(struct plan *p, enum step op, const char *dev, const char *what)
{
	struct change *c;

	{
		struct change *v = vec_grow(p->v, &p->cap, p->n + 1, sizeof(*v));

		if (!v) {
			p->oom = true;
			return NULL;
		}
		p->v = v;
	}
	c = &p->v[p->n++];
	memset(c, 0, sizeof(*c));
	c->op = op;
	c->dev = dev;
	c->what = what;
	return c;
}

static void plan_set(struct plan *p, const char *dev, const char *what, const char *from, const char *to)
{
	struct change *c = plan_add(p, ST_SET, dev, what);

	if (c) {
		snprintf(c->from, sizeof(c->from), "%s", from);
		snprintf(c->to, sizeof(c->to), "%s", to);
	}
}

/* A plan line for each address (op: add or remove) of dev. */
static void plan_addrs(struct plan *p, enum step op, const char *dev, const struct addr_spec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct change *ch = plan_add(p, op, dev, "addr");

		if (ch)
			addr_text(&v[i], ch->text, sizeof(ch->text));
	}
}

static void plan_routes(struct plan *p, enum step op, const char *dev, const struct route_spec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct change *ch = plan_add(p, op, dev, "route");

		if (ch)
			route_text(&v[i], ch->text, sizeof(ch->text));
	}
}

static const char *onoff(bool b)
{
	return b ? "on" : "off";
}

static const char *id_text(bool set, uint32_t id, char *buf, size_t len)
{
	if (!set)
		return "-";
	snprintf(buf, len, "%u", id);
	return buf;
}

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


static bool addr_eq(const void *a, const void *b)
{
	return addr_same(a, b);
}

static bool route_eq(const void *a, const void *b)
{
	return route_same(a, b);
}

/* Appends to *out (of *nout) each of the na elements of a that none of the
 * nb of b equals. 0 or -ENOMEM. */
static int only_in(const void *a, size_t na, const void *b, size_t nb, size_t size,
		   bool (*eq)(const void *, const void *), void **out, size_t *nout)
{
	for (size_t i = 0; i < na; i++) {
		const char *x = (const char *)a + i * size;
		bool found = false;

		for (size_t k = 0; k < nb && !found; k++)
			found = eq(x, (const char *)b + k * size);
		if (!found && vec_append(out, nout, x, size))
			return -ENOMEM;
	}
	return 0;
}

/* What the kernel will take by itself with t's changes to d (sidefx.h)
 * and the file keeps: added back in the same exchange, after the link
 * settings and deletions that take it, so that one apply converges.  The
 * addresses deleted go secondaries first.  0 or -ENOMEM. */
static int readd_dropped(const struct device *d, struct todo *t)
{
	const struct sidefx_change ch = { .now = &d->link, .set = &t->link, .addrs = d->addrs,
					  .naddrs = d->naddrs, .del_a = t->del_a, .ndel_a = t->ndel_a,
					  .promote = t->promote };

	sidefx_order_deletions(d->addrs, d->naddrs, t->del_a, t->ndel_a);
	for (size_t i = 0; i < d->naddrs; i++) {
		bool del = false;

		for (size_t k = 0; k < t->ndel_a && !del; k++)
			del = addr_same(&t->del_a[k], &d->addrs[i]);
		if (!del && sidefx_addr_dropped(&ch, &d->addrs[i]) &&
		    vec_append((void **)&t->add_a, &t->nadd_a, &d->addrs[i], sizeof(d->addrs[i])))
			return -ENOMEM;
	}
	for (size_t i = 0; i < d->nroutes; i++) {
		struct route_spec r = d->routes[i];
		bool del = false;

		/* As a file gives it, so that a message names it so: the
		 * defaults left out. */
		r.has_metric = route_metric(&r) != route_default_metric(r.dst.addr.family);
		r.has_table = route_table(&r) != RT_TABLE_MAIN;

		for (size_t k = 0; k < t->ndel_r && !del; k++)
			del = route_same(&t->del_r[k], &r);
		if (!del && sidefx_route_dropped(&ch, &r) && vec_append((void **)&t->add_r, &t->nadd_r, &r, sizeof(r)))
			return -ENOMEM;
	}
	return 0;
}

int apply_diff_config(const struct want *w, const struct device *d, struct todo *t, struct plan *p)
{
	const char *name = w->r->name;

	t->old = d->link;
	/* Each link setting the file gives that differs, the state always. */
	for (size_t i = 0; i < LINK_N; i++) {
		const struct link_setting *s = &link_settings[i];
		char from[LINK_TEXT_LEN], to[LINK_TEXT_LEN];

		if (!link_has(s, &w->link) || link_same(s, &w->link, &d->link))
			continue;
		plan_set(p, name, s->name, link_text(s, &d->link, from, sizeof(from)),
			 link_text(s, &w->link, to, sizeof(to)));
		link_copy(s, &t->link, &w->link);
	}
	/* Deletions first in the plan as in the exchange: routes, then
	 * addresses, so no route loses its way before it is removed.  With
	 * --keep-config, those the line does not list are its program's
	 * (networkd's KeepConfiguration=): none is removed. */
	if ((!w->r->keep_config &&
	     (only_in(d->routes, d->nroutes, w->r->routes, w->r->nroutes, sizeof(*d->routes), route_eq,
		      (void **)&t->del_r, &t->ndel_r) ||
	      only_in(d->addrs, d->naddrs, w->r->addrs, w->r->naddrs, sizeof(*d->addrs), addr_eq,
		      (void **)&t->del_a, &t->ndel_a))) ||
	    readd_dropped(d, t) ||
	    only_in(w->r->addrs, w->r->naddrs, d->addrs, d->naddrs, sizeof(*d->addrs), addr_eq,
		    (void **)&t->add_a, &t->nadd_a) ||
	    only_in(w->r->routes, w->r->nroutes, d->routes, d->nroutes, sizeof(*d->routes), route_eq,
		    (void **)&t->add_r, &t->nadd_r))
		return -ENOMEM;
	plan_routes(p, ST_REMOVE, name, t->del_r, t->ndel_r);
	plan_addrs(p, ST_REMOVE, name, t->del_a, t->ndel_a);
	plan_addrs(p, ST_ADD, name, t->add_a, t->nadd_a);
	plan_routes(p, ST_ADD, name, t->add_r, t->nadd_r);
	return 0;
}

static size_t ipv4_count(const struct device *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->naddrs; i++)
		n += d->addrs[i].local.addr.family == AF_INET;
	return n;
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

/* "COMM (pid N)" of d's first holder, or what stands for one /proc does not show. */
static const char *holder_name(const struct device *d, char *buf, size_t len)
{
	if (!d->nholders)
		return "a process that tunctl cannot see in /proc";
	snprintf(buf, len, "%s (pid %d)", d->holder_comm, (int)d->holder_pid);
	return buf;
}

/* The differences of one present device, into t and the plan: its
 * identity, flags, owner and group here (which may need its holders read),
 * then apply_diff_config.  Returns 0, or 1 after reporting what cannot
 * be converged or that memory ran out. */
static int diff_device(struct ctx *c, const struct apply_req *ar, struct devset *cur, struct todo *t,
		       struct plan *p)
{
	const struct want *w = t->w;
	const struct device *d = t->d;
	const struct tun_flags *f = &d->ti.flags;
	const char *name = w->r->name;
	char a[64], b[64], who[48];
	int h;
	bool ident = f->mode != w->flags.mode || f->multi_queue != w->flags.multi_queue;
	bool owner_lost = (d->ti.owner_set && !w->o.user_set) || (d->ti.group_set && !w->o.group_set);

	if (ident || owner_lost) {
		const char *what = f->mode != w->flags.mode ? "mode" : f->multi_queue != w->flags.multi_queue ?
				   "multi-queue" : d->ti.owner_set && !w->o.user_set ? "user" : "group";

		if (!strcmp(what, "mode")) {
			snprintf(a, sizeof(a), "%s", mode_name(f->mode));
			snprintf(b, sizeof(b), "%s", mode_name(w->flags.mode));
		} else if (!strcmp(what, "multi-queue")) {
			snprintf(a, sizeof(a), "%s", onoff(f->multi_queue));
			snprintf(b, sizeof(b), "%s", onoff(w->flags.multi_queue));
		} else {
			snprintf(a, sizeof(a), "%u", !strcmp(what, "user") ? d->ti.owner : d->ti.group);
			snprintf(b, sizeof(b), "-");
		}
		if (ar->recreate && dev_read_holders(c, cur))
			return 1;
		const char *at = ctx_at(c, w->where);
		if (!ar->recreate) {
			if (ident)
				report(c, "%s is %s %s, the file says %s %s: apply --recreate deletes and re-creates it",
				       name, what, a, what, b);
			else
				report(c, "%s has %s %s and the kernel cannot clear it: apply --recreate "
				       "deletes and re-creates it", name, what, a);
			ctx_at(c, at);
			return 1;
		}
		if ((h = held(c, d, "it is not re-created while that is not known"))) {
			if (h > 0)
				report(c, "%s is in use by %s: it cannot be re-created (%s %s -> %s) while held",
				       name, holder_name(d, who, sizeof(who)), what, a, b);
			ctx_at(c, at);
			return 1;
		}
		ctx_at(c, at);
		t->recreate = true;
		struct change *ch = plan_add(p, ST_RECREATE, name, what);

		if (ch) {
			snprintf(ch->from, sizeof(ch->from), "%s", a);
			snprintf(ch->to, sizeof(ch->to), "%s", b);
		}
		return 0;
	}
	/* pi and vnet_hdr are whoever attached last's: set back only when
	 * nobody holds the device. */
	if (f->pi != w->flags.pi || f->vnet_hdr != w->flags.vnet_hdr) {
		const char *what = f->pi != w->flags.pi ? "pi" : "vnet-hdr";
		bool has = f->pi != w->flags.pi ? f->pi : f->vnet_hdr;

		if (dev_read_holders(c, cur))
			return 1;
		const char *at = ctx_at(c, w->where);
		h = held(c, d, "apply cannot tell whether its pi and vnet-hdr may be set back");
		ctx_at(c, at);
		if (h < 0)
			return 1;
		if (h) {
			struct change *ch = plan_add(p, ST_NOTE, name, what);

			if (ch && d->nholders)
				snprintf(ch->text, sizeof(ch->text), "%s %s, the file says %s: left as the "
					 "attached %s (pid %d) set it", what, onoff(has), onoff(!has),
					 d->holder_comm, (int)d->holder_pid);
			else if (ch)
				snprintf(ch->text, sizeof(ch->text), "%s %s, the file says %s: left as the "
					 "attached process (one tunctl cannot see in /proc) set it", what, onoff(has),
					 onoff(!has));
		} else {
			if (f->pi != w->flags.pi)
				plan_set(p, name, "pi", onoff(f->pi), onoff(w->flags.pi));
			if (f->vnet_hdr != w->flags.vnet_hdr)
				plan_set(p, name, "vnet-hdr", onoff(f->vnet_hdr), onoff(w->flags.vnet_hdr));
			t->attach = true;
		}
	}
	if (w->o.user_set && (!d->ti.owner_set || d->ti.owner != w->o.uid)) {
		plan_set(p, name, "user", id_text(d->ti.owner_set, d->ti.owner, a, sizeof(a)),
			 id_text(true, w->o.uid, b, sizeof(b)));
		t->attach = true;
	}
	if (w->o.group_set && (!d->ti.group_set || d->ti.group != w->o.gid)) {
		plan_set(p, name, "group", id_text(d->ti.group_set, d->ti.group, a, sizeof(a)),
			 id_text(true, w->o.gid, b, sizeof(b)));
		t->attach = true;
	}
	/* Whether deleting a primary IPv4 address takes its secondaries;
	 * unknown: as the kernel's default, which re-adds them at worst. */
	if (ipv4_count(d) > 1)
		proc_promote_secondaries(name, &t->promote);
	if (t->attach && dev_read_holders(c, cur))
		return 1;
	if (t->attach && !f->multi_queue) {
		/* A single-queue device that is held cannot be attached to. */
		const char *at = ctx_at(c, w->where);
		if ((h = held(c, d, "its owner and group are not changed while that is not known")) > 0)
			report(c, "%s is in use by %s: its owner and group can be changed only while "
			       "no process has it open", name, holder_name(d, who, sizeof(who)));
		ctx_at(c, at);
		if (h)
			return 1;
	}
	if (apply_diff_config(w, d, t, p)) {
		report(c, "out of memory");
		return 1;
	}
	return 0;
}

/* The plan lines of a device to be made, with what it is made with. */
static void plan_create(struct plan *p, const struct want *w, enum step op)
{
	if (op == ST_CREATE)
		plan_add(p, ST_CREATE, w->r->name, NULL);
	plan_addrs(p, ST_ADD, w->r->name, w->r->addrs, w->r->naddrs);
	plan_routes(p, ST_ADD, w->r->name, w->r->routes, w->r->nroutes);
}

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

/* Whether prefix p holds address a. */
static bool prefix_holds(const struct prefix *p, const struct ipaddr *a)
{
	unsigned bits = p->len;

	if (p->addr.family != a->family)
		return false;
	for (size_t i = 0; bits && i < (a->family == AF_INET ? 4u : 16u); i++, bits = bits > 8 ? bits - 8 : 0) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if ((p->addr.a.b[i] & mask) != (a->a.b[i] & mask))
			return false;
	}
	return true;
}

/* Whether the kernel finds gateway gw on a link with these addresses and
 * routes: in the subnet of an address (its peer's, for a point-to-point
 * one), or of a route without a gateway; IPv6 link-local always. */
static bool gw_reached(const struct ipaddr *gw, const struct addr_spec *a, size_t na,
		       const struct route_spec *r, size_t nr)
{
	if (gw->family == AF_INET6 && gw->a.b[0] == 0xfe && (gw->a.b[1] & 0xc0) == 0x80)
		return true;
	for (size_t i = 0; i < na; i++) {
		struct prefix p = a[i].local;

		if (a[i].has_peer)
			p.addr = a[i].peer;
		if (prefix_holds(&p, gw))
			return true;
	}
	for (size_t i = 0; i < nr; i++)
		if (!r[i].has_gw && prefix_holds(&r[i].dst, gw))
			return true;
	return false;
}

/* A route with a gateway that the plan's changes make the kernel drop
 * (a link down, the last IPv4 address, an MTU under 1280) and that the
 * file keeps, whose gateway no address or route of the device reaches,
 * now (for the undo) nor among what the plan adds: it exists (the address that reached its gateway went
 * after it was made), but the kernel would refuse it once dropped, so
 * apply would fail with it lost and its undo could not put it back.
 * Returns 0, or 1 after reporting FILE:LINE. */
static int readd_unreachable(struct apply *a)
{
	struct ctx *c = a->c;

	for (size_t i = 0; i < a->nw; i++) {
		const struct todo *t = &a->t[i];
		const struct device *d = t->d;

		if (!d)
			continue;
		/* Re-created: the new copy has the line's addresses and routes
		 * alone, and a failure there would cost the old copy's routes
		 * whose gateway nothing reaches (its undo cannot always put them
		 * back): refused first. */
		for (size_t k = 0; t->recreate && k < a->w[i].r->nroutes; k++) {
			const struct route_spec *r = &a->w[i].r->routes[k];
			char tr[ROUTE_TEXT_LEN], tg[ADDR_TEXT_LEN];

			if (!r->has_gw || gw_reached(&r->gw, a->w[i].r->addrs, a->w[i].r->naddrs, a->w[i].r->routes,
						     a->w[i].r->nroutes))
				continue;
			route_text(r, tr, sizeof(tr));
			c->where = a->w[i].where;
			report(c, "%s's route \"%s\": no address or route of the line reaches its gateway %s, so "
			       "the kernel would refuse it on the re-created %s (give %s an address in its subnet, "
			       "or take the route out of the line)", d->ti.name, tr,
			       format_ipaddr(&r->gw, tg, sizeof(tg)), d->ti.name, d->ti.name);
			c->where = NULL;
			return 1;
		}
		if (t->recreate)
			continue;
		for (size_t k = 0; k < t->nadd_r; k++) {
			const struct route_spec *r = &t->add_r[k];
			bool has = false;
			char tr[ROUTE_TEXT_LEN], tg[ADDR_TEXT_LEN];

			for (size_t l = 0; l < d->nroutes && !has; l++)
				has = route_same(&d->routes[l], r);
			if (!has || !r->has_gw || gw_reached(&r->gw, d->addrs, d->naddrs, d->routes, d->nroutes) ||
			    gw_reached(&r->gw, t->add_a, t->nadd_a, t->add_r, t->nadd_r))
				continue;
			route_text(r, tr, sizeof(tr));
			c->where = a->w[i].where;
			report(c, "%s's route \"%s\" would be dropped by the kernel with the changes to %s and "
			       "could not be made again: no address or route of %s reaches its gateway %s (give "
			       "%s an address in its subnet, or take the route out of the line)", d->ti.name, tr,
			       d->ti.name, d->ti.name, format_ipaddr(&r->gw, tg, sizeof(tg)), d->ti.name);
			c->where = NULL;
			return 1;
		}
	}
	return 0;
}

/* Whether d, a device of the namespace, still has route r once the plan
 * is carried out: it is not deleted (--prune, a leftover, --recreate) and
 * its line, if the file has one, does not remove r. */
static bool keeps_route(const struct apply *a, const struct device *d, const struct route_spec *r)
{
	for (size_t i = 0; i < a->nprune; i++)
		if (a->prune[i] == d)
			return false;
	for (size_t i = 0; i < a->nw; i++) {
		const struct todo *t = &a->t[i];

		if (t->d != d)
			continue;
		if (t->recreate)
			return false;
		for (size_t k = 0; k < t->ndel_r; k++)
			if (route_same(&t->del_r[k], r))
				return false;
	}
	return true;
}

/* A route the plan adds to a device that another device keeps (same
 * destination, metric and table): the kernel would refuse it as existing
 * and apply would report it made.  Lines of the file that both give it
 * are refused earlier (apply_check_twice); here the other device is one
 * the file does not name, or one whose line keeps it (--keep-config).
 * Returns 0, or 1 after reporting FILE:LINE. */
static int route_held_elsewhere(struct apply *a)
{
	struct ctx *c = a->c;

	for (size_t i = 0; i < a->nw; i++) {
		const struct todo *t = &a->t[i];
		bool made = !t->d || t->recreate;
		const struct route_spec *add = made ? a->w[i].r->routes : t->add_r;
		size_t nadd = made ? a->w[i].r->nroutes : t->nadd_r;

		for (size_t k = 0; k < nadd; k++) {
			for (size_t j = 0; j < a->cur.n; j++) {
				const struct device *d = &a->cur.v[j];

				if (!strcmp(d->ti.name, a->w[i].r->name))
					continue;
				for (size_t l = 0; l < d->nroutes; l++) {
					char ta[ROUTE_TEXT_LEN], tb[ROUTE_TEXT_LEN];

					if (!route_same_slot(&d->routes[l], &add[k]) || !keeps_route(a, d, &d->routes[l]))
						continue;
					route_text(&add[k], ta, sizeof(ta));
					route_text(&d->routes[l], tb, sizeof(tb));
					c->where = a->w[i].where;
					report(c, "%s's route \"%s\" is one route to the kernel with %s's \"%s\", which stays "
					       "(the kernel keeps one per destination, metric and table): remove it "
					       "from %s (tunctl route del %s %s), or give %s's its own metric",
					       a->w[i].r->name, ta, d->ti.name, tb, d->ti.name, d->ti.name, tb,
					       a->w[i].r->name);
					c->where = NULL;
					return 1;
				}
			}
		}
	}
	return 0;
}

int apply_make_plan(struct apply *a)
{
	struct ctx *c = a->c;
	char who[48];
	int rc, h;

	if (dev_read_all(c, &a->cur))
		return 1;
	free(a->prune);
	if (!(a->prune = calloc(a->cur.n + 1, sizeof(*a->prune)))) {
		report(c, "out of memory");
		return 1;
	}
	for (size_t i = 0; i < a->nw; i++) {
		struct todo *t = &a->t[i];

		memset(t, 0, sizeof(*t));
		t->fd = -1;
		t->w = &a->w[i];
		a->fds[i] = -1;
		if (!(t->d = devset_find(&a->cur, a->w[i].r->name))) {
			if (devset_other(&a->cur, a->w[i].r->name)) {
				const char *at = ctx_at(c, a->w[i].where);
				report(c, "%s exists and is not a TUN/TAP device", a->w[i].r->name);
				ctx_at(c, at);
				return 1;
			}
			plan_create(&a->plan, &a->w[i], ST_CREATE);
			continue;
		}
		if ((rc = diff_device(c, a->ar, &a->cur, t, &a->plan)))
			return rc;
		if (t->recreate)
			plan_create(&a->plan, &a->w[i], ST_RECREATE);
	}
	for (size_t i = 0; i < a->cur.n && !a->wants_only; i++) {
		struct device *d = &a->cur.v[i];
		bool named = false;

		for (size_t k = 0; k < a->nw && !named; k++)
			named = !strcmp(a->w[k].r->name, d->ti.name);
		for (size_t k = 0; k < a->nfile_names && !named; k++)
			named = !strcmp(a->file_names[k], d->ti.name);
		if (named)
			continue;
		/* Left by an apply or del that was killed (an old copy set
		 * aside to be re-created, say): deleted, as del would. */
		if (ops_leftover_group(d->link_group)) {
			a->prune[a->nprune++] = d;
			plan_add(&a->plan, ST_DELETE, d->ti.name, NULL);
			continue;
		}
		/* Kept, and said so: a reload leaves it, which may surprise. */
		if (!a->ar->prune) {
			struct change *ch = plan_add(&a->plan, ST_NOTE, d->ti.name, NULL);

			if (ch)
				snprintf(ch->text, sizeof(ch->text), "not in %s: kept (--prune deletes it)",
					 strcmp(a->ar->file, "-") ? a->ar->file : "standard input");
			continue;
		}
		if (!a->ar->force && dev_read_holders(c, &a->cur))
			return 1;
		if (!a->ar->force && (h = held(c, d, "use --force to delete it anyway"))) {
			if (h > 0)
				report(c, "%s is in use by %s: --prune deletes it only with --force",
				       d->ti.name, holder_name(d, who, sizeof(who)));
			return 1;
		}
		a->prune[a->nprune++] = d;
		plan_add(&a->plan, ST_DELETE, d->ti.name, NULL);
	}
	if (route_held_elsewhere(a) || readd_unreachable(a))
		return 1;
	if (a->plan.oom) {
		report(c, "out of memory");
		return 1;
	}
	return 0;
}
