/*
 * tcp-delivery.c - settles the fate of each segment that could change its
 * receiver's state, and holds packet views until the states they show are
 * settled (the stage is described in tcp-delivery.h).
 *
 * The evidence, rule by rule (X is the endpoint that sent the new segment S,
 * P a pending segment):
 *   1. P came from X's peer and consumes sequence space (SYN, FIN): S
 *      acknowledges it (SEG.ACK >= its end) - P was delivered before X sent
 *      S, and with it every earlier pending segment of that sender (one
 *      path, in order). An RST+ACK answering a bare SYN from an endpoint
 *      that never sent a SYN of its own says the SYN reached a port without
 *      a listener (RFC 9293 §3.10.7.1): that endpoint was CLOSED all along.
 *   2. S acknowledges less than P: X sent S before P arrived, so P's effect
 *      comes after S (this is how crossing FINs stay apart).
 *   3. P is a handshake ACK or the ACK of X's FIN (it consumes nothing): X's
 *      own retransmission timer firing (its SYN-ACK or FIN again, at least
 *      TCP_RTO_MIN_NS after the previous copy and later than the capture
 *      point's round trip to X after P) proves P never arrived; anything
 *      else X sends shows it did (an endpoint in SYN-RECEIVED sends no data
 *      or plain ACKs).
 *   4. X is P's sender and sends P again (same SYN, same FIN; a SYN-ACK
 *      only by its timer, not in answer to a repeated SYN) before anything
 *      showed P arrived: P was lost after the capture point.
 *      A client that acknowledges a SYN-ACK the capture never saw had its
 *      SYN answered: that SYN was delivered.
 *   5. X is a client whose SYN goes out again, longer after a pending
 *      SYN-ACK than the two could have crossed: that SYN-ACK never arrived
 *      (sooner, X only had not had it yet: rule 2).
 *   6. Nothing settles P within PENDING_HOLD_NS, or the flow ends, or more
 *      than PENDING_MAX segments wait: P counts as delivered, fate unknown.
 *   7. The ACK of a LAST-ACK endpoint's FIN is applied when seen, never
 *      held (delivery_submit says why).
 * Where a later frame proves a state, held views from the segment's own row
 * (or from the receiver's last frame sent without it, rule 2) are patched
 * with the receiver's real state.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "mem-alloc.h"
#include "summary.h"
#include "tcp-delivery-internal.h"
#include "tcp-delivery.h"
#include "tcp-seq.h"

/* Views held at most; past it the oldest flow's pending segments are settled as unknown. */
#define HELD_MAX 4096

static bool ready(const struct held_view *h)
{
	return !h->waits_state && !h->waits_data;
}

struct delivery *delivery_new(bool in_capture_order, int64_t msl_ns, const struct engine_sink *sink)
{
	struct delivery *d = xcalloc(1, sizeof *d);
	d->in_order = in_capture_order;
	d->msl_ns = msl_ns;
	d->sink = *sink;
	return d;
}

void delivery_free(struct delivery *d)
{
	if (!d)
		return;
	free(d->held);
	free(d->summaries);
	while (d->chunks) {
		struct pending_chunk *next = d->chunks->next;
		free(d->chunks);
		d->chunks = next;
	}
	free(d);
}

/* ---- Held views ----------------------------------------------------------- */

/* The receiver's state really was `state` from frame `from` on: patch the views still held. */
static void patch_state(struct delivery *d, const struct flow *f, int side, uint64_t from, enum tcp_state state)
{
	if (!has_held(d, f))
		return;
	for (size_t i = held_from(d, from); i < d->tail; i++)
		if (d->held[i].view.flow_id == f->id)
			d->held[i].view.state[side] = state;
}

static void set_fate(struct delivery *d, const struct flow *f, uint64_t frame, enum delivery_fate fate, uint64_t proof,
		     uint64_t arrived_after)
{
	struct held_view *h = delivery_held_of(d, f, frame);
	if (!h || h->data_fate)
		return;
	h->view.fate = (uint8_t)fate;
	h->view.fate_frame = proof;
	h->view.arrived_after = arrived_after;
}

const char *delivery_fate_name(int fate)
{
	static const char *const names[] = {[FATE_NONE] = "none",
					    [FATE_DELIVERED] = "delivered",
					    [FATE_LOST] = "lost",
					    [FATE_UNKNOWN] = "unknown",
					    [FATE_REFUSED] = "refused"};
	return fate >= 0 && fate <= FATE_REFUSED ? names[fate] : "?";
}

/* Marks f's waiting views ready up to its oldest pending segment (all of them once none is pending). */
static void update_ready(struct delivery *d, struct flow *f)
{
	if (!f->held_wait_from || !has_held(d, f)) {
		f->held_wait_from = 0;
		return;
	}
	uint64_t limit = f->npending ? f->pending[0].frame : UINT64_MAX;
	uint64_t still = 0;
	for (size_t i = held_from(d, f->held_wait_from); i < d->tail; i++) {
		struct held_view *h = &d->held[i];
		if (!h->waits_state || h->view.flow_id != f->id)
			continue;
		if (h->pkt.frame < limit)
			h->waits_state = false;
		else if (!still)
			still = h->pkt.frame;
	}
	f->held_wait_from = still;
}

static void emit_held(struct delivery *d, struct held_view *h)
{
	h->view.pkt = &h->pkt;
	d->views_left++;
	d->sink.packet(d->sink.ctx, &h->view);
}

/* Hands on the summaries whose flows' views have all left. */
static void emit_summaries(struct delivery *d)
{
	size_t n = 0;
	while (n < d->nsummaries && d->summaries[n].after <= d->views_left) {
		if (d->sink.flow_end)
			d->sink.flow_end(d->sink.ctx, &d->summaries[n].summary);
		n++;
	}
	if (n) {
		memmove(d->summaries, d->summaries + n, (d->nsummaries - n) * sizeof *d->summaries);
		d->nsummaries -= n;
	}
}

void delivery_summary(struct delivery *d, const struct flow_summary *s)
{
	if (d->views_left == d->views_held && !d->nsummaries) {
		if (d->sink.flow_end)
			d->sink.flow_end(d->sink.ctx, s);
		return;
	}
	d->summaries = xgrow(d->summaries, &d->summaries_cap, d->nsummaries + 1, sizeof *d->summaries);
	d->summaries[d->nsummaries++] = (struct held_summary){.after = d->views_held, .summary = *s};
}

/* Emits what is ready, from the head: capture order. */
static void drain(struct delivery *d)
{
	while (d->head < d->tail && ready(&d->held[d->head]))
		emit_held(d, &d->held[d->head++]);
	if (d->head == d->tail)
		d->head = d->tail = 0;
	emit_summaries(d);
}

/* ---- Settling --------------------------------------------------------------- */

/* Lends f room for its pending segments (it has none). */
static void lend_room(struct delivery *d, struct flow *f)
{
	if (!d->free_rooms) {
		struct pending_chunk *c = xmalloc(sizeof *c);
		c->next = d->chunks;
		d->chunks = c;
		for (int i = PENDING_ROOMS_PER_CHUNK - 1; i >= 0; i--) {
			c->room[i].next_free = d->free_rooms;
			d->free_rooms = &c->room[i];
		}
	}
	union pending_room *r = d->free_rooms;
	d->free_rooms = r->next_free;
	f->pending = r->seg;
}

/*
 * Takes back f's room once nothing of it waits. Only at the end of a step
 * of the stage, never while an entry is being read: the free list's link
 * overwrites the first entry.
 */
static void take_back_room(struct delivery *d, struct flow *f)
{
	if (!f->pending || f->npending)
		return;
	union pending_room *r = (union pending_room *)f->pending;
	r->next_free = d->free_rooms;
	d->free_rooms = r;
	f->pending = NULL;
}

static void remove_pending(struct flow *f, int i)
{
	memmove(&f->pending[i], &f->pending[i + 1], (size_t)(f->npending - i - 1) * sizeof f->pending[0]);
	f->npending--;
}

static bool consumes_seq(const struct pending_delivery *pd)
{
	return pd->flags & (TCP_SYN | TCP_FIN);
}

/* Applies one pending segment's effect on its receiver, and shows it in the views held. */
static void apply(struct delivery *d, struct flow *f, const struct pending_delivery *pd, bool acknowledged,
		  uint64_t proof, enum delivery_fate fate)
{
	int rside = !pd->side;
	enum tcp_state before = f->ep[rside].state;
	tcp_engine_deliver(f, pd, d->msl_ns, acknowledged);
	bool later = pd->apply_after != pd->frame;
	if (f->ep[rside].state != before) {
		/* Two changes one piece of evidence settles go to rows of their own, so each state shows. */
		uint64_t from = later ? pd->apply_after + 1 : pd->frame;
		if (d->changed_flow == f && d->changed_from[rside] >= from)
			from = d->changed_from[rside] + 1;
		if (d->changed_flow != f) {
			d->changed_flow = f;
			d->changed_from[0] = d->changed_from[1] = 0;
		}
		d->changed_from[rside] = from;
		patch_state(d, f, rside, from, f->ep[rside].state);
	}
	set_fate(d, f, pd->frame, fate, proof, later ? pd->apply_after : 0);
}

/*
 * Pending segment i was delivered, and so were the same sender's earlier
 * ones still pending (one path, in order): applies them all and removes them.
 */
static void settle_delivered(struct delivery *d, struct flow *f, int i, bool acknowledged, uint64_t proof)
{
	uint8_t side = f->pending[i].side;
	uint64_t target = f->pending[i].frame;
	for (int j = 0; j < f->npending;) {
		if (f->pending[j].side != side || f->pending[j].frame > target) {
			j++;
			continue;
		}
		struct pending_delivery pd = f->pending[j];
		remove_pending(f, j);
		bool is_target = pd.frame == target;
		apply(d, f, &pd, acknowledged && consumes_seq(&pd), proof, is_target ? FATE_DELIVERED : FATE_UNKNOWN);
	}
}

static void settle_lost(struct delivery *d, struct flow *f, int i, uint64_t proof)
{
	set_fate(d, f, f->pending[i].frame, FATE_LOST, proof, 0);
	remove_pending(f, i);
}

/* Every pending segment of f counts as delivered, fate unknown (rule 6). */
static void settle_oldest_unknown(struct delivery *d, struct flow *f)
{
	struct pending_delivery pd = f->pending[0];
	remove_pending(f, 0);
	apply(d, f, &pd, false, 0, FATE_UNKNOWN);
}

/* Rule 6: what has waited PENDING_HOLD_NS by now counts as delivered. */
static void settle_older_than_hold(struct delivery *d, struct flow *f, int64_t now_ns)
{
	while (f->npending && now_ns - f->pending[0].time_ns > PENDING_HOLD_NS)
		settle_oldest_unknown(d, f);
}

static void settle_all_unknown(struct delivery *d, struct flow *f)
{
	while (f->npending > 0)
		settle_oldest_unknown(d, f);
	take_back_room(d, f);
	data_settle_all(d, f);
	update_ready(d, f);
}

/* ---- Evidence ----------------------------------------------------------------- */

static double seconds(int64_t ns)
{
	return (double)ns / 1e9;
}

/*
 * How long after P a segment of P's receiver may still have been sent
 * before P arrived: the capture point's round trip to it when the
 * handshake showed it, and never less than the smallest retransmission
 * timeout (a timer that fires sooner than that is not the one we mean).
 */
static int64_t crossing_margin(int64_t round_trip_ns)
{
	return round_trip_ns > TCP_RTO_MIN_NS ? round_trip_ns : TCP_RTO_MIN_NS;
}

/* Pending i was lost after the capture point, as sc shows: the diagnosis says so, with how long it cost. */
static void settle_lost_saying(struct delivery *d, struct segment_ctx *sc, int i, enum finding_id id, const char *what,
			       const char *evidence)
{
	const struct pending_delivery *pd = &sc->flow->pending[i];
	tcp_engine_raise(sc, id, "the %s at frame %llu never reached the %s: %s %.3f s later", what,
			 (unsigned long long)pd->frame, flow_side_name(!pd->side), evidence,
			 seconds(sc->pkt->time_ns - pd->time_ns));
	settle_lost(d, sc->flow, i, sc->pkt->frame);
}

/* Did X's retransmission timer fire (rules 3, 4)? S repeats prev_ns's copy, P was seen at p_ns. */
static bool timer_fired(const struct packet *s, int64_t prev_ns, int64_t p_ns, int64_t round_trip_ns)
{
	return s->time_ns - prev_ns >= TCP_RTO_MIN_NS && s->time_ns - p_ns > round_trip_ns;
}

static bool copies(const struct pending_delivery *a, const struct pending_delivery *b)
{
	const uint8_t ctl = TCP_SYN | TCP_ACK | TCP_FIN; /* a repeated SYN may drop ECE and CWR (RFC 3168 §6.1.1.1) */
	return a->side == b->side && (a->flags & ctl) == (b->flags & ctl) && a->seq == b->seq;
}

/*
 * S acknowledges pending i, one of several copies of a SYN or SYN-ACK: which
 * one arrived? The one whose TSval S echoes (RFC 7323 §4.3), else the
 * latest; the copies before it were lost (S settles them). Returns the
 * index of that copy.
 */
static int answered_copy(struct delivery *d, struct flow *f, int i, const struct packet *s)
{
	if (!f->pending[i].superseded)
		return i;
	struct pending_delivery first = f->pending[i];
	uint64_t chosen = first.frame;
	for (int j = i; j < f->npending; j++) {
		const struct pending_delivery *c = &f->pending[j];
		if (!copies(c, &first))
			continue;
		chosen = c->frame;
		if (s->opt.has_timestamps && c->has_ts && c->tsval == s->opt.tsecr)
			break;
	}
	for (int j = i; j < f->npending;) {
		if (f->pending[j].frame == chosen)
			return j;
		if (copies(&f->pending[j], &first))
			settle_lost(d, f, j, s->frame);
		else
			j++;
	}
	return i; /* not reached: the chosen copy is pending */
}

/* Rules 1-3 and 5 for P, pending from S's receiver's peer; true if P was settled. */
static bool evidence_from_receiver(struct delivery *d, struct segment_ctx *sc, int i)
{
	const struct packet *s = sc->pkt;
	struct flow *f = sc->flow;
	struct pending_delivery *pd = &f->pending[i];
	const struct endpoint *x = sc->snd, *peer = sc->rcv;
	bool s_acks = s->flags & TCP_ACK;

	if (consumes_seq(pd)) {
		if (s_acks && SEQ_GEQ(s->ack, pd->end)) {
			if ((s->flags & TCP_RST) && (pd->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && !x->syn_sent) {
				/* Rule 1: a SYN answered by RST reached a port with no listener (the RST closes the
				 * rest). */
				patch_state(d, f, sc->side, pd->frame, TCPS_CLOSED);
				set_fate(d, f, pd->frame, FATE_REFUSED, s->frame, 0);
				remove_pending(f, i);
				return true;
			}
			settle_delivered(d, f, answered_copy(d, f, i, s), true, s->frame);
			return true;
		}
		if ((pd->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) &&
		    (s->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && s->seq == x->isn &&
		    s->time_ns - pd->time_ns > crossing_margin(f->to_client_ns)) {
			/* Rule 5: the client asks again; the SYN-ACK never reached it. */
			settle_lost_saying(d, sc, i, F_HS_SYNACK_LOST, "SYN-ACK", "it sent its SYN again");
			return true;
		}
		if (s_acks || (s->flags & TCP_SYN))
			pd->apply_after = s->frame; /* rule 2 */
		return false;
	}
	/* Rule 3: a handshake ACK, or the ACK of X's FIN. */
	bool synack_again = (s->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) && x->synack_sent;
	bool fin_again = (s->flags & TCP_FIN) && x->fin_sent && s->seq + s->payload_len == x->fin_seq;
	if (synack_again) {
		/* An answer to a repeated SYN, or too soon for a timer, says nothing about P. */
		if (peer->last_syn_ns > x->last_syn_ns || !timer_fired(s, x->last_syn_ns, pd->time_ns, f->to_server_ns))
			return false;
		settle_lost_saying(d, sc, i, F_HS_ACK_LOST, "handshake ACK", "its timer sent the SYN-ACK again");
		return true;
	}
	int64_t to_x = sc->side == SIDE_SERVER ? f->to_server_ns : f->to_client_ns;
	if (fin_again && SEQ_GEQ(pd->ack, x->fin_seq + 1)) {
		if (!timer_fired(s, x->last_fin_ns, pd->time_ns, to_x))
			return false;
		settle_lost(d, f, i, s->frame);
		return true;
	}
	/*
	 * Only an endpoint that had the handshake ACK sends anything but its
	 * SYN-ACK; an ACK of X's FIN shows in X's silence about its FIN, once X
	 * has had time to hear it (else X had not had it yet: rule 2).
	 */
	bool acks_fin = !(pd->flags & TCP_SYN) && x->fin_sent && SEQ_GEQ(pd->ack, x->fin_seq + 1);
	if (acks_fin && to_x > 0 && s->time_ns - pd->time_ns <= to_x) {
		pd->apply_after = s->frame;
		return false;
	}
	settle_delivered(d, f, i, false, s->frame);
	return true;
}

/* Rule 4 for P, pending from S's own sender; true if P was settled. */
static bool evidence_from_sender(struct delivery *d, struct segment_ctx *sc, int i)
{
	const struct packet *s = sc->pkt;
	struct flow *f = sc->flow;
	const struct pending_delivery *pd = &f->pending[i];
	const uint8_t ctl = TCP_SYN | TCP_ACK | TCP_FIN;

	if ((pd->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && (s->flags & TCP_ACK) && !(s->flags & TCP_SYN) &&
	    s->ack != 0 && !sc->rcv->synack_sent) {
		/* Rule 4b: a client acknowledging a SYN-ACK the capture missed: its SYN was answered. */
		settle_delivered(d, f, i, false, s->frame);
		return true;
	}
	if ((pd->flags & TCP_SYN) && (s->flags & ctl) == (pd->flags & ctl) && s->seq == pd->seq) {
		/* Which copy arrived is for the answer to tell (answered_copy). */
		f->pending[i].superseded = true;
		return false;
	}
	if ((pd->flags & TCP_FIN) && (s->flags & TCP_FIN) && s->seq + s->payload_len == pd->end - 1) {
		settle_lost_saying(d, sc, i, F_CLOSE_FIN_LOST, "FIN", "nothing acknowledged it, and it was sent again");
		return true;
	}
	return false;
}

void delivery_evidence(struct delivery *d, struct segment_ctx *sc)
{
	struct flow *f = sc->flow;
	if (f->data_first[SIDE_CLIENT] || f->data_first[SIDE_SERVER])
		data_evidence(d, sc);
	if (!f->npending && !(sc->pkt->flags & TCP_RST))
		return;
	d->changed_flow = NULL;
	settle_older_than_hold(d, f, sc->pkt->time_ns);
	for (int i = 0; i < f->npending;) {
		bool from_peer = f->pending[i].side != sc->side;
		bool settled = from_peer ? evidence_from_receiver(d, sc, i) : evidence_from_sender(d, sc, i);
		if (!settled)
			i++;
		else
			i = 0; /* settling may remove earlier entries: look again from the start */
	}
	/* An RST ends both ends' states: what was on its way is taken as arrived before it, fate unknown. */
	if (sc->pkt->flags & TCP_RST)
		settle_all_unknown(d, f);
	take_back_room(d, f);
	update_ready(d, f);
}

void delivery_settle_stale(struct delivery *d, struct flow *f, int64_t now_ns)
{
	settle_older_than_hold(d, f, now_ns);
	take_back_room(d, f);
	data_settle_older_than_hold(d, f, now_ns);
	update_ready(d, f);
	drain(d);
}

int64_t delivery_stale_at(struct delivery *d, const struct flow *f)
{
	int64_t data = data_stale_at(d, f);
	int64_t pending = f->npending ? f->pending[0].time_ns + PENDING_HOLD_NS + 1 : INT64_MAX;
	return pending < data ? pending : data;
}

void delivery_submit(struct delivery *d, struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	if (f->reset) {
		/* Both ends are CLOSED: what was on its way changes nothing any more. */
		while (f->npending) {
			set_fate(d, f, f->pending[0].frame, FATE_UNKNOWN, 0, 0);
			remove_pending(f, 0);
		}
		take_back_room(d, f);
		update_ready(d, f);
		return;
	}
	if (sc->dropped || !tcp_engine_affects_receiver(sc))
		return;
	struct pending_delivery seg = {.frame = p->frame,
				       .apply_after = p->frame,
				       .time_ns = p->time_ns,
				       .seq = p->seq,
				       .ack = p->ack,
				       .end = sc->end,
				       .tsval = p->opt.tsval,
				       .flags = p->flags,
				       .side = (uint8_t)sc->side,
				       .has_ts = p->opt.has_timestamps};
	if (sc->rcv->state == TCPS_LAST_ACK && !(p->flags & (TCP_SYN | TCP_FIN))) {
		/*
		 * Rule 7: the last ACK of a connection is taken as delivered when seen.
		 * Only a repeated FIN could show otherwise, and whatever it finds, the
		 * receiver ends CLOSED; waiting would keep every finished connection
		 * open on a live screen.
		 */
		tcp_engine_deliver(f, &seg, d->msl_ns, false);
		return;
	}
	if (f->npending == PENDING_MAX) {
		settle_oldest_unknown(d, f);
		update_ready(d, f);
	}
	if (!f->pending)
		lend_room(d, f);
	f->pending[f->npending++] = seg;
}

/* ---- Views --------------------------------------------------------------------- */

/* Room for one more held view: settles the oldest held view's flow as unknown if all wait (rule 6), compacts. */
static void make_room(struct delivery *d)
{
	if (!d->held)
		d->held = xmalloc(HELD_MAX * sizeof *d->held);
	if (d->tail < HELD_MAX)
		return;
	if (d->head == 0) {
		/* the head waits (drain would have let it go): its flow is settled, and the head leaves */
		settle_all_unknown(d, d->held[0].flow);
		drain(d);
	}
	memmove(d->held, d->held + d->head, (d->tail - d->head) * sizeof *d->held);
	d->tail -= d->head;
	d->head = 0;
}

void delivery_view(struct delivery *d, struct flow *f, const struct packet_view *view)
{
	bool must_wait = f->npending && f->pending[0].frame <= view->pkt->frame;
	bool waits_data = d->in_order && data_waits(f, view);
	if (!d->in_order || (!must_wait && !waits_data && d->head == d->tail)) {
		d->sink.packet(d->sink.ctx, view);
		return;
	}
	make_room(d);
	d->views_held++;
	struct held_view *h = &d->held[d->tail++];
	h->view = *view;
	h->pkt = *view->pkt;
	h->view.pkt = &h->pkt;
	h->flow = f;
	h->waits_state = must_wait;
	h->waits_data = h->data_fate = false;
	if (waits_data)
		data_hold(d, f, h, d->views_held);
	f->held_until = d->views_held;
	if (must_wait && !f->held_wait_from)
		f->held_wait_from = h->pkt.frame;
	drain(d);
}

void delivery_flow_end(struct delivery *d, struct flow *f)
{
	settle_all_unknown(d, f); /* nothing pending: every view of f is ready, and none reads f again */
	drain(d);
}

void delivery_tick(struct delivery *d, int64_t now_ns)
{
	for (size_t i = d->head; i < d->tail; i++) {
		struct held_view *h = &d->held[i];
		if (!ready(h) && h->flow && now_ns - h->pkt.time_ns > PENDING_HOLD_NS)
			settle_all_unknown(d, h->flow);
	}
	drain(d);
}

void delivery_flush(struct delivery *d)
{
	for (size_t i = d->head; i < d->tail; i++)
		d->held[i].waits_state = d->held[i].waits_data = false;
	drain(d);
}
