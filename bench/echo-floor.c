/* echo-floor - the least a userspace end must do to answer pings on a tun or
 * tap device: a blocking read, swap the addresses, fix the checksum, write;
 * on tap, ARP requests answered too. No decoding beyond that, no output.
 *
 *   echo-floor NAME     attaches to the existing device NAME with exactly its
 *                       flags (from sysfs) and answers until SIGINT/SIGTERM
 *
 * bench/attach-pps runs it in the same run as "tunctl attach --echo": the
 * ratio of answers per second is how close attach is to a bare loop.
 * Benchmark only: IPv4 echo requests without options checks, no IPv6. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>

static volatile sig_atomic_t stop;
static unsigned long answered;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Echo request to reply in place: the IPv4 header keeps its checksum (the
 * sum of a swapped pair is the same), the ICMP one changes by the type. */
static int icmp_reply(uint8_t *ip, size_t len)
{
	size_t hl;
	uint8_t tmp[4];
	uint32_t sum;

	if (len < 20 || ip[0] >> 4 != 4 || ip[9] != IPPROTO_ICMP)
		return 0;
	hl = (size_t)(ip[0] & 15) * 4;
	if (len < hl + 8 || ip[hl] != 8)
		return 0;
	memcpy(tmp, ip + 12, 4);
	memcpy(ip + 12, ip + 16, 4);
	memcpy(ip + 16, tmp, 4);
	ip[hl] = 0;
	/* RFC 1624: HC' = ~(~HC + ~m + m'), the type byte going 8 -> 0. */
	sum = (uint32_t)(~((ip[hl + 2] << 8) | ip[hl + 3]) & 0xffff) + (~0x0800u & 0xffff);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip[hl + 2] = (uint8_t)(~sum >> 8);
	ip[hl + 3] = (uint8_t)~sum;
	return 1;
}

static const uint8_t our_mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x02 };

/* An ARP request for any address, answered from our_mac, in place. */
static int arp_reply(uint8_t *f, size_t len)
{
	uint8_t *a = f + 14, ip[4];

	if (len < 42 || a[6] != 0 || a[7] != 1)
		return 0;
	a[7] = 2;
	memcpy(ip, a + 24, 4);                  /* target IP */
	memcpy(a + 18, a + 8, 6);               /* target MAC = sender MAC */
	memcpy(a + 24, a + 14, 4);              /* target IP = sender IP */
	memcpy(a + 8, our_mac, 6);
	memcpy(a + 14, ip, 4);
	memcpy(f, f + 6, 6);
	memcpy(f + 6, our_mac, 6);
	return 1;
}

int main(int argc, char **argv)
{
	static uint8_t buf[65536 + 256];
	struct sigaction sa = { .sa_handler = on_signal };
	char path[300], val[32];
	unsigned long flags;
	struct ifreq ifr;
	size_t skip = 0;
	int fd, tap;
	FILE *f;

	if (argc != 2 || strlen(argv[1]) >= IFNAMSIZ || strchr(argv[1], '/')) {
		fprintf(stderr, "usage: echo-floor NAME\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", argv[1]);
	if (!(f = fopen(path, "r")) || !fgets(val, sizeof(val), f)) {
		fprintf(stderr, "echo-floor: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fclose(f);
	flags = strtoul(val, NULL, 16) & ~(unsigned long)IFF_PERSIST;
	tap = (flags & IFF_TAP) != 0;
	if (!(flags & IFF_NO_PI))
		skip += 4;
	if (flags & IFF_VNET_HDR)
		skip += 10;     /* the default TUNSETVNETHDRSZ */
	if ((fd = open("/dev/net/tun", O_RDWR)) < 0) {
		perror("echo-floor: /dev/net/tun");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, argv[1]);
	ifr.ifr_flags = (short)flags;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		perror("echo-floor: TUNSETIFF");
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop) {
		ssize_t n = read(fd, buf, sizeof(buf));
		uint8_t *p = buf + skip;
		size_t len;
		int ok;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("echo-floor: read");
			return 1;
		}
		if ((size_t)n < skip)
			continue;
		len = (size_t)n - skip;
		if (!tap) {
			ok = icmp_reply(p, len);
		} else if (len >= 14 && p[12] == 0x08 && p[13] == 0x06) {
			ok = arp_reply(p, len);
		} else if (len >= 14 && p[12] == 0x08 && p[13] == 0x00 && icmp_reply(p + 14, len - 14)) {
			uint8_t m[6];

			memcpy(m, p, 6);
			memcpy(p, p + 6, 6);
			memcpy(p + 6, m, 6);
			ok = 1;
		} else {
			ok = 0;
		}
		if (ok && write(fd, buf, (size_t)n) > 0)
			answered++;
	}
	fprintf(stderr, "%lu answers sent\n", answered);
	return 0;
}
