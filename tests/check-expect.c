/*
 * check-expect.c - Check suite for the --expect language (src/expect.c) and
 * the findings policy of `check` (src/check.c).
 *
 * Parsing: every form, selector, operator and unit is parsed into the record
 * the evaluator reads; every parse error is checked for its exact
 * "NAME:LINE:COLUMN: message". Evaluation runs on hand-made reports (flow
 * summaries and findings filled in below, no capture), including null values,
 * selectors that select nothing, and the frame numbers failures report.
 * `frame` expectations are evaluated on hand-made packet views fed to an
 * expect_frames as a sink would (out of order, with frames nobody named,
 * and without the frame an expectation names).
 * Consistency tests render a flow with output_json_flow and a packet view
 * with output_json_packet and require that every leaf of those JSON objects
 * is a field the language accepts, and that "flow * PATH == VALUE" and
 * "frame N PATH == VALUE" (VALUE as printed) hold: the field tables cannot
 * drift from the §5.1 flow object and the §5.2 packet object. The form on a
 * real capture, through check_run_file, is tested in tests/check-cli.sh.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "expect.h"
#include "output.h"

#define NS_PER_MS 1000000LL

static char err[512];

/* Parses one statement that must be valid; returns the set (freed by the caller). */
static struct expect_set *parse_ok(const char *text)
{
	struct expect_set *set = expect_parse(text, "t.expect", err, sizeof err);
	ck_assert_msg(set != NULL, "'%s' should parse, got: %s", text, err);
	return set;
}

/* A flow with every value set: 10.0.0.1:40000 -> 10.0.0.2:80, frames 1..10. */
static void make_flow(struct flow_summary *s, uint32_t id)
{
	memset(s, 0, sizeof *s);
	s->id = id;
	s->ip_version = 4;
	inet_pton(AF_INET, "10.0.0.1", s->addr[0]);
	inet_pton(AF_INET, "10.0.0.2", s->addr[1]);
	s->port[0] = 40000;
	s->port[1] = 80;
	s->first_frame = 1;
	s->last_frame = 10;
	s->start_ns = 1000 * 1000000000LL;
	s->end_ns = s->start_ns + 250 * NS_PER_MS;
	s->packets[0] = 6;
	s->packets[1] = 4;
	s->payload_bytes[0] = 1000;
	s->payload_bytes[1] = 20000;
	s->retrans_bytes[1] = 1448;
	s->handshake = "complete";
	s->close = "fin";
	s->closed_first_by = 0;
	s->state[0] = TCPS_TIME_WAIT;
	s->state[1] = TCPS_CLOSED;
	s->time_wait_left_ns = 59 * 1000000000LL;
	snprintf(s->conn_state, sizeof s->conn_state, "SF");
	snprintf(s->history, sizeof s->history, "ShADadFf");
	s->completeness = 31;
	s->mss[0] = 1460;
	s->mss[1] = 1400;
	s->wscale[0] = 7;
	s->wscale[1] = 10;
	s->sack_permitted = true;
	s->timestamps = true;
	s->irtt_ns = 20 * NS_PER_MS;
	s->rtt[0] = (struct rtt_summary){3, 10 * NS_PER_MS, 12 * NS_PER_MS, 15 * NS_PER_MS};
	s->rtt[1] = (struct rtt_summary){2, 1 * NS_PER_MS, 2 * NS_PER_MS, 3 * NS_PER_MS};
	s->keepalives[0] = 2;
	s->keepalive_interval_ns[0] = 4500 * NS_PER_MS;
	s->keepalive_interval_ns[1] = -1;
	s->max_in_flight[0] = 1000;
	s->max_in_flight[1] = 14480;
	s->zero_window_ns[1] = 3 * NS_PER_MS;
	s->labels[L_RETRANSMISSION] = 2;
	s->labels[L_DUPLICATE_ACK] = 5;
	s->findings[SEV_NOTE] = 1;
}

/* A finished report holding copies of flows[] and findings[] (report_free it). */
static struct report make_report(const struct flow_summary *flows, size_t nflows, const struct finding *findings,
				 size_t nfindings)
{
	struct report r;
	struct engine_stats stats;
	memset(&stats, 0, sizeof stats);
	report_init(&r, "hand-made");
	for (size_t i = 0; i < nflows; i++)
		report_add_flow(&r, &flows[i]);
	for (size_t i = 0; i < nfindings; i++)
		report_add_finding(&r, &findings[i]);
	report_finish(&r, &stats);
	return r;
}

static struct finding make_finding(uint64_t frame, uint32_t flow, enum finding_id id)
{
	struct finding f;
	memset(&f, 0, sizeof f);
	f.frame = frame;
	f.flow = flow;
	f.id = id;
	snprintf(f.message, sizeof f.message, "test finding");
	return f;
}

/* Evaluates the single statement text against r. */
static bool holds(const char *text, const struct report *r)
{
	struct expect_set *set = parse_ok(text);
	struct expect_result res;
	expect_eval(&set->items[0], r, NULL, &res);
	bool pass = res.pass;
	expect_result_free(&res);
	expect_set_free(set);
	return pass;
}

/* ---- Parsing: forms, selectors, operators, units ------------------------ */

START_TEST(test_forms)
{
	struct expect_set *set = parse_ok("# a comment\n"
					  "\n"
					  "flows == 3   # trailing comment\n"
					  "flow * handshake == complete\n"
					  "\t findings tcp.reset.* == 0\n");
	ck_assert_uint_eq(set->count, 3);
	ck_assert_str_eq(set->name, "t.expect");
	ck_assert_int_eq(set->items[0].form, EXPECT_FLOWS);
	ck_assert_uint_eq(set->items[0].line, 3);
	ck_assert_str_eq(set->items[0].text, "flows == 3");
	ck_assert_int_eq(set->items[0].values[0].num, 3);
	ck_assert_int_eq(set->items[1].form, EXPECT_FLOW);
	ck_assert_uint_eq(set->items[1].line, 4);
	ck_assert_str_eq(expect_field_path(set->items[1].field), "handshake");
	ck_assert_str_eq(set->items[1].values[0].word, "complete");
	ck_assert_int_eq(set->items[2].form, EXPECT_FINDINGS);
	ck_assert_str_eq(set->items[2].what, "tcp.reset.*");
	ck_assert_str_eq(set->items[2].text, "findings tcp.reset.* == 0");
	expect_set_free(set);

	set = parse_ok("");
	ck_assert_uint_eq(set->count, 0);
	expect_set_free(set);
	set = parse_ok("# only comments\n   \n#\n");
	ck_assert_uint_eq(set->count, 0);
	expect_set_free(set);
	/* The SPEC §11 example, verbatim. */
	set = parse_ok("flows == 3\n"
		       "flow * handshake == complete\n"
		       "flow * conn_state in SF,S1\n"
		       "flow port 443 close == fin\n"
		       "flow 2 labels.retransmission <= 3\n"
		       "flow server 10.0.0.2:80 state.client == TIME-WAIT\n"
		       "flow * irtt < 50ms\n"
		       "findings tcp.reset.* == 0\n"
		       "findings error == 0\n");
	ck_assert_uint_eq(set->count, 9);
	expect_set_free(set);
}
END_TEST

START_TEST(test_frame_form)
{
	struct expect_set *set = parse_ok("frame 3 state.server == SYN-RECEIVED\n"
					  "frame 5 state.client in ESTABLISHED,FIN-WAIT-1\n"
					  "frame 1 flags == S\n"
					  "frame 12 flags == \"\"\n"
					  "frame 4 labels.retransmission == 1\n"
					  "frame 4 findings.tcp.handshake.synack_retransmitted == 1\n"
					  "frame 6 len >= 1KB\n"
					  "frame 6 win_scaled == null\n"
					  "frame 6 time < 1.5s\n"
					  "frame 2 dir == server\n");
	ck_assert_uint_eq(set->count, 10);
	ck_assert_int_eq(set->items[0].form, EXPECT_FRAME);
	ck_assert_uint_eq(set->items[0].frame, 3);
	ck_assert_str_eq(expect_field_path(set->items[0].field), "state.server");
	ck_assert_str_eq(set->items[0].values[0].word, "SYN-RECEIVED");
	ck_assert_uint_eq(set->items[1].nvalues, 2);
	ck_assert_str_eq(set->items[2].values[0].word, "S");
	ck_assert_str_eq(set->items[3].values[0].word, "");
	ck_assert_uint_eq(set->items[3].frame, 12);
	ck_assert_str_eq(expect_field_path(set->items[5].field), "findings.tcp.handshake.synack_retransmitted");
	ck_assert_int_eq(set->items[6].values[0].num, 1000);
	ck_assert(set->items[7].values[0].null);
	ck_assert_int_eq(set->items[8].values[0].num, 1500000000);
	char buf[200];
	expect_values_format(buf, sizeof buf, &set->items[1]);
	ck_assert_str_eq(buf, "ESTABLISHED,FIN-WAIT-1");
	expect_values_format(buf, sizeof buf, &set->items[3]);
	ck_assert_str_eq(buf, "\"\"");
	/* every flag letter, in order */
	expect_set_free(set);
	set = parse_ok("frame 1 flags == SFRPAUEW");
	ck_assert_str_eq(set->items[0].values[0].word, "SFRPAUEW");
	expect_set_free(set);
}
END_TEST

START_TEST(test_findings_what)
{
	static const char *const whats[] = {"error",	   "warning", "note", "tcp.reset.inexact",
					    "tcp.reset.*", "tcp.*",   "*",    "decode.ip.*"};
	for (size_t i = 0; i < sizeof whats / sizeof whats[0]; i++) {
		char text[100];
		snprintf(text, sizeof text, "findings %s >= 0", whats[i]);
		struct expect_set *set = parse_ok(text);
		ck_assert_str_eq(set->items[0].what, whats[i]);
		expect_set_free(set);
	}
}
END_TEST

static const struct {
	const char *text;
	enum expect_sel_kind kind;
	uint32_t id;
	bool has_addr, has_port;
	int ip_version;
	const char *addr;
	uint16_t port;
} selectors[] = {
	{"*", EXPECT_SEL_ALL, 0, false, false, 0, NULL, 0},
	{"17", EXPECT_SEL_ID, 17, false, false, 0, NULL, 0},
	{"port 443", EXPECT_SEL_PORT, 0, false, true, 0, NULL, 443},
	{"port 0", EXPECT_SEL_PORT, 0, false, true, 0, NULL, 0},
	{"host 10.0.0.2", EXPECT_SEL_HOST, 0, true, false, 4, "10.0.0.2", 0},
	{"host fd77::2", EXPECT_SEL_HOST, 0, true, false, 6, "fd77::2", 0},
	{"host [fd77::2]", EXPECT_SEL_HOST, 0, true, false, 6, "fd77::2", 0},
	{"client 10.0.0.1", EXPECT_SEL_CLIENT, 0, true, false, 4, "10.0.0.1", 0},
	{"client 10.0.0.1:40000", EXPECT_SEL_CLIENT, 0, true, true, 4, "10.0.0.1", 40000},
	{"server 10.0.0.2:80", EXPECT_SEL_SERVER, 0, true, true, 4, "10.0.0.2", 80},
	{"server [fd77::2]:5000", EXPECT_SEL_SERVER, 0, true, true, 6, "fd77::2", 5000},
	{"server [::1]", EXPECT_SEL_SERVER, 0, true, false, 6, "::1", 0},
	{"server ::ffff:10.0.0.2", EXPECT_SEL_SERVER, 0, true, false, 6, "::ffff:10.0.0.2", 0},
	{"server *:80", EXPECT_SEL_SERVER, 0, false, true, 0, NULL, 80},
	{"client *:65535", EXPECT_SEL_CLIENT, 0, false, true, 0, NULL, 65535},
};

START_TEST(test_selectors)
{
	char text[128];
	snprintf(text, sizeof text, "flow %s packets.client > 0", selectors[_i].text);
	struct expect_set *set = parse_ok(text);
	const struct expect_selector *sel = &set->items[0].sel;
	ck_assert_int_eq(sel->kind, selectors[_i].kind);
	ck_assert_uint_eq(sel->id, selectors[_i].id);
	ck_assert_int_eq(sel->has_addr, selectors[_i].has_addr);
	ck_assert_int_eq(sel->has_port, selectors[_i].has_port);
	ck_assert_uint_eq(sel->port, selectors[_i].port);
	if (selectors[_i].addr) {
		uint8_t want[16] = {0};
		ck_assert_int_eq(sel->ip_version, selectors[_i].ip_version);
		ck_assert_int_eq(
			inet_pton(selectors[_i].ip_version == 4 ? AF_INET : AF_INET6, selectors[_i].addr, want), 1);
		ck_assert_mem_eq(sel->addr, want, 16);
	}
	/* The same selector as a --flow option value. */
	struct expect_selector alone;
	ck_assert_int_eq(expect_selector_parse(selectors[_i].text, &alone, err, sizeof err), 0);
	ck_assert_mem_eq(&alone, sel, sizeof alone);
	expect_set_free(set);
}
END_TEST

START_TEST(test_selector_option_errors)
{
	struct expect_selector sel;
	ck_assert_int_eq(expect_selector_parse("port 80 extra", &sel, err, sizeof err), -1);
	ck_assert_str_eq(err, "--flow 'port 80 extra': unexpected 'extra' after the selector");
	ck_assert_int_eq(expect_selector_parse("client", &sel, err, sizeof err), -1);
	ck_assert_str_eq(err, "--flow 'client': missing ADDR[:PORT]");
	ck_assert_int_eq(expect_selector_parse("", &sel, err, sizeof err), -1);
	ck_assert_str_eq(err, "--flow '': missing a flow selector (*, ID, port N, host ADDR, client ADDR[:PORT], "
			      "server ADDR[:PORT])");
}
END_TEST

START_TEST(test_operators)
{
	static const struct {
		const char *text;
		enum expect_op op;
		const char *name;
	} ops[] = {{"flows == 1", EXPECT_EQ, "=="}, {"flows != 1", EXPECT_NE, "!="}, {"flows < 1", EXPECT_LT, "<"},
		   {"flows <= 1", EXPECT_LE, "<="}, {"flows > 1", EXPECT_GT, ">"},   {"flows >= 1", EXPECT_GE, ">="},
		   {"flows in 1", EXPECT_IN, "in"}, {"flows==1", EXPECT_EQ, "=="},   {"flows>=1", EXPECT_GE, ">="}};
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		struct expect_set *set = parse_ok(ops[i].text);
		ck_assert_int_eq(set->items[0].op, ops[i].op);
		ck_assert_str_eq(expect_op_name(ops[i].op), ops[i].name);
		expect_set_free(set);
	}
	struct expect_set *set = parse_ok("flow * conn_state in SF, S1 ,OTH,REJ");
	ck_assert_uint_eq(set->items[0].nvalues, 4);
	ck_assert_str_eq(set->items[0].values[0].word, "SF");
	ck_assert_str_eq(set->items[0].values[1].word, "S1");
	ck_assert_str_eq(set->items[0].values[2].word, "OTH");
	ck_assert_str_eq(set->items[0].values[3].word, "REJ");
	expect_set_free(set);
	set = parse_ok("findings error in 0,1,2");
	ck_assert_uint_eq(set->items[0].nvalues, 3);
	ck_assert_int_eq(set->items[0].values[2].num, 2);
	expect_set_free(set);
}
END_TEST

static const struct {
	const char *value;
	const char *field;
	int64_t num;
} units[] = {
	{"50ms", "irtt", 50 * NS_PER_MS},
	{"250us", "irtt", 250000},
	{"2s", "irtt", 2000000000},
	{"1.5s", "duration", 1500000000},
	{"0.000057", "irtt", 57000},
	{"3", "rtt.client.max", 3000000000},
	{"0.25ms", "rtt.server.min", 250000},
	{"1.5us", "irtt", 1500},
	{"100B", "payload_bytes.client", 100},
	{"10KB", "payload_bytes.server", 10000},
	{"1.5KB", "payload_bytes.server", 1500},
	{"2MB", "retransmitted_bytes.client", 2000000},
	{"4000", "payload_bytes.client", 4000},
	{"1460", "options.mss.0", 1460},
	{"7", "options.wscale.1", 7},
	{"12", "labels.duplicate_ack", 12},
	{"3", "findings.warning", 3},
};

START_TEST(test_units)
{
	char text[128];
	snprintf(text, sizeof text, "flow * %s == %s", units[_i].field, units[_i].value);
	struct expect_set *set = parse_ok(text);
	ck_assert_int_eq(set->items[0].values[0].num, units[_i].num);
	ck_assert(!set->items[0].values[0].null);
	expect_set_free(set);
}
END_TEST

START_TEST(test_words_and_null)
{
	struct expect_set *set = parse_ok("flow * state.client == TIME-WAIT\n"
					  "flow * history == ShADadFf\n"
					  "flow * client.addr == [fd77::1]\n"
					  "flow * server.addr != 10.0.0.2\n"
					  "flow * options.sack_permitted == true\n"
					  "flow * direction_guessed == false\n"
					  "flow * irtt != null\n"
					  "flow * closed_first_by in client,null\n"
					  "flow * options.mss.1 == null\n");
	ck_assert_uint_eq(set->count, 9);
	ck_assert_str_eq(set->items[0].values[0].word, "TIME-WAIT");
	ck_assert_str_eq(set->items[1].values[0].word, "ShADadFf");
	ck_assert_int_eq(set->items[2].values[0].ip_version, 6);
	ck_assert_int_eq(set->items[3].values[0].ip_version, 4);
	ck_assert_int_eq(set->items[4].values[0].num, 1);
	ck_assert_int_eq(set->items[5].values[0].num, 0);
	ck_assert(set->items[6].values[0].null);
	ck_assert(!set->items[7].values[0].null);
	ck_assert(set->items[7].values[1].null);
	ck_assert(set->items[8].values[0].null);
	expect_set_free(set);
}
END_TEST

/* ---- Parse errors ------------------------------------------------------- */

static const struct {
	const char *text;
	const char *error;
} bad[] = {
	{"flowz == 1", "t.expect:1:1: expected flows, flow, frame or findings, not 'flowz'"},
	{"== 3", "t.expect:1:1: expected flows, flow, frame or findings, not '=='"},
	{"flows", "t.expect:1:6: missing operator (== != < <= > >= in)"},
	{"flows => 3", "t.expect:1:7: expected an operator (== != < <= > >= in), not '=>'"},
	{"flows = 3", "t.expect:1:7: expected an operator (== != < <= > >= in), not '='"},
	{"flows is 3", "t.expect:1:7: expected an operator (== != < <= > >= in), not 'is'"},
	{"flows ==", "t.expect:1:9: missing a value"},
	{"flows == many", "t.expect:1:10: expected a number, not 'many'"},
	{"flows == 1.5", "t.expect:1:11: expected a whole number, not '1.5'"},
	{"flows == 3ms", "t.expect:1:11: expected a whole number, not '3ms'"},
	{"flows == 1,2", "t.expect:1:11: a list of values needs 'in'"},
	{"flows == 1 2", "t.expect:1:12: unexpected '2' after the value"},
	{"flows in 1,", "t.expect:1:12: missing a value"},
	{"flows == 99999999999999999999", "t.expect:1:10: number too large: '99999999999999999999'"},
	{"flow",
	 "t.expect:1:5: missing a flow selector (*, ID, port N, host ADDR, client ADDR[:PORT], server ADDR[:PORT])"},
	{"flow foo handshake == complete",
	 "t.expect:1:6: expected a flow selector (*, ID, port N, host ADDR, client ADDR[:PORT], server ADDR[:PORT]), "
	 "not 'foo'"},
	{"flow 0 handshake == complete", "t.expect:1:6: flow ids start at 1"},
	{"flow 2x handshake == complete", "t.expect:1:7: expected a whole number, not '2x'"},
	{"flow port", "t.expect:1:10: missing a port number after 'port'"},
	{"flow port http close == fin", "t.expect:1:11: expected a port number (0-65535), not 'http'"},
	{"flow port 70000 close == fin", "t.expect:1:11: port 70000 is above 65535"},
	{"flow host 10.0.0.300 close == fin", "t.expect:1:11: '10.0.0.300' is not an IPv4 or IPv6 address"},
	{"flow host 10.0.0.1:80 close == fin", "t.expect:1:19: host takes an address without a port"},
	{"flow client [fd77::1 close == fin", "t.expect:1:13: missing ']' after the IPv6 address"},
	{"flow client [fd77::1]x close == fin", "t.expect:1:22: expected ':PORT' after ']'"},
	{"flow client [fd77::1]: close == fin", "t.expect:1:23: expected a port number (0-65535)"},
	{"flow client 10.0.0.1:99999 close == fin", "t.expect:1:22: port 99999 is above 65535"},
	{"flow client * close == fin", "t.expect:1:13: '*' needs a port ('*:PORT'); for every flow write 'flow *'"},
	{"flow server fd77::zz close == fin", "t.expect:1:13: 'fd77::zz' is not an IPv4 or IPv6 address"},
	{"flow server", "t.expect:1:12: missing ADDR[:PORT]"},
	{"flow *", "t.expect:1:7: missing a field (handshake, state.client, labels.retransmission, ...)"},
	{"flow * handshak == complete", "t.expect:1:8: unknown field 'handshak' (the fields are listed in docs/ci.md)"},
	{"flow * state == CLOSED", "t.expect:1:8: unknown field 'state' (the fields are listed in docs/ci.md)"},
	{"flow * labels.retrans == 0", "t.expect:1:8: unknown label 'retrans' (the labels are listed in docs/ci.md)"},
	{"flow * handshake == done",
	 "t.expect:1:21: handshake is one of complete, simultaneous, rejected, incomplete, none, not 'done'"},
	{"flow * state.client == TIME_WAIT",
	 "t.expect:1:24: state.client is one of UNKNOWN, CLOSED, LISTEN, SYN-SENT, SYN-RECEIVED, ESTABLISHED, "
	 "FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT, not 'TIME_WAIT'"},
	{"flow * closed_first_by == nobody",
	 "t.expect:1:27: closed_first_by is one of client, server, null, not 'nobody'"},
	{"flow * conn_state in SF,,S1", "t.expect:1:25: expected a value, not ','"},
	{"flow * handshake < complete", "t.expect:1:18: '<' compares numbers, and handshake is a word"},
	{"flow * options.ecn >= true", "t.expect:1:20: '>=' compares numbers, and options.ecn is true or false"},
	{"flow * options.ecn == yes", "t.expect:1:23: options.ecn is true or false, not 'yes'"},
	{"flow * handshake == null", "t.expect:1:21: handshake is never null"},
	{"flow * irtt < 5min", "t.expect:1:16: unknown unit 'min' (this field takes us, ms or s)"},
	{"flow * irtt < 5KB", "t.expect:1:16: unknown unit 'KB' (this field takes us, ms or s)"},
	{"flow * payload_bytes.client > 5ms", "t.expect:1:32: unknown unit 'ms' (this field takes B, KB or MB)"},
	{"flow * payload_bytes.client > 1.5B", "t.expect:1:31: '1.5B' is not a whole number of bytes"},
	{"flow * irtt < 5.ms", "t.expect:1:17: expected digits after the decimal point"},
	{"flow * irtt < .5", "t.expect:1:15: expected a number, not '.5'"},
	{"flow * client.addr == 10.0.0", "t.expect:1:23: '10.0.0' is not an IPv4 or IPv6 address"},
	{"flow * history == ShADadFfShADadFfShADadFfShADadFfShADadFfShADadFf", "t.expect:1:19: value too long"},
	{"findings", "t.expect:1:9: missing a finding code, prefix.* or severity"},
	{"findings tcp.nope == 0", "t.expect:1:10: unknown finding code 'tcp.nope' (see tcpscope explain --list)"},
	{"findings tcp.nope.* == 0",
	 "t.expect:1:10: no finding code starts with 'tcp.nope.' (see tcpscope explain --list)"},
	{"findings tcp.*.inexact == 0",
	 "t.expect:1:10: 'tcp.*.inexact': a wildcard may only end a prefix, as in tcp.reset.*"},
	{"findings errors == 0", "t.expect:1:10: unknown finding code 'errors' (see tcpscope explain --list)"},
	{"findings error == 0 # ok\nflows == 1\n  flow * close === fin",
	 "t.expect:3:16: expected an operator (== != < <= > >= in), not '==='"},
	{"frame", "t.expect:1:6: missing a frame number"},
	{"frame * flags == S", "t.expect:1:7: expected a number, not '*'"},
	{"frame 0 flags == S", "t.expect:1:7: frames are numbered from 1"},
	{"frame 3x flags == S", "t.expect:1:8: expected a whole number, not '3x'"},
	{"frame 3", "t.expect:1:8: missing a packet field (state.client, flags, labels.retransmission, ...)"},
	{"frame 3 handshake == complete",
	 "t.expect:1:9: unknown packet field 'handshake' (the fields are listed in docs/ci.md)"},
	{"frame 3 state == CLOSED", "t.expect:1:9: unknown packet field 'state' (the fields are listed in docs/ci.md)"},
	{"frame 3 labels.retrans == 1", "t.expect:1:9: unknown label 'retrans' (the labels are listed in docs/ci.md)"},
	{"frame 3 findings.error == 0", "t.expect:1:18: unknown finding code 'error' (see tcpscope explain --list)"},
	{"frame 3 findings.tcp.reset.* == 0",
	 "t.expect:1:18: unknown finding code 'tcp.reset.*' (see tcpscope explain --list)"},
	{"frame 3 state.server == SYN_RECEIVED",
	 "t.expect:1:25: state.server is one of UNKNOWN, CLOSED, LISTEN, SYN-SENT, SYN-RECEIVED, ESTABLISHED, "
	 "FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT, not 'SYN_RECEIVED'"},
	{"frame 3 dir == up", "t.expect:1:16: dir is one of client, server, not 'up'"},
	{"frame 3 flags == AS", "t.expect:1:18: flags are written once each in the order SFRPAUEW: 'SA', not 'AS'"},
	{"frame 3 flags == SS", "t.expect:1:18: flags are written once each in the order SFRPAUEW: 'S', not 'SS'"},
	{"frame 3 flags == SYN", "t.expect:1:19: flags are letters of SFRPAUEW (or \"\" for none), not 'SYN'"},
	{"frame 3 flags == null", "t.expect:1:18: flags is never null"},
	{"frame 3 flags < S", "t.expect:1:15: '<' compares numbers, and flags is a word"},
	{"frame 3 len == 1ms", "t.expect:1:17: unknown unit 'ms' (this field takes B, KB or MB)"},
	{"frame 3 flow 1 flags == S", "t.expect:1:14: expected an operator (== != < <= > >= in), not '1'"},
};

START_TEST(test_parse_errors)
{
	struct expect_set *set = expect_parse(bad[_i].text, "t.expect", err, sizeof err);
	ck_assert_msg(set == NULL, "'%s' should not parse", bad[_i].text);
	ck_assert_str_eq(err, bad[_i].error);
}
END_TEST

/* ---- Evaluation --------------------------------------------------------- */

START_TEST(test_eval_flows_and_fields)
{
	struct flow_summary flows[3];
	make_flow(&flows[0], 1);
	make_flow(&flows[1], 2);
	make_flow(&flows[2], 3);
	flows[1].port[1] = 443;
	flows[1].handshake = "incomplete";
	flows[1].first_frame = 20;
	flows[2].ip_version = 6;
	inet_pton(AF_INET6, "fd77::1", flows[2].addr[0]);
	inet_pton(AF_INET6, "fd77::2", flows[2].addr[1]);
	flows[2].irtt_ns = -1;
	flows[2].closed_first_by = -1;
	flows[2].rtt[0].samples = 0;
	flows[2].mss[1] = 0;
	flows[2].wscale[1] = -1;
	flows[2].time_wait_left_ns = -1;
	struct report r = make_report(flows, 3, NULL, 0);

	/* flows OP N, every operator */
	ck_assert(holds("flows == 3", &r));
	ck_assert(!holds("flows == 2", &r));
	ck_assert(holds("flows != 2", &r));
	ck_assert(!holds("flows != 3", &r));
	ck_assert(holds("flows < 4", &r));
	ck_assert(!holds("flows < 3", &r));
	ck_assert(holds("flows <= 3", &r));
	ck_assert(!holds("flows <= 2", &r));
	ck_assert(holds("flows > 2", &r));
	ck_assert(!holds("flows > 3", &r));
	ck_assert(holds("flows >= 3", &r));
	ck_assert(!holds("flows >= 4", &r));
	ck_assert(holds("flows in 1,3,5", &r));
	ck_assert(!holds("flows in 1,2", &r));

	/* selectors */
	ck_assert(holds("flow * packets.client == 6", &r));
	ck_assert(holds("flow 2 handshake == incomplete", &r));
	ck_assert(!holds("flow * handshake == complete", &r));
	ck_assert(holds("flow port 80 handshake == complete", &r));
	ck_assert(holds("flow port 443 handshake == incomplete", &r));
	ck_assert(holds("flow port 40000 packets.server == 4", &r));
	ck_assert(holds("flow host 10.0.0.1 ip_version == 4", &r));
	ck_assert(holds("flow host fd77::2 id == 3", &r));
	ck_assert(holds("flow client 10.0.0.1:40000 ip_version == 4", &r));
	ck_assert(holds("flow server 10.0.0.2:443 id == 2", &r));
	ck_assert(holds("flow server [fd77::2]:80 id == 3", &r));
	ck_assert(holds("flow server [fd77::2] id == 3", &r));
	ck_assert(holds("flow server *:443 id == 2", &r));
	ck_assert(holds("flow client *:40000 packets.client == 6", &r));
	/* nothing selected: fails whatever the comparison */
	ck_assert(!holds("flow 9 packets.client >= 0", &r));
	ck_assert(!holds("flow server 10.0.0.1 packets.client >= 0", &r));
	ck_assert(!holds("flow client [fd77::2] packets.client >= 0", &r));
	ck_assert(!holds("flow port 22 packets.client >= 0", &r));
	ck_assert(!holds("flow server 10.0.0.2:40000 packets.client >= 0", &r));

	/* fields of every type */
	ck_assert(holds("flow 1 client.addr == 10.0.0.1", &r));
	ck_assert(holds("flow 3 client.addr == fd77:0::1", &r));
	ck_assert(holds("flow 3 server.addr in 10.0.0.2,[fd77::2]", &r));
	ck_assert(holds("flow 1 duration == 250ms", &r));
	ck_assert(holds("flow 1 duration > 0.2", &r));
	ck_assert(holds("flow 1 start_time == 1000s", &r));
	ck_assert(holds("flow 1 state.client == TIME-WAIT", &r));
	ck_assert(holds("flow 1 state.server != TIME-WAIT", &r));
	ck_assert(holds("flow 1 closed_first_by == client", &r));
	ck_assert(holds("flow 1 conn_state in S1,SF", &r));
	ck_assert(holds("flow 1 history == ShADadFf", &r));
	ck_assert(!holds("flow 1 history == shadadff", &r));
	ck_assert(holds("flow 1 payload_bytes.server == 20KB", &r));
	ck_assert(holds("flow 1 payload_bytes.server < 0.1MB", &r));
	ck_assert(holds("flow 1 retransmitted_bytes.server == 1448B", &r));
	ck_assert(holds("flow 1 options.mss.0 == 1460", &r));
	ck_assert(holds("flow 1 options.wscale.1 == 10", &r));
	ck_assert(holds("flow 1 options.sack_permitted == true", &r));
	ck_assert(holds("flow 1 options.ecn == false", &r));
	ck_assert(holds("flow 1 irtt < 50ms", &r));
	ck_assert(holds("flow 1 irtt == 20000us", &r));
	ck_assert(holds("flow 1 rtt.client.max <= 15ms", &r));
	ck_assert(!holds("flow 1 rtt.client.max < 15ms", &r));
	ck_assert(holds("flow 1 rtt.server.samples == 2", &r));
	ck_assert(holds("flow 1 keepalives.client == 2", &r));
	ck_assert(holds("flow 1 zero_window_time.server == 3ms", &r));
	ck_assert(holds("flow 1 time_wait_left > 58s", &r));
	ck_assert(holds("flow 1 completeness == 31", &r));
	ck_assert(holds("flow 1 labels.retransmission == 2", &r));
	ck_assert(holds("flow 1 labels.duplicate_ack > 4", &r));
	/* a label that never occurred counts 0 */
	ck_assert(holds("flow * labels.zero_window == 0", &r));
	ck_assert(holds("flow * labels.dsack < 1", &r));
	ck_assert(holds("flow 1 findings.note == 1", &r));
	ck_assert(holds("flow * findings.error == 0", &r));

	/* null: equal to null only, never ordered, != anything else */
	ck_assert(holds("flow 3 irtt == null", &r));
	ck_assert(!holds("flow 3 irtt < 50ms", &r));
	ck_assert(!holds("flow 3 irtt >= 0", &r));
	ck_assert(!holds("flow 3 irtt == 0", &r));
	ck_assert(holds("flow 3 irtt != 0", &r));
	ck_assert(!holds("flow * irtt != null", &r));
	ck_assert(holds("flow 1 irtt != null", &r));
	ck_assert(holds("flow 3 closed_first_by == null", &r));
	ck_assert(holds("flow * closed_first_by in client,null", &r));
	ck_assert(!holds("flow * closed_first_by in client", &r));
	ck_assert(holds("flow 3 rtt.client.avg == null", &r));
	ck_assert(holds("flow 3 options.mss.1 == null", &r));
	ck_assert(holds("flow 3 options.wscale.1 == null", &r));
	ck_assert(holds("flow 3 time_wait_left == null", &r));
	report_free(&r);
}
END_TEST

START_TEST(test_eval_failures_report_frames)
{
	struct flow_summary flows[3];
	for (uint32_t i = 0; i < 3; i++) {
		make_flow(&flows[i], i + 1);
		flows[i].first_frame = 1 + 10 * i;
	}
	flows[0].irtt_ns = 80 * NS_PER_MS;
	flows[2].irtt_ns = -1;
	struct report r = make_report(flows, 3, NULL, 0);
	struct expect_set *set = parse_ok("flow * irtt < 50ms\nflow 7 irtt < 50ms\nflows > 5");
	struct expect_result res;

	expect_eval(&set->items[0], &r, NULL, &res);
	ck_assert(!res.pass);
	ck_assert_uint_eq(res.selected, 3);
	ck_assert_uint_eq(res.nfailures, 2);
	ck_assert_uint_eq(res.failures[0].flow, 1);
	ck_assert_uint_eq(res.failures[0].frame, 1);
	ck_assert_str_eq(res.failures[0].endpoints, "10.0.0.1:40000 > 10.0.0.2:80");
	ck_assert_int_eq(res.failures[0].actual.num, 80 * NS_PER_MS);
	ck_assert_uint_eq(res.failures[1].flow, 3);
	ck_assert_uint_eq(res.failures[1].frame, 21);
	ck_assert(res.failures[1].actual.null);
	ck_assert_str_eq(res.summary, "2 of 3 selected flows differ");
	char buf[64];
	expect_value_format(buf, sizeof buf, &res.failures[0].actual);
	ck_assert_str_eq(buf, "80ms");
	expect_value_format(buf, sizeof buf, &res.failures[1].actual);
	ck_assert_str_eq(buf, "null");
	expect_result_free(&res);

	expect_eval(&set->items[1], &r, NULL, &res);
	ck_assert(!res.pass);
	ck_assert_uint_eq(res.selected, 0);
	ck_assert_str_eq(res.summary, "no flow is selected (the capture has 3)");
	expect_result_free(&res);

	expect_eval(&set->items[2], &r, NULL, &res);
	ck_assert(!res.pass);
	ck_assert_str_eq(res.summary, "3 flows");
	ck_assert_uint_eq(res.nframes, 3);
	ck_assert_uint_eq(res.frames[0], 1);
	ck_assert_uint_eq(res.frames[2], 21);
	expect_result_free(&res);
	expect_set_free(set);
	report_free(&r);
}
END_TEST

START_TEST(test_eval_findings)
{
	struct finding findings[] = {
		make_finding(5, 1, F_RESET_INEXACT),	  make_finding(9, 1, F_RESET_OUT_OF_WINDOW),
		make_finding(12, 2, F_HS_SYNACK_BAD_ACK), make_finding(0, 0, F_CAPTURE_TRUNCATED),
		make_finding(14, 2, F_CLOSE_HALF_CLOSE),
	};
	struct report r = make_report(NULL, 0, findings, sizeof findings / sizeof findings[0]);
	ck_assert(holds("findings tcp.reset.* == 2", &r));
	ck_assert(holds("findings tcp.reset.inexact == 1", &r));
	ck_assert(holds("findings tcp.* == 4", &r));
	ck_assert(holds("findings * == 5", &r));
	ck_assert(holds("findings error == 1", &r));
	ck_assert(holds("findings warning == 2", &r));
	ck_assert(holds("findings note == 2", &r));
	/* a code that never occurred counts 0 */
	ck_assert(holds("findings tcp.close.time_wait_violation == 0", &r));
	ck_assert(holds("findings decode.* == 0", &r));
	ck_assert(!holds("findings error == 0", &r));
	ck_assert(!holds("flows > 0", &r));
	ck_assert(holds("flows == 0", &r));
	/* "tcp.reset.*" must not match "tcp.resetting": the prefix keeps its dot */
	ck_assert(expect_pattern_match("tcp.reset.*", F_RESET_IGNORED));
	ck_assert(!expect_pattern_match("tcp.reset.*", F_HS_RST_BAD_ACK));
	ck_assert(!expect_pattern_match("tcp.reset", F_RESET_IGNORED));

	struct expect_set *set = parse_ok("findings tcp.reset.* == 0");
	struct expect_result res;
	expect_eval(&set->items[0], &r, NULL, &res);
	ck_assert(!res.pass);
	ck_assert_uint_eq(res.nframes, 2);
	ck_assert_uint_eq(res.frames[0], 5);
	ck_assert_uint_eq(res.frames[1], 9);
	ck_assert_int_eq(res.codes[0], F_RESET_INEXACT);
	ck_assert_int_eq(res.codes[1], F_RESET_OUT_OF_WINDOW);
	ck_assert_str_eq(res.summary, "2 findings");
	expect_result_free(&res);
	expect_set_free(set);
	report_free(&r);
}
END_TEST

START_TEST(test_value_format)
{
	static const struct {
		const char *statement;
		const char *printed;
	} cases[] = {
		{"flow * irtt == 57us", "57us"},
		{"flow * irtt == 0.000057123", "57.123us"},
		{"flow * irtt == 1.5ms", "1.5ms"},
		{"flow * irtt == 1.029956s", "1.029956s"},
		{"flow * irtt == 2", "2s"},
		{"flow * irtt == 0", "0s"},
		{"flow * irtt == null", "null"},
		{"flow * handshake == rejected", "rejected"},
		{"flow * options.tfo == true", "true"},
		{"flow * server.addr == [fd77:0::2]", "fd77::2"},
		{"flow * payload_bytes.client == 2KB", "2000"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct expect_set *set = parse_ok(cases[i].statement);
		char buf[64];
		expect_value_format(buf, sizeof buf, &set->items[0].values[0]);
		ck_assert_str_eq(buf, cases[i].printed);
		expect_set_free(set);
	}
}
END_TEST

/* ---- Frames ------------------------------------------------------------- */

/* A packet and its view, as the engine would emit them: flow 1, 10.0.0.1:40000 > 10.0.0.2:80. */
struct test_view {
	struct packet pkt;
	struct packet_view v;
};

static void make_view(struct test_view *tv, uint64_t frame, bool from_server, uint8_t flags, enum tcp_state client,
		      enum tcp_state server)
{
	memset(tv, 0, sizeof *tv);
	struct packet *p = &tv->pkt;
	p->frame = frame;
	p->time_ns = 1000 * 1000000000LL + (int64_t)frame * NS_PER_MS;
	p->ip_version = 4;
	inet_pton(AF_INET, from_server ? "10.0.0.2" : "10.0.0.1", p->src);
	inet_pton(AF_INET, from_server ? "10.0.0.1" : "10.0.0.2", p->dst);
	p->sport = from_server ? 80 : 40000;
	p->dport = from_server ? 40000 : 80;
	p->seq = 1000 + (uint32_t)frame;
	p->ack = 5000;
	p->window = 502;
	p->flags = flags;
	tv->v.pkt = p;
	tv->v.flow_id = 1;
	tv->v.from_server = from_server;
	tv->v.rel_seq = (uint32_t)frame;
	tv->v.rel_ack = 1;
	tv->v.window_shift = 7;
	tv->v.state[0] = client;
	tv->v.state[1] = server;
	tv->v.bytes_in_flight = -1;
}

/* Evaluates statement i of set against r and fr; the result is the caller's to free. */
static void eval_frame_item(const struct expect_set *set, size_t i, const struct report *r,
			    const struct expect_frames *fr, struct expect_result *res)
{
	ck_assert_int_eq(set->items[i].form, EXPECT_FRAME);
	expect_eval(&set->items[i], r, fr, res);
}

START_TEST(test_eval_frames)
{
	struct expect_set *set = parse_ok("frame 3 state.server == ESTABLISHED\n"	  /* 0 holds */
					  "frame 3 state.server == SYN-RECEIVED\n"	  /* 1 fails */
					  "frame 2 flags == SA\n"			  /* 2 holds */
					  "frame 2 dir == server\n"			  /* 3 holds */
					  "frame 4 flags == S\n"			  /* 4 not a TCP packet */
					  "frame 40 flags == S\n"			  /* 5 past the end */
					  "frame 3 state.client in SYN-SENT,FIN-WAIT-1\n" /* 6 fails */
					  "frame 5 labels.retransmission == 1\n"	  /* 7 holds */
					  "frame 5 labels.duplicate_ack == 0\n"		  /* 8 holds */
					  "frame 5 findings.tcp.handshake.synack_retransmitted == 1\n" /* 9 */
					  "frame 5 findings.tcp.reset.inexact == 0\n"		       /* 10 */
					  "frame 2 win_scaled == 64256\n"			       /* 11 */
					  "frame 2 seq == 2\n"					       /* 12 */
					  "frame 2 seq_raw == 1002\n"				       /* 13 */
					  "frame 3 flags == \"\"\n"				       /* 14 fails */
					  "frame 3 state.server != SYN-RECEIVED\n" /* 15 holds: a frame named again */
					  "frame 2 flags == S\n");		   /* 16 fails */
	struct expect_frames fr;
	expect_frames_init(&fr, set);
	ck_assert_uint_eq(fr.n, 5); /* 2, 3, 4, 5 and 40, each once */
	ck_assert_uint_eq(fr.wanted[0], 2);
	ck_assert_uint_eq(fr.wanted[1], 3);
	ck_assert_uint_eq(fr.wanted[4], 40);

	struct test_view tv[6];
	make_view(&tv[0], 1, false, TCP_SYN, TCPS_SYN_SENT, TCPS_LISTEN);
	make_view(&tv[1], 2, true, TCP_SYN | TCP_ACK, TCPS_SYN_SENT, TCPS_SYN_RECEIVED);
	make_view(&tv[2], 3, false, TCP_ACK, TCPS_ESTABLISHED, TCPS_ESTABLISHED);
	make_view(&tv[3], 5, true, TCP_SYN | TCP_ACK, TCPS_ESTABLISHED, TCPS_ESTABLISHED);
	tv[3].v.labels = 1u << L_RETRANSMISSION;
	tv[3].v.nfindings = 1;
	tv[3].v.findings[0] = F_HS_SYNACK_RETRANSMITTED;
	/* a second view of frame 3 (the first one wins) */
	make_view(&tv[4], 3, false, TCP_ACK, TCPS_CLOSED, TCPS_CLOSED);
	make_view(&tv[5], 6, false, TCP_ACK, TCPS_ESTABLISHED, TCPS_ESTABLISHED);
	/* out of order, frame 4 never comes (not TCP), nobody names 1 or 6 */
	static const int order[] = {2, 0, 3, 1, 4, 5};
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		expect_frames_packet(&fr, &tv[order[i]].v);

	struct engine_stats stats;
	memset(&stats, 0, sizeof stats);
	stats.packets = 6;
	struct report r;
	report_init(&r, "hand-made");
	report_finish(&r, &stats);

	static const bool pass[] = {true, false, true, true, false, false, false, true, true,
				    true, true,	 true, true, true,  false, true,  false};
	ck_assert_uint_eq(set->count, sizeof pass / sizeof pass[0]);
	for (size_t i = 0; i < set->count; i++) {
		struct expect_result res;
		eval_frame_item(set, i, &r, &fr, &res);
		ck_assert_msg(res.pass == pass[i], "'%s' should %s", set->items[i].text, pass[i] ? "hold" : "fail");
		expect_result_free(&res);
	}

	struct expect_result res;
	char buf[64];
	eval_frame_item(set, 0, &r, &fr, &res);
	ck_assert_str_eq(res.summary, "holds at frame 3");
	ck_assert_uint_eq(res.selected, 1);
	ck_assert_uint_eq(res.nfailures, 0);
	expect_result_free(&res);

	eval_frame_item(set, 1, &r, &fr, &res);
	ck_assert_str_eq(res.summary, "frame 3 differs");
	ck_assert_uint_eq(res.selected, 1);
	ck_assert_uint_eq(res.nfailures, 1);
	ck_assert_uint_eq(res.failures[0].frame, 3);
	ck_assert_uint_eq(res.failures[0].flow, 1);
	ck_assert_str_eq(res.failures[0].endpoints, "10.0.0.1:40000 > 10.0.0.2:80");
	expect_value_format(buf, sizeof buf, &res.failures[0].actual);
	ck_assert_str_eq(buf, "ESTABLISHED");
	expect_result_free(&res);

	/* the endpoints are the flow's, client first, whichever side sent the frame */
	eval_frame_item(set, 16, &r, &fr, &res);
	ck_assert_str_eq(res.failures[0].endpoints, "10.0.0.1:40000 > 10.0.0.2:80");
	expect_value_format(buf, sizeof buf, &res.failures[0].actual);
	ck_assert_str_eq(buf, "SA");
	expect_result_free(&res);

	eval_frame_item(set, 4, &r, &fr, &res);
	ck_assert_uint_eq(res.selected, 0);
	ck_assert_uint_eq(res.nfailures, 0);
	ck_assert_str_eq(res.summary, "frame 4 is not a TCP packet of the capture");
	expect_result_free(&res);

	eval_frame_item(set, 5, &r, &fr, &res);
	ck_assert_str_eq(res.summary, "frame 40 is not in the capture (it has 6 frames)");
	expect_result_free(&res);

	eval_frame_item(set, 14, &r, &fr, &res);
	expect_value_format(buf, sizeof buf, &res.failures[0].actual);
	ck_assert_str_eq(buf, "A");
	expect_result_free(&res);

	expect_frames_free(&fr);
	ck_assert_uint_eq(fr.n, 0);
	report_free(&r);
	expect_set_free(set);

	/* a set without frame expectations keeps nothing */
	set = parse_ok("flows == 1\nflow * handshake == complete");
	expect_frames_init(&fr, set);
	ck_assert_uint_eq(fr.n, 0);
	expect_frames_packet(&fr, &tv[0].v);
	expect_frames_free(&fr);
	expect_set_free(set);
}
END_TEST

/* ---- The field tables against the JSON flow and packet objects ---------- */

/* Collects the leaves of a JSON document: "path=literal" lines (strings unquoted). */
struct leaves {
	char items[128][200];
	size_t n;
};

static char leaf_path[128]; /* the path being walked */

static const char *json_skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\n')
		p++;
	return p;
}

static const char *json_walk(const char *p, struct leaves *lv, size_t plen);

static const char *json_leaf(const char *p, struct leaves *lv, size_t plen)
{
	const char *start = p, *end;
	if (*p == '"') {
		start = ++p;
		while (*p != '"')
			p += *p == '\\' ? 2 : 1;
		end = p++;
	} else {
		while (*p && !strchr(",}] \n", *p))
			p++;
		end = p;
	}
	ck_assert_uint_lt(lv->n, sizeof lv->items / sizeof lv->items[0]);
	snprintf(lv->items[lv->n++], sizeof lv->items[0], "%.*s=%.*s", (int)plen, leaf_path, (int)(end - start), start);
	return p;
}

static const char *json_walk(const char *p, struct leaves *lv, size_t plen)
{
	p = json_skip_ws(p);
	if (*p != '{' && *p != '[')
		return json_leaf(p, lv, plen);
	char close = *p == '{' ? '}' : ']';
	bool object = *p == '{';
	int index = 0;
	p = json_skip_ws(p + 1);
	while (*p != close) {
		size_t len = plen;
		if (plen)
			leaf_path[len++] = '.';
		if (object) {
			const char *key = ++p;
			while (*p != '"')
				p++;
			memcpy(leaf_path + len, key, (size_t)(p - key));
			len += (size_t)(p - key);
			p = json_skip_ws(p + 1);
			ck_assert_int_eq(*p, ':');
			p++;
		} else {
			len += (size_t)snprintf(leaf_path + len, sizeof leaf_path - len, "%d", index++);
		}
		p = json_skip_ws(json_walk(p, lv, len));
		if (*p == ',')
			p = json_skip_ws(p + 1);
	}
	return p + 1;
}

/* Every leaf of output_json_flow(s) is a field, and "flow * PATH == VALUE" holds on s. */
static void assert_json_leaves_hold(struct flow_summary *s)
{
	char *json = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&json, &len);
	ck_assert_ptr_nonnull(f);
	output_json_flow(f, s, false);
	fclose(f);
	static struct leaves lv;
	memset(&lv, 0, sizeof lv);
	memset(leaf_path, 0, sizeof leaf_path);
	json_walk(json, &lv, 0);
	free(json);
	ck_assert_uint_gt(lv.n, 40);
	struct report r = make_report(s, 1, NULL, 0);
	for (size_t i = 0; i < lv.n; i++) {
		char text[300];
		char *eq = strchr(lv.items[i], '=');
		*eq = '\0';
		ck_assert_msg(eq[1] != '\0', "JSON leaf %s is an empty string", lv.items[i]);
		snprintf(text, sizeof text, "flow * %s == %s", lv.items[i], eq + 1);
		struct expect_set *set = expect_parse(text, "json", err, sizeof err);
		ck_assert_msg(set != NULL, "JSON leaf %s is not accepted: %s", lv.items[i], err);
		struct expect_result res;
		expect_eval(&set->items[0], &r, NULL, &res);
		ck_assert_msg(res.pass, "'%s' does not hold on the flow it was printed from", text);
		expect_result_free(&res);
		expect_set_free(set);
	}
	report_free(&r);
}

/*
 * Every leaf of output_json_packet(v) is a packet field, and "frame N PATH
 * == VALUE" holds on v. The arrays become their members' fields:
 * "labels.0=retransmission" is "labels.retransmission == 1".
 */
static void assert_packet_leaves_hold(const struct packet_view *v)
{
	char *json = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&json, &len);
	ck_assert_ptr_nonnull(f);
	output_json_packet(f, v, false);
	fclose(f);
	static struct leaves lv;
	memset(&lv, 0, sizeof lv);
	memset(leaf_path, 0, sizeof leaf_path);
	json_walk(json, &lv, 0);
	free(json);
	ck_assert_uint_ge(lv.n, 14); /* frame to state.server */
	char all[128 * 220] = "";
	size_t used = 0;
	for (size_t i = 0; i < lv.n; i++) {
		char *eq = strchr(lv.items[i], '=');
		*eq = '\0';
		const char *path = lv.items[i], *value = eq + 1;
		char text[300];
		if (strncmp(path, "labels.", 7) == 0 || strncmp(path, "findings.", 9) == 0)
			snprintf(text, sizeof text, "frame %" PRIu64 " %s.%s == 1\n", v->pkt->frame,
				 path[0] == 'l' ? "labels" : "findings", value);
		else
			snprintf(text, sizeof text, "frame %" PRIu64 " %s == %s\n", v->pkt->frame, path,
				 value[0] ? value : "\"\"");
		used += (size_t)snprintf(all + used, sizeof all - used, "%s", text);
	}
	struct expect_set *set = expect_parse(all, "json", err, sizeof err);
	ck_assert_msg(set != NULL, "a JSON leaf is not accepted: %s", err);
	struct expect_frames fr;
	expect_frames_init(&fr, set);
	expect_frames_packet(&fr, v);
	struct engine_stats stats;
	memset(&stats, 0, sizeof stats);
	stats.packets = v->pkt->frame;
	struct report r;
	report_init(&r, "hand-made");
	report_finish(&r, &stats);
	for (size_t i = 0; i < set->count; i++) {
		struct expect_result res;
		expect_eval(&set->items[i], &r, &fr, &res);
		ck_assert_msg(res.pass, "'%s' does not hold on the packet it was printed from", set->items[i].text);
		expect_result_free(&res);
	}
	expect_frames_free(&fr);
	report_free(&r);
	expect_set_free(set);
}

START_TEST(test_packet_fields_match_json_object)
{
	struct test_view tv;
	make_view(&tv, 9, true, TCP_PSH | TCP_ACK | TCP_ECE, TCPS_FIN_WAIT_2, TCPS_CLOSE_WAIT);
	tv.pkt.payload_len = 1448;
	tv.v.labels = (1u << L_RETRANSMISSION) | (1u << L_DUPLICATE_ACK) | (1u << L_TFO_SYN);
	tv.v.dupack_num = 3;
	tv.v.bytes_in_flight = 2896;
	tv.v.nfindings = 2;
	tv.v.findings[0] = F_RESET_INEXACT;
	tv.v.findings[1] = F_HS_SYNACK_RETRANSMITTED;
	assert_packet_leaves_hold(&tv.v);
	/* no flags, no labels, an unknown window scale, IPv6 */
	make_view(&tv, 1, false, 0, TCPS_UNKNOWN, TCPS_UNKNOWN);
	tv.v.window_shift = -1;
	tv.pkt.ip_version = 6;
	inet_pton(AF_INET6, "2001:db8::1", tv.pkt.src);
	inet_pton(AF_INET6, "2001:db8::2", tv.pkt.dst);
	assert_packet_leaves_hold(&tv.v);
	/* every label and every state, one view each */
	for (int l = 0; l < L_COUNT; l++) {
		make_view(&tv, 2, false, TCP_ACK, (enum tcp_state)(l % TCPS_COUNT), TCPS_TIME_WAIT);
		tv.v.labels = 1u << l;
		assert_packet_leaves_hold(&tv.v);
	}
}
END_TEST

START_TEST(test_fields_match_json_object)
{
	struct flow_summary s;
	make_flow(&s, 4);
	for (int l = 0; l < L_COUNT; l++)
		s.labels[l] = (uint32_t)l + 1;
	s.findings[SEV_ERROR] = 2;
	s.findings[SEV_WARNING] = 3;
	s.findings_dropped = 7;
	s.direction_guessed = true;
	assert_json_leaves_hold(&s);
	/* and the null variants */
	make_flow(&s, 5);
	s.irtt_ns = -1;
	s.time_wait_left_ns = -1;
	s.closed_first_by = -1;
	s.rtt[0].samples = s.rtt[1].samples = 0;
	s.mss[0] = s.mss[1] = 0;
	s.wscale[0] = s.wscale[1] = -1;
	inet_pton(AF_INET6, "2001:db8::1", s.addr[0]);
	inet_pton(AF_INET6, "2001:db8::2", s.addr[1]);
	s.ip_version = 6;
	s.closed_first_by = 1;
	assert_json_leaves_hold(&s);
}
END_TEST

/* ---- The findings policy ------------------------------------------------ */

START_TEST(test_policy)
{
	struct check_policy p;
	check_policy_init(&p);
	/* default: errors fail */
	ck_assert(check_policy_denies(&p, F_HS_SYNACK_BAD_ACK));
	ck_assert(!check_policy_denies(&p, F_RESET_OUT_OF_WINDOW));
	ck_assert(!check_policy_denies(&p, F_RESET_INEXACT));
	p.fail_on = SEV_WARNING;
	ck_assert(check_policy_denies(&p, F_RESET_OUT_OF_WINDOW));
	ck_assert(!check_policy_denies(&p, F_RESET_INEXACT));
	p.fail_on = SEV_NOTE;
	ck_assert(check_policy_denies(&p, F_RESET_INEXACT));

	static char a1[] = "tcp.reset.*", a2[] = "tcp.handshake.synack_bad_ack";
	static char d1[] = "tcp.reset.inexact", d2[] = "tcp.close.*", d3[] = "tcp.*";
	char *allow[] = {a1, a2};
	char *deny[] = {d1, d2, d3};
	p.fail_on = SEV_ERROR;
	p.allow = allow;
	p.nallow = 2;
	/* allow beats the severity rule */
	ck_assert(!check_policy_denies(&p, F_HS_SYNACK_BAD_ACK));
	ck_assert(!check_policy_denies(&p, F_RESET_DATA_AFTER_RST));
	ck_assert(check_policy_denies(&p, F_HS_ACK_BAD_ACK));
	p.deny = deny;
	p.ndeny = 3;
	/* exact deny beats a prefix allow; a longer prefix beats a shorter one */
	ck_assert(check_policy_denies(&p, F_RESET_INEXACT));
	ck_assert(!check_policy_denies(&p, F_RESET_OUT_OF_WINDOW));
	ck_assert(check_policy_denies(&p, F_CLOSE_HALF_CLOSE));
	ck_assert(check_policy_denies(&p, F_SEQ_WRAPPED));
	ck_assert(!check_policy_denies(&p, F_HS_SYNACK_BAD_ACK));
	ck_assert(!check_policy_denies(&p, F_CAPTURE_MIDSTREAM));
	/* a tie goes to deny */
	char *same[] = {d2};
	p.allow = same;
	p.nallow = 1;
	ck_assert(check_policy_denies(&p, F_CLOSE_HALF_CLOSE));

	ck_assert_int_eq(expect_pattern_check("tcp.reset.*", err, sizeof err), 0);
	ck_assert_int_eq(expect_pattern_check("*", err, sizeof err), 0);
	ck_assert_int_eq(expect_pattern_check("capture.truncated", err, sizeof err), 0);
	ck_assert_int_eq(expect_pattern_check("tcp.nothing.*", err, sizeof err), -1);
	ck_assert_str_eq(err, "no finding code starts with 'tcp.nothing.' (see tcpscope explain --list)");
	ck_assert_int_eq(expect_pattern_check("tcp.rst", err, sizeof err), -1);
	ck_assert_str_eq(err, "unknown finding code 'tcp.rst' (see tcpscope explain --list)");
	ck_assert_int_eq(expect_pattern_check("tcp*", err, sizeof err), -1);
	ck_assert_str_eq(err, "'tcp*': a wildcard may only end a prefix, as in tcp.reset.*");
}
END_TEST

static Suite *expect_suite(void)
{
	Suite *s = suite_create("expect");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_forms);
	tcase_add_test(tc, test_frame_form);
	tcase_add_test(tc, test_findings_what);
	tcase_add_loop_test(tc, test_selectors, 0, (int)(sizeof selectors / sizeof selectors[0]));
	tcase_add_test(tc, test_selector_option_errors);
	tcase_add_test(tc, test_operators);
	tcase_add_loop_test(tc, test_units, 0, (int)(sizeof units / sizeof units[0]));
	tcase_add_test(tc, test_words_and_null);
	tcase_add_loop_test(tc, test_parse_errors, 0, (int)(sizeof bad / sizeof bad[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("eval");
	tcase_add_test(tc, test_eval_flows_and_fields);
	tcase_add_test(tc, test_eval_failures_report_frames);
	tcase_add_test(tc, test_eval_findings);
	tcase_add_test(tc, test_value_format);
	tcase_add_test(tc, test_fields_match_json_object);
	tcase_add_test(tc, test_eval_frames);
	tcase_add_test(tc, test_packet_fields_match_json_object);
	suite_add_tcase(s, tc);

	tc = tcase_create("policy");
	tcase_add_test(tc, test_policy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(expect_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
