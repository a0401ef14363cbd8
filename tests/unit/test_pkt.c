/* test_pkt.c - the packet decoder and the answers of attach --echo, on byte arrays. */
#include "config.h"

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
	return tap_done();
}
