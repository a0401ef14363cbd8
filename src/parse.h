/* parse.h - pure parsers: strings to values. No I/O, no printing, no exit. */
#ifndef TUNCTL_PARSE_H
#define TUNCTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <net/if.h>

#define ERRLEN 256

enum tun_mode { MODE_ANY = 0, MODE_TUN = 1, MODE_TAP = 2 };

struct ipaddr {
	int family;                 /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t b[16];
	} a;
};

struct prefix {
	struct ipaddr addr;
	uint8_t len;
};

struct addr_spec {
	struct prefix local;
	bool has_peer;
	struct ipaddr peer;
};

struct route_spec {
	struct prefix dst;
	bool has_gw;
	struct ipaddr gw;
	bool has_metric;
	uint32_t metric;
	bool has_table;
	uint32_t table;
};

/* A user or group as given: a number, or a name to be resolved later. */
struct id_spec {
	bool set;
	bool numeric;
	uint32_t id;
	const char *name;
};

/* A device by name, its index found when a request is sent (0: not yet,
 * or none): a link setting whose value is another device (the master). */
struct dev_ref {
	char name[IFNAMSIZ];        /* "": none */
	uint32_t index;
};

struct link_spec {
	bool set_updown;
	bool up;
	bool has_mtu;
	uint32_t mtu;
	bool has_mac;
	uint8_t mac[6];
	bool has_txqlen;
	uint32_t txqlen;
	bool has_alias;
	char alias[256];            /* IFALIASZ: 255 bytes and the NUL */
	bool has_master;
	struct dev_ref master;      /* "": none (set --nomaster) */
};

/* Kernel's rule (dev_valid_name): 1..15 bytes, not "." or "..", no '/', ':'
 * or whitespace.  With allow_template, one "%d" may stand in the name. */
bool parse_ifname(const char *s, bool allow_template, char *err, size_t errlen);
/* A name under /run/netns: not empty, no '/', not "." or "..". */
bool parse_netns_name(const char *s, char *err, size_t errlen);
bool parse_mode(const char *s, enum tun_mode *mode, char *err, size_t errlen);
const char *mode_name(enum tun_mode mode);

/* Decimal only: no sign, no spaces, no leading '+'. */
bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
bool parse_u64(const char *s, uint64_t *out);

/* family 0 accepts either. */
bool parse_ipaddr(const char *s, int family, struct ipaddr *out);
/* "ADDR[/LEN]"; without LEN the prefix is a host prefix. With strict, host
 * bits beyond LEN are refused (for routes). "default" is 0/0 when
 * allow_default. */
bool parse_prefix(const char *s, bool strict, bool allow_default,
		  struct prefix *out, char *err, size_t errlen);
bool parse_mac(const char *s, uint8_t mac[6], char *err, size_t errlen);
bool parse_id(const char *s, struct id_spec *out);

/* "PREFIX [via GW] [metric N] [table ID]" given as words. */
bool parse_route_words(int n, char *const *words, struct route_spec *r,
		       char *err, size_t errlen);
/* The same, given as one string (words split on blanks).  */
bool parse_route(const char *s, struct route_spec *r, char *err, size_t errlen);

/* Split a line into words as a shell would for simple commands: blanks
 * separate, '...' and "..." quote, backslash escapes, '#' at the start of a
 * word starts a comment.  On success *argv is one allocation (free(*argv)),
 * NULL-terminated.  On failure errno is ENOMEM when memory ran out, else 0
 * (the line is bad). */
bool split_words(const char *line, int *argc, char ***argv, char *err, size_t errlen);

/* sysfs's tun_flags: "0x1801\n". */
bool parse_sysfs_hex(const char *s, uint32_t *out);

/* /proc/PID/fdinfo/FD text: the "iff:\tNAME" line of a tun file. */
bool parse_fdinfo_iff(const char *text, char ifname[IFNAMSIZ]);

/* The edit distance between a and b (optimal string alignment: insertions,
 * deletions, substitutions and swaps of neighbours cost 1); UINT32_MAX when
 * either is longer than EDIT_MAX. */
#define EDIT_MAX 32
unsigned edit_distance(const char *a, const char *b);
/* The first of cands nearest to w, if within a slip of a letter or two
 * (1 for words up to 4 letters, 2 up to 8, else 3); NULL if none is. */
const char *nearest_word(const char *w, const char *const *cands, size_t n);

/* Text forms. buf must hold INET6_ADDRSTRLEN + 4. */
const char *format_ipaddr(const struct ipaddr *a, char *buf, size_t len);
const char *format_prefix(const struct prefix *p, char *buf, size_t len);
/* A route's destination as ip route prints it: "default", a host route's
 * address alone (192.0.2.2, not 192.0.2.2/32), else the prefix. */
const char *format_route_dst(const struct prefix *p, char *buf, size_t len);
void format_mac(const uint8_t mac[6], char buf[18]);
void format_route(const struct route_spec *r, char *buf, size_t len);

#endif
