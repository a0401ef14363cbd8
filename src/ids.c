/* ids.c - user and group lookups, with a one-entry cache for listings. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"

/* getpwnam_r and getgrnam_r tell "no such name" (0, no entry) from a
 * failed lookup (an error number: EMFILE, EIO, ...); getpwnam does not. */
#define IDS_BUF_MAX (1 << 20)

int ids_user(const struct id_spec *s, uint32_t *uid)
{
	struct passwd pw, *res = NULL;
	size_t len = 1024;
	char *buf = NULL;
	int err;

	if (s->numeric) {
		*uid = s->id;
		return 0;
	}
	for (;;) {
		char *p = realloc(buf, len);

		if (!p) {
			err = ENOMEM;
			break;
		}
		buf = p;
		err = getpwnam_r(s->name, &pw, buf, len, &res);
		if (err != ERANGE || len >= IDS_BUF_MAX)
			break;
		len *= 2;
	}
	if (!err && res)
		*uid = res->pw_uid;
	free(buf);
	if (err)
		return -err;
	return res ? 0 : -ENOENT;
}

int ids_group(const struct id_spec *s, uint32_t *gid)
{
	struct group gr, *res = NULL;
	size_t len = 1024;
	char *buf = NULL;
	int err;

	if (s->numeric) {
		*gid = s->id;
		return 0;
	}
	for (;;) {
		char *p = realloc(buf, len);

		if (!p) {
			err = ENOMEM;
			break;
		}
		buf = p;
		err = getgrnam_r(s->name, &gr, buf, len, &res);
		if (err != ERANGE || len >= IDS_BUF_MAX)
			break;
		len *= 2;
	}
	if (!err && res)
		*gid = res->gr_gid;
	free(buf);
	if (err)
		return -err;
	return res ? 0 : -ENOENT;
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
