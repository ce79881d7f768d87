/*
 * view-graph.c - the time-sequence graph of one flow (SPEC §6.3), in the
 * style of Stevens and tcptrace: time to the right, relative sequence number
 * up. Data segments of one direction are vertical strokes from seq to
 * seq+len (retransmissions in their own colour), the peer's ACKs a step line
 * under them, its receive window (ack + window) a step line above, and SACK
 * blocks strokes beside the ACK line.
 *
 * The graph reads its flow's packets back from the file (the model keeps no
 * sequence numbers) a slice per update, so a long flow fills in while the UI
 * stays responsive. Live, it lets go of the points of packets the model
 * dropped, as the timeline does, so it never holds more than the model. It
 * plots into a grid of Braille cells, 2x4 dots each; each cell takes the
 * colour of the most important thing drawn in it. With --ascii a cell is
 * one character that says what it holds.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"
#include "views.h"
#include "xalloc.h"

#define READ_BUDGET_NS (25 * 1000000LL)
#define RETRANS_LABELS ((1u << L_RETRANSMISSION) | (1u << L_FAST_RETRANSMISSION) | (1u << L_SPURIOUS_RETRANSMISSION))

/* What a dot shows, in rising order of importance. */
enum plot_kind { K_NONE, K_WINDOW, K_ACK, K_DATA, K_SACK, K_RETRANS, K_COUNT };

/* One packet of the flow, 24 bytes: the graph scans them all at every draw. SACK blocks are apart, in sacks[]. */
struct gpoint {
	int64_t t;	   /* ns since the flow's first packet */
	uint32_t seq;	   /* relative to the sender's ISN */
	uint32_t ack, win; /* relative to the peer's ISN; win in bytes (scaled) */
	uint16_t len;	   /* sequence space taken: payload, SYN, FIN (clamped) */
	uint8_t bits;	   /* GP_* */
};

enum { GP_SERVER = 1, GP_ACK = 2, GP_RETRANS = 4 };

struct gsack {
	uint32_t point; /* index of the packet that carries it */
	uint32_t left, right;
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
	char error[160];
	int side;	       /* the direction whose data is plotted */
	bool fitted;	       /* the view window was set from the data */
	bool moved;	       /* the user zoomed or panned: new data keeps the window */
	double x0, x1, y0, y1; /* the view window: time in s, sequence */
	/* The dot grid of the last draw. */
	int cols, rows;
	uint8_t *dots, *kind;
	int *strokes; /* per plot kind, the lowest and highest dot of each dot column */
};

static struct graph_view *graph_of(struct view *v)
{
	return (struct graph_view *)v;
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
				    ((mp->labels & RETRANS_LABELS) ? GP_RETRANS : 0));
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

/* Sets the view window to all of the plotted direction's data and ACKs. */
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
			lo = hi = p->ack;
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
	gv->y0 = smin - pad < 0 ? 0 : smin - pad;
	gv->y1 = smax + pad;
	gv->fitted = true;
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
	if (k > gv->kind[cell])
		gv->kind[cell] = (uint8_t)k;
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

/*
 * Plots everything into the dot grid. Strokes (data, retransmissions, SACK
 * blocks) are first merged per dot column, so a million segments cost a
 * million comparisons, not a million lines; the step lines are drawn as
 * they go, which costs little since consecutive ACKs mostly share a column.
 */
static void plot(struct graph_view *gv)
{
	size_t cells = (size_t)gv->cols * (size_t)gv->rows;
	int ndx = gv->cols * 2;
	memset(gv->dots, 0, cells);
	memset(gv->kind, 0, cells);
	for (int k = 0; k < K_COUNT; k++) {
		for (int x = 0; x < ndx; x++) {
			gv->strokes[(size_t)(k * 2) * (size_t)ndx + (size_t)x] = gv->rows * 4;
			gv->strokes[(size_t)(k * 2 + 1) * (size_t)ndx + (size_t)x] = -1;
		}
	}
	bool have_prev = false;
	int px = 0, pa = 0, pw = 0;
	/* Points are in time order: start just left of the window (the step lines need one point before it). */
	double span = gv->x1 - gv->x0;
	int64_t from = (int64_t)((gv->x0 - span) * 1e9);
	size_t lo = 0, hi = gv->npts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (gv->pts[mid].t < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t sack = 0, sack_end = gv->nsacks;
	while (sack < sack_end) {
		size_t mid = sack + (sack_end - sack) / 2;
		if (gv->sacks[mid].point < lo)
			sack = mid + 1;
		else
			sack_end = mid;
	}
	for (size_t i = lo; i < gv->npts; i++) {
		const struct gpoint *p = &gv->pts[i];
		double t = (double)p->t / 1e9;
		if (t > gv->x1 + span)
			break;
		int x = to_dx(gv, t);
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
			/* Step lines: along at the old level, then up to the new one. */
			hline(gv, px, x, pw, K_WINDOW);
			vline(gv, x, pw, w, K_WINDOW);
			hline(gv, px, x, pa, K_ACK);
			vline(gv, x, pa, a, K_ACK);
		}
		px = x;
		pa = a;
		pw = w;
		have_prev = true;
	}
	static const enum plot_kind stroked[] = {K_DATA, K_RETRANS, K_SACK};
	for (size_t i = 0; i < sizeof stroked / sizeof stroked[0]; i++) {
		const int *slo = &gv->strokes[(size_t)(stroked[i] * 2) * (size_t)ndx], *shi = slo + ndx;
		for (int x = 0; x < ndx; x++)
			if (slo[x] <= shi[x])
				vline(gv, x, slo[x], shi[x], stroked[i]);
	}
}

static const uint8_t kind_attr[K_COUNT] = {RA_NORMAL,	  RA_GRAPH_WINDOW, RA_GRAPH_ACK,
					   RA_GRAPH_DATA, RA_GRAPH_SACK,   RA_GRAPH_RETRANS};
static const char *const kind_ascii[K_COUNT] = {" ", "~", "-", "|", "s", "x"};

static void format_seq(char *buf, size_t len, double s)
{
	if (s >= 1e7)
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
	static const char *const names[K_COUNT] = {"", "window", "ACK", "data", "SACK", "retransmission"};
	for (int k = K_RETRANS; k > K_NONE && x < end; k--) {
		x += render_text(c, y, x, end - x, kind_attr[k], c->ascii ? kind_ascii[k] : "⣿");
		x += render_textf(c, y, x, end - x, RA_NORMAL, " %s  ", names[k]);
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

static void graph_draw(struct view *v, struct render_canvas *c, const struct render_rect *r)
{
	struct graph_view *gv = graph_of(v);
	if (!gv->fitted)
		fit(gv);
	draw_legend(gv, c, r->y, r->x, r->w);
	const int axis_w = 9;
	int cols = r->w - axis_w - 1, rows = r->h - 3;
	if (cols < 2 || rows < 2)
		return;
	if (cols != gv->cols || rows != gv->rows) {
		gv->cols = cols;
		gv->rows = rows;
		free(gv->dots);
		free(gv->kind);
		free(gv->strokes);
		gv->dots = xcalloc((size_t)cols * (size_t)rows, 1);
		gv->kind = xcalloc((size_t)cols * (size_t)rows, 1);
		gv->strokes = xcalloc((size_t)K_COUNT * 2 * (size_t)cols * 2, sizeof *gv->strokes);
	}
	plot(gv);
	int top = r->y + 1, left = r->x + axis_w + 1;
	for (int row = 0; row < rows; row++) {
		render_text(c, top + row, left - 1, 1, RA_DIM, c->g->vline);
		for (int col = 0; col < cols; col++) {
			size_t cell = (size_t)row * (size_t)cols + (size_t)col;
			if (!gv->dots[cell])
				continue;
			char glyph[8];
			if (c->ascii) {
				snprintf(glyph, sizeof glyph, "%s", kind_ascii[gv->kind[cell]]);
			} else {
				uint32_t cp = 0x2800 + gv->dots[cell];
				glyph[0] = (char)(0xe0 | cp >> 12);
				glyph[1] = (char)(0x80 | (cp >> 6 & 0x3f));
				glyph[2] = (char)(0x80 | (cp & 0x3f));
				glyph[3] = '\0';
			}
			render_text(c, top + row, left + col, 1, kind_attr[gv->kind[cell]], glyph);
		}
	}
	char buf[32];
	for (int i = 0; i < 3; i++) {
		double s = gv->y1 - (gv->y1 - gv->y0) * i / 2;
		format_seq(buf, sizeof buf, s);
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
	render_text(c, yb, r->x, axis_w, RA_DIM, "seq/time");
}

static void graph_title(struct view *v, char *buf, size_t len)
{
	struct graph_view *gv = graph_of(v);
	snprintf(buf, len, "Time-sequence graph of flow %u", gv->flow);
}

static void zoom(struct graph_view *gv, double fx, double fy)
{
	double cx = (gv->x0 + gv->x1) / 2, cy = (gv->y0 + gv->y1) / 2;
	double hx = (gv->x1 - gv->x0) / 2 * fx, hy = (gv->y1 - gv->y0) / 2 * fy;
	if (hx < 1e-7 || hy < 0.5)
		return;
	gv->x0 = cx - hx;
	gv->x1 = cx + hx;
	gv->y0 = cy - hy;
	gv->y1 = cy + hy;
}

static void pan(struct graph_view *gv, double fx, double fy)
{
	double dx = (gv->x1 - gv->x0) * fx, dy = (gv->y1 - gv->y0) * fy;
	gv->x0 += dx;
	gv->x1 += dx;
	gv->y0 += dy;
	gv->y1 += dy;
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
	case UK_LEFT:
		pan(gv, -0.25, 0);
		break;
	case 'l':
	case UK_RIGHT:
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
	free(gv->kind);
	free(gv->strokes);
	free(gv);
}

static const struct view_ops graph_ops = {
	.name = "Graph",
	.hints = "+/- zoom  [ ] time zoom  arrows pan  0 fit  Tab direction  q back",
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
	return &gv->v;
}
