/* addrroute.h - pure: when two addresses or two routes are the same, and
 * the one text form of each. */
#ifndef TUNCTL_ADDRROUTE_H
#define TUNCTL_ADDRROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* Room for addr_text and route_text. */
#define ADDR_TEXT_LEN (2 * INET6_ADDRSTRLEN + 16)
#define ROUTE_TEXT_LEN 256

bool ipaddr_eq(const struct ipaddr *a, const struct ipaddr *b);
/* The metric the kernel gives a route without one: 0 for IPv4, 1024
 * (IP6_RT_PRIO_USER) for IPv6. */
uint32_t route_default_metric(int family);
/* A route's metric and table, the defaults filled in. */
uint32_t route_metric(const struct route_spec *r);
uint32_t route_table(const struct route_spec *r);

/* The same address, as the kernel tells addresses apart: the local
 * address, its prefix length and the peer. */
bool addr_same(const struct addr_spec *a, const struct addr_spec *b);
/* The same route: destination, gateway, metric and table, the defaults
 * filled in. */
bool route_same(const struct route_spec *a, const struct route_spec *b);
/* The same place in the kernel's tables: destination, metric and table,
 * the defaults filled in (whatever the device or gateway): where an add
 * of b fails with "exists" once a is there. */
bool route_same_slot(const struct route_spec *a, const struct route_spec *b);
/* Whether the kernel's route k (its metric left out when 0, as the kernel
 * does for IPv4) is the one a request for r names: the same route when
 * exact, else as a deletion matches (r without a gateway or a metric
 * matches any). */
bool route_names(const struct route_spec *k, const struct route_spec *r, bool exact);

/* A total order for qsort (struct addr_spec, struct route_spec): IPv4
 * before IPv6, then by address, prefix length, peer; routes by table,
 * destination, metric, gateway.  save writes them in this order, so its
 * output does not depend on the order the kernel keeps them in. */
int addr_cmp(const void *a, const void *b);
int route_cmp(const void *a, const void *b);

/* "CIDR[ peer ADDR]". */
const char *addr_text(const struct addr_spec *a, char *buf, size_t len);
/* As format_route, the default metric and the main table left out: the
 * form save writes and apply's plan shows. */
const char *route_text(const struct route_spec *r, char *buf, size_t len);

#endif
