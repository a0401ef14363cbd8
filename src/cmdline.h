/* cmdline.h - pure: argv to a request. No I/O, no printing, no exit. */
#ifndef TUNCTL_CMDLINE_H
#define TUNCTL_CMDLINE_H

#include "parse.h"

enum cmd_id {
	CMD_NONE = 0,
	CMD_ADD,
	CMD_DEL,
	CMD_LIST,
	CMD_SHOW,
	CMD_SET,
	CMD_ADDR,
	CMD_ROUTE,
	CMD_ATTACH,
	CMD_RUN,
	CMD_SAVE,
	CMD_APPLY,
	CMD_HELP,
	CMD_CLASSIC,
	CMD_BROKER,
	CMD_MONITOR,
	CMD_WAIT,
	CMD_CHECK,
	CMD__COUNT
};

struct globals {
	bool json;
	bool help;
	bool version;
	bool force;             /* with --batch: go on after a failing line */
	const char *netns;
	const char *batch;
};

struct add_req {
	const char *name;
	enum tun_mode mode;
	struct id_spec user, group;
	bool any_user, pi, vnet_hdr, multi_queue, exist_ok;
	bool adopt_owned;       /* broker: --exist-ok adopts only a device user owns */
	bool keep_config;       /* apply files only: other addresses and routes are the program's */
	struct link_spec link;
	struct addr_spec *addrs;
	size_t naddrs;
	struct route_spec *routes;
	size_t nroutes;
};

struct del_req {
	char **names;           /* points into argv */
	size_t nnames;
	bool all, force;
	bool unused;            /* names are patterns (none: every device) */
	enum tun_mode mode;
};

struct list_req {
	enum tun_mode mode;
	bool unused;            /* only devices no process holds */
};

struct show_req {
	const char *name;           /* NULL: every device */
};

struct set_req {
	const char *name;
	struct id_spec user, group;
	bool no_user, no_group;
	bool yes;               /* even if --group locks the caller out */
	struct link_spec link;
	const char *netns;
	const char *rename;     /* --name NEW: NULL none */
};

/* OP_REPLACE: add, or change the one there, as ip's "replace" does
 * (NLM_F_CREATE | NLM_F_REPLACE). */
enum op { OP_ADD, OP_DEL, OP_FLUSH, OP_REPLACE };

struct addr_req {
	enum op op;
	const char *name;
	struct addr_spec addr;
	bool exist_ok;          /* add: the same address there already is fine */
};

struct route_req {
	enum op op;
	const char *name;
	struct route_spec route;
	bool exist_ok;          /* add: the same route there already is fine */
};

struct attach_req {
	const char *name;
	bool has_count;
	uint64_t count;
	bool hex, echo;
	const char *pcap;
};

/* tunctl run NAME [--queues N] [--fd K] -- COMMAND [ARGS...] */
struct run_req {
	const char *name;
	unsigned queues;        /* descriptors to open: 1 unless --queues */
	unsigned first_fd;      /* where they go: 3 unless --fd */
	int pi, vnet_hdr;       /* the attach's flags: 1 on, 0 off, -1 as the device has */
	char **argv;            /* COMMAND and ARGS: a NULL-ended tail of argv */
};

struct save_req {
	char **names;           /* points into argv; none: every device */
	size_t nnames;
	char **keep;            /* --keep-config NAME: points into argv */
	size_t nkeep;
};

struct apply_req {
	const char *file;       /* "-": standard input */
	bool dry_run, prune, recreate, force;
	bool per_device;        /* each device all or nothing on its own */
	bool yes;               /* lines whose owner is not in their group too */
};

struct help_req {
	enum cmd_id topic;
};

/* The classic UML-utilities tunctl: tunctl [-b] [-u U] [-g G] [-t NAME] [-p|-n] [-f PATH], tunctl -d NAME */
struct classic_req {
	bool del, brief;
	const char *name;       /* NULL: tap%d / tun%d */
	enum tun_mode mode;
	bool mode_set;          /* -n or -p given */
	struct id_spec user, group;
	const char *clone_path;
};

/* The classic tool's usage text, printed after a classic usage error
 * (which exits 1, as the classic tool did). */
extern const char classic_usage[];

struct request {
	enum cmd_id cmd;
	struct globals g;
	union {
		struct add_req add;
		struct del_req del;
		struct list_req list;
		struct show_req show;
		struct set_req set;
		struct addr_req addr;
		struct route_req route;
		struct attach_req attach;
		struct run_req run;
		struct save_req save;
		struct apply_req apply;
		struct help_req help;
		struct classic_req classic;
	} u;
	/* A command may keep its request struct in its own file instead of
	 * in u: its parser allocates it here, request_free frees it. (u holds
	 * those that other files read: batch.c, apply, the unit tests.) */
	void *own;
};

struct ctx;
struct optdef;
struct parsed;

/* The command table (commands.c): one row per command drives parsing,
 * dispatch and help. */
struct command {
	const char *name;
	const char *alias;      /* NULL: none */
	enum cmd_id id;
	const struct optdef *opts;      /* its options (args.h), NULL-name ended */
	/* Pure: the tokenized arguments into req->u (or req->own). NULL: not a command
	 * word (classic, recognised by its options). */
	int (*parse)(struct parsed *p, struct request *req);
	/* Runs the request: the exit status, 0, 1 or 2. */
	int (*run)(struct ctx *c, const struct request *req);
	/* Frees what parse allocated in req->u; NULL: nothing. */
	void (*free)(struct request *req);
	/* Why it may not stand in a batch file; NULL: it may. */
	const char *no_batch;
	const char *synopsis;
	const char *summary;
	const char *options;    /* option lines of its --help; "" for none */
};

extern const struct command commands[];
extern const size_t ncommands;

/* Returns 0 on success, 2 on bad usage with a message in err.  The request
 * points into argv, which must outlive it. */
int cmdline_parse(int argc, char **argv, struct request *req, char *err, size_t errlen);
/* Like cmdline_parse for one line of a batch file: global options other than
 * -j are refused there. */
int cmdline_parse_batch(int argc, char **argv, struct request *req, char *err, size_t errlen);
void request_free(struct request *req);

/* The command table's lookups (cmdtab.c): a command's name ("tunctl" for
 * none), the command called name or by its alias (CMD_NONE: none). */
const char *cmd_name(enum cmd_id id);
enum cmd_id cmd_lookup(const char *name);
/* The row of the command called name (or by its alias), or NULL. */
const struct command *cmd_by_name(const char *name);
/* The row of command id, or NULL (CMD_NONE). */
const struct command *cmd_get(enum cmd_id id);

#endif
