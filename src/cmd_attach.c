/* cmd_attach.c - "tunctl attach": placeholder until the attach issue lands. */
#include "config.h"

#include "tunctl.h"

int attach_run(struct ctx *c, const struct attach_req *r)
{
	report(c, "attach %s: not implemented yet", r->name);
	return 1;
}
