/* access.h - pure: who may attach to a TUN/TAP device and open a device
 * node, as the kernel decides, for credentials given rather than the
 * caller's own (what "tunctl check --user" asks). */
#ifndef TUNCTL_ACCESS_H
#define TUNCTL_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A consumer's credentials: effective uid and gid, supplementary groups,
 * and whether it has CAP_NET_ADMIN in the user namespace that owns the
 * device's network namespace. */
struct creds {
	uint32_t uid, gid;
	const uint32_t *groups;
	size_t ngroups;
	bool net_admin;
};

/* The gid is the effective one or a supplementary group (in_egroup_p). */
bool creds_in_group(const struct creds *c, uint32_t gid);

/* Why TUNSETIFF on an existing device would give EPERM (the kernel's
 * tun_not_capable): an owner that is set and is not c's uid
 * (ATTACH_NOT_OWNER), a group that is set that c is not in
 * (ATTACH_NOT_GROUP), both when both fail; 0 when c may attach, always
 * with CAP_NET_ADMIN. */
#define ATTACH_NOT_OWNER 1u
#define ATTACH_NOT_GROUP 2u
unsigned attach_denied(bool owner_set, uint32_t owner, bool group_set, uint32_t group,
		       const struct creds *c);

/* Whether c may open a node of this mode and owner for reading and
 * writing, by the permission bits (the owner's class, else the group's,
 * else the others', as generic_permission chooses); uid 0 always may
 * (CAP_DAC_OVERRIDE). */
bool node_rw_allowed(uint32_t mode, uint32_t node_uid, uint32_t node_gid, const struct creds *c);

#endif
