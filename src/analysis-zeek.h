/*
 * analysis-zeek.h - Zeek's conn_state and history for a flow.
 *
 * Reproduces the rules of Zeek's TCP analyzer and conn.log (endpoint states
 * TCP_INACTIVE .. TCP_RESET, the conn_state function of base/protocols/conn,
 * and the history letters ShADadFfRrTtWwGgCcIiQq^ with Zeek's once-per-direction
 * and logarithmic repetition rules), so that Zeek users read tcpscope's
 * conn_state and history without a manual. Fixed-size state, except for the
 * out-of-order ranges of a side, allocated with its first one (most flows
 * never have one: they would be a third of a flow's memory) and freed by
 * zeek_release(); the engine keeps one struct zeek_conn per flow and feeds
 * it every packet of the flow in capture order.
 *
 * Zeek keys its endpoints by address, not by tcpscope's client/server guess:
 * ep[] below is indexed by tcpscope's side (0 client, 1 server) and orig_side
 * says which of them Zeek currently calls the originator (it changes when
 * Zeek flips the roles, which also writes '^' into the history). The caller
 * must pass the same side for the same sender for the whole flow.
 */
#ifndef TCPSCOPE_ANALYSIS_ZEEK_H
#define TCPSCOPE_ANALYSIS_ZEEK_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

#define ZEEK_HISTORY_MAX 48    /* longer histories are cut (Zeek's is unbounded) */
#define ZEEK_PENDING_BLOCKS 16 /* out-of-order data ranges remembered per side */

enum zeek_endpoint_state {
	ZEEK_TCP_INACTIVE,
	ZEEK_TCP_SYN_SENT,
	ZEEK_TCP_SYN_ACK_SENT,
	ZEEK_TCP_PARTIAL,
	ZEEK_TCP_ESTABLISHED,
	ZEEK_TCP_CLOSED,
	ZEEK_TCP_RESET,
};

/* A logarithmic history letter: recorded at counts 1, 10, 100, ... */
struct zeek_scaled {
	uint32_t count, threshold;
};

/* Captured payload above a hole, in relative sequence space [seq, upper). */
struct zeek_block {
	uint64_t seq, upper;
};

/* One side as Zeek's TCP_Endpoint sees it (sequence numbers as Zeek keeps them); grouped by size. */
struct zeek_endpoint {
	int64_t start_seq; /* ISN (or first seq - 1 mid-stream), signed as in Zeek */
	uint64_t fin_seq;  /* relative sequence one past the FIN */
	uint64_t hist_last_syn, hist_last_fin, hist_last_rst;
	/* Zeek's stream reassembler, reduced to sequence bookkeeping (for 'G'). */
	uint64_t reassem_seq, trim_seq;
	struct zeek_block *pending; /* ZEEK_PENDING_BLOCKS of them, or NULL before the first */
	struct zeek_scaled checksum, rexmit, zero_window, gap; /* C T W G */
	uint32_t last_seq;				       /* one past the highest sequence sent */
	uint32_t ack_seq; /* highest acknowledgement received for this side's data */
	uint32_t seq_wraps, ack_wraps;
	uint32_t fin_count;
	uint8_t state, prev_state; /* enum zeek_endpoint_state */
	uint8_t pending_count;
};

struct zeek_conn {
	struct zeek_endpoint ep[2]; /* indexed by tcpscope's side: [0] client, [1] server */
	uint32_t hist_seen;	    /* Zeek's hist_seen mask (responder bits << 16) */
	uint8_t orig_side;	    /* index of Zeek's originator in ep[] */
	bool started;		    /* the first packet has been seen */
	uint8_t packets;	    /* packets fed so far, saturating at 255 */
	bool flipped;		    /* Zeek swapped originator and responder ('^') */
	bool is_partial;	    /* Zeek's is_partial (no clean SYN start) */
	uint8_t first_packet_seen;  /* Zeek's ORIG (1) / RESP (2) bits */
	uint8_t history_len;
	char history[ZEEK_HISTORY_MAX];
};

void zeek_init(struct zeek_conn *zc);
/* Frees what zeek_packet() allocated (zc is then finished with). */
void zeek_release(struct zeek_conn *zc);

/*
 * Feeds one packet. from_server is tcpscope's view of the sender (0 client,
 * 1 server); the module keeps Zeek's own originator/responder orientation.
 * bad_checksum: the packet's checksum was verified and is wrong ('C'); Zeek
 * then counts it and ignores the rest of the packet.
 */
void zeek_packet(struct zeek_conn *zc, int from_server, const struct packet *pkt, bool bad_checksum);

/* Zeek's conn_state ("S0", "SF", ...) for what has been fed so far. */
const char *zeek_conn_state(const struct zeek_conn *zc);
/* Zeek's history string (NUL-terminated). */
const char *zeek_history(const struct zeek_conn *zc);

#endif
