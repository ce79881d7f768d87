/*
 * report-expr.h - the flow expression language: which flows to show, report
 * or extract. The flows view's filter and search (`\`, `/`), `report
 * --where`, `packets --where` and `extract --where` all take it (docs/ci.md,
 * docs/ui.md). It is the --expect field language (expect.h) with `and`,
 * `or`, `not` and parentheses:
 *
 *   conn_state in REJ,S0         a field of the §5.1 flow object, OP, value(s)
 *   labels.retransmission > 0    (the fields and values of `flow SEL FIELD OP VALUE`)
 *   duration > 1s and irtt > 10ms
 *   host 10.0.0.1 and port 443   selectors: host, port, client, server, flow ID
 *   retx > 0 or tcp.port == 22   short names (retx, port, host, state, packets, ...)
 *   not (SF or S1)               any other word: text in the flow's row
 *   labels.zero_window           a bare numeric or true/false field: nonzero
 *
 * The rule that tells an expression from words: a word followed by an
 * operator (== != < <= > >= in) is a field comparison, and the field must
 * exist (an unknown one is an error with its column, never a filter that
 * matches nothing); host, port, client, server and flow followed by a value
 * are selectors; a bare field name of a count, size, time or true/false
 * field means "nonzero"; any other word matches, case-insensitively, text
 * anywhere in the flow's row (endpoints, states, handshake, close,
 * conn_state, history, worst finding). Words side by side are joined by
 * `and`; `&&`, `||` and `!` are accepted too.
 *
 * A parsed expression owns its tree; matching reads only the summary and
 * the code of the flow's worst finding, so it costs no allocation.
 */
#ifndef TCPSCOPE_REPORT_EXPR_H
#define TCPSCOPE_REPORT_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "summary.h"

struct flow_expr;

/*
 * Parses text. Blank text gives NULL with err "" (no filter); an error gives
 * NULL, the problem in err and, if err_col is not NULL, its column (from 1).
 */
struct flow_expr *flow_expr_parse(const char *text, char *err, size_t errlen, unsigned *err_col);
/* Does the flow match? worst_code is the code of its worst finding, or NULL without one. */
bool flow_expr_match(const struct flow_expr *e, const struct flow_summary *s, const char *worst_code);
void flow_expr_free(struct flow_expr *e);

#endif
