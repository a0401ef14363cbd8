/* ctx.h - the context every layer that reports takes (output, the netlink
 * socket, where in a batch), the report helpers and the lookups that
 * report.  Includes neither the command line nor the commands.
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
#ifndef TUNCTL_CTX_H
#define TUNCTL_CTX_H

#include <stdbool.h>
#include <stdio.h>

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
	/* With -j (set by main): the first error is kept here instead of
	 * written, for ctx_flush_error to write as one JSON object once the
	 * exit status is known; later ones are dropped. */
	bool json_errors;
	struct {
		bool set;
		int err;                /* errno, 0: none */
		char msg[1024];
		char where[WHERE_LEN];  /* "FILE:LINE" or "" */
	} pending;
	/* ctx_lock's descriptor, while locked holds it; lock_path: root's
	 * lock file, unlinked by ctx_unlock ("": the nsfs lock). */
	bool locked;
	int lock_fd;
	char lock_path[64];
};

/* With json_errors: writes the kept error, if any, as one JSON object on
 * stderr: {"error", "errno" (its name), "device", "where", "exit",
 * "class"}, then forgets it.  device may be NULL. */
void ctx_flush_error(struct ctx *c, int rc, const char *device);

/* Makes the reports that follow start with WHERE ("FILE:LINE"; NULL:
 * nothing) and returns the place they started with until then, for the
 * caller to put back with ctx_at(c, old) once done. */
const char *ctx_at(struct ctx *c, const char *where);
/* One line on stderr: "tunctl: [FILE:LINE: ]message". */
void report(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "tunctl: [FILE:LINE: ]warning: message" on stderr: for what is done all
 * the same; never captured (c->capture is for errors). */
void warn(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "tunctl: [FILE:LINE: ]message" on stderr: what tunctl is doing, when it
 * takes long (waiting for another process); never captured, never JSON. */
void note(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "tunctl: WHAT: <kernel message or strerror>[ hint]". */
void report_err(struct ctx *c, int err, const char *kmsg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "NAME is in use by COMM (pid N): why", naming the processes (of any
 * namespace) that hold this namespace's device (the first three, and how many more). */
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
/* The namespace's lock: every command that changes devices (add, set,
 * addr, route, del, run's and attach's attach, apply, classic, a batch) holds it
 * exclusively while it reads and changes them, so that one runs after
 * another, a failing one's undo reverts nothing of another's, and none
 * sees a device another is still making.  Root's is a file in a
 * directory only root can write (CTX_LOCK_DIR, named for the namespace's
 * nsfs inode), so that no other user can hold it and make root's commands
 * (the broker's, the units') wait; where that cannot be had (not root,
 * /run read-only) it is the namespace's own inode (/proc/self/ns/net),
 * which any process of the namespace can open.  The kernel drops either
 * when its holder dies (kill -9).  Taken once (again: nothing), held
 * until ctx_unlock or exit (ctx_free leaves it).  0, or 1 after
 * reporting. */
#define CTX_LOCK_DIR "/run/tunctl/lock"
int ctx_lock(struct ctx *c);
void ctx_unlock(struct ctx *c);
/* The socket, opened on first use; NULL after reporting why not. */
struct nl *ctx_nl(struct ctx *c);
void ctx_free(struct ctx *c);

struct tun_info;
/* Why attaching to the device (TUNSETIFF) gave EPERM: the owner or group
 * the caller lacks, named. */
void report_attach_denied(struct ctx *c, const struct tun_info *ti);
/* The lookups of one TUN/TAP device that report (devread.c, the device
 * model's reader): through dev_lookup (dev.h), one RTM_GETLINK by name,
 * whose tun driver's link info gives mode, flags, owner and group.  0, or
 * 1 after reporting that it does not exist or is not TUN/TAP; ifindex may
 * be NULL.  A command that dumps the links anyway finds it in its dump. */
int find_tun(struct ctx *c, const char *name, struct tun_info *ti, int *ifindex);
/* find_tun, for attaching with the device's own flags (TUNSETIFF on a
 * device that exists sets its features to the caller's): also IFF_NAPI,
 * IFF_NAPI_FRAGS and IFF_ONE_QUEUE, which the kernel shows only in sysfs's
 * tun_flags (the tun driver's link info leaves them out).  For run,
 * attach, the broker's run, classic, and set's owner and group. */
int find_tun_attach(struct ctx *c, const char *name, struct tun_info *ti, int *ifindex);
/* A device's index into *ifindex: 0, or 1 after reporting why not. */
int ctx_ifindex(struct ctx *c, const char *name, int *ifindex);
/* Opens /run/netns/NAME into *fd (-1 on failure): 0, or 1 after reporting. */
int open_netns(struct ctx *c, const char *name, int *fd);

#endif
