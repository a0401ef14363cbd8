/* nl.c - one NETLINK_ROUTE socket: pipelined requests and checked dumps. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <libmnl/libmnl.h>

#include "nl.h"
#include "rtnl.h"
#include "vec.h"

#define RX_SIZE (64 * 1024)
/* Messages per send: only the last asks for an ACK, so a window costs one
 * send and one receive; failures are answered one each, and a window this
 * size keeps even all-failing answers within the socket's receive buffer. */
#define WINDOW 128

int nl_open(struct nl *nl)
{
	int one = 1, rcvbuf = 1 << 20, fd;
	struct timespec ts;

	memset(nl, 0, sizeof(*nl));
	nl->rx = malloc(RX_SIZE);
	if (!nl->rx)
		return -ENOMEM;
	nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sk)
		goto fail;
	fd = mnl_socket_get_fd(nl->sk);
	/* Best effort: older kernels lack these and still work. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Dumps of one device's addresses or routes are then filtered by
	 * the kernel (rtnl_dump_dev), not after copying all of them. */
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	nl->portid = mnl_socket_get_portid(nl->sk);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	nl->seq = (uint32_t)(ts.tv_nsec ^ ts.tv_sec ^ (long)getpid() << 16);
	return 0;
fail:
	one = -errno;
	nl_close(nl);
	return one ? one : -EIO;
}

void nl_close(struct nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->rx);
	memset(nl, 0, sizeof(*nl));
}

int nl_ifindex(struct nl *nl, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(mnl_socket_get_fd(nl->sk), SIOCGIFINDEX, &ifr) < 0)
		return -errno;
	return ifr.ifr_ifindex;
}

int nl_ifname(struct nl *nl, int ifindex, char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = ifindex;
	if (ioctl(mnl_socket_get_fd(nl->sk), SIOCGIFNAME, &ifr) < 0)
		return -errno;
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	return 0;
}

void nl_tx_init(struct nl_tx *tx)
{
	memset(tx, 0, sizeof(*tx));
}

void *nl_tx_room(struct nl_tx *tx)
{
	{
		char *b = vec_grow(tx->buf, &tx->cap, tx->len + RTNL_MSG_MAX, 1);

		if (!b)
			return NULL;
		tx->buf = b;
	}
	{
		struct nl_reply *r = vec_grow(tx->replies, &tx->nreplies_cap, tx->n + 1, sizeof(*r));

		if (!r)
			return NULL;
		tx->replies = r;
	}
	memset(tx->buf + tx->len, 0, RTNL_MSG_MAX);
	return tx->buf + tx->len;
}

void nl_tx_push(struct nl_tx *tx)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(tx->buf + tx->len);

	/* Left empty by a builder: counted, so that replies stay in step
	 * with the caller's requests, and the set is never sent. */
	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		tx->unfit = true;
	tx->len += NLMSG_ALIGN(nlh->nlmsg_len);
	tx->replies[tx->n] = (struct nl_reply){ .fate = NL_UNSENT };
	tx->n++;
}

void nl_tx_clear(struct nl_tx *tx)
{
	tx->len = 0;
	tx->n = 0;
	tx->unfit = false;
}

void nl_tx_free(struct nl_tx *tx)
{
	free(tx->buf);
	free(tx->replies);
	nl_tx_init(tx);
}

/* One datagram from the kernel into buf (flags: 0 or MSG_DONTWAIT):
 * messages from other ports are dropped. Returns the length, or -errno. */
ssize_t nl_recv_kernel(int fd, void *buf, size_t len, int flags)
{
	struct sockaddr_nl addr;
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_name = &addr, .msg_namelen = sizeof(addr), .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	for (;;) {
		n = recvmsg(fd, &msg, flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* Who sent it first: a datagram from another port is no reply,
		 * however large. */
		if (addr.nl_pid != 0) {
			msg.msg_namelen = sizeof(addr);
			continue;
		}
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		return n;
	}
}

static ssize_t nl_recv(struct nl *nl)
{
	return nl_recv_kernel(mnl_socket_get_fd(nl->sk), nl->rx, RX_SIZE, 0);
}

/* Empties the socket after lost replies (ENOBUFS), so that what is left of
 * them cannot hold up or confuse the next exchange. */
static void drain(struct nl *nl)
{
	struct pollfd p = { mnl_socket_get_fd(nl->sk), POLLIN, 0 };

	while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN))
		if (recv(p.fd, nl->rx, RX_SIZE, 0) < 0 && errno != ENOBUFS)
			break;
}

/* Waits for the ACK of seq `last`; errors of earlier messages of the window
 * [first, last] are recorded as they come. */
static int collect(struct nl *nl, struct nl_tx *tx, size_t base, uint32_t first, uint32_t last)
{
	for (;;) {
		ssize_t n = nl_recv(nl);
		const struct nlmsghdr *nlh;
		size_t len;

		if (n == -ENOBUFS) {
			/* The ACK may be among the lost: do not wait for it. */
			drain(nl);
			return (int)n;
		}
		if (n < 0)
			return (int)n;
		len = (size_t)n;
		for (nlh = (const struct nlmsghdr *)nl->rx; rtnl_msg_ok(nlh, len); nlh = rtnl_msg_next(nlh, &len)) {
			uint32_t idx = nlh->nlmsg_seq - first;
			struct nl_reply *r;
			int err;

			if (nlh->nlmsg_pid != nl->portid || idx > last - first || nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			r = &tx->replies[base + idx];
			if (!rtnl_parse_ack(nlh, &err, r->msg, sizeof(r->msg)))
				continue;
			r->err = err;
			r->fate = NL_ANSWERED;
			if (nlh->nlmsg_seq == last) {
				/* Requests before it have no ACK of their own: those
				 * without an error went through. */
				for (uint32_t k = 0; k <= last - first; k++)
					tx->replies[base + k].fate = NL_ANSWERED;
				return 0;
			}
		}
	}
}

int nl_tx_run(struct nl *nl, struct nl_tx *tx)
{
	size_t i = 0, off = 0;

	for (size_t k = 0; k < tx->n; k++)
		tx->replies[k] = (struct nl_reply){ .fate = NL_UNSENT };
	if (tx->unfit)
		return -EMSGSIZE;
	while (i < tx->n) {
		size_t start = off, base = i, cnt = 0;
		struct nlmsghdr *nlh = NULL;
		uint32_t first = nl->seq + 1;
		ssize_t sent;
		int rc;

		while (i < tx->n && cnt < WINDOW) {
			nlh = (struct nlmsghdr *)(tx->buf + off);
			nlh->nlmsg_seq = ++nl->seq;
			nlh->nlmsg_pid = 0;
			nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
			off += NLMSG_ALIGN(nlh->nlmsg_len);
			i++;
			cnt++;
		}
		nlh->nlmsg_flags |= NLM_F_ACK;
		sent = mnl_socket_sendto(nl->sk, tx->buf + start, off - start);
		if (sent < 0)
			return -errno;
		for (size_t k = base; k < i; k++)
			tx->replies[k].fate = NL_UNKNOWN;
		if ((rc = collect(nl, tx, base, first, nl->seq)))
			return rc;
	}
	return 0;
}

/* 0: done; -EAGAIN: interrupted, -ENOBUFS: overran the socket's buffer,
 * try again either way; other -errno: failed. */
static int dump_once(struct nl *nl, struct nlmsghdr *req, nl_dump_cb cb, void *data,
		     struct nl_reply *reply)
{
	bool intr = false;

	req->nlmsg_seq = ++nl->seq;
	req->nlmsg_pid = 0;
	if (mnl_socket_sendto(nl->sk, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = nl_recv(nl);
		const struct nlmsghdr *nlh;
		size_t len;

		if (n < 0) {
			/* The rest of this dump would hold up the next: a
			 * socket runs one dump at a time (EBUSY). */
			drain(nl);
			return (int)n;
		}
		len = (size_t)n;
		for (nlh = (const struct nlmsghdr *)nl->rx; rtnl_msg_ok(nlh, len); nlh = rtnl_msg_next(nlh, &len)) {
			int rc;

			if (nlh->nlmsg_pid != nl->portid || nlh->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return intr ? -EAGAIN : 0;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				int err = 0;

				rtnl_parse_ack(nlh, &err, reply->msg, sizeof(reply->msg));
				return err ? err : 0;
			}
			if (!intr && (rc = cb(nlh, data)))
				return rc;
		}
	}
}

int nl_dump(struct nl *nl, struct nlmsghdr *req, nl_dump_cb cb, void (*reset)(void *data),
	    void *data, struct nl_reply *reply)
{
	int rc = -EAGAIN;

	reply->err = 0;
	reply->msg[0] = '\0';
	if (!req)
		return reply->err = -EMSGSIZE;
	for (int tries = 0; tries < 5 && (rc == -EAGAIN || rc == -ENOBUFS); tries++) {
		if (tries && reset)
			reset(data);
		rc = dump_once(nl, req, cb, data, reply);
	}
	if (rc == -EAGAIN)
		snprintf(reply->msg, sizeof(reply->msg), "the kernel's list kept changing during the dump");
	else if (rc == -ENOBUFS)
		snprintf(reply->msg, sizeof(reply->msg),
			 "the dump overran the socket's receive buffer on every try");
	reply->err = rc;
	return rc;
}
