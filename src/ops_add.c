/* ops_add.c - creating a configured device, all or nothing, and adopting
 * one that is there (add --exist-ok). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"      /* add's request, which this file carries out */
#include "dumps.h"
#include "ops.h"
#include "procfs.h"
#include "tun.h"

/* --exist-ok: how long a device that another process is still creating
 * (there, but not persistent yet) is waited for, and how many times
 * creating and adopting may hand over to each other as other processes
 * create and drop the device. */
#define ADOPT_WAIT_MS 5000
#define ADOPT_TURNS 20
/* How long such a wait goes on before add says what it waits for (once):
 * long enough that an ordinary race, settled in milliseconds, says
 * nothing. */
#define ADOPT_NOTE_MS 1000

/* Secure by default: with neither --user nor --group the caller owns it
 * (--any-user goes with neither). */
static int resolve_owner(struct ctx *c, const struct add_req *r, struct owner *o)
{
	return owner_resolve(c, &r->user, &r->group, !r->any_user, o);
}

/* What add prints is part of what it does: it is written out before the
 * device is kept, so that a name no reader got names no device.  Returns 0
 * or -errno.  What could not be written is discarded, so that it is
 * neither written later nor reported again at exit. */
static int print_result(struct ctx *c, bool json, const char *name, bool created)
{
	FILE *f = c->out.f;
	int err;

	errno = 0;
	c->out.json = json;
	out_obj_open(&c->out, NULL);
	out_str(&c->out, "ifname", "%s\n", name);
	out_bool(&c->out, "created", NULL, created);
	out_obj_close(&c->out);
	out_end(&c->out);
	if (!ferror(f))
		return 0;
	err = errno ? errno : EIO;
	__fpurge(f);
	clearerr(f);
	return -err;
}

static const char *onoff(bool b)
{
	return b ? "on" : "off";
}

/* After a failure: the pi and vnet_hdr flags an attach set, back as they
 * were (another attach without carrier). */
static void put_flags_back(const struct tun_info *ti, bool changed)
{
	if (changed)
		ops_admin_attach(ti->name, &ti->flags, NULL, NULL);
}

/* A device of another mode or queueing than asked for is not adopted: 0,
 * or 1 after reporting. */
static int adopt_kind(struct ctx *c, const struct add_req *r, const struct tun_flags *f)
{
	if (f->mode != r->mode) {
		report(c, "%s exists as a %s device, not %s", r->name, mode_name(f->mode), mode_name(r->mode));
		return 1;
	}
	if (f->multi_queue != r->multi_queue) {
		report(c, "%s exists with multi-queue %s, but %s was asked for", r->name, onoff(f->multi_queue),
		       onoff(r->multi_queue));
		return 1;
	}
	return 0;
}

/* pi and vnet_hdr are whoever attached last's (qemu, openvpn...): set
 * back while nobody holds the device (into *want, *need_flags), else left,
 * with a warning (the kernel would refuse the attach to a held
 * single-queue device, and keep a held multi-queue device's flags).  0, or
 * 1 after reporting. */
static int adopt_flags(struct ctx *c, const struct add_req *r, const struct device *d,
		       struct tun_flags *want, bool *need_flags)
{
	const struct tun_flags *f = &d->ti.flags;
	const char *what = f->pi != r->pi ? "pi" : "vnet-hdr";
	bool has = f->pi != r->pi ? f->pi : f->vnet_hdr;
	struct holder *h = NULL, first;
	size_t nh = 0;
	int err, held = 0;

	if (f->pi == r->pi && f->vnet_hdr == r->vnet_hdr)
		return 0;
	if ((err = proc_tun_holders(r->name, &h, &nh))) {
		report_err(c, err, NULL, "reading /proc");
		return 1;
	}
	if (nh)
		first = h[0];
	free(h);
	/* Processes /proc could not show may hold it: the kernel says. */
	if (!nh && proc_unseen() &&
	    (held = ops_held_per_kernel(c, d, r->name, "add --exist-ok cannot tell whether "
					"its pi and vnet-hdr may be set back")) < 0)
		return 1;
	if (nh) {
		warn(c, "%s has %s %s, not %s: left as %s (pid %d), which has it "
			"open, set it", r->name, what, onoff(has), onoff(!has), first.comm, (int)first.pid);
	} else if (held) {
		warn(c, "%s has %s %s, not %s: left as set by the process that has it open, "
			"one tunctl cannot see in /proc", r->name, what, onoff(has), onoff(!has));
	} else {
		want->pi = r->pi;
		want->vnet_hdr = r->vnet_hdr;
		*need_flags = true;
	}
	return 0;
}

/* An owner or group other than asked for, which the kernel cannot unset,
 * and for the broker a device with no owner, are not adopted: 0, or 1
 * after reporting. */
static int adopt_owner(struct ctx *c, const struct add_req *r, const struct tun_info *ti,
		       const struct owner *o)
{
	if ((o->user_set && ti->owner_set && ti->owner != o->uid) ||
	    (o->group_set && ti->group_set && ti->group != o->gid)) {
		bool u = o->user_set && ti->owner_set && ti->owner != o->uid;

		report(c, "%s exists with %s %u, not %u", r->name, u ? "owner" : "group",
		       u ? ti->owner : ti->group, u ? o->uid : o->gid);
		return 1;
	}
	/* The broker checked a device of its caller's: one without an owner
	 * put under the name since is not the caller's to take. */
	if (r->adopt_owned && !ti->owner_set) {
		report(c, "%s exists with no owner: only a device you own is adopted", r->name);
		return 1;
	}
	return 0;
}

/* The flags an attach to ti must ask for again, which the kernel shows
 * only in sysfs's tun_flags (IFF_NAPI, IFF_NAPI_FRAGS, IFF_ONE_QUEUE), into
 * ti's and want: 0, or 1 after reporting. */
static int adopt_sysfs_flags(struct ctx *c, struct tun_info *ti, struct tun_flags *want)
{
	int err;

	if ((err = sysfs_tun_flags_only(ti->name, &ti->flags))) {
		report_sysfs(c, err, ti->name);
		return 1;
	}
	tun_flags_take_hidden(want, &ti->flags);
	return 0;
}

/* --exist-ok on a device that is there (d, as the lookup read it): same
 * mode and flags, then add what is missing. */
static int adopt(struct ctx *c, const struct add_req *r, struct device *d, const struct owner *o, bool json)
{
	const struct devconf dc = {
		.link = &r->link, .addrs = r->addrs, .naddrs = r->naddrs,
		.routes = r->routes, .nroutes = r->nroutes,
		.add = true, .exist_ok = true, .undo = true,
	};
	struct tun_info *ti = &d->ti;
	struct tun_flags want = ti->flags;
	bool need_flags = false;
	struct owner set_o;
	struct ops_converge cv;
	int rc;

	if (adopt_kind(c, r, &ti->flags) || adopt_flags(c, r, d, &want, &need_flags) || adopt_owner(c, r, ti, o))
		return 1;
	set_o = (struct owner){ .user_set = o->user_set && !ti->owner_set, .uid = o->uid,
				.group_set = o->group_set && !ti->group_set, .gid = o->gid };
	/* sysfs only when an attach is to be made, before anything changes. */
	if ((set_o.user_set || set_o.group_set || need_flags) && adopt_sysfs_flags(c, ti, &want))
		return 1;
	/* All or nothing here too: link settings are put back on failure, and
	 * the owner and group, which the kernel cannot unset, come last. */
	rc = ops_converge(c, &cv, r->name, d->ifindex, &dc);
	if (!rc && (set_o.user_set || set_o.group_set || need_flags)) {
		enum ops_step step;
		int err = ops_admin_attach(ti->name, &want, &set_o, &step);

		if (err && step == OPS_OPEN)
			report_tun_open(c, err, NULL);
		else if (err)
			report_err(c, err, NULL, "%s: setting its %s", r->name,
				   need_flags ? "pi and vnet-hdr, owner and group" : "owner and group");
		if (err) {
			put_flags_back(ti, need_flags);
			ops_converge_undo(c, &cv);
			rc = 1;
		}
	}
	/* Output that fails undoes the rest too (but the owner and group). */
	if (!rc && (rc = print_result(c, json, r->name, false))) {
		report_err(c, rc, NULL, "writing output");
		put_flags_back(ti, need_flags);
		ops_converge_undo(c, &cv);
		rc = 1;
	}
	ops_converge_free(&cv);
	return rc;
}

/* Creates the device, held by j->fd. Returns 0, 1 or 2. */
int ops_job_create(struct ctx *c, struct add_job *j)
{
	const struct add_req *r = j->r;
	struct tun_flags f = { .mode = r->mode, .pi = r->pi, .vnet_hdr = r->vnet_hdr, .multi_queue = r->multi_queue };
	enum ops_step step;
	int err, rc;

	j->fd = -1;
	/* With --exist-ok an address or route that is there is fine here too,
	 * as it is when adopting. */
	j->dc = (struct devconf){
		.link = &r->link, .addrs = r->addrs, .naddrs = r->naddrs,
		.routes = r->routes, .nroutes = r->nroutes, .add = true, .exist_ok = r->exist_ok,
	};
	if ((rc = resolve_owner(c, r, &j->o)))
		return rc;
	snprintf(j->name, sizeof(j->name), "%s", r->name);
	err = ops_tun_create(&j->fd, j->name, &f, &j->o, &step);
	if (err && ops_create_taken(err, step)) {
		j->exists = true;
		if (!j->adopt_taken)
			report(c, "device %s already exists", r->name);
	} else if (err) {
		ops_report_create(c, err, step, j->name, &j->o);
	}
	if (err)
		return 1;
	if (ctx_ifindex(c, j->name, &j->ifindex))
		return 1;
	return 0;
}

/* Keeps the device (persistent, then its name printed) or drops it: closing
 * our fd destroys a device that is not persistent, whatever was done to
 * it, and so a name that cannot be written out drops the device too. */
int ops_job_finish(struct ctx *c, struct add_job *j, bool keep)
{
	int err, rc = 0;

	/* Persistent first, then the name printed: a name on standard output
	 * always names a device that is there. Should the output fail, the
	 * device is made not persistent again while still held, and goes
	 * when its descriptor closes. */
	if (keep && (err = tun_set_persist(j->fd, true))) {
		if (err == -EBADFD)     /* what the kernel says once it is gone */
			report(c, "%s was deleted by another process while being created", j->name);
		else
			report_err(c, err, NULL, "%s: making it persistent", j->name);
		rc = 1;
	}
	if (keep && !rc && (err = print_result(c, j->json, j->name, true))) {
		report_err(c, err, NULL, "writing output");
		tun_set_persist(j->fd, false);
		rc = 1;
	}
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	return rc;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Says, once, what an add that has waited ADOPT_NOTE_MS waits for: the
 * process that holds name, as /proc shows it. */
static void note_waiting(struct ctx *c, const char *name, long long deadline)
{
	struct holder *h = NULL;
	char who[256];
	size_t n = 0;
	long long left = (deadline - now_ms() + 999) / 1000;

	if (!proc_tun_holders(name, &h, &n) && holders_text(h, n, name, who, sizeof(who)))
		note(c, "waiting for %s to release %s or make it persistent (up to %lld s more)", who, name, left);
	else
		note(c, "waiting for the process that holds %s to release it or make it persistent (up to %lld s more)",
		     name, left);
	free(h);
}

/* Reads NAME for adopting it (one RTM_GETLINK: the kernel lists a device
 * under its name once it is made), waiting (until the deadline) while it
 * is being made by another process: that process drops it if it fails, so
 * adopting it then would lose it, and what was added to it would make that
 * process fail.  Such a device is there but not persistent yet.  Returns
 * 0 with *found telling whether it is there (then d: not TUN/TAP,
 * persistent, or not persistent still at the deadline), or 1 after
 * reporting. */
static int read_adoptable(struct ctx *c, const char *name, struct device *d, bool *found,
			  long long deadline, bool *told)
{
	long pause_us = 500;
	long long since = now_ms();

	for (;;) {
		struct timespec ts = { 0, pause_us * 1000 };

		if (dump_link(c, name, d, found))
			return 1;
		if (!*found || !d->is_tun || d->ti.flags.persist || now_ms() >= deadline)
			return 0;
		if (!*told && now_ms() - since >= ADOPT_NOTE_MS) {
			*told = true;
			note_waiting(c, name, deadline);
		}
		nanosleep(&ts, NULL);
		if (pause_us < 16000)
			pause_us *= 2;
	}
}

/* --exist-ok: adopts NAME if it is there (the status), or returns -ENODEV
 * when it is not, for the caller to create it. */
static int try_adopt(struct ctx *c, const struct add_req *r, long long deadline, bool *told)
{
	struct device d;
	struct owner o;
	bool found;
	int rc;

	/* Not knowing whether it is there is no reason to create it. */
	if (read_adoptable(c, r->name, &d, &found, deadline, told))
		return 1;
	if (!found)
		return -ENODEV;
	if (!d.is_tun) {
		report(c, "%s exists and is not a TUN/TAP device", r->name);
		return 1;
	}
	if (!d.ti.flags.persist) {
		report_in_use(c, r->name, "it is not persistent, and --exist-ok adopts only a persistent device");
		return 1;
	}
	if ((rc = resolve_owner(c, r, &o)))
		return rc;
	return adopt(c, r, &d, &o, c->out.json);
}

/* Creates, configures and keeps one device. *exists: the name was taken
 * (reported unless adopt_taken). */
static int create_one(struct ctx *c, const struct add_req *r, bool adopt_taken, bool *exists)
{
	struct add_job j = { .r = r, .json = c->out.json, .adopt_taken = adopt_taken };
	int rc;

	rc = ops_job_create(c, &j);
	*exists = j.exists;
	if (rc) {
		ops_job_finish(c, &j, false);
		return rc;
	}
	rc = devconf_apply(c, j.name, j.ifindex, &j.dc);
	return ops_job_finish(c, &j, rc == 0) || rc;
}

/* With --exist-ok, any number of processes adding the same line at once
 * end with one device, made by one of them and adopted by the others: a
 * device being created is waited for, one that is dropped is created
 * again, and a name taken between looking and creating is adopted. */
int ops_add(struct ctx *c, const struct add_req *r)
{
	bool adoptable = r->exist_ok && !strchr(r->name, '%');
	long long deadline = now_ms() + ADOPT_WAIT_MS;
	bool exists, told = false;
	int rc;

	for (int turn = 0; turn < ADOPT_TURNS; turn++) {
		if (adoptable && (rc = try_adopt(c, r, deadline, &told)) != -ENODEV)
			return rc;
		rc = create_one(c, r, adoptable, &exists);
		if (!exists || !adoptable)
			return rc;
	}
	report(c, "device %s was gone again each of the %d times it was to be adopted: other processes keep creating and deleting it",
	       r->name, ADOPT_TURNS);
	return 1;
}

