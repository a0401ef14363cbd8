/* cmd_monitor.c - "tunctl monitor": TUN/TAP devices' events, a line each. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>

#include "evwatch.h"
#include "procfs.h"

struct monitor_req {
	enum tun_mode mode;
	bool initial;
	size_t nnames;          /* none: every device */
	const char *names[];    /* point into argv */
};

const struct optdef monitor_opts[] = {
	{ "mode", required_argument, .id = O_MODE },
	{ "initial", no_argument, FLAG_IN(struct monitor_req, initial) },
	OPT_END
};

static int monitor_opt(struct parsed *p, const struct optitem *it, void *arg)
{
	return parse_mode_opt(p, it, &((struct monitor_req *)arg)->mode);
}

int parse_monitor(struct parsed *p, struct request *req)
{
	struct monitor_req *r = calloc(1, sizeof(*r) + (size_t)p->npos * sizeof(r->names[0]));
	char err[ERRLEN];

	if (!(req->own = r))
		return oom_err(p);
	for (int i = 0; i < p->npos; i++) {
		if (!parse_ifname(p->pos[i], false, err, sizeof(err)))
			return usage_err(p, "%s", err);
		r->names[i] = p->pos[i];
	}
	r->nnames = (size_t)p->npos;
	return each_opt(p, r, monitor_opt, r);
}

struct monitor {
	struct ctx *c;
	const struct monitor_req *r;
	struct watch w;
	struct sink out;
};

static bool wanted(const struct monitor *m, const struct event *e)
{
	const struct device *l = e->link;

	if (e->type == EV_RESYNC)
		return true;
	if (m->r->mode != MODE_ANY && (m->r->mode == MODE_TAP) != (l->ti.flags.mode == MODE_TAP))
		return false;
	if (!m->r->nnames)
		return true;
	for (size_t i = 0; i < m->r->nnames; i++)
		if (!strcmp(m->r->names[i], l->ti.name) ||
		    (e->type == EV_RENAMED && !strcmp(m->r->names[i], e->old_name)))
			return true;
	return false;
}

/* ISO 8601 with microseconds and the UTC offset, as attach's JSON. */
static void timestamp(char *buf, size_t len)
{
	struct timespec ts;
	char zone[8];
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf + strlen(buf), len - strlen(buf), ".%06ld%.3s:%.2s", ts.tv_nsec / 1000, zone, zone + 3);
}

/* text: before the value, in text only (" master ", " -> "). */
static void print_master(struct out *o, const char *key, const char *text, uint32_t ifindex)
{
	char name[IF_NAMESIZE];

	out_text(o, "%s", text);
	if (!ifindex) {
		out_opt_uint(o, key, NULL, false, 0, "none");
		return;
	}
	/* The master may be gone already: its index then. */
	if (!if_indextoname(ifindex, name))
		snprintf(name, sizeof(name), "%u", ifindex);
	out_str(o, key, "%s", name);
}

static void print_mac(struct out *o, const char *key, const char *text, bool has, const uint8_t *mac)
{
	char m[18];

	if (!has)
		return;
	format_mac(mac, m);
	out_text(o, "%s", text);
	out_str(o, key, "%s", m);
}

/* The device's settings, for exists and created. */
static void print_link(struct out *o, const struct device *l)
{
	out_str(o, "mode", " %s", l->ti.flags.mode == MODE_TAP ? "tap" : "tun");
	out_bool(o, "up", NULL, l->ti.up);
	out_text(o, l->ti.up ? " up" : " down");
	/* IFLA_CARRIER: a reader is attached, whether the link is up or not. */
	out_bool(o, "carrier", " attached", l->carrier);
	out_uint(o, "mtu", " mtu %llu", l->link.mtu);
	print_mac(o, "address", " address ", l->link.has_mac, l->link.mac);
	if (l->link.master.index)
		print_master(o, "master", " master ", l->link.master.index);
}

static void print_addr(struct out *o, const struct addr_spec *a)
{
	char buf[INET6_ADDRSTRLEN + 4];

	out_str(o, "family", NULL, a->local.addr.family == AF_INET ? "inet" : "inet6");
	out_str(o, "local", " %s", format_ipaddr(&a->local.addr, buf, sizeof(buf)));
	out_uint(o, "prefixlen", "/%llu", a->local.len);
	if (a->has_peer)
		out_str(o, "address", " peer %s", format_ipaddr(&a->peer, buf, sizeof(buf)));
}

static void print_route(struct out *o, const struct route_spec *r)
{
	char buf[INET6_ADDRSTRLEN + 4];

	out_str(o, "family", NULL, r->dst.addr.family == AF_INET ? "inet" : "inet6");
	out_str(o, "dst", " %s", r->dst.len ? format_route_dst(&r->dst, buf, sizeof(buf)) : "default");
	if (r->has_gw)
		out_str(o, "gateway", " via %s", format_ipaddr(&r->gw, buf, sizeof(buf)));
	if (r->has_metric)
		out_uint(o, "metric", " metric %llu", r->metric);
	if (r->table != 254)
		out_uint(o, "table", " table %llu", r->table);
}

/* A reader attached: who, where /proc shows it (a process of another
 * user may hide its descriptors; a reader that left at once is gone). */
static void print_holders(struct out *o, const char *name)
{
	struct holder *h = NULL;
	size_t n = 0;

	if (proc_tun_holders(name, &h, &n))
		n = 0;
	out_arr_open(o, "processes");
	for (size_t i = 0; i < n; i++) {
		out_obj_open(o, NULL);
		out_uint(o, "pid", i ? ", %llu" : " by pid %llu", (unsigned long long)h[i].pid);
		out_str(o, "name", " (%s)", h[i].comm);
		out_obj_close(o);
	}
	out_arr_close(o);
	free(h);
}

static int on_event(const struct event *e, void *arg)
{
	struct monitor *m = arg;
	struct out *o = &m->c->out;
	const struct device *l = e->link;
	char when[64];

	if (!wanted(m, e))
		return 0;
	timestamp(when, sizeof(when));
	out_obj_open(o, NULL);
	out_str(o, "time", "%s", when);
	out_str(o, "event", " %s", ev_type_name(e->type));
	if (l) {
		out_str(o, "ifname", " %s", l->ti.name);
		out_uint(o, "ifindex", " index %llu", (unsigned)l->ifindex);
	}
	switch (e->type) {
	case EV_EXISTS:
	case EV_CREATED:
		print_link(o, l);
		break;
	case EV_RENAMED:
		out_str(o, "old_ifname", " from %s", e->old_name);
		break;
	case EV_MOVED:
		if (e->has_netnsid && e->new_netnsid >= 0)
			out_uint(o, "new_netnsid", " to netnsid %llu", (unsigned)e->new_netnsid);
		if (e->has_new_ifindex && e->new_ifindex > 0)
			out_uint(o, "new_ifindex", " index %llu", (unsigned)e->new_ifindex);
		break;
	case EV_ATTACHED:
		print_holders(o, l->ti.name);
		break;
	case EV_MTU:
		out_uint(o, "old_mtu", " %llu", e->old_mtu);
		out_uint(o, "mtu", " -> %llu", l->link.mtu);
		break;
	case EV_MAC:
		print_mac(o, "old_address", " ", e->old_has_mac, e->old_mac);
		print_mac(o, "address", " -> ", l->link.has_mac, l->link.mac);
		break;
	case EV_MASTER:
		print_master(o, "old_master", " ", e->old_master);
		print_master(o, "master", " -> ", l->link.master.index);
		break;
	case EV_ADDR_ADD:
	case EV_ADDR_DEL:
		print_addr(o, e->addr);
		break;
	case EV_ROUTE_ADD:
	case EV_ROUTE_DEL:
		print_route(o, e->route);
		break;
	default:
		break;
	}
	out_obj_close(o);
	if (!o->json)
		out_text(o, "\n");
	else
		fputc('\n', o->f);
	o->depth = 0;
	memset(o->has_item, 0, sizeof(o->has_item));
	return 0;
}

/* Writes what the events of a burst printed: once the reader is gone,
 * the run stops (sink_stopping). 0, or 1 after reporting. */
static int flush(struct monitor *m)
{
	int err = sink_flush(&m->w.ctl, &m->out);

	if (err) {
		report_err(m->c, err, NULL, "writing events");
		return 1;
	}
	return 0;
}

static int run(struct monitor *m)
{
	int rc;

	if (m->r->initial)
		for (size_t i = 0; i < m->w.st.n; i++)
			if ((rc = ev_describe(&m->w.st.devs[i], on_event, m)))
				return rc;
	/* What changed during the reading. */
	if ((rc = ev_src_pending(&m->w.src, &m->w.st, on_event, m))) {
		report_err(m->c, rc, NULL, "reading events");
		return 1;
	}
	for (;;) {
		if ((rc = flush(m)))
			return rc;
		switch (watch_wait(&m->w, NULL, m->out.blocking ? STDOUT_FILENO : -1)) {
		case W_READY:
			break;
		case W_STOP:
		case W_TIMEOUT:
			return 0;
		case W_FAILED:
			return 1;
		}
		if ((rc = watch_read(&m->w, on_event, m)))
			return rc;
	}
}

int monitor_main(struct ctx *c, const struct request *req)
{
	struct monitor m = { .c = c, .r = req->own };
	FILE *f;
	int rc;

	sink_init(&m.out, STDOUT_FILENO);
	if (!(f = sink_stream(&m.out))) {
		report_err(c, errno, NULL, "buffering output");
		return 1;
	}
	/* Unbuffered in the stream: each event reaches the sink whole, and
	 * the sink writes a burst at once. */
	c->out.f = f;
	rc = watch_open(&m.w, c, req->g.netns);
	if (!rc)
		rc = run(&m);
	if (!rc)
		rc = flush(&m);
	c->out.f = stdout;
	watch_close(&m.w);
	sink_free(&m.out);
	return rc;
}
