/*
 * index-heap.h - the binary min-heap of small indexes that the k-way merges
 * share: the spool's reader over its sorted runs (report-spool.c) and the join of a
 * capture's parts by time (capture-join.c). The heap holds indexes into the
 * caller's own array; the caller's before() orders them, ties included, so
 * that a merge is stable. Inline, so that before() is a direct call.
 */
#ifndef TCPSCOPE_INDEX_HEAP_H
#define TCPSCOPE_INDEX_HEAP_H

#include <stdbool.h>
#include <stddef.h>

/* Whether index a comes before index b in ctx's order. */
typedef bool (*index_heap_before_fn)(const void *ctx, size_t a, size_t b);

/* Moves heap[at] down until neither child of it comes first (heap of n). */
static inline void index_heap_sift_down(size_t *heap, size_t n, size_t at, index_heap_before_fn before, const void *ctx)
{
	for (;;) {
		size_t l = 2 * at + 1, r = l + 1, first = at;
		if (l < n && before(ctx, heap[l], heap[first]))
			first = l;
		if (r < n && before(ctx, heap[r], heap[first]))
			first = r;
		if (first == at)
			return;
		size_t t = heap[at];
		heap[at] = heap[first];
		heap[first] = t;
		at = first;
	}
}

/* Orders heap[0..n) as a heap. */
static inline void index_heap_make(size_t *heap, size_t n, index_heap_before_fn before, const void *ctx)
{
	for (size_t i = n / 2; i-- > 0;)
		index_heap_sift_down(heap, n, i, before, ctx);
}

#endif
