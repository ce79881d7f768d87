/*
 * ladder.c - builds a flow's ladder rows from the model and renders them
 * (ladder.h). Rows are rebuilt from the packet list whenever the flow grows
 * or a fold opens, or (live) when the model drops the flow's oldest packets;
 * drawing a packet row re-reads that one packet from the file for its seq,
 * ack, window and options.
 *
 * Columns, left to right: frame number, time (relative, delta or absolute),
 * the client's state where it changes, the arrow with the flags, the server's
 * state where it changes, seq, ack, payload length, window (scaled when the
 * scale is known), and notes: findings, labels and SYN options. The window
 * column is the first to go on a narrow terminal, so notes keep some room.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frame-links.h"
#include "ladder.h"
#include "mem-alloc.h"
#include "text-format.h"

/* Labels that may sit inside a fold and that n/N do not stop at: the chatter of a transfer. */
#define QUIET_LABELS ((1u << L_DUPLICATE_ACK) | (1u << L_WINDOW_UPDATE))
#define ARROW_MIN 11
#define NOTES_MIN 16
#define NOTES_WIDE 32
#define STATE_WIDTH 12
#define NARROW_WIDTH 100

static const struct model_packet *pkt(const struct ladder *l, size_t pos)
{
	return model_packet_at(l->model, l->pkts[pos]);
}

void ladder_init(struct ladder *l, struct model *m, uint32_t flow)
{
	memset(l, 0, sizeof *l);
	l->model = m;
	l->flow = flow;
	l->generation = m->generation - 1;
	ladder_update(l);
}

void ladder_free(struct ladder *l)
{
	free(l->pkts);
	free(l->findings);
	free(l->rows);
	free(l->folds);
	free(l->expanded);
	memset(l, 0, sizeof *l);
}

/*
 * The first packet with an open window after its sender advertised a zero
 * window: the receiver reopens it and the stalled transfer goes on (RFC 9293
 * §3.8.6.1). Only the sender's previous packet is looked at, so a rebuild
 * scans each packet at most twice.
 */
static bool reopens_window(const struct ladder *l, size_t pos)
{
	const struct model_packet *p = pkt(l, pos);
	if (p->labels & (1u << L_ZERO_WINDOW))
		return false;
	int side = model_packet_side(p);
	for (size_t i = pos; i-- > 0;) {
		const struct model_packet *before = pkt(l, i);
		if (model_packet_side(before) == side)
			return (before->labels & (1u << L_ZERO_WINDOW)) != 0;
	}
	return false;
}

static bool ordinary(const struct ladder *l, size_t pos)
{
	if (pos == 0)
		return false;
	const struct model_packet *p = pkt(l, pos), *prev = pkt(l, pos - 1);
	return !(p->flags & (TCP_SYN | TCP_FIN | TCP_RST)) && !p->mark && !(p->labels & ~QUIET_LABELS) &&
	       p->states == prev->states && model_packet_fate(p) != FATE_LOST && !reopens_window(l, pos);
}

static bool is_expanded(const struct ladder *l, uint64_t packet)
{
	for (size_t i = 0; i < l->nexpanded; i++)
		if (l->expanded[i] == packet)
			return true;
	return false;
}

static void add_row(struct ladder *l, size_t first, size_t count, uint32_t fold, bool unfolded)
{
	l->rows = xgrow(l->rows, &l->rows_cap, l->nrows + 1, sizeof *l->rows);
	struct ladder_row *r = &l->rows[l->nrows++];
	r->first = (uint32_t)first;
	r->count = (uint32_t)count;
	r->fold = fold;
	r->unfolded = unfolded;
}

/* Counts what a fold of packets [first, first + count) holds; returns its 1-based number. */
static uint32_t add_fold(struct ladder *l, size_t first, size_t count)
{
	l->folds = xgrow(l->folds, &l->folds_cap, l->nfolds + 1, sizeof *l->folds);
	struct ladder_fold *f = &l->folds[l->nfolds++];
	memset(f, 0, sizeof *f);
	for (size_t i = first; i < first + count; i++) {
		const struct model_packet *p = pkt(l, i);
		f->bytes[model_packet_side(p)] += model_packet_len(p);
		f->dup_acks += (p->labels & (1u << L_DUPLICATE_ACK)) != 0;
		f->window_updates += (p->labels & (1u << L_WINDOW_UPDATE)) != 0;
	}
	return (uint32_t)l->nfolds;
}

static void rebuild_rows(struct ladder *l)
{
	l->nrows = 0;
	l->nfolds = 0;
	size_t i = 0;
	while (i < l->npkts) {
		size_t j = i;
		while (j < l->npkts && ordinary(l, j))
			j++;
		if (j == i) {
			add_row(l, i++, 1, 0, false);
			continue;
		}
		bool long_run = j - i >= LADDER_FOLD_MIN;
		if (long_run && !l->expand_all && !is_expanded(l, l->pkts[i])) {
			add_row(l, i, j - i, add_fold(l, i, j - i), false);
		} else {
			for (size_t k = i; k < j; k++)
				add_row(l, k, 1, 0, long_run);
		}
		i = j;
	}
}

/* A finding of the flow; the ladder keeps only indices the model still holds. */
static const struct model_finding *finding(const struct ladder *l, size_t i)
{
	return model_finding_at(l->model, l->findings[i]);
}

/* Keeps the flow's findings ordered by frame (late findings may come out of order). */
static void add_finding(struct ladder *l, size_t index)
{
	uint64_t frame = model_finding_at(l->model, index)->frame;
	l->findings = xgrow(l->findings, &l->findings_cap, l->nfindings + 1, sizeof *l->findings);
	size_t i = l->nfindings++;
	while (i > 0 && finding(l, i - 1)->frame > frame) {
		l->findings[i] = l->findings[i - 1];
		i--;
	}
	l->findings[i] = index;
}

bool ladder_update(struct ladder *l)
{
	const struct model *m = l->model;
	if (l->generation == m->generation)
		return false;
	l->generation = m->generation;
	size_t before = l->npkts, fbefore = l->nfindings;
	model_collect_flow_packets(m, l->flow, &l->next_scan, &l->pkts, &l->npkts, &l->pkts_cap);
	for (size_t i = before; i < l->npkts; i++)
		if (model_packet_len(pkt(l, i)) > l->max_len)
			l->max_len = model_packet_len(pkt(l, i));
	if (l->findings_scanned < m->findings_first)
		l->findings_scanned = m->findings_first;
	for (; l->findings_scanned < m->nfindings; l->findings_scanned++)
		if (model_finding_at(m, l->findings_scanned)->flow == l->flow)
			add_finding(l, l->findings_scanned);
	if (l->npkts == before && l->nfindings == fbefore && l->nrows)
		return false;
	rebuild_rows(l);
	return true;
}

bool ladder_forget(struct ladder *l)
{
	const struct model *m = l->model;
	size_t lo = 0, hi = l->npkts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->pkts[mid] < m->packets_first)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t n = 0;
	for (size_t i = 0; i < l->nfindings; i++)
		if (l->findings[i] >= m->findings_first)
			l->findings[n++] = l->findings[i];
	if (lo == 0 && n == l->nfindings)
		return false;
	memmove(l->pkts, l->pkts + lo, (l->npkts - lo) * sizeof *l->pkts);
	l->npkts -= lo;
	l->nfindings = n;
	rebuild_rows(l);
	return true;
}

static size_t pos_of(const struct ladder *l, uint64_t packet)
{
	size_t lo = 0, hi = l->npkts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->pkts[mid] < packet)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->npkts ? lo : (l->npkts ? l->npkts - 1 : 0);
}

size_t ladder_row_of(const struct ladder *l, uint64_t packet)
{
	size_t pos = pos_of(l, packet);
	size_t lo = 0, hi = l->nrows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->rows[mid].first + l->rows[mid].count <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->nrows ? lo : (l->nrows ? l->nrows - 1 : 0);
}

uint64_t ladder_row_packet(const struct ladder *l, size_t row)
{
	return row < l->nrows ? l->pkts[l->rows[row].first] : 0;
}

void ladder_expand(struct ladder *l, size_t row)
{
	if (row >= l->nrows || !l->rows[row].fold)
		return;
	l->expanded = xgrow(l->expanded, &l->expanded_cap, l->nexpanded + 1, sizeof *l->expanded);
	l->expanded[l->nexpanded++] = ladder_row_packet(l, row);
	rebuild_rows(l);
}

void ladder_expand_all(struct ladder *l, bool expand)
{
	l->expand_all = expand;
	l->nexpanded = 0;
	rebuild_rows(l);
}

bool ladder_row_marked(const struct ladder *l, size_t row)
{
	const struct ladder_row *r = &l->rows[row];
	if (r->fold)
		return false;
	const struct model_packet *p = pkt(l, r->first);
	return p->mark || (p->labels & ~QUIET_LABELS);
}

/* "SYN,ACK", "PSH,ACK", ... in the order tcpdump users read them. */
static void flag_names(char *buf, size_t len, uint8_t flags)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {
		{TCP_SYN, "SYN"}, {TCP_FIN, "FIN"}, {TCP_RST, "RST"}, {TCP_PSH, "PSH"},
		{TCP_ACK, "ACK"}, {TCP_URG, "URG"}, {TCP_ECE, "ECE"}, {TCP_CWR, "CWR"},
	};
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (flags & names[i].bit)
			o += (size_t)snprintf(buf + o, len > o ? len - o : 0, "%s%s", o ? "," : "", names[i].name);
	if (o == 0)
		snprintf(buf, len, "none");
}

/* How a label reads on the ladder (Wireshark's wording where it has one); shorter when narrow. */
static const char *label_text(enum label_id id, bool narrow)
{
	if (narrow) {
		switch (id) {
		case L_RETRANSMISSION:
			return "retrans";
		case L_FAST_RETRANSMISSION:
			return "fast retrans";
		case L_SPURIOUS_RETRANSMISSION:
			return "spurious retrans";
		case L_ZERO_WINDOW:
			return "zero win";
		case L_ZERO_WINDOW_PROBE:
			return "zero win probe";
		case L_ZERO_WINDOW_PROBE_ACK:
			return "zero win probe ACK";
		case L_WINDOW_UPDATE:
			return "win update";
		case L_WINDOW_FULL:
			return "win full";
		default:
			break;
		}
	}
	switch (id) {
	case L_RETRANSMISSION:
		return "retransmission";
	case L_FAST_RETRANSMISSION:
		return "fast retransmission";
	case L_SPURIOUS_RETRANSMISSION:
		return "spurious retransmission";
	case L_OUT_OF_ORDER:
		return "out-of-order";
	case L_LOST_SEGMENT:
		return "lost segment";
	case L_ACK_LOST_SEGMENT:
		return "ACKed unseen segment";
	case L_DUPLICATE_ACK:
		return "dup ACK";
	case L_ZERO_WINDOW:
		return "zero window";
	case L_ZERO_WINDOW_PROBE:
		return "zero window probe";
	case L_ZERO_WINDOW_PROBE_ACK:
		return "zero window probe ACK";
	case L_WINDOW_FULL:
		return "window full";
	case L_WINDOW_UPDATE:
		return "window update";
	case L_KEEP_ALIVE:
		return "keep-alive";
	case L_KEEP_ALIVE_ACK:
		return "keep-alive ACK";
	case L_REUSED_PORTS:
		return "port numbers reused";
	case L_DSACK:
		return "D-SACK";
	case L_TFO_SYN:
		return "TFO SYN";
	case L_ECN_CE:
		return "ECN CE";
	case L_ECE:
		return "ECE";
	case L_CWR:
		return "CWR";
	case L_COUNT:
		break;
	}
	return "?";
}

/* "83#2": the frame of the ACK a duplicate repeats and its number, as Wireshark writes it. */
static void dup_ack_text(const struct ladder *l, size_t pos, char *buf, size_t len)
{
	int side = model_packet_side(pkt(l, pos));
	unsigned n = 1;
	for (size_t j = pos; j-- > 0 && pos - j < 100000;) {
		const struct model_packet *q = pkt(l, j);
		if (model_packet_side(q) != side)
			continue;
		if (!(q->labels & (1u << L_DUPLICATE_ACK))) {
			snprintf(buf, len, "dup ACK %u#%u", q->frame, n);
			return;
		}
		n++;
	}
	snprintf(buf, len, "dup ACK #%u", n);
}

static void format_time(const struct ladder *l, size_t pos, char *buf, size_t len)
{
	const struct model_packet *p = pkt(l, pos);
	if (l->time_mode == UI_TIME_ABSOLUTE) {
		time_t secs = (time_t)(p->time_ns / 1000000000);
		struct tm tm;
		gmtime_r(&secs, &tm);
		size_t n = strftime(buf, len, "%H:%M:%S", &tm);
		snprintf(buf + n, len - n, ".%06ld", (long)(p->time_ns % 1000000000 / 1000));
		return;
	}
	int64_t ref = l->time_mode == UI_TIME_DELTA && pos > 0 ? pkt(l, pos - 1)->time_ns : pkt(l, 0)->time_ns;
	int64_t d = p->time_ns - ref;
	snprintf(buf, len, "%s%" PRId64 ".%06" PRId64, d < 0 ? "-" : "", (d < 0 ? -d : d) / 1000000000,
		 (d < 0 ? -d : d) % 1000000000 / 1000);
}

static int digits(uint64_t v)
{
	int n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Widens the seq and ack columns to the numbers of rows [first, end), read from the file. */
static void fit_numbers(struct ladder *l, size_t first, size_t end)
{
	struct ladder_layout *L = &l->lay;
	for (size_t row = first; row < end && row < l->nrows; row++) {
		struct model_detail d;
		char err[160];
		if (l->rows[row].fold || model_read_detail(l->model, l->pkts[l->rows[row].first], &d, err, sizeof err))
			continue;
		int seq = digits(l->absolute_seq ? d.pkt.seq : d.rel_seq);
		int ack = digits(l->absolute_seq ? d.pkt.ack : d.rel_ack);
		if (seq > L->seq)
			L->seq = seq;
		if ((d.pkt.flags & TCP_ACK) && ack > L->ack)
			L->ack = ack;
	}
}

void ladder_layout(struct ladder *l, int width, size_t first, size_t end)
{
	struct ladder_layout *L = &l->lay;
	const struct model_flow *f = model_flow(l->model, l->flow);
	memset(L, 0, sizeof *L);
	L->width = width;
	int64_t span = l->npkts ? pkt(l, l->npkts - 1)->time_ns - pkt(l, 0)->time_ns : 0;
	L->no = digits(l->npkts ? pkt(l, l->npkts - 1)->frame : 1);
	if (L->no < 2)
		L->no = 2;
	L->time = l->time_mode == UI_TIME_ABSOLUTE ? 15 : digits((uint64_t)(span / 1000000000)) + 7;
	L->narrow = width < NARROW_WIDTH;
	L->cstate = L->sstate = L->narrow ? 10 : STATE_WIDTH;
	if (l->absolute_seq || !f) {
		L->seq = L->ack = 10;
	} else {
		uint64_t most =
			f->s.payload_bytes[0] > f->s.payload_bytes[1] ? f->s.payload_bytes[0] : f->s.payload_bytes[1];
		L->seq = L->ack = digits(most + 2) > 3 ? digits(most + 2) : 3;
		/* Gaps (a filter, packets not captured) make numbers larger than the bytes seen. */
		fit_numbers(l, first, end);
	}
	L->len = digits(l->max_len) > 3 ? digits(l->max_len) : 3;
	int fixed = L->no + 1 + L->time + 1 + L->cstate + 1 + ARROW_MIN + 1 + L->sstate + 1 + L->seq + 1 + L->ack + 1 +
		    L->len;
	int rest = width - fixed;
	if (rest >= 8 + NOTES_MIN)
		L->win = 7;
	rest -= L->win ? L->win + 1 : 0;
	/* Room beyond what notes need widens the arrows a little; notes take the rest. */
	L->arrow = ARROW_MIN;
	if (rest > NOTES_WIDE + 1) {
		int extra = (rest - NOTES_WIDE - 1) / 2;
		if (extra > 12)
			extra = 12;
		L->arrow += extra;
		rest -= extra;
	}
	L->notes = rest > 1 ? rest - 1 : 0;
	L->x_time = L->no + 1;
	L->x_cstate = L->x_time + L->time + 1;
	L->x_arrow = L->x_cstate + L->cstate + 1;
	L->x_sstate = L->x_arrow + L->arrow + 1;
	L->x_seq = L->x_sstate + L->sstate + 1;
	L->x_ack = L->x_seq + L->seq + 1;
	L->x_len = L->x_ack + L->ack + 1;
	L->x_win = L->x_len + L->len + 1;
	L->x_notes = L->x_win + (L->win ? L->win + 1 : 0);
}

void ladder_describe(const struct ladder *l, const char *arrow, char *buf, size_t len)
{
	const struct model_flow *f = model_flow(l->model, l->flow);
	if (!f) {
		bool dropped = l->model->live && l->flow <= l->model->nflows;
		snprintf(buf, len, "Flow %u (%s)", l->flow,
			 dropped ? "closed, dropped from memory" : "not in this capture");
		return;
	}
	const struct flow_summary *s = &f->s;
	char client[80], server[80], bytes[24], packets[24];
	text_format_endpoint(client, sizeof client, s, 0);
	text_format_endpoint(server, sizeof server, s, 1);
	render_format_bytes(bytes, sizeof bytes, s->payload_bytes[0] + s->payload_bytes[1]);
	render_format_count(packets, sizeof packets, s->packets[0] + s->packets[1]);
	char near[32] = "";
	if (s->vantage != VANTAGE_UNKNOWN)
		snprintf(near, sizeof near, s->vantage == VANTAGE_MIDDLE ? "  seen in the %s" : "  seen near the %s",
			 summary_vantage_name(s->vantage));
	snprintf(buf, len, "Flow %u  %s %s %s  %s/%s  %s  %s packets  %s%s", s->id, client, arrow, server,
		 s->handshake[0] ? s->handshake : "?", s->close[0] ? s->close : "?",
		 s->conn_state[0] ? s->conn_state : "-", packets, bytes, near);
}

void ladder_draw_header(struct ladder *l, struct render_canvas *c, int y, int x)
{
	const struct ladder_layout *L = &l->lay;
	const struct model_flow *f = model_flow(l->model, l->flow);
	static const char *const time_titles[] = {"TIME", "DELTA", "TIME (UTC)"};
	render_fill(c, y, x, L->width, RA_HEADER, " ");
	render_text_right(c, y, x, L->no, RA_HEADER, "NO");
	render_text_right(c, y, x + L->x_time, L->time, RA_HEADER, time_titles[l->time_mode]);
	render_text(c, y, x + L->x_cstate, L->cstate, RA_HEADER, "CLIENT");
	if (f) {
		/* The ports over the two ladder lines, if both fit. */
		char client[16], server[16];
		snprintf(client, sizeof client, ":%u", f->s.port[0]);
		snprintf(server, sizeof server, ":%u", f->s.port[1]);
		if (render_width(client) + 1 + render_width(server) <= L->arrow) {
			render_text(c, y, x + L->x_arrow, L->arrow, RA_HEADER, client);
			render_text_right(c, y, x + L->x_arrow, L->arrow, RA_HEADER, server);
		}
	}
	render_text(c, y, x + L->x_sstate, L->sstate, RA_HEADER, "SERVER");
	render_text_right(c, y, x + L->x_seq, L->seq, RA_HEADER, "SEQ");
	render_text_right(c, y, x + L->x_ack, L->ack, RA_HEADER, "ACK");
	render_text_right(c, y, x + L->x_len, L->len, RA_HEADER, "LEN");
	if (L->win)
		render_text_right(c, y, x + L->x_win, L->win, RA_HEADER, "WIN");
	if (L->notes)
		render_text(c, y, x + L->x_notes, L->notes, RA_HEADER, "NOTES");
}

static void draw_arrow(struct render_canvas *c, int y, int x, int w, int side, uint8_t flags)
{
	char label[48];
	flag_names(label, sizeof label, flags);
	int room = w - 4;
	if (render_width(label) > room) {
		char letters[16];
		text_format_flags(letters, flags);
		snprintf(label, sizeof label, "%s", letters[0] ? letters : "none");
	}
	int lw = render_width(label);
	uint8_t attr = side ? RA_SERVER : RA_CLIENT;
	const struct render_glyphs *g = c->g;
	render_text(c, y, x, 1, RA_DIM, g->tee_right);
	render_text(c, y, x + w - 1, 1, RA_DIM, g->tee_left);
	render_fill(c, y, x + 1, w - 2, attr, g->hline);
	if (side == 0) {
		render_text(c, y, x + w - 2, 1, attr, g->arrow_right);
		render_text(c, y, x + 2, room, attr, label);
	} else {
		render_text(c, y, x + 1, 1, attr, g->arrow_left);
		render_text(c, y, x + w - 2 - (lw < room ? lw : room), room, attr, label);
	}
}

/* Writes notes one after another, cut at the end of the column. */
struct notes {
	struct render_canvas *c;
	int y, x, end;
};

static void note(struct notes *n, uint8_t attr, const char *mark, const char *text)
{
	char buf[160];
	snprintf(buf, sizeof buf, "%s%s%s", mark ? mark : "", mark ? " " : "", text);
	int room = n->end - n->x;
	if (room <= 0)
		return;
	if (room < 6 && render_width(buf) > room) {
		/* Too little room for another note: say that there is more. */
		render_text(n->c, n->y, n->x, room, attr, n->c->g->ellipsis);
		n->x = n->end;
		return;
	}
	n->x += render_text(n->c, n->y, n->x, room, attr, buf);
	n->x += 2;
}

static const uint8_t severity_attr[3] = {RA_NOTE, RA_WARNING, RA_ERROR};

/* The flow's findings on one frame: [*first, *first + return). */
static size_t findings_on(const struct ladder *l, uint64_t frame, size_t *first)
{
	size_t lo = 0, hi = l->nfindings;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (finding(l, mid)->frame < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	size_t n = 0;
	while (lo + n < l->nfindings && finding(l, lo + n)->frame == frame)
		n++;
	return n;
}

static void syn_options(char *buf, size_t len, const struct tcp_options *o)
{
	size_t n = 0;
	buf[0] = '\0';
	if (o->has_mss)
		n += (size_t)snprintf(buf + n, len - n, "mss %u ", o->mss);
	if (o->sack_permitted && n < len)
		n += (size_t)snprintf(buf + n, len - n, "sack ");
	if (o->has_timestamps && n < len)
		n += (size_t)snprintf(buf + n, len - n, "ts ");
	if (o->has_wscale && n < len)
		n += (size_t)snprintf(buf + n, len - n, "ws %u ", o->wscale);
	if (o->has_tfo && n < len)
		n += (size_t)snprintf(buf + n, len - n, o->tfo_cookie_len ? "tfo cookie " : "tfo request ");
	if (o->has_mptcp && n < len)
		n += (size_t)snprintf(buf + n, len - n, "mptcp ");
	if (n > 0 && n < len)
		buf[n - 1] = '\0';
}

static void draw_notes(struct ladder *l, struct render_canvas *c, int y, int x, size_t pos,
		       const struct model_detail *d)
{
	const struct ladder_layout *L = &l->lay;
	if (!L->notes)
		return;
	struct notes n = {c, y, x + L->x_notes, x + L->x_notes + L->notes};
	const struct model_packet *p = pkt(l, pos);
	size_t first, count = findings_on(l, p->frame, &first);
	for (int sev = SEV_ERROR; sev >= SEV_NOTE; sev--) {
		for (size_t i = first; i < first + count; i++) {
			enum finding_id id = finding(l, i)->id;
			const struct catalogue_entry *ce = finding_info(id);
			if ((int)ce->severity == sev)
				note(&n, severity_attr[sev], c->g->severity[sev], ce->code);
		}
	}
	for (int lb = 0; lb < L_COUNT; lb++) {
		if (!(p->labels & (1u << lb)))
			continue;
		char text[64];
		if (lb == L_DUPLICATE_ACK)
			dup_ack_text(l, pos, text, sizeof text);
		else
			snprintf(text, sizeof text, "%s", label_text((enum label_id)lb, L->narrow));
		note(&n, RA_LABEL, c->g->label, text);
	}
	/* The delivery stage's verdict, where it is news: the segment never arrived, or found no listener. */
	if (model_packet_fate(p) == FATE_LOST)
		note(&n, RA_WARNING, c->g->label, L->narrow ? "lost" : "lost after the capture point");
	else if (model_packet_fate(p) == FATE_REFUSED)
		note(&n, RA_NOTE, c->g->label, L->narrow ? "no listener" : "reached a port with no listener");
	if (d && (p->flags & TCP_SYN)) {
		char opts[128];
		syn_options(opts, sizeof opts, &d->pkt.opt);
		if (opts[0])
			note(&n, RA_DIM, NULL, opts);
	}
}

static void draw_fold(struct ladder *l, struct render_canvas *c, int y, int x, const struct ladder_row *r)
{
	const struct ladder_layout *L = &l->lay;
	const struct ladder_fold *f = &l->folds[r->fold - 1];
	const uint64_t *bytes = f->bytes;
	uint32_t dups = f->dup_acks, updates = f->window_updates;
	size_t last = (size_t)r->first + r->count - 1;
	char text[256], count[32], b[24], dur[24];
	render_format_count(count, sizeof count, r->count);
	size_t n = (size_t)snprintf(text, sizeof text, "%s frames %u-%u: %s segments", c->g->fold,
				    pkt(l, r->first)->frame, pkt(l, last)->frame, count);
	for (int side = 0; side < 2; side++) {
		if (!bytes[side])
			continue;
		render_format_bytes(b, sizeof b, bytes[side]);
		n += (size_t)snprintf(text + n, sizeof text - n, ", %s %s", b, side ? c->g->to_left : c->g->to_right);
	}
	if (dups)
		n += (size_t)snprintf(text + n, sizeof text - n, ", %u dup ACK%s", dups, dups == 1 ? "" : "s");
	if (updates)
		n += (size_t)snprintf(text + n, sizeof text - n, ", %u window update%s", updates,
				      updates == 1 ? "" : "s");
	render_format_duration(dur, sizeof dur, pkt(l, last)->time_ns - pkt(l, r->first)->time_ns);
	snprintf(text + n, sizeof text - n, " in %s", dur);
	render_text(c, y, x + L->x_arrow, 1, RA_DIM, c->g->dotted);
	render_text(c, y, x + L->x_arrow + 2, L->width - L->x_arrow - 2, RA_FOLD, text);
}

void ladder_draw_row(struct ladder *l, struct render_canvas *c, int y, int x, size_t row)
{
	const struct ladder_layout *L = &l->lay;
	const struct ladder_row *r = &l->rows[row];
	const struct model_packet *p = pkt(l, r->first);
	char buf[64];
	format_time(l, r->first, buf, sizeof buf);
	render_text_right(c, y, x + L->x_time, L->time, RA_NORMAL, buf);
	if (r->fold) {
		draw_fold(l, c, y, x, r);
		return;
	}
	snprintf(buf, sizeof buf, "%u", p->frame);
	render_text_right(c, y, x, L->no, r->unfolded ? RA_FOLD : RA_NORMAL, buf);
	const struct model_packet *prev = r->first ? pkt(l, r->first - 1) : NULL;
	for (int side = 0; side < 2; side++) {
		enum tcp_state st = model_packet_state(p, side);
		if (prev && model_packet_state(prev, side) == st)
			continue;
		const char *name = L->narrow ? ui_short_state(st) : tcp_state_name(st);
		if (side == 0)
			render_text(c, y, x + L->x_cstate, L->cstate, RA_STATE, name);
		else
			render_text(c, y, x + L->x_sstate, L->sstate, RA_STATE, name);
	}
	int side = model_packet_side(p);
	draw_arrow(c, y, x + L->x_arrow, L->arrow, side, p->flags);

	struct model_detail d;
	char err[160];
	if (model_read_detail(l->model, l->pkts[r->first], &d, err, sizeof err) != 0) {
		render_text(c, y, x + L->x_seq, L->width - L->x_seq, RA_ERROR, err);
		return;
	}
	snprintf(buf, sizeof buf, "%u", l->absolute_seq ? d.pkt.seq : d.rel_seq);
	render_text_right(c, y, x + L->x_seq, L->seq, RA_NORMAL, buf);
	if (d.pkt.flags & TCP_ACK) {
		snprintf(buf, sizeof buf, "%u", l->absolute_seq ? d.pkt.ack : d.rel_ack);
		render_text_right(c, y, x + L->x_ack, L->ack, RA_NORMAL, buf);
	}
	snprintf(buf, sizeof buf, "%u", d.pkt.payload_len);
	render_text_right(c, y, x + L->x_len, L->len, d.pkt.payload_len ? RA_NORMAL : RA_DIM, buf);
	if (L->win) {
		int shift = model_packet_shift(p);
		uint64_t win = shift > 0 ? (uint64_t)d.pkt.window << shift : d.pkt.window;
		snprintf(buf, sizeof buf, "%" PRIu64, win);
		render_text_right(c, y, x + L->x_win, L->win, win ? RA_NORMAL : RA_WARNING, buf);
	}
	draw_notes(l, c, y, x, r->first, &d);
}

void ladder_print(struct ladder *l, int width, bool ascii, FILE *out)
{
	struct render_canvas c;
	render_canvas_init(&c, width, 1, ascii);
	char desc[512];
	ladder_describe(l, c.g->to_right, desc, sizeof desc);
	fprintf(out, "%s\n", desc);
	ladder_layout(l, width, 0, l->nrows);
	ladder_draw_header(l, &c, 0, 0);
	render_canvas_write(&c, 0, 1, out);
	for (size_t row = 0; row < l->nrows; row++) {
		render_clear(&c);
		ladder_draw_row(l, &c, 0, 0, row);
		render_canvas_write(&c, 0, 1, out);
	}
	render_canvas_free(&c);
}

/*
 * Does the packet at pos match the search word? A number names a frame (the
 * frame itself, not every frame whose digits contain it); any other word is
 * looked for in the packet's flags, states, labels and finding codes.
 */
static bool packet_matches(const struct ladder *l, size_t pos, const char *word)
{
	const struct model_packet *p = pkt(l, pos);
	if (word[0] && strspn(word, "0123456789") == strlen(word))
		return strtoull(word, NULL, 10) == p->frame;
	char text[512], flags[48];
	flag_names(flags, sizeof flags, p->flags);
	size_t n = (size_t)snprintf(text, sizeof text, "%u %s %s %s", p->frame, flags,
				    tcp_state_name(model_packet_state(p, 0)), tcp_state_name(model_packet_state(p, 1)));
	for (int lb = 0; lb < L_COUNT && n < sizeof text; lb++)
		if (p->labels & (1u << lb))
			n += (size_t)snprintf(text + n, sizeof text - n, " %s %s", label_text((enum label_id)lb, false),
					      label_info((enum label_id)lb)->name);
	size_t first, count = findings_on(l, p->frame, &first);
	for (size_t i = first; i < first + count && n < sizeof text; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, " %s", finding_info(finding(l, i)->id)->code);
	return strcasestr(text, word) != NULL;
}

/* The row of the packet at pos, opening the fold it is in. */
static size_t reveal_pos(struct ladder *l, size_t pos)
{
	size_t row = ladder_row_of(l, l->pkts[pos]);
	if (l->rows[row].fold) {
		ladder_expand(l, row);
		row = ladder_row_of(l, l->pkts[pos]);
	}
	return row;
}

size_t ladder_row_links(const struct ladder *l, size_t row, struct frame_link *links, size_t max)
{
	if (row >= l->nrows || l->rows[row].fold)
		return 0;
	size_t first, count = findings_on(l, pkt(l, l->rows[row].first)->frame, &first), n = 0;
	for (size_t i = first; i < first + count && n < max; i++)
		n += frame_links_find(model_finding_message(l->model, finding(l, i)), links + n, max - n);
	return n;
}

size_t ladder_reveal(struct ladder *l, uint64_t packet)
{
	return l->nrows ? reveal_pos(l, pos_of(l, packet)) : 0;
}

size_t ladder_search(struct ladder *l, size_t from_row, const char *word)
{
	if (from_row >= l->nrows)
		return SIZE_MAX;
	size_t from = l->rows[from_row].first;
	for (size_t k = 1; k <= l->npkts; k++) {
		size_t pos = (from + k) % l->npkts;
		if (packet_matches(l, pos, word))
			return reveal_pos(l, pos);
	}
	return SIZE_MAX;
}

/* "nop nop ts 123 456 sack 1:1449 ..." with SACK blocks relative to the peer's data. */
static void option_list(const struct ladder *l, const struct model_detail *d, int side, char *buf, size_t len)
{
	const struct tcp_options *o = &d->pkt.opt;
	const struct model_flow *f = model_flow(l->model, l->flow);
	uint32_t base = 0;
	if (!l->absolute_seq && f)
		model_flow_base(f, d->pkt.frame, !side, &base);
	size_t n = 0;
	unsigned sack_done = 0;
	buf[0] = '\0';
	for (int i = 0; i < o->count && n + 1 < len; i++) {
		const char *sep = n ? ", " : "";
		switch (o->kinds[i]) {
		case TCPOPT_NOP:
			n += (size_t)snprintf(buf + n, len - n, "%snop", sep);
			break;
		case TCPOPT_EOL:
			n += (size_t)snprintf(buf + n, len - n, "%seol", sep);
			break;
		case TCPOPT_MSS:
			n += (size_t)snprintf(buf + n, len - n, "%smss %u", sep, o->mss);
			break;
		case TCPOPT_WSCALE:
			n += (size_t)snprintf(buf + n, len - n, "%swscale %u (x%u)", sep, o->wscale,
					      o->wscale < 31 ? 1u << o->wscale : 0);
			break;
		case TCPOPT_SACK_PERMITTED:
			n += (size_t)snprintf(buf + n, len - n, "%ssackOK", sep);
			break;
		case TCPOPT_SACK:
			n += (size_t)snprintf(buf + n, len - n, "%ssack", sep);
			for (; sack_done < o->sack_count && n + 1 < len; sack_done++)
				n += (size_t)snprintf(buf + n, len - n, " %u-%u", o->sack[sack_done].left - base,
						      o->sack[sack_done].right - base);
			break;
		case TCPOPT_TIMESTAMP:
			n += (size_t)snprintf(buf + n, len - n, "%sts val %u ecr %u", sep, o->tsval, o->tsecr);
			break;
		case TCPOPT_MPTCP:
			n += (size_t)snprintf(buf + n, len - n, "%smptcp", sep);
			break;
		case TCPOPT_TFO:
		case TCPOPT_EXPERIMENTAL:
			if (o->has_tfo)
				n += (size_t)snprintf(buf + n, len - n, "%stfo %s", sep,
						      o->tfo_cookie_len ? "cookie" : "cookie request");
			else
				n += (size_t)snprintf(buf + n, len - n, "%sopt %u", sep, o->kinds[i]);
			break;
		default:
			n += (size_t)snprintf(buf + n, len - n, "%sopt %u", sep, o->kinds[i]);
			break;
		}
	}
	if (n == 0)
		snprintf(buf, len, "none");
}

void ladder_draw_detail(struct ladder *l, struct render_canvas *c, const struct render_rect *r, size_t row, size_t link)
{
	if (row >= l->nrows || r->h <= 0)
		return;
	const struct ladder_row *lr = &l->rows[row];
	int y = r->y, end = r->y + r->h, x = r->x + 1, w = r->w - 2;
	if (lr->fold) {
		render_text(c, y++, x, w, RA_FOLD,
			    "A fold of ordinary segments: Enter expands it, e expands every fold.");
		return;
	}
	size_t pos = lr->first;
	const struct model_packet *p = pkt(l, pos);
	struct model_detail d;
	char err[160];
	if (model_read_detail(l->model, l->pkts[pos], &d, err, sizeof err) != 0) {
		render_text(c, y, x, w, RA_ERROR, err);
		return;
	}
	const struct packet *k = &d.pkt;
	int side = model_packet_side(p);
	char when[64], src[64], dst[64], flags[48], opts[400];
	time_t secs = (time_t)(k->time_ns / 1000000000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	size_t n = strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(when + n, sizeof when - n, l->model->nanosecond ? ".%09ld UTC" : ".%06ld UTC",
		 (long)(l->model->nanosecond ? k->time_ns % 1000000000 : k->time_ns % 1000000000 / 1000));
	text_format_addr(src, sizeof src, k->ip_version, k->src);
	text_format_addr(dst, sizeof dst, k->ip_version, k->dst);
	flag_names(flags, sizeof flags, k->flags);
	render_textf(c, y++, x, w, RA_HEADER, "Frame %u  %s %s %s  %s  %u bytes on the wire, %u captured", p->frame,
		     side ? "server" : "client", c->g->to_right, side ? "client" : "server", when, k->wirelen,
		     k->caplen);
	if (y < end)
		render_textf(c, y++, x, w, RA_NORMAL, "IPv%u %s %s %s  ttl %u  ecn %u%u   TCP %u %s %u  header %u B",
			     k->ip_version, src, c->g->to_right, dst, k->ip_ttl, k->ip_ecn >> 1 & 1, k->ip_ecn & 1,
			     k->sport, c->g->to_right, k->dport, k->header_len);
	if (y < end) {
		char ack[64] = "-", win[64];
		if (k->flags & TCP_ACK)
			snprintf(ack, sizeof ack, "%u (raw %u)", d.rel_ack, k->ack);
		int shift = model_packet_shift(p);
		if (shift > 0)
			snprintf(win, sizeof win, "%u x %u = %llu", k->window, 1u << shift,
				 (unsigned long long)k->window << shift);
		else
			snprintf(win, sizeof win, shift == 0 ? "%u (unscaled)" : "%u (scale unknown)", k->window);
		render_textf(c, y++, x, w, RA_NORMAL, "%s  seq %u (raw %u)  ack %s  len %u  win %s%s", flags, d.rel_seq,
			     k->seq, ack, k->payload_len, win, k->urgent ? "  urgent pointer set" : "");
	}
	if (y < end) {
		option_list(l, &d, side, opts, sizeof opts);
		render_textf(c, y++, x, w, RA_NORMAL, "Options: %s", opts);
	}
	if (y < end) {
		const struct model_packet *prev = pos ? pkt(l, pos - 1) : NULL;
		char change[2][64];
		for (int s = 0; s < 2; s++) {
			enum tcp_state now = model_packet_state(p, s);
			if (prev && model_packet_state(prev, s) != now)
				snprintf(change[s], sizeof change[s], "%s (was %s)", tcp_state_name(now),
					 tcp_state_name(model_packet_state(prev, s)));
			else
				snprintf(change[s], sizeof change[s], "%s", tcp_state_name(now));
		}
		render_textf(c, y++, x, w, RA_STATE, "After it: client %s, server %s", change[0], change[1]);
	}
	for (int lb = 0; lb < L_COUNT && y < end; lb++) {
		if (!(p->labels & (1u << lb)))
			continue;
		const struct label_entry *le = label_info((enum label_id)lb);
		char text[64];
		if (lb == L_DUPLICATE_ACK)
			dup_ack_text(l, pos, text, sizeof text);
		else
			snprintf(text, sizeof text, "%s", label_text((enum label_id)lb, false));
		int mw = render_textf(c, y, x, w, RA_LABEL, "%s %s", c->g->label, text);
		render_textf(c, y++, x + mw, w - mw, RA_NORMAL, ": %s (%s)", le->description, le->wireshark);
	}
	size_t first, count = findings_on(l, p->frame, &first);
	for (size_t i = first; i < first + count && y < end; i++) {
		const struct model_finding *mf = finding(l, i);
		const struct catalogue_entry *ce = finding_info(mf->id);
		int mw = render_textf(c, y, x, w, severity_attr[ce->severity], "%s %s (%s)",
				      c->g->severity[ce->severity], ce->code, severity_name(ce->severity));
		const char *message = model_finding_message(l->model, mf);
		render_textf(c, y, x + mw, w - mw, RA_NORMAL, ": %s", message);
		struct frame_link links[FRAME_LINKS_MAX];
		size_t nlinks = frame_links_find(message, links, FRAME_LINKS_MAX);
		if (link < nlinks)
			render_mark_span(c, y, x + mw + 2, w - mw - 2, message, links[link].at, links[link].len,
					 RA_LINK);
		link = link < nlinks ? SIZE_MAX : link - nlinks;
		y++;
		if (y < end)
			y += render_wrap(c, y, x + 2, w - 2, end - y, RA_DIM, ce->explanation);
		if (y < end)
			render_textf(c, y++, x + 2, w - 2, RA_DIM, "See %s.", ce->reference);
	}
}
