/* test_parse.c - table-driven tests of the pure value parsers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addrroute.h"
#include "parse.h"
#include "tap.h"

static void test_ifname(void)
{
	static const struct { const char *s; bool tmpl, valid; } cases[] = {
		{ "tun0", false, true }, { "a", false, true }, { "abcdefghijklmno", false, true },
		{ "abcdefghijklmnop", false, false }, { "", false, false }, { ".", false, false },
		{ "..", false, false }, { "a/b", false, false }, { "a:b", false, false },
		{ "a b", false, false }, { "a\tb", false, false }, { "a\nb", false, false },
		/* The kernel's isspace: also \v \f \r and Latin-1's no-break space
		 * 0xA0, but not 0x85 or other high bytes. */
		{ "a\vb", false, false }, { "a\fb", false, false }, { "a\rb", false, false },
		{ "a\xa0" "b", false, false }, { "\xa0", false, false },
		{ "a\x85" "b", false, true }, { "a\xff" "b", false, true }, { "a\x1f" "b", false, true },
		{ "tap%d", true, true }, { "tap%d", false, false }, { "tap%s", true, false },
		{ "%d%d", true, false }, { "tap%", true, false }, { "...", false, true },
	};
	char err[ERRLEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(parse_ifname(cases[i].s, cases[i].tmpl, err, sizeof(err)) == cases[i].valid,
		   "ifname case %zu (template %d) valid=%d", i, cases[i].tmpl, cases[i].valid);
	parse_ifname("abcdefghijklmnop", false, err, sizeof(err));
	ok(strstr(err, "abcdefghijklmnop") != NULL, "error names the value: %s", err);
}

static void test_numbers(void)
{
	uint32_t v;
	uint64_t w;

	ok(parse_u32("0", 0, 10, &v) && v == 0, "u32 0");
	ok(parse_u32("4294967295", 0, UINT32_MAX, &v) && v == UINT32_MAX, "u32 max");
	ok(!parse_u32("4294967296", 0, UINT32_MAX, &v), "u32 overflow");
	ok(!parse_u32("-1", 0, UINT32_MAX, &v), "u32 negative");
	ok(!parse_u32("+1", 0, UINT32_MAX, &v), "u32 plus sign");
	ok(!parse_u32(" 1", 0, UINT32_MAX, &v), "u32 blank");
	ok(!parse_u32("1x", 0, UINT32_MAX, &v), "u32 trailing garbage");
	ok(!parse_u32("", 0, UINT32_MAX, &v), "u32 empty");
	ok(!parse_u32("0x10", 0, UINT32_MAX, &v), "u32 hex refused");
	ok(!parse_u32("5", 6, 10, &v), "u32 below min");
	ok(parse_u64("18446744073709551615", &w) && w == UINT64_MAX, "u64 max");
	ok(!parse_u64("18446744073709551616", &w), "u64 overflow");
}

static void test_prefix(void)
{
	static const struct { const char *s; bool strict, valid; int family; int len; } cases[] = {
		{ "192.0.2.1/24", false, true, AF_INET, 24 },
		{ "192.0.2.1", false, true, AF_INET, 32 },
		{ "192.0.2.1/24", true, false, 0, 0 },
		{ "192.0.2.0/24", true, true, AF_INET, 24 },
		{ "192.0.2.1/33", false, false, 0, 0 },
		{ "192.0.2.1/", false, false, 0, 0 },
		{ "192.0.2.1/-1", false, false, 0, 0 },
		{ "192.0.2/24", false, false, 0, 0 },
		{ "192.0.2.256/24", false, false, 0, 0 },
		{ "2001:db8::1/64", false, true, AF_INET6, 64 },
		{ "2001:db8::1", false, true, AF_INET6, 128 },
		{ "2001:db8::/32", true, true, AF_INET6, 32 },
		{ "2001:db8::1/64", true, false, 0, 0 },
		{ "2001:db8::1/129", false, false, 0, 0 },
		{ "2001:db8:::1/64", false, false, 0, 0 },
		{ "/24", false, false, 0, 0 },
		{ "", false, false, 0, 0 },
		{ "hello", false, false, 0, 0 },
		{ "198.51.100.0/0", true, false, 0, 0 },
		{ "0.0.0.0/0", true, true, AF_INET, 0 },
		{ "198.18.0.0/15", true, true, AF_INET, 15 },
		{ "198.19.0.0/15", true, false, 0, 0 },
	};
	struct prefix p;
	char err[ERRLEN], buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool r = parse_prefix(cases[i].s, cases[i].strict, false, &p, err, sizeof(err));

		ok(r == cases[i].valid && (!r || (p.addr.family == cases[i].family && p.len == cases[i].len)),
		   "prefix \"%s\" strict=%d", cases[i].s, cases[i].strict);
	}
	ok(parse_prefix("default", true, true, &p, err, sizeof(err)) && p.len == 0, "default allowed");
	ok(!parse_prefix("default", true, false, &p, err, sizeof(err)), "default refused for addresses");
	parse_prefix("192.0.2.0/24", true, false, &p, err, sizeof(err));
	ok(!strcmp(format_prefix(&p, buf, sizeof(buf)), "192.0.2.0/24"), "format %s", buf);
	ok(!strcmp(format_route_dst(&p, buf, sizeof(buf)), "192.0.2.0/24"), "route dst %s", buf);
	parse_prefix("192.0.2.2/32", true, false, &p, err, sizeof(err));
	ok(!strcmp(format_route_dst(&p, buf, sizeof(buf)), "192.0.2.2"), "host route dst %s, as ip prints it", buf);
	parse_prefix("2001:db8::7/128", true, false, &p, err, sizeof(err));
	ok(!strcmp(format_route_dst(&p, buf, sizeof(buf)), "2001:db8::7"), "host route dst %s, as ip prints it", buf);
	parse_prefix("2001:db8::/32", true, false, &p, err, sizeof(err));
	ok(!strcmp(format_route_dst(&p, buf, sizeof(buf)), "2001:db8::/32"), "route dst %s", buf);
	parse_prefix("default", true, true, &p, err, sizeof(err));
	ok(!strcmp(format_route_dst(&p, buf, sizeof(buf)), "default"), "route dst %s", buf);
}

static void test_mac(void)
{
	uint8_t m[6];
	char err[ERRLEN], buf[18];

	ok(parse_mac("02:00:00:00:00:01", m, err, sizeof(err)) && m[0] == 2 && m[5] == 1, "mac ok");
	ok(parse_mac("02:AB:cd:00:00:01", m, err, sizeof(err)) && m[1] == 0xab && m[2] == 0xcd, "mac mixed case");
	ok(!parse_mac("01:00:00:00:00:01", m, err, sizeof(err)) && strstr(err, "multicast"), "multicast refused");
	ok(!parse_mac("00:00:00:00:00:00", m, err, sizeof(err)), "zero refused");
	ok(!parse_mac("02:00:00:00:00", m, err, sizeof(err)), "short refused");
	ok(!parse_mac("02:00:00:00:00:01:02", m, err, sizeof(err)), "long refused");
	ok(!parse_mac("02-00-00-00-00-01", m, err, sizeof(err)), "dashes refused");
	ok(!parse_mac("0g:00:00:00:00:01", m, err, sizeof(err)), "non-hex refused");
	ok(!parse_mac("", m, err, sizeof(err)), "empty refused");
	parse_mac("02:00:00:00:00:01", m, err, sizeof(err));
	format_mac(m, buf);
	ok(!strcmp(buf, "02:00:00:00:00:01"), "format mac");
}

static void test_route(void)
{
	struct route_spec r;
	char err[ERRLEN], buf[256];

	ok(parse_route("198.51.100.0/24", &r, err, sizeof(err)) && !r.has_gw && !r.has_metric, "plain route");
	ok(parse_route("203.0.113.0/24 via 192.0.2.2 metric 50", &r, err, sizeof(err)) &&
	   r.has_gw && r.has_metric && r.metric == 50, "route via metric");
	ok(parse_route("203.0.113.0/24 table 100", &r, err, sizeof(err)) && r.has_table && r.table == 100, "table");
	ok(parse_route("203.0.113.0/24 table main", &r, err, sizeof(err)) && r.table == 254, "table main");
	ok(parse_route("2001:db8:1::/48 via 2001:db8::2", &r, err, sizeof(err)) && r.dst.addr.family == AF_INET6, "v6 route");
	ok(parse_route("default via 192.0.2.1", &r, err, sizeof(err)) && r.dst.len == 0, "default v4");
	ok(parse_route("default via 2001:db8::1", &r, err, sizeof(err)) && r.dst.addr.family == AF_INET6, "default v6");
	ok(!parse_route("203.0.113.0/24 via 2001:db8::1", &r, err, sizeof(err)) && strstr(err, "2001:db8::1"), "family mismatch: %s", err);
	ok(!parse_route("203.0.113.0/24 via", &r, err, sizeof(err)), "via without value");
	ok(!parse_route("203.0.113.0/24 via nothing", &r, err, sizeof(err)), "bad gateway");
	ok(!parse_route("203.0.113.0/24 metric -1", &r, err, sizeof(err)), "bad metric");
	ok(!parse_route("203.0.113.0/24 metric 1 metric 2", &r, err, sizeof(err)), "metric twice");
	ok(!parse_route("203.0.113.0/24 dev tun0", &r, err, sizeof(err)) && strstr(err, "dev"), "unknown keyword");
	ok(!parse_route("203.0.113.1/24", &r, err, sizeof(err)), "host bits");
	ok(!parse_route("", &r, err, sizeof(err)), "empty");
	ok(!parse_route("203.0.113.0/24 table 0", &r, err, sizeof(err)), "table 0");
	ok(!parse_route("203.0.113.0/24 table local", &r, err, sizeof(err)) && strstr(err, "kernel's own"), "table local: refused");
	ok(!parse_route("203.0.113.0/24 table 255", &r, err, sizeof(err)), "table 255: refused");
	parse_route("203.0.113.0/24 via 192.0.2.2 metric 50", &r, err, sizeof(err));
	format_route(&r, buf, sizeof(buf));
	ok(!strcmp(buf, "203.0.113.0/24 via 192.0.2.2 metric 50"), "format route: %s", buf);
}

static void test_words(void)
{
	static const struct { const char *line; int argc; const char *w[4]; bool valid; } cases[] = {
		{ "add tun0", 2, { "add", "tun0" }, true },
		{ "  add\ttun0  \n", 2, { "add", "tun0" }, true },
		{ "", 0, { NULL }, true },
		{ "# comment", 0, { NULL }, true },
		{ "add tun0 # comment", 2, { "add", "tun0" }, true },
		{ "add 'a b' \"c d\"", 3, { "add", "a b", "c d" }, true },
		{ "a\\ b", 1, { "a b" }, true },
		{ "x\"y z\"w", 1, { "xy zw" }, true },
		{ "'it''s'", 1, { "its" }, true },
		{ "\"a\\\"b\"", 1, { "a\"b" }, true },
		{ "a#b", 1, { "a#b" }, true },
		{ "''", 1, { "" }, true },
		{ "'open", 0, { NULL }, false },
		{ "\"open", 0, { NULL }, false },
		{ "trailing\\", 0, { NULL }, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[ERRLEN], **v = NULL;
		int n = -1;
		bool r = split_words(cases[i].line, &n, &v, err, sizeof(err)), same = r == cases[i].valid;

		if (r && same) {
			same = n == cases[i].argc && v[n] == NULL;
			for (int k = 0; same && k < n; k++)
				same = !strcmp(v[k], cases[i].w[k]);
		}
		ok(same, "split \"%s\"", cases[i].line);
		if (r)
			free(v);
	}
}

static void test_kernel_text(void)
{
	uint32_t v;
	char name[16];

	ok(parse_sysfs_hex("0x1801\n", &v) && v == 0x1801, "tun_flags");
	ok(!parse_sysfs_hex("1801\n", &v), "tun_flags without 0x");
	ok(!parse_sysfs_hex("0x\n", &v), "tun_flags empty");
	ok(!parse_sysfs_hex("0x123456789\n", &v), "tun_flags too long");
	ok(parse_fdinfo_iff("pos:\t0\nflags:\t02\nmnt_id:\t25\niff:\ttun0\n", name) && !strcmp(name, "tun0"), "fdinfo iff");
	ok(!parse_fdinfo_iff("pos:\t0\nflags:\t02\n", name), "fdinfo without iff");
	ok(!parse_fdinfo_iff("iff:\t0123456789abcdefgh\n", name), "fdinfo name too long");
	ok(!parse_fdinfo_iff("", name), "fdinfo empty");
}

static void test_id(void)
{
	struct id_spec id;

	ok(parse_id("1000", &id) && id.numeric && id.id == 1000, "numeric id");
	ok(parse_id("alice", &id) && !id.numeric, "named id");
	ok(!parse_id("", &id), "empty id");
	ok(!parse_id("4294967295", &id), "(uid_t)-1 refused");
	ok(!parse_id("12abc", &id), "digits then letters refused");
	ok(!parse_id("a:b", &id), "colon refused");
}

static void test_netns(void)
{
	char err[ERRLEN];

	ok(parse_netns_name("blue", err, sizeof(err)), "netns name");
	ok(parse_netns_name("a-very-long-namespace-name-beyond-ifnamsiz", err, sizeof(err)), "long netns name");
	ok(!parse_netns_name("", err, sizeof(err)), "empty netns name");
	ok(!parse_netns_name("../etc", err, sizeof(err)) && strstr(err, "../etc"), "netns path refused");
	ok(!parse_netns_name("..", err, sizeof(err)), "netns ..");
}

static void test_nearest(void)
{
	static const struct { const char *a, *b; unsigned d; } dist[] = {
		{ "", "", 0 }, { "mode", "mode", 0 }, { "mdoe", "mode", 1 }, { "lsit", "list", 1 },
		{ "multiqueue", "multi-queue", 1 }, { "mod", "mode", 1 }, { "modes", "mode", 1 },
		{ "mxde", "mode", 1 }, { "", "abc", 3 }, { "abc", "", 3 }, { "ca", "abc", 3 },
		{ "kitten", "sitting", 3 }, { "txqlen", "txqueuelen", 4 },
	};
	static const char *const cmds[] = { "add", "del", "delete", "list", "ls", "show", "set" };
	char long_word[EDIT_MAX + 2];

	for (size_t i = 0; i < sizeof(dist) / sizeof(dist[0]); i++)
		ok(edit_distance(dist[i].a, dist[i].b) == dist[i].d && edit_distance(dist[i].b, dist[i].a) == dist[i].d,
		   "distance \"%s\" \"%s\" = %u (%u)", dist[i].a, dist[i].b, dist[i].d, edit_distance(dist[i].a, dist[i].b));
	memset(long_word, 'a', sizeof(long_word) - 1);
	long_word[sizeof(long_word) - 1] = '\0';
	ok(edit_distance(long_word, "a") == UINT32_MAX, "longer than EDIT_MAX: no distance");
	ok(!strcmp(nearest_word("lsit", cmds, 7), "list"), "lsit -> list");
	ok(!strcmp(nearest_word("delte", cmds, 7), "delete"), "delte -> delete (the nearest, not the first)");
	ok(!strcmp(nearest_word("sho", cmds, 7), "show"), "sho -> show");
	ok(!strcmp(nearest_word("adr", cmds, 7), "add"), "adr -> add (ties: the first)");
	ok(!nearest_word("frob", cmds, 7), "frob: nothing near");
	ok(nearest_word("lsitt", cmds, 7) && !strcmp(nearest_word("lsitt", cmds, 7), "list"), "lsitt: within 2 of list");
	ok(!nearest_word("xx", cmds, 7), "xx: 2 from ls, too far for 2 letters");
	ok(!nearest_word("", cmds, 7), "empty: nothing");
}

/* One rule for "the same address" and "the same route", and one text form. */
static void test_same(void)
{
	struct addr_spec a = { 0 }, b = { 0 };
	struct route_spec r = { 0 }, k = { 0 };
	char buf[ROUTE_TEXT_LEN], err[ERRLEN];

	parse_prefix("192.0.2.1/24", false, false, &a.local, err, sizeof(err));
	b = a;
	ok(addr_same(&a, &b), "same address");
	b.local.len = 25;
	ok(!addr_same(&a, &b), "another prefix length: another address");
	b = a;
	b.has_peer = true;
	parse_ipaddr("192.0.2.2", AF_INET, &b.peer);
	ok(!addr_same(&a, &b), "with a peer: another address");
	ok(!strcmp(addr_text(&b, buf, sizeof(buf)), "192.0.2.1/24 peer 192.0.2.2"), "address text: %s", buf);

	parse_route("2001:db8::/64 via 2001:db8::1", &r, err, sizeof(err));
	k = r;
	k.has_metric = true;
	k.metric = 1024;
	k.has_table = true;
	k.table = 254;
	ok(route_same(&r, &k), "IPv6: metric 1024 and table main are the defaults");
	ok(route_names(&k, &r, true), "the kernel's route is the one named, exactly");
	ok(!strcmp(route_text(&k, buf, sizeof(buf)), "2001:db8::/64 via 2001:db8::1"), "defaults left out: %s", buf);
	k.metric = 5;
	ok(!route_same(&r, &k) && !route_names(&k, &r, true), "another metric: another route");
	r.has_gw = false;
	r.has_metric = false;
	ok(route_names(&k, &r, false) && !route_names(&k, &r, true),
	   "without gateway or metric, a deletion names any; exactly, not");
	parse_route("198.51.100.0/24 metric 0 table 254", &r, err, sizeof(err));
	k = r;
	k.has_metric = false;       /* the kernel leaves out an IPv4 metric of 0 */
	ok(route_names(&k, &r, true) && route_same(&k, &r), "IPv4: metric 0 is the default");
	ok(!strcmp(route_text(&r, buf, sizeof(buf)), "198.51.100.0/24"), "IPv4 text: %s", buf);
}

int main(void)
{
	test_same();
	test_nearest();
	test_netns();
	test_ifname();
	test_numbers();
	test_prefix();
	test_mac();
	test_route();
	test_words();
	test_kernel_text();
	test_id();
	return tap_done();
}
