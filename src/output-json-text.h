/*
 * output-json-text.h - the items of a JSON report's "flows" array formatted
 * into memory (output_json_flow_text), in blocks of mem-blocks.h, and
 * written out in chunks: no stdio call per flow. The one-thread back end
 * (output_json_report, output-json-text.c) and the threaded one
 * (output-json-threaded.c) both write their flows with it. A text owns its
 * blocks; it starts zeroed and output_json_text_free() gives them back.
 */
#ifndef TCPSCOPE_OUTPUT_JSON_TEXT_H
#define TCPSCOPE_OUTPUT_JSON_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "summary.h"

struct output_json_text_block;

/* The blocks are kept from one use to the next: blocks[0 .. current] hold the text. */
struct output_json_text {
	struct output_json_text_block **blocks;
	size_t nblocks, cap, current;
};

/*
 * Adds one item of the array to t: its separator (none before the first),
 * then the flow. With out, t goes out whenever it holds a chunk's worth;
 * without, it keeps the text for output_json_text_write_out().
 */
void output_json_text_add_flow(struct output_json_text *t, FILE *out, const struct flow_summary *s, bool first,
			       bool nanosecond);
/* Writes t's text to out and empties it, keeping its blocks. */
void output_json_text_write_out(struct output_json_text *t, FILE *out);
void output_json_text_free(struct output_json_text *t);

#endif
