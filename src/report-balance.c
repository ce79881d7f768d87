/*
 * report-balance.c - the split of report-balance.h: sample the file, weigh
 * the parts, deal them out (longest processing time first, which is within
 * 4/3 of the best possible split and, with 64 parts, usually within a few
 * per cent of even).
 */
#include "config.h"

#include <stdlib.h>

#include "capture.h"
#include "flow-hint.h"
#include "mem-alloc.h"
#include "report-balance.h"

/* Stretches of the file sampled, and records taken from each: a few thousand records, half a MiB read. */
enum { SAMPLE_WINDOWS = 128, SAMPLE_RECORDS_PER_WINDOW = 32 };

struct weighing {
	const struct engine_config *cfg;
	uint64_t weight[FLOW_SET_PARTS];
};

static void weigh_record(void *ctx, int linktype, const uint8_t *data, uint32_t caplen)
{
	struct weighing *w = ctx;
	uint64_t hash;
	if (!flow_hint_shard_hash(linktype, data, caplen, &hash))
		return;
	int part = flow_set_part_of(&w->cfg->flows, hash);
	if (part >= 0)
		w->weight[part]++;
}

struct weighed_part {
	uint64_t weight;
	int part;
};

static int heaviest_first(const void *a, const void *b)
{
	const struct weighed_part *x = a, *y = b;
	if (x->weight != y->weight)
		return x->weight < y->weight ? 1 : -1;
	return x->part - y->part;
}

void report_deal_weights(const uint64_t weight[FLOW_SET_PARTS], size_t n, uint64_t parts_of[])
{
	struct weighed_part order[FLOW_SET_PARTS];
	for (int p = 0; p < FLOW_SET_PARTS; p++)
		order[p] = (struct weighed_part){weight[p], p};
	qsort(order, FLOW_SET_PARTS, sizeof order[0], heaviest_first);
	uint64_t *load = xcalloc(n, sizeof *load);
	for (size_t t = 0; t < n; t++)
		parts_of[t] = 0;
	for (int i = 0; i < FLOW_SET_PARTS; i++) {
		size_t least = 0;
		for (size_t t = 1; t < n; t++)
			if (load[t] < load[least])
				least = t;
		load[least] += order[i].weight;
		parts_of[least] |= (uint64_t)1 << order[i].part;
	}
	free(load);
}

void report_deal_parts(const char *path, const struct engine_config *cfg, size_t n, uint64_t parts_of[])
{
	struct weighing w = {.cfg = cfg};
	/* One for every part: parts never sampled are still dealt out evenly. */
	for (int p = 0; p < FLOW_SET_PARTS; p++)
		w.weight[p] = 1;
	capture_sample_file(path, SAMPLE_WINDOWS, SAMPLE_RECORDS_PER_WINDOW, weigh_record, &w);
	report_deal_weights(w.weight, n, parts_of);
}
