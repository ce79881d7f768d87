/*
 * cmd-timeline.c - `tcpscope timeline --flow ID FILE` (SPEC §5.3): one
 * flow's ladder diagram as plain text, drawn by the same renderer as the
 * UI's timeline view (ladder.c) without colour, at 100 columns unless
 * --width says otherwise. Folded runs stay folded, as on screen.
 */
#include "config.h"

#include <stdio.h>

#include "commands.h"
#include "ladder.h"
#include "model.h"

#define DEFAULT_WIDTH 100
#define MIN_WIDTH 60

int cmd_timeline(struct options *o)
{
	if (o->nargs != 1 && !(o->join && o->nargs > 0))
		return cmd_usage_error("timeline needs exactly one capture file (or --join and its parts)");
	if (!o->flow_id)
		return cmd_usage_error("timeline needs --flow ID (the IDs are in 'tcpscope report FILE')");
	int width = o->width ? o->width : DEFAULT_WIDTH;
	if (width < MIN_WIDTH)
		return cmd_usage_error("--width must be at least %d", MIN_WIDTH);
	bool ascii = cmd_locale_ascii(o);
	struct model m;
	char err[CAPTURE_ERRBUF_SIZE];
	if (model_open_files(&m, OPTIONS_PATHS(o), OPTIONS_NPATHS(o), o->filter, &o->engine, err, sizeof err) != 0) {
		cmd_error(err);
		return 2;
	}
	model_load_all(&m);
	int status = 0;
	const struct model_flow *f = model_flow(&m, o->flow_id);
	if (m.error[0] && m.npackets == 0) {
		cmd_error(m.error);
		status = 2;
	} else if (!f || !f->seen) {
		status = cmd_usage_error("%s has no flow %u (it has %u)", m.path, o->flow_id, m.nflows);
	} else {
		struct ladder l;
		ladder_init(&l, &m, o->flow_id);
		ladder_print(&l, width, ascii, stdout);
		ladder_free(&l);
		if (m.error[0]) {
			cmd_error(m.error);
			status = 2;
		}
	}
	model_close(&m);
	return status;
}
