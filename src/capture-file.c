/*
 * capture-file.c - capture source over pcap and pcapng files.
 *
 * The first 24 bytes decide who reads a file. Ordinary classic pcap (the
 * standard magics, version 2.4, a link type we decode) is read by
 * capture-pcap.c straight from a large buffer; pcapng by capture-pcapng.c,
 * since libpcap refuses files whose interfaces differ in link type or
 * snapshot length; anything else by libpcap, which knows every old variant
 * and words every refusal. A stream that cannot seek back over the sniffed
 * bytes (a pipe on stdin) is made unbuffered first, so the sniff takes only
 * those bytes: our pcap reader goes on from there with read(), and the
 * other two get a stream that replays them.
 *
 * Timestamps are nanoseconds (libpcap is opened with nanosecond precision)
 * so none is rounded. A BPF filter is compiled by libpcap for the file's
 * link type and applied with pcap_offline_filter(). A file cut inside a record is reported as
 * CAPTURE_TRUNCATED: every whole packet before the cut has already been
 * delivered.
 */
#include "config.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture-decompress.h"
#include "capture-linktype.h"
#include "capture-parts.h"
#include "capture-pcap.h"
#include "capture-pcapng.h"
#include "capture.h"
#include "decode.h"
#include "mem-alloc.h"

enum { PCAP_MAGIC_NANO = 0xa1b23c4d, PCAP_MAGIC_NANO_SWAPPED = 0x4d3cb2a1 };

struct capture {
	pcap_t *pcap;		   /* pcap input read by libpcap, or NULL */
	struct pcapfile *pf;	   /* pcap input read by capture-pcap.c */
	struct pcapng *ng;	   /* pcapng input */
	struct capture_join *join; /* the parts of one capture (capture-join.c): none of the three above */
	const struct capture_parts_ops *join_ops; /* how to read join (capture-parts.h) */
	struct decompress *dz;			  /* compressed input: the decompressor under the reader, or NULL */
	struct bpf_program filter;
	bool has_filter;
	bool nanosecond;
	bool no_offsets;    /* records carry offset 0 (capture_read_through) */
	bool keep_rejected; /* records the filter rejects are returned too, with frame 0 (capture-parts.h) */
	uint64_t frame;
	uint64_t size;
	char error[CAPTURE_ERRBUF_SIZE];
};

/* Whether a file header of n bytes is that of a nanosecond pcap. */
static bool head_is_nanosecond(const uint8_t *m, size_t n)
{
	uint32_t magic = n < 4 ? 0 : (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
	return magic == PCAP_MAGIC_NANO || magic == PCAP_MAGIC_NANO_SWAPPED;
}

bool capture_file_is_nanosecond(const char *path)
{
	char err[CAPTURE_ERRBUF_SIZE];
	struct capture *cap = capture_open_file(path, NULL, err, sizeof err);
	bool nanosecond = cap && capture_nanosecond(cap);
	capture_close(cap);
	return nanosecond;
}

static struct capture *capture_wrap(pcap_t *p, const char *path, const char *filter, char *err, size_t errlen);
static struct capture *capture_open_reader(FILE *fp, off_t start, const uint8_t *head, size_t n, const char *name,
					   const char *filter, char *err, size_t errlen);

struct capture *capture_open_file(const char *path, const char *filter, char *err, size_t errlen)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct capture *cap = capture_open_stream(fp, path, filter, err, errlen);
	if (cap && !is_stdin) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			cap->size = (uint64_t)st.st_size;
	} else if (cap) {
		cap->nanosecond = false; /* standard input is printed in microseconds, whatever it holds */
	}
	return cap;
}

void capture_sample_file(const char *path, unsigned windows, unsigned per_window, capture_sample_fn fn, void *ctx)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return;
	uint8_t head[PCAPFILE_HEADER];
	struct stat st;
	if (fread(head, 1, sizeof head, fp) == sizeof head && pcapfile_takes(head, sizeof head) &&
	    fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
		pcapfile_sample(fileno(fp), head, (uint64_t)st.st_size, windows, per_window, fn, ctx);
	fclose(fp);
}

/* A stream that cannot seek, whose first bytes were already read: replays them, then reads on. */
struct capture_replay {
	FILE *src;
	uint8_t head[PCAPFILE_HEADER];
	size_t n, pos;
};

static ssize_t capture_replay_read(void *cookie, char *buf, size_t size)
{
	struct capture_replay *r = cookie;
	size_t done = 0;
	while (done < size && r->pos < r->n)
		buf[done++] = (char)r->head[r->pos++];
	if (done < size)
		done += fread(buf + done, 1, size - done, r->src);
	return done == 0 && ferror(r->src) ? -1 : (ssize_t)done;
}

static int capture_replay_close(void *cookie)
{
	struct capture_replay *r = cookie;
	int rc = r->src == stdin ? 0 : fclose(r->src);
	free(r);
	return rc;
}

/*
 * Returns a stream that starts again at the n sniffed bytes in head: fp
 * moved back to start if it can seek, otherwise a replaying wrapper. NULL
 * (errno set) if the wrapper fails.
 */
static FILE *capture_rewind(FILE *fp, off_t start, const uint8_t *head, size_t n)
{
	if (start >= 0 && fseeko(fp, start, SEEK_SET) == 0)
		return fp;
	struct capture_replay *r = xcalloc(1, sizeof *r);
	r->src = fp;
	memcpy(r->head, head, n);
	r->n = n;
	cookie_io_functions_t io = {.read = capture_replay_read, .close = capture_replay_close};
	FILE *replay = fopencookie(r, "rb", io);
	if (!replay)
		free(r);
	return replay;
}

static struct capture *capture_open_pcapng(FILE *fp, const char *name, const char *filter, char *err, size_t errlen)
{
	char ng_err[CAPTURE_ERRBUF_SIZE];
	struct pcapng *ng = pcapng_open(fp, filter, ng_err, sizeof ng_err);
	if (!ng) {
		snprintf(err, errlen, "%s: %s", name, ng_err);
		return NULL;
	}
	struct capture *cap = xcalloc(1, sizeof *cap);
	cap->ng = ng;
	return cap;
}

/*
 * Classic pcap through capture-pcap.c. The filter is compiled by libpcap on
 * a handle it opens over a copy of the file header: what it generates
 * depends on reading a savefile (its byte order; for DLT_NULL, every BSD's
 * AF_INET6; inbound/outbound refused), which a pcap_open_dead() handle is not.
 */
static struct capture *capture_open_pcapfile(FILE *fp, const uint8_t *head, const char *name, const char *filter,
					     char *err, size_t errlen)
{
	struct capture *cap = xcalloc(1, sizeof *cap);
	cap->pf = pcapfile_open(fp, head);
	if (filter && *filter) {
		char pcap_err[PCAP_ERRBUF_SIZE] = "out of memory";
		uint8_t copy[PCAPFILE_HEADER];
		memcpy(copy, head, sizeof copy);
		FILE *header = fmemopen(copy, sizeof copy, "rb");
		pcap_t *p =
			header ? pcap_fopen_offline_with_tstamp_precision(header, PCAP_TSTAMP_PRECISION_NANO, pcap_err)
			       : NULL;
		if (!p && header)
			fclose(header);
		if (p && pcap_compile(p, &cap->filter, filter, 1, PCAP_NETMASK_UNKNOWN) == 0) {
			cap->has_filter = true;
		} else {
			snprintf(err, errlen, "%s: bad filter \"%s\": %s", name, filter, p ? pcap_geterr(p) : pcap_err);
			pcapfile_close(cap->pf);
			free(cap);
			cap = NULL;
		}
		if (p)
			pcap_close(p);
	}
	return cap;
}

static struct capture *capture_open_sniffed(FILE *fp, const char *name, const char *filter, bool plain, char *err,
					    size_t errlen);

/*
 * A compressed stream, its first n bytes (head) already read from fp: the
 * capture is read from the stream of its decompressed bytes. Those are
 * sniffed first here, so that data corrupt from its first bytes is refused
 * with the decompressor's words, not the reader's.
 */
static struct capture *capture_open_compressed(FILE *fp, off_t start, const uint8_t *head, size_t n,
					       enum decompress_format format, const char *name, const char *filter,
					       char *err, size_t errlen)
{
	char why[CAPTURE_ERRBUF_SIZE];
	FILE *in = capture_rewind(fp, start, head, n);
	struct decompress *dz = NULL;
	FILE *plain = in ? decompress_open(in, start, format, &dz, why, sizeof why) : NULL;
	if (!in) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		if (fp != stdin)
			fclose(fp);
		return NULL;
	}
	if (!plain) {
		snprintf(err, errlen, "%s: %s", name, why);
		return NULL;
	}
	uint8_t sniff[PCAPFILE_HEADER];
	size_t got = fread(sniff, 1, sizeof sniff, plain);
	if (decompress_failed(dz) || (got == 0 && decompress_cut(dz))) {
		snprintf(err, errlen, "%s: %s", name, decompress_message(dz));
		fclose(plain);
		return NULL;
	}
	fseeko(plain, 0, SEEK_SET); /* back over bytes still in the decompressor's buffer: cannot fail */
	struct capture *cap = capture_open_sniffed(plain, name, filter, true, err, errlen);
	if (cap)
		cap->dz = dz;
	return cap;
}

struct capture *capture_open_stream(FILE *fp, const char *name, const char *filter, char *err, size_t errlen)
{
	return capture_open_sniffed(fp, name, filter, false, err, errlen);
}

/* Opens fp by its first bytes; plain: it is a decompressed stream already, which is not decompressed again. */
static struct capture *capture_open_sniffed(FILE *fp, const char *name, const char *filter, bool plain, char *err,
					    size_t errlen)
{
	uint8_t head[PCAPFILE_HEADER];
	off_t start = ftello(fp);
	if (start < 0)
		setvbuf(fp, NULL, _IONBF, 0); /* nothing read ahead of the sniff: see the top of the file */
	size_t n = fread(head, 1, sizeof head, fp);
	enum decompress_format format = plain ? DECOMPRESS_NONE : decompress_detect(head, n);
	if (format != DECOMPRESS_NONE)
		return capture_open_compressed(fp, start, head, n, format, name, filter, err, errlen);
	struct capture *cap = capture_open_reader(fp, start, head, n, name, filter, err, errlen);
	if (cap)
		cap->nanosecond = head_is_nanosecond(head, n);
	return cap;
}

/* Opens the reader for an uncompressed stream whose first n bytes (head) were read from fp. */
static struct capture *capture_open_reader(FILE *fp, off_t start, const uint8_t *head, size_t n, const char *name,
					   const char *filter, char *err, size_t errlen)
{
	if (pcapfile_takes(head, n))
		return capture_open_pcapfile(fp, head, name, filter, err, errlen);
	FILE *in = capture_rewind(fp, start, head, n);
	if (!in) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		if (fp != stdin)
			fclose(fp);
		return NULL;
	}
	if (pcapng_is_magic(head, n))
		return capture_open_pcapng(in, name, filter, err, errlen);
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(in, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
	if (!p) {
		if (in != stdin)
			fclose(in);
		snprintf(err, errlen, "%s: %s", name, pcap_err);
		return NULL;
	}
	return capture_wrap(p, name, filter, err, errlen);
}

/* Wraps an opened pcap handle: checks the link type, compiles the filter. */
static struct capture *capture_wrap(pcap_t *p, const char *path, const char *filter, char *err, size_t errlen)
{
	int linktype = pcap_datalink(p);
	if (!decode_linktype_supported(linktype)) {
		snprintf(err, errlen, "%s: unsupported link type %s (%d)", path, capture_linktype_name(linktype),
			 linktype);
		pcap_close(p);
		return NULL;
	}
	struct capture *cap = xcalloc(1, sizeof *cap);
	cap->pcap = p;
	if (filter && *filter) {
		if (pcap_compile(p, &cap->filter, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(err, errlen, "%s: bad filter \"%s\": %s", path, filter, pcap_geterr(p));
			pcap_close(p);
			free(cap);
			return NULL;
		}
		cap->has_filter = true;
	}
	return cap;
}

/*
 * What a reader's end means over compressed input: the decompressor knows
 * whether the data is corrupt (the reader then failed, or read garbage) or
 * was cut short (the reader may have met a clean end between records).
 */
__attribute__((cold)) static enum capture_status capture_end_of(struct capture *cap, enum capture_status st)
{
	if (!cap->dz || st == CAPTURE_PACKET)
		return st;
	if (decompress_failed(cap->dz)) {
		snprintf(cap->error, sizeof cap->error, "%s", decompress_message(cap->dz));
		return CAPTURE_ERROR;
	}
	if (decompress_cut(cap->dz) && st != CAPTURE_ERROR) {
		snprintf(cap->error, sizeof cap->error, "%s", decompress_message(cap->dz));
		return CAPTURE_TRUNCATED;
	}
	return st;
}

/* A record the filter rejected, returned with frame 0 when the capture is a part of a join. */
static enum capture_status capture_rejected(struct capture_record *rec)
{
	rec->frame = 0;
	return CAPTURE_PACKET;
}

/*
 * capture_next() over pcapng: every packet is a frame, the filter picks
 * which are returned. Not inlined, like capture_next_libpcap(): capture_next()
 * then saves no registers for the classic pcap reader.
 */
__attribute__((noinline)) static enum capture_status capture_next_pcapng(struct capture *cap,
									 struct capture_record *rec)
{
	for (;;) {
		bool wanted;
		enum capture_status st = pcapng_next(cap->ng, rec, &wanted, cap->error, sizeof cap->error);
		if (st != CAPTURE_PACKET)
			return capture_end_of(cap, st);
		cap->frame++;
		if (wanted) {
			rec->frame = cap->frame;
			return CAPTURE_PACKET;
		}
		if (cap->keep_rejected)
			return capture_rejected(rec);
	}
}

/* Whether the filter takes a record (not inlined: its pcap_pkthdr would give capture_next() a stack frame). */
__attribute__((noinline)) static bool record_passes(struct capture *cap, const struct capture_record *rec)
{
	struct pcap_pkthdr hdr = {.caplen = rec->caplen, .len = rec->wirelen};
	return pcap_offline_filter(&cap->filter, &hdr, rec->data) != 0;
}

/* capture_next() over capture-pcap.c: every record is a frame, the filter picks which are returned. */
static enum capture_status capture_next_pcapfile(struct capture *cap, struct capture_record *rec)
{
	for (;;) {
		enum capture_status st = pcapfile_next(cap->pf, rec, cap->error, sizeof cap->error);
		if (st != CAPTURE_PACKET)
			return capture_end_of(cap, st);
		cap->frame++;
		if (!cap->has_filter || record_passes(cap, rec)) {
			rec->frame = cap->frame;
			return CAPTURE_PACKET;
		}
		if (cap->keep_rejected)
			return capture_rejected(rec);
	}
}

/* capture_next() over libpcap (not inlined: see capture_next_pcapng()). */
__attribute__((noinline)) static enum capture_status capture_next_libpcap(struct capture *cap,
									  struct capture_record *rec)
{
	for (;;) {
		struct pcap_pkthdr *hdr;
		const u_char *data;
		uint64_t offset = cap->no_offsets ? 0 : capture_offset(cap);
		int rc = pcap_next_ex(cap->pcap, &hdr, &data);
		if (rc == PCAP_ERROR) {
			snprintf(cap->error, sizeof cap->error, "%s", pcap_geterr(cap->pcap));
			return capture_end_of(cap, strstr(cap->error, "truncated") ? CAPTURE_TRUNCATED : CAPTURE_ERROR);
		}
		if (rc != 1)
			return capture_end_of(cap, CAPTURE_END);
		cap->frame++;
		bool rejected = cap->has_filter && !pcap_offline_filter(&cap->filter, hdr, data);
		if (rejected && !cap->keep_rejected)
			continue;
		rec->frame = rejected ? 0 : cap->frame;
		rec->offset = offset;
		/* Some writers store sub-second fields >= 1e9; carry them over as tshark does. */
		rec->time_ns = (int64_t)hdr->ts.tv_sec * 1000000000 + (int64_t)hdr->ts.tv_usec;
		rec->caplen = hdr->caplen;
		rec->wirelen = hdr->len;
		rec->linktype = pcap_datalink(cap->pcap);
		rec->data = data;
		return CAPTURE_PACKET;
	}
}

enum capture_status capture_next(struct capture *cap, struct capture_record *rec)
{
	if (cap->pf)
		return capture_next_pcapfile(cap, rec);
	if (cap->ng)
		return capture_next_pcapng(cap, rec);
	if (cap->join)
		return cap->join_ops->next(cap->join, rec, cap->error, sizeof cap->error);
	return capture_next_libpcap(cap, rec);
}

void capture_keep_rejected(struct capture *cap)
{
	cap->keep_rejected = true;
}

struct capture *capture_of_parts(const struct capture_parts_ops *ops, struct capture_join *j)
{
	struct capture *cap = xcalloc(1, sizeof *cap);
	cap->join = j;
	cap->join_ops = ops;
	for (size_t i = 0; i < ops->count(j); i++) {
		const struct capture *part = ops->part(j, i);
		cap->nanosecond |= part->nanosecond;
		cap->size += part->size;
	}
	return cap;
}

size_t capture_parts(const struct capture *cap)
{
	return cap->join ? cap->join_ops->count(cap->join) : 1;
}

const char *capture_part_name(const struct capture *cap, size_t i)
{
	return cap->join_ops->name(cap->join, i);
}

char *capture_title(const struct capture *cap)
{
	size_t n = capture_parts(cap), len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(capture_part_name(cap, i)) + 3;
	char *title = xmalloc(len);
	title[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(title, " + ");
		strcat(title, capture_part_name(cap, i));
	}
	return title;
}

const char *capture_error(const struct capture *cap)
{
	return cap->error;
}

int capture_linktype(const struct capture *cap)
{
	if (cap->join) {
		int first = -1;
		capture_linktypes(cap, &first, 1);
		return first;
	}
	if (cap->pf)
		return pcapfile_linktype(cap->pf);
	return cap->ng ? pcapng_linktype(cap->ng) : pcap_datalink(cap->pcap);
}

/* The link types of a join: every part's, each once, in the parts' order. */
static size_t capture_join_linktypes(const struct capture *cap, int *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < cap->join_ops->count(cap->join); i++) {
		int lts[CAPTURE_MAX_LINKTYPES];
		size_t k = capture_linktypes(cap->join_ops->part(cap->join, i), lts, CAPTURE_MAX_LINKTYPES);
		for (size_t a = 0; a < k && a < CAPTURE_MAX_LINKTYPES; a++) {
			bool seen = false;
			for (size_t b = 0; b < n && b < max && !seen; b++)
				seen = out[b] == lts[a];
			if (seen)
				continue;
			if (n < max)
				out[n] = lts[a];
			n++;
		}
	}
	return n;
}

size_t capture_linktypes(const struct capture *cap, int *out, size_t max)
{
	if (cap->join)
		return capture_join_linktypes(cap, out, max);
	if (cap->ng)
		return pcapng_linktypes(cap->ng, out, max);
	if (max > 0)
		out[0] = capture_linktype(cap);
	return 1;
}

bool capture_nanosecond(const struct capture *cap)
{
	return cap->nanosecond;
}

uint64_t capture_offset(const struct capture *cap)
{
	if (cap->join)
		return cap->join_ops->offset(cap->join);
	if (cap->pf)
		return pcapfile_offset(cap->pf);
	if (cap->ng)
		return pcapng_offset(cap->ng);
	FILE *f = pcap_file(cap->pcap);
	long pos = f ? ftell(f) : -1;
	return pos < 0 ? 0 : (uint64_t)pos;
}

void capture_read_through(struct capture *cap)
{
	cap->no_offsets = true;
	if (cap->pf)
		pcapfile_map(cap->pf);
	for (size_t i = 0; cap->join && i < cap->join_ops->count(cap->join); i++)
		capture_read_through(cap->join_ops->part(cap->join, i));
}

uint64_t capture_read_bytes(const struct capture *cap)
{
	uint64_t sum = 0;
	for (size_t i = 0; cap->join && i < cap->join_ops->count(cap->join); i++)
		sum += capture_read_bytes(cap->join_ops->part(cap->join, i));
	if (cap->join)
		return sum;
	return cap->dz ? decompress_consumed(cap->dz) : capture_offset(cap);
}

uint64_t capture_size(const struct capture *cap)
{
	return cap->size;
}

int capture_seek(struct capture *cap, uint64_t offset, uint64_t frame)
{
	if (cap->join)
		return cap->join_ops->seek(cap->join, offset, frame, cap->error, sizeof cap->error);
	if (cap->pf || cap->ng) {
		if (cap->pf ? pcapfile_seek(cap->pf, offset, cap->error, sizeof cap->error) != 0
			    : pcapng_seek(cap->ng, offset, cap->error, sizeof cap->error) != 0)
			return -1;
		cap->frame = frame ? frame - 1 : 0;
		return 0;
	}
	FILE *f = pcap_file(cap->pcap);
	if (!f || fseeko(f, (off_t)offset, SEEK_SET) != 0) {
		snprintf(cap->error, sizeof cap->error, "cannot seek in this input");
		return -1;
	}
	cap->frame = frame ? frame - 1 : 0;
	return 0;
}

void capture_close(struct capture *cap)
{
	if (!cap)
		return;
	if (cap->has_filter)
		pcap_freecode(&cap->filter);
	if (cap->pf)
		pcapfile_close(cap->pf);
	else if (cap->ng)
		pcapng_close(cap->ng);
	else if (cap->join)
		cap->join_ops->close(cap->join);
	else
		pcap_close(cap->pcap);
	free(cap);
}
