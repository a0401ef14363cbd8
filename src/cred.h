/* cred.h - a consumer's credentials (access.h's struct creds): the
 * caller's own, or another user's from the passwd and group databases.
 * Functions return 0 or -errno. */
#ifndef TUNCTL_CRED_H
#define TUNCTL_CRED_H

#include "access.h"

/* The caller's effective uid, gid and groups, and whether it has
 * CAP_NET_ADMIN over its network namespace (cred_netns_admin).  The
 * groups are allocated in *groups, which the caller frees. */
int cred_self(struct creds *c, uint32_t **groups);
/* User uid's primary group and the groups the group database gives it
 * (getgrouplist), as a login would set them; net_admin for uid 0 only.
 * -ENOENT when uid has no passwd entry (then only uid is filled in). */
int cred_user(uint32_t uid, struct creds *c, uint32_t **groups);
/* Whether this process has CAP_NET_ADMIN in the user namespace that owns
 * its network namespace, by the kernel's rule (cap_capable): its effective
 * set counts in its own user namespace, and a child namespace's owner has
 * every capability in that child. */
int cred_netns_admin(bool *admin);
/* A node's access ACL into acl (ACL_ENTRIES_MAX entries): *n 0 when it
 * has none (or the file system keeps none); -EINVAL when it is malformed. */
int cred_node_acl(const char *path, struct acl_entry *acl, size_t *n);

#endif
