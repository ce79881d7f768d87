/*
 * capture-extract.h - copies chosen frames of a capture file into a new
 * one, unchanged: the same bytes, lengths and timestamps (to the
 * nanosecond when the input has them), in pcap or pcapng by the output's
 * extension (capture-save.h). This is how a flow goes to Wireshark: `w` in
 * the UI and `tcpscope extract`.
 *
 * The input is one file or the parts of one capture (capture_open_join),
 * whose frames are numbered in merged order as the report numbers them.
 * The frames are given by number, ascending; with their record offsets
 * (the UI's model knows them) each is read by seeking to it, without them
 * the input is read through once. Frames of one output share a link type:
 * a pcapng whose chosen frames come from interfaces of different link types
 * is refused.
 */
#ifndef TCPSCOPE_CAPTURE_EXTRACT_H
#define TCPSCOPE_CAPTURE_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes frames[0 .. n) of the capture in_paths[0 .. nparts) (ascending
 * frame numbers, from 1; offsets, capture_offset()'s, may be NULL) to
 * out_path; *written counts the frames written. Returns -1 with err if the
 * input cannot be read, a frame is missing, or the output cannot be written
 * (out_path then holds what was written before).
 */
int capture_extract(const char *const *in_paths, size_t nparts, const uint64_t *frames, const uint64_t *offsets,
		    size_t n, const char *out_path, uint64_t *written, char *err, size_t errlen);

#endif
