/* broker.c - "tunctl broker": creates, changes, opens and deletes devices
 * for callers without CAP_NET_ADMIN, as the policy (policy.c) allows, with
 * tunctl's own parsers and operations.  One request per connection; every
 * connection waited on at once (poll), each with a deadline, and requests
 * carried out one at a time.  Its threat model: tunctl(8), SECURITY. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>

#include "args.h"
#include "broker.h"
#include "brokerproto.h"
#include "dumps.h"
#include "ids.h"
#include "ops.h"
#include "policy.h"
#include "sysfs.h"
#include "tun.h"

#define CLIENTS_MAX 256
/* When every slot is taken, a user holding more than this many waiting
 * connections loses its oldest to the next caller: one user cannot keep
 * everyone else out, and a burst of one user's requests is still served. */
#define CLIENTS_PER_UID 16

struct broker_req {
	const char *socket;
	const char *policy;
	unsigned timeout;       /* seconds a client has to send its request */
};

static int broker_opt(struct parsed *p, const struct optitem *it, void *arg)
{
	struct broker_req *r = arg;

	switch (it->def->id) {
	case O_SOCKET:
		r->socket = it->val;
		break;
	case O_POLICY:
		r->policy = it->val;
		break;
	case O_TIMEOUT:
		if (!parse_u32(it->val, 1, 3600, &r->timeout))
			return usage_err(p, "--timeout \"%s\": expected seconds, 1 to 3600", it->val);
		break;
	}
	return 0;
}

int parse_broker(struct parsed *p, struct request *req)
{
	struct broker_req *r;
	int rc;

	if ((rc = no_more(p, 0)))
		return rc;
	if (!(r = calloc(1, sizeof(*r))))
		return oom_err(p);
	req->own = r;
	r->socket = BROKER_SOCKET;
	r->policy = POLICY_PATH;
	r->timeout = 5;
	return each_opt(p, r, broker_opt, r);
}

void free_broker(struct request *req)
{
	free(req->own);
	req->own = NULL;
}

struct client {
	int fd;
	struct ucred cred;
	long long deadline;     /* ms, CLOCK_MONOTONIC */
};

struct broker {
	const struct broker_req *opt;
	int lfd;
	struct client cl[CLIENTS_MAX];
	size_t ncl;
	/* The policy as last read, or why it cannot be used. */
	struct policy pol;
	bool pol_ok;
	char pol_err[ERRLEN + 64];
	struct stat pol_st;
	bool pol_read;
	char *buf;              /* BROKER_REQ_MAX + 1 */
	char *reply;            /* BROKER_REPLY_MAX */
};

static volatile sig_atomic_t stopping;

/* Whether standard error is the journal's stream (systemd says so in
 * $JOURNAL_STREAM, "DEV:INODE"): then each line starts with its priority,
 * "<6>", which the journal takes off and keeps (SyslogLevelPrefix=), and
 * without "tunctl-broker: ", which SyslogIdentifier= gives. */
static bool to_journal;

static void log_init(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	to_journal = js && sscanf(js, "%llu:%llu%c", &dev, &ino, &end) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
		     (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* One line of the broker's log (on standard error: see tunctl(8),
 * SECURITY); prio as syslog's, LOG_INFO for what was done. */
static void blog(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void blog(int prio, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (to_journal)
		fprintf(stderr, "<%d>%s\n", prio, line);
	else
		fprintf(stderr, "tunctl-broker: %s\n", line);
	fflush(stderr);
}

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the policy again when the file changed (or first): a bad file, or
 * one that cannot be read, leaves no rule and its message. */
static void policy_refresh(struct broker *b)
{
	const char *path = b->opt->policy;
	struct stat st;
	char *text = NULL;
	ssize_t n = 0;
	int fd, err = 0;
	bool used = false;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = errno;
		goto bad;
	}
	if (b->pol_read && st.st_ino == b->pol_st.st_ino && st.st_dev == b->pol_st.st_dev &&
	    st.st_size == b->pol_st.st_size && st.st_mtim.tv_sec == b->pol_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == b->pol_st.st_mtim.tv_nsec && st.st_ctim.tv_sec == b->pol_st.st_ctim.tv_sec &&
	    st.st_ctim.tv_nsec == b->pol_st.st_ctim.tv_nsec) {
		close(fd);
		return;
	}
	/* Whoever may write it may grant themselves anything. */
	if (geteuid() == 0 && (st.st_uid != 0 || (st.st_mode & 022))) {
		snprintf(b->pol_err, sizeof(b->pol_err), "%s: mode %04o, owner uid %u: only root may be able to "
			 "write it (chown root %s; chmod go-w %s)", path, (unsigned)(st.st_mode & 07777),
			 (unsigned)st.st_uid, path, path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > POLICY_MAX) {
		snprintf(b->pol_err, sizeof(b->pol_err), "%s: not a regular file of at most %d bytes", path,
			 POLICY_MAX);
		goto out;
	}
	if (!(text = malloc((size_t)st.st_size + 1))) {
		err = ENOMEM;
		goto bad;
	}
	for (off_t at = 0; at < st.st_size; at += n)
		if ((n = read(fd, text + at, (size_t)(st.st_size - at))) <= 0) {
			err = n < 0 ? errno : EIO;
			goto bad;
		}
	policy_free(&b->pol);
	b->pol_ok = policy_parse(text, (size_t)st.st_size, path, &b->pol, b->pol_err, sizeof(b->pol_err));
	b->pol_st = st;
	b->pol_read = true;
	used = true;
	blog(b->pol_ok ? LOG_INFO : LOG_ERR, "policy %s: %s%s", path, b->pol_ok ? "read" : "refusing every request: ",
		b->pol_ok ? "" : b->pol_err);
	goto out;
bad:
	snprintf(b->pol_err, sizeof(b->pol_err), "%s: cannot read: %s", path, strerror(err));
out:
	if (!used) {
		policy_free(&b->pol);
		b->pol_ok = false;
		b->pol_read = false;
	}
	free(text);
	if (fd >= 0)
		close(fd);
}

/* The command line for the log: words joined, anything not printable as
 * \xHH, so that a request cannot forge log lines. */
static void log_words(char *dst, size_t len, int argc, char **argv)
{
	size_t o = 0;

	dst[0] = '\0';
	for (int i = 1; i < argc && o + 8 < len; i++) {
		if (i > 1)
			dst[o++] = ' ';
		for (const unsigned char *p = (const unsigned char *)argv[i]; *p && o + 8 < len; p++)
			if (*p < 0x20 || *p >= 0x7f || *p == '\\')
				o += (size_t)snprintf(dst + o, len - o, "\\x%02x", *p);
			else
				dst[o++] = (char)*p;
	}
	dst[o < len ? o : len - 1] = '\0';
}

/* What the connecting process is: its user's name, its groups (the kernel's
 * at connect time) and their names.  Returns 0 or -errno. */
struct who {
	struct pol_caller pc;
	char name[64];
	uint32_t *gids;
	char (*gn)[64];
	const char **gnames;
};

static int who_read(int fd, const struct ucred *cr, struct who *w)
{
	gid_t small[64], *g = small;
	socklen_t gl = sizeof(small);
	size_t n;
	int rc = 0;

	memset(w, 0, sizeof(*w));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &gl) < 0) {
		if (errno != ERANGE)
			return -errno;
		if (!(g = malloc(gl)))
			return -ENOMEM;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &gl) < 0) {
			rc = -errno;
			goto out;
		}
	}
	n = gl / sizeof(gid_t) + 1;
	w->gids = calloc(n, sizeof(*w->gids));
	w->gn = calloc(n, sizeof(*w->gn));
	w->gnames = calloc(n, sizeof(*w->gnames));
	if (!w->gids || !w->gn || !w->gnames) {
		rc = -ENOMEM;
		goto out;
	}
	w->gids[0] = cr->gid;
	for (size_t i = 1; i < n; i++)
		w->gids[i] = g[i - 1];
	for (size_t i = 0; i < n; i++)
		w->gnames[i] = ids_group_name(w->gids[i], w->gn[i], sizeof(w->gn[i]));
	ids_user_name(cr->uid, w->name, sizeof(w->name));
	w->pc = (struct pol_caller){ .uid = cr->uid, .name = w->name, .gids = w->gids, .gnames = w->gnames,
				     .ngids = n };
out:
	if (g != small)
		free(g);
	return rc;
}

static void who_free(struct who *w)
{
	free(w->gids);
	free(w->gn);
	free(w->gnames);
}

/* The answer to one request, built as it is carried out. */
struct answer {
	int status;
	char err[1024];
	char *out;
	size_t outlen;
	int fds[BROKER_FDS_MAX];
	unsigned nfds;
};

static void refuse(struct answer *a, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void refuse(struct answer *a, int status, const char *fmt, ...)
{
	char msg[sizeof(a->err) - 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	a->status = status;
	snprintf(a->err, sizeof(a->err), "tunctl: %s\n", msg);
}

/* The facts the policy needs from one link dump: the device's owner and
 * mode, and how many devices the caller owns. */
static void facts(const struct device *links, size_t n, const char *name, uint32_t uid,
		  struct pol_req *q, char *owner_name, size_t len)
{
	const struct device *l = name ? links_find(links, n, name) : NULL;

	for (size_t i = 0; i < n; i++)
		if (links[i].is_tun && links[i].ti.owner_set && links[i].ti.owner == uid)
			q->owned++;
	if (l && l->is_tun) {
		q->exists = true;
		q->owner_set = l->ti.owner_set;
		q->owner = l->ti.owner;
		if (q->op != POL_ADD)
			q->mode = l->ti.flags.mode;
		if (l->ti.owner_set)
			q->owner_name = ids_user_name(l->ti.owner, owner_name, len);
	} else if (l) {
		q->exists = true;       /* not TUN/TAP: never the caller's */
	}
}

/* The devices uid owns in the namespaces the policy lets devices be moved
 * into: one moved there still counts against its rule's max, or a user
 * could make max devices, move them away and make as many again.  A name
 * with no namespace behind it holds none; the broker's own is counted
 * already. */
static int owned_elsewhere(struct ctx *c, const struct policy *p, uint32_t uid, size_t *owned)
{
	struct stat self = { 0 }, st;
	bool self_read = false;

	for (size_t i = 0; i < p->n; i++)
		for (size_t k = 0; k < p->rules[i].nnetns; k++) {
			const char *ns = p->rules[i].netns[k];
			char path[PATH_MAX];
			bool seen = false;
			size_t n = 0;
			int fd, rc;

			for (size_t j = 0; j <= i && !seen; j++)
				for (size_t m = 0; m < (j < i ? p->rules[j].nnetns : k) && !seen; m++)
					seen = !strcmp(p->rules[j].netns[m], ns);
			if (seen)
				continue;
			if (!self_read && stat("/proc/self/ns/net", &self) < 0) {
				report_err(c, errno, NULL, "reading the broker's own namespace (/proc/self/ns/net)");
				return 1;
			}
			self_read = true;
			snprintf(path, sizeof(path), "/run/netns/%s", ns);
			if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
				if (errno == ENOENT)
					continue;
				report_err(c, errno, NULL, "opening namespace %s (%s) to count the caller's devices there",
					   ns, path);
				return 1;
			}
			if (fstat(fd, &st) == 0 && st.st_dev == self.st_dev && st.st_ino == self.st_ino) {
				close(fd);
				continue;
			}
			rc = dump_owned_in(c, ns, fd, uid, &n);
			close(fd);
			if (rc)
				return rc;
			*owned += n;
		}
	return 0;
}

/* "run" through the broker: n queues of the caller's device, attached as
 * a reader would, to be sent back. */
static void open_queues(struct ctx *c, struct answer *a, const struct run_req *r)
{
	struct tun_info ti;
	int err;

	if (r->queues > BROKER_FDS_MAX) {
		refuse(a, 1, "--queues %u: at most %d through the broker", r->queues, BROKER_FDS_MAX);
		return;
	}
	if (find_tun_attach(c, r->name, &ti, NULL)) {
		a->status = 1;
		return;
	}
	if (r->queues > 1 && !ti.flags.multi_queue) {
		refuse(a, 1, "%s has no multi_queue flag, so it has one queue: --queues %u needs a device made "
		       "with --multi-queue", r->name, r->queues);
		return;
	}
	/* The device's own flags only: the policy allowed the device as it is. */
	if ((r->pi >= 0 && !r->pi != !ti.flags.pi) || (r->vnet_hdr >= 0 && !r->vnet_hdr != !ti.flags.vnet_hdr)) {
		refuse(a, 1, "%s: the broker attaches with the device's own flags, not --pi or --vnet-hdr", r->name);
		return;
	}
	for (a->nfds = 0; a->nfds < r->queues; a->nfds++) {
		int fd = tun_open(NULL);

		if (fd < 0) {
			report_tun_open(c, fd, NULL);
			a->status = 1;
			return;
		}
		a->fds[a->nfds] = fd;
		if ((err = tun_attach(fd, ti.name, &ti.flags))) {
			if (err == -EBUSY)
				report_in_use(c, ti.name, ti.flags.multi_queue ? "it has no queue left to attach" :
					      "a single-queue device takes one reader");
			else
				report_err(c, err, NULL, "attaching queue %u of %s", a->nfds + 1, ti.name);
			a->nfds++;
			a->status = 1;
			return;
		}
	}
}

/* del and set act on the device the check saw: its index from the same
 * link dump, never its name looked up again.  (run cannot: TUNSETIFF
 * takes a name; what it attached to is checked afterwards instead.) */
static int act_del(struct ctx *c, const struct del_req *r, const struct device *links, size_t nlinks)
{
	int rc = r->force ? 0 : ops_check_holders(c, r->names, 1, links, nlinks);

	return rc ? rc : ops_delete(c, r->names, 1, links, nlinks);
}

/* As set_run does, for what the broker lets through (no owner or group):
 * the link settings in one exchange with undo, then the move on its own. */
static int act_set(struct ctx *c, const struct set_req *r, int ifindex)
{
	const struct devconf dc = { .link = &r->link, .add = true, .undo = true };
	struct devconf mv = { .add = true, .move = true, .netns_fd = -1, .netns_name = r->netns };
	struct ops_converge cv;
	struct dc_run run2;
	int rc;

	if (r->netns && open_netns(c, r->netns, &mv.netns_fd))
		return 1;
	dc_run_init(&run2);
	rc = ops_converge(c, &cv, r->name, ifindex, &dc);
	/* A move whose answer was lost may have happened: left as it is. */
	if (!rc && r->netns && (rc = dc_exchange(c, &run2, r->name, ifindex, &mv)) &&
	    !(run2.tx.n && run2.tx.replies[0].fate == NL_UNKNOWN))
		ops_converge_undo(c, &cv);
	ops_converge_free(&cv);
	dc_run_free(&run2);
	if (mv.netns_fd >= 0)
		close(mv.netns_fd);
	return rc;
}

static int same_link(const struct device *l, void *data)
{
	*(struct device *)data = *l;
	return 0;
}

/* After run's attach by name: still the device the check allowed (its
 * index, and the caller still its owner), else nothing is handed over. */
static void run_recheck(struct ctx *c, struct answer *a, const char *name, int ifindex, uint32_t uid)
{
	struct device now = { .ifindex = 0 };

	if (a->status)
		return;
	if (dump_links_each(c, name, same_link, NULL, &now) || now.ifindex != ifindex ||
	    !now.ti.owner_set || now.ti.owner != uid) {
		if (!a->err[0])
			report(c, "%s changed while it was being opened: nothing handed over", name);
		a->status = 1;
	}
}

/* The master add or set asks for (NULL: none, or --nomaster, which any
 * rule that lets the caller change the device allows: deleting the device
 * would take it off its master as well). */
static const char *master_asked(const struct link_spec *l)
{
	return l->has_master && l->master.name[0] ? l->master.name : NULL;
}

/* The master the policy allowed, pinned to its index in the dump that the
 * check read: the request goes out with that index, never the name looked
 * up again, so a device renamed or made under the name in between is not
 * the one used.  Only a device of the broker's namespace (the dump's) can
 * be named; the kernel refuses a master that is not a bridge, bond or VRF. */
static int master_pin(struct ctx *c, struct link_spec *l, const char *dev, const struct device *links,
		      size_t nlinks)
{
	const struct device *m = links_find(links, nlinks, l->master.name);

	if (!m) {
		report(c, "%s: --master %s: no device %s in this namespace (it must be in the device's namespace: "
		       "ip link show %s)", dev, l->master.name, l->master.name, l->master.name);
		return 1;
	}
	l->master.index = (uint32_t)m->ifindex;
	return 0;
}

/* The policy's request (q) for req, with the facts of the namespace
 * (links) and of the caller (w) that the check needs; *name: the device
 * of a del, set or run.  An add is made the caller's (uidtext: room for
 * its uid, kept until req is done with).  0, or 1 with the answer set. */
static int pol_request(struct ctx *c, struct broker *b, const struct who *w, struct request *req,
		       const struct device *links, size_t nlinks, struct pol_req *q, const char **name,
		       char *owner, size_t ownerlen, char *uidtext, size_t uidlen, struct answer *a)
{
	switch (req->cmd) {
	case CMD_ADD: {
		struct add_req *r = &req->u.add;

		*q = (struct pol_req){ .op = POL_ADD, .name = r->name, .mode = r->mode,
				      .sets_owner = r->user.set || r->group.set || r->any_user,
				      .multi_queue = r->multi_queue, .vnet_hdr = r->vnet_hdr,
				      .has_mtu = r->link.has_mtu, .mtu = r->link.mtu,
				      .has_txqlen = r->link.has_txqlen, .txqlen = r->link.txqlen,
				      .addrs = r->addrs, .naddrs = r->naddrs, .routes = r->routes, .nroutes = r->nroutes,
				      .master = master_asked(&r->link) };
		facts(links, nlinks, r->exist_ok && !strchr(r->name, '%') ? r->name : NULL, w->pc.uid, q,
		      owner, ownerlen);
		if (owned_elsewhere(c, &b->pol, w->pc.uid, &q->owned)) {
			a->status = 1;
			return 1;
		}
		/* What the check saw is what is done: a name that was free is
		 * created (never adopted, should a device of someone else's
		 * take it meanwhile), and one of the caller's is adopted only
		 * while it still is (owned, not merely without an owner). */
		if (!q->exists)
			r->exist_ok = false;
		r->adopt_owned = true;
		/* Always the caller's. */
		snprintf(uidtext, uidlen, "%u", w->pc.uid);
		r->user = (struct id_spec){ .set = true, .numeric = true, .id = w->pc.uid, .name = uidtext };
		break;
	}
	case CMD_DEL:
		if (req->u.del.all || req->u.del.unused || req->u.del.nnames != 1) {
			refuse(a, 2, "through the broker, del takes one device name (not --all or --unused)");
			return 1;
		}
		*name = req->u.del.names[0];
		*q = (struct pol_req){ .op = POL_DEL, .name = *name };
		break;
	case CMD_SET: {
		const struct set_req *r = &req->u.set;

		/* act_set makes the link settings here and then moves: the
		 * move would drop an up and a master (one of this namespace)
		 * and the set still exit 0. */
		if (r->netns && (master_asked(&r->link) || (r->link.set_updown && r->link.up))) {
			refuse(a, 2, "set %s --netns %s: through the broker, --up and --master cannot go with --netns "
			       "(the move takes the device down and off its master): move it with --netns alone",
			       r->name, r->netns);
			return 1;
		}
		*name = r->name;
		*q = (struct pol_req){ .op = POL_SET, .name = *name, .netns = r->netns,
				      .sets_owner = r->user.set || r->group.set || r->no_user || r->no_group,
				      .has_mtu = r->link.has_mtu, .mtu = r->link.mtu,
				      .has_txqlen = r->link.has_txqlen, .txqlen = r->link.txqlen,
				      .master = master_asked(&r->link) };
		break;
	}
	default:
		*name = req->u.run.name;
		*q = (struct pol_req){ .op = POL_RUN, .name = *name };
		break;
	}
	if (*name) {
		if (!links_find(links, nlinks, *name)) {
			report(c, "device %s does not exist", *name);
			a->status = 1;
			return 1;
		}
		facts(links, nlinks, *name, w->pc.uid, q, owner, ownerlen);
	}
	return 0;
}

/* Carries out req, checked, into the answer. */
static void act(struct ctx *c, struct answer *a, const struct request *req, const char *name,
		const struct pol_req *q, const struct device *links, size_t nlinks, uid_t uid)
{
	if (req->cmd == CMD_RUN) {
		open_queues(c, a, &req->u.run);
		run_recheck(c, a, name, links_find(links, nlinks, name)->ifindex, uid);
	} else if (req->cmd == CMD_DEL) {
		a->status = act_del(c, &req->u.del, links, nlinks);
	} else if (req->cmd == CMD_SET) {
		a->status = act_set(c, &req->u.set, links_find(links, nlinks, name)->ifindex);
	} else if (q->exists && req->u.add.exist_ok && !links_find(links, nlinks, req->u.add.name)->ti.flags.persist) {
		/* ops_add would wait for it to be made persistent, and the
		 * broker, serving one request at a time, with it. */
		refuse(a, 1, "%s is not persistent (a process of yours holds it): --exist-ok adopts only a "
		       "persistent device, and the broker does not wait for one", req->u.add.name);
	} else {
		a->status = run_request(c, req);
	}
}

/* Whether the broker takes req at all: add, del, set and run, with no
 * global option but -j, and a policy it could read.  0, or 1 with a
 * refused. */
static int broker_takes(struct broker *b, const struct request *req, struct answer *a)
{
	if (req->g.help || req->g.version || req->g.netns || req->g.batch ||
	    (req->cmd != CMD_ADD && req->cmd != CMD_DEL && req->cmd != CMD_SET && req->cmd != CMD_RUN)) {
		refuse(a, 2, "the broker does add, del, set and run, with no global option but -j");
		return 1;
	}
	policy_refresh(b);
	if (!b->pol_ok) {
		refuse(a, 1, "not allowed: %s (the broker refuses every request until the policy is fixed)",
		       b->pol_err);
		return 1;
	}
	return 0;
}

/* Whether the policy allows w's req, on the devices links: its facts into
 * *q (owner and uidtext: room for its texts, which q and req point to), the
 * device's name into *name; a master named is pinned by its index.  0, or
 * 1 with a refused or failed. */
static int allowed(struct ctx *c, struct broker *b, const struct who *w, struct request *req,
		   const struct device *links, size_t nlinks, struct pol_req *q, const char **name,
		   char *owner, size_t ownerlen, char *uidtext, size_t uidlen, struct answer *a)
{
	char why[ERRLEN];
	unsigned line = 0;

	memset(q, 0, sizeof(*q));
	/* No renames: the policy's rules are by name. */
	if (req->cmd == CMD_SET && req->u.set.rename) {
		refuse(a, 1, "not allowed: --name through the broker (the policy's rules go by name); "
		       "ask an administrator");
		return 1;
	}
	if (pol_request(c, b, w, req, links, nlinks, q, name, owner, ownerlen, uidtext, uidlen, a))
		return 1;
	if (policy_check(&b->pol, &w->pc, q, &line, why, sizeof(why))) {
		if (line)
			refuse(a, 1, "not allowed by %s:%u: %s", b->opt->policy, line, why);
		else
			refuse(a, 1, "not allowed by %s: %s", b->opt->policy, why);
		return 1;
	}
	if (q->master && master_pin(c, req->cmd == CMD_ADD ? &req->u.add.link : &req->u.set.link,
				    req->cmd == CMD_ADD ? req->u.add.name : *name, links, nlinks)) {
		a->status = 1;
		return 1;
	}
	return 0;
}

/* Checks and carries out one decoded request from w. */
static void serve(struct broker *b, const struct who *w, int argc, char **argv, struct answer *a)
{
	struct ctx c;
	struct request req;
	struct pol_req q;
	struct device *links = NULL;
	size_t nlinks = 0;
	char err[ERRLEN], owner[64], uidtext[16];
	const char *name = NULL;
	FILE *mf = NULL;
	int rc;

	memset(&c, 0, sizeof(c));
	c.capture = a->err;
	c.capture_len = sizeof(a->err);
	a->err[0] = '\0';
	memset(&req, 0, sizeof(req));
	if ((rc = cmdline_parse(argc, argv, &req, err, sizeof(err)))) {
		refuse(a, rc, "%s", err);
		return;
	}
	if (broker_takes(b, &req, a))
		goto out;
	if (!(mf = open_memstream(&a->out, &a->outlen))) {
		refuse(a, 1, "out of memory");
		goto out;
	}
	out_init(&c.out, mf, false);
	/* Checked and done under the namespace's lock, as tunctl's own
	 * commands are (run's queues only: a caller's tunctl run may hold
	 * it while it asks). */
	if ((req.cmd != CMD_RUN && ctx_lock(&c)) || !ctx_nl(&c) || dump_links(&c, &links, &nlinks)) {
		a->status = 1;
		goto out;
	}
	links_sort(links, nlinks);
	if (allowed(&c, b, w, &req, links, nlinks, &q, &name, owner, sizeof(owner), uidtext, sizeof(uidtext), a))
		goto out;
	c.out.json = req.g.json;
	act(&c, a, &req, name, &q, links, nlinks, w->pc.uid);
out:
	if (mf && (fclose(mf) == EOF) && !a->status)
		refuse(a, 1, "writing output: out of memory");
	if (a->status && a->out)
		a->outlen = 0;  /* never output for a failed command */
	if (a->status && !a->err[0])
		refuse(a, a->status, "the broker failed without saying why");
	free(links);
	request_free(&req);
	ctx_unlock(&c);
	ctx_free(&c);
}

static void send_answer(int fd, const struct answer *a, char *buf)
{
	char cbuf[CMSG_SPACE(sizeof(int) * BROKER_FDS_MAX)];
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t len;

	len = broker_reply_encode(buf, BROKER_REPLY_MAX, a->status, a->out ? a->out : "", a->outlen, a->err);
	if (!len)
		len = broker_reply_encode(buf, BROKER_REPLY_MAX, 1, "", 0,
					  "tunctl: the broker's answer is too long to send\n");
	iov = (struct iovec){ .iov_base = buf, .iov_len = len };
	if (!a->status && a->nfds) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * a->nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * a->nfds);
		memcpy(CMSG_DATA(cm), a->fds, sizeof(int) * a->nfds);
	}
	/* Never waits: a client that reads nothing, or is gone, loses its
	 * answer, no one else's. */
	if (sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		blog(LOG_NOTICE, "sending the answer: %s", strerror(errno));
}

static void client_close(struct broker *b, size_t i)
{
	close(b->cl[i].fd);
	b->cl[i] = b->cl[--b->ncl];
}

/* The client's request, if it came: answered, logged, and the connection
 * closed. */
static void handle(struct broker *b, size_t i)
{
	struct client *cl = &b->cl[i];
	struct answer a;
	struct who w;
	char **argv = NULL, err[ERRLEN], words[512];
	int argc = 0, rc;
	ssize_t n;

	n = recv(cl->fd, b->buf, BROKER_REQ_MAX + 1, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	memset(&a, 0, sizeof(a));
	snprintf(words, sizeof(words), "-");
	if (n <= 0) {
		blog(LOG_NOTICE, "uid %u pid %d: closed without a request",
			(unsigned)cl->cred.uid, (int)cl->cred.pid);
		client_close(b, i);
		return;
	}
	if ((rc = who_read(cl->fd, &cl->cred, &w))) {
		refuse(&a, 1, "the broker cannot read the caller's groups: %s", strerror(-rc));
		memset(&w, 0, sizeof(w));
	} else if ((size_t)n > BROKER_REQ_MAX || !broker_req_decode(b->buf, (size_t)n, &argc, &argv, err, sizeof(err))) {
		if ((size_t)n > BROKER_REQ_MAX)
			snprintf(err, sizeof(err), "request of %zd bytes is larger than %d", n, BROKER_REQ_MAX);
		refuse(&a, 2, "bad request to the broker: %s", err);
	} else {
		log_words(words, sizeof(words), argc, argv);
		serve(b, &w, argc, argv, &a);
	}
	send_answer(cl->fd, &a, b->reply);
	{
		/* The error line without its newline, for the log. */
		size_t el = strcspn(a.err, "\n");

		blog(a.status ? LOG_NOTICE : LOG_INFO, "uid %u (%s) pid %d: %s: exit %d%s%.*s", (unsigned)cl->cred.uid,
			w.name[0] ? w.name : "?", (int)cl->cred.pid, words, a.status, el ? ": " : "", (int)el,
			a.err);
	}
	for (unsigned k = 0; k < a.nfds; k++)
		close(a.fds[k]);
	free(a.out);
	free(argv);
	who_free(&w);
	client_close(b, i);
}

/* The oldest waiting connection of the user holding the most, if that is
 * more than CLIENTS_PER_UID; else -1. */
static long evictable(const struct broker *b)
{
	size_t most = 0;
	long which = -1;

	for (size_t i = 0; i < b->ncl; i++) {
		size_t same = 0;
		long oldest = (long)i;

		for (size_t k = 0; k < b->ncl; k++)
			if (b->cl[k].cred.uid == b->cl[i].cred.uid) {
				same++;
				if (b->cl[k].deadline < b->cl[oldest].deadline)
					oldest = (long)k;
			}
		if (same > most) {
			most = same;
			which = oldest;
		}
	}
	return most > CLIENTS_PER_UID ? which : -1;
}

static void accept_all(struct broker *b)
{
	for (;;) {
		socklen_t l = sizeof(struct ucred);
		struct client *cl;
		long ev;
		int fd;

		if (b->ncl == CLIENTS_MAX) {
			if ((ev = evictable(b)) < 0)
				return;
			blog(LOG_NOTICE, "uid %u pid %d: dropped, to make room: every place was taken, more than "
			     "%d of them by this user", (unsigned)b->cl[ev].cred.uid, (int)b->cl[ev].cred.pid,
			     CLIENTS_PER_UID);
			client_close(b, (size_t)ev);
		}
		cl = &b->cl[b->ncl];
		fd = accept4(b->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				blog(LOG_ERR, "accept: %s", strerror(errno));
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cl->cred, &l) < 0) {
			blog(LOG_ERR, "reading a caller's credentials: %s", strerror(errno));
			close(fd);
			continue;
		}
		cl->fd = fd;
		cl->deadline = now_ms() + (long long)b->opt->timeout * 1000;
		b->ncl++;
	}
}

/* The socket systemd passed (LISTEN_FDS), or one bound at path. */
static int listen_socket(struct ctx *c, const char *path, bool *passed)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, type;
	socklen_t tl = sizeof(type);

	if (pid && fds && atol(pid) == (long)getpid()) {
		if (strcmp(fds, "1")) {
			report(c, "broker: systemd passed %s sockets; the broker takes one", fds);
			return -1;
		}
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		if (getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_SEQPACKET) {
			report(c, "broker: the socket systemd passed is not a SOCK_SEQPACKET socket "
			       "(ListenSequentialPacket=)");
			return -1;
		}
		fcntl(3, F_SETFD, FD_CLOEXEC);
		fcntl(3, F_SETFL, fcntl(3, F_GETFL) | O_NONBLOCK);
		*passed = true;
		return 3;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		report(c, "broker: socket path \"%s\" is longer than %zu bytes", path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
		report_err(c, errno, NULL, "broker: socket");
		return -1;
	}
	/* A socket left by a broker that is gone; never anything else. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == ECONNREFUSED)
		unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0666) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		report_err(c, errno, NULL, "broker: listening on %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

int broker_main(struct ctx *c, const struct request *req)
{
	static struct pollfd pfd[CLIENTS_MAX + 1];
	struct sigaction sa = { .sa_handler = on_stop };
	struct broker *b;
	bool passed = false;
	int rc = 1;

	if ((b = calloc(1, sizeof(*b))))
		b->lfd = -1;
	if (!b || !(b->buf = malloc(BROKER_REQ_MAX + 1)) ||
	    !(b->reply = malloc(BROKER_REPLY_MAX))) {
		report(c, "out of memory");
		goto out;
	}
	b->opt = req->own;
	if ((b->lfd = listen_socket(c, b->opt->socket, &passed)) < 0)
		goto out;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	log_init();
	policy_refresh(b);
	blog(LOG_INFO, "listening on %s", passed ? "the socket systemd passed" : b->opt->socket);
	while (!stopping) {
		long long now = now_ms(), next = -1;
		size_t np;
		int n, timeout;

		/* Clients past their deadline are dropped first. */
		for (size_t i = 0; i < b->ncl;) {
			if (b->cl[i].deadline <= now) {
				blog(LOG_NOTICE, "uid %u pid %d: no request within %u s: dropped",
					(unsigned)b->cl[i].cred.uid, (int)b->cl[i].cred.pid, b->opt->timeout);
				client_close(b, i);
				continue;
			}
			if (next < 0 || b->cl[i].deadline < next)
				next = b->cl[i].deadline;
			i++;
		}
		for (size_t i = 0; i < b->ncl; i++)
			pfd[i] = (struct pollfd){ .fd = b->cl[i].fd, .events = POLLIN };
		np = b->ncl;
		pfd[np] = (struct pollfd){ .fd = np < CLIENTS_MAX || evictable(b) >= 0 ? b->lfd : -1,
					   .events = POLLIN };
		timeout = next < 0 ? -1 : (int)(next - now);
		n = poll(pfd, np + 1, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			report_err(c, errno, NULL, "broker: poll");
			goto out;
		}
		/* From the end, so that closing one (moving the last into
		 * its place) leaves the ones still to look at alone. */
		for (size_t i = np; i-- > 0;)
			if (pfd[i].revents)
				handle(b, i);
		if (pfd[np].revents & POLLIN)
			accept_all(b);
	}
	blog(LOG_INFO, "stopping");
	rc = 0;
out:
	if (b) {
		while (b->ncl)
			client_close(b, 0);
		if (b->lfd >= 0 && !passed && b->opt) {
			close(b->lfd);
			unlink(b->opt->socket);
		}
		policy_free(&b->pol);
		free(b->buf);
		free(b->reply);
		free(b);
	}
	return rc;
}
