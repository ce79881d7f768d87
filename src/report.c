/*
 * report.c - collects one input's findings and flow summaries, and drives a
 * whole file through the engine (the batch face of the pipeline). An extra
 * sink may watch the same run (the packets command, the JSON stream, which
 * keep no report of their own: report_init_counts_only).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture-linktype.h"
#include "capture.h"
#include "mem-alloc.h"
#include "report.h"

#define DEFAULT_MEMORY (32u << 20) /* bytes of flows, and of findings, kept in memory before spilling */

/* TCPSCOPE_REPORT_MEMORY overrides the budget (tests use a tiny one to make every report spill). */
size_t report_memory_budget(void)
{
	const char *env = getenv("TCPSCOPE_REPORT_MEMORY");
	char *end;
	unsigned long long v = env && *env ? strtoull(env, &end, 10) : 0;
	return v && !*end && v <= SIZE_MAX ? (size_t)v : DEFAULT_MEMORY;
}

void report_init(struct report *r, const char *source)
{
	report_init_budget(r, source, report_memory_budget());
}

void report_init_budget(struct report *r, const char *source, size_t budget)
{
	memset(r, 0, sizeof *r);
	r->source = xstrdup(source);
	r->threads = 1;
	spool_init(&r->flows, sizeof(struct flow_summary), budget);
	spool_init(&r->findings, sizeof(struct finding), budget);
}

void report_init_counts_only(struct report *r, const char *source)
{
	report_init(r, source);
	r->counts_only = true;
}

void report_add_finding(struct report *r, const struct finding *f)
{
	/* Findings arrive in frame order, except the few judged when a flow ends: the key slots those in. */
	struct spool_key key = {r->finding_segment, f->frame ? f->frame : UINT64_MAX};
	if (!r->finding_segment)
		r->findings_first_stretch++;
	if (!f->frame)
		r->finding_segment++;
	spool_add(&r->findings, key, f);
	r->nfindings++;
	r->severity_counts[finding_info(f->id)->severity]++;
}

void report_add_flow(struct report *r, const struct flow_summary *s)
{
	/* Ids follow first frames in one engine; ordering by the first frame also orders several engines' flows. */
	spool_add(&r->flows, (struct spool_key){s->first_frame, 0}, s);
	r->nflows++;
	r->findings_dropped += s->findings_dropped;
}

static void collect_finding(void *ctx, const struct finding *f)
{
	report_add_finding(ctx, f);
}

static void collect_flow(void *ctx, const struct flow_summary *s)
{
	report_add_flow(ctx, s);
}

/* A sink that appends to r. */
static struct engine_sink report_sink(struct report *r)
{
	struct engine_sink sink = {.ctx = r, .finding = collect_finding, .flow_end = collect_flow};
	return sink;
}

void report_finish(struct report *r, const struct engine_stats *stats)
{
	r->stats = *stats;
	spool_seal(&r->flows);
	spool_seal(&r->findings);
}

int report_fault(const struct report *r, char *msg, size_t len)
{
	int error = spool_fault(&r->flows, msg, len);
	if (!error)
		error = spool_fault(&r->findings, msg, len);
	if (!error && r->records)
		error = r->records->fault(r->records_ctx, msg, len);
	return error;
}

void report_free_inputs(struct report *r)
{
	for (size_t i = 0; i < r->ninputs; i++)
		free(r->inputs[i]);
	free(r->inputs);
	r->inputs = NULL;
	r->ninputs = 0;
}

void report_free(struct report *r)
{
	free(r->source);
	report_free_inputs(r);
	free(r->shard.filter);
	spool_free(&r->flows);
	spool_free(&r->findings);
	if (r->records)
		r->records->free(r->records_ctx);
	memset(r, 0, sizeof *r);
}

static void reader_open(const struct report *r, struct report_reader *rd, bool flows)
{
	rd->report = r;
	rd->state = NULL;
	if (r->records)
		rd->state = r->records->open(r->records_ctx, flows);
	else
		spool_reader_open(&rd->spool, flows ? &r->flows : &r->findings);
}

void report_read_flows(const struct report *r, struct report_reader *rd)
{
	reader_open(r, rd, true);
}

const struct flow_summary *report_next_flow(struct report_reader *rd)
{
	if (rd->state)
		return rd->report->records->copy_next(rd->state, &rd->copy.flow) ? &rd->copy.flow : NULL;
	return spool_reader_next(&rd->spool);
}

bool report_copy_next_flow(struct report_reader *rd, struct flow_summary *out)
{
	if (rd->state)
		return rd->report->records->copy_next(rd->state, out);
	const struct flow_summary *s = spool_reader_next(&rd->spool);
	if (s)
		*out = *s;
	return s != NULL;
}

void report_read_findings(const struct report *r, struct report_reader *rd)
{
	reader_open(r, rd, false);
}

const struct finding *report_next_finding(struct report_reader *rd)
{
	if (rd->state)
		return rd->report->records->copy_next(rd->state, &rd->copy.finding) ? &rd->copy.finding : NULL;
	return spool_reader_next(&rd->spool);
}

void report_reader_close(struct report_reader *rd)
{
	if (rd->state)
		rd->report->records->close(rd->state);
	else
		spool_reader_close(&rd->spool);
}

/* Forwards each event to the report and to an optional extra sink. */
struct tee {
	struct engine_sink a, b;
};

static void tee_packet(void *ctx, const struct packet_view *v)
{
	struct tee *t = ctx;
	if (t->a.packet)
		t->a.packet(t->a.ctx, v);
	if (t->b.packet)
		t->b.packet(t->b.ctx, v);
}

static void tee_finding(void *ctx, const struct finding *f)
{
	struct tee *t = ctx;
	if (t->a.finding)
		t->a.finding(t->a.ctx, f);
	if (t->b.finding)
		t->b.finding(t->b.ctx, f);
}

static void tee_flow(void *ctx, const struct flow_summary *s)
{
	struct tee *t = ctx;
	if (t->a.flow_end)
		t->a.flow_end(t->a.ctx, s);
	if (t->b.flow_end)
		t->b.flow_end(t->b.ctx, s);
}

/* A join's report names its parts, in the order they were merged. */
static void report_name_parts(struct report *r, const struct capture *cap)
{
	size_t n = capture_parts(cap);
	if (n < 2 || r->inputs)
		return;
	r->inputs = xcalloc(n, sizeof *r->inputs);
	r->ninputs = n;
	for (size_t i = 0; i < n; i++)
		r->inputs[i] = xstrdup(capture_part_name(cap, i));
	free(r->source);
	r->source = capture_title(cap);
}

int report_run_capture(struct report *r, struct capture *cap, const struct engine_config *cfg,
		       const struct engine_sink *extra, char *err, size_t errlen)
{
	r->nanosecond = capture_nanosecond(cap);
	report_name_parts(r, cap);
	capture_read_through(cap); /* nothing here seeks back (SPEC §12: no per-packet ftell, no copy) */
	struct tee tee = {.a = r->counts_only ? (struct engine_sink){0} : report_sink(r)};
	if (extra)
		tee.b = *extra;
	/* Without a packet sink the engine skips building a view of every packet. */
	struct engine_sink sink = {.ctx = &tee,
				   .packet = tee.a.packet || tee.b.packet ? tee_packet : NULL,
				   .finding = tee_finding,
				   .flow_end = tee_flow};
	struct engine *e = engine_new(cfg, &sink);
	struct capture_record rec;
	enum capture_status st;
	int rc = 0;
	while ((st = capture_next(cap, &rec)) == CAPTURE_PACKET)
		engine_packet(e, &rec);
	/* pcapng files declare interfaces as they go: list the link types once all are read. */
	int linktypes[REPORT_MAX_LINKTYPES];
	size_t n = capture_linktypes(cap, linktypes, REPORT_MAX_LINKTYPES);
	r->nlinktypes = n < REPORT_MAX_LINKTYPES ? n : REPORT_MAX_LINKTYPES;
	for (size_t i = 0; i < r->nlinktypes; i++)
		snprintf(r->linktypes[i], sizeof r->linktypes[i], "%s", capture_linktype_name(linktypes[i]));
	if (st == CAPTURE_TRUNCATED) {
		uint64_t segment = r->finding_segment;
		engine_input_truncated(e, capture_error(cap));
		/* Where another engine raises it (flow-set.h), the finding still closes this one's stretch of the
		 * order. */
		r->finding_segment = segment + 1;
	} else if (st == CAPTURE_ERROR) {
		snprintf(err, errlen, "%s: %s", r->source, capture_error(cap));
		rc = -1;
	}
	engine_finish(e);
	struct engine_stats stats;
	engine_get_stats(e, &stats);
	report_finish(r, &stats);
	engine_free(e);
	capture_close(cap);
	return rc;
}
