/*
 * capture-decompress.c - gzip (zlib) and zstd (libzstd) capture files as a
 * stdio stream of their decompressed bytes (capture-decompress.h).
 *
 * Data flow: fread() fills `in` from the compressed stream; the
 * decompressor turns it into bytes delivered to the reader through the
 * stream's stdio buffer of DECOMPRESS_OUT bytes (an unbuffered stream would
 * be read a byte at a time by glibc). stdio refills its buffer whole, and
 * those reads are decompressed straight into it; the first chunk of the
 * data, and any smaller read, goes through `out`, which holds the
 * decompressed bytes [out_base, out_base + out_len). So the file header,
 * read once to tell the format and again by the reader, is read again from
 * `out`, even from a pipe.
 *
 * `in_frame` is set while a gzip member or zstd frame has begun and not yet
 * ended: the input ending then is a cut, and ending between members is the
 * end of the file.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "capture-decompress.h"
#include "mem-alloc.h"

#define DECOMPRESS_IN (128u << 10)
#define DECOMPRESS_OUT (128u << 10)

struct decompress {
	enum decompress_format format;
	FILE *src;
	off_t start; /* of the compressed data in src, or < 0 if src cannot seek */
	uint8_t *in, *out;
	size_t in_pos, in_len;
	size_t out_pos, out_len;
	uint64_t out_base; /* decompressed offset of out[0] */
	uint64_t src_read; /* compressed bytes read from src */
	bool src_ended;	   /* fread() met the end of src */
	bool in_frame;	   /* a member (gzip) or frame (zstd) is under way */
	bool started;	   /* the decoder has been used since it was last set up */
	bool cut, failed;
	char message[256];
#ifdef HAVE_ZLIB
	z_stream z;
#endif
#ifdef HAVE_ZSTD
	ZSTD_DStream *zd;
#endif
};

enum decompress_format decompress_detect(const uint8_t *head, size_t n)
{
	if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b) /* RFC 1952 §2.3.1: ID1, ID2 */
		return DECOMPRESS_GZIP;
	if (n >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd) /* RFC 8878 §3.1.1 */
		return DECOMPRESS_ZSTD;
	return DECOMPRESS_NONE;
}

const char *decompress_format_name(enum decompress_format format)
{
	return format == DECOMPRESS_GZIP ? "gzip" : format == DECOMPRESS_ZSTD ? "zstd" : "uncompressed";
}

uint64_t decompress_consumed(const struct decompress *d)
{
	return d->src_read - (d->in_len - d->in_pos);
}

/* The data is corrupt at or before compressed byte `at`. */
static ssize_t decompress_fail(struct decompress *d, uint64_t at, const char *why)
{
	snprintf(d->message, sizeof d->message, "corrupt %s data at or before compressed byte %" PRIu64 ": %s",
		 decompress_format_name(d->format), at, why);
	d->failed = true;
	return -1;
}

/*
 * One step of the decoder over what is in `in`, into dst: sets *produced.
 * Returns -1 on corrupt data.
 */
static int decompress_step(struct decompress *d, uint8_t *dst, size_t cap, size_t *produced)
{
	*produced = 0;
#ifdef HAVE_ZLIB
	if (d->format == DECOMPRESS_GZIP) {
		if (!d->in_frame && d->started)
			inflateReset(&d->z); /* the next member */
		d->started = d->in_frame = true;
		d->z.next_in = d->in + d->in_pos;
		d->z.avail_in = (uInt)(d->in_len - d->in_pos);
		d->z.next_out = dst;
		d->z.avail_out = (uInt)cap;
		int rc = inflate(&d->z, Z_NO_FLUSH);
		d->in_pos = d->in_len - d->z.avail_in;
		*produced = cap - d->z.avail_out;
		if (rc == Z_STREAM_END)
			d->in_frame = false;
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			return (int)decompress_fail(d, decompress_consumed(d), d->z.msg ? d->z.msg : "inflate failed");
		return 0;
	}
#endif
#ifdef HAVE_ZSTD
	if (d->format == DECOMPRESS_ZSTD) {
		ZSTD_inBuffer ib = {d->in, d->in_len, d->in_pos};
		ZSTD_outBuffer ob = {dst, cap, 0};
		size_t rc = ZSTD_decompressStream(d->zd, &ob, &ib);
		d->in_pos = ib.pos;
		*produced = ob.pos;
		if (ZSTD_isError(rc))
			return (int)decompress_fail(d, d->src_read,
						    ZSTD_getErrorName(rc)); /* where in `in`, zstd does not say */
		d->started = true;
		d->in_frame = rc != 0; /* 0: a frame was decoded and flushed whole */
		return 0;
	}
#endif
	(void)dst;
	(void)cap;
	return (int)decompress_fail(d, 0, "no decoder"); /* decompress_open() refuses formats not built in */
}

/*
 * Decompresses up to cap bytes into dst. Returns how many (> 0), 0 at the
 * end of the data (decompress_cut() says whether it ended early), or -1 when
 * the data is corrupt or the input failed.
 */
static ssize_t decompress_produce(struct decompress *d, uint8_t *dst, size_t cap)
{
	if (d->failed)
		return -1;
	for (;;) {
		if (d->in_pos == d->in_len && !d->src_ended) {
			d->in_len = fread(d->in, 1, DECOMPRESS_IN, d->src);
			d->in_pos = 0;
			d->src_read += d->in_len;
			if (d->in_len < DECOMPRESS_IN) {
				if (ferror(d->src)) {
					snprintf(d->message, sizeof d->message, "read error: %s", strerror(errno));
					d->failed = true;
					return -1;
				}
				d->src_ended = true;
			}
		}
		bool no_input = d->in_pos == d->in_len;
		if (no_input && !d->in_frame)
			return 0;
		size_t produced;
		if (decompress_step(d, dst, cap, &produced) != 0)
			return -1;
		if (produced)
			return (ssize_t)produced;
		if (no_input) { /* the decoder wants more, and there is none */
			snprintf(d->message, sizeof d->message,
				 "the %s data ends early: the file was cut short after %" PRIu64 " compressed bytes",
				 decompress_format_name(d->format), d->src_read);
			d->cut = true;
			return 0;
		}
	}
}

static ssize_t decompress_read(void *cookie, char *buf, size_t size)
{
	struct decompress *d = cookie;
	size_t done = 0;
	while (done < size) {
		if (d->out_pos < d->out_len) {
			size_t n = d->out_len - d->out_pos < size - done ? d->out_len - d->out_pos : size - done;
			memcpy(buf + done, d->out + d->out_pos, n);
			d->out_pos += n;
			done += n;
			continue;
		}
		d->out_base += d->out_len;
		d->out_pos = d->out_len = 0;
		bool direct = size - done >= DECOMPRESS_OUT && d->out_base > 0;
		ssize_t n = decompress_produce(d, direct ? (uint8_t *)buf + done : d->out,
					       direct ? size - done : DECOMPRESS_OUT);
		if (n <= 0)
			break;
		if (direct) {
			done += (size_t)n;
			d->out_base += (uint64_t)n;
		} else {
			d->out_len = (size_t)n;
		}
	}
	if (done == 0 && d->failed) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)done;
}

/* Sets the decoder up (again) for the start of the data. */
static void decompress_reset(struct decompress *d)
{
#ifdef HAVE_ZLIB
	if (d->format == DECOMPRESS_GZIP)
		inflateReset(&d->z);
#endif
#ifdef HAVE_ZSTD
	if (d->format == DECOMPRESS_ZSTD)
		ZSTD_DCtx_reset(d->zd, ZSTD_reset_session_only);
#endif
	d->in_pos = d->in_len = d->out_pos = d->out_len = 0;
	d->out_base = d->src_read = 0;
	d->src_ended = d->in_frame = d->started = d->cut = d->failed = false;
	d->message[0] = '\0';
}

/* fseeko() on the stream: see the top of capture-decompress.h for what it costs. */
static int decompress_seek(void *cookie, off64_t *offset, int whence)
{
	struct decompress *d = cookie;
	uint64_t here = d->out_base + d->out_pos, target;
	if (whence == SEEK_SET && *offset >= 0)
		target = (uint64_t)*offset;
	else if (whence == SEEK_CUR && *offset >= 0)
		target = here + (uint64_t)*offset;
	else if (whence == SEEK_CUR && (uint64_t) - *offset <= here)
		target = here - (uint64_t) - *offset;
	else {
		errno = EINVAL;
		return -1;
	}
	if (target < d->out_base) { /* behind what is at hand: decompress again from the start */
		if (d->start < 0 || fseeko(d->src, d->start, SEEK_SET) != 0) {
			errno = ESPIPE;
			return -1;
		}
		decompress_reset(d);
	}
	while (target > d->out_base + d->out_len) {
		d->out_base += d->out_len;
		d->out_pos = d->out_len = 0;
		ssize_t n = decompress_produce(d, d->out, DECOMPRESS_OUT);
		if (n <= 0) {
			errno = EINVAL; /* past the end of the data */
			return -1;
		}
		d->out_len = (size_t)n;
	}
	d->out_pos = (size_t)(target - d->out_base);
	*offset = (off64_t)target;
	return 0;
}

static int decompress_close(void *cookie)
{
	struct decompress *d = cookie;
#ifdef HAVE_ZLIB
	if (d->format == DECOMPRESS_GZIP)
		inflateEnd(&d->z);
#endif
#ifdef HAVE_ZSTD
	if (d->format == DECOMPRESS_ZSTD)
		ZSTD_freeDStream(d->zd);
#endif
	int rc = d->src == stdin ? 0 : fclose(d->src);
	free(d->in);
	free(d->out);
	free(d);
	return rc;
}

/* Whether this build has a decoder for the format (configure found its library). */
static bool decompress_built_in(enum decompress_format format)
{
#ifdef HAVE_ZLIB
	if (format == DECOMPRESS_GZIP)
		return true;
#endif
#ifdef HAVE_ZSTD
	if (format == DECOMPRESS_ZSTD)
		return true;
#endif
	return false;
}

/* Sets up the decoder of d->format; false if this build has none or it cannot be set up. */
static bool decompress_init(struct decompress *d)
{
#ifdef HAVE_ZLIB
	if (d->format == DECOMPRESS_GZIP)
		return inflateInit2(&d->z, 16 + MAX_WBITS) == Z_OK; /* 16: a gzip wrapper (RFC 1952), not zlib's */
#endif
#ifdef HAVE_ZSTD
	if (d->format == DECOMPRESS_ZSTD) {
		d->zd = ZSTD_createDStream();
		return d->zd && !ZSTD_isError(ZSTD_initDStream(d->zd));
	}
#endif
	return false;
}

FILE *decompress_open(FILE *src, off_t start, enum decompress_format format, struct decompress **out, char *err,
		      size_t errlen)
{
	struct decompress *d = xcalloc(1, sizeof *d);
	d->format = format;
	d->src = src;
	d->start = start;
	if (!decompress_init(d)) {
		if (decompress_built_in(format))
			snprintf(err, errlen, "cannot set up the %s decoder", decompress_format_name(format));
		else
			snprintf(err, errlen, "the file is %s-compressed, and this tcpscope was built without %s",
				 decompress_format_name(format), format == DECOMPRESS_GZIP ? "zlib" : "libzstd");
		if (src != stdin)
			fclose(src);
		free(d);
		return NULL;
	}
	d->in = xmalloc(DECOMPRESS_IN);
	d->out = xmalloc(DECOMPRESS_OUT);
	cookie_io_functions_t io = {.read = decompress_read, .seek = decompress_seek, .close = decompress_close};
	FILE *fp = fopencookie(d, "rb", io);
	if (!fp) {
		snprintf(err, errlen, "%s", strerror(errno));
		decompress_close(d);
		return NULL;
	}
	setvbuf(fp, NULL, _IOFBF, DECOMPRESS_OUT);
	*out = d;
	return fp;
}

bool decompress_cut(const struct decompress *d)
{
	return d->cut;
}

bool decompress_failed(const struct decompress *d)
{
	return d->failed;
}

const char *decompress_message(const struct decompress *d)
{
	return d->message;
}
