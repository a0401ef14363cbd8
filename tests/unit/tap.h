/* tap.h - a few lines of TAP for the C unit tests (run by automake's TAP driver). */
#ifndef TUNCTL_TAP_H
#define TUNCTL_TAP_H

#include <stdio.h>

static int tap_count, tap_failed;

#define ok(cond, ...) do { \
	int ok_ = !!(cond); \
	tap_count++; \
	printf("%sok %d - ", ok_ ? "" : "not ", tap_count); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	if (!ok_) { \
		tap_failed++; \
		printf("# failed at %s:%d\n", __FILE__, __LINE__); \
	} \
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
