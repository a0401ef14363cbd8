/* test_apply.c - apply's reading of the file's lines into wanted devices:
 * each error names FILE:LINE, and leaves the context pointing at none of
 * the caller's memory (which apply frees before the end); and its diff
 * (apply_diff, apply_diff_config), pure, on a file and a namespace built in
 * memory: every kind of change, identity changes, held devices, the
 * devices the file does not name, what it asks the reader for. */
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

/* One present device and its line, for apply_diff_config: both up and
 * nothing else until a test says more; t and p what the diff makes. */
struct present {
	struct add_req r;
	struct device d;
	struct want w;
	struct apply_dev t;
	struct plan p;
};

static void present_init(struct present *x, const char *name, int ifindex)
{
	memset(x, 0, sizeof(*x));
	x->r.name = name;
	snprintf(x->d.ti.name, sizeof(x->d.ti.name), "%s", name);
	x->d.ifindex = ifindex;
	x->d.link = (struct link_spec){ .set_updown = true, .up = true };
	x->w = (struct want){ .r = &x->r, .link = { .set_updown = true, .up = true } };
}

/* What the last diff made, freed; t's input (promote) kept. */
static void present_free(struct present *x)
{
	bool promote = x->t.promote;

	free(x->t.add_a);
	free(x->t.del_a);
	free(x->t.add_r);
	free(x->t.del_r);
	free(x->p.v);
	memset(&x->t, 0, sizeof(x->t));
	memset(&x->p, 0, sizeof(x->p));
	x->t.promote = promote;
}

/* apply_diff_config afresh: its status, and the plan into buf. */
static int present_diff(struct present *x, char *buf, size_t len)
{
	int rc;

	present_free(x);
	rc = apply_diff_config(&x->w, &x->d, &x->t, &x->p);
	plan_str(&x->p, buf, len);
	return rc;
}

/* The pure diff of one present device: link settings, addresses, routes. */
static void test_diff_config(void)
{
	struct present x;
	struct addr_spec fa[2] = { 0 }, ka[2] = { 0 };
	struct route_spec fr[1] = { 0 }, kr[2] = { 0 };
	char err[ERRLEN], buf[1024];

	/* The kernel: up, mtu 1500, txqueuelen 500, no alias; 192.0.2.1/24 and
	 * 198.51.100.1/32; a route to 203.0.113.0/24 and one (IPv6) with the
	 * defaults spelt out. */
	present_init(&x, "d0", 7);
	x.d.link = (struct link_spec){ .set_updown = true, .up = true, .has_mtu = true, .mtu = 1500,
				       .has_txqlen = true, .txqlen = 500, .has_alias = true };
	parse_prefix("192.0.2.1/24", false, false, &ka[0].local, err, sizeof(err));
	parse_prefix("198.51.100.1/32", false, false, &ka[1].local, err, sizeof(err));
	parse_route("203.0.113.0/24 via 192.0.2.9", &kr[0], err, sizeof(err));
	parse_route("2001:db8::/64 metric 1024 table 254", &kr[1], err, sizeof(err));
	x.d.addrs = ka;
	x.d.naddrs = 2;
	x.d.routes = kr;
	x.d.nroutes = 2;

	/* The file: the same, but mtu 1400, an alias, down; 198.51.100.1
	 * gone, 192.0.2.7/24 new; the IPv4 route gone, the IPv6 one as
	 * written without its defaults (the same route). */
	x.w.link = (struct link_spec){ .set_updown = true, .up = false, .has_mtu = true, .mtu = 1400,
				       .has_txqlen = true, .txqlen = 500 };
	x.w.link.has_alias = true;
	snprintf(x.w.link.alias, sizeof(x.w.link.alias), "web");
	fa[0] = ka[0];
	parse_prefix("192.0.2.7/24", false, false, &fa[1].local, err, sizeof(err));
	parse_route("2001:db8::/64", &fr[0], err, sizeof(err));
	x.r.addrs = fa;
	x.r.naddrs = 2;
	x.r.routes = fr;
	x.r.nroutes = 1;

	ok(present_diff(&x, buf, sizeof(buf)) == 0 && !x.p.oom, "diff: done");
	ok(!strcmp(buf,
		   "set d0 mtu 1500>1400|set d0 alias >web|set d0 state up>down|"
		   "remove d0 route 203.0.113.0/24 via 192.0.2.9|remove d0 addr 198.51.100.1/32|add d0 addr 192.0.2.7/24|"
		   "add d0 route 2001:db8::/64"),
	   "diff: settings in the table's order, then removals (routes first), then additions; the route the "
	   "kernel drops going down is added back (%s)", buf);
	ok(x.t.link.has_mtu && x.t.link.mtu == 1400 && !x.t.link.has_txqlen && x.t.link.has_alias &&
	   !strcmp(x.t.link.alias, "web") && x.t.link.set_updown && !x.t.link.up && !x.t.link.has_mac,
	   "diff: only the settings that differ are to be set");
	ok(x.t.old.mtu == 1500 && x.t.old.up, "diff: the settings now, to put back");
	ok(x.t.ndel_r == 1 && x.t.ndel_a == 1 && x.t.nadd_a == 1 && x.t.nadd_r == 1, "diff: what to add and remove");

	/* The same device against itself: nothing (the state is always
	 * compared; the settings the file leaves out are left). */
	x.w.link = (struct link_spec){ .set_updown = true, .up = true };
	x.r.addrs = ka;
	x.r.naddrs = 2;
	x.r.routes = kr;
	x.r.nroutes = 2;
	ok(present_diff(&x, buf, sizeof(buf)) == 0 && x.p.n == 0 && !link_any(&x.t.link) &&
	   !x.t.nadd_a && !x.t.ndel_a && !x.t.nadd_r && !x.t.ndel_r, "diff: a device as the file says: no change");

	/* --keep-config: the line lists 192.0.2.7/24 only; the kernel's
	 * other addresses and routes are the program's: none removed, the
	 * listed one added. */
	x.r.addrs = &fa[1];
	x.r.naddrs = 1;
	x.r.routes = NULL;
	x.r.nroutes = 0;
	x.r.keep_config = true;
	ok(present_diff(&x, buf, sizeof(buf)) == 0 && !x.p.oom, "keep-config: done");
	ok(!strcmp(buf, "add d0 addr 192.0.2.7/24") && !x.t.ndel_a && !x.t.ndel_r && x.t.nadd_a == 1 && !x.t.nadd_r,
	   "keep-config: what the line lists is added, nothing removed (%s)", buf);
	present_free(&x);
}

/* Secondaries: deleted before their primary; one the file keeps is
 * added back, as the kernel deletes it with its primary. */
static void test_diff_secondaries(void)
{
	struct present x;
	struct addr_spec ka[3] = { 0 };
	char err[ERRLEN], buf[1024];

	present_init(&x, "s0", 8);
	parse_prefix("192.0.2.1/24", false, false, &ka[0].local, err, sizeof(err));
	parse_prefix("192.0.2.5/24", false, false, &ka[1].local, err, sizeof(err));
	parse_prefix("192.0.2.9/24", false, false, &ka[2].local, err, sizeof(err));
	x.d.addrs = ka;
	x.d.naddrs = 3;
	ok(present_diff(&x, buf, sizeof(buf)) == 0 &&
	   !strcmp(buf, "remove s0 addr 192.0.2.5/24|remove s0 addr 192.0.2.9/24|remove s0 addr 192.0.2.1/24"),
	   "diff: secondaries removed before their primary (%s)", buf);
	x.r.addrs = &ka[1];
	x.r.naddrs = 1;
	ok(present_diff(&x, buf, sizeof(buf)) == 0 &&
	   !strcmp(buf, "remove s0 addr 192.0.2.9/24|remove s0 addr 192.0.2.1/24|add s0 addr 192.0.2.5/24"),
	   "diff: a kept secondary of a removed primary is added back (%s)", buf);
	x.t.promote = true;
	ok(present_diff(&x, buf, sizeof(buf)) == 0 &&
	   !strcmp(buf, "remove s0 addr 192.0.2.9/24|remove s0 addr 192.0.2.1/24"),
	   "diff: with promote_secondaries, it stays (%s)", buf);
	present_free(&x);
}

/* A file and a namespace built in memory, for apply_diff. */
struct world {
	struct apply a;
	struct apply_req ar;
	struct add_req r[4];
	struct want w[4];
	char where[4][WHERE_LEN];
	struct device d[4];             /* the namespace, by name */
	struct apply_dev dev[5];
	struct device *prune[5];
	char others[2][16];
};

static void world_init(struct world *x)
{
	memset(x, 0, sizeof(*x));
	x->ar.file = "f";
	x->a.ar = &x->ar;
	x->a.w = x->w;
	x->a.dev = x->dev;
	x->a.cur.v = x->d;
	x->a.cur.others = x->others;
	x->a.prune = x->prune;
}

/* A line of the file: an up device of that mode, owned by nobody in
 * particular. */
static struct want *want_add(struct world *x, const char *name, enum tun_mode mode)
{
	size_t i = x->a.nw++;

	x->r[i] = (struct add_req){ .name = name, .mode = mode };
	snprintf(x->where[i], sizeof(x->where[i]), "f:%zu", i + 1);
	x->w[i] = (struct want){ .r = &x->r[i], .where = x->where[i], .flags = { .mode = mode },
				 .link = { .set_updown = true, .up = true } };
	return &x->w[i];
}

/* A device of the namespace, up; added in the order of their names. */
static struct device *dev_add(struct world *x, const char *name, enum tun_mode mode)
{
	struct device *d = &x->d[x->a.cur.n++];

	snprintf(d->ti.name, sizeof(d->ti.name), "%s", name);
	d->ti.flags.mode = mode;
	d->ifindex = (int)x->a.cur.n + 10;
	d->link = (struct link_spec){ .set_updown = true, .up = true, .has_mtu = true, .mtu = 1500,
				      .has_txqlen = true, .txqlen = 500, .has_alias = true };
	return d;
}

/* Every fact the diff may ask for, as read: nobody holds anything. */
static void facts_read(struct world *x)
{
	for (size_t i = 0; i < x->a.cur.n; i++)
		x->d[i].facts.read = true;
}

static void world_free(struct world *x)
{
	for (size_t i = 0; i < x->a.nw; i++) {
		free(x->dev[i].add_a);
		free(x->dev[i].del_a);
		free(x->dev[i].add_r);
		free(x->dev[i].del_r);
	}
	free(x->a.plan.v);
	x->a.plan = (struct plan){ 0 };
}

/* apply_diff from the start: its status, and the plan into buf. */
static int diff(struct world *x, struct refusal *why, struct fact_need *need, char *buf, size_t len)
{
	int rc;

	world_free(x);
	x->a.diff_at = 0;
	x->a.nprune = 0;
	why->text[0] = '\0';
	rc = apply_diff(&x->a, why, need);
	plan_str(&x->a.plan, buf, len);
	return rc;
}

/* A device missing is made with its addresses and routes; one with the
 * name that is not TUN/TAP is refused; a device as the file says gives
 * nothing. */
static void test_diff_create(void)
{
	struct world x;
	struct refusal why;
	struct fact_need need;
	struct addr_spec fa[1] = { 0 };
	struct route_spec fr[1] = { 0 };
	char err[ERRLEN], buf[1024];

	world_init(&x);
	want_add(&x, "n0", MODE_TAP);
	parse_prefix("192.0.2.1/24", false, false, &fa[0].local, err, sizeof(err));
	parse_route("198.51.100.0/24 via 192.0.2.9", &fr[0], err, sizeof(err));
	x.r[0].addrs = fa;
	x.r[0].naddrs = 1;
	x.r[0].routes = fr;
	x.r[0].nroutes = 1;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 &&
	   !strcmp(buf, "create n0 |add n0 addr 192.0.2.1/24|add n0 route 198.51.100.0/24 via 192.0.2.9") &&
	   !x.dev[0].d && x.dev[0].w == &x.w[0] && x.dev[0].fd == -1 && !x.a.nprune,
	   "create: made, with its address and route (%s)", buf);

	snprintf(x.others[0], sizeof(x.others[0]), "n0");
	x.a.cur.nothers = 1;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 1 && !strcmp(why.where, "f:1") &&
	   !strcmp(why.text, "n0 exists and is not a TUN/TAP device"), "create: a link not TUN/TAP of that name: "
	   "refused at its line (%s)", why.text);
	x.a.cur.nothers = 0;

	dev_add(&x, "n0", MODE_TAP)->addrs = fa;
	x.d[0].naddrs = 1;
	x.d[0].routes = fr;
	x.d[0].nroutes = 1;
	facts_read(&x);
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && x.a.plan.n == 0 && x.dev[0].d == &x.d[0] &&
	   !x.dev[0].recreate && !x.dev[0].attach, "as the file says: no change (%s)", buf);
	world_free(&x);
}

/* Each link setting of the table, given by the file and different from
 * the kernel's: one set line, and that setting alone to be set. */
static void test_diff_each_setting(void)
{
	static const struct { const char *name, *now, *want; } v[] = {
		{ "mtu", "1500", "1400" },
		{ "mac", "02:00:00:00:00:01", "02:00:00:00:00:02" },
		{ "txqueuelen", "500", "100" },
		{ "alias", "", "web" },
		{ "master", "", "br0" },
	};
	size_t tried = 0;

	for (size_t i = 0; i < LINK_N; i++) {
		const struct link_setting *s = &link_settings[i];
		struct world x;
		struct refusal why;
		struct fact_need need;
		char err[ERRLEN], buf[1024], from[LINK_TEXT_LEN], to[LINK_TEXT_LEN], want[1200];
		struct want *w;
		struct device *d;
		size_t k;

		for (k = 0; k < sizeof(v) / sizeof(v[0]) && strcmp(v[k].name, s->name); k++)
			;
		world_init(&x);
		w = want_add(&x, "l0", MODE_TAP);
		d = dev_add(&x, "l0", MODE_TAP);
		facts_read(&x);
		if (!strcmp(s->name, "state")) {
			w->link.up = false;
		} else if (k < sizeof(v) / sizeof(v[0])) {
			if (v[k].now[0])
				link_parse(s, v[k].now, &d->link, err, sizeof(err));
			link_parse(s, v[k].want, &w->link, err, sizeof(err));
		} else {
			ok(0, "setting %s: a value to try in test_diff_each_setting", s->name);
			continue;
		}
		tried++;
		snprintf(want, sizeof(want), "set l0 %s %s>%s", s->name, link_text(s, &d->link, from, sizeof(from)),
			 link_text(s, &w->link, to, sizeof(to)));
		ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && !strcmp(buf, want) && link_has(s, &x.dev[0].link) &&
		   link_same(s, &x.dev[0].link, &w->link), "setting %s: one set line (%s), it alone to be set", s->name,
		   buf);
		for (size_t j = 0; j < LINK_N; j++)
			if (j != i && link_has(&link_settings[j], &x.dev[0].link))
				ok(0, "setting %s: %s to be set too", s->name, link_settings[j].name);
		world_free(&x);
	}
	ok(tried == LINK_N, "every link setting of the table tried (%zu of %d)", tried, (int)LINK_N);
}

/* What only re-creating changes (mode, multi-queue, an owner or group the
 * file leaves out): refused without --recreate, re-created with it; what
 * an attach sets (pi, vnet_hdr, owner, group): set. */
static void test_diff_identity(void)
{
	static const struct {
		const char *what;
		const char *refused, *plan;
	} v[] = {
		{ "mode", "i0 is mode tap, the file says mode tun: apply --recreate deletes and re-creates it",
		  "recreate i0 mode|add i0 addr 192.0.2.1/24" },
		{ "multi-queue", "i0 is multi-queue on, the file says multi-queue off: apply --recreate deletes and "
		  "re-creates it", "recreate i0 multi-queue|add i0 addr 192.0.2.1/24" },
		{ "user", "i0 has user 1000 and the kernel cannot clear it: apply --recreate deletes and re-creates it",
		  "recreate i0 user|add i0 addr 192.0.2.1/24" },
		{ "group", "i0 has group 1001 and the kernel cannot clear it: apply --recreate deletes and "
		  "re-creates it", "recreate i0 group|add i0 addr 192.0.2.1/24" },
	};
	struct addr_spec fa[1] = { 0 };
	char err[ERRLEN];

	parse_prefix("192.0.2.1/24", false, false, &fa[0].local, err, sizeof(err));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct world x;
		struct refusal why;
		struct fact_need need;
		char buf[1024];
		struct want *w;
		struct device *d;

		world_init(&x);
		w = want_add(&x, "i0", MODE_TAP);
		x.r[0].addrs = fa;
		x.r[0].naddrs = 1;
		d = dev_add(&x, "i0", MODE_TAP);
		if (!strcmp(v[i].what, "mode"))
			w->flags.mode = x.r[0].mode = MODE_TUN;
		else if (!strcmp(v[i].what, "multi-queue"))
			d->ti.flags.multi_queue = true;
		else if (!strcmp(v[i].what, "user"))
			d->ti.owner_set = true, d->ti.owner = 1000;
		else
			d->ti.group_set = true, d->ti.group = 1001;
		ok(diff(&x, &why, &need, buf, sizeof(buf)) == 1 && !strcmp(why.where, "f:1") &&
		   !strcmp(why.text, v[i].refused) && x.d[0].facts.read == false,
		   "%s: refused without --recreate, nothing read (%s)", v[i].what, why.text);
		x.ar.recreate = true;
		ok(diff(&x, &why, &need, buf, sizeof(buf)) == 2 && need.dev == 0 && need.holders &&
		   need.holders_first && need.held == HELD_RECREATE && !need.promote && !strcmp(need.where, "f:1"),
		   "%s, --recreate: whether it is held asked for first", v[i].what);
		facts_read(&x);
		ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && !strcmp(buf, v[i].plan) && x.dev[0].recreate &&
		   !strcmp(x.a.plan.v[0].from, strcmp(v[i].what, "mode") ? strcmp(v[i].what, "multi-queue") ?
			   !strcmp(v[i].what, "user") ? "1000" : "1001" : "on" : "tap"),
		   "%s, --recreate: re-created with the line's addresses (%s)", v[i].what, buf);
		/* Held: it cannot be. */
		x.d[0].facts.held = true;
		d->nholders = 1;
		d->holder_pid = 42;
		snprintf(d->holder_comm, sizeof(d->holder_comm), "qemu");
		ok(diff(&x, &why, &need, buf, sizeof(buf)) == 1 && strstr(why.text, "i0 is in use by qemu (pid 42): it "
		   "cannot be re-created (") && !x.dev[0].recreate, "%s, held: refused (%s)", v[i].what, why.text);
		world_free(&x);
	}
}

/* pi, vnet_hdr, owner and group: set by an attach when nobody holds the
 * device; pi and vnet_hdr left with a note when somebody does; a held
 * single-queue device cannot be given an owner. */
static void test_diff_attach(void)
{
	struct world x;
	struct refusal why;
	struct fact_need need;
	char buf[1024];
	struct want *w;
	struct device *d;

	world_init(&x);
	w = want_add(&x, "p0", MODE_TAP);
	d = dev_add(&x, "p0", MODE_TAP);
	w->flags.pi = true;
	d->ti.flags.vnet_hdr = true;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 2 && need.holders && need.holders_first &&
	   need.held == HELD_PI && !need.promote, "pi: whether it is held asked for, first");
	facts_read(&x);
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && !strcmp(buf, "set p0 pi off>on|set p0 vnet-hdr on>off") &&
	   x.dev[0].attach, "pi, vnet-hdr, not held: set by an attach (%s)", buf);
	x.d[0].facts.held = true;
	d->nholders = 1;
	d->holder_pid = 7;
	snprintf(d->holder_comm, sizeof(d->holder_comm), "vpn");
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && !x.dev[0].attach &&
	   !strcmp(buf, "note p0 pi") && !strcmp(x.a.plan.v[0].text, "pi off, the file says on: left as the attached "
	   "vpn (pid 7) set it"), "pi, held: a note, left (%s)", x.a.plan.v[0].text);
	d->nholders = 0;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && !strcmp(x.a.plan.v[0].text, "pi off, the file says on: "
	   "left as the attached process (one tunctl cannot see in /proc) set it"),
	   "pi, held by what /proc does not show: a note (%s)", x.a.plan.v[0].text);
	world_free(&x);

	world_init(&x);
	w = want_add(&x, "o0", MODE_TUN);
	d = dev_add(&x, "o0", MODE_TUN);
	w->o = (struct owner){ .user_set = true, .uid = 1000, .group_set = true, .gid = 1001 };
	d->ti.group_set = true;
	d->ti.group = 5;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 2 && need.holders && !need.holders_first &&
	   need.held == HELD_OWNER, "owner: whether it is held asked for, after promote_secondaries");
	facts_read(&x);
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && !strcmp(buf, "set o0 user ->1000|set o0 group 5>1001") &&
	   x.dev[0].attach, "owner and group: set by an attach (%s)", buf);
	x.d[0].facts.held = true;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 1 && !strcmp(why.text, "o0 is in use by a process that tunctl "
	   "cannot see in /proc: its owner and group can be changed only while no process has it open"),
	   "owner, single-queue and held: refused (%s)", why.text);
	d->ti.flags.multi_queue = w->flags.multi_queue = true;
	x.d[0].facts.read = false;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 2 && need.holders && need.held == HELD_NO,
	   "owner, multi-queue: the holders read, whether it is held not asked");
	x.d[0].facts.read = true;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && x.dev[0].attach, "owner, multi-queue and held: set (%s)",
	   buf);
	world_free(&x);
}

/* promote_secondaries: asked for a device with two IPv4 addresses or
 * more, and used as read. */
static void test_diff_promote(void)
{
	struct world x;
	struct refusal why;
	struct fact_need need;
	struct addr_spec ka[2] = { 0 };
	char err[ERRLEN], buf[1024];
	struct device *d;

	world_init(&x);
	want_add(&x, "s0", MODE_TAP);
	d = dev_add(&x, "s0", MODE_TAP);
	parse_prefix("192.0.2.1/24", false, false, &ka[0].local, err, sizeof(err));
	parse_prefix("192.0.2.5/24", false, false, &ka[1].local, err, sizeof(err));
	d->addrs = ka;
	d->naddrs = 2;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 2 && need.promote && !need.holders && need.held == HELD_NO,
	   "two IPv4 addresses: promote_secondaries asked for");
	x.d[0].facts = (struct dev_facts){ .read = true, .promote = true };
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && x.dev[0].promote &&
	   !strcmp(buf, "remove s0 addr 192.0.2.5/24|remove s0 addr 192.0.2.1/24"), "promote_secondaries as read (%s)",
	   buf);
	d->naddrs = 1;
	x.d[0].facts.read = false;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0, "one IPv4 address: nothing asked for");
	world_free(&x);
}

/* The devices the file does not name: kept with a note, deleted with
 * --prune unless held (--force: even then), deleted when left over;
 * --per-device's passes. */
static void test_diff_unnamed(void)
{
	struct world x;
	struct refusal why;
	struct fact_need need;
	const char *names[] = { "a0", NULL };
	char buf[1024];

	world_init(&x);
	want_add(&x, "a0", MODE_TAP);
	dev_add(&x, "a0", MODE_TAP);
	dev_add(&x, "b0", MODE_TAP);
	dev_add(&x, "c0", MODE_TUN)->link_group = OPS_ASIDE_GROUP;
	x.d[0].facts.read = true;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && !strcmp(buf, "note b0 |delete c0 ") &&
	   !strcmp(x.a.plan.v[0].text, "not in f: kept (--prune deletes it)") && x.a.nprune == 1 &&
	   x.a.prune[0] == &x.d[2], "not named: kept with a note; left over: deleted (%s)", buf);
	x.ar.file = "-";
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 &&
	   !strcmp(x.a.plan.v[0].text, "not in standard input: kept (--prune deletes it)"), "not named, file -: %s",
	   x.a.plan.v[0].text);
	x.ar.prune = true;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 2 && need.dev == 1 && !need.where && need.holders &&
	   need.held == HELD_PRUNE, "--prune: whether it is held asked for");
	x.d[1].facts.read = true;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && !strcmp(buf, "delete b0 |delete c0 ") && x.a.nprune == 2,
	   "--prune, not held: deleted (%s)", buf);
	x.d[1].facts.held = true;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 1 && !why.where && !strcmp(why.text, "b0 is in use by a process "
	   "that tunctl cannot see in /proc: --prune deletes it only with --force"), "--prune, held: refused (%s)",
	   why.text);
	x.ar.force = true;
	x.d[1].facts = (struct dev_facts){ 0 };
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && !strcmp(buf, "delete b0 |delete c0 "),
	   "--prune --force: deleted, nothing read (%s)", buf);
	/* --per-device: a pass about the file's devices alone, then one
	 * about the rest, which knows every name of the file (NULL for a line
	 * that is not add: once a crash). */
	x.a.wants_only = true;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && !x.a.plan.n && !x.a.nprune,
	   "--per-device, a device's pass: the others left (%s)", buf);
	x.a.wants_only = false;
	x.a.nw = 0;
	x.a.file_names = names;
	x.a.nfile_names = 2;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && !strcmp(buf, "delete b0 |delete c0 "),
	   "--per-device, the last pass: what the file does not name (%s)", buf);
	world_free(&x);
}

/* Resumed: the diff asks for one device's facts after another's plan
 * lines, and goes on from there with them. */
static void test_diff_resume(void)
{
	struct world x;
	struct refusal why;
	struct fact_need need;
	char buf[1024];

	world_init(&x);
	want_add(&x, "a0", MODE_TAP)->link.up = false;
	want_add(&x, "b0", MODE_TAP)->flags.pi = true;
	dev_add(&x, "a0", MODE_TAP);
	dev_add(&x, "b0", MODE_TAP);
	world_free(&x);
	x.a.diff_at = 0;
	ok(apply_diff(&x.a, &why, &need) == 2 && need.dev == 1 && x.a.diff_at == 1 && x.a.plan.n == 1,
	   "asks for b0's facts after a0's line");
	x.d[1].facts.read = true;
	ok(apply_diff(&x.a, &why, &need) == 0 && !strcmp(plan_str(&x.a.plan, buf, sizeof(buf)),
	   "set a0 state up>down|set b0 pi off>on"), "resumed with them (%s)", buf);
	world_free(&x);
}

/* Routes across devices: one another device keeps, one whose gateway
 * nothing reaches once the kernel drops it. */
static void test_diff_routes_across(void)
{
	struct world x;
	struct refusal why;
	struct fact_need need;
	struct route_spec r[2] = { 0 };
	struct addr_spec ka[1] = { 0 };
	char err[ERRLEN], buf[1024];

	world_init(&x);
	want_add(&x, "a0", MODE_TAP);
	dev_add(&x, "a0", MODE_TAP);
	dev_add(&x, "b0", MODE_TAP);
	facts_read(&x);
	parse_route("198.51.100.0/24", &r[0], err, sizeof(err));
	x.r[0].routes = &r[0];
	x.r[0].nroutes = 1;
	x.d[1].routes = &r[0];
	x.d[1].nroutes = 1;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 1 && !strcmp(why.where, "f:1") &&
	   strstr(why.text, "a0's route \"198.51.100.0/24\" is one route to the kernel with b0's"),
	   "a route another device keeps: refused (%s)", why.text);
	x.ar.prune = true;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0 && !strcmp(buf, "add a0 route 198.51.100.0/24|delete b0 "),
	   "... unless that device is pruned (%s)", buf);
	x.ar.prune = false;
	x.d[1].nroutes = 0;

	/* a0 has a route via 192.0.2.9, but not the address that reached it;
	 * going down drops it, and it could not be made again. */
	parse_route("203.0.113.0/24 via 192.0.2.9", &r[1], err, sizeof(err));
	x.r[0].routes = &r[1];
	x.d[0].routes = &r[1];
	x.d[0].nroutes = 1;
	x.w[0].link.up = false;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 1 && strstr(why.text, "a0's route \"203.0.113.0/24 via 192.0.2.9\" "
	   "would be dropped by the kernel"), "a route the kernel drops that cannot be made again: refused (%s)",
	   why.text);
	parse_prefix("192.0.2.1/24", false, false, &ka[0].local, err, sizeof(err));
	x.r[0].addrs = ka;
	x.r[0].naddrs = 1;
	ok(diff(&x, &why, &need, buf, sizeof(buf)) == 0, "... but fine with an address that reaches it (%s)", buf);
	world_free(&x);
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
	test_diff_create();
	test_diff_each_setting();
	test_diff_identity();
	test_diff_attach();
	test_diff_promote();
	test_diff_unnamed();
	test_diff_resume();
	test_diff_routes_across();
	return tap_done();
}
