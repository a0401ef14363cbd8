/* cmd_list.c - "tunctl list": the TUN/TAP devices, from one pass over sysfs and one over /proc. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "procfs.h"
#include "sysfs.h"
#include "tunctl.h"

const char *link_state_name(bool up, bool carrier)
{
	return !up ? "down" : carrier ? "up" : "up,no-carrier";
}

void print_tun_fields(struct out *o, const struct tun_info *t)
{
	out_str(o, "ifname", NULL, t->name);
	out_str(o, "mode", NULL, mode_name(t->flags.mode));
	out_bool(o, "persist", NULL, t->flags.persist);
	out_bool(o, "pi", NULL, t->flags.pi);
	out_bool(o, "vnet_hdr", NULL, t->flags.vnet_hdr);
	out_bool(o, "multi_queue", NULL, t->flags.multi_queue);
	out_opt_uint(o, "owner", NULL, t->owner_set, t->owner, NULL);
	out_opt_uint(o, "group", NULL, t->group_set, t->group, NULL);
	out_bool(o, "up", NULL, t->up);
	/* Carrier means something only while the link is up. */
	if (t->up)
		out_bool(o, "carrier", NULL, t->carrier);
}

void print_processes(struct out *o, const struct holder *h, size_t n)
{
	out_arr_open(o, "processes");
	for (size_t i = 0; i < n; i++) {
		out_obj_open(o, NULL);
		out_uint(o, "pid", "    process %llu", (unsigned long long)h[i].pid);
		out_str(o, "name", " %s\n", h[i].comm);
		out_obj_close(o);
	}
	out_arr_close(o);
}

static void flags_text(const struct tun_info *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", t->flags.persist ? "persist," : "",
		 t->flags.pi ? "pi," : "", t->flags.vnet_hdr ? "vnet_hdr," : "",
		 t->flags.multi_queue ? "multi_queue," : "");
	if (*buf)
		buf[strlen(buf) - 1] = '\0';
	else
		snprintf(buf, len, "-");
}

#define NCOLS 7

int list_run(struct ctx *c, const struct list_req *r)
{
	struct tun_info *v = NULL;
	struct holder *h = NULL;
	struct table t;
	size_t n = 0, nh = 0, pos = 0;
	int err, rc = 0;

	if ((err = sysfs_tun_list_state(&v, &n))) {
		report_sysfs(c, err, NULL);
		return 1;
	}
	/* One pass over /proc for all the devices, walked along with them. */
	if ((err = proc_tun_holders(NULL, &h, &nh))) {
		report_err(c, err, NULL, "reading /proc");
		free(v);
		return 1;
	}
	holders_by_dev(h, nh);
	if (c->out.json) {
		out_arr_open(&c->out, NULL);
		for (size_t i = 0; i < n; i++) {
			size_t k = holders_next(h, nh, &pos, v[i].name);

			if (r->mode != MODE_ANY && v[i].flags.mode != r->mode)
				continue;
			out_obj_open(&c->out, NULL);
			print_tun_fields(&c->out, &v[i]);
			print_processes(&c->out, k ? &h[pos - k] : NULL, k);
			out_obj_close(&c->out);
		}
		out_arr_close(&c->out);
		out_end(&c->out);
		goto out;
	}
	table_init(&t, NCOLS);
	for (size_t i = 0; i < n; i++) {
		char flags[64], owner[64], group[64], procs[24];
		size_t k = holders_next(h, nh, &pos, v[i].name);
		const char *row[NCOLS];

		if (r->mode != MODE_ANY && v[i].flags.mode != r->mode)
			continue;
		if (!t.nrows) {
			static const char *const head[NCOLS] = {
				"NAME", "MODE", "STATE", "PROCS", "FLAGS", "OWNER", "GROUP"
			};

			if (table_add(&t, head))
				goto oom;
		}
		flags_text(&v[i], flags, sizeof(flags));
		snprintf(procs, sizeof(procs), "%zu", k);
		row[0] = v[i].name;
		row[1] = mode_name(v[i].flags.mode);
		row[2] = link_state_name(v[i].up, v[i].carrier);
		row[3] = procs;
		row[4] = flags;
		row[5] = v[i].owner_set ? ids_user_name(v[i].owner, owner, sizeof(owner)) : "-";
		row[6] = v[i].group_set ? ids_group_name(v[i].group, group, sizeof(group)) : "-";
		if (table_add(&t, row))
			goto oom;
	}
	table_print(&t, c->out.f);
	fflush(c->out.f);
	goto out_table;
oom:
	report(c, "out of memory");
	rc = 1;
out_table:
	table_free(&t);
out:
	free(h);
	free(v);
	return rc;
}
