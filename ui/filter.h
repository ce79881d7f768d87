/*
 * filter.h - the flows view's filter: a small BPF-like expression over flow
 * summaries (SPEC §6). Primitives: `host ADDR`, `port N`, `client ADDR[:PORT]`,
 * `server ADDR[:PORT]`, `flow ID`, and any other word, which matches text
 * anywhere in the flow's row (addresses, states, conn_state, history,
 * handshake, close, worst finding). Combine with `and` (or juxtaposition),
 * `or`, `not`/`!` and parentheses: `port 443 and not SF`.
 */
#ifndef TCPSCOPE_UI_FILTER_H
#define TCPSCOPE_UI_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct flow_filter;

/* Returns NULL and a message in err if the text does not parse; "" gives NULL without error. */
struct flow_filter *flow_filter_parse(const char *text, char *err, size_t errlen);
bool flow_filter_match(const struct flow_filter *f, const struct model_flow *flow);
void flow_filter_free(struct flow_filter *f);
/* The text of a flow's endpoint, "10.0.0.1:80" or "[fd00::1]:80". */
void flow_filter_endpoint(char *buf, size_t len, const struct flow_summary *s, int side);

#endif
