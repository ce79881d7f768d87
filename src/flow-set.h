/*
 * flow-set.h - which flows an engine analyses: the engine's one seam for
 * parallelism. Every engine reads every record of its input; a flow set
 * says which flows are its own, by their shard hash (flow-key.h), so that
 * engines over the same input, each with its own set, share its flows out
 * exactly once between them.
 *
 * Two things set it, and the engine knows neither: --shard I/N (ui/options.c,
 * SPEC §12) picks the flows with hash % N == I - 1, and the parallel runner
 * (report-parallel.c) divides a shard's flows into FLOW_SET_PARTS parts, by
 * (hash / N) % FLOW_SET_PARTS, and gives each of its threads a set of parts
 * (report-balance.h), a bit each in parts.
 *
 * Findings that belong to no flow are raised by one set alone, so that the
 * sets' findings add up to the whole: the one of shard index 0 and part 0
 * (flow_set_has_capture_wide).
 */
#ifndef TCPSCOPE_FLOW_SET_H
#define TCPSCOPE_FLOW_SET_H

#include <stdbool.h>
#include <stdint.h>

#include "capture.h"

#define FLOW_SET_PARTS 64
#define FLOW_SET_ALL_PARTS UINT64_MAX

struct flow_set {
	uint32_t shard_index, shard_count; /* flows with hash % count == index (count 0 or 1: every flow) */
	uint64_t parts;			   /* and of those only the parts whose bit is set (1u << part) */
};

/* Where a record's flow is, as far as its headers show without decoding it (flow_set_place_record). */
enum flow_set_place {
	FLOW_SET_UNKNOWN, /* only decoding tells: the frame may be any flow's, or unusable */
	FLOW_SET_IN,	  /* a flow of the set, or unusable and then the set's too */
	FLOW_SET_OUT,	  /* another set's flow, or unusable and then that set's */
};

/* The set of every flow (the default). */
struct flow_set flow_set_all(void);
/* Whether the set leaves some flows out (a shard, or parts of one). */
bool flow_set_is_partial(const struct flow_set *s);
/* The part of s's shard that a flow with this shard hash is in, or -1 if it is another shard's. */
int flow_set_part_of(const struct flow_set *s, uint64_t shard_hash);
/* Whether a flow with this shard hash is in s. */
bool flow_set_has_hash(const struct flow_set *s, uint64_t shard_hash);
/* Whether s raises the findings that belong to no flow. */
bool flow_set_has_capture_wide(const struct flow_set *s);
/* Whose a record's flow is, read off its headers where they are the common ones (flow-hint.h). */
enum flow_set_place flow_set_place_record(const struct flow_set *s, const struct capture_record *rec);

#endif
