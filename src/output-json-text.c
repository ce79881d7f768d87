/*
 * output-json-text.c - flow items formatted into memory (output-json-text.h),
 * and the JSON report document written by the calling thread alone
 * (output_json_report): the head and the findings from output-json.c, the
 * flows formatted straight into text blocks as they are read. It sits above
 * output-json.c, whose flow objects it formats.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mem-alloc.h"
#include "mem-blocks.h"
#include "output-json-text.h"
#include "output.h"

#define CHUNK (64u << 10) /* what goes out at once: text still in the cache */
#define ITEM_MAX (sizeof ",\n    " - 1 + OUTPUT_JSON_FLOW_MAX)

/* Text formatted in memory, in blocks of mem-blocks.h, each starting with how much of it is used. */
struct output_json_text_block {
	size_t used;
	char data[BLOCK_BYTES - sizeof(size_t)];
};

_Static_assert(sizeof(struct output_json_text_block) == BLOCK_BYTES, "a text block is one block");

void output_json_text_write_out(struct output_json_text *t, FILE *out)
{
	for (size_t i = 0; i < t->nblocks && i <= t->current; i++) {
		if (t->blocks[i]->used)
			fwrite(t->blocks[i]->data, 1, t->blocks[i]->used, out);
		t->blocks[i]->used = 0;
	}
	t->current = 0;
}

/* Where the next item goes: a block with room for the longest. */
static struct output_json_text_block *text_room(struct output_json_text *t)
{
	if (t->nblocks && sizeof t->blocks[t->current]->data - t->blocks[t->current]->used < ITEM_MAX)
		t->current++;
	if (t->current == t->nblocks) {
		t->blocks = xgrow(t->blocks, &t->cap, t->nblocks + 1, sizeof *t->blocks);
		t->blocks[t->nblocks] = block_get(NULL);
		t->blocks[t->nblocks++]->used = 0;
	}
	return t->blocks[t->current];
}

void output_json_text_free(struct output_json_text *t)
{
	for (size_t i = 0; i < t->nblocks; i++)
		block_put(t->blocks[i]);
	free(t->blocks);
}

void output_json_text_add_flow(struct output_json_text *t, FILE *out, const struct flow_summary *s, bool first,
			       bool nanosecond)
{
	static const char separator[] = ",\n    ";
	size_t skip = first; /* the first item has no comma */
	size_t separator_len = sizeof separator - 1 - skip;
	struct output_json_text_block *b = text_room(t);
	char *p = b->data + b->used;
	memcpy(p, separator + skip, separator_len);
	b->used = (size_t)(output_json_flow_text(p + separator_len, s, nanosecond) - b->data);
	if (out && b->used >= CHUNK)
		output_json_text_write_out(t, out);
}

void output_json_report(FILE *out, const struct report *r)
{
	output_json_report_head(out, r, NULL);
	struct report_reader rd;
	const struct flow_summary *s;
	struct output_json_text t = {0};
	report_read_flows(r, &rd);
	for (size_t i = 0; (s = report_next_flow(&rd)); i++)
		output_json_text_add_flow(&t, out, s, i == 0, r->nanosecond);
	report_reader_close(&rd);
	output_json_text_write_out(&t, out);
	output_json_text_free(&t);
	output_json_report_tail(out, r);
}
