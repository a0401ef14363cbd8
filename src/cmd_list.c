/* cmd_list.c - "tunctl list": the TUN/TAP devices, from one pass over sysfs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "sysfs.h"
#include "tunctl.h"

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

int list_run(struct ctx *c, const struct list_req *r)
{
	struct tun_info *v = NULL;
	struct table t;
	size_t n = 0;
	int err, rc = 0;

	if ((err = sysfs_tun_list(&v, &n))) {
		report_sysfs(c, err, NULL);
		return 1;
	}
	if (c->out.json) {
		out_arr_open(&c->out, NULL);
		for (size_t i = 0; i < n; i++) {
			if (r->mode != MODE_ANY && v[i].flags.mode != r->mode)
				continue;
			out_obj_open(&c->out, NULL);
			print_tun_fields(&c->out, &v[i]);
			out_obj_close(&c->out);
		}
		out_arr_close(&c->out);
		out_end(&c->out);
		free(v);
		return 0;
	}
	table_init(&t, 5);
	for (size_t i = 0; i < n; i++) {
		char flags[64], owner[64], group[64];
		const char *row[5];

		if (r->mode != MODE_ANY && v[i].flags.mode != r->mode)
			continue;
		if (!t.nrows) {
			static const char *const head[5] = { "NAME", "MODE", "FLAGS", "OWNER", "GROUP" };

			if (table_add(&t, head))
				goto oom;
		}
		flags_text(&v[i], flags, sizeof(flags));
		row[0] = v[i].name;
		row[1] = mode_name(v[i].flags.mode);
		row[2] = flags;
		row[3] = v[i].owner_set ? ids_user_name(v[i].owner, owner, sizeof(owner)) : "-";
		row[4] = v[i].group_set ? ids_group_name(v[i].group, group, sizeof(group)) : "-";
		if (table_add(&t, row))
			goto oom;
	}
	table_print(&t, c->out.f);
	fflush(c->out.f);
	goto out;
oom:
	report(c, "out of memory");
	rc = 1;
out:
	table_free(&t);
	free(v);
	return rc;
}
