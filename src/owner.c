/* owner.c - the one resolver of --user and --group, over ids.c's lookups. */
#include "config.h"

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
