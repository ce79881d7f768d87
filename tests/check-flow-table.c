/*
 * check-flow-table.c - unit suite for canonical flow keys (src/flow-key.c),
 * which flows an engine analyses (src/flow-set.c), the flow table
 * (src/flow-table.c) and the engine's flow lifecycle: ids in
 * order of first packet, client/server decisions (SPEC §4.1), memory
 * bounded by --max-flows under a SYN flood, and where flows and their
 * summaries live (mem-blocks.h, mem-slab.h).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine.h"
#include "flow-set.h"
#include "flow-table.h"
#include "flow.h"
#include "mem-blocks.h"
#include "report-spool.h"
#include "scenario.h"

static struct packet make_packet(uint8_t src_last, uint16_t sport, uint8_t dst_last, uint16_t dport)
{
	struct packet p;
	memset(&p, 0, sizeof p);
	p.ip_version = 4;
	p.src[0] = 10;
	p.src[3] = src_last;
	p.dst[0] = 10;
	p.dst[3] = dst_last;
	p.sport = sport;
	p.dport = dport;
	return p;
}

START_TEST(test_key_is_canonical)
{
	struct packet a = make_packet(1, 40000, 2, 80), b = make_packet(2, 80, 1, 40000);
	struct flow_key ka, kb;
	bool a_lower = flow_key_from_packet(&a, &ka);
	bool b_lower = flow_key_from_packet(&b, &kb);
	ck_assert(flow_key_equal(&ka, &kb));
	ck_assert(a_lower != b_lower);
	ck_assert_uint_eq(flow_key_hash(&ka, 7), flow_key_hash(&kb, 7));
	ck_assert_uint_eq(flow_key_shard_hash(&ka), flow_key_shard_hash(&kb));
	/* Same addresses, other port: another key. */
	struct packet c = make_packet(1, 40001, 2, 80);
	struct flow_key kc;
	flow_key_from_packet(&c, &kc);
	ck_assert(!flow_key_equal(&ka, &kc));
	/* The seed changes the table hash but never the shard hash. */
	ck_assert_uint_ne(flow_key_hash(&ka, 1), flow_key_hash(&ka, 2));
}
END_TEST

/* The shortcuts of the shard hash (split reports use them per frame) are the hash of the key, either way round. */
START_TEST(test_shard_hash_ipv4_is_the_key_hash)
{
	srand(9293);
	for (int i = 0; i < 100000; i++) {
		/* Few distinct addresses and ports, so that equal addresses and equal ports come up often. */
		uint32_t a = 0x0a000000u | (uint32_t)(rand() % 4), b = 0x0a000000u | (uint32_t)(rand() % 4);
		uint16_t pa = (uint16_t)(rand() % 3 ? rand() % 4 : rand()), pb = (uint16_t)(rand() % 4);
		uint8_t src[16] = {0}, dst[16] = {0};
		for (int k = 0; k < 4; k++) {
			src[k] = (uint8_t)(a >> (24 - 8 * k));
			dst[k] = (uint8_t)(b >> (24 - 8 * k));
		}
		struct flow_key key;
		flow_key_from_endpoints(src, pa, dst, pb, 4, &key);
		uint64_t h = flow_key_shard_hash(&key);
		ck_assert_uint_eq(flow_key_shard_hash_ipv4(a, pa, b, pb), h);
		ck_assert_uint_eq(flow_key_shard_hash_endpoints(src, pa, dst, pb, 4), h);
		ck_assert_uint_eq(flow_key_shard_hash_endpoints(dst, pb, src, pa, 4), h);
	}
}
END_TEST

/*
 * Flow sets (flow-set.h): the shards of --shard, each dealt in parts to
 * threads, hold every flow exactly once, and one set alone raises the
 * findings of no flow.
 */
START_TEST(test_flow_sets_hold_every_flow_once)
{
	struct flow_set all = flow_set_all();
	ck_assert(!flow_set_is_partial(&all));
	ck_assert(flow_set_has_capture_wide(&all));
	static const uint32_t counts[] = {1, 2, 3, 5};
	srand(793);
	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		struct flow_set sets[5 * 3];
		size_t nsets = 0, wide = 0;
		for (uint32_t i = 0; i < counts[c]; i++)
			for (int t = 0; t < 3; t++) { /* three threads: thread t takes the parts p % 3 == t */
				struct flow_set *s = &sets[nsets++];
				*s = (struct flow_set){.shard_index = i, .shard_count = counts[c]};
				for (int p = t; p < FLOW_SET_PARTS; p += 3)
					s->parts |= (uint64_t)1 << p;
				ck_assert(flow_set_is_partial(s));
				wide += flow_set_has_capture_wide(s);
			}
		ck_assert_uint_eq(wide, 1);
		for (int k = 0; k < 10000; k++) {
			uint64_t h = (uint64_t)rand() << 32 ^ (uint64_t)rand();
			size_t holders = 0;
			for (size_t s = 0; s < nsets; s++)
				holders += flow_set_has_hash(&sets[s], h);
			ck_assert_uint_eq(holders, 1);
			ck_assert(flow_set_has_hash(&all, h));
		}
	}
}
END_TEST

START_TEST(test_table_add_find_remove_grow)
{
	enum { N = 5000 };
	struct flow_table *t = flow_table_new(42);
	struct flow **flows = calloc(N, sizeof *flows);
	for (int i = 0; i < N; i++) {
		struct packet p = make_packet(1, (uint16_t)(1024 + i), 2, 80);
		flows[i] = flow_table_new_flow(t);
		flows[i]->id = (uint32_t)i + 1;
		flow_key_from_packet(&p, &flows[i]->key);
		flow_table_add(t, flows[i]);
	}
	ck_assert_uint_eq(flow_table_count(t), N);
	for (int i = 0; i < N; i += 97) {
		struct packet p = make_packet(2, 80, 1, (uint16_t)(1024 + i)); /* the reverse direction */
		struct flow_key k;
		flow_key_from_packet(&p, &k);
		ck_assert_ptr_eq(flow_table_find(t, &k), flows[i]);
	}
	ck_assert_ptr_eq(flow_table_oldest(t), flows[0]);
	flow_table_touch(t, flows[0]);
	ck_assert_ptr_eq(flow_table_oldest(t), flows[1]);
	flow_table_remove(t, flows[1]);
	flow_table_release_flow(t, flows[1]);
	ck_assert_ptr_eq(flow_table_oldest(t), flows[2]);
	ck_assert_uint_eq(flow_table_count(t), N - 1);
	struct packet gone = make_packet(1, 1025, 2, 80);
	struct flow_key k;
	flow_key_from_packet(&gone, &k);
	ck_assert_ptr_null(flow_table_find(t, &k));
	flow_table_free(t); /* frees the flows it still holds */
	free(flows);
}
END_TEST

/* ---- engine lifecycle --------------------------------------------------- */

/* An engine (with --max-flows max_flows, 0 for none) whose ended flows go to flow_end(ctx), and a new scenario sc to
 * feed it. */
static struct engine *engine_for_test(size_t max_flows, void (*flow_end)(void *ctx, const struct flow_summary *s),
				      void *ctx, struct scenario *sc)
{
	struct engine_config cfg;
	engine_config_default(&cfg);
	cfg.max_flows = max_flows;
	struct engine_sink sink = {.ctx = ctx, .flow_end = flow_end};
	scenario_init(sc);
	return engine_new(&cfg, &sink);
}

struct collected {
	uint32_t ids[64];
	int n;
	struct flow_summary last;
	bool out_of_order; /* a flow ended before one with a lower id */
};

static void collect(void *ctx, const struct flow_summary *s)
{
	struct collected *c = ctx;
	if (c->n < 64)
		c->ids[c->n] = s->id;
	if (c->n > 0 && s->id < c->last.id)
		c->out_of_order = true;
	c->n++;
	c->last = *s;
}

START_TEST(test_ids_in_order_of_first_packet)
{
	struct collected c = {0};
	struct scenario sc;
	struct engine *e = engine_for_test(0, collect, &c, &sc);
	for (int i = 0; i < 20; i++) {
		sc.client_port = (uint16_t)(50000 - i * 7); /* ports not in id order */
		scenario_feed(&sc, e, "> S 0:0(0) win 65535");
	}
	engine_finish(e);
	engine_free(e);
	ck_assert_int_eq(c.n, 20);
	for (int i = 0; i < 20; i++)
		ck_assert_uint_eq(c.ids[i], (uint32_t)i + 1);
}
END_TEST

/* Flows still open at the end of input end in id order, also when ids take three bytes (engine_finish sorts them by
 * byte). */
START_TEST(test_open_flows_end_in_id_order)
{
	enum { FLOWS = 70000 };
	struct collected c = {0};
	struct scenario sc;
	struct engine *e = engine_for_test(0, collect, &c, &sc);
	for (int i = 0; i < FLOWS; i++) {
		sc.client_port = (uint16_t)(1024 + i % 60000);
		sc.client_addr[3] = (uint8_t)(i / 60000 + 1);
		scenario_feed(&sc, e, "+0.00001 > S 0:0(0) win 65535");
	}
	ck_assert_int_eq(c.n, 0); /* all still open: 0.7 s of capture time */
	engine_finish(e);
	engine_free(e);
	ck_assert_int_eq(c.n, FLOWS);
	ck_assert_msg(!c.out_of_order, "open flows ended out of id order");
	ck_assert_uint_eq(c.ids[0], 1);
	ck_assert_uint_eq(c.last.id, FLOWS);
}
END_TEST

START_TEST(test_client_decisions)
{
	static const struct {
		const char *first;
		uint16_t client_port; /* the scenario's client port unless the engine decides otherwise */
		bool guessed;
	} cases[] = {
		{"> S 0:0(0) win 65535", 40000, false},
		{"< S. 0:0(0) ack 1 win 65535", 40000, false}, /* receiver of a first SYN-ACK */
		{"> . 1:1(0) ack 1 win 502", 40000, true},     /* sender of the first packet */
		{"< . 1:1(0) ack 1 win 502", 40000, true},     /* server port 80 < 1024: the sender is the server */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct collected c = {0};
		struct scenario sc;
		struct engine *e = engine_for_test(0, collect, &c, &sc);
		scenario_feed(&sc, e, cases[i].first);
		engine_finish(e);
		engine_free(e);
		ck_assert_int_eq(c.n, 1);
		ck_assert_msg(c.last.port[0] == cases[i].client_port, "case %zu: client port %u", i, c.last.port[0]);
		ck_assert_int_eq(c.last.direction_guessed, cases[i].guessed);
	}
}
END_TEST

START_TEST(test_max_flows_bounds_a_syn_flood)
{
	struct collected c = {0};
	struct scenario sc;
	struct engine *e = engine_for_test(100, collect, &c, &sc);
	struct engine_stats st;
	for (int i = 0; i < 10000; i++) {
		sc.client_port = (uint16_t)(1024 + i % 60000);
		sc.client_addr[3] = (uint8_t)(i / 60000 + 1);
		scenario_feed(&sc, e, "+0.0001 > S 0:0(0) win 65535");
		engine_get_stats(e, &st);
		ck_assert_uint_le(st.flows_active, 100);
	}
	ck_assert_uint_eq(st.flows_total, 10000);
	ck_assert_uint_eq(st.flows_evicted, 9900);
	ck_assert_int_eq(c.n, 9900);
	engine_finish(e);
	engine_free(e);
	ck_assert_int_eq(c.n, 10000);
}
END_TEST

static void note_first_flow_end(void *ctx, const struct flow_summary *s)
{
	bool *ended = ctx;
	if (s->id == 1)
		*ended = true;
}

START_TEST(test_syn_flood_evicts_half_open_first)
{
	/* An established connection, idle while a SYN flood fills the table, is not the one evicted. */
	bool ended = false;
	struct scenario sc;
	struct engine *e = engine_for_test(100, note_first_flow_end, &ended, &sc);
	scenario_feed(&sc, e, "> S 0:0(0) win 65535");
	scenario_feed(&sc, e, "< S. 0:0(0) ack 1 win 65535");
	scenario_feed(&sc, e, "> . 1:1(0) ack 1 win 502");
	for (int i = 0; i < 1000; i++) {
		sc.client_port = (uint16_t)(41000 + i);
		scenario_feed(&sc, e, "+0.001 > S 0:0(0) win 65535");
	}
	struct engine_stats st;
	engine_get_stats(e, &st);
	ck_assert_uint_eq(st.flows_evicted, 901);
	ck_assert_uint_eq(st.flows_peak, 100);
	ck_assert(!ended);
	engine_finish(e);
	engine_free(e);
	ck_assert(ended);
}
END_TEST

/* When each flow ended, in seconds of capture time, by the engine_expire() call that ended it. */
struct ended_at {
	int64_t now_s;	 /* the call being made */
	int64_t when[8]; /* by flow id; 0: not ended */
};

static void note_end_time(void *ctx, const struct flow_summary *s)
{
	struct ended_at *a = ctx;
	if (s->id < 8 && !a->when[s->id])
		a->when[s->id] = a->now_s;
}

static void note_client_state(void *ctx, const struct flow_summary *s)
{
	if (s->id == 3)
		*(enum tcp_state *)ctx = s->state[0];
}

/*
 * Batch expiry, with engine_expire() called every second as engine_packet()
 * does: a half-open flow ends 180 s after its last packet, a closed one 2*MSL
 * after its last packet, and a TIME-WAIT end moves its endpoint to CLOSED on
 * time even in a flow that never ends; however often the engine looks
 * between (it skips flows that cannot change yet), never sooner nor later.
 */
START_TEST(test_expiry_times)
{
	struct ended_at a = {0};
	struct scenario sc;
	struct engine *e = engine_for_test(0, note_end_time, &a, &sc);
	int64_t t0 = sc.time_ns / 1000000000;
	/* Flow 1: a SYN, and again 100 s later: half-open until 280 s after t0. */
	scenario_feed(&sc, e, "+0 > S 0:0(0) win 65535");
	/* Flow 2: a clean close by the client at t0: TIME-WAIT and the 2*MSL idle rule end it 60 s later. */
	sc.client_port = 40001;
	static const char *const closing[] = {"+0 > S 0:0(0) win 65535",      "+0 < S. 0:0(0) ack 1 win 65535",
					      "+0 > . 1:1(0) ack 1 win 502",  "+0 > F. 1:1(0) ack 1 win 502",
					      "+0 < F. 1:1(0) ack 2 win 502", "+0 > . 2:2(0) ack 2 win 502"};
	for (size_t i = 0; i < 6; i++)
		scenario_feed(&sc, e, closing[i]);
	/* Flow 3: the client closes, its last ACK is not captured: the server stays in LAST-ACK, the flow never ends.
	 */
	sc.client_port = 40002;
	for (size_t i = 0; i < 5; i++)
		scenario_feed(&sc, e, closing[i]);
	enum tcp_state client = TCPS_UNKNOWN;
	for (int64_t s = 1; s <= 400; s++) {
		a.now_s = t0 + s;
		if (s == 100) {
			sc.client_port = 40000;
			sc.time_ns = (t0 + s) * 1000000000;
			scenario_feed(&sc, e, "+0 > S 0:0(0) win 65535");
		}
		engine_expire(e, a.now_s * 1000000000);
		if (s == 59 || s == 61) {
			engine_foreach_open_flow(e, note_client_state, &client);
			ck_assert_int_eq(client, s == 59 ? TCPS_TIME_WAIT : TCPS_CLOSED);
		}
	}
	ck_assert_int_eq(a.when[1] - t0, 280);
	ck_assert_int_eq(a.when[2] - t0, 60);
	ck_assert_int_eq(a.when[3], 0);
	engine_finish(e);
	engine_free(e);
}
END_TEST

START_TEST(test_closed_flows_leave_memory)
{
	/* Batch mode: a closed flow is handed out once TIME-WAIT (2*MSL) is over. */
	struct collected c = {0};
	struct scenario sc;
	struct engine *e = engine_for_test(0, collect, &c, &sc);
	static const char *const conn[] = {"> S 0:0(0) win 65535",	"< S. 0:0(0) ack 1 win 65535",
					   "> . 1:1(0) ack 1 win 502",	"> F. 1:1(0) ack 1 win 502",
					   "< F. 1:1(0) ack 2 win 502", "> . 2:2(0) ack 2 win 502"};
	for (size_t i = 0; i < 6; i++)
		scenario_feed(&sc, e, conn[i]);
	struct engine_stats st;
	engine_get_stats(e, &st);
	ck_assert_uint_eq(st.flows_active, 1);
	sc.client_port = 40001;
	scenario_feed(&sc, e, "+61 > S 0:0(0) win 65535"); /* another flow, 61 s later */
	engine_get_stats(e, &st);
	ck_assert_uint_eq(st.flows_active, 1);
	ck_assert_int_eq(c.n, 1);
	ck_assert_str_eq(c.last.close, "fin");
	ck_assert_int_eq(c.last.state[0], TCPS_CLOSED); /* TIME-WAIT ran out */
	engine_finish(e);
	engine_free(e);
}
END_TEST

/* The flows' memory (mem-blocks.h, mem-slab.h). */

START_TEST(test_block_cache_hands_back_what_it_got)
{
	bool fresh;
	void *a = block_get(&fresh);
	ck_assert(fresh);
	ck_assert_uint_eq((uintptr_t)a % BLOCK_BYTES, 0);
	memset(a, 0x5a, BLOCK_BYTES);
	block_put(a);
	void *b = block_get(&fresh);
	ck_assert_ptr_eq(a, b);
	ck_assert(!fresh);
	block_put(b);
}
END_TEST

static void *cache_one_block(void *arg)
{
	(void)arg;
	void *block = block_get(NULL);
	block_put(block);
	return block;
}

/* A thread's cached blocks serve the other threads once it has ended. */
START_TEST(test_block_cache_hands_over_when_its_thread_ends)
{
	pthread_t thread;
	void *block;
	ck_assert_int_eq(pthread_create(&thread, NULL, cache_one_block, NULL), 0);
	ck_assert_int_eq(pthread_join(thread, &block), 0);
	bool fresh;
	void *again = block_get(&fresh);
	ck_assert_ptr_eq(again, block);
	ck_assert(!fresh);
	block_put(again);
}
END_TEST

/* Past the thread's and the shared cache, blocks go back to the system. */
START_TEST(test_block_cache_is_bounded)
{
	enum { N = 64 };
	void *blocks[N];
	for (int i = 0; i < N; i++)
		blocks[i] = block_get(NULL);
	for (int i = 0; i < N; i++)
		block_put(blocks[i]);
	size_t unmapped = 0;
	for (int i = 0; i < N; i++) {
		errno = 0;
		/* msync() on memory no longer mapped fails with ENOMEM. */
		unmapped += msync(blocks[i], BLOCK_BYTES, MS_ASYNC) == -1 && errno == ENOMEM;
	}
	ck_assert_uint_eq(unmapped, N - BLOCK_CACHE_PER_THREAD - BLOCK_CACHE_SHARED);
	size_t recycled = 0;
	bool fresh;
	for (int i = 0; i < N; i++) {
		blocks[i] = block_get(&fresh);
		recycled += !fresh;
	}
	ck_assert_uint_eq(recycled, BLOCK_CACHE_PER_THREAD + BLOCK_CACHE_SHARED);
	for (int i = 0; i < N; i++)
		block_put(blocks[i]);
}
END_TEST

/* A flow as one in use leaves its slot: no byte zero, but no buffer to free. */
static void scribble(struct flow *f)
{
	memset(f, 0xa5, sizeof *f);
	f->label_counts = NULL;
	for (int side = 0; side < 2; side++) {
		f->ep[side].rtt_ring = NULL;
		f->zeek.ep[side].pending = NULL;
	}
}

/* New flows read as zeros, in slabs made of blocks that held something else and in slots given back. */
START_TEST(test_flows_are_zeroed_in_recycled_memory)
{
	void *blocks[3];
	for (int i = 0; i < 3; i++) {
		blocks[i] = block_get(NULL);
		memset(blocks[i], 0xa5, BLOCK_BYTES);
	}
	for (int i = 0; i < 3; i++)
		block_put(blocks[i]);
	struct flow_table *t = flow_table_new(1);
	enum { N = 4000 }; /* more than one slab */
	static struct flow *flows[N];
	static const struct flow zero;
	for (int i = 0; i < N; i++) {
		flows[i] = flow_table_new_flow(t);
		ck_assert_int_eq(memcmp(flows[i], &zero, sizeof zero), 0);
		scribble(flows[i]);
	}
	for (int i = 0; i < N; i += 2)
		flow_table_release_flow(t, flows[i]);
	for (int i = 0; i < N; i += 2) {
		flows[i] = flow_table_new_flow(t);
		ck_assert_int_eq(memcmp(flows[i], &zero, sizeof zero), 0);
	}
	for (int i = 0; i < N; i++) {
		scribble(flows[i]);
		flow_table_release_flow(t, flows[i]);
	}
	flow_table_free(t);
}
END_TEST

static uintptr_t block_of(const void *p)
{
	return (uintptr_t)p & ~(uintptr_t)(BLOCK_BYTES - 1);
}

/*
 * At the end of input the flows end in id order, each summary stored as its
 * flow is let go: the summaries' store takes one new block, and then the
 * blocks of the slabs that emptied, memory already faulted in (the test
 * tells them from new memory mapped at the same address by what they hold).
 */
START_TEST(test_summaries_reuse_the_flows_memory)
{
	struct flow_table *t = flow_table_new(1);
	enum { N = 12000 }; /* some seven slabs of flows, three blocks of summaries */
	static struct flow *flows[N];
	uintptr_t slabs[16];
	size_t nslabs = 0;
	for (int i = 0; i < N; i++) {
		flows[i] = flow_table_new_flow(t);
		if (!nslabs || slabs[nslabs - 1] != block_of(flows[i])) {
			ck_assert_uint_lt(nslabs, 16);
			slabs[nslabs++] = block_of(flows[i]);
		}
	}
	struct spool summaries;
	spool_init(&summaries, sizeof(struct flow_summary), 32u << 20);
	for (int i = 0; i < N; i++) {
		struct flow_summary s = {.id = (uint32_t)i + 1, .first_frame = (uint64_t)i + 1};
		spool_add(&summaries, (struct spool_key){s.first_frame, 0}, &s);
		scribble(flows[i]);
		flow_table_release_flow(t, flows[i]);
	}
	spool_seal(&summaries);
	/* Not new memory at the same address: the last block, past its summaries, still holds flows. */
	ck_assert_uint_eq(summaries.nblocks, 3);
	const unsigned char *last = summaries.blocks[2];
	size_t used = (N - 2 * summaries.per_block) * summaries.entry_size, scribbled = 0;
	for (size_t at = used; at < BLOCK_BYTES; at++)
		scribbled += last[at] == 0xa5;
	ck_assert_uint_gt(scribbled, BLOCK_BYTES / 8);
	struct spool_reader rd;
	spool_reader_open(&rd, &summaries);
	const struct flow_summary *s;
	size_t n = 0, past_first_block = 0, in_slabs = 0;
	uintptr_t first = 0;
	while ((s = spool_reader_next(&rd))) {
		ck_assert_uint_eq(s->id, ++n);
		if (n == 1)
			first = block_of(s);
		if (block_of(s) == first)
			continue;
		past_first_block++;
		for (size_t k = 0; k < nslabs; k++)
			in_slabs += block_of(s) == slabs[k];
	}
	spool_reader_close(&rd);
	ck_assert_uint_eq(n, N);
	ck_assert_uint_gt(past_first_block, N / 2);
	ck_assert_uint_eq(in_slabs, past_first_block);
	spool_free(&summaries);
	flow_table_free(t);
}
END_TEST

static Suite *flow_table_suite(void)
{
	Suite *s = suite_create("flow-table");
	TCase *tc = tcase_create("keys and table");
	tcase_add_test(tc, test_key_is_canonical);
	tcase_add_test(tc, test_shard_hash_ipv4_is_the_key_hash);
	tcase_add_test(tc, test_flow_sets_hold_every_flow_once);
	tcase_add_test(tc, test_table_add_find_remove_grow);
	suite_add_tcase(s, tc);
	tc = tcase_create("lifecycle");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ids_in_order_of_first_packet);
	tcase_add_test(tc, test_open_flows_end_in_id_order);
	tcase_add_test(tc, test_client_decisions);
	tcase_add_test(tc, test_max_flows_bounds_a_syn_flood);
	tcase_add_test(tc, test_syn_flood_evicts_half_open_first);
	tcase_add_test(tc, test_expiry_times);
	tcase_add_test(tc, test_closed_flows_leave_memory);
	suite_add_tcase(s, tc);
	tc = tcase_create("memory");
	tcase_add_test(tc, test_block_cache_hands_back_what_it_got);
	tcase_add_test(tc, test_block_cache_hands_over_when_its_thread_ends);
	tcase_add_test(tc, test_block_cache_is_bounded);
	tcase_add_test(tc, test_flows_are_zeroed_in_recycled_memory);
	tcase_add_test(tc, test_summaries_reuse_the_flows_memory);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(flow_table_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
