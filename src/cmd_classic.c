/* cmd_classic.c - the classic UML-utilities tunctl: -t, -d, -u, -g, -n, -p, -b, -f. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

#include "owner.h"
#include "sysfs.h"
#include "tun.h"
#include "tunctl.h"

/* Like the classic tool: an existing device is taken over, not refused. */
static int classic_add(struct ctx *c, const struct classic_req *r, int fd)
{
	struct tun_flags f = { .mode = r->mode };
	char name[IFNAMSIZ];
	struct owner o;
	bool exists = false;
	int err;

	/* An unknown user or group was a usage error to the classic tool. */
	if ((err = owner_resolve(c, &r->user, &r->group, true, &o))) {
		if (err == 2)
			fputs(classic_usage, stderr);
		return 1;
	}
	snprintf(name, sizeof(name), "%s", r->name ? r->name : r->mode == MODE_TAP ? "tap%d" : "tun%d");
	{
		struct tun_flags now;

		/* Taking over an existing device needs its own flags, and
		 * sysfs's tun_flags is where the kernel shows all of them
		 * (IFF_NAPI, IFF_NAPI_FRAGS and IFF_ONE_QUEUE nowhere else):
		 * one file, and no netlink socket; an error here is the
		 * attach's to report. */
		if (!strchr(name, '%') && !sysfs_tun_flags(name, &now)) {
			/* -n or -p asks for that mode, as the classic tool's
			 * TUNSETIFF did (refused with EINVAL). */
			if (r->mode_set && now.mode != r->mode) {
				report(c, "%s is a %s device, not %s (-%c): delete it first (tunctl -d %s)", name,
				       mode_name(now.mode), mode_name(r->mode), r->mode == MODE_TUN ? 'n' : 'p', name);
				return 1;
			}
			f = now;
			exists = true;
		}
	}
	if ((err = tun_attach_admin(fd, name, &f))) {
		report_err(c, err, NULL, "%s %s", exists ? "attaching to" : "creating", name);
		return 1;
	}
	if ((o.user_set && (err = tun_set_owner(fd, o.uid))) ||
	    (o.group_set && (err = tun_set_group(fd, o.gid))) ||
	    (err = tun_set_persist(fd, true))) {
		report_err(c, err, NULL, "%s", name);
		return 1;
	}
	if (r->brief) {
		printf("%s\n", name);
	} else {
		printf("Set '%s' persistent and owned by", name);
		if (o.user_set)
			printf(" uid %u", o.uid);
		if (o.group_set)
			printf(" gid %u", o.gid);
		printf("\n");
	}
	return 0;
}

static int classic_del(struct ctx *c, const struct classic_req *r, int fd)
{
	struct tun_info ti;
	int err;

	/* The classic tool made and dropped a device of that name, and said
	 * so: scripts under set -e rely on its exit 0. */
	if (!if_nametoindex(r->name) && errno == ENODEV) {
		printf("Set '%s' nonpersistent\n", r->name);
		return 0;
	}
	if (find_tun_attach(c, r->name, &ti, NULL))
		return 1;
	if ((err = tun_attach_admin(fd, ti.name, &ti.flags)) || (err = tun_set_persist(fd, false))) {
		report_err(c, err, NULL, "%s", r->name);
		return 1;
	}
	printf("Set '%s' nonpersistent\n", r->name);
	return 0;
}

int classic_run(struct ctx *c, const struct classic_req *r)
{
	int fd, rc;

	if (ctx_lock(c))
		return 1;
	if ((fd = tun_open(r->clone_path)) < 0) {
		report_tun_open(c, fd, r->clone_path);
		return 1;
	}
	rc = r->del ? classic_del(c, r, fd) : classic_add(c, r, fd);
	close(fd);
	return rc;
}
