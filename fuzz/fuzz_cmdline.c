/* fuzz_cmdline.c - the command line and batch lines: argv from the input,
 * split at NUL bytes; the same bytes also as one batch line. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), **argv, **words, err[ERRLEN];
	struct request req;
	int argc = 1, nwords;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv = malloc((size + 3) * sizeof(*argv));
	if (!argv) {
		free(buf);
		return 0;
	}
	argv[0] = (char *)"tunctl";
	argv[argc++] = buf;
	for (size_t i = 0; i < size; i++)
		if (buf[i] == '\0')
			argv[argc++] = buf + i + 1;
	argv[argc] = NULL;
	cmdline_parse(argc, argv, &req, err, sizeof(err));
	request_free(&req);
	cmdline_parse_batch(argc, argv, &req, err, sizeof(err));
	request_free(&req);

	/* As a batch line: shell-like words, then a command. */
	if (split_words(buf, &nwords, &words, err, sizeof(err))) {
		char **v = malloc(((size_t)nwords + 2) * sizeof(*v));

		if (v) {
			v[0] = (char *)"tunctl";
			memcpy(v + 1, words, ((size_t)nwords + 1) * sizeof(*v));
			cmdline_parse_batch(nwords + 1, v, &req, err, sizeof(err));
			request_free(&req);
			free(v);
		}
		free(words);
	}
	free(argv);
	free(buf);
	return 0;
}
