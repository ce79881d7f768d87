/*
 * analysis-labels.c - Wireshark's per-packet TCP analysis flags, rebuilt.
 *
 * People compare tcpscope with Wireshark, so each label here (labels.def)
 * fires exactly where tshark 4.0 sets the tcp.analysis.* flag of the same
 * name. The rules follow the TCP dissector's sequence analysis, step by step
 * and in its order, because the order matters: some rules end the checks for
 * the packet and several share state. For one packet:
 *
 *   1. what dissect_tcp() does before the analysis: a SYN repeating the
 *      direction's ISN restores nextseq, a SYN-ACK with a new ISN resets the
 *      base;
 *   2. the analysis proper (zero window probe, zero window, lost segment,
 *      keep-alive, window update, window full, keep-alive ACK, zero window
 *      probe ACK, duplicate ACK, ACKed unseen segment, then the
 *      retransmission family), then the updates of nextseq, maxseqtobeacked,
 *      window, lastack and the remembered label bits;
 *   3. what dissect_tcp() does after it: the SYN time and first RTT (the
 *      out-of-order threshold), is_first_ack, the window scale option and the
 *      handshake's verdict on scaling;
 *   4. the option-level flags: D-SACK and TFO SYN, and the ECN bits of the
 *      IP and TCP headers (CE, ECE, CWR).
 *
 * Four deliberate differences here (docs/analysis-vs-wireshark.md; the
 * fifth, known flags instead of 0 sentinels, is in analysis-labels.h):
 *  - Linux probes a zero window with seq = SND.UNA-1 and no payload, which
 *    Wireshark calls a keep-alive; here it is a zero_window_probe when the
 *    peer's last window was zero, and the peer's answer a
 *    zero_window_probe_ack. Only the labels change: the state evolves
 *    exactly as Wireshark's does.
 *  - Wireshark keeps a list of unacknowledged segments, at most 10 000 per
 *    direction, and once it is full a SYN or FIN no longer adds one to
 *    nextseq (the +1 is computed inside the "add to the list" branch), so a
 *    FIN after a long unacknowledged run is never seen as sent. This module
 *    keeps no list and always counts the SYN or FIN.
 *  - An RST never moves nextseq (it occupies no sequence space; a closed
 *    port's RST has seq 0, RFC 9293 §3.10.7.1); Wireshark lets it.
 *  - The ack field of a packet without the ACK bit is no acknowledgement
 *    (RFC 9293 §3.1): the spurious and window full rules use the peer's
 *    last packet with the bit; Wireshark takes the field whatever the
 *    flags. (Fast retransmission, which needs duplicate ACKs, uses the
 *    field as Wireshark does.)
 *
 * State lives in the caller's struct label_flow (no allocation). Wireshark's
 * "0 means unknown" is kept for times, not for sequence numbers (see
 * analysis-labels.h).
 */
#include "config.h"

#include <string.h>

#include "analysis-labels.h"
#include "tcp-seq.h"

#define LABELS_NS_PER_MS 1000000LL
#define LABELS_FAST_RETRANS_NS (20 * LABELS_NS_PER_MS)
#define LABELS_DEFAULT_OOO_NS (3 * LABELS_NS_PER_MS)
#define LABELS_MAX_WSCALE 14

/*
 * Wireshark marks "ACKed unseen segment reported" by storing -1 in the
 * unsigned duplicate-ACK counter, so the mark also passes the ">= 2 duplicate
 * ACKs" test of fast retransmission; the same value is kept here.
 */
#define LABELS_DUPACK_MARK UINT32_MAX

#define LABEL_BIT(id) (1u << (L_##id))

/* Everything one labels_analyze() call needs about the packet. */
struct labels_seg {
	uint32_t seq, ack, seglen, window;
	uint8_t flags;
	uint64_t frame;
	int64_t now;
};

void labels_init(struct label_flow *lf)
{
	memset(lf, 0, sizeof *lf);
	for (int d = 0; d < 2; d++) {
		/* Wireshark: the window starts at G_MAXUINT32, the scale unknown. */
		lf->dir[d].window = UINT32_MAX;
		lf->dir[d].win_scale = -1;
	}
}

/* Neither SYN, FIN nor RST: the segments the window and ACK rules look at. */
static bool labels_plain(uint8_t flags)
{
	return (flags & (TCP_SYN | TCP_FIN | TCP_RST)) == 0;
}

/* Nanoseconds since then, as an unsigned count: a clock going backwards gives a huge value. */
static uint64_t labels_since(int64_t now, int64_t then)
{
	return (uint64_t)now - (uint64_t)then;
}

/*
 * Before the analysis, dissect_tcp() looks at SYNs on a known conversation.
 * Wireshark: a SYN (without ACK) repeating the direction's base sequence
 * number is a retransmitted SYN; nextseq falls back to maxseqtobeacked (in
 * Wireshark because an RST may have moved nextseq, which labels_advance()
 * never lets it do; here it still undoes a jump past a gap). A SYN with
 * another ISN starts a new conversation: that is the engine's business (a
 * new flow, a fresh label_flow).
 * Wireshark: a SYN-ACK whose seq is not the direction's base sequence number
 * takes that seq as the new base.
 */
static uint32_t labels_before(struct label_dir *fwd, const struct labels_seg *s)
{
	if (!fwd->base_set || !(s->flags & TCP_SYN))
		return 0;
	if (!(s->flags & TCP_ACK)) {
		if (s->seq == fwd->base_seq) {
			fwd->nextseq = fwd->maxseqtobeacked;
			fwd->nextseq_known = fwd->maxseqtobeacked_known;
		}
	} else if (s->seq != fwd->base_seq) {
		/* Wireshark also calls it reused ports (a new SYN-ACK, no new stream). */
		fwd->base_seq = s->seq;
		return LABEL_BIT(REUSED_PORTS);
	}
	return 0;
}

/*
 * Wireshark: the base sequence number is the SYN's seq, or seq - 1 for a
 * direction first seen mid-stream (so its first byte is 1). The peer's base is
 * guessed as ack - 1 from the first packet with the ACK bit, since a SYN's ack
 * field means nothing (RFC 9293 §3.1).
 */
static void labels_set_bases(struct label_dir *fwd, struct label_dir *rev, const struct labels_seg *s)
{
	if (!fwd->base_set) {
		fwd->base_seq = (s->flags & TCP_SYN) ? s->seq : s->seq - 1;
		fwd->base_set = true;
	}
	if (!rev->base_set && (s->flags & TCP_ACK)) {
		rev->base_seq = s->ack - 1;
		rev->base_set = true;
	}
}

/*
 * The window in bytes that Wireshark compares against for window_full: the
 * peer's last raw window, scaled by its shift unless scaling is off (-2) or
 * the peer has not sent an ACK without SYN since its SYN (a SYN's window is
 * never scaled, RFC 7323 §2.2). Arithmetic is 32-bit, as in Wireshark.
 */
static uint32_t labels_peer_window(const struct label_dir *rev)
{
	int shift = (rev->is_first_ack || rev->win_scale == -2) ? 0 : rev->win_scale;
	return rev->window << shift;
}

/* The rules up to Wireshark's "finished_fwd" label; returns the flag bits. */
static uint32_t labels_window_and_ack_rules(struct label_dir *fwd, struct label_dir *rev, const struct labels_seg *s,
					    struct label_result *out)
{
	uint32_t ws = 0;
	bool plain = labels_plain(s->flags);

	/*
	 * Wireshark: a zero window probe is exactly one byte at the next expected
	 * sequence number while the peer's window is zero (RFC 9293 §3.8.6.1).
	 * It ends the checks of this group.
	 */
	if (s->seglen == 1 && fwd->nextseq_known && s->seq == fwd->nextseq && rev->window == 0)
		return LABEL_BIT(ZERO_WINDOW_PROBE);

	/* Wireshark: a zero window is a window of 0 on a packet without SYN, FIN or RST. */
	if (s->window == 0 && plain)
		ws |= LABEL_BIT(ZERO_WINDOW);

	/*
	 * Wireshark: a segment starting beyond nextseq means an earlier segment
	 * was not captured ("previous segment not captured"); never for RST, and
	 * only once something was seen in this direction.
	 */
	if (fwd->nextseq_known && SEQ_GT(s->seq, fwd->nextseq) && !(s->flags & TCP_RST))
		ws |= LABEL_BIT(LOST_SEGMENT);

	/*
	 * Wireshark: a keep-alive carries zero or one byte and starts one byte
	 * before nextseq (RFC 9293 §3.8.4); SYN, FIN and RST never are.
	 */
	if (s->seglen <= 1 && s->seq == fwd->nextseq - 1 && plain)
		ws |= LABEL_BIT(KEEP_ALIVE);

	/*
	 * Wireshark: a window full segment carries data that reaches exactly the
	 * right edge of the peer's window (the ack + window of its last packet),
	 * provided the peer's scaling is known; never SYN, FIN or RST. Without
	 * the ACK bit that packet's ack field means nothing (RFC 9293 §3.1), so
	 * it gives no edge here (Wireshark takes it anyway). The rules after this
	 * are all for plain segments without data that repeat the direction's
	 * previous seq and ack field.
	 */
	if (s->seglen > 0) {
		if (rev->win_scale != -1 && (rev->last_flags & TCP_ACK) &&
		    s->seq + s->seglen == rev->lastack + labels_peer_window(rev) && plain)
			ws |= LABEL_BIT(WINDOW_FULL);
		return ws;
	}
	if (!plain || !(fwd->nextseq_known && s->seq == fwd->nextseq && fwd->lastack_known && s->ack == fwd->lastack))
		return ws;

	/* Wireshark: a window update has a new non-zero window. */
	if (s->window != 0 && s->window != fwd->window)
		ws |= LABEL_BIT(WINDOW_UPDATE);

	/*
	 * Wireshark: a keep-alive ACK repeats the direction's previous seq, ack
	 * and non-zero window, right after a keep-alive from the peer. It ends
	 * the checks of this group.
	 */
	if (s->window != 0 && s->window == fwd->window && (rev->last_labels & LABEL_BIT(KEEP_ALIVE)))
		return ws | LABEL_BIT(KEEP_ALIVE_ACK);

	/*
	 * Wireshark: a zero window probe ACK repeats seq, ack and the zero window
	 * right after a zero window probe from the peer. It ends the group too.
	 */
	if (s->window == 0 && s->window == fwd->window && (rev->last_labels & LABEL_BIT(ZERO_WINDOW_PROBE)))
		return ws | LABEL_BIT(ZERO_WINDOW_PROBE_ACK);

	/*
	 * Wireshark: a duplicate ACK has no data and repeats the direction's
	 * previous seq, ack and non-zero window (RFC 5681 §2 counts them). The
	 * count restarts at 1 after an "ACKed unseen segment" mark.
	 * (Wireshark skips this for MPTCP subflows whose MPTCP options changed;
	 * the decoded packet does not carry enough to tell.)
	 */
	if (s->window != 0 && s->window == fwd->window) {
		fwd->dupacknum = fwd->dupacknum == LABELS_DUPACK_MARK ? 1 : fwd->dupacknum + 1;
		ws |= LABEL_BIT(DUPLICATE_ACK);
		out->dupack_num = fwd->dupacknum;
		out->dupack_frame = fwd->lastnondupack;
	}
	return ws;
}

/*
 * Wireshark: a packet with the ACK bit acknowledging beyond what the peer was
 * seen to send contiguously (maxseqtobeacked) acknowledges an unseen segment;
 * only once the peer's data is known. To report one loss once: if the peer
 * sent more since, its limit jumps to its nextseq; otherwise the peer's
 * duplicate-ACK counter serves as a "reported" mark until the peer's ack
 * moves.
 */
static uint32_t labels_ack_lost(struct label_dir *rev, const struct labels_seg *s)
{
	uint32_t ws = 0;

	if (!rev->maxseqtobeacked_known || !SEQ_GT(s->ack, rev->maxseqtobeacked) || !(s->flags & TCP_ACK))
		return 0;
	if (SEQ_LT(rev->maxseqtobeacked, rev->nextseq)) {
		rev->maxseqtobeacked = rev->nextseq;
		rev->maxseqtobeacked_known = rev->nextseq_known;
		ws |= LABEL_BIT(ACK_LOST_SEGMENT);
	} else {
		if (rev->dupacknum == 0)
			ws |= LABEL_BIT(ACK_LOST_SEGMENT);
		rev->dupacknum = LABELS_DUPACK_MARK;
	}
	return ws;
}

/*
 * Wireshark's retransmission family, for segments with data, SYN or FIN that
 * do not advance nextseq, in its order: spurious, fast, out-of-order, plain.
 */
static uint32_t labels_retransmission(const struct label_flow *lf, const struct label_dir *fwd,
				      const struct label_dir *rev, const struct labels_seg *s, uint32_t ws)
{
	uint32_t syn_fin = (s->flags & (TCP_SYN | TCP_FIN)) ? 1 : 0;

	if (s->seglen == 0 && !syn_fin)
		return 0;
	/* Wireshark: a keep-alive is never a retransmission. */
	if (ws & LABEL_BIT(KEEP_ALIVE))
		return 0;

	bool not_advanced = fwd->nextseq_known && SEQ_LT(s->seq, fwd->nextseq);
	/*
	 * Wireshark: more than one byte starting at nextseq - 1 adds new data
	 * after a possible zero window probe byte; not a retransmission.
	 */
	if (s->seglen > 1 && fwd->nextseq - 1 == s->seq)
		not_advanced = false;

	/*
	 * Wireshark: data the peer had already acknowledged (it ends at or below
	 * the peer's last acknowledgement) is a spurious retransmission (RFC 3522
	 * §1). Wireshark takes the ack field of the peer's last packet even
	 * without the ACK bit; that field means nothing then (RFC 9293 §3.1), so
	 * here the acknowledgement is that of the peer's last packet with the bit.
	 */
	if (s->seglen > 0 && rev->acked_known && SEQ_LEQ(s->seq + s->seglen, rev->acked))
		return LABEL_BIT(SPURIOUS_RETRANSMISSION) | LABEL_BIT(RETRANSMISSION);

	/*
	 * Wireshark (fast retransmission superseding out-of-order, its default):
	 * the segment the peer asked for with two or more duplicate ACKs, sent
	 * within 20 ms of the peer's last packet (RFC 5681 §3.2).
	 */
	if (not_advanced && rev->dupacknum >= 2 && rev->lastack == s->seq &&
	    labels_since(s->now, rev->lastack_time_ns) < LABELS_FAST_RETRANS_NS)
		return LABEL_BIT(FAST_RETRANSMISSION) | LABEL_BIT(RETRANSMISSION);

	/*
	 * Wireshark: out-of-order if it comes sooner after the segment that last
	 * moved nextseq than the first RTT (3 ms while unknown) allows for a
	 * retransmission, unless it ends exactly at nextseq.
	 */
	uint64_t threshold = lf->first_rtt_ns != 0 ? (uint64_t)lf->first_rtt_ns : (uint64_t)LABELS_DEFAULT_OOO_NS;
	if (not_advanced && labels_since(s->now, fwd->nextseq_time_ns) < threshold &&
	    fwd->nextseq != s->seq + s->seglen + syn_fin)
		return LABEL_BIT(OUT_OF_ORDER);

	/* Wireshark: anything else that does not advance nextseq is a retransmission. */
	return not_advanced ? LABEL_BIT(RETRANSMISSION) : 0;
}

/*
 * Wireshark: nextseq takes the highest seq + len (+1 for SYN or FIN) seen,
 * or whatever comes first; maxseqtobeacked follows it while segments arrive
 * contiguously. A zero window probe moves neither (its byte may be refused).
 * Nor does an RST: it occupies no sequence space, and its seq need not be
 * in the sender's (RFC 9293 §3.10.7.1: an RST answering a segment without
 * ACK, e.g. a SYN to a closed port, has seq 0).
 * Wireshark lets it set nextseq like a data segment; only its "0 = unknown"
 * sentinel keeps that common seq-0 RST from poisoning the next attempt's
 * SYN-ACK and data (docs/analysis-vs-wireshark.md, difference 4).
 */
static void labels_advance(struct label_dir *fwd, const struct labels_seg *s, uint32_t ws)
{
	if (ws & LABEL_BIT(ZERO_WINDOW_PROBE))
		return;
	if (s->flags & TCP_RST)
		return;
	uint32_t end = s->seq + s->seglen + ((s->flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
	if (!fwd->nextseq_known || SEQ_GT(end, fwd->nextseq)) {
		fwd->nextseq = end;
		fwd->nextseq_known = true;
		fwd->nextseq_time_ns = s->now;
	}
	if (!fwd->maxseqtobeacked_known || s->seq == fwd->maxseqtobeacked) {
		fwd->maxseqtobeacked = fwd->nextseq;
		fwd->maxseqtobeacked_known = fwd->nextseq_known;
	}
}

/*
 * What dissect_tcp() does after the analysis. Wireshark: the first RTT runs
 * from the most recent SYN to the first packet with ACK and without SYN, in
 * either direction. A SYN sets is_first_ack, an ACK without SYN clears it. A
 * window scale option (RFC 7323 §2.3, shift capped at 14) sets the sender's
 * scale; on a SYN, an absent option means no scaling for both directions,
 * and a SYN-ACK cannot turn scaling on that the SYN did not offer.
 */
static void labels_after(struct label_flow *lf, struct label_dir *fwd, struct label_dir *rev, const struct packet *pkt,
			 const struct labels_seg *s)
{
	bool ack_only = (s->flags & (TCP_SYN | TCP_ACK)) == TCP_ACK;

	if (s->flags & TCP_SYN) {
		if (!(s->flags & TCP_ACK))
			lf->syn_time_ns = s->now;
		fwd->is_first_ack = true;
	}
	if (ack_only && lf->syn_time_ns != 0 && lf->first_rtt_ns == 0)
		lf->first_rtt_ns = s->now - lf->syn_time_ns;
	if (ack_only)
		fwd->is_first_ack = false;

	if (pkt->opt.has_wscale)
		fwd->win_scale = pkt->opt.wscale > LABELS_MAX_WSCALE ? LABELS_MAX_WSCALE : pkt->opt.wscale;
	if (s->flags & TCP_SYN) {
		if (fwd->win_scale == -1) {
			fwd->win_scale = -2;
			rev->win_scale = -2;
		} else if ((s->flags & TCP_ACK) && rev->win_scale == -2) {
			fwd->win_scale = -2;
		}
	}
}

/*
 * Wireshark's D-SACK test (RFC 2883 §4): the first SACK block ends at or
 * below the ack, or it ends inside the second block (past the second's left
 * edge, not past its right edge; where it starts is not checked). Wireshark
 * compares relative numbers; without the ACK bit its ack stays absolute
 * while the blocks are made relative, and that is reproduced.
 */
static bool labels_dsack(const struct label_dir *rev, const struct packet *pkt)
{
	const struct tcp_options *o = &pkt->opt;

	if (o->sack_count == 0)
		return false;
	uint32_t base = rev->base_seq;
	uint32_t ack = (pkt->flags & TCP_ACK) ? pkt->ack - base : pkt->ack;
	uint32_t right0 = o->sack[0].right - base;
	if (SEQ_LEQ(right0, ack))
		return true;
	if (o->sack_count < 2)
		return false;
	uint32_t left1 = o->sack[1].left - base, right1 = o->sack[1].right - base;
	return SEQ_LT(left1, right0) && SEQ_GEQ(right1, right0);
}

/*
 * Wireshark: a TFO SYN is a SYN without ACK carrying a Fast Open cookie (not
 * a cookie request), RFC 7413 §4.1.
 */
static bool labels_tfo_syn(const struct packet *pkt)
{
	return (pkt->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && pkt->opt.has_tfo && pkt->opt.tfo_cookie_len > 0;
}

/*
 * The deliberate difference: Linux's zero window probe (RFC 9293 §3.8.6.1
 * lets the probe be any segment; Linux sends seq = SND.UNA-1 without data)
 * while the peer's last window was zero. Wireshark flags it as a keep-alive.
 */
static bool labels_linux_zwp(const struct label_dir *rev, const struct labels_seg *s, uint32_t ws)
{
	return (ws & LABEL_BIT(KEEP_ALIVE)) && s->seglen == 0 && rev->window == 0;
}

/*
 * ECN (RFC 3168): the CE codepoint of the IP header (§5) and the ECE and
 * CWR flags (§6.1), whatever the segment; on a SYN they negotiate ECN
 * (§6.1.1). Header bits, set here so that they show and count like the
 * other labels; no rule above depends on them. Accurate ECN (RFC 9768
 * §3.1.1) is asked for by a SYN with AE, CWR and ECE, and agreed by a
 * SYN-ACK with AE, CWR, ECE = 010, 011, 100 or 110; from then on the
 * three bits of every segment without SYN are the ACE counter (§3.2), no
 * echo and no window reduction, so they get no label (tshark agrees).
 */
static uint32_t labels_ecn(struct label_flow *lf, const struct packet *pkt)
{
	unsigned bits = (pkt->ae ? 4u : 0u) | ((pkt->flags & TCP_CWR) ? 2u : 0u) | ((pkt->flags & TCP_ECE) ? 1u : 0u);
	uint32_t ws = pkt->ip_ecn == 3 ? LABEL_BIT(ECN_CE) : 0;

	if ((pkt->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		lf->accecn_asked = bits == 7;
		lf->accecn = false;
	} else if (pkt->flags & TCP_SYN) {
		lf->accecn = lf->accecn_asked && (bits == 2 || bits == 3 || bits == 4 || bits == 6);
	} else if (lf->accecn) {
		return ws;
	}
	if (pkt->flags & TCP_ECE)
		ws |= LABEL_BIT(ECE);
	if (pkt->flags & TCP_CWR)
		ws |= LABEL_BIT(CWR);
	return ws;
}

void labels_analyze(struct label_flow *lf, int from_server, const struct packet *pkt, struct label_result *out)
{
	struct label_dir *fwd = &lf->dir[from_server ? 1 : 0];
	struct label_dir *rev = &lf->dir[from_server ? 0 : 1];
	struct labels_seg s = {
		.seq = pkt->seq,
		.ack = pkt->ack,
		.seglen = pkt->payload_len,
		.window = pkt->window,
		.flags = pkt->flags,
		.frame = pkt->frame,
		.now = pkt->time_ns,
	};

	memset(out, 0, sizeof *out);
	uint32_t reused = labels_before(fwd, &s);
	labels_set_bases(fwd, rev, &s);

	uint32_t ws = reused | labels_window_and_ack_rules(fwd, rev, &s, out);

	/* Wireshark: a new ack number restarts the duplicate-ACK count. */
	if (s.ack != fwd->lastack) {
		fwd->lastnondupack = s.frame;
		fwd->dupacknum = 0;
	}
	ws |= labels_ack_lost(rev, &s);
	ws |= labels_retransmission(lf, fwd, rev, &s, ws);
	labels_advance(fwd, &s, ws);

	/*
	 * Wireshark remembers the window, the ack field and its time for the next
	 * packet; the acknowledgement only moves with the ACK bit (RFC 9293 §3.1).
	 */
	fwd->window = s.window;
	fwd->lastack = s.ack;
	fwd->lastack_known |= (s.flags & TCP_ACK) || s.ack != 0;
	fwd->lastack_time_ns = s.now;
	if (s.flags & TCP_ACK) {
		fwd->acked = s.ack;
		fwd->acked_known = true;
	}

	if (labels_linux_zwp(rev, &s, ws))
		ws = (ws & ~LABEL_BIT(KEEP_ALIVE)) | LABEL_BIT(ZERO_WINDOW_PROBE);
	fwd->last_labels = ws;
	fwd->last_flags = s.flags;

	labels_after(lf, fwd, rev, pkt, &s);

	if (labels_dsack(rev, pkt))
		ws |= LABEL_BIT(DSACK);
	if (labels_tfo_syn(pkt))
		ws |= LABEL_BIT(TFO_SYN);
	out->mask = ws | labels_ecn(lf, pkt);
}

uint32_t labels_retransmitted_packets(const uint32_t counts[L_COUNT])
{
	return counts[L_RETRANSMISSION];
}

uint32_t labels_relative_seq(const struct label_flow *lf, int from_server, uint32_t seq)
{
	return seq - lf->dir[from_server ? 1 : 0].base_seq;
}

uint32_t labels_relative_ack(const struct label_flow *lf, int from_server, uint32_t ack)
{
	const struct label_dir *fwd = &lf->dir[from_server ? 1 : 0];
	const struct label_dir *rev = &lf->dir[from_server ? 0 : 1];

	return (fwd->last_flags & TCP_ACK) ? ack - rev->base_seq : ack;
}
