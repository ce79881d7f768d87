/*
 * view-flows.c - the start view: one row per flow (SPEC §6.1), sortable by
 * any column (a key per column, its capital letter or ! for the worst
 * finding, or a click on its heading; the same again reverses the order),
 * filtered by a flow expression (src/report-expr.h), searched with `/`.
 *
 * The rows are flow ids. Whenever the model changes the view rebuilds them
 * (filter, then sort) and puts the selection back on the same flow id.
 * Columns have a priority: on a narrow terminal the least important ones are
 * left out, and the address and finding columns share what is left.
 *
 * Live (SPEC §10), the rows come in two parts, each in the sort order: the
 * flows still open or closed less than UI_CLOSED_LINGER_NS ago (those dimmed,
 * as htop shows a process that just ended), then the history: flows closed
 * before that. A selected flow that moves to the history leaves the
 * selection where it was rather than dragging it to the bottom. While the
 * display is paused the rows stay as they are, but for flows the model
 * drops from memory (past --ui-max-history): their rows go at once.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis-labels.h"
#include "export.h"
#include "mem-alloc.h"
#include "report-expr.h"
#include "text-format.h"
#include "ui.h"
#include "views.h"

enum col_id {
	C_ID,
	C_CLIENT,
	C_SERVER,
	C_CSTATE,
	C_SSTATE,
	C_HSCL,
	C_CONN,
	C_DURATION,
	C_PACKETS,
	C_BYTES,
	C_RETX,
	C_IRTT,
	C_FINDING,
	C_COUNT
};

struct column {
	const char *title;
	int min;	  /* width */
	bool right;	  /* right-aligned */
	bool flex;	  /* takes spare width */
	char key;	  /* sorts by this column (again: the other way round) */
	const char *what; /* the column as the help names it */
};

static const struct column columns[C_COUNT] = {
	[C_ID] = {"ID", 5, true, false, 'I', "id"},
	[C_CLIENT] = {"CLIENT", 15, false, true, 'C', "client"},
	[C_SERVER] = {"SERVER", 15, false, true, 'V', "server"},
	[C_CSTATE] = {"CLIENT END", 10, false, false, 'E', "client end state"},
	[C_SSTATE] = {"SERVER END", 10, false, false, 'F', "server end state"},
	[C_HSCL] = {"H C", 3, false, false, 'H', "handshake and close"},
	[C_CONN] = {"CONN", 6, false, false, 'Z', "Zeek conn_state"},
	[C_DURATION] = {"DURATION", 9, true, false, 'D', "duration"},
	[C_PACKETS] = {"PKTS", 7, true, false, 'P', "packets"},
	[C_BYTES] = {"BYTES", 9, true, false, 'B', "bytes"},
	[C_RETX] = {"RETX", 5, true, false, 'R', "retransmissions"},
	[C_IRTT] = {"IRTT", 9, true, false, 'T', "iRTT"},
	[C_FINDING] = {"WORST FINDING", 16, false, true, '!', "worst finding"},
};

/* Which columns stay on a narrow terminal, most important first. */
static const enum col_id priority[C_COUNT] = {C_ID,   C_CLIENT, C_SERVER, C_FINDING, C_CSTATE, C_SSTATE,  C_PACKETS,
					      C_RETX, C_BYTES,	C_HSCL,	  C_CONN,    C_IRTT,   C_DURATION};

struct flows_view {
	struct view v;
	uint32_t *rows;
	size_t rows_cap;
	size_t nactive;	   /* rows[0 .. nactive) are open or just closed; the history follows (live) */
	uint32_t *history; /* scratch space of rebuild() */
	size_t history_cap;
	struct sort_key *keys; /* kept between sorts: no fresh pages to fault in */
	size_t keys_cap;
	struct ui_list list;
	uint32_t selected_id;
	enum col_id sort;
	bool descending;
	struct flow_expr *filter;
	char filter_text[128];
	char search[128];
	uint64_t generation;
	uint64_t flows_dropped; /* the model's count when the rows last let dropped flows go */
	int64_t rebuilt_ns;
	/* Layout of the last draw: which columns, where. */
	int ncols;
	enum col_id shown[C_COUNT];
	int x[C_COUNT], w[C_COUNT];
};

static struct flows_view *flows_of(struct view *v)
{
	return (struct flows_view *)v;
}

static bool flow_matches(const struct flow_expr *e, const struct model_flow *f)
{
	return flow_expr_match(e, &f->s, f->worst ? finding_info(f->worst_id)->code : NULL);
}

/*
 * Sorting: each flow gets a key of three words compared in order, then its
 * id. The keys are made in id order and sorted by a stable LSD radix sort, so
 * ties keep id order, and 100 000 flows sort in a few milliseconds (a key is
 * a keystroke: SPEC §12 wants a redraw within 20 ms).
 */
struct sort_key {
	uint64_t k[3];
	uint32_t id;
};

/*
 * Sorts keys[0..n) by k[0], k[1], k[2], least significant byte first; tmp
 * has room for n keys. One pass counts all eight bytes of a word; a byte that
 * is the same in every key costs no pass.
 */
static void radix_sort(struct sort_key *keys, struct sort_key *tmp, size_t n)
{
	for (int word = 2; word >= 0 && n > 1; word--) {
		size_t count[8][256];
		memset(count, 0, sizeof count);
		for (size_t i = 0; i < n; i++)
			for (int b = 0; b < 8; b++)
				count[b][keys[i].k[word] >> (8 * b) & 0xff]++;
		for (int b = 0; b < 8; b++) {
			if (count[b][keys[0].k[word] >> (8 * b) & 0xff] == n)
				continue;
			size_t at = 0;
			for (int v = 0; v < 256; v++) {
				size_t c = count[b][v];
				count[b][v] = at;
				at += c;
			}
			for (size_t i = 0; i < n; i++)
				tmp[count[b][keys[i].k[word] >> (8 * b) & 0xff]++] = keys[i];
			memcpy(keys, tmp, n * sizeof *keys);
		}
	}
}

/* The first 8 bytes of a string as a big-endian number: sorts like the text. */
static uint64_t pack8(const char *s)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++) {
		v = v << 8 | (unsigned char)*s;
		if (*s)
			s++;
	}
	return v;
}

static int compare_codes(const void *a, const void *b)
{
	return strcmp(finding_info(*(const enum finding_id *)a)->code, finding_info(*(const enum finding_id *)b)->code);
}

/* The alphabetical rank of every finding code, computed once. */
static uint64_t code_rank(enum finding_id id)
{
	static uint64_t rank[F_COUNT];
	static bool ready;
	if (!ready) {
		enum finding_id order[F_COUNT];
		for (int i = 0; i < F_COUNT; i++)
			order[i] = (enum finding_id)i;
		qsort(order + 1, F_COUNT - 1, sizeof order[0], compare_codes);
		for (int i = 0; i < F_COUNT; i++)
			rank[order[i]] = (uint64_t)i;
		ready = true;
	}
	return rank[id];
}

static void make_key(const struct model_flow *f, enum col_id col, struct sort_key *key)
{
	const struct flow_summary *s = &f->s;
	memset(key, 0, sizeof *key);
	key->id = s->id;
	switch (col) {
	case C_ID:
	case C_COUNT:
		break;
	case C_CLIENT:
	case C_SERVER: {
		/* IP version, address, port: 19 bytes, big-endian over the three words. */
		int side = col == C_SERVER;
		uint8_t b[24] = {s->ip_version};
		memcpy(b + 1, s->addr[side], 16);
		b[17] = (uint8_t)(s->port[side] >> 8);
		b[18] = (uint8_t)s->port[side];
		for (int i = 0; i < 24; i++)
			key->k[i / 8] = key->k[i / 8] << 8 | b[i];
		break;
	}
	case C_CSTATE:
	case C_SSTATE:
		key->k[0] = s->state[col == C_SSTATE];
		break;
	case C_HSCL:
		key->k[0] = pack8(s->handshake);
		key->k[1] = pack8(s->close);
		break;
	case C_CONN:
		key->k[0] = pack8(s->conn_state);
		break;
	case C_DURATION:
		key->k[0] = (uint64_t)(s->end_ns - s->start_ns);
		break;
	case C_PACKETS:
		key->k[0] = s->packets[0] + s->packets[1];
		break;
	case C_BYTES:
		key->k[0] = s->payload_bytes[0] + s->payload_bytes[1];
		break;
	case C_RETX:
		key->k[0] = labels_retransmitted_packets(s->labels);
		break;
	case C_IRTT:
		key->k[0] = (uint64_t)(s->irtt_ns + 1); /* unknown (-1) first */
		break;
	case C_FINDING:
		key->k[0] = f->worst;
		key->k[1] = f->worst ? code_rank(f->worst_id) : 0;
		break;
	}
}

/* Live: closed for long enough to leave the open flows for the history. */
static bool in_history(const struct model_flow *f, int64_t now)
{
	return f->closed_ns && now - f->closed_ns >= UI_CLOSED_LINGER_NS;
}

/* Live: moves the history rows after the others, keeping the order of both. */
static void split_history(struct flows_view *fv, size_t n)
{
	const struct model *m = fv->v.ui->model;
	int64_t now = model_now_ns();
	fv->history = xgrow(fv->history, &fv->history_cap, n + 1, sizeof *fv->history);
	size_t nactive = 0, nhistory = 0;
	for (size_t i = 0; i < n; i++) {
		if (in_history(model_flow(m, fv->rows[i]), now))
			fv->history[nhistory++] = fv->rows[i];
		else
			fv->rows[nactive++] = fv->rows[i];
	}
	memcpy(fv->rows + nactive, fv->history, nhistory * sizeof *fv->rows);
	fv->nactive = nactive;
}

/* Filter and sort the flows into rows; the selection follows its flow id. */
static void rebuild(struct flows_view *fv)
{
	const struct model *m = fv->v.ui->model;
	size_t old_sel = fv->list.sel;
	bool was_active = old_sel < fv->nactive;
	fv->rows = xgrow(fv->rows, &fv->rows_cap, m->flows_len + 1, sizeof *fv->rows);
	bool sorting = fv->sort != C_ID || fv->descending;
	/* Keys and the sort's scratch space; made in the same pass as the filter (one look at each flow). */
	if (sorting)
		fv->keys = xgrow(fv->keys, &fv->keys_cap, (m->flows_len + 1) * 2, sizeof *fv->keys);
	struct sort_key *keys = fv->keys;
	size_t n = 0;
	for (size_t i = 0; i < m->flows_len; i++) {
		const struct model_flow *f = &m->flows[i];
		if (!f->seen || (fv->filter && !flow_matches(fv->filter, f)))
			continue;
		if (sorting)
			make_key(f, fv->sort, &keys[n]);
		fv->rows[n++] = f->s.id;
	}
	if (sorting) {
		radix_sort(keys, keys + n, n);
		/* Descending: the whole order backwards, ties by id included. */
		for (size_t i = 0; i < n; i++)
			fv->rows[fv->descending ? n - 1 - i : i] = keys[i].id;
	}
	fv->nactive = n;
	if (m->live)
		split_history(fv, n);
	fv->list.count = n;
	for (size_t i = 0; i < n; i++) {
		if (fv->rows[i] == fv->selected_id) {
			fv->list.sel = i;
			break;
		}
	}
	/* The selected flow went to the history: stay on the same line of the open ones. */
	if (m->live && was_active && fv->list.sel >= fv->nactive && fv->nactive)
		fv->list.sel = old_sel < fv->nactive ? old_sel : fv->nactive - 1;
	if (fv->list.sel >= n)
		fv->list.sel = n ? n - 1 : 0;
	fv->selected_id = n ? fv->rows[fv->list.sel] : 0;
	fv->generation = m->generation;
	fv->flows_dropped = m->flows_dropped;
	fv->rebuilt_ns = model_now_ns();
}

static int flows_update(struct view *v)
{
	struct flows_view *fv = flows_of(v);
	const struct model *m = v->ui->model;
	if (fv->generation == m->generation || v->ui->live.paused)
		return UI_IGNORED;
	/*
	 * With very many flows, re-sorting on every loading or capture tick would
	 * steal the keyboard's time; but an empty list waits for nothing, so the
	 * first flows show as soon as they load.
	 */
	if (fv->list.count && (m->loading || m->live) && m->flows_len > 20000 &&
	    model_now_ns() - fv->rebuilt_ns < 1000000000)
		return UI_IGNORED;
	rebuild(fv);
	return UI_REDRAW;
}

/* The rows of flows dropped from memory go; the others keep their order, and the selection its line. */
static void flows_forget(struct view *v)
{
	struct flows_view *fv = flows_of(v);
	const struct model *m = v->ui->model;
	if (fv->flows_dropped == m->flows_dropped)
		return; /* packets or findings went, no flow */
	fv->flows_dropped = m->flows_dropped;
	size_t n = 0, nactive = 0, sel = 0;
	for (size_t i = 0; i < fv->list.count; i++) {
		if (!model_flow(m, fv->rows[i]))
			continue;
		if (i < fv->nactive)
			nactive++;
		if (i < fv->list.sel)
			sel++;
		fv->rows[n++] = fv->rows[i];
	}
	fv->list.count = n;
	fv->nactive = nactive;
	fv->list.sel = sel < n ? sel : n ? n - 1 : 0;
	fv->selected_id = n ? fv->rows[fv->list.sel] : 0;
}

/* The width the endpoints of the rows on screen (and the next ones) need on one side, at least the column's minimum. */
static int endpoint_width(const struct flows_view *fv, int side)
{
	const struct model *m = fv->v.ui->model;
	int want = columns[side ? C_SERVER : C_CLIENT].min;
	for (size_t i = fv->list.top; i < fv->list.count && i < fv->list.top + 200; i++) {
		char ep[80];
		text_format_endpoint(ep, sizeof ep, &model_flow(m, fv->rows[i])->s, side);
		int w = render_width(ep);
		if (w > want)
			want = w;
	}
	return want;
}

/*
 * Chooses the columns for a width, most important first (priority[]): the
 * endpoints take the width they need, so that on a narrow terminal or with
 * IPv6 addresses the least important columns go rather than an address
 * being cut. Only when ID and both endpoints alone are wider than the
 * terminal are the endpoints narrowed, the wider first (and draw_cell cuts
 * the address, never the port).
 */
static void layout(struct flows_view *fv, int width)
{
	int need[C_COUNT];
	for (int c = 0; c < C_COUNT; c++)
		need[c] = columns[c].min;
	int *cw = &need[C_CLIENT], *sw = &need[C_SERVER];
	*cw = endpoint_width(fv, 0);
	*sw = endpoint_width(fv, 1);
	for (int over = columns[C_ID].min + *cw + *sw + 2 - width; over > 0; over--) {
		int *wider = *cw >= *sw ? cw : sw;
		if (*wider <= columns[C_CLIENT].min)
			break;
		(*wider)--;
	}
	bool keep[C_COUNT] = {false};
	int used = 0;
	for (int i = 0; i < C_COUNT; i++) {
		enum col_id c = priority[i];
		int cost = need[c] + (used ? 1 : 0);
		if (used + cost > width)
			continue;
		keep[c] = true;
		used += cost;
	}
	fv->ncols = 0;
	for (int c = 0; c < C_COUNT; c++) {
		if (keep[c]) {
			fv->shown[fv->ncols++] = (enum col_id)c;
			fv->w[c] = need[c];
		}
	}
	if (keep[C_FINDING])
		fv->w[C_FINDING] += width - used;
	int x = 0;
	for (int i = 0; i < fv->ncols; i++) {
		enum col_id c = fv->shown[i];
		fv->x[c] = x;
		x += fv->w[c] + 1;
	}
}

/* Fits "ADDR:PORT" or "[ADDR]:PORT" into w columns by cutting the address in its middle: the port always shows. */
static void fit_endpoint(char *ep, size_t len, int w, const char *ellipsis)
{
	int have = render_width(ep);
	const char *port = strrchr(ep, ':');
	if (have <= w || !port)
		return;
	if (port > ep && port[-1] == ']')
		port--;
	int tail = render_width(port), head = w - tail - render_width(ellipsis);
	if (head < 2)
		return; /* too narrow to keep both ends: render_text cuts the end */
	char out[128];
	int left = (head + 1) / 2, right = head - left; /* address characters kept at each end (ASCII) */
	size_t addr_len = (size_t)(port - ep);
	snprintf(out, sizeof out, "%.*s%s%.*s%s", left, ep, ellipsis, right, ep + addr_len - (size_t)right, port);
	snprintf(ep, len, "%s", out);
}

static const char *handshake_glyph(const struct render_canvas *c, const char *hs)
{
	static const char *const names[] = {"complete", "simultaneous", "rejected", "incomplete", "none"};
	static const char *const utf8[] = {"✔", "⇄", "✘", "…", "·"};
	static const char *const ascii[] = {"+", "=", "x", ".", "-"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(hs, names[i]) == 0)
			return c->ascii ? ascii[i] : utf8[i];
	return " ";
}

static const char *close_glyph(const struct render_canvas *c, const char *cl)
{
	static const char *const names[] = {"fin", "half", "rst", "none"};
	static const char *const utf8[] = {"✔", "½", "✘", "…"};
	static const char *const ascii[] = {"+", "h", "x", "."};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(cl, names[i]) == 0)
			return c->ascii ? ascii[i] : utf8[i];
	return " ";
}

static const uint8_t severity_attr[3] = {RA_NOTE, RA_WARNING, RA_ERROR};

/* One cell of a row; a dimmed row (live: just closed) is dim all along. */
static void draw_cell(struct flows_view *fv, struct render_canvas *c, int y, enum col_id col,
		      const struct model_flow *mf, bool dim)
{
	const struct flow_summary *s = &mf->s;
	char buf[128] = "";
	uint8_t attr = RA_NORMAL;
	int x = fv->x[col], w = fv->w[col];
	switch (col) {
	case C_ID:
		snprintf(buf, sizeof buf, "%u", s->id);
		break;
	case C_CLIENT:
	case C_SERVER:
		text_format_endpoint(buf, sizeof buf, s, col == C_SERVER);
		fit_endpoint(buf, sizeof buf, w, c->g->ellipsis);
		break;
	case C_CSTATE:
	case C_SSTATE:
		snprintf(buf, sizeof buf, "%s", ui_short_state(s->state[col == C_SSTATE]));
		break;
	case C_HSCL:
		snprintf(buf, sizeof buf, "%s %s", handshake_glyph(c, s->handshake), close_glyph(c, s->close));
		break;
	case C_CONN:
		snprintf(buf, sizeof buf, "%s", s->conn_state);
		break;
	case C_DURATION:
		render_format_duration(buf, sizeof buf, s->end_ns - s->start_ns);
		break;
	case C_PACKETS:
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)(s->packets[0] + s->packets[1]));
		break;
	case C_BYTES:
		render_format_bytes(buf, sizeof buf, s->payload_bytes[0] + s->payload_bytes[1]);
		break;
	case C_RETX: {
		uint32_t r = labels_retransmitted_packets(s->labels);
		snprintf(buf, sizeof buf, "%u", r);
		attr = r ? RA_LABEL : RA_DIM;
		break;
	}
	case C_IRTT:
		if (s->irtt_ns >= 0)
			snprintf(buf, sizeof buf, "%.3f ms", (double)s->irtt_ns / 1e6);
		else
			snprintf(buf, sizeof buf, "-");
		break;
	case C_FINDING: {
		uint32_t total = s->findings[0] + s->findings[1] + s->findings[2];
		if (!mf->worst) {
			snprintf(buf, sizeof buf, "-");
			attr = RA_DIM;
			break;
		}
		attr = dim ? RA_DIM : severity_attr[mf->worst - 1];
		int mw = render_text(c, y, x, w, attr, c->g->severity[mf->worst - 1]);
		/* Nearly every code starts with "tcp.": the rest is what tells them apart here. */
		const char *code = finding_info(mf->worst_id)->code;
		if (strncmp(code, "tcp.", 4) == 0)
			code += 4;
		if (total > 1)
			snprintf(buf, sizeof buf, "%s +%u", code, total - 1);
		else
			snprintf(buf, sizeof buf, "%s", code);
		x += mw + 1;
		w -= mw + 1;
		break;
	}
	case C_COUNT:
		break;
	}
	if (dim)
		attr = RA_DIM;
	if (columns[col].right)
		render_text_right(c, y, x, w, attr, buf);
	else
		render_text(c, y, x, w, attr, buf);
}

static void flows_draw(struct view *v, struct render_canvas *c, const struct render_rect *r)
{
	struct flows_view *fv = flows_of(v);
	const struct model *m = v->ui->model;
	int page = r->h - 1;
	ui_list_fit(&fv->list, page);
	layout(fv, r->w);
	for (int i = 0; i < fv->ncols; i++) {
		enum col_id col = fv->shown[i];
		char title[32];
		snprintf(title, sizeof title, "%s%s", columns[col].title,
			 col == fv->sort ? (fv->descending ? c->g->sort_down : c->g->sort_up) : "");
		render_fill(c, r->y, r->x + fv->x[col], fv->w[col] + (i + 1 < fv->ncols ? 1 : 0), RA_HEADER, " ");
		if (columns[col].right)
			render_text_right(c, r->y, r->x + fv->x[col], fv->w[col], RA_HEADER, title);
		else
			render_text(c, r->y, r->x + fv->x[col], fv->w[col], RA_HEADER, title);
	}
	if (fv->list.count == 0) {
		const char *msg = fv->filter	       ? "No flow matches the filter (\\ to change it)."
				  : m->loading	       ? "Loading: no TCP flow yet."
				  : v->ui->live.paused ? "Paused: p shows what was captured since."
				  : m->live	       ? "Capturing: no TCP flow yet."
						       : "This capture has no TCP flow.";
		render_text(c, r->y + 2, r->x + 2, r->w - 2, RA_DIM, msg);
		return;
	}
	for (int row = 0; row < page && fv->list.top + (size_t)row < fv->list.count; row++) {
		size_t i = fv->list.top + (size_t)row;
		const struct model_flow *mf = model_flow(m, fv->rows[i]);
		int y = r->y + 1 + row;
		/* Closed, yet among the open flows: it closed moments ago (it goes to the history soon). */
		bool dim = m->live && i < fv->nactive && mf->closed_ns;
		for (int k = 0; k < fv->ncols; k++)
			draw_cell(fv, c, y, fv->shown[k], mf, dim);
		if (i == fv->list.sel)
			render_select(c, y, r->x, r->w);
	}
}

static void flows_title(struct view *v, char *buf, size_t len)
{
	struct flows_view *fv = flows_of(v);
	char pos[96] = "";
	if (fv->list.count)
		snprintf(pos, sizeof pos, " %zu/%zu", fv->list.sel + 1, fv->list.count);
	if (v->ui->model->live && fv->list.count > fv->nactive)
		snprintf(pos + strlen(pos), sizeof pos - strlen(pos), ", history from %zu", fv->nactive + 1);
	if (fv->filter)
		snprintf(buf, len, "Flows%s (filter: %s)", pos, fv->filter_text);
	else
		snprintf(buf, len, "Flows%s", pos);
}

static void select_row(struct flows_view *fv, size_t i)
{
	fv->list.sel = i;
	fv->selected_id = fv->rows[i];
}

/* Finds the next (dir 1) or previous (-1) row matching the search text, wrapping around. */
static bool search_step(struct flows_view *fv, int dir)
{
	const struct model *m = fv->v.ui->model;
	size_t n = fv->list.count;
	if (!fv->search[0] || n == 0)
		return false;
	char err[200];
	struct flow_expr *f = flow_expr_parse(fv->search, err, sizeof err, NULL);
	if (!f)
		return false;
	bool found = false;
	for (size_t k = 1; k <= n; k++) {
		size_t i = dir > 0 ? (fv->list.sel + k) % n : (fv->list.sel + n - k % n) % n;
		if (flow_matches(f, model_flow(m, fv->rows[i]))) {
			select_row(fv, i);
			found = true;
			break;
		}
	}
	flow_expr_free(f);
	return found;
}

static void search_done(struct view *v, const char *text, bool accepted)
{
	struct flows_view *fv = flows_of(v);
	if (!accepted || !text[0])
		return;
	char err[200];
	unsigned col;
	struct flow_expr *f = flow_expr_parse(text, err, sizeof err, &col);
	if (!f) {
		ui_prompt_error(v->ui, col, "%s", err);
		return;
	}
	flow_expr_free(f);
	snprintf(fv->search, sizeof fv->search, "%s", text);
	if (!search_step(fv, 1))
		ui_message(v->ui, RA_MESSAGE, "No flow matches \"%s\".", text);
}

static void filter_done(struct view *v, const char *text, bool accepted)
{
	struct flows_view *fv = flows_of(v);
	if (!accepted)
		return;
	char err[200];
	unsigned col;
	struct flow_expr *f = flow_expr_parse(text, err, sizeof err, &col);
	if (!f && err[0]) {
		ui_prompt_error(v->ui, col, "%s", err);
		return;
	}
	flow_expr_free(fv->filter);
	fv->filter = f;
	snprintf(fv->filter_text, sizeof fv->filter_text, "%s", f ? text : "");
	rebuild(fv);
}

/* Reverses rows[from .. to). */
static void reverse_rows(uint32_t *rows, size_t from, size_t to)
{
	for (; from + 1 < to; from++, to--) {
		uint32_t t = rows[from];
		rows[from] = rows[to - 1];
		rows[to - 1] = t;
	}
}

static void set_sort(struct flows_view *fv, enum col_id col, bool toggle)
{
	if (toggle && col == fv->sort) {
		/* The same order backwards (ties by id included), the history still last: no need to sort again. */
		fv->descending = !fv->descending;
		size_t n = fv->list.count, na = fv->nactive;
		reverse_rows(fv->rows, 0, na);
		reverse_rows(fv->rows, na, n);
		if (n)
			fv->list.sel = fv->list.sel < na ? na - 1 - fv->list.sel : na + (n - 1 - fv->list.sel);
	} else {
		/* Naming another column (its key or heading) starts ascending; s keeps the direction. */
		if (toggle)
			fv->descending = false;
		fv->sort = col;
		rebuild(fv);
	}
	char msg[64];
	snprintf(msg, sizeof msg, "Sorted by %s, %s", columns[fv->sort].title,
		 fv->descending ? "descending" : "ascending");
	ui_message(fv->v.ui, RA_MESSAGE, "%s", msg);
}

static int open_selected(struct flows_view *fv)
{
	if (fv->list.count == 0)
		return UI_HANDLED;
	ui_push(fv->v.ui, fv->v.ui->open->timeline(fv->v.ui, fv->rows[fv->list.sel], 0));
	return UI_HANDLED | UI_REDRAW;
}

static int flows_key(struct view *v, const struct ui_key *k)
{
	struct flows_view *fv = flows_of(v);
	int page = v->rect.h - 1;
	switch (k->code) {
	case UK_ENTER:
	case UK_RIGHT:
	case 'l':
		return open_selected(fv);
	case '/':
		ui_prompt_start(v->ui, v, "search", "", search_done);
		return UI_HANDLED | UI_REDRAW;
	case '\\':
		ui_prompt_start(v->ui, v, "filter", fv->filter_text, filter_done);
		return UI_HANDLED | UI_REDRAW;
	case 'n':
	case 'N':
		if (!search_step(fv, k->code == 'n' ? 1 : -1))
			ui_message(v->ui, RA_MESSAGE, "%s", fv->search[0] ? "No match." : "No search yet: press /.");
		return UI_HANDLED | UI_REDRAW;
	case 'w':
		if (fv->list.count) {
			char what[32];
			snprintf(what, sizeof what, "flow %u", fv->rows[fv->list.sel]);
			export_prompt(v->ui, v, &fv->rows[fv->list.sel], 1, what);
		}
		return UI_HANDLED | UI_REDRAW;
	case 'W':
		if (fv->list.count) {
			char what[64];
			snprintf(what, sizeof what, "the %zu flow%s shown", fv->list.count,
				 fv->list.count == 1 ? "" : "s");
			export_prompt(v->ui, v, fv->rows, fv->list.count, what);
		}
		return UI_HANDLED | UI_REDRAW;
	case 's':
		set_sort(fv, (enum col_id)((fv->sort + 1) % C_COUNT), false);
		return UI_HANDLED | UI_REDRAW;
	case 'S':
		set_sort(fv, fv->sort, true);
		return UI_HANDLED | UI_REDRAW;
	case UK_ESC:
		if (fv->filter) {
			filter_done(v, "", true);
			return UI_HANDLED | UI_REDRAW;
		}
		return UI_IGNORED;
	case UK_CLICK:
	case UK_DOUBLE_CLICK: {
		int row = k->y - v->rect.y;
		if (row == 0) {
			for (int i = 0; i < fv->ncols; i++) {
				enum col_id col = fv->shown[i];
				if (k->x >= v->rect.x + fv->x[col] && k->x <= v->rect.x + fv->x[col] + fv->w[col]) {
					set_sort(fv, col, true);
					return UI_HANDLED | UI_REDRAW;
				}
			}
			return UI_HANDLED;
		}
		size_t i = fv->list.top + (size_t)(row - 1);
		if (row < 1 || i >= fv->list.count)
			return UI_HANDLED;
		select_row(fv, i);
		return k->code == UK_DOUBLE_CLICK ? open_selected(fv) : UI_HANDLED | UI_REDRAW;
	}
	}
	for (int col = 0; col < C_COUNT; col++) {
		if (k->code == columns[col].key) {
			set_sort(fv, (enum col_id)col, true);
			return UI_HANDLED | UI_REDRAW;
		}
	}
	int r = ui_list_key(&fv->list, k, page, true);
	if (r != UI_IGNORED && fv->list.count)
		fv->selected_id = fv->rows[fv->list.sel];
	return r;
}

static void flows_destroy(struct view *v)
{
	struct flows_view *fv = flows_of(v);
	flow_expr_free(fv->filter);
	free(fv->rows);
	free(fv->history);
	free(fv->keys);
	free(fv);
}

static const struct view_ops flows_ops = {
	.name = "Flows",
	.hints = "Enter timeline  / search  \\ filter  s sort  f findings  ? help  q quit",
	.draw = flows_draw,
	.key = flows_key,
	.title = flows_title,
	.update = flows_update,
	.forget = flows_forget,
	.destroy = flows_destroy,
};

bool view_flows_sort_key(int i, char *key, const char **what)
{
	if (i < 0 || i >= C_COUNT)
		return false;
	*key = columns[i].key;
	*what = columns[i].what;
	return true;
}

struct view *view_flows_new(struct ui *ui)
{
	struct flows_view *fv = xcalloc(1, sizeof *fv);
	fv->v.ops = &flows_ops;
	fv->v.ui = ui;
	fv->generation = ui->model->generation - 1;
	rebuild(fv);
	return &fv->v;
}
