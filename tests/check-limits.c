/*
 * check-limits.c - the resource limits of batch mode (docs/robustness.md):
 * the spool that keeps a report's flows and findings within a memory budget
 * (in memory, spilled to its temporary file, read back in key order with
 * ties in the order added, by several readers at once), the report order of
 * findings it reproduces (also over many blocks of memory, mem-blocks.h),
 * the faults of its temporary file (made, written, read back: remembered
 * and told, never the end of the program), and the per-flow findings cap of
 * the engine.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "report-spool.h"
#include "report.h"
#include "scenario.h"

struct item {
	uint32_t key, seq; /* seq: the order it was added in */
	char pad[40];
};

/* Adds n items with keys from a fixed pseudo-random sequence, many of them equal. */
static void fill(struct spool *s, size_t n, uint32_t key_range)
{
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		struct item it = {.key = (x >> 8) % key_range, .seq = (uint32_t)i};
		memset(it.pad, 'a' + (int)(i % 26), sizeof it.pad);
		spool_add(s, (struct spool_key){it.key, 0}, &it);
	}
}

/* Reads everything back and checks key order, stability and that every item came back intact. */
static void assert_ordered(const struct spool *s, size_t n)
{
	struct spool_reader rd;
	spool_reader_open(&rd, s);
	const struct item *it, *prev = NULL;
	struct item last;
	size_t count = 0;
	while ((it = spool_reader_next(&rd))) {
		if (prev)
			ck_assert(last.key < it->key || (last.key == it->key && last.seq < it->seq));
		ck_assert_int_eq(it->pad[39], 'a' + (int)(it->seq % 26));
		last = *it;
		prev = &last;
		count++;
	}
	ck_assert_ptr_null(spool_reader_next(&rd));
	spool_reader_close(&rd);
	ck_assert_uint_eq(count, n);
}

START_TEST(test_spool_in_memory)
{
	struct spool s;
	spool_init(&s, sizeof(struct item), 1 << 20);
	fill(&s, 5000, 100);
	spool_seal(&s);
	ck_assert(!spool_spilled(&s));
	ck_assert_uint_eq(spool_count(&s), 5000);
	assert_ordered(&s, 5000);
	spool_free(&s);
}
END_TEST

START_TEST(test_spool_spilled)
{
	struct spool s;
	spool_init(&s, sizeof(struct item), 64 * 100); /* about 100 entries in memory: 200 runs */
	fill(&s, 20000, 300);
	spool_seal(&s);
	ck_assert(spool_spilled(&s));
	ck_assert_uint_gt(s.nruns, 100);
	assert_ordered(&s, 20000);
	/* two readers at once see the same sequence */
	struct spool_reader a, b;
	spool_reader_open(&a, &s);
	spool_reader_open(&b, &s);
	const struct item *ia, *ib;
	size_t n = 0;
	while ((ia = spool_reader_next(&a))) {
		ib = spool_reader_next(&b);
		ck_assert_ptr_nonnull(ib);
		ck_assert_uint_eq(ia->seq, ib->seq);
		n++;
	}
	ck_assert_ptr_null(spool_reader_next(&b));
	ck_assert_uint_eq(n, 20000);
	spool_reader_close(&a);
	spool_reader_close(&b);
	spool_free(&s);
}
END_TEST

START_TEST(test_spool_fault_creating)
{
	const char *saved = getenv("TMPDIR");
	char *old = saved ? strdup(saved) : NULL;
	setenv("TMPDIR", "/nonexistent-tcpscope-dir", 1);
	struct spool s;
	char msg[256] = "untouched";
	spool_init(&s, sizeof(struct item), 64 * 100);
	ck_assert_int_eq(spool_fault(&s, msg, sizeof msg), 0);
	ck_assert_str_eq(msg, "untouched");
	fill(&s, 1000, 300);
	spool_seal(&s);
	ck_assert_int_eq(spool_fault(&s, msg, sizeof msg), ENOENT);
	ck_assert_str_eq(msg, "cannot create a temporary file in /nonexistent-tcpscope-dir: No such file or directory "
			      "(set TMPDIR to a directory with room)");
	/* memory stayed bounded: what did not fit was dropped, and reading gives at most one budget's worth */
	struct spool_reader rd;
	spool_reader_open(&rd, &s);
	size_t n = 0;
	while (spool_reader_next(&rd))
		n++;
	spool_reader_close(&rd);
	ck_assert_uint_le(n, s.budget_entries);
	spool_free(&s);
	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
}
END_TEST

START_TEST(test_spool_fault_reading)
{
	struct spool s;
	char msg[256];
	spool_init(&s, sizeof(struct item), 64 * 100);
	fill(&s, 20000, 300);
	spool_seal(&s);
	ck_assert(spool_spilled(&s));
	ck_assert_int_eq(spool_fault(&s, msg, sizeof msg), 0);
	/* the temporary file turns unreadable behind the spool's back: a reader's runs end, the spool says why */
	int write_only = open("/dev/null", O_WRONLY);
	ck_assert_int_ge(write_only, 0);
	ck_assert_int_eq(dup2(write_only, s.fd), s.fd);
	close(write_only);
	struct spool_reader rd;
	spool_reader_open(&rd, &s);
	ck_assert_ptr_null(spool_reader_next(&rd));
	spool_reader_close(&rd);
	ck_assert_int_eq(spool_fault(&s, msg, sizeof msg), EBADF);
	ck_assert_ptr_nonnull(strstr(msg, "cannot read a temporary file in "));
	spool_free(&s);
}
END_TEST

/* Adds n items in key order (every key once, bar a few repeats). */
static void fill_sorted(struct spool *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct item it = {.key = (uint32_t)(i - i % 7 / 6), .seq = (uint32_t)i};
		memset(it.pad, 'a' + (int)(i % 26), sizeof it.pad);
		spool_add(s, (struct spool_key){it.key, 0}, &it);
	}
}

/* Memory comes in blocks of 2 MiB (mem-blocks.h): 32 768 of these 64-byte entries to a block. */
START_TEST(test_spool_in_memory_over_many_blocks)
{
	struct spool s;
	spool_init(&s, sizeof(struct item), 32u << 20);
	fill(&s, 150000, 5000); /* five blocks, keys out of order: sorted across blocks */
	spool_seal(&s);
	ck_assert(!spool_spilled(&s));
	assert_ordered(&s, 150000);
	spool_free(&s);
	spool_init(&s, sizeof(struct item), 32u << 20);
	fill_sorted(&s, 100000);
	spool_seal(&s);
	assert_ordered(&s, 100000);
	spool_free(&s);
}
END_TEST

/* A budget of several blocks: each run is written from several blocks, in order or sorted first. */
START_TEST(test_spool_spills_from_many_blocks)
{
	struct spool s;
	spool_init(&s, sizeof(struct item), 5u << 20); /* 81 920 entries: three blocks, the last in part */
	fill(&s, 300000, 20000);
	spool_seal(&s);
	ck_assert(spool_spilled(&s));
	ck_assert_uint_eq(s.nruns, 4);
	assert_ordered(&s, 300000);
	spool_free(&s);
	spool_init(&s, sizeof(struct item), 5u << 20);
	fill_sorted(&s, 200000);
	spool_seal(&s);
	ck_assert_uint_eq(s.nruns, 3);
	assert_ordered(&s, 200000);
	spool_free(&s);
}
END_TEST

START_TEST(test_spool_sorted_input_and_empty)
{
	struct spool s;
	spool_init(&s, sizeof(struct item), 1);
	spool_seal(&s);
	struct spool_reader rd;
	spool_reader_open(&rd, &s);
	ck_assert_ptr_null(spool_reader_next(&rd));
	spool_reader_close(&rd);
	spool_free(&s);
	/* one entry per run, keys already in order */
	spool_init(&s, sizeof(struct item), 1);
	for (uint32_t i = 0; i < 50; i++) {
		struct item it = {.key = i, .seq = i};
		memset(it.pad, 'a' + (int)(i % 26), sizeof it.pad);
		spool_add(&s, (struct spool_key){i, 0}, &it);
	}
	spool_seal(&s);
	ck_assert_uint_eq(s.nruns, 50);
	assert_ordered(&s, 50);
	spool_free(&s);
}
END_TEST

/* The frames of a report's findings in report order. */
static void report_frames(const char *budget, uint64_t *frames, size_t n)
{
	static const uint64_t added[] = {5, 3, 9, 0, 2, 7, 2, 0, 1};
	setenv("TCPSCOPE_REPORT_MEMORY", budget, 1);
	struct report r;
	report_init(&r, "hand-made");
	for (size_t i = 0; i < sizeof added / sizeof added[0]; i++) {
		struct finding f = {.frame = added[i], .flow = (uint32_t)i, .id = F_SEQ_OUT_OF_WINDOW};
		report_add_finding(&r, &f);
	}
	struct engine_stats stats = {0};
	report_finish(&r, &stats);
	unsetenv("TCPSCOPE_REPORT_MEMORY");
	struct report_reader rd;
	const struct finding *f;
	size_t i = 0;
	report_read_findings(&r, &rd);
	while ((f = report_next_finding(&rd)) && i < n)
		frames[i++] = (uint64_t)f->flow; /* the order added, to tell equal frames apart */
	report_reader_close(&rd);
	ck_assert_uint_eq(i, n);
	report_free(&r);
}

START_TEST(test_report_finding_order)
{
	/*
	 * By frame, equal frames in the order made, and a capture-wide finding
	 * (frame 0) after everything made before it: 3 5 9 | 0 | 2 2 7 | 0 | 1.
	 */
	static const uint64_t want[] = {1, 0, 2, 3, 4, 6, 5, 7, 8};
	uint64_t in_memory[9], spilled[9];
	report_frames("1000000", in_memory, 9);
	report_frames("1", spilled, 9);
	for (int i = 0; i < 9; i++) {
		ck_assert_uint_eq(in_memory[i], want[i]);
		ck_assert_uint_eq(spilled[i], want[i]);
	}
}
END_TEST

/* ---- The per-flow findings cap --------------------------------------------- */

struct cap_run {
	uint32_t emitted[3];
	struct flow_summary flow;
	int nflows;
};

static void cap_finding(void *ctx, const struct finding *f)
{
	struct cap_run *r = ctx;
	r->emitted[finding_info(f->id)->severity]++;
}

static void cap_flow(void *ctx, const struct flow_summary *s)
{
	struct cap_run *r = ctx;
	r->flow = *s;
	r->nflows++;
}

/* One flow whose client sends SYN+FIN segments (tcp.flags.illegal, an error each), again and again. */
static void run_illegal_flags(uint32_t cap, int segments, struct cap_run *r)
{
	struct scenario sc;
	struct engine_config cfg;
	scenario_init(&sc);
	engine_config_default(&cfg);
	cfg.max_findings_per_flow = cap;
	memset(r, 0, sizeof *r);
	struct engine_sink sink = {.ctx = r, .finding = cap_finding, .flow_end = cap_flow};
	struct engine *e = engine_new(&cfg, &sink);
	scenario_feed(&sc, e, "> S 0:0(0) win 65535 <mss 1460>");
	scenario_feed(&sc, e, "< S. 0:0(0) ack 1 win 65535 <mss 1460>");
	scenario_feed(&sc, e, "> . 1:1(0) ack 1 win 65535");
	for (int i = 0; i < segments; i++)
		scenario_feed(&sc, e, "> SF 1:1(0) win 65535");
	engine_finish(e);
	engine_free(e);
	ck_assert_int_eq(r->nflows, 1);
}

START_TEST(test_findings_cap)
{
	struct cap_run unlimited, capped;
	run_illegal_flags(0, 300, &unlimited);
	run_illegal_flags(20, 300, &capped);
	uint32_t dropped = 0;
	bool over_cap = false;
	for (int sev = 0; sev < 3; sev++) {
		/* the counts in the flow object count every finding, kept or not */
		ck_assert_uint_eq(capped.flow.findings[sev], unlimited.flow.findings[sev]);
		ck_assert_uint_eq(unlimited.emitted[sev], unlimited.flow.findings[sev]);
		uint32_t made = capped.flow.findings[sev];
		ck_assert_uint_eq(capped.emitted[sev], made < 20 ? made : 20);
		dropped += made > 20 ? made - 20 : 0;
		over_cap |= made >= 300;
	}
	ck_assert_msg(over_cap, "the scenario no longer makes a finding per segment");
	ck_assert_uint_eq(capped.flow.findings_dropped, dropped);
	ck_assert_uint_eq(unlimited.flow.findings_dropped, 0);
	/* the default cap */
	struct engine_config cfg;
	engine_config_default(&cfg);
	ck_assert_uint_eq(cfg.max_findings_per_flow, ENGINE_MAX_FINDINGS_PER_FLOW);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("limits");
	TCase *tc = tcase_create("spool");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_spool_in_memory);
	tcase_add_test(tc, test_spool_spilled);
	tcase_add_test(tc, test_spool_fault_creating);
	tcase_add_test(tc, test_spool_fault_reading);
	tcase_add_test(tc, test_spool_in_memory_over_many_blocks);
	tcase_add_test(tc, test_spool_spills_from_many_blocks);
	tcase_add_test(tc, test_spool_sorted_input_and_empty);
	tcase_add_test(tc, test_report_finding_order);
	suite_add_tcase(s, tc);
	tc = tcase_create("findings cap");
	tcase_add_test(tc, test_findings_cap);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
