/* cmd_del.c - "tunctl del": remove devices, many at once in one kernel
 * operation (ops_del.c), unless a process holds one. */
#include "config.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <unistd.h>

#include "dumps.h"
#include "ops.h"
#include "procfs.h"
#include "tunctl.h"

/* Whether name matches one of the patterns (any, when there are none). */
static bool matches(const struct del_req *r, const char *name)
{
	for (size_t i = 0; i < r->nnames; i++)
		if (!fnmatch(r->names[i], name, 0))
			return true;
	return !r->nnames;
}

/* del --unused: the TUN/TAP devices that match, that /proc shows no
 * process holding, then held by tunctl itself (ops_hold_unused: the
 * kernel's word, and no process can attach meanwhile) and deleted in one
 * kernel operation. */
static int del_unused(struct ctx *c, const struct del_req *r, const struct device *links, size_t nlinks)
{
	char **names = malloc((nlinks + 1) * sizeof(*names));
	bool *keep = calloc(nlinks + 1, sizeof(*keep));
	struct holder *h = NULL;
	int *fds = NULL, err, rc = 1;
	size_t n = 0, nh = 0, nfds = 0, k = 0;

	if (!names || !keep) {
		report(c, "out of memory");
		goto out;
	}
	if ((err = proc_tun_holders(NULL, &h, &nh))) {
		report_err(c, err, NULL, "reading /proc");
		goto out;
	}
	for (size_t i = 0; i < nlinks; i++) {
		const struct device *l = &links[i];
		const struct holder *first;

		if (link_lacks_tun_info(c, l))
			goto out;
		if (l->is_tun && (r->mode == MODE_ANY || r->mode == l->ti.flags.mode) &&
		    matches(r, l->ti.name) && !holders_of(h, nh, l->ti.name, &first))
			names[n++] = (char *)l->ti.name;
	}
	if (ops_hold_unused(c, names, n, keep, &fds, &nfds))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (keep[i])
			names[k++] = names[i];
	rc = k ? ops_delete(c, names, k, links, nlinks) : 0;
out:
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	free(fds);
	free(h);
	free(keep);
	free(names);
	return rc;
}

int del_run(struct ctx *c, const struct del_req *r)
{
	struct device *links = NULL;
	size_t nlinks = 0;
	char **names = r->all || r->unused ? NULL : r->names;
	size_t n = r->nnames;
	int rc = 1;

	if (ctx_lock(c))
		return 1;
	if (!r->all && !r->unused) {
		/* Every name is checked before anything is deleted. */
		for (size_t i = 0; i < n; i++) {
			struct tun_info ti;

			if (find_tun(c, names[i], &ti, NULL))
				return 1;
		}
	}
	/* One link dump serves --all's listing, the in-use check and the
	 * deletion: a device gone before it is simply not in it. */
	if (!ctx_nl(c) || dump_links(c, &links, &nlinks))
		goto out;
	links_sort(links, nlinks);
	if (r->unused) {
		rc = del_unused(c, r, links, nlinks);
		goto out;
	}
	if (r->all) {
		if (!(names = malloc((nlinks + 1) * sizeof(*names)))) {
			report(c, "out of memory");
			goto out;
		}
		n = 0;
		for (size_t i = 0; i < nlinks; i++) {
			const struct device *l = &links[i];

			if (link_lacks_tun_info(c, l))
				goto out;
			if (l->is_tun && (r->mode == MODE_ANY || r->mode == l->ti.flags.mode))
				names[n++] = links[i].ti.name;
		}
	}
	rc = 0;
	if (n && !r->force)
		rc = ops_check_holders(c, names, n, links, nlinks);
	/* Even with nothing to delete: --all also finishes a del cut short. */
	if (!rc && (n || r->all))
		rc = ops_delete(c, names, n, links, nlinks);
out:
	if (r->all)
		free(names);
	free(links);
	return rc;
}
