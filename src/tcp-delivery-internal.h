/*
 * tcp-delivery-internal.h - what the two halves of the delivery stage share:
 * tcp-delivery.c (segments that change their receiver's state, and the held
 * views) and tcp-delivery-data.c (the fates of data segments). Nothing outside
 * those two files includes it; the stage's seam is tcp-delivery.h.
 *
 * A held view waits for two things, each cleared by its own half: the
 * states it shows (an earlier segment of its flow is still pending) and,
 * for a data segment, its own fate. It leaves once neither is left, in
 * capture order. Held views are numbered from 1 in the order they were
 * held; the number finds a view in O(1) while it waits (held_number).
 * Finding a held view is here, inline, so that the data half never calls
 * back into tcp-delivery.c, which calls it.
 */
#ifndef TCPSCOPE_TCP_DELIVERY_INTERNAL_H
#define TCPSCOPE_TCP_DELIVERY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "flow.h"
#include "packet.h"

/* A pending segment older than this counts as delivered; bounds how late a view may leave. */
#define PENDING_HOLD_NS (5 * 1000000000LL)

/* A data segment waiting for its fate (tcp-delivery-data.c). */
struct held_data {
	uint64_t next;	     /* the number of the next waiting data view of the same flow and sender, 0: none */
	uint64_t resent_by;  /* the latest frame that sent (part of) its bytes again, 0: none */
	uint64_t hole_frame; /* a receiver's SACK that showed its bytes missing when they were due, 0: none */
	uint32_t seq, end;
	uint32_t tsval, resent_tsval;
	bool has_ts, resent_has_ts;
	bool is_resend;	   /* it resent bytes of a waiting view, or bytes already acknowledged */
	bool earlier_lost; /* the copy it resent was lost: it is what the receiver has */
	bool part_arrived; /* some of its bytes were acknowledged or SACKed before the rest */
};

struct held_view {
	struct packet_view view;
	struct packet pkt;
	struct flow *flow; /* its flow, while the view waits; views are matched by view.flow_id */
	bool waits_state;  /* a segment of its flow seen before it is still pending */
	bool waits_data;   /* its own fate is not settled yet (tcp-delivery-data.c) */
	bool data_fate;	   /* its fate is its data's (tcp-delivery-data.c), not its state change's */
	struct held_data data;
};

/* Room for one flow's pending segments, lent from the stage's pool; on the free list, the next free one. */
union pending_room {
	union pending_room *next_free;
	struct pending_delivery seg[PENDING_MAX];
};

/* The pool's memory, allocated this many rooms at a time and freed with the stage. */
#define PENDING_ROOMS_PER_CHUNK 256
struct pending_chunk {
	struct pending_chunk *next;
	union pending_room room[PENDING_ROOMS_PER_CHUNK];
};

/* A flow summary waiting for the views held before it (capture order). */
struct held_summary {
	uint64_t after; /* leaves once this many views have left */
	struct flow_summary summary;
};

struct delivery {
	bool in_order;
	int64_t msl_ns;
	struct engine_sink sink;
	struct held_view *held; /* [head, tail) in capture order, allocated with the first */
	size_t head, tail;
	uint64_t views_held, views_left; /* counted since the start; held view n is held[head + n - views_left - 1] */
	struct held_summary *summaries;	 /* [0, nsummaries), in order; grown as needed */
	size_t nsummaries, summaries_cap;
	/* While one segment's evidence is weighed: the row each side's last change went to. */
	const struct flow *changed_flow;
	uint64_t changed_from[2];
	uint64_t resend_frame; /* the last frame that resent bytes of a waiting data view (tcp-delivery-data.c) */
	union pending_room *free_rooms; /* rooms for flows' pending segments, not lent */
	struct pending_chunk *chunks;
};

/* The held view numbered n (still held: n > views_left). */
static inline struct held_view *held_number(struct delivery *d, uint64_t n)
{
	return &d->held[d->head + (n - d->views_left - 1)];
}

/* Does f have views still held? Views leave in order, so its last one tells. */
static inline bool has_held(const struct delivery *d, const struct flow *f)
{
	return f->held_until > d->views_left;
}

/* The index of the first held view of a frame >= frame (held views are in frame order). */
static inline size_t held_from(const struct delivery *d, uint64_t frame)
{
	size_t lo = d->head, hi = d->tail;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->held[mid].pkt.frame < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The held view of a frame of f, or NULL. */
static inline struct held_view *delivery_held_of(struct delivery *d, const struct flow *f, uint64_t frame)
{
	if (!has_held(d, f))
		return NULL;
	size_t i = held_from(d, frame);
	return i < d->tail && d->held[i].pkt.frame == frame && d->held[i].view.flow_id == f->id ? &d->held[i] : NULL;
}

/* tcp-delivery-data.c: the data half, called by tcp-delivery.c. */

/* Should view (of f) wait for its own fate? */
bool data_waits(const struct flow *f, const struct packet_view *view);
/* The view just held in h, numbered n, waits for its fate: it joins its flow's list. */
void data_hold(struct delivery *d, struct flow *f, struct held_view *h, uint64_t n);
/* What segment sc proves about the data its peer sent, and about its own earlier copies. */
void data_evidence(struct delivery *d, struct segment_ctx *sc);
/* Every waiting data view of f: fate unknown (the flow ended, or waits no longer). */
void data_settle_all(struct delivery *d, struct flow *f);
/* f's data views that have waited PENDING_HOLD_NS by capture time now: fate unknown. */
void data_settle_older_than_hold(struct delivery *d, struct flow *f, int64_t now_ns);
/* When f's oldest waiting data view will have waited too long: INT64_MAX if none waits. */
int64_t data_stale_at(struct delivery *d, const struct flow *f);

#endif
