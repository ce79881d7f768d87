/*
 * commands.h - the options every command shares and the commands themselves.
 * main.c parses the command line into struct options; each cmd_* function
 * runs one command and returns the process exit status (0, 1 or 2).
 */
#ifndef TCPSCOPE_COMMANDS_H
#define TCPSCOPE_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"

struct options {
	struct engine_config engine;
	const char *filter;
	const char *format; /* "text", "json" or NULL (the command's default) */
	char *read_file;
	uint32_t flow_id;
	bool list;
	char **args;
	int nargs;
};

int cmd_report(struct options *o);
int cmd_packets(struct options *o);
int cmd_explain(struct options *o);
/* No command word: the UI on a terminal, else a report (or a JSON stream). */
int cmd_default(struct options *o);

/* Prints "tcpscope: MESSAGE" to stderr and returns 2. */
int cmd_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
