/*
 * report-balance.h - which parts of the flows (flow-set.h: FLOW_SET_PARTS of
 * them, by shard hash) each thread of a split report takes.
 *
 * Every thread reads the whole file and analyses the packets of its parts
 * only, so the thread with the most packets finishes last. Parts of equal
 * flow counts can differ a lot in packets: one long transfer is a whole
 * part's worth, and on the benchmark trace equal runs of parts left one of
 * two threads with 12 % more packets than the other. So each part is
 * weighed by the packets of it in a sample of the file, and the parts are
 * dealt out heaviest first, each to the thread with the least weight so
 * far. The split changes how long a report takes, never what it says.
 */
#ifndef TCPSCOPE_REPORT_BALANCE_H
#define TCPSCOPE_REPORT_BALANCE_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/*
 * Deals the parts of cfg's shard to n threads, weighing them by a sample of
 * the file at path (capture_sample_file; input it cannot sample gets every
 * part weighed alike): parts_of[i] is thread i's flow_set.parts.
 */
void report_deal_parts(const char *path, const struct engine_config *cfg, size_t n, uint64_t parts_of[]);

/*
 * The dealing itself: parts by weight, heaviest first (the lower part on a
 * tie), each to the thread with the least total weight (the first on a
 * tie). Every part goes to exactly one thread, and no thread's total exceeds
 * another's by more than the weight of one part.
 */
void report_deal_weights(const uint64_t weight[FLOW_SET_PARTS], size_t n, uint64_t parts_of[]);

#endif
