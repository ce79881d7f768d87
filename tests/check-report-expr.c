/*
 * check-report-expr.c - Check suite for the flow expression language
 * (src/report-expr.c): the filter of the flows view and `--where`.
 *
 * Matching runs on one hand-made flow summary (10.0.0.1:40000 ->
 * 10.0.0.2:80, values below) and on a second one that differs in each
 * field a test reads, so every assertion that a flow matches is paired with
 * one that the other does not: an expression that matched everything (or
 * nothing) fails. Each operator, each field kind (count, bytes, time, word,
 * address, true/false, null), each short name and each way of combining is
 * covered, and every parse error is checked for its message and column.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-expr.h"
#include "tcp-state.h"

#define MS 1000000LL

static struct flow_summary a, b; /* a matches the tests' expressions, b is the flow that must not */

static void make_flows(void)
{
	memset(&a, 0, sizeof a);
	a.id = 1;
	a.ip_version = 4;
	inet_pton(AF_INET, "10.0.0.1", a.addr[0]);
	inet_pton(AF_INET, "10.0.0.2", a.addr[1]);
	a.port[0] = 40000;
	a.port[1] = 80;
	a.start_ns = 1000 * 1000 * MS;
	a.end_ns = a.start_ns + 1500 * MS;
	a.packets[0] = 6;
	a.packets[1] = 4;
	a.payload_bytes[0] = 1000;
	a.payload_bytes[1] = 20000;
	a.handshake = "complete";
	a.close = "fin";
	a.closed_first_by = 0;
	a.state[0] = TCPS_TIME_WAIT;
	a.state[1] = TCPS_CLOSED;
	snprintf(a.conn_state, sizeof a.conn_state, "SF");
	snprintf(a.history, sizeof a.history, "ShADadFf");
	a.wscale[0] = a.wscale[1] = -1;
	a.sack_permitted = true;
	a.irtt_ns = 20 * MS;
	a.labels[L_RETRANSMISSION] = 2;
	a.labels[L_DUPLICATE_ACK] = 5;

	b = a;
	b.id = 2;
	inet_pton(AF_INET, "10.0.0.3", b.addr[0]);
	b.port[0] = 40001;
	b.port[1] = 443;
	b.end_ns = b.start_ns + 500 * MS;
	b.packets[0] = 1;
	b.packets[1] = 1;
	b.payload_bytes[0] = b.payload_bytes[1] = 0;
	b.handshake = "rejected";
	b.close = "rst";
	b.state[0] = TCPS_CLOSED;
	snprintf(b.conn_state, sizeof b.conn_state, "REJ");
	snprintf(b.history, sizeof b.history, "Sr");
	b.sack_permitted = false;
	b.irtt_ns = -1;
	b.labels[L_RETRANSMISSION] = 0;
	b.labels[L_DUPLICATE_ACK] = 0;
}

static bool matches(const struct flow_summary *s, const char *text, const char *worst)
{
	char err[256];
	struct flow_expr *e = flow_expr_parse(text, err, sizeof err, NULL);
	ck_assert_msg(e != NULL, "'%s' should parse, got: %s", text, err);
	bool r = flow_expr_match(e, s, worst);
	flow_expr_free(e);
	return r;
}

/* text matches flow a and not flow b. */
#define ck_assert_picks_a(text)                                                                                        \
	do {                                                                                                           \
		ck_assert_msg(matches(&a, text, NULL), "'%s' should match flow a", text);                              \
		ck_assert_msg(!matches(&b, text, NULL), "'%s' should not match flow b", text);                         \
	} while (0)

/* text does not parse; err and the column are as given. */
static void ck_parse_error(const char *text, unsigned col, const char *want)
{
	char err[256];
	unsigned at = 99;
	struct flow_expr *e = flow_expr_parse(text, err, sizeof err, &at);
	ck_assert_msg(e == NULL, "'%s' should not parse", text);
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(at, col);
}

START_TEST(test_operators)
{
	ck_assert_picks_a("packets.client == 6");
	ck_assert_picks_a("packets.client != 1");
	ck_assert_picks_a("packets.client > 5");
	ck_assert_picks_a("packets.client >= 6");
	ck_assert_picks_a("packets.server < 5 and packets.server > 1");
	ck_assert_picks_a("packets.client <= 6 and packets.client >= 2");
	ck_assert_picks_a("conn_state in SF,S1");
	ck_assert(matches(&b, "conn_state in REJ,S0", NULL));
	ck_assert(!matches(&a, "conn_state in REJ,S0", NULL));
}
END_TEST

START_TEST(test_field_kinds)
{
	ck_assert_picks_a("payload_bytes.server >= 20KB");   /* bytes, with a unit */
	ck_assert_picks_a("duration > 1s");		     /* time */
	ck_assert_picks_a("duration == 1500ms");	     /* time, exact */
	ck_assert_picks_a("irtt > 10ms");		     /* time */
	ck_assert(matches(&b, "irtt == null", NULL));	     /* null */
	ck_assert(!matches(&a, "irtt == null", NULL));	     /* null */
	ck_assert_picks_a("state.client == TIME-WAIT");	     /* word */
	ck_assert_picks_a("handshake == complete");	     /* word */
	ck_assert_picks_a("client.addr == 10.0.0.1");	     /* address */
	ck_assert_picks_a("options.sack_permitted == true"); /* true/false */
	ck_assert_picks_a("labels.retransmission > 0");	     /* label */
}
END_TEST

START_TEST(test_short_names)
{
	ck_assert_picks_a("retx > 0");
	ck_assert_picks_a("retx == 2");
	ck_assert_picks_a("dupack >= 5");
	ck_assert_picks_a("port == 80");
	ck_assert_picks_a("tcp.port == 40000"); /* either end */
	ck_assert_picks_a("tcp.port != 443");	/* neither end */
	ck_assert(!matches(&a, "tcp.port != 80", NULL));
	ck_assert_picks_a("tcp.dstport == 80");
	ck_assert(!matches(&a, "tcp.srcport == 80", NULL));
	ck_assert_picks_a("ip.addr == 10.0.0.1");
	ck_assert(matches(&a, "ip.addr == 10.0.0.2", NULL) && matches(&b, "ip.addr == 10.0.0.2", NULL));
	ck_assert_picks_a("ip.src == 10.0.0.1");
	ck_assert_picks_a("host == 10.0.0.1");
	ck_assert_picks_a("state == TIME-WAIT");
	ck_assert_picks_a("packets == 10");
	ck_assert_picks_a("bytes > 20000");
	ck_assert_picks_a("flow == 1");
	ck_assert_picks_a("conn == SF");
}
END_TEST

START_TEST(test_selectors)
{
	ck_assert_picks_a("host 10.0.0.1");
	ck_assert_picks_a("port 80");
	ck_assert_picks_a("client 10.0.0.1:40000");
	ck_assert_picks_a("server *:80");
	ck_assert_picks_a("flow 1");
	ck_assert_picks_a("host 10.0.0.1 and port 80");
}
END_TEST

START_TEST(test_combining)
{
	ck_assert_picks_a("not port 443");
	ck_assert_picks_a("! port 443");
	ck_assert_picks_a("!(port 443)");
	ck_assert_picks_a("port 80 or port 8080");
	ck_assert_picks_a("port 80 || flow 7");
	ck_assert_picks_a("port 80 && retx > 0");
	ck_assert_picks_a("port 80 retx > 0"); /* side by side: and */
	ck_assert(!matches(&a, "port 80 and port 443", NULL));
	ck_assert(matches(&b, "port 80 or port 443", NULL));
	/* and binds tighter than or; parentheses change it */
	ck_assert(matches(&b, "port 443 or port 80 and retx > 0", NULL));
	ck_assert(!matches(&b, "(port 443 or port 80) and retx > 0", NULL));
	ck_assert_picks_a("not (REJ or port 443)");
}
END_TEST

START_TEST(test_words)
{
	ck_assert_picks_a("sf");	   /* conn_state, any case */
	ck_assert_picks_a("time-wait");	   /* a state */
	ck_assert_picks_a("10.0.0.1");	   /* an endpoint */
	ck_assert_picks_a("ShADadFf");	   /* history */
	ck_assert_picks_a("sf time-wait"); /* both words */
	ck_assert(!matches(&a, "rst", NULL));
	ck_assert(matches(&a, "tcp.reset", "tcp.reset.in_window"));
	ck_assert(!matches(&a, "tcp.reset", NULL));
	/* a bare count or true/false field: nonzero */
	ck_assert_picks_a("retx");
	ck_assert_picks_a("labels.duplicate_ack");
	ck_assert_picks_a("options.sack_permitted");
	ck_assert_picks_a("not retx == 0");
}
END_TEST

START_TEST(test_errors)
{
	ck_parse_error("foo == 3", 1, "unknown field 'foo' (the fields are listed in docs/ci.md)");
	ck_parse_error("port 80 and tcp.flags == 2", 13,
		       "unknown field 'tcp.flags' (the fields are listed in docs/ci.md)");
	ck_parse_error("labels.retx > 0", 1, "unknown label 'retx' (the labels are listed in docs/ci.md)");
	ck_parse_error("duration > 1h", 13, "unknown unit 'h' (this field takes us, ms or s)");
	ck_parse_error("retx > many", 8, "expected a number, not 'many'");
	ck_parse_error("state.client == WAIT", 17,
		       "state.client is one of UNKNOWN, CLOSED, LISTEN, SYN-SENT, SYN-RECEIVED, ESTABLISHED, "
		       "FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT, not 'WAIT'");
	ck_parse_error("handshake > complete", 11, "'>' compares numbers, and handshake is a word");
	ck_parse_error("conn_state == SF,S0", 17, "a list of values needs 'in'");
	ck_parse_error("port", 5, "missing a port number after 'port'");
	ck_parse_error("host 10.0.0", 6, "'10.0.0' is not an IPv4 or IPv6 address");
	ck_parse_error("(port 80", 1, "this '(' is not closed");
	ck_parse_error("port 80 )", 9, "unexpected ')'");
	ck_parse_error("port 80 or", 11, "the expression ends too early");
	ck_parse_error("and port 80", 1, "unexpected 'and'");
	ck_parse_error("retx ==", 8, "missing a value");
	char err[64];
	unsigned col = 9;
	ck_assert_ptr_null(flow_expr_parse("   ", err, sizeof err, &col));
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(col, 0);
}
END_TEST

static Suite *flow_expr_suite(void)
{
	Suite *s = suite_create("report-expr");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, make_flows, NULL);
	tcase_add_test(tc, test_operators);
	tcase_add_test(tc, test_field_kinds);
	tcase_add_test(tc, test_short_names);
	tcase_add_test(tc, test_selectors);
	tcase_add_test(tc, test_combining);
	tcase_add_test(tc, test_words);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(flow_expr_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
