/* test_rtnl.c - message builders checked attribute by attribute; reply parsers on crafted buffers. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "rtnl.h"
#include "tap.h"

static const struct nlattr *tb[128];

static int cb(const struct nlattr *a, void *data)
{
	(void)data;
	if (mnl_attr_get_type(a) < 128)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static void attrs(const struct nlmsghdr *nlh, size_t hdr)
{
	memset(tb, 0, sizeof(tb));
	mnl_attr_parse(nlh, (unsigned)hdr, cb, NULL);
}

static void test_link(void)
{
	char buf[RTNL_MSG_MAX] = { 0 };
	struct link_spec l = { .set_updown = true, .up = true, .has_mtu = true, .mtu = 1400,
			       .has_mac = true, .mac = { 2, 0, 0, 0, 0, 9 }, .has_txqlen = true, .txqlen = 7 };
	struct nlmsghdr *nlh = rtnl_link_set(buf, 42, &l, -1, -1);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	attrs(nlh, sizeof(*ifi));
	ok(nlh->nlmsg_type == RTM_SETLINK && (nlh->nlmsg_flags & NLM_F_REQUEST), "setlink header");
	ok(ifi->ifi_index == 42 && ifi->ifi_change == IFF_UP && ifi->ifi_flags == IFF_UP, "up via ifi_change");
	ok(tb[IFLA_MTU] && mnl_attr_get_u32(tb[IFLA_MTU]) == 1400, "IFLA_MTU");
	ok(tb[IFLA_TXQLEN] && mnl_attr_get_u32(tb[IFLA_TXQLEN]) == 7, "IFLA_TXQLEN");
	ok(tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6 &&
	   ((uint8_t *)mnl_attr_get_payload(tb[IFLA_ADDRESS]))[5] == 9, "IFLA_ADDRESS");
	ok(!tb[IFLA_NET_NS_FD] && !tb[IFLA_GROUP], "no netns or group unless asked");
	ok(!tb[IFLA_MASTER], "no IFLA_MASTER unless asked");
	ok(nlh->nlmsg_len <= RTNL_MSG_MAX, "fits RTNL_MSG_MAX");

	/* The master: its index (found by devconf); 0 is nomaster. */
	memset(buf, 0, sizeof(buf));
	l = (struct link_spec){ .has_master = true, .master = { "br0", 17 } };
	nlh = rtnl_link_set(buf, 3, &l, -1, -1);
	attrs(nlh, sizeof(*ifi));
	ok(tb[IFLA_MASTER] && mnl_attr_get_payload_len(tb[IFLA_MASTER]) == 4 &&
	   mnl_attr_get_u32(tb[IFLA_MASTER]) == 17, "IFLA_MASTER: the index");
	memset(buf, 0, sizeof(buf));
	l = (struct link_spec){ .has_master = true };
	nlh = rtnl_link_set(buf, 3, &l, -1, -1);
	attrs(nlh, sizeof(*ifi));
	ok(tb[IFLA_MASTER] && mnl_attr_get_u32(tb[IFLA_MASTER]) == 0, "nomaster: IFLA_MASTER 0");

	memset(buf, 0, sizeof(buf));
	nlh = rtnl_link_set(buf, 3, NULL, 9, 77);
	ifi = mnl_nlmsg_get_payload(nlh);
	attrs(nlh, sizeof(*ifi));
	ok(ifi->ifi_change == 0 && tb[IFLA_NET_NS_FD] && mnl_attr_get_u32(tb[IFLA_NET_NS_FD]) == 9 &&
	   tb[IFLA_GROUP] && mnl_attr_get_u32(tb[IFLA_GROUP]) == 77, "netns fd and group");

	memset(buf, 0, sizeof(buf));
	l = (struct link_spec){ .set_updown = true, .up = false };
	nlh = rtnl_link_set(buf, 3, &l, -1, -1);
	ifi = mnl_nlmsg_get_payload(nlh);
	ok(ifi->ifi_change == IFF_UP && ifi->ifi_flags == 0, "down");

	memset(buf, 0, sizeof(buf));
	nlh = rtnl_group_del(buf, 1234);
	ifi = mnl_nlmsg_get_payload(nlh);
	attrs(nlh, sizeof(*ifi));
	ok(nlh->nlmsg_type == RTM_DELLINK && ifi->ifi_index == 0 && tb[IFLA_GROUP] &&
	   mnl_attr_get_u32(tb[IFLA_GROUP]) == 1234, "group delete: index 0 and IFLA_GROUP");
}

static void test_addr(void)
{
	char buf[RTNL_MSG_MAX] = { 0 }, err[ERRLEN];
	struct addr_spec a = { 0 };
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	struct addr_info ai;

	parse_prefix("192.0.2.1/24", false, false, &a.local, err, sizeof(err));
	nlh = rtnl_addr(buf, true, 5, &a);
	ifa = mnl_nlmsg_get_payload(nlh);
	attrs(nlh, sizeof(*ifa));
	ok(nlh->nlmsg_type == RTM_NEWADDR && (nlh->nlmsg_flags & NLM_F_CREATE) && (nlh->nlmsg_flags & NLM_F_EXCL),
	   "newaddr create|excl");
	ok(ifa->ifa_family == AF_INET && ifa->ifa_prefixlen == 24 && ifa->ifa_index == 5, "ifaddrmsg");
	ok(tb[IFA_LOCAL] && tb[IFA_ADDRESS] && !memcmp(mnl_attr_get_payload(tb[IFA_LOCAL]), a.local.addr.a.b, 4) &&
	   !memcmp(mnl_attr_get_payload(tb[IFA_ADDRESS]), a.local.addr.a.b, 4), "no peer: local = address");

	/* The message as the kernel would send it back parses to the same. */
	nlh->nlmsg_type = RTM_NEWADDR;
	ok(rtnl_parse_addr(nlh, &ai) && ai.ifindex == 5 && !ai.a.has_peer && ai.a.local.len == 24, "parse back");

	memset(buf, 0, sizeof(buf));
	parse_ipaddr("192.0.2.2", AF_INET, &a.peer);
	a.has_peer = true;
	nlh = rtnl_addr(buf, true, 5, &a);
	attrs(nlh, sizeof(*ifa));
	ok(!memcmp(mnl_attr_get_payload(tb[IFA_LOCAL]), a.local.addr.a.b, 4) &&
	   !memcmp(mnl_attr_get_payload(tb[IFA_ADDRESS]), a.peer.a.b, 4), "peer: IFA_LOCAL local, IFA_ADDRESS peer");
	ok(rtnl_parse_addr(nlh, &ai) && ai.a.has_peer && !memcmp(ai.a.peer.a.b, a.peer.a.b, 4), "parse back peer");

	memset(buf, 0, sizeof(buf));
	memset(&a, 0, sizeof(a));
	parse_prefix("2001:db8::1/64", false, false, &a.local, err, sizeof(err));
	nlh = rtnl_addr(buf, false, 6, &a);
	ifa = mnl_nlmsg_get_payload(nlh);
	attrs(nlh, sizeof(*ifa));
	ok(nlh->nlmsg_type == RTM_DELADDR && !(nlh->nlmsg_flags & NLM_F_CREATE) && ifa->ifa_family == AF_INET6 &&
	   mnl_attr_get_payload_len(tb[IFA_LOCAL]) == 16, "deladdr v6");
	nlh->nlmsg_type = RTM_NEWADDR;
	ok(rtnl_parse_addr(nlh, &ai) && ai.a.local.addr.family == AF_INET6, "parse v6");
	nlh->nlmsg_len = NLMSG_LENGTH(2);
	ok(!rtnl_parse_addr(nlh, &ai), "truncated header refused");
}

static void test_route(void)
{
	char buf[RTNL_MSG_MAX] = { 0 }, err[ERRLEN];
	struct route_spec r;
	struct route_info ri;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	parse_route("198.51.100.0/24 via 192.0.2.2 metric 50", &r, err, sizeof(err));
	nlh = rtnl_route(buf, true, 8, &r);
	rtm = mnl_nlmsg_get_payload(nlh);
	attrs(nlh, sizeof(*rtm));
	ok(nlh->nlmsg_type == RTM_NEWROUTE && rtm->rtm_family == AF_INET && rtm->rtm_dst_len == 24 &&
	   rtm->rtm_table == RT_TABLE_MAIN && rtm->rtm_protocol == RTPROT_BOOT &&
	   rtm->rtm_scope == RT_SCOPE_UNIVERSE && rtm->rtm_type == RTN_UNICAST, "rtmsg with gateway");
	ok(tb[RTA_DST] && tb[RTA_GATEWAY] && tb[RTA_PRIORITY] && mnl_attr_get_u32(tb[RTA_PRIORITY]) == 50 &&
	   tb[RTA_OIF] && mnl_attr_get_u32(tb[RTA_OIF]) == 8 && !tb[RTA_TABLE], "route attributes");
	ok(rtnl_parse_route(nlh, &ri) && ri.has_oif && ri.oif == 8 && ri.r.has_gw && ri.r.metric == 50 &&
	   ri.r.table == RT_TABLE_MAIN, "parse back");

	memset(buf, 0, sizeof(buf));
	parse_route("203.0.113.0/24 table 1000", &r, err, sizeof(err));
	nlh = rtnl_route(buf, true, 8, &r);
	rtm = mnl_nlmsg_get_payload(nlh);
	attrs(nlh, sizeof(*rtm));
	ok(rtm->rtm_scope == RT_SCOPE_LINK && rtm->rtm_table == RT_TABLE_UNSPEC && tb[RTA_TABLE] &&
	   mnl_attr_get_u32(tb[RTA_TABLE]) == 1000 && !tb[RTA_GATEWAY], "link scope, table >= 256 as RTA_TABLE");

	memset(buf, 0, sizeof(buf));
	parse_route("default via 2001:db8::1", &r, err, sizeof(err));
	nlh = rtnl_route(buf, false, 8, &r);
	rtm = mnl_nlmsg_get_payload(nlh);
	attrs(nlh, sizeof(*rtm));
	ok(nlh->nlmsg_type == RTM_DELROUTE && rtm->rtm_family == AF_INET6 && rtm->rtm_dst_len == 0 &&
	   !tb[RTA_DST] && rtm->rtm_scope == RT_SCOPE_NOWHERE, "delete default v6: any scope");
}

static void test_ack(void)
{
	char buf[512] = { 0 }, msg[160];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;
	int err = 0;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -22;
	e->msg.nlmsg_len = 100;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "Nexthop has invalid gateway.");
	ok(rtnl_parse_ack(nlh, &err, msg, sizeof(msg)) && err == -22 && !strcmp(msg, "Nexthop has invalid gateway"),
	   "extended ack text, final period dropped: \"%s\"", msg);

	nlh->nlmsg_flags = 0;
	ok(rtnl_parse_ack(nlh, &err, msg, sizeof(msg)) && msg[0] == '\0', "no TLVs: no text");

	/* Not capped: the request is echoed before the TLVs. */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e) + 16);
	e->error = -17;
	e->msg.nlmsg_len = sizeof(struct nlmsghdr) + 16;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "Address already assigned");
	ok(rtnl_parse_ack(nlh, &err, msg, sizeof(msg)) && err == -17 && !strcmp(msg, "Address already assigned"),
	   "uncapped ack");
	e->msg.nlmsg_len = 4000;
	ok(rtnl_parse_ack(nlh, &err, msg, sizeof(msg)) && msg[0] == '\0', "echo longer than the message: no text, no overread");
	nlh->nlmsg_type = RTM_NEWLINK;
	ok(!rtnl_parse_ack(nlh, &err, msg, sizeof(msg)), "not an error message");
}

static void test_link_parse(void)
{
	char buf[256] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct device li;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 12;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "tap7");
	mnl_attr_put_u32(nlh, IFLA_GROUP, 5);
	ok(rtnl_parse_link(nlh, &li) && li.ifindex == 12 && !strcmp(li.ti.name, "tap7") && li.link_group == 5,
	   "link parse: into the model (name, index, link group)");
	ok(!li.link.has_mtu && !li.link.has_txqlen && !li.link.has_mac, "no MTU, txqueuelen or MAC when not given");
	ok(!li.has_carrier && !li.carrier && !li.has_carrier_counts && li.operstate == IF_OPER_UNKNOWN && !li.is_tun &&
	   !li.has_queues && !li.addrs && !li.naddrs && !li.routes && !li.nroutes,
	   "no carrier, counts, operstate or TUN/TAP details when not given; no addresses nor routes");
	ifi->ifi_flags = IFF_UP | IFF_LOWER_UP;
	ok(rtnl_parse_link(nlh, &li) && li.ti.up && li.ti.carrier && !li.has_carrier && li.carrier,
	   "IFF_UP and IFF_LOWER_UP: up, carrier; without IFLA_CARRIER the attached carrier is IFF_LOWER_UP's");
	ifi->ifi_flags = 0;
	ok(rtnl_parse_link(nlh, &li) && !li.ti.up && !li.ti.carrier && !li.carrier, "no flags: down, no carrier");
	ok(li.link.has_master && li.link.master.index == 0 && !li.link.master.name[0], "no master: the setting had, none");
	ifi->ifi_flags = IFF_UP;
	mnl_attr_put_u32(nlh, IFLA_MTU, 1400);
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, 33);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, "\x02\x00\x5e\x00\x53\x01");
	mnl_attr_put_u32(nlh, IFLA_MASTER, 9);
	mnl_attr_put_u8(nlh, IFLA_CARRIER, 1);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, IF_OPER_DOWN);
	mnl_attr_put_u32(nlh, IFLA_CARRIER_UP_COUNT, 3);
	mnl_attr_put_u32(nlh, IFLA_CARRIER_DOWN_COUNT, 2);
	ok(rtnl_parse_link(nlh, &li) && li.has_carrier && li.carrier && !li.ti.carrier,
	   "link parse: IFLA_CARRIER, up or down (IFF_LOWER_UP only while up)");
	ok(li.operstate == IF_OPER_DOWN && li.has_carrier_counts && li.carrier_ups == 3 && li.carrier_downs == 2,
	   "link parse: operstate, carrier counts");
	ok(rtnl_parse_link(nlh, &li) && li.ti.up && li.link.has_mtu && li.link.mtu == 1400 && li.link.has_txqlen &&
	   li.link.txqlen == 33 && li.link.has_mac && !memcmp(li.link.mac, "\x02\x00\x5e\x00\x53\x01", 6),
	   "link parse: up, MTU, txqueuelen, MAC");
	ok(li.link.has_master && li.link.master.index == 9 && !li.link.master.name[0],
	   "link parse: the master setting's index (its name is the reader's to find)");
	nlh->nlmsg_type = RTM_DELLINK;
	ok(!rtnl_parse_link(nlh, &li), "wrong type refused");
}

/* A link of kind kind, with the tun driver's IFLA_INFO_DATA (a tap,
 * persistent, owner 1000) when data. */
static struct nlmsghdr *tun_link(char *buf, const char *kind, bool data)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nlattr *li, *d;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 4;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "t4");
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	if (data) {
		d = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
		mnl_attr_put_u8(nlh, IFLA_TUN_TYPE, IFF_TAP);
		mnl_attr_put_u8(nlh, IFLA_TUN_PI, 0);
		mnl_attr_put_u8(nlh, IFLA_TUN_VNET_HDR, 0);
		mnl_attr_put_u8(nlh, IFLA_TUN_PERSIST, 1);
		mnl_attr_put_u8(nlh, IFLA_TUN_MULTI_QUEUE, 0);
		mnl_attr_put_u32(nlh, IFLA_TUN_OWNER, 1000);
		mnl_attr_nest_end(nlh, d);
	}
	mnl_attr_nest_end(nlh, li);
	return nlh;
}

static void test_tun_info(void)
{
	char buf[512] = { 0 };
	struct device li;

	ok(rtnl_parse_link(tun_link(buf, "tun", true), &li) && li.is_tun && !li.tun_no_info && li.ti.flags.mode == MODE_TAP &&
	   li.ti.flags.persist && li.ti.owner_set && li.ti.owner == 1000 && !li.ti.group_set,
	   "kind tun with the driver's data: TUN/TAP, its details");
	memset(buf, 0, sizeof(buf));
	ok(rtnl_parse_link(tun_link(buf, "tun", false), &li) && !li.is_tun && li.tun_no_info &&
	   !strcmp(li.ti.name, "t4"), "kind tun without IFLA_INFO_DATA (before Linux 4.17): said so, not taken as tun");
	memset(buf, 0, sizeof(buf));
	ok(rtnl_parse_link(tun_link(buf, "veth", false), &li) && !li.is_tun && !li.tun_no_info,
	   "another kind without data: neither");
}

static void test_dump_dev(void)
{
	char buf[RTNL_MSG_MAX] = { 0 };
	struct nlmsghdr *nlh = rtnl_dump_dev(buf, RTM_GETADDR, 7);
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct rtmsg *rtm;

	ok(nlh->nlmsg_type == RTM_GETADDR && (nlh->nlmsg_flags & NLM_F_DUMP) && ifa->ifa_index == 7 &&
	   ifa->ifa_family == AF_UNSPEC && nlh->nlmsg_len == NLMSG_LENGTH(sizeof(*ifa)),
	   "an address dump of one device: ifa_index, nothing else");
	memset(buf, 0, sizeof(buf));
	nlh = rtnl_dump_dev(buf, RTM_GETROUTE, 7);
	rtm = mnl_nlmsg_get_payload(nlh);
	attrs(nlh, sizeof(*rtm));
	ok(nlh->nlmsg_type == RTM_GETROUTE && rtm->rtm_family == AF_UNSPEC && tb[RTA_OIF] &&
	   mnl_attr_get_u32(tb[RTA_OIF]) == 7 && !rtm->rtm_table && !rtm->rtm_dst_len,
	   "a route dump of one device: RTA_OIF");
	memset(buf, 0, sizeof(buf));
	nlh = rtnl_dump_dev(buf, RTM_GETROUTE, 0);
	ok(nlh->nlmsg_len == NLMSG_LENGTH(sizeof(*rtm)), "ifindex 0: no filter");
}

static void test_nsid(void)
{
	char buf[RTNL_MSG_MAX] = { 0 };
	struct nlmsghdr *nlh = rtnl_nsid_get(buf, 9);
	int32_t id = 5;

	attrs(nlh, sizeof(struct rtgenmsg));
	ok(nlh->nlmsg_type == RTM_GETNSID && (nlh->nlmsg_flags & NLM_F_ACK) && !(nlh->nlmsg_flags & NLM_F_DUMP) &&
	   tb[NETNSA_FD] && mnl_attr_get_u32(tb[NETNSA_FD]) == 9 && !tb[NETNSA_NSID],
	   "an nsid asked for by the namespace's descriptor, with an ACK");
	memset(buf, 0, sizeof(buf));
	nlh = rtnl_nsid_new(buf, 9);
	attrs(nlh, sizeof(struct rtgenmsg));
	ok(nlh->nlmsg_type == RTM_NEWNSID && tb[NETNSA_FD] && tb[NETNSA_NSID] &&
	   (int32_t)mnl_attr_get_u32(tb[NETNSA_NSID]) == -1, "an nsid assigned: NETNSA_NSID -1, the kernel picks");
	memset(buf, 0, sizeof(buf));
	ok(!rtnl_nsid_get(buf, -1), "no descriptor: NULL");
	memset(buf, 0, sizeof(buf));
	nlh = rtnl_dump_links_nsid(buf, 3);
	attrs(nlh, sizeof(struct ifinfomsg));
	ok(nlh->nlmsg_type == RTM_GETLINK && (nlh->nlmsg_flags & NLM_F_DUMP) && tb[IFLA_TARGET_NETNSID] &&
	   mnl_attr_get_u32(tb[IFLA_TARGET_NETNSID]) == 3, "a link dump of the namespace with id 3");
	/* The kernel's answer: RTM_NEWNSID with the id. */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNSID;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtgenmsg));
	mnl_attr_put_u32(nlh, NETNSA_NSID, 4);
	ok(rtnl_parse_nsid(nlh, &id) && id == 4, "an answer's nsid");
	mnl_attr_put_u32(nlh, NETNSA_NSID, (uint32_t)-1);
	nlh->nlmsg_type = RTM_NEWLINK;
	ok(!rtnl_parse_nsid(nlh, &id) && id == 4, "not an nsid answer: false, nothing read");
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNSID;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtgenmsg));
	mnl_attr_put_u16(nlh, NETNSA_NSID, 4);
	ok(!rtnl_parse_nsid(nlh, &id), "an nsid of the wrong size: false");
}

static void test_msg_ok(void)
{
	char buf[64] = { 0 };
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	size_t len = 40;

	nlh->nlmsg_len = 32;
	ok(rtnl_msg_ok(nlh, 40), "a message within the buffer");
	nlh->nlmsg_len = 41;
	ok(!rtnl_msg_ok(nlh, 40), "one byte longer than the buffer");
	nlh->nlmsg_len = 0xffffffff;
	ok(!rtnl_msg_ok(nlh, 40), "nlmsg_len 0xffffffff (mnl_nlmsg_ok lets it through)");
	nlh->nlmsg_len = 8;
	ok(!rtnl_msg_ok(nlh, 40), "shorter than a header");
	ok(!rtnl_msg_ok(nlh, 12), "buffer shorter than a header");
	nlh->nlmsg_len = 34;
	rtnl_msg_next(nlh, &len);
	ok(len == 4, "next skips the aligned length");
	len = 10;
	nlh->nlmsg_len = 16;
	rtnl_msg_next(nlh, &len);
	ok(len == 0, "next never runs past the end");
}

/* The words joined with spaces, for comparing. */
static const char *joined(const char **w, size_t n)
{
	static char buf[128];

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, w[i]);
	}
	return buf;
}

static void test_flag_words(void)
{
	const char *w[RTNL_FLAG_WORDS];
	size_t n;

	n = rtnl_addr_flag_words(0, AF_INET, w);
	ok(n == 0, "no address flags, no words");
	n = rtnl_addr_flag_words(IFA_F_SECONDARY | IFA_F_PERMANENT, AF_INET, w);
	ok(!strcmp(joined(w, n), "secondary"), "IPv4 secondary; permanent is not shown: %s", joined(w, n));
	n = rtnl_addr_flag_words(IFA_F_TEMPORARY | IFA_F_TENTATIVE | IFA_F_DADFAILED, AF_INET6, w);
	ok(!strcmp(joined(w, n), "temporary tentative dadfailed"), "IPv6 temporary, as ip names it: %s", joined(w, n));
	n = rtnl_addr_flag_words(0xffffffff, AF_INET6, w);
	ok(n <= RTNL_FLAG_WORDS && !strcmp(joined(w, n), "temporary deprecated tentative dadfailed noprefixroute"),
	   "every flag: within the room, one word each: %s", joined(w, n));
	n = rtnl_route_flag_words(RTNH_F_LINKDOWN | RTNH_F_ONLINK, w);
	ok(!strcmp(joined(w, n), "onlink linkdown"), "route flags in ip's order: %s", joined(w, n));
	n = rtnl_route_flag_words(RTM_F_CLONED, w);
	ok(n == 0, "rtm_flags that are not next-hop flags are not shown");
}

/* Attributes go in checked against RTNL_MSG_MAX: one that does not fit
 * writes nothing past the room, which is left zeroed, and gives NULL. */
static void test_no_room(void)
{
	union {
		char b[2 * RTNL_MSG_MAX];
		struct nlmsghdr align;
	} u;
	char name[RTNL_MSG_MAX + 64];
	bool past = true, zero = true;

	memset(u.b, 0, RTNL_MSG_MAX);
	memset(u.b + RTNL_MSG_MAX, 0xa5, RTNL_MSG_MAX);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ok(!rtnl_link_rename(u.b, 1, name), "a name longer than the room: NULL");
	for (size_t i = 0; i < RTNL_MSG_MAX; i++) {
		zero &= u.b[i] == 0;
		past &= (unsigned char)u.b[RTNL_MSG_MAX + i] == 0xa5;
	}
	ok(past, "nothing written past RTNL_MSG_MAX");
	ok(zero, "the room is left zeroed (an empty message)");
	memset(u.b, 0, RTNL_MSG_MAX);
	name[IFNAMSIZ - 1] = '\0';
	ok(rtnl_link_rename(u.b, 1, name) != NULL, "a name that fits: the message");

	name[IFNAMSIZ - 1] = 'x';
	memset(u.b, 0, RTNL_MSG_MAX);
	ok(!rtnl_link_get(u.b, name), "a link get with a name longer than the room: NULL");
	past = zero = true;
	for (size_t i = 0; i < RTNL_MSG_MAX; i++) {
		zero &= u.b[i] == 0;
		past &= (unsigned char)u.b[RTNL_MSG_MAX + i] == 0xa5;
	}
	ok(past && zero, "link get: nothing written past RTNL_MSG_MAX, the room left zeroed");
}

/* The CNI plugin's rename: settings, name and master in one request. */
static void test_link_named(void)
{
	char buf[RTNL_MSG_MAX] = { 0 };
	struct link_spec l = { .has_mtu = true, .mtu = 9000, .has_mac = true, .mac = { 2, 0, 0, 0, 0, 7 } };
	struct nlmsghdr *nlh = rtnl_link_set_named(buf, 5, &l, "eth0", 3);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	attrs(nlh, sizeof(*ifi));
	ok(nlh->nlmsg_type == RTM_SETLINK && ifi->ifi_index == 5 && ifi->ifi_change == 0, "named: setlink of 5, no flags");
	ok(tb[IFLA_IFNAME] && !strcmp(mnl_attr_get_str(tb[IFLA_IFNAME]), "eth0"), "named: IFLA_IFNAME");
	ok(tb[IFLA_MTU] && mnl_attr_get_u32(tb[IFLA_MTU]) == 9000 && tb[IFLA_ADDRESS], "named: IFLA_MTU and IFLA_ADDRESS");
	ok(tb[IFLA_MASTER] && mnl_attr_get_u32(tb[IFLA_MASTER]) == 3, "named: IFLA_MASTER");
	memset(buf, 0, sizeof(buf));
	nlh = rtnl_link_set_named(buf, 5, &(struct link_spec){ 0 }, "eth0", 0);
	attrs(nlh, sizeof(*ifi));
	ok(tb[IFLA_IFNAME] && !tb[IFLA_MASTER] && !tb[IFLA_MTU], "named: without master, no IFLA_MASTER");
}

int main(void)
{
	test_link_named();
	test_flag_words();
	test_msg_ok();
	test_link();
	test_addr();
	test_route();
	test_ack();
	test_link_parse();
	test_tun_info();
	test_dump_dev();
	test_nsid();
	test_no_room();
	return tap_done();
}
