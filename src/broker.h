/* broker.h - "tunctl broker" (broker.c), the service that makes devices
 * for users without CAP_NET_ADMIN as /etc/tunctl/policy allows, and its
 * client side (broker_client.c). */
#ifndef TUNCTL_BROKER_H
#define TUNCTL_BROKER_H

#include <stdbool.h>

#include "tunctl.h"

struct parsed;

/* The command's parser and run function (commands.c's row). */
int parse_broker(struct parsed *p, struct request *req);
void free_broker(struct request *req);
int broker_main(struct ctx *c, const struct request *req);

/* The client side.  The socket: $TUNCTL_BROKER_SOCKET, else
 * /run/tunctl/broker.sock. */
const char *broker_socket_path(void);
/* Whether req goes through the broker: add, del and set (not one that
 * only changes owner and group, which the owner may do) without
 * CAP_NET_ADMIN, with no -n or --batch, and the broker's socket there. */
bool broker_wanted(const struct request *req);
/* Sends argv[1..argc) to the broker and prints its output and error line
 * as a direct run would: returns its exit status. */
int broker_client_run(struct ctx *c, int argc, char **argv);
/* For "run": n queues of name from the broker into fds[]; 0, or the exit
 * status after reporting. */
int broker_client_queues(struct ctx *c, const char *name, unsigned n, int *fds);
/* Whether "run" may ask the broker for queues it could not open itself:
 * without CAP_NET_ADMIN, with the socket there. */
bool broker_for_run(void);

#endif
