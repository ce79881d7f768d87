/*
 * report-spool.c - the bounded-memory ordered record store of report-spool.h: records in
 * memory up to a budget, then sorted runs in an unlinked temporary file,
 * read back by a k-way merge over a binary heap of the runs' heads. Each
 * reader holds one small buffer per run (at most READER_BYTES in all), so
 * reading costs memory in proportion to the number of runs, not records.
 * In memory, entries fill blocks of the thread's block cache (mem-blocks.h)
 * one after another: entry i is at i / per_block, i % per_block.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index-heap.h"
#include "mem-alloc.h"
#include "mem-blocks.h"
#include "report-spool.h"
#include "text-safe.h"

#define READER_BYTES (4u << 20)	      /* all of one reader's run buffers */
#define RUN_BUFFER_MAX (64u << 10)    /* one run's buffer */
#define WRITE_BUFFER_BYTES (1u << 20) /* staging of entries written in sorted order */

static const char *temp_dir(void)
{
	const char *dir = getenv("TMPDIR");
	return dir && *dir ? dir : "/tmp";
}

/*
 * Remembers the first failure of the temporary file: errno and what was being
 * done, in one atomic word. A reader reports through the spool it reads: the
 * fault is the one thing readers write (they may read in threads).
 */
static void temp_file_failed(const struct spool *s, enum spool_fault_op op)
{
	int none = 0, error = errno ? errno : EIO;
	atomic_compare_exchange_strong(s->fault, &none, error << 2 | (int)op);
}

int spool_fault(const struct spool *s, char *msg, size_t len)
{
	static const char *const doing[] = {"cannot create", "cannot write", "cannot read"};
	int fault = s->fault ? atomic_load(s->fault) : 0; /* a spool freed, or never made, had none */
	if (!fault)
		return 0;
	char dir[256];
	snprintf(msg, len, "%s a temporary file in %s: %s (set TMPDIR to a directory with room)", doing[fault & 3],
		 text_safe(dir, sizeof dir, temp_dir()), strerror(fault >> 2)); /* TMPDIR comes from outside */
	return fault >> 2;
}

int spool_key_cmp(struct spool_key a, struct spool_key b)
{
	if (a.major != b.major)
		return a.major < b.major ? -1 : 1;
	return (a.minor > b.minor) - (a.minor < b.minor);
}

static struct spool_key entry_key(const unsigned char *entry)
{
	struct spool_key k;
	memcpy(&k, entry, sizeof k);
	return k;
}

void spool_init(struct spool *s, size_t record_size, size_t budget_bytes)
{
	memset(s, 0, sizeof *s);
	s->record_size = record_size;
	s->entry_size = sizeof(struct spool_key) + (record_size + 7) / 8 * 8;
	s->per_block = BLOCK_BYTES / s->entry_size;
	if (s->per_block == 0)
		abort(); /* records are a few hundred bytes: a programmer's error */
	s->budget_entries = budget_bytes / s->entry_size ? budget_bytes / s->entry_size : 1;
	s->mem_sorted = true;
	s->fault = xcalloc(1, sizeof *s->fault);
}

static unsigned char *entry_at(const struct spool *s, size_t i)
{
	return s->blocks[i / s->per_block] + i % s->per_block * s->entry_size;
}

static void put_blocks(struct spool *s)
{
	for (size_t i = 0; i < s->nblocks; i++)
		block_put(s->blocks[i]);
	free(s->blocks);
	s->blocks = NULL;
	s->nblocks = s->blocks_cap = 0;
}

/* An entry and its position, sorted together so that equal keys keep the order they were added in. */
struct keyed_index {
	struct spool_key key;
	uint32_t index;
};

static int compare_keyed(const void *a, const void *b)
{
	const struct keyed_index *ka = a, *kb = b;
	int c = spool_key_cmp(ka->key, kb->key);
	return c ? c : (ka->index > kb->index) - (ka->index < kb->index);
}

/* The entries in memory in key order as indexes, or NULL when they already are in order. */
static uint32_t *sort_memory(const struct spool *s)
{
	if (s->mem_sorted)
		return NULL;
	struct keyed_index *keyed = xmalloc(s->nmem * sizeof *keyed);
	for (size_t i = 0; i < s->nmem; i++)
		keyed[i] = (struct keyed_index){entry_key(entry_at(s, i)), (uint32_t)i};
	qsort(keyed, s->nmem, sizeof *keyed, compare_keyed);
	uint32_t *order = xmalloc(s->nmem * sizeof *order);
	for (size_t i = 0; i < s->nmem; i++)
		order[i] = keyed[i].index;
	free(keyed);
	return order;
}

static bool write_all(struct spool *s, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = pwrite(s->fd, p, len, s->file_end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			temp_file_failed(s, SPOOL_FAULT_WRITE);
			return false;
		}
		p += n;
		len -= (size_t)n;
		s->file_end += n;
	}
	return true;
}

static bool open_temp_file(struct spool *s)
{
	const char *dir = temp_dir();
	size_t len = strlen(dir) + sizeof "/tcpscope-spool-XXXXXX";
	char *path = xmalloc(len);
	snprintf(path, len, "%s/tcpscope-spool-XXXXXX", dir);
	s->fd = mkstemp(path);
	if (s->fd < 0)
		temp_file_failed(s, SPOOL_FAULT_CREATE);
	else
		unlink(path); /* gone with the process, whatever way it ends */
	free(path);
	s->file_open = s->fd >= 0;
	return s->file_open;
}

/* Writes the entries in memory to the end of the file in key order. */
static bool write_run(struct spool *s)
{
	uint32_t *order = sort_memory(s);
	bool written = true;
	if (!order) {
		for (size_t i = 0; i < s->nmem && written; i += s->per_block) {
			size_t n = s->nmem - i < s->per_block ? s->nmem - i : s->per_block;
			written = write_all(s, entry_at(s, i), n * s->entry_size);
		}
		return written;
	}
	size_t per_write = WRITE_BUFFER_BYTES / s->entry_size ? WRITE_BUFFER_BYTES / s->entry_size : 1;
	unsigned char *staging = xmalloc(per_write * s->entry_size);
	for (size_t i = 0; i < s->nmem && written; i += per_write) {
		size_t n = s->nmem - i < per_write ? s->nmem - i : per_write;
		for (size_t k = 0; k < n; k++)
			memcpy(staging + k * s->entry_size, entry_at(s, order[i + k]), s->entry_size);
		written = write_all(s, staging, n * s->entry_size);
	}
	free(staging);
	free(order);
	return written;
}

/*
 * Moves the entries in memory to the file as one sorted run and empties
 * memory. After a fault (spool_fault) they are dropped instead, a budget's
 * worth at a time: what is collected from then on is incomplete, memory
 * stays bounded, and the caller is told.
 */
static void spill(struct spool *s)
{
	if (s->nmem == 0)
		return;
	off_t start = s->file_end;
	if (!atomic_load(s->fault) && (s->file_open || open_temp_file(s)) && write_run(s)) {
		s->runs = xgrow(s->runs, &s->runs_cap, s->nruns + 1, sizeof *s->runs);
		s->runs[s->nruns++] = (struct spool_run){start, s->nmem};
	}
	s->nmem = 0;
	s->mem_sorted = true;
}

void spool_add(struct spool *s, struct spool_key key, const void *record)
{
	if (s->nmem == s->budget_entries)
		spill(s);
	if (s->nmem == s->nblocks * s->per_block) {
		s->blocks = xgrow(s->blocks, &s->blocks_cap, s->nblocks + 1, sizeof *s->blocks);
		s->blocks[s->nblocks++] = block_get(NULL);
	}
	if (s->nmem && spool_key_cmp(key, s->last_key) < 0)
		s->mem_sorted = false;
	s->last_key = key;
	unsigned char *entry = entry_at(s, s->nmem++);
	memcpy(entry, &key, sizeof key);
	memcpy(entry + sizeof key, record, s->record_size);
	s->count++;
}

void spool_seal(struct spool *s)
{
	if (s->nruns) {
		spill(s);
		put_blocks(s);
	} else {
		s->order = sort_memory(s);
	}
	s->sealed = true;
}

uint64_t spool_count(const struct spool *s)
{
	return s->count;
}

bool spool_spilled(const struct spool *s)
{
	return s->nruns > 0;
}

void spool_free(struct spool *s)
{
	if (s->file_open)
		close(s->fd);
	put_blocks(s);
	free(s->runs);
	free(s->order);
	free(s->fault);
	memset(s, 0, sizeof *s);
}

/* ---- Reading ----------------------------------------------------------- */

/* One run as a reader goes through it: entries [pos, nbuf) of buf are read, left more are in the file. */
struct spool_reader_run {
	off_t next;
	size_t left, nbuf, pos, buf_entries;
	unsigned char *buf;
};

/* Reads the run's next entries into its buffer; false (a fault, the run ended) if the file fails. */
static bool run_refill(const struct spool *s, struct spool_reader_run *r)
{
	size_t n = r->left < r->buf_entries ? r->left : r->buf_entries;
	size_t len = n * s->entry_size, got = 0;
	while (got < len) {
		ssize_t k = pread(s->fd, r->buf + got, len - got, r->next + (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO; /* the file is ours: shorter than written means it was tampered with */
			temp_file_failed(s, SPOOL_FAULT_READ);
			r->left = r->nbuf = 0;
			return false;
		}
		got += (size_t)k;
	}
	r->next += (off_t)len;
	r->left -= n;
	r->nbuf = n;
	r->pos = 0;
	return true;
}

static const unsigned char *run_head(const struct spool *s, const struct spool_reader_run *r)
{
	return r->buf + r->pos * s->entry_size;
}

/* True if run a's head comes before run b's (ties: the earlier run, whose records were added first). */
static bool run_before(const void *reader, size_t a, size_t b)
{
	const struct spool_reader *rd = reader;
	const struct spool *s = rd->spool;
	int c = spool_key_cmp(entry_key(run_head(s, &rd->runs[a])), entry_key(run_head(s, &rd->runs[b])));
	return c < 0 || (c == 0 && a < b);
}

void spool_reader_open(struct spool_reader *rd, const struct spool *s)
{
	memset(rd, 0, sizeof *rd);
	rd->spool = s;
	if (s->nruns == 0)
		return;
	size_t per_run = READER_BYTES / s->nruns / s->entry_size;
	size_t most = RUN_BUFFER_MAX / s->entry_size;
	per_run = per_run < 1 ? 1 : per_run > most ? (most ? most : 1) : per_run;
	rd->runs = xcalloc(s->nruns, sizeof *rd->runs);
	rd->heap = xmalloc(s->nruns * sizeof *rd->heap);
	rd->buffers = xmalloc(s->nruns * per_run * s->entry_size);
	for (size_t i = 0; i < s->nruns; i++) {
		struct spool_reader_run *r = &rd->runs[i];
		*r = (struct spool_reader_run){.next = s->runs[i].offset,
					       .left = s->runs[i].count,
					       .buf_entries = per_run,
					       .buf = rd->buffers + i * per_run * s->entry_size};
		if (run_refill(s, r))
			rd->heap[rd->nheap++] = i;
	}
	index_heap_make(rd->heap, rd->nheap, run_before, rd);
}

/* Moves past the record the heap's top handed out last. */
static void advance_top(struct spool_reader *rd)
{
	struct spool_reader_run *r = &rd->runs[rd->heap[0]];
	if (++r->pos == r->nbuf && !(r->left && run_refill(rd->spool, r)))
		rd->heap[0] = rd->heap[--rd->nheap];
	index_heap_sift_down(rd->heap, rd->nheap, 0, run_before, rd);
}

const void *spool_reader_next(struct spool_reader *rd)
{
	const struct spool *s = rd->spool;
	if (s->nruns == 0) {
		if (rd->next >= s->nmem)
			return NULL;
		size_t i = s->order ? s->order[rd->next] : rd->next;
		rd->next++;
		return entry_at(s, i) + sizeof(struct spool_key);
	}
	if (rd->handed_out && rd->nheap)
		advance_top(rd);
	rd->handed_out = true;
	if (rd->nheap == 0)
		return NULL;
	return run_head(s, &rd->runs[rd->heap[0]]) + sizeof(struct spool_key);
}

struct spool_key spool_record_key(const void *record)
{
	/* Every record, in memory or in a run buffer, sits right after its key. */
	return entry_key((const unsigned char *)record - sizeof(struct spool_key));
}

void spool_reader_close(struct spool_reader *rd)
{
	free(rd->runs);
	free(rd->heap);
	free(rd->buffers);
	memset(rd, 0, sizeof *rd);
}
