/*
 * views.c - the catalogue of views: the one place that knows every view's
 * constructor. It fills the UI's struct ui_open, through which ui.c (the
 * global keys, "go to frame") and the views (a flow's timeline from the
 * flows or the findings, its graphs from the timeline and back) open one
 * another, so each of them calls only downwards; then it opens the start
 * view.
 */
#include "config.h"

#include "views.h"

static const struct ui_open every_view = {
	.timeline = view_timeline_new,
	.timeline_show = view_timeline_show,
	.graph = view_graph_new,
	.findings = view_findings_new,
	.info = view_info_new,
	.help = view_help_new,
};

void views_start(struct ui *ui)
{
	ui->open = &every_view;
	ui_push(ui, view_flows_new(ui));
}
