/* sink.c - collected output written with a deadline, stopped by SIGINT and
 * SIGTERM even on a full pipe. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "sink.h"

static volatile sig_atomic_t stop;
static volatile sig_atomic_t wake_fd = -1;

/* fcntl is async-signal-safe; errno is kept for the code interrupted. */
static void on_signal(int sig)
{
	int fd = wake_fd, saved = errno, fl;

	(void)sig;
	stop = 1;
	if (fd >= 0 && (fl = fcntl(fd, F_GETFL)) >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	errno = saved;
}

void sink_wake_on_stop(int fd)
{
	wake_fd = fd;
}

bool sink_stopping(void)
{
	return stop;
}

void sink_ctl_init(struct sink_ctl *c, bool masked)
{
	struct sigaction sa;

	memset(c, 0, sizeof(*c));
	c->masked = masked;
	memset(&sa, 0, sizeof(sa));
	/* No SA_RESTART: a wait or a stuck write returns EINTR. A second
	 * signal ends the process at once. */
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&c->sigs);
	sigaddset(&c->sigs, SIGINT);
	sigaddset(&c->sigs, SIGTERM);
	sigprocmask(SIG_SETMASK, NULL, &c->waitmask);
	sigdelset(&c->waitmask, SIGINT);
	sigdelset(&c->waitmask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Unmasked, they are let in even where the caller had them blocked:
	 * a read that blocks is ended by them alone. */
	sigprocmask(masked ? SIG_BLOCK : SIG_UNBLOCK, &c->sigs, NULL);
}

/* Where a write waits, SIGINT and SIGTERM are let in only inside its ppoll,
 * blocked from the check of stop until then; masked, they stay blocked but
 * in ppoll. */
static void block_signals(struct sink_ctl *c, bool block)
{
	if (!c->masked)
		sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &c->sigs, NULL);
}

/* Regular files and devices such as /dev/null take every write at once. */
bool sink_may_block(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false;   /* closed: the write fails at once */
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || (S_ISCHR(st.st_mode) && isatty(fd));
}

bool sink_discards(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

/* Once stopping, writes get 200 ms in all, counted from the first of them:
 * the time left of that, false when none is. */
static bool time_left(struct sink_ctl *c, struct timespec *left)
{
	struct timespec now;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!c->deadline_set) {
		c->deadline = now;
		c->deadline.tv_nsec += 200 * 1000 * 1000;
		if (c->deadline.tv_nsec >= 1000 * 1000 * 1000) {
			c->deadline.tv_sec++;
			c->deadline.tv_nsec -= 1000 * 1000 * 1000;
		}
		c->deadline_set = true;
	}
	ns = (long long)(c->deadline.tv_sec - now.tv_sec) * 1000000000LL + (c->deadline.tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return false;
	left->tv_sec = (time_t)(ns / 1000000000LL);
	left->tv_nsec = (long)(ns % 1000000000LL);
	return true;
}

/* The reader gone is EPIPE, with SIGPIPE ignored; after the time is up,
 * what has room at once is still written.
 *
 * Where fd can block, it waits for room in ppoll, the one place SIGINT and
 * SIGTERM are let in, and then writes no more than PIPE_BUF bytes, which a
 * pipe with room takes without blocking: a signal can neither slip in
 * between the check of stop and a write that then blocks for ever, nor be
 * needed twice. */
int sink_write(struct sink_ctl *c, int fd, bool blocking, const char *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t chunk = len - off;
		ssize_t n;

		if (blocking) {
			struct pollfd pfd = { fd, POLLOUT, 0 };
			struct timespec left;
			int ready, err;

			block_signals(c, true);
			if (stop && !time_left(c, &left))
				left = (struct timespec){ 0, 0 };       /* what has room now */
			ready = ppoll(&pfd, 1, stop ? &left : NULL, &c->waitmask);
			err = errno;
			block_signals(c, false);
			if (ready < 0 && err == EINTR)
				continue;       /* stopping now: wait again, within the time left */
			if (ready < 0)
				return -err;
			if (ready == 0)
				return 1;       /* stopping, and no room came in time */
			if (chunk > PIPE_BUF)
				chunk = PIPE_BUF;
		}
		n = write(fd, buf + off, chunk);
		if (n >= 0) {
			off += (size_t)n;
		} else if (errno == EPIPE) {
			stop = 1;
			return 1;
		} else if (errno == EAGAIN) {
			/* Non-blocking after all: wait in ppoll from now on, and
			 * pause, in case ppoll says there is room when there is
			 * none (some file systems). */
			struct timespec left, pause = { 0, 10 * 1000 * 1000 };

			if (stop && !time_left(c, &left))
				return 1;
			blocking = true;
			nanosleep(&pause, NULL);
		} else if (errno != EINTR) {
			return -errno;
		}
	}
	return 0;
}

void sink_init(struct sink *k, int fd)
{
	memset(k, 0, sizeof(*k));
	k->fd = fd;
	k->blocking = sink_may_block(fd);
}

char *sink_room(struct sink *k, size_t n)
{
	if (k->cap - k->len < n) {
		size_t cap = k->cap ? k->cap : 65536;
		char *b;

		while (cap - k->len < n) {
			if (cap > SIZE_MAX / 2)
				goto nomem;
			cap *= 2;
		}
		if (!(b = realloc(k->buf, cap)))
			goto nomem;
		k->buf = b;
		k->cap = cap;
	}
	return k->buf + k->len;
nomem:
	k->err = -ENOMEM;
	return NULL;
}

int sink_put(struct sink *k, const void *p, size_t n)
{
	char *room = sink_room(k, n);

	if (!room)
		return -ENOMEM;
	memcpy(room, p, n);
	k->len += n;
	return 0;
}

static ssize_t stream_write(void *cookie, const char *buf, size_t n)
{
	if (sink_put(cookie, buf, n)) {
		errno = ENOMEM;
		return -1;
	}
	return (ssize_t)n;
}

FILE *sink_stream(struct sink *k)
{
	if (!k->stream)
		k->stream = fopencookie(k, "w", (cookie_io_functions_t){ .write = stream_write });
	return k->stream;
}

int sink_flush(struct sink_ctl *c, struct sink *k)
{
	int err;

	if (k->stream && fflush(k->stream) && !k->err)
		k->err = -(errno ? errno : EIO);
	if (k->err) {
		err = k->err;
		k->len = 0;
		return err;
	}
	/* Nothing collected since the last time: the stream stays as it is. */
	if (!k->len)
		return 0;
	err = 0;
	if (!k->dead && (err = sink_write(c, k->fd, k->blocking, k->buf, k->len)) > 0) {
		k->dead = true;
		err = 0;
	}
	k->len = 0;
	return err;
}

void sink_free(struct sink *k)
{
	if (k->stream)
		fclose(k->stream);
	free(k->buf);
	k->stream = NULL;
	k->buf = NULL;
	k->len = k->cap = 0;
}
