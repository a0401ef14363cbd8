/* tunctl.h - what the commands share: the context and their entry points.
 *
 * How failure is said, across tunctl:
 * - The kernel-facing modules (tun, nl, sysfs, procfs, ids, dump_state)
 *   report nothing and return 0 or -errno (or a value that cannot be
 *   negative, an fd, an index, a size, in place of the 0); the parsers
 *   (parse.c's, rtnl's) return bool with the message in their err buffer
 *   where they have one, and cmdline_parse the exit status with it, for
 *   main to report; rtnl's builders return NULL when a message won't fit.
 * - What takes a ctx and reports (the commands, batch, devconf, dev, the
 *   dump_* lists and the helpers below) says it once and returns the exit
 *   status: 0 done, 1 the operation failed, 2 bad input.
 * - Of those, what returns a pointer returns NULL after reporting. */
#ifndef TUNCTL_H
#define TUNCTL_H

#include <stdbool.h>
#include <stdio.h>

#include "cmdline.h"
#include "nl.h"
#include "output.h"

/* Room for "FILE:LINE", what a batch's or apply's messages start with. */
#define WHERE_LEN 300

struct ctx {
	struct out out;
	struct nl nl;
	bool nl_ready;
	const char *where;      /* "FILE:LINE" in batch mode, else NULL */
	/* When set, the first report goes here (a whole line) instead of to
	 * stderr, and later ones are dropped: for errors whose turn to be
	 * shown comes later. */
	char *capture;
	size_t capture_len;
};

/* One line on stderr: "tunctl: [FILE:LINE: ]message". */
void report(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "tunctl: WHAT: <kernel message or strerror>[ hint]". */
void report_err(struct ctx *c, int err, const char *kmsg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "NAME is in use by COMM (pid N): why", naming the processes in this
 * namespace that hold the device (the first three, and how many more). */
void report_in_use(struct ctx *c, const char *name, const char *why);
/* For a failed ids_user or ids_group (err) of the user or group (what)
 * called name: reports it and returns the exit status, 2 for a name that
 * does not exist, 1 when the lookup failed. */
int report_id(struct ctx *c, int err, const char *what, const char *name);
/* A failed read of /sys/class/net[/name] (name may be NULL), saying so
 * when /sys is not mounted. */
void report_sysfs(struct ctx *c, int err, const char *name);
/* "cannot open PATH: ..." for a failed tun_open (err is -errno; path NULL:
 * /dev/net/tun); on EACCES with the node's mode and owner and the fix. */
void report_tun_open(struct ctx *c, int err, const char *path);
/* The socket, opened on first use; NULL after reporting why not. */
struct nl *ctx_nl(struct ctx *c);
void ctx_free(struct ctx *c);

struct tun_info;
/* Why attaching to the device (TUNSETIFF) gave EPERM: the owner or group
 * the caller lacks, named. */
void report_attach_denied(struct ctx *c, const struct tun_info *ti);
struct holder;
/* The fields every device has, in list and show alike (JSON only), up and
 * carrier included (devprint.c). */
void print_tun_fields(struct out *o, const struct tun_info *t);
/* list's STATE column and show's "link" word: "up", "up,no-carrier"
 * (up, but no reader attached), "down". */
const char *link_state_name(bool up, bool carrier);
/* The holders h[0..n) as a "processes" array; text: a line each. */
void print_processes(struct out *o, const struct holder *h, size_t n);

/* Reads NAME from sysfs; reports and returns 1 when it is missing or not
 * TUN/TAP.  ifindex may be NULL.  For the commands that need what only
 * sysfs's tun_flags says (IFF_NAPI, IFF_NAPI_FRAGS, which the tun driver's
 * link info leaves out), to attach with the device's own flags: run,
 * attach, classic, set (owner and group by attaching); and del, whose
 * check before deleting still reads it.  A lookup that needs no more than
 * the link dump gives is dev_lookup (dev.h): addr, route; save takes its
 * answer from its own dump. */
int find_tun(struct ctx *c, const char *name, struct tun_info *ti, int *ifindex);
/* A device's index into *ifindex: 0, or 1 after reporting why not. */
int ctx_ifindex(struct ctx *c, const char *name, int *ifindex);
/* Opens /run/netns/NAME into *fd (-1 on failure): 0, or 1 after reporting. */
int open_netns(struct ctx *c, const char *name, int *fd);

/* The command table (commands.c). */
void usage(FILE *f);
int run_request(struct ctx *c, const struct request *req);
/* Batch mode (batch.c): path "-" is stdin. */
int batch_run(struct ctx *c, const char *path, bool json, bool force);

/* One line of a batch file, parsed. */
struct batch_line {
	unsigned no;
	char **argv;            /* one allocation from split_words */
	struct request req;
};
/* Reads and parses the whole file (path "-": stdin; *name is what errors
 * call it) without running anything. Returns 0, 1 or 2 after reporting
 * "FILE:LINE: ..."; free the lines with batch_lines_free. */
int batch_read(struct ctx *c, const char *path, const char **name, struct batch_line **out, size_t *n);
void batch_lines_free(struct batch_line *v, size_t n);
/* The descriptors a process may have, the soft limit raised to the hard
 * one first: for holding many new devices at once. */
size_t fd_room(void);

/* Consecutive add lines of a batch: created, then configured in one
 * exchange, then kept in line order.  Without force, the lines after a
 * failing one are undone; done counts the lines that ran. */
struct add_many {
	const struct add_req **reqs;
	const char **wheres;
	const bool *json;
	size_t n;
	bool force;
	size_t done;
};
int add_run_many(struct ctx *c, struct add_many *m);

/* Each returns the exit status: 0, 1 (the operation failed) or 2 (bad input). */
int add_run(struct ctx *c, const struct add_req *r);
int del_run(struct ctx *c, const struct del_req *r);
int list_run(struct ctx *c, const struct list_req *r);
int show_run(struct ctx *c, const struct show_req *r);
int set_run(struct ctx *c, const struct set_req *r);
int addr_run(struct ctx *c, const struct addr_req *r);
int route_run(struct ctx *c, const struct route_req *r);
int attach_run(struct ctx *c, const struct attach_req *r);
/* Returns only on failure (1, 2, or 126/127 as a shell would for COMMAND). */
int run_run(struct ctx *c, const struct run_req *r);
int save_run(struct ctx *c, const struct save_req *r);
int apply_run(struct ctx *c, const struct apply_req *r);
int classic_run(struct ctx *c, const struct classic_req *r);

#endif
