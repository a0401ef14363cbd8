/* fuzz_rtnl.c - netlink replies as the kernel (or anyone) might send them:
 * every message of the input is given to every reply parser. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "rtnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An aligned copy, as recvmsg gives. */
	void *buf = malloc(size + 4);
	const struct nlmsghdr *nlh;
	size_t len = size;

	if (!buf || size > 1 << 20) {
		free(buf);
		return 0;
	}
	memcpy(buf, data, size);
	for (nlh = buf; rtnl_msg_ok(nlh, len); nlh = rtnl_msg_next(nlh, &len)) {
		struct device li;
		struct addr_info ai;
		struct route_info ri;
		char msg[160];
		int err;

		rtnl_parse_link(nlh, &li);
		rtnl_parse_addr(nlh, &ai);
		rtnl_parse_route(nlh, &ri);
		rtnl_parse_ack(nlh, &err, msg, sizeof(msg));
	}
	free(buf);
	return 0;
}
