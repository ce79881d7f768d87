/*
 * fuzz-pipeline.c - fuzz target for the whole batch pipeline: libpcap's file
 * reader, every decoder, the flow table, the labels, the TCP engine and the
 * JSON writers, fed one capture file per input.
 *
 * Built two ways: with --enable-fuzzing as a libFuzzer target (clang
 * -fsanitize=fuzzer), and always as a plain program whose main() replays
 * the files named on its command line through the same entry point, so that
 * `make check` replays the crashers and the malformed corpus (tests/robustness.sh),
 * under ASan+UBSan in the sanitizer build.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "capture.h"
#include "output.h"
#include "report.h"

static void write_packet(void *ctx, const struct packet_view *v)
{
	output_json_packet(ctx, v, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
		cfg.verify_checksums = size & 1; /* exercise both paths */
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

#ifndef TCPSCOPE_LIBFUZZER
/* Replays each file given as an argument; any crash or sanitizer report fails. */
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 2;
		}
		static uint8_t buf[64 << 20];
		size_t n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("replayed %d inputs\n", argc - 1);
	return 0;
}
#endif
