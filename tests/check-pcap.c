/*
 * check-pcap.c - Check suite for the classic pcap reader (src/capture-pcap.c)
 * as the capture layer uses it.
 *
 * Files are written here record by record, in either byte order, with
 * microsecond or nanosecond timestamps, never pasted as hex. Records are
 * checked through capture_next(): frames, timestamps to the nanosecond,
 * lengths, bytes and offsets. Then what libpcap would say: a file cut at
 * every byte of its last record is CAPTURE_TRUNCATED after the last whole
 * packet, in libpcap's words; a captured length past the snapshot length is
 * clamped, one past 262 144 is an error; a bad file header is refused, and a
 * pcap variant this reader leaves to libpcap is still read; lengths that lie
 * (a captured length above the original, zero, 2^32 - 1, a snapshot length
 * of 2^32 - 1) are delivered or refused as libpcap would. Also: a filter,
 * a pipe (no seeking back over the sniffed header), capture_seek(), a file
 * that grows while it is read, and reading through from a mapping of the
 * file, also when the file is cut short meanwhile. Last, what a split
 * report weighs its parts by: records sampled from over the file, each a
 * genuine one, and the parts dealt out to threads from those weights.
 */
#include "config.h"

#include <check.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "capture-map.h"
#include "capture.h"
#include "engine.h"
#include "report-balance.h"
#include "report-run.h"
#include "report.h"

enum {
	TS_BASE = 1700000000, /* seconds */
	ETHERTYPE_ARP = 0x0806,
	ETHERTYPE_IPV4 = 0x0800,
};

/* ---- writing pcap ---------------------------------------------------------- */

struct pc {
	uint8_t b[1 << 16];
	size_t len;
	bool be, ns;
};

static void pc_u8(struct pc *w, uint8_t v)
{
	ck_assert_uint_lt(w->len, sizeof w->b);
	w->b[w->len++] = v;
}

static void pc_u16(struct pc *w, uint16_t v)
{
	pc_u8(w, (uint8_t)(w->be ? v >> 8 : v));
	pc_u8(w, (uint8_t)(w->be ? v : v >> 8));
}

static void pc_u32(struct pc *w, uint32_t v)
{
	pc_u16(w, (uint16_t)(w->be ? v >> 16 : v));
	pc_u16(w, (uint16_t)(w->be ? v : v >> 16));
}

static void pc_header_version(struct pc *w, bool be, bool ns, uint16_t minor, uint32_t snaplen, uint32_t linktype)
{
	w->len = 0;
	w->be = be;
	w->ns = ns;
	pc_u32(w, ns ? 0xa1b23c4d : 0xa1b2c3d4);
	pc_u16(w, 2);
	pc_u16(w, minor);
	pc_u32(w, 0); /* thiszone */
	pc_u32(w, 0); /* sigfigs */
	pc_u32(w, snaplen);
	pc_u32(w, linktype);
}

static void pc_header(struct pc *w, bool be, bool ns, uint32_t snaplen)
{
	pc_header_version(w, be, ns, 4, snaplen, 1 /* LINKTYPE_ETHERNET */);
}

/* A record header alone: its data, if any, is up to the caller. */
static void pc_record_header(struct pc *w, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t wirelen)
{
	pc_u32(w, sec);
	pc_u32(w, frac);
	pc_u32(w, caplen);
	pc_u32(w, wirelen);
}

/* A record of caplen bytes (of a wirelen-byte packet): an Ethernet header with this type, then a counting pattern. */
static size_t pc_record(struct pc *w, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t wirelen,
			uint16_t ethertype)
{
	size_t at = w->len;
	pc_record_header(w, sec, frac, caplen, wirelen);
	for (uint32_t i = 0; i < caplen; i++)
		pc_u8(w, i == 12 ? (uint8_t)(ethertype >> 8) : i == 13 ? (uint8_t)ethertype : (uint8_t)(i * 7));
	return at;
}

static char tmpdir[64];

static const char *write_file(const struct pc *w, const char *name, size_t len)
{
	static char path[128];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(w->b, 1, len, f), len);
	fclose(f);
	return path;
}

static struct capture *open_bytes(const struct pc *w, size_t len, const char *filter, char *err, size_t errlen)
{
	return capture_open_file(write_file(w, "t.pcap", len), filter, err, errlen);
}

/* Through a pipe, which cannot seek back over the sniffed file header. */
static struct capture *open_pipe(const struct pc *w, size_t len, char *err, size_t errlen)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_uint_lt(len, 60000); /* fits the pipe buffer: no writer thread needed */
	ck_assert_int_eq(write(fds[1], w->b, len), (ssize_t)len);
	close(fds[1]);
	FILE *in = fdopen(fds[0], "rb");
	ck_assert_ptr_nonnull(in);
	return capture_open_stream(in, "pipe", NULL, err, errlen);
}

/* The next record is this one: frame, time, lengths, bytes (the pattern pc_record writes) and offset. */
static void expect_record(struct capture *cap, uint64_t frame, int64_t time_ns, uint32_t caplen, uint32_t wirelen,
			  uint64_t offset)
{
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
	ck_assert_uint_eq(rec.frame, frame);
	ck_assert_int_eq(rec.time_ns, time_ns);
	ck_assert_uint_eq(rec.caplen, caplen);
	ck_assert_uint_eq(rec.wirelen, wirelen);
	ck_assert_int_eq(rec.linktype, DLT_EN10MB);
	ck_assert_uint_eq(rec.offset, offset);
	for (uint32_t i = 14; i < caplen; i++)
		ck_assert_uint_eq(rec.data[i], (uint8_t)(i * 7));
}

/* Three records of 60, 20 and 1400 bytes; returns where each starts in offsets. */
static void write_three(struct pc *w, bool be, bool ns, uint64_t offsets[3])
{
	pc_header(w, be, ns, 65535);
	offsets[0] = pc_record(w, TS_BASE, ns ? 123456789 : 123456, 60, 60, ETHERTYPE_IPV4);
	offsets[1] = pc_record(w, TS_BASE + 1, 0, 20, 20, ETHERTYPE_ARP);
	offsets[2] = pc_record(w, TS_BASE + 2, ns ? 999999999 : 999999, 1400, 1514, ETHERTYPE_IPV4);
}

static void expect_three(struct capture *cap, bool ns, const uint64_t offsets[3])
{
	int64_t base = (int64_t)TS_BASE * 1000000000;
	expect_record(cap, 1, base + (ns ? 123456789 : 123456000), 60, 60, offsets[0]);
	expect_record(cap, 2, base + 1000000000, 20, 20, offsets[1]);
	expect_record(cap, 3, base + 2000000000 + (ns ? 999999999 : 999999000), 1400, 1514, offsets[2]);
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
}

/* ---- tests ---------------------------------------------------------------- */

START_TEST(test_byte_orders_and_units)
{
	static struct pc w;
	for (int be = 0; be < 2; be++)
		for (int ns = 0; ns < 2; ns++) {
			uint64_t offsets[3];
			write_three(&w, be, ns, offsets);
			char err[CAPTURE_ERRBUF_SIZE] = "";
			struct capture *cap = open_bytes(&w, w.len, NULL, err, sizeof err);
			ck_assert_msg(cap != NULL, "%s", err);
			ck_assert_int_eq(capture_linktype(cap), DLT_EN10MB);
			ck_assert(capture_nanosecond(cap) == (bool)ns);
			expect_three(cap, ns, offsets);
			ck_assert_uint_eq(capture_offset(cap), w.len);
			capture_close(cap);
		}
}
END_TEST

/* Time fields are signed in a file of this host's byte order, as libpcap reads them. */
START_TEST(test_time_fields)
{
	static struct pc w;
	pc_header(&w, false, false, 65535);
	pc_record(&w, 0xffffffff, 999999, 60, 60, ETHERTYPE_IPV4);
	pc_record(&w, TS_BASE, 2000000, 60, 60, ETHERTYPE_IPV4); /* a sub-second field past a second is kept */
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct capture *cap = open_bytes(&w, w.len, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	expect_record(cap, 1, -1000, 60, 60, 24);
	expect_record(cap, 2, (int64_t)(TS_BASE + 2) * 1000000000, 60, 60, 24 + 76);
	capture_close(cap);
}
END_TEST

/* Cut at every byte of the last record: the first two are delivered, then libpcap's "truncated" message. */
START_TEST(test_truncated_every_cut)
{
	static struct pc w;
	for (int mode = 0; mode < 4; mode++) {
		bool be = mode & 1, mapped = mode & 2; /* mapped: read through, from a mapping of the file */
		uint64_t offsets[3];
		write_three(&w, be, false, offsets);
		size_t last = (size_t)offsets[2];
		for (size_t cut = last; cut <= w.len; cut++) {
			char err[CAPTURE_ERRBUF_SIZE] = "", want[128];
			struct capture *cap = open_bytes(&w, cut, NULL, err, sizeof err);
			ck_assert_msg(cap != NULL, "%s", err);
			if (mapped)
				capture_read_through(cap);
			struct capture_record rec;
			ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
			ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
			enum capture_status st = capture_next(cap, &rec);
			size_t got = cut - last;
			if (got == 0 || cut == w.len) {
				ck_assert_int_eq(st, cut == w.len ? CAPTURE_PACKET : CAPTURE_END);
			} else {
				ck_assert_int_eq(st, CAPTURE_TRUNCATED);
				if (got < 16)
					snprintf(want, sizeof want,
						 "truncated dump file; tried to read 16 header bytes, only got %zu",
						 got);
				else
					snprintf(want, sizeof want,
						 "truncated dump file; tried to read 1400 captured bytes, only got %zu",
						 got - 16);
				ck_assert_str_eq(capture_error(cap), want);
			}
			capture_close(cap);
		}
	}
}
END_TEST

/* Past the snapshot length: clamped, the rest skipped; past 262 144: an error. */
START_TEST(test_snaplen_and_caplen)
{
	static struct pc w;
	pc_header(&w, true, false, 64);
	pc_record(&w, TS_BASE, 0, 100, 100, ETHERTYPE_IPV4);
	size_t second = pc_record(&w, TS_BASE, 1, 40, 40, ETHERTYPE_IPV4);
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct capture *cap = open_bytes(&w, w.len, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	int64_t base = (int64_t)TS_BASE * 1000000000;
	expect_record(cap, 1, base, 64, 100, 24);
	expect_record(cap, 2, base + 1000, 40, 40, second);
	capture_close(cap);

	/* Cut inside the part that would be skipped: libpcap counts it against the captured length. */
	cap = open_bytes(&w, 24 + 16 + 80, NULL, err, sizeof err);
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_TRUNCATED);
	ck_assert_str_eq(capture_error(cap), "truncated dump file; tried to read 100 captured bytes, only got 80");
	capture_close(cap);
	cap = open_bytes(&w, 24 + 16 + 50, NULL, err, sizeof err);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_TRUNCATED);
	ck_assert_str_eq(capture_error(cap), "truncated dump file; tried to read 64 captured bytes, only got 50");
	capture_close(cap);

	/* A snapshot length of 0 means the maximum; a captured length past it is invalid, not truncated. */
	pc_header(&w, false, true, 0);
	pc_record(&w, TS_BASE, 0, 60, 60, ETHERTYPE_IPV4);
	pc_record_header(&w, TS_BASE, 0, 300000, 300000);
	cap = open_bytes(&w, w.len, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_ERROR);
	ck_assert_str_eq(capture_error(cap), "invalid packet capture length 300000, bigger than snaplen of 262144");
	capture_close(cap);
}
END_TEST

/* The findings an engine sink saw, the first 8. */
struct seen_findings {
	size_t n;
	struct finding f[8];
};

static void see_finding(void *ctx, const struct finding *f)
{
	struct seen_findings *s = ctx;
	if (s->n < 8)
		s->f[s->n] = *f;
	s->n++;
}

/*
 * Lengths that lie (issue 8): a captured length above the original one, or
 * zero, is delivered as written (libpcap does the same; the decoder trusts
 * neither); a snapshot length of 2^32 - 1 means the maximum; a captured
 * length of 2^32 - 1 is an error before anything is allocated or read.
 */
START_TEST(test_lying_lengths)
{
	static struct pc w;
	pc_header(&w, false, false, 0xffffffff);
	size_t at[4];
	at[0] = pc_record(&w, TS_BASE, 0, 60, 40, ETHERTYPE_IPV4); /* more captured than was sent */
	at[1] = pc_record(&w, TS_BASE, 1, 0, 0, ETHERTYPE_IPV4);
	at[2] = pc_record(&w, TS_BASE, 2, 0, 1500, ETHERTYPE_IPV4);
	at[3] = pc_record(&w, TS_BASE, 3, 40, 0, ETHERTYPE_IPV4);
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct capture *cap = open_bytes(&w, w.len, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	int64_t base = (int64_t)TS_BASE * 1000000000;
	expect_record(cap, 1, base, 60, 40, at[0]);
	expect_record(cap, 2, base + 1000, 0, 0, at[1]);
	expect_record(cap, 3, base + 2000, 0, 1500, at[2]);
	expect_record(cap, 4, base + 3000, 40, 0, at[3]);
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	capture_close(cap);

	/* Through the engine: counted packets, each a decode finding, no flow. */
	struct report r;
	report_init(&r, "lying");
	struct engine_config cfg;
	engine_config_default(&cfg);
	struct seen_findings seen = {0};
	struct engine_sink sink = {.ctx = &seen, .finding = see_finding};
	ck_assert_int_eq(report_run_file(&r, write_file(&w, "t.pcap", w.len), NULL, &cfg, 1, &sink, err, sizeof err),
			 0);
	ck_assert_uint_eq(r.stats.packets, 4);
	ck_assert_uint_eq(r.stats.tcp_packets, 0);
	ck_assert_uint_eq(r.nflows, 0);
	ck_assert_uint_eq(r.stats.decode_errors, 4);
	report_free(&r);
	/* The pattern after the Ethernet header is no IPv4 header; an empty record has no Ethernet header. */
	static const char *const codes[4] = {"decode.ip.bad_version", "decode.truncated", "decode.truncated",
					     "decode.ip.bad_version"};
	ck_assert_uint_eq(seen.n, 4);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_uint_eq(seen.f[i].frame, i + 1);
		ck_assert_str_eq(finding_info(seen.f[i].id)->code, codes[i]);
	}
	ck_assert_str_eq(seen.f[1].message, "Ethernet header cut by snaplen (0 bytes captured)");

	/* The largest captured length libpcap takes, then one of 2^32 - 1. */
	pc_header(&w, true, false, 0xffffffff);
	pc_record(&w, TS_BASE, 0, 20, 20, ETHERTYPE_ARP);
	pc_record_header(&w, TS_BASE, 0, 0xffffffff, 0xffffffff);
	cap = open_bytes(&w, w.len, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_ERROR);
	ck_assert_str_eq(capture_error(cap), "invalid packet capture length 4294967295, bigger than snaplen of 262144");
	capture_close(cap);
}
END_TEST

/* A bad file header is refused at open; a variant this reader leaves to libpcap is still read. */
START_TEST(test_headers)
{
	static struct pc w;
	char err[CAPTURE_ERRBUF_SIZE] = "";
	pc_header(&w, false, false, 65535);
	ck_assert_ptr_null(open_bytes(&w, 10, NULL, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "truncated dump file"));

	w.b[0] ^= 0xff; /* not a magic */
	ck_assert_ptr_null(open_bytes(&w, w.len, NULL, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "t.pcap: "));

	pc_header_version(&w, false, false, 4, 65535, 147); /* LINKTYPE_USER0: not decoded */
	ck_assert_ptr_null(open_bytes(&w, w.len, NULL, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "unsupported link type"));

	pc_header_version(&w, true, false, 3, 65535, 1); /* version 2.3: libpcap's */
	pc_record(&w, TS_BASE, 5, 60, 70, ETHERTYPE_IPV4);
	struct capture *cap = open_bytes(&w, w.len, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	expect_record(cap, 1, (int64_t)TS_BASE * 1000000000 + 5000, 60, 70, 24);
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	capture_close(cap);
}
END_TEST

/* Frames count every record, the filter picks; a filter that does not compile is refused. */
START_TEST(test_filter)
{
	static struct pc w;
	uint64_t offsets[3];
	write_three(&w, true, false, offsets);
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct capture *cap = open_bytes(&w, w.len, "arp", err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	expect_record(cap, 2, (int64_t)(TS_BASE + 1) * 1000000000, 20, 20, offsets[1]);
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	capture_close(cap);

	ck_assert_ptr_null(open_bytes(&w, w.len, "tcp port", err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "bad filter \"tcp port\""));
	/* As libpcap reading a file says: no packet direction in a savefile. */
	ck_assert_ptr_null(open_bytes(&w, w.len, "inbound", err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "bad filter"));
}
END_TEST

START_TEST(test_pipe)
{
	static struct pc w;
	for (int be = 0; be < 2; be++) {
		uint64_t offsets[3];
		write_three(&w, be, true, offsets);
		char err[CAPTURE_ERRBUF_SIZE] = "";
		struct capture *cap = open_pipe(&w, w.len, err, sizeof err);
		ck_assert_msg(cap != NULL, "%s", err);
		expect_three(cap, true, offsets);
		ck_assert_uint_eq(capture_offset(cap), w.len);
		ck_assert_int_eq(capture_seek(cap, offsets[0], 1), -1);
		capture_close(cap);

		cap = open_pipe(&w, (size_t)offsets[2] + 20, err, sizeof err);
		ck_assert_msg(cap != NULL, "%s", err);
		struct capture_record rec;
		ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
		ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
		ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_TRUNCATED);
		capture_close(cap);
	}
	char err[CAPTURE_ERRBUF_SIZE] = "";
	ck_assert_ptr_null(open_pipe(&w, 2, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "pipe: "));
}
END_TEST

/* capture_seek() returns to any record, backwards and forwards, and numbers frames from there. */
START_TEST(test_seek)
{
	static struct pc w;
	uint64_t offsets[3];
	write_three(&w, false, false, offsets);
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct capture *cap = open_bytes(&w, w.len, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	ck_assert_uint_eq(capture_offset(cap), 24);
	int64_t base = (int64_t)TS_BASE * 1000000000;
	ck_assert_int_eq(capture_seek(cap, offsets[2], 3), 0);
	expect_record(cap, 3, base + 2999999000, 1400, 1514, offsets[2]);
	ck_assert_int_eq(capture_seek(cap, offsets[0], 1), 0);
	expect_record(cap, 1, base + 123456000, 60, 60, offsets[0]);
	ck_assert_uint_eq(capture_offset(cap), offsets[1]);
	ck_assert_int_eq(capture_seek(cap, offsets[1], 2), 0);
	expect_record(cap, 2, base + 1000000000, 20, 20, offsets[1]);
	expect_record(cap, 3, base + 2999999000, 1400, 1514, offsets[2]);
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	capture_close(cap);
}
END_TEST

/* Read through from a mapping: the same records, bytes and offsets as read(). */
START_TEST(test_read_through)
{
	static struct pc w;
	for (int ns = 0; ns < 2; ns++) {
		uint64_t offsets[3];
		write_three(&w, ns, ns, offsets);
		char err[CAPTURE_ERRBUF_SIZE] = "";
		struct capture *cap = open_bytes(&w, w.len, NULL, err, sizeof err);
		ck_assert_msg(cap != NULL, "%s", err);
		capture_read_through(cap);
		expect_three(cap, ns, offsets);
		capture_close(cap);
	}
}
END_TEST

/*
 * A mapped file cut short by someone else while it is read (capture-map.h):
 * no SIGBUS death, the records before the cut intact, then one error.
 */
START_TEST(test_cut_while_mapped)
{
	enum { RECORDS = 40, CUT_AT = 8192 + 100 };
	static struct pc w;
	pc_header(&w, false, false, 65535);
	uint64_t ends[RECORDS];
	for (int i = 0; i < RECORDS; i++) {
		pc_record(&w, TS_BASE, (uint32_t)i, 1400, 1400, ETHERTYPE_IPV4);
		ends[i] = w.len;
	}
	const char *path = write_file(&w, "t.pcap", w.len);
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct capture *cap = capture_open_file(path, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	capture_read_through(cap);
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
	ck_assert_int_eq(truncate(path, CUT_AT), 0);
	enum capture_status st;
	int read = 1;
	while ((st = capture_next(cap, &rec)) == CAPTURE_PACKET) {
		if (read < RECORDS && ends[read] <= CUT_AT) /* wholly before the cut: what was written */
			for (uint32_t i = 14; i < rec.caplen; i++)
				ck_assert_uint_eq(rec.data[i], (uint8_t)(i * 7));
		/* The rest of the page of the cut reads as zeros: records of 0 bytes, 16 bytes each. */
		ck_assert_int_lt(++read, RECORDS + 4096 / 16);
	}
	ck_assert_int_eq(st, CAPTURE_TRUNCATED);
	ck_assert_ptr_nonnull(strstr(capture_error(cap), "cut short while being read"));
	ck_assert_int_ge(read, 5); /* the records before the cut were all delivered */
	capture_close(cap);
}
END_TEST

/* A file still being written (live capture with -w): records appended after the end was seen are read. */
START_TEST(test_growing_file)
{
	static struct pc w;
	pc_header(&w, false, false, 65535);
	const char *path = write_file(&w, "t.pcap", w.len);
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct capture *cap = capture_open_file(path, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	size_t start = w.len;
	pc_record(&w, TS_BASE, 7, 60, 60, ETHERTYPE_IPV4);
	FILE *out = fopen(path, "ab");
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(fwrite(w.b + start, 1, w.len - start, out), w.len - start);
	fclose(out);
	expect_record(cap, 1, (int64_t)TS_BASE * 1000000000 + 7000, 60, 60, start);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	capture_close(cap);
}
END_TEST

/* ---- sampling for a split report (report-balance.h) --------------------------- */

enum { SAMPLED_RECORDS = 250 };

/* Record i: caplen 40 + (i * 37) % 300, its index in bytes 0-3, then bytes that count from it. */
static uint32_t sampled_caplen(uint32_t i)
{
	return 40 + (i * 37) % 300;
}

static uint8_t sampled_byte(uint32_t i, uint32_t at)
{
	return at < 4 ? (uint8_t)(i >> (8 * at)) : (uint8_t)(i + at);
}

static void write_sampled(struct pc *w, bool be, bool ns)
{
	pc_header(w, be, ns, 65535);
	for (uint32_t i = 0; i < SAMPLED_RECORDS; i++) {
		pc_record_header(w, TS_BASE + i, i * 1000, sampled_caplen(i), 1514);
		for (uint32_t at = 0; at < sampled_caplen(i); at++)
			pc_u8(w, sampled_byte(i, at));
	}
}

struct samples {
	uint32_t index[64];
	size_t n;
};

/* Every sample must be a genuine record, whole: its index names it, and its length and bytes are that record's. */
static void take_sample(void *ctx, int linktype, const uint8_t *data, uint32_t caplen)
{
	struct samples *s = ctx;
	ck_assert_int_eq(linktype, DLT_EN10MB);
	ck_assert_uint_ge(caplen, 4);
	uint32_t i = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
	ck_assert_uint_lt(i, SAMPLED_RECORDS);
	ck_assert_uint_eq(caplen, sampled_caplen(i));
	for (uint32_t at = 0; at < caplen; at++)
		ck_assert_uint_eq(data[at], sampled_byte(i, at));
	ck_assert_uint_lt(s->n, 64);
	s->index[s->n++] = i;
}

/*
 * Samples are found by looking for a chain of plausible record headers at
 * each of several places in the file: every sample is then a real record,
 * the windows lie in order over the whole file, and each gives up to the
 * number of records asked for.
 */
START_TEST(test_sample_spread)
{
	static struct pc w;
	for (int variant = 0; variant < 4; variant++) {
		bool be = variant & 1, ns = variant & 2;
		write_sampled(&w, be, ns);
		const char *path = write_file(&w, "t.pcap", w.len);
		struct samples s = {.n = 0};
		capture_sample_file(path, 8, 3, take_sample, &s);
		ck_assert_uint_ge(s.n, 20); /* each window of 4 KiB holds more than 3 records */
		ck_assert_uint_eq(s.index[0], 0);
		for (size_t k = 1; k < s.n; k++)
			ck_assert_uint_gt(s.index[k], s.index[k - 1]);
		ck_assert_uint_gt(s.index[s.n - 1], SAMPLED_RECORDS * 3 / 4); /* the last window is near the end */
	}
}
END_TEST

/* What cannot be sampled gets no calls, and garbage none that take_sample() would reject. */
START_TEST(test_sample_nothing_to_take)
{
	static struct pc w;
	struct samples s = {.n = 0};
	capture_sample_file("/nonexistent/t.pcap", 8, 3, take_sample, &s);
	pc_header(&w, false, false, 65535);
	capture_sample_file(write_file(&w, "t.pcap", w.len), 8, 3, take_sample, &s);
	write_sampled(&w, false, false);
	w.b[0] ^= 0xff; /* not a pcap magic */
	capture_sample_file(write_file(&w, "t.pcap", w.len), 8, 3, take_sample, &s);
	ck_assert_uint_eq(s.n, 0);
	/* Records whose lengths are all implausible (caplen above wirelen): nothing looks like a chain. */
	pc_header(&w, false, false, 65535);
	for (uint32_t i = 0; i < 500; i++) {
		pc_record_header(&w, TS_BASE, 0, 80, 60);
		for (int k = 0; k < 80; k++)
			pc_u8(&w, 0xff);
	}
	capture_sample_file(write_file(&w, "t.pcap", w.len), 8, 3, take_sample, &s);
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

/* Every part goes to exactly one thread, and no thread's weight exceeds another's by more than one part's. */
static void expect_fair_deal(const uint64_t weight[FLOW_SET_PARTS], size_t n)
{
	uint64_t parts_of[REPORT_MAX_THREADS], seen = 0, load[REPORT_MAX_THREADS] = {0};
	uint64_t heaviest = 0;
	report_deal_weights(weight, n, parts_of);
	for (size_t t = 0; t < n; t++) {
		ck_assert_uint_eq(seen & parts_of[t], 0);
		seen |= parts_of[t];
		for (int p = 0; p < FLOW_SET_PARTS; p++)
			if (parts_of[t] >> p & 1)
				load[t] += weight[p];
	}
	ck_assert_uint_eq(seen, FLOW_SET_ALL_PARTS);
	for (int p = 0; p < FLOW_SET_PARTS; p++)
		heaviest = weight[p] > heaviest ? weight[p] : heaviest;
	for (size_t a = 0; a < n; a++)
		for (size_t b = 0; b < n; b++)
			ck_assert_uint_le(load[a], load[b] + heaviest);
}

START_TEST(test_deal_parts)
{
	uint64_t weight[FLOW_SET_PARTS], parts_of[REPORT_MAX_THREADS];
	for (size_t n = 1; n <= REPORT_MAX_THREADS; n++) {
		for (int p = 0; p < FLOW_SET_PARTS; p++)
			weight[p] = 1 + (uint64_t)(p * 7919 % 101) * (p % 5 == 0 ? 40 : 1);
		expect_fair_deal(weight, n);
		for (int p = 0; p < FLOW_SET_PARTS; p++)
			weight[p] = 1;
		expect_fair_deal(weight, n);
	}
	/* Equal parts: an even split. */
	report_deal_weights(weight, 2, parts_of);
	ck_assert_int_eq(__builtin_popcountll(parts_of[0]), 32);
	/* One long transfer outweighing all the rest: its part is a thread's alone. */
	weight[5] = 1000;
	report_deal_weights(weight, 2, parts_of);
	ck_assert_uint_eq(parts_of[0], (uint64_t)1 << 5);
	ck_assert_uint_eq(parts_of[1], FLOW_SET_ALL_PARTS & ~((uint64_t)1 << 5));
}
END_TEST

/* ---- parts of one capture (--join) and compressed files -------------------- */

/* A part of records at these seconds (0 ends the list), each record's caplen 20 + its index in all parts. */
static const char *write_part(struct pc *w, const char *name, const uint32_t *secs, uint32_t first_id,
			      uint16_t ethertype)
{
	pc_header(w, false, false, 65535);
	for (uint32_t i = 0; secs[i]; i++)
		pc_record(w, TS_BASE + secs[i], 0, 20 + first_id + i, 20 + first_id + i, ethertype);
	static char paths[4][128];
	static int next;
	char *path = paths[next++ % 4];
	snprintf(path, sizeof paths[0], "%s", write_file(w, name, w->len));
	return path;
}

/*
 * Merged by time, a tie going to the part whose first record is earlier,
 * whatever order the parts are named in; an empty part is named last; frames
 * count across the parts; every record can be read again by its offset.
 */
START_TEST(test_join_merge)
{
	static struct pc w;
	static const uint32_t a_secs[] = {1, 4, 4, 9, 0}, b_secs[] = {2, 4, 7, 0}, none[] = {0};
	const char *a = write_part(&w, "a.pcap", a_secs, 0, ETHERTYPE_IPV4);
	const char *b = write_part(&w, "b.pcap", b_secs, 4, ETHERTYPE_ARP);
	const char *c = write_part(&w, "c.pcap", none, 0, ETHERTYPE_IPV4);
	/* merged: a1 b1 a2 a3 b2 b3 a4, as (seconds, record id) */
	static const uint32_t want_secs[] = {1, 2, 4, 4, 4, 7, 9}, want_ids[] = {0, 4, 1, 2, 5, 6, 3};
	const char *const orders[][3] = {{a, b, c}, {c, b, a}, {b, c, a}};
	for (size_t o = 0; o < 3; o++) {
		char err[CAPTURE_ERRBUF_SIZE] = "";
		struct capture *cap = capture_open_join(orders[o], 3, NULL, err, sizeof err);
		ck_assert_msg(cap != NULL, "%s", err);
		ck_assert_uint_eq(capture_parts(cap), 3);
		ck_assert_str_eq(capture_part_name(cap, 0), a);
		ck_assert_str_eq(capture_part_name(cap, 1), b);
		ck_assert_str_eq(capture_part_name(cap, 2), c);
		int lts[4];
		ck_assert_uint_eq(capture_linktypes(cap, lts, 4), 1);
		uint64_t offsets[7];
		for (uint32_t i = 0; i < 7; i++) {
			struct capture_record rec;
			ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
			ck_assert_uint_eq(rec.frame, i + 1);
			ck_assert_int_eq(rec.time_ns, (int64_t)(TS_BASE + want_secs[i]) * 1000000000);
			ck_assert_uint_eq(rec.caplen, 20 + want_ids[i]);
			offsets[i] = rec.offset;
		}
		struct capture_record rec;
		ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
		for (uint32_t k = 7; k-- > 0;) { /* backwards, as the UI may ask */
			ck_assert_int_eq(capture_seek(cap, offsets[k], k + 1), 0);
			ck_assert_uint_eq(capture_offset(cap), offsets[k]);
			ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
			ck_assert_uint_eq(rec.frame, k + 1);
			ck_assert_uint_eq(rec.caplen, 20 + want_ids[k]);
			ck_assert_uint_eq(rec.offset, offsets[k]);
		}
		capture_close(cap);
	}
	/* A filter: what it rejects still counts as frames, in merged order (b's records are ARP). */
	const char *const ab[] = {b, a};
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct capture *cap = capture_open_join(ab, 2, "arp", err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	static const uint64_t arp_frames[] = {2, 5, 6};
	for (size_t i = 0; i < 3; i++) {
		struct capture_record rec;
		ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
		ck_assert_uint_eq(rec.frame, arp_frames[i]);
		ck_assert_uint_eq(rec.caplen, 24 + i);
	}
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	capture_close(cap);
}
END_TEST

/* A part cut short ends, the others go on, and the join ends CAPTURE_TRUNCATED; a bad part stops it. */
START_TEST(test_join_cut_and_bad_parts)
{
	static struct pc w;
	static const uint32_t a_secs[] = {1, 3, 5, 0}, b_secs[] = {2, 4, 6, 0};
	const char *b = write_part(&w, "b.pcap", b_secs, 3, ETHERTYPE_IPV4);
	write_part(&w, "a.pcap", a_secs, 0, ETHERTYPE_IPV4);
	const char *a = write_file(&w, "a-cut.pcap", w.len - 5); /* inside a's last record */
	const char *const parts[] = {a, b};
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct capture *cap = capture_open_join(parts, 2, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	struct capture_record rec;
	for (int i = 0; i < 5; i++) /* a1 b1 a2 b2 b3 */
		ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_PACKET);
	ck_assert_int_eq(rec.time_ns, (int64_t)(TS_BASE + 6) * 1000000000);
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_TRUNCATED);
	ck_assert_ptr_nonnull(strstr(capture_error(cap), "a-cut.pcap: truncated dump file"));
	capture_close(cap);

	pc_header(&w, false, false, 65535);
	pc_record(&w, TS_BASE + 3, 0, 20, 20, ETHERTYPE_IPV4);
	pc_record_header(&w, TS_BASE + 4, 0, 300000, 300000); /* past libpcap's limit: invalid */
	const char *const bad[] = {b, write_file(&w, "bad.pcap", w.len)};
	cap = capture_open_join(bad, 2, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	enum capture_status st;
	while ((st = capture_next(cap, &rec)) == CAPTURE_PACKET)
		ck_assert_int_lt(rec.time_ns, (int64_t)(TS_BASE + 4) * 1000000000);
	ck_assert_int_eq(st, CAPTURE_ERROR);
	ck_assert_ptr_nonnull(strstr(capture_error(cap), "bad.pcap: invalid packet capture length"));
	capture_close(cap);

	const char *const missing[] = {b, "/nonexistent/part.pcap"};
	ck_assert_ptr_null(capture_open_join(missing, 2, NULL, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/part.pcap: "));
}
END_TEST

#ifdef HAVE_ZLIB
/* Writes w gzip-compressed in two members (gzip -d reads them as one), returns the path. */
static const char *write_gzip(const struct pc *w, const char *name)
{
	char path[160];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	for (int member = 0; member < 2; member++) {
		gzFile gz = gzopen(path, member ? "ab" : "wb");
		ck_assert_ptr_nonnull(gz);
		size_t half = w->len / 2, from = member ? half : 0, to = member ? w->len : half;
		ck_assert_int_eq(gzwrite(gz, w->b + from, (unsigned)(to - from)), (int)(to - from));
		gzclose(gz);
	}
	static char out[160];
	snprintf(out, sizeof out, "%s", path);
	return out;
}
#endif

#ifdef HAVE_ZLIB
/*
 * A gzip file: the plain file's records and offsets; every record read
 * again by its offset, backwards too; progress counts compressed bytes; cut
 * anywhere, every whole record and then CAPTURE_TRUNCATED; a flipped byte,
 * CAPTURE_ERROR or a refusal at open, never a crash.
 */
START_TEST(test_gzip)
{
	static struct pc w;
	pc_header(&w, false, false, 65535);
	uint64_t offsets[40];
	for (uint32_t i = 0; i < 40; i++)
		offsets[i] = pc_record(&w, TS_BASE + i, 0, 100 + i * 37, 100 + i * 37, ETHERTYPE_IPV4);
	const char *path = write_gzip(&w, "t.pcap.gz");
	char err[CAPTURE_ERRBUF_SIZE] = "";
	struct capture *cap = capture_open_file(path, NULL, err, sizeof err);
	ck_assert_msg(cap != NULL, "%s", err);
	for (uint32_t i = 0; i < 40; i++)
		expect_record(cap, i + 1, (int64_t)(TS_BASE + i) * 1000000000, 100 + i * 37, 100 + i * 37, offsets[i]);
	struct capture_record rec;
	ck_assert_int_eq(capture_next(cap, &rec), CAPTURE_END);
	ck_assert_uint_eq(capture_read_bytes(cap), capture_size(cap));
	ck_assert_uint_lt(capture_size(cap), w.len);
	for (uint32_t k = 40; k-- > 0;) {
		ck_assert_int_eq(capture_seek(cap, offsets[k], k + 1), 0);
		expect_record(cap, k + 1, (int64_t)(TS_BASE + k) * 1000000000, 100 + k * 37, 100 + k * 37, offsets[k]);
	}
	capture_close(cap);

	FILE *f = fopen(path, "rb");
	static uint8_t gz[1 << 16];
	size_t gzlen = fread(gz, 1, sizeof gz, f);
	fclose(f);
	static struct pc cut;
	for (size_t at = 20; at < gzlen; at += 7) {
		memcpy(cut.b, gz, at);
		cap = capture_open_file(write_file(&cut, "cut.gz", at), NULL, err, sizeof err);
		if (!cap) { /* not even the file header came out of it */
			ck_assert_msg(strstr(err, "the gzip data ends early") || strstr(err, "truncated"),
				      "cut at %zu: %s", at, err);
			continue;
		}
		enum capture_status st;
		uint32_t n = 0;
		while ((st = capture_next(cap, &rec)) == CAPTURE_PACKET)
			ck_assert_uint_eq(rec.caplen, 100 + n++ * 37);
		ck_assert_msg(st == CAPTURE_TRUNCATED, "cut at %zu: status %d", at, (int)st);
		capture_close(cap);
	}
	size_t second = 10; /* where the second member starts */
	while (second + 3 < gzlen && !(gz[second] == 0x1f && gz[second + 1] == 0x8b && gz[second + 2] == 8))
		second++;
	for (size_t at = 0; at < gzlen; at += 11) {
		memcpy(cut.b, gz, gzlen);
		cut.b[at] ^= 0x40;
		cap = capture_open_file(write_file(&cut, "bad.gz", gzlen), NULL, err, sizeof err);
		if (!cap)
			continue;
		enum capture_status st;
		while ((st = capture_next(cap, &rec)) == CAPTURE_PACKET)
			;
		/* a flip in the header's free fields (mtime, xfl, os) goes unnoticed, as with gzip -d */
		bool free_field = (at >= 4 && at < 10) || (at >= second + 4 && at < second + 10);
		ck_assert_msg(st == CAPTURE_ERROR || free_field, "flip at %zu: status %d", at, (int)st);
		capture_close(cap);
	}
}
END_TEST
#endif

static Suite *pcap_suite(void)
{
	Suite *s = suite_create("pcap");
	TCase *tc = tcase_create("read");
	tcase_add_test(tc, test_byte_orders_and_units);
	tcase_add_test(tc, test_time_fields);
	tcase_add_test(tc, test_filter);
	tcase_add_test(tc, test_pipe);
	tcase_add_test(tc, test_seek);
	tcase_add_test(tc, test_growing_file);
	tcase_add_test(tc, test_read_through);
	tcase_add_test(tc, test_cut_while_mapped);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_set_timeout(tc, 60); /* a file written and read for every cut: slow on a loaded machine's disk */
	tcase_add_test(tc, test_truncated_every_cut);
	tcase_add_test(tc, test_snaplen_and_caplen);
	tcase_add_test(tc, test_headers);
	tcase_add_test(tc, test_lying_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("archives");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_join_merge);
	tcase_add_test(tc, test_join_cut_and_bad_parts);
#ifdef HAVE_ZLIB
	tcase_add_test(tc, test_gzip);
#endif
	suite_add_tcase(s, tc);

	tc = tcase_create("split");
	tcase_add_test(tc, test_sample_spread);
	tcase_add_test(tc, test_sample_nothing_to_take);
	tcase_add_test(tc, test_deal_parts);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	file_map_guard_sigbus(); /* as the program does: the mapped reads below need it */
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check-pcap-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	SRunner *sr = srunner_create(pcap_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	static const char *const written[] = {"t.pcap",	  "a.pcap",    "b.pcap", "c.pcap", "a-cut.pcap",
					      "bad.pcap", "t.pcap.gz", "cut.gz", "bad.gz"};
	for (size_t i = 0; i < sizeof written / sizeof *written; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/%s", tmpdir, written[i]);
		unlink(path);
	}
	if (rmdir(tmpdir) != 0)
		perror(tmpdir);
	return failed ? 1 : 0;
}
