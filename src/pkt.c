/* pkt.c - decode IPv4, IPv6, ARP, ICMP(v6), TCP and UDP headers, and build
 * the answers of attach --echo. Pure: every read is bounds-checked. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <net/if.h>               /* before linux/icmp.h, which has linux/if.h */
#include <linux/icmp.h>
#include <linux/if_ether.h>

#include "pkt.h"

#define ETH_HLEN_ ETH_HLEN
#define ETH_IP ETH_P_IP
#define ETH_ARP ETH_P_ARP
#define ETH_IPV6 ETH_P_IPV6
#define IP_ICMP IPPROTO_ICMP
#define IP_TCP IPPROTO_TCP
#define IP_UDP IPPROTO_UDP
#define IP_ICMPV6 IPPROTO_ICMPV6
#define IP6_HOPOPTS IPPROTO_HOPOPTS
#define IP6_ROUTING IPPROTO_ROUTING
#define IP6_FRAGMENT IPPROTO_FRAGMENT
#define IP6_DSTOPTS IPPROTO_DSTOPTS
#define ICMP6_ECHO ICMP6_ECHO_REQUEST
#define ICMP6_ECHOREPLY ICMP6_ECHO_REPLY
#define ND_NS ND_NEIGHBOR_SOLICIT
#define ND_NA ND_NEIGHBOR_ADVERT

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void set_addr(struct ipaddr *a, int family, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->a.b, p, family == AF_INET ? 4 : 16);
}

static void decode_l4(const uint8_t *p, size_t len, uint8_t proto, struct pkt *k)
{
	switch (proto) {
	case IP_ICMP:
	case IP_ICMPV6:
		k->l4 = proto == IP_ICMP ? L4_ICMP : L4_ICMP6;
		if (len < 4) {
			k->truncated = true;
			return;
		}
		k->icmp_type = p[0];
		k->icmp_code = p[1];
		if ((proto == IP_ICMP && (p[0] == ICMP_ECHO || p[0] == ICMP_ECHOREPLY)) ||
		    (proto == IP_ICMPV6 && (p[0] == ICMP6_ECHO || p[0] == ICMP6_ECHOREPLY))) {
			if (len < 8) {
				k->truncated = true;
				return;
			}
			k->icmp_echo = true;
			k->icmp_id = get16(p + 4);
			k->icmp_seq = get16(p + 6);
		} else if (proto == IP_ICMPV6 && (p[0] == ND_NS || p[0] == ND_NA)) {
			if (len < 24) {
				k->truncated = true;
				return;
			}
			set_addr(&k->nd_target, AF_INET6, p + 8);
		}
		return;
	case IP_TCP:
		k->l4 = L4_TCP;
		if (len < 20) {
			k->truncated = true;
			return;
		}
		k->sport = get16(p);
		k->dport = get16(p + 2);
		k->tcp_seq = get32(p + 4);
		k->tcp_flags = p[13];
		return;
	case IP_UDP:
		k->l4 = L4_UDP;
		if (len < 8) {
			k->truncated = true;
			return;
		}
		k->sport = get16(p);
		k->dport = get16(p + 2);
		return;
	default:
		k->l4 = L4_OTHER;
	}
}

static void decode_ipv4(const uint8_t *p, size_t len, struct pkt *k)
{
	size_t ihl, tot;
	uint16_t frag;

	k->l3 = L3_IPV4;
	if (len < 20 || (p[0] >> 4) != 4 || (ihl = (size_t)(p[0] & 0xf) * 4) < 20 || ihl > len) {
		k->truncated = true;
		return;
	}
	tot = get16(p + 2);
	if (tot < ihl) {
		k->malformed = true;
		tot = len;
	} else if (tot > len) {
		k->truncated = true;
		tot = len;
	}
	k->ttl = p[8];
	k->proto = p[9];
	set_addr(&k->src, AF_INET, p + 12);
	set_addr(&k->dst, AF_INET, p + 16);
	frag = get16(p + 6);
	if (frag & (IP_MF | IP_OFFMASK)) {
		k->frag = true;
		k->frag_id = get16(p + 4);
		k->frag_off = (uint16_t)((frag & IP_OFFMASK) * 8);
		k->frag_more = frag & IP_MF;
	}
	/* Only the first fragment carries the transport header. */
	if (k->frag_off)
		k->l4 = L4_OTHER;
	else
		decode_l4(p + ihl, tot - ihl, p[9], k);
}

static bool ipv6_ext(uint8_t nh)
{
	return nh == IP6_HOPOPTS || nh == IP6_ROUTING || nh == IP6_FRAGMENT || nh == IP6_DSTOPTS;
}

static void decode_ipv6(const uint8_t *p, size_t len, struct pkt *k)
{
	size_t plen, off, hlen;
	uint8_t nh;

	k->l3 = L3_IPV6;
	if (len < 40 || (p[0] >> 4) != 6) {
		k->truncated = true;
		return;
	}
	plen = get16(p + 4);
	if (plen > len - 40) {
		k->truncated = true;
		plen = len - 40;
	}
	k->ttl = p[7];
	set_addr(&k->src, AF_INET6, p + 8);
	set_addr(&k->dst, AF_INET6, p + 24);
	/* Walk the extension headers, a bounded number of them, within plen. */
	p += 40;
	nh = k->proto = p[-34];
	off = 0;
	for (int i = 0; ipv6_ext(nh); i++) {
		if (i == PKT_MAX_EXT) {
			k->l4 = L4_OTHER;
			return;
		}
		if (plen - off < 8) {
			k->truncated = true;
			return;
		}
		hlen = nh == IP6_FRAGMENT ? 8 : ((size_t)p[off + 1] + 1) * 8;
		if (hlen > plen - off) {
			k->truncated = true;
			return;
		}
		if (nh == IP6_FRAGMENT) {
			k->frag = true;
			k->frag_off = get16(p + off + 2) & 0xfff8;
			k->frag_more = p[off + 3] & 1;
			k->frag_id = get32(p + off + 4);
		}
		k->proto = nh = p[off];
		off += hlen;
		if (k->frag_off) {
			k->l4 = L4_OTHER;
			return;
		}
	}
	decode_l4(p + off, plen - off, nh, k);
}

static void decode_arp(const uint8_t *p, size_t len, struct pkt *k)
{
	k->l3 = L3_ARP;
	if (len < 28 || get16(p) != 1 || get16(p + 2) != ETH_IP || p[4] != 6 || p[5] != 4) {
		k->truncated = len < 28;
		return;
	}
	k->arp_op = get16(p + 6);
	memcpy(k->arp_sha, p + 8, 6);
	set_addr(&k->src, AF_INET, p + 14);
	set_addr(&k->dst, AF_INET, p + 24);
}

void pkt_decode(const uint8_t *p, size_t len, bool ether, struct pkt *k)
{
	memset(k, 0, sizeof(*k));
	k->ether = ether;
	if (ether) {
		if (len < ETH_HLEN_) {
			k->truncated = true;
			return;
		}
		memcpy(k->dst_mac, p, 6);
		memcpy(k->src_mac, p + 6, 6);
		k->ethertype = get16(p + 12);
		p += ETH_HLEN_;
		len -= ETH_HLEN_;
		switch (k->ethertype) {
		case ETH_IP: decode_ipv4(p, len, k); break;
		case ETH_IPV6: decode_ipv6(p, len, k); break;
		case ETH_ARP: decode_arp(p, len, k); break;
		default: k->l3 = L3_OTHER;
		}
		return;
	}
	if (len < 1) {
		k->truncated = true;
		return;
	}
	/* A tun device without pi: the version nibble tells. */
	switch (p[0] >> 4) {
	case 4: k->ethertype = ETH_IP; decode_ipv4(p, len, k); break;
	case 6: k->ethertype = ETH_IPV6; decode_ipv6(p, len, k); break;
	default: k->l3 = L3_OTHER;
	}
}

const char *pkt_proto_name(const struct pkt *k)
{
	switch (k->l4) {
	case L4_ICMP: return "ICMP";
	case L4_ICMP6: return "ICMPv6";
	case L4_TCP: return "TCP";
	case L4_UDP: return "UDP";
	default: break;
	}
	switch (k->l3) {
	case L3_IPV4: return "IPv4";
	case L3_IPV6: return "IPv6";
	case L3_ARP: return "ARP";
	default: return "unknown";
	}
}

const char *pkt_icmp_name(const struct pkt *k)
{
	if (k->l4 == L4_ICMP) {
		switch (k->icmp_type) {
		case 0: return "echo reply";
		case 3: return "destination unreachable";
		case 8: return "echo request";
		case 11: return "time exceeded";
		}
	} else if (k->l4 == L4_ICMP6) {
		switch (k->icmp_type) {
		case 1: return "destination unreachable";
		case 3: return "time exceeded";
		case 128: return "echo request";
		case 129: return "echo reply";
		case 133: return "router solicitation";
		case 134: return "router advertisement";
		case 135: return "neighbor solicitation";
		case 136: return "neighbor advertisement";
		case 143: return "multicast listener report v2";
		}
	}
	return NULL;
}

void pkt_tcp_flags(uint8_t f, char buf[9])
{
	static const char letters[] = "FSRPAUEC";
	size_t n = 0;

	for (int i = 0; i < 8; i++)
		if (f & (1 << i))
			buf[n++] = letters[i];
	if (!n)
		buf[n++] = '.';
	buf[n] = '\0';
}

/* Appends to buf at *n, never past len. */
static void app(char *buf, size_t len, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void app(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*n >= len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + *n, len - *n, fmt, ap);
	va_end(ap);
	if (r > 0)
		*n += (size_t)r < len - *n ? (size_t)r : len - *n - 1;
}

void pkt_format(const struct pkt *k, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], m1[18], m2[18];
	size_t n = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (k->ether) {
		if (k->truncated && !k->ethertype) {
			app(buf, len, &n, "truncated Ethernet frame");
			return;
		}
		format_mac(k->src_mac, m1);
		format_mac(k->dst_mac, m2);
		app(buf, len, &n, "%s > %s ", m1, m2);
	}
	switch (k->l3) {
	case L3_ARP:
		if (!k->arp_op) {
			app(buf, len, &n, "ARP%s", k->truncated ? " truncated" : " (not Ethernet/IPv4)");
			return;
		}
		format_ipaddr(&k->dst, d, sizeof(d));
		format_ipaddr(&k->src, s, sizeof(s));
		if (k->arp_op == 1)
			app(buf, len, &n, "ARP who-has %s tell %s", d, s);
		else if (k->arp_op == 2)
			app(buf, len, &n, "ARP reply %s is-at %s", s, (format_mac(k->arp_sha, m1), m1));
		else
			app(buf, len, &n, "ARP op %u", k->arp_op);
		return;
	case L3_IPV4:
	case L3_IPV6:
		if (!k->src.family) {
			app(buf, len, &n, "%s truncated", k->l3 == L3_IPV4 ? "IPv4" : "IPv6");
			return;
		}
		format_ipaddr(&k->src, s, sizeof(s));
		format_ipaddr(&k->dst, d, sizeof(d));
		app(buf, len, &n, "%s %s > %s: ", k->l3 == L3_IPV4 ? "IPv4" : "IPv6", s, d);
		break;
	case L3_OTHER:
		app(buf, len, &n, "ethertype 0x%04x", k->ethertype);
		return;
	default:
		app(buf, len, &n, "truncated");
		return;
	}
	switch (k->l4) {
	case L4_ICMP:
	case L4_ICMP6: {
		const char *name = pkt_icmp_name(k);

		app(buf, len, &n, "%s ", pkt_proto_name(k));
		if (name)
			app(buf, len, &n, "%s", name);
		else
			app(buf, len, &n, "type %u code %u", k->icmp_type, k->icmp_code);
		if (k->icmp_echo)
			app(buf, len, &n, " id %u seq %u", k->icmp_id, k->icmp_seq);
		if (k->nd_target.family)
			app(buf, len, &n, " target %s", format_ipaddr(&k->nd_target, s, sizeof(s)));
		break;
	}
	case L4_TCP: {
		char f[9];

		pkt_tcp_flags(k->tcp_flags, f);
		app(buf, len, &n, "TCP %u > %u [%s] seq %u", k->sport, k->dport, f, k->tcp_seq);
		break;
	}
	case L4_UDP:
		app(buf, len, &n, "UDP %u > %u", k->sport, k->dport);
		break;
	default:
		if (k->l3 == L3_IPV6 && k->proto == IP6_HOPOPTS)
			app(buf, len, &n, "hop-by-hop options");
		else if (k->l3 == L3_IPV6 && k->proto == IP6_ROUTING)
			app(buf, len, &n, "routing header");
		else if (k->l3 == L3_IPV6 && k->proto == IP6_FRAGMENT)
			app(buf, len, &n, "fragment header");
		else if (k->l3 == L3_IPV6 && k->proto == IP6_DSTOPTS)
			app(buf, len, &n, "destination options");
		else
			app(buf, len, &n, "protocol %u", k->proto);
	}
	if (k->frag)
		app(buf, len, &n, " (frag id %u off %u%s)", k->frag_id, k->frag_off, k->frag_more ? "+" : "");
	if (k->malformed)
		app(buf, len, &n, " (malformed)");
	if (k->truncated)
		app(buf, len, &n, " (truncated)");
}

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
	sum += IP_ICMPV6;
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
	if (ihl < 20 || tot < ihl + 8 || tot > len || in[9] != IP_ICMP ||
	    (get16(in + 6) & (IP_MF | IP_OFFMASK)) || in[ihl] != ICMP_ECHO || in[ihl + 1] != 0)
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
	if (plen < 8 || tot > len || tot > cap || in[6] != IP_ICMPV6 || in[40] != ICMP6_ECHO || in[41] != 0)
		return 0;
	if (ipv6_unspecified(in + 8) || in[8] == 0xff || in[24] == 0xff)
		return 0;
	if (icmp6_sum(in, plen) != 0xffff)
		return 0;
	memcpy(out, in, tot);
	memcpy(out + 8, in + 24, 16);
	memcpy(out + 24, in + 8, 16);
	out[7] = 64;
	out[40] = ICMP6_ECHOREPLY;
	icmp6_csum(out, plen);
	return tot;
}

static size_t answer_arp(const uint8_t *in, size_t len, const uint8_t mac[6], uint8_t *out, size_t cap)
{
	const uint8_t *a = in + ETH_HLEN_;
	uint8_t *r = out + ETH_HLEN_;

	if (len < ETH_HLEN_ + 28 || cap < ETH_HLEN_ + 28 || get16(a) != 1 || get16(a + 2) != ETH_IP ||
	    a[4] != 6 || a[5] != 4 || get16(a + 6) != 1)
		return 0;
	/* Probes (sender 0.0.0.0) and announcements (sender = target) are
	 * duplicate address checks: answering them would report a conflict.
	 * Nobody owns a multicast or broadcast address either. */
	if (ipv4_special(a + 14) || ipv4_special(a + 24) || !memcmp(a + 14, a + 24, 4))
		return 0;
	memcpy(out, in + 6, 6);
	memcpy(out + 6, mac, 6);
	put16(out + 12, ETH_ARP);
	memcpy(r, a, 6);                /* hardware and protocol types and sizes */
	put16(r + 6, 2);
	memcpy(r + 8, mac, 6);
	memcpy(r + 14, a + 24, 4);
	memcpy(r + 18, a + 8, 6);
	memcpy(r + 24, a + 14, 4);
	return ETH_HLEN_ + 28;
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
	const uint8_t *ip6 = in + ETH_HLEN_, *icmp = ip6 + 40;
	uint8_t *r6 = out + ETH_HLEN_, *na = r6 + 40;
	size_t plen;

	if (len < ETH_HLEN_ + 40 + 24 || cap < ETH_HLEN_ + 40 + 32 || (ip6[0] >> 4) != 6 ||
	    ip6[6] != IP_ICMPV6 || ip6[7] != 255 || icmp[0] != ND_NS || icmp[1] != 0)
		return 0;
	plen = get16(ip6 + 4);
	if (plen < 24 || 40 + plen > len - ETH_HLEN_)
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
	put16(out + 12, ETH_IPV6);
	memset(r6, 0, 40 + 32);
	r6[0] = 0x60;
	put16(r6 + 4, 32);
	r6[6] = IP_ICMPV6;
	r6[7] = 255;
	memcpy(r6 + 8, icmp + 8, 16);   /* from the address asked for */
	memcpy(r6 + 24, ip6 + 8, 16);   /* to the one who asked */
	na[0] = ND_NA;
	na[4] = 0x60;                   /* solicited, override */
	memcpy(na + 8, icmp + 8, 16);
	na[24] = 2;                     /* target link-layer address option */
	na[25] = 1;
	memcpy(na + 26, mac, 6);
	icmp6_csum(r6, 32);
	return ETH_HLEN_ + 40 + 32;
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
	if (len < ETH_HLEN_ || cap < ETH_HLEN_)
		return 0;
	switch (get16(in + 12)) {
	case ETH_ARP:
		return answer_arp(in, len, mac, out, cap);
	case ETH_IPV6:
		if ((n = answer_ns(in, len, mac, out, cap)))
			return n;
		n = answer_ip6(in + ETH_HLEN_, len - ETH_HLEN_, out + ETH_HLEN_, cap - ETH_HLEN_);
		break;
	case ETH_IP:
		n = answer_ip4(in + ETH_HLEN_, len - ETH_HLEN_, out + ETH_HLEN_, cap - ETH_HLEN_);
		break;
	default:
		return 0;
	}
	if (!n)
		return 0;
	memcpy(out, in + 6, 6);
	memcpy(out + 6, mac, 6);
	memcpy(out + 12, in + 12, 2);
	return ETH_HLEN_ + n;
}

size_t pkt_hexdump(const uint8_t *p, size_t n, char *buf, size_t len)
{
	size_t w = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	for (size_t off = 0; off < n; off += 16) {
		char ascii[17];
		size_t k;

		app(buf, len, &w, "    %04zx ", off);
		for (k = 0; k < 16; k++) {
			if (off + k < n) {
				app(buf, len, &w, " %02x", p[off + k]);
				ascii[k] = p[off + k] >= 0x20 && p[off + k] < 0x7f ? (char)p[off + k] : '.';
			} else {
				app(buf, len, &w, "   ");
				ascii[k] = '\0';
			}
		}
		ascii[16] = '\0';
		app(buf, len, &w, "  %s\n", ascii);
	}
	return w;
}
