/*
 * capture-join.h - several capture files read as the parts of one capture
 * (--join), for capture-file.c: a rotated set (tcpdump -C/-G, dumpcap -b)
 * or a capture cut with editcap, given in any order.
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
 */
#ifndef TCPSCOPE_CAPTURE_JOIN_H
#define TCPSCOPE_CAPTURE_JOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

struct capture_join;

/*
 * Opens every part and reads its first record. Returns NULL with "name:
 * why" in err if a part cannot be opened or its first record cannot be read.
 */
struct capture_join *capture_join_open(const char *const *paths, size_t n, const char *filter, char *err,
				       size_t errlen);
/* capture_next() over the join; on CAPTURE_TRUNCATED or CAPTURE_ERROR, err says why, naming the part. */
enum capture_status capture_join_next(struct capture_join *j, struct capture_record *rec, char *err, size_t errlen);
/* The parts in merged order: how many, and each one's capture and name. */
size_t capture_join_count(const struct capture_join *j);
struct capture *capture_join_part(const struct capture_join *j, size_t i);
const char *capture_join_name(const struct capture_join *j, size_t i);
/* Where the next record starts (an offset as described above). */
uint64_t capture_join_offset(const struct capture_join *j);
/* capture_seek() over the join. */
int capture_join_seek(struct capture_join *j, uint64_t offset, uint64_t frame, char *err, size_t errlen);
void capture_join_close(struct capture_join *j);

/*
 * Implemented by capture-file.c for the join: a capture told so returns the
 * records its filter rejects too, with frame 0, so that the join can count
 * them in merged order.
 */
void capture_keep_rejected(struct capture *cap);

#endif
