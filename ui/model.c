/*
 * model.c - loads a capture into the UI model (model.h) a slice at a time,
 * or takes it from a live capture's engine, and reads packet details back
 * from the file on demand.
 *
 * For a file the engine runs here with this module as its sink; live, the
 * capture session's engine gets the same sink (model_sink). Each packet view
 * becomes a 32-byte struct model_packet in fixed-size chunks (so growing never
 * copies what is loaded), each finding a compact record whose message lives in
 * one text arena, and each flow a struct model_flow indexed by id. Flows get a
 * provisional summary from their packets as they arrive; the engine's own
 * summary replaces it when a snapshot is asked for (model_refresh_open_flows,
 * model_live_refresh) and, for good, when the flow ends.
 *
 * Live, the limits keep memory flat (model.h). Packets leave from the front
 * one by one as new ones come (each flow counting its own), their chunk
 * is kept for reuse once it is empty, and findings whose packets are gone
 * leave with them. Closed flows join a queue in the order they closed;
 * past limits.history the first of the queue are dropped, leaving a
 * placeholder in flows[] until enough of them are swept away at once. The
 * engine numbers flows in the order it creates them and speaks of a flow
 * first when it creates it, so a new flow always goes at the end of flows[]
 * and a known id is found by a binary search of flow_ids[].
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "decode.h"
#include "mem-alloc.h"
#include "model.h"

#define CHUNK_SHIFT 16
#define CHUNK_SIZE ((uint64_t)1 << CHUNK_SHIFT)
#define MAX_LEN 0xffff
#define PACKETS_PER_FINDING 8 /* live: one finding kept at most for this many packets kept */

_Static_assert(sizeof(struct model_packet) == 32, "the UI keeps at most 32 bytes a packet (SPEC §12)");

int64_t model_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The record of a packet in memory. */
static struct model_packet *packet_slot(const struct model *m, uint64_t index)
{
	return &m->chunks[(index >> CHUNK_SHIFT) - m->chunk_first][index & (CHUNK_SIZE - 1)];
}

const struct model_packet *model_packet_at(const struct model *m, uint64_t index)
{
	if (index < m->packets_first || index >= m->npackets)
		return NULL;
	return packet_slot(m, index);
}

static struct model_packet *append_packet(struct model *m)
{
	uint64_t index = m->npackets;
	if ((index & (CHUNK_SIZE - 1)) == 0) {
		if (m->nchunks == 0)
			m->chunk_first = index >> CHUNK_SHIFT;
		m->chunks = xgrow(m->chunks, &m->chunks_cap, m->nchunks + 1, sizeof *m->chunks);
		m->chunks[m->nchunks++] =
			m->spare_chunk ? m->spare_chunk : xmalloc(CHUNK_SIZE * sizeof(struct model_packet));
		m->spare_chunk = NULL;
	}
	m->npackets++;
	return packet_slot(m, index);
}

/* Where a flow id is in flows[] (dropped or not), or SIZE_MAX. */
static size_t flow_pos(const struct model *m, uint32_t id)
{
	size_t lo = 0, hi = m->flows_len;
	if (hi && m->flow_ids[hi - 1] == id)
		return hi - 1; /* the newest flow: most packets of a flood */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->flow_ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->flows_len && m->flow_ids[lo] == id ? lo : SIZE_MAX;
}

const struct model_flow *model_flow(const struct model *m, uint32_t id)
{
	size_t i = flow_pos(m, id);
	/* A dropped flow's entry is zeroed, id included, until it is swept away. */
	return i != SIZE_MAX && m->flows[i].s.id ? &m->flows[i] : NULL;
}

/* model_flow() for the model's own changes. */
static struct model_flow *flow_find(struct model *m, uint32_t id)
{
	size_t i = flow_pos(m, id);
	return i != SIZE_MAX && m->flows[i].s.id ? &m->flows[i] : NULL;
}

/* The flow's entry, created (empty) if this is the first we hear of it; NULL if it was dropped. */
static struct model_flow *flow_slot(struct model *m, uint32_t id)
{
	if (id <= m->nflows)
		return flow_find(m, id);
	m->flows = xgrow(m->flows, &m->flows_cap, m->flows_len + 1, sizeof *m->flows);
	m->flow_ids = xgrow(m->flow_ids, &m->flow_ids_cap, m->flows_len + 1, sizeof *m->flow_ids);
	m->flow_ids[m->flows_len] = id;
	struct model_flow *f = &m->flows[m->flows_len++];
	memset(f, 0, sizeof *f);
	struct flow_summary *s = &f->s;
	s->id = id;
	s->handshake = s->close = "";
	s->closed_first_by = -1;
	s->irtt_ns = -1;
	s->time_wait_left_ns = -1;
	s->wscale[0] = s->wscale[1] = -1;
	m->nflows = id;
	return f;
}

/* Removes the entries of dropped flows from flows[] once they are an eighth of it. */
static void sweep_flows(struct model *m)
{
	if (m->flows_swept * 8 < m->flows_len)
		return;
	size_t n = 0;
	for (size_t i = 0; i < m->flows_len; i++) {
		if (!m->flows[i].s.id)
			continue;
		m->flows[n] = m->flows[i];
		m->flow_ids[n++] = m->flow_ids[i];
	}
	m->flows_len = n;
	m->flows_swept = 0;
}

/* Live: drops the flows closed earliest while more than limits.history are closed. */
static void drop_history(struct model *m)
{
	if (m->closed_len - m->closed_head <= m->limits.history)
		return;
	while (m->closed_len - m->closed_head > m->limits.history) {
		struct model_flow *f = flow_find(m, m->closed[m->closed_head++]);
		free(f->epochs);
		memset(f, 0, sizeof *f);
		m->flows_swept++;
		m->flows_dropped++;
	}
	if (m->closed_head * 2 >= m->closed_len) {
		memmove(m->closed, m->closed + m->closed_head, (m->closed_len - m->closed_head) * sizeof *m->closed);
		m->closed_len -= m->closed_head;
		m->closed_head = 0;
	}
	sweep_flows(m);
	m->drops++;
}

const struct model_finding *model_finding_at(const struct model *m, size_t index)
{
	if (index < m->findings_first || index >= m->nfindings)
		return NULL;
	return &m->findings[index - m->findings_base];
}

/*
 * Live: drops the findings at the front while they are on dropped packets
 * (capture-wide ones, frame 0, too) or more than limits.packets /
 * PACKETS_PER_FINDING are kept. Their records and messages move down once
 * the dropped ones are as many as those kept.
 */
static void drop_findings(struct model *m)
{
	size_t most = m->limits.packets / PACKETS_PER_FINDING + 1, first = m->findings_first;
	while (m->findings_first < m->nfindings && (model_finding_at(m, m->findings_first)->frame <= m->dropped_frame ||
						    m->nfindings - m->findings_first > most))
		m->findings_first++;
	if (m->findings_first != first)
		m->drops++;
	size_t gone = m->findings_first - m->findings_base, kept = m->nfindings - m->findings_first;
	if (gone < 64 || gone < kept)
		return;
	/* Messages are in the arena in the order of their findings: the kept ones are its end. */
	uint32_t from = kept ? m->findings[gone].message : (uint32_t)m->messages_len;
	memmove(m->findings, m->findings + gone, kept * sizeof *m->findings);
	for (size_t i = 0; i < kept; i++)
		m->findings[i].message -= from;
	memmove(m->messages, m->messages + from, m->messages_len - from);
	m->messages_len -= from;
	m->findings_base = m->findings_first;
}

/* Live: closes the segments (but the current one) that hold no packet in memory. */
static void close_segments(struct model *m)
{
	unsigned n = 0;
	for (unsigned i = 0; i < m->nsegments; i++) {
		struct model_segment *sg = &m->segments[i];
		if (i + 1 < m->nsegments && m->segments[i + 1].first <= m->packets_first) {
			capture_close(sg->reader);
			continue;
		}
		m->segments[n++] = *sg;
	}
	m->nsegments = n;
}

/*
 * Live: drops the packets before index `end` (each flow counts its own),
 * keeps an emptied chunk for reuse and frees the others, and lets the
 * findings and segments of those packets go.
 */
static void drop_packets(struct model *m, uint64_t end)
{
	if (end > m->npackets)
		end = m->npackets;
	if (end <= m->packets_first)
		return;
	struct model_flow *f = NULL;
	for (uint64_t i = m->packets_first; i < end; i++) {
		uint32_t id = packet_slot(m, i)->flow;
		if (!f || f->s.id != id)
			f = flow_find(m, id);
		if (f)
			f->packets_dropped++;
	}
	m->dropped_frame = packet_slot(m, end - 1)->frame;
	m->packets_first = end;
	while (m->nchunks && (m->chunk_first + 1) << CHUNK_SHIFT <= m->packets_first) {
		if (m->spare_chunk)
			free(m->chunks[0]);
		else
			m->spare_chunk = m->chunks[0];
		memmove(m->chunks, m->chunks + 1, (m->nchunks - 1) * sizeof *m->chunks);
		m->nchunks--;
		m->chunk_first++;
	}
	drop_findings(m);
	close_segments(m);
	m->drops++;
}

/* Records the relative bases this packet implies; a changed base starts a new epoch. */
static void update_bases(struct model_flow *f, uint64_t frame, int side, uint32_t snd, bool has_rcv, uint32_t rcv)
{
	struct model_epoch e = {0};
	if (f->nepochs)
		e = f->epochs[f->nepochs - 1];
	bool differs = false, fills = false;
	for (int i = 0; i < 2; i++) {
		int s = i == 0 ? side : !side;
		uint32_t value = i == 0 ? snd : rcv;
		if (i == 1 && !has_rcv)
			continue;
		if (e.known & (1u << s)) {
			if (e.base[s] != value) {
				e.base[s] = value;
				differs = true;
			}
		} else {
			e.base[s] = value;
			e.known |= (uint8_t)(1u << s);
			fills = true;
		}
	}
	if (f->nepochs == 0 || differs) {
		e.frame = frame;
		f->epochs = xgrow(f->epochs, &f->epochs_cap, f->nepochs + 1, sizeof *f->epochs);
		f->epochs[f->nepochs++] = e;
	} else if (fills) {
		f->epochs[f->nepochs - 1] = e;
	}
}

bool model_flow_base(const struct model_flow *f, uint64_t frame, int side, uint32_t *base)
{
	for (uint32_t i = f->nepochs; i-- > 0;) {
		if (f->epochs[i].frame <= frame) {
			*base = f->epochs[i].base[side];
			return f->epochs[i].known & (1u << side);
		}
	}
	return false;
}

static uint8_t worst_mark(const struct packet_view *v)
{
	uint8_t mark = 0;
	for (int i = 0; i < v->nfindings; i++) {
		uint8_t sev = (uint8_t)(1 + finding_info(v->findings[i])->severity);
		if (sev > mark)
			mark = sev;
	}
	return mark;
}

/* Live: where the record being analysed is (set by model_load_step() for a file). */
static void take_current(struct model *m)
{
	if (!m->live)
		return;
	const struct capture_record *rec = m->feed.current(m->feed.ctx);
	m->current_frame = rec ? rec->frame : 0;
	m->current_offset = rec ? rec->offset : 0;
}

static bool endpoint_closed(enum tcp_state s)
{
	return s == TCPS_CLOSED || s == TCPS_TIME_WAIT;
}

/*
 * Live: notes when a flow is first seen closed (both endpoints done, or ended
 * by the engine) and queues it for the history's limit. The last use of f:
 * dropping the history may move the flows.
 */
static void note_closed(struct model *m, struct model_flow *f)
{
	if (!m->live || f->closed_ns)
		return;
	if (!f->ended && !(f->seen && endpoint_closed(f->s.state[0]) && endpoint_closed(f->s.state[1])))
		return;
	f->closed_ns = model_now_ns();
	if (f->seen)
		m->open_flows--;
	if (m->limits.history) {
		m->closed = xgrow(m->closed, &m->closed_cap, m->closed_len + 1, sizeof *m->closed);
		m->closed[m->closed_len++] = f->s.id;
		drop_history(m);
	}
}

static void sink_packet(void *ctx, const struct packet_view *v)
{
	struct model *m = ctx;
	take_current(m);
	const struct packet *p = v->pkt;
	int side = v->from_server ? 1 : 0;
	uint64_t index = m->npackets;
	struct model_packet *mp = append_packet(m);
	uint32_t len = p->payload_len > MAX_LEN ? MAX_LEN : p->payload_len;
	int shift = v->window_shift < -1 ? -1 : v->window_shift > 14 ? 14 : v->window_shift;
	mp->where = p->offset << 16 | len;
	mp->time_ns = p->time_ns;
	mp->frame = (uint32_t)p->frame;
	mp->flow = v->flow_id;
	mp->labels = v->labels;
	mp->flags = p->flags;
	mp->states = (uint8_t)(v->state[0] | v->state[1] << 4);
	mp->bits = (uint8_t)(side | (shift + 1) << 1 | v->fate << MODEL_FATE_SHIFT);
	mp->mark = worst_mark(v);
	if (m->limits.packets && m->npackets - m->packets_first > m->limits.packets)
		drop_packets(m, m->npackets - m->limits.packets);

	struct model_flow *f = flow_slot(m, v->flow_id);
	if (!f)
		return; /* a closed flow dropped from memory: its packets go with age */
	struct flow_summary *s = &f->s;
	if (!f->seen) {
		f->seen = true;
		m->open_flows++;
		f->first_packet = index;
		s->ip_version = p->ip_version;
		memcpy(s->addr[side], p->src, sizeof s->addr[side]);
		memcpy(s->addr[!side], p->dst, sizeof s->addr[!side]);
		s->port[side] = p->sport;
		s->port[!side] = p->dport;
		s->first_frame = p->frame;
		s->start_ns = p->time_ns;
	}
	f->last_packet = index;
	s->last_frame = p->frame;
	s->end_ns = p->time_ns;
	s->packets[side]++;
	s->payload_bytes[side] += p->payload_len;
	s->state[0] = v->state[0];
	s->state[1] = v->state[1];
	update_bases(f, p->frame, side, p->seq - v->rel_seq, p->flags & TCP_ACK, p->ack - v->rel_ack);
	note_closed(m, f);
}

uint64_t model_find_frame(const struct model *m, uint64_t frame)
{
	uint64_t lo = m->packets_first, hi = m->npackets;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (model_packet_at(m, mid)->frame < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->npackets && model_packet_at(m, lo)->frame == frame)
		return lo;
	return UINT64_MAX;
}

static void sink_finding(void *ctx, const struct finding *fd)
{
	struct model *m = ctx;
	take_current(m);
	size_t mlen = strlen(fd->message) + 1;
	m->messages = xgrow(m->messages, &m->messages_cap, m->messages_len + mlen, 1);
	memcpy(m->messages + m->messages_len, fd->message, mlen);
	size_t at = m->nfindings++ - m->findings_base;
	m->findings = xgrow(m->findings, &m->findings_cap, at + 1, sizeof *m->findings);
	struct model_finding *mf = &m->findings[at];
	mf->frame = fd->frame;
	mf->time_ns = fd->time_ns;
	mf->flow = fd->flow;
	mf->message = (uint32_t)m->messages_len;
	mf->id = fd->id;
	m->messages_len += mlen;

	enum severity sev = finding_info(fd->id)->severity;
	uint8_t mark = (uint8_t)(1 + sev);
	m->severity[sev]++;
	if (m->limits.packets)
		drop_findings(m);
	struct model_flow *f = fd->flow ? flow_slot(m, fd->flow) : NULL;
	if (f) {
		if (mark > f->worst) {
			f->worst = mark;
			f->worst_id = fd->id;
		}
		if (!f->ended)
			f->s.findings[sev]++;
	}
	/* A finding on an earlier packet (e.g. made when its flow ends): mark that packet now. */
	if (fd->frame && fd->frame != m->current_frame) {
		uint64_t i = model_find_frame(m, fd->frame);
		if (i != UINT64_MAX) {
			struct model_packet *mp = packet_slot(m, i);
			if (mark > mp->mark)
				mp->mark = mark;
		}
	}
}

static void sink_flow_end(void *ctx, const struct flow_summary *s)
{
	struct model *m = ctx;
	struct model_flow *f = flow_slot(m, s->id);
	if (!f)
		return;
	f->s = *s;
	f->ended = true;
	note_closed(m, f);
}

static void refresh_one(void *ctx, const struct flow_summary *s)
{
	struct model *m = ctx;
	struct model_flow *f = flow_slot(m, s->id);
	if (f && !f->ended) {
		f->s = *s;
		note_closed(m, f);
	}
}

static void take_open_flows(struct model *m, struct engine *e)
{
	engine_foreach_open_flow(e, refresh_one, m);
	m->last_refresh_ns = model_now_ns();
	m->generation++;
}

void model_refresh_open_flows(struct model *m)
{
	if (m->engine)
		take_open_flows(m, m->engine);
}

struct engine_sink model_sink(struct model *m)
{
	return (struct engine_sink){
		.ctx = m, .packet = sink_packet, .finding = sink_finding, .flow_end = sink_flow_end};
}

int model_open_live(struct model *m, const char *path, const char *source, const struct engine_config *cfg,
		    const struct model_feed *feed, const struct model_limits *limits, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	if (feed->flush(feed->ctx) != 0) {
		snprintf(err, errlen, "%s: cannot write the capture file", path);
		return -1;
	}
	/* Opened now, not at the first detail: the file may lose its name right after. */
	struct capture *reader = capture_open_file(path, NULL, err, errlen);
	if (!reader)
		return -1;
	m->segments[0].reader = reader;
	m->nsegments = 1;
	m->path = xstrdup(path);
	m->source = xstrdup(source);
	m->live = true;
	m->feed = *feed;
	m->cfg = *cfg;
	m->limits = *limits;
	m->nanosecond = capture_nanosecond(reader);
	snprintf(m->linktype, sizeof m->linktype, "%s", capture_linktype_name(capture_linktype(reader)));
	return 0;
}

int model_live_segment(struct model *m, const char *path, char *err, size_t errlen)
{
	/* Without a reader the segment still says where its packets are: their details fail. */
	struct capture *reader = capture_open_file(path, NULL, err, errlen);
	/* The current segment ends here: without a packet in memory it can go at once. */
	struct model_segment *last = &m->segments[m->nsegments - 1];
	if (last->first == m->npackets || m->packets_first == m->npackets) {
		capture_close(last->reader);
		m->nsegments--;
	}
	if (m->nsegments == MODEL_SEGMENTS) {
		drop_packets(m, m->segments[1].first);
		close_segments(m); /* the oldest: none of its packets is left */
	}
	m->segments[m->nsegments++] = (struct model_segment){reader, m->npackets};
	return reader ? 0 : -1;
}

void model_live_refresh(struct model *m, struct engine *e, bool flows)
{
	engine_get_stats(e, &m->stats);
	if (flows)
		take_open_flows(m, e);
	else
		m->generation++;
}

/* The model's files opened (again): one, or a join of them. */
static struct capture *model_open_capture(const struct model *m, char *err, size_t errlen)
{
	const char *const *paths = (const char *const *)m->paths;
	return m->npaths == 1 ? capture_open_file(paths[0], m->filter, err, errlen)
			      : capture_open_join(paths, m->npaths, m->filter, err, errlen);
}

int model_open(struct model *m, const char *path, const char *filter, const struct engine_config *cfg, char *err,
	       size_t errlen)
{
	return model_open_files(m, &path, 1, filter, cfg, err, errlen);
}

int model_open_files(struct model *m, const char *const *paths, size_t n, const char *filter,
		     const struct engine_config *cfg, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	m->paths = xcalloc(n, sizeof *m->paths);
	for (m->npaths = 0; m->npaths < n; m->npaths++)
		m->paths[m->npaths] = xstrdup(paths[m->npaths]);
	m->filter = filter ? xstrdup(filter) : NULL;
	m->cap = model_open_capture(m, err, errlen);
	if (!m->cap) {
		model_close(m);
		return -1;
	}
	m->nsegments = 1; /* the file, opened again at the first detail */
	m->path = n == 1 ? xstrdup(paths[0]) : capture_title(m->cap);
	m->cfg = *cfg;
	m->nanosecond = capture_nanosecond(m->cap);
	snprintf(m->linktype, sizeof m->linktype, "%s", capture_linktype_name(capture_linktype(m->cap)));
	m->file_size = capture_size(m->cap);
	struct engine_sink sink = model_sink(m);
	struct engine_config engine_cfg = *cfg;
	engine_cfg.give_back_memory = true; /* the model keeps its own copies of what it shows */
	m->engine = engine_new(&engine_cfg, &sink);
	m->loading = true;
	return 0;
}

static void finish_loading(struct model *m, enum capture_status st)
{
	if (st == CAPTURE_TRUNCATED)
		engine_input_truncated(m->engine, capture_error(m->cap));
	else if (st == CAPTURE_ERROR)
		snprintf(m->error, sizeof m->error, "%s: %s", m->path, capture_error(m->cap));
	engine_finish(m->engine);
	engine_get_stats(m->engine, &m->stats);
	engine_free(m->engine);
	m->engine = NULL;
	capture_close(m->cap);
	m->cap = NULL;
	m->offset = m->file_size;
	m->loading = false;
}

bool model_load_step(struct model *m, int64_t budget_ns)
{
	if (!m->loading)
		return false;
	int64_t start = model_now_ns(), deadline = start + budget_ns;
	for (unsigned n = 1;; n++) {
		struct capture_record rec;
		enum capture_status st = capture_next(m->cap, &rec);
		if (st != CAPTURE_PACKET) {
			finish_loading(m, st);
			break;
		}
		m->current_frame = rec.frame;
		m->current_offset = rec.offset;
		engine_packet(m->engine, &rec);
		if (n % 64 == 0 && model_now_ns() >= deadline)
			break;
	}
	if (m->loading) {
		engine_get_stats(m->engine, &m->stats);
		m->offset = capture_read_bytes(m->cap);
	}
	m->load_ns += model_now_ns() - start;
	m->generation++;
	return m->loading;
}

void model_load_all(struct model *m)
{
	while (model_load_step(m, 1000000000))
		;
}

void model_close(struct model *m)
{
	engine_free(m->engine);
	capture_close(m->cap);
	for (unsigned i = 0; i < m->nsegments; i++)
		capture_close(m->segments[i].reader);
	for (size_t i = 0; i < m->nchunks; i++)
		free(m->chunks[i]);
	free(m->chunks);
	free(m->spare_chunk);
	for (size_t i = 0; i < m->flows_len; i++)
		free(m->flows[i].epochs);
	free(m->flows);
	free(m->flow_ids);
	free(m->closed);
	free(m->findings);
	free(m->messages);
	free(m->path);
	for (size_t i = 0; i < m->npaths; i++)
		free(m->paths[i]);
	free(m->paths);
	free(m->filter);
	free(m->source);
	memset(m, 0, sizeof *m);
}

const char *model_finding_message(const struct model *m, const struct model_finding *f)
{
	return m->messages + f->message;
}

void model_collect_flow_packets(const struct model *m, uint32_t flow, uint64_t *next, uint64_t **vec, size_t *n,
				size_t *cap)
{
	const struct model_flow *f = model_flow(m, flow);
	if (!f || !f->seen) {
		*next = m->npackets;
		return;
	}
	uint64_t i = *next > f->first_packet ? *next : f->first_packet;
	if (i < m->packets_first)
		i = m->packets_first;
	uint64_t end = f->last_packet + 1 < m->npackets ? f->last_packet + 1 : m->npackets;
	while (i < end) {
		const struct model_packet *chunk = m->chunks[(i >> CHUNK_SHIFT) - m->chunk_first];
		uint64_t chunk_end = (i | (CHUNK_SIZE - 1)) + 1;
		if (chunk_end > end)
			chunk_end = end;
		for (; i < chunk_end; i++) {
			if (chunk[i & (CHUNK_SIZE - 1)].flow == flow) {
				*vec = xgrow(*vec, cap, *n + 1, sizeof **vec);
				(*vec)[(*n)++] = i;
			}
		}
	}
	*next = m->npackets;
}

/* Reads the record of packet index again from the file (seeking to it); rec is valid until the next read. */
static int read_record(struct model *m, uint64_t index, struct capture_record *rec, char *err, size_t errlen)
{
	const struct model_packet *mp = model_packet_at(m, index);
	if (!mp) {
		snprintf(err, errlen,
			 index < m->packets_first ? "packet %llu was dropped from memory" : "no packet %llu",
			 (unsigned long long)index);
		return -1;
	}
	if (m->live && m->feed.flush(m->feed.ctx) != 0) {
		snprintf(err, errlen, "%s: cannot write the capture file", m->path);
		return -1;
	}
	/* Packets in memory are in an open segment: the last one that starts at or before them. */
	unsigned k = m->nsegments - 1;
	while (k > 0 && m->segments[k].first > index)
		k--;
	struct capture *reader = m->segments[k].reader;
	if (!reader && m->live) {
		snprintf(err, errlen, "frame %u: its part of the capture file could not be opened", mp->frame);
		return -1;
	}
	if (!reader) {
		reader = m->segments[k].reader = model_open_capture(m, err, errlen);
		if (!reader)
			return -1;
	}
	uint64_t offset = model_packet_offset(mp);
	/* Live, always seek: the file has grown since the reader last met its end. */
	if ((m->live || capture_offset(reader) != offset) && capture_seek(reader, offset, mp->frame) != 0) {
		snprintf(err, errlen, "%s: %s", m->path, capture_error(reader));
		return -1;
	}
	if (capture_next(reader, rec) != CAPTURE_PACKET) {
		snprintf(err, errlen, "%s: cannot read frame %u again", m->path, mp->frame);
		return -1;
	}
	return 0;
}

int model_read_bytes(struct model *m, uint64_t index, uint8_t *buf, size_t cap, uint32_t *caplen, char *err,
		     size_t errlen)
{
	struct capture_record rec;
	if (read_record(m, index, &rec, err, errlen) != 0)
		return -1;
	*caplen = rec.caplen;
	memcpy(buf, rec.data, rec.caplen < cap ? rec.caplen : cap);
	return 0;
}

int model_read_detail(struct model *m, uint64_t index, struct model_detail *d, char *err, size_t errlen)
{
	struct capture_record rec;
	if (read_record(m, index, &rec, err, errlen) != 0)
		return -1;
	const struct model_packet *mp = model_packet_at(m, index);
	struct packet *p = &d->pkt;
	memset(p, 0, sizeof *p);
	p->frame = mp->frame;
	p->time_ns = rec.time_ns;
	p->caplen = rec.caplen;
	p->wirelen = rec.wirelen;
	struct decode_options opts = {.verify_checksums = m->cfg.verify_checksums};
	if (decode_packet(rec.linktype, rec.data, &opts, p) != DECODE_TCP) {
		snprintf(err, errlen, "%s: frame %u no longer decodes as TCP", m->path, mp->frame);
		return -1;
	}
	int side = model_packet_side(mp);
	const struct model_flow *f = model_flow(m, mp->flow);
	uint32_t base;
	d->rel_seq = f && model_flow_base(f, mp->frame, side, &base) ? p->seq - base : p->seq;
	d->rel_ack = (p->flags & TCP_ACK) && f && model_flow_base(f, mp->frame, !side, &base) ? p->ack - base : p->ack;
	return 0;
}

size_t model_memory(const struct model *m)
{
	size_t chunks = m->nchunks + (m->spare_chunk ? 1 : 0);
	return chunks * CHUNK_SIZE * sizeof(struct model_packet) + m->flows_cap * sizeof *m->flows +
	       m->flow_ids_cap * sizeof *m->flow_ids + m->closed_cap * sizeof *m->closed +
	       m->findings_cap * sizeof *m->findings + m->messages_cap;
}
