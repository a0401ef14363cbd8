/* procfs.c - find tun file descriptors through /proc/PID/fd and fdinfo "iff:". */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "parse.h"
#include "procfs.h"
#include "tun.h"
#include "vec.h"

/* Returns 0 or -errno. */
static int read_file(int dirfd, const char *path, char *buf, size_t len)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	return 0;
}

/* Processes the last scan could not look into (proc_unseen). */
static size_t unseen;

size_t proc_unseen(void)
{
	return unseen;
}

/* Whether err says the kernel does not let us look into a process (its
 * descriptors of another user namespace, say): it is not seen, and
 * counted, for a caller that must know of every holder to ask the kernel
 * another way. */
static bool denied(int err)
{
	err = err < 0 ? -err : err;
	return err == EACCES || err == EPERM;
}

/* What says that a process, or one of its descriptors, is gone (it exited,
 * or closed it, while it was being read): no holder, and no error. */
static bool gone(int err)
{
	err = err < 0 ? -err : err;
	return err == ENOENT || err == ESRCH;
}

static int add_holder(struct holder **arr, size_t *n, size_t *cap, pid_t pid,
		      const char *comm, const char *ifname)
{
	for (size_t i = *n; i-- > 0 && (*arr)[i].pid == pid;)
		if (!strcmp((*arr)[i].ifname, ifname))
			return 0;
	{
		struct holder *p = vec_grow(*arr, cap, *n + 1, sizeof(**arr));

		if (!p)
			return -ENOMEM;
		*arr = p;
	}
	(*arr)[*n].pid = pid;
	snprintf((*arr)[*n].comm, sizeof((*arr)[*n].comm), "%.15s", comm);
	snprintf((*arr)[*n].ifname, sizeof((*arr)[*n].ifname), "%s", ifname);
	(*n)++;
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	const struct holder *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static bool same_ns(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* One process's network namespace and a handle on its descriptors, looked
 * up once for all its tun files. */
struct proc_ns {
	int pidfd;      /* -1 not tried yet, -2 none (denied, or no pidfd) */
	int own;        /* the process's own namespace is netns: -1 unknown */
};

/* Whether process pidstr is in the network namespace netns (ours), the
 * guess for a descriptor of it whose device cannot be asked: a descriptor
 * opened there stays with its device when the device moves. 1, 0, or
 * -errno. */
static int proc_in_netns(int procfd, const char *pidstr, const struct stat *netns)
{
	char path[NAME_MAX + sizeof("/ns/net")];
	struct stat st;

	snprintf(path, sizeof(path), "%s/ns/net", pidstr);
	if (fstatat(procfd, path, &st, 0)) {
		if (denied(errno))
			unseen++;
		return gone(errno) || denied(errno) ? 0 : -errno;
	}
	return same_ns(&st, netns);
}

/* Whether the device that descriptor fdstr of process pidstr is attached
 * to is in the network namespace netns (ours).  Names repeat across
 * namespaces (one tap0 per container), and a device moved by "set
 * --netns" leaves its readers' descriptors in the namespace they were
 * opened in, so the process's namespace does not tell: the device's own
 * does (TUNGETDEVNETNS on a copy of the descriptor, pidfd_getfd).  Where
 * the kernel does not let us copy it (another user's process, Yama) or
 * ask (no CAP_NET_ADMIN there), the process's namespace is the guess when
 * it is ours; when it is not, the descriptor is counted as not seen, so a
 * caller that must know asks the kernel (fail closed).  The copy is closed
 * at once; should the process close its own meanwhile, ours is the last
 * and the kernel does then what the process's close would have done.
 * 1, 0, or -errno. */
static int fd_in_netns(int procfd, const char *pidstr, const char *fdstr, const struct stat *netns,
		       struct proc_ns *pn)
{
	int err;

	if (!netns)
		return 1;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	if (pn->pidfd == -1) {
		pn->pidfd = (int)syscall(SYS_pidfd_open, (pid_t)atoi(pidstr), 0);
		if (pn->pidfd < 0) {
			if (gone(errno))
				return 0;
			pn->pidfd = -2;
		}
	}
	if (pn->pidfd >= 0) {
		struct stat st;
		int fd, ns;

		fd = (int)syscall(SYS_pidfd_getfd, pn->pidfd, atoi(fdstr), 0);
		if (fd < 0 && (gone(errno) || errno == EBADF))
			return 0;
		if (fd >= 0) {
			ns = tun_dev_netns(fd);
			close(fd);
			if (ns >= 0) {
				err = fstat(ns, &st) ? -errno : 0;
				close(ns);
				return err ? err : same_ns(&st, netns);
			}
			/* Detached meanwhile (EBADFD): no device. */
			if (ns == -EBADFD)
				return 0;
		}
	}
#endif
	if (pn->own < 0 && (pn->own = proc_in_netns(procfd, pidstr, netns)) < 0) {
		err = pn->own;
		pn->own = -1;
		return err;
	}
	if (!pn->own)
		unseen++;
	return pn->own;
}

/* The device that descriptor fdstr of process pidstr (its fd directory
 * open as fdfd) is attached to, into ifname: 1, 0 if it is no tun
 * descriptor attached to a device or was closed meanwhile, or -errno. */
static int fd_tun_ifname(int procfd, int fdfd, const char *pidstr, const char *fdstr, char *ifname)
{
	char path[600], link[64], info[512];
	ssize_t len;
	int err;

	len = readlinkat(fdfd, fdstr, link, sizeof(link) - 1);
	if (len < 0)
		return gone(errno) ? 0 : -errno;
	link[len] = '\0';
	if (strcmp(link, TUN_CLONE_PATH))
		return 0;
	snprintf(path, sizeof(path), "%s/fdinfo/%s", pidstr, fdstr);
	if ((err = read_file(procfd, path, info, sizeof(info))))
		return gone(err) ? 0 : err;
	return parse_fdinfo_iff(info, ifname);
}

/* Process pidstr's name, read once into comm ("?" if unreadable). */
static void read_comm(int procfd, const char *pidstr, char *comm, size_t size)
{
	char path[600];

	if (comm[0])
		return;
	snprintf(path, sizeof(path), "%s/comm", pidstr);
	if (read_file(procfd, path, comm, size))
		snprintf(comm, size, "?");
	comm[strcspn(comm, "\n")] = '\0';
}

/* Opens process pidstr's fd directory as *d (its descriptor *fdfd).  1 if
 * the process is gone or not ours to look into (skipped), 0, or -errno. */
static int open_fds(int procfd, const char *pidstr, DIR **d, int *fdfd)
{
	char path[600];
	int rc;

	snprintf(path, sizeof(path), "%s/fd", pidstr);
	*fdfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fdfd < 0) {
		if (denied(errno))
			unseen++;
		return gone(errno) || denied(errno) ? 1 : -errno;
	}
	/* fdopendir checks the directory with fstat, which says ENOENT once
	 * the process has exited since the open. */
	if (!(*d = fdopendir(*fdfd))) {
		rc = gone(errno) ? 1 : -errno;
		close(*fdfd);
		return rc;
	}
	return 0;
}

/* Scans one process's fds. A process that is gone, or another user's that
 * an ordinary user may not look into, is skipped; any other failure is an
 * error, as a holder not seen could be the one in use (fail closed). */
static int scan_pid(int procfd, const char *pidstr, const char *only, const struct stat *netns,
		    struct holder **arr, size_t *n, size_t *cap)
{
	char comm[32] = "", ifname[16];
	struct dirent *e;
	struct proc_ns pn = { -1, -1 };
	int fdfd, rc, tun, ours;
	DIR *d;

	if ((rc = open_fds(procfd, pidstr, &d, &fdfd)))
		return rc > 0 ? 0 : rc;
	for (errno = 0; (e = readdir(d)); errno = 0) {
		if (e->d_name[0] == '.')
			continue;
		/* Not ours to read: counted as unseen, and the rest skipped. */
		if ((tun = fd_tun_ifname(procfd, fdfd, pidstr, e->d_name, ifname)) < 0) {
			if (denied(tun))
				unseen++;
			else
				rc = tun;
			break;
		}
		if (!tun || (only && strcmp(only, ifname)))
			continue;
		if ((ours = fd_in_netns(procfd, pidstr, e->d_name, netns, &pn)) < 0) {
			rc = ours;
			break;
		}
		if (!ours)
			continue;
		read_comm(procfd, pidstr, comm, sizeof(comm));
		if ((rc = add_holder(arr, n, cap, (pid_t)atoi(pidstr), comm, ifname)))
			break;
	}
	/* A process that exits while its descriptors are read is gone, not
	 * an error; any other failure leaves its descriptors unknown. */
	if (!rc && e == NULL && errno && !gone(errno))
		rc = -errno;
	closedir(d);
	if (pn.pidfd >= 0)
		close(pn.pidfd);
	return rc;
}

int proc_tun_holders(const char *only, struct holder **out, size_t *n)
{
	struct holder *arr = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *e;
	struct stat self;
	bool have_self;
	int procfd, rc = 0;
	DIR *d;

	unseen = 0;
	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	have_self = !fstatat(procfd, "self/ns/net", &self, 0);
	if (!(d = fdopendir(procfd))) {
		rc = -errno;
		close(procfd);
		return rc;
	}
	/* readdir says NULL for the end and for an error alike: errno tells,
	 * and a process not seen could be the one holding the device. */
	for (errno = 0; (e = readdir(d)); errno = 0) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if ((rc = scan_pid(procfd, e->d_name, only, have_self ? &self : NULL, &arr, &cnt, &cap)))
			break;
	}
	if (!rc && errno)
		rc = -errno;
	closedir(d);
	if (rc) {
		free(arr);
		return rc;
	}
	if (cnt)
		qsort(arr, cnt, sizeof(*arr), by_pid);
	*out = arr;
	*n = cnt;
	return 0;
}

size_t holders_of(const struct holder *h, size_t n, const char *ifname, const struct holder **first)
{
	size_t cnt = 0;

	*first = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(h[i].ifname, ifname))
			continue;
		if (!cnt)
			*first = &h[i];
		cnt++;
	}
	return cnt;
}

static int by_dev(const void *a, const void *b)
{
	const struct holder *x = a, *y = b;
	int d = strcmp(x->ifname, y->ifname);

	return d ? d : by_pid(a, b);
}

void holders_by_dev(struct holder *h, size_t n)
{
	if (n)
		qsort(h, n, sizeof(*h), by_dev);
}

size_t holders_next(const struct holder *h, size_t n, size_t *pos, const char *ifname)
{
	size_t from;

	while (*pos < n && strcmp(h[*pos].ifname, ifname) < 0)
		(*pos)++;
	from = *pos;
	while (*pos < n && !strcmp(h[*pos].ifname, ifname))
		(*pos)++;
	return *pos - from;
}

size_t holders_text(const struct holder *h, size_t n, const char *ifname, char *buf, size_t len)
{
	size_t cnt = 0, used = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w;

		if (strcmp(h[i].ifname, ifname))
			continue;
		if (cnt++ >= HOLDERS_NAMED)
			continue;
		w = snprintf(buf + used, len - used, "%s%s (pid %d)", cnt > 1 ? ", " : "", h[i].comm, (int)h[i].pid);
		if (w < 0 || (size_t)w >= len - used)
			used = len ? len - 1 : 0;
		else
			used += (size_t)w;
	}
	if (cnt > HOLDERS_NAMED && used < len)
		snprintf(buf + used, len - used, " and %zu more", cnt - HOLDERS_NAMED);
	return cnt;
}

bool proc_has_cap(int cap)
{
	char buf[4096], *line;
	unsigned long long eff;

	if (read_file(AT_FDCWD, "/proc/self/status", buf, sizeof(buf)) ||
	    !(line = strstr(buf, "\nCapEff:")) || sscanf(line + 8, "%llx", &eff) != 1)
		return true;
	return cap >= 0 && cap < 64 && (eff >> cap) & 1;
}

int proc_promote_secondaries(const char *ifname, bool *on)
{
	char path[96], buf[16];
	int err;

	*on = false;
	if (strchr(ifname, '/'))
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/promote_secondaries", ifname);
	if ((err = read_file(AT_FDCWD, path, buf, sizeof(buf))))
		return err;
	*on = buf[0] != '0';
	return 0;
}
