/*
 * report-parallel.h - running one capture file's report in several threads
 * (report_run_file's threads), for report-run.c. Internal to the report: callers use
 * report_run_file() (report-run.h), which decides whether to split.
 */
#ifndef TCPSCOPE_REPORT_PARALLEL_H
#define TCPSCOPE_REPORT_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "report.h"

/* Can each thread open the n files for itself? Only regular files can be read more than once. */
bool report_can_split(const char *const *paths, size_t n);
/* report_run_files() in that many threads (at most REPORT_MAX_THREADS); the same return and errors. */
int report_run_threads(struct report *r, const char *const *paths, size_t n, const char *filter,
		       const struct engine_config *cfg, uint32_t threads, char *err, size_t errlen);

#endif
