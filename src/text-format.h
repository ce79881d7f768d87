/*
 * text-format.h - addresses, endpoints and TCP flags as text, the same in
 * every output and in the UI (text-format.c). Each writes a
 * NUL-terminated string into the caller's buffer.
 */
#ifndef TCPSCOPE_TEXT_FORMAT_H
#define TCPSCOPE_TEXT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "summary.h"

/* An IPv4 or IPv6 address in its usual text form. */
void text_format_addr(char *buf, size_t len, int ip_version, const uint8_t *addr);
/* One end of a flow (side 0 client, 1 server): "10.0.0.1:80" or "[fd00::1]:80". */
void text_format_endpoint(char *buf, size_t len, const struct flow_summary *s, int side);
/* "SA", "FA", "PA", ... (SPEC §5.2 flag order). */
void text_format_flags(char *buf, uint8_t flags);

#endif
