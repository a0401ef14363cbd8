/* cmd_set.c - "tunctl set": owner, group, link settings and namespace of a device. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "devconf.h"
#include "ids.h"
#include "procfs.h"
#include "rtnl.h"
#include "sysfs.h"
#include "tun.h"
#include "tunctl.h"

static void report_busy(struct ctx *c, const char *name)
{
	struct holder *h = NULL;
	size_t n = 0;

	if (!proc_tun_holders(name, &h, &n) && n)
		report(c, "%s is in use by %s (pid %d): its owner and group can be changed only while no process has it open",
		       name, h[0].comm, (int)h[0].pid);
	else
		report(c, "%s is in use: its owner and group can be changed only while no process has it open", name);
	free(h);
}

static int set_owner(struct ctx *c, const struct set_req *r, struct tun_info *ti)
{
	uint32_t uid = 0, gid = 0;
	int fd, err;

	if (r->user.set && ids_user(&r->user, &uid)) {
		report(c, "unknown user \"%s\"", r->user.name);
		return 2;
	}
	if (r->group.set && ids_group(&r->group, &gid)) {
		report(c, "unknown group \"%s\"", r->group.name);
		return 2;
	}
	/* TUNSETOWNER and TUNSETGROUP refuse -1 (an invalid id) since user
	 * namespaces: once set, an owner or group cannot be cleared in place. */
	if ((r->no_user && ti->owner_set) || (r->no_group && ti->group_set)) {
		bool u = r->no_user && ti->owner_set;

		report(c, "%s: the kernel cannot clear a device's %s (%u) once set; delete and re-create it",
		       r->name, u ? "owner" : "group", u ? ti->owner : ti->group);
		return 1;
	}
	if (!r->user.set && !r->group.set)
		return 0;
	if ((fd = tun_open(NULL)) < 0) {
		report_err(c, fd, NULL, "cannot open %s", TUN_CLONE_PATH);
		return 1;
	}
	err = tun_attach(fd, ti->name, &ti->flags);
	if (err == -EBUSY) {
		close(fd);
		report_busy(c, r->name);
		return 1;
	}
	if (!err && r->user.set)
		err = tun_set_owner(fd, uid);
	if (!err && r->group.set)
		err = tun_set_group(fd, gid);
	close(fd);
	if (err) {
		report_err(c, err, NULL, "%s: setting owner and group", r->name);
		return 1;
	}
	return 0;
}

static int move_netns(struct ctx *c, const struct set_req *r, int ifindex)
{
	struct nl *nl = ctx_nl(c);
	struct nl_tx tx;
	int fd, rc = 1, err;

	if (!nl)
		return 1;
	if ((fd = open_netns(c, r->netns)) < 0)
		return 1;
	nl_tx_init(&tx);
	if (!nl_tx_room(&tx)) {
		report(c, "out of memory");
		goto out;
	}
	rtnl_link_set(tx.buf, ifindex, NULL, fd, -1);
	nl_tx_push(&tx);
	if ((err = nl_tx_run(nl, &tx)) || (err = tx.replies[0].err))
		report_err(c, err, tx.replies[0].msg, "moving %s to namespace %s", r->name, r->netns);
	else
		rc = 0;
out:
	nl_tx_free(&tx);
	close(fd);
	return rc;
}

int set_run(struct ctx *c, const struct set_req *r)
{
	const struct link_spec *l = &r->link;
	struct devconf dc = { .link = l, .add = true };
	struct tun_info ti;
	int ifindex, rc;

	if (find_tun(c, r->name, &ti, &ifindex))
		return 1;
	if (r->user.set || r->group.set || r->no_user || r->no_group)
		if ((rc = set_owner(c, r, &ti)))
			return rc;
	if (l->set_updown || l->has_mtu || l->has_mac || l->has_txqlen)
		if (devconf_apply(c, r->name, ifindex, &dc))
			return 1;
	if (r->netns)
		return move_netns(c, r, ifindex);
	return 0;
}
