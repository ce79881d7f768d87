/*
 * output-text.c - the human-readable report: a capture summary, a flow table
 * and the findings grouped by code (SPEC §5.1 "Text").
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "xalloc.h"

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
	char client[80], server[80], ca[64], sa[64], bytes[24], irtt[24];
	output_format_addr(ca, sizeof ca, s->ip_version, s->addr[0]);
	output_format_addr(sa, sizeof sa, s->ip_version, s->addr[1]);
	snprintf(client, sizeof client, s->ip_version == 6 ? "[%s]:%u" : "%s:%u", ca, s->port[0]);
	snprintf(server, sizeof server, s->ip_version == 6 ? "[%s]:%u" : "%s:%u", sa, s->port[1]);
	format_bytes(bytes, sizeof bytes, s->payload_bytes[0] + s->payload_bytes[1]);
	if (s->irtt_ns >= 0)
		snprintf(irtt, sizeof irtt, "%.3f ms", s->irtt_ns / 1e6);
	else
		snprintf(irtt, sizeof irtt, "-");
	uint32_t retrans =
		s->labels[L_RETRANSMISSION] + s->labels[L_FAST_RETRANSMISSION] + s->labels[L_SPURIOUS_RETRANSMISSION];
	fprintf(out, "%5u  %-24s %-24s %-12s %-5s %-12s %-12s %-6s %-12s %7" PRIu64 " %10s %5u %10s  %uE %uW %uN\n",
		s->id, client, server, s->handshake, s->close, tcp_state_name(s->state[0]), tcp_state_name(s->state[1]),
		s->conn_state, s->history, s->packets[0] + s->packets[1], bytes, retrans, irtt, s->findings[SEV_ERROR],
		s->findings[SEV_WARNING], s->findings[SEV_NOTE]);
}

static int compare_codes(const void *a, const void *b)
{
	const struct finding *fa = *(const struct finding *const *)a, *fb = *(const struct finding *const *)b;
	const struct catalogue_entry *ca = finding_info(fa->id), *cb = finding_info(fb->id);
	if (ca->severity != cb->severity)
		return ca->severity > cb->severity ? -1 : 1;
	int c = strcmp(ca->code, cb->code);
	if (c)
		return c;
	return (fa->frame > fb->frame) - (fa->frame < fb->frame);
}

static void print_findings(FILE *out, const struct report *r)
{
	if (r->nfindings == 0) {
		fputs("\nNo findings.\n", out);
		return;
	}
	const struct finding **order = xmalloc(r->nfindings * sizeof *order);
	for (size_t i = 0; i < r->nfindings; i++)
		order[i] = &r->findings[i];
	qsort(order, r->nfindings, sizeof *order, compare_codes);
	fputs("\nFindings by code:\n", out);
	for (size_t i = 0; i < r->nfindings;) {
		size_t j = i;
		while (j < r->nfindings && order[j]->id == order[i]->id)
			j++;
		const struct catalogue_entry *c = finding_info(order[i]->id);
		fprintf(out, "  %-7s %s (%zu): %s\n", severity_name(c->severity), c->code, j - i, c->title);
		for (size_t k = i; k < j && k < i + EXAMPLES_PER_CODE; k++) {
			if (order[k]->flow)
				fprintf(out, "      frame %" PRIu64 ", flow %u: %s\n", order[k]->frame, order[k]->flow,
					order[k]->message);
			else
				fprintf(out, "      frame %" PRIu64 ": %s\n", order[k]->frame, order[k]->message);
		}
		if (j - i > EXAMPLES_PER_CODE)
			fprintf(out, "      ... and %zu more\n", j - i - EXAMPLES_PER_CODE);
		i = j;
	}
	free(order);
}

/* Totals of each analysis label over all flows, named as Wireshark's tcp.analysis.* flags. */
static void print_label_totals(FILE *out, const struct report *r)
{
	uint64_t totals[L_COUNT] = {0};
	bool any = false;
	for (size_t i = 0; i < r->nflows; i++)
		for (int l = 0; l < L_COUNT; l++) {
			totals[l] += r->flows[i].labels[l];
			any |= r->flows[i].labels[l] != 0;
		}
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
	fprintf(out, "Capture %s: %" PRIu64 " packets (%" PRIu64 " TCP), link type%s ", r->source, st->packets,
		st->tcp_packets, r->nlinktypes > 1 ? "s" : "");
	for (size_t i = 0; i < r->nlinktypes; i++)
		fprintf(out, "%s%s", i ? ", " : "", r->linktypes[i]);
	fprintf(out, "%s%s\n", r->nlinktypes ? "" : "none", st->truncated ? ", TRUNCATED" : "");
	if (st->packets) {
		char first[48];
		format_utc(first, sizeof first, st->first_ns);
		fprintf(out, "  from %s, %.6f s long\n", first, (st->last_ns - st->first_ns) / 1e9);
	}
	fprintf(out, "  %zu flows; findings: %u errors, %u warnings, %u notes; %" PRIu64 " decode errors\n", r->nflows,
		r->severity_counts[SEV_ERROR], r->severity_counts[SEV_WARNING], r->severity_counts[SEV_NOTE],
		st->decode_errors);
	if (r->nflows) {
		fprintf(out, "\n%5s  %-24s %-24s %-12s %-5s %-12s %-12s %-6s %-12s %7s %10s %5s %10s  %s\n", "ID",
			"CLIENT", "SERVER", "HANDSHAKE", "CLOSE", "CLIENT END", "SERVER END", "CONN", "HISTORY", "PKTS",
			"BYTES", "RETX", "IRTT", "FINDINGS");
		for (size_t i = 0; i < r->nflows; i++)
			print_flow_row(out, &r->flows[i]);
	}
	print_label_totals(out, r);
	print_findings(out, r);
}
