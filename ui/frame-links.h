/*
 * frame-links.h - the frame numbers a finding's message names, as links the
 * findings view and the timeline's detail pane follow (Tab picks one, Enter
 * goes there). Messages name frames the way the engine writes them: "frame
 * 21", "from frame 28 to frame 34", "frames 8-10" (both ends are links).
 * Plain text in, positions out: no model, no curses.
 */
#ifndef TCPSCOPE_UI_FRAME_LINKS_H
#define TCPSCOPE_UI_FRAME_LINKS_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_LINKS_MAX 16

/* A frame named in a text: the digits are text[at, at + len). */
struct frame_link {
	uint64_t frame;
	size_t at, len;
};

/* Finds the frames text names, in the order they appear, at most max; returns how many. */
size_t frame_links_find(const char *text, struct frame_link *links, size_t max);

#endif
