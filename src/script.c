/*
 * script.c - parser and matcher of packetdrill-style scripts (script.h).
 *
 * Parsing walks each line with a column-tracking cursor; the first problem
 * ends the parse with "NAME:LINE:COLUMN: problem". Matching compares one
 * packet view with one step, field by field, and collects every difference
 * into one message, so a failure shows all that is wrong with that packet.
 * Options are matched as a pattern over the option kinds in wire order,
 * where '...' matches any run of options (a glob with backtracking).
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mem-alloc.h"
#include "packetdrill.h"
#include "script.h"

#define SCRIPT_TOLERANCE_NS 4000000   /* packetdrill's default --tolerance_usecs=4000 */
#define SCRIPT_MAX_SECONDS 1000000000 /* the largest time a script may write: 10^9 s, some 31 years */
#define SCRIPT_MAX_OPTIONS 16
#define SCRIPT_MAX_SACK 4

enum script_time { SCRIPT_TIME_ANY, SCRIPT_TIME_REL, SCRIPT_TIME_ABS };

/* One element of an option pattern. */
enum script_opt_kind {
	SO_ANY_RUN, /* ... */
	SO_NOP,
	SO_EOL,
	SO_MSS,
	SO_WSCALE,
	SO_SACKOK,
	SO_TS,
	SO_SACK,
	SO_FO,
	SO_MPTCP,
	SO_KIND, /* kind N: any option of that kind */
};

struct script_opt {
	enum script_opt_kind kind;
	bool any[2];	 /* '*' for the first / second value */
	uint32_t val[2]; /* mss, wscale, TS val/ecr, FO: val[0] = 0 cookie request; kind N */
	uint8_t nsack;
	uint32_t sack[SCRIPT_MAX_SACK][2];
};

struct script_step {
	unsigned line;
	char *text;
	enum script_time time_kind;
	int64_t time_ns;
	int from_server;
	uint8_t flags;
	uint32_t start, len;
	bool has_ack, ack_any;
	uint32_t ack;
	bool has_win, win_any;
	uint16_t win;
	bool has_options;
	uint8_t nopts;
	struct script_opt opts[SCRIPT_MAX_OPTIONS];
};

/* ---- Parser ------------------------------------------------------------- */

struct cursor_line {
	const char *name;
	unsigned line;
	const char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
};

static int script_error(struct cursor_line *c, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int script_error(struct cursor_line *c, size_t pos, const char *fmt, ...)
{
	int n = snprintf(c->err, c->errlen, "%s:%u:%zu: ", c->name, c->line, pos + 1);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void skip_blanks(struct cursor_line *c)
{
	while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' || c->s[c->pos] == '\r'))
		c->pos++;
}

static bool at_end(struct cursor_line *c)
{
	skip_blanks(c);
	return c->pos >= c->len;
}

/* The length of the word at the cursor (up to a blank, ',' or '>'). */
static size_t word_len(const struct cursor_line *c)
{
	size_t n = 0;
	while (c->pos + n < c->len && !strchr(" \t\r,>", c->s[c->pos + n]))
		n++;
	return n;
}

static bool take_keyword(struct cursor_line *c, const char *kw)
{
	skip_blanks(c);
	size_t n = strlen(kw);
	if (word_len(c) == n && memcmp(c->s + c->pos, kw, n) == 0) {
		c->pos += n;
		return true;
	}
	return false;
}

/* An unsigned decimal of at most max; what names it in errors. */
static int parse_uint(struct cursor_line *c, uint64_t max, const char *what, uint32_t *out)
{
	skip_blanks(c);
	size_t start = c->pos;
	uint64_t v = 0;
	if (c->pos >= c->len || !isdigit((unsigned char)c->s[c->pos]))
		return script_error(c, start, "expected %s", what);
	while (c->pos < c->len && isdigit((unsigned char)c->s[c->pos])) {
		v = v * 10 + (uint64_t)(c->s[c->pos++] - '0');
		if (v > max)
			return script_error(c, start, "%s is above %" PRIu64, what, max);
	}
	*out = (uint32_t)v;
	return 0;
}

/* A value or '*'. */
static int parse_uint_or_any(struct cursor_line *c, uint64_t max, const char *what, uint32_t *out, bool *any)
{
	skip_blanks(c);
	*any = c->pos < c->len && c->s[c->pos] == '*';
	if (*any) {
		c->pos++;
		return 0;
	}
	return parse_uint(c, max, what, out);
}

/* SECONDS as decimal ("1", "0.25", ".1") into nanoseconds. */
static int parse_seconds(struct cursor_line *c, int64_t *ns)
{
	size_t start = c->pos;
	int64_t whole = 0, frac = 0, scale = 1000000000;
	bool digits = false;
	while (c->pos < c->len && isdigit((unsigned char)c->s[c->pos])) {
		whole = whole * 10 + (c->s[c->pos++] - '0');
		if (whole > SCRIPT_MAX_SECONDS) /* so that times and their sums with capture times fit int64_t */
			return script_error(c, start, "time too large");
		digits = true;
	}
	if (c->pos < c->len && c->s[c->pos] == '.') {
		c->pos++;
		while (c->pos < c->len && isdigit((unsigned char)c->s[c->pos])) {
			if (scale > 1) {
				scale /= 10;
				frac += (c->s[c->pos] - '0') * scale;
			}
			c->pos++;
			digits = true;
		}
	}
	if (!digits)
		return script_error(c, start, "expected a time (+SECONDS, SECONDS or *)");
	*ns = whole * 1000000000 + frac;
	return 0;
}

static int parse_time(struct cursor_line *c, struct script_step *st)
{
	skip_blanks(c);
	if (c->pos < c->len && c->s[c->pos] == '*') {
		c->pos++;
		st->time_kind = SCRIPT_TIME_ANY;
		return 0;
	}
	st->time_kind = SCRIPT_TIME_ABS;
	if (c->pos < c->len && c->s[c->pos] == '+') {
		c->pos++;
		st->time_kind = SCRIPT_TIME_REL;
	}
	return parse_seconds(c, &st->time_ns);
}

static const struct {
	char letter;
	uint8_t bit;
} flag_letters[] = {{'S', TCP_SYN}, {'F', TCP_FIN}, {'R', TCP_RST}, {'P', TCP_PSH},
		    {'.', TCP_ACK}, {'U', TCP_URG}, {'E', TCP_ECE}, {'W', TCP_CWR}};

static int parse_flags(struct cursor_line *c, uint8_t *flags)
{
	skip_blanks(c);
	size_t n = word_len(c);
	if (n == 0)
		return script_error(c, c->pos, "expected flags (S F R P . U E W, or - for none)");
	*flags = 0;
	if (n == 1 && c->s[c->pos] == '-') {
		c->pos++;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < sizeof flag_letters / sizeof flag_letters[0] && flag_letters[k].letter != c->s[c->pos + i])
			k++;
		if (k == sizeof flag_letters / sizeof flag_letters[0])
			return script_error(c, c->pos + i, "unknown flag '%c' (flags are S F R P . U E W)",
					    c->s[c->pos + i]);
		*flags |= flag_letters[k].bit;
	}
	c->pos += n;
	return 0;
}

static void format_flags(char *buf, uint8_t flags)
{
	int n = 0;
	for (size_t k = 0; k < sizeof flag_letters / sizeof flag_letters[0]; k++)
		if (flags & flag_letters[k].bit)
			buf[n++] = flag_letters[k].letter;
	buf[n] = '\0';
}

static bool take_char(struct cursor_line *c, char ch)
{
	if (c->pos < c->len && c->s[c->pos] == ch) {
		c->pos++;
		return true;
	}
	return false;
}

/* START:END(LEN) with END = START + LEN. */
static int parse_seq(struct cursor_line *c, struct script_step *st)
{
	skip_blanks(c);
	size_t start_pos = c->pos;
	uint32_t end;
	if (parse_uint(c, UINT32_MAX, "START:END(LEN), relative sequence numbers", &st->start))
		return -1;
	if (!take_char(c, ':'))
		return script_error(c, c->pos, "expected ':' in START:END(LEN)");
	if (parse_uint(c, UINT32_MAX, "END in START:END(LEN)", &end))
		return -1;
	if (!take_char(c, '('))
		return script_error(c, c->pos, "expected '(' in START:END(LEN)");
	if (parse_uint(c, UINT32_MAX, "LEN in START:END(LEN)", &st->len))
		return -1;
	if (!take_char(c, ')'))
		return script_error(c, c->pos, "expected ')' in START:END(LEN)");
	if ((uint32_t)(st->start + st->len) != end)
		return script_error(c, start_pos, "%u:%u(%u): END must be START + LEN", st->start, end, st->len);
	return 0;
}

static int parse_sack_blocks(struct cursor_line *c, struct script_opt *o)
{
	while (o->nsack < SCRIPT_MAX_SACK) {
		skip_blanks(c);
		if (c->pos >= c->len || !isdigit((unsigned char)c->s[c->pos]))
			break;
		uint32_t *b = o->sack[o->nsack++];
		if (parse_uint(c, UINT32_MAX, "a SACK block L:R", &b[0]))
			return -1;
		if (!take_char(c, ':'))
			return script_error(c, c->pos, "expected ':' in the SACK block L:R");
		if (parse_uint(c, UINT32_MAX, "a SACK block L:R", &b[1]))
			return -1;
	}
	if (o->nsack == 0)
		return script_error(c, c->pos, "expected SACK blocks L:R after 'sack'");
	return 0;
}

/* One option of an <...> list. */
static int parse_option(struct cursor_line *c, struct script_opt *o)
{
	skip_blanks(c);
	size_t pos = c->pos, n = word_len(c);
	memset(o, 0, sizeof *o);
	if (take_keyword(c, "..."))
		o->kind = SO_ANY_RUN;
	else if (take_keyword(c, "nop"))
		o->kind = SO_NOP;
	else if (take_keyword(c, "eol"))
		o->kind = SO_EOL;
	else if (take_keyword(c, "sackOK"))
		o->kind = SO_SACKOK;
	else if (take_keyword(c, "mptcp"))
		o->kind = SO_MPTCP;
	else if (take_keyword(c, "mss")) {
		o->kind = SO_MSS;
		return parse_uint_or_any(c, UINT16_MAX, "an MSS value or *", &o->val[0], &o->any[0]);
	} else if (take_keyword(c, "wscale")) {
		o->kind = SO_WSCALE;
		return parse_uint_or_any(c, UINT8_MAX, "a window scale or *", &o->val[0], &o->any[0]);
	} else if (take_keyword(c, "TS")) {
		o->kind = SO_TS;
		if (!take_keyword(c, "val"))
			return script_error(c, c->pos, "expected 'val' in TS val N ecr N");
		if (parse_uint_or_any(c, UINT32_MAX, "a TSval or *", &o->val[0], &o->any[0]))
			return -1;
		if (!take_keyword(c, "ecr"))
			return script_error(c, c->pos, "expected 'ecr' in TS val N ecr N");
		return parse_uint_or_any(c, UINT32_MAX, "a TSecr or *", &o->val[1], &o->any[1]);
	} else if (take_keyword(c, "sack")) {
		o->kind = SO_SACK;
		return parse_sack_blocks(c, o);
	} else if (take_keyword(c, "FO")) {
		o->kind = SO_FO;
		skip_blanks(c);
		o->any[0] = take_char(c, '*');
	} else if (take_keyword(c, "kind")) {
		o->kind = SO_KIND;
		return parse_uint(c, UINT8_MAX, "an option kind (0-255)", &o->val[0]);
	} else {
		return script_error(c, pos,
				    "unknown option '%.*s' (mss, wscale, sackOK, TS, sack, nop, eol, FO, mptcp, "
				    "kind N, ...)",
				    (int)n, c->s + pos);
	}
	return 0;
}

static int parse_options(struct cursor_line *c, struct script_step *st)
{
	st->has_options = true;
	size_t open = c->pos - 1;
	skip_blanks(c);
	if (take_char(c, '>'))
		return 0;
	for (;;) {
		if (st->nopts == SCRIPT_MAX_OPTIONS)
			return script_error(c, c->pos, "more than %d options", SCRIPT_MAX_OPTIONS);
		if (parse_option(c, &st->opts[st->nopts++]))
			return -1;
		skip_blanks(c);
		if (take_char(c, '>'))
			return 0;
		if (c->pos >= c->len)
			return script_error(c, c->pos, "missing '>' to close the '<' at column %zu", open + 1);
		if (!take_char(c, ','))
			return script_error(c, c->pos, "expected ',' or '>' in the option list");
	}
}

static int parse_step(struct cursor_line *c, struct script_step *st)
{
	if (parse_time(c, st))
		return -1;
	skip_blanks(c);
	if (take_char(c, '>'))
		st->from_server = 0;
	else if (take_char(c, '<'))
		st->from_server = 1;
	else
		return script_error(c, c->pos,
				    "expected a direction: '>' (client to server) or '<' (server to client)");
	if (parse_flags(c, &st->flags) || parse_seq(c, st))
		return -1;
	if (take_keyword(c, "ack")) {
		st->has_ack = true;
		if (parse_uint_or_any(c, UINT32_MAX, "an acknowledgement number or *", &st->ack, &st->ack_any))
			return -1;
	}
	if (take_keyword(c, "win")) {
		uint32_t win = 0;
		st->has_win = true;
		if (parse_uint_or_any(c, UINT16_MAX, "a window (the raw 16-bit field) or *", &win, &st->win_any))
			return -1;
		st->win = (uint16_t)win;
	}
	skip_blanks(c);
	if (take_char(c, '<') && parse_options(c, st))
		return -1;
	if (!at_end(c))
		return script_error(c, c->pos,
				    "unexpected '%.*s' (a line is TIME DIR FLAGS START:END(LEN) [ack N] [win N] "
				    "[<OPTIONS>])",
				    (int)(word_len(c) ? word_len(c) : 1), c->s + c->pos);
	return 0;
}

/* The line without a '//' or '#' comment and without trailing blanks. */
static size_t code_length(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] == '#' || (line[i] == '/' && i + 1 < len && line[i + 1] == '/')) {
			len = i;
			break;
		}
	while (len > 0 && strchr(" \t\r", line[len - 1]))
		len--;
	return len;
}

struct script *script_parse(const char *text, const char *name, char *err, size_t errlen)
{
	struct script *s = xcalloc(1, sizeof *s);
	size_t cap = 0;
	struct cursor_line c = {.name = name, .err = err, .errlen = errlen};
	s->name = xstrdup(name);
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t full = nl ? (size_t)(nl - line) : strlen(line);
		c.line++;
		c.s = line;
		c.len = code_length(line, full);
		c.pos = 0;
		if (!at_end(&c)) {
			s->steps = xgrow(s->steps, &cap, s->count + 1, sizeof *s->steps);
			struct script_step *st = &s->steps[s->count];
			memset(st, 0, sizeof *st);
			st->line = c.line;
			if (parse_step(&c, st) != 0) {
				script_free(s);
				return NULL;
			}
			size_t start = 0;
			while (strchr(" \t", line[start]))
				start++;
			st->text = xmalloc(c.len - start + 1);
			memcpy(st->text, line + start, c.len - start);
			st->text[c.len - start] = '\0';
			s->count++;
		}
		line += full + (nl ? 1 : 0);
	}
	if (s->count == 0) {
		snprintf(err, errlen, "%s: the script has no packet lines", name);
		script_free(s);
		return NULL;
	}
	return s;
}

/* The line number in a "NAME:LINE:COLUMN: problem" message; 0 when it names none. */
static unsigned error_line(const char *msg, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(msg, name, n) != 0 || msg[n] != ':')
		return 0;
	return (unsigned)strtoul(msg + n + 1, NULL, 10);
}

struct script *script_load(const char *text, const char *name, bool packetdrill, char *err, size_t errlen)
{
	char tcpscope_err[512] = "";
	if (!packetdrill) {
		struct script *s = script_parse(text, name, tcpscope_err, sizeof tcpscope_err);
		if (s)
			return s;
	}
	struct packetdrill_script *pd = packetdrill_parse(text, name, err, errlen);
	if (!pd) {
		if (!packetdrill && error_line(tcpscope_err, name) >= error_line(err, name))
			snprintf(err, errlen, "%s", tcpscope_err);
		return NULL;
	}
	struct script *s = xcalloc(1, sizeof *s);
	s->name = xstrdup(name);
	s->packetdrill = pd;
	return s;
}

void script_free(struct script *s)
{
	if (!s)
		return;
	packetdrill_free(s->packetdrill);
	for (size_t i = 0; i < s->count; i++)
		free(s->steps[i].text);
	free(s->steps);
	free(s->name);
	free(s);
}

/* ---- Formatting --------------------------------------------------------- */

void script_append(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	if (*n >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf + *n, len - *n, fmt, ap);
	va_end(ap);
	if (w > 0)
		*n += (size_t)w < len - *n ? (size_t)w : len - *n - 1;
}

void script_append_seconds(char *buf, size_t len, size_t *n, int64_t ns)
{
	const char *sign = ns < 0 ? "-" : "";
	uint64_t a = ns < 0 ? (uint64_t)-ns : (uint64_t)ns;
	uint64_t us = (a + 500) / 1000;
	char frac[8];
	snprintf(frac, sizeof frac, "%06" PRIu64, us % 1000000);
	int i = 5;
	while (i >= 0 && frac[i] == '0')
		frac[i--] = '\0';
	if (frac[0])
		script_append(buf, len, n, "%s%" PRIu64 ".%s", sign, us / 1000000, frac);
	else
		script_append(buf, len, n, "%s%" PRIu64, sign, us / 1000000);
}

/* The peer's ISN, from the packet's absolute and relative ack (SACK blocks are relative to it). */
static uint32_t peer_isn(const struct packet_view *v)
{
	return v->pkt->ack - v->rel_ack;
}

void script_append_options(char *buf, size_t len, size_t *n, const struct tcp_options *o, uint32_t sack_base)
{
	for (uint8_t i = 0; i < o->count; i++) {
		script_append(buf, len, n, "%s", i ? "," : " <");
		switch (o->kinds[i]) {
		case TCPOPT_NOP:
			script_append(buf, len, n, "nop");
			break;
		case TCPOPT_EOL:
			script_append(buf, len, n, "eol");
			break;
		case TCPOPT_MSS:
			script_append(buf, len, n, "mss %u", o->mss);
			break;
		case TCPOPT_WSCALE:
			script_append(buf, len, n, "wscale %u", o->wscale);
			break;
		case TCPOPT_SACK_PERMITTED:
			script_append(buf, len, n, "sackOK");
			break;
		case TCPOPT_TIMESTAMP:
			script_append(buf, len, n, "TS val %u ecr %u", o->tsval, o->tsecr);
			break;
		case TCPOPT_SACK:
			script_append(buf, len, n, "sack");
			for (uint8_t b = 0; b < o->sack_count; b++)
				script_append(buf, len, n, " %u:%u", o->sack[b].left - sack_base,
					      o->sack[b].right - sack_base);
			break;
		case TCPOPT_MPTCP:
			script_append(buf, len, n, "mptcp");
			break;
		case TCPOPT_TFO:
		case TCPOPT_EXPERIMENTAL:
			if (o->has_tfo) {
				script_append(buf, len, n, o->tfo_cookie_len ? "FO *" : "FO");
				break;
			}
			/* fall through */
		default:
			script_append(buf, len, n, "kind %u", o->kinds[i]);
			break;
		}
	}
	if (o->count)
		script_append(buf, len, n, ">");
}

/* Appends value i of o, or '*'. */
static void append_value(char *buf, size_t len, size_t *n, const struct script_opt *o, int i)
{
	if (o->any[i])
		script_append(buf, len, n, "*");
	else
		script_append(buf, len, n, "%u", o->val[i]);
}

/* Appends the step's option pattern as written: "<mss 1460,...>". */
static void append_pattern(char *buf, size_t len, size_t *n, const struct script_step *st)
{
	static const char *const names[] = {
		[SO_ANY_RUN] = "...",	 [SO_NOP] = "nop",	 [SO_EOL] = "eol",    [SO_MSS] = "mss ",
		[SO_WSCALE] = "wscale ", [SO_SACKOK] = "sackOK", [SO_TS] = "TS val ", [SO_SACK] = "sack",
		[SO_FO] = "FO",		 [SO_MPTCP] = "mptcp",	 [SO_KIND] = "kind "};
	script_append(buf, len, n, "<");
	for (uint8_t i = 0; i < st->nopts; i++) {
		const struct script_opt *o = &st->opts[i];
		script_append(buf, len, n, "%s%s", i ? "," : "", names[o->kind]);
		if (o->kind == SO_MSS || o->kind == SO_WSCALE || o->kind == SO_TS || o->kind == SO_KIND)
			append_value(buf, len, n, o, 0);
		if (o->kind == SO_TS) {
			script_append(buf, len, n, " ecr ");
			append_value(buf, len, n, o, 1);
		}
		for (uint8_t b = 0; o->kind == SO_SACK && b < o->nsack; b++)
			script_append(buf, len, n, " %u:%u", o->sack[b][0], o->sack[b][1]);
		if (o->kind == SO_FO && o->any[0])
			script_append(buf, len, n, " *");
	}
	script_append(buf, len, n, ">");
}

void script_format_packet(char *buf, size_t len, const struct packet_view *v, int64_t prev_ns)
{
	const struct packet *p = v->pkt;
	char flags[12];
	size_t n = 0;
	format_flags(flags, p->flags);
	buf[0] = '\0';
	script_append(buf, len, &n, "+");
	script_append_seconds(buf, len, &n, p->time_ns - prev_ns);
	script_append(buf, len, &n, " %c %s %u:%u(%u)", v->from_server ? '<' : '>', flags[0] ? flags : "-", v->rel_seq,
		      v->rel_seq + p->payload_len, p->payload_len);
	if (p->flags & TCP_ACK)
		script_append(buf, len, &n, " ack %u", v->rel_ack);
	script_append(buf, len, &n, " win %u", p->window);
	script_append_options(buf, len, &n, &p->opt, peer_isn(v));
}

/* ---- Matching ----------------------------------------------------------- */

static bool value_ok(const struct script_opt *o, int i, uint32_t actual)
{
	return o->any[i] || o->val[i] == actual;
}

/* Does pattern element o match the option of kind `kind` in packet view v? */
static bool option_matches(const struct script_opt *o, uint8_t kind, const struct packet_view *v)
{
	const struct tcp_options *a = &v->pkt->opt;
	switch (o->kind) {
	case SO_ANY_RUN:
		return true;
	case SO_NOP:
		return kind == TCPOPT_NOP;
	case SO_EOL:
		return kind == TCPOPT_EOL;
	case SO_SACKOK:
		return kind == TCPOPT_SACK_PERMITTED;
	case SO_MPTCP:
		return kind == TCPOPT_MPTCP;
	case SO_MSS:
		return kind == TCPOPT_MSS && value_ok(o, 0, a->mss);
	case SO_WSCALE:
		return kind == TCPOPT_WSCALE && value_ok(o, 0, a->wscale);
	case SO_TS:
		return kind == TCPOPT_TIMESTAMP && value_ok(o, 0, a->tsval) && value_ok(o, 1, a->tsecr);
	case SO_SACK:
		if (kind != TCPOPT_SACK || a->sack_count != o->nsack)
			return false;
		for (uint8_t b = 0; b < o->nsack; b++)
			if (a->sack[b].left - peer_isn(v) != o->sack[b][0] ||
			    a->sack[b].right - peer_isn(v) != o->sack[b][1])
				return false;
		return true;
	case SO_FO:
		return (kind == TCPOPT_TFO || kind == TCPOPT_EXPERIMENTAL) && a->has_tfo &&
		       (o->any[0] || a->tfo_cookie_len == 0);
	case SO_KIND:
		return kind == o->val[0];
	}
	return false;
}

/* Glob match of pattern[pi..] against the packet's option kinds[ki..]. */
static bool options_match(const struct script_step *st, size_t pi, const struct packet_view *v, size_t ki)
{
	const struct tcp_options *a = &v->pkt->opt;
	if (pi == st->nopts)
		return ki == a->count;
	if (st->opts[pi].kind == SO_ANY_RUN) {
		for (size_t k = ki; k <= a->count; k++)
			if (options_match(st, pi + 1, v, k))
				return true;
		return false;
	}
	return ki < a->count && option_matches(&st->opts[pi], a->kinds[ki], v) && options_match(st, pi + 1, v, ki + 1);
}

static void fail(struct script_matcher *m, const struct script_step *st, uint64_t frame, const char *message)
{
	struct script_result *r = &m->result;
	m->failed = true;
	r->pass = false;
	r->line = st->line;
	r->frame = frame;
	snprintf(r->expected, sizeof r->expected, "%s", st->text);
	snprintf(r->message, sizeof r->message, "%s", message);
}

void script_matcher_init(struct script_matcher *m, const struct script *s)
{
	memset(m, 0, sizeof *m);
	m->script = s;
}

/* Checks the packet's time against the step's; appends the difference to msg. */
static void check_time(const struct script_matcher *m, const struct script_step *st, int64_t t, char *msg, size_t len,
		       size_t *n)
{
	if (st->time_kind == SCRIPT_TIME_ANY)
		return;
	int64_t expected = st->time_kind == SCRIPT_TIME_REL ? m->prev_ns + st->time_ns : m->first_ns + st->time_ns;
	int64_t gap = expected - m->prev_ns;
	int64_t tolerance = gap / 8 > SCRIPT_TOLERANCE_NS ? gap / 8 : SCRIPT_TOLERANCE_NS;
	int64_t off = t - expected;
	if (off <= tolerance && off >= -tolerance)
		return;
	script_append(msg, len, n, "%sarrived +", *n ? "; " : "");
	script_append_seconds(msg, len, n, t - m->prev_ns);
	script_append(msg, len, n, " s after the previous packet, expected +");
	script_append_seconds(msg, len, n, gap);
	script_append(msg, len, n, " s +/- ");
	script_append_seconds(msg, len, n, tolerance);
	script_append(msg, len, n, " s");
}

void script_matcher_packet(struct script_matcher *m, const struct packet_view *v)
{
	const struct packet *p = v->pkt;
	if (m->packets++ == 0)
		m->first_ns = m->prev_ns = p->time_ns;
	m->last_frame = p->frame;
	if (m->failed || m->next >= m->script->count)
		return;
	const struct script_step *st = &m->script->steps[m->next];
	char msg[sizeof m->result.message];
	size_t n = 0;
	msg[0] = '\0';
	if (st->from_server != v->from_server) {
		script_append(msg, sizeof msg, &n, "direction %c, expected %c", v->from_server ? '<' : '>',
			      st->from_server ? '<' : '>');
	} else {
		char fa[12], fe[12];
		if (p->flags != st->flags) {
			format_flags(fa, p->flags);
			format_flags(fe, st->flags);
			script_append(msg, sizeof msg, &n, "flags %s, expected %s", fa[0] ? fa : "-", fe);
		}
		if (v->rel_seq != st->start)
			script_append(msg, sizeof msg, &n, "%sseq %u, expected %u", n ? "; " : "", v->rel_seq,
				      st->start);
		if (p->payload_len != st->len)
			script_append(msg, sizeof msg, &n, "%slen %u, expected %u", n ? "; " : "", p->payload_len,
				      st->len);
		if (st->has_ack && !(p->flags & TCP_ACK))
			script_append(msg, sizeof msg, &n, "%sno ACK flag, expected ack %u", n ? "; " : "", st->ack);
		else if (st->has_ack && !st->ack_any && v->rel_ack != st->ack)
			script_append(msg, sizeof msg, &n, "%sack %u, expected %u", n ? "; " : "", v->rel_ack, st->ack);
		if (st->has_win && !st->win_any && p->window != st->win)
			script_append(msg, sizeof msg, &n, "%swin %u, expected %u", n ? "; " : "", p->window, st->win);
		if (st->has_options && !options_match(st, 0, v, 0)) {
			script_append(msg, sizeof msg, &n, "%soptions", n ? "; " : "");
			size_t before = n;
			script_append_options(msg, sizeof msg, &n, &p->opt, peer_isn(v));
			if (n == before)
				script_append(msg, sizeof msg, &n, " <>");
			script_append(msg, sizeof msg, &n, ", expected ");
			append_pattern(msg, sizeof msg, &n, st);
		}
		check_time(m, st, p->time_ns, msg, sizeof msg, &n);
	}
	if (n) {
		fail(m, st, p->frame, msg);
		script_format_packet(m->result.actual, sizeof m->result.actual, v, m->prev_ns);
		return;
	}
	m->next++;
	m->prev_ns = p->time_ns;
}

void script_matcher_finish(struct script_matcher *m)
{
	struct script_result *r = &m->result;
	r->matched = m->next;
	if (m->failed)
		return;
	if (m->next < m->script->count) {
		char msg[200];
		if (m->packets == 0)
			snprintf(msg, sizeof msg, "the flow has no packets");
		else
			snprintf(msg, sizeof msg, "the flow ended after frame %" PRIu64 " (%zu of %zu lines matched)",
				 m->last_frame, m->next, m->script->count);
		fail(m, &m->script->steps[m->next], 0, msg);
		return;
	}
	r->pass = true;
}
