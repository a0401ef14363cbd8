/* fuzz_pkt.c - packets read from a device: decoded, described, answered,
 * dumped, as tun (IP) and as tap (Ethernet). Each is answered twice: as
 * read, and with its IPv4, ICMP and ICMPv6 checksums made right, so the
 * answer builders are reached past the checksum checks. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_csum(uint8_t *at, uint32_t sum)
{
	uint16_t c;

	at[0] = at[1] = 0;
	c = (uint16_t)~pkt_csum_fold(sum);
	at[0] = (uint8_t)(c >> 8);
	at[1] = (uint8_t)c;
}

/* Makes the checksums of the IP packet at p (n bytes) right, where they fit. */
static void fix_csums(uint8_t *p, size_t n)
{
	if (n >= 20 && p[0] >> 4 == 4) {
		size_t ihl = (size_t)(p[0] & 0xf) * 4, tot = (size_t)(p[2] << 8 | p[3]);

		if (ihl < 20 || ihl > n)
			return;
		put_csum(p + 10, 0);
		put_csum(p + 10, pkt_csum_add(0, p, ihl));
		if (tot > n)
			tot = n;
		if (p[9] == 1 && tot >= ihl + 4) {
			put_csum(p + ihl + 2, 0);
			put_csum(p + ihl + 2, pkt_csum_add(0, p + ihl, tot - ihl));
		}
	} else if (n >= 44 && p[0] >> 4 == 6 && p[6] == 58) {
		size_t plen = (size_t)(p[4] << 8 | p[5]);
		uint32_t sum;

		if (plen < 4 || plen > n - 40)
			return;
		put_csum(p + 42, 0);
		sum = pkt_csum_add(0, p + 8, 32) + (uint32_t)plen + 58;
		put_csum(p + 42, pkt_csum_add(sum, p + 40, plen));
	}
}

static void answer(const uint8_t *p, size_t size, bool ether, size_t cap)
{
	static const uint8_t mac[6] = { 2, 0, 0x5e, 0x10, 0, 1 };
	static uint8_t out[70000];
	struct pkt k;
	size_t n;

	n = pkt_answer(p, size, ether, mac, out, cap);
	if (n > cap)
		abort();
	if (n) {
		/* An answer is a whole, well-formed packet. */
		pkt_decode(out, n, ether, &k);
		if (k.truncated || k.malformed || k.frag)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	char line[512], hex[4096];
	struct pkt k;

	if (!p)
		return 0;
	for (int ether = 0; ether < 2; ether++) {
		size_t off = ether ? 14 : 0;

		memcpy(p, data, size);
		pkt_decode(p, size, ether, &k);
		pkt_format(&k, line, sizeof(line));
		answer(p, size, ether, 70000);
		answer(p, size, ether, size / 2);
		if (size > off) {
			fix_csums(p + off, size - off);
			answer(p, size, ether, 70000);
		}
	}
	pkt_hexdump(p, size, hex, sizeof(hex));
	free(p);
	return 0;
}
