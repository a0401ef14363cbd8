/* model.h - the device model's types: a TUN/TAP device as tunctl knows it.
 *
 * One shape in the middle of the program: what the link dump is parsed
 * into (rtnl_parse_link, pure), what the kernel readers fill (dev.c,
 * devread.c, events.c), what the printers print and what apply compares.
 * Types only, no context: pure code may include it. */
#ifndef TUNCTL_MODEL_H
#define TUNCTL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "parse.h"

/* A TUN/TAP device's flags, as TUNSETIFF and sysfs's tun_flags say them. */
struct tun_flags {
	enum tun_mode mode;
	bool pi, vnet_hdr, multi_queue, persist;
	/* IFF_NAPI and IFF_NAPI_FRAGS: not set by tunctl, but carried over
	 * when attaching, since TUNSETIFF resets the device's features to
	 * what it is asked for. */
	bool napi, napi_frags;
	/* IFF_ONE_QUEUE: a no-op since Linux 3.8, but "ip tuntap add ...
	 * one_queue" sets it and TUNSETIFF would clear it: kept likewise. */
	bool one_queue;
};

/* A device's TUN/TAP identity. */
struct tun_info {
	char name[16];
	struct tun_flags flags;
	bool owner_set, group_set;
	uint32_t owner, group;
	/* Administratively up (IFF_UP), and, when up, whether it has
	 * carrier (IFF_LOWER_UP: a reader attached), as the link dump says. */
	bool up, carrier;
};

/* Facts of a device read only when needed: apply's diff asks for them. */
struct dev_facts {
	bool read;                      /* what the diff needs of it is read */
	bool held;                      /* a process holds it (/proc, or as the kernel says) */
	bool promote;                   /* its promote_secondaries */
};

struct device {
	struct tun_info ti;             /* first (see cmp_ifname): name, mode and flags, owner, group */
	int ifindex;
	/* The link settings as the dump gives them: those it carries, the
	 * state always; the MAC of a tap only (a reader's choice). */
	struct link_spec link;
	/* What tunctl manages: the kernel's own (IPv6 link-local addresses,
	 * routes of protocol kernel) are left out. The link dump leaves
	 * them empty; dev_read_all and events fill them. */
	struct addr_spec *addrs;
	size_t naddrs;
	struct route_spec *routes;      /* has_table and has_metric always set */
	size_t nroutes;
	/* Multi-queue: the queues attached, and those detached for now
	 * (TUNSETQUEUE), which hold it too, as the link dump says (has_queues). */
	bool has_queues;
	uint32_t num_queues, num_disabled;
	uint32_t link_group;            /* its link group (ip link set group) */
	size_t nholders;                /* processes that have it open (dev_read_holders) */
	pid_t holder_pid;               /* the first of them */
	char holder_comm[16];

	/* The rest of what the link dump says. */
	uint8_t operstate;              /* IF_OPER_*; IF_OPER_UNKNOWN (0) when not given */
	/* A reader is attached, up or down: IFLA_CARRIER (has_carrier), else
	 * IFF_LOWER_UP as ti.carrier. */
	bool has_carrier, carrier;
	/* IFLA_CARRIER_UP_COUNT and _DOWN_COUNT (Linux 4.16): the kernel
	 * tells of carrier changes late (linkwatch), so a reader that came
	 * and went before it did shows only in these. */
	bool has_carrier_counts;
	uint32_t carrier_ups, carrier_downs;
	/* A dump has every link: is_tun says it is TUN/TAP (IFLA_LINKINFO of
	 * kind "tun" with its IFLA_INFO_DATA, which fills ti and the queues);
	 * tun_no_info, kind "tun" without that data: a kernel before 4.17,
	 * whose dump cannot tell a TUN/TAP device's details. */
	bool is_tun, tun_no_info;

	/* What apply's reader learnt of it when the diff asked (apply_read.c). */
	struct dev_facts facts;
};

#endif
