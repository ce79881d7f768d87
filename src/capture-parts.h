/*
 * capture-parts.h - the seam between capture-file.c, which hands out every
 * capture's records, and capture-join.c, which makes one capture of several
 * files (--join) by reading its parts through capture-file.c. capture-file.c
 * calls the join only through this table of callbacks, so the calls go one
 * way: capture-join.c -> capture-file.c.
 */
#ifndef TCPSCOPE_CAPTURE_PARTS_H
#define TCPSCOPE_CAPTURE_PARTS_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"

struct capture_join;

/* What a capture of parts does in place of a reader; errors name the part. */
struct capture_parts_ops {
	enum capture_status (*next)(struct capture_join *j, struct capture_record *rec, char *err, size_t errlen);
	/* Where the next record starts (an offset for capture_seek()). */
	uint64_t (*offset)(const struct capture_join *j);
	int (*seek)(struct capture_join *j, uint64_t offset, uint64_t frame, char *err, size_t errlen);
	/* The parts in merged order: how many, and each one's capture and name. */
	size_t (*count)(const struct capture_join *j);
	struct capture *(*part)(const struct capture_join *j, size_t i);
	const char *(*name)(const struct capture_join *j, size_t i);
	void (*close)(struct capture_join *j);
};

/* A capture whose records come from j, which it owns from now on (capture_close() closes it). */
struct capture *capture_of_parts(const struct capture_parts_ops *ops, struct capture_join *j);

/*
 * A capture told so returns the records its filter rejects too, with frame
 * 0, so that the join can count them in merged order.
 */
void capture_keep_rejected(struct capture *cap);

#endif
