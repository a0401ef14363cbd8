/* ctx.c - error reporting and the lazily opened netlink socket. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <linux/capability.h>

#include "ids.h"
#include "procfs.h"
#include "sysfs.h"
#include "tun.h"
#include "ctx.h"

static void vreport(struct ctx *c, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void vreport(struct ctx *c, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* One line, always. */
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (c && c->json_errors && !c->capture) {
		if (!c->pending.set) {
			c->pending.set = true;
			snprintf(c->pending.msg, sizeof(c->pending.msg), "%s", msg);
			snprintf(c->pending.where, sizeof(c->pending.where), "%s", c->where ? c->where : "");
		}
	} else if (c && c->capture) {
		/* Always one whole line, however long the message. */
		if (!c->capture[0] && c->capture_len > 1) {
			snprintf(c->capture, c->capture_len - 1, "tunctl: %s%s%s", c->where ? c->where : "",
				 c->where ? ": " : "", msg);
			strcat(c->capture, "\n");
		}
	} else if (c && c->where) {
		fprintf(stderr, "tunctl: %s: %s\n", c->where, msg);
	} else {
		fprintf(stderr, "tunctl: %s\n", msg);
	}
}

const char *ctx_at(struct ctx *c, const char *where)
{
	const char *old = c->where;

	c->where = where;
	return old;
}

/* One line on stderr: "tunctl: ", the batch's FILE:LINE, label, then the
 * message with its newlines made spaces. */
static void vsay(const struct ctx *c, const char *label, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	fprintf(stderr, "tunctl: %s%s%s%s\n", c && c->where ? c->where : "", c && c->where ? ": " : "", label, msg);
}

void warn(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(c, "warning: ", fmt, ap);
	va_end(ap);
}

void note(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(c, "", fmt, ap);
	va_end(ap);
}

void report(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, fmt, ap);
	va_end(ap);
}

void report_err(struct ctx *c, int err, const char *kmsg, const char *fmt, ...)
{
	char what[512];
	const char *hint = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (err < 0)
		err = -err;
	/* The hint only where it is the cause: a process with the capability
	 * gets EPERM for other reasons too (e.g. txqueuelen out of range). */
	if (err == EPERM && !proc_has_cap(CAP_NET_ADMIN))
		hint = " (CAP_NET_ADMIN is needed: run as root or setcap cap_net_admin+ep)";
	if (c && c->json_errors && !c->pending.set)
		c->pending.err = err;
	if (kmsg && *kmsg)
		report(c, "%s: %s%s", what, kmsg, hint);
	else
		report(c, "%s: %s%s", what, strerror(err), hint);
}

void ctx_flush_error(struct ctx *c, int rc, const char *device)
{
	struct out o;
	const char *name;

	if (!c->json_errors || !c->pending.set)
		return;
	fflush(stderr);
	out_init(&o, stderr, true);
	out_obj_open(&o, NULL);
	out_str(&o, "error", NULL, c->pending.msg);
	if (c->pending.err && (name = strerrorname_np(c->pending.err)))
		out_str(&o, "errno", NULL, name);
	if (device)
		out_str(&o, "device", NULL, device);
	if (c->pending.where[0])
		out_str(&o, "where", NULL, c->pending.where);
	out_uint(&o, "exit", NULL, (unsigned)rc);
	out_str(&o, "class", NULL, rc == 2 ? "usage" : rc ? "failed" : "ok");
	out_obj_close(&o);
	out_end(&o);
	fflush(stderr);
	memset(&c->pending, 0, sizeof(c->pending));
}

void report_tun_open(struct ctx *c, int err, const char *path)
{
	char user[64], group[64];
	struct stat st;

	if (!path)
		path = TUN_CLONE_PATH;
	/* Without udev's rule the node is 0600 root: say so, and what to do,
	 * rather than a bare "Permission denied". */
	if (err == -EACCES && stat(path, &st) == 0) {
		report(c, "cannot open %s: %s (it is mode %04o, owner %s, group %s): "
		       "run as root, or make it 0666 as udev's rule does (chmod 0666 %s)",
		       path, strerror(EACCES), (unsigned)(st.st_mode & 07777),
		       ids_user_name((uint32_t)st.st_uid, user, sizeof(user)),
		       ids_group_name((uint32_t)st.st_gid, group, sizeof(group)), path);
		return;
	}
	report_err(c, err, NULL, "cannot open %s", path);
}

struct nl *ctx_nl(struct ctx *c)
{
	int rc;

	if (c->nl_ready)
		return &c->nl;
	if ((rc = nl_open(&c->nl))) {
		report_err(c, rc, NULL, "cannot open a rtnetlink socket");
		return NULL;
	}
	c->nl_ready = true;
	return &c->nl;
}

/* Waits for fd's exclusive lock.  0 or -errno. */
static int lock_wait(int fd)
{
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Root's lock of the namespace whose nsfs inode is ns: CTX_LOCK_DIR's file
 * for it, made if missing, locked; its path into path.  A holder unlinks
 * it before it lets go (ctx_unlock), so a file that is no longer the one
 * at path when its lock comes is left for the new one.  The descriptor,
 * or -errno where root's lock cannot be had here (not root, /run
 * read-only, a directory that is not root's alone). */
static int lock_root(const struct stat *ns, char *path, size_t len)
{
	struct stat d, held, now;
	int fd, err;

	if (geteuid() != 0)
		return -EPERM;
	if ((mkdir("/run/tunctl", 0755) < 0 && errno != EEXIST) || (mkdir(CTX_LOCK_DIR, 0700) < 0 && errno != EEXIST))
		return -errno;
	if (lstat(CTX_LOCK_DIR, &d) < 0)
		return -errno;
	if (!S_ISDIR(d.st_mode) || d.st_uid != 0 || (d.st_mode & 022))
		return -EPERM;
	snprintf(path, len, CTX_LOCK_DIR "/net-%llx-%llx", (unsigned long long)ns->st_dev,
		 (unsigned long long)ns->st_ino);
	for (;;) {
		if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
			return -errno;
		if ((err = lock_wait(fd))) {
			close(fd);
			return err;
		}
		if (!fstat(fd, &held) && !stat(path, &now) && held.st_ino == now.st_ino && held.st_dev == now.st_dev)
			return fd;
		close(fd);
	}
}

int ctx_lock(struct ctx *c)
{
	struct stat ns;
	int fd, err;

	if (c->locked)
		return 0;
	if ((fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &ns) < 0) {
		report_err(c, errno, NULL, "opening /proc/self/ns/net to lock the namespace");
		if (fd >= 0)
			close(fd);
		return 1;
	}
	c->lock_path[0] = 0;
	if ((err = lock_root(&ns, c->lock_path, sizeof(c->lock_path))) >= 0) {
		close(fd);
		fd = err;
	} else if ((err = lock_wait(fd))) {
		c->lock_path[0] = 0;
		report_err(c, -err, NULL, "locking the network namespace (/proc/self/ns/net)");
		close(fd);
		return 1;
	} else {
		c->lock_path[0] = 0;
	}
	c->lock_fd = fd;
	c->locked = true;
	return 0;
}

void ctx_unlock(struct ctx *c)
{
	if (!c->locked)
		return;
	/* Root's file goes while still held: who waits on it then sees it is
	 * gone and makes another (lock_root). */
	if (c->lock_path[0])
		unlink(c->lock_path);
	/* Unlocked first: a child that shares the descriptor keeps no lock. */
	flock(c->lock_fd, LOCK_UN);
	close(c->lock_fd);
	c->locked = false;
}

void ctx_free(struct ctx *c)
{
	if (c->nl_ready)
		nl_close(&c->nl);
	c->nl_ready = false;
}

int ctx_ifindex(struct ctx *c, const char *name, int *ifindex)
{
	struct nl *nl = ctx_nl(c);
	int idx;

	*ifindex = 0;
	if (!nl)
		return 1;
	idx = nl_ifindex(nl, name);
	if (idx <= 0) {
		report_err(c, idx ? idx : -ENODEV, NULL, "%s", name);
		return 1;
	}
	*ifindex = idx;
	return 0;
}

int open_netns(struct ctx *c, const char *name, int *fd)
{
	char path[256];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	/* Not report_err: its CAP_NET_ADMIN hint is not what opening a file
	 * takes. */
	if (errno == ENOENT)
		report(c, "network namespace \"%s\" does not exist (see ip netns list)", name);
	else
		report(c, "opening %s: %s", path, strerror(errno));
	return 1;
}

void report_in_use(struct ctx *c, const char *name, const char *why)
{
	struct holder *h = NULL;
	char who[256];
	size_t n = 0;

	if (!proc_tun_holders(name, &h, &n) && holders_text(h, n, name, who, sizeof(who)))
		report(c, "%s is in use by %s: %s", name, who, why);
	else
		report(c, "%s is in use by another process: %s", name, why);
	free(h);
}

static bool in_group(gid_t g)
{
	gid_t list[256];
	int n = getgroups(256, list);

	if (getegid() == g)
		return true;
	for (int i = 0; i < n; i++)
		if (list[i] == g)
			return true;
	return false;
}

/* The kernel's rule (tun_not_capable): an owner that is set must be the
 * caller, and a group that is set must be one of the caller's; both when
 * both are set. Says which one failed. */
void report_attach_denied(struct ctx *c, const struct tun_info *ti)
{
	char who[64], me[64];
	uid_t uid = geteuid();

	ids_user_name((uint32_t)uid, me, sizeof(me));
	if (ti->owner_set && ti->owner != (uint32_t)uid)
		report(c, "permission denied attaching to %s: it belongs to user %s, not to uid %u (%s); "
		       "the owner, or CAP_NET_ADMIN, is needed", ti->name,
		       ids_user_name(ti->owner, who, sizeof(who)), (unsigned)uid, me);
	else if (ti->group_set && !in_group((gid_t)ti->group))
		report(c, "permission denied attaching to %s: uid %u (%s) is not in its group %s; "
		       "a member, or CAP_NET_ADMIN, is needed", ti->name, (unsigned)uid, me,
		       ids_group_name(ti->group, who, sizeof(who)));
	else
		report(c, "permission denied attaching to %s as uid %u (%s)", ti->name, (unsigned)uid, me);
}

int report_id(struct ctx *c, int err, const char *what, const char *name)
{
	if (err == -ENOENT) {
		report(c, "unknown %s \"%s\"", what, name);
		return 2;
	}
	report_err(c, err, NULL, "looking up %s \"%s\"", what, name);
	return 1;
}

void report_sysfs(struct ctx *c, int err, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/class/net%s%s", name ? "/" : "", name ? name : "");
	if (err == -ENOENT && sysfs_missing())
		report(c, "reading %s: /sys is not mounted (mount -t sysfs sysfs /sys)", path);
	else
		report_err(c, err, NULL, "reading %s", path);
}
