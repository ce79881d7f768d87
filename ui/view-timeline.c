/*
 * view-timeline.c - the flow timeline (SPEC §6.2): the ladder of one flow
 * with a movable selection and, below it, the detail pane of the selected
 * packet. The rows come from ladder.c; this view adds the keys: n/N jump
 * between findings and labels, Enter expands a fold or shows the detail
 * pane, t cycles the time column, r switches relative and absolute sequence
 * numbers, e expands every fold, / searches, g opens the flow's graphs,
 * Tab picks a frame the selected packet's findings name (Enter goes there),
 * x shows the selected packet's bytes in the pane (hex and ASCII, [ and ]
 * scroll them) instead of its fields, w writes the flow to a capture file.
 *
 * The selection is a model packet index, so it stays on its packet while the
 * flow grows during loading and when folds open or close. Live, once the
 * model drops the flow's oldest packets a line above the ladder counts them,
 * and a selection among them moves to the earliest packet still there.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "hexdump.h"
#include "ladder.h"
#include "mem-alloc.h"
#include "ui.h"
#include "views.h"

/* Terminals at least this tall show the detail pane from the start. */
#define PANE_AUTO_HEIGHT 34

struct timeline_view {
	struct view v;
	struct ladder ladder;
	struct ui_list list;
	uint64_t selected; /* model packet index */
	bool has_selection;
	int pane;	     /* -1 automatic, 0 hidden, 1 shown */
	size_t link;	     /* which frame link Tab picked (ladder_row_links); SIZE_MAX: none */
	bool bytes;	     /* x: the pane shows the packet's bytes, not its fields */
	size_t bytes_scroll; /* the first line of the hex dump shown */
	uint8_t *frame;	     /* the bytes read for the pane (FRAME_BYTES_MAX), made at the first x */
	char search[128];
};

#define FRAME_BYTES_MAX 262144 /* the largest snapshot length: every record fits */

static struct timeline_view *timeline_of(struct view *v)
{
	return (struct timeline_view *)v;
}

static void sync_modes(struct timeline_view *tv)
{
	tv->ladder.time_mode = tv->v.ui->time_mode;
	tv->ladder.absolute_seq = tv->v.ui->absolute_seq;
}

/* Puts the list back on the selected packet after the rows changed (the first one left if it was dropped). */
static void reselect(struct timeline_view *tv)
{
	tv->list.count = tv->ladder.nrows;
	if (tv->has_selection && tv->ladder.nrows)
		tv->list.sel = ladder_row_of(&tv->ladder, tv->selected);
	if (tv->ladder.nrows && (!tv->has_selection || !model_packet_at(tv->v.ui->model, tv->selected))) {
		tv->selected = ladder_row_packet(&tv->ladder, tv->list.sel);
		tv->has_selection = true;
	}
}

static void select_row(struct timeline_view *tv, size_t row)
{
	tv->link = SIZE_MAX;
	tv->list.sel = row;
	tv->selected = ladder_row_packet(&tv->ladder, row);
	tv->has_selection = true;
	tv->bytes_scroll = 0;
}

static int timeline_update(struct view *v)
{
	struct timeline_view *tv = timeline_of(v);
	if (!ladder_update(&tv->ladder))
		return UI_IGNORED;
	reselect(tv);
	return UI_REDRAW;
}

static void timeline_forget(struct view *v)
{
	struct timeline_view *tv = timeline_of(v);
	if (ladder_forget(&tv->ladder))
		reselect(tv);
}

/* Live: the flow's packets dropped from memory (0 if the whole flow was: the title says so). */
static uint64_t dropped_packets(const struct timeline_view *tv)
{
	const struct model_flow *f = model_flow(tv->v.ui->model, tv->ladder.flow);
	return f ? f->packets_dropped : 0;
}

static bool pane_shown(const struct timeline_view *tv, int height)
{
	return tv->pane < 0 ? height >= PANE_AUTO_HEIGHT : tv->pane;
}

/*
 * Rows above the ladder list (the headings, and a line counting dropped
 * packets if any), of the list, and of the detail pane for a view height.
 */
static void split(const struct timeline_view *tv, int height, int *top_rows, int *list_rows, int *pane_rows)
{
	*top_rows = dropped_packets(tv) ? 2 : 1;
	*pane_rows = 0;
	if (pane_shown(tv, height)) {
		*pane_rows = height / 3 < 12 ? height / 3 : 12;
		if (*pane_rows < 6)
			*pane_rows = 6;
	}
	*list_rows = height - *top_rows - *pane_rows;
}

/* The pane in bytes mode: the selected packet's captured bytes as a hex dump, from line bytes_scroll on. */
static void draw_bytes(struct timeline_view *tv, struct render_canvas *c, const struct render_rect *pane)
{
	struct ladder *l = &tv->ladder;
	if (tv->list.sel >= l->nrows || pane->h <= 0)
		return;
	char err[256];
	uint32_t caplen;
	if (!tv->frame)
		tv->frame = xmalloc(FRAME_BYTES_MAX);
	uint64_t index = ladder_row_packet(l, tv->list.sel);
	if (model_read_bytes(tv->v.ui->model, index, tv->frame, FRAME_BYTES_MAX, &caplen, err, sizeof err) != 0) {
		render_text(c, pane->y, pane->x + 1, pane->w - 2, RA_ERROR, err);
		return;
	}
	size_t n = caplen < FRAME_BYTES_MAX ? caplen : FRAME_BYTES_MAX, lines = hexdump_lines(n);
	size_t fit = (size_t)pane->h;
	if (tv->bytes_scroll + fit > lines)
		tv->bytes_scroll = lines > fit ? lines - fit : 0;
	for (size_t i = 0; i < fit && tv->bytes_scroll + i < lines; i++) {
		char line[HEXDUMP_LINE_MAX];
		hexdump_line(line, tv->frame, n, tv->bytes_scroll + i);
		render_text(c, pane->y + (int)i, pane->x + 1, pane->w - 2, RA_NORMAL, line);
	}
}

static void timeline_draw(struct view *v, struct render_canvas *c, const struct render_rect *r)
{
	struct timeline_view *tv = timeline_of(v);
	struct ladder *l = &tv->ladder;
	sync_modes(tv);
	int top_rows, list_rows, pane_rows;
	split(tv, r->h, &top_rows, &list_rows, &pane_rows);
	ui_list_fit(&tv->list, list_rows);
	ladder_layout(l, r->w, tv->list.top, tv->list.top + (size_t)list_rows);
	ladder_draw_header(l, c, r->y, r->x);
	uint64_t dropped = dropped_packets(tv);
	if (dropped) {
		char count[32];
		render_format_count(count, sizeof count, dropped);
		render_textf(c, r->y + 1, r->x + 1, r->w - 1, RA_FOLD, "%s %s earlier packet%s dropped from memory%s",
			     c->g->fold, count, dropped == 1 ? "" : "s",
			     l->nrows ? "" : ": all of them; the flows view keeps its summary");
	}
	if (l->nrows == 0 && !dropped)
		render_text(c, r->y + 2, r->x + 2, r->w - 2, RA_DIM,
			    v->ui->model->loading ? "Loading: no packet of this flow yet."
						  : "This flow has no packets.");
	for (int i = 0; i < list_rows && tv->list.top + (size_t)i < l->nrows; i++) {
		size_t row = tv->list.top + (size_t)i;
		ladder_draw_row(l, c, r->y + top_rows + i, r->x, row);
		if (row == tv->list.sel)
			render_select(c, r->y + top_rows + i, r->x, r->w);
	}
	if (pane_rows) {
		int y = r->y + top_rows + list_rows;
		render_fill(c, y, r->x, r->w, RA_DIM, c->g->hline);
		render_text(c, y, r->x + 2, r->w - 4, RA_DIM,
			    tv->bytes ? " Packet bytes (x fields, [ ] scroll, d hides) " : " Packet detail (d hides) ");
		struct render_rect pane = {.y = y + 1, .x = r->x, .h = pane_rows - 1, .w = r->w};
		if (tv->bytes)
			draw_bytes(tv, c, &pane);
		else
			ladder_draw_detail(l, c, &pane, tv->list.sel, tv->link);
	}
}

static void timeline_title(struct view *v, char *buf, size_t len)
{
	struct timeline_view *tv = timeline_of(v);
	char desc[256];
	ladder_describe(&tv->ladder, v->ui->ascii ? "->" : "→", desc, sizeof desc);
	snprintf(buf, len, "%s%s", desc, v->ui->absolute_seq ? "  (absolute seq)" : "");
}

/* Moves to the next (dir 1) or previous (-1) row carrying a finding or a label. */
static int jump_mark(struct timeline_view *tv, int dir)
{
	struct ladder *l = &tv->ladder;
	for (size_t row = tv->list.sel; dir > 0 ? row + 1 < l->nrows : row > 0;) {
		row = dir > 0 ? row + 1 : row - 1;
		if (ladder_row_marked(l, row)) {
			select_row(tv, row);
			return UI_HANDLED | UI_REDRAW;
		}
	}
	ui_message(tv->v.ui, RA_MESSAGE, "No finding or label %s.", dir > 0 ? "below" : "above");
	return UI_HANDLED | UI_REDRAW;
}

static bool search_next(struct timeline_view *tv)
{
	size_t row = ladder_search(&tv->ladder, tv->list.sel, tv->search);
	if (row == SIZE_MAX)
		return false;
	tv->list.count = tv->ladder.nrows;
	select_row(tv, row);
	return true;
}

static void search_done(struct view *v, const char *text, bool accepted)
{
	struct timeline_view *tv = timeline_of(v);
	if (!accepted)
		return;
	if (text[0])
		snprintf(tv->search, sizeof tv->search, "%s", text);
	if (tv->search[0] && !search_next(tv))
		ui_message(v->ui, RA_MESSAGE, "No packet matches \"%s\".", tv->search);
}

/* Tab, Shift-Tab: picks the next (dir 1) or previous (-1) frame the selected packet's findings name. */
static int pick_link(struct timeline_view *tv, int dir)
{
	struct frame_link links[FRAME_LINKS_MAX];
	size_t n = ladder_row_links(&tv->ladder, tv->list.sel, links, FRAME_LINKS_MAX);
	if (n == 0) {
		ui_message(tv->v.ui, RA_MESSAGE, "No finding here names a frame.");
		return UI_HANDLED | UI_REDRAW;
	}
	tv->pane = 1;
	tv->link = ui_pick_link(tv->v.ui, links, n, tv->link, dir);
	return UI_HANDLED | UI_REDRAW;
}

static int activate(struct timeline_view *tv, int height)
{
	struct ladder *l = &tv->ladder;
	struct frame_link links[FRAME_LINKS_MAX];
	if (tv->link < ladder_row_links(l, tv->list.sel, links, FRAME_LINKS_MAX)) {
		ui_goto_frame(tv->v.ui, links[tv->link].frame);
		return UI_HANDLED | UI_REDRAW;
	}
	if (tv->list.sel < l->nrows && l->rows[tv->list.sel].fold) {
		ladder_expand(l, tv->list.sel);
		reselect(tv);
	} else {
		tv->pane = !pane_shown(tv, height);
	}
	return UI_HANDLED | UI_REDRAW;
}

static int timeline_key(struct view *v, const struct ui_key *k)
{
	struct timeline_view *tv = timeline_of(v);
	struct ladder *l = &tv->ladder;
	int top_rows, list_rows, pane_rows;
	split(tv, v->rect.h, &top_rows, &list_rows, &pane_rows);
	switch (k->code) {
	case UK_ENTER:
		return activate(tv, v->rect.h);
	case UK_TAB:
	case UK_BACKTAB:
		return pick_link(tv, k->code == UK_TAB ? 1 : -1);
	case 'd':
		tv->pane = !pane_shown(tv, v->rect.h);
		return UI_HANDLED | UI_REDRAW;
	case 'e':
		ladder_expand_all(l, !l->expand_all);
		reselect(tv);
		ui_message(v->ui, RA_MESSAGE, l->expand_all ? "Every fold expanded (e folds again)." : "Runs folded.");
		return UI_HANDLED | UI_REDRAW;
	case 't':
		v->ui->time_mode = (enum ui_time_mode)((v->ui->time_mode + 1) % 3);
		return UI_HANDLED | UI_REDRAW;
	case 'r':
		v->ui->absolute_seq = !v->ui->absolute_seq;
		return UI_HANDLED | UI_REDRAW;
	case 'n':
	case 'N':
		return jump_mark(tv, k->code == 'n' ? 1 : -1);
	case '/':
		ui_prompt_start(v->ui, v, "search (frame, flag, state, label, code)", "", search_done);
		return UI_HANDLED | UI_REDRAW;
	case 'g':
		ui_push(v->ui, v->ui->open->graph(v->ui, l->flow));
		return UI_HANDLED | UI_REDRAW;
	case 'x':
		tv->bytes = !tv->bytes;
		tv->bytes_scroll = 0;
		if (tv->bytes)
			tv->pane = 1;
		return UI_HANDLED | UI_REDRAW;
	case '[':
	case ']': {
		if (!tv->bytes)
			return UI_IGNORED;
		size_t step = pane_rows > 3 ? (size_t)pane_rows - 2 : 1; /* a page of the pane, one line kept */
		if (k->code == ']')
			tv->bytes_scroll += step; /* draw_bytes() stops it at the last page */
		else
			tv->bytes_scroll -= tv->bytes_scroll < step ? tv->bytes_scroll : step;
		return UI_HANDLED | UI_REDRAW;
	}
	case 'w': {
		char what[32];
		snprintf(what, sizeof what, "flow %u", l->flow);
		export_prompt(v->ui, v, &l->flow, 1, what);
		return UI_HANDLED | UI_REDRAW;
	}
	case UK_CLICK:
	case UK_DOUBLE_CLICK: {
		int row = k->y - v->rect.y - top_rows;
		if (row < 0 || row >= list_rows || tv->list.top + (size_t)row >= l->nrows)
			return UI_HANDLED;
		select_row(tv, tv->list.top + (size_t)row);
		return k->code == UK_DOUBLE_CLICK ? activate(tv, v->rect.h) : UI_HANDLED | UI_REDRAW;
	}
	}
	tv->list.count = l->nrows;
	int r = ui_list_key(&tv->list, k, list_rows, false);
	if (r != UI_IGNORED && l->nrows)
		select_row(tv, tv->list.sel);
	return r;
}

static void timeline_destroy(struct view *v)
{
	struct timeline_view *tv = timeline_of(v);
	ladder_free(&tv->ladder);
	free(tv->frame);
	free(tv);
}

static const struct view_ops timeline_ops = {
	.name = "Timeline",
	.hints = "n/N finding  Enter open  t time  r seq  g graph  ? help",
	.draw = timeline_draw,
	.key = timeline_key,
	.title = timeline_title,
	.update = timeline_update,
	.forget = timeline_forget,
	.destroy = timeline_destroy,
};

/* Selects a frame of this flow, opening its fold; false if it is not one of the flow's packets. */
static bool show_frame(struct timeline_view *tv, uint64_t frame)
{
	uint64_t index = model_find_frame(tv->v.ui->model, frame);
	if (index == UINT64_MAX || !tv->ladder.nrows ||
	    model_packet_at(tv->v.ui->model, index)->flow != tv->ladder.flow)
		return false;
	size_t row = ladder_reveal(&tv->ladder, index);
	tv->list.count = tv->ladder.nrows;
	select_row(tv, row);
	return true;
}

bool view_timeline_show(struct view *v, uint32_t flow, uint64_t frame)
{
	return v && v->ops == &timeline_ops && timeline_of(v)->ladder.flow == flow && show_frame(timeline_of(v), frame);
}

struct view *view_timeline_new(struct ui *ui, uint32_t flow, uint64_t frame)
{
	struct timeline_view *tv = xcalloc(1, sizeof *tv);
	tv->v.ops = &timeline_ops;
	tv->v.ui = ui;
	tv->pane = -1;
	tv->link = SIZE_MAX;
	ladder_init(&tv->ladder, ui->model, flow);
	sync_modes(tv);
	if (!frame || !show_frame(tv, frame))
		reselect(tv);
	return &tv->v;
}
