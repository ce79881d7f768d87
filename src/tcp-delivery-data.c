/*
 * tcp-delivery-data.c - the fate of each data segment the capture saw: did its
 * bytes reach the receiver, or were they lost after the capture point?
 * (The stage is described in tcp-delivery.h; its shared parts are in
 * tcp-delivery-internal.h.)
 *
 * A data segment's view waits, in its flow's list for that sender, until
 * the receiver's own later segments settle it. The evidence, rule by rule
 * (D is a waiting data segment, A a later segment of its receiver):
 *   D1. A acknowledges D's bytes (SEG.ACK >= D's end) or SACKs them
 *       (RFC 2018) and D is the only copy of them seen: D was delivered.
 *   D2. D's bytes were sent again (R, the latest copy that resent them)
 *       before any A covered them; the A that then covers them tells which
 *       copy arrived:
 *       - a D-SACK of D's bytes (RFC 2883 §4: the first block lies below
 *         SEG.ACK or inside the second) says both arrived: D was delivered
 *         (and R was spurious);
 *       - A echoes D's TSval and not R's (RFC 7323 §4.3, the Eifel test of
 *         RFC 3522): D was delivered;
 *       - an earlier A SACKed bytes above D and not D, later than D could
 *         have crossed it (the capture point's round trip to the receiver,
 *         at least TCP_RTO_MIN_NS): D never arrived, it was lost after the
 *         capture point, and R is what the receiver has;
 *       - both ends use SACK and timestamps, and A echoes R's TSval, not
 *         D's: R is what filled the receiver's sequence space (TS.Recent is
 *         taken only from in-order segments), and D, which SACK would have
 *         reported had it arrived out of order, was lost. This trusts the
 *         receiver to report a duplicate R by D-SACK (RFC 2883; Linux and
 *         FreeBSD do): a receiver that had D, whose ACK of it was lost
 *         before the capture point, and that does not D-SACK, looks the
 *         same;
 *       - else, or when some of D's bytes were acknowledged or SACKed
 *         before the rest (a middlebox cut the segment up, or the receiver
 *         trimmed it): unknown.
 *   D3. A copy that resent bytes of a waiting D, or bytes already
 *       acknowledged (R), is delivered when the copy before it
 *       was found lost, or by D-SACK, or when A echoes R's own TSval; else,
 *       once covered, unknown (the earlier copy may have been the one).
 *   D4. Nothing covers D within PENDING_HOLD_NS, the flow ends, or the
 *       views held fill up: unknown.
 * A segment beyond the receiver's window on purpose (a zero-window probe, a
 * keep-alive) and one whose receiver was never seen to send anything do not
 * wait: their fate stays "none". Bytes missing before the capture point
 * have no view of their own; the labels lost_segment and ack_lost_segment
 * mark where the capture shows their gap.
 *
 * Cost: a receiver's plain ACK looks at its peer's waiting views from the
 * oldest and stops after a few it does not cover; a SACK, or a segment
 * labelled a retransmission, looks at every view of that sender still
 * waiting (at most the held views). Nothing is allocated.
 */
#include "config.h"

#include "analysis-labels.h"
#include "tcp-delivery-internal.h"
#include "tcp-engine.h"
#include "tcp-seq.h"

/* A plain cumulative ACK stops looking after this many waiting views it does not cover. */
#define UNCOVERED_LOOKAHEAD 8

bool data_waits(const struct flow *f, const struct packet_view *view)
{
	const struct packet *p = view->pkt;
	return p->payload_len && !(p->flags & (TCP_SYN | TCP_FIN | TCP_RST)) && !(view->labels & LABELS_PROBES) &&
	       !f->reset && f->ep[!view->from_server].packets;
}

void data_hold(struct delivery *d, struct flow *f, struct held_view *h, uint64_t n)
{
	const struct packet *p = &h->pkt;
	int side = h->view.from_server;
	h->waits_data = h->data_fate = true;
	h->data = (struct held_data){.seq = p->seq,
				     .end = p->seq + p->payload_len,
				     .tsval = p->opt.tsval,
				     .has_ts = p->opt.has_timestamps,
				     .is_resend = d->resend_frame == p->frame ||
						  (h->view.labels & (1u << L_SPURIOUS_RETRANSMISSION))};
	if (f->data_last[side])
		held_number(d, f->data_last[side])->data.next = n;
	else
		f->data_first[side] = n;
	f->data_last[side] = n;
}

/* Settles the waiting data view h, numbered n, which follows prev (0: first) in its sender's list. */
static void settle(struct delivery *d, struct flow *f, int side, uint64_t prev, uint64_t n, enum delivery_fate fate,
		   uint64_t proof)
{
	struct held_view *h = held_number(d, n);
	if (prev)
		held_number(d, prev)->data.next = h->data.next;
	else
		f->data_first[side] = h->data.next;
	if (f->data_last[side] == n)
		f->data_last[side] = prev;
	h->waits_data = false;
	h->view.fate = (uint8_t)fate;
	h->view.fate_frame = proof;
}

static bool within(const struct sack_block *b, uint32_t seq, uint32_t end)
{
	return SEQ_LEQ(b->left, seq) && SEQ_GEQ(b->right, end);
}

/* The D-SACK block of a, if it has one (RFC 2883 §4), else NULL. */
static const struct sack_block *dsack_of(const struct packet *a)
{
	if (!a->opt.sack_count || !(a->flags & TCP_ACK))
		return NULL;
	const struct sack_block *first = &a->opt.sack[0];
	if (SEQ_LEQ(first->right, a->ack))
		return first;
	if (a->opt.sack_count > 1 && within(&a->opt.sack[1], first->left, first->right))
		return first;
	return NULL;
}

/* Does a (not a D-SACK) SACK the bytes [seq, end)? */
static bool sacked(const struct packet *a, const struct sack_block *dsack, uint32_t seq, uint32_t end)
{
	for (int i = 0; i < a->opt.sack_count; i++)
		if (&a->opt.sack[i] != dsack && within(&a->opt.sack[i], seq, end))
			return true;
	return false;
}

/* Does a acknowledge or SACK some of [seq, end) but not all (a middlebox cut it up, or it was trimmed)? */
static bool covers_part(const struct packet *a, uint32_t seq, uint32_t end)
{
	if (SEQ_GT(a->ack, seq) && SEQ_LT(a->ack, end))
		return true;
	for (int i = 0; i < a->opt.sack_count; i++) {
		const struct sack_block *b = &a->opt.sack[i];
		if (SEQ_LT(b->left, end) && SEQ_GT(b->right, seq) && !within(b, seq, end))
			return true;
	}
	return false;
}

/* Does a SACK bytes above end (its receiver holds data sent after [.., end))? */
static bool sacked_above(const struct packet *a, uint32_t end)
{
	for (int i = 0; i < a->opt.sack_count; i++)
		if (SEQ_GEQ(a->opt.sack[i].left, end))
			return true;
	return false;
}

/* Rules D1-D3: the fate of h, whose bytes a now covers. */
static enum delivery_fate covered_fate(const struct flow *f, const struct held_view *h, const struct packet *a,
				       const struct sack_block *dsack)
{
	const struct held_data *dd = &h->data;
	bool echoes_own = a->opt.has_timestamps && dd->has_ts && a->opt.tsecr == dd->tsval;
	if (dsack && within(dsack, dd->seq, dd->end))
		return FATE_DELIVERED;
	if (!dd->resent_by) {
		if (!dd->is_resend || dd->earlier_lost || echoes_own)
			return FATE_DELIVERED;
		return FATE_UNKNOWN;
	}
	bool resent_other_ts = dd->resent_has_ts && dd->resent_tsval != dd->tsval;
	if (echoes_own && resent_other_ts)
		return FATE_DELIVERED;
	if (dd->part_arrived)
		return FATE_UNKNOWN;
	if (dd->hole_frame)
		return FATE_LOST;
	bool sack_and_ts = f->ep[0].sack_permitted && f->ep[1].sack_permitted && a->opt.has_timestamps;
	if (sack_and_ts && resent_other_ts && a->opt.tsecr == dd->resent_tsval)
		return FATE_LOST;
	return FATE_UNKNOWN;
}

/* h (of f) was lost: the copy that resent it is what its receiver has (rule D3). */
static void mark_resend_delivering(struct delivery *d, struct flow *f, const struct held_view *h)
{
	struct held_view *r = delivery_held_of(d, f, h->data.resent_by);
	if (r && r->waits_data)
		r->data.earlier_lost = true;
}

/* The receiver's segment a: settles or marks the data its peer (side) sent that waits. */
static void receiver_evidence(struct delivery *d, struct flow *f, int side, const struct packet *a,
			      int64_t round_trip_ns)
{
	const struct sack_block *dsack = dsack_of(a);
	bool has_sack = a->opt.sack_count > (dsack ? 1 : 0);
	int64_t due_ns = round_trip_ns > TCP_RTO_MIN_NS ? round_trip_ns : TCP_RTO_MIN_NS;
	int uncovered = 0;
	uint64_t prev = 0;
	for (uint64_t n = f->data_first[side]; n;) {
		struct held_view *h = held_number(d, n);
		uint64_t next = h->data.next;
		const struct held_data *dd = &h->data;
		if (SEQ_LEQ(dd->end, a->ack) || (has_sack && sacked(a, dsack, dd->seq, dd->end))) {
			enum delivery_fate fate = covered_fate(f, h, a, dsack);
			if (fate == FATE_LOST)
				mark_resend_delivering(d, f, h);
			settle(d, f, side, prev, n, fate, a->frame);
			n = next;
			continue;
		}
		if (covers_part(a, dd->seq, dd->end))
			h->data.part_arrived = true;
		if (has_sack && !dd->hole_frame && sacked_above(a, dd->end) && a->time_ns - h->pkt.time_ns > due_ns)
			h->data.hole_frame = a->frame;
		if (!a->opt.sack_count && ++uncovered == UNCOVERED_LOOKAHEAD)
			break;
		prev = n;
		n = next;
	}
}

/*
 * s sends again bytes of the waiting views of its own sender (rule D2); true
 * if it did (s is then a resend, rule D3).
 */
static bool sender_evidence(struct delivery *d, struct flow *f, int side, const struct packet *s)
{
	uint32_t end = s->seq + s->payload_len;
	bool resent = false;
	for (uint64_t n = f->data_first[side]; n;) {
		struct held_data *dd = &held_number(d, n)->data;
		if (SEQ_LT(dd->seq, end) && SEQ_LT(s->seq, dd->end)) {
			resent = true;
			dd->resent_by = s->frame;
			dd->resent_tsval = s->opt.tsval;
			dd->resent_has_ts = s->opt.has_timestamps;
		}
		n = dd->next;
	}
	return resent;
}

void data_evidence(struct delivery *d, struct segment_ctx *sc)
{
	struct flow *f = sc->flow;
	const struct packet *s = sc->pkt;
	int peer = !sc->side;
	data_settle_older_than_hold(d, f, s->time_ns);
	if (f->data_first[peer] && (s->flags & TCP_ACK)) {
		int64_t to_receiver = sc->side == SIDE_SERVER ? f->to_server_ns : f->to_client_ns;
		receiver_evidence(d, f, peer, s, to_receiver);
	}
	/* Bytes below what the sender had sent (the engine has not counted s yet) are sent again. */
	if (f->data_first[sc->side] && s->payload_len && SEQ_LT(s->seq, sc->snd->snd_nxt) &&
	    sender_evidence(d, f, sc->side, s))
		d->resend_frame = s->frame;
}

void data_settle_all(struct delivery *d, struct flow *f)
{
	for (int side = 0; side < 2; side++)
		while (f->data_first[side])
			settle(d, f, side, 0, f->data_first[side], FATE_UNKNOWN, 0);
}

void data_settle_older_than_hold(struct delivery *d, struct flow *f, int64_t now_ns)
{
	for (int side = 0; side < 2; side++)
		while (f->data_first[side] &&
		       now_ns - held_number(d, f->data_first[side])->pkt.time_ns > PENDING_HOLD_NS)
			settle(d, f, side, 0, f->data_first[side], FATE_UNKNOWN, 0);
}

int64_t data_stale_at(struct delivery *d, const struct flow *f)
{
	int64_t t = INT64_MAX;
	for (int side = 0; side < 2; side++) {
		if (!f->data_first[side])
			continue;
		int64_t at = held_number(d, f->data_first[side])->pkt.time_ns + PENDING_HOLD_NS + 1;
		if (at < t)
			t = at;
	}
	return t;
}
