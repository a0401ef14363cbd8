/* sysfs.c - TUN/TAP devices as /sys/class/net shows them. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "sysfs.h"

#define NET_DIR "/sys/class/net"

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

/* dirfd: /sys/class/net; name: the device. */
static int read_tun(int dirfd, const char *name, struct tun_info *out)
{
	char path[64], buf[32];
	uint32_t v;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(path, sizeof(path), "%s/tun_flags", name);
	rc = read_at(dirfd, path, buf, sizeof(buf));
	if (rc == -ENOENT) {
		snprintf(path, sizeof(path), "%s/ifindex", name);
		return faccessat(dirfd, path, F_OK, 0) ? -ENODEV : -ENOTTY;
	}
	if (rc)
		return rc;
	if (!parse_sysfs_hex(buf, &v))
		return -EINVAL;
	tun_flags_from_sysfs(v, &out->flags);
	snprintf(path, sizeof(path), "%s/owner", name);
	if ((rc = read_at(dirfd, path, buf, sizeof(buf))))
		return rc;
	if (!parse_sysfs_id(buf, &out->owner_set, &out->owner))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/group", name);
	if ((rc = read_at(dirfd, path, buf, sizeof(buf))))
		return rc;
	if (!parse_sysfs_id(buf, &out->group_set, &out->group))
		return -EINVAL;
	return 0;
}

int sysfs_tun_read(const char *name, struct tun_info *out)
{
	int dirfd = open(NET_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (dirfd < 0)
		return -errno;
	rc = read_tun(dirfd, name, out);
	close(dirfd);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct tun_info *)a)->name, ((const struct tun_info *)b)->name);
}

int sysfs_tun_list(struct tun_info **out, size_t *n)
{
	DIR *d = opendir(NET_DIR);
	struct tun_info *arr = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *e;
	int rc = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= 16)
			continue;
		if (cnt == cap) {
			struct tun_info *p;

			cap = cap ? cap * 2 : 64;
			if (!(p = realloc(arr, cap * sizeof(*arr)))) {
				rc = -ENOMEM;
				break;
			}
			arr = p;
		}
		rc = read_tun(dirfd(d), e->d_name, &arr[cnt]);
		/* Not a tun device, or gone since readdir: not listed. */
		if (rc == -ENOTTY || rc == -ENODEV || rc == -ENOENT) {
			rc = 0;
			continue;
		}
		if (rc)
			break;
		cnt++;
	}
	closedir(d);
	if (rc) {
		free(arr);
		return rc;
	}
	qsort(arr, cnt, sizeof(*arr), by_name);
	*out = arr;
	*n = cnt;
	return 0;
}

int sysfs_attr(const char *name, const char *attr, char *buf, size_t len)
{
	char path[128];
	int rc;

	snprintf(path, sizeof(path), NET_DIR "/%s/%s", name, attr);
	rc = read_at(AT_FDCWD, path, buf, len);
	if (!rc)
		buf[strcspn(buf, "\n")] = '\0';
	return rc;
}
