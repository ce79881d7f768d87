/*
 * mem-alloc.c - the allocation wrappers of mem-alloc.h. Running out of memory is
 * not a condition tcpscope recovers from: it prints one line and aborts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem-alloc.h"

static void out_of_memory(size_t size)
{
	fprintf(stderr, "tcpscope: out of memory (allocating %zu bytes)\n", size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory(n * size);
	return p;
}

void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);
	if (!q)
		out_of_memory(size);
	return q;
}

void *xgrow(void *p, size_t *n_items, size_t want, size_t item_size)
{
	if (want <= *n_items)
		return p;
	size_t n = *n_items ? *n_items : 16;
	while (n < want)
		n *= 2;
	*n_items = n;
	return xrealloc(p, n * item_size);
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}
