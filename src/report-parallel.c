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
 * Each thread collects a report part: flows numbered from 1 in the order of
 * their first frame, as one engine numbers them, findings in frame order.
 * Afterwards the parts' first frames are merged into one numbering, the
 * global id of every local flow, and reading (report.c) merges the parts by
 * key, renumbering as it goes: what is read back is byte for byte what one
 * engine would have collected. Evictions over --max-flows depend on all
 * flows at once, so report_run_file() does not split with --max-flows; the
 * peak of flows held at once (engine_stats.flows_peak) becomes the sum of the
 * parts' peaks, an upper bound, which only the live stream prints.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "report-balance.h"
#include "report-parallel.h"
#include "xalloc.h"

struct worker {
	struct report part;
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

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	w->rc = report_run_capture(&w->part, w->cap, &w->cfg, NULL, w->err, sizeof w->err);
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
static void number_flows(struct report *r)
{
	size_t pos[REPORT_MAX_THREADS] = {0};
	for (size_t i = 0; i < r->nparts; i++)
		r->parts[i].global_ids = xmalloc((r->parts[i].nfirst_frames + 1) * sizeof(uint32_t));
	for (uint32_t id = 1;; id++) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < r->nparts; i++) {
			const struct report_part *p = &r->parts[i];
			if (pos[i] < p->nfirst_frames &&
			    (best == SIZE_MAX || p->first_frames[pos[i]] < r->parts[best].first_frames[pos[best]]))
				best = i;
		}
		if (best == SIZE_MAX)
			return;
		r->parts[best].global_ids[pos[best]++] = id;
	}
}

/* Moves the workers' parts and counts into r. */
static void merge_workers(struct report *r, struct worker *w, size_t n)
{
	memcpy(r->linktypes, w[0].part.linktypes, sizeof r->linktypes);
	r->nlinktypes = w[0].part.nlinktypes;
	r->nanosecond = w[0].part.nanosecond;
	r->stats = w[0].part.stats;
	char *source = r->source; /* the first worker's names a join's parts in merged order */
	r->source = w[0].part.source;
	w[0].part.source = source;
	r->inputs = w[0].part.inputs;
	r->ninputs = w[0].part.ninputs;
	w[0].part.inputs = NULL;
	w[0].part.ninputs = 0;
	report_free_parts(r);
	r->parts = xcalloc(n, sizeof *r->parts);
	r->nparts = n;
	for (size_t i = 0; i < n; i++) {
		struct report *p = &w[i].part;
		if (i)
			add_stats(&r->stats, &p->stats);
		r->nflows += p->nflows;
		r->nfindings += p->nfindings;
		for (int s = 0; s < 3; s++)
			r->severity_counts[s] += p->severity_counts[s];
		r->findings_dropped += p->findings_dropped;
		r->findings_first_stretch += p->findings_first_stretch;
		r->parts[i] = p->parts[0];
		free(p->parts);
		free(p->source);
		report_free_inputs(p);
	}
	number_flows(r);
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
	for (size_t i = 0; i < n; i++) {
		report_init_budget(&w[i].part, r->source, report_memory_budget() / n);
		w[i].part.parts[0].in_thread = true;
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
	merge_workers(r, w, n);
	free(w);
	return rc;
}
