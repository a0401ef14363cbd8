/* output.c - one call prints text or JSON, so both stay in step. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "vec.h"

void out_init(struct out *o, FILE *f, bool json)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->json = json;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void json_key(struct out *o, const char *key)
{
	if (o->has_item[o->depth])
		fputc(',', o->f);
	o->has_item[o->depth] = true;
	if (key) {
		json_string(o->f, key);
		fputc(':', o->f);
	}
}

static void open_container(struct out *o, const char *key, char c)
{
	if (!o->json)
		return;
	json_key(o, key);
	fputc(c, o->f);
	if (o->depth + 1 < OUT_MAXDEPTH)
		o->depth++;
	o->has_item[o->depth] = false;
}

static void close_container(struct out *o, char c)
{
	if (!o->json)
		return;
	fputc(c, o->f);
	if (o->depth > 0)
		o->depth--;
}

void out_obj_open(struct out *o, const char *key) { open_container(o, key, '{'); }
void out_obj_close(struct out *o) { close_container(o, '}'); }
void out_arr_open(struct out *o, const char *key) { open_container(o, key, '['); }
void out_arr_close(struct out *o) { close_container(o, ']'); }

/* fmt was checked at the call (output.h): not a literal here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void (out_str)(struct out *o, const char *key, const char *fmt, const char *val)
{
	if (o->json) {
		json_key(o, key);
		json_string(o->f, val);
	} else if (fmt) {
		fprintf(o->f, fmt, val);
	}
}

void (out_uint)(struct out *o, const char *key, const char *fmt, uint64_t val)
{
	if (o->json) {
		json_key(o, key);
		fprintf(o->f, "%llu", (unsigned long long)val);
	} else if (fmt) {
		fprintf(o->f, fmt, (unsigned long long)val);
	}
}

#pragma GCC diagnostic pop

void out_bool(struct out *o, const char *key, const char *fmt, bool val)
{
	if (o->json) {
		json_key(o, key);
		fputs(val ? "true" : "false", o->f);
	} else if (fmt && val) {
		fputs(fmt, o->f);
	}
}

void (out_opt_uint)(struct out *o, const char *key, const char *fmt, bool set, uint64_t val,
		  const char *unset_text)
{
	if (set) {
		(out_uint)(o, key, fmt, val);
	} else if (o->json) {
		json_key(o, key);
		fputs("null", o->f);
	} else if (unset_text) {
		fputs(unset_text, o->f);
	}
}

void out_text(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
}

void out_end(struct out *o)
{
	if (o->json)
		fputc('\n', o->f);
	fflush(o->f);
	/* The next document (batch mode) starts afresh. */
	o->depth = 0;
	memset(o->has_item, 0, sizeof(o->has_item));
}

void table_init(struct table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

int table_add(struct table *t, const char *const *row)
{
	{
		/* One element of the array is a row of ncols cells. */
		char **c = vec_grow(t->cells, &t->cap, t->nrows + 1, t->ncols * sizeof(*c));

		if (!c)
			return -ENOMEM;
		t->cells = c;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		char *s = strdup(row[i] ? row[i] : "");

		if (!s) {
			while (i-- > 0)
				free(t->cells[t->nrows * t->ncols + i]);
			return -ENOMEM;
		}
		t->cells[t->nrows * t->ncols + i] = s;
	}
	t->nrows++;
	return 0;
}

void table_print(const struct table *t, FILE *f)
{
	size_t w[16] = { 0 };

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols && c < 16; c++) {
			size_t l = strlen(t->cells[r * t->ncols + c]);

			if (l > w[c])
				w[c] = l;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];

			if (c + 1 == t->ncols)
				fprintf(f, "%s\n", s);
			else
				fprintf(f, "%-*s  ", (int)w[c], s);
		}
	}
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
