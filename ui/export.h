/*
 * export.h - takes flows of the UI's model out to Wireshark: `w` (the
 * selected flow) and `W` (every flow the filter shows) write their frames,
 * unchanged, to a pcap or pcapng named at a prompt (src/capture-extract.h).
 * The model knows each packet's frame and record offset, so the frames are
 * read by seeking to them, not by reading the capture again.
 */
#ifndef TCPSCOPE_UI_EXPORT_H
#define TCPSCOPE_UI_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "ui.h"

/*
 * Writes the frames of flows ids[0 .. n) in the model, in frame order, to
 * path; *written counts them. -1 with err (a live capture, a read or write error).
 */
int export_flows(struct model *m, const uint32_t *ids, size_t n, const char *path, uint64_t *written, char *err,
		 size_t errlen);
/* Opens the prompt that asks where to write flows ids[0 .. n) (copied); what names them in the prompt. */
void export_prompt(struct ui *ui, struct view *owner, const uint32_t *ids, size_t n, const char *what);

#endif
