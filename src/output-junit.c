/*
 * output-junit.c - JUnit XML for `tcpscope check --format junit`, the
 * de-facto schema Jenkins, GitLab and GitHub test reporters read:
 *
 *   <testsuites name tests failures errors>
 *     <testsuite name=CAPTURE tests failures errors skipped time>   one per file
 *       <testcase classname=CAPTURE_ID.capture  name="capture">        capture-wide findings, read errors
 *       <testcase classname=CAPTURE_ID.flows    name="flow N: A > B">  one per flow: the findings policy
 *       <testcase classname=CAPTURE_ID.expect   name="FILE:LINE: TEXT"> one per expectation
 *       <testcase classname=CAPTURE_ID.script   name="FILE (flow SEL)">
 *
 * A failing case holds <failure message="one line" type=...> with the whole
 * explanation (the text format's lines) as its body. CAPTURE_ID is the
 * capture's path with dots turned into underscores, so Jenkins, which splits
 * classnames at the last dot, shows one package per capture. Every string is
 * escaped for XML 1.0: the five special characters, control characters and
 * invalid UTF-8 (both replaced by U+FFFD), so any file name stays well-formed.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mem-alloc.h"
#include "output-check.h"
#include "output.h"
#include "text-utf8.h"

/* Writes s escaped for an XML attribute value or text node. */
static void xml_escape(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	while (*s) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		case '\n':
		case '\t':
			fputc(*s, out);
			break;
		default: {
			uint32_t cp;
			size_t n = utf8_decode(s, &cp);
			if (n == 0 || utf8_is_control(cp) || cp == 0xfffe || cp == 0xffff) { /* not XML 1.0 Chars */
				fputs("\xef\xbf\xbd", out);
				n = 1;
			} else {
				fwrite(s, 1, n, out);
			}
			s += n;
			continue;
		}
		}
		s++;
	}
}

/* The classname prefix of a capture: its path with '.' turned into '_'. */
static void class_id(char *buf, size_t len, const char *source)
{
	snprintf(buf, len, "%s", source);
	for (char *p = buf; *p; p++)
		if (*p == '.')
			*p = '_';
}

static void testcase_open(FILE *out, const char *class_prefix, const char *group, const char *name)
{
	fputs("    <testcase classname=\"", out);
	xml_escape(out, class_prefix);
	fprintf(out, ".%s\" name=\"", group);
	xml_escape(out, name);
	fputs("\" time=\"0\"", out);
}

/* Closes an open <testcase's start tag and opens a <failure> (or <error>); its body follows, escaped. */
static void testcase_fail_open(FILE *out, const char *element, const char *type, const char *message)
{
	fprintf(out, ">\n      <%s message=\"", element);
	xml_escape(out, message);
	fprintf(out, "\" type=\"%s\">", type);
}

static void testcase_fail_close(FILE *out, const char *element)
{
	fprintf(out, "</%s>\n    </testcase>\n", element);
}

/* Closes an open <testcase with a <failure> (or <error>) holding body. */
static void testcase_fail(FILE *out, const char *element, const char *type, const char *message, const char *body)
{
	testcase_fail_open(out, element, type, message);
	xml_escape(out, body);
	testcase_fail_close(out, element);
}

/* Runs a writer into a string (the caller frees it). */
struct text_buffer {
	char *data;
	size_t len;
	FILE *f;
};

static FILE *buffer_open(struct text_buffer *b)
{
	memset(b, 0, sizeof *b);
	b->f = open_memstream(&b->data, &b->len);
	if (!b->f)
		abort(); /* it fails only when out of memory, which aborts everywhere (mem-alloc.h) */
	return b->f;
}

static char *buffer_close(struct text_buffer *b)
{
	fclose(b->f);
	return b->data;
}

/*
 * The denied findings in flow order (check_file.denied), walked by two
 * readers in step: ahead counts a flow's run of them for the one-line
 * message, body then writes each into the failure, so no case is held in
 * memory whatever its size.
 */
struct denied_walk {
	struct spool_reader ahead, body;
	const struct finding *ahead_at, *body_at;
};

/* Moves both readers past the denied findings of flows before flow. */
static void walk_skip_to(struct denied_walk *w, uint32_t flow)
{
	while (w->ahead_at && w->ahead_at->flow < flow) {
		w->ahead_at = spool_reader_next(&w->ahead);
		w->body_at = spool_reader_next(&w->body);
	}
}

/* Writes one testcase of the findings policy over the denied findings of flow (0: capture-wide). */
static void junit_policy_case(FILE *out, const char *cls, const char *group, const char *name, uint32_t flow,
			      struct denied_walk *w)
{
	testcase_open(out, cls, group, name);
	walk_skip_to(w, flow);
	size_t n = 0;
	struct finding first;
	for (; w->ahead_at && w->ahead_at->flow == flow; w->ahead_at = spool_reader_next(&w->ahead))
		if (n++ == 0)
			first = *w->ahead_at;
	if (n == 0) {
		fputs("/>\n", out);
		return;
	}
	char message[300];
	snprintf(message, sizeof message, "%zu finding%s fail%s the policy, first %s at frame %" PRIu64 ": %s", n,
		 n == 1 ? "" : "s", n == 1 ? "s" : "", finding_info(first.id)->code, first.frame, first.message);
	testcase_fail_open(out, "failure", "policy", message);
	for (; n > 0; n--, w->body_at = spool_reader_next(&w->body)) {
		struct text_buffer b;
		output_check_explain_finding(buffer_open(&b), w->body_at, "");
		char *line = buffer_close(&b);
		xml_escape(out, line);
		free(line);
	}
	testcase_fail_close(out, "failure");
}

/* The "capture" testcase and one testcase per flow, judged by the findings policy. */
static void junit_flows(FILE *out, const struct check_file *cf, const char *cls)
{
	struct denied_walk w;
	spool_reader_open(&w.ahead, &cf->denied);
	spool_reader_open(&w.body, &cf->denied);
	w.ahead_at = spool_reader_next(&w.ahead);
	w.body_at = spool_reader_next(&w.body);
	junit_policy_case(out, cls, "capture", "capture", 0, &w);
	struct report_reader rd;
	const struct flow_summary *s;
	report_read_flows(&cf->report, &rd);
	while ((s = report_next_flow(&rd))) {
		char endpoints[120], name[160];
		expect_format_endpoints(endpoints, sizeof endpoints, s);
		snprintf(name, sizeof name, "flow %u: %s", s->id, endpoints);
		junit_policy_case(out, cls, "flows", name, s->id, &w);
	}
	report_reader_close(&rd);
	spool_reader_close(&w.ahead);
	spool_reader_close(&w.body);
}

static void junit_expectations(FILE *out, const struct check_file *cf, const struct check_config *cfg, const char *cls)
{
	for (size_t i = 0; i < cf->nresults; i++) {
		const struct expect_result *res = &cf->results[i];
		char name[400];
		snprintf(name, sizeof name, "%s:%u: %s", cfg->expect->name, res->e->line, res->e->text);
		testcase_open(out, cls, "expect", name);
		if (res->pass) {
			fputs("/>\n", out);
			continue;
		}
		struct text_buffer b;
		FILE *f = buffer_open(&b);
		output_check_explain_expectation(f, res, "", 0);
		char *body = buffer_close(&b);
		char message[600];
		char *nl = strchr(body, '\n');
		snprintf(message, sizeof message, "%s: %.*s", res->e->text, nl ? (int)(nl - body) : (int)strlen(body),
			 body);
		testcase_fail(out, "failure", "expectation", message, body);
		free(body);
	}
}

static void junit_script(FILE *out, const struct check_file *cf, const struct check_config *cfg, const char *cls)
{
	char name[300];
	snprintf(name, sizeof name, "%s (flow %s)", cfg->script->name, cfg->script_flow_text);
	testcase_open(out, cls, "script", name);
	if (cf->script.pass) {
		fputs("/>\n", out);
		return;
	}
	struct text_buffer b;
	FILE *f = buffer_open(&b);
	output_check_explain_script(f, cf, "");
	char *body = buffer_close(&b);
	char message[600];
	if (cf->script.line)
		snprintf(message, sizeof message, "%s:%u: frame %" PRIu64 ": %s", cfg->script->name, cf->script.line,
			 cf->script.frame, cf->script.message);
	else
		snprintf(message, sizeof message, "%s", cf->script.message);
	testcase_fail(out, "failure", "script", message, body);
	free(body);
}

/* Counts of one suite: tests and failures (a read error is one test in error). */
static void suite_counts(const struct check_file *cf, size_t *tests, size_t *failures)
{
	*tests = 1;
	*failures = 0;
	if (cf->error)
		return;
	*tests += cf->report.nflows + cf->nresults + (cf->has_script ? 1 : 0);
	*failures += cf->denied_flows; /* one failing policy case per flow with denied findings (0: the capture) */
	for (size_t i = 0; i < cf->nresults; i++)
		*failures += !cf->results[i].pass;
	*failures += cf->has_script && !cf->script.pass;
}

static void junit_suite(FILE *out, const struct check_file *cf, const struct check_config *cfg, size_t tests,
			size_t failures)
{
	char cls[512];
	class_id(cls, sizeof cls, cf->report.source);
	fputs("  <testsuite name=\"", out);
	xml_escape(out, cf->report.source);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" skipped=\"0\" time=\"0\">\n", tests, failures,
		cf->error ? 1 : 0);
	if (cf->error) {
		testcase_open(out, cls, "capture", "capture");
		testcase_fail(out, "error", "input", cf->error, cf->error);
	} else {
		junit_flows(out, cf, cls);
		junit_expectations(out, cf, cfg, cls);
		if (cf->has_script)
			junit_script(out, cf, cfg, cls);
	}
	fputs("  </testsuite>\n", out);
}

void output_check_junit(FILE *out, const struct check_file *files, size_t n, const struct check_config *cfg)
{
	size_t *tests = xcalloc(n ? n : 1, sizeof *tests), *failures = xcalloc(n ? n : 1, sizeof *failures);
	size_t all_tests = 0, all_failures = 0, all_errors = 0;
	for (size_t i = 0; i < n; i++) {
		suite_counts(&files[i], &tests[i], &failures[i]);
		all_tests += tests[i];
		all_failures += failures[i];
		all_errors += files[i].error != NULL;
	}
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"tcpscope check\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"0\">\n",
		all_tests, all_failures, all_errors);
	for (size_t i = 0; i < n; i++)
		junit_suite(out, &files[i], cfg, tests[i], failures[i]);
	fputs("</testsuites>\n", out);
	free(tests);
	free(failures);
}
