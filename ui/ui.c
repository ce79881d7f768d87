/*
 * ui.c - the view stack, key dispatch and the chrome around the top view
 * (ui.h). A key goes to the prompt if one is open, then to the top view, and
 * what the view ignores falls through to the keys every view shares: q and
 * Esc go back (q on the last view quits), ? help, i capture info, f findings,
 * : or # to go to a frame (ui_goto_frame) and, live, p to pause the display. Before a key, an update or a draw, the
 * views forget what the model dropped since they last looked.
 * The list and text helpers give every view the same scrolling keys.
 * Views are opened through ui->open (struct ui_open, filled by views.c), so
 * this file, below every view, never names one.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem-alloc.h"
#include "ui.h"

void ui_init(struct ui *ui, struct model *m, bool ascii)
{
	memset(ui, 0, sizeof *ui);
	ui->model = m;
	ui->ascii = ascii;
}

static struct view *ui_top(const struct ui *ui)
{
	return ui->depth ? ui->stack[ui->depth - 1] : NULL;
}

static void pop(struct ui *ui)
{
	struct view *v = ui->stack[--ui->depth];
	if (ui->prompt.active && ui->prompt.owner == v)
		ui->prompt.active = false;
	v->ops->destroy(v);
	/* The view below may have missed model changes while covered. */
	struct view *top = ui_top(ui);
	if (top && top->ops->update)
		top->ops->update(top);
}

void ui_free(struct ui *ui)
{
	while (ui->depth > 0)
		pop(ui);
	free(ui->export_ids);
	ui->export_ids = NULL;
}

void ui_push(struct ui *ui, struct view *v)
{
	if (ui->depth == UI_MAX_DEPTH) {
		/* Deep chains (flows > timeline > graph > help ...) drop the oldest above the start view. */
		struct view *old = ui->stack[1];
		memmove(&ui->stack[1], &ui->stack[2], (size_t)(UI_MAX_DEPTH - 2) * sizeof ui->stack[0]);
		ui->depth--;
		old->ops->destroy(old);
	}
	ui->stack[ui->depth++] = v;
}

/* Live: every open view lets go of the packets, flows and findings the model dropped. */
static void forget_dropped(struct ui *ui)
{
	if (ui->drops_seen == ui->model->drops)
		return;
	ui->drops_seen = ui->model->drops;
	for (int i = 0; i < ui->depth; i++)
		if (ui->stack[i]->ops->forget)
			ui->stack[i]->ops->forget(ui->stack[i]);
}

void ui_message(struct ui *ui, uint8_t attr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof ui->message, fmt, ap);
	va_end(ap);
	ui->message_attr = attr;
	ui->message_ns = model_now_ns();
}

bool ui_message_expire(struct ui *ui, int64_t age_ns)
{
	if (!ui->message[0] || model_now_ns() - ui->message_ns < age_ns)
		return false;
	ui->message[0] = '\0';
	return true;
}

void ui_prompt_start(struct ui *ui, struct view *owner, const char *label, const char *initial,
		     void (*done)(struct view *owner, const char *text, bool accepted))
{
	struct ui_prompt *p = &ui->prompt;
	p->active = true;
	snprintf(p->label, sizeof p->label, "%s", label);
	snprintf(p->text, sizeof p->text, "%s", initial ? initial : "");
	p->len = strlen(p->text);
	p->owner = owner;
	p->done = done;
	p->error[0] = '\0';
}

void ui_prompt_error(struct ui *ui, unsigned col, const char *fmt, ...)
{
	struct ui_prompt *p = &ui->prompt;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof p->error, fmt, ap);
	va_end(ap);
	p->error_col = col;
	p->active = true;
}

/* Appends a character to the prompt as UTF-8. */
static void prompt_insert(struct ui_prompt *p, int ch)
{
	char buf[4];
	size_t n;
	if (ch < 0x80) {
		buf[0] = (char)ch;
		n = 1;
	} else if (ch < 0x800) {
		buf[0] = (char)(0xc0 | ch >> 6);
		buf[1] = (char)(0x80 | (ch & 0x3f));
		n = 2;
	} else {
		buf[0] = (char)(0xe0 | ch >> 12);
		buf[1] = (char)(0x80 | (ch >> 6 & 0x3f));
		buf[2] = (char)(0x80 | (ch & 0x3f));
		n = 3;
	}
	if (p->len + n < sizeof p->text) {
		memcpy(p->text + p->len, buf, n);
		p->len += n;
		p->text[p->len] = '\0';
	}
}

static int prompt_key(struct ui *ui, const struct ui_key *k)
{
	struct ui_prompt *p = &ui->prompt;
	p->error[0] = '\0';
	if (k->code == UK_ENTER || k->code == UK_ESC) {
		p->active = false;
		p->done(p->owner, p->text, k->code == UK_ENTER);
	} else if (k->code == UK_BACKSPACE) {
		while (p->len > 0 && ((unsigned char)p->text[p->len - 1] & 0xc0) == 0x80)
			p->len--;
		if (p->len > 0)
			p->len--;
		p->text[p->len] = '\0';
	} else if (k->code == 0x15) { /* Ctrl-U */
		p->len = 0;
		p->text[0] = '\0';
	} else if (k->code >= 0x20 && k->code < 0x110000 && k->code != 0x7f) {
		prompt_insert(p, k->code);
	}
	return UI_HANDLED | UI_REDRAW;
}

bool ui_goto_frame(struct ui *ui, uint64_t frame)
{
	const struct model *m = ui->model;
	uint64_t index = model_find_frame(m, frame);
	if (index == UINT64_MAX) {
		unsigned long long n = (unsigned long long)frame, frames = (unsigned long long)m->stats.packets;
		if (frame == 0 || frame > m->stats.packets)
			ui_message(ui, RA_MESSAGE,
				   m->loading ? "Frame %llu is not loaded yet (%llu frames so far)."
					      : "There is no frame %llu: the capture has %llu frames.",
				   n, frames);
		else if (frame <= m->dropped_frame)
			ui_message(ui, RA_MESSAGE, "Frame %llu was dropped from memory.", n);
		else
			ui_message(ui, RA_MESSAGE, "Frame %llu is not a TCP packet.", n);
		return false;
	}
	uint32_t flow = model_packet_at(m, index)->flow;
	if (!ui->open->timeline_show(ui_top(ui), flow, frame))
		ui_push(ui, ui->open->timeline(ui, flow, frame));
	return true;
}

size_t ui_pick_link(struct ui *ui, const struct frame_link *links, size_t n, size_t current, int dir)
{
	size_t next = current >= n ? (dir > 0 ? 0 : n - 1) : (current + n + (size_t)(dir > 0 ? 1 : n - 1)) % n;
	ui_message(ui, RA_MESSAGE, "Enter goes to frame %llu (%zu of %zu named; Tab the next).",
		   (unsigned long long)links[next].frame, next + 1, n);
	return next;
}

static void goto_done(struct view *owner, const char *text, bool accepted)
{
	const char *digits = text + strspn(text, " #");
	if (!accepted || !digits[0])
		return;
	if (strspn(digits, "0123456789") != strlen(digits)) {
		ui_message(owner->ui, RA_ERROR, "Not a frame number: \"%s\".", text);
		return;
	}
	ui_goto_frame(owner->ui, strtoull(digits, NULL, 10));
}

static bool top_is(const struct ui *ui, const char *name)
{
	const struct view *v = ui_top(ui);
	return v && strcmp(v->ops->name, name) == 0;
}

int ui_key(struct ui *ui, const struct ui_key *k)
{
	forget_dropped(ui);
	if (ui->prompt.active)
		return prompt_key(ui, k);
	bool had_message = ui->message[0] != '\0';
	ui->message[0] = '\0';
	struct view *v = ui_top(ui);
	int r = v ? v->ops->key(v, k) : UI_IGNORED;
	if (r == UI_IGNORED) {
		switch (k->code) {
		case 'q':
			r = ui->depth > 1 ? UI_BACK : UI_QUIT;
			break;
		case UK_ESC:
			r = ui->depth > 1 ? UI_BACK : UI_HANDLED;
			break;
		case 'Q':
			r = UI_QUIT;
			break;
		case '?':
			if (!top_is(ui, "Help"))
				ui_push(ui, ui->open->help(ui));
			r = UI_REDRAW;
			break;
		case 'i':
			if (!top_is(ui, "Capture"))
				ui_push(ui, ui->open->info(ui));
			r = UI_REDRAW;
			break;
		case 'f':
			if (!top_is(ui, "Findings"))
				ui_push(ui, ui->open->findings(ui));
			r = UI_REDRAW;
			break;
		case ':':
		case '#':
			if (v)
				ui_prompt_start(ui, v, "go to frame", "", goto_done);
			r = UI_HANDLED | UI_REDRAW;
			break;
		case 'p':
			if (ui->live.on) {
				ui->live.paused = !ui->live.paused;
				r = UI_HANDLED | UI_REDRAW;
			}
			break;
		case UK_REDRAW:
			r = UI_REDRAW;
			break;
		}
	}
	if (r & UI_BACK) {
		pop(ui);
		r = (r & ~UI_BACK) | UI_REDRAW;
	}
	if (had_message)
		r |= UI_REDRAW;
	return r;
}

int ui_update(struct ui *ui)
{
	forget_dropped(ui);
	struct view *v = ui_top(ui);
	return v && v->ops->update ? v->ops->update(v) : UI_IGNORED;
}

static void draw_too_small(struct render_canvas *c)
{
	char size[96];
	snprintf(size, sizeof size, "%dx%d: needs at least %dx%d", c->width, c->height, UI_MIN_WIDTH, UI_MIN_HEIGHT);
	const char *lines[] = {"Terminal too small", size, "Enlarge it or press q to quit"};
	int y = c->height / 2 - 2;
	if (y < 0)
		y = 0;
	for (size_t i = 0; i < sizeof lines / sizeof lines[0] && y < c->height; i++) {
		uint8_t attr = i == 0 ? RA_ERROR : RA_NORMAL;
		int w = render_width(lines[i]);
		if (w <= c->width)
			render_text(c, y++, (c->width - w) / 2, w, attr, lines[i]);
		else
			y += render_wrap(c, y, 0, c->width, c->height - y, attr, lines[i]);
	}
}

static void draw_title(struct ui *ui, struct render_canvas *c)
{
	struct view *v = ui_top(ui);
	char title[160] = "";
	if (v && v->ops->title)
		v->ops->title(v, title, sizeof title);
	else if (v)
		snprintf(title, sizeof title, "%s", v->ops->name);
	render_fill(c, 0, 0, c->width, RA_TITLE, " ");
	int x = render_textf(c, 0, 0, c->width, RA_TITLE, " tcpscope %s %s", c->g->bullet, title);
	const char *hints = v ? v->ops->hints : NULL;
	if (hints) {
		int w = render_width(hints);
		if (x + 2 + w + 1 <= c->width)
			render_text(c, 0, c->width - w - 1, w, RA_TITLE, hints);
	}
}

/*
 * The status bar of a live capture, most important first (the end is cut on
 * a narrow terminal): PAUSED, the interface, its rate or why capture waits
 * or stopped, kernel drops, flows, findings by severity, memory, and what
 * the limits dropped from memory.
 *   PAUSED  eth0 │ 1 204 pkt/s │ 0 dropped │ 17 flows, 3 active │ ✖ 0  ▲ 1  ● 2 │ 9.8 MB (dropped: 5 000 pkts)
 */
static void draw_live_status(struct ui *ui, struct render_canvas *c, int y)
{
	const struct ui_live *lv = &ui->live;
	const struct model *m = ui->model;
	const char *bar = c->g->vline;
	int x = 0, w = c->width;
	if (lv->paused)
		x += render_text(c, y, x, w - x, RA_MESSAGE, " PAUSED ");
	x += render_textf(c, y, x, w - x, RA_STATUS, " %s %s ", m->source, bar);
	char a[32], b[32];
	if (lv->link_down) {
		x += render_text(c, y, x, w - x, RA_ERROR, "link down");
	} else if (!lv->capturing) {
		x += render_text(c, y, x, w - x, lv->failed ? RA_ERROR : RA_WARNING, "capture stopped");
	} else {
		render_format_count(a, sizeof a, (uint64_t)(lv->packets_per_sec + 0.5));
		x += render_textf(c, y, x, w - x, RA_STATUS, "%s pkt/s", a);
	}
	render_format_count(a, sizeof a, lv->dropped);
	x += render_textf(c, y, x, w - x, RA_STATUS, " %s ", bar);
	x += render_textf(c, y, x, w - x, lv->dropped ? RA_WARNING : RA_STATUS, "%s dropped", a);
	render_format_count(a, sizeof a, lv->flows_total);
	render_format_count(b, sizeof b, lv->flows_active);
	x += render_textf(c, y, x, w - x, RA_STATUS, " %s %s flow%s, %s active %s ", bar, a,
			  lv->flows_total == 1 ? "" : "s", b, bar);
	static const uint8_t attrs[3] = {RA_NOTE, RA_WARNING, RA_ERROR};
	for (int sev = SEV_ERROR; sev >= SEV_NOTE; sev--)
		x += render_textf(c, y, x, w - x, m->severity[sev] ? attrs[sev] : RA_STATUS, "%s %u%s",
				  c->g->severity[sev], m->severity[sev], sev > SEV_NOTE ? "  " : "");
	if (lv->memory) {
		render_format_bytes(a, sizeof a, lv->memory);
		x += render_textf(c, y, x, w - x, RA_STATUS, " %s %s", bar, a);
	}
	/* What the limits dropped from memory, beside the memory they keep. */
	if (lv->packets_dropped || lv->flows_dropped) {
		char what[96] = "";
		render_format_count(a, sizeof a, lv->packets_dropped);
		render_format_count(b, sizeof b, lv->flows_dropped);
		if (lv->packets_dropped)
			snprintf(what, sizeof what, "%s pkt%s%s", a, lv->packets_dropped == 1 ? "" : "s",
				 lv->flows_dropped ? ", " : "");
		if (lv->flows_dropped)
			snprintf(what + strlen(what), sizeof what - strlen(what), "%s flow%s", b,
				 lv->flows_dropped == 1 ? "" : "s");
		if (lv->memory)
			render_textf(c, y, x, w - x, RA_STATUS, " (dropped: %s)", what);
		else
			render_textf(c, y, x, w - x, RA_STATUS, " %s dropped from memory: %s", bar, what);
	}
}

/* The prompt and its cursor; a text too long for the bar shows its end, where the typing is. */
/*
 * The prompt on line y, or on the line above when it has a problem to show
 * under it. A text too long for the line shows its end, after an ellipsis.
 */
static void draw_prompt(const struct ui_prompt *p, struct render_canvas *c, int y)
{
	int line = p->error[0] ? y - 1 : y;
	int x = render_textf(c, line, 0, c->width, RA_MESSAGE, " %s: ", p->label);
	const char *text = p->text;
	int room = c->width - x - 1; /* the cursor's cell */
	if (render_width(text) > room) {
		x += render_text(c, line, x, room, RA_MESSAGE, c->g->ellipsis);
		room -= render_width(c->g->ellipsis);
		while (*text && render_width(text) > room)
			do
				text++;
			while (((unsigned char)*text & 0xc0) == 0x80);
	}
	int start = x;
	x += render_text(c, line, x, room, RA_MESSAGE, text);
	render_fill(c, line, x, 1, RA_MESSAGE | RA_SELECTED, " ");
	if (!p->error[0])
		return;
	/* The problem under the prompt, a caret under its column when it has one (and it shows). */
	size_t shown_from = (size_t)(text - p->text);
	if (p->error_col && p->error_col - 1 >= shown_from) {
		char before[sizeof p->text];
		snprintf(before, sizeof before, "%.*s", (int)(p->error_col - 1 - shown_from), text);
		int at = start + render_width(before);
		render_textf(c, y, at, c->width - at, RA_ERROR, "^ %s", p->error);
	} else {
		render_textf(c, y, 1, c->width - 1, RA_ERROR, "%s", p->error);
	}
}

static void draw_status(struct ui *ui, struct render_canvas *c)
{
	const struct model *m = ui->model;
	int y = c->height - 1;
	render_fill(c, y, 0, c->width, RA_STATUS, " ");
	if (ui->prompt.active) {
		draw_prompt(&ui->prompt, c, y);
		return;
	}
	if (ui->live.on) {
		/* A message (a link notice, a stop) takes the bar for a while; PAUSED always shows. */
		if (ui->message[0]) {
			int x = ui->live.paused ? render_text(c, y, 0, c->width, RA_MESSAGE, " PAUSED ") : 0;
			render_textf(c, y, x, c->width - x, ui->message_attr, " %s", ui->message);
		} else {
			draw_live_status(ui, c, y);
		}
		return;
	}
	int right = c->width;
	if (m->loading) {
		/* Bytes read of the file size: a bar, then the percentage. */
		int bar = 20;
		double frac = m->file_size ? (double)m->offset / (double)m->file_size : 0;
		if (frac > 1)
			frac = 1;
		int filled = (int)(frac * bar + 0.5);
		char pct[16];
		snprintf(pct, sizeof pct, " %3d%% ", (int)(frac * 100));
		right = c->width - bar - render_width(pct) - 9;
		int x = right;
		x += render_text(c, y, x, 9, RA_STATUS, " loading ");
		render_fill(c, y, x, filled, RA_PROGRESS, c->g->bar_full);
		render_fill(c, y, x + filled, bar - filled, RA_STATUS, c->g->bar_empty);
		render_text(c, y, x + bar, c->width - x - bar, RA_STATUS, pct);
	}
	if (ui->message[0]) {
		render_textf(c, y, 0, right, ui->message_attr, " %s", ui->message);
		return;
	}
	const char *base = strrchr(m->path, '/');
	char packets[32], flows[32];
	render_format_count(packets, sizeof packets, m->stats.packets);
	render_format_count(flows, sizeof flows, m->nflows);
	int x = render_textf(c, y, 0, right, RA_STATUS, " %s %s %s packets %s %s flow%s %s ", base ? base + 1 : m->path,
			     c->g->vline, packets, c->g->vline, flows, m->nflows == 1 ? "" : "s", c->g->vline);
	static const char *const names[3] = {"note", "warning", "error"};
	static const uint8_t attrs[3] = {RA_NOTE, RA_WARNING, RA_ERROR};
	for (int sev = SEV_ERROR; sev >= SEV_NOTE; sev--) {
		if (x >= right)
			break;
		uint32_t n = m->severity[sev];
		x += render_textf(c, y, x, right - x, n ? attrs[sev] : RA_STATUS, "%u %s%s", n, names[sev],
				  n == 1 ? "" : "s");
		if (sev > SEV_NOTE && x < right)
			x += render_text(c, y, x, right - x, RA_STATUS, "  ");
	}
	if (m->error[0] && x + 3 < right)
		render_textf(c, y, x, right - x, RA_ERROR, "  %s", m->error);
}

void ui_draw(struct ui *ui, struct render_canvas *c)
{
	forget_dropped(ui);
	render_clear(c);
	if (c->width < UI_MIN_WIDTH || c->height < UI_MIN_HEIGHT) {
		draw_too_small(c);
		return;
	}
	draw_title(ui, c);
	struct view *v = ui_top(ui);
	if (v) {
		/* A prompt showing an error takes a second line at the bottom. */
		int bottom = ui->prompt.active && ui->prompt.error[0] ? 3 : 2;
		struct render_rect r = {.y = 1, .x = 0, .h = c->height - bottom, .w = c->width};
		v->rect = r;
		v->ops->draw(v, c, &r);
	}
	draw_status(ui, c);
}

const char *ui_short_state(enum tcp_state s)
{
	switch (s) {
	case TCPS_SYN_RECEIVED:
		return "SYN-RECV";
	case TCPS_ESTABLISHED:
		return "ESTAB";
	default:
		return tcp_state_name(s);
	}
}

int ui_list_key(struct ui_list *l, const struct ui_key *k, int page, bool vi_g)
{
	size_t step = page > 1 ? (size_t)page - 1 : 1;
	switch (k->code) {
	case 'j':
	case UK_DOWN:
		l->sel++;
		break;
	case 'k':
	case UK_UP:
		if (l->sel > 0)
			l->sel--;
		break;
	case UK_PGDN:
	case ' ':
		l->sel += step;
		if (l->top + step < l->count)
			l->top += step;
		break;
	case UK_PGUP:
	case 'b':
		l->sel = l->sel > step ? l->sel - step : 0;
		l->top = l->top > step ? l->top - step : 0;
		break;
	case 'g':
		if (!vi_g)
			return UI_IGNORED;
		l->sel = 0;
		break;
	case UK_HOME:
	case '<':
		l->sel = 0;
		break;
	case 'G':
	case UK_END:
	case '>':
		l->sel = l->count ? l->count - 1 : 0;
		break;
	case UK_WHEEL_DOWN:
		l->sel += 3;
		l->top += 3;
		break;
	case UK_WHEEL_UP:
		l->sel = l->sel > 3 ? l->sel - 3 : 0;
		l->top = l->top > 3 ? l->top - 3 : 0;
		break;
	default:
		return UI_IGNORED;
	}
	ui_list_fit(l, page);
	return UI_HANDLED | UI_REDRAW;
}

void ui_list_fit(struct ui_list *l, int page)
{
	size_t p = page > 0 ? (size_t)page : 1;
	if (l->count == 0) {
		l->sel = l->top = 0;
		return;
	}
	if (l->sel >= l->count)
		l->sel = l->count - 1;
	if (l->top + p > l->count)
		l->top = l->count > p ? l->count - p : 0;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + p)
		l->top = l->sel - p + 1;
}

void ui_text_add(struct ui_text *t, uint8_t attr, const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	t->lines = xgrow(t->lines, &t->cap, t->n + 1, sizeof *t->lines);
	struct ui_text_line *l = &t->lines[t->n++];
	l->attr = attr;
	l->key = key ? xstrdup(key) : NULL;
	l->text = xstrdup(buf);
	if (key && render_width(key) + 2 > t->key_width)
		t->key_width = render_width(key) + 2;
}

void ui_text_clear(struct ui_text *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->lines[i].key);
		free(t->lines[i].text);
	}
	t->n = 0;
	t->key_width = 0;
}

void ui_text_draw(const struct ui_text *t, struct render_canvas *c, const struct render_rect *r)
{
	for (int row = 0; row < r->h && t->top + (size_t)row < t->n; row++) {
		const struct ui_text_line *l = &t->lines[t->top + (size_t)row];
		int x = r->x + 2;
		if (l->key) {
			render_text(c, r->y + row, x, t->key_width, RA_KEY, l->key);
			x += t->key_width;
		}
		render_text(c, r->y + row, x, r->x + r->w - x, l->attr, l->text);
	}
}

int ui_text_key(struct ui_text *t, const struct ui_key *k, int page)
{
	size_t max_top = t->n > (size_t)page ? t->n - (size_t)page : 0;
	size_t step = page > 1 ? (size_t)page - 1 : 1;
	switch (k->code) {
	case 'j':
	case UK_DOWN:
		t->top++;
		break;
	case 'k':
	case UK_UP:
		t->top = t->top ? t->top - 1 : 0;
		break;
	case UK_PGDN:
	case ' ':
		t->top += step;
		break;
	case UK_PGUP:
	case 'b':
		t->top = t->top > step ? t->top - step : 0;
		break;
	case UK_WHEEL_DOWN:
		t->top += 3;
		break;
	case UK_WHEEL_UP:
		t->top = t->top > 3 ? t->top - 3 : 0;
		break;
	case 'g':
	case UK_HOME:
	case '<':
		t->top = 0;
		break;
	case 'G':
	case UK_END:
	case '>':
		t->top = max_top;
		break;
	default:
		return UI_IGNORED;
	}
	if (t->top > max_top)
		t->top = max_top;
	return UI_HANDLED | UI_REDRAW;
}
