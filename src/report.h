/*
 * report.h - the batch report: a sink that collects the capture counts, every
 * flow summary and every finding of one input, for the report and check
 * commands (SPEC §5.1, §11). The report owns copies of what it collects.
 */
#ifndef TCPSCOPE_REPORT_H
#define TCPSCOPE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "findings.h"
#include "summary.h"

#define REPORT_MAX_LINKTYPES 8

struct report {
	char *source;
	char linktypes[REPORT_MAX_LINKTYPES][32]; /* names of the link types the capture declared, the first 8 */
	size_t nlinktypes;
	bool nanosecond;
	struct engine_stats stats;
	struct flow_summary *flows;
	size_t nflows, flows_cap;
	struct finding *findings;
	size_t nfindings, findings_cap;
	uint32_t severity_counts[3];
};

void report_init(struct report *r, const char *source);
/* A sink that appends to r. */
struct engine_sink report_sink(struct report *r);
/* Orders flows by id and records the final counts. */
void report_finish(struct report *r, const struct engine_stats *stats);
void report_free(struct report *r);

/*
 * Reads a whole capture file into r with the given engine configuration.
 * Returns 0, or -1 with a one-line message in err (r then holds what was read
 * before the error).
 */
int report_run_file(struct report *r, const char *path, const char *filter, const struct engine_config *cfg,
		    const struct engine_sink *extra, char *err, size_t errlen);

/* The same over an opened capture, which it closes. */
struct capture;
int report_run_capture(struct report *r, struct capture *cap, const struct engine_config *cfg,
		       const struct engine_sink *extra, char *err, size_t errlen);

#endif
