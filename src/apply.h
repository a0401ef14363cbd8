/* apply.h - apply in three parts around two device models: the reader
 * (apply_read.c: the file's lines into wants, the namespace into a devset
 * and the facts the diff asks for), the diff (apply_plan.c: pure, the wants
 * against the devset give a record per wanted device and the plan) and
 * the carrying out (apply_do.c). */
#ifndef TUNCTL_APPLY_H
#define TUNCTL_APPLY_H

#include "batch.h"
#include "dev.h"
#include "devconf.h"
#include "link.h"
#include "ops.h"

/* One device as the file wants it. */
struct want {
	const struct add_req *r;
	const char *where;              /* FILE:LINE */
	struct tun_flags flags;
	struct owner o;                 /* with the secure default of add */
	struct link_spec link;          /* state always set: up unless --down */
};

enum step { ST_CREATE, ST_RECREATE, ST_DELETE, ST_SET, ST_ADD, ST_REMOVE, ST_NOTE };

/* Room for a plan line's text: an address or a route, or a note naming a
 * process. */
#define PLAN_TEXT_LEN 300

/* One line of the plan. */
struct change {
	enum step op;
	const char *dev;
	const char *what;               /* set: the setting; add, remove: "addr" or "route" */
	char from[LINK_TEXT_LEN], to[LINK_TEXT_LEN]; /* set, recreate: a whole text setting fits */
	char text[PLAN_TEXT_LEN];       /* add, remove: the address or route; note: the note */
};

struct plan {
	struct change *v;
	size_t n, cap;
	bool oom;
};

/* The three exchanges of a present device, in the order they are sent
 * for all devices at once: every device's route deletions, then address
 * deletions, then the rest (link settings, additions). */
enum present_job { JOB_ROUTE_DEL, JOB_ADDR_DEL, JOB_ADD, JOB_N };

/* The id in apply's first run (apply->run1) of the exchange k of the i-th
 * wanted device. */
static inline size_t apply_job(size_t i, enum present_job k)
{
	return JOB_N * i + k;
}

/* One wanted device: what the diff found (present or to be made, what
 * differs), then what carrying it out made of it. */
struct apply_dev {
	struct want *w;
	struct device *d;               /* present: the namespace's; NULL: to be made */
	bool recreate;                  /* present, to be deleted and made again */
	bool promote;                   /* its promote_secondaries (sidefx.h) */
	bool attach;                    /* pi, vnet_hdr, owner or group to set */
	struct link_spec link, old;     /* the link settings that differ, and theirs now */
	struct addr_spec *add_a, *del_a;
	size_t nadd_a, ndel_a;
	struct route_spec *add_r, *del_r;
	size_t nadd_r, ndel_r;
	/* Carrying out. */
	struct devconf dc[JOB_N];       /* present: its three exchanges */
	struct devconf dc_new;          /* made (or re-made): its configuration */
	int fd;                         /* made (or re-made): the new device, until kept */
	int ifindex;                    /* made (or re-made): the new device's */
	char tmpname[16];               /* re-made: the old one's while the new is made */
	bool renamed, attached;
};

/* Why the diff needs a device held or not (each says so differently
 * when the kernel cannot tell). */
enum held_for { HELD_NO, HELD_RECREATE, HELD_PI, HELD_OWNER, HELD_PRUNE };

/* What the diff of one device needs of the kernel beyond the link dump,
 * in the order the reader reads it: the holders of every device (one
 * pass over /proc, before promote_secondaries when holders_first, after it
 * otherwise), whether this device is held (held, for the reason given), and
 * its promote_secondaries. */
struct fact_need {
	size_t dev;                     /* in apply->cur.v */
	const char *where;              /* its line: FILE:LINE; NULL: a device the file does not name */
	bool holders, holders_first, promote;
	enum held_for held;
};

/* What the diff refuses (a device that cannot be converged), said at
 * where (NULL: no line); the size of report()'s message. */
#define REFUSAL_LEN 1024
struct refusal {
	const char *where;
	char text[REFUSAL_LEN];
};

/* How apply_carry_out ended, beyond its status. */
enum apply_outcome {
	APPLY_DONE,                     /* 0: done; 1: failed, reported, undone */
	APPLY_RACED,                    /* 1, not reported: a device came to exist meanwhile; undone, to try again */
	APPLY_STOPPED,                  /* 1, not reported: a stop signal (in stop_sig); undone */
};

struct apply {
	struct ctx *c;
	const struct apply_req *ar;
	/* The file's model. */
	struct want *w;
	size_t nw;
	/* The namespace's model, and what the reader learnt of each device
	 * for the diff. */
	struct devset cur;
	/* The diff: a record per want, the devices to delete (pruned or
	 * left over), the plan; diff_at: where apply_diff resumes. */
	struct apply_dev *dev;          /* per w */
	struct device **prune;
	size_t nprune;
	struct plan plan;
	size_t diff_at;
	/* Carrying out. */
	struct dc_run run1, run2;
	enum apply_outcome outcome;
	int stop_sig;                   /* APPLY_STOPPED: the signal */
	/* --per-device: a pass about w alone (wants_only: the devices the
	 * file does not name are left for the last pass), or the last pass
	 * (nw 0), which must know every name of the file (file_names). */
	bool wants_only;
	const char *const *file_names;
	size_t nfile_names;
};

/* apply_read.c */

/* The file's lines as wanted devices, into w (where: room for each line's
 * FILE:LINE). Returns 0, or 2 (1 when a user or group lookup failed)
 * after reporting FILE:LINE. */
int apply_read_wants(struct ctx *c, const struct batch_line *v, size_t n, const char *name,
		     struct want *w, char (*where)[WHERE_LEN]);
/* A device, or a route (same destination, metric and table), given twice
 * in w: 0, or 2 after reporting the second line. */
int apply_check_twice(struct ctx *c, struct want *w, size_t n);
/* Reads the namespace, and works out the plan (apply_diff), reading what
 * it asks for.  Returns 0, or 1 after reporting. */
int apply_make_plan(struct apply *a);

/* apply_plan.c: pure, no I/O, no reporting. */

/* The diff of the file's wants (a->w) against the namespace (a->cur, with
 * each device's facts): into a->dev (allocated by the caller, a record per want),
 * a->prune (room for a->cur.n) and a->plan, from a->diff_at on.  Returns
 * 0 when done; 1 when refused (*why, what the caller reports); 2 when it
 * needs facts of a device not read yet (*need: the caller reads them,
 * sets a->cur.v[need->dev].facts.read and calls again, the diff resuming there);
 * -ENOMEM (the caller reports it).  a->plan.oom: plan lines lost. */
int apply_diff(struct apply *a, struct refusal *why, struct fact_need *need);
/* The part of the diff of a present device d against what w wants that
 * is its link settings, addresses and routes: into t (what differs, and in
 * t->old d's link settings now; t->promote as read) and plan lines.
 * Returns 0 or -ENOMEM (p->oom: plan lines lost); t's arrays are the
 * caller's to free (apply_reset). */
int apply_diff_config(const struct want *w, const struct device *d, struct apply_dev *t, struct plan *p);

/* apply_do.c */

/* Carries the plan out.  Returns 0, or 1 with a->outcome: APPLY_DONE
 * after reporting (everything undone), APPLY_RACED when a device came to
 * exist meanwhile (undone, to try again), or APPLY_STOPPED when SIGINT,
 * SIGTERM or SIGHUP (which the caller blocks) came before the deletions,
 * the step that cannot be undone (undone, not reported; the signal in
 * a->stop_sig).  Once the deletions have begun it finishes; the signal
 * stays pending. */
int apply_carry_out(struct apply *a);
/* Frees what one try made, for the next (or the end). */
void apply_reset(struct apply *a);

/* cmd_apply.c */
void apply_print_plan(struct ctx *c, const struct plan *p);

#endif
