/* sidefx.c - pure: what the kernel drops by itself when a link, its
 * addresses or its routes change (sidefx.h lists the rules). */
#include "config.h"

#include <string.h>

#include "addrroute.h"
#include "link.h"
#include "sidefx.h"

bool sidefx_link_may_drop(const struct link_spec *l)
{
	for (size_t i = 0; l && i < LINK_N; i++) {
		const struct link_setting *s = &link_settings[i];

		if (link_has(s, l) && (s->kind == LK_STATE || s->kind == LK_DEV || !strcmp(s->name, "mtu")))
			return true;
	}
	return false;
}

bool sidefx_kernel_addr(const struct addr_spec *a)
{
	const struct ipaddr *l = &a->local.addr;

	return l->family == AF_INET6 && l->a.b[0] == 0xfe && (l->a.b[1] & 0xc0) == 0x80;
}

/* Whether the IPv4 prefixes a and b, of the same length, are one subnet. */
static bool same_subnet(const struct prefix *a, const struct prefix *b)
{
	uint32_t x, y, mask;

	if (a->len != b->len)
		return false;
	memcpy(&x, a->addr.a.b, 4);
	memcpy(&y, b->addr.a.b, 4);
	x = __builtin_bswap32(x);
	y = __builtin_bswap32(y);
	mask = a->len ? ~0u << (32 - a->len) : 0;
	return (x & mask) == (y & mask);
}

long sidefx_primary_of(const struct addr_spec *v, size_t n, size_t i)
{
	if (i >= n || v[i].local.addr.family != AF_INET)
		return -1;
	/* The kernel makes an address secondary when a primary of the same
	 * mask and subnet is there, and lists secondaries after primaries. */
	for (size_t k = 0; k < i; k++)
		if (v[k].local.addr.family == AF_INET && same_subnet(&v[k].local, &v[i].local) &&
		    sidefx_primary_of(v, n, k) < 0)
			return (long)k;
	return -1;
}

static bool deleted(const struct sidefx_change *ch, const struct addr_spec *a)
{
	for (size_t i = 0; i < ch->ndel_a; i++)
		if (addr_same(&ch->del_a[i], a))
			return true;
	return false;
}

static bool goes_down(const struct sidefx_change *ch)
{
	const struct link_spec *s = ch->set;

	if (!s)
		return false;
	/* A master that closes and opens the link (a VRF, a bond) is not
	 * told apart from a bridge here: undo, which snapshots, covers it. */
	return s->set_updown && !s->up && ch->now->up;
}

static bool loses_ipv6(const struct sidefx_change *ch)
{
	const struct link_spec *s = ch->set;

	return goes_down(ch) || (s && s->has_mtu && s->mtu < SIDEFX_IPV6_MIN_MTU &&
				 (!ch->now->has_mtu || ch->now->mtu >= SIDEFX_IPV6_MIN_MTU));
}

/* Whether v[i] is gone once the deletions are done: deleted, or a
 * secondary of a deleted primary without promote_secondaries. */
static bool gone_with_deletions(const struct sidefx_change *ch, size_t i)
{
	long p;

	if (deleted(ch, &ch->addrs[i]))
		return true;
	p = sidefx_primary_of(ch->addrs, ch->naddrs, i);
	return p >= 0 && !ch->promote && deleted(ch, &ch->addrs[p]);
}

bool sidefx_addr_dropped(const struct sidefx_change *ch, const struct addr_spec *a)
{
	if (a->local.addr.family == AF_INET6)
		return loses_ipv6(ch);
	for (size_t i = 0; i < ch->naddrs; i++)
		if (addr_same(&ch->addrs[i], a))
			return gone_with_deletions(ch, i);
	return false;
}

bool sidefx_route_dropped(const struct sidefx_change *ch, const struct route_spec *r)
{
	bool had = false, left = false;

	if (goes_down(ch))
		return true;
	if (r->dst.addr.family == AF_INET6)
		return loses_ipv6(ch);
	for (size_t i = 0; i < ch->naddrs; i++) {
		if (ch->addrs[i].local.addr.family != AF_INET)
			continue;
		had = true;
		left = left || !gone_with_deletions(ch, i);
	}
	return had && !left;
}

static bool secondary(const struct addr_spec *addrs, size_t na, const struct addr_spec *a)
{
	for (size_t i = 0; i < na; i++)
		if (addr_same(&addrs[i], a))
			return sidefx_primary_of(addrs, na, i) >= 0;
	return false;
}

void sidefx_order_deletions(const struct addr_spec *addrs, size_t na, struct addr_spec *del, size_t n)
{
	/* Insertion: a stable partition of a short list. */
	for (size_t i = 1; i < n; i++) {
		struct addr_spec x = del[i];
		size_t k = i;

		if (!secondary(addrs, na, &x))
			continue;
		while (k > 0 && !secondary(addrs, na, &del[k - 1])) {
			del[k] = del[k - 1];
			k--;
		}
		del[k] = x;
	}
}
