/* test_events.c - the events that rtnetlink messages make of the state, on buffers. */
#include "config.h"

#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "events.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000     /* <linux/if.h>, which clashes with <net/if.h> */
#endif
#include "tap.h"

static char buf[4096];
/* IFLA_CARRIER_UP_COUNT and _DOWN_COUNT of the next link messages; -1: none. */
static int ups = -1, downs = -1;

static struct nlmsghdr *link_msg(uint16_t type, int ifindex, const char *name, bool tun, bool tap,
				 unsigned flags, uint8_t carrier, uint32_t mtu, uint32_t master)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *li, *data;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	mnl_attr_put_u8(nlh, IFLA_CARRIER, carrier);
	if (ups >= 0) {
		mnl_attr_put_u32(nlh, IFLA_CARRIER_UP_COUNT, (uint32_t)ups);
		mnl_attr_put_u32(nlh, IFLA_CARRIER_DOWN_COUNT, (uint32_t)downs);
	}
	if (master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, master);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, tun ? "tun" : "veth");
	if (tun) {
		data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
		mnl_attr_put_u8(nlh, IFLA_TUN_TYPE, tap ? IFF_TAP : IFF_TUN);
		mnl_attr_put_u8(nlh, IFLA_TUN_PI, 0);
		mnl_attr_put_u8(nlh, IFLA_TUN_VNET_HDR, 0);
		mnl_attr_put_u8(nlh, IFLA_TUN_PERSIST, 1);
		mnl_attr_put_u8(nlh, IFLA_TUN_MULTI_QUEUE, 0);
		mnl_attr_nest_end(nlh, data);
	}
	mnl_attr_nest_end(nlh, li);
	return nlh;
}

static struct nlmsghdr *dellink(int ifindex, const char *name, int netnsid)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_DELLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (netnsid >= 0)
		mnl_attr_put_u32(nlh, IFLA_NEW_NETNSID, (uint32_t)netnsid);
	return nlh;
}

static struct nlmsghdr *addr_msg(uint16_t type, int ifindex, const char *a, uint8_t len)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	struct in_addr in;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = len;
	ifa->ifa_index = (unsigned)ifindex;
	inet_pton(AF_INET, a, &in);
	mnl_attr_put(nlh, IFA_LOCAL, 4, &in);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, &in);
	return nlh;
}

static struct nlmsghdr *route_msg(uint16_t type, int oif, const char *dst, uint8_t len, uint8_t table)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct in_addr in;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = len;
	rtm->rtm_table = table;
	rtm->rtm_type = table == RT_TABLE_LOCAL ? RTN_LOCAL : RTN_UNICAST;
	inet_pton(AF_INET, dst, &in);
	mnl_attr_put(nlh, RTA_DST, 4, &in);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	return nlh;
}

/* The events, as "type:name" words joined by spaces. */
static char seen[1024];

static int record(const struct event *e, void *arg)
{
	size_t n = strlen(seen);

	(void)arg;
	snprintf(seen + n, sizeof(seen) - n, "%s%s%s%s", n ? " " : "", ev_type_name(e->type),
		 e->link ? ":" : "", e->link ? e->link->ti.name : "");
	return 0;
}

static const char *feed(struct ev_state *s, struct nlmsghdr *nlh)
{
	seen[0] = '\0';
	ok(ev_feed(s, nlh, record, NULL) == 0, "feed type %u", nlh->nlmsg_type);
	return seen;
}

#define UP (IFF_UP | IFF_LOWER_UP)

int main(void)
{
	struct ev_state s = { 0 }, fresh = { 0 };

	ok(!strcmp(feed(&s, link_msg(RTM_NEWLINK, 5, "vm0", true, true, 0, 0, 1500, 0)), "created:vm0"),
	   "a new tap device is created: %s", seen);
	ok(!strcmp(feed(&s, link_msg(RTM_NEWLINK, 5, "vm0", true, true, 0, 0, 1500, 0)), ""),
	   "the same message again makes no event: %s", seen);
	ok(!strcmp(feed(&s, link_msg(RTM_NEWLINK, 6, "veth0", false, false, 0, 0, 1500, 0)), "")
	   && s.n == 1, "another kind of link is dropped: %s", seen);
	ok(!strcmp(feed(&s, link_msg(RTM_NEWLINK, 5, "vm0", true, true, UP, 0, 1500, 0)), "up:vm0"),
	   "up: %s", seen);
	ok(!strcmp(feed(&s, link_msg(RTM_NEWLINK, 5, "vm0", true, true, UP, 1, 1500, 0)), "attached:vm0"),
	   "carrier on is attached: %s", seen);
	ok(!strcmp(feed(&s, link_msg(RTM_NEWLINK, 5, "vm1", true, true, UP, 1, 9000, 7)),
		   "renamed:vm1 mtu:vm1 master:vm1"), "rename, mtu, master in one message: %s", seen);
	{
		const struct device *d = &ev_find(&s, 5)->l;

		ok(d->is_tun && !strcmp(d->ti.name, "vm1") && d->ti.flags.mode == MODE_TAP && d->ti.flags.persist &&
		   d->ti.up && d->carrier && d->link.mtu == 9000 && d->link.master.index == 7,
		   "the state is the model: name, mode, flags, up, carrier, MTU, master");
	}
	ok(!strcmp(feed(&s, addr_msg(RTM_NEWADDR, 5, "192.0.2.1", 24)), "addr-add:vm1"), "addr add: %s", seen);
	ok(!strcmp(feed(&s, addr_msg(RTM_NEWADDR, 5, "192.0.2.1", 24)), ""), "the same address again: %s", seen);
	ok(!strcmp(feed(&s, addr_msg(RTM_NEWADDR, 9, "192.0.2.9", 24)), ""), "another link's address: %s", seen);
	ok(!strcmp(feed(&s, route_msg(RTM_NEWROUTE, 5, "198.51.100.0", 24, RT_TABLE_MAIN)), "route-add:vm1"),
	   "route add: %s", seen);
	ok(!strcmp(feed(&s, route_msg(RTM_NEWROUTE, 5, "192.0.2.1", 32, RT_TABLE_LOCAL)), ""),
	   "the kernel's local route is not shown: %s", seen);
	ok(!strcmp(feed(&s, link_msg(RTM_NEWLINK, 5, "vm1", true, true, 0, 1, 9000, 7)), "down:vm1 route-del:vm1"),
	   "down takes the IPv4 routes with it: %s", seen);
	ok(ev_find(&s, 5)->l.naddrs == 1 && ev_find(&s, 5)->l.nroutes == 0 && !ev_find(&s, 5)->l.ti.up,
	   "a link message updates the model's link part, its addresses kept");
	ok(!strcmp(feed(&s, addr_msg(RTM_DELADDR, 5, "192.0.2.1", 24)), "addr-del:vm1"), "addr del: %s", seen);
	ok(!strcmp(feed(&s, addr_msg(RTM_DELADDR, 5, "192.0.2.1", 24)), ""), "deleting it again: %s", seen);

	/* A resync: fresh has vm1 attached no more, and a new tun device. */
	feed(&fresh, link_msg(RTM_NEWLINK, 5, "vm1", true, true, 0, 0, 9000, 7));
	feed(&fresh, link_msg(RTM_NEWLINK, 8, "tun3", true, false, 0, 0, 1500, 0));
	feed(&fresh, addr_msg(RTM_NEWADDR, 8, "198.18.0.1", 15));
	seen[0] = '\0';
	ok(ev_diff(&s, &fresh, record, NULL) == 0 && !strcmp(seen, "detached:vm1 created:tun3 addr-add:tun3"),
	   "diff against a fresh reading: %s", seen);
	ok(s.n == 2 && fresh.n == 0 && ev_find(&s, 8) && ev_find_name(&s, "tun3") &&
	   ev_find(&s, 8)->l.naddrs == 1, "the state is the fresh reading");

	ok(!strcmp(feed(&s, dellink(8, "tun3", 3)), "moved:tun3") && !ev_find(&s, 8),
	   "deletion with a new netns id is a move: %s", seen);
	{
		struct nlmsghdr *nlh = dellink(5, "vm1", -1);

		((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_family = AF_BRIDGE;
		ok(!strcmp(feed(&s, nlh), "") && s.n == 1, "a bridge's message about its port is no deletion: %s", seen);
	}
	ok(!strcmp(feed(&s, dellink(5, "vm1", -1)), "deleted:vm1") && s.n == 0, "deleted: %s", seen);
	ok(!strcmp(feed(&s, dellink(5, "vm1", -1)), ""), "an unknown deletion: %s", seen);

	/* A reader that came and went before the kernel's late message: the
	 * carrier is off again, the counters say it was on meanwhile. */
	ups = downs = 3;
	feed(&s, link_msg(RTM_NEWLINK, 4, "q0", true, false, UP, 0, 1500, 0));
	ups = downs = 4;
	ok(!strcmp(feed(&s, link_msg(RTM_NEWLINK, 4, "q0", true, false, UP, 0, 1500, 0)), "attached:q0 detached:q0"),
	   "counted carrier changes: %s", seen);
	ups = 5;
	ok(!strcmp(feed(&s, link_msg(RTM_NEWLINK, 4, "q0", true, false, UP, 1, 1500, 0)), "attached:q0"),
	   "one change: %s", seen);
	ups = 105, downs = 104;
	ok(!strcmp(feed(&s, link_msg(RTM_NEWLINK, 4, "q0", true, false, UP, 1, 1500, 0)),
		   "detached:q0 attached:q0 detached:q0 attached:q0 detached:q0 attached:q0 detached:q0 attached:q0"),
	   "many changes: at most four pairs, ending attached as it is: %s", seen);
	ok(!strcmp(feed(&s, dellink(4, "q0", -1)), "deleted:q0"), "q0 deleted");
	ups = downs = -1;

	/* Malformed: a header cut short, a bad attribute length. */
	{
		struct nlmsghdr *nlh = link_msg(RTM_NEWLINK, 5, "vm0", true, true, 0, 0, 1500, 0);

		nlh->nlmsg_len = NLMSG_HDRLEN + 4;
		ok(!strcmp(feed(&s, nlh), "") && s.n == 0, "a cut link message is ignored");
		nlh = addr_msg(RTM_NEWADDR, 5, "192.0.2.1", 24);
		nlh->nlmsg_len = NLMSG_HDRLEN;
		ok(!strcmp(feed(&s, nlh), ""), "a cut address message is ignored");
	}
	ev_state_free(&s);
	ev_state_free(&fresh);
	return tap_done();
}
