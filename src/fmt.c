/* fmt.c - decimals, hex and addresses appended by hand: attach formats two
 * lines a packet, and printf's parsing of a format is most of their cost. */
#include "config.h"

#include <sys/socket.h>

#include "fmt.h"

const char fmt_hexdigits[] = "0123456789abcdef";

/* Pads n characters to width, as printf's field width does, whatever the
 * width. */
static void pad_to(struct fmt *f, size_t n, unsigned width, char pad)
{
	for (; n < width; n++)
		fmt_char(f, pad);
}

void fmt_uint_w(struct fmt *f, uint64_t v, unsigned width, char pad)
{
	char d[24];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	pad_to(f, sizeof(d) - i, width, pad);
	fmt_mem(f, d + i, sizeof(d) - i);
}

void fmt_hex(struct fmt *f, uint64_t v, unsigned width)
{
	char d[24];
	size_t i = sizeof(d);

	do {
		d[--i] = fmt_hexdigits[v & 15];
		v >>= 4;
	} while (v);
	pad_to(f, sizeof(d) - i, width, '0');
	fmt_mem(f, d + i, sizeof(d) - i);
}

void fmt_mac(struct fmt *f, const uint8_t mac[6])
{
	char m[17];

	for (int i = 0; i < 6; i++) {
		fmt_hex_byte(m + 3 * i, mac[i]);
		if (i < 5)
			m[3 * i + 2] = ':';
	}
	fmt_mem(f, m, sizeof(m));
}

static void fmt_ipv4(struct fmt *f, const uint8_t *b)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			fmt_char(f, '.');
		fmt_uint(f, b[i]);
	}
}

/* RFC 5952 as glibc's inet_ntop does it: the longest run of two or more
 * zero groups (the first of equal ones) is "::", and an address whose
 * first 96 bits are zero, or 80 zero bits and ffff, ends in dotted IPv4
 * (but "::" and "::1", and the like, stay hex). */
static void fmt_ipv6(struct fmt *f, const uint8_t *b)
{
	uint16_t w[8];
	int best = -1, bestlen = 0, cur = -1, curlen = 0;

	for (int i = 0; i < 8; i++) {
		w[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
		if (!w[i]) {
			if (cur < 0)
				cur = i, curlen = 0;
			if (++curlen > bestlen)
				best = cur, bestlen = curlen;
		} else {
			cur = -1;
		}
	}
	if (bestlen < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + bestlen) {
			if (i == best)
				fmt_char(f, ':');
			continue;
		}
		if (i)
			fmt_char(f, ':');
		if (i == 6 && best == 0 && (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff))) {
			fmt_ipv4(f, b + 12);
			return;
		}
		fmt_hex(f, w[i], 0);
	}
	if (best >= 0 && best + bestlen == 8)
		fmt_char(f, ':');
}

void fmt_ipaddr(struct fmt *f, const struct ipaddr *a)
{
	if (a->family == AF_INET)
		fmt_ipv4(f, a->a.b);
	else if (a->family == AF_INET6)
		fmt_ipv6(f, a->a.b);
	else
		fmt_char(f, '?');
}
