/* devconf.c - configure a device through rtnetlink: all requests in one exchange. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devconf.h"
#include "rtnl.h"

enum item_kind { IT_MTU, IT_MAC, IT_TXQLEN, IT_STATE, IT_ADDR, IT_ROUTE };

struct item {
	enum item_kind kind;
	size_t idx;
};

static int push_link(struct nl_tx *tx, int ifindex, const struct link_spec *one)
{
	void *room = nl_tx_room(tx);

	if (!room)
		return -ENOMEM;
	rtnl_link_set(room, ifindex, one, -1, -1);
	nl_tx_push(tx);
	return 0;
}

static void label(const struct devconf *dc, const struct item *it, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN + 8], m[18];

	switch (it->kind) {
	case IT_MTU:
		snprintf(buf, len, "mtu %u", dc->link->mtu);
		break;
	case IT_MAC:
		format_mac(dc->link->mac, m);
		snprintf(buf, len, "mac %s", m);
		break;
	case IT_TXQLEN:
		snprintf(buf, len, "txqueuelen %u", dc->link->txqlen);
		break;
	case IT_STATE:
		snprintf(buf, len, "setting link %s", dc->link->up ? "up" : "down");
		break;
	case IT_ADDR: {
		const struct addr_spec *s = &dc->addrs[it->idx];

		format_prefix(&s->local, a, sizeof(a));
		if (s->has_peer) {
			char p[INET6_ADDRSTRLEN];

			snprintf(buf, len, "address %s peer %s", a, format_ipaddr(&s->peer, p, sizeof(p)));
		} else {
			snprintf(buf, len, "address %s", a);
		}
		break;
	}
	case IT_ROUTE: {
		char r[256];

		format_route(&dc->routes[it->idx], r, sizeof(r));
		snprintf(buf, len, "route %s", r);
		break;
	}
	}
}

/* Removes what the exchange added (replies with err 0), newest first. */
static void undo(struct nl *nl, int ifindex, const struct devconf *dc,
		 const struct item *items, const struct nl_tx *done)
{
	struct nl_tx tx;

	nl_tx_init(&tx);
	for (size_t i = done->n; i-- > 0;) {
		void *room;

		if (done->replies[i].err || (items[i].kind != IT_ADDR && items[i].kind != IT_ROUTE))
			continue;
		if (!(room = nl_tx_room(&tx)))
			break;
		if (items[i].kind == IT_ADDR)
			rtnl_addr(room, false, ifindex, &dc->addrs[items[i].idx]);
		else
			rtnl_route(room, false, ifindex, &dc->routes[items[i].idx]);
		nl_tx_push(&tx);
	}
	if (tx.n)
		nl_tx_run(nl, &tx);
	nl_tx_free(&tx);
}

int devconf_apply(struct ctx *c, const char *ifname, int ifindex, const struct devconf *dc)
{
	size_t max = 4 + dc->naddrs + dc->nroutes, n = 0;
	struct item *items = calloc(max, sizeof(*items));
	struct nl *nl = ctx_nl(c);
	struct nl_tx tx;
	int rc = 1, err;

	nl_tx_init(&tx);
	if (!items) {
		report(c, "out of memory");
		goto out;
	}
	if (!nl)
		goto out;
	if (dc->link) {
		const struct link_spec *l = dc->link;
		struct link_spec one;

		/* One request per setting, so an error names the one refused. */
		if (l->has_mtu) {
			one = (struct link_spec){ .has_mtu = true, .mtu = l->mtu };
			if (push_link(&tx, ifindex, &one))
				goto oom;
			items[n++].kind = IT_MTU;
		}
		if (l->has_mac) {
			one = (struct link_spec){ .has_mac = true };
			memcpy(one.mac, l->mac, 6);
			if (push_link(&tx, ifindex, &one))
				goto oom;
			items[n++].kind = IT_MAC;
		}
		if (l->has_txqlen) {
			one = (struct link_spec){ .has_txqlen = true, .txqlen = l->txqlen };
			if (push_link(&tx, ifindex, &one))
				goto oom;
			items[n++].kind = IT_TXQLEN;
		}
		if (l->set_updown) {
			one = (struct link_spec){ .set_updown = true, .up = l->up };
			if (push_link(&tx, ifindex, &one))
				goto oom;
			items[n++].kind = IT_STATE;
		}
	}
	for (size_t i = 0; i < dc->naddrs; i++) {
		void *room = nl_tx_room(&tx);

		if (!room)
			goto oom;
		rtnl_addr(room, dc->add, ifindex, &dc->addrs[i]);
		nl_tx_push(&tx);
		items[n].kind = IT_ADDR;
		items[n++].idx = i;
	}
	for (size_t i = 0; i < dc->nroutes; i++) {
		void *room = nl_tx_room(&tx);

		if (!room)
			goto oom;
		rtnl_route(room, dc->add, ifindex, &dc->routes[i]);
		nl_tx_push(&tx);
		items[n].kind = IT_ROUTE;
		items[n++].idx = i;
	}
	if (!tx.n) {
		rc = 0;
		goto out;
	}
	if ((err = nl_tx_run(nl, &tx))) {
		report_err(c, err, NULL, "%s: netlink exchange failed", ifname);
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < tx.n; i++) {
		struct nl_reply *r = &tx.replies[i];
		char what[300];

		if (r->err == -EEXIST && dc->exist_ok && (items[i].kind == IT_ADDR || items[i].kind == IT_ROUTE)) {
			/* Present already: fine, and not ours to undo. */
			r->err = 1;
			continue;
		}
		if (r->err < 0 && !rc) {
			label(dc, &items[i], what, sizeof(what));
			report_err(c, r->err, r->msg, "%s: %s", ifname, what);
			rc = 1;
		}
	}
	if (rc && dc->undo)
		undo(nl, ifindex, dc, items, &tx);
	goto out;
oom:
	report(c, "out of memory");
out:
	nl_tx_free(&tx);
	free(items);
	return rc;
}
