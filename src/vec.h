/* vec.h - the one growable array: room by doubling, overflow-checked. */
#ifndef TUNCTL_VEC_H
#define TUNCTL_VEC_H

#include <stddef.h>

/* Room for need elements of size bytes in arr, which has room for *cap:
 * arr itself when it has it, else arr grown by doubling from 8 elements
 * (*cap updated). NULL, with arr and *cap untouched, when out of memory or
 * the size would overflow. */
void *vec_grow(void *arr, size_t *cap, size_t need, size_t size);

/* Appends the element at elem to the array *arr of *n elements, whose room
 * is implied by *n (it only ever grew by vec_append). 0 or -ENOMEM, with
 * the array untouched. */
int vec_append(void **arr, size_t *n, const void *elem, size_t size);

#endif
