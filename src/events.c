/* events.c - pure: TUN/TAP devices' state, and the events rtnetlink messages make of it. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "events.h"
#include "rtnl.h"
#include "vec.h"

static const char *const type_names[EV__COUNT] = {
	[EV_EXISTS] = "exists", [EV_CREATED] = "created", [EV_DELETED] = "deleted",
	[EV_RENAMED] = "renamed", [EV_MOVED] = "moved", [EV_UP] = "up", [EV_DOWN] = "down",
	[EV_ATTACHED] = "attached", [EV_DETACHED] = "detached", [EV_MTU] = "mtu", [EV_MAC] = "mac",
	[EV_MASTER] = "master", [EV_ADDR_ADD] = "addr-add", [EV_ADDR_DEL] = "addr-del",
	[EV_ROUTE_ADD] = "route-add", [EV_ROUTE_DEL] = "route-del", [EV_RESYNC] = "resync",
};

const char *ev_type_name(enum ev_type t)
{
	return t < EV__COUNT ? type_names[t] : "?";
}

/* ---- the state ---- */

static size_t find_pos(const struct ev_state *s, int ifindex, bool *found)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->devs[mid].l.ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < s->n && s->devs[lo].l.ifindex == ifindex;
	return lo;
}

const struct ev_dev *ev_find(const struct ev_state *s, int ifindex)
{
	bool found;
	size_t i = find_pos(s, ifindex, &found);

	return found ? &s->devs[i] : NULL;
}

static struct ev_dev *find_mut(struct ev_state *s, int ifindex)
{
	return (struct ev_dev *)ev_find(s, ifindex);
}

const struct ev_dev *ev_find_name(const struct ev_state *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->devs[i].l.ti.name, name))
			return &s->devs[i];
	return NULL;
}

static void dev_free(struct ev_dev *d)
{
	free(d->l.addrs);
	free(d->l.routes);
}

void ev_state_free(struct ev_state *s)
{
	for (size_t i = 0; i < s->n; i++)
		dev_free(&s->devs[i]);
	free(s->devs);
	memset(s, 0, sizeof(*s));
}

static struct ev_dev *insert(struct ev_state *s, const struct device *l)
{
	bool found;
	size_t i = find_pos(s, l->ifindex, &found);
	struct ev_dev *v;

	if (!(v = vec_grow(s->devs, &s->cap, s->n + 1, sizeof(*v))))
		return NULL;
	s->devs = v;
	memmove(&v[i + 1], &v[i], (s->n - i) * sizeof(*v));
	memset(&v[i], 0, sizeof(*v));
	v[i].l = *l;
	s->n++;
	return &v[i];
}

static void remove_dev(struct ev_state *s, struct ev_dev *d)
{
	size_t i = (size_t)(d - s->devs);

	dev_free(d);
	memmove(&s->devs[i], &s->devs[i + 1], (s->n - i - 1) * sizeof(*d));
	s->n--;
}

static bool same_ip(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && !memcmp(a->a.b, b->a.b, a->family == AF_INET ? 4 : 16);
}

static bool same_addr(const struct addr_spec *a, const struct addr_spec *b)
{
	return a->local.len == b->local.len && same_ip(&a->local.addr, &b->local.addr) &&
	       a->has_peer == b->has_peer && (!a->has_peer || same_ip(&a->peer, &b->peer));
}

/* A route is the kernel's by (table, prefix, metric) and, for a device's
 * routes, its gateway. */
static bool same_route(const struct route_spec *a, const struct route_spec *b)
{
	return a->dst.len == b->dst.len && same_ip(&a->dst.addr, &b->dst.addr) &&
	       a->table == b->table && a->has_metric == b->has_metric &&
	       (!a->has_metric || a->metric == b->metric) && a->has_gw == b->has_gw &&
	       (!a->has_gw || same_ip(&a->gw, &b->gw));
}

static const struct addr_spec *find_addr(const struct ev_dev *d, const struct addr_spec *a)
{
	for (size_t i = 0; i < d->l.naddrs; i++)
		if (same_addr(&d->l.addrs[i], a))
			return &d->l.addrs[i];
	return NULL;
}

static const struct route_spec *find_route(const struct ev_dev *d, const struct route_spec *r)
{
	for (size_t i = 0; i < d->l.nroutes; i++)
		if (same_route(&d->l.routes[i], r))
			return &d->l.routes[i];
	return NULL;
}

static int emit(ev_fn fn, void *arg, struct event *e)
{
	return fn ? fn(e, arg) : 0;
}

static int add_addr(struct ev_dev *d, const struct addr_spec *a, ev_fn fn, void *arg)
{
	struct addr_spec *v;
	struct event e = { .type = EV_ADDR_ADD, .link = &d->l, .addr = a };

	if (find_addr(d, a))
		return 0;
	if (!(v = vec_grow(d->l.addrs, &d->addrs_cap, d->l.naddrs + 1, sizeof(*v))))
		return -ENOMEM;
	d->l.addrs = v;
	v[d->l.naddrs++] = *a;
	return emit(fn, arg, &e);
}

static int del_addr(struct ev_dev *d, const struct addr_spec *a, ev_fn fn, void *arg)
{
	const struct addr_spec *p = find_addr(d, a);
	struct addr_spec gone;
	struct event e = { .type = EV_ADDR_DEL, .link = &d->l, .addr = &gone };
	size_t i;

	if (!p)
		return 0;
	gone = *p;
	i = (size_t)(p - d->l.addrs);
	memmove(&d->l.addrs[i], &d->l.addrs[i + 1], (d->l.naddrs - i - 1) * sizeof(*p));
	d->l.naddrs--;
	return emit(fn, arg, &e);
}

static int add_route(struct ev_dev *d, const struct route_spec *r, ev_fn fn, void *arg)
{
	struct route_spec *v;
	struct event e = { .type = EV_ROUTE_ADD, .link = &d->l, .route = r };

	if (find_route(d, r))
		return 0;
	if (!(v = vec_grow(d->l.routes, &d->routes_cap, d->l.nroutes + 1, sizeof(*v))))
		return -ENOMEM;
	d->l.routes = v;
	v[d->l.nroutes++] = *r;
	return emit(fn, arg, &e);
}

static int del_route_at(struct ev_dev *d, size_t i, ev_fn fn, void *arg)
{
	struct route_spec gone = d->l.routes[i];
	struct event e = { .type = EV_ROUTE_DEL, .link = &d->l, .route = &gone };

	memmove(&d->l.routes[i], &d->l.routes[i + 1], (d->l.nroutes - i - 1) * sizeof(gone));
	d->l.nroutes--;
	return emit(fn, arg, &e);
}

static int del_route(struct ev_dev *d, const struct route_spec *r, ev_fn fn, void *arg)
{
	const struct route_spec *p = find_route(d, r);

	return p ? del_route_at(d, (size_t)(p - d->l.routes), fn, arg) : 0;
}

/* attached and detached, in turn from what it was, as many as the kernel
 * counted (at most CARRIER_MAX pairs for one message), ending in what it is. */
#define CARRIER_MAX 4

static int carrier_changes(struct ev_dev *d, const struct device *was, ev_fn fn, void *arg)
{
	const struct device *now = &d->l;
	uint32_t n = was->carrier != now->carrier;
	bool on = was->carrier;
	int rc;

	if (was->has_carrier_counts && now->has_carrier_counts) {
		uint32_t changes = (now->carrier_ups - was->carrier_ups) + (now->carrier_downs - was->carrier_downs);

		/* Same parity as n, by the counting; else trust the state. */
		if (changes > n && (changes - n) % 2 == 0)
			n = changes;
		if (n > 2 * CARRIER_MAX + 1)
			n = 2 * CARRIER_MAX + (n & 1);
	}
	for (uint32_t i = 0; i < n; i++) {
		on = !on;
		if ((rc = emit(fn, arg, &(struct event){ .type = on ? EV_ATTACHED : EV_DETACHED, .link = &d->l })))
			return rc;
	}
	return 0;
}

/* The events between two readings of one link, old updated to now (its
 * addresses and routes kept: a link message says nothing of them). */
static int link_changes(struct ev_dev *d, const struct device *now, ev_fn fn, void *arg)
{
	struct device was = d->l;
	struct event e = { .link = &d->l };
	int rc;

	d->l = *now;
	d->l.addrs = was.addrs;
	d->l.naddrs = was.naddrs;
	d->l.routes = was.routes;
	d->l.nroutes = was.nroutes;
	if (strcmp(was.ti.name, now->ti.name)) {
		e.type = EV_RENAMED;
		memcpy(e.old_name, was.ti.name, sizeof(e.old_name));
		if ((rc = emit(fn, arg, &e)))
			return rc;
	}
	if (was.link.mtu != now->link.mtu) {
		e = (struct event){ .type = EV_MTU, .link = &d->l, .old_mtu = was.link.mtu };
		if ((rc = emit(fn, arg, &e)))
			return rc;
	}
	if (was.link.has_mac != now->link.has_mac || memcmp(was.link.mac, now->link.mac, 6)) {
		e = (struct event){ .type = EV_MAC, .link = &d->l, .old_has_mac = was.link.has_mac };
		memcpy(e.old_mac, was.link.mac, 6);
		if ((rc = emit(fn, arg, &e)))
			return rc;
	}
	if (was.link.master.index != now->link.master.index) {
		e = (struct event){ .type = EV_MASTER, .link = &d->l, .old_master = was.link.master.index };
		if ((rc = emit(fn, arg, &e)))
			return rc;
	}
	if (was.ti.up != now->ti.up) {
		e = (struct event){ .type = now->ti.up ? EV_UP : EV_DOWN, .link = &d->l };
		if ((rc = emit(fn, arg, &e)))
			return rc;
		/* The kernel drops a device's IPv4 routes when it goes down
		 * without a word (IPv6 says so): they are gone all the same. */
		for (size_t i = d->l.nroutes; !now->ti.up && i-- > 0;)
			if (d->l.routes[i].dst.addr.family == AF_INET && (rc = del_route_at(d, i, fn, arg)))
				return rc;
	}
	return carrier_changes(d, &was, fn, arg);
}

/* ---- messages ---- */

struct link_extra {
	const struct nlattr *tb[IFLA_MAX + 1];
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct link_extra *x = data;
	unsigned type = mnl_attr_get_type(attr);

	if (type <= IFLA_MAX)
		x->tb[type] = attr;
	return MNL_CB_OK;
}

static bool get_u32(const struct nlattr *at, uint32_t *v)
{
	if (!at || mnl_attr_validate(at, MNL_TYPE_U32) < 0)
		return false;
	*v = mnl_attr_get_u32(at);
	return true;
}

/* The model of an RTM_NEWLINK, if it is a TUN/TAP device. */
static bool parse_link(const struct nlmsghdr *nlh, struct device *l)
{
	return rtnl_parse_link(nlh, l) && l->is_tun;
}

/* A bridge tells of its ports with link messages of family AF_BRIDGE
 * (RTM_DELLINK when one leaves): about the port, not the device. */
static bool bridge_msg(const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	return nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) || ifi->ifi_family != AF_UNSPEC;
}

static int on_newlink(struct ev_state *s, const struct nlmsghdr *nlh, ev_fn fn, void *arg)
{
	struct device l;
	struct ev_dev *d;

	if (bridge_msg(nlh))
		return 0;
	if (!parse_link(nlh, &l))
		return 0;
	if ((d = find_mut(s, l.ifindex)))
		return link_changes(d, &l, fn, arg);
	if (!(d = insert(s, &l)))
		return -ENOMEM;
	return emit(fn, arg, &(struct event){ .type = EV_CREATED, .link = &d->l });
}

static int on_dellink(struct ev_state *s, const struct nlmsghdr *nlh, ev_fn fn, void *arg)
{
	const struct ifinfomsg *ifi;
	struct event e = { .type = EV_DELETED };
	struct link_extra x;
	struct ev_dev *d;
	struct device was;
	uint32_t v;

	if (bridge_msg(nlh))
		return 0;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (!(d = find_mut(s, ifi->ifi_index)))
		return 0;
	memset(&x, 0, sizeof(x));
	if (mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, &x) >= 0) {
		if ((e.has_netnsid = get_u32(x.tb[IFLA_NEW_NETNSID], &v))) {
			e.type = EV_MOVED;
			e.new_netnsid = (int32_t)v;
		}
		if ((e.has_new_ifindex = get_u32(x.tb[IFLA_NEW_IFINDEX], &v)))
			e.new_ifindex = (int32_t)v;
	}
	was = d->l;
	was.addrs = NULL;       /* freed with it */
	was.routes = NULL;
	was.naddrs = was.nroutes = 0;
	e.link = &was;
	remove_dev(s, d);
	return emit(fn, arg, &e);
}

/* rtnl's parsers take RTM_NEWADDR and RTM_NEWROUTE; a deletion carries the
 * same attributes, so it is parsed as a copy with the type changed. */
static bool parse_as(const struct nlmsghdr *nlh, uint16_t type, void *copy, size_t room)
{
	if (nlh->nlmsg_len > room)
		return false;
	memcpy(copy, nlh, nlh->nlmsg_len);
	((struct nlmsghdr *)copy)->nlmsg_type = type;
	return true;
}

static int on_addr(struct ev_state *s, const struct nlmsghdr *nlh, ev_fn fn, void *arg)
{
	static uint64_t copy[1024];
	const struct ifaddrmsg *ifa;
	struct addr_info ai;
	struct ev_dev *d;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return 0;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (!(d = find_mut(s, (int)ifa->ifa_index)))
		return 0;
	if (!parse_as(nlh, RTM_NEWADDR, copy, sizeof(copy)) ||
	    !rtnl_parse_addr((const struct nlmsghdr *)copy, &ai))
		return 0;
	if (nlh->nlmsg_type == RTM_NEWADDR)
		return add_addr(d, &ai.a, fn, arg);
	return del_addr(d, &ai.a, fn, arg);
}

static int on_route(struct ev_state *s, const struct nlmsghdr *nlh, ev_fn fn, void *arg)
{
	static uint64_t copy[1024];
	const struct rtmsg *rtm;
	struct route_info ri;
	struct ev_dev *d;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return 0;
	rtm = mnl_nlmsg_get_payload(nlh);
	/* The kernel's own local, broadcast and multicast routes of each
	 * address are not what a user added. */
	if (rtm->rtm_type != RTN_UNICAST || rtm->rtm_table == RT_TABLE_LOCAL || !s->n)
		return 0;
	if (!parse_as(nlh, RTM_NEWROUTE, copy, sizeof(copy)) ||
	    !rtnl_parse_route((const struct nlmsghdr *)copy, &ri) || !ri.has_oif)
		return 0;
	if (ri.r.table == RT_TABLE_LOCAL || !(d = find_mut(s, ri.oif)))
		return 0;
	if (nlh->nlmsg_type == RTM_NEWROUTE)
		return add_route(d, &ri.r, fn, arg);
	return del_route(d, &ri.r, fn, arg);
}

int ev_feed(struct ev_state *s, const struct nlmsghdr *nlh, ev_fn fn, void *arg)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
		return on_newlink(s, nlh, fn, arg);
	case RTM_DELLINK:
		return on_dellink(s, nlh, fn, arg);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return on_addr(s, nlh, fn, arg);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return on_route(s, nlh, fn, arg);
	default:
		return 0;
	}
}

int ev_describe(const struct ev_dev *d, ev_fn fn, void *arg)
{
	struct event e = { .type = EV_EXISTS, .link = &d->l };
	int rc;

	if ((rc = emit(fn, arg, &e)))
		return rc;
	for (size_t i = 0; i < d->l.naddrs; i++) {
		e = (struct event){ .type = EV_ADDR_ADD, .link = &d->l, .addr = &d->l.addrs[i] };
		if ((rc = emit(fn, arg, &e)))
			return rc;
	}
	for (size_t i = 0; i < d->l.nroutes; i++) {
		e = (struct event){ .type = EV_ROUTE_ADD, .link = &d->l, .route = &d->l.routes[i] };
		if ((rc = emit(fn, arg, &e)))
			return rc;
	}
	return 0;
}

/* The events from old's device to fresh's, by walking both in ifindex order. */
static int dev_diff(struct ev_dev *old, const struct ev_dev *fresh, ev_fn fn, void *arg)
{
	int rc;

	if ((rc = link_changes(old, &fresh->l, fn, arg)))
		return rc;
	for (size_t i = old->l.naddrs; i-- > 0;)
		if (!find_addr(fresh, &old->l.addrs[i]) && (rc = del_addr(old, &old->l.addrs[i], fn, arg)))
			return rc;
	for (size_t i = old->l.nroutes; i-- > 0;)
		if (!find_route(fresh, &old->l.routes[i]) && (rc = del_route_at(old, i, fn, arg)))
			return rc;
	for (size_t i = 0; i < fresh->l.naddrs; i++)
		if ((rc = add_addr(old, &fresh->l.addrs[i], fn, arg)))
			return rc;
	for (size_t i = 0; i < fresh->l.nroutes; i++)
		if ((rc = add_route(old, &fresh->l.routes[i], fn, arg)))
			return rc;
	return 0;
}

int ev_diff(struct ev_state *cur, struct ev_state *fresh, ev_fn fn, void *arg)
{
	size_t i = 0, j = 0;
	int rc = 0;

	while (!rc && (i < cur->n || j < fresh->n)) {
		struct ev_dev *a = i < cur->n ? &cur->devs[i] : NULL;
		struct ev_dev *b = j < fresh->n ? &fresh->devs[j] : NULL;

		if (a && (!b || a->l.ifindex < b->l.ifindex)) {
			rc = emit(fn, arg, &(struct event){ .type = EV_DELETED, .link = &a->l });
			i++;
		} else if (b && (!a || b->l.ifindex < a->l.ifindex)) {
			struct event e = { .type = EV_CREATED, .link = &b->l };

			if (!(rc = emit(fn, arg, &e))) {
				for (size_t k = 0; !rc && k < b->l.naddrs; k++)
					rc = emit(fn, arg, &(struct event){ .type = EV_ADDR_ADD, .link = &b->l,
									    .addr = &b->l.addrs[k] });
				for (size_t k = 0; !rc && k < b->l.nroutes; k++)
					rc = emit(fn, arg, &(struct event){ .type = EV_ROUTE_ADD, .link = &b->l,
									    .route = &b->l.routes[k] });
			}
			j++;
		} else {
			rc = dev_diff(a, b, fn, arg);
			i++;
			j++;
		}
	}
	/* Whatever fn said, cur is now the fresh reading. */
	ev_state_free(cur);
	*cur = *fresh;
	memset(fresh, 0, sizeof(*fresh));
	return rc;
}
