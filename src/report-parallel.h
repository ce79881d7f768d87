/*
 * report-parallel.h - running one capture file's report in several threads
 * (engine_config.threads), for report.c. Internal to the report: callers use
 * report_run_file(), which decides whether to split.
 */
#ifndef TCPSCOPE_REPORT_PARALLEL_H
#define TCPSCOPE_REPORT_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "report.h"

/* A report with its own memory budget for flows and for findings (report_init uses report_memory_budget()). */
void report_init_budget(struct report *r, const char *source, size_t budget);
/* Frees the names of a join's parts that r holds. */
void report_free_inputs(struct report *r);
/* Frees r's parts (what its engines collected), leaving the rest of r. */
void report_free_parts(struct report *r);
/* Can each thread open the n files for itself? Only regular files can be read more than once. */
bool report_can_split(const char *const *paths, size_t n);
/* report_run_files() in cfg->threads threads; the same return and errors. */
int report_run_threads(struct report *r, const char *const *paths, size_t n, const char *filter,
		       const struct engine_config *cfg, char *err, size_t errlen);

#endif
