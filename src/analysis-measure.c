/*
 * analysis-measure.c - the measurements of SPEC §4.6, taken segment by
 * segment after the TCP engine has judged each one.
 *
 * It runs right after tcp_engine_segment() (analysis-measure.h) and reads the
 * engine's verdicts instead of judging again: a segment dropped for illegal
 * flags is only counted; one the engine dropped unprocessed enters no RTT
 * ring; whether it advanced its sender's sequence space decides whether a
 * later ACK of it may give an RTT sample (Karn, analysis-rtt.h); on the handshake
 * ACK the engine timed, its round trips from the capture point to each end
 * tell where the capture was taken. (Those round trips and the iRTT are the
 * engine's: its delivery stage times crossings and timers by them.) The labels
 * say which bytes were retransmitted and which segments are keep-alive
 * probes. Everything it keeps is in the flow's endpoint records (flow.h);
 * the RTT rings are its only memory, allocated with a sender's first
 * segment and freed once the flow is finished, or with the flow
 * (measure_release, called by the engine).
 *
 * It judges nothing and raises no finding: what its numbers mean for the
 * connection (keep-alive probes left unanswered, say) is said by the
 * diagnoses, which run after it (analysis-diagnose.c).
 */
#include "config.h"

#include <stdlib.h>

#include "analysis-measure.h"
#include "mem-alloc.h"
#include "tcp-engine.h"
#include "tcp-seq.h"

enum {
	COMPLETE_SYN = 1,
	COMPLETE_SYNACK = 2,
	COMPLETE_ACK = 4,
	COMPLETE_DATA = 8,
	COMPLETE_FIN = 16,
	COMPLETE_RST = 32,
};

/* ---- Where the capture was taken --------------------------------------- */

/* An endpoint next to the capture point sends with an initial TTL: 64, 128, 255. */
static bool ttl_initial(uint8_t ttl)
{
	return ttl == 64 || ttl == 128 || ttl == 255;
}

/*
 * From the handshake the engine timed: the round trip from the capture point
 * to the server against the one to the client; the TTLs first when they tell.
 */
static void infer_vantage(struct flow *f)
{
	const struct endpoint *c = &f->ep[SIDE_CLIENT], *s = &f->ep[SIDE_SERVER];
	int64_t to_server = f->to_server_ns, to_client = f->to_client_ns;
	if (to_client <= 0) /* not timed: set only when both round trips are known */
		return;
	if (c->ttl && s->ttl && ttl_initial(c->ttl) != ttl_initial(s->ttl))
		f->vantage = ttl_initial(c->ttl) ? VANTAGE_CLIENT : VANTAGE_SERVER;
	else if (to_server * 2 >= to_client * 3)
		f->vantage = VANTAGE_CLIENT;
	else if (to_client * 2 >= to_server * 3)
		f->vantage = VANTAGE_SERVER;
	else
		f->vantage = c->ttl && s->ttl && !ttl_initial(c->ttl) && !ttl_initial(s->ttl) ? VANTAGE_MIDDLE
											      : VANTAGE_UNKNOWN;
}

/* ---- RTT samples -------------------------------------------------------- */

void measure_release(struct flow *f)
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
	rtt_ring_sent(snd->rtt_ring, &snd->rtt_head, &snd->rtt_count, seq, end, advances, now);
}

/* An ACK from the other side: a sample (analysis-rtt.h) joins the data sender's statistics. */
static void rtt_on_ack(struct endpoint *data_sender, uint32_t ack, int64_t now)
{
	int64_t sample =
		rtt_ring_acked(data_sender->rtt_ring, &data_sender->rtt_head, &data_sender->rtt_count, ack, now);
	if (sample < 0)
		return;
	struct rtt_stats *r = &data_sender->rtt;
	if (r->samples == 0 || sample < r->min_ns)
		r->min_ns = sample;
	if (r->samples == 0 || sample > r->max_ns)
		r->max_ns = sample;
	r->sum_ns += sample;
	r->samples++;
}

/* ---- Windows, keep-alives, bytes in flight ------------------------------- */

/* Time its sender advertised a zero window (SYN windows do not count). */
static void track_zero_window(struct endpoint *snd, const struct packet *p)
{
	if (p->window == 0 && !(p->flags & TCP_SYN)) {
		if (snd->zero_window_since < 0)
			snd->zero_window_since = p->time_ns;
	} else if (snd->zero_window_since >= 0) {
		snd->zero_window_ns += p->time_ns - snd->zero_window_since;
		snd->zero_window_since = -1;
	}
}

/* Keep-alive probes (RFC 1122 §4.2.3.6): how many, how far apart, and how many the peer left unanswered. */
static void track_keepalive(const struct segment_ctx *sc, const struct label_result *labels)
{
	struct endpoint *snd = sc->snd, *rcv = sc->rcv;
	rcv->keepalives_unanswered = 0; /* the sender answered whatever the peer probed */
	if (!(labels->mask & (1u << L_KEEP_ALIVE)))
		return;
	if (snd->keepalives > 0)
		snd->keepalive_interval_sum_ns += sc->pkt->time_ns - snd->last_keepalive_ns;
	snd->keepalives++;
	snd->last_keepalive_ns = sc->pkt->time_ns;
	snd->keepalives_unanswered++;
}

/* Wireshark's tcp.analysis.bytes_in_flight (-1: none); also keeps the sender's maximum. */
static int64_t bytes_in_flight(const struct segment_ctx *sc)
{
	const struct packet *p = sc->pkt;
	struct endpoint *snd = sc->snd;
	const struct endpoint *rcv = sc->rcv;
	if (p->payload_len == 0 || !rcv->ack_sent || (p->flags & TCP_RST))
		return -1;
	int32_t n = SEQ_DIFF(snd->snd_nxt, rcv->last_ack);
	if (n < 0)
		return -1;
	if ((uint32_t)n > snd->max_in_flight)
		snd->max_in_flight = (uint32_t)n;
	return n;
}

/* Wireshark's tcp.completeness bits (SPEC §4.7). */
static void update_completeness(struct flow *f, const struct packet *p)
{
	if (p->flags & TCP_SYN)
		f->completeness |= (p->flags & TCP_ACK) ? COMPLETE_SYNACK : COMPLETE_SYN;
	else if ((p->flags & TCP_ACK) && (f->completeness & COMPLETE_SYNACK))
		f->completeness |= COMPLETE_ACK;
	if (p->payload_len > 0)
		f->completeness |= COMPLETE_DATA;
	if (p->flags & TCP_FIN)
		f->completeness |= COMPLETE_FIN;
	if (p->flags & TCP_RST)
		f->completeness |= COMPLETE_RST;
}

/* What a segment the engine processed measures (one dropped for its flags is only counted). */
static void measure_processed(const struct segment_ctx *sc, const struct label_result *labels)
{
	const struct packet *p = sc->pkt;
	struct flow *f = sc->flow;
	struct endpoint *snd = sc->snd;
	uint8_t fl = p->flags;

	if (!snd->ttl)
		snd->ttl = p->ip_ttl;
	if (labels->mask & LABELS_RETRANSMISSIONS)
		snd->retrans_bytes += p->payload_len;
	if (!(fl & TCP_RST) && !sc->dropped && (p->payload_len > 0 || (fl & (TCP_SYN | TCP_FIN))) && !f->rtt_released)
		rtt_on_send(snd, p->seq, sc->end, sc->advanced, p->time_ns);
	if ((fl & TCP_ACK) && !(fl & TCP_RST)) {
		rtt_on_ack(sc->rcv, p->ack, p->time_ns);
		track_zero_window(snd, p);
	}
	track_keepalive(sc, labels);
	/* Nothing is left to time once both FINs are acknowledged or the flow was reset. */
	if (!f->rtt_released && (f->reset || (f->ep[0].fin_acked && f->ep[1].fin_acked)))
		measure_release(f); /* finished: no samples are taken after this */
}

int64_t measure_segment(const struct segment_ctx *sc, const struct label_result *labels)
{
	const struct packet *p = sc->pkt;
	if (sc->handshake_timed)
		infer_vantage(sc->flow);
	sc->snd->packets++;
	sc->snd->payload_bytes += p->payload_len;
	if (!sc->illegal_flags)
		measure_processed(sc, labels);
	update_completeness(sc->flow, p);
	return bytes_in_flight(sc);
}
