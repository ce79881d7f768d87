/*
 * fuzz-check.h - what the fuzz targets of the `check` languages share
 * (tests/fuzz-expect.c, tests/fuzz-script.c): the input as a C string, and
 * one run of `tcpscope check` over a small recorded capture.
 */
#ifndef TCPSCOPE_FUZZ_CHECK_H
#define TCPSCOPE_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"

/* A NUL-terminated copy of the input (free() it); a NUL inside ends the text early, as in a file read by C. */
char *fuzz_text(const uint8_t *data, size_t size);
/*
 * Checks captures/close-by-client.pcap with cfg (its expectations, script
 * and policy) and writes the verdict in the text, JSON and JUnit formats to
 * /dev/null.
 */
void fuzz_check_sample(const struct check_config *cfg);

#endif
