/* devread.c - the device model's listings: every TUN/TAP device (or one) from one link dump, compactly. */
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
#include "rtnl.h"
#include "vec.h"

struct briefs {
	struct dev_brief *v;
	size_t n, cap;
};

static int take_brief(const struct link_info *l, void *data)
{
	struct briefs *b = data;
	struct dev_brief *v;
	struct tun_info ti;

	if (!l->is_tun)
		return 0;
	if (!(v = vec_grow(b->v, &b->cap, b->n + 1, sizeof(*b->v))))
		return -ENOMEM;
	b->v = v;
	dev_tun_info(l, &ti);
	v[b->n++] = (struct dev_brief){
		.owner = ti.owner, .group = ti.group,
		.tap = ti.flags.mode == MODE_TAP, .pi = ti.flags.pi, .vnet_hdr = ti.flags.vnet_hdr,
		.multi_queue = ti.flags.multi_queue, .persist = ti.flags.persist,
		.owner_set = ti.owner_set, .group_set = ti.group_set, .up = ti.up, .carrier = ti.carrier,
		.ifindex = l->ifindex, .mtu = l->link.has_mtu ? l->link.mtu : 0,
		.operstate = l->has_operstate ? l->operstate : IF_OPER_UNKNOWN,
		.attached = l->tun.has_queues ? l->tun.num_queues + l->tun.num_disabled > 0
					      : l->has_carrier ? l->carrier : ti.carrier,
	};
	memcpy(v[b->n - 1].name, ti.name, sizeof(ti.name));
	memcpy(v[b->n - 1].master, l->link.master.name, sizeof(v[b->n - 1].master));
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
	struct dev_link *v;
	size_t n, cap;
};

static int take_dev_link(const struct link_info *l, void *data)
{
	struct links *k = data;
	struct dev_link *v;

	if (!l->is_tun)
		return 0;
	if (!(v = vec_grow(k->v, &k->cap, k->n + 1, sizeof(*k->v))))
		return -ENOMEM;
	k->v = v;
	v = &k->v[k->n++];
	memset(v, 0, sizeof(*v));
	dev_tun_info(l, &v->ti);
	v->ifindex = l->ifindex;
	v->link = l->link;
	v->link.has_mac = l->tun.tap && l->link.has_mac;
	/* The kernel says down for a device that is not running. */
	v->operstate = l->has_operstate ? l->operstate : IF_OPER_UNKNOWN;
	return 0;
}

static void links_reset(void *data)
{
	((struct links *)data)->n = 0;
}

int dev_lookup(struct ctx *c, const char *name, struct dev_link *out)
{
	struct dev_link *v;
	size_t n;

	if (dev_read_links(c, name, &v, &n))
		return 1;
	*out = v[0];
	free(v);
	return 0;
}

int find_tun(struct ctx *c, const char *name, struct tun_info *ti, int *ifindex)
{
	struct dev_link d;
	int dirfd;

	/* Not the lookup: every command that finds its device here reads
	 * sysfs later (the link settings undo puts back, tun_flags), and
	 * says first when it cannot (not mounted: -ENOENT; with -n, the
	 * namespace's own not mountable). */
	if ((dirfd = sysfs_net_dir()) < 0) {
		report_sysfs(c, dirfd, name);
		return 1;
	}
	close(dirfd);
	if (dev_lookup(c, name, &d))
		return 1;
	*ti = d.ti;
	if (ifindex)
		*ifindex = d.ifindex;
	return 0;
}

int find_tun_attach(struct ctx *c, const char *name, struct tun_info *ti, int *ifindex)
{
	struct tun_flags f;
	char buf[32];
	uint32_t v;
	int err;

	if (find_tun(c, name, ti, ifindex))
		return 1;
	/* sysfs only for what the kernel shows nowhere else: IFF_NAPI,
	 * IFF_NAPI_FRAGS, IFF_ONE_QUEUE (tun_flags). */
	if (!(err = sysfs_attr(name, "tun_flags", buf, sizeof(buf))) && !parse_sysfs_hex(buf, &v))
		err = -EINVAL;
	if (err) {
		report_sysfs(c, err, name);
		return 1;
	}
	tun_flags_from_sysfs(v, &f);
	ti->flags.napi = f.napi;
	ti->flags.napi_frags = f.napi_frags;
	ti->flags.one_queue = f.one_queue;
	return 0;
}

_Static_assert(offsetof(struct dev_link, ti.name) == 0, "cmp_ifname: the name first");

int dev_read_links(struct ctx *c, const char *name, struct dev_link **out, size_t *n)
{
	struct links k = { 0 };

	if (dump_links_each(c, name, take_dev_link, links_reset, &k))
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
