/*
 * capture-join.c - several capture files read as the parts of one capture
 * (--join, capture_open_join in capture.h): a rotated set (tcpdump -C/-G,
 * dumpcap -b) or a capture cut with editcap, given in any order.
 *
 * The parts are read merged by timestamp, as mergecap does: each part's
 * records keep their file order, and the next record is the earliest of
 * the parts' next ones. Parts are ranked by the time of their first record
 * (then by name), and a tie between two parts' records goes to the part
 * ranked first, so the merged order does not depend on the order the parts
 * were named in, and parts cut from one file come back in its order. A part
 * missing from a set is a gap in time, nothing more.
 *
 * Frames count every record of every part in merged order (the filter,
 * applied by each part, rejects records that still count), as in the file
 * mergecap would write. A part that ends cut short ends; the others go on,
 * and the join reports CAPTURE_TRUNCATED after its last record. A part that
 * fails stops the join with CAPTURE_ERROR.
 *
 * Offsets, for capture_seek(): a record's offset holds its part's rank in
 * the top bits of 48 and its offset in the part below, so that it fits
 * where the UI keeps offsets. After a seek, records are read from that
 * part alone (the UI reads one packet's details again, never on).
 *
 * Ownership: the join owns its parts (struct capture each) and copies of
 * their names. A record's data is borrowed from its part until the next call.
 *
 * The join reads its parts with capture_next() and is itself read through
 * capture-file.c, which calls it only through struct capture_parts_ops
 * (capture-parts.h), so the calls go one way.
 *
 * Data flow: each part holds its next record (`head`); a binary heap of
 * the parts that have one, keyed by (head time, rank), yields the earliest.
 * Its record is handed out as it is, its data still in the part's buffer,
 * so the part is moved on only at the next call (`taken`). Ranks are the
 * parts' positions once sorted by their first record's time, then name:
 * the rank breaks ties, which is what makes the merge independent of the
 * order the parts were named in.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "capture-parts.h"
#include "index-heap.h"
#include "mem-alloc.h"

#define JOIN_OFFSET_BITS 48 /* the offsets the UI keeps (ui/model.h) */

struct join_part {
	struct capture *cap;
	char *name;
	size_t argument; /* its place on the command line: the last tie-break */
	struct capture_record head;
	bool has_head;
};

struct capture_join {
	struct join_part *parts; /* in rank order */
	size_t n;
	size_t *heap; /* ranks of the parts with a head, earliest on top */
	size_t nheap;
	size_t taken; /* the part whose head was handed out last, or SIZE_MAX */
	uint64_t frame;
	unsigned part_shift; /* offsets: rank << part_shift | offset in the part */
	bool truncated;	     /* a part ended cut short: said after the last record */
	char truncated_msg[CAPTURE_ERRBUF_SIZE];
	size_t detail; /* after a seek: the part read alone, or SIZE_MAX */
};

static void capture_join_close(struct capture_join *j);

/* Heap order: earlier head first; at the same time, the lower rank. */
static bool join_before(const void *join, size_t a, size_t b)
{
	const struct capture_join *j = join;
	int64_t ta = j->parts[a].head.time_ns, tb = j->parts[b].head.time_ns;
	return ta < tb || (ta == tb && a < b);
}

/*
 * Reads part's next record into its head. Returns CAPTURE_PACKET or
 * CAPTURE_END (the part is done: cut short, it is noted for the end), or
 * CAPTURE_ERROR with "name: why" in err.
 */
static enum capture_status join_advance(struct capture_join *j, struct join_part *p, char *err, size_t errlen)
{
	enum capture_status st = capture_next(p->cap, &p->head);
	p->has_head = st == CAPTURE_PACKET;
	if (st == CAPTURE_TRUNCATED && !j->truncated) {
		j->truncated = true;
		snprintf(j->truncated_msg, sizeof j->truncated_msg, "%s: %s", p->name, capture_error(p->cap));
	}
	if (st == CAPTURE_ERROR) {
		snprintf(err, errlen, "%s: %s", p->name, capture_error(p->cap));
		return CAPTURE_ERROR;
	}
	return p->has_head ? CAPTURE_PACKET : CAPTURE_END;
}

/* Part ranking: first record's time (parts without one last), then name, then place given. */
static int join_rank_cmp(const void *a, const void *b)
{
	const struct join_part *x = a, *y = b;
	if (x->has_head != y->has_head)
		return x->has_head ? -1 : 1;
	if (x->has_head && x->head.time_ns != y->head.time_ns)
		return x->head.time_ns < y->head.time_ns ? -1 : 1;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->argument < y->argument ? -1 : 1);
}

static struct capture_join *capture_join_open(const char *const *paths, size_t n, const char *filter, char *err,
					      size_t errlen)
{
	struct capture_join *j = xcalloc(1, sizeof *j);
	j->parts = xcalloc(n, sizeof *j->parts);
	j->heap = xcalloc(n, sizeof *j->heap);
	j->taken = j->detail = SIZE_MAX;
	for (; j->n < n; j->n++) {
		struct join_part *p = &j->parts[j->n];
		char part_err[CAPTURE_ERRBUF_SIZE];
		p->cap = capture_open_file(paths[j->n], filter, part_err, sizeof part_err);
		if (!p->cap) {
			snprintf(err, errlen, "%s", part_err);
			capture_join_close(j);
			return NULL;
		}
		p->name = xstrdup(paths[j->n]);
		p->argument = j->n;
		capture_keep_rejected(p->cap);
		if (join_advance(j, p, err, errlen) == CAPTURE_ERROR) {
			j->n++;
			capture_join_close(j);
			return NULL;
		}
	}
	qsort(j->parts, n, sizeof *j->parts, join_rank_cmp);
	for (size_t i = 0; i < n; i++)
		if (j->parts[i].has_head)
			j->heap[j->nheap++] = i; /* in rank order, with times in order: already a heap */
	unsigned rank_bits = 0;
	while (rank_bits < 32 && ((size_t)1 << rank_bits) < n)
		rank_bits++;
	j->part_shift = JOIN_OFFSET_BITS - rank_bits;
	return j;
}

static uint64_t join_offset_of(const struct capture_join *j, size_t rank, uint64_t offset)
{
	return (uint64_t)rank << j->part_shift | offset;
}

/* After a seek: the records of one part, frames counted on from the seek. */
static enum capture_status join_next_detail(struct capture_join *j, struct capture_record *rec, char *err,
					    size_t errlen)
{
	struct join_part *p = &j->parts[j->detail];
	for (;;) {
		enum capture_status st = capture_next(p->cap, rec);
		if (st != CAPTURE_PACKET) {
			snprintf(err, errlen, "%s: %s", p->name, capture_error(p->cap));
			return st;
		}
		j->frame++;
		if (rec->frame) {
			rec->frame = j->frame;
			rec->offset = join_offset_of(j, j->detail, rec->offset);
			return CAPTURE_PACKET;
		}
	}
}

static enum capture_status capture_join_next(struct capture_join *j, struct capture_record *rec, char *err,
					     size_t errlen)
{
	if (j->detail != SIZE_MAX)
		return join_next_detail(j, rec, err, errlen);
	for (;;) {
		if (j->taken != SIZE_MAX) { /* move the part handed out last on, and put it back in place */
			enum capture_status st = join_advance(j, &j->parts[j->taken], err, errlen);
			if (st == CAPTURE_ERROR)
				return st;
			if (st == CAPTURE_END)
				j->heap[0] = j->heap[--j->nheap];
			index_heap_sift_down(j->heap, j->nheap, 0, join_before, j);
			j->taken = SIZE_MAX;
		}
		if (j->nheap == 0) {
			if (!j->truncated)
				return CAPTURE_END;
			snprintf(err, errlen, "%s", j->truncated_msg);
			return CAPTURE_TRUNCATED;
		}
		size_t top = j->heap[0];
		j->taken = top;
		j->frame++;
		if (j->parts[top].head.frame) { /* not rejected by the filter */
			*rec = j->parts[top].head;
			rec->frame = j->frame;
			rec->offset = join_offset_of(j, top, rec->offset);
			return CAPTURE_PACKET;
		}
	}
}

static size_t capture_join_count(const struct capture_join *j)
{
	return j->n;
}

static struct capture *capture_join_part(const struct capture_join *j, size_t i)
{
	return j->parts[i].cap;
}

static const char *capture_join_name(const struct capture_join *j, size_t i)
{
	return j->parts[i].name;
}

static uint64_t capture_join_offset(const struct capture_join *j)
{
	if (j->detail != SIZE_MAX)
		return join_offset_of(j, j->detail, capture_offset(j->parts[j->detail].cap));
	if (j->nheap == 0)
		return UINT64_MAX;
	size_t top = j->heap[0];
	if (j->taken == top) /* handed out: where the part goes on is not known before it is read */
		return UINT64_MAX;
	return join_offset_of(j, top, j->parts[top].head.offset);
}

static int capture_join_seek(struct capture_join *j, uint64_t offset, uint64_t frame, char *err, size_t errlen)
{
	size_t rank = (size_t)(offset >> j->part_shift);
	if (rank >= j->n) {
		snprintf(err, errlen, "offset %llu is in no part of the capture", (unsigned long long)offset);
		return -1;
	}
	struct join_part *p = &j->parts[rank];
	if (capture_seek(p->cap, offset & (((uint64_t)1 << j->part_shift) - 1), 1) != 0) {
		snprintf(err, errlen, "%s: %s", p->name, capture_error(p->cap));
		return -1;
	}
	j->detail = rank;
	j->frame = frame ? frame - 1 : 0;
	return 0;
}

static void capture_join_close(struct capture_join *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++) {
		capture_close(j->parts[i].cap);
		free(j->parts[i].name);
	}
	free(j->parts);
	free(j->heap);
	free(j);
}

static const struct capture_parts_ops join_ops = {
	.next = capture_join_next,
	.offset = capture_join_offset,
	.seek = capture_join_seek,
	.count = capture_join_count,
	.part = capture_join_part,
	.name = capture_join_name,
	.close = capture_join_close,
};

struct capture *capture_open_join(const char *const *paths, size_t n, const char *filter, char *err, size_t errlen)
{
	struct capture_join *j = capture_join_open(paths, n, filter, err, errlen);
	return j ? capture_of_parts(&join_ops, j) : NULL;
}
