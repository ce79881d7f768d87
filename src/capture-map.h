/*
 * capture-map.h - a read-only memory mapping of a capture file that survives
 * the file being cut short while it is mapped.
 *
 * Reading a mapped file costs no copy (read() copying the file was the
 * largest single cost of a batch report, paid once per thread of a split
 * report). The danger of a mapping is a file truncated by another process:
 * touching a page past its new end raises SIGBUS, which kills a process. A
 * SIGBUS handler, which the program installs at start with
 * file_map_guard_sigbus() (signals are the program's; this library installs
 * nothing by itself, and maps nothing until then), puts zero pages in place of
 * the rest of the mapping and marks it cut, so the reader, which checks
 * file_map_cut() for every record, ends with a one-line error instead. What
 * is lost is at most the partial page before the new end, which reads as
 * zeros (the same race with read() loses nothing more, nor less, than the
 * bytes that are gone). A SIGBUS at an address of no mapping here gets the
 * handler that was there before (the default: the process ends).
 *
 * The reader hands back pages it is done with (file_map_release), so that a
 * mapped file does not count in the process's resident memory beyond a few
 * megabytes: the page cache keeps them, not the process.
 */
#ifndef TCPSCOPE_CAPTURE_MAP_H
#define TCPSCOPE_CAPTURE_MAP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct file_map;

/* Installs the SIGBUS handler that makes mappings safe; once, before any file_map_open() (a second call does nothing).
 */
void file_map_guard_sigbus(void);

/* Maps the whole of a regular file open on fd, of size bytes; NULL if it cannot (then read() it). */
struct file_map *file_map_open(int fd, uint64_t size);
const uint8_t *file_map_data(const struct file_map *m);
/*
 * Set once the file was found cut short: the mapping now reads zeros past
 * the page of the cut. A flag to read for every record, without a call.
 */
const volatile sig_atomic_t *file_map_cut_flag(const struct file_map *m);
/*
 * Gives back the pages wholly before offset `done` (read again, they come
 * back from the page cache). Returns the offset worth calling it at next.
 */
size_t file_map_release(struct file_map *m, size_t done);
void file_map_close(struct file_map *m);

#endif
