/* dev.h - the device model: a TUN/TAP device as tunctl knows it, read for
 * every device of the namespace in one pass, and written as an add line. */
#ifndef TUNCTL_DEV_H
#define TUNCTL_DEV_H

#include "model.h"
#include "ctx.h"

struct devset {
	struct device *v;               /* sorted by name */
	size_t n;
	bool holders_read;
	char (*others)[16];             /* the names of every other link, sorted */
	size_t nothers;
};

/* devprint.c: what list and show print alike. */
struct holder;
/* The fields every device has, in list and show alike (JSON only), up and
 * carrier included (devprint.c). */
void print_tun_fields(struct out *o, const struct tun_info *t);
/* list's STATE column and show's "link" word: "up", "up,no-carrier"
 * (up, but no reader attached), "down". */
const char *link_state_name(bool up, bool carrier);
/* The holders h[0..n) as a "processes" array; text: a line each. */
void print_processes(struct out *o, const struct holder *h, size_t n);
/* ip(8)'s word for an IF_OPER_* value ("UP", "DOWN", ...). */
const char *operstate_name(uint8_t s);

/* devread.c: the listings. A device as a listing shows it, packed from
 * the model the link dump was parsed into (dev_brief_of), so
 * a listing of 10,000 devices keeps them all (to sort them and align
 * columns) in less room than the dump's messages would take. */
struct dev_brief {
	char name[16];
	uint32_t owner, group;
	unsigned tap : 1, pi : 1, vnet_hdr : 1, multi_queue : 1, persist : 1;
	unsigned owner_set : 1, group_set : 1;
	unsigned up : 1;                /* administratively (IFF_UP) */
	unsigned carrier : 1;           /* while up: a reader attached (IFF_LOWER_UP) */
	char master[16];                /* its master's name (bridge, bond, VRF); "": none */
	int ifindex;
	uint32_t mtu;
	uint8_t operstate;              /* IF_OPER_* */
	/* The kernel's word that a reader is attached, up or down: IFLA_CARRIER
	 * (the driver's carrier follows its queues), or the queues of a
	 * multi-queue device. */
	unsigned attached : 1;
};

/* The brief of a TUN/TAP device's model, as the link dump gives it. */
void dev_brief_of(const struct device *d, struct dev_brief *b);
/* Every TUN/TAP device, briefly, sorted by name: one link dump, nothing
 * kept of the other links. Returns 0 or 1 after reporting. */
int dev_read_briefs(struct ctx *c, struct dev_brief **out, size_t *n);
/* The brief as the tun_info print_tun_fields takes (up and carrier too). */
void dev_brief_info(const struct dev_brief *b, struct tun_info *ti);

/* The model of every TUN/TAP device as the link dump gives it (no
 * addresses, routes nor holders; name NULL: one dump), sorted by name, or
 * of the one named (one request), which must exist and be TUN/TAP.
 * Returns 0 or 1 after reporting. */
int dev_read_links(struct ctx *c, const char *name, struct device **out, size_t *n);

/* The one TUN/TAP device called name, by one RTM_GETLINK, as
 * dev_read_links gives it: 0, or 1 after reporting that it does not exist
 * or is not TUN/TAP. */
int dev_lookup(struct ctx *c, const char *name, struct device *out);

/* dev_lookup, for attaching with the device's own flags, as
 * find_tun_attach (ctx.h) reads them: IFF_NAPI, IFF_NAPI_FRAGS and
 * IFF_ONE_QUEUE from sysfs's tun_flags too.  0, or 1 after reporting. */
int dev_lookup_attach(struct ctx *c, const char *name, struct device *d);

/* The link settings of the TUN/TAP device name that want has, as they are
 * now (one RTM_GETLINK, dev_lookup): what undo puts back after a failure.
 * 0, or 1 after reporting. */
int dev_link_now(struct ctx *c, const char *name, const struct link_spec *want, struct link_spec *now);

/* Every TUN/TAP device: one dump each of links (the tun driver's link
 * info carries mode, flags, owner and group), addresses and routes; never
 * one read per device. Returns 0 or 1 after reporting. */
int dev_read_all(struct ctx *c, struct devset *s);
/* The processes that hold each device: one pass over /proc, once, for
 * callers that need it. Returns 0 or 1 after reporting. */
int dev_read_holders(struct ctx *c, struct devset *s);
void devset_free(struct devset *s);
struct device *devset_find(const struct devset *s, const char *name);
/* Whether a link that is not TUN/TAP has this name. */
bool devset_other(const struct devset *s, const char *name);


/* The add line that makes d again (save's format, apply's input), without
 * a newline; NULL when out of memory. The caller frees it. */
char *dev_add_line(const struct device *d);

#endif
