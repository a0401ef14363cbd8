/* json.h - pure: a small strict JSON reader (RFC 8259) for untrusted input,
 * the CNI plugin's configuration and its IPAM plugin's answer.  No I/O, no
 * printing, no globals; fuzzed by fuzz/fuzz_json.c.
 *
 * Strict on purpose: what it takes, Go's encoding/json (the runtime's and
 * the IPAM plugin's writer) also takes and reads the same way.  Refused:
 * anything after the value, comments, trailing commas, invalid UTF-8 and
 * lone surrogates, control characters in strings, "\u0000" (strings are C
 * strings here), duplicate member names (which readers resolve
 * differently), nesting deeper than JSON_MAXDEPTH. */
#ifndef TUNCTL_JSON_H
#define TUNCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAXDEPTH 64

enum json_type { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	const char *key;        /* member name in its object, else NULL */
	const char *s;          /* string: decoded; number: its text; else NULL */
	size_t len;             /* string or number: bytes; array, object: members */
	const struct json *kid; /* array, object: the first member, else NULL */
	const struct json *next;/* the next member of the parent, or NULL */
};

struct json_doc {
	struct json *nodes;     /* nodes[0] is the root */
	size_t n;
	char *arena;            /* every decoded string, NUL-terminated */
};

/* Parses text[0..len) (need not be NUL-terminated).  False with the reason,
 * naming the byte offset, in err; d is then empty (json_free is harmless). */
bool json_parse(struct json_doc *d, const char *text, size_t len, char *err, size_t errlen);
void json_free(struct json_doc *d);

static inline const struct json *json_root(const struct json_doc *d)
{
	return d->n ? &d->nodes[0] : NULL;
}

/* The member called key of obj, or NULL (also when obj is not an object). */
const struct json *json_get(const struct json *obj, const char *key);
/* The member if it has that type, NULL if it is absent; *bad (never reset)
 * set when it is there with another type. */
const struct json *json_get_type(const struct json *obj, const char *key, enum json_type t, bool *bad);
/* A string member, or NULL (absent or not a string). */
const char *json_str(const struct json *obj, const char *key);
/* A number that is an integer in [0, max], written without fraction or
 * exponent, as Go writes one. */
bool json_uint(const struct json *v, uint32_t max, uint32_t *out);
const char *json_type_name(enum json_type t);

#endif
