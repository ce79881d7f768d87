/*
 * capture-pcapng.c - a small pcapng reader (draft-ietf-opsawg-pcapng) for
 * files with several interfaces, each with its own link type, snapshot
 * length and timestamp resolution.
 *
 * Data flow: every block is read whole into one reusable buffer (blocks we
 * do not use are read through and dropped), its leading and trailing lengths
 * are checked, and its fields are read through a bounds-checked cursor in
 * the byte order of its section. Section and interface headers update the
 * tables below; packet blocks become capture records whose bytes stay in the
 * buffer until the next call.
 *
 * Tables: interfaces are kept in file order across all sections, and each
 * section remembers where it starts in the file, its byte order and its run
 * of interfaces, so capture_seek() can return to any packet. `scanned` is the
 * end of the furthest block already taken into the tables; a block before it
 * is being read a second time and is not added again. Link types get one
 * entry each, with the BPF program compiled for it (pcap_open_dead +
 * pcap_compile) when a filter is set.
 *
 * Outcomes: a file cut inside a block is CAPTURE_TRUNCATED after the last
 * whole packet; a block that contradicts the format (bad lengths, a packet on
 * an undeclared interface, a captured length past the block) is
 * CAPTURE_ERROR with a message naming the block's offset.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "capture-linktype.h"
#include "capture-pcapng.h"
#include "cursor.h"
#include "decode.h"
#include "mem-alloc.h"

enum {
	PCAPNG_SHB = 0x0a0d0d0a, /* Section Header Block (§4.1): the same in both byte orders */
	PCAPNG_IDB = 1,		 /* Interface Description Block (§4.2) */
	PCAPNG_PB = 2,		 /* obsolete Packet Block (Appendix A) */
	PCAPNG_SPB = 3,		 /* Simple Packet Block (§4.4) */
	PCAPNG_EPB = 6,		 /* Enhanced Packet Block (§4.3) */
};

enum {
	PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d,
	PCAPNG_OPT_ENDOFOPT = 0,
	PCAPNG_OPT_IF_TSRESOL = 9,
	PCAPNG_OPT_IF_TSOFFSET = 14,
	PCAPNG_TSRESOL_DEFAULT = 6, /* microseconds when if_tsresol is absent */
	PCAPNG_MIN_BLOCK = 12,	    /* type, leading and trailing length */
	PCAPNG_MIN_SHB = 28,	    /* plus byte-order magic, version, section length */
	PCAPNG_FILTER_SNAPLEN = 262144,
	PCAPNG_MAX_LINKTYPES = CAPTURE_MAX_LINKTYPES, /* real files have a handful */
};

#define PCAPNG_INITIAL_BUFFER 65536
#define PCAPNG_NS 1000000000u
#define PCAPNG_TIME_MASK ((UINT64_C(1) << 62) - 1) /* capture times wrap into [0, 2^62) ns */

struct pcapng_interface {
	uint64_t offset;  /* where its IDB starts: packets before that cannot use it */
	int linktype;	  /* a DLT_ value */
	uint32_t snaplen; /* 0 = unlimited */
	uint8_t tsresol;  /* if_tsresol: 10^-n seconds, or 2^-n with bit 7 set */
	int64_t tsoffset; /* if_tsoffset: seconds added to every timestamp */
	size_t lt;	  /* index into pcapng.lts */
};

struct pcapng_section {
	uint64_t offset; /* where its SHB starts */
	bool big_endian;
	size_t first, count; /* its interfaces: ifs[first .. first + count) */
};

/* One link type of the file, with the filter compiled for it. */
struct pcapng_linktype {
	int linktype;
	bool compiled; /* prog holds a program */
	struct bpf_program prog;
};

/* A block read into the buffer: header fields, and its body as a cursor. */
struct pcapng_block {
	uint64_t offset;
	uint32_t type, length;
	struct cursor body; /* between the leading and the trailing length */
};

enum pcapng_read {
	PCAPNG_READ_BLOCK, /* a whole block is in the buffer */
	PCAPNG_READ_EOF,   /* the input ended between blocks */
	PCAPNG_READ_CUT,   /* the input ended inside a block */
	PCAPNG_READ_BAD,   /* the block is invalid or the read failed */
};

struct pcapng {
	FILE *fp;
	char *filter;				/* NULL: accept everything */
	char filter_error[CAPTURE_ERRBUF_SIZE]; /* why the filter first failed to compile for a link type */
	uint64_t offset, scanned;
	bool big_endian; /* byte order of the current section */
	uint8_t *buf;
	size_t buf_cap;

	struct pcapng_section *sections;
	size_t nsections, sections_cap, cur;
	struct pcapng_interface *ifs;
	size_t nifs, ifs_cap;
	struct pcapng_linktype *lts;
	size_t nlts, lts_cap;

	/* What pcapng_open() read ahead: the first packet block, or where the input was cut. */
	bool pending;
	struct pcapng_block pending_block;
	bool deferred_cut;
	char deferred_msg[CAPTURE_ERRBUF_SIZE];
};

static const uint64_t pcapng_pow10[20] = {
	1u,
	10u,
	100u,
	1000u,
	10000u,
	100000u,
	1000000u,
	10000000u,
	100000000u,
	1000000000u,
	10000000000u,
	100000000000u,
	1000000000000u,
	10000000000000u,
	100000000000000u,
	1000000000000000u,
	10000000000000000u,
	100000000000000000u,
	1000000000000000000u,
	10000000000000000000u,
};

bool pcapng_is_magic(const uint8_t *head, size_t n)
{
	return n >= 4 && head[0] == 0x0a && head[1] == 0x0d && head[2] == 0x0d && head[3] == 0x0a;
}

static uint16_t pcapng_u16(struct cursor *c, bool big_endian)
{
	return big_endian ? cursor_be16(c) : cursor_le16(c);
}

static uint32_t pcapng_u32(struct cursor *c, bool big_endian)
{
	return big_endian ? cursor_be32(c) : cursor_le32(c);
}

static uint64_t pcapng_u64(struct cursor *c, bool big_endian)
{
	uint64_t a = pcapng_u32(c, big_endian), b = pcapng_u32(c, big_endian);
	return big_endian ? a << 32 | b : b << 32 | a;
}

/* pcapng stores LINKTYPE_ values; the few that differ from this platform's DLT_ values are mapped as libpcap does. */
static int pcapng_dlt(uint16_t linktype)
{
	switch (linktype) {
	case 100:
		return DLT_ATM_RFC1483;
	case 101:
		return DLT_RAW;
	case 102:
		return DLT_SLIP_BSDOS;
	case 103:
		return DLT_PPP_BSDOS;
	case 108:
		return DLT_LOOP;
	default:
		return linktype;
	}
}

/*
 * Converts a timestamp in an interface's units to nanoseconds since the
 * epoch (§4.2 if_tsresol, if_tsoffset). Arithmetic is unsigned, so absurd
 * values wrap instead of overflowing, and the result wraps into [0, 2^62) ns
 * (1970 to 2116): like classic pcap's 32-bit seconds, that keeps the
 * difference of any two capture times within int64_t for the engine.
 */
static int64_t pcapng_time_ns(const struct pcapng_interface *ifc, uint64_t ts)
{
	unsigned n = ifc->tsresol & 0x7f; /* at most 63 (2^-n) or 19 (10^-n): checked with the interface */
	uint64_t ns;
	if (ifc->tsresol & 0x80) { /* keep at most 34 fraction bits so that frac * 1e9 fits */
		uint64_t frac = ts & ((UINT64_C(1) << n) - 1);
		unsigned bits = n > 34 ? 34 : n;
		ns = (ts >> n) * PCAPNG_NS + (((frac >> (n - bits)) * PCAPNG_NS) >> bits);
	} else if (n <= 9) {
		ns = ts / pcapng_pow10[n] * PCAPNG_NS + ts % pcapng_pow10[n] * pcapng_pow10[9 - n];
	} else {
		ns = ts / pcapng_pow10[n - 9];
	}
	return (int64_t)((ns + (uint64_t)ifc->tsoffset * PCAPNG_NS) & PCAPNG_TIME_MASK);
}

/* Reads up to n bytes into dst, counting them into the offset; returns how many arrived. */
static size_t pcapng_fill(struct pcapng *ng, uint8_t *dst, size_t n)
{
	size_t got = fread(dst, 1, n, ng->fp);
	ng->offset += got;
	return got;
}

/* The input stopped early: a read error, or the end of the file inside the block. */
static enum pcapng_read pcapng_stopped(struct pcapng *ng, const struct pcapng_block *blk, uint64_t want, char *err,
				       size_t errlen)
{
	if (ferror(ng->fp)) {
		snprintf(err, errlen, "read error: %s", strerror(errno));
		return PCAPNG_READ_BAD;
	}
	snprintf(err, errlen,
		 "truncated pcapng file: the block at offset %" PRIu64 " needs %" PRIu64
		 " bytes, the file ends after %" PRIu64,
		 blk->offset, want, ng->offset - blk->offset);
	return PCAPNG_READ_CUT;
}

static void pcapng_reserve(struct pcapng *ng, size_t n)
{
	if (n <= ng->buf_cap)
		return;
	size_t cap = ng->buf_cap * 2 > n ? ng->buf_cap * 2 : n;
	ng->buf = xrealloc(ng->buf, cap);
	ng->buf_cap = cap;
}

/*
 * Reads the next block whole into the buffer (§3.1 general block structure)
 * and checks its lengths. A Section Header Block sets the byte order of what
 * follows, so its length is read only after its byte-order magic.
 */
static enum pcapng_read pcapng_read_block(struct pcapng *ng, struct pcapng_block *blk, char *err, size_t errlen)
{
	clearerr(ng->fp); /* a file still being written (live -w) may have grown since the last end of file */
	blk->offset = ng->offset;
	size_t got = pcapng_fill(ng, ng->buf, 8);
	if (got == 0 && !ferror(ng->fp))
		return PCAPNG_READ_EOF;
	if (got < 8)
		return pcapng_stopped(ng, blk, 8, err, errlen);
	struct cursor head = cursor_make(ng->buf, 8);
	blk->type = pcapng_u32(&head, ng->big_endian);
	if (blk->type == PCAPNG_SHB) {
		if (pcapng_fill(ng, ng->buf + 8, 4) < 4)
			return pcapng_stopped(ng, blk, PCAPNG_MIN_SHB, err, errlen);
		struct cursor bom = cursor_make(ng->buf + 8, 4);
		uint32_t magic = cursor_be32(&bom);
		if (magic != PCAPNG_BYTE_ORDER_MAGIC && magic != 0x4d3c2b1a) {
			snprintf(err, errlen,
				 "section header at offset %" PRIu64 " has a bad byte-order magic 0x%08" PRIx32,
				 blk->offset, magic);
			return PCAPNG_READ_BAD;
		}
		ng->big_endian = magic == PCAPNG_BYTE_ORDER_MAGIC;
	}
	blk->length = pcapng_u32(&head, ng->big_endian);
	uint32_t min = blk->type == PCAPNG_SHB ? PCAPNG_MIN_SHB : PCAPNG_MIN_BLOCK;
	if (blk->length < min || blk->length % 4 != 0) {
		snprintf(err, errlen,
			 "block at offset %" PRIu64 " has an invalid length %" PRIu32 " (at least %" PRIu32
			 " and a multiple of 4)",
			 blk->offset, blk->length, min);
		return PCAPNG_READ_BAD;
	}
	if (blk->length > PCAPNG_MAX_BLOCK) {
		snprintf(err, errlen, "block at offset %" PRIu64 " is %" PRIu32 " bytes, more than the %u MiB limit",
			 blk->offset, blk->length, PCAPNG_MAX_BLOCK >> 20);
		return PCAPNG_READ_BAD;
	}
	bool keep = blk->type == PCAPNG_SHB || blk->type == PCAPNG_IDB || blk->type == PCAPNG_EPB ||
		    blk->type == PCAPNG_SPB || blk->type == PCAPNG_PB;
	size_t have = blk->type == PCAPNG_SHB ? 12 : 8;
	uint8_t skipped_tail[4];
	const uint8_t *tail = skipped_tail;
	if (keep) {
		pcapng_reserve(ng, blk->length);
		tail = ng->buf + blk->length - 4;
		if (pcapng_fill(ng, ng->buf + have, blk->length - have) < blk->length - have)
			return pcapng_stopped(ng, blk, blk->length, err, errlen);
	} else { /* read through it in buffer-sized chunks */
		size_t left = blk->length - have - 4;
		while (left > 0) {
			size_t chunk = left < ng->buf_cap ? left : ng->buf_cap;
			if (pcapng_fill(ng, ng->buf, chunk) < chunk)
				return pcapng_stopped(ng, blk, blk->length, err, errlen);
			left -= chunk;
		}
		if (pcapng_fill(ng, skipped_tail, 4) < 4)
			return pcapng_stopped(ng, blk, blk->length, err, errlen);
	}
	struct cursor tc = cursor_make(tail, 4);
	uint32_t trailing = pcapng_u32(&tc, ng->big_endian);
	if (trailing != blk->length) {
		snprintf(err, errlen, "block at offset %" PRIu64 " ends with length %" PRIu32 ", not %" PRIu32,
			 blk->offset, trailing, blk->length);
		return PCAPNG_READ_BAD;
	}
	blk->body = keep ? cursor_make(ng->buf + 8, blk->length - 12) : cursor_make(NULL, 0);
	return PCAPNG_READ_BLOCK;
}

/* The section a file offset falls in: the last one starting at or before it. */
static size_t pcapng_section_at(const struct pcapng *ng, uint64_t offset)
{
	size_t lo = 0, hi = ng->nsections;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (ng->sections[mid].offset <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static void pcapng_enter_section(struct pcapng *ng, size_t index)
{
	ng->cur = index;
	ng->big_endian = ng->sections[index].big_endian;
}

static int pcapng_section(struct pcapng *ng, const struct pcapng_block *blk, char *err, size_t errlen)
{
	struct cursor c = blk->body;
	cursor_skip(&c, 4); /* byte-order magic, already read */
	uint16_t major = pcapng_u16(&c, ng->big_endian);
	uint16_t minor = pcapng_u16(&c, ng->big_endian);
	if (major != 1 || (minor != 0 && minor != 2)) { /* 1.2 was written by some old tools; libpcap takes it too */
		snprintf(err, errlen, "section at offset %" PRIu64 " has pcapng version %u.%u, not 1.0", blk->offset,
			 major, minor);
		return -1;
	}
	if (blk->offset < ng->scanned) { /* read again after a seek back */
		pcapng_enter_section(ng, pcapng_section_at(ng, blk->offset));
		return 0;
	}
	ng->sections = xgrow(ng->sections, &ng->sections_cap, ng->nsections + 1, sizeof *ng->sections);
	ng->sections[ng->nsections] =
		(struct pcapng_section){.offset = blk->offset, .big_endian = ng->big_endian, .first = ng->nifs};
	pcapng_enter_section(ng, ng->nsections++);
	return 0;
}

/*
 * The entry for a link type, added (and the filter compiled for it) the first
 * time it appears. A filter that cannot apply to a link type ("vlan" on Linux
 * cooked, "ether host" on raw IP) matches none of its packets; pcapng_open()
 * refuses the filter only if it compiles for none of the link types.
 * Returns -1 past PCAPNG_MAX_LINKTYPES, which bounds the search and the compiling.
 */
static int pcapng_linktype_index(struct pcapng *ng, int linktype, size_t *index)
{
	for (size_t i = 0; i < ng->nlts; i++)
		if (ng->lts[i].linktype == linktype) {
			*index = i;
			return 0;
		}
	if (ng->nlts == PCAPNG_MAX_LINKTYPES)
		return -1;
	struct pcapng_linktype lt = {.linktype = linktype};
	pcap_t *dead = ng->filter ? pcap_open_dead(linktype, PCAPNG_FILTER_SNAPLEN) : NULL;
	if (dead) {
		lt.compiled = pcap_compile(dead, &lt.prog, ng->filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
		if (!lt.compiled && !ng->filter_error[0])
			snprintf(ng->filter_error, sizeof ng->filter_error, "bad filter \"%s\" for link type %s: %s",
				 ng->filter, capture_linktype_name(linktype), pcap_geterr(dead));
		pcap_close(dead);
	}
	ng->lts = xgrow(ng->lts, &ng->lts_cap, ng->nlts + 1, sizeof *ng->lts);
	ng->lts[ng->nlts] = lt;
	*index = ng->nlts++;
	return 0;
}

static int pcapng_interface(struct pcapng *ng, const struct pcapng_block *blk, char *err, size_t errlen)
{
	if (blk->offset < ng->scanned) /* read again after a seek back: already known */
		return 0;
	bool be = ng->big_endian;
	struct cursor c = blk->body;
	struct pcapng_interface ifc = {.offset = blk->offset, .tsresol = PCAPNG_TSRESOL_DEFAULT};
	ifc.linktype = pcapng_dlt(pcapng_u16(&c, be));
	cursor_skip(&c, 2); /* reserved */
	ifc.snaplen = pcapng_u32(&c, be);
	if (c.short_read) {
		snprintf(err, errlen, "interface block at offset %" PRIu64 " is too short", blk->offset);
		return -1;
	}
	bool have_tsresol = false, have_tsoffset = false;
	while (c.left >= 4) { /* options (§3.5): code, length, value padded to 32 bits */
		uint16_t code = pcapng_u16(&c, be), len = pcapng_u16(&c, be);
		struct cursor value = cursor_take(&c, len);
		cursor_skip(&c, (4 - len % 4) % 4);
		const char *bad = NULL;
		if (c.short_read)
			bad = "runs past the block";
		else if ((code == PCAPNG_OPT_IF_TSRESOL && have_tsresol) ||
			 (code == PCAPNG_OPT_IF_TSOFFSET && have_tsoffset))
			bad = "appears twice";
		else if ((code == PCAPNG_OPT_ENDOFOPT && len != 0) || (code == PCAPNG_OPT_IF_TSRESOL && len != 1) ||
			 (code == PCAPNG_OPT_IF_TSOFFSET && len != 8))
			bad = "has the wrong length";
		if (bad) {
			snprintf(err, errlen, "interface block at offset %" PRIu64 ": option %u (%s) %s", blk->offset,
				 code,
				 code == PCAPNG_OPT_ENDOFOPT	  ? "opt_endofopt"
				 : code == PCAPNG_OPT_IF_TSRESOL  ? "if_tsresol"
				 : code == PCAPNG_OPT_IF_TSOFFSET ? "if_tsoffset"
								  : "unknown",
				 bad);
			return -1;
		}
		if (code == PCAPNG_OPT_ENDOFOPT)
			break;
		if (code == PCAPNG_OPT_IF_TSRESOL) {
			ifc.tsresol = cursor_u8(&value);
			have_tsresol = true;
		} else if (code == PCAPNG_OPT_IF_TSOFFSET) {
			ifc.tsoffset = (int64_t)pcapng_u64(&value, be);
			have_tsoffset = true;
		}
	}
	unsigned exp = ifc.tsresol & 0x7f;
	if (exp > (ifc.tsresol & 0x80 ? 63u : 19u)) { /* a second would not fit 64 bits of units */
		snprintf(err, errlen, "interface block at offset %" PRIu64 ": timestamp resolution %s^-%u is too fine",
			 blk->offset, ifc.tsresol & 0x80 ? "2" : "10", exp);
		return -1;
	}
	if (pcapng_linktype_index(ng, ifc.linktype, &ifc.lt) != 0) {
		snprintf(err, errlen, "interface block at offset %" PRIu64 ": more than %d different link types",
			 blk->offset, PCAPNG_MAX_LINKTYPES);
		return -1;
	}
	ng->ifs = xgrow(ng->ifs, &ng->ifs_cap, ng->nifs + 1, sizeof *ng->ifs);
	ng->ifs[ng->nifs++] = ifc;
	ng->sections[ng->cur].count++;
	return 0;
}

/* Takes a block's section or interface header into the tables; every block then counts as scanned. */
static int pcapng_take(struct pcapng *ng, const struct pcapng_block *blk, char *err, size_t errlen)
{
	int rc = 0;
	if (blk->type == PCAPNG_SHB)
		rc = pcapng_section(ng, blk, err, errlen);
	else if (blk->type == PCAPNG_IDB)
		rc = pcapng_interface(ng, blk, err, errlen);
	if (rc == 0 && blk->offset + blk->length > ng->scanned)
		ng->scanned = blk->offset + blk->length;
	return rc;
}

static bool pcapng_is_packet(uint32_t type)
{
	return type == PCAPNG_EPB || type == PCAPNG_SPB || type == PCAPNG_PB;
}

/* Turns a packet block (EPB §4.3, SPB §4.4, obsolete PB) into a record. */
static enum capture_status pcapng_packet(struct pcapng *ng, const struct pcapng_block *blk, struct capture_record *rec,
					 bool *wanted, char *err, size_t errlen)
{
	bool be = ng->big_endian;
	struct cursor c = blk->body;
	uint32_t id = 0, caplen = 0, wirelen = 0;
	uint64_t ts = 0;
	if (blk->type == PCAPNG_SPB) {
		wirelen = pcapng_u32(&c, be);
	} else {
		id = blk->type == PCAPNG_EPB ? pcapng_u32(&c, be) : pcapng_u16(&c, be);
		if (blk->type == PCAPNG_PB)
			cursor_skip(&c, 2); /* drops count */
		uint64_t high = pcapng_u32(&c, be);
		ts = high << 32 | pcapng_u32(&c, be);
		caplen = pcapng_u32(&c, be);
		wirelen = pcapng_u32(&c, be);
	}
	if (c.short_read) {
		snprintf(err, errlen, "packet block at offset %" PRIu64 " is too short", blk->offset);
		return CAPTURE_ERROR;
	}
	const struct pcapng_section *s = &ng->sections[ng->cur];
	if (id >= s->count || ng->ifs[s->first + id].offset > blk->offset) {
		snprintf(err, errlen,
			 "packet block at offset %" PRIu64 " is on interface %" PRIu32
			 ", which its section has not declared",
			 blk->offset, id);
		return CAPTURE_ERROR;
	}
	const struct pcapng_interface *ifc = &ng->ifs[s->first + id];
	if (blk->type == PCAPNG_SPB) /* captured length = min(original length, snaplen of interface 0) */
		caplen = ifc->snaplen && wirelen > ifc->snaplen ? ifc->snaplen : wirelen;
	struct cursor data = cursor_take(&c, caplen);
	if (c.short_read) {
		snprintf(err, errlen,
			 "packet block at offset %" PRIu64 ": captured length %" PRIu32 " runs past the block",
			 blk->offset, caplen);
		return CAPTURE_ERROR;
	}
	rec->offset = blk->offset;
	rec->time_ns = pcapng_time_ns(ifc, ts);
	rec->caplen = caplen;
	rec->wirelen = wirelen;
	rec->linktype = ifc->linktype;
	rec->data = data.p;
	*wanted = true;
	if (ng->filter) {
		const struct pcapng_linktype *lt = &ng->lts[ifc->lt];
		struct pcap_pkthdr hdr = {.caplen = caplen, .len = wirelen};
		*wanted = lt->compiled && pcap_offline_filter(&lt->prog, &hdr, data.p) != 0;
	}
	return CAPTURE_PACKET;
}

enum capture_status pcapng_next(struct pcapng *ng, struct capture_record *rec, bool *wanted, char *err, size_t errlen)
{
	for (;;) {
		struct pcapng_block blk;
		if (ng->pending) {
			blk = ng->pending_block;
			ng->pending = false;
		} else if (ng->deferred_cut) {
			ng->deferred_cut = false;
			snprintf(err, errlen, "%s", ng->deferred_msg);
			return CAPTURE_TRUNCATED;
		} else {
			switch (pcapng_read_block(ng, &blk, err, errlen)) {
			case PCAPNG_READ_BLOCK:
				break;
			case PCAPNG_READ_EOF:
				return CAPTURE_END;
			case PCAPNG_READ_CUT:
				return CAPTURE_TRUNCATED;
			case PCAPNG_READ_BAD:
				return CAPTURE_ERROR;
			}
		}
		if (pcapng_take(ng, &blk, err, errlen) != 0)
			return CAPTURE_ERROR;
		if (pcapng_is_packet(blk.type))
			return pcapng_packet(ng, &blk, rec, wanted, err, errlen);
	}
}

struct pcapng *pcapng_open(FILE *fp, const char *filter, char *err, size_t errlen)
{
	struct pcapng *ng = xcalloc(1, sizeof *ng);
	ng->fp = fp;
	ng->filter = filter && *filter ? xstrdup(filter) : NULL;
	ng->buf_cap = PCAPNG_INITIAL_BUFFER;
	ng->buf = xmalloc(ng->buf_cap);

	struct pcapng_block blk;
	enum pcapng_read r = pcapng_read_block(ng, &blk, err, errlen);
	if (r == PCAPNG_READ_EOF)
		snprintf(err, errlen, "empty file");
	if (r == PCAPNG_READ_BLOCK && blk.type != PCAPNG_SHB) {
		snprintf(err, errlen, "not a pcapng file: it does not start with a section header");
		r = PCAPNG_READ_BAD;
	}
	if (r != PCAPNG_READ_BLOCK || pcapng_take(ng, &blk, err, errlen) != 0)
		goto fail;
	/* Read the interfaces declared before the first packet, keeping that packet for pcapng_next(). */
	for (;;) {
		r = pcapng_read_block(ng, &blk, ng->deferred_msg, sizeof ng->deferred_msg);
		if (r == PCAPNG_READ_EOF)
			break;
		if (r == PCAPNG_READ_CUT) {
			ng->deferred_cut = true;
			break;
		}
		if (r == PCAPNG_READ_BAD) {
			snprintf(err, errlen, "%s", ng->deferred_msg);
			goto fail;
		}
		if (pcapng_is_packet(blk.type)) {
			ng->pending = true;
			ng->pending_block = blk;
			break;
		}
		if (pcapng_take(ng, &blk, err, errlen) != 0)
			goto fail;
	}
	/*
	 * A file of section headers and blocks we skip (Custom Blocks, §4.8),
	 * with no interface and no packet, is valid and empty: tshark reads it
	 * so. A packet with no interface to decode it by is refused, as libpcap does.
	 */
	if (ng->nifs == 0 && !ng->pending && !ng->deferred_cut)
		return ng;
	if (ng->nifs == 0) {
		if (ng->pending)
			snprintf(err, errlen, "the packet block at offset %" PRIu64 " comes before any interface block",
				 ng->pending_block.offset);
		else
			snprintf(err, errlen, "%s", ng->deferred_msg);
		goto fail;
	}
	bool supported = false, compiled = false;
	for (size_t i = 0; i < ng->nlts; i++) {
		supported |= decode_linktype_supported(ng->lts[i].linktype);
		compiled |= ng->lts[i].compiled;
	}
	if (!supported) {
		int lt = ng->lts[0].linktype;
		snprintf(err, errlen, "unsupported link type %s (%d)", capture_linktype_name(lt), lt);
		goto fail;
	}
	if (ng->filter && !compiled) {
		snprintf(err, errlen, "%s", ng->filter_error);
		goto fail;
	}
	return ng;
fail:
	pcapng_close(ng);
	return NULL;
}

int pcapng_linktype(const struct pcapng *ng)
{
	return ng->nifs ? ng->ifs[0].linktype : -1;
}

size_t pcapng_linktypes(const struct pcapng *ng, int *out, size_t max)
{
	for (size_t i = 0; i < ng->nlts && i < max; i++)
		out[i] = ng->lts[i].linktype;
	return ng->nlts;
}

uint64_t pcapng_offset(const struct pcapng *ng)
{
	return ng->pending ? ng->pending_block.offset : ng->offset;
}

int pcapng_seek(struct pcapng *ng, uint64_t offset, char *err, size_t errlen)
{
	uint64_t to = offset <= ng->scanned ? offset : ng->scanned;
	if (fseeko(ng->fp, (off_t)to, SEEK_SET) != 0) {
		snprintf(err, errlen, "cannot seek in this input");
		return -1;
	}
	ng->pending = false;
	ng->deferred_cut = false;
	ng->offset = to;
	pcapng_enter_section(ng, pcapng_section_at(ng, to));
	/* Past what was read: take the section and interface headers on the way. */
	while (ng->offset < offset) {
		struct pcapng_block blk;
		enum pcapng_read r = pcapng_read_block(ng, &blk, err, errlen);
		if (r == PCAPNG_READ_EOF)
			snprintf(err, errlen, "offset %" PRIu64 " is past the end of the file", offset);
		if (r != PCAPNG_READ_BLOCK || pcapng_take(ng, &blk, err, errlen) != 0)
			return -1;
	}
	if (ng->offset != offset) {
		snprintf(err, errlen, "offset %" PRIu64 " is not the start of a block", offset);
		return -1;
	}
	return 0;
}

void pcapng_close(struct pcapng *ng)
{
	if (!ng)
		return;
	for (size_t i = 0; i < ng->nlts; i++)
		if (ng->lts[i].compiled)
			pcap_freecode(&ng->lts[i].prog);
	if (ng->fp && ng->fp != stdin)
		fclose(ng->fp);
	free(ng->filter);
	free(ng->buf);
	free(ng->sections);
	free(ng->ifs);
	free(ng->lts);
	free(ng);
}
