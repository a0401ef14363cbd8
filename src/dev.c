/* dev.c - the device model: every TUN/TAP device read in one pass, and its add line. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/if.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "addrroute.h"
#include "dev.h"
#include "link.h"
#include "dumps.h"
#include "ids.h"
#include "procfs.h"
#include "rtnl.h"
#include "vec.h"

void devset_free(struct devset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].addrs);
		free(s->v[i].routes);
	}
	free(s->v);
	free(s->others);
	memset(s, 0, sizeof(*s));
}

_Static_assert(offsetof(struct device, ti.name) == 0, "cmp_ifname: the name first");


struct device *devset_find(const struct devset *s, const char *name)
{
	struct device key;

	if (!s->n)
		return NULL;
	snprintf(key.ti.name, sizeof(key.ti.name), "%s", name);
	return bsearch(&key, s->v, s->n, sizeof(*s->v), cmp_ifname);
}

/* Devices by index, for putting addresses and routes where they belong. */
struct by_index {
	int ifindex;
	struct device *d;
};

static int cmp_index(const void *a, const void *b)
{
	int x = ((const struct by_index *)a)->ifindex, y = ((const struct by_index *)b)->ifindex;

	return x < y ? -1 : x > y;
}

static struct device *find_index(const struct by_index *v, size_t n, int ifindex)
{
	struct by_index key = { .ifindex = ifindex }, *hit;

	hit = n ? bsearch(&key, v, n, sizeof(*v), cmp_index) : NULL;
	return hit ? hit->d : NULL;
}


static bool kernel_addr(const struct addr_info *a)
{
	const struct ipaddr *l = &a->a.local.addr;

	/* fe80::/10, which the kernel adds when the carrier comes on. */
	return l->family == AF_INET6 && l->a.b[0] == 0xfe && (l->a.b[1] & 0xc0) == 0x80;
}

/* The links of one dump as they come: TUN/TAP devices into s->v, the
 * names of the others into s->others. */
struct take {
	struct devset *s;
	size_t cap, ocap;
};

static int take_link(const struct device *l, void *data)
{
	struct take *t = data;
	struct devset *s = t->s;
	struct device *d;

	if (!l->is_tun) {
		char (*o)[16] = vec_grow(s->others, &t->ocap, s->nothers + 1, sizeof(*s->others));

		if (!o)
			return -ENOMEM;
		s->others = o;
		memcpy(s->others[s->nothers++], l->ti.name, sizeof(l->ti.name));
		return 0;
	}
	if (!(d = vec_grow(s->v, &t->cap, s->n + 1, sizeof(*s->v))))
		return -ENOMEM;
	s->v = d;
	d = &s->v[s->n++];
	/* The model as the dump gave it; the MAC only of a tap. */
	*d = *l;
	d->link.has_mac = d->ti.flags.mode == MODE_TAP && l->link.has_mac;
	return 0;
}

static void take_reset(void *data)
{
	struct take *t = data;

	t->s->n = t->s->nothers = 0;
}

bool devset_other(const struct devset *s, const char *name)
{
	char key[16];

	snprintf(key, sizeof(key), "%s", name);
	return s->nothers && bsearch(key, s->others, s->nothers, sizeof(*s->others), cmp_ifname);
}

int dev_read_all(struct ctx *c, struct devset *s)
{
	struct take t = { .s = s };
	struct addr_info *addrs = NULL;
	struct route_info *routes = NULL;
	struct by_index *idx = NULL;
	size_t na = 0, nr = 0;
	int rc = 1;

	memset(s, 0, sizeof(*s));
	/* The link dump says all that sysfs would (the tun driver's
	 * IFLA_INFO_DATA), so the model costs three dumps whatever the
	 * number of devices; each link is taken as it comes, never kept
	 * whole. */
	if (dump_links_each(c, NULL, take_link, take_reset, &t))
		goto out;
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_ifname);
	if (s->nothers)
		qsort(s->others, s->nothers, sizeof(*s->others), cmp_ifname);
	if (s->n && (dump_addrs(c, 0, &addrs, &na) || dump_routes(c, 0, &routes, &nr)))
		goto out;
	if (!(idx = malloc((s->n + 1) * sizeof(*idx))))
		goto oom;
	for (size_t i = 0; i < s->n; i++)
		idx[i] = (struct by_index){ s->v[i].ifindex, &s->v[i] };
	qsort(idx, s->n, sizeof(*idx), cmp_index);
	for (size_t i = 0; i < na; i++) {
		struct device *d = find_index(idx, s->n, addrs[i].ifindex);

		if (d && !kernel_addr(&addrs[i]) &&
		    vec_append((void **)&d->addrs, &d->naddrs, &addrs[i].a, sizeof(addrs[i].a)))
			goto oom;
	}
	for (size_t i = 0; i < nr; i++) {
		struct device *d = find_index(idx, s->n, routes[i].oif);
		struct route_spec r = routes[i].r;

		if (!d || routes[i].protocol == RTPROT_KERNEL)
			continue;
		r.has_metric = true;    /* the kernel leaves out a metric of 0 */
		r.metric = routes[i].r.has_metric ? routes[i].r.metric : 0;
		if (vec_append((void **)&d->routes, &d->nroutes, &r, sizeof(r)))
			goto oom;
	}
	rc = 0;
	goto out;
oom:
	report(c, "out of memory");
out:
	if (rc)
		devset_free(s);
	free(addrs);
	free(routes);
	free(idx);
	return rc;
}

int dev_read_holders(struct ctx *c, struct devset *s)
{
	struct holder *h = NULL;
	size_t nh = 0;
	int err;

	if (s->holders_read)
		return 0;
	if ((err = proc_tun_holders(NULL, &h, &nh))) {
		report_err(c, err, NULL, "reading /proc");
		return 1;
	}
	for (size_t i = 0; i < nh; i++) {
		struct device *d = devset_find(s, h[i].ifname);

		if (d && !d->nholders++) {
			d->holder_pid = h[i].pid;
			memcpy(d->holder_comm, h[i].comm, sizeof(d->holder_comm));
		}
	}
	free(h);
	s->holders_read = true;
	return 0;
}

/* A growing line. */
struct line {
	char *s;
	size_t len, cap;
	bool oom;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(l->s + l->len, l->cap - l->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			l->oom = true;
			return;
		}
		if ((size_t)n < l->cap - l->len) {
			l->len += (size_t)n;
			return;
		}
		char *p = realloc(l->s, l->cap * 2 + (size_t)n + 1);

		if (!p) {
			l->oom = true;
			return;
		}
		l->s = p;
		l->cap = l->cap * 2 + (size_t)n + 1;
	}
}

/* A user or group as the file gives it: the name when it maps back to
 * the same number, else the number. The last answer of each kind is kept:
 * a passwd lookup reads the whole file, and the devices of a namespace
 * mostly share their owner. */
static void put_id(struct line *l, const char *opt, uint32_t id, bool user)
{
	static struct {
		bool valid;
		uint32_t id;
		char word[64];
	} last[2];
	struct id_spec spec = { .set = true };
	char name[64];
	uint32_t back;
	int k = user ? 0 : 1;

	if (!last[k].valid || last[k].id != id) {
		if (user)
			ids_user_name(id, name, sizeof(name));
		else
			ids_group_name(id, name, sizeof(name));
		spec.name = name;
		if (!parse_id(name, &spec) || (user ? ids_user(&spec, &back) : ids_group(&spec, &back)) ||
		    back != id)
			snprintf(name, sizeof(name), "%u", id);
		last[k].valid = true;
		last[k].id = id;
		snprintf(last[k].word, sizeof(last[k].word), "%s", name);
	}
	put(l, " --%s %s", opt, last[k].word);
}

/* A word as split_words reads it back: as it is when plain, else in
 * double quotes with \\, \", \$ and \` escaped (a name may hold '#' or a
 * quote, which the kernel allows; a MAC holds ':', which
 * split_words takes as it is). */
static void put_word(struct line *l, const char *w)
{
	if (w[strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-@:")] == '\0' && *w) {
		put(l, "%s", w);
		return;
	}
	put(l, "\"");
	for (; *w; w++)
		put(l, strchr("\"\\$`", *w) ? "\\%c" : "%c", *w);
	put(l, "\"");
}

/* Each link setting the device has, as its option; an empty text is none,
 * and up is the default. */
static void put_link(struct line *l, const struct link_spec *link)
{
	char v[LINK_TEXT_LEN];

	for (size_t i = 0; i < LINK_N; i++) {
		const struct link_setting *s = &link_settings[i];

		if (!link_has(s, link))
			continue;
		link_text(s, link, v, sizeof(v));
		if (s->kind == LK_STATE) {
			if (!link->up)
				put(l, " --down");
		} else if (*v) {
			put(l, " --%s ", s->name);
			put_word(l, v);
		}
	}
}

char *dev_add_line(const struct device *d)
{
	const struct tun_info *ti = &d->ti;
	struct line l = { .cap = 256 };
	struct addr_spec *addrs = NULL;
	struct route_spec *routes = NULL;

	if (!(l.s = malloc(l.cap)))
		return NULL;
	l.s[0] = '\0';
	put(&l, "add ");
	put_word(&l, ti->name);
	put(&l, " --mode %s", mode_name(ti->flags.mode));
	if (ti->flags.pi)
		put(&l, " --pi");
	if (ti->flags.vnet_hdr)
		put(&l, " --vnet-hdr");
	if (ti->flags.multi_queue)
		put(&l, " --multi-queue");
	if (!ti->owner_set && !ti->group_set)
		put(&l, " --any-user");
	if (ti->owner_set)
		put_id(&l, "user", ti->owner, true);
	if (ti->group_set)
		put_id(&l, "group", ti->group, false);
	put_link(&l, &d->link);
	/* In a stable order, not the kernel's (which changes when a device is
	 * made again): a saved file diffs only when the devices differ. */
	addrs = malloc((d->naddrs + 1) * sizeof(*addrs));
	routes = malloc((d->nroutes + 1) * sizeof(*routes));
	if (!addrs || !routes) {
		l.oom = true;
		goto out;
	}
	if (d->naddrs)
		memcpy(addrs, d->addrs, d->naddrs * sizeof(*addrs));
	if (d->nroutes)
		memcpy(routes, d->routes, d->nroutes * sizeof(*routes));
	qsort(addrs, d->naddrs, sizeof(*addrs), addr_cmp);
	qsort(routes, d->nroutes, sizeof(*routes), route_cmp);
	for (size_t i = 0; i < d->naddrs; i++) {
		char a[INET6_ADDRSTRLEN + 8], p[INET6_ADDRSTRLEN];

		put(&l, " --addr %s", format_prefix(&addrs[i].local, a, sizeof(a)));
		if (addrs[i].has_peer)
			put(&l, " --peer %s", format_ipaddr(&addrs[i].peer, p, sizeof(p)));
	}
	for (size_t i = 0; i < d->nroutes; i++) {
		char buf[ROUTE_TEXT_LEN];

		/* Defaults left out, so the line reads as it would be written. */
		put(&l, " --route \"%s\"", route_text(&routes[i], buf, sizeof(buf)));
	}
out:
	free(addrs);
	free(routes);
	if (l.oom) {
		free(l.s);
		return NULL;
	}
	return l.s;
}
