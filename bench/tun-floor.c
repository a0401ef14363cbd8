/* tun-floor - the least any tool must do to create N persistent tun devices
 * through /dev/net/tun: open, TUNSETIFF, TUNSETPERSIST, close, per device,
 * and nothing else (no owner, no link-up, no address, no output).
 *
 *   tun-floor NETNS N        creates b0 .. b(N-1) in /run/netns/NETNS
 *
 * bench/run times it beside case (b): its time over iproute2's is the lowest
 * ratio any implementation can reach on the machine, since the kernel
 * serialises device registration under the RTNL lock. Benchmark only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_tun.h>

static int fail(const char *what, const char *arg)
{
	fprintf(stderr, "tun-floor: %s %s: %s\n", what, arg, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	char path[300], *end;
	long n;
	int nsfd;

	if (argc != 3 || strchr(argv[1], '/')) {
		fprintf(stderr, "usage: tun-floor NETNS N\n");
		return 2;
	}
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
	for (long i = 0; i < n; i++) {
		struct ifreq ifr;
		int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, IFNAMSIZ, "b%ld", i);
		ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
#ifdef IFF_NO_CARRIER
		ifr.ifr_flags |= IFF_NO_CARRIER;    /* as tunctl creates them */
#endif
		if (fd < 0)
			return fail("cannot open", "/dev/net/tun");
		if (ioctl(fd, TUNSETIFF, &ifr) < 0)
			return fail("cannot create", ifr.ifr_name);
		if (ioctl(fd, TUNSETPERSIST, 1L) < 0)
			return fail("cannot make persistent", ifr.ifr_name);
		close(fd);
	}
	return 0;
}
