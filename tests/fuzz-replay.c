/*
 * fuzz-replay.c - the replay driver linked with each fuzz target when it is
 * built without libFuzzer: runs every file named on the command line through
 * the target's LLVMFuzzerTestOneInput(). `make check` uses it to replay the
 * regression inputs in tests/fuzz-crashers/ (tests/robustness.sh), under
 * ASan+UBSan in the sanitizer build. Each input sits in a buffer of exactly
 * its size, so a read one byte past the input is caught as it would be under
 * libFuzzer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz-target.h"

/* Reads a whole file into a fresh allocation of its exact size; exits 2 on failure. */
static uint8_t *read_input(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0) {
		perror(path);
		exit(2);
	}
	long len = ftell(f);
	rewind(f);
	uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
	if (len < 0 || !buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		perror(path);
		exit(2);
	}
	fclose(f);
	*size = (size_t)len;
	return buf;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		size_t size;
		uint8_t *data = read_input(argv[i], &size);
		LLVMFuzzerTestOneInput(data, size);
		free(data);
	}
	printf("replayed %d inputs\n", argc - 1);
	return 0;
}
