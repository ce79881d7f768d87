/*
 * report-run.h - a report made from capture files: the entry point of the
 * batch commands. It decides whether the analysis runs in threads
 * (report-parallel.h) or in one engine (report_run_capture, report.h).
 */
#ifndef TCPSCOPE_REPORT_RUN_H
#define TCPSCOPE_REPORT_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "report-parallel.h" /* REPORT_MAX_THREADS */
#include "report.h"

/*
 * Reads a whole capture file into r with the given engine configuration, in
 * that many threads (report-parallel.h; 0 or 1: in the calling one) when the
 * file can be opened once per thread (a regular file), there is no extra
 * sink and no --max-flows (whose evictions depend on all flows at once).
 * Threads are the run's, not the engine's: each engine is told only which
 * flows are its own (flow-set.h). Returns 0, or -1 with a one-line message
 * in err: r then holds what was read before the error, except after a fault
 * of its temporary files (report_fault), when what it holds is incomplete.
 */
int report_run_file(struct report *r, const char *path, const char *filter, const struct engine_config *cfg,
		    uint32_t threads, const struct engine_sink *extra, char *err, size_t errlen);
/*
 * The same over n files read as the parts of one capture (capture_open_join)
 * when n > 1: in threads too, when every part is a regular file.
 */
int report_run_files(struct report *r, const char *const *paths, size_t n, const char *filter,
		     const struct engine_config *cfg, uint32_t threads, const struct engine_sink *extra, char *err,
		     size_t errlen);

#endif
