/* devconf.h - link settings, addresses and routes applied in one pipelined exchange,
 * for one device or for many (batch mode) at once. */
#ifndef TUNCTL_DEVCONF_H
#define TUNCTL_DEVCONF_H

#include "ctx.h"

/* What taking a device down drops (its IPv6 addresses, and the routes
 * through it that the kernel does not make again itself), to be put back
 * when it comes up again (dc_keep). */
struct dc_kept {
	struct addr_spec *addrs;
	size_t naddrs;
	struct route_spec *routes;
	size_t nroutes;
};

struct devconf {
	const char *rename;                     /* first: the new name (NULL: none); messages
						 * and undo keep the old one */
	bool cycle;                             /* with rename: the device is up; it is taken
						 * down first (the kernel renames only a device
						 * that is down), and undo brings it up again */
	const struct dc_kept *kept;             /* with cycle: put back by undo */
	bool readd;                             /* addrs and routes put back what the down
						 * dropped: undo does not remove them */
	const struct link_spec *link;           /* NULL: none */
	const struct addr_spec *addrs;
	size_t naddrs;
	const struct route_spec *routes;
	size_t nroutes;
	bool add;                               /* false: delete the addresses and routes */
	bool exist_ok;                          /* an address or route that exists is fine */
	bool replace;                           /* with add: NLM_F_REPLACE, not NLM_F_EXCL */
	bool undo;                              /* on failure, remove what this call added */
	const struct link_spec *restore;        /* with undo: the link settings to put back */
	bool move;                              /* last: move the device to netns_fd */
	int netns_fd;
	const char *netns_name;                 /* the namespace moved to (with move); without
						 * move: the one the device is in, for messages
						 * (NULL: this one) */
};

struct dc_item;
struct dump_state;

/* Requests of several devices, sent in one exchange. */
struct dc_run {
	struct nl_tx tx;
	struct dc_item *items;
	size_t nitems, cap;
	/* A job was queued after a later one (apply's passes): a job's
	 * requests are looked for in the whole run, not by bisection. */
	bool unordered;
	char missing[640];      /* why dc_queue failed, other than out of memory: the
				 * device a setting names is not there ("": none, or
				 * already reported) */
	/* The addresses and routes from before (of one device, or of all:
	 * ifindex 0), which dc_undo puts back, as the kernel may have
	 * dropped them by itself (sidefx.h); NULL: none.  The run's. */
	struct dump_state *snap;
};

void dc_run_init(struct dc_run *run);
void dc_run_free(struct dc_run *run);
/* Reads what taking device ifindex down would drop into k: its IPv6
 * addresses that are permanent (not autoconfigured) and its routes that
 * are not the kernel's own (which come back with the addresses) nor from
 * router advertisements.  0 or -errno; reports nothing. */
int dc_keep(struct ctx *c, int ifindex, struct dc_kept *k);
void dc_kept_free(struct dc_kept *k);
/* Queues a device's requests in the order that makes them valid: the
 * rename (after taking the device down, with cycle), link settings (the
 * state last), addresses, routes.  job tags them.  A device a setting
 * names (the master) is looked up by name through c's socket, in the
 * namespace of the device (c's socket's, not necessarily the process's):
 * -ENODEV if it is not there. */
int dc_queue(struct ctx *c, struct dc_run *run, size_t job, const char *ifname, int ifindex,
	     const struct devconf *dc);
/* Reports dc_queue's failure err (a missing master, a failed lookup, or
 * out of memory) unless reported already; returns 1. */
int dc_queue_failed(struct ctx *c, const struct dc_run *run, int err);
/* Sends everything queued; reports and returns 1 if the exchange failed. */
int dc_send(struct ctx *c, struct dc_run *run);
/* Reports the first failed request of job, undoing what it added if asked.
 * Returns 0 or 1. */
int dc_result(struct ctx *c, struct dc_run *run, size_t job);

/* After an exchange that failed as a whole with err: asks the kernel again,
 * once, what became of each request of job whose answer was lost, and
 * records it as answered: done (0), not done (err, or what the kernel would
 * have said: -EEXIST for an address or route that before (the device's
 * addresses and routes before the exchange) already had).  A request not
 * sent gets err.  What cannot be settled (asking again failed, or no
 * before) stays NL_UNKNOWN, with a message that says it may have been done. */
void dc_verify(struct ctx *c, struct dc_run *run, size_t job, const struct dump_state *before, int err);

/* Keeps s (taken over: s is left empty) as run->snap. 0 or -ENOMEM. */
int dc_keep_snap(struct dc_run *run, struct dump_state *s);
/* Dumps ifindex's addresses and routes into run->snap.  0, or 1 after
 * reporting. */
int dc_snap_take(struct ctx *c, struct dc_run *run, const char *ifname, int ifindex);
/* After a move undone (the device moved back: the kernel took it down,
 * took it off its master and dropped its addresses and routes), quietly:
 * the link settings of was (its master, up again if it was), then
 * run->snap's addresses and routes of index from added back to ifindex. */
void dc_put_back(struct ctx *c, const struct dc_run *run, int from, int ifindex, const struct link_spec *was);
/* Puts routes (with a gateway) back on ifindex quietly, each with onlink
 * when the kernel refuses it because nothing reaches its gateway any more
 * (the address that did went after the route was made); one that is there
 * already is left as it is. */
void dc_put_back_routes(struct ctx *c, int ifindex, const struct route_spec *v, size_t n);

/* Removes what job added and puts back the link settings it changed (when
 * dc->restore is set), newest first: for a step after the exchange that
 * failed.  Then, with run->snap, adds back every address and route the
 * device had before, which the kernel may have dropped with a change
 * (down, a small MTU, a primary or the last IPv4 address: sidefx.h);
 * those still there are left as they are.  A request whose answer was lost and that dc_verify could not
 * settle counts as carried out for link settings, which are put back, and
 * not for addresses and routes, which are left (they may have been there
 * before).  The failure itself is the caller's to report. */
void dc_undo(struct ctx *c, const struct dc_run *run, size_t job);

/* Queues one device's requests as job 0, sends them and reports the first
 * failure (undoing as dc asks, also when the exchange fails as a whole:
 * then what became of the requests is asked again with dc_verify, against
 * the device's addresses and routes dumped before the exchange).
 * run stays the caller's, for dc_undo after a later step fails. Returns 0
 * or 1. */
int dc_exchange(struct ctx *c, struct dc_run *run, const char *ifname, int ifindex,
		const struct devconf *dc);

/* All three for one device. Returns 0 or 1. */
int devconf_apply(struct ctx *c, const char *ifname, int ifindex, const struct devconf *dc);

#endif
