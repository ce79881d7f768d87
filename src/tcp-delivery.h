/*
 * tcp-delivery.h - the delivery stage: what became of each segment the capture
 * saw, and when its receiver's state changed because of it (SPEC §4.2).
 *
 *   tcp engine (the sender's side of a segment) -> delivery -> sinks
 *
 * The capture point is not the receiver. A segment that could change its
 * receiver's state (SYN, SYN-ACK, FIN, and an ACK that completes a handshake
 * or acknowledges a FIN) is held here as a pending delivery until the
 * receiver's own later behaviour settles its fate:
 *   delivered - the receiver acknowledges it, or acts as only an endpoint
 *               that had it can; its transition is applied then, in the
 *               order the sender sent its segments;
 *   lost      - the sender sends it again with nothing in between showing it
 *               arrived, or the receiver's retransmission timer shows it
 *               never came; it changes no state;
 *   unknown   - the flow ended, or the segment waited too long: taken as
 *               delivered (the common case), and said so.
 * Data segments get the same three fates from the receiver's ACKs, SACKs
 * and timestamps (tcp-delivery-data.c); they change no state, so only their
 * views wait for them.
 * Packet views wait here too while a state they show may still change, and
 * leave once settled, in capture order, with the receiver's state as it
 * really was ("a little later"). Live, views leave at once (a live screen
 * must not wait on the network) with the states known then; the flows'
 * states are settled all the same. Memory is bounded: a few pending
 * deliveries per flow, and a fixed number of held views.
 *
 * Ownership: the stage owns its held views and their packet copies; the
 * engine owns flows and calls delivery_flow_end() before it frees one.
 */
#ifndef TCPSCOPE_TCP_DELIVERY_H
#define TCPSCOPE_TCP_DELIVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "tcp-engine.h"

struct packet_view;
struct delivery;

struct engine_sink;
struct flow_summary;

/*
 * in_capture_order: views wait until settled and leave in capture order
 * (batch); else at once (live). Views and flow summaries go to sink's
 * packet and flow_end (copied: the sink need not outlive the call).
 */
struct delivery *delivery_new(bool in_capture_order, int64_t msl_ns, const struct engine_sink *sink);
void delivery_free(struct delivery *d);

/*
 * Before the engine judges segment sc: what it proves about the segments
 * its sender's peer sent earlier (settles them, raises the diagnoses on sc).
 */
void delivery_evidence(struct delivery *d, struct segment_ctx *sc);
/* After the engine judged sc: its receiver's side, now or pending. */
void delivery_submit(struct delivery *d, struct segment_ctx *sc);
/* The view of the packet just analysed: emitted now, or held until settled (copied). */
void delivery_view(struct delivery *d, struct flow *f, const struct packet_view *view);
/* The flow ends: settle what is pending (unknown fates count as delivered) and release its views. */
void delivery_flow_end(struct delivery *d, struct flow *f);
/*
 * The ended flow's summary: to the sink after the flow's last view, so at
 * once unless views of earlier frames still wait (then it is copied and waits
 * with them).
 */
void delivery_summary(struct delivery *d, const struct flow_summary *s);
/* Settles f's segments that have waited too long by capture time now, as unknown (a flow without new packets). */
void delivery_settle_stale(struct delivery *d, struct flow *f, int64_t now_ns);
/* When the next of f's segments will have waited too long: INT64_MAX if none waits. */
int64_t delivery_stale_at(struct delivery *d, const struct flow *f);
/* Settles, as unknown, segments whose views have waited too long by capture time now (live timer). */
void delivery_tick(struct delivery *d, int64_t now_ns);
/* Emits every view still held (end of input, after every flow ended). */
void delivery_flush(struct delivery *d);

#endif
