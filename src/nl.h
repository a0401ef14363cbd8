/* nl.h - the NETLINK_ROUTE socket: pipelined requests, ACKs with extended-ACK
 * text, and dumps. Functions return 0 or -errno. */
#ifndef TUNCTL_NL_H
#define TUNCTL_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/netlink.h>

struct mnl_socket;

struct nl {
	struct mnl_socket *sk;
	uint32_t portid;
	uint32_t seq;
	char *rx;
};

int nl_open(struct nl *nl);
void nl_close(struct nl *nl);
/* The index of a device (SIOCGIFINDEX on this socket: no extra socket). */
int nl_ifindex(struct nl *nl, const char *name);
/* The name of device ifindex into name (IFNAMSIZ), the same way. */
int nl_ifname(struct nl *nl, int ifindex, char *name);
/* One datagram from the kernel (not another port), or -errno. */
ssize_t nl_recv_kernel(int fd, void *buf, size_t len, int flags);

/* What became of a request of nl_tx_run. */
enum nl_fate {
	NL_UNSENT,              /* never sent: the exchange failed first */
	NL_UNKNOWN,             /* sent, but its answer was lost: it may or may not have been carried out */
	NL_ANSWERED,            /* err is the kernel's answer */
};

struct nl_reply {
	int err;                /* 0 or -errno */
	enum nl_fate fate;
	char msg[160];          /* the kernel's extended-ACK text, or "" */
};

/* A set of requests sent together, in order, with one reply each. */
struct nl_tx {
	char *buf;
	size_t len, cap;
	size_t n;
	struct nl_reply *replies;
	size_t nreplies_cap;
	bool unfit;             /* a builder could not fit a message in its room */
};

void nl_tx_init(struct nl_tx *tx);
/* Zeroed room for one message (RTNL_MSG_MAX bytes) at the end, or NULL. */
void *nl_tx_room(struct nl_tx *tx);
/* Counts the message just built in that room (one a builder left empty, too). */
void nl_tx_push(struct nl_tx *tx);
/* Sends every message and fills tx->replies[0..n). Returns -errno only when
 * the exchange itself failed; then each reply's fate tells which requests
 * were answered, which were sent without a known answer, and which not sent.
 * A set with an empty message is not sent at all: -EMSGSIZE. */
int nl_tx_run(struct nl *nl, struct nl_tx *tx);
void nl_tx_clear(struct nl_tx *tx);
void nl_tx_free(struct nl_tx *tx);

typedef int (*nl_dump_cb)(const struct nlmsghdr *nlh, void *data);
/* Runs a dump request (from rtnl_dump; NULL: -EMSGSIZE).  cb returns 0 or -errno to stop.
 * An interrupted dump is retried after reset(data). */
int nl_dump(struct nl *nl, struct nlmsghdr *req, nl_dump_cb cb, void (*reset)(void *data),
	    void *data, struct nl_reply *reply);

#endif
