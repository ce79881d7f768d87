/*
 * packetdrill.h - packetdrill scripts as they are written, checked against a
 * trace by `tcpscope check --script` (SPEC §11, docs/ci.md "packetdrill
 * scripts").
 *
 *   script text --packetdrill_parse--> events --packetdrill matcher--> result
 *                                                 ^ packet views in capture order
 *
 * The parser reads packetdrill's grammar whole (its parser.y and lexer.l are
 * the reference): option lines (--name=value, at the top or between events),
 * packet lines with every TCP option form, ICMP and UDP lines, system calls
 * with any arguments, backtick shell commands, %{ }% python blocks, // and
 * C comments, times T, +T, *, T~T and blocking calls' ...T. What a trace
 * cannot show (system calls, commands, python, ICMP, UDP) becomes an event
 * that is not checked but keeps its place in the script's timeline.
 *
 * The matcher gives the events packetdrill's meaning. The system under test
 * (SUT) is found from --sut, the script's --local_ip, or its calls (listen
 * or accept: a server; connect or sendto: a client). '<' lines are what
 * was injected into the SUT, '>' what it sent. The SUT's sequence numbers
 * (and the acks and SACK blocks of injected packets) are relative to the
 * SUT's ISN as the script wrote it; the injected side's are absolute. TS
 * values of the SUT are mapped onto the live ones (only checked with
 * --tcp_ts_tick_usecs); an injected TS ecr is mapped back through them. One
 * '>' line may match several TSO/GSO segments unless --strict_segments.
 * Every SYN line that opens a connection starts a new one, bound to the
 * 4-tuple of the first packet it matches; packets of other connections are
 * passed over, as packetdrill passes over packets of other sockets. A
 * script without packet lines expects no packets: every packet of the trace
 * comes after it and none is checked.
 *
 * Ownership: a packetdrill_script owns its events and their texts; a
 * matcher borrows its script and owns its per-event and per-connection
 * arrays, allocated once at init (nothing per packet).
 */
#ifndef TCPSCOPE_PACKETDRILL_H
#define TCPSCOPE_PACKETDRILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define PACKETDRILL_MAX_OPTIONS 20
#define PACKETDRILL_MAX_SACK 4
#define PACKETDRILL_TS_MAP 64 /* remembered script -> live TS val pairs per connection */

enum packetdrill_time {
	PD_TIME_NONE, /* a command before the first or after the last timed event */
	PD_TIME_ABS,
	PD_TIME_REL,
	PD_TIME_ANY,
	PD_TIME_ABS_RANGE,
	PD_TIME_REL_RANGE,
};

enum packetdrill_event_kind {
	PD_EV_TCP, /* a TCP packet line: the only kind a trace is checked against */
	PD_EV_ICMP,
	PD_EV_UDP,
	PD_EV_SYSCALL,
	PD_EV_COMMAND,
	PD_EV_CODE,
	PD_EV_OPTION,
};

/* The IP ECN field a packet line asks for: [noecn], [ect1], [ect0], [ce], [ect01]. */
enum packetdrill_ecn { PD_ECN_UNCHECKED, PD_ECN_NOT_ECT, PD_ECN_ECT1, PD_ECN_ECT0, PD_ECN_CE, PD_ECN_ECT01 };

enum packetdrill_role { PD_ROLE_UNKNOWN, PD_ROLE_CLIENT, PD_ROLE_SERVER };

/* One TCP option of a packet line, with the wire kind it must have. */
struct packetdrill_option {
	uint8_t kind;	 /* TCPOPT_* on the wire */
	bool symbolic;	 /* a value named by a --define (FO TFO_COOKIE): any value */
	uint32_t val[2]; /* mss, wscale, TS val and ecr */
	uint8_t bytes;	 /* FO/FOEXP cookie or md5 digest length */
	uint8_t nsack;	 /* sack L:R ... */
	uint32_t sack[PACKETDRILL_MAX_SACK][2];
};

struct packetdrill_packet {
	bool outbound;	/* '>': sent by the system under test */
	uint8_t flags;	/* TCP_* bits */
	bool ae;	/* the 'A' flag (AccECN) */
	bool ace_digit; /* flags written with the ACE digit (.5): E, W and A as one counter */
	uint32_t seq, len;
	bool has_ack, has_win, has_urg;
	uint32_t ack;
	uint16_t win, urg;
	enum packetdrill_ecn ecn;
	bool options_any; /* <...>: options not checked */
	uint8_t nopts;
	struct packetdrill_option opts[PACKETDRILL_MAX_OPTIONS];
	unsigned conn; /* the connection (0, 1, ...) this line belongs to */
};

struct packetdrill_event {
	unsigned line, column;
	enum packetdrill_event_kind kind;
	enum packetdrill_time time_kind;
	int64_t time_ns, end_ns; /* end_ns: the end of a T~T range */
	int64_t tolerance_ns;	 /* --tolerance_usecs in force here */
	double tolerance_percent;
	char *text; /* the event as written, blanks collapsed, for messages */
	struct packetdrill_packet pkt;
};

struct packetdrill_script {
	struct packetdrill_event *events;
	size_t count, npackets;
	unsigned nconns;
	enum packetdrill_role role; /* from the script's calls */
	bool has_local_ip;
	uint8_t local_ip_version;
	uint8_t local_ip[16]; /* --local_ip: the SUT's address */
	bool strict_segments;
	uint32_t ts_tick_usecs; /* --tcp_ts_tick_usecs; 0: TS val not checked */
};

/* Parses text (named name in messages); NULL with "NAME:LINE:COLUMN: problem" in err. */
struct packetdrill_script *packetdrill_parse(const char *text, const char *name, char *err, size_t errlen);
void packetdrill_free(struct packetdrill_script *s);

/* How the checker reads a script: the command line's choices over the script's own. */
struct packetdrill_config {
	enum packetdrill_role sut_role; /* --sut client|server; PD_ROLE_UNKNOWN: from the script */
	bool has_sut_addr;		/* --sut ADDR */
	uint8_t sut_ip_version;
	uint8_t sut_addr[16];
	bool strict_segments; /* --strict-segments */
	bool peer_from_trace; /* --peer-from-trace: the injected side's ISN and TS vals are the trace's */
	bool has_tolerance_ns, has_tolerance_percent; /* --tolerance-usecs, --tolerance-percent over the script's */
	int64_t tolerance_ns;
	double tolerance_percent;
};

/* Parses --sut ADDR|client|server into c; -1 with a message in err. */
int packetdrill_config_sut(struct packetdrill_config *c, const char *arg, char *err, size_t errlen);

struct script_result;
struct packetdrill_matcher;

/* 0 if the system under test can be told from cfg or the script, else -1 with a message in err. */
int packetdrill_config_check(const struct packetdrill_script *s, const struct packetdrill_config *cfg, char *err,
			     size_t errlen);
/* A matcher for s (borrowed), whose config passed packetdrill_config_check(). */
struct packetdrill_matcher *packetdrill_matcher_new(const struct packetdrill_script *s,
						    const struct packetdrill_config *cfg);
void packetdrill_matcher_free(struct packetdrill_matcher *m);
/* Feeds the next packet of the capture (any flow; those not of the SUT are passed over). */
void packetdrill_matcher_packet(struct packetdrill_matcher *m, const struct packet_view *v);
/*
 * The capture has ended: fills r. *flows is how many flows the script's
 * connections matched; *flow the flow of the failing line, or the first.
 */
void packetdrill_matcher_finish(struct packetdrill_matcher *m, struct script_result *r, size_t *flows, uint32_t *flow);

#endif
