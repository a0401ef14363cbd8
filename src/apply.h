/* apply.h - what apply's plan (apply_plan.c) and its carrying out
 * (apply_do.c) share: the wanted devices, the plan, what is to be done. */
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

/* What is to be done to one present device. */
struct todo {
	struct want *w;
	struct device *d;
	bool recreate;
	bool promote;                   /* its promote_secondaries (sidefx.h) */
	bool attach;                    /* pi, vnet_hdr, owner or group to set */
	struct link_spec link, old;     /* the link settings that differ, and theirs now */
	struct addr_spec *add_a, *del_a;
	size_t nadd_a, ndel_a;
	struct route_spec *add_r, *del_r;
	size_t nadd_r, ndel_r;
	struct devconf dc_rdel, dc_adel, dc_add;
	int fd;                         /* recreate: the new device, until kept */
	int ifindex;                    /* recreate: the new device's */
	char tmpname[16];               /* recreate: the old one's while the new is made */
	bool renamed, attached;
};

struct apply {
	struct ctx *c;
	const struct apply_req *ar;
	struct want *w;
	size_t nw;
	struct devset cur;
	struct todo *t;                 /* per want: present devices */
	int *fds, *idx;                 /* per want: created devices */
	struct devconf *cdc;            /* per want: their configuration */
	struct device **prune;
	size_t nprune;
	struct plan plan;
	struct dc_run run1, run2;
	/* --per-device: a pass about w alone (wants_only: the devices the
	 * file does not name are left for the last pass), or the last pass
	 * (nw 0), which must know every name of the file (file_names). */
	bool wants_only;
	const char *const *file_names;
	size_t nfile_names;
	int stop_sig;                   /* apply_carry_out's -EINTR: the signal */
};

/* The file's lines as wanted devices, into w (where: room for each line's
 * FILE:LINE). Returns 0, or 2 (1 when a user or group lookup failed)
 * after reporting FILE:LINE. */
int apply_read_wants(struct ctx *c, const struct batch_line *v, size_t n, const char *name,
		     struct want *w, char (*where)[WHERE_LEN]);
/* A device, or a route (same destination, metric and table), given twice
 * in w: 0, or 2 after reporting the second line. */
int apply_check_twice(struct ctx *c, struct want *w, size_t n);
/* The pure part of the diff of a present device d against what w wants:
 * its link settings, addresses and routes, into t (what differs, and in
 * t->old d's link settings now) and plan lines.  No I/O, no reporting.
 * Returns 0 or -ENOMEM (p->oom: plan lines lost); t's arrays are
 * the caller's to free (apply_reset). */
int apply_diff_config(const struct want *w, const struct device *d, struct todo *t, struct plan *p);
/* Reads the namespace and works out the plan. Returns 0, or 1 after
 * reporting. */
int apply_make_plan(struct apply *a);
void apply_print_plan(struct ctx *c, const struct plan *p);
/* Carries the plan out. Returns 0, 1 after reporting (everything undone),
 * -EEXIST when a device came to exist meanwhile (undone, to try again), or
 * -EINTR when SIGINT, SIGTERM or SIGHUP (which the caller blocks) came
 * before the deletions, the step that cannot be undone (undone, not
 * reported; the signal in a->stop_sig).  Once the deletions have begun it
 * finishes; the signal stays pending. */
int apply_carry_out(struct apply *a);
/* Frees what one try made, for the next (or the end). */
void apply_reset(struct apply *a);

#endif
