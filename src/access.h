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

/* One entry of a POSIX ACL (the system.posix_acl_access attribute). */
struct acl_entry {
	uint16_t tag;           /* ACL_USER_OBJ ... ACL_OTHER, below */
	uint16_t perm;          /* 4 read, 2 write, 1 execute */
	uint32_t id;            /* ACL_USER's uid, ACL_GROUP's gid */
};
#define ACL_USER_OBJ 0x01
#define ACL_USER 0x02
#define ACL_GROUP_OBJ 0x04
#define ACL_GROUP 0x08
#define ACL_MASK 0x10
#define ACL_OTHER 0x20
#define ACL_ENTRIES_MAX 64

/* The attribute's value (version 2, little-endian entries of 8 bytes)
 * into at most max entries: false when it is malformed or longer. */
bool acl_parse(const uint8_t *buf, size_t len, struct acl_entry *out, size_t max, size_t *n);

/* Whether c may open a node of this mode and owner for reading and
 * writing, as generic_permission decides: the owner's class; else, with an
 * ACL (acl, nacl; NULL, 0 for none) and group bits, the ACL's named users
 * and groups under its mask; else the group's class, else the others'.
 * uid 0 always may (CAP_DAC_OVERRIDE). */
bool node_rw_allowed(uint32_t mode, uint32_t node_uid, uint32_t node_gid, const struct acl_entry *acl,
		     size_t nacl, const struct creds *c);

#endif
