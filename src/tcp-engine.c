/*
 * tcp-engine.c - RFC 9293 for an observer: the state of both endpoints and
 * the legality of every segment between them. It holds the rules of RFC 9293
 * and of the companions it cites (RFC 2018, 5961, 6191, 6298, 7323, 7413)
 * and nothing else: no label, no diagnosis, no measurement but the
 * handshake's times, by which its delivery stage judges (time_handshake).
 *
 * A segment is judged in a fixed order: flag legality, options, then one of
 * four handlers by its control bits (RST, bare SYN, SYN-ACK, everything else),
 * then the rules common to all (check_common: a CLOSED sender, sequence space,
 * ACKs of bytes not sent, the window edge). Within a segment the
 * acknowledgement is processed before the FIN, as RFC 9293 §3.10.7.4 orders
 * them, which is what takes an active closer straight from FIN-WAIT-1 to
 * TIME-WAIT on a FIN+ACK. Every comparison of sequence numbers uses the SEQ_*
 * macros. Messages give raw numbers with the relative ones (ISN = 0) in
 * parentheses. What the analyses after it need of its verdicts it leaves in
 * struct segment_ctx (dropped, illegal_flags, advanced, the handshake steps);
 * it never reads their results.
 *
 * Where a new rule goes: a check of a segment as sent goes in the handler of
 * its control bits (handle_rst, handle_syn, handle_synack, handle_segment and
 * the process_* / check_* functions it calls), or in check_common if every
 * segment is held to it; its receiver's side in tcp_engine_deliver; a rule
 * about a SYN on a 4-tuple already in use in tcp_engine_starts_incarnation /
 * tcp_engine_judge_incarnation. A rule that changes a state does it only
 * through set_state() with the event that happened (tcp-state.h); if the move
 * is not in tcp-state.c's table, add it there with its RFC 9293 section (or a
 * named event saying which capture artefact it stands for) and to
 * docs/engine.md's transition table, which a test compares with the code's.
 * Each rule cites its RFC section. What is not a rule goes elsewhere: a
 * measurement to analysis-measure.c, a label to analysis-labels.c, a verdict
 * on a connection's health (legal but hurt) to analysis-diagnose.c.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "tcp-engine.h"
#include "tcp-seq.h"

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

/* A sequence number relative to an endpoint's ISN (raw if the ISN is unknown). */
static uint32_t rel(const struct endpoint *ep, uint32_t seq)
{
	return ep->syn_sent ? seq - ep->isn : seq;
}

/* Every state change: the move event makes from the endpoint's state, by the table of tcp-state.c. */
static enum tcp_state set_state(struct endpoint *ep, enum tcp_event event)
{
	return tcp_state_apply(&ep->state, event);
}

/*
 * A delivered segment's event. TIME-WAIT's 2 MSL run from the delivery that
 * entered it, and a FIN restarts them (RFC 9293 §3.10.7.4 "eighth").
 */
static void deliver_event(struct endpoint *rcv, enum tcp_event event, const struct pending_delivery *seg,
			  int64_t msl_ns)
{
	enum tcp_state before = rcv->state;
	if (set_state(rcv, event) == TCPS_TIME_WAIT && (before != TCPS_TIME_WAIT || event == TCPE_FIN_RECEIVED))
		rcv->time_wait_until = seg->time_ns + 2 * msl_ns;
}

void tcp_engine_expire_time_wait(struct flow *f, int64_t now_ns)
{
	for (int side = 0; side < 2; side++)
		if (f->ep[side].state == TCPS_TIME_WAIT && now_ns >= f->ep[side].time_wait_until)
			set_state(&f->ep[side], TCPE_TIME_WAIT_EXPIRED);
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
		tcp_engine_raise_once(sc, F_OPT_MSS_EXCEEDED,
				      "%u-byte payload exceeds the %s's MSS of %u (segmentation offload?)",
				      p->payload_len, flow_side_name(!sc->side), rcv->mss);

	/* RFC 7323 §3.2: once negotiated, every non-RST segment carries TSopt. */
	if (snd->syn_sent && rcv->syn_sent && snd->timestamps && rcv->timestamps && !o->has_timestamps &&
	    !(p->flags & (TCP_RST | TCP_SYN)))
		tcp_engine_raise_once(sc, F_OPT_TIMESTAMP_MISSING,
				      "timestamps were negotiated but this %s segment has none",
				      flow_side_name(sc->side));

	if (o->sack_count == 0)
		return;
	if (snd->syn_sent && rcv->syn_sent && !rcv->sack_permitted) {
		tcp_engine_raise(sc, F_OPT_SACK_NOT_PERMITTED,
				 "SACK blocks sent but the %s's SYN had no SACK-permitted", flow_side_name(!sc->side));
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
					 rel(rcv, r), flow_side_name(!sc->side), rel(rcv, rcv->snd_nxt));
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

/* Does ack acknowledge the peer's SYN? ISN+1, or with TFO up to all of its SYN's data (RFC 7413 §4.2). */
static bool acks_syn(const struct endpoint *peer, uint32_t ack)
{
	return SEQ_GEQ(ack, peer->isn + 1) && SEQ_LEQ(ack, peer->isn + 1 + peer->syn_payload);
}

/* Is the RST acceptable to its receiver? Raises the finding that says why not. */
static bool rst_acceptable(const struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;

	/* RFC 9293 §3.10.7.3: in SYN-SENT a RST counts only if it acknowledges the SYN. */
	if (rcv->state == TCPS_SYN_SENT) {
		if ((p->flags & TCP_ACK) && acks_syn(rcv, p->ack))
			return true;
		tcp_engine_raise(sc, F_HS_RST_BAD_ACK, "RST answering a SYN %s %u (relative %u), expected ISN+1 = %u",
				 p->flags & TCP_ACK ? "acknowledges" : "has no ACK, ack field", p->ack,
				 rel(rcv, p->ack), rcv->isn + 1);
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
			 rel(snd, p->seq), flow_side_name(!sc->side), rel(snd, rcv->last_ack), rel(snd, right));
	return false;
}

/*
 * An RST is applied to both ends when seen: what it proves about delivery
 * (tcp-delivery.h) is settled before, and nothing that was pending matters
 * once both ends are CLOSED.
 */
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
		 * clears the peer's stale connection (or its bad SYN-ACK); the attempt goes
		 * on, and the next SYN-ACK is judged afresh.
		 */
		set_state(rcv, rcv->passive ? TCPE_STALE_RST_PASSIVE : TCPE_RST_RECEIVED);
		rcv->synack_sent = false;
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
	set_state(snd, TCPE_RST_SENT);
	set_state(rcv, rcv->passive ? TCPE_RST_RECEIVED_PASSIVE : TCPE_RST_RECEIVED);
}

/* ---- SYN and SYN-ACK: the sender's side ---------------------------------- */

/* RFC 9293 §3.4.1: a connection keeps the ISN its SYN chose; a SYN repeated with another (why: what it means). */
static void raise_isn_changed(const struct segment_ctx *sc, uint32_t old_isn, const char *why)
{
	tcp_engine_raise(sc, F_HS_SYN_ISN_CHANGED, "SYN repeated with ISN %u instead of %u%s", sc->pkt->seq, old_isn,
			 why);
}

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
				raise_isn_changed(sc, snd->isn, "");
		} else if (snd->state == TCPS_SYN_SENT) {
			/* RFC 6298 §5, RFC 9293 §3.8.1: the SYN's timer fired, no SYN-ACK had reached it. */
			tcp_engine_raise(sc, F_HS_SYN_RETRANSMITTED,
					 "SYN sent again %.3f s after the %s one: no SYN-ACK had reached the %s "
					 "(the SYN or its answer was lost)",
					 (double)(p->time_ns - snd->last_syn_ns) / 1e9,
					 snd->last_syn_ns == snd->syn_time_ns ? "first" : "previous",
					 flow_side_name(sc->side));
		}
		snd->last_syn_ns = p->time_ns;
		return;
	}
	snd->syn_sent = true;
	snd->isn = p->seq;
	snd->syn_payload = p->payload_len;
	snd->syn_time_ns = snd->last_syn_ns = p->time_ns;
	snd->ecn_setup = (p->flags & (TCP_ECE | TCP_CWR)) == (TCP_ECE | TCP_CWR);
	record_syn_options(snd, sc);
	if (p->payload_len > 0 && !(p->opt.has_tfo && p->opt.tfo_cookie_len > 0))
		tcp_engine_raise(sc, F_HS_SYN_WITH_DATA, "SYN carries %u bytes without a TFO cookie", p->payload_len);

	if (rcv->syn_sent) {
		/* RFC 9293 §3.5 Figure 8: both ends sent SYN; each goes SYN-RECEIVED as the other's arrives. */
		f->simultaneous_open = true;
		snd->bare_syn_after_peer = true;
		tcp_engine_raise(sc, F_HS_SIMULTANEOUS_OPEN, "both ends sent SYN without ACK (%s SYN after the %s's)",
				 flow_side_name(sc->side), flow_side_name(!sc->side));
	}
	/* RFC 9293 §3.3.2: active OPEN. The peer is taken to be listening (SPEC §4.2) until it answers. */
	set_state(snd, TCPE_SYN_SENT);
	set_state(rcv, TCPE_PASSIVE_OPEN);
}

/* Why a SYN-ACK came again, from the time since the last one and what came in between. */
static void judge_synack_repeat(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;
	double gap = (double)(p->time_ns - snd->last_syn_ns) / 1e9;

	if (p->seq != snd->isn || p->ack != snd->synack_ack) {
		/*
		 * One stack repeats its SYN-ACK unchanged. Another ISN on another
		 * timestamp clock (TSval behind the first SYN-ACK's, or ahead by more
		 * than 1000 ticks a second could make) or echoing another SYN is a
		 * second responder behind the same address: a load balancer, anycast.
		 */
		const struct tcp_options *o = &p->opt;
		int64_t ticks = (p->time_ns - snd->syn_time_ns) / 1000000 + 1000;
		bool other_stack = o->has_timestamps && snd->synack_ts &&
				   (o->tsecr != snd->synack_tsecr || SEQ_LT(o->tsval, snd->synack_tsval) ||
				    (int64_t)(uint32_t)(o->tsval - snd->synack_tsval) > ticks);
		if (other_stack)
			tcp_engine_raise(sc, F_HS_SYNACK_UNSOLICITED,
					 "SYN-ACK with ISN %u after one with ISN %u, on another timestamp clock: a "
					 "second responder behind the %s's address",
					 p->seq, snd->isn, flow_side_name(sc->side));
		else
			tcp_engine_raise(sc, F_HS_SYNACK_CHANGED,
					 "SYN-ACK repeated with seq %u ack %u, first was seq %u ack %u", p->seq,
					 rel(rcv, p->ack), snd->isn, rel(rcv, snd->synack_ack));
		return;
	}
	if (rcv->last_syn_ns > snd->last_syn_ns)
		tcp_engine_raise(sc, F_HS_SYNACK_RETRANSMITTED,
				 "SYN-ACK sent again, %.3f s after the last, in answer to the %s's repeated SYN", gap,
				 flow_side_name(!sc->side));
	else if (p->time_ns - snd->last_syn_ns < TCP_RTO_MIN_NS)
		tcp_engine_raise(sc, F_HS_SYNACK_RETRANSMITTED,
				 "SYN-ACK sent again only %.3f s after the last: too soon for that one's timer, so "
				 "the answer to a repeated SYN it crossed, or the timer of an earlier SYN-ACK",
				 gap);
	else
		tcp_engine_raise(sc, F_HS_SYNACK_RETRANSMITTED,
				 "SYN-ACK sent again %.3f s after the last: the server's timer fired, no handshake "
				 "ACK had reached it",
				 gap);
}

static void handle_synack(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;

	if (snd->synack_sent) {
		judge_synack_repeat(sc);
		snd->last_syn_ns = p->time_ns;
		return;
	}
	bool first_packet = f->first_frame == p->frame;
	if (f->synack_missed && f->synack_missed_payload && sc->side == SIDE_SERVER) {
		/* The client's segment did not follow a SYN-ACK the capture missed: this is its first. */
		tcp_engine_raise(sc, F_HS_DATA_IN_SYN_SENT,
				 "the client sent %u bytes at frame %llu, before this first SYN-ACK: data in SYN-SENT",
				 f->synack_missed_payload, (unsigned long long)f->synack_missed_frame);
		f->synack_missed_payload = 0;
		return;
	}
	if ((sc->side == SIDE_CLIENT && !f->simultaneous_open) || (!rcv->syn_sent && !first_packet) ||
	    f->handshake_done) {
		tcp_engine_raise(sc, F_HS_SYNACK_UNSOLICITED, "SYN-ACK from the %s that no outstanding SYN asked for",
				 flow_side_name(sc->side));
		return;
	}
	if (!snd->syn_sent) {
		snd->syn_sent = true;
		snd->isn = p->seq;
		snd->syn_time_ns = p->time_ns;
		record_syn_options(snd, sc);
	}
	snd->last_syn_ns = p->time_ns;
	/* The capture point's round trip to the server (time_handshake): a later SYN-ACK may be its timer's. */
	if (rcv->syn_sent)
		f->to_server_ns = p->time_ns - rcv->last_syn_ns;
	snd->synack_sent = true;
	snd->synack_ack = p->ack;
	snd->synack_ts = p->opt.has_timestamps;
	snd->synack_tsval = p->opt.tsval;
	snd->synack_tsecr = p->opt.tsecr;
	snd->ecn_setup = (p->flags & (TCP_ECE | TCP_CWR)) == TCP_ECE;
	/* A SYN-ACK is sent from SYN-RECEIVED: its SYN's delivery was settled before (tcp-delivery.h). */
	if (tcp_state_may_listen(snd->state))
		snd->passive = true;
	set_state(snd, TCPE_SYNACK_SENT);
	if (rcv->syn_sent && !acks_syn(rcv, p->ack))
		tcp_engine_raise(
			sc, F_HS_SYNACK_BAD_ACK, "SYN-ACK acknowledges %u (relative %u), expected ISN+1 = %u%s", p->ack,
			rel(rcv, p->ack), rcv->isn + 1, rcv->syn_payload ? " up to ISN+1 plus the SYN's data" : "");
	/* In a simultaneous open the second SYN-ACK completes the handshake. */
	if (f->simultaneous_open && rcv->synack_sent) {
		f->handshake_done = true;
		if (f->irtt_ns < 0)
			f->irtt_ns = p->time_ns - f->ep[SIDE_CLIENT].syn_time_ns;
	}
}

/* ---- ACK, data and FIN: the sender's side ---------------------------------- */

/*
 * The handshake's times, at its ACK: the iRTT, and the round trip from the
 * capture point to the client (SYN-ACK seen to ACK seen; to the server it
 * was taken at the SYN-ACK). The delivery stage times crossings and timers
 * by these (tcp-delivery.c), and the measurements infer from them where the
 * capture was taken (analysis-measure.c).
 */
static void time_handshake(struct segment_ctx *sc)
{
	struct flow *f = sc->flow;
	int64_t now = sc->pkt->time_ns;
	int64_t to_client = now - f->ep[SIDE_SERVER].last_syn_ns; /* from the last SYN-ACK */
	f->irtt_ns = now - f->ep[SIDE_CLIENT].syn_time_ns;
	if (f->to_server_ns > 0 && to_client > 0)
		f->to_client_ns = to_client;
	sc->handshake_timed = true;
}

/*
 * The third segment of the handshake (or the last of a simultaneous open),
 * judged as sent. Returns true when it acknowledges more than the server
 * had been seen to send: judged once the server's next segment shows
 * whether the capture missed something (process_ack, settle_ack_beyond_sent).
 */
static bool judge_handshake_ack(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;

	snd->hs_ack_sent = true;
	/*
	 * Acceptable: acknowledges the peer's SYN (RFC 9293 §3.10.7.4). An ack
	 * beyond what the capture saw the server send may cover segments it
	 * missed (or could not decode): that is judged when the flow ends, as
	 * tcp.ack.beyond_sent (process_ack).
	 */
	if (SEQ_LT(p->ack, rcv->isn + 1)) {
		tcp_engine_raise(sc, F_HS_ACK_BAD_ACK,
				 "handshake ACK acknowledges %u (relative %u), expected ISN+1 = %u", p->ack,
				 rel(rcv, p->ack), rcv->isn + 1);
		return false;
	}
	uint32_t want_seq = snd->isn + 1;
	if (snd->syn_payload && acks_syn(snd, rcv->synack_ack))
		want_seq = rcv->synack_ack; /* TFO: the data the server acknowledged (RFC 7413 §4.2) */
	/* Ahead of it, but inside the window the server offered: segments the capture missed. */
	uint32_t window = rcv->last_window ? rcv->last_window : 1;
	bool missed_before = SEQ_GT(p->seq, want_seq) && SEQ_LEQ(p->seq, want_seq + window);
	if (snd->syn_sent && p->seq != want_seq && p->seq != snd->isn + 1 && !missed_before)
		tcp_engine_raise(sc, F_HS_ACK_BAD_SEQ, "handshake ACK has seq %u (relative %u), expected %u", p->seq,
				 rel(snd, p->seq), want_seq);
	if (f->simultaneous_open && snd->bare_syn_after_peer && sc->side == SIDE_SERVER)
		tcp_engine_raise_once(sc, F_HS_SPLIT, "split handshake: the server answered the SYN with a bare SYN");
	f->handshake_done = true;
	if (f->ep[SIDE_CLIENT].syn_sent && f->irtt_ns < 0)
		time_handshake(sc);
	return SEQ_GT(p->ack, rcv->snd_nxt) && !missed_before && (p->seq == want_seq || p->seq == snd->isn + 1);
}

/* Judges the acknowledgement field as sent: handshake ACK, FIN acks, ACKs of unsent bytes. */
static void process_ack(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;

	bool hs_ack_beyond = false;
	/* The client's first ACK after the SYN-ACK, even one that leaves it SYN-SENT (it did not acknowledge it). */
	if (rcv->synack_sent && !snd->hs_ack_sent && !snd->synack_sent &&
	    (tcp_state_synchronized(snd->state) || snd->state == TCPS_SYN_SENT))
		hs_ack_beyond = judge_handshake_ack(sc);

	if (rcv->fin_sent) {
		/*
		 * RFC 9293 §3.6: nothing follows a FIN. Blamed on the ACK only if the
		 * FIN's sender never sent past it either (else that data, judged on its
		 * own segment, is what the ACK covers); once per flow.
		 */
		if (SEQ_GT(p->ack, rcv->fin_seq + 1) && !SEQ_GT(rcv->snd_nxt, rcv->fin_seq + 1))
			tcp_engine_raise_once(sc, F_CLOSE_ACK_BEYOND_FIN,
					      "ack %u is beyond the %s's FIN at %u (+1 = %u)", rel(rcv, p->ack),
					      flow_side_name(!sc->side), rel(rcv, rcv->fin_seq),
					      rel(rcv, rcv->fin_seq + 1));
		else if (SEQ_GEQ(p->ack, rcv->fin_seq + 1))
			rcv->fin_acked = true;
	}
	if (rcv->syn_sent && !rcv->gap_seen && rcv->seen && SEQ_GT(p->ack, rcv->snd_nxt) && !rcv->beyond_pending) {
		/*
		 * The capture may simply show the ACK before the data (reordering at the
		 * capture point) or miss the data: judged when the flow ends, if the peer
		 * never sent those bytes after all.
		 */
		rcv->beyond_pending = true;
		rcv->beyond_handshake = hs_ack_beyond;
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

/* The FIN as its sender sent it: the sender's CLOSE (RFC 9293 §3.10.4). Its receiver's side is delivered later. */
static void process_fin(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;
	uint32_t fin_seq = p->seq + p->payload_len;

	if (snd->fin_sent) {
		if (fin_seq == snd->fin_seq)
			tcp_engine_raise(sc, F_CLOSE_FIN_RETRANSMITTED, "FIN at %u sent again %.3f s after the last",
					 rel(snd, fin_seq), (double)(p->time_ns - snd->last_fin_ns) / 1e9);
		else
			tcp_engine_raise(sc, F_CLOSE_FIN_SEQ_CHANGED, "FIN repeated at %u, first FIN was at %u",
					 rel(snd, fin_seq), rel(snd, snd->fin_seq));
		snd->last_fin_ns = p->time_ns;
		return;
	}
	if (snd->seen && SEQ_LT(fin_seq + 1, snd->snd_nxt) && !snd->gap_seen) {
		/* Bytes beyond it were sent already: not this sender's end of stream (injected, or stale). */
		tcp_engine_raise_once(sc, F_CLOSE_FIN_BELOW_SENT,
				      "FIN at %u below the %u bytes the %s already sent: not its end of stream",
				      rel(snd, fin_seq), rel(snd, snd->snd_nxt), flow_side_name(sc->side));
		return;
	}
	snd->fin_sent = true;
	snd->fin_seq = fin_seq;
	snd->last_fin_ns = p->time_ns;
	if (f->closed_first_by < 0)
		f->closed_first_by = sc->side;

	bool peer_fin_unacked = rcv->fin_sent && (!(p->flags & TCP_ACK) || SEQ_LT(p->ack, rcv->fin_seq + 1));
	if (peer_fin_unacked)
		/* Our FIN crossed the peer's (it does not acknowledge it): simultaneous close, Figure 13. */
		tcp_engine_raise(sc, F_CLOSE_SIMULTANEOUS, "both ends sent FIN before either was acknowledged");
	set_state(snd, TCPE_FIN_SENT);
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
		tcp_engine_raise(sc, F_SEQ_BELOW_ISN, "seq %u is before the %s's ISN %u", p->seq,
				 flow_side_name(sc->side), snd->isn);
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
				 rel(snd, end), flow_side_name(sc->side), rel(snd, snd->fin_seq));
	else if (rcv->fin_sent && advances)
		tcp_engine_raise_once(sc, F_CLOSE_HALF_CLOSE, "%s keeps sending after the %s's FIN (half-close)",
				      flow_side_name(sc->side), flow_side_name(!sc->side));

	/* RFC 9293 §3.8.6: never beyond the receiver's right window edge (a 1-byte probe excepted). */
	if (rcv->edge_known && SEQ_GT(end, rcv->right_edge) && !(len == 1 && p->seq == rcv->right_edge))
		tcp_engine_raise(sc, F_SEQ_OUT_OF_WINDOW, "data up to %u beyond the %s's window edge %u", rel(snd, end),
				 flow_side_name(!sc->side), rel(snd, rcv->right_edge));

	if (rcv->rst_sent && SEQ_GT(end, snd->snd_at_reset))
		tcp_engine_raise_once(sc, F_RESET_IGNORED, "%s keeps sending data after the %s's RST",
				      flow_side_name(sc->side), flow_side_name(!sc->side));
}

static void handle_segment(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;

	if (snd->state == TCPS_SYN_SENT && (p->flags & TCP_ACK) && p->ack != 0 && !rcv->synack_sent) {
		/* Only a SYN-ACK tells the client the ack value: the capture missed it (one-sided capture). */
		set_state(snd, TCPE_SYNACK_MISSED);
		f->synack_missed = true;
		f->synack_missed_payload = p->payload_len;
		f->synack_missed_frame = p->frame;
		if (rcv->state == TCPS_SYN_RECEIVED || rcv->state == TCPS_LISTEN) {
			set_state(rcv, TCPE_SYNACK_MISSED);
			f->handshake_done = true;
		}
	}
	if (!snd->syn_sent && rcv->syn_sent && !f->midstream &&
	    !(rcv->state == TCPS_SYN_SENT && (p->flags & TCP_ACK) && acks_syn(rcv, p->ack) && !p->payload_len &&
	      !(p->flags & TCP_FIN))) {
		/*
		 * RFC 9293 §3.10.7.3 "fifth": in SYN-SENT a segment with neither SYN
		 * nor RST is dropped. Its FIN or data is no part of a connection that
		 * has no ISN from this sender yet (an evasion trick). A bare ACK of
		 * the SYN is judged below (a split handshake).
		 */
		sc->dropped = true;
		return;
	}
	check_data(sc);
	if (!(p->flags & TCP_ACK)) {
		/* RFC 9293 §3.10.7.4 "fifth": without ACK the segment is dropped. */
		if (tcp_state_synchronized(snd->state) || snd->state == TCPS_UNKNOWN)
			tcp_engine_raise(sc, F_FLAGS_ACK_MISSING, "segment without ACK on a synchronized connection");
		return;
	}
	/*
	 * A bare ACK that acknowledges the client's SYN, after the server's
	 * SYN-ACK, is a handshake ACK going the wrong way; before any SYN-ACK it
	 * opens the five-way split handshake (ACK, then a SYN of its own); one
	 * that does not acknowledge the SYN is a stale connection's (challenge)
	 * ACK, answered by a RST.
	 */
	if (snd->state == TCPS_SYN_RECEIVED && sc->side == SIDE_SERVER && !f->simultaneous_open &&
	    p->payload_len == 0 && !(p->flags & TCP_FIN) && !rcv->hs_ack_sent && rcv->syn_sent &&
	    acks_syn(rcv, p->ack)) {
		if (snd->synack_sent)
			tcp_engine_raise(sc, F_HS_ACK_WRONG_DIRECTION,
					 "bare ACK from the server before the client completed the handshake");
		else
			tcp_engine_raise_once(
				sc, F_HS_SPLIT,
				"split handshake: the server answered the SYN with a bare ACK, not a SYN-ACK");
	}
	process_ack(sc);
	if (p->flags & TCP_FIN)
		process_fin(sc);

	/* An endpoint picked up mid-stream is ESTABLISHED once both directions behave normally. */
	if (!(p->flags & TCP_FIN))
		snd->normal_seen = true;
	if (snd->normal_seen && rcv->normal_seen)
		for (int side = 0; side < 2; side++)
			set_state(&f->ep[side], TCPE_MIDSTREAM_SYNCED);
}

/* ---- Rules common to every segment, after its handler ---------------------- */

/* RFC 9293 §3.10.7: a CLOSED endpoint sends nothing new (a segment sent before its RST may arrive late). */
static void check_sent_after_reset(const struct segment_ctx *sc, uint32_t end)
{
	const struct endpoint *snd = sc->snd;
	uint8_t fl = sc->pkt->flags;
	if (snd->rst_sent && !(fl & TCP_RST) && sc->flow->reset_by == sc->side &&
	    ((fl & (TCP_SYN | TCP_FIN)) || SEQ_GT(end, snd->snd_at_reset)))
		tcp_engine_raise_once(sc, F_RESET_DATA_AFTER_RST, "the %s keeps sending after its own RST",
				      flow_side_name(sc->side));
}

/*
 * The sender's sequence space (a segment dropped unprocessed has none): the
 * highest byte sent, gaps the capture missed, the wrap past 2^32 (RFC 9293
 * §3.4), and on new data a TSval older than the sender's last (RFC 7323
 * §5.3: PAWS would reject it).
 */
static void check_sequence_space(struct segment_ctx *sc, uint32_t end)
{
	const struct packet *p = sc->pkt;
	struct endpoint *snd = sc->snd;

	if (sc->dropped)
		return;
	if (p->flags & TCP_RST) {
		if (!snd->seen) {
			snd->snd_nxt = p->seq;
			snd->seen = true;
		}
		return;
	}
	if (snd->seen && SEQ_GT(p->seq, snd->snd_nxt))
		snd->gap_seen = true;
	if (sc->advanced) {
		/*
		 * Raw < on purpose: the segment advances in sequence space
		 * (SEQ_GT above) while its plain value fell, which is exactly
		 * crossing 2^32 (RFC 9293 §3.4); SEQ_* cannot see the crossing.
		 */
		if (snd->seen && end < snd->snd_nxt && !snd->wrapped) {
			snd->wrapped = true;
			tcp_engine_raise(sc, F_SEQ_WRAPPED, "the %s's sequence numbers wrapped past 2^32",
					 flow_side_name(sc->side));
		}
		if (p->opt.has_timestamps && snd->ts_seen && SEQ_LT(p->opt.tsval, snd->last_tsval) && snd->seen)
			tcp_engine_raise(sc, F_OPT_TIMESTAMP_REGRESS, "TSval %u is older than the previous %u",
					 p->opt.tsval, snd->last_tsval);
		snd->snd_nxt = end;
	}
	snd->seen = true;
}

/*
 * An earlier ACK of bytes this sender had not been seen to send (process_ack)
 * is settled once its next segment shows whether they existed.
 */
static void settle_ack_beyond_sent(const struct segment_ctx *sc, uint32_t end)
{
	const struct packet *p = sc->pkt;
	struct endpoint *snd = sc->snd;

	if (!snd->beyond_pending || !(SEQ_GEQ(end, snd->beyond.ack) || SEQ_GT(p->seq, snd->beyond.sent_up_to)))
		return;
	/*
	 * The bytes existed: a capture artefact, not a violation. Except for a
	 * handshake ACK, when the server's first bytes follow on from its SYN
	 * with no gap: then it sent them only after that ACK had acknowledged
	 * them (RFC 9293 §3.10.7.4: an ACK of something not yet sent).
	 */
	snd->beyond_pending = false;
	if (snd->beyond_handshake && p->seq == snd->beyond.sent_up_to && !(p->flags & TCP_SYN)) {
		char message[FINDING_MESSAGE_MAX];
		snprintf(message, sizeof message,
			 "handshake ACK acknowledges %u (relative %u), expected ISN+1 = %u: the %s sent "
			 "those bytes only later, from frame %llu",
			 snd->beyond.ack, rel(snd, snd->beyond.ack), snd->isn + 1, flow_side_name(sc->side),
			 (unsigned long long)p->frame);
		sc->raise_late(sc->raise_ctx, sc->flow, F_HS_ACK_BAD_ACK, snd->beyond.frame, snd->beyond.time_ns,
			       message);
	}
}

/* The right window edge the sender advertises, which must not move left (RFC 9293 §3.8.6). */
static void check_window(const struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;
	uint8_t fl = p->flags;

	/* SYN windows are never scaled (RFC 7323 §2.2). */
	int shift = (fl & TCP_SYN) ? 0 : window_shift(snd, rcv);
	if (shift < 0)
		return;
	uint32_t edge = p->ack + ((uint32_t)p->window << shift);
	uint32_t slack = (1u << shift) - 1; /* rounding of a scaled window */
	if (snd->prev_edge_known && SEQ_LT(edge + slack, snd->prev_edge) && !(fl & TCP_SYN))
		tcp_engine_raise(sc, F_WINDOW_SHRINK, "the %s's right window edge moved left from %u to %u",
				 flow_side_name(sc->side), rel(rcv, snd->prev_edge), rel(rcv, edge));
	/* The SYN's unscaled window is no baseline for shrinking: scaled windows round down. */
	snd->prev_edge = edge;
	snd->prev_edge_known = !(fl & TCP_SYN);
	if (!snd->edge_known || SEQ_GT(edge, snd->right_edge))
		snd->right_edge = edge;
	snd->edge_known = true;
}

/* What every segment not dropped for its flags is held to, and what it tells about its sender. */
static void check_common(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct endpoint *snd = sc->snd;
	uint8_t fl = p->flags;
	uint32_t end = sc->end;

	sc->advanced = !snd->seen || SEQ_GT(end, snd->snd_nxt);
	check_sent_after_reset(sc, end);
	check_sequence_space(sc, end);
	settle_ack_beyond_sent(sc, end);
	if (p->opt.has_timestamps && (!snd->ts_seen || SEQ_GT(p->opt.tsval, snd->last_tsval))) {
		snd->last_tsval = p->opt.tsval;
		snd->ts_seen = true;
	}
	if (!(fl & TCP_ACK) || (fl & TCP_RST))
		return;
	if (!snd->ack_sent || SEQ_GT(p->ack, snd->last_ack))
		snd->last_ack = p->ack;
	snd->ack_sent = true;
	snd->last_window = p->window;
	check_window(sc);
}

void tcp_engine_segment(struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	uint8_t fl = p->flags;

	sc->end = p->seq + p->payload_len + !!(fl & TCP_SYN) + !!(fl & TCP_FIN);
	tcp_engine_expire_time_wait(sc->flow, p->time_ns);
	if (!(fl & TCP_ACK) && p->ack != 0)
		tcp_engine_raise(sc, F_FLAGS_ACK_NONZERO, "ack field is %u while the ACK flag is clear", p->ack);
	if (flags_illegal(sc)) {
		sc->dropped = sc->illegal_flags = true;
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
	check_common(sc);
}

/* ---- A SYN on a 4-tuple already in use: RFC 9293 §3.6.1 ------------------ */

bool tcp_engine_flow_finished(const struct flow *f)
{
	if (f->reset || (f->ep[0].fin_sent && f->ep[1].fin_sent))
		return true;
	return tcp_state_no_connection(f->ep[0].state) && tcp_state_no_connection(f->ep[1].state);
}

bool tcp_engine_starts_incarnation(const struct flow *old, int side, const struct packet *p)
{
	if ((p->flags & (TCP_SYN | TCP_ACK)) != TCP_SYN)
		return false;
	const struct endpoint *snd = &old->ep[side], *rcv = &old->ep[!side];
	if (snd->syn_sent && p->seq == snd->isn)
		return false; /* a retransmitted SYN */
	if (tcp_engine_flow_finished(old))
		return true;
	if (!snd->seen || (!snd->syn_sent && rcv->syn_sent && !old->handshake_done))
		return false; /* answering the peer's open attempt: simultaneous open or a split handshake */
	/* Synchronized as far as the capture shows: the receiver's own state may still wait on delivery. */
	if (rcv->edge_known && (tcp_state_synchronized(rcv->state) || old->handshake_done) &&
	    SEQ_GEQ(p->seq, rcv->last_ack) && SEQ_LT(p->seq, rcv->right_edge))
		return false;
	return true;
}

/* RFC 9293 §3.6.1, RFC 6191: may a new SYN reuse a 4-tuple still in TIME-WAIT? */
static void judge_time_wait_reuse(struct flow *old, int side, const struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	tcp_engine_expire_time_wait(old, p->time_ns);
	int tw_side = old->ep[!side].state == TCPS_TIME_WAIT  ? !side
		      : old->ep[side].state == TCPS_TIME_WAIT ? side
							      : -1;
	if (tw_side < 0)
		return;
	const struct endpoint *prev = &old->ep[side];
	bool isn_above = SEQ_GT(p->seq, prev->snd_nxt);
	bool ts_newer = p->opt.has_timestamps && prev->ts_seen && SEQ_GT(p->opt.tsval, prev->last_tsval);
	double left = (double)(old->ep[tw_side].time_wait_until - p->time_ns) / 1e9;
	if (isn_above || ts_newer)
		tcp_engine_raise(sc, F_CLOSE_TIME_WAIT_REUSE,
				 "new SYN while the %s is in TIME-WAIT (%.1f s left) with %s",
				 tw_side ? "server" : "client", left, isn_above ? "a higher ISN" : "a newer timestamp");
	else
		tcp_engine_raise(sc, F_CLOSE_TIME_WAIT_VIOLATION,
				 "new SYN ISN %u is not above the old final seq %u and has no newer timestamp (%.1f s "
				 "of TIME-WAIT left)",
				 p->seq, prev->snd_nxt, left);
}

void tcp_engine_judge_incarnation(struct flow *old, int old_side, const struct segment_ctx *sc)
{
	judge_time_wait_reuse(old, old_side, sc);
	const struct endpoint *prev = &old->ep[old_side];
	if (prev->state == TCPS_SYN_SENT && prev->syn_sent && sc->pkt->seq != prev->isn)
		raise_isn_changed(sc, prev->isn, ": a new connection attempt");
}

/* ---- The receiver's side: RFC 9293 §3.10.7 when a segment is delivered ---- */

bool tcp_engine_affects_receiver(const struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	const struct endpoint *rcv = sc->rcv;
	if (p->flags & TCP_RST)
		return false; /* applied to both ends at once (handle_rst) */
	if (p->flags & (TCP_SYN | TCP_FIN))
		return true;
	if (!(p->flags & TCP_ACK))
		return false;
	switch (rcv->state) {
	case TCPS_SYN_RECEIVED:
		return true;
	case TCPS_FIN_WAIT_1:
	case TCPS_CLOSING:
	case TCPS_LAST_ACK:
		return rcv->fin_sent && SEQ_GEQ(p->ack, rcv->fin_seq + 1);
	default:
		return false;
	}
}

void tcp_engine_deliver(struct flow *f, const struct pending_delivery *seg, int64_t msl_ns, bool acknowledged)
{
	struct endpoint *snd = &f->ep[seg->side], *rcv = &f->ep[!seg->side];
	uint8_t fl = seg->flags;

	if (rcv->rst_sent || snd->rst_sent)
		return; /* the connection was reset meanwhile */
	if ((fl & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		/* §3.10.7.2 LISTEN, and §3.10.7.3 SYN-SENT "fourth": a SYN (simultaneous open, Figure 8). */
		if (tcp_state_may_listen(rcv->state))
			rcv->passive = true;
		set_state(rcv, TCPE_SYN_RECEIVED);
		return;
	}
	if (fl & TCP_SYN) {
		/* §3.10.7.3 (SYN-SENT) and §3.10.7.4 (SYN-RECEIVED): a SYN-ACK with an acceptable ACK establishes. */
		if (!rcv->syn_sent || acks_syn(rcv, seg->ack))
			set_state(rcv, rcv->state == TCPS_CLOSED || rcv->state == TCPS_LISTEN ? TCPE_SYNACK_UNASKED
											      : TCPE_SYNACK_RECEIVED);
		return;
	}
	if (!(fl & TCP_ACK))
		return; /* "fifth": dropped */
	if (rcv->state == TCPS_SYN_RECEIVED) {
		/* §3.10.7.4: SND.UNA < SEG.ACK =< SND.NXT establishes; otherwise a RST answers it. */
		if (SEQ_LT(seg->ack, rcv->isn + 1) || SEQ_GT(seg->ack, rcv->snd_nxt))
			return;
		set_state(rcv, TCPE_SYN_ACKED);
	} else if (!acknowledged && tcp_state_synchronized(rcv->state) && rcv->seen && !rcv->gap_seen &&
		   SEQ_GT(seg->ack, rcv->snd_nxt)) {
		return; /* acknowledges what the receiver never sent: dropped with its FIN (§3.10.7.4) */
	}
	/* "Fifth, check the ACK field" before "eighth, check the FIN bit" (RFC 9293 §3.10.7.4). */
	if (rcv->fin_sent && SEQ_GEQ(seg->ack, rcv->fin_seq + 1))
		deliver_event(rcv, TCPE_FIN_ACKED, seg, msl_ns);
	if (fl & TCP_FIN)
		deliver_event(rcv, TCPE_FIN_RECEIVED, seg, msl_ns);
}

void tcp_engine_finish_flow(struct flow *f, finding_late_raise_fn raise, void *ctx)
{
	for (int side = 0; side < 2; side++) {
		struct endpoint *ep = &f->ep[side];
		if (!ep->beyond_pending)
			continue;
		ep->beyond_pending = false;
		char message[FINDING_MESSAGE_MAX];
		snprintf(message, sizeof message, "ack %u covers bytes the %s never sent (it sent up to %u)",
			 rel(ep, ep->beyond.ack), flow_side_name(side), rel(ep, ep->beyond.sent_up_to));
		raise(ctx, f, F_ACK_BEYOND_SENT, ep->beyond.frame, ep->beyond.time_ns, message);
	}
}
