/*
 * output-check.c - text and JSON output of `tcpscope check` (output-check.h),
 * and the failure explanations the JUnit writer shares. Text lists only what
 * failed, each failure with its frame numbers; JSON lists every expectation
 * with its result and every failing flow, failing frame or matching
 * finding, unabridged.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "output-check.h"
#include "output.h"
#include "packetdrill.h"
#include "text-safe.h"

void output_check_explain_finding(FILE *out, const struct finding *f, const char *indent)
{
	const struct catalogue_entry *c = finding_info(f->id);
	fprintf(out, "%sframe %" PRIu64, indent, f->frame);
	if (f->flow)
		fprintf(out, ", flow %u", f->flow);
	fprintf(out, ": %s %s: %s\n", severity_name(c->severity), c->code, f->message);
}

/* "frame 3 (flow 1, A > B): state.server is SYN-SENT, expected == SYN-RECEIVED", or why frame 3 has no value. */
static void explain_frame(FILE *out, const struct expect_result *res, const char *indent)
{
	const struct expect *e = res->e;
	if (res->nfailures == 0) {
		fprintf(out, "%s%s\n", indent, res->summary);
		return;
	}
	const struct expect_failure *f = &res->failures[0];
	char actual[64], expected[200];
	expect_value_format(actual, sizeof actual, &f->actual);
	expect_values_format(expected, sizeof expected, e);
	fprintf(out, "%sframe %" PRIu64 " (flow %u, %s): %s is %s, expected %s %s\n", indent, f->frame, f->flow,
		f->endpoints, expect_field_path(e->field), actual, expect_op_name(e->op), expected);
}

void output_check_explain_expectation(FILE *out, const struct expect_result *res, const char *indent, size_t max)
{
	const struct expect *e = res->e;
	size_t shown = 0, total = 0;
	char value[64];
	switch (e->form) {
	case EXPECT_FLOWS:
		fprintf(out, "%sthe capture has %s", indent, res->summary);
		for (; shown < res->nframes && (max == 0 || shown < max); shown++)
			fprintf(out, "%s%" PRIu64, shown ? ", " : ", first frames ", res->frames[shown]);
		fputc('\n', out);
		total = res->nframes;
		break;
	case EXPECT_FLOW:
		if (res->selected == 0) {
			fprintf(out, "%s%s\n", indent, res->summary);
			return;
		}
		total = res->nfailures;
		for (; shown < total && (max == 0 || shown < max); shown++) {
			const struct expect_failure *f = &res->failures[shown];
			expect_value_format(value, sizeof value, &f->actual);
			fprintf(out, "%sflow %u (frame %" PRIu64 ", %s): %s is %s\n", indent, f->flow, f->frame,
				f->endpoints, expect_field_path(e->field), value);
		}
		break;
	case EXPECT_FRAME:
		explain_frame(out, res, indent);
		return;
	case EXPECT_FINDINGS:
		if (res->nframes == 0) {
			fprintf(out, "%sno finding matches %s\n", indent, e->what);
			return;
		}
		fprintf(out, "%s%s matching %s:\n", indent, res->summary, e->what);
		total = res->nframes;
		for (; shown < total && (max == 0 || shown < max); shown++)
			fprintf(out, "%s  frame %" PRIu64 ": %s\n", indent, res->frames[shown],
				finding_info(res->codes[shown])->code);
		break;
	}
	if (shown < total)
		fprintf(out, "%s... and %zu more\n", indent, total - shown);
}

void output_check_explain_script(FILE *out, const struct check_file *cf, const char *indent)
{
	const struct script_result *r = &cf->script;
	if (r->line == 0) {
		fprintf(out, "%s%s\n", indent, r->message);
		return;
	}
	if (r->frame)
		fprintf(out, "%sframe %" PRIu64 ", flow %u: %s\n", indent, r->frame, cf->script_flow_id, r->message);
	else
		fprintf(out, "%sflow %u: %s\n", indent, cf->script_flow_id, r->message);
	fprintf(out, "%s  expected: %s\n", indent, r->expected);
	if (r->actual[0])
		fprintf(out, "%s  actual:   %s\n", indent, r->actual);
}

/* ---- Text --------------------------------------------------------------- */

static void text_ok(FILE *out, const struct check_file *cf, const struct check_config *cfg)
{
	text_safe_write(out, cf->report.source);
	fprintf(out, ": ok (%zu flow%s, %zu finding%s", cf->report.nflows, cf->report.nflows == 1 ? "" : "s",
		cf->report.nfindings, cf->report.nfindings == 1 ? "" : "s");
	if (cfg->expect)
		fprintf(out, ", %zu expectation%s hold", cf->nresults, cf->nresults == 1 ? "" : "s");
	const struct packetdrill_script *pd = cf->has_script ? cfg->script->packetdrill : NULL;
	if (pd && pd->npackets == 0)
		fputs(", packetdrill script expects no packets", out);
	else if (pd)
		fprintf(out, ", packetdrill script matches %zu flow%s", cf->script_flows,
			cf->script_flows == 1 ? "" : "s");
	else if (cf->has_script)
		fprintf(out, ", script matches flow %u", cf->script_flow_id);
	fputs(")\n", out);
}

static void text_file(FILE *out, const struct check_file *cf, const struct check_config *cfg)
{
	if (cf->error) {
		fputs("error: ", out);
		text_safe_write(out, cf->error); /* the message names the file */
		fputc('\n', out);
		return;
	}
	if (cf->pass) {
		text_ok(out, cf, cfg);
		return;
	}
	text_safe_write(out, cf->report.source);
	fputs(": FAIL\n", out);
	if (cf->ndenied) {
		fprintf(out, "  %zu finding%s fail%s the policy (fail on %s%s):\n", cf->ndenied,
			cf->ndenied == 1 ? "" : "s", cf->ndenied == 1 ? "s" : "", severity_name(cfg->policy.fail_on),
			cfg->policy.nallow || cfg->policy.ndeny ? ", with --allow/--deny" : "");
		size_t i = 0;
		struct report_reader rd;
		const struct finding *f;
		report_read_findings(&cf->report, &rd);
		for (; i < OUTPUT_CHECK_LIST_MAX && (f = check_next_denied(&cfg->policy, &rd)); i++)
			output_check_explain_finding(out, f, "    ");
		report_reader_close(&rd);
		if (i < cf->ndenied)
			fprintf(out, "    ... and %zu more\n", cf->ndenied - i);
	}
	for (size_t i = 0; i < cf->nresults; i++) {
		const struct expect_result *res = &cf->results[i];
		if (res->pass)
			continue;
		fputs("  ", out);
		text_safe_write(out, cfg->expect->name);
		fprintf(out, ":%u: ", res->e->line);
		text_safe_write(out, res->e->text);
		fputc('\n', out);
		output_check_explain_expectation(out, res, "    ", OUTPUT_CHECK_LIST_MAX);
	}
	if (cf->has_script && !cf->script.pass) {
		fputs("  ", out);
		text_safe_write(out, cfg->script->name);
		if (cf->script.line)
			fprintf(out, ":%u: the %s differs from the script\n", cf->script.line,
				cfg->script->packetdrill ? "trace" : "flow");
		else
			fputs(": the script was not run\n", out);
		output_check_explain_script(out, cf, "    ");
	}
}

void output_check_text(FILE *out, const struct check_file *files, size_t n, const struct check_config *cfg)
{
	size_t failed = 0, errors = 0;
	for (size_t i = 0; i < n; i++) {
		text_file(out, &files[i], cfg);
		errors += files[i].error != NULL;
		failed += !files[i].error && !files[i].pass;
	}
	if (n > 1)
		fprintf(out, "%zu files: %zu passed, %zu failed, %zu could not be read\n", n, n - failed - errors,
			failed, errors);
}

/* ---- JSON --------------------------------------------------------------- */

static const char *file_result(const struct check_file *cf)
{
	return cf->error ? "error" : cf->pass ? "pass" : "fail";
}

static void json_patterns(FILE *out, char *const *patterns, size_t n)
{
	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", out);
		output_json_string(out, patterns[i]);
	}
	fputc(']', out);
}

/* An expectation's value as JSON: seconds for times, strings for words and addresses. */
static void json_expect_value(FILE *out, const struct expect_value *v)
{
	char buf[64];
	if (v->null) {
		fputs("null", out);
		return;
	}
	switch (v->type) {
	case EXPECT_T_TIME:
		output_json_seconds(out, v->num, true);
		break;
	case EXPECT_T_WORD:
		output_json_string(out, v->word);
		break;
	case EXPECT_T_ADDR:
		expect_value_format(buf, sizeof buf, v);
		output_json_string(out, buf);
		break;
	default:
		expect_value_format(buf, sizeof buf, v);
		fputs(buf, out);
		break;
	}
}

static void json_expectation(FILE *out, const struct expect_result *res, const struct check_config *cfg)
{
	const struct expect *e = res->e;
	fputs("{\"file\": ", out);
	output_json_string(out, cfg->expect->name);
	fprintf(out, ", \"line\": %u, \"text\": ", e->line);
	output_json_string(out, e->text);
	fprintf(out, ", \"result\": \"%s\", \"summary\": ", res->pass ? "pass" : "fail");
	output_json_string(out, res->summary);
	if (e->form == EXPECT_FRAME)
		fprintf(out, ", \"frame\": %" PRIu64, e->frame);
	if (e->form == EXPECT_FLOW || e->form == EXPECT_FRAME) {
		fprintf(out, ", \"selected\": %zu, \"failures\": [", res->selected);
		for (size_t i = 0; i < res->nfailures; i++) {
			const struct expect_failure *f = &res->failures[i];
			fprintf(out, "%s{\"flow\": %u, \"frame\": %" PRIu64 ", \"endpoints\": ", i ? ", " : "", f->flow,
				f->frame);
			output_json_string(out, f->endpoints);
			fputs(", \"field\": ", out);
			output_json_string(out, expect_field_path(e->field));
			fputs(", \"actual\": ", out);
			json_expect_value(out, &f->actual);
			fputc('}', out);
		}
		fputc(']', out);
	} else if (e->form == EXPECT_FINDINGS) {
		fprintf(out, ", \"count\": %zu, \"matches\": [", res->nframes);
		for (size_t i = 0; i < res->nframes; i++)
			fprintf(out, "%s{\"frame\": %" PRIu64 ", \"code\": \"%s\"}", i ? ", " : "", res->frames[i],
				finding_info(res->codes[i])->code);
		fputc(']', out);
	} else {
		fprintf(out, ", \"count\": %zu, \"first_frames\": [", res->selected);
		for (size_t i = 0; i < res->nframes; i++)
			fprintf(out, "%s%" PRIu64, i ? ", " : "", res->frames[i]);
		fputc(']', out);
	}
	fputc('}', out);
}

static void json_script(FILE *out, const struct check_file *cf, const struct check_config *cfg)
{
	const struct script_result *r = &cf->script;
	fputs(",\n     \"script\": {\"file\": ", out);
	output_json_string(out, cfg->script->name);
	fputs(", \"flow_selector\": ", out);
	output_json_string(out, cfg->script_flow_text);
	fprintf(out, ", \"flows_selected\": %zu, \"flow\": ", cf->script_flows);
	if (cf->script_flow_id)
		fprintf(out, "%u", cf->script_flow_id);
	else
		fputs("null", out);
	fprintf(out, ", \"result\": \"%s\", \"lines_matched\": %zu", r->pass ? "pass" : "fail", r->matched);
	if (!r->pass) {
		fprintf(out, ", \"line\": %u, \"frame\": %" PRIu64 ", \"expected\": ", r->line, r->frame);
		output_json_string(out, r->expected);
		fputs(", \"actual\": ", out);
		output_json_string(out, r->actual);
		fputs(", \"message\": ", out);
		output_json_string(out, r->message);
	}
	fputc('}', out);
}

static void json_file(FILE *out, const struct check_file *cf, const struct check_config *cfg)
{
	const struct report *r = &cf->report;
	fputs("{\"source\": ", out);
	output_json_string(out, r->source);
	fprintf(out, ", \"result\": \"%s\", \"error\": ", file_result(cf));
	if (cf->error) {
		output_json_string(out, cf->error);
		fputc('}', out);
		return;
	}
	fprintf(out, "null, \"flows\": %zu, \"findings\": {\"error\": %u, \"warning\": %u, \"note\": %u},", r->nflows,
		r->severity_counts[SEV_ERROR], r->severity_counts[SEV_WARNING], r->severity_counts[SEV_NOTE]);
	fputs("\n     \"policy_failures\": [", out);
	struct report_reader rd;
	const struct finding *f;
	report_read_findings(r, &rd);
	for (size_t i = 0; (f = check_next_denied(&cfg->policy, &rd)); i++) {
		fputs(i ? ",\n       " : "\n       ", out);
		output_json_finding(out, f, r->nanosecond);
	}
	report_reader_close(&rd);
	fputs("],\n     \"expectations\": [", out);
	for (size_t i = 0; i < cf->nresults; i++) {
		fputs(i ? ",\n       " : "\n       ", out);
		json_expectation(out, &cf->results[i], cfg);
	}
	fputc(']', out);
	if (cf->has_script)
		json_script(out, cf, cfg);
	fputc('}', out);
}

void output_check_json(FILE *out, const struct check_file *files, size_t n, const struct check_config *cfg)
{
	const char *result = "pass";
	for (size_t i = 0; i < n; i++)
		if (files[i].error)
			result = "error";
		else if (!files[i].pass && strcmp(result, "pass") == 0)
			result = "fail";
	fprintf(out,
		"{\n  \"format\": %d,\n  \"tool\": \"tcpscope\",\n  \"version\": \"%s\",\n  \"command\": \"check\",\n",
		OUTPUT_FORMAT_VERSION, PACKAGE_VERSION);
	fprintf(out, "  \"result\": \"%s\",\n  \"policy\": {\"fail_on\": \"%s\", \"allow\": ", result,
		severity_name(cfg->policy.fail_on));
	json_patterns(out, cfg->policy.allow, cfg->policy.nallow);
	fputs(", \"deny\": ", out);
	json_patterns(out, cfg->policy.deny, cfg->policy.ndeny);
	fputs("},\n  \"expect\": ", out);
	if (cfg->expect)
		output_json_string(out, cfg->expect->name);
	else
		fputs("null", out);
	fputs(",\n  \"script\": ", out);
	if (cfg->script)
		output_json_string(out, cfg->script->name);
	else
		fputs("null", out);
	fputs(",\n  \"files\": [", out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		json_file(out, &files[i], cfg);
	}
	fputs(n ? "\n  ]\n}\n" : "]\n}\n", out);
}
