/*
 * flow-table.h - the table of live flows: a hash from canonical key to the
 * current incarnation on that 4-tuple, plus an activity list (oldest first)
 * used for eviction. The table allocates flows and owns the flows it holds;
 * flow_table_remove() hands ownership back to the caller, who gives the
 * flow back with flow_table_release_flow() when done with it.
 */
#ifndef TCPSCOPE_FLOW_TABLE_H
#define TCPSCOPE_FLOW_TABLE_H

#include <stddef.h>

#include "flow.h"

struct flow_table;

struct flow_table *flow_table_new(uint64_t seed);
/* A zeroed flow, not yet in the table. */
struct flow *flow_table_new_flow(struct flow_table *t);
/*
 * Gives back a flow from flow_table_new_flow() (not in the table). What the
 * analyses hung on it is theirs to free first (the engine's release_flow).
 */
void flow_table_release_flow(struct flow_table *t, struct flow *f);
/* Frees the table and every flow still in it (whose analyses' buffers the caller has freed). */
void flow_table_free(struct flow_table *t);
struct flow *flow_table_find(const struct flow_table *t, const struct flow_key *key);
/* Adds a flow (its key set, not already present) as the newest. */
void flow_table_add(struct flow_table *t, struct flow *f);
/* Unlinks a flow; the caller owns it afterwards. */
void flow_table_remove(struct flow_table *t, struct flow *f);
/*
 * Unlinks every flow at once (cheaper than one by one) and writes them to
 * out, which has room for flow_table_count() of them, in no particular
 * order; returns how many. The caller owns them all.
 */
size_t flow_table_unlink_all(struct flow_table *t, struct flow **out);
/* Marks a flow as the most recently active. */
void flow_table_touch(struct flow_table *t, struct flow *f);
struct flow *flow_table_oldest(const struct flow_table *t);
size_t flow_table_count(const struct flow_table *t);

#endif
