/* output.h - text and JSON from the same calls; escaping lives only here. */
#ifndef TUNCTL_OUTPUT_H
#define TUNCTL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define OUT_MAXDEPTH 16

struct out {
	FILE *f;
	bool json;
	int depth;
	bool has_item[OUT_MAXDEPTH];
};

void out_init(struct out *o, FILE *f, bool json);

/* key is NULL inside an array and at the top level.  In text mode the
 * containers print nothing. */
void out_obj_open(struct out *o, const char *key);
void out_obj_close(struct out *o);
void out_arr_open(struct out *o, const char *key);
void out_arr_close(struct out *o);

/* JSON: "key": value.  Text: fmt with the value (nothing if fmt is NULL). */
void out_str(struct out *o, const char *key, const char *fmt, const char *val);
void out_uint(struct out *o, const char *key, const char *fmt, uint64_t val);
void out_bool(struct out *o, const char *key, const char *fmt, bool val);
/* A number, or null when !set; text prints fmt with the number, or unset_text. */
void out_opt_uint(struct out *o, const char *key, const char *fmt, bool set, uint64_t val,
		  const char *unset_text);
/* The compiler checks each call's fmt against its value as it does printf's
 * (a NULL fmt as the value's plain conversion): out_fmt_check is named only
 * inside sizeof, never called nor defined. */
int out_fmt_check(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define OUT_FMT_CHECK(fmt, plain, val) ((void)sizeof(out_fmt_check((fmt) ? (fmt) : plain, val)))
#define out_str(o, key, fmt, val) \
	(OUT_FMT_CHECK(fmt, "%s", (const char *)(val)), (out_str)(o, key, fmt, val))
#define out_uint(o, key, fmt, val) \
	(OUT_FMT_CHECK(fmt, "%llu", (unsigned long long)(val)), (out_uint)(o, key, fmt, val))
#define out_opt_uint(o, key, fmt, set, val, unset_text) \
	(OUT_FMT_CHECK(fmt, "%llu", (unsigned long long)(val)), (out_opt_uint)(o, key, fmt, set, val, unset_text))
/* Text only. */
void out_text(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the document (a newline after JSON). */
void out_end(struct out *o);

/* An aligned table for text listings, printed in two passes over the same
 * rows so that no cell is kept: every row measured, then every row printed,
 * each column padded to its widest cell and two spaces apart. */
#define COLS_MAX 16
struct cols {
	size_t n;
	size_t w[COLS_MAX];
};
void cols_init(struct cols *c, size_t n);
void cols_measure(struct cols *c, const char *const *row);
void cols_print(const struct cols *c, FILE *f, const char *const *row);

#endif
