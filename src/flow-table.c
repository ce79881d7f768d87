/*
 * flow-table.c - chained hash table of flows with an intrusive activity list.
 * Buckets double when the table is fuller than one flow per bucket, so a
 * lookup costs one hash and a short chain walk; no allocation happens per
 * packet, only per new flow and on growth.
 */
#include "config.h"

#include <stdlib.h>

#include "flow-table.h"
#include "xalloc.h"

struct flow_table {
	struct flow **buckets;
	size_t nbuckets; /* a power of two */
	size_t count;
	uint64_t seed;
	struct flow *oldest, *newest;
};

void flow_destroy(struct flow *f)
{
	free(f->ep[0].rtt_ring);
	free(f->ep[1].rtt_ring);
	free(f);
}

struct flow_table *flow_table_new(uint64_t seed)
{
	struct flow_table *t = xcalloc(1, sizeof *t);
	t->nbuckets = 1024;
	t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
	t->seed = seed;
	return t;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	struct flow *f = t->oldest;
	while (f) {
		struct flow *next = f->newer;
		flow_destroy(f);
		f = next;
	}
	free(t->buckets);
	free(t);
}

static struct flow **bucket_of(const struct flow_table *t, const struct flow_key *key)
{
	return &t->buckets[flow_key_hash(key, t->seed) & (t->nbuckets - 1)];
}

struct flow *flow_table_find(const struct flow_table *t, const struct flow_key *key)
{
	for (struct flow *f = *bucket_of(t, key); f; f = f->hash_next)
		if (flow_key_equal(&f->key, key))
			return f;
	return NULL;
}

static void grow(struct flow_table *t)
{
	struct flow **old = t->buckets;
	size_t old_n = t->nbuckets;
	t->nbuckets *= 4; /* rehashing reads every flow (cold in cache): do it less often */
	t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
	for (size_t i = 0; i < old_n; i++) {
		struct flow *f = old[i];
		while (f) {
			struct flow *next = f->hash_next;
			struct flow **b = bucket_of(t, &f->key);
			f->hash_next = *b;
			*b = f;
			f = next;
		}
	}
	free(old);
}

static void list_unlink(struct flow_table *t, struct flow *f)
{
	if (f->older)
		f->older->newer = f->newer;
	else
		t->oldest = f->newer;
	if (f->newer)
		f->newer->older = f->older;
	else
		t->newest = f->older;
	f->older = f->newer = NULL;
}

static void list_append(struct flow_table *t, struct flow *f)
{
	f->older = t->newest;
	f->newer = NULL;
	if (t->newest)
		t->newest->newer = f;
	else
		t->oldest = f;
	t->newest = f;
}

void flow_table_add(struct flow_table *t, struct flow *f)
{
	if (t->count >= t->nbuckets)
		grow(t);
	struct flow **b = bucket_of(t, &f->key);
	f->hash_next = *b;
	*b = f;
	list_append(t, f);
	t->count++;
}

void flow_table_remove(struct flow_table *t, struct flow *f)
{
	for (struct flow **p = bucket_of(t, &f->key); *p; p = &(*p)->hash_next)
		if (*p == f) {
			*p = f->hash_next;
			break;
		}
	f->hash_next = NULL;
	list_unlink(t, f);
	t->count--;
}

void flow_table_touch(struct flow_table *t, struct flow *f)
{
	if (t->newest == f)
		return;
	list_unlink(t, f);
	list_append(t, f);
}

struct flow *flow_table_oldest(const struct flow_table *t)
{
	return t->oldest;
}

size_t flow_table_count(const struct flow_table *t)
{
	return t->count;
}
