/*
 * decode-fail.c - how every decoder stage (link, IP, tunnel, TCP) says why a
 * packet cannot be used: the finding and its message go into the packet
 * record (SPEC §3: malformed input becomes a finding on that packet, and the
 * pipeline goes on). It sits below all the stages, so none of them calls
 * back into another just to report a failure.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "decode-internal.h"

enum decode_result decode_fail(struct packet *pkt, enum finding_id id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pkt->decode_message, sizeof pkt->decode_message, fmt, ap);
	va_end(ap);
	pkt->decode_finding = id;
	return DECODE_BAD;
}

enum decode_result decode_truncated(struct packet *pkt, const char *what)
{
	return decode_fail(pkt, F_DECODE_TRUNCATED, "%s header cut by snaplen (%u bytes captured)", what, pkt->caplen);
}
