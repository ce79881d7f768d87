/*
 * ladder.h - one flow as a ladder diagram (SPEC §6.2): the rows, the folds,
 * and their rendering as attributed text. Shared by the timeline view and the
 * `tcpscope timeline` command, which prints the same rows without colour.
 *
 *    NO      TIME  CLIENT        :53484          :5000  SERVER         SEQ ...
 *     1  0.000000  SYN-SENT     ├─SYN─────────────▶┤  SYN-RECEIVED       0 ...
 *     2  0.000043               ├◀─────────SYN,ACK─┤                     0 ...
 *
 * A row is one packet or a fold: a run of at least LADDER_FOLD_MIN ordinary
 * segments (no SYN, FIN or RST, no finding, no state change, no label but
 * duplicate ACKs) shown as one line that counts segments, bytes each way and
 * duplicate ACKs. Folds expand one by one or all at once.
 *
 * The ladder keeps model packet indices only; seq, ack, window and options of
 * the rows on screen are read again from the file as they are drawn. Live,
 * ladder_forget() must run before anything else once the model dropped
 * packets or findings: the indices left all resolve.
 */
#ifndef TCPSCOPE_UI_LADDER_H
#define TCPSCOPE_UI_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frame-links.h"
#include "model.h"
#include "render.h"
#include "ui.h"

#define LADDER_FOLD_MIN 8

struct ladder_row {
	uint32_t first; /* position in the ladder's packet list */
	uint32_t count; /* 1 for a packet, more for a fold */
	uint32_t fold;	/* a fold: 1 + its index in the ladder's folds; 0 for a packet */
	bool unfolded;	/* a packet of an expanded fold */
};

/* What a fold line says, counted once when the rows are built. */
struct ladder_fold {
	uint64_t bytes[2];
	uint32_t dup_acks, window_updates;
};

struct ladder_layout {
	int width;
	bool narrow; /* below 100 columns: short state and label names */
	int no, time, cstate, arrow, sstate, seq, ack, len, win, notes; /* widths; 0 = column left out */
	int x_time, x_cstate, x_arrow, x_sstate, x_seq, x_ack, x_len, x_win, x_notes;
};

struct ladder {
	struct model *model;
	uint32_t flow;
	uint64_t *pkts; /* model packet indices of this flow, in order */
	size_t npkts, pkts_cap;
	uint64_t next_scan;
	uint32_t max_len; /* the longest payload: the LEN column's width */
	size_t *findings; /* indices into model->findings of this flow, by frame */
	size_t nfindings, findings_cap, findings_scanned;
	struct ladder_row *rows;
	size_t nrows, rows_cap;
	struct ladder_fold *folds;
	size_t nfolds, folds_cap;
	uint64_t *expanded; /* model indices of the first packets of expanded folds */
	size_t nexpanded, expanded_cap;
	bool expand_all;
	uint64_t generation;
	enum ui_time_mode time_mode;
	bool absolute_seq;
	struct ladder_layout lay;
};

void ladder_init(struct ladder *l, struct model *m, uint32_t flow);
void ladder_free(struct ladder *l);
/* Catches up with the model; true if the rows changed. */
bool ladder_update(struct ladder *l);
/* Live: lets go of the packets and findings the model dropped; true if the rows changed. */
bool ladder_forget(struct ladder *l);
/* The row that shows a packet (by model index): the nearest one if it is not in this flow. */
size_t ladder_row_of(const struct ladder *l, uint64_t packet);
/* The model index of a row's (first) packet. */
uint64_t ladder_row_packet(const struct ladder *l, size_t row);
/* Expands the fold at row (rows are rebuilt). */
void ladder_expand(struct ladder *l, size_t row);
/* Expands every fold, or folds them all again. */
void ladder_expand_all(struct ladder *l, bool expand);
/* Does the row carry a finding or a label worth jumping to (n/N)? */
bool ladder_row_marked(const struct ladder *l, size_t row);
/*
 * The next packet after row from_row (wrapping around) that matches the word:
 * its frame number, or a word of its flags, states, labels or findings. Folded
 * packets count too: the fold the match is in opens. Returns the match's row,
 * or SIZE_MAX.
 */
size_t ladder_search(struct ladder *l, size_t from_row, const char *word);
/* The frames the findings on a row's packet name, in the order the detail pane shows them; returns how many. */
size_t ladder_row_links(const struct ladder *l, size_t row, struct frame_link *links, size_t max);
/* The row of a packet (by model index) of this flow, opening the fold it is in. */
size_t ladder_reveal(struct ladder *l, uint64_t packet);

/* "Flow 1  10.0.0.1:48512 → 10.0.0.2:80  complete/fin  SF  14 packets  20.0 KB" */
void ladder_describe(const struct ladder *l, const char *arrow, char *buf, size_t len);
/*
 * Fits the columns to a width for the current time and seq modes; the seq
 * and ack columns also fit the numbers of rows [first, end), the rows shown.
 */
void ladder_layout(struct ladder *l, int width, size_t first, size_t end);
void ladder_draw_header(struct ladder *l, struct render_canvas *c, int y, int x);
void ladder_draw_row(struct ladder *l, struct render_canvas *c, int y, int x, size_t row);
/* The whole ladder as plain text: a summary line, the headings, every row (`tcpscope timeline`). */
void ladder_print(struct ladder *l, int width, bool ascii, FILE *out);
/*
 * The detail pane of one packet: every field, options, labels, findings
 * explained. The link-th frame the findings name (ladder_row_links) is drawn
 * as the chosen link; SIZE_MAX for none.
 */
void ladder_draw_detail(struct ladder *l, struct render_canvas *c, const struct render_rect *r, size_t row,
			size_t link);

#endif
