/*
 * capture-save.h - writes captured records to a file (`-w FILE`, SPEC §10):
 * pcap through libpcap's dumper, or pcapng when the name ends in ".pcapng"
 * (libpcap 1.10 cannot write pcapng, so this module writes its three block
 * types itself: section header, interface description, enhanced packet).
 * Timestamps are written with microsecond resolution, as tcpdump does, or
 * with nanoseconds when asked (a copy of a nanosecond capture: `extract`).
 *
 * Each write returns the offset where the record starts, so a reader can
 * come back to it with capture_seek() after capture_save_flush().
 */
#ifndef TCPSCOPE_CAPTURE_SAVE_H
#define TCPSCOPE_CAPTURE_SAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

struct capture_save;

/*
 * Creates (or truncates) path. device names the interface in a pcapng file;
 * nanosecond keeps timestamps to the nanosecond. Returns NULL with err on failure.
 */
struct capture_save *capture_save_open(const char *path, int linktype, int snaplen, const char *device, bool nanosecond,
				       char *err, size_t errlen);
/* Appends a record; sets *offset (if not NULL) to where it starts. Returns -1 on a write error. */
int capture_save_write(struct capture_save *s, const struct capture_record *rec, uint64_t *offset);
/* Pushes buffered records to the file. Returns -1 on a write error. */
int capture_save_flush(struct capture_save *s);
/* Changes the file's owner (after -Z the file belongs to that user, as tcpdump's does). */
int capture_save_chown(struct capture_save *s, unsigned uid, unsigned gid);
/* Closes the file. Returns -1 with err if anything failed to reach it. */
int capture_save_close(struct capture_save *s, char *err, size_t errlen);

#endif
