/* cmd_save.c - "tunctl save": today's devices as the add lines that apply takes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "dev.h"
#include "tunctl.h"

int save_run(struct ctx *c, const struct save_req *r)
{
	struct devset s;
	struct device **pick;
	char **lines = NULL;
	size_t n = 0;
	int rc = 1;

	if (dev_read_all(c, &s))
		return 1;
	pick = calloc(s.n + r->nnames + 1, sizeof(*pick));
	lines = calloc(s.n + r->nnames + 1, sizeof(*lines));
	if (!pick || !lines) {
		report(c, "out of memory");
		goto out;
	}
	if (!r->nnames)
		for (size_t i = 0; i < s.n; i++)
			pick[n++] = &s.v[i];
	for (size_t i = 0; i < r->nnames; i++) {
		if (!(pick[n] = devset_find(&s, r->names[i]))) {
			/* Says why, from the same dump: not TUN/TAP, or missing. */
			if (devset_other(&s, r->names[i]))
				report(c, "%s is not a TUN/TAP device", r->names[i]);
			else
				report(c, "device %s does not exist", r->names[i]);
			goto out;
		}
		n++;
	}
	/* Every line made before any is printed: a failure prints nothing. */
	for (size_t i = 0; i < n; i++) {
		if (!(lines[i] = dev_add_line(pick[i]))) {
			report(c, "out of memory");
			goto out;
		}
	}
	out_arr_open(&c->out, NULL);
	for (size_t i = 0; i < n; i++)
		out_str(&c->out, NULL, "%s\n", lines[i]);
	out_arr_close(&c->out);
	out_end(&c->out);
	rc = 0;
out:
	for (size_t i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
	free(pick);
	devset_free(&s);
	return rc;
}
