/*
 * report-where.c - copies the flows of a report that match a flow
 * expression, with their findings, into a new report (report-where.h).
 *
 * Three passes over the spooled report, none holding more than one flow:
 * the findings give each flow id its worst finding (an array by id, 4 bytes
 * a flow), the flows are matched and copied, and the findings of the flows
 * copied (a bitmap by id) and the capture-wide ones follow them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mem-alloc.h"
#include "report-where.h"

/* Grows an array of n zeroed elements of size each so that index i exists. */
static void *grow_to(void *vec, size_t *n, size_t i, size_t size)
{
	if (i < *n)
		return vec;
	size_t want = i + 1 > *n * 2 ? i + 1 : *n * 2;
	vec = xrealloc(vec, want * size);
	memset((char *)vec + *n * size, 0, (want - *n) * size);
	*n = want;
	return vec;
}

void report_where(const struct report *in, const struct flow_expr *e, struct report *out)
{
	report_init(out, in->source);
	memcpy(out->linktypes, in->linktypes, sizeof out->linktypes);
	out->nlinktypes = in->nlinktypes;
	out->nanosecond = in->nanosecond;

	/* The worst finding of each flow: F_* + 1 at its id, 0 for none. */
	uint32_t *worst = NULL;
	size_t nworst = 0;
	struct report_reader rd;
	const struct finding *f;
	report_read_findings(in, &rd);
	while ((f = report_next_finding(&rd))) {
		if (!f->flow)
			continue;
		worst = grow_to(worst, &nworst, f->flow, sizeof *worst);
		uint32_t *w = &worst[f->flow];
		if (!*w || finding_info(f->id)->severity > finding_info((enum finding_id)(*w - 1))->severity)
			*w = (uint32_t)f->id + 1;
	}
	report_reader_close(&rd);

	uint8_t *chosen = NULL;
	size_t nchosen = 0;
	const struct flow_summary *s;
	report_read_flows(in, &rd);
	while ((s = report_next_flow(&rd))) {
		uint32_t w = s->id < nworst ? worst[s->id] : 0;
		if (!flow_expr_match(e, s, w ? finding_info((enum finding_id)(w - 1))->code : NULL))
			continue;
		report_add_flow(out, s);
		chosen = grow_to(chosen, &nchosen, s->id / 8, 1);
		chosen[s->id / 8] |= (uint8_t)(1u << (s->id % 8));
	}
	report_reader_close(&rd);

	report_read_findings(in, &rd);
	while ((f = report_next_finding(&rd)))
		if (!f->flow || (f->flow / 8 < nchosen && chosen[f->flow / 8] & (1u << (f->flow % 8))))
			report_add_finding(out, f);
	report_reader_close(&rd);
	free(worst);
	free(chosen);
	report_finish(out, &in->stats);
}
