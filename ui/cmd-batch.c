/*
 * cmd-batch.c - the batch commands over capture files: report (text or
 * JSON), packets (JSON Lines) and the JSON stream of findings and flows
 * that `tcpscope -r FILE --format json` writes without a terminal; and
 * merge, which makes the JSON reports of --shard 1/N ... N/N one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "mem-alloc.h"
#include "output-merge.h"
#include "output.h"
#include "report-run.h"
#include "report-where.h"
#include "report.h"

static bool want_json(const struct options *o)
{
	return o->format && strcmp(o->format, "json") == 0;
}

int cmd_report(struct options *o)
{
	if (o->nargs == 0)
		return cmd_usage_error("report needs a capture file (try 'tcpscope --help')");
	struct flow_expr *where = o->where ? cmd_parse_where(o->where) : NULL;
	if (o->where && !where)
		return 2;
	int status = 0;
	/* --join: the files are the parts of one capture, one report */
	int ncaptures = o->join ? 1 : o->nargs;
	for (int i = 0; i < ncaptures; i++) {
		struct report r, picked;
		char err[CAPTURE_ERRBUF_SIZE];
		report_init(&r, o->args[i]);
		int rc = report_run_files(&r, OPTIONS_PATHS(o) + i, OPTIONS_NPATHS(o), o->filter, &o->engine,
					  o->threads, NULL, err, sizeof err);
		/* A report that could not keep what it collected (report_fault) is not shown. */
		if (rc != 0 && (r.stats.packets == 0 || report_fault(&r, NULL, 0))) {
			cmd_error(err);
			status = 2;
		} else {
			if (where)
				report_where(&r, where, &picked);
			const struct report *shown = where ? &picked : &r;
			/* Its flows formatted in as many threads as made it, in the memory they left (output.h). */
			if (want_json(o))
				output_json_report_threaded(stdout, shown, shown->threads);
			else
				output_text_report(stdout, shown);
			/* Reading it back may fail too: the output is cut short, and the status says so. */
			if (rc == 0 &&
			    (report_fault(&r, err, sizeof err) || (where && report_fault(&picked, err, sizeof err))))
				rc = -1;
			if (where)
				report_free(&picked);
			if (rc != 0) {
				cmd_error(err);
				status = 2;
			}
		}
		report_free(&r);
	}
	flow_expr_free(where);
	return status;
}

int cmd_merge(struct options *o)
{
	if (o->nargs == 0)
		return cmd_usage_error("merge needs the JSON reports of --shard 1/N ... N/N (try 'tcpscope --help')");
	char err[1024];
	if (output_merge(stdout, (const char *const *)o->args, (size_t)o->nargs, err, sizeof err) != 0) {
		cmd_error(err);
		return 2;
	}
	return 0;
}

struct packets_ctx {
	uint32_t flow_id;
	const uint8_t *chosen; /* --where: chosen[id] for the flows it selects, ids up to max_id */
	size_t max_id;
	bool nanosecond;
};

static void print_packet(void *ctx, const struct packet_view *v)
{
	const struct packets_ctx *pc = ctx;
	if (pc->chosen ? v->flow_id <= pc->max_id && pc->chosen[v->flow_id]
		       : pc->flow_id == 0 || pc->flow_id == v->flow_id)
		output_json_packet(stdout, v, pc->nanosecond);
}

/* Runs the command's capture with an extra sink; reports errors; returns the exit status. */
static int run_with_sink(struct options *o, const struct engine_sink *sink, struct report *r)
{
	char err[CAPTURE_ERRBUF_SIZE];
	report_init_counts_only(r, o->args[0]);
	int rc = report_run_files(r, OPTIONS_PATHS(o), OPTIONS_NPATHS(o), o->filter, &o->engine, o->threads, sink, err,
				  sizeof err);
	if (rc != 0) {
		cmd_error(err);
		return 2;
	}
	return 0;
}

/* Whether the command's capture prints nanoseconds: a file (not stdin) in them, or a part of a join. */
static bool inputs_nanosecond(const struct options *o)
{
	bool nanosecond = false;
	for (size_t i = 0; i < OPTIONS_NPATHS(o); i++)
		nanosecond |= strcmp(o->args[i], "-") != 0 && capture_file_is_nanosecond(o->args[i]);
	return nanosecond;
}

/* --where: a first pass learns the flows' final summaries and marks those it selects. -1 after an error. */
static int packets_where(struct options *o, struct packets_ctx *pc, uint8_t **chosen)
{
	for (size_t i = 0; i < OPTIONS_NPATHS(o); i++)
		if (strcmp(o->args[i], "-") == 0) {
			cmd_usage_error("packets --where reads its file twice: give a file, not standard input");
			return -1;
		}
	struct flow_expr *where = cmd_parse_where(o->where);
	if (!where)
		return -1;
	struct report r;
	char err[CAPTURE_ERRBUF_SIZE];
	report_init(&r, o->args[0]);
	int rc = report_run_files(&r, OPTIONS_PATHS(o), OPTIONS_NPATHS(o), o->filter, &o->engine, o->threads, NULL, err,
				  sizeof err);
	if (rc == 0) {
		pc->max_id = r.stats.flows_total;
		*chosen = xcalloc(pc->max_id + 1, 1);
		cmd_where_flows(&r, where, *chosen, pc->max_id);
		pc->chosen = *chosen;
		if (report_fault(&r, err, sizeof err))
			rc = -1;
	}
	if (rc != 0)
		cmd_error(err);
	report_free(&r);
	flow_expr_free(where);
	return rc;
}

int cmd_packets(struct options *o)
{
	if (!OPTIONS_ONE_CAPTURE(o))
		return cmd_usage_error("packets needs exactly one capture file (or --join and its parts)");
	if (o->flow_id && o->where)
		return cmd_usage_error("packets takes --flow ID or --where EXPR, not both");
	struct packets_ctx pc = {.flow_id = o->flow_id, .nanosecond = false};
	uint8_t *chosen = NULL;
	if (o->where && packets_where(o, &pc, &chosen) != 0)
		return 2;
	struct engine_sink sink = {.ctx = &pc, .packet = print_packet};
	struct report r;
	/* Peek at the timestamp resolution first so every line uses the same precision. */
	pc.nanosecond = inputs_nanosecond(o);
	int status = run_with_sink(o, &sink, &r);
	if (status == 0 && o->flow_id && o->flow_id > r.stats.flows_total)
		status = cmd_usage_error("%s has no flow %u (it has %llu)", r.source, o->flow_id,
					 (unsigned long long)r.stats.flows_total);
	report_free(&r);
	free(chosen);
	return status;
}

struct stream_ctx {
	bool nanosecond;
};

static void stream_finding(void *ctx, const struct finding *f)
{
	const struct stream_ctx *sc = ctx;
	output_stream_finding(stdout, f, sc->nanosecond);
}

static void stream_flow(void *ctx, const struct flow_summary *s)
{
	const struct stream_ctx *sc = ctx;
	output_stream_flow(stdout, s, sc->nanosecond);
}

/* SPEC §10: findings as they are made, each flow as it ends, then the stats. */
static int stream_file(struct options *o)
{
	struct stream_ctx sc = {.nanosecond = inputs_nanosecond(o)};
	struct engine_sink sink = {.ctx = &sc, .finding = stream_finding, .flow_end = stream_flow};
	struct report r;
	int status = run_with_sink(o, &sink, &r);
	if (status == 0)
		output_stream_stats(stdout, &r.stats, 0);
	report_free(&r);
	return status;
}

int cmd_default(struct options *o)
{
	if (!OPTIONS_ONE_CAPTURE(o))
		return cmd_usage_error(
			"give one capture file, or --join and its parts (or use 'tcpscope report FILE...')");
	if (want_json(o))
		return stream_file(o);
	/* The UI needs the keyboard on stdin, and files it can seek in to read details again. */
	bool from_stdin = false;
	for (size_t i = 0; i < OPTIONS_NPATHS(o); i++)
		from_stdin |= strcmp(o->args[i], "-") == 0;
	if (!o->format && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && !from_stdin)
		return cmd_ui(o);
	return cmd_report(o);
}
