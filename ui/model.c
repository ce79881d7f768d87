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
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "decode.h"
#include "model.h"
#include "xalloc.h"

#define CHUNK_SHIFT 16
#define CHUNK_SIZE ((uint64_t)1 << CHUNK_SHIFT)
#define MAX_LEN 0xffff

_Static_assert(sizeof(struct model_packet) == 32, "the UI keeps at most 32 bytes a packet (SPEC §12)");

int64_t model_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

const struct model_packet *model_packet_at(const struct model *m, uint64_t index)
{
	if (index >= m->npackets)
		return NULL;
	return &m->chunks[index >> CHUNK_SHIFT][index & (CHUNK_SIZE - 1)];
}

static struct model_packet *append_packet(struct model *m)
{
	uint64_t index = m->npackets;
	if ((index & (CHUNK_SIZE - 1)) == 0) {
		m->chunks = xgrow(m->chunks, &m->chunks_cap, m->nchunks + 1, sizeof *m->chunks);
		m->chunks[m->nchunks++] = xmalloc(CHUNK_SIZE * sizeof(struct model_packet));
	}
	m->npackets++;
	return &m->chunks[index >> CHUNK_SHIFT][index & (CHUNK_SIZE - 1)];
}

const struct model_flow *model_flow(const struct model *m, uint32_t id)
{
	if (id == 0 || id > m->nflows)
		return NULL;
	return &m->flows[id - 1];
}

/* The flow's entry, created (empty) if this is the first we hear of it. */
static struct model_flow *flow_slot(struct model *m, uint32_t id)
{
	if (id > m->nflows) {
		m->flows = xgrow(m->flows, &m->flows_cap, id, sizeof *m->flows);
		memset(&m->flows[m->nflows], 0, (id - m->nflows) * sizeof *m->flows);
		for (uint32_t i = m->nflows; i < id; i++) {
			struct flow_summary *s = &m->flows[i].s;
			s->id = i + 1;
			s->handshake = s->close = "";
			s->closed_first_by = -1;
			s->irtt_ns = -1;
			s->time_wait_left_ns = -1;
			s->wscale[0] = s->wscale[1] = -1;
		}
		m->nflows = id;
	}
	return &m->flows[id - 1];
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

/* Live: notes when a flow is first seen closed (both endpoints done, or ended by the engine). */
static void note_closed(struct model *m, struct model_flow *f)
{
	if (!m->live || f->closed_ns || !f->seen)
		return;
	if (f->ended || (endpoint_closed(f->s.state[0]) && endpoint_closed(f->s.state[1]))) {
		f->closed_ns = model_now_ns();
		m->open_flows--;
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
	mp->where = m->current_offset << 16 | len;
	mp->time_ns = p->time_ns;
	mp->frame = (uint32_t)p->frame;
	mp->flow = v->flow_id;
	mp->labels = v->labels;
	mp->flags = p->flags;
	mp->states = (uint8_t)(v->state[0] | v->state[1] << 4);
	mp->bits = (uint8_t)(side | (shift + 1) << 1);
	mp->mark = worst_mark(v);

	struct model_flow *f = flow_slot(m, v->flow_id);
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
	uint64_t lo = 0, hi = m->npackets;
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
	m->findings = xgrow(m->findings, &m->findings_cap, m->nfindings + 1, sizeof *m->findings);
	struct model_finding *mf = &m->findings[m->nfindings++];
	mf->frame = fd->frame;
	mf->time_ns = fd->time_ns;
	mf->flow = fd->flow;
	mf->message = (uint32_t)m->messages_len;
	mf->id = fd->id;
	m->messages_len += mlen;

	enum severity sev = finding_info(fd->id)->severity;
	uint8_t mark = (uint8_t)(1 + sev);
	m->severity[sev]++;
	if (fd->flow) {
		struct model_flow *f = flow_slot(m, fd->flow);
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
			struct model_packet *mp = &m->chunks[i >> CHUNK_SHIFT][i & (CHUNK_SIZE - 1)];
			if (mark > mp->mark)
				mp->mark = mark;
		}
	}
}

static void sink_flow_end(void *ctx, const struct flow_summary *s)
{
	struct model *m = ctx;
	struct model_flow *f = flow_slot(m, s->id);
	f->s = *s;
	f->ended = true;
	note_closed(m, f);
}

static void refresh_one(void *ctx, const struct flow_summary *s)
{
	struct model *m = ctx;
	struct model_flow *f = flow_slot(m, s->id);
	if (!f->ended) {
		f->s = *s;
		note_closed(m, f);
	}
}

static void take_open_flows(struct model *m, const struct engine *e)
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
		    const struct model_feed *feed, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	if (feed->flush(feed->ctx) != 0) {
		snprintf(err, errlen, "%s: cannot write the capture file", path);
		return -1;
	}
	/* Opened now, not at the first detail: the file may lose its name right after. */
	m->reread = capture_open_file(path, NULL, err, errlen);
	if (!m->reread)
		return -1;
	m->path = xstrdup(path);
	m->source = xstrdup(source);
	m->live = true;
	m->feed = *feed;
	m->cfg = *cfg;
	m->nanosecond = capture_nanosecond(m->reread);
	snprintf(m->linktype, sizeof m->linktype, "%s", capture_linktype_name(capture_linktype(m->reread)));
	return 0;
}

void model_live_refresh(struct model *m, const struct engine *e, bool flows)
{
	engine_get_stats(e, &m->stats);
	if (flows)
		take_open_flows(m, e);
	else
		m->generation++;
}

int model_open(struct model *m, const char *path, const char *filter, const struct engine_config *cfg, char *err,
	       size_t errlen)
{
	memset(m, 0, sizeof *m);
	m->cap = capture_open_file(path, filter, err, errlen);
	if (!m->cap)
		return -1;
	m->path = xstrdup(path);
	m->filter = filter ? xstrdup(filter) : NULL;
	m->cfg = *cfg;
	m->nanosecond = capture_nanosecond(m->cap);
	snprintf(m->linktype, sizeof m->linktype, "%s", capture_linktype_name(capture_linktype(m->cap)));
	m->file_size = capture_size(m->cap);
	struct engine_sink sink = model_sink(m);
	m->engine = engine_new(cfg, &sink);
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
		m->offset = capture_offset(m->cap);
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
	capture_close(m->reread);
	for (size_t i = 0; i < m->nchunks; i++)
		free(m->chunks[i]);
	free(m->chunks);
	for (uint32_t i = 0; i < m->nflows; i++)
		free(m->flows[i].epochs);
	free(m->flows);
	free(m->findings);
	free(m->messages);
	free(m->path);
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
	uint64_t end = f->last_packet + 1 < m->npackets ? f->last_packet + 1 : m->npackets;
	while (i < end) {
		const struct model_packet *chunk = m->chunks[i >> CHUNK_SHIFT];
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

int model_read_detail(struct model *m, uint64_t index, struct model_detail *d, char *err, size_t errlen)
{
	const struct model_packet *mp = model_packet_at(m, index);
	if (!mp) {
		snprintf(err, errlen, "no packet %llu", (unsigned long long)index);
		return -1;
	}
	if (m->live && m->feed.flush(m->feed.ctx) != 0) {
		snprintf(err, errlen, "%s: cannot write the capture file", m->path);
		return -1;
	}
	if (!m->reread) {
		m->reread = capture_open_file(m->path, m->filter, err, errlen);
		if (!m->reread)
			return -1;
	}
	uint64_t offset = model_packet_offset(mp);
	/* Live, always seek: the file has grown since the reader last met its end. */
	if ((m->live || capture_offset(m->reread) != offset) && capture_seek(m->reread, offset, mp->frame) != 0) {
		snprintf(err, errlen, "%s: %s", m->path, capture_error(m->reread));
		return -1;
	}
	struct capture_record rec;
	if (capture_next(m->reread, &rec) != CAPTURE_PACKET) {
		snprintf(err, errlen, "%s: cannot read frame %u again", m->path, mp->frame);
		return -1;
	}
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
	return m->nchunks * CHUNK_SIZE * sizeof(struct model_packet) + m->flows_cap * sizeof *m->flows +
	       m->findings_cap * sizeof *m->findings + m->messages_cap;
}
