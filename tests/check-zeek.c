/*
 * check-zeek.c - Check suite for src/analysis-zeek.c, Zeek's conn_state and
 * history. Each test plays a short scenario (tests/scenario.h notation, '>'
 * client to server, '<' server to client) through zeek_packet() and compares
 * conn_state and history with what Zeek writes to conn.log for the same
 * packets. Where a test mirrors one of Zeek's own regression baselines
 * (testing/btest/Baseline/...), the comment names it.
 *
 * The default scenario is 10.0.0.1:40000 -> 10.0.0.2:80; port 80 is one of
 * Zeek's likely server ports, 40000 is not. Tests about Zeek's port
 * heuristics move the server to port 5555, which is not one either.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis-zeek.h"
#include "scenario.h"

/* Plays lines (a NULL-terminated list) into zc; the sender decides the side. */
static void play(struct scenario *sc, struct zeek_conn *zc, const char *const *lines)
{
	for (; *lines; ++lines) {
		struct packet pkt;

		scenario_packet(sc, *lines, &pkt);
		zeek_packet(zc, memcmp(pkt.src, sc->server_addr, sizeof pkt.src) == 0, &pkt, false);
	}
}

/* Plays lines into a fresh flow (on this server port, 0 for the scenario's) and checks the result. */
static void expect_on_port(const char *name, const char *const *lines, uint16_t port, const char *conn_state,
			   const char *history)
{
	struct scenario sc;
	struct zeek_conn zc;

	scenario_init(&sc);
	if (port)
		sc.server_port = port;
	zeek_init(&zc);
	play(&sc, &zc, lines);
	ck_assert_msg(strcmp(zeek_conn_state(&zc), conn_state) == 0, "%s: conn_state %s, expected %s", name,
		      zeek_conn_state(&zc), conn_state);
	ck_assert_msg(strcmp(zeek_history(&zc), history) == 0, "%s: history %s, expected %s", name, zeek_history(&zc),
		      history);
	zeek_release(&zc);
}

#define HANDSHAKE "> S 0:0(0)", "< S. 0:0(0) ack 1", "> . 1:1(0) ack 1"
#define EXCHANGE "> P. 1:101(100) ack 1", "< . 1:1(0) ack 101", "< P. 1:201(200) ack 101", "> . 101:101(0) ack 201"

/*
 * The cases that are one exchange and the conn_state and history it must
 * give, each played into a fresh flow by the loop test below.
 */
struct zeek_case {
	const char *name;
	const char *const *lines; /* NULL-terminated */
	const char *conn_state, *history;
	uint16_t port; /* the server port, if not the scenario's (a likely server port) */
};

#define LINES(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct zeek_case zeek_cases[] = {
	/* ---- conn_state: every value ---- */
	{"sf_typical",
	 LINES(HANDSHAKE, EXCHANGE, "> F. 101:101(0) ack 201", "< . 201:201(0) ack 102", "< F. 201:201(0) ack 102",
	       "> . 102:102(0) ack 202"),
	 "SF", "ShADadFf", 0},
	{"s0", LINES("> S 0:0(0)"), "S0", "S", 0},
	/* the same SYN again: same relative sequence, no second S */
	{"s0_syn_retransmitted", LINES("> S 0:0(0)", "+1 > S 0:0(0)", "+2 > S 0:0(0)"), "S0", "S", 0},
	{"rej", LINES("> S 0:0(0)", "< R. 0:0(0) ack 1"), "REJ", "Sr", 0},
	/* both sides reset before either sent a byte: REJ (sizes both zero) */
	{"rej_both_reset", LINES("> S 0:0(0)", "< S. 0:0(0) ack 1", "> R 1:1(0)", "< R 1:1(0)"), "REJ", "ShRr", 0},
	{"rstr_both_reset_after_data", LINES(HANDSHAKE, EXCHANGE, "> R 101:101(0)", "< R 201:201(0)"), "RSTR",
	 "ShADadRr", 0},
	{"s1", LINES(HANDSHAKE, EXCHANGE), "S1", "ShADad", 0},
	/* the originator closed, the responder never did */
	{"s2", LINES(HANDSHAKE, EXCHANGE, "> F. 101:101(0) ack 201", "< . 201:201(0) ack 102"), "S2", "ShADadF", 0},
	{"s3", LINES(HANDSHAKE, EXCHANGE, "< F. 201:201(0) ack 101", "> . 101:101(0) ack 202"), "S3", "ShADadf", 0},
	{"rsto", LINES(HANDSHAKE, EXCHANGE, "> R. 101:101(0) ack 201"), "RSTO", "ShADadR", 0},
	{"rstr", LINES(HANDSHAKE, EXCHANGE, "< R. 201:201(0) ack 101"), "RSTR", "ShADadr", 0},
	/* Zeek's core.tcp.rst-after-syn family: SYN, then the originator resets */
	{"rstos0", LINES("> S 0:0(0)", "> R 1:1(0)"), "RSTOS0", "SR", 0},
	/* mid-stream data, then the responder resets (modbus trace: "RSTRH Dr") */
	{"rstrh", LINES("> P. 1:101(100) ack 1", "< R. 1:1(0) ack 101"), "RSTRH", "Dr", 0},
	{"sh", LINES("> S 0:0(0)", "> F 1:1(0)"), "SH", "SF", 0},
	/* a lone FIN from the server port: flipped, the responder closed */
	{"shr", LINES("< F. 1:1(0) ack 1", "> . 1:1(0) ack 2"), "SHR", "^fA", 0},
	/* core.tcp.rxmit-history conn-2.log: "OTH DdA" */
	{"oth_midstream", LINES("> P. 1:101(100) ack 1", "< P. 1:201(200) ack 101", "> . 101:101(0) ack 201"), "OTH",
	 "DdA", 0},
	/* before Zeek 4.1 this was RSTOS0; now RSTOS0 needs a history like ^?S...R */
	{"oth_lone_rst", LINES("> R 1:1(0)"), "OTH", "R", 0},
	/* ---- history: orientation ---- */
	/* core.tcp.rxmit-history conn-2.log: a lone SYN-ACK from port 80, "OTH ^h" */
	{"flip_synack_from_server_port", LINES("< S. 0:0(0) ack 1"), "OTH", "^h", 0},
	/* core.history-flip: the SYN is missing, "SF ^hADdFaf" */
	{"flip_missing_syn",
	 LINES("< S. 0:0(0) ack 1", "> . 1:1(0) ack 1", "> P. 1:101(100) ack 1", "< P. 1:201(200) ack 101",
	       "> F. 101:101(0) ack 201", "< . 201:201(0) ack 102", "< F. 201:201(0) ack 102",
	       "> . 102:102(0) ack 202"),
	 "SF", "^hADdFaf", 0},
	{"flip_midstream_data_from_server_port", LINES("< P. 1:101(100) ack 1"), "OTH", "^d", 0},
	/* a stealth scan's SYN-ACK: Zeek keeps the sender as originator */
	{"no_flip_lone_synack_unknown_ports", LINES("< S. 0:0(0) ack 1"), "OTH", "H", 5555},
	/* core.tcp.flip-without-syn: SYN-ACK, then an ACK, "SF ^hADadFf" */
	{"flip_on_second_packet",
	 LINES("< S. 0:0(0) ack 1", "> . 1:1(0) ack 1", EXCHANGE, "> F. 101:101(0) ack 201", "< . 201:201(0) ack 102",
	       "< F. 201:201(0) ack 102", "> . 102:102(0) ack 202"),
	 "SF", "^hADadFf", 5555},
	/* tcp/one-sided-2745: only the SYN-ACK sender is seen, "^haf" */
	{"flip_on_second_packet_same_side", LINES("< S. 0:0(0) ack 1", "< . 1:1(0) ack 1", "< F. 1:1(0) ack 1"), "SHR",
	 "^haf", 5555},
	/* the capture shows the SYN-ACK before its SYN (handshake-reorder) */
	{"flip_syn_synack_reversed", LINES("< S. 0:0(0) ack 1", "> S 0:0(0)", "> . 1:1(0) ack 1", EXCHANGE), "S1",
	 "Hs^ADad", 5555},
	/* tcp/handshake-reorder.pcap on port 80: "^hSADadFf" */
	{"flip_reversed_from_server_port",
	 LINES("< S. 0:0(0) ack 1", "> S 0:0(0)", "> . 1:1(0) ack 1", EXCHANGE, "> F. 101:101(0) ack 201",
	       "< F. 201:201(0) ack 102", "> . 102:102(0) ack 202"),
	 "SF", "^hSADadFf", 0},
	/* ---- history: the logarithmic letters C T W G ---- */
	/* one byte below what was already sent counts as 't' */
	{"keepalive_is_retransmission", LINES(HANDSHAKE, EXCHANGE, "< . 200:201(1) ack 101"), "S1", "ShADadt", 0},
	{"zero_window_after_peer_fin_ignored", LINES(HANDSHAKE, "< F. 1:1(0) ack 1", "> . 1:1(0) ack 2 win 0"), "S3",
	 "ShAf", 0},
	/* the server acknowledges bytes the capture never saw: the client's 'G' */
	{"gap", LINES(HANDSHAKE, "> P. 1:101(100) ack 1", "< . 1:1(0) ack 201"), "S1", "ShADaG", 0},
	/* core.tcp.miss-end-data: the server's data before its FIN was lost, "SF ShADafgF" */
	{"gap_before_fin",
	 LINES(HANDSHAKE, "> P. 1:539(538) ack 1", "< . 1:1(0) ack 539", "< F. 2903:2903(0) ack 539",
	       "> . 539:539(0) ack 2904", "> F. 539:539(0) ack 2904", "< . 2904:2904(0) ack 540"),
	 "SF", "ShADafgF", 0},
	{"no_gap_when_data_seen",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1", "> P. 101:201(100) ack 1", "< . 1:1(0) ack 201"), "S1", "ShADa", 0},
	/* the second half arrives first, then the first: no gap, but Zeek counts the late half as 'T' */
	{"gap_reordered_data_fills_hole",
	 LINES(HANDSHAKE, "> P. 101:201(100) ack 1", "> P. 1:101(100) ack 1", "< . 1:1(0) ack 201"), "S1", "ShADTa", 0},
	/* ---- history: the once-per-direction letters ---- */
	/* a second RST with another sequence number is recorded again ("RR") */
	{"rst_again_with_new_seq",
	 LINES(HANDSHAKE, EXCHANGE, "> R. 101:101(0) ack 201", "> R. 101:101(0) ack 201", "> R 5000:5000(0)"), "RSTO",
	 "ShADadRR", 0},
	/* Data on a SYN is no 'D', and Zeek's update_last_seq counts it as a retransmission at once (its last sequence
	   was set by that very SYN). */
	{"data_on_syn", LINES("> S 0:100(100)", "< S. 0:0(0) ack 101", "> P. 1:101(100) ack 1", "> . 101:101(0) ack 1"),
	 "S1", "SThDA", 0},
};

START_TEST(zeek_case)
{
	const struct zeek_case *c = &zeek_cases[_i];
	expect_on_port(c->name, c->lines, c->port, c->conn_state, c->history);
}
END_TEST

/* ---- history: the logarithmic letters C T W G ---- */

/* Handshake and one data segment, then n copies of the same segment. */
static void expect_retransmissions(int n, const char *history)
{
	struct scenario sc;
	struct zeek_conn zc;
	const char *start[] = {HANDSHAKE, "> P. 1:101(100) ack 1", NULL};
	const char *again[] = {"> P. 1:101(100) ack 1", NULL};

	scenario_init(&sc);
	zeek_init(&zc);
	play(&sc, &zc, start);
	for (int i = 0; i < n; ++i)
		play(&sc, &zc, again);
	ck_assert_str_eq(zeek_history(&zc), history);
	ck_assert_str_eq(zeek_conn_state(&zc), "S1");
	zeek_release(&zc);
}

START_TEST(test_retransmission_counts)
{
	expect_retransmissions(1, "ShADT");
	expect_retransmissions(9, "ShADT");
	expect_retransmissions(10, "ShADTT");
	expect_retransmissions(99, "ShADTT");
	expect_retransmissions(100, "ShADTTT");
}
END_TEST

START_TEST(test_zero_window_counts)
{
	struct scenario sc;
	struct zeek_conn zc;
	const char *start[] = {HANDSHAKE, "< P. 1:101(100) ack 1", NULL};
	const char *zero[] = {"> . 1:1(0) ack 101 win 0", NULL};

	scenario_init(&sc);
	zeek_init(&zc);
	play(&sc, &zc, start);
	for (int i = 0; i < 10; ++i)
		play(&sc, &zc, zero);
	ck_assert_str_eq(zeek_history(&zc), "ShAdWW");
	zeek_release(&zc);
}
END_TEST

START_TEST(test_gap_count_per_hole)
{
	/* ten segments, each after a lost one, then one ACK for all: ten gaps, 'G' at 1 and 10 */
	struct scenario sc;
	struct zeek_conn zc;
	const char *start[] = {HANDSHAKE, NULL};
	char line[64];
	struct packet pkt;

	scenario_init(&sc);
	zeek_init(&zc);
	play(&sc, &zc, start);
	for (int k = 0; k < 10; ++k) {
		snprintf(line, sizeof line, "> P. %d:%d(100) ack 1", 200 * k + 101, 200 * k + 201);
		scenario_packet(&sc, line, &pkt);
		zeek_packet(&zc, 0, &pkt, false);
	}
	scenario_packet(&sc, "< . 1:1(0) ack 2001", &pkt);
	zeek_packet(&zc, 1, &pkt, false);
	ck_assert_str_eq(zeek_history(&zc), "ShADaGG");
	zeek_release(&zc);
}
END_TEST

START_TEST(test_checksum)
{
	/*
	 * core.checksums_ignore_nets conn-failed.log, second connection: the
	 * client's packets all fail their checksum, "SH HcADF".
	 */
	struct scenario sc;
	struct zeek_conn zc;
	struct packet pkt;

	scenario_init(&sc);
	sc.server_port = 5555;
	zeek_init(&zc);
	scenario_packet(&sc, "< S. 0:0(0) ack 1", &pkt);
	zeek_packet(&zc, 1, &pkt, false);
	scenario_packet(&sc, "> . 1:1(0) ack 1", &pkt);
	zeek_packet(&zc, 0, &pkt, true);
	scenario_packet(&sc, "< . 1:1(0) ack 1", &pkt);
	zeek_packet(&zc, 1, &pkt, false);
	scenario_packet(&sc, "< P. 1:433(432) ack 1", &pkt);
	zeek_packet(&zc, 1, &pkt, false);
	scenario_packet(&sc, "< F. 433:433(0) ack 1", &pkt);
	zeek_packet(&zc, 1, &pkt, false);
	for (int i = 0; i < 9; ++i) {
		scenario_packet(&sc, "> . 1:1(0) ack 434", &pkt);
		zeek_packet(&zc, 0, &pkt, true);
	}
	ck_assert_str_eq(zeek_history(&zc), "HcADFc");
	ck_assert_str_eq(zeek_conn_state(&zc), "SH");
	zeek_release(&zc);
}
END_TEST

/* ---- history: the once-per-direction letters ---- */

START_TEST(test_fin_rst_and_syn_fin)
{
	const char *fin_rst[] = {HANDSHAKE, "> FR. 1:1(0) ack 1", NULL};
	const char *syn_fin[] = {"> SF 0:0(0)", NULL};

	expect_on_port("FIN+RST", fin_rst, 0, "RSTO", "ShAI");
	expect_on_port("SYN+FIN", syn_fin, 0, "SH", "Q");
}
END_TEST

START_TEST(test_sequence_wrap)
{
	/* ISNs just below 2^32: the relative numbering carries across zero */
	struct scenario sc;
	struct zeek_conn zc;
	const char *lines[] = {HANDSHAKE,
			       "> P. 1:1001(1000) ack 1",
			       "< . 1:1(0) ack 1001",
			       "> P. 1001:2001(1000) ack 1",
			       "< . 1:1(0) ack 2001",
			       "> F. 2001:2001(0) ack 1",
			       "< F. 1:1(0) ack 2002",
			       "> . 2002:2002(0) ack 2",
			       NULL};

	scenario_init(&sc);
	sc.client_isn = 0xffffff00u;
	sc.server_isn = 0xfffffffeu;
	zeek_init(&zc);
	play(&sc, &zc, lines);
	ck_assert_str_eq(zeek_history(&zc), "ShADaFf");
	ck_assert_str_eq(zeek_conn_state(&zc), "SF");
	zeek_release(&zc);
}
END_TEST

START_TEST(test_history_is_bounded)
{
	/* every RST with a new sequence number adds an 'R'; the string stays bounded */
	struct scenario sc;
	struct zeek_conn zc;
	char line[64];
	struct packet pkt;

	scenario_init(&sc);
	zeek_init(&zc);
	for (int i = 0; i < 200; ++i) {
		snprintf(line, sizeof line, "> R %d:%d(0)", i * 10, i * 10);
		scenario_packet(&sc, line, &pkt);
		zeek_packet(&zc, 0, &pkt, false);
	}
	ck_assert_uint_eq(strlen(zeek_history(&zc)), ZEEK_HISTORY_MAX - 1);
	zeek_release(&zc);
}
END_TEST

static Suite *zeek_suite(void)
{
	Suite *s = suite_create("summary-zeek");
	TCase *cases = tcase_create("one exchange each");
	TCase *counted = tcase_create("counted letters");
	TCase *letters = tcase_create("letters");

	tcase_add_loop_test(cases, zeek_case, 0, sizeof zeek_cases / sizeof zeek_cases[0]);
	suite_add_tcase(s, cases);

	tcase_add_test(counted, test_retransmission_counts);
	tcase_add_test(counted, test_zero_window_counts);
	tcase_add_test(counted, test_gap_count_per_hole);
	tcase_add_test(counted, test_checksum);
	suite_add_tcase(s, counted);

	tcase_add_test(letters, test_fin_rst_and_syn_fin);
	tcase_add_test(letters, test_sequence_wrap);
	tcase_add_test(letters, test_history_is_bounded);
	suite_add_tcase(s, letters);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(zeek_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
