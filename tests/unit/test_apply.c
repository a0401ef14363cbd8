/* test_apply.c - apply's reading of the file's lines into wanted devices:
 * each error names FILE:LINE, and leaves the context pointing at none of
 * the caller's memory (which apply frees before the end). */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "apply.h"
#include "tap.h"

/* Reads lines n of v into wants, the report captured; the status. */
static int read_wants(struct ctx *c, const struct batch_line *v, size_t n, char *msg, size_t len)
{
	struct want w[4];
	char where[4][300];
	int rc;

	msg[0] = '\0';
	c->capture = msg;
	c->capture_len = len;
	rc = apply_read_wants(c, v, n, "f", w, where);
	c->capture = NULL;
	msg[strcspn(msg, "\n")] = '\0';
	return rc;
}

int main(void)
{
	struct ctx c;
	struct batch_line v[3];
	char msg[512];
	int rc;

	memset(&c, 0, sizeof(c));
	memset(v, 0, sizeof(v));
	for (unsigned i = 0; i < 3; i++) {
		v[i].no = i + 1;
		v[i].req.cmd = CMD_ADD;
		v[i].req.u.add.any_user = true;
	}
	v[0].req.u.add.name = "a0";
	v[1].req.u.add.name = "b0";
	v[2].req.u.add.name = "a0";

	rc = read_wants(&c, v, 2, msg, sizeof(msg));
	ok(rc == 0 && !c.where && !msg[0], "two add lines: read, nothing reported (%d: %s)", rc, msg);

	v[1].req.cmd = CMD_DEL;
	rc = read_wants(&c, v, 2, msg, sizeof(msg));
	ok(rc == 2 && strstr(msg, "tunctl: f:2: only add lines"), "a del line: 2, naming f:2 (%s)", msg);
	ok(!c.where, "a del line: where cleared");
	v[1].req.cmd = CMD_ADD;

	v[1].req.u.add.name = "tap%d";
	rc = read_wants(&c, v, 2, msg, sizeof(msg));
	ok(rc == 2 && strstr(msg, "tunctl: f:2: \"tap%d\" is a name template"), "a template: 2, naming f:2 (%s)", msg);
	ok(!c.where, "a template: where cleared");
	v[1].req.u.add.name = "b0";

	rc = read_wants(&c, v, 3, msg, sizeof(msg));
	ok(rc == 2 && strstr(msg, "tunctl: f:3: device a0 is named twice (first at f:1)"),
	   "a name twice: 2, naming f:3 and f:1 (%s)", msg);
	ok(!c.where, "a name twice: where cleared");
	return tap_done();
}
