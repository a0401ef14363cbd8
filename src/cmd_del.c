/* cmd_del.c - "tunctl del": remove devices, many at once in one kernel
 * operation (ops_del.c), unless a process holds one. */
#include "config.h"

#include <stdlib.h>

#include "dumps.h"
#include "ops.h"
#include "tunctl.h"

int del_run(struct ctx *c, const struct del_req *r)
{
	struct link_info *links = NULL;
	size_t nlinks = 0;
	char **names = r->all ? NULL : r->names;
	size_t n = r->nnames;
	int rc = 1;

	if (!r->all) {
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
	if (r->all) {
		if (!(names = malloc((nlinks + 1) * sizeof(*names)))) {
			report(c, "out of memory");
			goto out;
		}
		n = 0;
		for (size_t i = 0; i < nlinks; i++) {
			const struct link_info *l = &links[i];

			if (link_lacks_tun_info(c, l))
				goto out;
			if (l->is_tun && (r->mode == MODE_ANY || r->mode == (l->tun.tap ? MODE_TAP : MODE_TUN)))
				names[n++] = links[i].name;
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
