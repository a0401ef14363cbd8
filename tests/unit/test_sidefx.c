/* test_sidefx.c - what the kernel drops by itself (sidefx.c): secondaries,
 * the last IPv4 address, a link down, an MTU under 1280; and the order of
 * deletions, secondaries first. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "parse.h"
#include "sidefx.h"
#include "tap.h"

static struct addr_spec A(const char *s)
{
	struct addr_spec a = { 0 };
	char err[128];

	if (!parse_prefix(s, false, false, &a.local, err, sizeof(err)))
		ok(false, "test address %s: %s", s, err);
	return a;
}

static struct route_spec R(const char *s)
{
	struct route_spec r = { 0 };
	char err[128];

	if (!parse_route(s, &r, err, sizeof(err)))
		ok(false, "test route %s: %s", s, err);
	return r;
}

static void test_primary(void)
{
	struct addr_spec v[] = { A("192.0.2.1/24"), A("2001:db8::1/64"), A("192.0.2.5/24"), A("192.0.2.9/25"),
				 A("198.51.100.1/24"), A("192.0.2.130/24") };
	size_t n = sizeof(v) / sizeof(v[0]);

	ok(sidefx_primary_of(v, n, 0) == -1, "the first of a subnet is a primary");
	ok(sidefx_primary_of(v, n, 1) == -1, "IPv6 has no secondaries");
	ok(sidefx_primary_of(v, n, 2) == 0, "same prefix and subnet after it: its secondary");
	ok(sidefx_primary_of(v, n, 3) == -1, "another prefix length: a primary of its own");
	ok(sidefx_primary_of(v, n, 4) == -1, "another subnet: a primary");
	ok(sidefx_primary_of(v, n, 5) == 0, "the upper half of the /24: still its secondary");
	ok(sidefx_primary_of(v, n, n) == -1, "out of range: none");
}

static void test_order(void)
{
	struct addr_spec now[] = { A("192.0.2.1/24"), A("198.51.100.1/24"), A("192.0.2.5/24"), A("198.51.100.7/24") };
	struct addr_spec del[] = { A("192.0.2.1/24"), A("198.51.100.1/24"), A("192.0.2.5/24"), A("198.51.100.7/24") };
	char got[200] = "", b[64];

	sidefx_order_deletions(now, 4, del, 4);
	for (size_t i = 0; i < 4; i++) {
		strcat(got, format_prefix(&del[i].local, b, sizeof(b)));
		strcat(got, " ");
	}
	ok(!strcmp(got, "192.0.2.5/24 198.51.100.7/24 192.0.2.1/24 198.51.100.1/24 "),
	   "secondaries first, each group in its order: %s", got);
}

static void test_dropped(void)
{
	struct link_spec up = { .set_updown = true, .up = true, .has_mtu = true, .mtu = 1500 };
	struct link_spec down = { .set_updown = true, .up = false }, small = { .has_mtu = true, .mtu = 1200 };
	struct link_spec none = { 0 }, alias = { .has_alias = true };
	struct addr_spec now[] = { A("192.0.2.1/24"), A("192.0.2.5/24"), A("2001:db8::1/64"), A("203.0.113.1/24") };
	struct addr_spec del1[] = { A("192.0.2.1/24") }, delall[] = { A("192.0.2.1/24"), A("203.0.113.1/24") };
	struct route_spec r4 = R("198.51.100.0/24 via 192.0.2.2"), r6 = R("2001:db8:7::/48");
	struct sidefx_change ch = { .now = &up, .set = &none, .addrs = now, .naddrs = 4 };

	ok(!sidefx_addr_dropped(&ch, &now[1]) && !sidefx_route_dropped(&ch, &r4) && !sidefx_route_dropped(&ch, &r6),
	   "no change: nothing dropped");
	ch.del_a = del1;
	ch.ndel_a = 1;
	ok(sidefx_addr_dropped(&ch, &now[1]), "a secondary goes with its primary");
	ok(!sidefx_addr_dropped(&ch, &now[3]) && !sidefx_route_dropped(&ch, &r4), "another subnet stays, and the routes");
	ch.promote = true;
	ok(!sidefx_addr_dropped(&ch, &now[1]), "promote_secondaries: the secondary stays");
	ch.promote = false;
	ch.del_a = delall;
	ch.ndel_a = 2;
	ok(sidefx_route_dropped(&ch, &r4), "the last IPv4 address gone (its secondary with it): IPv4 routes flushed");
	ok(!sidefx_route_dropped(&ch, &r6), "... not the IPv6 ones");
	ch.promote = true;
	ok(!sidefx_route_dropped(&ch, &r4), "a promoted secondary stays: the routes too");
	ch.promote = false;
	ch.del_a = NULL;
	ch.ndel_a = 0;
	ch.set = &down;
	ok(sidefx_addr_dropped(&ch, &now[2]) && !sidefx_addr_dropped(&ch, &now[0]), "down: IPv6 addresses go, IPv4 stay");
	ok(sidefx_route_dropped(&ch, &r4) && sidefx_route_dropped(&ch, &r6), "down: every route goes");
	ch.now = &down;
	ok(!sidefx_addr_dropped(&ch, &now[2]), "down already: nothing more goes");
	ch.now = &up;
	ch.set = &small;
	ok(sidefx_addr_dropped(&ch, &now[2]) && sidefx_route_dropped(&ch, &r6), "MTU under 1280: IPv6 goes");
	ok(!sidefx_addr_dropped(&ch, &now[0]) && !sidefx_route_dropped(&ch, &r4), "... IPv4 stays");
	ok(sidefx_link_may_drop(&down) && sidefx_link_may_drop(&small) && !sidefx_link_may_drop(&alias) &&
	   !sidefx_link_may_drop(NULL), "the settings that may drop: the state and the MTU, not the alias");
}

int main(void)
{
	struct addr_spec ll = A("fe80::1/64"), g = A("2001:db8::1/64");

	test_primary();
	test_order();
	test_dropped();
	ok(sidefx_kernel_addr(&ll) && !sidefx_kernel_addr(&g), "fe80::/10 is the kernel's");
	return tap_done();
}
