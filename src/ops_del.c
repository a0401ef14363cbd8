/* ops_del.c - deleting many devices in one kernel operation, and refusing
 * while a process holds one. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/resource.h>
#include <linux/rtnetlink.h>

#include "dumps.h"
#include "ops.h"
#include "procfs.h"
#include "sysfs.h"
#include "tun.h"
#include "vec.h"

struct links {
	const struct device *v;
	size_t n;
};

/* l sorted by name (links_sort): one lookup per name of a del of many. */
static const struct device *find_link(const struct links *l, const char *name)
{
	return links_find(l->v, l->n, name);
}

/* A free one of these link groups is where "del" of several devices puts
 * them, to delete them with one RTM_DELLINK by group.  A del killed between
 * the two steps leaves its devices in one: the next del finds TUN/TAP
 * devices there and deletes them too (see the man page, "del"). */
#define DEL_GROUP_FIRST 0x7e570000u    /* 2119630848 */
#define DEL_GROUPS      256u

_Static_assert(OPS_ASIDE_GROUP - DEL_GROUP_FIRST < DEL_GROUPS, "apply's set-aside group is one of del's");

static bool in_del_group(uint32_t group)
{
	return group - DEL_GROUP_FIRST < DEL_GROUPS;
}

/* A link group of tunctl's that no device in this namespace is in. */
static int free_group(const struct links *l, uint32_t *group)
{
	bool used[DEL_GROUPS] = { false };

	for (size_t i = 0; i < l->n; i++)
		if (in_del_group(l->v[i].link_group))
			used[l->v[i].link_group - DEL_GROUP_FIRST] = true;
	for (uint32_t k = 0; k < DEL_GROUPS; k++) {
		if (!used[k]) {
			*group = DEL_GROUP_FIRST + k;
			return 0;
		}
	}
	return -EBUSY;
}

/* names, and after them the TUN/TAP devices a del killed half-way left in
 * tunctl's groups (not named already): into *all (free it), *total. */
static int add_leftovers(const struct links *l, char *const *names, size_t n, char ***all, size_t *total)
{
	bool *named = calloc(l->n + 1, sizeof(*named));
	size_t k = n;

	*all = NULL;
	if (!named)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct device *li = find_link(l, names[i]);

		if (li)
			named[li - l->v] = true;
	}
	if (!(*all = malloc((n + l->n + 1) * sizeof(**all)))) {
		free(named);
		return -ENOMEM;
	}
	memcpy(*all, names, n * sizeof(*names));
	for (size_t i = 0; i < l->n; i++) {
		if (!named[i] && in_del_group(l->v[i].link_group) && l->v[i].is_tun)
			(*all)[k++] = (char *)l->v[i].ti.name;      /* only read */
	}
	free(named);
	*total = k;
	return 0;
}

/* Puts the devices back into the groups they had.  The moves leave the
 * devices up or down as they were: a device taken down loses its IPv6
 * addresses and its routes, which bringing it back up does not give back,
 * so a delete that fails could not leave the namespace as it found it. */
static void restore_groups(struct nl *nl, const struct links *l, char *const *names, size_t n)
{
	struct nl_tx tx;

	nl_tx_init(&tx);
	for (size_t k = 0; k < n; k++) {
		const struct device *li = find_link(l, names[k]);
		void *room;

		if (!li || !(room = nl_tx_room(&tx)))
			continue;
		rtnl_link_set(room, li->ifindex, NULL, -1, li->link_group);
		nl_tx_push(&tx);
	}
	if (tx.n)
		nl_tx_run(nl, &tx);
	nl_tx_free(&tx);
}

/* After an exchange of tx that failed as a whole: asks the kernel again,
 * once, whether every request took effect, the devices being in group
 * (group >= 0) or gone (group < 0).  1: all did; 0: none did (of moves
 * into group: not all did); -1: some did; -2: asking again failed. */
static int lost_done(struct ctx *c, const struct nl_tx *tx, const struct links *l, char *const *names,
		     size_t n, int64_t group)
{
	struct dump_state now;
	size_t done = 0;

	for (size_t i = 0; i < tx->n; i++)
		if (tx->replies[i].fate == NL_ANSWERED && tx->replies[i].err)
			return 0;
	if (dump_state(c, 0, DS_LINKS, &now)) {
		dump_state_free(&now);
		return -2;
	}
	for (size_t k = 0; k < n; k++) {
		const struct device *old = find_link(l, names[k]);
		const struct device *li = old ? state_link(&now, old->ifindex) : NULL;

		if (group >= 0 ? li && li->link_group == group : !li)
			done++;
	}
	dump_state_free(&now);
	return done == n ? 1 : done == 0 || group >= 0 ? 0 : -1;
}

/* Sends what tx holds; reports the first failed request (by device name
 * when there is one request per device)
 * and returns 1 if any failed. */
static int report_replies(struct ctx *c, struct nl_tx *tx, char *const *names, size_t n)
{
	for (size_t i = 0; i < tx->n; i++) {
		if (!tx->replies[i].err)
			continue;
		if (i < n && n == tx->n)
			report_err(c, tx->replies[i].err, tx->replies[i].msg, "deleting %s", names[i]);
		else
			report_err(c, tx->replies[i].err, tx->replies[i].msg, "deleting %zu devices", n);
		return 1;
	}
	return 0;
}

/* After an exchange that failed as a whole (err): 0 when asking again
 * shows it all took effect, else 1 after saying what is known. */
static int lost_report(struct ctx *c, const struct nl_tx *tx, const struct links *l, char *const *names,
		       size_t n, int64_t group, int err)
{
	int done = lost_done(c, tx, l, names, n, group);

	if (done == 1)
		return 0;
	report(c, "deleting devices: the kernel's answer was lost (%s), and asking again %s", strerror(-err),
	       done == 0 ? "shows none was deleted" : done == -1 ? "shows only some were deleted"
	       : "failed: some may be deleted");
	return 1;
}

static int run_checked(struct ctx *c, struct nl *nl, struct nl_tx *tx, char *const *names, size_t n,
		       const struct links *l, int64_t group)
{
	int err;

	if ((err = nl_tx_run(nl, tx)))
		return lost_report(c, tx, l, names, n, group, err);
	return report_replies(c, tx, names, n);
}

/* Whether none of the devices is there any more (one link dump; by
 * index, so that a device made since under one of the names is no
 * device of this delete's). */
static bool none_left(struct ctx *c, const struct links *l, char *const *names, size_t n)
{
	int *idx = calloc(n + 1, sizeof(*idx));
	bool none;

	if (!idx)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct device *li = find_link(l, names[i]);

		idx[i] = li ? li->ifindex : 0;
	}
	none = dump_links_left(c, idx, n, NULL) == 0;
	free(idx);
	return none;
}

/* The delete of the group.  ENODEV says no device is in it: a del running
 * at the same time took them (it finds them in a group of tunctl's, as a
 * del cut short leaves them, or picked the same group); done if they are
 * gone. */
static int run_group_del(struct ctx *c, struct nl *nl, struct nl_tx *tx, char *const *names, size_t n,
			 const struct links *l)
{
	int err;

	if ((err = nl_tx_run(nl, tx)))
		return lost_report(c, tx, l, names, n, -1, err);
	if (tx->n == 1 && tx->replies[0].err == -ENODEV && none_left(c, l, names, n))
		return 0;
	return report_replies(c, tx, names, n);
}

/* Moves the devices into a fresh group, then deletes that group: one
 * unregistration for all of them instead of one each.  The moves are
 * checked before the delete, which would otherwise take whichever of them
 * went through; on any failure the groups are put back. */
int ops_delete(struct ctx *c, char *const *names, size_t n, const struct device *links, size_t nlinks)
{
	struct nl *nl = ctx_nl(c);
	const struct links l = { links, nlinks };
	struct nl_tx tx;
	uint32_t group = DEL_GROUP_FIRST;
	char **all = NULL;
	int rc = 1, err;
	void *room;

	nl_tx_init(&tx);
	if (!nl)
		return 1;
	if ((err = add_leftovers(&l, names, n, &all, &n))) {
		report_err(c, err, NULL, "deleting devices");
		goto out;
	}
	names = all;
	if (!n) {
		rc = 0;
		goto out;
	}
	if (n > 1 && (err = free_group(&l, &group))) {
		report(c, "deleting devices: all %u link groups from %#x are in use; "
		       "delete their devices (ip link del group N)", DEL_GROUPS, DEL_GROUP_FIRST);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct device *li = find_link(&l, names[i]);

		if (!li) {
			report(c, "device %s does not exist", names[i]);
			goto out;
		}
		if (!(room = nl_tx_room(&tx)))
			goto oom;
		if (n == 1)
			rtnl_link_del(room, li->ifindex);
		else
			rtnl_link_set(room, li->ifindex, NULL, -1, group);
		nl_tx_push(&tx);
	}
	if (run_checked(c, nl, &tx, names, n, &l, n > 1 ? (int64_t)group : -1)) {
		if (n > 1)
			restore_groups(nl, &l, names, n);
		goto out;
	}
	if (n > 1) {
		nl_tx_clear(&tx);
		if (!(room = nl_tx_room(&tx)))
			goto oom;
		rtnl_group_del(room, group);
		nl_tx_push(&tx);
		if (run_group_del(c, nl, &tx, names, n, &l)) {
			restore_groups(nl, &l, names, n);
			goto out;
		}
	}
	rc = 0;
	goto out;
oom:
	report(c, "out of memory");
	if (n > 1)
		restore_groups(nl, &l, names, n);
out:
	nl_tx_free(&tx);
	free(all);
	return rc;
}

bool ops_leftover_group(uint32_t group)
{
	return in_del_group(group);
}

/* The kernel's limit of queues a device has (MAX_TAP_QUEUES). */
#define TAP_QUEUES_MAX 256

/* One device of ops_hold_unused: attaches as many queues as it can have,
 * appending their descriptors to *fds.  *spare is a /dev/net/tun
 * descriptor not attached (a refused attach leaves it so: kept for the
 * next device instead of closing it and opening another), or -1.
 * Returns whether all of the device's queues are ours, or -1 after
 * reporting. */
static int hold_one(struct ctx *c, const char *name, const struct tun_flags *f, int *spare, int **fds,
		    size_t *nfds, size_t *cap)
{
	size_t mine = 0, first = *nfds, want = f->multi_queue ? TAP_QUEUES_MAX : 1;
	int err;

	while (mine < want) {
		char nm[16];
		int fd = *spare, *v;

		if (fd < 0 && (fd = tun_open(NULL)) < 0) {
			report_tun_open(c, fd, NULL);
			return -1;
		}
		*spare = fd;
		if (!(v = vec_grow(*fds, cap, *nfds + 1, sizeof(int)))) {
			report(c, "out of memory");
			return -1;
		}
		*fds = v;
		snprintf(nm, sizeof(nm), "%s", name);
		/* EBUSY, or E2BIG before 256 of ours: held; EINVAL (its
		 * flags changed, or another device has the name now): not
		 * ours to delete now; anything else: failed. */
		if ((err = tun_attach_admin(fd, nm, f))) {
			if (err != -EBUSY && err != -E2BIG && err != -EINVAL) {
				report_err(c, err, NULL, "attaching to %s", name);
				return -1;
			}
			break;
		}
		(*fds)[(*nfds)++] = fd;
		*spare = -1;
		mine++;
	}
	if (mine == want)
		return 1;
	while (*nfds > first)
		close((*fds)[--*nfds]);
	return 0;
}

/* Whether /sys shows another network namespace's devices (unshare -n
 * without a sysfs of its own): name is a device of this namespace whose
 * /sys/class/net entry is missing or has another index, and still has the
 * same index afterwards (sysfs's ifindex: a fact of the sysfs mounted,
 * which only it can tell).  A device deleted or replaced meanwhile is not
 * taken for that: its name then has no index, or another. */
static bool sysfs_shows_other_netns(const char *name)
{
	unsigned idx = if_nametoindex(name);
	char buf[32];
	uint32_t v;
	int err;

	if (!idx)
		return false;
	if ((err = sysfs_attr(name, "ifindex", buf, sizeof(buf))))
		return (err == -ENOENT || err == -ENODEV) && if_nametoindex(name) == idx;
	return parse_u32(buf, 1, UINT32_MAX, &v) && v != idx && if_nametoindex(name) == idx;
}

int ops_hold_unused(struct ctx *c, char *const *names, size_t n, bool *keep, int **fds, size_t *nfds)
{
	size_t cap = 0;
	struct rlimit rl;
	int dirfd, spare = -1, rc = 0;

	/* 256 descriptors a multi-queue device: as many as we may. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((dirfd = sysfs_net_dir()) < 0) {
		report_err(c, dirfd, NULL, "reading /sys/class/net");
		return 1;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		struct tun_flags f;
		int held, err;

		keep[i] = false;
		/* Its flags as they are now, from sysfs's tun_flags, the only
		 * place the kernel shows IFF_NAPI, IFF_NAPI_FRAGS and
		 * IFF_ONE_QUEUE (the attach must ask for them, and would
		 * reset those it leaves out); gone meanwhile, or
		 * no TUN/TAP device any more: nothing to delete.  But a /sys
		 * of another namespace must not pass for "nothing to delete",
		 * nor lend another device's flags: checked on the first
		 * device, and on each that /sys says is gone or not TUN/TAP. */
		err = sysfs_tun_flags_at(dirfd, names[i], &f);
		if ((i == 0 || err == -ENODEV || err == -ENOTTY) && sysfs_shows_other_netns(names[i])) {
			report(c, "reading /sys/class/net/%s: /sys shows another network namespace's devices; "
			       "mount this one's (mount -t sysfs sysfs /sys in a mount namespace of its own, "
			       "as ip netns exec does)", names[i]);
			rc = 1;
			break;
		}
		if (err) {
			if (err == -ENODEV || err == -ENOTTY)
				continue;
			report_err(c, err, NULL, "reading /sys/class/net/%s/tun_flags", names[i]);
			rc = 1;
			break;
		}
		/* Every queue it can have is ours: no one else holds it. */
		if ((held = hold_one(c, names[i], &f, &spare, fds, nfds, &cap)) < 0)
			rc = 1;
		else
			keep[i] = held;
	}
	if (spare >= 0)
		close(spare);
	close(dirfd);
	return rc;
}

int ops_check_holders(struct ctx *c, char *const *names, size_t n, const struct device *links,
		      size_t nlinks)
{
	const struct links l = { links, nlinks };
	struct holder *h = NULL;
	size_t nh = 0;
	int err;

	if ((err = proc_tun_holders(n == 1 ? names[0] : NULL, &h, &nh))) {
		report_err(c, err, NULL, "reading /proc");
		return 1;
	}
	/* Some processes could not be looked into: the devices no process
	 * seen holds are asked about of the kernel (fail closed). */
	if (proc_unseen()) {
		int rc = 0;

		for (size_t k = 0; k < n && !rc; k++) {
			const struct holder *first;

			if (holders_of(h, nh, names[k], &first))
				continue;
			if ((rc = ops_held_per_kernel(c, find_link(&l, names[k]), names[k],
						       "use --force to delete it anyway")) > 0)
				report(c, "device %s is in use: the kernel reports a process attached to it, and /proc "
				       "hides which from this user; use --force to delete it anyway", names[k]);
		}
		if (rc) {
			free(h);
			return 1;
		}
	}
	for (size_t i = 0; i < nh; i++) {
		for (size_t k = 0; k < n; k++) {
			char who[256];

			if (strcmp(h[i].ifname, names[k]))
				continue;
			holders_text(h, nh, names[k], who, sizeof(who));
			report(c, "device %s is in use by %s; use --force to delete it anyway", names[k], who);
			free(h);
			return 1;
		}
	}
	free(h);
	return 0;
}

