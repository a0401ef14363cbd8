/* cmd_add.c - "tunctl add": glue over ops_add.c, and a batch's run of add
 * lines created, then configured in one exchange. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "ops.h"
#include "tunctl.h"

#define ERRLINE 1200

/* --keep-config says something only to apply: add and batch remove
 * nothing, so it would promise what they do anyway. 2 after reporting. */
static int keep_config_refused(struct ctx *c, const struct add_req *r)
{
	report(c, "--keep-config is for the lines of apply's FILE (%s's other addresses and routes are its "
	       "program's: apply keeps them); add never removes any: leave it out", r->name);
	return 2;
}

int add_run(struct ctx *c, const struct add_req *r)
{
	if (r->keep_config)
		return keep_config_refused(c, r);
	if (ctx_lock(c))
		return 1;
	return ops_add(c, r);
}

int add_run_many(struct ctx *c, struct add_many *m)
{
	struct add_job *jobs = calloc(m->n, sizeof(*jobs));
	int *status = calloc(m->n, sizeof(*status));
	char *errs = calloc(m->n, ERRLINE);
	struct dc_run run;
	int worst = 0, err;
	size_t i;

	m->done = 0;
	if (!jobs || !status || !errs) {
		free(jobs);
		free(status);
		free(errs);
		report(c, "out of memory");
		return 1;
	}
	for (i = 0; i < m->n; i++)
		jobs[i].fd = -1;
	dc_run_init(&run);
	/* Create every device, then configure all of them in one exchange. */
	for (i = 0; i < m->n; i++) {
		jobs[i] = (struct add_job){ .r = m->reqs[i], .where = m->wheres[i], .json = m->json[i],
					    .err = errs + i * ERRLINE };
		const char *at = ctx_at(c, jobs[i].where);

		c->capture = jobs[i].err;
		c->capture_len = ERRLINE;
		status[i] = ops_job_create(c, &jobs[i]);
		if (!status[i] && (err = dc_queue(c, &run, i, jobs[i].name, jobs[i].ifindex, &jobs[i].dc)))
			status[i] = dc_queue_failed(c, &run, err);
		c->capture = NULL;
		ctx_at(c, at);
		if (status[i] && !m->force)
			break;
	}
	if (dc_send(c, &run)) {
		for (size_t k = 0; k < m->n; k++) {
			if (status[k])
				fputs(jobs[k].err, stderr);
			ops_job_finish(c, &jobs[k], false);
		}
		dc_run_free(&run);
		free(jobs);
		free(status);
		free(errs);
		m->done = m->n;
		return 1;
	}
	/* In line order: a failure without --force drops the devices of the
	 * lines after it, as if they had not run. */
	for (i = 0; i < m->n; i++) {
		bool stop = worst && !m->force;

		const char *at = ctx_at(c, jobs[i].where);

		if (!stop && status[i])
			fputs(jobs[i].err, stderr);
		if (!stop && !status[i])
			status[i] = dc_result(c, &run, i);
		if (!stop && !status[i])
			status[i] = ops_job_finish(c, &jobs[i], true);
		else
			ops_job_finish(c, &jobs[i], false);
		if (!stop) {
			m->done = i + 1;
			if (status[i] > worst)
				worst = status[i];
		}
		ctx_at(c, at);
	}
	dc_run_free(&run);
	free(jobs);
	free(status);
	free(errs);
	return worst;
}
