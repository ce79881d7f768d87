/*
 * tcp-state.h - the RFC 9293 §3.3.2 connection states of one endpoint, plus
 * UNKNOWN for an endpoint first seen mid-stream (SPEC §4.2), the events that
 * move them, and the state × event table of those moves.
 *
 * tcp-engine.c names the event each segment (or timer) is to an endpoint and
 * tcp_state_apply() moves the endpoint as the table says; an event the table
 * has no entry for in the endpoint's state is a programmer's error (assert).
 * docs/engine.md shows the same table, and a test holds the two together.
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

/*
 * What happened to an endpoint, as the capture shows it: "sent" events are
 * applied when the endpoint's segment is seen, "received" ones when the
 * peer's segment is delivered (tcp-delivery.h). X(NAME) per event, in the order
 * of the enum (the docs' table and its test use the names).
 */
#define TCP_EVENTS(X)                                                                                                  \
	X(PASSIVE_OPEN)		/* the peer sent a first SYN: this endpoint is taken to listen (SPEC §4.2) */         \
	X(SYN_SENT)		/* it sent its first SYN: active OPEN (§3.10.1) */                                    \
	X(SYN_RECEIVED)		/* a SYN (no ACK) was delivered to it (§3.10.7.2, §3.10.7.3 "fourth") */             \
	X(SYNACK_SENT)		/* it sent its first SYN-ACK, answering a SYN (§3.10.7.2) */                          \
	X(SYNACK_RECEIVED)	/* a SYN-ACK acknowledging its SYN was delivered (§3.10.7.3 "fourth") */              \
	X(SYNACK_UNASKED)	/* a SYN-ACK was delivered to it in CLOSED or LISTEN (capture artefact) */             \
	X(SYN_ACKED)		/* the ACK of its SYN was delivered in SYN-RECEIVED (§3.10.7.4 "fifth") */            \
	X(SYNACK_MISSED)	/* the client's ACK shows a SYN-ACK the capture missed (capture artefact) */           \
	X(MIDSTREAM_SYNCED)	/* picked up mid-stream, both ends have sent ordinary ACKs (SPEC §4.2) */             \
	X(FIN_SENT)		/* it sent its FIN: CLOSE (§3.10.4) */                                                \
	X(FIN_RECEIVED)		/* the peer's FIN was delivered (§3.10.7.4 "eighth") */                               \
	X(FIN_ACKED)		/* an ACK covering its FIN was delivered (§3.10.7.4 "fifth") */                       \
	X(TIME_WAIT_EXPIRED)	/* 2 MSL of capture time passed in TIME-WAIT (§3.3.2) */                              \
	X(RST_SENT)		/* it sent an acceptable RST: ABORT (§3.10.5) */                                      \
	X(RST_RECEIVED)		/* an acceptable RST reached it (§3.10.7.3, §3.10.7.4 "second") */                   \
	X(RST_RECEIVED_PASSIVE) /* the same, to an endpoint that left LISTEN by a passive OPEN */                      \
	X(STALE_RST_PASSIVE)	/* a SYN-SENT peer's RST cleared this passive opener's stale connection */

enum tcp_event {
#define TCP_EVENT_ENUM(name) TCPE_##name,
	TCP_EVENTS(TCP_EVENT_ENUM)
#undef TCP_EVENT_ENUM
		TCPE_COUNT
};

/* "SYN-SENT", "TIME-WAIT", ... as RFC 9293 spells them. */
const char *tcp_state_name(enum tcp_state s);
/* True once the endpoint has both ISNs (ESTABLISHED and every state after it). */
int tcp_state_synchronized(enum tcp_state s);
/* Could the endpoint still take a passive OPEN: it is, or may as far as the capture shows be, in LISTEN. */
bool tcp_state_may_listen(enum tcp_state s);
/* The endpoint holds no connection, or only TIME-WAIT's memory of one: CLOSED, LISTEN or TIME-WAIT. */
bool tcp_state_no_connection(enum tcp_state s);
/*
 * The state event takes an endpoint in state from to (from itself when the
 * event leaves it where it is), or TCPS_COUNT when the table has no entry:
 * RFC 9293 has no such event in that state.
 */
enum tcp_state tcp_state_next(enum tcp_state from, enum tcp_event event);
/* Moves *state by event and returns the new state; asserts that the table has the move. */
enum tcp_state tcp_state_apply(enum tcp_state *state, enum tcp_event event);

#endif
