/* devconf.h - link settings, addresses and routes applied in one pipelined exchange. */
#ifndef TUNCTL_DEVCONF_H
#define TUNCTL_DEVCONF_H

#include "tunctl.h"

struct devconf {
	const struct link_spec *link;           /* NULL: none */
	const struct addr_spec *addrs;
	size_t naddrs;
	const struct route_spec *routes;
	size_t nroutes;
	bool add;                               /* false: delete the addresses and routes */
	bool exist_ok;                          /* an address or route that exists is fine */
	bool undo;                              /* on failure, remove what this call added */
};

/* Sends, in the order that makes them valid: link settings (the state last),
 * addresses, routes.  Reports the first failure. Returns 0 or 1. */
int devconf_apply(struct ctx *c, const char *ifname, int ifindex, const struct devconf *dc);

#endif
