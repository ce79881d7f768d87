/*
 * script.h - packetdrill-style expected exchanges for `tcpscope check
 * --script` (SPEC §11, docs/ci.md). A script lists the packets of one flow
 * in order, one a line:
 *
 *     +0     > S  0:0(0) win 64240 <mss 1460,sackOK,TS val * ecr 0,nop,wscale *>
 *     +0     < S. 0:0(0) ack 1 <...>
 *     +0.001 > .  1:1(0) ack 1
 *
 * TIME is +SECONDS after the previous packet, SECONDS after the flow's first
 * packet, or '*'; '>' is client to server, '<' server to client; FLAGS are
 * packetdrill's letters (S F R P . U E W, '.' = ACK); sequence numbers are
 * relative (0 = the sender's ISN) as START:END(LEN); ack, win (the raw window
 * field) and the option list are checked only when written, '*' accepts any
 * value and '...' any run of options. A time matches within packetdrill's
 * tolerance: the larger of 4 ms and 12.5 % of the expected gap.
 *
 * The matcher is fed the packet views of the chosen flow in capture order
 * and stops at the first packet that differs from its line; packets after
 * the last line are not checked. A script owns its steps; a matcher borrows
 * its script and copies what it reports.
 */
#ifndef TCPSCOPE_SCRIPT_H
#define TCPSCOPE_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

struct script_step; /* one packet line, defined in script.c */
struct packetdrill_script;

struct script {
	char *name;
	struct script_step *steps;
	size_t count;
	struct packetdrill_script *packetdrill; /* non-NULL: a packetdrill script (packetdrill.h), owned */
};

/* Parses text (named name in messages); NULL with "NAME:LINE:COLUMN: problem" in err. */
struct script *script_parse(const char *text, const char *name, char *err, size_t errlen);
/*
 * Reads a script in either notation (docs/ci.md "Which notation"): with
 * packetdrill set, or when text is not a script of packet lines alone in
 * tcpscope's notation, as packetdrill's. NULL with the error of the reading
 * that got further in err.
 */
struct script *script_load(const char *text, const char *name, bool packetdrill, char *err, size_t errlen);
void script_free(struct script *s);

struct script_result {
	bool pass;
	size_t matched;	    /* lines matched before the first difference */
	unsigned line;	    /* the script line that did not match (0 when all did) */
	uint64_t frame;	    /* the packet that differs; 0 when the flow ended first */
	char expected[256]; /* the script line as written */
	char actual[320];   /* the packet in script notation, "" when the flow ended first */
	char message[320];  /* what differs: "win 65160, expected 65535; ..." */
};

struct script_matcher {
	const struct script *script;
	size_t next; /* the step the next packet must match */
	bool failed;
	uint64_t packets, last_frame;
	int64_t first_ns, prev_ns;
	struct script_result result;
};

void script_matcher_init(struct script_matcher *m, const struct script *s);
/* Feeds the next packet of the flow under test. */
void script_matcher_packet(struct script_matcher *m, const struct packet_view *v);
/* The flow has ended: fills m->result (a missing packet is a failure). */
void script_matcher_finish(struct script_matcher *m);

/* Appends to buf at *n, never past len (the messages of both notations). */
void script_append(char *buf, size_t len, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Seconds with up to six decimals, trailing zeros dropped ("1.5", "0.000046", "2"). */
void script_append_seconds(char *buf, size_t len, size_t *n, int64_t ns);
/* Appends " <mss 1460,nop,...>" for o, nothing without options; SACK block edges less sack_base. */
void script_append_options(char *buf, size_t len, size_t *n, const struct tcp_options *o, uint32_t sack_base);

/* Writes a packet in script notation, its time relative to prev_ns. */
void script_format_packet(char *buf, size_t len, const struct packet_view *v, int64_t prev_ns);

#endif
