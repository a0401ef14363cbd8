/* cni_conf.c - pure: the CNI runtime's request (environment and the
 * configuration on stdin), an IPAM plugin's answer and a prevResult, read
 * into cni.h's structs.  No I/O; every bad value is a CNI error naming the
 * key or variable, its value, and what would do. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cni.h"

/* podman 4.3 writes 1.0.0 configurations, and kept 0.4.0 ones from
 * before; 0.3.x are the first with today's result.  0.1.0 and 0.2.0 (a
 * result of another shape) and 1.1.0 (GC and STATUS) are not served. */
const char *const cni_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0" };
const size_t cni_nversions = sizeof(cni_versions) / sizeof(cni_versions[0]);

bool cni_version_ok(const char *v)
{
	for (size_t i = 0; i < cni_nversions; i++)
		if (!strcmp(v, cni_versions[i]))
			return true;
	return false;
}

void cni_seterr(struct cni_err *e, unsigned code, const char *msg, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	va_start(ap, fmt);
	vsnprintf(e->details, sizeof(e->details), fmt, ap);
	va_end(ap);
}

/* The spec's container ID: an alphanumeric, then alphanumerics, '_', '.'
 * and '-'. */
static bool valid_id(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

static bool env_var(const char *name, const char *val, struct cni_err *e)
{
	if (val && *val)
		return true;
	cni_seterr(e, CNI_E_ENV, "missing environment variable", "%s is not set: the runtime must set it", name);
	return false;
}

/* CNI_ARGS: "K=V;K=V".  MAC= is ours; a key we do not know is an error
 * unless IgnoreUnknown is 1 or true, as for the reference plugins. */
static bool parse_cni_args(struct cni_req *r, const char *args, struct cni_err *e)
{
	char buf[4096], *save = NULL, err[ERRLEN];
	bool ignore = false, has_mac = false;
	uint8_t mac[6];
	const char *unknown = NULL;
	char unknown_key[64];

	if (!args || !*args)
		return true;
	if (strlen(args) >= sizeof(buf)) {
		cni_seterr(e, CNI_E_ENV, "invalid CNI_ARGS", "CNI_ARGS is longer than %zu bytes", sizeof(buf) - 1);
		return false;
	}
	snprintf(buf, sizeof(buf), "%s", args);
	for (char *kv = strtok_r(buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq || eq == kv) {
			cni_seterr(e, CNI_E_ENV, "invalid CNI_ARGS",
				   "CNI_ARGS has \"%.60s\", not KEY=VALUE (pairs are separated by ';')", kv);
			return false;
		}
		*eq = '\0';
		if (!strcmp(kv, "IgnoreUnknown")) {
			ignore = !strcmp(eq + 1, "1") || !strcasecmp(eq + 1, "true");
		} else if (!strcmp(kv, "MAC")) {
			if (!parse_mac(eq + 1, mac, err, sizeof(err))) {
				cni_seterr(e, CNI_E_ENV, "invalid CNI_ARGS", "CNI_ARGS MAC=\"%.40s\": %s", eq + 1, err);
				return false;
			}
			has_mac = true;
		} else if (!unknown) {
			snprintf(unknown_key, sizeof(unknown_key), "%s", kv);
			unknown = unknown_key;
		}
	}
	if (unknown && !ignore) {
		cni_seterr(e, CNI_E_ENV, "invalid CNI_ARGS",
			   "CNI_ARGS has the key \"%s\", which tunctl-cni does not know (it knows MAC; add "
			   "IgnoreUnknown=1 to pass others)", unknown);
		return false;
	}
	if (has_mac) {
		memcpy(r->mac, mac, 6);
		r->has_mac = true;
	}
	return true;
}

static bool bad_type(struct cni_err *e, const char *key, const struct json *v, const char *want)
{
	cni_seterr(e, CNI_E_CONFIG, "invalid network configuration", "\"%s\" must be %s, not %s", key, want,
		   json_type_name(v->type));
	return false;
}

/* A member of type t (true also takes false): NULL when absent, and false
 * from *ok after setting e when it is of another type. */
static const struct json *member(const struct json *o, const char *key, enum json_type t, bool *ok,
				 struct cni_err *e)
{
	const struct json *v = json_get(o, key);

	if (!v || !*ok)
		return NULL;
	if (v->type == t || (t == JSON_TRUE && v->type == JSON_FALSE))
		return v;
	*ok = bad_type(e, key, v, json_type_name(t));
	return NULL;
}

static bool u32_member(const struct json *o, const char *key, uint32_t min, uint32_t max, bool *has,
		       uint32_t *out, struct cni_err *e)
{
	const struct json *v = json_get(o, key);

	if (!v)
		return true;
	if (v->type != JSON_NUMBER)
		return bad_type(e, key, v, "a number");
	if (!json_uint(v, max, out) || *out < min) {
		cni_seterr(e, CNI_E_CONFIG, "invalid network configuration", "\"%s\": %s is not an integer from %u to %u",
			   key, v->s, min, max);
		return false;
	}
	*has = true;
	return true;
}

/* A plugin's name as a file in CNI_PATH: not empty, no '/', not . or .. */
static bool valid_plugin_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* "master", or "bridge" as the reference tap plugin calls it, into r.
 * False with e set (also when *ok is false: a member of the wrong type). */
static bool config_master(struct cni_req *r, const struct json *root, bool *ok, struct cni_err *e)
{
	const struct json *v;
	const char *master, *bridge;
	char err[ERRLEN];

	master = (v = member(root, "master", JSON_STRING, ok, e)) ? v->s : NULL;
	bridge = (v = member(root, "bridge", JSON_STRING, ok, e)) ? v->s : NULL;
	if (!*ok)
		return false;
	if (master && bridge && strcmp(master, bridge)) {
		cni_seterr(e, CNI_E_CONFIG, "invalid network configuration",
			   "\"master\": \"%.20s\" and \"bridge\": \"%.20s\" differ: give one", master, bridge);
		return false;
	}
	r->master = master ? master : bridge;
	if (r->master && !parse_ifname(r->master, false, err, sizeof(err))) {
		cni_seterr(e, CNI_E_CONFIG, "invalid network configuration", "\"master\": %s", err);
		return false;
	}
	return true;
}

/* mac: the configuration's, then CNI_ARGS' MAC (parsed already, so
 * kept), then runtimeConfig's, each over the one before; none for a tun
 * device.  False with e set. */
static bool config_mac(struct cni_req *r, const struct json *root, bool *ok, struct cni_err *e)
{
	const struct json *v, *rc;
	char err[ERRLEN];
	uint8_t mac[6];

	if ((v = member(root, "mac", JSON_STRING, ok, e)) && !r->has_mac) {
		if (!parse_mac(v->s, r->mac, err, sizeof(err))) {
			cni_seterr(e, CNI_E_CONFIG, "invalid network configuration", "\"mac\": %s", err);
			return false;
		}
		r->has_mac = true;
	}
	if ((rc = member(root, "runtimeConfig", JSON_OBJECT, ok, e)) &&
	    (v = member(rc, "mac", JSON_STRING, ok, e))) {
		if (!parse_mac(v->s, mac, err, sizeof(err))) {
			cni_seterr(e, CNI_E_CONFIG, "invalid network configuration", "\"runtimeConfig\": \"mac\": %s", err);
			return false;
		}
		memcpy(r->mac, mac, 6);
		r->has_mac = true;
	}
	if (!*ok)
		return false;
	if (r->has_mac && r->mode == MODE_TUN) {
		cni_seterr(e, CNI_E_FIELD, "unsupported field", "\"mac\" with \"mode\": \"tun\": a tun device has no "
			   "hardware address (use \"mode\": \"tap\")");
		return false;
	}
	return true;
}

/* "ipam": its "type", an IPAM plugin's name in CNI_PATH.  False with e
 * set; an "ipam" of the wrong type leaves *ok false for the caller. */
static bool config_ipam(struct cni_req *r, const struct json *root, bool *ok, struct cni_err *e)
{
	const struct json *v;

	if ((v = member(root, "ipam", JSON_OBJECT, ok, e)) && v->len) {
		const struct json *t = member(v, "type", JSON_STRING, ok, e);

		if (!*ok)
			return false;
		if (!t || !valid_plugin_name(t->s)) {
			cni_seterr(e, CNI_E_CONFIG, "invalid network configuration",
				   "\"ipam\": \"type\" must name an IPAM plugin in CNI_PATH (e.g. \"host-local\")%s%.40s%s",
				   t ? ", not \"" : "", t ? t->s : "", t ? "\"" : "");
			return false;
		}
		r->ipam_type = t->s;
	}
	return true;
}

static bool parse_config(struct cni_req *r, const struct json *root, struct cni_err *e)
{
	const struct json *v;
	bool ok = true;

	if ((v = member(root, "name", JSON_STRING, &ok, e)))
		r->name = v->s;
	if (ok && (!r->name || !*r->name)) {
		cni_seterr(e, CNI_E_CONFIG, "invalid network configuration", "\"name\" (the network's) is missing");
		return false;
	}
	r->mode = MODE_TAP;
	if ((v = member(root, "mode", JSON_STRING, &ok, e))) {
		if (!strcmp(v->s, "tap"))
			r->mode = MODE_TAP;
		else if (!strcmp(v->s, "tun"))
			r->mode = MODE_TUN;
		else {
			cni_seterr(e, CNI_E_CONFIG, "invalid network configuration",
				   "\"mode\": \"%.40s\" is neither \"tap\" nor \"tun\"", v->s);
			return false;
		}
	}
	if (!ok || !u32_member(root, "mtu", 68, 65535, &r->has_mtu, &r->mtu, e) ||
	    !u32_member(root, "owner", 0, UINT32_MAX - 1, &r->has_owner, &r->owner, e) ||
	    !u32_member(root, "group", 0, UINT32_MAX - 1, &r->has_group, &r->group, e))
		return false;
	if ((v = member(root, "multiQueue", JSON_TRUE, &ok, e)))
		r->multi_queue = v->type == JSON_TRUE;
	if ((v = member(root, "vnetHdr", JSON_TRUE, &ok, e)))
		r->vnet_hdr = v->type == JSON_TRUE;
	if (!config_master(r, root, &ok, e) || !config_mac(r, root, &ok, e) || !config_ipam(r, root, &ok, e))
		return false;
	r->dns = member(root, "dns", JSON_OBJECT, &ok, e);
	r->prev = member(root, "prevResult", JSON_OBJECT, &ok, e);
	return ok;
}

/* CNI_COMMAND.  False with e set. */
static bool parse_cni_command(struct cni_req *r, const char *command, struct cni_err *e)
{
	if (!env_var("CNI_COMMAND", command, e))
		return false;
	if (!strcmp(command, "ADD"))
		r->cmd = CNI_ADD;
	else if (!strcmp(command, "DEL"))
		r->cmd = CNI_DEL;
	else if (!strcmp(command, "CHECK"))
		r->cmd = CNI_CHECK;
	else if (!strcmp(command, "VERSION"))
		r->cmd = CNI_VERSION;
	else {
		cni_seterr(e, CNI_E_ENV, "invalid CNI_COMMAND",
			   "CNI_COMMAND=\"%.40s\" is not ADD, DEL, CHECK or VERSION", command);
		return false;
	}
	return true;
}

static bool all_blank(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
		i++;
	return i == len;
}

/* The configuration, parsed into d: its root object, or NULL with e set. */
static const struct json *config_root(struct json_doc *d, const char *text, size_t len, struct cni_err *e)
{
	const struct json *root;
	char err[ERRLEN];

	if (!json_parse(d, text, len, err, sizeof(err))) {
		cni_seterr(e, CNI_E_DECODE, "cannot decode the network configuration", "%s", err);
		return NULL;
	}
	root = json_root(d);
	if (root->type != JSON_OBJECT) {
		cni_seterr(e, CNI_E_DECODE, "cannot decode the network configuration",
			   "the configuration is %s, not an object", json_type_name(root->type));
		return NULL;
	}
	return root;
}

/* r's cniVersion: one we serve, and for CHECK one that has it.  False with
 * e set. */
static bool version_ok(struct cni_req *r, struct cni_err *e)
{
	if (!r->version || !cni_version_ok(r->version)) {
		cni_seterr(e, CNI_E_VERSION, "incompatible CNI version",
			   "cniVersion \"%.20s\" is not one tunctl-cni serves (0.3.0, 0.3.1, 0.4.0, 1.0.0)",
			   r->version ? r->version : "");
		return false;
	}
	r->legacy = strcmp(r->version, "1.0.0") != 0;
	if (r->cmd == CNI_CHECK && (!strcmp(r->version, "0.3.0") || !strcmp(r->version, "0.3.1"))) {
		cni_seterr(e, CNI_E_VERSION, "incompatible CNI version", "CHECK came with cniVersion 0.4.0");
		return false;
	}
	return true;
}

/* CNI_CONTAINERID, CNI_IFNAME, CNI_NETNS (which DEL may go without) and
 * CNI_PATH.  False with e set. */
static bool parse_env(struct cni_req *r, const struct cni_env *env, struct cni_err *e)
{
	char err[ERRLEN];

	if (!env_var("CNI_CONTAINERID", env->containerid, e) || !env_var("CNI_IFNAME", env->ifname, e) ||
	    (r->cmd != CNI_DEL && !env_var("CNI_NETNS", env->netns, e)))
		return false;
	if (!valid_id(env->containerid)) {
		cni_seterr(e, CNI_E_ENV, "invalid CNI_CONTAINERID", "CNI_CONTAINERID=\"%.60s\": it must start with a "
			   "letter or digit, then letters, digits, '_', '.' or '-'", env->containerid);
		return false;
	}
	if (!parse_ifname(env->ifname, false, err, sizeof(err))) {
		cni_seterr(e, CNI_E_ENV, "invalid CNI_IFNAME", "CNI_IFNAME: %s", err);
		return false;
	}
	r->containerid = env->containerid;
	r->ifname = env->ifname;
	r->netns = env->netns && *env->netns ? env->netns : NULL;
	r->path = env->path;
	return true;
}

bool cni_parse(struct cni_req *r, struct json_doc *d, const char *text, size_t len,
	       const struct cni_env *env, struct cni_err *e)
{
	const struct json *root, *v;

	memset(r, 0, sizeof(*r));
	memset(d, 0, sizeof(*d));
	if (!parse_cni_command(r, env->command, e))
		return false;
	/* VERSION may come without a configuration. */
	if (r->cmd == CNI_VERSION && all_blank(text, len))
		return true;
	if (!(root = config_root(d, text, len, e)))
		return false;
	v = json_get(root, "cniVersion");
	if (v && v->type != JSON_STRING)
		return bad_type(e, "cniVersion", v, "a string");
	r->version = v ? v->s : NULL;
	if (r->cmd == CNI_VERSION)
		return true;
	if (!version_ok(r, e) || !parse_env(r, env, e) || !parse_cni_args(r, env->args, e) ||
	    !parse_config(r, root, e))
		return false;
	if (r->ipam_type && r->cmd != CNI_CHECK && (!r->path || !*r->path)) {
		cni_seterr(e, CNI_E_ENV, "missing environment variable",
			   "CNI_PATH is not set, and the IPAM plugin \"%s\" is to be found in it", r->ipam_type);
		return false;
	}
	if (r->cmd == CNI_CHECK && !r->prev) {
		cni_seterr(e, CNI_E_CONFIG, "invalid network configuration", "CHECK needs \"prevResult\"");
		return false;
	}
	return true;
}

static bool bad_result(struct cni_err *e, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool bad_result(struct cni_err *e, const char *what, const char *fmt, ...)
{
	char d[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d, sizeof(d), fmt, ap);
	va_end(ap);
	cni_seterr(e, !strcmp(what, "prevResult") ? CNI_E_CONFIG : CNI_E_IPAM,
		   !strcmp(what, "prevResult") ? "invalid network configuration" : "unusable IPAM result",
		   "%s: %s", what, d);
	return false;
}

/* "ips" and "routes" of a result (what: "the IPAM result" or "prevResult"). */
static bool parse_ips_routes(const struct json *v, struct cni_result *res, const char *what, struct cni_err *e)
{
	const struct json *ips = json_get(v, "ips"), *routes = json_get(v, "routes"), *dns = json_get(v, "dns");
	char err[ERRLEN];

	if (ips && ips->type != JSON_ARRAY && ips->type != JSON_NULL)
		return bad_result(e, what, "\"ips\" must be an array, not %s", json_type_name(ips->type));
	if (routes && routes->type != JSON_ARRAY && routes->type != JSON_NULL)
		return bad_result(e, what, "\"routes\" must be an array, not %s", json_type_name(routes->type));
	if (dns && dns->type != JSON_OBJECT && dns->type != JSON_NULL)
		return bad_result(e, what, "\"dns\" must be an object, not %s", json_type_name(dns->type));
	res->dns = dns && dns->type == JSON_OBJECT ? dns : NULL;
	for (const struct json *ip = ips ? ips->kid : NULL; ip; ip = ip->next) {
		struct cni_ip *c = &res->ips[res->nips];
		const struct json *idx;
		uint32_t i;

		if (res->nips == CNI_MAX_IPS)
			return bad_result(e, what, "more than %d IPs", CNI_MAX_IPS);
		memset(c, 0, sizeof(*c));
		c->iface = -1;
		if (ip->type != JSON_OBJECT || !(c->address = json_str(ip, "address")))
			return bad_result(e, what, "an IP without an \"address\" string");
		if (!parse_prefix(c->address, false, false, &c->a.local, err, sizeof(err)) || !strchr(c->address, '/'))
			return bad_result(e, what, "\"address\": \"%.50s\" is not an address in CIDR notation", c->address);
		if ((c->gateway = json_str(ip, "gateway"))) {
			if (!parse_ipaddr(c->gateway, c->a.local.addr.family, &c->gw))
				return bad_result(e, what, "\"gateway\": \"%.50s\" is not an address of %.50s's family",
						  c->gateway, c->address);
			c->has_gw = true;
		} else if (json_get(ip, "gateway") && json_get(ip, "gateway")->type != JSON_NULL) {
			return bad_result(e, what, "\"gateway\" must be a string");
		}
		if ((idx = json_get(ip, "interface")) && idx->type != JSON_NULL) {
			if (!json_uint(idx, INT32_MAX, &i))
				return bad_result(e, what, "\"interface\" must be an index (a number from 0)");
			c->iface = (int)i;
		}
		res->nips++;
	}
	for (const struct json *rt = routes ? routes->kid : NULL; rt; rt = rt->next) {
		struct cni_route *c = &res->routes[res->nroutes];

		if (res->nroutes == CNI_MAX_ROUTES)
			return bad_result(e, what, "more than %d routes", CNI_MAX_ROUTES);
		memset(c, 0, sizeof(*c));
		if (rt->type != JSON_OBJECT || !(c->dst = json_str(rt, "dst")))
			return bad_result(e, what, "a route without a \"dst\" string");
		if (!parse_prefix(c->dst, true, false, &c->r.dst, err, sizeof(err)) || !strchr(c->dst, '/'))
			return bad_result(e, what, "route \"dst\": \"%.50s\": %s", c->dst,
					  strchr(c->dst, '/') ? err : "not a prefix in CIDR notation");
		if ((c->gw = json_str(rt, "gw"))) {
			if (!parse_ipaddr(c->gw, c->r.dst.addr.family, &c->r.gw))
				return bad_result(e, what, "route \"gw\": \"%.50s\" is not an address of %.50s's family",
						  c->gw, c->dst);
			c->r.has_gw = true;
		}
		res->nroutes++;
	}
	/* A route without a gateway takes its family's from the IPs (as the
	 * reference plugins' ConfigureIface does); without one it is direct. */
	for (size_t k = 0; k < res->nroutes; k++) {
		struct cni_route *c = &res->routes[k];

		for (size_t i = 0; i < res->nips && !c->r.has_gw; i++)
			if (res->ips[i].has_gw && res->ips[i].gw.family == c->r.dst.addr.family) {
				c->r.gw = res->ips[i].gw;
				c->r.has_gw = true;
			}
	}
	return true;
}

bool cni_parse_ipam(const struct json *v, struct cni_result *res, struct cni_err *e)
{
	memset(res, 0, sizeof(*res));
	res->iface = -1;
	if (!v || v->type != JSON_OBJECT)
		return bad_result(e, "the IPAM result", "it is %s, not an object", v ? json_type_name(v->type) : "empty");
	if (!parse_ips_routes(v, res, "the IPAM result", e))
		return false;
	if (!res->nips)
		return bad_result(e, "the IPAM result", "it has no IP");
	return true;
}

bool cni_parse_prev(const struct cni_req *r, struct cni_result *res, struct cni_err *e)
{
	const struct json *ifs = json_get(r->prev, "interfaces");
	int k = 0;

	memset(res, 0, sizeof(*res));
	res->iface = -1;
	if (ifs && ifs->type != JSON_ARRAY && ifs->type != JSON_NULL)
		return bad_result(e, "prevResult", "\"interfaces\" must be an array");
	for (const struct json *i = ifs ? ifs->kid : NULL; i; i = i->next, k++) {
		const char *name = json_str(i, "name"), *sandbox = json_str(i, "sandbox");

		if (res->nifs == CNI_MAX_IFS)
			return bad_result(e, "prevResult", "more than %d interfaces", CNI_MAX_IFS);
		if (i->type != JSON_OBJECT || !name)
			return bad_result(e, "prevResult", "an interface without a \"name\" string");
		res->ifs[res->nifs].name = name;
		res->ifs[res->nifs].mac = json_str(i, "mac");
		res->ifs[res->nifs++].sandbox = sandbox;

		if (res->iface < 0 && name && !strcmp(name, r->ifname) && sandbox && r->netns &&
		    !strcmp(sandbox, r->netns)) {
			res->iface = k;
			res->mac = json_str(i, "mac");
		}
	}
	return parse_ips_routes(r->prev, res, "prevResult", e);
}
