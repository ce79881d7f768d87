/*
 * expect.c - parser and evaluator of the --expect language (expect.h).
 *
 * A statement is lexed into words, operator runs and commas, then parsed by
 * a small recursive-descent parser that reports the first problem with the
 * line and column of the token at fault. Fields come from two tables: one
 * mirrors the §5.1 flow object key for key, the other the §5.2 packet object
 * (tests/check-expect.c renders each with output_json_flow and
 * output_json_packet and checks that every leaf is in the table and compares
 * equal), so a path means exactly what the JSON shows. Label rows are
 * generated from labels.def and per-packet finding rows from findings.def,
 * so a new label or code is a new field.
 *
 * `frame` expectations read a copy of their frame's view (struct
 * expect_packet), taken by expect_frames_packet() as the run goes; only the
 * frames the set names are kept.
 */
#include "config.h"

#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect-internal.h"
#include "expect.h"
#include "mem-alloc.h"
#include "tcp-state.h"
#include "text-format.h"

/*
 * Where a field's value lives and how to read it: at offset in struct
 * flow_summary (flow fields) or struct expect_packet (packet fields). The
 * stores that read other members too (ST_ADDR, ST_DURATION, ST_THROUGHPUT,
 * ST_LABEL, ST_SEVERITY) are for flow fields only, ST_SIDE and after for
 * packet fields only.
 */
enum expect_store {
	ST_U8,
	ST_U16,
	ST_U32,
	ST_U64,
	ST_BOOL,
	ST_STR,	       /* const char * */
	ST_CHARS,      /* char [] */
	ST_STATE,      /* enum tcp_state */
	ST_STATE_OPT,  /* enum tcp_state, TCPS_COUNT = null */
	ST_VANTAGE,    /* uint8_t enum vantage */
	ST_CLOSER,     /* int: -1 null, 0 client, 1 server */
	ST_ADDR,       /* uint8_t [16] with ip_version */
	ST_NS,	       /* int64_t nanoseconds */
	ST_I64_OPT,    /* int64_t (nanoseconds for a time), negative = null */
	ST_DURATION,   /* end_ns - start_ns */
	ST_RTT,	       /* struct rtt_summary; index 0 min, 1 avg, 2 max; null without samples */
	ST_THROUGHPUT, /* payload_bytes[index] per second of duration; null when the duration is 0 */
	ST_MSS,	       /* uint16_t, 0 = null */
	ST_WSCALE,     /* int, negative = null */
	ST_LABEL,      /* labels[index] */
	ST_SEVERITY,   /* findings[index] */
	ST_SIDE,       /* int: 0 client, 1 server */
	ST_FLAGS,      /* uint8_t TCP_* bits, as letters (text_format_flags) */
	ST_PKT_LABEL,  /* 1 if bit index of labels is set, else 0 */
	ST_PKT_FINDING /* 1 if findings[] holds finding index, else 0 */
};

struct expect_field {
	const char *path;
	enum expect_type type;
	enum expect_store store;
	size_t offset;
	int index;
	const char *const *vocabulary; /* the words a WORD field takes; NULL: any word */
};

static const char *const vocab_handshake[] = {"complete", "simultaneous", "rejected", "incomplete", "none", NULL};
static const char *const vocab_close[] = {"fin", "half", "rst", "none", NULL};
static const char *const vocab_side[] = {"client", "server", NULL};
static const char *const vocab_conn_state[] = {"S0",   "S1",	 "SF",	  "REJ", "S2",	"S3",  "RSTO",
					       "RSTR", "RSTOS0", "RSTRH", "SH",	 "SHR", "OTH", NULL};
static const char *const vocab_vantage[] = {"client", "server", "middle", "unknown", NULL};
static const char *const vocab_fate[] = {"none", "delivered", "lost", "unknown", "refused", NULL};
static const char *const vocab_state[] = {"UNKNOWN",	 "CLOSED",     "LISTEN",     "SYN-SENT",   "SYN-RECEIVED",
					  "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",
					  "LAST-ACK",	 "TIME-WAIT",  NULL};

#define OFF(member) offsetof(struct flow_summary, member)

/* The §5.1 flow object, key by key, in the order output_json_flow writes it. */
static const struct expect_field fields[] = {
	{"id", EXPECT_T_COUNT, ST_U32, OFF(id), 0, NULL},
	{"ip_version", EXPECT_T_COUNT, ST_U8, OFF(ip_version), 0, NULL},
	{"client.addr", EXPECT_T_ADDR, ST_ADDR, OFF(addr[0]), 0, NULL},
	{"client.port", EXPECT_T_COUNT, ST_U16, OFF(port[0]), 0, NULL},
	{"server.addr", EXPECT_T_ADDR, ST_ADDR, OFF(addr[1]), 0, NULL},
	{"server.port", EXPECT_T_COUNT, ST_U16, OFF(port[1]), 0, NULL},
	{"direction_guessed", EXPECT_T_BOOL, ST_BOOL, OFF(direction_guessed), 0, NULL},
	{"vantage", EXPECT_T_WORD, ST_VANTAGE, OFF(vantage), 0, vocab_vantage},
	{"first_frame", EXPECT_T_COUNT, ST_U64, OFF(first_frame), 0, NULL},
	{"last_frame", EXPECT_T_COUNT, ST_U64, OFF(last_frame), 0, NULL},
	{"start_time", EXPECT_T_TIME, ST_NS, OFF(start_ns), 0, NULL},
	{"duration", EXPECT_T_TIME, ST_DURATION, 0, 0, NULL},
	{"packets.client", EXPECT_T_COUNT, ST_U64, OFF(packets[0]), 0, NULL},
	{"packets.server", EXPECT_T_COUNT, ST_U64, OFF(packets[1]), 0, NULL},
	{"payload_bytes.client", EXPECT_T_BYTES, ST_U64, OFF(payload_bytes[0]), 0, NULL},
	{"payload_bytes.server", EXPECT_T_BYTES, ST_U64, OFF(payload_bytes[1]), 0, NULL},
	{"retransmitted_bytes.client", EXPECT_T_BYTES, ST_U64, OFF(retrans_bytes[0]), 0, NULL},
	{"retransmitted_bytes.server", EXPECT_T_BYTES, ST_U64, OFF(retrans_bytes[1]), 0, NULL},
	{"handshake", EXPECT_T_WORD, ST_STR, OFF(handshake), 0, vocab_handshake},
	{"close", EXPECT_T_WORD, ST_STR, OFF(close), 0, vocab_close},
	{"closed_first_by", EXPECT_T_WORD, ST_CLOSER, OFF(closed_first_by), 0, vocab_side},
	{"state.client", EXPECT_T_WORD, ST_STATE, OFF(state[0]), 0, vocab_state},
	{"state.server", EXPECT_T_WORD, ST_STATE, OFF(state[1]), 0, vocab_state},
	{"time_wait_left", EXPECT_T_TIME, ST_I64_OPT, OFF(time_wait_left_ns), 0, NULL},
	{"conn_state", EXPECT_T_WORD, ST_CHARS, OFF(conn_state), 0, vocab_conn_state},
	{"history", EXPECT_T_WORD, ST_CHARS, OFF(history), 0, NULL},
	{"completeness", EXPECT_T_COUNT, ST_U8, OFF(completeness), 0, NULL},
	{"options.mss.0", EXPECT_T_BYTES, ST_MSS, OFF(mss[0]), 0, NULL},
	{"options.mss.1", EXPECT_T_BYTES, ST_MSS, OFF(mss[1]), 0, NULL},
	{"options.wscale.0", EXPECT_T_COUNT, ST_WSCALE, OFF(wscale[0]), 0, NULL},
	{"options.wscale.1", EXPECT_T_COUNT, ST_WSCALE, OFF(wscale[1]), 0, NULL},
	{"options.sack_permitted", EXPECT_T_BOOL, ST_BOOL, OFF(sack_permitted), 0, NULL},
	{"options.timestamps", EXPECT_T_BOOL, ST_BOOL, OFF(timestamps), 0, NULL},
	{"options.tfo", EXPECT_T_BOOL, ST_BOOL, OFF(tfo), 0, NULL},
	{"options.ecn", EXPECT_T_BOOL, ST_BOOL, OFF(ecn), 0, NULL},
	{"irtt", EXPECT_T_TIME, ST_I64_OPT, OFF(irtt_ns), 0, NULL},
	{"rtt.client.samples", EXPECT_T_COUNT, ST_U32, OFF(rtt[0].samples), 0, NULL},
	{"rtt.client.min", EXPECT_T_TIME, ST_RTT, OFF(rtt[0]), 0, NULL},
	{"rtt.client.avg", EXPECT_T_TIME, ST_RTT, OFF(rtt[0]), 1, NULL},
	{"rtt.client.max", EXPECT_T_TIME, ST_RTT, OFF(rtt[0]), 2, NULL},
	{"rtt.server.samples", EXPECT_T_COUNT, ST_U32, OFF(rtt[1].samples), 0, NULL},
	{"rtt.server.min", EXPECT_T_TIME, ST_RTT, OFF(rtt[1]), 0, NULL},
	{"rtt.server.avg", EXPECT_T_TIME, ST_RTT, OFF(rtt[1]), 1, NULL},
	{"rtt.server.max", EXPECT_T_TIME, ST_RTT, OFF(rtt[1]), 2, NULL},
	{"keepalives.client", EXPECT_T_COUNT, ST_U32, OFF(keepalives[0]), 0, NULL},
	{"keepalives.server", EXPECT_T_COUNT, ST_U32, OFF(keepalives[1]), 0, NULL},
	{"keepalive_interval.client", EXPECT_T_TIME, ST_I64_OPT, OFF(keepalive_interval_ns[0]), 0, NULL},
	{"keepalive_interval.server", EXPECT_T_TIME, ST_I64_OPT, OFF(keepalive_interval_ns[1]), 0, NULL},
	{"max_in_flight.client", EXPECT_T_BYTES, ST_U32, OFF(max_in_flight[0]), 0, NULL},
	{"max_in_flight.server", EXPECT_T_BYTES, ST_U32, OFF(max_in_flight[1]), 0, NULL},
	{"throughput.client", EXPECT_T_BYTES, ST_THROUGHPUT, 0, 0, NULL},
	{"throughput.server", EXPECT_T_BYTES, ST_THROUGHPUT, 0, 1, NULL},
	{"zero_window_time.client", EXPECT_T_TIME, ST_NS, OFF(zero_window_ns[0]), 0, NULL},
	{"zero_window_time.server", EXPECT_T_TIME, ST_NS, OFF(zero_window_ns[1]), 0, NULL},
#define LABEL(id, name, ws, text) {"labels." name, EXPECT_T_COUNT, ST_LABEL, 0, L_##id, NULL},
#include "labels.def"
#undef LABEL
	{"findings.error", EXPECT_T_COUNT, ST_SEVERITY, 0, SEV_ERROR, NULL},
	{"findings.warning", EXPECT_T_COUNT, ST_SEVERITY, 0, SEV_WARNING, NULL},
	{"findings.note", EXPECT_T_COUNT, ST_SEVERITY, 0, SEV_NOTE, NULL},
	{"findings_dropped", EXPECT_T_COUNT, ST_U32, OFF(findings_dropped), 0, NULL},
};

#undef OFF

/*
 * One frame's packet view, copied when it passes (expect_frames_packet):
 * the values output_json_packet prints, and the flow's endpoints for
 * messages. seen stays false for a frame that is not a TCP packet.
 */
struct expect_packet {
	bool seen;
	uint64_t frame;
	uint32_t flow;
	int64_t time_ns;
	int from_server;
	uint8_t flags;
	uint32_t seq, ack, seq_raw, ack_raw, len;
	uint16_t win;
	int64_t win_scaled; /* -1: null, the window scale is not known */
	enum tcp_state state[2];
	uint32_t labels;	 /* 1u << L_* */
	int64_t dupack_num;	 /* -1: null, not a duplicate ACK (the JSON omits the key) */
	int64_t bytes_in_flight; /* -1: null, not a data segment (the JSON omits the key) */
	enum tcp_state via[2];	 /* TCPS_COUNT: null (the JSON omits the key) */
	const char *fate;	 /* "none" when the JSON has no fate */
	int64_t fate_frame;	 /* -1: null */
	int64_t arrived_after;	 /* -1: null */
	uint8_t nfindings;
	enum finding_id findings[VIEW_MAX_FINDINGS];
	uint8_t ip_version;
	uint8_t addr[2][16]; /* [0] client, [1] server */
	uint16_t port[2];
};

#define OFF(member) offsetof(struct expect_packet, member)

/* The §5.2 packet object, key by key, in the order output_json_packet writes it. */
static const struct expect_field packet_fields[] = {
	{"frame", EXPECT_T_COUNT, ST_U64, OFF(frame), 0, NULL},
	{"flow", EXPECT_T_COUNT, ST_U32, OFF(flow), 0, NULL},
	{"time", EXPECT_T_TIME, ST_NS, OFF(time_ns), 0, NULL},
	{"dir", EXPECT_T_WORD, ST_SIDE, OFF(from_server), 0, vocab_side},
	{"flags", EXPECT_T_WORD, ST_FLAGS, OFF(flags), 0, NULL},
	{"seq", EXPECT_T_COUNT, ST_U32, OFF(seq), 0, NULL},
	{"ack", EXPECT_T_COUNT, ST_U32, OFF(ack), 0, NULL},
	{"seq_raw", EXPECT_T_COUNT, ST_U32, OFF(seq_raw), 0, NULL},
	{"ack_raw", EXPECT_T_COUNT, ST_U32, OFF(ack_raw), 0, NULL},
	{"len", EXPECT_T_BYTES, ST_U32, OFF(len), 0, NULL},
	{"win", EXPECT_T_BYTES, ST_U16, OFF(win), 0, NULL},
	{"win_scaled", EXPECT_T_BYTES, ST_I64_OPT, OFF(win_scaled), 0, NULL},
	{"state.client", EXPECT_T_WORD, ST_STATE, OFF(state[0]), 0, vocab_state},
	{"state.server", EXPECT_T_WORD, ST_STATE, OFF(state[1]), 0, vocab_state},
#define LABEL(id, name, ws, text) {"labels." name, EXPECT_T_COUNT, ST_PKT_LABEL, 0, L_##id, NULL},
#include "labels.def"
#undef LABEL
#define FINDING(id, code, sev, title, ref, text) {"findings." code, EXPECT_T_COUNT, ST_PKT_FINDING, 0, F_##id, NULL},
#include "findings.def"
#undef FINDING
	{"dupack_num", EXPECT_T_COUNT, ST_I64_OPT, OFF(dupack_num), 0, NULL},
	{"bytes_in_flight", EXPECT_T_BYTES, ST_I64_OPT, OFF(bytes_in_flight), 0, NULL},
	{"via_client", EXPECT_T_WORD, ST_STATE_OPT, OFF(via[0]), 0, vocab_state},
	{"via_server", EXPECT_T_WORD, ST_STATE_OPT, OFF(via[1]), 0, vocab_state},
	{"fate", EXPECT_T_WORD, ST_STR, OFF(fate), 0, vocab_fate},
	{"fate_frame", EXPECT_T_COUNT, ST_I64_OPT, OFF(fate_frame), 0, NULL},
	{"arrived_after", EXPECT_T_COUNT, ST_I64_OPT, OFF(arrived_after), 0, NULL},
};

#undef OFF

static const struct expect_field *field_lookup(const struct expect_field *table, size_t n, const char *path, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(table[i].path) == len && memcmp(table[i].path, path, len) == 0)
			return &table[i];
	return NULL;
}

const char *expect_field_path(const struct expect_field *f)
{
	return f->path;
}

enum expect_type expect_field_type(const struct expect_field *f)
{
	return f->type;
}

static bool field_nullable(const struct expect_field *f)
{
	switch (f->store) {
	case ST_STATE_OPT:
	case ST_CLOSER:
	case ST_I64_OPT:
	case ST_RTT:
	case ST_THROUGHPUT:
	case ST_MSS:
	case ST_WSCALE:
		return true;
	default:
		return false;
	}
}

/* Reads field f of obj, a struct flow_summary or struct expect_packet as f's table says, into v. */
static void field_get(const struct expect_field *f, const void *obj, struct expect_value *v)
{
	const struct flow_summary *s = obj;
	const struct expect_packet *pk = obj;
	const char *base = (const char *)obj + f->offset;
	memset(v, 0, sizeof *v);
	v->type = f->type;
	switch (f->store) {
	case ST_U8:
		v->num = *(const uint8_t *)base;
		break;
	case ST_U16:
		v->num = *(const uint16_t *)(const void *)base;
		break;
	case ST_U32:
		v->num = *(const uint32_t *)(const void *)base;
		break;
	case ST_U64:
		v->num = (int64_t) * (const uint64_t *)(const void *)base;
		break;
	case ST_BOOL:
		v->num = *(const bool *)(const void *)base;
		break;
	case ST_STR: {
		const char *str = *(const char *const *)(const void *)base;
		snprintf(v->word, sizeof v->word, "%s", str ? str : "");
		break;
	}
	case ST_CHARS:
		snprintf(v->word, sizeof v->word, "%s", base);
		break;
	case ST_STATE:
		snprintf(v->word, sizeof v->word, "%s", tcp_state_name(*(const enum tcp_state *)(const void *)base));
		break;
	case ST_VANTAGE:
		snprintf(v->word, sizeof v->word, "%s", summary_vantage_name(*(const uint8_t *)base));
		break;
	case ST_STATE_OPT: {
		enum tcp_state st = *(const enum tcp_state *)(const void *)base;
		v->null = st == TCPS_COUNT;
		if (!v->null)
			snprintf(v->word, sizeof v->word, "%s", tcp_state_name(st));
		break;
	}
	case ST_CLOSER: {
		int side = *(const int *)(const void *)base;
		v->null = side < 0;
		if (!v->null)
			snprintf(v->word, sizeof v->word, "%s", vocab_side[side ? 1 : 0]);
		break;
	}
	case ST_ADDR:
		v->ip_version = s->ip_version;
		memcpy(v->addr, base, 16);
		break;
	case ST_NS:
		v->num = *(const int64_t *)(const void *)base;
		break;
	case ST_I64_OPT:
		v->num = *(const int64_t *)(const void *)base;
		v->null = v->num < 0;
		break;
	case ST_DURATION:
		v->num = s->end_ns - s->start_ns;
		break;
	case ST_RTT: {
		const struct rtt_summary *r = (const struct rtt_summary *)(const void *)base;
		const int64_t vals[3] = {r->min_ns, r->avg_ns, r->max_ns};
		v->null = r->samples == 0;
		v->num = vals[f->index];
		break;
	}
	case ST_THROUGHPUT: {
		int64_t duration = s->end_ns - s->start_ns;
		v->null = duration <= 0;
		if (!v->null)
			v->num = (int64_t)((double)s->payload_bytes[f->index] * 1e9 / (double)duration);
		break;
	}
	case ST_MSS:
		v->num = *(const uint16_t *)(const void *)base;
		v->null = v->num == 0;
		break;
	case ST_WSCALE:
		v->num = *(const int *)(const void *)base;
		v->null = v->num < 0;
		break;
	case ST_LABEL:
		v->num = s->labels[f->index];
		break;
	case ST_SEVERITY:
		v->num = s->findings[f->index];
		break;
	case ST_SIDE:
		snprintf(v->word, sizeof v->word, "%s", vocab_side[*(const int *)(const void *)base ? 1 : 0]);
		break;
	case ST_FLAGS:
		text_format_flags(v->word, *(const uint8_t *)base);
		break;
	case ST_PKT_LABEL:
		v->num = (pk->labels >> f->index) & 1;
		break;
	case ST_PKT_FINDING:
		for (int i = 0; i < pk->nfindings && !v->num; i++)
			v->num = pk->findings[i] == (enum finding_id)f->index;
		break;
	}
	if (v->null)
		v->num = 0;
}

void expect_flow_value(const struct expect_field *f, const struct flow_summary *s, struct expect_value *v)
{
	field_get(f, s, v);
}

/* ---- Lexer ------------------------------------------------------------- */

static bool is_op_char(char c)
{
	return c == '=' || c == '!' || c == '<' || c == '>';
}

void expect_lex(struct expect_parser *p, const char *line, size_t len)
{
	p->ntok = p->pos = 0;
	p->end_col = 1;
	size_t i = 0;
	while (i < len && line[i] != '#') {
		if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
			i++;
			continue;
		}
		size_t start = i;
		enum expect_tok_kind kind;
		if (line[i] == ',') {
			kind = TOK_COMMA;
			i++;
		} else if (p->parens && (line[i] == '(' || line[i] == ')')) {
			kind = line[i] == '(' ? TOK_LPAREN : TOK_RPAREN;
			i++;
		} else if (is_op_char(line[i])) {
			kind = TOK_OP;
			while (i < len && is_op_char(line[i]))
				i++;
		} else {
			kind = TOK_WORD;
			while (i < len && !strchr(p->parens ? " \t\r,#()" : " \t\r,#", line[i]) && !is_op_char(line[i]))
				i++;
		}
		p->tok = xgrow(p->tok, &p->cap, p->ntok + 1, sizeof *p->tok);
		p->tok[p->ntok++] = (struct expect_token){kind, line + start, i - start, (unsigned)start + 1};
		p->end_col = (unsigned)i + 1;
	}
}

int expect_parse_error(struct expect_parser *p, unsigned col, const char *fmt, ...)
{
	/* Line 0 is a one-line option value (--flow), where a column would only confuse. */
	int n = p->line	  ? snprintf(p->err, p->errlen, "%s:%u:%u: ", p->name, p->line, col)
		: p->name ? snprintf(p->err, p->errlen, "%s: ", p->name)
			  : 0;
	p->err_col = col;
	if (n >= 0 && (size_t)n < p->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

const struct expect_token *expect_peek(const struct expect_parser *p)
{
	return p->pos < p->ntok ? &p->tok[p->pos] : NULL;
}

bool expect_tok_is(const struct expect_token *t, const char *word)
{
	return t && t->kind == TOK_WORD && t->len == strlen(word) && memcmp(t->p, word, t->len) == 0;
}

/* Copies a token's text into buf (cut to fit). */
static const char *tok_text(const struct expect_token *t, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)t->len, t->p);
	return buf;
}

/* Takes the next token, which must be a word; what names it in the error. */
static const struct expect_token *expect_word(struct expect_parser *p, const char *what)
{
	const struct expect_token *t = expect_peek(p);
	char buf[64];
	if (!t) {
		expect_parse_error(p, p->end_col, "missing %s", what);
		return NULL;
	}
	if (t->kind != TOK_WORD) {
		expect_parse_error(p, t->col, "expected %s, not '%s'", what, tok_text(t, buf, sizeof buf));
		return NULL;
	}
	p->pos++;
	return t;
}

/* ---- Numbers, addresses, selectors -------------------------------------- */

struct unit {
	const char *name;
	int64_t scale;
};

static const struct unit time_units[] = {{"us", 1000}, {"ms", 1000000}, {"s", 1000000000}, {NULL, 0}};
static const struct unit byte_units[] = {{"B", 1}, {"KB", 1000}, {"MB", 1000000}, {NULL, 0}};

/*
 * Parses "DIGITS[.DIGITS][UNIT]" exactly (no floating point): the result is
 * the number times the unit's scale (or default_scale without a unit). units
 * is NULL when no unit and no fraction is allowed.
 */
static int parse_number(struct expect_parser *p, const struct expect_token *t, const struct unit *units,
			int64_t default_scale, int64_t *out)
{
	char buf[64];
	size_t i = 0;
	int64_t whole = 0, frac = 0, frac_div = 1;
	if (t->len == 0 || !isdigit((unsigned char)t->p[0]))
		return expect_parse_error(p, t->col, "expected a number, not '%s'", tok_text(t, buf, sizeof buf));
	for (; i < t->len && isdigit((unsigned char)t->p[i]); i++) {
		if (whole > (INT64_MAX - 9) / 10)
			return expect_parse_error(p, t->col, "number too large: '%s'", tok_text(t, buf, sizeof buf));
		whole = whole * 10 + (t->p[i] - '0');
	}
	if (i < t->len && t->p[i] == '.' && units) {
		i++;
		if (i == t->len || !isdigit((unsigned char)t->p[i]))
			return expect_parse_error(p, t->col + (unsigned)i, "expected digits after the decimal point");
		for (; i < t->len && isdigit((unsigned char)t->p[i]); i++)
			if (frac_div < 1000000000) {
				frac = frac * 10 + (t->p[i] - '0');
				frac_div *= 10;
			}
	}
	int64_t scale = default_scale;
	if (i < t->len) {
		const struct unit *u = units;
		while (u && u->name && (strlen(u->name) != t->len - i || memcmp(u->name, t->p + i, t->len - i)))
			u++;
		if (!u || !u->name) {
			if (!units)
				return expect_parse_error(p, t->col + (unsigned)i, "expected a whole number, not '%s'",
							  tok_text(t, buf, sizeof buf));
			return expect_parse_error(
				p, t->col + (unsigned)i, "unknown unit '%.*s' (this field takes %s, %s or %s)",
				(int)(t->len - i), t->p + i, units[0].name, units[1].name, units[2].name);
		}
		scale = u->scale;
	}
	if (whole > INT64_MAX / scale)
		return expect_parse_error(p, t->col, "number too large: '%s'", tok_text(t, buf, sizeof buf));
	int64_t frac_part = frac * scale / frac_div;
	if (frac_part * frac_div != frac * scale)
		return expect_parse_error(p, t->col, "'%s' is not a whole number of %s", tok_text(t, buf, sizeof buf),
					  units == byte_units ? "bytes" : "nanoseconds");
	*out = whole * scale + frac_part;
	return 0;
}

/* Parses an IPv4 address, or an IPv6 one with or without brackets. */
static bool parse_addr(const char *s, size_t len, uint8_t *version, uint8_t addr[16])
{
	char buf[64];
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*version = 4;
		return true;
	}
	if (inet_pton(AF_INET6, buf, addr) == 1) {
		*version = 6;
		return true;
	}
	return false;
}

static int parse_port(struct expect_parser *p, const char *s, size_t len, unsigned col, uint16_t *port)
{
	unsigned v = 0;
	if (len == 0 || len > 5)
		return expect_parse_error(p, col, "expected a port number (0-65535)");
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return expect_parse_error(p, col, "expected a port number (0-65535), not '%.*s'", (int)len, s);
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return expect_parse_error(p, col, "port %u is above 65535", v);
	*port = (uint16_t)v;
	return 0;
}

/*
 * ADDR, ADDR:PORT, [V6ADDR], [V6ADDR]:PORT, a bare V6ADDR (two or more colons,
 * no port), or *:PORT for any address.
 */
static int parse_endpoint(struct expect_parser *p, const struct expect_token *t, bool port_allowed,
			  struct expect_selector *sel)
{
	const char *s = t->p;
	size_t len = t->len, addr_len = len;
	const char *colon = NULL;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (!close)
			return expect_parse_error(p, t->col, "missing ']' after the IPv6 address");
		addr_len = (size_t)(close - s) + 1;
		if (addr_len < len) {
			if (s[addr_len] != ':')
				return expect_parse_error(p, t->col + (unsigned)addr_len, "expected ':PORT' after ']'");
			colon = s + addr_len;
		}
	} else {
		const char *first = memchr(s, ':', len);
		if (first && !memchr(first + 1, ':', len - (size_t)(first - s) - 1)) {
			colon = first;
			addr_len = (size_t)(first - s);
		}
	}
	if (colon) {
		if (!port_allowed)
			return expect_parse_error(p, t->col + (unsigned)(colon - s),
						  "host takes an address without a port");
		sel->has_port = true;
		if (parse_port(p, colon + 1, len - (size_t)(colon - s) - 1, t->col + (unsigned)(colon - s) + 1,
			       &sel->port))
			return -1;
	}
	if (addr_len == 1 && s[0] == '*' && port_allowed) {
		if (!colon)
			return expect_parse_error(p, t->col,
						  "'*' needs a port ('*:PORT'); for every flow write 'flow *'");
		return 0;
	}
	if (!parse_addr(s, addr_len, &sel->ip_version, sel->addr))
		return expect_parse_error(p, t->col, "'%.*s' is not an IPv4 or IPv6 address", (int)addr_len, s);
	sel->has_addr = true;
	return 0;
}

int expect_parse_selector(struct expect_parser *p, struct expect_selector *sel)
{
	memset(sel, 0, sizeof *sel);
	const struct expect_token *t =
		expect_word(p, "a flow selector (*, ID, port N, host ADDR, client ADDR[:PORT], server "
			       "ADDR[:PORT])");
	char buf[64];
	if (!t)
		return -1;
	if (expect_tok_is(t, "*")) {
		sel->kind = EXPECT_SEL_ALL;
		return 0;
	}
	if (isdigit((unsigned char)t->p[0])) {
		int64_t id = 0;
		if (parse_number(p, t, NULL, 1, &id))
			return -1;
		if (id == 0 || id > UINT32_MAX)
			return expect_parse_error(p, t->col, "flow ids start at 1");
		sel->kind = EXPECT_SEL_ID;
		sel->id = (uint32_t)id;
		return 0;
	}
	if (expect_tok_is(t, "port")) {
		const struct expect_token *v = expect_word(p, "a port number after 'port'");
		sel->kind = EXPECT_SEL_PORT;
		sel->has_port = true;
		return v ? parse_port(p, v->p, v->len, v->col, &sel->port) : -1;
	}
	bool host = expect_tok_is(t, "host");
	if (host || expect_tok_is(t, "client") || expect_tok_is(t, "server")) {
		sel->kind = host ? EXPECT_SEL_HOST : expect_tok_is(t, "client") ? EXPECT_SEL_CLIENT : EXPECT_SEL_SERVER;
		const struct expect_token *v = expect_word(p, host ? "an address after 'host'" : "ADDR[:PORT]");
		return v ? parse_endpoint(p, v, !host, sel) : -1;
	}
	return expect_parse_error(p, t->col,
				  "expected a flow selector (*, ID, port N, host ADDR, client ADDR[:PORT], server "
				  "ADDR[:PORT]), not '%s'",
				  tok_text(t, buf, sizeof buf));
}

static bool endpoint_match(const struct expect_selector *sel, const struct flow_summary *s, int side)
{
	if (sel->has_addr &&
	    (sel->ip_version != s->ip_version || memcmp(sel->addr, s->addr[side], sel->ip_version == 4 ? 4 : 16) != 0))
		return false;
	return !sel->has_port || sel->port == s->port[side];
}

bool expect_selector_match(const struct expect_selector *sel, const struct flow_summary *s)
{
	switch (sel->kind) {
	case EXPECT_SEL_ALL:
		return true;
	case EXPECT_SEL_ID:
		return s->id == sel->id;
	case EXPECT_SEL_PORT:
	case EXPECT_SEL_HOST:
		return endpoint_match(sel, s, 0) || endpoint_match(sel, s, 1);
	case EXPECT_SEL_CLIENT:
		return endpoint_match(sel, s, 0);
	case EXPECT_SEL_SERVER:
		return endpoint_match(sel, s, 1);
	}
	return false;
}

int expect_selector_parse(const char *text, struct expect_selector *sel, char *err, size_t errlen)
{
	char name[200];
	snprintf(name, sizeof name, "--flow '%s'", text);
	struct expect_parser p = {.name = name, .line = 0, .err = err, .errlen = errlen};
	expect_lex(&p, text, strlen(text));
	int rc = expect_parse_selector(&p, sel);
	if (rc == 0 && expect_peek(&p)) {
		char buf[64];
		rc = expect_parse_error(&p, expect_peek(&p)->col, "unexpected '%s' after the selector",
					tok_text(expect_peek(&p), buf, sizeof buf));
	}
	free(p.tok);
	return rc;
}

/* ---- Finding patterns --------------------------------------------------- */

static bool pattern_is_prefix(const char *pattern, size_t *prefix_len)
{
	size_t n = strlen(pattern);
	if (n >= 2 && strcmp(pattern + n - 2, ".*") == 0) {
		*prefix_len = n - 1; /* keep the dot: "tcp.reset." */
		return true;
	}
	if (strcmp(pattern, "*") == 0) {
		*prefix_len = 0;
		return true;
	}
	return false;
}

bool expect_pattern_match(const char *pattern, enum finding_id id)
{
	const char *code = finding_info(id)->code;
	size_t n;
	if (pattern_is_prefix(pattern, &n))
		return strncmp(code, pattern, n) == 0;
	return strcmp(code, pattern) == 0;
}

int expect_pattern_check(const char *pattern, char *err, size_t errlen)
{
	size_t n;
	bool prefix = pattern_is_prefix(pattern, &n);
	if (!prefix && strchr(pattern, '*')) {
		snprintf(err, errlen, "'%s': a wildcard may only end a prefix, as in tcp.reset.*", pattern);
		return -1;
	}
	for (int i = 1; i < F_COUNT; i++)
		if (expect_pattern_match(pattern, (enum finding_id)i))
			return 0;
	if (prefix)
		snprintf(err, errlen, "no finding code starts with '%.*s' (see tcpscope explain --list)", (int)n,
			 pattern);
	else
		snprintf(err, errlen, "unknown finding code '%s' (see tcpscope explain --list)", pattern);
	return -1;
}

/* ---- Statements --------------------------------------------------------- */

static const char *const op_names[] = {"==", "!=", "<", "<=", ">", ">=", "in"};

const char *expect_op_name(enum expect_op op)
{
	return op_names[op];
}

bool expect_tok_is_op(const struct expect_token *t)
{
	for (int i = 0; t && i <= EXPECT_IN; i++)
		if (t->len == strlen(op_names[i]) && memcmp(t->p, op_names[i], t->len) == 0)
			return true;
	return false;
}

static int parse_op(struct expect_parser *p, enum expect_op *op)
{
	const struct expect_token *t = expect_peek(p);
	char buf[64];
	if (!t)
		return expect_parse_error(p, p->end_col, "missing operator (== != < <= > >= in)");
	for (int i = 0; i <= EXPECT_IN; i++)
		if (t->len == strlen(op_names[i]) && memcmp(t->p, op_names[i], t->len) == 0) {
			*op = (enum expect_op)i;
			p->pos++;
			return 0;
		}
	return expect_parse_error(p, t->col, "expected an operator (== != < <= > >= in), not '%s'",
				  tok_text(t, buf, sizeof buf));
}

static bool vocabulary_has(const char *const *vocab, const struct expect_token *t)
{
	for (; *vocab; vocab++)
		if (strlen(*vocab) == t->len && memcmp(*vocab, t->p, t->len) == 0)
			return true;
	return false;
}

static void vocabulary_list(const char *const *vocab, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (; *vocab && n < len; vocab++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", *vocab);
}

/* A value of the flags field: letters in text_format_flags' order, or "" for none. */
static int parse_flags(struct expect_parser *p, const struct expect_token *t, struct expect_value *v)
{
	static const char order[] = "SFRPAUEW";
	char buf[64];
	if (t->len == 2 && memcmp(t->p, "\"\"", 2) == 0)
		return 0;
	unsigned seen = 0;
	bool ordered = true;
	int last = -1;
	for (size_t i = 0; i < t->len; i++) {
		const char *at = memchr(order, t->p[i], sizeof order - 1);
		if (!at)
			return expect_parse_error(p, t->col + (unsigned)i,
						  "flags are letters of %s (or \"\" for none), not '%s'", order,
						  tok_text(t, buf, sizeof buf));
		int bit = (int)(at - order);
		ordered = ordered && bit > last;
		last = bit;
		seen |= 1u << bit;
	}
	if (!ordered) {
		char canonical[sizeof order];
		size_t n = 0;
		for (int bit = 0; order[bit]; bit++)
			if (seen & (1u << bit))
				canonical[n++] = order[bit];
		canonical[n] = '\0';
		return expect_parse_error(p, t->col, "flags are written once each in the order %s: '%s', not '%s'",
					  order, canonical, tok_text(t, buf, sizeof buf));
	}
	memcpy(v->word, t->p, t->len);
	return 0;
}

/* One value for field f (NULL: a count, as in flows and findings). */
static int parse_value(struct expect_parser *p, const struct expect_field *f, struct expect_value *v)
{
	const struct expect_token *t = expect_word(p, "a value");
	char buf[64];
	if (!t)
		return -1;
	memset(v, 0, sizeof *v);
	v->type = f ? f->type : EXPECT_T_COUNT;
	if (f && expect_tok_is(t, "null")) {
		if (!field_nullable(f))
			return expect_parse_error(p, t->col, "%s is never null", f->path);
		v->null = true;
		return 0;
	}
	switch (v->type) {
	case EXPECT_T_COUNT:
		return parse_number(p, t, NULL, 1, &v->num);
	case EXPECT_T_BYTES:
		return parse_number(p, t, byte_units, 1, &v->num);
	case EXPECT_T_TIME:
		return parse_number(p, t, time_units, 1000000000, &v->num);
	case EXPECT_T_BOOL:
		if (!expect_tok_is(t, "true") && !expect_tok_is(t, "false"))
			return expect_parse_error(p, t->col, "%s is true or false, not '%s'", f->path,
						  tok_text(t, buf, sizeof buf));
		v->num = expect_tok_is(t, "true");
		return 0;
	case EXPECT_T_ADDR:
		if (!parse_addr(t->p, t->len, &v->ip_version, v->addr))
			return expect_parse_error(p, t->col, "'%s' is not an IPv4 or IPv6 address",
						  tok_text(t, buf, sizeof buf));
		return 0;
	case EXPECT_T_WORD:
		if (t->len >= sizeof v->word)
			return expect_parse_error(p, t->col, "value too long");
		if (f->store == ST_FLAGS)
			return parse_flags(p, t, v);
		if (f->vocabulary && !vocabulary_has(f->vocabulary, t)) {
			char list[200];
			vocabulary_list(f->vocabulary, list, sizeof list);
			return expect_parse_error(p, t->col, "%s is one of %s%s, not '%s'", f->path, list,
						  field_nullable(f) ? ", null" : "", tok_text(t, buf, sizeof buf));
		}
		memcpy(v->word, t->p, t->len);
		return 0;
	}
	return 0;
}

/* OP VALUE or `in` VALUE, VALUE, ... */
int expect_parse_comparison(struct expect_parser *p, const struct expect_field *f, struct expect *e)
{
	const struct expect_token *op_tok = expect_peek(p);
	if (parse_op(p, &e->op))
		return -1;
	if (f && e->op != EXPECT_EQ && e->op != EXPECT_NE && e->op != EXPECT_IN &&
	    (f->type == EXPECT_T_WORD || f->type == EXPECT_T_ADDR || f->type == EXPECT_T_BOOL))
		return expect_parse_error(p, op_tok->col, "'%s' compares numbers, and %s is %s", op_names[e->op],
					  f->path, f->type == EXPECT_T_BOOL ? "true or false" : "a word");
	size_t cap = 0;
	for (;;) {
		e->values = xgrow(e->values, &cap, e->nvalues + 1, sizeof *e->values);
		if (parse_value(p, f, &e->values[e->nvalues]))
			return -1;
		e->nvalues++;
		const struct expect_token *t = expect_peek(p);
		if (!t || t->kind != TOK_COMMA)
			break;
		if (e->op != EXPECT_IN)
			return expect_parse_error(p, t->col, "a list of values needs 'in'");
		p->pos++;
	}
	return 0;
}

/* findings WHAT: a severity, a code, a prefix ending in ".*", or "*". */
static int parse_what(struct expect_parser *p, struct expect *e)
{
	const struct expect_token *t = expect_word(p, "a finding code, prefix.* or severity");
	char buf[128], msg[200];
	if (!t)
		return -1;
	tok_text(t, buf, sizeof buf);
	if (severity_parse(buf) < 0 && expect_pattern_check(buf, msg, sizeof msg) != 0)
		return expect_parse_error(p, t->col, "%s", msg);
	e->what = xstrdup(buf);
	return 0;
}

const struct expect_field *expect_flow_field(const char *path, size_t len)
{
	return field_lookup(fields, sizeof fields / sizeof fields[0], path, len);
}

static int unknown_field(struct expect_parser *p, bool packet, const struct expect_token *t)
{
	char buf[128];
	if (t->len > 7 && memcmp(t->p, "labels.", 7) == 0)
		return expect_parse_error(p, t->col, "unknown label '%.*s' (the labels are listed in docs/ci.md)",
					  (int)t->len - 7, t->p + 7);
	if (packet && t->len > 9 && memcmp(t->p, "findings.", 9) == 0)
		return expect_parse_error(p, t->col + 9, "unknown finding code '%.*s' (see tcpscope explain --list)",
					  (int)t->len - 9, t->p + 9);
	return expect_parse_error(p, t->col, "unknown %sfield '%s' (the fields are listed in docs/ci.md)",
				  packet ? "packet " : "", tok_text(t, buf, sizeof buf));
}

int expect_unknown_field(struct expect_parser *p, const struct expect_token *t)
{
	return unknown_field(p, false, t);
}

/* A flow field (packet false) or a packet field (packet true) into e->field. */
static int parse_field(struct expect_parser *p, bool packet, struct expect *e)
{
	const struct expect_token *t =
		expect_word(p, packet ? "a packet field (state.client, flags, labels.retransmission, ...)"
				      : "a field (handshake, state.client, labels.retransmission, ...)");
	if (!t)
		return -1;
	e->field = packet ? field_lookup(packet_fields, sizeof packet_fields / sizeof packet_fields[0], t->p, t->len)
			  : expect_flow_field(t->p, t->len);
	return e->field ? 0 : unknown_field(p, packet, t);
}

/* frame N: a frame number, from 1. */
static int parse_frame_number(struct expect_parser *p, struct expect *e)
{
	const struct expect_token *t = expect_word(p, "a frame number");
	int64_t n = 0;
	if (!t || parse_number(p, t, NULL, 1, &n))
		return -1;
	if (n == 0)
		return expect_parse_error(p, t->col, "frames are numbered from 1");
	e->frame = (uint64_t)n;
	return 0;
}

static int parse_statement(struct expect_parser *p, struct expect *e)
{
	const struct expect_token *t = expect_word(p, "flows, flow, frame or findings");
	char buf[64];
	if (!t)
		return -1;
	if (expect_tok_is(t, "flows")) {
		e->form = EXPECT_FLOWS;
		if (expect_parse_comparison(p, NULL, e))
			return -1;
	} else if (expect_tok_is(t, "flow")) {
		e->form = EXPECT_FLOW;
		if (expect_parse_selector(p, &e->sel) || parse_field(p, false, e) ||
		    expect_parse_comparison(p, e->field, e))
			return -1;
	} else if (expect_tok_is(t, "frame")) {
		e->form = EXPECT_FRAME;
		if (parse_frame_number(p, e) || parse_field(p, true, e) || expect_parse_comparison(p, e->field, e))
			return -1;
	} else if (expect_tok_is(t, "findings")) {
		e->form = EXPECT_FINDINGS;
		if (parse_what(p, e) || expect_parse_comparison(p, NULL, e))
			return -1;
	} else {
		return expect_parse_error(p, t->col, "expected flows, flow, frame or findings, not '%s'",
					  tok_text(t, buf, sizeof buf));
	}
	t = expect_peek(p);
	if (t)
		return expect_parse_error(p, t->col, "unexpected '%s' after the value", tok_text(t, buf, sizeof buf));
	return 0;
}

static void expect_free_items(struct expect *e)
{
	free(e->text);
	free(e->what);
	free(e->values);
}

struct expect_set *expect_parse(const char *text, const char *name, char *err, size_t errlen)
{
	struct expect_set *set = xcalloc(1, sizeof *set);
	struct expect_parser p = {.name = name, .err = err, .errlen = errlen};
	size_t cap = 0;
	set->name = xstrdup(name);
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		p.line++;
		expect_lex(&p, line, len);
		if (p.ntok > 0) {
			set->items = xgrow(set->items, &cap, set->count + 1, sizeof *set->items);
			struct expect *e = &set->items[set->count];
			memset(e, 0, sizeof *e);
			e->line = p.line;
			size_t start = p.tok[0].col - 1, end = p.end_col - 1;
			e->text = xmalloc(end - start + 1);
			memcpy(e->text, line + start, end - start);
			e->text[end - start] = '\0';
			if (parse_statement(&p, e) != 0) {
				expect_free_items(e);
				free(p.tok);
				expect_set_free(set);
				return NULL;
			}
			set->count++;
		}
		line += len + (nl ? 1 : 0);
	}
	free(p.tok);
	return set;
}

void expect_set_free(struct expect_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->count; i++)
		expect_free_items(&set->items[i]);
	free(set->items);
	free(set->name);
	free(set);
}

/* ---- Evaluation --------------------------------------------------------- */

static bool value_equal(const struct expect_value *a, const struct expect_value *b)
{
	if (a->null || b->null)
		return a->null == b->null;
	switch (a->type) {
	case EXPECT_T_WORD:
		return strcmp(a->word, b->word) == 0;
	case EXPECT_T_ADDR:
		return a->ip_version == b->ip_version && memcmp(a->addr, b->addr, 16) == 0;
	default:
		return a->num == b->num;
	}
}

/* Does actual OP values hold? A null actual only equals null and is never ordered. */
bool expect_value_holds(const struct expect_value *actual, enum expect_op op, const struct expect_value *values,
			size_t n)
{
	const struct expect_value *v = &values[0];
	switch (op) {
	case EXPECT_EQ:
		return value_equal(actual, v);
	case EXPECT_NE:
		return !value_equal(actual, v);
	case EXPECT_IN:
		for (size_t i = 0; i < n; i++)
			if (value_equal(actual, &values[i]))
				return true;
		return false;
	default:
		break;
	}
	if (actual->null || v->null)
		return false;
	switch (op) {
	case EXPECT_LT:
		return actual->num < v->num;
	case EXPECT_LE:
		return actual->num <= v->num;
	case EXPECT_GT:
		return actual->num > v->num;
	default:
		return actual->num >= v->num;
	}
}

/* "ADDR:PORT > ADDR:PORT", client first. */
static void format_endpoints(char *buf, size_t len, uint8_t ip_version, const uint8_t addr[2][16],
			     const uint16_t port[2])
{
	char a[2][INET6_ADDRSTRLEN];
	for (int side = 0; side < 2; side++)
		text_format_addr(a[side], sizeof a[side], ip_version, addr[side]);
	if (ip_version == 6)
		snprintf(buf, len, "[%s]:%u > [%s]:%u", a[0], port[0], a[1], port[1]);
	else
		snprintf(buf, len, "%s:%u > %s:%u", a[0], port[0], a[1], port[1]);
}

void expect_format_endpoints(char *buf, size_t len, const struct flow_summary *s)
{
	format_endpoints(buf, len, s->ip_version, s->addr, s->port);
}

static void eval_flow(const struct expect *e, const struct report *r, struct expect_result *res)
{
	size_t cap = 0;
	struct report_reader rd;
	const struct flow_summary *s;
	report_read_flows(r, &rd);
	while ((s = report_next_flow(&rd))) {
		if (!expect_selector_match(&e->sel, s))
			continue;
		res->selected++;
		struct expect_value actual;
		field_get(e->field, s, &actual);
		if (expect_value_holds(&actual, e->op, e->values, e->nvalues))
			continue;
		res->failures = xgrow(res->failures, &cap, res->nfailures + 1, sizeof *res->failures);
		struct expect_failure *f = &res->failures[res->nfailures++];
		f->flow = s->id;
		f->frame = s->first_frame;
		expect_format_endpoints(f->endpoints, sizeof f->endpoints, s);
		f->actual = actual;
	}
	report_reader_close(&rd);
	res->pass = res->selected > 0 && res->nfailures == 0;
	if (res->selected == 0)
		snprintf(res->summary, sizeof res->summary, "no flow is selected (the capture has %zu)", r->nflows);
	else if (res->nfailures)
		snprintf(res->summary, sizeof res->summary, "%zu of %zu selected flows differ", res->nfailures,
			 res->selected);
	else
		snprintf(res->summary, sizeof res->summary, "holds for %zu flow%s", res->selected,
			 res->selected == 1 ? "" : "s");
}

static int frame_compare(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

void expect_frames_init(struct expect_frames *fr, const struct expect_set *set)
{
	memset(fr, 0, sizeof *fr);
	for (size_t i = 0; i < set->count; i++)
		fr->n += set->items[i].form == EXPECT_FRAME;
	if (fr->n == 0)
		return;
	fr->wanted = xmalloc(fr->n * sizeof *fr->wanted);
	size_t n = 0;
	for (size_t i = 0; i < set->count; i++)
		if (set->items[i].form == EXPECT_FRAME)
			fr->wanted[n++] = set->items[i].frame;
	qsort(fr->wanted, n, sizeof *fr->wanted, frame_compare);
	fr->n = 0;
	for (size_t i = 0; i < n; i++)
		if (fr->n == 0 || fr->wanted[fr->n - 1] != fr->wanted[i])
			fr->wanted[fr->n++] = fr->wanted[i];
	fr->packets = xcalloc(fr->n, sizeof *fr->packets);
}

/* The slot of a wanted frame, or NULL. */
static struct expect_packet *frames_find(const struct expect_frames *fr, uint64_t frame)
{
	if (fr->n == 0)
		return NULL;
	const uint64_t *at = bsearch(&frame, fr->wanted, fr->n, sizeof *fr->wanted, frame_compare);
	return at ? &fr->packets[at - fr->wanted] : NULL;
}

void expect_frames_packet(struct expect_frames *fr, const struct packet_view *v)
{
	const struct packet *p = v->pkt;
	struct expect_packet *pk = frames_find(fr, p->frame);
	if (!pk || pk->seen)
		return;
	int client_is_src = !v->from_server;
	pk->seen = true;
	pk->frame = p->frame;
	pk->flow = v->flow_id;
	pk->time_ns = p->time_ns;
	pk->from_server = v->from_server;
	pk->flags = p->flags;
	pk->seq = v->rel_seq;
	pk->ack = v->rel_ack;
	pk->seq_raw = p->seq;
	pk->ack_raw = p->ack;
	pk->len = p->payload_len;
	pk->win = p->window;
	pk->win_scaled = v->window_shift < 0 ? -1 : (int64_t)((uint64_t)p->window << v->window_shift);
	pk->state[0] = v->state[0];
	pk->state[1] = v->state[1];
	pk->labels = v->labels;
	pk->dupack_num = v->labels & (1u << L_DUPLICATE_ACK) ? (int64_t)v->dupack_num : -1;
	pk->bytes_in_flight = v->bytes_in_flight < 0 ? -1 : v->bytes_in_flight;
	pk->via[0] = v->via[0];
	pk->via[1] = v->via[1];
	pk->fate = delivery_fate_name(v->fate);
	pk->fate_frame = v->fate_frame ? (int64_t)v->fate_frame : -1;
	pk->arrived_after = v->arrived_after ? (int64_t)v->arrived_after : -1;
	pk->nfindings = v->nfindings < VIEW_MAX_FINDINGS ? v->nfindings : VIEW_MAX_FINDINGS;
	memcpy(pk->findings, v->findings, pk->nfindings * sizeof *pk->findings);
	pk->ip_version = p->ip_version;
	memcpy(pk->addr[0], client_is_src ? p->src : p->dst, 16);
	memcpy(pk->addr[1], client_is_src ? p->dst : p->src, 16);
	pk->port[0] = client_is_src ? p->sport : p->dport;
	pk->port[1] = client_is_src ? p->dport : p->sport;
}

void expect_frames_free(struct expect_frames *fr)
{
	free(fr->wanted);
	free(fr->packets);
	memset(fr, 0, sizeof *fr);
}

static void eval_frame(const struct expect *e, const struct report *r, const struct expect_frames *fr,
		       struct expect_result *res)
{
	assert(fr);
	const struct expect_packet *pk = frames_find(fr, e->frame);
	assert(pk); /* fr was made from e's set */
	if (!pk->seen) {
		if (e->frame > r->stats.packets)
			snprintf(res->summary, sizeof res->summary,
				 "frame %" PRIu64 " is not in the capture (it has %" PRIu64 " frame%s)", e->frame,
				 r->stats.packets, r->stats.packets == 1 ? "" : "s");
		else
			snprintf(res->summary, sizeof res->summary,
				 "frame %" PRIu64 " is not a TCP packet of the capture", e->frame);
		return;
	}
	res->selected = 1;
	struct expect_value actual;
	field_get(e->field, pk, &actual);
	res->pass = expect_value_holds(&actual, e->op, e->values, e->nvalues);
	if (res->pass) {
		snprintf(res->summary, sizeof res->summary, "holds at frame %" PRIu64, e->frame);
		return;
	}
	res->failures = xmalloc(sizeof *res->failures);
	res->nfailures = 1;
	struct expect_failure *f = &res->failures[0];
	f->flow = pk->flow;
	f->frame = e->frame;
	format_endpoints(f->endpoints, sizeof f->endpoints, pk->ip_version, pk->addr, pk->port);
	f->actual = actual;
	snprintf(res->summary, sizeof res->summary, "frame %" PRIu64 " differs", e->frame);
}

static bool finding_matches(const char *what, enum finding_id id)
{
	int sev = severity_parse(what);
	if (sev >= 0)
		return (int)finding_info(id)->severity == sev;
	return expect_pattern_match(what, id);
}

static void eval_findings(const struct expect *e, const struct report *r, struct expect_result *res)
{
	size_t cap = 0, cap2 = 0;
	struct report_reader rd;
	const struct finding *f;
	report_read_findings(r, &rd);
	while ((f = report_next_finding(&rd))) {
		if (!finding_matches(e->what, f->id))
			continue;
		res->frames = xgrow(res->frames, &cap, res->nframes + 1, sizeof *res->frames);
		res->codes = xgrow(res->codes, &cap2, res->nframes + 1, sizeof *res->codes);
		res->frames[res->nframes] = f->frame;
		res->codes[res->nframes++] = f->id;
	}
	report_reader_close(&rd);
	res->selected = res->nframes;
	struct expect_value count = {.type = EXPECT_T_COUNT, .num = (int64_t)res->nframes};
	res->pass = expect_value_holds(&count, e->op, e->values, e->nvalues);
	snprintf(res->summary, sizeof res->summary, "%zu finding%s", res->nframes, res->nframes == 1 ? "" : "s");
}

void expect_eval(const struct expect *e, const struct report *r, const struct expect_frames *fr,
		 struct expect_result *res)
{
	memset(res, 0, sizeof *res);
	res->e = e;
	switch (e->form) {
	case EXPECT_FLOWS: {
		struct expect_value count = {.type = EXPECT_T_COUNT, .num = (int64_t)r->nflows};
		res->selected = r->nflows;
		res->nframes = r->nflows;
		res->frames = xmalloc((r->nflows ? r->nflows : 1) * sizeof *res->frames);
		struct report_reader rd;
		const struct flow_summary *s;
		report_read_flows(r, &rd);
		for (size_t i = 0; (s = report_next_flow(&rd)); i++)
			res->frames[i] = s->first_frame;
		report_reader_close(&rd);
		res->pass = expect_value_holds(&count, e->op, e->values, e->nvalues);
		snprintf(res->summary, sizeof res->summary, "%zu flow%s", r->nflows, r->nflows == 1 ? "" : "s");
		break;
	}
	case EXPECT_FLOW:
		eval_flow(e, r, res);
		break;
	case EXPECT_FRAME:
		eval_frame(e, r, fr, res);
		break;
	case EXPECT_FINDINGS:
		eval_findings(e, r, res);
		break;
	}
}

void expect_result_free(struct expect_result *res)
{
	free(res->failures);
	free(res->frames);
	free(res->codes);
	memset(res, 0, sizeof *res);
}

/* ---- Formatting --------------------------------------------------------- */

/* Writes whole/scale with the fraction's trailing zeros dropped, then the unit. */
static void format_scaled(char *buf, size_t len, int64_t v, int64_t scale, int digits, const char *unit)
{
	const char *sign = v < 0 ? "-" : "";
	uint64_t a = v < 0 ? (uint64_t)-v : (uint64_t)v;
	uint64_t whole = a / (uint64_t)scale, frac = a % (uint64_t)scale;
	if (frac == 0) {
		snprintf(buf, len, "%s%" PRIu64 "%s", sign, whole, unit);
		return;
	}
	char f[16];
	snprintf(f, sizeof f, "%0*" PRIu64, digits, frac);
	for (int i = digits - 1; i > 0 && f[i] == '0'; i--)
		f[i] = '\0';
	snprintf(buf, len, "%s%" PRIu64 ".%s%s", sign, whole, f, unit);
}

void expect_value_format(char *buf, size_t len, const struct expect_value *v)
{
	if (v->null) {
		snprintf(buf, len, "null");
		return;
	}
	switch (v->type) {
	case EXPECT_T_COUNT:
	case EXPECT_T_BYTES:
		snprintf(buf, len, "%" PRId64, v->num);
		break;
	case EXPECT_T_TIME: {
		int64_t a = v->num < 0 ? -v->num : v->num;
		if (a != 0 && a < 1000000)
			format_scaled(buf, len, v->num, 1000, 3, "us");
		else if (a != 0 && a < 1000000000)
			format_scaled(buf, len, v->num, 1000000, 6, "ms");
		else
			format_scaled(buf, len, v->num, 1000000000, 9, "s");
		break;
	}
	case EXPECT_T_WORD:
		snprintf(buf, len, "%s", v->word[0] ? v->word : "\"\""); /* "" as written: no flags */
		break;
	case EXPECT_T_ADDR:
		text_format_addr(buf, len, v->ip_version, v->addr);
		break;
	case EXPECT_T_BOOL:
		snprintf(buf, len, "%s", v->num ? "true" : "false");
		break;
	}
}

void expect_values_format(char *buf, size_t len, const struct expect *e)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < e->nvalues && n < len; i++) {
		char value[64];
		expect_value_format(value, sizeof value, &e->values[i]);
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "", value);
	}
}
