/*
 * fuzz-target.h - the one entry point every fuzz target (tests/fuzz-*.c)
 * defines. libFuzzer calls it with each generated input; without libFuzzer,
 * tests/fuzz-replay.c calls it with each file named on the command line.
 */
#ifndef TCPSCOPE_FUZZ_TARGET_H
#define TCPSCOPE_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

/* Runs one input; returns 0 (libFuzzer's convention). A bug crashes or trips a sanitizer. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
