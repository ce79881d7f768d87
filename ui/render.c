/*
 * render.c - the attributed text canvas (render.h): UTF-8 text in, cells of
 * one code point and one attribute out, clipped to the canvas; the plain-text
 * writer used by `tcpscope timeline` and the goldens; the two glyph sets; and
 * the number formats every view shares.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mem-alloc.h"
#include "render.h"
#include "text-safe.h"
#include "text-utf8.h"

static const struct render_glyphs glyphs_utf8 = {
	.vline = "│",
	.hline = "─",
	.tee_right = "├",
	.tee_left = "┤",
	.arrow_right = "▶",
	.arrow_left = "◀",
	.to_right = "→",
	.to_left = "←",
	.dotted = "┆",
	.ellipsis = "…",
	.fold = "…",
	.sort_up = "▲",
	.sort_down = "▼",
	.bar_full = "█",
	.bar_empty = "░",
	.severity = {"●", "▲", "✖"},
	.label = "◆",
	.bullet = "·",
};

static const struct render_glyphs glyphs_ascii = {
	.vline = "|",
	.hline = "-",
	.tee_right = "|",
	.tee_left = "|",
	.arrow_right = ">",
	.arrow_left = "<",
	.to_right = "->",
	.to_left = "<-",
	.dotted = ":",
	.ellipsis = "~",
	.fold = "...",
	.sort_up = "^",
	.sort_down = "v",
	.bar_full = "#",
	.bar_empty = ".",
	.severity = {"N", "W", "E"},
	.label = "*",
	.bullet = ".",
};

void render_canvas_init(struct render_canvas *c, int width, int height, bool ascii)
{
	memset(c, 0, sizeof *c);
	c->ascii = ascii;
	c->g = ascii ? &glyphs_ascii : &glyphs_utf8;
	render_canvas_resize(c, width, height);
}

void render_canvas_resize(struct render_canvas *c, int width, int height)
{
	free(c->cells);
	c->width = width > 0 ? width : 0;
	c->height = height > 0 ? height : 0;
	c->cells = xcalloc((size_t)c->width * (size_t)c->height + 1, sizeof *c->cells);
	render_clear(c);
}

void render_canvas_free(struct render_canvas *c)
{
	free(c->cells);
	c->cells = NULL;
}

void render_clear(struct render_canvas *c)
{
	size_t n = (size_t)c->width * (size_t)c->height;
	for (size_t i = 0; i < n; i++) {
		c->cells[i].ch = ' ';
		c->cells[i].attr = RA_NORMAL;
	}
}

static bool inside(const struct render_canvas *c, int y, int x)
{
	return y >= 0 && y < c->height && x >= 0 && x < c->width;
}

static struct render_cell *cell(struct render_canvas *c, int y, int x)
{
	return inside(c, y, x) ? &c->cells[(size_t)y * (size_t)c->width + (size_t)x] : NULL;
}

const struct render_cell *render_cell_at(const struct render_canvas *c, int y, int x)
{
	return inside(c, y, x) ? &c->cells[(size_t)y * (size_t)c->width + (size_t)x] : NULL;
}

/* Decodes one UTF-8 sequence; a byte that is not UTF-8 comes out as '?'. Advances *s. */
static uint32_t next_code_point(const char **s)
{
	uint32_t cp;
	size_t n = utf8_decode((const unsigned char *)*s, &cp);
	*s += n ? n : 1;
	return n ? cp : '?';
}

int render_width(const char *text)
{
	int n = 0;
	while (*text) {
		next_code_point(&text);
		n++;
	}
	return n;
}

int render_text(struct render_canvas *c, int y, int x, int maxw, uint8_t attr, const char *text)
{
	if (maxw <= 0)
		return 0;
	char safe[4096];
	if (!text_is_safe(text)) /* names and messages from a capture must not drive the terminal */
		text = text_safe(safe, sizeof safe, text);
	int width = render_width(text);
	int room = width > maxw ? maxw - 1 : width;
	int col = 0;
	while (col < room) {
		uint32_t cp = next_code_point(&text);
		struct render_cell *cl = cell(c, y, x + col);
		if (cl) {
			/* ASCII output must stay ASCII even if the data is not. */
			cl->ch = c->ascii && cp > 0x7e ? '?' : cp;
			cl->attr = attr;
		}
		col++;
	}
	if (width > maxw) {
		const char *e = c->g->ellipsis;
		struct render_cell *cl = cell(c, y, x + col);
		if (cl) {
			cl->ch = next_code_point(&e);
			cl->attr = attr;
		}
		col++;
	}
	return col;
}

int render_textf(struct render_canvas *c, int y, int x, int maxw, uint8_t attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return render_text(c, y, x, maxw, attr, buf);
}

int render_text_right(struct render_canvas *c, int y, int x, int w, uint8_t attr, const char *text)
{
	int width = render_width(text);
	if (width >= w)
		return render_text(c, y, x, w, attr, text);
	return render_text(c, y, x + w - width, width, attr, text);
}

/* Bytes of the longest run of whole words from text that fits in w columns. */
static size_t wrap_prefix(const char *text, int w)
{
	const char *p = text, *space = NULL;
	int cols = 0;
	while (*p && cols < w) {
		if (*p == ' ')
			space = p;
		next_code_point(&p);
		cols++;
	}
	if (!*p || *p == ' ' || !space)
		return (size_t)(p - text); /* all of it, a clean break, or a word longer than w */
	return (size_t)(space - text);
}

int render_wrap(struct render_canvas *c, int y, int x, int w, int maxlines, uint8_t attr, const char *text)
{
	char line[1024];
	int lines = 0;
	while (*text && lines < maxlines && w > 0) {
		while (*text == ' ')
			text++;
		if (!*text)
			break;
		if (lines + 1 == maxlines) {
			/* The last line: whatever is left, cut with an ellipsis if too long. */
			render_text(c, y + lines++, x, w, attr, text);
			break;
		}
		size_t n = wrap_prefix(text, w);
		if (n > sizeof line - 1)
			n = sizeof line - 1;
		memcpy(line, text, n);
		line[n] = '\0';
		text += n;
		render_text(c, y + lines++, x, w, attr, line);
	}
	return lines;
}

void render_fill(struct render_canvas *c, int y, int x, int n, uint8_t attr, const char *glyph)
{
	const char *g = glyph;
	uint32_t cp = next_code_point(&g);
	for (int i = 0; i < n; i++) {
		struct render_cell *cl = cell(c, y, x + i);
		if (cl) {
			cl->ch = cp;
			cl->attr = attr;
		}
	}
}

void render_select(struct render_canvas *c, int y, int x, int n)
{
	for (int i = 0; i < n; i++) {
		struct render_cell *cl = cell(c, y, x + i);
		if (cl)
			cl->attr |= RA_SELECTED;
	}
}

/* The columns of text[0, bytes). */
static int prefix_width(const char *text, size_t bytes)
{
	int n = 0;
	for (const char *p = text; *p && (size_t)(p - text) < bytes; n++)
		next_code_point(&p);
	return n;
}

void render_mark_span(struct render_canvas *c, int y, int x, int maxw, const char *text, size_t at, size_t len,
		      uint8_t attr)
{
	int from = prefix_width(text, at), to = prefix_width(text, at + len);
	for (int i = from; i < to && i < maxw; i++) {
		struct render_cell *cl = cell(c, y, x + i);
		if (cl)
			cl->attr = (uint8_t)(attr | (cl->attr & RA_SELECTED));
	}
}

static void put_utf8(uint32_t cp, FILE *out)
{
	if (cp < 0x80) {
		fputc((int)cp, out);
	} else if (cp < 0x800) {
		fputc((int)(0xc0 | cp >> 6), out);
		fputc((int)(0x80 | (cp & 0x3f)), out);
	} else if (cp < 0x10000) {
		fputc((int)(0xe0 | cp >> 12), out);
		fputc((int)(0x80 | (cp >> 6 & 0x3f)), out);
		fputc((int)(0x80 | (cp & 0x3f)), out);
	} else {
		fputc((int)(0xf0 | cp >> 18), out);
		fputc((int)(0x80 | (cp >> 12 & 0x3f)), out);
		fputc((int)(0x80 | (cp >> 6 & 0x3f)), out);
		fputc((int)(0x80 | (cp & 0x3f)), out);
	}
}

void render_canvas_write(const struct render_canvas *c, int y0, int y1, FILE *out)
{
	for (int y = y0; y < y1 && y < c->height; y++) {
		const struct render_cell *row = &c->cells[(size_t)y * (size_t)c->width];
		int end = c->width;
		while (end > 0 && row[end - 1].ch == ' ')
			end--;
		for (int x = 0; x < end; x++)
			put_utf8(row[x].ch, out);
		fputc('\n', out);
	}
}

void render_format_count(char *buf, size_t len, uint64_t n)
{
	char digits[24];
	int nd = snprintf(digits, sizeof digits, "%" PRIu64, n);
	size_t o = 0;
	for (int i = 0; i < nd && o + 2 < len; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			buf[o++] = ' ';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

void render_format_bytes(char *buf, size_t len, uint64_t n)
{
	/* The same units as the text report, so numbers read alike everywhere. */
	if (n < 10000)
		snprintf(buf, len, "%" PRIu64 " B", n);
	else if (n < 10000000)
		snprintf(buf, len, "%.1f KB", (double)n / 1e3);
	else if (n < 10000000000ULL)
		snprintf(buf, len, "%.1f MB", (double)n / 1e6);
	else
		snprintf(buf, len, "%.1f GB", (double)n / 1e9);
}

void render_format_duration(char *buf, size_t len, int64_t ns)
{
	if (ns < 0)
		snprintf(buf, len, "-");
	else if (ns < 1000000)
		snprintf(buf, len, "%" PRId64 " us", ns / 1000);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1f ms", (double)ns / 1e6);
	else if (ns < 600 * 1000000000LL)
		snprintf(buf, len, "%.3f s", (double)ns / 1e9);
	else
		snprintf(buf, len, "%" PRId64 " m %02" PRId64 " s", (int64_t)(ns / 60000000000LL),
			 ns / 1000000000 % 60);
}
