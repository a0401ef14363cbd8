/* tun-floor - the least any tool must do to create N persistent tun devices
 * through /dev/net/tun: open, TUNSETIFF, TUNSETPERSIST, close, per device,
 * and nothing else (no owner, no link-up, no address, no output).
 *
 *   tun-floor NETNS N        creates b0 .. b(N-1) in /run/netns/NETNS
 *   tun-floor NETNS N vm UID BRIDGE
 *                            the same work as a VM's tap (bench/vm): tap
 *                            devices, TUNSETOWNER UID, then, still open (as
 *                            tunctl does), one RTM_SETLINK each (a MAC,
 *                            BRIDGE as master, up) sent 64 at a time, then
 *                            TUNSETPERSIST and close
 *   tun-floor NETNS N up     the whole of case (b)'s kernel work: the same
 *                            devices, then one RTM_SETLINK (up) and one
 *                            RTM_NEWADDR (198.18.x.y/32, bench/run's
 *                            addresses) each, sent 64 devices at a time,
 *                            the index from SIOCGIFINDEX as each is made
 *   tun-floor NETNS N up held
 *                            the same, done as tunctl must to leave nothing
 *                            if it is killed: each descriptor held open
 *                            while the devices are configured, then
 *                            TUNSETPERSIST and close (bench/run's (b2))
 *   tun-floor NETNS N unused [up]
 *                            the least work of a "del --unused" that keeps
 *                            any process from attaching between its check
 *                            and the delete (bench/vm (c1)): attaches to the
 *                            taps l0 .. l(N-1) (one queue, no PI; each kept
 *                            open), moves each into link group UNUSED_GROUP
 *                            and down (with "up": leaves it up) with one
 *                            RTM_SETLINK each sent 64 at a time, then
 *                            deletes the group with one RTM_DELLINK
 *
 * bench/run times it beside case (b): its time over iproute2's is the lowest
 * ratio any implementation can reach on the machine, since the kernel
 * serialises device registration under the RTNL lock. Benchmark only. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

static int fail(const char *what, const char *arg)
{
	fprintf(stderr, "tun-floor: %s %s: %s\n", what, arg, strerror(errno));
	return 1;
}

/* The link group of the "unused" mode (one of tunctl's own del groups). */
#define UNUSED_GROUP 0x7e5700ffu

/* Sends len bytes of requests, the last of which asks for an ACK (seq),
 * and reads the answers: 0, or 1 after saying which failed. */
static int exchange(int sk, const char *buf, size_t len, unsigned seq, const char *what)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(sk, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail("cannot send to", "rtnetlink");
	/* Errors come as they happen; the batch's last asks for an ACK. */
	for (;;) {
		char rb[8192];
		ssize_t r = recv(sk, rb, sizeof(rb), 0);
		bool last = false;

		if (r < 0)
			return fail("cannot read", "rtnetlink");
		for (struct nlmsghdr *h = (struct nlmsghdr *)rb; NLMSG_OK(h, (size_t)r); h = NLMSG_NEXT(h, r)) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error) {
				errno = -e->error;
				return fail(what, "a device");
			}
			last |= h->nlmsg_seq == seq;
		}
		if (last)
			return 0;
	}
}

static struct rtattr *put_attr(struct nlmsghdr *h, unsigned short type, const void *v, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(a), v, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

/* A request of type at at (128 bytes zeroed first), with its fixed
 * header of hdr bytes zeroed: the message, for attributes after it. */
static struct nlmsghdr *put_msg(char *at, uint16_t type, uint16_t flags, unsigned seq, size_t hdr)
{
	struct nlmsghdr *h = (struct nlmsghdr *)at;

	memset(h, 0, 128);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = seq;
	h->nlmsg_len = NLMSG_LENGTH(hdr);
	return h;
}

/* The "unused" mode's netlink part: l0 .. l(n-1) into UNUSED_GROUP (and
 * down unless up), 64 RTM_SETLINK a send, then one RTM_DELLINK of the
 * group. */
static int group_delete(long n, bool up)
{
	static char buf[64 * 128];
	uint32_t group = UNUSED_GROUP;
	int sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	unsigned seq = 0;
	struct nlmsghdr *h;
	struct ifinfomsg *ifi;

	if (sk < 0)
		return fail("cannot open", "rtnetlink");
	for (long i = 0; i < n;) {
		size_t off = 0;

		for (long k = 0; k < 64 && i < n; k++, i++) {
			char name[IFNAMSIZ];

			h = put_msg(buf + off, RTM_SETLINK, k == 63 || i == n - 1 ? NLM_F_ACK : 0, ++seq, sizeof(*ifi));
			ifi = NLMSG_DATA(h);
			ifi->ifi_family = AF_UNSPEC;
			ifi->ifi_change = up ? 0 : IFF_UP;
			snprintf(name, sizeof(name), "l%ld", i % 1000000);
			put_attr(h, IFLA_IFNAME, name, sizeof(name));
			put_attr(h, IFLA_GROUP, &group, sizeof(group));
			off += NLMSG_ALIGN(h->nlmsg_len);
		}
		if (exchange(sk, buf, off, seq, "RTM_SETLINK refused for"))
			return 1;
	}
	h = put_msg(buf, RTM_DELLINK, NLM_F_ACK, ++seq, sizeof(*ifi));
	ifi = NLMSG_DATA(h);
	ifi->ifi_family = AF_UNSPEC;
	put_attr(h, IFLA_GROUP, &group, sizeof(group));
	if (n && exchange(sk, buf, h->nlmsg_len, seq, "RTM_DELLINK refused for"))
		return 1;
	close(sk);
	return 0;
}

/* One RTM_SETLINK per device b0 .. b(n-1), found by name: MAC, master,
 * up; sent in batches of 64 (no ACK but on each batch's last), errors read. */
static int link_all(long n, int master)
{
	static char buf[64 * 128];
	int sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	unsigned seq = 0;

	if (sk < 0)
		return fail("cannot open", "rtnetlink");
	for (long i = 0; i < n;) {
		size_t off = 0;
		long k;

		for (k = 0; k < 64 && i < n; k++, i++) {
			struct nlmsghdr *h = put_msg(buf + off, RTM_SETLINK, k == 63 || i == n - 1 ? NLM_F_ACK : 0, ++seq,
						     sizeof(struct ifinfomsg));
			struct ifinfomsg *ifi = NLMSG_DATA(h);
			unsigned char mac[6] = { 0x02, 0x00, 0x5e, (unsigned char)(i >> 16), (unsigned char)(i >> 8), (unsigned char)i };
			char name[IFNAMSIZ] = { 0 };

			ifi->ifi_family = AF_UNSPEC;
			ifi->ifi_change = IFF_UP;
			ifi->ifi_flags = IFF_UP;
			snprintf(name, sizeof(name), "b%ld", i % 1000000);
			put_attr(h, IFLA_IFNAME, name, sizeof(name));
			put_attr(h, IFLA_ADDRESS, mac, sizeof(mac));
			put_attr(h, IFLA_MASTER, &master, sizeof(master));
			off += NLMSG_ALIGN(h->nlmsg_len);
		}
		if (exchange(sk, buf, off, seq, "RTM_SETLINK refused for"))
			return 1;
	}
	close(sk);
	return 0;
}

/* The "up" mode's netlink part: b0 .. b(n-1) (indexes idx) up, each with
 * 198.18.x.y/32 as bench/run numbers them; 64 devices a send, one ACK. */
static int up_all(long n, const int *idx)
{
	static char buf[64 * 2 * 128];
	int sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	unsigned seq = 0;

	if (sk < 0)
		return fail("cannot open", "rtnetlink");
	for (long i = 0; i < n;) {
		size_t off = 0;

		for (long k = 0; k < 64 && i < n; k++, i++) {
			struct nlmsghdr *h = put_msg(buf + off, RTM_SETLINK, 0, ++seq, sizeof(struct ifinfomsg));
			struct ifinfomsg *ifi = NLMSG_DATA(h);
			struct ifaddrmsg *ifa;
			unsigned char a4[4] = { 198, (unsigned char)(18 + i / 65536),
						(unsigned char)(i / 256 % 256), (unsigned char)(i % 256) };

			ifi->ifi_family = AF_UNSPEC;
			ifi->ifi_index = idx[i];
			ifi->ifi_change = IFF_UP;
			ifi->ifi_flags = IFF_UP;
			off += NLMSG_ALIGN(h->nlmsg_len);
			h = put_msg(buf + off, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | (k == 63 || i == n - 1 ? NLM_F_ACK : 0),
				    ++seq, sizeof(*ifa));
			ifa = NLMSG_DATA(h);
			ifa->ifa_family = AF_INET;
			ifa->ifa_prefixlen = 32;
			ifa->ifa_index = (unsigned)idx[i];
			put_attr(h, IFA_LOCAL, a4, 4);
			put_attr(h, IFA_ADDRESS, a4, 4);
			off += NLMSG_ALIGN(h->nlmsg_len);
		}
		if (exchange(sk, buf, off, seq, "RTM_SETLINK or RTM_NEWADDR refused for"))
			return 1;
	}
	close(sk);
	return 0;
}

int main(int argc, char **argv)
{
	char path[300], *end;
	bool vm = argc == 6 && !strcmp(argv[3], "vm");
	bool unused = (argc == 4 || argc == 5) && !strcmp(argv[3], "unused");
	bool up = unused && argc == 5 && !strcmp(argv[4], "up");
	bool upaddr = (argc == 4 || argc == 5) && !strcmp(argv[3], "up");
	bool held = upaddr && argc == 5 && !strcmp(argv[4], "held");
	long n, uid = -1;
	int nsfd, master = 0, *fds = NULL, sk4 = -1;

	if ((argc != 3 && !vm && !unused && !upaddr) || (unused && argc == 5 && !up) ||
	    (upaddr && argc == 5 && !held) || strchr(argv[1], '/')) {
		fprintf(stderr, "usage: tun-floor NETNS N [up [held] | vm UID BRIDGE | unused [up]]\n");
		return 2;
	}
	if (vm)
		uid = strtol(argv[4], NULL, 10);
	errno = 0;
	n = strtol(argv[2], &end, 10);
	if (errno || *end || n < 0 || n > 1000000) {
		fprintf(stderr, "tun-floor: bad count \"%s\"\n", argv[2]);
		return 2;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", argv[1]);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return fail("cannot open", path);
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return fail("cannot enter", path);
	close(nsfd);
	if (vm && !(master = (int)if_nametoindex(argv[5])))
		return fail("no bridge", argv[5]);
	if (upaddr) {
		/* fds: the indexes, for the "up" mode's messages; held: the
		 * descriptors after them. */
		if (!(fds = calloc(2 * (size_t)n + 1, sizeof(*fds))))
			return fail("out of", "memory");
		if (held) {
			struct rlimit rl = { (rlim_t)n + 64, (rlim_t)n + 64 };

			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				return fail("cannot raise", "RLIMIT_NOFILE");
		}
		if ((sk4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
			return fail("cannot open", "a socket");
	}
	if (vm || unused) {
		struct rlimit rl = { (rlim_t)n + 64, (rlim_t)n + 64 };

		if (!(fds = calloc((size_t)n + 1, sizeof(*fds))))
			return fail("out of", "memory");
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			return fail("cannot raise", "RLIMIT_NOFILE");
	}
	for (long i = 0; i < n; i++) {
		struct ifreq ifr;
		int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, IFNAMSIZ, unused ? "l%ld" : "b%ld", i);
		ifr.ifr_flags = (vm || unused ? IFF_TAP : IFF_TUN) | IFF_NO_PI;
#ifdef IFF_NO_CARRIER
		ifr.ifr_flags |= IFF_NO_CARRIER;    /* as tunctl creates them */
#endif
		if (fd < 0)
			return fail("cannot open", "/dev/net/tun");
		if (ioctl(fd, TUNSETIFF, &ifr) < 0)
			return fail(unused ? "cannot attach to" : "cannot create", ifr.ifr_name);
		if (unused) {
			/* Held until the group delete takes the device. */
			fds[i] = fd;
			continue;
		}
		if (vm) {
			/* Kept open until configured, as tunctl does. */
			if (ioctl(fd, TUNSETOWNER, uid) < 0)
				return fail("cannot set the owner of", ifr.ifr_name);
			fds[i] = fd;
			continue;
		}
		if (upaddr) {
			if (ioctl(sk4, SIOCGIFINDEX, &ifr) < 0)
				return fail("no index for", ifr.ifr_name);
			fds[i] = ifr.ifr_ifindex;
		}
		if (held) {
			fds[n + i] = fd;
			continue;
		}
		if (ioctl(fd, TUNSETPERSIST, 1L) < 0)
			return fail("cannot make persistent", ifr.ifr_name);
		close(fd);
	}
	if (upaddr) {
		if (up_all(n, fds))
			return 1;
		for (long i = 0; held && i < n; i++) {
			if (ioctl(fds[n + i], TUNSETPERSIST, 1L) < 0)
				return fail("cannot make persistent", "a device");
			close(fds[n + i]);
		}
		free(fds);
		close(sk4);
		return 0;
	}
	if (unused) {
		if (group_delete(n, up))
			return 1;
		for (long i = 0; i < n; i++)
			close(fds[i]);
		free(fds);
		return 0;
	}
	if (!vm)
		return 0;
	if (link_all(n, master))
		return 1;
	for (long i = 0; i < n; i++) {
		if (ioctl(fds[i], TUNSETPERSIST, 1L) < 0)
			return fail("cannot make persistent", "a device");
		close(fds[i]);
	}
	free(fds);
	return 0;
}
