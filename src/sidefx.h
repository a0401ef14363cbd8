/* sidefx.h - pure: what the kernel drops by itself when a link, its
 * addresses or its routes change, for undo (devconf.c) and for apply's
 * plan (apply_plan.c) to expect and put back.
 *
 *  - A link that goes down loses its IPv6 addresses and all its routes.
 *  - A link whose MTU goes under 1280 loses IPv6: addresses and routes.
 *  - A link that gets a master may be closed and opened again (a VRF, a
 *    bond): the same as going down.
 *  - Deleting a primary IPv4 address deletes its secondaries (those of the
 *    same prefix and subnet, added after it) unless promote_secondaries.
 *  - Deleting the last IPv4 address flushes the device's IPv4 routes. */
#ifndef TUNCTL_SIDEFX_H
#define TUNCTL_SIDEFX_H

#include <stdbool.h>
#include <stddef.h>

#include "parse.h"

/* IPv6's minimum MTU (RFC 8200). */
#define SIDEFX_IPV6_MIN_MTU 1280

/* Whether setting the link settings l may make the kernel drop addresses
 * or routes (the state, the MTU, the master). */
bool sidefx_link_may_drop(const struct link_spec *l);

/* fe80::/10: the kernel's own, added when the link comes up. */
bool sidefx_kernel_addr(const struct addr_spec *a);

/* Index in v (n addresses, in the kernel's order) of the primary IPv4
 * address that v[i] is a secondary of, or -1 when v[i] is a primary (or
 * IPv6): the first of the same prefix length and subnet. */
long sidefx_primary_of(const struct addr_spec *v, size_t n, size_t i);

/* One device's changes: what it has now, and what is done to it. */
struct sidefx_change {
	const struct link_spec *now;            /* its link settings now (the state set) */
	const struct link_spec *set;            /* the settings changed */
	const struct addr_spec *addrs;          /* now, in the kernel's order */
	size_t naddrs;
	const struct addr_spec *del_a;          /* deleted */
	size_t ndel_a;
	bool promote;                           /* net.ipv4.conf.DEV.promote_secondaries */
};

/* Whether the kernel takes a (one of ch->addrs, not deleted) with ch. */
bool sidefx_addr_dropped(const struct sidefx_change *ch, const struct addr_spec *a);
/* Whether the kernel takes route r (one of the device's now) with ch. */
bool sidefx_route_dropped(const struct sidefx_change *ch, const struct route_spec *r);

/* Orders the n addresses of del (a subset of the device's addrs, na) as
 * "ip addr flush" deletes them: secondaries before primaries, so that no
 * deletion finds its address already taken with its primary.  Stable. */
void sidefx_order_deletions(const struct addr_spec *addrs, size_t na, struct addr_spec *del, size_t n);

#endif
