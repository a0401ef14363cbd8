/* args_dev.c - pure: the parsers of the commands that make, change, list
 * and delete devices: add, set, del, list, show, save. */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "vec.h"

static int parse_link_opt(struct parsed *p, const struct optitem *it, struct link_spec *l)
{
	const struct link_setting *s = opt_link(it->def->id);
	char err[ERRLEN];

	if (s) {
		if (link_has(s, l))
			return opt_twice(p, it);
		if (!link_parse(s, it->val, l, err, sizeof(err)))
			return usage_err(p, "%s", err);
		return 0;
	}
	switch (it->def->id) {
	case O_UP:
	case O_DOWN:
		if (l->set_updown && l->up != (it->def->id == O_UP))
			return usage_err(p, "options --up and --down conflict");
		l->set_updown = true;
		l->up = it->def->id == O_UP;
		return 0;
	case O_NOMASTER: {
		const struct link_setting *m = &link_settings[LINK_MASTER];

		if (link_has(m, l))
			return usage_err(p, "options --master and --nomaster conflict");
		l->has_master = true;
		memset(&l->master, 0, sizeof(l->master));
		return 0;
	}
	}
	return -1;
}

static int parse_user_opt(struct parsed *p, const struct optitem *it, struct id_spec *id, const char *what)
{
	if (id->set)
		return opt_twice(p, it);
	if (!parse_id(it->val, id))
		return usage_err(p, "invalid %s \"%s\"", what, it->val);
	return 0;
}

static int add_opt(struct parsed *p, const struct optitem *it, void *arg)
{
	struct add_req *r = arg;
	char err[ERRLEN];

	switch (it->def->id) {
	case O_MODE:
		return parse_mode_opt(p, it, &r->mode);
	case O_USER:
		return parse_user_opt(p, it, &r->user, "user");
	case O_GROUP:
		return parse_user_opt(p, it, &r->group, "group");
	case O_ADDR: {
		struct addr_spec a = { 0 };

		if (!parse_prefix(it->val, false, false, &a.local, err, sizeof(err)))
			return usage_err(p, "--addr: %s", err);
		if (vec_append((void **)&r->addrs, &r->naddrs, &a, sizeof(a)))
			return oom_err(p);
		return 0;
	}
	case O_PEER: {
		struct addr_spec *a = r->naddrs ? &r->addrs[r->naddrs - 1] : NULL;

		if (!a)
			return usage_err(p, "--peer \"%s\" must follow the --addr it belongs to", it->val);
		if (a->has_peer)
			return usage_err(p, "--peer \"%s\": that --addr has a peer already", it->val);
		if (!parse_ipaddr(it->val, a->local.addr.family, &a->peer))
			return usage_err(p, "--peer \"%s\" is not an address of the --addr's family", it->val);
		a->has_peer = true;
		return 0;
	}
	case O_ROUTE: {
		struct route_spec rt = { 0 };

		if (!parse_route(it->val, &rt, err, sizeof(err)))
			return usage_err(p, "--route: %s", err);
		if (vec_append((void **)&r->routes, &r->nroutes, &rt, sizeof(rt)))
			return oom_err(p);
		return 0;
	}
	default:
		return parse_link_opt(p, it, &r->link);
	}
}

int parse_add(struct parsed *p, struct request *req)
{
	struct add_req *r = &req->u.add;
	int rc;

	if ((rc = need_name(p, 0, &r->name, true)) || (rc = no_more(p, 1)) ||
	    (rc = each_opt(p, r, add_opt, r)))
		return rc;
	if (r->mode == MODE_ANY)
		r->mode = MODE_TUN;
	if (r->any_user && (r->user.set || r->group.set))
		return usage_err(p, "--any-user conflicts with --user and --group");
	if (r->link.has_mac && r->mode != MODE_TAP) {
		char mac[18];

		format_mac(r->link.mac, mac);
		return usage_err(p, "--mac %s needs --mode tap: a tun device has no MAC address", mac);
	}
	for (size_t i = 0; r->link.has_mtu && r->link.mtu < 1280 && i < r->naddrs; i++) {
		char a[INET6_ADDRSTRLEN + 8];

		if (r->addrs[i].local.addr.family == AF_INET6)
			return usage_err(p, "--addr %s needs an MTU of at least 1280 (IPv6's minimum), not --mtu %u",
					 format_prefix(&r->addrs[i].local, a, sizeof(a)), (unsigned)r->link.mtu);
	}
	/* What the kernel can never keep (it drops a down link's routes, and
	 * IPv6 from a link under 1280 bytes): refused here, so that apply
	 * does not report such a line as done. */
	for (size_t i = 0; i < r->nroutes; i++) {
		char rt[256];

		format_route(&r->routes[i], rt, sizeof(rt));
		if (r->link.set_updown && !r->link.up)
			return usage_err(p, "--route \"%s\" cannot go with --down: the kernel keeps no route through a "
					 "device that is down (drop --down, or the route)", rt);
		if (r->link.has_mtu && r->link.mtu < 1280 && r->routes[i].dst.addr.family == AF_INET6)
			return usage_err(p, "--route \"%s\" needs an MTU of at least 1280 (IPv6's minimum), not --mtu %u",
					 rt, (unsigned)r->link.mtu);
	}
	if (!r->link.set_updown) {
		r->link.set_updown = true;
		r->link.up = true;
	}
	return 0;
}

void free_add(struct request *req)
{
	free(req->u.add.addrs);
	free(req->u.add.routes);
	req->u.add.addrs = NULL;
	req->u.add.routes = NULL;
}

struct named {
	const char *name;
	int pos;
};

static int by_name_then_pos(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* The position of the first word of v[0..n) that repeats an earlier one
 * (the second of the earliest pair to complete), -1 if none, -2 out of
 * memory: sorted, so n log n for the 100,000 names of a big del. */
static int first_repeat(char *const *v, int n)
{
	struct named *s = malloc(((size_t)n + 1) * sizeof(*s));
	int first = -1;

	if (!s)
		return -2;
	for (int i = 0; i < n; i++)
		s[i] = (struct named){ v[i], i };
	qsort(s, (size_t)n, sizeof(*s), by_name_then_pos);
	/* In a run of equal names, the second is where the repeat shows. */
	for (int i = 1; i < n; i++)
		if (!strcmp(s[i].name, s[i - 1].name) && (i < 2 || strcmp(s[i - 1].name, s[i - 2].name)) &&
		    (first < 0 || s[i].pos < first))
			first = s[i].pos;
	free(s);
	return first;
}

/* The options that are no flags: --mode. */
static int mode_opt(struct parsed *p, const struct optitem *it, void *mode)
{
	return parse_mode_opt(p, it, mode);
}

int parse_del(struct parsed *p, struct request *req)
{
	struct del_req *r = &req->u.del;
	char err[ERRLEN];
	int rc, bad, dup;

	if ((rc = each_opt(p, r, mode_opt, &r->mode)))
		return rc;
	if (r->all && p->npos)
		return usage_err(p, "--all deletes every device: \"%s\" is not expected with it", p->pos[0]);
	if (r->unused && (r->all || r->force))
		return usage_err(p, "--unused deletes only devices no process holds: not with %s",
				 r->all ? "--all" : "--force");
	if (!r->all && !r->unused && r->mode != MODE_ANY)
		return usage_err(p, "--mode goes with --all or --unused");
	if (r->unused) {
		/* Patterns: as names, but a pattern may be given twice. */
		for (int i = 0; i < p->npos; i++)
			if (!*p->pos[i] || strchr(p->pos[i], '/'))
				return usage_err(p, "invalid pattern \"%s\" (a device name, with * ? [...] as in tap*)",
						 p->pos[i]);
	}
	if (!r->all && !r->unused && !p->npos)
		return usage_err(p, "\"del\" needs a device name (or --all)");
	for (bad = r->unused ? p->npos : 0; bad < p->npos && parse_ifname(p->pos[bad], false, err, sizeof(err)); bad++)
		;
	/* The first error in the order of the names, as a check of each name
	 * against those before it would find it: a repeat before bad wins. */
	if ((dup = first_repeat(p->pos, r->unused ? 0 : bad)) == -2)
		return oom_err(p);
	if (dup >= 0)
		return usage_err(p, "device \"%s\" is named twice", p->pos[dup]);
	if (bad < p->npos)
		return usage_err(p, "%s", err);
	r->names = malloc(((size_t)p->npos + 1) * sizeof(*r->names));
	if (!r->names)
		return oom_err(p);
	memcpy(r->names, p->pos, (size_t)p->npos * sizeof(*r->names));
	r->nnames = (size_t)p->npos;
	return 0;
}

void free_del(struct request *req)
{
	free(req->u.del.names);
	req->u.del.names = NULL;
}

int parse_list(struct parsed *p, struct request *req)
{
	int rc;

	if ((rc = each_opt(p, &req->u.list, mode_opt, &req->u.list.mode)))
		return rc;
	return no_more(p, 0);
}

int parse_show(struct parsed *p, struct request *req)
{
	int rc;

	/* Without a name: every device. */
	if (p->npos && (rc = need_name(p, 0, &req->u.show.name, false)))
		return rc;
	return no_more(p, 1);
}

static int set_opt(struct parsed *p, const struct optitem *it, void *arg)
{
	struct set_req *r = arg;
	char err[ERRLEN];

	switch (it->def->id) {
	case O_USER:
		return parse_user_opt(p, it, &r->user, "user");
	case O_GROUP:
		return parse_user_opt(p, it, &r->group, "group");
	case O_NETNS:
		if (r->netns)
			return opt_twice(p, it);
		if (!parse_netns_name(it->val, err, sizeof(err)))
			return usage_err(p, "%s", err);
		r->netns = it->val;
		return 0;
	case O_RENAME:
		if (r->rename)
			return opt_twice(p, it);
		if (!parse_ifname(it->val, false, err, sizeof(err)))
			return usage_err(p, "--name: %s", err);
		r->rename = it->val;
		return 0;
	default:
		return parse_link_opt(p, it, &r->link);
	}
}

int parse_set(struct parsed *p, struct request *req)
{
	struct set_req *r = &req->u.set;
	int rc;

	if ((rc = need_name(p, 0, &r->name, false)) || (rc = no_more(p, 1)) ||
	    (rc = each_opt(p, r, set_opt, r)))
		return rc;
	if (r->user.set && r->no_user)
		return usage_err(p, "--user conflicts with --no-user");
	if (r->group.set && r->no_group)
		return usage_err(p, "--group conflicts with --no-group");
	if (!r->user.set && !r->group.set && !r->no_user && !r->no_group && !r->netns &&
	    !r->rename && !link_any(&r->link))
		return usage_err(p, "\"set %s\" needs something to set (see tunctl set --help)", r->name);
	return 0;
}

static int save_opt(struct parsed *p, const struct optitem *it, void *arg)
{
	struct save_req *r = arg;
	char err[ERRLEN];

	if (it->def->id != O_KEEP_CONFIG)
		return 0;
	if (!parse_ifname(it->val, false, err, sizeof(err)))
		return usage_err(p, "--keep-config: %s", err);
	for (size_t i = 0; i < r->nkeep; i++)
		if (!strcmp(r->keep[i], it->val))
			return usage_err(p, "--keep-config %s is given twice", it->val);
	r->keep[r->nkeep++] = (char *)it->val;
	return 0;
}

int parse_save(struct parsed *p, struct request *req)
{
	struct save_req *r = &req->u.save;
	char err[ERRLEN];
	int rc;

	for (int i = 0; i < p->npos; i++)
		if (!parse_ifname(p->pos[i], false, err, sizeof(err)))
			return usage_err(p, "%s", err);
	if (p->nitems && !(r->keep = calloc((size_t)p->nitems, sizeof(*r->keep))))
		return oom_err(p);
	if ((rc = each_opt(p, r, save_opt, r)))
		return rc;
	if (!p->npos)
		return 0;
	if (!(r->names = malloc((size_t)p->npos * sizeof(*r->names))))
		return oom_err(p);
	memcpy(r->names, p->pos, (size_t)p->npos * sizeof(*r->names));
	r->nnames = (size_t)p->npos;
	return 0;
}

void free_save(struct request *req)
{
	free(req->u.save.names);
	free(req->u.save.keep);
	req->u.save.names = NULL;
	req->u.save.keep = NULL;
}
