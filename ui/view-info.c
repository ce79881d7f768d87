/*
 * view-info.c - the capture at a glance (SPEC §6.5, key i): the file, its
 * link type and timestamp resolution, packet and flow counts, the time span,
 * findings by severity, and how loading went, including the memory the UI
 * keeps (32 bytes a packet). Live, the interface, the saved file, the
 * capture's state and its kernel drops replace the file and the loading,
 * and the memory part says what the limits dropped from memory.
 * The text is rebuilt whenever the model changes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem-alloc.h"
#include "ui.h"
#include "views.h"

struct info_view {
	struct view v;
	struct ui_text text;
	uint64_t generation;
};

static struct info_view *info_of(struct view *v)
{
	return (struct info_view *)v;
}

static void format_utc(char *buf, size_t len, int64_t ns, bool nano)
{
	time_t secs = (time_t)(ns / 1000000000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, len - n, nano ? ".%09ld UTC" : ".%06ld UTC",
		 (long)(nano ? ns % 1000000000 : ns % 1000000000 / 1000));
}

/* The head of a live capture's page: where packets come from and where they go. */
static void add_live_source(struct ui_text *t, const struct model *m, const struct ui_live *lv)
{
	ui_text_add(t, RA_NORMAL, "interface", "%s", m->source);
	ui_text_add(t, RA_NORMAL, "link type", "%s", m->linktype);
	if (lv->filter)
		ui_text_add(t, RA_NORMAL, "filter", "%s", lv->filter);
	if (lv->save_path)
		ui_text_add(t, RA_NORMAL, "saving to", "%s", lv->save_path);
	else
		ui_text_add(t, RA_NORMAL, "saving to",
			    "a temporary file (details are read back from it; gone at exit)");
	if (lv->link_down)
		ui_text_add(t, RA_ERROR, "state", "the interface is down: capture goes on when it comes back");
	else
		ui_text_add(t,
			    lv->capturing ? RA_NORMAL
			    : lv->failed  ? RA_ERROR
					  : RA_WARNING,
			    "state", "%s", lv->capturing ? "capturing" : "capture stopped");
	if (lv->paused)
		ui_text_add(t, RA_MESSAGE, "display", "paused (p resumes; capture goes on)");
}

/* Live: what the UI keeps in memory and what its limits dropped. */
static void add_live_limits(struct ui_text *t, const struct model *m)
{
	char a[64], b[64], c[64];
	render_format_count(a, sizeof a, m->npackets - m->packets_first);
	render_format_count(b, sizeof b, m->flows_len - m->flows_swept);
	if (m->limits.packets) {
		render_format_count(c, sizeof c, m->limits.packets);
		ui_text_add(t, RA_NORMAL, "in memory", "%s packets (the last %s at most: --ui-max-packets), %s flows",
			    a, c, b);
	} else {
		ui_text_add(t, RA_NORMAL, "in memory", "%s packets (every one: --ui-max-packets 0), %s flows", a, b);
	}
	render_format_count(a, sizeof a, m->packets_first);
	render_format_count(b, sizeof b, m->flows_dropped);
	if (m->limits.history)
		render_format_count(c, sizeof c, m->limits.history);
	else
		snprintf(c, sizeof c, "no limit");
	ui_text_add(t, RA_NORMAL, "dropped",
		    "%s packets, the oldest; %s closed flows, the first to close (--ui-max-history: %s)", a, b, c);
}

static void rebuild(struct info_view *iv)
{
	const struct model *m = iv->v.ui->model;
	const struct ui_live *lv = &iv->v.ui->live;
	const struct engine_stats *st = &m->stats;
	struct ui_text *t = &iv->text;
	char a[64], b[64], c[64];
	ui_text_clear(t);
	ui_text_add(t, RA_HEADER, NULL, "Capture");
	if (m->live) {
		add_live_source(t, m, lv);
	} else {
		render_format_bytes(a, sizeof a, m->file_size);
		ui_text_add(t, RA_NORMAL, "file", "%s (%s)", m->path, a);
		ui_text_add(t, RA_NORMAL, "link type", "%s", m->linktype);
		ui_text_add(t, RA_NORMAL, "timestamps", "%s", m->nanosecond ? "nanosecond" : "microsecond");
		if (m->filter)
			ui_text_add(t, RA_NORMAL, "filter", "%s", m->filter);
	}
	ui_text_add(t, RA_NORMAL, NULL, "%s", "");
	ui_text_add(t, RA_HEADER, NULL, "Contents");
	render_format_count(a, sizeof a, st->packets);
	render_format_count(b, sizeof b, st->tcp_packets);
	ui_text_add(t, RA_NORMAL, "packets", "%s, %s of them TCP", a, b);
	if (m->live) {
		render_format_count(a, sizeof a, lv->dropped);
		ui_text_add(t, lv->dropped ? RA_WARNING : RA_NORMAL, "dropped", "%s by the kernel", a);
	}
	render_format_count(a, sizeof a, st->decode_errors);
	ui_text_add(t, st->decode_errors ? RA_WARNING : RA_NORMAL, "decode errors", "%s", a);
	if (st->truncated)
		ui_text_add(t, RA_WARNING, "truncated", "the file ends inside a record");
	render_format_count(a, sizeof a, m->nflows);
	render_format_count(b, sizeof b, st->flows_evicted);
	if (m->live) {
		render_format_count(c, sizeof c, m->open_flows);
		ui_text_add(t, RA_NORMAL, "flows", "%s TCP flows, %s open (%s evicted: idle, or past --max-flows)", a,
			    c, b);
	} else {
		ui_text_add(t, RA_NORMAL, "flows", "%s TCP flows (%s evicted before the end)", a, b);
	}
	ui_text_add(t, RA_NORMAL, "findings", "%u errors, %u warnings, %u notes", m->severity[SEV_ERROR],
		    m->severity[SEV_WARNING], m->severity[SEV_NOTE]);
	if (st->packets) {
		format_utc(a, sizeof a, st->first_ns, m->nanosecond);
		format_utc(b, sizeof b, st->last_ns, m->nanosecond);
		render_format_duration(c, sizeof c, st->last_ns - st->first_ns);
		ui_text_add(t, RA_NORMAL, "first packet", "%s", a);
		ui_text_add(t, RA_NORMAL, "last packet", "%s", b);
		ui_text_add(t, RA_NORMAL, "time span", "%s", c);
	}
	ui_text_add(t, RA_NORMAL, NULL, "%s", "");
	if (m->live) {
		ui_text_add(t, RA_HEADER, NULL, "Memory");
		render_format_bytes(a, sizeof a, model_memory(m));
		ui_text_add(t, RA_NORMAL, "UI", "%s (%zu bytes a packet; details are read again from the file)", a,
			    sizeof(struct model_packet));
		add_live_limits(t, m);
		if (lv->memory) {
			render_format_bytes(a, sizeof a, lv->memory);
			ui_text_add(t, RA_NORMAL, "process", "%s resident", a);
		}
		iv->generation = m->generation;
		return;
	}
	ui_text_add(t, RA_HEADER, NULL, "Loading");
	if (m->loading)
		ui_text_add(t, RA_MESSAGE, "state", "%llu%% of the file read",
			    (unsigned long long)(m->file_size ? m->offset * 100 / m->file_size : 0));
	else
		ui_text_add(t, m->error[0] ? RA_ERROR : RA_NORMAL, "state", "%s", m->error[0] ? m->error : "complete");
	render_format_duration(a, sizeof a, m->load_ns);
	ui_text_add(t, RA_NORMAL, "time", "%s", a);
	render_format_bytes(a, sizeof a, model_memory(m));
	ui_text_add(t, RA_NORMAL, "UI memory", "%s (%zu bytes a packet; details are read again from the file)", a,
		    sizeof(struct model_packet));
	iv->generation = m->generation;
}

static int info_update(struct view *v)
{
	struct info_view *iv = info_of(v);
	if (iv->generation == v->ui->model->generation)
		return UI_IGNORED;
	rebuild(iv);
	return UI_REDRAW;
}

static void info_draw(struct view *v, struct render_canvas *c, const struct render_rect *r)
{
	struct render_rect inner = {.y = r->y + 1, .x = r->x, .h = r->h - 1, .w = r->w};
	ui_text_draw(&info_of(v)->text, c, &inner);
}

static int info_key(struct view *v, const struct ui_key *k)
{
	return ui_text_key(&info_of(v)->text, k, v->rect.h - 1);
}

static void info_destroy(struct view *v)
{
	struct info_view *iv = info_of(v);
	ui_text_clear(&iv->text);
	free(iv->text.lines);
	free(iv);
}

static const struct view_ops info_ops = {
	.name = "Capture",
	.hints = "q back  ? help",
	.draw = info_draw,
	.key = info_key,
	.update = info_update,
	.destroy = info_destroy,
};

struct view *view_info_new(struct ui *ui)
{
	struct info_view *iv = xcalloc(1, sizeof *iv);
	iv->v.ops = &info_ops;
	iv->v.ui = ui;
	rebuild(iv);
	return &iv->v;
}
