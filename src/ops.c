/* ops.c - the small operations every changing command shares: creating and
 * attaching as an administrator, converging with undo, held per the kernel. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev.h"
#include "dumps.h"
#include "link.h"
#include "ops.h"
#include "tun.h"

int ops_tun_create(int *fd, char *name, const struct tun_flags *f, const struct owner *o,
		   enum ops_step *step)
{
	int err;

	*step = OPS_OPEN;
	if ((*fd = tun_open(NULL)) < 0) {
		err = *fd;
		*fd = -1;
		return err;
	}
	*step = OPS_CREATE;
	if ((err = tun_create(*fd, name, f)))
		return err;
	*step = OPS_OWNER;
	if (o->user_set && (err = tun_set_owner(*fd, o->uid)))
		return err;
	*step = OPS_GROUP;
	if (o->group_set && (err = tun_set_group(*fd, o->gid)))
		return err;
	return 0;
}

bool ops_create_taken(int err, enum ops_step step)
{
	return step == OPS_CREATE && (err == -EBUSY || err == -EEXIST);
}

int ops_report_create(struct ctx *c, int err, enum ops_step step, const char *name, const struct owner *o)
{
	if (step == OPS_OPEN)
		report_tun_open(c, err, NULL);
	else if (step == OPS_CREATE)
		report_err(c, err, NULL, "creating %s", name);
	else
		report_err(c, err, NULL, "%s: setting %s %u", name, step == OPS_OWNER ? "owner" : "group",
			   step == OPS_OWNER ? o->uid : o->gid);
	return 1;
}

int ops_admin_attach(const char *name, const struct tun_flags *f, const struct owner *o,
		     enum ops_step *step)
{
	enum ops_step ignored;
	char n[16];
	int fd, err;

	if (!step)
		step = &ignored;
	*step = OPS_OPEN;
	if ((fd = tun_open(NULL)) < 0)
		return fd;
	snprintf(n, sizeof(n), "%s", name);
	*step = OPS_CREATE;
	err = tun_attach_admin(fd, n, f);
	if (!err && o && o->user_set) {
		*step = OPS_OWNER;
		err = tun_set_owner(fd, o->uid);
	}
	if (!err && o && o->group_set) {
		*step = OPS_GROUP;
		err = tun_set_group(fd, o->gid);
	}
	close(fd);
	return err;
}

int ops_converge(struct ctx *c, struct ops_converge *cv, const char *name, int ifindex,
		 const struct devconf *dc)
{
	dc_run_init(&cv->run);
	cv->dc = *dc;
	/* All or nothing: the link settings are put back on failure. */
	memset(&cv->old, 0, sizeof(cv->old));
	if (dc->link && link_any(dc->link) && dev_link_now(c, name, dc->link, &cv->old))
		return 1;
	cv->dc.restore = &cv->old;
	cv->dc.undo = true;
	return dc_exchange(c, &cv->run, name, ifindex, &cv->dc);
}

void ops_converge_undo(struct ctx *c, struct ops_converge *cv)
{
	dc_undo(c, &cv->run, 0);
}

void ops_converge_free(struct ops_converge *cv)
{
	dc_run_free(&cv->run);
}

/* The queues attached to a multi-queue device, detached ones too (they
 * hold it as well): 1 held, 0 not, -1 after reporting. */
static int queues_held(struct ctx *c, const struct device *li, const char *name, const char *fix)
{
	if (!li->has_queues) {
		report(c, "%s: the kernel does not say how many queues are attached; %s", name, fix);
		return -1;
	}
	return li->num_queues + li->num_disabled > 0;
}

int ops_held_per_kernel(struct ctx *c, const struct device *li, const char *name, const char *fix)
{
	struct tun_flags f;
	char n[16];
	int fd, err;

	if (li && li->is_tun && li->ti.flags.multi_queue)
		return queues_held(c, li, name, fix);
	/* sysfs: the attach below must pass the device's own flags again,
	 * IFF_NAPI, IFF_NAPI_FRAGS and IFF_ONE_QUEUE too, which the kernel
	 * shows only in tun_flags. */
	if ((err = sysfs_tun_flags(name, &f))) {
		report_sysfs(c, err, name);
		return -1;
	}
	if (!li && f.multi_queue) {
		struct device *l = NULL;
		const struct device *hit;
		size_t nl = 0;
		int held;

		if (dump_links(c, &l, &nl))
			return -1;
		links_sort(l, nl);
		if ((hit = links_find(l, nl, name)) && hit->is_tun && hit->ti.flags.multi_queue) {
			held = queues_held(c, hit, name, fix);
			free(l);
			return held;
		}
		free(l);
	}
	if ((fd = tun_open(NULL)) < 0) {
		report_tun_open(c, fd, NULL);
		return -1;
	}
	snprintf(n, sizeof(n), "%s", name);
	err = tun_attach_admin(fd, n, &f);
	close(fd);
	if (err && err != -EBUSY) {
		report_err(c, err, NULL, "%s: asking the kernel whether a process holds it", name);
		return -1;
	}
	return err == -EBUSY;
}
