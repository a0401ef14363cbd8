/* cmd_route.c - "tunctl route add|del": routes through a device. */
#include "config.h"

#include "dev.h"
#include "devconf.h"
#include "tunctl.h"

int route_run(struct ctx *c, const struct route_req *r)
{
	struct devconf dc = { .routes = &r->route, .nroutes = 1, .add = r->op == OP_ADD };
	struct dev_link d;

	if (ctx_lock(c) || dev_lookup(c, r->name, &d))
		return 1;
	return devconf_apply(c, r->name, d.ifindex, &dc);
}
