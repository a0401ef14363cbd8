/* json.c - pure: the strict JSON reader of json.h.  One pass, recursive
 * descent bounded by JSON_MAXDEPTH; every decoded string goes to one arena
 * as long as the input (a decoded string is never longer than its source
 * with its quotes), so the strings never move. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "vec.h"

struct jp {
	const unsigned char *p, *start, *end;
	char *arena;
	size_t apos;
	struct json *nodes;
	size_t n, cap;
	char *err;
	size_t errlen;
	bool failed;
};

static bool fail(struct jp *j, const unsigned char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool fail(struct jp *j, const unsigned char *at, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (j->failed)
		return false;
	j->failed = true;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(j->err, j->errlen, "invalid JSON at byte %zu: %s", (size_t)(at - j->start), what);
	return false;
}

/* While parsing, kid and next hold node indexes (0: none, as the root is
 * nobody's kid or next), for the array may move as it grows; json_parse
 * turns them into pointers at the end. */
#define IDX(i) ((const struct json *)(uintptr_t)(i))
#define UNIDX(p) ((size_t)(uintptr_t)(p))

static long new_node(struct jp *j, enum json_type t)
{
	struct json *v = vec_grow(j->nodes, &j->cap, j->n + 1, sizeof(*v));

	if (!v) {
		fail(j, j->p, "out of memory");
		return -1;
	}
	j->nodes = v;
	memset(&v[j->n], 0, sizeof(*v));
	v[j->n].type = t;
	return (long)j->n++;
}

static void skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex4(struct jp *j, const unsigned char *p, uint32_t *out)
{
	*out = 0;
	if (j->end - p < 4)
		return fail(j, p, "a \\u escape needs four hex digits");
	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);

		if (h < 0)
			return fail(j, p + i, "a \\u escape needs four hex digits");
		*out = *out << 4 | (uint32_t)h;
	}
	return true;
}

static void put_utf8(struct jp *j, uint32_t c)
{
	char *o = j->arena + j->apos;

	if (c < 0x80) {
		o[0] = (char)c;
		j->apos += 1;
	} else if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		j->apos += 2;
	} else if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | (c >> 6 & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		j->apos += 3;
	} else {
		o[0] = (char)(0xf0 | c >> 18);
		o[1] = (char)(0x80 | (c >> 12 & 0x3f));
		o[2] = (char)(0x80 | (c >> 6 & 0x3f));
		o[3] = (char)(0x80 | (c & 0x3f));
		j->apos += 4;
	}
}

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n, avail = (size_t)(end - p);
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (avail < n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* At the opening quote: decodes the string into the arena; *s and *len
 * say where. */
static bool string(struct jp *j, const char **s, size_t *len)
{
	size_t from = j->apos;

	j->p++;
	for (;;) {
		const unsigned char *at = j->p;

		if (j->p >= j->end)
			return fail(j, at, "a string is not closed");
		if (*j->p == '"') {
			j->p++;
			break;
		}
		if (*j->p < 0x20)
			return fail(j, at, "a control character (0x%02x) in a string must be escaped", *j->p);
		if (*j->p == '\\') {
			uint32_t c, lo;

			if (j->end - j->p < 2)
				return fail(j, at, "a string is not closed");
			switch (j->p[1]) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				if (!hex4(j, j->p + 2, &c))
					return false;
				if (c >= 0xdc00 && c <= 0xdfff)
					return fail(j, at, "a lone low surrogate \\u%04x", (unsigned)c);
				if (c >= 0xd800 && c <= 0xdbff) {
					if (j->end - j->p < 12 || j->p[6] != '\\' || j->p[7] != 'u' ||
					    !hex4(j, j->p + 8, &lo) || lo < 0xdc00 || lo > 0xdfff)
						return fail(j, at, "a high surrogate \\u%04x without its low half",
							    (unsigned)c);
					c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
					j->p += 6;
				}
				if (c == 0)
					return fail(j, at, "\\u0000 in a string is not supported");
				put_utf8(j, c);
				j->p += 6;
				continue;
			default:
				return fail(j, at, "unknown escape \\%c", j->p[1] >= 0x20 && j->p[1] < 0x7f ? j->p[1] : '?');
			}
			j->arena[j->apos++] = (char)c;
			j->p += 2;
			continue;
		}
		{
			size_t n = utf8_len(j->p, j->end);

			if (!n)
				return fail(j, at, "invalid UTF-8 in a string");
			memcpy(j->arena + j->apos, j->p, n);
			j->apos += n;
			j->p += n;
		}
	}
	*s = j->arena + from;
	*len = j->apos - from;
	j->arena[j->apos++] = '\0';
	return true;
}

static bool digits(struct jp *j)
{
	const unsigned char *p = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > p;
}

/* The number's text is copied to the arena, NUL-terminated. */
static bool number(struct jp *j, struct json *v)
{
	const unsigned char *from = j->p;

	if (*j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!digits(j))
		return fail(j, from, "a number needs a digit");
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!digits(j))
			return fail(j, j->p, "a number needs a digit after its '.'");
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!digits(j))
			return fail(j, j->p, "a number needs a digit in its exponent");
	}
	v->len = (size_t)(j->p - from);
	memcpy(j->arena + j->apos, from, v->len);
	v->s = j->arena + j->apos;
	j->apos += v->len;
	j->arena[j->apos++] = '\0';
	return true;
}

static bool literal(struct jp *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n))
		return fail(j, j->p, "expected a value");
	j->p += n;
	return true;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Duplicate names, found by sorting them: an object may be large. */
static bool unique_keys(struct jp *j, size_t obj, const unsigned char *at)
{
	size_t n = j->nodes[obj].len, k = 0;
	const char **keys;
	bool ok = true;

	if (n < 2)
		return true;
	if (!(keys = malloc(n * sizeof(*keys))))
		return fail(j, at, "out of memory");
	for (size_t i = UNIDX(j->nodes[obj].kid); i; i = UNIDX(j->nodes[i].next))
		keys[k++] = j->nodes[i].key;
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (size_t i = 1; i < n && ok; i++)
		if (!strcmp(keys[i - 1], keys[i]))
			ok = fail(j, at, "the name \"%.60s\" appears twice in an object", keys[i]);
	free(keys);
	return ok;
}

static long value(struct jp *j, int depth);

/* An array or an object, at its bracket. */
static bool container(struct jp *j, size_t self, int depth)
{
	bool obj = j->nodes[self].type == JSON_OBJECT;
	const unsigned char *open = j->p;
	char close = obj ? '}' : ']';
	size_t last = 0;

	if (depth >= JSON_MAXDEPTH)
		return fail(j, j->p, "nested deeper than %d", JSON_MAXDEPTH);
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		const char *key = NULL;
		size_t klen;
		long kid;

		skip_ws(j);
		if (obj) {
			if (j->p >= j->end || *j->p != '"')
				return fail(j, j->p, "expected a member name in quotes");
			if (!string(j, &key, &klen))
				return false;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return fail(j, j->p, "expected ':' after a member name");
			j->p++;
		}
		if ((kid = value(j, depth + 1)) < 0)
			return false;
		j->nodes[kid].key = key;
		if (last)
			j->nodes[last].next = IDX(kid);
		else
			j->nodes[self].kid = IDX(kid);
		last = (size_t)kid;
		j->nodes[self].len++;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			break;
		}
		return fail(j, j->p, "expected ',' or '%c'", close);
	}
	return !obj || unique_keys(j, self, open);
}

/* Returns the node's index, or -1. */
static long value(struct jp *j, int depth)
{
	long v;

	skip_ws(j);
	if (j->p >= j->end) {
		fail(j, j->p, "expected a value, found the end");
		return -1;
	}
	switch (*j->p) {
	case '{':
	case '[':
		if ((v = new_node(j, *j->p == '{' ? JSON_OBJECT : JSON_ARRAY)) < 0 || !container(j, (size_t)v, depth))
			return -1;
		return v;
	case '"':
		if ((v = new_node(j, JSON_STRING)) < 0 || !string(j, &j->nodes[v].s, &j->nodes[v].len))
			return -1;
		return v;
	case 't':
		return (v = new_node(j, JSON_TRUE)) >= 0 && literal(j, "true") ? v : -1;
	case 'f':
		return (v = new_node(j, JSON_FALSE)) >= 0 && literal(j, "false") ? v : -1;
	case 'n':
		return (v = new_node(j, JSON_NULL)) >= 0 && literal(j, "null") ? v : -1;
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return (v = new_node(j, JSON_NUMBER)) >= 0 && number(j, &j->nodes[v]) ? v : -1;
		fail(j, j->p, "expected a value");
		return -1;
	}
}

bool json_parse(struct json_doc *d, const char *text, size_t len, char *err, size_t errlen)
{
	struct jp j = {
		.p = (const unsigned char *)text, .start = (const unsigned char *)text,
		.end = (const unsigned char *)text + len, .err = err, .errlen = errlen,
	};

	memset(d, 0, sizeof(*d));
	if (errlen)
		err[0] = '\0';
	/* Room for every decoded string and number with its NUL: never more
	 * than the input. */
	if (!(j.arena = malloc(len + 1))) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	if (value(&j, 0) >= 0) {
		skip_ws(&j);
		if (j.p != j.end)
			fail(&j, j.p, "something after the value");
	}
	if (j.failed) {
		free(j.nodes);
		free(j.arena);
		return false;
	}
	for (size_t i = 0; i < j.n; i++) {
		size_t k = UNIDX(j.nodes[i].kid), nx = UNIDX(j.nodes[i].next);

		j.nodes[i].kid = k ? &j.nodes[k] : NULL;
		j.nodes[i].next = nx ? &j.nodes[nx] : NULL;
	}
	d->nodes = j.nodes;
	d->n = j.n;
	d->arena = j.arena;
	return true;
}

void json_free(struct json_doc *d)
{
	free(d->nodes);
	free(d->arena);
	memset(d, 0, sizeof(*d));
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (const struct json *v = obj->kid; v; v = v->next)
		if (!strcmp(v->key, key))
			return v;
	return NULL;
}

const struct json *json_get_type(const struct json *obj, const char *key, enum json_type t, bool *bad)
{
	const struct json *v = json_get(obj, key);

	if (!v)
		return NULL;
	/* true and false are one type to a caller. */
	if (v->type == t || (t == JSON_TRUE && v->type == JSON_FALSE))
		return v;
	*bad = true;
	return NULL;
}

const char *json_str(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? v->s : NULL;
}

bool json_uint(const struct json *v, uint32_t max, uint32_t *out)
{
	uint64_t n = 0;

	if (!v || v->type != JSON_NUMBER || v->len > 10 || v->s[0] == '-')
		return false;
	for (size_t i = 0; i < v->len; i++) {
		if (v->s[i] < '0' || v->s[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(v->s[i] - '0');
	}
	if (n > max)
		return false;
	*out = (uint32_t)n;
	return true;
}

const char *json_type_name(enum json_type t)
{
	switch (t) {
	case JSON_NULL: return "null";
	case JSON_FALSE:
	case JSON_TRUE: return "a boolean";
	case JSON_NUMBER: return "a number";
	case JSON_STRING: return "a string";
	case JSON_ARRAY: return "an array";
	case JSON_OBJECT: return "an object";
	}
	return "?";
}
