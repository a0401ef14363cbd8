/* cmd_add.c - "tunctl add": create a persistent device, configured, all or nothing. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

#include "devconf.h"
#include "ids.h"
#include "sysfs.h"
#include "tun.h"
#include "tunctl.h"

struct owner {
	bool user_set, group_set;
	uint32_t uid, gid;
};

/* Secure by default: with neither --user nor --group the caller owns it. */
static int resolve_owner(struct ctx *c, const struct add_req *r, struct owner *o)
{
	memset(o, 0, sizeof(*o));
	if (r->any_user)
		return 0;
	if (!r->user.set && !r->group.set) {
		o->user_set = true;
		o->uid = (uint32_t)geteuid();
		return 0;
	}
	if (r->user.set) {
		if (ids_user(&r->user, &o->uid)) {
			report(c, "unknown user \"%s\"", r->user.name);
			return 2;
		}
		o->user_set = true;
	}
	if (r->group.set) {
		if (ids_group(&r->group, &o->gid)) {
			report(c, "unknown group \"%s\"", r->group.name);
			return 2;
		}
		o->group_set = true;
	}
	return 0;
}

static void print_result(struct ctx *c, const char *name, bool created)
{
	out_obj_open(&c->out, NULL);
	out_str(&c->out, "ifname", "%s\n", name);
	out_bool(&c->out, "created", NULL, created);
	out_obj_close(&c->out);
	out_end(&c->out);
}

static const char *onoff(bool b)
{
	return b ? "on" : "off";
}

/* --exist-ok on a device that is there: same mode and flags, then add what is missing. */
static int adopt(struct ctx *c, const struct add_req *r, struct tun_info *ti,
		 const struct owner *o)
{
	const struct tun_flags *f = &ti->flags;
	struct devconf dc = {
		.link = &r->link, .addrs = r->addrs, .naddrs = r->naddrs,
		.routes = r->routes, .nroutes = r->nroutes,
		.add = true, .exist_ok = true, .undo = true,
	};
	bool need_owner, need_group;
	int ifindex;

	if (f->mode != r->mode) {
		report(c, "%s exists as a %s device, not %s", r->name, mode_name(f->mode), mode_name(r->mode));
		return 1;
	}
	if (f->pi != r->pi || f->vnet_hdr != r->vnet_hdr || f->multi_queue != r->multi_queue) {
		const char *what = f->pi != r->pi ? "pi" : f->vnet_hdr != r->vnet_hdr ? "vnet-hdr" : "multi-queue";
		bool has = f->pi != r->pi ? f->pi : f->vnet_hdr != r->vnet_hdr ? f->vnet_hdr : f->multi_queue;

		report(c, "%s exists with %s %s, but %s was asked for", r->name, what, onoff(has), onoff(!has));
		return 1;
	}
	if ((o->user_set && ti->owner_set && ti->owner != o->uid) ||
	    (o->group_set && ti->group_set && ti->group != o->gid)) {
		bool u = o->user_set && ti->owner_set && ti->owner != o->uid;

		report(c, "%s exists with %s %u, not %u", r->name, u ? "owner" : "group",
		       u ? ti->owner : ti->group, u ? o->uid : o->gid);
		return 1;
	}
	need_owner = o->user_set && !ti->owner_set;
	need_group = o->group_set && !ti->group_set;
	if (need_owner || need_group) {
		int fd = tun_open(NULL), err;

		if (fd < 0) {
			report_err(c, fd, NULL, "cannot open %s", TUN_CLONE_PATH);
			return 1;
		}
		err = tun_attach(fd, ti->name, f);
		if (!err && need_owner)
			err = tun_set_owner(fd, o->uid);
		if (!err && need_group)
			err = tun_set_group(fd, o->gid);
		close(fd);
		if (err) {
			report_err(c, err, NULL, "%s: setting its owner", r->name);
			return 1;
		}
	}
	ifindex = (int)if_nametoindex(r->name);
	if (!ifindex) {
		report_err(c, errno, NULL, "%s", r->name);
		return 1;
	}
	if (devconf_apply(c, r->name, ifindex, &dc))
		return 1;
	print_result(c, r->name, false);
	return 0;
}

int add_run(struct ctx *c, const struct add_req *r)
{
	struct tun_flags f = { .mode = r->mode, .pi = r->pi, .vnet_hdr = r->vnet_hdr, .multi_queue = r->multi_queue };
	struct devconf dc = {
		.link = &r->link, .addrs = r->addrs, .naddrs = r->naddrs,
		.routes = r->routes, .nroutes = r->nroutes, .add = true,
	};
	char name[IFNAMSIZ];
	struct owner o;
	int fd, err, ifindex, rc;

	if ((rc = resolve_owner(c, r, &o)))
		return rc;
	if (r->exist_ok && !strchr(r->name, '%')) {
		struct tun_info ti;

		err = sysfs_tun_read(r->name, &ti);
		if (err == -ENOTTY) {
			report(c, "%s exists and is not a TUN/TAP device", r->name);
			return 1;
		}
		if (!err)
			return adopt(c, r, &ti, &o);
	}
	fd = tun_open(NULL);
	if (fd < 0) {
		report_err(c, fd, NULL, "cannot open %s", TUN_CLONE_PATH);
		return 1;
	}
	snprintf(name, sizeof(name), "%s", r->name);
	err = tun_create(fd, name, &f);
	if (err == -EBUSY) {
		report(c, "device %s already exists", r->name);
		goto fail;
	}
	if (err) {
		report_err(c, err, NULL, "creating %s", r->name);
		goto fail;
	}
	if (o.user_set && (err = tun_set_owner(fd, o.uid))) {
		report_err(c, err, NULL, "%s: setting owner %u", name, o.uid);
		goto fail;
	}
	if (o.group_set && (err = tun_set_group(fd, o.gid))) {
		report_err(c, err, NULL, "%s: setting group %u", name, o.gid);
		goto fail;
	}
	ifindex = (int)if_nametoindex(name);
	if (!ifindex) {
		report_err(c, errno, NULL, "%s", name);
		goto fail;
	}
	/* Configured while this fd holds it: if anything fails, closing the fd
	 * destroys the device, since it is not persistent yet. */
	if (devconf_apply(c, name, ifindex, &dc))
		goto fail;
	if ((err = tun_set_persist(fd, true))) {
		report_err(c, err, NULL, "%s: making it persistent", name);
		goto fail;
	}
	close(fd);
	print_result(c, name, true);
	return 0;
fail:
	close(fd);
	return 1;
}
