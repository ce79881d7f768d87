/*
 * capture-extract.c - the frame copier of capture-extract.h.
 *
 * The input is opened without a filter, so frame numbers count every
 * record as tshark's frame.number does. The output is created at the first
 * chosen record, with that record's link type and the input's timestamp
 * resolution; with no frame chosen it gets the file's link type and holds
 * only its header.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "capture-extract.h"
#include "capture-linktype.h"
#include "capture-save.h"
#include "capture.h"
#include "mem-alloc.h"

#define EXTRACT_SNAPLEN 262144 /* the largest snapshot length libpcap writes; every record fits */

static struct capture_save *open_output(const char *out_path, struct capture *cap, int linktype, char *err,
					size_t errlen)
{
	return capture_save_open(out_path, linktype >= 0 ? linktype : 1, EXTRACT_SNAPLEN, NULL, capture_nanosecond(cap),
				 err, errlen);
}

/* Reads frame `frame` into rec: by seeking to offset, or reading on (the frames come in ascending order). */
static int read_frame(struct capture *cap, const char *name, uint64_t frame, const uint64_t *offset,
		      struct capture_record *rec, char *err, size_t errlen)
{
	if (offset && capture_seek(cap, *offset, frame) != 0) {
		snprintf(err, errlen, "%s: %s", name, capture_error(cap));
		return -1;
	}
	for (;;) {
		enum capture_status st = capture_next(cap, rec);
		if (st == CAPTURE_ERROR) {
			snprintf(err, errlen, "%s: %s", name, capture_error(cap));
			return -1;
		}
		if (st != CAPTURE_PACKET || rec->frame > frame) {
			snprintf(err, errlen, "%s: has no frame %" PRIu64, name, frame);
			return -1;
		}
		if (rec->frame == frame)
			return 0;
	}
}

int capture_extract(const char *const *in_paths, size_t nparts, const uint64_t *frames, const uint64_t *offsets,
		    size_t n, const char *out_path, uint64_t *written, char *err, size_t errlen)
{
	*written = 0;
	err[0] = '\0';
	struct capture *cap = nparts == 1 ? capture_open_file(in_paths[0], NULL, err, errlen)
					  : capture_open_join(in_paths, nparts, NULL, err, errlen);
	if (!cap)
		return -1;
	char *name = nparts == 1 ? xstrdup(in_paths[0]) : capture_title(cap); /* a join's is "a + b + ..." */
	struct capture_save *out = NULL;
	int rc = 0;
	int linktype = -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct capture_record rec;
		rc = read_frame(cap, name, frames[i], offsets ? &offsets[i] : NULL, &rec, err, errlen);
		if (rc != 0)
			break;
		if (!out) {
			linktype = rec.linktype;
			out = open_output(out_path, cap, linktype, err, errlen);
			if (!out) {
				rc = -1;
				break;
			}
		}
		if (rec.linktype != linktype) {
			snprintf(err, errlen,
				 "frame %" PRIu64 " is of another link type (%s) than frame %" PRIu64
				 " (%s): one file holds one",
				 frames[i], capture_linktype_name(rec.linktype), frames[0],
				 capture_linktype_name(linktype));
			rc = -1;
		} else if (capture_save_write(out, &rec, NULL) != 0) {
			rc = -1;
		} else {
			(*written)++;
		}
	}
	if (!out && rc == 0) {
		out = open_output(out_path, cap, capture_linktype(cap), err, errlen);
		if (!out)
			rc = -1;
	}
	char close_err[CAPTURE_ERRBUF_SIZE];
	if (capture_save_close(out, close_err, sizeof close_err) != 0) {
		if (!err[0]) /* a write failed: closing says what */
			snprintf(err, errlen, "%s", close_err);
		rc = -1;
	}
	capture_close(cap);
	free(name);
	return rc;
}
