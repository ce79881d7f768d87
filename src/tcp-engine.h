/*
 * tcp-engine.h - judging one TCP segment on one flow.
 *
 * tcp_engine_segment() applies RFC 9293's rules to a segment as its sender
 * sent it: it moves the sender's state, checks handshake, sequence,
 * acknowledgement, window, option and teardown legality, and raises findings
 * through the callback in the context. What the segment does to its receiver
 * is tcp_engine_deliver()'s, called by the delivery stage (tcp-delivery.h) once
 * the evidence shows the segment arrived (SPEC §4.2). An RST is the one
 * exception: both ends are CLOSED when it is seen. Whether a SYN starts a new
 * incarnation of its 4-tuple, and whether it may, is the engine's too
 * (tcp_engine_starts_incarnation, tcp_engine_judge_incarnation). The rules
 * read the packet and the flow's engine state only, never the labels; what
 * the analyses after the engine need of its verdicts is left in struct
 * segment_ctx. Nothing here allocates or prints.
 */
#ifndef TCPSCOPE_TCP_ENGINE_H
#define TCPSCOPE_TCP_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "packet.h"

struct segment_ctx {
	struct flow *flow;
	const struct packet *pkt;
	int side;		    /* the sender: SIDE_CLIENT or SIDE_SERVER */
	struct endpoint *snd, *rcv; /* &flow->ep[side] and the peer's, set by the caller */
	int64_t msl_ns;
	/* Set by tcp_engine_segment(), the verdicts the analyses after it read (analysis-measure.h): */
	uint32_t end;	      /* seq + payload + SYN + FIN: the sequence space it covers, and what an ACK of it acks */
	bool dropped;	      /* no receiver processes it (illegal flags, RFC 9293 §3.10.7.3 "fifth") */
	bool illegal_flags;   /* dropped for its flags, before any other rule */
	bool advanced;	      /* it went beyond what its sender had sent (seq + len > snd_nxt) */
	bool handshake_timed; /* the handshake ACK that timed the iRTT and the round trips to both ends */
	/* Receives each finding raised on this segment. */
	void (*raise)(void *raise_ctx, const struct segment_ctx *sc, enum finding_id id, const char *message);
	void *raise_ctx;
	finding_late_raise_fn raise_late; /* a finding about an earlier frame, judged only now (raise_ctx) */
};

/* Linux's smallest retransmission timeout (RFC 6298 §2.4 says 1 s): quicker repeats are not a timer's. */
#define TCP_RTO_MIN_NS (200 * 1000000LL)

void tcp_engine_segment(struct segment_ctx *sc);

/* Could sc change its receiver's state once delivered (it then waits in the delivery stage)? */
bool tcp_engine_affects_receiver(const struct segment_ctx *sc);

/*
 * The receiver's side of a segment (RFC 9293 §3.10.7) at its delivery:
 * acknowledged says the receiver's own ACK covered it, so it was surely
 * processed, not dropped.
 */
void tcp_engine_deliver(struct flow *f, const struct pending_delivery *seg, int64_t msl_ns, bool acknowledged);

/* Raises a finding on the segment with a printf-style message. */
void tcp_engine_raise(const struct segment_ctx *sc, enum finding_id id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same, at most once per flow (for conditions that persist). */
void tcp_engine_raise_once(const struct segment_ctx *sc, enum finding_id id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Judges what could only be judged once the flow is over (an ACK of bytes the
 * peer never sent after all) and raises it on the frame where it happened.
 */
void tcp_engine_finish_flow(struct flow *f, finding_late_raise_fn raise, void *ctx);

/* Is the connection over: reset, both FINs sent, or both ends CLOSED, TIME-WAIT or LISTEN? */
bool tcp_engine_flow_finished(const struct flow *f);

/*
 * Does this SYN from old's side start a new incarnation of the 4-tuple? Yes
 * if the old one is finished, or if its ISN differs and does not fall inside
 * the old connection's window (that case is a SYN in an established
 * connection, judged on old by tcp_engine_segment).
 */
bool tcp_engine_starts_incarnation(const struct flow *old, int side, const struct packet *p);

/*
 * Judges the SYN that started sc's flow against the incarnation old it
 * replaces (old_side: its sender there): TIME-WAIT reuse (RFC 9293 §3.6.1,
 * RFC 6191) and an ISN changed while old was still SYN-SENT.
 */
void tcp_engine_judge_incarnation(struct flow *old, int old_side, const struct segment_ctx *sc);

/* Moves endpoints whose TIME-WAIT (2*MSL) has run out by time now to CLOSED. */
void tcp_engine_expire_time_wait(struct flow *f, int64_t now_ns);

/* The window shift of a side's advertisements: -1 while unknown (SPEC §4.3). */
int tcp_engine_window_shift(const struct flow *f, int side);

#endif
