/*
 * check-labels.c - unit suite for analysis-labels.c, Wireshark's per-packet
 * TCP analysis flags.
 *
 * Each test plays a short exchange written in the scenario notation
 * (scenario.h) through labels_analyze() and checks the labels of chosen
 * packets. Every label has a scenario that raises it on the right packet and a
 * near miss that must not. The expected labels are those tshark 4.0 prints for
 * the same exchange (each scenario was written to a pcap and compared while
 * the module was built), except for the deliberate differences listed in
 * docs/analysis-vs-wireshark.md, which have tests of their own.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis-labels.h"
#include "findings.h"
#include "output.h"
#include "report-run.h"
#include "scenario.h"

#define MAX_PACKETS 64
#define BIT(id) (1u << (L_##id))

/* One exchange played through a fresh label_flow. */
struct run {
	struct scenario sc;
	struct label_flow lf;
	int n;
	struct packet pkt[MAX_PACKETS];
	struct label_result res[MAX_PACKETS];
	uint32_t rel_seq[MAX_PACKETS], rel_ack[MAX_PACKETS];
};

static void run_init(struct run *r)
{
	scenario_init(&r->sc);
	labels_init(&r->lf);
	r->n = 0;
}

/*
 * Labels one more line whose IP header carries this ECN codepoint, with the
 * AE bit (which the notation lacks) as given; the sender's side comes from
 * the source port.
 */
static void run_line_ecn(struct run *r, const char *line, uint8_t ip_ecn, bool ae)
{
	ck_assert_int_lt(r->n, MAX_PACKETS);
	struct packet *p = &r->pkt[r->n];
	scenario_packet(&r->sc, line, p);
	p->ip_ecn = ip_ecn;
	p->ae = ae;
	int from_server = p->sport == r->sc.server_port;
	labels_analyze(&r->lf, from_server, p, &r->res[r->n]);
	r->rel_seq[r->n] = labels_relative_seq(&r->lf, from_server, p->seq);
	r->rel_ack[r->n] = labels_relative_ack(&r->lf, from_server, p->ack);
	r->n++;
}

/* Labels one more line (no ECN codepoint: Not-ECT). */
static void run_line(struct run *r, const char *line)
{
	run_line_ecn(r, line, 0, false);
}

static void run_lines(struct run *r, const char *const *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		run_line(r, lines[i]);
}

#define RUN(r, ...)                                                                                                    \
	do {                                                                                                           \
		static const char *const lines_[] = {__VA_ARGS__};                                                     \
		run_lines((r), lines_, sizeof lines_ / sizeof lines_[0]);                                              \
	} while (0)

/* The label mask of frame f (1-based, as in the scenario). */
static uint32_t labels_of(const struct run *r, int f)
{
	ck_assert_int_ge(f, 1);
	ck_assert_int_le(f, r->n);
	return r->res[f - 1].mask;
}

/* Frame f carries exactly these labels. */
#define EXPECT(r, f, mask)                                                                                             \
	ck_assert_msg(labels_of((r), (f)) == (mask), "frame %d: labels 0x%x, expected 0x%x", (f), labels_of((r), (f)), \
		      (unsigned)(mask))

/* A handshake with window scaling 7 both ways and a 100-byte request; RTT 100 ms. */
#define HANDSHAKE                                                                                                      \
	"> S 0:0(0) win 65535 <mss 1460,sackOK,wscale 7>",                                                             \
		"+0.05 < S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,wscale 7>", "+0.05 > . 1:1(0) ack 1 win 502"

/*
 * The cases that are one exchange and the labels its frames must carry: a
 * rule's hit and its near misses (the closest exchanges that must not raise
 * it), each row played through a fresh label_flow by the loop test below.
 */
struct label_case {
	const char *name;
	const char *const *lines;
	size_t nlines;
	struct {
		int frame; /* 1-based, as in the scenario; 0 ends the list */
		uint32_t mask;
	} expect[8];
};

#define LINES(...)                                                                                                     \
	.lines = (const char *const[]){__VA_ARGS__},                                                                   \
	.nlines = sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)

static const struct label_case label_cases[] = {
	/* ---- retransmission family ------------------------------------------ */
	{"retransmission_plain",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "> P. 101:201(100) ack 1 win 502",
	       "+0.3 > P. 1:101(100) ack 1 win 502"),
	 {{4, 0}, {5, 0}, {6, BIT(RETRANSMISSION)}}},
	{"retransmission_of_syn_and_fin",
	 LINES("> S 0:0(0) win 65535 <mss 1460>", "+1 > S 0:0(0) win 65535 <mss 1460>",
	       "< S. 0:0(0) ack 1 win 65535 <mss 1460>", "> . 1:1(0) ack 1 win 65535", "> F. 1:1(0) ack 1 win 65535",
	       "+0.5 > F. 1:1(0) ack 1 win 65535"),
	 {{2, BIT(RETRANSMISSION)}, {5, 0}, {6, BIT(RETRANSMISSION)}}},
	/* Near miss: more than one byte starting at nextseq - 1 brings new data. */
	{"retransmission_not_after_probe_byte",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502",
	       "+10 > . 100:150(50) ack 1 win 502"),
	 {{6, 0}}},
	/* Wireshark's SYN rule: a retransmitted SYN restores nextseq an RST moved. */
	{"retransmission_syn_after_rst",
	 LINES("> S 0:0(0) win 65535 <mss 1460>", "< S. 0:0(0) ack 500 win 65535 <mss 1460>", "> R 500:500(0) win 0",
	       "+1 > S 0:0(0) win 65535 <mss 1460>", "< S. 0:0(0) ack 1 win 65535 <mss 1460>",
	       "> P. 1:11(10) ack 1 win 65535"),
	 {{2, BIT(ACK_LOST_SEGMENT)}, {4, BIT(RETRANSMISSION)}, {5, BIT(RETRANSMISSION)}, {6, 0}}},
	/*
	 * Deliberate difference: an RST ahead of the data sent does not move nextseq
	 * either, so the next segment at nextseq is new data (tshark: retransmission).
	 */
	{"rst_ahead_does_not_advance_nextseq",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "> R. 201:201(0) ack 1 win 0",
	       "> P. 101:201(100) ack 1 win 502"),
	 {{6, 0}}},
	/* Near misses: after an RST, repeated data is still a retransmission and a jump still a lost segment. */
	{"rst_then_retransmission_and_gap",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "> R. 101:101(0) ack 1 win 0",
	       "+0.5 > P. 1:101(100) ack 1 win 502", "> P. 201:301(100) ack 1 win 502"),
	 {{6, BIT(RETRANSMISSION)}, {7, BIT(LOST_SEGMENT)}}},
	/*
	 * Deliberate difference: a bare SYN's ack field (here nonzero) is no
	 * acknowledgement either, so data on the SYN-ACK is new (tshark: spurious).
	 */
	{"spurious_not_from_ack_field_of_syn",
	 LINES("> S 0:0(0) ack 1000 win 65535 <mss 1460>", "< S. 0:100(100) ack 1 win 65535 <mss 1460>"),
	 {{2, 0}}},
	{"fast_retransmission_hit",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "> P. 101:201(100) ack 1 win 502",
	       "> P. 201:301(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502", "< . 1:1(0) ack 101 win 502",
	       "< . 1:1(0) ack 101 win 502", "+0.01 > P. 101:201(100) ack 1 win 502"),
	 {{8, BIT(DUPLICATE_ACK)}, {9, BIT(DUPLICATE_ACK)}, {10, BIT(FAST_RETRANSMISSION) | BIT(RETRANSMISSION)}}},
	/* Near misses: too late after the last duplicate ACK, or only one duplicate. */
	{"fast_retransmission_miss (1)",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "> P. 101:201(100) ack 1 win 502",
	       "< . 1:1(0) ack 101 win 502", "< . 1:1(0) ack 101 win 502", "< . 1:1(0) ack 101 win 502",
	       "+0.025 > P. 101:201(100) ack 1 win 502"),
	 {{9, BIT(RETRANSMISSION)}}},
	{"fast_retransmission_miss (2)",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "> P. 101:201(100) ack 1 win 502",
	       "< . 1:1(0) ack 101 win 502", "< . 1:1(0) ack 101 win 502", "+0.005 > P. 101:201(100) ack 1 win 502"),
	 {{8, BIT(RETRANSMISSION)}}},
	{"spurious_retransmission_hit",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502",
	       "+0.0005 > P. 1:101(100) ack 1 win 502", "> P. 51:101(50) ack 1 win 502"),
	 {/* Spurious wins over out-of-order, even 0.5 ms after the original. */ {6, BIT(SPURIOUS_RETRANSMISSION) |
											     BIT(RETRANSMISSION)},
	  {7, BIT(SPURIOUS_RETRANSMISSION) | BIT(RETRANSMISSION)}}},
	/* Near miss: the peer acknowledged only part of the data. */
	{"spurious_retransmission_miss",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 51 win 502",
	       "+0.5 > P. 1:101(100) ack 1 win 502"),
	 {{6, BIT(RETRANSMISSION)}}},
	{"out_of_order_hit",
	 LINES("> P. 201:301(100) ack 1 win 502", "+0.001 > P. 101:201(100) ack 1 win 502"),
	 {{2, BIT(OUT_OF_ORDER)}}},
	/* Near miss: 4 ms is past the default 3 ms threshold (no first RTT known). */
	{"out_of_order_miss",
	 LINES("> P. 201:301(100) ack 1 win 502", "+0.004 > P. 101:201(100) ack 1 win 502"),
	 {{2, BIT(RETRANSMISSION)}}},
	/* With a first RTT of 100 ms, 40 ms is still out-of-order, 120 ms is not. */
	{"out_of_order_first_rtt",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "> P. 101:201(100) ack 1 win 502",
	       "+0.04 > P. 1:101(100) ack 1 win 502", "+0.12 > P. 1:101(100) ack 1 win 502"),
	 {{6, BIT(OUT_OF_ORDER)}, {7, BIT(RETRANSMISSION)}}},
	/* The first RTT ends at the first ACK without SYN from either side. */
	{"out_of_order_first_rtt_from_server",
	 LINES("> S 0:0(0) win 65535 <mss 1460>", "+0.05 < S. 0:0(0) ack 1 win 65535 <mss 1460>",
	       "+0.05 < . 1:1(0) ack 1 win 65535", "+0.05 > . 1:1(0) ack 1 win 65535",
	       "> P. 1:101(100) ack 1 win 65535", "> P. 101:201(100) ack 1 win 65535",
	       "+0.14 > P. 1:101(100) ack 1 win 65535"),
	 {{7, BIT(RETRANSMISSION)}}},
	/* ---- lost and unseen segments ---------------------------------------- */
	{"lost_segment_hit", LINES(HANDSHAKE, "> P. 101:201(100) ack 1 win 502"), {{4, BIT(LOST_SEGMENT)}}},
	/* Near miss: an RST beyond nextseq is not checked. */
	{"lost_segment_miss_rst", LINES(HANDSHAKE, "> R. 101:101(0) ack 1 win 0"), {{4, 0}}},
	{"ack_lost_segment_hit",
	 LINES(HANDSHAKE, "> P. 1:145(144) ack 1 win 502", "< . 1:1(0) ack 145 win 502",
	       "> . 145:145(0) ack 239 win 502", "> . 145:145(0) ack 239 win 502", "< P. 239:854(615) ack 145 win 502",
	       "> . 145:145(0) ack 854 win 502"),
	 {{6, BIT(ACK_LOST_SEGMENT)},
	  /* Reported once: the repeat is only a duplicate ACK. */ {7, BIT(DUPLICATE_ACK)},
	  {8, BIT(LOST_SEGMENT)},
	  /* The server sent more since: reported again. */ {9, BIT(ACK_LOST_SEGMENT)}}},
	/* Near miss: the same acknowledgement without the ACK bit. */
	{"ack_lost_segment_miss", LINES(HANDSHAKE, "> R 1:1(0) ack 239 win 0"), {{4, 0}}},

	/* ---- duplicate ACKs and windows -------------------------------------- */
	{"zero_window_hit_and_miss",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 0", "< R. 1:1(0) ack 101 win 0"),
	 {{5, BIT(ZERO_WINDOW)}, {6, 0}}},
	/* Wireshark's probe: one byte at nextseq while the peer's window is zero. */
	{"zero_window_probe_one_byte",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 0",
	       "+1 > . 101:102(1) ack 1 win 502", "< . 1:1(0) ack 101 win 0", "+1 > . 101:102(1) ack 1 win 502"),
	 {{6, BIT(ZERO_WINDOW_PROBE)},
	  {7, BIT(ZERO_WINDOW) | BIT(ZERO_WINDOW_PROBE_ACK)},
	  /* The probe did not move nextseq, so the next one is a probe again. */ {8, BIT(ZERO_WINDOW_PROBE)}}},
	/* Near miss: the same byte with the peer's window open is plain data. */
	{"zero_window_probe_miss",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 10",
	       "+1 > . 101:102(1) ack 1 win 502", "< . 1:1(0) ack 101 win 10"),
	 {{6, 0}, {7, BIT(DUPLICATE_ACK)}}},
	/*
	 * Deliberate difference: Linux probes with seq = SND.UNA-1 and no data.
	 * tshark says keep_alive, then zero_window alone on the answer.
	 */
	{"zero_window_probe_linux",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 0",
	       "+0.2 > . 100:100(0) ack 1 win 502", "< . 1:1(0) ack 101 win 0", "+0.4 > . 100:100(0) ack 1 win 502",
	       "+0.8 > . 100:100(0) ack 1 win 502"),
	 {{6, BIT(ZERO_WINDOW_PROBE)},
	  {7, BIT(ZERO_WINDOW) | BIT(ZERO_WINDOW_PROBE_ACK)},
	  {8, BIT(ZERO_WINDOW_PROBE)},
	  {9, BIT(ZERO_WINDOW_PROBE)}}},
	/* Near miss: the answer reopens the window, so it is a window update. */
	{"zero_window_probe_ack_miss",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 0",
	       "+0.2 > . 100:100(0) ack 1 win 502", "< . 1:1(0) ack 101 win 300"),
	 {{6, BIT(ZERO_WINDOW_PROBE)}, {7, BIT(WINDOW_UPDATE)}}},
	{"window_full_hit_and_miss",
	 LINES("> S 0:0(0) win 65535 <mss 1460,sackOK,wscale 7>",
	       "< S. 0:0(0) ack 1 win 100 <mss 1460,sackOK,wscale 2>", "> . 1:1(0) ack 1 win 10",
	       "> P. 1:101(100) ack 1 win 10", "< . 1:1(0) ack 101 win 50", "> P. 101:300(199) ack 1 win 10",
	       "> P. 300:301(1) ack 1 win 10"),
	 {/* The SYN-ACK's window (100) is not scaled until the server's first ACK. */ {4, BIT(WINDOW_FULL)},
	  {6, 0},
	  /* 50 << 2 = 200 bytes past ack 101. */ {7, BIT(WINDOW_FULL)}}},
	/*
	 * Deliberate difference: the server's last packet, an RST without the ACK bit,
	 * has ack 101 and window 0, but that ack field means nothing (RFC 9293 §3.1):
	 * no window edge, so neither window full nor spurious (tshark: both, and
	 * retransmission).
	 */
	{"window_full_not_from_ack_field_of_rst",
	 LINES(HANDSHAKE, "< R 1:1(0) ack 101 win 0", "> P. 1:101(100) ack 1 win 502"),
	 {{5, 0}}},
	/* A SYN-ACK without the option turns scaling off: windows are taken as they are. */
	{"window_full_no_scaling",
	 LINES("> S 0:0(0) win 65535 <mss 1460,sackOK,wscale 7>", "< S. 0:0(0) ack 1 win 1000 <mss 1460,sackOK>",
	       "> . 1:1(0) ack 1 win 502", "< . 1:1(0) ack 1 win 200", "> P. 1:201(200) ack 1 win 502"),
	 {{5, BIT(WINDOW_FULL)}}},
	/* Near miss: mid-stream the scaling is unknown, so never window full. */
	{"window_full_unknown_scale",
	 LINES("< . 7000:7000(0) ack 1000 win 100", "> P. 1000:1100(100) ack 7000 win 100"),
	 {{2, 0}}},
	{"window_update_hit_and_miss",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502", "< . 1:1(0) ack 101 win 700",
	       "< . 1:1(0) ack 101 win 0", "< . 1:1(0) ack 101 win 800", "> P. 101:201(100) ack 1 win 502",
	       "< . 1:1(0) ack 201 win 900"),
	 {{6, BIT(WINDOW_UPDATE)},
	  {7, BIT(ZERO_WINDOW)},
	  {8, BIT(WINDOW_UPDATE)},
	  /* The ack moved: an ordinary ACK. */ {10, 0}}},

	/* ---- keep-alives ------------------------------------------------------ */
	{"keep_alive_hit",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502",
	       "+10 > . 100:100(0) ack 1 win 502", "< . 1:1(0) ack 101 win 502", "+10 > . 100:101(1) ack 1 win 502",
	       "< . 1:1(0) ack 101 win 502"),
	 {{6, BIT(KEEP_ALIVE)},
	  {7, BIT(KEEP_ALIVE_ACK)},
	  /* A one-byte keep-alive is not a retransmission either. */ {8, BIT(KEEP_ALIVE)},
	  {9, BIT(KEEP_ALIVE_ACK)}}},
	/* Near misses: a FIN one byte back, and a segment at nextseq. */
	{"keep_alive_miss",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502",
	       "+10 > F. 100:100(0) ack 1 win 502", "+10 > . 101:101(0) ack 1 win 502"),
	 {{6, BIT(RETRANSMISSION)}, {7, BIT(DUPLICATE_ACK)}}},
	/* Near miss: the answer to a keep-alive with a new window is an update. */
	{"keep_alive_ack_miss",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502",
	       "+10 > . 100:100(0) ack 1 win 502", "< . 1:1(0) ack 101 win 503"),
	 {{6, BIT(KEEP_ALIVE)}, {7, BIT(WINDOW_UPDATE)}}},

	/* ---- option-level labels ---------------------------------------------- */
	{"dsack_hit",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502 <sack 1:101>",
	       "< . 1:1(0) ack 101 win 502 <sack 200:300 150:400>"),
	 {{5, BIT(DSACK)}, {6, BIT(DSACK) | BIT(DUPLICATE_ACK)}}},
	/* Near misses: an ordinary SACK above the ack, and a first block outside the second. */
	{"dsack_miss",
	 LINES(HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502 <sack 200:300>",
	       "< . 1:1(0) ack 101 win 502 <sack 200:300 100:250>"),
	 {{5, 0}, {6, BIT(DUPLICATE_ACK)}}},
	{"tfo_syn_hit_and_miss",
	 LINES("> S 0:0(0) win 65535 <mss 1460,sackOK,wscale 7,FO 0102030405060708>",
	       "< S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,wscale 7,FO 0102030405060708>",
	       "> S 0:0(0) win 65535 <mss 1460,sackOK,wscale 7,FO>"),
	 {{1, BIT(TFO_SYN)},
	  /* A SYN-ACK with a cookie, and a cookie request, are not. */ {2, 0},
	  {3, BIT(RETRANSMISSION)}}},

	/* ---- ECN header bits (RFC 3168) --------------------------------------- */
	/* ECN setup (RFC 3168 §6.1.1): SYN with ECE and CWR, SYN-ACK with ECE; then the echo and the answer. */
	{"ece_and_cwr_hit",
	 LINES("> SEW 0:0(0) win 65535 <mss 1460,sackOK,wscale 7>",
	       "+0.05 < S.E 0:0(0) ack 1 win 65535 <mss 1460,sackOK,wscale 7>", "+0.05 > . 1:1(0) ack 1 win 502",
	       "< P. 1:101(100) ack 1 win 502", "> .E 1:1(0) ack 101 win 502", "< P.W 101:201(100) ack 1 win 502"),
	 {{1, BIT(ECE) | BIT(CWR)}, {2, BIT(ECE)}, {5, BIT(ECE)}, {6, BIT(CWR)}}},
};

START_TEST(label_case)
{
	const struct label_case *c = &label_cases[_i];
	struct run r;
	run_init(&r);
	run_lines(&r, c->lines, c->nlines);
	for (size_t k = 0; k < sizeof c->expect / sizeof c->expect[0] && c->expect[k].frame; k++) {
		int f = c->expect[k].frame;
		ck_assert_msg(labels_of(&r, f) == c->expect[k].mask, "%s: frame %d: labels 0x%x, expected 0x%x",
			      c->name, f, labels_of(&r, f), (unsigned)c->expect[k].mask);
	}
}
END_TEST

/* ---- retransmission family ------------------------------------------ */

/*
 * RFC 9293 §3.10.7.1: an RST answering a SYN to a closed port has seq 0. It
 * occupies no sequence space, so it must not become the server's next
 * expected sequence number: the SYN-ACK and data of the next attempt on the
 * 4-tuple are new (tshark 4.0 agrees, its 0 = "unknown" sentinel hides the
 * seq-0 RST). The server's ISN is in the upper half of the sequence space,
 * where every seq is "before" 0.
 */
START_TEST(rst_closed_port_does_not_seed_nextseq)
{
	struct run r;
	run_init(&r);
	run_line(&r, "> S 0:0(0) win 65535 <mss 1460>");
	r.sc.server_isn = 0;
	run_line(&r, "< R. 0:0(0) ack 1 win 0");
	r.sc.server_isn = 0x90000000u;
	RUN(&r, "+1 > S 0:0(0) win 65535 <mss 1460>", "< S. 0:0(0) ack 1 win 65535 <mss 1460>",
	    "> . 1:1(0) ack 1 win 65535", "< P. 1:101(100) ack 1 win 65535", "< P. 101:201(100) ack 1 win 65535");
	EXPECT(&r, 2, 0);
	EXPECT(&r, 3, BIT(RETRANSMISSION));
	/* A new ISN after the RST's: Wireshark's reused-ports rule, nothing more. */
	EXPECT(&r, 4, BIT(REUSED_PORTS));
	EXPECT(&r, 6, 0);
	EXPECT(&r, 7, 0);
}
END_TEST

/*
 * RFC 9293 §3.1: without the ACK bit the ack field means nothing. The
 * client's RST carries ack 0; the server's next data is not "already
 * acknowledged" (tshark agrees: its lastack 0 means unknown). The server's
 * ISN is in the upper half, where every seq + len is "at or below" 0.
 */
START_TEST(spurious_not_from_ack_field_of_rst)
{
	struct run r;
	run_init(&r);
	r.sc.server_isn = 0x90000000u;
	RUN(&r, HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502", "> R 101:101(0) win 0",
	    "< P. 1:101(100) ack 101 win 502");
	EXPECT(&r, 7, 0);
}
END_TEST

/*
 * Near miss, and a deliberate difference: data the client acknowledged with
 * the ACK bit stays acknowledged after the client's RST without it, so its
 * repeat is spurious (tshark forgets the ack at the RST's ack 0: retransmission).
 */
START_TEST(spurious_after_rst_keeps_earlier_ack)
{
	struct run r;
	run_init(&r);
	r.sc.server_isn = 0x90000000u;
	RUN(&r, HANDSHAKE, "< P. 1:101(100) ack 1 win 502", "> . 1:1(0) ack 101 win 502", "> R 1:1(0) win 0",
	    "+0.5 < P. 1:101(100) ack 1 win 502");
	EXPECT(&r, 7, BIT(SPURIOUS_RETRANSMISSION) | BIT(RETRANSMISSION));
}
END_TEST

/* ---- lost and unseen segments ---------------------------------------- */

/* After the mark, the peer's next duplicate ACK counts from 1 again. */
START_TEST(ack_lost_segment_mark_restarts_dupacks)
{
	struct run r;
	run_init(&r);
	RUN(&r, HANDSHAKE, "> P. 1:145(144) ack 1 win 502", "< . 1:1(0) ack 145 win 502",
	    "> . 145:145(0) ack 239 win 502", "< . 1:1(0) ack 145 win 502");
	EXPECT(&r, 6, BIT(ACK_LOST_SEGMENT));
	EXPECT(&r, 7, BIT(DUPLICATE_ACK));
	ck_assert_uint_eq(r.res[6].dupack_num, 1);
	ck_assert_uint_eq(r.res[6].dupack_frame, 5);
}
END_TEST

/* ---- duplicate ACKs and windows -------------------------------------- */

START_TEST(duplicate_ack_numbered)
{
	struct run r;
	run_init(&r);
	RUN(&r, HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502", "< . 1:1(0) ack 101 win 502",
	    "< . 1:1(0) ack 101 win 502");
	EXPECT(&r, 5, 0);
	EXPECT(&r, 6, BIT(DUPLICATE_ACK));
	EXPECT(&r, 7, BIT(DUPLICATE_ACK));
	ck_assert_uint_eq(r.res[5].dupack_num, 1);
	ck_assert_uint_eq(r.res[5].dupack_frame, 5);
	ck_assert_uint_eq(r.res[6].dupack_num, 2);
	ck_assert_uint_eq(r.res[6].dupack_frame, 5);
}
END_TEST

/* Near misses: a new window is an update; data or FIN is not a duplicate. */
START_TEST(duplicate_ack_miss)
{
	struct run r;
	run_init(&r);
	RUN(&r, HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502", "< . 1:1(0) ack 101 win 600",
	    "< P. 1:11(10) ack 101 win 600", "< F. 11:11(0) ack 101 win 600");
	EXPECT(&r, 6, BIT(WINDOW_UPDATE));
	EXPECT(&r, 7, 0);
	EXPECT(&r, 8, 0);
	ck_assert_uint_eq(r.res[5].dupack_num, 0);
}
END_TEST

/* ---- ECN header bits (RFC 3168) --------------------------------------- */

/* CE is the codepoint 11 (RFC 3168 §5); ECT(0) 10 and ECT(1) 01 are near misses. */
START_TEST(ecn_ce_hit_and_miss)
{
	struct run r;
	run_init(&r);
	RUN(&r, HANDSHAKE);
	run_line_ecn(&r, "< P. 1:101(100) ack 1 win 502", 3, false);
	run_line_ecn(&r, "< P. 101:201(100) ack 1 win 502", 2, false);
	run_line_ecn(&r, "< P. 201:301(100) ack 1 win 502", 1, false);
	EXPECT(&r, 4, BIT(ECN_CE));
	EXPECT(&r, 5, 0);
	EXPECT(&r, 6, 0);
}
END_TEST

/*
 * Accurate ECN (RFC 9768): asked for by SYN 1 (AE, CWR, ECE), agreed by
 * SYN-ACK 2 (010); the bits of 3-5 are the ACE counter, no labels. Near
 * miss: SYN-ACK 7 answers a second attempt with 001, classic ECN, so ECE on
 * 9 is an echo again.
 */
START_TEST(accecn_counter_not_labelled)
{
	struct run r;
	run_init(&r);
	run_line_ecn(&r, "> SEW 0:0(0) win 65535 <mss 1460,sackOK,wscale 7>", 0, true);
	run_line_ecn(&r, "+0.05 < S.W 0:0(0) ack 1 win 65535 <mss 1460,sackOK,wscale 7>", 0, false);
	run_line_ecn(&r, "+0.05 > .W 1:1(0) ack 1 win 502", 0, false);
	run_line_ecn(&r, "< P.E 1:101(100) ack 1 win 502", 2, true);
	run_line_ecn(&r, "> .EW 1:1(0) ack 101 win 502", 2, false);
	EXPECT(&r, 1, BIT(ECE) | BIT(CWR));
	EXPECT(&r, 2, BIT(CWR));
	EXPECT(&r, 3, 0);
	EXPECT(&r, 4, 0);
	EXPECT(&r, 5, 0);
	r.sc.client_port++;
	labels_init(&r.lf);
	run_line_ecn(&r, "+1 > SEW 0:0(0) win 65535 <mss 1460,sackOK,wscale 7>", 0, true);
	run_line_ecn(&r, "+0.05 < S.E 0:0(0) ack 1 win 65535 <mss 1460,sackOK,wscale 7>", 0, false);
	run_line_ecn(&r, "+0.05 > . 1:1(0) ack 1 win 502", 0, false);
	run_line_ecn(&r, "> P.E 1:101(100) ack 1 win 502", 0, false);
	EXPECT(&r, 7, BIT(ECE));
	EXPECT(&r, 9, BIT(ECE));
}
END_TEST

/* Near misses: the same exchange with the neighbouring flags (PSH, URG) and no ECN bits. */
START_TEST(ece_and_cwr_miss)
{
	struct run r;
	run_init(&r);
	RUN(&r, "> S 0:0(0) win 65535 <mss 1460,sackOK,wscale 7>",
	    "+0.05 < S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,wscale 7>", "+0.05 > . 1:1(0) ack 1 win 502",
	    "< P. 1:101(100) ack 1 win 502", "> .U 1:1(0) ack 101 win 502", "< P. 101:201(100) ack 1 win 502");
	for (int f = 1; f <= 6; f++)
		ck_assert_msg(!(labels_of(&r, f) & (BIT(ECE) | BIT(CWR) | BIT(ECN_CE))), "frame %d", f);
}
END_TEST

/* ---- retransmission count -------------------------------------------- */

/* A plain, a fast and a spurious retransmission are three packets, not five label counts. */
START_TEST(retransmitted_packets_once_each)
{
	struct run r;
	uint32_t counts[L_COUNT] = {0};
	run_init(&r);
	RUN(&r, HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "> P. 101:201(100) ack 1 win 502",
	    "> P. 201:301(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502", "< . 1:1(0) ack 101 win 502",
	    "< . 1:1(0) ack 101 win 502", "+0.01 > P. 101:201(100) ack 1 win 502",
	    "+0.3 > P. 201:301(100) ack 1 win 502", "< . 1:1(0) ack 301 win 502",
	    "+0.3 > P. 201:301(100) ack 1 win 502");
	EXPECT(&r, 10, BIT(FAST_RETRANSMISSION) | BIT(RETRANSMISSION));
	EXPECT(&r, 11, BIT(RETRANSMISSION));
	EXPECT(&r, 13, BIT(SPURIOUS_RETRANSMISSION) | BIT(RETRANSMISSION));
	for (int i = 0; i < r.n; i++)
		for (int l = 0; l < L_COUNT; l++)
			counts[l] += (r.res[i].mask >> l) & 1u;
	ck_assert_uint_eq(labels_retransmitted_packets(counts), 3);
}
END_TEST

/* The RETX column of the text report for captures/bulk-loss.pcap: 22, as tshark and captures/README.md say. */
START_TEST(retx_column_bulk_loss)
{
	const char *top = getenv("top_srcdir");
	char path[4096], err[256];
	snprintf(path, sizeof path, "%s/captures/bulk-loss.pcap", top ? top : "..");
	struct report rep;
	struct engine_config cfg;
	engine_config_default(&cfg);
	report_init(&rep, path);
	ck_assert_msg(report_run_file(&rep, path, NULL, &cfg, 1, NULL, err, sizeof err) == 0, "%s", err);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(out);
	output_text_report(out, &rep);
	fclose(out);
	report_free(&rep);

	/* The flow row: ID CLIENT SERVER HANDSHAKE CLOSE 2xEND CONN HISTORY PKTS BYTES (number, unit) RETX. */
	const char *row = strstr(text, "\n    1  ");
	ck_assert_ptr_nonnull(row);
	char tok[13][64];
	ck_assert_int_eq(sscanf(row, "%63s %63s %63s %63s %63s %63s %63s %63s %63s %63s %63s %63s %63s", tok[0], tok[1],
				tok[2], tok[3], tok[4], tok[5], tok[6], tok[7], tok[8], tok[9], tok[10], tok[11],
				tok[12]),
			 13);
	ck_assert_str_eq(tok[9], "2035");
	ck_assert_str_eq(tok[12], "22");
	free(text);
}
END_TEST

/* ---- relative numbers ------------------------------------------------- */

START_TEST(relative_handshake_near_wrap)
{
	struct run r;
	run_init(&r);
	r.sc.client_isn = 0xfffffff0u;
	r.sc.server_isn = 0xffffff00u;
	RUN(&r, HANDSHAKE, "> P. 1:101(100) ack 1 win 502", "< P. 1:301(300) ack 101 win 502");
	ck_assert_uint_eq(r.rel_seq[0], 0);
	ck_assert_uint_eq(r.rel_ack[0], 0);
	ck_assert_uint_eq(r.rel_seq[1], 0);
	ck_assert_uint_eq(r.rel_ack[1], 1);
	ck_assert_uint_eq(r.rel_seq[3], 1);
	ck_assert_uint_eq(r.rel_seq[4], 1);
	ck_assert_uint_eq(r.rel_ack[4], 101);
	EXPECT(&r, 4, 0);
	EXPECT(&r, 5, 0);
}
END_TEST

/* Mid-stream: each side's first seq counts as 1, the peer's as ack - 1. */
START_TEST(relative_midstream)
{
	struct run r;
	run_init(&r);
	RUN(&r, "> P. 1000:1100(100) ack 7000 win 100", "< . 7000:7000(0) ack 1100 win 100",
	    "< P. 7000:7100(100) ack 1100 win 100");
	ck_assert_uint_eq(r.rel_seq[0], 1);
	ck_assert_uint_eq(r.rel_ack[0], 1);
	ck_assert_uint_eq(r.rel_seq[1], 1);
	ck_assert_uint_eq(r.rel_ack[1], 101);
	ck_assert_uint_eq(r.rel_seq[2], 1);
}
END_TEST

/* Without the ACK bit tshark shows the ack field as it is on the wire. */
START_TEST(relative_ack_without_ack_bit)
{
	struct run r;
	run_init(&r);
	RUN(&r, HANDSHAKE, "> R 1:1(0) ack 7 win 0");
	ck_assert_uint_eq(r.rel_ack[3], r.sc.server_isn + 7);
	ck_assert_uint_eq(r.rel_seq[3], 1);
}
END_TEST

/*
 * Deliberate difference: Wireshark stops adding one for a SYN or FIN once
 * 10 000 of the sender's segments are unacknowledged (its list is full), so it
 * misses the FIN's retransmission and calls the final ACK "ACKed unseen".
 */
START_TEST(fin_after_many_unacked_segments)
{
	struct scenario sc;
	struct label_flow lf;
	struct packet p;
	struct label_result res;
	char line[96];
	uint32_t seq = 1;

	scenario_init(&sc);
	labels_init(&lf);
	scenario_packet(&sc, "> S 0:0(0) win 65535 <mss 1460>", &p);
	labels_analyze(&lf, 0, &p, &res);
	scenario_packet(&sc, "< S. 0:0(0) ack 1 win 65535 <mss 1460>", &p);
	labels_analyze(&lf, 1, &p, &res);
	for (int i = 0; i < 10001; i++, seq += 10) {
		snprintf(line, sizeof line, "> P. %u:%u(10) ack 1 win 65535", seq, seq + 10);
		scenario_packet(&sc, line, &p);
		labels_analyze(&lf, 0, &p, &res);
	}
	snprintf(line, sizeof line, "> F. %u:%u(0) ack 1 win 65535", seq, seq);
	scenario_packet(&sc, line, &p);
	labels_analyze(&lf, 0, &p, &res);
	ck_assert_uint_eq(res.mask, 0);
	snprintf(line, sizeof line, "+1 > F. %u:%u(0) ack 1 win 65535", seq, seq);
	scenario_packet(&sc, line, &p);
	labels_analyze(&lf, 0, &p, &res);
	ck_assert_uint_eq(res.mask, BIT(RETRANSMISSION));
	snprintf(line, sizeof line, "< . 1:1(0) ack %u win 65535", seq + 1);
	scenario_packet(&sc, line, &p);
	labels_analyze(&lf, 1, &p, &res);
	ck_assert_uint_eq(res.mask, 0);
}
END_TEST

static Suite *labels_suite(void)
{
	Suite *s = suite_create("labels");
	TCase *tc;

	tc = tcase_create("hits and near misses");
	tcase_add_loop_test(tc, label_case, 0, sizeof label_cases / sizeof label_cases[0]);
	suite_add_tcase(s, tc);

	tc = tcase_create("retransmission");
	tcase_add_test(tc, rst_closed_port_does_not_seed_nextseq);
	tcase_add_test(tc, spurious_not_from_ack_field_of_rst);
	tcase_add_test(tc, spurious_after_rst_keeps_earlier_ack);
	tcase_add_test(tc, fin_after_many_unacked_segments);
	suite_add_tcase(s, tc);

	tc = tcase_create("lost");
	tcase_add_test(tc, ack_lost_segment_mark_restarts_dupacks);
	suite_add_tcase(s, tc);

	tc = tcase_create("acks and windows");
	tcase_add_test(tc, duplicate_ack_numbered);
	tcase_add_test(tc, duplicate_ack_miss);
	suite_add_tcase(s, tc);

	tc = tcase_create("keep-alive");
	suite_add_tcase(s, tc);

	tc = tcase_create("options");
	suite_add_tcase(s, tc);

	tc = tcase_create("ecn");
	tcase_add_test(tc, ecn_ce_hit_and_miss);
	tcase_add_test(tc, ece_and_cwr_miss);
	tcase_add_test(tc, accecn_counter_not_labelled);
	suite_add_tcase(s, tc);

	tc = tcase_create("retransmission count");
	tcase_add_test(tc, retransmitted_packets_once_each);
	tcase_add_test(tc, retx_column_bulk_loss);
	suite_add_tcase(s, tc);

	tc = tcase_create("relative numbers");
	tcase_add_test(tc, relative_handshake_near_wrap);
	tcase_add_test(tc, relative_midstream);
	tcase_add_test(tc, relative_ack_without_ack_bit);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(labels_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
