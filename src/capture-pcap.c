/*
 * capture-pcap.c - reads classic pcap records straight out of a 1 MiB
 * buffer, as libpcap 1.10 would deliver them (see capture-pcap.h for which
 * files it takes).
 *
 * Data flow: read() fills the buffer; buf[start, end) are the bytes not yet
 * returned, and buf[0] is at file offset buf_offset. A record whose header
 * or data runs past `end` is completed by moving the unread tail to the
 * front and reading more, only as much as it needs (a pipe is never waited
 * on past the record at hand). A record is at most 16 + 262 144 bytes (a
 * larger captured length is an error before its data is read), so it always
 * fits. Records are returned in place: no copy. A reader told to read
 * through to the end (pcapfile_map) reads a regular file from a mapping
 * (capture-map.h) instead: buf is then the whole file, so no record is ever
 * incomplete but at the end, and nothing is copied at all.
 *
 * libpcap's rules kept here: the per-record header is two time fields and
 * two lengths, 32 bits each in the file's byte order; the time fields are
 * signed, except in a byte-swapped file, where libpcap's swapping makes them
 * unsigned (it matters only for absurd values); microseconds are scaled to
 * nanoseconds; a captured length above 262 144 is invalid; one
 * above the snapshot length (itself 262 144 when the header says 0 or more)
 * is read up to the snapshot length and the rest skipped. The input ending
 * inside a record is "truncated dump file; ..." in libpcap's words, which
 * capture-file.c reports as CAPTURE_TRUNCATED.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "capture-map.h"
#include "capture-pcap.h"
#include "cursor.h"
#include "decode.h"
#include "mem-alloc.h"

enum {
	PCAPFILE_MAGIC_US = 0xa1b2c3d4,
	PCAPFILE_MAGIC_NS = 0xa1b23c4d,
	PCAPFILE_RECORD_HEADER = 16,
	PCAPFILE_MAX_SNAPLEN = 262144, /* libpcap's MAXIMUM_SNAPLEN for every link type taken here */
	PCAPFILE_BUFFER = 1 << 20,
	PREFETCH_AHEAD = 1024, /* bytes: some ten records of a header-only capture */
};

struct pcapfile {
	FILE *fp;
	int fd;			       /* read() from it, or -1: fread() from fp (a memory stream) */
	bool big_endian, microseconds; /* the file's byte order and time unit */
	bool swapped;		       /* big_endian is not the host's */
	int linktype;
	uint32_t snapshot;
	uint8_t *buf;	      /* what read() fills, or NULL when mapped */
	const uint8_t *bytes; /* buf, or the mapping of the whole file */
	size_t start, end;    /* of bytes */
	uint64_t buf_offset;  /* the file offset of bytes[0] */
	struct file_map *map;
	const volatile sig_atomic_t *map_cut; /* the mapping's flag: the file was cut short while mapped */
	size_t release_at;		      /* start at which to hand pages of the mapping back */
};

/* The file header's fields: byte order and time unit from the magic, then version, snaplen and link type. */
struct pcapfile_header {
	bool big_endian, microseconds;
	uint16_t major, minor;
	uint32_t snaplen, linktype;
};

static uint32_t pcapfile_u32(const uint8_t *p, bool big_endian)
{
	struct cursor c = cursor_make(p, 4);
	return big_endian ? cursor_be32(&c) : cursor_le32(&c);
}

/* pcapfile_u32() for the fields of each record: one load, and a swap when the file is not in host order. */
static uint32_t record_u32(const uint8_t *p, bool swapped)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return swapped ? __builtin_bswap32(v) : v;
}

static uint16_t pcapfile_u16(const uint8_t *p, bool big_endian)
{
	struct cursor c = cursor_make(p, 2);
	return big_endian ? cursor_be16(&c) : cursor_le16(&c);
}

/* libpcap's "swapped": the file was written in the other byte order than this host's. */
static bool pcapfile_swapped(bool big_endian)
{
	const uint16_t one = 1;
	uint8_t first;
	memcpy(&first, &one, 1);
	return big_endian != (first == 0);
}

/* Parses the file header (in its writer's byte order); false if the magic is not a standard one. */
static bool pcapfile_parse(const uint8_t *head, size_t n, struct pcapfile_header *h)
{
	if (n < PCAPFILE_HEADER)
		return false;
	uint32_t le = pcapfile_u32(head, false), be = pcapfile_u32(head, true);
	uint32_t magic;
	if (le == PCAPFILE_MAGIC_US || le == PCAPFILE_MAGIC_NS) {
		h->big_endian = false;
		magic = le;
	} else if (be == PCAPFILE_MAGIC_US || be == PCAPFILE_MAGIC_NS) {
		h->big_endian = true;
		magic = be;
	} else {
		return false;
	}
	h->microseconds = magic == PCAPFILE_MAGIC_US;
	h->major = pcapfile_u16(head + 4, h->big_endian);
	h->minor = pcapfile_u16(head + 6, h->big_endian);
	h->snaplen = pcapfile_u32(head + 16, h->big_endian);
	h->linktype = pcapfile_u32(head + 20, h->big_endian);
	return true;
}

/*
 * The DLT_ value of a LINKTYPE_ value this reader takes, or -1: link types we
 * decode, with no extension bits, mapped as libpcap maps them. SLL, SLL2 and
 * NFLOG are left to libpcap in byte-swapped files, where it rewrites their
 * pseudo-headers.
 */
static int pcapfile_dlt(uint32_t linktype, bool swapped)
{
	switch (linktype) {
	case 0:
		return DLT_NULL;
	case 1:
		return DLT_EN10MB;
	case 9:
		return DLT_PPP;
	case 10:
		return DLT_FDDI;
	case 50:
		return DLT_PPP_SERIAL;
	case 101:
		return DLT_RAW;
	case 104:
		return DLT_C_HDLC;
	case 105:
		return DLT_IEEE802_11;
	case 108:
		return DLT_LOOP;
	case 192:
		return DLT_PPI;
	case 228:
		return DLT_IPV4;
	case 229:
		return DLT_IPV6;
	case 113:
		return swapped ? -1 : DLT_LINUX_SLL;
	case 239:
		return swapped ? -1 : DLT_NFLOG;
	case 276:
		return swapped ? -1 : DLT_LINUX_SLL2;
	default:
		return -1;
	}
}

bool pcapfile_takes(const uint8_t *head, size_t n)
{
	struct pcapfile_header h;
	if (!pcapfile_parse(head, n, &h) || h.major != 2 || h.minor != 4)
		return false;
	int dlt = pcapfile_dlt(h.linktype, pcapfile_swapped(h.big_endian));
	return dlt >= 0 && decode_linktype_supported(dlt);
}

struct pcapfile *pcapfile_open(FILE *fp, const uint8_t *head)
{
	struct pcapfile_header h;
	pcapfile_parse(head, PCAPFILE_HEADER, &h);
	struct pcapfile *pf = xcalloc(1, sizeof *pf);
	pf->fp = fp;
	pf->fd = fileno(fp);
	pf->big_endian = h.big_endian;
	pf->swapped = pcapfile_swapped(h.big_endian);
	pf->microseconds = h.microseconds;
	pf->linktype = pcapfile_dlt(h.linktype, pf->swapped);
	/* libpcap's pcap_adjust_snapshot(): 0, negative as an int, or too large means the maximum. */
	pf->snapshot = h.snaplen == 0 || h.snaplen > PCAPFILE_MAX_SNAPLEN ? PCAPFILE_MAX_SNAPLEN : h.snaplen;
	pf->buf = xmalloc(PCAPFILE_BUFFER);
	pf->bytes = pf->buf;
	off_t pos = ftello(fp);
	pf->buf_offset = pos >= 0 ? (uint64_t)pos : PCAPFILE_HEADER;
	if (pf->fd >= 0 && pos >= 0)
		lseek(pf->fd, pos, SEEK_SET); /* the stream may have read ahead of its position */
	return pf;
}

/* One read of up to n bytes into dst: > 0 bytes, 0 at the end of input, -1 on an error (errno set). */
static ssize_t pcapfile_read(struct pcapfile *pf, uint8_t *dst, size_t n)
{
	if (pf->fd < 0) {
		clearerr(pf->fp); /* a file still being written may have grown since the last end of file */
		size_t got = fread(dst, 1, n, pf->fp);
		return got == 0 && ferror(pf->fp) ? -1 : (ssize_t)got;
	}
	for (;;) {
		ssize_t got = read(pf->fd, dst, n);
		if (got >= 0 || errno != EINTR)
			return got;
	}
}

/*
 * Makes at least `need` unread bytes available if the input has them.
 * Returns how many are available (fewer than need at the end of input), or
 * -1 on a read error.
 */
static ssize_t pcapfile_fill(struct pcapfile *pf, size_t need)
{
	size_t have = pf->end - pf->start;
	if (have >= need || pf->map)
		return (ssize_t)have;
	if (pf->start + need > PCAPFILE_BUFFER) {
		memmove(pf->buf, pf->buf + pf->start, have);
		pf->buf_offset += pf->start;
		pf->start = 0;
		pf->end = have;
	}
	while (have < need) {
		ssize_t got = pcapfile_read(pf, pf->buf + pf->end, PCAPFILE_BUFFER - pf->end);
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		pf->end += (size_t)got;
		have += (size_t)got;
	}
	return (ssize_t)have;
}

/* pcapfile_fill() without a call when the bytes are already there (nearly always). */
static inline ssize_t pcapfile_have(struct pcapfile *pf, size_t need)
{
	size_t have = pf->end - pf->start;
	return have >= need ? (ssize_t)have : pcapfile_fill(pf, need);
}

/* The input ended inside a record (err already says where): the partial record is consumed, as libpcap does. */
static enum capture_status pcapfile_cut(struct pcapfile *pf)
{
	pf->start = pf->end;
	return CAPTURE_TRUNCATED;
}

static enum capture_status pcapfile_read_error(char *err, size_t errlen)
{
	snprintf(err, errlen, "error reading dump file: %s", strerror(errno));
	return CAPTURE_ERROR;
}

/* The mapped file was cut short by someone else (capture-map.h): the records from here on are gone. */
static enum capture_status pcapfile_cut_under_us(struct pcapfile *pf, char *err, size_t errlen)
{
	snprintf(err, errlen, "the file was cut short while being read, at or before byte %" PRIu64,
		 pf->buf_offset + pf->start);
	return pcapfile_cut(pf);
}

/* Hands out the record whose header is at h, caplen bytes long in the file, of which kept are returned, and moves past
 * it. */
static enum capture_status pcapfile_deliver(struct pcapfile *pf, struct capture_record *rec, const uint8_t *h,
					    uint32_t caplen, uint32_t kept)
{
	uint32_t sec_field = record_u32(h, pf->swapped), frac_field = record_u32(h + 4, pf->swapped);
	int64_t sec = pf->swapped ? (int64_t)sec_field : (int64_t)(int32_t)sec_field;
	int64_t frac = pf->swapped ? (int64_t)frac_field : (int64_t)(int32_t)frac_field;
	rec->offset = pf->buf_offset + pf->start;
	/* Some writers store sub-second fields >= 1e9; carry them over as tshark does. */
	rec->time_ns = sec * 1000000000 + frac * (pf->microseconds ? 1000 : 1);
	rec->caplen = kept;
	rec->wirelen = record_u32(h + 12, pf->swapped);
	rec->linktype = pf->linktype;
	rec->data = h + PCAPFILE_RECORD_HEADER;
	pf->start += PCAPFILE_RECORD_HEADER + (size_t)caplen;
	return CAPTURE_PACKET;
}

/*
 * pcapfile_next() for every case: records past the snapshot length, reading
 * more, the end, errors, a cut mapping. Marked cold so that it is not
 * inlined into pcapfile_next(), whose common case then saves no registers.
 */
__attribute__((cold)) static enum capture_status pcapfile_next_in_full(struct pcapfile *pf, struct capture_record *rec,
								       char *err, size_t errlen)
{
	if (pf->map) {
		if (*pf->map_cut)
			return pcapfile_cut_under_us(pf, err, errlen);
		if (pf->start >= pf->release_at)
			pf->release_at = file_map_release(pf->map, pf->start);
	}
	ssize_t have = pcapfile_have(pf, PCAPFILE_RECORD_HEADER);
	if (have < 0)
		return pcapfile_read_error(err, errlen);
	if (have == 0)
		return CAPTURE_END;
	if (have < PCAPFILE_RECORD_HEADER) {
		snprintf(err, errlen, "truncated dump file; tried to read %d header bytes, only got %zd",
			 PCAPFILE_RECORD_HEADER, have);
		return pcapfile_cut(pf);
	}
	uint32_t caplen = record_u32(pf->bytes + pf->start + 8, pf->swapped);
	if (caplen > PCAPFILE_MAX_SNAPLEN) { /* the snapshot length is at most that: libpcap names it */
		snprintf(err, errlen, "invalid packet capture length %u, bigger than snaplen of %d", caplen,
			 (int)pf->snapshot);
		return CAPTURE_ERROR;
	}
	uint32_t kept = caplen;
	if (caplen > pf->snapshot) { /* libpcap reads the snapshot length and skips the rest */
		have = pcapfile_fill(pf, PCAPFILE_RECORD_HEADER + (size_t)pf->snapshot);
		if (have < 0)
			return pcapfile_read_error(err, errlen);
		if ((size_t)have < PCAPFILE_RECORD_HEADER + (size_t)pf->snapshot) {
			snprintf(err, errlen, "truncated dump file; tried to read %d captured bytes, only got %zd",
				 (int)pf->snapshot, have - PCAPFILE_RECORD_HEADER);
			return pcapfile_cut(pf);
		}
		kept = pf->snapshot;
	}
	have = pcapfile_have(pf, PCAPFILE_RECORD_HEADER + (size_t)caplen);
	if (have < 0)
		return pcapfile_read_error(err, errlen);
	if ((size_t)have < PCAPFILE_RECORD_HEADER + (size_t)caplen) {
		snprintf(err, errlen, "truncated dump file; tried to read %u captured bytes, only got %zd", caplen,
			 have - PCAPFILE_RECORD_HEADER);
		return pcapfile_cut(pf);
	}
	if (pf->map && *pf->map_cut) /* the record read as zeros */
		return pcapfile_cut_under_us(pf, err, errlen);
	return pcapfile_deliver(pf, rec, pf->bytes + pf->start, caplen, kept); /* the fill may have moved it */
}

enum capture_status pcapfile_next(struct pcapfile *pf, struct capture_record *rec, char *err, size_t errlen)
{
	/*
	 * Nearly always the whole record is at hand and within the snapshot
	 * length. The mapping's cut flag is read after the header, so a cut
	 * under this header or the last record's data is seen here.
	 */
	const uint8_t *h = pf->bytes + pf->start;
	size_t have = pf->end - pf->start;
	if (have >= PCAPFILE_RECORD_HEADER) {
		uint32_t caplen = record_u32(h + 8, pf->swapped);
		if (caplen <= pf->snapshot && have - PCAPFILE_RECORD_HEADER >= caplen &&
		    !(pf->map && (*pf->map_cut || pf->start >= pf->release_at))) {
			/*
			 * Two cache lines some records ahead are asked for now: the
			 * hardware's prefetch stops at every 4 KiB page, and a
			 * thread passing over other threads' records waits on
			 * little else (bench-large, 2 threads: about 4 ms less).
			 */
			if (have >= PREFETCH_AHEAD + 128) {
				__builtin_prefetch(h + PREFETCH_AHEAD);
				__builtin_prefetch(h + PREFETCH_AHEAD + 64);
			}
			return pcapfile_deliver(pf, rec, h, caplen, caplen);
		}
	}
	return pcapfile_next_in_full(pf, rec, err, errlen);
}

/* The file's fields a record header is read and judged with. */
struct pcapfile_format {
	bool swapped, microseconds;
	uint32_t snapshot;
	int64_t first_sec; /* of the first record */
};

/*
 * Whether a record header at h could be genuine: its lengths and fraction
 * of a second in range, its time within some years of the first record's.
 * Several in a chain are what pcapfile_sample() takes as a record start.
 */
static bool plausible_header(const struct pcapfile_format *fmt, const uint8_t *h, uint32_t *caplen)
{
	int64_t sec = (int64_t)(int32_t)record_u32(h, fmt->swapped);
	uint32_t frac = record_u32(h + 4, fmt->swapped), wirelen = record_u32(h + 12, fmt->swapped);
	*caplen = record_u32(h + 8, fmt->swapped);
	int64_t drift = sec > fmt->first_sec ? sec - fmt->first_sec : fmt->first_sec - sec;
	return *caplen <= fmt->snapshot && *caplen <= wirelen && wirelen <= 16 * PCAPFILE_MAX_SNAPLEN &&
	       frac < (fmt->microseconds ? 1000000u : 1000000000u) && drift < ((int64_t)1 << 28);
}

/*
 * Hands fn the records of one window of the file, buf[0, len), from the
 * first byte at which a chain of plausible headers starts: four of them, or
 * two that run to the window's end, or one that ends the file. Only the
 * first bytes are tried, and chains are short, so that no content makes
 * this slow.
 */
static void sample_window(const struct pcapfile_format *fmt, int linktype, const uint8_t *buf, size_t len,
			  bool ends_file, unsigned per_window, capture_sample_fn fn, void *ctx)
{
	enum { CONFIRMING_HEADERS = 4, STARTS_TRIED = 4096 };
	uint32_t caplen;
	for (size_t start = 0; start < STARTS_TRIED && start + PCAPFILE_RECORD_HEADER <= len; start++) {
		size_t at = start, headers = 0;
		while (headers < CONFIRMING_HEADERS && at + PCAPFILE_RECORD_HEADER <= len &&
		       plausible_header(fmt, buf + at, &caplen)) {
			at += PCAPFILE_RECORD_HEADER + (size_t)caplen;
			headers++;
		}
		bool at_window_end = at + PCAPFILE_RECORD_HEADER > len;
		if (headers < CONFIRMING_HEADERS && !(at_window_end && (headers >= 2 || (ends_file && at == len))))
			continue;
		for (at = start; per_window-- > 0 && at + PCAPFILE_RECORD_HEADER <= len;
		     at += PCAPFILE_RECORD_HEADER + caplen) {
			if (!plausible_header(fmt, buf + at, &caplen) || at + PCAPFILE_RECORD_HEADER + caplen > len)
				return;
			fn(ctx, linktype, buf + at + PCAPFILE_RECORD_HEADER, caplen);
		}
		return;
	}
}

void pcapfile_sample(int fd, const uint8_t *head, uint64_t size, unsigned windows, unsigned per_window,
		     capture_sample_fn fn, void *ctx)
{
	enum { WINDOW = 4096 };
	struct pcapfile_header h;
	uint8_t first[PCAPFILE_RECORD_HEADER];
	if (!pcapfile_parse(head, PCAPFILE_HEADER, &h) || size < PCAPFILE_HEADER + PCAPFILE_RECORD_HEADER ||
	    pread(fd, first, sizeof first, PCAPFILE_HEADER) != (ssize_t)sizeof first)
		return;
	struct pcapfile_format fmt = {.swapped = pcapfile_swapped(h.big_endian), .microseconds = h.microseconds};
	fmt.snapshot = h.snaplen == 0 || h.snaplen > PCAPFILE_MAX_SNAPLEN ? PCAPFILE_MAX_SNAPLEN : h.snaplen;
	fmt.first_sec = (int64_t)(int32_t)record_u32(first, fmt.swapped);
	int linktype = pcapfile_dlt(h.linktype, fmt.swapped);
	uint8_t *buf = xmalloc(WINDOW);
	uint64_t span = size - PCAPFILE_HEADER;
	for (unsigned i = 0; i < windows; i++) {
		uint64_t at = PCAPFILE_HEADER + span * i / windows;
		ssize_t got = pread(fd, buf, WINDOW, (off_t)at);
		if (got <= 0)
			break;
		sample_window(&fmt, linktype, buf, (size_t)got, at + (uint64_t)got >= size, per_window, fn, ctx);
	}
	free(buf);
}

int pcapfile_linktype(const struct pcapfile *pf)
{
	return pf->linktype;
}

uint64_t pcapfile_offset(const struct pcapfile *pf)
{
	return pf->buf_offset + pf->start;
}

void pcapfile_map(struct pcapfile *pf)
{
	struct stat st;
	if (pf->map || pf->fd < 0 || fstat(pf->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	uint64_t at = pf->buf_offset + pf->start;
	if ((uint64_t)st.st_size <= at)
		return;
	pf->map = file_map_open(pf->fd, (uint64_t)st.st_size);
	if (!pf->map)
		return;
	free(pf->buf);
	pf->buf = NULL;
	pf->bytes = file_map_data(pf->map);
	pf->map_cut = file_map_cut_flag(pf->map);
	pf->release_at = file_map_release(pf->map, (size_t)at);
	pf->buf_offset = 0;
	pf->start = (size_t)at;
	pf->end = (size_t)st.st_size;
}

int pcapfile_seek(struct pcapfile *pf, uint64_t offset, char *err, size_t errlen)
{
	if (pf->map) {
		if (offset > pf->end) {
			snprintf(err, errlen, "cannot seek past the end of the file");
			return -1;
		}
		pf->start = (size_t)offset;
		return 0;
	}
	bool moved = pf->fd >= 0 ? lseek(pf->fd, (off_t)offset, SEEK_SET) >= 0
				 : fseeko(pf->fp, (off_t)offset, SEEK_SET) == 0;
	if (!moved) {
		snprintf(err, errlen, "cannot seek in this input");
		return -1;
	}
	pf->buf_offset = offset;
	pf->start = pf->end = 0;
	return 0;
}

void pcapfile_close(struct pcapfile *pf)
{
	if (!pf)
		return;
	if (pf->fp != stdin)
		fclose(pf->fp);
	file_map_close(pf->map);
	free(pf->buf);
	free(pf);
}
