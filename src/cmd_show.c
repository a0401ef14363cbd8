/* cmd_show.c - "tunctl show": devices in detail, with addresses, routes and processes. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>

#include "dev.h"
#include "dumps.h"
#include "ids.h"
#include "link.h"
#include "procfs.h"
#include "tunctl.h"

/* What show prints besides the links: every device's, or one device's. */
struct collect {
	struct addr_info *addrs;
	size_t naddrs;
	struct route_info *routes;
	size_t nroutes;
	struct holder *holders;     /* sorted by holders_by_dev */
	size_t nholders, pos;
};

static void print_flag_words(struct out *o, const char **w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_bool(o, w[i], NULL, true);
	for (size_t i = 0; i < n; i++)
		out_text(o, " %s", w[i]);
}

static void print_addrs(struct out *o, const struct collect *col, int ifindex)
{
	out_arr_open(o, "addresses");
	for (size_t i = 0; i < col->naddrs; i++) {
		const struct addr_spec *a = &col->addrs[i].a;
		char buf[INET6_ADDRSTRLEN];
		const char *fam = a->local.addr.family == AF_INET ? "inet" : "inet6";
		const char *w[RTNL_FLAG_WORDS];

		if (col->addrs[i].ifindex != ifindex)
			continue;
		out_obj_open(o, NULL);
		out_str(o, "family", "    %s", fam);
		out_str(o, "local", " %s", format_ipaddr(&a->local.addr, buf, sizeof(buf)));
		out_uint(o, "prefixlen", "/%llu", a->local.len);
		if (a->has_peer)
			out_str(o, "peer", " peer %s", format_ipaddr(&a->peer, buf, sizeof(buf)));
		/* As ip -j does: a key set to true for each flag that is set. */
		print_flag_words(o, w, rtnl_addr_flag_words(col->addrs[i].flags, a->local.addr.family, w));
		out_text(o, "\n");
		out_obj_close(o);
	}
	out_arr_close(o);
}

static void print_routes(struct out *o, const struct collect *col, int ifindex)
{
	out_arr_open(o, "routes");
	for (size_t i = 0; i < col->nroutes; i++) {
		const struct route_spec *r = &col->routes[i].r;
		char buf[INET6_ADDRSTRLEN + 8];
		const char *w[RTNL_FLAG_WORDS];
		size_t nw;

		if (col->routes[i].oif != ifindex)
			continue;
		out_obj_open(o, NULL);
		out_str(o, "dst", "    route %s", format_route_dst(&r->dst, buf, sizeof(buf)));
		if (r->has_gw)
			out_str(o, "gateway", " via %s", format_ipaddr(&r->gw, buf, sizeof(buf)));
		/* JSON always has a metric (the kernel's default, 0, when none
		 * is set); text shows it only when set, as ip does. */
		out_uint(o, "metric", r->has_metric ? " metric %llu" : NULL, r->has_metric ? r->metric : 0);
		if (r->table != RT_TABLE_MAIN)
			out_uint(o, "table", " table %llu", r->table);
		/* As ip -j does: an array of words, empty when none. */
		nw = rtnl_route_flag_words(col->routes[i].flags, w);
		out_arr_open(o, "flags");
		for (size_t k = 0; k < nw; k++)
			out_str(o, NULL, " %s", w[k]);
		out_arr_close(o);
		out_text(o, "\n");
		out_obj_close(o);
	}
	out_arr_close(o);
}

/* The link settings (but the state) d has: those of the "link" line, or
 * those on a line of their own (own_line); an empty text is none. JSON
 * under ip -j's keys, numbers as numbers. */
static void print_link(struct out *o, const struct link_spec *l, bool own_line)
{
	char v[LINK_TEXT_LEN];

	for (size_t i = 0; i < LINK_N; i++) {
		const struct link_setting *s = &link_settings[i];

		if (s->kind == LK_STATE || s->own_line != own_line || !link_has(s, l) ||
		    !*link_text(s, l, v, sizeof(v)))
			continue;
		out_text(o, own_line ? "    %s %s\n" : "  %s %s", s->word, v);
		if (s->kind == LK_U32)
			out_uint(o, s->json, NULL, *(const uint32_t *)link_value(s, l));
		else
			out_str(o, s->json, NULL, v);
	}
}

static void print_device(struct ctx *c, struct collect *col, const struct device *d)
{
	const struct tun_info *ti = &d->ti;
	char u[64], g[64];
	size_t nh = holders_next(col->holders, col->nholders, &col->pos, ti->name);

	out_obj_open(&c->out, NULL);
	print_tun_fields(&c->out, ti);
	out_uint(&c->out, "ifindex", NULL, (unsigned)d->ifindex);
	out_text(&c->out, "%s: %s%s%s%s%s\n", ti->name, mode_name(ti->flags.mode),
		 ti->flags.persist ? " persist" : "", ti->flags.pi ? " pi" : "",
		 ti->flags.vnet_hdr ? " vnet_hdr" : "", ti->flags.multi_queue ? " multi_queue" : "");
	out_text(&c->out, "    owner %s  group %s\n",
		 ti->owner_set ? ids_user_name(ti->owner, u, sizeof(u)) : "-",
		 ti->group_set ? ids_group_name(ti->group, g, sizeof(g)) : "-");
	/* The admin state and carrier in text; ip's operstate, which says
	 * DOWN for a device that is up with no reader, in JSON only. */
	out_text(&c->out, "    link %s", link_state_name(ti->up, ti->carrier));
	out_str(&c->out, "operstate", NULL, operstate_name(d->operstate));
	print_link(&c->out, &d->link, false);
	out_text(&c->out, "\n");
	print_link(&c->out, &d->link, true);
	print_addrs(&c->out, col, d->ifindex);
	print_routes(&c->out, col, d->ifindex);
	print_processes(&c->out, nh ? &col->holders[col->pos - nh] : NULL, nh);
	out_obj_close(&c->out);
}

/* The owner's and group's names can be looked up: checked before anything
 * is printed, as a number standing in for a name whose lookup failed
 * would be a quiet error. Returns 0 or 1 after reporting. */
static int names_ok(struct ctx *c, const struct tun_info *ti)
{
	char buf[64];
	int err;

	if (c->out.json)
		return 0;       /* JSON gives the numbers */
	if (ti->owner_set && (err = ids_user_lookup(ti->owner, buf, sizeof(buf)))) {
		report_err(c, err, NULL, "%s: looking up its owner (uid %u)", ti->name, ti->owner);
		return 1;
	}
	if (ti->group_set && (err = ids_group_lookup(ti->group, buf, sizeof(buf)))) {
		report_err(c, err, NULL, "%s: looking up its group (gid %u)", ti->name, ti->group);
		return 1;
	}
	return 0;
}

/* Addresses and routes (ifindex 0: every device's) and holders (only:
 * NULL for every device's); 1 after reporting. */
static int collect(struct ctx *c, struct collect *col, int ifindex, const char *only)
{
	int err;

	if (dump_addrs(c, ifindex, &col->addrs, &col->naddrs) ||
	    dump_routes(c, ifindex, &col->routes, &col->nroutes))
		return 1;
	if ((err = proc_tun_holders(only, &col->holders, &col->nholders))) {
		report_err(c, err, NULL, "reading /proc");
		return 1;
	}
	holders_by_dev(col->holders, col->nholders);
	return 0;
}

/* Whether the device read is still there, the same one, once its
 * addresses and routes are read: one deleted meanwhile would be shown
 * without them, as if it had none. 0, or 1 after reporting. */
static int still_there(struct ctx *c, const struct device *d)
{
	struct device *v = NULL;
	size_t n = 0;
	int rc;

	if (dev_read_links(c, d->ti.name, &v, &n))
		return 1;
	rc = n == 1 && v[0].ifindex == d->ifindex ? 0 : 1;
	if (rc)
		report(c, "device %s was replaced while it was read: run show again", d->ti.name);
	free(v);
	return rc;
}

int show_run(struct ctx *c, const struct show_req *r)
{
	struct collect col = { 0 };
	struct device *v = NULL;
	size_t n = 0;
	int rc = 1;

	/* One link request (or dump), one dump each of addresses and
	 * routes, one pass over /proc: whatever the number of devices; for
	 * one device, its link is asked for again at the end (still_there). */
	if (dev_read_links(c, r->name, &v, &n))
		return 1;
	for (size_t i = 0; i < n; i++)
		if (names_ok(c, &v[i].ti))
			goto out;
	if (collect(c, &col, r->name ? v[0].ifindex : 0, r->name) ||
	    (r->name && still_there(c, &v[0])))
		goto out;
	if (r->name) {
		print_device(c, &col, &v[0]);
	} else {
		out_arr_open(&c->out, NULL);
		for (size_t i = 0; i < n; i++) {
			if (i)
				out_text(&c->out, "\n");
			print_device(c, &col, &v[i]);
		}
		out_arr_close(&c->out);
	}
	out_end(&c->out);
	rc = 0;
out:
	free(v);
	free(col.holders);
	free(col.addrs);
	free(col.routes);
	return rc;
}
