/* cmd_attach.c - "tunctl attach": the userspace end of a device: print, record, answer. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/uio.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>

#include "dev.h"
#include "dumps.h"
#include "fmt.h"
#include "ids.h"
#include "pcap.h"
#include "pkt.h"
#include "procfs.h"
#include "sink.h"
#include "tun.h"
#include "tunctl.h"

#define BUFSZ (65536 + 256)
#define PI_LEN sizeof(struct tun_pi)
/* Room for a summary line (pkt_format's are far shorter), and for one
 * whole text line but its hex dump. */
#define SUMMARY_MAX 512
#define LINE_MAX_ (32 + SUMMARY_MAX)
/* Collected output is written at the end of a burst, or once this much is
 * waiting. */
#define FLUSH_AT 65536

struct session {
	struct ctx *c;
	const struct attach_req *r;
	int fd;                 /* the device, or -1 */
	bool tap, pi;
	size_t vnet;            /* virtio-net header size, 0 without */
	size_t hdr;             /* bytes before each packet: pi and vnet */
	uint8_t mac[6];         /* ours, for answers on tap */
	uint64_t packets, bytes, sent;
	/* The directed broadcast addresses of the device's IPv4 subnets: no
	 * host answers a ping to them from them. */
	struct ipaddr bcast[16];
	size_t nbcast;
	struct holder *h;       /* the other queues' readers (multi-queue) */
	size_t nh;
	struct sink_ctl ctl;
	struct sink out;        /* packet lines, to standard output */
	struct sink pcap_out;   /* pcap records, to --pcap FILE */
	bool pcap;              /* pcap_out is open */
	bool quiet;             /* standard output is /dev/null: no lines to make */
	bool dirty;             /* output collected since the last flush */
	bool nowait;            /* reads with RWF_NOWAIT work on fd */
	/* The local time of day of clock_sec, "HH:MM:SS", made once a second. */
	bool clock_set;
	time_t clock_sec;
	char clock_hms[8];
};

/* Plain hex for JSON: no spaces, no lines. */
static char *hex_string(const uint8_t *p, size_t len)
{
	char *h = malloc(len * 2 + 1);

	if (!h)
		return NULL;
	for (size_t i = 0; i < len; i++)
		fmt_hex_byte(h + 2 * i, p[i]);
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

/* One packet as a JSON object, through the output module. */
static void json_line(struct session *s, const char *dir, const struct timespec *ts,
		      const uint8_t *p, size_t len, const struct pkt *k)
{
	struct out *o = &s->c->out;
	char when[64], zone[8], line[SUMMARY_MAX];
	struct tm tm;

	pkt_format(k, line, sizeof(line));
	localtime_r(&ts->tv_sec, &tm);
	out_obj_open(o, NULL);
	/* ISO 8601 with the UTC offset: unambiguous for scripts. */
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%06ld%.3s:%.2s",
		 ts->tv_nsec / 1000, zone, zone + 3);
	out_str(o, "time", NULL, when);
	out_str(o, "direction", NULL, dir);
	out_uint(o, "length", NULL, len);
	out_str(o, "protocol", NULL, pkt_proto_name(k));
	json_fields(o, k);
	out_str(o, "summary", NULL, line);
	if (s->r->hex) {
		char *hex = hex_string(p, len);

		if (hex) {
			out_str(o, "hex", NULL, hex);
			free(hex);
		}
	}
	out_obj_close(o);
	out_end(o);
}

/* The local time of ts, "HH:MM:SS.uuuuuu"; localtime_r only when the
 * second changes. */
static void fmt_time(struct session *s, struct fmt *f, const struct timespec *ts)
{
	if (!s->clock_set || s->clock_sec != ts->tv_sec) {
		char hms[9];
		struct fmt h;
		struct tm tm;

		localtime_r(&ts->tv_sec, &tm);
		fmt_init(&h, hms, sizeof(hms));
		fmt_uint_w(&h, (uint64_t)tm.tm_hour, 2, '0');
		fmt_char(&h, ':');
		fmt_uint_w(&h, (uint64_t)tm.tm_min, 2, '0');
		fmt_char(&h, ':');
		fmt_uint_w(&h, (uint64_t)tm.tm_sec, 2, '0');
		memcpy(s->clock_hms, hms, sizeof(s->clock_hms));
		s->clock_sec = ts->tv_sec;
		s->clock_set = true;
	}
	fmt_mem(f, s->clock_hms, sizeof(s->clock_hms));
	fmt_char(f, '.');
	fmt_uint_w(f, (uint64_t)(ts->tv_nsec / 1000), 6, '0');
}

/* One packet as a text line, "12:00:00.000001 in     84 IPv4 ...", and
 * its hex dump, formatted straight into the output collected. */
static void text_line(struct session *s, const char *dir, const struct timespec *ts,
		      const uint8_t *p, size_t len, const struct pkt *k)
{
	size_t hex = s->r->hex ? (len / 16 + 1) * 80 + 1 : 0;
	char *room = sink_room(&s->out, LINE_MAX_ + hex);
	struct fmt f;

	if (!room)
		return;         /* no memory: sink_flush reports it */
	fmt_init(&f, room, LINE_MAX_ + hex);
	fmt_time(s, &f, ts);
	fmt_char(&f, ' ');
	fmt_str(&f, dir);
	for (size_t i = strlen(dir); i < 3; i++)
		fmt_char(&f, ' ');
	fmt_char(&f, ' ');
	fmt_uint_w(&f, len, 5, ' ');
	fmt_char(&f, ' ');
	f.n += pkt_format(k, f.buf + f.n, SUMMARY_MAX);
	fmt_char(&f, '\n');
	if (hex)
		f.n += pkt_hexdump(p, len, f.buf + f.n, hex);
	sink_add(&s->out, f.n);
}

/* One packet line (or JSON object), a hex dump, a pcap record. */
static int show(struct session *s, const char *dir, const struct timespec *ts,
		const uint8_t *p, size_t len, const struct pkt *k)
{
	int err;

	s->dirty = true;
	if (!s->quiet) {
		if (s->c->out.json)
			json_line(s, dir, ts, p, len, k);
		else
			text_line(s, dir, ts, p, len, k);
	}
	if (s->pcap && (err = pcap_record(&s->pcap_out, ts, p, len))) {
		report_err(s->c, err, NULL, "writing %s", s->r->pcap);
		return 1;
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

/* Sends the answer at p (len bytes, with room for the headers the device
 * expects before it), and shows it. */
static int send_answer(struct session *s, uint8_t *p, size_t len)
{
	uint8_t *b = p - s->hdr;
	struct timespec ts;
	struct pkt k;

	if (s->pi) {
		struct tun_pi pi = { 0, htons(s->tap ? ETH_P_TEB : (p[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP) };

		memcpy(b, &pi, PI_LEN);
	}
	memset(p - s->vnet, 0, s->vnet);
	if (write(s->fd, b, s->hdr + len) < 0) {
		/* A signal's: the run stops, the answer is not sent. */
		if ((errno == EINTR || errno == EAGAIN) && sink_stopping())
			return 0;
		report_err(s->c, errno, NULL, "answering on %s", s->r->name);
		return 1;
	}
	s->sent++;
	if (s->quiet && !s->pcap)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	pkt_decode(p, len, s->tap, &k);
	return show(s, "out", &ts, p, len, &k);
}

/* Writes the packet lines and the pcap records collected. */
static int flush(struct session *s)
{
	int err;

	s->dirty = false;
	if ((err = sink_flush(&s->ctl, &s->out))) {
		report_err(s->c, err, NULL, "writing output");
		return 1;
	}
	if (s->pcap && (err = sink_flush(&s->ctl, &s->pcap_out))) {
		report_err(s->c, err, NULL, "writing %s", s->r->pcap);
		return 1;
	}
	return 0;
}

/* One packet read: shown, recorded, answered. */
static int packet(struct session *s, uint8_t *p, size_t len)
{
	static uint8_t ans[BUFSZ];
	struct timespec ts;
	struct pkt k;
	size_t alen;

	s->packets++;
	s->bytes += len;
	if (!s->quiet || s->r->echo)
		pkt_decode(p, len, s->tap, &k);
	if (!s->quiet || s->pcap) {
		clock_gettime(CLOCK_REALTIME, &ts);
		if (show(s, "in", &ts, p, len, &k))
			return 1;
	}
	if ((sink_pending(&s->out) > FLUSH_AT || sink_pending(&s->pcap_out) > FLUSH_AT) && flush(s))
		return 1;
	/* The answer is made behind room for the device's headers. */
	if (s->r->echo && answerable(s, &k) &&
	    (alen = pkt_answer(p, len, s->tap, s->mac, ans + s->hdr, sizeof(ans) - s->hdr)) &&
	    send_answer(s, ans + s->hdr, alen))
		return 1;
	return 0;
}

/* The next packet into buf (size bytes): its length, or -1 and errno; with
 * *failed set when writing the output collected failed (reported).
 *
 * The descriptor blocks, so that a packet at a time costs one read and the
 * answer's write. Output collected is written once the device has no
 * packet waiting (one write for a burst, yet at once for a reader waiting
 * for a line): a read with RWF_NOWAIT, which the tun driver honours as it
 * does O_NONBLOCK, says so with EAGAIN; only then is the output written
 * and the blocking read made. With nothing collected (standard output
 * /dev/null, no pcap) it blocks at once. Where the kernel lacks
 * RWF_NOWAIT for tun, the output is written after each packet.
 *
 * Signals: SIGINT and SIGTERM are not blocked and have no SA_RESTART, so
 * one that comes while the read blocks ends it with EINTR. One that comes
 * after loop looked at the stop flag and before the read began would find
 * nothing to interrupt: its handler makes the descriptor non-blocking
 * (sink_wake_on_stop), and tun_chr_read_iter looks at O_NONBLOCK as each
 * read begins, so that read fails with EAGAIN at once and loop sees the
 * flag. (A signal that comes inside the read, before it sleeps, is seen by
 * the driver's own signal_pending check: EINTR.) */
static ssize_t read_packet(struct session *s, uint8_t *buf, size_t size, bool *failed)
{
	struct iovec v = { buf, size };
	ssize_t n;

	*failed = false;
	if (s->dirty && s->nowait) {
		n = preadv2(s->fd, &v, 1, -1, RWF_NOWAIT);
		if (n >= 0 || errno == EINTR)
			return n;
		if (errno == EOPNOTSUPP || errno == EINVAL || errno == ENOSYS)
			s->nowait = false;
		else if (errno != EAGAIN)
			return n;
	}
	if (s->dirty && flush(s)) {
		*failed = true;
		return -1;
	}
	/* The write found the reader gone (sink_write's EPIPE): stopping
	 * without a signal, so the descriptor still blocks. */
	if (sink_stopping()) {
		errno = EAGAIN;
		return -1;
	}
	return read(s->fd, buf, size);
}

static int loop(struct session *s)
{
	static uint8_t buf[BUFSZ];

	while (!sink_stopping() && (!s->r->has_count || s->packets < s->r->count)) {
		bool failed;
		ssize_t n = read_packet(s, buf, sizeof(buf), &failed);

		if (failed)
			return 1;
		if (n < 0) {
			/* Interrupted, or made non-blocking by a signal's handler:
			 * the loop sees the stop flag. */
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* The kernel's answers once the device is gone: EBADFD to
			 * a read that begins after, EFAULT to one that was blocked
			 * in it (tun_ring_recv, on the queue's RCV_SHUTDOWN); buf
			 * itself is always ours to write. */
			if (errno == EBADFD || errno == EFAULT) {
				report(s->c, "%s was deleted while attached", s->r->name);
				return 1;
			}
			report_err(s->c, errno, NULL, "reading %s", s->r->name);
			return 1;
		}
		if ((size_t)n >= s->hdr && packet(s, buf + s->hdr, (size_t)n - s->hdr))
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

/* Finds the device and attaches to it with its own flags. */
static int open_device_locked(struct session *s)
{
	struct ctx *c = s->c;
	struct device d;
	struct tun_info ti;
	int err;

	if (dev_lookup_attach(c, s->r->name, &d))
		return 1;
	ti = d.ti;
	if (s->r->echo)
		load_broadcasts(s, d.ifindex);
	/* Other queues of a multi-queue device: the kernel spreads flows over
	 * all of them, so attach would take some of theirs. */
	if (ti.flags.multi_queue)
		proc_tun_holders(ti.name, &s->h, &s->nh);
	s->tap = ti.flags.mode == MODE_TAP;
	s->pi = ti.flags.pi;
	if ((s->fd = tun_open(NULL)) < 0) {
		report_tun_open(c, s->fd, NULL);
		return 1;
	}
	err = tun_attach(s->fd, ti.name, &ti.flags);
	if (err == -EPERM) {
		report_attach_denied(c, &ti);
		return 1;
	}
	if (err == -EBUSY) {
		report_in_use(c, ti.name, "a single-queue device takes one reader");
		return 1;
	}
	if (err) {
		report_err(c, err, NULL, "attaching to %s", ti.name);
		return 1;
	}
	if (ti.flags.vnet_hdr) {
		int sz = tun_vnet_hdr_size(s->fd);

		s->vnet = sz > 0 ? (size_t)sz : 10;
	}
	s->hdr = (s->pi ? PI_LEN : 0) + s->vnet;
	/* Answer from a MAC that is not the device's own (the lookup's). */
	if (s->tap && d.link.has_mac && !memcmp(d.link.mac, s->mac, 6))
		s->mac[5] ^= 0xff;
	if (s->nh)
		warn(s->c, "%s has %zu other queue%s attached (%s, pid %d): "
			"the kernel spreads flows over all queues, so attach sees only some "
			"and takes them from that reader",
			ti.name, s->nh, s->nh == 1 ? "" : "s", s->h[0].comm, (int)s->h[0].pid);
	return 0;
}

/* Under the namespace's lock (ctx_lock) from reading the device's flags
 * to the attach that sets them: not a device another command is making,
 * nor flags another is setting back (an add --exist-ok). Let go of once
 * attached: attach runs for long. */
static int open_device(struct session *s)
{
	int rc;

	if (ctx_lock(s->c))
		return 1;
	rc = open_device_locked(s);
	ctx_unlock(s->c);
	return rc;
}

/* Creates the --pcap file (as fopen "w" would; a FIFO waits here for its
 * reader) with the file header collected. */
static int open_pcap(struct session *s)
{
	const char *path = s->r->pcap;
	int fd, err;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0) {
		report_err(s->c, errno, NULL, "cannot create %s", path);
		return 1;
	}
	sink_init(&s->pcap_out, fd);
	s->pcap = true;
	if ((err = pcap_start(&s->pcap_out, s->tap ? LINKTYPE_ETHERNET : LINKTYPE_RAW))) {
		report_err(s->c, err, NULL, "writing %s", path);
		return 1;
	}
	return 0;
}

/* Reads, shows and answers until stopped or done, then says how many. */
static int run(struct session *s)
{
	struct ctx *c = s->c;
	char sum[128];
	int rc, len;

	sink_init(&s->out, STDOUT_FILENO);
	/* Lines for /dev/null are not made: attach then costs what a bare
	 * read/write loop costs. */
	s->quiet = sink_discards(STDOUT_FILENO);
	s->nowait = true;
	/* Unmasked: the read blocks, and a signal must end it (read_packet). */
	sink_wake_on_stop(s->fd);
	sink_ctl_init(&s->ctl, false);
	if (c->out.json && !s->quiet) {
		FILE *f = sink_stream(&s->out);

		if (!f) {
			report_err(c, errno, NULL, "buffering output");
			return 1;
		}
		c->out.f = f;
	}
	/* The pcap file header first, for a reader waiting on a FIFO. */
	rc = flush(s);
	if (!rc)
		rc = loop(s);
	if (!rc)
		rc = flush(s);
	c->out.f = stdout;
	if (rc)
		return rc;
	/* The summary goes to stderr, so stdout holds packet lines only; a
	 * stderr nobody reads cannot hold attach either. */
	/* After a ^C that the terminal echoed, on a line of its own. */
	len = snprintf(sum, sizeof(sum), "%s%llu packet%s, %llu bytes received",
		       sink_stopping() && isatty(STDERR_FILENO) ? "\n" : "", (unsigned long long)s->packets,
		       s->packets == 1 ? "" : "s", (unsigned long long)s->bytes);
	if (s->r->echo)
		len += snprintf(sum + len, sizeof(sum) - (size_t)len, "; %llu answer%s sent",
				(unsigned long long)s->sent, s->sent == 1 ? "" : "s");
	len += snprintf(sum + len, sizeof(sum) - (size_t)len, "\n");
	fflush(stderr);
	sink_write(&s->ctl, STDERR_FILENO, sink_may_block(STDERR_FILENO), sum, (size_t)len);
	return 0;
}

/* Frees what the session holds; rc is the run's, or 1 once closing the
 * pcap file fails. */
static int close_session(struct session *s, int rc)
{
	/* After a failure, the packets seen still go to the pcap file. */
	if (rc && s->pcap)
		sink_flush(&s->ctl, &s->pcap_out);
	sink_free(&s->out);
	sink_free(&s->pcap_out);
	if (s->pcap && close(s->pcap_out.fd) && !rc) {
		report_err(s->c, errno, NULL, "writing %s", s->r->pcap);
		rc = 1;
	}
	sink_wake_on_stop(-1);
	if (s->fd >= 0)
		close(s->fd);
	free(s->h);
	return rc;
}

int attach_run(struct ctx *c, const struct attach_req *r)
{
	struct session s = { .c = c, .r = r, .fd = -1, .mac = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 } };
	int rc = open_device(&s);

	if (!rc && r->pcap)
		rc = open_pcap(&s);
	if (!rc)
		rc = run(&s);
	return close_session(&s, rc);
}
