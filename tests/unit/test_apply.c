/* test_apply.c - apply's reading of the file's lines into wanted devices:
 * each error names FILE:LINE, and leaves the context pointing at none of
 * the caller's memory (which apply frees before the end); and the pure
 * part of its diff (apply_diff_config) on devices built in memory. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "tap.h"

/* Reads lines n of v into wants, the report captured; the status. */
static int read_wants(struct ctx *c, const struct batch_line *v, size_t n, char *msg, size_t len)
{
	struct want w[4];
	char where[4][WHERE_LEN];
	int rc;

	msg[0] = '\0';
	c->capture = msg;
	c->capture_len = len;
	rc = apply_read_wants(c, v, n, "f", w, where);
	c->capture = NULL;
	msg[strcspn(msg, "\n")] = '\0';
	return rc;
}

/* The plan's lines, one "op dev what from>to text" each, joined by "|". */
static const char *plan_str(const struct plan *p, char *buf, size_t len)
{
	static const char *const ops[] = { "create", "recreate", "delete", "set", "add", "remove", "note" };
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->n && at < len; i++) {
		const struct change *ch = &p->v[i];
		int n = snprintf(buf + at, len - at, "%s%s %s %s", i ? "|" : "", ops[ch->op], ch->dev,
				 ch->what ? ch->what : "");

		if (n > 0)
			at += (size_t)n;
		if (ch->op == ST_SET && at < len && (n = snprintf(buf + at, len - at, " %s>%s", ch->from, ch->to)) > 0)
			at += (size_t)n;
		if ((ch->op == ST_ADD || ch->op == ST_REMOVE) && at < len &&
		    (n = snprintf(buf + at, len - at, " %s", ch->text)) > 0)
			at += (size_t)n;
	}
	return buf;
}

/* The pure diff of one present device: link settings, addresses, routes. */
static void test_diff_config(void)
{
	struct add_req r = { .name = "d0" };
	struct addr_spec fa[2] = { 0 }, ka[2] = { 0 };
	struct route_spec fr[1] = { 0 }, kr[2] = { 0 };
	struct device d = { .ifindex = 7 };
	struct want w = { .r = &r };
	struct apply_dev t = { 0 };
	struct plan p = { 0 };
	char err[ERRLEN], buf[1024];

	/* The kernel: up, mtu 1500, txqueuelen 500, no alias; 192.0.2.1/24 and
	 * 198.51.100.1/32; a route to 203.0.113.0/24 and one (IPv6) with the
	 * defaults spelt out. */
	snprintf(d.ti.name, sizeof(d.ti.name), "d0");
	d.link = (struct link_spec){ .set_updown = true, .up = true, .has_mtu = true, .mtu = 1500,
				     .has_txqlen = true, .txqlen = 500, .has_alias = true };
	parse_prefix("192.0.2.1/24", false, false, &ka[0].local, err, sizeof(err));
	parse_prefix("198.51.100.1/32", false, false, &ka[1].local, err, sizeof(err));
	parse_route("203.0.113.0/24 via 192.0.2.9", &kr[0], err, sizeof(err));
	parse_route("2001:db8::/64 metric 1024 table 254", &kr[1], err, sizeof(err));
	d.addrs = ka;
	d.naddrs = 2;
	d.routes = kr;
	d.nroutes = 2;

	/* The file: the same, but mtu 1400, an alias, down; 198.51.100.1
	 * gone, 192.0.2.7/24 new; the IPv4 route gone, the IPv6 one as
	 * written without its defaults (the same route). */
	w.link = (struct link_spec){ .set_updown = true, .up = false, .has_mtu = true, .mtu = 1400,
				     .has_txqlen = true, .txqlen = 500 };
	w.link.has_alias = true;
	snprintf(w.link.alias, sizeof(w.link.alias), "web");
	fa[0] = ka[0];
	parse_prefix("192.0.2.7/24", false, false, &fa[1].local, err, sizeof(err));
	parse_route("2001:db8::/64", &fr[0], err, sizeof(err));
	r.addrs = fa;
	r.naddrs = 2;
	r.routes = fr;
	r.nroutes = 1;

	ok(apply_diff_config(&w, &d, &t, &p) == 0 && !p.oom, "diff: done");
	ok(!strcmp(plan_str(&p, buf, sizeof(buf)),
		   "set d0 mtu 1500>1400|set d0 alias >web|set d0 state up>down|"
		   "remove d0 route 203.0.113.0/24 via 192.0.2.9|remove d0 addr 198.51.100.1/32|add d0 addr 192.0.2.7/24|"
		   "add d0 route 2001:db8::/64"),
	   "diff: settings in the table's order, then removals (routes first), then additions; the route the "
	   "kernel drops going down is added back (%s)", buf);
	ok(t.link.has_mtu && t.link.mtu == 1400 && !t.link.has_txqlen && t.link.has_alias &&
	   !strcmp(t.link.alias, "web") && t.link.set_updown && !t.link.up && !t.link.has_mac,
	   "diff: only the settings that differ are to be set");
	ok(t.old.mtu == 1500 && t.old.up, "diff: the settings now, to put back");
	ok(t.ndel_r == 1 && t.ndel_a == 1 && t.nadd_a == 1 && t.nadd_r == 1, "diff: what to add and remove");
	free(t.add_a);
	free(t.del_a);
	free(t.add_r);
	free(t.del_r);
	free(p.v);

	/* The same device against itself: nothing (the state is always
	 * compared; the settings the file leaves out are left). */
	memset(&t, 0, sizeof(t));
	memset(&p, 0, sizeof(p));
	w.link = (struct link_spec){ .set_updown = true, .up = true };
	r.addrs = ka;
	r.naddrs = 2;
	r.routes = kr;
	r.nroutes = 2;
	ok(apply_diff_config(&w, &d, &t, &p) == 0 && p.n == 0 && !link_any(&t.link) &&
	   !t.nadd_a && !t.ndel_a && !t.nadd_r && !t.ndel_r, "diff: a device as the file says: no change");
	free(p.v);

	/* --keep-config: the line lists 192.0.2.7/24 only; the kernel's
	 * other addresses and routes are the program's: none removed, the
	 * listed one added. */
	memset(&t, 0, sizeof(t));
	memset(&p, 0, sizeof(p));
	r.addrs = &fa[1];
	r.naddrs = 1;
	r.routes = NULL;
	r.nroutes = 0;
	r.keep_config = true;
	ok(apply_diff_config(&w, &d, &t, &p) == 0 && !p.oom, "keep-config: done");
	ok(!strcmp(plan_str(&p, buf, sizeof(buf)), "add d0 addr 192.0.2.7/24") && !t.ndel_a && !t.ndel_r &&
	   t.nadd_a == 1 && !t.nadd_r, "keep-config: what the line lists is added, nothing removed (%s)", buf);
	free(t.add_a);
	free(t.del_a);
	free(t.add_r);
	free(t.del_r);
	free(p.v);
	r.keep_config = false;
}

/* Secondaries: deleted before their primary; one the file keeps is
 * added back, as the kernel deletes it with its primary. */
static void test_diff_secondaries(void)
{
	struct add_req r = { .name = "s0" };
	struct addr_spec ka[3] = { 0 };
	struct device d = { .ifindex = 8 };
	struct want w = { .r = &r, .link = { .set_updown = true, .up = true } };
	struct apply_dev t = { 0 };
	struct plan p = { 0 };
	char err[ERRLEN], buf[1024];

	snprintf(d.ti.name, sizeof(d.ti.name), "s0");
	d.link = (struct link_spec){ .set_updown = true, .up = true };
	parse_prefix("192.0.2.1/24", false, false, &ka[0].local, err, sizeof(err));
	parse_prefix("192.0.2.5/24", false, false, &ka[1].local, err, sizeof(err));
	parse_prefix("192.0.2.9/24", false, false, &ka[2].local, err, sizeof(err));
	d.addrs = ka;
	d.naddrs = 3;
	ok(apply_diff_config(&w, &d, &t, &p) == 0 &&
	   !strcmp(plan_str(&p, buf, sizeof(buf)), "remove s0 addr 192.0.2.5/24|remove s0 addr 192.0.2.9/24|"
		   "remove s0 addr 192.0.2.1/24"), "diff: secondaries removed before their primary (%s)", buf);
	free(t.del_a);
	free(p.v);
	memset(&t, 0, sizeof(t));
	memset(&p, 0, sizeof(p));
	r.addrs = &ka[1];
	r.naddrs = 1;
	ok(apply_diff_config(&w, &d, &t, &p) == 0 &&
	   !strcmp(plan_str(&p, buf, sizeof(buf)), "remove s0 addr 192.0.2.9/24|remove s0 addr 192.0.2.1/24|"
		   "add s0 addr 192.0.2.5/24"), "diff: a kept secondary of a removed primary is added back (%s)", buf);
	free(t.del_a);
	free(t.add_a);
	free(p.v);
	memset(&t, 0, sizeof(t));
	memset(&p, 0, sizeof(p));
	t.promote = true;
	ok(apply_diff_config(&w, &d, &t, &p) == 0 &&
	   !strcmp(plan_str(&p, buf, sizeof(buf)), "remove s0 addr 192.0.2.9/24|remove s0 addr 192.0.2.1/24"),
	   "diff: with promote_secondaries, it stays (%s)", buf);
	free(t.del_a);
	free(t.add_a);
	free(p.v);
}

int main(void)
{
	struct ctx c;
	struct batch_line v[3];
	char msg[512];
	int rc;

	memset(&c, 0, sizeof(c));
	memset(v, 0, sizeof(v));
	for (unsigned i = 0; i < 3; i++) {
		v[i].no = i + 1;
		v[i].req.cmd = CMD_ADD;
		v[i].req.u.add.any_user = true;
	}
	v[0].req.u.add.name = "a0";
	v[1].req.u.add.name = "b0";
	v[2].req.u.add.name = "a0";

	rc = read_wants(&c, v, 2, msg, sizeof(msg));
	ok(rc == 0 && !c.where && !msg[0], "two add lines: read, nothing reported (%d: %s)", rc, msg);

	v[1].req.cmd = CMD_DEL;
	rc = read_wants(&c, v, 2, msg, sizeof(msg));
	ok(rc == 2 && strstr(msg, "tunctl: f:2: only add lines"), "a del line: 2, naming f:2 (%s)", msg);
	ok(!c.where, "a del line: where cleared");
	v[1].req.cmd = CMD_ADD;

	v[1].req.u.add.name = "tap%d";
	rc = read_wants(&c, v, 2, msg, sizeof(msg));
	ok(rc == 2 && strstr(msg, "tunctl: f:2: \"tap%d\" is a name template"), "a template: 2, naming f:2 (%s)", msg);
	ok(!c.where, "a template: where cleared");
	v[1].req.u.add.name = "b0";

	rc = read_wants(&c, v, 3, msg, sizeof(msg));
	ok(rc == 2 && strstr(msg, "tunctl: f:3: device a0 is named twice (first at f:1)"),
	   "a name twice: 2, naming f:3 and f:1 (%s)", msg);
	ok(!c.where, "a name twice: where cleared");

	{
		struct route_spec r0, r1;
		char err[ERRLEN];

		parse_route("198.51.100.0/24", &r0, err, sizeof(err));
		parse_route("198.51.100.0/24 via 192.0.2.9 metric 0 table main", &r1, err, sizeof(err));
		v[0].req.u.add.routes = &r0;
		v[0].req.u.add.nroutes = 1;
		v[1].req.u.add.routes = &r1;
		v[1].req.u.add.nroutes = 1;
		rc = read_wants(&c, v, 2, msg, sizeof(msg));
		ok(rc == 2 && strstr(msg, "tunctl: f:2: b0's route \"198.51.100.0/24 via 192.0.2.9\" and a0's route "
				     "\"198.51.100.0/24\" (at f:1)"), "one route on two lines: 2, naming both (%s)", msg);
		ok(!c.where, "one route twice: where cleared");
		r1.metric = 5;
		rc = read_wants(&c, v, 2, msg, sizeof(msg));
		ok(rc == 0, "another metric: another route (%d: %s)", rc, msg);
		v[0].req.u.add.nroutes = 0;
		v[1].req.u.add.nroutes = 0;
	}
	test_diff_config();
	test_diff_secondaries();
	return tap_done();
}
