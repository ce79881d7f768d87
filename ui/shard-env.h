/*
 * shard-env.h - `--shard auto`: which shard this process is, read from the
 * environment that a batch engine gives each of its tasks, so that a job
 * definition needs no wrapper script (docs/scale.md).
 */
#ifndef TCPSCOPE_SHARD_ENV_H
#define TCPSCOPE_SHARD_ENV_H

#include <stddef.h>
#include <stdint.h>

/*
 * The 0-based shard index and the count of shards from the environment:
 * Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX, 0-based), Slurm job arrays
 * (SLURM_ARRAY_TASK_ID less SLURM_ARRAY_TASK_MIN, divided by
 * SLURM_ARRAY_TASK_STEP, of SLURM_ARRAY_TASK_COUNT) or GNU parallel (the
 * job's sequence number PARALLEL_SEQ, 1-based). count_arg is the N of
 * --shard auto/N, or NULL; without it the count comes from Slurm or from
 * TCPSCOPE_SHARD_COUNT. Returns 0, or -1 with a one-line reason in err
 * (no engine's variable set, or more than one engine's, or an index that
 * does not fall in 0..count-1).
 */
int shard_from_environment(const char *count_arg, uint32_t *index, uint32_t *count, char *err, size_t errlen);

#endif
