/* batch.h - batch mode (batch.c): a file of command lines, read whole,
 * then run, consecutive add lines together. */
#ifndef TUNCTL_BATCH_H
#define TUNCTL_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "cmdline.h"
#include "ctx.h"

/* Batch mode: path "-" is stdin. */
int batch_run(struct ctx *c, const char *path, bool json, bool force);

/* One line of a batch file, parsed. */
struct batch_line {
	unsigned no;
	char **argv;            /* one allocation from split_words */
	struct request req;
};
/* Reads and parses the whole file (path "-": stdin; *name is what errors
 * call it) without running anything. Returns 0, 1 or 2 after reporting
 * "FILE:LINE: ..."; free the lines with batch_lines_free. */
int batch_read(struct ctx *c, const char *path, const char **name, struct batch_line **out, size_t *n);
void batch_lines_free(struct batch_line *v, size_t n);
/* The descriptors a process may have, the soft limit raised to the hard
 * one first: for holding many new devices at once. */
size_t fd_room(void);

/* Consecutive add lines of a batch: created, then configured in one
 * exchange, then kept in line order.  Without force, the lines after a
 * failing one are undone; done counts the lines that ran. */
struct add_many {
	const struct add_req **reqs;
	const char **wheres;
	const bool *json;
	size_t n;
	bool force;
	size_t done;
};
int add_run_many(struct ctx *c, struct add_many *m);

#endif
