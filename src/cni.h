/* cni.h - tunctl as a CNI plugin (tunctl-cni): the runtime's request, read
 * by cni_conf.c (pure: environment and configuration text in, a request or
 * a CNI error out; fuzzed), and carried out by cni.c. */
#ifndef TUNCTL_CNI_H
#define TUNCTL_CNI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "parse.h"

/* The name the binary answers to as a plugin (argv[0]), and so the
 * "type" of its configurations. */
#define CNI_PLUGIN_NAME "tunctl-cni"
/* The most bytes of configuration, or of an IPAM plugin's answer, read. */
#define CNI_INPUT_MAX (1u << 20)
#define CNI_MAX_IPS 16
#define CNI_MAX_ROUTES 64
#define CNI_MAX_IFS 16

/* The spec's error codes (SPEC.md, section 5); 100 and up are tunctl's. */
enum cni_code {
	CNI_E_VERSION = 1,      /* incompatible CNI version */
	CNI_E_FIELD = 2,        /* unsupported field in the configuration */
	CNI_E_UNKNOWN = 3,      /* container unknown or does not exist */
	CNI_E_ENV = 4,          /* invalid environment variables */
	CNI_E_IO = 5,           /* I/O failure */
	CNI_E_DECODE = 6,       /* failed to decode content */
	CNI_E_CONFIG = 7,       /* invalid network configuration */
	CNI_E_AGAIN = 11,       /* try again later */
	CNI_E_DEVICE = 100,     /* the kernel refused to make or change the device */
	CNI_E_IPAM = 101,       /* the IPAM plugin could not be run, or its answer is unusable */
	CNI_E_CHECK = 102,      /* CHECK: the device is not as prevResult says */
};

struct cni_err {
	unsigned code;
	char msg[128];
	char details[768];
};

enum cni_cmd { CNI_ADD, CNI_DEL, CNI_CHECK, CNI_VERSION };

/* The environment the runtime sets (getenv's values; NULL: unset). */
struct cni_env {
	const char *command, *containerid, *netns, *ifname, *args, *path;
};

struct cni_ip {
	struct addr_spec a;
	const char *address;    /* as the IPAM plugin wrote them */
	const char *gateway;    /* NULL: none */
	bool has_gw;
	struct ipaddr gw;
	int iface;              /* prevResult: the "interface" index; -1 none */
};

struct cni_route {
	struct route_spec r;    /* the gateway filled in from the IPs' when absent */
	const char *dst, *gw;   /* as written; gw NULL: none */
};

/* Addresses, routes and DNS: an IPAM plugin's answer, or a prevResult. */
struct cni_result {
	struct cni_ip ips[CNI_MAX_IPS];
	size_t nips;
	struct cni_route routes[CNI_MAX_ROUTES];
	size_t nroutes;
	const struct json *dns;         /* NULL: none */
	/* prevResult: the interface CHECK is about (name CNI_IFNAME, sandbox
	 * CNI_NETNS), -1 when it has none. */
	int iface;
	const char *mac;                /* that interface's "mac", or NULL */
	/* prevResult: its interfaces (spec 1.0.0's keys), kept in an ADD's
	 * result before the plugin's own. */
	struct {
		const char *name, *mac, *sandbox;
	} ifs[CNI_MAX_IFS];
	size_t nifs;
};

struct cni_req {
	enum cni_cmd cmd;
	const char *version;            /* cniVersion, as given */
	bool legacy;                    /* before 1.0.0: IPs carry "version" */
	const char *containerid, *netns, *ifname, *path;
	const char *name;               /* the network's */
	enum tun_mode mode;
	bool has_mtu, has_mac, has_owner, has_group, multi_queue, vnet_hdr;
	uint32_t mtu, owner, group;
	uint8_t mac[6];
	const char *master;             /* NULL: none */
	const char *ipam_type;          /* NULL: no IPAM */
	const struct json *dns;         /* the configuration's "dns" */
	const struct json *prev;        /* prevResult */
};

/* The spec versions served, oldest first, and whether v is one. */
extern const char *const cni_versions[];
extern const size_t cni_nversions;
bool cni_version_ok(const char *v);

/* Parses the configuration text[0..len) (into d, the caller's to free with
 * json_free) and the environment into r: false with the CNI error in e. */
bool cni_parse(struct cni_req *r, struct json_doc *d, const char *text, size_t len,
	       const struct cni_env *env, struct cni_err *e);
/* An IPAM plugin's answer (a Success result without interfaces) into res;
 * false with e filled. */
bool cni_parse_ipam(const struct json *v, struct cni_result *res, struct cni_err *e);
/* r->prev into res: its interface named ifname in sandbox netns, that
 * interface's addresses and every route. */
bool cni_parse_prev(const struct cni_req *r, struct cni_result *res, struct cni_err *e);

void cni_seterr(struct cni_err *e, unsigned code, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* tunctl-cni's main (cni.c): the exit status. */
int cni_main(void);

#endif
