/* hints.c - pure: for a command line that does not parse, the tunctl form
 * of what was probably meant (an iproute2 habit, swapped arguments, a
 * global option after the command, a misspelt name).  Each is checked by
 * parsing it: a hint never suggests what tunctl would refuse. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

/* A name users bring from iproute2 for a link setting's option that
 * tunctl spells otherwise ("txqlen", "address"): that option, or NULL. */
static const char *ip_alias(const char *w)
{
	for (size_t i = 0; i < LINK_N; i++)
		for (size_t k = 0; k < 2; k++) {
			const char *ip = link_settings[i].ip_words[k];

			if (ip && strcmp(ip, link_settings[i].name) && !strcmp(w, ip))
				return link_settings[i].name;
		}
	return NULL;
}

const char *nearest_opt(const struct optdef *defs, const struct optdef *globals,
			const char *name, size_t len)
{
	const char *cands[64];
	char w[EDIT_MAX + 1];
	const char *to;
	size_t n = 0;

	if (len > EDIT_MAX)
		return NULL;
	memcpy(w, name, len);
	w[len] = '\0';
	for (const struct optdef *d = defs; d && d->name && n < 64; d++)
		cands[n++] = d->name;
	for (const struct optdef *d = globals; d && d->name && n < 64; d++)
		cands[n++] = d->name;
	if ((to = ip_alias(w)) && (find_long(defs, to, strlen(to)) || find_long(globals, to, strlen(to))))
		return to;
	return nearest_word(w, cands, n);
}

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
static bool hint_late_global(char **argv, int argc, int ci, const struct command *spec,
			     const struct parsed *p, struct words *ws, char *err, size_t errlen)
{
	char **args = argv + ci + 1, sugg[ERRLEN];
	int nargs = argc - ci - 1, b = p->bad, take;
	const char *a = args[b];
	const struct optdef *d = global_opt_word(a, &take);

	if (!d)
		return false;
	if (b + take > nargs)
		return false;
	/* Given before the command too: once is enough, or one of two. */
	for (int k = 0; k < ci; k++) {
		int t2;
		const struct optdef *e = global_opt_word(argv[k], &t2);
		const char *v1, *v2;

		if (e != d)
			continue;
		v1 = t2 == 2 ? (k + 1 < ci ? argv[k + 1] : "") : argv[k];
		v2 = take == 2 ? args[b + 1] : a;
		if (d->has_arg != required_argument || (t2 == take && !strcmp(v1, v2))) {
			ws->n = 0;
			add_word(ws, "tunctl");
			for (int m = 0; m <= ci; m++)
				add_word(ws, argv[m]);
			for (int m = 0; m < nargs; m++)
				if (m < b || m >= b + take)
					add_word(ws, args[m]);
			if (!try_words(ws, false, sugg, sizeof(sugg)))
				return false;
			snprintf(err, errlen, "\"%s\" is given before the command already: %s", a, sugg);
		} else {
			snprintf(err, errlen, "\"%s\" is given twice, before the command and after it: give it once, "
				 "before the command", a);
		}
		return true;
	}
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

/* iproute2's words and the tunctl options they stand for; those of the
 * link settings (add and set) are in their rows (link.h). */
struct ip_word {
	const char *word, *opt;
	bool value;
	unsigned cmds;
};

static const struct ip_word ip_words[] = {
	{ "mode", "--mode", true, IN(CMD_ADD) | IN(CMD_LIST) },
	{ "type", "--mode", true, IN(CMD_ADD) },
	{ "user", "--user", true, IN(CMD_ADD) | IN(CMD_SET) },
	{ "group", "--group", true, IN(CMD_ADD) | IN(CMD_SET) },
	{ "pi", "--pi", false, IN(CMD_ADD) },
	{ "vnet_hdr", "--vnet-hdr", false, IN(CMD_ADD) },
	{ "multi_queue", "--multi-queue", false, IN(CMD_ADD) },
	{ "up", "--up", false, IN(CMD_SET) },
	{ "down", "--down", false, IN(CMD_ADD) | IN(CMD_SET) },
	{ "netns", "--netns", true, IN(CMD_SET) },
	{ "nomaster", "--nomaster", false, IN(CMD_SET) },
	{ "name", "--name", true, IN(CMD_SET) },
	{ "peer", "--peer", true, IN(CMD_ADD) | IN(CMD_ADDR) },
};

/* What a positional word becomes: kept in order, the device name, dropped
 * ("dev"), an option (then its value), the value of the option before it,
 * or an option with the word itself as its value ("list tap"). */
enum role { R_REST, R_NAME, R_DROP, R_OPT, R_VAL, R_OPT_SELF };

static bool find_ip_word(enum cmd_id id, const char *w, struct ip_word *k)
{
	for (size_t i = 0; i < sizeof(ip_words) / sizeof(ip_words[0]); i++)
		if ((ip_words[i].cmds & IN(id)) && !strcmp(ip_words[i].word, w)) {
			*k = ip_words[i];
			return true;
		}
	for (size_t i = 0; i < LINK_STATE && (id == CMD_ADD || id == CMD_SET); i++)
		for (size_t j = 0; j < 2; j++)
			if (link_settings[i].ip_words[j] && !strcmp(link_settings[i].ip_words[j], w)) {
				*k = (struct ip_word){ w, link_settings[i].dashed, true, IN(CMD_ADD) | IN(CMD_SET) };
				return true;
			}
	return false;
}

static bool looks_like_prefix(const char *w, bool route)
{
	struct prefix pf;

	return parse_prefix(w, false, route, &pf, NULL, 0);
}

/* What hint_iproute2 makes of a command's positional words, from first
 * on: each word's role (and the option it becomes), which is the name,
 * and what gave the iproute2 form away. */
struct ip_roles {
	enum role *role;
	const char **opt;
	int first, name;
	const char *dev_word, *kw, *kw_opt;
	bool list_mode, swapped;
};

/* iproute2's words among the positional ones: "dev NAME", "mode tun",
 * "up".  False when there is no hint to give ("dev" twice). */
static bool ip_roles_read(const struct parsed *p, enum cmd_id id, struct ip_roles *r)
{
	int npos = p->npos;

	for (int i = r->first; i < npos; i++) {
		const char *w = p->pos[i];
		struct ip_word k;

		if ((!strcmp(w, "dev") || (id == CMD_ADD && !strcmp(w, "name"))) && i + 1 < npos) {
			if (r->name >= 0)
				return false;
			r->role[i] = R_DROP;
			r->name = ++i;
			r->role[i] = R_NAME;
			if (!r->dev_word)
				r->dev_word = w;
		} else if (id == CMD_LIST && (!strcmp(w, "tun") || !strcmp(w, "tap"))) {
			r->role[i] = R_OPT_SELF;
			r->opt[i] = "--mode";
			r->list_mode = true;
		} else if (find_ip_word(id, w, &k) && (!k.value || i + 1 < npos)) {
			r->role[i] = R_OPT;
			r->opt[i] = k.opt;
			if (k.value)
				r->role[++i] = R_VAL;
			if (!r->kw) {
				r->kw = w;
				r->kw_opt = k.opt;
			}
		}
	}
	/* The name twice, in tunctl's place and after "dev": "addr add vpn0
	 * 192.0.2.9/24 dev vpn0". */
	if (r->dev_word && r->name > r->first && r->role[r->first] == R_REST &&
	    !strcmp(p->pos[r->first], p->pos[r->name]))
		r->role[r->first] = R_DROP;
	return true;
}

/* Swapped: "addr add 192.0.2.9/24 mytun", "route add PREFIX [via GW]
 * vpn0": the name after the prefix.  False when there is no hint to give
 * (two words could be the name, or a second prefix). */
static bool ip_roles_swapped(const struct parsed *p, enum cmd_id id, struct ip_roles *r)
{
	int first = r->first, npos = p->npos;

	if (r->name >= 0 || (id != CMD_ADDR && id != CMD_ROUTE) || npos < first + 2 ||
	    r->role[first] != R_REST || !looks_like_prefix(p->pos[first], id == CMD_ROUTE))
		return true;
	for (int i = first + 1; i < npos; i++) {
		if (r->role[i] != R_REST)
			continue;
		if (id == CMD_ROUTE && is_route_word(p->pos[i])) {
			i++;
			continue;
		}
		if (r->name >= 0 || looks_like_prefix(p->pos[i], id == CMD_ROUTE))
			return false;
		r->name = i;
	}
	if (r->name >= 0) {
		r->role[r->name] = R_NAME;
		r->swapped = true;
	}
	return true;
}

/* The tunctl form into ws: the name first, the other positional words in
 * order, then the options where they were typed, iproute2's words among
 * them. */
static void ip_roles_words(char **argv, int argc, int ci, const struct parsed *p,
			   const struct ip_roles *r, struct words *ws)
{
	char **args = argv + ci + 1;
	int nargs = argc - ci - 1, npos = p->npos, j = 0;

	ws->n = 0;
	add_word(ws, "tunctl");
	for (int k = 0; k <= ci; k++)
		add_word(ws, argv[k]);
	if (r->first)
		add_word(ws, p->pos[0]);
	if (r->name >= 0)
		add_word(ws, p->pos[r->name]);
	for (int i = r->first; i < npos; i++)
		if (r->role[i] == R_REST)
			add_word(ws, p->pos[i]);
	for (int k = 0; k < nargs; k++) {
		if (j < npos && args[k] == p->pos[j]) {
			if (r->role[j] == R_OPT || r->role[j] == R_OPT_SELF)
				add_word(ws, r->opt[j]);
			if (r->role[j] == R_OPT_SELF || r->role[j] == R_VAL)
				add_word(ws, p->pos[j]);
			j++;
			continue;
		}
		add_word(ws, args[k]);
	}
}

/* "add dev x1 mode tun", "set mytun up", "list tap", "addr add 192.0.2.9/24
 * dev mytun", "route add 203.0.113.0/24 vpn0": the tunctl form. */
static bool hint_iproute2(char **argv, int argc, int ci, const struct command *spec,
			  const struct parsed *p, bool batch, struct words *ws, char *err, size_t errlen)
{
	char **args = argv + ci + 1, sugg[ERRLEN];
	int nargs = argc - ci - 1, npos = p->npos;
	enum cmd_id id = spec->id;
	struct ip_roles r = { .name = -1 };
	bool ok = false;

	if (id != CMD_ADD && id != CMD_SHOW && id != CMD_SET && id != CMD_LIST && id != CMD_ADDR &&
	    id != CMD_ROUTE)
		return false;
	for (int k = 0; k < nargs; k++)
		if (!strcmp(args[k], "--"))
			return false;
	if (id == CMD_ADDR || id == CMD_ROUTE)
		r.first = 1;
	if (npos <= r.first)
		return false;
	r.role = calloc((size_t)npos, sizeof(*r.role));
	r.opt = calloc((size_t)npos, sizeof(*r.opt));
	if (!r.role || !r.opt || !ip_roles_read(p, id, &r) || !ip_roles_swapped(p, id, &r))
		goto out;
	if (!r.dev_word && !r.kw && !r.list_mode && !r.swapped)
		goto out;
	ip_roles_words(argv, argc, ci, p, &r, ws);
	if (!try_words(ws, batch, sugg, sizeof(sugg)))
		goto out;
	if (r.dev_word)
		snprintf(err, errlen, "\"%s\" is iproute2 syntax; tunctl takes the name first: %s", r.dev_word, sugg);
	else if (r.kw)
		snprintf(err, errlen, "\"%s\" is iproute2 syntax; tunctl spells it %s: %s", r.kw, r.kw_opt, sugg);
	else if (r.list_mode)
		snprintf(err, errlen, "list takes the mode as an option: %s", sugg);
	else
		snprintf(err, errlen, "the device name goes before the %s: %s",
			 id == CMD_ADDR ? "address" : "route", sugg);
	ok = true;
out:
	free(r.role);
	free(r.opt);
	return ok;
}

/* After a parse error in the command's arguments (rc 2): a hint instead of
 * the message, where one applies. */
void hint_args(char **argv, int argc, int ci, const struct command *spec,
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
void hint_force(char **argv, int argc, int ci, const struct command *spec, char *err, size_t errlen)
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

/* iproute2's object and command words, and the tunctl command for them. */
static const struct {
	const char *obj, *sub, *cmd;
} ip_cmds[] = {
	{ "tuntap", "add", "add" }, { "tuntap", "del", "del" }, { "tuntap", "delete", "del" },
	{ "tuntap", "show", "list" }, { "tuntap", "list", "list" }, { "tuntap", "ls", "list" },
	{ "tuntap", NULL, "list" },
	{ "link", "set", "set" }, { "link", "add", "add" }, { "link", "del", "del" },
	{ "link", "delete", "del" }, { "link", "show", "show" }, { "link", "list", "show" },
	{ "link", "ls", "show" }, { "link", NULL, "show" },
};

/* The suggestion at the end of a hint ("...: tunctl set vpn0 --up"), or
 * NULL. */
static const char *hint_tail(const char *e, bool batch)
{
	const char *s = NULL;

	if (batch) {
		s = strrchr(e, ':');
		return s && s[1] == ' ' ? s + 2 : NULL;
	}
	for (const char *q = e; (q = strstr(q, ": tunctl ")); q++)
		s = q + 2;
	return s;
}

/* ip tuntap del's words besides the name: flags (valued false), or words
 * followed by a value. */
static bool is_ip_del_word(const char *w, bool valued)
{
	static const char *const flags[] = { "dev", "pi", "vnet_hdr", "multi_queue", "one_queue" };
	static const char *const with_value[] = { "mode", "user", "group" };

	for (size_t i = 0; !valued && i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(w, flags[i]))
			return true;
	for (size_t i = 0; valued && i < sizeof(with_value) / sizeof(with_value[0]); i++)
		if (!strcmp(w, with_value[i]))
			return true;
	return false;
}

bool hint_ip_object(char **argv, int argc, int ci, bool batch, char *err, size_t errlen)
{
	const char *sub = ci + 1 < argc ? argv[ci + 1] : NULL, *cmd = NULL, *tail;
	struct words ws = { .cap = argc + 4 };
	struct request req;
	char e[ERRLEN], sugg[ERRLEN];
	int rc;

	for (size_t k = 0; k < sizeof(ip_cmds) / sizeof(ip_cmds[0]) && !cmd; k++)
		if (!strcmp(argv[ci], ip_cmds[k].obj) &&
		    (ip_cmds[k].sub ? sub && !strcmp(sub, ip_cmds[k].sub) : !sub))
			cmd = ip_cmds[k].cmd;
	if (!cmd || !(ws.w = calloc((size_t)ws.cap, sizeof(*ws.w))))
		return false;
	add_word(&ws, "tunctl");
	for (int k = batch ? 1 : 0; k < ci; k++)
		add_word(&ws, argv[k]);
	add_word(&ws, cmd);
	for (int k = ci + (sub ? 2 : 1); k < argc; k++) {
		/* del takes names only: "tuntap del dev tun0 mode tun" is
		 * "del tun0", not four names; ip's flags and the words that
		 * take a value go. */
		if (!strcmp(cmd, "del") && is_ip_del_word(argv[k], false))
			continue;
		if (!strcmp(cmd, "del") && is_ip_del_word(argv[k], true) && k + 1 < argc) {
			k++;
			continue;
		}
		add_word(&ws, argv[k]);
	}
	rc = parse_common(ws.n, ws.w, &req, e, sizeof(e), batch, true);
	if (!rc) {
		request_free(&req);
		try_words(&ws, batch, sugg, sizeof(sugg));
		tail = sugg;
	} else {
		tail = rc == 2 ? hint_tail(e, batch) : NULL;
	}
	if (tail)
		snprintf(err, errlen, "\"%s%s%s\" is iproute2 syntax; in tunctl: %s", argv[ci], sub ? " " : "",
			 sub ? sub : "", tail);
	else
		snprintf(err, errlen, "\"%s%s%s\" is iproute2 syntax; tunctl's command is \"%s\" (see tunctl %s --help)",
			 argv[ci], sub ? " " : "", sub ? sub : "", cmd, cmd);
	free(ws.w);
	return true;
}

const char *nearest_cmd(const char *w)
{
	const char *cands[64];
	size_t n = 0;

	for (size_t k = 0; k < ncommands && n + 2 <= sizeof(cands) / sizeof(cands[0]); k++) {
		if (!commands[k].parse)
			continue;
		cands[n++] = commands[k].name;
		if (commands[k].alias)
			cands[n++] = commands[k].alias;
	}
	return strlen(w) > EDIT_MAX ? NULL : nearest_word(w, cands, n);
}
