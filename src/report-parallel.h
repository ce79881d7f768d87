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
/* Frees r's parts (what its engines collected), leaving the rest of r. */
void report_free_parts(struct report *r);
/* Can each thread open path for itself? Only a regular file can be read more than once. */
bool report_can_split(const char *path);
/* report_run_file() in cfg->threads threads; the same return and errors. */
int report_run_threads(struct report *r, const char *path, const char *filter, const struct engine_config *cfg,
		       char *err, size_t errlen);

#endif
