/* args_ops.c - pure: the parsers of the commands that work on one device's
 * addresses, routes and queues (addr, route, attach, run), of apply and of
 * help. */
#include "config.h"

#include <string.h>

#include "args.h"

static int parse_op(struct parsed *p, enum op *op, bool allow_flush)
{
	const char *w;

	if (p->npos < 1)
		return usage_err(p, allow_flush ? "\"%s\" needs add, replace, del or flush" :
				 "\"%s\" needs add, replace or del", p->cmd);
	w = p->pos[0];
	if (!strcmp(w, "add"))
		*op = OP_ADD;
	else if (!strcmp(w, "replace"))
		*op = OP_REPLACE;
	else if (!strcmp(w, "del") || !strcmp(w, "delete"))
		*op = OP_DEL;
	else if (allow_flush && !strcmp(w, "flush"))
		*op = OP_FLUSH;
	else
		return usage_err(p, allow_flush ? "unknown action \"%s\" (use add, replace, del or flush)" :
				 "unknown action \"%s\" (use add, replace or del)", w);
	return 0;
}

/* --exist-ok goes with add only: replace never fails for one that is
 * there, and del and flush have nothing to add. */
static int exist_ok_only_add(struct parsed *p, enum op op, bool exist_ok)
{
	if (exist_ok && op != OP_ADD)
		return usage_err(p, "--exist-ok goes with \"%s add\"%s", p->cmd,
				 op == OP_REPLACE ? " (replace succeeds when it is there already)" : "");
	return 0;
}

static int addr_opt(struct parsed *p, const struct optitem *it, void *arg)
{
	const char **peer = arg;

	if (it->def->id == O_PEER) {
		if (*peer)
			return opt_twice(p, it);
		*peer = it->val;
	}
	return 0;
}

int parse_addr(struct parsed *p, struct request *req)
{
	struct addr_req *r = &req->u.addr;
	const char *peer = NULL;
	char err[ERRLEN];
	int rc;

	if ((rc = each_opt(p, r, addr_opt, &peer)) || (rc = parse_op(p, &r->op, true)) ||
	    (rc = need_name(p, 1, &r->name, false)) || (rc = exist_ok_only_add(p, r->op, r->exist_ok)))
		return rc;
	if (r->op == OP_FLUSH) {
		if (peer)
			return usage_err(p, "--peer does not go with flush");
		return no_more(p, 2);
	}
	if (p->npos < 3)
		return usage_err(p, "\"addr %s\" needs an address (CIDR)", p->pos[0]);
	if (!parse_prefix(p->pos[2], false, false, &r->addr.local, err, sizeof(err)))
		return usage_err(p, "%s", err);
	if (peer) {
		if (!parse_ipaddr(peer, r->addr.local.addr.family, &r->addr.peer))
			return usage_err(p, "--peer \"%s\" is not an address of the address's family", peer);
		r->addr.has_peer = true;
	}
	return no_more(p, 3);
}

int parse_route_cmd(struct parsed *p, struct request *req)
{
	struct route_req *r = &req->u.route;
	char err[ERRLEN];
	bool ok;
	int rc;

	if ((rc = each_opt(p, r, NULL, NULL)) || (rc = parse_op(p, &r->op, false)) ||
	    (rc = need_name(p, 1, &r->name, false)) || (rc = exist_ok_only_add(p, r->op, r->exist_ok)))
		return rc;
	if (p->npos < 3)
		return usage_err(p, "\"route %s\" needs a route (PREFIX [via GW] [metric N] [table ID])", p->pos[0]);
	if (p->npos == 3)
		ok = parse_route(p->pos[2], &r->route, err, sizeof(err));
	else
		ok = parse_route_words(p->npos - 2, p->pos + 2, &r->route, err, sizeof(err));
	if (!ok)
		return usage_err(p, "%s", err);
	return 0;
}

static int attach_opt(struct parsed *p, const struct optitem *it, void *arg)
{
	struct attach_req *r = arg;

	switch (it->def->id) {
	case O_COUNT:
		if (r->has_count)
			return opt_twice(p, it);
		if (!parse_u64(it->val, &r->count) || r->count == 0)
			return usage_err(p, "invalid --count \"%s\" (a number of packets, at least 1)", it->val);
		r->has_count = true;
		return 0;
	case O_PCAP:
		/* tokenize refuses an empty value: pcap is set once seen. */
		if (r->pcap)
			return opt_twice(p, it);
		if (!*it->val)
			return usage_err(p, "--pcap needs a file name");
		r->pcap = it->val;
		return 0;
	}
	return 0;
}

int parse_attach(struct parsed *p, struct request *req)
{
	struct attach_req *r = &req->u.attach;
	int rc;

	if ((rc = need_name(p, 0, &r->name, false)) || (rc = no_more(p, 1)))
		return rc;
	return each_opt(p, r, attach_opt, r);
}

struct run_state {
	struct run_req *r;
	bool seen_queues, seen_fd;
};

/* --X or --no-X into *v (1 or 0), once. */
static int run_flag(struct parsed *p, const struct optitem *it, int *v, bool on, const char *name)
{
	if (*v >= 0 && *v != on)
		return usage_err(p, "options --%s and --no-%s conflict", name, name);
	if (*v >= 0)
		return opt_twice(p, it);
	*v = on;
	return 0;
}

static int run_opt(struct parsed *p, const struct optitem *it, void *arg)
{
	struct run_state *s = arg;

	switch (it->def->id) {
	case O_QUEUES:
		if (s->seen_queues)
			return opt_twice(p, it);
		s->seen_queues = true;
		if (!parse_u32(it->val, 1, 256, &s->r->queues))
			return usage_err(p, "invalid --queues \"%s\" (a number of queues from 1 to 256)", it->val);
		return 0;
	case O_FD:
		if (s->seen_fd)
			return opt_twice(p, it);
		s->seen_fd = true;
		if (!parse_u32(it->val, 3, 65535, &s->r->first_fd))
			return usage_err(p, "invalid --fd \"%s\" (the first descriptor, from 3 to 65535; 0-2 are "
					 "standard input, output and error)", it->val);
		return 0;
	case O_PI:
	case O_NO_PI:
		return run_flag(p, it, &s->r->pi, it->def->id == O_PI, "pi");
	case O_VNET_HDR:
	case O_NO_VNET_HDR:
		return run_flag(p, it, &s->r->vnet_hdr, it->def->id == O_VNET_HDR, "vnet-hdr");
	}
	return 0;
}

int parse_run(struct parsed *p, struct request *req)
{
	struct run_req *r = &req->u.run;
	struct run_state s = { .r = r };
	int rc, words = p->dashdash < 0 ? p->npos : p->dashdash;

	r->queues = 1;
	r->first_fd = 3;
	r->pi = r->vnet_hdr = -1;
	if ((rc = need_name(p, 0, &r->name, false)))
		return rc;
	if (p->dashdash < 0 && words > 1)
		return usage_err(p, "\"run\" needs \"--\" before the command: tunctl run %s -- %s ...",
				 r->name, p->pos[1]);
	if (words > 1)
		return usage_err(p, "unexpected argument \"%s\" before \"--\" (tunctl run NAME [OPTIONS] -- COMMAND)",
				 p->pos[1]);
	if (p->dashdash < 0)
		return usage_err(p, "\"run\" needs \"--\" and a command: tunctl run NAME -- COMMAND [ARGS...]");
	if (p->dashdash >= p->npos)
		return usage_err(p, "\"run\" needs a command after \"--\"");
	if ((rc = each_opt(p, r, run_opt, &s)))
		return rc;
	r->argv = p->tail;
	return 0;
}

int parse_apply(struct parsed *p, struct request *req)
{
	struct apply_req *r = &req->u.apply;
	int rc;

	if (!p->npos)
		return usage_err(p, "\"apply\" needs a file (- for standard input)");
	if ((rc = no_more(p, 1)))
		return rc;
	r->file = p->pos[0];
	/* All its options are flags. */
	if ((rc = each_opt(p, r, NULL, NULL)))
		return rc;
	if (r->force && !r->prune)
		return usage_err(p, "--force goes with --prune (delete held devices too)");
	return 0;
}

int parse_help(struct parsed *p, struct request *req)
{
	if (p->npos == 0)
		return 0;
	req->u.help.topic = cmd_lookup(p->pos[0]);
	if (req->u.help.topic == CMD_NONE) {
		const char *near = nearest_cmd(p->pos[0]);

		if (near)
			return usage_err(p, "unknown command \"%s\"; did you mean \"%s\"?", p->pos[0], near);
		return usage_err(p, "unknown command \"%s\" (see tunctl --help)", p->pos[0]);
	}
	return no_more(p, 1);
}
