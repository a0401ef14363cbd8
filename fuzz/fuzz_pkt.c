/* fuzz_pkt.c - packets read from a device: decoded, described, answered,
 * dumped, as tun (IP) and as tap (Ethernet). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 2, 0, 0x5e, 0x10, 0, 1 };
	static uint8_t out[70000];
	uint8_t *p = malloc(size ? size : 1);
	char line[512], hex[4096];
	struct pkt k;

	if (!p)
		return 0;
	memcpy(p, data, size);
	for (int ether = 0; ether < 2; ether++) {
		pkt_decode(p, size, ether, &k);
		pkt_format(&k, line, sizeof(line));
		pkt_answer(p, size, ether, mac, out, sizeof(out));
		pkt_answer(p, size, ether, mac, out, size / 2);
	}
	pkt_hexdump(p, size, hex, sizeof(hex));
	free(p);
	return 0;
}
