/*
 * report-parallel.c - one capture file's report made by several engines at
 * once, one per thread, each over a shard of the flows (SPEC §12: the shards
 * of --shard, inside one process), so that a report on a machine with N
 * cores takes little more than 1/N of the time.
 *
 * Each thread opens the file for itself and reads every record: every
 * engine sees the same sequence of times, so expiry and TIME-WAIT run on the
 * same schedule as in one engine, and a flow's packets all land in the same
 * thread, so each flow is judged exactly as one engine judges it. The flows
 * of the shard (I/N being --shard, else 0/1) come in FLOW_SET_PARTS parts by
 * hash, and each thread takes a set of parts of about equal packets
 * (report-balance.h). Findings that belong to no flow come from the engine
 * of part 0 alone (flow-set.h).
 *
 * Each thread collects a report of its own, its flows numbered from 1 in the
 * order of their first frame, as one engine numbers them, its findings in
 * frame order, and notes each flow's first frame as it ends (an extra sink).
 * Afterwards the threads' collections become the parts of one plain report,
 * read through report_records: the parts' first frames are merged into one
 * numbering, the global id of every local flow, and reading merges the
 * parts by key, renumbering as it goes, so that what is read back is byte
 * for byte what one engine would have collected. Evictions over --max-flows
 * depend on all flows at once, so report_run_file() does not split with
 * --max-flows; the peak of flows held at once (engine_stats.flows_peak)
 * becomes the sum of the parts' peaks, an upper bound, which only the live
 * stream prints.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "mem-alloc.h"
#include "report-balance.h"
#include "report-parallel.h"

/* What one thread's engine collected, and the first frame of each of its flows. */
struct part {
	struct spool flows, findings;
	uint64_t *first_frames; /* of local flow id i + 1 */
	size_t nfirst_frames, first_frames_cap;
	uint32_t *global_ids; /* id in the whole report of local flow id i + 1 */
};

/* The report_records of a split report: its parts. */
struct parts {
	struct part part[REPORT_MAX_THREADS];
	size_t n;
};

struct worker {
	struct report report;
	struct part *part;
	struct capture *cap;
	struct engine_config cfg;
	char err[CAPTURE_ERRBUF_SIZE];
	int rc;
	pthread_t thread;
};

bool report_can_split(const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0 || !S_ISREG(st.st_mode))
			return false;
	}
	return true;
}

/* Notes a flow's first frame by its local id (ids follow first frames in one engine). */
static void note_first_frame(void *ctx, const struct flow_summary *s)
{
	struct part *p = ctx;
	p->first_frames = xgrow(p->first_frames, &p->first_frames_cap, s->id, sizeof(uint64_t));
	p->first_frames[s->id - 1] = s->first_frame;
	if (s->id > p->nfirst_frames)
		p->nfirst_frames = s->id;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct engine_sink notes = {.ctx = w->part, .flow_end = note_first_frame};
	w->rc = report_run_capture(&w->report, w->cap, &w->cfg, &notes, w->err, sizeof w->err);
	return NULL;
}

/* Adds a part's engine counts to the whole's; what every engine saw alike (packets, times) is the first's. */
static void add_stats(struct engine_stats *all, const struct engine_stats *part)
{
	all->tcp_packets += part->tcp_packets;
	all->decode_errors += part->decode_errors;
	all->flows_total += part->flows_total;
	all->flows_evicted += part->flows_evicted;
	all->flows_active += part->flows_active;
	all->flows_peak += part->flows_peak;
}

/* Numbers the flows of all parts in the order of their first frames (local ids already follow it). */
static void number_flows(struct parts *ps)
{
	size_t pos[REPORT_MAX_THREADS] = {0};
	for (size_t i = 0; i < ps->n; i++)
		ps->part[i].global_ids = xmalloc((ps->part[i].nfirst_frames + 1) * sizeof(uint32_t));
	for (uint32_t id = 1;; id++) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < ps->n; i++) {
			const struct part *p = &ps->part[i];
			if (pos[i] < p->nfirst_frames &&
			    (best == SIZE_MAX || p->first_frames[pos[i]] < ps->part[best].first_frames[pos[best]]))
				best = i;
		}
		if (best == SIZE_MAX)
			return;
		ps->part[best].global_ids[pos[best]++] = id;
	}
}

/* Reading a split report: each part's next record, merged by key. */
struct parts_reader {
	const struct parts *ps;
	bool flows;
	struct spool_reader rd[REPORT_MAX_THREADS];
	const void *heads[REPORT_MAX_THREADS]; /* each part's next record, NULL once it has no more */
};

static void *parts_open(void *ctx, bool flows)
{
	const struct parts *ps = ctx;
	struct parts_reader *pr = xmalloc(sizeof *pr);
	pr->ps = ps;
	pr->flows = flows;
	for (size_t i = 0; i < ps->n; i++) {
		spool_reader_open(&pr->rd[i], flows ? &ps->part[i].flows : &ps->part[i].findings);
		pr->heads[i] = spool_reader_next(&pr->rd[i]);
	}
	return pr;
}

/*
 * The next record: the smallest key among the parts' heads (two parts
 * never share a key, which is a frame or a first frame), copied into out
 * with its flow id made the whole report's. False after the last.
 */
static bool parts_copy_next(void *state, void *out)
{
	struct parts_reader *pr = state;
	const struct parts *ps = pr->ps;
	size_t best = SIZE_MAX;
	struct spool_key best_key = {0, 0};
	for (size_t i = 0; i < ps->n; i++) {
		if (!pr->heads[i])
			continue;
		struct spool_key k = spool_record_key(pr->heads[i]);
		if (best == SIZE_MAX || spool_key_cmp(k, best_key) < 0) {
			best = i;
			best_key = k;
		}
	}
	if (best == SIZE_MAX)
		return false;
	const uint32_t *ids = ps->part[best].global_ids;
	if (pr->flows) {
		struct flow_summary *flow = out;
		*flow = *(const struct flow_summary *)pr->heads[best];
		flow->id = ids[flow->id - 1];
	} else {
		struct finding *finding = out;
		*finding = *(const struct finding *)pr->heads[best];
		if (finding->flow)
			finding->flow = ids[finding->flow - 1];
	}
	pr->heads[best] = spool_reader_next(&pr->rd[best]);
	return true;
}

static void parts_close(void *state)
{
	struct parts_reader *pr = state;
	for (size_t i = 0; i < pr->ps->n; i++)
		spool_reader_close(&pr->rd[i]);
	free(pr);
}

static int parts_fault(const void *ctx, char *msg, size_t len)
{
	const struct parts *ps = ctx;
	int error = 0;
	for (size_t i = 0; i < ps->n && !error; i++)
		if (!(error = spool_fault(&ps->part[i].flows, msg, len)))
			error = spool_fault(&ps->part[i].findings, msg, len);
	return error;
}

static void parts_free(void *ctx)
{
	struct parts *ps = ctx;
	for (size_t i = 0; i < ps->n; i++) {
		spool_free(&ps->part[i].flows);
		spool_free(&ps->part[i].findings);
		free(ps->part[i].first_frames);
		free(ps->part[i].global_ids);
	}
	free(ps);
}

static const struct report_records parts_records = {.open = parts_open,
						    .copy_next = parts_copy_next,
						    .close = parts_close,
						    .fault = parts_fault,
						    .free = parts_free};

/* Moves the workers' collections and counts into r, its records now the parts. */
static void merge_workers(struct report *r, struct worker *w, struct parts *ps)
{
	memcpy(r->linktypes, w[0].report.linktypes, sizeof r->linktypes);
	r->nlinktypes = w[0].report.nlinktypes;
	r->nanosecond = w[0].report.nanosecond;
	r->stats = w[0].report.stats;
	char *source = r->source; /* the first worker's names a join's parts in merged order */
	r->source = w[0].report.source;
	w[0].report.source = source;
	r->inputs = w[0].report.inputs;
	r->ninputs = w[0].report.ninputs;
	w[0].report.inputs = NULL;
	w[0].report.ninputs = 0;
	for (size_t i = 0; i < ps->n; i++) {
		struct report *p = &w[i].report;
		if (i)
			add_stats(&r->stats, &p->stats);
		r->nflows += p->nflows;
		r->nfindings += p->nfindings;
		for (int s = 0; s < 3; s++)
			r->severity_counts[s] += p->severity_counts[s];
		r->findings_dropped += p->findings_dropped;
		r->findings_first_stretch += p->findings_first_stretch;
		ps->part[i].flows = p->flows;
		ps->part[i].findings = p->findings;
		free(p->source);
		report_free_inputs(p);
	}
	number_flows(ps);
	r->records = &parts_records;
	r->records_ctx = ps;
	r->threads = (uint32_t)ps->n;
}

int report_run_threads(struct report *r, const char *const *paths, size_t npaths, const char *filter,
		       const struct engine_config *cfg, uint32_t threads, char *err, size_t errlen)
{
	size_t n = threads < REPORT_MAX_THREADS ? threads : REPORT_MAX_THREADS;
	struct worker *w = xcalloc(n, sizeof *w);
	size_t opened = 0;
	for (; opened < n; opened++) {
		w[opened].cap = npaths == 1 ? capture_open_file(paths[0], filter, err, errlen)
					    : capture_open_join(paths, npaths, filter, err, errlen);
		if (!w[opened].cap)
			break;
	}
	if (opened < n) {
		for (size_t i = 0; i < opened; i++)
			capture_close(w[i].cap);
		free(w);
		return -1;
	}
	uint64_t parts_of[REPORT_MAX_THREADS];
	report_deal_parts(paths[0], cfg, n, parts_of); /* a join's first part stands for all */
	struct parts *ps = xcalloc(1, sizeof *ps);
	ps->n = n;
	for (size_t i = 0; i < n; i++) {
		report_init_budget(&w[i].report, r->source, report_memory_budget() / n);
		w[i].part = &ps->part[i];
		w[i].cfg = *cfg;
		w[i].cfg.flows.parts = parts_of[i];
	}
	/* A thread that cannot start leaves its shard to the calling thread, after the others. */
	bool started[REPORT_MAX_THREADS] = {false};
	for (size_t i = 1; i < n; i++)
		started[i] = pthread_create(&w[i].thread, NULL, worker_run, &w[i]) == 0;
	worker_run(&w[0]);
	for (size_t i = 1; i < n; i++) {
		if (started[i])
			pthread_join(w[i].thread, NULL);
		else
			worker_run(&w[i]);
	}
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		if (w[i].rc) {
			rc = w[i].rc;
			snprintf(err, errlen, "%s", w[i].err);
		}
	merge_workers(r, w, ps);
	free(w);
	return rc;
}
