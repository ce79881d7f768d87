/*
 * cmd-check.c - `tcpscope check` (SPEC §11, docs/ci.md): validates the
 * options, reads and parses the expectation file and the script (any
 * problem is a usage error, exit 2, naming the file, line and column), runs
 * every capture through check_run_file(), writes the verdicts in the chosen
 * format, and returns 0 when every capture passes, 1 when one fails, 2 when
 * one cannot be read.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "commands.h"
#include "output-check.h"
#include "text-file.h"
#include "xalloc.h"

/* Reads a whole text file; NULL with "FILE: reason" in err. */
static char *read_text_file(const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text = text_file_read(path, &len, err, errlen);
	if (text && strlen(text) != len) {
		snprintf(err, errlen, "%s: not a text file (it contains NUL bytes)", path);
		free(text);
		return NULL;
	}
	return text;
}

/* Checks every --allow/--deny pattern and copies the lists into the policy. */
static int configure_policy(struct options *o, struct check_policy *p)
{
	char err[200];
	if (o->fail_on) {
		int sev = severity_parse(o->fail_on);
		if (sev < 0)
			return cmd_usage_error("--fail-on takes error, warning or note, not \"%s\"", o->fail_on);
		p->fail_on = (enum severity)sev;
	}
	for (int i = 0; i < o->nallow; i++)
		if (expect_pattern_check(o->allow[i], err, sizeof err) != 0)
			return cmd_usage_error("--allow %s", err);
	for (int i = 0; i < o->ndeny; i++)
		if (expect_pattern_check(o->deny[i], err, sizeof err) != 0)
			return cmd_usage_error("--deny %s", err);
	p->allow = o->allow;
	p->nallow = (size_t)o->nallow;
	p->deny = o->deny;
	p->ndeny = (size_t)o->ndeny;
	o->allow = o->deny = NULL; /* the policy owns the arrays now */
	o->nallow = o->ndeny = 0;
	return 0;
}

/* Loads --expect and --script and parses --flow into cfg; returns 0 or the exit status 2. */
static int configure(struct options *o, struct check_config *cfg, struct expect_set **expect, struct script **script)
{
	char err[512];
	if (configure_policy(o, &cfg->policy))
		return 2;
	if (o->flow_arg && !o->script_file)
		return cmd_usage_error("check: --flow chooses the flow of --script; give --script too");
	if (o->expect_file) {
		char *text = read_text_file(o->expect_file, err, sizeof err);
		*expect = text ? expect_parse(text, o->expect_file, err, sizeof err) : NULL;
		free(text);
		if (!*expect)
			return cmd_usage_error("%s", err);
		cfg->expect = *expect;
	}
	if (o->script_file) {
		char *text = read_text_file(o->script_file, err, sizeof err);
		*script = text ? script_parse(text, o->script_file, err, sizeof err) : NULL;
		free(text);
		if (!*script)
			return cmd_usage_error("%s", err);
		cfg->script = *script;
		cfg->script_flow_text = o->flow_arg ? o->flow_arg : "*";
		if (expect_selector_parse(cfg->script_flow_text, &cfg->script_flow, err, sizeof err) != 0)
			return cmd_usage_error("%s", err);
	}
	return 0;
}

int cmd_check(struct options *o)
{
	struct check_config cfg;
	struct expect_set *expect = NULL;
	struct script *script = NULL;
	struct check_file *files = NULL;
	int status = 0;
	memset(&cfg, 0, sizeof cfg);
	check_policy_init(&cfg.policy);
	if (o->nargs == 0)
		status = cmd_usage_error("check needs a capture file (try 'tcpscope --help')");
	else
		status = configure(o, &cfg, &expect, &script);
	if (status == 0) {
		files = xcalloc((size_t)o->nargs, sizeof *files);
		for (int i = 0; i < o->nargs; i++) {
			if (check_run_file(&files[i], o->args[i], o->filter, &o->engine, &cfg) != 0) {
				cmd_error(files[i].error);
				status = 2;
			} else if (!files[i].pass && status == 0) {
				status = 1;
			}
		}
		const char *format = o->format ? o->format : "text";
		if (strcmp(format, "json") == 0)
			output_check_json(stdout, files, (size_t)o->nargs, &cfg);
		else if (strcmp(format, "junit") == 0)
			output_check_junit(stdout, files, (size_t)o->nargs, &cfg);
		else
			output_check_text(stdout, files, (size_t)o->nargs, &cfg);
		for (int i = 0; i < o->nargs; i++)
			check_file_free(&files[i]);
		free(files);
	}
	expect_set_free(expect);
	script_free(script);
	check_policy_free(&cfg.policy);
	free(o->allow);
	free(o->deny);
	return status;
}
