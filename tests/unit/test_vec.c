/* test_vec.c - the growable array: room kept, doubling, overflow refused. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "tap.h"
#include "vec.h"

int main(void)
{
	size_t cap = 0, n = 0;
	int *v = NULL, *p;
	bool same = true;

	p = vec_grow(v, &cap, 1, sizeof(*v));
	ok(p && cap == 8, "the first growth makes room for 8 (cap %zu)", cap);
	v = p;
	ok(vec_grow(v, &cap, 8, sizeof(*v)) == v && cap == 8, "room that is there is kept");
	p = vec_grow(v, &cap, 9, sizeof(*v));
	ok(p && cap == 16, "one more doubles (cap %zu)", cap);
	v = p;
	p = vec_grow(v, &cap, 100, sizeof(*v));
	ok(p && cap == 128, "doubles until the need fits (cap %zu)", cap);
	v = p;
	ok(!vec_grow(v, &cap, SIZE_MAX / 2 + 2, 1) && cap == 128, "a count that overflows: NULL, cap kept");
	ok(!vec_grow(v, &cap, SIZE_MAX / 4, 8) && cap == 128, "a size that overflows: NULL, cap kept");
	free(v);

	v = NULL;
	for (int i = 0; i < 1000; i++)
		if (vec_append((void **)&v, &n, &i, sizeof(i)))
			same = false;
	for (int i = 0; i < 1000 && same; i++)
		same = v[i] == i;
	ok(same && n == 1000, "1000 appends keep every element in order");
	free(v);
	return tap_done();
}
