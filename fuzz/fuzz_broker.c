/* fuzz_broker.c - what the broker reads from others: the input as a
 * request (decoded, parsed, checked against a policy) and as a reply (as
 * the client reads one), and as a policy file checked with. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brokerproto.h"
#include "cmdline.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed[] =
	"allow user alice mode tap name vm%d name '$USER-*' max 4 mtu 1280-9000 vnet_hdr multi_queue\n"
	"allow group kvm mode tun,tap name t%d addr 192.0.2.0/24 addr 2001:db8::/32 route 198.51.100.0/24 netns x "
	"master br0 master 'br-$USER*'\n";

static void check(const struct policy *p, const struct request *req)
{
	const uint32_t gids[] = { 100, 7 };
	const char *const gnames[] = { "users", "kvm" };
	const struct pol_caller c = { 1001, "alice", gids, gnames, 2 };
	struct pol_req q = { .owner_set = true, .owner = 1001, .owned = 1 };
	char why[ERRLEN];
	unsigned line;

	switch (req->cmd) {
	case CMD_ADD: {
		const struct add_req *r = &req->u.add;

		q = (struct pol_req){ .op = POL_ADD, .name = r->name, .mode = r->mode,
				      .sets_owner = r->user.set || r->group.set || r->any_user,
				      .multi_queue = r->multi_queue, .vnet_hdr = r->vnet_hdr,
				      .has_mtu = r->link.has_mtu, .mtu = r->link.mtu, .addrs = r->addrs,
				      .naddrs = r->naddrs, .routes = r->routes, .nroutes = r->nroutes, .owned = 1,
				      .master = r->link.has_master && r->link.master.name[0] ? r->link.master.name : NULL };
		break;
	}
	case CMD_SET:
		q.op = POL_SET;
		q.name = req->u.set.name;
		q.mode = MODE_TAP;
		q.netns = req->u.set.netns;
		q.has_mtu = req->u.set.link.has_mtu;
		q.mtu = req->u.set.link.mtu;
		if (req->u.set.link.has_master && req->u.set.link.master.name[0])
			q.master = req->u.set.link.master.name;
		break;
	case CMD_RUN:
		q.op = POL_RUN;
		q.name = req->u.run.name;
		break;
	default:
		return;
	}
	policy_check(p, &c, &q, &line, why, sizeof(why));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy fixedp, p;
	struct request req;
	char err[ERRLEN], **argv;
	const char *out, *e;
	size_t outlen, el;
	int argc, status;
	bool pol;

	pol = policy_parse((const char *)data, size, "fuzz", &p, err, sizeof(err));
	if (!policy_parse(fixed, sizeof(fixed) - 1, "fixed", &fixedp, err, sizeof(err)))
		abort();
	if (broker_req_decode((const char *)data, size, &argc, &argv, err, sizeof(err))) {
		memset(&req, 0, sizeof(req));
		if (!cmdline_parse(argc, argv, &req, err, sizeof(err))) {
			check(&fixedp, &req);
			if (pol)
				check(&p, &req);
		}
		request_free(&req);
		free(argv);
	}
	broker_reply_decode((const char *)data, size, &status, &out, &outlen, &e, &el);
	/* A name against each pattern, the input as both. */
	if (size < 64) {
		char s[64];

		memcpy(s, data, size);
		s[size] = '\0';
		policy_name_match(s, "alice", "vm1");
		policy_name_match("vm%d", "alice", s);
		policy_name_match("$USER-*", s, "alice-x");
	}
	if (pol)
		policy_free(&p);
	policy_free(&fixedp);
	return 0;
}
