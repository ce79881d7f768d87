/*
 * cmd-where.c - the --where EXPR of `report`, `packets` and `extract`: the
 * flow expression parsed (report-expr.h), its problem told the user with the
 * column, and the flows of a finished report it selects (report-where.h).
 */
#include "config.h"

#include "commands.h"
#include "report-expr.h"
#include "report-where.h"

struct flow_expr *cmd_parse_where(const char *text)
{
	char err[256];
	unsigned col;
	struct flow_expr *e = flow_expr_parse(text, err, sizeof err, &col);
	if (!e) {
		if (err[0])
			cmd_usage_error("--where '%s': column %u: %s", text, col, err);
		else
			cmd_usage_error("--where needs an expression (docs/ci.md)");
	}
	return e;
}

size_t cmd_where_flows(const struct report *r, const struct flow_expr *where, uint8_t *chosen, size_t max_id)
{
	struct report picked;
	report_where(r, where, &picked);
	struct report_reader rd;
	const struct flow_summary *s;
	size_t n = 0;
	report_read_flows(&picked, &rd);
	while ((s = report_next_flow(&rd)))
		if (s->id <= max_id) {
			chosen[s->id] = 1;
			n++;
		}
	report_reader_close(&rd);
	report_free(&picked);
	return n;
}
