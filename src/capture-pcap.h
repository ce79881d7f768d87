/*
 * capture-pcap.h - our own reader of classic pcap files, the engine behind
 * capture-file.c for ordinary pcap input (SPEC §12: libpcap's two fread()s
 * and a copy per record were a sixth of the report's time).
 *
 * It takes only what it can read exactly as libpcap 1.10 does: the two
 * standard magics (microseconds, nanoseconds) in either byte order, version
 * 2.4, and a link type we decode whose packets libpcap passes through
 * unchanged. pcapfile_takes() decides from the 24-byte file header; anything
 * else (other versions, modified/Kuznetzov/AIX magics, link types with
 * pseudo-headers libpcap byte-swaps) stays with libpcap. Records, their
 * timestamps, snapshot-length clamping and the wording of "truncated" and
 * "invalid" errors are libpcap's, so every output is the same either way.
 *
 * The prefix is pcapfile_ because libpcap owns pcap_.
 *
 * Ownership: the reader owns the stream it is given (stdin is never closed)
 * and a 1 MiB buffer that read() fills, or a mapping of the file
 * (pcapfile_map); a record's data points into either and is borrowed until
 * the next call. Errors go into the caller's
 * buffer.
 */
#ifndef TCPSCOPE_CAPTURE_PCAP_H
#define TCPSCOPE_CAPTURE_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"

#define PCAPFILE_HEADER 24 /* bytes of the file header */

struct pcapfile;

/* True if this reader takes a file starting with these n bytes (at least the whole file header). */
bool pcapfile_takes(const uint8_t *head, size_t n);

/*
 * Starts reading records from fp, whose file header (head, already checked
 * by pcapfile_takes()) has been consumed: fp is positioned just after it.
 * A stream with a descriptor is then read with read() on it, bypassing the
 * stream's buffer, so that buffer must hold nothing unread: it is empty
 * after a seek, and an unbuffered stream never fills it. Takes ownership of fp.
 */
struct pcapfile *pcapfile_open(FILE *fp, const uint8_t *head);

/*
 * Reads the next record into rec (every field but frame). On
 * CAPTURE_TRUNCATED or CAPTURE_ERROR, err says why in libpcap's words.
 */
enum capture_status pcapfile_next(struct pcapfile *pf, struct capture_record *rec, char *err, size_t errlen);

/*
 * Calls fn for records spread over a regular pcap file open as fd (head:
 * its file header, size: its length): in each of `windows` stretches at
 * even distances, the first up to per_window records from where a chain of
 * plausible record headers starts. Records are found by their look, not by
 * reading from the start, so a rare one may be a guess: for estimates only
 * (report-balance.c). Does nothing if head is not one pcapfile_takes().
 */
void pcapfile_sample(int fd, const uint8_t *head, uint64_t size, unsigned windows, unsigned per_window,
		     capture_sample_fn fn, void *ctx);
/* The file's link type (a DLT_ value). */
int pcapfile_linktype(const struct pcapfile *pf);
/* Where the next record starts in the file. */
uint64_t pcapfile_offset(const struct pcapfile *pf);
/*
 * The rest is read straight through: a regular file is then read from a
 * memory mapping (capture-map.h), not copied by read(). Other input is unchanged.
 */
void pcapfile_map(struct pcapfile *pf);
/* Moves to a record start that pcapfile_next() reported. Returns -1 if the input cannot seek. */
int pcapfile_seek(struct pcapfile *pf, uint64_t offset, char *err, size_t errlen);
void pcapfile_close(struct pcapfile *pf);

#endif
