/*
 * analysis-rtt.h - round-trip time samples from a sender's segments and its peer's
 * ACKs, one rule for everyone who measures: the per-flow RTT statistics
 * (analysis-measure.c) and the UI's round-trip time graph.
 *
 * A ring of the last RTT_RING segments that advanced the sender's sequence
 * space, oldest first. An ACK takes every segment it covers off the ring;
 * the newest of them gives a sample, unless it was sent again in the meantime
 * (Karn's algorithm, RFC 6298 §3: an ACK of a retransmitted segment cannot
 * tell which copy it answers). The caller owns the ring's memory and its
 * head and count (flow.h keeps them apart, to pack its endpoint
 * record); nothing here allocates.
 */
#ifndef TCPSCOPE_ANALYSIS_RTT_H
#define TCPSCOPE_ANALYSIS_RTT_H

#include <stdbool.h>
#include <stdint.h>

#define RTT_RING 32 /* unacknowledged segments remembered per sender for RTT */

struct rtt_segment {
	uint32_t end; /* seq + len (+1 for SYN/FIN) */
	bool retransmitted;
	int64_t sent_ns;
};

/* A segment [seq, end) sent at now_ns; `advances` if it goes beyond what was sent before. */
void rtt_ring_sent(struct rtt_segment *ring, uint8_t *head, uint8_t *count, uint32_t seq, uint32_t end, bool advances,
		   int64_t now_ns);
/* An ACK of `ack` from the peer at now_ns: the sample it gives in nanoseconds, or -1 if none. */
int64_t rtt_ring_acked(struct rtt_segment *ring, uint8_t *head, uint8_t *count, uint32_t ack, int64_t now_ns);

#endif
