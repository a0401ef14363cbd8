/* dumps.c - links, addresses and routes dumped into arrays, filtered as they come. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/ipv6_route.h>
#include <linux/rtnetlink.h>

#include "addrroute.h"
#include "dumps.h"
#include "link.h"
#include "vec.h"

struct vec {
	void *v;
	size_t n, cap, size;
	int ifindex;
	struct nl *nl;          /* the dump's socket */
};

/* Room for one more element, or NULL. */
static void *vec_push(struct vec *a)
{
	{
		void *v = vec_grow(a->v, &a->cap, a->n + 1, a->size);

		if (!v)
			return NULL;
		a->v = v;
	}
	return (char *)a->v + a->n++ * a->size;
}

static void vec_reset(void *data)
{
	((struct vec *)data)->n = 0;
}

/* The names of the devices a link's settings name by index (its master),
 * looked up through nl, the dump's socket: in the namespace the dump was
 * of, which after set --netns is not the process's; one gone meanwhile is
 * shown by its index. */
static void name_devs(struct nl *nl, struct device *li)
{
	for (size_t i = 0; i < LINK_N; i++) {
		const struct link_setting *s = &link_settings[i];
		struct dev_ref *d = (struct dev_ref *)link_value(s, &li->link);

		if (s->kind == LK_DEV && link_has(s, &li->link) && d->index &&
		    nl_ifname(nl, (int)d->index, d->name))
			snprintf(d->name, sizeof(d->name), "%u", d->index);
	}
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct device li, *slot;

	if (!rtnl_parse_link(nlh, &li))
		return 0;
	name_devs(((struct vec *)data)->nl, &li);
	if (!(slot = vec_push(data)))
		return -ENOMEM;
	*slot = li;
	return 0;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vec *a = data;
	struct addr_info ai, *slot;

	if (!rtnl_parse_addr(nlh, &ai) || (a->ifindex && ai.ifindex != a->ifindex))
		return 0;
	if (!(slot = vec_push(a)))
		return -ENOMEM;
	*slot = ai;
	return 0;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vec *a = data;
	struct route_info ri, *slot;

	if (!rtnl_parse_route(nlh, &ri) || !ri.has_oif || (a->ifindex && ri.oif != a->ifindex))
		return 0;
	/* The local table and cached clones are the kernel's business. */
	if (ri.r.table == RT_TABLE_LOCAL || ri.type != RTN_UNICAST || (ri.flags & RTM_F_CLONED))
		return 0;
	if (!(slot = vec_push(a)))
		return -ENOMEM;
	*slot = ri;
	return 0;
}

/* 0 or -errno, with the kernel's message in rep; a->v is freed on failure. */
static int dump_quiet(struct nl *nl, uint16_t type, nl_dump_cb cb, struct vec *a, struct nl_reply *rep)
{
	char req[RTNL_MSG_MAX] = { 0 };
	int err;

	a->nl = nl;
	err = nl_dump(nl, rtnl_dump_dev(req, type, a->ifindex), cb, vec_reset, a, rep);

	if (err) {
		free(a->v);
		a->v = NULL;
		a->n = 0;
	}
	return err;
}

static int dump(struct ctx *c, uint16_t type, nl_dump_cb cb, struct vec *a, void **out, size_t *n,
		const char *what)
{
	struct nl *nl = ctx_nl(c);
	struct nl_reply rep;
	int err;

	if (!nl)
		return 1;
	if ((err = dump_quiet(nl, type, cb, a, &rep))) {
		report_err(c, err, rep.msg, "listing %s", what);
		return 1;
	}
	*out = a->v;
	*n = a->n;
	return 0;
}

int dump_links(struct ctx *c, struct device **out, size_t *n)
{
	struct vec a = { .size = sizeof(**out) };

	return dump(c, RTM_GETLINK, link_cb, &a, (void **)out, n, "links");
}

static void report_no_tun_info(struct ctx *c, const char *name)
{
	report(c, "device %s: the kernel's link dump lacks the tun driver's details; "
	       "tunctl needs Linux 4.17 or later", name);
}

bool link_lacks_tun_info(struct ctx *c, const struct device *l)
{
	if (l->tun_no_info)
		report_no_tun_info(c, l->ti.name);
	return l->tun_no_info;
}

struct each {
	int (*each)(const struct device *l, void *data);
	void (*reset)(void *data);
	void *data;
	struct nl *nl;          /* the dump's socket */
	char no_info[16];       /* the device whose dump lacked them */
};

static int each_cb(const struct nlmsghdr *nlh, void *data)
{
	struct each *e = data;
	struct device li;

	if (!rtnl_parse_link(nlh, &li))
		return 0;
	name_devs(e->nl, &li);
	/* Taken for a device that is not TUN/TAP, it would be left out of
	 * a listing that then looks complete. */
	if (li.tun_no_info) {
		memcpy(e->no_info, li.ti.name, sizeof(e->no_info));
		return -EOPNOTSUPP;
	}
	return e->each(&li, e->data);
}

static void each_reset(void *data)
{
	struct each *e = data;

	if (e->reset)
		e->reset(e->data);
}

/* dump_links_each, and with missing set a name that no link has is
 * *missing, not reported. */
static int links_each(struct ctx *c, const char *name, int (*each)(const struct device *l, void *data),
		      void (*reset)(void *data), void *data, bool *missing)
{
	char req[RTNL_MSG_MAX] = { 0 };
	struct nl *nl = ctx_nl(c);
	struct each e = { each, reset, data, nl, "" };
	struct nl_reply rep;
	int err;

	if (!nl)
		return 1;
	err = nl_dump(nl, name ? rtnl_link_get(req, name) : rtnl_dump_dev(req, RTM_GETLINK, 0), each_cb,
		      each_reset, &e, &rep);
	if (missing)
		*missing = name && err == -ENODEV;
	if (err == -EOPNOTSUPP && e.no_info[0])
		report_no_tun_info(c, e.no_info);
	else if (name && err == -ENODEV && missing)
		return 0;
	else if (name && err == -ENODEV)
		report(c, "device %s does not exist", name);
	else if (err && name)
		report_err(c, err, rep.msg, "reading %s", name);
	else if (err)
		report_err(c, err, rep.msg, "listing links");
	return err ? 1 : 0;
}

int dump_links_each(struct ctx *c, const char *name, int (*each)(const struct device *l, void *data),
		    void (*reset)(void *data), void *data)
{
	return links_each(c, name, each, reset, data, NULL);
}

static int take_one(const struct device *l, void *data)
{
	*(struct device *)data = *l;
	return 0;
}

int dump_link(struct ctx *c, const char *name, struct device *out, bool *found)
{
	bool missing;

	memset(out, 0, sizeof(*out));
	if (links_each(c, name, take_one, NULL, out, &missing))
		return 1;
	*found = !missing && out->ifindex > 0;
	return 0;
}

_Static_assert(offsetof(struct device, ti.name) == 0, "cmp_ifname: the name first");

int cmp_ifname(const void *a, const void *b)
{
	return strncmp(a, b, IFNAMSIZ);
}

void links_sort(struct device *v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(*v), cmp_ifname);
}

const struct device *links_find(const struct device *v, size_t n, const char *name)
{
	struct device key;

	if (!n)
		return NULL;
	snprintf(key.ti.name, sizeof(key.ti.name), "%s", name);
	return bsearch(&key, v, n, sizeof(*v), cmp_ifname);
}

int dump_addrs(struct ctx *c, int ifindex, struct addr_info **out, size_t *n)
{
	struct vec a = { .size = sizeof(**out), .ifindex = ifindex };

	return dump(c, RTM_GETADDR, addr_cb, &a, (void **)out, n, "addresses");
}

int dump_routes(struct ctx *c, int ifindex, struct route_info **out, size_t *n)
{
	struct vec a = { .size = sizeof(**out), .ifindex = ifindex };

	return dump(c, RTM_GETROUTE, route_cb, &a, (void **)out, n, "routes");
}

int dump_state(struct ctx *c, int ifindex, unsigned what, struct dump_state *s)
{
	struct nl *nl = c->nl_ready ? &c->nl : NULL;
	struct nl_reply rep;
	int err = 0;

	memset(s, 0, sizeof(*s));
	s->ifindex = ifindex;
	if (!nl)
		return -ENOTCONN;
	if (what & DS_LINKS) {
		struct vec a = { .size = sizeof(*s->links) };

		if ((err = dump_quiet(nl, RTM_GETLINK, link_cb, &a, &rep)))
			return err;
		s->links = a.v;
		s->nlinks = a.n;
		s->has_links = true;
	}
	if (what & DS_ADDRS) {
		struct vec a = { .size = sizeof(*s->addrs), .ifindex = ifindex };

		if ((err = dump_quiet(nl, RTM_GETADDR, addr_cb, &a, &rep)))
			return err;
		s->addrs = a.v;
		s->naddrs = a.n;
		s->has_addrs = true;
	}
	if (what & DS_ROUTES) {
		struct vec a = { .size = sizeof(*s->routes), .ifindex = ifindex };

		if ((err = dump_quiet(nl, RTM_GETROUTE, route_cb, &a, &rep)))
			return err;
		s->routes = a.v;
		s->nroutes = a.n;
		s->has_routes = true;
	}
	return 0;
}

void dump_state_free(struct dump_state *s)
{
	free(s->links);
	free(s->addrs);
	free(s->routes);
	memset(s, 0, sizeof(*s));
}

size_t state_count_addrs(const struct dump_state *s, const struct addr_spec *a)
{
	size_t n = 0;

	for (size_t i = 0; i < s->naddrs; i++) {
		const struct addr_spec *h = &s->addrs[i].a;

		/* What the kernel tells one address from another by: the
		 * local address, the prefix length and the peer. */
		if (s->addrs[i].ifindex != s->ifindex || !addr_same(h, a))
			continue;
		n++;
	}
	return n;
}

size_t state_count_routes(const struct dump_state *s, const struct route_spec *r, bool exact)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nroutes; i++)
		if (s->routes[i].oif == s->ifindex && route_names(&s->routes[i].r, r, exact))
			n++;
	return n;
}

const struct device *state_link(const struct dump_state *s, int ifindex)
{
	for (size_t i = 0; i < s->nlinks; i++)
		if (s->links[i].ifindex == ifindex)
			return &s->links[i];
	return NULL;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

long dump_links_left(struct ctx *c, const int *idx, size_t n, bool *gone)
{
	struct dump_state now;
	int *have;
	long left = 0;
	int err;

	if ((err = dump_state(c, 0, DS_LINKS, &now))) {
		dump_state_free(&now);
		return err;
	}
	/* Sorted, so that many deletions cost n log n, not n times the links. */
	if (!(have = malloc((now.nlinks + 1) * sizeof(*have)))) {
		dump_state_free(&now);
		return -ENOMEM;
	}
	for (size_t i = 0; i < now.nlinks; i++)
		have[i] = now.links[i].ifindex;
	qsort(have, now.nlinks, sizeof(*have), cmp_int);
	for (size_t k = 0; k < n; k++) {
		bool there = bsearch(&idx[k], have, now.nlinks, sizeof(*have), cmp_int) != NULL;

		left += there;
		if (gone)
			gone[k] = !there;
	}
	free(have);
	dump_state_free(&now);
	return left;
}

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	rtnl_parse_nsid(nlh, data);
	return 0;
}

struct owned {
	uint32_t uid;
	size_t n;
};

static int owned_cb(const struct nlmsghdr *nlh, void *data)
{
	struct owned *o = data;
	struct device li;

	if (rtnl_parse_link(nlh, &li) && li.is_tun && li.ti.owner_set && li.ti.owner == o->uid)
		o->n++;
	return 0;
}

static void owned_reset(void *data)
{
	((struct owned *)data)->n = 0;
}

int dump_owned_in(struct ctx *c, const char *netns, int nsfd, uint32_t uid, size_t *n)
{
	char req[RTNL_MSG_MAX] = { 0 };
	struct nl *nl = ctx_nl(c);
	struct owned o = { .uid = uid };
	struct nl_reply rep = { 0 };
	int32_t nsid = -1;
	int err;

	if (!nl)
		return 1;
	err = nl_dump(nl, rtnl_nsid_get(req, nsfd), nsid_cb, NULL, &nsid, &rep);
	if (!err && nsid < 0) {
		memset(req, 0, sizeof(req));
		err = nl_dump(nl, rtnl_nsid_new(req, nsfd), nsid_cb, NULL, &nsid, &rep);
		memset(req, 0, sizeof(req));
		if (!err)
			err = nl_dump(nl, rtnl_nsid_get(req, nsfd), nsid_cb, NULL, &nsid, &rep);
	}
	if (!err && nsid < 0)
		err = -ENOENT;
	memset(req, 0, sizeof(req));
	if (!err)
		err = nl_dump(nl, rtnl_dump_links_nsid(req, nsid), owned_cb, owned_reset, &o, &rep);
	if (err) {
		report_err(c, err, rep.msg, "counting the devices of uid %u in namespace %s", (unsigned)uid, netns);
		return 1;
	}
	*n = o.n;
	return 0;
}
