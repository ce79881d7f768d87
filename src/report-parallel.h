/*
 * report-parallel.h - the parallel runner: one input, N threads, M parts of
 * its flows. It runs one capture's report in several threads, each an engine
 * of its own over a set of the flows (flow-set.h), and merges what they
 * collected into one plain report (report.h). report-run.c decides whether
 * a run is split; callers use report_run_file() (report-run.h).
 */
#ifndef TCPSCOPE_REPORT_PARALLEL_H
#define TCPSCOPE_REPORT_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "report.h"

#define REPORT_MAX_THREADS 16 /* the most threads a run is split over (--threads) */

/* Can each thread open the n files for itself? Only regular files can be read more than once. */
bool report_can_split(const char *const *paths, size_t n);
/* report_run_files() in that many threads (at most REPORT_MAX_THREADS); the same return and errors. */
int report_run_threads(struct report *r, const char *const *paths, size_t n, const char *filter,
		       const struct engine_config *cfg, uint32_t threads, char *err, size_t errlen);

#endif
