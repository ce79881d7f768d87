/*
 * mem-blocks.h - memory in blocks of 2 MiB, aligned to their size, that a
 * thread gives back and takes again without going through the system.
 *
 * The flow slabs (mem-slab.h) and the spool (report-spool.h) both take their
 * memory in these blocks, and that is the point: at the end of input, the
 * flows still open are summed up in id order, the slabs of the flows
 * already summed up empty one after another, and the spool stores the
 * summaries in those same pages, already faulted in, instead of new ones
 * the kernel must first clear. (On a 37 000-flow report, first touches of
 * the summaries' store cost each thread about 3 ms.)
 *
 * Each thread has a cache of a few empty blocks of its own, taken and given
 * back without a lock; beyond it, blocks go to a cache shared by all
 * threads, and beyond that back to the system, so that at most
 * BLOCK_CACHE_SHARED + BLOCK_CACHE_PER_THREAD per thread blocks stay mapped
 * unused. A block may be given back on another thread than the one that
 * took it. A thread that ends hands its cache over to the shared one: the
 * blocks a split report's threads emptied serve the writing of the report.
 */
#ifndef TCPSCOPE_MEM_BLOCKS_H
#define TCPSCOPE_MEM_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>

#define BLOCK_BYTES ((size_t)2 << 20) /* the x86-64 and arm64 huge page */
#define BLOCK_CACHE_PER_THREAD 4      /* enough to carry the end of input from the slabs to the spool */
#define BLOCK_CACHE_SHARED 8	      /* enough for the buffers of writing a report out */

/*
 * A block of BLOCK_BYTES aligned to BLOCK_BYTES (it aborts when memory runs
 * out). *fresh, unless fresh is NULL, is set when the block is new from the
 * system, and so reads as zeros, not yet faulted in; a recycled block holds
 * what it last held.
 */
void *block_get(bool *fresh);
/* Gives a block from block_get() back. */
void block_put(void *block);
/*
 * Gives the calling thread's cached blocks and the shared ones back to the
 * system. engine_free() calls it when its configuration says the program
 * builds nothing more from them (engine_config.give_back_memory: the UI,
 * once a file is loaded, would otherwise keep up to 24 MB it does not use).
 */
void block_cache_trim(void);

#endif
