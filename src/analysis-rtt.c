/*
 * analysis-rtt.c - the RTT sample rule of analysis-rtt.h: segments enter the ring as they are
 * sent, ACKs take them off and time the newest one they cover.
 */
#include "config.h"

#include <stddef.h>

#include "analysis-rtt.h"
#include "tcp-seq.h"

void rtt_ring_sent(struct rtt_segment *ring, uint8_t *head, uint8_t *count, uint32_t seq, uint32_t end, bool advances,
		   int64_t now_ns)
{
	if (!advances) {
		/* Karn: a segment repeating what a ring entry ends with spoils that entry's sample. */
		for (int i = 0; i < *count; i++) {
			struct rtt_segment *s = &ring[(*head + i) % RTT_RING];
			if (SEQ_GT(s->end, seq) && SEQ_LEQ(s->end, end))
				s->retransmitted = true;
		}
		return;
	}
	if (*count == RTT_RING) {
		*head = (uint8_t)((*head + 1) % RTT_RING);
		(*count)--;
	}
	struct rtt_segment *s = &ring[(*head + *count) % RTT_RING];
	s->end = end;
	s->sent_ns = now_ns;
	s->retransmitted = false;
	(*count)++;
}

int64_t rtt_ring_acked(struct rtt_segment *ring, uint8_t *head, uint8_t *count, uint32_t ack, int64_t now_ns)
{
	const struct rtt_segment *covered = NULL;
	while (*count > 0) {
		const struct rtt_segment *s = &ring[*head];
		if (!SEQ_LEQ(s->end, ack))
			break;
		covered = s;
		*head = (uint8_t)((*head + 1) % RTT_RING);
		(*count)--;
	}
	if (!covered || covered->retransmitted)
		return -1;
	return now_ns - covered->sent_ns;
}
