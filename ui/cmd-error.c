/*
 * cmd-error.c - how every command tells the user what went wrong: one line
 * "tcpscope: MESSAGE" on stderr, made terminal-safe, since a message may
 * quote a file name or a capture's bytes (STYLE.md principle 12: src/ fills
 * a buffer, the program prints it). Usage errors exit with status 2.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "commands.h"
#include "text-safe.h"

void cmd_error(const char *message)
{
	fputs("tcpscope: ", stderr);
	text_safe_write(stderr, message);
	fputc('\n', stderr);
}

int cmd_usage_error(const char *fmt, ...)
{
	char message[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	cmd_error(message);
	return 2;
}
