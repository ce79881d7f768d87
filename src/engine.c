/*
 * engine.c - wires the pipeline: decode each record, find or create the flow
 * incarnation it belongs to (SPEC §4.1; the TCP engine decides whether a SYN
 * starts one), compute its labels, run the TCP engine on it, then the
 * analyses that read the engine's verdicts (measurements, delivery,
 * diagnoses, Zeek's summary) with the labels, and hand findings, packet views
 * and flow summaries to the sink. Of its own it raises only what decode and
 * the capture report, no TCP rule. Flows end here too: replaced by a new
 * incarnation, closed and past TIME-WAIT, idle, evicted over --max-flows, or
 * at the end of input.
 *
 * Per packet nothing is allocated: the packet record and its view are reused,
 * and a new flow comes from the flow table's slabs (a free list of ended ones first).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis-measure.h"
#include "decode.h"
#include "engine.h"
#include "flow-table.h"
#include "mem-alloc.h"
#include "mem-blocks.h"
#include "tcp-delivery.h"
#include "tcp-engine.h"

/* Half-open flows (handshake never completed) idle this long are over: Linux gives up after ~127 s. */
#define HALF_OPEN_TIMEOUT_NS (180 * 1000000000LL)
#define EXPIRE_PERIOD_NS (1000000000LL)
#define EVICT_SCAN 64 /* flows looked at to choose one to evict */

struct engine {
	struct engine_config cfg;
	struct engine_sink sink;
	struct flow_table *flows;
	struct delivery *delivery; /* settles each segment's fate before its view leaves (tcp-delivery.h) */
	struct engine_stats stats;
	struct decode_options decode_opts;
	struct packet pkt;
	struct packet_view view;
	uint32_t next_id;
	int64_t next_expire_ns;
	int64_t now_ns;	      /* the latest capture time seen or expired to */
	bool some_flows_only; /* a shard, or parts of one: not every flow is this engine's (flow-set.h) */
	bool capture_wide;    /* raises the findings of no flow */
};

void engine_config_default(struct engine_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->msl_ns = 30 * 1000000000LL;
	cfg->max_findings_per_flow = ENGINE_MAX_FINDINGS_PER_FLOW;
	cfg->flows = flow_set_all();
}

struct engine *engine_new(const struct engine_config *cfg, const struct engine_sink *sink)
{
	struct engine *e = xcalloc(1, sizeof *e);
	e->cfg = *cfg;
	e->sink = *sink;
	/* The seed only spreads flows over buckets; output never depends on it. */
	e->flows = flow_table_new(0x6a09e667f3bcc908ULL ^ (uint64_t)(uintptr_t)e);
	e->decode_opts.verify_checksums = cfg->verify_checksums;
	e->some_flows_only = flow_set_is_partial(&cfg->flows);
	e->capture_wide = flow_set_has_capture_wide(&cfg->flows);
	e->delivery = delivery_new(!cfg->views_per_flow, cfg->msl_ns, sink);
	return e;
}

static void emit_finding_at(struct engine *e, uint64_t frame, int64_t time_ns, uint32_t flow_id, enum finding_id id,
			    const char *message)
{
	struct finding fd;
	fd.frame = frame;
	fd.flow = flow_id;
	fd.time_ns = time_ns;
	fd.id = id;
	snprintf(fd.message, sizeof fd.message, "%s", message);
	if (e->sink.finding)
		e->sink.finding(e->sink.ctx, &fd);
}

/* A finding on the packet being analysed: also listed in its packet view. */
static void emit_finding(struct engine *e, uint32_t flow_id, enum finding_id id, const char *message)
{
	if (e->view.nfindings < VIEW_MAX_FINDINGS)
		e->view.findings[e->view.nfindings++] = id;
	emit_finding_at(e, e->pkt.frame, e->pkt.time_ns, flow_id, id, message);
}

/*
 * Counts a finding on its flow; false when the flow already has the cap's
 * worth of that severity, and the finding is then only counted as dropped,
 * so one pathological flow cannot fill memory (docs/robustness.md). The cap
 * is per severity so that a flood of notes never hides an error.
 */
static bool count_on_flow(const struct engine *e, struct flow *f, enum finding_id id)
{
	uint32_t made = f->finding_counts[finding_info(id)->severity]++;
	if (!e->cfg.max_findings_per_flow || made < e->cfg.max_findings_per_flow)
		return true;
	f->findings_dropped++;
	return false;
}

/* A finding judged only when its flow ended, raised on the frame it concerns. */
static void raise_late(void *ctx, struct flow *f, enum finding_id id, uint64_t frame, int64_t time_ns,
		       const char *message)
{
	struct engine *e = ctx;
	if (count_on_flow(e, f, id))
		emit_finding_at(e, frame, time_ns, f->id, id, message);
}

/* The segment_ctx raise callback: counts the finding on its flow and emits it. */
static void raise_on_flow(void *ctx, const struct segment_ctx *sc, enum finding_id id, const char *message)
{
	struct engine *e = ctx;
	if (count_on_flow(e, sc->flow, id))
		emit_finding(e, sc->flow->id, id, message);
}

/* Frees what the analyses hung on a flow (the engine allocates the label counts), then the flow. */
static void release_flow(struct engine *e, struct flow *f)
{
	measure_release(f);
	diagnose_release(f);
	free(f->label_counts);
	zeek_release(&f->zeek);
	flow_table_release_flow(e->flows, f);
}

/* Hands a flow already unlinked from the table to the sink as a summary, then frees it. */
static void finish_unlinked_flow(struct engine *e, struct flow *f)
{
	struct flow_summary s;
	delivery_flow_end(e->delivery, f);
	tcp_engine_finish_flow(f, raise_late, e);
	diagnose_finish_flow(f, raise_late, e);
	summary_from_flow(f, e->stats.last_ns, &s);
	release_flow(e, f);
	delivery_summary(e->delivery, &s);
}

static void end_flow(struct engine *e, struct flow *f)
{
	flow_table_remove(e->flows, f);
	finish_unlinked_flow(e, f);
}

/* Which side of f sent a packet whose source is key side 0 (src_lower) or 1. */
static int sender_side(const struct flow *f, bool src_lower)
{
	return src_lower == f->client_is_lower ? SIDE_CLIENT : SIDE_SERVER;
}

static bool port_is_service(uint16_t port)
{
	return port < 1024;
}

/*
 * The flow to evict past --max-flows (SPEC §10): among the EVICT_SCAN least
 * recently active, the oldest that is finished or half-open (handshake never
 * completed), else the least recently active of all. Under a SYN flood the
 * flood's own half-open flows go first, not an established connection that
 * merely sat idle for a while.
 */
static struct flow *eviction_victim(const struct engine *e)
{
	struct flow *oldest = flow_table_oldest(e->flows);
	struct flow *f = oldest;
	for (int i = 0; f && i < EVICT_SCAN; i++, f = f->newer)
		if (tcp_engine_flow_finished(f) || (!f->handshake_done && !f->midstream))
			return f;
	return oldest;
}

/* Creates the flow for a packet that starts one; decides client and server (SPEC §4.1). */
static struct flow *new_flow(struct engine *e, const struct flow_key *key, bool src_lower)
{
	const struct packet *p = &e->pkt;
	if (e->cfg.max_flows && flow_table_count(e->flows) >= e->cfg.max_flows) {
		end_flow(e, eviction_victim(e));
		e->stats.flows_evicted++;
	}
	struct flow *f = flow_table_new_flow(e->flows);
	f->id = ++e->next_id;
	f->key = *key;
	bool sender_is_client;
	if ((p->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		sender_is_client = true;
	} else if ((p->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
		sender_is_client = false;
	} else {
		sender_is_client = !(port_is_service(p->sport) && !port_is_service(p->dport));
		f->direction_guessed = true;
		f->midstream = true;
	}
	f->client_is_lower = sender_is_client ? src_lower : !src_lower;
	f->first_frame = p->frame;
	f->start_ns = p->time_ns;
	f->irtt_ns = -1;
	f->closed_first_by = -1;
	f->reset_by = -1;
	for (int side = 0; side < 2; side++) {
		f->ep[side].state = TCPS_UNKNOWN;
		f->ep[side].wscale = -1;
		f->ep[side].zero_window_since = -1;
	}
	labels_init(&f->labels);
	zeek_init(&f->zeek);
	flow_table_add(e->flows, f);
	e->stats.flows_total++;
	if (flow_table_count(e->flows) > e->stats.flows_peak)
		e->stats.flows_peak = flow_table_count(e->flows);
	return f;
}

/* in_set: the packet's flow is known to be one of this engine's (flow-set.h). */
static void analyse_tcp(struct engine *e, bool in_set)
{
	const struct packet *p = &e->pkt;
	struct flow_key key;
	bool src_lower = flow_key_from_packet(p, &key);
	if (!in_set && e->some_flows_only && !flow_set_has_hash(&e->cfg.flows, flow_key_shard_hash(&key)))
		return;
	e->stats.tcp_packets++;
	if (p->decode_finding != F_NONE && finding_info(p->decode_finding)->severity != SEV_NOTE)
		e->stats.decode_errors++;

	struct segment_ctx sc = {
		.pkt = p, .msl_ns = e->cfg.msl_ns, .raise = raise_on_flow, .raise_ctx = e, .raise_late = raise_late};
	struct flow *f = flow_table_find(e->flows, &key);
	bool reused = f && tcp_engine_starts_incarnation(f, sender_side(f, src_lower), p);
	if (reused) {
		/* The new incarnation takes the key; the reuse is judged on it, then the old one ends. */
		struct flow *old = f;
		int old_side = sender_side(old, src_lower);
		flow_table_remove(e->flows, old);
		f = new_flow(e, &key, src_lower);
		sc.flow = f;
		sc.side = sender_side(f, src_lower);
		tcp_engine_judge_incarnation(old, old_side, &sc);
		finish_unlinked_flow(e, old);
	} else if (!f) {
		f = new_flow(e, &key, src_lower);
	}
	int side = sender_side(f, src_lower);
	sc.flow = f;
	sc.side = side;
	f->last_frame = p->frame;
	f->last_ns = p->time_ns;
	f->quiet_until = 0;
	flow_table_touch(e->flows, f);

	if (f->first_frame == p->frame && f->midstream)
		tcp_engine_raise(&sc, F_CAPTURE_MIDSTREAM, "flow picked up mid-stream: its handshake was not captured");
	if (p->decode_finding != F_NONE)
		raise_on_flow(e, &sc, p->decode_finding, p->decode_message);
	if (p->checksum_checked && p->checksum_bad)
		tcp_engine_raise(&sc, F_CHECKSUM_BAD, "TCP checksum is wrong");

	struct label_result labels;
	labels_analyze(&f->labels, side, p, &labels);
	if (reused)
		labels.mask |= 1u << L_REUSED_PORTS;
	sc.snd = &f->ep[side];
	sc.rcv = &f->ep[!side];
	enum tcp_state before[2] = {f->ep[0].state, f->ep[1].state};
	delivery_evidence(e->delivery, &sc);
	/* What the evidence settled takes effect before this segment, whose own moves come after it. */
	enum tcp_state settled[2] = {f->ep[0].state, f->ep[1].state};
	tcp_engine_segment(&sc);
	int64_t in_flight = measure_segment(&sc, &labels);
	delivery_submit(e->delivery, &sc);
	diagnose_segment(&sc, &labels);
	zeek_packet(&f->zeek, side, p, p->checksum_checked && p->checksum_bad);
	if (labels.mask && !f->label_counts)
		f->label_counts = xcalloc(L_COUNT, sizeof *f->label_counts);
	for (uint32_t m = labels.mask; m; m &= m - 1)
		f->label_counts[__builtin_ctz(m)]++;
	if (!e->sink.packet)
		return;

	struct packet_view *v = &e->view;
	v->pkt = p;
	v->flow_id = f->id;
	v->from_server = side;
	v->rel_seq = labels_relative_seq(&f->labels, side, p->seq);
	v->rel_ack = labels_relative_ack(&f->labels, side, p->ack);
	v->window_shift = (p->flags & TCP_SYN) ? 0 : tcp_engine_window_shift(f, side);
	v->state[SIDE_CLIENT] = f->ep[SIDE_CLIENT].state;
	v->state[SIDE_SERVER] = f->ep[SIDE_SERVER].state;
	v->bytes_in_flight = in_flight;
	v->labels = labels.mask;
	v->dupack_num = labels.dupack_num;
	for (int s = 0; s < 2; s++)
		v->via[s] = settled[s] != f->ep[s].state && settled[s] != before[s] ? settled[s] : TCPS_COUNT;
	v->fate = FATE_NONE;
	v->fate_frame = 0;
	v->arrived_after = 0;
	delivery_view(e->delivery, f, v);
}

/*
 * Decodes and analyses one record; in_set: its flow is known to be
 * this engine's. Never inlined: engine_packet() then passes over another
 * shard's record without saving and restoring the registers this needs.
 */
__attribute__((noinline)) static void analyse_record(struct engine *e, const struct capture_record *rec, bool in_set)
{
	struct packet *p = &e->pkt;
	p->frame = rec->frame;
	p->offset = rec->offset;
	p->time_ns = rec->time_ns;
	p->caplen = rec->caplen;
	p->wirelen = rec->wirelen;
	e->view.nfindings = 0;
	switch (decode_packet(rec->linktype, rec->data, &e->decode_opts, p)) {
	case DECODE_NOT_TCP:
		break;
	case DECODE_BAD:
		if (in_set || e->capture_wide) {
			e->stats.decode_errors++;
			emit_finding(e, 0, p->decode_finding, p->decode_message);
		}
		break;
	case DECODE_TCP:
		analyse_tcp(e, in_set);
		break;
	}
}

void engine_packet(struct engine *e, const struct capture_record *rec)
{
	e->stats.packets++;
	if (e->stats.packets == 1)
		e->stats.first_ns = rec->time_ns;
	e->stats.last_ns = rec->time_ns;
	if (rec->time_ns > e->now_ns)
		e->now_ns = rec->time_ns;
	/*
	 * The seam of parallelism (flow-set.h): with only some flows this
	 * engine's, a frame whose flow its headers show is this engine's or
	 * none of its business, even when it proves unusable; only the others
	 * are decoded by every engine, the unusable ones then being the
	 * capture-wide set's.
	 */
	enum flow_set_place place = e->some_flows_only ? flow_set_place_record(&e->cfg.flows, rec) : FLOW_SET_UNKNOWN;
	if (place != FLOW_SET_OUT)
		analyse_record(e, rec, place == FLOW_SET_IN);
	if (rec->time_ns >= e->next_expire_ns) {
		engine_expire(e, rec->time_ns);
		e->next_expire_ns = rec->time_ns + EXPIRE_PERIOD_NS;
	}
}

void engine_input_truncated(struct engine *e, const char *detail)
{
	char message[FINDING_MESSAGE_MAX];
	snprintf(message, sizeof message, "file ends inside a record after frame %llu: %s",
		 (unsigned long long)e->stats.packets, detail);
	e->stats.truncated = true;
	if (!e->capture_wide)
		return;
	e->pkt.frame = 0;
	e->pkt.time_ns = e->stats.last_ns;
	emit_finding(e, 0, F_CAPTURE_TRUNCATED, message);
}

static bool flow_expired(const struct engine *e, struct flow *f, int64_t now_ns)
{
	delivery_settle_stale(e->delivery, f, now_ns);
	tcp_engine_expire_time_wait(f, now_ns);
	int64_t idle = now_ns - f->last_ns;
	if (e->cfg.idle_timeout_ns && idle >= e->cfg.idle_timeout_ns)
		return true;
	if (!f->handshake_done && !f->midstream && idle >= HALF_OPEN_TIMEOUT_NS)
		return true;
	for (int side = 0; side < 2; side++) {
		enum tcp_state s = f->ep[side].state;
		if (s == TCPS_TIME_WAIT && now_ns < f->ep[side].time_wait_until)
			return false;
		if (!tcp_state_no_connection(s))
			return false;
	}
	/* Closed: keep it 2*MSL for stray retransmissions before letting it go. */
	return idle >= 2 * e->cfg.msl_ns;
}

static int64_t earliest(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * The first time at which one of flow_expired()'s rules could end a flow
 * that gets no more packets. Until then engine_expire() passes over it, so
 * that, say, the half-open flows of a SYN flood are not looked at again
 * every second for the 180 s they wait. (TIME-WAIT, which lasts 2*MSL from
 * a packet, is always over by the first look, at 2*MSL of idleness.)
 */
static int64_t quiet_until(const struct engine *e, const struct flow *f)
{
	int64_t t = delivery_stale_at(e->delivery, f);
	if (e->cfg.idle_timeout_ns)
		t = earliest(t, f->last_ns + e->cfg.idle_timeout_ns);
	if (!f->handshake_done && !f->midstream)
		t = earliest(t, f->last_ns + HALF_OPEN_TIMEOUT_NS);
	int64_t closed = f->last_ns + 2 * e->cfg.msl_ns;
	for (int side = 0; side < 2; side++) {
		enum tcp_state s = f->ep[side].state;
		if (s == TCPS_TIME_WAIT && f->ep[side].time_wait_until > closed)
			closed = f->ep[side].time_wait_until;
		else if (!tcp_state_no_connection(s))
			closed = INT64_MAX;
	}
	return earliest(t, closed);
}

void engine_expire(struct engine *e, int64_t now_ns)
{
	/* The activity list is ordered by last packet: stop at the first flow too recent for any rule. */
	int64_t min_idle = 2 * e->cfg.msl_ns < HALF_OPEN_TIMEOUT_NS ? 2 * e->cfg.msl_ns : HALF_OPEN_TIMEOUT_NS;
	if (e->cfg.idle_timeout_ns && e->cfg.idle_timeout_ns < min_idle)
		min_idle = e->cfg.idle_timeout_ns;
	if (now_ns > e->now_ns)
		e->now_ns = now_ns;
	delivery_tick(e->delivery, now_ns);
	struct flow *f = flow_table_oldest(e->flows);
	while (f && now_ns - f->last_ns >= min_idle) {
		struct flow *next = f->newer;
		if (now_ns >= f->quiet_until) {
			if (flow_expired(e, f, now_ns))
				end_flow(e, f);
			else
				f->quiet_until = quiet_until(e, f);
		}
		f = next;
	}
}

/* A flow still open at the end, with its id beside it: sorting then reads no flow (no cache misses). */
struct open_flow {
	uint32_t id;
	struct flow *flow;
};

/*
 * Sorts n open flows by id, using tmp (room for n): a stable counting pass
 * per byte of the id, lowest first, skipping bytes that all ids share.
 * Four passes over the array at most, where qsort() made n log n calls.
 */
static void sort_open_flows(struct open_flow *flows, struct open_flow *tmp, size_t n)
{
	struct open_flow *from = flows, *to = tmp;
	for (unsigned shift = 0; n > 0 && shift < 32; shift += 8) {
		size_t start[256] = {0};
		for (size_t i = 0; i < n; i++)
			start[from[i].id >> shift & 0xff]++;
		if (start[from[0].id >> shift & 0xff] == n)
			continue;
		for (size_t b = 0, at = 0; b < 256; b++) {
			size_t count = start[b];
			start[b] = at;
			at += count;
		}
		for (size_t i = 0; i < n; i++)
			to[start[from[i].id >> shift & 0xff]++] = from[i];
		struct open_flow *sorted = to;
		to = from;
		from = sorted;
	}
	if (from != flows)
		memcpy(flows, from, n * sizeof *flows);
}

/*
 * Ending the open flows reads each whole flow once, in an order the
 * hardware cannot foresee: loading the flows a few ahead keeps those reads
 * from waiting on memory one after another.
 */
enum { FINISH_PREFETCH = 4 };

static void prefetch_flow(const struct flow *f)
{
	for (size_t at = 0; at < sizeof *f; at += 64)
		__builtin_prefetch((const char *)f + at);
}

void engine_finish(struct engine *e)
{
	size_t room = flow_table_count(e->flows) + 1;
	struct flow **unlinked = xmalloc(room * sizeof *unlinked);
	struct open_flow *all = xmalloc(2 * room * sizeof *all);
	size_t n = flow_table_unlink_all(e->flows, unlinked);
	for (size_t i = 0; i < n; i++)
		all[i] = (struct open_flow){unlinked[i]->id, unlinked[i]};
	free(unlinked);
	sort_open_flows(all, all + n, n);
	for (size_t i = 0; i < n; i++) {
		if (i + FINISH_PREFETCH < n)
			prefetch_flow(all[i + FINISH_PREFETCH].flow);
		finish_unlinked_flow(e, all[i].flow);
	}
	free(all);
	delivery_flush(e->delivery);
}

void engine_foreach_open_flow(struct engine *e, void (*fn)(void *ctx, const struct flow_summary *s), void *ctx)
{
	struct flow_summary s;
	for (struct flow *f = flow_table_oldest(e->flows); f; f = f->newer) {
		if (f->npending)
			delivery_settle_stale(e->delivery, f, e->now_ns);
		summary_from_flow(f, e->stats.last_ns, &s);
		fn(ctx, &s);
	}
}

void engine_get_stats(const struct engine *e, struct engine_stats *out)
{
	*out = e->stats;
	out->flows_active = flow_table_count(e->flows);
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	for (struct flow *f; (f = flow_table_oldest(e->flows));) {
		flow_table_remove(e->flows, f);
		release_flow(e, f);
	}
	flow_table_free(e->flows);
	delivery_free(e->delivery);
	bool give_back = e->cfg.give_back_memory;
	free(e);
	if (give_back)
		block_cache_trim();
}
