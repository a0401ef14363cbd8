/* echo.c - the answers of attach --echo: ICMP and ICMPv6 echo replies, and
 * on tap ARP replies and neighbour advertisements. Pure: every read is
 * bounds-checked, every write within the room given. */
#include "config.h"

#include <string.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <net/if.h>               /* before linux/icmp.h, which has linux/if.h */
#include <linux/icmp.h>
#include <linux/if_ether.h>

#include "pkt.h"
#include "wire.h"

uint32_t pkt_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

uint16_t pkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The ICMPv6 sum over the pseudo-header and plen bytes after the fixed
 * header, folded: 0xffff when the checksum in it is right. */
static uint16_t icmp6_sum(const uint8_t *ip6, size_t plen)
{
	uint32_t sum = pkt_csum_add(0, ip6 + 8, 32);    /* source and destination */

	sum += (uint32_t)(plen >> 16) + (uint32_t)(plen & 0xffff);
	sum += IPPROTO_ICMPV6;
	return pkt_csum_fold(pkt_csum_add(sum, ip6 + 40, plen));
}

static void icmp6_csum(uint8_t *ip6, size_t plen)
{
	put16(ip6 + 42, 0);
	put16(ip6 + 42, (uint16_t)~icmp6_sum(ip6, plen));
}

static bool csum_ok(const uint8_t *p, size_t len)
{
	return pkt_csum_fold(pkt_csum_add(0, p, len)) == 0xffff;
}

/* 0.0.0.0/8, multicast 224.0.0.0/4 or the limited broadcast: no address
 * to answer to or from. */
static bool ipv4_special(const uint8_t *a)
{
	return a[0] == 0 || (a[0] & 0xf0) == 0xe0 || !memcmp(a, "\xff\xff\xff\xff", 4);
}

static bool ipv6_unspecified(const uint8_t *a)
{
	static const uint8_t zero[16];

	return !memcmp(a, zero, 16);
}

/* An ICMP echo reply, without the request's IP options. */
static size_t answer_ip4(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t ihl, tot, n;

	if (len < 20 || (in[0] >> 4) != 4)
		return 0;
	ihl = (size_t)(in[0] & 0xf) * 4;
	tot = get16(in + 2);
	if (ihl < 20 || tot < ihl + 8 || tot > len || in[9] != IPPROTO_ICMP ||
	    (get16(in + 6) & 0x3fff) || in[ihl] != ICMP_ECHO || in[ihl + 1] != 0)
		return 0;
	if (ipv4_special(in + 12) || ipv4_special(in + 16))
		return 0;
	if (!csum_ok(in, ihl) || !csum_ok(in + ihl, tot - ihl))
		return 0;
	n = 20 + tot - ihl;
	if (n > cap)
		return 0;
	memcpy(out, in, 20);
	memcpy(out + 20, in + ihl, tot - ihl);
	out[0] = 0x45;
	put16(out + 2, (uint16_t)n);
	memcpy(out + 12, in + 16, 4);
	memcpy(out + 16, in + 12, 4);
	out[8] = 64;
	put16(out + 10, 0);
	put16(out + 10, (uint16_t)~pkt_csum_fold(pkt_csum_add(0, out, 20)));
	out[20] = ICMP_ECHOREPLY;
	put16(out + 22, 0);
	put16(out + 22, (uint16_t)~pkt_csum_fold(pkt_csum_add(0, out + 20, n - 20)));
	return n;
}

/* An ICMPv6 echo reply; requests with extension headers get none. */
static size_t answer_ip6(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t plen, tot;

	if (len < 48 || (in[0] >> 4) != 6)
		return 0;
	plen = get16(in + 4);
	tot = 40 + plen;
	if (plen < 8 || tot > len || tot > cap || in[6] != IPPROTO_ICMPV6 || in[40] != ICMP6_ECHO_REQUEST || in[41] != 0)
		return 0;
	if (ipv6_unspecified(in + 8) || in[8] == 0xff || in[24] == 0xff)
		return 0;
	if (icmp6_sum(in, plen) != 0xffff)
		return 0;
	memcpy(out, in, tot);
	memcpy(out + 8, in + 24, 16);
	memcpy(out + 24, in + 8, 16);
	out[7] = 64;
	out[40] = ICMP6_ECHO_REPLY;
	icmp6_csum(out, plen);
	return tot;
}

static size_t answer_arp(const uint8_t *in, size_t len, const uint8_t mac[6], uint8_t *out, size_t cap)
{
	const uint8_t *a = in + ETH_HLEN;
	uint8_t *r = out + ETH_HLEN;

	if (len < ETH_HLEN + 28 || cap < ETH_HLEN + 28 || get16(a) != ARPHRD_ETHER || get16(a + 2) != ETH_P_IP ||
	    a[4] != ETH_ALEN || a[5] != 4 || get16(a + 6) != ARPOP_REQUEST)
		return 0;
	/* Probes (sender 0.0.0.0) and announcements (sender = target) are
	 * duplicate address checks: answering them would report a conflict.
	 * Nobody owns a multicast or broadcast address either. */
	if (ipv4_special(a + 14) || ipv4_special(a + 24) || !memcmp(a + 14, a + 24, 4))
		return 0;
	memcpy(out, in + 6, 6);
	memcpy(out + 6, mac, 6);
	put16(out + 12, ETH_P_ARP);
	memcpy(r, a, 6);                /* hardware and protocol types and sizes */
	put16(r + 6, ARPOP_REPLY);
	memcpy(r + 8, mac, 6);
	memcpy(r + 14, a + 24, 4);
	memcpy(r + 18, a + 8, 6);
	memcpy(r + 24, a + 14, 4);
	return ETH_HLEN + 28;
}

/* The options after the 24 bytes of a solicitation: each at least 8 bytes
 * long and all within n bytes (RFC 4861 4.6, 7.1.1). */
static bool nd_options_ok(const uint8_t *icmp, size_t n)
{
	size_t off = 24, olen;

	while (off < n) {
		if (n - off < 2 || !icmp[off + 1])
			return false;
		olen = (size_t)icmp[off + 1] * 8;
		if (olen > n - off)
			return false;
		off += olen;
	}
	return true;
}

static size_t answer_ns(const uint8_t *in, size_t len, const uint8_t mac[6], uint8_t *out, size_t cap)
{
	const uint8_t *ip6 = in + ETH_HLEN, *icmp = ip6 + 40;
	uint8_t *r6 = out + ETH_HLEN, *na = r6 + 40;
	size_t plen;

	if (len < ETH_HLEN + 40 + 24 || cap < ETH_HLEN + 40 + 32 || (ip6[0] >> 4) != 6 ||
	    ip6[6] != IPPROTO_ICMPV6 || ip6[7] != 255 || icmp[0] != ND_NEIGHBOR_SOLICIT || icmp[1] != 0)
		return 0;
	plen = get16(ip6 + 4);
	if (plen < 24 || 40 + plen > len - ETH_HLEN)
		return 0;
	/* From :: it is duplicate address detection: stay silent. */
	if (ipv6_unspecified(ip6 + 8) || ip6[8] == 0xff)
		return 0;
	if (icmp[8] == 0xff || ipv6_unspecified(icmp + 8))
		return 0;
	if (icmp6_sum(ip6, plen) != 0xffff || !nd_options_ok(icmp, plen))
		return 0;
	memcpy(out, in + 6, 6);
	memcpy(out + 6, mac, 6);
	put16(out + 12, ETH_P_IPV6);
	memset(r6, 0, 40 + 32);
	r6[0] = 0x60;
	put16(r6 + 4, 32);
	r6[6] = IPPROTO_ICMPV6;
	r6[7] = 255;
	memcpy(r6 + 8, icmp + 8, 16);   /* from the address asked for */
	memcpy(r6 + 24, ip6 + 8, 16);   /* to the one who asked */
	na[0] = ND_NEIGHBOR_ADVERT;
	na[4] = 0x60;                   /* solicited, override */
	memcpy(na + 8, icmp + 8, 16);
	na[24] = 2;                     /* target link-layer address option */
	na[25] = 1;
	memcpy(na + 26, mac, 6);
	icmp6_csum(r6, 32);
	return ETH_HLEN + 40 + 32;
}

size_t pkt_answer(const uint8_t *in, size_t len, bool ether, const uint8_t mac[6],
		  uint8_t *out, size_t cap)
{
	size_t n;

	if (!ether) {
		if (len >= 1 && (in[0] >> 4) == 6)
			return answer_ip6(in, len, out, cap);
		return answer_ip4(in, len, out, cap);
	}
	if (len < ETH_HLEN || cap < ETH_HLEN)
		return 0;
	switch (get16(in + 12)) {
	case ETH_P_ARP:
		return answer_arp(in, len, mac, out, cap);
	case ETH_P_IPV6:
		if ((n = answer_ns(in, len, mac, out, cap)))
			return n;
		n = answer_ip6(in + ETH_HLEN, len - ETH_HLEN, out + ETH_HLEN, cap - ETH_HLEN);
		break;
	case ETH_P_IP:
		n = answer_ip4(in + ETH_HLEN, len - ETH_HLEN, out + ETH_HLEN, cap - ETH_HLEN);
		break;
	default:
		return 0;
	}
	if (!n)
		return 0;
	memcpy(out, in + 6, 6);
	memcpy(out + 6, mac, 6);
	memcpy(out + 12, in + 12, 2);
	return ETH_HLEN + n;
}
