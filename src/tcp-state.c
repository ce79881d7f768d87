/*
 * tcp-state.c - names of the RFC 9293 states, simple predicates over them,
 * and the state × event table of tcp-state.h: for each event (what happened
 * to an endpoint) the state it takes the endpoint to from each state, from
 * RFC 9293's state diagram (§3.3.2, Figure 5) and its segment-processing
 * text (§3.10.7). A blank entry is an event RFC 9293 does not have in that
 * state: tcp_state_apply() asserts it never happens. An entry "it stays"
 * is the RFC's "remain in the state" or "drop the segment". The few moves
 * the diagram does not have, which tcpscope infers for capture artefacts,
 * are events of their own (SYNACK_UNASKED, SYNACK_MISSED, MIDSTREAM_SYNCED,
 * STALE_RST_PASSIVE) or leave UNKNOWN, tcpscope's state for an endpoint
 * picked up mid-stream. docs/engine.md shows the table ("The transition
 * table"), and tests/check-engine.c compares the two cell by cell.
 */
#include "config.h"

#include <assert.h>

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

int tcp_state_synchronized(enum tcp_state s)
{
	return s >= TCPS_ESTABLISHED;
}

bool tcp_state_may_listen(enum tcp_state s)
{
	return s == TCPS_UNKNOWN || s == TCPS_CLOSED || s == TCPS_LISTEN;
}

bool tcp_state_no_connection(enum tcp_state s)
{
	return s == TCPS_CLOSED || s == TCPS_LISTEN || s == TCPS_TIME_WAIT;
}

/* Table entries: 0 none, STAY it stays, else the next state + 1. */
enum { STAY = 0xff };
#define UNK (TCPS_UNKNOWN + 1)
#define CLO (TCPS_CLOSED + 1)
#define LIS (TCPS_LISTEN + 1)
#define SS (TCPS_SYN_SENT + 1)
#define SR (TCPS_SYN_RECEIVED + 1)
#define EST (TCPS_ESTABLISHED + 1)
#define FW1 (TCPS_FIN_WAIT_1 + 1)
#define FW2 (TCPS_FIN_WAIT_2 + 1)
#define CW (TCPS_CLOSE_WAIT + 1)
#define CLG (TCPS_CLOSING + 1)
#define LA (TCPS_LAST_ACK + 1)
#define TW (TCPS_TIME_WAIT + 1)
#define st STAY
#define __ 0

// clang-format off
static const unsigned char next_state[TCPE_COUNT][TCPS_COUNT] = {
	/*                           UNKNOWN CLOSED LISTEN SYN-S  SYN-R  ESTAB  FIN-W1 FIN-W2 CLOSE-W CLOSING LAST-A TIME-W */
	/* SPEC §4.2: the first SYN is taken to reach a listener. */
	[TCPE_PASSIVE_OPEN] =      { LIS,    st,    st,    st,    st,    st,    st,    st,    st,    st,    st,    st },
	/* §3.10.1 OPEN (active); a SYN from an endpoint past LISTEN opens nothing (a finding says so). */
	[TCPE_SYN_SENT] =          { SS,     SS,    SS,    st,    st,    st,    st,    st,    st,    st,    st,    st },
	/* §3.10.7.2 LISTEN "third", §3.10.7.3 SYN-SENT "fourth" (Figure 8); §3.10.7.4 "fourth": a challenge ACK. */
	[TCPE_SYN_RECEIVED] =      { SR,     SR,    SR,    SR,    st,    st,    st,    st,    st,    st,    st,    st },
	/* §3.10.7.2: a SYN-ACK is sent from SYN-RECEIVED; in SYN-SENT (simultaneous open) the peer's SYN moves it. */
	[TCPE_SYNACK_SENT] =       { SR,     SR,    SR,    st,    st,    st,    st,    st,    st,    st,    st,    st },
	/* §3.10.7.3 "fourth", §3.10.7.4 "fifth" (Figure 8); a synchronized endpoint ignores it. */
	[TCPE_SYNACK_RECEIVED] =   { EST,    __,    __,    EST,   EST,   st,    st,    st,    st,    st,    st,    st },
	/*
	 * RFC 9293 answers a SYN-ACK in CLOSED or LISTEN with a RST (§3.10.7.1,
	 * §3.10.7.2); tcpscope takes it that the capture missed this endpoint's SYN.
	 */
	[TCPE_SYNACK_UNASKED] =    { __,     EST,   EST,   __,    __,    __,    __,    __,    __,    __,    __,    __ },
	/* §3.10.7.4 "fifth": SND.UNA < SEG.ACK =< SND.NXT in SYN-RECEIVED. */
	[TCPE_SYN_ACKED] =         { __,     __,    __,    __,    EST,   __,    __,    __,    __,    __,    __,    __ },
	/*
	 * An ACK from SYN-SENT can only have learnt its number from a SYN-ACK:
	 * the capture missed it, and the server's SYN and SYN-ACK with it.
	 */
	[TCPE_SYNACK_MISSED] =     { __,     __,    EST,   EST,   EST,   __,    __,    __,    __,    __,    __,    __ },
	/* SPEC §4.2: an endpoint first seen mid-stream is ESTABLISHED once both ends behave normally. */
	[TCPE_MIDSTREAM_SYNCED] =  { EST,    st,    st,    st,    st,    st,    st,    st,    st,    st,    st,    st },
	/*
	 * §3.10.4 CLOSE: FIN-WAIT-1 from SYN-RECEIVED and ESTABLISHED, LAST-ACK from
	 * CLOSE-WAIT. No CLOSE sends a FIN from SYN-SENT (it deletes the TCB).
	 */
	[TCPE_FIN_SENT] =          { FW1,    st,    st,    st,    FW1,   FW1,   st,    st,    LA,    st,    st,    st },
	/*
	 * §3.10.7.4 "eighth"; not processed in CLOSED, LISTEN, SYN-SENT; a FIN in
	 * TIME-WAIT restarts the 2 MSL timeout (tcp-engine.c).
	 */
	[TCPE_FIN_RECEIVED] =      { CW,     st,    st,    st,    CW,    CW,    CLG,   TW,    st,    st,    st,    st },
	/* §3.10.7.4 "fifth": FIN-WAIT-1, CLOSING, LAST-ACK; elsewhere no FIN of its own awaits an ACK. */
	[TCPE_FIN_ACKED] =         { st,     st,    st,    st,    st,    st,    FW2,   st,    st,    TW,    CLO,   st },
	/* §3.3.2: Timeout=2MSL. */
	[TCPE_TIME_WAIT_EXPIRED] = { __,     __,    __,    __,    __,    __,    __,    __,    __,    __,    __,    CLO },
	/* §3.10.5 ABORT: the sender of a RST deletes its TCB. */
	[TCPE_RST_SENT] =          { CLO,    CLO,   CLO,   CLO,   CLO,   CLO,   CLO,   CLO,   CLO,   CLO,   CLO,   CLO },
	/*
	 * §3.10.7.3, §3.10.7.4 "second". A real listener ignores a RST
	 * (§3.10.7.2); tcpscope's LISTEN is only presumed (SPEC §4.2).
	 */
	[TCPE_RST_RECEIVED] =      { CLO,    CLO,   CLO,   CLO,   CLO,   CLO,   CLO,   CLO,   CLO,   CLO,   CLO,   CLO },
	/* §3.10.7.4 "second": a passive SYN-RECEIVED returns to LISTEN. */
	[TCPE_RST_RECEIVED_PASSIVE] = { CLO, CLO,   CLO,   CLO,   LIS,   CLO,   CLO,   CLO,   CLO,   CLO,   CLO,   CLO },
	/*
	 * §3.10.7.3: the SYN-SENT peer answered this endpoint's ACK with
	 * <SEQ=SEG.ACK><CTL=RST>; the connection that ACK belonged to is gone
	 * and the listener it came from remains.
	 */
	[TCPE_STALE_RST_PASSIVE] = { LIS,    LIS,   LIS,   LIS,   LIS,   LIS,   LIS,   LIS,   LIS,   LIS,   LIS,   LIS },
};
// clang-format on

#undef UNK
#undef CLO
#undef LIS
#undef SS
#undef SR
#undef EST
#undef FW1
#undef FW2
#undef CW
#undef CLG
#undef LA
#undef TW
#undef st
#undef __

enum tcp_state tcp_state_next(enum tcp_state from, enum tcp_event event)
{
	if (from >= TCPS_COUNT || event >= TCPE_COUNT)
		return TCPS_COUNT;
	unsigned char to = next_state[event][from];
	return to == STAY ? from : to == 0 ? TCPS_COUNT : (enum tcp_state)(to - 1);
}

enum tcp_state tcp_state_apply(enum tcp_state *state, enum tcp_event event)
{
	enum tcp_state to = tcp_state_next(*state, event);
	assert(to != TCPS_COUNT && "an event RFC 9293 does not have in this state");
	if (to != TCPS_COUNT)
		*state = to;
	return *state;
}
