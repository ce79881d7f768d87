/*
 * views.h - the constructors of the views (SPEC §6). Each returns a view to
 * push on the UI's stack; the stack owns it and calls its destroy(). Only
 * views.c, which fills the UI's table of them (struct ui_open), and the flows
 * view's sort keys for the help call these: views open one another through
 * the table.
 */
#ifndef TCPSCOPE_UI_VIEWS_H
#define TCPSCOPE_UI_VIEWS_H

#include <stdbool.h>
#include <stdint.h>

#include "ui.h"

/* Gives ui (after ui_init) the table of views and pushes the start view, the flows. */
void views_start(struct ui *ui);
/* The start view: one row per flow. */
struct view *view_flows_new(struct ui *ui);
/* The i-th sort key of the flows view and the column it sorts by (for the help); false past the last. */
bool view_flows_sort_key(int i, char *key, const char **what);
/* A flow's ladder diagram; selects `frame` if it is one of the flow's packets (0: the first), opening its fold. */
struct view *view_timeline_new(struct ui *ui, uint32_t flow, uint64_t frame);
/* If v is the timeline of flow: selects frame there (opening its fold) and returns true. */
bool view_timeline_show(struct view *v, uint32_t flow, uint64_t frame);
/* A flow's graphs: time-sequence first, `v` for throughput, round-trip time and window. */
struct view *view_graph_new(struct ui *ui, uint32_t flow);
/* Every finding, grouped by code. */
struct view *view_findings_new(struct ui *ui);
/* The capture: file, link type, counts, time span, loading. */
struct view *view_info_new(struct ui *ui);
/* Every key of every view, and what the marks and colours mean. */
struct view *view_help_new(struct ui *ui);

#endif
