/*
 * output-merge.h - tcpscope merge (SPEC §12): the JSON reports of
 * `report --format json --shard I/N`, one for each I of N, made into the
 * document one engine writes for the whole input, byte for byte.
 *
 * A shard's document is the report of the flows of its shard, numbered from
 * 1 in the order of their first frames, with a "shard" object that says
 * which shard it is, of what input and with which settings it was made
 * (report.h, struct report_shard). Merging checks that the documents are the
 * N shards of one input, made alike by one version, then does what a split
 * report does in memory (report-parallel.c): flows in the order of their
 * first frames, numbered anew; findings in report order, their flows
 * renumbered; the counts that each shard made of its own flows added up.
 * Flows and findings are copied from the shards as they were written, with
 * only their ids changed.
 */
#ifndef TCPSCOPE_OUTPUT_MERGE_H
#define TCPSCOPE_OUTPUT_MERGE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes to out the document merged from the n shard documents at paths.
 * Every document is read and checked before anything is written: on a
 * refusal (a file that is not a shard's report, shards of different inputs,
 * versions, settings or N, a shard given twice or missing) returns -1 with
 * a one-line reason in err, and out is untouched. The shards' text is held
 * in memory while merging.
 */
int output_merge(FILE *out, const char *const *paths, size_t n, char *err, size_t errlen);

#endif
