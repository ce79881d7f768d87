/*
 * report-spool.h - an ordered store of fixed-size records whose memory is bounded:
 * what keeps the batch report at O(concurrent flows) memory however many
 * flows and findings a capture has (SPEC §12, docs/robustness.md).
 *
 * Records are added with a sort key and read back, after spool_seal(), in
 * key order, records with equal keys in the order they were added. Up to a
 * byte budget they stay in memory (the common case costs one copy and, when
 * they came out of order, one sort of their keys). Past the budget the
 * records in memory are sorted and written as one run to an unlinked
 * temporary file in $TMPDIR (default /tmp), and a reader merges the runs.
 * Any number of readers may read a sealed spool, one after the other or at
 * the same time. A temporary file that cannot be made, written or read is
 * the spool's fault, remembered (the first one) for spool_fault(): from then
 * on what does not fit in memory is dropped (the alternative is unbounded
 * memory) and a reader's failing run ends, so the caller must ask before it
 * trusts what it read. The library never ends the program: the commands
 * print the message and exit 2.
 */
#ifndef TCPSCOPE_REPORT_SPOOL_H
#define TCPSCOPE_REPORT_SPOOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Records are ordered by major, then minor, then by when they were added. */
struct spool_key {
	uint64_t major, minor;
};

/* < 0, 0 or > 0 as a comes before, with or after b. */
int spool_key_cmp(struct spool_key a, struct spool_key b);

struct spool_run {
	off_t offset; /* of its first entry in the file */
	size_t count;
};

struct spool {
	size_t record_size, entry_size; /* an entry is the key followed by the record */
	size_t budget_entries;		/* entries held in memory before they are written out */
	size_t per_block;		/* entries in one block of memory (mem-blocks.h) */
	unsigned char **blocks;		/* the entries in memory, per_block to a block */
	size_t nblocks, blocks_cap;
	size_t nmem;
	bool mem_sorted;
	struct spool_key last_key;
	uint64_t count;
	int fd; /* the temporary file, open once there are runs */
	off_t file_end;
	struct spool_run *runs;
	size_t nruns, runs_cap;
	uint32_t *order; /* after sealing in memory: entry indexes in key order, NULL if already in order */
	bool sealed;
	bool file_open;
	/* The first failure: errno << 2 | enum spool_fault_op, 0 if none; readers write it too, in threads. */
	_Atomic int *fault;
};

enum spool_fault_op { SPOOL_FAULT_CREATE, SPOOL_FAULT_WRITE, SPOOL_FAULT_READ };

/*
 * The errno of the spool's first temporary-file failure, writing or by any
 * reader, with a one-line message in msg; 0 (msg untouched) if there was none.
 */
int spool_fault(const struct spool *s, char *msg, size_t len);

void spool_init(struct spool *s, size_t record_size, size_t budget_bytes);
/* Copies record into the spool (not after spool_seal). */
void spool_add(struct spool *s, struct spool_key key, const void *record);
/* Ends adding; readers may start. */
void spool_seal(struct spool *s);
/* How many records were added. */
uint64_t spool_count(const struct spool *s);
/* True once records have been written to the temporary file. */
bool spool_spilled(const struct spool *s);
void spool_free(struct spool *s);

struct spool_reader_run;

struct spool_reader {
	const struct spool *spool;
	size_t next; /* in memory: the next position in key order */
	struct spool_reader_run *runs;
	size_t *heap; /* indexes of the runs not yet exhausted, smallest head first */
	size_t nheap;
	bool handed_out; /* the heap's top was returned and must be moved past first */
	unsigned char *buffers;
};

/* Starts reading a sealed spool from its first record in order. */
void spool_reader_open(struct spool_reader *rd, const struct spool *s);
/* The next record, valid until the next call; NULL after the last. */
const void *spool_reader_next(struct spool_reader *rd);
/* The key a record returned by spool_reader_next() was added with. */
struct spool_key spool_record_key(const void *record);
void spool_reader_close(struct spool_reader *rd);

#endif
