/* apply_plan.c - apply's diff: the file's devices (wants) against the
 * namespace's (a devset, with the facts the reader learnt of them), as a
 * diff of two device models into a record per wanted device, the devices
 * to delete and the plan.  Pure: no system calls, no reporting; what it
 * refuses it returns as text, what it needs of the kernel beyond the link
 * dump it asks for (apply_read.c reads both). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "addrroute.h"
#include "apply.h"
#include "link.h"
#include "sidefx.h"
#include "vec.h"


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

/* What the diff refuses, into why: 1. */
static int refuse(struct refusal *why, const char *where, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int refuse(struct refusal *why, const char *where, const char *fmt, ...)
{
	va_list ap;

	why->where = where;
	va_start(ap, fmt);
	vsnprintf(why->text, sizeof(why->text), fmt, ap);
	va_end(ap);
	return 1;
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
static int readd_dropped(const struct device *d, struct apply_dev *t)
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

int apply_diff_config(const struct want *w, const struct device *d, struct apply_dev *t, struct plan *p)
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
/* "COMM (pid N)" of d's first holder, or what stands for one /proc does not show. */
static const char *holder_name(const struct device *d, char *buf, size_t len)
{
	if (!d->nholders)
		return "a process that tunctl cannot see in /proc";
	snprintf(buf, len, "%s (pid %d)", d->holder_comm, (int)d->holder_pid);
	return buf;
}

/* What of d's identity only re-creating it changes: its mode, multi-queue,
 * or an owner or group the file leaves out (the kernel cannot clear one):
 * the setting's name, its text now in a and in the file in b (len each);
 * NULL if none. */
static const char *identity_change(const struct want *w, const struct device *d, char *a, char *b, size_t len)
{
	const struct tun_flags *f = &d->ti.flags;

	if (f->mode != w->flags.mode) {
		snprintf(a, len, "%s", mode_name(f->mode));
		snprintf(b, len, "%s", mode_name(w->flags.mode));
		return "mode";
	}
	if (f->multi_queue != w->flags.multi_queue) {
		snprintf(a, len, "%s", onoff(f->multi_queue));
		snprintf(b, len, "%s", onoff(w->flags.multi_queue));
		return "multi-queue";
	}
	if ((d->ti.owner_set && !w->o.user_set) || (d->ti.group_set && !w->o.group_set)) {
		bool user = d->ti.owner_set && !w->o.user_set;

		snprintf(a, len, "%u", user ? d->ti.owner : d->ti.group);
		snprintf(b, len, "-");
		return user ? "user" : "group";
	}
	return NULL;
}

static bool flags_change(const struct want *w, const struct device *d)
{
	return d->ti.flags.pi != w->flags.pi || d->ti.flags.vnet_hdr != w->flags.vnet_hdr;
}

static bool user_change(const struct want *w, const struct device *d)
{
	return w->o.user_set && (!d->ti.owner_set || d->ti.owner != w->o.uid);
}

static bool group_change(const struct want *w, const struct device *d)
{
	return w->o.group_set && (!d->ti.group_set || d->ti.group != w->o.gid);
}

/* What the diff of present device d against w needs of the kernel (see
 * struct fact_need): whether it is held when it is to be re-created, or
 * when its pi or vnet_hdr is to be set back, or (single-queue) its owner
 * or group set; its promote_secondaries when it has more than one IPv4
 * address (whether deleting a primary takes its secondaries). */
static struct fact_need want_needs(const struct apply *a, const struct want *w, const struct device *d)
{
	struct fact_need n = { .dev = (size_t)(d - a->cur.v), .where = w->where };
	char x[64], y[64];

	if (identity_change(w, d, x, y, sizeof(x))) {
		if (a->ar->recreate) {
			n.holders = n.holders_first = true;
			n.held = HELD_RECREATE;
		}
		return n;
	}
	if (flags_change(w, d)) {
		n.holders = n.holders_first = true;
		n.held = HELD_PI;
	}
	n.promote = ipv4_count(d) > 1;
	if (user_change(w, d) || group_change(w, d)) {
		n.holders = true;
		if (!d->ti.flags.multi_queue && n.held == HELD_NO)
			n.held = HELD_OWNER;
	}
	return n;
}

static bool needs_any(const struct fact_need *n)
{
	return n->holders || n->promote || n->held != HELD_NO;
}

/* Present device t->d, of which only re-creating it changes what (a: now,
 * b: the file's): to be re-created with --recreate, when nobody holds it.
 * Returns 0 or 1 (refused). */
static int diff_identity(struct apply *a, struct apply_dev *t, const struct dev_facts *fx, const char *what,
			 const char *was, const char *is, struct refusal *why)
{
	const struct want *w = t->w;
	const char *name = w->r->name;
	bool ident = !strcmp(what, "mode") || !strcmp(what, "multi-queue");
	char who[48];
	struct change *ch;

	if (!a->ar->recreate && ident)
		return refuse(why, w->where, "%s is %s %s, the file says %s %s: apply --recreate deletes and re-creates it",
			      name, what, was, what, is);
	if (!a->ar->recreate)
		return refuse(why, w->where, "%s has %s %s and the kernel cannot clear it: apply --recreate "
			      "deletes and re-creates it", name, what, was);
	if (fx->held)
		return refuse(why, w->where, "%s is in use by %s: it cannot be re-created (%s %s -> %s) while held",
			      name, holder_name(t->d, who, sizeof(who)), what, was, is);
	t->recreate = true;
	if ((ch = plan_add(&a->plan, ST_RECREATE, name, what))) {
		snprintf(ch->from, sizeof(ch->from), "%s", was);
		snprintf(ch->to, sizeof(ch->to), "%s", is);
	}
	return 0;
}

/* What takes an attach: pi and vnet_hdr (whoever attached last's: set
 * back only when nobody holds the device), owner and group. */
static void diff_attach(struct apply_dev *t, const struct dev_facts *fx, struct plan *p)
{
	const struct want *w = t->w;
	const struct device *d = t->d;
	const struct tun_flags *f = &d->ti.flags;
	const char *name = w->r->name;
	char a[64], b[64];

	if (flags_change(w, d) && fx->held) {
		const char *what = f->pi != w->flags.pi ? "pi" : "vnet-hdr";
		bool has = f->pi != w->flags.pi ? f->pi : f->vnet_hdr;
		struct change *ch = plan_add(p, ST_NOTE, name, what);

		if (ch && d->nholders)
			snprintf(ch->text, sizeof(ch->text), "%s %s, the file says %s: left as the "
				 "attached %s (pid %d) set it", what, onoff(has), onoff(!has),
				 d->holder_comm, (int)d->holder_pid);
		else if (ch)
			snprintf(ch->text, sizeof(ch->text), "%s %s, the file says %s: left as the "
				 "attached process (one tunctl cannot see in /proc) set it", what, onoff(has),
				 onoff(!has));
	} else if (flags_change(w, d)) {
		if (f->pi != w->flags.pi)
			plan_set(p, name, "pi", onoff(f->pi), onoff(w->flags.pi));
		if (f->vnet_hdr != w->flags.vnet_hdr)
			plan_set(p, name, "vnet-hdr", onoff(f->vnet_hdr), onoff(w->flags.vnet_hdr));
		t->attach = true;
	}
	if (user_change(w, d)) {
		plan_set(p, name, "user", id_text(d->ti.owner_set, d->ti.owner, a, sizeof(a)),
			 id_text(true, w->o.uid, b, sizeof(b)));
		t->attach = true;
	}
	if (group_change(w, d)) {
		plan_set(p, name, "group", id_text(d->ti.group_set, d->ti.group, a, sizeof(a)),
			 id_text(true, w->o.gid, b, sizeof(b)));
		t->attach = true;
	}
}

/* The differences of present device t->d, into t and the plan: its
 * identity (re-created, or refused), what takes an attach, then
 * apply_diff_config.  Returns 0, 1 (refused) or -ENOMEM. */
static int diff_present(struct apply *a, struct apply_dev *t, const struct dev_facts *fx, struct refusal *why)
{
	const struct want *w = t->w;
	const char *what;
	char was[64], is[64], who[48];

	if ((what = identity_change(w, t->d, was, is, sizeof(was))))
		return diff_identity(a, t, fx, what, was, is, why);
	diff_attach(t, fx, &a->plan);
	t->promote = fx->promote;
	/* A single-queue device that is held cannot be attached to. */
	if (t->attach && !t->d->ti.flags.multi_queue && fx->held)
		return refuse(why, w->where, "%s is in use by %s: its owner and group can be changed only while "
			      "no process has it open", w->r->name, holder_name(t->d, who, sizeof(who)));
	return apply_diff_config(w, t->d, t, &a->plan);
}

/* The plan lines of a device to be made, with what it is made with. */
static void plan_create(struct plan *p, const struct want *w, enum step op)
{
	if (op == ST_CREATE)
		plan_add(p, ST_CREATE, w->r->name, NULL);
	plan_addrs(p, ST_ADD, w->r->name, w->r->addrs, w->r->naddrs);
	plan_routes(p, ST_ADD, w->r->name, w->r->routes, w->r->nroutes);
}

/* The i-th wanted device: to be made, or the differences of the present
 * one.  Returns 0, 1 (refused), 2 (needs facts) or -ENOMEM. */
static int diff_want(struct apply *a, size_t i, struct refusal *why, struct fact_need *need)
{
	struct apply_dev *t = &a->dev[i];
	const struct want *w = &a->w[i];
	struct device *d = devset_find(&a->cur, w->r->name);
	int rc;

	if (!d) {
		if (devset_other(&a->cur, w->r->name))
			return refuse(why, w->where, "%s exists and is not a TUN/TAP device", w->r->name);
		plan_create(&a->plan, w, ST_CREATE);
		return 0;
	}
	*need = want_needs(a, w, d);
	if (needs_any(need) && !a->cur.v[need->dev].facts.read)
		return 2;
	t->d = d;
	if ((rc = diff_present(a, t, &a->cur.v[need->dev].facts, why)))
		return rc;
	if (t->recreate)
		plan_create(&a->plan, w, ST_RECREATE);
	return 0;
}

/* The j-th device of the namespace, if the file does not name it: a
 * leftover of a killed apply or del, deleted; with --prune, deleted
 * unless held (--force: even then); else kept, with a note.  Returns 0,
 * 1 (refused) or 2 (needs facts). */
static int diff_unnamed(struct apply *a, size_t j, struct refusal *why, struct fact_need *need)
{
	struct device *d = &a->cur.v[j];
	char who[48];
	struct change *ch;

	for (size_t k = 0; k < a->nw; k++)
		if (!strcmp(a->w[k].r->name, d->ti.name))
			return 0;
	for (size_t k = 0; k < a->nfile_names; k++)
		if (a->file_names[k] && !strcmp(a->file_names[k], d->ti.name))
			return 0;
	/* Left by an apply or del that was killed (an old copy set aside to
	 * be re-created, say): deleted, as del would. */
	if (!ops_leftover_group(d->link_group) && !a->ar->prune) {
		/* Kept, and said so: a reload leaves it, which may surprise. */
		if ((ch = plan_add(&a->plan, ST_NOTE, d->ti.name, NULL)))
			snprintf(ch->text, sizeof(ch->text), "not in %s: kept (--prune deletes it)",
				 strcmp(a->ar->file, "-") ? a->ar->file : "standard input");
		return 0;
	}
	if (!ops_leftover_group(d->link_group) && !a->ar->force) {
		*need = (struct fact_need){ .dev = j, .holders = true, .held = HELD_PRUNE };
		if (!a->cur.v[j].facts.read)
			return 2;
		if (a->cur.v[j].facts.held)
			return refuse(why, NULL, "%s is in use by %s: --prune deletes it only with --force",
				      d->ti.name, holder_name(d, who, sizeof(who)));
	}
	a->prune[a->nprune++] = d;
	plan_add(&a->plan, ST_DELETE, d->ti.name, NULL);
	return 0;
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
 * now (for the undo) nor among what the plan adds: it exists (the address
 * that reached its gateway went after it was made), but the kernel would refuse it once dropped, so
 * apply would fail with it lost and its undo could not put it back.
 * Returns 0, or 1 (refused at FILE:LINE). */
static int readd_unreachable(const struct apply *a, struct refusal *why)
{
	for (size_t i = 0; i < a->nw; i++) {
		const struct apply_dev *t = &a->dev[i];
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
			return refuse(why, a->w[i].where, "%s's route \"%s\": no address or route of the line "
				      "reaches its gateway %s, so the kernel would refuse it on the re-created %s "
				      "(give %s an address in its subnet, or take the route out of the line)",
				      d->ti.name, tr, format_ipaddr(&r->gw, tg, sizeof(tg)), d->ti.name, d->ti.name);
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
			return refuse(why, a->w[i].where, "%s's route \"%s\" would be dropped by the kernel with "
				      "the changes to %s and could not be made again: no address or route of %s "
				      "reaches its gateway %s (give %s an address in its subnet, or take the route "
				      "out of the line)", d->ti.name, tr, d->ti.name, d->ti.name,
				      format_ipaddr(&r->gw, tg, sizeof(tg)), d->ti.name);
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
		const struct apply_dev *t = &a->dev[i];

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
 * Returns 0, or 1 (refused at FILE:LINE). */
static int route_held_elsewhere(const struct apply *a, struct refusal *why)
{
	for (size_t i = 0; i < a->nw; i++) {
		const struct apply_dev *t = &a->dev[i];
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
					return refuse(why, a->w[i].where, "%s's route \"%s\" is one route to the kernel "
						      "with %s's \"%s\", which stays (the kernel keeps one per destination, "
						      "metric and table): remove it from %s (tunctl route del %s %s), or give "
						      "%s's its own metric", a->w[i].r->name, ta, d->ti.name, tb, d->ti.name,
						      d->ti.name, tb, a->w[i].r->name);
				}
			}
		}
	}
	return 0;
}
int apply_diff(struct apply *a, struct refusal *why, struct fact_need *need)
{
	size_t nunnamed = a->wants_only ? 0 : a->cur.n;
	int rc;

	if (!a->diff_at) {
		for (size_t i = 0; i < a->nw; i++) {
			memset(&a->dev[i], 0, sizeof(a->dev[i]));
			a->dev[i].fd = -1;
			a->dev[i].w = &a->w[i];
		}
		a->nprune = 0;
	}
	/* The file's devices, then those it does not name, then what holds
	 * across devices; resumed where facts were asked for. */
	for (; a->diff_at < a->nw; a->diff_at++)
		if ((rc = diff_want(a, a->diff_at, why, need)))
			return rc;
	for (; a->diff_at < a->nw + nunnamed; a->diff_at++)
		if ((rc = diff_unnamed(a, a->diff_at - a->nw, why, need)))
			return rc;
	return route_held_elsewhere(a, why) || readd_unreachable(a, why);
}
