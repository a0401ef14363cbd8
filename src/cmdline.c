/* cmdline.c - pure: the option tokenizer, the helpers every command's
 * parser shares, and the parse itself, driven by the command table. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

int usage_err(struct parsed *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return 2;
}

int oom_err(struct parsed *p)
{
	snprintf(p->err, p->errlen, "out of memory");
	return 1;
}

/* What an option's value must be, for the message when it is empty. */
static const char *value_kind(int id)
{
	const struct link_setting *l = opt_link(id);

	if (l)
		return l->value_kind ? l->value_kind : "a number";
	switch (id) {
	case O_USER: return "a user name or uid";
	case O_GROUP: return "a group name or gid";
	case O_MODE: return "tun or tap";
	case O_NETNS: return "a network namespace name";
	case O_BATCH: return "a file name (- for standard input)";
	case O_ADDR: return "an address (CIDR)";
	case O_PEER: return "an address";
	case O_ROUTE: return "a route (PREFIX [via GW] [metric N] [table ID])";
	case O_PCAP: return "a file name";
	case O_SOCKET: return "a socket path";
	case O_POLICY: return "a file name";
	case O_TIMEOUT: return "a number of seconds";
	default: return "a number";
	}
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

/* The option the word a is, of defs or else of globals (*is_global), in
 * *d, and the value it holds ("--opt=VAL", "-oVAL") in *val.  Returns 0,
 * 1 when it is no option of either, or -1 with the message in p->err. */
static int word_opt(const char *a, const struct optdef *defs, const struct optdef *globals,
		    const struct optdef **d, const char **val, bool *is_global, struct parsed *p)
{
	if (a[1] == '-') {
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);

		*d = find_long(defs, name, len);
		if (!*d && (*d = find_long(globals, name, len)))
			*is_global = true;
		if (!*d)
			return 1;
		if (eq) {
			if ((*d)->has_arg == no_argument) {
				snprintf(p->err, p->errlen, "option --%s takes no value", (*d)->name);
				return -1;
			}
			*val = eq + 1;
		}
	} else {
		*d = find_short(defs, a[1]);
		if (!*d && (*d = find_short(globals, a[1])))
			*is_global = true;
		if (!*d)
			return 1;
		if (a[2]) {
			if ((*d)->has_arg == no_argument)
				return 1;
			*val = a + 2;
		}
	}
	return 0;
}

/* An option's value that is empty, argv[i] the option (a): -1, with the
 * message in p->err. */
static int empty_value(struct parsed *p, const struct optdef *d, const char *a, int i)
{
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

/* An unknown option a, argv[i]: -1, with the message (and the nearest
 * option's name) in p->err. */
static int unknown_opt(struct parsed *p, const struct optdef *defs, const struct optdef *globals,
		       const char *a, int i)
{
	const char *near;

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
		bool is_global = false;
		int rc;

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
		if ((rc = word_opt(a, defs, globals, &d, &val, &is_global, p)) < 0)
			return -1;
		if (rc)
			return unknown_opt(p, defs, globals, a, i);
		if (d->has_arg == required_argument && !val) {
			if (i + 1 >= argc) {
				snprintf(p->err, p->errlen, "option --%s needs a value", d->name);
				return -1;
			}
			val = argv[++i];
		}
		/* Text settles for "" (it clears). */
		if (d->has_arg == required_argument && !*val &&
		    !(opt_link(d->id) && opt_link(d->id)->kind == LK_TEXT))
			return empty_value(p, d, a, i);
		if (is_global)
			apply_global(g, d, val);
		else {
			p->items[p->nitems].def = d;
			p->items[p->nitems].val = val;
			p->nitems++;
		}
	}
	return i;
}

int each_opt(struct parsed *p, void *req, opt_fn fn, void *arg)
{
	for (int i = 0; i < p->nitems; i++) {
		const struct optitem *it = &p->items[i];
		int rc;

		if (it->def->flag) {
			bool *b = (bool *)((char *)req + it->def->off);

			if (*b)
				return opt_twice(p, it);
			*b = true;
		} else if (fn && (rc = fn(p, it, arg))) {
			return rc;
		}
	}
	return 0;
}

int opt_twice(struct parsed *p, const struct optitem *it)
{
	return usage_err(p, "option --%s is given twice", it->def->name);
}

int need_name(struct parsed *p, int idx, const char **name, bool allow_template)
{
	char err[ERRLEN];

	if (idx >= p->npos)
		return usage_err(p, "\"%s\" needs a device name", p->cmd);
	if (!parse_ifname(p->pos[idx], allow_template, err, sizeof(err)))
		return usage_err(p, "%s", err);
	*name = p->pos[idx];
	return 0;
}

int no_more(struct parsed *p, int idx)
{
	if (idx < p->npos)
		return usage_err(p, "unexpected argument \"%s\"", p->pos[idx]);
	return 0;
}

int parse_mode_opt(struct parsed *p, const struct optitem *it, enum tun_mode *mode)
{
	char err[ERRLEN];

	if (*mode != MODE_ANY)
		return opt_twice(p, it);
	if (!parse_mode(it->val, mode, err, sizeof(err)))
		return usage_err(p, "%s", err);
	return 0;
}

/* A command line of global options alone: 0 for --help, --version and
 * -b FILE, else 2 with the message in err. */
static int globals_only(const struct globals *g, bool batch, char *err, size_t errlen)
{
	if (g->netns && !parse_netns_name(g->netns, err, errlen))
		return 2;
	if (g->help || g->version || g->batch)
		return 0;
	if (g->force) {
		snprintf(err, errlen, "--force goes with -b FILE (see tunctl --help)");
		return 2;
	}
	snprintf(err, errlen, batch ? "empty command" : "no command given (see tunctl --help)");
	return 2;
}

/* The row of the command argv[i] names, or NULL with the message in err:
 * an unknown command (an iproute2 object word's hint, or the nearest
 * name), or one that may not stand in a batch file. */
static const struct command *find_command(char **argv, int argc, int i, bool batch, bool hints,
					  char *err, size_t errlen)
{
	const struct command *spec = cmd_by_name(argv[i]);

	if (!spec) {
		const char *near = nearest_cmd(argv[i]);

		if (hints && hint_ip_object(argv, argc, i, batch, err, errlen))
			return NULL;
		if (near)
			snprintf(err, errlen, "unknown command \"%s\"; did you mean \"%s\"?", argv[i], near);
		else
			snprintf(err, errlen, "unknown command \"%s\" (see tunctl --help)", argv[i]);
		return NULL;
	}
	if (batch && spec->no_batch) {
		snprintf(err, errlen, "%s", spec->no_batch);
		return NULL;
	}
	return spec;
}

/* The command's own options and words (argv[i] is its name) into req by
 * its parser: the exit status, with the message (or a hint) in p->err. */
static int parse_command(char **argv, int argc, int i, const struct command *spec, struct parsed *p,
			 struct request *req, bool batch, bool hints)
{
	int rc;

	req->cmd = spec->id;
	p->cmd = spec->name;
	if (tokenize(argc - i - 1, argv + i + 1, spec->opts, late_global_opts, &req->g, false, p) < 0) {
		if (hints)
			hint_args(argv, argc, i, spec, p, batch, true);
		return 2;
	}
	if (req->g.help)
		return 0;
	if (req->g.force && !req->g.batch) {
		hint_force(argv, argc, i, spec, p->err, p->errlen);
		return 2;
	}
	rc = spec->parse(p, req);
	if (rc == 2 && hints)
		hint_args(argv, argc, i, spec, p, batch, false);
	return rc;
}

int parse_common(int argc, char **argv, struct request *req, char *err, size_t errlen,
		 bool batch, bool hints)
{
	struct parsed p = { .err = err, .errlen = errlen, .bad = -1, .dashdash = -1 };
	const struct command *spec;
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
		rc = globals_only(&req->g, batch, err, errlen);
		goto out;
	}
	if (req->g.netns && !parse_netns_name(req->g.netns, err, errlen))
		goto out;
	if (req->g.batch) {
		snprintf(err, errlen, "--batch takes its commands from the file, not \"%s\"", argv[i]);
		goto out;
	}
	if ((spec = find_command(argv, argc, i, batch, hints, err, errlen)))
		rc = parse_command(argv, argc, i, spec, &p, req, batch, hints);
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
	const struct command *cmd = cmd_get(req->cmd);

	if (cmd && cmd->free)
		cmd->free(req);
	free(req->own);
	req->own = NULL;
}
