/*
 * mem-slab.c - the flow slabs of mem-slab.h. A slab's header sits at the
 * start of its SLAB_BYTES-aligned block, so the slab of a flow is its
 * address rounded down. Each slab keeps its own list of free slots (linked
 * through their activity link, newer) and its count of flows in use; slabs with
 * a free slot are on a doubly linked list, full ones on none. Under
 * AddressSanitizer free slots are poisoned, so a use after free is still
 * caught although a slot is reused without going back to the system.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "mem-blocks.h"
#include "mem-poison.h"
#include "mem-slab.h"

#define SLAB_BYTES BLOCK_BYTES

struct slab {
	struct slab *prev, *next; /* on the with_room list */
	struct flow *unused;	  /* slots given back, linked by newer */
	size_t live;		  /* flows handed out and not given back */
	size_t carved;		  /* slots ever handed out (the rest were never touched) */
	bool zeroed;		  /* the slots never handed out read as zeros */
};

#define FIRST_FLOW_OFFSET ((sizeof(struct slab) + 63) & ~(size_t)63)
#define FLOWS_PER_SLAB ((SLAB_BYTES - FIRST_FLOW_OFFSET) / sizeof(struct flow))

static struct flow *slab_flows(struct slab *s)
{
	return (struct flow *)((char *)s + FIRST_FLOW_OFFSET);
}

static struct slab *slab_of(const struct flow *f)
{
	return (struct slab *)((uintptr_t)f & ~(uintptr_t)(SLAB_BYTES - 1));
}

/* A slab in an empty block: a fresh one reads as zeros, so its slots are not cleared before first use. */
static struct slab *slab_new(void)
{
	bool fresh;
	struct slab *s = block_get(&fresh);
#ifdef MADV_HUGEPAGE
	if (fresh)
		madvise(s, SLAB_BYTES, MADV_HUGEPAGE);
#endif
	*s = (struct slab){.zeroed = fresh};
	return s;
}

static void list_push(struct flow_slabs *fs, struct slab *s)
{
	s->prev = NULL;
	s->next = fs->with_room;
	if (s->next)
		s->next->prev = s;
	fs->with_room = s;
}

static void list_remove(struct flow_slabs *fs, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		fs->with_room = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

struct flow *flow_slabs_get(struct flow_slabs *fs)
{
	struct slab *s = fs->with_room;
	if (!s) {
		s = slab_new();
		list_push(fs, s);
	}
	struct flow *f = s->unused;
	if (f) {
		ASAN_UNPOISON_MEMORY_REGION(f, sizeof *f);
		s->unused = f->newer;
		memset(f, 0, sizeof *f);
	} else {
		f = &slab_flows(s)[s->carved++];
		if (!s->zeroed)
			memset(f, 0, sizeof *f);
	}
	if (++s->live == FLOWS_PER_SLAB)
		list_remove(fs, s);
	return f;
}

void flow_slabs_put(struct flow_slabs *fs, struct flow *f)
{
	struct slab *s = slab_of(f);
	if (s->live-- == FLOWS_PER_SLAB)
		list_push(fs, s);
	f->newer = s->unused;
	s->unused = f;
	ASAN_POISON_MEMORY_REGION(f, sizeof *f);
	if (s->live > 0)
		return;
	list_remove(fs, s);
	block_put(s);
}
