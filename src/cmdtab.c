/* cmdtab.c - pure: the lookups in the command and option tables that
 * the parser (cmdline.c), its hints (hints.c) and the classic dialect
 * (classic_args.c) share, and the global options' table.  It calls none
 * of those three, so they all sit above it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "args.h"

/* Accepted before the command only. */
const struct optdef global_opts[] = {
	{ "json", no_argument, .id = O_JSON, .short_name = 'j' },
	{ "help", no_argument, .id = O_HELP, .short_name = 'h' },
	{ "version", no_argument, .id = O_VERSION, .short_name = 'V' },
	{ "netns", required_argument, .id = O_NETNS, .short_name = 'n' },
	{ "batch", required_argument, .id = O_BATCH, .short_name = 'b' },
	{ "force", no_argument, .id = O_FORCE },
	OPT_END
};

/* Accepted after the command too. */
const struct optdef late_global_opts[] = {
	{ "json", no_argument, .id = O_JSON, .short_name = 'j' },
	{ "help", no_argument, .id = O_HELP, .short_name = 'h' },
	OPT_END
};

const struct optdef *find_long(const struct optdef *defs, const char *name, size_t len)
{
	for (; defs && defs->name; defs++)
		if (strlen(defs->name) == len && !strncmp(defs->name, name, len))
			return defs;
	return NULL;
}

const struct optdef *find_short(const struct optdef *defs, char c)
{
	for (; defs && defs->name; defs++)
		if (defs->short_name && defs->short_name == c)
			return defs;
	return NULL;
}

const struct optdef *global_opt_word(const char *a, int *words)
{
	const struct optdef *d;

	if (a[0] != '-' || !a[1])
		return NULL;
	if (a[1] == '-')
		d = find_long(global_opts, a + 2, strcspn(a + 2, "="));
	else
		d = find_short(global_opts, a[1]);
	/* "--netns NS" and "-n NS" take the next word; "--netns=NS" and
	 * "-nNS" hold their value. */
	*words = d && d->has_arg == required_argument && !(a[1] == '-' ? strchr(a, '=') != NULL : a[2] != '\0') ? 2 : 1;
	return d;
}

const struct command *cmd_get(enum cmd_id id)
{
	for (size_t i = 0; i < ncommands; i++)
		if (commands[i].id == id)
			return &commands[i];
	return NULL;
}

/* Classic has no name to call. */
const struct command *cmd_by_name(const char *name)
{
	for (size_t i = 0; i < ncommands; i++)
		if (commands[i].parse && (!strcmp(commands[i].name, name) ||
					  (commands[i].alias && !strcmp(commands[i].alias, name))))
			return &commands[i];
	return NULL;
}

enum cmd_id cmd_lookup(const char *name)
{
	const struct command *cmd = cmd_by_name(name);

	return cmd ? cmd->id : CMD_NONE;
}

const char *cmd_name(enum cmd_id id)
{
	const struct command *cmd = cmd_get(id);

	return cmd ? cmd->name : "tunctl";
}
