/* cmd_del.c - "tunctl del": remove devices, many at once in one kernel operation. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "procfs.h"
#include "dumps.h"
#include "sysfs.h"
#include "tunctl.h"

struct links {
	struct link_info *v;
	size_t n;
};

static int link_by_name(const void *a, const void *b)
{
	return strcmp(((const struct link_info *)a)->name, ((const struct link_info *)b)->name);
}

/* l sorted by name (sort_links): one lookup per name of a del of many. */
static const struct link_info *find_link(const struct links *l, const char *name)
{
	struct link_info key;

	snprintf(key.name, sizeof(key.name), "%s", name);
	return bsearch(&key, l->v, l->n, sizeof(*l->v), link_by_name);
}

static void sort_links(struct links *l)
{
	qsort(l->v, l->n, sizeof(*l->v), link_by_name);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* A link group no device in this namespace is in. */
static uint32_t free_group(const struct links *l)
{
	uint32_t *g = malloc((l->n + 1) * sizeof(*g)), cand = 0x7e570000u;

	if (!g)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		g[i] = l->v[i].group;
	qsort(g, l->n, sizeof(*g), cmp_u32);
	for (size_t i = 0; i < l->n; i++)
		if (g[i] == cand)
			cand++;
	free(g);
	return cand;
}

/* Puts the devices back into the groups they had. */
static void restore_groups(struct nl *nl, const struct links *l, char *const *names, size_t n)
{
	struct nl_tx tx;

	nl_tx_init(&tx);
	for (size_t k = 0; k < n; k++) {
		const struct link_info *li = find_link(l, names[k]);
		void *room;

		if (!li || !(room = nl_tx_room(&tx)))
			continue;
		rtnl_link_set(room, li->ifindex, NULL, -1, li->group);
		nl_tx_push(&tx);
	}
	if (tx.n)
		nl_tx_run(nl, &tx);
	nl_tx_free(&tx);
}

/* Sends what tx holds; reports the first failed request (by device name
 * when there is one request per device)
 * and returns 1 if any failed. */
static int run_checked(struct ctx *c, struct nl *nl, struct nl_tx *tx, char *const *names, size_t n)
{
	int err;

	if ((err = nl_tx_run(nl, tx))) {
		report_err(c, err, NULL, "deleting devices");
		return 1;
	}
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

/* Moves the devices into a fresh group, then deletes that group: one
 * unregistration for all of them instead of one each.  The moves are
 * checked before the delete, which would otherwise take whichever of them
 * went through; on any failure the groups are put back. */
static int delete_links(struct ctx *c, char *const *names, size_t n)
{
	struct nl *nl = ctx_nl(c);
	struct links l = { 0 };
	struct nl_tx tx;
	uint32_t group;
	int rc = 1;
	void *room;

	nl_tx_init(&tx);
	if (!nl)
		return 1;
	if (dump_links(c, &l.v, &l.n))
		goto out;
	sort_links(&l);
	group = free_group(&l);
	for (size_t i = 0; i < n; i++) {
		const struct link_info *li = find_link(&l, names[i]);

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
	if (run_checked(c, nl, &tx, names, n)) {
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
		if (run_checked(c, nl, &tx, names, n)) {
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
	free(l.v);
	return rc;
}

static int check_holders(struct ctx *c, char *const *names, size_t n)
{
	struct holder *h = NULL;
	size_t nh = 0;
	int err;

	if ((err = proc_tun_holders(n == 1 ? names[0] : NULL, &h, &nh))) {
		report_err(c, err, NULL, "reading /proc");
		return 1;
	}
	for (size_t i = 0; i < nh; i++) {
		for (size_t k = 0; k < n; k++) {
			if (strcmp(h[i].ifname, names[k]))
				continue;
			report(c, "device %s is in use by %s (pid %d); use --force to delete it anyway",
			       names[k], h[i].comm, (int)h[i].pid);
			free(h);
			return 1;
		}
	}
	free(h);
	return 0;
}

int del_run(struct ctx *c, const struct del_req *r)
{
	struct tun_info *all = NULL;
	char **names = r->names;
	size_t n = r->nnames;
	int rc = 1, err;

	if (r->all) {
		size_t cnt = 0;

		if ((err = sysfs_tun_list(&all, &cnt))) {
			report_sysfs(c, err, NULL);
			return 1;
		}
		names = malloc((cnt + 1) * sizeof(*names));
		if (!names) {
			report(c, "out of memory");
			goto out;
		}
		n = 0;
		for (size_t i = 0; i < cnt; i++)
			if (r->mode == MODE_ANY || all[i].flags.mode == r->mode)
				names[n++] = all[i].name;
	} else {
		/* Every name is checked before anything is deleted. */
		for (size_t i = 0; i < n; i++) {
			struct tun_info ti;

			if (find_tun(c, names[i], &ti, NULL))
				return 1;
		}
	}
	rc = 0;
	if (n && !r->force)
		rc = check_holders(c, names, n);
	if (n && !rc)
		rc = delete_links(c, names, n);
out:
	if (r->all)
		free(names);
	free(all);
	return rc;
}
