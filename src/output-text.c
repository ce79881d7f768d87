/*
 * output-text.c - the human-readable report: a capture summary, a flow table
 * and the findings grouped by code (SPEC §5.1 "Text"): per code its count and
 * the first EXAMPLES_PER_CODE findings, so that printing needs no more memory
 * for a million findings than for ten.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis-labels.h"
#include "mem-alloc.h"
#include "output.h"
#include "text-safe.h"

enum { EXAMPLES_PER_CODE = 5 };

static void format_bytes(char *buf, size_t len, uint64_t n)
{
	if (n < 10000)
		snprintf(buf, len, "%" PRIu64 " B", n);
	else if (n < 10000000)
		snprintf(buf, len, "%.1f KB", n / 1000.0);
	else
		snprintf(buf, len, "%.1f MB", n / 1e6);
}

static void format_utc(char *buf, size_t len, int64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ld UTC", (long)((ns % 1000000000) / 1000));
}

static void print_flow_row(FILE *out, const struct flow_summary *s)
{
	char client[80], server[80], bytes[24], irtt[24];
	text_format_endpoint(client, sizeof client, s, 0);
	text_format_endpoint(server, sizeof server, s, 1);
	format_bytes(bytes, sizeof bytes, s->payload_bytes[0] + s->payload_bytes[1]);
	if (s->irtt_ns >= 0)
		snprintf(irtt, sizeof irtt, "%.3f ms", s->irtt_ns / 1e6);
	else
		snprintf(irtt, sizeof irtt, "-");
	uint32_t retrans = labels_retransmitted_packets(s->labels);
	fprintf(out, "%5u  %-24s %-24s %-12s %-5s %-12s %-12s %-6s %-12s %7" PRIu64 " %10s %5u %10s  %-7s %uE %uW %uN",
		s->id, client, server, s->handshake, s->close, tcp_state_name(s->state[0]), tcp_state_name(s->state[1]),
		s->conn_state, s->history, s->packets[0] + s->packets[1], bytes, retrans, irtt,
		s->vantage != VANTAGE_UNKNOWN ? summary_vantage_name(s->vantage) : "-", s->findings[SEV_ERROR],
		s->findings[SEV_WARNING], s->findings[SEV_NOTE]);
	if (s->findings_dropped)
		fprintf(out, " (%u dropped)", s->findings_dropped);
	fputc('\n', out);
}

/* One code's part of the findings: how many, and the first few in report order. */
struct code_group {
	size_t count;
	struct finding examples[EXAMPLES_PER_CODE];
};

static int compare_codes(const void *a, const void *b)
{
	const struct catalogue_entry *ca = finding_info(*(const enum finding_id *)a),
				     *cb = finding_info(*(const enum finding_id *)b);
	if (ca->severity != cb->severity)
		return ca->severity > cb->severity ? -1 : 1;
	return strcmp(ca->code, cb->code);
}

/* Severity first, then code; a few examples of each, so memory does not grow with the findings. */
static void print_findings(FILE *out, const struct report *r)
{
	if (r->nfindings == 0) {
		fputs("\nNo findings.\n", out);
		return;
	}
	struct code_group *groups = xcalloc(F_COUNT, sizeof *groups);
	struct report_reader rd;
	const struct finding *f;
	report_read_findings(r, &rd);
	while ((f = report_next_finding(&rd))) {
		struct code_group *g = &groups[f->id];
		if (g->count < EXAMPLES_PER_CODE)
			g->examples[g->count] = *f;
		g->count++;
	}
	report_reader_close(&rd);
	enum finding_id codes[F_COUNT];
	size_t ncodes = 0;
	for (int id = 0; id < F_COUNT; id++)
		if (groups[id].count)
			codes[ncodes++] = (enum finding_id)id;
	qsort(codes, ncodes, sizeof *codes, compare_codes);
	fputs("\nFindings by code:\n", out);
	for (size_t i = 0; i < ncodes; i++) {
		const struct code_group *g = &groups[codes[i]];
		const struct catalogue_entry *c = finding_info(codes[i]);
		fprintf(out, "  %-7s %s (%zu): %s\n", severity_name(c->severity), c->code, g->count, c->title);
		for (size_t k = 0; k < g->count && k < EXAMPLES_PER_CODE; k++) {
			const struct finding *e = &g->examples[k];
			if (e->flow)
				fprintf(out, "      frame %" PRIu64 ", flow %u: %s\n", e->frame, e->flow, e->message);
			else
				fprintf(out, "      frame %" PRIu64 ": %s\n", e->frame, e->message);
		}
		if (g->count > EXAMPLES_PER_CODE)
			fprintf(out, "      ... and %zu more\n", g->count - EXAMPLES_PER_CODE);
	}
	free(groups);
}

/* Totals of each analysis label over all flows, named as Wireshark's tcp.analysis.* flags. */
static void print_label_totals(FILE *out, const uint64_t totals[L_COUNT])
{
	bool any = false;
	for (int l = 0; l < L_COUNT; l++)
		any |= totals[l] != 0;
	if (!any)
		return;
	fputs("\nAnalysis labels:", out);
	const char *sep = " ";
	for (int l = 0; l < L_COUNT; l++)
		if (totals[l]) {
			fprintf(out, "%s%s %" PRIu64, sep, label_info((enum label_id)l)->name, totals[l]);
			sep = ", ";
		}
	fputc('\n', out);
}

void output_text_report(FILE *out, const struct report *r)
{
	const struct engine_stats *st = &r->stats;
	fputs("Capture ", out);
	text_safe_write(out, r->source);
	fprintf(out, ": %" PRIu64 " packets (%" PRIu64 " TCP), link type%s ", st->packets, st->tcp_packets,
		r->nlinktypes > 1 ? "s" : "");
	for (size_t i = 0; i < r->nlinktypes; i++)
		fprintf(out, "%s%s", i ? ", " : "", r->linktypes[i]);
	fprintf(out, "%s%s\n", r->nlinktypes ? "" : "none", st->truncated ? ", TRUNCATED" : "");
	if (st->packets) {
		char first[48];
		format_utc(first, sizeof first, st->first_ns);
		fprintf(out, "  from %s, %.6f s long\n", first, (st->last_ns - st->first_ns) / 1e9);
	}
	fprintf(out, "  %zu flows; findings: %u errors, %u warnings, %u notes", r->nflows,
		r->severity_counts[SEV_ERROR], r->severity_counts[SEV_WARNING], r->severity_counts[SEV_NOTE]);
	if (r->findings_dropped)
		fprintf(out, " (and %" PRIu64 " dropped past the per-flow cap)", r->findings_dropped);
	fprintf(out, "; %" PRIu64 " decode errors\n", st->decode_errors);
	if (r->nflows)
		fprintf(out, "\n%5s  %-24s %-24s %-12s %-5s %-12s %-12s %-6s %-12s %7s %10s %5s %10s  %-7s %s\n", "ID",
			"CLIENT", "SERVER", "HANDSHAKE", "CLOSE", "CLIENT END", "SERVER END", "CONN", "HISTORY", "PKTS",
			"BYTES", "RETX", "IRTT", "NEAR", "FINDINGS");
	uint64_t label_totals[L_COUNT] = {0};
	struct report_reader rd;
	const struct flow_summary *s;
	report_read_flows(r, &rd);
	while ((s = report_next_flow(&rd))) {
		print_flow_row(out, s);
		for (int l = 0; l < L_COUNT; l++)
			label_totals[l] += s->labels[l];
	}
	report_reader_close(&rd);
	print_label_totals(out, label_totals);
	print_findings(out, r);
}
