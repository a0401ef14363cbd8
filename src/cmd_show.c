/* cmd_show.c - "tunctl show": one device in detail, with addresses, routes and processes. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "ids.h"
#include "procfs.h"
#include "dumps.h"
#include "sysfs.h"
#include "tunctl.h"

struct collect {
	int ifindex;
	struct addr_info *addrs;
	size_t naddrs;
	struct route_info *routes;
	size_t nroutes;
};

static void print_addrs(struct out *o, const struct collect *col)
{
	out_arr_open(o, "addresses");
	for (size_t i = 0; i < col->naddrs; i++) {
		const struct addr_spec *a = &col->addrs[i].a;
		char buf[INET6_ADDRSTRLEN];
		const char *fam = a->local.addr.family == AF_INET ? "inet" : "inet6";

		out_obj_open(o, NULL);
		out_str(o, "family", "    %s", fam);
		out_str(o, "local", " %s", format_ipaddr(&a->local.addr, buf, sizeof(buf)));
		out_uint(o, "prefixlen", "/%llu", a->local.len);
		if (a->has_peer)
			out_str(o, "peer", " peer %s", format_ipaddr(&a->peer, buf, sizeof(buf)));
		out_text(o, "\n");
		out_obj_close(o);
	}
	out_arr_close(o);
}

static void print_routes(struct out *o, const struct collect *col)
{
	out_arr_open(o, "routes");
	for (size_t i = 0; i < col->nroutes; i++) {
		const struct route_spec *r = &col->routes[i].r;
		char buf[INET6_ADDRSTRLEN + 8];

		out_obj_open(o, NULL);
		out_str(o, "dst", "    route %s", format_prefix(&r->dst, buf, sizeof(buf)));
		if (r->has_gw)
			out_str(o, "gateway", " via %s", format_ipaddr(&r->gw, buf, sizeof(buf)));
		/* JSON always has a metric (the kernel's default, 0, when none
		 * is set); text shows it only when set, as ip does. */
		out_uint(o, "metric", r->has_metric ? " metric %llu" : NULL, r->has_metric ? r->metric : 0);
		if (r->table != RT_TABLE_MAIN)
			out_uint(o, "table", " table %llu", r->table);
		out_text(o, "\n");
		out_obj_close(o);
	}
	out_arr_close(o);
}

int show_run(struct ctx *c, const struct show_req *r)
{
	struct collect col = { 0 };
	struct holder *h = NULL;
	char operstate[32] = "", carrier[8] = "", mtu[16] = "", txq[16] = "", mac[32] = "", u[64], g[64];
	struct tun_info ti;
	size_t nh = 0;
	uint32_t v;
	int err, rc = 1;

	if (find_tun(c, r->name, &ti, &col.ifindex))
		return 1;
	sysfs_attr(r->name, "operstate", operstate, sizeof(operstate));
	/* As ip(8) prints it. */
	for (char *p = operstate; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	/* carrier reads as EINVAL while the link is down: no carrier then. */
	if (sysfs_attr(r->name, "carrier", carrier, sizeof(carrier)))
		snprintf(carrier, sizeof(carrier), "0");
	sysfs_attr(r->name, "mtu", mtu, sizeof(mtu));
	sysfs_attr(r->name, "tx_queue_len", txq, sizeof(txq));
	if (ti.flags.mode == MODE_TAP)
		sysfs_attr(r->name, "address", mac, sizeof(mac));
	if (dump_addrs(c, col.ifindex, &col.addrs, &col.naddrs) ||
	    dump_routes(c, col.ifindex, &col.routes, &col.nroutes))
		goto out;
	if ((err = proc_tun_holders(r->name, &h, &nh))) {
		report_err(c, err, NULL, "reading /proc");
		goto out;
	}

	out_obj_open(&c->out, NULL);
	print_tun_fields(&c->out, &ti);
	out_text(&c->out, "%s: %s%s%s%s%s\n", ti.name, mode_name(ti.flags.mode),
		 ti.flags.persist ? " persist" : "", ti.flags.pi ? " pi" : "",
		 ti.flags.vnet_hdr ? " vnet_hdr" : "", ti.flags.multi_queue ? " multi_queue" : "");
	out_text(&c->out, "    owner %s  group %s\n",
		 ti.owner_set ? ids_user_name(ti.owner, u, sizeof(u)) : "-",
		 ti.group_set ? ids_group_name(ti.group, g, sizeof(g)) : "-");
	out_str(&c->out, "operstate", "    state %s", operstate);
	out_bool(&c->out, "carrier", NULL, !strcmp(carrier, "1"));
	out_text(&c->out, "  carrier %s", strcmp(carrier, "1") ? "off" : "on");
	out_uint(&c->out, "mtu", "  mtu %llu", parse_u32(mtu, 0, UINT32_MAX, &v) ? v : 0);
	out_uint(&c->out, "txqueuelen", "  txqueuelen %llu", parse_u32(txq, 0, UINT32_MAX, &v) ? v : 0);
	out_text(&c->out, "\n");
	if (mac[0])
		out_str(&c->out, "mac", "    mac %s\n", mac);
	print_addrs(&c->out, &col);
	print_routes(&c->out, &col);
	out_arr_open(&c->out, "processes");
	for (size_t i = 0; i < nh; i++) {
		out_obj_open(&c->out, NULL);
		out_uint(&c->out, "pid", "    process %llu", (unsigned long long)h[i].pid);
		out_str(&c->out, "name", " %s\n", h[i].comm);
		out_obj_close(&c->out);
	}
	out_arr_close(&c->out);
	out_obj_close(&c->out);
	out_end(&c->out);
	rc = 0;
out:
	free(h);
	free(col.addrs);
	free(col.routes);
	return rc;
}
