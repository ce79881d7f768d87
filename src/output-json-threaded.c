/*
 * output-json-threaded.c - the threaded back end of the JSON report
 * (output_json_report_threaded): the same document as output_json_report,
 * its "flows" array formatted by several threads, between the head and the
 * findings that output-json.c writes. It sits above output-json-text.c,
 * whose text blocks it fills.
 *
 * Formatting is most of the cost of writing a report (some 3 000
 * instructions a flow), and in a report split over threads it comes after
 * they have all finished, so in one thread it would be the one part of the
 * run not shared. Here the calling thread reads the flows in order in
 * rounds of BATCH per thread; every other thread formats one batch into
 * memory while the calling thread writes the first out as it goes and then
 * reads the next round (into a second set of batches), then the others'
 * texts follow in order: the same bytes as one thread writes, memory
 * bounded by the rounds, not by the report. The texts and the batches'
 * flows are kept in blocks of mem-blocks.h: after a split report, those
 * are blocks that the threads' flows left behind, already faulted in, not
 * new memory (some 4 MB of it).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem-alloc.h"
#include "mem-blocks.h"
#include "output-json-text.h"
#include "output.h"

#define BATCH 2048 /* flows a thread formats per round: few rounds, few wake-ups */

_Static_assert(BATCH * sizeof(struct flow_summary) <= BLOCK_BYTES, "a batch's flows fit in one block");

struct batch {
	struct flow_summary *flows; /* BATCH of them, in a block of mem-blocks.h */
	size_t n;
	bool first; /* holds the report's first flow: no separator before it */
	struct output_json_text text;
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

/* Formats a batch into its text; with out, as output_json_text_add_flow() says. */
static void format_batch(struct batch *b, FILE *out, bool nanosecond)
{
	for (size_t i = 0; i < b->n; i++)
		output_json_text_add_flow(&b->text, out, &b->flows[i], b->first && i == 0, nanosecond);
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
	output_json_text_write_out(&w->batches[set][0].text, out);
	size_t next = read_round(w, !set, rd, written);
	pthread_mutex_lock(&w->lock);
	while (w->pending)
		pthread_cond_wait(&w->finished, &w->lock);
	pthread_mutex_unlock(&w->lock);
	for (size_t t = 1; t < w->nthreads; t++)
		output_json_text_write_out(&w->batches[set][t].text, out);
	return next;
}

/* The items of the report's "flows" array, in n threads. */
static void write_flows(FILE *out, const struct report *r, size_t n)
{
	struct report_reader rd;
	report_read_flows(r, &rd);
	struct writer w = {.nthreads = 1, .nanosecond = r->nanosecond};
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
			output_json_text_free(&w.batches[k][i].text);
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

void output_json_report_threaded(FILE *out, const struct report *r, uint32_t threads)
{
	if (threads < 2 || r->nflows <= BATCH) {
		output_json_report(out, r);
		return;
	}
	output_json_report_head(out, r, NULL);
	write_flows(out, r, threads);
	output_json_report_tail(out, r);
}
