/*
 * mem-blocks.c - the caches of 2 MiB blocks of mem-blocks.h.
 *
 * A block new from the system is mapped at twice its size, and what lies
 * outside the aligned middle is unmapped again. Each thread keeps a stack
 * of empty blocks of its own, taken and given back without a lock; past
 * that, blocks go to a stack shared by all threads, under a mutex (a lock
 * per 2 MiB costs nothing), and past that back to the system. A thread that
 * ends hands its own stack over to the shared one (a destructor registered
 * with the first block it caches), so the blocks a split report's threads
 * emptied serve the threads that write the report out. Under
 * AddressSanitizer a cached block is poisoned, so a use after it was given
 * back is caught although the memory stays mapped.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "mem-blocks.h"
#include "mem-poison.h"

struct thread_stack {
	void *blocks[BLOCK_CACHE_PER_THREAD];
	size_t count;
};

static _Thread_local struct thread_stack own;
static pthread_key_t own_key;
static pthread_once_t own_key_once = PTHREAD_ONCE_INIT;

static struct {
	pthread_mutex_t lock;
	void *blocks[BLOCK_CACHE_SHARED];
	size_t count;
} shared = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void unmap_block(void *block)
{
	ASAN_UNPOISON_MEMORY_REGION(block, BLOCK_BYTES);
	munmap(block, BLOCK_BYTES);
}

/* Gives a block to the shared stack, or to the system when that is full. */
static void put_shared(void *block)
{
	pthread_mutex_lock(&shared.lock);
	bool kept = shared.count < BLOCK_CACHE_SHARED;
	if (kept)
		shared.blocks[shared.count++] = block;
	pthread_mutex_unlock(&shared.lock);
	if (!kept)
		unmap_block(block);
}

static void *take_shared(void)
{
	pthread_mutex_lock(&shared.lock);
	void *block = shared.count ? shared.blocks[--shared.count] : NULL;
	pthread_mutex_unlock(&shared.lock);
	return block;
}

/* Runs when a thread that cached a block ends. */
static void hand_over(void *stack)
{
	struct thread_stack *s = stack;
	while (s->count)
		put_shared(s->blocks[--s->count]);
}

static void create_own_key(void)
{
	if (pthread_key_create(&own_key, hand_over) != 0)
		abort();
}

static void *map_block(void)
{
	char *p = mmap(NULL, 2 * BLOCK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "tcpscope: out of memory (mapping %zu bytes)\n", BLOCK_BYTES);
		abort();
	}
	char *aligned = (char *)(((uintptr_t)p + BLOCK_BYTES - 1) & ~(uintptr_t)(BLOCK_BYTES - 1));
	if (aligned > p)
		munmap(p, (size_t)(aligned - p));
	munmap(aligned + BLOCK_BYTES, (size_t)(p + BLOCK_BYTES - aligned));
	return aligned;
}

void block_cache_trim(void)
{
	while (own.count)
		unmap_block(own.blocks[--own.count]);
	void *block;
	while ((block = take_shared()))
		unmap_block(block);
}

void *block_get(bool *fresh)
{
	void *block = own.count ? own.blocks[--own.count] : take_shared();
	if (fresh)
		*fresh = block == NULL;
	if (!block)
		return map_block();
	ASAN_UNPOISON_MEMORY_REGION(block, BLOCK_BYTES);
	return block;
}

void block_put(void *block)
{
	ASAN_POISON_MEMORY_REGION(block, BLOCK_BYTES);
	if (own.count == BLOCK_CACHE_PER_THREAD) {
		put_shared(block);
		return;
	}
	if (own.count == 0) {
		pthread_once(&own_key_once, create_own_key);
		pthread_setspecific(own_key, &own);
	}
	own.blocks[own.count++] = block;
}
