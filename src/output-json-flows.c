/*
 * output-json-flows.c - the JSON report document (output_json_report): its
 * "flows" array written by as many threads as made the report
 * (report-parallel.c), between the head and the findings that output-json.c
 * writes. It sits above output-json.c, whose flow objects it formats.
 *
 * Formatting is most of the cost of writing a report (some 3 000
 * instructions a flow), and in a report split over threads it comes after
 * they have all finished, so in one thread it would be the one part of the
 * run not shared. Here the calling thread reads the flows in order in
 * rounds of BATCH per thread; every other thread formats one batch into
 * memory while the calling thread writes the first out as it goes and then
 * reads the next round (into a second set of batches), then the others'
 * texts follow in order: the same bytes as one thread writes, memory
 * bounded by the rounds, not by the report. Flows are formatted straight
 * into these texts (output_json_flow_text), with no stdio call per flow.
 * The texts and the batches' flows are kept in blocks of block-cache.h:
 * after a split report, those are blocks that the threads' flows left
 * behind, already faulted in, not new memory (some 4 MB of it).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block-cache.h"
#include "output.h"
#include "xalloc.h"

#define BATCH 2048	  /* flows a thread formats per round: few rounds, few wake-ups */
#define CHUNK (64u << 10) /* what the calling thread writes out at once: text still in the cache */
#define ITEM_MAX (sizeof ",\n    " - 1 + OUTPUT_JSON_FLOW_MAX)

_Static_assert(BATCH * sizeof(struct flow_summary) <= BLOCK_BYTES, "a batch's flows fit in one block");

/* Text formatted in memory, in blocks of block-cache.h, each starting with how much of it is used. */
struct text_block {
	size_t used;
	char data[BLOCK_BYTES - sizeof(size_t)];
};

_Static_assert(sizeof(struct text_block) == BLOCK_BYTES, "a text block is one block");

/* The blocks are kept round after round: blocks[0 .. current] hold the text. */
struct text {
	struct text_block **blocks;
	size_t nblocks, cap, current;
};

static void text_write_out(struct text *t, FILE *out)
{
	for (size_t i = 0; i < t->nblocks && i <= t->current; i++) {
		if (t->blocks[i]->used)
			fwrite(t->blocks[i]->data, 1, t->blocks[i]->used, out);
		t->blocks[i]->used = 0;
	}
	t->current = 0;
}

/* Where the next item goes: a block with room for the longest. */
static struct text_block *text_room(struct text *t)
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

static void text_free(struct text *t)
{
	for (size_t i = 0; i < t->nblocks; i++)
		block_put(t->blocks[i]);
	free(t->blocks);
}

/*
 * Adds one item of the array to t: its separator (none before the first),
 * then the flow. With out (the calling thread's), t goes out whenever it
 * holds CHUNK bytes; without, it keeps the batch for the calling thread.
 */
static void text_add_item(struct text *t, FILE *out, const struct flow_summary *s, bool first, bool nanosecond)
{
	static const char separator[] = ",\n    ";
	size_t skip = first; /* the first item has no comma */
	size_t separator_len = sizeof separator - 1 - skip;
	struct text_block *b = text_room(t);
	char *p = b->data + b->used;
	memcpy(p, separator + skip, separator_len);
	b->used = (size_t)(output_json_flow_text(p + separator_len, s, nanosecond) - b->data);
	if (out && b->used >= CHUNK)
		text_write_out(t, out);
}

struct batch {
	struct flow_summary *flows; /* BATCH of them, in a block of block-cache.h */
	size_t n;
	bool first; /* holds the report's first flow: no separator before it */
	struct text text;
};

struct writer {
	/*
	 * Two sets of batches, one per thread in each (batch 0 is the calling
	 * thread's): while the formatters format one set, the calling thread
	 * reads the next round's flows into the other.
	 */
	struct batch *batches[2];
	size_t set;	 /* the set of the round begun last */
	size_t nthreads; /* the calling thread and the formatters that started */
	bool nanosecond;
	pthread_mutex_t lock;
	pthread_cond_t wake, finished;
	uint64_t round; /* rounds begun */
	size_t pending; /* formatters still at work in this round */
	bool done;	/* no more rounds: the formatters leave */
};

/* Formats a batch into its text; with out, as text_add_item() says. */
static void format_batch(struct batch *b, FILE *out, bool nanosecond)
{
	for (size_t i = 0; i < b->n; i++)
		text_add_item(&b->text, out, &b->flows[i], b->first && i == 0, nanosecond);
}

struct formatter {
	struct writer *w;
	size_t index;
};

static void *formatter_run(void *arg)
{
	const struct formatter *f = arg;
	struct writer *w = f->w;
	uint64_t seen = 0;
	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (w->round == seen && !w->done)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->round == seen) { /* done */
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		seen = w->round;
		struct batch *b = &w->batches[w->set][f->index];
		pthread_mutex_unlock(&w->lock);
		format_batch(b, NULL, w->nanosecond);
		pthread_mutex_lock(&w->lock);
		if (--w->pending == 0)
			pthread_cond_signal(&w->finished);
		pthread_mutex_unlock(&w->lock);
	}
}

/* Fills a set of batches from the reader; returns how many flows were read. */
static size_t read_round(struct writer *w, size_t set, struct report_reader *rd, size_t written)
{
	size_t total = 0;
	for (size_t t = 0; t < w->nthreads; t++) {
		struct batch *b = &w->batches[set][t];
		b->first = written + total == 0;
		b->n = 0;
		while (b->n < BATCH && report_copy_next_flow(rd, &b->flows[b->n]))
			b->n++;
		total += b->n;
	}
	return total;
}

/*
 * One round over a set read before: the formatters format batches 1.. in
 * memory while the calling thread writes batch 0 to the report as it goes
 * (as one thread would, the text never leaving the cache) and then reads
 * the next round into the other set; then the formatters' texts follow
 * batch 0 in order. Returns how many flows the next round has.
 */
static size_t write_round(struct writer *w, size_t set, FILE *out, struct report_reader *rd, size_t written)
{
	pthread_mutex_lock(&w->lock);
	w->round++;
	w->set = set;
	w->pending = w->nthreads - 1;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	format_batch(&w->batches[set][0], out, w->nanosecond);
	text_write_out(&w->batches[set][0].text, out);
	size_t next = read_round(w, !set, rd, written);
	pthread_mutex_lock(&w->lock);
	while (w->pending)
		pthread_cond_wait(&w->finished, &w->lock);
	pthread_mutex_unlock(&w->lock);
	for (size_t t = 1; t < w->nthreads; t++)
		text_write_out(&w->batches[set][t].text, out);
	return next;
}

/* In one thread: each flow as it is read. */
static void write_flows_in_order(FILE *out, struct report_reader *rd, bool nanosecond)
{
	const struct flow_summary *s;
	struct text t = {0};
	for (size_t i = 0; (s = report_next_flow(rd)); i++)
		text_add_item(&t, out, s, i == 0, nanosecond);
	text_write_out(&t, out);
	text_free(&t);
}

/* The items of the report's "flows" array, in as many threads as made the report. */
static void output_json_flows(FILE *out, const struct report *r, bool nanosecond)
{
	struct report_reader rd;
	report_read_flows(r, &rd);
	size_t n = r->threads;
	if (n < 2 || r->nflows <= BATCH) {
		write_flows_in_order(out, &rd, nanosecond);
		report_reader_close(&rd);
		return;
	}
	struct writer w = {.nthreads = 1, .nanosecond = nanosecond};
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.wake, NULL);
	pthread_cond_init(&w.finished, NULL);
	for (size_t k = 0; k < 2; k++) {
		w.batches[k] = xcalloc(n, sizeof(struct batch));
		for (size_t i = 0; i < n; i++)
			w.batches[k][i].flows = block_get(NULL);
	}
	struct formatter *formatters = xcalloc(n, sizeof *formatters);
	pthread_t *threads = xcalloc(n, sizeof *threads);
	/* A thread that will not start just leaves more to the others. */
	for (size_t i = 1; i < n; i++) {
		formatters[w.nthreads] = (struct formatter){&w, w.nthreads};
		if (pthread_create(&threads[w.nthreads], NULL, formatter_run, &formatters[w.nthreads]) == 0)
			w.nthreads++;
	}
	size_t written = 0, set = 0;
	for (size_t got = read_round(&w, set, &rd, written); got > 0; set = !set) {
		written += got;
		got = write_round(&w, set, out, &rd, written);
	}
	pthread_mutex_lock(&w.lock);
	w.done = true;
	pthread_cond_broadcast(&w.wake);
	pthread_mutex_unlock(&w.lock);
	for (size_t i = 1; i < w.nthreads; i++)
		pthread_join(threads[i], NULL);
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < n; i++) {
			text_free(&w.batches[k][i].text);
			block_put(w.batches[k][i].flows);
		}
		free(w.batches[k]);
	}
	pthread_mutex_destroy(&w.lock);
	pthread_cond_destroy(&w.wake);
	pthread_cond_destroy(&w.finished);
	free(threads);
	free(formatters);
	report_reader_close(&rd);
}

/* The report document: its head and findings from output-json.c, its flows from here. */
void output_json_report(FILE *out, const struct report *r)
{
	output_json_report_head(out, r, NULL);
	output_json_flows(out, r, r->nanosecond);
	output_json_report_findings(out, r->nflows != 0);
	struct report_reader rd;
	const struct finding *f;
	report_read_findings(r, &rd);
	for (size_t i = 0; (f = report_next_finding(&rd)); i++) {
		output_json_report_item(out, i == 0);
		output_json_finding(out, f, r->nanosecond);
	}
	report_reader_close(&rd);
	output_json_report_end(out, r->nfindings != 0);
}
