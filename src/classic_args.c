/* classic_args.c - pure: the classic UML-utilities tunctl's command line
 * (tunctl [-b] [-u U] [-g G] [-t NAME] [-p|-n] [-f PATH], tunctl -d NAME),
 * told apart from tunctl's own and parsed into a classic_req. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "args.h"

const char classic_usage[] =
	"Create: tunctl [-b] [-u owner] [-g group] [-t device-name] [-p|-n] [-f tun-clone-device]\n"
	"Delete: tunctl -d device-name [-f tun-clone-device]\n"
	"\n"
	"The default tun clone device is /dev/net/tun - some systems use\n"
	"/dev/misc/net/tun instead\n"
	"\n"
	"-b will result in brief output (just the device name)\n"
	"-n makes a tun device, -p a tap device (the default)\n";

static int classic_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int classic_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* The classic tool's status for a usage error; main adds its usage
	 * text. */
	return 1;
}

/* The classic tunctl parsed its options with getopt("bd:f:t:u:g:np"): short
 * options only, bundled ("-bt tap0") or with attached values ("-ttap0"). */
static bool classic_takes_value(char c)
{
	return c == 'd' || c == 'f' || c == 't' || c == 'u' || c == 'g';
}

static bool is_classic_opt(char c)
{
	return classic_takes_value(c) || c == 'b' || c == 'n' || c == 'p';
}

struct classic_iter {
	int argc;
	char **argv;
	int i;                  /* the next word */
	const char *word;       /* the word being read */
	const char *rest;       /* the rest of its bundle, or NULL */
};

#define CLASSIC_WORD 1     /* a word that is no option */
#define CLASSIC_UNKNOWN 2  /* a letter the classic tool did not have */

/* The next classic option, getopt's way.  Returns its letter, with *val its
 * value (NULL if the command line ends first); 0 at the end; CLASSIC_WORD
 * (*val: the word) or CLASSIC_UNKNOWN (*val: the letter, in its bundle). */
static char classic_next(struct classic_iter *it, const char **val)
{
	char c;

	*val = NULL;
	if (!it->rest || !*it->rest) {
		const char *a;

		if (it->i >= it->argc)
			return 0;
		a = it->word = it->argv[it->i++];
		if (a[0] != '-' || !a[1] || !strcmp(a, "--")) {
			*val = a;
			return CLASSIC_WORD;
		}
		it->rest = a + 1;
	}
	c = *it->rest++;
	if (!is_classic_opt(c)) {
		*val = it->rest - 1;
		it->rest = NULL;
		return CLASSIC_UNKNOWN;
	}
	if (classic_takes_value(c)) {
		if (*it->rest)
			*val = it->rest;
		else if (it->i < it->argc)
			*val = it->argv[it->i++];
		it->rest = NULL;
	}
	return c;
}

/* "-nNAME" and "-bFILE" are tunctl's own -n and -b with an attached value
 * when only tunctl's global options and a command follow, or nothing does
 * ("tunctl -nblue list", "tunctl -bdevs.txt --force"); "tunctl -nbt tun3"
 * and "tunctl -nbu1234 -ttun4" are classic. */
static bool tunctl_attached_value(int argc, char **argv)
{
	const char *a = argv[0];

	if ((a[1] != 'n' && a[1] != 'b') || !a[2])
		return false;
	for (int i = 1, words; i < argc; i += words) {
		a = argv[i];
		if (a[0] != '-')
			return cmd_lookup(a) != CMD_NONE;
		if (!global_opt_word(a, &words))
			return false;
	}
	return true;
}

/* Classic use is recognised by the options up to the first word that is not
 * one: -t or -d (or -u, -g, -p, -f, which tunctl lacks), or nothing but the
 * flags -b, -n and -p ("tunctl -b"). "tunctl -n blue list" is not classic. */
bool looks_classic(int argc, char **argv)
{
	struct classic_iter it = { argc, argv, 0, NULL, NULL };
	bool strong = false, all_flags = true;
	const char *val;
	char c;

	if (argc < 1 || argv[0][0] != '-' || !is_classic_opt(argv[0][1]) ||
	    tunctl_attached_value(argc, argv))
		return false;
	while ((c = classic_next(&it, &val)) && c != CLASSIC_WORD && c != CLASSIC_UNKNOWN) {
		if (c != 'b' && c != 'n')
			strong = true;
		if (classic_takes_value(c))
			all_flags = false;
	}
	return strong || (all_flags && !c);
}

int parse_classic(int argc, char **argv, struct request *req, char *err, size_t errlen)
{
	struct classic_req *r = &req->u.classic;
	struct classic_iter it = { argc, argv, 0, NULL, NULL };
	const char *val;
	char e[ERRLEN], c;

	req->cmd = CMD_CLASSIC;
	r->mode = MODE_TAP;
	while ((c = classic_next(&it, &val))) {
		if (c == CLASSIC_UNKNOWN) {
			if (val == it.word + 1)
				return classic_err(err, errlen, "unknown option \"%s\" in classic tunctl mode", it.word);
			return classic_err(err, errlen, "unknown option \"-%c\" (in \"%s\") in classic tunctl mode",
					   *val, it.word);
		}
		if (c == CLASSIC_WORD)
			return classic_err(err, errlen, "unexpected argument \"%s\" in classic tunctl mode", val);
		if (classic_takes_value(c) && !val)
			return classic_err(err, errlen, "option -%c needs a value", c);
		switch (c) {
		case 'b':
			r->brief = true;
			break;
		case 'n':
			r->mode = MODE_TUN;
			r->mode_set = true;
			break;
		case 'p':
			r->mode = MODE_TAP;
			r->mode_set = true;
			break;
		case 't':
		case 'd':
			if (r->name)
				return classic_err(err, errlen, "device name given twice (\"%s\")", val);
			if (!parse_ifname(val, c == 't', e, sizeof(e)))
				return classic_err(err, errlen, "%s", e);
			r->name = val;
			r->del = c == 'd';
			break;
		case 'u':
		case 'g':
			if (!*val)
				return classic_err(err, errlen, "-%c needs a %s; \"\" is empty%s", c,
						   c == 'u' ? "user name or uid" : "group name or gid",
						   c == 'u' ? " (is $USER set?)" : "");
			if (!parse_id(val, c == 'u' ? &r->user : &r->group))
				return classic_err(err, errlen, "invalid %s \"%s\"", c == 'u' ? "user" : "group", val);
			break;
		case 'f':
			if (!*val)
				return classic_err(err, errlen, "-f needs the path of the tun clone device");
			r->clone_path = val;
			break;
		}
	}
	/* With -d the classic tool ignored -b, -u, -g, -n and -p; so does classic_run. */
	return 0;
}
