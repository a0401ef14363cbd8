/* link.c - pure: the table of link settings (link.h) and what each kind of
 * value needs: parsing, comparing, copying, its text. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "link.h"

#define LINK_ROW(id, nm, add, set, ...) \
	[LINK_##id] = { .name = nm, .dashed = "--" nm, .help_add = add, .help_set = set, __VA_ARGS__ },

const struct link_setting link_settings[LINK_N] = {
	LINK_SETTINGS(LINK_ROW)
	[LINK_STATE] = { .name = "state", .kind = LK_STATE,
			 .has = offsetof(struct link_spec, set_updown), .val = offsetof(struct link_spec, up) },
};

static bool *has_of(const struct link_setting *s, struct link_spec *l)
{
	return (bool *)((char *)l + s->has);
}

static void *val_of(const struct link_setting *s, struct link_spec *l)
{
	return (char *)l + s->val;
}

static const void *cval_of(const struct link_setting *s, const struct link_spec *l)
{
	return (const char *)l + s->val;
}

/* The size of s's value in struct link_spec. */
static size_t val_size(const struct link_setting *s)
{
	switch (s->kind) {
	case LK_U32: return sizeof(uint32_t);
	case LK_MAC: return 6;
	case LK_STATE: return sizeof(bool);
	case LK_TEXT: return (size_t)s->max + 1;
	case LK_DEV: return sizeof(struct dev_ref);
	}
	return 0;
}

bool link_has(const struct link_setting *s, const struct link_spec *l)
{
	return *(const bool *)((const char *)l + s->has);
}

bool link_any(const struct link_spec *l)
{
	for (size_t i = 0; i < LINK_N; i++)
		if (link_has(&link_settings[i], l))
			return true;
	return false;
}

bool link_same(const struct link_setting *s, const struct link_spec *a, const struct link_spec *b)
{
	switch (s->kind) {
	case LK_TEXT:
		return !strcmp(cval_of(s, a), cval_of(s, b));
	case LK_STATE:
		return !*(const bool *)cval_of(s, a) == !*(const bool *)cval_of(s, b);
	case LK_DEV:
		return !strcmp(((const struct dev_ref *)cval_of(s, a))->name,
			       ((const struct dev_ref *)cval_of(s, b))->name);
	default:
		return !memcmp(cval_of(s, a), cval_of(s, b), val_size(s));
	}
}

void link_copy(const struct link_setting *s, struct link_spec *dst, const struct link_spec *src)
{
	*has_of(s, dst) = link_has(s, src);
	memcpy(val_of(s, dst), cval_of(s, src), val_size(s));
}

const char *link_text(const struct link_setting *s, const struct link_spec *l, char *buf, size_t len)
{
	const void *v = cval_of(s, l);
	char m[18];

	switch (s->kind) {
	case LK_U32:
		snprintf(buf, len, "%u", *(const uint32_t *)v);
		break;
	case LK_MAC:
		format_mac(v, m);
		snprintf(buf, len, "%s", m);
		break;
	case LK_TEXT:
		snprintf(buf, len, "%s", (const char *)v);
		break;
	case LK_STATE:
		snprintf(buf, len, "%s", *(const bool *)v ? "up" : "down");
		break;
	case LK_DEV:
		snprintf(buf, len, "%s", ((const struct dev_ref *)v)->name);
		break;
	}
	return buf;
}

const void *link_value(const struct link_setting *s, const struct link_spec *l)
{
	return cval_of(s, l);
}

bool link_set_raw(const struct link_setting *s, struct link_spec *l, const void *data, size_t len)
{
	switch (s->kind) {
	case LK_TEXT:
		if (len && !((const char *)data)[len - 1])
			len--;
		if (len > s->max || memchr(data, '\0', len))
			return false;
		memcpy(val_of(s, l), data, len);
		((char *)val_of(s, l))[len] = '\0';
		break;
	case LK_STATE:
		return false;
	case LK_DEV: {
		/* The attribute: the index, whose name the reader finds. */
		struct dev_ref *d = val_of(s, l);

		if (len != sizeof(uint32_t))
			return false;
		memset(d, 0, sizeof(*d));
		memcpy(&d->index, data, sizeof(uint32_t));
		break;
	}
	default:
		if (len != val_size(s))
			return false;
		memcpy(val_of(s, l), data, len);
	}
	*has_of(s, l) = true;
	return true;
}

bool link_parse(const struct link_setting *s, const char *val, struct link_spec *l, char *err, size_t errlen)
{
	size_t n;

	switch (s->kind) {
	case LK_U32:
		if (!parse_u32(val, s->min, UINT32_MAX, val_of(s, l))) {
			snprintf(err, errlen, "invalid %s \"%s\" (a number from %u to 4294967295)", s->noun, val, s->min);
			return false;
		}
		break;
	case LK_MAC:
		if (!parse_mac(val, val_of(s, l), err, errlen))
			return false;
		break;
	case LK_TEXT:
		if ((n = strlen(val)) > s->max) {
			snprintf(err, errlen, "--%s: \"%.16s...\" is %zu bytes long; the kernel keeps at most %u",
				 s->name, val, n, s->max);
			return false;
		}
		for (const unsigned char *p = (const unsigned char *)val; *p; p++)
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(err, errlen, "--%s: byte %zu is a control character (0x%02x): use printable text",
					 s->name, (size_t)(p - (const unsigned char *)val) + 1, *p);
				return false;
			}
		memcpy(val_of(s, l), val, n + 1);
		break;
	case LK_DEV: {
		struct dev_ref *d = val_of(s, l);
		char e[ERRLEN];

		if (!parse_ifname(val, false, e, sizeof(e))) {
			snprintf(err, errlen, "--%s: %s", s->name, e);
			return false;
		}
		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "%s", val);
		break;
	}
	case LK_STATE:
		return false;
	}
	*has_of(s, l) = true;
	return true;
}
