/* output.c - one call prints text or JSON, so both stay in step. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

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

void cols_init(struct cols *c, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->n = n < COLS_MAX ? n : COLS_MAX;
}

void cols_measure(struct cols *c, const char *const *row)
{
	for (size_t i = 0; i < c->n; i++) {
		size_t l = strlen(row[i] ? row[i] : "");

		if (l > c->w[i])
			c->w[i] = l;
	}
}

void cols_print(const struct cols *c, FILE *f, const char *const *row)
{
	for (size_t i = 0; i < c->n; i++) {
		const char *s = row[i] ? row[i] : "";

		if (i + 1 == c->n)
			fprintf(f, "%s\n", s);
		else
			fprintf(f, "%-*s  ", (int)c->w[i], s);
	}
}
