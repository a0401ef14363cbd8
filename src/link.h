/* link.h - pure: the table of link settings.  One row per setting a
 * device's link has (MTU, MAC, ...): its option, how its value is parsed,
 * the netlink attribute that sets it and that a dump carries it in, how
 * show prints it (text and ip -j's key), how save writes it (undo reads it
 * back by its attribute, as the dump does).  add, set, save, apply, show
 * and undo walk the rows; a new link setting is a row here and its field in struct link_spec (parse.h). */
#ifndef TUNCTL_LINK_H
#define TUNCTL_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/if_link.h>

#include "parse.h"

/* Room for any setting's text (link_text): an alias's 255 bytes and NUL. */
#define LINK_TEXT_LEN 256

enum link_kind {
	LK_U32,                 /* a number, min..UINT32_MAX */
	LK_MAC,                 /* 6 bytes */
	LK_TEXT,                /* printable text of at most max bytes; "" clears it */
	LK_STATE,               /* up or down: ifi_flags' IFF_UP, not an attribute */
	LK_DEV,                 /* a device (struct dev_ref): by name; its index, a u32,
				 * is found when sent (devconf.c) and its name when read
				 * (dumps.c); "" and 0: none */
};

#define LINK_SPEC_FIELD(f) .has = offsetof(struct link_spec, has_##f), .val = offsetof(struct link_spec, f)
/* A text field: its room, less the NUL, is its limit. */
#define LINK_TEXT_FIELD(f) LINK_SPEC_FIELD(f), .max = sizeof(((struct link_spec *)0)->f) - 1

/* The settings given as --NAME VALUE, in the order of their requests, of
 * save's words, of apply's plan and of show's lines.  Each row:
 *   X(ID, "name", "add's --help line", "set's --help words", row...)
 * where row is the rest of struct link_setting, designated.  The commands'
 * option lists and --help (commands.c) are made from the first four. */
#define LINK_SETTINGS(X)                                                                          \
	X(MTU, "mtu", "  --mtu N               MTU\n", "  --mtu N",                               \
	  .kind = LK_U32, .min = 1, .noun = "MTU", LINK_SPEC_FIELD(mtu), .ifla = IFLA_MTU,        \
	  .json = "mtu", .word = "mtu", .ip_words = { "mtu" })                                    \
	X(MAC, "mac", "  --mac ADDR            MAC address (tap only)\n", "  --mac ADDR",         \
	  .kind = LK_MAC, .value_kind = "a MAC address", LINK_SPEC_FIELD(mac),                    \
	  .ifla = IFLA_ADDRESS, .json = "address", .word = "mac", .own_line = true,               \
	  .ip_words = { "address" })                                                              \
	X(TXQLEN, "txqueuelen", "  --txqueuelen N        transmit queue length\n",                \
	  "  --txqueuelen N",                                                                     \
	  .kind = LK_U32, .min = 0, .noun = "txqueuelen", LINK_SPEC_FIELD(txqlen),                \
	  .ifla = IFLA_TXQLEN, .json = "txqlen", .word = "txqueuelen",                            \
	  .ip_words = { "txqueuelen", "txqlen" })                                                 \
	X(ALIAS, "alias", "  --alias TEXT          a description of the device (\"\": none)\n",   \
	  "  --alias TEXT",                                                                       \
	  .kind = LK_TEXT, LINK_TEXT_FIELD(alias), .ifla = IFLA_IFALIAS, .json = "ifalias",       \
	  .word = "alias", .own_line = true, .ip_words = { "alias" })                             \
	X(MASTER, "master", "  --master DEV          put it on bridge (or bond, VRF) DEV\n",      \
	  "  --master DEV | --nomaster",                                                          \
	  .kind = LK_DEV, .value_kind = "a device name (set --nomaster: none)",                   \
	  LINK_SPEC_FIELD(master), .ifla = IFLA_MASTER, .json = "master", .word = "master",       \
	  .ip_words = { "master" })

#define LINK_ENUM(id, ...) LINK_##id,
enum link_id {
	LINK_SETTINGS(LINK_ENUM)
	LINK_STATE,             /* --up/--down: last, so a link comes up configured */
	LINK_N
};
#undef LINK_ENUM

struct link_setting {
	const char *name;       /* --NAME, save's word, apply's plan word */
	const char *dashed;     /* "--NAME" */
	enum link_kind kind;
	uint32_t min;           /* LK_U32 */
	uint32_t max;           /* LK_TEXT: bytes, its room in struct link_spec less the NUL */
	const char *noun;       /* LK_U32: "invalid NOUN ..." */
	const char *value_kind; /* what an empty value should have been; NULL: "a number" */
	size_t has, val;        /* the bool and the value in struct link_spec */
	uint16_t ifla;          /* the attribute that sets it, and that a dump carries */
	const char *json;       /* show -j's key: ip -j's */
	const char *word;       /* show's text word */
	bool own_line;          /* show: a line of its own, else on the "link" line */
	const char *ip_words[2]; /* iproute2's words for it (hints) */
	const char *help_add, *help_set;
};

extern const struct link_setting link_settings[LINK_N];

/* Whether l gives setting s. */
bool link_has(const struct link_setting *s, const struct link_spec *l);
/* Whether l gives any setting. */
bool link_any(const struct link_spec *l);
/* Whether a and b hold the same value of s (whether given or not aside). */
bool link_same(const struct link_setting *s, const struct link_spec *a, const struct link_spec *b);
/* Copies s (given or not, and its value) from src to dst. */
void link_copy(const struct link_setting *s, struct link_spec *dst, const struct link_spec *src);
/* s's value in l as text ("1500", "02:00:5e:00:53:01", "up"). */
const char *link_text(const struct link_setting *s, const struct link_spec *l, char *buf, size_t len);
/* Where s's value is in l: a uint32_t, 6 bytes, a string or a bool. */
const void *link_value(const struct link_setting *s, const struct link_spec *l);
/* Sets s in l from an attribute's payload of len bytes (text: with or
 * without its NUL); false when len does not fit the kind. */
bool link_set_raw(const struct link_setting *s, struct link_spec *l, const void *data, size_t len);
/* Parses val into l, given; false with the message in err. */
bool link_parse(const struct link_setting *s, const char *val, struct link_spec *l, char *err, size_t errlen);

#endif
