/*
 * hexdump.h - a packet's bytes as text, sixteen to a line, as Wireshark's
 * bytes pane and `tshark -x` show them: the offset, the bytes in hex (two
 * groups of eight), then the same bytes as ASCII ('.' for what does not
 * print). The timeline's bytes pane (`x`) draws these lines.
 */
#ifndef TCPSCOPE_UI_HEXDUMP_H
#define TCPSCOPE_UI_HEXDUMP_H

#include <stddef.h>
#include <stdint.h>

#define HEXDUMP_PER_LINE 16
#define HEXDUMP_LINE_MAX 80 /* "0000  " + 16 * 3 + 1 + " " + 16, and the NUL */

/* Writes line `line` of data[0 .. n) into buf (HEXDUMP_LINE_MAX bytes); "" past the end. */
void hexdump_line(char *buf, const uint8_t *data, size_t n, size_t line);
/* How many lines n bytes take. */
size_t hexdump_lines(size_t n);

#endif
