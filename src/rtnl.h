/* rtnl.h - pure rtnetlink message builders and reply parsers (on buffers). */
#ifndef TUNCTL_RTNL_H
#define TUNCTL_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "model.h"
#include "parse.h"

/* Room a builder may use; the buffer must be zeroed.  Each builder returns
 * the message, or NULL when its attributes do not fit: the room is then left
 * zeroed, an empty message that nl_tx_run and nl_dump refuse (-EMSGSIZE). */
#define RTNL_MSG_MAX 512

/* RTM_SETLINK.  netns_fd < 0 and group < 0 leave those alone. */
struct nlmsghdr *rtnl_link_set(void *buf, int ifindex, const struct link_spec *l,
			       int netns_fd, int64_t group);
/* RTM_SETLINK of IFLA_IFNAME: a new name (the link must be down). */
struct nlmsghdr *rtnl_link_rename(void *buf, int ifindex, const char *name);
/* rtnl_link_set's settings l (no namespace, no group), a new name, and
 * with master > 0 the device enslaved to that index (IFLA_MASTER: a
 * bridge's port, a bond's slave): one request, so the name appears with
 * the rest already set. */
struct nlmsghdr *rtnl_link_set_named(void *buf, int ifindex, const struct link_spec *l, const char *name,
				     int master);
/* RTM_DELLINK of one device, by index. */
struct nlmsghdr *rtnl_link_del(void *buf, int ifindex);
/* RTM_GETLINK of one device, by name, acknowledged: its RTM_NEWLINK, then
 * the ACK (an error such as ENODEV instead). */
struct nlmsghdr *rtnl_link_get(void *buf, const char *name);
/* RTM_DELLINK of every device in a group, in one kernel operation. */
struct nlmsghdr *rtnl_group_del(void *buf, uint32_t group);
/* RTM_NEWADDR (create, fail if it exists) or RTM_DELADDR. */
struct nlmsghdr *rtnl_addr(void *buf, bool add, int ifindex, const struct addr_spec *a);
/* RTM_NEWROUTE (create, fail if it exists) or RTM_DELROUTE. */
struct nlmsghdr *rtnl_route(void *buf, bool add, int ifindex, const struct route_spec *r);
/* An added address or route of rtnl_addr or rtnl_route (in buf) as ip's
 * "replace": NLM_F_CREATE | NLM_F_REPLACE, not NLM_F_EXCL. */
void rtnl_make_replace(void *buf);
/* A dump request for RTM_GETLINK, RTM_GETADDR or RTM_GETROUTE. */
struct nlmsghdr *rtnl_dump(void *buf, uint16_t type, uint8_t family);
/* The same of every family, for RTM_GETADDR and RTM_GETROUTE asking the
 * kernel for one device's only (ifindex > 0): it filters so on a socket
 * with NETLINK_GET_STRICT_CHK, and ignores the filter otherwise. */
struct nlmsghdr *rtnl_dump_dev(void *buf, uint16_t type, int ifindex);

/* The id this namespace gives the namespace of descriptor fd
 * (RTM_GETNSID, answered by an RTM_NEWNSID), and one assigned to it when
 * it has none (RTM_NEWNSID with NETNSA_NSID -1: the kernel picks).  Both
 * ask for an ACK, so that nl_dump runs them. */
struct nlmsghdr *rtnl_nsid_get(void *buf, int fd);
struct nlmsghdr *rtnl_nsid_new(void *buf, int fd);
/* A link dump of the namespace with that id (IFLA_TARGET_NETNSID). */
struct nlmsghdr *rtnl_dump_links_nsid(void *buf, int32_t nsid);
/* An RTM_NEWNSID answer's id (negative: none assigned). */
bool rtnl_parse_nsid(const struct nlmsghdr *nlh, int32_t *nsid);

struct addr_info {
	int ifindex;
	uint32_t flags;             /* IFA_F_*: ifa_flags, or IFA_FLAGS when present */
	struct addr_spec a;
};

struct route_info {
	int oif;
	bool has_oif;
	uint8_t type, protocol, scope;
	uint32_t flags;
	struct route_spec r;        /* has_table is always set */
};

/* The address flags (IFA_F_*) and route flags (RTNH_F_*) worth showing, as
 * the words ip(8) prints for them (and uses as JSON keys or values):
 * fills words (room for RTNL_FLAG_WORDS) and returns how many. */
#define RTNL_FLAG_WORDS 8
size_t rtnl_addr_flag_words(uint32_t flags, int family, const char **words);
size_t rtnl_route_flag_words(uint32_t flags, const char **words);

/* Whether a whole message starts at nlh within len bytes. Use this, not
 * mnl_nlmsg_ok, which compares (int)nlmsg_len and so lets a length of
 * 0xffffffff through. */
bool rtnl_msg_ok(const struct nlmsghdr *nlh, size_t len);
/* The next message and the bytes left after it. */
const struct nlmsghdr *rtnl_msg_next(const struct nlmsghdr *nlh, size_t *len);

/* Each returns false when the message is not of its kind or malformed. */
/* An RTM_NEWLINK into the model's link part (model.h): name, index, link
 * settings, group, operstate, carrier, and of a TUN/TAP device (is_tun)
 * its identity and queues; addresses, routes and holders are left empty. */
bool rtnl_parse_link(const struct nlmsghdr *nlh, struct device *out);
bool rtnl_parse_addr(const struct nlmsghdr *nlh, struct addr_info *out);
bool rtnl_parse_route(const struct nlmsghdr *nlh, struct route_info *out);
/* An NLMSG_ERROR: *err is 0 or -errno, msg the extended ACK text or "". */
bool rtnl_parse_ack(const struct nlmsghdr *nlh, int *err, char *msg, size_t msglen);

#endif
