/* failmalloc.c - an LD_PRELOAD shim for tests/faults/drive: fails one chosen
 * allocation, or counts them.
 *
 *   FAILMALLOC_NTH=N     the Nth malloc/calloc/realloc returns NULL (ENOMEM)
 *   FAILMALLOC_COUNT=F   at exit, the number of allocations is written to F
 *   FAILMALLOC_TRACE=F   the backtrace of the failed allocation goes to F
 *
 * Counting starts in this library's constructor: the dynamic loader and
 * libc have initialised by then and main is next, so allocations the
 * loader makes for itself are neither counted nor failed. Allocations libc
 * makes on the program's behalf (stdio buffers, getline, opendir, NSS) are:
 * the program has to cope when those functions fail.
 *
 * glibc calls malloc through the interposable symbol, also internally, and
 * exports its own implementation as __libc_malloc and friends, which is what
 * the real allocation is handed to (dlsym would allocate itself). */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t nmemb, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);

static int active;
static unsigned long nth, count;
static const char *count_file, *trace_file;

static int should_fail(void)
{
	unsigned long n;

	if (!__atomic_load_n(&active, __ATOMIC_ACQUIRE))
		return 0;
	n = __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED);
	if (!nth || n != nth)
		return 0;
	if (trace_file) {
		void *frames[64];
		int fd = open(trace_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd >= 0) {
			backtrace_symbols_fd(frames, backtrace(frames, 64), fd);
			close(fd);
		}
	}
	errno = ENOMEM;
	return 1;
}

void *malloc(size_t size)
{
	return should_fail() ? NULL : __libc_malloc(size);
}

void *calloc(size_t nmemb, size_t size)
{
	return should_fail() ? NULL : __libc_calloc(nmemb, size);
}

void *realloc(void *ptr, size_t size)
{
	/* realloc(p, 0) frees: not an allocation that can fail. */
	if (ptr && !size)
		return __libc_realloc(ptr, size);
	return should_fail() ? NULL : __libc_realloc(ptr, size);
}

__attribute__((constructor)) static void failmalloc_init(void)
{
	const char *s = getenv("FAILMALLOC_NTH");

	nth = s ? strtoul(s, NULL, 10) : 0;
	count_file = getenv("FAILMALLOC_COUNT");
	trace_file = getenv("FAILMALLOC_TRACE");
	if (trace_file) {
		/* The first backtrace() loads libgcc_s, allocating: do it now. */
		void *frame;

		backtrace(&frame, 1);
	}
	__atomic_store_n(&active, 1, __ATOMIC_RELEASE);
}

__attribute__((destructor)) static void failmalloc_fini(void)
{
	char buf[32];
	int fd, len;

	__atomic_store_n(&active, 0, __ATOMIC_RELEASE);
	if (!count_file)
		return;
	fd = open(count_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	len = snprintf(buf, sizeof(buf), "%lu\n", __atomic_load_n(&count, __ATOMIC_RELAXED));
	if (write(fd, buf, len) != len)
		(void)unlink(count_file);
	close(fd);
}
