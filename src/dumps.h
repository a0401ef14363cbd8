/* dumps.h - whole rtnetlink dumps collected into arrays. Each returns 0 or
 * 1 after reporting, and the caller frees *out. */
#ifndef TUNCTL_DUMPS_H
#define TUNCTL_DUMPS_H

#include "rtnl.h"
#include "tunctl.h"

int dump_links(struct ctx *c, struct link_info **out, size_t *n);
/* ifindex 0: every device's. */
int dump_addrs(struct ctx *c, int ifindex, struct addr_info **out, size_t *n);
/* The unicast routes through ifindex (0: through any device), in any
 * table but local. */
int dump_routes(struct ctx *c, int ifindex, struct route_info **out, size_t *n);

#endif
