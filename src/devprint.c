/* devprint.c - what list and show print alike of a device. */
#include "config.h"

#include <net/if.h>
#include <linux/if.h>

#include "output.h"
#include "procfs.h"
#include "sysfs.h"
#include "dev.h"

const char *link_state_name(bool up, bool carrier)
{
	return !up ? "down" : carrier ? "up" : "up,no-carrier";
}

void print_tun_fields(struct out *o, const struct tun_info *t)
{
	out_str(o, "ifname", NULL, t->name);
	out_str(o, "mode", NULL, mode_name(t->flags.mode));
	out_bool(o, "persist", NULL, t->flags.persist);
	out_bool(o, "pi", NULL, t->flags.pi);
	out_bool(o, "vnet_hdr", NULL, t->flags.vnet_hdr);
	out_bool(o, "multi_queue", NULL, t->flags.multi_queue);
	/* Not "group": ip -j link's "group" is the link's group (ip link
	 * set group), another thing; tun_owner goes with it. */
	out_opt_uint(o, "tun_owner", NULL, t->owner_set, t->owner, NULL);
	out_opt_uint(o, "tun_group", NULL, t->group_set, t->group, NULL);
	out_bool(o, "up", NULL, t->up);
	/* Carrier means something only while the link is up. */
	if (t->up)
		out_bool(o, "carrier", NULL, t->carrier);
}

void print_processes(struct out *o, const struct holder *h, size_t n)
{
	out_arr_open(o, "processes");
	for (size_t i = 0; i < n; i++) {
		out_obj_open(o, NULL);
		out_uint(o, "pid", "    process %llu", (unsigned long long)h[i].pid);
		out_str(o, "name", " %s\n", h[i].comm);
		out_obj_close(o);
	}
	out_arr_close(o);
}

/* ip(8)'s words for IF_OPER_*, as sysfs's operstate says them. */
const char *operstate_name(uint8_t s)
{
	switch (s) {
	case IF_OPER_NOTPRESENT: return "NOTPRESENT";
	case IF_OPER_DOWN: return "DOWN";
	case IF_OPER_LOWERLAYERDOWN: return "LOWERLAYERDOWN";
	case IF_OPER_TESTING: return "TESTING";
	case IF_OPER_DORMANT: return "DORMANT";
	case IF_OPER_UP: return "UP";
	default: return "UNKNOWN";
	}
}
