/* cmd_check.c - "tunctl check": is a device ready for its consumer? Reads
 * (a link dump, /proc, the device nodes), changes nothing, needs no
 * capability: it runs as the consumer would. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "access.h"
#include "check.h"
#include "cred.h"
#include "dumps.h"
#include "ids.h"
#include "procfs.h"
#include "rtnl.h"
#include "tun.h"
#include "vec.h"

#define VHOST_NET_PATH "/dev/vhost-net"
/* The kernel's limit of queues on one device (MAX_TAP_QUEUES). */
#define QUEUES_LIMIT 256

struct check_req {
	const char *name;
	struct id_spec user;
	bool has_mode;
	enum tun_mode mode;
	uint32_t queues;        /* 0: not asked */
	int pi, vnet_hdr;       /* 1 wanted, 0 not wanted, -1 either */
	bool vhost;
	const char *master;
};

const struct optdef check_opts[] = {
	{ "user", required_argument, .id = O_USER },
	{ "mode", required_argument, .id = O_MODE },
	{ "queues", required_argument, .id = O_QUEUES },
	{ "pi", no_argument, .id = O_PI },
	{ "no-pi", no_argument, .id = O_NO_PI },
	{ "vnet-hdr", no_argument, .id = O_VNET_HDR },
	{ "no-vnet-hdr", no_argument, .id = O_NO_VNET_HDR },
	{ "vhost", no_argument, FLAG_IN(struct check_req, vhost) },
	{ "master", required_argument, .id = O_MASTER },
	OPT_END
};

static int tristate(struct parsed *p, const struct optitem *it, int *v, int want, const char *name)
{
	if (*v != -1)
		return *v == want ? opt_twice(p, it) : usage_err(p, "options --%s and --no-%s conflict", name, name);
	*v = want;
	return 0;
}

static int check_opt(struct parsed *p, const struct optitem *it, void *arg)
{
	struct check_req *r = arg;
	char err[ERRLEN];

	switch (it->def->id) {
	case O_USER:
		if (r->user.set)
			return opt_twice(p, it);
		if (!parse_id(it->val, &r->user))
			return usage_err(p, "invalid user \"%s\"", it->val);
		return 0;
	case O_MODE:
		if (r->has_mode)
			return opt_twice(p, it);
		r->has_mode = true;
		return parse_mode_opt(p, it, &r->mode);
	case O_QUEUES:
		if (r->queues)
			return opt_twice(p, it);
		if (!parse_u32(it->val, 1, 65535, &r->queues))
			return usage_err(p, "invalid --queues \"%s\" (a number of queues, 1 or more)", it->val);
		return 0;
	case O_PI:
	case O_NO_PI:
		return tristate(p, it, &r->pi, it->def->id == O_PI, "pi");
	case O_VNET_HDR:
	case O_NO_VNET_HDR:
		return tristate(p, it, &r->vnet_hdr, it->def->id == O_VNET_HDR, "vnet-hdr");
	case O_MASTER:
		if (r->master)
			return opt_twice(p, it);
		if (!parse_ifname(it->val, false, err, sizeof(err)))
			return usage_err(p, "--master: %s", err);
		r->master = it->val;
		return 0;
	default:
		return 0;
	}
}

int parse_check(struct parsed *p, struct request *req)
{
	struct check_req *r = calloc(1, sizeof(*r));
	int rc;

	if (!(req->own = r))
		return oom_err(p);
	r->pi = r->vnet_hdr = -1;
	if ((rc = need_name(p, 0, &r->name, false)) || (rc = each_opt(p, r, check_opt, r)))
		return rc;
	return no_more(p, 1);
}

/* What the link dump says, kept: the device, and each link's name and
 * state, for its master. */
struct seen_link {
	char name[16];
	bool up;
};

struct seen {
	const char *name;
	bool found;
	struct device dev;
	struct seen_link *links;
	size_t n, cap;
};

static int take_link(const struct device *l, void *data)
{
	struct seen *s = data;
	struct seen_link *v;

	if (!strcmp(l->ti.name, s->name)) {
		s->dev = *l;
		s->found = true;
	}
	if (!(v = vec_grow(s->links, &s->cap, s->n + 1, sizeof(*v))))
		return -ENOMEM;
	s->links = v;
	memcpy(v[s->n].name, l->ti.name, sizeof(v[s->n].name));
	v[s->n++].up = l->link.up;
	return 0;
}

static void seen_reset(void *data)
{
	struct seen *s = data;

	s->found = false;
	s->n = 0;
}

static const struct seen_link *seen_find(const struct seen *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->links[i].name, name))
			return &s->links[i];
	return NULL;
}

/* The problems found, in the order they are checked. */
#define PROBLEMS_MAX 20
struct problem {
	const char *code;
	char message[320];
	char fix[320];
};

struct found {
	struct problem v[PROBLEMS_MAX];
	size_t n;
	const char *tunctl, *ip;        /* "tunctl -n NETNS", "ip -n NETNS" or plain */
	char who[64];                   /* "user alice (uid 1000)" */
};

static struct problem *add(struct found *f, const char *code)
{
	struct problem *p = &f->v[f->n < PROBLEMS_MAX ? f->n++ : PROBLEMS_MAX - 1];

	p->code = code;
	return p;
}

#define SAY(buf, ...) snprintf((buf), sizeof(buf), __VA_ARGS__)

static void check_flag(struct found *f, const struct check_req *r, int want, bool has,
		       const char *code, const char *what, const char *opt)
{
	struct problem *p;

	if (want < 0 || want == has)
		return;
	p = add(f, code);
	SAY(p->message, "%s %s the %s", r->name, has ? "has" : "lacks", what);
	SAY(p->fix, "attach with %s run %s --%s%s -- COMMAND (the device keeps it), or have the consumer ask %s",
	    f->tunctl, r->name, want ? "" : "no-", opt, want ? "for it" : "without it");
}

static void check_link(struct found *f, const struct check_req *r, const struct seen *s,
		       const struct creds *cr)
{
	const struct device *l = &s->dev;
	const char *n = r->name;
	char a[64], b[64];
	struct problem *p;
	unsigned denied;

	if (r->has_mode && l->ti.flags.mode != r->mode) {
		p = add(f, "mode");
		SAY(p->message, "%s is a %s device, not %s", n, l->ti.flags.mode == MODE_TAP ? "tap" : "tun", mode_name(r->mode));
		SAY(p->fix, "make it again: %s del %s, then %s add %s --mode %s", f->tunctl, n, f->tunctl, n,
		    mode_name(r->mode));
	}
	if (!l->link.up) {
		p = add(f, "down");
		SAY(p->message, "%s is down", n);
		SAY(p->fix, "bring it up: %s set %s --up", f->tunctl, n);
	}
	denied = attach_denied(l->ti.owner_set, l->ti.owner, l->ti.group_set, l->ti.group, cr);
	if (denied & ATTACH_NOT_OWNER) {
		p = add(f, "owner");
		SAY(p->message, "%s may not attach to %s: its owner is user %s", f->who, n,
		    ids_user_name(l->ti.owner, a, sizeof(a)));
		SAY(p->fix, "make the consumer's user its owner: %s set %s --user %s", f->tunctl, n,
		    ids_user_name(cr->uid, b, sizeof(b)));
	}
	if (denied & ATTACH_NOT_GROUP) {
		p = add(f, "group");
		SAY(p->message, "%s may not attach to %s: it is not in its group %s", f->who, n,
		    ids_group_name(l->ti.group, a, sizeof(a)));
		SAY(p->fix, "add the user to group %s (usermod -aG %s USER, then log in again), or %s set %s --group GROUP",
		    a, a, f->tunctl, n);
	}
	if (r->queues > 1 && !l->ti.flags.multi_queue) {
		p = add(f, "multi-queue");
		SAY(p->message, "%u queues need a multi-queue device; %s has one queue", r->queues, n);
		SAY(p->fix, "make it again: %s del %s, then %s add %s --multi-queue", f->tunctl, n, f->tunctl, n);
	}
	if (r->queues > QUEUES_LIMIT) {
		p = add(f, "queues");
		SAY(p->message, "%u queues: the kernel allows at most %u on a device", r->queues, QUEUES_LIMIT);
		SAY(p->fix, "ask for %u queues or fewer", QUEUES_LIMIT);
	} else if (l->ti.flags.multi_queue && l->has_queues &&
		   (uint64_t)l->num_queues + l->num_disabled + (r->queues ? r->queues : 1) > QUEUES_LIMIT) {
		p = add(f, "queues");
		SAY(p->message, "%s has %u queues attached; %u more would pass the kernel's limit of %u", n,
		    l->num_queues + l->num_disabled, r->queues ? r->queues : 1, QUEUES_LIMIT);
		SAY(p->fix, "ask for %u queues or fewer, or stop the processes that hold %s (%s show %s)",
		    QUEUES_LIMIT - l->num_queues - l->num_disabled, n, f->tunctl, n);
	}
	check_flag(f, r, r->pi, l->ti.flags.pi, "pi", "packet information header", "pi");
	check_flag(f, r, r->vnet_hdr, l->ti.flags.vnet_hdr, "vnet-hdr", "virtio-net header", "vnet-hdr");
}

/* A device of one queue takes one reader (EBUSY for the next). */
static int check_held(struct ctx *c, struct found *f, const struct check_req *r, const struct seen *s)
{
	struct holder *h = NULL;
	struct problem *p;
	char who[200];
	size_t n = 0;
	int err;

	if (s->dev.ti.flags.multi_queue)
		return 0;
	if ((err = proc_tun_holders(r->name, &h, &n))) {
		report_err(c, err, NULL, "reading /proc for the processes that hold %s", r->name);
		return 1;
	}
	if (n) {
		holders_text(h, n, r->name, who, sizeof(who));
		p = add(f, "held");
		SAY(p->message, "%s is held by %s: a device of one queue takes one reader", r->name, who);
		SAY(p->fix, "stop %s (kill %d), or make the device with --multi-queue to share it",
		    n > 1 ? "them" : "it", (int)h[0].pid);
	} else if (s->dev.has_carrier && s->dev.carrier && proc_unseen()) {
		p = add(f, "held");
		SAY(p->message, "%s is held by a process this user cannot see (it has carrier)", r->name);
		SAY(p->fix, "find it as root (%s show %s) and stop it", f->tunctl, r->name);
	}
	free(h);
	return 0;
}

static void check_master(struct found *f, const struct check_req *r, const struct seen *s)
{
	const char *cur = s->found && s->dev.link.master.name[0] ? s->dev.link.master.name : NULL;
	const char *m = r->master ? r->master : cur;
	const struct seen_link *ml = m ? seen_find(s, m) : NULL;
	struct problem *p;

	if (r->master && !ml) {
		p = add(f, "master-missing");
		SAY(p->message, "master %s does not exist", r->master);
		SAY(p->fix, "create it (%s link add %s type bridge), then %s set %s --master %s", f->ip, r->master,
		    f->tunctl, r->name, r->master);
	} else if (r->master && s->found && (!cur || strcmp(cur, r->master))) {
		p = add(f, "master-differs");
		if (cur)
			SAY(p->message, "%s is on %s, not on %s", r->name, cur, r->master);
		else
			SAY(p->message, "%s has no master, not %s", r->name, r->master);
		SAY(p->fix, "%s set %s --master %s", f->tunctl, r->name, r->master);
	}
	if (ml && !ml->up) {
		p = add(f, "master-down");
		SAY(p->message, "master %s is down", m);
		SAY(p->fix, "bring it up: %s link set %s up", f->ip, m);
	}
}

/* A device node the consumer opens: the caller's own open tells exactly
 * (and is closed at once); another user's answer comes from the node's
 * mode and owner, and whether its driver is there. */
static void check_node(struct found *f, const char *code, const char *path, const char *module,
		       bool self, const struct creds *cr)
{
	struct acl_entry acl[ACL_ENTRIES_MAX];
	const char *why = NULL;
	struct problem *p;
	char buf[160], sys[64];
	size_t nacl = 0;
	struct stat st;
	int fd, err = 0;

	if (self) {
		if ((fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY)) >= 0)
			close(fd);
		else
			err = errno;
	} else if (stat(path, &st)) {
		err = errno;
	} else if (!S_ISCHR(st.st_mode)) {
		err = ENODEV;
	} else if ((err = -cred_node_acl(path, acl, &nacl))) {
		/* An ACL that cannot be read: the answer is not known. */
	} else if (!node_rw_allowed(st.st_mode & 07777, st.st_uid, st.st_gid, acl, nacl, cr)) {
		err = EACCES;
	} else {
		/* Whether the kernel has a character device of the node's
		 * major:minor: sysfs's /sys/dev/char is its registry (no
		 * netlink answer; open(2) would ask as the caller, not the
		 * user checked). */
		snprintf(sys, sizeof(sys), "/sys/dev/char/%u:%u", major(st.st_rdev), minor(st.st_rdev));
		if (access(sys, F_OK) && errno == ENOENT && access("/sys/dev/char", F_OK) == 0)
			err = ENXIO;
	}
	if (!err)
		return;
	p = add(f, code);
	if (err == EACCES || err == EPERM) {
		if (self && cred_node_acl(path, acl, &nacl))
			nacl = 0;
		if (stat(path, &st) == 0) {
			char u[64], g[64];

			snprintf(buf, sizeof(buf), "mode %04o, owner %s, group %s%s", (unsigned)(st.st_mode & 07777),
				 ids_user_name(st.st_uid, u, sizeof(u)), ids_group_name(st.st_gid, g, sizeof(g)),
				 nacl ? ", an ACL" : "");
			why = buf;
		}
		SAY(p->message, "%s cannot open %s%s%s%s", f->who, path, why ? " (" : "", why ? why : "",
		    why ? ")" : "");
		SAY(p->fix, "let the user read and write it (a udev rule with GROUP= and MODE=\"0660\", "
		    "or an ACL), or have root open it and pass the descriptor");
	} else if (err == ENOENT) {
		SAY(p->message, "%s does not exist", path);
		SAY(p->fix, "load the driver: modprobe %s (udev then makes the node)", module);
	} else if (err == ENODEV || err == ENXIO) {
		SAY(p->message, "%s has no driver in this kernel", path);
		SAY(p->fix, "load it: modprobe %s", module);
	} else {
		SAY(p->message, "%s cannot open %s: %s", f->who, path, strerror(err));
		SAY(p->fix, "see why %s refuses (dmesg, the security module's log)", path);
	}
}

static void print(struct ctx *c, const struct check_req *r, const struct found *f)
{
	struct out *o = &c->out;

	if (o->json) {
		out_obj_open(o, NULL);
		out_str(o, "device", NULL, r->name);
		out_bool(o, "ready", NULL, f->n == 0);
		out_arr_open(o, "problems");
		for (size_t i = 0; i < f->n; i++) {
			out_obj_open(o, NULL);
			out_str(o, "code", NULL, f->v[i].code);
			out_str(o, "message", NULL, f->v[i].message);
			out_str(o, "fix", NULL, f->v[i].fix);
			out_obj_close(o);
		}
		out_arr_close(o);
		out_obj_close(o);
		out_end(o);
		return;
	}
	/* Text: nothing when ready (as wait prints nothing), else a line a
	 * problem, the answer itself, on standard output. */
	for (size_t i = 0; i < f->n; i++)
		out_text(o, "%s; fix: %s\n", f->v[i].message, f->v[i].fix);
}

int check_main(struct ctx *c, const struct request *req)
{
	const struct check_req *r = req->own;
	struct seen s = { .name = r->name };
	struct found *f = calloc(1, sizeof(*f));
	char tunctl[300], ip[300], uname[40], num[16];
	uint32_t *groups = NULL, uid = (uint32_t)geteuid();
	struct creds cr;
	bool self;
	int rc = 1, err;

	if (!f) {
		report(c, "out of memory");
		return 1;
	}
	if (r->user.set && (err = ids_user(&r->user, &uid))) {
		rc = report_id(c, err, "user", r->user.name ? r->user.name : "?");
		goto out;
	}
	self = uid == (uint32_t)geteuid();
	err = self ? cred_self(&cr, &groups) : cred_user(uid, &cr, &groups);
	if (err && err != -ENOENT) {
		report_err(c, err, NULL, "reading the groups of uid %u", (unsigned)uid);
		goto out;
	}
	snprintf(num, sizeof(num), "%u", (unsigned)uid);
	if (!strcmp(ids_user_name(uid, uname, sizeof(uname)), num))
		snprintf(f->who, sizeof(f->who), "uid %u", (unsigned)uid);
	else
		snprintf(f->who, sizeof(f->who), "user %s (uid %u)", uname, (unsigned)uid);
	snprintf(tunctl, sizeof(tunctl), "tunctl%s%s", req->g.netns ? " -n " : "", req->g.netns ? req->g.netns : "");
	snprintf(ip, sizeof(ip), "ip%s%s", req->g.netns ? " -n " : "", req->g.netns ? req->g.netns : "");
	f->tunctl = tunctl;
	f->ip = ip;

	if (dump_links_each(c, NULL, take_link, seen_reset, &s))
		goto out;
	if (!s.found) {
		struct problem *p = add(f, "missing");

		SAY(p->message, "%s does not exist", r->name);
		SAY(p->fix, "create it: %s add %s%s%s", f->tunctl, r->name, r->has_mode ? " --mode " : "",
		    r->has_mode ? mode_name(r->mode) : "");
	} else if (!s.dev.is_tun) {
		struct problem *p = add(f, "not-tun");

		SAY(p->message, "%s is not a TUN/TAP device", r->name);
		SAY(p->fix, "use another name, or delete that link (%s link del %s)", f->ip, r->name);
	} else {
		check_link(f, r, &s, &cr);
		if (check_held(c, f, r, &s))
			goto out;
	}
	check_master(f, r, &s);
	check_node(f, "tun-open", TUN_CLONE_PATH, "tun", self, &cr);
	if (r->vhost)
		check_node(f, "vhost-open", VHOST_NET_PATH, "vhost_net", self, &cr);
	print(c, r, f);
	/* A batch stops at a line that fails, and says which on stderr. */
	if (f->n && c->where)
		report(c, "%s is not ready (%zu problem%s)", r->name, f->n, f->n > 1 ? "s" : "");
	rc = f->n ? 1 : 0;
out:
	free(groups);
	free(s.links);
	free(f);
	return rc;
}
