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

	if ((err = owner_resolve(c, &r->user, &r->group, true, &o)))
		return err;
	snprintf(name, sizeof(name), "%s", r->name ? r->name : r->mode == MODE_TAP ? "tap%d" : "tun%d");
	{
		struct tun_info ti;

		/* Taking over an existing device needs its own flags. */
		if (!strchr(name, '%') && !sysfs_tun_read(name, &ti)) {
			f = ti.flags;
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

	if (find_tun(c, r->name, &ti, NULL))
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
	int fd = tun_open(r->clone_path), rc;

	if (fd < 0) {
		report_tun_open(c, fd, r->clone_path);
		return 1;
	}
	rc = r->del ? classic_del(c, r, fd) : classic_add(c, r, fd);
	close(fd);
	return rc;
}
