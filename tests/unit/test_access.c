/* test_access.c - the kernel's attach rule (tun_not_capable) and the node
 * permission rule, for credentials given: table-driven. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>

#include "access.h"
#include "tap.h"

static const uint32_t alice_groups[] = { 100, 27 };
static const struct creds alice = { .uid = 1000, .gid = 1000, .groups = alice_groups, .ngroups = 2 };
static const struct creds bob = { .uid = 1001, .gid = 100 };
static const struct creds admin = { .uid = 1002, .gid = 1002, .net_admin = true };
static const struct creds root = { .uid = 0, .gid = 0 };

static const struct {
	bool owner_set;
	uint32_t owner;
	bool group_set;
	uint32_t group;
	const struct creds *c;
	unsigned want;
	const char *what;
} attach[] = {
	{ false, 0, false, 0, &alice, 0, "no owner, no group: anyone" },
	{ true, 1000, false, 0, &alice, 0, "the owner" },
	{ true, 1001, false, 0, &alice, ATTACH_NOT_OWNER, "not the owner" },
	{ false, 0, true, 27, &alice, 0, "a supplementary group" },
	{ false, 0, true, 100, &bob, 0, "the effective gid" },
	{ false, 0, true, 27, &bob, ATTACH_NOT_GROUP, "not in the group" },
	{ true, 1000, true, 27, &alice, 0, "owner and in the group" },
	{ true, 1000, true, 5, &alice, ATTACH_NOT_GROUP, "owner but not in the group: both are needed" },
	{ true, 1001, true, 27, &alice, ATTACH_NOT_OWNER, "in the group but not the owner: both are needed" },
	{ true, 1001, true, 5, &alice, ATTACH_NOT_OWNER | ATTACH_NOT_GROUP, "neither" },
	{ true, 1000, true, 5, &admin, 0, "CAP_NET_ADMIN overrides both" },
	{ true, 1000, true, 5, &root, ATTACH_NOT_OWNER | ATTACH_NOT_GROUP,
	  "uid 0 without CAP_NET_ADMIN is not exempt" },
};

static const struct {
	uint32_t mode, uid, gid;
	const struct creds *c;
	bool want;
	const char *what;
} node[] = {
	{ 0666, 0, 0, &alice, true, "0666: anyone" },
	{ 0600, 0, 0, &alice, false, "0600 root's: not alice" },
	{ 0600, 0, 0, &root, true, "0600 root's: root (CAP_DAC_OVERRIDE)" },
	{ 0660, 0, 27, &alice, true, "0660 group kvm: a member" },
	{ 0660, 0, 27, &bob, false, "0660 group kvm: not a member" },
	{ 0660, 0, 100, &bob, true, "0660: the effective gid's group" },
	{ 0606, 0, 27, &alice, false, "group class chosen, though others may: as the kernel does" },
	{ 0066, 1000, 0, &alice, false, "owner class chosen, though group and others may" },
	{ 0640, 0, 27, &alice, false, "read alone is not enough" },
	{ 0620, 0, 27, &alice, false, "write alone is not enough" },
	{ 0600, 1000, 1000, &alice, true, "the node's owner" },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(attach) / sizeof(attach[0]); i++) {
		unsigned got = attach_denied(attach[i].owner_set, attach[i].owner, attach[i].group_set,
					     attach[i].group, attach[i].c);

		ok(got == attach[i].want, "attach: %s (got %u, want %u)", attach[i].what, got, attach[i].want);
	}
	for (size_t i = 0; i < sizeof(node) / sizeof(node[0]); i++) {
		bool got = node_rw_allowed(node[i].mode, node[i].uid, node[i].gid, node[i].c);

		ok(got == node[i].want, "node: %s (got %d)", node[i].what, got);
	}
	ok(creds_in_group(&alice, 1000) && creds_in_group(&alice, 27) && !creds_in_group(&alice, 5),
	   "in a group: the effective gid or a supplementary one, no other");
	return tap_done();
}
