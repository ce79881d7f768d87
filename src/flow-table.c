/*
 * flow-table.c - the flows by key, in an open-addressing hash table (linear
 * probing, at most half full, each slot holding the key's hash beside the
 * flow pointer: a lookup reads consecutive slots and only the flow whose
 * hash matches, and growing reads no flow at all), plus an intrusive
 * activity list. No allocation happens per packet, only on growth.
 *
 * The table also hands out the flows, from the slabs of mem-slab.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "flow-table.h"
#include "mem-alloc.h"
#include "mem-slab.h"

/* A flow and the hash of its key: probing compares hashes and reads only the flow that matches. */
struct slot {
	uint64_t hash;
	struct flow *flow; /* NULL: empty */
};

struct flow_table {
	struct slot *slots;
	size_t nslots; /* a power of two, at least twice count */
	size_t count;
	uint64_t seed;
	struct flow *oldest, *newest;
	struct flow_slabs slabs;
};

struct flow *flow_table_new_flow(struct flow_table *t)
{
	return flow_slabs_get(&t->slabs);
}

void flow_table_release_flow(struct flow_table *t, struct flow *f)
{
	flow_slabs_put(&t->slabs, f);
}

/*
 * Empty slots, written rather than calloc'ed: calloc's fresh pages map the
 * shared zero page when first read (a probe), and the first insert then
 * copies it, a second fault that also flushes the other threads' TLBs.
 */
static struct slot *new_slots(size_t n)
{
	struct slot *s = xmalloc(n * sizeof *s);
	memset(s, 0, n * sizeof *s);
	return s;
}

struct flow_table *flow_table_new(uint64_t seed)
{
	struct flow_table *t = xcalloc(1, sizeof *t);
	t->nslots = 1024;
	t->slots = new_slots(t->nslots);
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
		flow_table_release_flow(t, f);
		f = next;
	}
	free(t->slots);
	free(t);
}

/* The first slot to look at for a hash; later ones follow it (linear probing). */
static size_t home_of(const struct flow_table *t, uint64_t hash)
{
	return (size_t)hash & (t->nslots - 1);
}

struct flow *flow_table_find(const struct flow_table *t, const struct flow_key *key)
{
	uint64_t hash = flow_key_hash(key, t->seed);
	for (size_t i = home_of(t, hash);; i = (i + 1) & (t->nslots - 1)) {
		const struct slot *s = &t->slots[i];
		if (!s->flow)
			return NULL;
		if (s->hash == hash && flow_key_equal(&s->flow->key, key))
			return s->flow;
	}
}

static void insert(struct flow_table *t, uint64_t hash, struct flow *f)
{
	size_t i = home_of(t, hash);
	while (t->slots[i].flow)
		i = (i + 1) & (t->nslots - 1);
	t->slots[i] = (struct slot){hash, f};
}

/* Doubles the slots; the stored hashes mean no flow is read. */
static void grow(struct flow_table *t)
{
	struct slot *old = t->slots;
	size_t old_n = t->nslots;
	t->nslots *= 2;
	t->slots = new_slots(t->nslots);
	for (size_t i = 0; i < old_n; i++)
		if (old[i].flow)
			insert(t, old[i].hash, old[i].flow);
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
	if (2 * (t->count + 1) > t->nslots)
		grow(t);
	insert(t, flow_key_hash(&f->key, t->seed), f);
	list_append(t, f);
	t->count++;
}

/*
 * Empties slot i without breaking any probe sequence: each later flow of
 * the run that could sit at i (its home is not cyclically in (i, j]) moves
 * back into it, and the slot it leaves is emptied the same way.
 */
static void delete_slot(struct flow_table *t, size_t i)
{
	size_t mask = t->nslots - 1;
	for (size_t j = (i + 1) & mask; t->slots[j].flow; j = (j + 1) & mask) {
		size_t home = home_of(t, t->slots[j].hash);
		bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
		if (!stays) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].flow = NULL;
}

void flow_table_remove(struct flow_table *t, struct flow *f)
{
	size_t i = home_of(t, flow_key_hash(&f->key, t->seed));
	while (t->slots[i].flow != f)
		i = (i + 1) & (t->nslots - 1);
	delete_slot(t, i);
	list_unlink(t, f);
	t->count--;
}

size_t flow_table_unlink_all(struct flow_table *t, struct flow **out)
{
	/* The slots, not the activity list: consecutive loads instead of a chain of cache misses. */
	size_t n = 0;
	for (size_t i = 0; i < t->nslots; i++)
		if (t->slots[i].flow)
			out[n++] = t->slots[i].flow;
	memset(t->slots, 0, t->nslots * sizeof *t->slots);
	t->oldest = t->newest = NULL;
	t->count = 0;
	return n;
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
