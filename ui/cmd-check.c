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
#include "mem-alloc.h"
#include "output-check.h"
#include "text-file.h"

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

/* Reads --sut, --strict-segments and --tolerance-* into c; returns 0 or the exit status 2. */
static int configure_packetdrill(const struct options *o, struct packetdrill_config *c)
{
	char err[200], *end;
	memset(c, 0, sizeof *c);
	c->strict_segments = o->strict_segments;
	c->peer_from_trace = o->peer_from_trace;
	if (o->sut && packetdrill_config_sut(c, o->sut, err, sizeof err) != 0)
		return cmd_usage_error("%s", err);
	if (o->tolerance_usecs) {
		long long us = strtoll(o->tolerance_usecs, &end, 10);
		if (*end || us <= 0 || us > 1000000000LL)
			return cmd_usage_error("--tolerance-usecs takes microseconds (1 to 10^9), not \"%s\"",
					       o->tolerance_usecs);
		c->has_tolerance_ns = true;
		c->tolerance_ns = us * 1000;
	}
	if (o->tolerance_percent) {
		double pct = strtod(o->tolerance_percent, &end);
		if (*end || !(pct >= 0 && pct <= 100))
			return cmd_usage_error("--tolerance-percent takes 0 to 100, not \"%s\"", o->tolerance_percent);
		c->has_tolerance_percent = true;
		c->tolerance_percent = pct;
	}
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
	if ((o->sut || o->strict_segments || o->peer_from_trace || o->tolerance_usecs || o->tolerance_percent) &&
	    !o->script_file)
		return cmd_usage_error("check: --sut, --strict-segments, --peer-from-trace and --tolerance-* are about "
				       "a packetdrill --script; give --script too");
	if (configure_packetdrill(o, &cfg->packetdrill))
		return 2;
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
		*script = text ? script_load(text, o->script_file, o->sut != NULL, err, sizeof err) : NULL;
		free(text);
		if (!*script)
			return cmd_usage_error("%s", err);
		if ((*script)->packetdrill &&
		    packetdrill_config_check((*script)->packetdrill, &cfg->packetdrill, err, sizeof err) != 0)
			return cmd_usage_error("%s: %s", o->script_file, err);
		if (!(*script)->packetdrill &&
		    (o->strict_segments || o->peer_from_trace || o->tolerance_usecs || o->tolerance_percent))
			return cmd_usage_error(
				"%s is in tcpscope's notation; --strict-segments, --peer-from-trace and "
				"--tolerance-* are for packetdrill scripts (give --sut to read it as one)",
				o->script_file);
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
	cfg.threads = o->threads;
	if (o->nargs == 0)
		status = cmd_usage_error("check needs a capture file (try 'tcpscope --help')");
	else
		status = configure(o, &cfg, &expect, &script);
	if (status == 0) {
		/* --join: the files are the parts of one capture, judged once */
		size_t ncaptures = o->join ? 1 : (size_t)o->nargs, nparts = o->join ? (size_t)o->nargs : 1;
		files = xcalloc(ncaptures, sizeof *files);
		for (size_t i = 0; i < ncaptures; i++) {
			if (check_run_files(&files[i], (const char *const *)o->args + i, nparts, o->filter, &o->engine,
					    &cfg) != 0) {
				cmd_error(files[i].error);
				status = 2;
			} else if (!files[i].pass && status == 0) {
				status = 1;
			}
		}
		const char *format = o->format ? o->format : "text";
		if (strcmp(format, "json") == 0)
			output_check_json(stdout, files, ncaptures, &cfg);
		else if (strcmp(format, "junit") == 0)
			output_check_junit(stdout, files, ncaptures, &cfg);
		else
			output_check_text(stdout, files, ncaptures, &cfg);
		for (size_t i = 0; i < ncaptures; i++) {
			char err[1024];
			if (!files[i].error && check_file_fault(&files[i], err, sizeof err)) {
				cmd_error(err); /* reading the verdicts back failed: the output is cut short */
				status = 2;
			}
			check_file_free(&files[i]);
		}
		free(files);
	}
	expect_set_free(expect);
	script_free(script);
	check_policy_free(&cfg.policy);
	free(o->allow);
	free(o->deny);
	return status;
}
