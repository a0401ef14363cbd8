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

/* One passwd (user) or group lookup: by name when name is given, else by
 * the number in *id, with a buffer grown while the entry does not fit.
 * Fills *id, the name when namebuf is given, and a user's primary group
 * when gid is given.  Returns 0, -ENOENT when there is no such entry, or
 * the -errno getpw*_r or getgr*_r returned (by number, some of them mean
 * no such entry too: no_entry). */
static int lookup(bool user, const char *name, uint32_t *id, char *namebuf, size_t namelen, uint32_t *gid)
{
	size_t len = 1024;
	char *buf = NULL;
	bool found = false;
	int err;

	for (;;) {
		char *p = realloc(buf, len);

		if (!p) {
			err = ENOMEM;
			break;
		}
		buf = p;
		if (user) {
			struct passwd pw, *res = NULL;

			err = name ? getpwnam_r(name, &pw, buf, len, &res) : getpwuid_r(*id, &pw, buf, len, &res);
			if (!err && res) {
				found = true;
				*id = res->pw_uid;
				if (gid)
					*gid = res->pw_gid;
				if (namebuf)
					snprintf(namebuf, namelen, "%s", res->pw_name);
			}
		} else {
			struct group gr, *res = NULL;

			err = name ? getgrnam_r(name, &gr, buf, len, &res) : getgrgid_r(*id, &gr, buf, len, &res);
			if (!err && res) {
				found = true;
				*id = res->gr_gid;
				if (namebuf)
					snprintf(namebuf, namelen, "%s", res->gr_name);
			}
		}
		if (err != ERANGE || len >= IDS_BUF_MAX)
			break;
		len *= 2;
	}
	free(buf);
	if (err)
		return -err;
	return found ? 0 : -ENOENT;
}

/* Whether lookup's err by number means that there is no such entry: it
 * may also come as one of these (getpwuid_r(3)). */
static bool no_entry(int err)
{
	return err == -ENOENT || err == -ESRCH || err == -EBADF || err == -EPERM;
}

int ids_user(const struct id_spec *s, uint32_t *uid)
{
	if (s->numeric) {
		*uid = s->id;
		return 0;
	}
	return lookup(true, s->name, uid, NULL, 0, NULL);
}

int ids_group(const struct id_spec *s, uint32_t *gid)
{
	if (s->numeric) {
		*gid = s->id;
		return 0;
	}
	return lookup(false, s->name, gid, NULL, 0, NULL);
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
		uint32_t v = id;
		int err = lookup(user, NULL, &v, c->name, sizeof(c->name), NULL);

		if (err && !no_entry(err)) {
			snprintf(buf, len, "%u", id);
			return err;
		}
		if (err)
			snprintf(c->name, sizeof(c->name), "%u", id);
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

/* Room for a user's name, for getgrouplist: one that fills it may have
 * been cut, and is refused. */
#define IDS_NAME_MAX 1024

int ids_user_groups(uint32_t uid, uint32_t *primary, uint32_t **groups, size_t *ngroups)
{
	char name[IDS_NAME_MAX];
	uint32_t id = uid;
	gid_t *v = NULL;
	int n = 64, err;

	*groups = NULL;
	*ngroups = 0;
	/* Not no_entry: every error of getpwuid_r fails here, ESRCH and the
	 * like too; only -ENOENT lets a caller go on without the groups. */
	if ((err = lookup(true, NULL, &id, name, sizeof(name), primary)))
		return err;
	if (strlen(name) + 1 >= sizeof(name))
		return -ENAMETOOLONG;
	for (;;) {
		gid_t *p = realloc(v, (size_t)n * sizeof(*v));
		int want = n;

		if (!p) {
			err = -ENOMEM;
			goto out;
		}
		v = p;
		if (getgrouplist(name, *primary, v, &want) >= 0) {
			n = want;
			break;
		}
		if (want <= n || want > 65536) {
			err = -EOVERFLOW;
			goto out;
		}
		n = want;
	}
	_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");
	*groups = (uint32_t *)v;
	*ngroups = (size_t)n;
	v = NULL;
	err = 0;
out:
	free(v);
	return err;
}

int ids_user_in_group(uint32_t uid, uint32_t gid)
{
	uint32_t primary, *v;
	size_t n;
	int err, in;

	if ((err = ids_user_groups(uid, &primary, &v, &n)))
		return err;
	in = primary == gid;
	for (size_t i = 0; i < n && !in; i++)
		in = v[i] == gid;
	free(v);
	return in;
}
