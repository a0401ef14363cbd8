/* broker_client.c - the client side of "tunctl broker": add, del, set and
 * run without CAP_NET_ADMIN, carried out by the broker as the policy
 * allows, with the same output and exit status as a direct run. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <linux/capability.h>

#include "broker.h"
#include "brokerproto.h"
#include "procfs.h"

const char *broker_socket_path(void)
{
	const char *p = getenv("TUNCTL_BROKER_SOCKET");

	return p && *p ? p : BROKER_SOCKET;
}

static bool broker_there(void)
{
	struct stat st;

	return !proc_has_cap(CAP_NET_ADMIN) && stat(broker_socket_path(), &st) == 0 && S_ISSOCK(st.st_mode);
}

bool broker_wanted(const struct request *req)
{
	const struct set_req *s = &req->u.set;

	if (req->g.help || req->g.version || req->g.netns || req->g.batch)
		return false;
	if (req->cmd != CMD_ADD && req->cmd != CMD_DEL && req->cmd != CMD_SET)
		return false;
	/* The owner may change a device's owner and group itself. */
	if (req->cmd == CMD_SET && (s->user.set || s->group.set) && !s->link.set_updown && !s->link.has_mtu &&
	    !s->link.has_mac && !s->link.has_txqlen && !s->netns)
		return false;
	return broker_there();
}

/* One request, one reply: 0 with *status, the output (malloc'd), the
 * error line and the descriptors; or 1 after reporting. */
static int exchange(struct ctx *c, int argc, char **argv, int *status, char **out, size_t *outlen,
		    char *err, size_t errlen, int *fds, unsigned *nfds)
{
	const char *path = broker_socket_path();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 120 };
	char cbuf[CMSG_SPACE(sizeof(int) * BROKER_FDS_MAX)], *buf = NULL;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	const char *o, *e;
	size_t len, el;
	ssize_t n;
	int fd = -1, rc = 1;

	*nfds = 0;
	*out = NULL;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		report(c, "broker socket path \"%s\" is too long", path);
		return 1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (!(buf = malloc(BROKER_REPLY_MAX))) {
		report(c, "out of memory");
		return 1;
	}
	if (!(len = broker_req_encode(buf, BROKER_REQ_MAX, argc, argv))) {
		report(c, "the command line is too long for the broker (at most %d bytes, %d words)",
		       BROKER_REQ_MAX, BROKER_WORDS_MAX);
		goto out;
	}
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		report_err(c, errno, NULL, "cannot reach the broker at %s (without CAP_NET_ADMIN, tunctl asks it)",
			   path);
		goto out;
	}
	if (send(fd, buf, len, MSG_NOSIGNAL) < 0) {
		report_err(c, errno, NULL, "sending the request to the broker at %s", path);
		goto out;
	}
	iov = (struct iovec){ .iov_base = buf, .iov_len = BROKER_REPLY_MAX };
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); n >= 0 && cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			unsigned k = (unsigned)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			for (unsigned i = 0; i < k && *nfds < BROKER_FDS_MAX; i++)
				memcpy(&fds[(*nfds)++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
		}
	if (n < 0) {
		report_err(c, errno, NULL, "reading the broker's answer");
		goto out;
	}
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    !broker_reply_decode(buf, (size_t)n, status, &o, outlen, &e, &el)) {
		report(c, "the broker's answer is malformed or truncated");
		goto out;
	}
	if (!(*out = malloc(*outlen + 1))) {
		report(c, "out of memory");
		goto out;
	}
	memcpy(*out, o, *outlen);
	snprintf(err, errlen, "%.*s", (int)el, e);
	rc = 0;
out:
	if (rc) {
		for (unsigned i = 0; i < *nfds; i++)
			close(fds[i]);
		*nfds = 0;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

int broker_client_run(struct ctx *c, int argc, char **argv)
{
	int fds[BROKER_FDS_MAX], status;
	char err[1024], *out;
	size_t outlen;
	unsigned nfds;

	if (exchange(c, argc - 1, argv + 1, &status, &out, &outlen, err, sizeof(err), fds, &nfds))
		return 1;
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
	fwrite(out, 1, outlen, c->out.f);
	fputs(err, stderr);
	free(out);
	return status;
}

int broker_client_queues(struct ctx *c, const char *name, unsigned n, int *fds)
{
	int got[BROKER_FDS_MAX], status;
	char num[16], err[1024], *out;
	char *argv[] = { "run", (char *)name, "--queues", num, "--", "-", NULL };
	size_t outlen;
	unsigned nfds;

	snprintf(num, sizeof(num), "%u", n);
	if (exchange(c, 6, argv, &status, &out, &outlen, err, sizeof(err), got, &nfds))
		return 1;
	free(out);
	if (status || nfds != n) {
		for (unsigned i = 0; i < nfds; i++)
			close(got[i]);
		if (status)
			fputs(err, stderr);
		else
			report(c, "the broker sent %u descriptors for %u queues of %s", nfds, n, name);
		return status ? status : 1;
	}
	memcpy(fds, got, n * sizeof(int));
	return 0;
}

bool broker_for_run(void)
{
	return broker_there();
}
