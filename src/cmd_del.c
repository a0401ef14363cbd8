/* cmd_del.c - "tunctl del": remove devices, many at once in one kernel
 * operation (ops_del.c), unless a process holds one. */
#include "config.h"

#include <stdlib.h>

#include "dumps.h"
#include "ops.h"

int del_run(struct ctx *c, const struct del_req *r)
{
	struct link_info *links = NULL;
	size_t nlinks = 0;
	struct tun_info *all = NULL;
	char **names = r->names;
	size_t n = r->nnames;
	int rc = 1, err;

	if (r->all) {
		size_t cnt = 0;

		if ((err = sysfs_tun_list(&all, &cnt))) {
			report_sysfs(c, err, NULL);
			return 1;
		}
		names = malloc((cnt + 1) * sizeof(*names));
		if (!names) {
			report(c, "out of memory");
			goto out;
		}
		n = 0;
		for (size_t i = 0; i < cnt; i++)
			if (r->mode == MODE_ANY || all[i].flags.mode == r->mode)
				names[n++] = all[i].name;
	} else {
		/* Every name is checked before anything is deleted. */
		for (size_t i = 0; i < n; i++) {
			struct tun_info ti;

			if (find_tun(c, names[i], &ti, NULL))
				return 1;
		}
	}
	/* One link dump serves the in-use check and the deletion. */
	if (!ctx_nl(c) || dump_links(c, &links, &nlinks))
		goto out;
	links_sort(links, nlinks);
	rc = 0;
	if (n && !r->force)
		rc = ops_check_holders(c, names, n, links, nlinks);
	/* Even with nothing to delete: --all also finishes a del cut short. */
	if (!rc && (n || r->all))
		rc = ops_delete(c, names, n, links, nlinks);
out:
	if (r->all)
		free(names);
	free(all);
	free(links);
	return rc;
}
