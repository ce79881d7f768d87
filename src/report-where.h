/*
 * report-where.h - the part of a finished report that a flow expression
 * selects (`report --where EXPR`, `extract --where EXPR`): the flows that
 * match, their findings and the capture-wide ones, as a report of its own
 * (report.h), so every output format prints it unchanged. The capture
 * counts (packets, flows seen, link types) stay those of the whole capture.
 *
 * Words of the expression match the flow's row as in the flows view, its
 * worst finding included: the first finding of its worst severity, found by
 * a pass over the findings before the pass over the flows.
 */
#ifndef TCPSCOPE_REPORT_WHERE_H
#define TCPSCOPE_REPORT_WHERE_H

#include "report-expr.h"
#include "report.h"

/* Fills out (which it initialises) with what e selects from in; report_free(out) after. */
void report_where(const struct report *in, const struct flow_expr *e, struct report *out);

#endif
