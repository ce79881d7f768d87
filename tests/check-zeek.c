/*
 * check-zeek.c - Check suite for src/summary-zeek.c, Zeek's conn_state and
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

#include "scenario.h"
#include "summary-zeek.h"

/* Plays lines (a NULL-terminated list) into zc; the sender decides the side. */
static void play(struct scenario *sc, struct zeek_conn *zc, const char *const *lines)
{
	for (; *lines; ++lines) {
		struct packet pkt;

		scenario_packet(sc, *lines, &pkt);
		zeek_packet(zc, memcmp(pkt.src, sc->server_addr, sizeof pkt.src) == 0, &pkt, false);
	}
}

/* Plays lines into a fresh flow on the default scenario and checks the result. */
static void expect(const char *const *lines, const char *conn_state, const char *history)
{
	struct scenario sc;
	struct zeek_conn zc;

	scenario_init(&sc);
	zeek_init(&zc);
	play(&sc, &zc, lines);
	ck_assert_str_eq(zeek_conn_state(&zc), conn_state);
	ck_assert_str_eq(zeek_history(&zc), history);
	zeek_release(&zc);
}

/* The same on a server port that is not a likely server port. */
static void expect_unknown_port(const char *const *lines, const char *conn_state, const char *history)
{
	struct scenario sc;
	struct zeek_conn zc;

	scenario_init(&sc);
	sc.server_port = 5555;
	zeek_init(&zc);
	play(&sc, &zc, lines);
	ck_assert_str_eq(zeek_conn_state(&zc), conn_state);
	ck_assert_str_eq(zeek_history(&zc), history);
	zeek_release(&zc);
}

#define HANDSHAKE "> S 0:0(0)", "< S. 0:0(0) ack 1", "> . 1:1(0) ack 1"
#define EXCHANGE "> P. 1:101(100) ack 1", "< . 1:1(0) ack 101", "< P. 1:201(200) ack 101", "> . 101:101(0) ack 201"

/* ---- conn_state: every value ---- */

START_TEST(test_sf_typical)
{
	const char *lines[] = {HANDSHAKE,
			       EXCHANGE,
			       "> F. 101:101(0) ack 201",
			       "< . 201:201(0) ack 102",
			       "< F. 201:201(0) ack 102",
			       "> . 102:102(0) ack 202",
			       NULL};
	expect(lines, "SF", "ShADadFf");
}
END_TEST

START_TEST(test_s0)
{
	const char *lines[] = {"> S 0:0(0)", NULL};
	expect(lines, "S0", "S");
}
END_TEST

START_TEST(test_s0_syn_retransmitted)
{
	/* the same SYN again: same relative sequence, no second S */
	const char *lines[] = {"> S 0:0(0)", "+1 > S 0:0(0)", "+2 > S 0:0(0)", NULL};
	expect(lines, "S0", "S");
}
END_TEST

START_TEST(test_rej)
{
	const char *lines[] = {"> S 0:0(0)", "< R. 0:0(0) ack 1", NULL};
	expect(lines, "REJ", "Sr");
}
END_TEST

START_TEST(test_rej_both_reset)
{
	/* both sides reset before either sent a byte: REJ (sizes both zero) */
	const char *lines[] = {"> S 0:0(0)", "< S. 0:0(0) ack 1", "> R 1:1(0)", "< R 1:1(0)", NULL};
	expect(lines, "REJ", "ShRr");
}
END_TEST

START_TEST(test_rstr_both_reset_after_data)
{
	const char *lines[] = {HANDSHAKE, EXCHANGE, "> R 101:101(0)", "< R 201:201(0)", NULL};
	expect(lines, "RSTR", "ShADadRr");
}
END_TEST

START_TEST(test_s1)
{
	const char *lines[] = {HANDSHAKE, EXCHANGE, NULL};
	expect(lines, "S1", "ShADad");
}
END_TEST

START_TEST(test_s2)
{
	/* the originator closed, the responder never did */
	const char *lines[] = {HANDSHAKE, EXCHANGE, "> F. 101:101(0) ack 201", "< . 201:201(0) ack 102", NULL};
	expect(lines, "S2", "ShADadF");
}
END_TEST

START_TEST(test_s3)
{
	const char *lines[] = {HANDSHAKE, EXCHANGE, "< F. 201:201(0) ack 101", "> . 101:101(0) ack 202", NULL};
	expect(lines, "S3", "ShADadf");
}
END_TEST

START_TEST(test_rsto)
{
	const char *lines[] = {HANDSHAKE, EXCHANGE, "> R. 101:101(0) ack 201", NULL};
	expect(lines, "RSTO", "ShADadR");
}
END_TEST

START_TEST(test_rstr)
{
	const char *lines[] = {HANDSHAKE, EXCHANGE, "< R. 201:201(0) ack 101", NULL};
	expect(lines, "RSTR", "ShADadr");
}
END_TEST

START_TEST(test_rstos0)
{
	/* Zeek's core.tcp.rst-after-syn family: SYN, then the originator resets */
	const char *lines[] = {"> S 0:0(0)", "> R 1:1(0)", NULL};
	expect(lines, "RSTOS0", "SR");
}
END_TEST

START_TEST(test_rstrh)
{
	/* mid-stream data, then the responder resets (modbus trace: "RSTRH Dr") */
	const char *lines[] = {"> P. 1:101(100) ack 1", "< R. 1:1(0) ack 101", NULL};
	expect(lines, "RSTRH", "Dr");
}
END_TEST

START_TEST(test_sh)
{
	const char *lines[] = {"> S 0:0(0)", "> F 1:1(0)", NULL};
	expect(lines, "SH", "SF");
}
END_TEST

START_TEST(test_shr)
{
	/* a lone FIN from the server port: flipped, the responder closed */
	const char *lines[] = {"< F. 1:1(0) ack 1", "> . 1:1(0) ack 2", NULL};
	expect(lines, "SHR", "^fA");
}
END_TEST

START_TEST(test_oth_midstream)
{
	/* core.tcp.rxmit-history conn-2.log: "OTH DdA" */
	const char *lines[] = {"> P. 1:101(100) ack 1", "< P. 1:201(200) ack 101", "> . 101:101(0) ack 201", NULL};
	expect(lines, "OTH", "DdA");
}
END_TEST

START_TEST(test_oth_lone_rst)
{
	/* before Zeek 4.1 this was RSTOS0; now RSTOS0 needs a history like ^?S...R */
	const char *lines[] = {"> R 1:1(0)", NULL};
	expect(lines, "OTH", "R");
}
END_TEST

/* ---- history: orientation ---- */

START_TEST(test_flip_synack_from_server_port)
{
	/* core.tcp.rxmit-history conn-2.log: a lone SYN-ACK from port 80, "OTH ^h" */
	const char *lines[] = {"< S. 0:0(0) ack 1", NULL};
	expect(lines, "OTH", "^h");
}
END_TEST

START_TEST(test_flip_missing_syn)
{
	/* core.history-flip: the SYN is missing, "SF ^hADdFaf" */
	const char *lines[] = {"< S. 0:0(0) ack 1",	  "> . 1:1(0) ack 1",	     "> P. 1:101(100) ack 1",
			       "< P. 1:201(200) ack 101", "> F. 101:101(0) ack 201", "< . 201:201(0) ack 102",
			       "< F. 201:201(0) ack 102", "> . 102:102(0) ack 202",  NULL};
	expect(lines, "SF", "^hADdFaf");
}
END_TEST

START_TEST(test_flip_midstream_data_from_server_port)
{
	const char *lines[] = {"< P. 1:101(100) ack 1", NULL};
	expect(lines, "OTH", "^d");
}
END_TEST

START_TEST(test_no_flip_lone_synack_unknown_ports)
{
	/* a stealth scan's SYN-ACK: Zeek keeps the sender as originator */
	const char *lines[] = {"< S. 0:0(0) ack 1", NULL};
	expect_unknown_port(lines, "OTH", "H");
}
END_TEST

START_TEST(test_flip_on_second_packet)
{
	/* core.tcp.flip-without-syn: SYN-ACK, then an ACK, "SF ^hADadFf" */
	const char *lines[] = {"< S. 0:0(0) ack 1",
			       "> . 1:1(0) ack 1",
			       EXCHANGE,
			       "> F. 101:101(0) ack 201",
			       "< . 201:201(0) ack 102",
			       "< F. 201:201(0) ack 102",
			       "> . 102:102(0) ack 202",
			       NULL};
	expect_unknown_port(lines, "SF", "^hADadFf");
}
END_TEST

START_TEST(test_flip_on_second_packet_same_side)
{
	/* tcp/one-sided-2745: only the SYN-ACK sender is seen, "^haf" */
	const char *lines[] = {"< S. 0:0(0) ack 1", "< . 1:1(0) ack 1", "< F. 1:1(0) ack 1", NULL};
	expect_unknown_port(lines, "SHR", "^haf");
}
END_TEST

START_TEST(test_flip_syn_synack_reversed)
{
	/* the capture shows the SYN-ACK before its SYN (handshake-reorder) */
	const char *lines[] = {"< S. 0:0(0) ack 1", "> S 0:0(0)", "> . 1:1(0) ack 1", EXCHANGE, NULL};
	expect_unknown_port(lines, "S1", "Hs^ADad");
}
END_TEST

START_TEST(test_flip_reversed_from_server_port)
{
	/* tcp/handshake-reorder.pcap on port 80: "^hSADadFf" */
	const char *lines[] = {"< S. 0:0(0) ack 1",	  "> S 0:0(0)",
			       "> . 1:1(0) ack 1",	  EXCHANGE,
			       "> F. 101:101(0) ack 201", "< F. 201:201(0) ack 102",
			       "> . 102:102(0) ack 202",  NULL};
	expect(lines, "SF", "^hSADadFf");
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

START_TEST(test_keepalive_is_retransmission)
{
	/* one byte below what was already sent counts as 't' */
	const char *lines[] = {HANDSHAKE, EXCHANGE, "< . 200:201(1) ack 101", NULL};
	expect(lines, "S1", "ShADadt");
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

START_TEST(test_zero_window_after_peer_fin_ignored)
{
	const char *lines[] = {HANDSHAKE, "< F. 1:1(0) ack 1", "> . 1:1(0) ack 2 win 0", NULL};
	expect(lines, "S3", "ShAf");
}
END_TEST

START_TEST(test_gap)
{
	/* the server acknowledges bytes the capture never saw: the client's 'G' */
	const char *lines[] = {HANDSHAKE, "> P. 1:101(100) ack 1", "< . 1:1(0) ack 201", NULL};
	expect(lines, "S1", "ShADaG");
}
END_TEST

START_TEST(test_gap_before_fin)
{
	/* core.tcp.miss-end-data: the server's data before its FIN was lost, "SF ShADafgF" */
	const char *lines[] = {HANDSHAKE,
			       "> P. 1:539(538) ack 1",
			       "< . 1:1(0) ack 539",
			       "< F. 2903:2903(0) ack 539",
			       "> . 539:539(0) ack 2904",
			       "> F. 539:539(0) ack 2904",
			       "< . 2904:2904(0) ack 540",
			       NULL};
	expect(lines, "SF", "ShADafgF");
}
END_TEST

START_TEST(test_no_gap_when_data_seen)
{
	const char *lines[] = {HANDSHAKE, "> P. 1:101(100) ack 1", "> P. 101:201(100) ack 1", "< . 1:1(0) ack 201",
			       NULL};
	expect(lines, "S1", "ShADa");
}
END_TEST

START_TEST(test_gap_reordered_data_fills_hole)
{
	/* the second half arrives first, then the first: no gap, but Zeek counts the late half as 'T' */
	const char *lines[] = {HANDSHAKE, "> P. 101:201(100) ack 1", "> P. 1:101(100) ack 1", "< . 1:1(0) ack 201",
			       NULL};
	expect(lines, "S1", "ShADTa");
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

START_TEST(test_rst_again_with_new_seq)
{
	/* a second RST with another sequence number is recorded again ("RR") */
	const char *lines[] = {HANDSHAKE,	   EXCHANGE, "> R. 101:101(0) ack 201", "> R. 101:101(0) ack 201",
			       "> R 5000:5000(0)", NULL};
	expect(lines, "RSTO", "ShADadRR");
}
END_TEST

START_TEST(test_fin_rst_and_syn_fin)
{
	const char *fin_rst[] = {HANDSHAKE, "> FR. 1:1(0) ack 1", NULL};
	const char *syn_fin[] = {"> SF 0:0(0)", NULL};

	expect(fin_rst, "RSTO", "ShAI");
	expect(syn_fin, "SH", "Q");
}
END_TEST

START_TEST(test_data_on_syn)
{
	/*
	 * Data on a SYN is no 'D', and Zeek's update_last_seq counts it as a
	 * retransmission at once (its last sequence was set by that very SYN).
	 */
	const char *lines[] = {"> S 0:100(100)", "< S. 0:0(0) ack 101", "> P. 1:101(100) ack 1", "> . 101:101(0) ack 1",
			       NULL};
	expect(lines, "S1", "SThDA");
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
	TCase *states = tcase_create("conn_state");
	TCase *orientation = tcase_create("orientation");
	TCase *counted = tcase_create("counted letters");
	TCase *letters = tcase_create("letters");

	tcase_add_test(states, test_sf_typical);
	tcase_add_test(states, test_s0);
	tcase_add_test(states, test_s0_syn_retransmitted);
	tcase_add_test(states, test_rej);
	tcase_add_test(states, test_rej_both_reset);
	tcase_add_test(states, test_rstr_both_reset_after_data);
	tcase_add_test(states, test_s1);
	tcase_add_test(states, test_s2);
	tcase_add_test(states, test_s3);
	tcase_add_test(states, test_rsto);
	tcase_add_test(states, test_rstr);
	tcase_add_test(states, test_rstos0);
	tcase_add_test(states, test_rstrh);
	tcase_add_test(states, test_sh);
	tcase_add_test(states, test_shr);
	tcase_add_test(states, test_oth_midstream);
	tcase_add_test(states, test_oth_lone_rst);
	suite_add_tcase(s, states);

	tcase_add_test(orientation, test_flip_synack_from_server_port);
	tcase_add_test(orientation, test_flip_missing_syn);
	tcase_add_test(orientation, test_flip_midstream_data_from_server_port);
	tcase_add_test(orientation, test_no_flip_lone_synack_unknown_ports);
	tcase_add_test(orientation, test_flip_on_second_packet);
	tcase_add_test(orientation, test_flip_on_second_packet_same_side);
	tcase_add_test(orientation, test_flip_syn_synack_reversed);
	tcase_add_test(orientation, test_flip_reversed_from_server_port);
	suite_add_tcase(s, orientation);

	tcase_add_test(counted, test_retransmission_counts);
	tcase_add_test(counted, test_keepalive_is_retransmission);
	tcase_add_test(counted, test_zero_window_counts);
	tcase_add_test(counted, test_zero_window_after_peer_fin_ignored);
	tcase_add_test(counted, test_gap);
	tcase_add_test(counted, test_gap_before_fin);
	tcase_add_test(counted, test_no_gap_when_data_seen);
	tcase_add_test(counted, test_gap_reordered_data_fills_hole);
	tcase_add_test(counted, test_gap_count_per_hole);
	tcase_add_test(counted, test_checksum);
	suite_add_tcase(s, counted);

	tcase_add_test(letters, test_rst_again_with_new_seq);
	tcase_add_test(letters, test_fin_rst_and_syn_fin);
	tcase_add_test(letters, test_data_on_syn);
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
