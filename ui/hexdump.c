/*
 * hexdump.c - formats lines of a hex dump (hexdump.h). The offset takes four
 * hex digits, or more for a frame past 64 KiB; the hex columns keep their
 * width on a short last line, so the ASCII column stays aligned.
 */
#include "config.h"

#include <stdio.h>

#include "hexdump.h"

size_t hexdump_lines(size_t n)
{
	return (n + HEXDUMP_PER_LINE - 1) / HEXDUMP_PER_LINE;
}

void hexdump_line(char *buf, const uint8_t *data, size_t n, size_t line)
{
	size_t start = line * HEXDUMP_PER_LINE;
	buf[0] = '\0';
	if (start >= n)
		return;
	size_t len = (size_t)snprintf(buf, HEXDUMP_LINE_MAX, "%04zx  ", start);
	for (size_t i = 0; i < HEXDUMP_PER_LINE; i++) {
		const char *gap = i == HEXDUMP_PER_LINE / 2 ? " " : "";
		if (start + i < n)
			len += (size_t)snprintf(buf + len, HEXDUMP_LINE_MAX - len, "%s%02x ", gap, data[start + i]);
		else
			len += (size_t)snprintf(buf + len, HEXDUMP_LINE_MAX - len, "%s   ", gap);
	}
	buf[len++] = ' ';
	for (size_t i = 0; i < HEXDUMP_PER_LINE && start + i < n && len + 1 < HEXDUMP_LINE_MAX; i++) {
		uint8_t b = data[start + i];
		buf[len++] = b >= 0x20 && b < 0x7f ? (char)b : '.';
	}
	buf[len] = '\0';
}
