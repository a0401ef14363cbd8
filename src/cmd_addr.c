/* cmd_addr.c - "tunctl addr add|del|flush": the addresses of a device. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "devconf.h"
#include "rtnl.h"
#include "sysfs.h"
#include "tunctl.h"

struct addrs {
	int ifindex;
	struct addr_spec *v;
	size_t n, cap;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addrs *a = data;
	struct addr_info ai;

	if (!rtnl_parse_addr(nlh, &ai) || ai.ifindex != a->ifindex)
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		struct addr_spec *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = ai.a;
	return 0;
}

static void reset(void *data)
{
	((struct addrs *)data)->n = 0;
}

static int flush(struct ctx *c, const char *name, int ifindex)
{
	char req[RTNL_MSG_MAX] = { 0 };
	struct addrs a = { .ifindex = ifindex };
	struct devconf dc = { 0 };
	struct nl_reply rep;
	struct nl *nl = ctx_nl(c);
	int err, rc = 1;

	if (!nl)
		return 1;
	if ((err = nl_dump(nl, rtnl_dump(req, RTM_GETADDR, AF_UNSPEC), addr_cb, reset, &a, &rep))) {
		report_err(c, err, rep.msg, "listing the addresses of %s", name);
		goto out;
	}
	dc.addrs = a.v;
	dc.naddrs = a.n;
	rc = devconf_apply(c, name, ifindex, &dc);
out:
	free(a.v);
	return rc;
}

int addr_run(struct ctx *c, const struct addr_req *r)
{
	struct devconf dc = { .addrs = &r->addr, .naddrs = 1, .add = r->op == OP_ADD };
	struct tun_info ti;
	int ifindex;

	if (find_tun(c, r->name, &ti, &ifindex))
		return 1;
	if (r->op == OP_FLUSH)
		return flush(c, r->name, ifindex);
	return devconf_apply(c, r->name, ifindex, &dc);
}
