/*
 * analysis-labels.h - per-packet analysis labels with Wireshark's semantics.
 *
 * This module reproduces the rules of Wireshark's TCP dissector
 * (tcp_analyze_sequence_number() and friends in epan/dissectors/packet-tcp.c)
 * so that tcpscope's labels (labels.def) can be compared one to one with
 * tshark's tcp.analysis.* flags, plus the documented deliberate differences
 * (docs/analysis-vs-wireshark.md). It keeps its own per-flow state, separate
 * from the RFC 9293 engine: each flow holds a struct label_flow, and the
 * pipeline (engine.c) calls labels_analyze() once per TCP packet of that flow,
 * in capture order, and hands the labels to the analyses after the TCP engine
 * (analysis-measure.h, analysis-diagnose.h), never to the engine itself,
 * whose rules do not depend on them. No allocation; the state is fixed-size.
 *
 * Like Wireshark, the state uses 0 as "not known yet" for the SYN time and a
 * window of UINT32_MAX before a direction has sent anything. Sequence numbers
 * get explicit "known" flags instead of Wireshark's 0 sentinel, so that a
 * sequence space wrapping to exactly 0 is analysed like any other (a
 * documented difference from Wireshark).
 */
#ifndef TCPSCOPE_ANALYSIS_LABELS_H
#define TCPSCOPE_ANALYSIS_LABELS_H

#include <stdbool.h>
#include <stdint.h>

#include "findings.h"
#include "packet.h"

/* What one direction has sent, as Wireshark's tcp_flow_t tracks it (grouped by size: no padding). */
struct label_dir {
	int64_t nextseq_time_ns;  /* when nextseq last moved */
	int64_t lastack_time_ns;  /* time of this direction's last packet */
	uint64_t lastnondupack;	  /* frame of the last ACK that changed the ack number */
	uint32_t base_seq;	  /* seq of the SYN, or first seq - 1 mid-stream */
	uint32_t nextseq;	  /* highest seq + len (+1 for SYN/FIN) seen */
	uint32_t maxseqtobeacked; /* end of the contiguous data seen */
	uint32_t lastack;	  /* ack field of this direction's last packet, ACK bit or not */
	uint32_t acked;		  /* ack of this direction's last packet with the ACK bit */
	uint32_t dupacknum;	  /* duplicate ACKs in a row; UINT32_MAX marks an ACKed unseen segment */
	uint32_t window;	  /* raw window of the last packet; UINT32_MAX before any */
	uint32_t last_labels;	  /* label bits of this direction's last packet */
	int8_t win_scale;	  /* shift; -1 unknown, -2 no scaling (per the handshake) */
	uint8_t last_flags;	  /* TCP flags of this direction's last packet */
	bool base_set;		  /* base_seq is known */
	/*
	 * Wireshark takes 0 to mean "not seen yet" for these three, which breaks
	 * when a sequence space wraps to exactly 0; explicit flags keep a wrapping
	 * flow's analysis identical to any other (SPEC §4.3).
	 */
	bool nextseq_known, maxseqtobeacked_known, lastack_known;
	bool acked_known;  /* acked holds an acknowledgement (RFC 9293 §3.1: only with the ACK bit) */
	bool is_first_ack; /* a SYN was sent and no ACK without SYN since */
};

struct label_flow {
	struct label_dir dir[2]; /* [0] = packets from the client, [1] = from the server */
	int64_t syn_time_ns;	 /* most recent SYN without ACK; 0 none */
	int64_t first_rtt_ns;	 /* most recent SYN to the first ACK without SYN; 0 unknown */
	bool accecn_asked;	 /* the latest SYN asked for Accurate ECN (AE, CWR and ECE set) */
	bool accecn;		 /* a SYN-ACK agreed: past the handshake the three bits are a counter */
};

struct label_result {
	uint32_t mask;	       /* bit (1u << L_*) for each label */
	uint32_t dupack_num;   /* with L_DUPLICATE_ACK: its number (1, 2, ...) */
	uint64_t dupack_frame; /* with L_DUPLICATE_ACK: the frame it duplicates */
};

void labels_init(struct label_flow *lf);

/*
 * Labels one packet. from_server is the sender's side (0 client, 1 server).
 * reused_ports is set here for a SYN-ACK with a new ISN (Wireshark labels it
 * without starting a new stream); engine.c sets it on a SYN that starts a
 * new incarnation. As in Wireshark,
 * fast_retransmission and spurious_retransmission come with retransmission
 * too (tshark's tcp.analysis.retransmission matches all three).
 */
void labels_analyze(struct label_flow *lf, int from_server, const struct packet *pkt, struct label_result *out);

/* Probes: segments a sender sends outside its peer's window on purpose (keep-alive, zero-window probe). */
#define LABELS_PROBES (1u << L_KEEP_ALIVE | 1u << L_ZERO_WINDOW_PROBE)

/* Retransmissions of every kind. */
#define LABELS_RETRANSMISSIONS (1u << L_RETRANSMISSION | 1u << L_FAST_RETRANSMISSION | 1u << L_SPURIOUS_RETRANSMISSION)

/*
 * How many packets carry a retransmission label of any kind, from per-label
 * packet counts (counts[L_*], as in struct flow_summary): the RETX count of
 * the reports. Each packet counts once: fast and spurious retransmissions
 * always carry retransmission too (labels_analyze()), so they are not added.
 */
uint32_t labels_retransmitted_packets(const uint32_t counts[L_COUNT]);

/*
 * Relative sequence/ack numbers as Wireshark prints them (tcp.seq, tcp.ack)
 * for the packet just passed to labels_analyze() from that side. Without the
 * ACK flag tshark shows the ack field as it is on the wire, and so does
 * labels_relative_ack().
 */
uint32_t labels_relative_seq(const struct label_flow *lf, int from_server, uint32_t seq);
uint32_t labels_relative_ack(const struct label_flow *lf, int from_server, uint32_t ack);

#endif
