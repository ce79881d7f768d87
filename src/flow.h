/*
 * flow.h - one connection incarnation on a 4-tuple, as the engine tracks it.
 *
 * A flow has two endpoints, indexed by side: SIDE_CLIENT and SIDE_SERVER
 * (SPEC §4.1 decides which is which). Each endpoint record holds that
 * endpoint's RFC 9293 state and everything about the segments it sent:
 * ISN, highest sequence sent, FIN, acknowledgements and windows it advertised,
 * options from its SYN (kept by tcp-engine.c), and the counters, RTT samples
 * and keep-alive and zero-window times of its data (kept by
 * analysis-measure.c; no rule of the engine reads them). The flow also embeds
 * the state of the analyses beside the engine: labels, Zeek summary,
 * diagnoses. The flow table owns flows; nothing outside src/ ever holds a
 * flow pointer (the UI and the sinks see flow ids and struct flow_summary
 * copies).
 */
#ifndef TCPSCOPE_FLOW_H
#define TCPSCOPE_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis-diagnose.h"
#include "analysis-labels.h"
#include "analysis-rtt.h"
#include "analysis-zeek.h"
#include "findings.h"
#include "flow-key.h"
#include "summary.h"
#include "tcp-state.h"

enum { SIDE_CLIENT = 0, SIDE_SERVER = 1 };

/* "client" or "server", for messages. */
static inline const char *flow_side_name(int side)
{
	return side == SIDE_CLIENT ? "client" : "server";
}

#define PENDING_MAX 4 /* segments of a flow awaiting evidence of delivery (tcp-delivery.h) */

/* A segment whose effect on its receiver waits for evidence (tcp-delivery.c). */
struct pending_delivery {
	uint64_t frame;
	uint64_t apply_after; /* the receiver had not had it when it sent this frame (>= frame) */
	int64_t time_ns;
	uint32_t seq, ack, end; /* end = seq + payload + SYN + FIN: what an ACK of it covers */
	uint32_t tsval;		/* its timestamp, with has_ts: an answer's TSecr tells which copy it answers */
	uint8_t flags;
	uint8_t side; /* its sender */
	bool has_ts;
	bool superseded; /* a later copy was sent (a repeated SYN or SYN-ACK) */
};

struct rtt_stats {
	int64_t min_ns, max_ns, sum_ns;
	uint32_t samples;
};

/*
 * Members are grouped by size (8-, 4-, 2-, then 1-byte ones) so that the
 * compiler inserts no padding: every flow is two of these, and all of a
 * trace's flows can be open at once (SPEC §12 counts their memory).
 */
struct endpoint {
	/* Times, counters and the RTT ring: 8 bytes each. */
	int64_t syn_time_ns;
	int64_t last_syn_ns; /* its latest SYN or SYN-ACK */
	int64_t last_fin_ns; /* its latest FIN */
	int64_t time_wait_until;
	struct {
		uint64_t frame;
		int64_t time_ns;
		uint32_t ack, sent_up_to;
	} beyond; /* an ACK that covered bytes it had not sent (yet), judged at flow end */
	uint64_t packets, payload_bytes, retrans_bytes;
	int64_t zero_window_since; /* -1 while its window is open */
	int64_t zero_window_ns;
	int64_t last_keepalive_ns;
	int64_t keepalive_interval_sum_ns;
	/*
	 * RTT of its data: unacknowledged segments (a ring of RTT_RING entries,
	 * allocated with its first segment and released when the flow is finished,
	 * so closed flows waiting out 2*MSL stay small) and the samples taken.
	 */
	struct rtt_segment *rtt_ring;
	struct rtt_stats rtt;

	/* RFC 9293 state and what this endpoint sent: sequence numbers. */
	enum tcp_state state;
	uint32_t isn;
	uint32_t syn_payload; /* data carried on its SYN (TFO) */
	uint32_t synack_ack;
	uint32_t synack_tsval, synack_tsecr; /* the timestamps of its first SYN-ACK, with synack_ts */
	uint32_t snd_nxt;		     /* highest seq + len (+SYN/FIN) sent */
	uint32_t last_ack;		     /* highest acknowledgement it sent */
	uint32_t right_edge;		     /* highest ack + scaled window it advertised */
	uint32_t prev_edge;		     /* the edge of its previous segment (shrink check) */
	uint32_t fin_seq;
	uint32_t snd_at_reset; /* its snd_nxt when either side's RST was accepted */
	uint32_t last_tsval;
	uint32_t keepalives, keepalives_unanswered;
	uint32_t max_in_flight; /* most unacknowledged bytes it had out at once */
	uint16_t last_window;	/* raw window of its last segment */
	uint16_t mss;		/* announced on its SYN */
	int16_t wscale;		/* announced on its SYN; -1: no window-scale option */
	uint8_t rtt_head, rtt_count;
	uint8_t ttl; /* IP TTL / hop limit of its first segment */

	/* Flags. */
	bool passive; /* entered SYN-RECEIVED from LISTEN (RST returns it there) */
	bool seen;
	bool syn_sent;
	bool synack_sent;
	bool synack_ts;
	bool bare_syn_after_peer; /* sent a SYN without ACK after receiving the peer's SYN */
	bool ack_sent;
	bool hs_ack_sent; /* sent the ACK that completes a handshake (judged once) */
	bool edge_known;
	bool prev_edge_known;
	bool fin_sent;
	bool fin_acked;	       /* the peer acknowledged this endpoint's FIN */
	bool beyond_pending;   /* beyond holds an ACK still to be judged */
	bool beyond_handshake; /* ...and that ACK was the third segment of the handshake */
	bool rst_sent;	       /* sent an acceptable RST */
	bool normal_seen;      /* sent an ordinary ACK segment (mid-stream promotion) */
	bool gap_seen;	       /* some of its segments were not captured */
	bool wrapped;
	/* Options announced on its SYN. */
	bool has_mss, sack_permitted, timestamps, tfo;
	bool ts_seen;
	bool ecn_setup; /* SYN with ECE+CWR, or SYN-ACK with ECE (RFC 3168 §6.1.1) */
};

/* Grouped by size like struct endpoint, for the same reason. */
struct flow {
	uint64_t first_frame, last_frame;
	int64_t start_ns, last_ns;
	int64_t quiet_until; /* engine_expire: without a new packet nothing can end the flow before this (0: unknown) */
	int64_t irtt_ns;     /* -1 until the handshake ACK */
	int64_t to_server_ns, to_client_ns; /* round trips from the capture point, from the handshake (0: unknown) */
	uint64_t reported[2];		    /* bit per finding_id: once-per-flow findings already raised */
	/*
	 * Packets with each label (analysis-labels.h), L_COUNT of them, allocated
	 * with the first label: most flows get none, and every flow of a capture
	 * can be alive at once.
	 */
	uint32_t *label_counts;
	uint64_t synack_missed_frame; /* the client segment that acknowledged a SYN-ACK never seen */
	/* The delivery stage's views of it: the count held when its last was, and its oldest waiting frame (0: none).
	 */
	uint64_t held_until, held_wait_from;
	/* Its data views waiting for their fates, per sender: the numbers of the first and last (0: none). */
	uint64_t data_first[2], data_last[2];
	/* Flow table link (owned by flow-table.c). */
	struct flow *older, *newer; /* activity list, oldest first */
	struct endpoint ep[2];
	/*
	 * Its segments awaiting evidence of delivery, in the order seen: room for
	 * PENDING_MAX, lent by the delivery stage while any wait (NULL when none
	 * does), since a flow waits only around its handshake and its close.
	 */
	struct pending_delivery *pending;
	struct label_flow labels;
	struct zeek_conn zeek;
	struct diagnose_flow diag; /* analysis-diagnose.c's state */

	uint32_t finding_counts[3]; /* every finding made, by severity, kept or not */
	uint32_t findings_dropped;  /* findings past engine_config.max_findings_per_flow, not emitted */
	uint32_t id;
	uint32_t synack_missed_payload; /* its payload */
	struct flow_key key;

	int8_t closed_first_by; /* -1, SIDE_CLIENT or SIDE_SERVER */
	int8_t reset_by;	/* -1, SIDE_CLIENT or SIDE_SERVER */
	uint8_t completeness;
	uint8_t npending;
	uint8_t vantage; /* enum vantage */

	bool client_is_lower; /* the client is key side 0 */
	bool direction_guessed;
	bool midstream;
	/* Handshake and teardown bookkeeping. */
	bool simultaneous_open;
	bool split_handshake;
	bool handshake_done;
	bool synack_missed; /* the client acknowledged a SYN-ACK the capture does not have */
	bool rejected;
	bool reset;
	bool rtt_released; /* the flow is finished: no more RTT samples, rings freed */
};

#endif
