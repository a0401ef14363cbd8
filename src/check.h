/* check.h - tunctl check (cmd_check.c): its options and entry points, for
 * the command table. */
#ifndef TUNCTL_CHECK_H
#define TUNCTL_CHECK_H

#include "args.h"
#include "tunctl.h"

extern const struct optdef check_opts[];
int parse_check(struct parsed *p, struct request *req);
int check_main(struct ctx *c, const struct request *req);

#endif
