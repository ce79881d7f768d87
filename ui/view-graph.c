/*
 * view-graph.c - the graphs of one flow (SPEC §6.3), one direction's data at
 * a time (Tab turns it round), time to the right. `v` cycles through four
 * kinds, as Wireshark's TCP Stream Graphs and tcptrace draw them:
 *
 *  - time-sequence (Stevens, tcptrace): data segments are vertical strokes
 *    from seq to seq+len (retransmissions in their own colour), the peer's
 *    ACKs a step line under them, its receive window (ack + window) a step
 *    line above, SACK blocks strokes beside the ACK line;
 *  - throughput: the bytes the sender sent (retransmissions included) and
 *    goodput, the bytes the peer newly acknowledged, per second, averaged
 *    over a twenty-fifth of the time shown;
 *  - round-trip time: one dot per RTT sample, at the ACK that gave it (the
 *    engine's rule, analysis-rtt.h: the newest segment an ACK covers, never a
 *    retransmitted one);
 *  - window: the peer's advertised receive window (a step line) and the
 *    sender's bytes in flight after each data segment.
 *
 * The graph reads its flow's packets back from the file (the model keeps no
 * sequence numbers) a slice per update, so a long flow fills in while the UI
 * stays responsive; the RTT samples and bytes in flight are worked out as the
 * points are read, in fixed-size state (no allocation per packet). Live, it
 * lets go of the points of packets the model dropped, as the timeline does,
 * so it never holds more than the model. It plots into a grid of Braille
 * cells, 2x4 dots each; each cell takes the colour of the most important
 * thing drawn in it, and lines rank above data strokes so that zoomed out
 * the ACK and window lines stay visible. With --ascii a cell is one
 * character that says what it holds. The time-sequence graph's scale is the
 * user's (zoom, pan, 0 fits it to every line); the others fit their vertical
 * scale to what the time shown holds.
 *
 * A cursor (Left/Right, or a click) stands on one packet of the kind's marks;
 * the line under the axes describes it, and Enter opens it in the timeline.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis-rtt.h"
#include "mem-alloc.h"
#include "tcp-seq.h"
#include "ui.h"
#include "views.h"

#define READ_BUDGET_NS (25 * 1000000LL)
#define RETRANS_LABELS ((1u << L_RETRANSMISSION) | (1u << L_FAST_RETRANSMISSION) | (1u << L_SPURIOUS_RETRANSMISSION))

#define RATE_AVERAGE_PARTS 25 /* throughput: averaged over this fraction of the time shown */

/* What a dot shows, in rising order of importance: lines rank above data strokes. */
enum plot_kind {
	K_NONE,
	K_DATA,
	K_THROUGHPUT,
	K_INFLIGHT,
	K_RTT,
	K_WINDOW,
	K_ACK,
	K_GOODPUT,
	K_SACK,
	K_RETRANS,
	K_COUNT
};

static const struct {
	const char *name;
	uint8_t attr;
	const char *ascii;
} marks[K_COUNT] = {
	[K_NONE] = {"", RA_NORMAL, " "},
	[K_DATA] = {"data", RA_GRAPH_DATA, "|"},
	[K_THROUGHPUT] = {"throughput", RA_GRAPH_DATA, "*"},
	[K_INFLIGHT] = {"bytes in flight", RA_GRAPH_DATA, "#"},
	[K_RTT] = {"RTT sample", RA_GRAPH_DATA, "o"},
	[K_WINDOW] = {"window", RA_GRAPH_WINDOW, "~"},
	[K_ACK] = {"ACK", RA_GRAPH_ACK, "-"},
	[K_GOODPUT] = {"goodput", RA_GRAPH_ACK, "+"},
	[K_SACK] = {"SACK", RA_GRAPH_SACK, "s"},
	[K_RETRANS] = {"retransmission", RA_GRAPH_RETRANS, "x"},
};

enum graph_kind { G_SEQUENCE, G_THROUGHPUT, G_RTT, G_WINDOW, G_KINDS };

#define LEGEND_MAX 5

static const struct {
	const char *title;
	const char *axis;		   /* the corner of the axes: vertical unit / time */
	enum plot_kind legend[LEGEND_MAX]; /* its marks; K_NONE ends the list */
} kinds[G_KINDS] = {
	[G_SEQUENCE] = {"Time-sequence graph", "seq/time", {K_RETRANS, K_SACK, K_DATA, K_ACK, K_WINDOW}},
	[G_THROUGHPUT] = {"Throughput graph", "B/s/time", {K_THROUGHPUT, K_GOODPUT}},
	[G_RTT] = {"Round-trip time graph", "RTT/time", {K_RTT}},
	[G_WINDOW] = {"Window graph", "B/time", {K_WINDOW, K_INFLIGHT}},
};

/* One packet of the flow, 32 bytes: the graph scans them all at every draw. SACK blocks are apart, in sacks[]. */
struct gpoint {
	int64_t t;	    /* ns since the flow's first packet */
	uint32_t seq;	    /* relative to the sender's ISN */
	uint32_t ack, win;  /* relative to the peer's ISN; win in bytes (scaled) */
	int32_t rtt_us;	    /* with GP_ACK: the RTT sample it gives of the peer's data (analysis-rtt.h), us; -1 none */
	uint32_t in_flight; /* with GP_IN_FLIGHT: the sender's bytes unacknowledged after this data segment */
	uint16_t len;	    /* sequence space taken: payload, SYN, FIN (clamped) */
	uint8_t bits;	    /* GP_* */
};

enum { GP_SERVER = 1, GP_ACK = 2, GP_RETRANS = 4, GP_SYN = 8, GP_FIN = 16, GP_IN_FLIGHT = 32, GP_RST = 64 };

struct gsack {
	uint32_t point; /* index of the packet that carries it */
	uint32_t left, right;
};

/* What one direction sent so far, as the points are read: for RTT samples and bytes in flight. */
struct gsender {
	struct rtt_segment ring[RTT_RING];
	uint8_t ring_head, ring_count;
	bool sent, acked;  /* it sent sequence space; it sent an ACK */
	uint32_t snd_max;  /* the end of the highest sequence space it sent (relative) */
	uint32_t last_ack; /* its latest acknowledgement (relative to the peer's ISN) */
};

struct graph_view {
	struct view v;
	uint32_t flow;
	uint64_t *pkts;
	size_t npkts, pkts_cap;
	uint64_t next_scan;
	struct gpoint *pts;
	size_t npts, pts_cap; /* pts[i] is pkts[i], read so far */
	int64_t t0;	      /* time 0 of the plot: the first packet read */
	bool timed;	      /* t0 is set */
	struct gsack *sacks;
	size_t nsacks, sacks_cap;
	struct gsender senders[2];
	char error[160];
	enum graph_kind kind;
	int side;	       /* the direction whose data is plotted */
	bool fitted;	       /* the view window was set from the data */
	bool moved;	       /* the user zoomed or panned: new data keeps the window */
	double x0, x1;	       /* the view window: time in s */
	double seq_y0, seq_y1; /* the time-sequence graph's sequence range (the user's) */
	double y0, y1;	       /* the vertical range of the last draw */
	size_t cursor;	       /* the point the cursor stands on, with has_cursor */
	bool has_cursor;
	/* The dot grid of the last draw. */
	int cols, rows;
	int plot_top, plot_left; /* where the grid was drawn (mouse clicks) */
	uint8_t *dots, *kind_of;
	int *strokes;  /* per plot kind, the lowest and highest dot of each dot column */
	double *rates; /* throughput: bytes per dot column, two series of 2 * cols * 2 */
};

static struct graph_view *graph_of(struct view *v)
{
	return (struct graph_view *)v;
}

/* The payload of a point: its sequence space less SYN and FIN. */
static uint32_t payload(const struct gpoint *p)
{
	return p->len - ((p->bits & GP_SYN) ? 1u : 0u) - ((p->bits & GP_FIN) ? 1u : 0u);
}

/*
 * Works out what a point says beyond its header, in capture order: the RTT
 * sample its ACK gives (analysis-rtt.h) and, after data, the sender's bytes in flight
 * (what it sent beyond the peer's latest ACK, as Wireshark's
 * tcp.analysis.bytes_in_flight and the engine count them).
 */
static void derive(struct graph_view *gv, struct gpoint *p, int side)
{
	struct gsender *snd = &gv->senders[side], *peer = &gv->senders[!side];
	p->rtt_us = -1;
	if (p->bits & GP_RST) /* it takes no sequence space and acknowledges nothing (RFC 9293 §3.10.7) */
		return;
	if (p->len) {
		uint32_t end = p->seq + p->len;
		bool advances = !snd->sent || SEQ_GT(end, snd->snd_max);
		rtt_ring_sent(snd->ring, &snd->ring_head, &snd->ring_count, p->seq, end, advances, p->t);
		if (advances)
			snd->snd_max = end;
		snd->sent = true;
		if (payload(p) && peer->acked && SEQ_GEQ(snd->snd_max, peer->last_ack)) {
			p->in_flight = (uint32_t)SEQ_DIFF(snd->snd_max, peer->last_ack);
			p->bits |= GP_IN_FLIGHT;
		}
	}
	if (p->bits & GP_ACK) {
		int64_t sample = rtt_ring_acked(peer->ring, &peer->ring_head, &peer->ring_count, p->ack, p->t);
		if (sample >= 0)
			p->rtt_us = sample / 1000 > INT32_MAX ? INT32_MAX : (int32_t)(sample / 1000);
		snd->last_ack = p->ack;
		snd->acked = true;
	}
}

/* Reads the next packets of the flow from the file, for about budget_ns. */
static bool read_more(struct graph_view *gv, int64_t budget_ns)
{
	struct model *m = gv->v.ui->model;
	model_collect_flow_packets(m, gv->flow, &gv->next_scan, &gv->pkts, &gv->npkts, &gv->pkts_cap);
	if (gv->npts == gv->npkts || gv->error[0])
		return false;
	int64_t deadline = model_now_ns() + budget_ns;
	while (gv->npts < gv->npkts) {
		struct model_detail d;
		const struct model_packet *mp = model_packet_at(m, gv->pkts[gv->npts]);
		if (!gv->timed) {
			gv->t0 = mp->time_ns;
			gv->timed = true;
		}
		if (model_read_detail(m, gv->pkts[gv->npts], &d, gv->error, sizeof gv->error) != 0)
			return true;
		gv->pts = xgrow(gv->pts, &gv->pts_cap, gv->npts + 1, sizeof *gv->pts);
		uint32_t index = (uint32_t)gv->npts;
		struct gpoint *p = &gv->pts[gv->npts++];
		int shift = model_packet_shift(mp);
		int side = model_packet_side(mp);
		uint32_t len =
			d.pkt.payload_len + ((d.pkt.flags & TCP_SYN) ? 1 : 0) + ((d.pkt.flags & TCP_FIN) ? 1 : 0);
		p->t = mp->time_ns - gv->t0;
		p->seq = d.rel_seq;
		p->len = (uint16_t)(len > 0xffff ? 0xffff : len);
		p->ack = d.rel_ack;
		p->win = shift > 0 ? (uint32_t)d.pkt.window << shift : d.pkt.window;
		p->bits = (uint8_t)((side ? GP_SERVER : 0) | ((d.pkt.flags & TCP_ACK) ? GP_ACK : 0) |
				    ((mp->labels & RETRANS_LABELS) ? GP_RETRANS : 0) |
				    ((d.pkt.flags & TCP_SYN) ? GP_SYN : 0) | ((d.pkt.flags & TCP_FIN) ? GP_FIN : 0) |
				    ((d.pkt.flags & TCP_RST) ? GP_RST : 0));
		derive(gv, p, side);
		const struct model_flow *f = model_flow(m, gv->flow);
		uint32_t base = 0;
		if (f)
			model_flow_base(f, mp->frame, !side, &base);
		for (int i = 0; i < d.pkt.opt.sack_count; i++) {
			gv->sacks = xgrow(gv->sacks, &gv->sacks_cap, gv->nsacks + 1, sizeof *gv->sacks);
			gv->sacks[gv->nsacks++] =
				(struct gsack){index, d.pkt.opt.sack[i].left - base, d.pkt.opt.sack[i].right - base};
		}
		if (model_now_ns() >= deadline)
			break;
	}
	return gv->npts < gv->npkts;
}

/* Sets the view window to all of the plotted direction's data, the peer's ACKs and its window. */
static void fit(struct graph_view *gv)
{
	double tmax = 0, smin = 0, smax = 1;
	bool any = false;
	for (size_t i = 0; i < gv->npts; i++) {
		const struct gpoint *p = &gv->pts[i];
		double t = (double)p->t / 1e9;
		if (t > tmax)
			tmax = t;
		double lo, hi;
		if ((p->bits & GP_SERVER) == gv->side) {
			lo = p->seq;
			hi = (double)p->seq + p->len;
		} else if (p->bits & GP_ACK) {
			lo = p->ack;
			hi = (double)p->ack + p->win;
		} else {
			continue;
		}
		if (!any || lo < smin)
			smin = lo;
		if (!any || hi > smax)
			smax = hi;
		any = true;
	}
	if (smax <= smin)
		smax = smin + 1;
	double pad = (smax - smin) * 0.03;
	gv->x0 = 0;
	gv->x1 = tmax > 0 ? tmax * 1.02 : 1e-3;
	gv->seq_y0 = smin - pad < 0 ? 0 : smin - pad;
	gv->seq_y1 = smax + pad;
	gv->fitted = true;
}

/* Whether the kind shown draws a mark for this point: the points the cursor stops at. */
static bool shown(const struct graph_view *gv, const struct gpoint *p)
{
	bool own = (p->bits & GP_SERVER) == gv->side;
	switch (gv->kind) {
	case G_SEQUENCE:
		return own ? p->len > 0 : (p->bits & GP_ACK) != 0;
	case G_THROUGHPUT:
		return own ? payload(p) > 0 : (p->bits & GP_ACK) != 0;
	case G_RTT:
		return !own && (p->bits & GP_ACK) && p->rtt_us >= 0;
	case G_WINDOW:
		return own ? (p->bits & GP_IN_FLIGHT) != 0 : (p->bits & GP_ACK) != 0;
	case G_KINDS:
		break;
	}
	return false;
}

/* The first of n sorted items for which below(items, i, key) is false (a lower bound). */
static size_t lower_bound(const void *items, size_t n, int64_t key, bool (*below)(const void *, size_t, int64_t))
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (below(items, mid, key))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool point_before(const void *pts, size_t i, int64_t t)
{
	return ((const struct gpoint *)pts)[i].t < t;
}

static bool sack_before(const void *sacks, size_t i, int64_t point)
{
	return (int64_t)((const struct gsack *)sacks)[i].point < point;
}

/* The first point at or after time t (ns since the flow's first packet). */
static size_t point_at_time(const struct graph_view *gv, int64_t t)
{
	return lower_bound(gv->pts, gv->npts, t, point_before);
}

/* Puts the cursor on the shown point nearest time t; false if the kind shows none. */
static bool cursor_near(struct graph_view *gv, int64_t t)
{
	size_t at = point_at_time(gv, t), before = at, after = at;
	while (before > 0 && !shown(gv, &gv->pts[before - 1]))
		before--;
	while (after < gv->npts && !shown(gv, &gv->pts[after]))
		after++;
	bool has_before = before > 0, has_after = after < gv->npts;
	if (!has_before && !has_after)
		return gv->has_cursor = false;
	if (!has_after || (has_before && t - gv->pts[before - 1].t <= gv->pts[after].t - t))
		gv->cursor = before - 1;
	else
		gv->cursor = after;
	return gv->has_cursor = true;
}

/* Moves the cursor to the next shown point that way (+1 later, -1 earlier), the view following. */
static void cursor_step(struct graph_view *gv, int dir)
{
	if (!gv->has_cursor) {
		cursor_near(gv, (int64_t)(gv->x0 * 1e9));
		return;
	}
	for (size_t i = gv->cursor; dir > 0 ? i + 1 < gv->npts : i > 0;) {
		i = dir > 0 ? i + 1 : i - 1;
		if (shown(gv, &gv->pts[i])) {
			gv->cursor = i;
			break;
		}
	}
	double t = (double)gv->pts[gv->cursor].t / 1e9, span = gv->x1 - gv->x0;
	if (t < gv->x0 || t > gv->x1) {
		gv->x0 = t - span / 2;
		gv->x1 = t + span / 2;
		gv->moved = true;
	}
}

static int graph_update(struct view *v)
{
	struct graph_view *gv = graph_of(v);
	size_t before = gv->npts;
	bool more = read_more(gv, READ_BUDGET_NS);
	if (gv->npts == before && !gv->error[0])
		return more ? UI_BUSY : UI_IGNORED;
	if (!gv->moved)
		fit(gv);
	if (!gv->has_cursor)
		cursor_near(gv, 0);
	return UI_REDRAW | (more ? UI_BUSY : 0);
}

/* Live: the packets the model dropped leave the list, with their points and SACK blocks. */
static void graph_forget(struct view *v)
{
	struct graph_view *gv = graph_of(v);
	uint64_t first = v->ui->model->packets_first;
	size_t gone = 0;
	while (gone < gv->npkts && gv->pkts[gone] < first)
		gone++;
	if (!gone)
		return;
	size_t points = gone < gv->npts ? gone : gv->npts, n = 0;
	for (size_t i = 0; i < gv->nsacks; i++) {
		if (gv->sacks[i].point < points)
			continue;
		gv->sacks[n] = gv->sacks[i];
		gv->sacks[n++].point -= (uint32_t)points;
	}
	gv->nsacks = n;
	if (gv->has_cursor && gv->cursor < points)
		gv->has_cursor = false;
	else if (gv->has_cursor)
		gv->cursor -= points;
	memmove(gv->pts, gv->pts + points, (gv->npts - points) * sizeof *gv->pts);
	gv->npts -= points;
	memmove(gv->pkts, gv->pkts + gone, (gv->npkts - gone) * sizeof *gv->pkts);
	gv->npkts -= gone;
}

/* Sets one dot of the grid (dot coordinates: x right, y up from the bottom). */
static void dot(struct graph_view *gv, int dx, int dy, enum plot_kind k)
{
	if (dx < 0 || dy < 0 || dx >= gv->cols * 2 || dy >= gv->rows * 4)
		return;
	int row = gv->rows - 1 - dy / 4, col = dx / 2;
	int sub = 3 - dy % 4; /* 0 = top dot of the cell */
	static const uint8_t bits[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};
	size_t cell = (size_t)row * (size_t)gv->cols + (size_t)col;
	gv->dots[cell] |= bits[dx % 2][sub];
	if (k > gv->kind_of[cell])
		gv->kind_of[cell] = (uint8_t)k;
}

static int to_dx(const struct graph_view *gv, double t)
{
	double f = (t - gv->x0) / (gv->x1 - gv->x0);
	return f < -1 || f > 2 ? -1 : (int)(f * (gv->cols * 2 - 1) + 0.5);
}

static int to_dy(const struct graph_view *gv, double s)
{
	double f = (s - gv->y0) / (gv->y1 - gv->y0);
	if (f < -1)
		return -gv->rows * 4;
	if (f > 2)
		return gv->rows * 8;
	return (int)(f * (gv->rows * 4 - 1) + 0.5);
}

static void vline(struct graph_view *gv, int dx, int y0, int y1, enum plot_kind k)
{
	if (y0 > y1) {
		int t = y0;
		y0 = y1;
		y1 = t;
	}
	if (y0 < 0)
		y0 = 0;
	if (y1 >= gv->rows * 4)
		y1 = gv->rows * 4 - 1;
	for (int y = y0; y <= y1; y++)
		dot(gv, dx, y, k);
}

static void hline(struct graph_view *gv, int x0, int x1, int dy, enum plot_kind k)
{
	if (x0 < 0)
		x0 = 0;
	if (x1 >= gv->cols * 2)
		x1 = gv->cols * 2 - 1;
	for (int x = x0; x <= x1; x++)
		dot(gv, x, dy, k);
}

/* Widens the stroke of kind k in dot column x to cover dots [y0, y1]. */
static void stroke(struct graph_view *gv, enum plot_kind k, int x, int y0, int y1)
{
	int ndx = gv->cols * 2;
	if (x < 0 || x >= ndx)
		return;
	int *lo = &gv->strokes[(size_t)(k * 2) * (size_t)ndx], *hi = lo + ndx;
	if (y0 > y1) {
		int t = y0;
		y0 = y1;
		y1 = t;
	}
	if (y0 < lo[x])
		lo[x] = y0;
	if (y1 > hi[x])
		hi[x] = y1;
}

/* Clears the dot grid and the strokes for a new plot. */
static void plot_clear(struct graph_view *gv)
{
	size_t cells = (size_t)gv->cols * (size_t)gv->rows;
	int ndx = gv->cols * 2;
	memset(gv->dots, 0, cells);
	memset(gv->kind_of, 0, cells);
	for (int k = 0; k < K_COUNT; k++) {
		for (int x = 0; x < ndx; x++) {
			gv->strokes[(size_t)(k * 2) * (size_t)ndx + (size_t)x] = gv->rows * 4;
			gv->strokes[(size_t)(k * 2 + 1) * (size_t)ndx + (size_t)x] = -1;
		}
	}
}

/* Draws the merged strokes of kind k, one vertical line per dot column. */
static void plot_strokes(struct graph_view *gv, enum plot_kind k)
{
	int ndx = gv->cols * 2;
	const int *slo = &gv->strokes[(size_t)(k * 2) * (size_t)ndx], *shi = slo + ndx;
	for (int x = 0; x < ndx; x++)
		if (slo[x] <= shi[x])
			vline(gv, x, slo[x], shi[x], k);
}

/*
 * A step of a line of kind k: along at the old level from column px to x,
 * then up or down to the new one. The vertical part joins the column's
 * stroke (plot_strokes() draws it), so a column crossed by thousands of
 * steps costs thousands of comparisons, not lines.
 */
static void step(struct graph_view *gv, int px, int x, int from, int to, enum plot_kind k)
{
	if (x != px)
		hline(gv, px, x, from, k);
	stroke(gv, k, x, from, to);
}

/* The first point to draw: the step lines need one point left of the window, so one span earlier. */
static size_t plot_first(const struct graph_view *gv)
{
	return point_at_time(gv, (int64_t)((gv->x0 - (gv->x1 - gv->x0)) * 1e9));
}

/* Past the last point to draw (one span right of the window). */
static bool plot_past(const struct graph_view *gv, const struct gpoint *p)
{
	return (double)p->t / 1e9 > gv->x1 + (gv->x1 - gv->x0);
}

/*
 * The time-sequence graph. Strokes (data, retransmissions, SACK blocks) are
 * first merged per dot column, so a million segments cost a million
 * comparisons, not a million lines; the step lines are drawn as they go,
 * which costs little since consecutive ACKs mostly share a column.
 */
static void plot_sequence(struct graph_view *gv)
{
	bool have_prev = false;
	int px = 0, pa = 0, pw = 0;
	size_t lo = plot_first(gv);
	size_t sack = lower_bound(gv->sacks, gv->nsacks, (int64_t)lo, sack_before);
	for (size_t i = lo; i < gv->npts; i++) {
		const struct gpoint *p = &gv->pts[i];
		if (plot_past(gv, p))
			break;
		int x = to_dx(gv, (double)p->t / 1e9);
		if ((p->bits & GP_SERVER) == gv->side) {
			if (p->len)
				stroke(gv, (p->bits & GP_RETRANS) ? K_RETRANS : K_DATA, x, to_dy(gv, p->seq),
				       to_dy(gv, (double)p->seq + p->len - 1));
			continue;
		}
		for (; sack < gv->nsacks && gv->sacks[sack].point == i; sack++)
			stroke(gv, K_SACK, x + 1, to_dy(gv, gv->sacks[sack].left),
			       to_dy(gv, gv->sacks[sack].right - 1.0));
		if (!(p->bits & GP_ACK))
			continue;
		int a = to_dy(gv, p->ack), w = to_dy(gv, (double)p->ack + p->win);
		if (have_prev) {
			step(gv, px, x, pw, w, K_WINDOW);
			step(gv, px, x, pa, a, K_ACK);
		}
		px = x;
		pa = a;
		pw = w;
		have_prev = true;
	}
	static const enum plot_kind stroked[] = {K_DATA, K_RETRANS, K_SACK, K_WINDOW, K_ACK};
	for (size_t k = 0; k < sizeof stroked / sizeof stroked[0]; k++)
		plot_strokes(gv, stroked[k]);
}

/* The vertical range 0 .. a little above top (at least 1). */
static void fit_from_zero(struct graph_view *gv, double top)
{
	gv->y0 = 0;
	gv->y1 = top > 0 ? top * 1.05 : 1;
}

/*
 * Throughput and goodput: bytes per dot column (the sender's payload; the
 * peer's new acknowledgements), then for each column the rate over the
 * averaging span that ends there, as a line from column to column. The
 * columns left of the window feed the first average.
 */
static void plot_throughput(struct graph_view *gv)
{
	int ndx = gv->cols * 2, avg = ndx / RATE_AVERAGE_PARTS > 1 ? ndx / RATE_AVERAGE_PARTS : 1;
	int width = ndx + avg; /* columns -avg .. ndx - 1 */
	double *sent = gv->rates, *acked = gv->rates + width;
	memset(gv->rates, 0, 2 * (size_t)width * sizeof *gv->rates);
	double col_s = (gv->x1 - gv->x0) / ndx;
	bool have_ack = false;
	uint32_t last_ack = 0;
	for (size_t i = point_at_time(gv, (int64_t)((gv->x0 - avg * col_s) * 1e9)); i < gv->npts; i++) {
		const struct gpoint *p = &gv->pts[i];
		double t = (double)p->t / 1e9;
		if (t > gv->x1)
			break;
		int x = (int)((t - gv->x0) / col_s) + avg;
		if (x < 0 || x >= width)
			continue;
		if ((p->bits & GP_SERVER) == gv->side) {
			sent[x] += payload(p);
		} else if ((p->bits & (GP_ACK | GP_RST)) == GP_ACK) {
			if (have_ack && SEQ_GT(p->ack, last_ack))
				acked[x] += (double)SEQ_DIFF(p->ack, last_ack);
			if (!have_ack || SEQ_GT(p->ack, last_ack))
				last_ack = p->ack;
			have_ack = true;
		}
	}
	/*
	 * Running sums over the averaging span, turned into bytes per second in
	 * place: column x's rate goes to x - avg, which the sum has left behind.
	 */
	double top = 0, span_s = avg * col_s;
	for (int series = 0; series < 2; series++) {
		double *v = series ? acked : sent, sum = 0;
		for (int x = 0; x < width; x++) {
			sum += v[x];
			if (x >= avg)
				sum -= v[x - avg];
			if (x >= avg) {
				v[x - avg] = sum / span_s;
				if (v[x - avg] > top)
					top = v[x - avg];
			}
		}
	}
	fit_from_zero(gv, top);
	for (int series = 0; series < 2; series++) {
		const double *v = series ? acked : sent;
		enum plot_kind k = series ? K_GOODPUT : K_THROUGHPUT;
		for (int x = 0; x < ndx; x++)
			vline(gv, x, to_dy(gv, x ? v[x - 1] : v[x]), to_dy(gv, v[x]), k);
	}
}

/* One dot per RTT sample of the plotted direction's data. */
static void plot_rtt(struct graph_view *gv)
{
	double top = 0;
	size_t lo = point_at_time(gv, (int64_t)(gv->x0 * 1e9));
	for (size_t i = lo; i < gv->npts && (double)gv->pts[i].t / 1e9 <= gv->x1; i++)
		if (shown(gv, &gv->pts[i]) && gv->pts[i].rtt_us / 1e3 > top)
			top = gv->pts[i].rtt_us / 1e3;
	fit_from_zero(gv, top);
	for (size_t i = lo; i < gv->npts && (double)gv->pts[i].t / 1e9 <= gv->x1; i++) {
		const struct gpoint *p = &gv->pts[i];
		if (shown(gv, p))
			dot(gv, to_dx(gv, (double)p->t / 1e9), to_dy(gv, p->rtt_us / 1e3), K_RTT);
	}
}

/* The peer's receive window as a step line, the sender's bytes in flight as a line through its data. */
static void plot_window(struct graph_view *gv)
{
	double top = 0;
	size_t lo = plot_first(gv);
	for (size_t i = point_at_time(gv, (int64_t)(gv->x0 * 1e9)); i < gv->npts; i++) {
		const struct gpoint *p = &gv->pts[i];
		if ((double)p->t / 1e9 > gv->x1)
			break;
		if (!shown(gv, p))
			continue;
		double v = (p->bits & GP_SERVER) == gv->side ? p->in_flight : p->win;
		if (v > top)
			top = v;
	}
	fit_from_zero(gv, top);
	bool have_win = false, have_flight = false;
	int wx = 0, wy = 0, fx = 0, fy = 0;
	for (size_t i = lo; i < gv->npts; i++) {
		const struct gpoint *p = &gv->pts[i];
		if (plot_past(gv, p))
			break;
		if (!shown(gv, p))
			continue;
		int x = to_dx(gv, (double)p->t / 1e9);
		if ((p->bits & GP_SERVER) == gv->side) {
			int y = to_dy(gv, p->in_flight);
			step(gv, have_flight ? fx : x, x, have_flight ? fy : y, y, K_INFLIGHT);
			fx = x;
			fy = y;
			have_flight = true;
		} else {
			int y = to_dy(gv, p->win);
			if (have_win)
				step(gv, wx, x, wy, y, K_WINDOW);
			wx = x;
			wy = y;
			have_win = true;
		}
	}
	plot_strokes(gv, K_INFLIGHT);
	plot_strokes(gv, K_WINDOW);
}

/* The vertical position of a point's mark in the kind shown (for the cursor). */
static double point_value(const struct graph_view *gv, const struct gpoint *p)
{
	bool own = (p->bits & GP_SERVER) == gv->side;
	switch (gv->kind) {
	case G_SEQUENCE:
		return own ? p->seq : p->ack;
	case G_RTT:
		return p->rtt_us / 1e3;
	case G_WINDOW:
		return own ? p->in_flight : p->win;
	case G_THROUGHPUT:
	case G_KINDS:
		break;
	}
	return gv->y0;
}

static void plot(struct graph_view *gv)
{
	plot_clear(gv);
	switch (gv->kind) {
	case G_SEQUENCE:
		gv->y0 = gv->seq_y0;
		gv->y1 = gv->seq_y1;
		plot_sequence(gv);
		break;
	case G_THROUGHPUT:
		plot_throughput(gv);
		break;
	case G_RTT:
		plot_rtt(gv);
		break;
	case G_WINDOW:
		plot_window(gv);
		break;
	case G_KINDS:
		break;
	}
}

/* Axis labels: sequence numbers and bytes with K and M, rates per second, RTT in ms. */
static void format_value(const struct graph_view *gv, char *buf, size_t len, double s)
{
	if (gv->kind == G_RTT)
		snprintf(buf, len, s >= 100 ? "%.0f ms" : s >= 10 ? "%.1f ms" : "%.2f ms", s);
	else if (s >= 1e7)
		snprintf(buf, len, "%.1fM", s / 1e6);
	else if (s >= 1e4)
		snprintf(buf, len, "%.0fK", s / 1e3);
	else
		snprintf(buf, len, "%.0f", s);
}

static void format_secs(char *buf, size_t len, double t, double span)
{
	if (span < 0.01)
		snprintf(buf, len, "%.3f ms", t * 1e3);
	else if (span < 10)
		snprintf(buf, len, "%.3f s", t);
	else
		snprintf(buf, len, "%.1f s", t);
}

static void draw_legend(struct graph_view *gv, struct render_canvas *c, int y, int x, int w)
{
	const struct model_flow *f = model_flow(gv->v.ui->model, gv->flow);
	const struct render_glyphs *g = c->g;
	int end = x + w;
	x += render_textf(c, y, x, end - x, RA_HEADER, " %s data %s ", gv->side ? "server" : "client",
			  gv->side ? g->to_left : g->to_right);
	for (int i = 0; i < LEGEND_MAX && kinds[gv->kind].legend[i] != K_NONE && x < end; i++) {
		enum plot_kind k = kinds[gv->kind].legend[i];
		x += render_text(c, y, x, end - x, marks[k].attr, c->ascii ? marks[k].ascii : "⣿");
		x += render_textf(c, y, x, end - x, RA_NORMAL, " %s  ", marks[k].name);
	}
	if (gv->kind == G_THROUGHPUT && x < end) {
		char avg[32];
		int ndx = gv->cols * 2, parts = ndx / RATE_AVERAGE_PARTS > 1 ? ndx / RATE_AVERAGE_PARTS : 1;
		render_format_duration(avg, sizeof avg, (int64_t)((gv->x1 - gv->x0) / ndx * parts * 1e9));
		x += render_textf(c, y, x, end - x, RA_DIM, "(averaged over %s)  ", avg);
	}
	char status[200] = "";
	if (gv->error[0])
		snprintf(status, sizeof status, "%s", gv->error);
	else if (gv->npts < gv->npkts)
		snprintf(status, sizeof status, "reading %zu%%", gv->npts * 100 / gv->npkts);
	else if (f && !f->s.payload_bytes[gv->side])
		snprintf(status, sizeof status, "no data this way: Tab");
	if (status[0] && x < end)
		render_text(c, y, x, end - x, gv->error[0] ? RA_ERROR : RA_MESSAGE, status);
}

/* The line under the axes: the packet under the cursor, in the timeline's terms. */
static void draw_cursor_line(struct graph_view *gv, struct render_canvas *c, int y, int x, int w)
{
	const struct model_packet *mp = gv->has_cursor ? model_packet_at(gv->v.ui->model, gv->pkts[gv->cursor]) : NULL;
	if (!mp) {
		render_text(c, y, x, w, RA_DIM, " no packet here: v another graph, Tab the other direction");
		return;
	}
	const struct gpoint *p = &gv->pts[gv->cursor];
	char when[32], extra[64] = "";
	snprintf(when, sizeof when, "%.6f s", (double)p->t / 1e9);
	if (gv->kind == G_RTT || (p->rtt_us >= 0 && gv->kind != G_WINDOW)) {
		if (p->rtt_us >= 0) {
			char rtt[32];
			render_format_duration(rtt, sizeof rtt, (int64_t)p->rtt_us * 1000);
			snprintf(extra, sizeof extra, "  RTT %s", rtt);
		}
	} else if (p->bits & GP_IN_FLIGHT) {
		snprintf(extra, sizeof extra, "  in flight %u", p->in_flight);
	}
	int used = render_textf(c, y, x, w, RA_KEY, " frame %u", mp->frame);
	used += render_textf(c, y, x + used, w - used, RA_NORMAL, "  %s  from %s  seq %u  ack %u  len %u  win %u%s",
			     when, model_packet_side(mp) ? "server" : "client", p->seq, p->ack, payload(p), p->win,
			     extra);
	static const char hint[] = "   Enter: timeline";
	if (used + (int)sizeof hint - 1 <= w)
		render_text(c, y, x + used, w - used, RA_DIM, hint);
}

/* The cursor's column: a dotted line through the empty cells, its packet's mark selected. */
static void draw_cursor(struct graph_view *gv, struct render_canvas *c, int top, int left)
{
	if (!gv->has_cursor)
		return;
	const struct gpoint *p = &gv->pts[gv->cursor];
	int dx = to_dx(gv, (double)p->t / 1e9);
	if (dx < 0 || dx >= gv->cols * 2)
		return;
	int col = dx / 2, dy = to_dy(gv, point_value(gv, p));
	int row = dy < 0 ? gv->rows - 1 : dy >= gv->rows * 4 ? 0 : gv->rows - 1 - dy / 4;
	for (int r = 0; r < gv->rows; r++)
		if (!gv->dots[(size_t)r * (size_t)gv->cols + (size_t)col])
			render_text(c, top + r, left + col, 1, RA_DIM, c->g->dotted);
	render_select(c, top + row, left + col, 1);
}

static void graph_draw(struct view *v, struct render_canvas *c, const struct render_rect *r)
{
	struct graph_view *gv = graph_of(v);
	if (!gv->fitted)
		fit(gv);
	const int axis_w = 9;
	int cols = r->w - axis_w - 1, rows = r->h - 4;
	if (cols < 2 || rows < 2) {
		draw_legend(gv, c, r->y, r->x, r->w);
		return;
	}
	if (cols != gv->cols || rows != gv->rows) {
		gv->cols = cols;
		gv->rows = rows;
		free(gv->dots);
		free(gv->kind_of);
		free(gv->strokes);
		free(gv->rates);
		gv->dots = xcalloc((size_t)cols * (size_t)rows, 1);
		gv->kind_of = xcalloc((size_t)cols * (size_t)rows, 1);
		gv->strokes = xcalloc((size_t)K_COUNT * 2 * (size_t)cols * 2, sizeof *gv->strokes);
		gv->rates = xcalloc((size_t)2 * 2 * (size_t)cols * 2, sizeof *gv->rates);
	}
	draw_legend(gv, c, r->y, r->x, r->w);
	plot(gv);
	int top = r->y + 1, left = r->x + axis_w + 1;
	gv->plot_top = top;
	gv->plot_left = left;
	for (int row = 0; row < rows; row++) {
		render_text(c, top + row, left - 1, 1, RA_DIM, c->g->vline);
		for (int col = 0; col < cols; col++) {
			size_t cell = (size_t)row * (size_t)cols + (size_t)col;
			if (!gv->dots[cell])
				continue;
			char glyph[8];
			if (c->ascii) {
				snprintf(glyph, sizeof glyph, "%s", marks[gv->kind_of[cell]].ascii);
			} else {
				uint32_t cp = 0x2800 + gv->dots[cell];
				glyph[0] = (char)(0xe0 | cp >> 12);
				glyph[1] = (char)(0x80 | (cp >> 6 & 0x3f));
				glyph[2] = (char)(0x80 | (cp & 0x3f));
				glyph[3] = '\0';
			}
			render_text(c, top + row, left + col, 1, marks[gv->kind_of[cell]].attr, glyph);
		}
	}
	draw_cursor(gv, c, top, left);
	char buf[32];
	for (int i = 0; i < 3; i++) {
		double s = gv->y1 - (gv->y1 - gv->y0) * i / 2;
		format_value(gv, buf, sizeof buf, s);
		render_text_right(c, top + (rows - 1) * i / 2, r->x, axis_w - 1, RA_DIM, buf);
	}
	int yb = top + rows;
	render_fill(c, yb, left, cols, RA_DIM, c->g->hline);
	double span = gv->x1 - gv->x0;
	format_secs(buf, sizeof buf, gv->x0, span);
	render_text(c, yb + 1, left, cols / 3, RA_DIM, buf);
	format_secs(buf, sizeof buf, (gv->x0 + gv->x1) / 2, span);
	render_text(c, yb + 1, left + cols / 2 - render_width(buf) / 2, cols / 3, RA_DIM, buf);
	format_secs(buf, sizeof buf, gv->x1, span);
	render_text_right(c, yb + 1, left + cols - cols / 3, cols / 3, RA_DIM, buf);
	render_text(c, yb, r->x, axis_w, RA_DIM, kinds[gv->kind].axis);
	draw_cursor_line(gv, c, yb + 2, r->x, r->w);
}

static void graph_title(struct view *v, char *buf, size_t len)
{
	struct graph_view *gv = graph_of(v);
	snprintf(buf, len, "%s of flow %u", kinds[gv->kind].title, gv->flow);
}

/* Zooms about the centre; the vertical factor applies to the time-sequence graph (the others fit theirs). */
static void zoom(struct graph_view *gv, double fx, double fy)
{
	double cx = (gv->x0 + gv->x1) / 2, cy = (gv->seq_y0 + gv->seq_y1) / 2;
	double hx = (gv->x1 - gv->x0) / 2 * fx, hy = (gv->seq_y1 - gv->seq_y0) / 2 * fy;
	if (hx < 1e-7 || hy < 0.5)
		return;
	gv->x0 = cx - hx;
	gv->x1 = cx + hx;
	if (gv->kind != G_SEQUENCE)
		return;
	gv->seq_y0 = cy - hy;
	gv->seq_y1 = cy + hy;
}

static void pan(struct graph_view *gv, double fx, double fy)
{
	double dx = (gv->x1 - gv->x0) * fx, dy = (gv->seq_y1 - gv->seq_y0) * fy;
	gv->x0 += dx;
	gv->x1 += dx;
	if (gv->kind != G_SEQUENCE)
		return;
	gv->seq_y0 += dy;
	gv->seq_y1 += dy;
}

/* Enter: the packet under the cursor in its flow's timeline. */
static int open_cursor(struct graph_view *gv)
{
	const struct model_packet *mp = gv->has_cursor ? model_packet_at(gv->v.ui->model, gv->pkts[gv->cursor]) : NULL;
	if (!mp)
		return UI_HANDLED;
	ui_push(gv->v.ui, gv->v.ui->open->timeline(gv->v.ui, gv->flow, mp->frame));
	return UI_HANDLED | UI_REDRAW;
}

/* A click in the plot puts the cursor on the shown point nearest that time. */
static int click(struct graph_view *gv, const struct ui_key *k)
{
	int col = k->x - gv->plot_left, row = k->y - gv->plot_top;
	if (col < 0 || col >= gv->cols || row < 0 || row >= gv->rows)
		return UI_HANDLED;
	double t = gv->x0 + (gv->x1 - gv->x0) * (col * 2 + 1) / (gv->cols * 2 - 1);
	cursor_near(gv, (int64_t)(t * 1e9));
	return k->code == UK_DOUBLE_CLICK ? open_cursor(gv) : UI_HANDLED | UI_REDRAW;
}

static int graph_key(struct view *v, const struct ui_key *k)
{
	struct graph_view *gv = graph_of(v);
	switch (k->code) {
	case '+':
	case '=':
	case UK_WHEEL_UP:
		zoom(gv, 0.5, 0.5);
		break;
	case '-':
	case UK_WHEEL_DOWN:
		zoom(gv, 2, 2);
		break;
	case ']':
		zoom(gv, 0.5, 1);
		break;
	case '[':
		zoom(gv, 2, 1);
		break;
	case 'h':
		pan(gv, -0.25, 0);
		break;
	case 'l':
		pan(gv, 0.25, 0);
		break;
	case 'k':
	case UK_UP:
		pan(gv, 0, 0.25);
		break;
	case 'j':
	case UK_DOWN:
		pan(gv, 0, -0.25);
		break;
	case UK_LEFT:
	case UK_RIGHT:
		cursor_step(gv, k->code == UK_RIGHT ? 1 : -1);
		return UI_HANDLED | UI_REDRAW;
	case UK_ENTER:
		return open_cursor(gv);
	case UK_CLICK:
	case UK_DOUBLE_CLICK:
		return click(gv, k);
	case 'v':
		gv->kind = (enum graph_kind)((gv->kind + 1) % G_KINDS);
		cursor_near(gv, gv->has_cursor ? gv->pts[gv->cursor].t : (int64_t)(gv->x0 * 1e9));
		return UI_HANDLED | UI_REDRAW;
	case '0':
	case UK_HOME:
		fit(gv);
		gv->moved = false;
		return UI_HANDLED | UI_REDRAW;
	case UK_TAB:
	case UK_BACKTAB:
		gv->side = !gv->side;
		fit(gv);
		gv->moved = false;
		cursor_near(gv, gv->has_cursor ? gv->pts[gv->cursor].t : 0);
		return UI_HANDLED | UI_REDRAW;
	default:
		return UI_IGNORED;
	}
	gv->moved = true;
	return UI_HANDLED | UI_REDRAW;
}

static void graph_destroy(struct view *v)
{
	struct graph_view *gv = graph_of(v);
	free(gv->pkts);
	free(gv->pts);
	free(gv->sacks);
	free(gv->dots);
	free(gv->kind_of);
	free(gv->strokes);
	free(gv->rates);
	free(gv);
}

static const struct view_ops graph_ops = {
	.name = "Graph",
	.hints = "v kind  Left/Right cursor  Enter timeline  +/- zoom  [ ] time  hjkl pan  0 fit  Tab direction",
	.draw = graph_draw,
	.key = graph_key,
	.title = graph_title,
	.update = graph_update,
	.forget = graph_forget,
	.destroy = graph_destroy,
};

struct view *view_graph_new(struct ui *ui, uint32_t flow)
{
	struct graph_view *gv = xcalloc(1, sizeof *gv);
	gv->v.ops = &graph_ops;
	gv->v.ui = ui;
	gv->flow = flow;
	const struct model_flow *f = model_flow(ui->model, flow);
	gv->side = f && f->s.payload_bytes[1] > f->s.payload_bytes[0];
	/* Small flows are read at once, so the first frame already shows them. */
	read_more(gv, READ_BUDGET_NS);
	fit(gv);
	cursor_near(gv, 0);
	return &gv->v;
}
