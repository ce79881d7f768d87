/*
 * check-render.c - Check suite for the UI without a terminal: the model,
 * the ladder, the views and the chrome, driven by synthetic keys and read
 * back as plain text (STYLE.md principle 13, SPEC §13 "renderers").
 *
 * Goldens: each case in `goldens` loads a capture from captures/, opens the
 * flows view at a given size, sends keys, draws, and compares the canvas as
 * text with tests/render-golden/NAME.txt. On a difference the text made is
 * left in tests/render-NAME.actual (in the build directory) for a diff.
 * After a deliberate change, regenerate every golden with
 *
 *     TCPSCOPE_REGEN_GOLDEN=1 tests/check-render
 *
 * from the build directory, and review the diff before committing it.
 * Keys are written as words: Enter, Esc, Up, Down, PgUp, PgDn, Home, End,
 * Tab, Backspace, Left, Right, a single character, or type:TEXT (each character of TEXT,
 * with _ for a space).
 *
 * The other tests check what a golden cannot show: attributes (severity
 * colours, selection), the 32-byte packet record, details read back from the
 * file, the filter language, number formats and word wrapping. Live capture
 * is played from a file: an engine fed record by record fills a live model
 * through model_sink(), as ui/live.c does from an interface; to test the
 * segments of a rotating temporary file the records are saved again, into
 * files that rotate every so many records, as ui/live.c saves them.
 */
#include "config.h"

#include <check.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture-save.h"
#include "hexdump.h"
#include "ladder.h"
#include "mem-blocks.h"
#include "model.h"
#include "render.h"
#include "report-expr.h"
#include "scenario.h"
#include "ui.h"
#include "views.h"

struct golden {
	const char *name, *capture;
	int width, height;
	bool ascii;
	const char *keys;
};

static const struct golden goldens[] = {
	{"flows-demo-80x24", "demo.pcap", 80, 24, false, ""},
	{"flows-demo-120x40", "demo.pcap", 120, 40, false, ""},
	{"flows-many-short-ascii-80x24", "many-short.pcap", 80, 24, true, "G"},
	{"flows-many-short-filter-120x40", "many-short.pcap", 120, 40, false, "\\ type:port_39216_or_flow_7 Enter"},
	{"flows-many-short-filter-expr-120x40", "many-short.pcap", 120, 40, false,
	 "\\ type:client.port_<_39250_or_irtt_>_30us Enter"},
	{"flows-many-short-filter-error-120x40", "many-short.pcap", 120, 40, false,
	 "\\ type:retx_>_0_and_foo_==_1 Enter"},
	{"flows-many-short-write-prompt-120x40", "many-short.pcap", 120, 40, false, "\\ type:port_39216 Enter W"},
	{"flows-many-short-sorted-120x40", "many-short.pcap", 120, 40, false, "S"},
	{"flows-ipv6-120x40", "ipv6.pcap", 120, 40, false, ""},
	{"timeline-demo-80x24", "demo.pcap", 80, 24, false, "Enter"},
	{"timeline-demo-120x40", "demo.pcap", 120, 40, false, "Enter"},
	{"timeline-demo-retransmission-120x40", "demo.pcap", 120, 40, false, "Enter n"},
	{"timeline-demo-expanded-120x40", "demo.pcap", 120, 40, false, "Enter Down Down Down Enter"},
	{"timeline-demo-absolute-120x40", "demo.pcap", 120, 40, false, "Enter t t r End"},
	{"timeline-demo-bytes-120x40", "demo.pcap", 120, 40, false, "Enter x"},
	{"timeline-demo-bytes-scrolled-100x30", "demo.pcap", 100, 30, false, "Enter n x ]"},
	{"timeline-demo-ascii-100x30", "demo.pcap", 100, 30, true, "Enter"},
	{"timeline-refused-80x24", "refused.pcap", 80, 24, false, "Enter"},
	{"timeline-half-close-120x40", "half-close.pcap", 120, 40, false, "Enter n"},
	{"timeline-lost-synack-120x40", "lost-synack.pcap", 120, 40, false, "Enter n n"},
	{"timeline-zero-window-120x40", "zero-window.pcap", 120, 40, false, "Enter"},
	{"timeline-simultaneous-close-100x30", "simultaneous-close.pcap", 100, 30, false, "Enter"},
	{"graph-demo-120x40", "demo.pcap", 120, 40, false, "Enter g"},
	{"graph-zero-window-ascii-100x30", "zero-window.pcap", 100, 30, true, "Enter g"},
	{"graph-throughput-demo-120x40", "demo.pcap", 120, 40, false, "Enter g v"},
	{"graph-rtt-demo-ascii-120x40", "demo.pcap", 120, 40, true, "Enter g v v"},
	{"graph-window-zero-window-ascii-100x30", "zero-window.pcap", 100, 30, true, "Enter g v v v"},
	{"graph-sequence-again-demo-ascii-100x30", "demo.pcap", 100, 30, true, "Enter g v v v v"},
	{"graph-cursor-demo-ascii-100x30", "demo.pcap", 100, 30, true, "Enter g Right Right Right"},
	{"graph-cursor-to-timeline-demo-120x40", "demo.pcap", 120, 40, false, "Enter g Right Right Right Enter"},
	{"findings-port-reuse-120x40", "port-reuse.pcap", 120, 40, false, "f"},
	{"findings-to-timeline-port-reuse-120x40", "port-reuse.pcap", 120, 40, false, "f Down Down Enter"},
	{"help-120x40", "demo.pcap", 120, 40, false, "?"},
	{"too-small-30x8", "demo.pcap", 30, 8, false, ""},
};

static const struct {
	const char *name;
	int code;
} key_names[] = {
	{"Enter", UK_ENTER}, {"Esc", UK_ESC},	  {"Up", UK_UP},   {"Down", UK_DOWN}, {"PgUp", UK_PGUP},
	{"PgDn", UK_PGDN},   {"Home", UK_HOME},	  {"End", UK_END}, {"Tab", UK_TAB},   {"Backspace", UK_BACKSPACE},
	{"Left", UK_LEFT},   {"Right", UK_RIGHT},
};

/* Lets the top view finish its background work (the graph reads the file). */
static void settle(struct ui *ui)
{
	for (int i = 0; i < 10000 && (ui_update(ui) & UI_BUSY); i++)
		;
}

static void press(struct ui *ui, struct render_canvas *c, int code)
{
	struct ui_key k = {.code = code};
	ui_key(ui, &k);
	settle(ui);
	ui_draw(ui, c);
}

/* Sends the words of a golden's key string. */
static void send_keys(struct ui *ui, struct render_canvas *c, const char *keys)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", keys);
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (strncmp(w, "type:", 5) == 0) {
			for (const char *p = w + 5; *p; p++)
				press(ui, c, *p == '_' ? ' ' : *p);
			continue;
		}
		int code = (unsigned char)w[0];
		for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
			if (strcmp(w, key_names[i].name) == 0)
				code = key_names[i].code;
		ck_assert_msg(code >= UK_UP || w[1] == '\0', "unknown key word \"%s\"", w);
		press(ui, c, code);
	}
}

static void load(struct model *m, const char *capture)
{
	char path[512], err[512];
	struct engine_config cfg;
	engine_config_default(&cfg);
	if (capture[0] == '/')
		snprintf(path, sizeof path, "%s", capture);
	else
		snprintf(path, sizeof path, "%s/%s", CAPTURES_DIR, capture);
	ck_assert_msg(model_open(m, path, NULL, &cfg, err, sizeof err) == 0, "%s", err);
	model_load_all(m);
}

/* Runs one golden case; returns its text (malloc'd). */
static char *render_golden(const struct golden *g)
{
	struct model m;
	load(&m, g->capture);
	struct ui ui;
	ui_init(&ui, &m, g->ascii);
	views_start(&ui);
	struct render_canvas c;
	render_canvas_init(&c, g->width, g->height, g->ascii);
	settle(&ui);
	ui_draw(&ui, &c);
	send_keys(&ui, &c, g->keys);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	render_canvas_write(&c, 0, c.height, out);
	fclose(out);
	render_canvas_free(&c);
	ui_free(&ui);
	model_close(&m);
	return text;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, out);
	fclose(out);
	fclose(f);
	return text;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_golden)
{
	const struct golden *g = &goldens[_i];
	char *text = render_golden(g);
	char path[512];
	snprintf(path, sizeof path, "%s/%s.txt", GOLDEN_DIR, g->name);
	const char *regen = getenv("TCPSCOPE_REGEN_GOLDEN");
	if (regen && regen[0] && strcmp(regen, "0") != 0) {
		write_file(path, text);
		free(text);
		return;
	}
	char *want = read_file(path);
	if (!want || strcmp(want, text) != 0) {
		char actual[512];
		snprintf(actual, sizeof actual, "tests/render-%s.actual", g->name);
		FILE *f = fopen(actual, "wb");
		if (!f) {
			snprintf(actual, sizeof actual, "render-%s.actual", g->name);
			f = fopen(actual, "wb");
		}
		if (f) {
			fputs(text, f);
			fclose(f);
		}
		ck_abort_msg("%s differs from %s: see diff -u %s %s (TCPSCOPE_REGEN_GOLDEN=1 regenerates)", g->name,
			     path, path, actual);
	}
	free(want);
	free(text);
}
END_TEST

/* ---- the model ---------------------------------------------------- */

START_TEST(test_packet_record_is_32_bytes)
{
	ck_assert_uint_eq(sizeof(struct model_packet), 32);
}
END_TEST

START_TEST(test_model_counts)
{
	struct model m;
	load(&m, "demo.pcap");
	ck_assert(!m.loading);
	ck_assert_uint_eq(m.npackets, 440);
	ck_assert_uint_eq(m.nflows, 1);
	const struct model_flow *f = model_flow(&m, 1);
	ck_assert(f->ended);
	ck_assert_uint_eq(f->s.packets[0] + f->s.packets[1], 440);
	ck_assert_str_eq(f->s.conn_state, "SF");
	ck_assert_ptr_null(model_flow(&m, 2));
	model_close(&m);
}
END_TEST

/* Once loaded, the model keeps copies: the flows' memory goes back to the system, not to a cache (mem-blocks.h). */
START_TEST(test_model_gives_the_flows_memory_back)
{
	struct model m;
	load(&m, "demo.pcap");
	bool fresh;
	void *block = block_get(&fresh);
	ck_assert(fresh); /* nothing was left cached */
	block_put(block);
	model_close(&m);
}
END_TEST

/* Details read back from the file must be the packet the engine saw (cf. `tcpscope packets`). */
START_TEST(test_model_detail)
{
	struct model m;
	load(&m, "demo.pcap");
	uint64_t i = model_find_frame(&m, 21);
	ck_assert_uint_ne(i, UINT64_MAX);
	struct model_detail d;
	char err[256];
	ck_assert_msg(model_read_detail(&m, i, &d, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(d.pkt.frame, 21);
	ck_assert_uint_eq(d.rel_seq, 15929);
	ck_assert_uint_eq(d.rel_ack, 1);
	ck_assert_uint_eq(d.pkt.payload_len, 72);
	ck_assert_uint_eq(model_packet_len(model_packet_at(&m, i)), 72);
	ck_assert(model_packet_at(&m, i)->labels & (1u << L_RETRANSMISSION));
	/* Backwards, then forwards again: the re-reader seeks both ways. */
	ck_assert(model_read_detail(&m, 0, &d, err, sizeof err) == 0);
	ck_assert_uint_eq(d.pkt.frame, 1);
	ck_assert_uint_eq(d.rel_seq, 0);
	ck_assert(model_read_detail(&m, 439, &d, err, sizeof err) == 0);
	ck_assert_uint_eq(d.pkt.frame, 440);
	ck_assert_uint_eq(d.rel_seq, 16002);
	ck_assert_uint_eq(d.rel_ack, 300002);
	ck_assert_uint_eq(model_find_frame(&m, 441), UINT64_MAX);
	model_close(&m);
}
END_TEST

/* A finding made after its packet (when the flow ends) still marks that packet. */
START_TEST(test_model_late_finding_mark)
{
	struct model m;
	load(&m, "keepalive-dead.pcap");
	ck_assert_uint_eq(m.severity[SEV_WARNING], 2); /* tcp.keepalive.unanswered, then .dead at the end */
	uint64_t i = model_find_frame(&m, m.findings[0].frame);
	ck_assert_uint_ne(i, UINT64_MAX);
	ck_assert_uint_eq(model_packet_at(&m, i)->mark, 1 + SEV_WARNING);
	model_close(&m);
}
END_TEST

START_TEST(test_model_incremental)
{
	char path[512], err[512];
	struct engine_config cfg;
	engine_config_default(&cfg);
	snprintf(path, sizeof path, "%s/many-short.pcap", CAPTURES_DIR);
	struct model m;
	ck_assert(model_open(&m, path, NULL, &cfg, err, sizeof err) == 0);
	/* A zero budget still makes progress: at least one slice of packets. */
	int steps = 0;
	uint64_t last = 0;
	while (model_load_step(&m, 0)) {
		ck_assert(m.npackets >= last);
		last = m.npackets;
		model_refresh_open_flows(&m);
		steps++;
	}
	ck_assert_int_gt(steps, 2);
	ck_assert_uint_eq(m.npackets, 1500);
	ck_assert_uint_eq(m.nflows, 150);
	for (uint32_t id = 1; id <= m.nflows; id++)
		ck_assert(model_flow(&m, id)->ended);
	model_close(&m);
}
END_TEST

START_TEST(test_model_open_error)
{
	struct model m;
	char err[512];
	struct engine_config cfg;
	engine_config_default(&cfg);
	ck_assert_int_eq(model_open(&m, "/nonexistent/x.pcap", NULL, &cfg, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x.pcap"));
}
END_TEST

/* ---- views: what text alone cannot show ----------------------------- */

struct session {
	struct model m;
	struct ui ui;
	struct render_canvas c;
};

static void session_open(struct session *s, const char *capture, int w, int h)
{
	load(&s->m, capture);
	ui_init(&s->ui, &s->m, false);
	views_start(&s->ui);
	render_canvas_init(&s->c, w, h, false);
	settle(&s->ui);
	ui_draw(&s->ui, &s->c);
}

static void session_close(struct session *s)
{
	render_canvas_free(&s->c);
	ui_free(&s->ui);
	model_close(&s->m);
}

static int key(struct session *s, int code)
{
	struct ui_key k = {.code = code};
	int r = ui_key(&s->ui, &k);
	settle(&s->ui);
	ui_draw(&s->ui, &s->c);
	return r;
}

/* The first column on row y whose character is ch, or -1. */
static int find_char(const struct render_canvas *c, int y, uint32_t ch)
{
	for (int x = 0; x < c->width; x++)
		if (render_cell_at(c, y, x)->ch == ch)
			return x;
	return -1;
}

static bool row_contains(const struct render_canvas *c, int y, const char *text)
{
	char line[1024];
	int n = 0;
	for (int x = 0; x < c->width && n < (int)sizeof line - 1; x++) {
		uint32_t ch = render_cell_at(c, y, x)->ch;
		line[n++] = ch < 0x80 ? (char)ch : '?';
	}
	line[n] = '\0';
	return strstr(line, text) != NULL;
}

START_TEST(test_flows_finding_colour)
{
	struct session s;
	session_open(&s, "lost-fin.pcap", 120, 40);
	/* Row 2 is the first flow; its worst finding is a note, drawn in the note colour. */
	int x = find_char(&s.c, 2, 0x25cf); /* ● */
	ck_assert_int_ge(x, 0);
	ck_assert_uint_eq(render_cell_at(&s.c, 2, x)->attr & ~RA_SELECTED, RA_NOTE);
	ck_assert(render_cell_at(&s.c, 2, 0)->attr & RA_SELECTED);
	ck_assert(row_contains(&s.c, 2, "close.fin_")); /* fin_retransmitted or fin_lost: both notes, of one FIN */
	session_close(&s);
}
END_TEST

START_TEST(test_quit_and_back)
{
	struct session s;
	session_open(&s, "demo.pcap", 120, 40);
	ck_assert_int_eq(key(&s, UK_ENTER) & UI_QUIT, 0);
	ck_assert_int_eq(s.ui.depth, 2);
	ck_assert_int_eq(key(&s, 'g') & UI_QUIT, 0);
	ck_assert_int_eq(s.ui.depth, 3);
	ck_assert_int_eq(key(&s, UK_ESC) & UI_QUIT, 0);
	ck_assert_int_eq(key(&s, 'q') & UI_QUIT, 0);
	ck_assert_int_eq(s.ui.depth, 1);
	ck_assert_int_eq(key(&s, UK_ESC) & UI_QUIT, 0);
	ck_assert(key(&s, 'q') & UI_QUIT);
	session_close(&s);
}
END_TEST

/* The value of the graph's top axis label ("206K", "1.2M", "950"), on the first plot row. */
static double graph_top_label(const struct render_canvas *c)
{
	char text[16] = "";
	int n = 0;
	for (int x = 0; x < 8 && n < (int)sizeof text - 1; x++) {
		uint32_t ch = render_cell_at(c, 2, x)->ch;
		if (ch != ' ')
			text[n++] = (char)ch;
	}
	char *end;
	double v = strtod(text, &end);
	return *end == 'M' ? v * 1e6 : *end == 'K' ? v * 1e3 : v;
}

/* The highest data byte of `side` and the highest right edge of the peer's window, from the file. */
static double graph_highest(struct model *m, int side)
{
	uint64_t next = 0, *pkts = NULL;
	size_t n = 0, cap = 0;
	double top = 0;
	model_collect_flow_packets(m, 1, &next, &pkts, &n, &cap);
	for (size_t i = 0; i < n; i++) {
		struct model_detail d;
		char err[128];
		const struct model_packet *mp = model_packet_at(m, pkts[i]);
		ck_assert_int_eq(model_read_detail(m, pkts[i], &d, err, sizeof err), 0);
		int shift = model_packet_shift(mp) > 0 ? model_packet_shift(mp) : 0;
		double hi = model_packet_side(mp) == side ? (double)d.rel_seq + d.pkt.payload_len
							  : (double)d.rel_ack + ((uint32_t)d.pkt.window << shift);
		if (hi > top)
			top = hi;
	}
	free(pkts);
	return top;
}

static int count_attr(const struct render_canvas *c, uint8_t attr)
{
	int n = 0;
	for (int y = 0; y < c->height; y++)
		for (int x = 0; x < c->width; x++)
			n += (render_cell_at(c, y, x)->attr & ~RA_SELECTED) == attr;
	return n;
}

/*
 * The time-sequence graph's scale holds every line, the window's right
 * edge included, in both directions (with Tab on the demo the window fell
 * off it), and zoomed out the ACK and window lines keep cells of their own.
 */
START_TEST(test_graph_lines_on_scale)
{
	struct session s;
	session_open(&s, "demo.pcap", 120, 40);
	key(&s, UK_ENTER);
	key(&s, 'g');
	for (int turn = 0; turn < 2; turn++) {
		int side = turn ? 0 : 1; /* the demo's server sends the most: its data first, then Tab */
		ck_assert_msg(graph_top_label(&s.c) >= graph_highest(&s.m, side), "side %d: top %.0f below %.0f", side,
			      graph_top_label(&s.c), graph_highest(&s.m, side));
		key(&s, '-');
		key(&s, '-');
		ck_assert_int_gt(count_attr(&s.c, RA_GRAPH_ACK), 0);
		ck_assert_int_gt(count_attr(&s.c, RA_GRAPH_WINDOW), 0);
		key(&s, UK_TAB);
	}
	session_close(&s);
}
END_TEST

/* Enter on the graph's cursor opens the timeline on that packet, opening the fold it is in. */
START_TEST(test_graph_cursor_to_timeline)
{
	struct session s;
	session_open(&s, "demo.pcap", 120, 40);
	key(&s, UK_ENTER);
	key(&s, 'g');
	ck_assert(row_contains(&s.c, 38, " frame 2  0.000043 s  from server  seq 0  ack 1  len 0"));
	key(&s, UK_RIGHT);
	key(&s, UK_RIGHT);
	key(&s, UK_RIGHT);
	ck_assert(row_contains(&s.c, 38, " frame 6  0.000107 s  from client  seq 1449  ack 1  len 1448"));
	key(&s, UK_LEFT);
	ck_assert(row_contains(&s.c, 38, " frame 4 "));
	key(&s, UK_RIGHT);
	ck_assert_int_eq(s.ui.depth, 3);
	key(&s, UK_ENTER);
	ck_assert_int_eq(s.ui.depth, 4);
	int row = -1;
	for (int y = 0; y < s.c.height && row < 0; y++)
		if (row_contains(&s.c, y, "  6 0.000107"))
			row = y;
	ck_assert_int_ge(row, 0);
	ck_assert(render_cell_at(&s.c, row, 0)->attr & RA_SELECTED);
	session_close(&s);
}
END_TEST

/* n and N move between marked packets and say so at either end. */
START_TEST(test_timeline_jumps)
{
	struct session s;
	session_open(&s, "lost-synack.pcap", 120, 40);
	key(&s, UK_ENTER);
	key(&s, 'n');
	ck_assert(row_contains(&s.c, 39 - 12 + 1, "Frame 2 "));
	key(&s, 'n');
	ck_assert(row_contains(&s.c, 39 - 12 + 1, "Frame 5 "));
	key(&s, 'n');
	key(&s, 'n');
	ck_assert(row_contains(&s.c, 39, "No finding or label below"));
	key(&s, 'N');
	key(&s, 'N');
	key(&s, 'N');
	key(&s, 'N');
	ck_assert(row_contains(&s.c, 39, "No finding or label above"));
	session_close(&s);
}
END_TEST

/* The selection stays on its packet when folds open and close. */
START_TEST(test_timeline_selection_by_packet)
{
	struct session s;
	session_open(&s, "demo.pcap", 120, 40);
	key(&s, UK_ENTER);
	key(&s, UK_END);
	ck_assert(row_contains(&s.c, 39 - 12 + 1, "Frame 440 "));
	key(&s, 'e');
	ck_assert(row_contains(&s.c, 39 - 12 + 1, "Frame 440 "));
	key(&s, 'e');
	ck_assert(row_contains(&s.c, 39 - 12 + 1, "Frame 440 "));
	session_close(&s);
}
END_TEST

START_TEST(test_timeline_search)
{
	struct session s;
	session_open(&s, "demo.pcap", 120, 40);
	key(&s, UK_ENTER);
	key(&s, '/');
	for (const char *p = "FIN"; *p; p++)
		key(&s, *p);
	key(&s, UK_ENTER);
	ck_assert(row_contains(&s.c, 39 - 12 + 1, "Frame 438 "));
	session_close(&s);
}
END_TEST

START_TEST(test_info_view)
{
	struct session s;
	session_open(&s, "demo.pcap", 120, 40);
	key(&s, 'i');
	bool linktype = false, packets = false;
	for (int y = 0; y < s.c.height; y++) {
		linktype |= row_contains(&s.c, y, "EN10MB");
		packets |= row_contains(&s.c, y, "440, 440 of them TCP");
	}
	ck_assert(linktype && packets);
	session_close(&s);
}
END_TEST

START_TEST(test_resize)
{
	struct session s;
	session_open(&s, "demo.pcap", 120, 40);
	key(&s, UK_ENTER);
	render_canvas_resize(&s.c, 30, 8);
	ui_draw(&s.ui, &s.c);
	bool small = false;
	for (int y = 0; y < s.c.height; y++)
		small |= row_contains(&s.c, y, "Terminal too small");
	ck_assert(small);
	render_canvas_resize(&s.c, 80, 24);
	ui_draw(&s.ui, &s.c);
	ck_assert(row_contains(&s.c, 2, "SYN-SENT"));
	session_close(&s);
}
END_TEST

/* `tcpscope timeline` prints the same rows as the view. */
START_TEST(test_ladder_print)
{
	struct model m;
	load(&m, "refused.pcap");
	struct ladder l;
	ladder_init(&l, &m, 1);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	ladder_print(&l, 100, false, out);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "REJ"));
	ck_assert_ptr_nonnull(strstr(text, "SYN-SENT"));
	ck_assert_ptr_nonnull(strstr(text, "├─SYN"));
	ck_assert_ptr_nonnull(strstr(text, "RST,ACK"));
	free(text);
	ladder_free(&l);
	model_close(&m);
}
END_TEST

/*
 * The packet that reopens a zero window is never folded (frame 15 after the
 * zero window of 14), while a window update with no zero window before it
 * (27) folds with the data around it, as ever.
 */
START_TEST(test_ladder_zero_window_reopening)
{
	const char *lines[40];
	size_t n = 0;
	char data[30][64];
	lines[n++] = "> S 0:0(0) win 65535 <mss 1460,wscale 0>";
	lines[n++] = "< S. 0:0(0) ack 1 win 65535 <mss 1460,wscale 0>";
	lines[n++] = "> . 1:1(0) ack 1 win 65535";
	for (int i = 0; i < 30; i++) {
		snprintf(data[i], sizeof data[i], "< . %d:%d(1000) ack 1 win 65535", 1 + i * 1000, 1001 + i * 1000);
		lines[n++] = data[i];
		if (i == 9) {
			lines[n++] = "> . 1:1(0) ack 10001 win 0";
			lines[n++] = "+0.2 > . 1:1(0) ack 10001 win 65535";
		} else if (i == 19) {
			lines[n++] = "> . 1:1(0) ack 20001 win 60000";
			lines[n++] = "> . 1:1(0) ack 20001 win 65535";
		}
	}
	char path[] = "/tmp/check-render-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct scenario sc;
	scenario_init(&sc);
	scenario_write_pcap(&sc, path, lines, n);
	struct model m;
	char err[512];
	struct engine_config cfg;
	engine_config_default(&cfg);
	ck_assert_msg(model_open(&m, path, NULL, &cfg, err, sizeof err) == 0, "%s", err);
	model_load_all(&m);
	struct ladder l;
	ladder_init(&l, &m, 1);
	const struct ladder_row *reopening = &l.rows[ladder_row_of(&l, model_find_frame(&m, 15))];
	ck_assert(model_packet_at(&m, model_find_frame(&m, 15))->labels & (1u << L_WINDOW_UPDATE));
	ck_assert_uint_eq(reopening->count, 1);
	ck_assert_uint_eq(reopening->fold, 0);
	ck_assert(model_packet_at(&m, model_find_frame(&m, 27))->labels & (1u << L_WINDOW_UPDATE));
	ck_assert_uint_ne(l.rows[ladder_row_of(&l, model_find_frame(&m, 27))].fold, 0);
	ladder_free(&l);
	model_close(&m);
	unlink(path);
}
END_TEST

/* ---- live capture, played from a file --------------------------------- */

struct replay {
	struct capture *cap;
	struct engine *engine;
	const struct capture_record *current;
	/* Saving again into files of `every` records (0: the capture file is the saved file). */
	struct capture_save *save;
	uint64_t every, saved;
};

static const struct model_limits unlimited = {0, 0};

static const struct capture_record *replay_current(void *ctx)
{
	return ((struct replay *)ctx)->current;
}

static int replay_flush(void *ctx)
{
	struct replay *r = ctx;
	return r->save ? capture_save_flush(r->save) : 0;
}

/* Starts a new file to save records in (a nameless one, as ui/live.c does); its name in path. */
static void replay_new_file(struct replay *r, char *path, size_t len)
{
	char err[512];
	snprintf(path, len, "/tmp/check-render-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert(!r->save || capture_save_close(r->save, err, sizeof err) == 0);
	r->save = capture_save_open(path, capture_linktype(r->cap), 65535, "veth0", false, err, sizeof err);
	ck_assert_msg(r->save && capture_save_flush(r->save) == 0, "%s", err);
}

/*
 * A live model of a capture file. Without `every`, the file is both the
 * "interface" and the saved file; with it, records are saved again into
 * files of `every` records, as a temporary file that rotates.
 */
static void replay_open_with(struct replay *r, struct model *m, const char *capture, const struct model_limits *limits,
			     uint64_t every)
{
	char path[512], saved[512], err[512];
	struct engine_config cfg;
	engine_config_default(&cfg);
	cfg.views_per_flow = true; /* as live_attach() does */
	snprintf(path, sizeof path, "%s/%s", CAPTURES_DIR, capture);
	memset(r, 0, sizeof *r);
	r->cap = capture_open_file(path, NULL, err, sizeof err);
	ck_assert_msg(r->cap != NULL, "%s", err);
	r->every = every;
	if (every)
		replay_new_file(r, saved, sizeof saved);
	struct model_feed feed = {.ctx = r, .current = replay_current, .flush = replay_flush};
	ck_assert_msg(model_open_live(m, every ? saved : path, "veth0", &cfg, &feed, limits, err, sizeof err) == 0,
		      "%s", err);
	if (every)
		unlink(saved);
	ck_assert(m->live);
	struct engine_sink sink = model_sink(m);
	r->engine = engine_new(&cfg, &sink);
}

static void replay_open(struct replay *r, struct model *m, const char *capture)
{
	replay_open_with(r, m, capture, &unlimited, 0);
}

/* Feeds n more packets (all that remain if fewer), then lets the model catch up. */
static void replay_packets(struct replay *r, struct model *m, uint64_t n)
{
	struct capture_record rec;
	for (uint64_t i = 0; i < n && capture_next(r->cap, &rec) == CAPTURE_PACKET; i++) {
		if (r->every) {
			if (r->saved && r->saved % r->every == 0) {
				char path[512], err[512];
				replay_new_file(r, path, sizeof path);
				ck_assert_msg(model_live_segment(m, path, err, sizeof err) == 0, "%s", err);
				unlink(path);
			}
			ck_assert(capture_save_write(r->save, &rec, &rec.offset) == 0);
			r->saved++;
		}
		r->current = &rec;
		engine_packet(r->engine, &rec);
		r->current = NULL;
	}
	model_live_refresh(m, r->engine, true);
}

static void replay_close(struct replay *r)
{
	char err[512];
	engine_free(r->engine);
	capture_close(r->cap);
	ck_assert(!r->save || capture_save_close(r->save, err, sizeof err) == 0);
}

/* Flows [first, last] closed long enough ago to be history. */
static void age_flows(struct model *m, uint32_t first, uint32_t last)
{
	for (size_t i = 0; i < m->flows_len; i++)
		if (m->flows[i].s.id >= first && m->flows[i].s.id <= last)
			m->flows[i].closed_ns -= UI_CLOSED_LINGER_NS + 1000000000LL;
	m->generation++;
}

/* The canvas row y as UTF-8 text (row_contains sees only ASCII). */
static void row_text(const struct render_canvas *c, int y, char *buf, size_t len)
{
	size_t n = 0;
	for (int x = 0; x < c->width; x++) {
		uint32_t ch = render_cell_at(c, y, x)->ch;
		char u[4];
		size_t k = 0;
		if (ch < 0x80) {
			u[k++] = (char)ch;
		} else if (ch < 0x800) {
			u[k++] = (char)(0xc0 | ch >> 6);
			u[k++] = (char)(0x80 | (ch & 0x3f));
		} else {
			u[k++] = (char)(0xe0 | ch >> 12);
			u[k++] = (char)(0x80 | (ch >> 6 & 0x3f));
			u[k++] = (char)(0x80 | (ch & 0x3f));
		}
		if (n + k + 1 > len)
			break;
		memcpy(buf + n, u, k);
		n += k;
	}
	buf[n] = '\0';
}

static bool row_has(const struct render_canvas *c, int y, const char *text)
{
	char line[2048];
	row_text(c, y, line, sizeof line);
	return strstr(line, text) != NULL;
}

/* The attribute of the first cell of row y where text starts. */
static uint8_t attr_of(const struct render_canvas *c, int y, const char *text)
{
	char line[2048];
	row_text(c, y, line, sizeof line);
	const char *at = strstr(line, text);
	ck_assert_msg(at != NULL, "\"%s\" is not on row %d: %s", text, y, line);
	int x = 0;
	for (const char *p = line; p < at; p++)
		x += ((unsigned char)*p & 0xc0) != 0x80;
	return render_cell_at(c, y, x)->attr;
}

/* A live flow is open until both ends are closed, then closed for good; details come back from the file. */
START_TEST(test_live_model)
{
	struct model m;
	struct replay r;
	replay_open(&r, &m, "demo.pcap");
	replay_packets(&r, &m, 100);
	ck_assert_uint_eq(m.npackets, 100);
	ck_assert_uint_eq(m.stats.packets, 100);
	ck_assert_uint_eq(m.open_flows, 1);
	const struct model_flow *f = model_flow(&m, 1);
	ck_assert_int_eq(f->s.state[0], TCPS_ESTABLISHED);
	ck_assert_int_eq(f->closed_ns, 0);
	struct model_detail d;
	char err[256];
	ck_assert_msg(model_read_detail(&m, model_find_frame(&m, 21), &d, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(d.rel_seq, 15929);
	replay_packets(&r, &m, UINT64_MAX);
	f = model_flow(&m, 1);
	ck_assert_uint_eq(m.npackets, 440);
	ck_assert_int_eq(f->s.state[0], TCPS_TIME_WAIT);
	ck_assert(!f->ended); /* TIME-WAIT is not over: the engine still holds it */
	ck_assert_int_ne(f->closed_ns, 0);
	ck_assert_uint_eq(m.open_flows, 0);
	ck_assert_msg(model_read_detail(&m, 439, &d, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(d.pkt.frame, 440);
	ck_assert_uint_eq(d.rel_ack, 300002);
	replay_close(&r);
	model_close(&m);
}
END_TEST

static void live_session_open(struct session *s, struct replay *r, const char *capture, uint64_t packets)
{
	replay_open(r, &s->m, capture);
	replay_packets(r, &s->m, packets);
	ui_init(&s->ui, &s->m, false);
	s->ui.live = (struct ui_live){.on = true,
				      .capturing = true,
				      .packets_per_sec = 1204.4,
				      .dropped = 3,
				      .flows_active = s->m.open_flows,
				      .flows_total = s->m.nflows,
				      .memory = 10500000};
	views_start(&s->ui);
	render_canvas_init(&s->c, 120, 40, false);
	ui_draw(&s->ui, &s->c);
}

/* The status bar of a live capture: rate, drops, flows, findings, memory; PAUSED; link down; stopped. */
START_TEST(test_live_status_bar)
{
	struct session s;
	struct replay r;
	live_session_open(&s, &r, "demo.pcap", 100);
	const int y = 39;
	ck_assert_msg(row_has(&s.c, y, " veth0 │ 1 204 pkt/s │ 3 dropped │ 1 flow, 1 active │ ✖ 0  ▲ 0  ● 0 │ 10.5 MB"),
		      "status bar: see the row");
	ck_assert_uint_eq(attr_of(&s.c, y, "3 dropped"), RA_WARNING);
	ck_assert_uint_eq(attr_of(&s.c, y, "1 204 pkt/s"), RA_STATUS);
	ck_assert(row_has(&s.c, 2, "ESTAB"));
	ck_assert_uint_eq(attr_of(&s.c, 2, "10.77.0.1") & ~RA_SELECTED, RA_NORMAL); /* open: not dimmed */

	/* p pauses the display: said first thing in the bar, in the message colour; p again resumes. */
	key(&s, 'p');
	ck_assert(s.ui.live.paused);
	ck_assert(row_has(&s.c, y, " PAUSED  veth0 │ 1 204 pkt/s"));
	ck_assert_uint_eq(attr_of(&s.c, y, "PAUSED"), RA_MESSAGE);
	/* Paused, the model goes on but the views do not follow it (the session does not redraw either). */
	replay_packets(&r, &s.m, UINT64_MAX);
	ck_assert_int_eq(ui_update(&s.ui), UI_IGNORED);
	key(&s, 'p');
	ck_assert(!s.ui.live.paused);
	ck_assert(!row_has(&s.c, y, "PAUSED"));
	ck_assert(row_has(&s.c, 2, "TIME-WAIT"));

	/* Just closed: the whole row is dimmed. */
	ck_assert_uint_eq(attr_of(&s.c, 2, "10.77.0.1") & ~RA_SELECTED, RA_DIM);
	ck_assert_uint_eq(attr_of(&s.c, 2, "TIME-WAIT") & ~RA_SELECTED, RA_DIM);

	s.ui.live.link_down = true;
	ui_draw(&s.ui, &s.c);
	ck_assert(row_has(&s.c, y, " veth0 │ link down │ 3 dropped"));
	ck_assert_uint_eq(attr_of(&s.c, y, "link down"), RA_ERROR);
	s.ui.live.link_down = false;
	s.ui.live.capturing = false;
	ui_draw(&s.ui, &s.c);
	ck_assert(row_has(&s.c, y, " veth0 │ capture stopped │ 3 dropped"));
	ck_assert_uint_eq(attr_of(&s.c, y, "capture stopped"), RA_WARNING);
	s.ui.live.failed = true;
	ui_draw(&s.ui, &s.c);
	ck_assert_uint_eq(attr_of(&s.c, y, "capture stopped"), RA_ERROR);

	/* A message takes the bar until it expires; PAUSED stays in front of it. */
	key(&s, 'p');
	ui_message(&s.ui, RA_ERROR, "veth0: the interface is down; capture goes on when it comes back");
	ui_draw(&s.ui, &s.c);
	ck_assert(row_has(&s.c, y, " PAUSED  veth0: the interface is down; capture goes on when it comes back"));
	ck_assert_uint_eq(attr_of(&s.c, y, "veth0: the interface"), RA_ERROR);
	ck_assert(!ui_message_expire(&s.ui, 60 * 1000000000LL));
	ck_assert(ui_message_expire(&s.ui, 0));
	ui_draw(&s.ui, &s.c);
	ck_assert(row_has(&s.c, y, " PAUSED  veth0 │ capture stopped"));

	/* 80 columns: the end of the bar gives way first. */
	render_canvas_resize(&s.c, 80, 24);
	s.ui.live.flows_active = s.m.open_flows;
	key(&s, 'p');
	ck_assert(row_has(&s.c, 23, " veth0 │ capture stopped │ 3 dropped │ 1 flow, 0 active │ ✖ 0  ▲ 0  ● 0"));

	/* The capture info and the help say what is live. */
	render_canvas_resize(&s.c, 120, 40);
	key(&s, 'i');
	bool iface = false, dropped = false;
	for (int row = 0; row < s.c.height; row++) {
		iface |= row_has(&s.c, row, "interface      veth0");
		dropped |= row_has(&s.c, row, "3 by the kernel");
	}
	ck_assert(iface && dropped);
	key(&s, '?');
	key(&s, 'G');
	bool pause_key = false;
	for (int row = 0; row < s.c.height; row++)
		pause_key |= row_has(&s.c, row, "pause the display");
	ck_assert(pause_key);
	session_close(&s);
	replay_close(&r);
}
END_TEST

/* Flows closed a while ago go to the history, below the others; the selection keeps its line. */
START_TEST(test_live_history)
{
	struct session s;
	struct replay r;
	live_session_open(&s, &r, "many-short.pcap", UINT64_MAX);
	ck_assert_uint_eq(s.m.nflows, 150);
	ck_assert_uint_eq(s.m.open_flows, 0);
	ck_assert(row_has(&s.c, 0, "Flows 1/150"));
	ck_assert(!row_has(&s.c, 0, "history"));
	/* All closed moments ago: dimmed, in id order. */
	ck_assert_uint_eq(attr_of(&s.c, 3, "10.77.0.1") & ~RA_SELECTED, RA_DIM);
	key(&s, UK_DOWN);
	key(&s, UK_DOWN);
	ck_assert(row_has(&s.c, 0, "Flows 3/150"));

	/* Flows 1 to 100 closed long ago: history. The selection stays on the third line. */
	age_flows(&s.m, 1, 100);
	settle(&s.ui);
	ui_draw(&s.ui, &s.c);
	ck_assert_msg(row_has(&s.c, 0, "Flows 3/150, history from 51"), "title: see row 0");
	ck_assert(row_has(&s.c, 2, "  101 "));
	ck_assert(row_has(&s.c, 4, "  103 "));
	key(&s, UK_END);
	ck_assert(row_has(&s.c, 38, "  100 "));
	ck_assert_uint_eq(attr_of(&s.c, 38, "10.77.0.1") & ~RA_SELECTED, RA_NORMAL); /* history: not dimmed */

	/* Reversed, the history stays last. */
	key(&s, 'S');
	key(&s, UK_HOME);
	ck_assert(row_has(&s.c, 2, "  150 "));
	key(&s, UK_END);
	ck_assert(row_has(&s.c, 38, "    1 "));
	session_close(&s);
	replay_close(&r);
}
END_TEST

/* ---- live limits: memory stays bounded ------------------------------ */

/* The row of the canvas that contains text, or -1. */
static int find_row(const struct render_canvas *c, const char *text)
{
	for (int y = 0; y < c->height; y++)
		if (row_has(c, y, text))
			return y;
	return -1;
}

/* The live UI on a capture played with limits; the session's bar shows the model's counts. */
static void limited_session_open(struct session *s, struct replay *r, const char *capture,
				 const struct model_limits *limits, uint64_t packets)
{
	replay_open_with(r, &s->m, capture, limits, 0);
	replay_packets(r, &s->m, packets);
	ui_init(&s->ui, &s->m, false);
	s->ui.live = (struct ui_live){.on = true, .capturing = true, .memory = 10500000};
	views_start(&s->ui);
	render_canvas_init(&s->c, 120, 40, false);
	ui_draw(&s->ui, &s->c);
}

/* What cmd-ui.c copies into the status bar at each frame. */
static void take_counts(struct session *s)
{
	s->ui.live.packets_dropped = s->m.packets_first;
	s->ui.live.flows_dropped = s->m.flows_dropped;
	s->ui.live.flows_total = s->m.nflows;
	s->ui.live.flows_active = s->m.open_flows;
}

/*
 * Past --ui-max-packets the oldest packets go: indices keep counting, the
 * flow counts its dropped packets, the timeline says so above the ladder and
 * its selection moves to the earliest packet left; details of the others
 * still read back; the graph, the status bar and the info view follow.
 */
START_TEST(test_live_packet_limit)
{
	struct session s;
	struct replay r;
	struct model_limits limits = {.packets = 100};
	limited_session_open(&s, &r, "demo.pcap", &limits, 60);
	ck_assert_uint_eq(s.m.packets_first, 0);
	key(&s, UK_ENTER);
	key(&s, UK_END); /* the last packet so far, index 59 */
	ck_assert_int_lt(find_row(&s.c, "earlier packet"), 0);

	replay_packets(&r, &s.m, 240);
	ck_assert_uint_eq(s.m.npackets, 300);
	ck_assert_uint_eq(s.m.packets_first, 200);
	ck_assert_ptr_null(model_packet_at(&s.m, 199));
	ck_assert_uint_eq(model_packet_at(&s.m, 200)->frame, 201);
	ck_assert_uint_eq(model_flow(&s.m, 1)->packets_dropped, 200);
	ck_assert_uint_eq(model_find_frame(&s.m, 150), UINT64_MAX);
	ck_assert_uint_eq(model_find_frame(&s.m, 250), 249);
	struct model_detail d;
	char err[256];
	ck_assert_int_eq(model_read_detail(&s.m, 150, &d, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "dropped from memory"));
	ck_assert_msg(model_read_detail(&s.m, 250, &d, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(d.pkt.frame, 251);

	/* The timeline (its selection was dropped): the count on top, the first packet left selected. */
	ui_update(&s.ui);
	ui_draw(&s.ui, &s.c);
	ck_assert_msg(row_has(&s.c, 2, "… 200 earlier packets dropped from memory"), "row 2 of the timeline");
	ck_assert(row_has(&s.c, 3, "201 "));
	ck_assert(attr_of(&s.c, 3, "201") & RA_SELECTED);
	ck_assert_int_ge(find_row(&s.c, "Frame 201 "), 0); /* the detail pane */
	key(&s, UK_HOME);
	key(&s, 'n');
	key(&s, UK_DOWN);

	/* The rest of the capture: the graph reads what is left, and lets go of what goes. */
	key(&s, 'g');
	ck_assert_int_ge(find_row(&s.c, "data"), 0);
	replay_packets(&r, &s.m, UINT64_MAX);
	ck_assert_uint_eq(s.m.packets_first, 340);
	ui_update(&s.ui);
	ui_draw(&s.ui, &s.c);
	key(&s, 'q');
	ck_assert_msg(row_has(&s.c, 2, "340 earlier packets dropped from memory"), "row 2 of the timeline");
	ck_assert(row_has(&s.c, 3, "341 "));
	ck_assert_msg(model_read_detail(&s.m, 439, &d, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(d.rel_ack, 300002);

	/* The status bar and the info view count what was dropped. */
	take_counts(&s);
	key(&s, 'q');
	ck_assert_msg(row_has(&s.c, 39, "│ 10.5 MB (dropped: 340 pkts)"), "status bar");
	key(&s, 'i');
	ck_assert_int_ge(find_row(&s.c, "in memory      100 packets (the last 100 at most: --ui-max-packets), 1 flows"),
			 0);
	ck_assert_int_ge(find_row(&s.c, "dropped        340 packets, the oldest; 0 closed flows"), 0);
	session_close(&s);
	replay_close(&r);
}
END_TEST

/*
 * Findings on dropped packets go with them (the findings view says how many);
 * past --ui-max-history the flows closed first are dropped, even while the
 * display is paused, and a timeline left open on one says so.
 */
START_TEST(test_live_findings_and_history)
{
	struct session s;
	struct replay r;
	struct model_limits limits = {.packets = 15, .history = 2};
	limited_session_open(&s, &r, "port-reuse.pcap", &limits, 12);
	ck_assert_uint_eq(s.m.nfindings, 1);
	ck_assert_uint_eq(s.m.findings_first, 0);
	key(&s, 'p'); /* paused: rows neither come nor move, but dropped flows go */
	key(&s, UK_ENTER);
	ck_assert(row_has(&s.c, 0, "Flow 1 "));

	replay_packets(&r, &s.m, UINT64_MAX);
	ck_assert_uint_eq(s.m.packets_first, 25);
	/* Findings on frames 11 and 21 went with their packets; the one on frame 31 stays. */
	ck_assert_uint_eq(s.m.nfindings, 3);
	ck_assert_uint_eq(s.m.findings_first, 2);
	ck_assert_ptr_null(model_finding_at(&s.m, 1));
	ck_assert_uint_eq(model_finding_at(&s.m, 2)->frame, 31);
	/* Four flows closed (three ended by port reuse, one in TIME-WAIT): the first two are dropped. */
	ck_assert_uint_eq(s.m.flows_dropped, 2);
	ck_assert_ptr_null(model_flow(&s.m, 1));
	ck_assert_ptr_null(model_flow(&s.m, 2));
	ck_assert_uint_eq(model_flow(&s.m, 3)->packets_dropped, 5);
	ck_assert_uint_eq(model_flow(&s.m, 4)->packets_dropped, 0);

	ui_draw(&s.ui, &s.c);
	ck_assert_msg(row_has(&s.c, 0, "Flow 1 (closed, dropped from memory)"), "timeline title");
	key(&s, 'q');
	/* Paused: flows 1 and 2 went, flows 3 and 4 wait for p. */
	ck_assert_int_ge(find_row(&s.c, "Paused: p shows what was captured since."), 0);
	key(&s, 'p');
	ck_assert_msg(row_has(&s.c, 0, "Flows 1/2"), "flows title");
	ck_assert(row_has(&s.c, 2, "    3 "));
	take_counts(&s);
	ui_draw(&s.ui, &s.c);
	ck_assert_msg(row_has(&s.c, 39, "│ 10.5 MB (dropped: 25 pkts, 2 flows)"), "status bar");
	s.ui.live.memory = 0;
	ui_draw(&s.ui, &s.c);
	ck_assert_msg(row_has(&s.c, 39, "● 3 │ dropped from memory: 25 pkts, 2 flows"), "status bar");

	/* Flow 3 kept its last five packets; the findings view shows the finding left. */
	key(&s, UK_ENTER);
	ck_assert(row_has(&s.c, 2, "5 earlier packets dropped from memory"));
	ck_assert(row_has(&s.c, 3, "26 "));
	key(&s, 'q');
	key(&s, 'f');
	ck_assert_msg(row_has(&s.c, 0, "3 notes (2 earlier dropped from memory)"), "findings title");
	key(&s, UK_DOWN);
	ck_assert(row_has(&s.c, 2, "frame 31"));
	key(&s, UK_ENTER);
	ck_assert(row_has(&s.c, 0, "Flow 4 "));
	session_close(&s);
	replay_close(&r);
}
END_TEST

/*
 * A rotating temporary file: packets are read back from the segment they
 * were saved in; with MODEL_SEGMENTS open, a new segment drops the oldest
 * with its packets.
 */
START_TEST(test_live_segments)
{
	struct model m;
	struct replay r;
	struct model_limits limits = {.packets = 1000};
	replay_open_with(&r, &m, "demo.pcap", &limits, 150);
	replay_packets(&r, &m, 299);
	ck_assert_uint_eq(m.nsegments, 2);
	ck_assert_uint_eq(m.packets_first, 0);
	struct model_detail d;
	char err[256];
	ck_assert_msg(model_read_detail(&m, 20, &d, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(d.rel_seq, 15929); /* frame 21 */
	ck_assert_msg(model_read_detail(&m, 298, &d, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(d.pkt.frame, 299);

	replay_packets(&r, &m, UINT64_MAX); /* a third segment from packet 300 */
	ck_assert_uint_eq(m.nsegments, 2);
	ck_assert_uint_eq(m.segments[0].first, 150);
	ck_assert_uint_eq(m.segments[1].first, 300);
	ck_assert_uint_eq(m.packets_first, 150);
	ck_assert_uint_eq(model_flow(&m, 1)->packets_dropped, 150);
	ck_assert_int_eq(model_read_detail(&m, 149, &d, err, sizeof err), -1);
	for (uint64_t i = 150; i < 440; i += 17) {
		ck_assert_msg(model_read_detail(&m, i, &d, err, sizeof err) == 0, "%s", err);
		ck_assert_uint_eq(d.pkt.frame, i + 1);
	}
	ck_assert_msg(model_read_detail(&m, 439, &d, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(d.rel_ack, 300002);
	replay_close(&r);
	model_close(&m);
}
END_TEST

/* A made-up packet view of a flow, enough for the model's sink, with a finding on it (as a flood may make). */
static void fake_packet(const struct engine_sink *sink, uint64_t frame, uint32_t flow)
{
	struct finding fd;
	memset(&fd, 0, sizeof fd);
	fd.frame = frame;
	fd.flow = flow;
	fd.id = F_HS_SYN_ISN_CHANGED;
	snprintf(fd.message, sizeof fd.message, "finding on frame %llu", (unsigned long long)frame);
	sink->finding(sink->ctx, &fd);
	struct packet p;
	memset(&p, 0, sizeof p);
	p.frame = frame;
	p.time_ns = (int64_t)frame * 1000;
	p.ip_version = 4;
	p.flags = TCP_ACK;
	p.payload_len = 100;
	struct packet_view v;
	memset(&v, 0, sizeof v);
	v.pkt = &p;
	v.flow_id = flow;
	v.window_shift = -1;
	v.state[0] = v.state[1] = TCPS_ESTABLISHED;
	sink->packet(sink->ctx, &v);
}

/*
 * Hours in a few seconds: 300 000 packets over 30 000 flows, each ended and
 * each packet with a finding, with room for 70 000 packets and 100 closed
 * flows. Memory stays that of the limits (three chunks of packets at most,
 * one spare; one finding for eight packets), and every index and id left
 * resolves.
 */
START_TEST(test_live_bounded)
{
	struct model m;
	struct replay r;
	struct model_limits limits = {.packets = 70000, .history = 100};
	replay_open_with(&r, &m, "demo.pcap", &limits, 0);
	struct engine_sink sink = model_sink(&m);
	size_t peak = 0;
	uint64_t frame = 0;
	for (uint32_t flow = 1; flow <= 30000; flow++) {
		for (int k = 0; k < 10; k++)
			fake_packet(&sink, ++frame, flow);
		struct flow_summary sum = model_flow(&m, flow)->s;
		sink.flow_end(sink.ctx, &sum);
		if (model_memory(&m) > peak)
			peak = model_memory(&m);
	}
	ck_assert_uint_eq(m.npackets, 300000);
	ck_assert_uint_eq(m.packets_first, 230000);
	ck_assert_uint_le(m.nchunks, 3);
	ck_assert_ptr_nonnull(m.spare_chunk);
	ck_assert_uint_le(peak,
			  5 * 65536 * sizeof(struct model_packet) + 3 * 8751 * (sizeof(struct model_finding) + 32));
	ck_assert_uint_eq(m.nfindings, 300000);
	ck_assert_uint_eq(m.nfindings - m.findings_first, 70000 / 8 + 1);
	ck_assert_uint_eq(m.severity[SEV_WARNING], 300000);
	for (size_t i = m.findings_first; i < m.nfindings; i += 97) {
		char want[64];
		snprintf(want, sizeof want, "finding on frame %zu", i + 1);
		ck_assert_str_eq(model_finding_message(&m, model_finding_at(&m, i)), want);
	}
	for (uint64_t i = m.packets_first; i < m.npackets; i += 999)
		ck_assert_uint_eq(model_packet_at(&m, i)->frame, i + 1);
	ck_assert_uint_eq(m.flows_dropped, 29900);
	ck_assert_uint_le(m.flows_len, 100 + 100 / 8 + 1);
	ck_assert_ptr_null(model_flow(&m, 29900));
	for (uint32_t id = 29901; id <= 30000; id++) {
		ck_assert_uint_eq(model_flow(&m, id)->s.id, id);
		ck_assert_uint_eq(model_flow(&m, id)->packets_dropped, 0);
	}
	uint64_t *vec = NULL, next = 0;
	size_t n = 0, cap = 0;
	model_collect_flow_packets(&m, 29950, &next, &vec, &n, &cap);
	ck_assert_uint_eq(n, 10);
	ck_assert_uint_eq(vec[0], 299490);
	free(vec);
	replay_close(&r);
	model_close(&m);
}
END_TEST

/* ---- filter, formats, wrapping -------------------------------------- */

static bool matches(const struct model_flow *f, const char *expr)
{
	char err[200];
	struct flow_expr *ff = flow_expr_parse(expr, err, sizeof err, NULL);
	ck_assert_msg(ff != NULL, "%s: %s", expr, err);
	bool r = flow_expr_match(ff, &f->s, f->worst ? finding_info(f->worst_id)->code : NULL);
	flow_expr_free(ff);
	return r;
}

START_TEST(test_filter)
{
	struct model m;
	load(&m, "demo.pcap");
	const struct model_flow *f = model_flow(&m, 1);
	ck_assert(matches(f, "port 5000"));
	ck_assert(matches(f, "host 10.77.0.2"));
	ck_assert(!matches(f, "host 10.77.0.3"));
	ck_assert(matches(f, "server 10.77.0.2:5000"));
	ck_assert(!matches(f, "client 10.77.0.2"));
	ck_assert(matches(f, "port 80 or port 5000"));
	ck_assert(!matches(f, "port 80 and port 5000"));
	ck_assert(matches(f, "not port 80"));
	ck_assert(matches(f, "! ( port 80 or flow 2 )"));
	ck_assert(matches(f, "sf time-wait"));
	ck_assert(!matches(f, "REJ"));
	char err[200];
	ck_assert_ptr_null(flow_expr_parse("port", err, sizeof err, NULL));
	ck_assert_str_eq(err, "missing a port number after 'port'");
	ck_assert_ptr_null(flow_expr_parse("port x", err, sizeof err, NULL));
	ck_assert_ptr_null(flow_expr_parse("(port 1", err, sizeof err, NULL));
	ck_assert_ptr_null(flow_expr_parse("port 1 )", err, sizeof err, NULL));
	ck_assert_ptr_null(flow_expr_parse("", err, sizeof err, NULL));
	ck_assert_str_eq(err, "");
	model_close(&m);
}
END_TEST

/* The bytes pane's lines: hex in two groups of eight, ASCII aligned on a short last line, '.' for the rest. */
START_TEST(test_hexdump)
{
	uint8_t data[70000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = i < 20 ? (uint8_t) "GET / HTTP/1.1\r\nHost"[i] : (uint8_t)i;
	char line[HEXDUMP_LINE_MAX];
	ck_assert_uint_eq(hexdump_lines(20), 2);
	ck_assert_uint_eq(hexdump_lines(16), 1);
	ck_assert_uint_eq(hexdump_lines(0), 0);
	hexdump_line(line, data, 20, 0);
	ck_assert_str_eq(line, "0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  GET / HTTP/1.1..");
	hexdump_line(line, data, 20, 1);
	ck_assert_str_eq(line, "0010  48 6f 73 74                                       Host");
	hexdump_line(line, data, 20, 2);
	ck_assert_str_eq(line, "");
	hexdump_line(line, data, sizeof data, 0x10000 / 16);
	ck_assert_str_eq(line, "10000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  ................");
}
END_TEST

START_TEST(test_formats)
{
	char buf[64];
	render_format_count(buf, sizeof buf, 1204);
	ck_assert_str_eq(buf, "1 204");
	render_format_count(buf, sizeof buf, 1000000);
	ck_assert_str_eq(buf, "1 000 000");
	render_format_count(buf, sizeof buf, 999);
	ck_assert_str_eq(buf, "999");
	render_format_bytes(buf, sizeof buf, 5000);
	ck_assert_str_eq(buf, "5000 B");
	render_format_bytes(buf, sizeof buf, 1700000);
	ck_assert_str_eq(buf, "1700.0 KB");
	render_format_bytes(buf, sizeof buf, 17000000);
	ck_assert_str_eq(buf, "17.0 MB");
	render_format_duration(buf, sizeof buf, 56000);
	ck_assert_str_eq(buf, "56 us");
	render_format_duration(buf, sizeof buf, 1234567890);
	ck_assert_str_eq(buf, "1.235 s");
	render_format_duration(buf, sizeof buf, 3723LL * 1000000000);
	ck_assert_str_eq(buf, "62 m 03 s");
}
END_TEST

START_TEST(test_text_and_wrap)
{
	struct render_canvas c;
	render_canvas_init(&c, 10, 3, false);
	ck_assert_int_eq(render_text(&c, 0, 0, 5, RA_NORMAL, "abcdefgh"), 5);
	ck_assert_uint_eq(render_cell_at(&c, 0, 4)->ch, 0x2026);	 /* … */
	ck_assert_int_eq(render_text(&c, 0, 8, 5, RA_NORMAL, "xyz"), 3); /* clipped at the edge */
	render_clear(&c);
	ck_assert_int_eq(render_wrap(&c, 0, 0, 10, 3, RA_NORMAL, "one two three four five six seven"), 3);
	ck_assert_uint_eq(render_cell_at(&c, 0, 0)->ch, 'o');
	ck_assert_uint_eq(render_cell_at(&c, 1, 0)->ch, 't');
	ck_assert_uint_eq(render_cell_at(&c, 2, 9)->ch, 0x2026);
	render_canvas_free(&c);
	render_canvas_init(&c, 10, 1, true);
	render_text(&c, 0, 0, 3, RA_NORMAL, "abcdef");
	ck_assert_uint_eq(render_cell_at(&c, 0, 2)->ch, '~');
	render_text(&c, 0, 4, 3, RA_NORMAL, "é");
	ck_assert_uint_eq(render_cell_at(&c, 0, 4)->ch, '?');
	render_canvas_free(&c);
}
END_TEST

/* No cell of the canvas holds a control character (C0, DEL, C1). */
static void assert_no_controls(const struct render_canvas *c)
{
	for (int y = 0; y < c->height; y++)
		for (int x = 0; x < c->width; x++) {
			uint32_t ch = render_cell_at(c, y, x)->ch;
			ck_assert_msg(ch >= 0x20 && ch != 0x7f && !(ch >= 0x80 && ch < 0xa0), "control %#x at %d,%d",
				      ch, y, x);
		}
}

/* A capture whose name carries escape sequences: the status bar and the info view show them as \xHH. */
START_TEST(test_control_characters_escaped)
{
	struct render_canvas c;
	render_canvas_init(&c, 40, 1, false);
	render_text(&c, 0, 0, 40, RA_NORMAL,
		    "a\x1b[2J\xc2\x9b"
		    "b\x7f");
	assert_no_controls(&c);
	ck_assert(row_contains(&c, 0, "a\\x1b[2J\\xc2\\x9bb\\x7f"));
	render_canvas_free(&c);

	char dir[] = "/tmp/check-render-XXXXXX", path[128], from[512];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/evil\x1b]0;owned\x07\x1b[2J.pcap", dir);
	snprintf(from, sizeof from, "%s/demo.pcap", CAPTURES_DIR);
	FILE *in = fopen(from, "rb"), *out = fopen(path, "wb");
	ck_assert(in && out);
	char buf[4096];
	for (size_t n; (n = fread(buf, 1, sizeof buf, in)) > 0;)
		ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);

	struct session s;
	char err[512];
	struct engine_config cfg;
	engine_config_default(&cfg);
	ck_assert_msg(model_open(&s.m, path, NULL, &cfg, err, sizeof err) == 0, "%s", err);
	model_load_all(&s.m);
	ui_init(&s.ui, &s.m, false);
	views_start(&s.ui);
	render_canvas_init(&s.c, 160, 40, false);
	settle(&s.ui);
	ui_draw(&s.ui, &s.c);
	static const int keys[] = {0, 'i'};
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		if (keys[k])
			key(&s, keys[k]);
		assert_no_controls(&s.c);
		bool shown = false;
		for (int y = 0; y < s.c.height; y++)
			shown |= row_contains(&s.c, y, "evil\\x1b]0;owned\\x07\\x1b[2J.pcap");
		ck_assert_msg(shown, "the escaped name is not on screen (view %zu)", k);
	}
	session_close(&s);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* ---- going anywhere, sorting, layouts ------------------------------ */

/* The row of the canvas that shows text, or -1. */
static int row_of(const struct render_canvas *c, const char *text)
{
	for (int y = 0; y < c->height; y++)
		if (row_has(c, y, text))
			return y;
	return -1;
}

static void type(struct session *s, const char *text)
{
	for (const char *p = text; *p; p++)
		key(s, (unsigned char)*p);
}

/* The detail pane's first line at 120x40 says which packet is selected. */
#define DETAIL_ROW (39 - 12 + 1)

/* / finds a frame inside a fold and opens that fold; a number is that frame, not every frame containing its digits. */
START_TEST(test_search_into_fold)
{
	struct session s;
	session_open(&s, "demo.pcap", 120, 40);
	key(&s, UK_ENTER);
	ck_assert_int_ge(row_of(&s.c, "frames 83-157"), 0);
	key(&s, '/');
	type(&s, "100");
	key(&s, UK_ENTER);
	ck_assert(row_contains(&s.c, DETAIL_ROW, "Frame 100 "));
	int y = row_of(&s.c, "├◀─────PSH,ACK─┤               58377");
	ck_assert_int_gt(y, 0);
	ck_assert(render_cell_at(&s.c, y, 0)->attr & RA_SELECTED);
	ck_assert(row_has(&s.c, y, "100 0.230386"));
	ck_assert_int_lt(row_of(&s.c, "frames 83-157"), 0); /* its fold is open */
	ck_assert_int_ge(row_of(&s.c, "frames 25-81"), 0);  /* the others are not */
	/* "/1" is frame 1, not 10 or 21: from frame 100 it wraps around to the top. */
	key(&s, '/');
	type(&s, "1");
	key(&s, UK_ENTER);
	ck_assert(row_contains(&s.c, DETAIL_ROW, "Frame 1 "));
	/* A word still searches folded packets: the first dup ACK after frame 1 is frame 83, in a fold. */
	key(&s, '/');
	type(&s, "dup ACK");
	key(&s, UK_ENTER);
	ck_assert(row_contains(&s.c, DETAIL_ROW, "Frame 83 "));
	session_close(&s);
}
END_TEST

/*
 * A capture whose frame 1 is ARP and frames 2-8 a connection over IPv6
 * between [2001:db8:85a3::8a2e:370:7334]:51234 and [2001:db8:85a3::1bb]:443
 * (or, long, between two addresses of eight groups). Written into dir.
 */
static void write_ipv6_capture(const char *path, bool long_addresses)
{
	static const char *const lines[] = {
		"> S 0:0(0) win 64240 <mss 1440,sackOK,TS val 100 ecr 0,nop,wscale 7>",
		"+0.010 < S. 0:0(0) ack 1 win 65160 <mss 1440,sackOK,TS val 200 ecr 100,nop,wscale 7>",
		"+0.010 > . 1:1(0) ack 1 win 502 <nop,nop,TS val 110 ecr 200>",
		"+0.001 > P. 1:101(100) ack 1 win 502 <nop,nop,TS val 111 ecr 200>",
		"+0.010 < F. 1:1(0) ack 101 win 509 <nop,nop,TS val 210 ecr 111>",
		"+0.001 > F. 101:101(0) ack 2 win 502 <nop,nop,TS val 112 ecr 210>",
		"+0.010 < . 2:2(0) ack 102 win 509 <nop,nop,TS val 220 ecr 112>",
	};
	static const uint8_t client[16] = {0x20, 0x01, 0x0d, 0xb8, 0x85, 0xa3, 0,    0,
					   0,	 0,    0x8a, 0x2e, 0x03, 0x70, 0x73, 0x34};
	static const uint8_t server[16] = {0x20, 0x01, 0x0d, 0xb8, 0x85, 0xa3, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xbb};
	static const uint8_t long_client[16] = {0x20, 0x01, 0x0d, 0xb8, 0x4f, 0x10, 0xa0, 0xc2,
						0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81};
	static const uint8_t long_server[16] = {0x20, 0x01, 0x0d, 0xb8, 0x4f, 0x10, 0xa0, 0xc2,
						0x9a, 0x8b, 0x7c, 0x6d, 0x5e, 0x4f, 0x30, 0x21};
	struct scenario sc;
	scenario_init(&sc);
	sc.ip_version = 6;
	memcpy(sc.client_addr, long_addresses ? long_client : client, 16);
	memcpy(sc.server_addr, long_addresses ? long_server : server, 16);
	sc.client_port = 51234;
	sc.server_port = 443;
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(dead, path);
	ck_assert_ptr_nonnull(d);
	uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1};
	struct pcap_pkthdr hdr = {.ts = {.tv_sec = 999}, .caplen = sizeof arp, .len = sizeof arp};
	pcap_dump((u_char *)d, &hdr, arp);
	uint8_t buf[2048];
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		int64_t t;
		size_t len = scenario_frame(&sc, lines[i], buf, sizeof buf, &t);
		hdr = (struct pcap_pkthdr){
			.ts = {.tv_sec = (time_t)(t / 1000000000), .tv_usec = (suseconds_t)(t % 1000000000 / 1000)},
			.caplen = (bpf_u_int32)len,
			.len = (bpf_u_int32)len};
		pcap_dump((u_char *)d, &hdr, buf);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

/* : and # go to a frame from any view, or say why they cannot. */
START_TEST(test_goto_frame)
{
	struct session s;
	session_open(&s, "demo.pcap", 120, 40);
	key(&s, ':');
	ck_assert(row_has(&s.c, 39, "go to frame: "));
	type(&s, "300");
	key(&s, UK_ENTER);
	ck_assert_int_eq(s.ui.depth, 2);
	ck_assert(row_contains(&s.c, DETAIL_ROW, "Frame 300 "));
	ck_assert(render_cell_at(&s.c, row_of(&s.c, "300 0.290945"), 0)->attr & RA_SELECTED);
	/* In that flow's timeline, # moves the selection there rather than opening another timeline. */
	key(&s, '#');
	type(&s, "21");
	key(&s, UK_ENTER);
	ck_assert_int_eq(s.ui.depth, 2);
	ck_assert(row_contains(&s.c, DETAIL_ROW, "Frame 21 "));
	/* From the findings view too. */
	key(&s, 'f');
	key(&s, ':');
	type(&s, "440");
	key(&s, UK_ENTER);
	ck_assert_int_eq(s.ui.depth, 4);
	ck_assert(row_contains(&s.c, DETAIL_ROW, "Frame 440 "));
	key(&s, ':');
	type(&s, "441");
	key(&s, UK_ENTER);
	ck_assert(row_has(&s.c, 39, "There is no frame 441: the capture has 440 frames."));
	key(&s, ':');
	type(&s, "x1");
	key(&s, UK_ENTER);
	ck_assert(row_has(&s.c, 39, "Not a frame number: \"x1\"."));
	ck_assert_int_eq(s.ui.depth, 4);
	session_close(&s);

	char dir[] = "/tmp/check-render-XXXXXX", path[128];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/arp-ipv6.pcap", dir);
	write_ipv6_capture(path, false);
	session_open(&s, path, 120, 40);
	key(&s, ':');
	type(&s, "1");
	key(&s, UK_ENTER);
	ck_assert(row_has(&s.c, 39, "Frame 1 is not a TCP packet."));
	ck_assert_int_eq(s.ui.depth, 1);
	key(&s, ':');
	type(&s, "2");
	key(&s, UK_ENTER);
	ck_assert(row_contains(&s.c, DETAIL_ROW, "Frame 2 "));
	session_close(&s);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* The x of the first cell on row y whose attribute (selection aside) is attr, or -1. */
static int find_attr(const struct render_canvas *c, int y, uint8_t attr)
{
	for (int x = 0; x < c->width; x++)
		if ((render_cell_at(c, y, x)->attr & ~RA_SELECTED) == attr)
			return x;
	return -1;
}

/* Tab picks a frame a finding names, shown as a link, and Enter goes there: in the findings view and in the detail
 * pane. */
START_TEST(test_finding_links)
{
	struct session s;
	session_open(&s, "zero-window.pcap", 120, 40);
	key(&s, 'f');
	key(&s, UK_DOWN); /* the finding under its code */
	int y = row_of(&s.c, "zero window from frame 28 to frame 34");
	ck_assert_int_gt(y, 0);
	ck_assert_int_lt(find_attr(&s.c, y, RA_LINK), 0);
	key(&s, UK_TAB);
	ck_assert(row_has(&s.c, 39, "Enter goes to frame 28 (1 of 2 named; Tab the next)."));
	int x = find_attr(&s.c, y, RA_LINK);
	ck_assert_int_gt(x, 0);
	ck_assert_uint_eq(render_cell_at(&s.c, y, x)->ch, '2');
	ck_assert_uint_eq(render_cell_at(&s.c, y, x + 1)->ch, '8');
	ck_assert_uint_ne(render_cell_at(&s.c, y, x + 2)->attr & ~RA_SELECTED, RA_LINK);
	key(&s, UK_TAB);
	ck_assert(row_has(&s.c, 39, "Enter goes to frame 34 (2 of 2 named"));
	key(&s, UK_BACKTAB);
	ck_assert(row_has(&s.c, 39, "Enter goes to frame 28 (1 of 2 named"));
	key(&s, UK_ENTER);
	ck_assert_int_eq(s.ui.depth, 3);
	ck_assert(row_contains(&s.c, DETAIL_ROW, "Frame 28 "));
	/* Without a link picked, Enter opens the finding's own frame as before. */
	key(&s, 'q');
	key(&s, UK_UP);
	key(&s, UK_DOWN);
	key(&s, UK_ENTER);
	ck_assert(row_contains(&s.c, DETAIL_ROW, "Frame 34 "));
	/* The detail pane of frame 34 shows the finding: Tab picks its frames there too. */
	key(&s, UK_TAB);
	y = row_of(&s.c, "tcp.window.zero_stall (note)");
	ck_assert_int_gt(y, DETAIL_ROW);
	x = find_attr(&s.c, y, RA_LINK);
	ck_assert_int_gt(x, 0);
	ck_assert_uint_eq(render_cell_at(&s.c, y, x)->ch, '2');
	key(&s, UK_ENTER);
	ck_assert(row_contains(&s.c, DETAIL_ROW, "Frame 28 "));
	ck_assert_int_eq(s.ui.depth, 3); /* the same timeline moved */
	key(&s, UK_TAB);
	ck_assert(row_has(&s.c, 39, "No finding here names a frame."));
	session_close(&s);
}
END_TEST

/* A column's key (its capital letter, ! for the worst finding) sorts by its column; the same again reverses. */
START_TEST(test_sort_keys)
{
	struct session s;
	session_open(&s, "many-short.pcap", 120, 40);
	key(&s, 'C');
	ck_assert(row_has(&s.c, 1, "CLIENT▲"));
	ck_assert(row_has(&s.c, 39, "Sorted by CLIENT, ascending"));
	char first[200];
	row_text(&s.c, 2, first, sizeof first);
	key(&s, 'C');
	ck_assert(row_has(&s.c, 1, "CLIENT▼"));
	ck_assert(row_has(&s.c, 39, "Sorted by CLIENT, descending"));
	key(&s, UK_END);
	char last[200];
	row_text(&s.c, 38, last, sizeof last);
	ck_assert_str_eq(strstr(last, "10.77."), strstr(first, "10.77."));
	key(&s, '!');
	char head[400];
	row_text(&s.c, 1, head, sizeof head);
	ck_assert_msg(strstr(head, "WORST FINDING▲") != NULL, "%s", head);
	ck_assert(!row_has(&s.c, 1, "CLIENT▼"));
	key(&s, 'I');
	ck_assert(row_has(&s.c, 1, "ID▲"));
	session_close(&s);
}
END_TEST

/* At 80 and 90 columns, IPv6 endpoints show whole and columns go instead; endpoints wider than the screen lose the
 * middle of their address, never the port. */
START_TEST(test_narrow_ipv6)
{
	char dir[] = "/tmp/check-render-XXXXXX", path[128], wide[128];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/ipv6.pcap", dir);
	snprintf(wide, sizeof wide, "%s/ipv6-long.pcap", dir);
	write_ipv6_capture(path, false);
	write_ipv6_capture(wide, true);
	static const int widths[] = {80, 90, 120};
	for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		struct session s;
		session_open(&s, path, widths[i], 24);
		ck_assert_msg(row_has(&s.c, 2, "[2001:db8:85a3::8a2e:370:7334]:51234 [2001:db8:85a3::1bb]:443"),
			      "the endpoints are cut at %d columns", widths[i]);
		ck_assert(row_has(&s.c, 1, "ID"));
		if (widths[i] == 80) {
			ck_assert(!row_has(&s.c, 1, "WORST FINDING")); /* no room left for it */
			ck_assert(!row_has(&s.c, 1, "PKTS"));
		} else if (widths[i] == 120) {
			ck_assert(row_has(&s.c, 1, "WORST FINDING"));
			ck_assert(row_has(&s.c, 1, "PKTS"));
		}
		session_close(&s);
	}
	struct session s;
	session_open(&s, wide, 80, 24);
	char line[200];
	row_text(&s.c, 2, line, sizeof line);
	ck_assert_msg(strstr(line, "[2001:db8:4f10…3c4d:5e6f:7081]:51234 ") != NULL, "%s", line);
	ck_assert_msg(strstr(line, "[2001:db8:4f10:a…:7c6d:5e4f:3021]:443") != NULL, "%s", line);
	session_close(&s);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(unlink(wide), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* A prompt text longer than the status bar shows its end, where the typing is. */
START_TEST(test_prompt_never_cut)
{
	struct session s;
	session_open(&s, "demo.pcap", 80, 24);
	key(&s, UK_ENTER);
	key(&s, '/');
	type(&s, "retransmission and something else typed until the end goes past the bar XYZ");
	char line[400];
	row_text(&s.c, 23, line, sizeof line);
	ck_assert_msg(strstr(line, "search (frame, flag, state, label, code): …") != NULL, "%s", line);
	ck_assert_msg(strstr(line, "past the bar XYZ") != NULL, "%s", line);
	ck_assert(render_cell_at(&s.c, 23, 79)->attr & RA_SELECTED); /* the cursor, in the last column */
	session_close(&s);
}
END_TEST

/* While a file loads, the flows view shows the flows loaded so far, however many there are. */
START_TEST(test_flows_while_loading)
{
	char dir[] = "/tmp/check-render-XXXXXX", path[128], cmd[512];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/syns.pcap", dir);
	snprintf(cmd, sizeof cmd, "%s %s 400000", SYNPCAP, path);
	ck_assert_int_eq(system(cmd), 0);
	struct session s;
	char err[512];
	struct engine_config cfg;
	engine_config_default(&cfg);
	ck_assert_msg(model_open(&s.m, path, NULL, &cfg, err, sizeof err) == 0, "%s", err);
	ui_init(&s.ui, &s.m, false);
	views_start(&s.ui); /* no flow loaded yet */
	render_canvas_init(&s.c, 120, 40, false);
	ui_draw(&s.ui, &s.c);
	ck_assert_int_ge(row_of(&s.c, "Loading: no TCP flow yet."), 0);
	/* Past the 20 000 flows above which the list is rebuilt at most once a second. */
	while (s.m.loading && s.m.flows_len <= 30000)
		model_load_step(&s.m, 5000000);
	ck_assert(s.m.loading);
	ui_update(&s.ui);
	ui_draw(&s.ui, &s.c);
	ck_assert_int_lt(row_of(&s.c, "Loading: no TCP flow yet."), 0);
	ck_assert(row_has(&s.c, 2, "10.0.0.0:1024"));
	ck_assert(row_has(&s.c, 39, "loading"));
	session_close(&s);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *render_suite(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("goldens");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_golden, 0, (int)(sizeof goldens / sizeof goldens[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_add_test(tc, test_packet_record_is_32_bytes);
	tcase_add_test(tc, test_model_counts);
	tcase_add_test(tc, test_model_gives_the_flows_memory_back);
	tcase_add_test(tc, test_model_detail);
	tcase_add_test(tc, test_model_late_finding_mark);
	tcase_add_test(tc, test_model_incremental);
	tcase_add_test(tc, test_model_open_error);
	suite_add_tcase(s, tc);

	tc = tcase_create("navigation");
	tcase_add_test(tc, test_search_into_fold);
	tcase_add_test(tc, test_goto_frame);
	tcase_add_test(tc, test_finding_links);
	tcase_add_test(tc, test_sort_keys);
	tcase_add_test(tc, test_narrow_ipv6);
	tcase_add_test(tc, test_prompt_never_cut);
	tcase_add_test(tc, test_flows_while_loading);
	suite_add_tcase(s, tc);

	tc = tcase_create("views");
	tcase_add_test(tc, test_flows_finding_colour);
	tcase_add_test(tc, test_quit_and_back);
	tcase_add_test(tc, test_graph_lines_on_scale);
	tcase_add_test(tc, test_graph_cursor_to_timeline);
	tcase_add_test(tc, test_timeline_jumps);
	tcase_add_test(tc, test_timeline_selection_by_packet);
	tcase_add_test(tc, test_timeline_search);
	tcase_add_test(tc, test_info_view);
	tcase_add_test(tc, test_resize);
	tcase_add_test(tc, test_ladder_print);
	tcase_add_test(tc, test_ladder_zero_window_reopening);
	suite_add_tcase(s, tc);

	tc = tcase_create("live");
	tcase_add_test(tc, test_live_model);
	tcase_add_test(tc, test_live_status_bar);
	tcase_add_test(tc, test_live_history);
	tcase_add_test(tc, test_live_packet_limit);
	tcase_add_test(tc, test_live_findings_and_history);
	tcase_add_test(tc, test_live_segments);
	tcase_add_test(tc, test_live_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, test_filter);
	tcase_add_test(tc, test_formats);
	tcase_add_test(tc, test_hexdump);
	tcase_add_test(tc, test_text_and_wrap);
	tcase_add_test(tc, test_control_characters_escaped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(render_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
