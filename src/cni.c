/* cni.c - tunctl as a CNI plugin: ADD, DEL, CHECK and VERSION for a runtime
 * (podman, containerd, CRI-O, kubelet's), which runs it as root with the
 * request in its environment and the configuration on stdin.  The device
 * is made as "tunctl add" makes one, all or nothing: created held by a
 * descriptor and not persistent, under a temporary name, in the container's
 * namespace; renamed with its link settings and master, and brought up,
 * in one request; its addresses and routes in one exchange (devconf); made
 * persistent last.
 * Any failure closes the descriptor, which takes the device with it, and
 * gives the IPAM plugin's lease back. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cni.h"
#include "dumps.h"
#include "ops.h"
#include "tun.h"

extern char **environ;

/* Everything a run needs to say how it ended. */
struct run {
	struct cni_req r;
	struct cni_err e;
	const char *version;            /* for the answer's cniVersion */
	char *text;                     /* the configuration, as read */
	size_t len;
	int hostns;                     /* the runtime's network namespace */
	char capture[1024];             /* tunctl's own message of a failure */
};

/* The message tunctl's operations reported (captured), as the details. */
static void kernel_err(struct run *x, unsigned code, const char *msg)
{
	char *d = x->capture;
	size_t n;

	if (!strncmp(d, "tunctl: ", 8))
		d += 8;
	n = strlen(d);
	while (n && d[n - 1] == '\n')
		d[--n] = '\0';
	cni_seterr(&x->e, code, msg, "%s", *d ? d : "failed");
}

static void fresh_ctx(struct run *x, struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	out_init(&c->out, stdout, true);
	x->capture[0] = '\0';
	c->capture = x->capture;
	c->capture_len = sizeof(x->capture);
}

/* Reads all of fd, at most max bytes: 0, -EFBIG past max, or -errno. */
static int read_all(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1), *nb;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(buf);
				return -EFBIG;
			}
			if (!(nb = realloc(buf, cap * 2 + 1))) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* The IPAM plugin's path: the first executable of that name in CNI_PATH. */
static bool find_plugin(struct run *x, char *path, size_t len)
{
	const char *p = x->r.path;

	while (p && *p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);

		if (n && (size_t)snprintf(path, len, "%.*s/%s", (int)n, p, x->r.ipam_type) < len &&
		    access(path, X_OK) == 0)
			return true;
		p = colon ? colon + 1 : NULL;
	}
	cni_seterr(&x->e, CNI_E_IPAM, "IPAM plugin not found",
		   "no executable \"%s\" in CNI_PATH=%s", x->r.ipam_type, x->r.path ? x->r.path : "");
	return false;
}

/* Our environment for the IPAM plugin, with CNI_COMMAND set to cmd (written
 * into envcmd, of size bytes).  NULL with x->e set if out of memory. */
static char **plugin_env(struct run *x, const char *cmd, char *envcmd, size_t size)
{
	size_t nenv = 0, k = 0;
	char **env;

	while (environ[nenv])
		nenv++;
	if (!(env = calloc(nenv + 2, sizeof(*env)))) {
		cni_seterr(&x->e, CNI_E_IPAM, "cannot run the IPAM plugin", "out of memory");
		return NULL;
	}
	snprintf(envcmd, size, "CNI_COMMAND=%s", cmd);
	env[k++] = envcmd;
	for (size_t i = 0; i < nenv; i++)
		if (strncmp(environ[i], "CNI_COMMAND=", 12))
			env[k++] = environ[i];
	env[k] = NULL;
	return env;
}

/* Reads the plugin's output from fd into *res (up to CNI_INPUT_MAX) and
 * waits for it (pid) to end, into *status.  0 or -errno (-EFBIG: longer). */
static int plugin_wait(int fd, pid_t pid, char **res, size_t *rlen, int *status)
{
	int err = read_all(fd, CNI_INPUT_MAX, res, rlen);

	if (err == -EFBIG) {
		/* Read to its end, so that it is not stopped by SIGPIPE half way. */
		char sink[4096];

		while (read(fd, sink, sizeof(sink)) > 0)
			;
	}
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return err;
}

/* Sets x->e for plugin path that ran cmd and ended with status (not a
 * success), having written res: its own error, passed on as it gave it,
 * when it gave one. */
static void plugin_failed(struct run *x, const char *path, const char *cmd, int status, char *res, size_t rlen)
{
	struct json_doc d;
	char jerr[ERRLEN];
	const struct json *root, *code;
	uint32_t c;

	if (json_parse(&d, res, rlen, jerr, sizeof(jerr)) && (root = json_root(&d))->type == JSON_OBJECT &&
	    (code = json_get(root, "code")) && json_uint(code, UINT32_MAX, &c) && c) {
		const char *msg = json_str(root, "msg"), *det = json_str(root, "details");

		cni_seterr(&x->e, c, msg && *msg ? msg : "IPAM plugin failed", "%s %s: %s", x->r.ipam_type, cmd,
			   det && *det ? det : msg && *msg ? msg : "failed");
	} else if (WIFEXITED(status)) {
		cni_seterr(&x->e, CNI_E_IPAM, "IPAM plugin failed", "%s %s exited with status %d", path, cmd,
			   WEXITSTATUS(status));
	} else {
		cni_seterr(&x->e, CNI_E_IPAM, "IPAM plugin failed", "%s %s was killed by signal %d", path, cmd,
			   WTERMSIG(status));
	}
	json_free(&d);
}

/* Runs the IPAM plugin with command cmd, in the runtime's namespace, with
 * our environment (CNI_COMMAND set to cmd) and our configuration on its
 * stdin; its stderr is ours.  0 with its output in *out (the caller's to
 * free), or -1 with x->e set: its own error when it gave one. */
static int ipam_exec(struct run *x, const char *cmd, char **out, size_t *outlen)
{
	char path[4096], envcmd[32], **env;
	int in = -1, pipefd[2] = { -1, -1 }, status, err;
	pid_t pid;
	char *res = NULL;
	size_t rlen = 0;

	*out = NULL;
	if (!find_plugin(x, path, sizeof(path)))
		return -1;
	if (!(env = plugin_env(x, cmd, envcmd, sizeof(envcmd))))
		return -1;
	/* The configuration from memory, whatever its size: a pipe would
	 * need a writer beside the reader. */
	in = memfd_create("cni-config", MFD_CLOEXEC);
	if (in < 0 || write(in, x->text, x->len) != (ssize_t)x->len || lseek(in, 0, SEEK_SET) != 0 ||
	    pipe2(pipefd, O_CLOEXEC) < 0) {
		cni_seterr(&x->e, CNI_E_IPAM, "cannot run the IPAM plugin", "%s: %s", path, strerror(errno));
		goto fail;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		cni_seterr(&x->e, CNI_E_IPAM, "cannot run the IPAM plugin", "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		/* The runtime's namespace: an IPAM plugin such as dhcp talks
		 * to the network from there. */
		if (dup2(in, 0) < 0 || dup2(pipefd[1], 1) < 0 || (x->hostns >= 0 && setns(x->hostns, CLONE_NEWNET) < 0))
			_exit(127);
		execve(path, (char *[]){ path, NULL }, env);
		fprintf(stderr, "tunctl-cni: running %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	if ((err = plugin_wait(pipefd[0], pid, &res, &rlen, &status))) {
		cni_seterr(&x->e, CNI_E_IPAM, "unusable IPAM result", "reading the output of %s %s: %s", path, cmd,
			   err == -EFBIG ? "more than 1 MiB" : strerror(-err));
		goto fail;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		plugin_failed(x, path, cmd, status, res, rlen);
		goto fail;
	}
	close(in);
	close(pipefd[0]);
	free(env);
	*out = res;
	*outlen = rlen;
	return 0;
fail:
	if (in >= 0)
		close(in);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	free(env);
	free(res);
	return -1;
}

/* Enters CNI_NETNS.  0; 1 after setting x->e; or -ENOENT when it is not
 * there (or no longer a namespace), for DEL's sake, with x->e set too. */
static int enter_netns(struct run *x)
{
	int fd = open(x->r.netns, O_RDONLY | O_CLOEXEC), err;

	if (fd >= 0 && setns(fd, CLONE_NEWNET) == 0) {
		close(fd);
		return 0;
	}
	err = errno;
	if (fd >= 0)
		close(fd);
	/* EINVAL: a file that is not (or no longer) a namespace. */
	cni_seterr(&x->e, err == ENOENT || err == EINVAL ? CNI_E_UNKNOWN : CNI_E_DEVICE,
		   "cannot enter the container's network namespace", "CNI_NETNS=%s: %s", x->r.netns,
		   err == EINVAL ? "not a network namespace" : strerror(err));
	return err == ENOENT || err == EINVAL ? -ENOENT : 1;
}

static bool get_mac(const char *name, char buf[18])
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ok = s >= 0 && ioctl(s, SIOCGIFHWADDR, &ifr) == 0;
	if (ok)
		format_mac((const uint8_t *)ifr.ifr_hwaddr.sa_data, buf);
	if (s >= 0)
		close(s);
	return ok;
}

static void print_ips(struct run *x, struct out *o, const struct cni_result *res, int iface)
{
	for (size_t i = 0; res && i < res->nips; i++) {
		int k = iface >= 0 ? iface : res->ips[i].iface;

		out_obj_open(o, NULL);
		if (x->r.legacy)
			out_str(o, "version", NULL, res->ips[i].a.local.addr.family == AF_INET6 ? "6" : "4");
		out_str(o, "address", NULL, res->ips[i].address);
		if (res->ips[i].gateway)
			out_str(o, "gateway", NULL, res->ips[i].gateway);
		if (k >= 0)
			out_uint(o, "interface", NULL, (unsigned)k);
		out_obj_close(o);
	}
}

static void print_routes(struct out *o, const struct cni_result *res)
{
	for (size_t i = 0; res && i < res->nroutes; i++) {
		out_obj_open(o, NULL);
		out_str(o, "dst", NULL, res->routes[i].dst);
		if (res->routes[i].gw)
			out_str(o, "gw", NULL, res->routes[i].gw);
		out_obj_close(o);
	}
}

/* Writes the Success result of ADD to f: prev's (a prevResult, or NULL),
 * then the device, and res's addresses (what the IPAM plugin gave, or
 * NULL) on it. */
static void print_result(struct run *x, FILE *f, const char *mac, const struct cni_result *res,
			 const struct cni_result *prev)
{
	const struct json *dns = x->r.dns ? x->r.dns : res && res->dns ? res->dns : prev ? prev->dns : NULL;
	size_t self = prev ? prev->nifs : 0;
	struct out o;

	out_init(&o, f, true);
	out_obj_open(&o, NULL);
	out_str(&o, "cniVersion", NULL, x->r.version);
	out_arr_open(&o, "interfaces");
	for (size_t i = 0; i < self; i++) {
		out_obj_open(&o, NULL);
		out_str(&o, "name", NULL, prev->ifs[i].name);
		if (prev->ifs[i].mac)
			out_str(&o, "mac", NULL, prev->ifs[i].mac);
		if (prev->ifs[i].sandbox)
			out_str(&o, "sandbox", NULL, prev->ifs[i].sandbox);
		out_obj_close(&o);
	}
	out_obj_open(&o, NULL);
	out_str(&o, "name", NULL, x->r.ifname);
	if (mac)
		out_str(&o, "mac", NULL, mac);
	out_str(&o, "sandbox", NULL, x->r.netns);
	out_obj_close(&o);
	out_arr_close(&o);
	if (res || (prev && prev->nips)) {
		out_arr_open(&o, "ips");
		print_ips(x, &o, prev, -1);
		print_ips(x, &o, res, (int)self);
		out_arr_close(&o);
	}
	if ((res && res->nroutes) || (prev && prev->nroutes)) {
		out_arr_open(&o, "routes");
		print_routes(&o, prev);
		print_routes(&o, res);
		out_arr_close(&o);
	}
	/* The spec's DNS keys, each a string or a list of strings; none: no
	 * "dns". */
	if (dns && (json_get(dns, "nameservers") || json_get(dns, "domain") || json_get(dns, "search") ||
		    json_get(dns, "options"))) {
		static const char *const keys[] = { "nameservers", "domain", "search", "options" };

		out_obj_open(&o, "dns");
		for (size_t k = 0; k < 4; k++) {
			const struct json *v = json_get(dns, keys[k]);

			if (v && v->type == JSON_STRING) {
				out_str(&o, keys[k], NULL, v->s);
			} else if (v && v->type == JSON_ARRAY) {
				out_arr_open(&o, keys[k]);
				for (const struct json *s = v->kid; s; s = s->next)
					if (s->type == JSON_STRING)
						out_str(&o, NULL, NULL, s->s);
				out_arr_close(&o);
			}
		}
		out_obj_close(&o);
	}
	out_obj_close(&o);
	out_end(&o);
}

/* A name of our own for the moment between creation and rename. */
static void temp_name(char name[16])
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)getpid() ^ (uint32_t)(uintptr_t)&r;
	snprintf(name, 16, "tcni%08x", r);
}

/* In the container's namespace: CNI_IFNAME is free, and the master is
 * there (its index in *master, if master is not NULL).  0, or 1 with x->e
 * set. */
static int precheck(struct run *x, struct ctx *c, int *master)
{
	struct nl *nl = ctx_nl(c);
	int m = 0;

	if (!nl) {
		kernel_err(x, CNI_E_DEVICE, "cannot open a rtnetlink socket");
		return 1;
	}
	if (nl_ifindex(nl, x->r.ifname) > 0) {
		cni_seterr(&x->e, CNI_E_DEVICE, "interface exists",
			   "an interface named %s is already in the container's namespace %s", x->r.ifname, x->r.netns);
		return 1;
	}
	if (x->r.master && (m = nl_ifindex(nl, x->r.master)) <= 0) {
		cni_seterr(&x->e, CNI_E_CONFIG, "invalid network configuration",
			   "\"master\": no device %s in the container's namespace %s", x->r.master, x->r.netns);
		return 1;
	}
	if (master)
		*master = m;
	return 0;
}

/* Creates the device under a temporary name of our own (into name), held by
 * *fd, not yet persistent.  0, or 1 with x->e set. */
static int create_temp(struct run *x, struct ctx *c, int *fd, char name[16], const struct owner *o)
{
	struct tun_flags f = { .mode = x->r.mode, .vnet_hdr = x->r.vnet_hdr, .multi_queue = x->r.multi_queue };
	enum ops_step step;
	int err = 0;

	/* A temporary name taken by chance is tried again with another. */
	for (int tries = 0; tries < 8; tries++) {
		temp_name(name);
		if ((err = ops_tun_create(fd, name, &f, o, &step)) != -EBUSY && err != -EEXIST)
			break;
		close(*fd);
		*fd = -1;
	}
	if (err) {
		if (!ops_create_taken(err, step))
			ops_report_create(c, err, step, name, o);
		kernel_err(x, CNI_E_DEVICE, "cannot create the device");
		return 1;
	}
	return 0;
}

/* Its name (CNI_IFNAME), MTU, MAC, master and up, in one request, for the
 * device ifindex made as name: a name the container has (taken since the
 * look in precheck) fails it, with EEXIST.  0, or 1 with x->e set. */
static int name_device(struct run *x, struct nl *nl, int ifindex, const char *name, int master)
{
	/* Set with the name, in one request: the name appears with them, up. */
	struct link_spec named = { .set_updown = true, .up = true, .has_mtu = x->r.has_mtu, .mtu = x->r.mtu,
				   .has_mac = x->r.has_mac };
	struct nl_tx tx;
	void *room;
	int err;

	memcpy(named.mac, x->r.mac, 6);
	nl_tx_init(&tx);
	if (!(room = nl_tx_room(&tx))) {
		cni_seterr(&x->e, CNI_E_DEVICE, "cannot create the device", "out of memory");
		return 1;
	}
	rtnl_link_set_named(room, ifindex, &named, x->r.ifname, master);
	nl_tx_push(&tx);
	err = nl_tx_run(nl, &tx);
	if (!err && tx.replies[0].err)
		err = tx.replies[0].err;
	if (err) {
		if (err == -EEXIST)
			cni_seterr(&x->e, CNI_E_DEVICE, "interface exists",
				   "an interface named %s is already in the container's namespace %s", x->r.ifname,
				   x->r.netns);
		else
			cni_seterr(&x->e, CNI_E_DEVICE, "cannot create the device", "naming %s %s%s%s%s: %s", name,
				   x->r.ifname, x->r.has_mtu || x->r.has_mac ? " with its MTU and MAC" : "",
				   master ? " and master " : "", master ? x->r.master : "",
				   tx.replies[0].msg[0] ? tx.replies[0].msg : strerror(-err));
		nl_tx_free(&tx);
		return 1;
	}
	nl_tx_free(&tx);
	return 0;
}

/* In the container's namespace: the device made and configured, held by
 * *fd, not yet persistent.  0, or 1 with x->e set (*fd then -1 or to be
 * closed, which removes what was made). */
static int make_device(struct run *x, struct ctx *c, const struct cni_result *res, int *fd)
{
	/* Secure by default, as tunctl add: without owner and group the
	 * device is root's (the plugin's), not anyone's. */
	struct owner o = { .user_set = x->r.has_owner || !x->r.has_group, .uid = x->r.has_owner ? x->r.owner : 0,
			   .group_set = x->r.has_group, .gid = x->r.group };
	struct addr_spec addrs[CNI_MAX_IPS];
	struct route_spec routes[CNI_MAX_ROUTES];
	struct devconf dc = { .addrs = addrs, .routes = routes, .add = true };
	char name[16];
	int ifindex, master = 0;

	if (res) {
		for (size_t i = 0; i < res->nips; i++)
			addrs[dc.naddrs++] = res->ips[i].a;
		for (size_t i = 0; i < res->nroutes; i++)
			routes[dc.nroutes++] = res->routes[i].r;
	}
	if (precheck(x, c, &master) || create_temp(x, c, fd, name, &o))
		return 1;
	if (ctx_ifindex(c, name, &ifindex)) {
		kernel_err(x, CNI_E_DEVICE, "cannot create the device");
		return 1;
	}
	if (name_device(x, &c->nl, ifindex, name, master))
		return 1;
	/* Addresses and routes: one exchange, tunctl add's. */
	if ((dc.naddrs || dc.nroutes) && devconf_apply(c, x->r.ifname, ifindex, &dc)) {
		kernel_err(x, CNI_E_DEVICE, "cannot configure the device");
		return 1;
	}
	return 0;
}

/* Runs the IPAM plugin with ADD (once precheck has seen nothing that would
 * fail the device) and parses its result into *res; its output in *iout and
 * *ipam (the caller's to free), *leased once it gave a lease.  0, or 1 with
 * x->e set. */
static int ipam_add(struct run *x, struct ctx *c, struct json_doc *ipam, char **iout, size_t *ilen,
		    struct cni_result *res, bool *leased)
{
	char jerr[ERRLEN];

	/* What would fail the device is seen before a lease is taken
	 * (without IPAM, make_device looks the same way). */
	if (precheck(x, c, NULL))
		return 1;
	if (ipam_exec(x, "ADD", iout, ilen)) {
		/* The spec: a delegated plugin that failed ADD is called
		 * with DEL before the failure is returned. */
		struct cni_err keep = x->e;
		char *o = NULL;
		size_t l;

		if (!ipam_exec(x, "DEL", &o, &l))
			free(o);
		x->e = keep;
		return 1;
	}
	*leased = true;
	if (!json_parse(ipam, *iout, *ilen, jerr, sizeof(jerr))) {
		cni_seterr(&x->e, CNI_E_IPAM, "unusable IPAM result", "%s ADD: %s", x->r.ipam_type, jerr);
		return 1;
	}
	return !cni_parse_ipam(json_root(ipam), res, &x->e);
}

/* The result, for the device held by fd: written before the device is kept,
 * as add does, so that standard output that fails drops the device.  0, or
 * 1 with x->e set. */
static int keep_and_print(struct run *x, int fd, const struct cni_result *resp, const struct cni_result *prevp)
{
	char mac[18], *buf = NULL;
	size_t blen = 0;
	int err, rc = 1;
	FILE *f;

	if (x->r.has_mac)
		format_mac(x->r.mac, mac);
	else if (x->r.mode == MODE_TAP && !get_mac(x->r.ifname, mac)) {
		cni_seterr(&x->e, CNI_E_DEVICE, "cannot read the device", "%s: its hardware address: %s",
			   x->r.ifname, strerror(errno));
		return 1;
	}
	if (!(f = open_memstream(&buf, &blen))) {
		cni_seterr(&x->e, CNI_E_IO, "I/O failure", "%s", strerror(errno));
		return 1;
	}
	print_result(x, f, x->r.mode == MODE_TAP ? mac : NULL, resp, prevp);
	if (fclose(f)) {
		cni_seterr(&x->e, CNI_E_IO, "I/O failure", "%s", strerror(errno));
		goto out;
	}
	if ((err = tun_set_persist(fd, true))) {
		cni_seterr(&x->e, CNI_E_DEVICE, "cannot create the device", "%s: making it persistent: %s",
			   x->r.ifname, strerror(-err));
		goto out;
	}
	if (fwrite(buf, 1, blen, stdout) != blen || fflush(stdout)) {
		cni_seterr(&x->e, CNI_E_IO, "I/O failure", "writing the result: %s", strerror(errno));
		tun_set_persist(fd, false);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* The lease back after a failure; what the plugin says, if it fails, goes
 * to stderr (the failure reported is the first one). */
static void give_back_lease(struct run *x)
{
	struct cni_err keep = x->e;
	char *o = NULL;
	size_t l;

	if (ipam_exec(x, "DEL", &o, &l))
		fprintf(stderr, "tunctl-cni: giving back the IPAM lease: %s: %s\n", x->e.msg, x->e.details);
	free(o);
	x->e = keep;
}

static int cmd_add(struct run *x)
{
	struct cni_result res, *resp = NULL, prev, *prevp = NULL;
	struct json_doc ipam = { 0 };
	char *iout = NULL;
	size_t ilen = 0;
	struct ctx c;
	int fd = -1, rc = 1;
	bool leased = false;

	/* A plugin before this one in the chain: its result is passed on,
	 * this device added to it (the spec's rule for a prevResult). */
	if (x->r.prev) {
		if (!cni_parse_prev(&x->r, &prev, &x->e))
			return 1;
		prevp = &prev;
	}
	/* From here on in the container's namespace (the IPAM plugin's
	 * process enters the runtime's again). */
	if (enter_netns(x))
		return 1;
	fresh_ctx(x, &c);
	if (x->r.ipam_type) {
		if (ipam_add(x, &c, &ipam, &iout, &ilen, &res, &leased))
			goto out;
		resp = &res;
	}
	if (make_device(x, &c, resp, &fd) || keep_and_print(x, fd, resp, prevp))
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	ctx_free(&c);
	if (rc && leased)
		give_back_lease(x);
	json_free(&ipam);
	free(iout);
	return rc;
}

/* The device named CNI_IFNAME, if it is there and TUN/TAP. */
struct find {
	bool found;
	struct device l;
};

static int find_cb(const struct device *l, void *data)
{
	struct find *fd = data;

	fd->found = true;
	fd->l = *l;
	return 0;
}

static int cmd_del(struct run *x)
{
	struct ctx c;
	struct find fd = { 0 };
	int err, rc = 0;

	if (x->r.netns && !(err = enter_netns(x))) {
		struct nl *nl;

		fresh_ctx(x, &c);
		if (!(nl = ctx_nl(&c))) {
			kernel_err(x, CNI_E_DEVICE, "cannot open a rtnetlink socket");
			rc = 1;
		} else if (nl_ifindex(nl, x->r.ifname) > 0 && dump_links_each(&c, x->r.ifname, find_cb, NULL, &fd)) {
			/* Gone since: what DEL wants. */
			if (nl_ifindex(nl, x->r.ifname) > 0) {
				kernel_err(x, CNI_E_DEVICE, "cannot read the device");
				rc = 1;
			}
		} else if (fd.found && !fd.l.is_tun) {
			/* Not ours to delete: another plugin's, made since. */
			fprintf(stderr, "tunctl-cni: %s in %s is not a TUN/TAP device: left as it is\n", x->r.ifname,
				x->r.netns);
		} else if (fd.found) {
			struct nl_tx tx;

			void *room;

			nl_tx_init(&tx);
			if (!(room = nl_tx_room(&tx))) {
				cni_seterr(&x->e, CNI_E_DEVICE, "cannot delete the device", "out of memory");
				rc = 1;
			} else {
				rtnl_link_del(room, fd.l.ifindex);
				nl_tx_push(&tx);
				err = nl_tx_run(nl, &tx);
				if (!err)
					err = tx.replies[0].err;
				if (err && err != -ENODEV) {
					cni_seterr(&x->e, CNI_E_DEVICE, "cannot delete the device", "%s: %s", x->r.ifname,
						   tx.replies[0].msg[0] ? tx.replies[0].msg : strerror(-err));
					rc = 1;
				}
			}
			nl_tx_free(&tx);
		}
		ctx_free(&c);
	} else if (x->r.netns && err > 0) {
		return 1;
	}
	/* The device first, then its address is given back: never one
	 * address on two containers. */
	if (!rc && x->r.ipam_type) {
		char *o = NULL;
		size_t l;

		if (ipam_exec(x, "DEL", &o, &l))
			rc = 1;
		free(o);
	}
	return rc;
}

static bool check_fail(struct run *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool check_fail(struct run *x, const char *fmt, ...)
{
	char d[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d, sizeof(d), fmt, ap);
	va_end(ap);
	cni_seterr(&x->e, CNI_E_CHECK, "the device is not as prevResult says", "%s", d);
	return false;
}

static bool same_ip(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && !memcmp(a->a.b, b->a.b, a->family == AF_INET ? 4 : 16);
}

/* In the container's namespace: the device against the configuration
 * and prev. */
static bool check_device(struct run *x, struct ctx *c, const struct cni_result *prev)
{
	struct addr_info *addrs = NULL;
	struct route_info *routes = NULL;
	size_t naddrs = 0, nroutes = 0;
	struct find fd = { 0 };
	char mac[18], buf[64];
	bool ok = false;

	if (!ctx_nl(c) || nl_ifindex(&c->nl, x->r.ifname) <= 0)
		return check_fail(x, "no device %s in %s", x->r.ifname, x->r.netns);
	if (dump_links_each(c, x->r.ifname, find_cb, NULL, &fd) || !fd.found) {
		kernel_err(x, CNI_E_DEVICE, "cannot read the device");
		return false;
	}
	if (!fd.l.is_tun)
		return check_fail(x, "%s is not a TUN/TAP device", x->r.ifname);
	if ((fd.l.ti.flags.mode == MODE_TAP) != (x->r.mode == MODE_TAP))
		return check_fail(x, "%s is a %s device, not %s", x->r.ifname, fd.l.ti.flags.mode == MODE_TAP ? "tap" : "tun",
				  mode_name(x->r.mode));
	if (x->r.has_mtu && fd.l.link.has_mtu && fd.l.link.mtu != x->r.mtu)
		return check_fail(x, "%s has MTU %u, not %u", x->r.ifname, fd.l.link.mtu, x->r.mtu);
	if (prev->mac && fd.l.link.has_mac) {
		format_mac(fd.l.link.mac, mac);
		if (strcasecmp(mac, prev->mac))
			return check_fail(x, "%s has MAC %s, not %s", x->r.ifname, mac, prev->mac);
	}
	if (!fd.l.ti.up)
		return check_fail(x, "%s is down", x->r.ifname);
	if (x->r.master) {
		int m = nl_ifindex(&c->nl, x->r.master);

		if (m <= 0 || fd.l.link.master.index != (uint32_t)m)
			return check_fail(x, "%s is not a port of %s", x->r.ifname, x->r.master);
	}
	if (dump_addrs(c, fd.l.ifindex, &addrs, &naddrs) || dump_routes(c, 0, &routes, &nroutes)) {
		kernel_err(x, CNI_E_DEVICE, "cannot read the device");
		goto out;
	}
	for (size_t i = 0; i < prev->nips; i++) {
		const struct cni_ip *p = &prev->ips[i];
		bool there = false;

		if (p->iface != prev->iface)
			continue;
		for (size_t k = 0; k < naddrs && !there; k++)
			there = same_ip(&addrs[k].a.local.addr, &p->a.local.addr) && addrs[k].a.local.len == p->a.local.len;
		if (!there) {
			check_fail(x, "%s does not have the address %s", x->r.ifname, p->address);
			goto out;
		}
	}
	for (size_t i = 0; i < prev->nroutes; i++) {
		const struct route_spec *p = &prev->routes[i].r;
		bool there = false;

		for (size_t k = 0; k < nroutes && !there; k++)
			there = same_ip(&routes[k].r.dst.addr, &p->dst.addr) && routes[k].r.dst.len == p->dst.len &&
				(!p->has_gw || (routes[k].r.has_gw && same_ip(&routes[k].r.gw, &p->gw)));
		if (!there) {
			format_route(p, buf, sizeof(buf));
			check_fail(x, "the route %s is missing", buf);
			goto out;
		}
	}
	ok = true;
out:
	free(addrs);
	free(routes);
	return ok;
}

static int cmd_check(struct run *x)
{
	struct cni_result prev;
	struct ctx c;
	bool ok;
	int err;

	if (!cni_parse_prev(&x->r, &prev, &x->e))
		return 1;
	if (prev.iface < 0) {
		check_fail(x, "prevResult has no interface %s with sandbox %s", x->r.ifname, x->r.netns);
		return 1;
	}
	if (x->r.ipam_type) {
		char *o = NULL;
		size_t l;

		if (!x->r.path || !*x->r.path) {
			cni_seterr(&x->e, CNI_E_ENV, "missing environment variable",
				   "CNI_PATH is not set, and the IPAM plugin \"%s\" is to be found in it", x->r.ipam_type);
			return 1;
		}
		if (ipam_exec(x, "CHECK", &o, &l))
			return 1;
		free(o);
	}
	if ((err = enter_netns(x)))
		return 1;
	fresh_ctx(x, &c);
	ok = check_device(x, &c, &prev);
	ctx_free(&c);
	return ok ? 0 : 1;
}

static int cmd_version(struct run *x)
{
	struct out o;

	out_init(&o, stdout, true);
	out_obj_open(&o, NULL);
	out_str(&o, "cniVersion", NULL, x->r.version ? x->r.version : "1.0.0");
	out_arr_open(&o, "supportedVersions");
	for (size_t i = 0; i < cni_nversions; i++)
		out_str(&o, NULL, NULL, cni_versions[i]);
	out_arr_close(&o);
	out_obj_close(&o);
	out_end(&o);
	return ferror(stdout) ? 1 : 0;
}

/* The spec's error: JSON on stdout (what runtimes read), and one line on
 * stderr (what a log keeps). */
static void print_error(struct run *x)
{
	struct out o;

	fprintf(stderr, "tunctl-cni: %s: %s\n", x->e.msg, x->e.details);
	out_init(&o, stdout, true);
	out_obj_open(&o, NULL);
	out_str(&o, "cniVersion", NULL, x->r.version && cni_version_ok(x->r.version) ? x->r.version : "1.0.0");
	out_uint(&o, "code", NULL, x->e.code);
	out_str(&o, "msg", NULL, x->e.msg);
	out_str(&o, "details", NULL, x->e.details);
	out_obj_close(&o);
	out_end(&o);
}

int cni_main(void)
{
	struct cni_env env = {
		getenv("CNI_COMMAND"), getenv("CNI_CONTAINERID"), getenv("CNI_NETNS"),
		getenv("CNI_IFNAME"), getenv("CNI_ARGS"), getenv("CNI_PATH"),
	};
	struct json_doc d = { 0 };
	struct run x;
	int err, rc = 1;

	memset(&x, 0, sizeof(x));
	x.hostns = -1;
	/* Before stdin is read: run by hand, it would wait on the terminal. */
	if (!env.command || !*env.command) {
		cni_seterr(&x.e, CNI_E_ENV, "missing environment variable", "CNI_COMMAND is not set: "
			   CNI_PLUGIN_NAME " is a CNI plugin, run by a container runtime (see tunctl(8), CNI PLUGIN)");
		print_error(&x);
		return 2;
	}
	if ((err = read_all(0, CNI_INPUT_MAX, &x.text, &x.len))) {
		cni_seterr(&x.e, err == -EFBIG ? CNI_E_CONFIG : CNI_E_IO, "cannot read the network configuration",
			   "stdin: %s", err == -EFBIG ? "more than 1 MiB" : strerror(-err));
		print_error(&x);
		return err == -EFBIG ? 2 : 1;
	}
	if (!cni_parse(&x.r, &d, x.text, x.len, &env, &x.e)) {
		print_error(&x);
		rc = 2;
		goto out;
	}
	if (x.r.cmd == CNI_VERSION) {
		rc = cmd_version(&x);
		goto out;
	}
	if ((x.hostns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) {
		cni_seterr(&x.e, CNI_E_IO, "cannot open the runtime's network namespace", "/proc/self/ns/net: %s",
			   strerror(errno));
		print_error(&x);
		goto out;
	}
	if (x.r.cmd == CNI_ADD)
		rc = cmd_add(&x);
	else if (x.r.cmd == CNI_DEL)
		rc = cmd_del(&x);
	else
		rc = cmd_check(&x);
	if (rc)
		print_error(&x);
out:
	if (x.hostns >= 0)
		close(x.hostns);
	json_free(&d);
	free(x.text);
	return rc;
}
