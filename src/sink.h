/* sink.h - output a program collects in memory and writes itself, in
 * bursts, to a descriptor that may be a pipe nobody reads: SIGINT and
 * SIGTERM stop the run even then, and once it is stopping the writes end
 * by a deadline. It knows nothing of what it writes or why.
 *
 * stdio is not used for the writing: it would go on writing the rest of a
 * partly written buffer after a signal cut a write to a full pipe short,
 * and never stop. */
#ifndef TUNCTL_SINK_H
#define TUNCTL_SINK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* What the sinks of a run share: the signals that stop it and the
 * deadline once it is stopping. */
struct sink_ctl {
	sigset_t sigs;          /* SIGINT and SIGTERM */
	sigset_t waitmask;      /* the mask inside ppoll: without them */
	bool masked;            /* signals stay blocked but in ppoll */
	bool deadline_set;      /* stopping: writes end by deadline */
	struct timespec deadline;
};

/* Catches SIGINT and SIGTERM (a second one ends the process at once), with
 * no SA_RESTART: a system call they interrupt fails with EINTR.
 * masked: they stay blocked but inside a ppoll (sink_write's, or the
 * caller's with waitmask), for a caller that only ever waits in ppoll;
 * unmasked, they are let in everywhere but in sink_write's check of the
 * stop flag before its ppoll. */
void sink_ctl_init(struct sink_ctl *c, bool masked);
/* Whether a signal (or a reader that went away) stopped the run. */
bool sink_stopping(void);
/* Unmasked, for a loop that checks sink_stopping and then makes a blocking
 * read of fd: a signal that comes between the check and the read would
 * leave the read blocked until data came. The handler therefore makes fd
 * non-blocking (O_NONBLOCK, which the file's description keeps), so that
 * such a read fails with EAGAIN at once; one that comes while the read
 * blocks ends it with EINTR. The read must be one whose driver looks at
 * O_NONBLOCK when each read begins. A reader gone (EPIPE) stops the run
 * with no signal and leaves fd as it is: look at sink_stopping after the
 * writes, before the read. -1: none (before fd is closed). */
void sink_wake_on_stop(int fd);

/* Whether a write to fd can block for long: a pipe, a socket, a terminal. */
bool sink_may_block(int fd);
/* Whether fd is /dev/null, where output would go unread. */
bool sink_discards(int fd);

/* Writes buf to fd. Returns 0 when it is written; 1 when the run stops
 * first and the rest is dropped (the reader is gone, or once stopping no
 * room came in time); -errno when a write fails. */
int sink_write(struct sink_ctl *c, int fd, bool blocking, const char *buf, size_t len);

/* Bytes collected for one descriptor; the buffer is kept from burst to
 * burst. */
struct sink {
	int fd;
	bool blocking;          /* fd can block (sink_may_block) */
	bool dead;              /* output was dropped: write no more */
	int err;                /* -ENOMEM once collecting failed; reported by sink_flush */
	char *buf;
	size_t len, cap;
	FILE *stream;           /* sink_stream's, or NULL */
};

void sink_init(struct sink *k, int fd);
/* Room for n more bytes at the end of what is collected, to be counted
 * with sink_add; NULL (and the error kept for sink_flush) when there is no
 * memory for it. */
char *sink_room(struct sink *k, size_t n);
static inline void sink_add(struct sink *k, size_t n)
{
	k->len += n;
}
/* Appends n bytes. Returns 0 or -ENOMEM. */
int sink_put(struct sink *k, const void *p, size_t n);
/* Bytes collected and not yet written (a stream's once it is flushed). */
static inline size_t sink_pending(const struct sink *k)
{
	return k->len;
}
/* A stdio stream whose output is collected in k, for code that prints to
 * a FILE; made once, closed by sink_free. Flush it before appending to k
 * otherwise. NULL when it cannot be made (errno). */
FILE *sink_stream(struct sink *k);
/* Writes what k collected. Once part of its output was dropped, nothing
 * more is written to it, so a stream (pcap) is not continued after a cut
 * record. Returns 0 or -errno. */
int sink_flush(struct sink_ctl *c, struct sink *k);
void sink_free(struct sink *k);

#endif
