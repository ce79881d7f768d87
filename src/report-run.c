/*
 * report-run.c - runs whole files into a report (report-run.h): notes what
 * a shard's document needs, then hands the run to several engines in threads
 * (report-parallel.c) when it can be split, else to one (report_run_capture,
 * report.c). It sits above both, so neither calls the other back.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "capture.h"
#include "mem-alloc.h"
#include "report-parallel.h"
#include "report-run.h"

/*
 * With --shard, what the report's document needs for merging (struct
 * report_shard). A join's input is its parts together: their sizes add up.
 */
static void note_shard(struct report *r, const char *const *paths, size_t n, const char *filter,
		       const struct engine_config *cfg)
{
	r->shard.index = cfg->flows.shard_index;
	r->shard.count = cfg->flows.shard_count;
	r->shard.input_bytes = 0;
	for (size_t i = 0; i < n && r->shard.input_bytes >= 0; i++) {
		struct stat st;
		if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0 && S_ISREG(st.st_mode))
			r->shard.input_bytes += st.st_size;
		else
			r->shard.input_bytes = -1;
	}
	r->shard.filter = filter ? xstrdup(filter) : NULL;
	r->shard.cfg = *cfg;
}

int report_run_file(struct report *r, const char *path, const char *filter, const struct engine_config *cfg,
		    uint32_t threads, const struct engine_sink *extra, char *err, size_t errlen)
{
	return report_run_files(r, &path, 1, filter, cfg, threads, extra, err, errlen);
}

/* Runs the files through one engine, or through several in threads where the run can be split. */
static int run(struct report *r, const char *const *paths, size_t n, const char *filter,
	       const struct engine_config *cfg, uint32_t threads, const struct engine_sink *extra, char *err,
	       size_t errlen)
{
	if (threads > 1 && !extra && !cfg->max_flows && !r->counts_only && report_can_split(paths, n))
		return report_run_threads(r, paths, n, filter, cfg, threads, err, errlen);
	struct capture *cap = n == 1 ? capture_open_file(paths[0], filter, err, errlen)
				     : capture_open_join(paths, n, filter, err, errlen);
	if (!cap)
		return -1;
	return report_run_capture(r, cap, cfg, extra, err, errlen);
}

int report_run_files(struct report *r, const char *const *paths, size_t n, const char *filter,
		     const struct engine_config *cfg, uint32_t threads, const struct engine_sink *extra, char *err,
		     size_t errlen)
{
	if (cfg->flows.shard_count)
		note_shard(r, paths, n, filter, cfg);
	int rc = run(r, paths, n, filter, cfg, threads, extra, err, errlen);
	if (rc == 0 && report_fault(r, err, errlen))
		rc = -1; /* the report could not keep all it collected */
	return rc;
}
