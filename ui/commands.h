/*
 * commands.h - the options every command shares and the commands themselves.
 * main.c parses the command line into struct options; each cmd_* function
 * runs one command and returns the process exit status (0, 1 or 2).
 */
#ifndef TCPSCOPE_COMMANDS_H
#define TCPSCOPE_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "live.h"
#include "model.h"

struct options {
	struct engine_config engine;
	uint32_t threads; /* --threads: report and check split each file's flows over this many (report-run.h) */
	const char *filter;
	const char *format; /* "text", "json" or NULL (the command's default) */
	char *read_file;
	uint32_t flow_id;
	const char *command;	/* the command word, NULL without one */
	const char *flow_arg;	/* --flow as written (check takes a selector) */
	const char *where;	/* --where EXPR: a flow expression (src/report-expr.h) */
	const char *write_file; /* extract -w FILE */
	/* check (SPEC §11): option values, validated by cmd_check */
	const char *expect_file, *script_file, *fail_on;
	const char *sut, *tolerance_usecs, *tolerance_percent; /* packetdrill scripts (docs/ci.md) */
	bool strict_segments, peer_from_trace;
	char **allow, **deny;
	int nallow, ndeny;
	bool list;
	/* UI and timeline: --ascii, --color, --width */
	bool ascii;
	const char *color;
	int width;
	bool markdown;
	/* live capture (SPEC §10): -i, -s, -B, -p, -w, -c, --duration, -Z */
	struct live_config live;
	bool list_interfaces;		      /* -D */
	bool idle_timeout_set, max_flows_set; /* else cmd_live applies the live defaults */
	struct model_limits ui_limits;	      /* --ui-max-packets, --ui-max-history: what the live UI keeps */
	bool ui_limits_set;
	bool join; /* --join: the files named are the parts of one capture */
	char **args;
	int nargs;
};

/*
 * Parses the options after the command word (ui/options.c) into o, leaving
 * the positional arguments in o->args; 0, or the exit status after an error
 * it has printed. --help and --version print and exit.
 */
int options_parse(int argc, char **argv, struct options *o);
/* The --help text. */
void options_usage(FILE *out);

/* The files of the one capture a command reads: all of them with --join, else the first. */
#define OPTIONS_PATHS(o) ((const char *const *)(o)->args)
#define OPTIONS_NPATHS(o) ((o)->join ? (size_t)(o)->nargs : (size_t)1)
/* Whether the command names one capture: one file, or parts to --join. */
#define OPTIONS_ONE_CAPTURE(o) ((o)->nargs == 1 || ((o)->join && (o)->nargs > 0))

int cmd_report(struct options *o);
/* The JSON reports of --shard 1/N ... N/N as the one report of the whole input (SPEC §12). */
int cmd_merge(struct options *o);
int cmd_packets(struct options *o);
int cmd_explain(struct options *o);
/* The frames of some flows, unchanged, into a new capture file (`extract`). */
int cmd_extract(struct options *o);
/* Pass or fail captures against a findings policy, expectations and a script (SPEC §11). */
int cmd_check(struct options *o);
/* The ladder diagram of one flow as plain text (SPEC §5.3). */
int cmd_timeline(struct options *o);
/* No command word: the UI on a terminal, else a report (or a JSON stream). */
int cmd_default(struct options *o);
/* The interactive UI on one capture file (SPEC §6). */
int cmd_ui(struct options *o);
/* The interactive UI on a live capture opened with cfg.save_temporary or -w (SPEC §10); the caller closes lv. */
int cmd_ui_live(struct options *o, struct live *lv);
/* Sets the locale; true if output must be ASCII (--ascii or a locale that is not UTF-8). */
bool cmd_locale_ascii(const struct options *o);
/* -i IFACE: capture live; the UI on a terminal, else a JSON Lines stream (SPEC §10). */
int cmd_live(struct options *o);
/* -D: the interfaces live capture can use. */
int cmd_list_interfaces(struct options *o);

struct flow_expr;
/* Parses --where EXPR; NULL after printing the problem (exit 2). */
struct flow_expr *cmd_parse_where(const char *text);
struct report;
/* Sets chosen[id] (ids up to max_id) for each flow of the finished report where selects; returns how many. */
size_t cmd_where_flows(const struct report *r, const struct flow_expr *where, uint8_t *chosen, size_t max_id);
/* Prints "tcpscope: MESSAGE" to stderr, made terminal-safe (text-safe.h). */
void cmd_error(const char *message);
/* Formats a message, prints it with cmd_error() and returns 2. */
int cmd_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
