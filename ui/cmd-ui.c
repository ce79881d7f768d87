/*
 * cmd-ui.c - `tcpscope FILE` on a terminal: the interactive UI over a file.
 *
 * Decides colour (--color, NO_COLOR) and character set (--ascii, or a locale
 * that is not UTF-8), opens the model and the terminal, pushes the flows view
 * and hands everything to the program's one poll() loop (loop.h) through
 * three sources:
 *
 *   keyboard   stdin: keys go to the views; the screen is redrawn at once;
 *   work pipe  a pipe that holds one byte, and so stays readable, while there
 *              is background work: the model loading the file a slice
 *              (LOAD_SLICE_NS) at a time, or a view reading details (the
 *              graph). Each wake-up does one slice, so a key never waits
 *              longer than a slice;
 *   tick       every FRAME_MS: views catch up with the model and the screen
 *              is redrawn if anything changed (at most ~10 times a second
 *              while loading), and pending input such as a resize is read.
 *
 * The first frame is drawn before any packet is read, so the screen shows at
 * once and the progress bar fills as the file loads. Errors before the
 * terminal is taken are printed as usual (exit 2).
 */
#include "config.h"

#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "loop.h"
#include "model.h"
#include "term.h"
#include "ui.h"
#include "views.h"

#define FRAME_MS 100
#define LOAD_SLICE_NS (8 * 1000000LL)
#define SNAPSHOT_NS (500 * 1000000LL)

struct session {
	struct ui *ui;
	struct render_canvas canvas;
	int work[2];	 /* the work pipe: [0] in the loop, [1] to arm it */
	bool work_armed; /* the pipe holds its byte */
	bool dirty;	 /* the model changed since the last frame */
};

bool cmd_locale_ascii(const struct options *o)
{
	setlocale(LC_ALL, "");
	return o->ascii || strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
}

/* --color=always|never|auto; auto honours NO_COLOR (https://no-color.org). */
static bool want_color(const struct options *o)
{
	if (o->color && strcmp(o->color, "always") == 0)
		return true;
	if (o->color && strcmp(o->color, "never") == 0)
		return false;
	const char *no_color = getenv("NO_COLOR");
	return !no_color || !no_color[0];
}

static void draw(struct session *s)
{
	ui_draw(s->ui, &s->canvas);
	term_blit(&s->canvas);
	s->dirty = false;
}

static void set_work(struct session *s, bool pending)
{
	char byte = 0;
	if (pending && !s->work_armed)
		s->work_armed = write(s->work[1], &byte, 1) == 1;
	else if (!pending && s->work_armed)
		s->work_armed = read(s->work[0], &byte, 1) != 1;
}

/* Lets the top view catch up; returns true if it still has background work. */
static bool update_views(struct session *s)
{
	int r = ui_update(s->ui);
	if (r & UI_REDRAW)
		s->dirty = true;
	return (r & UI_BUSY) != 0;
}

/* Reads every waiting key; returns LOOP_STOP when the user quits. */
static int read_keys(struct session *s)
{
	bool redraw = false;
	struct ui_key k;
	while (term_read_key(&k)) {
		if (k.code == UK_RESIZE) {
			int width, height;
			term_size(&width, &height);
			render_canvas_resize(&s->canvas, width, height);
			redraw = true;
			continue;
		}
		int r = ui_key(s->ui, &k);
		if (r & UI_QUIT)
			return LOOP_STOP;
		redraw |= (r & (UI_REDRAW | UI_HANDLED)) != 0;
	}
	if (redraw) {
		/* A view the key opened may need the model's latest state, and work to do. */
		set_work(s, s->ui->model->loading || update_views(s));
		draw(s);
	}
	return 0;
}

static int on_keyboard(void *ctx, int fd)
{
	/* A terminal that went away stays "readable" for ever: stop rather than spin. */
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
		return LOOP_STOP;
	return read_keys(ctx);
}

static int on_work(void *ctx, int fd)
{
	struct session *s = ctx;
	struct model *m = s->ui->model;
	(void)fd;
	if (m->loading) {
		model_load_step(m, LOAD_SLICE_NS);
		if (m->loading && model_now_ns() - m->last_refresh_ns >= SNAPSHOT_NS)
			model_refresh_open_flows(m);
		s->dirty = true;
		if (!m->loading) {
			/* Loaded: show the final state now rather than at the next tick. */
			set_work(s, update_views(s));
			draw(s);
		}
		return 0;
	}
	set_work(s, update_views(s));
	return 0;
}

static int on_tick(void *ctx)
{
	struct session *s = ctx;
	if (read_keys(s) == LOOP_STOP)
		return LOOP_STOP;
	bool busy = update_views(s);
	set_work(s, s->ui->model->loading || busy);
	if (s->dirty)
		draw(s);
	return 0;
}

int cmd_ui(struct options *o)
{
	const char *path = o->args[0];
	bool ascii = cmd_locale_ascii(o);
	struct model m;
	char err[CAPTURE_ERRBUF_SIZE];
	if (model_open(&m, path, o->filter, &o->engine, err, sizeof err) != 0) {
		fprintf(stderr, "tcpscope: %s\n", err);
		return 2;
	}
	struct session s = {.work = {-1, -1}};
	if (pipe(s.work) != 0 || fcntl(s.work[0], F_SETFL, O_NONBLOCK) != 0) {
		fprintf(stderr, "tcpscope: cannot create a pipe\n");
		model_close(&m);
		return 2;
	}
	struct loop *loop = loop_new();
	if (term_open(want_color(o), loop, err, sizeof err) != 0) {
		fprintf(stderr, "tcpscope: %s\n", err);
		loop_free(loop);
		model_close(&m);
		return 2;
	}
	struct ui ui;
	ui_init(&ui, &m, ascii);
	ui_push(&ui, view_flows_new(&ui));
	s.ui = &ui;
	int width, height;
	term_size(&width, &height);
	render_canvas_init(&s.canvas, width, height, ascii);
	draw(&s);

	loop_add_fd(loop, STDIN_FILENO, on_keyboard, &s);
	loop_add_fd(loop, s.work[0], on_work, &s);
	loop_add_timer(loop, FRAME_MS, on_tick, &s);
	set_work(&s, true);
	int status = loop_run(loop) == 0 ? 0 : 2;
	int signal_status;
	if (term_quit_requested(&signal_status))
		status = signal_status;

	render_canvas_free(&s.canvas);
	ui_free(&ui);
	term_close();
	loop_free(loop);
	close(s.work[0]);
	close(s.work[1]);
	if (m.error[0])
		fprintf(stderr, "tcpscope: %s\n", m.error);
	model_close(&m);
	return status;
}
