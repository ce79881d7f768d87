/*
 * text-safe.h - the one rule for strings that come from a capture, the
 * system or the user (file names, interface names and descriptions, error
 * messages that quote input) on their way to a terminal, the text report or
 * stderr: every control character and every byte that is not part of valid
 * UTF-8 is shown as \xHH, so no such string can move the cursor, change
 * colours, set the window title or otherwise drive the terminal.
 *
 * Controls are C0 (0x00-0x1f, ESC among them), DEL (0x7f) and C1 (U+0080 to
 * U+009F, which some terminals obey when they arrive UTF-8 encoded: each of
 * their two bytes is shown). Everything else, backslashes included, is kept
 * as it is, so ordinary text prints unchanged. JSON output escapes with
 * JSON's own rules instead (output-json.c).
 */
#ifndef TCPSCOPE_TEXT_SAFE_H
#define TCPSCOPE_TEXT_SAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Whether s prints as it is (nothing to escape). */
bool text_is_safe(const char *s);

/* s made safe into dst (len bytes, always terminated, cut at a whole character or escape); returns dst. */
char *text_safe(char *dst, size_t len, const char *s);

/* Writes s made safe to out. */
void text_safe_write(FILE *out, const char *s);

#endif
