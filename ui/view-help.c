/*
 * view-help.c - every key of every view and what the marks and colours mean
 * (key ?), and during a live capture what the live display does. The text
 * uses the canvas's glyph set, so the legend shows the same marks the views
 * draw, in UTF-8 or in ASCII.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "mem-alloc.h"
#include "ui.h"
#include "views.h"

struct help_view {
	struct view v;
	struct ui_text text;
};

static struct help_view *help_of(struct view *v)
{
	return (struct help_view *)v;
}

struct key_help {
	const char *keys, *what;
};

static void section(struct ui_text *t, const char *title, const struct key_help *keys, size_t n)
{
	ui_text_add(t, RA_HEADER, NULL, "%s", title);
	for (size_t i = 0; i < n; i++)
		ui_text_add(t, RA_NORMAL, keys[i].keys, "%s", keys[i].what);
	ui_text_add(t, RA_NORMAL, NULL, "%s", "");
}

#define SECTION(t, title, keys) section(t, title, keys, sizeof keys / sizeof keys[0])

static const struct key_help everywhere[] = {
	{"?", "this help"},
	{"q  Esc", "back to the previous view; q on the flows view quits"},
	{"Q", "quit at once"},
	{"f", "every finding, grouped by code"},
	{"i", "capture info: file, counts, time span, loading"},
	{": #", "go to a frame: its flow's timeline at that packet (or why not: not TCP, no such frame)"},
	{"j k  Down Up", "move the selection"},
	{"PgDn PgUp", "a page down or up (also space and b)"},
	{"Home End", "first, last row (g and G in lists)"},
	{"mouse", "click selects, double-click opens, the wheel scrolls"},
	{"Ctrl-L", "redraw the screen"},
};

static const struct key_help flows[] = {
	{"Enter", "open the flow's timeline (ladder diagram)"},
	{"/", "search: words or an expression as for the filter; n N next, previous"},
	{"\\", "filter: report fields, as --where and --expect take them: retx > 0, duration > 1s,"},
	{"", "conn_state in REJ,S0, state.client == TIME-WAIT, irtt > 10ms, tcp.port == 22;"},
	{"", "host ADDR, port N, client ADDR[:PORT], server ADDR[:PORT], flow ID; any other word"},
	{"", "is text in the row. and, or, not, ( ): port 443 and not SF. A word before an operator"},
	{"", "is a field: an unknown one is shown under the prompt with a caret"},
	{"Esc", "clear the filter"},
	{"s S", "sort by the next column; reverse the order (or click a column heading)"},
	{"I C V ...", "sort by a column (keys below); the same again reverses"},
	{"w", "write the selected flow's frames, unchanged, to a pcap (or .pcapng) for Wireshark"},
	{"W", "write the frames of every flow the filter shows"},
};

/* The flows view's sort keys, four to a line: "I id   C client   ...". */
static void sort_keys(struct ui_text *t)
{
	ui_text_add(t, RA_HEADER, NULL, "%s", "Flows: sort keys");
	char key[2] = "", line[160] = "";
	const char *what;
	size_t n = 0;
	for (int i = 0; view_flows_sort_key(i, key, &what); i++) {
		n += (size_t)snprintf(line + n, sizeof line - n, "%s%c %s", n ? "   " : "", key[0], what);
		if (i % 4 == 3 || !view_flows_sort_key(i + 1, key, &what)) {
			ui_text_add(t, RA_NORMAL, "", "%s", line);
			n = 0;
		}
	}
	ui_text_add(t, RA_NORMAL, NULL, "%s", "");
}

static const struct key_help timeline[] = {
	{"n N", "next, previous packet with a finding or a label"},
	{"Enter", "expand a folded run; on a packet, show or hide its detail"},
	{"d", "show or hide the packet detail pane"},
	{"e", "expand every folded run, or fold them again"},
	{"t", "time column: relative to the flow start, delta, absolute (UTC)"},
	{"r", "sequence and ack numbers: relative (ISN = 0) or absolute"},
	{"/", "search a frame number, flag, state, label or finding code, folded runs too (/ Enter repeats)"},
	{"Tab S-Tab", "pick a frame the packet's findings name (detail pane); Enter goes there"},
	{"g", "graphs of this flow (v cycles the kinds)"},
	{"x", "the pane shows the packet's bytes (hex and ASCII); x again its fields; [ ] scroll"},
	{"w", "write this flow's frames, unchanged, to a pcap (or .pcapng) for Wireshark"},
	{"Home End G", "first, last packet"},
};

static const struct key_help graph[] = {
	{"v", "next kind: time-sequence, throughput, round-trip time, window"},
	{"Left Right", "cursor to the previous, next packet"},
	{"click", "cursor to the packet nearest that time (double click: open it)"},
	{"Enter", "the packet under the cursor in the timeline"},
	{"+ -  wheel", "zoom in, out"},
	{"] [", "zoom the time axis only"},
	{"h l", "pan in time"},
	{"j k  Down Up", "pan in sequence (time-sequence graph)"},
	{"0  Home", "fit the whole flow"},
	{"Tab", "plot the other direction's data"},
};

static const struct key_help findings[] = {
	{"Enter", "on a finding: its packet in the flow's timeline; on a code: fold or open the group"},
	{"Tab S-Tab", "pick a frame the finding's message names; Enter then goes to that frame"},
};

static const struct key_help live[] = {
	{"p", "pause the display (capture goes on; the status bar says PAUSED); p again resumes"},
	{"", "flows that just closed are dimmed for 5 s, then move to the history at the bottom"},
	{"", "status bar: packets/s, kernel drops, flows and active flows, findings, memory"},
};

static void build(struct help_view *hv, const struct render_canvas *c)
{
	const struct render_glyphs *g = c->g;
	struct ui_text *t = &hv->text;
	SECTION(t, "Everywhere", everywhere);
	SECTION(t, "Flows", flows);
	sort_keys(t);
	SECTION(t, "Timeline", timeline);
	SECTION(t, "Graphs", graph);
	SECTION(t, "Findings", findings);
	if (hv->v.ui->live.on)
		SECTION(t, "Live capture", live);
	ui_text_add(t, RA_HEADER, NULL, "Marks");
	ui_text_add(t, RA_ERROR, g->severity[2], "error: the protocol was violated");
	ui_text_add(t, RA_WARNING, g->severity[1], "warning: suspicious, or a capture artefact");
	ui_text_add(t, RA_NOTE, g->severity[0], "note: legal, worth knowing");
	ui_text_add(t, RA_LABEL, g->label, "label, as Wireshark's tcp.analysis flags (retransmission, dup ACK, ...)");
	char arrow[64];
	snprintf(arrow, sizeof arrow, "%s%sSYN%s%s%s", g->tee_right, g->hline, g->hline, g->arrow_right, g->tee_left);
	ui_text_add(t, RA_CLIENT, arrow, "client to server; a state name is printed where it changes");
	snprintf(arrow, sizeof arrow, "%s%s%sACK%s%s", g->tee_right, g->arrow_left, g->hline, g->hline, g->tee_left);
	ui_text_add(t, RA_SERVER, arrow, "server to client");
	ui_text_add(t, RA_FOLD, g->fold, "a folded run of ordinary segments (Enter expands it)");
	ui_text_add(t, RA_NORMAL, "H C", "flows view, handshake and close: %s",
		    c->ascii ? "+ complete/FIN  = simultaneous  x rejected/RST  . incomplete/open  h half  - none"
			     : "✔ complete/FIN  ⇄ simultaneous  ✘ rejected/RST  … incomplete/open  ½ half  · none");
	ui_text_add(t, RA_NORMAL, NULL, "%s", "");
	ui_text_add(t, RA_DIM, NULL, "Codes: tcpscope explain CODE. Docs: docs/ui.md.");
}

static void help_draw(struct view *v, struct render_canvas *c, const struct render_rect *r)
{
	struct help_view *hv = help_of(v);
	if (hv->text.n == 0)
		build(hv, c);
	struct render_rect inner = {.y = r->y + 1, .x = r->x, .h = r->h - 1, .w = r->w};
	ui_text_draw(&hv->text, c, &inner);
}

static int help_key(struct view *v, const struct ui_key *k)
{
	return ui_text_key(&help_of(v)->text, k, v->rect.h - 1);
}

static void help_destroy(struct view *v)
{
	struct help_view *hv = help_of(v);
	ui_text_clear(&hv->text);
	free(hv->text.lines);
	free(hv);
}

static const struct view_ops help_ops = {
	.name = "Help",
	.hints = "j/k scroll  q back",
	.draw = help_draw,
	.key = help_key,
	.destroy = help_destroy,
};

struct view *view_help_new(struct ui *ui)
{
	struct help_view *hv = xcalloc(1, sizeof *hv);
	hv->v.ops = &help_ops;
	hv->v.ui = ui;
	return &hv->v;
}
