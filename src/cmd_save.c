/* cmd_save.c - "tunctl save": today's devices as the add lines that apply takes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev.h"
#include "tunctl.h"

/* Whether NAME was given to --keep-config. */
static bool kept(const struct save_req *r, const char *name)
{
	for (size_t i = 0; i < r->nkeep; i++)
		if (!strcmp(r->keep[i], name))
			return true;
	return false;
}

/* The add line of a device whose addresses and routes are its program's:
 * none of them, and --keep-config, so that apply leaves them. */
static char *keep_line(const struct device *d)
{
	struct device bare = *d;
	char *s, *l;

	bare.naddrs = bare.nroutes = 0;
	if (!(s = dev_add_line(&bare)))
		return NULL;
	l = realloc(s, strlen(s) + sizeof(" --keep-config"));
	if (!l) {
		free(s);
		return NULL;
	}
	strcat(l, " --keep-config");
	return l;
}

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
	/* A --keep-config device must be one that is saved. */
	for (size_t k = 0; k < r->nkeep; k++) {
		bool found = false;

		for (size_t i = 0; i < n && !found; i++)
			found = !strcmp(pick[i]->ti.name, r->keep[k]);
		if (found)
			continue;
		if (devset_find(&s, r->keep[k]))
			report(c, "--keep-config %s: %s is not among the devices saved; name it too", r->keep[k],
			       r->keep[k]);
		else if (devset_other(&s, r->keep[k]))
			report(c, "--keep-config %s: %s is not a TUN/TAP device", r->keep[k], r->keep[k]);
		else
			report(c, "--keep-config %s: device %s does not exist", r->keep[k], r->keep[k]);
		rc = r->nnames || devset_other(&s, r->keep[k]) ? 2 : 1;
		goto out;
	}
	/* Every line made before any is printed: a failure prints nothing. */
	for (size_t i = 0; i < n; i++) {
		if (!(lines[i] = kept(r, pick[i]->ti.name) ? keep_line(pick[i]) : dev_add_line(pick[i]))) {
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
