/* cmd_wait.c - "tunctl wait": until a device is in a state, or a timeout. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>

#include "evwatch.h"

enum cond { C_NONE, C_EXISTS, C_GONE, C_UP, C_DOWN, C_ATTACHED, C_DETACHED, C_ADDR, C_MASTER };

static const char *const cond_words[] = {
	[C_EXISTS] = "exists", [C_GONE] = "gone", [C_UP] = "up", [C_DOWN] = "down",
	[C_ATTACHED] = "attached", [C_DETACHED] = "detached", [C_ADDR] = "addr", [C_MASTER] = "master",
};
#define NCONDS (sizeof(cond_words) / sizeof(cond_words[0]))

struct wait_req {
	const char *name;
	enum cond cond;
	const char *arg;        /* addr's CIDR, master's DEV, as given */
	struct prefix addr;
	bool any_len;           /* addr without /LEN: any prefix length */
	bool has_timeout;
	uint64_t timeout_ms;
	const char *timeout_text;       /* as given */
};

const struct optdef wait_opts[] = {
	{ "for", required_argument, .id = O_FOR },
	{ "timeout", required_argument, .id = O_TIMEOUT },
	OPT_END
};

/* "SECONDS" with up to three decimals: 5, 0.25. */
static bool parse_seconds(const char *s, uint64_t *ms)
{
	char whole[16];
	const char *dot = strchr(s, '.');
	size_t n = dot ? (size_t)(dot - s) : strlen(s);
	uint32_t sec, frac = 0;

	if (!n || n >= sizeof(whole))
		return false;
	memcpy(whole, s, n);
	whole[n] = '\0';
	if (!parse_u32(whole, 0, 100000000, &sec))
		return false;
	if (dot) {
		size_t fl = strlen(dot + 1);

		if (!fl || fl > 3 || !parse_u32(dot + 1, 0, 999, &frac))
			return false;
		for (; fl < 3; fl++)
			frac *= 10;
	}
	*ms = (uint64_t)sec * 1000 + frac;
	return true;
}

struct wait_parse {
	struct wait_req *r;
	const char *for_arg;    /* the second word inside --for's value */
	bool seen_timeout;
};

static int wait_opt(struct parsed *p, const struct optitem *it, void *arg)
{
	struct wait_parse *w = arg;
	struct wait_req *r = w->r;

	switch (it->def->id) {
	case O_FOR: {
		const char *sp = strchr(it->val, ' ');
		size_t len = sp ? (size_t)(sp - it->val) : strlen(it->val);

		if (r->cond != C_NONE)
			return opt_twice(p, it);
		for (size_t i = 1; i < NCONDS; i++)
			if (strlen(cond_words[i]) == len && !strncmp(it->val, cond_words[i], len))
				r->cond = (enum cond)i;
		if (r->cond == C_NONE)
			return usage_err(p, "invalid --for \"%s\" (exists, gone, up, down, attached, detached, "
					 "addr CIDR or master DEV)", it->val);
		if (sp) {
			while (*sp == ' ')
				sp++;
			w->for_arg = *sp ? sp : NULL;
		}
		return 0;
	}
	case O_TIMEOUT:
		if (w->seen_timeout)
			return opt_twice(p, it);
		w->seen_timeout = true;
		if (!parse_seconds(it->val, &r->timeout_ms))
			return usage_err(p, "invalid --timeout \"%s\" (seconds, such as 5 or 0.5)", it->val);
		r->has_timeout = true;
		r->timeout_text = it->val;
		return 0;
	default:
		return 0;
	}
}

int parse_wait(struct parsed *p, struct request *req)
{
	struct wait_req *r = calloc(1, sizeof(*r));
	struct wait_parse w = { .r = r };
	char err[ERRLEN];
	int rc, next = 1;

	if (!(req->own = r))
		return oom_err(p);
	if ((rc = need_name(p, 0, &r->name, false)) || (rc = each_opt(p, r, wait_opt, &w)))
		return rc;
	if (r->cond == C_NONE)
		return usage_err(p, "wait needs --for CONDITION (exists, gone, up, down, attached, detached, "
				 "addr CIDR or master DEV)");
	if (r->cond == C_ADDR || r->cond == C_MASTER) {
		if (!(r->arg = w.for_arg)) {
			if (p->npos < 2)
				return usage_err(p, "--for %s needs %s after it", cond_words[r->cond],
						 r->cond == C_ADDR ? "an address (CIDR)" : "a device name");
			r->arg = p->pos[next++];
		}
	} else if (w.for_arg) {
		return usage_err(p, "--for %s takes no argument (\"%s\")", cond_words[r->cond], w.for_arg);
	}
	if (r->cond == C_ADDR) {
		if (!parse_prefix(r->arg, false, false, &r->addr, err, sizeof(err)))
			return usage_err(p, "--for addr: %s", err);
		r->any_len = !strchr(r->arg, '/');
	} else if (r->cond == C_MASTER && !parse_ifname(r->arg, false, err, sizeof(err))) {
		return usage_err(p, "--for master: %s", err);
	}
	return no_more(p, next);
}

static bool same_ip(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family && !memcmp(a->a.b, b->a.b, a->family == AF_INET ? 4 : 16);
}

static bool has_addr(const struct wait_req *r, const struct ev_dev *d)
{
	for (size_t i = 0; i < d->l.naddrs; i++)
		if (same_ip(&d->l.addrs[i].local.addr, &r->addr.addr) &&
		    (r->any_len || d->l.addrs[i].local.len == r->addr.len))
			return true;
	return false;
}

static bool master_is(const char *want, const struct ev_dev *d)
{
	char name[IF_NAMESIZE];

	return d->l.link.master.index && if_indextoname(d->l.link.master.index, name) && !strcmp(name, want);
}

static bool holds(const struct wait_req *r, const struct ev_state *st)
{
	const struct ev_dev *d = ev_find_name(st, r->name);

	switch (r->cond) {
	case C_EXISTS: return d;
	case C_GONE: return !d;
	case C_UP: return d && d->l.ti.up;
	case C_DOWN: return d && !d->l.ti.up;
	case C_ATTACHED: return d && d->l.carrier;
	case C_DETACHED: return d && !d->l.carrier;
	case C_ADDR: return d && has_addr(r, d);
	case C_MASTER: return d && master_is(r->arg, d);
	default: return false;
	}
}

/* "vm0 is up, no reader attached, addresses 192.0.2.1/24, no master". */
static void describe(const struct wait_req *r, const struct ev_state *st, char *buf, size_t len)
{
	const struct ev_dev *d = ev_find_name(st, r->name);
	size_t off;

	if (!d) {
		snprintf(buf, len, "%s does not exist (as a TUN/TAP device)", r->name);
		return;
	}
	off = (size_t)snprintf(buf, len, "%s is %s, %s", r->name, d->l.ti.up ? "up" : "down",
			       d->l.carrier ? "a reader attached" : "no reader attached");
	if (r->cond == C_ADDR) {
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, d->l.naddrs ? ", addresses" : ", no address");
		for (size_t i = 0; i < d->l.naddrs && off < len; i++) {
			char a[INET6_ADDRSTRLEN + 4];

			off += (size_t)snprintf(buf + off, len - off, " %s", format_prefix(&d->l.addrs[i].local, a, sizeof(a)));
		}
	} else if (r->cond == C_MASTER && off < len) {
		char m[IF_NAMESIZE];

		if (!d->l.link.master.index)
			snprintf(buf + off, len - off, ", no master");
		else
			snprintf(buf + off, len - off, ", master %s",
				 if_indextoname(d->l.link.master.index, m) ? m : "(gone)");
	}
}

static void what(const struct wait_req *r, char *buf, size_t len)
{
	switch (r->cond) {
	case C_EXISTS: snprintf(buf, len, "%s to exist", r->name); break;
	case C_GONE: snprintf(buf, len, "%s to be gone", r->name); break;
	case C_ATTACHED: snprintf(buf, len, "a reader to attach to %s", r->name); break;
	case C_DETACHED: snprintf(buf, len, "the readers of %s to leave", r->name); break;
	case C_ADDR: snprintf(buf, len, "%s to have address %s", r->name, r->arg); break;
	case C_MASTER: snprintf(buf, len, "%s to have master %s", r->name, r->arg); break;
	default: snprintf(buf, len, "%s to be %s", r->name, cond_words[r->cond]); break;
	}
}

/* What an event's callback returns once the condition holds: a state that
 * holds only for a moment (a reader that attaches and leaves at once) is
 * seen as it passes, not only at the end of a burst of events. */
#define HELD 1000

struct check {
	const struct wait_req *r;
	const struct ev_state *st;
};

static int check(const struct event *e, void *arg)
{
	struct check *k = arg;

	/* A reader that came and went before the kernel told: the state
	 * says detached, the events say it was attached meanwhile. */
	if (e->link && !strcmp(e->link->ti.name, k->r->name) &&
	    ((e->type == EV_ATTACHED && k->r->cond == C_ATTACHED) ||
	     (e->type == EV_DETACHED && k->r->cond == C_DETACHED)))
		return HELD;
	return holds(k->r, k->st) ? HELD : 0;
}

int wait_main(struct ctx *c, const struct request *req)
{
	const struct wait_req *r = req->own;
	struct timespec deadline;
	char want[128], now[512];
	struct watch w;
	struct check k = { .r = r, .st = &w.st };
	int rc;

	if (r->has_timeout) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += (time_t)(r->timeout_ms / 1000);
		deadline.tv_nsec += (long)(r->timeout_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}
	if ((rc = watch_open(&w, c, req->g.netns)))
		goto out;
	/* The reading, then what came during it, then each burst of events:
	 * the condition is checked after each. */
	if (holds(r, &w.st))
		goto held;
	if ((rc = ev_src_pending(&w.src, &w.st, check, &k)) == HELD)
		goto held;
	if (rc) {
		report_err(c, rc, NULL, "reading events");
		rc = 1;
		goto out;
	}
	for (;;) {
		switch (watch_wait(&w, r->has_timeout ? &deadline : NULL, -1)) {
		case W_READY:
			if ((rc = watch_read(&w, check, &k)) == HELD)
				goto held;
			if (rc)
				goto out;
			continue;
		case W_TIMEOUT:
			what(r, want, sizeof(want));
			describe(r, &w.st, now, sizeof(now));
			report(c, "timed out after %s s waiting for %s: %s", r->timeout_text, want, now);
			rc = 1;
			goto out;
		case W_STOP:
			what(r, want, sizeof(want));
			report(c, "interrupted while waiting for %s", want);
			rc = 1;
			goto out;
		case W_FAILED:
			rc = 1;
			goto out;
		}
	}
held:
	rc = 0;
out:
	watch_close(&w);
	return rc;
}
