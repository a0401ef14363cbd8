/* test_pkt.c - the packet decoder and the answers of attach --echo, on byte arrays. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"
#include "tap.h"

/* IPv4 ICMP echo request 192.0.2.1 > 192.0.2.2, id 0x1234 seq 1, 4 bytes of data. */
static const uint8_t echo4[] = {
	0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x40, 0x00, 0x40, 0x01, 0x00, 0x00,
	192, 0, 2, 1, 192, 0, 2, 2,
	0x08, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x01, 'p', 'i', 'n', 'g',
};

static const uint8_t mac[6] = { 0x02, 0, 0x5e, 0x10, 0, 1 };
static const uint8_t peer[6] = { 0x02, 0, 0x5e, 0x10, 0, 2 };

static uint16_t csum(const uint8_t *p, size_t n)
{
	return (uint16_t)~pkt_csum_fold(pkt_csum_add(0, p, n));
}

static bool csum_ok(const uint8_t *p, size_t n)
{
	return pkt_csum_fold(pkt_csum_add(0, p, n)) == 0xffff;
}

static void fix4(uint8_t *p, size_t n)
{
	size_t ihl = (size_t)(p[0] & 0xf) * 4;
	uint16_t c;

	p[10] = p[11] = 0;
	c = csum(p, ihl);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
	p[ihl + 2] = p[ihl + 3] = 0;
	c = csum(p + ihl, n - ihl);
	p[ihl + 2] = (uint8_t)(c >> 8);
	p[ihl + 3] = (uint8_t)c;
}

static bool icmp6_ok(const uint8_t *ip6)
{
	size_t plen = (size_t)(ip6[4] << 8 | ip6[5]);
	uint32_t s = pkt_csum_add(0, ip6 + 8, 32);

	s += (uint32_t)plen + 58;
	s = pkt_csum_add(s, ip6 + 40, plen);
	return pkt_csum_fold(s) == 0xffff;
}

static void fix6(uint8_t *ip6)
{
	size_t plen = (size_t)(ip6[4] << 8 | ip6[5]);
	uint32_t s = pkt_csum_add(0, ip6 + 8, 32);
	uint16_t c;

	ip6[42] = ip6[43] = 0;
	s += (uint32_t)plen + 58;
	c = (uint16_t)~pkt_csum_fold(pkt_csum_add(s, ip6 + 40, plen));
	ip6[42] = (uint8_t)(c >> 8);
	ip6[43] = (uint8_t)c;
}

/* A string of bytes and its length, for the tables. */
#define B(s) (const uint8_t *)(s), sizeof(s) - 1

/* An IPv6 packet: the fixed header, then plen bytes of payload. */
static size_t mk6(uint8_t *p, const char *src, const char *dst, uint8_t nh, const uint8_t *pl, size_t plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = nh;
	p[7] = 64;
	inet_pton(AF_INET6, src, p + 8);
	inet_pton(AF_INET6, dst, p + 24);
	memcpy(p + 40, pl, plen);
	return 40 + plen;
}

/* An IPv4 packet with olen bytes of options; tot 0: the right total length. */
static size_t mk4(uint8_t *p, uint16_t frag, uint8_t proto, const uint8_t *opt, size_t olen,
		  const uint8_t *pl, size_t plen, uint16_t tot)
{
	size_t ihl = 20 + olen, n = ihl + plen;

	memset(p, 0, 20);
	p[0] = (uint8_t)(0x40 | ihl / 4);
	if (!tot)
		tot = (uint16_t)n;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[4] = 0x12;
	p[5] = 0x34;
	p[6] = (uint8_t)(frag >> 8);
	p[7] = (uint8_t)frag;
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
	memcpy(p + 20, opt, olen);
	memcpy(p + ihl, pl, plen);
	return n;
}

static void test_ipv4(void)
{
	uint8_t in[sizeof(echo4)], out[256];
	struct pkt k;
	char line[256];
	size_t n;

	memcpy(in, echo4, sizeof(in));
	fix4(in, sizeof(in));
	pkt_decode(in, sizeof(in), false, &k);
	pkt_format(&k, line, sizeof(line));
	ok(k.l3 == L3_IPV4 && k.l4 == L4_ICMP && k.icmp_echo && k.icmp_id == 0x1234 && k.icmp_seq == 1 &&
	   !k.truncated, "decode ICMP echo request");
	ok(!strcmp(line, "IPv4 192.0.2.1 > 192.0.2.2: ICMP echo request id 4660 seq 1"), "format: %s", line);

	n = pkt_answer(in, sizeof(in), false, mac, out, sizeof(out));
	ok(n == sizeof(in), "an echo request is answered");
	ok(!memcmp(out + 12, in + 16, 4) && !memcmp(out + 16, in + 12, 4), "addresses swapped");
	ok(out[20] == 0 && !memcmp(out + 24, in + 24, 8), "echo reply, same id, seq and data");
	ok(csum_ok(out, 20), "IPv4 header checksum");
	ok(csum_ok(out + 20, n - 20), "ICMP checksum");
	pkt_decode(out, n, false, &k);
	ok(k.icmp_type == 0 && k.icmp_seq == 1, "the reply decodes as an echo reply");

	in[20] = 0;
	ok(!pkt_answer(in, sizeof(in), false, mac, out, sizeof(out)), "a reply is not answered");
	ok(!pkt_answer(echo4, 10, false, mac, out, sizeof(out)), "a truncated packet is not answered");
	ok(!pkt_answer(echo4, sizeof(echo4), false, mac, out, 20), "no answer that does not fit");
}

static void test_ipv6(void)
{
	uint8_t in[48 + 4] = { 0x60, 0, 0, 0, 0, 12, 58, 64 }, out[256];
	struct pkt k;
	size_t n;

	in[8] = 0x20; in[9] = 0x01; in[10] = 0x0d; in[11] = 0xb8; in[23] = 1;    /* 2001:db8::1 */
	in[24] = 0x20; in[25] = 0x01; in[26] = 0x0d; in[27] = 0xb8; in[39] = 2;  /* 2001:db8::2 */
	in[40] = 128;
	in[44] = 0; in[45] = 7; in[46] = 0; in[47] = 3;
	fix6(in);
	pkt_decode(in, sizeof(in), false, &k);
	ok(k.l3 == L3_IPV6 && k.l4 == L4_ICMP6 && k.icmp_echo && k.icmp_id == 7 && k.icmp_seq == 3,
	   "decode ICMPv6 echo request");
	n = pkt_answer(in, sizeof(in), false, mac, out, sizeof(out));
	ok(n == sizeof(in) && out[40] == 129 && out[23] == 2 && out[39] == 1, "ICMPv6 echo reply, addresses swapped");
	ok(icmp6_ok(out), "ICMPv6 checksum with the pseudo-header");
}

static void test_tap(void)
{
	uint8_t arp[42] = { 0 }, out[256], frame[14 + sizeof(echo4)];
	struct pkt k;
	char line[256];
	size_t n;

	/* ARP who-has 198.51.100.2 tell 198.51.100.1 */
	memset(arp, 0xff, 6);
	memcpy(arp + 6, peer, 6);
	arp[12] = 0x08; arp[13] = 0x06;
	arp[14] = 0; arp[15] = 1; arp[16] = 0x08; arp[17] = 0; arp[18] = 6; arp[19] = 4; arp[21] = 1;
	memcpy(arp + 22, peer, 6);
	arp[28] = 198; arp[29] = 51; arp[30] = 100; arp[31] = 1;
	arp[38] = 198; arp[39] = 51; arp[40] = 100; arp[41] = 2;
	pkt_decode(arp, sizeof(arp), true, &k);
	pkt_format(&k, line, sizeof(line));
	ok(k.l3 == L3_ARP && k.arp_op == 1, "decode ARP request");
	ok(strstr(line, "ARP who-has 198.51.100.2 tell 198.51.100.1") != NULL, "format: %s", line);
	n = pkt_answer(arp, sizeof(arp), true, mac, out, sizeof(out));
	ok(n == 42 && !memcmp(out, peer, 6) && !memcmp(out + 6, mac, 6), "ARP reply to the asker, from our MAC");
	ok(out[21] == 2 && !memcmp(out + 22, mac, 6) && !memcmp(out + 28, arp + 38, 4) &&
	   !memcmp(out + 32, peer, 6) && !memcmp(out + 38, arp + 28, 4), "ARP reply fields");
	memset(arp + 28, 0, 4);
	ok(!pkt_answer(arp, sizeof(arp), true, mac, out, sizeof(out)), "an ARP probe (sender 0.0.0.0) is not answered");

	memcpy(frame, mac, 6);
	memcpy(frame + 6, peer, 6);
	frame[12] = 0x08; frame[13] = 0x00;
	memcpy(frame + 14, echo4, sizeof(echo4));
	fix4(frame + 14, sizeof(echo4));
	n = pkt_answer(frame, sizeof(frame), true, mac, out, sizeof(out));
	ok(n == sizeof(frame) && !memcmp(out, peer, 6) && !memcmp(out + 6, mac, 6) && out[14 + 20] == 0 &&
	   csum_ok(out + 14 + 20, sizeof(echo4) - 20), "echo over Ethernet");
}

static void test_ns(void)
{
	uint8_t ns[14 + 40 + 32] = { 0 }, out[256];
	struct pkt k;
	size_t n;

	memcpy(ns, "\x33\x33\xff\x00\x00\x02", 6);
	memcpy(ns + 6, peer, 6);
	ns[12] = 0x86; ns[13] = 0xdd;
	ns[14] = 0x60; ns[19] = 32; ns[20] = 58; ns[21] = 255;
	ns[22] = 0x20; ns[23] = 0x01; ns[24] = 0x0d; ns[25] = 0xb8; ns[37] = 1;   /* from 2001:db8::1 */
	ns[38] = 0xff; ns[39] = 0x02; ns[49] = 1; ns[50] = 0xff; ns[53] = 2;      /* ff02::1:ff00:2 */
	ns[54] = 135;
	ns[62] = 0x20; ns[63] = 0x01; ns[64] = 0x0d; ns[65] = 0xb8; ns[77] = 2;   /* target 2001:db8::2 */
	ns[78] = 1; ns[79] = 1;
	memcpy(ns + 80, peer, 6);
	fix6(ns + 14);
	pkt_decode(ns, sizeof(ns), true, &k);
	ok(k.l4 == L4_ICMP6 && k.icmp_type == 135 && k.nd_target.family, "decode neighbour solicitation");
	n = pkt_answer(ns, sizeof(ns), true, mac, out, sizeof(out));
	ok(n == 14 + 40 + 32, "a solicitation is answered");
	ok(out[54] == 136 && out[58] == 0x60 && out[21] == 255, "NA, solicited and override, hop limit 255");
	ok(!memcmp(out + 22, ns + 62, 16) && !memcmp(out + 38, ns + 22, 16), "from the target, to the asker");
	ok(out[78] == 2 && out[79] == 1 && !memcmp(out + 80, mac, 6), "target link-layer address option");
	ok(icmp6_ok(out + 14), "NA checksum");
	memset(ns + 22, 0, 16);
	ok(!pkt_answer(ns, sizeof(ns), true, mac, out, sizeof(out)), "duplicate address detection (from ::) is not answered");
}

#define UDP_1234_53 "\x04\xd2\x00\x35\x00\x08\x00\x00"
#define DSTOPT_PAD(nh) nh "\x00\x01\x04\x00\x00\x00\x00"

static void test_decode_ipv6(void)
{
	static const struct {
		const char *name, *src, *dst;
		uint8_t nh;
		const uint8_t *pl;
		size_t plen;
		const char *line;
		uint8_t proto;
		enum pkt_l4 l4;
		bool truncated;
	} t[] = {
		{ "TCP", "2001:db8::1", "2001:db8::2", 6,
		  B("\x01\xbb\xc3\x50\x00\x00\x03\xe8\x00\x00\x00\x00\x50\x02\xff\xff\x00\x00\x00\x00"),
		  "IPv6 2001:db8::1 > 2001:db8::2: TCP 443 > 50000 [S] seq 1000", 6, L4_TCP, false },
		{ "UDP", "2001:db8::1", "2001:db8::2", 17, B("\x14\xe9\x14\xe9\x00\x08\x00\x00"),
		  "IPv6 2001:db8::1 > 2001:db8::2: UDP 5353 > 5353", 17, L4_UDP, false },
		{ "hop-by-hop + MLDv2 report", "fe80::1", "ff02::16", 0,
		  B("\x3a\x00\x05\x02\x00\x00\x01\x00" "\x8f\x00\x00\x00\x00\x00\x00\x01"
		    "\x04\x00\x00\x00\xff\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xfb"),
		  "IPv6 fe80::1 > ff02::16: ICMPv6 multicast listener report v2", 58, L4_ICMP6, false },
		{ "destination options + TCP", "2001:db8::1", "2001:db8::2", 60,
		  B(DSTOPT_PAD("\x06") "\x01\xbb\xc3\x50\x00\x00\x03\xe8\x00\x00\x00\x00\x50\x12\xff\xff\x00\x00\x00\x00"),
		  "IPv6 2001:db8::1 > 2001:db8::2: TCP 443 > 50000 [SA] seq 1000", 6, L4_TCP, false },
		{ "16-byte destination options + UDP", "2001:db8::1", "2001:db8::2", 60,
		  B("\x11\x01\x01\x0c\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" UDP_1234_53),
		  "IPv6 2001:db8::1 > 2001:db8::2: UDP 1234 > 53", 17, L4_UDP, false },
		{ "routing + first fragment + UDP", "2001:db8::1", "2001:db8::2", 43,
		  B("\x2c\x00\x00\x00\x00\x00\x00\x00" "\x11\x00\x00\x01\x12\x34\x56\x78" UDP_1234_53),
		  "IPv6 2001:db8::1 > 2001:db8::2: UDP 1234 > 53 (frag id 305419896 off 0+)", 17, L4_UDP, false },
		{ "last fragment", "2001:db8::1", "2001:db8::2", 44,
		  B("\x11\x00\x05\xc8\x00\x00\x00\x07" UDP_1234_53),
		  "IPv6 2001:db8::1 > 2001:db8::2: protocol 17 (frag id 7 off 1480)", 17, L4_OTHER, false },
		{ "middle fragment", "2001:db8::1", "2001:db8::2", 44,
		  B("\x3a\x00\x05\xc9\x00\x00\x00\x07" "\x80\x00\x00\x00\x00\x01\x00\x01"),
		  "IPv6 2001:db8::1 > 2001:db8::2: protocol 58 (frag id 7 off 1480+)", 58, L4_OTHER, false },
		{ "hop-by-hop running past the end", "2001:db8::1", "2001:db8::2", 0,
		  B("\x3a\x05\x00\x00\x00\x00\x00\x00"),
		  "IPv6 2001:db8::1 > 2001:db8::2: hop-by-hop options (truncated)", 0, L4_NONE, true },
		{ "destination options shorter than 8", "2001:db8::1", "2001:db8::2", 60, B("\x11\x00\x01\x00"),
		  "IPv6 2001:db8::1 > 2001:db8::2: destination options (truncated)", 60, L4_NONE, true },
		{ "no next header", "2001:db8::1", "2001:db8::2", 59, B(""),
		  "IPv6 2001:db8::1 > 2001:db8::2: protocol 59", 59, L4_OTHER, false },
	};
	uint8_t p[256];
	struct pkt k;
	char line[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = mk6(p, t[i].src, t[i].dst, t[i].nh, t[i].pl, t[i].plen);

		pkt_decode(p, n, false, &k);
		pkt_format(&k, line, sizeof(line));
		ok(!strcmp(line, t[i].line) && k.proto == t[i].proto && k.l4 == t[i].l4 &&
		   k.truncated == t[i].truncated, "IPv6 %s: %s", t[i].name, line);
		/* Every prefix decodes without reading past it (ASan watches). */
		for (size_t m = 0; m < n; m++) {
			uint8_t *copy = malloc(m ? m : 1);

			memcpy(copy, p, m);
			pkt_decode(copy, m, false, &k);
			pkt_format(&k, line, sizeof(line));
			free(copy);
		}
	}
	mk6(p, t[0].src, t[0].dst, t[0].nh, t[0].pl, t[0].plen);
	pkt_decode(p, 40 + t[0].plen, false, &k);
	ok(k.sport == 443 && k.dport == 50000 && k.tcp_seq == 1000 && k.tcp_flags == 0x02, "IPv6 TCP fields");
	mk6(p, t[5].src, t[5].dst, t[5].nh, t[5].pl, t[5].plen);
	pkt_decode(p, 40 + t[5].plen, false, &k);
	ok(k.frag && k.frag_id == 0x12345678 && k.frag_off == 0 && k.frag_more && k.sport == 1234,
	   "IPv6 fragment header fields");
}

/* n destination options headers, then UDP: the walk stops after PKT_MAX_EXT. */
static void test_ext_bound(void)
{
	uint8_t pl[8 * 10 + 8], p[40 + sizeof(pl)];
	struct pkt k;
	char line[256];

	for (size_t n = PKT_MAX_EXT; n <= PKT_MAX_EXT + 1; n++) {
		for (size_t i = 0; i < n; i++)
			memcpy(pl + 8 * i, DSTOPT_PAD("\x3c"), 8);
		pl[8 * (n - 1)] = 17;
		memcpy(pl + 8 * n, UDP_1234_53, 8);
		pkt_decode(p, mk6(p, "2001:db8::1", "2001:db8::2", 60, pl, 8 * n + 8), false, &k);
		pkt_format(&k, line, sizeof(line));
		if (n == PKT_MAX_EXT)
			ok(k.l4 == L4_UDP && k.proto == 17 && k.dport == 53, "%zu extension headers are walked: %s", n, line);
		else
			ok(k.l4 == L4_OTHER && k.proto == 60 && !k.truncated, "the walk stops after %d: %s",
			   PKT_MAX_EXT, line);
	}
}

static void test_decode_ipv4(void)
{
	static const struct {
		const char *name;
		uint16_t frag;
		const uint8_t *opt;
		size_t olen;
		uint16_t tot;
		const char *line;
		bool frag_, malformed;
	} t[] = {
		{ "DF", 0x4000, B(""), 0, "IPv4 192.0.2.1 > 192.0.2.2: UDP 1234 > 53", false, false },
		{ "first fragment", 0x2000, B(""), 0,
		  "IPv4 192.0.2.1 > 192.0.2.2: UDP 1234 > 53 (frag id 4660 off 0+)", true, false },
		{ "middle fragment", 0x2000 | 185, B(""), 0,
		  "IPv4 192.0.2.1 > 192.0.2.2: protocol 17 (frag id 4660 off 1480+)", true, false },
		{ "last fragment", 370, B(""), 0,
		  "IPv4 192.0.2.1 > 192.0.2.2: protocol 17 (frag id 4660 off 2960)", true, false },
		{ "options (ihl 6)", 0, B("\x01\x01\x01\x00"), 0,
		  "IPv4 192.0.2.1 > 192.0.2.2: UDP 1234 > 53", false, false },
		{ "total length below the header length", 0, B(""), 12,
		  "IPv4 192.0.2.1 > 192.0.2.2: UDP 1234 > 53 (malformed)", false, true },
	};
	uint8_t p[128];
	struct pkt k;
	char line[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = mk4(p, t[i].frag, 17, t[i].opt, t[i].olen, B(UDP_1234_53), t[i].tot);

		pkt_decode(p, n, false, &k);
		pkt_format(&k, line, sizeof(line));
		ok(!strcmp(line, t[i].line) && k.frag == t[i].frag_ && k.malformed == t[i].malformed &&
		   !k.truncated, "IPv4 %s: %s", t[i].name, line);
	}
}

static void test_answer_options(void)
{
	uint8_t in[128], out[256], frame[14 + 128];
	struct pkt k;
	size_t n, len;

	/* Record route (7 bytes, room for one address) and end of options. */
	len = mk4(in, 0, 1, B("\x07\x07\x04\x00\x00\x00\x00\x00"), B("\x08\x00\x00\x00\x12\x34\x00\x01ping"), 0);
	fix4(in, len);
	pkt_decode(in, len, false, &k);
	ok(k.l4 == L4_ICMP && k.icmp_echo && k.icmp_seq == 1, "decode an echo request with IP options");
	n = pkt_answer(in, len, false, mac, out, sizeof(out));
	ok(n == 32 && out[0] == 0x45 && out[2] == 0 && out[3] == 32, "the reply has no options: IHL 5, length 32");
	ok(csum_ok(out, 20) && csum_ok(out + 20, 12) && out[20] == 0 && !memcmp(out + 24, in + 32, 8),
	   "reply checksums, id, seq and data");
	pkt_decode(out, n, false, &k);
	ok(k.icmp_type == 0 && k.icmp_seq == 1 && !k.truncated && !k.malformed, "the reply decodes");
	ok(!pkt_answer(in, len, false, mac, out, 31), "no answer that does not fit");
	ok(pkt_answer(in, len, false, mac, out, 32) == 32, "an answer that just fits");

	memcpy(frame, mac, 6);
	memcpy(frame + 6, peer, 6);
	frame[12] = 0x08; frame[13] = 0x00;
	memcpy(frame + 14, in, len);
	n = pkt_answer(frame, 14 + len, true, mac, out, sizeof(out));
	ok(n == 14 + 32 && out[14] == 0x45 && csum_ok(out + 14, 20), "tap: the reply has no options");
}

static void test_answer_addresses(void)
{
	static const struct { const char *src, *dst; bool answered; } t4[] = {
		{ "192.0.2.1", "192.0.2.2", true },
		{ "192.0.2.1", "224.0.0.1", false },
		{ "192.0.2.1", "239.255.255.250", false },
		{ "192.0.2.1", "255.255.255.255", false },
		{ "192.0.2.1", "0.0.0.0", false },
		{ "192.0.2.1", "0.1.2.3", false },
		{ "224.0.0.1", "192.0.2.2", false },
		{ "255.255.255.255", "192.0.2.2", false },
		{ "0.0.0.0", "192.0.2.2", false },
	}, t6[] = {
		{ "2001:db8::1", "2001:db8::2", true },
		{ "fe80::1", "fe80::2", true },
		{ "2001:db8::1", "ff02::1", false },
		{ "2001:db8::1", "ff05::1:3", false },
		{ "::", "2001:db8::2", false },
		{ "ff02::1", "2001:db8::2", false },
	}, tarp[] = {
		{ "198.51.100.1", "198.51.100.2", true },
		{ "198.51.100.1", "224.0.0.1", false },
		{ "198.51.100.1", "239.1.2.3", false },
		{ "198.51.100.1", "255.255.255.255", false },
		{ "198.51.100.1", "0.0.0.0", false },
		{ "255.255.255.255", "198.51.100.2", false },
		{ "224.0.0.5", "198.51.100.2", false },
	};
	uint8_t in[128], out[256];
	size_t n;

	for (size_t i = 0; i < sizeof(t4) / sizeof(t4[0]); i++) {
		memcpy(in, echo4, sizeof(echo4));
		inet_pton(AF_INET, t4[i].src, in + 12);
		inet_pton(AF_INET, t4[i].dst, in + 16);
		fix4(in, sizeof(echo4));
		n = pkt_answer(in, sizeof(echo4), false, mac, out, sizeof(out));
		ok(!!n == t4[i].answered, "ICMP echo %s > %s: %s", t4[i].src, t4[i].dst,
		   t4[i].answered ? "answered" : "no answer");
	}
	for (size_t i = 0; i < sizeof(t6) / sizeof(t6[0]); i++) {
		n = mk6(in, t6[i].src, t6[i].dst, 58, B("\x80\x00\x00\x00\x00\x07\x00\x03ping"));
		fix6(in);
		n = pkt_answer(in, n, false, mac, out, sizeof(out));
		ok(!!n == t6[i].answered, "ICMPv6 echo %s > %s: %s", t6[i].src, t6[i].dst,
		   t6[i].answered ? "answered" : "no answer");
	}
	for (size_t i = 0; i < sizeof(tarp) / sizeof(tarp[0]); i++) {
		memset(in, 0xff, 6);
		memcpy(in + 6, peer, 6);
		memcpy(in + 12, "\x08\x06\x00\x01\x08\x00\x06\x04\x00\x01", 10);
		memcpy(in + 22, peer, 6);
		memset(in + 32, 0, 6);
		inet_pton(AF_INET, tarp[i].src, in + 28);
		inet_pton(AF_INET, tarp[i].dst, in + 38);
		n = pkt_answer(in, 42, true, mac, out, sizeof(out));
		ok(!!n == tarp[i].answered, "ARP who-has %s tell %s: %s", tarp[i].dst, tarp[i].src,
		   tarp[i].answered ? "answered" : "no answer");
	}
	/* An echo request behind a hop-by-hop header gets no answer. */
	n = mk6(in, "2001:db8::1", "2001:db8::2", 0, B(DSTOPT_PAD("\x3a") "\x80\x00\x00\x00\x00\x07\x00\x03"));
	ok(!pkt_answer(in, n, false, mac, out, sizeof(out)), "ICMPv6 echo after extension headers: no answer");
}

/* A byte changed at off (set to val, or xor'ed with it), the checksums
 * recomputed or not: answered or not. */
struct patch {
	const char *name;
	size_t off;
	uint8_t val;
	bool xor, fix, answered;
};

static void apply(uint8_t *p, const struct patch *t)
{
	if (t->off == SIZE_MAX)
		return;
	p[t->off] = t->xor ? p[t->off] ^ t->val : t->val;
}

static void test_checksums(void)
{
	static const struct patch t4[] = {
		{ "unchanged", SIZE_MAX, 0, false, true, true },
		{ "bad header checksum", 10, 1, true, false, false },
		{ "bad ICMP checksum", 22, 1, true, false, false },
		{ "data changed", 28, 1, true, false, false },
		{ "data changed, checksums fixed", 28, 1, true, true, true },
		{ "ICMP code 1", 21, 1, false, true, false },
	}, t6[] = {
		{ "unchanged", SIZE_MAX, 0, false, true, true },
		{ "bad ICMPv6 checksum", 42, 1, true, false, false },
		{ "source changed (pseudo-header)", 23, 2, true, false, false },
		{ "data changed", 48, 1, true, false, false },
		{ "data changed, checksum fixed", 48, 1, true, true, true },
	};
	uint8_t in[128], out[256];
	size_t n;

	for (size_t i = 0; i < sizeof(t4) / sizeof(t4[0]); i++) {
		memcpy(in, echo4, sizeof(echo4));
		fix4(in, sizeof(echo4));
		apply(in, &t4[i]);
		if (t4[i].fix)
			fix4(in, sizeof(echo4));
		n = pkt_answer(in, sizeof(echo4), false, mac, out, sizeof(out));
		ok(!!n == t4[i].answered, "ICMP echo, %s: %s", t4[i].name, t4[i].answered ? "answered" : "no answer");
	}
	for (size_t i = 0; i < sizeof(t6) / sizeof(t6[0]); i++) {
		n = mk6(in, "2001:db8::1", "2001:db8::2", 58, B("\x80\x00\x00\x00\x00\x07\x00\x03ping"));
		fix6(in);
		apply(in, &t6[i]);
		if (t6[i].fix)
			fix6(in);
		n = pkt_answer(in, n, false, mac, out, sizeof(out));
		ok(!!n == t6[i].answered, "ICMPv6 echo, %s: %s", t6[i].name, t6[i].answered ? "answered" : "no answer");
	}
}

/* Which solicitations are answered: the cheap checks of RFC 4861 7.1.1, no
 * multicast source or target. */
static void test_nd_checks(void)
{
	static const struct patch t[] = {
		{ "with a source link-layer address option", SIZE_MAX, 0, false, true, true },
		{ "without options (ICMP length 24)", 19, 24, false, true, true },
		{ "ICMP length 20", 19, 20, false, true, false },
		{ "code 1", 55, 1, false, true, false },
		{ "hop limit 64", 21, 64, false, true, false },
		{ "bad checksum", 56, 1, true, false, false },
		{ "option length 0", 79, 0, false, true, false },
		{ "option running past the end", 79, 2, false, true, false },
		{ "multicast target", 62, 0xff, false, true, false },
		{ "multicast source", 22, 0xff, false, true, false },
	};
	uint8_t ns[14 + 40 + 32], out[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memcpy(ns, peer, 6);
		memcpy(ns + 6, peer, 6);
		ns[12] = 0x86; ns[13] = 0xdd;
		mk6(ns + 14, "2001:db8::1", "ff02::1:ff00:2", 58,
		    B("\x87\x00\x00\x00\x00\x00\x00\x00\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02"
		      "\x01\x01\x02\x00\x5e\x10\x00\x02"));
		ns[21] = 255;
		apply(ns, &t[i]);
		if (t[i].fix)
			fix6(ns + 14);
		ok(!!pkt_answer(ns, sizeof(ns), true, mac, out, sizeof(out)) == t[i].answered,
		   "neighbour solicitation %s: %s", t[i].name, t[i].answered ? "answered" : "no answer");
	}
}

static void test_arp_sha(void)
{
	static const uint8_t sha[6] = { 0x02, 0, 0x5e, 0x10, 0, 9 };
	uint8_t arp[42], out[64];
	struct pkt k;
	char line[256];
	size_t n;

	/* ARP reply 198.51.100.2 is-at sha, in a frame from peer (a proxy). */
	memcpy(arp, mac, 6);
	memcpy(arp + 6, peer, 6);
	memcpy(arp + 12, "\x08\x06\x00\x01\x08\x00\x06\x04\x00\x02", 10);
	memcpy(arp + 22, sha, 6);
	memcpy(arp + 28, "\xc6\x33\x64\x02", 4);
	memcpy(arp + 32, mac, 6);
	memcpy(arp + 38, "\xc6\x33\x64\x01", 4);
	pkt_decode(arp, sizeof(arp), true, &k);
	pkt_format(&k, line, sizeof(line));
	ok(!memcmp(k.arp_sha, sha, 6), "the sender hardware address is decoded");
	ok(strstr(line, "ARP reply 198.51.100.2 is-at 02:00:5e:10:00:09") != NULL, "is-at the sender hardware address: %s",
	   line);

	/* Our own answer says is-at mac. */
	arp[21] = 1;
	memcpy(arp + 38, "\xc6\x33\x64\x05", 4);
	n = pkt_answer(arp, sizeof(arp), true, mac, out, sizeof(out));
	pkt_decode(out, n, true, &k);
	pkt_format(&k, line, sizeof(line));
	ok(n == 42 && strstr(line, "ARP reply 198.51.100.5 is-at 02:00:5e:10:00:01") != NULL, "the answer: %s", line);
}

static void test_tcp_udp_garbage(void)
{
	uint8_t tcp[40] = { 0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
			    0x30, 0x39, 0x00, 0x50, 0, 0, 0, 42, 0, 0, 0, 0, 0x50, 0x12 };
	uint8_t udp[28] = { 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
			    0x04, 0xd2, 0x00, 0x35, 0, 8, 0, 0 };
	struct pkt k;
	char line[256], hex[512];

	pkt_decode(tcp, sizeof(tcp), false, &k);
	pkt_format(&k, line, sizeof(line));
	ok(!strcmp(line, "IPv4 192.0.2.1 > 192.0.2.2: TCP 12345 > 80 [SA] seq 42"), "TCP: %s", line);
	pkt_decode(udp, sizeof(udp), false, &k);
	pkt_format(&k, line, sizeof(line));
	ok(!strcmp(line, "IPv4 192.0.2.1 > 192.0.2.2: UDP 1234 > 53"), "UDP: %s", line);
	pkt_decode(tcp, 30, false, &k);
	ok(k.truncated, "a short TCP header is reported truncated");
	/* Every prefix of every packet decodes and formats without reading past it. */
	for (size_t n = 0; n <= sizeof(echo4); n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, echo4, n);
		pkt_decode(copy, n, false, &k);
		pkt_format(&k, line, sizeof(line));
		pkt_decode(copy, n, true, &k);
		pkt_format(&k, line, sizeof(line));
		free(copy);
	}
	ok(1, "every truncation of a packet decodes safely");
	pkt_decode((const uint8_t *)"\x00\x01", 2, false, &k);
	ok(k.l3 == L3_OTHER, "not IP");
	ok(pkt_hexdump(echo4, 20, hex, sizeof(hex)) > 0 && strstr(hex, "0010") && strstr(hex, "45 00 00 20"), "hexdump");
}

int main(void)
{
	test_ipv4();
	test_ipv6();
	test_tap();
	test_ns();
	test_tcp_udp_garbage();
	test_decode_ipv6();
	test_ext_bound();
	test_decode_ipv4();
	test_answer_options();
	test_answer_addresses();
	test_checksums();
	test_nd_checks();
	test_arp_sha();
	return tap_done();
}
