/* cmd_apply.c - "tunctl apply": make the namespace's TUN/TAP devices match a file,
 * as a diff of two device models, carried out all or nothing. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>

#include "dev.h"
#include "dumps.h"
#include "devconf.h"
#include "owner.h"
#include "rtnl.h"
#include "tun.h"
#include "vec.h"

/* Tries when another process creates or deletes a device the plan is about. */
#define RACE_TRIES 3

/* One device as the file wants it. */
struct want {
	const struct add_req *r;
	const char *where;              /* FILE:LINE */
	struct tun_flags flags;
	bool user_set, group_set;       /* with the secure default of add */
	uint32_t uid, gid;
	struct link_spec link;          /* state always set: up unless --down */
};

enum step { ST_CREATE, ST_RECREATE, ST_DELETE, ST_SET, ST_ADD, ST_REMOVE, ST_NOTE };

static const char *const op_names[] = { "create", "recreate", "delete", "set", "add", "remove", "note" };

/* One line of the plan. */
struct change {
	enum step op;
	const char *dev;
	const char *what;               /* set: the setting; add, remove: "addr" or "route" */
	char from[64], to[64];          /* set, recreate */
	char text[300];                 /* add, remove: the address or route; note: the note */
};

struct plan {
	struct change *v;
	size_t n, cap;
	bool oom;
};

/* What is to be done to one present device. */
struct todo {
	struct want *w;
	struct device *d;
	bool recreate;
	bool attach;                    /* pi, vnet_hdr, owner or group to set */
	struct link_spec link, old;     /* the link settings that differ, and theirs now */
	struct addr_spec *add_a, *del_a;
	size_t nadd_a, ndel_a;
	struct route_spec *add_r, *del_r;
	size_t nadd_r, ndel_r;
	struct devconf dc_rdel, dc_adel, dc_add;
	int fd;                         /* recreate: the new device, until kept */
	int ifindex;                    /* recreate: the new device's */
	char tmpname[16];               /* recreate: the old one's while the new is made */
	bool renamed, attached;
};

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

static void addr_text(const struct addr_spec *a, char *buf, size_t len)
{
	char l[INET6_ADDRSTRLEN + 8], p[INET6_ADDRSTRLEN];

	format_prefix(&a->local, l, sizeof(l));
	if (a->has_peer)
		snprintf(buf, len, "%s peer %s", l, format_ipaddr(&a->peer, p, sizeof(p)));
	else
		snprintf(buf, len, "%s", l);
}

static void route_text(const struct route_spec *r, char *buf, size_t len)
{
	struct route_spec s = *r;

	s.has_metric = s.has_metric && s.metric != dev_default_metric(s.dst.addr.family);
	s.has_table = s.has_table && s.table != RT_TABLE_MAIN;
	format_route(&s, buf, len);
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
static int twice(struct ctx *c, struct want *w, size_t n)
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
		c->where = bad->where;
		report(c, "device %s is named twice (first at %s)", bad->r->name, first->where);
		c->where = NULL;
	}
	free(v);
	return bad ? 2 : 0;
}

/* The file's lines as wanted devices. Returns 0, or 2 (1 when a user or
 * group lookup failed) after reporting FILE:LINE. */
static int read_wants(struct ctx *c, const struct batch_line *v, size_t n, const char *name,
		      struct want *w, char (*where)[300])
{
	for (size_t i = 0; i < n; i++) {
		const struct request *req = &v[i].req;
		const struct add_req *r = &req->u.add;

		snprintf(where[i], sizeof(where[i]), "%s:%u", name, v[i].no);
		c->where = where[i];
		if (req->cmd != CMD_ADD || req->g.help) {
			report(c, "only add lines can stand in a file for apply, not \"%s\"", cmd_name(req->cmd));
			return 2;
		}
		if (strchr(r->name, '%')) {
			report(c, "\"%s\" is a name template: apply needs the device's own name", r->name);
			return 2;
		}
		w[i] = (struct want){ .r = r, .where = where[i], .link = r->link };
		w[i].flags = (struct tun_flags){ .mode = r->mode, .pi = r->pi, .vnet_hdr = r->vnet_hdr,
						 .multi_queue = r->multi_queue };
		w[i].link.set_updown = true;
		{
			struct owner o;
			int rc = owner_resolve(c, &r->user, &r->group, !r->any_user, &o);

			if (rc)
				return rc;
			w[i].user_set = o.user_set;
			w[i].uid = o.uid;
			w[i].group_set = o.group_set;
			w[i].gid = o.gid;
		}
	}
	c->where = NULL;
	return twice(c, w, n);
}


/* The differences of one present device, into t and the plan. Returns 0,
 * or 1 after reporting what cannot be converged. */
static int diff_device(struct ctx *c, const struct apply_req *ar, struct devset *cur, struct todo *t,
		       struct plan *p)
{
	const struct want *w = t->w;
	const struct device *d = t->d;
	const struct tun_flags *f = &d->ti.flags;
	const char *name = w->r->name;
	char a[64], b[64];
	bool ident = f->mode != w->flags.mode || f->multi_queue != w->flags.multi_queue;
	bool owner_lost = (d->ti.owner_set && !w->user_set) || (d->ti.group_set && !w->group_set);

	if (ident || owner_lost) {
		const char *what = f->mode != w->flags.mode ? "mode" : f->multi_queue != w->flags.multi_queue ?
				   "multi-queue" : d->ti.owner_set && !w->user_set ? "user" : "group";

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
		c->where = w->where;
		if (!ar->recreate) {
			if (ident)
				report(c, "%s is %s %s, the file says %s %s: apply --recreate deletes and re-creates it",
				       name, what, a, what, b);
			else
				report(c, "%s has %s %s and the kernel cannot clear it: apply --recreate "
				       "deletes and re-creates it", name, what, a);
			c->where = NULL;
			return 1;
		}
		if (d->nholders) {
			report(c, "%s is in use by %s (pid %d): it cannot be re-created (%s %s -> %s) while held",
			       name, d->holder_comm, (int)d->holder_pid, what, a, b);
			c->where = NULL;
			return 1;
		}
		c->where = NULL;
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
		if (d->nholders) {
			struct change *ch = plan_add(p, ST_NOTE, name, what);

			if (ch)
				snprintf(ch->text, sizeof(ch->text), "%s %s, the file says %s: left as the "
					 "attached %s (pid %d) set it", what, onoff(has), onoff(!has),
					 d->holder_comm, (int)d->holder_pid);
		} else {
			if (f->pi != w->flags.pi)
				plan_set(p, name, "pi", onoff(f->pi), onoff(w->flags.pi));
			if (f->vnet_hdr != w->flags.vnet_hdr)
				plan_set(p, name, "vnet-hdr", onoff(f->vnet_hdr), onoff(w->flags.vnet_hdr));
			t->attach = true;
		}
	}
	if (w->user_set && (!d->ti.owner_set || d->ti.owner != w->uid)) {
		plan_set(p, name, "user", id_text(d->ti.owner_set, d->ti.owner, a, sizeof(a)),
			 id_text(true, w->uid, b, sizeof(b)));
		t->attach = true;
	}
	if (w->group_set && (!d->ti.group_set || d->ti.group != w->gid)) {
		plan_set(p, name, "group", id_text(d->ti.group_set, d->ti.group, a, sizeof(a)),
			 id_text(true, w->gid, b, sizeof(b)));
		t->attach = true;
	}
	if (t->attach && dev_read_holders(c, cur))
		return 1;
	if (t->attach && d->nholders && !f->multi_queue) {
		/* A single-queue device that is held cannot be attached to. */
		c->where = w->where;
		report(c, "%s is in use by %s (pid %d): its owner and group can be changed only while "
		       "no process has it open", name, d->holder_comm, (int)d->holder_pid);
		c->where = NULL;
		return 1;
	}
	t->old = d->link;
	if (w->link.has_mtu && w->link.mtu != d->link.mtu) {
		snprintf(a, sizeof(a), "%u", d->link.mtu);
		snprintf(b, sizeof(b), "%u", w->link.mtu);
		plan_set(p, name, "mtu", a, b);
		t->link.has_mtu = true;
		t->link.mtu = w->link.mtu;
	}
	if (w->link.has_mac && memcmp(w->link.mac, d->link.mac, 6)) {
		format_mac(d->link.mac, a);
		format_mac(w->link.mac, b);
		plan_set(p, name, "mac", a, b);
		t->link.has_mac = true;
		memcpy(t->link.mac, w->link.mac, 6);
	}
	if (w->link.has_txqlen && w->link.txqlen != d->link.txqlen) {
		snprintf(a, sizeof(a), "%u", d->link.txqlen);
		snprintf(b, sizeof(b), "%u", w->link.txqlen);
		plan_set(p, name, "txqueuelen", a, b);
		t->link.has_txqlen = true;
		t->link.txqlen = w->link.txqlen;
	}
	if (w->link.up != d->link.up) {
		plan_set(p, name, "state", d->link.up ? "up" : "down", w->link.up ? "up" : "down");
		t->link.set_updown = true;
		t->link.up = w->link.up;
	}
	/* Deletions first in the plan as in the exchange: routes, then
	 * addresses, so no route loses its way before it is removed. */
	for (size_t i = 0; i < d->nroutes; i++) {
		bool keep = false;

		for (size_t k = 0; k < w->r->nroutes && !keep; k++)
			keep = dev_route_eq(&d->routes[i], &w->r->routes[k]);
		if (keep)
			continue;
		if (vec_append((void **)&t->del_r, &t->ndel_r, &d->routes[i], sizeof(d->routes[i])))
			return -ENOMEM;
	}
	for (size_t i = 0; i < d->naddrs; i++) {
		bool keep = false;

		for (size_t k = 0; k < w->r->naddrs && !keep; k++)
			keep = dev_addr_eq(&d->addrs[i], &w->r->addrs[k]);
		if (!keep && vec_append((void **)&t->del_a, &t->ndel_a, &d->addrs[i], sizeof(d->addrs[i])))
			return -ENOMEM;
	}
	for (size_t k = 0; k < w->r->naddrs; k++) {
		bool have = false;

		for (size_t i = 0; i < d->naddrs && !have; i++)
			have = dev_addr_eq(&d->addrs[i], &w->r->addrs[k]);
		if (!have && vec_append((void **)&t->add_a, &t->nadd_a, &w->r->addrs[k], sizeof(w->r->addrs[k])))
			return -ENOMEM;
	}
	for (size_t k = 0; k < w->r->nroutes; k++) {
		bool have = false;

		for (size_t i = 0; i < d->nroutes && !have; i++)
			have = dev_route_eq(&d->routes[i], &w->r->routes[k]);
		if (!have && vec_append((void **)&t->add_r, &t->nadd_r, &w->r->routes[k], sizeof(w->r->routes[k])))
			return -ENOMEM;
	}
	for (size_t i = 0; i < t->ndel_r; i++) {
		struct change *ch = plan_add(p, ST_REMOVE, name, "route");

		if (ch)
			route_text(&t->del_r[i], ch->text, sizeof(ch->text));
	}
	for (size_t i = 0; i < t->ndel_a; i++) {
		struct change *ch = plan_add(p, ST_REMOVE, name, "addr");

		if (ch)
			addr_text(&t->del_a[i], ch->text, sizeof(ch->text));
	}
	for (size_t i = 0; i < t->nadd_a; i++) {
		struct change *ch = plan_add(p, ST_ADD, name, "addr");

		if (ch)
			addr_text(&t->add_a[i], ch->text, sizeof(ch->text));
	}
	for (size_t i = 0; i < t->nadd_r; i++) {
		struct change *ch = plan_add(p, ST_ADD, name, "route");

		if (ch)
			route_text(&t->add_r[i], ch->text, sizeof(ch->text));
	}
	return 0;
}

/* The plan lines of a device to be made, with what it is made with. */
static void plan_create(struct plan *p, const struct want *w, enum step op)
{
	if (op == ST_CREATE)
		plan_add(p, ST_CREATE, w->r->name, NULL);
	for (size_t i = 0; i < w->r->naddrs; i++) {
		struct change *ch = plan_add(p, ST_ADD, w->r->name, "addr");

		if (ch)
			addr_text(&w->r->addrs[i], ch->text, sizeof(ch->text));
	}
	for (size_t i = 0; i < w->r->nroutes; i++) {
		struct change *ch = plan_add(p, ST_ADD, w->r->name, "route");

		if (ch)
			route_text(&w->r->routes[i], ch->text, sizeof(ch->text));
	}
}

static void print_plan(struct ctx *c, const struct plan *p)
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
			out_str(o, "setting", NULL, ch->what);
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

/* An exclusive lock on this network namespace's devices, held until exit:
 * applies of one namespace run one after another. The lock is on the
 * namespace's own inode (nsfs), which every process in it opens as
 * /proc/self/ns/net: no lock file, and no write access needed anywhere.
 * -1 after reporting. */
static int lock_netns(struct ctx *c)
{
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		report_err(c, errno, NULL, "opening /proc/self/ns/net to lock the namespace");
		return -1;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			report_err(c, errno, NULL, "locking the network namespace (/proc/self/ns/net)");
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* Attaches to set pi, vnet_hdr, owner and group: without carrier, as an
 * administrator does, so no IPv6 link-local address comes of it. */
static int admin_attach(const char *name, const struct tun_flags *f, bool user_set, uint32_t uid,
			bool group_set, uint32_t gid)
{
	char n[16];
	int fd = tun_open(NULL), err;

	if (fd < 0)
		return fd;
	snprintf(n, sizeof(n), "%s", name);
	err = tun_attach_admin(fd, n, f);
	if (!err && user_set)
		err = tun_set_owner(fd, uid);
	if (!err && group_set)
		err = tun_set_group(fd, gid);
	close(fd);
	return err;
}

static void set_dcs(struct todo *t)
{
	t->dc_rdel = (struct devconf){ .routes = t->del_r, .nroutes = t->ndel_r, .undo = true };
	t->dc_adel = (struct devconf){ .addrs = t->del_a, .naddrs = t->ndel_a, .undo = true };
	t->dc_add = (struct devconf){ .link = &t->link, .restore = &t->old, .addrs = t->add_a,
				      .naddrs = t->nadd_a, .routes = t->add_r, .nroutes = t->nadd_r,
				      /* Made meanwhile by another process (an add
				       * --exist-ok of the same line): as wanted. */
				      .add = true, .exist_ok = true, .undo = true };
}

/* Creates the device of w, held by *fd and not persistent yet. Returns 0,
 * or -EEXIST/-EBUSY when it has come to exist meanwhile, or 1 after
 * reporting. */
static int create_one(struct ctx *c, const struct want *w, int *fd)
{
	char name[16];
	int err;

	snprintf(name, sizeof(name), "%s", w->r->name);
	if ((*fd = tun_open(NULL)) < 0) {
		report_tun_open(c, *fd, NULL);
		*fd = -1;
		return 1;
	}
	c->where = w->where;
	if ((err = tun_create(*fd, name, &w->flags))) {
		if (err == -EBUSY || err == -EEXIST)
			return -EEXIST;
		report_err(c, err, NULL, "creating %s", name);
		return 1;
	}
	if ((w->user_set && (err = tun_set_owner(*fd, w->uid))) ||
	    (w->group_set && (err = tun_set_group(*fd, w->gid)))) {
		report_err(c, err, NULL, "%s: setting its owner and group", name);
		return 1;
	}
	c->where = NULL;
	return 0;
}


struct apply {
	struct ctx *c;
	const struct apply_req *ar;
	struct want *w;
	size_t nw;
	struct devset cur;
	struct todo *t;                 /* per want: present devices */
	int *fds, *idx;                 /* per want: created devices */
	struct devconf *cdc;            /* per want: their configuration */
	struct device **prune;
	size_t nprune;
	struct plan plan;
	struct dc_run run1, run2;
};

/* The indexes of the devices just made: one link dump for all of them,
 * not one request each. Returns 0 or 1 after reporting. */
static int new_indexes(struct apply *a)
{
	struct link_info *l = NULL;
	size_t nl = 0;

	if (dump_links(a->c, &l, &nl))
		return 1;
	links_sort(l, nl);
	for (size_t i = 0; i < a->nw; i++) {
		const struct link_info *hit;

		if (a->t[i].d && !a->t[i].recreate)
			continue;
		if (!(hit = links_find(l, nl, a->w[i].r->name))) {
			report(a->c, "%s was deleted by another process while being created", a->w[i].r->name);
			free(l);
			return 1;
		}
		a->idx[i] = hit->ifindex;
	}
	free(l);
	return 0;
}

/* Reads the namespace and works out the plan. Returns 0, 1 or -ENOMEM. */
static int make_plan(struct apply *a)
{
	struct ctx *c = a->c;
	int rc;

	if (dev_read_all(c, &a->cur))
		return 1;
	free(a->prune);
	if (!(a->prune = calloc(a->cur.n + 1, sizeof(*a->prune))))
		return -ENOMEM;
	for (size_t i = 0; i < a->nw; i++) {
		struct todo *t = &a->t[i];

		memset(t, 0, sizeof(*t));
		t->fd = -1;
		t->w = &a->w[i];
		a->fds[i] = -1;
		if (!(t->d = devset_find(&a->cur, a->w[i].r->name))) {
			if (devset_other(&a->cur, a->w[i].r->name)) {
				c->where = a->w[i].where;
				report(c, "%s exists and is not a TUN/TAP device", a->w[i].r->name);
				c->where = NULL;
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
	if (a->ar->prune) {
		for (size_t i = 0; i < a->cur.n; i++) {
			struct device *d = &a->cur.v[i];
			bool named = false;

			for (size_t k = 0; k < a->nw && !named; k++)
				named = !strcmp(a->w[k].r->name, d->ti.name);
			if (named)
				continue;
			if (!a->ar->force && dev_read_holders(c, &a->cur))
				return 1;
			if (d->nholders && !a->ar->force) {
				report(c, "%s is in use by %s (pid %d): --prune deletes it only with --force",
				       d->ti.name, d->holder_comm, (int)d->holder_pid);
				return 1;
			}
			a->prune[a->nprune++] = d;
			plan_add(&a->plan, ST_DELETE, d->ti.name, NULL);
		}
	}
	return a->plan.oom ? -ENOMEM : 0;
}

/* Whether no link has any of these indexes any more (one link dump). */
static bool all_gone(struct ctx *c, const int *idx, size_t n)
{
	struct link_info *l = NULL;
	size_t nl = 0;
	bool gone = true;

	if (dump_links(c, &l, &nl))
		return false;
	for (size_t i = 0; i < nl && gone; i++)
		for (size_t k = 0; k < n && gone; k++)
			gone = l[i].ifindex != idx[k];
	free(l);
	return gone;
}

/* Undoes what carry_out did up to its failure, newest first. */
static void undo(struct apply *a)
{
	for (size_t i = a->nw; i-- > 0;) {
		struct todo *t = &a->t[i];

		/* Not persistent (any more), a device goes with its last fd. */
		if (a->fds[i] >= 0) {
			tun_set_persist(a->fds[i], false);
			close(a->fds[i]);
			a->fds[i] = -1;
		}
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
			if ((room = nl_tx_room(&tx)) && t->d->link.up) {
				rtnl_link_set(room, t->d->ifindex, &(struct link_spec){ .set_updown = true, .up = true },
					      -1, -1);
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
				char ignored[512] = "";

				if (!a->c->capture) {
					a->c->capture = ignored;
					a->c->capture_len = sizeof(ignored);
					devconf_apply(a->c, t->d->ti.name, t->d->ifindex, &dc);
					a->c->capture = NULL;
				}
			}
			t->renamed = false;
		}
		if (t->attached) {
			const struct tun_info *o = &t->d->ti;

			admin_attach(o->name, &o->flags, o->owner_set, o->owner, o->group_set, o->group);
			t->attached = false;
		}
	}
	for (size_t i = a->nw; i-- > 0;) {
		if (!a->t[i].d || a->t[i].recreate)
			continue;
		dc_undo(a->c, &a->run1, 3 * i + 2);
		dc_undo(a->c, &a->run1, 3 * i + 1);
		dc_undo(a->c, &a->run1, 3 * i);
	}
}

/* Carries the plan out. Returns 0, 1 after reporting (everything undone),
 * or -EEXIST when a device came to exist meanwhile (undone, to try again). */
static int carry_out(struct apply *a)
{
	struct ctx *c = a->c;
	size_t held = 0;
	int rc, err;

	/* Every new device is held open until all is done (all or nothing). */
	for (size_t i = 0; i < a->nw; i++)
		held += !a->t[i].d || a->t[i].recreate;
	if (held && held + 32 > fd_room()) {
		report(c, "apply would hold %zu new devices open at once, and the limit of descriptors is %zu "
		       "(ulimit -n): raise it, or apply the file in parts", held, fd_room());
		return 1;
	}
	/* 1. Present devices: link settings, addresses and routes of all of
	 * them in one exchange. */
	for (size_t i = 0; i < a->nw; i++) {
		struct todo *t = &a->t[i];

		if (!t->d || t->recreate)
			continue;
		set_dcs(t);
		if (dc_queue(&a->run1, 3 * i, t->d->ti.name, t->d->ifindex, &t->dc_rdel) ||
		    dc_queue(&a->run1, 3 * i + 1, t->d->ti.name, t->d->ifindex, &t->dc_adel) ||
		    dc_queue(&a->run1, 3 * i + 2, t->d->ti.name, t->d->ifindex, &t->dc_add)) {
			report(c, "out of memory");
			return 1;
		}
	}
	if (dc_send(c, &a->run1)) {
		undo(a);
		return 1;
	}
	for (size_t i = 0; i < a->nw; i++) {
		if (!a->t[i].d || a->t[i].recreate)
			continue;
		c->where = a->w[i].where;
		rc = dc_result(c, &a->run1, 3 * i) || dc_result(c, &a->run1, 3 * i + 1) ||
		     dc_result(c, &a->run1, 3 * i + 2);
		c->where = NULL;
		if (rc) {
			undo(a);
			return 1;
		}
	}
	/* 2. Devices to re-create step aside: down, and renamed. */
	for (size_t i = 0; i < a->nw; i++) {
		struct todo *t = &a->t[i];
		struct nl_tx tx;
		void *room;
		int bad = 0;

		if (!t->recreate)
			continue;
		snprintf(t->tmpname, sizeof(t->tmpname), "tunctl%d", t->d->ifindex);
		nl_tx_init(&tx);
		if ((room = nl_tx_room(&tx))) {
			rtnl_link_set(room, t->d->ifindex, &(struct link_spec){ .set_updown = true }, -1, -1);
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
			c->where = a->w[i].where;
			report_err(c, err ? err : -ENOMEM, tx.n == 2 ? tx.replies[1].msg : NULL,
				   "%s: setting it aside to re-create it", t->d->ti.name);
			c->where = NULL;
			nl_tx_free(&tx);
			undo(a);
			return 1;
		}
		nl_tx_free(&tx);
	}
	/* 3. New devices, and re-created ones: made, then configured all in
	 * one exchange; kept (persistent) only once everything has worked. */
	for (size_t i = 0; i < a->nw; i++) {
		int *fd = a->t[i].recreate ? &a->t[i].fd : &a->fds[i];

		if (a->t[i].d && !a->t[i].recreate)
			continue;
		if ((rc = create_one(c, &a->w[i], fd))) {
			c->where = NULL;
			undo(a);
			return rc;
		}
	}
	if (held && new_indexes(a)) {
		undo(a);
		return 1;
	}
	for (size_t i = 0; i < a->nw; i++) {
		if (a->t[i].d && !a->t[i].recreate)
			continue;
		a->cdc[i] = (struct devconf){ .link = &a->w[i].link, .addrs = a->w[i].r->addrs,
					      .naddrs = a->w[i].r->naddrs, .routes = a->w[i].r->routes,
					      .nroutes = a->w[i].r->nroutes, .add = true, .exist_ok = true };
		if (dc_queue(&a->run2, i, a->w[i].r->name, a->idx[i], &a->cdc[i])) {
			report(c, "out of memory");
			undo(a);
			return 1;
		}
	}
	if (dc_send(c, &a->run2)) {
		undo(a);
		return 1;
	}
	for (size_t i = 0; i < a->nw; i++) {
		if (a->t[i].d && !a->t[i].recreate)
			continue;
		c->where = a->w[i].where;
		rc = dc_result(c, &a->run2, i);
		c->where = NULL;
		if (rc) {
			undo(a);
			return 1;
		}
	}
	/* 4. The new devices are made persistent, still held; then the
	 * deletions, last: what is pruned and the old devices of those
	 * re-created, in one exchange. Should that fail, the new ones are
	 * made not persistent again and dropped with the rest. */
	for (size_t i = 0; i < a->nw; i++) {
		int fd = a->t[i].recreate ? a->t[i].fd : a->fds[i];

		if (fd >= 0 && (err = tun_set_persist(fd, true))) {
			report_err(c, err, NULL, "%s: making it persistent", a->w[i].r->name);
			undo(a);
			return 1;
		}
	}
	/* 5. What takes an attach: pi, vnet_hdr, owner and group; late, as
	 * an owner or group given to a device that had none cannot be taken
	 * back (what else fails after it is undone, that stays). */
	for (size_t i = 0; i < a->nw; i++) {
		struct todo *t = &a->t[i];

		struct tun_info now;
		struct tun_flags f;

		if (!t->d || t->recreate || !t->attach)
			continue;
		/* TUNSETIFF sets what it is given: the flags tunctl does not
		 * manage (IFF_NAPI...) are carried over from sysfs. */
		f = a->w[i].flags;
		if (!sysfs_tun_read(t->d->ti.name, &now)) {
			f.napi = now.flags.napi;
			f.napi_frags = now.flags.napi_frags;
			t->d->ti.flags.napi = now.flags.napi;
			t->d->ti.flags.napi_frags = now.flags.napi_frags;
		}
		t->attached = true;
		if ((err = admin_attach(t->d->ti.name, &f, a->w[i].user_set, a->w[i].uid,
					a->w[i].group_set, a->w[i].gid))) {
			c->where = a->w[i].where;
			report_err(c, err, NULL, "%s: setting its flags, owner and group", t->d->ti.name);
			c->where = NULL;
			undo(a);
			return 1;
		}
	}
	/* 6. Deletions, last. */
	{
		struct nl_tx tx;
		int *gone_idx = calloc(a->nw + a->nprune + 1, sizeof(*gone_idx));
		size_t ng = 0;
		void *room;

		/* What is pruned first: a re-created device's old self goes
		 * only after, so a failure there cannot cost it. */
		for (size_t i = 0; gone_idx && i < a->nprune; i++)
			gone_idx[ng++] = a->prune[i]->ifindex;
		for (size_t i = 0; gone_idx && i < a->nw; i++)
			if (a->t[i].recreate)
				gone_idx[ng++] = a->t[i].d->ifindex;
		nl_tx_init(&tx);
		err = gone_idx ? 0 : -ENOMEM;
		for (size_t i = 0; !err && i < ng; i++) {
			if (!(room = nl_tx_room(&tx))) {
				err = -ENOMEM;
				break;
			}
			rtnl_link_del(room, gone_idx[i]);
			nl_tx_push(&tx);
		}
		if (err) {
			report(c, "out of memory");
		} else if (ng && (err = ctx_nl(c) ? nl_tx_run(&c->nl, &tx) : -ENOTCONN)) {
			/* Answers lost: asked again, the devices all gone is done. */
			if (err != -ENOTCONN && all_gone(c, gone_idx, ng))
				err = 0;
			else
				report_err(c, err, NULL, "deleting devices");
		}
		/* ENODEV: another process deleted it first; gone all the same. */
		for (size_t i = 0; !err && i < tx.n; i++)
			if (tx.replies[i].fate == NL_ANSWERED && tx.replies[i].err != -ENODEV &&
			    (err = tx.replies[i].err))
				report_err(c, err, tx.replies[i].msg, "deleting devices");
		nl_tx_free(&tx);
		free(gone_idx);
		if (err) {
			/* A deletion that went through cannot be undone; the rest is. */
			undo(a);
			return 1;
		}
	}
	for (size_t i = 0; i < a->nw; i++) {
		int *fd = a->t[i].recreate ? &a->t[i].fd : &a->fds[i];

		a->t[i].renamed = false;
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
	return 0;
}

static void reset(struct apply *a)
{
	for (size_t i = 0; a->t && i < a->nw; i++) {
		struct todo *t = &a->t[i];

		free(t->add_a);
		free(t->del_a);
		free(t->add_r);
		free(t->del_r);
		if (t->fd >= 0)
			close(t->fd);
		memset(t, 0, sizeof(*t));
		t->fd = -1;
	}
	for (size_t i = 0; a->fds && i < a->nw; i++) {
		if (a->fds[i] >= 0)
			close(a->fds[i]);
		a->fds[i] = -1;
	}
	devset_free(&a->cur);
	free(a->plan.v);
	memset(&a->plan, 0, sizeof(a->plan));
	a->nprune = 0;
	dc_run_free(&a->run1);
	dc_run_free(&a->run2);
	dc_run_init(&a->run1);
	dc_run_init(&a->run2);
}

int apply_run(struct ctx *c, const struct apply_req *ar)
{
	struct apply a = { .c = c, .ar = ar };
	struct batch_line *v = NULL;
	char (*where)[300] = NULL;
	const char *name;
	sigset_t stops, oldmask;
	bool masked = false;
	size_t n = 0;
	int rc, lock = -1;

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
	if ((rc = read_wants(c, v, n, name, a.w, where)))
		goto out;
	if (!ar->dry_run && (lock = lock_netns(c)) < 0) {
		rc = 1;
		goto out;
	}
	for (int try = 0;; try++) {
		if ((rc = make_plan(&a)) < 0) {
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
		rc = carry_out(&a);
		if (rc != -EEXIST)
			break;
		if (try + 1 >= RACE_TRIES) {
			report(c, "devices of the file were created and deleted by others while apply ran, "
			       "%d times; try again", RACE_TRIES);
			rc = 1;
			break;
		}
		reset(&a);
	}
	if (!rc)
		print_plan(c, &a.plan);
	if (masked) {
		fflush(stdout);
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
	}
out:
	reset(&a);
	free(a.prune);
	free(a.t);
	free(a.fds);
	free(a.idx);
	free(a.cdc);
	free(a.w);
	free(where);
	batch_lines_free(v, n);
	if (lock >= 0)
		close(lock);
	return rc;
}
