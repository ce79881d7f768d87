/*
 * capture-pcapng.h - our own pcapng reader, the engine behind capture-file.c
 * for pcapng input.
 *
 * libpcap 1.10 refuses a pcapng file whose interfaces differ in link type or
 * snapshot length, which is exactly what a multi-interface capture looks
 * like (SPEC §3). This reader keeps one record per interface (link type,
 * snapshot length, if_tsresol, if_tsoffset), so each packet carries the link
 * type of its own interface and a timestamp in nanoseconds, and a BPF filter
 * is compiled once per link type. It reads Section Header Blocks in either
 * byte order (several sections per file), Interface Description Blocks,
 * Enhanced, Simple and obsolete Packet Blocks, and skips every other block
 * by its length.
 *
 * Ownership: the reader owns the stream it is given (stdin is never closed)
 * and one block buffer, grown as needed up to PCAPNG_MAX_BLOCK and reused for
 * every block. A record's data points into that buffer: it is borrowed until
 * the next call. Errors are written into the caller's buffer.
 */
#ifndef TCPSCOPE_CAPTURE_PCAPNG_H
#define TCPSCOPE_CAPTURE_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"

#define PCAPNG_MAX_BLOCK (256u << 20) /* larger blocks are refused, not allocated */

struct pcapng;

/* True if these first four bytes of a file are a pcapng Section Header Block type. */
bool pcapng_is_magic(const uint8_t *head, size_t n);

/*
 * Opens a pcapng stream positioned at its first byte, reading the section
 * header and the interfaces declared before the first packet. filter may be
 * NULL or "". Takes ownership of fp even on failure. Returns NULL with a
 * message in err (without the file name) if the file is not valid pcapng, no
 * declared interface has a link type we decode, or the filter compiles for
 * none of their link types (one that cannot apply to some link type, such as
 * "vlan" on Linux cooked, just matches none of that type's packets).
 */
struct pcapng *pcapng_open(FILE *fp, const char *filter, char *err, size_t errlen);

/*
 * Reads the next packet into rec (every field but frame). *wanted says
 * whether the filter accepts it; the caller still counts it as a frame.
 * On CAPTURE_TRUNCATED or CAPTURE_ERROR, err says why.
 */
enum capture_status pcapng_next(struct pcapng *ng, struct capture_record *rec, bool *wanted, char *err, size_t errlen);

/* The link type of the first interface, or -1 if none is declared yet. */
int pcapng_linktype(const struct pcapng *ng);
/* Distinct link types declared so far, in order of appearance: up to max into out; returns how many exist. */
size_t pcapng_linktypes(const struct pcapng *ng, int *out, size_t max);
/* Bytes read so far: the start of the next block capture_next() will return from. */
uint64_t pcapng_offset(const struct pcapng *ng);
/*
 * Moves to a block start that pcapng_next() reported in rec->offset. Going
 * forward past what was read, the blocks in between are scanned for section
 * and interface headers. Returns -1 with a message in err if the stream
 * cannot seek or the offset is not a block of this file.
 */
int pcapng_seek(struct pcapng *ng, uint64_t offset, char *err, size_t errlen);
void pcapng_close(struct pcapng *ng);

#endif
