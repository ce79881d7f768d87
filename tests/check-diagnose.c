/*
 * check-diagnose.c - unit suite for the diagnoses (src/analysis-diagnose.c).
 *
 * Scenarios in the packetdrill-like notation of scenario.h go through the
 * whole pipeline (decode, flow table, labels, TCP engine, diagnoses) while a
 * test sink keeps every finding with its frame and message, including those
 * raised when the flow ends. Two tables drive most tests:
 *   - raises: for each diagnosis, a scenario, the frame it must be raised on
 *     and text its message must contain (the numbers it states);
 *   - near misses: a scenario close to each raise that must not raise it.
 * Loss over a flow's life needs long scenarios, built in code. Last, the
 * bundled captures each must get the diagnosis they were recorded to show.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "engine.h"
#include "scenario.h"

#define MAX_LINES 24
#define MAX_KEPT 64

struct kept_finding {
	uint64_t frame;
	enum finding_id id;
	char message[FINDING_MESSAGE_MAX];
};

struct run {
	struct kept_finding findings[MAX_KEPT];
	int n;
};

static void keep_finding(void *ctx, const struct finding *f)
{
	struct run *r = ctx;
	if (r->n < MAX_KEPT) {
		r->findings[r->n].frame = f->frame;
		r->findings[r->n].id = f->id;
		snprintf(r->findings[r->n].message, sizeof r->findings[r->n].message, "%s", f->message);
		r->n++;
	}
}

static struct engine *new_engine(struct run *r)
{
	memset(r, 0, sizeof *r);
	struct engine_config cfg;
	engine_config_default(&cfg);
	struct engine_sink sink = {.ctx = r, .finding = keep_finding};
	return engine_new(&cfg, &sink);
}

static void run_lines(const char *const *lines, size_t n, struct run *r)
{
	struct scenario sc;
	scenario_init(&sc);
	struct engine *e = new_engine(r);
	for (size_t i = 0; i < n && lines[i]; i++)
		scenario_feed(&sc, e, lines[i]);
	engine_finish(e);
	engine_free(e);
}

/* The first finding with this id, or NULL; *count gets how many there were. */
static const struct kept_finding *find(const struct run *r, enum finding_id id, int *count)
{
	const struct kept_finding *first = NULL;
	int n = 0;
	for (int i = 0; i < r->n; i++)
		if (r->findings[i].id == id && n++ == 0)
			first = &r->findings[i];
	if (count)
		*count = n;
	return first;
}

#define SYN "> S 0:0(0) win 65535 <mss 1460,sackOK,nop,wscale 7>"
#define SYNACK "< S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,nop,wscale 7>"
#define ACK3 "> . 1:1(0) ack 1 win 502"
#define REQ1 "> P. 1:1001(1000) ack 1 win 502"
#define REQ2 "> P. 1001:2001(1000) ack 1 win 502"
#define ACKED1 "< . 1:1(0) ack 1001 win 502"
#define ANSWER "< P. 1:1001(1000) ack 1 win 502"

struct finding_case {
	const char *code;
	uint64_t frame;	     /* where it must be raised (raises only) */
	const char *text[3]; /* its message must contain each of these */
	const char *lines[MAX_LINES];
};

static const struct finding_case raises[] = {
	{"tcp.handshake.refused", 2, {"server refused", "port 80", "1 SYN sent"}, {SYN, "< R. 0:0(0) ack 1 win 0"}},
	{"tcp.handshake.refused",
	 3,
	 {"1.001 s after the first SYN", "2 SYNs sent"},
	 {SYN, "+1 " SYN, "< R. 0:0(0) ack 1 win 0"}},
	{"tcp.reset.aborted",
	 5,
	 {"the server aborted", "client 1000 bytes, server 0 bytes"},
	 {SYN, SYNACK, ACK3, REQ1, "< R. 1:1(0) ack 1 win 0"}},
	{"tcp.reset.aborted",
	 7,
	 {"the client aborted", "client 0 bytes, server 1000 bytes"},
	 {SYN, SYNACK, ACK3, REQ1, ACKED1, ANSWER, "> R. 1001:1001(0) ack 1 win 0"}},
	/* A client FIN, then the server aborts (with the FIN acknowledged): still an abort. */
	{"tcp.reset.aborted",
	 6,
	 {"the server aborted", "client 0 bytes"},
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< . 1:1(0) ack 2 win 502", "< R. 1:1(0) ack 2 win 0"}},
	{"tcp.rto.timeout",
	 7,
	 {"the client stood still 300 ms after frame 6", "retransmitted 1001-2000 (RTO)", "backoff 0.300 s"},
	 {SYN, SYNACK, ACK3, REQ1, REQ2, ACKED1, "+0.3 " REQ2, "< . 1:1(0) ack 2001 win 502"}},
	{"tcp.rto.timeout",
	 7,
	 {"sent 3 times", "backoff 0.250 0.500 1.000 s: doubling"},
	 {SYN, SYNACK, ACK3, REQ1, REQ2, ACKED1, "+0.25 " REQ2, "+0.5 " REQ2, "+1 " REQ2,
	  "< . 1:1(0) ack 2001 win 502"}},
	{"tcp.rto.timeout",
	 7,
	 {"sent 3 times", "backoff 0.250 0.250 0.250 s: not doubling"},
	 {SYN, SYNACK, ACK3, REQ1, REQ2, ACKED1, "+0.25 " REQ2, "+0.25 " REQ2, "+0.25 " REQ2}},
	{"tcp.rto.timeout",
	 6,
	 {"stood still 210 ms after frame 5", "retransmitted its FIN (RTO)"},
	 {SYN, SYNACK, ACK3, "< . 1:1(0) ack 1 win 502", "> F. 1:1(0) ack 1 win 502", "+0.21 > F. 1:1(0) ack 1 win 502",
	  "< F. 1:1(0) ack 2 win 502", "> . 2:2(0) ack 2 win 502"}},
	{"tcp.window.zero_stall",
	 8,
	 {"the client stopped reading", "from frame 5 to frame 8 (801.000 ms)",
	  "server was stalled and sent 1 zero-window probe"},
	 {SYN, SYNACK, ACK3, ANSWER, "> . 1:1(0) ack 1001 win 0", "+0.3 < . 1000:1000(0) ack 1 win 502",
	  "> . 1:1(0) ack 1001 win 0", "+0.5 > . 1:1(0) ack 1001 win 502"}},
	{"tcp.window.zero_stall",
	 5,
	 {"the client stopped reading", "from frame 5 never reopened (1.301 s", "2 zero-window probes"},
	 {SYN, SYNACK, ACK3, ANSWER, "> . 1:1(0) ack 1001 win 0", "+0.3 < . 1000:1000(0) ack 1 win 502",
	  "> . 1:1(0) ack 1001 win 0", "+1 < . 1000:1000(0) ack 1 win 502"}},
	{"tcp.keepalive.dead",
	 9,
	 {"the client reset after 3 unanswered keep-alive probes (frames 6-8)",
	  "keepalive_time 10.000 s, intvl 1.000 s, probes 3"},
	 {SYN, SYNACK, ACK3, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502",
	  "+10 > . 100:100(0) ack 1 win 502", "+1 > . 100:100(0) ack 1 win 502", "+1 > . 100:100(0) ack 1 win 502",
	  "+1 > R. 101:101(0) ack 1 win 0"}},
};

static const struct finding_case near_misses[] = {
	/* A RST that does not acknowledge the SYN is not acceptable (tcp.handshake.rst_bad_ack). */
	{"tcp.handshake.refused", 0, {0}, {SYN, "< R. 0:0(0) ack 7 win 0"}},
	/* The server answered; the client's RST later is an abort. */
	{"tcp.handshake.refused", 0, {0}, {SYN, SYNACK, ACK3, "> R. 1:1(0) ack 1 win 0"}},
	/* A RST after both FINs ends nothing that was still open. */
	{"tcp.reset.aborted",
	 0,
	 {0},
	 {SYN, SYNACK, ACK3, "> F. 1:1(0) ack 1 win 502", "< F. 1:1(0) ack 2 win 502", "> R. 2:2(0) ack 2 win 0"}},
	/* A RST answering a SYN-ACK: the connection was never established. */
	{"tcp.reset.aborted", 0, {0}, {SYN, SYNACK, "> R. 1:1(0) win 0"}},
	/* A RST outside the window is ignored (tcp.reset.out_of_window): nothing was aborted. */
	{"tcp.reset.aborted", 0, {0}, {SYN, SYNACK, ACK3, "< R. 900000:900000(0) ack 1 win 0"}},
	{"tcp.reset.aborted", 0, {0}, {SYN, "< R. 0:0(0) ack 1 win 0"}},
	/* 150 ms without progress is shorter than any Linux RTO. */
	{"tcp.rto.timeout",
	 0,
	 {0},
	 {SYN, SYNACK, ACK3, REQ1, REQ2, ACKED1, "+0.15 " REQ2, "< . 1:1(0) ack 2001 win 502"}},
	/* The ACK 100 ms before the retransmission was progress: the sender stood still only that long. */
	{"tcp.rto.timeout",
	 0,
	 {0},
	 {SYN, SYNACK, ACK3, REQ1, REQ2, "+0.3 " ACKED1, "+0.1 " REQ2, "< . 1:1(0) ack 2001 win 502"}},
	/* Not the oldest unacknowledged data (1001 is): a retransmission of later data. */
	{"tcp.rto.timeout",
	 0,
	 {0},
	 {SYN, SYNACK, ACK3, REQ1, REQ2, "> P. 2001:3001(1000) ack 1 win 502", ACKED1,
	  "+0.3 > P. 2001:3001(1000) ack 1 win 502"}},
	/* Fast retransmission after three duplicate ACKs, though the last progress was 300 ms before. */
	{"tcp.rto.timeout",
	 0,
	 {0},
	 {SYN, SYNACK, ACK3, REQ1, REQ2, "> P. 2001:3001(1000) ack 1 win 502", "> P. 3001:4001(1000) ack 1 win 502",
	  "> P. 4001:5001(1000) ack 1 win 502", ACKED1, "+0.3 " ACKED1 " <sack 2001:3001>", ACKED1 " <sack 2001:4001>",
	  ACKED1 " <sack 2001:5001>", REQ2}},
	/* The window reopened after 100 ms: flow control, not a stall. */
	{"tcp.window.zero_stall",
	 0,
	 {0},
	 {SYN, SYNACK, ACK3, ANSWER, "> . 1:1(0) ack 1001 win 0", "+0.1 > . 1:1(0) ack 1001 win 502"}},
	/* A zero window for a second, but the server had nothing waiting: no probe, no full window. */
	{"tcp.window.zero_stall",
	 0,
	 {0},
	 {SYN, SYNACK, ACK3, ANSWER, "> . 1:1(0) ack 1001 win 0", "+1 > . 1:1(0) ack 1001 win 502"}},
	/* Each probe answered: the client's RST is an abort, not a keep-alive death. */
	{"tcp.keepalive.dead",
	 0,
	 {0},
	 {SYN, SYNACK, ACK3, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502",
	  "+10 > . 100:100(0) ack 1 win 502", "< . 1:1(0) ack 101 win 502", "+1 > . 100:100(0) ack 1 win 502",
	  "< . 1:1(0) ack 101 win 502", "+1 > R. 101:101(0) ack 1 win 0"}},
	/* Unanswered probes, but the prober never gave up (capture ended): tcp.keepalive.unanswered only. */
	{"tcp.keepalive.dead",
	 0,
	 {0},
	 {SYN, SYNACK, ACK3, "> P. 1:101(100) ack 1 win 502", "< . 1:1(0) ack 101 win 502",
	  "+10 > . 100:100(0) ack 1 win 502", "+1 > . 100:100(0) ack 1 win 502", "+1 > . 100:100(0) ack 1 win 502"}},
};

START_TEST(test_raise)
{
	const struct finding_case *fc = &raises[_i];
	enum finding_id id = finding_by_code(fc->code);
	ck_assert_msg(id != F_NONE, "unknown code %s", fc->code);
	struct run r;
	run_lines(fc->lines, MAX_LINES, &r);
	int count;
	const struct kept_finding *k = find(&r, id, &count);
	ck_assert_msg(k != NULL, "%s was not raised", fc->code);
	ck_assert_msg(count == 1, "%s raised %d times, expected once", fc->code, count);
	ck_assert_msg(k->frame == fc->frame, "%s raised on frame %llu, expected %llu (%s)", fc->code,
		      (unsigned long long)k->frame, (unsigned long long)fc->frame, k->message);
	for (int i = 0; i < 3 && fc->text[i]; i++)
		ck_assert_msg(strstr(k->message, fc->text[i]), "%s message \"%s\" lacks \"%s\"", fc->code, k->message,
			      fc->text[i]);
}
END_TEST

START_TEST(test_near_miss)
{
	const struct finding_case *fc = &near_misses[_i];
	enum finding_id id = finding_by_code(fc->code);
	ck_assert_msg(id != F_NONE, "unknown code %s", fc->code);
	struct run r;
	run_lines(fc->lines, MAX_LINES, &r);
	const struct kept_finding *k = find(&r, id, NULL);
	ck_assert_msg(k == NULL, "%s raised on frame %llu of its near miss: %s", fc->code,
		      k ? (unsigned long long)k->frame : 0ULL, k ? k->message : "");
}
END_TEST

/* ---- Loss over a flow's life -------------------------------------------------- */

/*
 * The server sends segments data segments of 1000 bytes, each acknowledged;
 * the first retransmitted of them are sent twice (the copy 1 ms later, as
 * after a loss downstream of the capture).
 */
static void run_bulk(int segments, int retransmitted, struct run *r)
{
	struct scenario sc;
	scenario_init(&sc);
	struct engine *e = new_engine(r);
	static const char *const open[] = {SYN, SYNACK, ACK3};
	for (size_t i = 0; i < 3; i++)
		scenario_feed(&sc, e, open[i]);
	char line[96];
	for (int i = 0; i < segments; i++) {
		uint32_t seq = 1 + 1000u * (uint32_t)i;
		snprintf(line, sizeof line, "< P. %u:%u(1000) ack 1 win 502", seq, seq + 1000);
		scenario_feed(&sc, e, line);
		if (i < retransmitted)
			scenario_feed(&sc, e, line);
		snprintf(line, sizeof line, "> . 1:1(0) ack %u win 502", seq + 1000);
		scenario_feed(&sc, e, line);
	}
	engine_finish(e);
	engine_free(e);
}

START_TEST(test_loss_persistent)
{
	struct run r;
	run_bulk(400, 10, &r); /* 10 of the 410 sent: 2.4 % */
	const struct kept_finding *k = find(&r, F_LOSS_PERSISTENT, NULL);
	ck_assert_msg(k != NULL, "10 retransmissions of 400 segments not persistent loss");
	ck_assert_msg(strstr(k->message, "the server retransmitted 10 of its 410 data segments (2.4 %)"), "%s",
		      k->message);
	ck_assert_uint_eq(k->frame, 3 + 400 * 2 + 10); /* the flow's last frame */
	ck_assert_ptr_null(find(&r, F_RTO_TIMEOUT, NULL));
}
END_TEST

START_TEST(test_loss_near_misses)
{
	struct run r;
	run_bulk(40, 9, &r); /* 18 %, but only 9 */
	ck_assert_ptr_null(find(&r, F_LOSS_PERSISTENT, NULL));
	run_bulk(600, 10, &r); /* 10, but only 1.6 % of the 610 sent */
	ck_assert_ptr_null(find(&r, F_LOSS_PERSISTENT, NULL));
}
END_TEST

/* The same data sent again and again in one timeout counts once. */
START_TEST(test_loss_backoff_counts_once)
{
	const char *lines[MAX_LINES] = {SYN, SYNACK, ACK3, REQ1, REQ2, ACKED1};
	size_t n = 6;
	char buf[12][48];
	for (int i = 0; i < 12; i++) {
		snprintf(buf[i], sizeof buf[i], "+%d " REQ2, 1 << i % 4);
		lines[n++] = buf[i];
	}
	struct run r;
	run_lines(lines, n, &r);
	ck_assert_ptr_null(find(&r, F_LOSS_PERSISTENT, NULL));
	int count;
	const struct kept_finding *k = find(&r, F_RTO_TIMEOUT, &count);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(count, 1);
	ck_assert_msg(strstr(k->message, "sent 12 times"), "%s", k->message);
}
END_TEST

/* ---- The bundled captures ------------------------------------------------------- */

struct capture_case {
	const char *file;
	const char *code;
	const char *text; /* the message must contain it */
};

static const struct capture_case captures[] = {
	{"demo.pcap", "tcp.rto.timeout",
	 "the client stood still 208 ms after frame 21, then retransmitted 14481-15928"},
	{"zero-window.pcap", "tcp.window.zero_stall",
	 "the client stopped reading: zero window from frame 28 to frame 34"},
	{"refused.pcap", "tcp.handshake.refused", "the server refused the connection to port 5000"},
	{"keepalive-dead.pcap", "tcp.keepalive.dead",
	 "the client reset after 3 unanswered keep-alive probes (frames 8-10)"},
	{"abort-by-client.pcap", "tcp.reset.aborted", "the client aborted"},
	{"abort-by-server.pcap", "tcp.reset.aborted", "the server aborted"},
	{"keepalive-dead.pcap", "tcp.reset.aborted", "the client aborted"},
	{"bulk-loss.pcap", "tcp.loss.persistent", "the server retransmitted 22 of its"},
};

static void run_capture(const char *file, struct run *r)
{
	char path[512], err[CAPTURE_ERRBUF_SIZE];
	snprintf(path, sizeof path, "%s/%s", CAPTURES_DIR, file);
	struct capture *cap = capture_open_file(path, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s: %s", path, err);
	struct engine *e = new_engine(r);
	struct capture_record rec;
	while (capture_next(cap, &rec) == CAPTURE_PACKET)
		engine_packet(e, &rec);
	engine_finish(e);
	engine_free(e);
	capture_close(cap);
}

START_TEST(test_capture)
{
	const struct capture_case *cc = &captures[_i];
	struct run r;
	run_capture(cc->file, &r);
	const struct kept_finding *k = find(&r, finding_by_code(cc->code), NULL);
	ck_assert_msg(k != NULL, "%s: no %s", cc->file, cc->code);
	ck_assert_msg(strstr(k->message, cc->text), "%s: %s says \"%s\"", cc->file, cc->code, k->message);
}
END_TEST

/* A clean exchange and close gets none of the diagnoses. */
START_TEST(test_clean_capture_has_none)
{
	struct run r;
	run_capture("close-by-client.pcap", &r);
	static const char *const codes[] = {"tcp.handshake.refused", "tcp.reset.aborted",  "tcp.rto.timeout",
					    "tcp.window.zero_stall", "tcp.keepalive.dead", "tcp.loss.persistent"};
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		const struct kept_finding *k = find(&r, finding_by_code(codes[i]), NULL);
		ck_assert_msg(k == NULL, "%s on frame %llu: %s", codes[i], k ? (unsigned long long)k->frame : 0ULL,
			      k ? k->message : "");
	}
}
END_TEST

static Suite *diagnose_suite(void)
{
	Suite *s = suite_create("diagnose");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_raise, 0, sizeof raises / sizeof raises[0]);
	tcase_add_loop_test(tc, test_near_miss, 0, sizeof near_misses / sizeof near_misses[0]);
	tcase_add_test(tc, test_loss_persistent);
	tcase_add_test(tc, test_loss_near_misses);
	tcase_add_test(tc, test_loss_backoff_counts_once);
	tcase_add_loop_test(tc, test_capture, 0, sizeof captures / sizeof captures[0]);
	tcase_add_test(tc, test_clean_capture_has_none);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(diagnose_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
