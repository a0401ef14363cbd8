/* cmd_addr.c - "tunctl addr add|del|flush": the addresses of a device. */
#include "config.h"

#include <stdlib.h>
#include <linux/if_addr.h>

#include "addrroute.h"
#include "dev.h"
#include "devconf.h"
#include "dumps.h"
#include "tunctl.h"

static int flush(struct ctx *c, const char *name, int ifindex)
{
	struct addr_info *v = NULL;
	struct addr_spec *specs;
	struct devconf dc = { 0 };
	size_t n = 0;
	int rc;

	if (dump_addrs(c, ifindex, &v, &n))
		return 1;
	specs = malloc((n + 1) * sizeof(*specs));
	if (!specs) {
		free(v);
		report(c, "out of memory");
		return 1;
	}
	/* Secondaries first: deleting a primary IPv4 address takes its
	 * secondaries with it (unless promote_secondaries), and a delete of
	 * one already gone would fail the flush. */
	for (size_t i = 0; i < n; i++)
		if (v[i].flags & IFA_F_SECONDARY)
			specs[dc.naddrs++] = v[i].a;
	for (size_t i = 0; i < n; i++)
		if (!(v[i].flags & IFA_F_SECONDARY))
			specs[dc.naddrs++] = v[i].a;
	dc.addrs = specs;
	rc = devconf_apply(c, name, ifindex, &dc);
	free(specs);
	free(v);
	return rc;
}

/* --exist-ok: whether the device has exactly this address (addr_same:
 * the prefix length and peer too); 1, 0, or -1 after reporting.  Another
 * one in the way stays the kernel's error. */
static int present(struct ctx *c, int ifindex, const struct addr_spec *a)
{
	struct addr_info *v = NULL;
	size_t n = 0;
	int hit = 0;

	if (dump_addrs(c, ifindex, &v, &n))
		return -1;
	for (size_t i = 0; i < n && !hit; i++)
		hit = addr_same(&v[i].a, a);
	free(v);
	return hit;
}

int addr_run(struct ctx *c, const struct addr_req *r)
{
	struct devconf dc = { .addrs = &r->addr, .naddrs = 1, .add = r->op == OP_ADD || r->op == OP_REPLACE,
			      .replace = r->op == OP_REPLACE };
	struct device d;
	int have;

	if (ctx_lock(c) || dev_lookup(c, r->name, &d))
		return 1;
	if (r->op == OP_FLUSH)
		return flush(c, r->name, d.ifindex);
	if (r->exist_ok && (have = present(c, d.ifindex, &r->addr)))
		return have < 0;
	return devconf_apply(c, r->name, d.ifindex, &dc);
}
