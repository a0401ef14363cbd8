/* batch.c - "tunctl -b FILE": many commands, one process, one netlink socket. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "tunctl.h"
#include "vec.h"

void batch_lines_free(struct batch_line *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		request_free(&v[i].req);
		free(v[i].argv);
	}
	free(v);
}

/* One line of the file (number no) into (*v)[*n], parsed; an empty one is
 * skipped.  Returns 0 to go on, or the status to stop with after
 * reporting: with force a line that does not parse is left out and
 * counted in *bad instead (out of memory stops it all the same). */
static int parse_line(struct ctx *c, const char *line, unsigned no, bool force, struct batch_line **v,
		      size_t *n, size_t *cap, size_t *bad)
{
	char **words, **argv, err[ERRLEN];
	struct batch_line *p;
	int argc, rc;

	if (!split_words(line, &argc, &words, err, sizeof(err))) {
		report(c, "%s", err);
		if (errno == ENOMEM)
			return 1;
		if (force) {
			(*bad)++;
			return 0;
		}
		return 2;
	}
	if (!argc) {
		free(words);
		return 0;
	}
	/* The parser expects a program name first. */
	argv = malloc(((size_t)argc + 2) * sizeof(*argv));
	if (!argv) {
		free(words);
		report(c, "out of memory");
		return 1;
	}
	argv[0] = (char *)"tunctl";
	memcpy(argv + 1, words, ((size_t)argc + 1) * sizeof(*argv));
	if (!(p = vec_grow(*v, cap, *n + 1, sizeof(**v)))) {
		free(words);
		free(argv);
		report(c, "out of memory");
		return 1;
	}
	*v = p;
	p[*n].no = no;
	p[*n].argv = words;
	rc = cmdline_parse_batch(argc + 1, argv, &p[*n].req, err, sizeof(err));
	free(argv);
	(*n)++;
	if (rc) {
		report(c, "%s", err);
		if (!force)
			return rc;
		request_free(&p[--(*n)].req);
		free(words);
		(*bad)++;
	}
	return 0;
}

/* Every line is parsed before any runs: a syntax error anywhere changes
 * nothing.  With force, a bad line is reported and left out instead, and
 * *bad counts such lines. */
static int parse_file(struct ctx *c, FILE *f, const char *path, bool force, struct batch_line **out,
		      size_t *nout, size_t *bad)
{
	struct batch_line *v = NULL;
	size_t n = 0, cap = 0, len = 0;
	char *buf = NULL, where[WHERE_LEN] = "";
	const char *at;
	unsigned no = 0;
	int rc = 0;

	/* Every report below comes after where is set to its line. */
	at = ctx_at(c, where);
	for (;;) {
		int err_no;

		errno = 0;
		if (getline(&buf, &len, f) < 0) {
			/* getline says -1 for the end, a read error and a
			 * failed allocation alike: only the end is the end. */
			if (feof(f) && !ferror(f) && errno != ENOMEM)
				break;
			err_no = errno ? errno : EIO;
			snprintf(where, sizeof(where), "%s:%u", path, no + 1);
			report_err(c, err_no, NULL, "reading %s", path);
			rc = 1;
			break;
		}
		no++;
		snprintf(where, sizeof(where), "%s:%u", path, no);
		if ((rc = parse_line(c, buf, no, force, &v, &n, &cap, bad)))
			break;
	}
	free(buf);
	ctx_at(c, at);
	*out = v;
	*nout = n;
	return rc;
}

/* Lines [i, end) that can go through add_run_many together: plain adds.
 * Each holds a descriptor until the group ends, hence the cap. */
static size_t add_group_end(const struct batch_line *v, size_t i, size_t n, size_t cap)
{
	size_t end = i;

	while (end < n && end - i < cap && v[end].req.cmd == CMD_ADD &&
	       !v[end].req.u.add.exist_ok && !v[end].req.u.add.keep_config && !v[end].req.g.help)
		end++;
	return end;
}

size_t fd_room(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur;
}

static size_t group_cap(void)
{
	/* A descriptor per device in a group: use what the hard limit allows. */
	size_t room = fd_room();

	if (room < 64)
		return 1;
	return room - 32 < 512 ? room - 32 : 512;
}

static int run_adds(struct ctx *c, struct batch_line *v, size_t i, size_t end, const char *name,
		    bool force, size_t *ran)
{
	size_t n = end - i;
	const struct add_req **reqs = calloc(n, sizeof(*reqs));
	const char **wheres = calloc(n, sizeof(*wheres));
	char *buf = calloc(n, WHERE_LEN);
	bool *json = calloc(n, sizeof(*json));
	struct add_many m = { .reqs = reqs, .wheres = wheres, .json = json, .n = n, .force = force };
	int rc;

	if (!reqs || !wheres || !buf || !json) {
		report(c, "out of memory");
		rc = 1;
		*ran = 1;
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		reqs[k] = &v[i + k].req.u.add;
		snprintf(buf + k * WHERE_LEN, WHERE_LEN, "%s:%u", name, v[i + k].no);
		wheres[k] = buf + k * WHERE_LEN;
		json[k] = v[i + k].req.g.json;
	}
	rc = add_run_many(c, &m);
	*ran = m.done ? m.done : 1;
out:
	free(reqs);
	free(wheres);
	free(buf);
	free(json);
	return rc;
}

/* SIGINT, SIGTERM and SIGHUP are held while a line runs, so that each
 * command is done or undone whole, and looked at between lines: an
 * interrupted batch stops there and says where.  attach and wait take
 * the signals themselves (they run until one comes): not held for them. */
static bool holds_stops(const struct request *req)
{
	return req->cmd != CMD_ATTACH && req->cmd != CMD_WAIT;
}

/* The stop signal pending, taken: 0 if none. */
static int stop_taken(const sigset_t *stops)
{
	const struct timespec now = { 0, 0 };
	int sig = 0, got;

	while ((got = sigtimedwait(stops, NULL, &now)) > 0)
		if (!sig)
			sig = got;
	return sig;
}

static const char *stop_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
}

/* Reads and parses the batch file (path "-": standard input), named name in
 * messages.  0, or the status after reporting. */
static int read_lines(struct ctx *c, const char *path, const char *name, bool force, struct batch_line **v,
		      size_t *n, size_t *bad)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	int rc;

	if (!f) {
		report_err(c, errno, NULL, "cannot open batch file %s", path);
		return 1;
	}
	rc = parse_file(c, f, name, force, v, n, bad);
	if (f != stdin)
		fclose(f);
	if (rc)
		batch_lines_free(*v, *n);
	return rc;
}

/* Says that stop signal sig came before line, which was not run. */
static void report_stop(struct ctx *c, const char *name, const struct batch_line *line, int sig, size_t done,
			size_t n)
{
	char where[WHERE_LEN];
	const char *at;

	snprintf(where, sizeof(where), "%s:%u", name, line->no);
	at = ctx_at(c, where);
	report(c, "interrupted by %s before this line: %zu of %zu command%s done, the rest not run",
	       stop_name(sig), done, n, n == 1 ? "" : "s");
	ctx_at(c, at);
	ctx_flush_error(c, 128 + sig, NULL);
}

/* Runs line i, or the group of adds from i to end together, with -j if json;
 * *ran: how many lines that was.  Their status. */
static int run_lines(struct ctx *c, struct batch_line *v, size_t i, size_t end, size_t n, const char *name,
		     bool json, bool force, size_t *ran)
{
	struct request *req = &v[i].req;
	char where[WHERE_LEN];
	const char *at;
	int rc;

	for (size_t k = i; k < n && k < end; k++)
		v[k].req.g.json |= json;
	req->g.json |= json;
	if (end - i > 1)
		return run_adds(c, v, i, end, name, force, ran);
	snprintf(where, sizeof(where), "%s:%u", name, v[i].no);
	at = ctx_at(c, where);
	rc = run_request(c, req);
	ctx_at(c, at);
	return rc;
}

int batch_run(struct ctx *c, const char *path, bool json, bool force)
{
	sigset_t stops, old;
	int sig = 0;
	size_t done = 0;

	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct batch_line *v = NULL;
	size_t n = 0, cap, bad = 0;
	int rc, failed = 0;

	if ((rc = read_lines(c, path, name, force, &v, &n, &bad)))
		return rc;
	/* One lock for the whole file (ctx_lock). */
	if (ctx_lock(c)) {
		batch_lines_free(v, n);
		return 1;
	}
	cap = group_cap();
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, &old);
	for (size_t i = 0; i < n;) {
		struct request *req = &v[i].req;
		size_t end = add_group_end(v, i, n, cap), ran = 1;

		if ((sig = stop_taken(&stops))) {
			report_stop(c, name, &v[i], sig, done, n);
			break;
		}
		if (!holds_stops(req))
			sigprocmask(SIG_SETMASK, &old, NULL);
		rc = run_lines(c, v, i, end, n, name, json, force, &ran);
		if (!holds_stops(req))
			sigprocmask(SIG_BLOCK, &stops, NULL);
		failed |= rc;
		/* With -j, the line's error as JSON, with the line's status. */
		ctx_flush_error(c, rc, end - i > 1 ? NULL : request_device(req));
		if (rc && !force)
			break;
		i += ran;
		done += ran;
	}
	/* One that came during the last line: all was done. */
	if (!sig && (sig = stop_taken(&stops)) && !(failed && !force))
		warn(c, "%s came too late to stop the batch: its %zu command%s had run",
		     stop_name(sig), done, done == 1 ? "" : "s");
	fflush(stdout);
	sigprocmask(SIG_SETMASK, &old, NULL);
	batch_lines_free(v, n);
	if (sig && done < n && !(failed && !force))
		return 128 + sig;
	/* A line that failed, whatever its own status, fails the batch: 1. */
	return failed || bad ? 1 : 0;
}

int batch_read(struct ctx *c, const char *path, const char **name, struct batch_line **out, size_t *n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	size_t bad = 0;
	int rc;

	*name = strcmp(path, "-") ? path : "<stdin>";
	*out = NULL;
	*n = 0;
	if (!f) {
		report_err(c, errno, NULL, "cannot open %s", path);
		return 1;
	}
	rc = parse_file(c, f, *name, false, out, n, &bad);
	if (f != stdin)
		fclose(f);
	if (rc) {
		batch_lines_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
