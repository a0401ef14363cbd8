/* evwatch.h - what monitor and wait share: their options and entry points
 * (for the command table), and the watch: the subscribed socket, the state
 * read from it, the namespace's name, the signals, and one wait for all. */
#ifndef TUNCTL_EVWATCH_H
#define TUNCTL_EVWATCH_H

#include <time.h>

#include "args.h"
#include "events.h"
#include "sink.h"
#include "tunctl.h"

extern const struct optdef monitor_opts[];
extern const struct optdef wait_opts[];
int parse_monitor(struct parsed *p, struct request *req);
int parse_wait(struct parsed *p, struct request *req);
int monitor_main(struct ctx *c, const struct request *req);
int wait_main(struct ctx *c, const struct request *req);

/* A test-only knob, documented as such in tunctl(8): the socket's receive
 * buffer in bytes, small enough to make the kernel drop events. */
#define EV_RCVBUF_ENV "TUNCTL_TEST_RCVBUF"

struct watch {
	struct ctx *c;
	struct ev_src src;
	bool src_open;
	struct ev_state st;
	const char *netns;      /* -n NETNS, or NULL */
	int nsfd;               /* its watch (netns_watch_open), or -1 */
	struct sink_ctl ctl;
	/* What sink_ctl_init changed, put back by watch_close: wait may stand
	 * in a batch, whose later lines keep the usual signals. */
	bool sigs_saved;
	sigset_t old_mask;
	struct sigaction old_int, old_term;
};

enum watch_result {
	W_READY,                /* the socket has something */
	W_TIMEOUT,
	W_STOP,                 /* SIGINT, SIGTERM, or the reader of outfd is gone */
	W_FAILED,               /* reported */
};

/* Catches the signals, subscribes, reads the state into w->st (pending
 * notifications kept for watch_pending). 0, or 1 after reporting. */
int watch_open(struct watch *w, struct ctx *c, const char *netns);
/* Waits for the socket, until deadline (CLOCK_MONOTONIC; NULL: none);
 * outfd >= 0 is watched for its reader going away. A namespace deleted
 * under -n is reported as such: W_FAILED. */
enum watch_result watch_wait(struct watch *w, const struct timespec *deadline, int outfd);
/* Reads what the socket holds into w->st, calling fn per event; on an
 * overrun, reads the state afresh, gives the differences as events and
 * then an EV_RESYNC. 0, 1 after reporting, or fn's non-zero. */
int watch_read(struct watch *w, ev_fn fn, void *arg);
void watch_close(struct watch *w);

#endif
