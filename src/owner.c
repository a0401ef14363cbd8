/* owner.c - the one resolver of --user and --group, over ids.c's lookups. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ids.h"
#include "owner.h"

/* The last name resolved of each kind: a file of many lines with one owner
 * reads the passwd or group database once. */
struct last {
	char *name;
	uint32_t id;
};

static struct last last_user, last_group;

static int resolve(const struct id_spec *s, bool user, uint32_t *id)
{
	struct last *l = user ? &last_user : &last_group;
	int err;

	if (!s->numeric && l->name && !strcmp(l->name, s->name)) {
		*id = l->id;
		return 0;
	}
	if ((err = user ? ids_user(s, id) : ids_group(s, id)))
		return err;
	if (!s->numeric) {
		char *copy = strdup(s->name);

		/* Without room to remember it, it is looked up again next time. */
		if (copy) {
			free(l->name);
			l->name = copy;
			l->id = *id;
		}
	}
	return 0;
}

int owner_resolve(struct ctx *c, const struct id_spec *user, const struct id_spec *group, bool mine,
		  struct owner *o)
{
	int err;

	memset(o, 0, sizeof(*o));
	if (mine && !user->set && !group->set) {
		o->user_set = true;
		o->uid = (uint32_t)geteuid();
		return 0;
	}
	if (user->set) {
		if ((err = resolve(user, true, &o->uid)))
			return report_id(c, err, "user", user->name);
		o->user_set = true;
	}
	if (group->set) {
		if ((err = resolve(group, false, &o->gid)))
			return report_id(c, err, "group", group->name);
		o->group_set = true;
	}
	return 0;
}

bool owner_in_egroup(uint32_t gid)
{
	gid_t *v;
	int n;
	bool in = false;

	if (getegid() == (gid_t)gid)
		return true;
	if ((n = getgroups(0, NULL)) <= 0 || !(v = malloc((size_t)n * sizeof(*v))))
		return false;
	n = getgroups(n, v);
	for (int i = 0; i < n && !in; i++)
		in = v[i] == (gid_t)gid;
	free(v);
	return in;
}

int owner_check_group(struct ctx *c, uint32_t uid, uint32_t gid, const char *dev, const char *fix)
{
	char u[64], g[64];
	int in;

	/* Root attaches through CAP_NET_ADMIN whatever the group. */
	if (!uid)
		return 0;
	in = ids_user_in_group(uid, gid);
	/* A uid without a passwd entry has the groups whoever starts its
	 * processes gives them: nothing is known to refuse. */
	if (in > 0 || in == -ENOENT)
		return 0;
	ids_user_name(uid, u, sizeof(u));
	ids_group_name(gid, g, sizeof(g));
	if (in < 0) {
		report_err(c, in, NULL, "telling whether %s's owner %s is in group %s", dev, u, g);
		return 1;
	}
	/* The kernel lets attach only a process that is the owner and in
	 * the group, when both are set. */
	report(c, "group %s would lock %s's owner %s (uid %u) out: %s is not in that group, and only a process "
	       "that is the owner and in the group may attach; %s", g, dev, u, (unsigned)uid, u, fix);
	return 2;
}
