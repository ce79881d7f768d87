/*
 * check-pcapng.c - Check suite for the pcapng reader (src/capture-pcapng.c)
 * as the capture layer uses it.
 *
 * Every file is written here block by block with small helpers (in either
 * byte order), never pasted as hex: several interfaces with different link
 * types and timestamp resolutions (10^-6, 10^-9, 2^-20 with an offset), more
 * than one section, Simple and obsolete Packet Blocks, unknown blocks to skip,
 * a file cut inside a block or a block header, invalid blocks (bad lengths,
 * options past the block), 10 000 options in one block, strings with escape
 * sequences that must not reach a report raw, and a filter compiled per link
 * type. Records are checked through capture_next() (frames, timestamps to
 * the nanosecond, link types) and through report_run_file() with a sink that
 * sees the decoded TCP fields. Files go to a temporary directory, or through
 * a pipe to exercise the non-seekable path.
 */
#include "config.h"

#include <check.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "engine.h"
#include "output.h"
#include "report-run.h"
#include "scenario.h"

enum {
	LT_ETHERNET = 1,
	LT_RAW = 101,
	LT_LINUX_SLL = 113,
	LT_USER0 = 147,
	TS_BASE = 1700000000, /* seconds */
};

/* ---- writing pcapng ------------------------------------------------------ */

struct ng {
	uint8_t b[1 << 18];
	size_t len;
	bool be; /* byte order of the section being written */
};

static void ng_u8(struct ng *w, uint8_t v)
{
	ck_assert_uint_lt(w->len, sizeof w->b);
	w->b[w->len++] = v;
}

static void ng_u16(struct ng *w, uint16_t v)
{
	ng_u8(w, (uint8_t)(w->be ? v >> 8 : v));
	ng_u8(w, (uint8_t)(w->be ? v : v >> 8));
}

static void ng_u32(struct ng *w, uint32_t v)
{
	ng_u16(w, (uint16_t)(w->be ? v >> 16 : v));
	ng_u16(w, (uint16_t)(w->be ? v : v >> 16));
}

static void ng_u64(struct ng *w, uint64_t v)
{
	ng_u32(w, (uint32_t)(w->be ? v >> 32 : v));
	ng_u32(w, (uint32_t)(w->be ? v : v >> 32));
}

/* Bytes, then zero padding to 32 bits. */
static void ng_bytes(struct ng *w, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ng_u8(w, p ? p[i] : 0);
	while (w->len % 4)
		ng_u8(w, 0);
}

static size_t ng_begin(struct ng *w, uint32_t type)
{
	size_t at = w->len;
	ng_u32(w, type);
	ng_u32(w, 0); /* total length, patched by ng_end */
	return at;
}

static void ng_end(struct ng *w, size_t at)
{
	uint32_t total = (uint32_t)(w->len - at + 4);
	ng_u32(w, total);
	size_t end = w->len;
	w->len = at + 4;
	ng_u32(w, total);
	w->len = end;
}

static void ng_option(struct ng *w, uint16_t code, const uint8_t *p, uint16_t n)
{
	ng_u16(w, code);
	ng_u16(w, n);
	ng_bytes(w, p, n);
}

static void ng_shb(struct ng *w, bool be)
{
	w->be = be;
	size_t at = ng_begin(w, 0x0a0d0d0a);
	ng_u32(w, 0x1a2b3c4d);
	ng_u16(w, 1);
	ng_u16(w, 0);
	ng_u64(w, UINT64_MAX); /* section length unknown */
	ng_end(w, at);
}

/* An interface block up to its options; returns where it starts, for ng_end. */
static size_t ng_idb_begin(struct ng *w, uint16_t linktype, uint32_t snaplen)
{
	size_t at = ng_begin(w, 1);
	ng_u16(w, linktype);
	ng_u16(w, 0);
	ng_u32(w, snaplen);
	return at;
}

/* An interface; tsresol < 0 leaves if_tsresol out (microseconds), tsoffset 0 leaves if_tsoffset out. */
static void ng_idb(struct ng *w, uint16_t linktype, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
	size_t at = ng_idb_begin(w, linktype, snaplen);
	static const uint8_t name[] = "eth0";
	ng_option(w, 2, name, 4); /* if_name: an option the reader ignores */
	if (tsresol >= 0) {
		uint8_t r = (uint8_t)tsresol;
		ng_option(w, 9, &r, 1);
	}
	if (tsoffset) {
		ng_u16(w, 14);
		ng_u16(w, 8);
		ng_u64(w, (uint64_t)tsoffset);
	}
	ng_u16(w, 0); /* opt_endofopt */
	ng_u16(w, 0);
	ng_end(w, at);
}

/* An Enhanced Packet Block up to its options; returns where it starts, for ng_end. */
static size_t ng_epb_begin(struct ng *w, uint32_t iface, uint64_t ts, const uint8_t *data, uint32_t caplen,
			   uint32_t wirelen)
{
	size_t at = ng_begin(w, 6);
	ng_u32(w, iface);
	ng_u32(w, (uint32_t)(ts >> 32));
	ng_u32(w, (uint32_t)ts);
	ng_u32(w, caplen);
	ng_u32(w, wirelen);
	ng_bytes(w, data, caplen);
	return at;
}

static void ng_epb(struct ng *w, uint32_t iface, uint64_t ts, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	ng_end(w, ng_epb_begin(w, iface, ts, data, caplen, wirelen));
}

static void ng_spb(struct ng *w, const uint8_t *data, uint32_t stored, uint32_t wirelen)
{
	size_t at = ng_begin(w, 3);
	ng_u32(w, wirelen);
	ng_bytes(w, data, stored);
	ng_end(w, at);
}

/* The obsolete Packet Block (pcapng draft, Appendix A). */
static void ng_pb(struct ng *w, uint16_t iface, uint64_t ts, const uint8_t *data, uint32_t caplen)
{
	size_t at = ng_begin(w, 2);
	ng_u16(w, iface);
	ng_u16(w, 0); /* drops */
	ng_u32(w, (uint32_t)(ts >> 32));
	ng_u32(w, (uint32_t)ts);
	ng_u32(w, caplen);
	ng_u32(w, caplen);
	ng_bytes(w, data, caplen);
	ng_end(w, at);
}

static void ng_other(struct ng *w, uint32_t type, size_t body)
{
	size_t at = ng_begin(w, type);
	ng_bytes(w, NULL, body);
	ng_end(w, at);
}

/* ---- packets ------------------------------------------------------------- */

struct frame {
	uint8_t b[256];
	uint32_t len;
};

#define SYN "> S 0:0(0) win 65535 <mss 1460>"
#define SYNACK "< S. 0:0(0) ack 1 win 65535 <mss 1460>"
#define ACK3 "> . 1:1(0) ack 1 win 502"
#define DATA "> P. 1:101(100) ack 1 win 502"

/* One scenario line framed for a link type: Ethernet as scenario_frame() builds it, or its IP packet re-framed. */
static struct frame frame_for(struct scenario *sc, const char *line, int linktype)
{
	struct frame eth = {.len = 0}, f = {.len = 0};
	eth.len = (uint32_t)scenario_frame(sc, line, eth.b, sizeof eth.b, NULL);
	const uint8_t *ip = eth.b + 14;
	uint32_t iplen = eth.len - 14;
	switch (linktype) {
	case LT_ETHERNET:
		return eth;
	case LT_RAW:
		memcpy(f.b, ip, iplen);
		f.len = iplen;
		return f;
	case LT_LINUX_SLL: {
		static const uint8_t sll[16] = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00};
		memcpy(f.b, sll, sizeof sll);
		memcpy(f.b + sizeof sll, ip, iplen);
		f.len = iplen + (uint32_t)sizeof sll;
		return f;
	}
	default:
		memcpy(f.b, eth.b, eth.len);
		f.len = eth.len;
		return f;
	}
}

/* ---- reading ------------------------------------------------------------- */

static char tmpdir[64];

static const char *write_file(const struct ng *w, const char *name, size_t len)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(w->b, 1, len, f), len);
	fclose(f);
	return path;
}

static struct capture *open_ng(const struct ng *w, const char *filter)
{
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct capture *cap = capture_open_file(write_file(w, "t.pcapng", w->len), filter, err, sizeof err);
	ck_assert_msg(cap != NULL, "open failed: %s", err);
	return cap;
}

/* Opening must fail; returns the message. */
static const char *open_fails(const struct ng *w, size_t len, const char *filter)
{
	static char err[CAPTURE_ERRBUF_SIZE];
	err[0] = '\0';
	struct capture *cap = capture_open_file(write_file(w, "t.pcapng", len), filter, err, sizeof err);
	ck_assert_msg(cap == NULL, "opened a file that should be refused");
	ck_assert_str_ne(err, "");
	return err;
}

static void expect_packet(struct capture *cap, uint64_t frame, int64_t time_ns, int linktype, uint32_t caplen)
{
	struct capture_record rec;
	enum capture_status st = capture_next(cap, &rec);
	ck_assert_msg(st == CAPTURE_PACKET, "frame %llu: status %d (%s)", (unsigned long long)frame, (int)st,
		      capture_error(cap));
	ck_assert_uint_eq(rec.frame, frame);
	ck_assert_int_eq(rec.time_ns, time_ns);
	ck_assert_int_eq(rec.linktype, linktype);
	ck_assert_uint_eq(rec.caplen, caplen);
}

/* What a report sink saw of each TCP packet. */
struct seen {
	size_t n;
	struct packet pkt[16];
};

static void seen_packet(void *ctx, const struct packet_view *v)
{
	struct seen *s = ctx;
	if (s->n < 16)
		s->pkt[s->n++] = *v->pkt;
}

static int run_report(const char *path, const char *filter, struct report *r, struct seen *seen, char *err,
		      size_t errlen)
{
	struct engine_config cfg;
	engine_config_default(&cfg);
	struct engine_sink sink = {.ctx = seen, .packet = seen_packet};
	report_init(r, path);
	return report_run_file(r, path, filter, &cfg, 1, &sink, err, errlen);
}

/*
 * The mixed file: one section, three interfaces - Ethernet in microseconds,
 * raw IP in nanoseconds with a small snaplen, Linux cooked in 2^-20 s units
 * offset by TS_BASE - and a handshake plus data spread over them.
 */
static void write_mixed(struct ng *w, bool be)
{
	struct scenario sc;
	scenario_init(&sc);
	ng_shb(w, be);
	ng_idb(w, LT_ETHERNET, 65535, -1, 0);
	ng_idb(w, LT_RAW, 128, 9, 0);
	ng_idb(w, LT_LINUX_SLL, 262144, 0x80 | 20, TS_BASE);
	struct frame f = frame_for(&sc, SYN, LT_ETHERNET);
	ng_epb(w, 0, (uint64_t)TS_BASE * 1000000 + 123456, f.b, f.len, f.len);
	f = frame_for(&sc, SYNACK, LT_RAW);
	ng_epb(w, 1, (uint64_t)TS_BASE * 1000000000 + 123456789, f.b, f.len, f.len);
	f = frame_for(&sc, ACK3, LT_LINUX_SLL);
	ng_epb(w, 2, (UINT64_C(1) << 20) + 3, f.b, f.len, f.len); /* 1 s + 3 * 2^-20 s = 2861.02 ns */
	f = frame_for(&sc, DATA, LT_RAW);
	ng_epb(w, 1, (uint64_t)TS_BASE * 1000000000 + 999999999, f.b, 100, f.len); /* cut to 100 bytes */
}

static const int64_t mixed_times[4] = {
	(int64_t)TS_BASE * 1000000000 + 123456000,
	(int64_t)TS_BASE * 1000000000 + 123456789,
	(int64_t)(TS_BASE + 1) * 1000000000 + 2861,
	(int64_t)TS_BASE * 1000000000 + 999999999,
};

static void expect_mixed(struct capture *cap)
{
	expect_packet(cap, 1, mixed_times[0], DLT_EN10MB, 58);
	expect_packet(cap, 2, mixed_times[1], DLT_RAW, 44);
	expect_packet(cap, 3, mixed_times[2], DLT_LINUX_SLL, 56);
	expect_packet(cap, 4, mixed_times[3], DLT_RAW, 100);
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(test_interfaces_and_resolutions)
{
	static struct ng w;
	memset(&w, 0, sizeof w);
	write_mixed(&w, false);
	struct capture *cap = open_ng(&w, NULL);
	ck_assert_int_eq(capture_linktype(cap), DLT_EN10MB);
	expect_mixed(cap);
	int lts[4];
	ck_assert_uint_eq(capture_linktypes(cap, lts, 4), 3);
	ck_assert_int_eq(lts[0], DLT_EN10MB);
	ck_assert_int_eq(lts[1], DLT_RAW);
	ck_assert_int_eq(lts[2], DLT_LINUX_SLL);
	ck_assert_uint_eq(capture_offset(cap), w.len);
	ck_assert_uint_eq(capture_size(cap), w.len);
	capture_close(cap);
}
END_TEST

START_TEST(test_big_endian)
{
	static struct ng w;
	memset(&w, 0, sizeof w);
	write_mixed(&w, true);
	ck_assert_uint_eq(w.b[8], 0x1a); /* the byte-order magic as written */
	struct capture *cap = open_ng(&w, NULL);
	expect_mixed(cap);
	capture_close(cap);
}
END_TEST

/* The report decodes each packet with its own interface's link type. */
START_TEST(test_report_decodes_per_interface)
{
	static struct ng w;
	memset(&w, 0, sizeof w);
	write_mixed(&w, false);
	struct report r;
	struct seen seen = {0};
	char err[256] = "";
	ck_assert_int_eq(run_report(write_file(&w, "mixed.pcapng", w.len), NULL, &r, &seen, err, sizeof err), 0);
	ck_assert_uint_eq(r.stats.packets, 4);
	ck_assert_uint_eq(r.stats.tcp_packets, 4);
	ck_assert_uint_eq(r.stats.decode_errors, 0);
	ck_assert(!r.stats.truncated);
	ck_assert_uint_eq(r.nflows, 1);
	struct report_reader rd;
	report_read_flows(&r, &rd);
	const struct flow_summary *flow = report_next_flow(&rd);
	ck_assert_str_eq(flow->handshake, "complete");
	ck_assert_uint_eq(flow->packets[0], 3);
	ck_assert_uint_eq(flow->packets[1], 1);
	report_reader_close(&rd);
	ck_assert_uint_eq(r.nlinktypes, 3);
	ck_assert_str_eq(r.linktypes[0], "EN10MB");
	ck_assert_str_eq(r.linktypes[1], "RAW");
	ck_assert_str_eq(r.linktypes[2], "LINUX_SLL");

	ck_assert_uint_eq(seen.n, 4);
	static const uint8_t flags[4] = {TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_PSH | TCP_ACK};
	for (size_t i = 0; i < 4; i++) {
		const struct packet *p = &seen.pkt[i];
		ck_assert_uint_eq(p->frame, i + 1);
		ck_assert_int_eq(p->time_ns, mixed_times[i]);
		ck_assert_uint_eq(p->ip_version, 4);
		ck_assert_uint_eq(p->flags, flags[i]);
		ck_assert_uint_eq(p->sport, i == 1 ? 80 : 40000);
		ck_assert_uint_eq(p->dport, i == 1 ? 40000 : 80);
	}
	ck_assert_int_eq(seen.pkt[0].linktype, DLT_EN10MB);
	ck_assert_int_eq(seen.pkt[1].linktype, DLT_RAW);
	ck_assert_int_eq(seen.pkt[2].linktype, DLT_LINUX_SLL);
	ck_assert_uint_eq(seen.pkt[0].seq, 1000);
	ck_assert_uint_eq(seen.pkt[1].seq, 5000);
	ck_assert_uint_eq(seen.pkt[1].ack, 1001);
	ck_assert_uint_eq(seen.pkt[2].ack, 5001);
	ck_assert(seen.pkt[0].opt.has_mss);
	ck_assert_uint_eq(seen.pkt[0].opt.mss, 1460);
	ck_assert_uint_eq(seen.pkt[3].payload_len, 100);
	report_free(&r);
}
END_TEST

/* A second section restarts interface numbering and may switch byte order. */
START_TEST(test_sections)
{
	static struct ng w;
	memset(&w, 0, sizeof w);
	struct scenario sc;
	scenario_init(&sc);
	ng_shb(&w, false);
	ng_idb(&w, LT_ETHERNET, 0, 9, 0);
	struct frame f = frame_for(&sc, SYN, LT_ETHERNET);
	ng_epb(&w, 0, 1000000001, f.b, f.len, f.len);
	ng_shb(&w, true);
	ng_idb(&w, LT_RAW, 0, 6, 0);
	f = frame_for(&sc, SYNACK, LT_RAW);
	ng_epb(&w, 0, 2000002, f.b, f.len, f.len); /* interface 0 of this section: raw IP */
	ng_shb(&w, false);
	ng_idb(&w, LT_USER0, 0, -1, 0);
	ng_idb(&w, LT_LINUX_SLL, 0, -1, 0);
	f = frame_for(&sc, ACK3, LT_LINUX_SLL);
	ng_epb(&w, 1, 3000003, f.b, f.len, f.len);

	struct capture *cap = open_ng(&w, NULL);
	expect_packet(cap, 1, 1000000001, DLT_EN10MB, 58);
	expect_packet(cap, 2, 2000002000, DLT_RAW, 44);
	expect_packet(cap, 3, 3000003000, DLT_LINUX_SLL, 56);
	int lts[8];
	ck_assert_uint_eq(capture_linktypes(cap, lts, 8), 4);
	ck_assert_int_eq(lts[2], LT_USER0);
	capture_close(cap);
}
END_TEST

/* Simple Packet Blocks use interface 0: its link type, and its snaplen caps the captured length. */
START_TEST(test_simple_and_obsolete_packet_blocks)
{
	static struct ng w;
	memset(&w, 0, sizeof w);
	struct scenario sc;
	scenario_init(&sc);
	ng_shb(&w, true);
	ng_idb(&w, LT_ETHERNET, 54, -1, 0);
	ng_idb(&w, LT_RAW, 0, -1, 0);
	struct frame f = frame_for(&sc, SYN, LT_ETHERNET);
	ng_spb(&w, f.b, 54, f.len);
	f = frame_for(&sc, SYNACK, LT_RAW);
	ng_pb(&w, 1, 7000000, f.b, f.len);
	f = frame_for(&sc, ACK3, LT_ETHERNET);
	ng_spb(&w, f.b, 54, 54);

	struct capture *cap = open_ng(&w, NULL);
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
	ck_assert_uint_eq(rec.frame, 1);
	ck_assert_int_eq(rec.time_ns, 0); /* an SPB has no timestamp */
	ck_assert_int_eq(rec.linktype, DLT_EN10MB);
	ck_assert_uint_eq(rec.caplen, 54);
	ck_assert_uint_eq(rec.wirelen, 58);
	ck_assert_uint_eq(rec.data[12], 0x08); /* the ethertype, read from the block */
	expect_packet(cap, 2, 7000000000, DLT_RAW, 44);
	expect_packet(cap, 3, 0, DLT_EN10MB, 54);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	capture_close(cap);
}
END_TEST

/* Statistics, name resolution, custom and unknown blocks are skipped by their length. */
START_TEST(test_unknown_blocks_skipped)
{
	static struct ng w;
	memset(&w, 0, sizeof w);
	struct scenario sc;
	scenario_init(&sc);
	ng_shb(&w, false);
	ng_other(&w, 0x0bad, 20);
	ng_idb(&w, LT_ETHERNET, 0, -1, 0);
	ng_other(&w, 4, 12); /* Name Resolution Block */
	struct frame f = frame_for(&sc, SYN, LT_ETHERNET);
	ng_epb(&w, 0, 1, f.b, f.len, f.len);
	ng_other(&w, 5, 20);	       /* Interface Statistics Block */
	ng_other(&w, 0x40000bad, 100); /* custom block */
	ng_other(&w, 0x12345678, 0);
	f = frame_for(&sc, SYNACK, LT_ETHERNET);
	ng_epb(&w, 0, 2, f.b, f.len, f.len);
	ng_other(&w, 5, 8);

	struct capture *cap = open_ng(&w, NULL);
	expect_packet(cap, 1, 1000, DLT_EN10MB, 58);
	expect_packet(cap, 2, 2000, DLT_EN10MB, 58);
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	capture_close(cap);
}
END_TEST

/* A file cut inside a block: every whole packet, then CAPTURE_TRUNCATED. */
START_TEST(test_truncated)
{
	static struct ng w;
	memset(&w, 0, sizeof w);
	write_mixed(&w, false);
	size_t cuts[] = {w.len - 1, w.len - 60, w.len - 4 - 7 * 4 - 100 + 3};
	for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
		char err[CAPTURE_ERRBUF_SIZE] = "";
		struct capture *cap = capture_open_file(write_file(&w, "cut.pcapng", cuts[i]), NULL, err, sizeof err);
		ck_assert_msg(cap != NULL, "%s", err);
		expect_packet(cap, 1, mixed_times[0], DLT_EN10MB, 58);
		expect_packet(cap, 2, mixed_times[1], DLT_RAW, 44);
		expect_packet(cap, 3, mixed_times[2], DLT_LINUX_SLL, 56);
		struct capture_record rec;
		ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_TRUNCATED);
		ck_assert_ptr_nonnull(strstr(capture_error(cap), "truncated"));
		capture_close(cap);
	}
	/* Cut inside the block header after the last interface, and right after the section header. */
	size_t header_only = 28 + 3;
	char err[CAPTURE_ERRBUF_SIZE] = "";
	ck_assert_ptr_null(capture_open_file(write_file(&w, "cut.pcapng", header_only), NULL, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "truncated"));

	struct report r;
	struct seen seen = {0};
	ck_assert_int_eq(run_report(write_file(&w, "cut.pcapng", w.len - 10), NULL, &r, &seen, err, sizeof err), 0);
	ck_assert(r.stats.truncated);
	ck_assert_uint_eq(r.stats.packets, 3);
	report_free(&r);
}
END_TEST

/* A section with an Ethernet interface and one SYN (frame f) at 1 us; returns where the next block goes. */
static size_t write_one_packet(struct ng *w, bool be, struct scenario *sc, struct frame *f)
{
	memset(w, 0, sizeof *w);
	scenario_init(sc);
	ng_shb(w, be);
	ng_idb(w, LT_ETHERNET, 0, -1, 0);
	*f = frame_for(sc, SYN, LT_ETHERNET);
	ng_epb(w, 0, 1, f->b, f->len, f->len);
	return w->len;
}

/* Blocks that contradict the format stop the read with a message naming the block. */
START_TEST(test_invalid_blocks)
{
	static struct ng w;
	struct scenario sc;
	struct capture_record rec;
	struct frame f;
	size_t at;

	/* A leading length that is not a multiple of 4, after one good packet. */
	size_t bad_at = write_one_packet(&w, false, &sc, &f);
	ng_u32(&w, 6);
	ng_u32(&w, 30);
	ng_bytes(&w, NULL, 24);
	struct capture *cap = open_ng(&w, NULL);
	expect_packet(cap, 1, 1000, DLT_EN10MB, 58);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_ERROR);
	char want[64];
	snprintf(want, sizeof want, "offset %zu", bad_at);
	ck_assert_ptr_nonnull(strstr(capture_error(cap), want));
	ck_assert_ptr_nonnull(strstr(capture_error(cap), "invalid length 30"));
	capture_close(cap);

	struct report r;
	struct seen seen = {0};
	char err[256] = "";
	ck_assert_int_eq(run_report(write_file(&w, "bad.pcapng", w.len), NULL, &r, &seen, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "invalid length 30"));
	ck_assert_uint_eq(r.stats.packets, 1);
	report_free(&r);

	/* Leading and trailing lengths differ. */
	w.len = bad_at;
	at = ng_begin(&w, 6);
	ng_bytes(&w, NULL, 20);
	ng_end(&w, at);
	w.b[w.len - 4] ^= 4;
	cap = open_ng(&w, NULL);
	expect_packet(cap, 1, 1000, DLT_EN10MB, 58);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_ERROR);
	ck_assert_ptr_nonnull(strstr(capture_error(cap), "ends with length"));
	capture_close(cap);

	/* A captured length past the end of its block. */
	w.len = bad_at;
	ng_epb(&w, 0, 2, f.b, f.len, f.len);
	w.b[bad_at + 20] = 200; /* caplen 58 -> 200 */
	cap = open_ng(&w, NULL);
	expect_packet(cap, 1, 1000, DLT_EN10MB, 58);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_ERROR);
	ck_assert_ptr_nonnull(strstr(capture_error(cap), "captured length 200"));
	capture_close(cap);

	/* A packet on an interface the section never declared. */
	w.len = bad_at;
	ng_epb(&w, 1, 2, f.b, f.len, f.len);
	cap = open_ng(&w, NULL);
	expect_packet(cap, 1, 1000, DLT_EN10MB, 58);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_ERROR);
	ck_assert_ptr_nonnull(strstr(capture_error(cap), "interface 1"));
	capture_close(cap);

	/* A block larger than the reader accepts is refused, not allocated. */
	w.len = bad_at;
	ng_u32(&w, 6);
	ng_u32(&w, 0x40000000);
	cap = open_ng(&w, NULL);
	expect_packet(cap, 1, 1000, DLT_EN10MB, 58);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_ERROR);
	ck_assert_ptr_nonnull(strstr(capture_error(cap), "limit"));
	capture_close(cap);
}
END_TEST

/*
 * Hostile blocks (issue 8): a length below the minimum, an option running
 * past its block, a file ending inside a block header, and 10 000 options of
 * one byte each in an interface and a packet block.
 */
START_TEST(test_hostile_blocks)
{
	static struct ng w;
	struct scenario sc;
	struct capture_record rec;
	struct frame f;
	size_t bad_at = write_one_packet(&w, true, &sc, &f);

	/* A block of 8 bytes: shorter than its own type and two lengths. */
	ng_u32(&w, 6);
	ng_u32(&w, 8);
	ng_u32(&w, 8);
	struct capture *cap = open_ng(&w, NULL);
	expect_packet(cap, 1, 1000, DLT_EN10MB, 58);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_ERROR);
	char want[128];
	snprintf(want, sizeof want, "block at offset %zu has an invalid length 8 (at least 12", bad_at);
	ck_assert_ptr_nonnull(strstr(capture_error(cap), want));
	capture_close(cap);

	/* The file ends 1 to 7 bytes into the next block's header. */
	w.len = bad_at;
	ng_epb(&w, 0, 2, f.b, f.len, f.len);
	for (size_t cut = 1; cut < 8; cut++) {
		char err[CAPTURE_ERRBUF_SIZE] = "";
		cap = capture_open_file(write_file(&w, "cut.pcapng", bad_at + cut), NULL, err, sizeof err);
		ck_assert_msg(cap != NULL, "%s", err);
		expect_packet(cap, 1, 1000, DLT_EN10MB, 58);
		ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_TRUNCATED);
		ck_assert_ptr_nonnull(strstr(capture_error(cap), "truncated"));
		capture_close(cap);
	}

	/* An interface option whose length runs past the block. */
	w.len = bad_at;
	size_t at = ng_idb_begin(&w, LT_ETHERNET, 0);
	ng_u16(&w, 2); /* if_name */
	ng_u16(&w, 400);
	ng_bytes(&w, NULL, 8);
	ng_end(&w, at);
	cap = open_ng(&w, NULL);
	expect_packet(cap, 1, 1000, DLT_EN10MB, 58);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_ERROR);
	snprintf(want, sizeof want, "interface block at offset %zu: option 2 (unknown) runs past the block", bad_at);
	ck_assert_str_eq(capture_error(cap), want);
	capture_close(cap);

	/* 10 000 one-byte comments on an interface and on a packet: read through, the packet intact. */
	w.len = bad_at;
	at = ng_idb_begin(&w, LT_ETHERNET, 0);
	static const uint8_t x = 'x';
	for (int i = 0; i < 10000; i++)
		ng_option(&w, 1, &x, 1); /* opt_comment */
	ng_end(&w, at);
	f = frame_for(&sc, SYNACK, LT_ETHERNET);
	at = ng_epb_begin(&w, 1, 2, f.b, f.len, f.len);
	for (int i = 0; i < 10000; i++)
		ng_option(&w, 1, &x, 1);
	ng_end(&w, at);
	cap = open_ng(&w, NULL);
	expect_packet(cap, 1, 1000, DLT_EN10MB, 58);
	expect_packet(cap, 2, 2000, DLT_EN10MB, 58);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	capture_close(cap);
}
END_TEST

/* No byte of out is a control character but the newline (C0, DEL, C1 in UTF-8). */
static void assert_no_controls(const char *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)out[i];
		bool c1 = b == 0xc2 && i + 1 < len && (unsigned char)out[i + 1] < 0xa0;
		ck_assert_msg((b >= 0x20 && b != 0x7f && !c1) || b == '\n', "control byte %#x at %zu in:\n%s", b, i,
			      out);
	}
}

/*
 * Escape sequences in every string a pcapng can carry - section comment,
 * hardware, OS and application; interface name, description and comment;
 * packet comment - never reach the text or JSON report raw.
 */
START_TEST(test_strings_with_escape_sequences)
{
	static struct ng w;
	static const char evil[] = "\x1b]0;owned\x07\x1b[2J\x1b[31m\xc2\x9b"
				   "1m\r\x7f";
	const uint16_t n = (uint16_t)(sizeof evil - 1);
	const uint8_t *e = (const uint8_t *)evil;
	memset(&w, 0, sizeof w);
	w.be = false;
	size_t at = ng_begin(&w, 0x0a0d0d0a);
	ng_u32(&w, 0x1a2b3c4d);
	ng_u16(&w, 1);
	ng_u16(&w, 0);
	ng_u64(&w, UINT64_MAX);
	for (uint16_t code = 1; code <= 4; code++) /* opt_comment, shb_hardware, shb_os, shb_userappl */
		ng_option(&w, code, e, n);
	ng_option(&w, 0, NULL, 0);
	ng_end(&w, at);
	at = ng_idb_begin(&w, LT_ETHERNET, 0);
	for (uint16_t code = 1; code <= 3; code++) /* opt_comment, if_name, if_description */
		ng_option(&w, code, e, n);
	ng_option(&w, 0, NULL, 0);
	ng_end(&w, at);
	struct scenario sc;
	scenario_init(&sc);
	struct frame f = frame_for(&sc, SYN, LT_ETHERNET);
	at = ng_epb_begin(&w, 0, 1, f.b, f.len, f.len);
	ng_option(&w, 1, e, n);
	ng_option(&w, 0, NULL, 0);
	ng_end(&w, at);

	struct report r;
	struct seen seen = {0};
	char err[256] = "";
	ck_assert_int_eq(run_report(write_file(&w, "t.pcapng", w.len), NULL, &r, &seen, err, sizeof err), 0);
	ck_assert_uint_eq(r.stats.tcp_packets, 1);
	ck_assert_uint_eq(seen.n, 1);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	output_text_report(out, &r);
	output_json_report(out, &r);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "1 flows"));
	assert_no_controls(text, len);
	free(text);
	report_free(&r);
}
END_TEST

/*
 * Valid but unusual: a section header alone, or sections whose only other
 * blocks are custom blocks (both copy kinds), is an empty capture with no
 * link type, as tshark reads it, with a filter too. A packet with no
 * interface before it is still refused.
 */
START_TEST(test_empty_captures)
{
	static struct ng w;
	for (int kind = 0; kind < 3; kind++) {
		memset(&w, 0, sizeof w);
		ng_shb(&w, kind == 2);
		if (kind > 0) {
			ng_other(&w, 0x00000bad, 24);
			ng_other(&w, 0x40000bad, 4);
			ng_shb(&w, false);
			ng_other(&w, 0x00000bad, 8);
		}
		for (int filtered = 0; filtered < 2; filtered++) {
			struct capture *cap = open_ng(&w, filtered ? "tcp port 80" : NULL);
			struct capture_record rec;
			ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
			ck_assert_int_eq(capture_linktype(cap), -1);
			int lts[2];
			ck_assert_uint_eq(capture_linktypes(cap, lts, 2), 0);
			capture_close(cap);
		}
		struct report r;
		struct seen seen = {0};
		char err[CAPTURE_ERRBUF_SIZE];
		ck_assert_int_eq(run_report(write_file(&w, "t.pcapng", w.len), NULL, &r, &seen, err, sizeof err), 0);
		ck_assert_uint_eq(r.stats.packets, 0);
		ck_assert_uint_eq(r.nlinktypes, 0);
		report_free(&r);
	}
	memset(&w, 0, sizeof w);
	ng_shb(&w, false);
	ng_other(&w, 0x00000bad, 24);
	struct scenario sc;
	scenario_init(&sc);
	struct frame f = frame_for(&sc, SYN, LT_ETHERNET);
	ng_epb(&w, 0, 1, f.b, f.len, f.len);
	ck_assert_ptr_nonnull(strstr(open_fails(&w, w.len, NULL), "before any interface block"));
}
END_TEST

/* What cannot be read at all is refused at open with one line. */
START_TEST(test_refused_at_open)
{
	static struct ng w;

	memset(&w, 0, sizeof w);
	ng_shb(&w, false);
	ng_idb(&w, LT_USER0, 0, -1, 0);
	ck_assert_ptr_nonnull(strstr(open_fails(&w, w.len, NULL), "unsupported link type"));

	memset(&w, 0, sizeof w);
	ng_shb(&w, false);
	ng_idb(&w, LT_ETHERNET, 0, 9 + 11, 0); /* 10^-20 s does not fit */
	ck_assert_ptr_nonnull(strstr(open_fails(&w, w.len, NULL), "too fine"));

	memset(&w, 0, sizeof w);
	ng_shb(&w, false);
	w.b[12] = 2; /* major version 2 */
	ck_assert_ptr_nonnull(strstr(open_fails(&w, w.len, NULL), "version 2.0"));

	memset(&w, 0, sizeof w);
	ng_shb(&w, false);
	w.b[8] = 0x55; /* byte-order magic */
	ck_assert_ptr_nonnull(strstr(open_fails(&w, w.len, NULL), "byte-order magic"));

	memset(&w, 0, sizeof w);
	ng_shb(&w, false);
	ng_idb(&w, LT_ETHERNET, 0, -1, 0);
	ck_assert_ptr_nonnull(strstr(open_fails(&w, w.len, "tcp port"), "bad filter"));
	ck_assert_ptr_nonnull(strstr(open_fails(&w, w.len - 2, NULL), "truncated"));
}
END_TEST

/* An unsupported interface next to a supported one: its packets are read and just are not TCP. */
START_TEST(test_unsupported_interface_among_others)
{
	static struct ng w;
	memset(&w, 0, sizeof w);
	struct scenario sc;
	scenario_init(&sc);
	ng_shb(&w, false);
	ng_idb(&w, LT_USER0, 0, -1, 0);
	ng_idb(&w, LT_ETHERNET, 0, -1, 0);
	struct frame f = frame_for(&sc, SYN, LT_ETHERNET);
	ng_epb(&w, 0, 1, f.b, f.len, f.len);
	ng_epb(&w, 1, 2, f.b, f.len, f.len);
	struct report r;
	struct seen seen = {0};
	char err[256] = "";
	ck_assert_int_eq(run_report(write_file(&w, "user0.pcapng", w.len), "tcp", &r, &seen, err, sizeof err), 0);
	ck_assert_uint_eq(r.stats.packets, 1); /* the filter cannot apply to USER0: its packet is left out */
	ck_assert_uint_eq(seen.n, 1);
	ck_assert_uint_eq(seen.pkt[0].frame, 2);
	report_free(&r);

	memset(&seen, 0, sizeof seen);
	ck_assert_int_eq(run_report(write_file(&w, "user0.pcapng", w.len), NULL, &r, &seen, err, sizeof err), 0);
	ck_assert_uint_eq(r.stats.packets, 2);
	ck_assert_uint_eq(r.stats.tcp_packets, 1);
	ck_assert_uint_eq(r.nlinktypes, 2);
	report_free(&r);
}
END_TEST

/* The filter is compiled per link type and frame numbers still count what it rejects. */
START_TEST(test_filter_per_interface)
{
	static struct ng w;
	struct capture_record rec;
	memset(&w, 0, sizeof w);
	struct scenario sc;
	scenario_init(&sc);
	ng_shb(&w, false);
	ng_idb(&w, LT_ETHERNET, 0, -1, 0);
	ng_idb(&w, LT_RAW, 0, -1, 0);
	struct frame f = frame_for(&sc, SYN, LT_ETHERNET);
	ng_epb(&w, 0, 1, f.b, f.len, f.len);
	f = frame_for(&sc, SYNACK, LT_RAW);
	ng_epb(&w, 1, 2, f.b, f.len, f.len);
	sc.server_port = 443;
	f = frame_for(&sc, SYN, LT_RAW);
	ng_epb(&w, 1, 3, f.b, f.len, f.len);
	f = frame_for(&sc, SYN, LT_ETHERNET);
	ng_epb(&w, 0, 4, f.b, f.len, f.len);
	sc.server_port = 80;
	f = frame_for(&sc, ACK3, LT_RAW);
	ng_epb(&w, 1, 5, f.b, f.len, f.len);

	struct capture *cap = open_ng(&w, "tcp port 80");
	expect_packet(cap, 1, 1000, DLT_EN10MB, 58);
	expect_packet(cap, 2, 2000, DLT_RAW, 44);
	expect_packet(cap, 5, 5000, DLT_RAW, 40);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	capture_close(cap);

	cap = open_ng(&w, "tcp[tcpflags] & tcp-syn != 0 and port 443");
	expect_packet(cap, 3, 3000, DLT_RAW, 44);
	expect_packet(cap, 4, 4000, DLT_EN10MB, 58);
	capture_close(cap);

	/* An Ethernet-only filter cannot apply to raw IP: those packets never match it. */
	cap = open_ng(&w, "ether src 02:00:00:00:00:01");
	expect_packet(cap, 1, 1000, DLT_EN10MB, 58);
	expect_packet(cap, 4, 4000, DLT_EN10MB, 58);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	capture_close(cap);

	/* Refused only when it applies to none of the file's link types. */
	memset(&w, 0, sizeof w);
	ng_shb(&w, false);
	ng_idb(&w, LT_RAW, 0, -1, 0);
	ng_idb(&w, LT_LINUX_SLL, 0, -1, 0);
	const char *err = open_fails(&w, w.len, "ether src 02:00:00:00:00:01");
	ck_assert_ptr_nonnull(strstr(err, "bad filter"));
	ck_assert_ptr_nonnull(strstr(err, "RAW"));
}
END_TEST

/* capture_seek() returns to any packet, across sections, including forward from a fresh open. */
START_TEST(test_seek)
{
	static struct ng w;
	memset(&w, 0, sizeof w);
	write_mixed(&w, false);
	struct scenario sc;
	scenario_init(&sc);
	ng_shb(&w, true);
	ng_idb(&w, LT_ETHERNET, 0, 9, 0);
	struct frame f = frame_for(&sc, SYN, LT_ETHERNET);
	ng_epb(&w, 0, 42, f.b, f.len, f.len);

	struct capture *cap = open_ng(&w, NULL);
	struct capture_record recs[5];
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(capture_next(cap, &recs[i]), CAPTURE_PACKET);
	ck_assert_int_eq(recs[4].time_ns, 42);
	struct capture_record rec;
	for (int i = 4; i >= 0; i--) {
		ck_assert_int_eq(capture_seek(cap, recs[i].offset, recs[i].frame), 0);
		ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
		ck_assert_uint_eq(rec.frame, recs[i].frame);
		ck_assert_int_eq(rec.time_ns, recs[i].time_ns);
		ck_assert_int_eq(rec.linktype, recs[i].linktype);
	}
	capture_close(cap);

	/* Straight to the last packet: the blocks before it are scanned for the interfaces. */
	cap = open_ng(&w, NULL);
	ck_assert_int_eq(capture_seek(cap, recs[4].offset, 5), 0);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
	ck_assert_uint_eq(rec.frame, 5);
	ck_assert_int_eq(rec.time_ns, 42);
	ck_assert_int_eq(capture_seek(cap, recs[2].offset, 3), 0);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
	ck_assert_int_eq(rec.time_ns, mixed_times[2]);
	ck_assert_int_eq(rec.linktype, DLT_LINUX_SLL);
	ck_assert_int_eq(capture_seek(cap, recs[2].offset + 4, 3), 0);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_ERROR); /* not a block start */
	ck_assert_int_eq(capture_seek(cap, w.len + 100, 9), -1);
	capture_close(cap);
}
END_TEST

/* A file still being written (live capture with -w): packets appended after the end was seen are read. */
START_TEST(test_growing_file)
{
	static struct ng w;
	memset(&w, 0, sizeof w);
	struct scenario sc;
	scenario_init(&sc);
	ng_shb(&w, false);
	ng_idb(&w, LT_ETHERNET, 0, -1, 0);
	const char *path = write_file(&w, "t.pcapng", w.len);
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct capture *cap = capture_open_file(path, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);

	size_t start = w.len;
	struct frame f = frame_for(&sc, SYN, LT_ETHERNET);
	ng_epb(&w, 0, 5, f.b, f.len, f.len);
	FILE *out = fopen(path, "ab");
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(fwrite(w.b + start, 1, w.len - start, out), w.len - start);
	fclose(out);
	expect_packet(cap, 1, 5000, DLT_EN10MB, 58);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	capture_close(cap);
}
END_TEST

/* Through a pipe, which cannot seek back over the sniffed magic: pcapng and pcap alike. */
static struct capture *open_pipe(const uint8_t *bytes, size_t len, char *err, size_t errlen)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_uint_lt(len, 60000); /* fits the pipe buffer: no writer thread needed */
	ck_assert_int_eq(write(fds[1], bytes, len), (ssize_t)len);
	close(fds[1]);
	FILE *in = fdopen(fds[0], "rb");
	ck_assert_ptr_nonnull(in);
	return capture_open_stream(in, "pipe", NULL, err, errlen);
}

START_TEST(test_pipe)
{
	static struct ng w;
	memset(&w, 0, sizeof w);
	write_mixed(&w, true);
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct capture *cap = open_pipe(w.b, w.len, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	expect_mixed(cap);
	ck_assert_uint_eq(capture_offset(cap), w.len);
	capture_close(cap);

	/* A classic pcap from a pipe still goes to libpcap, magic and all. */
	struct scenario sc;
	scenario_init(&sc);
	static const char *const lines[] = {SYN, SYNACK, ACK3};
	char path[128];
	snprintf(path, sizeof path, "%s/three.pcap", tmpdir);
	scenario_write_pcap(&sc, path, lines, 3);
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	static uint8_t pcap_bytes[4096];
	size_t n = fread(pcap_bytes, 1, sizeof pcap_bytes, f);
	fclose(f);
	cap = open_pipe(pcap_bytes, n, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	struct capture_record rec;
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
	ck_assert_uint_eq(rec.frame, 3);
	ck_assert_int_eq(rec.linktype, DLT_EN10MB);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	capture_close(cap);

	cap = open_pipe(pcap_bytes, 2, err, sizeof err);
	ck_assert_ptr_null(cap);
	ck_assert_ptr_nonnull(strstr(err, "pipe: "));
}
END_TEST

static Suite *pcapng_suite(void)
{
	Suite *s = suite_create("pcapng");
	TCase *tc = tcase_create("read");
	tcase_add_test(tc, test_interfaces_and_resolutions);
	tcase_add_test(tc, test_big_endian);
	tcase_add_test(tc, test_report_decodes_per_interface);
	tcase_add_test(tc, test_sections);
	tcase_add_test(tc, test_simple_and_obsolete_packet_blocks);
	tcase_add_test(tc, test_unknown_blocks_skipped);
	tcase_add_test(tc, test_filter_per_interface);
	tcase_add_test(tc, test_unsupported_interface_among_others);
	tcase_add_test(tc, test_seek);
	tcase_add_test(tc, test_pipe);
	tcase_add_test(tc, test_growing_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_invalid_blocks);
	tcase_add_test(tc, test_refused_at_open);
	tcase_add_test(tc, test_empty_captures);
	tcase_add_test(tc, test_hostile_blocks);
	tcase_add_test(tc, test_strings_with_escape_sequences);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check-pcapng-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	SRunner *sr = srunner_create(pcapng_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	static const char *const names[] = {"t.pcapng",	  "mixed.pcapng", "cut.pcapng",
					    "bad.pcapng", "user0.pcapng", "three.pcap"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	if (rmdir(tmpdir) != 0)
		perror(tmpdir);
	return failed ? 1 : 0;
}
