/* fuzz_values.c - every value parser, and the kernel's sysfs and fdinfo text. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[ERRLEN], out[256], name[16];
	struct route_spec r;
	struct prefix p;
	struct ipaddr a;
	struct id_spec id;
	uint8_t mac[6];
	uint32_t u32;
	uint64_t u64;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	parse_ifname(s, false, err, sizeof(err));
	parse_ifname(s, true, err, sizeof(err));
	parse_netns_name(s, err, sizeof(err));
	parse_mode((const char *)s, &(enum tun_mode){ 0 }, err, sizeof(err));
	parse_u32(s, 0, UINT32_MAX, &u32);
	parse_u64(s, &u64);
	if (parse_ipaddr(s, 0, &a))
		format_ipaddr(&a, out, sizeof(out));
	if (parse_prefix(s, false, false, &p, err, sizeof(err)))
		format_prefix(&p, out, sizeof(out));
	parse_prefix(s, true, true, &p, err, sizeof(err));
	if (parse_route(s, &r, err, sizeof(err)))
		format_route(&r, out, sizeof(out));
	parse_mac(s, mac, err, sizeof(err));
	parse_id(s, &id);
	parse_sysfs_hex(s, &u32);
	parse_fdinfo_iff(s, name);
	free(s);
	return 0;
}
