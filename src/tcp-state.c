/*
 * tcp-state.c - names of the RFC 9293 states and simple predicates over them.
 * The transitions themselves live in tcp-engine.c, next to the segment rules
 * that cause them.
 */
#include "config.h"

#include <string.h>

#include "tcp-state.h"

static const char *const state_names[TCPS_COUNT] = {
	[TCPS_UNKNOWN] = "UNKNOWN",
	[TCPS_CLOSED] = "CLOSED",
	[TCPS_LISTEN] = "LISTEN",
	[TCPS_SYN_SENT] = "SYN-SENT",
	[TCPS_SYN_RECEIVED] = "SYN-RECEIVED",
	[TCPS_ESTABLISHED] = "ESTABLISHED",
	[TCPS_FIN_WAIT_1] = "FIN-WAIT-1",
	[TCPS_FIN_WAIT_2] = "FIN-WAIT-2",
	[TCPS_CLOSE_WAIT] = "CLOSE-WAIT",
	[TCPS_CLOSING] = "CLOSING",
	[TCPS_LAST_ACK] = "LAST-ACK",
	[TCPS_TIME_WAIT] = "TIME-WAIT",
};

const char *tcp_state_name(enum tcp_state s)
{
	return s < TCPS_COUNT ? state_names[s] : "?";
}

int tcp_state_parse(const char *name)
{
	for (int s = 0; s < TCPS_COUNT; s++)
		if (strcmp(name, state_names[s]) == 0)
			return s;
	return -1;
}

int tcp_state_synchronized(enum tcp_state s)
{
	return s >= TCPS_ESTABLISHED;
}
