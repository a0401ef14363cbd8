/* test_output.c - one set of calls gives text and JSON; escaping; tables. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "tap.h"

static char *render(bool json, void (*fn)(struct out *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct out o;

	out_init(&o, f, json);
	fn(&o);
	out_end(&o);
	fclose(f);
	return buf;
}

static void doc(struct out *o)
{
	out_obj_open(o, NULL);
	out_str(o, "ifname", "%s:", "tun0");
	out_uint(o, "mtu", " mtu %llu", 1500);
	out_bool(o, "pi", " pi", false);
	out_bool(o, "persist", " persist", true);
	out_opt_uint(o, "owner", " owner %llu", false, 0, " owner -");
	out_opt_uint(o, "group", " group %llu", true, 7, " group -");
	out_arr_open(o, "addresses");
	out_obj_open(o, NULL);
	out_str(o, "local", " %s", "192.0.2.1");
	out_obj_close(o);
	out_obj_open(o, NULL);
	out_str(o, "local", " %s", "2001:db8::1");
	out_obj_close(o);
	out_arr_close(o);
	out_arr_open(o, "processes");
	out_arr_close(o);
	out_text(o, "\n");
	out_obj_close(o);
}

static void escapes(struct out *o)
{
	out_obj_open(o, NULL);
	out_str(o, "name", NULL, "a\"b\\c\nd\te\x01" "f\x7f");
	out_obj_close(o);
}

int main(void)
{
	char *j = render(true, doc), *t = render(false, doc), *e = render(true, escapes);
	static const char *const rows[3][3] = {
		{ "NAME", "MODE", "OWNER" }, { "tap0", "tap", "nobody" }, { "averylongname", "tun", "-" }
	};
	struct cols tb;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ok(!strcmp(j, "{\"ifname\":\"tun0\",\"mtu\":1500,\"pi\":false,\"persist\":true,\"owner\":null,\"group\":7,"
		   "\"addresses\":[{\"local\":\"192.0.2.1\"},{\"local\":\"2001:db8::1\"}],\"processes\":[]}\n"),
	   "json document");
	ok(!strcmp(t, "tun0: mtu 1500 persist owner - group 7 192.0.2.1 2001:db8::1\n"), "text from the same calls");
	ok(!strcmp(e, "{\"name\":\"a\\\"b\\\\c\\nd\\te\\u0001f\\u007f\"}\n"), "escaping");

	cols_init(&tb, 3);
	for (size_t i = 0; i < 3; i++)
		cols_measure(&tb, rows[i]);
	f = open_memstream(&buf, &len);
	for (size_t i = 0; i < 3; i++)
		cols_print(&tb, f, rows[i]);
	fclose(f);
	ok(!strcmp(buf, "NAME           MODE  OWNER\ntap0           tap   nobody\naverylongname  tun   -\n"),
	   "aligned table");
	free(buf);
	free(j);
	free(t);
	free(e);
	return tap_done();
}
