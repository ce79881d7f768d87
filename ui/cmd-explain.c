/*
 * cmd-explain.c - `tcpscope explain CODE` and `explain --list`: the finding
 * catalogue (src/findings.def) for people, with a prefix match so that
 * `explain tcp.reset` lists the whole family.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "findings.h"

static void explain_one(enum finding_id id)
{
	const struct catalogue_entry *c = finding_info(id);
	printf("%s (%s)\n  %s\n  %s\n  Reference: %s\n", c->code, severity_name(c->severity), c->title,
	       c->explanation, c->reference);
}

int cmd_explain(struct options *o)
{
	if (o->list) {
		for (int i = 1; i < F_COUNT; i++) {
			const struct catalogue_entry *c = finding_info((enum finding_id)i);
			printf("%-36s %-8s %s\n", c->code, severity_name(c->severity), c->title);
		}
		return 0;
	}
	if (o->nargs != 1)
		return cmd_usage_error("explain needs a finding code, or --list");
	const char *want = o->args[0];
	enum finding_id exact = finding_by_code(want);
	if (exact != F_NONE) {
		explain_one(exact);
		return 0;
	}
	size_t n = strlen(want);
	if (n > 2 && strcmp(want + n - 2, ".*") == 0)
		n -= 1; /* "tcp.reset.*" means the prefix "tcp.reset." */
	int matched = 0;
	for (int i = 1; i < F_COUNT; i++) {
		const char *code = finding_info((enum finding_id)i)->code;
		if (strncmp(code, want, n) == 0 && (code[n] == '.' || code[n - 1] == '.')) {
			if (matched++)
				putchar('\n');
			explain_one((enum finding_id)i);
		}
	}
	if (!matched)
		return cmd_usage_error("unknown finding code \"%s\" (see 'tcpscope explain --list')", want);
	return 0;
}
