/*
 * text-format.c - the text forms every face shares (text-format.h): an
 * address, a flow's endpoint, a segment's TCP flags. The JSON and text
 * writers, the expression language, expectations and the UI all print
 * these the same way, and take them from here rather than from one of the
 * writers.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "tcp-state.h"
#include "text-format.h"

/* A byte in decimal. */
static char *put_byte(char *p, uint8_t v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

/* inet_ntop's dotted quad, without its cost (one call per flow endpoint in a report). */
static char *put_ipv4(char *p, const uint8_t addr[4])
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_byte(p, addr[i]);
	}
	return p;
}

void text_format_addr(char *buf, size_t len, int ip_version, const uint8_t *addr)
{
	if (ip_version == 4 && len >= INET_ADDRSTRLEN) {
		*put_ipv4(buf, addr) = '\0';
		return;
	}
	if (!inet_ntop(ip_version == 6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void text_format_endpoint(char *buf, size_t len, const struct flow_summary *s, int side)
{
	char addr[INET6_ADDRSTRLEN];
	text_format_addr(addr, sizeof addr, s->ip_version, s->addr[side]);
	snprintf(buf, len, s->ip_version == 6 ? "[%s]:%u" : "%s:%u", addr, s->port[side]);
}

void text_format_flags(char *buf, uint8_t flags)
{
	static const struct {
		uint8_t bit;
		char letter;
	} order[] = {{TCP_SYN, 'S'}, {TCP_FIN, 'F'}, {TCP_RST, 'R'}, {TCP_PSH, 'P'},
		     {TCP_ACK, 'A'}, {TCP_URG, 'U'}, {TCP_ECE, 'E'}, {TCP_CWR, 'W'}};
	int n = 0;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (flags & order[i].bit)
			buf[n++] = order[i].letter;
	buf[n] = '\0';
}
