/* ops.h - the operations that change devices, shared by add, set, del,
 * batch, classic and apply: create one configured (or adopt it), converge
 * an existing device's link settings with undo, attach as an administrator,
 * ask the kernel whether a device is held, delete many.  The commands are
 * glue over them.  Unless said otherwise each reports once and returns the
 * exit status (0, 1, 2); those that say -errno report nothing. */
#ifndef TUNCTL_OPS_H
#define TUNCTL_OPS_H

#include "devconf.h"
#include "owner.h"
#include "rtnl.h"
#include "sysfs.h"
#include "ctx.h"

/* Which step of a tun operation failed, for the caller's message. */
enum ops_step { OPS_OPEN, OPS_CREATE, OPS_OWNER, OPS_GROUP };

/* Creates name (a template is filled in; 16 bytes) with flags f, held by
 * *fd and not persistent, owned as o says.  0 or -errno (-EBUSY or -EEXIST:
 * the name is taken), *step saying which step failed; *fd is -1 or the
 * caller's to close. */
int ops_tun_create(int *fd, char *name, const struct tun_flags *f, const struct owner *o,
		   enum ops_step *step);

/* Whether a failed ops_tun_create (err, at step) found the name taken
 * (-EBUSY or -EEXIST at OPS_CREATE): nothing reports that but the caller,
 * which says it or handles it. */
bool ops_create_taken(int err, enum ops_step step);
/* Reports a failed ops_tun_create of name (err, at step), owned as o, one
 * that did not find the name taken (ops_create_taken): returns 1. */
int ops_report_create(struct ctx *c, int err, enum ops_step step, const char *name, const struct owner *o);

/* Attaches to name without carrier, as an administrator does (so no IPv6
 * link-local address comes of it), setting flags f and then the owner and
 * group that o sets (o may be NULL).  0 or -errno; *step (step may be
 * NULL) says which failed. */
int ops_admin_attach(const char *name, const struct tun_flags *f, const struct owner *o,
		     enum ops_step *step);

/* An existing device converged in one exchange (dc: its link settings,
 * addresses and routes), its link settings read first (one RTM_GETLINK,
 * dev_link_now) so that ops_converge_undo can put them back after a later
 * step fails. */
struct ops_converge {
	struct devconf dc;
	struct link_spec old;
	struct dc_run run;
};

/* Returns 0 or 1 after reporting (what it did undone).  cv is the
 * caller's to free with ops_converge_free, whatever the outcome. */
int ops_converge(struct ctx *c, struct ops_converge *cv, const char *name, int ifindex,
		 const struct devconf *dc);
void ops_converge_undo(struct ctx *c, struct ops_converge *cv);
void ops_converge_free(struct ops_converge *cv);

/* Whether the kernel says a process holds name, for when /proc could not
 * show every process (proc_unseen): a multi-queue device counts its
 * attached queues (li: its link from a dump, or NULL to have one made); a
 * single-queue one refuses a second reader (EBUSY), which an attach
 * without carrier asks at no cost to the device.  1 held, 0 not, or -1
 * after reporting that it cannot be known ("...; fix"). */
int ops_held_per_kernel(struct ctx *c, const struct device *li, const char *name, const char *fix);

/* One device being made: created and held by fd (not persistent yet), then
 * configured, then kept (made persistent, its name printed) or dropped
 * (fd closed). */
struct add_req;

struct add_job {
	const struct add_req *r;
	const char *where;
	bool json;
	struct owner o;
	struct devconf dc;
	int fd;
	int ifindex;
	char name[16];
	bool adopt_taken;       /* a taken name is the caller's to adopt: not reported */
	bool exists;            /* creation failed: the name is taken */
	char *err;              /* batch: the creation error, shown in line order */
};

/* Creates j's device, held by j->fd. */
int ops_job_create(struct ctx *c, struct add_job *j);
/* Keeps (persistent, then its name printed) or drops the device. */
int ops_job_finish(struct ctx *c, struct add_job *j, bool keep);
/* "add": one device created, configured and kept, all or nothing; with
 * --exist-ok, one that is there adopted (and any number of processes
 * adding the same line at once end with one device). */
int ops_add(struct ctx *c, const struct add_req *r);

/* Deletes the devices named, with one unregistration for all of them, and
 * those a del cut short left in tunctl's link groups.  links: the
 * namespace's, sorted by links_sort. */
int ops_delete(struct ctx *c, char *const *names, size_t n, const struct device *links, size_t nlinks);
/* The link group apply puts a device in while it is set aside to be
 * re-created (renamed tunctl<index>, down): one of del's groups, so that
 * one an apply killed (kill -9) left there is a leftover for the next del
 * or apply to delete. */
#define OPS_ASIDE_GROUP 0x7e5700ffu
/* Whether a device in link group is one a del or an apply that was
 * killed left (tunctl's groups): under ctx_lock no other tunctl is using
 * them, so the next del or apply deletes it. */
bool ops_leftover_group(uint32_t group);
/* del --unused's lock: tunctl attaches to each of names itself, so that
 * no process can attach meanwhile, and keeps those no other process
 * holds, per the kernel: a single-queue device takes one reader (taken:
 * held), a multi-queue one at most 256 queues (full before 256 of them
 * are ours: held).  Sets keep[i]; the descriptors that hold them are
 * appended to *fds (*nfds), to be closed once they are deleted.  Returns
 * 0, or 1 after reporting (an attach or a sysfs read failing otherwise
 * than a held, changed or gone device makes them fail: nothing is
 * deleted). */
int ops_hold_unused(struct ctx *c, char *const *names, size_t n, bool *keep, int **fds, size_t *nfds);
/* Refuses (1) when a process holds any of names, naming it: from /proc,
 * and, for what /proc could not show, from the kernel. */
int ops_check_holders(struct ctx *c, char *const *names, size_t n, const struct device *links,
		      size_t nlinks);

#endif
