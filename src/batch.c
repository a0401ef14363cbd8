/* batch.c - "tunctl -b FILE": many commands, one process, one netlink socket. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunctl.h"

struct line {
	unsigned no;
	char **argv;            /* one allocation from split_words */
	struct request req;
};

static void free_lines(struct line *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		request_free(&v[i].req);
		free(v[i].argv);
	}
	free(v);
}

/* Every line is parsed before any runs: a syntax error anywhere changes nothing. */
static int parse_file(struct ctx *c, FILE *f, const char *path, struct line **out, size_t *nout)
{
	struct line *v = NULL;
	size_t n = 0, cap = 0, len = 0;
	char *buf = NULL, where[300], err[ERRLEN];
	unsigned no = 0;
	int rc = 0;

	while (getline(&buf, &len, f) >= 0) {
		char **words, **argv;
		int argc;

		no++;
		snprintf(where, sizeof(where), "%s:%u", path, no);
		c->where = where;
		if (!split_words(buf, &argc, &words, err, sizeof(err))) {
			report(c, "%s", err);
			rc = 2;
			break;
		}
		if (!argc) {
			free(words);
			continue;
		}
		/* The parser expects a program name first. */
		argv = malloc(((size_t)argc + 2) * sizeof(*argv));
		if (!argv) {
			free(words);
			report(c, "out of memory");
			rc = 1;
			break;
		}
		argv[0] = (char *)"tunctl";
		memcpy(argv + 1, words, ((size_t)argc + 1) * sizeof(*argv));
		if (n == cap) {
			struct line *p;

			cap = cap ? cap * 2 : 64;
			if (!(p = realloc(v, cap * sizeof(*v)))) {
				free(words);
				free(argv);
				report(c, "out of memory");
				rc = 1;
				break;
			}
			v = p;
		}
		v[n].no = no;
		v[n].argv = words;
		rc = cmdline_parse_batch(argc + 1, argv, &v[n].req, err, sizeof(err));
		free(argv);
		n++;
		if (rc) {
			report(c, "%s", err);
			break;
		}
	}
	if (!rc && ferror(f)) {
		c->where = NULL;
		report_err(c, errno, NULL, "reading %s", path);
		rc = 1;
	}
	free(buf);
	c->where = NULL;
	*out = v;
	*nout = n;
	return rc;
}

int batch_run(struct ctx *c, const char *path, bool json, bool force)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct line *v = NULL;
	char where[300];
	size_t n = 0;
	int rc, worst = 0;

	if (!f) {
		report_err(c, errno, NULL, "cannot open batch file %s", path);
		return 1;
	}
	rc = parse_file(c, f, name, &v, &n);
	if (f != stdin)
		fclose(f);
	if (rc) {
		free_lines(v, n);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		struct request *req = &v[i].req;

		req->g.json |= json;
		snprintf(where, sizeof(where), "%s:%u", name, v[i].no);
		c->where = where;
		rc = run_request(c, req);
		c->where = NULL;
		if (rc > worst)
			worst = rc;
		if (rc && !force)
			break;
	}
	free_lines(v, n);
	return worst;
}
