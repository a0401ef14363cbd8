/* procfs.h - the processes that hold TUN/TAP devices open, from /proc; and
 * a device's promote_secondaries from /proc/sys. */
#ifndef TUNCTL_PROCFS_H
#define TUNCTL_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct holder {
	pid_t pid;
	char comm[16];
	char ifname[16];
};

/* One pass over /proc: every (process, device) pair, each once, ordered
 * by pid, for the devices of our network namespace, whichever namespace
 * the process is in.  only: NULL for every device, else that device only. */
int proc_tun_holders(const char *only, struct holder **out, size_t *n);
/* How many processes the last proc_tun_holders could not look into
 * (EACCES, EPERM): their holders, if any, are not in its list. */
size_t proc_unseen(void);
/* The holders of one device within a list from proc_tun_holders. */
size_t holders_of(const struct holder *h, size_t n, const char *ifname, const struct holder **first);
/* Sorts a list from proc_tun_holders by device name, then pid, for
 * holders_next. */
void holders_by_dev(struct holder *h, size_t n);
/* Walks such a list along device names asked in strcmp order: the
 * holders of ifname start at h[*pos]; returns how many there are, and
 * moves *pos past them.  One pass for every device, however many. */
size_t holders_next(const struct holder *h, size_t n, size_t *pos, const char *ifname);
/* The holders of ifname as a message names them: "python3 (pid 7)", or
 * several joined with ", ", the first HOLDERS_NAMED and then "and N more".
 * Returns how many hold it. */
#define HOLDERS_NAMED 3
size_t holders_text(const struct holder *h, size_t n, const char *ifname, char *buf, size_t len);

/* Whether this process has capability cap (a CAP_* number) in its
 * effective set, from /proc/self/status; true when that cannot be read,
 * so no hint is given on a guess. */
bool proc_has_cap(int cap);

/* net.ipv4.conf.IFNAME.promote_secondaries of this namespace: whether
 * deleting a primary IPv4 address promotes a secondary rather than
 * deleting them all.  0 or -errno (*on false). */
int proc_promote_secondaries(const char *ifname, bool *on);

#endif
