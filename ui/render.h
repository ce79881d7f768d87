/*
 * render.h - the attributed text canvas that every view draws into.
 *
 * A canvas is a grid of cells, each one code point and one semantic attribute
 * (RA_*). Views and the ladder renderer write model data into a canvas; they
 * never touch curses. Two back ends read a canvas: term.c maps the attributes
 * to colours through its one colour table and blits the cells to the screen,
 * and render_canvas_write() prints the cells as plain text (the `timeline`
 * command and the renderer goldens of tests/check-render.c).
 *
 * Every glyph a view draws comes from the canvas's glyph set, so the same
 * drawing code yields UTF-8 line drawing or its ASCII fallback (--ascii, or a
 * locale that is not UTF-8). Text is UTF-8 and one code point is one column.
 */
#ifndef TCPSCOPE_UI_RENDER_H
#define TCPSCOPE_UI_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What a cell means; term.c decides what each looks like (STYLE.md principle 10). */
enum render_attr {
	RA_NORMAL,
	RA_DIM,	     /* secondary text: units, blank-state ladder lines */
	RA_TITLE,    /* the top bar */
	RA_HEADER,   /* column headings */
	RA_STATUS,   /* the bottom status bar */
	RA_PROGRESS, /* the filled part of the loading bar */
	RA_KEY,	     /* a key name in hints and help */
	RA_MESSAGE,  /* a one-line message or prompt in the status bar */
	RA_NOTE,     /* finding severities */
	RA_WARNING,
	RA_ERROR,
	RA_LABEL,  /* analysis labels (retransmission, dup ACK, ...) */
	RA_STATE,  /* an endpoint state where it changes */
	RA_CLIENT, /* arrows client -> server */
	RA_SERVER, /* arrows server -> client */
	RA_FOLD,   /* a folded run of ordinary segments */
	RA_LINK,   /* the frame a finding's message names that Enter goes to */
	RA_GRAPH_DATA,
	RA_GRAPH_RETRANS,
	RA_GRAPH_ACK,
	RA_GRAPH_WINDOW,
	RA_GRAPH_SACK,
	RA_COUNT
};

/* Or'ed into an attribute: the selected row (shown in reverse video). */
#define RA_SELECTED 0x80

struct render_cell {
	uint32_t ch;
	uint8_t attr;
};

/* The glyphs of one character set (UTF-8 line drawing or ASCII). */
struct render_glyphs {
	const char *vline, *hline, *tee_right, *tee_left; /* │ ─ ├ ┤ */
	const char *arrow_right, *arrow_left;		  /* ▶ ◀ at the end of a ladder arrow */
	const char *to_right, *to_left;			  /* → ← in text */
	const char *dotted;				  /* ┆ a ladder line inside a fold */
	const char *ellipsis;				  /* … */
	const char *fold;				  /* … ahead of a folded run (ASCII: ...) */
	const char *sort_up, *sort_down;		  /* ▲ ▼ */
	const char *bar_full, *bar_empty;		  /* progress bar */
	const char *severity[3];			  /* note, warning, error marks */
	const char *label;				  /* mark of a label */
	const char *bullet;				  /* · */
};

struct render_canvas {
	int width, height;
	bool ascii;
	const struct render_glyphs *g;
	struct render_cell *cells;
};

/* A rectangle of the canvas given to a view. */
struct render_rect {
	int y, x, h, w;
};

void render_canvas_init(struct render_canvas *c, int width, int height, bool ascii);
/* Changes the size; the content is cleared. */
void render_canvas_resize(struct render_canvas *c, int width, int height);
void render_canvas_free(struct render_canvas *c);
void render_clear(struct render_canvas *c);
/* Prints rows [y0, y1) as UTF-8 lines without trailing blanks. */
void render_canvas_write(const struct render_canvas *c, int y0, int y1, FILE *out);

/*
 * Writes UTF-8 text at (y, x), at most maxw columns; text that does not fit
 * ends with the ellipsis glyph. Returns the columns written. Writes outside
 * the canvas are clipped.
 */
int render_text(struct render_canvas *c, int y, int x, int maxw, uint8_t attr, const char *text);
int render_textf(struct render_canvas *c, int y, int x, int maxw, uint8_t attr, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Right-aligns text in a field of w columns. */
int render_text_right(struct render_canvas *c, int y, int x, int w, uint8_t attr, const char *text);
/*
 * Writes text word-wrapped into a box of w columns and at most maxlines lines
 * (the last line ends with the ellipsis if text remains). Returns the lines used.
 */
int render_wrap(struct render_canvas *c, int y, int x, int w, int maxlines, uint8_t attr, const char *text);
/* Repeats one glyph n times. */
void render_fill(struct render_canvas *c, int y, int x, int n, uint8_t attr, const char *glyph);
/* Marks n cells selected. */
void render_select(struct render_canvas *c, int y, int x, int n);
/*
 * Gives attr (the selection kept) to the cells that show text[at, at + len)
 * of a text render_text() drew at (y, x) in at most maxw columns: a link.
 */
void render_mark_span(struct render_canvas *c, int y, int x, int maxw, const char *text, size_t at, size_t len,
		      uint8_t attr);
/* The cell at (y, x), or NULL outside the canvas. */
const struct render_cell *render_cell_at(const struct render_canvas *c, int y, int x);
/* Columns the UTF-8 text takes. */
int render_width(const char *text);

/* 1204 -> "1 204" (groups of three digits, as the SPEC writes counts). */
void render_format_count(char *buf, size_t len, uint64_t n);
/* 1782579 -> "1.7 MB"; below 10 KB exact bytes ("5000 B"). */
void render_format_bytes(char *buf, size_t len, uint64_t n);
/* A duration: "56 us", "12.3 ms", "1.234 s", "2 m 03 s"; "-" if negative. */
void render_format_duration(char *buf, size_t len, int64_t ns);

#endif
