/* devread.c - the device model's listings: every TUN/TAP device (or one) from one link dump, as the model or packed. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if.h>

#include "dev.h"
#include "dumps.h"
#include "link.h"
#include "rtnl.h"
#include "sysfs.h"
#include "tun.h"
#include "vec.h"

struct briefs {
	struct dev_brief *v;
	size_t n, cap;
};

void dev_brief_of(const struct device *d, struct dev_brief *b)
{
	const struct tun_info *ti = &d->ti;

	*b = (struct dev_brief){
		.owner = ti->owner, .group = ti->group,
		.tap = ti->flags.mode == MODE_TAP, .pi = ti->flags.pi, .vnet_hdr = ti->flags.vnet_hdr,
		.multi_queue = ti->flags.multi_queue, .persist = ti->flags.persist,
		.owner_set = ti->owner_set, .group_set = ti->group_set, .up = ti->up, .carrier = ti->carrier,
		.ifindex = d->ifindex, .mtu = d->link.has_mtu ? d->link.mtu : 0,
		.operstate = d->operstate,
		.attached = d->has_queues ? d->num_queues + d->num_disabled > 0 : d->carrier,
	};
	memcpy(b->name, ti->name, sizeof(b->name));
	memcpy(b->master, d->link.master.name, sizeof(b->master));
}

static int take_brief(const struct device *l, void *data)
{
	struct briefs *b = data;
	struct dev_brief *v;

	if (!l->is_tun)
		return 0;
	if (!(v = vec_grow(b->v, &b->cap, b->n + 1, sizeof(*b->v))))
		return -ENOMEM;
	b->v = v;
	dev_brief_of(l, &v[b->n++]);
	return 0;
}

static void briefs_reset(void *data)
{
	((struct briefs *)data)->n = 0;
}

/* Heapsort by name, in place: qsort's merge sort would take as much room
 * again as the array, the largest part of a listing's memory. */
static void sift_down(struct dev_brief *v, size_t i, size_t n)
{
	for (size_t k; (k = 2 * i + 1) < n; i = k) {
		struct dev_brief t;

		if (k + 1 < n && strcmp(v[k + 1].name, v[k].name) > 0)
			k++;
		if (strcmp(v[k].name, v[i].name) <= 0)
			return;
		t = v[i];
		v[i] = v[k];
		v[k] = t;
	}
}

static void briefs_sort(struct dev_brief *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t end = n; end-- > 1;) {
		struct dev_brief t = v[0];

		v[0] = v[end];
		v[end] = t;
		sift_down(v, 0, end);
	}
}

/* Room for this many briefs from the start (224 KiB): an allocation that
 * size is mapped on its own, so pages not written to cost nothing, and it
 * grows by remapping, where one that starts small is copied as it doubles
 * and leaves the copies behind in the heap. */
#define BRIEFS_RESERVE 8192

int dev_read_briefs(struct ctx *c, struct dev_brief **out, size_t *n)
{
	struct briefs b = { 0 };

	if (!(b.v = vec_grow(NULL, &b.cap, BRIEFS_RESERVE, sizeof(*b.v)))) {
		report(c, "out of memory");
		return 1;
	}
	if (dump_links_each(c, NULL, take_brief, briefs_reset, &b)) {
		free(b.v);
		return 1;
	}
	briefs_sort(b.v, b.n);
	*out = b.v;
	*n = b.n;
	return 0;
}

void dev_brief_info(const struct dev_brief *b, struct tun_info *ti)
{
	memset(ti, 0, sizeof(*ti));
	memcpy(ti->name, b->name, sizeof(ti->name));
	ti->flags = (struct tun_flags){ .mode = b->tap ? MODE_TAP : MODE_TUN, .pi = b->pi,
					.vnet_hdr = b->vnet_hdr, .multi_queue = b->multi_queue,
					.persist = b->persist };
	ti->owner_set = b->owner_set;
	ti->owner = b->owner;
	ti->group_set = b->group_set;
	ti->group = b->group;
	ti->up = b->up;
	ti->carrier = b->carrier;
}

struct links {
	struct device *v;
	size_t n, cap;
};

static int take_device(const struct device *l, void *data)
{
	struct links *k = data;
	struct device *v;

	if (!l->is_tun)
		return 0;
	if (!(v = vec_grow(k->v, &k->cap, k->n + 1, sizeof(*k->v))))
		return -ENOMEM;
	k->v = v;
	v = &k->v[k->n++];
	*v = *l;
	v->link.has_mac = l->ti.flags.mode == MODE_TAP && l->link.has_mac;
	return 0;
}

static void links_reset(void *data)
{
	((struct links *)data)->n = 0;
}

int dev_lookup(struct ctx *c, const char *name, struct device *out)
{
	struct device *v;
	size_t n;

	if (dev_read_links(c, name, &v, &n))
		return 1;
	*out = v[0];
	free(v);
	return 0;
}

int dev_link_now(struct ctx *c, const char *name, const struct link_spec *want, struct link_spec *now)
{
	struct device d;

	if (dev_lookup(c, name, &d))
		return 1;
	memset(now, 0, sizeof(*now));
	for (size_t i = 0; i < LINK_N; i++)
		if (link_has(&link_settings[i], want))
			link_copy(&link_settings[i], now, &d.link);
	return 0;
}

int find_tun(struct ctx *c, const char *name, struct tun_info *ti, int *ifindex)
{
	struct device d;

	if (dev_lookup(c, name, &d))
		return 1;
	*ti = d.ti;
	if (ifindex)
		*ifindex = d.ifindex;
	return 0;
}

int dev_lookup_attach(struct ctx *c, const char *name, struct device *d)
{
	int dirfd, err;

	/* /sys/class/net first, so that one not mounted (-ENOENT; with -n,
	 * the namespace's own not mountable) is said before the lookup. */
	if ((dirfd = sysfs_net_dir()) < 0) {
		report_sysfs(c, dirfd, name);
		return 1;
	}
	close(dirfd);
	if (dev_lookup(c, name, d))
		return 1;
	/* sysfs only for what the kernel shows nowhere else: IFF_NAPI,
	 * IFF_NAPI_FRAGS, IFF_ONE_QUEUE (tun_flags). */
	if ((err = sysfs_tun_flags_only(name, &d->ti.flags))) {
		report_sysfs(c, err, name);
		return 1;
	}
	return 0;
}

int find_tun_attach(struct ctx *c, const char *name, struct tun_info *ti, int *ifindex)
{
	struct device d;

	if (dev_lookup_attach(c, name, &d))
		return 1;
	*ti = d.ti;
	if (ifindex)
		*ifindex = d.ifindex;
	return 0;
}

_Static_assert(offsetof(struct device, ti.name) == 0, "cmp_ifname: the name first");

int dev_read_links(struct ctx *c, const char *name, struct device **out, size_t *n)
{
	struct links k = { 0 };

	if (dump_links_each(c, name, take_device, links_reset, &k))
		goto fail;
	/* The one asked for exists (or the kernel said otherwise). */
	if (name && !k.n) {
		report(c, "%s is not a TUN/TAP device", name);
		goto fail;
	}
	if (k.n)
		qsort(k.v, k.n, sizeof(*k.v), cmp_ifname);
	*out = k.v;
	*n = k.n;
	return 0;
fail:
	free(k.v);
	return 1;
}
