/* pkt.c - decode IPv4, IPv6, ARP, ICMP(v6), TCP and UDP headers, and
 * describe them in a line. Pure: every read is bounds-checked. The answers
 * of attach --echo are echo.c's. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <net/if.h>               /* before linux/icmp.h, which has linux/if.h */
#include <linux/icmp.h>
#include <linux/if_ether.h>

#include "fmt.h"
#include "pkt.h"
#include "wire.h"

/* RFC 3810 (the kernel's ICMPV6_MLD2_REPORT, in a header that clashes with
 * netinet/icmp6.h). */
#define MLD2_LISTENER_REPORT 143

static void set_addr(struct ipaddr *a, int family, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->a.b, p, family == AF_INET ? 4 : 16);
}

static void decode_l4(const uint8_t *p, size_t len, uint8_t proto, struct pkt *k)
{
	switch (proto) {
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		k->l4 = proto == IPPROTO_ICMP ? L4_ICMP : L4_ICMP6;
		if (len < 4) {
			k->truncated = true;
			return;
		}
		k->icmp_type = p[0];
		k->icmp_code = p[1];
		if ((proto == IPPROTO_ICMP && (p[0] == ICMP_ECHO || p[0] == ICMP_ECHOREPLY)) ||
		    (proto == IPPROTO_ICMPV6 && (p[0] == ICMP6_ECHO_REQUEST || p[0] == ICMP6_ECHO_REPLY))) {
			if (len < 8) {
				k->truncated = true;
				return;
			}
			k->icmp_echo = true;
			k->icmp_id = get16(p + 4);
			k->icmp_seq = get16(p + 6);
		} else if (proto == IPPROTO_ICMPV6 && (p[0] == ND_NEIGHBOR_SOLICIT || p[0] == ND_NEIGHBOR_ADVERT)) {
			if (len < 24) {
				k->truncated = true;
				return;
			}
			set_addr(&k->nd_target, AF_INET6, p + 8);
		}
		return;
	case IPPROTO_TCP:
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
	case IPPROTO_UDP:
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
	if (frag & 0x3fff) {            /* MF or an offset */
		k->frag = true;
		k->frag_id = get16(p + 4);
		k->frag_off = (uint16_t)((frag & 0x1fff) * 8);
		k->frag_more = frag & 0x2000;
	}
	/* Only the first fragment carries the transport header. */
	if (k->frag_off)
		k->l4 = L4_OTHER;
	else
		decode_l4(p + ihl, tot - ihl, p[9], k);
}

static bool ipv6_ext(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_FRAGMENT || nh == IPPROTO_DSTOPTS;
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
		hlen = nh == IPPROTO_FRAGMENT ? 8 : ((size_t)p[off + 1] + 1) * 8;
		if (hlen > plen - off) {
			k->truncated = true;
			return;
		}
		if (nh == IPPROTO_FRAGMENT) {
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
	if (len < 28 || get16(p) != ARPHRD_ETHER || get16(p + 2) != ETH_P_IP || p[4] != 6 || p[5] != 4) {
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
		if (len < ETH_HLEN) {
			k->truncated = true;
			return;
		}
		memcpy(k->dst_mac, p, 6);
		memcpy(k->src_mac, p + 6, 6);
		k->ethertype = get16(p + 12);
		p += ETH_HLEN;
		len -= ETH_HLEN;
		switch (k->ethertype) {
		case ETH_P_IP: decode_ipv4(p, len, k); break;
		case ETH_P_IPV6: decode_ipv6(p, len, k); break;
		case ETH_P_ARP: decode_arp(p, len, k); break;
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
	case 4: k->ethertype = ETH_P_IP; decode_ipv4(p, len, k); break;
	case 6: k->ethertype = ETH_P_IPV6; decode_ipv6(p, len, k); break;
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
		case ICMP_ECHOREPLY: return "echo reply";
		case ICMP_DEST_UNREACH: return "destination unreachable";
		case ICMP_ECHO: return "echo request";
		case ICMP_TIME_EXCEEDED: return "time exceeded";
		}
	} else if (k->l4 == L4_ICMP6) {
		switch (k->icmp_type) {
		case ICMP6_DST_UNREACH: return "destination unreachable";
		case ICMP6_TIME_EXCEEDED: return "time exceeded";
		case ICMP6_ECHO_REQUEST: return "echo request";
		case ICMP6_ECHO_REPLY: return "echo reply";
		case ND_ROUTER_SOLICIT: return "router solicitation";
		case ND_ROUTER_ADVERT: return "router advertisement";
		case ND_NEIGHBOR_SOLICIT: return "neighbor solicitation";
		case ND_NEIGHBOR_ADVERT: return "neighbor advertisement";
		case MLD2_LISTENER_REPORT: return "multicast listener report v2";
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

/* The description of the network layer and the addresses: 0 when that
 * is all there is to say, 1 when the transport layer follows. */
static int format_l3(const struct pkt *k, struct fmt *f)
{
	switch (k->l3) {
	case L3_ARP:
		if (!k->arp_op) {
			fmt_str(f, k->truncated ? "ARP truncated" : "ARP (not Ethernet/IPv4)");
		} else if (k->arp_op == ARPOP_REQUEST) {
			fmt_str(f, "ARP who-has ");
			fmt_ipaddr(f, &k->dst);
			fmt_str(f, " tell ");
			fmt_ipaddr(f, &k->src);
		} else if (k->arp_op == ARPOP_REPLY) {
			fmt_str(f, "ARP reply ");
			fmt_ipaddr(f, &k->src);
			fmt_str(f, " is-at ");
			fmt_mac(f, k->arp_sha);
		} else {
			fmt_str(f, "ARP op ");
			fmt_uint(f, k->arp_op);
		}
		return 0;
	case L3_IPV4:
	case L3_IPV6:
		fmt_str(f, k->l3 == L3_IPV4 ? "IPv4" : "IPv6");
		if (!k->src.family) {
			fmt_str(f, " truncated");
			return 0;
		}
		fmt_char(f, ' ');
		fmt_ipaddr(f, &k->src);
		fmt_str(f, " > ");
		fmt_ipaddr(f, &k->dst);
		fmt_str(f, ": ");
		return 1;
	case L3_OTHER:
		fmt_str(f, "ethertype 0x");
		fmt_hex(f, k->ethertype, 4);
		return 0;
	default:
		fmt_str(f, "truncated");
		return 0;
	}
}

static void format_l4(const struct pkt *k, struct fmt *f)
{
	const char *name;
	char flags[9];

	switch (k->l4) {
	case L4_ICMP:
	case L4_ICMP6:
		fmt_str(f, pkt_proto_name(k));
		fmt_char(f, ' ');
		if ((name = pkt_icmp_name(k))) {
			fmt_str(f, name);
		} else {
			fmt_str(f, "type ");
			fmt_uint(f, k->icmp_type);
			fmt_str(f, " code ");
			fmt_uint(f, k->icmp_code);
		}
		if (k->icmp_echo) {
			fmt_str(f, " id ");
			fmt_uint(f, k->icmp_id);
			fmt_str(f, " seq ");
			fmt_uint(f, k->icmp_seq);
		}
		if (k->nd_target.family) {
			fmt_str(f, " target ");
			fmt_ipaddr(f, &k->nd_target);
		}
		return;
	case L4_TCP:
		pkt_tcp_flags(k->tcp_flags, flags);
		fmt_str(f, "TCP ");
		fmt_uint(f, k->sport);
		fmt_str(f, " > ");
		fmt_uint(f, k->dport);
		fmt_str(f, " [");
		fmt_str(f, flags);
		fmt_str(f, "] seq ");
		fmt_uint(f, k->tcp_seq);
		return;
	case L4_UDP:
		fmt_str(f, "UDP ");
		fmt_uint(f, k->sport);
		fmt_str(f, " > ");
		fmt_uint(f, k->dport);
		return;
	default:
		break;
	}
	if (k->l3 == L3_IPV6 && k->proto == IPPROTO_HOPOPTS) {
		fmt_str(f, "hop-by-hop options");
	} else if (k->l3 == L3_IPV6 && k->proto == IPPROTO_ROUTING) {
		fmt_str(f, "routing header");
	} else if (k->l3 == L3_IPV6 && k->proto == IPPROTO_FRAGMENT) {
		fmt_str(f, "fragment header");
	} else if (k->l3 == L3_IPV6 && k->proto == IPPROTO_DSTOPTS) {
		fmt_str(f, "destination options");
	} else {
		fmt_str(f, "protocol ");
		fmt_uint(f, k->proto);
	}
}

size_t pkt_format(const struct pkt *k, char *buf, size_t len)
{
	struct fmt f;

	fmt_init(&f, buf, len);
	if (k->ether) {
		if (k->truncated && !k->ethertype) {
			fmt_str(&f, "truncated Ethernet frame");
			return f.n;
		}
		fmt_mac(&f, k->src_mac);
		fmt_str(&f, " > ");
		fmt_mac(&f, k->dst_mac);
		fmt_char(&f, ' ');
	}
	if (!format_l3(k, &f))
		return f.n;
	format_l4(k, &f);
	if (k->frag) {
		fmt_str(&f, " (frag id ");
		fmt_uint(&f, k->frag_id);
		fmt_str(&f, " off ");
		fmt_uint(&f, k->frag_off);
		fmt_str(&f, k->frag_more ? "+)" : ")");
	}
	if (k->malformed)
		fmt_str(&f, " (malformed)");
	if (k->truncated)
		fmt_str(&f, " (truncated)");
	return f.n;
}

size_t pkt_hexdump(const uint8_t *p, size_t n, char *buf, size_t len)
{
	struct fmt f;

	fmt_init(&f, buf, len);
	for (size_t off = 0; off < n; off += 16) {
		/* "  xx" for each byte, blanks past the end, then the text. */
		char line[16 * 3 + 2 + 16 + 1], *a = line + 16 * 3 + 2;
		size_t k, m = 16 * 3 + 2;

		fmt_str(&f, "    ");
		fmt_hex(&f, off, 4);
		fmt_char(&f, ' ');
		for (k = 0; k < 16; k++) {
			line[3 * k] = ' ';
			if (off + k < n) {
				uint8_t b = p[off + k];

				fmt_hex_byte(line + 3 * k + 1, b);
				a[k] = b >= 0x20 && b < 0x7f ? (char)b : '.';
				m++;
			} else {
				line[3 * k + 1] = line[3 * k + 2] = ' ';
			}
		}
		line[16 * 3] = line[16 * 3 + 1] = ' ';
		line[m++] = '\n';
		fmt_mem(&f, line, m);
	}
	return f.n;
}
