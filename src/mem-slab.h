/*
 * mem-slab.h - where flows live in memory. Flows are carved from slabs of
 * 2 MiB, aligned to and advised as huge pages where the kernel offers them:
 * one page fault per slab instead of one per 4 KiB of flows (first touches
 * were a tenth of a large report's time when each flow was its own calloc).
 * An ended flow's slot is reused by the next new flow, and a slab whose
 * flows have all ended goes back to the thread's block cache
 * (mem-blocks.h), where the next slab or the spool takes it again, so
 * memory follows the flows alive, not the flows seen.
 * The flow table is the only user (flow-table.h hands flows out).
 */
#ifndef TCPSCOPE_MEM_SLAB_H
#define TCPSCOPE_MEM_SLAB_H

#include "flow.h"

struct flow_slabs {
	struct slab *with_room; /* slabs with a free slot, most recently freed into first */
};

/* A zeroed flow. */
struct flow *flow_slabs_get(struct flow_slabs *fs);
/* Gives a flow's slot back (the flow's own buffers are the caller's to free). */
void flow_slabs_put(struct flow_slabs *fs, struct flow *f);

#endif
