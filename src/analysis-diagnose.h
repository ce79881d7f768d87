/*
 * analysis-diagnose.h - diagnoses: what went wrong in a connection, legal or
 * not.
 *
 * The TCP engine judges legality; this analysis runs after it on every
 * segment (diagnose_segment) and once more when the flow ends
 * (diagnose_finish_flow) and says what hurt the connection: a refused or
 * aborted connection, a retransmission timeout, a receiver that stopped
 * reading, keep-alive probes left unanswered, a peer given up on after
 * keep-alives, persistent loss. Its evidence is the packet, the labels
 * computed for it (analysis-labels.h), the sequence numbers the engine keeps
 * per endpoint and the measurements' counts (flow.h); its own state
 * is struct diagnose_flow, embedded in each flow. What only some flows need
 * (a retransmission-timeout stall, a run of keep-alive probes) is allocated
 * when the first one begins and freed with the flow (diagnose_release), so
 * the many flows that never stall carry a pointer for it, not its bytes.
 * Thresholds and the RFC sections behind them are in analysis-diagnose.c and
 * docs/engine.md ("Diagnoses").
 */
#ifndef TCPSCOPE_ANALYSIS_DIAGNOSE_H
#define TCPSCOPE_ANALYSIS_DIAGNOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "findings.h"

#define DIAGNOSE_BACKOFF_KEPT 4 /* retransmission intervals of one stall kept for its message */

/*
 * One retransmission-timeout stall of a direction: its finding waits until
 * the flow ends, so that it can give the backoff series, and is then raised
 * on the stall's first retransmission.
 */
struct diagnose_stall {
	uint64_t frame;	      /* its first retransmission */
	uint64_t quiet_frame; /* the last frame that moved the direction's data before it */
	int64_t time_ns;      /* of its first retransmission */
	int64_t last_ns;      /* of the latest retransmission of the same data */
	uint32_t seq, len;    /* the data retransmitted; len counts a FIN as one */
	/* Intervals in ms: [0] the stall before the first retransmission, then between retransmissions. */
	uint32_t backoff_ms[DIAGNOSE_BACKOFF_KEPT];
	uint32_t last_ms; /* the latest interval, kept beyond the array */
	uint8_t sends;	  /* retransmissions of this data (saturates at 255) */
	uint8_t state;	  /* DIAGNOSE_STALL_NONE, _OPEN (no progress yet) or _DONE */
	bool irregular;	  /* some interval did not roughly double (RFC 6298 §5.5) */
};

/* What one side sent, and (zero_*) the zero-window episode it advertised as a receiver. */
struct diagnose_dir {
	int64_t moved_ns;     /* last time its data moved: sent (new or again) or acknowledged further */
	uint64_t moved_frame; /* 0 until its first data segment */
	int64_t zero_ns;      /* first zero-window advertisement of the open episode */
	uint64_t zero_frame;
	struct diagnose_stall *stall; /* NULL until its first retransmission timeout */
	uint32_t acked;		      /* highest acknowledgement of its data the peer sent */
	uint32_t segments;	      /* data segments (probes not counted) */
	uint32_t retransmitted;	      /* of those, retransmitted ones (not spurious, not the same data again) */
	uint16_t probes;	      /* zero-window probes the peer sent into the open episode */
	bool acked_known;
	bool last_full; /* its latest data segment filled the peer's window */
	bool zero_open; /* it advertises a zero window */
	bool zero_full; /* ...and the peer's latest data segment had filled it */
	bool sent_any;	/* it sent a segment other than a RST */
	bool sent_ack;	/* it sent a segment with ACK other than a RST */
	bool fin_seen;	/* it sent a FIN */
};

/* The unanswered keep-alive probes of the current run, from one side. */
struct diagnose_keepalive {
	uint64_t first_frame, last_frame;
	int64_t first_ns, last_ns;
	int64_t idle_ns; /* the flow's silence before the run's first probe; -1 if it began with it */
	uint16_t count;	 /* 0: no run */
	uint8_t side;
};

/* Per flow (grouped by size: no padding). */
struct diagnose_flow {
	struct diagnose_dir dir[2];    /* by side: SIDE_CLIENT, SIDE_SERVER */
	int64_t prev_ns;	       /* the flow's previous segment */
	struct diagnose_keepalive *ka; /* NULL until the flow's first keep-alive probe */
	uint8_t syns;		       /* SYNs without ACK (saturates at 255) */
};

struct segment_ctx;
struct flow;
struct label_result;

/* Judges one segment, with the labels computed for it; call after tcp_engine_segment() and measure_segment(). */
void diagnose_segment(struct segment_ctx *sc, const struct label_result *labels);

/*
 * Raises what could only be said once the flow is over (a stall's backoff, a
 * window never reopened, loss over the flow's life) through the engine's
 * late-raise callback; call after tcp_engine_finish_flow().
 */
void diagnose_finish_flow(struct flow *f, finding_late_raise_fn raise, void *ctx);
/* Frees what the diagnoses allocated for a flow; call before the flow itself is freed. */
void diagnose_release(struct flow *f);

#endif
