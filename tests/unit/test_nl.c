/* test_nl.c - nl.c against the real kernel, in a network namespace of its
 * own: replies forged by another socket, and stale replies from the kernel
 * with old sequence numbers, are ignored; the kernel's real answers count.
 * When replies are lost, each request's fate says what is known of it, and
 * devconf's undo acts on that. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "devconf.h"
#include "dumps.h"
#include "nl.h"
#include "rtnl.h"
#include "tap.h"

#define NOSUCH_IFINDEX 424242

static struct nl nl;
static int forger = -1;         /* a second NETLINK_ROUTE socket */
static uint32_t forger_port;

/* Sends one message from the forger to nl's port, as if it were a reply. */
static bool forge(uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid, int error)
{
	union {
		char b[256];
		struct nlmsghdr align;
	} u;
	struct nlmsghdr *nlh;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = nl.portid };

	memset(&u, 0, sizeof(u));
	nlh = mnl_nlmsg_put_header(u.b);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = pid;
	if (type == NLMSG_ERROR) {
		struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

		e->error = error;
		e->msg.nlmsg_len = sizeof(struct nlmsghdr);
		e->msg.nlmsg_type = RTM_GETLINK;
		e->msg.nlmsg_seq = seq;
		e->msg.nlmsg_pid = nl.portid;
	} else if (type == NLMSG_DONE) {
		*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = error;
	} else if (type == RTM_NEWLINK) {
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

		ifi->ifi_index = error;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, "forged0");
	}
	return sendto(forger, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) ==
	       (ssize_t)nlh->nlmsg_len;
}

/* Whether the next datagram waiting on nl's socket comes from port `from`. */
static bool queued_from(uint32_t from)
{
	struct sockaddr_nl a;
	socklen_t alen = sizeof(a);
	char b[64];

	return recvfrom(mnl_socket_get_fd(nl.sk), b, sizeof(b), MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC,
			(struct sockaddr *)&a, &alen) > 0 && a.nl_pid == from;
}

/* Whether nothing is left on nl's socket. */
static bool empty(void)
{
	char b[64];

	return recv(mnl_socket_get_fd(nl.sk), b, sizeof(b), MSG_PEEK | MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

/* A request sent on nl's own socket with an old sequence number and never
 * read: the kernel's answer is a stale reply waiting for the next exchange. */
static bool stale(struct nlmsghdr *nlh, uint32_t seq)
{
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = 0;
	return mnl_socket_sendto(nl.sk, nlh, nlh->nlmsg_len) == (ssize_t)nlh->nlmsg_len;
}

static struct nlmsghdr *getlink(void *buf, int ifindex, bool ack)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	memset(buf, 0, RTNL_MSG_MAX);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | (ack ? NLM_F_ACK : 0);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	return nlh;
}

/* Three harmless requests: lo, a device that does not exist, lo. */
static void fill(struct nl_tx *tx)
{
	static const int idx[] = { 1, NOSUCH_IFINDEX, 1 };

	nl_tx_clear(tx);
	for (size_t i = 0; i < 3; i++) {
		getlink(nl_tx_room(tx), idx[i], false);
		nl_tx_push(tx);
	}
}

static bool replies_real(const struct nl_tx *tx)
{
	return tx->n == 3 && tx->replies[0].err == 0 && tx->replies[1].err == -ENODEV &&
	       tx->replies[2].err == 0 && tx->replies[0].fate == NL_ANSWERED &&
	       tx->replies[1].fate == NL_ANSWERED && tx->replies[2].fate == NL_ANSWERED;
}

struct links {
	int n, other;
	int ifindex[8];
};

static int count_link(const struct nlmsghdr *nlh, void *data)
{
	struct links *l = data;
	struct device li;

	if (!rtnl_parse_link(nlh, &li)) {
		l->other++;
		return 0;
	}
	if (l->n < 8)
		l->ifindex[l->n] = li.ifindex;
	l->n++;
	return 0;
}

static void reset_links(void *data)
{
	memset(data, 0, sizeof(struct links));
}

/* A dump of every link: in this namespace, lo alone. */
static int dump(struct links *l)
{
	char buf[RTNL_MSG_MAX] = { 0 };
	struct nl_reply reply;

	memset(l, 0, sizeof(*l));
	return nl_dump(&nl, rtnl_dump(buf, RTM_GETLINK, AF_UNSPEC), count_link, reset_links, l, &reply);
}

static bool only_lo(const struct links *l)
{
	return l->n == 1 && l->other == 0 && l->ifindex[0] == 1;
}

static void test_tx(void)
{
	struct nl_tx tx;
	char buf[RTNL_MSG_MAX];
	uint32_t first;

	nl_tx_init(&tx);
	fill(&tx);
	ok(nl_tx_run(&nl, &tx) == 0 && replies_real(&tx), "requests alone: 0, -ENODEV, 0");
	ok(empty(), "nothing left on the socket");

	/* Forged ACKs for each sequence number the next run will use, one
	 * with the header's pid field set to ours, one with 0. */
	first = nl.seq + 1;
	fill(&tx);
	ok(forge(NLMSG_ERROR, 0, first, nl.portid, -EPERM) && forge(NLMSG_ERROR, 0, first + 1, nl.portid, 0) &&
	   forge(NLMSG_ERROR, 0, first + 2, 0, -EPERM) && forge(NLMSG_ERROR, 0, first + 2, nl.portid, 0) &&
	   forge(NLMSG_DONE, 0, first + 2, nl.portid, 0), "forged ACKs sent");
	ok(queued_from(forger_port), "a forged ACK is waiting first");
	ok(nl_tx_run(&nl, &tx) == 0 && replies_real(&tx), "forged ACKs from another port are ignored");
	ok(empty(), "nothing left on the socket");

	/* Stale replies from the kernel itself: an error for a sequence number
	 * already used, and one far in the past. */
	ok(stale(getlink(buf, NOSUCH_IFINDEX, true), nl.seq) &&
	   stale(getlink(buf, NOSUCH_IFINDEX, true), nl.seq - 1000) &&
	   stale(getlink(buf, 1, true), nl.seq - 1), "stale requests sent");
	ok(queued_from(0), "a stale kernel reply is waiting first");
	fill(&tx);
	ok(nl_tx_run(&nl, &tx) == 0 && replies_real(&tx), "stale replies with old sequence numbers are ignored");
	ok(empty(), "nothing left on the socket");
	nl_tx_free(&tx);
}

static void test_dump(void)
{
	struct links l;
	char buf[RTNL_MSG_MAX];
	uint32_t next;

	ok(dump(&l) == 0 && only_lo(&l), "dump alone: lo (%d links)", l.n);

	/* A forged end, error and extra link for the dump's sequence number. */
	next = nl.seq + 1;
	ok(forge(NLMSG_DONE, NLM_F_MULTI, next, nl.portid, 0) &&
	   forge(NLMSG_ERROR, 0, next, nl.portid, -EPERM) &&
	   forge(RTM_NEWLINK, NLM_F_MULTI, next, nl.portid, 77) &&
	   forge(NLMSG_DONE, NLM_F_MULTI | NLM_F_DUMP_INTR, next, 0, 0), "forged dump replies sent");
	ok(queued_from(forger_port), "a forged reply is waiting first");
	ok(dump(&l) == 0 && only_lo(&l), "forged dump replies are ignored (%d links, ifindex %d)",
	   l.n, l.ifindex[0]);
	ok(empty(), "nothing left on the socket");

	/* Stale dumps from the kernel: an address dump (lo is down, so only
	 * its NLMSG_DONE), a link dump, and an error, all with old numbers. */
	ok(stale(rtnl_dump(memset(buf, 0, sizeof(buf)), RTM_GETADDR, AF_UNSPEC), nl.seq) &&
	   stale(rtnl_dump(memset(buf, 0, sizeof(buf)), RTM_GETLINK, AF_UNSPEC), nl.seq - 1) &&
	   stale(getlink(buf, NOSUCH_IFINDEX, true), nl.seq - 2), "stale requests sent");
	ok(queued_from(0), "a stale kernel reply is waiting first");
	ok(dump(&l) == 0 && only_lo(&l), "stale dump replies are ignored (%d links)", l.n);
	ok(empty(), "nothing left on the socket");
}

/* Fills the receive buffer of the socket at port with forged no-ops until it
 * takes no more, so the kernel's next reply is dropped and the socket
 * reports ENOBUFS. */
static bool fill_port(uint32_t port)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = port };
	struct nlmsghdr noop = { .nlmsg_len = sizeof(noop), .nlmsg_type = NLMSG_NOOP, .nlmsg_pid = port };

	for (int i = 0; i < 1000000; i++)
		if (sendto(forger, &noop, sizeof(noop), MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)) < 0)
			return errno == EAGAIN;
	return false;
}

static bool fill_socket(void)
{
	return fill_port(nl.portid);
}

/* Reads everything waiting (which lets an interrupted dump run on). */
static void drain_socket(void)
{
	char *b = malloc(64 * 1024);

	while (b && (recv(mnl_socket_get_fd(nl.sk), b, 64 * 1024, MSG_DONTWAIT) >= 0 || errno == ENOBUFS))
		;
	free(b);
}

static void test_enobufs(void)
{
	char buf[RTNL_MSG_MAX] = { 0 };
	struct nlmsghdr *req = rtnl_dump(buf, RTM_GETLINK, AF_UNSPEC);
	struct nl_tx tx;
	struct links l;
	int rc;

	/* First, that a full buffer really makes the kernel's dump fail so. */
	ok(fill_socket(), "receive buffer filled");
	req->nlmsg_seq = ++nl.seq;
	ok(mnl_socket_sendto(nl.sk, req, req->nlmsg_len) > 0 &&
	   recv(mnl_socket_get_fd(nl.sk), buf, sizeof(buf), 0) < 0 && errno == ENOBUFS,
	   "a dump into a full buffer gets ENOBUFS");
	drain_socket();
	ok(empty(), "drained");

	/* A dump retries after ENOBUFS and returns the whole list. */
	ok(fill_socket(), "receive buffer filled");
	ok(dump(&l) == 0 && only_lo(&l), "a dump that lost replies (ENOBUFS) is retried (%d links)", l.n);
	ok(empty(), "nothing left on the socket");

	/* Requests whose ACKs were lost fail clearly, and the next exchange
	 * is not confused by what is left of them. */
	nl_tx_init(&tx);
	ok(fill_socket(), "receive buffer filled");
	fill(&tx);
	ok((rc = nl_tx_run(&nl, &tx)) == -ENOBUFS, "requests that lost their ACKs fail with ENOBUFS (rc %d)", rc);
	ok(tx.replies[0].fate == NL_UNKNOWN && tx.replies[1].fate == NL_UNKNOWN &&
	   tx.replies[2].fate == NL_UNKNOWN, "their fate is unknown, the failing one's too");
	drain_socket();
	fill(&tx);
	ok(nl_tx_run(&nl, &tx) == 0 && replies_real(&tx), "the next requests get their own replies");

	/* More requests than one send carries: those after the window whose
	 * ACK was lost were never sent, and are marked so. */
	nl_tx_clear(&tx);
	for (int i = 0; i < 300; i++) {
		getlink(nl_tx_room(&tx), 1, false);
		nl_tx_push(&tx);
	}
	ok(fill_socket(), "receive buffer filled");
	ok((rc = nl_tx_run(&nl, &tx)) == -ENOBUFS, "300 requests, the first window's ACK lost (rc %d)", rc);
	{
		size_t unknown = 0, unsent = 0;

		for (size_t i = 0; i < tx.n; i++) {
			unknown += tx.replies[i].fate == NL_UNKNOWN;
			unsent += tx.replies[i].fate == NL_UNSENT;
		}
		ok(unknown > 0 && unsent > 0 && unknown + unsent == tx.n &&
		   tx.replies[0].fate == NL_UNKNOWN && tx.replies[tx.n - 1].fate == NL_UNSENT,
		   "sent ones unknown, the rest unsent (%zu unknown, %zu unsent)", unknown, unsent);
	}
	drain_socket();
	nl_tx_free(&tx);
}

/* A dump whose list changes while it runs: the kernel marks the later parts
 * NLM_F_DUMP_INTR, and nl_dump starts again after reset, so the caller sees
 * one whole, consistent list. */
enum { NADDR = 3000 };

struct addrs {
	bool seen[NADDR];       /* 198.18.i/256.i%256 */
	int resets, other;
	int deleted;            /* the address deleted mid-dump, or -1 */
};

static int count_addr(const struct nlmsghdr *nlh, void *data)
{
	struct addrs *a = data;
	struct addr_info ai;
	const uint8_t *b;
	int i;

	if (!rtnl_parse_addr(nlh, &ai) || ai.a.local.addr.family != AF_INET) {
		a->other++;
		return 0;
	}
	b = ai.a.local.addr.a.b;
	i = b[2] * 256 + b[3];
	if (b[0] != 198 || b[1] != 18 || i >= NADDR) {
		a->other++;
		return 0;
	}
	a->seen[i] = true;
	if (a->deleted < 0) {
		/* Delete the address just seen, from another socket: the dump,
		 * which goes on by position, would skip one that comes later. */
		char buf[RTNL_MSG_MAX] = { 0 };
		struct nlmsghdr *req = rtnl_addr(buf, false, 1, &ai.a);

		a->deleted = i;
		req->nlmsg_seq = 1;
		if (sendto(forger, req, req->nlmsg_len, 0,
			   (struct sockaddr *)&(struct sockaddr_nl){ .nl_family = AF_NETLINK },
			   sizeof(struct sockaddr_nl)) < 0)
			return -errno;
	}
	return 0;
}

static void reset_addrs(void *data)
{
	struct addrs *a = data;

	memset(a->seen, 0, sizeof(a->seen));
	a->other = 0;
	a->resets++;
}

static bool host_addr(struct addr_spec *a, unsigned i)
{
	char s[32], err[100];

	snprintf(s, sizeof(s), "198.18.%u.%u/32", i / 256, i % 256);
	memset(a, 0, sizeof(*a));
	return parse_prefix(s, false, false, &a->local, err, sizeof(err));
}

static void test_dump_intr(void)
{
	char buf[RTNL_MSG_MAX] = { 0 };
	struct nl_tx tx;
	struct nl_reply reply;
	struct addrs *a = calloc(1, sizeof(*a));
	struct addr_spec spec;
	bool ok_all = true;
	int rc, missing = 0;

	if (!a)
		return;
	/* Enough addresses on lo for a dump of many parts. */
	nl_tx_init(&tx);
	for (unsigned i = 0; i < NADDR; i++) {
		ok_all = ok_all && host_addr(&spec, i);
		rtnl_addr(nl_tx_room(&tx), true, 1, &spec);
		nl_tx_push(&tx);
	}
	rc = nl_tx_run(&nl, &tx);
	for (size_t i = 0; i < tx.n; i++)
		ok_all = ok_all && tx.replies[i].err == 0;
	ok(rc == 0 && ok_all, "%d addresses on lo", NADDR);

	a->deleted = -1;
	rc = nl_dump(&nl, rtnl_dump(buf, RTM_GETADDR, AF_INET), count_addr, reset_addrs, a, &reply);
	ok(rc == 0 && a->deleted >= 0, "the dump returns (rc %d), one address deleted during it", rc);
	ok(a->resets == 1, "it started again once, after the change (%d)", a->resets);
	for (int i = 0; i < NADDR; i++)
		missing += i != a->deleted && !a->seen[i];
	ok(a->deleted >= 0 && !a->seen[a->deleted] && missing == 0 && a->other == 0,
	   "it returns the list as it is now: not the deleted address, and none missing (%d)", missing);
	ok(empty(), "nothing left on the socket");
	nl_tx_free(&tx);
	free(a);
}

static int mtu_of(struct ctx *c, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	return ioctl(mnl_socket_get_fd(c->nl.sk), SIOCGIFMTU, &ifr) < 0 ? -errno : ifr.ifr_mtu;
}

/* How many of lo's addresses are IPv4 address a. */
static int lo_has(struct ctx *c, const char *a)
{
	struct addr_info *v = NULL;
	struct ipaddr want;
	size_t n = 0;
	int found = 0;

	if (!parse_ipaddr(a, AF_INET, &want) || dump_addrs(c, 1, &v, &n))
		return -1;
	for (size_t i = 0; i < n; i++)
		found += v[i].a.local.addr.family == AF_INET &&
			 !memcmp(v[i].a.local.addr.a.b, want.a.b, 4);
	free(v);
	return found;
}

/* "set" and "add --exist-ok" when the exchange fails as a whole (their
 * answers lost): dc_verify asks the kernel again, so what was done counts
 * as done, and an address that was there before is not taken for ours. */
/* dc_exchange's steps, with the answers lost between the dump of the state
 * before and the exchange (a full receive buffer): returns dc_result's
 * status, the report in captured. */
static int exchange_lost(struct ctx *c, struct dc_run *run, const struct devconf *dc, char *captured, size_t len)
{
	struct dump_state before;
	int err, rc = -1;

	captured[0] = '\0';
	dc_run_init(run);
	if (dc_queue(c, run, 0, "lo", 1, dc) || dump_state(c, 1, DS_ADDRS, &before))
		return -1;
	if (fill_port(c->nl.portid) && (err = nl_tx_run(&c->nl, &run->tx)) == -ENOBUFS) {
		dc_verify(c, run, 0, &before, err);
		c->capture = captured;
		c->capture_len = len;
		rc = dc_result(c, run, 0);
		c->capture = NULL;
		captured[strcspn(captured, "\n")] = '\0';
	}
	dump_state_free(&before);
	return rc;
}

static void test_verify_lost(void)
{
	struct ctx c = { 0 };
	struct link_spec mtu = { .has_mtu = true, .mtu = 1500 }, old = { .has_mtu = true };
	struct link_spec bad = { .has_mtu = true, .mtu = 0x80000000u };
	struct addr_spec addrs[2];
	struct devconf dc = { .link = &mtu, .addrs = addrs, .naddrs = 2, .add = true,
			      .exist_ok = true, .undo = true, .restore = &old };
	struct devconf pre = { .addrs = addrs, .naddrs = 1, .add = true };
	char err[200], captured[300] = "";
	struct dc_run run;
	int m, rc;

	if (!ctx_nl(&c)) {
		ok(false, "ctx socket");
		return;
	}
	m = mtu_of(&c, "lo");
	old.mtu = (uint32_t)m;
	ok(m > 1500, "lo's MTU is %d", m);
	ok(parse_prefix("198.51.100.1/32", false, false, &addrs[0].local, err, sizeof(err)) &&
	   parse_prefix("198.51.100.2/32", false, false, &addrs[1].local, err, sizeof(err)), "addresses parsed");
	addrs[0].has_peer = addrs[1].has_peer = false;
	ok(devconf_apply(&c, "lo", 1, &pre) == 0 && lo_has(&c, "198.51.100.1") == 1,
	   "198.51.100.1 on lo beforehand");

	rc = exchange_lost(&c, &run, &dc, captured, sizeof(captured));
	ok(rc == 0 && !captured[0], "answers lost, asked again: all done (rc %d) %s", rc, captured);
	ok(mtu_of(&c, "lo") == 1500 && lo_has(&c, "198.51.100.2") == 1, "the MTU and the new address are there");
	ok(run.tx.replies[0].fate == NL_ANSWERED && run.tx.replies[0].err == 0 &&
	   run.tx.replies[1].err == -EEXIST && run.tx.replies[2].err == 0,
	   "the old address counts as there before (%d), the others as done", run.tx.replies[1].err);
	/* A later step failing: what is ours goes, what was there stays. */
	dc_undo(&c, &run, 0);
	ok(mtu_of(&c, "lo") == m && lo_has(&c, "198.51.100.2") == 0 && lo_has(&c, "198.51.100.1") == 1,
	   "undo: MTU back to %d, the new address gone, the old one kept", m);
	dc_run_free(&run);

	/* A refusal whose answer is lost (an MTU beyond INT_MAX): asking
	 * again shows it was not done, and the address after it, which the
	 * kernel did add, is removed. */
	dc.link = &bad;
	rc = exchange_lost(&c, &run, &dc, captured, sizeof(captured));
	ok(rc == 1 && strstr(captured, "mtu 2147483648") && strstr(captured, "not done"), "refused and lost: %s",
	   captured);
	ok(mtu_of(&c, "lo") == m && lo_has(&c, "198.51.100.2") == 0 && lo_has(&c, "198.51.100.1") == 1,
	   "nothing changed");

	/* What cannot be settled keeps the old rule and says so. */
	run.tx.replies[1].fate = run.tx.replies[2].fate = NL_UNKNOWN;
	dc_verify(&c, &run, 0, &(struct dump_state){ .ifindex = 1 }, -ENOBUFS);
	ok(run.tx.replies[2].fate == NL_UNKNOWN && run.tx.replies[2].err == -ENOBUFS &&
	   strstr(run.tx.replies[2].msg, "may have been done"), "without a state from before: %s",
	   run.tx.replies[2].msg);
	dc_run_free(&run);
	ctx_free(&c);
}

/* Queues one address request of dc as job, with a copy of address text. */
static bool queue_addr(struct ctx *c, struct dc_run *run, size_t job, struct devconf *dc, struct addr_spec *a, const char *text)
{
	char err[100];

	memset(a, 0, sizeof(*a));
	dc->addrs = a;
	dc->naddrs = 1;
	return parse_prefix(text, false, false, &a->local, err, sizeof(err)) && !dc_queue(c, run, job, "lo", 1, dc);
}

/* dc_result(job) over run, the report in captured. */
static int result_of(struct ctx *c, struct dc_run *run, size_t job, char *captured, size_t len)
{
	int rc;

	captured[0] = '\0';
	c->capture = captured;
	c->capture_len = len;
	rc = dc_result(c, run, job);
	c->capture = NULL;
	captured[strcspn(captured, "\n")] = '\0';
	return rc;
}

/* A job's requests are found wherever they were queued: a batch queues one
 * job per line, in order; apply queues its jobs pass by pass, so a job's
 * requests come before and after another's. */
static void test_job_lookup(void)
{
	struct ctx c = { 0 };
	struct addr_spec a[3];
	struct devconf dc[3] = { { .add = true, .undo = true }, { .add = false, .undo = true },
				 { .add = true, .undo = true } };
	char captured[300];
	struct dc_run run;
	int r0, r1, r2;

	if (!ctx_nl(&c)) {
		ok(false, "ctx socket");
		return;
	}
	/* In order: job 1 deletes an address lo does not have. */
	dc_run_init(&run);
	ok(queue_addr(&c, &run, 0, &dc[0], &a[0], "198.51.100.11/32") &&
	   queue_addr(&c, &run, 1, &dc[1], &a[1], "198.51.100.99/32") &&
	   queue_addr(&c, &run, 2, &dc[2], &a[2], "198.51.100.13/32") && !dc_send(&c, &run), "jobs 0, 1, 2 sent");
	r0 = result_of(&c, &run, 0, captured, sizeof(captured));
	r2 = result_of(&c, &run, 2, captured, sizeof(captured));
	r1 = result_of(&c, &run, 1, captured, sizeof(captured));
	ok(r0 == 0 && r2 == 0 && r1 == 1 && strstr(captured, "198.51.100.99"),
	   "in order: only job 1 failed (%d %d %d): %s", r0, r1, r2, captured);
	ok(lo_has(&c, "198.51.100.11") == 1 && lo_has(&c, "198.51.100.13") == 1, "jobs 0 and 2 done");
	dc_undo(&c, &run, 0);
	dc_undo(&c, &run, 2);
	dc_run_free(&run);
	ok(lo_has(&c, "198.51.100.11") == 0 && lo_has(&c, "198.51.100.13") == 0, "and undone");

	/* Out of order: job 1 adds, job 0 adds, job 1 fails; job 1's
	 * failure undoes its first request, not job 0's. */
	dc_run_init(&run);
	ok(queue_addr(&c, &run, 1, &dc[2], &a[2], "198.51.100.12/32") &&
	   queue_addr(&c, &run, 0, &dc[0], &a[0], "198.51.100.11/32") &&
	   queue_addr(&c, &run, 1, &dc[1], &a[1], "198.51.100.99/32") && !dc_send(&c, &run), "jobs 1, 0, 1 sent");
	r0 = result_of(&c, &run, 0, captured, sizeof(captured));
	r1 = result_of(&c, &run, 1, captured, sizeof(captured));
	ok(r0 == 0 && r1 == 1 && strstr(captured, "198.51.100.99"),
	   "out of order: job 1 failed, job 0 did not (%d %d): %s", r0, r1, captured);
	ok(lo_has(&c, "198.51.100.11") == 1 && lo_has(&c, "198.51.100.12") == 0,
	   "job 1's address undone, job 0's kept");
	dc_undo(&c, &run, 0);
	dc_run_free(&run);
	ok(lo_has(&c, "198.51.100.11") == 0, "and job 0 undone");
	ctx_free(&c);
}

/* The matching rules of dump_state, on a hand-made state. */
static void test_state_match(void)
{
	struct addr_info ai[3] = { 0 };
	struct route_info ri[3] = { 0 };
	struct dump_state s = { .ifindex = 5, .addrs = ai, .naddrs = 3, .routes = ri, .nroutes = 3 };
	struct device li[2] = { { .ifindex = 1 }, { .ifindex = 5 } };
	struct addr_spec a = { 0 };
	struct route_spec r = { 0 }, r6 = { 0 };
	char err[100];

	ok(parse_prefix("192.0.2.1/24", false, false, &ai[0].a.local, err, sizeof(err)) &&
	   parse_prefix("192.0.2.1/25", false, false, &ai[1].a.local, err, sizeof(err)) &&
	   parse_prefix("192.0.2.1/24", false, false, &ai[2].a.local, err, sizeof(err)) &&
	   parse_prefix("192.0.2.1/24", false, false, &a.local, err, sizeof(err)), "addresses parsed");
	ai[0].ifindex = ai[1].ifindex = 5;
	ai[2].ifindex = 6;
	ok(state_count_addrs(&s, &a) == 1, "an address: same local, length and device");
	a.has_peer = true;
	ok(parse_ipaddr("192.0.2.2", AF_INET, &a.peer) && state_count_addrs(&s, &a) == 0,
	   "with a peer it is another address");

	ok(parse_route("198.51.100.0/24 via 192.0.2.2", &r, err, sizeof(err)) &&
	   parse_route("2001:db8::/64", &r6, err, sizeof(err)), "routes parsed");
	ri[0].oif = ri[1].oif = ri[2].oif = 5;
	ri[0].r = r;
	ri[0].r.has_table = true;
	ri[0].r.table = RT_TABLE_MAIN;
	ri[1].r = ri[0].r;
	ri[1].r.has_metric = true;
	ri[1].r.metric = 10;
	ri[2].r = r6;
	ri[2].r.has_table = true;
	ri[2].r.table = RT_TABLE_MAIN;
	ri[2].r.has_metric = true;
	ri[2].r.metric = 1024;
	ok(state_count_routes(&s, &r, true) == 1, "an add matches the route with the default metric only");
	ok(state_count_routes(&s, &r, false) == 2, "a delete without a metric matches either");
	ok(state_count_routes(&s, &r6, true) == 1, "IPv6's default metric is 1024");
	r.has_table = true;
	r.table = 100;
	ok(state_count_routes(&s, &r, false) == 0, "another table, another route");
	r.has_table = false;
	r.has_gw = false;
	ok(state_count_routes(&s, &r, true) == 0 && state_count_routes(&s, &r, false) == 2,
	   "without a gateway: an add's is another route, a delete matches any");
	s.links = li;
	s.nlinks = 2;
	ok(state_link(&s, 5) == &li[1] && !state_link(&s, 7), "links by index");
}

/* A datagram too big for nl's buffer, from another port: it is not a reply,
 * so it must not fail the exchange. */
static void test_oversize(void)
{
	size_t len = 80 * 1024;
	char *big = calloc(1, len);
	struct nlmsghdr *nlh = (struct nlmsghdr *)big;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = nl.portid };
	int sndbuf = 4 * (int)len;
	struct nl_tx tx;
	int rc;

	nl_tx_init(&tx);
	if (!big)
		return;
	nlh->nlmsg_len = (uint32_t)len;
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = nl.seq + 1;
	nlh->nlmsg_pid = nl.portid;
	setsockopt(forger, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	ok(sendto(forger, big, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len,
	   "an oversized forged datagram sent");
	fill(&tx);
	rc = nl_tx_run(&nl, &tx);
	ok(rc == 0 && replies_real(&tx), "an oversized datagram from another port is ignored (rc %d)", rc);
	nl_tx_free(&tx);
	free(big);
}

/* A message a builder could not fit (a name longer than the room) leaves
 * its room empty, and the set it is in is not sent at all. */
static void test_unfit(void)
{
	char name[RTNL_MSG_MAX + 64];
	struct nl_reply reply;
	struct links l;
	struct nl_tx tx;
	uint32_t seq = nl.seq;
	void *room;
	int rc;

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	nl_tx_init(&tx);
	/* lo stays down, as a new namespace has it: the other tests count
	 * its addresses. */
	if ((room = nl_tx_room(&tx))) {
		rtnl_link_set(room, 1, &(struct link_spec){ .set_updown = true, .up = false }, -1, -1);
		nl_tx_push(&tx);
	}
	if ((room = nl_tx_room(&tx))) {
		ok(!rtnl_link_rename(room, 1, name), "a rename that does not fit: NULL");
		nl_tx_push(&tx);
	}
	rc = nl_tx_run(&nl, &tx);
	ok(tx.n == 2 && rc == -EMSGSIZE && tx.replies[0].fate == NL_UNSENT && tx.replies[1].fate == NL_UNSENT,
	   "a set with a message that did not fit is not sent: -EMSGSIZE (rc %d)", rc);
	ok(nl.seq == seq && empty(), "nothing sent, nothing answered");
	nl_tx_clear(&tx);
	if ((room = nl_tx_room(&tx))) {
		rtnl_link_set(room, 1, &(struct link_spec){ .set_updown = true, .up = false }, -1, -1);
		nl_tx_push(&tx);
	}
	ok(nl_tx_run(&nl, &tx) == 0 && tx.replies[0].fate == NL_ANSWERED && !tx.replies[0].err,
	   "after nl_tx_clear the next set is sent");
	nl_tx_free(&tx);
	ok(nl_dump(&nl, NULL, count_link, reset_links, &l, &reply) == -EMSGSIZE && reply.err == -EMSGSIZE,
	   "a dump request that did not fit: -EMSGSIZE");
}

int main(void)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	socklen_t alen = sizeof(a);

	/* Sending to another socket's port on NETLINK_ROUTE needs
	 * CAP_NET_ADMIN, and a namespace of our own needs CAP_SYS_ADMIN. */
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root: forges netlink messages in a namespace of its own\n");
		return 0;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		printf("1..0 # SKIP cannot make a network namespace: %s\n", strerror(errno));
		return 0;
	}
	/* A lost reply would make nl wait for ever: end the test instead. */
	alarm(60);
	if (nl_open(&nl) < 0) {
		printf("Bail out! nl_open failed\n");
		return 1;
	}
	forger = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (forger < 0 || bind(forger, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(forger, (struct sockaddr *)&a, &alen) < 0) {
		printf("Bail out! second netlink socket: %s\n", strerror(errno));
		return 1;
	}
	forger_port = a.nl_pid;
	ok(forger_port != 0 && forger_port != nl.portid, "two sockets, two ports (%u, %u)", nl.portid, forger_port);

	test_tx();
	test_dump();
	test_enobufs();
	test_oversize();
	test_unfit();
	test_dump_intr();
	test_verify_lost();
	test_job_lookup();
	test_state_match();
	close(forger);
	nl_close(&nl);
	return tap_done();
}
