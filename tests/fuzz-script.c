/*
 * fuzz-script.c - fuzz target for the packetdrill-style `--script` notation
 * (src/script.c): each input is a script. One that parses is matched, as
 * `tcpscope check --script` would, against the one flow of a small recorded
 * capture (captures/close-by-client.pcap), so inputs that match some lines
 * reach the comparisons of every field, and the verdict is written in the
 * text, JSON and JUnit formats. Built as a libFuzzer target and as a replay
 * program (tests/fuzz-replay.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fuzz-check.h"
#include "fuzz-target.h"
#include "script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	char err[512];
	struct script *s = script_parse(text, "fuzz.pkt", err, sizeof err);
	if (s) {
		struct check_config cfg;
		memset(&cfg, 0, sizeof cfg);
		check_policy_init(&cfg.policy);
		cfg.script = s;
		cfg.script_flow_text = "*";
		if (expect_selector_parse("*", &cfg.script_flow, err, sizeof err) != 0)
			abort();
		fuzz_check_sample(&cfg);
		check_policy_free(&cfg.policy);
		script_free(s);
	}
	free(text);
	return 0;
}
