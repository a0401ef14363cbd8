/* parse.c - pure parsers for names, numbers, addresses, routes and kernel text. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "parse.h"

static void seterr(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* The kernel's isspace (lib/ctype.c, a Latin-1 table), which dev_valid_name
 * uses: libc's isspace in the C locale misses 0xA0 (no-break space). */
static bool kernel_isspace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' ||
	       c == 0xa0;
}

bool parse_ifname(const char *s, bool allow_template, char *err, size_t errlen)
{
	size_t len = strlen(s);
	const char *pct;

	if (len == 0) {
		seterr(err, errlen, "interface name is empty");
		return false;
	}
	if (len >= IFNAMSIZ) {
		seterr(err, errlen, "interface name \"%s\" is longer than 15 bytes", s);
		return false;
	}
	if (!strcmp(s, ".") || !strcmp(s, "..")) {
		seterr(err, errlen, "\"%s\" is not a valid interface name", s);
		return false;
	}
	for (const char *p = s; *p; p++) {
		if (*p == '/' || *p == ':' || kernel_isspace((unsigned char)*p)) {
			seterr(err, errlen, "interface name \"%s\" must not contain '/', ':' or blanks", s);
			return false;
		}
	}
	pct = strchr(s, '%');
	if (pct == s && allow_template && !strcmp(s, "%d")) {
		seterr(err, errlen, "interface name \"%%d\" alone would be a bare number (0, 1, ...): "
		       "put a prefix before it, as in \"tun%%d\"");
		return false;
	}
	if (pct) {
		if (!allow_template || pct[1] != 'd' || strchr(pct + 1, '%')) {
			seterr(err, errlen, allow_template ?
			       "interface name \"%s\" may hold '%%' only as one \"%%d\"" :
			       "interface name \"%s\" must not contain '%%'", s);
			return false;
		}
	}
	return true;
}

bool parse_netns_name(const char *s, char *err, size_t errlen)
{
	if (!*s || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, "..") || strlen(s) > NAME_MAX) {
		seterr(err, errlen, "invalid network namespace name \"%s\"", s);
		return false;
	}
	return true;
}

bool parse_mode(const char *s, enum tun_mode *mode, char *err, size_t errlen)
{
	if (!strcmp(s, "tun"))
		*mode = MODE_TUN;
	else if (!strcmp(s, "tap"))
		*mode = MODE_TAP;
	else {
		seterr(err, errlen, "unknown mode \"%s\" (use tun or tap)", s);
		return false;
	}
	return true;
}

const char *mode_name(enum tun_mode mode)
{
	return mode == MODE_TAP ? "tap" : mode == MODE_TUN ? "tun" : "any";
}

bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!parse_u64(s, &v) || v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool parse_ipaddr(const char *s, int family, struct ipaddr *out)
{
	memset(out, 0, sizeof(*out));
	if ((family == 0 || family == AF_INET) && inet_pton(AF_INET, s, &out->a.v4) == 1) {
		out->family = AF_INET;
		return true;
	}
	if ((family == 0 || family == AF_INET6) && strchr(s, ':') &&
	    inet_pton(AF_INET6, s, &out->a.v6) == 1) {
		out->family = AF_INET6;
		return true;
	}
	return false;
}

static unsigned addr_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

static bool host_bits_clear(const struct prefix *p)
{
	unsigned bytes = addr_bits(p->addr.family) / 8;

	for (unsigned i = 0; i < bytes; i++) {
		unsigned lo = i * 8;
		uint8_t mask;

		if (lo + 8 <= p->len)
			continue;
		mask = lo >= p->len ? 0xff : (uint8_t)(0xff >> (p->len - lo));
		if (p->addr.a.b[i] & mask)
			return false;
	}
	return true;
}

bool parse_prefix(const char *s, bool strict, bool allow_default,
		  struct prefix *out, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t len;

	memset(out, 0, sizeof(*out));
	if (allow_default && !strcmp(s, "default")) {
		out->addr.family = AF_INET;
		return true;
	}
	if (alen == 0 || alen >= sizeof(buf)) {
		seterr(err, errlen, "\"%s\" is not an IP address or prefix", s);
		return false;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (!parse_ipaddr(buf, 0, &out->addr)) {
		seterr(err, errlen, "\"%s\" is not an IP address or prefix", s);
		return false;
	}
	if (!slash) {
		out->len = (uint8_t)addr_bits(out->addr.family);
		return true;
	}
	if (!parse_u32(slash + 1, 0, addr_bits(out->addr.family), &len)) {
		seterr(err, errlen, "\"%s\" has an invalid prefix length", s);
		return false;
	}
	out->len = (uint8_t)len;
	if (strict && !host_bits_clear(out)) {
		seterr(err, errlen, "\"%s\" has host bits set beyond the prefix length", s);
		return false;
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool parse_mac(const char *s, uint8_t mac[6], char *err, size_t errlen)
{
	const char *p = s;
	bool zero = true;

	for (int i = 0; i < 6; i++) {
		int hi, lo;

		/* p[1] is read only when p[0] is a digit, never past the end. */
		if ((hi = hexval(p[0])) < 0 || (lo = hexval(p[1])) < 0)
			goto bad;
		mac[i] = (uint8_t)(hi << 4 | lo);
		zero &= mac[i] == 0;
		p += 2;
		if (i < 5 && *p++ != ':')
			goto bad;
	}
	if (*p)
		goto bad;
	if (mac[0] & 1) {
		seterr(err, errlen, "MAC address \"%s\" is a multicast address", s);
		return false;
	}
	if (zero) {
		seterr(err, errlen, "MAC address \"%s\" is all zeros", s);
		return false;
	}
	return true;
bad:
	seterr(err, errlen, "\"%s\" is not a MAC address (use xx:xx:xx:xx:xx:xx)", s);
	return false;
}

bool parse_id(const char *s, struct id_spec *out)
{
	memset(out, 0, sizeof(*out));
	if (!*s)
		return false;
	out->set = true;
	out->name = s;
	/* (uid_t)-1 means "unset" to the kernel, so it is never a valid id. */
	if (isdigit((unsigned char)*s)) {
		out->numeric = true;
		return parse_u32(s, 0, UINT32_MAX - 1, &out->id);
	}
	for (const char *p = s; *p; p++)
		if (*p == ':' || *p == '/' || isspace((unsigned char)*p))
			return false;
	return true;
}

static bool parse_table(const char *s, uint32_t *out)
{
	if (!strcmp(s, "main"))
		*out = RT_TABLE_MAIN;
	else if (!strcmp(s, "default"))
		*out = RT_TABLE_DEFAULT;
	else if (!strcmp(s, "local"))
		*out = RT_TABLE_LOCAL;
	else
		return parse_u32(s, 1, UINT32_MAX, out);
	return true;
}

bool parse_route_words(int n, char *const *words, struct route_spec *r,
		       char *err, size_t errlen)
{
	const char *gw_word = NULL;

	memset(r, 0, sizeof(*r));
	if (n < 1) {
		seterr(err, errlen, "route is missing its prefix");
		return false;
	}
	if (!parse_prefix(words[0], true, true, &r->dst, err, errlen))
		return false;
	for (int i = 1; i < n; i += 2) {
		const char *key = words[i], *val = i + 1 < n ? words[i + 1] : NULL;

		if (strcmp(key, "via") && strcmp(key, "metric") && strcmp(key, "table")) {
			seterr(err, errlen, "unknown route keyword \"%s\" (expected via, metric or table)", key);
			return false;
		}
		if (!val) {
			seterr(err, errlen, "route keyword \"%s\" needs a value", key);
			return false;
		}
		if (!strcmp(key, "via")) {
			if (r->has_gw) {
				seterr(err, errlen, "route has \"via\" twice (\"%s\")", val);
				return false;
			}
			if (!parse_ipaddr(val, 0, &r->gw)) {
				seterr(err, errlen, "gateway \"%s\" is not an IP address", val);
				return false;
			}
			r->has_gw = true;
			gw_word = val;
		} else if (!strcmp(key, "metric")) {
			if (r->has_metric || !parse_u32(val, 0, UINT32_MAX, &r->metric)) {
				seterr(err, errlen, "invalid or repeated route metric \"%s\"", val);
				return false;
			}
			r->has_metric = true;
		} else {
			if (r->has_table || !parse_table(val, &r->table)) {
				seterr(err, errlen, "invalid or repeated route table \"%s\"", val);
				return false;
			}
			r->has_table = true;
			/* The local table holds the kernel's routes to this
			 * host's own addresses: it is not tunctl's to fill, nor
			 * does save or apply read it. */
			if (r->table == RT_TABLE_LOCAL) {
				seterr(err, errlen, "route table \"%s\" is the kernel's own (routes to this host's addresses): "
				       "tunctl does not make routes there; use main or a table number", val);
				return false;
			}
		}
	}
	if (!strcmp(words[0], "default") && r->has_gw)
		r->dst.addr.family = r->gw.family;
	if (r->has_gw && r->gw.family != r->dst.addr.family) {
		seterr(err, errlen, "gateway \"%s\" is not of the prefix's address family", gw_word);
		return false;
	}
	return true;
}

bool parse_route(const char *s, struct route_spec *r, char *err, size_t errlen)
{
	char *words[16], buf[512];
	int n = 0;

	if (strlen(s) >= sizeof(buf)) {
		seterr(err, errlen, "route is too long");
		return false;
	}
	strcpy(buf, s);
	for (char *tok = strtok(buf, " \t"); tok; tok = strtok(NULL, " \t")) {
		if (n == (int)(sizeof(words) / sizeof(words[0]))) {
			seterr(err, errlen, "route \"%s\" has too many words", s);
			return false;
		}
		words[n++] = tok;
	}
	return parse_route_words(n, words, r, err, errlen);
}

bool split_words(const char *line, int *argc, char ***argv, char *err, size_t errlen)
{
	size_t len = strlen(line);
	/* Worst case: every other byte a separate word. */
	size_t nptr = len / 2 + 2;
	char **v = malloc(nptr * sizeof(char *) + len + 1);
	char *out, *p;
	int n = 0;

	errno = 0;
	if (!v) {
		errno = ENOMEM;
		seterr(err, errlen, "out of memory");
		return false;
	}
	out = (char *)(v + nptr);
	p = (char *)line;
	for (;;) {
		char quote = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			break;
		v[n++] = out;
		while (*p) {
			if (quote == '\'') {
				if (*p == '\'')
					quote = 0;
				else
					*out++ = *p;
				p++;
			} else if (quote == '"') {
				if (*p == '"')
					quote = 0;
				else if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`'))
					*out++ = *++p;
				else
					*out++ = *p;
				p++;
			} else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
				break;
			} else if (*p == '\'' || *p == '"') {
				quote = *p++;
			} else if (*p == '\\') {
				if (!p[1]) {
					seterr(err, errlen, "line ends with a backslash");
					free(v);
					return false;
				}
				*out++ = p[1];
				p += 2;
			} else {
				*out++ = *p++;
			}
		}
		if (quote) {
			seterr(err, errlen, "unterminated %s quote", quote == '"' ? "double" : "single");
			free(v);
			return false;
		}
		*out++ = '\0';
	}
	v[n] = NULL;
	*argc = n;
	*argv = v;
	return true;
}

bool parse_sysfs_hex(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	int digits = 0;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	for (s += 2; *s && *s != '\n'; s++, digits++) {
		int h = hexval(*s);

		if (h < 0 || digits >= 8)
			return false;
		v = v << 4 | (uint32_t)h;
	}
	if (!digits || (*s == '\n' && s[1]))
		return false;
	*out = v;
	return true;
}

bool parse_fdinfo_iff(const char *text, char ifname[IFNAMSIZ])
{
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, "iff:", 4)) {
			const char *v = p + 4;
			size_t len;

			while (*v == '\t' || *v == ' ')
				v++;
			len = strcspn(v, "\n");
			if (len == 0 || len >= IFNAMSIZ)
				return false;
			memcpy(ifname, v, len);
			ifname[len] = '\0';
			return true;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

const char *format_ipaddr(const struct ipaddr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->a.b, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *format_prefix(const struct prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (p->len == 0 && !memcmp(p->addr.a.b, (uint8_t[16]){ 0 }, 16))
		snprintf(buf, len, "default");
	else
		snprintf(buf, len, "%s/%u", format_ipaddr(&p->addr, a, sizeof(a)), p->len);
	return buf;
}

const char *format_route_dst(const struct prefix *p, char *buf, size_t len)
{
	if (p->len == (p->addr.family == AF_INET ? 32 : 128))
		return format_ipaddr(&p->addr, buf, len);
	return format_prefix(p, buf, len);
}

void format_mac(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

void format_route(const struct route_spec *r, char *buf, size_t len)
{
	char p[INET6_ADDRSTRLEN + 8], g[INET6_ADDRSTRLEN];
	int n = snprintf(buf, len, "%s", format_prefix(&r->dst, p, sizeof(p)));

	if (r->has_gw && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " via %s", format_ipaddr(&r->gw, g, sizeof(g)));
	if (r->has_metric && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " metric %u", r->metric);
	if (r->has_table && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " table %u", r->table);
}

unsigned edit_distance(const char *a, const char *b)
{
	/* Optimal string alignment (Damerau-Levenshtein without moves of a
	 * letter past others): three rows of at most EDIT_MAX + 1 cells. */
	unsigned rows[3][EDIT_MAX + 1], *pp = rows[0], *p = rows[1], *c = rows[2];
	size_t la = strlen(a), lb = strlen(b);

	if (la > EDIT_MAX || lb > EDIT_MAX)
		return UINT32_MAX;
	for (size_t j = 0; j <= lb; j++)
		p[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned *t;

		c[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1], v = p[j - 1] + cost;

			if (p[j] + 1 < v)
				v = p[j] + 1;
			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			c[j] = v;
		}
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[lb];
}

const char *nearest_word(const char *w, const char *const *cands, size_t n)
{
	size_t len = strlen(w);
	/* A slip of a letter or two: more would suggest unrelated words. */
	unsigned max = len <= 4 ? 1 : len <= 8 ? 2 : 3, best = max + 1;
	const char *pick = NULL;

	for (size_t i = 0; i < n; i++) {
		unsigned d = edit_distance(w, cands[i]);

		if (d < best) {
			best = d;
			pick = cands[i];
		}
	}
	return pick;
}
