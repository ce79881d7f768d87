/*
 * tcp-state.c - names of the RFC 9293 states, simple predicates over them,
 * and the table of the moves RFC 9293's state diagram (§3.3.2, Figure 5) and
 * its segment-processing text (§3.10.7) allow. The transitions themselves
 * are made in tcp-engine.c, next to the segment rules that cause them; the
 * table is what tests hold every path the engine draws to.
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

#define S(x) (1u << TCPS_##x)

/* For each state, the states an endpoint may move to from it. */
static const unsigned legal_next[TCPS_COUNT] = {
	/* First seen mid-stream: the observer learns the state, whatever it is. */
	[TCPS_UNKNOWN] = ~0u,
	/* §3.3.2: passive OPEN, active OPEN; a SYN reaching a listener the capture never saw in LISTEN. */
	[TCPS_CLOSED] = S(LISTEN) | S(SYN_SENT) | S(SYN_RECEIVED),
	/* rcv SYN; SEND; CLOSE. */
	[TCPS_LISTEN] = S(SYN_RECEIVED) | S(SYN_SENT) | S(CLOSED),
	/* rcv SYN (simultaneous open, Figure 8); rcv SYN-ACK; CLOSE or an acceptable RST. */
	[TCPS_SYN_SENT] = S(SYN_RECEIVED) | S(ESTABLISHED) | S(CLOSED),
	/* rcv ACK of SYN; CLOSE; RST (back to LISTEN if passive, §3.10.7.4); a FIN (§3.10.7.4 "eighth"). */
	[TCPS_SYN_RECEIVED] = S(ESTABLISHED) | S(FIN_WAIT_1) | S(LISTEN) | S(CLOSED) | S(CLOSE_WAIT),
	[TCPS_ESTABLISHED] = S(FIN_WAIT_1) | S(CLOSE_WAIT) | S(CLOSED),
	/* rcv ACK of FIN; rcv FIN (Figure 13); rcv FIN+ACK of our FIN ("fifth" then "eighth"). */
	[TCPS_FIN_WAIT_1] = S(FIN_WAIT_2) | S(CLOSING) | S(TIME_WAIT) | S(CLOSED),
	[TCPS_FIN_WAIT_2] = S(TIME_WAIT) | S(CLOSED),
	[TCPS_CLOSE_WAIT] = S(LAST_ACK) | S(CLOSED),
	[TCPS_CLOSING] = S(TIME_WAIT) | S(CLOSED),
	[TCPS_LAST_ACK] = S(CLOSED),
	/* 2 MSL timeout, or an acceptable RST. */
	[TCPS_TIME_WAIT] = S(CLOSED),
};

#undef S

bool tcp_state_transition_legal(enum tcp_state from, enum tcp_state to)
{
	if (from >= TCPS_COUNT || to >= TCPS_COUNT)
		return false;
	return from == to || (legal_next[from] >> to & 1u);
}
