/*
 * packetdrill-parse.c - packetdrill's script grammar (packetdrill.h).
 *
 * A lexer turns the whole text into tokens, as packetdrill's lexer.l does
 * (newlines are blanks, so a system call may span lines; // and C comments
 * are dropped; `...`, "..." and %{ ... }% are single tokens; an option is
 * --name[=value] up to a blank). A recursive-descent parser then reads
 * events, each a time and an action, the way parser.y does. Packet lines
 * are parsed field by field into packetdrill_packet; system calls, commands,
 * python, ICMP and UDP lines are read for their extent and their time only.
 * The first problem ends the parse with "NAME:LINE:COLUMN: problem".
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mem-alloc.h"
#include "packet.h"
#include "packetdrill.h"

#define PD_DEFAULT_TOLERANCE_NS 4000000	  /* packetdrill's defaults on Linux (config.c): --tolerance_usecs=4000 */
#define PD_DEFAULT_TOLERANCE_PERCENT 12.5 /* and --tolerance_percent=12.5, the worst timer-wheel slack */
#define PD_MAX_SECONDS 1000000000	  /* the largest time a script may write (10^9 s) */
#define PD_TEXT_MAX 240			  /* an event's text kept for messages */

enum pd_token {
	TK_EOF,
	TK_INT,	  /* [0-9]+ */
	TK_FLOAT, /* [0-9]*.[0-9]+ */
	TK_WORD,  /* [A-Za-z0-9_]+ that is not a number */
	TK_STRING,
	TK_BACKQUOTE,
	TK_CODE,
	TK_OPTION, /* --name[=value] */
	TK_ELLIPSIS,
	TK_PUNCT, /* any other character */
};

struct pd_lexer {
	const char *name, *text;
	size_t pos;
	unsigned line, column;
	/* the current token */
	enum pd_token tok;
	const char *start;
	size_t len;
	unsigned tline, tcolumn;
	size_t tend;	 /* offset just past the token */
	size_t prev_end; /* offset just past the token before it */
	char *err;
	size_t errlen;
};

static int pd_error_at(struct pd_lexer *lx, unsigned line, unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int pd_error_at(struct pd_lexer *lx, unsigned line, unsigned column, const char *fmt, ...)
{
	int n = snprintf(lx->err, lx->errlen, "%s:%u:%u: ", lx->name, line, column);
	if (n >= 0 && (size_t)n < lx->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(lx->err + n, lx->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The current token, quoted for a message. */
#define TOKEN_ARGS(lx)                                                                                                 \
	(int)((lx)->tok == TK_EOF ? 11                                                                                 \
	      : (lx)->len > 40	  ? 40                                                                                 \
				  : (lx)->len),                                                                           \
		((lx)->tok == TK_EOF ? "end of file" : (lx)->start)

static void lx_advance(struct pd_lexer *lx, size_t n)
{
	for (size_t i = 0; i < n && lx->text[lx->pos]; i++, lx->pos++) {
		if (lx->text[lx->pos] == '\n') {
			lx->line++;
			lx->column = 1;
		} else {
			lx->column++;
		}
	}
}

/* Skips blanks and comments; -1 on a comment that never closes. */
static int lx_skip(struct pd_lexer *lx)
{
	for (;;) {
		const char *s = lx->text + lx->pos;
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v') {
			lx_advance(lx, 1);
		} else if (s[0] == '/' && s[1] == '/') {
			while (lx->text[lx->pos] && lx->text[lx->pos] != '\n')
				lx_advance(lx, 1);
		} else if (s[0] == '/' && s[1] == '*') {
			unsigned line = lx->line, column = lx->column;
			const char *end = strstr(s + 2, "*/");
			if (!end)
				return pd_error_at(lx, line, column, "this /* comment is never closed");
			lx_advance(lx, (size_t)(end + 2 - s));
		} else {
			return 0;
		}
	}
}

/* The length of a quoted token opened by q at s (backslash escapes), 0 if it never closes. */
static size_t quoted_length(const char *s, char q)
{
	for (size_t i = 1; s[i]; i++) {
		if (s[i] == '\\' && s[i + 1])
			i++;
		else if (s[i] == q)
			return i + 1;
	}
	return 0;
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Reads the next token into lx; -1 on a token that never ends. */
static int lx_next(struct pd_lexer *lx)
{
	lx->prev_end = lx->tend;
	if (lx_skip(lx))
		return -1;
	const char *s = lx->text + lx->pos;
	size_t n = 0;
	lx->tline = lx->line;
	lx->tcolumn = lx->column;
	lx->start = s;
	if (!*s) {
		lx->tok = TK_EOF;
	} else if (s[0] == '.' && s[1] == '.' && s[2] == '.') {
		lx->tok = TK_ELLIPSIS;
		n = 3;
	} else if (isdigit((unsigned char)s[0]) || (s[0] == '.' && isdigit((unsigned char)s[1]))) {
		while (is_word_char(s[n]))
			n++;
		bool digits = true;
		for (size_t i = 0; i < n; i++)
			digits = digits && isdigit((unsigned char)s[i]);
		lx->tok = digits ? TK_INT : TK_WORD;
		if (digits && s[n] == '.' && isdigit((unsigned char)s[n + 1])) {
			n++;
			while (isdigit((unsigned char)s[n]))
				n++;
			lx->tok = TK_FLOAT;
		}
	} else if (is_word_char(s[0])) {
		while (is_word_char(s[n]))
			n++;
		lx->tok = TK_WORD;
	} else if (s[0] == '"' || s[0] == '`') {
		n = quoted_length(s, s[0]);
		if (n == 0)
			return pd_error_at(lx, lx->tline, lx->tcolumn, "this %c is never closed", s[0]);
		lx->tok = s[0] == '"' ? TK_STRING : TK_BACKQUOTE;
	} else if (s[0] == '%' && s[1] == '{') {
		const char *end = strstr(s + 2, "}%");
		if (!end)
			return pd_error_at(lx, lx->tline, lx->tcolumn, "this %%{ python block is never closed by }%%");
		n = (size_t)(end + 2 - s);
		lx->tok = TK_CODE;
	} else if (s[0] == '-' && s[1] == '-' && is_word_char(s[2])) {
		n = 2;
		while (is_word_char(s[n]))
			n++;
		if (s[n] == '=') {
			n++;
			if (s[n] == '"' || s[n] == '`') {
				size_t q = quoted_length(s + n, s[n]);
				if (q == 0)
					return pd_error_at(lx, lx->tline, lx->tcolumn,
							   "this option's value is never closed");
				n += q;
			} else {
				while (s[n] && !isspace((unsigned char)s[n]))
					n++;
			}
		}
		lx->tok = TK_OPTION;
	} else {
		lx->tok = TK_PUNCT;
		n = 1;
	}
	lx->len = n;
	lx_advance(lx, n);
	lx->tend = lx->pos;
	return 0;
}

static bool is_punct(const struct pd_lexer *lx, char c)
{
	return lx->tok == TK_PUNCT && lx->start[0] == c;
}

static bool is_word(const struct pd_lexer *lx, const char *w)
{
	return lx->tok == TK_WORD && lx->len == strlen(w) && memcmp(lx->start, w, lx->len) == 0;
}

static int expect_punct(struct pd_lexer *lx, char c, const char *where)
{
	if (!is_punct(lx, c))
		return pd_error_at(lx, lx->tline, lx->tcolumn, "expected '%c' %s, not '%.*s'", c, where,
				   TOKEN_ARGS(lx));
	return lx_next(lx);
}

/* An unsigned decimal token of at most max. */
static int take_uint(struct pd_lexer *lx, uint64_t max, const char *what, uint32_t *out)
{
	if (lx->tok != TK_INT)
		return pd_error_at(lx, lx->tline, lx->tcolumn, "expected %s, not '%.*s'", what, TOKEN_ARGS(lx));
	uint64_t v = 0;
	for (size_t i = 0; i < lx->len; i++) {
		v = v * 10 + (uint64_t)(lx->start[i] - '0');
		if (v > max)
			return pd_error_at(lx, lx->tline, lx->tcolumn, "%s %.*s is above %llu", what, TOKEN_ARGS(lx),
					   (unsigned long long)max);
	}
	*out = (uint32_t)v;
	return lx_next(lx);
}

/* A time token (INT or FLOAT seconds) into nanoseconds. */
static int take_seconds(struct pd_lexer *lx, int64_t *ns)
{
	if (lx->tok != TK_INT && lx->tok != TK_FLOAT)
		return pd_error_at(lx, lx->tline, lx->tcolumn, "expected a time (T, +T, * or T~T), not '%.*s'",
				   TOKEN_ARGS(lx));
	int64_t whole = 0, frac = 0, scale = 1000000000;
	size_t i = 0;
	for (; i < lx->len && lx->start[i] != '.'; i++) {
		whole = whole * 10 + (lx->start[i] - '0');
		if (whole > PD_MAX_SECONDS)
			return pd_error_at(lx, lx->tline, lx->tcolumn, "time too large");
	}
	for (i++; i < lx->len; i++)
		if (scale > 1) {
			scale /= 10;
			frac += (lx->start[i] - '0') * scale;
		}
	*ns = whole * 1000000000 + frac;
	return lx_next(lx);
}

/* ---- Events -------------------------------------------------------------- */

struct pd_parser {
	struct pd_lexer lx;
	struct packetdrill_script *s;
	size_t cap;
	int64_t tolerance_ns;
	double tolerance_percent;
};

static int parse_time(struct pd_parser *p, struct packetdrill_event *ev)
{
	struct pd_lexer *lx = &p->lx;
	if (is_punct(lx, '*')) {
		ev->time_kind = PD_TIME_ANY;
		return lx_next(lx);
	}
	bool relative = is_punct(lx, '+');
	if (relative && lx_next(lx))
		return -1;
	ev->time_kind = relative ? PD_TIME_REL : PD_TIME_ABS;
	if (take_seconds(lx, &ev->time_ns))
		return -1;
	if (!is_punct(lx, '~'))
		return 0;
	if (lx_next(lx))
		return -1;
	if (relative && expect_punct(lx, '+', "after '~' in the range +T~+T"))
		return -1;
	ev->time_kind = relative ? PD_TIME_REL_RANGE : PD_TIME_ABS_RANGE;
	if (take_seconds(lx, &ev->end_ns))
		return -1;
	if (ev->end_ns < ev->time_ns)
		return pd_error_at(lx, ev->line, ev->column, "the time range ends before it starts");
	return 0;
}

/* Skips a bracketed group opened by the current token, nested (), [] and {} included. */
static int skip_group(struct pd_lexer *lx)
{
	char stack[64];
	size_t depth = 0;
	unsigned line = lx->tline, column = lx->tcolumn;
	do {
		if (lx->tok == TK_EOF)
			return pd_error_at(lx, line, column, "this '%c' is never closed", stack[0]);
		if (lx->tok == TK_PUNCT && strchr("([{", lx->start[0])) {
			if (depth == sizeof stack)
				return pd_error_at(lx, lx->tline, lx->tcolumn, "brackets nested too deep");
			stack[depth++] = lx->start[0] == '(' ? ')' : lx->start[0] == '[' ? ']' : '}';
		} else if (lx->tok == TK_PUNCT && strchr(")]}", lx->start[0])) {
			if (lx->start[0] != stack[depth - 1])
				return pd_error_at(lx, lx->tline, lx->tcolumn, "'%c' where '%c' was expected",
						   lx->start[0], stack[depth - 1]);
			depth--;
		}
		if (lx_next(lx))
			return -1;
	} while (depth > 0);
	return 0;
}

/* One operand of a system call's result: a number, word, string, ... or a bracketed group. */
static int skip_operand(struct pd_lexer *lx)
{
	if (is_punct(lx, '-') && lx_next(lx))
		return -1;
	if (lx->tok == TK_PUNCT && strchr("([{", lx->start[0]))
		return skip_group(lx);
	if (lx->tok == TK_STRING) {
		while (lx->tok == TK_STRING || lx->tok == TK_ELLIPSIS)
			if (lx_next(lx))
				return -1;
		return 0;
	}
	if (lx->tok == TK_INT || lx->tok == TK_FLOAT || lx->tok == TK_WORD || lx->tok == TK_ELLIPSIS)
		return lx_next(lx);
	return pd_error_at(lx, lx->tline, lx->tcolumn, "expected the system call's result after '=', not '%.*s'",
			   TOKEN_ARGS(lx));
}

/* Notes which side the script's calls make of the system under test. */
static void note_role(struct packetdrill_script *s, const char *name, size_t len, bool fastopen)
{
	static const struct {
		const char *call;
		enum packetdrill_role role;
	} calls[] = {{"listen", PD_ROLE_SERVER},
		     {"accept", PD_ROLE_SERVER},
		     {"connect", PD_ROLE_CLIENT},
		     {"sendto", PD_ROLE_CLIENT},
		     {"sendmsg", PD_ROLE_CLIENT}};
	if (s->role != PD_ROLE_UNKNOWN)
		return;
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
		if (strlen(calls[i].call) == len && memcmp(calls[i].call, name, len) == 0 &&
		    (calls[i].role == PD_ROLE_SERVER || i == 2 || fastopen)) {
			s->role = calls[i].role;
		}
}

/* NAME(ARGS) = RESULT [ERRNO (NOTE)] [(NOTE)]; its time is already read. */
static int parse_syscall(struct pd_parser *p, struct packetdrill_event *ev)
{
	struct pd_lexer *lx = &p->lx;
	ev->kind = PD_EV_SYSCALL;
	if (lx->tok == TK_ELLIPSIS) { /* ...END: a blocking call's end time */
		int64_t end;
		if (lx_next(lx) || take_seconds(lx, &end))
			return -1;
	}
	if (lx->tok != TK_WORD)
		return pd_error_at(lx, lx->tline, lx->tcolumn, "expected a system call name, not '%.*s'",
				   TOKEN_ARGS(lx));
	const char *name = lx->start;
	size_t name_len = lx->len;
	if (lx_next(lx))
		return -1;
	if (!is_punct(lx, '('))
		return pd_error_at(lx, lx->tline, lx->tcolumn, "expected '(' after the system call name, not '%.*s'",
				   TOKEN_ARGS(lx));
	size_t args = lx->pos;
	if (skip_group(lx))
		return -1;
	const char *fo = strstr(lx->text + args, "MSG_FASTOPEN");
	note_role(p->s, name, name_len, fo && fo < lx->start);
	if (expect_punct(lx, '=', "after the system call's arguments"))
		return -1;
	if (skip_operand(lx))
		return -1;
	while (is_punct(lx, '|'))
		if (lx_next(lx) || skip_operand(lx))
			return -1;
	if (lx->tok == TK_WORD) { /* errno: EAGAIN (Resource temporarily unavailable) */
		if (lx_next(lx))
			return -1;
		if (!is_punct(lx, '('))
			return pd_error_at(lx, lx->tline, lx->tcolumn, "expected '(' and its text after the errno");
	}
	if (is_punct(lx, '(') && skip_group(lx))
		return -1;
	return 0;
}

/* [ect0] (tos 0x3, flowlabel 0x1) [ttl 64]: the ECN field is kept, the rest is read. */
static int parse_ip_info(struct pd_lexer *lx, struct packetdrill_packet *pk)
{
	static const struct {
		const char *word;
		enum packetdrill_ecn ecn;
	} ecns[] = {{"noecn", PD_ECN_NOT_ECT},
		    {"ect1", PD_ECN_ECT1},
		    {"ect0", PD_ECN_ECT0},
		    {"ce", PD_ECN_CE},
		    {"ect01", PD_ECN_ECT01}};
	char close = lx->start[0] == '[' ? ']' : ')';
	if (lx_next(lx))
		return -1;
	while (!is_punct(lx, close)) {
		size_t k = 0;
		while (k < sizeof ecns / sizeof ecns[0] && !is_word(lx, ecns[k].word))
			k++;
		if (k < sizeof ecns / sizeof ecns[0]) {
			pk->ecn = ecns[k].ecn;
			if (lx_next(lx))
				return -1;
		} else if (is_word(lx, "tos") || is_word(lx, "flowlabel") || is_word(lx, "ttl")) {
			if (lx_next(lx))
				return -1;
			if (lx->tok != TK_INT && lx->tok != TK_WORD)
				return pd_error_at(lx, lx->tline, lx->tcolumn, "expected a value, not '%.*s'",
						   TOKEN_ARGS(lx));
			if (lx_next(lx))
				return -1;
		} else {
			return pd_error_at(
				lx, lx->tline, lx->tcolumn,
				"unknown IP field '%.*s' (ect0, ect1, ce, noecn, ect01, tos, flowlabel, ttl)",
				TOKEN_ARGS(lx));
		}
		if (is_punct(lx, ',') && lx_next(lx))
			return -1;
	}
	return lx_next(lx);
}

static const struct {
	char letter;
	uint8_t bit;
} pd_flag_letters[] = {{'F', TCP_FIN}, {'S', TCP_SYN}, {'R', TCP_RST}, {'P', TCP_PSH},
		       {'.', TCP_ACK}, {'U', TCP_URG}, {'E', TCP_ECE}, {'W', TCP_CWR}};

/*
 * One character of a flag string: a letter, the ACK '.', or the ACE digit
 * 0-7 (RFC 9768 section 3.2.2: AE, CWR and ECE read as a 3-bit counter,
 * ECE its low bit), which stands for E, W and A together (packetdrill's
 * tcp_packet.c refuses it beside them, or a second digit).
 */
static int add_flag(struct pd_lexer *lx, struct packetdrill_packet *pk, char ch, unsigned column, bool *ecn_letter)
{
	size_t k = 0;
	if (ch >= '0' && ch <= '7') {
		if (*ecn_letter || pk->ace_digit)
			return pd_error_at(lx, lx->tline, column,
					   "conflicting flag '%c' (the ACE digit stands for the E, W and A flags)", ch);
		pk->ace_digit = true;
		pk->flags |= (ch & 1 ? TCP_ECE : 0) | (ch & 2 ? TCP_CWR : 0);
		pk->ae = (ch - '0') & 4;
		return 0;
	}
	if (ch == 'A' || ch == 'E' || ch == 'W') {
		if (pk->ace_digit)
			return pd_error_at(lx, lx->tline, column,
					   "conflicting flag '%c' (the ACE digit stands for the E, W and A flags)", ch);
		*ecn_letter = true;
	}
	if (ch == 'A') {
		pk->ae = true;
		return 0;
	}
	while (k < sizeof pd_flag_letters / sizeof pd_flag_letters[0] && pd_flag_letters[k].letter != ch)
		k++;
	if (k == sizeof pd_flag_letters / sizeof pd_flag_letters[0])
		return pd_error_at(lx, lx->tline, column,
				   "unknown flag '%c' (flags are F S R P . E W U A, an ACE digit 0-7, or - for none)",
				   ch);
	pk->flags |= pd_flag_letters[k].bit;
	return 0;
}

/* Whether the token is '.' and one ACE digit, as the lexer reads ".5". */
static bool is_dot_digit(const struct pd_lexer *lx)
{
	return lx->tok == TK_FLOAT && lx->len == 2 && lx->start[0] == '.';
}

/*
 * FLAGS: letters and an ACE digit with an optional trailing '.' or '.D'
 * (P5. P.5), a lone '.' or '.D', or '-' for none.
 */
static int parse_flags(struct pd_lexer *lx, struct packetdrill_packet *pk)
{
	bool ecn_letter = false;
	if (is_punct(lx, '-'))
		return lx_next(lx);
	if (lx->tok == TK_WORD) {
		for (size_t i = 0; i < lx->len; i++) /* a word holds no '.' */
			if (add_flag(lx, pk, lx->start[i], lx->tcolumn + (unsigned)i, &ecn_letter))
				return -1;
		if (lx_next(lx))
			return -1;
		if (!is_punct(lx, '.') && !is_dot_digit(lx))
			return 0;
	} else if (!is_punct(lx, '.') && !is_dot_digit(lx)) {
		return pd_error_at(lx, lx->tline, lx->tcolumn,
				   "expected flags (S, S., P., ., F., R, .5, -, ...), not '%.*s'", TOKEN_ARGS(lx));
	}
	pk->flags |= TCP_ACK;
	if (is_dot_digit(lx) && add_flag(lx, pk, lx->start[1], lx->tcolumn + 1, &ecn_letter))
		return -1;
	return lx_next(lx);
}

/* A cookie or digest: hex digits (their bytes are its length) or a --define'd name (any value). */
static int parse_blob(struct pd_lexer *lx, struct packetdrill_option *o, bool required)
{
	if (lx->tok != TK_WORD && lx->tok != TK_INT) {
		if (required)
			return pd_error_at(lx, lx->tline, lx->tcolumn, "expected a hex value, not '%.*s'",
					   TOKEN_ARGS(lx));
		return 0;
	}
	bool hex = lx->len % 2 == 0 && lx->len / 2 <= 32;
	for (size_t i = 0; hex && i < lx->len; i++)
		hex = isxdigit((unsigned char)lx->start[i]);
	o->symbolic = !hex;
	o->bytes = hex ? (uint8_t)(lx->len / 2) : 0;
	return lx_next(lx);
}

/* Words that name MPTCP options (packetdrill's MPTCP branch); their values are read, not checked. */
static bool is_mptcp_word(const struct pd_lexer *lx)
{
	static const char *const words[] = {"mptcp",   "mpcapable",   "mp_capable",	 "mp_capable_no_cs",
					    "dss",     "add_address", "add_addr",	 "remove_address",
					    "mp_join", "mp_join_syn", "mp_join_syn_ack", "mp_join_ack",
					    "mp_prio", "mp_fail",     "mp_fastclose",	 "mp_tcprst"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (is_word(lx, words[i]))
			return true;
	return false;
}

/* One option of a <...> list. */
static int parse_option(struct pd_lexer *lx, struct packetdrill_option *o)
{
	memset(o, 0, sizeof *o);
	unsigned line = lx->tline, column = lx->tcolumn;
	if (is_word(lx, "nop") || is_word(lx, "eol") || is_word(lx, "sackOK")) {
		o->kind = is_word(lx, "nop") ? TCPOPT_NOP : is_word(lx, "eol") ? TCPOPT_EOL : TCPOPT_SACK_PERMITTED;
		return lx_next(lx);
	}
	if (is_word(lx, "mss")) { /* mss N, or a name packetdrill is given with -D NAME=N (mss MSS): any value */
		o->kind = TCPOPT_MSS;
		if (lx_next(lx))
			return -1;
		if (lx->tok == TK_WORD) {
			o->symbolic = true;
			return lx_next(lx);
		}
		return take_uint(lx, UINT16_MAX, "an MSS value", &o->val[0]);
	}
	if (is_word(lx, "wscale")) {
		o->kind = TCPOPT_WSCALE;
		return lx_next(lx) || take_uint(lx, UINT8_MAX, "a window scale", &o->val[0]);
	}
	if (is_word(lx, "TS")) {
		o->kind = TCPOPT_TIMESTAMP;
		if (lx_next(lx))
			return -1;
		if (!is_word(lx, "val"))
			return pd_error_at(lx, lx->tline, lx->tcolumn, "expected 'val' in TS val N ecr N");
		if (lx_next(lx) || take_uint(lx, UINT32_MAX, "a TS val", &o->val[0]))
			return -1;
		if (!is_word(lx, "ecr"))
			return pd_error_at(lx, lx->tline, lx->tcolumn, "expected 'ecr' in TS val N ecr N");
		return lx_next(lx) || take_uint(lx, UINT32_MAX, "a TS ecr", &o->val[1]);
	}
	if (is_word(lx, "sack")) {
		o->kind = TCPOPT_SACK;
		if (lx_next(lx))
			return -1;
		while (lx->tok == TK_INT) {
			if (o->nsack == PACKETDRILL_MAX_SACK)
				return pd_error_at(lx, lx->tline, lx->tcolumn, "more than %d SACK blocks",
						   PACKETDRILL_MAX_SACK);
			uint32_t *b = o->sack[o->nsack++];
			if (take_uint(lx, UINT32_MAX, "a SACK block L:R", &b[0]) ||
			    expect_punct(lx, ':', "in the SACK block L:R") ||
			    take_uint(lx, UINT32_MAX, "a SACK block L:R", &b[1]))
				return -1;
		}
		if (o->nsack == 0)
			return pd_error_at(lx, lx->tline, lx->tcolumn, "expected SACK blocks L:R after 'sack'");
		return 0;
	}
	if (is_word(lx, "FO") || is_word(lx, "FOEXP")) {
		o->kind = is_word(lx, "FO") ? TCPOPT_TFO : TCPOPT_EXPERIMENTAL;
		return lx_next(lx) || parse_blob(lx, o, false);
	}
	if (is_word(lx, "md5")) {
		o->kind = TCPOPT_MD5;
		return lx_next(lx) || parse_blob(lx, o, true);
	}
	if (is_mptcp_word(lx) || is_word(lx, "AccECNEXP0") || is_word(lx, "AccECNECP1") || is_word(lx, "ECN")) {
		/* AccECN: the order of its counters tells the kind, e0b first (AccECN0) or e1b first (AccECN1) */
		struct pd_lexer next = *lx;
		if (lx_next(&next))
			return -1;
		bool accecn1 = is_word(lx, "AccECNECP1") || (is_word(lx, "ECN") && is_word(&next, "e1b"));
		o->kind = is_mptcp_word(lx) ? TCPOPT_MPTCP : accecn1 ? TCPOPT_ACCECN1 : TCPOPT_ACCECN0;
		o->symbolic = true;
		if (lx_next(lx))
			return -1;
		while (!is_punct(lx, ',') && !is_punct(lx, '>')) {
			if (lx->tok == TK_EOF)
				return pd_error_at(lx, line, column, "this option is never ended by ',' or '>'");
			if ((lx->tok == TK_PUNCT && strchr("([{", lx->start[0]) ? skip_group(lx) : lx_next(lx)))
				return -1;
		}
		return 0;
	}
	return pd_error_at(lx, line, column,
			   "unknown TCP option '%.*s' (nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP, md5, "
			   "mptcp options, ECN, AccECNEXP0/1)",
			   TOKEN_ARGS(lx));
}

static int parse_options(struct pd_lexer *lx, struct packetdrill_packet *pk)
{
	unsigned line = lx->tline, column = lx->tcolumn;
	if (lx_next(lx))
		return -1;
	if (lx->tok == TK_ELLIPSIS) {
		pk->options_any = true;
		return lx_next(lx) || expect_punct(lx, '>', "to close <...>");
	}
	for (;;) {
		if (pk->nopts == PACKETDRILL_MAX_OPTIONS)
			return pd_error_at(lx, lx->tline, lx->tcolumn, "more than %d options", PACKETDRILL_MAX_OPTIONS);
		if (parse_option(lx, &pk->opts[pk->nopts++]))
			return -1;
		if (is_punct(lx, '>'))
			return lx_next(lx);
		if (lx->tok == TK_EOF)
			return pd_error_at(lx, line, column, "this '<' option list is never closed by '>'");
		if (expect_punct(lx, ',', "or '>' in the option list"))
			return -1;
	}
}

/* START:END(LEN) with END = START + LEN. */
static int parse_seq(struct pd_lexer *lx, struct packetdrill_packet *pk)
{
	unsigned line = lx->tline, column = lx->tcolumn;
	uint32_t end;
	if (take_uint(lx, UINT32_MAX, "START:END(LEN)", &pk->seq) || expect_punct(lx, ':', "in START:END(LEN)") ||
	    take_uint(lx, UINT32_MAX, "END in START:END(LEN)", &end) || expect_punct(lx, '(', "in START:END(LEN)") ||
	    take_uint(lx, UINT16_MAX, "LEN in START:END(LEN)", &pk->len) || expect_punct(lx, ')', "in START:END(LEN)"))
		return -1;
	if ((uint32_t)(pk->seq + pk->len) != end)
		return pd_error_at(lx, line, column, "%u:%u(%u): END must be START + LEN", pk->seq, end, pk->len);
	return 0;
}

/*
 * icmp TYPE [CODE] [mtu N] [id N] [[seq] or [udp (N)] or [raw (N)]]: read,
 * not checked. The echoed packet may also stand before icmp, as in
 * packetdrill's first grammar ([seq] icmp TYPE ...); parse_packet() reads it.
 */
static int parse_icmp(struct pd_lexer *lx, struct packetdrill_event *ev)
{
	ev->kind = PD_EV_ICMP;
	if (lx_next(lx))
		return -1;
	if (lx->tok != TK_WORD)
		return pd_error_at(lx, lx->tline, lx->tcolumn, "expected an ICMP type, not '%.*s'", TOKEN_ARGS(lx));
	if (lx_next(lx))
		return -1;
	if (lx->tok == TK_WORD && !is_word(lx, "mtu") && !is_word(lx, "id") && lx_next(lx))
		return -1;
	uint32_t v;
	if (is_word(lx, "mtu") && (lx_next(lx) || take_uint(lx, UINT16_MAX, "an MTU", &v)))
		return -1;
	if (is_word(lx, "id") && (lx_next(lx) || take_uint(lx, UINT16_MAX, "an ICMP echo id", &v)))
		return -1;
	return is_punct(lx, '[') ? skip_group(lx) : 0;
}

/* udp [SRC>DST] (LEN): read, not checked. */
static int parse_udp(struct pd_lexer *lx, struct packetdrill_event *ev)
{
	ev->kind = PD_EV_UDP;
	uint32_t v;
	if (lx_next(lx))
		return -1;
	if (lx->tok == TK_INT &&
	    (take_uint(lx, UINT16_MAX, "a source port", &v) || expect_punct(lx, '>', "between the ports") ||
	     take_uint(lx, UINT16_MAX, "a destination port", &v)))
		return -1;
	return expect_punct(lx, '(', "before the UDP length") || take_uint(lx, UINT16_MAX, "a UDP length", &v) ||
	       expect_punct(lx, ')', "after the UDP length");
}

/* < or >, then [IP], then a TCP, ICMP or UDP packet. */
static int parse_packet(struct pd_parser *p, struct packetdrill_event *ev)
{
	struct pd_lexer *lx = &p->lx;
	struct packetdrill_packet *pk = &ev->pkt;
	pk->outbound = is_punct(lx, '>');
	if (lx_next(lx))
		return -1;
	if (is_punct(lx, '[')) { /* packetdrill's first grammar: the echoed segment before icmp */
		struct pd_lexer inside = *lx;
		if (lx_next(&inside))
			return -1;
		if (inside.tok == TK_INT || is_word(&inside, "udp")) {
			if (skip_group(lx))
				return -1;
			if (!is_word(lx, "icmp"))
				return pd_error_at(lx, lx->tline, lx->tcolumn,
						   "expected icmp after the echoed packet [...], not '%.*s'",
						   TOKEN_ARGS(lx));
			return parse_icmp(lx, ev);
		}
	}
	if (is_word(lx, "addr") || is_punct(lx, '>'))
		return pd_error_at(
			lx, lx->tline, lx->tcolumn,
			"per-packet addresses (addr[NAME] > addr[NAME]) of MPTCP subflows are not supported; "
			"tcpscope checks the packets to and from one address of the system under test");
	if ((is_punct(lx, '[') || is_punct(lx, '(')) && parse_ip_info(lx, pk))
		return -1;
	if (is_word(lx, "icmp"))
		return parse_icmp(lx, ev);
	if (is_word(lx, "udp"))
		return parse_udp(lx, ev);
	if (is_word(lx, "encap"))
		return pd_error_at(lx, lx->tline, lx->tcolumn,
				   "PSP-encapsulated packets (encap psp spi N ...) are not supported; on the wire they "
				   "are UDP with the TCP segment inside PSP, which tcpscope does not decode");
	if (is_word(lx, "ipv4") || is_word(lx, "ipv6") || is_word(lx, "gre") || is_word(lx, "GREv0") ||
	    is_word(lx, "mpls"))
		return pd_error_at(lx, lx->tline, lx->tcolumn,
				   "encapsulated packets (%.*s ... :) are not supported; tcpscope reads the inner "
				   "TCP packets of a trace directly",
				   TOKEN_ARGS(lx));
	ev->kind = PD_EV_TCP;
	uint32_t v;
	if (lx->tok == TK_INT) { /* SRC>DST ports: the trace's ports are the live ones, so they are not checked */
		struct pd_lexer saved = *lx;
		if (lx_next(lx))
			return -1;
		if (!is_punct(lx, '>'))
			*lx = saved; /* not ports: back to the number */
		else if (lx_next(lx) || take_uint(lx, UINT16_MAX, "a destination port", &v))
			return -1;
	}
	if (parse_flags(lx, pk) || parse_seq(lx, pk))
		return -1;
	if (is_word(lx, "ack")) {
		pk->has_ack = true;
		if (lx_next(lx) || take_uint(lx, UINT32_MAX, "an ack number", &pk->ack))
			return -1;
	}
	if (is_word(lx, "win")) {
		pk->has_win = true;
		if (lx_next(lx) || take_uint(lx, UINT16_MAX, "a window (the raw 16-bit field)", &v))
			return -1;
		pk->win = (uint16_t)v;
	}
	if (is_word(lx, "urg")) {
		pk->has_urg = true;
		if (lx_next(lx) || take_uint(lx, UINT16_MAX, "an urgent pointer", &v))
			return -1;
		pk->urg = (uint16_t)v;
	}
	if (is_punct(lx, '<'))
		return parse_options(lx, pk);
	return 0;
}

/* Applies an option line (--name=value); unknown options are accepted and change nothing here. */
static int apply_option(struct pd_parser *p)
{
	struct pd_lexer *lx = &p->lx;
	struct packetdrill_script *s = p->s;
	const char *eq = memchr(lx->start, '=', lx->len);
	size_t name_len = eq ? (size_t)(eq - lx->start) : lx->len;
	char value[128] = "";
	if (eq) {
		size_t n = lx->len - name_len - 1;
		if (n >= sizeof value)
			return pd_error_at(lx, lx->tline, lx->tcolumn, "option value too long");
		memcpy(value, eq + 1, n);
		value[n] = '\0';
	}
#define IS_OPTION(w) (name_len == strlen(w) && memcmp(lx->start, w, name_len) == 0)
	char *end = NULL;
	if (IS_OPTION("--tolerance_usecs")) {
		long long us = strtoll(value, &end, 10);
		if (!eq || *end || us <= 0 || us > 1000000000LL)
			return pd_error_at(lx, lx->tline, lx->tcolumn, "--tolerance_usecs takes microseconds (> 0)");
		p->tolerance_ns = us * 1000;
	} else if (IS_OPTION("--tolerance_percent")) {
		double pct = strtod(value, &end);
		if (!eq || *end || pct < 0 || pct > 100)
			return pd_error_at(lx, lx->tline, lx->tcolumn, "--tolerance_percent takes 0 to 100");
		p->tolerance_percent = pct;
	} else if (IS_OPTION("--tcp_ts_tick_usecs")) {
		long us = strtol(value, &end, 10);
		if (!eq || *end || us < 0 || us > 1000000)
			return pd_error_at(lx, lx->tline, lx->tcolumn, "--tcp_ts_tick_usecs takes microseconds");
		s->ts_tick_usecs = (uint32_t)us;
	} else if (IS_OPTION("--strict_segments")) {
		s->strict_segments = true;
	} else if (IS_OPTION("--local_ip")) {
		s->local_ip_version = strchr(value, ':') ? 6 : 4;
		if (inet_pton(s->local_ip_version == 6 ? AF_INET6 : AF_INET, value, s->local_ip) != 1)
			return pd_error_at(lx, lx->tline, lx->tcolumn, "--local_ip takes an IPv4 or IPv6 address");
		s->has_local_ip = true;
	}
#undef IS_OPTION
	return lx_next(lx);
}

/* The event's text from offset from to to, blanks collapsed, at most PD_TEXT_MAX bytes. */
static char *event_text(const char *text, size_t from, size_t to)
{
	char *out = xmalloc(PD_TEXT_MAX + 4);
	size_t n = 0;
	for (size_t i = from; i < to && n < PD_TEXT_MAX; i++) {
		bool blank = isspace((unsigned char)text[i]);
		if (blank && (n == 0 || out[n - 1] == ' '))
			continue;
		out[n++] = blank ? ' ' : text[i];
	}
	if (n == PD_TEXT_MAX) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return out;
}

/* A TCP line that opens a connection: a SYN without ACK, or the script's first TCP line. */
static bool opens_connection(const struct packetdrill_script *s, const struct packetdrill_packet *pk)
{
	return (pk->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN || s->nconns == 0;
}

static int parse_event(struct pd_parser *p)
{
	struct pd_lexer *lx = &p->lx;
	struct packetdrill_script *s = p->s;
	s->events = xgrow(s->events, &p->cap, s->count + 1, sizeof *s->events);
	struct packetdrill_event *ev = &s->events[s->count];
	memset(ev, 0, sizeof *ev);
	ev->line = lx->tline;
	ev->column = lx->tcolumn;
	ev->tolerance_ns = p->tolerance_ns;
	ev->tolerance_percent = p->tolerance_percent;
	size_t from = (size_t)(lx->start - lx->text);
	int rc;
	if (lx->tok == TK_BACKQUOTE) { /* an init or cleanup command: no time */
		ev->kind = PD_EV_COMMAND;
		ev->time_kind = PD_TIME_NONE;
		rc = lx_next(lx);
	} else {
		if (parse_time(p, ev))
			return -1;
		if (is_punct(lx, '<') || is_punct(lx, '>')) {
			rc = parse_packet(p, ev);
		} else if (lx->tok == TK_BACKQUOTE) {
			ev->kind = PD_EV_COMMAND;
			rc = lx_next(lx);
		} else if (lx->tok == TK_CODE) {
			ev->kind = PD_EV_CODE;
			rc = lx_next(lx);
		} else if (lx->tok == TK_WORD || lx->tok == TK_ELLIPSIS) {
			rc = parse_syscall(p, ev);
		} else {
			return pd_error_at(lx, lx->tline, lx->tcolumn,
					   "expected a packet (< or >), a system call, a `command` or %%{ python }%%, "
					   "not '%.*s'",
					   TOKEN_ARGS(lx));
		}
	}
	if (rc)
		return -1;
	if (ev->time_kind == PD_TIME_ANY || ev->time_kind == PD_TIME_ABS_RANGE || ev->time_kind == PD_TIME_REL_RANGE) {
		if (ev->kind != PD_EV_TCP || !ev->pkt.outbound)
			return pd_error_at(lx, ev->line, ev->column,
					   "a time * or T~T can only be used with outbound ('>') packets");
	}
	ev->text = event_text(lx->text, from, lx->prev_end);
	if (ev->kind == PD_EV_TCP) {
		if (opens_connection(s, &ev->pkt))
			s->nconns++;
		ev->pkt.conn = s->nconns - 1;
		s->npackets++;
	}
	s->count++;
	return 0;
}

struct packetdrill_script *packetdrill_parse(const char *text, const char *name, char *err, size_t errlen)
{
	struct packetdrill_script *s = xcalloc(1, sizeof *s);
	struct pd_parser p = {
		.s = s, .tolerance_ns = PD_DEFAULT_TOLERANCE_NS, .tolerance_percent = PD_DEFAULT_TOLERANCE_PERCENT};
	p.lx = (struct pd_lexer){.name = name, .text = text, .line = 1, .column = 1, .err = err, .errlen = errlen};
	if (lx_next(&p.lx))
		goto fail;
	while (p.lx.tok != TK_EOF) {
		if (p.lx.tok == TK_OPTION) {
			if (apply_option(&p))
				goto fail;
		} else if (parse_event(&p)) {
			goto fail;
		}
	}
	if (s->count == 0) { /* a script with events but no packet line expects no packets */
		snprintf(err, errlen, "%s: the script has no events", name);
		goto fail;
	}
	return s;
fail:
	packetdrill_free(s);
	return NULL;
}

void packetdrill_free(struct packetdrill_script *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++)
		free(s->events[i].text);
	free(s->events);
	free(s);
}
