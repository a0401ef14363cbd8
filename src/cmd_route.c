/* cmd_route.c - "tunctl route add|replace|del": routes through a device. */
#include "config.h"

#include <stdlib.h>

#include "addrroute.h"
#include "dev.h"
#include "devconf.h"
#include "dumps.h"
#include "tunctl.h"

/* --exist-ok: whether exactly this route goes through the device
 * (route_same: the gateway, metric and table too); 1, 0, or -1 after
 * reporting.  One with the same prefix, metric and table but another
 * gateway or device stays the kernel's error ("route exists"). */
static int present(struct ctx *c, int ifindex, const struct route_spec *r)
{
	struct route_info *v = NULL;
	size_t n = 0;
	int hit = 0;

	if (dump_routes(c, ifindex, &v, &n))
		return -1;
	for (size_t i = 0; i < n && !hit; i++)
		hit = v[i].has_oif && v[i].oif == ifindex && route_same(&v[i].r, r);
	free(v);
	return hit;
}

int route_run(struct ctx *c, const struct route_req *r)
{
	struct devconf dc = { .routes = &r->route, .nroutes = 1, .add = r->op == OP_ADD || r->op == OP_REPLACE,
			      .replace = r->op == OP_REPLACE };
	struct device d;
	int have;

	if (ctx_lock(c) || dev_lookup(c, r->name, &d))
		return 1;
	if (r->exist_ok && (have = present(c, d.ifindex, &r->route)))
		return have < 0;
	return devconf_apply(c, r->name, d.ifindex, &dc);
}
