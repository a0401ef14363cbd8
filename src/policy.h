/* policy.h - pure: the broker's policy (/etc/tunctl/policy) parsed, and a
 * request checked against it.  No I/O, no printing: fuzzed
 * (fuzz/fuzz_broker.c) and unit-tested (tests/unit/test_policy.c). */
#ifndef TUNCTL_POLICY_H
#define TUNCTL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define POLICY_PATH "/etc/tunctl/policy"
/* A policy file larger than this is refused (FILE: too large). */
#define POLICY_MAX (1024 * 1024)
/* The longest transmit queue the broker sets: each queue of a device holds
 * that many packets (each up to 64 KiB) that its reader has not read, in
 * kernel memory no one is charged for. */
#define POL_TXQLEN_MAX 1000

struct pol_rule {
	unsigned line;
	bool group;             /* who names a group, else a user */
	char *who;              /* a name, or a number */
	unsigned modes;         /* bits (1 << MODE_TUN), (1 << MODE_TAP) */
	char **names;           /* patterns: PREFIX%d or a glob; $USER expands */
	size_t nnames;
	uint32_t max;           /* devices the caller may own (default 1) */
	bool has_mtu;
	uint32_t mtu_min, mtu_max;
	bool multi_queue, vnet_hdr;
	struct prefix *addrs;   /* addresses (and peers) only within these */
	size_t naddrs;
	struct prefix *routes;  /* routes only to within these */
	size_t nroutes;
	char **netns;           /* namespaces a device may be moved into */
	size_t nnetns;
	char **masters;         /* globs ($USER expands): masters (bridges) a
				 * device may be put on; none by default */
	size_t nmasters;
};

struct policy {
	struct pol_rule *rules;
	size_t n;
};

/* Parses text (len bytes, NUL bytes refused) read from file. false, with
 * "FILE:LINE: what is wrong" in err, on the first error: then p holds no
 * rule.  One rule a line:
 *   allow user|group WHO mode tun|tap|tun,tap name PATTERN... [max N]
 *         [mtu N|MIN-MAX] [multi_queue] [vnet_hdr] [addr PREFIX]...
 *         [route PREFIX]... [netns NAME]... [master GLOB]...
 * with '#' comments, quoting and escapes as in batch files.  errno is
 * ENOMEM when memory ran out, else 0. */
bool policy_parse(const char *text, size_t len, const char *file, struct policy *p, char *err, size_t errlen);
void policy_free(struct policy *p);

/* Who asks: the kernel's credentials, with names looked up. */
struct pol_caller {
	uint32_t uid;
	const char *name;       /* the user's name (or the uid as text) */
	const uint32_t *gids;   /* primary and supplementary groups */
	const char *const *gnames;
	size_t ngids;
};

enum pol_op { POL_ADD, POL_SET, POL_DEL, POL_RUN };

/* What is asked, with what the kernel said of the device (for add: of the
 * name, when it is not a template and exists). */
struct pol_req {
	enum pol_op op;
	const char *name;
	enum tun_mode mode;
	bool exists;
	bool owner_set;
	uint32_t owner;
	const char *owner_name;         /* may be NULL */
	bool sets_owner;                /* --user, --group, --any-user, --no-user, --no-group */
	bool multi_queue, vnet_hdr;
	bool has_mtu;
	uint32_t mtu;
	bool has_txqlen;
	uint32_t txqlen;
	const struct addr_spec *addrs;
	size_t naddrs;
	const struct route_spec *routes;
	size_t nroutes;
	const char *netns;
	const char *master;             /* add/set --master: the device to put it on */
	size_t owned;                   /* TUN/TAP devices the caller owns now */
};

/* 0: allowed (*line: the deciding rule's line, 0 when owning the device
 * is what allows it); 1: refused, with why in why and *line the rule that
 * decided (0: none did). */
int policy_check(const struct policy *p, const struct pol_caller *c, const struct pol_req *r,
		 unsigned *line, char *why, size_t len);

/* Whether name (which may be a template with one %d) matches pattern for
 * the user called user: "PREFIX%d" takes PREFIX%d itself or PREFIX and
 * decimal digits; any other pattern is a glob (fnmatch) and takes no
 * template.  "$USER" in pattern stands for user. */
bool policy_name_match(const char *pattern, const char *user, const char *name);

#endif
