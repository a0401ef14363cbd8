/* tun.h - every /dev/net/tun ioctl. Functions return 0 or -errno. */
#ifndef TUNCTL_TUN_H
#define TUNCTL_TUN_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

#define TUN_CLONE_PATH "/dev/net/tun"

/* Between the TUNSETIFF flags and the sysfs tun_flags value. */
uint16_t tun_flags_to_ifr(const struct tun_flags *f);
void tun_flags_from_sysfs(uint32_t v, struct tun_flags *f);
/* Into *into, from *from, the flags only sysfs's tun_flags shows and that
 * a TUNSETIFF attach must pass back not to clear them: IFF_NAPI,
 * IFF_NAPI_FRAGS, IFF_ONE_QUEUE (the rest of *into is left). */
void tun_flags_take_hidden(struct tun_flags *into, const struct tun_flags *from);

/* Returns an fd or -errno. path NULL: /dev/net/tun. */
int tun_open(const char *path);
/* Creates a new device (never adopts an existing one), without carrier:
 * name may be a template, and receives the kernel's choice (16 bytes). */
int tun_create(int fd, char *name, const struct tun_flags *f);
/* Attaches to a device, asking for exactly its flags (or creates one, as the
 * classic tool did); name (16 bytes) receives the kernel's name.  The
 * carrier comes on: for a reader of the device's packets. */
int tun_attach(int fd, char *name, const struct tun_flags *f);
/* The same, only to administer the device (owner, group, persist): the
 * carrier stays off, so the link does not change. */
int tun_attach_admin(int fd, char *name, const struct tun_flags *f);
int tun_set_owner(int fd, uint32_t uid);
int tun_set_group(int fd, uint32_t gid);
int tun_set_persist(int fd, bool on);
/* The size of the virtio-net header on this fd's packets, or -errno. */
int tun_vnet_hdr_size(int fd);
/* A descriptor of the network namespace the device attached to fd is in
 * now (TUNGETDEVNETNS, Linux 5.2), which a move changes; or -errno. */
int tun_dev_netns(int fd);

#endif
