/*
 * report.h - the batch report: a sink that collects the capture counts, every
 * flow summary and every finding of one input, for the report and check
 * commands (SPEC §5.1, §11). The report owns copies of what it collects.
 *
 * Flows and findings go to spools (report-spool.h), so a report's memory is bounded
 * whatever the capture holds: past TCPSCOPE_REPORT_MEMORY bytes each (default
 * 32 MiB) they move to a temporary file. They are read back, once the report
 * is finished, with report_read_flows() (in flow id order) and
 * report_read_findings() (in report order: by frame, findings of the same
 * frame in the order they were made; a capture-wide finding, frame 0, comes
 * after everything made before it).
 *
 * A report is what one engine collected. A run split over threads
 * (report-parallel.c) makes one report of several engines' collections,
 * reached through a table of callbacks (struct report_records), and what is
 * read back is the same, byte for byte, as from one engine.
 */
#ifndef TCPSCOPE_REPORT_H
#define TCPSCOPE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "findings.h"
#include "report-spool.h"
#include "summary.h"

#define REPORT_MAX_LINKTYPES 8

/*
 * Where a report's flows and findings are when they are not its own spools:
 * callbacks of the module that collected them (a run split over threads,
 * report-parallel.c), on its ctx. open starts a reader (flows, or
 * findings) and returns its state, never NULL; copy_next copies the next
 * record into out, false after the last; close ends the reader. fault is
 * report_fault() of the records, free releases them.
 */
struct report_records {
	void *(*open)(void *ctx, bool flows);
	bool (*copy_next)(void *state, void *out);
	void (*close)(void *state);
	int (*fault)(const void *ctx, char *msg, size_t len);
	void (*free)(void *ctx);
};

/*
 * A report of one shard of the flows (--shard I/N, engine_config.flows.shard_count
 * set): what its JSON document adds so that tcpscope merge (output-merge.h)
 * can check that the shards belong together and rebuild the whole.
 */
struct report_shard {
	uint32_t index, count; /* 0-based index of count; count 0: not a shard's report */
	int64_t input_bytes;   /* the input file's size, -1 when it is not a regular file */
	char *filter;	       /* the BPF filter, NULL for none */
	struct engine_config cfg;
};

struct report {
	char *source;  /* what the capture sections name: the file, or a join's parts, "a + b + ..." */
	char **inputs; /* a join's parts, in merged order (JSON names each); NULL for one file */
	size_t ninputs;
	char linktypes[REPORT_MAX_LINKTYPES][32]; /* names of the link types the capture declared, the first 8 */
	size_t nlinktypes;
	bool nanosecond;
	struct engine_stats stats;
	bool counts_only; /* report_init_counts_only: flows and findings pass by, uncollected */
	size_t nflows, nfindings;
	uint32_t severity_counts[3];	 /* of the findings collected */
	uint64_t findings_dropped;	 /* over all flows: findings past the per-flow cap (engine_config) */
	uint64_t findings_first_stretch; /* findings before a capture-wide one ended the first stretch of the order */
	struct report_shard shard;
	struct spool flows, findings;	      /* what the engine collected: flows by first frame, findings by key */
	uint64_t finding_segment;	      /* capture-wide findings so far: each closes a stretch of the order */
	const struct report_records *records; /* not NULL: the flows and findings are read there instead */
	void *records_ctx;
	uint32_t threads; /* the engines that made it, each in a thread: a writer may use as many (1 by default) */
};

/* Bytes of flows, and of findings, a report keeps in memory before spilling (TCPSCOPE_REPORT_MEMORY). */
size_t report_memory_budget(void);
void report_init(struct report *r, const char *source);
/* A report with its own memory budget for flows and for findings (report_init uses report_memory_budget()). */
void report_init_budget(struct report *r, const char *source, size_t budget);
/* Frees the names of a join's parts that r holds. */
void report_free_inputs(struct report *r);
/* A report that keeps only the capture counts, for commands that stream what passes through an extra sink. */
void report_init_counts_only(struct report *r, const char *source);
void report_add_flow(struct report *r, const struct flow_summary *s);
void report_add_finding(struct report *r, const struct finding *f);
/* Records the final counts; reading may start. */
void report_finish(struct report *r, const struct engine_stats *stats);
/*
 * The errno of the first failure of r's temporary files (spool_fault), in
 * collecting or in any reading so far, with a one-line message in msg; 0 if
 * none. What r collected or handed out after a failure is incomplete.
 */
int report_fault(const struct report *r, char *msg, size_t len);
void report_free(struct report *r);

/*
 * Reading a finished report: open a reader, take records until NULL, close it
 * with report_reader_close(). A record is valid until the next call. Any
 * number of readers may read a report at the same time.
 */
struct report_reader {
	const struct report *report;
	struct spool_reader spool; /* of the report's own spools */
	void *state;		   /* or of its report_records */
	union {
		struct flow_summary flow;
		struct finding finding;
	} copy; /* the record handed out, from report_records */
};

void report_read_flows(const struct report *r, struct report_reader *rd);
const struct flow_summary *report_next_flow(struct report_reader *rd);
/* report_next_flow() into out, which saves a copy for report_records; false after the last. */
bool report_copy_next_flow(struct report_reader *rd, struct flow_summary *out);
void report_read_findings(const struct report *r, struct report_reader *rd);
const struct finding *report_next_finding(struct report_reader *rd);
void report_reader_close(struct report_reader *rd);

/* Runs an opened capture, which it closes, through one engine into r (report-run.h opens files). */
struct capture;
int report_run_capture(struct report *r, struct capture *cap, const struct engine_config *cfg,
		       const struct engine_sink *extra, char *err, size_t errlen);

#endif
