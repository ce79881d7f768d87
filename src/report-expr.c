/*
 * report-expr.c - parses and matches flow expressions (report-expr.h).
 *
 * The text is lexed by the --expect lexer with parentheses as tokens of
 * their own, then parsed by recursive descent into a tree:
 *
 *   expr   = term { ("or" | "||") term }
 *   term   = factor { ["and" | "&&"] factor }
 *   factor = ("not" | "!") factor | "(" expr ")" | atom
 *   atom   = SELECTOR | FIELD OP VALUE[,VALUE...] | FIELD | WORD
 *
 * Selectors, fields, operators and values are read by the --expect parser
 * itself (expect-internal.h), so a field means, and a value is written,
 * exactly as in an expectation, with the same error messages. A short name
 * (the alias table below) stands for one field, for either end's field of
 * a pair (`port`: the client's or the server's), or for a sum (`packets`:
 * both directions) or the RETX column (`retx`).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "analysis-labels.h"
#include "expect-internal.h"
#include "mem-alloc.h"
#include "report-expr.h"
#include "tcp-state.h"
#include "text-format.h"

enum node_kind { N_AND, N_OR, N_NOT, N_SELECTOR, N_COMPARE, N_WORD };

/* How a comparison reads its value from the fields it names. */
enum combine {
	C_ONE,	  /* fields[0] */
	C_EITHER, /* fields[0] or fields[1] holds; with != neither may equal */
	C_SUM,	  /* fields[0] + fields[1] */
	C_RETX,	  /* retransmitted packets, as the flows view's RETX column counts them */
};

struct flow_expr {
	enum node_kind kind;
	struct flow_expr *a, *b;
	struct expect_selector sel; /* N_SELECTOR */
	struct expect cmp;	    /* N_COMPARE: op and values */
	enum combine combine;
	const struct expect_field *fields[2];
	char *word; /* N_WORD, lower case */
};

/* Short names users expect; the Wireshark-style ones name a flow's ends as its client sent them. */
static const struct alias {
	const char *name;
	enum combine combine;
	const char *paths[2];
} aliases[] = {
	{"retx", C_RETX, {"labels.retransmission", NULL}},
	{"dupack", C_ONE, {"labels.duplicate_ack", NULL}},
	{"flow", C_ONE, {"id", NULL}},
	{"conn", C_ONE, {"conn_state", NULL}},
	{"port", C_EITHER, {"client.port", "server.port"}},
	{"tcp.port", C_EITHER, {"client.port", "server.port"}},
	{"tcp.srcport", C_ONE, {"client.port", NULL}},
	{"tcp.dstport", C_ONE, {"server.port", NULL}},
	{"host", C_EITHER, {"client.addr", "server.addr"}},
	{"addr", C_EITHER, {"client.addr", "server.addr"}},
	{"ip.addr", C_EITHER, {"client.addr", "server.addr"}},
	{"ipv6.addr", C_EITHER, {"client.addr", "server.addr"}},
	{"ip.src", C_ONE, {"client.addr", NULL}},
	{"ip.dst", C_ONE, {"server.addr", NULL}},
	{"state", C_EITHER, {"state.client", "state.server"}},
	{"packets", C_SUM, {"packets.client", "packets.server"}},
	{"bytes", C_SUM, {"payload_bytes.client", "payload_bytes.server"}},
};

/* The fields a name reads: an alias, or a field of the flow object. False if neither. */
static bool name_lookup(const struct expect_token *t, struct flow_expr *n)
{
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		const struct alias *a = &aliases[i];
		if (strlen(a->name) != t->len || memcmp(a->name, t->p, t->len) != 0)
			continue;
		n->combine = a->combine;
		for (int k = 0; k < 2 && a->paths[k]; k++)
			n->fields[k] = expect_flow_field(a->paths[k], strlen(a->paths[k]));
		return true;
	}
	n->combine = C_ONE;
	n->fields[0] = expect_flow_field(t->p, t->len);
	return n->fields[0] != NULL;
}

static struct flow_expr *node(enum node_kind kind)
{
	struct flow_expr *n = xcalloc(1, sizeof *n);
	n->kind = kind;
	return n;
}

static bool tok_is_any(const struct expect_token *t, const char *a, const char *b)
{
	return t && (expect_tok_is(t, a) || (t->len == strlen(b) && memcmp(t->p, b, t->len) == 0));
}

static struct flow_expr *parse_expr(struct expect_parser *p);

/* A field with no operator after it: nonzero (a count, size or time) or true. */
static struct flow_expr *bare_field(struct flow_expr *n)
{
	enum expect_type type = expect_field_type(n->fields[0]);
	n->kind = N_COMPARE;
	n->cmp.op = EXPECT_NE;
	n->cmp.values = xcalloc(1, sizeof *n->cmp.values);
	n->cmp.nvalues = 1;
	n->cmp.values[0].type = type;
	return n;
}

static struct flow_expr *parse_atom(struct expect_parser *p)
{
	const struct expect_token *t = expect_peek(p);
	const struct expect_token *next = p->pos + 1 < p->ntok ? &p->tok[p->pos + 1] : NULL;
	struct flow_expr *n = node(N_WORD);
	if (!expect_tok_is_op(next) &&
	    (expect_tok_is(t, "host") || expect_tok_is(t, "port") || expect_tok_is(t, "client") ||
	     expect_tok_is(t, "server") || expect_tok_is(t, "flow"))) {
		n->kind = N_SELECTOR;
		if (expect_tok_is(t, "flow"))
			p->pos++; /* "flow ID": the selector is the id */
		if (expect_parse_selector(p, &n->sel) == 0)
			return n;
		flow_expr_free(n);
		return NULL;
	}
	p->pos++;
	bool known = name_lookup(t, n);
	if (expect_tok_is_op(next)) {
		n->kind = N_COMPARE;
		if (!known) {
			expect_unknown_field(p, t);
			flow_expr_free(n);
			return NULL;
		}
		if (expect_parse_comparison(p, n->fields[0], &n->cmp) == 0)
			return n;
		flow_expr_free(n);
		return NULL;
	}
	enum expect_type type = known ? expect_field_type(n->fields[0]) : EXPECT_T_WORD;
	if (known && type != EXPECT_T_WORD && type != EXPECT_T_ADDR)
		return bare_field(n);
	n->word = xmalloc(t->len + 1);
	for (size_t i = 0; i < t->len; i++)
		n->word[i] = (char)tolower((unsigned char)t->p[i]);
	n->word[t->len] = '\0';
	return n;
}

static struct flow_expr *parse_factor(struct expect_parser *p)
{
	const struct expect_token *t = expect_peek(p);
	if (!t) {
		expect_parse_error(p, p->end_col, "the expression ends too early");
		return NULL;
	}
	if (expect_tok_is(t, "not") || (t->kind == TOK_OP && t->len == 1 && t->p[0] == '!')) {
		p->pos++;
		struct flow_expr *a = parse_factor(p);
		if (!a)
			return NULL;
		struct flow_expr *n = node(N_NOT);
		n->a = a;
		return n;
	}
	if (t->kind == TOK_LPAREN) {
		p->pos++;
		struct flow_expr *n = parse_expr(p);
		if (!n)
			return NULL;
		const struct expect_token *close = expect_peek(p);
		if (!close || close->kind != TOK_RPAREN) {
			expect_parse_error(p, t->col, "this '(' is not closed");
			flow_expr_free(n);
			return NULL;
		}
		p->pos++;
		return n;
	}
	if (t->kind != TOK_WORD || tok_is_any(t, "and", "&&") || tok_is_any(t, "or", "||")) {
		expect_parse_error(p, t->col, "unexpected '%.*s'", (int)t->len, t->p);
		return NULL;
	}
	return parse_atom(p);
}

/* Joins left and the next operand of kind (AND or OR); NULL if the operand fails. */
static struct flow_expr *join(enum node_kind kind, struct flow_expr *left, struct flow_expr *right)
{
	if (!right) {
		flow_expr_free(left);
		return NULL;
	}
	struct flow_expr *n = node(kind);
	n->a = left;
	n->b = right;
	return n;
}

static struct flow_expr *parse_term(struct expect_parser *p)
{
	struct flow_expr *left = parse_factor(p);
	const struct expect_token *t;
	while (left && (t = expect_peek(p)) && !tok_is_any(t, "or", "||") && t->kind != TOK_RPAREN) {
		if (tok_is_any(t, "and", "&&"))
			p->pos++;
		left = join(N_AND, left, parse_factor(p));
	}
	return left;
}

static struct flow_expr *parse_expr(struct expect_parser *p)
{
	struct flow_expr *left = parse_term(p);
	const struct expect_token *t;
	while (left && (t = expect_peek(p)) && tok_is_any(t, "or", "||")) {
		p->pos++;
		left = join(N_OR, left, parse_term(p));
	}
	return left;
}

struct flow_expr *flow_expr_parse(const char *text, char *err, size_t errlen, unsigned *err_col)
{
	struct expect_parser p = {.name = NULL, .line = 0, .parens = true, .err = err, .errlen = errlen};
	err[0] = '\0';
	expect_lex(&p, text, strlen(text));
	struct flow_expr *e = NULL;
	if (p.ntok > 0) {
		e = parse_expr(&p);
		const struct expect_token *t = expect_peek(&p);
		if (e && t) {
			expect_parse_error(&p, t->col, "unexpected '%.*s'", (int)t->len, t->p);
			flow_expr_free(e);
			e = NULL;
		}
	}
	if (err_col)
		*err_col = e || !err[0] ? 0 : p.err_col;
	free(p.tok);
	return e;
}

void flow_expr_free(struct flow_expr *e)
{
	if (!e)
		return;
	flow_expr_free(e->a);
	flow_expr_free(e->b);
	free(e->cmp.values);
	free(e->word);
	free(e);
}

static bool compare(const struct flow_expr *e, const struct flow_summary *s)
{
	struct expect_value v[2];
	expect_flow_value(e->fields[0], s, &v[0]);
	switch (e->combine) {
	case C_ONE:
		break;
	case C_EITHER: {
		expect_flow_value(e->fields[1], s, &v[1]);
		bool a = expect_value_holds(&v[0], e->cmp.op, e->cmp.values, e->cmp.nvalues);
		bool b = expect_value_holds(&v[1], e->cmp.op, e->cmp.values, e->cmp.nvalues);
		return e->cmp.op == EXPECT_NE ? a && b : a || b;
	}
	case C_SUM:
		expect_flow_value(e->fields[1], s, &v[1]);
		v[0].num += v[1].num;
		break;
	case C_RETX:
		v[0].num = labels_retransmitted_packets(s->labels);
		break;
	}
	return expect_value_holds(&v[0], e->cmp.op, e->cmp.values, e->cmp.nvalues);
}

/* Does the word occur (case-insensitively) in any of the flow's row text? */
static bool text_match(const struct flow_summary *s, const char *worst_code, const char *word)
{
	char hay[512], c[80], sv[80];
	text_format_endpoint(c, sizeof c, s, 0);
	text_format_endpoint(sv, sizeof sv, s, 1);
	snprintf(hay, sizeof hay, "%s %s %s %s %s %s %s %s %s", c, sv, tcp_state_name(s->state[0]),
		 tcp_state_name(s->state[1]), s->handshake ? s->handshake : "", s->close ? s->close : "", s->conn_state,
		 s->history, worst_code ? worst_code : "");
	return strcasestr(hay, word) != NULL;
}

bool flow_expr_match(const struct flow_expr *e, const struct flow_summary *s, const char *worst_code)
{
	switch (e->kind) {
	case N_AND:
		return flow_expr_match(e->a, s, worst_code) && flow_expr_match(e->b, s, worst_code);
	case N_OR:
		return flow_expr_match(e->a, s, worst_code) || flow_expr_match(e->b, s, worst_code);
	case N_NOT:
		return !flow_expr_match(e->a, s, worst_code);
	case N_SELECTOR:
		return expect_selector_match(&e->sel, s);
	case N_COMPARE:
		return compare(e, s);
	case N_WORD:
		return text_match(s, worst_code, e->word);
	}
	return false;
}
