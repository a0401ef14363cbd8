/* sysfs.c - TUN/TAP devices as /sys/class/net shows them. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include <sys/mount.h>
#include <net/if.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "parse.h"
#include "link.h"
#include "sysfs.h"

#define NET_DIR "/sys/class/net"

static const char *pending_netns;

void sysfs_for_netns(const char *name)
{
	pending_netns = name;
}

/* sysfs shows the devices of the namespace of whoever mounted it. */
static int prepare(void)
{
	const char *name = pending_netns;

	if (!name)
		return 0;
	pending_netns = NULL;
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("none", "/", "none", MS_SLAVE | MS_REC, NULL) < 0 ||
	    umount2("/sys", MNT_DETACH) < 0 ||
	    mount(name, "/sys", "sysfs", 0, NULL) < 0)
		return -errno;
	return 0;
}

bool sysfs_missing(void)
{
	struct statfs st;

	if (prepare())
		return false;
	return statfs("/sys", &st) == 0 && st.f_type != SYSFS_MAGIC;
}

static int read_at(int dirfd, const char *path, char *buf, size_t len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	return 0;
}

/* dirfd: /sys/class/net, name the device; or AT_FDCWD, name its path there. */
static int read_tun_flags(int dirfd, const char *name, struct tun_flags *f)
{
	char path[64], buf[32];
	uint32_t v;
	int rc;

	snprintf(path, sizeof(path), "%s/tun_flags", name);
	rc = read_at(dirfd, path, buf, sizeof(buf));
	if (rc == -ENOENT) {
		snprintf(path, sizeof(path), "%s/ifindex", name);
		if (!faccessat(dirfd, path, F_OK, 0))
			return -ENOTTY;
		/* No /sys/class/net at all: not a device missing. */
		if (dirfd == AT_FDCWD && faccessat(AT_FDCWD, NET_DIR, F_OK, 0))
			return -ENOENT;
		return -ENODEV;
	}
	if (rc)
		return rc;
	if (!parse_sysfs_hex(buf, &v))
		return -EINVAL;
	tun_flags_from_sysfs(v, f);
	return 0;
}

/* /sys/class/net, opened (after the namespace's /sys is in place): an fd
 * or -errno. */
static int open_net_dir(void)
{
	int rc = prepare(), fd;

	if (rc)
		return rc;
	fd = open(NET_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int sysfs_net_dir(void)
{
	return open_net_dir();
}

int sysfs_tun_flags_at(int dirfd, const char *name, struct tun_flags *f)
{
	memset(f, 0, sizeof(*f));
	return read_tun_flags(dirfd, name, f);
}

int sysfs_tun_flags(const char *name, struct tun_flags *f)
{
	char path[64];
	int rc;

	memset(f, 0, sizeof(*f));
	if ((rc = prepare()))
		return rc;
	snprintf(path, sizeof(path), NET_DIR "/%s", name);
	return read_tun_flags(AT_FDCWD, path, f);
}

int sysfs_tun_flags_only(const char *name, struct tun_flags *into)
{
	struct tun_flags f;
	int rc = sysfs_tun_flags(name, &f);

	if (!rc)
		tun_flags_take_hidden(into, &f);
	return rc;
}

int sysfs_attr(const char *name, const char *attr, char *buf, size_t len)
{
	char path[128];
	int rc;

	if ((rc = prepare()))
		return rc;
	snprintf(path, sizeof(path), NET_DIR "/%s/%s", name, attr);
	rc = read_at(AT_FDCWD, path, buf, len);
	if (!rc)
		buf[strcspn(buf, "\n")] = '\0';
	return rc;
}

