/*
 * export.c - `w` and `W`: the frames of some flows of the model into a new
 * capture file (export.h).
 *
 * The prompt's answer comes back through a callback that knows only the
 * owning view, so the flows to write wait in struct ui (export_ids) until
 * it does. An existing file is replaced only when the same name is given
 * twice in a row (the first Enter says it exists).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture-extract.h"
#include "export.h"
#include "mem-alloc.h"

struct frame_at {
	uint64_t frame, offset;
};

static int by_frame(const void *a, const void *b)
{
	uint64_t x = ((const struct frame_at *)a)->frame, y = ((const struct frame_at *)b)->frame;
	return (x > y) - (x < y);
}

int export_flows(struct model *m, const uint32_t *ids, size_t n, const char *path, uint64_t *written, char *err,
		 size_t errlen)
{
	*written = 0;
	if (m->live) {
		snprintf(err, errlen, "a live capture is written with -w FILE; extract flows from that file");
		return -1;
	}
	/* One pass over the packets in memory, the flows looked up in a byte map by id. */
	uint8_t *chosen = xcalloc((size_t)m->nflows + 1, 1);
	for (size_t i = 0; i < n; i++)
		if (ids[i] <= m->nflows)
			chosen[ids[i]] = 1;
	struct frame_at *at = NULL;
	size_t count = 0, cap = 0;
	for (uint64_t i = m->packets_first; i < m->npackets; i++) {
		const struct model_packet *p = model_packet_at(m, i);
		if (p && p->flow <= m->nflows && chosen[p->flow]) {
			at = xgrow(at, &cap, count + 1, sizeof *at);
			at[count++] = (struct frame_at){p->frame, model_packet_offset(p)};
		}
	}
	free(chosen);
	/* Views leave the engine a little out of capture order (held segments): put the frames back in it. */
	qsort(at, count, sizeof *at, by_frame);
	uint64_t *frames = xmalloc((count ? count : 1) * sizeof *frames);
	uint64_t *offsets = xmalloc((count ? count : 1) * sizeof *offsets);
	for (size_t i = 0; i < count; i++) {
		frames[i] = at[i].frame;
		offsets[i] = at[i].offset;
	}
	free(at);
	int rc = capture_extract((const char *const *)m->paths, m->npaths, frames, offsets, count, path, written, err,
				 errlen);
	free(frames);
	free(offsets);
	return rc;
}

static void export_done(struct view *owner, const char *text, bool accepted)
{
	struct ui *ui = owner->ui;
	if (!accepted || !text[0]) {
		ui->export_confirm[0] = '\0';
		return;
	}
	struct stat st;
	if (stat(text, &st) == 0 && strcmp(ui->export_confirm, text) != 0) {
		snprintf(ui->export_confirm, sizeof ui->export_confirm, "%s", text);
		ui_prompt_error(ui, 0, "%s exists: Enter again replaces it, Esc keeps it", text);
		return;
	}
	ui->export_confirm[0] = '\0';
	char err[512];
	uint64_t written;
	if (export_flows(ui->model, ui->export_ids, ui->nexport, text, &written, err, sizeof err) != 0) {
		ui_prompt_error(ui, 0, "%s", err);
		return;
	}
	ui_message(ui, RA_MESSAGE, "Wrote %llu frame%s of %zu flow%s to %s%s", (unsigned long long)written,
		   written == 1 ? "" : "s", ui->nexport, ui->nexport == 1 ? "" : "s", text,
		   ui->model->loading ? " (loading: the frames read so far)" : "");
}

void export_prompt(struct ui *ui, struct view *owner, const uint32_t *ids, size_t n, const char *what)
{
	ui->export_ids = xgrow(ui->export_ids, &ui->export_cap, n ? n : 1, sizeof *ui->export_ids);
	memcpy(ui->export_ids, ids, n * sizeof *ids);
	ui->nexport = n;
	ui->export_confirm[0] = '\0';
	char label[96], name[64];
	snprintf(label, sizeof label, "write %s to (.pcap or .pcapng)", what);
	if (n == 1)
		snprintf(name, sizeof name, "flow-%u.pcap", ids[0]);
	else
		snprintf(name, sizeof name, "flows.pcap");
	ui_prompt_start(ui, owner, label, name, export_done);
}
