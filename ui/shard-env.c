/*
 * shard-env.c - `--shard auto` (shard-env.h). Each engine numbers its tasks
 * its own way; what they share is that each task learns its number from a
 * variable, and the count from the job definition:
 *
 * - A Kubernetes Indexed Job gives each pod JOB_COMPLETION_INDEX, 0 to
 *   completions - 1, but not the completions: the count is --shard auto/N or
 *   TCPSCOPE_SHARD_COUNT, set in the pod template.
 * - A Slurm array gives each task SLURM_ARRAY_TASK_ID, with the array's
 *   SLURM_ARRAY_TASK_MIN, _STEP and _COUNT: --array=1-8 and --array=0-14:2
 *   both make 8 shards. An array with holes (--array=1,5,9) has ids that are
 *   no range, and is refused when an index falls outside the count.
 * - GNU parallel gives each job PARALLEL_SEQ, its sequence number ({#}, 1 to
 *   the number of jobs), and PARALLEL_JOBSLOT ({%}), the slot it runs in. The
 *   slot is the wrong one: with 8 shards on 4 slots, slots 1 to 4 each run
 *   two shards and shards 5 to 8 never run. The count is auto/N or
 *   TCPSCOPE_SHARD_COUNT.
 *
 * Variables of two engines at once (GNU parallel inside a Slurm array task)
 * are refused: which one numbers the shards is the user's to say.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shard-env.h"
#include "text-file.h"

/* A decimal number in [min, UINT32_MAX]; -1 if text is not one. */
static int parse_number(const char *text, unsigned long long min, uint32_t *v)
{
	char *end;
	if (!text || *text < '0' || *text > '9')
		return -1;
	unsigned long long n = strtoull(text, &end, 10);
	if (*end || n < min || n > UINT32_MAX)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

/* An environment variable that must hold a number if it is set at all. */
static int env_number(const char *name, unsigned long long min, uint32_t *v, char *err, size_t errlen)
{
	const char *text = getenv(name);
	if (parse_number(text, min, v) != 0)
		return errbuf_set(err, errlen, "--shard auto: %s is \"%s\", not a number%s", name, text ? text : "",
				  min ? " from 1" : "");
	return 0;
}

/* The count where the engine does not give it: auto/N, else TCPSCOPE_SHARD_COUNT. */
static int given_count(const char *count_arg, const char *index_var, uint32_t *count, char *err, size_t errlen)
{
	if (count_arg)
		return parse_number(count_arg, 1, count) == 0
			       ? 0
			       : errbuf_set(err, errlen, "--shard auto/N takes a number of shards, not \"%s\"",
					    count_arg);
	if (getenv("TCPSCOPE_SHARD_COUNT"))
		return env_number("TCPSCOPE_SHARD_COUNT", 1, count, err, errlen);
	return errbuf_set(err, errlen,
			  "--shard auto: %s gives the index but not the count: use --shard auto/N or set "
			  "TCPSCOPE_SHARD_COUNT",
			  index_var);
}

static int from_slurm(const char *count_arg, uint32_t *index, uint32_t *count, char *err, size_t errlen)
{
	uint32_t id, min, step = 1;
	if (env_number("SLURM_ARRAY_TASK_ID", 0, &id, err, errlen) != 0 ||
	    env_number("SLURM_ARRAY_TASK_MIN", 0, &min, err, errlen) != 0 ||
	    env_number("SLURM_ARRAY_TASK_COUNT", 1, count, err, errlen) != 0 ||
	    (getenv("SLURM_ARRAY_TASK_STEP") && env_number("SLURM_ARRAY_TASK_STEP", 1, &step, err, errlen) != 0))
		return -1;
	uint32_t n;
	if (count_arg && (parse_number(count_arg, 1, &n) != 0 || n != *count))
		return errbuf_set(err, errlen, "--shard auto/%s: the Slurm array has %u tasks (SLURM_ARRAY_TASK_COUNT)",
				  count_arg, (unsigned)*count);
	if (id < min || (id - min) % step)
		return errbuf_set(err, errlen,
				  "--shard auto: SLURM_ARRAY_TASK_ID %u is not in the array's range from %u by %u",
				  (unsigned)id, (unsigned)min, (unsigned)step);
	*index = (id - min) / step;
	return 0;
}

int shard_from_environment(const char *count_arg, uint32_t *index, uint32_t *count, char *err, size_t errlen)
{
	static const char *const engines[] = {"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "PARALLEL_SEQ"};
	const char *set[3];
	size_t nset = 0;
	for (size_t i = 0; i < 3; i++)
		if (getenv(engines[i]))
			set[nset++] = engines[i];
	if (nset == 0)
		return errbuf_set(err, errlen,
				  "--shard auto: none of JOB_COMPLETION_INDEX (Kubernetes), SLURM_ARRAY_TASK_ID "
				  "(Slurm) or PARALLEL_SEQ (GNU parallel) is set: use --shard I/N");
	if (nset > 1)
		return errbuf_set(
			err, errlen,
			"--shard auto: both %s and %s are set: use --shard I/N to say which numbers the shards", set[0],
			set[1]);
	int rc;
	if (set[0] == engines[1]) {
		rc = from_slurm(count_arg, index, count, err, errlen);
	} else {
		uint32_t n;
		bool one_based = set[0] == engines[2];
		rc = env_number(set[0], one_based, &n, err, errlen);
		if (rc == 0)
			rc = given_count(count_arg, set[0], count, err, errlen);
		if (rc == 0)
			*index = n - one_based;
	}
	if (rc == 0 && *index >= *count)
		return errbuf_set(err, errlen, "--shard auto: %s makes this shard %llu of %u", set[0],
				  (unsigned long long)*index + 1, (unsigned)*count);
	return rc;
}
