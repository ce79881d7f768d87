/*
 * output-json.c - JSON writers for the report document (SPEC §5.1), the
 * packets lines (§5.2) and the stream lines (§10). Output is deterministic:
 * fixed key order, fixed number formats, no locale dependence.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "output.h"
#include "tcp-state.h"

void output_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void output_json_seconds(FILE *out, int64_t ns, bool nanosecond)
{
	const char *sign = ns < 0 ? "-" : "";
	uint64_t a = ns < 0 ? (uint64_t)-ns : (uint64_t)ns;
	if (nanosecond)
		fprintf(out, "%s%" PRIu64 ".%09" PRIu64, sign, a / 1000000000u, a % 1000000000u);
	else
		fprintf(out, "%s%" PRIu64 ".%06" PRIu64, sign, a / 1000000000u, (a % 1000000000u) / 1000u);
}

void output_format_addr(char *buf, size_t len, int ip_version, const uint8_t *addr)
{
	if (!inet_ntop(ip_version == 6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void output_format_flags(char *buf, uint8_t flags)
{
	static const struct {
		uint8_t bit;
		char letter;
	} order[] = {{TCP_SYN, 'S'}, {TCP_FIN, 'F'}, {TCP_RST, 'R'}, {TCP_PSH, 'P'},
		     {TCP_ACK, 'A'}, {TCP_URG, 'U'}, {TCP_ECE, 'E'}, {TCP_CWR, 'W'}};
	int n = 0;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (flags & order[i].bit)
			buf[n++] = order[i].letter;
	buf[n] = '\0';
}

static void json_side_pair_u64(FILE *out, const char *key, const uint64_t v[2])
{
	fprintf(out, "\"%s\": {\"client\": %" PRIu64 ", \"server\": %" PRIu64 "}", key, v[0], v[1]);
}

static void json_optional_seconds(FILE *out, int64_t ns, bool nanosecond)
{
	if (ns < 0)
		fputs("null", out);
	else
		output_json_seconds(out, ns, nanosecond);
}

static void json_rtt(FILE *out, const struct rtt_summary *r, bool nano)
{
	fprintf(out, "{\"samples\": %u, \"min\": ", r->samples);
	json_optional_seconds(out, r->samples ? r->min_ns : -1, nano);
	fputs(", \"avg\": ", out);
	json_optional_seconds(out, r->samples ? r->avg_ns : -1, nano);
	fputs(", \"max\": ", out);
	json_optional_seconds(out, r->samples ? r->max_ns : -1, nano);
	fputc('}', out);
}

/* Payload bytes per second over the flow's duration (null for an instant flow). */
static void json_throughput(FILE *out, uint64_t bytes, int64_t duration_ns)
{
	if (duration_ns <= 0)
		fputs("null", out);
	else
		fprintf(out, "%.1f", (double)bytes * 1e9 / (double)duration_ns);
}

static void json_endpoint(FILE *out, const char *key, const struct flow_summary *s, int side)
{
	char addr[64];
	output_format_addr(addr, sizeof addr, s->ip_version, s->addr[side]);
	fprintf(out, "\"%s\": {\"addr\": \"%s\", \"port\": %u}", key, addr, s->port[side]);
}

static void json_int_or_null(FILE *out, long v, bool present)
{
	if (present)
		fprintf(out, "%ld", v);
	else
		fputs("null", out);
}

static void json_flow_fields(FILE *out, const struct flow_summary *s, bool nano)
{
	static const char *const closer[] = {"\"client\"", "\"server\""};
	fprintf(out, "\"id\": %u, \"ip_version\": %u, ", s->id, s->ip_version);
	json_endpoint(out, "client", s, 0);
	fputs(", ", out);
	json_endpoint(out, "server", s, 1);
	fprintf(out, ", \"direction_guessed\": %s, \"first_frame\": %" PRIu64 ", \"last_frame\": %" PRIu64
		     ", \"start_time\": ",
		s->direction_guessed ? "true" : "false", s->first_frame, s->last_frame);
	output_json_seconds(out, s->start_ns, nano);
	fputs(", \"duration\": ", out);
	output_json_seconds(out, s->end_ns - s->start_ns, nano);
	fputs(", ", out);
	json_side_pair_u64(out, "packets", s->packets);
	fputs(", ", out);
	json_side_pair_u64(out, "payload_bytes", s->payload_bytes);
	fputs(", ", out);
	json_side_pair_u64(out, "retransmitted_bytes", s->retrans_bytes);
	fprintf(out, ", \"handshake\": \"%s\", \"close\": \"%s\", \"closed_first_by\": %s", s->handshake, s->close,
		s->closed_first_by < 0 ? "null" : closer[s->closed_first_by]);
	fprintf(out, ", \"state\": {\"client\": \"%s\", \"server\": \"%s\"}, \"time_wait_left\": ",
		tcp_state_name(s->state[0]), tcp_state_name(s->state[1]));
	json_optional_seconds(out, s->time_wait_left_ns, nano);
	fputs(", \"conn_state\": ", out);
	output_json_string(out, s->conn_state);
	fputs(", \"history\": ", out);
	output_json_string(out, s->history);
	fprintf(out, ", \"completeness\": %u, \"options\": {\"mss\": [", s->completeness);
	json_int_or_null(out, s->mss[0], s->mss[0] != 0);
	fputs(", ", out);
	json_int_or_null(out, s->mss[1], s->mss[1] != 0);
	fputs("], \"wscale\": [", out);
	json_int_or_null(out, s->wscale[0], s->wscale[0] >= 0);
	fputs(", ", out);
	json_int_or_null(out, s->wscale[1], s->wscale[1] >= 0);
	fprintf(out, "], \"sack_permitted\": %s, \"timestamps\": %s, \"tfo\": %s, \"ecn\": %s}, \"irtt\": ",
		s->sack_permitted ? "true" : "false", s->timestamps ? "true" : "false", s->tfo ? "true" : "false",
		s->ecn ? "true" : "false");
	json_optional_seconds(out, s->irtt_ns, nano);
	fputs(", \"rtt\": {\"client\": ", out);
	json_rtt(out, &s->rtt[0], nano);
	fputs(", \"server\": ", out);
	json_rtt(out, &s->rtt[1], nano);
	fprintf(out, "}, \"keepalives\": {\"client\": %u, \"server\": %u}, \"keepalive_interval\": {\"client\": ",
		s->keepalives[0], s->keepalives[1]);
	json_optional_seconds(out, s->keepalive_interval_ns[0], nano);
	fputs(", \"server\": ", out);
	json_optional_seconds(out, s->keepalive_interval_ns[1], nano);
	fprintf(out, "}, \"max_in_flight\": {\"client\": %u, \"server\": %u}, \"throughput\": {\"client\": ",
		s->max_in_flight[0], s->max_in_flight[1]);
	json_throughput(out, s->payload_bytes[0], s->end_ns - s->start_ns);
	fputs(", \"server\": ", out);
	json_throughput(out, s->payload_bytes[1], s->end_ns - s->start_ns);
	fputs("}, \"zero_window_time\": {\"client\": ", out);
	output_json_seconds(out, s->zero_window_ns[0], nano);
	fputs(", \"server\": ", out);
	output_json_seconds(out, s->zero_window_ns[1], nano);
	fputs("}, \"labels\": {", out);
	const char *sep = "";
	for (int l = 0; l < L_COUNT; l++)
		if (s->labels[l]) {
			fprintf(out, "%s\"%s\": %u", sep, label_info((enum label_id)l)->name, s->labels[l]);
			sep = ", ";
		}
	fprintf(out, "}, \"findings\": {\"error\": %u, \"warning\": %u, \"note\": %u}", s->findings[SEV_ERROR],
		s->findings[SEV_WARNING], s->findings[SEV_NOTE]);
}

void output_json_flow(FILE *out, const struct flow_summary *s, bool nano)
{
	fputc('{', out);
	json_flow_fields(out, s, nano);
	fputc('}', out);
}

static void json_finding_fields(FILE *out, const struct finding *f, bool nano)
{
	const struct catalogue_entry *c = finding_info(f->id);
	fprintf(out, "\"frame\": %" PRIu64 ", \"flow\": ", f->frame);
	json_int_or_null(out, (long)f->flow, f->flow != 0);
	fputs(", \"time\": ", out);
	output_json_seconds(out, f->time_ns, nano);
	fprintf(out, ", \"severity\": \"%s\", \"code\": \"%s\", \"message\": ", severity_name(c->severity), c->code);
	output_json_string(out, f->message);
}

void output_json_finding(FILE *out, const struct finding *f, bool nano)
{
	fputc('{', out);
	json_finding_fields(out, f, nano);
	fputc('}', out);
}

void output_stream_finding(FILE *out, const struct finding *f, bool nano)
{
	fputs("{\"type\": \"finding\", ", out);
	json_finding_fields(out, f, nano);
	fputs("}\n", out);
}

void output_stream_flow(FILE *out, const struct flow_summary *s, bool nano)
{
	fputs("{\"type\": \"flow\", ", out);
	json_flow_fields(out, s, nano);
	fputs("}\n", out);
}

void output_stream_stats(FILE *out, const struct engine_stats *st, uint64_t dropped)
{
	fprintf(out,
		"{\"type\": \"stats\", \"packets\": %" PRIu64 ", \"tcp_packets\": %" PRIu64 ", \"dropped\": %" PRIu64
		", \"flows\": %" PRIu64 ", \"evicted\": %" PRIu64 ", \"peak_active\": %zu"
		", \"decode_errors\": %" PRIu64 "}\n",
		st->packets, st->tcp_packets, dropped, st->flows_total, st->flows_evicted, st->flows_peak,
		st->decode_errors);
}

void output_json_packet(FILE *out, const struct packet_view *v, bool nano)
{
	const struct packet *p = v->pkt;
	char flags[12];
	output_format_flags(flags, p->flags);
	fprintf(out, "{\"frame\": %" PRIu64 ", \"flow\": %u, \"time\": ", p->frame, v->flow_id);
	output_json_seconds(out, p->time_ns, nano);
	fprintf(out,
		", \"dir\": \"%s\", \"flags\": \"%s\", \"seq\": %u, \"ack\": %u, \"seq_raw\": %u, \"ack_raw\": %u"
		", \"len\": %u, \"win\": %u, \"win_scaled\": ",
		v->from_server ? "server" : "client", flags, v->rel_seq, v->rel_ack, p->seq, p->ack, p->payload_len,
		p->window);
	json_int_or_null(out, (long)((uint64_t)p->window << (v->window_shift < 0 ? 0 : v->window_shift)),
			 v->window_shift >= 0);
	fprintf(out, ", \"state\": {\"client\": \"%s\", \"server\": \"%s\"}, \"labels\": [",
		tcp_state_name(v->state[0]), tcp_state_name(v->state[1]));
	const char *sep = "";
	for (int l = 0; l < L_COUNT; l++)
		if (v->labels & (1u << l)) {
			fprintf(out, "%s\"%s\"", sep, label_info((enum label_id)l)->name);
			sep = ", ";
		}
	fputs("], \"findings\": [", out);
	for (int i = 0; i < v->nfindings; i++)
		fprintf(out, "%s\"%s\"", i ? ", " : "", finding_info(v->findings[i])->code);
	fputc(']', out);
	if (v->labels & (1u << L_DUPLICATE_ACK))
		fprintf(out, ", \"dupack_num\": %u", v->dupack_num);
	if (v->bytes_in_flight >= 0)
		fprintf(out, ", \"bytes_in_flight\": %lld", (long long)v->bytes_in_flight);
	fputs("}\n", out);
}

void output_json_report(FILE *out, const struct report *r)
{
	const struct engine_stats *st = &r->stats;
	bool nano = r->nanosecond;
	fprintf(out, "{\n  \"format\": %d,\n  \"tool\": \"tcpscope\",\n  \"version\": \"%s\",\n  \"capture\": {\"source\": ",
		OUTPUT_FORMAT_VERSION, PACKAGE_VERSION);
	output_json_string(out, r->source);
	fprintf(out, ", \"packets\": %" PRIu64 ", \"tcp_packets\": %" PRIu64 ", \"linktypes\": [", st->packets,
		st->tcp_packets);
	for (size_t i = 0; i < r->nlinktypes; i++)
		fprintf(out, "%s\"%s\"", i ? ", " : "", r->linktypes[i]);
	fputs("], \"first_time\": ", out);
	json_optional_seconds(out, st->packets ? st->first_ns : -1, nano);
	fputs(", \"last_time\": ", out);
	json_optional_seconds(out, st->packets ? st->last_ns : -1, nano);
	fprintf(out, ", \"truncated\": %s, \"decode_errors\": %" PRIu64 ", \"flows\": %zu},\n  \"flows\": [",
		st->truncated ? "true" : "false", st->decode_errors, r->nflows);
	for (size_t i = 0; i < r->nflows; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		output_json_flow(out, &r->flows[i], nano);
	}
	fputs(r->nflows ? "\n  ],\n  \"findings\": [" : "],\n  \"findings\": [", out);
	for (size_t i = 0; i < r->nfindings; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		output_json_finding(out, &r->findings[i], nano);
	}
	fputs(r->nfindings ? "\n  ]\n}\n" : "]\n}\n", out);
}
