/*
 * output-check.h - the three formats of `tcpscope check` (SPEC §11,
 * docs/ci.md): text for people, JSON with the same facts as data, and JUnit
 * XML for CI test reporters. Each writes the verdicts on every file of one
 * run; they read check_file records and the config, nothing else.
 *
 * The text lines that explain a failure (which flow, which frame, expected,
 * actual) are written by output_check_explain_*() and shared: the text
 * format prints them, JUnit puts them in the body of <failure>.
 */
#ifndef TCPSCOPE_OUTPUT_CHECK_H
#define TCPSCOPE_OUTPUT_CHECK_H

#include <stdio.h>

#include "check.h"

#define OUTPUT_CHECK_LIST_MAX 10 /* failing flows or frames listed per expectation in text */

void output_check_text(FILE *out, const struct check_file *files, size_t n, const struct check_config *cfg);
void output_check_json(FILE *out, const struct check_file *files, size_t n, const struct check_config *cfg);
void output_check_junit(FILE *out, const struct check_file *files, size_t n, const struct check_config *cfg);

/*
 * "flow 2 (frame 15, 10.0.0.1:40000 > 10.0.0.2:80): irtt is 1.2s" lines, or
 * "frame 3 (flow 1, ...): state.server is SYN-SENT, expected == ESTABLISHED",
 * indented; at most max (0: all).
 */
void output_check_explain_expectation(FILE *out, const struct expect_result *res, const char *indent, size_t max);
/* The script failure: "frame 7, flow 1: MESSAGE" then the expected and actual lines. */
void output_check_explain_script(FILE *out, const struct check_file *cf, const char *indent);
/* One denied finding: "frame 7, flow 1: error CODE: MESSAGE". */
void output_check_explain_finding(FILE *out, const struct finding *f, const char *indent);

#endif
