/* sysfs.h - reading /sys/class/net. Functions return 0 or -errno. */
#ifndef TUNCTL_SYSFS_H
#define TUNCTL_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "tun.h"

/* With -n NETNS: the first read below mounts a private /sys for the
 * namespace (as "ip netns exec" does); commands that never read sysfs
 * never pay for it. Call after entering the namespace. */
void sysfs_for_netns(const char *name);

/* Whether /sys is not a sysfs (not mounted, or something else on it):
 * what a -ENOENT from the functions below then means. */
bool sysfs_missing(void);
/* A device's flags as tun_flags shows them, the only place the kernel
 * shows IFF_NAPI, IFF_NAPI_FRAGS and IFF_ONE_QUEUE, which an attach to it
 * must ask for again (TUNSETIFF resets those it leaves out); one file
 * read.  Everything else of a device comes from rtnetlink (dev_lookup).
 * -ENODEV: no such device; -ENOTTY: it exists but is not TUN/TAP;
 * -ENOENT: no /sys/class/net (see sysfs_missing). */
int sysfs_tun_flags(const char *name, struct tun_flags *f);
/* The same read, taking into *into only those three flags (the rest of
 * *into, from rtnetlink, is kept); errors as sysfs_tun_flags's. */
int sysfs_tun_flags_only(const char *name, struct tun_flags *into);
/* For reading many devices' flags with one directory descriptor:
 * /sys/class/net opened (close it) or -errno; then one device's flags
 * (one file read), errors as sysfs_tun_flags's. */
int sysfs_net_dir(void);
int sysfs_tun_flags_at(int dirfd, const char *name, struct tun_flags *f);
/* One attribute's first line, newline stripped. */
int sysfs_attr(const char *name, const char *attr, char *buf, size_t len);

#endif
