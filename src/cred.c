/* cred.c - a consumer's credentials: the caller's, or another user's. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <linux/capability.h>
#include <linux/nsfs.h>

#include "cred.h"
#include "ids.h"
#include "procfs.h"

int cred_self(struct creds *c, uint32_t **groups)
{
	int n = getgroups(0, NULL);
	gid_t *g;

	*groups = NULL;
	if (n < 0)
		return -errno;
	if (!(g = calloc((size_t)n + 1, sizeof(*g))))
		return -ENOMEM;
	if ((n = getgroups(n, g)) < 0) {
		int err = -errno;

		free(g);
		return err;
	}
	_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");
	*groups = (uint32_t *)g;
	*c = (struct creds){ .uid = (uint32_t)geteuid(), .gid = (uint32_t)getegid(),
			     .groups = *groups, .ngroups = (size_t)n };
	return cred_netns_admin(&c->net_admin);
}

int cred_user(uint32_t uid, struct creds *c, uint32_t **groups)
{
	uint32_t gid;
	size_t n;
	int err;

	*c = (struct creds){ .uid = uid, .gid = (uint32_t)-1, .net_admin = uid == 0 };
	if ((err = ids_user_groups(uid, &gid, groups, &n)))
		return err;
	c->gid = gid;
	c->groups = *groups;
	c->ngroups = n;
	return 0;
}

static int same_ns(int fd, const struct stat *b, bool *same)
{
	struct stat a;

	if (fstat(fd, &a))
		return -errno;
	*same = a.st_dev == b->st_dev && a.st_ino == b->st_ino;
	return 0;
}

int cred_netns_admin(bool *admin)
{
	struct stat own;
	int net, ns, err = 0;

	*admin = false;
	if (stat("/proc/self/ns/user", &own))
		return -errno;
	if ((net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	ns = ioctl(net, NS_GET_USERNS);
	err = ns < 0 ? -errno : 0;
	close(net);
	/* From the namespace's owner up to the caller's own: an ancestor
	 * outside the caller's view (EPERM) holds no capability for it. */
	while (!err) {
		bool same = false;
		uid_t owner;
		int parent;

		if ((err = same_ns(ns, &own, &same)))
			break;
		if (same) {
			*admin = proc_has_cap(CAP_NET_ADMIN);
			break;
		}
		if ((parent = ioctl(ns, NS_GET_PARENT)) < 0) {
			err = errno == EPERM ? 0 : -errno;
			break;
		}
		if ((err = same_ns(parent, &own, &same)) ||
		    (same && !ioctl(ns, NS_GET_OWNER_UID, &owner) && owner == geteuid())) {
			*admin = !err;
			close(parent);
			break;
		}
		close(ns);
		ns = parent;
	}
	if (ns >= 0)
		close(ns);
	return err;
}

int cred_node_acl(const char *path, struct acl_entry *acl, size_t *n)
{
	uint8_t buf[4 + 8 * ACL_ENTRIES_MAX];
	ssize_t len = getxattr(path, "system.posix_acl_access", buf, sizeof(buf));

	*n = 0;
	if (len < 0)
		return errno == ENODATA || errno == EOPNOTSUPP ? 0 : -errno;
	return acl_parse(buf, (size_t)len, acl, ACL_ENTRIES_MAX, n) ? 0 : -EINVAL;
}
