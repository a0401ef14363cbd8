/* test_json.c - the JSON reader (what it takes and what it refuses, table
 * driven) and the CNI plugin's pure part: the runtime's request, an IPAM
 * result and a prevResult read into the plugin's structs. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "json.h"
#include "tap.h"

static const struct {
	const char *text;
	bool ok;
} cases[] = {
	{ "{}", true },
	{ " [ ] ", true },
	{ "0", true },
	{ "-0.5e+10", true },
	{ "\"\"", true },
	{ "true", true },
	{ "null", true },
	{ "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}", true },
	{ "\"\\u00e9\\ud83d\\ude00\\n\\/\"", true },
	{ "\"\xc3\xa9\xf0\x9f\x98\x80\"", true },
	{ "", false },
	{ " ", false },
	{ "{", false },
	{ "[1,]", false },
	{ "{\"a\":1,}", false },
	{ "{\"a\" 1}", false },
	{ "{a:1}", false },
	{ "01", false },
	{ "1.", false },
	{ ".5", false },
	{ "1e", false },
	{ "+1", false },
	{ "-", false },
	{ "tru", false },
	{ "nul", false },
	{ "[1] x", false },
	{ "{} {}", false },
	{ "// c\t{}", false },
	{ "'a'", false },
	{ "\"a", false },
	{ "\"\\x\"", false },
	{ "\"\\u12\"", false },
	{ "\"\\u0000\"", false },
	{ "\"\\ud800\"", false },
	{ "\"\\udc00\"", false },
	{ "\"\\ud800\\u0041\"", false },
	{ "\"\t\"", false },
	{ "\"\xc0\xaf\"", false },              /* overlong '/' */
	{ "\"\xed\xa0\x80\"", false },          /* a surrogate in UTF-8 */
	{ "\"\xf4\x90\x80\x80\"", false },      /* past U+10FFFF */
	{ "\"\xe2\x82\"", false },              /* cut short */
	{ "\xef\xbb\xbf{}", false },            /* a byte order mark */
	{ "{\"a\":1,\"a\":2}", false },
	{ "{\"b\":1,\"a\":2,\"b\":3}", false },
};

/* text with bytes outside printable ASCII as \xNN, for the TAP lines. */
static const char *shown(const char *text)
{
	static char buf[256];
	size_t k = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p && k + 5 < sizeof(buf); p++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, *p < 0x20 || *p >= 0x7f ? "\\x%02x" : "%c", *p);
	buf[k] = '\0';
	return buf;
}

static bool parses(const char *text, size_t len)
{
	struct json_doc d;
	char err[ERRLEN];
	bool ok = json_parse(&d, text, len, err, sizeof(err));

	json_free(&d);
	return ok;
}

static void test_reader(void)
{
	struct json_doc d;
	const struct json *r, *v;
	char err[ERRLEN], *deep;
	uint32_t u;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(parses(cases[i].text, strlen(cases[i].text)) == cases[i].ok, "%s: %s", cases[i].ok ? "takes" : "refuses",
		   shown(cases[i].text));
	ok(!parses("{\"a\":\"b\0c\"}", 11), "refuses a raw NUL in a string");
	ok(!parses("[1]", 2), "reads only len bytes: \"[1\" is not closed");

	const char *obj = "{\"s\":\"a\\\"b\\u00e9\",\"n\":1500,\"f\":1.5,\"neg\":-1,\"big\":4294967296,"
			  "\"t\":true,\"a\":[1,2,3]}";
	ok(json_parse(&d, obj, strlen(obj), err, sizeof(err)), "parses an object (%s)", err);
	r = json_root(&d);
	ok(r && r->type == JSON_OBJECT && r->len == 7, "root: an object of 7 members");
	ok(json_str(r, "s") && !strcmp(json_str(r, "s"), "a\"b\xc3\xa9"), "escapes decoded to UTF-8");
	ok(json_uint(json_get(r, "n"), 65535, &u) && u == 1500, "1500 is an integer");
	ok(!json_uint(json_get(r, "n"), 1000, &u), "1500 is past a maximum of 1000");
	ok(!json_uint(json_get(r, "f"), UINT32_MAX, &u), "1.5 is not an integer");
	ok(!json_uint(json_get(r, "neg"), UINT32_MAX, &u), "-1 is not an unsigned integer");
	ok(!json_uint(json_get(r, "big"), UINT32_MAX, &u), "4294967296 does not fit 32 bits");
	ok(!json_uint(json_get(r, "t"), UINT32_MAX, &u), "true is not a number");
	v = json_get(r, "a");
	ok(v && v->type == JSON_ARRAY && v->len == 3 && v->kid && v->kid->next && v->kid->next->next &&
	   !v->kid->next->next->next && !strcmp(v->kid->next->next->s, "3"), "array members in order");
	ok(!json_get(r, "missing") && !json_get(v, "a"), "json_get: absent, and not an object");
	json_free(&d);

	ok(!json_parse(&d, "[1,\n x]", 7, err, sizeof(err)) && strstr(err, "at byte 5"),
	   "the error names the offset (%s)", err);
	deep = malloc(2 * (JSON_MAXDEPTH + 1) + 1);
	memset(deep, '[', JSON_MAXDEPTH + 1);
	memset(deep + JSON_MAXDEPTH + 1, ']', JSON_MAXDEPTH + 1);
	ok(!parses(deep, 2 * (JSON_MAXDEPTH + 1)), "refuses nesting past %d", JSON_MAXDEPTH);
	ok(parses(deep + 1, 2 * JSON_MAXDEPTH), "takes nesting of %d", JSON_MAXDEPTH);
	free(deep);
}

static unsigned req(const char *cmd, const char *text, const char *args, struct cni_req *r, struct json_doc *d)
{
	struct cni_env env = { cmd, "c1", "/run/netns/x", "eth0", args, "/usr/lib/cni" };
	struct cni_err e = { 0 };

	if (cni_parse(r, d, text, strlen(text), &env, &e))
		return 0;
	return e.code;
}

static void test_request(void)
{
	struct cni_req r;
	struct json_doc d;
	struct cni_env env = { "ADD", "c1", NULL, "eth0", NULL, NULL };
	struct cni_err e;
	const char *base = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"tunctl-cni\"";
	char t[512];

	ok(req("ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"tunctl-cni\",\"mtu\":9000,\"mac\":\"02:00:00:00:00:01\","
	       "\"owner\":1000,\"group\":0,\"multiQueue\":true,\"vnetHdr\":true,\"master\":\"br0\","
	       "\"ipam\":{\"type\":\"host-local\"}}", NULL, &r, &d) == 0 &&
	   r.cmd == CNI_ADD && r.mode == MODE_TAP && r.has_mtu && r.mtu == 9000 && r.has_mac && r.mac[5] == 1 &&
	   r.has_owner && r.owner == 1000 && r.has_group && r.group == 0 && r.multi_queue && r.vnet_hdr &&
	   !strcmp(r.master, "br0") && !strcmp(r.ipam_type, "host-local") && !r.legacy,
	   "a full configuration is read");
	json_free(&d);
	snprintf(t, sizeof(t), "%s,\"mac\":\"02:00:00:00:00:01\",\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:03\"}}", base);
	ok(req("ADD", t, "IgnoreUnknown=1;MAC=02:00:00:00:00:02;K8S_POD_NAME=p", &r, &d) == 0 && r.mac[5] == 3,
	   "runtimeConfig's mac wins over CNI_ARGS' and the configuration's");
	json_free(&d);
	snprintf(t, sizeof(t), "%s,\"mac\":\"02:00:00:00:00:01\"}", base);
	ok(req("ADD", t, "MAC=02:00:00:00:00:02", &r, &d) == 0 && r.mac[5] == 2, "CNI_ARGS' MAC wins over the configuration's");
	json_free(&d);
	snprintf(t, sizeof(t), "%s,\"bridge\":\"br1\"}", base);
	ok(req("ADD", t, NULL, &r, &d) == 0 && !strcmp(r.master, "br1"), "the reference plugin's \"bridge\" is the master");
	json_free(&d);
	ok(req("ADD", "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"mode\":\"tun\"}", NULL, &r, &d) == 0 && r.legacy &&
	   r.mode == MODE_TUN, "0.4.0 and mode tun");
	json_free(&d);
	ok(req("VERSION", "", NULL, &r, &d) == 0 && !r.version, "VERSION without a configuration");
	json_free(&d);
	ok(req("VERSION", "{\"cniVersion\":\"9.9.9\"}", NULL, &r, &d) == 0 && !strcmp(r.version, "9.9.9"),
	   "VERSION takes any cniVersion");
	json_free(&d);

	static const struct {
		const char *cmd, *text, *args;
		unsigned code;
	} bad[] = {
		{ "ADD", "{", NULL, CNI_E_DECODE },
		{ "ADD", "[]", NULL, CNI_E_DECODE },
		{ "ADD", "{\"cniVersion\":\"0.2.0\",\"name\":\"n\"}", NULL, CNI_E_VERSION },
		{ "ADD", "{\"name\":\"n\"}", NULL, CNI_E_VERSION },
		{ "ADD", "{\"cniVersion\":1,\"name\":\"n\"}", NULL, CNI_E_CONFIG },
		{ "CHECK", "{\"cniVersion\":\"0.3.1\",\"name\":\"n\",\"prevResult\":{}}", NULL, CNI_E_VERSION },
		{ "CHECK", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\"}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mode\":\"tup\"}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mtu\":\"1500\"}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mtu\":67}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mtu\":1500.0}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"owner\":-1}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"owner\":4294967295}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"multiQueue\":1}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mac\":\"zz\"}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mode\":\"tun\",\"mac\":\"02:00:00:00:00:01\"}", NULL, CNI_E_FIELD },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"master\":\"a/b\"}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"master\":\"a\",\"bridge\":\"b\"}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"../../bin/sh\"}}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"..\"}}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"subnet\":\"x\"}}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{\"mac\":\"x\"}}", NULL, CNI_E_CONFIG },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", "K8S_POD_NAME=p", CNI_E_ENV },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", "MAC", CNI_E_ENV },
		{ "ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", "MAC=1", CNI_E_ENV },
		{ "MOVE", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", NULL, CNI_E_ENV },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned code = req(bad[i].cmd, bad[i].text, bad[i].args, &r, &d);

		ok(code == bad[i].code, "%s %s%s%s: code %u (wanted %u)", bad[i].cmd, bad[i].text,
		   bad[i].args ? " CNI_ARGS=" : "", bad[i].args ? bad[i].args : "", code, bad[i].code);
		json_free(&d);
	}
	ok(!cni_parse(&r, &d, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", 33, &env, &e) && e.code == CNI_E_ENV &&
	   strstr(e.details, "CNI_NETNS"), "ADD without CNI_NETNS: code 4, naming it (%s)", e.details);
	json_free(&d);
	env.command = "DEL";
	ok(cni_parse(&r, &d, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", 33, &env, &e) && !r.netns,
	   "DEL without CNI_NETNS is fine");
	json_free(&d);
	env.containerid = "-x";
	ok(!cni_parse(&r, &d, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", 33, &env, &e) && e.code == CNI_E_ENV,
	   "a container ID starting with '-': code 4");
	json_free(&d);
	env.containerid = "c1";
	env.ifname = "eth0/x";
	ok(!cni_parse(&r, &d, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", 33, &env, &e) && e.code == CNI_E_ENV,
	   "CNI_IFNAME with '/': code 4");
	json_free(&d);
	env.ifname = "eth0";
	env.command = "ADD";
	env.netns = "/run/netns/x";
	ok(!cni_parse(&r, &d, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"host-local\"}}", 62, &env, &e) &&
	   e.code == CNI_E_ENV && strstr(e.details, "CNI_PATH"), "IPAM without CNI_PATH: code 4 (%s)", e.details);
	json_free(&d);
}

static void test_results(void)
{
	struct json_doc d;
	struct cni_result res;
	struct cni_req r;
	struct cni_err e;
	char err[ERRLEN];
	const char *ipam = "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"192.0.2.5/24\",\"gateway\":\"192.0.2.1\"},"
			   "{\"address\":\"2001:db8::5/64\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"2001:db8:1::/48\"},"
			   "{\"dst\":\"198.51.100.0/24\",\"gw\":\"192.0.2.9\"}],\"dns\":{\"nameservers\":[\"192.0.2.53\"]}}";

	ok(json_parse(&d, ipam, strlen(ipam), err, sizeof(err)) && cni_parse_ipam(json_root(&d), &res, &e) &&
	   res.nips == 2 && res.nroutes == 3 && res.dns, "an IPAM result with two IPs and three routes");
	ok(res.routes[0].r.has_gw && res.routes[0].r.gw.a.b[3] == 1 && !res.routes[0].gw,
	   "a v4 route without gw takes the v4 IP's gateway (and is printed without)");
	ok(!res.routes[1].r.has_gw, "a v6 route without a v6 gateway is direct");
	ok(res.routes[2].r.has_gw && res.routes[2].r.gw.a.b[3] == 9, "a route's own gw is kept");
	json_free(&d);

	static const char *const bad[] = {
		"[]",
		"{\"ips\":[]}",
		"{\"ips\":{}}",
		"{\"ips\":[{\"address\":\"192.0.2.5\"}]}",
		"{\"ips\":[{\"address\":\"192.0.2.5/33\"}]}",
		"{\"ips\":[{\"address\":\"192.0.2.5/24\",\"gateway\":\"2001:db8::1\"}]}",
		"{\"ips\":[{\"address\":\"192.0.2.5/24\",\"gateway\":1}]}",
		"{\"ips\":[{\"address\":\"192.0.2.5/24\"}],\"routes\":[{\"dst\":\"198.51.100.1/24\"}]}",
		"{\"ips\":[{\"address\":\"192.0.2.5/24\"}],\"routes\":[{\"gw\":\"192.0.2.1\"}]}",
		"{\"ips\":[{\"address\":\"192.0.2.5/24\"}],\"routes\":[{\"dst\":\"198.51.100.0/24\",\"gw\":\"x\"}]}",
		"{\"ips\":[{\"address\":\"192.0.2.5/24\"}],\"dns\":[]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool parsed = json_parse(&d, bad[i], strlen(bad[i]), err, sizeof(err));

		ok(parsed && !cni_parse_ipam(json_root(&d), &res, &e) && e.code == CNI_E_IPAM,
		   "IPAM result refused, code 101: %s (%s)", bad[i], e.details);
		json_free(&d);
	}

	const char *prev = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"prevResult\":{\"cniVersion\":\"1.0.0\","
			   "\"interfaces\":[{\"name\":\"veth\"},{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\","
			   "\"sandbox\":\"/run/netns/x\"}],\"ips\":[{\"address\":\"192.0.2.5/24\",\"interface\":1}]}}";
	ok(req("CHECK", prev, NULL, &r, &d) == 0 && cni_parse_prev(&r, &res, &e) && res.iface == 1 &&
	   !strcmp(res.mac, "02:00:00:00:00:01") && res.nips == 1 && res.ips[0].iface == 1,
	   "prevResult: the interface of CNI_IFNAME in CNI_NETNS, and its IP");
	json_free(&d);
}

int main(void)
{
	test_reader();
	test_request();
	test_results();
	return tap_done();
}
