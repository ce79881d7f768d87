/*
 * term.h - the one module that owns the terminal (STYLE.md principle 10,
 * after htop's CRT.c): curses set-up and restore, the signal handlers that
 * guarantee the restore on every exit path, the semantic colour table that
 * turns RA_* attributes into colours (or into bold/reverse in monochrome),
 * copying a canvas to the screen, and reading keys as struct ui_key.
 */
#ifndef TCPSCOPE_UI_TERM_H
#define TCPSCOPE_UI_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include "loop.h"
#include "render.h"
#include "ui.h"

/*
 * Takes over the terminal (alternate screen, raw keys, mouse). Colour only
 * when `color` and the terminal has colours. SIGINT, SIGTERM and SIGHUP stop
 * the one event loop (loop_stop_from_signal). Returns -1 with a message.
 */
int term_open(bool color, char *err, size_t errlen);
/* Gives the terminal back as it was; safe to call twice and from atexit. */
void term_close(void);
void term_size(int *width, int *height);
void term_blit(const struct render_canvas *c);
/* Reads one key if one is waiting; UK_RESIZE when the size changed. */
bool term_read_key(struct ui_key *k);
/*
 * True once SIGINT, SIGTERM or SIGHUP arrived; *status is then the exit
 * status: 0 for SIGINT (Ctrl-C is one way to quit), 128 + the signal otherwise.
 */
bool term_quit_requested(int *status);

#endif
