/* addrroute.c - pure: when two addresses or two routes are the same, and
 * their text. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <linux/ipv6_route.h>
#include <linux/rtnetlink.h>

#include "addrroute.h"

bool ipaddr_eq(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && !memcmp(a->a.b, b->a.b, a->family == AF_INET ? 4 : 16);
}

static bool prefix_eq(const struct prefix *a, const struct prefix *b)
{
	return a->len == b->len && ipaddr_eq(&a->addr, &b->addr);
}

uint32_t route_default_metric(int family)
{
	return family == AF_INET6 ? IP6_RT_PRIO_USER : 0;
}

uint32_t route_metric(const struct route_spec *r)
{
	return r->has_metric ? r->metric : route_default_metric(r->dst.addr.family);
}

uint32_t route_table(const struct route_spec *r)
{
	return r->has_table ? r->table : RT_TABLE_MAIN;
}

bool addr_same(const struct addr_spec *a, const struct addr_spec *b)
{
	return prefix_eq(&a->local, &b->local) && a->has_peer == b->has_peer &&
	       (!a->has_peer || ipaddr_eq(&a->peer, &b->peer));
}

bool route_same(const struct route_spec *a, const struct route_spec *b)
{
	return prefix_eq(&a->dst, &b->dst) && a->has_gw == b->has_gw &&
	       (!a->has_gw || ipaddr_eq(&a->gw, &b->gw)) &&
	       route_metric(a) == route_metric(b) && route_table(a) == route_table(b);
}

bool route_same_slot(const struct route_spec *a, const struct route_spec *b)
{
	return prefix_eq(&a->dst, &b->dst) && route_metric(a) == route_metric(b) && route_table(a) == route_table(b);
}

bool route_names(const struct route_spec *k, const struct route_spec *r, bool exact)
{
	uint32_t metric = k->has_metric ? k->metric : 0;

	if (!prefix_eq(&k->dst, &r->dst) || route_table(k) != route_table(r))
		return false;
	if ((exact || r->has_gw) && (k->has_gw != r->has_gw || (r->has_gw && !ipaddr_eq(&k->gw, &r->gw))))
		return false;
	if (r->has_metric ? metric != r->metric : exact && metric != route_default_metric(r->dst.addr.family))
		return false;
	return true;
}

const char *addr_text(const struct addr_spec *a, char *buf, size_t len)
{
	char l[INET6_ADDRSTRLEN + 8], p[INET6_ADDRSTRLEN];

	format_prefix(&a->local, l, sizeof(l));
	if (a->has_peer)
		snprintf(buf, len, "%s peer %s", l, format_ipaddr(&a->peer, p, sizeof(p)));
	else
		snprintf(buf, len, "%s", l);
	return buf;
}

const char *route_text(const struct route_spec *r, char *buf, size_t len)
{
	struct route_spec s = *r;

	s.has_metric = route_metric(r) != route_default_metric(r->dst.addr.family);
	s.has_table = route_table(r) != RT_TABLE_MAIN;
	format_route(&s, buf, len);
	return buf;
}

static int ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(a->a.b, b->a.b, a->family == AF_INET ? 4 : 16);
}

static int u32_cmp(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

int addr_cmp(const void *pa, const void *pb)
{
	const struct addr_spec *a = pa, *b = pb;
	int d;

	if ((d = ipaddr_cmp(&a->local.addr, &b->local.addr)) || (d = u32_cmp(a->local.len, b->local.len)))
		return d;
	if (a->has_peer != b->has_peer)
		return a->has_peer ? 1 : -1;
	return a->has_peer ? ipaddr_cmp(&a->peer, &b->peer) : 0;
}

int route_cmp(const void *pa, const void *pb)
{
	const struct route_spec *a = pa, *b = pb;
	int d;

	if (a->dst.addr.family != b->dst.addr.family)
		return a->dst.addr.family == AF_INET ? -1 : 1;
	if ((d = u32_cmp(route_table(a), route_table(b))) || (d = ipaddr_cmp(&a->dst.addr, &b->dst.addr)) ||
	    (d = u32_cmp(a->dst.len, b->dst.len)) || (d = u32_cmp(route_metric(a), route_metric(b))))
		return d;
	if (a->has_gw != b->has_gw)
		return a->has_gw ? 1 : -1;
	return a->has_gw ? ipaddr_cmp(&a->gw, &b->gw) : 0;
}
