/* commands.h - the command table's entry points: one run function per
 * command, each taking its request (cmdline.h). */
#ifndef TUNCTL_COMMANDS_H
#define TUNCTL_COMMANDS_H

#include <stdio.h>

#include "cmdline.h"
#include "ctx.h"

/* The command table (commands.c). */
void usage(FILE *f);
int run_request(struct ctx *c, const struct request *req);
/* The one device a request names, or NULL: for errors in JSON. */
const char *request_device(const struct request *req);

/* Each returns the exit status: 0, 1 (the operation failed) or 2 (bad input). */
int add_run(struct ctx *c, const struct add_req *r);
int del_run(struct ctx *c, const struct del_req *r);
int list_run(struct ctx *c, const struct list_req *r);
int show_run(struct ctx *c, const struct show_req *r);
int set_run(struct ctx *c, const struct set_req *r);
int addr_run(struct ctx *c, const struct addr_req *r);
int route_run(struct ctx *c, const struct route_req *r);
int attach_run(struct ctx *c, const struct attach_req *r);
/* Returns only on failure (1, 2, or 126/127 as a shell would for COMMAND). */
int run_run(struct ctx *c, const struct run_req *r);
int save_run(struct ctx *c, const struct save_req *r);
int apply_run(struct ctx *c, const struct apply_req *r);
int classic_run(struct ctx *c, const struct classic_req *r);

#endif
