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
#include "text-utf8.h"

/*
 * JSON strings (RFC 8259 §7) are written as runs of plain text and single
 * escapes. Plain is well-formed UTF-8 that is neither a quote, a backslash
 * nor a control. Controls become \u00XX: C0, which §7 requires, and DEL and
 * C1 too, so that no JSON text can drive a terminal it is printed on. A byte
 * that is not UTF-8 (a file name can hold anything) becomes U+FFFD, the
 * replacement character, since JSON text must be Unicode (§8.1).
 */
static size_t json_plain_run(const unsigned char *s)
{
	size_t n = 0, len;
	uint32_t cp;
	for (;;) {
		unsigned char c = s[n];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') { /* printable ASCII: no decoding needed */
			n++;
			continue;
		}
		if (c == '\0')
			return n;
		if ((len = utf8_decode(s + n, &cp)) == 0 || utf8_is_control(cp) || cp == '"' || cp == '\\')
			return n;
		n += len;
	}
}

/* The escape for what starts at p (not plain, not the end) into esc; returns the bytes it stands for. */
static size_t json_escape(const unsigned char *p, char esc[8])
{
	uint32_t cp;
	size_t n = utf8_decode(p, &cp);
	if (n == 0) {
		memcpy(esc, "\\ufffd", 7);
		return 1;
	}
	switch (cp) {
	case '"':
	case '\\':
		esc[0] = '\\', esc[1] = (char)cp, esc[2] = '\0';
		break;
	case '\n':
		memcpy(esc, "\\n", 3);
		break;
	case '\t':
		memcpy(esc, "\\t", 3);
		break;
	default:
		snprintf(esc, 8, "\\u%04x", (unsigned)cp);
	}
	return n;
}

void output_json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', out);
	for (;;) {
		size_t run = json_plain_run(p);
		fwrite(p, 1, run, out);
		p += run;
		if (!*p)
			break;
		char esc[8];
		p += json_escape(p, esc);
		fputs(esc, out);
	}
	fputc('"', out);
}

/*
 * Text is written through a cursor, without printf or stdio (SPEC §12): a
 * report prints some forty numbers for each of tens of thousands of flows.
 * Each writer below takes p, where the text goes, in a buffer with room
 * enough (NUM_MAX for a number), and returns where its text ends; a flow
 * object is thus assembled with no check and no call per piece, and leaves
 * in one copy.
 */
#define NUM_MAX 32 /* room for any number written here */

/* Copies n bytes; for a literal (PUT) n is a constant, so the copy is a few moves rather than a call. */
static inline char *put_bytes(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* A string literal (the "" rejects anything else). */
#define PUT(p, lit) put_bytes((p), "" lit, sizeof(lit) - 1)

static char *put_str(char *p, const char *s)
{
	return put_bytes(p, s, strlen(s));
}

/* "00" to "99": digits are written two at a time, halving the divisions. */
static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				  "8081828384858687888990919293949596979899";

static inline char *put_pair(char *p, unsigned v)
{
	return put_bytes(p, &digit_pairs[v * 2], 2);
}

/*
 * The digits of v, written backwards from end; returns where they start.
 * Once v fits in 32 bits (at once, for all but a few), dividing it is a
 * shorter sequence than dividing 64 bits.
 */
static char *json_digits(char *end, uint64_t v)
{
	for (; v > UINT32_MAX; v /= 100) {
		end -= 2;
		memcpy(end, &digit_pairs[v % 100 * 2], 2);
	}
	uint32_t w = (uint32_t)v;
	for (; w >= 100; w /= 100) {
		end -= 2;
		memcpy(end, &digit_pairs[w % 100 * 2], 2);
	}
	if (w >= 10) {
		end -= 2;
		memcpy(end, &digit_pairs[w * 2], 2);
	} else {
		*--end = (char)('0' + w);
	}
	return end;
}

/* 10^0 .. 10^19: the smallest value of each number of digits. */
static const uint64_t powers_of_ten[20] = {1,
					   10,
					   100,
					   1000,
					   10000,
					   100000,
					   1000000,
					   10000000,
					   100000000,
					   1000000000,
					   10000000000ULL,
					   100000000000ULL,
					   1000000000000ULL,
					   10000000000000ULL,
					   100000000000000ULL,
					   1000000000000000ULL,
					   10000000000000000ULL,
					   100000000000000000ULL,
					   1000000000000000000ULL,
					   10000000000000000000ULL};

/* How many digits json_digits() writes for v. */
static int json_digit_count(uint64_t v)
{
	/*
	 * log10(2) ~ 1233/4096 turns the bit length into a first guess, exact or
	 * one too low; v | 1 counts 0 as one digit and changes no other count.
	 */
	uint64_t x = v | 1;
	int guess = (64 - __builtin_clzll(x)) * 1233 >> 12;
	return guess + (x >= powers_of_ten[guess]);
}

/* v in decimal: its length is known first, so the digits go straight to their place, with no copy. */
static char *put_u64(char *p, uint64_t v)
{
	if (v < 10) { /* most counts of a flow */
		*p = (char)('0' + v);
		return p + 1;
	}
	char *end = p + json_digit_count(v);
	json_digits(end, v);
	return end;
}

/*
 * The 6 digits of v < 10^6, leading zeros included, with one multiplication
 * instead of a division per pair: t is v / 10^4 in 32.32 fixed point, whose
 * integer part is the first pair; the fraction times 100 gives the next pair
 * in its integer part, and so on. The multiplier is rounded up, which errs
 * by under v * 6.3e-7 / 10^4 < 10^-4: too little to carry into any pair.
 */
static inline char *put_6_digits(char *p, uint32_t v)
{
	uint64_t t = (uint64_t)v * 429497; /* ceil(2^32 / 10^4) */
	p = put_pair(p, (unsigned)(t >> 32));
	t = (t & UINT32_MAX) * 100;
	p = put_pair(p, (unsigned)(t >> 32));
	t = (t & UINT32_MAX) * 100;
	return put_pair(p, (unsigned)(t >> 32));
}

/* The 9 digits of v < 10^9, leading zeros included. */
static char *put_9_digits(char *p, uint32_t v)
{
	uint32_t millions = v / 1000000;
	*p++ = (char)('0' + millions / 100);
	p = put_pair(p, millions % 100);
	return put_6_digits(p, v % 1000000);
}

/* A time in ns as seconds with 6 decimals (9 with nanosecond), '-' first if negative. */
static char *put_seconds(char *p, int64_t ns, bool nanosecond)
{
	uint64_t a = ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns;
	if (ns < 0)
		*p++ = '-';
	uint64_t whole = a / 1000000000u;
	uint32_t frac = (uint32_t)(a - whole * 1000000000u);
	p = put_u64(p, whole);
	*p++ = '.';
	return nanosecond ? put_9_digits(p, frac) : put_6_digits(p, frac / 1000u);
}

/*
 * printf's "%.1f" of 0 <= v < FIXED1_MAX, in tenths, exactly and without
 * printf: v is m * 2^-shift with an integer m < 2^53, so v * 10 rounds to an
 * integer with one shift, ties to even as printf rounds (checked against
 * glibc on 2e7 values). Callers print other values with snprintf.
 */
#define FIXED1_MAX 1e15

static uint64_t json_tenths(double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	int biased = (int)(bits >> 52 & 0x7ff);
	uint64_t m = bits & ((1ULL << 52) - 1);
	if (biased)
		m |= 1ULL << 52;
	int shift = 1075 - (biased ? biased : 1); /* >= 3 below 1e15 */
	uint64_t tenths = 0;
	if (shift < 64) {
		uint64_t t = m * 10, half = 1ULL << (shift - 1);
		uint64_t rem = t & ((half << 1) - 1);
		tenths = t >> shift;
		if (rem > half || (rem == half && (tenths & 1)))
			tenths++;
	}
	return tenths;
}

void output_json_seconds(FILE *out, int64_t ns, bool nanosecond)
{
	char buf[NUM_MAX];
	fwrite(buf, 1, (size_t)(put_seconds(buf, ns, nanosecond) - buf), out);
}

static void json_optional_seconds(FILE *out, int64_t ns, bool nanosecond)
{
	if (ns < 0)
		fputs("null", out);
	else
		output_json_seconds(out, ns, nanosecond);
}

static void json_int_or_null(FILE *out, long v, bool present)
{
	if (present)
		fprintf(out, "%ld", v);
	else
		fputs("null", out);
}

/*
 * A flow object (SPEC §5.1) is assembled in memory and written with one
 * copy: many small stdio calls per flow cost more than the analysis of its
 * packets. The writers below are its parts, in key order.
 */

/*
 * OUTPUT_JSON_FLOW_MAX holds a flow object with every part at its longest:
 * its keys and punctuation (under 1 000 bytes), some 45 numbers, two
 * addresses, six names (handshake, close, closed_first_by, vantage and two states,
 * of 12 bytes at most), the two Zeek strings with each byte escaped as
 * \u00XX, and every label with its count.
 */
enum {
	FLOW_LABELS_MAX = 0
#define LABEL(id, name, ws, text) +sizeof(", \"" name "\": ") + NUM_MAX
#include "labels.def"
#undef LABEL
};
#define FLOW_ZEEK_BYTES (sizeof((struct flow_summary *)0)->conn_state + sizeof((struct flow_summary *)0)->history)
_Static_assert(1536 + 64 * NUM_MAX + 2 * INET6_ADDRSTRLEN + 5 * 16 + 6 * FLOW_ZEEK_BYTES + FLOW_LABELS_MAX <=
		       OUTPUT_JSON_FLOW_MAX - sizeof("{\"type\": \"flow\", }\n"),
	       "a flow object may not fit in OUTPUT_JSON_FLOW_MAX");

/* The same escapes as output_json_string(). */
static char *put_string(char *p, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	*p++ = '"';
	for (;;) {
		size_t run = json_plain_run(u);
		p = put_bytes(p, (const char *)u, run);
		u += run;
		if (!*u)
			break;
		char esc[8];
		u += json_escape(u, esc);
		p = put_str(p, esc);
	}
	*p++ = '"';
	return p;
}

static char *put_bool(char *p, bool v)
{
	return v ? PUT(p, "true") : PUT(p, "false");
}

static char *put_optional_seconds(char *p, int64_t ns, bool nanosecond)
{
	return ns < 0 ? PUT(p, "null") : put_seconds(p, ns, nanosecond);
}

/* An option value, or null when the SYN did not announce it. */
static char *put_option(char *p, long v, bool present)
{
	return present ? put_u64(p, (uint64_t)v) : PUT(p, "null");
}

/* {"client": client, "server": server} */
static char *put_side_pair_u64(char *p, uint64_t client, uint64_t server)
{
	p = PUT(p, "{\"client\": ");
	p = put_u64(p, client);
	p = PUT(p, ", \"server\": ");
	p = put_u64(p, server);
	return PUT(p, "}");
}

static char *put_endpoint(char *p, const struct flow_summary *s, int side)
{
	p = PUT(p, "{\"addr\": \"");
	text_format_addr(p, INET6_ADDRSTRLEN, s->ip_version, s->addr[side]);
	p += strlen(p);
	p = PUT(p, "\", \"port\": ");
	p = put_u64(p, s->port[side]);
	return PUT(p, "}");
}

static char *put_rtt(char *p, const struct rtt_summary *r, bool nano)
{
	p = PUT(p, "{\"samples\": ");
	p = put_u64(p, r->samples);
	p = PUT(p, ", \"min\": ");
	p = put_optional_seconds(p, r->samples ? r->min_ns : -1, nano);
	p = PUT(p, ", \"avg\": ");
	p = put_optional_seconds(p, r->samples ? r->avg_ns : -1, nano);
	p = PUT(p, ", \"max\": ");
	p = put_optional_seconds(p, r->samples ? r->max_ns : -1, nano);
	return PUT(p, "}");
}

/* Payload bytes per second over the flow's duration (null for an instant flow). */
static char *put_throughput(char *p, uint64_t bytes, int64_t duration_ns)
{
	if (duration_ns <= 0)
		return PUT(p, "null");
	double v = (double)bytes * 1e9 / (double)duration_ns;
	if (v >= FIXED1_MAX) {
		char buf[64];
		snprintf(buf, sizeof buf, "%.1f", v);
		return put_str(p, buf);
	}
	uint64_t tenths = json_tenths(v);
	p = put_u64(p, tenths / 10);
	*p++ = '.';
	*p++ = (char)('0' + tenths % 10);
	return p;
}

/* From "id" to "retransmitted_bytes": who talked, when, and how much. */
static char *put_flow_traffic(char *p, const struct flow_summary *s, bool nano)
{
	p = PUT(p, "\"id\": ");
	p = put_u64(p, s->id);
	p = PUT(p, ", \"ip_version\": ");
	p = put_u64(p, s->ip_version);
	p = PUT(p, ", \"client\": ");
	p = put_endpoint(p, s, 0);
	p = PUT(p, ", \"server\": ");
	p = put_endpoint(p, s, 1);
	p = PUT(p, ", \"direction_guessed\": ");
	p = put_bool(p, s->direction_guessed);
	p = PUT(p, ", \"vantage\": \"");
	p = put_str(p, summary_vantage_name(s->vantage));
	p = PUT(p, "\"");
	p = PUT(p, ", \"first_frame\": ");
	p = put_u64(p, s->first_frame);
	p = PUT(p, ", \"last_frame\": ");
	p = put_u64(p, s->last_frame);
	p = PUT(p, ", \"start_time\": ");
	p = put_seconds(p, s->start_ns, nano);
	p = PUT(p, ", \"duration\": ");
	p = put_seconds(p, s->end_ns - s->start_ns, nano);
	p = PUT(p, ", \"packets\": ");
	p = put_side_pair_u64(p, s->packets[0], s->packets[1]);
	p = PUT(p, ", \"payload_bytes\": ");
	p = put_side_pair_u64(p, s->payload_bytes[0], s->payload_bytes[1]);
	p = PUT(p, ", \"retransmitted_bytes\": ");
	return put_side_pair_u64(p, s->retrans_bytes[0], s->retrans_bytes[1]);
}

/* From "handshake" to "completeness": how the connection opened, closed, and stands. */
static char *put_flow_states(char *p, const struct flow_summary *s, bool nano)
{
	static const char *const closer[] = {"\"client\"", "\"server\""};
	p = PUT(p, ", \"handshake\": \"");
	p = put_str(p, s->handshake);
	p = PUT(p, "\", \"close\": \"");
	p = put_str(p, s->close);
	p = PUT(p, "\", \"closed_first_by\": ");
	p = put_str(p, s->closed_first_by < 0 ? "null" : closer[s->closed_first_by]);
	p = PUT(p, ", \"state\": {\"client\": \"");
	p = put_str(p, tcp_state_name(s->state[0]));
	p = PUT(p, "\", \"server\": \"");
	p = put_str(p, tcp_state_name(s->state[1]));
	p = PUT(p, "\"}, \"time_wait_left\": ");
	p = put_optional_seconds(p, s->time_wait_left_ns, nano);
	p = PUT(p, ", \"conn_state\": ");
	p = put_string(p, s->conn_state);
	p = PUT(p, ", \"history\": ");
	p = put_string(p, s->history);
	p = PUT(p, ", \"completeness\": ");
	return put_u64(p, s->completeness);
}

static char *put_flow_options(char *p, const struct flow_summary *s)
{
	p = PUT(p, ", \"options\": {\"mss\": [");
	p = put_option(p, s->mss[0], s->mss[0] != 0);
	p = PUT(p, ", ");
	p = put_option(p, s->mss[1], s->mss[1] != 0);
	p = PUT(p, "], \"wscale\": [");
	p = put_option(p, s->wscale[0], s->wscale[0] >= 0);
	p = PUT(p, ", ");
	p = put_option(p, s->wscale[1], s->wscale[1] >= 0);
	p = PUT(p, "], \"sack_permitted\": ");
	p = put_bool(p, s->sack_permitted);
	p = PUT(p, ", \"timestamps\": ");
	p = put_bool(p, s->timestamps);
	p = PUT(p, ", \"tfo\": ");
	p = put_bool(p, s->tfo);
	p = PUT(p, ", \"ecn\": ");
	p = put_bool(p, s->ecn);
	return PUT(p, "}");
}

/* From "irtt" to "zero_window_time": round trips, keep-alives and windows, per side. */
static char *put_flow_timing(char *p, const struct flow_summary *s, bool nano)
{
	int64_t duration = s->end_ns - s->start_ns;
	p = PUT(p, ", \"irtt\": ");
	p = put_optional_seconds(p, s->irtt_ns, nano);
	p = PUT(p, ", \"rtt\": {\"client\": ");
	p = put_rtt(p, &s->rtt[0], nano);
	p = PUT(p, ", \"server\": ");
	p = put_rtt(p, &s->rtt[1], nano);
	p = PUT(p, "}, \"keepalives\": ");
	p = put_side_pair_u64(p, s->keepalives[0], s->keepalives[1]);
	p = PUT(p, ", \"keepalive_interval\": {\"client\": ");
	p = put_optional_seconds(p, s->keepalive_interval_ns[0], nano);
	p = PUT(p, ", \"server\": ");
	p = put_optional_seconds(p, s->keepalive_interval_ns[1], nano);
	p = PUT(p, "}, \"max_in_flight\": ");
	p = put_side_pair_u64(p, s->max_in_flight[0], s->max_in_flight[1]);
	p = PUT(p, ", \"throughput\": {\"client\": ");
	p = put_throughput(p, s->payload_bytes[0], duration);
	p = PUT(p, ", \"server\": ");
	p = put_throughput(p, s->payload_bytes[1], duration);
	p = PUT(p, "}, \"zero_window_time\": {\"client\": ");
	p = put_seconds(p, s->zero_window_ns[0], nano);
	p = PUT(p, ", \"server\": ");
	p = put_seconds(p, s->zero_window_ns[1], nano);
	return PUT(p, "}");
}

/* The labels seen (only those), then the findings by severity. */
static char *put_flow_labels_and_findings(char *p, const struct flow_summary *s)
{
	p = PUT(p, ", \"labels\": {");
	bool first = true;
	for (int l = 0; l < L_COUNT; l++) {
		if (!s->labels[l])
			continue;
		if (!first)
			p = PUT(p, ", ");
		*p++ = '"';
		p = put_str(p, label_info((enum label_id)l)->name);
		p = PUT(p, "\": ");
		p = put_u64(p, s->labels[l]);
		first = false;
	}
	p = PUT(p, "}, \"findings\": {\"error\": ");
	p = put_u64(p, s->findings[SEV_ERROR]);
	p = PUT(p, ", \"warning\": ");
	p = put_u64(p, s->findings[SEV_WARNING]);
	p = PUT(p, ", \"note\": ");
	p = put_u64(p, s->findings[SEV_NOTE]);
	p = PUT(p, "}");
	if (s->findings_dropped) {
		p = PUT(p, ", \"findings_dropped\": ");
		p = put_u64(p, s->findings_dropped);
	}
	return p;
}

/* The flow's keys, without the braces around them. */
static char *put_flow_fields(char *p, const struct flow_summary *s, bool nano)
{
	p = put_flow_traffic(p, s, nano);
	p = put_flow_states(p, s, nano);
	p = put_flow_options(p, s);
	p = put_flow_timing(p, s, nano);
	return put_flow_labels_and_findings(p, s);
}

char *output_json_flow_text(char *p, const struct flow_summary *s, bool nano)
{
	*p++ = '{';
	p = put_flow_fields(p, s, nano);
	*p++ = '}';
	return p;
}

void output_json_flow(FILE *out, const struct flow_summary *s, bool nano)
{
	char buf[OUTPUT_JSON_FLOW_MAX];
	fwrite(buf, 1, (size_t)(output_json_flow_text(buf, s, nano) - buf), out);
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
	char buf[OUTPUT_JSON_FLOW_MAX];
	char *p = PUT(buf, "{\"type\": \"flow\", ");
	p = put_flow_fields(p, s, nano);
	p = PUT(p, "}\n");
	fwrite(buf, 1, (size_t)(p - buf), out);
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
	text_format_flags(flags, p->flags);
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
	for (int side = 0; side < 2; side++)
		if (v->via[side] != TCPS_COUNT)
			fprintf(out, ", \"via_%s\": \"%s\"", side ? "server" : "client", tcp_state_name(v->via[side]));
	if (v->fate != FATE_NONE) {
		fprintf(out, ", \"fate\": \"%s\"", delivery_fate_name(v->fate));
		if (v->fate_frame)
			fprintf(out, ", \"fate_frame\": %" PRIu64, v->fate_frame);
		if (v->arrived_after)
			fprintf(out, ", \"arrived_after\": %" PRIu64, v->arrived_after);
	}
	fputs("}\n", out);
}

/* With --shard: which shard, of what, made how; tcpscope merge checks it and leaves it out (output-merge.h). */
static void json_report_shard(FILE *out, const struct report *r)
{
	const struct report_shard *sh = &r->shard;
	fprintf(out, "  \"shard\": {\"index\": %" PRIu32 ", \"count\": %" PRIu32 ", \"input_bytes\": ", sh->index + 1,
		sh->count);
	json_int_or_null(out, (long)sh->input_bytes, sh->input_bytes >= 0);
	fprintf(out, ", \"findings_before_truncation\": %" PRIu64 ", \"settings\": {\"filter\": ",
		r->findings_first_stretch);
	if (sh->filter)
		output_json_string(out, sh->filter);
	else
		fputs("null", out);
	fprintf(out,
		", \"msl_ns\": %" PRId64 ", \"idle_timeout_ns\": %" PRId64 ", \"max_flows\": %zu"
		", \"verify_checksums\": %s, \"max_findings_per_flow\": %" PRIu32 "}},\n",
		sh->cfg.msl_ns, sh->cfg.idle_timeout_ns, sh->cfg.max_flows, sh->cfg.verify_checksums ? "true" : "false",
		sh->cfg.max_findings_per_flow);
}

void output_json_report_head(FILE *out, const struct report *r, const char *source_json)
{
	const struct engine_stats *st = &r->stats;
	bool nano = r->nanosecond;
	fprintf(out, "{\n  \"format\": %d,\n  \"tool\": \"tcpscope\",\n  \"version\": \"%s\",\n", OUTPUT_FORMAT_VERSION,
		PACKAGE_VERSION);
	if (r->shard.count)
		json_report_shard(out, r);
	fputs("  \"capture\": {\"source\": ", out);
	if (source_json) {
		fputs(source_json, out);
	} else {
		output_json_string(out, r->source);
		if (r->ninputs > 1) { /* a join: its parts, in merged order */
			fputs(", \"parts\": [", out);
			for (size_t i = 0; i < r->ninputs; i++) {
				fputs(i ? ", " : "", out);
				output_json_string(out, r->inputs[i]);
			}
			fputc(']', out);
		}
	}
	fprintf(out, ", \"packets\": %" PRIu64 ", \"tcp_packets\": %" PRIu64 ", \"linktypes\": [", st->packets,
		st->tcp_packets);
	for (size_t i = 0; i < r->nlinktypes; i++)
		fprintf(out, "%s\"%s\"", i ? ", " : "", r->linktypes[i]);
	fputs("], \"first_time\": ", out);
	json_optional_seconds(out, st->packets ? st->first_ns : -1, nano);
	fputs(", \"last_time\": ", out);
	json_optional_seconds(out, st->packets ? st->last_ns : -1, nano);
	fprintf(out, ", \"truncated\": %s, \"decode_errors\": %" PRIu64 ", \"flows\": %zu",
		st->truncated ? "true" : "false", st->decode_errors, r->nflows);
	if (r->findings_dropped)
		fprintf(out, ", \"findings_dropped\": %" PRIu64, r->findings_dropped);
	fputs("},\n  \"flows\": [", out);
}

void output_json_report_item(FILE *out, bool first)
{
	fputs(first ? "\n    " : ",\n    ", out);
}

void output_json_report_findings(FILE *out, bool any_flows)
{
	fputs(any_flows ? "\n  ],\n  \"findings\": [" : "],\n  \"findings\": [", out);
}

void output_json_report_end(FILE *out, bool any_findings)
{
	fputs(any_findings ? "\n  ]\n}\n" : "]\n}\n", out);
}

void output_json_report_tail(FILE *out, const struct report *r)
{
	output_json_report_findings(out, r->nflows != 0);
	struct report_reader rd;
	const struct finding *f;
	report_read_findings(r, &rd);
	for (size_t i = 0; (f = report_next_finding(&rd)); i++) {
		output_json_report_item(out, i == 0);
		output_json_finding(out, f, r->nanosecond);
	}
	report_reader_close(&rd);
	output_json_report_end(out, r->nfindings != 0);
}
