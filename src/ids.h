/* ids.h - users and groups by name or number (the passwd and group databases). */
#ifndef TUNCTL_IDS_H
#define TUNCTL_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* 0; -ENOENT for a name that does not resolve; another -errno when the
 * lookup itself failed (the name may well exist). */
int ids_user(const struct id_spec *s, uint32_t *uid);
int ids_group(const struct id_spec *s, uint32_t *gid);
/* The name, or the number when there is none (or the lookup failed). */
const char *ids_user_name(uint32_t uid, char *buf, size_t len);
const char *ids_group_name(uint32_t gid, char *buf, size_t len);

/* The same into buf, returning 0, or -errno when the lookup itself failed
 * (out of memory or descriptors, an NSS backend's error): for output that
 * must not stand in a number for a name silently. */
int ids_user_lookup(uint32_t uid, char *buf, size_t len);
int ids_group_lookup(uint32_t gid, char *buf, size_t len);

/* Whether user uid is in group gid, as its passwd entry (the primary
 * group) and the group database (getgrouplist) say: 1, 0, -ENOENT when
 * uid has no passwd entry, or -errno when a lookup failed. */
int ids_user_in_group(uint32_t uid, uint32_t gid);
/* User uid's primary group (passwd) and every group it is in, primary
 * included (getgrouplist(3)), into a new array *groups of *ngroups the
 * caller frees.  0, -ENOENT (no passwd entry) or -errno. */
int ids_user_groups(uint32_t uid, uint32_t *primary, uint32_t **groups, size_t *ngroups);

#endif
