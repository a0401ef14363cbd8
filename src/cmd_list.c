/* cmd_list.c - "tunctl list": the TUN/TAP devices, from one link dump and one pass over /proc. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev.h"
#include "ids.h"
#include "ops.h"
#include "procfs.h"
#include "sysfs.h"
#include "tunctl.h"
#include "vec.h"

static enum tun_mode mode_of(const struct dev_brief *b)
{
	return b->tap ? MODE_TAP : MODE_TUN;
}

static bool shown(enum tun_mode mode, const struct dev_brief *b)
{
	return mode == MODE_ANY || mode_of(b) == mode;
}

static void flags_text(const struct dev_brief *b, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", b->persist ? "persist," : "", b->pi ? "pi," : "",
		 b->vnet_hdr ? "vnet_hdr," : "", b->multi_queue ? "multi_queue," : "");
	if (*buf)
		buf[strlen(buf) - 1] = '\0';
	else
		snprintf(buf, len, "-");
}

/* The name of each owner and group the devices have, looked up once per
 * number before anything is printed: a number where a name belongs would
 * be a quiet error, and a table half printed a loud one. */
struct idname {
	uint32_t id;
	char name[64];
};

struct names {
	struct idname *users, *groups;
	size_t nusers, ngroups;
};

static int by_id(const void *a, const void *b)
{
	uint32_t x = ((const struct idname *)a)->id, y = ((const struct idname *)b)->id;

	return x < y ? -1 : x > y;
}

static const char *name_of(const struct idname *v, size_t n, uint32_t id)
{
	struct idname key = { .id = id };
	const struct idname *hit = n ? bsearch(&key, v, n, sizeof(*v), by_id) : NULL;

	return hit ? hit->name : NULL;
}

/* The distinct ids of one kind (user: owners, else groups) of the listed
 * devices, named. 0, or 1 after reporting. */
static int look_up(struct ctx *c, const struct dev_brief *v, size_t n, enum tun_mode mode, bool user,
		   struct idname **out, size_t *nout)
{
	struct idname *ids = NULL;
	size_t k = 0, cap = 0;

	for (size_t i = 0; i < n; i++) {
		struct idname *p;

		if (!shown(mode, &v[i]) || !(user ? v[i].owner_set : v[i].group_set))
			continue;
		/* Devices mostly share their owner: the last one is not
		 * taken again. */
		if (k && ids[k - 1].id == (user ? v[i].owner : v[i].group))
			continue;
		if (!(p = vec_grow(ids, &cap, k + 1, sizeof(*ids)))) {
			report(c, "out of memory");
			free(ids);
			return 1;
		}
		ids = p;
		ids[k++].id = user ? v[i].owner : v[i].group;
	}
	if (k)
		qsort(ids, k, sizeof(*ids), by_id);
	*nout = 0;
	for (size_t i = 0; i < k; i++) {
		uint32_t id = ids[i].id;
		int err;

		if (*nout && ids[*nout - 1].id == id)
			continue;
		err = user ? ids_user_lookup(id, ids[*nout].name, sizeof(ids[*nout].name))
			   : ids_group_lookup(id, ids[*nout].name, sizeof(ids[*nout].name));
		if (err) {
			const char *dev = "";

			for (size_t d = 0; d < n && !*dev; d++)
				if (user ? v[d].owner_set && v[d].owner == id : v[d].group_set && v[d].group == id)
					dev = v[d].name;
			report_err(c, err, NULL, "%s: looking up its %s (%s %u)", dev, user ? "owner" : "group",
				   user ? "uid" : "gid", id);
			free(ids);
			return 1;
		}
		ids[*nout].id = id;
		(*nout)++;
	}
	*out = ids;
	return 0;
}

#define NCOLS 8

/* One device's row; bufs holds its formatted cells. */
struct row_bufs {
	char flags[64], procs[24];
};

static void row_of(const struct dev_brief *b, size_t nprocs, const struct names *nm, struct row_bufs *bufs,
		   const char *row[NCOLS])
{
	const char *u = b->owner_set ? name_of(nm->users, nm->nusers, b->owner) : NULL;
	const char *g = b->group_set ? name_of(nm->groups, nm->ngroups, b->group) : NULL;

	flags_text(b, bufs->flags, sizeof(bufs->flags));
	/* No holder seen, yet a reader's carrier, and processes /proc did
	 * not let us look into: one of them may be it. */
	if (!nprocs && b->attached && proc_unseen())
		snprintf(bufs->procs, sizeof(bufs->procs), "?");
	else
		snprintf(bufs->procs, sizeof(bufs->procs), "%zu", nprocs);
	row[0] = b->name;
	row[1] = mode_name(mode_of(b));
	row[2] = link_state_name(b->up, b->carrier);
	row[3] = bufs->procs;
	row[4] = bufs->flags;
	row[5] = u ? u : "-";
	row[6] = g ? g : "-";
	row[7] = b->master[0] ? b->master : "-";
}

static void print_json(struct ctx *c, const struct list_req *r, const struct dev_brief *v, size_t n,
		       const struct holder *h, size_t nh)
{
	size_t pos = 0;

	out_arr_open(&c->out, NULL);
	for (size_t i = 0; i < n; i++) {
		size_t k = holders_next(h, nh, &pos, v[i].name);
		struct tun_info ti;

		if (!shown(r->mode, &v[i]))
			continue;
		if (r->unused && k)
			continue;
		dev_brief_info(&v[i], &ti);
		out_obj_open(&c->out, NULL);
		print_tun_fields(&c->out, &ti);
		out_uint(&c->out, "ifindex", NULL, (unsigned)v[i].ifindex);
		out_uint(&c->out, "mtu", NULL, v[i].mtu);
		out_str(&c->out, "operstate", NULL, operstate_name(v[i].operstate));
		if (v[i].master[0])
			out_str(&c->out, "master", NULL, v[i].master);
		print_processes(&c->out, k ? &h[pos - k] : NULL, k);
		out_obj_close(&c->out);
	}
	out_arr_close(&c->out);
	out_end(&c->out);
}

/* The table in two passes over the devices, measuring then printing, so
 * no cell is kept. */
static void print_table(struct ctx *c, const struct list_req *r, const struct dev_brief *v, size_t n,
			const struct holder *h, size_t nh, const struct names *nm)
{
	static const char *const head[NCOLS] = {
		"NAME", "MODE", "STATE", "PROCS", "FLAGS", "OWNER", "GROUP", "MASTER"
	};
	struct cols cols;
	bool any = false;

	cols_init(&cols, NCOLS);
	cols_measure(&cols, head);
	for (int pass = 0; pass < 2; pass++) {
		size_t pos = 0;

		if (pass && any)
			cols_print(&cols, c->out.f, head);
		for (size_t i = 0; i < n; i++) {
			size_t k = holders_next(h, nh, &pos, v[i].name);
			struct row_bufs bufs;
			const char *row[NCOLS];

			if (!shown(r->mode, &v[i]) || (r->unused && k))
				continue;
			any = true;
			row_of(&v[i], k, nm, &bufs, row);
			if (pass)
				cols_print(&cols, c->out.f, row);
			else
				cols_measure(&cols, row);
		}
	}
	fflush(c->out.f);
}

/* Adds a holder ("?", pid 0) for each device that /proc shows no holder of
 * and the kernel says is held; h stays sorted by device.  0, or 1 after
 * reporting. */
static int held_per_kernel(struct ctx *c, const struct dev_brief *v, size_t n, struct holder **h, size_t *nh)
{
	size_t pos = 0, cap = *nh;

	for (size_t i = 0; i < n; i++) {
		struct holder *g;
		int held;

		if (holders_next(*h, *nh, &pos, v[i].name))
			continue;
		if ((held = ops_held_per_kernel(c, NULL, v[i].name, "run list --unused as root")) < 0)
			return 1;
		if (!held)
			continue;
		if (!(g = vec_grow(*h, &cap, *nh + 1, sizeof(**h)))) {
			report(c, "out of memory");
			return 1;
		}
		*h = g;
		g[(*nh)++] = (struct holder){ .pid = 0, .comm = "?" };
		memcpy(g[*nh - 1].ifname, v[i].name, sizeof(g[*nh - 1].ifname));
	}
	holders_by_dev(*h, *nh);
	return 0;
}

int list_run(struct ctx *c, const struct list_req *r)
{
	struct dev_brief *v = NULL;
	struct holder *h = NULL;
	struct names nm = { 0 };
	size_t n = 0, nh = 0;
	int err, rc = 1;

	if (dev_read_briefs(c, &v, &n))
		return 1;
	/* One pass over /proc for all the devices, walked along with them. */
	if ((err = proc_tun_holders(NULL, &h, &nh))) {
		report_err(c, err, NULL, "reading /proc");
		goto out;
	}
	holders_by_dev(h, nh);
	/* Unused: where /proc does not show every process, the devices it
	 * shows no holder of are asked about of the kernel (fail closed). */
	if (r->unused && proc_unseen() && held_per_kernel(c, v, n, &h, &nh))
		goto out;
	if (c->out.json) {
		print_json(c, r, v, n, h, nh);
	} else {
		if (look_up(c, v, n, r->mode, true, &nm.users, &nm.nusers) ||
		    look_up(c, v, n, r->mode, false, &nm.groups, &nm.ngroups))
			goto out;
		print_table(c, r, v, n, h, nh, &nm);
	}
	rc = 0;
out:
	free(nm.users);
	free(nm.groups);
	free(h);
	free(v);
	return rc;
}
