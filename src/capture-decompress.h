/*
 * capture-decompress.h - compressed capture files (gzip, zstd) read as the
 * stream of their decompressed bytes, for capture-file.c.
 *
 * A file is recognised by its first bytes, never by its name: gzip's
 * 1f 8b (RFC 1952 §2.3.1) and zstd's frame magic 28 b5 2f fd (RFC 8878
 * §3.1.1). decompress_open() hands back a stdio stream whose reads inflate
 * the file on the fly into the stream's buffer, from which the readers copy
 * as they do from a file: the decompressor holds two fixed buffers,
 * allocated once, and nothing is allocated per packet.
 * Several members (gzip) or frames (zstd) one after another read as one
 * stream, as gzip -d and zstd -d do.
 *
 * Seeking (the UI reads packets again by their offsets): within the bytes
 * last decompressed, or forward, it costs what it skips; backward it
 * decompresses again from the start, which needs an input that can seek
 * (a pipe cannot: the seek fails).
 *
 * Outcomes, asked for once the reader stops: the input ended inside the
 * compressed data (decompress_cut: a file cut short, whose every whole
 * packet was delivered), or the data is corrupt (decompress_failed), with a
 * one-line message either way. Which of zlib and libzstd are compiled in is
 * decided at configure time; a file in a format left out is refused at open
 * with a message that says so.
 *
 * Ownership: the stream owns the decompressor and the stream it reads
 * (stdin is never closed); closing the stream frees both. The decompressor
 * pointer that decompress_open() returns is borrowed until then.
 */
#ifndef TCPSCOPE_CAPTURE_DECOMPRESS_H
#define TCPSCOPE_CAPTURE_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum decompress_format {
	DECOMPRESS_NONE,
	DECOMPRESS_GZIP,
	DECOMPRESS_ZSTD,
};

struct decompress;

/* The compression of a file that starts with these n bytes, by its magic number. */
enum decompress_format decompress_detect(const uint8_t *head, size_t n);
/* "gzip", "zstd". */
const char *decompress_format_name(enum decompress_format format);

/*
 * A stream of the decompressed bytes of src, positioned at the start of the
 * compressed data (at offset start when src can seek, else start < 0).
 * Takes ownership of src, even on failure. Returns NULL with a message in
 * err when this build has no library for the format.
 */
FILE *decompress_open(FILE *src, off_t start, enum decompress_format format, struct decompress **out, char *err,
		      size_t errlen);
/* The input ended inside the compressed data: what was read up to there was delivered. */
bool decompress_cut(const struct decompress *d);
/* The compressed data is corrupt (or the input failed): reading stopped there. */
bool decompress_failed(const struct decompress *d);
/* What decompress_cut() or decompress_failed() found, in one line. */
const char *decompress_message(const struct decompress *d);
/* Compressed bytes consumed so far: progress against the file's size. */
uint64_t decompress_consumed(const struct decompress *d);

#endif
