/*
 * text-file.c - whole files into memory and messages into error buffers
 * (text-file.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem-alloc.h"
#include "text-file.h"

int errbuf_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

char *text_file_read(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t n = 0, cap = 0;
	char *text = NULL;
	for (;;) {
		/* Room doubles (xgrow), so a large file is read in few calls and copied few times. */
		text = xgrow(text, &cap, n + 4097, 1);
		size_t room = cap - n - 1, got = fread(text + n, 1, room, f);
		n += got;
		if (got < room)
			break;
	}
	text[n] = '\0';
	bool failed = ferror(f);
	fclose(f);
	if (failed) {
		errbuf_set(err, errlen, "%s: read error", path);
		free(text);
		return NULL;
	}
	*len = n;
	return text;
}
