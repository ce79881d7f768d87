/*
 * ui.h - the interactive UI apart from the terminal: abstract keys, the view
 * vtable and its result bitmask, the stack of open views, and the chrome drawn
 * around the top view (title bar, status bar with the loading progress or,
 * live, the capture's counters, the one-line prompt, the "terminal too
 * small" screen).
 *
 * A view is a struct view_ops of callbacks (STYLE.md principle 10, after
 * tmux's window_mode and htop's Panel): draw() renders model data into a
 * canvas, key() answers a key with a UI_* bitmask, update() is called when the
 * model changed or time passed. Views hold flow ids and packet indices, never
 * engine pointers, and restore their selection by id after every rebuild.
 * Live, the model drops what is past its limits; every view on the stack is
 * told (forget()) before any of its other callbacks runs again, paused or not.
 *
 * Nothing here includes curses: term.c turns curses input into struct ui_key
 * and blits the canvas, loop.c runs the poll() loop. Tests drive the same code
 * with synthetic keys and compare canvases as text.
 */
#ifndef TCPSCOPE_UI_UI_H
#define TCPSCOPE_UI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame-links.h"
#include "model.h"
#include "render.h"

#define UI_MIN_WIDTH 80
#define UI_MIN_HEIGHT 24
#define UI_MAX_DEPTH 8

/* A key is a Unicode character or one of these codes (beyond Unicode). */
enum {
	UK_UP = 0x110000,
	UK_DOWN,
	UK_LEFT,
	UK_RIGHT,
	UK_PGUP,
	UK_PGDN,
	UK_HOME,
	UK_END,
	UK_ENTER,
	UK_ESC,
	UK_BACKSPACE,
	UK_TAB,
	UK_BACKTAB,
	UK_CLICK,	 /* y, x: where */
	UK_DOUBLE_CLICK, /* y, x: where */
	UK_WHEEL_UP,
	UK_WHEEL_DOWN,
	UK_REDRAW, /* Ctrl-L */
	UK_RESIZE, /* the terminal changed size (the loop's business, not the views') */
};

struct ui_key {
	int code;
	int y, x;
};

/* What a key or an update did (htop's HandlerResult). */
enum {
	UI_IGNORED = 0,
	UI_HANDLED = 1 << 0,
	UI_REDRAW = 1 << 1,
	UI_BACK = 1 << 2, /* close this view */
	UI_QUIT = 1 << 3, /* leave the program */
	UI_BUSY = 1 << 4, /* update(): the view has background work left */
};

struct ui;
struct view;

struct view_ops {
	const char *name;
	/* Key hints for the title bar, e.g. "Enter open  / search". */
	const char *hints;
	void (*draw)(struct view *v, struct render_canvas *c, const struct render_rect *r);
	int (*key)(struct view *v, const struct ui_key *k);
	/* Optional: the title bar text; the name otherwise. */
	void (*title)(struct view *v, char *buf, size_t len);
	/* Optional: the model changed or time passed. */
	int (*update)(struct view *v);
	/* Optional: the model dropped packets, flows or findings: let go of what no longer resolves. */
	void (*forget)(struct view *v);
	void (*destroy)(struct view *v);
};

struct view {
	const struct view_ops *ops;
	struct ui *ui;
	struct render_rect rect; /* where the view was last drawn (mouse hits) */
};

enum ui_time_mode { UI_TIME_RELATIVE, UI_TIME_DELTA, UI_TIME_ABSOLUTE };

struct ui_prompt {
	bool active;
	char label[96];
	char text[128];
	size_t len;
	struct view *owner;
	void (*done)(struct view *owner, const char *text, bool accepted);
	char error[200];    /* the text did not do: shown under the prompt until it is edited */
	unsigned error_col; /* where in the text, from 1; 0: the text as a whole */
};

/* Flows closed during a live capture stay in place, dimmed, this long; then they go to the history. */
#define UI_CLOSED_LINGER_NS (5 * 1000000000LL)

/*
 * A live capture as the status bar shows it (SPEC §10). The session copies
 * the capture's counters here before a frame, except while paused: then the
 * bar keeps the numbers of the moment `p` was pressed.
 */
struct ui_live {
	bool on;	/* the model is a live capture */
	bool paused;	/* p: the display stops following the capture, which goes on */
	bool capturing; /* false once capture stopped (-c, --duration, the interface failing) */
	bool link_down; /* the interface is down: capture waits for it */
	bool failed;	/* capture stopped on an error */
	double packets_per_sec;
	uint64_t dropped;		    /* by the kernel (pcap_stats) */
	uint64_t flows_active, flows_total; /* active: seen and not closed yet */
	size_t memory;			    /* bytes the process holds; 0 if unknown */
	uint64_t packets_dropped;	    /* from memory, past --ui-max-packets (the model's) */
	uint64_t flows_dropped;		    /* from memory, past --ui-max-history */
	const char *save_path;		    /* -w FILE, or NULL: a temporary file */
	const char *filter;		    /* -f EXPR, or NULL */
};

/*
 * The views the UI and the views themselves open (views.c fills it): views
 * open one another through this table, never by name, so that ui.c and each
 * view call only downwards (tests/module-cycles.sh).
 */
struct ui_open {
	/* A flow's ladder diagram, with frame selected (0: the first packet). */
	struct view *(*timeline)(struct ui *ui, uint32_t flow, uint64_t frame);
	/* If v is the timeline of flow: selects frame there and returns true. */
	bool (*timeline_show)(struct view *v, uint32_t flow, uint64_t frame);
	struct view *(*graph)(struct ui *ui, uint32_t flow);
	struct view *(*findings)(struct ui *ui);
	struct view *(*info)(struct ui *ui);
	struct view *(*help)(struct ui *ui);
};

struct ui {
	struct model *model;
	const struct ui_open *open; /* set by views_start() (views.h) */
	struct ui_live live;
	uint64_t drops_seen; /* the model's drops when the views last forgot */
	struct view *stack[UI_MAX_DEPTH];
	int depth;
	bool ascii;
	/* Timeline preferences, kept from one flow to the next. */
	enum ui_time_mode time_mode;
	bool absolute_seq;
	char message[200];
	uint8_t message_attr;
	int64_t message_ns; /* when it was set (model_now_ns) */
	struct ui_prompt prompt;
	/* w, W: the flows the prompt is asking where to write (export.c) */
	uint32_t *export_ids;
	size_t nexport, export_cap;
	char export_confirm[128]; /* a file named once that exists: the same name again replaces it */
};

void ui_init(struct ui *ui, struct model *m, bool ascii);
void ui_free(struct ui *ui);
void ui_push(struct ui *ui, struct view *v);
/* Dispatches a key: prompt, top view, then the keys every view shares. */
int ui_key(struct ui *ui, const struct ui_key *k);
/* Lets the top view catch up with the model; returns UI_REDRAW and/or UI_BUSY. */
int ui_update(struct ui *ui);
/* Draws everything into the canvas (the "too small" screen below 80x24). */
void ui_draw(struct ui *ui, struct render_canvas *c);
void ui_message(struct ui *ui, uint8_t attr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Clears a message older than age_ns (live: the bar shows the counters again); true if it did. */
bool ui_message_expire(struct ui *ui, int64_t age_ns);
void ui_prompt_start(struct ui *ui, struct view *owner, const char *label, const char *initial,
		     void (*done)(struct view *owner, const char *text, bool accepted));
/* From a prompt's done callback: keeps the prompt open on its text, with the problem under it (col from 1, or 0). */
void ui_prompt_error(struct ui *ui, unsigned col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Opens the flow of a frame in the timeline at that packet (the top view
 * itself when it is that flow's timeline). Otherwise says in the status line
 * why not (no such frame, not loaded yet, not TCP, dropped from memory) and
 * returns false.
 */
bool ui_goto_frame(struct ui *ui, uint64_t frame);
/*
 * Tab (dir 1) and Shift-Tab (-1) among n > 0 frame links: the link after
 * `current` (the first when current is none, >= n); says which in the status line.
 */
size_t ui_pick_link(struct ui *ui, const struct frame_link *links, size_t n, size_t current, int dir);

/* A state in at most 10 columns: Linux ss's short forms of SYN-RECEIVED and ESTABLISHED. */
const char *ui_short_state(enum tcp_state s);

/* A scrolling list: count rows, the selected one, the first one shown. */
struct ui_list {
	size_t count, sel, top;
};

/*
 * Moves the selection for j/k, arrows, PgUp/PgDn, Home/End, G, the wheel and
 * (when vi_g) g. Returns UI_HANDLED | UI_REDRAW, or UI_IGNORED.
 */
int ui_list_key(struct ui_list *l, const struct ui_key *k, int page, bool vi_g);
/* Keeps the selection inside the list and on screen. */
void ui_list_fit(struct ui_list *l, int page);

/* Lines of text with an optional key column: the info and help views. */
struct ui_text_line {
	uint8_t attr;
	char *key;
	char *text;
};

struct ui_text {
	struct ui_text_line *lines;
	size_t n, cap;
	size_t top;
	int key_width;
};

void ui_text_add(struct ui_text *t, uint8_t attr, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void ui_text_clear(struct ui_text *t);
void ui_text_draw(const struct ui_text *t, struct render_canvas *c, const struct render_rect *r);
int ui_text_key(struct ui_text *t, const struct ui_key *k, int page);

#endif
