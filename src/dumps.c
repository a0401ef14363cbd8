/* dumps.c - links, addresses and routes dumped into arrays, filtered as they come. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "dumps.h"

struct vec {
	void *v;
	size_t n, cap, size;
	int ifindex;
};

/* Room for one more element, or NULL. */
static void *vec_push(struct vec *a)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		void *v = realloc(a->v, cap * a->size);

		if (!v)
			return NULL;
		a->v = v;
		a->cap = cap;
	}
	return (char *)a->v + a->n++ * a->size;
}

static void vec_reset(void *data)
{
	((struct vec *)data)->n = 0;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info li, *slot;

	if (!rtnl_parse_link(nlh, &li))
		return 0;
	if (!(slot = vec_push(data)))
		return -ENOMEM;
	*slot = li;
	return 0;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vec *a = data;
	struct addr_info ai, *slot;

	if (!rtnl_parse_addr(nlh, &ai) || (a->ifindex && ai.ifindex != a->ifindex))
		return 0;
	if (!(slot = vec_push(a)))
		return -ENOMEM;
	*slot = ai;
	return 0;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vec *a = data;
	struct route_info ri, *slot;

	if (!rtnl_parse_route(nlh, &ri) || !ri.has_oif || (a->ifindex && ri.oif != a->ifindex))
		return 0;
	/* The local table and cached clones are the kernel's business. */
	if (ri.r.table == RT_TABLE_LOCAL || ri.type != RTN_UNICAST || (ri.flags & RTM_F_CLONED))
		return 0;
	if (!(slot = vec_push(a)))
		return -ENOMEM;
	*slot = ri;
	return 0;
}

static int dump(struct ctx *c, uint16_t type, nl_dump_cb cb, struct vec *a, void **out, size_t *n,
		const char *what)
{
	char req[RTNL_MSG_MAX] = { 0 };
	struct nl *nl = ctx_nl(c);
	struct nl_reply rep;
	int err;

	if (!nl)
		return 1;
	if ((err = nl_dump(nl, rtnl_dump(req, type, AF_UNSPEC), cb, vec_reset, a, &rep))) {
		report_err(c, err, rep.msg, "listing %s", what);
		free(a->v);
		return 1;
	}
	*out = a->v;
	*n = a->n;
	return 0;
}

int dump_links(struct ctx *c, struct link_info **out, size_t *n)
{
	struct vec a = { .size = sizeof(**out) };

	return dump(c, RTM_GETLINK, link_cb, &a, (void **)out, n, "links");
}

int dump_addrs(struct ctx *c, int ifindex, struct addr_info **out, size_t *n)
{
	struct vec a = { .size = sizeof(**out), .ifindex = ifindex };

	return dump(c, RTM_GETADDR, addr_cb, &a, (void **)out, n, "addresses");
}

int dump_routes(struct ctx *c, int ifindex, struct route_info **out, size_t *n)
{
	struct vec a = { .size = sizeof(**out), .ifindex = ifindex };

	return dump(c, RTM_GETROUTE, route_cb, &a, (void **)out, n, "routes");
}
