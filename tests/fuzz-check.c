/*
 * fuzz-check.c - the helpers of tests/fuzz-check.h: the input as text and a
 * `check` run over a recorded capture, shared by the --expect and --script
 * fuzz targets.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fuzz-check.h"
#include "output-check.h"

#ifndef CAPTURES_DIR
#error "CAPTURES_DIR must name the captures/ folder"
#endif

char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

void fuzz_check_sample(const struct check_config *cfg)
{
	struct engine_config ecfg;
	engine_config_default(&ecfg);
	struct check_file cf;
	if (check_run_file(&cf, CAPTURES_DIR "/close-by-client.pcap", NULL, &ecfg, cfg) != 0) {
		fprintf(stderr, "fuzz: %s\n", cf.error);
		abort();
	}
	FILE *out = fopen("/dev/null", "w");
	if (!out)
		abort();
	output_check_text(out, &cf, 1, cfg);
	output_check_json(out, &cf, 1, cfg);
	output_check_junit(out, &cf, 1, cfg);
	fclose(out);
	check_file_free(&cf);
}
