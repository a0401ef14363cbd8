/* cmdline.c - pure: the option tokenizer and each command's request parser. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmdline.h"
#include "vec.h"

enum opt_id {
	O_JSON = 1, O_HELP, O_VERSION, O_NETNS, O_BATCH, O_FORCE,
	O_MODE, O_USER, O_GROUP, O_ANY_USER, O_PI, O_VNET_HDR, O_MULTI_QUEUE,
	O_ADDR, O_PEER, O_ROUTE, O_MTU, O_MAC, O_TXQLEN, O_UP, O_DOWN, O_EXIST_OK,
	O_ALL, O_NO_USER, O_NO_GROUP, O_COUNT, O_HEX, O_PCAP, O_ECHO,
	O_QUEUES, O_FD, O_DRY_RUN, O_PRUNE, O_RECREATE, O_YES,
};

struct optdef {
	const char *name;
	int has_arg;
	int id;
	char short_name;
};

struct optitem {
	const struct optdef *def;
	const char *val;
};

/* Accepted before the command only. */
static const struct optdef global_opts[] = {
	{ "json", no_argument, O_JSON, 'j' },
	{ "help", no_argument, O_HELP, 'h' },
	{ "version", no_argument, O_VERSION, 'V' },
	{ "netns", required_argument, O_NETNS, 'n' },
	{ "batch", required_argument, O_BATCH, 'b' },
	{ "force", no_argument, O_FORCE, 0 },
	{ NULL, 0, 0, 0 }
};

/* Accepted after the command too. */
static const struct optdef late_global_opts[] = {
	{ "json", no_argument, O_JSON, 'j' },
	{ "help", no_argument, O_HELP, 'h' },
	{ NULL, 0, 0, 0 }
};

static const struct optdef add_opts[] = {
	{ "mode", required_argument, O_MODE, 0 },
	{ "user", required_argument, O_USER, 0 },
	{ "group", required_argument, O_GROUP, 0 },
	{ "any-user", no_argument, O_ANY_USER, 0 },
	{ "pi", no_argument, O_PI, 0 },
	{ "vnet-hdr", no_argument, O_VNET_HDR, 0 },
	{ "multi-queue", no_argument, O_MULTI_QUEUE, 0 },
	{ "addr", required_argument, O_ADDR, 0 },
	{ "peer", required_argument, O_PEER, 0 },
	{ "route", required_argument, O_ROUTE, 0 },
	{ "mtu", required_argument, O_MTU, 0 },
	{ "mac", required_argument, O_MAC, 0 },
	{ "txqueuelen", required_argument, O_TXQLEN, 0 },
	{ "down", no_argument, O_DOWN, 0 },
	{ "exist-ok", no_argument, O_EXIST_OK, 0 },
	{ NULL, 0, 0, 0 }
};

static const struct optdef del_opts[] = {
	{ "all", no_argument, O_ALL, 0 },
	{ "mode", required_argument, O_MODE, 0 },
	{ "force", no_argument, O_FORCE, 0 },
	{ NULL, 0, 0, 0 }
};

static const struct optdef list_opts[] = {
	{ "mode", required_argument, O_MODE, 0 },
	{ NULL, 0, 0, 0 }
};

static const struct optdef no_opts[] = {
	{ NULL, 0, 0, 0 }
};

static const struct optdef set_opts[] = {
	{ "user", required_argument, O_USER, 0 },
	{ "no-user", no_argument, O_NO_USER, 0 },
	{ "group", required_argument, O_GROUP, 0 },
	{ "no-group", no_argument, O_NO_GROUP, 0 },
	{ "up", no_argument, O_UP, 0 },
	{ "down", no_argument, O_DOWN, 0 },
	{ "mtu", required_argument, O_MTU, 0 },
	{ "mac", required_argument, O_MAC, 0 },
	{ "txqueuelen", required_argument, O_TXQLEN, 0 },
	{ "netns", required_argument, O_NETNS, 0 },
	{ "yes", no_argument, O_YES, 0 },
	{ NULL, 0, 0, 0 }
};

static const struct optdef addr_opts[] = {
	{ "peer", required_argument, O_PEER, 0 },
	{ NULL, 0, 0, 0 }
};

static const struct optdef attach_opts[] = {
	{ "count", required_argument, O_COUNT, 0 },
	{ "hex", no_argument, O_HEX, 0 },
	{ "pcap", required_argument, O_PCAP, 0 },
	{ "echo", no_argument, O_ECHO, 0 },
	{ NULL, 0, 0, 0 }
};

static const struct optdef run_opts[] = {
	{ "queues", required_argument, O_QUEUES, 0 },
	{ "fd", required_argument, O_FD, 0 },
	{ NULL, 0, 0, 0 }
};

static const struct optdef apply_opts[] = {
	{ "dry-run", no_argument, O_DRY_RUN, 0 },
	{ "prune", no_argument, O_PRUNE, 0 },
	{ "recreate", no_argument, O_RECREATE, 0 },
	{ "force", no_argument, O_FORCE, 0 },
	{ NULL, 0, 0, 0 }
};

struct parsed {
	struct optitem *items;
	int nitems;
	char **pos;
	int npos;
	int dashdash;           /* pos[dashdash..] came after "--"; -1: no "--" */
	char **tail;            /* the argv words after "--", NULL-ended */
	const char *cmd;
	char *err;
	size_t errlen;
	int bad;                /* the index of the word tokenize refused, or -1 */
};

typedef int (*parse_fn)(struct parsed *p, struct request *req);

static int usage_err(struct parsed *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_err(struct parsed *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return 2;
}

/* Out of memory is no fault of the input: the operation failed, 1. */
static int oom_err(struct parsed *p)
{
	snprintf(p->err, p->errlen, "out of memory");
	return 1;
}

static const struct optdef *find_long(const struct optdef *defs, const char *name, size_t len)
{
	for (; defs && defs->name; defs++)
		if (strlen(defs->name) == len && !strncmp(defs->name, name, len))
			return defs;
	return NULL;
}

static const struct optdef *find_short(const struct optdef *defs, char c)
{
	for (; defs && defs->name; defs++)
		if (defs->short_name && defs->short_name == c)
			return defs;
	return NULL;
}

/* What an option's value must be, for the message when it is empty. */
static const char *value_kind(int id)
{
	switch (id) {
	case O_USER: return "a user name or uid";
	case O_GROUP: return "a group name or gid";
	case O_MODE: return "tun or tap";
	case O_NETNS: return "a network namespace name";
	case O_BATCH: return "a file name (- for standard input)";
	case O_ADDR: return "an address (CIDR)";
	case O_PEER: return "an address";
	case O_ROUTE: return "a route (PREFIX [via GW] [metric N] [table ID])";
	case O_MAC: return "a MAC address";
	case O_PCAP: return "a file name";
	default: return "a number";
	}
}

/* Names users bring from iproute2 for options tunctl spells otherwise. */
static const struct { const char *from, *to; } opt_aliases[] = {
	{ "txqlen", "txqueuelen" },
	{ "address", "mac" },
};

/* The option of defs or globals nearest to the unknown --name (len bytes
 * of it), or NULL. */
static const char *nearest_opt(const struct optdef *defs, const struct optdef *globals,
			       const char *name, size_t len)
{
	const char *cands[64];
	char w[EDIT_MAX + 1];
	size_t n = 0;

	if (len > EDIT_MAX)
		return NULL;
	memcpy(w, name, len);
	w[len] = '\0';
	for (const struct optdef *d = defs; d && d->name && n < 64; d++)
		cands[n++] = d->name;
	for (const struct optdef *d = globals; d && d->name && n < 64; d++)
		cands[n++] = d->name;
	for (size_t i = 0; i < sizeof(opt_aliases) / sizeof(opt_aliases[0]); i++)
		if (!strcmp(w, opt_aliases[i].from) &&
		    (find_long(defs, opt_aliases[i].to, strlen(opt_aliases[i].to)) ||
		     find_long(globals, opt_aliases[i].to, strlen(opt_aliases[i].to))))
			return opt_aliases[i].to;
	return nearest_word(w, cands, n);
}

static void apply_global(struct globals *g, const struct optdef *d, const char *val)
{
	switch (d->id) {
	case O_JSON: g->json = true; break;
	case O_HELP: g->help = true; break;
	case O_VERSION: g->version = true; break;
	case O_NETNS: g->netns = val; break;
	case O_BATCH: g->batch = val; break;
	case O_FORCE: g->force = true; break;
	}
}

/* Splits argv[0..argc) into options (of defs, or of the globals) and
 * positional words.  stop_at_word: stop at the first positional word
 * (used for the options before the command). Returns the index reached. */
static int tokenize(int argc, char **argv, const struct optdef *defs,
		    const struct optdef *globals, struct globals *g, bool stop_at_word,
		    struct parsed *p)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct optdef *d = NULL;
		const char *near;
		bool is_global = false;

		if (a[0] != '-' || !a[1]) {
			if (stop_at_word)
				return i;
			p->pos[p->npos++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			if (stop_at_word)
				return i + 1;
			p->dashdash = p->npos;
			p->tail = argv + i + 1;
			while (++i < argc)
				p->pos[p->npos++] = argv[i];
			break;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			d = find_long(defs, name, len);
			if (!d && (d = find_long(globals, name, len)))
				is_global = true;
			if (!d)
				goto unknown;
			if (eq) {
				if (d->has_arg == no_argument) {
					snprintf(p->err, p->errlen, "option --%s takes no value", d->name);
					return -1;
				}
				val = eq + 1;
			}
		} else {
			d = find_short(defs, a[1]);
			if (!d && (d = find_short(globals, a[1])))
				is_global = true;
			if (!d)
				goto unknown;
			if (a[2]) {
				if (d->has_arg == no_argument)
					goto unknown;
				val = a + 2;
			}
		}
		if (d->has_arg == required_argument && !val) {
			if (i + 1 >= argc) {
				snprintf(p->err, p->errlen, "option --%s needs a value", d->name);
				return -1;
			}
			val = argv[++i];
		}
		if (d->has_arg == required_argument && !*val) {
			/* A variable that expanded to nothing: "--user $USER". */
			if (a[1] == '-')
				snprintf(p->err, p->errlen, "--%s needs %s; \"\" is empty%s", d->name,
					 value_kind(d->id), d->id == O_USER ? " (is $USER set?)" : "");
			else
				snprintf(p->err, p->errlen, "-%c needs %s; \"\" is empty", d->short_name,
					 value_kind(d->id));
			p->bad = i;
			return -1;
		}
		if (is_global)
			apply_global(g, d, val);
		else {
			p->items[p->nitems].def = d;
			p->items[p->nitems].val = val;
			p->nitems++;
		}
		continue;
unknown:
		p->bad = i;
		if (a[1] == '-' && (near = nearest_opt(defs, globals, a + 2, strcspn(a + 2, "=")))) {
			if (p->cmd)
				snprintf(p->err, p->errlen, "unknown option \"%s\" for \"%s\"; did you mean \"--%s\"?",
					 a, p->cmd, near);
			else
				snprintf(p->err, p->errlen, "unknown option \"%s\"; did you mean \"--%s\"?", a, near);
		} else if (p->cmd) {
			snprintf(p->err, p->errlen, "unknown option \"%s\" for \"%s\" (see tunctl %s --help)",
				 a, p->cmd, p->cmd);
		} else {
			snprintf(p->err, p->errlen, "unknown option \"%s\" (see tunctl --help)", a);
		}
		return -1;
	}
	return i;
}

/* Options that may be given once only. */
static int once(struct parsed *p, bool *seen, const struct optdef *d)
{
	if (*seen)
		return usage_err(p, "option --%s is given twice", d->name);
	*seen = true;
	return 0;
}

static int parse_link_opt(struct parsed *p, const struct optitem *it, struct link_spec *l)
{
	char err[ERRLEN];

	switch (it->def->id) {
	case O_MTU:
		if (l->has_mtu)
			return usage_err(p, "option --%s is given twice", it->def->name);
		if (!parse_u32(it->val, 1, UINT32_MAX, &l->mtu))
			return usage_err(p, "invalid MTU \"%s\" (a number from 1 to 4294967295)", it->val);
		l->has_mtu = true;
		return 0;
	case O_TXQLEN:
		if (l->has_txqlen)
			return usage_err(p, "option --%s is given twice", it->def->name);
		if (!parse_u32(it->val, 0, UINT32_MAX, &l->txqlen))
			return usage_err(p, "invalid txqueuelen \"%s\" (a number from 0 to 4294967295)", it->val);
		l->has_txqlen = true;
		return 0;
	case O_MAC:
		if (l->has_mac)
			return usage_err(p, "option --%s is given twice", it->def->name);
		if (!parse_mac(it->val, l->mac, err, sizeof(err)))
			return usage_err(p, "%s", err);
		l->has_mac = true;
		return 0;
	case O_UP:
	case O_DOWN:
		if (l->set_updown && l->up != (it->def->id == O_UP))
			return usage_err(p, "%s", "options --up and --down conflict");
		l->set_updown = true;
		l->up = it->def->id == O_UP;
		return 0;
	}
	return -1;
}

static int parse_user_opt(struct parsed *p, const struct optitem *it, struct id_spec *id, const char *what)
{
	if (id->set)
		return usage_err(p, "option --%s is given twice", it->def->name);
	if (!parse_id(it->val, id)) {
		snprintf(p->err, p->errlen, "invalid %s \"%s\"", what, it->val);
		return 2;
	}
	return 0;
}

static int parse_mode_opt(struct parsed *p, const struct optitem *it, enum tun_mode *mode)
{
	char err[ERRLEN];

	if (*mode != MODE_ANY)
		return usage_err(p, "option --%s is given twice", it->def->name);
	if (!parse_mode(it->val, mode, err, sizeof(err)))
		return usage_err(p, "%s", err);
	return 0;
}

static int need_name(struct parsed *p, int idx, const char **name, bool allow_template)
{
	char err[ERRLEN];

	if (idx >= p->npos)
		return usage_err(p, "\"%s\" needs a device name", p->cmd);
	if (!parse_ifname(p->pos[idx], allow_template, err, sizeof(err)))
		return usage_err(p, "%s", err);
	*name = p->pos[idx];
	return 0;
}

static int no_more(struct parsed *p, int idx)
{
	if (idx < p->npos)
		return usage_err(p, "unexpected argument \"%s\"", p->pos[idx]);
	return 0;
}

static int parse_add(struct parsed *p, struct request *req)
{
	struct add_req *r = &req->u.add;
	bool seen_exist = false, seen_any = false;
	bool flag_seen[3] = { false, false, false };
	char err[ERRLEN];
	int rc;

	if ((rc = need_name(p, 0, &r->name, true)) || (rc = no_more(p, 1)))
		return rc;
	for (int i = 0; i < p->nitems; i++) {
		const struct optitem *it = &p->items[i];

		switch (it->def->id) {
		case O_MODE:
			if ((rc = parse_mode_opt(p, it, &r->mode)))
				return rc;
			break;
		case O_USER:
			if ((rc = parse_user_opt(p, it, &r->user, "user")))
				return rc;
			break;
		case O_GROUP:
			if ((rc = parse_user_opt(p, it, &r->group, "group")))
				return rc;
			break;
		case O_ANY_USER:
			if ((rc = once(p, &seen_any, it->def)))
				return rc;
			r->any_user = true;
			break;
		case O_PI:
			if ((rc = once(p, &flag_seen[0], it->def)))
				return rc;
			r->pi = true;
			break;
		case O_VNET_HDR:
			if ((rc = once(p, &flag_seen[1], it->def)))
				return rc;
			r->vnet_hdr = true;
			break;
		case O_MULTI_QUEUE:
			if ((rc = once(p, &flag_seen[2], it->def)))
				return rc;
			r->multi_queue = true;
			break;
		case O_EXIST_OK:
			if ((rc = once(p, &seen_exist, it->def)))
				return rc;
			r->exist_ok = true;
			break;
		case O_ADDR: {
			struct addr_spec a = { 0 };

			if (!parse_prefix(it->val, false, false, &a.local, err, sizeof(err)))
				return usage_err(p, "--addr: %s", err);
			if (vec_append((void **)&r->addrs, &r->naddrs, &a, sizeof(a)))
				return oom_err(p);
			break;
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
			break;
		}
		case O_ROUTE: {
			struct route_spec rt = { 0 };

			if (!parse_route(it->val, &rt, err, sizeof(err)))
				return usage_err(p, "--route: %s", err);
			if (vec_append((void **)&r->routes, &r->nroutes, &rt, sizeof(rt)))
				return oom_err(p);
			break;
		}
		default:
			if ((rc = parse_link_opt(p, it, &r->link)))
				return rc;
		}
	}
	if (r->mode == MODE_ANY)
		r->mode = MODE_TUN;
	if (r->any_user && (r->user.set || r->group.set))
		return usage_err(p, "%s", "--any-user conflicts with --user and --group");
	if (r->link.has_mac && r->mode != MODE_TAP) {
		char mac[18];

		format_mac(r->link.mac, mac);
		return usage_err(p, "--mac %s needs --mode tap: a tun device has no MAC address", mac);
	}
	if (!r->link.set_updown) {
		r->link.set_updown = true;
		r->link.up = true;
	}
	return 0;
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

static int parse_del(struct parsed *p, struct request *req)
{
	struct del_req *r = &req->u.del;
	bool seen_all = false, seen_force = false;
	char err[ERRLEN];
	int rc, bad, dup;

	for (int i = 0; i < p->nitems; i++) {
		const struct optitem *it = &p->items[i];

		switch (it->def->id) {
		case O_ALL:
			if ((rc = once(p, &seen_all, it->def)))
				return rc;
			r->all = true;
			break;
		case O_FORCE:
			if ((rc = once(p, &seen_force, it->def)))
				return rc;
			r->force = true;
			break;
		case O_MODE:
			if ((rc = parse_mode_opt(p, it, &r->mode)))
				return rc;
			break;
		}
	}
	if (r->all && p->npos)
		return usage_err(p, "--all deletes every device: \"%s\" is not expected with it", p->pos[0]);
	if (!r->all && r->mode != MODE_ANY)
		return usage_err(p, "%s", "--mode goes with --all");
	if (!r->all && !p->npos)
		return usage_err(p, "%s", "\"del\" needs a device name (or --all)");
	for (bad = 0; bad < p->npos && parse_ifname(p->pos[bad], false, err, sizeof(err)); bad++)
		;
	/* The first error in the order of the names, as a check of each name
	 * against those before it would find it: a repeat before bad wins. */
	if ((dup = first_repeat(p->pos, bad)) == -2)
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

static int parse_list(struct parsed *p, struct request *req)
{
	int rc;

	for (int i = 0; i < p->nitems; i++)
		if ((rc = parse_mode_opt(p, &p->items[i], &req->u.list.mode)))
			return rc;
	return no_more(p, 0);
}

static int parse_show(struct parsed *p, struct request *req)
{
	int rc;

	/* Without a name: every device. */
	if (p->npos && (rc = need_name(p, 0, &req->u.show.name, false)))
		return rc;
	return no_more(p, 1);
}

static int parse_set(struct parsed *p, struct request *req)
{
	struct set_req *r = &req->u.set;
	bool seen_nu = false, seen_ng = false, seen_yes = false;
	char err[ERRLEN];
	int rc;

	if ((rc = need_name(p, 0, &r->name, false)) || (rc = no_more(p, 1)))
		return rc;
	for (int i = 0; i < p->nitems; i++) {
		const struct optitem *it = &p->items[i];

		switch (it->def->id) {
		case O_USER:
			if ((rc = parse_user_opt(p, it, &r->user, "user")))
				return rc;
			break;
		case O_GROUP:
			if ((rc = parse_user_opt(p, it, &r->group, "group")))
				return rc;
			break;
		case O_NO_USER:
			if ((rc = once(p, &seen_nu, it->def)))
				return rc;
			r->no_user = true;
			break;
		case O_NO_GROUP:
			if ((rc = once(p, &seen_ng, it->def)))
				return rc;
			r->no_group = true;
			break;
		case O_YES:
			if ((rc = once(p, &seen_yes, it->def)))
				return rc;
			r->yes = true;
			break;
		case O_NETNS:
			if (r->netns)
				return usage_err(p, "option --%s is given twice", it->def->name);
			if (!parse_netns_name(it->val, err, sizeof(err)))
				return usage_err(p, "%s", err);
			r->netns = it->val;
			break;
		default:
			if ((rc = parse_link_opt(p, it, &r->link)))
				return rc;
		}
	}
	if (r->user.set && r->no_user)
		return usage_err(p, "%s", "--user conflicts with --no-user");
	if (r->group.set && r->no_group)
		return usage_err(p, "%s", "--group conflicts with --no-group");
	if (!r->user.set && !r->group.set && !r->no_user && !r->no_group && !r->netns &&
	    !r->link.set_updown && !r->link.has_mtu && !r->link.has_mac && !r->link.has_txqlen)
		return usage_err(p, "\"set %s\" needs something to set (see tunctl set --help)", r->name);
	return 0;
}

static int parse_op(struct parsed *p, enum op *op, bool allow_flush)
{
	const char *w;

	if (p->npos < 1)
		return usage_err(p, allow_flush ? "\"%s\" needs add, del or flush" : "\"%s\" needs add or del", p->cmd);
	w = p->pos[0];
	if (!strcmp(w, "add"))
		*op = OP_ADD;
	else if (!strcmp(w, "del") || !strcmp(w, "delete"))
		*op = OP_DEL;
	else if (allow_flush && !strcmp(w, "flush"))
		*op = OP_FLUSH;
	else
		return usage_err(p, allow_flush ? "unknown action \"%s\" (use add, del or flush)" :
				 "unknown action \"%s\" (use add or del)", w);
	return 0;
}

static int parse_addr(struct parsed *p, struct request *req)
{
	struct addr_req *r = &req->u.addr;
	const char *peer = NULL;
	char err[ERRLEN];
	int rc;

	if ((rc = parse_op(p, &r->op, true)) || (rc = need_name(p, 1, &r->name, false)))
		return rc;
	for (int i = 0; i < p->nitems; i++) {
		if (peer)
			return usage_err(p, "option --%s is given twice", "peer");
		peer = p->items[i].val;
	}
	if (r->op == OP_FLUSH) {
		if (peer)
			return usage_err(p, "%s", "--peer does not go with flush");
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

static int parse_route_cmd(struct parsed *p, struct request *req)
{
	struct route_req *r = &req->u.route;
	char err[ERRLEN];
	bool ok;
	int rc;

	if ((rc = parse_op(p, &r->op, false)) || (rc = need_name(p, 1, &r->name, false)))
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

static int parse_attach(struct parsed *p, struct request *req)
{
	struct attach_req *r = &req->u.attach;
	bool seen[3] = { false, false, false };
	int rc;

	if ((rc = need_name(p, 0, &r->name, false)) || (rc = no_more(p, 1)))
		return rc;
	for (int i = 0; i < p->nitems; i++) {
		const struct optitem *it = &p->items[i];

		switch (it->def->id) {
		case O_COUNT:
			if (r->has_count)
				return usage_err(p, "option --%s is given twice", it->def->name);
			if (!parse_u64(it->val, &r->count) || r->count == 0)
				return usage_err(p, "invalid --count \"%s\" (a number of packets, at least 1)", it->val);
			r->has_count = true;
			break;
		case O_HEX:
			if ((rc = once(p, &seen[0], it->def)))
				return rc;
			r->hex = true;
			break;
		case O_ECHO:
			if ((rc = once(p, &seen[1], it->def)))
				return rc;
			r->echo = true;
			break;
		case O_PCAP:
			if ((rc = once(p, &seen[2], it->def)))
				return rc;
			if (!*it->val)
				return usage_err(p, "%s", "--pcap needs a file name");
			r->pcap = it->val;
			break;
		}
	}
	return 0;
}

static int parse_run(struct parsed *p, struct request *req)
{
	struct run_req *r = &req->u.run;
	bool seen[2] = { false, false };
	int rc, words = p->dashdash < 0 ? p->npos : p->dashdash;

	r->queues = 1;
	r->first_fd = 3;
	if ((rc = need_name(p, 0, &r->name, false)))
		return rc;
	if (p->dashdash < 0 && words > 1) {
		snprintf(p->err, p->errlen, "\"run\" needs \"--\" before the command: tunctl run %s -- %s ...",
			 r->name, p->pos[1]);
		return 2;
	}
	if (words > 1)
		return usage_err(p, "unexpected argument \"%s\" before \"--\" (tunctl run NAME [OPTIONS] -- COMMAND)",
				 p->pos[1]);
	if (p->dashdash < 0)
		return usage_err(p, "%s", "\"run\" needs \"--\" and a command: tunctl run NAME -- COMMAND [ARGS...]");
	if (p->dashdash >= p->npos)
		return usage_err(p, "%s", "\"run\" needs a command after \"--\"");
	for (int i = 0; i < p->nitems; i++) {
		const struct optitem *it = &p->items[i];

		switch (it->def->id) {
		case O_QUEUES:
			if ((rc = once(p, &seen[0], it->def)))
				return rc;
			if (!parse_u32(it->val, 1, 256, &r->queues))
				return usage_err(p, "invalid --queues \"%s\" (a number of queues from 1 to 256)", it->val);
			break;
		case O_FD:
			if ((rc = once(p, &seen[1], it->def)))
				return rc;
			if (!parse_u32(it->val, 3, 65535, &r->first_fd))
				return usage_err(p, "invalid --fd \"%s\" (the first descriptor, from 3 to 65535; 0-2 are "
						 "standard input, output and error)", it->val);
			break;
		}
	}
	r->argv = p->tail;
	return 0;
}

static int parse_save(struct parsed *p, struct request *req)
{
	struct save_req *r = &req->u.save;
	char err[ERRLEN];

	for (int i = 0; i < p->npos; i++)
		if (!parse_ifname(p->pos[i], false, err, sizeof(err)))
			return usage_err(p, "%s", err);
	if (!p->npos)
		return 0;
	if (!(r->names = malloc((size_t)p->npos * sizeof(*r->names))))
		return usage_err(p, "%s", "out of memory");
	memcpy(r->names, p->pos, (size_t)p->npos * sizeof(*r->names));
	r->nnames = (size_t)p->npos;
	return 0;
}

static int parse_apply(struct parsed *p, struct request *req)
{
	struct apply_req *r = &req->u.apply;
	bool seen[4] = { false, false, false, false };
	bool *flag[4] = { &r->dry_run, &r->prune, &r->recreate, &r->force };
	int rc;

	if (!p->npos)
		return usage_err(p, "%s", "\"apply\" needs a file (- for standard input)");
	if ((rc = no_more(p, 1)))
		return rc;
	r->file = p->pos[0];
	for (int i = 0; i < p->nitems; i++) {
		const struct optitem *it = &p->items[i];
		int k = it->def->id == O_DRY_RUN ? 0 : it->def->id == O_PRUNE ? 1 :
			it->def->id == O_RECREATE ? 2 : 3;

		if ((rc = once(p, &seen[k], it->def)))
			return rc;
		*flag[k] = true;
	}
	if (r->force && !r->prune)
		return usage_err(p, "%s", "--force goes with --prune (delete held devices too)");
	return 0;
}

static const char *nearest_cmd(const char *w);

static int parse_help(struct parsed *p, struct request *req)
{
	if (p->npos == 0)
		return 0;
	req->u.help.topic = cmd_lookup(p->pos[0]);
	if (req->u.help.topic == CMD_NONE || req->u.help.topic == CMD_CLASSIC) {
		const char *near = nearest_cmd(p->pos[0]);

		if (near) {
			snprintf(p->err, p->errlen, "unknown command \"%s\"; did you mean \"%s\"?", p->pos[0], near);
			return 2;
		}
		return usage_err(p, "unknown command \"%s\" (see tunctl --help)", p->pos[0]);
	}
	return no_more(p, 1);
}

static const struct cmd_spec {
	const char *name;
	const char *alias;
	enum cmd_id id;
	const struct optdef *opts;
	parse_fn parse;
} cmd_specs[] = {
	{ "add", NULL, CMD_ADD, add_opts, parse_add },
	{ "del", "delete", CMD_DEL, del_opts, parse_del },
	{ "list", "ls", CMD_LIST, list_opts, parse_list },
	{ "show", NULL, CMD_SHOW, no_opts, parse_show },
	{ "set", NULL, CMD_SET, set_opts, parse_set },
	{ "addr", "address", CMD_ADDR, addr_opts, parse_addr },
	{ "route", NULL, CMD_ROUTE, no_opts, parse_route_cmd },
	{ "attach", NULL, CMD_ATTACH, attach_opts, parse_attach },
	{ "run", NULL, CMD_RUN, run_opts, parse_run },
	{ "save", NULL, CMD_SAVE, no_opts, parse_save },
	{ "apply", NULL, CMD_APPLY, apply_opts, parse_apply },
	{ "help", NULL, CMD_HELP, no_opts, parse_help },
};

#define NSPECS (sizeof(cmd_specs) / sizeof(cmd_specs[0]))

enum cmd_id cmd_lookup(const char *name)
{
	for (size_t i = 0; i < NSPECS; i++)
		if (!strcmp(cmd_specs[i].name, name) ||
		    (cmd_specs[i].alias && !strcmp(cmd_specs[i].alias, name)))
			return cmd_specs[i].id;
	return CMD_NONE;
}

const char *cmd_name(enum cmd_id id)
{
	for (size_t i = 0; i < NSPECS; i++)
		if (cmd_specs[i].id == id)
			return cmd_specs[i].name;
	return id == CMD_CLASSIC ? "classic" : "tunctl";
}

/* The classic tunctl parsed its options with getopt("bd:f:t:u:g:np"): short
 * options only, bundled ("-bt tap0") or with attached values ("-ttap0"). */
static bool classic_takes_value(char c)
{
	return c == 'd' || c == 'f' || c == 't' || c == 'u' || c == 'g';
}

static bool is_classic_opt(char c)
{
	return classic_takes_value(c) || c == 'b' || c == 'n' || c == 'p';
}

struct classic_iter {
	int argc;
	char **argv;
	int i;                  /* the next word */
	const char *word;       /* the word being read */
	const char *rest;       /* the rest of its bundle, or NULL */
};

#define CLASSIC_WORD 1     /* a word that is no option */
#define CLASSIC_UNKNOWN 2  /* a letter the classic tool did not have */

/* The next classic option, getopt's way.  Returns its letter, with *val its
 * value (NULL if the command line ends first); 0 at the end; CLASSIC_WORD
 * (*val: the word) or CLASSIC_UNKNOWN (*val: the letter, in its bundle). */
static char classic_next(struct classic_iter *it, const char **val)
{
	char c;

	*val = NULL;
	if (!it->rest || !*it->rest) {
		const char *a;

		if (it->i >= it->argc)
			return 0;
		a = it->word = it->argv[it->i++];
		if (a[0] != '-' || !a[1] || !strcmp(a, "--")) {
			*val = a;
			return CLASSIC_WORD;
		}
		it->rest = a + 1;
	}
	c = *it->rest++;
	if (!is_classic_opt(c)) {
		*val = it->rest - 1;
		it->rest = NULL;
		return CLASSIC_UNKNOWN;
	}
	if (classic_takes_value(c)) {
		if (*it->rest)
			*val = it->rest;
		else if (it->i < it->argc)
			*val = it->argv[it->i++];
		it->rest = NULL;
	}
	return c;
}

/* "-nNAME" and "-bFILE" are tunctl's own -n and -b with an attached value
 * when only tunctl's global options and a command follow, or nothing does
 * ("tunctl -nblue list", "tunctl -bdevs.txt --force"); "tunctl -nbt tun3"
 * and "tunctl -nbu1234 -ttun4" are classic. */
static bool tunctl_attached_value(int argc, char **argv)
{
	const char *a = argv[0];

	if ((a[1] != 'n' && a[1] != 'b') || !a[2])
		return false;
	for (int i = 1; i < argc; i++) {
		const struct optdef *d;

		a = argv[i];
		if (a[0] != '-')
			return cmd_lookup(a) != CMD_NONE;
		if (a[1] == '-')
			d = find_long(global_opts, a + 2, strcspn(a + 2, "="));
		else
			d = find_short(global_opts, a[1]);
		if (!d)
			return false;
		if (d->has_arg == required_argument && !strchr(a, '=') && (a[1] == '-' || !a[2]))
			i++;
	}
	return true;
}

/* Classic use is recognised by the options up to the first word that is not
 * one: -t or -d (or -u, -g, -p, -f, which tunctl lacks), or nothing but the
 * flags -b, -n and -p ("tunctl -b"). "tunctl -n blue list" is not classic. */
static bool looks_classic(int argc, char **argv)
{
	struct classic_iter it = { argc, argv, 0, NULL, NULL };
	bool strong = false, all_flags = true;
	const char *val;
	char c;

	if (argc < 1 || argv[0][0] != '-' || !is_classic_opt(argv[0][1]) ||
	    tunctl_attached_value(argc, argv))
		return false;
	while ((c = classic_next(&it, &val)) && c != CLASSIC_WORD && c != CLASSIC_UNKNOWN) {
		if (c != 'b' && c != 'n')
			strong = true;
		if (classic_takes_value(c))
			all_flags = false;
	}
	return strong || (all_flags && !c);
}

static int parse_classic(int argc, char **argv, struct request *req, char *err, size_t errlen)
{
	struct classic_req *r = &req->u.classic;
	struct classic_iter it = { argc, argv, 0, NULL, NULL };
	const char *val;
	char e[ERRLEN], c;

	req->cmd = CMD_CLASSIC;
	r->mode = MODE_TAP;
	while ((c = classic_next(&it, &val))) {
		if (c == CLASSIC_UNKNOWN) {
			if (val == it.word + 1)
				snprintf(err, errlen, "unknown option \"%s\" in classic tunctl mode", it.word);
			else
				snprintf(err, errlen, "unknown option \"-%c\" (in \"%s\") in classic tunctl mode",
					 *val, it.word);
			return 2;
		}
		if (c == CLASSIC_WORD) {
			snprintf(err, errlen, "unexpected argument \"%s\" in classic tunctl mode", val);
			return 2;
		}
		if (classic_takes_value(c) && !val) {
			snprintf(err, errlen, "option -%c needs a value", c);
			return 2;
		}
		switch (c) {
		case 'b':
			r->brief = true;
			break;
		case 'n':
			r->mode = MODE_TUN;
			break;
		case 'p':
			r->mode = MODE_TAP;
			break;
		case 't':
		case 'd':
			if (r->name) {
				snprintf(err, errlen, "device name given twice (\"%s\")", val);
				return 2;
			}
			if (!parse_ifname(val, c == 't', e, sizeof(e))) {
				snprintf(err, errlen, "%s", e);
				return 2;
			}
			r->name = val;
			r->del = c == 'd';
			break;
		case 'u':
		case 'g':
			if (!*val) {
				snprintf(err, errlen, "-%c needs a %s; \"\" is empty%s", c,
					 c == 'u' ? "user name or uid" : "group name or gid",
					 c == 'u' ? " (is $USER set?)" : "");
				return 2;
			}
			if (!parse_id(val, c == 'u' ? &r->user : &r->group)) {
				snprintf(err, errlen, "invalid %s \"%s\"", c == 'u' ? "user" : "group", val);
				return 2;
			}
			break;
		case 'f':
			if (!*val) {
				snprintf(err, errlen, "-f needs the path of the tun clone device");
				return 2;
			}
			r->clone_path = val;
			break;
		}
	}
	/* With -d the classic tool ignored -b, -u, -g, -n and -p; so does classic_run. */
	return 0;
}

/* Hints: for a command line that does not parse, the tunctl form of what was
 * probably meant (an iproute2 habit, swapped arguments, a global option
 * after the command).  Each is checked by parsing it: a hint never
 * suggests what tunctl would refuse. */

static int parse_common(int argc, char **argv, struct request *req, char *err, size_t errlen,
			bool batch, bool hints);

struct words {
	char **w;
	int n, cap;
};

static void add_word(struct words *ws, const char *w)
{
	if (ws->n < ws->cap)
		ws->w[ws->n++] = (char *)w;
}

static void append(char *buf, size_t len, size_t *at, const char *s, size_t n)
{
	while (n-- && *at + 1 < len)
		buf[(*at)++] = *s++;
	buf[*at] = '\0';
}

/* w as it would be typed to a shell: in double quotes if it needs them. */
static void append_shell_word(char *buf, size_t len, size_t *at, const char *w)
{
	if (*w && !w[strcspn(w, " \t\n\"'\\$`|&;<>()*?[]#~!{}")]) {
		append(buf, len, at, w, strlen(w));
		return;
	}
	append(buf, len, at, "\"", 1);
	for (; *w; w++) {
		if (strchr("\"\\$`", *w))
			append(buf, len, at, "\\", 1);
		append(buf, len, at, w, 1);
	}
	append(buf, len, at, "\"", 1);
}

/* Whether ws (a program name first) parses; if so, the command line it
 * forms goes to buf ("tunctl ..."; a batch line without the program). */
static bool try_words(const struct words *ws, bool batch, char *buf, size_t len)
{
	struct request req;
	char e[ERRLEN];
	size_t at = 0;

	if (ws->n >= ws->cap || parse_common(ws->n, ws->w, &req, e, sizeof(e), batch, false))
		return false;
	request_free(&req);
	buf[0] = '\0';
	for (int i = batch ? 1 : 0; i < ws->n; i++) {
		if (i > (batch ? 1 : 0))
			append(buf, len, &at, " ", 1);
		append_shell_word(buf, len, &at, ws->w[i]);
	}
	return true;
}

static bool is_pos(const struct parsed *p, const char *w)
{
	for (int i = 0; i < p->npos; i++)
		if (p->pos[i] == w)
			return true;
	return false;
}

static bool is_route_word(const char *w)
{
	return !strcmp(w, "via") || !strcmp(w, "metric") || !strcmp(w, "table");
}

/* "tunctl list -n NS": -n, -b and -V go before the command. */
static bool hint_late_global(char **argv, int argc, int ci, const struct cmd_spec *spec,
			     const struct parsed *p, struct words *ws, char *err, size_t errlen)
{
	char **args = argv + ci + 1, sugg[ERRLEN];
	int nargs = argc - ci - 1, b = p->bad, take = 1;
	const char *a = args[b];
	const struct optdef *d = NULL;

	if (a[0] != '-' || !a[1])
		return false;
	if (a[1] == '-')
		d = find_long(global_opts, a + 2, strcspn(a + 2, "="));
	else
		d = find_short(global_opts, a[1]);
	if (!d)
		return false;
	if (d->has_arg == required_argument && !(a[1] == '-' ? strchr(a, '=') != NULL : a[2] != '\0'))
		take = 2;
	if (b + take > nargs)
		return false;
	ws->n = 0;
	add_word(ws, "tunctl");
	for (int k = 0; k < ci; k++)
		add_word(ws, argv[k]);
	for (int k = 0; k < take; k++)
		add_word(ws, args[b + k]);
	add_word(ws, argv[ci]);
	for (int k = 0; k < nargs; k++)
		if (k < b || k >= b + take)
			add_word(ws, args[k]);
	if (!try_words(ws, false, sugg, sizeof(sugg)))
		return false;
	if (spec->id == CMD_SET && d->id == O_NETNS)
		snprintf(err, errlen, "\"%s\" goes before the command: %s (\"set NAME --netns NETNS\" moves a device there)",
			 a, sugg);
	else
		snprintf(err, errlen, "\"%s\" goes before the command: %s", a, sugg);
	return true;
}

/* "--route 203.0.113.0/24 via 192.0.2.2" unquoted: the route is one argument. */
static bool hint_route_quotes(char **args, int nargs, const struct parsed *p, char *err, size_t errlen)
{
	for (int k = 0; k < nargs; k++) {
		const char *val;
		char route[ERRLEN];
		size_t at = 0;
		int next;

		if (!strcmp(args[k], "--route") && k + 1 < nargs) {
			val = args[k + 1];
			next = k + 2;
		} else if (!strncmp(args[k], "--route=", 8)) {
			val = args[k] + 8;
			next = k + 1;
		} else {
			continue;
		}
		if (next >= nargs || !is_pos(p, args[next]) || !is_route_word(args[next]))
			continue;
		append(route, sizeof(route), &at, val, strlen(val));
		for (; next < nargs && is_pos(p, args[next]); next++) {
			append(route, sizeof(route), &at, " ", 1);
			append(route, sizeof(route), &at, args[next], strlen(args[next]));
		}
		snprintf(err, errlen, "--route takes the route as one argument: quote it: --route ");
		at = strlen(err);
		append_shell_word(err, errlen, &at, route);
		return true;
	}
	return false;
}

#define IN(x) (1u << (x))

/* iproute2's words and the tunctl options they stand for. */
static const struct ip_word {
	const char *word, *opt;
	bool value;
	unsigned cmds;
} ip_words[] = {
	{ "mode", "--mode", true, IN(CMD_ADD) | IN(CMD_LIST) },
	{ "user", "--user", true, IN(CMD_ADD) | IN(CMD_SET) },
	{ "group", "--group", true, IN(CMD_ADD) | IN(CMD_SET) },
	{ "pi", "--pi", false, IN(CMD_ADD) },
	{ "vnet_hdr", "--vnet-hdr", false, IN(CMD_ADD) },
	{ "multi_queue", "--multi-queue", false, IN(CMD_ADD) },
	{ "mtu", "--mtu", true, IN(CMD_ADD) | IN(CMD_SET) },
	{ "address", "--mac", true, IN(CMD_ADD) | IN(CMD_SET) },
	{ "txqueuelen", "--txqueuelen", true, IN(CMD_ADD) | IN(CMD_SET) },
	{ "txqlen", "--txqueuelen", true, IN(CMD_ADD) | IN(CMD_SET) },
	{ "up", "--up", false, IN(CMD_SET) },
	{ "down", "--down", false, IN(CMD_ADD) | IN(CMD_SET) },
	{ "netns", "--netns", true, IN(CMD_SET) },
	{ "peer", "--peer", true, IN(CMD_ADD) | IN(CMD_ADDR) },
};

/* What a positional word becomes: kept in order, the device name, dropped
 * ("dev"), an option (then its value), the value of the option before it,
 * or an option with the word itself as its value ("list tap"). */
enum role { R_REST, R_NAME, R_DROP, R_OPT, R_VAL, R_OPT_SELF };

static const struct ip_word *find_ip_word(enum cmd_id id, const char *w)
{
	for (size_t i = 0; i < sizeof(ip_words) / sizeof(ip_words[0]); i++)
		if ((ip_words[i].cmds & IN(id)) && !strcmp(ip_words[i].word, w))
			return &ip_words[i];
	return NULL;
}

static bool looks_like_prefix(const char *w, bool route)
{
	struct prefix pf;

	return parse_prefix(w, false, route, &pf, NULL, 0);
}

/* "add dev x1 mode tun", "set mytun up", "list tap", "addr add 192.0.2.9/24
 * dev mytun", "route add 203.0.113.0/24 vpn0": the tunctl form. */
static bool hint_iproute2(char **argv, int argc, int ci, const struct cmd_spec *spec,
			  const struct parsed *p, bool batch, struct words *ws, char *err, size_t errlen)
{
	char **args = argv + ci + 1, sugg[ERRLEN];
	int nargs = argc - ci - 1, npos = p->npos, first = 0, name = -1, j;
	enum cmd_id id = spec->id;
	const char *dev_word = NULL, *kw = NULL, *kw_opt = NULL, **opt;
	bool list_mode = false, swapped = false, ok = false;
	enum role *role;

	if (id != CMD_ADD && id != CMD_SHOW && id != CMD_SET && id != CMD_LIST && id != CMD_ADDR &&
	    id != CMD_ROUTE)
		return false;
	for (int k = 0; k < nargs; k++)
		if (!strcmp(args[k], "--"))
			return false;
	if (id == CMD_ADDR || id == CMD_ROUTE)
		first = 1;
	if (npos <= first)
		return false;
	role = calloc((size_t)npos, sizeof(*role));
	opt = calloc((size_t)npos, sizeof(*opt));
	if (!role || !opt)
		goto out;
	for (int i = first; i < npos; i++) {
		const char *w = p->pos[i];
		const struct ip_word *k;

		if ((!strcmp(w, "dev") || (id == CMD_ADD && !strcmp(w, "name"))) && i + 1 < npos) {
			if (name >= 0)
				goto out;
			role[i] = R_DROP;
			name = ++i;
			role[i] = R_NAME;
			if (!dev_word)
				dev_word = w;
		} else if (id == CMD_LIST && (!strcmp(w, "tun") || !strcmp(w, "tap"))) {
			role[i] = R_OPT_SELF;
			opt[i] = "--mode";
			list_mode = true;
		} else if ((k = find_ip_word(id, w)) && (!k->value || i + 1 < npos)) {
			role[i] = R_OPT;
			opt[i] = k->opt;
			if (k->value)
				role[++i] = R_VAL;
			if (!kw) {
				kw = w;
				kw_opt = k->opt;
			}
		}
	}
	/* Swapped: "addr add 192.0.2.9/24 mytun", "route add PREFIX [via GW] vpn0". */
	if (name < 0 && (id == CMD_ADDR || id == CMD_ROUTE) && npos >= first + 2 &&
	    role[first] == R_REST && looks_like_prefix(p->pos[first], id == CMD_ROUTE)) {
		for (int i = first + 1; i < npos; i++) {
			if (role[i] != R_REST)
				continue;
			if (id == CMD_ROUTE && is_route_word(p->pos[i])) {
				i++;
				continue;
			}
			if (name >= 0 || looks_like_prefix(p->pos[i], id == CMD_ROUTE))
				goto out;
			name = i;
		}
		if (name >= 0) {
			role[name] = R_NAME;
			swapped = true;
		}
	}
	if (!dev_word && !kw && !list_mode && !swapped)
		goto out;
	ws->n = 0;
	add_word(ws, "tunctl");
	for (int k = 0; k <= ci; k++)
		add_word(ws, argv[k]);
	if (first)
		add_word(ws, p->pos[0]);
	if (name >= 0)
		add_word(ws, p->pos[name]);
	for (int i = first; i < npos; i++)
		if (role[i] == R_REST)
			add_word(ws, p->pos[i]);
	/* Options where they were typed, iproute2's words among them. */
	j = 0;
	for (int k = 0; k < nargs; k++) {
		if (j < npos && args[k] == p->pos[j]) {
			if (role[j] == R_OPT || role[j] == R_OPT_SELF)
				add_word(ws, opt[j]);
			if (role[j] == R_OPT_SELF || role[j] == R_VAL)
				add_word(ws, p->pos[j]);
			j++;
			continue;
		}
		add_word(ws, args[k]);
	}
	if (!try_words(ws, batch, sugg, sizeof(sugg)))
		goto out;
	if (dev_word)
		snprintf(err, errlen, "\"%s\" is iproute2 syntax; tunctl takes the name first: %s", dev_word, sugg);
	else if (kw)
		snprintf(err, errlen, "\"%s\" is iproute2 syntax; tunctl spells it %s: %s", kw, kw_opt, sugg);
	else if (list_mode)
		snprintf(err, errlen, "list takes the mode as an option: %s", sugg);
	else
		snprintf(err, errlen, "the device name goes before the %s: %s",
			 id == CMD_ADDR ? "address" : "route", sugg);
	ok = true;
out:
	free(role);
	free(opt);
	return ok;
}

/* After a parse error in the command's arguments (rc 2): a hint instead of
 * the message, where one applies. */
static void hint_args(char **argv, int argc, int ci, const struct cmd_spec *spec,
		      const struct parsed *p, bool batch, bool tokenize_failed)
{
	struct words ws = { .cap = 2 * argc + 8 };

	if (!(ws.w = calloc((size_t)ws.cap, sizeof(*ws.w))))
		return;
	if (tokenize_failed) {
		if (!batch && p->bad >= 0)
			hint_late_global(argv, argc, ci, spec, p, &ws, p->err, p->errlen);
	} else if (!(spec->id == CMD_ADD &&
		     hint_route_quotes(argv + ci + 1, argc - ci - 1, p, p->err, p->errlen))) {
		hint_iproute2(argv, argc, ci, spec, p, batch, &ws, p->err, p->errlen);
	}
	free(ws.w);
}

/* "tunctl --force del X": --force before the command is -b's. */
static void hint_force(char **argv, int argc, int ci, const struct cmd_spec *spec, char *err, size_t errlen)
{
	struct words ws = { .cap = argc + 4 };
	char sugg[ERRLEN];

	if (find_long(spec->opts, "force", 5) && (ws.w = calloc((size_t)ws.cap, sizeof(*ws.w)))) {
		add_word(&ws, "tunctl");
		for (int k = 0; k < argc; k++)
			if (k >= ci || strcmp(argv[k], "--force"))
				add_word(&ws, argv[k]);
		add_word(&ws, "--force");
		if (try_words(&ws, false, sugg, sizeof(sugg))) {
			snprintf(err, errlen, "--force before the command goes with -b; put it after the command: %s",
				 sugg);
			free(ws.w);
			return;
		}
	}
	free(ws.w);
	if (find_long(spec->opts, "force", 5))
		snprintf(err, errlen, "--force before the command goes with -b; %s's own --force goes after the "
			 "command (see tunctl %s --help)", spec->name, spec->name);
	else
		snprintf(err, errlen, "--force before the command goes with -b (tunctl -b FILE --force); \"%s\" has no --force",
			 spec->name);
}

static const char *nearest_cmd(const char *w)
{
	const char *cands[2 * NSPECS];
	size_t n = 0;

	for (size_t k = 0; k < NSPECS; k++) {
		cands[n++] = cmd_specs[k].name;
		if (cmd_specs[k].alias)
			cands[n++] = cmd_specs[k].alias;
	}
	return strlen(w) > EDIT_MAX ? NULL : nearest_word(w, cands, n);
}

static int parse_common(int argc, char **argv, struct request *req, char *err, size_t errlen,
			bool batch, bool hints)
{
	struct parsed p = { .err = err, .errlen = errlen, .bad = -1, .dashdash = -1 };
	const struct cmd_spec *spec = NULL;
	int i, rc = 2;

	memset(req, 0, sizeof(*req));
	err[0] = '\0';
	/* argv[0] is the program name. */
	argc--;
	argv++;
	if (!batch && looks_classic(argc, argv))
		return parse_classic(argc, argv, req, err, errlen);

	p.items = calloc((size_t)argc + 1, sizeof(*p.items));
	p.pos = calloc((size_t)argc + 1, sizeof(*p.pos));
	if (!p.items || !p.pos) {
		snprintf(err, errlen, "out of memory");
		rc = 1;
		goto out;
	}
	i = tokenize(argc, argv, batch ? late_global_opts : global_opts, NULL, &req->g, true, &p);
	if (i < 0)
		goto out;
	/* The global options before the command were collected as items. */
	for (int k = 0; k < p.nitems; k++)
		apply_global(&req->g, p.items[k].def, p.items[k].val);
	p.nitems = 0;
	if (i >= argc) {
		rc = 0;
		if (req->g.netns && !parse_netns_name(req->g.netns, err, errlen)) {
			rc = 2;
			goto out;
		}
		if (req->g.help || req->g.version || req->g.batch)
			goto out;
		if (req->g.force) {
			snprintf(err, errlen, "--force goes with -b FILE (see tunctl --help)");
			rc = 2;
			goto out;
		}
		snprintf(err, errlen, batch ? "empty command" : "no command given (see tunctl --help)");
		rc = 2;
		goto out;
	}
	if (req->g.netns && !parse_netns_name(req->g.netns, err, errlen))
		goto out;
	if (req->g.batch) {
		snprintf(err, errlen, "--batch takes its commands from the file, not \"%s\"", argv[i]);
		goto out;
	}
	for (size_t k = 0; k < NSPECS; k++)
		if (!strcmp(cmd_specs[k].name, argv[i]) ||
		    (cmd_specs[k].alias && !strcmp(cmd_specs[k].alias, argv[i])))
			spec = &cmd_specs[k];
	if (!spec) {
		const char *near = nearest_cmd(argv[i]);

		if (near)
			snprintf(err, errlen, "unknown command \"%s\"; did you mean \"%s\"?", argv[i], near);
		else
			snprintf(err, errlen, "unknown command \"%s\" (see tunctl --help)", argv[i]);
		goto out;
	}
	if (batch && (spec->id == CMD_RUN || spec->id == CMD_APPLY)) {
		snprintf(err, errlen, spec->id == CMD_RUN ?
			 "\"run\" cannot stand in a batch file: it replaces tunctl with its command" :
			 "\"apply\" cannot stand in a batch file: give the file to apply itself");
		goto out;
	}
	req->cmd = spec->id;
	p.cmd = spec->name;
	if (tokenize(argc - i - 1, argv + i + 1, spec->opts, late_global_opts, &req->g, false, &p) < 0) {
		if (hints)
			hint_args(argv, argc, i, spec, &p, batch, true);
		goto out;
	}
	if (req->g.help) {
		rc = 0;
		goto out;
	}
	if (req->g.force && !req->g.batch) {
		hint_force(argv, argc, i, spec, err, errlen);
		goto out;
	}
	rc = spec->parse(&p, req);
	if (rc == 2 && hints)
		hint_args(argv, argc, i, spec, &p, batch, false);
out:
	free(p.items);
	free(p.pos);
	if (rc) {
		/* The request must not be used; keep its memory freed. */
		request_free(req);
		req->cmd = CMD_NONE;
	}
	return rc;
}

int cmdline_parse(int argc, char **argv, struct request *req, char *err, size_t errlen)
{
	return parse_common(argc, argv, req, err, errlen, false, true);
}

int cmdline_parse_batch(int argc, char **argv, struct request *req, char *err, size_t errlen)
{
	return parse_common(argc, argv, req, err, errlen, true, true);
}

void request_free(struct request *req)
{
	if (req->cmd == CMD_ADD) {
		free(req->u.add.addrs);
		free(req->u.add.routes);
		req->u.add.addrs = NULL;
		req->u.add.routes = NULL;
	} else if (req->cmd == CMD_DEL) {
		free(req->u.del.names);
		req->u.del.names = NULL;
	} else if (req->cmd == CMD_SAVE) {
		free(req->u.save.names);
		req->u.save.names = NULL;
	}
}
