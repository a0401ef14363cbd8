/* cmd_monitor.c - tunctl monitor [NAME] [--count N] [--all-events]: (a
 * prototype of the wiring only) print TUN/TAP link events as they come. */
#include "config.h"

#include <stdlib.h>

#include "args.h"
#include "tunctl.h"

/* Its request, which no other file reads: kept here, in req->own. */
struct monitor_req {
	const char *name;       /* NULL: every device */
	bool has_count, all_events;
	uint64_t count;
};

/* Pure: the parse side. */
const struct optdef monitor_opts[] = {
	{ "count", required_argument, .id = O_COUNT },
	{ "all-events", no_argument, FLAG_IN(struct monitor_req, all_events) },
	OPT_END
};

static int monitor_opt(struct parsed *p, const struct optitem *it, void *arg)
{
	struct monitor_req *r = arg;

	if (r->has_count)
		return opt_twice(p, it);
	if (!parse_u64(it->val, &r->count) || r->count == 0)
		return usage_err(p, "invalid --count \"%s\" (a number of events, at least 1)", it->val);
	r->has_count = true;
	return 0;
}

int monitor_parse(struct parsed *p, struct request *req)
{
	struct monitor_req *r = calloc(1, sizeof(*r));
	int rc;

	if (!(req->own = r))
		return oom_err(p);
	if (p->npos && (rc = need_name(p, 0, &r->name, false)))
		return rc;
	if ((rc = no_more(p, 1)))
		return rc;
	return each_opt(p, r, monitor_opt, r);
}

/* The act side. */
int monitor_main(struct ctx *c, const struct request *req)
{
	const struct monitor_req *r = req->own;

	report(c, "monitor %s (count %llu%s): not implemented in this prototype", r->name ? r->name : "(all)",
	       (unsigned long long)r->count, r->all_events ? ", all events" : "");
	return 1;
}
