/* dumps.h - whole rtnetlink dumps collected into arrays. Each returns 0 or
 * 1 after reporting, and the caller frees *out. */
#ifndef TUNCTL_DUMPS_H
#define TUNCTL_DUMPS_H

#include "rtnl.h"
#include "ctx.h"

/* Every link, each as the model's link part (rtnl_parse_link: is_tun
 * tells the TUN/TAP devices from the others). */
int dump_links(struct ctx *c, struct device **out, size_t *n);
/* Every link of one dump (name NULL), or the one link of that name (one
 * request; "does not exist" reported), handed to each as it is parsed,
 * never kept: each returns 0 or -errno (which ends the dump), and reset
 * (may be NULL) forgets what it was given when the dump starts over. */
int dump_links_each(struct ctx *c, const char *name, int (*each)(const struct device *l, void *data),
		    void (*reset)(void *data), void *data);
/* The link called name, TUN/TAP or not (is_tun), by one RTM_GETLINK into
 * *out: 0 with *found saying whether there is one (none is not reported),
 * or 1 after reporting. */
int dump_link(struct ctx *c, const char *name, struct device *out, bool *found);
/* How many TUN/TAP devices uid owns in another namespace (descriptor
 * nsfd, named netns for messages), read through the id this namespace
 * gives it (one is assigned if it has none: RTM_NEWNSID) and a link dump
 * of it (IFLA_TARGET_NETNSID): CAP_NET_ADMIN, no setns. */
int dump_owned_in(struct ctx *c, const char *netns, int nsfd, uint32_t uid, size_t *n);
/* Whether l is a TUN/TAP device the kernel's dump says nothing more of
 * (a kernel before 4.17): then reported, as dump_links_each does. */
bool link_lacks_tun_info(struct ctx *c, const struct device *l);
/* The qsort and bsearch order by name of elements that begin with it
 * (char[IFNAMSIZ]): struct device (its ti.name), struct tun_info and
 * those that begin with one. */
int cmp_ifname(const void *a, const void *b);
/* A link list by name, and a name looked up in one so sorted. */
void links_sort(struct device *v, size_t n);
const struct device *links_find(const struct device *v, size_t n, const char *name);
/* ifindex 0: every device's. */
int dump_addrs(struct ctx *c, int ifindex, struct addr_info **out, size_t *n);
/* The unicast routes through ifindex (0: through any device), in any
 * table but local. */
int dump_routes(struct ctx *c, int ifindex, struct route_info **out, size_t *n);

/* What the kernel has of what requests touch, for asking it again when
 * their answers were lost.  Only the parts asked for are filled. */
struct dump_state {
	int ifindex;                    /* addresses and routes: of this device */
	bool has_links, has_addrs, has_routes;
	struct device *links;
	struct addr_info *addrs;
	struct route_info *routes;
	size_t nlinks, naddrs, nroutes;
};

enum { DS_LINKS = 1, DS_ADDRS = 2, DS_ROUTES = 4 };

/* Fills s with the parts in what (DS_*); reports nothing.  Returns 0 or
 * -errno; on failure s holds what was read before. */
int dump_state(struct ctx *c, int ifindex, unsigned what, struct dump_state *s);
void dump_state_free(struct dump_state *s);

/* Pure: the addresses or routes of s that a request for a would act on.
 * exact: as an add creates it (unset metric and table are the kernel's
 * defaults); otherwise as a delete matches (unset gateway and metric match
 * any). */
size_t state_count_addrs(const struct dump_state *s, const struct addr_spec *a);
size_t state_count_routes(const struct dump_state *s, const struct route_spec *r, bool exact);
/* The device of s with that index, or NULL. */
const struct device *state_link(const struct dump_state *s, int ifindex);

/* After deletions whose answers were lost: how many of the links of
 * indexes idx[0..n) are still there, from one link dump, and, if gone is
 * not NULL, gone[k] for each.  Reports nothing; -errno when the dump
 * failed. */
long dump_links_left(struct ctx *c, const int *idx, size_t n, bool *gone);

#endif
