/* policy.c - pure: the broker's policy file parsed, and requests checked
 * against it (default deny: only what a rule lists is granted). */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"
#include "vec.h"

static bool fail(char *err, size_t errlen, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static bool fail(char *err, size_t errlen, const char *file, unsigned line, const char *fmt, ...)
{
	char msg[ERRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%u: %s", file, line, msg);
	errno = 0;
	return false;
}

static void rule_free(struct pol_rule *r)
{
	free(r->who);
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	for (size_t i = 0; i < r->nnetns; i++)
		free(r->netns[i]);
	free(r->netns);
	for (size_t i = 0; i < r->nmasters; i++)
		free(r->masters[i]);
	free(r->masters);
	free(r->addrs);
	free(r->routes);
}

void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->n; i++)
		rule_free(&p->rules[i]);
	free(p->rules);
	p->rules = NULL;
	p->n = 0;
}

static int push_str(char ***v, size_t *n, const char *s)
{
	char *d = strdup(s);

	if (!d)
		return -ENOMEM;
	if (vec_append((void **)v, n, &d, sizeof(d))) {
		free(d);
		return -ENOMEM;
	}
	return 0;
}

/* A name pattern (what, for messages: "name pattern", "master"): what an
 * interface name may hold, plus glob characters, "%d" only at the end
 * (after a literal prefix, no glob in it). */
static bool pattern_ok(const char *what, const char *s, char *why, size_t len)
{
	const char *d = strstr(s, "%d");

	if (!*s || strlen(s) > 64) {
		snprintf(why, len, "%s \"%s\" is empty or too long", what, s);
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '/' || *p == ':') {
			snprintf(why, len, "%s \"%s\" holds a character no interface name may have "
				 "(blank, control byte, '/' or ':')", what, s);
			return false;
		}
	if (d && (d[2] || strpbrk(s, "*?[\\") || strchr(s, '%') != d)) {
		snprintf(why, len, "%s \"%s\": %%d stands only at the end, after a literal prefix "
			 "(as vm%%d); for anything else use a glob (vm*)", what, s);
		return false;
	}
	if (!d && strchr(s, '%')) {
		snprintf(why, len, "%s \"%s\": '%%' only as %%d", what, s);
		return false;
	}
	return true;
}

static bool parse_mtu_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	char a[16];
	const char *dash = strchr(s, '-');

	if (!dash)
		return parse_u32(s, 68, 65535, lo) && (*hi = *lo, true);
	if ((size_t)(dash - s) >= sizeof(a))
		return false;
	memcpy(a, s, (size_t)(dash - s));
	a[dash - s] = '\0';
	return parse_u32(a, 68, 65535, lo) && parse_u32(dash + 1, 68, 65535, hi) && *lo <= *hi;
}

/* Out of memory, said in why; false, with errno ENOMEM, which tells it
 * from bad input. */
static bool no_memory(char *why, size_t len)
{
	snprintf(why, len, "out of memory");
	errno = ENOMEM;
	return false;
}

/* The word k of a rule, after "allow user|group NAME", with v the word
 * after it (its value, or NULL at the end), into r; false with the
 * message in why (errno ENOMEM for out of memory). */
static bool parse_rule_word(struct pol_rule *r, const char *k, const char *v, char *why, size_t len)
{
	char e[ERRLEN];
	struct prefix pf;

	if (!strcmp(k, "multi_queue")) {
		r->multi_queue = true;
	} else if (!strcmp(k, "vnet_hdr")) {
		r->vnet_hdr = true;
	} else if (!strcmp(k, "mode")) {
		if (!strcmp(v, "tun")) {
			r->modes |= 1u << MODE_TUN;
		} else if (!strcmp(v, "tap")) {
			r->modes |= 1u << MODE_TAP;
		} else if (!strcmp(v, "tun,tap") || !strcmp(v, "tap,tun")) {
			r->modes |= 1u << MODE_TUN | 1u << MODE_TAP;
		} else {
			snprintf(why, len, "mode \"%s\": expected tun, tap or tun,tap", v);
			return false;
		}
	} else if (!strcmp(k, "name")) {
		if (!pattern_ok("name pattern", v, why, len))
			return false;
		if (push_str(&r->names, &r->nnames, v))
			return no_memory(why, len);
	} else if (!strcmp(k, "max")) {
		if (!parse_u32(v, 0, 65535, &r->max)) {
			snprintf(why, len, "max \"%s\": expected a number of devices, 0 to 65535", v);
			return false;
		}
	} else if (!strcmp(k, "mtu")) {
		if (!parse_mtu_range(v, &r->mtu_min, &r->mtu_max)) {
			snprintf(why, len, "mtu \"%s\": expected N or MIN-MAX, from 68 to 65535", v);
			return false;
		}
		r->has_mtu = true;
	} else if (!strcmp(k, "addr") || !strcmp(k, "route")) {
		bool a = k[0] == 'a';

		if (!parse_prefix(v, true, !a, &pf, e, sizeof(e))) {
			snprintf(why, len, "%s \"%.64s\": %.160s", k, v, e);
			return false;
		}
		if (vec_append(a ? (void **)&r->addrs : (void **)&r->routes, a ? &r->naddrs : &r->nroutes,
			       &pf, sizeof(pf)))
			return no_memory(why, len);
	} else if (!strcmp(k, "netns")) {
		if (!parse_netns_name(v, e, sizeof(e))) {
			snprintf(why, len, "netns \"%.64s\": %.160s", v, e);
			return false;
		}
		if (push_str(&r->netns, &r->nnetns, v))
			return no_memory(why, len);
	} else if (!strcmp(k, "master")) {
		if (strchr(v, '%')) {
			snprintf(why, len, "master \"%s\": a device name or a glob (br-*), no %%d", v);
			return false;
		}
		if (!pattern_ok("master", v, why, len))
			return false;
		if (push_str(&r->masters, &r->nmasters, v))
			return no_memory(why, len);
	} else {
		snprintf(why, len, "unknown word \"%s\" (expected mode, name, max, mtu, multi_queue, "
			 "vnet_hdr, addr, route, netns or master)", k);
		return false;
	}
	return true;
}

/* One line's words into r; false with the message (no FILE:LINE) in why. */
static bool parse_rule(int argc, char **argv, struct pol_rule *r, char *why, size_t len)
{
	int i = 0;

	if (strcmp(argv[0], "allow")) {
		snprintf(why, len, "unknown word \"%s\": a rule starts with allow", argv[0]);
		return false;
	}
	if (argc < 3 || (strcmp(argv[1], "user") && strcmp(argv[1], "group"))) {
		snprintf(why, len, "allow needs \"user NAME\" or \"group NAME\" next");
		return false;
	}
	r->group = argv[1][0] == 'g';
	if (!argv[2][0] || strlen(argv[2]) > 255) {
		snprintf(why, len, "%s name \"%s\" is empty or too long", argv[1], argv[2]);
		return false;
	}
	if (!(r->who = strdup(argv[2])))
		return no_memory(why, len);
	r->max = 1;
	for (i = 3; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = strcmp(k, "multi_queue") && strcmp(k, "vnet_hdr");

		if (takes && !v) {
			snprintf(why, len, "%s needs a value", k);
			return false;
		}
		if (!parse_rule_word(r, k, v, why, len))
			return false;
		if (takes)
			i++;
	}
	if (!r->modes || !r->nnames) {
		snprintf(why, len, "a rule needs mode and name (what it lets %s %s create)",
			 r->group ? "group" : "user", r->who);
		return false;
	}
	return true;
}

bool policy_parse(const char *text, size_t len, const char *file, struct policy *p, char *err, size_t errlen)
{
	unsigned no = 0;
	size_t at = 0;

	memset(p, 0, sizeof(*p));
	if (memchr(text, '\0', len))
		return fail(err, errlen, file, (unsigned)1, "holds a NUL byte: not a text file");
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t ll = nl ? (size_t)(nl - (text + at)) : len - at;
		char *line, **argv = NULL, why[ERRLEN];
		struct pol_rule r;
		int argc = 0;
		bool ok;

		no++;
		if (!(line = strndup(text + at, ll)))
			goto oom;
		at += ll + (nl ? 1 : 0);
		ok = split_words(line, &argc, &argv, why, sizeof(why));
		free(line);
		if (!ok) {
			if (errno == ENOMEM)
				goto oom;
			policy_free(p);
			return fail(err, errlen, file, no, "%s", why);
		}
		if (!argc) {
			free(argv);
			continue;
		}
		memset(&r, 0, sizeof(r));
		r.line = no;
		errno = 0;
		ok = parse_rule(argc, argv, &r, why, sizeof(why));
		free(argv);
		if (ok && vec_append((void **)&p->rules, &p->n, &r, sizeof(r))) {
			errno = ENOMEM;
			ok = false;
		}
		if (!ok) {
			int e = errno;

			rule_free(&r);
			policy_free(p);
			fail(err, errlen, file, no, "%s", e == ENOMEM ? "out of memory" : why);
			errno = e;
			return false;
		}
	}
	return true;
oom:
	policy_free(p);
	fail(err, errlen, file, no, "out of memory");
	errno = ENOMEM;
	return false;
}

bool policy_name_match(const char *pattern, const char *user, const char *name)
{
	char pat[128];
	size_t o = 0;
	const char *d;

	/* $USER expanded; a user name with glob characters matches nothing. */
	for (const char *s = pattern; *s;) {
		if (!strncmp(s, "$USER", 5)) {
			size_t ul = strlen(user);

			if (strpbrk(user, "*?[\\%/") || o + ul >= sizeof(pat))
				return false;
			memcpy(pat + o, user, ul);
			o += ul;
			s += 5;
		} else {
			if (o + 1 >= sizeof(pat))
				return false;
			pat[o++] = *s++;
		}
	}
	pat[o] = '\0';
	if ((d = strstr(pat, "%d")) && !d[2]) {
		size_t pl = (size_t)(d - pat);

		if (strncmp(name, pat, pl))
			return false;
		if (!strcmp(name + pl, "%d"))
			return true;
		if (!name[pl])
			return false;
		for (const char *q = name + pl; *q; q++)
			if (*q < '0' || *q > '9')
				return false;
		return true;
	}
	return !strchr(name, '%') && fnmatch(pat, name, 0) == 0;
}

static bool who_matches(const struct pol_rule *r, const struct pol_caller *c)
{
	uint32_t id;
	bool num = parse_u32(r->who, 0, UINT32_MAX - 1, &id);

	if (!r->group)
		return num ? id == c->uid : !strcmp(r->who, c->name);
	for (size_t i = 0; i < c->ngids; i++)
		if (num ? id == c->gids[i] : (c->gnames[i] && !strcmp(r->who, c->gnames[i])))
			return true;
	return false;
}

static bool in_prefix(const struct prefix *outer, const struct ipaddr *a, unsigned len)
{
	unsigned bytes = outer->len / 8, bits = outer->len % 8;

	if (a->family != outer->addr.family || len < outer->len)
		return false;
	if (memcmp(a->a.b, outer->addr.a.b, bytes))
		return false;
	return !bits || ((a->a.b[bytes] ^ outer->addr.a.b[bytes]) & (0xff << (8 - bits))) == 0;
}

static bool in_any(const struct prefix *v, size_t n, const struct ipaddr *a, unsigned len)
{
	for (size_t i = 0; i < n; i++)
		if (in_prefix(&v[i], a, len))
			return true;
	return false;
}

static unsigned host_len(const struct ipaddr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

/* The request's addresses, routes and gateways against the rule's addr and
 * route prefixes (routes in the main table only): true, or false with why. */
static bool prefixes_ok(const struct pol_rule *r, const struct pol_req *q, char *why, size_t len)
{
	char t[INET6_ADDRSTRLEN + 8];

	for (size_t i = 0; i < q->naddrs; i++) {
		const struct addr_spec *a = &q->addrs[i];

		if (!in_any(r->addrs, r->naddrs, &a->local.addr, a->local.len) ||
		    (a->has_peer && !in_any(r->addrs, r->naddrs, &a->peer, host_len(&a->peer)))) {
			snprintf(why, len, "--addr %s is not within the rule's addr prefixes%s",
				 format_prefix(&a->local, t, sizeof(t)), r->naddrs ? "" : " (it lists none)");
			return false;
		}
	}
	for (size_t i = 0; i < q->nroutes; i++) {
		const struct route_spec *rs = &q->routes[i];

		if (!in_any(r->routes, r->nroutes, &rs->dst.addr, rs->dst.len)) {
			snprintf(why, len, "--route %s is not within the rule's route prefixes%s",
				 format_prefix(&rs->dst, t, sizeof(t)), r->nroutes ? "" : " (it lists none)");
			return false;
		}
		if (rs->has_gw && !in_any(r->addrs, r->naddrs, &rs->gw, host_len(&rs->gw)) &&
		    !in_any(r->routes, r->nroutes, &rs->gw, host_len(&rs->gw))) {
			snprintf(why, len, "--route via %s: the gateway is not within the rule's addr or route "
				 "prefixes", format_ipaddr(&rs->gw, t, sizeof(t)));
			return false;
		}
		if (rs->has_table && rs->table != 254) {
			snprintf(why, len, "--route table %u: only the main table is allowed", rs->table);
			return false;
		}
	}
	return true;
}

/* The request's master and namespace against the rule's lists: true, or
 * false with why. */
static bool lists_ok(const struct pol_rule *r, const struct pol_caller *c, const struct pol_req *q, char *why,
		     size_t len)
{
	if (q->master) {
		size_t i;

		for (i = 0; i < r->nmasters; i++)
			if (policy_name_match(r->masters[i], c->name, q->master))
				break;
		if (i == r->nmasters) {
			snprintf(why, len, "--master %s is not allowed (the rule's master list %s)", q->master,
				 r->nmasters ? "does not name it" : "is empty");
			return false;
		}
	}
	if (q->netns) {
		size_t i;

		for (i = 0; i < r->nnetns; i++)
			if (!strcmp(r->netns[i], q->netns))
				break;
		if (i == r->nnetns) {
			snprintf(why, len, "--netns %s is not allowed (the rule's netns list %s)", q->netns,
				 r->nnetns ? "does not name it" : "is empty");
			return false;
		}
	}
	return true;
}

/* The rule's fields against the request: true, or false with why. */
static bool fields_ok(const struct pol_rule *r, const struct pol_caller *c, const struct pol_req *q,
		      char *why, size_t len)
{
	if (q->op == POL_ADD && q->owned >= r->max) {
		snprintf(why, len, "%s owns %zu TUN/TAP device%s already, as many as the rule allows (max %u)",
			 c->name, q->owned, q->owned == 1 ? "" : "s", r->max);
		return false;
	}
	if (q->multi_queue && !r->multi_queue) {
		snprintf(why, len, "--multi-queue is not allowed (the rule has no multi_queue)");
		return false;
	}
	if (q->vnet_hdr && !r->vnet_hdr) {
		snprintf(why, len, "--vnet-hdr is not allowed (the rule has no vnet_hdr)");
		return false;
	}
	if (q->has_mtu && !r->has_mtu) {
		snprintf(why, len, "--mtu is not allowed (the rule has no mtu range)");
		return false;
	}
	if (q->has_mtu && (q->mtu < r->mtu_min || q->mtu > r->mtu_max)) {
		snprintf(why, len, "--mtu %u is outside the rule's range %u-%u", q->mtu, r->mtu_min, r->mtu_max);
		return false;
	}
	return prefixes_ok(r, q, why, len) && lists_ok(r, c, q, why, len);
}

static const char *op_verb(enum pol_op op)
{
	return op == POL_ADD ? "create" : op == POL_SET ? "change" : op == POL_DEL ? "delete" : "open";
}

int policy_check(const struct policy *p, const struct pol_caller *c, const struct pol_req *q,
		 unsigned *line, char *why, size_t len)
{
	enum tun_mode mode = q->mode == MODE_ANY ? MODE_TUN : q->mode;
	const struct pol_rule *first = NULL;
	char firstwhy[ERRLEN] = "";
	bool mine = q->owner_set && q->owner == c->uid;

	*line = 0;
	if (!q->name) {
		snprintf(why, len, "no device named");
		return 1;
	}
	/* The kernel takes them (dev_valid_name refuses only '/', ':' and
	 * blanks); no user needs them, and they would reach terminals. */
	for (const unsigned char *s = (const unsigned char *)q->name; *s; s++)
		if (*s < 0x20 || *s == 0x7f) {
			snprintf(why, len, "the name holds a control byte (\\x%02x): no rule grants such names", *s);
			return 1;
		}
	if (q->sets_owner) {
		snprintf(why, len, "a device made through the broker always belongs to its caller: --user, "
			 "--group, --any-user, --no-user and --no-group are refused");
		return 1;
	}
	if (q->has_txqlen && q->txqlen > POL_TXQLEN_MAX) {
		snprintf(why, len, "--txqueuelen %u: at most %d through the broker (a queue's unread packets "
			 "are kernel memory)", q->txqlen, POL_TXQLEN_MAX);
		return 1;
	}
	if ((q->op != POL_ADD || q->exists) && !mine) {
		char num[16];

		snprintf(num, sizeof(num), "%u", q->owner);
		if (q->owner_set)
			snprintf(why, len, "%s belongs to %s, not to %s", q->name,
				 q->owner_name ? q->owner_name : num, c->name);
		else
			snprintf(why, len, "%s has no owner: only devices %s owns can be %s through the broker",
				 q->name, c->name, q->op == POL_RUN ? "opened" : "changed or deleted");
		return 1;
	}
	/* The owner may delete or open its device anyway (TUNSETPERSIST, an
	 * attach): owning it is enough. */
	if (q->op == POL_DEL || q->op == POL_RUN)
		return 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct pol_rule *r = &p->rules[i];
		char w[ERRLEN];
		size_t k;

		if (!who_matches(r, c) || !(r->modes & (1u << mode)))
			continue;
		for (k = 0; k < r->nnames; k++)
			if (policy_name_match(r->names[k], c->name, q->name))
				break;
		if (k == r->nnames)
			continue;
		if (fields_ok(r, c, q, w, sizeof(w))) {
			*line = r->line;
			return 0;
		}
		if (!first) {
			first = r;
			snprintf(firstwhy, sizeof(firstwhy), "%s", w);
		}
	}
	if (first) {
		*line = first->line;
		snprintf(why, len, "%s", firstwhy);
	} else {
		snprintf(why, len, "no rule lets %s %s %s devices named \"%s\"", c->name, op_verb(q->op),
			 mode_name(mode), q->name);
	}
	return 1;
}
