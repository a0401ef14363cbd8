/* rtnl.c - rtnetlink messages built and parsed with libmnl, on plain buffers. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "link.h"
#include "rtnl.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000     /* <linux/if.h>, which clashes with <net/if.h> */
#endif

static struct nlmsghdr *header(void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* Every attribute goes in checked against the room (RTNL_MSG_MAX); the
 * headers always fit. */
_Static_assert(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct rtmsg)) <= RTNL_MSG_MAX &&
	       NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg)) <= RTNL_MSG_MAX &&
	       NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifaddrmsg)) <= RTNL_MSG_MAX,
	       "a message's headers fit in RTNL_MSG_MAX");

static bool put(struct nlmsghdr *nlh, uint16_t type, size_t len, const void *data)
{
	return mnl_attr_put_check(nlh, RTNL_MSG_MAX, type, len, data);
}

static bool put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	return mnl_attr_put_u32_check(nlh, RTNL_MSG_MAX, type, v);
}

/* A message that does not fit is not sent half-built: the room is left
 * empty (nlmsg_len 0), which nl_tx_run refuses whole. */
static struct nlmsghdr *no_room(struct nlmsghdr *nlh)
{
	memset(nlh, 0, RTNL_MSG_MAX);
	return NULL;
}

/* A link setting's attribute (the state rides in ifi_flags instead). */
static bool put_setting(struct nlmsghdr *nlh, const struct link_setting *s, const struct link_spec *l)
{
	const void *v = link_value(s, l);

	switch (s->kind) {
	case LK_U32: return put_u32(nlh, s->ifla, *(const uint32_t *)v);
	case LK_MAC: return put(nlh, s->ifla, 6, v);
	/* Without the NUL, as ip does: the kernel counts it in the limit. */
	case LK_TEXT: return put(nlh, s->ifla, strlen(v), v);
	case LK_STATE: return true;
	/* The index devconf found for the name; 0: none (nomaster). */
	case LK_DEV: return put_u32(nlh, s->ifla, ((const struct dev_ref *)v)->index);
	}
	return false;
}

struct nlmsghdr *rtnl_link_set(void *buf, int ifindex, const struct link_spec *l,
			       int netns_fd, int64_t group)
{
	struct nlmsghdr *nlh = header(buf, RTM_SETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	bool ok = true;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (l && l->set_updown) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = l->up ? IFF_UP : 0;
	}
	for (size_t i = 0; l && i < LINK_N; i++)
		if (link_has(&link_settings[i], l))
			ok &= put_setting(nlh, &link_settings[i], l);
	if (netns_fd >= 0)
		ok &= put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	if (group >= 0)
		ok &= put_u32(nlh, IFLA_GROUP, (uint32_t)group);
	return ok ? nlh : no_room(nlh);
}

struct nlmsghdr *rtnl_link_rename(void *buf, int ifindex, const char *name)
{
	struct nlmsghdr *nlh = header(buf, RTM_SETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (!mnl_attr_put_strz_check(nlh, RTNL_MSG_MAX, IFLA_IFNAME, name))
		return no_room(nlh);
	return nlh;
}

struct nlmsghdr *rtnl_link_set_named(void *buf, int ifindex, const struct link_spec *l, const char *name,
				     int master)
{
	struct nlmsghdr *nlh = rtnl_link_set(buf, ifindex, l, -1, -1);

	if (nlh && !mnl_attr_put_strz_check(nlh, RTNL_MSG_MAX, IFLA_IFNAME, name))
		return no_room(nlh);
	if (nlh && master > 0 && !put_u32(nlh, IFLA_MASTER, (uint32_t)master))
		return no_room(nlh);
	return nlh;
}

struct nlmsghdr *rtnl_link_del(void *buf, int ifindex)
{
	struct nlmsghdr *nlh = header(buf, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

struct nlmsghdr *rtnl_link_get(void *buf, const char *name)
{
	struct nlmsghdr *nlh = header(buf, RTM_GETLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	if (!mnl_attr_put_strz_check(nlh, RTNL_MSG_MAX, IFLA_IFNAME, name))
		return no_room(nlh);
	return nlh;
}

struct nlmsghdr *rtnl_group_del(void *buf, uint32_t group)
{
	struct nlmsghdr *nlh = header(buf, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	if (!put_u32(nlh, IFLA_GROUP, group))
		return no_room(nlh);
	return nlh;
}

struct nlmsghdr *rtnl_addr(void *buf, bool add, int ifindex, const struct addr_spec *a)
{
	struct nlmsghdr *nlh = header(buf, add ? RTM_NEWADDR : RTM_DELADDR,
				      add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	size_t len = addr_len(a->local.addr.family);

	ifa->ifa_family = (uint8_t)a->local.addr.family;
	ifa->ifa_prefixlen = a->local.len;
	ifa->ifa_index = (uint32_t)ifindex;
	/* On a point-to-point link IFA_ADDRESS is the peer. */
	if (!put(nlh, IFA_LOCAL, len, a->local.addr.a.b) ||
	    !put(nlh, IFA_ADDRESS, len, a->has_peer ? a->peer.a.b : a->local.addr.a.b))
		return no_room(nlh);
	return nlh;
}

void rtnl_make_replace(void *buf)
{
	struct nlmsghdr *nlh = buf;

	nlh->nlmsg_flags = (uint16_t)((nlh->nlmsg_flags & ~NLM_F_EXCL) | NLM_F_CREATE | NLM_F_REPLACE);
}

struct nlmsghdr *rtnl_route(void *buf, bool add, int ifindex, const struct route_spec *r)
{
	struct nlmsghdr *nlh = header(buf, add ? RTM_NEWROUTE : RTM_DELROUTE,
				      add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	size_t len = addr_len(r->dst.addr.family);
	uint32_t table = r->has_table ? r->table : RT_TABLE_MAIN;
	bool ok = true;

	rtm->rtm_family = (uint8_t)r->dst.addr.family;
	rtm->rtm_dst_len = r->dst.len;
	rtm->rtm_table = table <= UINT8_MAX ? (uint8_t)table : RT_TABLE_UNSPEC;
	if (add) {
		rtm->rtm_protocol = RTPROT_BOOT;
		rtm->rtm_type = RTN_UNICAST;
		rtm->rtm_scope = r->has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	} else {
		/* Match a route of any scope, as "ip route del" does. */
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	}
	if (table > UINT8_MAX)
		ok &= put_u32(nlh, RTA_TABLE, table);
	if (r->dst.len)
		ok &= put(nlh, RTA_DST, len, r->dst.addr.a.b);
	if (r->has_gw)
		ok &= put(nlh, RTA_GATEWAY, len, r->gw.a.b);
	if (r->has_metric)
		ok &= put_u32(nlh, RTA_PRIORITY, r->metric);
	ok &= put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return ok ? nlh : no_room(nlh);
}

struct nlmsghdr *rtnl_dump(void *buf, uint16_t type, uint8_t family)
{
	struct nlmsghdr *nlh = header(buf, type, NLM_F_DUMP);

	switch (type) {
	case RTM_GETLINK: {
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

		ifi->ifi_family = family;
		break;
	}
	case RTM_GETADDR: {
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

		ifa->ifa_family = family;
		break;
	}
	default: {
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

		rtm->rtm_family = family;
	}
	}
	return nlh;
}

struct nlmsghdr *rtnl_dump_dev(void *buf, uint16_t type, int ifindex)
{
	struct nlmsghdr *nlh = rtnl_dump(buf, type, AF_UNSPEC);

	if (ifindex > 0 && type == RTM_GETADDR)
		((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_index = (uint32_t)ifindex;
	else if (ifindex > 0 && type == RTM_GETROUTE && !put_u32(nlh, RTA_OIF, (uint32_t)ifindex))
		return no_room(nlh);
	return nlh;
}

static struct nlmsghdr *nsid_req(void *buf, uint16_t type, int fd)
{
	struct nlmsghdr *nlh = header(buf, type, NLM_F_ACK);
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->rtgen_family = AF_UNSPEC;
	if (fd < 0 || !put_u32(nlh, NETNSA_FD, (uint32_t)fd))
		return no_room(nlh);
	return nlh;
}

struct nlmsghdr *rtnl_nsid_get(void *buf, int fd)
{
	return nsid_req(buf, RTM_GETNSID, fd);
}

struct nlmsghdr *rtnl_nsid_new(void *buf, int fd)
{
	struct nlmsghdr *nlh = nsid_req(buf, RTM_NEWNSID, fd);

	if (nlh && !put_u32(nlh, NETNSA_NSID, (uint32_t)-1))
		return no_room(nlh);
	return nlh;
}

struct nlmsghdr *rtnl_dump_links_nsid(void *buf, int32_t nsid)
{
	struct nlmsghdr *nlh = rtnl_dump(buf, RTM_GETLINK, AF_UNSPEC);

	if (nsid < 0 || !put_u32(nlh, IFLA_TARGET_NETNSID, (uint32_t)nsid))
		return no_room(nlh);
	return nlh;
}

bool rtnl_msg_ok(const struct nlmsghdr *nlh, size_t len)
{
	return len >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= len;
}

const struct nlmsghdr *rtnl_msg_next(const struct nlmsghdr *nlh, size_t *len)
{
	size_t step = NLMSG_ALIGN(nlh->nlmsg_len);

	if (step > *len)
		step = *len;
	*len -= step;
	return (const struct nlmsghdr *)((const char *)nlh + step);
}

/* Collects known attributes into tb; unknown ones are skipped. */
struct attrs {
	const struct nlattr **tb;
	unsigned max;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;
	unsigned type = mnl_attr_get_type(attr);

	if (type <= a->max)
		a->tb[type] = attr;
	return MNL_CB_OK;
}

static bool parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb, unsigned max)
{
	struct attrs a = { tb, max };

	if (nlh->nlmsg_len < NLMSG_LENGTH(hdrlen))
		return false;
	memset(tb, 0, (max + 1) * sizeof(*tb));
	return mnl_attr_parse(nlh, (unsigned)hdrlen, attr_cb, &a) >= 0;
}

static bool get_u32(const struct nlattr *at, uint32_t *v)
{
	if (!at || mnl_attr_validate(at, MNL_TYPE_U32) < 0)
		return false;
	*v = mnl_attr_get_u32(at);
	return true;
}

static bool get_u8(const struct nlattr *at, uint8_t *v)
{
	if (!at || mnl_attr_validate(at, MNL_TYPE_U8) < 0)
		return false;
	*v = mnl_attr_get_u8(at);
	return true;
}

static bool parse_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned max)
{
	struct attrs a = { tb, max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	return nest && mnl_attr_validate(nest, MNL_TYPE_NESTED) >= 0 &&
	       mnl_attr_parse_nested(nest, attr_cb, &a) >= 0;
}

/* The tun driver's IFLA_INFO_DATA (tun_fill_info); false when it is not
 * there or not whole. */
static bool parse_tun_info(const struct nlattr *linkinfo, struct device *out)
{
	const struct nlattr *li[IFLA_INFO_MAX + 1], *t[IFLA_TUN_MAX + 1];
	uint8_t type = 0, pi = 0, vnet = 0, persist = 0, mq = 0;

	if (!parse_nested(linkinfo, li, IFLA_INFO_MAX) || !li[IFLA_INFO_KIND] ||
	    mnl_attr_validate(li[IFLA_INFO_KIND], MNL_TYPE_NUL_STRING) < 0 ||
	    strcmp(mnl_attr_get_str(li[IFLA_INFO_KIND]), "tun"))
		return false;
	/* A tun driver older than its IFLA_INFO_DATA (Linux 4.17). */
	out->tun_no_info = !li[IFLA_INFO_DATA];
	if (!parse_nested(li[IFLA_INFO_DATA], t, IFLA_TUN_MAX))
		return false;
	if (!get_u8(t[IFLA_TUN_TYPE], &type) || !get_u8(t[IFLA_TUN_PI], &pi) ||
	    !get_u8(t[IFLA_TUN_VNET_HDR], &vnet) || !get_u8(t[IFLA_TUN_PERSIST], &persist) ||
	    !get_u8(t[IFLA_TUN_MULTI_QUEUE], &mq))
		return false;
	out->ti.flags = (struct tun_flags){ .mode = type == IFF_TAP ? MODE_TAP : MODE_TUN, .pi = pi,
					    .vnet_hdr = vnet, .multi_queue = mq, .persist = persist };
	/* The kernel leaves them out when unset. */
	out->ti.owner_set = get_u32(t[IFLA_TUN_OWNER], &out->ti.owner);
	out->ti.group_set = get_u32(t[IFLA_TUN_GROUP], &out->ti.group);
	out->has_queues = get_u32(t[IFLA_TUN_NUM_QUEUES], &out->num_queues) &&
			  get_u32(t[IFLA_TUN_NUM_DISABLED_QUEUES], &out->num_disabled);
	return true;
}

static bool get_addr(const struct nlattr *at, int family, struct ipaddr *out)
{
	size_t len = addr_len(family);

	if (!at || mnl_attr_get_payload_len(at) != len)
		return false;
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(out->a.b, mnl_attr_get_payload(at), len);
	return true;
}

bool rtnl_parse_link(const struct nlmsghdr *nlh, struct device *out)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK || !parse_attrs(nlh, sizeof(*ifi), tb, IFLA_MAX))
		return false;
	ifi = mnl_nlmsg_get_payload(nlh);
	memset(out, 0, sizeof(*out));
	out->ifindex = ifi->ifi_index;
	if (!tb[IFLA_IFNAME] || mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) < 0)
		return false;
	snprintf(out->ti.name, sizeof(out->ti.name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	get_u32(tb[IFLA_GROUP], &out->link_group);
	out->ti.up = (ifi->ifi_flags & IFF_UP) != 0;
	/* The kernel sets IFF_LOWER_UP only while the device runs and has
	 * carrier: what sysfs's carrier file says. */
	out->ti.carrier = (ifi->ifi_flags & IFF_LOWER_UP) != 0;
	/* Each link setting from its attribute; text ones are always had
	 * (the kernel leaves an empty one out), the state from the flags. */
	for (size_t i = 0; i < LINK_N; i++) {
		const struct link_setting *s = &link_settings[i];
		const struct nlattr *at = s->ifla ? tb[s->ifla] : NULL;

		if (s->kind == LK_STATE) {
			out->link.set_updown = true;
			out->link.up = (ifi->ifi_flags & IFF_UP) != 0;
		} else if (at) {
			link_set_raw(s, &out->link, mnl_attr_get_payload(at), mnl_attr_get_payload_len(at));
		} else if (s->kind == LK_TEXT) {
			link_set_raw(s, &out->link, "", 0);
		} else if (s->kind == LK_DEV) {
			uint32_t none = 0;

			link_set_raw(s, &out->link, &none, sizeof(none));
		}
	}
	/* The kernel says down for a device that is not running; without
	 * the attribute, IF_OPER_UNKNOWN (0). */
	get_u8(tb[IFLA_OPERSTATE], &out->operstate);
	if (tb[IFLA_CARRIER] && mnl_attr_validate(tb[IFLA_CARRIER], MNL_TYPE_U8) == 0) {
		out->carrier = mnl_attr_get_u8(tb[IFLA_CARRIER]) != 0;
		out->has_carrier = true;
	} else {
		out->carrier = out->ti.carrier;
	}
	out->has_carrier_counts = get_u32(tb[IFLA_CARRIER_UP_COUNT], &out->carrier_ups) &&
				  get_u32(tb[IFLA_CARRIER_DOWN_COUNT], &out->carrier_downs);
	out->is_tun = tb[IFLA_LINKINFO] && parse_tun_info(tb[IFLA_LINKINFO], out);
	return true;
}

bool rtnl_parse_addr(const struct nlmsghdr *nlh, struct addr_info *out)
{
	const struct nlattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa;
	struct ipaddr address;
	bool has_local, has_address;

	if (nlh->nlmsg_type != RTM_NEWADDR || !parse_attrs(nlh, sizeof(*ifa), tb, IFA_MAX))
		return false;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return false;
	memset(out, 0, sizeof(*out));
	out->ifindex = (int)ifa->ifa_index;
	if (!get_u32(tb[IFA_FLAGS], &out->flags))
		out->flags = ifa->ifa_flags;
	out->a.local.len = ifa->ifa_prefixlen;
	has_local = get_addr(tb[IFA_LOCAL], ifa->ifa_family, &out->a.local.addr);
	has_address = get_addr(tb[IFA_ADDRESS], ifa->ifa_family, &address);
	if (!has_local && !has_address)
		return false;
	if (!has_local)
		out->a.local.addr = address;
	else if (has_address && memcmp(address.a.b, out->a.local.addr.a.b, 16)) {
		out->a.has_peer = true;
		out->a.peer = address;
	}
	return true;
}

bool rtnl_parse_route(const struct nlmsghdr *nlh, struct route_info *out)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	uint32_t oif = 0;

	if (nlh->nlmsg_type != RTM_NEWROUTE || !parse_attrs(nlh, sizeof(*rtm), tb, RTA_MAX))
		return false;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return false;
	memset(out, 0, sizeof(*out));
	out->type = rtm->rtm_type;
	out->protocol = rtm->rtm_protocol;
	out->scope = rtm->rtm_scope;
	out->flags = rtm->rtm_flags;
	out->r.dst.addr.family = rtm->rtm_family;
	out->r.dst.len = rtm->rtm_dst_len;
	if (tb[RTA_DST] && !get_addr(tb[RTA_DST], rtm->rtm_family, &out->r.dst.addr))
		return false;
	out->r.has_gw = get_addr(tb[RTA_GATEWAY], rtm->rtm_family, &out->r.gw);
	out->r.has_metric = get_u32(tb[RTA_PRIORITY], &out->r.metric);
	if (!get_u32(tb[RTA_TABLE], &out->r.table))
		out->r.table = rtm->rtm_table;
	out->r.has_table = true;
	out->has_oif = get_u32(tb[RTA_OIF], &oif);
	out->oif = (int)oif;
	return true;
}

bool rtnl_parse_ack(const struct nlmsghdr *nlh, int *err, char *msg, size_t msglen)
{
	const struct nlmsgerr *e;
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct attrs a = { tb, NLMSGERR_ATTR_MAX };
	size_t off;

	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return false;
	e = mnl_nlmsg_get_payload(nlh);
	*err = e->error;
	if (msglen)
		msg[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || !msglen)
		return true;
	/* Without NLM_F_CAPPED the request itself is echoed before the TLVs. */
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(struct nlmsghdr))
			return true;
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	if (NLMSG_LENGTH(off) > nlh->nlmsg_len)
		return true;
	memset(tb, 0, sizeof(tb));
	if (mnl_attr_parse(nlh, (unsigned)off, attr_cb, &a) < 0)
		return true;
	if (tb[NLMSGERR_ATTR_MSG] && mnl_attr_validate(tb[NLMSGERR_ATTR_MSG], MNL_TYPE_NUL_STRING) >= 0) {
		const char *s = mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]);
		size_t l = strnlen(s, msglen - 1);

		/* The kernel's sentences end with a period; ours go on after them. */
		while (l && (s[l - 1] == '.' || s[l - 1] == '\n'))
			l--;
		memcpy(msg, s, l);
		msg[l] = '\0';
	}
	return true;
}

struct flag_word {
	uint32_t flag;
	int family;         /* AF_UNSPEC: any */
	const char *word;
};

static const struct flag_word addr_words[] = {
	{ IFA_F_SECONDARY, AF_INET, "secondary" },
	{ IFA_F_TEMPORARY, AF_INET6, "temporary" },
	{ IFA_F_DEPRECATED, AF_UNSPEC, "deprecated" },
	{ IFA_F_TENTATIVE, AF_UNSPEC, "tentative" },
	{ IFA_F_DADFAILED, AF_UNSPEC, "dadfailed" },
	{ IFA_F_NOPREFIXROUTE, AF_UNSPEC, "noprefixroute" },
};

static const struct flag_word route_words[] = {
	{ RTNH_F_DEAD, AF_UNSPEC, "dead" },
	{ RTNH_F_ONLINK, AF_UNSPEC, "onlink" },
	{ RTNH_F_LINKDOWN, AF_UNSPEC, "linkdown" },
};

static size_t flag_words(const struct flag_word *t, size_t nt, uint32_t flags, int family,
			 const char **words)
{
	size_t n = 0;

	for (size_t i = 0; i < nt && n < RTNL_FLAG_WORDS; i++)
		if ((flags & t[i].flag) && (t[i].family == AF_UNSPEC || t[i].family == family))
			words[n++] = t[i].word;
	return n;
}

size_t rtnl_addr_flag_words(uint32_t flags, int family, const char **words)
{
	return flag_words(addr_words, sizeof(addr_words) / sizeof(addr_words[0]), flags, family, words);
}

size_t rtnl_route_flag_words(uint32_t flags, const char **words)
{
	return flag_words(route_words, sizeof(route_words) / sizeof(route_words[0]), flags, AF_UNSPEC, words);
}

bool rtnl_parse_nsid(const struct nlmsghdr *nlh, int32_t *nsid)
{
	const struct nlattr *tb[NETNSA_MAX + 1];
	uint32_t v;

	if (nlh->nlmsg_type != RTM_NEWNSID || !parse_attrs(nlh, sizeof(struct rtgenmsg), tb, NETNSA_MAX) ||
	    !get_u32(tb[NETNSA_NSID], &v))
		return false;
	*nsid = (int32_t)v;
	return true;
}
