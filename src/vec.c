/* vec.c - the one growable array. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

#define VEC_FIRST 8

void *vec_grow(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t room = *cap ? *cap : VEC_FIRST;
	void *p;

	if (need <= *cap)
		return arr;
	while (room < need) {
		if (room > SIZE_MAX / 2)
			return NULL;
		room *= 2;
	}
	if (size && room > SIZE_MAX / size)
		return NULL;
	if (!(p = realloc(arr, room * size)))
		return NULL;
	*cap = room;
	return p;
}

/* The room vec_append gave an array of n elements: 0 for none, else
 * VEC_FIRST doubled until it holds them. */
static size_t implied_room(size_t n)
{
	size_t room = VEC_FIRST;

	if (!n)
		return 0;
	while (room < n)
		room *= 2;
	return room;
}

int vec_append(void **arr, size_t *n, const void *elem, size_t size)
{
	size_t cap = implied_room(*n);
	void *p = vec_grow(*arr, &cap, *n + 1, size);

	if (!p)
		return -ENOMEM;
	*arr = p;
	memcpy((char *)p + *n * size, elem, size);
	(*n)++;
	return 0;
}
