/* fmt.h - appending text to a bounded buffer without printf: strings,
 * decimals, hex, MAC and IP addresses (as inet_ntop writes them). Pure. A
 * piece that does not fit is cut, as snprintf cuts, and the buffer stays a
 * NUL-terminated string. */
#ifndef TUNCTL_FMT_H
#define TUNCTL_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parse.h"

struct fmt {
	char *buf;
	size_t cap;             /* bytes of buf, the NUL included */
	size_t n;               /* written so far: buf[n] is '\0' (cap > 0) */
};

static inline void fmt_init(struct fmt *f, char *buf, size_t cap)
{
	f->buf = buf;
	f->cap = cap;
	f->n = 0;
	if (cap)
		buf[0] = '\0';
}

static inline void fmt_mem(struct fmt *f, const char *s, size_t len)
{
	size_t room;

	if (!f->cap)
		return;
	room = f->cap - f->n - 1;
	if (len > room)
		len = room;
	memcpy(f->buf + f->n, s, len);
	f->n += len;
	f->buf[f->n] = '\0';
}

static inline void fmt_str(struct fmt *f, const char *s)
{
	fmt_mem(f, s, strlen(s));
}

/* The digits of hex, and a byte's two of them at out. */
extern const char fmt_hexdigits[];

static inline void fmt_hex_byte(char *out, uint8_t b)
{
	out[0] = fmt_hexdigits[b >> 4];
	out[1] = fmt_hexdigits[b & 15];
}

static inline void fmt_char(struct fmt *f, char c)
{
	fmt_mem(f, &c, 1);
}

/* v in decimal, right-aligned in width columns padded with pad (' ' as
 * "%5u" does, '0' as "%05u" does). */
void fmt_uint_w(struct fmt *f, uint64_t v, unsigned width, char pad);
static inline void fmt_uint(struct fmt *f, uint64_t v)
{
	fmt_uint_w(f, v, 0, ' ');
}
/* v in lowercase hex, at least width digits ("%0*x"). */
void fmt_hex(struct fmt *f, uint64_t v, unsigned width);
/* "02:00:5e:10:00:01" */
void fmt_mac(struct fmt *f, const uint8_t mac[6]);
/* As format_ipaddr writes it (inet_ntop's text); "?" for no family. */
void fmt_ipaddr(struct fmt *f, const struct ipaddr *a);

#endif
