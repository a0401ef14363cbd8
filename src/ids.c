/* ids.c - user and group lookups, with a one-entry cache for listings. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"

int ids_user(const struct id_spec *s, uint32_t *uid)
{
	struct passwd *pw;

	if (s->numeric) {
		*uid = s->id;
		return 0;
	}
	pw = getpwnam(s->name);
	if (!pw)
		return -ENOENT;
	*uid = pw->pw_uid;
	return 0;
}

int ids_group(const struct id_spec *s, uint32_t *gid)
{
	struct group *gr;

	if (s->numeric) {
		*gid = s->id;
		return 0;
	}
	gr = getgrnam(s->name);
	if (!gr)
		return -ENOENT;
	*gid = gr->gr_gid;
	return 0;
}

struct cache {
	bool valid;
	uint32_t id;
	char name[64];
};

static const char *cached(struct cache *c, uint32_t id, bool user, char *buf, size_t len)
{
	if (!c->valid || c->id != id) {
		const char *n = NULL;

		if (user) {
			struct passwd *pw = getpwuid(id);

			n = pw ? pw->pw_name : NULL;
		} else {
			struct group *gr = getgrgid(id);

			n = gr ? gr->gr_name : NULL;
		}
		if (n)
			snprintf(c->name, sizeof(c->name), "%s", n);
		else
			snprintf(c->name, sizeof(c->name), "%u", id);
		c->id = id;
		c->valid = true;
	}
	snprintf(buf, len, "%s", c->name);
	return buf;
}

const char *ids_user_name(uint32_t uid, char *buf, size_t len)
{
	static struct cache c;

	return cached(&c, uid, true, buf, len);
}

const char *ids_group_name(uint32_t gid, char *buf, size_t len)
{
	static struct cache c;

	return cached(&c, gid, false, buf, len);
}
