/*
 * check-engine.c - unit suite for the TCP engine (src/tcp-engine.c, engine.c).
 *
 * Scenarios are written in the packetdrill-like notation of scenario.h,
 * encoded as Ethernet frames and fed through the whole pipeline (decode, flow
 * table, labels, engine), while a test sink records what the engine said
 * about every frame. Three tables drive most tests:
 *   - transitions: each line with the client/server states expected after it
 *     (every RFC 9293 §3.3.2 transition, simultaneous open and close included);
 *   - raises: for each finding code, a scenario and the frame it must be
 *     raised on;
 *   - near misses: a scenario close to each raise that must not raise it.
 * Hostile input: all 256 flag bytes with the reserved bits, and window
 * scales past 14.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "decode.h"
#include "engine.h"
#include "scenario.h"

#define MAX_FRAMES 48
#define MAX_LINES 16
#define MAX_FLOWS 8

struct frame_result {
	bool seen;
	uint32_t flow;
	enum tcp_state state[2];
	int window_shift;
	uint32_t labels;
	uint8_t fate;
	uint64_t fate_frame;
	int nfindings;
	enum finding_id findings[VIEW_MAX_FINDINGS];
};

struct run {
	struct frame_result frames[MAX_FRAMES + 1];
	struct flow_summary flows[MAX_FLOWS];
	int nflows;
};

static void record_packet(void *ctx, const struct packet_view *v)
{
	struct run *r = ctx;
	ck_assert_uint_le(v->pkt->frame, MAX_FRAMES);
	struct frame_result *fr = &r->frames[v->pkt->frame];
	fr->seen = true;
	fr->flow = v->flow_id;
	fr->state[0] = v->state[0];
	fr->state[1] = v->state[1];
	fr->labels = v->labels;
	fr->window_shift = v->window_shift;
	fr->fate = v->fate;
	fr->fate_frame = v->fate_frame;
}

/* Findings come through the finding callback, including those judged when a flow ends. */
static void record_finding(void *ctx, const struct finding *f)
{
	struct run *r = ctx;
	ck_assert_uint_le(f->frame, MAX_FRAMES);
	struct frame_result *fr = &r->frames[f->frame];
	if (fr->nfindings < VIEW_MAX_FINDINGS)
		fr->findings[fr->nfindings++] = f->id;
}

static void record_flow(void *ctx, const struct flow_summary *s)
{
	struct run *r = ctx;
	ck_assert_int_lt(r->nflows, MAX_FLOWS);
	r->flows[r->nflows++] = *s;
}

static void run_lines_with(struct scenario *sc, const char *const *lines, struct run *r,
			   const struct engine_config *cfg)
{
	memset(r, 0, sizeof *r);
	struct engine_sink sink = {
		.ctx = r, .packet = record_packet, .finding = record_finding, .flow_end = record_flow};
	struct engine *e = engine_new(cfg, &sink);
	for (int i = 0; i < MAX_LINES && lines[i]; i++) {
		scenario_feed(sc, e, lines[i]);
	}
	engine_finish(e);
	engine_free(e);
}

static void run_lines(const char *const *lines, struct run *r)
{
	struct scenario sc;
	struct engine_config cfg;
	scenario_init(&sc);
	engine_config_default(&cfg);
	run_lines_with(&sc, lines, r, &cfg);
}

static int count_finding(const struct run *r, enum finding_id id, uint64_t *first_frame)
{
	int n = 0;
	for (int f = 1; f <= MAX_FRAMES; f++)
		for (int i = 0; i < r->frames[f].nfindings; i++)
			if (r->frames[f].findings[i] == id) {
				if (n++ == 0 && first_frame)
					*first_frame = (uint64_t)f;
			}
	return n;
}

/* ---- Handshake and teardown lines shared by the tables ------------------ */

#define SYN "> S 0:0(0) win 65535 <mss 1460,sackOK,nop,wscale 7>"
#define SYNACK "< S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,nop,wscale 7>"
#define ACK3 "> . 1:1(0) ack 1 win 502"
#define TS_SYN "> S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>"
#define TS_SYNACK "< S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 200 ecr 100,nop,wscale 7>"
#define TS_ACK3 "> . 1:1(0) ack 1 win 502 <nop,nop,TS val 101 ecr 200>"

/* ---- Transitions ----------------------------------------------------------- */

struct transition_case {
	const char *name;
	const char *lines[MAX_LINES];
	const char *states[MAX_LINES]; /* "CLIENT SERVER" after each line */
};

static const struct transition_case transitions[] = {
	{"three-way handshake, active close by the client",
	 {SYN, SYNACK, ACK3, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502",
	  "> F. 101:101(0) ack 1 win 502", "< . 1:1(0) ack 102 win 502", "< F. 1:1(0) ack 102 win 502",
	  "> . 102:102(0) ack 2 win 502"},
	 {"SYN-SENT SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED", "ESTABLISHED ESTABLISHED", "ESTABLISHED ESTABLISHED",
	  "ESTABLISHED ESTABLISHED", "FIN-WAIT-1 CLOSE-WAIT", "FIN-WAIT-2 CLOSE-WAIT", "TIME-WAIT LAST-ACK",
	  "TIME-WAIT CLOSED"}},
	{"active close by the server",
	 {SYN, SYNACK, ACK3, "< F. 1:1(0) ack 1 win 502", "> . 1:1(0) ack 2 win 502", "> F. 1:1(0) ack 2 win 502",
	  "< . 2:2(0) ack 2 win 502"},
	 {"SYN-SENT SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED", "ESTABLISHED ESTABLISHED", "CLOSE-WAIT FIN-WAIT-1",
	  "CLOSE-WAIT FIN-WAIT-2", "LAST-ACK TIME-WAIT", "CLOSED TIME-WAIT"}},
	{"FIN+ACK takes the active closer from FIN-WAIT-1 straight to TIME-WAIT",
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< F. 1:1(0) ack 2 win 502", "> . 2:2(0) ack 2 win 502"},
	 {"SYN-SENT SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED", "ESTABLISHED ESTABLISHED", "FIN-WAIT-1 CLOSE-WAIT",
	  "TIME-WAIT LAST-ACK", "TIME-WAIT CLOSED"}},
	/*
	 * The FINs cross: each reaches its receiver after that one sent its own, so neither is CLOSE-WAIT;
	 * the server's last ACK leaves within a round trip of the client's, so it is sent from CLOSING.
	 */
	{"simultaneous close: FIN-WAIT-1, CLOSING, TIME-WAIT on both sides",
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< F. 1:1(0) ack 1 win 502", "> . 2:2(0) ack 2 win 502",
	  "< . 2:2(0) ack 2 win 502"},
	 {"SYN-SENT SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED", "ESTABLISHED ESTABLISHED", "FIN-WAIT-1 ESTABLISHED",
	  "CLOSING FIN-WAIT-1", "CLOSING CLOSING", "TIME-WAIT CLOSING"}},
	{"simultaneous open: SYN-SENT to SYN-RECEIVED on both sides",
	 {SYN, "< S 0:0(0) win 65535 <mss 1460,sackOK,nop,wscale 7>", "> S. 0:0(0) ack 1 win 65535",
	  "< S. 0:0(0) ack 1 win 65535"},
	 {"SYN-SENT LISTEN", "SYN-RECEIVED SYN-SENT", "SYN-RECEIVED SYN-RECEIVED", "ESTABLISHED ESTABLISHED"}},
	/* The RST proves the SYN reached a port without a listener: CLOSED all along (RFC 9293 §3.10.7.1). */
	{"connection refused: RST answering the SYN",
	 {SYN, "< R. 0:0(0) ack 1 win 0"},
	 {"SYN-SENT CLOSED", "CLOSED CLOSED"}},
	{"abort by the client in ESTABLISHED",
	 {SYN, SYNACK, ACK3, "> R. 1:1(0) ack 1 win 0"},
	 {"SYN-SENT SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED", "ESTABLISHED ESTABLISHED", "CLOSED CLOSED"}},
	{"a RST sends a passive SYN-RECEIVED endpoint back to LISTEN",
	 {SYN, SYNACK, "> R 1:1(0) win 0"},
	 {"SYN-SENT SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED", "CLOSED LISTEN"}},
	{"mid-stream pickup: UNKNOWN until both directions are seen",
	 {"> . 100:200(100) ack 50 win 502", "< . 50:50(0) ack 200 win 502", "> F. 200:200(0) ack 50 win 502"},
	 {"UNKNOWN UNKNOWN", "ESTABLISHED ESTABLISHED", "FIN-WAIT-1 CLOSE-WAIT"}},
	{"TIME-WAIT runs out after 2*MSL of capture time",
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< F. 1:1(0) ack 2 win 502", "> . 2:2(0) ack 2 win 502",
	  "+61 < F. 1:1(0) ack 2 win 502"},
	 {"SYN-SENT SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED", "ESTABLISHED ESTABLISHED", "FIN-WAIT-1 CLOSE-WAIT",
	  "TIME-WAIT LAST-ACK", "TIME-WAIT CLOSED", "CLOSED CLOSED"}},
	/* Nothing showed the first SYN-ACK arrived before it was sent again: the repeat is the one answered. */
	{"a SYN-ACK repeated before any ACK: the client establishes on the repeat",
	 {SYN, SYNACK, "+1 < S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,nop,wscale 7>", ACK3},
	 {"SYN-SENT SYN-RECEIVED", "SYN-SENT SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED", "ESTABLISHED ESTABLISHED"}},
	{"with timestamps, the ACK's TSecr names the SYN-ACK that arrived: the first",
	 {TS_SYN, TS_SYNACK, "+1 < S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 300 ecr 100,nop,wscale 7>",
	  TS_ACK3},
	 {"SYN-SENT SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED", "ESTABLISHED ESTABLISHED"}},
	/* lost-handshake-ack.pcap: the server's timer shows the ACK never came; it is SYN-RECEIVED until the next. */
	{"a lost handshake ACK: the server's timer repeats the SYN-ACK, the client ACKs again",
	 {SYN, SYNACK, ACK3, "+1 < S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,nop,wscale 7>", ACK3,
	  "< P. 1:11(10) ack 1 win 502"},
	 {"SYN-SENT SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED",
	  "ESTABLISHED ESTABLISHED", "ESTABLISHED ESTABLISHED"}},
	/* lost-fin.pcap: the FIN is sent again before anything acknowledged it; the repeat is the one delivered. */
	{"a lost FIN: the receiver stays ESTABLISHED until the repeated FIN",
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "+0.3 > F. 1:1(0) ack 1 win 502", "< F. 1:1(0) ack 2 win 502",
	  "> . 2:2(0) ack 2 win 502"},
	 {"SYN-SENT SYN-RECEIVED", "ESTABLISHED SYN-RECEIVED", "ESTABLISHED ESTABLISHED", "FIN-WAIT-1 ESTABLISHED",
	  "FIN-WAIT-1 CLOSE-WAIT", "TIME-WAIT LAST-ACK", "TIME-WAIT CLOSED"}},
	/* A SYN-ACK a client's repeated SYN crosses (sent before it arrived) was not lost. */
	{"a SYN crossing the SYN-ACK: the client establishes after its repeat",
	 {SYN, SYNACK, "+0.001 > S 0:0(0) win 65535 <mss 1460,sackOK,nop,wscale 7>", ACK3},
	 {"SYN-SENT SYN-RECEIVED", "SYN-SENT SYN-RECEIVED", "SYN-SENT SYN-RECEIVED", "ESTABLISHED ESTABLISHED"}},
};

START_TEST(test_transition)
{
	const struct transition_case *tc = &transitions[_i];
	struct run r;
	run_lines(tc->lines, &r);
	for (int i = 0; i < MAX_LINES && tc->lines[i]; i++) {
		const struct frame_result *fr = &r.frames[i + 1];
		char got[64];
		snprintf(got, sizeof got, "%s %s", tcp_state_name(fr->state[0]), tcp_state_name(fr->state[1]));
		ck_assert_msg(fr->seen, "%s: frame %d not analysed", tc->name, i + 1);
		ck_assert_msg(strcmp(got, tc->states[i]) == 0,
			      "%s: after line %d (%s) states are \"%s\", expected \"%s\"", tc->name, i + 1,
			      tc->lines[i], got, tc->states[i]);
	}
}
END_TEST

/* ---- Data fates (tcp-delivery-data.c), each rule with a near miss ------------- */

#define DATA1 "> P. 1:101(100) ack 1 win 502"
#define DATA2 "> P. 101:201(100) ack 1 win 502"
#define TS_DATA1 "> P. 1:101(100) ack 1 win 502 <nop,nop,TS val 102 ecr 200>"
#define TS_RESEND1 "+0.3 > P. 1:101(100) ack 1 win 502 <nop,nop,TS val 110 ecr 200>"

struct fate_case {
	const char *name;
	const char *lines[MAX_LINES];
	uint64_t frame;
	enum delivery_fate fate;
	uint64_t fate_frame; /* 0: not checked */
};

static const struct fate_case data_fates[] = {
	{"D1: the receiver's ACK covers the only copy",
	 {SYN, SYNACK, ACK3, DATA1, "< . 1:1(0) ack 101 win 502"},
	 4,
	 FATE_DELIVERED,
	 5},
	{"D1 near miss: a partial ACK, then the flow ends",
	 {SYN, SYNACK, ACK3, DATA1, "< . 1:1(0) ack 51 win 502"},
	 4,
	 FATE_UNKNOWN,
	 0},
	{"D1: a SACK covers it before the cumulative ACK",
	 {SYN, SYNACK, ACK3, DATA1, DATA2, "< . 1:1(0) ack 1 win 502 <sack 101:201>"},
	 5,
	 FATE_DELIVERED,
	 6},
	{"D2: SACKed above when it was due, resent, covered: lost",
	 {SYN, SYNACK, ACK3, DATA1, DATA2, "+0.3 < . 1:1(0) ack 1 win 502 <sack 101:201>", DATA1,
	  "< . 1:1(0) ack 201 win 502"},
	 4,
	 FATE_LOST,
	 8},
	{"D3: the copy that resent a lost segment arrived",
	 {SYN, SYNACK, ACK3, DATA1, DATA2, "+0.3 < . 1:1(0) ack 1 win 502 <sack 101:201>", DATA1,
	  "< . 1:1(0) ack 201 win 502"},
	 7,
	 FATE_DELIVERED,
	 8},
	{"D2 near miss: part of it was acknowledged first (cut up on the way): unknown",
	 {SYN, SYNACK, ACK3, DATA1, DATA2, "+0.3 < . 1:1(0) ack 51 win 502 <sack 101:201>",
	  "> P. 51:101(50) ack 1 win 502", "< . 1:1(0) ack 201 win 502"},
	 4,
	 FATE_UNKNOWN,
	 0},
	{"D2 near miss: a SACK too soon for the hole to tell, no timestamps",
	 {SYN, SYNACK, ACK3, DATA1, DATA2, "+0.0001 < . 1:1(0) ack 1 win 502 <sack 101:201>", DATA1,
	  "< . 1:1(0) ack 201 win 502"},
	 4,
	 FATE_UNKNOWN,
	 0},
	{"D3 near miss: whose copy filled the hole is not known",
	 {SYN, SYNACK, ACK3, DATA1, DATA2, "+0.0001 < . 1:1(0) ack 1 win 502 <sack 101:201>", DATA1,
	  "< . 1:1(0) ack 201 win 502"},
	 7,
	 FATE_UNKNOWN,
	 0},
	{"D2: a D-SACK of the resent bytes: the first copy arrived",
	 {TS_SYN, TS_SYNACK, TS_ACK3, TS_DATA1, TS_RESEND1,
	  "< . 1:1(0) ack 101 win 502 <nop,nop,TS val 202 ecr 110,nop,nop,sack 1:101>"},
	 4,
	 FATE_DELIVERED,
	 6},
	{"D2: the ACK echoes the first copy's TSval (Eifel)",
	 {TS_SYN, TS_SYNACK, TS_ACK3, TS_DATA1, TS_RESEND1, "< . 1:1(0) ack 101 win 502 <nop,nop,TS val 202 ecr 102>"},
	 4,
	 FATE_DELIVERED,
	 6},
	{"D2: SACK and timestamps, the ACK echoes the resend: lost",
	 {TS_SYN, TS_SYNACK, TS_ACK3, TS_DATA1, TS_RESEND1, "< . 1:1(0) ack 101 win 502 <nop,nop,TS val 202 ecr 110>"},
	 4,
	 FATE_LOST,
	 6},
	{"D2 near miss: the same without timestamps is unknown",
	 {SYN, SYNACK, ACK3, DATA1, "+0.3 > P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502"},
	 4,
	 FATE_UNKNOWN,
	 0},
	{"D4: covered only after the hold",
	 {SYN, SYNACK, ACK3, DATA1, "+6 < . 1:1(0) ack 101 win 502"},
	 4,
	 FATE_UNKNOWN,
	 0},
	{"a receiver never seen: no fate",
	 {"> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502"},
	 1,
	 FATE_NONE,
	 0},
	{"a zero-window probe does not wait",
	 {SYN, SYNACK, ACK3, "< . 1:1(0) ack 1 win 0", "+0.2 > . 1:2(1) ack 1 win 502", "< . 1:1(0) ack 1 win 0"},
	 5,
	 FATE_NONE,
	 0},
};

START_TEST(test_data_fate)
{
	const struct fate_case *tc = &data_fates[_i];
	struct run r;
	run_lines(tc->lines, &r);
	const struct frame_result *fr = &r.frames[tc->frame];
	ck_assert_msg(fr->seen, "%s: frame %llu not analysed", tc->name, (unsigned long long)tc->frame);
	ck_assert_msg(fr->fate == tc->fate, "%s: frame %llu's fate is %s, expected %s", tc->name,
		      (unsigned long long)tc->frame, delivery_fate_name(fr->fate), delivery_fate_name(tc->fate));
	if (tc->fate_frame)
		ck_assert_msg(fr->fate_frame == tc->fate_frame, "%s: settled by frame %llu, expected %llu", tc->name,
			      (unsigned long long)fr->fate_frame, (unsigned long long)tc->fate_frame);
}
END_TEST

/* ---- Findings: raises and near misses ------------------------------------- */

struct finding_case {
	const char *code;
	uint64_t frame; /* raises: the first frame it must be on; near misses: 0 */
	const char *lines[MAX_LINES];
};

static const struct finding_case raises[] = {
	{"tcp.handshake.synack_bad_ack", 2, {SYN, "< S. 0:0(0) ack 5 win 65535"}},
	/* Judged when the server's first bytes follow on from its SYN: it sent them after the ACK. */
	{"tcp.handshake.ack_bad_ack", 3, {SYN, SYNACK, "> . 1:1(0) ack 7 win 502", "< P. 1:11(10) ack 1 win 502"}},
	{"tcp.handshake.ack_bad_ack", 3, {SYN, SYNACK, "> . 1:1(0) ack 4294967295 win 502"}},
	{"tcp.handshake.ack_bad_seq", 3, {SYN, SYNACK, "> . 900000:900000(0) ack 1 win 502"}},
	{"tcp.handshake.syn_isn_changed", 2, {SYN, "+1 > S 10:10(0) win 65535"}},
	{"tcp.handshake.synack_changed", 3, {SYN, SYNACK, "< S. 3:3(0) ack 1 win 65535"}},
	{"tcp.handshake.synack_retransmitted", 3, {SYN, SYNACK, "+1 < S. 0:0(0) ack 1 win 65535"}},
	{"tcp.handshake.syn_retransmitted", 2, {SYN, "+1 > S 0:0(0) win 65535"}},
	{"tcp.handshake.synack_lost", 3, {SYN, SYNACK, "+1 > S 0:0(0) win 65535"}},
	{"tcp.handshake.ack_lost", 4, {SYN, SYNACK, ACK3, "+1 < S. 0:0(0) ack 1 win 65535"}},
	{"tcp.close.fin_lost", 5, {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "+0.3 > F. 1:1(0) ack 1 win 502"}},
	{"tcp.close.fin_below_sent",
	 5,
	 {SYN, SYNACK, ACK3, "> P. 1:101(100) ack 1 win 502", "> F. 51:51(0) ack 1 win 502"}},
	{"tcp.handshake.data_in_syn_sent", 2, {SYN, "> P 1:11(10) win 502"}},
	/* Data with an ACK that seemed to follow a missed SYN-ACK, then the first SYN-ACK itself. */
	{"tcp.handshake.data_in_syn_sent", 3, {SYN, "> P. 1:11(10) ack 1 win 502", SYNACK}},
	/* No window scaling negotiated: the scale is known to be 0, and the check runs. */
	{"tcp.seq.out_of_window",
	 4,
	 {"> S 0:0(0) win 65535 <mss 1460>", "< S. 0:0(0) ack 1 win 100 <mss 1460>", "> . 1:1(0) ack 1 win 502",
	  "> P. 1:201(200) ack 1 win 502"}},
	{"tcp.handshake.data_before_established", 3, {SYN, SYNACK, "< P. 1:11(10) ack 1 win 502"}},
	{"tcp.handshake.syn_with_data", 1, {"> S 0:10(10) win 65535"}},
	{"tcp.handshake.synack_unsolicited", 4, {SYN, SYNACK, ACK3, "> S. 0:0(0) ack 1 win 65535"}},
	{"tcp.handshake.ack_wrong_direction", 3, {SYN, SYNACK, "< . 1:1(0) ack 1 win 502"}},
	{"tcp.handshake.rst_bad_ack", 2, {SYN, "< R. 0:0(0) ack 7 win 0"}},
	{"tcp.handshake.simultaneous_open", 2, {SYN, "< S 0:0(0) win 65535"}},
	{"tcp.handshake.split",
	 4,
	 {SYN, "< S 0:0(0) win 65535", "> S. 0:0(0) ack 1 win 65535", "< . 1:1(0) ack 1 win 502"}},
	{"tcp.handshake.syn_in_established", 4, {SYN, SYNACK, ACK3, "> S 50:50(0) win 65535"}},
	{"tcp.flags.illegal", 4, {SYN, SYNACK, ACK3, "> SF 1:1(0) win 502"}},
	{"tcp.flags.illegal", 4, {SYN, SYNACK, ACK3, "> F 1:1(0) win 502"}},
	{"tcp.flags.illegal", 4, {SYN, SYNACK, ACK3, "> SR 1:1(0) win 502"}},
	{"tcp.flags.ack_missing", 4, {SYN, SYNACK, ACK3, "> P 1:11(10) win 502"}},
	{"tcp.flags.ack_nonzero", 1, {"> S 0:0(0) ack 5 win 65535"}},
	{"tcp.options.wscale_too_large", 1, {"> S 0:0(0) win 65535 <wscale 15>"}},
	{"tcp.options.syn_only", 4, {SYN, SYNACK, ACK3, "> . 1:1(0) ack 1 win 502 <mss 1460>"}},
	{"tcp.options.mss_exceeded", 4, {SYN, SYNACK, ACK3, "< P. 1:2001(2000) ack 1 win 502"}},
	{"tcp.options.timestamp_missing", 4, {TS_SYN, TS_SYNACK, TS_ACK3, "> P. 1:11(10) ack 1 win 502"}},
	{"tcp.options.timestamp_regress",
	 4,
	 {TS_SYN, TS_SYNACK, TS_ACK3, "> P. 1:11(10) ack 1 win 502 <nop,nop,TS val 50 ecr 200>"}},
	{"tcp.options.sack_not_permitted",
	 5,
	 {SYN, "< S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>", ACK3, "< P. 1:101(100) ack 1 win 502",
	  "> . 1:1(0) ack 1 win 502 <sack 51:101>"}},
	{"tcp.options.sack_invalid",
	 5,
	 {SYN, SYNACK, ACK3, "< P. 1:101(100) ack 1 win 502", "> . 1:1(0) ack 101 win 502 <sack 301:401>"}},
	{"tcp.options.sack_invalid",
	 5,
	 {SYN, SYNACK, ACK3, "< P. 1:101(100) ack 1 win 502", "> . 1:1(0) ack 1 win 502 <sack 80:40>"}},
	{"tcp.seq.out_of_window",
	 4,
	 {SYN, "< S. 0:0(0) ack 1 win 100 <mss 1460,sackOK,nop,wscale 0>", ACK3, "> P. 1:201(200) ack 1 win 502"}},
	{"tcp.seq.below_isn", 4, {SYN, SYNACK, ACK3, "> P. 4294967000:4294967010(10) ack 1 win 502"}},
	{"tcp.ack.beyond_sent", 5, {SYN, SYNACK, ACK3, "< P. 1:101(100) ack 1 win 502", "> . 1:1(0) ack 301 win 502"}},
	{"tcp.ack.regress",
	 7,
	 {SYN, SYNACK, ACK3, "< P. 1:40001(40000) ack 1 win 502", "< P. 40001:80001(40000) ack 1 win 502",
	  "> . 1:1(0) ack 80001 win 502", "> . 1:1(0) ack 2 win 502"}},
	{"tcp.window.shrink", 5, {SYN, SYNACK, ACK3, "> . 1:1(0) ack 1 win 502", "> . 1:1(0) ack 1 win 400"}},
	{"tcp.close.ack_beyond_fin", 5, {SYN, SYNACK, ACK3, "< F. 1:1(0) ack 1 win 502", "> . 1:1(0) ack 5 win 502"}},
	{"tcp.close.data_after_fin",
	 5,
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "> P. 2:12(10) ack 1 win 502"}},
	{"tcp.close.fin_seq_changed", 5, {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "> F. 5:5(0) ack 1 win 502"}},
	{"tcp.close.fin_retransmitted",
	 5,
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "+0.2 > F. 1:1(0) ack 1 win 502"}},
	{"tcp.close.simultaneous", 5, {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< F. 1:1(0) ack 1 win 502"}},
	{"tcp.close.half_close", 5, {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< P. 1:11(10) ack 2 win 502"}},
	{"tcp.close.segment_after_close",
	 7,
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< F. 1:1(0) ack 2 win 502", "> . 2:2(0) ack 2 win 502",
	  "< P. 2:12(10) ack 2 win 502"}},
	{"tcp.close.time_wait_reuse",
	 7,
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< F. 1:1(0) ack 2 win 502", "> . 2:2(0) ack 2 win 502",
	  "+1 > S 5000:5000(0) win 65535"}},
	{"tcp.close.time_wait_violation",
	 7,
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< F. 1:1(0) ack 2 win 502", "> . 2:2(0) ack 2 win 502",
	  "+1 > S 1:1(0) win 65535"}},
	{"tcp.reset.out_of_window", 4, {SYN, SYNACK, ACK3, "< R. 900000:900000(0) ack 1 win 0"}},
	{"tcp.reset.inexact", 4, {SYN, SYNACK, ACK3, "< R. 100:100(0) ack 1 win 0"}},
	{"tcp.reset.with_data", 4, {SYN, SYNACK, ACK3, "< R. 1:11(10) ack 1 win 0"}},
	{"tcp.reset.data_after_rst", 5, {SYN, SYNACK, ACK3, "< R. 1:1(0) ack 1 win 0", "< P. 1:11(10) ack 1 win 502"}},
	{"tcp.reset.ignored", 5, {SYN, SYNACK, ACK3, "< R. 1:1(0) ack 1 win 0", "> P. 1:11(10) ack 1 win 502"}},
	{"tcp.keepalive.unanswered",
	 5,
	 {SYN, SYNACK, ACK3, "+10 > . 0:0(0) ack 1 win 502", "+10 > . 0:0(0) ack 1 win 502"}},
	{"capture.midstream", 1, {"> . 100:200(100) ack 50 win 502"}},
};

static const struct finding_case near_misses[] = {
	{"tcp.handshake.synack_bad_ack", 0, {SYN, SYNACK}},
	/* RFC 7413 §4.2: a SYN-ACK may acknowledge only part of a TFO SYN's data. */
	{"tcp.handshake.synack_bad_ack",
	 0,
	 {"> S 0:10(10) win 65535 <mss 1460,FO abcdef0123456789,nop,nop>", "< S. 0:0(0) ack 6 win 65535 <mss 1460>",
	  "> . 6:6(0) ack 1 win 502"}},
	{"tcp.handshake.ack_bad_ack", 0, {SYN, SYNACK, ACK3}},
	/* The server's next bytes start past a gap: the capture missed what the ACK covers (IPComp, loss). */
	{"tcp.handshake.ack_bad_ack", 0, {SYN, SYNACK, "> . 1:1(0) ack 7 win 502", "< P. 11:21(10) ack 1 win 502"}},
	{"tcp.handshake.ack_bad_seq", 0, {SYN, SYNACK, ACK3, "> P. 1:11(10) ack 1 win 502"}},
	/* Ahead, but inside the server's window: the client's first data (and its ACK) was not captured. */
	{"tcp.handshake.ack_bad_seq", 0, {SYN, SYNACK, "> P. 11:21(10) ack 1 win 502"}},
	{"tcp.handshake.syn_isn_changed", 0, {SYN, "+1 > S 0:0(0) win 65535"}},
	{"tcp.handshake.synack_changed", 0, {SYN, SYNACK, "+1 < S. 0:0(0) ack 1 win 65535"}},
	{"tcp.handshake.synack_retransmitted", 0, {SYN, SYNACK, ACK3}},
	{"tcp.handshake.syn_retransmitted", 0, {SYN, SYNACK, ACK3, "+1 > S 0:0(0) win 65535"}},
	/* Sent before the SYN-ACK could have arrived: crossed, not lost. */
	{"tcp.handshake.synack_lost", 0, {SYN, SYNACK, "+0.001 > S 0:0(0) win 65535"}},
	/* Too soon after the last SYN-ACK for its timer: an answer, not evidence. */
	{"tcp.handshake.ack_lost", 0, {SYN, SYNACK, ACK3, "+0.01 < S. 0:0(0) ack 1 win 65535"}},
	{"tcp.close.fin_lost",
	 0,
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< . 1:1(0) ack 2 win 502",
	  "+0.3 > F. 1:1(0) ack 1 win 502"}},
	{"tcp.close.fin_below_sent",
	 0,
	 {SYN, SYNACK, ACK3, "> P. 1:101(100) ack 1 win 502", "> F. 101:101(0) ack 1 win 502"}},
	{"tcp.handshake.data_in_syn_sent", 0, {SYN, SYNACK, "> P. 1:11(10) ack 1 win 502"}},
	/* The rest of a TFO SYN's data, sent after a SYN-ACK that acknowledged only part of it. */
	{"tcp.handshake.data_in_syn_sent",
	 0,
	 {"> S 0:10(10) win 65535 <mss 1460,FO abcdef0123456789,nop,nop>", "< S. 0:0(0) ack 6 win 65535 <mss 1460>",
	  "> P. 6:11(5) ack 1 win 502"}},
	{"tcp.handshake.data_before_established", 0, {SYN, SYNACK, ACK3, "< P. 1:11(10) ack 1 win 502"}},
	{"tcp.handshake.syn_with_data", 0, {SYN}},
	{"tcp.handshake.synack_unsolicited", 0, {SYN, SYNACK, ACK3}},
	{"tcp.handshake.ack_wrong_direction", 0, {SYN, SYNACK, ACK3, "< . 1:1(0) ack 1 win 502"}},
	{"tcp.handshake.rst_bad_ack", 0, {SYN, "< R. 0:0(0) ack 1 win 0"}},
	{"tcp.handshake.simultaneous_open", 0, {SYN, SYNACK}},
	{"tcp.handshake.split",
	 0,
	 {SYN, "< S 0:0(0) win 65535", "> S. 0:0(0) ack 1 win 65535", "< S. 0:0(0) ack 1 win 65535"}},
	{"tcp.handshake.syn_in_established", 0, {SYN, SYNACK, ACK3, "+1 > S 900000:900000(0) win 65535"}},
	{"tcp.flags.illegal", 0, {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502"}},
	{"tcp.flags.ack_missing", 0, {SYN, SYNACK, ACK3, "> P. 1:11(10) ack 1 win 502"}},
	{"tcp.flags.ack_nonzero", 0, {SYN}},
	{"tcp.options.wscale_too_large", 0, {"> S 0:0(0) win 65535 <wscale 14>"}},
	{"tcp.options.syn_only", 0, {SYN, SYNACK, ACK3}},
	{"tcp.options.mss_exceeded", 0, {SYN, SYNACK, ACK3, "< P. 1:1461(1460) ack 1 win 502"}},
	{"tcp.options.timestamp_missing", 0, {TS_SYN, TS_SYNACK, TS_ACK3, "> R. 1:1(0) ack 1 win 0"}},
	{"tcp.options.timestamp_regress",
	 0,
	 {TS_SYN, TS_SYNACK, TS_ACK3, "> P. 1:11(10) ack 1 win 502 <nop,nop,TS val 102 ecr 200>"}},
	{"tcp.options.sack_not_permitted",
	 0,
	 {SYN, SYNACK, ACK3, "< P. 1:101(100) ack 1 win 502", "> . 1:1(0) ack 1 win 502 <sack 51:101>"}},
	{"tcp.options.sack_invalid",
	 0,
	 {SYN, SYNACK, ACK3, "< P. 1:101(100) ack 1 win 502", "< P. 101:201(100) ack 1 win 502",
	  "> . 1:1(0) ack 1 win 502 <sack 101:201>"}},
	{"tcp.seq.out_of_window",
	 0,
	 {SYN, "< S. 0:0(0) ack 1 win 100 <mss 1460,sackOK,nop,wscale 0>", ACK3, "> P. 1:101(100) ack 1 win 502"}},
	{"tcp.seq.below_isn", 0, {SYN, SYNACK, ACK3, "> P. 1:11(10) ack 1 win 502"}},
	{"tcp.ack.beyond_sent", 0, {SYN, SYNACK, ACK3, "< P. 1:101(100) ack 1 win 502", "> . 1:1(0) ack 101 win 502"}},
	{"tcp.ack.regress",
	 0,
	 {SYN, SYNACK, ACK3, "< P. 1:40001(40000) ack 1 win 502", "< P. 40001:80001(40000) ack 1 win 502",
	  "> . 1:1(0) ack 80001 win 502", "> . 1:1(0) ack 70001 win 502"}},
	{"tcp.window.shrink", 0, {SYN, SYNACK, ACK3, "> . 1:1(0) ack 1 win 502", "> . 1:1(0) ack 101 win 501"}},
	{"tcp.close.ack_beyond_fin", 0, {SYN, SYNACK, ACK3, "< F. 1:1(0) ack 1 win 502", "> . 1:1(0) ack 2 win 502"}},
	{"tcp.close.data_after_fin",
	 0,
	 {SYN, SYNACK, ACK3, "> F. 1:11(10) ack 1 win 502", "+0.2 > F. 1:11(10) ack 1 win 502"}},
	{"tcp.close.fin_seq_changed",
	 0,
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "+0.2 > F. 1:1(0) ack 1 win 502"}},
	{"tcp.close.fin_retransmitted",
	 0,
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< . 1:1(0) ack 2 win 502"}},
	{"tcp.close.simultaneous", 0, {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< F. 1:1(0) ack 2 win 502"}},
	{"tcp.close.half_close",
	 0,
	 {SYN, SYNACK, ACK3, "< P. 1:11(10) ack 1 win 502", "> F. 1:1(0) ack 11 win 502",
	  "< F. 11:11(0) ack 2 win 502"}},
	{"tcp.close.segment_after_close",
	 0,
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< F. 1:1(0) ack 2 win 502", "> . 2:2(0) ack 2 win 502",
	  "+0.2 < F. 1:1(0) ack 2 win 502"}},
	{"tcp.close.time_wait_reuse",
	 0,
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< F. 1:1(0) ack 2 win 502", "> . 2:2(0) ack 2 win 502",
	  "+61 > S 5000:5000(0) win 65535"}},
	{"tcp.close.time_wait_violation",
	 0,
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< F. 1:1(0) ack 2 win 502", "> . 2:2(0) ack 2 win 502",
	  "+61 > S 1:1(0) win 65535"}},
	{"tcp.reset.out_of_window", 0, {SYN, SYNACK, ACK3, "< R. 1:1(0) ack 1 win 0"}},
	{"tcp.reset.inexact", 0, {SYN, SYNACK, ACK3, "< R. 1:1(0) ack 1 win 0"}},
	{"tcp.reset.with_data", 0, {SYN, SYNACK, ACK3, "< R. 1:1(0) ack 1 win 0"}},
	{"tcp.reset.data_after_rst", 0, {SYN, SYNACK, ACK3, "< R. 1:1(0) ack 1 win 0", "< R. 1:1(0) win 0"}},
	{"tcp.reset.ignored", 0, {SYN, SYNACK, ACK3, "< R. 1:1(0) ack 1 win 0", "> . 1:1(0) ack 1 win 502"}},
	{"tcp.keepalive.unanswered",
	 0,
	 {SYN, SYNACK, ACK3, "+10 > . 0:0(0) ack 1 win 502", "< . 1:1(0) ack 1 win 502",
	  "+10 > . 0:0(0) ack 1 win 502"}},
	{"capture.midstream", 0, {SYN, SYNACK, ACK3}},
};

START_TEST(test_raise)
{
	const struct finding_case *fc = &raises[_i];
	enum finding_id id = finding_by_code(fc->code);
	ck_assert_msg(id != F_NONE, "unknown code %s", fc->code);
	struct run r;
	run_lines(fc->lines, &r);
	uint64_t frame = 0;
	int n = count_finding(&r, id, &frame);
	ck_assert_msg(n > 0, "%s was not raised", fc->code);
	ck_assert_msg(frame == fc->frame, "%s raised first on frame %llu, expected %llu", fc->code,
		      (unsigned long long)frame, (unsigned long long)fc->frame);
}
END_TEST

START_TEST(test_near_miss)
{
	const struct finding_case *fc = &near_misses[_i];
	enum finding_id id = finding_by_code(fc->code);
	ck_assert_msg(id != F_NONE, "unknown code %s", fc->code);
	struct run r;
	run_lines(fc->lines, &r);
	uint64_t frame = 0;
	ck_assert_msg(count_finding(&r, id, &frame) == 0, "%s raised on frame %llu of its near miss", fc->code,
		      (unsigned long long)frame);
}
END_TEST

/* Every code of the catalogue has a raising scenario here or in check-decode. */
START_TEST(test_catalogue_covered)
{
	for (int id = 1; id < F_COUNT; id++) {
		const char *code = finding_info((enum finding_id)id)->code;
		if (strncmp(code, "decode.", 7) == 0 || strcmp(code, "capture.truncated") == 0 ||
		    strcmp(code, "tcp.checksum.bad") == 0 || strcmp(code, "tcp.seq.wrapped") == 0)
			continue; /* check-decode, the CLI test, test_checksum and test_wraparound cover these */
		static const char *const diagnoses[] = {"tcp.handshake.refused", "tcp.reset.aborted",
							"tcp.rto.timeout",	 "tcp.window.zero_stall",
							"tcp.keepalive.dead",	 "tcp.loss.persistent"};
		bool diagnosis = false;
		for (size_t i = 0; i < sizeof diagnoses / sizeof diagnoses[0]; i++)
			diagnosis |= strcmp(code, diagnoses[i]) == 0;
		if (diagnosis)
			continue; /* check-diagnose raises each of these */
		bool found = false;
		for (size_t i = 0; i < sizeof raises / sizeof raises[0]; i++)
			found |= strcmp(raises[i].code, code) == 0;
		ck_assert_msg(found, "no raising scenario for %s", code);
	}
}
END_TEST

/* ---- Sequence wrap-around and summaries ----------------------------------- */

START_TEST(test_wraparound_is_ordinary)
{
	/* The same exchange with ISNs just below 2^32: only the wrap note may differ. */
	static const char *const lines[MAX_LINES] = {SYN,
						     SYNACK,
						     ACK3,
						     "> P. 1:1001(1000) ack 1 win 502",
						     "< . 1:1(0) ack 1001 win 502",
						     "> P. 1001:2001(1000) ack 1 win 502",
						     "< . 1:1(0) ack 2001 win 502",
						     "> F. 2001:2001(0) ack 1 win 502",
						     "< F. 1:1(0) ack 2002 win 502",
						     "> . 2002:2002(0) ack 2 win 502"};
	struct scenario sc;
	struct engine_config cfg;
	struct run plain, wrapped;
	engine_config_default(&cfg);
	scenario_init(&sc);
	run_lines_with(&sc, lines, &plain, &cfg);
	scenario_init(&sc);
	sc.client_isn = 4294967295u - 500;
	sc.server_isn = 4294967295u;
	run_lines_with(&sc, lines, &wrapped, &cfg);
	for (int f = 1; f <= 10; f++) {
		ck_assert_int_eq(plain.frames[f].state[0], wrapped.frames[f].state[0]);
		ck_assert_int_eq(plain.frames[f].state[1], wrapped.frames[f].state[1]);
		ck_assert_msg(plain.frames[f].labels == wrapped.frames[f].labels, "frame %d labels %x, wrapped %x", f,
			      plain.frames[f].labels, wrapped.frames[f].labels);
	}
	ck_assert_int_eq(count_finding(&wrapped, F_SEQ_WRAPPED, NULL), 1);
	ck_assert_int_eq(count_finding(&plain, F_SEQ_WRAPPED, NULL), 0);
	ck_assert_uint_eq(wrapped.flows[0].findings[SEV_ERROR], 0);
	ck_assert_uint_eq(wrapped.flows[0].findings[SEV_WARNING], 0);
	ck_assert_str_eq(wrapped.flows[0].close, "fin");
}
END_TEST

START_TEST(test_summary_of_clean_connection)
{
	static const char *const lines[MAX_LINES] = {SYN,
						     "+0.010 " SYNACK,
						     "+0.010 " ACK3,
						     "> P. 1:101(100) ack 1 win 502",
						     "+0.020 < . 1:1(0) ack 101 win 502",
						     "> F. 101:101(0) ack 1 win 502",
						     "< F. 1:1(0) ack 102 win 502",
						     "> . 102:102(0) ack 2 win 502"};
	struct run r;
	run_lines(lines, &r);
	ck_assert_int_eq(r.nflows, 1);
	const struct flow_summary *s = &r.flows[0];
	ck_assert_str_eq(s->handshake, "complete");
	ck_assert_str_eq(s->close, "fin");
	ck_assert_int_eq(s->closed_first_by, 0);
	ck_assert_int_eq(s->state[0], TCPS_TIME_WAIT);
	ck_assert_int_eq(s->state[1], TCPS_CLOSED);
	ck_assert(s->time_wait_left_ns > 59 * 1000000000LL && s->time_wait_left_ns <= 60 * 1000000000LL);
	ck_assert_int_eq(s->irtt_ns, 20 * 1000000LL);
	/* Samples of the client's SYN (10 ms), data (20 ms) and FIN (1 ms). */
	ck_assert_uint_eq(s->rtt[0].samples, 3);
	ck_assert_int_eq(s->rtt[0].min_ns, 1000000LL);
	ck_assert_int_eq(s->rtt[0].max_ns, 20 * 1000000LL);
	ck_assert_uint_eq(s->payload_bytes[0], 100);
	ck_assert_uint_eq(s->packets[0], 5);
	ck_assert_uint_eq(s->packets[1], 3);
	ck_assert_uint_eq(s->completeness, 1 | 2 | 4 | 8 | 16);
	ck_assert_uint_eq(s->mss[0], 1460);
	ck_assert_int_eq(s->wscale[1], 7);
	ck_assert(s->sack_permitted);
	ck_assert(!s->timestamps);
	ck_assert_uint_eq(s->findings[SEV_ERROR] + s->findings[SEV_WARNING] + s->findings[SEV_NOTE], 0);
}
END_TEST

START_TEST(test_summary_verdicts)
{
	struct run r;
	static const char *const refused[MAX_LINES] = {SYN, "< R. 0:0(0) ack 1 win 0"};
	run_lines(refused, &r);
	ck_assert_str_eq(r.flows[0].handshake, "rejected");
	ck_assert_str_eq(r.flows[0].close, "rst");
	ck_assert_int_eq(r.flows[0].closed_first_by, 1);

	static const char *const unanswered[MAX_LINES] = {SYN, "+1 " SYN, "+2 " SYN};
	run_lines(unanswered, &r);
	ck_assert_str_eq(r.flows[0].handshake, "incomplete");
	ck_assert_str_eq(r.flows[0].close, "none");
	ck_assert_int_eq(r.flows[0].closed_first_by, -1);
	ck_assert(r.frames[2].labels & (1u << L_RETRANSMISSION));

	static const char *const midstream[MAX_LINES] = {"> . 100:200(100) ack 50 win 502",
							 "< . 50:50(0) ack 200 win 502"};
	run_lines(midstream, &r);
	ck_assert_str_eq(r.flows[0].handshake, "none");
	ck_assert(r.flows[0].direction_guessed);
	ck_assert_uint_eq(r.flows[0].findings[SEV_ERROR], 0);

	static const char *const half[MAX_LINES] = {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502",
						    "< . 1:1(0) ack 2 win 502"};
	run_lines(half, &r);
	ck_assert_str_eq(r.flows[0].close, "half");
}
END_TEST

START_TEST(test_port_reuse_starts_new_flow)
{
	static const char *const lines[MAX_LINES] = {SYN,
						     SYNACK,
						     ACK3,
						     "> F. 1:1(0) ack 1 win 502",
						     "< F. 1:1(0) ack 2 win 502",
						     "> . 2:2(0) ack 2 win 502",
						     "+1 > S 5000:5000(0) win 65535",
						     "< S. 9000:9000(0) ack 5001 win 65535"};
	struct run r;
	run_lines(lines, &r);
	ck_assert_int_eq(r.nflows, 2);
	ck_assert_uint_eq(r.frames[6].flow, 1);
	ck_assert_uint_eq(r.frames[7].flow, 2);
	ck_assert(r.frames[7].labels & (1u << L_REUSED_PORTS));
	ck_assert_str_eq(r.flows[1].handshake, "incomplete");
}
END_TEST

START_TEST(test_checksum_only_when_asked)
{
	struct scenario sc;
	uint8_t buf[256];
	int64_t t;
	scenario_init(&sc);
	size_t len = scenario_frame(&sc, SYN, buf, sizeof buf, &t);
	buf[14 + 20 + 16] ^= 0xff; /* corrupt the TCP checksum */
	for (int verify = 0; verify < 2; verify++) {
		struct run r;
		memset(&r, 0, sizeof r);
		struct engine_config cfg;
		engine_config_default(&cfg);
		cfg.verify_checksums = verify;
		struct engine_sink sink = {
			.ctx = &r, .packet = record_packet, .finding = record_finding, .flow_end = record_flow};
		struct engine *e = engine_new(&cfg, &sink);
		struct capture_record rec = {.frame = 1,
					     .time_ns = t,
					     .caplen = (uint32_t)len,
					     .wirelen = (uint32_t)len,
					     .linktype = DLT_EN10MB,
					     .data = buf};
		engine_packet(e, &rec);
		engine_finish(e);
		engine_free(e);
		ck_assert_int_eq(count_finding(&r, F_CHECKSUM_BAD, NULL), verify);
	}
}
END_TEST

/* ---- Hostile flags and window scales (issue 8) ----------------------------- */

enum { ETH_IP_LEN = 14 + 20, TCP_OFFSET_BYTE = ETH_IP_LEN + 12, TCP_FLAGS_BYTE = ETH_IP_LEN + 13 };

/* Feeds one scenario line with its flag byte and the reserved nibble before it replaced. */
static void feed_with_flags(struct scenario *sc, struct engine *e, const char *line, uint8_t flags, uint8_t reserved)
{
	static uint8_t buf[256];
	int64_t t;
	size_t len = scenario_frame(sc, line, buf, sizeof buf, &t);
	buf[TCP_OFFSET_BYTE] = (uint8_t)((buf[TCP_OFFSET_BYTE] & 0xf0) | reserved);
	buf[TCP_FLAGS_BYTE] = flags;

	struct packet pkt;
	memset(&pkt, 0, sizeof pkt);
	pkt.caplen = pkt.wirelen = (uint32_t)len;
	static const struct decode_options plain = {.verify_checksums = false};
	ck_assert_int_eq(decode_packet(DLT_EN10MB, buf, &plain, &pkt), DECODE_TCP);
	ck_assert_uint_eq(pkt.flags, flags);
	ck_assert(pkt.ae == (reserved & 1)); /* the AE bit (RFC 9768); the other three are reserved */
	scenario_feed_frame(sc, e, buf, len, t);
}

/*
 * All 256 values of the flag byte, with each reserved nibble, on an
 * established connection: every one decodes and reaches the engine, which
 * calls illegal exactly the combinations RFC 9293 rules out (SYN+FIN,
 * SYN+RST, none at all, FIN without ACK once synchronized).
 */
START_TEST(test_every_flag_combination)
{
	static const uint8_t reserved[] = {0x0, 0x1, 0xe, 0xf};
	for (unsigned flags = 0; flags < 256; flags++)
		for (size_t k = 0; k < sizeof reserved; k++) {
			struct run r;
			memset(&r, 0, sizeof r);
			struct engine_sink sink = {
				.ctx = &r, .packet = record_packet, .finding = record_finding, .flow_end = record_flow};
			struct engine_config cfg;
			engine_config_default(&cfg);
			struct engine *e = engine_new(&cfg, &sink);
			struct scenario sc;
			scenario_init(&sc);
			scenario_feed(&sc, e, SYN);
			scenario_feed(&sc, e, SYNACK);
			scenario_feed(&sc, e, ACK3);
			feed_with_flags(&sc, e, "> . 1:1(0) ack 1 win 502", (uint8_t)flags, reserved[k]);
			scenario_feed(&sc, e, "< . 1:1(0) ack 1 win 502");
			engine_finish(e);
			engine_free(e);

			bool syn = flags & TCP_SYN, fin = flags & TCP_FIN, rst = flags & TCP_RST, ack = flags & TCP_ACK;
			bool illegal = (syn && fin) || (syn && rst) || flags == 0 || (fin && !ack);
			ck_assert_msg(r.frames[4].seen && r.frames[5].seen, "flags %#x: a frame was not analysed",
				      flags);
			uint64_t first = 0;
			int n = count_finding(&r, F_FLAGS_ILLEGAL, &first);
			ck_assert_msg(illegal ? n == 1 && first == 4 : n == 0,
				      "flags %#x (reserved %#x): tcp.flags.illegal %d times, first on frame %llu",
				      flags, reserved[k], n, (unsigned long long)first);
			ck_assert_int_ge(r.nflows, 1);
		}
}
END_TEST

/* Shifts past 14 (up to 255) count as 14 (RFC 7323 §2.3) and are reported once for each side. */
START_TEST(test_absurd_window_scale)
{
	static const char *const lines[MAX_LINES] = {"> S 0:0(0) win 65535 <mss 1460,nop,wscale 255>",
						     "< S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 15>", ACK3,
						     "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 65535"};
	struct run r;
	run_lines(lines, &r);
	uint64_t first = 0;
	ck_assert_int_eq(count_finding(&r, F_OPT_WSCALE_TOO_LARGE, &first), 2);
	ck_assert_uint_eq(first, 1);
	ck_assert_int_eq(r.frames[2].findings[0], F_OPT_WSCALE_TOO_LARGE);
	ck_assert_int_eq(r.frames[4].window_shift, 14);
	ck_assert_int_eq(r.frames[5].window_shift, 14);
	ck_assert_int_eq(r.frames[4].state[0], TCPS_ESTABLISHED);
	ck_assert_int_eq(r.frames[5].state[1], TCPS_ESTABLISHED);
	ck_assert_uint_eq(r.flows[0].findings[SEV_ERROR], 0);
}
END_TEST

/* ---- The transition table: docs/engine.md against tcp-state.c ----------- */

static const char *const event_names[TCPE_COUNT] = {
#define EVENT_NAME(name) #name,
	TCP_EVENTS(EVENT_NAME)
#undef EVENT_NAME
};

/* The next cell of a markdown table row, trimmed, or NULL at the row's end. */
static char *next_cell(char **cursor)
{
	char *bar = strchr(*cursor, '|');
	if (!bar)
		return NULL;
	*bar = '\0';
	char *cell = *cursor;
	*cursor = bar + 1;
	while (*cell == ' ')
		cell++;
	for (char *end = cell + strlen(cell); end > cell && end[-1] == ' ';)
		*--end = '\0';
	return cell;
}

START_TEST(test_doc_table_is_the_code_table)
{
	FILE *doc = fopen(ENGINE_DOC, "r");
	ck_assert_ptr_nonnull(doc);
	char line[1024];
	bool in_section = false, seen[TCPE_COUNT] = {0};
	int rows = 0;
	enum tcp_state columns[TCPS_COUNT];
	int ncolumns = 0;
	while (fgets(line, sizeof line, doc)) {
		if (strncmp(line, "## ", 3) == 0)
			in_section = strcmp(line, "## The transition table\n") == 0;
		if (!in_section || line[0] != '|' || strncmp(line, "|---", 4) == 0)
			continue;
		char *cursor = line + 1, *first = next_cell(&cursor), *cell;
		if (strcmp(first, "event") == 0) {
			while ((cell = next_cell(&cursor)) && ncolumns < TCPS_COUNT) {
				int s = 0;
				while (s < TCPS_COUNT && strcmp(tcp_state_name((enum tcp_state)s), cell) != 0)
					s++;
				ck_assert_msg(s < TCPS_COUNT, "column %s is no state", cell);
				columns[ncolumns++] = (enum tcp_state)s;
			}
			continue;
		}
		ck_assert_int_eq(ncolumns, TCPS_COUNT);
		int ev = 0;
		while (ev < TCPE_COUNT && (strlen(first) != strlen(event_names[ev]) + 2 ||
					   strncmp(first + 1, event_names[ev], strlen(event_names[ev])) != 0))
			ev++;
		ck_assert_msg(ev < TCPE_COUNT, "row %s is no event", first);
		seen[ev] = true;
		rows++;
		for (int c = 0; c < ncolumns; c++) {
			cell = next_cell(&cursor);
			ck_assert_ptr_nonnull(cell);
			enum tcp_state to = tcp_state_next(columns[c], (enum tcp_event)ev);
			const char *want = to == TCPS_COUNT ? "—" : to == columns[c] ? "stays" : tcp_state_name(to);
			ck_assert_msg(strcmp(cell, want) == 0, "%s in %s: the doc says %s, the code %s",
				      event_names[ev], tcp_state_name(columns[c]), cell, want);
		}
	}
	fclose(doc);
	ck_assert_int_eq(rows, TCPE_COUNT);
	for (int ev = 0; ev < TCPE_COUNT; ev++)
		ck_assert_msg(seen[ev], "event %s missing from the doc", event_names[ev]);
}
END_TEST

/* Every bundled capture through the engine: tcp_state_apply() aborts on an event its table has not. */
START_TEST(test_bundled_captures_move_legally)
{
	DIR *dir = opendir(CAPTURES_DIR);
	ck_assert_ptr_nonnull(dir);
	int files = 0;
	struct dirent *d;
	while ((d = readdir(dir))) {
		size_t n = strlen(d->d_name);
		if (!(n > 5 && strcmp(d->d_name + n - 5, ".pcap") == 0) &&
		    !(n > 7 && strcmp(d->d_name + n - 7, ".pcapng") == 0))
			continue;
		char path[4096], err[CAPTURE_ERRBUF_SIZE];
		snprintf(path, sizeof path, "%s/%s", CAPTURES_DIR, d->d_name);
		struct capture *cap = capture_open_file(path, NULL, err, sizeof err);
		if (!cap)
			continue; /* the robustness tests are about those */
		struct engine_config cfg;
		engine_config_default(&cfg);
		struct engine_sink sink = {0};
		struct engine *e = engine_new(&cfg, &sink);
		struct capture_record rec;
		while (capture_next(cap, &rec) == CAPTURE_PACKET)
			engine_packet(e, &rec);
		engine_finish(e);
		engine_free(e);
		capture_close(cap);
		files++;
	}
	closedir(dir);
	ck_assert_int_gt(files, 20);
}
END_TEST

static Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("transitions");
	tcase_add_loop_test(tc, test_transition, 0, sizeof transitions / sizeof transitions[0]);
	tcase_add_test(tc, test_doc_table_is_the_code_table);
	tcase_add_test(tc, test_bundled_captures_move_legally);
	suite_add_tcase(s, tc);
	tc = tcase_create("data fates");
	tcase_add_loop_test(tc, test_data_fate, 0, sizeof data_fates / sizeof data_fates[0]);
	suite_add_tcase(s, tc);
	tc = tcase_create("findings");
	tcase_add_loop_test(tc, test_raise, 0, sizeof raises / sizeof raises[0]);
	tcase_add_loop_test(tc, test_near_miss, 0, sizeof near_misses / sizeof near_misses[0]);
	tcase_add_test(tc, test_catalogue_covered);
	tcase_add_test(tc, test_checksum_only_when_asked);
	suite_add_tcase(s, tc);
	tc = tcase_create("summaries");
	tcase_add_test(tc, test_wraparound_is_ordinary);
	tcase_add_test(tc, test_summary_of_clean_connection);
	tcase_add_test(tc, test_summary_verdicts);
	tcase_add_test(tc, test_port_reuse_starts_new_flow);
	tcase_add_test(tc, test_every_flag_combination);
	tcase_add_test(tc, test_absurd_window_scale);
	suite_add_tcase(s, tc);
	return s;
}

#ifndef NDEBUG
/* The assert is live: TIME-WAIT's expiry in ESTABLISHED is no move of the table. */
START_TEST(test_illegal_event_aborts)
{
	enum tcp_state s = TCPS_ESTABLISHED;
	tcp_state_apply(&s, TCPE_TIME_WAIT_EXPIRED);
}
END_TEST

/* The abort needs a process of its own: not under CK_FORK=no (tests/valgrind.sh), nor with asserts off. */
static TCase *abort_tcase(void)
{
	TCase *tc = tcase_create("illegal transition");
	tcase_add_test_raise_signal(tc, test_illegal_event_aborts, SIGABRT);
	return tc;
}
#endif

int main(void)
{
	Suite *s = engine_suite();
	SRunner *sr = srunner_create(s);
#ifndef NDEBUG
	if (srunner_fork_status(sr) != CK_NOFORK)
		suite_add_tcase(s, abort_tcase());
#endif
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
