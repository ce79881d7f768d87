/*
 * output.h - the machine and human formats (SPEC §5, docs/formats.md):
 * the report as JSON or text, one JSON line per packet, and the JSON Lines
 * stream of findings and flows. Everything here writes to a FILE* and reads
 * plain records (report, flow_summary, finding, packet_view); no engine state.
 */
#ifndef TCPSCOPE_OUTPUT_H
#define TCPSCOPE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "report.h"
#include "text-format.h"

#define OUTPUT_FORMAT_VERSION 1

/* Writes a JSON string literal with escapes. */
void output_json_string(FILE *out, const char *s);
/* Seconds since the epoch (or a duration) with 6 or 9 decimals. */
void output_json_seconds(FILE *out, int64_t ns, bool nanosecond);

void output_json_flow(FILE *out, const struct flow_summary *s, bool nanosecond);
/* The bytes a flow object (or its stream line) takes at most. */
#define OUTPUT_JSON_FLOW_MAX 8192
/* Writes the flow object from p on, which has room for OUTPUT_JSON_FLOW_MAX bytes; returns its end. */
char *output_json_flow_text(char *p, const struct flow_summary *s, bool nanosecond);
void output_json_finding(FILE *out, const struct finding *f, bool nanosecond);
void output_json_packet(FILE *out, const struct packet_view *v, bool nanosecond);
/* JSON Lines stream objects (SPEC §10), one per line. */
void output_stream_finding(FILE *out, const struct finding *f, bool nanosecond);
void output_stream_flow(FILE *out, const struct flow_summary *s, bool nanosecond);
void output_stream_stats(FILE *out, const struct engine_stats *st, uint64_t dropped);
/*
 * The whole JSON report, in two back ends that write the same bytes: by the
 * calling thread (output-json-text.c), or with its flows formatted in that
 * many threads (output-json-threaded.c; in the calling one with fewer than
 * two, or few flows), as many as made the report (report.threads) using
 * the memory they left behind.
 */
void output_json_report(FILE *out, const struct report *r);
void output_json_report_threaded(FILE *out, const struct report *r, uint32_t threads);
/*
 * The JSON report in pieces, for writers that bring their own flows and
 * findings (tcpscope merge): the head up to the flows array (source_json,
 * when not NULL, is the source already written as JSON: its string and, for
 * a join, the "parts" member after it), each
 * item's separator, the turn from flows to findings, the end.
 */
void output_json_report_head(FILE *out, const struct report *r, const char *source_json);
void output_json_report_item(FILE *out, bool first);
void output_json_report_findings(FILE *out, bool any_flows);
void output_json_report_end(FILE *out, bool any_findings);
/* What follows the flows of r's own report: the turn, its findings, the end. */
void output_json_report_tail(FILE *out, const struct report *r);
void output_text_report(FILE *out, const struct report *r);

#endif
