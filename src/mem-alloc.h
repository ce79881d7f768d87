/*
 * mem-alloc.h - allocation that cannot fail: out of memory aborts with a message,
 * so callers never test for NULL (as tmux's xmalloc does).
 */
#ifndef TCPSCOPE_MEM_ALLOC_H
#define TCPSCOPE_MEM_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* Grows an array of n_items to at least want items (doubling); returns it. */
void *xgrow(void *p, size_t *n_items, size_t want, size_t item_size);
char *xstrdup(const char *s);

#endif
