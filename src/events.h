/* events.h - TUN/TAP devices' events from rtnetlink, for monitor and wait.
 *
 * The pure part (ev_feed, ev_diff) keeps the state of the TUN/TAP devices of
 * a namespace (links, their addresses and routes) and turns each rtnetlink
 * message into the events it makes of that state: it works on buffers and
 * is unit tested so. The kernel part (ev_src_*) subscribes a socket to the
 * link, address and route groups and reads the state from dumps on that
 * same socket, so nothing falls between the dump and the events; it returns
 * 0 or -errno. */
#ifndef TUNCTL_EVENTS_H
#define TUNCTL_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "model.h"
#include "nl.h"
#include "parse.h"

enum ev_type {
	EV_EXISTS,              /* in the first reading (monitor --initial) */
	EV_CREATED,
	EV_DELETED,
	EV_RENAMED,
	EV_MOVED,               /* to another namespace */
	EV_UP,
	EV_DOWN,
	EV_ATTACHED,            /* carrier on: a reader attached */
	EV_DETACHED,            /* carrier off: the last reader left */
	EV_MTU,
	EV_MAC,
	EV_MASTER,
	EV_ADDR_ADD,
	EV_ADDR_DEL,
	EV_ROUTE_ADD,
	EV_ROUTE_DEL,
	EV_RESYNC,              /* events were lost: the ones before it came from a fresh reading */
	EV__COUNT
};

/* "created", "addr-add", ...: the word of the text and of JSON's "event". */
const char *ev_type_name(enum ev_type t);

/* A device: the model (model.h) as the link messages give it, its
 * addresses and routes in l.addrs and l.routes, with their room. */
struct ev_dev {
	struct device l;
	size_t addrs_cap, routes_cap;
};

/* The TUN/TAP devices, sorted by ifindex. */
struct ev_state {
	struct ev_dev *devs;
	size_t n, cap;
};

struct event {
	enum ev_type type;
	/* The device as it is now (deleted, moved: as it was; its addresses
	 * and routes then gone). */
	const struct device *link;
	/* renamed: the old name; mtu, mac, master: the old value. */
	char old_name[16];
	uint32_t old_mtu;
	bool old_has_mac;
	uint8_t old_mac[6];
	uint32_t old_master;
	/* moved: where to, as the kernel says (IFLA_NEW_NETNSID, IFLA_NEW_IFINDEX). */
	bool has_netnsid, has_new_ifindex;
	int32_t new_netnsid, new_ifindex;
	const struct addr_spec *addr;   /* addr-add, addr-del */
	const struct route_spec *route; /* route-add, route-del */
};

/* Called for each event; non-zero stops the feeding and is returned. */
typedef int (*ev_fn)(const struct event *e, void *arg);

/* Applies one message (RTM_NEW/DELLINK, RTM_NEW/DELADDR, RTM_NEW/DELROUTE;
 * others are ignored) to s, calling fn (may be NULL) for each event it
 * makes. Messages about other links are dropped before anything is
 * copied. Applying what s already holds makes no event, so a dump and
 * the notifications around it may overlap. Returns 0, -ENOMEM or fn's
 * non-zero. */
int ev_feed(struct ev_state *s, const struct nlmsghdr *nlh, ev_fn fn, void *arg);
/* The events that turn cur into fresh (devices gone: deleted; new:
 * created; the rest field by field), then cur takes fresh's contents and
 * fresh is left empty. Returns 0 or fn's non-zero. */
int ev_diff(struct ev_state *cur, struct ev_state *fresh, ev_fn fn, void *arg);
/* The events that make dev (exists: the device; then its addresses and
 * routes as addr-add and route-add), for monitor --initial. */
int ev_describe(const struct ev_dev *d, ev_fn fn, void *arg);
const struct ev_dev *ev_find(const struct ev_state *s, int ifindex);
const struct ev_dev *ev_find_name(const struct ev_state *s, const char *name);
void ev_state_free(struct ev_state *s);

/* The subscribed socket. */
struct ev_src {
	struct nl nl;
	char *buf;
	size_t buflen;
	/* Notifications that came during a dump, applied after it. */
	char *pend;
	size_t pend_len, pend_cap;
};

/* Opens and subscribes; rcvbuf > 0 sets the receive buffer (tests force a
 * small one to make the kernel drop events), else it is nl_open's. */
int ev_src_open(struct ev_src *src, int rcvbuf);
void ev_src_close(struct ev_src *src);
int ev_src_fd(const struct ev_src *src);
/* Reads the whole state into *fresh (empty on entry) with dumps on the
 * subscribed socket; the notifications that come meanwhile are kept for
 * ev_src_pending. Retries from the start when the dump is interrupted or
 * overruns the buffer. */
int ev_src_sync(struct ev_src *src, struct ev_state *fresh);
/* Applies, then forgets, the notifications ev_src_sync kept. */
int ev_src_pending(struct ev_src *src, struct ev_state *s, ev_fn fn, void *arg);
/* Reads what is queued without waiting and applies it: 0 when the queue is
 * empty (-EAGAIN is not returned), -ENOBUFS when the kernel dropped
 * messages (then ev_src_sync and ev_diff), else -errno or fn's non-zero. */
int ev_src_read(struct ev_src *src, struct ev_state *s, ev_fn fn, void *arg);

/* With -n NETNS: a watch on /run/netns, which tells when NAME stops being
 * the namespace this process is in ("ip netns del"; the namespace itself
 * lives on while we are in it, so nothing else would say so). Returns an
 * inotify descriptor or -errno. */
int netns_watch_open(const char *name);
/* Whether /run/netns/NAME is still this process's namespace; reads and
 * discards what the watch queued. */
bool netns_still_ours(int fd, const char *name);

#endif
