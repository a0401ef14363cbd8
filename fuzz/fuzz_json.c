/* fuzz_json.c - the JSON reader and the CNI plugin's pure part: the
 * runtime's configuration (as ADD and CHECK read it), an IPAM plugin's
 * answer and a prevResult, all untrusted input read as root. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "cni.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cmds[] = { "ADD", "CHECK", "DEL", "VERSION" };
	struct cni_env env = { NULL, "c1", "/run/netns/x", "eth0", "IgnoreUnknown=1;MAC=02:00:00:00:00:02", "/usr/lib/cni" };
	struct cni_result res;
	struct json_doc d;
	struct cni_req r;
	struct cni_err e;
	char err[256];

	if (json_parse(&d, (const char *)data, size, err, sizeof(err))) {
		cni_parse_ipam(json_root(&d), &res, &e);
		json_free(&d);
	}
	for (size_t i = 0; i < 4; i++) {
		env.command = cmds[i];
		if (cni_parse(&r, &d, (const char *)data, size, &env, &e) && r.prev)
			cni_parse_prev(&r, &res, &e);
		json_free(&d);
	}
	return 0;
}
