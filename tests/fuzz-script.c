/*
 * fuzz-script.c - fuzz target for `--script` in both notations (src/script.c
 * and src/packetdrill-*.c): each input is a script. One that parses is matched, as
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
	struct script *s = script_load(text, "fuzz.pkt", false, err, sizeof err);
	if (s) {
		struct check_config cfg;
		memset(&cfg, 0, sizeof cfg);
		check_policy_init(&cfg.policy);
		cfg.script = s;
		if (s->packetdrill && packetdrill_config_check(s->packetdrill, &cfg.packetdrill, err, sizeof err) != 0)
			cfg.packetdrill.sut_role = PD_ROLE_CLIENT; /* the capture's client, as --sut client */
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
