/*
 * cmd-ui.c - the interactive UI on a terminal: over a file (`tcpscope FILE`)
 * or over a live capture (`tcpscope -i IFACE`, SPEC §10).
 *
 * Decides colour (--color, NO_COLOR) and character set (--ascii, or a locale
 * that is not UTF-8), opens the model and the terminal, pushes the flows view
 * and hands everything to the program's one poll() loop (loop.h) through
 * these sources:
 *
 *   keyboard   stdin: keys go to the views; the screen is redrawn at once;
 *   work pipe  a pipe that holds one byte, and so stays readable, while there
 *              is background work: the model loading the file a slice
 *              (LOAD_SLICE_NS) at a time, or a view reading details (the
 *              graph). Each wake-up does one slice, so a key never waits
 *              longer than a slice;
 *   tick       every FRAME_MS: views catch up with the model and the screen
 *              is redrawn if anything changed (at most ~10 times a second
 *              while loading or capturing), and pending input such as a
 *              resize is read;
 *   capture    live only, put in the loop by ui/live.c: the capture's
 *              descriptor feeds the engine, whose sink is the model, and its
 *              one-second tick. They only mark the session `captured`; the
 *              next frame brings the model's counters and open flows up to
 *              date (the open flows' snapshot at most every SNAPSHOT_NS) and
 *              the status bar's, unless the display is paused (p).
 *
 * The first frame is drawn before any packet is read, so the screen shows at
 * once and the progress bar fills as the file loads. Errors before the
 * terminal is taken are printed as usual (exit 2). Live, quitting (q, Ctrl-C,
 * SIGTERM) stops the capture before the terminal is given back; the caller
 * then closes the -w file.
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
#define LIVE_IDLE_REFRESH_NS (1000 * 1000000LL) /* live, without packets: just-closed flows move on */
#define LIVE_MESSAGE_NS (5 * 1000000000LL)	/* live: a message gives the bar back to the counters */

struct session {
	struct ui *ui;
	struct render_canvas canvas;
	int work[2];	 /* the work pipe: [0] in the loop, [1] to arm it */
	bool work_armed; /* the pipe holds its byte */
	bool dirty;	 /* the model changed since the last frame */
	/* A live capture; NULL for a file. */
	struct live *live;
	bool captured; /* packets arrived, or the capture ticked, since the model caught up */
	int64_t refreshed_ns, snapshot_ns;
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

/* Live: the status bar's counters from the capture. */
static void take_live_stats(struct session *s)
{
	struct live_stats st;
	live_stats(s->live, &st);
	struct ui_live *u = &s->ui->live;
	u->capturing = st.capturing;
	u->link_down = st.link_down;
	u->failed = st.error[0] != '\0';
	u->packets_per_sec = st.packets_per_sec;
	u->dropped = st.kernel.dropped;
	u->flows_active = s->ui->model->open_flows;
	u->flows_total = st.engine.flows_total;
	u->memory = st.memory_bytes;
	u->packets_dropped = s->ui->model->packets_first;
	u->flows_dropped = s->ui->model->flows_dropped;
}

/* Live: the model and the status bar catch up with the capture, unless the display is paused. */
static void follow_capture(struct session *s)
{
	struct ui *ui = s->ui;
	if (ui_message_expire(ui, LIVE_MESSAGE_NS))
		s->dirty = true;
	int64_t now = model_now_ns();
	if (ui->live.paused || (!s->captured && now - s->refreshed_ns < LIVE_IDLE_REFRESH_NS))
		return;
	bool flows = now - s->snapshot_ns >= SNAPSHOT_NS;
	model_live_refresh(ui->model, live_engine(s->live), flows);
	if (flows)
		s->snapshot_ns = now;
	s->refreshed_ns = now;
	s->captured = false;
	take_live_stats(s);
	s->dirty = true;
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
		if (s->live)
			follow_capture(s); /* p may have resumed the display */
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
	if (s->live)
		follow_capture(s);
	bool busy = update_views(s);
	set_work(s, s->ui->model->loading || busy);
	if (s->dirty)
		draw(s);
	return 0;
}

/*
 * Takes the terminal, shows the flows view of `m` and runs the loop until the
 * user quits (the caller has put any capture in the loop). Returns the exit
 * status; errors before the terminal is taken are printed.
 */
static int run(struct session *s, struct loop *loop, const struct options *o, struct ui *ui)
{
	char err[CAPTURE_ERRBUF_SIZE];
	s->work[0] = s->work[1] = -1;
	if (pipe(s->work) != 0 || fcntl(s->work[0], F_SETFL, O_NONBLOCK) != 0) {
		fprintf(stderr, "tcpscope: cannot create a pipe\n");
		return 2;
	}
	if (term_open(want_color(o), err, sizeof err) != 0) {
		cmd_error(err);
		close(s->work[0]);
		close(s->work[1]);
		return 2;
	}
	views_start(ui);
	s->ui = ui;
	int width, height;
	term_size(&width, &height);
	render_canvas_init(&s->canvas, width, height, ui->ascii);
	draw(s);

	loop_add_fd(loop, STDIN_FILENO, on_keyboard, s);
	loop_add_fd(loop, s->work[0], on_work, s);
	loop_add_timer(loop, FRAME_MS, on_tick, s);
	set_work(s, true);
	int status = loop_run(loop) == 0 ? 0 : 2;
	int signal_status;
	if (term_quit_requested(&signal_status))
		status = signal_status;
	/* Capture ends before the screen goes: what the kernel still holds is analysed, not lost. */
	if (s->live)
		live_stop(s->live);

	render_canvas_free(&s->canvas);
	ui_free(ui);
	term_close();
	close(s->work[0]);
	close(s->work[1]);
	return status;
}

int cmd_ui(struct options *o)
{
	bool ascii = cmd_locale_ascii(o);
	struct model m;
	char err[CAPTURE_ERRBUF_SIZE];
	if (model_open_files(&m, OPTIONS_PATHS(o), OPTIONS_NPATHS(o), o->filter, &o->engine, err, sizeof err) != 0) {
		cmd_error(err);
		return 2;
	}
	struct loop *loop = loop_new();
	struct session s = {0};
	struct ui ui;
	ui_init(&ui, &m, ascii);
	int status = run(&s, loop, o, &ui);
	loop_free(loop);
	if (m.error[0])
		cmd_error(m.error);
	model_close(&m);
	return status;
}

/* The model's feed: where the record being analysed is saved, and flushing the file before a re-read. */
static const struct capture_record *feed_current(void *ctx)
{
	return live_current_record(ctx);
}

static int feed_flush(void *ctx)
{
	return live_flush(ctx);
}

static void on_live_changed(void *ctx)
{
	struct session *s = ctx;
	s->captured = true;
}

/* The interface went down or came back: said in the status bar; capture waits and goes on. */
static void on_live_notice(void *ctx, const char *message)
{
	struct session *s = ctx;
	struct live_stats st;
	live_stats(s->live, &st);
	ui_message(s->ui, st.link_down ? RA_ERROR : RA_MESSAGE, "%s", message);
	s->captured = true;
	s->dirty = true; /* shown even while the display is paused */
}

/* The temporary file rotated: the model reads the packets saved from now on from the new one. */
static void on_live_segment(void *ctx, const char *path)
{
	struct session *s = ctx;
	char err[CAPTURE_ERRBUF_SIZE];
	if (model_live_segment(s->ui->model, path, err, sizeof err) != 0) {
		ui_message(s->ui, RA_ERROR, "%s", err);
		s->dirty = true;
	}
}

/* Capture stopped by itself: the UI stays up on what was captured. */
static int on_live_ended(void *ctx, enum live_end why, const char *message)
{
	struct session *s = ctx;
	if (why == LIVE_END_ERROR) {
		ui_message(s->ui, RA_ERROR, "%s", message);
	} else {
		ui_message(s->ui, RA_MESSAGE, "Capture stopped (%s): the flows stay here to read; q quits.",
			   why == LIVE_END_COUNT ? "-c packets captured" : "--duration over");
	}
	s->captured = true;
	s->dirty = true;
	return 0;
}

int cmd_ui_live(struct options *o, struct live *lv)
{
	bool ascii = cmd_locale_ascii(o);
	char err[CAPTURE_ERRBUF_SIZE];
	struct model m;
	struct model_feed feed = {.ctx = lv, .current = feed_current, .flush = feed_flush};
	if (model_open_live(&m, live_save_path(lv), o->live.capture.device, &o->engine, &feed, &o->ui_limits, err,
			    sizeof err) != 0) {
		cmd_error(err);
		return 2;
	}
	/* The model has the file open: its name can go now, so nothing is left behind however we end. */
	live_unlink_temporary(lv);
	struct session s = {.live = lv};
	struct ui ui;
	ui_init(&ui, &m, ascii);
	ui.live.on = true;
	ui.live.capturing = true;
	ui.live.save_path = o->live.save_path;
	ui.live.filter = o->live.capture.filter;
	s.ui = &ui;
	char banner[LIVE_ERROR_MAX];
	live_banner(lv, banner, sizeof banner);
	if (*live_warning(lv))
		ui_message(&ui, RA_WARNING, "%s (%s)", live_warning(lv), banner);
	else
		ui_message(&ui, RA_MESSAGE, "%s", banner);

	struct loop *loop = loop_new();
	struct engine_sink sink = model_sink(&m);
	struct live_hooks hooks = {.ctx = &s,
				   .changed = on_live_changed,
				   .notice = on_live_notice,
				   .ended = on_live_ended,
				   .segment = on_live_segment};
	if (live_attach(lv, loop, &o->engine, &sink, &hooks, err, sizeof err) != 0) {
		cmd_error(err);
		loop_free(loop);
		model_close(&m);
		return 2;
	}
	take_live_stats(&s);
	int status = run(&s, loop, o, &ui);
	loop_free(loop);
	struct live_stats st;
	live_stats(lv, &st);
	if (*st.error) {
		cmd_error(st.error);
		if (status == 0)
			status = 2;
	}
	fprintf(stderr, "tcpscope: %llu packets captured, %llu received by filter, %llu dropped by kernel\n",
		(unsigned long long)st.engine.packets, (unsigned long long)st.kernel.received,
		(unsigned long long)st.kernel.dropped);
	model_close(&m);
	return status;
}
