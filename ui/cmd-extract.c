/*
 * cmd-extract.c - `tcpscope extract --flow ID|--where EXPR -w OUT FILE`:
 * the frames of the chosen flows, unchanged, into a new capture file for
 * Wireshark or tcpdump (src/capture-extract.h), the flows chosen as
 * `report` chooses them (--where, cmd-where.c).
 *
 * A first pass runs the engine over FILE as `report` does, with a sink that
 * notes each TCP frame's flow (4 bytes a frame); the flows are chosen from
 * the finished report (a flow expression needs a flow's final summary); a
 * second pass copies the frames of the chosen flows.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture-extract.h"
#include "commands.h"
#include "mem-alloc.h"
#include "report-run.h"
#include "report-where.h"

/* The flow of each frame: flow_of[frame] (0: no TCP flow). */
struct frame_flows {
	uint32_t *flow_of;
	size_t n, cap;
};

static void note_frame(void *ctx, const struct packet_view *v)
{
	struct frame_flows *ff = ctx;
	uint64_t frame = v->pkt->frame;
	if (frame >= ff->n) {
		size_t old = ff->cap;
		ff->flow_of = xgrow(ff->flow_of, &ff->cap, (size_t)frame + 1, sizeof *ff->flow_of);
		memset(ff->flow_of + old, 0, (ff->cap - old) * sizeof *ff->flow_of);
		ff->n = (size_t)frame + 1;
	}
	if (!ff->flow_of[frame])
		ff->flow_of[frame] = v->flow_id;
}

/* Marks the ids of the flows to extract in chosen (a byte per id up to max_id); returns how many. */
static size_t choose_flows(const struct options *o, const struct report *r, const struct flow_expr *where,
			   uint8_t *chosen, size_t max_id)
{
	if (where)
		return cmd_where_flows(r, where, chosen, max_id);
	if (o->flow_id > max_id)
		return 0;
	chosen[o->flow_id] = 1;
	return 1;
}

int cmd_extract(struct options *o)
{
	if (!OPTIONS_ONE_CAPTURE(o))
		return cmd_usage_error("extract needs exactly one capture file (or --join and its parts)");
	if (!o->write_file)
		return cmd_usage_error(
			"extract needs -w OUT, the file to write (pcap, or pcapng if it ends in .pcapng)");
	if (!o->flow_id == !o->where)
		return cmd_usage_error("extract takes --flow ID or --where EXPR (one of them)");
	for (size_t i = 0; i < OPTIONS_NPATHS(o); i++)
		if (strcmp(o->args[i], "-") == 0)
			return cmd_usage_error("extract reads its file twice: give a file, not standard input");
	struct flow_expr *where = o->where ? cmd_parse_where(o->where) : NULL;
	if (o->where && !where)
		return 2;
	struct frame_flows ff = {0};
	struct engine_sink sink = {.ctx = &ff, .packet = note_frame};
	struct report r;
	char err[CAPTURE_ERRBUF_SIZE];
	report_init(&r, o->args[0]);
	int status = 0;
	if (report_run_files(&r, OPTIONS_PATHS(o), OPTIONS_NPATHS(o), o->filter, &o->engine, o->threads, &sink, err,
			     sizeof err) != 0) {
		cmd_error(err);
		status = 2;
	}
	size_t max_id = r.stats.flows_total;
	uint8_t *chosen = xcalloc(max_id + 1, 1);
	size_t nflows = status ? 0 : choose_flows(o, &r, where, chosen, max_id);
	if (status == 0 && report_fault(&r, err, sizeof err)) {
		cmd_error(err);
		status = 2;
	}
	if (status == 0 && !where && nflows == 0)
		status = cmd_usage_error("%s has no flow %u (it has %zu)", r.source, o->flow_id, max_id);
	uint64_t *frames = NULL, written = 0;
	size_t nframes = 0, cap = 0;
	for (size_t frame = 1; status == 0 && frame < ff.n; frame++)
		if (ff.flow_of[frame] && ff.flow_of[frame] <= max_id && chosen[ff.flow_of[frame]]) {
			frames = xgrow(frames, &cap, nframes + 1, sizeof *frames);
			frames[nframes++] = frame;
		}
	if (status == 0 && capture_extract(OPTIONS_PATHS(o), OPTIONS_NPATHS(o), frames, NULL, nframes, o->write_file,
					   &written, err, sizeof err) != 0) {
		cmd_error(err);
		status = 2;
	}
	if (status == 0)
		printf("%" PRIu64 " frame%s of %zu flow%s written to %s\n", written, written == 1 ? "" : "s", nflows,
		       nflows == 1 ? "" : "s", o->write_file);
	free(frames);
	free(chosen);
	free(ff.flow_of);
	report_free(&r);
	flow_expr_free(where);
	return status;
}
