/* args.h - pure: the parser's insides, shared by cmdline.c (the tokenizer),
 * the per-command parsers (args_dev.c, args_ops.c), classic_args.c, hints.c
 * and the command table (commands.c), which names each command's options
 * and parser. No I/O, no printing, no exit. */
#ifndef TUNCTL_ARGS_H
#define TUNCTL_ARGS_H

#include <getopt.h>
#include <stddef.h>

#include "cmdline.h"
#include "link.h"

enum opt_id {
	O_FLAG = 1,             /* a bool of the request, set by the table (optdef.flag) */
	O_JSON, O_HELP, O_VERSION, O_NETNS, O_BATCH, O_FORCE,
	O_MODE, O_USER, O_GROUP,
	O_ADDR, O_PEER, O_ROUTE, O_UP, O_DOWN, O_NOMASTER,
	O_MASTER,               /* check --master DEV (add and set: O_LINK + LINK_MASTER) */
	O_COUNT, O_PCAP, O_QUEUES, O_FD, O_PI, O_NO_PI, O_VNET_HDR, O_NO_VNET_HDR,
	O_SOCKET, O_POLICY, O_TIMEOUT, O_FOR,
	O_RENAME, O_KEEP_CONFIG,
	/* O_LINK + LINK_x (link.h): the link setting's --NAME VALUE. */
	O_LINK = 100,
};

struct optdef {
	const char *name;
	int has_arg;
	int id;
	char short_name;
	bool flag;              /* sets the bool at off in the command's request, once */
	size_t off;
};

/* A flag option sets the bool field of the command's request struct type:
 * { "pi", no_argument, FLAG_IN(struct add_req, pi) }. Given twice, it is
 * refused. */
#define FLAG_IN(type, field) .id = O_FLAG, .flag = true, .off = offsetof(type, field)
#define OPT_END { .name = NULL }

/* The link settings' options, from their rows (link.h): LINK_OPTS in a
 * command's .opts, LINK_HELP(ADD) or LINK_HELP(SET) in its .options. */
#define LINK_OPT(row, nm, ...) { nm, required_argument, .id = O_LINK + LINK_##row },
#define LINK_OPTS LINK_SETTINGS(LINK_OPT)
#define LINK_HELP_ADD(id, nm, add, set, ...) add
#define LINK_HELP_SET(id, nm, add, set, ...) set
#define LINK_HELP(which) LINK_SETTINGS(LINK_HELP_##which)

/* The link setting an option id stands for, or NULL. */
static inline const struct link_setting *opt_link(int id)
{
	return id >= O_LINK && id < O_LINK + LINK_STATE ? &link_settings[id - O_LINK] : NULL;
}

struct optitem {
	const struct optdef *def;
	const char *val;
};

/* A command's arguments, tokenized: its options in order, and the rest. */
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

/* Global options: before the command; those also accepted after it
 * (cmdtab.c, with the lookups below). */
extern const struct optdef global_opts[];
extern const struct optdef late_global_opts[];

/* The message for bad usage, in p->err; returns 2. */
int usage_err(struct parsed *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Out of memory is no fault of the input: the operation failed, 1. */
int oom_err(struct parsed *p);

/* The option of defs called name (len bytes of it), or with the short
 * name c; NULL: none (cmdtab.c). */
const struct optdef *find_long(const struct optdef *defs, const char *name, size_t len);
const struct optdef *find_short(const struct optdef *defs, char c);
/* The global option (global_opts) that the word a is, or NULL; *words is
 * how many words it takes, 2 when its value is the next one. */
const struct optdef *global_opt_word(const char *a, int *words);

/* Calls fn(p, it, arg) on each option of p in order, except flag options
 * (optdef.flag), which it sets in req itself, refusing one given twice.
 * fn may be NULL when all are flags. The first non-zero status stops it. */
typedef int (*opt_fn)(struct parsed *p, const struct optitem *it, void *arg);
int each_opt(struct parsed *p, void *req, opt_fn fn, void *arg);

/* "option --NAME is given twice"; returns 2. */
int opt_twice(struct parsed *p, const struct optitem *it);
/* pos[idx] as the device name (allow_template: may hold one %d). */
int need_name(struct parsed *p, int idx, const char **name, bool allow_template);
/* Refuses a positional word from pos[idx] on. */
int no_more(struct parsed *p, int idx);
int parse_mode_opt(struct parsed *p, const struct optitem *it, enum tun_mode *mode);

/* The command's parsers (args_dev.c, args_ops.c): 0, 1 (out of memory) or
 * 2 (bad usage), with the message in p->err. */
int parse_add(struct parsed *p, struct request *req);
int parse_del(struct parsed *p, struct request *req);
int parse_list(struct parsed *p, struct request *req);
int parse_show(struct parsed *p, struct request *req);
int parse_set(struct parsed *p, struct request *req);
int parse_save(struct parsed *p, struct request *req);
int parse_addr(struct parsed *p, struct request *req);
int parse_route_cmd(struct parsed *p, struct request *req);
int parse_attach(struct parsed *p, struct request *req);
int parse_run(struct parsed *p, struct request *req);
int parse_apply(struct parsed *p, struct request *req);
int parse_help(struct parsed *p, struct request *req);
/* What parse_add, parse_del and parse_save allocate. */
void free_add(struct request *req);
void free_del(struct request *req);
void free_save(struct request *req);

/* The classic tunctl's command line (classic_args.c). */
bool looks_classic(int argc, char **argv);
int parse_classic(int argc, char **argv, struct request *req, char *err, size_t errlen);

/* The whole parse, for hints to check a suggestion with (cmdline.c). */
int parse_common(int argc, char **argv, struct request *req, char *err, size_t errlen,
		 bool batch, bool hints);

/* Hints (hints.c): for a command line that does not parse, the tunctl form
 * of what was probably meant, in place of the message in p->err. */
void hint_args(char **argv, int argc, int ci, const struct command *cmd,
	       const struct parsed *p, bool batch, bool tokenize_failed);
void hint_force(char **argv, int argc, int ci, const struct command *cmd, char *err, size_t errlen);
/* "tunctl tuntap add ...", "tunctl link set ...": iproute2's object word
 * at argv[ci], where tunctl has its command; the tunctl line in err. */
bool hint_ip_object(char **argv, int argc, int ci, bool batch, char *err, size_t errlen);
/* The command name or alias nearest to w, or NULL. */
const char *nearest_cmd(const char *w);
/* The option of defs or globals nearest to the unknown --name (len bytes
 * of it), or NULL. */
const char *nearest_opt(const struct optdef *defs, const struct optdef *globals,
			const char *name, size_t len);

#endif
