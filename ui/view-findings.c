/*
 * view-findings.c - every finding of the capture, grouped by code with a
 * count per group, errors first (SPEC §6.4). Enter on a group folds or opens
 * it; Enter on a finding opens its flow's timeline on that packet. Frames a
 * finding's message names are links: Tab (Shift-Tab) picks one on the
 * selected finding, shown in RA_LINK, and Enter then goes to that frame.
 *
 * Rows are (code, finding index) pairs rebuilt from the model by a counting
 * sort whenever findings arrive, or go (live: findings on packets dropped
 * from memory go with them, and the oldest past the model's limit; the
 * title counts every finding made); the selection is restored by that pair.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame-links.h"
#include "mem-alloc.h"
#include "ui.h"
#include "views.h"

/* Above this many findings the groups start folded. */
#define OPEN_LIMIT 500

struct frow {
	enum finding_id id;
	size_t finding; /* SIZE_MAX: the group's heading */
};

struct findings_view {
	struct view v;
	struct frow *rows;
	size_t rows_cap;
	struct ui_list list;
	struct frow selected;
	size_t link; /* the link of the selected finding's message Tab picked; SIZE_MAX: none */
	size_t count[F_COUNT];
	bool closed[F_COUNT]; /* groups folded by the user (or by default) */
	bool defaults_set;
	uint64_t generation;
	size_t findings_first; /* the model's first finding at the last rebuild */
	int64_t rebuilt_ns;
};

static struct findings_view *findings_of(struct view *v)
{
	return (struct findings_view *)v;
}

static int compare_ids(const void *a, const void *b)
{
	enum finding_id x = *(const enum finding_id *)a, y = *(const enum finding_id *)b;
	const struct catalogue_entry *cx = finding_info(x), *cy = finding_info(y);
	if (cx->severity != cy->severity)
		return (int)cy->severity - (int)cx->severity;
	return strcmp(cx->code, cy->code);
}

static void rebuild(struct findings_view *fv)
{
	const struct model *m = fv->v.ui->model;
	size_t *count = fv->count, kept = m->nfindings - m->findings_first;
	memset(fv->count, 0, sizeof fv->count);
	for (size_t i = m->findings_first; i < m->nfindings; i++)
		count[model_finding_at(m, i)->id]++;
	if (!fv->defaults_set && kept) {
		for (int id = 0; id < F_COUNT; id++)
			fv->closed[id] = kept > OPEN_LIMIT;
		fv->defaults_set = true;
	}
	enum finding_id order[F_COUNT];
	size_t ngroups = 0;
	for (int id = 1; id < F_COUNT; id++)
		if (count[id])
			order[ngroups++] = (enum finding_id)id;
	qsort(order, ngroups, sizeof order[0], compare_ids);
	/* Where each group's findings start among the rows. */
	size_t start[F_COUNT] = {0}, nrows = 0;
	for (size_t g = 0; g < ngroups; g++) {
		enum finding_id id = order[g];
		start[id] = nrows + 1;
		nrows += 1 + (fv->closed[id] ? 0 : count[id]);
	}
	fv->rows = xgrow(fv->rows, &fv->rows_cap, nrows + 1, sizeof *fv->rows);
	for (size_t g = 0; g < ngroups; g++)
		fv->rows[start[order[g]] - 1] = (struct frow){order[g], SIZE_MAX};
	for (size_t i = m->findings_first; i < m->nfindings; i++) {
		enum finding_id id = model_finding_at(m, i)->id;
		if (!fv->closed[id])
			fv->rows[start[id]++] = (struct frow){id, i};
	}
	fv->list.count = nrows;
	for (size_t i = 0; i < nrows; i++) {
		if (fv->rows[i].id == fv->selected.id && fv->rows[i].finding == fv->selected.finding) {
			fv->list.sel = i;
			break;
		}
	}
	if (fv->list.sel >= nrows)
		fv->list.sel = nrows ? nrows - 1 : 0;
	if (nrows &&
	    (fv->rows[fv->list.sel].id != fv->selected.id || fv->rows[fv->list.sel].finding != fv->selected.finding)) {
		fv->selected = fv->rows[fv->list.sel];
		fv->link = SIZE_MAX;
	}
	fv->generation = m->generation;
	fv->findings_first = m->findings_first;
	fv->rebuilt_ns = model_now_ns();
}

static int findings_update(struct view *v)
{
	struct findings_view *fv = findings_of(v);
	const struct model *m = v->ui->model;
	if (fv->generation == m->generation)
		return UI_IGNORED;
	if ((m->loading || m->live) && m->nfindings - m->findings_first > 100000 &&
	    model_now_ns() - fv->rebuilt_ns < 1000000000)
		return UI_IGNORED;
	rebuild(fv);
	return UI_REDRAW;
}

static void findings_forget(struct view *v)
{
	struct findings_view *fv = findings_of(v);
	if (fv->findings_first != v->ui->model->findings_first)
		rebuild(fv);
}

static const uint8_t severity_attr[3] = {RA_NOTE, RA_WARNING, RA_ERROR};

static void draw_row(struct findings_view *fv, struct render_canvas *c, int y, int x, int w, const struct frow *row)
{
	const struct model *m = fv->v.ui->model;
	const struct catalogue_entry *ce = finding_info(row->id);
	if (row->finding == SIZE_MAX) {
		char count[32];
		render_format_count(count, sizeof count, fv->count[row->id]);
		int k = render_textf(c, y, x, w, severity_attr[ce->severity], "%s %s %-8s %s",
				     fv->closed[row->id] ? "+" : "-", c->g->severity[ce->severity],
				     severity_name(ce->severity), ce->code);
		k += render_textf(c, y, x + k, w - k, RA_NORMAL, "  %s", count);
		render_textf(c, y, x + k, w - k, RA_DIM, "  %s", ce->title);
		return;
	}
	const struct model_finding *f = model_finding_at(m, row->finding);
	char where[64];
	if (f->frame)
		snprintf(where, sizeof where, "frame %llu", (unsigned long long)f->frame);
	else
		snprintf(where, sizeof where, "capture");
	int k = render_textf(c, y, x + 4, w - 4, RA_NORMAL, "%-13s", where);
	if (f->flow)
		k += render_textf(c, y, x + 4 + k, w - 4 - k, RA_DIM, "flow %-6u", f->flow);
	else
		k += render_text(c, y, x + 4 + k, w - 4 - k, RA_DIM, "          ");
	const char *message = model_finding_message(m, f);
	render_textf(c, y, x + 4 + k, w - 4 - k, RA_NORMAL, " %s", message);
	struct frame_link links[FRAME_LINKS_MAX];
	size_t n = frame_links_find(message, links, FRAME_LINKS_MAX);
	bool selected = row->id == fv->selected.id && row->finding == fv->selected.finding;
	if (selected && fv->link < n)
		render_mark_span(c, y, x + 5 + k, w - 5 - k, message, links[fv->link].at, links[fv->link].len, RA_LINK);
}

static void findings_draw(struct view *v, struct render_canvas *c, const struct render_rect *r)
{
	struct findings_view *fv = findings_of(v);
	const struct model *m = v->ui->model;
	ui_list_fit(&fv->list, r->h);
	if (fv->list.count == 0) {
		render_text(c, r->y + 1, r->x + 2, r->w - 2, RA_DIM,
			    m->loading		? "Loading: no finding yet."
			    : m->findings_first ? "Every finding so far was dropped from memory."
			    : m->live		? "Capturing: no finding yet."
						: "No findings: nothing to report in this capture.");
		return;
	}
	for (int i = 0; i < r->h && fv->list.top + (size_t)i < fv->list.count; i++) {
		size_t row = fv->list.top + (size_t)i;
		draw_row(fv, c, r->y + i, r->x + 1, r->w - 1, &fv->rows[row]);
		if (row == fv->list.sel)
			render_select(c, r->y + i, r->x, r->w);
	}
}

static void findings_title(struct view *v, char *buf, size_t len)
{
	const struct model *m = v->ui->model;
	int n = snprintf(buf, len, "Findings: %u errors, %u warnings, %u notes", m->severity[SEV_ERROR],
			 m->severity[SEV_WARNING], m->severity[SEV_NOTE]);
	if (m->findings_first && n >= 0 && (size_t)n < len) {
		char count[32];
		render_format_count(count, sizeof count, m->findings_first);
		snprintf(buf + n, len - (size_t)n, " (%s earlier dropped from memory)", count);
	}
}

/* The links of the selected finding's message; 0 on a heading. */
static size_t selected_links(const struct findings_view *fv, struct frame_link *links)
{
	if (fv->list.count == 0 || fv->selected.finding == SIZE_MAX)
		return 0;
	const struct model *m = fv->v.ui->model;
	return frame_links_find(model_finding_message(m, model_finding_at(m, fv->selected.finding)), links,
				FRAME_LINKS_MAX);
}

/* Tab, Shift-Tab: picks the next (dir 1) or previous (-1) frame the selected finding names. */
static int pick_link(struct findings_view *fv, int dir)
{
	struct frame_link links[FRAME_LINKS_MAX];
	size_t n = selected_links(fv, links);
	if (n == 0) {
		ui_message(fv->v.ui, RA_MESSAGE, "%s",
			   fv->selected.finding == SIZE_MAX ? "Select a finding first."
							    : "This message names no frame.");
		return UI_HANDLED | UI_REDRAW;
	}
	fv->link = ui_pick_link(fv->v.ui, links, n, fv->link, dir);
	return UI_HANDLED | UI_REDRAW;
}

static int activate(struct findings_view *fv)
{
	if (fv->list.count == 0)
		return UI_HANDLED;
	struct frow row = fv->rows[fv->list.sel];
	if (row.finding == SIZE_MAX) {
		fv->closed[row.id] = !fv->closed[row.id];
		rebuild(fv);
		return UI_HANDLED | UI_REDRAW;
	}
	struct frame_link links[FRAME_LINKS_MAX];
	if (fv->link < selected_links(fv, links)) {
		ui_goto_frame(fv->v.ui, links[fv->link].frame);
		return UI_HANDLED | UI_REDRAW;
	}
	const struct model_finding *f = model_finding_at(fv->v.ui->model, row.finding);
	if (!f->flow) {
		ui_message(fv->v.ui, RA_MESSAGE, "This finding is about the capture, not a flow.");
		return UI_HANDLED | UI_REDRAW;
	}
	ui_push(fv->v.ui, fv->v.ui->open->timeline(fv->v.ui, f->flow, f->frame));
	return UI_HANDLED | UI_REDRAW;
}

static int findings_key(struct view *v, const struct ui_key *k)
{
	struct findings_view *fv = findings_of(v);
	switch (k->code) {
	case UK_ENTER:
	case UK_RIGHT:
	case 'l':
		return activate(fv);
	case UK_TAB:
	case UK_BACKTAB:
		return pick_link(fv, k->code == UK_TAB ? 1 : -1);
	case UK_CLICK:
	case UK_DOUBLE_CLICK: {
		int row = k->y - v->rect.y;
		if (row < 0 || fv->list.top + (size_t)row >= fv->list.count)
			return UI_HANDLED;
		fv->list.sel = fv->list.top + (size_t)row;
		fv->selected = fv->rows[fv->list.sel];
		fv->link = SIZE_MAX;
		return k->code == UK_DOUBLE_CLICK ? activate(fv) : UI_HANDLED | UI_REDRAW;
	}
	}
	int r = ui_list_key(&fv->list, k, v->rect.h, true);
	if (r != UI_IGNORED && fv->list.count) {
		fv->selected = fv->rows[fv->list.sel];
		fv->link = SIZE_MAX;
	}
	return r;
}

static void findings_destroy(struct view *v)
{
	struct findings_view *fv = findings_of(v);
	free(fv->rows);
	free(fv);
}

static const struct view_ops findings_ops = {
	.name = "Findings",
	.hints = "Enter open/fold  Tab frame named  q back  ? help",
	.draw = findings_draw,
	.key = findings_key,
	.title = findings_title,
	.update = findings_update,
	.forget = findings_forget,
	.destroy = findings_destroy,
};

struct view *view_findings_new(struct ui *ui)
{
	struct findings_view *fv = xcalloc(1, sizeof *fv);
	fv->v.ops = &findings_ops;
	fv->v.ui = ui;
	fv->selected.finding = SIZE_MAX;
	fv->link = SIZE_MAX;
	rebuild(fv);
	return &fv->v;
}
