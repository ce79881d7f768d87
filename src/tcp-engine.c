/*
 * tcp-engine.c - RFC 9293 for an observer: the state of both endpoints and
 * the legality of every segment between them.
 *
 * A segment is judged in a fixed order: flag legality, options, then one of
 * four handlers by its control bits (RST, bare SYN, SYN-ACK, everything else),
 * then bookkeeping common to all (sequence space, windows, timestamps, RTT,
 * keep-alives). Within a segment the acknowledgement is processed before the
 * FIN, as RFC 9293 §3.10.7.4 orders them, which is what takes an active closer
 * straight from FIN-WAIT-1 to TIME-WAIT on a FIN+ACK. Every comparison of
 * sequence numbers uses the SEQ_* macros. Messages give raw numbers with the
 * relative ones (ISN = 0) in parentheses.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tcp-engine.h"
#include "tcp-seq.h"
#include "xalloc.h"

enum { MAX_WSCALE = 14 }; /* RFC 7323 §2.3 */

void tcp_engine_raise(const struct segment_ctx *sc, enum finding_id id, const char *fmt, ...)
{
	char message[FINDING_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	sc->raise(sc->raise_ctx, sc, id, message);
}

void tcp_engine_raise_once(const struct segment_ctx *sc, enum finding_id id, const char *fmt, ...)
{
	uint64_t *word = &sc->flow->reported[id / 64], bit = UINT64_C(1) << (id % 64);
	if (*word & bit)
		return;
	*word |= bit;
	char message[FINDING_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	sc->raise(sc->raise_ctx, sc, id, message);
}

static const char *side_name(int side)
{
	return side == SIDE_CLIENT ? "client" : "server";
}

/* A sequence number relative to an endpoint's ISN (raw if the ISN is unknown). */
static uint32_t rel(const struct endpoint *ep, uint32_t seq)
{
	return ep->syn_sent ? seq - ep->isn : seq;
}

static void set_state(struct endpoint *ep, enum tcp_state s)
{
	ep->state = s;
}

static void enter_time_wait(struct endpoint *ep, const struct segment_ctx *sc)
{
	set_state(ep, TCPS_TIME_WAIT);
	ep->time_wait_until = sc->pkt->time_ns + 2 * sc->msl_ns;
}

void tcp_engine_expire_time_wait(struct flow *f, int64_t now_ns)
{
	for (int side = 0; side < 2; side++)
		if (f->ep[side].state == TCPS_TIME_WAIT && now_ns >= f->ep[side].time_wait_until)
			set_state(&f->ep[side], TCPS_CLOSED);
}

/* The window shift of a's advertisements, b being its peer. */
static int window_shift(const struct endpoint *a, const struct endpoint *b)
{
	if (!a->syn_sent || !b->syn_sent)
		return -1;
	/* RFC 7323 §2.2: scaling applies only when both SYNs carried the option. */
	if (a->wscale < 0 || b->wscale < 0)
		return 0;
	return a->wscale > MAX_WSCALE ? MAX_WSCALE : a->wscale;
}

int tcp_engine_window_shift(const struct flow *f, int side)
{
	return window_shift(&f->ep[side], &f->ep[!side]);
}

/* ---- Options ---------------------------------------------------------- */

static void record_syn_options(struct endpoint *ep, const struct segment_ctx *sc)
{
	const struct tcp_options *o = &sc->pkt->opt;
	ep->has_mss = o->has_mss;
	ep->mss = o->mss;
	ep->wscale = o->has_wscale ? o->wscale : -1;
	ep->sack_permitted = o->sack_permitted;
	ep->timestamps = o->has_timestamps;
	ep->tfo = o->has_tfo;
	if (o->has_wscale && o->wscale > MAX_WSCALE)
		tcp_engine_raise(sc, F_OPT_WSCALE_TOO_LARGE, "window scale shift %u > 14, treated as 14", o->wscale);
}

static void check_options(const struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	const struct tcp_options *o = &p->opt;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;

	if (!(p->flags & TCP_SYN) && (o->has_mss || o->has_wscale || o->sack_permitted))
		tcp_engine_raise(sc, F_OPT_SYN_ONLY, "%s%s%s on a segment without SYN", o->has_mss ? "MSS " : "",
				 o->has_wscale ? "window-scale " : "", o->sack_permitted ? "SACK-permitted " : "");

	if (rcv->has_mss && p->payload_len > rcv->mss && !(p->flags & TCP_SYN))
		tcp_engine_raise_once(sc, F_OPT_MSS_EXCEEDED, "%u-byte payload exceeds the %s's MSS of %u (segmentation offload?)",
			   p->payload_len, side_name(!sc->side), rcv->mss);

	/* RFC 7323 §3.2: once negotiated, every non-RST segment carries TSopt. */
	if (snd->syn_sent && rcv->syn_sent && snd->timestamps && rcv->timestamps && !o->has_timestamps &&
	    !(p->flags & (TCP_RST | TCP_SYN)))
		tcp_engine_raise_once(sc, F_OPT_TIMESTAMP_MISSING, "timestamps were negotiated but this %s segment has none",
			   side_name(sc->side));

	if (o->sack_count == 0)
		return;
	if (snd->syn_sent && rcv->syn_sent && !rcv->sack_permitted) {
		tcp_engine_raise(sc, F_OPT_SACK_NOT_PERMITTED,
				 "SACK blocks sent but the %s's SYN had no SACK-permitted", side_name(!sc->side));
		return;
	}
	/* RFC 2018 §3: [left, right) with left < right, inside what the peer sent. */
	for (int i = 0; i < o->sack_count; i++) {
		uint32_t l = o->sack[i].left, r = o->sack[i].right;
		if (!SEQ_LT(l, r)) {
			tcp_engine_raise(sc, F_OPT_SACK_INVALID, "SACK block %u-%u is empty or reversed", rel(rcv, l),
					 rel(rcv, r));
			return;
		}
		if (rcv->syn_sent && !rcv->gap_seen && (SEQ_GT(r, rcv->snd_nxt) || SEQ_LT(l, rcv->isn))) {
			tcp_engine_raise(sc, F_OPT_SACK_INVALID,
					 "SACK block %u-%u lies outside what the %s sent (up to %u)", rel(rcv, l),
					 rel(rcv, r), side_name(!sc->side), rel(rcv, rcv->snd_nxt));
			return;
		}
	}
}

/* ---- Flags ------------------------------------------------------------ */

/* RFC 9293 §3.1, §3.10.7: combinations no correct stack sends. */
static bool flags_illegal(const struct segment_ctx *sc)
{
	uint8_t fl = sc->pkt->flags;
	const char *why = NULL;
	if ((fl & (TCP_SYN | TCP_FIN)) == (TCP_SYN | TCP_FIN))
		why = "SYN+FIN";
	else if ((fl & (TCP_SYN | TCP_RST)) == (TCP_SYN | TCP_RST))
		why = "SYN+RST";
	else if (fl == 0)
		why = "no flags at all";
	else if ((fl & (TCP_FIN | TCP_ACK)) == TCP_FIN && tcp_state_synchronized(sc->snd->state))
		why = "FIN without ACK on a synchronized connection";
	if (!why)
		return false;
	tcp_engine_raise(sc, F_FLAGS_ILLEGAL, "illegal flags: %s", why);
	return true;
}

/* ---- RST -------------------------------------------------------------- */

/* Does ack acknowledge the peer's SYN (ISN+1, or ISN+1 plus its TFO data)? */
static bool acks_syn(const struct endpoint *peer, uint32_t ack)
{
	return ack == peer->isn + 1 || (peer->syn_payload && ack == peer->isn + 1 + peer->syn_payload);
}

/* Is the RST acceptable to its receiver? Raises the finding that says why not. */
static bool rst_acceptable(const struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;

	/* RFC 9293 §3.10.7.3: in SYN-SENT a RST counts only if it acknowledges the SYN. */
	if (rcv->state == TCPS_SYN_SENT) {
		uint32_t want = rcv->isn + 1;
		if ((p->flags & TCP_ACK) && (p->ack == want || (rcv->syn_payload && p->ack == want + rcv->syn_payload)))
			return true;
		tcp_engine_raise(sc, F_HS_RST_BAD_ACK, "RST answering a SYN %s %u (relative %u), expected ISN+1 = %u",
				 p->flags & TCP_ACK ? "acknowledges" : "has no ACK, ack field", p->ack,
				 rel(rcv, p->ack), want);
		return false;
	}
	if (!rcv->ack_sent)
		return true; /* nothing to judge against */
	/* RFC 5961 §3.2: exactly RCV.NXT resets; elsewhere in the window only draws a challenge ACK. */
	if (p->seq == rcv->last_ack || (snd->seen && p->seq == snd->snd_nxt))
		return true;
	int shift = window_shift(rcv, snd);
	uint32_t window = (uint32_t)rcv->last_window << (shift < 0 ? 0 : shift);
	uint32_t right = rcv->last_ack + window;
	if (SEQ_GEQ(p->seq, rcv->last_ack) && SEQ_LT(p->seq, right)) {
		tcp_engine_raise(sc, F_RESET_INEXACT,
				 "RST seq %u is in the window but not RCV.NXT %u: a challenge ACK is due",
				 rel(snd, p->seq), rel(snd, rcv->last_ack));
		return false;
	}
	if (shift < 0 && SEQ_GEQ(p->seq, rcv->last_ack))
		return true; /* window scale unknown: cannot tell, do not guess */
	tcp_engine_raise(sc, F_RESET_OUT_OF_WINDOW, "RST seq %u outside the %s's window [%u, %u): must be ignored",
			 rel(snd, p->seq), side_name(!sc->side), rel(snd, rcv->last_ack), rel(snd, right));
	return false;
}

static void handle_rst(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;

	if (p->payload_len > 0)
		tcp_engine_raise(sc, F_RESET_WITH_DATA, "RST carries %u bytes of payload", p->payload_len);
	if (snd->rst_sent || rcv->rst_sent)
		return; /* already reset: a CLOSED endpoint answering stray segments */
	if (snd->state == TCPS_SYN_SENT && rcv->ack_sent && p->seq == rcv->last_ack && !acks_syn(snd, rcv->last_ack)) {
		/*
		 * RFC 9293 §3.10.7.3: in SYN-SENT, an ACK that does not acknowledge our SYN
		 * is answered with <SEQ=SEG.ACK><CTL=RST> and we stay in SYN-SENT. The RST
		 * clears the peer's stale connection; the attempt goes on.
		 */
		set_state(rcv, TCPS_CLOSED);
		return;
	}
	if (!rst_acceptable(sc))
		return;
	if (rcv->state == TCPS_SYN_SENT && !snd->synack_sent)
		f->rejected = true;
	snd->rst_sent = true;
	snd->snd_at_reset = snd->snd_nxt;
	rcv->snd_at_reset = rcv->snd_nxt;
	f->reset = true;
	f->reset_by = sc->side;
	if (f->closed_first_by < 0)
		f->closed_first_by = sc->side;
	/* RFC 9293 §3.10.7.4: both ends go CLOSED; a passive SYN-RECEIVED returns to LISTEN. */
	set_state(snd, TCPS_CLOSED);
	set_state(rcv, rcv->state == TCPS_SYN_RECEIVED && rcv->passive ? TCPS_LISTEN : TCPS_CLOSED);
}

/* ---- SYN and SYN-ACK ---------------------------------------------------- */

static void handle_syn(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;

	if (snd->syn_sent) {
		if (p->seq != snd->isn) {
			if (tcp_state_synchronized(snd->state))
				tcp_engine_raise(sc, F_HS_SYN_IN_ESTABLISHED,
						 "SYN seq %u inside the synchronized connection (ISN %u)", p->seq,
						 snd->isn);
			else
				tcp_engine_raise(sc, F_HS_SYN_ISN_CHANGED, "SYN repeated with ISN %u instead of %u",
						 p->seq, snd->isn);
		}
		/* A retransmitted SYN changes nothing, unless the peer had closed a stale connection. */
		if (rcv->state == TCPS_CLOSED || rcv->state == TCPS_LISTEN || rcv->state == TCPS_UNKNOWN) {
			set_state(rcv, TCPS_SYN_RECEIVED);
			rcv->passive = true;
		}
		return;
	}
	snd->syn_sent = true;
	snd->isn = p->seq;
	snd->syn_payload = p->payload_len;
	snd->syn_time_ns = p->time_ns;
	snd->ecn_setup = (p->flags & (TCP_ECE | TCP_CWR)) == (TCP_ECE | TCP_CWR);
	record_syn_options(snd, sc);
	if (p->payload_len > 0 && !(p->opt.has_tfo && p->opt.tfo_cookie_len > 0))
		tcp_engine_raise(sc, F_HS_SYN_WITH_DATA, "SYN carries %u bytes without a TFO cookie", p->payload_len);

	if (rcv->syn_sent) {
		/* RFC 9293 §3.5 Figure 8: both ends sent SYN; each goes SYN-RECEIVED. */
		f->simultaneous_open = true;
		snd->bare_syn_after_peer = snd->state == TCPS_SYN_RECEIVED;
		tcp_engine_raise(sc, F_HS_SIMULTANEOUS_OPEN, "both ends sent SYN without ACK (%s SYN after the %s's)",
				 side_name(sc->side), side_name(!sc->side));
		set_state(snd, TCPS_SYN_RECEIVED);
		if (rcv->state == TCPS_SYN_SENT)
			set_state(rcv, TCPS_SYN_RECEIVED);
		return;
	}
	/* RFC 9293 §3.10.7.2: a LISTEN endpoint receiving a SYN goes SYN-RECEIVED. */
	set_state(snd, TCPS_SYN_SENT);
	if (rcv->state == TCPS_UNKNOWN || rcv->state == TCPS_CLOSED || rcv->state == TCPS_LISTEN) {
		set_state(rcv, TCPS_SYN_RECEIVED);
		rcv->passive = true;
	}
}

static void handle_synack(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;

	if (snd->synack_sent) {
		if (p->seq == snd->isn && p->ack == snd->synack_ack)
			tcp_engine_raise(sc, F_HS_SYNACK_RETRANSMITTED, "SYN-ACK sent again (ack %u)",
					 rel(rcv, p->ack));
		else
			tcp_engine_raise(sc, F_HS_SYNACK_CHANGED,
					 "SYN-ACK repeated with seq %u ack %u, first was seq %u ack %u", p->seq,
					 rel(rcv, p->ack), snd->isn, rel(rcv, snd->synack_ack));
		return;
	}
	bool first_packet = f->first_frame == p->frame;
	if ((sc->side == SIDE_CLIENT && !f->simultaneous_open) || (!rcv->syn_sent && !first_packet) ||
	    f->handshake_done) {
		tcp_engine_raise(sc, F_HS_SYNACK_UNSOLICITED, "SYN-ACK from the %s that no outstanding SYN asked for",
				 side_name(sc->side));
		return;
	}
	if (!snd->syn_sent) {
		snd->syn_sent = true;
		snd->isn = p->seq;
		snd->syn_time_ns = p->time_ns;
		record_syn_options(snd, sc);
	}
	snd->synack_sent = true;
	snd->synack_ack = p->ack;
	snd->ecn_setup = (p->flags & (TCP_ECE | TCP_CWR)) == TCP_ECE;
	if (snd->state == TCPS_UNKNOWN || snd->state == TCPS_CLOSED || snd->state == TCPS_LISTEN) {
		snd->passive = true;
		set_state(snd, TCPS_SYN_RECEIVED);
	}

	bool ack_ok = true;
	if (rcv->syn_sent && !acks_syn(rcv, p->ack)) {
		ack_ok = false;
		tcp_engine_raise(sc, F_HS_SYNACK_BAD_ACK, "SYN-ACK acknowledges %u (relative %u), expected ISN+1 = %u",
				 p->ack, rel(rcv, p->ack), rcv->isn + 1);
	}
	/* RFC 9293 §3.10.7.3 (SYN-SENT) and §3.10.7.4 (SYN-RECEIVED): an acceptable ACK establishes. */
	if (ack_ok && (rcv->state == TCPS_SYN_SENT || rcv->state == TCPS_SYN_RECEIVED || rcv->state == TCPS_UNKNOWN ||
		       rcv->state == TCPS_CLOSED)) {
		set_state(rcv, TCPS_ESTABLISHED);
		/* In a simultaneous open the second SYN-ACK completes the handshake. */
		if (snd->state == TCPS_ESTABLISHED) {
			f->handshake_done = true;
			if (f->irtt_ns < 0)
				f->irtt_ns = p->time_ns - f->ep[SIDE_CLIENT].syn_time_ns;
		}
	}
}

/* ---- ACK, data and FIN -------------------------------------------------- */

/* The third segment of the handshake (or the last of a simultaneous open). */
static void complete_handshake(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;

	/* Acceptable: acknowledges the peer's SYN and nothing it has not sent (RFC 9293 §3.10.7.4). */
	if (SEQ_LT(p->ack, rcv->isn + 1) || SEQ_GT(p->ack, rcv->snd_nxt)) {
		tcp_engine_raise(sc, F_HS_ACK_BAD_ACK,
				 "handshake ACK acknowledges %u (relative %u), expected ISN+1 = %u", p->ack,
				 rel(rcv, p->ack), rcv->isn + 1);
		return;
	}
	uint32_t want_seq = snd->isn + 1;
	if (snd->syn_payload && rcv->synack_ack == snd->isn + 1 + snd->syn_payload)
		want_seq += snd->syn_payload; /* TFO: the server accepted the SYN's data */
	if (snd->syn_sent && p->seq != want_seq && p->seq != snd->isn + 1)
		tcp_engine_raise(sc, F_HS_ACK_BAD_SEQ, "handshake ACK has seq %u (relative %u), expected %u", p->seq,
				 rel(snd, p->seq), want_seq);
	if (f->simultaneous_open && snd->bare_syn_after_peer && sc->side == SIDE_SERVER)
		tcp_engine_raise(sc, F_HS_SPLIT, "split handshake: the server answered the SYN with a bare SYN");
	set_state(rcv, TCPS_ESTABLISHED);
	f->handshake_done = true;
	const struct endpoint *opener = &f->ep[SIDE_CLIENT];
	if (opener->syn_sent && f->irtt_ns < 0)
		f->irtt_ns = p->time_ns - opener->syn_time_ns;
}

/* Processes the acknowledgement field: handshake completion and FIN acks. */
static void process_ack(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;

	if (rcv->state == TCPS_SYN_RECEIVED && tcp_state_synchronized(snd->state) && rcv->synack_sent)
		complete_handshake(sc);

	if (rcv->fin_sent) {
		if (SEQ_GT(p->ack, rcv->fin_seq + 1)) {
			tcp_engine_raise(sc, F_CLOSE_ACK_BEYOND_FIN, "ack %u is beyond the %s's FIN at %u (+1 = %u)",
					 rel(rcv, p->ack), side_name(!sc->side), rel(rcv, rcv->fin_seq),
					 rel(rcv, rcv->fin_seq + 1));
		} else if (!rcv->fin_acked && p->ack == rcv->fin_seq + 1) {
			rcv->fin_acked = true;
			/* RFC 9293 §3.10.7.4, "fifth, check the ACK field" for the closing states. */
			switch (rcv->state) {
			case TCPS_FIN_WAIT_1:
				set_state(rcv, TCPS_FIN_WAIT_2);
				break;
			case TCPS_CLOSING:
				enter_time_wait(rcv, sc);
				break;
			case TCPS_LAST_ACK:
				set_state(rcv, TCPS_CLOSED);
				break;
			default:
				break;
			}
		}
	} else if (rcv->syn_sent && !rcv->gap_seen && rcv->seen && SEQ_GT(p->ack, rcv->snd_nxt) &&
		   !rcv->beyond_pending) {
		/*
		 * The capture may simply show the ACK before the data (reordering at the
		 * capture point) or miss the data: judged when the flow ends, if the peer
		 * never sent those bytes after all.
		 */
		rcv->beyond_pending = true;
		rcv->beyond.ack = p->ack;
		rcv->beyond.frame = p->frame;
		rcv->beyond.time_ns = p->time_ns;
		rcv->beyond.sent_up_to = rcv->snd_nxt;
	}

	if (snd->ack_sent && SEQ_LT(p->ack, snd->last_ack)) {
		int shift = window_shift(snd, rcv);
		uint32_t window = (uint32_t)snd->last_window << (shift < 0 ? 0 : shift);
		if ((uint32_t)(snd->last_ack - p->ack) > window)
			tcp_engine_raise(sc, F_ACK_REGRESS, "ack went back from %u to %u, more than the window of %u",
					 rel(rcv, snd->last_ack), rel(rcv, p->ack), window);
	}
}

static void process_fin(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;
	uint32_t fin_seq = p->seq + p->payload_len;

	if (snd->fin_sent) {
		if (fin_seq == snd->fin_seq) {
			tcp_engine_raise(sc, F_CLOSE_FIN_RETRANSMITTED, "FIN at %u sent again", rel(snd, fin_seq));
			/* RFC 9293 §3.10.7.4: a FIN in TIME-WAIT restarts the 2 MSL timeout. */
			if (rcv->state == TCPS_TIME_WAIT)
				rcv->time_wait_until = p->time_ns + 2 * sc->msl_ns;
		} else {
			tcp_engine_raise(sc, F_CLOSE_FIN_SEQ_CHANGED, "FIN repeated at %u, first FIN was at %u",
					 rel(snd, fin_seq), rel(snd, snd->fin_seq));
		}
		return;
	}
	snd->fin_sent = true;
	snd->fin_seq = fin_seq;
	if (f->closed_first_by < 0)
		f->closed_first_by = sc->side;

	/* The sender's CLOSE (RFC 9293 §3.10.4). */
	bool peer_fin_unacked = rcv->fin_sent && !rcv->fin_acked;
	if (snd->state == TCPS_CLOSE_WAIT && peer_fin_unacked) {
		/* Our FIN crossed the peer's (it does not acknowledge it): simultaneous close. */
		tcp_engine_raise(sc, F_CLOSE_SIMULTANEOUS, "both ends sent FIN before either was acknowledged");
		set_state(snd, TCPS_CLOSING);
	} else if (snd->state == TCPS_CLOSE_WAIT) {
		set_state(snd, TCPS_LAST_ACK);
	} else if (snd->state == TCPS_ESTABLISHED || snd->state == TCPS_UNKNOWN || snd->state == TCPS_SYN_RECEIVED) {
		set_state(snd, TCPS_FIN_WAIT_1);
	}

	/* The receiver's "eighth, check the FIN bit" (RFC 9293 §3.10.7.4). */
	switch (rcv->state) {
	case TCPS_ESTABLISHED:
	case TCPS_UNKNOWN:
	case TCPS_SYN_RECEIVED:
		set_state(rcv, TCPS_CLOSE_WAIT);
		break;
	case TCPS_FIN_WAIT_1:
		set_state(rcv, TCPS_CLOSING);
		break;
	case TCPS_FIN_WAIT_2:
		enter_time_wait(rcv, sc);
		break;
	default:
		break;
	}
}

/* Checks the data a segment carries against the sender's and receiver's state. */
static void check_data(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;
	uint32_t len = p->payload_len;
	uint32_t end = p->seq + len;
	bool advances = !snd->seen || SEQ_GT(end, snd->snd_nxt);

	if (snd->syn_sent && SEQ_LT(p->seq, snd->isn))
		tcp_engine_raise(sc, F_SEQ_BELOW_ISN, "seq %u is before the %s's ISN %u", p->seq, side_name(sc->side),
				 snd->isn);
	if (len == 0)
		return;

	if (snd->state == TCPS_SYN_SENT)
		tcp_engine_raise(sc, F_HS_DATA_IN_SYN_SENT, "client sends %u bytes before any SYN-ACK", len);
	else if (snd->state == TCPS_SYN_RECEIVED && !f->simultaneous_open &&
		 !(rcv->syn_payload && snd->synack_ack == rcv->isn + 1 + rcv->syn_payload))
		tcp_engine_raise(sc, F_HS_DATA_BEFORE_ESTABLISHED,
				 "server sends %u bytes before the handshake ACK was seen", len);

	if (snd->fin_sent && rcv->fin_sent && snd->fin_acked && rcv->fin_acked && advances)
		tcp_engine_raise(sc, F_CLOSE_SEGMENT_AFTER_CLOSE,
				 "%u bytes of new data after both FINs were acknowledged", len);
	else if (snd->fin_sent && SEQ_GT(end, snd->fin_seq))
		tcp_engine_raise(sc, F_CLOSE_DATA_AFTER_FIN, "data up to %u beyond the %s's own FIN at %u",
				 rel(snd, end), side_name(sc->side), rel(snd, snd->fin_seq));
	else if (rcv->fin_sent && advances)
		tcp_engine_raise_once(sc, F_CLOSE_HALF_CLOSE, "%s keeps sending after the %s's FIN (half-close)",
			   side_name(sc->side), side_name(!sc->side));

	/* RFC 9293 §3.8.6: never beyond the receiver's right window edge (a 1-byte probe excepted). */
	if (rcv->edge_known && SEQ_GT(end, rcv->right_edge) && !(len == 1 && p->seq == rcv->right_edge))
		tcp_engine_raise(sc, F_SEQ_OUT_OF_WINDOW, "data up to %u beyond the %s's window edge %u", rel(snd, end),
				 side_name(!sc->side), rel(snd, rcv->right_edge));

	if (rcv->rst_sent && SEQ_GT(end, snd->snd_at_reset))
		tcp_engine_raise_once(sc, F_RESET_IGNORED, "%s keeps sending data after the %s's RST", side_name(sc->side),
			   side_name(!sc->side));
}

static void handle_segment(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;

	if (snd->state == TCPS_SYN_SENT && (p->flags & TCP_ACK) && p->ack != 0 && !rcv->synack_sent) {
		/* Only a SYN-ACK tells the client the ack value: the capture missed it (one-sided capture). */
		set_state(snd, TCPS_ESTABLISHED);
		f->synack_missed = true;
		if (rcv->state == TCPS_SYN_RECEIVED) {
			set_state(rcv, TCPS_ESTABLISHED);
			f->handshake_done = true;
		}
	}
	check_data(sc);
	if (!(p->flags & TCP_ACK)) {
		/* RFC 9293 §3.10.7.4 "fifth": without ACK the segment is dropped. */
		if (tcp_state_synchronized(snd->state) || snd->state == TCPS_UNKNOWN)
			tcp_engine_raise(sc, F_FLAGS_ACK_MISSING, "segment without ACK on a synchronized connection");
		return;
	}
	/* A bare ACK that acknowledges the client's SYN is a handshake ACK going the wrong way;
	 * one that does not is a stale connection's (challenge) ACK, answered by a RST. */
	if (snd->state == TCPS_SYN_RECEIVED && sc->side == SIDE_SERVER && !f->simultaneous_open &&
	    p->payload_len == 0 && !(p->flags & TCP_FIN) && rcv->state != TCPS_SYN_RECEIVED && rcv->syn_sent &&
	    acks_syn(rcv, p->ack))
		tcp_engine_raise(sc, F_HS_ACK_WRONG_DIRECTION,
				 "bare ACK from the server before the client completed the handshake");
	process_ack(sc);
	if (p->flags & TCP_FIN)
		process_fin(sc);

	/* An endpoint picked up mid-stream is ESTABLISHED once both directions behave normally. */
	if (!(p->flags & TCP_FIN))
		snd->normal_seen = true;
	if (snd->normal_seen && rcv->normal_seen)
		for (int side = 0; side < 2; side++)
			if (f->ep[side].state == TCPS_UNKNOWN)
				set_state(&f->ep[side], TCPS_ESTABLISHED);
}

/* ---- Bookkeeping common to every segment -------------------------------- */

/* Frees the RTT rings once the flow is finished: no samples are taken after that. */
static void release_rtt(struct flow *f)
{
	for (int side = 0; side < 2; side++) {
		free(f->ep[side].rtt_ring);
		f->ep[side].rtt_ring = NULL;
		f->ep[side].rtt_count = 0;
	}
	f->rtt_released = true;
}

static void rtt_on_send(struct endpoint *snd, uint32_t seq, uint32_t end, bool advances, int64_t now)
{
	if (!snd->rtt_ring) /* not cleared: only entries from rtt_head to rtt_count are ever read */
		snd->rtt_ring = xmalloc(RTT_RING * sizeof *snd->rtt_ring);
	if (!advances) {
		for (int i = 0; i < snd->rtt_count; i++) {
			struct rtt_segment *s = &snd->rtt_ring[(snd->rtt_head + i) % RTT_RING];
			if (SEQ_GT(s->end, seq) && SEQ_LEQ(s->end, end))
				s->retransmitted = true;
		}
		return;
	}
	if (snd->rtt_count == RTT_RING) {
		snd->rtt_head = (uint8_t)((snd->rtt_head + 1) % RTT_RING);
		snd->rtt_count--;
	}
	struct rtt_segment *s = &snd->rtt_ring[(snd->rtt_head + snd->rtt_count) % RTT_RING];
	s->end = end;
	s->sent_ns = now;
	s->retransmitted = false;
	snd->rtt_count++;
}

/* An ACK from the other side: the newest segment it covers gives a sample (Karn: not if retransmitted). */
static void rtt_on_ack(struct endpoint *data_sender, uint32_t ack, int64_t now)
{
	const struct rtt_segment *covered = NULL;
	while (data_sender->rtt_count > 0) {
		const struct rtt_segment *s = &data_sender->rtt_ring[data_sender->rtt_head];
		if (!SEQ_LEQ(s->end, ack))
			break;
		covered = s;
		data_sender->rtt_head = (uint8_t)((data_sender->rtt_head + 1) % RTT_RING);
		data_sender->rtt_count--;
	}
	if (!covered || covered->retransmitted)
		return;
	int64_t sample = now - covered->sent_ns;
	struct rtt_stats *r = &data_sender->rtt;
	if (r->samples == 0 || sample < r->min_ns)
		r->min_ns = sample;
	if (r->samples == 0 || sample > r->max_ns)
		r->max_ns = sample;
	r->sum_ns += sample;
	r->samples++;
}

static void account(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;
	uint8_t fl = p->flags;
	uint32_t end = p->seq + p->payload_len + !!(fl & TCP_SYN) + !!(fl & TCP_FIN);
	bool advances = !snd->seen || SEQ_GT(end, snd->snd_nxt);
	uint32_t retransmit_mask =
		1u << L_RETRANSMISSION | 1u << L_FAST_RETRANSMISSION | 1u << L_SPURIOUS_RETRANSMISSION;

	snd->packets++;
	snd->payload_bytes += p->payload_len;
	if (sc->labels.mask & retransmit_mask)
		snd->retrans_bytes += p->payload_len;
	if (snd->rst_sent && !(fl & TCP_RST) && sc->flow->reset_by == sc->side)
		tcp_engine_raise_once(sc, F_RESET_DATA_AFTER_RST, "the %s keeps sending after its own RST", side_name(sc->side));

	/* Sequence space: highest byte sent, gaps (capture losses), wrap-around. */
	if (!(fl & TCP_RST)) {
		if (snd->seen && SEQ_GT(p->seq, snd->snd_nxt))
			snd->gap_seen = true;
		if (advances) {
			if (snd->seen && end < snd->snd_nxt && !snd->wrapped) {
				snd->wrapped = true;
				tcp_engine_raise(sc, F_SEQ_WRAPPED, "the %s's sequence numbers wrapped past 2^32",
						 side_name(sc->side));
			}
			if (p->opt.has_timestamps && snd->ts_seen && SEQ_LT(p->opt.tsval, snd->last_tsval) && snd->seen)
				tcp_engine_raise(sc, F_OPT_TIMESTAMP_REGRESS, "TSval %u is older than the previous %u",
						 p->opt.tsval, snd->last_tsval);
			if ((p->payload_len > 0 || (fl & (TCP_SYN | TCP_FIN))) && !f->rtt_released)
				rtt_on_send(snd, p->seq, end, true, p->time_ns);
			snd->snd_nxt = end;
		} else if ((p->payload_len > 0 || (fl & (TCP_SYN | TCP_FIN))) && !f->rtt_released) {
			rtt_on_send(snd, p->seq, end, false, p->time_ns);
		}
		snd->seen = true;
	} else if (!snd->seen) {
		snd->snd_nxt = p->seq;
		snd->seen = true;
	}
	if (snd->beyond_pending && (SEQ_GEQ(end, snd->beyond.ack) || SEQ_GT(p->seq, snd->beyond.sent_up_to)))
		snd->beyond_pending = false; /* the bytes existed: a capture artefact, not a violation */
	if (p->opt.has_timestamps && (!snd->ts_seen || SEQ_GT(p->opt.tsval, snd->last_tsval))) {
		snd->last_tsval = p->opt.tsval;
		snd->ts_seen = true;
	}

	if (!(fl & TCP_ACK) || (fl & TCP_RST))
		return;
	rtt_on_ack(rcv, p->ack, p->time_ns);
	if (!snd->ack_sent || SEQ_GT(p->ack, snd->last_ack))
		snd->last_ack = p->ack;
	snd->ack_sent = true;
	snd->last_window = p->window;

	/* The right edge this endpoint advertises; SYN windows are never scaled (RFC 7323 §2.2). */
	int shift = (fl & TCP_SYN) ? 0 : window_shift(snd, rcv);
	if (shift >= 0) {
		uint32_t edge = p->ack + ((uint32_t)p->window << shift);
		uint32_t slack = (1u << shift) - 1; /* rounding of a scaled window */
		if (snd->prev_edge_known && SEQ_LT(edge + slack, snd->prev_edge) && !(fl & TCP_SYN))
			tcp_engine_raise(sc, F_WINDOW_SHRINK, "the %s's right window edge moved left from %u to %u",
					 side_name(sc->side), rel(rcv, snd->prev_edge), rel(rcv, edge));
		/* The SYN's unscaled window is no baseline for shrinking: scaled windows round down. */
		snd->prev_edge = edge;
		snd->prev_edge_known = !(fl & TCP_SYN);
		if (!snd->edge_known || SEQ_GT(edge, snd->right_edge))
			snd->right_edge = edge;
		snd->edge_known = true;
	}

	/* Zero-window time. */
	if (p->window == 0 && !(fl & TCP_SYN)) {
		if (snd->zero_window_since < 0)
			snd->zero_window_since = p->time_ns;
	} else if (snd->zero_window_since >= 0) {
		snd->zero_window_ns += p->time_ns - snd->zero_window_since;
		snd->zero_window_since = -1;
	}
}

/* Keep-alive probes and whether the peer answers them (RFC 1122 §4.2.3.6). */
static void track_keepalive(struct segment_ctx *sc)
{
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;
	rcv->keepalives_unanswered = 0; /* the sender answered whatever the peer probed */
	if (!(sc->labels.mask & (1u << L_KEEP_ALIVE)))
		return;
	if (snd->keepalives > 0)
		snd->keepalive_interval_sum_ns += sc->pkt->time_ns - snd->last_keepalive_ns;
	snd->keepalives++;
	snd->last_keepalive_ns = sc->pkt->time_ns;
	if (++snd->keepalives_unanswered >= 2)
		tcp_engine_raise_once(sc, F_KEEPALIVE_UNANSWERED, "%u keep-alive probes from the %s without an answer",
			   snd->keepalives_unanswered, side_name(sc->side));
}

void tcp_engine_segment(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	uint8_t fl = p->flags;

	sc->snd = &f->ep[sc->side];
	sc->rcv = &f->ep[!sc->side];
	tcp_engine_expire_time_wait(f, p->time_ns);
	if (!(fl & TCP_ACK) && p->ack != 0)
		tcp_engine_raise(sc, F_FLAGS_ACK_NONZERO, "ack field is %u while the ACK flag is clear", p->ack);
	if (flags_illegal(sc)) {
		sc->snd->packets++;
		sc->snd->payload_bytes += p->payload_len;
		return;
	}
	check_options(sc);
	if (fl & TCP_RST)
		handle_rst(sc);
	else if (fl & TCP_SYN && !(fl & TCP_ACK))
		handle_syn(sc);
	else if (fl & TCP_SYN)
		handle_synack(sc);
	else
		handle_segment(sc);
	account(sc);
	track_keepalive(sc);
	/* Nothing is left to time once both FINs are acknowledged or the flow was reset. */
	if (!f->rtt_released && (f->reset || (f->ep[0].fin_acked && f->ep[1].fin_acked)))
		release_rtt(f);
}

void tcp_engine_finish_flow(struct flow *f, tcp_engine_late_raise_fn raise, void *ctx)
{
	for (int side = 0; side < 2; side++) {
		struct endpoint *ep = &f->ep[side];
		if (!ep->beyond_pending)
			continue;
		ep->beyond_pending = false;
		char message[FINDING_MESSAGE_MAX];
		snprintf(message, sizeof message, "ack %u covers bytes the %s never sent (it sent up to %u)",
			 rel(ep, ep->beyond.ack), side_name(side), rel(ep, ep->beyond.sent_up_to));
		raise(ctx, f, F_ACK_BEYOND_SENT, ep->beyond.frame, ep->beyond.time_ns, message);
	}
}
