/* test_policy.c - the broker's policy: the file parsed (FILE:LINE: errors)
 * and requests checked against it, each field allowed and refused. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "tap.h"

static const char *const bad[][2] = {
	{ "deny user alice mode tap name vm%d\n", "P:1: unknown word \"deny\"" },
	{ "# c\n\nallow alice mode tap name x\n", "P:3: allow needs" },
	{ "allow user alice mode tap\n", "P:1: a rule needs mode and name" },
	{ "allow user alice name x\n", "P:1: a rule needs mode and name" },
	{ "allow user alice mode tup name x\n", "P:1: mode \"tup\"" },
	{ "allow user alice mode tap name vm%dx\n", "P:1: name pattern \"vm%dx\": %d stands only at the end" },
	{ "allow user alice mode tap name vm*%d\n", "P:1: name pattern" },
	{ "allow user alice mode tap name a/b\n", "P:1: name pattern \"a/b\" holds" },
	{ "allow user alice mode tap name x max -1\n", "P:1: max \"-1\"" },
	{ "allow user alice mode tap name x mtu 9000-1280\n", "P:1: mtu \"9000-1280\"" },
	{ "allow user alice mode tap name x mtu 10\n", "P:1: mtu \"10\"" },
	{ "allow user alice mode tap name x addr 192.0.2.1/24\n", "P:1: addr \"192.0.2.1/24\"" },
	{ "allow user alice mode tap name x netns ..\n", "P:1: netns \"..\"" },
	{ "allow user alice mode tap name x master\n", "P:1: master needs a value" },
	{ "allow user alice mode tap name x master br%d\n", "P:1: master \"br%d\": a device name or a glob" },
	{ "allow user alice mode tap name x master 'br 0'\n", "P:1: master \"br 0\" holds a character" },
	{ "allow user alice mode tap name x master a/b\n", "P:1: master \"a/b\" holds a character" },
	{ "allow user alice mode tap name x bridge br0\n", "P:1: unknown word \"bridge\"" },
	{ "allow user alice mode tap name x max\n", "P:1: max needs a value" },
	{ "allow user alice mode tap name \"x\n", "P:1: " },
	{ "allow user alice mode tap name x\nallow user alice mode tap name x\0\n", "P:1: holds a NUL byte" },
};

int main(void)
{
	static const char good[] =
		"# the policy\n"
		"allow user alice mode tap name 'vm%d' name \"$USER-*\" max 2 mtu 1280-9000 vnet_hdr\n"
		"allow user alice mode tun name tun%d addr 192.0.2.0/24 route 198.51.100.0/24 netns vms master br-vms "
		"master 'br-$USER*'\n"
		"allow group kvm mode tap,tun name 'g%d'  # a group\n"
		"allow user 1003 mode tun name n%d multi_queue max 0\n";
	const uint32_t gids[] = { 100, 1001 };
	const char *const gnames[] = { "users", "kvm" };
	struct pol_caller alice = { 1001, "alice", gids, gnames, 2 };
	struct pol_caller bob = { 1002, "bob", gids, gnames, 1 };
	struct pol_caller carol = { 1003, "carol", NULL, NULL, 0 };
	struct policy p;
	struct pol_req q;
	struct addr_spec a;
	struct route_spec r;
	char err[ERRLEN], why[ERRLEN];
	unsigned line;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i][0]);

		if (i == sizeof(bad) / sizeof(bad[0]) - 1)
			len += 2;       /* the NUL and what follows */
		err[0] = '\0';
		ok(!policy_parse(bad[i][0], len, "P", &p, err, sizeof(err)) && p.n == 0 &&
		   !strncmp(err, bad[i][1], strlen(bad[i][1])), "refused: %s", err);
	}
	ok(policy_parse(good, strlen(good), "P", &p, err, sizeof(err)) && p.n == 4, "the good file: 4 rules (%s)",
	   p.n ? "" : err);
	ok(p.rules[0].line == 2 && p.rules[3].line == 5 && p.rules[0].max == 2 && p.rules[1].max == 1,
	   "lines and max (default 1)");

	ok(policy_name_match("vm%d", "alice", "vm12") && policy_name_match("vm%d", "alice", "vm%d") &&
	   !policy_name_match("vm%d", "alice", "vm") && !policy_name_match("vm%d", "alice", "vmx") &&
	   !policy_name_match("vm%d", "alice", "vm1x"), "PREFIX%%d: digits or the template");
	ok(policy_name_match("$USER-*", "alice", "alice-a") && !policy_name_match("$USER-*", "bob", "alice-a") &&
	   !policy_name_match("$USER-*", "alice", "alice-%d") && !policy_name_match("$USER-*", "a*", "a*-x"),
	   "$USER and globs; no template under a glob; a user name with glob characters matches nothing");

#define REQ(...) (memset(&q, 0, sizeof(q)), q = (struct pol_req){ __VA_ARGS__ })
#define CHECK(who) policy_check(&p, &who, &q, &line, why, sizeof(why))
	REQ(.op = POL_ADD, .name = "vm0", .mode = MODE_TAP);
	ok(CHECK(alice) == 0 && line == 2, "alice: tap vm0 by line 2");
	REQ(.op = POL_ADD, .name = "vm9", .mode = MODE_TUN);
	ok(CHECK(alice) == 1 && line == 0 && !strcmp(why, "no rule lets alice create tun devices named \"vm9\""),
	   "no rule: %s", why);
	REQ(.op = POL_ADD, .name = "vm9", .mode = MODE_TAP);
	ok(CHECK(bob) == 1 && line == 0, "bob: no rule for vm9");
	REQ(.op = POL_ADD, .name = "g3", .mode = MODE_TUN);
	ok(CHECK(alice) == 0 && line == 4, "group kvm by its name");
	ok(CHECK(bob) == 1, "bob is not in kvm");
	REQ(.op = POL_ADD, .name = "vm0", .mode = MODE_TAP, .owned = 2);
	ok(CHECK(alice) == 1 && line == 2 && strstr(why, "as many as the rule allows (max 2)"), "quota: %s", why);
	REQ(.op = POL_ADD, .name = "vm0", .mode = MODE_TAP, .has_mtu = true, .mtu = 9000);
	ok(CHECK(alice) == 0, "mtu at the top of the range");
	REQ(.op = POL_ADD, .name = "vm0", .mode = MODE_TAP, .has_mtu = true, .mtu = 9001);
	ok(CHECK(alice) == 1 && line == 2 && strstr(why, "--mtu 9001 is outside"), "mtu: %s", why);
	REQ(.op = POL_ADD, .name = "vm0", .mode = MODE_TAP, .has_txqlen = true, .txqlen = POL_TXQLEN_MAX);
	ok(CHECK(alice) == 0, "txqueuelen at the cap");
	REQ(.op = POL_ADD, .name = "vm0", .mode = MODE_TAP, .has_txqlen = true, .txqlen = POL_TXQLEN_MAX + 1);
	ok(CHECK(alice) == 1 && strstr(why, "--txqueuelen 1001: at most 1000"), "txqueuelen past the cap: %s", why);
	REQ(.op = POL_SET, .name = "vm0", .mode = MODE_TAP, .owner_set = true, .owner = 1001, .has_txqlen = true,
	    .txqlen = 4000000);
	ok(CHECK(alice) == 1 && strstr(why, "--txqueuelen 4000000"), "set's txqueuelen past the cap: %s", why);
	REQ(.op = POL_ADD, .name = "tun0", .mode = MODE_TUN, .has_mtu = true, .mtu = 1500);
	ok(CHECK(alice) == 1 && line == 3 && strstr(why, "no mtu range"), "mtu without a range: %s", why);
	REQ(.op = POL_ADD, .name = "vm0", .mode = MODE_TAP, .vnet_hdr = true);
	ok(CHECK(alice) == 0, "vnet_hdr allowed");
	REQ(.op = POL_ADD, .name = "vm0", .mode = MODE_TAP, .multi_queue = true);
	ok(CHECK(alice) == 1 && strstr(why, "multi_queue"), "multi_queue refused: %s", why);
	REQ(.op = POL_ADD, .name = "n1", .mode = MODE_TUN, .multi_queue = true);
	ok(CHECK(carol) == 1 && strstr(why, "max 0"), "user by uid; max 0: %s", why);
	REQ(.op = POL_ADD, .name = "vm0", .mode = MODE_TAP, .sets_owner = true);
	ok(CHECK(alice) == 1 && strstr(why, "belongs to its caller"), "--user refused");

	memset(&a, 0, sizeof(a));
	parse_prefix("192.0.2.9/25", false, false, &a.local, err, sizeof(err));
	REQ(.op = POL_ADD, .name = "tun0", .mode = MODE_TUN, .addrs = &a, .naddrs = 1);
	ok(CHECK(alice) == 0, "an address within 192.0.2.0/24");
	ok((q.mode = MODE_TAP, q.name = "vm0", CHECK(alice) == 1) && strstr(why, "it lists none"),
	   "no addresses by default: %s", why);
	parse_prefix("192.0.2.9/23", false, false, &a.local, err, sizeof(err));
	REQ(.op = POL_ADD, .name = "tun0", .mode = MODE_TUN, .addrs = &a, .naddrs = 1);
	ok(CHECK(alice) == 1 && strstr(why, "--addr 192.0.2.9/23"), "a wider prefix is refused: %s", why);
	parse_prefix("192.0.2.9", false, false, &a.local, err, sizeof(err));
	a.has_peer = true;
	parse_ipaddr("203.0.113.1", 0, &a.peer);
	ok(CHECK(alice) == 1, "a peer outside is refused");
	memset(&r, 0, sizeof(r));
	parse_route("198.51.100.128/25 via 192.0.2.1", &r, err, sizeof(err));
	REQ(.op = POL_ADD, .name = "tun0", .mode = MODE_TUN, .routes = &r, .nroutes = 1);
	ok(CHECK(alice) == 0, "a route within, via a gateway within");
	parse_route("198.51.100.0/23", &r, err, sizeof(err));
	ok(CHECK(alice) == 1 && strstr(why, "--route 198.51.100.0/23"), "route outside: %s", why);
	parse_route("198.51.100.0/24 table 7", &r, err, sizeof(err));
	ok(CHECK(alice) == 1 && strstr(why, "table 7"), "another table: %s", why);
	parse_route("198.51.100.0/24 via 203.0.113.1", &r, err, sizeof(err));
	ok(CHECK(alice) == 1 && strstr(why, "gateway"), "a gateway outside: %s", why);

	REQ(.op = POL_SET, .name = "tun0", .mode = MODE_TUN, .owner_set = true, .owner = 1001, .netns = "vms");
	ok(CHECK(alice) == 0 && line == 3, "netns listed");
	q.netns = "other";
	ok(CHECK(alice) == 1 && strstr(why, "--netns other"), "netns not listed: %s", why);
	/* Masters: none by default; a name or glob, $USER expanded. */
	REQ(.op = POL_ADD, .name = "tun0", .mode = MODE_TUN, .master = "br-vms");
	ok(CHECK(alice) == 0 && line == 3, "master listed");
	q.master = "br-alice2";
	ok(CHECK(alice) == 0 && line == 3, "master by a $USER glob");
	q.master = "br0";
	ok(CHECK(alice) == 1 && line == 3 && !strcmp(why, "--master br0 is not allowed (the rule's master list "
						       "does not name it)"), "master not listed: %s", why);
	q.master = "br-%d";
	ok(CHECK(alice) == 1, "a master with %% matches no glob");
	REQ(.op = POL_ADD, .name = "vm0", .mode = MODE_TAP, .master = "br-vms");
	ok(CHECK(alice) == 1 && line == 2 && strstr(why, "master list is empty"), "no master by default: %s", why);
	REQ(.op = POL_SET, .name = "tun0", .mode = MODE_TUN, .owner_set = true, .owner = 1001, .master = "br-vms");
	ok(CHECK(alice) == 0 && line == 3, "set --master listed");
	REQ(.op = POL_SET, .name = "tun0", .mode = MODE_TUN, .owner_set = true, .owner = 1002, .master = "br-vms");
	ok(CHECK(alice) == 1 && strstr(why, "belongs to"), "set --master on another's device: %s", why);
	REQ(.op = POL_SET, .name = "tun0", .mode = MODE_TUN, .owner = 1001, .master = "br-vms");
	ok(CHECK(alice) == 1 && strstr(why, "has no owner"), "set --master on a device without owner: %s", why);
	REQ(.op = POL_SET, .name = "vm0", .mode = MODE_TAP, .owner_set = true, .owner = 1002, .owner_name = "bob");
	ok(CHECK(alice) == 1 && !strcmp(why, "vm0 belongs to bob, not to alice"), "another's device: %s", why);
	REQ(.op = POL_DEL, .name = "vm0", .mode = MODE_TAP, .owner_set = true, .owner = 1002);
	ok(CHECK(alice) == 1 && strstr(why, "belongs to 1002"), "delete another's: %s", why);
	REQ(.op = POL_DEL, .name = "zz", .mode = MODE_TAP, .owner_set = true, .owner = 1001);
	ok(CHECK(alice) == 0 && line == 0, "one's own device: deleted by owning it");
	REQ(.op = POL_RUN, .name = "zz", .mode = MODE_TAP);
	ok(CHECK(alice) == 1 && strstr(why, "has no owner"), "no owner: %s", why);
	REQ(.op = POL_ADD, .name = "vm0", .mode = MODE_TAP, .exists = true, .owner_set = true, .owner = 1002);
	ok(CHECK(alice) == 1 && strstr(why, "belongs to"), "--exist-ok on another's device");
	policy_free(&p);
	return tap_done();
}
