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

/* ACLs as setfacl writes them: sorted by tag, a mask where named entries are. */
#define E(t, p, i) { ACL_##t, p, i }
static const struct acl_entry acl_kvm_rw[] = {   /* u::rw- g::--- g:kvm:rw- m::rw- o::--- */
	E(USER_OBJ, 6, 0), E(GROUP_OBJ, 0, 0), E(GROUP, 6, 27), E(MASK, 6, 0), E(OTHER, 0, 0),
};
static const struct acl_entry acl_bob_masked[] = {       /* u::rw- u:bob:rw- g::--- m::r-- o::--- */
	E(USER_OBJ, 6, 0), E(USER, 6, 1001), E(GROUP_OBJ, 0, 0), E(MASK, 4, 0), E(OTHER, 0, 0),
};
static const struct acl_entry acl_bob[] = {      /* u::rw- u:bob:rw- g::--- m::rw- o::rw- */
	E(USER_OBJ, 6, 0), E(USER, 6, 1001), E(GROUP_OBJ, 0, 0), E(MASK, 6, 0), E(OTHER, 6, 0),
};
static const struct acl_entry acl_group_denies[] = {      /* u::rw- g::r-- m::rw- o::rw- */
	E(USER_OBJ, 6, 0), E(GROUP_OBJ, 4, 0), E(MASK, 6, 0), E(OTHER, 6, 0),
};

static const struct {
	uint32_t mode, uid, gid;
	const struct acl_entry *acl;
	size_t n;
	const struct creds *c;
	bool want;
	const char *what;
} acl[] = {
	{ 0660, 0, 0, acl_kvm_rw, 5, &alice, true, "ACL: a named group the user is in" },
	{ 0660, 0, 0, acl_kvm_rw, 5, &bob, false, "ACL: not in the named group, others nothing" },
	{ 0640, 0, 0, acl_bob_masked, 5, &bob, false, "ACL: a named user, but the mask takes write away" },
	{ 0666, 0, 0, acl_bob, 5, &bob, true, "ACL: a named user" },
	{ 0666, 0, 0, acl_bob, 5, &alice, true, "ACL: no entry of hers: others" },
	{ 0666, 0, 100, acl_group_denies, 4, &bob, false,
	  "ACL: in the owning group, which may only read: not the others' class" },
	{ 0606, 0, 0, acl_kvm_rw, 5, &alice, true, "ACL ignored without group bits: others" },
	{ 0600, 1000, 0, acl_kvm_rw, 5, &alice, true, "the owner's class before any ACL" },
	{ 0660, 0, 0, acl_kvm_rw, 5, &root, true, "uid 0" },
};

int main(void)
{
	static const uint8_t raw[] = { 2, 0, 0, 0, 1, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,
				       8, 0, 6, 0, 27, 0, 0, 0, 0x20, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
	struct acl_entry ents[4];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(attach) / sizeof(attach[0]); i++) {
		unsigned got = attach_denied(attach[i].owner_set, attach[i].owner, attach[i].group_set,
					     attach[i].group, attach[i].c);

		ok(got == attach[i].want, "attach: %s (got %u, want %u)", attach[i].what, got, attach[i].want);
	}
	for (size_t i = 0; i < sizeof(node) / sizeof(node[0]); i++) {
		bool got = node_rw_allowed(node[i].mode, node[i].uid, node[i].gid, NULL, 0, node[i].c);

		ok(got == node[i].want, "node: %s (got %d)", node[i].what, got);
	}
	for (size_t i = 0; i < sizeof(acl) / sizeof(acl[0]); i++) {
		bool a = node_rw_allowed(acl[i].mode, acl[i].uid, acl[i].gid, acl[i].acl, acl[i].n, acl[i].c);

		ok(a == acl[i].want, "node: %s (got %d)", acl[i].what, a);
	}
	ok(acl_parse(raw, sizeof(raw), ents, 4, &n) && n == 3 && ents[0].tag == ACL_USER_OBJ && ents[0].perm == 6 &&
	   ents[1].tag == ACL_GROUP && ents[1].id == 27 && ents[2].tag == ACL_OTHER && ents[2].perm == 0,
	   "acl_parse: version 2, three entries, little-endian");
	ok(!acl_parse(raw, sizeof(raw), ents, 2, &n), "acl_parse: more entries than room: refused");
	ok(!acl_parse(raw, sizeof(raw) - 1, ents, 4, &n), "acl_parse: a partial entry: refused");
	ok(!acl_parse((const uint8_t *)"\1\0\0\0", 4, ents, 4, &n), "acl_parse: another version: refused");
	ok(!acl_parse(raw, 3, ents, 4, &n), "acl_parse: no header: refused");
	ok(creds_in_group(&alice, 1000) && creds_in_group(&alice, 27) && !creds_in_group(&alice, 5),
	   "in a group: the effective gid or a supplementary one, no other");
	return tap_done();
}
