/*
 * tcp-state.h - the RFC 9293 §3.3.2 connection states of one endpoint, plus
 * UNKNOWN for an endpoint first seen mid-stream (SPEC §4.2).
 */
#ifndef TCPSCOPE_TCP_STATE_H
#define TCPSCOPE_TCP_STATE_H

#include <stdbool.h>

enum tcp_state {
	TCPS_UNKNOWN,
	TCPS_CLOSED,
	TCPS_LISTEN,
	TCPS_SYN_SENT,
	TCPS_SYN_RECEIVED,
	TCPS_ESTABLISHED,
	TCPS_FIN_WAIT_1,
	TCPS_FIN_WAIT_2,
	TCPS_CLOSE_WAIT,
	TCPS_CLOSING,
	TCPS_LAST_ACK,
	TCPS_TIME_WAIT,
	TCPS_COUNT
};

/* "SYN-SENT", "TIME-WAIT", ... as RFC 9293 spells them. */
const char *tcp_state_name(enum tcp_state s);
/* Parses a state name; -1 if unknown. */
int tcp_state_parse(const char *name);
/* True once the endpoint has both ISNs (ESTABLISHED and every state after it). */
int tcp_state_synchronized(enum tcp_state s);
/* Is from -> to a move RFC 9293 allows (staying put counts as legal)? */
bool tcp_state_transition_legal(enum tcp_state from, enum tcp_state to);

#endif
