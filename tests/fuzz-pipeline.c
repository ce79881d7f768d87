/*
 * fuzz-pipeline.c - fuzz target for the whole batch pipeline, fed one capture
 * file per input: the file sniffing, our pcap and pcapng readers (libpcap's
 * for other variants), every decoder, the flow table, the labels, the TCP
 * engine and the JSON and text writers, under engine limits (--max-flows,
 * idle timeout, a short MSL) that the input's size picks.
 *
 * Built two ways: with --enable-fuzzing as a libFuzzer target, and always
 * with tests/fuzz-replay.c as a plain program that `make check` uses to
 * replay the crashers and the malformed corpus (tests/robustness.sh).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "capture.h"
#include "fuzz-target.h"
#include "output.h"
#include "report.h"

static void write_packet(void *ctx, const struct packet_view *v)
{
	output_json_packet(ctx, v, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	FILE *in = fmemopen((void *)(uintptr_t)data, size, "rb");
	FILE *out = fopen("/dev/null", "w");
	if (!in || !out)
		abort();
	char err[CAPTURE_ERRBUF_SIZE];
	struct capture *cap = capture_open_stream(in, "fuzz", NULL, err, sizeof err);
	if (cap) {
		struct engine_config cfg;
		engine_config_default(&cfg);
		/* The low bits of the size also choose the engine's limits, so that the
		 * eviction and end-of-TIME-WAIT paths run on any capture, not only on long ones. */
		cfg.verify_checksums = size & 1;
		if (size & 2)
			cfg.max_flows = 3;
		if (size & 4)
			cfg.idle_timeout_ns = 1000000000;
		if (size & 8)
			cfg.msl_ns = 1000000;
		struct engine_sink extra = {.ctx = out, .packet = write_packet};
		struct report r;
		report_init(&r, "fuzz");
		report_run_capture(&r, cap, &cfg, &extra, err, sizeof err);
		output_json_report(out, &r);
		output_text_report(out, &r);
		report_free(&r);
	}
	fclose(out);
	return 0;
}
