/* cmd_add.c - "tunctl add": create a persistent device, configured, all or nothing. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devconf.h"
#include "ids.h"
#include "sysfs.h"
#include "tun.h"
#include "tunctl.h"

#define ERRLINE 1200

struct owner {
	bool user_set, group_set;
	uint32_t uid, gid;
};

/* One device being made: created and held by fd (not persistent yet), then
 * configured, then kept (made persistent) or dropped (fd closed). */
struct add_job {
	const struct add_req *r;
	const char *where;
	bool json;
	struct owner o;
	struct devconf dc;
	int fd;
	int ifindex;
	char name[16];
	char *err;              /* batch: the creation error, shown in line order */
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

static void print_result(struct ctx *c, bool json, const char *name, bool created)
{
	c->out.json = json;
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
		 const struct owner *o, bool json)
{
	const struct tun_flags *f = &ti->flags;
	struct devconf dc = {
		.link = &r->link, .addrs = r->addrs, .naddrs = r->naddrs,
		.routes = r->routes, .nroutes = r->nroutes,
		.add = true, .exist_ok = true, .undo = true,
	};
	bool need_owner, need_group;
	struct link_spec old;
	struct dc_run run;
	int ifindex, rc;

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
	if (!(ifindex = ctx_ifindex(c, r->name)))
		return 1;
	/* All or nothing here too: link settings are put back on failure, and
	 * the owner and group, which the kernel cannot unset, come last. */
	sysfs_link_settings(r->name, &r->link, &old);
	dc.restore = &old;
	dc_run_init(&run);
	rc = dc_exchange(c, &run, r->name, ifindex, &dc);
	if (!rc && (need_owner || need_group)) {
		int fd = tun_open(NULL), err = fd < 0 ? fd : 0;

		if (!err)
			err = tun_attach(fd, ti->name, f);
		if (!err && need_owner)
			err = tun_set_owner(fd, o->uid);
		if (!err && need_group)
			err = tun_set_group(fd, o->gid);
		if (fd >= 0)
			close(fd);
		if (fd < 0)
			report_tun_open(c, fd, NULL);
		else if (err)
			report_err(c, err, NULL, "%s: setting its owner", r->name);
		if (err) {
			dc_undo(c, &run, 0);
			rc = 1;
		}
	}
	dc_run_free(&run);
	if (!rc)
		print_result(c, json, r->name, false);
	return rc;
}

/* Creates the device, held by j->fd. Returns 0, 1 or 2. */
static int job_create(struct ctx *c, struct add_job *j)
{
	const struct add_req *r = j->r;
	struct tun_flags f = { .mode = r->mode, .pi = r->pi, .vnet_hdr = r->vnet_hdr, .multi_queue = r->multi_queue };
	int err, rc;

	j->fd = -1;
	j->dc = (struct devconf){
		.link = &r->link, .addrs = r->addrs, .naddrs = r->naddrs,
		.routes = r->routes, .nroutes = r->nroutes, .add = true,
	};
	if ((rc = resolve_owner(c, r, &j->o)))
		return rc;
	if ((j->fd = tun_open(NULL)) < 0) {
		report_tun_open(c, j->fd, NULL);
		return 1;
	}
	snprintf(j->name, sizeof(j->name), "%s", r->name);
	err = tun_create(j->fd, j->name, &f);
	if (err == -EBUSY) {
		report(c, "device %s already exists", r->name);
		return 1;
	}
	if (err) {
		report_err(c, err, NULL, "creating %s", r->name);
		return 1;
	}
	if (j->o.user_set && (err = tun_set_owner(j->fd, j->o.uid))) {
		report_err(c, err, NULL, "%s: setting owner %u", j->name, j->o.uid);
		return 1;
	}
	if (j->o.group_set && (err = tun_set_group(j->fd, j->o.gid))) {
		report_err(c, err, NULL, "%s: setting group %u", j->name, j->o.gid);
		return 1;
	}
	if (!(j->ifindex = ctx_ifindex(c, j->name)))
		return 1;
	return 0;
}

/* Keeps the device (persistent, name printed) or drops it: closing our fd
 * destroys a device that is not persistent, whatever was done to it. */
static int job_finish(struct ctx *c, struct add_job *j, bool keep)
{
	int err, rc = 0;

	if (keep && (err = tun_set_persist(j->fd, true))) {
		if (err == -EBADFD)     /* what the kernel says once it is gone */
			report(c, "%s was deleted by another process while being created", j->name);
		else
			report_err(c, err, NULL, "%s: making it persistent", j->name);
		rc = 1;
	}
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	if (keep && !rc)
		print_result(c, j->json, j->name, true);
	return rc;
}

int add_run(struct ctx *c, const struct add_req *r)
{
	struct add_job j = { .r = r, .json = c->out.json };
	int rc;

	if (r->exist_ok && !strchr(r->name, '%')) {
		struct tun_info ti;
		struct owner o;
		int err = sysfs_tun_read(r->name, &ti);

		if (err == -ENOTTY) {
			report(c, "%s exists and is not a TUN/TAP device", r->name);
			return 1;
		}
		if (!err) {
			if ((rc = resolve_owner(c, r, &o)))
				return rc;
			return adopt(c, r, &ti, &o, c->out.json);
		}
	}
	if ((rc = job_create(c, &j))) {
		job_finish(c, &j, false);
		return rc;
	}
	rc = devconf_apply(c, j.name, j.ifindex, &j.dc);
	return job_finish(c, &j, rc == 0) || rc;
}

int add_run_many(struct ctx *c, struct add_many *m)
{
	struct add_job *jobs = calloc(m->n, sizeof(*jobs));
	int *status = calloc(m->n, sizeof(*status));
	char *errs = calloc(m->n, ERRLINE);
	struct dc_run run;
	int worst = 0;
	size_t i;

	m->done = 0;
	if (!jobs || !status || !errs) {
		free(jobs);
		free(status);
		free(errs);
		report(c, "out of memory");
		return 1;
	}
	for (i = 0; i < m->n; i++)
		jobs[i].fd = -1;
	dc_run_init(&run);
	/* Create every device, then configure all of them in one exchange. */
	for (i = 0; i < m->n; i++) {
		jobs[i] = (struct add_job){ .r = m->reqs[i], .where = m->wheres[i], .json = m->json[i],
					    .err = errs + i * ERRLINE };
		c->where = jobs[i].where;
		c->capture = jobs[i].err;
		c->capture_len = ERRLINE;
		status[i] = job_create(c, &jobs[i]);
		if (!status[i] && dc_queue(&run, i, jobs[i].name, jobs[i].ifindex, &jobs[i].dc)) {
			report(c, "out of memory");
			status[i] = 1;
		}
		c->capture = NULL;
		if (status[i] && !m->force)
			break;
	}
	c->where = NULL;
	if (dc_send(c, &run)) {
		for (size_t k = 0; k < m->n; k++) {
			if (status[k])
				fputs(jobs[k].err, stderr);
			job_finish(c, &jobs[k], false);
		}
		dc_run_free(&run);
		free(jobs);
		free(status);
		free(errs);
		m->done = m->n;
		return 1;
	}
	/* In line order: a failure without --force drops the devices of the
	 * lines after it, as if they had not run. */
	for (i = 0; i < m->n; i++) {
		bool stop = worst && !m->force;

		c->where = jobs[i].where;
		if (!stop && status[i])
			fputs(jobs[i].err, stderr);
		if (!stop && !status[i])
			status[i] = dc_result(c, &run, i);
		if (!stop && !status[i])
			status[i] = job_finish(c, &jobs[i], true);
		else
			job_finish(c, &jobs[i], false);
		if (!stop) {
			m->done = i + 1;
			if (status[i] > worst)
				worst = status[i];
		}
	}
	c->where = NULL;
	dc_run_free(&run);
	free(jobs);
	free(status);
	free(errs);
	return worst;
}
