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

/* The name of id into buf, or the number when there is no such entry.
 * Returns 0, or -errno when the lookup itself failed (buf: the number). */
static int cached(struct cache *c, uint32_t id, bool user, char *buf, size_t len)
{
	if (!c->valid || c->id != id) {
		size_t room = 1024;
		char *tmp = NULL;
		const char *n = NULL;
		int err;

		for (;;) {
			char *p = realloc(tmp, room);
			struct passwd pw, *pr = NULL;
			struct group gr, *gres = NULL;

			if (!p) {
				err = ENOMEM;
				break;
			}
			tmp = p;
			if (user) {
				err = getpwuid_r(id, &pw, tmp, room, &pr);
				n = !err && pr ? pr->pw_name : NULL;
			} else {
				err = getgrgid_r(id, &gr, tmp, room, &gres);
				n = !err && gres ? gres->gr_name : NULL;
			}
			if (err != ERANGE || room >= IDS_BUF_MAX)
				break;
			room *= 2;
		}
		/* "No such entry" comes as 0 or as one of these (getpwuid_r(3)). */
		if (err == ENOENT || err == ESRCH || err == EBADF || err == EPERM)
			err = 0;
		if (n)
			snprintf(c->name, sizeof(c->name), "%s", n);
		else
			snprintf(c->name, sizeof(c->name), "%u", id);
		free(tmp);
		if (err) {
			snprintf(buf, len, "%u", id);
			return -err;
		}
		c->id = id;
		c->valid = true;
	}
	snprintf(buf, len, "%s", c->name);
	return 0;
}

static struct cache user_cache, group_cache;

int ids_user_lookup(uint32_t uid, char *buf, size_t len)
{
	return cached(&user_cache, uid, true, buf, len);
}

int ids_group_lookup(uint32_t gid, char *buf, size_t len)
{
	return cached(&group_cache, gid, false, buf, len);
}

const char *ids_user_name(uint32_t uid, char *buf, size_t len)
{
	ids_user_lookup(uid, buf, len);
	return buf;
}

const char *ids_group_name(uint32_t gid, char *buf, size_t len)
{
	ids_group_lookup(gid, buf, len);
	return buf;
}
