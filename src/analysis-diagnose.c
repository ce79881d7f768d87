/*
 * analysis-diagnose.c - diagnoses: the findings that say what went wrong in
 * a connection even where every segment was legal.
 *
 * It runs after the TCP engine on each segment and reads three kinds of
 * evidence: the packet itself, its labels (retransmission, fast and spurious
 * retransmission, keep-alive, zero-window probe, window full), and what the
 * engine keeps per endpoint (ISN, highest sequence sent, FIN, whether a RST
 * was accepted) with the measurements' counts (analysis-measure.c: the
 * keep-alive probes its peer has not answered). Everything else it needs is
 * in struct diagnose_flow, one per flow: per direction when its data last
 * moved, the peer's highest acknowledgement of it, the open zero-window
 * episode, counters of data segments and retransmissions, and (allocated
 * when the first begins) its retransmission-timeout stall; per flow
 * (allocated with the first probe) the current run of unanswered keep-alive
 * probes.
 *
 * Findings on a segment go through tcp_engine_raise(); those that need the
 * rest of the flow (a stall's backoff series, a window never reopened, loss
 * over the flow's life) wait for diagnose_finish_flow() and go through the
 * engine's late-raise callback with the frame they concern. Sequence numbers
 * are compared with the SEQ_* macros and printed relative to the sender's
 * ISN, as the engine prints them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis-diagnose.h"
#include "analysis-labels.h"
#include "mem-alloc.h"
#include "tcp-engine.h"
#include "tcp-seq.h"

#define NS_PER_MS 1000000LL
#define NS_PER_SEC 1000000000LL

/*
 * A retransmission counts as a timeout after TCP_RTO_MIN_NS (tcp-engine.h)
 * without progress: Linux's minimum RTO. RFC 6298 §2.4 says 1 s; every RTO a
 * Linux sender arms is at least 200 ms, a fast retransmission or a tail-loss
 * probe (RFC 8985 §7) comes sooner.
 */
/* A zero window shorter than one minimum RTO had the sender wait less than its first probe would have. */
#define ZERO_STALL_MIN_NS TCP_RTO_MIN_NS
/* RFC 6298 §2.5: an RTO may be capped at 60 s or more; intervals at such a cap may stop doubling. */
#define RTO_CAP_MS 60000u
/* tcp.loss.persistent: at least this share (percent) and this number of data segments retransmitted. */
#define LOSS_MIN_PERCENT 2u
#define LOSS_MIN_RETRANSMISSIONS 10u

enum { DIAGNOSE_STALL_NONE, DIAGNOSE_STALL_OPEN, DIAGNOSE_STALL_DONE };

/* A sequence number relative to the endpoint's ISN (raw if its SYN was not seen). */
static uint32_t rel(const struct endpoint *ep, uint32_t seq)
{
	return ep->syn_sent ? seq - ep->isn : seq;
}

static uint32_t ns_to_ms(int64_t ns)
{
	int64_t ms = ns / NS_PER_MS;
	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* "0.046 ms", "208.092 ms", "2.747 s". */
static const char *duration(char *buf, size_t size, int64_t ns)
{
	if (ns < NS_PER_SEC)
		snprintf(buf, size, "%.3f ms", (double)ns / NS_PER_MS);
	else
		snprintf(buf, size, "%.3f s", (double)ns / NS_PER_SEC);
	return buf;
}

/* ---- Retransmission timeouts (RFC 6298) -------------------------------------- */

/*
 * The message of a stall: how long the direction stood still, what went
 * again, the backoff. named: say which frame it is about (when it is raised
 * on another).
 */
static void stall_message(char *out, size_t size, const struct flow *f, int side, bool named)
{
	const struct diagnose_stall *st = f->diag.dir[side].stall;
	const struct endpoint *ep = &f->ep[side];
	char what[48];
	uint32_t first = rel(ep, st->seq);
	bool fin_only = st->len == 1 && ep->fin_sent && st->seq == ep->fin_seq;
	if (fin_only)
		snprintf(what, sizeof what, "its FIN");
	else if (ep->fin_sent && st->seq + st->len == ep->fin_seq + 1)
		snprintf(what, sizeof what, "%u-%u+FIN", first, first + st->len - 2);
	else
		snprintf(what, sizeof what, "%u-%u", first, first + st->len - 1);
	int n = named ? snprintf(out, size, "frame %llu: ", (unsigned long long)st->frame) : 0;
	n += snprintf(out + n, size - (size_t)n,
		      "the %s stood still %u ms after frame %llu, then retransmitted %s (RTO); ", flow_side_name(side),
		      st->backoff_ms[0], (unsigned long long)st->quiet_frame, what);
	if ((size_t)n >= size)
		return;
	if (st->sends > 1)
		n += snprintf(out + n, size - (size_t)n, "sent %u%s times, ", st->sends,
			      st->sends == UINT8_MAX ? "+" : "");
	n += snprintf(out + n, size - (size_t)n, "backoff");
	int kept = st->sends < DIAGNOSE_BACKOFF_KEPT ? st->sends : DIAGNOSE_BACKOFF_KEPT;
	for (int i = 0; i < kept && (size_t)n < size; i++)
		n += snprintf(out + n, size - (size_t)n, " %.3f", st->backoff_ms[i] / 1000.0);
	if (st->sends > DIAGNOSE_BACKOFF_KEPT && (size_t)n < size)
		n += snprintf(out + n, size - (size_t)n, " ... %.3f", st->last_ms / 1000.0);
	if ((size_t)n < size)
		snprintf(out + n, size - (size_t)n, " s%s",
			 st->sends < 2	 ? ""
			 : st->irregular ? ": not doubling"
					 : ": doubling");
}

/* RFC 6298 §5.5: each timeout doubles the last (x1.5 to x2.5 allowed for timing), or holds at a cap. */
static bool backoff_regular(uint32_t prev_ms, uint32_t ms)
{
	if (prev_ms >= RTO_CAP_MS && ms * 4u >= prev_ms * 3u && ms * 4u <= prev_ms * 5u)
		return true;
	return (uint64_t)ms * 2 >= (uint64_t)prev_ms * 3 && (uint64_t)ms * 2 <= (uint64_t)prev_ms * 5;
}

/* Is the direction's stall open: retransmissions, and no progress yet? */
static bool stall_open(const struct diagnose_dir *dir)
{
	return dir->stall && dir->stall->state == DIAGNOSE_STALL_OPEN;
}

/* Another retransmission of the stalled data: one more backoff interval. */
static void stall_repeat(struct diagnose_stall *st, int64_t now)
{
	uint32_t ms = ns_to_ms(now - st->last_ns);
	if (!backoff_regular(st->last_ms, ms))
		st->irregular = true;
	if (st->sends < DIAGNOSE_BACKOFF_KEPT)
		st->backoff_ms[st->sends] = ms;
	st->last_ms = ms;
	st->last_ns = now;
	if (st->sends < UINT8_MAX)
		st->sends++;
}

/*
 * A retransmission that is no fast retransmission: a timeout if it resends
 * the oldest unacknowledged data after the direction stood still for
 * TCP_RTO_MIN_NS. Its finding waits (the backoff is still to come); a direction
 * keeps one stall, so an earlier one still waiting is raised now.
 */
static void check_timeout(struct segment_ctx *sc, struct diagnose_dir *me, uint32_t end)
{
	const struct packet *p = sc->pkt;
	struct diagnose_stall *st = me->stall;
	if (!me->acked_known || !me->moved_frame)
		return;
	if (!SEQ_LEQ(p->seq, me->acked) || !SEQ_GT(end, me->acked))
		return; /* not the oldest unacknowledged data */
	if (stall_open(me) && p->seq == st->seq) {
		stall_repeat(st, p->time_ns);
		return;
	}
	int64_t still = p->time_ns - me->moved_ns;
	if (still < TCP_RTO_MIN_NS)
		return;
	if (!st)
		st = me->stall = xmalloc(sizeof *st);
	else if (st->state != DIAGNOSE_STALL_NONE) {
		/* Rare: two stalls in one direction of a flow. The earlier is raised here, naming its frame. */
		char message[FINDING_MESSAGE_MAX];
		stall_message(message, sizeof message, sc->flow, sc->side, true);
		tcp_engine_raise(sc, F_RTO_TIMEOUT, "%s", message);
	}
	memset(st, 0, sizeof *st);
	st->state = DIAGNOSE_STALL_OPEN;
	st->frame = p->frame;
	st->quiet_frame = me->moved_frame;
	st->time_ns = st->last_ns = p->time_ns;
	st->seq = p->seq;
	st->len = end - p->seq;
	st->backoff_ms[0] = st->last_ms = ns_to_ms(still);
	st->sends = 1;
}

/* A segment from sc->side carrying data or a FIN: timeouts, counters, movement. */
static void on_data(struct segment_ctx *sc, struct diagnose_dir *me, uint32_t mask)
{
	const struct packet *p = sc->pkt;
	uint32_t end = sc->end; /* a SYN, whose end counts it, returns here */
	if ((p->flags & (TCP_SYN | TCP_RST)) || end == p->seq || (mask & LABELS_PROBES))
		return;
	bool again = mask & LABELS_RETRANSMISSIONS;
	bool same_stall = stall_open(me) && p->seq == me->stall->seq;
	if (p->payload_len > 0) {
		if (me->segments < UINT32_MAX)
			me->segments++;
		if (again && !(mask & 1u << L_SPURIOUS_RETRANSMISSION) && !same_stall && me->retransmitted < UINT32_MAX)
			me->retransmitted++;
		me->last_full = mask & 1u << L_WINDOW_FULL;
	}
	if (again && !(mask & (1u << L_FAST_RETRANSMISSION | 1u << L_SPURIOUS_RETRANSMISSION)))
		check_timeout(sc, me, end);
	else if (!again && stall_open(me))
		me->stall->state = DIAGNOSE_STALL_DONE; /* new data: the stall is over */
	me->moved_ns = p->time_ns;
	me->moved_frame = p->frame;
}

/* The segment's acknowledgement of the peer's data: progress ends the peer's stall. */
static void on_ack(const struct segment_ctx *sc, struct diagnose_dir *peer)
{
	const struct packet *p = sc->pkt;
	if (!(p->flags & TCP_ACK) || (p->flags & TCP_RST))
		return;
	if (peer->acked_known && !SEQ_GT(p->ack, peer->acked))
		return;
	peer->acked = p->ack;
	peer->acked_known = true;
	peer->moved_ns = p->time_ns;
	if (peer->moved_frame)
		peer->moved_frame = p->frame;
	if (stall_open(peer) && SEQ_GT(p->ack, peer->stall->seq))
		peer->stall->state = DIAGNOSE_STALL_DONE;
}

/* ---- Zero window (RFC 9293 §3.8.6.1) ------------------------------------------ */

/* Did the sender wait on this episode: it probed, or its last segment had filled the window? */
static bool zero_stalled(const struct diagnose_dir *reader)
{
	return reader->probes > 0 || reader->zero_full;
}

/* The window this segment's sender advertises: opens, or closes, its zero-window episode. */
static void on_window(struct segment_ctx *sc, struct diagnose_dir *me, const struct diagnose_dir *peer)
{
	const struct packet *p = sc->pkt;
	if (!(p->flags & TCP_ACK) || (p->flags & (TCP_SYN | TCP_RST)))
		return;
	if (p->window == 0) {
		if (me->zero_open)
			return;
		me->zero_open = true;
		me->zero_ns = p->time_ns;
		me->zero_frame = p->frame;
		me->probes = 0;
		me->zero_full = peer->last_full;
		return;
	}
	if (!me->zero_open)
		return;
	me->zero_open = false;
	int64_t stalled = p->time_ns - me->zero_ns;
	if (stalled < ZERO_STALL_MIN_NS || !zero_stalled(me))
		return;
	char d[24];
	tcp_engine_raise(sc, F_WINDOW_ZERO_STALL,
			 "the %s stopped reading: zero window from frame %llu to frame %llu (%s); the %s was "
			 "stalled and sent %u zero-window probe%s",
			 flow_side_name(sc->side), (unsigned long long)me->zero_frame, (unsigned long long)p->frame,
			 duration(d, sizeof d, stalled), flow_side_name(!sc->side), me->probes,
			 me->probes == 1 ? "" : "s");
}

/* ---- Keep-alive (RFC 1122 §4.2.3.6) -------------------------------------------- */

/*
 * tcp.keepalive.unanswered: a second probe in a row without a segment from
 * the peer in between (the count is the measurements', analysis-measure.c).
 */
static void check_unanswered(const struct segment_ctx *sc, uint32_t labels)
{
	const struct endpoint *snd = sc->snd;
	if (!sc->illegal_flags && (labels & 1u << L_KEEP_ALIVE) && snd->keepalives_unanswered >= 2)
		tcp_engine_raise_once(sc, F_KEEPALIVE_UNANSWERED, "%u keep-alive probes from the %s without an answer",
				      snd->keepalives_unanswered, flow_side_name(sc->side));
}

/* Runs of unanswered probes: a probe extends its sender's run, anything from the peer answers it. */
static void on_keepalive(const struct segment_ctx *sc, struct diagnose_flow *d, uint32_t labels)
{
	const struct packet *p = sc->pkt;
	struct diagnose_keepalive *ka = d->ka;
	if (!(labels & 1u << L_KEEP_ALIVE)) {
		if (ka && (!(p->flags & TCP_RST) || ka->side != sc->side))
			ka->count = 0; /* an answer, or the prober itself went on */
		return;
	}
	if (!ka)
		ka = d->ka = xcalloc(1, sizeof *ka);
	if (ka->count == 0 || ka->side != sc->side) {
		ka->count = 0;
		ka->side = (uint8_t)sc->side;
		ka->first_frame = p->frame;
		ka->first_ns = p->time_ns;
		ka->idle_ns = sc->flow->first_frame == p->frame ? -1 : p->time_ns - d->prev_ns;
	}
	if (ka->count < UINT16_MAX)
		ka->count++;
	ka->last_frame = p->frame;
	ka->last_ns = p->time_ns;
}

/* ---- RST: refused, aborted, given up -------------------------------------------- */

/* Bytes side had sent that the peer had not acknowledged (a FIN not counted). */
static uint32_t unacked_bytes(const struct flow *f, int side)
{
	const struct endpoint *ep = &f->ep[side];
	const struct diagnose_dir *dir = &f->diag.dir[side];
	if (!ep->seen || !dir->acked_known || !SEQ_GT(ep->snd_nxt, dir->acked))
		return 0;
	uint32_t n = ep->snd_nxt - dir->acked;
	if (ep->fin_sent && SEQ_LEQ(dir->acked, ep->fin_seq))
		n--;
	return n;
}

static void on_rst(struct segment_ctx *sc, struct diagnose_flow *d)
{
	const struct packet *p = sc->pkt;
	const struct flow *f = sc->flow;
	const struct endpoint *peer = sc->rcv;
	char t[24];

	/* RFC 9293 §3.10.7.1: a CLOSED port answers a SYN with <SEQ=0><ACK=ISN+1><CTL=RST,ACK>. */
	if (!d->dir[sc->side].sent_any && (p->flags & TCP_ACK) && peer->syn_sent && d->syns > 0 &&
	    (p->ack == peer->isn + 1 || (peer->syn_payload && p->ack == peer->isn + 1 + peer->syn_payload))) {
		tcp_engine_raise_once(
			sc, F_HS_REFUSED,
			"the %s refused the connection to port %u: RST+ACK %s after the first SYN (%u SYN%s "
			"sent)",
			flow_side_name(sc->side), p->sport, duration(t, sizeof t, p->time_ns - peer->syn_time_ns),
			d->syns, d->syns == 1 ? "" : "s");
		return;
	}
	/* RFC 9293 §3.10.4 ABORT: an accepted RST on a synchronized connection before both FINs. */
	bool synchronized = d->dir[0].sent_ack && d->dir[1].sent_ack;
	if (!sc->snd->rst_sent || !synchronized || (d->dir[0].fin_seen && d->dir[1].fin_seen))
		return;
	tcp_engine_raise_once(sc, F_RESET_ABORTED,
			      "the %s aborted the connection with RST; unacknowledged then: client %u bytes, server %u "
			      "bytes",
			      flow_side_name(sc->side), unacked_bytes(f, SIDE_CLIENT), unacked_bytes(f, SIDE_SERVER));
	const struct diagnose_keepalive *ka = d->ka;
	if (!ka || ka->count == 0 || ka->side != sc->side)
		return;
	char idle[24], intvl[24];
	int64_t interval = ka->count > 1 ? (ka->last_ns - ka->first_ns) / (ka->count - 1) : p->time_ns - ka->last_ns;
	tcp_engine_raise_once(sc, F_KEEPALIVE_DEAD,
			      "the %s reset after %u unanswered keep-alive probes (frames %llu-%llu); inferred "
			      "keepalive_time %s, intvl %s, probes %u",
			      flow_side_name(sc->side), ka->count, (unsigned long long)ka->first_frame,
			      (unsigned long long)ka->last_frame,
			      ka->idle_ns < 0 ? "unknown" : duration(idle, sizeof idle, ka->idle_ns),
			      duration(intvl, sizeof intvl, interval), ka->count);
}

void diagnose_segment(struct segment_ctx *sc, const struct label_result *labels)
{
	const struct packet *p = sc->pkt;
	struct diagnose_flow *d = &sc->flow->diag;
	struct diagnose_dir *me = &d->dir[sc->side], *peer = &d->dir[!sc->side];

	check_unanswered(sc, labels->mask);
	if ((p->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && d->syns < UINT8_MAX)
		d->syns++;
	if (labels->mask & 1u << L_ZERO_WINDOW_PROBE && peer->zero_open && peer->probes < UINT16_MAX)
		peer->probes++;
	on_keepalive(sc, d, labels->mask);
	if (p->flags & TCP_RST) {
		on_rst(sc, d);
	} else {
		on_data(sc, me, labels->mask);
		on_ack(sc, peer);
		on_window(sc, me, peer);
		me->sent_any = true;
		me->sent_ack |= !!(p->flags & TCP_ACK);
		me->fin_seen |= !!(p->flags & TCP_FIN);
	}
	d->prev_ns = p->time_ns;
}

void diagnose_finish_flow(struct flow *f, finding_late_raise_fn raise, void *ctx)
{
	char message[FINDING_MESSAGE_MAX], t[24];
	for (int side = 0; side < 2; side++) {
		struct diagnose_dir *dir = &f->diag.dir[side];
		if (dir->stall && dir->stall->state != DIAGNOSE_STALL_NONE) {
			stall_message(message, sizeof message, f, side, false);
			raise(ctx, f, F_RTO_TIMEOUT, dir->stall->frame, dir->stall->time_ns, message);
			dir->stall->state = DIAGNOSE_STALL_NONE;
		}
		if (dir->zero_open && zero_stalled(dir) && f->last_ns - dir->zero_ns >= ZERO_STALL_MIN_NS) {
			snprintf(message, sizeof message,
				 "the %s stopped reading: zero window from frame %llu never reopened (%s to the end of "
				 "the flow); the %s sent %u zero-window probe%s",
				 flow_side_name(side), (unsigned long long)dir->zero_frame,
				 duration(t, sizeof t, f->last_ns - dir->zero_ns), flow_side_name(!side), dir->probes,
				 dir->probes == 1 ? "" : "s");
			raise(ctx, f, F_WINDOW_ZERO_STALL, dir->zero_frame, dir->zero_ns, message);
			dir->zero_open = false;
		}
		/* The share is judged in whole percent of data segments: retransmitted * 100 >= 2 * segments. */
		if (dir->retransmitted >= LOSS_MIN_RETRANSMISSIONS &&
		    (uint64_t)dir->retransmitted * 100 >= (uint64_t)LOSS_MIN_PERCENT * dir->segments) {
			snprintf(message, sizeof message,
				 "the %s retransmitted %u of its %u data segments (%.1f %%) over the flow's life",
				 flow_side_name(side), dir->retransmitted, dir->segments,
				 100.0 * dir->retransmitted / dir->segments);
			raise(ctx, f, F_LOSS_PERSISTENT, f->last_frame, f->last_ns, message);
		}
	}
}

void diagnose_release(struct flow *f)
{
	for (int side = 0; side < 2; side++) {
		free(f->diag.dir[side].stall);
		f->diag.dir[side].stall = NULL;
	}
	free(f->diag.ka);
	f->diag.ka = NULL;
}
