/*
 * report.c - collects one input's findings and flow summaries, and drives a
 * whole file through the engine (the batch face of the pipeline). An extra
 * sink may watch the same run (the packets command, the JSON stream).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "report.h"
#include "xalloc.h"

void report_init(struct report *r, const char *source)
{
	memset(r, 0, sizeof *r);
	r->source = xstrdup(source);
}

static void collect_finding(void *ctx, const struct finding *f)
{
	struct report *r = ctx;
	r->findings = xgrow(r->findings, &r->findings_cap, r->nfindings + 1, sizeof *r->findings);
	/* Findings arrive in frame order, except the few judged when a flow ends: slot those in. */
	size_t at = r->nfindings;
	while (f->frame && at > 0 && r->findings[at - 1].frame > f->frame)
		at--;
	memmove(&r->findings[at + 1], &r->findings[at], (r->nfindings - at) * sizeof *r->findings);
	r->findings[at] = *f;
	r->nfindings++;
	r->severity_counts[finding_info(f->id)->severity]++;
}

static void collect_flow(void *ctx, const struct flow_summary *s)
{
	struct report *r = ctx;
	r->flows = xgrow(r->flows, &r->flows_cap, r->nflows + 1, sizeof *r->flows);
	r->flows[r->nflows++] = *s;
}

struct engine_sink report_sink(struct report *r)
{
	struct engine_sink sink = {.ctx = r, .finding = collect_finding, .flow_end = collect_flow};
	return sink;
}

static int compare_flows(const void *a, const void *b)
{
	const struct flow_summary *fa = a, *fb = b;
	return (fa->id > fb->id) - (fa->id < fb->id);
}

void report_finish(struct report *r, const struct engine_stats *stats)
{
	r->stats = *stats;
	/*
	 * Flows end in any order, but often in id order already, and then
	 * sorting 448-byte records only costs. (An empty report never reaches
	 * qsort, which must not be given its NULL.)
	 */
	size_t i = 1;
	while (i < r->nflows && r->flows[i - 1].id < r->flows[i].id)
		i++;
	if (i < r->nflows)
		qsort(r->flows, r->nflows, sizeof *r->flows, compare_flows);
}

void report_free(struct report *r)
{
	free(r->source);
	free(r->flows);
	free(r->findings);
	memset(r, 0, sizeof *r);
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

int report_run_file(struct report *r, const char *path, const char *filter, const struct engine_config *cfg,
		    const struct engine_sink *extra, char *err, size_t errlen)
{
	struct capture *cap = capture_open_file(path, filter, err, errlen);
	if (!cap)
		return -1;
	return report_run_capture(r, cap, cfg, extra, err, errlen);
}

int report_run_capture(struct report *r, struct capture *cap, const struct engine_config *cfg,
		       const struct engine_sink *extra, char *err, size_t errlen)
{
	r->nanosecond = capture_nanosecond(cap);
	capture_no_offsets(cap); /* nothing here seeks back (SPEC §12: no per-packet ftell) */
	struct tee tee = {.a = report_sink(r)};
	if (extra)
		tee.b = *extra;
	struct engine_sink sink = {.ctx = &tee, .packet = tee_packet, .finding = tee_finding, .flow_end = tee_flow};
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
		engine_input_truncated(e, capture_error(cap));
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
