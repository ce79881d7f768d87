/*
 * capture.h - the capture source: where packets come from.
 *
 * A capture reads a file (pcap or pcapng, "-" for standard input) with an
 * optional BPF filter. capture_next() yields records in file order; frame
 * numbers count every record, including those the filter rejects, so they
 * match tshark's frame.number. Ordinary pcap files are read by our own reader
 * (capture-pcap.h), pcapng files by another (capture-pcapng.h), which gives
 * each record the link type of its interface, and any other pcap variant by
 * libpcap. A gzip or zstd file (known by its magic number, not its name) is
 * read through the stream of its decompressed bytes (capture-decompress.h),
 * then as above. Several files may be read as the parts of one capture,
 * merged by timestamp (capture_open_join, capture-join.c). The record's data
 * pointer is borrowed from the reader (libpcap's or ours) and valid until
 * the next call. Errors are reported in a caller-supplied buffer (STYLE.md
 * principle 12); nothing here prints.
 */
#ifndef TCPSCOPE_CAPTURE_H
#define TCPSCOPE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture-linktype.h" /* a capture's readers name its link types with it */

#define CAPTURE_ERRBUF_SIZE 512
#define CAPTURE_MAX_LINKTYPES 256 /* distinct link types of one file (pcapng allows no more) */

struct capture_record {
	uint64_t frame;
	uint64_t offset; /* where the record starts in the file: capture_seek() returns to it */
	int64_t time_ns;
	uint32_t caplen, wirelen;
	int linktype;
	const uint8_t *data;
};

enum capture_status {
	CAPTURE_PACKET,	   /* rec holds the next packet */
	CAPTURE_END,	   /* end of input */
	CAPTURE_TRUNCATED, /* the file ends inside a record: everything before it was read */
	CAPTURE_ERROR,	   /* reading failed: capture_error() says why */
};

struct capture;

/* Opens a file ("-" = stdin). Returns NULL and fills err on failure. */
struct capture *capture_open_file(const char *path, const char *filter, char *err, size_t errlen);
/* Reads from an open stream (the capture takes ownership of fp); name is used in messages. */
struct capture *capture_open_stream(FILE *fp, const char *name, const char *filter, char *err, size_t errlen);
/*
 * Opens n files as the parts of one capture, in any order (capture-join.c):
 * records merged by timestamp, frames numbered across the parts. Returns
 * NULL and fills err ("part: why") if a part cannot be opened.
 */
struct capture *capture_open_join(const char *const *paths, size_t n, const char *filter, char *err, size_t errlen);
/* How many files the capture reads (1 but for a join), and the name of each, in merged order (a join's only). */
size_t capture_parts(const struct capture *cap);
const char *capture_part_name(const struct capture *cap, size_t i);
/* A join's name for people: its parts' names in merged order, "a + b + ..." (the caller frees it). */
char *capture_title(const struct capture *cap);
enum capture_status capture_next(struct capture *cap, struct capture_record *rec);
const char *capture_error(const struct capture *cap);
/* The link type of the file (pcapng: of its first interface; -1 if none yet). */
int capture_linktype(const struct capture *cap);
/*
 * Every distinct link type declared so far (pcapng interfaces may differ),
 * in order of appearance: writes up to max into out, returns how many there are.
 */
size_t capture_linktypes(const struct capture *cap, int *out, size_t max);
/* True if the file stores nanosecond timestamps (print 9 decimals). */
bool capture_nanosecond(const struct capture *cap);
/* Reads a file's magic number: true for a nanosecond pcap. */
bool capture_file_is_nanosecond(const char *path);
/*
 * The caller reads straight through to the end from now on, never seeking
 * back nor asking where it is (the batch commands): records may carry offset
 * 0, since on libpcap's input finding each record's offset costs an ftell()
 * (our own readers know theirs for free), and ordinary pcap in a regular
 * file is read from a memory mapping instead of copied (capture-pcap.h).
 */
void capture_read_through(struct capture *cap);
/* Where the next record starts: an offset of the (decompressed) data, as capture_seek() takes. */
uint64_t capture_offset(const struct capture *cap);
/*
 * Bytes of the file (of every part of a join) read so far, compressed ones
 * for a compressed file, and its total size (0 if unknown): the progress.
 */
uint64_t capture_read_bytes(const struct capture *cap);
uint64_t capture_size(const struct capture *cap);
/*
 * Calls fn for some records spread over the file at path, about windows *
 * per_window of them, without reading it all: an estimate of where its
 * packets go (report-balance.c). Classic pcap only; other input gets no calls.
 */
typedef void (*capture_sample_fn)(void *ctx, int linktype, const uint8_t *data, uint32_t caplen);
void capture_sample_file(const char *path, unsigned windows, unsigned per_window, capture_sample_fn fn, void *ctx);
/*
 * Moves a file capture back (or on) to a record start that capture_next()
 * reported in rec->offset; the next record read gets frame number `frame`.
 * This is how the UI re-reads packet details on demand instead of keeping
 * them. Returns -1 with a message in capture_error() if the input cannot seek.
 */
int capture_seek(struct capture *cap, uint64_t offset, uint64_t frame);
void capture_close(struct capture *cap);

#endif
