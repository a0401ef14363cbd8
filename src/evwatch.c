/* evwatch.c - the watch that monitor and wait share: subscribe, read the
 * state, then wait for events, signals, a timeout or the namespace's end. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evwatch.h"

int watch_open(struct watch *w, struct ctx *c, const char *netns)
{
	const char *env = getenv(EV_RCVBUF_ENV);
	uint32_t rcvbuf = 0;
	int err;

	memset(w, 0, sizeof(*w));
	w->c = c;
	w->netns = netns;
	w->nsfd = -1;
	if (env && !parse_u32(env, 1, 1u << 30, &rcvbuf)) {
		report(c, "invalid %s \"%s\" (a size in bytes; a test-only setting)", EV_RCVBUF_ENV, env);
		return 2;
	}
	/* SIGINT and SIGTERM stay blocked but inside ppoll: none is lost
	 * between a check and a wait. */
	sigprocmask(SIG_SETMASK, NULL, &w->old_mask);
	sigaction(SIGINT, NULL, &w->old_int);
	sigaction(SIGTERM, NULL, &w->old_term);
	w->sigs_saved = true;
	sink_ctl_init(&w->ctl, true);
	if (netns) {
		if ((w->nsfd = netns_watch_open(netns)) < 0) {
			report_err(c, w->nsfd, NULL, "watching /run/netns for namespace \"%s\"", netns);
			return 1;
		}
		/* Gone between entering it and the watch. */
		if (!netns_still_ours(w->nsfd, netns)) {
			report(c, "network namespace \"%s\" was deleted", netns);
			return 1;
		}
	}
	/* Subscribed first, then read: a change after the reading is an
	 * event, one during it is both, and applying it twice does nothing. */
	if ((err = ev_src_open(&w->src, (int)rcvbuf))) {
		report_err(c, err, NULL, "opening the netlink socket for events");
		return 1;
	}
	w->src_open = true;
	if ((err = ev_src_sync(&w->src, &w->st))) {
		report_err(c, err, NULL, "reading the devices");
		return 1;
	}
	return 0;
}

enum watch_result watch_wait(struct watch *w, const struct timespec *deadline, int outfd)
{
	struct pollfd p[3] = {
		{ ev_src_fd(&w->src), POLLIN, 0 },
		{ w->nsfd, POLLIN, 0 },
		/* events 0: only POLLERR or POLLHUP, a reader gone. */
		{ outfd, 0, 0 },
	};
	struct timespec left, now;
	int n;

	for (;;) {
		if (sink_stopping())
			return W_STOP;
		if (deadline) {
			long long ns;

			clock_gettime(CLOCK_MONOTONIC, &now);
			ns = (long long)(deadline->tv_sec - now.tv_sec) * 1000000000LL +
			     (deadline->tv_nsec - now.tv_nsec);
			if (ns <= 0)
				return W_TIMEOUT;
			left.tv_sec = (time_t)(ns / 1000000000LL);
			left.tv_nsec = (long)(ns % 1000000000LL);
		}
		n = ppoll(p, 3, deadline ? &left : NULL, &w->ctl.waitmask);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			report_err(w->c, errno, NULL, "waiting for events");
			return W_FAILED;
		}
		if (p[1].revents && !netns_still_ours(w->nsfd, w->netns)) {
			report(w->c, "network namespace \"%s\" was deleted", w->netns);
			return W_FAILED;
		}
		if (p[2].revents & (POLLERR | POLLHUP))
			return W_STOP;
		if (p[0].revents)
			return W_READY;
	}
}

int watch_read(struct watch *w, ev_fn fn, void *arg)
{
	struct ev_state fresh = { 0 };
	int rc = ev_src_read(&w->src, &w->st, fn, arg);

	if (rc != -ENOBUFS)
		goto out;
	/* The kernel dropped events: what changed meanwhile is in the
	 * difference between what we had and a fresh reading. */
	if ((rc = ev_src_sync(&w->src, &fresh))) {
		ev_state_free(&fresh);
		goto out;
	}
	if ((rc = ev_diff(&w->st, &fresh, fn, arg)))
		return rc;
	if (fn && (rc = fn(&(struct event){ .type = EV_RESYNC }, arg)))
		return rc;
	rc = ev_src_pending(&w->src, &w->st, fn, arg);
out:
	if (rc < 0) {
		report_err(w->c, rc, NULL, "reading events");
		return 1;
	}
	return rc;
}

void watch_close(struct watch *w)
{
	if (w->src_open)
		ev_src_close(&w->src);
	ev_state_free(&w->st);
	if (w->nsfd >= 0)
		close(w->nsfd);
	w->nsfd = -1;
	w->src_open = false;
	if (w->sigs_saved) {
		sigaction(SIGINT, &w->old_int, NULL);
		sigaction(SIGTERM, &w->old_term, NULL);
		sigprocmask(SIG_SETMASK, &w->old_mask, NULL);
		w->sigs_saved = false;
	}
}
