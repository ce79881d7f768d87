/*
 * block-cache.c - the per-thread cache of 2 MiB blocks of block-cache.h.
 *
 * A block new from the system is mapped at twice its size, and what lies
 * outside the aligned middle is unmapped again. A thread's cache is a
 * thread-local stack of empty blocks; a destructor registered with the
 * first block a thread caches unmaps what is left when the thread ends.
 * Under AddressSanitizer a cached block is poisoned, so a use after it was
 * given back is caught although the memory stays mapped.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "block-cache.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

/* Empty blocks one thread keeps: enough to carry the end of input from the slabs to the spool. */
#define CACHE_BLOCKS 4

struct block_stack {
	void *blocks[CACHE_BLOCKS];
	size_t count;
};

static _Thread_local struct block_stack cache;
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

static void unmap_block(void *block)
{
	ASAN_UNPOISON_MEMORY_REGION(block, BLOCK_BYTES);
	munmap(block, BLOCK_BYTES);
}

/* Runs when a thread that cached a block ends. */
static void empty_cache(void *stack)
{
	struct block_stack *s = stack;
	while (s->count)
		unmap_block(s->blocks[--s->count]);
}

static void create_cache_key(void)
{
	if (pthread_key_create(&cache_key, empty_cache) != 0)
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

void *block_get(bool *fresh)
{
	*fresh = cache.count == 0;
	if (*fresh)
		return map_block();
	void *block = cache.blocks[--cache.count];
	ASAN_UNPOISON_MEMORY_REGION(block, BLOCK_BYTES);
	return block;
}

void block_put(void *block)
{
	if (cache.count == CACHE_BLOCKS) {
		unmap_block(block);
		return;
	}
	if (cache.count == 0) {
		pthread_once(&cache_key_once, create_cache_key);
		pthread_setspecific(cache_key, &cache);
	}
	ASAN_POISON_MEMORY_REGION(block, BLOCK_BYTES);
	cache.blocks[cache.count++] = block;
}
