/*
 * flow-set.c - which flows an engine analyses (flow-set.h): a flow's shard
 * is its hash % shard_count, its part the rest of the hash % FLOW_SET_PARTS.
 * A record is placed by flow-hint.h, a few loads instead of a decode, so
 * that an engine passes over the records of other sets' flows cheaply.
 */
#include "config.h"

#include "flow-hint.h"
#include "flow-set.h"

struct flow_set flow_set_all(void)
{
	return (struct flow_set){.parts = FLOW_SET_ALL_PARTS};
}

bool flow_set_is_partial(const struct flow_set *s)
{
	return s->shard_count > 1 || s->parts != FLOW_SET_ALL_PARTS;
}

int flow_set_part_of(const struct flow_set *s, uint64_t shard_hash)
{
	if (s->shard_count > 1) { /* once a frame: a division only with --shard */
		if (shard_hash % s->shard_count != s->shard_index)
			return -1;
		shard_hash /= s->shard_count;
	}
	return (int)(shard_hash % FLOW_SET_PARTS);
}

bool flow_set_has_hash(const struct flow_set *s, uint64_t shard_hash)
{
	int part = flow_set_part_of(s, shard_hash);
	return part >= 0 && (s->parts >> part & 1);
}

bool flow_set_has_capture_wide(const struct flow_set *s)
{
	return s->shard_index == 0 && (s->parts & 1);
}

enum flow_set_place flow_set_place_record(const struct flow_set *s, const struct capture_record *rec)
{
	uint64_t hash;
	if (!flow_hint_shard_hash(rec->linktype, rec->data, rec->caplen, &hash))
		return FLOW_SET_UNKNOWN;
	return flow_set_has_hash(s, hash) ? FLOW_SET_IN : FLOW_SET_OUT;
}
