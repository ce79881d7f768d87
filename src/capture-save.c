/*
 * capture-save.c - the `-w FILE` writer: pcap via libpcap's dumper on a
 * "dead" handle of the capture's link type, or pcapng written here.
 *
 * pcapng (draft-ietf-opsawg-pcapng): one Section Header Block, one Interface
 * Description Block (link type, snaplen, if_name; if_tsresol 9 for
 * nanoseconds, else none: the default microseconds), then one Enhanced
 * Packet Block per record. A nanosecond pcap has the nanosecond magic
 * (libpcap's dumper on a handle of nanosecond precision). Blocks are written in host byte order, which the byte-
 * order magic of the section header announces; bodies are padded to 32 bits.
 * A write error (disk full) is remembered and reported at flush or close, so
 * a long capture never stops for it but the user learns the file is short.
 */
#include "config.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "capture-save.h"
#include "mem-alloc.h"

enum {
	PCAPNG_SHB = 0x0A0D0D0A,
	PCAPNG_IDB = 0x00000001,
	PCAPNG_EPB = 0x00000006,
	PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D,
	PCAPNG_OPT_END = 0,
	PCAPNG_SHB_USERAPPL = 4,
	PCAPNG_IF_NAME = 2,
	PCAPNG_IF_TSRESOL = 9,
};

struct capture_save {
	char *path;
	FILE *f;	       /* the file; for pcap, the dumper's */
	pcap_t *dead;	       /* pcap: the handle the dumper was made from */
	pcap_dumper_t *dumper; /* pcap: NULL for pcapng */
	int write_errno;       /* first write error, 0 if none */
	bool nanosecond;       /* timestamps in nanoseconds, else microseconds */
};

/* True if path names a pcapng file (by its extension). */
static bool capture_save_is_pcapng(const char *path)
{
	size_t n = strlen(path);
	return n >= 7 && strcasecmp(path + n - 7, ".pcapng") == 0;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void put(struct capture_save *s, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, s->f) != n && !s->write_errno)
		s->write_errno = errno ? errno : EIO;
}

static void put32(struct capture_save *s, uint32_t v)
{
	put(s, &v, 4);
}

static void put16(struct capture_save *s, uint16_t v)
{
	put(s, &v, 2);
}

/* A pcapng option: code, length, value padded to 32 bits. */
static size_t option_size(const char *value)
{
	return 4 + pad4(strlen(value));
}

static void put_option(struct capture_save *s, uint16_t code, const char *value)
{
	static const uint8_t zeros[4];
	size_t len = strlen(value);
	put16(s, code);
	put16(s, (uint16_t)len);
	put(s, value, len);
	put(s, zeros, pad4(len) - len);
}

static void pcapng_headers(struct capture_save *s, int linktype, int snaplen, const char *device)
{
	const char *appl = "tcpscope " PACKAGE_VERSION;
	uint32_t len = (uint32_t)(28 + option_size(appl) + 4);
	put32(s, PCAPNG_SHB);
	put32(s, len);
	put32(s, PCAPNG_BYTE_ORDER_MAGIC);
	put16(s, 1); /* version 1.0 */
	put16(s, 0);
	put32(s, 0xffffffff); /* section length unknown (-1, 64 bits) */
	put32(s, 0xffffffff);
	put_option(s, PCAPNG_SHB_USERAPPL, appl);
	put32(s, PCAPNG_OPT_END);
	put32(s, len);

	const char *name = device ? device : "";
	len = (uint32_t)(20 + (*name ? option_size(name) : 0) + (s->nanosecond ? 8 : 0) + 4);
	put32(s, PCAPNG_IDB);
	put32(s, len);
	put16(s, (uint16_t)linktype);
	put16(s, 0);
	put32(s, (uint32_t)snaplen);
	if (*name)
		put_option(s, PCAPNG_IF_NAME, name);
	if (s->nanosecond) {
		put16(s, PCAPNG_IF_TSRESOL);
		put16(s, 1);
		static const uint8_t nanoseconds[4] = {9}; /* 10^-9 s, then padding to 32 bits */
		put(s, nanoseconds, sizeof nanoseconds);
	}
	put32(s, PCAPNG_OPT_END);
	put32(s, len);
}

struct capture_save *capture_save_open(const char *path, int linktype, int snaplen, const char *device, bool nanosecond,
				       char *err, size_t errlen)
{
	struct capture_save *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->nanosecond = nanosecond;
	if (capture_save_is_pcapng(path)) {
		s->f = fopen(path, "wb");
		if (!s->f) {
			snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
			goto fail;
		}
		pcapng_headers(s, linktype, snaplen, device);
	} else {
		s->dead = pcap_open_dead_with_tstamp_precision(
			linktype, snaplen, nanosecond ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
		s->dumper = s->dead ? pcap_dump_open(s->dead, path) : NULL;
		if (!s->dumper) {
			snprintf(err, errlen, "%s: cannot create: %s", path,
				 s->dead ? pcap_geterr(s->dead) : "libpcap refused the link type");
			goto fail;
		}
		s->f = pcap_dump_file(s->dumper);
	}
	return s;
fail:
	if (s->dead)
		pcap_close(s->dead);
	free(s->path);
	free(s);
	return NULL;
}

int capture_save_write(struct capture_save *s, const struct capture_record *rec, uint64_t *offset)
{
	if (offset) {
		long pos = ftell(s->f);
		*offset = pos < 0 ? 0 : (uint64_t)pos;
	}
	int64_t units_per_s = s->nanosecond ? 1000000000 : 1000000;
	int64_t ticks = s->nanosecond ? rec->time_ns : rec->time_ns / 1000;
	if (s->dumper) {
		/* On a nanosecond handle libpcap's dumper reads tv_usec as nanoseconds. */
		struct pcap_pkthdr h = {.caplen = rec->caplen, .len = rec->wirelen};
		h.ts.tv_sec = (time_t)(ticks / units_per_s);
		h.ts.tv_usec = (suseconds_t)(ticks % units_per_s);
		pcap_dump((u_char *)s->dumper, &h, rec->data);
		if (ferror(s->f) && !s->write_errno)
			s->write_errno = errno ? errno : EIO;
	} else {
		static const uint8_t zeros[4];
		uint32_t len = (uint32_t)(28 + pad4(rec->caplen) + 4);
		put32(s, PCAPNG_EPB);
		put32(s, len);
		put32(s, 0); /* interface 0 */
		put32(s, (uint32_t)((uint64_t)ticks >> 32));
		put32(s, (uint32_t)ticks);
		put32(s, rec->caplen);
		put32(s, rec->wirelen);
		put(s, rec->data, rec->caplen);
		put(s, zeros, pad4(rec->caplen) - rec->caplen);
		put32(s, len);
	}
	return s->write_errno ? -1 : 0;
}

int capture_save_flush(struct capture_save *s)
{
	if (fflush(s->f) != 0 && !s->write_errno)
		s->write_errno = errno;
	return s->write_errno ? -1 : 0;
}

int capture_save_chown(struct capture_save *s, unsigned uid, unsigned gid)
{
	return fchown(fileno(s->f), (uid_t)uid, (gid_t)gid);
}

int capture_save_close(struct capture_save *s, char *err, size_t errlen)
{
	if (!s)
		return 0;
	capture_save_flush(s);
	int rc = 0;
	if (s->dumper) {
		pcap_dump_close(s->dumper); /* closes s->f */
		pcap_close(s->dead);
	} else if (fclose(s->f) != 0 && !s->write_errno) {
		s->write_errno = errno;
	}
	if (s->write_errno) {
		snprintf(err, errlen, "%s: write failed, the file is incomplete: %s", s->path,
			 strerror(s->write_errno));
		rc = -1;
	}
	free(s->path);
	free(s);
	return rc;
}
