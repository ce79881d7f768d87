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
#include "utf8.h"

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
 * Numbers are written without printf (SPEC §12): a report prints some forty
 * of them for each of tens of thousands of flows, and fprintf was a quarter
 * of the time of a large report. Each writer below fills a buffer backwards
 * from its end and returns where the text starts.
 */
#define NUM_MAX 32 /* room for any number written here */

/* "00" to "99": digits are written two at a time, halving the divisions. */
static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				  "8081828384858687888990919293949596979899";

static char *json_digits(char *end, uint64_t v)
{
	for (; v >= 100; v /= 100) {
		end -= 2;
		memcpy(end, &digit_pairs[v % 100 * 2], 2);
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, &digit_pairs[v * 2], 2);
	} else {
		*--end = (char)('0' + v);
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

/* Exactly n digits of v < 10^n, leading zeros included. */
static char *json_fixed_digits(char *end, uint32_t v, int n)
{
	for (; n >= 2; n -= 2, v /= 100) {
		end -= 2;
		memcpy(end, &digit_pairs[v % 100 * 2], 2);
	}
	if (n)
		*--end = (char)('0' + v % 10);
	return end;
}

/* A time in ns as seconds with 6 decimals (9 with nanosecond), '-' first if negative. */
static char *json_seconds_text(char *end, int64_t ns, bool nanosecond)
{
	uint64_t a = ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns;
	uint32_t frac = (uint32_t)(a % 1000000000u);
	char *p = nanosecond ? json_fixed_digits(end, frac, 9) : json_fixed_digits(end, frac / 1000u, 6);
	*--p = '.';
	p = json_digits(p, a / 1000000000u);
	if (ns < 0)
		*--p = '-';
	return p;
}

/*
 * printf's "%.1f" of 0 <= v < FIXED1_MAX, exactly and without printf: v is
 * m * 2^-shift with an integer m < 2^53, so v * 10 rounds to an integer with
 * one shift, ties to even as printf rounds (checked against glibc on 2e7
 * values). Callers print other values with snprintf.
 */
#define FIXED1_MAX 1e15

static char *json_fixed1_text(char *end, double v)
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
	char *p = end;
	*--p = (char)('0' + tenths % 10);
	*--p = '.';
	return json_digits(p, tenths / 10);
}

void output_json_seconds(FILE *out, int64_t ns, bool nanosecond)
{
	char buf[NUM_MAX];
	const char *p = json_seconds_text(buf + sizeof buf, ns, nanosecond);
	fwrite(p, 1, (size_t)(buf + sizeof buf - p), out);
}

void output_format_addr(char *buf, size_t len, int ip_version, const uint8_t *addr)
{
	if (ip_version == 4 && len >= 16) {
		/* inet_ntop's dotted quad, without its cost (one call per flow endpoint in a report). */
		char *p = buf;
		for (int i = 0; i < 4; i++) {
			char num[4];
			char *d = json_digits(num + sizeof num, addr[i]);
			while (d < num + sizeof num)
				*p++ = *d++;
			*p++ = i < 3 ? '.' : '\0';
		}
		return;
	}
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

/*
 * A flow object is assembled in this buffer and written with one fwrite
 * (or a few, for an object larger than the buffer): many small stdio calls
 * per flow cost more than the analysis of its packets.
 */
struct jbuf {
	FILE *out;
	char *p;
	char buf[4096];
};

static void jb_flush(struct jbuf *b)
{
	fwrite(b->buf, 1, (size_t)(b->p - b->buf), b->out);
	b->p = b->buf;
}

/* jb_bytes() when the buffer is too full: flush, then copy (or write directly what could never fit). */
static void jb_bytes_flushing(struct jbuf *b, const char *s, size_t n)
{
	jb_flush(b);
	if (n > sizeof b->buf) {
		fwrite(s, 1, n, b->out);
		return;
	}
	memcpy(b->p, s, n);
	b->p += n;
}

/* Inline, so that copying a literal of known length (JB_LIT) is a few moves rather than a call to memcpy. */
static inline void jb_bytes(struct jbuf *b, const char *s, size_t n)
{
	if ((size_t)(b->buf + sizeof b->buf - b->p) < n) {
		jb_bytes_flushing(b, s, n);
		return;
	}
	memcpy(b->p, s, n);
	b->p += n;
}

/* A string literal (the "" rejects anything else): its length is a constant. */
#define JB_LIT(b, lit) jb_bytes((b), "" lit, sizeof(lit) - 1)

static void jb_str(struct jbuf *b, const char *s)
{
	jb_bytes(b, s, strlen(s));
}

/*
 * Numbers go straight into the buffer: their length is known beforehand, so
 * the writers fill it backwards from its end, with no copy (and no call to
 * memcpy for a length only known at run time).
 */
static void jb_make_room_for_number(struct jbuf *b)
{
	if ((size_t)(b->buf + sizeof b->buf - b->p) < NUM_MAX)
		jb_flush(b);
}

static void jb_u64(struct jbuf *b, uint64_t v)
{
	jb_make_room_for_number(b);
	b->p += json_digit_count(v);
	json_digits(b->p, v);
}

static void jb_seconds(struct jbuf *b, int64_t ns, bool nanosecond)
{
	uint64_t a = ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns;
	jb_make_room_for_number(b);
	b->p += (ns < 0) + json_digit_count(a / 1000000000u) + 1 + (nanosecond ? 9 : 6);
	json_seconds_text(b->p, ns, nanosecond);
}

static void jb_optional_seconds(struct jbuf *b, int64_t ns, bool nanosecond)
{
	if (ns < 0)
		JB_LIT(b, "null");
	else
		jb_seconds(b, ns, nanosecond);
}

/* The same escapes as output_json_string(). */
static void jb_string(struct jbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	jb_bytes(b, "\"", 1);
	for (;;) {
		size_t run = json_plain_run(p);
		jb_bytes(b, (const char *)p, run);
		p += run;
		if (!*p)
			break;
		char esc[8];
		p += json_escape(p, esc);
		jb_str(b, esc);
	}
	jb_bytes(b, "\"", 1);
}

static void jb_side_pair_u64(struct jbuf *b, const char *key, const uint64_t v[2])
{
	JB_LIT(b, "\"");
	jb_str(b, key);
	JB_LIT(b, "\": {\"client\": ");
	jb_u64(b, v[0]);
	JB_LIT(b, ", \"server\": ");
	jb_u64(b, v[1]);
	JB_LIT(b, "}");
}

static void json_optional_seconds(FILE *out, int64_t ns, bool nanosecond)
{
	if (ns < 0)
		fputs("null", out);
	else
		output_json_seconds(out, ns, nanosecond);
}

static void jb_rtt(struct jbuf *b, const struct rtt_summary *r, bool nano)
{
	JB_LIT(b, "{\"samples\": ");
	jb_u64(b, r->samples);
	JB_LIT(b, ", \"min\": ");
	jb_optional_seconds(b, r->samples ? r->min_ns : -1, nano);
	JB_LIT(b, ", \"avg\": ");
	jb_optional_seconds(b, r->samples ? r->avg_ns : -1, nano);
	JB_LIT(b, ", \"max\": ");
	jb_optional_seconds(b, r->samples ? r->max_ns : -1, nano);
	JB_LIT(b, "}");
}

/* Payload bytes per second over the flow's duration (null for an instant flow). */
static void jb_throughput(struct jbuf *b, uint64_t bytes, int64_t duration_ns)
{
	char buf[64];
	if (duration_ns <= 0) {
		JB_LIT(b, "null");
		return;
	}
	double v = (double)bytes * 1e9 / (double)duration_ns;
	if (v < FIXED1_MAX) {
		const char *p = json_fixed1_text(buf + sizeof buf, v);
		jb_bytes(b, p, (size_t)(buf + sizeof buf - p));
	} else {
		snprintf(buf, sizeof buf, "%.1f", v);
		jb_str(b, buf);
	}
}

static void jb_endpoint(struct jbuf *b, const char *key, const struct flow_summary *s, int side)
{
	char addr[64];
	output_format_addr(addr, sizeof addr, s->ip_version, s->addr[side]);
	JB_LIT(b, "\"");
	jb_str(b, key);
	JB_LIT(b, "\": {\"addr\": \"");
	jb_str(b, addr);
	JB_LIT(b, "\", \"port\": ");
	jb_u64(b, s->port[side]);
	JB_LIT(b, "}");
}

/* An option value, or null when the SYN did not announce it. */
static void jb_option(struct jbuf *b, long v, bool present)
{
	if (present)
		jb_u64(b, (uint64_t)v);
	else
		JB_LIT(b, "null");
}

static void jb_bool(struct jbuf *b, bool v)
{
	if (v)
		JB_LIT(b, "true");
	else
		JB_LIT(b, "false");
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
	struct jbuf jb; /* not "= {...}": that would clear the 4 KB buffer for every flow */
	struct jbuf *b = &jb;
	b->out = out;
	b->p = b->buf;
	JB_LIT(b, "\"id\": ");
	jb_u64(b, s->id);
	JB_LIT(b, ", \"ip_version\": ");
	jb_u64(b, s->ip_version);
	JB_LIT(b, ", ");
	jb_endpoint(b, "client", s, 0);
	JB_LIT(b, ", ");
	jb_endpoint(b, "server", s, 1);
	JB_LIT(b, ", \"direction_guessed\": ");
	jb_bool(b, s->direction_guessed);
	JB_LIT(b, ", \"first_frame\": ");
	jb_u64(b, s->first_frame);
	JB_LIT(b, ", \"last_frame\": ");
	jb_u64(b, s->last_frame);
	JB_LIT(b, ", \"start_time\": ");
	jb_seconds(b, s->start_ns, nano);
	JB_LIT(b, ", \"duration\": ");
	jb_seconds(b, s->end_ns - s->start_ns, nano);
	JB_LIT(b, ", ");
	jb_side_pair_u64(b, "packets", s->packets);
	JB_LIT(b, ", ");
	jb_side_pair_u64(b, "payload_bytes", s->payload_bytes);
	JB_LIT(b, ", ");
	jb_side_pair_u64(b, "retransmitted_bytes", s->retrans_bytes);
	JB_LIT(b, ", \"handshake\": \"");
	jb_str(b, s->handshake);
	JB_LIT(b, "\", \"close\": \"");
	jb_str(b, s->close);
	JB_LIT(b, "\", \"closed_first_by\": ");
	jb_str(b, s->closed_first_by < 0 ? "null" : closer[s->closed_first_by]);
	JB_LIT(b, ", \"state\": {\"client\": \"");
	jb_str(b, tcp_state_name(s->state[0]));
	JB_LIT(b, "\", \"server\": \"");
	jb_str(b, tcp_state_name(s->state[1]));
	JB_LIT(b, "\"}, \"time_wait_left\": ");
	jb_optional_seconds(b, s->time_wait_left_ns, nano);
	JB_LIT(b, ", \"conn_state\": ");
	jb_string(b, s->conn_state);
	JB_LIT(b, ", \"history\": ");
	jb_string(b, s->history);
	JB_LIT(b, ", \"completeness\": ");
	jb_u64(b, s->completeness);
	JB_LIT(b, ", \"options\": {\"mss\": [");
	jb_option(b, s->mss[0], s->mss[0] != 0);
	JB_LIT(b, ", ");
	jb_option(b, s->mss[1], s->mss[1] != 0);
	JB_LIT(b, "], \"wscale\": [");
	jb_option(b, s->wscale[0], s->wscale[0] >= 0);
	JB_LIT(b, ", ");
	jb_option(b, s->wscale[1], s->wscale[1] >= 0);
	JB_LIT(b, "], \"sack_permitted\": ");
	jb_bool(b, s->sack_permitted);
	JB_LIT(b, ", \"timestamps\": ");
	jb_bool(b, s->timestamps);
	JB_LIT(b, ", \"tfo\": ");
	jb_bool(b, s->tfo);
	JB_LIT(b, ", \"ecn\": ");
	jb_bool(b, s->ecn);
	JB_LIT(b, "}, \"irtt\": ");
	jb_optional_seconds(b, s->irtt_ns, nano);
	JB_LIT(b, ", \"rtt\": {\"client\": ");
	jb_rtt(b, &s->rtt[0], nano);
	JB_LIT(b, ", \"server\": ");
	jb_rtt(b, &s->rtt[1], nano);
	JB_LIT(b, "}, \"keepalives\": {\"client\": ");
	jb_u64(b, s->keepalives[0]);
	JB_LIT(b, ", \"server\": ");
	jb_u64(b, s->keepalives[1]);
	JB_LIT(b, "}, \"keepalive_interval\": {\"client\": ");
	jb_optional_seconds(b, s->keepalive_interval_ns[0], nano);
	JB_LIT(b, ", \"server\": ");
	jb_optional_seconds(b, s->keepalive_interval_ns[1], nano);
	JB_LIT(b, "}, \"max_in_flight\": {\"client\": ");
	jb_u64(b, s->max_in_flight[0]);
	JB_LIT(b, ", \"server\": ");
	jb_u64(b, s->max_in_flight[1]);
	JB_LIT(b, "}, \"throughput\": {\"client\": ");
	jb_throughput(b, s->payload_bytes[0], s->end_ns - s->start_ns);
	JB_LIT(b, ", \"server\": ");
	jb_throughput(b, s->payload_bytes[1], s->end_ns - s->start_ns);
	JB_LIT(b, "}, \"zero_window_time\": {\"client\": ");
	jb_seconds(b, s->zero_window_ns[0], nano);
	JB_LIT(b, ", \"server\": ");
	jb_seconds(b, s->zero_window_ns[1], nano);
	JB_LIT(b, "}, \"labels\": {");
	const char *sep = "";
	for (int l = 0; l < L_COUNT; l++)
		if (s->labels[l]) {
			jb_str(b, sep);
			JB_LIT(b, "\"");
			jb_str(b, label_info((enum label_id)l)->name);
			JB_LIT(b, "\": ");
			jb_u64(b, s->labels[l]);
			sep = ", ";
		}
	JB_LIT(b, "}, \"findings\": {\"error\": ");
	jb_u64(b, s->findings[SEV_ERROR]);
	JB_LIT(b, ", \"warning\": ");
	jb_u64(b, s->findings[SEV_WARNING]);
	JB_LIT(b, ", \"note\": ");
	jb_u64(b, s->findings[SEV_NOTE]);
	JB_LIT(b, "}");
	if (s->findings_dropped) {
		JB_LIT(b, ", \"findings_dropped\": ");
		jb_u64(b, s->findings_dropped);
	}
	jb_flush(b);
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
	fprintf(out,
		"{\n  \"format\": %d,\n  \"tool\": \"tcpscope\",\n  \"version\": \"%s\",\n  \"capture\": {\"source\": ",
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
	fprintf(out, ", \"truncated\": %s, \"decode_errors\": %" PRIu64 ", \"flows\": %zu",
		st->truncated ? "true" : "false", st->decode_errors, r->nflows);
	if (r->findings_dropped)
		fprintf(out, ", \"findings_dropped\": %" PRIu64, r->findings_dropped);
	fputs("},\n  \"flows\": [", out);
	output_json_flows(out, r, nano);
	fputs(r->nflows ? "\n  ],\n  \"findings\": [" : "],\n  \"findings\": [", out);
	struct report_reader rd;
	const struct finding *f;
	report_read_findings(r, &rd);
	for (size_t i = 0; (f = report_next_finding(&rd)); i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		output_json_finding(out, f, nano);
	}
	report_reader_close(&rd);
	fputs(r->nfindings ? "\n  ]\n}\n" : "]\n}\n", out);
}
