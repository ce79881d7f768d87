/*
 * text-file.h - reading a whole file into memory, for the inputs that are
 * parsed as text (check's expectations and scripts, merge's JSON reports),
 * and the one way a fallible function fills its caller's message buffer.
 */
#ifndef TCPSCOPE_TEXT_FILE_H
#define TCPSCOPE_TEXT_FILE_H

#include <stddef.h>

/*
 * The whole file at path, with a NUL after its last byte, its length in
 * *len; the caller frees it. NULL with "PATH: reason" in err.
 */
char *text_file_read(const char *path, size_t *len, char *err, size_t errlen);

/* Formats a one-line message into err; returns -1, for `return errbuf_set(...)`. */
int errbuf_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
