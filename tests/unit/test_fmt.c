/* test_fmt.c - the printf-free appenders against printf and inet_ntop. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "tap.h"

/* A fixed generator: the same addresses every run. */
static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static int same_as_ntop(int family, const uint8_t *b, char *got, size_t glen, char *want, size_t wlen)
{
	struct ipaddr a = { .family = family };
	struct fmt f;

	memcpy(a.a.b, b, family == AF_INET ? 4 : 16);
	fmt_init(&f, got, glen);
	fmt_ipaddr(&f, &a);
	inet_ntop(family, b, want, (socklen_t)wlen);
	return !strcmp(got, want) && f.n == strlen(want);
}

static void ipv6(void)
{
	static const char *fixed[] = {
		"::", "::1", "1::", "2001:db8::1", "2001:db8:0:0:1:0:0:1", "2001:0:0:1:0:0:0:1",
		"::ffff:192.0.2.1", "::192.0.2.1", "::0.0.0.1", "::0.1.0.0", "::ffff:0:0", "::1:0:0:0",
		"0:0:0:0:0:1:0:0", "fe80::2", "ff02::1:ff00:2", "1:0:1:0:1:0:1:0", "0:1:0:1:0:1:0:1",
		"::ffff:1:2", "1:2:3:4:5:6:7:8", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"::fffe:192.0.2.1", "0:0:0:0:0:ffff:0:1",
	};
	char got[64], want[64];
	uint8_t b[16];
	int bad = 0, n = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		inet_pton(AF_INET6, fixed[i], b);
		if (!same_as_ntop(AF_INET6, b, got, sizeof(got), want, sizeof(want))) {
			printf("# %s: got %s, inet_ntop %s\n", fixed[i], got, want);
			bad++;
		}
		n++;
	}
	/* Every pattern of zero and non-zero groups, with random values. */
	for (unsigned pat = 0; pat < 256; pat++)
		for (int r = 0; r < 20; r++) {
			for (int g = 0; g < 8; g++) {
				uint16_t v = (pat >> g & 1) ? (uint16_t)(rnd() % 4 ? rnd() : 0xffff) : 0;

				if ((pat >> g & 1) && !v)
					v = 1;
				if (r % 5 == 0 && (pat >> g & 1))
					v = (uint16_t)(rnd() & 0xf);    /* short groups */
				if (!v && (pat >> g & 1))
					v = 7;
				b[2 * g] = (uint8_t)(v >> 8);
				b[2 * g + 1] = (uint8_t)v;
			}
			if (!same_as_ntop(AF_INET6, b, got, sizeof(got), want, sizeof(want))) {
				if (bad++ < 5)
					printf("# got %s, inet_ntop %s\n", got, want);
			}
			n++;
		}
	ok(!bad, "IPv6: %d addresses written as inet_ntop writes them (%d differ)", n, bad);
}

static void ipv4(void)
{
	char got[32], want[32];
	uint8_t b[4];
	int bad = 0;

	for (int i = 0; i < 5000; i++) {
		uint32_t v = rnd() << 8 ^ rnd();

		if (i < 4)
			v = (uint32_t[]){ 0, 0xffffffff, 0xc0000201, 0x0a000001 }[i];
		memcpy(b, &v, 4);
		bad += !same_as_ntop(AF_INET, b, got, sizeof(got), want, sizeof(want));
	}
	ok(!bad, "IPv4: as inet_ntop writes them (%d differ)", bad);
}

static void numbers(void)
{
	static const uint64_t vals[] = { 0, 1, 9, 10, 99, 100, 12345, 65535, 99999, 100000, 4294967295u,
					 18446744073709551615ull };
	char got[64], want[64];
	struct fmt f;
	int bad = 0;

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		for (unsigned w = 0; w < 40; w++) {
			fmt_init(&f, got, sizeof(got));
			fmt_uint_w(&f, vals[i], w, ' ');
			snprintf(want, sizeof(want), "%*llu", (int)w, (unsigned long long)vals[i]);
			bad += !!strcmp(got, want);
			fmt_init(&f, got, sizeof(got));
			fmt_uint_w(&f, vals[i], w, '0');
			snprintf(want, sizeof(want), "%0*llu", (int)w, (unsigned long long)vals[i]);
			bad += !!strcmp(got, want);
			fmt_init(&f, got, sizeof(got));
			fmt_hex(&f, vals[i], w);
			snprintf(want, sizeof(want), "%0*llx", (int)w, (unsigned long long)vals[i]);
			bad += !!strcmp(got, want);
		}
	}
	ok(!bad, "decimals, padded decimals and hex as printf writes them (%d differ)", bad);

	uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0xab, 0xcd, 0xef };
	fmt_init(&f, got, sizeof(got));
	fmt_mac(&f, mac);
	ok(!strcmp(got, "02:00:5e:ab:cd:ef") && f.n == 17, "a MAC address: %s", got);
}

/* Pieces cut as snprintf cuts them: the buffer stays a string. */
static void bounds(void)
{
	char buf[8], want[8];
	struct fmt f;

	memset(buf, 'x', sizeof(buf));
	fmt_init(&f, buf, 6);
	fmt_str(&f, "abc");
	fmt_uint(&f, 12345);
	strcpy(want, "abc12");     /* snprintf(want, 6, "abc%u", 12345u) */
	ok(!strcmp(buf, want) && f.n == 5 && buf[6] == 'x', "a piece past the end is cut: \"%s\"", buf);
	fmt_char(&f, 'z');
	ok(f.n == 5 && !strcmp(buf, want), "a full buffer takes no more");
	memset(buf, 'x', sizeof(buf));
	fmt_init(&f, buf, 0);
	fmt_str(&f, "abc");
	ok(f.n == 0 && buf[0] == 'x', "a buffer of no bytes is not written");
	fmt_init(&f, buf, 1);
	fmt_str(&f, "abc");
	ok(f.n == 0 && buf[0] == '\0', "a buffer of one byte holds the empty string");
	struct ipaddr none = { 0 };
	fmt_init(&f, buf, sizeof(buf));
	fmt_ipaddr(&f, &none);
	ok(!strcmp(buf, "?"), "an address of no family is \"?\", as format_ipaddr writes it");
}

int main(void)
{
	ipv4();
	ipv6();
	numbers();
	bounds();
	return tap_done();
}
