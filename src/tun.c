/* tun.c - the /dev/net/tun ioctls: create, attach, owner, group, persist. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_tun.h>

#include "tun.h"

#ifndef IFF_NO_CARRIER
/* In include/uapi/linux/if_tun.h since Linux 6.0 ("bring up tun/tap
 * without carrier"); older headers lack it. The value is ABI. */
#define IFF_NO_CARRIER 0x0040
#endif

uint16_t tun_flags_to_ifr(const struct tun_flags *f)
{
	uint16_t v = f->mode == MODE_TAP ? IFF_TAP : IFF_TUN;

	if (!f->pi)
		v |= IFF_NO_PI;
	if (f->vnet_hdr)
		v |= IFF_VNET_HDR;
	if (f->multi_queue)
		v |= IFF_MULTI_QUEUE;
	if (f->napi)
		v |= IFF_NAPI;
	if (f->napi_frags)
		v |= IFF_NAPI_FRAGS;
	if (f->one_queue)
		v |= IFF_ONE_QUEUE;
	return v;
}

void tun_flags_from_sysfs(uint32_t v, struct tun_flags *f)
{
	f->mode = (v & IFF_TAP) ? MODE_TAP : MODE_TUN;
	f->pi = !(v & IFF_NO_PI);
	f->vnet_hdr = !!(v & IFF_VNET_HDR);
	f->multi_queue = !!(v & IFF_MULTI_QUEUE);
	f->persist = !!(v & IFF_PERSIST);
	f->napi = !!(v & IFF_NAPI);
	f->napi_frags = !!(v & IFF_NAPI_FRAGS);
	f->one_queue = !!(v & IFF_ONE_QUEUE);
}

void tun_flags_take_hidden(struct tun_flags *into, const struct tun_flags *from)
{
	into->napi = from->napi;
	into->napi_frags = from->napi_frags;
	into->one_queue = from->one_queue;
}

int tun_open(const char *path)
{
	int fd = open(path ? path : TUN_CLONE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int set_iff(int fd, char *name, uint16_t flags)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	ifr.ifr_flags = (short)flags;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return -errno;
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	return 0;
}

/* TUNSETIFF with IFF_NO_CARRIER: the carrier stays off (as it is while no
 * reader is attached) instead of coming on, so holding the device to
 * administer it neither flaps the link nor sets off IPv6
 * autoconfiguration (a link-local address and an fe80::/64 route that
 * would stay).  A kernel before 6.0 ignores the flag; one that refuses it
 * gets the request again without it. */
static int set_iff_no_carrier(int fd, char *name, uint16_t flags)
{
	int err = set_iff(fd, name, flags | IFF_NO_CARRIER);

	if (err == -EINVAL)
		err = set_iff(fd, name, flags);
	return err;
}

int tun_create(int fd, char *name, const struct tun_flags *f)
{
	return set_iff_no_carrier(fd, name, tun_flags_to_ifr(f) | IFF_TUN_EXCL);
}

int tun_attach(int fd, char *name, const struct tun_flags *f)
{
	return set_iff(fd, name, tun_flags_to_ifr(f));
}

int tun_attach_admin(int fd, char *name, const struct tun_flags *f)
{
	return set_iff_no_carrier(fd, name, tun_flags_to_ifr(f));
}

static int ioctl_long(int fd, unsigned long req, unsigned long arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

int tun_set_owner(int fd, uint32_t uid)
{
	return ioctl_long(fd, TUNSETOWNER, uid);
}

int tun_set_group(int fd, uint32_t gid)
{
	return ioctl_long(fd, TUNSETGROUP, gid);
}

int tun_set_persist(int fd, bool on)
{
	return ioctl_long(fd, TUNSETPERSIST, on ? 1 : 0);
}

int tun_vnet_hdr_size(int fd)
{
	int sz = 0;

	return ioctl(fd, TUNGETVNETHDRSZ, &sz) < 0 ? -errno : sz;
}

int tun_dev_netns(int fd)
{
	int ns = ioctl(fd, TUNGETDEVNETNS);

	return ns < 0 ? -errno : ns;
}
