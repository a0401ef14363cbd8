/* replay.c - feeds files to a harness without libFuzzer, so make check
 * replays the saved corpora with the ordinary compiler (and sanitizers, in
 * the sanitizer build). Prints TAP: one check per directory. */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc(len > 0 ? (size_t)len : 1);
	if (!buf || (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len)) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len > 0 ? (size_t)len : 0);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;
#ifdef CORPUS
	/* Under make check: this harness's saved corpus. */
	char *dflt[] = { argv[0], (char *)CORPUS, NULL };

	if (argc == 1) {
		argc = 2;
		argv = dflt;
	}
#endif

	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *e;
		int n = 0, bad = 0;

		if (!d) {
			printf("not ok %d - cannot open %s\n", i, argv[i]);
			failed = 1;
			continue;
		}
		while ((e = readdir(d))) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (run_file(path))
				bad++;
			n++;
		}
		closedir(d);
		printf("%sok %d - %d inputs of %s replayed\n", bad || !n ? "not " : "", i, n, argv[i]);
		failed |= bad || !n;
	}
	printf("1..%d\n", argc - 1);
	return failed;
}
