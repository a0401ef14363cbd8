/* devconf.c - configure devices through rtnetlink: all requests in one exchange. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net/if.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "addrroute.h"
#include "devconf.h"
#include "dumps.h"
#include "link.h"
#include "rtnl.h"
#include "sidefx.h"
#include "vec.h"

/* Room for a request's label in a message ("route ...", "alias ..."). */
#define LABEL_LEN 300

/* IT_LINK: one link setting, idx its row in link_settings.  IT_DOWN and
 * IT_NAME: a rename's steps (the device taken down, then renamed). */
enum item_kind { IT_LINK, IT_ADDR, IT_ROUTE, IT_NETNS, IT_DOWN, IT_NAME };

struct dc_item {
	enum item_kind kind;
	size_t idx;             /* into link_settings, dc->addrs or dc->routes */
	size_t job;
	int ifindex;
	const char *ifname;
	const struct devconf *dc;
};

void dc_run_init(struct dc_run *run)
{
	memset(run, 0, sizeof(*run));
	nl_tx_init(&run->tx);
}

void dc_run_free(struct dc_run *run)
{
	nl_tx_free(&run->tx);
	free(run->items);
	if (run->snap)
		dump_state_free(run->snap);
	free(run->snap);
	memset(run, 0, sizeof(*run));
}

/* Reserves a message and its item; the caller builds into the room returned. */
static void *push(struct dc_run *run, enum item_kind kind, size_t idx, size_t job,
		  const char *ifname, int ifindex, const struct devconf *dc)
{
	void *room;

	{
		struct dc_item *v = vec_grow(run->items, &run->cap, run->nitems + 1, sizeof(*v));

		if (!v)
			return NULL;
		run->items = v;
	}
	if (!(room = nl_tx_room(&run->tx)))
		return NULL;
	if (run->nitems && job < run->items[run->nitems - 1].job)
		run->unordered = true;
	run->items[run->nitems++] = (struct dc_item){ kind, idx, job, ifindex, ifname, dc };
	return room;
}

/* Where job's requests are among run's items: *from to *to.  A batch of
 * add lines queues one job per line in order, and looking at every item for
 * each line made n lines cost n^2; in order, the span is found by
 * bisection.  Otherwise it is the whole run.  Callers still skip the items
 * of other jobs. */
static void job_span(const struct dc_run *run, size_t job, size_t *from, size_t *to)
{
	size_t lo = 0, hi = run->nitems;

	*from = 0;
	*to = run->nitems;
	if (run->unordered)
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (run->items[mid].job < job)
			lo = mid + 1;
		else
			hi = mid;
	}
	*from = lo;
	hi = run->nitems;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (run->items[mid].job <= job)
			lo = mid + 1;
		else
			hi = mid;
	}
	*to = lo;
}

/* The index of the device d names, looked up through c's socket: in the
 * namespace the device is in, which after set --netns is not the
 * process's.  0, or -errno with the reason in run->missing (none when the
 * socket could not be opened: reported). */
static int dev_index(struct ctx *c, struct dc_run *run, const struct link_setting *s, const char *ifname,
		     const struct devconf *dc, struct dev_ref *d)
{
	struct nl *nl = ctx_nl(c);
	int idx = nl ? nl_ifindex(nl, d->name) : -ENOTCONN;

	if (idx > 0) {
		d->index = (uint32_t)idx;
		return 0;
	}
	if (!nl)
		return idx;
	if (!idx)
		idx = -ENODEV;
	if (idx == -ENODEV && dc->netns_name)
		snprintf(run->missing, sizeof(run->missing), "%s: --%s %s: no device %s in namespace %s "
			 "(it must be in the device's namespace: ip -n %s link show %s)",
			 ifname, s->name, d->name, d->name, dc->netns_name, dc->netns_name, d->name);
	else if (idx == -ENODEV)
		snprintf(run->missing, sizeof(run->missing), "%s: --%s %s: no device %s in this namespace "
			 "(it must be in the device's namespace: ip link show %s)",
			 ifname, s->name, d->name, d->name, d->name);
	else
		snprintf(run->missing, sizeof(run->missing), "%s: --%s %s: looking it up: %s "
			 "(check that it is there: ip%s%s link show %s)",
			 ifname, s->name, d->name, strerror(-idx), dc->netns_name ? " -n " : "",
			 dc->netns_name ? dc->netns_name : "", d->name);
	return idx;
}

static int push_link(struct ctx *c, struct dc_run *run, size_t setting, size_t job, const char *ifname,
		     int ifindex, const struct devconf *dc, const struct link_spec *one)
{
	const struct link_setting *s = &link_settings[setting];
	struct link_spec sent = *one;
	void *room;
	int err;

	/* A device it names (the master) by its index, now: the request
	 * goes out in this exchange.  An index already given is kept: the
	 * broker's, of the device its policy check saw. */
	if (s->kind == LK_DEV) {
		struct dev_ref *d = (struct dev_ref *)link_value(s, &sent);

		if (d->name[0] && !d->index && (err = dev_index(c, run, s, ifname, dc, d)))
			return err;
	}
	if (!(room = push(run, IT_LINK, setting, job, ifname, ifindex, dc)))
		return -ENOMEM;
	rtnl_link_set(room, ifindex, &sent, -1, -1);
	nl_tx_push(&run->tx);
	return 0;
}

/* Only setting s of l. */
static struct link_spec link_one(const struct link_setting *s, const struct link_spec *l)
{
	struct link_spec one = { 0 };

	link_copy(s, &one, l);
	return one;
}

int dc_keep(struct ctx *c, int ifindex, struct dc_kept *k)
{
	struct dump_state s;
	int err;

	memset(k, 0, sizeof(*k));
	if ((err = dump_state(c, ifindex, DS_ADDRS | DS_ROUTES, &s)))
		goto out;
	if ((s.naddrs && !(k->addrs = calloc(s.naddrs, sizeof(*k->addrs)))) ||
	    (s.nroutes && !(k->routes = calloc(s.nroutes, sizeof(*k->routes))))) {
		err = -ENOMEM;
		dc_kept_free(k);
		goto out;
	}
	/* IPv4 addresses stay, and their prefix routes come back on up. */
	for (size_t i = 0; i < s.naddrs; i++)
		if (s.addrs[i].a.local.addr.family == AF_INET6 && (s.addrs[i].flags & IFA_F_PERMANENT))
			k->addrs[k->naddrs++] = s.addrs[i].a;
	for (size_t i = 0; i < s.nroutes; i++)
		if (s.routes[i].protocol != RTPROT_KERNEL && s.routes[i].protocol != RTPROT_RA)
			k->routes[k->nroutes++] = s.routes[i].r;
out:
	dump_state_free(&s);
	return err;
}

void dc_kept_free(struct dc_kept *k)
{
	free(k->addrs);
	free(k->routes);
	memset(k, 0, sizeof(*k));
}

int dc_queue(struct ctx *c, struct dc_run *run, size_t job, const char *ifname, int ifindex,
	     const struct devconf *dc)
{
	const struct link_spec *l = dc->link;
	int err;

	/* Another job's reason is not this one's. */
	run->missing[0] = '\0';
	if (dc->rename) {
		const struct link_spec down = { .set_updown = true, .up = false };
		void *room;

		if (dc->cycle) {
			if (!(room = push(run, IT_DOWN, 0, job, ifname, ifindex, dc)))
				return -ENOMEM;
			rtnl_link_set(room, ifindex, &down, -1, -1);
			nl_tx_push(&run->tx);
		}
		if (!(room = push(run, IT_NAME, 0, job, ifname, ifindex, dc)))
			return -ENOMEM;
		rtnl_link_rename(room, ifindex, dc->rename);
		nl_tx_push(&run->tx);
	}

	/* One request per link setting, so an error names the one refused;
	 * in the table's order, the state last. */
	for (size_t i = 0; l && i < LINK_N; i++) {
		struct link_spec one;

		if (!link_has(&link_settings[i], l))
			continue;
		one = link_one(&link_settings[i], l);
		if ((err = push_link(c, run, i, job, ifname, ifindex, dc, &one)))
			return err;
	}
	for (size_t i = 0; i < dc->naddrs; i++) {
		void *room = push(run, IT_ADDR, i, job, ifname, ifindex, dc);

		if (!room)
			return -ENOMEM;
		rtnl_addr(room, dc->add, ifindex, &dc->addrs[i]);
		if (dc->add && dc->replace)
			rtnl_make_replace(room);
		nl_tx_push(&run->tx);
	}
	for (size_t i = 0; i < dc->nroutes; i++) {
		void *room = push(run, IT_ROUTE, i, job, ifname, ifindex, dc);

		if (!room)
			return -ENOMEM;
		rtnl_route(room, dc->add, ifindex, &dc->routes[i]);
		if (dc->add && dc->replace)
			rtnl_make_replace(room);
		nl_tx_push(&run->tx);
	}
	if (dc->move) {
		void *room = push(run, IT_NETNS, 0, job, ifname, ifindex, dc);

		if (!room)
			return -ENOMEM;
		rtnl_link_set(room, ifindex, NULL, dc->netns_fd, -1);
		nl_tx_push(&run->tx);
	}
	return 0;
}

int dc_queue_failed(struct ctx *c, const struct dc_run *run, int err)
{
	if (run->missing[0])
		report(c, "%s", run->missing);
	else if (err == -ENOMEM)
		report(c, "out of memory");
	return 1;
}

int dc_send(struct ctx *c, struct dc_run *run)
{
	struct nl *nl;
	int err;

	if (!run->tx.n)
		return 0;
	if (!(nl = ctx_nl(c)))
		return 1;
	if ((err = nl_tx_run(nl, &run->tx))) {
		report_err(c, err, NULL, "netlink exchange failed");
		return 1;
	}
	return 0;
}

static void label(const struct dc_item *it, char *buf, size_t len)
{
	const struct devconf *dc = it->dc;
	char a[ADDR_TEXT_LEN];

	switch (it->kind) {
	case IT_LINK: {
		const struct link_setting *s = &link_settings[it->idx];
		char v[LINK_TEXT_LEN];

		link_text(s, dc->link, v, sizeof(v));
		if (s->kind == LK_STATE)
			snprintf(buf, len, "setting link %s", v);
		else
			snprintf(buf, len, "%s %s", s->name, v);
		break;
	}
	case IT_ADDR:
		snprintf(buf, len, "address %s", addr_text(&dc->addrs[it->idx], a, sizeof(a)));
		break;
	case IT_NETNS:
		snprintf(buf, len, "moving it to namespace %s", dc->netns_name);
		break;
	case IT_DOWN:
		snprintf(buf, len, "taking it down to rename it to %s", dc->rename);
		break;
	case IT_NAME:
		snprintf(buf, len, "renaming it to %s", dc->rename);
		break;
	case IT_ROUTE: {
		char r[256];

		format_route(&dc->routes[it->idx], r, sizeof(r));
		snprintf(buf, len, "route %s", r);
		break;
	}
	}
}

int dc_keep_snap(struct dc_run *run, struct dump_state *s)
{
	if (run->snap) {
		dump_state_free(run->snap);
		free(run->snap);
	}
	if (!(run->snap = malloc(sizeof(*run->snap))))
		return -ENOMEM;
	*run->snap = *s;
	memset(s, 0, sizeof(*s));
	return 0;
}

/* Queues on tx the adding back of every address and route that snap says
 * from had to ifindex (the same device, with another index once moved back
 * from another namespace), addresses first (in the kernel's order, so primaries come
 * before their secondaries), then routes; not the kernel's own (fe80::/10,
 * the prefix routes of addresses). */
static void queue_restore(struct nl_tx *tx, const struct dump_state *snap, int from, int ifindex)
{
	void *room;

	for (size_t i = 0; snap->has_addrs && i < snap->naddrs; i++) {
		const struct addr_info *a = &snap->addrs[i];

		if (a->ifindex != from || sidefx_kernel_addr(&a->a))
			continue;
		if (!(room = nl_tx_room(tx)))
			return;
		rtnl_addr(room, true, ifindex, &a->a);
		nl_tx_push(tx);
	}
	for (size_t i = 0; snap->has_routes && i < snap->nroutes; i++) {
		const struct route_info *r = &snap->routes[i];
		struct route_spec rs = r->r;

		if (r->oif != from || r->protocol == RTPROT_KERNEL)
			continue;
		/* The kernel leaves out a metric of 0. */
		rs.has_metric = true;
		rs.metric = r->r.has_metric ? r->r.metric : 0;
		if (!(room = nl_tx_room(tx)))
			return;
		rtnl_route(room, true, ifindex, &rs);
		nl_tx_push(tx);
	}
}

/* Sends tx, then again, with onlink, each route put back that the kernel
 * refused because nothing reaches its gateway any more (the address that
 * did went after the route was made; the kernel kept the route then, but
 * checks a new one): onlink skips that check, so the route is back, the
 * flag aside, as the kernel had it. */
static void run_restore(struct ctx *c, struct nl_tx *tx)
{
	struct nl_tx again;
	size_t off = 0;

	if (!tx->n || !ctx_nl(c) || nl_tx_run(&c->nl, tx))
		return;
	nl_tx_init(&again);
	for (size_t i = 0; i < tx->n; i++) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(tx->buf + off);
		const struct nl_reply *r = &tx->replies[i];
		void *room;

		off += NLMSG_ALIGN(nlh->nlmsg_len);
		if (nlh->nlmsg_type != RTM_NEWROUTE || r->fate != NL_ANSWERED ||
		    (r->err != -EINVAL && r->err != -ENETUNREACH && r->err != -EHOSTUNREACH))
			continue;
		{
			const struct nlattr *at;
			bool gw = false;

			mnl_attr_for_each(at, nlh, sizeof(struct rtmsg))
				gw |= mnl_attr_get_type(at) == RTA_GATEWAY;
			if (!gw || !(room = nl_tx_room(&again)))
				continue;
		}
		memcpy(room, nlh, nlh->nlmsg_len);
		((struct rtmsg *)mnl_nlmsg_get_payload(room))->rtm_flags |= RTNH_F_ONLINK;
		nl_tx_push(&again);
	}
	if (again.n)
		nl_tx_run(&c->nl, &again);
	nl_tx_free(&again);
}

void dc_put_back_routes(struct ctx *c, int ifindex, const struct route_spec *v, size_t n)
{
	struct nl_tx tx;
	void *room;

	nl_tx_init(&tx);
	for (size_t i = 0; i < n; i++) {
		if (!v[i].has_gw || !(room = nl_tx_room(&tx)))
			continue;
		rtnl_route(room, true, ifindex, &v[i]);
		nl_tx_push(&tx);
	}
	run_restore(c, &tx);
	nl_tx_free(&tx);
}

int dc_snap_take(struct ctx *c, struct dc_run *run, const char *ifname, int ifindex)
{
	struct dump_state s;
	int err;

	if (!ctx_nl(c))
		return 1;
	if ((err = dump_state(c, ifindex, DS_ADDRS | DS_ROUTES, &s)) || (err = dc_keep_snap(run, &s))) {
		report_err(c, err, NULL, "%s: nothing changed: listing its addresses and routes (to put them back on failure)",
			   ifname);
		dump_state_free(&s);
		return 1;
	}
	return 0;
}

void dc_put_back(struct ctx *c, const struct dc_run *run, int from, int ifindex, const struct link_spec *was)
{
	struct nl_tx tx;
	void *room;

	nl_tx_init(&tx);
	/* One request a setting, so that one refused (a master gone
	 * meanwhile) leaves the others; down is how the move left it. */
	for (size_t i = 0; i < LINK_N; i++) {
		const struct link_setting *s = &link_settings[i];
		struct link_spec one;

		if (!link_has(s, was) || (s->kind == LK_STATE && !was->up))
			continue;
		one = link_one(s, was);
		if (!(room = nl_tx_room(&tx)))
			break;
		rtnl_link_set(room, ifindex, &one, -1, -1);
		nl_tx_push(&tx);
	}
	if (run->snap)
		queue_restore(&tx, run->snap, from, ifindex);
	run_restore(c, &tx);
	nl_tx_free(&tx);
}

/* The device of job's requests. */
static int ifindex_of(const struct dc_run *run, size_t job)
{
	size_t from, to;

	job_span(run, job, &from, &to);
	for (size_t i = from; i < to; i++)
		if (run->items[i].job == job)
			return run->items[i].ifindex;
	return 0;
}

static bool is_link(const struct dc_item *it)
{
	return it->kind == IT_LINK || it->kind == IT_DOWN || it->kind == IT_NAME;
}

/* Whether item it, answered r, is undone.  A request whose answer was lost
 * and that dc_verify could not settle may have been carried out: a link
 * setting is put back all the same, which is harmless if it was not; an
 * address or route is left, as it may have been there before.  A master
 * refused may still have released the device from the master it had (the
 * kernel does so first): it is put back too. */
static bool to_undo(const struct dc_item *it, const struct nl_reply *r)
{
	bool done = r->fate == NL_ANSWERED && !r->err;
	bool link = is_link(it);

	return done || (link && r->fate == NL_UNKNOWN) ||
	       (link && r->fate == NL_ANSWERED && link_settings[it->idx].kind == LK_DEV);
}

/* Queues on tx what undoes item it; *readd: the request whose down dropped
 * addresses and routes (kept) to put back after the up.  0, 1 if it needs
 * nothing, -1 if tx has no room. */
static int queue_undo(struct nl_tx *tx, const struct dc_item *it, const struct devconf **readd)
{
	void *room;

	if (it->kind == IT_DOWN) {
		/* Up again; then what the down dropped, back. */
		const struct link_spec up = { .set_updown = true, .up = true };

		if (!(room = nl_tx_room(tx)))
			return -1;
		rtnl_link_set(room, it->ifindex, &up, -1, -1);
		if (it->dc->kept)
			*readd = it->dc;
	} else if (it->kind == IT_NAME) {
		/* The old name back, which needs the device down. */
		if (it->dc->cycle) {
			const struct link_spec down = { .set_updown = true, .up = false };

			if (!(room = nl_tx_room(tx)))
				return -1;
			rtnl_link_set(room, it->ifindex, &down, -1, -1);
			nl_tx_push(tx);
		}
		if (!(room = nl_tx_room(tx)))
			return -1;
		rtnl_link_rename(room, it->ifindex, it->ifname);
	} else if (is_link(it)) {
		struct link_spec one;

		if (!it->dc->restore)
			return 1;
		one = link_one(&link_settings[it->idx], it->dc->restore);
		if (!link_any(&one))
			return 1;
		if (!(room = nl_tx_room(tx)))
			return -1;
		rtnl_link_set(room, it->ifindex, &one, -1, -1);
	} else {
		/* Put back after a down: put back again by queue_dropped. */
		if (it->dc->readd)
			return 1;
		if (!(room = nl_tx_room(tx)))
			return -1;
		/* What was added is removed; what was removed, added back. */
		if (it->kind == IT_ADDR)
			rtnl_addr(room, !it->dc->add, it->ifindex, &it->dc->addrs[it->idx]);
		else
			rtnl_route(room, !it->dc->add, it->ifindex, &it->dc->routes[it->idx]);
	}
	nl_tx_push(tx);
	return 0;
}

/* After the link settings are back (up, the MTU), so that the kernel takes
 * them: what it dropped by itself, from the snapshot of device ifindex, or
 * else rename's kept list (readd's). */
static void queue_dropped(struct nl_tx *tx, const struct dc_run *run, size_t job, int ifindex,
			  const struct devconf *readd)
{
	void *room;

	if (ifindex && run->snap) {
		queue_restore(tx, run->snap, ifindex, ifindex);
		return;
	}
	for (size_t i = 0; readd && i < readd->kept->naddrs && (room = nl_tx_room(tx)); i++) {
		rtnl_addr(room, true, ifindex_of(run, job), &readd->kept->addrs[i]);
		nl_tx_push(tx);
	}
	for (size_t i = 0; readd && i < readd->kept->nroutes && (room = nl_tx_room(tx)); i++) {
		rtnl_route(room, true, ifindex_of(run, job), &readd->kept->routes[i]);
		nl_tx_push(tx);
	}
}

void dc_undo(struct ctx *c, const struct dc_run *run, size_t job)
{
	const struct devconf *readd = NULL;
	struct nl_tx tx;
	int ifindex = 0;
	size_t from, to;

	nl_tx_init(&tx);
	job_span(run, job, &from, &to);
	for (size_t i = to; i-- > from;) {
		const struct dc_item *it = &run->items[i];

		/* The move comes last: nothing after it can fail. */
		if (it->job != job || it->kind == IT_NETNS)
			continue;
		ifindex = it->ifindex;
		if (to_undo(it, &run->tx.replies[i]) && queue_undo(&tx, it, &readd) < 0)
			break;
	}
	queue_dropped(&tx, run, job, ifindex, readd);
	run_restore(c, &tx);
	nl_tx_free(&tx);
}

/* A route or address that is not there, or is there already, said so with
 * what to look at, where the kernel gives no text of its own (for routes it
 * gives none: "No such process", "File exists").  False if not such a case. */
static bool report_plain(struct ctx *c, const struct dc_item *it, const struct nl_reply *r)
{
	char v[LABEL_LEN];

	if (it->kind == IT_NAME && r->err == -EEXIST) {
		report(c, "%s: --name %s: a device %s exists already (ip link show %s); choose another name",
		       it->ifname, it->dc->rename, it->dc->rename, it->dc->rename);
		return true;
	}
	if (r->msg[0])
		return false;
	if (it->kind == IT_LINK && link_settings[it->idx].kind == LK_DEV && r->err == -EOPNOTSUPP) {
		const struct link_setting *s = &link_settings[it->idx];

		link_text(s, it->dc->link, v, sizeof(v));
		report(c, "%s: --%s %s: %s cannot be a master (a bridge, bond or VRF can; ip -d link show %s)",
		       it->ifname, s->name, v, v, v);
		return true;
	}
	if (it->kind == IT_ROUTE && (r->err == -ESRCH || r->err == -EEXIST)) {
		const struct route_spec *rs = &it->dc->routes[it->idx];
		char dst[INET6_ADDRSTRLEN + 8], table[32] = "";

		format_route(rs, v, sizeof(v));
		if (r->err == -ESRCH) {
			report(c, "%s: no such route: %s (tunctl show %s lists its routes)", it->ifname, v, it->ifname);
		} else {
			if (rs->has_table)
				snprintf(table, sizeof(table), " table %u", rs->table);
			report(c, "%s: route exists: %s (on this or another device: ip %sroute show%s %s)", it->ifname, v,
			       rs->dst.addr.family == AF_INET6 ? "-6 " : "", table,
			       format_prefix(&rs->dst, dst, sizeof(dst)));
		}
		return true;
	}
	/* The kernel gives IPv6 no place on a link under 1280 bytes, and says
	 * only EINVAL. */
	if (it->kind == IT_ADDR && r->err == -EINVAL && it->dc->addrs[it->idx].local.addr.family == AF_INET6) {
		format_prefix(&it->dc->addrs[it->idx].local, v, sizeof(v));
		report(c, "%s: address %s: refused (Invalid argument); IPv6 needs an MTU of at least 1280: "
		       "is %s's lower? (tunctl set %s --mtu 1280)", it->ifname, v, it->ifname, it->ifname);
		return true;
	}
	if (it->kind == IT_ADDR && (r->err == -EADDRNOTAVAIL || r->err == -EEXIST)) {
		format_prefix(&it->dc->addrs[it->idx].local, v, sizeof(v));
		if (r->err == -EADDRNOTAVAIL)
			report(c, "%s: no such address: %s (tunctl show %s lists its addresses)", it->ifname, v, it->ifname);
		else
			report(c, "%s: address exists: %s is on %s already", it->ifname, v, it->ifname);
		return true;
	}
	return false;
}

int dc_result(struct ctx *c, struct dc_run *run, size_t job)
{
	const struct devconf *dc = NULL;
	int rc = 0;
	size_t from, to;

	job_span(run, job, &from, &to);
	for (size_t i = from; i < to; i++) {
		const struct dc_item *it = &run->items[i];
		struct nl_reply *r = &run->tx.replies[i];
		char what[LABEL_LEN];

		if (it->job != job)
			continue;
		dc = it->dc;
		if (!r->err)
			continue;
		/* Present already: fine, and not ours to undo (dc_undo leaves
		 * what the kernel refused). */
		if (r->err == -EEXIST && it->dc->exist_ok && (it->kind == IT_ADDR || it->kind == IT_ROUTE))
			continue;
		if (!rc) {
			label(it, what, sizeof(what));
			if (!report_plain(c, it, r))
				report_err(c, r->err, r->msg, "%s: %s", it->ifname, what);
			rc = 1;
		}
	}
	if (rc && dc && dc->undo)
		dc_undo(c, run, job);
	return rc;
}

/* Whether the kernel now has the effect of link request it (the device
 * as li shows it, NULL: not in this namespace). */
static bool link_done(const struct dc_item *it, const struct device *li)
{
	const struct link_setting *s = &link_settings[it->idx];

	switch (it->kind) {
	case IT_LINK: return li && link_has(s, &li->link) && link_same(s, &li->link, it->dc->link);
	case IT_NETNS: return !li || strcmp(li->ti.name, it->ifname);
	/* Down, or renamed (which it must have been down for): the up
	 * that follows may have brought it back. */
	case IT_DOWN: return li && (!li->ti.up || !strcmp(li->ti.name, it->dc->rename));
	case IT_NAME: return li && !strcmp(li->ti.name, it->dc->rename);
	default: return false;
	}
}

void dc_verify(struct ctx *c, struct dc_run *run, size_t job, const struct dump_state *before, int err)
{
	struct dump_state now;
	unsigned what = 0;
	int ifindex = 0, again;

	for (size_t i = 0; i < run->nitems; i++) {
		const struct dc_item *it = &run->items[i];
		struct nl_reply *r = &run->tx.replies[i];

		if (it->job != job || r->fate == NL_ANSWERED)
			continue;
		if (r->fate == NL_UNSENT) {
			r->err = err;
			snprintf(r->msg, sizeof(r->msg), "not sent: the exchange failed first (%s)", strerror(-err));
			continue;
		}
		ifindex = it->ifindex;
		if (it->kind == IT_ADDR && before && before->has_addrs)
			what |= DS_ADDRS;
		else if (it->kind == IT_ROUTE && before && before->has_routes)
			what |= DS_ROUTES;
		else if (it->kind != IT_ADDR && it->kind != IT_ROUTE)
			what |= DS_LINKS;
	}
	if (!ifindex)
		return;
	/* -ENODATA: nothing that can be asked. */
	again = what ? dump_state(c, ifindex, what, &now) : -ENODATA;
	for (size_t i = 0; i < run->nitems; i++) {
		const struct dc_item *it = &run->items[i];
		struct nl_reply *r = &run->tx.replies[i];
		size_t was = 0, is = 0;
		bool done, add = it->dc->add;
		int no = 0;     /* what the kernel answers when it is not done for a reason we know */

		if (it->job != job || r->fate != NL_UNKNOWN)
			continue;
		r->err = err;
		if (again || (it->kind == IT_ADDR && !now.has_addrs) || (it->kind == IT_ROUTE && !now.has_routes)) {
			/* Left as it is: dc_undo knows what to do with it. */
			if (again && again != -ENODATA)
				snprintf(r->msg, sizeof(r->msg),
					 "the kernel's answer was lost (%s) and asking again failed (%s): it may have been done",
					 strerror(-err), strerror(-again));
			else
				snprintf(r->msg, sizeof(r->msg),
					 "the kernel's answer was lost (%s) and there is no state from before to compare: it may have been done",
					 strerror(-err));
			continue;
		}
		if (it->kind == IT_ADDR) {
			was = state_count_addrs(before, &it->dc->addrs[it->idx]);
			is = state_count_addrs(&now, &it->dc->addrs[it->idx]);
			no = add ? -EEXIST : -EADDRNOTAVAIL;
		} else if (it->kind == IT_ROUTE) {
			was = state_count_routes(before, &it->dc->routes[it->idx], add);
			is = state_count_routes(&now, &it->dc->routes[it->idx], add);
			no = add ? -EEXIST : -ESRCH;
		}
		if (it->kind == IT_ADDR || it->kind == IT_ROUTE) {
			done = add ? is > was : is < was;
			if (!done && (add ? was > 0 : was == 0))
				r->err = no;    /* there before, or not there to delete */
		} else {
			done = link_done(it, state_link(&now, it->ifindex));
		}
		r->fate = NL_ANSWERED;
		if (done) {
			r->err = 0;
			r->msg[0] = '\0';
		} else if (r->err == err) {
			snprintf(r->msg, sizeof(r->msg), "the kernel's answer was lost (%s) and asking again shows it was not done",
				 strerror(-err));
		}
	}
	if (what)
		dump_state_free(&now);
}

int dc_exchange(struct ctx *c, struct dc_run *run, const char *ifname, int ifindex,
		const struct devconf *dc)
{
	unsigned what = (dc->naddrs ? DS_ADDRS : 0) | (dc->nroutes ? DS_ROUTES : 0);
	bool snap = dc->undo && sidefx_link_may_drop(dc->link);
	struct dump_state before;
	int err, rc;

	/* A change the kernel may drop addresses or routes with: what there
	 * is, for undo to put back. */
	if (snap)
		what = DS_ADDRS | DS_ROUTES;

	memset(&before, 0, sizeof(before));
	if ((err = dc_queue(c, run, 0, ifname, ifindex, dc)))
		return dc_queue_failed(c, run, err);
	if (!run->tx.n)
		return 0;
	if (!ctx_nl(c))
		return 1;
	/* What the device has before, to tell after a lost answer whether an
	 * address or route that is there now was put there by us. */
	if (what && (err = dump_state(c, ifindex, what, &before))) {
		report_err(c, err, NULL, "%s: listing its addresses and routes", ifname);
		dump_state_free(&before);
		return 1;
	}
	if (snap && (err = dc_keep_snap(run, &before))) {
		report(c, "out of memory");
		dump_state_free(&before);
		return 1;
	}
	if ((err = nl_tx_run(&c->nl, &run->tx)))
		dc_verify(c, run, 0, snap ? run->snap : &before, err);
	rc = dc_result(c, run, 0);
	dump_state_free(&before);
	return rc;
}

int devconf_apply(struct ctx *c, const char *ifname, int ifindex, const struct devconf *dc)
{
	struct dc_run run;
	int rc;

	dc_run_init(&run);
	rc = dc_exchange(c, &run, ifname, ifindex, dc);
	dc_run_free(&run);
	return rc;
}
