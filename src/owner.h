/* owner.h - --user and --group resolved to numbers, and reported once, for
 * every command that takes them. */
#ifndef TUNCTL_OWNER_H
#define TUNCTL_OWNER_H

#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"
#include "parse.h"

struct owner {
	bool user_set, group_set;
	uint32_t uid, gid;
};

/* Resolves user and group (each may be unset); with mine (add's secure
 * default) and neither given, the owner is the caller (euid).  A name
 * looked up a moment ago is not looked up again (a batch or an apply file
 * mostly repeats one owner).  Returns 0, or after reporting the status: 2
 * for a name that does not exist, 1 when the lookup failed. */
int owner_resolve(struct ctx *c, const struct id_spec *user, const struct id_spec *group, bool mine,
		  struct owner *o);

/* Whether gid is this process's effective or a supplementary group, as the
 * kernel's in_egroup_p checks. */
bool owner_in_egroup(uint32_t gid);

/* Whether the owner uid, given the group gid, could still attach to dev:
 * 0 when it is in that group (or root, or has no passwd entry); else reports that it would be
 * locked out, ending with fix ("add --yes to ..."), and returns 2, or 1
 * when the lookup failed. */
int owner_check_group(struct ctx *c, uint32_t uid, uint32_t gid, const char *dev, const char *fix);

#endif
