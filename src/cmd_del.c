/* cmd_del.c - "tunctl del": remove devices, many at once in one kernel
 * operation (ops_del.c), unless a process holds one. */
#include "config.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <unistd.h>

#include "dumps.h"
#include "ops.h"
#include "tunctl.h"

/* Whether name matches one of the patterns (any, when there are none). */
static bool matches(const struct del_req *r, const char *name)
{
	for (size_t i = 0; i < r->nnames; i++)
		if (!fnmatch(r->names[i], name, 0))
			return true;
	return !r->nnames;
}

/* Whether the link dump already shows the device held: a multi-queue
 * device's queue counts (attached, or attached and disabled).  The kernel
 * tells no such count of a single-queue device; the attach of
 * ops_hold_unused asks it (refused at once, without any change to the
 * device, when a process holds it). */
static bool dump_shows_held(const struct device *l)
{
	return l->ti.flags.multi_queue && l->has_queues && l->num_queues + l->num_disabled > 0;
}

/* del --unused: the TUN/TAP devices that match, that the link dump does
 * not show held, then held by tunctl itself (ops_hold_unused: the
 * kernel's word, and no process can attach meanwhile) and deleted in one
 * kernel operation.  No look into /proc: an attach refused costs the
 * kernel less than reading every process's descriptors. */
static int del_unused(struct ctx *c, const struct del_req *r, const struct device *links, size_t nlinks)
{
	char **names = malloc((nlinks + 1) * sizeof(*names));
	bool *keep = calloc(nlinks + 1, sizeof(*keep));
	int *fds = NULL, rc = 1;
	size_t n = 0, nfds = 0, k = 0;

	if (!names || !keep) {
		report(c, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nlinks; i++) {
		const struct device *l = &links[i];

		if (link_lacks_tun_info(c, l))
			goto out;
		if (l->is_tun && (r->mode == MODE_ANY || r->mode == l->ti.flags.mode) &&
		    matches(r, l->ti.name) && !dump_shows_held(l))
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
	free(keep);
	free(names);
	return rc;
}

/* Every name is checked, in the dump, before anything is deleted. */
static bool names_are_tun(struct ctx *c, char *const *names, size_t n, const struct device *links,
			  size_t nlinks)
{
	for (size_t i = 0; i < n; i++) {
		const struct device *l = links_find(links, nlinks, names[i]);

		if (!l) {
			report(c, "device %s does not exist", names[i]);
			return false;
		}
		if (link_lacks_tun_info(c, l))
			return false;
		if (!l->is_tun) {
			report(c, "%s is not a TUN/TAP device", names[i]);
			return false;
		}
	}
	return true;
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
	/* One link dump serves the names' check, --all's listing, the in-use
	 * check and the deletion: a device gone before it is simply not in it. */
	if (!ctx_nl(c) || dump_links(c, &links, &nlinks))
		goto out;
	links_sort(links, nlinks);
	if (!r->all && !r->unused && !names_are_tun(c, names, n, links, nlinks))
		goto out;
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
