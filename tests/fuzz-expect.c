/*
 * fuzz-expect.c - fuzz target for the `--expect` language (src/expect.c):
 * each input is an expectation file. One that parses is evaluated, as
 * `tcpscope check --expect` would, against the report of a small recorded
 * capture (captures/close-by-client.pcap) and written in the text, JSON and
 * JUnit formats; the input is also tried as a lone flow selector and as a
 * finding pattern. Built as a libFuzzer target and as a replay program
 * (tests/fuzz-replay.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "expect.h"
#include "fuzz-target.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	char err[512];
	struct expect_selector sel;
	expect_selector_parse(text, &sel, err, sizeof err);
	expect_pattern_check(text, err, sizeof err);
	struct expect_set *set = expect_parse(text, "fuzz.expect", err, sizeof err);
	if (set) {
		struct check_config cfg;
		memset(&cfg, 0, sizeof cfg);
		check_policy_init(&cfg.policy);
		cfg.expect = set;
		fuzz_check_sample(&cfg);
		check_policy_free(&cfg.policy);
		expect_set_free(set);
	}
	free(text);
	return 0;
}
