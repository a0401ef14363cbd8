/* cmd_route.c - "tunctl route add|del": routes through a device. */
#include "config.h"

#include "devconf.h"
#include "sysfs.h"
#include "tunctl.h"

int route_run(struct ctx *c, const struct route_req *r)
{
	struct devconf dc = { .routes = &r->route, .nroutes = 1, .add = r->op == OP_ADD };
	struct tun_info ti;
	int ifindex;

	if (find_tun(c, r->name, &ti, &ifindex))
		return 1;
	return devconf_apply(c, r->name, ifindex, &dc);
}
