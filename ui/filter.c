/*
 * filter.c - parses and evaluates the flows view's filter expressions
 * (filter.h) with a recursive-descent parser into a small tree:
 *
 *   expr   = term { "or" term }
 *   term   = factor { ["and"] factor }
 *   factor = ("not" | "!") factor | "(" expr ")" | primitive
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "output.h"
#include "xalloc.h"

enum node_kind { N_AND, N_OR, N_NOT, N_HOST, N_PORT, N_CLIENT, N_SERVER, N_FLOW, N_TEXT };

struct flow_filter {
	enum node_kind kind;
	struct flow_filter *a, *b;
	char *word;  /* N_HOST, N_CLIENT, N_SERVER address; N_TEXT word (lower case) */
	long number; /* N_PORT, N_FLOW; the port of N_CLIENT/N_SERVER, or -1 */
};

struct parser {
	const char *p;
	char token[128];
	char *err;
	size_t errlen;
	bool failed;
};

/* Reads the next token: "(", ")", "!", or a run of other non-blank characters. */
static bool next_token(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
	if (!*ps->p)
		return false;
	size_t n = 0;
	if (strchr("()!", *ps->p)) {
		ps->token[n++] = *ps->p++;
	} else {
		while (*ps->p && !isspace((unsigned char)*ps->p) && !strchr("()", *ps->p) && n + 1 < sizeof ps->token)
			ps->token[n++] = *ps->p++;
	}
	ps->token[n] = '\0';
	return true;
}

/* Looks at the next token without taking it. */
static bool peek(struct parser *ps, char *buf, size_t len)
{
	const char *save = ps->p;
	char tok[sizeof ps->token];
	memcpy(tok, ps->token, sizeof tok);
	bool ok = next_token(ps);
	snprintf(buf, len, "%s", ok ? ps->token : "");
	ps->p = save;
	memcpy(ps->token, tok, sizeof tok);
	return ok;
}

static struct flow_filter *node(enum node_kind kind)
{
	struct flow_filter *n = xcalloc(1, sizeof *n);
	n->kind = kind;
	n->number = -1;
	return n;
}

static void fail(struct parser *ps, const char *msg)
{
	if (!ps->failed)
		snprintf(ps->err, ps->errlen, "%s", msg);
	ps->failed = true;
}

static struct flow_filter *parse_expr(struct parser *ps);

static bool parse_number(const char *s, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > max)
		return false;
	*out = v;
	return true;
}

/* "ADDR", "ADDR:PORT" or "[V6]:PORT". */
static bool parse_endpoint(const char *s, struct flow_filter *n)
{
	char buf[128];
	snprintf(buf, sizeof buf, "%s", s);
	char *port = NULL;
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');
		if (!close)
			return false;
		*close = '\0';
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return false;
		n->word = xstrdup(buf + 1);
	} else {
		char *colon = strchr(buf, ':');
		if (colon && !strchr(colon + 1, ':')) {
			*colon = '\0';
			port = colon + 1;
		}
		n->word = xstrdup(buf);
	}
	return !port || parse_number(port, 65535, &n->number);
}

static struct flow_filter *parse_primitive(struct parser *ps)
{
	char kw[sizeof ps->token];
	snprintf(kw, sizeof kw, "%s", ps->token);
	struct flow_filter *n;
	if (!strcmp(kw, "host") || !strcmp(kw, "port") || !strcmp(kw, "client") || !strcmp(kw, "server") ||
	    !strcmp(kw, "flow")) {
		if (!next_token(ps) || strchr("()!", ps->token[0])) {
			char msg[200];
			snprintf(msg, sizeof msg, "\"%s\" needs a value", kw);
			fail(ps, msg);
			return NULL;
		}
		if (!strcmp(kw, "host")) {
			n = node(N_HOST);
			n->word = xstrdup(ps->token);
		} else if (!strcmp(kw, "port") || !strcmp(kw, "flow")) {
			n = node(kw[0] == 'p' ? N_PORT : N_FLOW);
			if (!parse_number(ps->token, kw[0] == 'p' ? 65535 : 0x7fffffff, &n->number)) {
				char msg[200];
				snprintf(msg, sizeof msg, "\"%s\" is not a %s number", ps->token,
					 kw[0] == 'p' ? "port" : "flow");
				fail(ps, msg);
			}
		} else {
			n = node(kw[0] == 'c' ? N_CLIENT : N_SERVER);
			if (!parse_endpoint(ps->token, n)) {
				char msg[200];
				snprintf(msg, sizeof msg, "\"%s\" is not ADDR or ADDR:PORT", ps->token);
				fail(ps, msg);
			}
		}
		return n;
	}
	n = node(N_TEXT);
	n->word = xstrdup(kw);
	for (char *c = n->word; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return n;
}

static struct flow_filter *parse_factor(struct parser *ps)
{
	if (!next_token(ps)) {
		fail(ps, "the expression ends too early");
		return NULL;
	}
	if (!strcmp(ps->token, "not") || !strcmp(ps->token, "!")) {
		struct flow_filter *n = node(N_NOT);
		n->a = parse_factor(ps);
		return n;
	}
	if (!strcmp(ps->token, "(")) {
		struct flow_filter *n = parse_expr(ps);
		if (!next_token(ps) || strcmp(ps->token, ")"))
			fail(ps, "a \"(\" is not closed");
		return n;
	}
	if (!strcmp(ps->token, ")") || !strcmp(ps->token, "and") || !strcmp(ps->token, "or")) {
		char msg[200];
		snprintf(msg, sizeof msg, "unexpected \"%s\"", ps->token);
		fail(ps, msg);
		return NULL;
	}
	return parse_primitive(ps);
}

static struct flow_filter *parse_term(struct parser *ps)
{
	struct flow_filter *left = parse_factor(ps);
	char next[sizeof ps->token];
	while (!ps->failed && peek(ps, next, sizeof next) && strcmp(next, "or") && strcmp(next, ")")) {
		if (!strcmp(next, "and"))
			next_token(ps);
		struct flow_filter *n = node(N_AND);
		n->a = left;
		n->b = parse_factor(ps);
		left = n;
	}
	return left;
}

static struct flow_filter *parse_expr(struct parser *ps)
{
	struct flow_filter *left = parse_term(ps);
	char next[sizeof ps->token];
	while (!ps->failed && peek(ps, next, sizeof next) && !strcmp(next, "or")) {
		next_token(ps);
		struct flow_filter *n = node(N_OR);
		n->a = left;
		n->b = parse_term(ps);
		left = n;
	}
	return left;
}

struct flow_filter *flow_filter_parse(const char *text, char *err, size_t errlen)
{
	struct parser ps = {.p = text, .err = err, .errlen = errlen};
	char first[8];
	err[0] = '\0';
	if (!peek(&ps, first, sizeof first))
		return NULL;
	struct flow_filter *f = parse_expr(&ps);
	if (!ps.failed && next_token(&ps)) {
		char msg[200];
		snprintf(msg, sizeof msg, "unexpected \"%s\"", ps.token);
		fail(&ps, msg);
	}
	if (ps.failed) {
		flow_filter_free(f);
		return NULL;
	}
	return f;
}

void flow_filter_free(struct flow_filter *f)
{
	if (!f)
		return;
	flow_filter_free(f->a);
	flow_filter_free(f->b);
	free(f->word);
	free(f);
}

void flow_filter_endpoint(char *buf, size_t len, const struct flow_summary *s, int side)
{
	char addr[64];
	output_format_addr(addr, sizeof addr, s->ip_version, s->addr[side]);
	snprintf(buf, len, s->ip_version == 6 ? "[%s]:%u" : "%s:%u", addr, s->port[side]);
}

static bool addr_is(const struct flow_summary *s, int side, const char *want)
{
	char addr[64];
	output_format_addr(addr, sizeof addr, s->ip_version, s->addr[side]);
	return strcasecmp(addr, want) == 0;
}

/* Does the word occur (case-insensitively) in any of the flow's row text? */
static bool text_match(const struct model_flow *mf, const char *word)
{
	const struct flow_summary *s = &mf->s;
	char hay[512], c[80], sv[80];
	flow_filter_endpoint(c, sizeof c, s, 0);
	flow_filter_endpoint(sv, sizeof sv, s, 1);
	snprintf(hay, sizeof hay, "%s %s %s %s %s %s %s %s %s", c, sv, tcp_state_name(s->state[0]),
		 tcp_state_name(s->state[1]), s->handshake ? s->handshake : "", s->close ? s->close : "", s->conn_state,
		 s->history, mf->worst ? finding_info(mf->worst_id)->code : "");
	return strcasestr(hay, word) != NULL;
}

bool flow_filter_match(const struct flow_filter *f, const struct model_flow *mf)
{
	const struct flow_summary *s = &mf->s;
	switch (f->kind) {
	case N_AND:
		return flow_filter_match(f->a, mf) && flow_filter_match(f->b, mf);
	case N_OR:
		return flow_filter_match(f->a, mf) || flow_filter_match(f->b, mf);
	case N_NOT:
		return !flow_filter_match(f->a, mf);
	case N_HOST:
		return addr_is(s, 0, f->word) || addr_is(s, 1, f->word);
	case N_PORT:
		return s->port[0] == f->number || s->port[1] == f->number;
	case N_CLIENT:
	case N_SERVER: {
		int side = f->kind == N_SERVER;
		return (!f->word[0] || addr_is(s, side, f->word)) && (f->number < 0 || s->port[side] == f->number);
	}
	case N_FLOW:
		return s->id == (uint32_t)f->number;
	case N_TEXT:
		return text_match(mf, f->word);
	}
	return false;
}
