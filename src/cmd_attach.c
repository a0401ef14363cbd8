/* cmd_attach.c - "tunctl attach": the userspace end of a device: print, record, answer. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ids.h"
#include "pcap.h"
#include "pkt.h"
#include "procfs.h"
#include "sysfs.h"
#include "tun.h"
#include "tunctl.h"

#define BUFSZ 65536 + 256
#define PI_LEN 4

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct session {
	struct ctx *c;
	const struct attach_req *r;
	bool tap, pi;
	size_t vnet;            /* virtio-net header size, 0 without */
	uint8_t mac[6];         /* ours, for answers on tap */
	FILE *pcap;
	uint64_t packets, bytes, sent;
};

static void report_denied(struct ctx *c, const struct tun_info *ti)
{
	char u[64], g[64], me[64];
	uid_t uid = geteuid();

	report(c, "permission denied attaching to %s: it belongs to user %s and group %s, "
	       "and uid %u (%s) is neither, nor has CAP_NET_ADMIN",
	       ti->name, ti->owner_set ? ids_user_name(ti->owner, u, sizeof(u)) : "(none)",
	       ti->group_set ? ids_group_name(ti->group, g, sizeof(g)) : "(none)",
	       (unsigned)uid, ids_user_name((uint32_t)uid, me, sizeof(me)));
}

static void report_busy(struct ctx *c, const char *name)
{
	struct holder *h = NULL;
	size_t n = 0;

	if (!proc_tun_holders(name, &h, &n) && n)
		report(c, "%s is in use by %s (pid %d): a single-queue device takes one reader",
		       name, h[0].comm, (int)h[0].pid);
	else
		report(c, "%s is in use by another process: a single-queue device takes one reader", name);
	free(h);
}

/* One packet line (or JSON object), a hex dump, a pcap record. */
static int show(struct session *s, const char *dir, const struct timespec *ts,
		const uint8_t *p, size_t len)
{
	struct out *o = &s->c->out;
	char when[32], line[512];
	struct tm tm;
	struct pkt k;

	pkt_decode(p, len, s->tap, &k);
	pkt_format(&k, line, sizeof(line));
	localtime_r(&ts->tv_sec, &tm);
	snprintf(when, sizeof(when), "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 ts->tv_nsec / 1000);
	out_obj_open(o, NULL);
	out_str(o, "time", "%s", when);
	out_str(o, "direction", " %-3s", dir);
	out_uint(o, "length", " %5llu ", len);
	out_str(o, "protocol", NULL, pkt_proto_name(&k));
	if (o->json && k.src.family) {
		char a[INET6_ADDRSTRLEN];

		out_str(o, "src", NULL, format_ipaddr(&k.src, a, sizeof(a)));
		out_str(o, "dst", NULL, format_ipaddr(&k.dst, a, sizeof(a)));
	}
	if (k.icmp_echo) {
		out_uint(o, "id", NULL, k.icmp_id);
		out_uint(o, "seq", NULL, k.icmp_seq);
	}
	if (k.l4 == L4_TCP || k.l4 == L4_UDP) {
		out_uint(o, "sport", NULL, k.sport);
		out_uint(o, "dport", NULL, k.dport);
	}
	out_str(o, "summary", "%s\n", line);
	if (s->r->hex) {
		char *hex = malloc(len / 16 * 80 + 160);

		if (hex) {
			pkt_hexdump(p, len, hex, len / 16 * 80 + 160);
			out_str(o, "hex", "%s", hex);
			free(hex);
		}
	}
	out_obj_close(o);
	out_end(o);
	if (s->pcap) {
		int err = pcap_record(s->pcap, ts, p, len);

		if (err) {
			report_err(s->c, err, NULL, "writing %s", s->r->pcap);
			return 1;
		}
	}
	return 0;
}

/* Sends an answer with the headers the device expects before it. */
static int send_answer(struct session *s, int fd, const uint8_t *p, size_t len)
{
	uint8_t buf[BUFSZ];
	size_t off = 0;
	struct timespec ts;

	if (s->pi) {
		uint16_t proto = s->tap ? 0x6558 /* ETH_P_TEB */ : ((p[0] >> 4) == 6 ? 0x86dd : 0x0800);

		memset(buf, 0, PI_LEN);
		buf[2] = (uint8_t)(proto >> 8);
		buf[3] = (uint8_t)proto;
		off = PI_LEN;
	}
	memset(buf + off, 0, s->vnet);
	off += s->vnet;
	if (off + len > sizeof(buf))
		return 0;
	memcpy(buf + off, p, len);
	if (write(fd, buf, off + len) < 0) {
		report_err(s->c, errno, NULL, "answering on %s", s->r->name);
		return 1;
	}
	s->sent++;
	clock_gettime(CLOCK_REALTIME, &ts);
	return show(s, "out", &ts, p, len);
}

static int flush(struct session *s)
{
	fflush(stdout);
	if (s->pcap && fflush(s->pcap)) {
		report_err(s->c, errno, NULL, "writing %s", s->r->pcap);
		return 1;
	}
	return 0;
}

/* SIGINT and SIGTERM stay blocked but inside ppoll, so a signal that comes
 * between the check of stop and the wait cannot be lost. */
static int loop(struct session *s, int fd, const sigset_t *waitmask)
{
	static uint8_t buf[BUFSZ], ans[BUFSZ];
	size_t skip = (s->pi ? PI_LEN : 0) + s->vnet;

	while (!stop && (!s->r->has_count || s->packets < s->r->count)) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		struct timespec ts;
		ssize_t n;
		size_t alen;

		/* The descriptor is non-blocking: packets are read until none is
		 * left, and only then is the output written (one write for a
		 * burst, yet at once for a reader waiting for a line) and the
		 * wait entered. */
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN) {
			if (flush(s))
				return 1;
			if (ppoll(&pfd, 1, NULL, waitmask) < 0 && errno != EINTR) {
				report_err(s->c, errno, NULL, "waiting for packets on %s", s->r->name);
				return 1;
			}
			continue;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EBADFD) {  /* the kernel's answer once the device is gone */
				report(s->c, "%s was deleted while attached", s->r->name);
				return 1;
			}
			report_err(s->c, errno, NULL, "reading %s", s->r->name);
			return 1;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		if ((size_t)n < skip)
			continue;
		s->packets++;
		s->bytes += (size_t)n - skip;
		if (show(s, "in", &ts, buf + skip, (size_t)n - skip))
			return 1;
		if (s->r->echo &&
		    (alen = pkt_answer(buf + skip, (size_t)n - skip, s->tap, s->mac, ans, sizeof(ans))) &&
		    send_answer(s, fd, ans, alen))
			return 1;
	}
	return 0;
}

int attach_run(struct ctx *c, const struct attach_req *r)
{
	struct session s = { .c = c, .r = r, .mac = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 } };
	struct sigaction sa;
	sigset_t block, waitmask, old;
	struct tun_info ti;
	int fd, err, rc = 1;

	if (find_tun(c, r->name, &ti, NULL))
		return 1;
	s.tap = ti.flags.mode == MODE_TAP;
	s.pi = ti.flags.pi;
	if ((fd = tun_open(NULL)) < 0) {
		report_err(c, fd, NULL, "cannot open %s", TUN_CLONE_PATH);
		return 1;
	}
	err = tun_attach(fd, ti.name, &ti.flags);
	if (err == -EPERM) {
		report_denied(c, &ti);
		goto out;
	}
	if (err == -EBUSY) {
		report_busy(c, ti.name);
		goto out;
	}
	if (err) {
		report_err(c, err, NULL, "attaching to %s", ti.name);
		goto out;
	}
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		report_err(c, errno, NULL, "attaching to %s", ti.name);
		goto out;
	}
	if (ti.flags.vnet_hdr) {
		int sz = tun_vnet_hdr_size(fd);

		s.vnet = sz > 0 ? (size_t)sz : 10;
	}
	if (s.tap) {
		char mac[32];
		uint8_t dev[6];

		/* Answer from a MAC that is not the device's own. */
		if (!sysfs_attr(ti.name, "address", mac, sizeof(mac)) && parse_mac(mac, dev, NULL, 0) &&
		    !memcmp(dev, s.mac, 6))
			s.mac[5] ^= 0xff;
	}
	if (r->pcap) {
		if (!(s.pcap = fopen(r->pcap, "we"))) {
			report_err(c, errno, NULL, "cannot create %s", r->pcap);
			goto out;
		}
		if ((err = pcap_start(s.pcap, s.tap ? LINKTYPE_ETHERNET : LINKTYPE_RAW))) {
			report_err(c, err, NULL, "writing %s", r->pcap);
			goto out;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;      /* no SA_RESTART: ppoll returns EINTR */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	waitmask = old;
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = loop(&s, fd, &waitmask);
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* The summary goes to stderr, so stdout holds packet lines only. */
	if (!rc)
		fprintf(stderr, "%llu packets, %llu bytes received; %llu answers sent\n",
			(unsigned long long)s.packets, (unsigned long long)s.bytes,
			(unsigned long long)s.sent);
out:
	if (s.pcap && fclose(s.pcap) && !rc) {
		report_err(c, errno, NULL, "writing %s", r->pcap);
		rc = 1;
	}
	close(fd);
	return rc;
}
