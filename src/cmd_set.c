/* cmd_set.c - "tunctl set": owner, group, link settings and namespace of a device. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net/if.h>

#include <linux/capability.h>
#include <net/if.h>

#include "dev.h"
#include "link.h"
#include "ops.h"
#include "procfs.h"
#include "sysfs.h"
#include "tun.h"
#include "tunctl.h"

/* Resolves --user and --group and refuses what the kernel cannot do, before
 * anything changes. */
static int check_owner(struct ctx *c, const struct set_req *r, const struct tun_info *ti,
		       uint32_t *uid, uint32_t *gid)
{
	struct owner o;
	int rc;

	if ((rc = owner_resolve(c, &r->user, &r->group, false, &o)))
		return rc;
	*uid = o.uid;
	*gid = o.gid;
	/* The kernel lets a process attach if it is the owner (when one is
	 * set) and in the group (when one is set), or has CAP_NET_ADMIN: an
	 * owner who sets a group they are not in can no longer attach, nor
	 * change it back. Giving the device away with --user is explicit. */
	if (r->group.set && !r->yes && !owner_in_egroup(*gid) && !proc_has_cap(CAP_NET_ADMIN) &&
	    (r->user.set ? *uid == (uint32_t)geteuid() : !ti->owner_set || ti->owner == (uint32_t)geteuid())) {
		report(c, "--group %s would lock you (uid %u) out of %s: you are not in that group, and could not "
		       "attach to it or change it back; add --yes to do it anyway", r->group.name,
		       (unsigned)geteuid(), r->name);
		return 2;
	}
	/* The same for the owner, when it is another user. */
	if (r->group.set && !r->yes && (r->user.set || ti->owner_set) &&
	    (rc = owner_check_group(c, r->user.set ? *uid : ti->owner, *gid, r->name,
				    "add --yes to do it anyway (for a program given the group otherwise, "
				    "as by systemd's SupplementaryGroups=)")))
		return rc;
	/* TUNSETOWNER and TUNSETGROUP refuse -1 (an invalid id) since user
	 * namespaces: once set, an owner or group cannot be cleared in place. */
	if ((r->no_user && ti->owner_set) || (r->no_group && ti->group_set)) {
		bool u = r->no_user && ti->owner_set;

		report(c, "%s: the kernel cannot clear a device's %s (%u) once set; delete and re-create it",
		       r->name, u ? "owner" : "group", u ? ti->owner : ti->group);
		return 1;
	}
	return 0;
}

/* A descriptor attached to the device, for TUNSETOWNER/TUNSETGROUP; taken
 * before the netlink exchange, so it still reaches the device after a move
 * to another namespace.  -1 after reporting. */
static int hold(struct ctx *c, const struct set_req *r, struct tun_info *ti)
{
	int fd, err;

	if ((fd = tun_open(NULL)) < 0) {
		report_tun_open(c, fd, NULL);
		return -1;
	}
	err = tun_attach_admin(fd, ti->name, &ti->flags);
	if (err == -EBUSY) {
		close(fd);
		report_in_use(c, r->name, "its owner and group can be changed only while no process has it open");
		return -1;
	}
	if (err) {
		close(fd);
		report_err(c, err, NULL, "%s: setting owner and group", r->name);
		return -1;
	}
	return fd;
}

/* The rtnetlink socket of the namespace netns_fd, in place of c's, until
 * leave_target: the moved device's settings are made there.  0, or 1
 * after reporting. */
struct target {
	struct nl saved;
	bool saved_ready;
	int home;
};

static int enter_target(struct ctx *c, struct target *t, int netns_fd, const char *name)
{
	struct nl *nl;

	if ((t->home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0 || setns(netns_fd, CLONE_NEWNET) < 0) {
		report_err(c, -errno, NULL, "cannot enter namespace %s", name);
		if (t->home >= 0)
			close(t->home);
		return 1;
	}
	t->saved = c->nl;
	t->saved_ready = c->nl_ready;
	c->nl_ready = false;
	nl = ctx_nl(c);
	/* A socket keeps the namespace it was made in. */
	if (setns(t->home, CLONE_NEWNET) < 0 && nl)
		report_err(c, -errno, NULL, "cannot return from namespace %s", name);
	return nl ? 0 : 1;
}

static void leave_target(struct ctx *c, struct target *t)
{
	if (c->nl_ready)
		nl_close(&c->nl);
	c->nl = t->saved;
	c->nl_ready = t->saved_ready;
	close(t->home);
}

/* A rename: refused if the name is taken; an up device is taken down for
 * it and brought up again (unless --down), and what the kernel drops with
 * the down (its IPv6 addresses, its routes) is read first, to be put back
 * after the up and by undo.  0, or 1 after reporting. */
static int prepare_rename(struct ctx *c, const struct set_req *r, int ifindex, struct link_spec *link,
			  struct dc_kept *kept, struct devconf *dc)
{
	const struct link_spec want = { .set_updown = true };
	struct link_spec now;
	int err;

	if (if_nametoindex(r->rename)) {
		report(c, "%s: --name %s: a device %s exists already (ip link show %s); choose another name",
		       r->name, r->rename, r->rename, r->rename);
		return 1;
	}
	dc->rename = r->rename;
	if (dev_link_now(c, r->name, &want, &now))
		return 1;
	if (!now.up)
		return 0;
	dc->cycle = true;
	if (!link->set_updown) {
		link->set_updown = true;
		link->up = true;
	}
	if ((err = dc_keep(c, ifindex, kept))) {
		report_err(c, err, NULL, "%s: nothing changed: listing its addresses and routes (to put them back "
			   "after the rename)", r->name);
		return 1;
	}
	dc->kept = kept;
	if (link->up) {
		dc->addrs = kept->addrs;
		dc->naddrs = kept->naddrs;
		dc->routes = kept->routes;
		dc->nroutes = kept->nroutes;
		dc->exist_ok = true;
		dc->readd = true;
	}
	return 0;
}

/* A move to another namespace (--netns), and what it takes to undo it. */
struct set_move {
	struct devconf mv, back;	/* there, and back on failure */
	struct dc_run run2, run3;	/* their exchanges */
	struct target tg;
	struct link_spec was;		/* up or down before the move, and its master */
	int home_index;			/* its index before the move */
	bool in_target;			/* this process is in the new namespace */
	bool indexed;			/* ... and knows the device's index there */
	bool moved_back;
};

/* With --netns: the settings read first (to put them back on failure), the
 * device moved, then the link settings made in the new namespace (*converged
 * once made).  With anything to do after the move (link settings, a rename,
 * the owner or group), the new namespace is entered and the device's index
 * there read first: a failure after the move moves it back from there.
 * 0, or 1 after reporting. */
static int move_and_set(struct ctx *c, const struct set_req *r, struct set_move *m, struct ops_converge *cv,
			struct devconf *dc, int *ifindex, bool *converged)
{
	struct device d;
	int rc;

	/* One read for all: the settings to put back, and what the move
	 * drops and moving back does not bring back: up or down, and a
	 * device it names (its master), which stays here. */
	if (dev_lookup(c, r->name, &d))
		return 1;
	memset(&cv->old, 0, sizeof(cv->old));
	m->was = (struct link_spec){ .set_updown = true, .up = d.link.up };
	for (size_t i = 0; i < LINK_N; i++) {
		const struct link_setting *s = &link_settings[i];

		if (link_has(s, &r->link))
			link_copy(s, &cv->old, &d.link);
		if (s->kind != LK_DEV)
			continue;
		link_copy(s, &m->was, &d.link);
		/* There it arrives without one: undo puts back none, not
		 * an index of here. */
		if (link_has(s, &cv->old))
			memset((void *)link_value(s, &cv->old), 0, sizeof(struct dev_ref));
	}
	if ((rc = dc_snap_take(c, &m->run2, r->name, m->home_index = *ifindex)))
		return rc;
	if ((rc = dc_exchange(c, &m->run2, r->name, *ifindex, &m->mv)) ||
	    !(link_any(&r->link) || dc->rename || r->user.set || r->group.set))
		return rc;
	/* Moved: the rest is done in the new namespace. */
	if ((rc = enter_target(c, &m->tg, m->mv.netns_fd, r->netns)))
		return rc;
	m->in_target = true;
	if ((rc = ctx_ifindex(c, r->name, ifindex)))
		return rc;
	m->indexed = true;
	dc->restore = &cv->old;
	cv->dc = *dc;
	/* Its master is looked up there, through the socket entered. */
	cv->dc.netns_name = r->netns;
	if (!(rc = dc_exchange(c, &cv->run, r->name, *ifindex, &cv->dc)))
		*converged = true;
	return rc;
}

/* After the group failed: the owner set (uid) put back as the device had it
 * (ti).  False if it cannot be: it had none, which the kernel cannot clear,
 * or putting it back failed. */
static bool owner_back(int fd, const struct tun_info *ti, uint32_t uid)
{
	if (ti->owner_set && ti->owner == uid)
		return true;
	return ti->owner_set && !tun_set_owner(fd, ti->owner);
}

/* The owner and group, which the kernel cannot unset, come last: if either
 * fails, the link settings made (converged) are undone, and an owner set
 * before the group failed is put back, or said to stay.  0, or 1 after
 * reporting. */
static int set_owner_group(struct ctx *c, const struct set_req *r, const struct tun_info *ti, int fd, uint32_t uid,
			   uint32_t gid, struct ops_converge *cv, bool converged)
{
	bool owner_set = false;
	int err = 0;

	if (r->user.set)
		owner_set = !(err = tun_set_owner(fd, uid));
	if (!err && r->group.set)
		err = tun_set_group(fd, gid);
	if (!err)
		return 0;
	if (owner_set && !owner_back(fd, ti, uid))
		report(c, "%s: setting owner and group: %s; its owner is now uid %u and could not be put back (the "
		       "kernel cannot clear an owner: tunctl del %s and add it again to undo it)", r->name,
		       strerror(-err), (unsigned)uid, r->name);
	else
		report_err(c, err, NULL, "%s: setting owner and group", r->name);
	if (converged)
		ops_converge_undo(c, cv);
	return 1;
}

/* The end of a move: after a failure (rc) in the new namespace the device is
 * moved back; the move took it down and dropped its addresses and routes (in
 * either direction): as they were. */
static void move_end(struct ctx *c, const struct set_req *r, struct set_move *m, int rc, int ifindex)
{
	int back_index;

	if (rc && m->indexed) {
		m->back.netns_fd = m->tg.home;
		m->moved_back = !dc_exchange(c, &m->run3, r->name, ifindex, &m->back);
	}
	if (m->in_target)
		leave_target(c, &m->tg);
	if (m->moved_back && (back_index = (int)if_nametoindex(r->name)))
		dc_put_back(c, &m->run2, m->home_index, back_index, &m->was);
}

/* Everything is checked first.  Without --netns: the link settings in one
 * exchange, undone if any fails.  With --netns: the move first, as the
 * kernel takes a moved device down and drops its addresses and routes;
 * then the link settings in the new namespace, and if any fails, they are
 * undone and the device moved back.  The owner and group, which the
 * kernel cannot unset, come last. */
int set_run(struct ctx *c, const struct set_req *r)
{
	struct link_spec link = r->link;
	struct dc_kept kept = { 0 };
	struct devconf dc = { .link = &link, .add = true, .undo = true };
	struct set_move m = {
		.mv = { .add = true, .move = true, .netns_fd = -1, .netns_name = r->netns },
		.back = { .add = true, .move = true, .netns_fd = -1, .netns_name = "its namespace" },
	};
	struct tun_info ti;
	struct ops_converge cv;
	bool converged = false;
	uint32_t uid = 0, gid = 0;
	int ifindex, rc, fd = -1;

	/* Read under the lock: what it puts back on failure is what no other
	 * command is changing meanwhile. */
	if (ctx_lock(c) || (r->user.set || r->group.set ? find_tun_attach : find_tun)(c, r->name, &ti, &ifindex))
		return 1;
	if (r->link.has_mac && ti.flags.mode != MODE_TAP) {
		char mac[18];

		format_mac(r->link.mac, mac);
		report(c, "--mac %s: %s is a tun device, which has no MAC address (only tap devices have one)",
		       mac, r->name);
		return 2;
	}
	if ((rc = check_owner(c, r, &ti, &uid, &gid)))
		return rc;
	/* In another namespace the device arrives down: renamed there. */
	if (r->rename && strcmp(r->rename, r->name)) {
		if (r->netns)
			dc.rename = r->rename;
		else if ((rc = prepare_rename(c, r, ifindex, &link, &kept, &dc)))
			goto out;
	}
	if (r->netns && open_netns(c, r->netns, &m.mv.netns_fd))
		return 1;
	if ((r->user.set || r->group.set) && (fd = hold(c, r, &ti)) < 0) {
		rc = 1;
		goto out;
	}
	dc_run_init(&m.run2);
	dc_run_init(&m.run3);
	dc_run_init(&cv.run);
	if (!r->netns) {
		rc = ops_converge(c, &cv, r->name, ifindex, &dc);
		converged = !rc;
	} else {
		rc = move_and_set(c, r, &m, &cv, &dc, &ifindex, &converged);
	}
	if (!rc)
		rc = set_owner_group(c, r, &ti, fd, uid, gid, &cv, converged);
	move_end(c, r, &m, rc, ifindex);
	ops_converge_free(&cv);
	dc_run_free(&m.run2);
	dc_run_free(&m.run3);
out:
	if (fd >= 0)
		close(fd);
	if (m.mv.netns_fd >= 0)
		close(m.mv.netns_fd);
	dc_kept_free(&kept);
	return rc;
}
