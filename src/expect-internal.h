/*
 * expect-internal.h - the parts of the --expect parser (expect.c) that the
 * flow expression language (report-expr.c) parses with too, so both read
 * fields, selectors, operators and values with one parser and one set of
 * error messages. Only expect.c and report-expr.c include it.
 *
 * A struct expect_parser holds one line's tokens (expect_lex); the parse
 * functions take tokens from pos on and return -1 after writing the first
 * problem into err (and its column into err_col). Tokens point into the
 * text given to expect_lex, which must outlive the parser.
 */
#ifndef TCPSCOPE_EXPECT_INTERNAL_H
#define TCPSCOPE_EXPECT_INTERNAL_H

#include "expect.h"

enum expect_tok_kind { TOK_WORD, TOK_OP, TOK_COMMA, TOK_LPAREN, TOK_RPAREN };

struct expect_token {
	enum expect_tok_kind kind;
	const char *p;
	size_t len;
	unsigned col;
};

struct expect_parser {
	const char *name; /* NULL: messages carry no prefix (the column is in err_col) */
	unsigned line;	  /* 0: a one-line value (--flow, a filter) */
	bool parens;	  /* "(" and ")" are tokens of their own (flow expressions) */
	unsigned end_col; /* the column just past the last token */
	struct expect_token *tok;
	size_t ntok, cap, pos;
	char *err;
	size_t errlen;
	unsigned err_col; /* where the problem is, from 1 */
};

/* Splits one line (up to a '#' comment) into tokens. */
void expect_lex(struct expect_parser *p, const char *line, size_t len);
/* Writes "NAME:LINE:COLUMN: message" (or less, see struct expect_parser) into err; returns -1. */
int expect_parse_error(struct expect_parser *p, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The next token, not taken; NULL at the end. */
const struct expect_token *expect_peek(const struct expect_parser *p);
/* True if t is the word `word`. */
bool expect_tok_is(const struct expect_token *t, const char *word);
/* True if t is an operator of the language (== != < <= > >= in). */
bool expect_tok_is_op(const struct expect_token *t);
/* A flow selector (*, ID, port N, host ADDR, client ADDR[:PORT], server ADDR[:PORT]). */
int expect_parse_selector(struct expect_parser *p, struct expect_selector *sel);
/* The flow field of the §5.1 object named by path[0 .. len), or NULL. */
const struct expect_field *expect_flow_field(const char *path, size_t len);
/* Reports an unknown flow field at token t as the --expect parser does; returns -1. */
int expect_unknown_field(struct expect_parser *p, const struct expect_token *t);
/* OP VALUE, or `in` VALUE,VALUE...: the operator and values of e, for field f. */
int expect_parse_comparison(struct expect_parser *p, const struct expect_field *f, struct expect *e);
/* The type of a field's values. */
enum expect_type expect_field_type(const struct expect_field *f);
/* Reads field f of a flow. */
void expect_flow_value(const struct expect_field *f, const struct flow_summary *s, struct expect_value *v);
/* Does actual OP values[0 .. n) hold? A null actual only equals null and is never ordered. */
bool expect_value_holds(const struct expect_value *actual, enum expect_op op, const struct expect_value *values,
			size_t n);

#endif
