/*
 * check-script.c - Check suite for `check --script` (src/script.c and its
 * wiring in src/check.c).
 *
 * Scripts that match and scripts that fail at each field (direction, flags,
 * sequence, length, ack, window, options, time, a flow that ends first, a
 * --flow that selects none or several) run against the recorded traces in
 * captures/ through check_run_file(), as `tcpscope check --script` does.
 * Option patterns the recorded traces do not exercise (SACK blocks, EOL,
 * MPTCP, unknown kinds, TFO cookies) run on hand-made packet views. Every
 * parse error is checked for its "NAME:LINE:COLUMN: message".
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "script.h"

#ifndef CAPTURES_DIR
#error "CAPTURES_DIR must name the captures/ folder"
#endif

static char err[512];

struct outcome {
	struct script_result r;
	size_t flows;	  /* flows --flow selected */
	uint32_t flow_id; /* the flow the script ran on */
};

/* Runs a script on a recorded capture, as `check --script - --flow FLOW CAPTURE`. */
static struct outcome run(const char *capture, const char *flow, const char *text)
{
	struct script *s = script_parse(text, "t.pkt", err, sizeof err);
	ck_assert_msg(s != NULL, "script should parse: %s", err);
	struct check_config cfg;
	memset(&cfg, 0, sizeof cfg);
	check_policy_init(&cfg.policy);
	cfg.script = s;
	cfg.script_flow_text = flow;
	ck_assert_int_eq(expect_selector_parse(flow, &cfg.script_flow, err, sizeof err), 0);
	struct engine_config ecfg;
	engine_config_default(&ecfg);
	char path[512];
	snprintf(path, sizeof path, "%s/%s", CAPTURES_DIR, capture);
	struct check_file cf;
	ck_assert_msg(check_run_file(&cf, path, NULL, &ecfg, &cfg) == 0, "%s", cf.error);
	ck_assert(cf.has_script);
	struct outcome o = {cf.script, cf.script_flows, cf.script_flow_id};
	ck_assert_int_eq(cf.pass, o.r.pass && cf.ndenied == 0);
	check_file_free(&cf);
	script_free(s);
	return o;
}

/* close-by-client.pcap, packet by packet, with its real values. */
static const char close_by_client[] =
	"// the whole connection\n"
	"0      > S  0:0(0) win 64240 <mss 1460,sackOK,TS val * ecr 0,nop,wscale 10>\n"
	"+0     < S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val * ecr *,nop,wscale 10>\n"
	"+0     > .  1:1(0) ack 1 win 63 <nop,nop,TS val * ecr *>\n"
	"+0     > P. 1:1001(1000) ack 1\n"
	"+0     < .  1:1(0) ack 1001\n"
	"+0     < .  1:1449(1448) ack 1001\n"
	"+0     > .  1001:1001(0) ack 1449\n"
	"+0     < .  1449:2897(1448) ack 1001 <...>\n"
	"+0     > .  1001:1001(0) ack 2897\n"
	"+0     < P. 2897:4001(1104) ack 1001\n"
	"+0     > .  1001:1001(0) ack 4001\n"
	"+0     > F. 1001:1001(0) ack 4001\n"
	"+0     < F. 4001:4001(0) ack 1002\n"
	"+0     > .  1002:1002(0) ack 4002\n";

START_TEST(test_match_close_by_client)
{
	struct outcome o = run("close-by-client.pcap", "*", close_by_client);
	ck_assert_msg(o.r.pass, "line %u frame %lu: %s", o.r.line, (unsigned long)o.r.frame, o.r.message);
	ck_assert_uint_eq(o.r.matched, 14);
	ck_assert_uint_eq(o.flows, 1);
	ck_assert_uint_eq(o.flow_id, 1);
	/* The same with every selector that names this flow. */
	static const char *const flows[] = {
		"1", "port 5000", "host 10.77.0.2", "server 10.77.0.2:5000", "client 10.77.0.1", "server *:5000"};
	for (size_t i = 0; i < sizeof flows / sizeof flows[0]; i++)
		ck_assert(run("close-by-client.pcap", flows[i], close_by_client).r.pass);
}
END_TEST

START_TEST(test_match_other_traces)
{
	/* A refused connection: the RST's relative seq is 1 (its ISN is unknown). */
	struct outcome o = run("refused.pcap", "*",
			       "0 > S 0:0(0) <...>\n"
			       "+0 < R. 1:1(0) ack 1 win 0\n");
	ck_assert_msg(o.r.pass, "%s", o.r.message);
	/* The lost SYN-ACK: the SYN again after about 1 s (12.5 % tolerance), then the SYN-ACK twice. */
	o = run("lost-synack.pcap", "*",
		"0    > S  0:0(0) <mss 1460,...>\n"
		"+1   > S  0:0(0) <...,wscale 10>\n"
		"+0   < S. 0:0(0) ack 1\n"
		"+0   > .  1:1(0) ack 1\n"
		"*    < S. 0:0(0) ack 1\n"
		"+0   > .  1:1(0) ack 1\n"
		"1.03 > P. 1:101(100) ack 1\n");
	ck_assert_msg(o.r.pass, "line %u: %s", o.r.line, o.r.message);
	/* ECN flags on the handshake. */
	o = run("ecn.pcap", "1",
		"0 > SEW 0:0(0) win 64240\n"
		"+0 < S.E 0:0(0) ack 1 win 65160\n"
		"+0 > . 1:1(0) ack 1 win *\n");
	ck_assert_msg(o.r.pass, "%s", o.r.message);
	/* TFO: a cookie request, then data on the SYN with a cookie. */
	o = run("tfo.pcap", "1",
		"0 > S 0:0(0) <mss 1460,sackOK,TS val * ecr 0,nop,wscale 10,FO,nop,nop>\n"
		"+0 < S. 0:0(0) ack 1 <mss 1460,sackOK,TS val * ecr *,nop,wscale 10,FO *,nop,nop>\n");
	ck_assert_msg(o.r.pass, "%s", o.r.message);
	o = run("tfo.pcap", "2",
		"0 > S 0:100(100) <...,FO *,...>\n"
		"+0 < S. 0:0(0) ack 101\n");
	ck_assert_msg(o.r.pass, "%s", o.r.message);
	/* IPv6, selected by a bracketed address. */
	o = run("ipv6.pcap", "server [fd77::2]:5000",
		"0 > S 0:0(0) win 64800 <mss 1440,...>\n"
		"+0 < S. 0:0(0) ack 1 <mss 1440,...>\n");
	ck_assert_msg(o.r.pass, "%s", o.r.message);
}
END_TEST

/* One failing line of close-by-client: which line, which frame, what message. */
static const struct {
	const char *line; /* replaces script line 5 (frame 4: > P. 1:1001(1000) ack 1 win 63) */
	const char *message;
} field_failures[] = {
	{"+0 < P. 1:1001(1000) ack 1", "direction >, expected <"},
	{"+0 > . 1:1001(1000) ack 1", "flags P., expected ."},
	{"+0 > P 1:1001(1000) ack 1", "flags P., expected P"},
	{"+0 > P. 2:1002(1000) ack 1", "seq 1, expected 2"},
	{"+0 > P. 1:1000(999) ack 1", "len 1000, expected 999"},
	{"+0 > P. 1:1001(1000) ack 2", "ack 1, expected 2"},
	{"+0 > P. 1:1001(1000) ack 1 win 64", "win 63, expected 64"},
	{"+0 > P. 1:1001(1000) ack 1 <nop,nop,TS val 1 ecr *>",
	 "options <nop,nop,TS val 106937586 ecr 2368019163>, expected <nop,nop,TS val 1 ecr *>"},
	{"+0 > P. 1:1001(1000) ack 1 <TS val * ecr *>",
	 "options <nop,nop,TS val 106937586 ecr 2368019163>, expected <TS val * ecr *>"},
	{"+0 > P. 1:1001(1000) ack 1 <>", "options <nop,nop,TS val 106937586 ecr 2368019163>, expected <>"},
	{"+0 > P. 1:1001(1000) ack 1 <nop,nop,TS val * ecr *,...,eol>",
	 "options <nop,nop,TS val 106937586 ecr 2368019163>, expected <nop,nop,TS val * ecr *,...,eol>"},
	{"+0.01 > P. 1:1001(1000) ack 1",
	 "arrived +0.000023 s after the previous packet, expected +0.01 s +/- 0.004 s"},
	{"+0.1 > P. 1:1001(1000) ack 1", "arrived +0.000023 s after the previous packet, expected +0.1 s +/- 0.0125 s"},
	{"0.5 > P. 1:1001(1000) ack 1",
	 "arrived +0.000023 s after the previous packet, expected +0.499943 s +/- 0.062493 s"},
	{"+0 > F 7:7(0) win 1 <mss 1>",
	 "flags P., expected F; seq 1, expected 7; len 1000, expected 0; win 63, expected 1; "
	 "options <nop,nop,TS val 106937586 ecr 2368019163>, expected <mss 1>"},
};

START_TEST(test_fail_at_each_field)
{
	/* Lines 1-4 of close_by_client, the replacement as line 5, then the rest. */
	char script[2048];
	const char *p = close_by_client;
	for (int n = 0; n < 4; n++)
		p = strchr(p, '\n') + 1;
	const char *rest = strchr(p, '\n') + 1;
	snprintf(script, sizeof script, "%.*s%s\n%s", (int)(p - close_by_client), close_by_client,
		 field_failures[_i].line, rest);
	struct outcome o = run("close-by-client.pcap", "*", script);
	ck_assert(!o.r.pass);
	ck_assert_uint_eq(o.r.line, 5);
	ck_assert_uint_eq(o.r.frame, 4);
	ck_assert_uint_eq(o.r.matched, 3);
	ck_assert_str_eq(o.r.message, field_failures[_i].message);
	ck_assert_str_eq(o.r.expected, field_failures[_i].line);
	ck_assert_str_eq(o.r.actual,
			 "+0.000023 > P. 1:1001(1000) ack 1 win 63 <nop,nop,TS val 106937586 ecr 2368019163>");
}
END_TEST

START_TEST(test_fail_flow_ends_first)
{
	char script[2048];
	snprintf(script, sizeof script, "%s+0 > . 1002:1002(0) ack 4002\n", close_by_client);
	struct outcome o = run("close-by-client.pcap", "*", script);
	ck_assert(!o.r.pass);
	ck_assert_uint_eq(o.r.line, 16);
	ck_assert_uint_eq(o.r.frame, 0);
	ck_assert_uint_eq(o.r.matched, 14);
	ck_assert_str_eq(o.r.message, "the flow ended after frame 14 (14 of 15 lines matched)");
	ck_assert_str_eq(o.r.expected, "+0 > . 1002:1002(0) ack 4002");
	ck_assert_str_eq(o.r.actual, "");
	/* A script shorter than the flow passes: later packets are not checked. */
	o = run("close-by-client.pcap", "*", "0 > S 0:0(0)\n");
	ck_assert(o.r.pass);
	ck_assert_uint_eq(o.r.matched, 1);
	/* An ack on a packet without the ACK flag. */
	o = run("refused.pcap", "*", "0 > S 0:0(0) ack 0\n");
	ck_assert(!o.r.pass);
	ck_assert_str_eq(o.r.message, "no ACK flag, expected ack 0");
	/* The retransmitted SYN came 1.03 s later: +0.8 is outside 12.5 %. */
	o = run("lost-synack.pcap", "*", "0 > S 0:0(0)\n+0.8 > S 0:0(0)\n");
	ck_assert(!o.r.pass);
	ck_assert_uint_eq(o.r.frame, 2);
	ck_assert_str_eq(o.r.message, "arrived +1.029878 s after the previous packet, expected +0.8 s +/- 0.1 s");
}
END_TEST

START_TEST(test_fail_flow_selection)
{
	struct outcome o = run("close-by-client.pcap", "port 80", "0 > S 0:0(0)\n");
	ck_assert(!o.r.pass);
	ck_assert_uint_eq(o.flows, 0);
	ck_assert_uint_eq(o.r.line, 0);
	ck_assert_str_eq(o.r.message, "--flow 'port 80' selects no flow (the capture has 1)");
	o = run("tfo.pcap", "*", "0 > S 0:0(0)\n");
	ck_assert(!o.r.pass);
	ck_assert_uint_eq(o.flows, 2);
	ck_assert_uint_eq(o.flow_id, 0);
	ck_assert_str_eq(o.r.message, "--flow '*' selects 2 flows; a script is about one (choose with --flow ID)");
	o = run("tfo.pcap", "3", "0 > S 0:0(0)\n");
	ck_assert(!o.r.pass);
	ck_assert_str_eq(o.r.message, "--flow '3' selects no flow (the capture has 2)");
}
END_TEST

/* ---- Option patterns on hand-made packets ------------------------------ */

struct synth {
	struct packet pkt;
	struct packet_view view;
};

/* A client ACK with the given option kinds (values set by the caller). */
static void synth_init(struct synth *s, const uint8_t *kinds, uint8_t n)
{
	memset(s, 0, sizeof *s);
	s->pkt.frame = 7;
	s->pkt.time_ns = 1000000000;
	s->pkt.flags = TCP_ACK;
	s->pkt.seq = 1001;
	s->pkt.ack = 5001;
	s->pkt.window = 500;
	if (n)
		memcpy(s->pkt.opt.kinds, kinds, n);
	s->pkt.opt.count = n;
	s->view.pkt = &s->pkt;
	s->view.flow_id = 1;
	s->view.rel_seq = 1;
	s->view.rel_ack = 1; /* the peer's ISN is 5000 */
}

/* Does the one-line script (time and direction are prepended) match the packet? */
static bool matches(const struct synth *s, const char *line, char *message, size_t len)
{
	char text[300];
	snprintf(text, sizeof text, "0 > . 1:1(0) %s\n", line);
	struct script *sc = script_parse(text, "t.pkt", err, sizeof err);
	ck_assert_msg(sc != NULL, "'%s': %s", text, err);
	struct script_matcher m;
	script_matcher_init(&m, sc);
	script_matcher_packet(&m, &s->view);
	script_matcher_finish(&m);
	snprintf(message, len, "%s", m.result.message);
	bool pass = m.result.pass;
	script_free(sc);
	return pass;
}

START_TEST(test_option_patterns)
{
	static const uint8_t sack_kinds[] = {TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP,
					     TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK};
	struct synth s;
	char msg[400];
	synth_init(&s, sack_kinds, sizeof sack_kinds);
	s.pkt.opt.has_timestamps = true;
	s.pkt.opt.tsval = 100;
	s.pkt.opt.tsecr = 200;
	s.pkt.opt.sack_count = 2;
	s.pkt.opt.sack[0] = (struct sack_block){5000 + 2001, 5000 + 3001};
	s.pkt.opt.sack[1] = (struct sack_block){5000 + 4001, 5000 + 5001};
	ck_assert(matches(&s, "<nop,nop,TS val 100 ecr 200,nop,nop,sack 2001:3001 4001:5001>", msg, sizeof msg));
	ck_assert(matches(&s, "<...,sack 2001:3001 4001:5001>", msg, sizeof msg));
	ck_assert(matches(&s, "<...>", msg, sizeof msg));
	ck_assert(matches(&s, "<...,TS val * ecr 200,...>", msg, sizeof msg));
	ck_assert(matches(&s, "<nop,...,nop,sack 2001:3001 4001:5001,...>", msg, sizeof msg));
	ck_assert(matches(&s, "ack 1 win 500 <kind 1,kind 1,kind 8,...,kind 5>", msg, sizeof msg));
	ck_assert(!matches(&s, "<...,sack 2001:3001>", msg, sizeof msg));
	ck_assert_str_eq(msg, "options <nop,nop,TS val 100 ecr 200,nop,nop,sack 2001:3001 4001:5001>, expected "
			      "<...,sack 2001:3001>");
	ck_assert(!matches(&s, "<...,sack 2001:3001 4001:5000>", msg, sizeof msg));
	ck_assert(!matches(&s, "<nop,nop,TS val 100 ecr 201,...>", msg, sizeof msg));
	ck_assert(!matches(&s, "<nop,TS val 100 ecr 200,...>", msg, sizeof msg));
	ck_assert(!matches(&s, "<...,nop>", msg, sizeof msg));
	ck_assert(!matches(&s, "<>", msg, sizeof msg));

	static const uint8_t syn_kinds[] = {
		TCPOPT_MSS, TCPOPT_SACK_PERMITTED, TCPOPT_WSCALE, TCPOPT_TFO, TCPOPT_MPTCP, 99, TCPOPT_EOL};
	synth_init(&s, syn_kinds, sizeof syn_kinds);
	s.pkt.opt.has_mss = true;
	s.pkt.opt.mss = 1400;
	s.pkt.opt.has_wscale = true;
	s.pkt.opt.wscale = 14;
	s.pkt.opt.has_tfo = true;
	s.pkt.opt.tfo_cookie_len = 8;
	s.pkt.opt.has_mptcp = true;
	ck_assert(matches(&s, "<mss 1400,sackOK,wscale 14,FO *,mptcp,kind 99,eol>", msg, sizeof msg));
	ck_assert(matches(&s, "<mss *,sackOK,wscale *,...>", msg, sizeof msg));
	ck_assert(!matches(&s, "<mss 1400,sackOK,wscale 14,FO,...>", msg, sizeof msg)); /* FO alone: a cookie request */
	ck_assert(!matches(&s, "<mss 1460,...>", msg, sizeof msg));
	ck_assert(!matches(&s, "<mss 1400,sackOK,wscale 7,...>", msg, sizeof msg));
	ck_assert(!matches(&s, "<mss 1400,sackOK,wscale 14,FO *,mptcp,kind 98,eol>", msg, sizeof msg));
	ck_assert_str_eq(msg, "options <mss 1400,sackOK,wscale 14,FO *,mptcp,kind 99,eol>, expected <mss 1400,sackOK,"
			      "wscale 14,FO *,mptcp,kind 98,eol>");
	/* A packet without options: an empty list matches, omitting the list checks nothing. */
	synth_init(&s, NULL, 0);
	ck_assert(matches(&s, "<>", msg, sizeof msg));
	ck_assert(matches(&s, "<...>", msg, sizeof msg));
	ck_assert(matches(&s, "", msg, sizeof msg));
	ck_assert(!matches(&s, "<nop>", msg, sizeof msg));
	ck_assert_str_eq(msg, "options <>, expected <nop>");
}
END_TEST

START_TEST(test_format_packet)
{
	static const uint8_t kinds[] = {TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK, TCPOPT_EXPERIMENTAL};
	struct synth s;
	char buf[320];
	synth_init(&s, kinds, sizeof kinds);
	s.pkt.flags = TCP_ACK | TCP_PSH | TCP_ECE | TCP_CWR;
	s.pkt.payload_len = 100;
	s.pkt.opt.sack_count = 1;
	s.pkt.opt.sack[0] = (struct sack_block){5101, 5201};
	s.view.from_server = 1;
	script_format_packet(buf, sizeof buf, &s.view, 1000000000 - 1500000);
	ck_assert_str_eq(buf, "+0.0015 < P.EW 1:101(100) ack 1 win 500 <nop,nop,sack 101:201,kind 254>");
	s.pkt.flags = 0;
	s.pkt.opt.count = 0;
	script_format_packet(buf, sizeof buf, &s.view, 0);
	ck_assert_str_eq(buf, "+1 < - 1:101(100) win 500");
}
END_TEST

/* ---- Parse errors ------------------------------------------------------- */

static const struct {
	const char *text;
	const char *error;
} bad[] = {
	{"0 S 0:0(0)", "t.pkt:1:3: expected a direction: '>' (client to server) or '<' (server to client)"},
	{"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3",
	 "t.pkt:1:3: expected a direction: '>' (client to server) or '<' (server to client)"},
	{"x > S 0:0(0)", "t.pkt:1:1: expected a time (+SECONDS, SECONDS or *)"},
	{"+ > S 0:0(0)", "t.pkt:1:2: expected a time (+SECONDS, SECONDS or *)"},
	{"+9676729616 > S 0:0(0)", "t.pkt:1:2: time too large"}, /* once overflowed int64_t nanoseconds */
	{"1000000001 > S 0:0(0)", "t.pkt:1:1: time too large"},
	{"0 > SX 0:0(0)", "t.pkt:1:6: unknown flag 'X' (flags are S F R P . U E W)"},
	{"0 > SA 0:0(0)", "t.pkt:1:6: unknown flag 'A' (flags are S F R P . U E W)"},
	{"0 >", "t.pkt:1:4: expected flags (S F R P . U E W, or - for none)"},
	{"0 > S", "t.pkt:1:6: expected START:END(LEN), relative sequence numbers"},
	{"0 > S 0-0(0)", "t.pkt:1:8: expected ':' in START:END(LEN)"},
	{"0 > S 0:x(0)", "t.pkt:1:9: expected END in START:END(LEN)"},
	{"0 > S 0:0", "t.pkt:1:10: expected '(' in START:END(LEN)"},
	{"0 > S 0:0(0", "t.pkt:1:12: expected ')' in START:END(LEN)"},
	{"0 > S 0:5(4)", "t.pkt:1:7: 0:5(4): END must be START + LEN"},
	{"0 > S 0:0(0) 99999999999", "t.pkt:1:14: unexpected '99999999999' (a line is TIME DIR FLAGS START:END(LEN) "
				     "[ack N] [win N] [<OPTIONS>])"},
	{"0 > S 4294967296:0(0)", "t.pkt:1:7: START:END(LEN), relative sequence numbers is above 4294967295"},
	{"0 > S 0:0(0) ack", "t.pkt:1:17: expected an acknowledgement number or *"},
	{"0 > S 0:0(0) win 70000", "t.pkt:1:18: a window (the raw 16-bit field) or * is above 65535"},
	{"0 > S 0:0(0) <mss 1460", "t.pkt:1:23: missing '>' to close the '<' at column 14"},
	{"0 > S 0:0(0) <mss>", "t.pkt:1:18: expected an MSS value or *"},
	{"0 > S 0:0(0) <wscale 300>", "t.pkt:1:22: a window scale or * is above 255"},
	{"0 > S 0:0(0) <foo 1>",
	 "t.pkt:1:15: unknown option 'foo' (mss, wscale, sackOK, TS, sack, nop, eol, FO, mptcp, kind N, ...)"},
	{"0 > S 0:0(0) <TS 1 ecr 2>", "t.pkt:1:18: expected 'val' in TS val N ecr N"},
	{"0 > S 0:0(0) <TS val 1 2>", "t.pkt:1:24: expected 'ecr' in TS val N ecr N"},
	{"0 > S 0:0(0) <sack>", "t.pkt:1:19: expected SACK blocks L:R after 'sack'"},
	{"0 > S 0:0(0) <sack 1-2>", "t.pkt:1:21: expected ':' in the SACK block L:R"},
	{"0 > S 0:0(0) <nop nop>", "t.pkt:1:19: expected ',' or '>' in the option list"},
	{"0 > S 0:0(0) <kind>", "t.pkt:1:19: expected an option kind (0-255)"},
	{"0 > S 0:0(0) urg 5", "t.pkt:1:14: unexpected 'urg' (a line is TIME DIR FLAGS START:END(LEN) [ack N] [win N] "
			       "[<OPTIONS>])"},
	{"0 > S 0:0(0) <mss 1> <mss 1>", "t.pkt:1:22: unexpected '<mss' (a line is TIME DIR FLAGS START:END(LEN) "
					 "[ack N] [win N] [<OPTIONS>])"},
	{"// nothing but comments\n# and blanks\n\n", "t.pkt: the script has no packet lines"},
	{"0 > S 0:0(0)\n// fine\n+0 < S. 0:0(0) ack 1 win",
	 "t.pkt:3:25: expected a window (the raw 16-bit field) or *"},
};

START_TEST(test_parse_errors)
{
	struct script *s = script_parse(bad[_i].text, "t.pkt", err, sizeof err);
	ck_assert_msg(s == NULL, "'%s' should not parse", bad[_i].text);
	ck_assert_str_eq(err, bad[_i].error);
}
END_TEST

START_TEST(test_parse_forms)
{
	struct script *s = script_parse("// comment\n"
					"  0.5 > S 0:0(0) # trailing comment\n"
					"+.25 < S. 0:0(0) ack 1 win * <...>\n"
					"* > . 1:1(0) ack * // trailing\n"
					"+0 > - 1:1(0)\n",
					"t.pkt", err, sizeof err);
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_uint_eq(s->count, 4);
	script_free(s);
}
END_TEST

static Suite *script_suite(void)
{
	Suite *s = suite_create("script");
	TCase *tc = tcase_create("traces");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_match_close_by_client);
	tcase_add_test(tc, test_match_other_traces);
	tcase_add_loop_test(tc, test_fail_at_each_field, 0, (int)(sizeof field_failures / sizeof field_failures[0]));
	tcase_add_test(tc, test_fail_flow_ends_first);
	tcase_add_test(tc, test_fail_flow_selection);
	suite_add_tcase(s, tc);

	tc = tcase_create("packets");
	tcase_add_test(tc, test_option_patterns);
	tcase_add_test(tc, test_format_packet);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_errors, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, test_parse_forms);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(script_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
