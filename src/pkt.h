/* pkt.h - pure packet decoding (pkt.c) and answering (echo.c): buffers in,
 * structs and buffers out. No I/O. */
#ifndef TUNCTL_PKT_H
#define TUNCTL_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

enum pkt_l3 { L3_NONE, L3_IPV4, L3_IPV6, L3_ARP, L3_OTHER };
enum pkt_l4 { L4_NONE, L4_ICMP, L4_ICMP6, L4_TCP, L4_UDP, L4_OTHER };

struct pkt {
	bool ether;
	uint8_t dst_mac[6], src_mac[6];
	uint16_t ethertype;
	enum pkt_l3 l3;
	struct ipaddr src, dst;         /* for ARP: sender and target protocol address */
	uint8_t ttl, proto;             /* proto: IP protocol / next header */
	uint16_t arp_op;
	uint8_t arp_sha[6];             /* ARP sender hardware address */
	enum pkt_l4 l4;
	uint8_t icmp_type, icmp_code;
	bool icmp_echo;                 /* echo request or reply: id and seq are set */
	uint16_t icmp_id, icmp_seq;
	uint16_t sport, dport;
	uint32_t tcp_seq;
	uint8_t tcp_flags;
	struct ipaddr nd_target;        /* neighbour solicitation/advertisement */
	bool frag;                      /* a fragment: IPv4 MF or offset, or an IPv6 fragment header */
	uint32_t frag_id;
	uint16_t frag_off;              /* bytes */
	bool frag_more;
	bool truncated;                 /* a header ran past the end */
	bool malformed;                 /* lengths that contradict each other */
};

/* Decodes what it can; never reads past len. ether: a tap frame. IPv6
 * extension headers (hop-by-hop, routing, fragment, destination options; at
 * most PKT_MAX_EXT) are walked: proto is the upper-layer protocol, or the
 * header where the walk stopped. A fragment other than the first has no
 * transport header (l4 is L4_OTHER). */
#define PKT_MAX_EXT 8
void pkt_decode(const uint8_t *p, size_t len, bool ether, struct pkt *k);
/* One line, without time or length: "IPv4 192.0.2.1 > 192.0.2.2: ICMP echo
 * request id 7 seq 1", cut to fit len; returns its length. */
size_t pkt_format(const struct pkt *k, char *buf, size_t len);
/* A short name of the top protocol: "ICMP", "TCP", "ARP", ... */
const char *pkt_proto_name(const struct pkt *k);
const char *pkt_icmp_name(const struct pkt *k);
/* TCP flags as letters (SFRPAU...). */
void pkt_tcp_flags(uint8_t flags, char buf[9]);

/* The answer --echo gives, written to out (cap bytes): an ICMP or ICMPv6
 * echo reply, and on tap an ARP reply or a neighbour advertisement from
 * mac. Returns its length, or 0 when the packet gets no answer: anything
 * else, a bad checksum, a fragment, an IPv6 packet with extension headers,
 * a multicast, broadcast or unspecified address where a unicast one
 * belongs, a neighbour solicitation that fails RFC 4861 7.1.1. The IPv4
 * reply carries no IP options. */
size_t pkt_answer(const uint8_t *in, size_t len, bool ether, const uint8_t mac[6],
		  uint8_t *out, size_t cap);

/* The Internet checksum of a buffer, folded, not complemented, added to sum. */
uint32_t pkt_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t pkt_csum_fold(uint32_t sum);

/* A hex dump, 16 bytes a line, each line indented and ending in '\n';
 * returns the length written (truncated to fit len). */
size_t pkt_hexdump(const uint8_t *p, size_t n, char *buf, size_t len);

#endif
