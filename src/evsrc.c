/* evsrc.c - the socket of events: subscribed to the link, address and route
 * groups, dumped on the same socket; and the watch on /run/netns. Returns 0
 * or -errno. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "events.h"
#include "rtnl.h"
#include "vec.h"

#define EV_BUF (64 * 1024)

int ev_src_open(struct ev_src *src, int rcvbuf)
{
	static const unsigned groups[] = {
		RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,
	};
	int err, fd;

	memset(src, 0, sizeof(*src));
	if ((err = nl_open(&src->nl)))
		return err;
	fd = mnl_socket_get_fd(src->nl.sk);
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i], sizeof(groups[i])) < 0)
			goto fail;
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		goto fail;
	src->buflen = EV_BUF;
	if (!(src->buf = malloc(src->buflen))) {
		errno = ENOMEM;
		goto fail;
	}
	return 0;
fail:
	err = -errno;
	ev_src_close(src);
	return err;
}

void ev_src_close(struct ev_src *src)
{
	if (src->nl.sk)
		nl_close(&src->nl);
	free(src->buf);
	free(src->pend);
	memset(src, 0, sizeof(*src));
}

int ev_src_fd(const struct ev_src *src)
{
	return mnl_socket_get_fd(src->nl.sk);
}

/* One datagram (flags: 0 or MSG_DONTWAIT) from the kernel. Returns its
 * length or -errno. */
static ssize_t recv_one(struct ev_src *src, int flags)
{
	return nl_recv_kernel(ev_src_fd(src), src->buf, src->buflen, flags);
}

static int keep_pending(struct ev_src *src, const struct nlmsghdr *nlh)
{
	size_t len = NLMSG_ALIGN(nlh->nlmsg_len);
	char *p = vec_grow(src->pend, &src->pend_cap, src->pend_len + len, 1);

	if (!p)
		return -ENOMEM;
	src->pend = p;
	memcpy(p + src->pend_len, nlh, nlh->nlmsg_len);
	src->pend_len += len;
	return 0;
}

/* One dump into fresh; notifications meanwhile are kept. 0, -EAGAIN
 * (interrupted: start again), or -errno. */
static int dump_one(struct ev_src *src, uint16_t type, struct ev_state *fresh)
{
	char req[RTNL_MSG_MAX];
	struct nlmsghdr *nlh;
	uint32_t seq;
	bool intr = false;

	memset(req, 0, sizeof(req));
	if (!(nlh = rtnl_dump(req, type, AF_UNSPEC)))
		return -EMSGSIZE;
	nlh->nlmsg_seq = seq = ++src->nl.seq;
	if (mnl_socket_sendto(src->nl.sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv_one(src, 0);
		const struct nlmsghdr *m;
		size_t len;
		int rc;

		if (n < 0)
			return (int)n;
		len = (size_t)n;
		for (m = (const struct nlmsghdr *)src->buf; rtnl_msg_ok(m, len); m = rtnl_msg_next(m, &len)) {
			/* A notification carries the seq and port of the request
			 * that caused it, if any: ours are only dumps. */
			if (m->nlmsg_pid != src->nl.portid) {
				if ((rc = keep_pending(src, m)))
					return rc;
				continue;
			}
			if (m->nlmsg_seq != seq)
				continue;       /* what is left of an earlier dump */
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (m->nlmsg_type == NLMSG_DONE)
				return intr ? -EAGAIN : 0;
			if (m->nlmsg_type == NLMSG_ERROR) {
				char msg[8];
				int err = 0;

				rtnl_parse_ack(m, &err, msg, sizeof(msg));
				return err;
			}
			if ((rc = ev_feed(fresh, m, NULL, NULL)))
				return rc;
		}
	}
}

/* Empties the socket's queue before a reading: what is queued happened
 * before it, so the reading holds it, and applied after the reading it
 * could put back an older state. */
static void drain(struct ev_src *src)
{
	ssize_t n;

	while ((n = recv_one(src, MSG_DONTWAIT)) >= 0 || n == -ENOBUFS || n == -EMSGSIZE)
		;
}

int ev_src_sync(struct ev_src *src, struct ev_state *fresh)
{
	static const uint16_t types[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE };
	int rc = -EAGAIN;

	for (int tries = 0; tries < 10 && (rc == -EAGAIN || rc == -ENOBUFS); tries++) {
		drain(src);
		ev_state_free(fresh);
		src->pend_len = 0;
		rc = 0;
		for (size_t i = 0; !rc && i < sizeof(types) / sizeof(types[0]); i++)
			rc = dump_one(src, types[i], fresh);
	}
	return rc;
}

int ev_src_pending(struct ev_src *src, struct ev_state *s, ev_fn fn, void *arg)
{
	size_t len = src->pend_len;
	int rc = 0;

	for (const struct nlmsghdr *m = (const struct nlmsghdr *)src->pend; !rc && rtnl_msg_ok(m, len);
	     m = rtnl_msg_next(m, &len))
		rc = ev_feed(s, m, fn, arg);
	src->pend_len = 0;
	return rc;
}

int ev_src_read(struct ev_src *src, struct ev_state *s, ev_fn fn, void *arg)
{
	for (;;) {
		ssize_t n = recv_one(src, MSG_DONTWAIT);
		size_t len;
		int rc;

		if (n == -EAGAIN)
			return 0;
		if (n < 0)
			return (int)n;
		len = (size_t)n;
		for (const struct nlmsghdr *m = (const struct nlmsghdr *)src->buf; rtnl_msg_ok(m, len);
		     m = rtnl_msg_next(m, &len))
			if (m->nlmsg_pid != src->nl.portid && (rc = ev_feed(s, m, fn, arg)))
				return rc;
	}
}

/* ---- the namespace's name ---- */

int netns_watch_open(const char *name)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	(void)name;
	if (fd < 0)
		return -errno;
	/* ip netns del unmounts the file, then removes it. */
	if (inotify_add_watch(fd, "/run/netns", IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_UNMOUNT) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

bool netns_still_ours(int fd, const char *name)
{
	/* A name is at most NAME_MAX bytes (parse_netns_name). */
	char buf[4096], path[sizeof("/run/netns/") + NAME_MAX];
	struct stat ours, theirs;

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	if (stat("/proc/self/ns/net", &ours) < 0)
		return true;    /* cannot tell: not a reason to stop */
	return !stat(path, &theirs) && theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}
