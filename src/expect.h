/*
 * expect.h - the expectation language of `tcpscope check --expect` (SPEC §11,
 * docs/ci.md): a line-oriented list of statements about a report, parsed once
 * and evaluated against each capture's struct report.
 *
 *   flows OP N                    how many flows the capture has
 *   flow SEL FIELD OP VALUE       a field of every selected flow (§5.1 object)
 *   frame N FIELD OP VALUE        a field of frame N's packet view (§5.2 object)
 *   findings WHAT OP N            how many findings match a code, prefix or severity
 *
 * Parsing checks everything that can be checked without a trace: the field
 * exists, the value fits the field (a state name for state.client, a time for
 * irtt, a known label, a known finding code), so a typo is an error with its
 * line and column, never an expectation that silently holds. Evaluation reads
 * the report and, for `frame` expectations, an expect_frames: the packet
 * views of just the frames the set names, copied as the engine emits them
 * (memory grows with the expectations, not the capture). Results own copies
 * of what they report (the report and the frames may be freed first). An
 * expect_set owns its expectations and their text.
 */
#ifndef TCPSCOPE_EXPECT_H
#define TCPSCOPE_EXPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "findings.h"
#include "report.h"
#include "summary.h"

enum expect_op { EXPECT_EQ, EXPECT_NE, EXPECT_LT, EXPECT_LE, EXPECT_GT, EXPECT_GE, EXPECT_IN };

enum expect_form { EXPECT_FLOWS, EXPECT_FLOW, EXPECT_FRAME, EXPECT_FINDINGS };

/* Which flows a `flow` expectation (or `check --flow`) is about. */
enum expect_sel_kind {
	EXPECT_SEL_ALL,
	EXPECT_SEL_ID,
	EXPECT_SEL_PORT,
	EXPECT_SEL_HOST,
	EXPECT_SEL_CLIENT,
	EXPECT_SEL_SERVER
};

struct expect_selector {
	enum expect_sel_kind kind;
	uint32_t id;   /* EXPECT_SEL_ID */
	bool has_addr; /* HOST always; CLIENT/SERVER unless the address is '*' */
	uint8_t ip_version;
	uint8_t addr[16];
	bool has_port; /* PORT always; CLIENT/SERVER with ":PORT" */
	uint16_t port;
};

/* What kind of value a field holds, which decides the operators and units it takes. */
enum expect_type {
	EXPECT_T_COUNT, /* integer, no unit */
	EXPECT_T_BYTES, /* integer, unit B, KB (1000 B) or MB (1000000 B) */
	EXPECT_T_TIME,	/* seconds, unit us, ms or s; compared in nanoseconds */
	EXPECT_T_WORD,	/* a word, compared exactly (== != in) */
	EXPECT_T_ADDR,	/* an IPv4 or IPv6 address */
	EXPECT_T_BOOL,	/* true or false */
};

/* A value: an actual field value, or one the file states. */
struct expect_value {
	bool null;
	enum expect_type type;
	int64_t num;	    /* COUNT, BYTES, TIME (ns), BOOL (0/1) */
	char word[48];	    /* WORD */
	uint8_t ip_version; /* ADDR */
	uint8_t addr[16];
};

struct expect_field; /* a row of the field table in expect.c */

struct expect {
	unsigned line;
	char *text; /* the statement as written, comment and blanks trimmed */
	enum expect_form form;
	struct expect_selector sel;
	uint64_t frame; /* EXPECT_FRAME: the frame number, from 1 */
	const struct expect_field *field;
	char *what; /* findings: a code, "prefix.*", "*" or a severity */
	enum expect_op op;
	struct expect_value *values; /* one, or the list after `in` */
	size_t nvalues;
};

struct expect_set {
	char *name; /* the file name, for messages */
	struct expect *items;
	size_t count;
};

/* Parses text (named name in messages). NULL on error, with "NAME:LINE:COLUMN: problem" in err. */
struct expect_set *expect_parse(const char *text, const char *name, char *err, size_t errlen);
void expect_set_free(struct expect_set *set);

/* Parses a selector ("*", "3", "port 80", "client [fd77::1]:40000", ...); -1 with err. */
int expect_selector_parse(const char *text, struct expect_selector *sel, char *err, size_t errlen);
/* True if the flow is selected (only id, addresses and ports of s are read). */
bool expect_selector_match(const struct expect_selector *sel, const struct flow_summary *s);

/*
 * Finding patterns, shared with the --allow/--deny policy: an exact code, a
 * prefix ending in ".*" (tcp.reset.*) or "*". expect_pattern_check() rejects a
 * pattern no catalogue code matches; it returns -1 with err.
 */
int expect_pattern_check(const char *pattern, char *err, size_t errlen);
bool expect_pattern_match(const char *pattern, enum finding_id id);

/*
 * The packet views of the frames a set's `frame` expectations name. Fill it
 * with expect_frames_packet() from an engine sink: a view is kept if its
 * frame is wanted (the first view of a frame wins), in whatever order views
 * arrive. Owns its arrays.
 */
struct expect_packet; /* one frame's view, copied (expect.c) */
struct expect_frames {
	uint64_t *wanted;	       /* distinct frame numbers, ascending */
	struct expect_packet *packets; /* packets[i] is frame wanted[i], if seen */
	size_t n;
};

void expect_frames_init(struct expect_frames *fr, const struct expect_set *set);
void expect_frames_packet(struct expect_frames *fr, const struct packet_view *v);
void expect_frames_free(struct expect_frames *fr);

/* One flow that breaks a `flow` expectation, or the frame that breaks a `frame` one. */
struct expect_failure {
	uint32_t flow;
	uint64_t frame;	     /* flow: the flow's first frame; frame: the frame named */
	char endpoints[120]; /* "10.0.0.1:40000 > 10.0.0.2:80" */
	struct expect_value actual;
};

struct expect_result {
	const struct expect *e;
	bool pass;
	/* flow: flows the selector chose; frame: 1 if the frame is a TCP packet, else 0; flows/findings: the count */
	size_t selected;
	struct expect_failure *failures; /* flow and frame forms */
	size_t nfailures;
	uint64_t *frames;	/* findings: frames of the matching findings; flows: each flow's first frame */
	enum finding_id *codes; /* findings: the codes of those findings */
	size_t nframes;
	char summary[200]; /* one line: what was found, e.g. "2 of 3 flows differ" */
};

/*
 * Evaluates one expectation against a report and, for the frame form, the
 * frames collected in the same run (fr may be NULL for the other forms);
 * res owns its arrays (expect_result_free).
 */
void expect_eval(const struct expect *e, const struct report *r, const struct expect_frames *fr,
		 struct expect_result *res);
void expect_result_free(struct expect_result *res);

/* Writes a value as the language spells it (57us, 1.5s, 1460, TIME-WAIT, null, "" for no flags). */
void expect_value_format(char *buf, size_t len, const struct expect_value *v);
const char *expect_op_name(enum expect_op op);
/* Writes the values an expectation compares with, as written: "SF", "S1,SF" (with in). */
void expect_values_format(char *buf, size_t len, const struct expect *e);
/* The dotted path of a field, as written in the file. */
const char *expect_field_path(const struct expect_field *f);
/* Formats "ADDR:PORT > ADDR:PORT" for a flow ([v6]:port for IPv6). */
void expect_format_endpoints(char *buf, size_t len, const struct flow_summary *s);

#endif
