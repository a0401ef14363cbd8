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

bool acl_parse(const uint8_t *buf, size_t len, struct acl_entry *out, size_t max, size_t *n)
{
	size_t count;

	if (len < 4 || (len - 4) % 8 || (buf[0] | buf[1] << 8 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24) != 2)
		return false;
	if ((count = (len - 4) / 8) > max)
		return false;
	for (size_t i = 0; i < count; i++) {
		const uint8_t *e = buf + 4 + 8 * i;

		out[i] = (struct acl_entry){
			.tag = (uint16_t)(e[0] | e[1] << 8), .perm = (uint16_t)(e[2] | e[3] << 8),
			.id = e[4] | e[5] << 8 | (uint32_t)e[6] << 16 | (uint32_t)e[7] << 24,
		};
	}
	*n = count;
	return true;
}

/* posix_acl_permission for read and write, past the owner: 1 allowed,
 * 0 denied, -1 no answer (no ACL_OTHER: the kernel's EIO; taken as the
 * mode bits'). */
static int acl_allows(const struct acl_entry *acl, size_t n, uint32_t node_gid, const struct creds *c)
{
	const unsigned want = 6;
	bool found = false;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct acl_entry *e = &acl[i];

		switch (e->tag) {
		case ACL_USER:
			if (e->id == c->uid)
				goto mask;
			break;
		case ACL_GROUP_OBJ:
		case ACL_GROUP:
			if (creds_in_group(c, e->tag == ACL_GROUP ? e->id : node_gid)) {
				found = true;
				if ((e->perm & want) == want)
					goto mask;
			}
			break;
		case ACL_OTHER:
			return !found && (e->perm & want) == want;
		default:
			break;
		}
	}
	return -1;
mask:
	for (size_t k = i + 1; k < n; k++)
		if (acl[k].tag == ACL_MASK)
			return (acl[i].perm & acl[k].perm & want) == want;
	return (acl[i].perm & want) == want;
}

bool node_rw_allowed(uint32_t mode, uint32_t node_uid, uint32_t node_gid, const struct acl_entry *acl,
		     size_t nacl, const struct creds *c)
{
	unsigned bits;
	int a;

	if (c->uid == 0)
		return true;
	if (c->uid == node_uid)
		bits = (mode >> 6) & 7;
	else if (nacl && (mode & 070) && (a = acl_allows(acl, nacl, node_gid, c)) >= 0)
		return a;
	else if (creds_in_group(c, node_gid))
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	return (bits & 6) == 6;
}
