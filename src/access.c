/* access.c - pure: the kernel's attach (tun_not_capable) and node
 * permission rules, for given credentials. */
#include "config.h"

#include "access.h"

bool creds_in_group(const struct creds *c, uint32_t gid)
{
	if (c->gid == gid)
		return true;
	for (size_t i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

unsigned attach_denied(bool owner_set, uint32_t owner, bool group_set, uint32_t group,
		       const struct creds *c)
{
	unsigned why = 0;

	if (c->net_admin)
		return 0;
	if (owner_set && owner != c->uid)
		why |= ATTACH_NOT_OWNER;
	if (group_set && !creds_in_group(c, group))
		why |= ATTACH_NOT_GROUP;
	return why;
}

bool node_rw_allowed(uint32_t mode, uint32_t node_uid, uint32_t node_gid, const struct creds *c)
{
	unsigned bits;

	if (c->uid == 0)
		return true;
	if (c->uid == node_uid)
		bits = (mode >> 6) & 7;
	else if (creds_in_group(c, node_gid))
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	return (bits & 6) == 6;
}
