/* cmd_attach.c - "tunctl attach": the userspace end of a device: print, record, answer. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <arpa/inet.h>

#include "dumps.h"
#include "ids.h"
#include "pcap.h"
#include "pkt.h"
#include "procfs.h"
#include "sysfs.h"
#include "tun.h"
#include "tunctl.h"

#define BUFSZ (65536 + 256)
#define PI_LEN 4

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Output collected in memory and written by attach itself (write_out):
 * stdio would go on writing the rest of a partly written buffer after
 * SIGINT/SIGTERM cut a write to a full pipe short, and never stop. */
struct sink {
	int fd;
	bool blocking;          /* fd can block (may_block) */
	bool dead;              /* output was dropped: write no more */
	FILE *mem;
	char *buf;
	size_t len;
};

struct session {
	struct ctx *c;
	const struct attach_req *r;
	bool tap, pi;
	size_t vnet;            /* virtio-net header size, 0 without */
	uint8_t mac[6];         /* ours, for answers on tap */
	uint64_t packets, bytes, sent;
	/* The directed broadcast addresses of the device's IPv4 subnets: no
	 * host answers a ping to them from them. */
	struct ipaddr bcast[16];
	size_t nbcast;
	struct sink out;        /* packet lines, to standard output */
	struct sink pcap_out;   /* pcap records, to --pcap FILE (no mem: none, or failed) */
	bool quiet;             /* standard output is /dev/null: no lines to make */
	bool masked;            /* no output can block: signals stay blocked but in ppoll */
	sigset_t sigs;          /* SIGINT and SIGTERM */
	sigset_t waitmask;      /* the mask inside ppoll: without them */
	bool deadline_set;      /* stopping: writes end by deadline */
	struct timespec deadline;
};

/* Plain hex for JSON: no spaces, no lines. */
static char *hex_string(const uint8_t *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *h = malloc(len * 2 + 1);

	if (!h)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		h[2 * i] = digits[p[i] >> 4];
		h[2 * i + 1] = digits[p[i] & 15];
	}
	h[len * 2] = '\0';
	return h;
}

/* The fields of the decoded headers, JSON only. */
static void json_fields(struct out *o, const struct pkt *k)
{
	char a[INET6_ADDRSTRLEN], m[18];

	if (k->ether) {
		format_mac(k->src_mac, m);
		out_str(o, "src_mac", NULL, m);
		format_mac(k->dst_mac, m);
		out_str(o, "dst_mac", NULL, m);
	}
	if (k->src.family) {
		out_str(o, "src", NULL, format_ipaddr(&k->src, a, sizeof(a)));
		out_str(o, "dst", NULL, format_ipaddr(&k->dst, a, sizeof(a)));
	}
	if (k->l3 == L3_ARP && k->arp_op)
		out_uint(o, "arp_op", NULL, k->arp_op);
	if (k->l4 == L4_ICMP || k->l4 == L4_ICMP6) {
		out_uint(o, "icmp_type", NULL, k->icmp_type);
		out_uint(o, "icmp_code", NULL, k->icmp_code);
	}
	if (k->icmp_echo) {
		out_uint(o, "id", NULL, k->icmp_id);
		out_uint(o, "seq", NULL, k->icmp_seq);
	}
	if (k->l4 == L4_TCP || k->l4 == L4_UDP) {
		out_uint(o, "sport", NULL, k->sport);
		out_uint(o, "dport", NULL, k->dport);
	}
	if (k->l4 == L4_TCP) {
		char f[9];

		pkt_tcp_flags(k->tcp_flags, f);
		out_str(o, "tcp_flags", NULL, f);
		out_uint(o, "tcp_seq", NULL, k->tcp_seq);
	}
	if (k->frag) {
		out_uint(o, "frag_id", NULL, k->frag_id);
		out_uint(o, "frag_offset", NULL, k->frag_off);
		out_bool(o, "frag_more", NULL, k->frag_more);
	}
	if (k->truncated)
		out_bool(o, "truncated", NULL, true);
	if (k->malformed)
		out_bool(o, "malformed", NULL, true);
}

/* One packet line (or JSON object), a hex dump, a pcap record. */
static int show(struct session *s, const char *dir, const struct timespec *ts,
		const uint8_t *p, size_t len, const struct pkt *k)
{
	struct out *o = &s->c->out;
	char when[64], line[512];
	struct tm tm;

	if (s->quiet)
		goto pcap;
	pkt_format(k, line, sizeof(line));
	localtime_r(&ts->tv_sec, &tm);
	out_obj_open(o, NULL);
	if (o->json) {
		char zone[8];

		/* ISO 8601 with the UTC offset: unambiguous for scripts. */
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		strftime(zone, sizeof(zone), "%z", &tm);
		snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%06ld%.3s:%.2s",
			 ts->tv_nsec / 1000, zone, zone + 3);
		out_str(o, "time", NULL, when);
	} else {
		snprintf(when, sizeof(when), "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 ts->tv_nsec / 1000);
		out_text(o, "%s", when);
	}
	out_str(o, "direction", " %-3s", dir);
	out_uint(o, "length", " %5llu ", len);
	out_str(o, "protocol", NULL, pkt_proto_name(k));
	if (o->json)
		json_fields(o, k);
	out_str(o, "summary", "%s\n", line);
	if (s->r->hex) {
		size_t cap = (len / 16 + 1) * 80 + 1;
		char *hex = o->json ? hex_string(p, len) : malloc(cap);

		if (hex) {
			if (!o->json)
				pkt_hexdump(p, len, hex, cap);
			out_str(o, "hex", "%s", hex);
			free(hex);
		}
	}
	out_obj_close(o);
	out_end(o);
pcap:
	if (s->pcap_out.mem) {
		int err = pcap_record(s->pcap_out.mem, ts, p, len);

		if (err) {
			report_err(s->c, err, NULL, "writing %s", s->r->pcap);
			return 1;
		}
	}
	return 0;
}

/* Whether --echo should answer k: not a ping to, or an ARP request for,
 * a broadcast address of the device's subnets. */
static bool answerable(const struct session *s, const struct pkt *k)
{
	for (size_t i = 0; i < s->nbcast; i++)
		if ((k->l3 == L3_IPV4 || k->l3 == L3_ARP) && k->dst.family == AF_INET &&
		    k->dst.a.v4.s_addr == s->bcast[i].a.v4.s_addr)
			return false;
	return true;
}

/* Sends an answer with the headers the device expects before it. */
static int send_answer(struct session *s, int fd, const uint8_t *p, size_t len)
{
	uint8_t buf[BUFSZ];
	size_t off = 0;
	struct timespec ts;
	struct pkt k;

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
	if (s->quiet && !s->pcap_out.mem)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	pkt_decode(p, len, s->tap, &k);
	return show(s, "out", &ts, p, len, &k);
}

/* Starts collecting output for k. Returns 0 or -errno. */
static int sink_start(struct sink *k)
{
	k->buf = NULL;
	k->len = 0;
	k->mem = open_memstream(&k->buf, &k->len);
	return k->mem ? 0 : -errno;
}

static void sink_end(struct sink *k)
{
	if (k->mem)
		fclose(k->mem);
	free(k->buf);
	k->mem = NULL;
	k->buf = NULL;
	k->len = 0;
}

/* SIGINT and SIGTERM are let in only inside ppoll where a wait or a write
 * could block; with nothing that can block (s->masked) they stay blocked
 * but there, which saves two system calls a wait. */
static void block_signals(struct session *s, bool block)
{
	if (!s->masked)
		sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &s->sigs, NULL);
}

/* Whether a write to fd can block for long: a pipe, a socket, a terminal.
 * Regular files and devices such as /dev/null take every write at once. */
static bool may_block(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false;   /* closed: the write fails at once */
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || (S_ISCHR(st.st_mode) && isatty(fd));
}

/* Whether fd is /dev/null, where packet lines would go unread. */
static bool discards(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

/* Once stopping, writes get 200 ms in all, counted from the first of them:
 * the time left of that, false when none is. */
static bool time_left(struct session *s, struct timespec *left)
{
	struct timespec now;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!s->deadline_set) {
		s->deadline = now;
		s->deadline.tv_nsec += 200 * 1000 * 1000;
		if (s->deadline.tv_nsec >= 1000 * 1000 * 1000) {
			s->deadline.tv_sec++;
			s->deadline.tv_nsec -= 1000 * 1000 * 1000;
		}
		s->deadline_set = true;
	}
	ns = (long long)(s->deadline.tv_sec - now.tv_sec) * 1000000000LL + (s->deadline.tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return false;
	left->tv_sec = (time_t)(ns / 1000000000LL);
	left->tv_nsec = (long)(ns % 1000000000LL);
	return true;
}

/* Writes buf to fd. Returns 0 when it is written; 1 when the run stops
 * first and the rest is dropped: the reader is gone (EPIPE, with SIGPIPE
 * ignored) or, once stopping, no room came in time (after the time is up,
 * what has room at once is still written); -errno when a write fails.
 *
 * Where fd can block, it waits for room in ppoll, the one place SIGINT and
 * SIGTERM are let in, and then writes no more than PIPE_BUF bytes, which a
 * pipe with room takes without blocking: a signal can neither slip in
 * between the check of stop and a write that then blocks for ever, nor be
 * needed twice. */
static int write_out(struct session *s, int fd, bool blocking, const char *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t chunk = len - off;
		ssize_t n;

		if (blocking) {
			struct pollfd pfd = { fd, POLLOUT, 0 };
			struct timespec left;
			int ready, err;

			block_signals(s, true);
			if (stop && !time_left(s, &left))
				left = (struct timespec){ 0, 0 };       /* what has room now */
			ready = ppoll(&pfd, 1, stop ? &left : NULL, &s->waitmask);
			err = errno;
			block_signals(s, false);
			if (ready < 0 && err == EINTR)
				continue;       /* stopping now: wait again, within the time left */
			if (ready < 0)
				return -err;
			if (ready == 0)
				return 1;       /* stopping, and no room came in time */
			if (chunk > PIPE_BUF)
				chunk = PIPE_BUF;
		}
		n = write(fd, buf + off, chunk);
		if (n >= 0) {
			off += (size_t)n;
		} else if (errno == EPIPE) {
			stop = 1;
			return 1;
		} else if (errno == EAGAIN) {
			/* Non-blocking after all: wait in ppoll from now on, and
			 * pause, in case ppoll says there is room when there is
			 * none (some file systems). */
			struct timespec left, pause = { 0, 10 * 1000 * 1000 };

			if (stop && !time_left(s, &left))
				return 1;
			blocking = true;
			nanosleep(&pause, NULL);
		} else if (errno != EINTR) {
			return -errno;
		}
	}
	return 0;
}

/* Writes what k collected and starts collecting again; once part of its
 * output was dropped, nothing more is written to it, so a pcap stream is
 * not continued after a cut record. Returns 0 or -errno. */
static int sink_flush(struct session *s, struct sink *k)
{
	int err;

	/* Nothing collected since the last time: the stream stays as it is. */
	if (ftello(k->mem) == 0)
		return 0;
	err = fclose(k->mem) ? -errno : 0;

	k->mem = NULL;
	/* fclose says nothing when the stream's final realloc fails: it
	 * leaves no buffer, and a length that no longer describes one. */
	if (!err && !k->buf)
		err = -ENOMEM;
	if (!err && !k->dead && (err = write_out(s, k->fd, k->blocking, k->buf, k->len)) > 0) {
		k->dead = true;
		err = 0;
	}
	free(k->buf);
	k->buf = NULL;
	k->len = 0;
	return err ? err : sink_start(k);
}

/* Writes the packet lines and the pcap records collected. */
static int flush(struct session *s)
{
	int err;

	if ((err = sink_flush(s, &s->out))) {
		s->c->out.f = stdout;
		report_err(s->c, err, NULL, "writing output");
		return 1;
	}
	s->c->out.f = s->out.mem;
	if (s->pcap_out.mem && (err = sink_flush(s, &s->pcap_out))) {
		report_err(s->c, err, NULL, "writing %s", s->r->pcap);
		return 1;
	}
	return 0;
}

/* Waits for a packet. SIGINT and SIGTERM are blocked from the check of
 * stop until ppoll unblocks them, so one that comes in between is not
 * lost; everywhere else they are not blocked, so a write stuck on a full
 * pipe is interrupted too. */
static int wait_packet(struct session *s, int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	int rc = 0;

	block_signals(s, true);
	if (!stop && ppoll(&pfd, 1, NULL, &s->waitmask) < 0 && errno != EINTR) {
		report_err(s->c, errno, NULL, "waiting for packets on %s", s->r->name);
		rc = 1;
	}
	block_signals(s, false);
	return rc;
}

static int loop(struct session *s, int fd)
{
	static uint8_t buf[BUFSZ], ans[BUFSZ];
	size_t skip = (s->pi ? PI_LEN : 0) + s->vnet;

	while (!stop && (!s->r->has_count || s->packets < s->r->count)) {
		struct timespec ts;
		struct pkt k;
		ssize_t n;
		size_t alen, len;
		uint8_t *p;

		/* The descriptor is non-blocking: packets are read until none is
		 * left, and only then is the output written (one write for a
		 * burst, yet at once for a reader waiting for a line) and the
		 * wait entered. */
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN) {
			if (flush(s) || wait_packet(s, fd))
				return 1;
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
		if ((size_t)n < skip)
			continue;
		p = buf + skip;
		len = (size_t)n - skip;
		s->packets++;
		s->bytes += len;
		/* Masked, signals come in only where a wait blocks: under
		 * traffic that never lets the queue run dry, they are let in
		 * every 256 packets too. */
		if (s->masked && !(s->packets & 255)) {
			sigprocmask(SIG_UNBLOCK, &s->sigs, NULL);
			sigprocmask(SIG_BLOCK, &s->sigs, NULL);
		}
		if (!s->quiet || s->r->echo)
			pkt_decode(p, len, s->tap, &k);
		if (!s->quiet || s->pcap_out.mem) {
			clock_gettime(CLOCK_REALTIME, &ts);
			if (show(s, "in", &ts, p, len, &k))
				return 1;
		}
		if ((ftello(s->out.mem) > 65536 || (s->pcap_out.mem && ftello(s->pcap_out.mem) > 65536)) && flush(s))
			return 1;
		if (s->r->echo && answerable(s, &k) &&
		    (alen = pkt_answer(p, len, s->tap, s->mac, ans, sizeof(ans))) &&
		    send_answer(s, fd, ans, alen))
			return 1;
	}
	return 0;
}

/* The device's IPv4 subnet broadcast addresses (prefixes up to /30). */
static void load_broadcasts(struct session *s, int ifindex)
{
	struct addr_info *v = NULL;
	char ignored[512] = "";
	size_t n = 0;
	int rc;

	/* Without them only directed broadcasts are answered: no error. */
	s->c->capture = ignored;
	s->c->capture_len = sizeof(ignored);
	rc = dump_addrs(s->c, ifindex, &v, &n);
	s->c->capture = NULL;
	if (rc)
		return;
	for (size_t i = 0; i < n && s->nbcast < sizeof(s->bcast) / sizeof(s->bcast[0]); i++) {
		const struct prefix *pf = &v[i].a.local;
		uint32_t host;

		if (pf->addr.family != AF_INET || pf->len > 30 || v[i].a.has_peer)
			continue;
		host = pf->len ? 0xffffffffu >> pf->len : 0xffffffffu;
		s->bcast[s->nbcast] = pf->addr;
		s->bcast[s->nbcast++].a.v4.s_addr |= htonl(host);
	}
	free(v);
}

int attach_run(struct ctx *c, const struct attach_req *r)
{
	struct session s = { .c = c, .r = r, .mac = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 },
			      .out = { .fd = STDOUT_FILENO }, .pcap_out = { .fd = -1 } };
	struct sigaction sa;
	struct tun_info ti;
	struct holder *h = NULL;
	size_t nh = 0;
	int fd, err, rc = 1, ifindex;

	if (find_tun(c, r->name, &ti, &ifindex))
		return 1;
	if (r->echo)
		load_broadcasts(&s, ifindex);
	/* Other queues of a multi-queue device: the kernel spreads flows over
	 * all of them, so attach would take some of theirs. */
	if (ti.flags.multi_queue)
		proc_tun_holders(ti.name, &h, &nh);
	s.tap = ti.flags.mode == MODE_TAP;
	s.pi = ti.flags.pi;
	if ((fd = tun_open(NULL)) < 0) {
		report_tun_open(c, fd, NULL);
		free(h);
		return 1;
	}
	err = tun_attach(fd, ti.name, &ti.flags);
	if (err == -EPERM) {
		report_attach_denied(c, &ti);
		goto out;
	}
	if (err == -EBUSY) {
		report_in_use(c, ti.name, "a single-queue device takes one reader");
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
		/* As fopen "w" would; a FIFO waits here for its reader. */
		if ((s.pcap_out.fd = open(r->pcap, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0) {
			report_err(c, errno, NULL, "cannot create %s", r->pcap);
			goto out;
		}
		s.pcap_out.blocking = may_block(s.pcap_out.fd);
		if ((err = sink_start(&s.pcap_out)) ||
		    (err = pcap_start(s.pcap_out.mem, s.tap ? LINKTYPE_ETHERNET : LINKTYPE_RAW))) {
			report_err(c, err, NULL, "writing %s", r->pcap);
			sink_end(&s.pcap_out);
			goto out;
		}
	}
	if (nh)
		fprintf(stderr, "tunctl: warning: %s has %zu other queue%s attached (%s, pid %d): "
			"the kernel spreads flows over all queues, so attach sees only some "
			"and takes them from that reader\n",
			ti.name, nh, nh == 1 ? "" : "s", h[0].comm, (int)h[0].pid);
	memset(&sa, 0, sizeof(sa));
	/* No SA_RESTART: a wait or a stuck write returns EINTR. A second
	 * signal ends the process at once. */
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&s.sigs);
	sigaddset(&s.sigs, SIGINT);
	sigaddset(&s.sigs, SIGTERM);
	sigprocmask(SIG_SETMASK, NULL, &s.waitmask);
	sigdelset(&s.waitmask, SIGINT);
	sigdelset(&s.waitmask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	s.out.blocking = may_block(STDOUT_FILENO);
	/* Lines for /dev/null are not made: attach then costs what a bare
	 * read/write loop costs. */
	s.quiet = discards(STDOUT_FILENO);
	s.masked = !s.out.blocking && !(s.pcap_out.fd >= 0 && s.pcap_out.blocking);
	if (s.masked)
		sigprocmask(SIG_BLOCK, &s.sigs, NULL);
	if ((err = sink_start(&s.out))) {
		report_err(c, err, NULL, "buffering output");
		rc = 1;
	} else {
		c->out.f = s.out.mem;
		/* The pcap file header first, for a reader waiting on a FIFO. */
		rc = flush(&s);
		if (!rc)
			rc = loop(&s, fd);
		if (!rc)
			rc = flush(&s);
		c->out.f = stdout;
	}
	/* The summary goes to stderr, so stdout holds packet lines only; a
	 * stderr nobody reads cannot hold attach either. */
	if (!rc) {
		char sum[128];
		int len = snprintf(sum, sizeof(sum), "%llu packets, %llu bytes received; %llu answers sent\n",
				   (unsigned long long)s.packets, (unsigned long long)s.bytes,
				   (unsigned long long)s.sent);

		fflush(stderr);
		write_out(&s, STDERR_FILENO, may_block(STDERR_FILENO), sum, (size_t)len);
	}
out:
	/* After a failure, the packets seen still go to the pcap file. */
	if (rc && s.pcap_out.mem)
		sink_flush(&s, &s.pcap_out);
	sink_end(&s.out);
	sink_end(&s.pcap_out);
	if (s.pcap_out.fd >= 0 && close(s.pcap_out.fd) && !rc) {
		report_err(c, errno, NULL, "writing %s", r->pcap);
		rc = 1;
	}
	close(fd);
	free(h);
	return rc;
}
