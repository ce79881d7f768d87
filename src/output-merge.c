/*
 * output-merge.c - merging the shards' JSON reports (output-merge.h).
 *
 * Each document is read whole into memory and walked once with the strict
 * reader (json-read.h), in the key order output-json.c writes: the header
 * and its shard object into a struct shard, each flow and finding into an
 * item that says where its text lies, where its flow id is in that text and
 * where it goes in the order. Then the shards are checked against the first
 * (one input, one version, one N, one set of settings, every index once).
 * Only then is anything written: the head with the shards' counts added,
 * the flows merged by first frame (two shards never hold the same frame:
 * a frame is one flow's, or no flow's and shard 1's, flow-set.h) and numbered
 * as they go out, then the findings merged by their place in the order
 * (stretch, frame), each shard's in the order it wrote them.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json-read.h"
#include "mem-alloc.h"
#include "output-merge.h"
#include "output.h"
#include "text-file.h"

/* A flow or finding of a shard: its text, the flow id in it, its place in the order. */
struct item {
	const char *text;
	size_t len;
	size_t ref_at, ref_len; /* the flow id's text (a flow's "id", a finding's "flow"), from text */
	uint64_t ref;		/* that id, 0 for a finding of no flow */
	uint64_t key[2];	/* a flow's {first frame, 0}; a finding's {stretch, frame, UINT64_MAX for 0} */
};

struct items {
	struct item *v;
	size_t n, cap;
};

struct shard {
	const char *path;
	char *text;
	uint32_t index, count; /* 1-based, as written */
	struct json_span format, version, input_bytes, settings;
	struct json_span source, linktypes, first_time, last_time, truncated;
	uint64_t packets, tcp_packets, decode_errors, nflows, findings_dropped, findings_before_truncation;
	struct items flows, findings;
	uint64_t *global_ids; /* of local flow id i + 1 */
	size_t next_flow, next_finding;
};

/* The next member of the object must be this key. */
static bool key_is(struct json_reader *jr, const char *name)
{
	struct json_span key;
	if (!json_object_next(jr, &key))
		return jr->error ? false : json_fail(jr, "the object ends too soon");
	return json_span_is(key, name) || json_fail(jr, "a member is not the one a tcpscope report has there");
}

static bool skip_member(struct json_reader *jr, const char *name, struct json_span *span)
{
	return key_is(jr, name) && json_skip_value(jr, span);
}

static bool count_member(struct json_reader *jr, const char *name, uint64_t *v)
{
	return key_is(jr, name) && json_u64(jr, v, NULL);
}

/* The object must end here. */
static bool object_end(struct json_reader *jr)
{
	if (json_object_next(jr, NULL))
		return json_fail(jr, "a member a tcpscope report does not have");
	return !jr->error;
}

/* The shard object; *not_shard when the document has none there (a report made without --shard). */
static bool read_shard_object(struct json_reader *jr, struct shard *s, bool *not_shard)
{
	struct json_span key;
	if (!json_object_next(jr, &key))
		return jr->error ? false : json_fail(jr, "the object ends too soon");
	if (!json_span_is(key, "shard")) {
		*not_shard = true;
		return false;
	}
	uint64_t index, count;
	if (!json_object_begin(jr) || !count_member(jr, "index", &index) || !count_member(jr, "count", &count) ||
	    !skip_member(jr, "input_bytes", &s->input_bytes) ||
	    !count_member(jr, "findings_before_truncation", &s->findings_before_truncation) ||
	    !skip_member(jr, "settings", &s->settings) || !object_end(jr))
		return false;
	if (count == 0 || count > UINT32_MAX || index == 0 || index > count)
		return json_fail(jr, "a shard index that is not I of N with 1 <= I <= N");
	s->index = (uint32_t)index;
	s->count = (uint32_t)count;
	return true;
}

static bool read_capture(struct json_reader *jr, struct shard *s)
{
	if (!key_is(jr, "capture") || !json_object_begin(jr) || !skip_member(jr, "source", &s->source))
		return false;
	/* A join's parts follow its source; s->source spans both, as they are written again. */
	struct json_span key, parts;
	if (!json_object_next(jr, &key))
		return jr->error ? false : json_fail(jr, "the object ends too soon");
	if (json_span_is(key, "parts")) {
		if (!json_skip_value(jr, &parts))
			return false;
		s->source.len = (size_t)(parts.start + parts.len - s->source.start);
		if (!key_is(jr, "packets"))
			return false;
	} else if (!json_span_is(key, "packets")) {
		return json_fail(jr, "a member is not the one a tcpscope report has there");
	}
	if (!json_u64(jr, &s->packets, NULL) || !count_member(jr, "tcp_packets", &s->tcp_packets) ||
	    !skip_member(jr, "linktypes", &s->linktypes) || !skip_member(jr, "first_time", &s->first_time) ||
	    !skip_member(jr, "last_time", &s->last_time) || !skip_member(jr, "truncated", &s->truncated) ||
	    !count_member(jr, "decode_errors", &s->decode_errors) || !count_member(jr, "flows", &s->nflows))
		return false;
	if (json_object_next(jr, &key)) {
		if (!json_span_is(key, "findings_dropped") || !json_u64(jr, &s->findings_dropped, NULL))
			return json_fail(jr, "a member a tcpscope report does not have");
		return object_end(jr);
	}
	return !jr->error;
}

/* One item of the flows or findings array: an object whose member ref_key holds a flow id (or null). */
static bool read_item(struct json_reader *jr, struct item *it, const char *ref_key, const char *frame_key,
		      uint64_t *frame)
{
	struct json_span key, ref = {NULL, 0};
	bool have_frame = false;
	if (!json_object_begin(jr))
		return false;
	const char *start = jr->p - 1;
	while (json_object_next(jr, &key)) {
		if (json_span_is(key, ref_key)) {
			const char *at = jr->p;
			if (json_null(jr))
				ref = (struct json_span){at, (size_t)(jr->p - at)};
			else if (!jr->error)
				json_u64(jr, &it->ref, &ref);
		} else if (json_span_is(key, frame_key)) {
			have_frame = json_u64(jr, frame, NULL);
		} else {
			json_skip_value(jr, NULL);
		}
	}
	if (jr->error)
		return false;
	if (!ref.start || !have_frame)
		return json_fail(jr, "a flow or finding without its id or frame");
	it->text = start;
	it->len = (size_t)(jr->p - start);
	it->ref_at = (size_t)(ref.start - start);
	it->ref_len = ref.len;
	return true;
}

static bool read_flows(struct json_reader *jr, struct shard *s)
{
	if (!key_is(jr, "flows") || !json_array_begin(jr))
		return false;
	while (json_array_next(jr)) {
		struct item it = {0};
		uint64_t first_frame;
		if (!read_item(jr, &it, "id", "first_frame", &first_frame))
			return false;
		if (it.ref != s->flows.n + 1)
			return json_fail(jr, "flow ids that are not 1, 2, 3, ... in order");
		if (s->flows.n && first_frame <= s->flows.v[s->flows.n - 1].key[0])
			return json_fail(jr, "flows that are not in the order of their first frames");
		it.key[0] = first_frame;
		s->flows.v = xgrow(s->flows.v, &s->flows.cap, s->flows.n + 1, sizeof *s->flows.v);
		s->flows.v[s->flows.n++] = it;
	}
	return !jr->error;
}

static int key_cmp(const uint64_t a[2], const uint64_t b[2])
{
	return a[0] != b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] != b[1] ? (a[1] < b[1] ? -1 : 1) : 0;
}

static bool read_findings(struct json_reader *jr, struct shard *s)
{
	if (!key_is(jr, "findings") || !json_array_begin(jr))
		return false;
	while (json_array_next(jr)) {
		struct item it = {0};
		uint64_t frame;
		if (!read_item(jr, &it, "flow", "frame", &frame))
			return false;
		if (it.ref > s->flows.n)
			return json_fail(jr, "a finding of a flow the report does not list");
		it.key[0] = s->findings.n >= s->findings_before_truncation;
		it.key[1] = frame ? frame : UINT64_MAX;
		if (s->findings.n && key_cmp(it.key, s->findings.v[s->findings.n - 1].key) < 0)
			return json_fail(jr, "findings that are not in report order");
		s->findings.v = xgrow(s->findings.v, &s->findings.cap, s->findings.n + 1, sizeof *s->findings.v);
		s->findings.v[s->findings.n++] = it;
	}
	return !jr->error;
}

/* Reads and checks one shard's document into s. */
static int read_shard(struct shard *s, const char *path, char *err, size_t errlen)
{
	size_t len;
	s->path = path;
	if (!(s->text = text_file_read(path, &len, err, errlen)))
		return -1;
	struct json_reader jr;
	json_reader_init(&jr, s->text, len);
	bool not_shard = false;
	bool ok = json_object_begin(&jr) && skip_member(&jr, "format", &s->format) && skip_member(&jr, "tool", NULL) &&
		  skip_member(&jr, "version", &s->version) && read_shard_object(&jr, s, &not_shard) &&
		  read_capture(&jr, s) && read_flows(&jr, s) && read_findings(&jr, s) && object_end(&jr) &&
		  json_end(&jr);
	if (not_shard)
		return errbuf_set(err, errlen,
				  "%s is not a shard's report (it has no \"shard\": make it with report --format json "
				  "--shard I/N)",
				  path);
	if (!ok)
		return errbuf_set(err, errlen, "%s is not a tcpscope JSON report: %s at byte %zu", path, jr.error,
				  jr.error_offset);
	if (s->nflows != s->flows.n || s->findings_before_truncation > s->findings.n)
		return errbuf_set(err, errlen, "%s is not a tcpscope JSON report: its counts do not match its lists",
				  path);
	return 0;
}

static bool same(struct json_span a, struct json_span b)
{
	return a.len == b.len && memcmp(a.start, b.start, a.len) == 0;
}

/* Are these shards of one input, made alike? The first that is not says why. */
static int check_alike(const struct shard *a, const struct shard *b, char *err, size_t errlen)
{
	if (!same(a->format, b->format) || !same(a->version, b->version))
		return errbuf_set(err, errlen, "%s and %s were written by different versions of tcpscope (%.*s, %.*s)",
				  a->path, b->path, (int)a->version.len, a->version.start, (int)b->version.len,
				  b->version.start);
	if (a->count != b->count)
		return errbuf_set(err, errlen,
				  "%s is shard %" PRIu32 "/%" PRIu32 " but %s is shard %" PRIu32 "/%" PRIu32, a->path,
				  a->index, a->count, b->path, b->index, b->count);
	static const char *const what[] = {"source",	"size",	      "packets",   "first time",
					   "last time", "link types", "truncation"};
	bool differs[] = {!same(a->source, b->source),	     !same(a->input_bytes, b->input_bytes),
			  a->packets != b->packets,	     !same(a->first_time, b->first_time),
			  !same(a->last_time, b->last_time), !same(a->linktypes, b->linktypes),
			  !same(a->truncated, b->truncated)};
	for (size_t i = 0; i < sizeof differs / sizeof differs[0]; i++)
		if (differs[i])
			return errbuf_set(err, errlen, "%s and %s are shards of different inputs (they differ in %s)",
					  a->path, b->path, what[i]);
	if (!same(a->settings, b->settings))
		return errbuf_set(err, errlen, "%s and %s were made with different settings (filter or engine options)",
				  a->path, b->path);
	return 0;
}

/* The merged document is this version's: the shards must be too. */
static int check_version(const struct shard *s, char *err, size_t errlen)
{
	char format[16];
	snprintf(format, sizeof format, "%d", OUTPUT_FORMAT_VERSION);
	if (!json_span_is(s->version, "\"" PACKAGE_VERSION "\"") || !json_span_is(s->format, format))
		return errbuf_set(err, errlen,
				  "%s was written by tcpscope %.*s, not by this one (" PACKAGE_VERSION
				  "): merge with the version that made the shards",
				  s->path, (int)s->version.len, s->version.start);
	return 0;
}

/* Every index of 1..N once, N documents. */
static int check_complete(const struct shard *s, size_t n, char *err, size_t errlen)
{
	uint32_t count = s[0].count;
	size_t *holder = xcalloc(count, sizeof *holder); /* 1 + the document holding index i + 1 */
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		size_t *h = &holder[s[i].index - 1];
		if (*h)
			rc = errbuf_set(err, errlen, "%s and %s are both shard %" PRIu32 "/%" PRIu32, s[*h - 1].path,
					s[i].path, s[i].index, count);
		*h = i + 1;
	}
	for (uint32_t i = 0; i < count && !rc; i++)
		if (!holder[i])
			rc = errbuf_set(err, errlen, "shard %" PRIu32 "/%" PRIu32 " is missing", i + 1, count);
	free(holder);
	return rc;
}

/* "S.FFFFFF" or "S.FFFFFFFFF" (output_json_seconds) into ns; false if it is not that. */
static bool parse_seconds(struct json_span t, int64_t *ns, bool *nanosecond)
{
	const char *dot = memchr(t.start, '.', t.len);
	size_t decimals = dot ? t.len - (size_t)(dot - t.start) - 1 : 0;
	if (!dot || (decimals != 6 && decimals != 9) || strspn(t.start, "0123456789.") != t.len)
		return false;
	uint64_t whole = 0, frac = 0;
	for (const char *p = t.start; p < dot; p++)
		whole = whole * 10 + (uint64_t)(*p - '0');
	for (const char *p = dot + 1; p < t.start + t.len; p++)
		frac = frac * 10 + (uint64_t)(*p - '0');
	if (whole > INT64_MAX / 1000000000 - 1)
		return false;
	*ns = (int64_t)(whole * 1000000000u + (decimals == 6 ? frac * 1000 : frac));
	*nanosecond = decimals == 9;
	return true;
}

/* The head of the merged document: the first shard's capture with every shard's own counts added up. */
static int merged_head(struct report *r, const struct shard *s, size_t n, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	struct engine_stats *st = &r->stats;
	st->packets = s[0].packets;
	st->truncated = json_span_is(s[0].truncated, "true");
	if (st->packets && (!parse_seconds(s[0].first_time, &st->first_ns, &r->nanosecond) ||
			    !parse_seconds(s[0].last_time, &st->last_ns, &r->nanosecond)))
		return errbuf_set(err, errlen, "%s is not a tcpscope JSON report: its capture times are not seconds",
				  s[0].path);
	struct json_reader jr;
	struct json_span name;
	json_reader_init(&jr, s[0].linktypes.start, s[0].linktypes.len);
	for (json_array_begin(&jr); json_array_next(&jr) && json_plain_string(&jr, &name);) {
		if (r->nlinktypes == REPORT_MAX_LINKTYPES || name.len >= sizeof r->linktypes[0])
			return errbuf_set(err, errlen, "%s is not a tcpscope JSON report: too many link types",
					  s[0].path);
		memcpy(r->linktypes[r->nlinktypes], name.start, name.len);
		r->linktypes[r->nlinktypes++][name.len] = '\0';
	}
	if (jr.error)
		return errbuf_set(err, errlen, "%s is not a tcpscope JSON report: %s in its link types", s[0].path,
				  jr.error);
	for (size_t i = 0; i < n; i++) {
		st->tcp_packets += s[i].tcp_packets;
		st->decode_errors += s[i].decode_errors;
		r->nflows += s[i].nflows;
		r->findings_dropped += s[i].findings_dropped;
	}
	return 0;
}

/* Writes an item with its flow id made the whole's. */
static void write_item(FILE *out, const struct item *it, const uint64_t *global_ids, bool first)
{
	output_json_report_item(out, first);
	fwrite(it->text, 1, it->ref_at, out);
	if (it->ref)
		fprintf(out, "%" PRIu64, global_ids[it->ref - 1]);
	else
		fwrite(it->text + it->ref_at, 1, it->ref_len, out);
	size_t rest = it->ref_at + it->ref_len;
	fwrite(it->text + rest, 1, it->len - rest, out);
}

/* The shard whose next item (flows or findings) comes first in the order, or NULL when all are done. */
static struct shard *next_shard(struct shard *s, size_t n, bool flows)
{
	struct shard *best = NULL;
	const uint64_t *best_key = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct items *list = flows ? &s[i].flows : &s[i].findings;
		size_t next = flows ? s[i].next_flow : s[i].next_finding;
		if (next < list->n && (!best || key_cmp(list->v[next].key, best_key) < 0)) {
			best = &s[i];
			best_key = list->v[next].key;
		}
	}
	return best;
}

static int write_merged(FILE *out, struct shard *s, size_t n, char *err, size_t errlen)
{
	struct report r;
	if (merged_head(&r, s, n, err, errlen) != 0)
		return -1;
	/* Check the flows' first frames once before writing a byte: no two shards may hold the same. */
	uint64_t id = 0, last_frame = 0;
	for (struct shard *sh; (sh = next_shard(s, n, true)); sh->next_flow++) {
		const struct item *it = &sh->flows.v[sh->next_flow];
		if (id && it->key[0] == last_frame)
			return errbuf_set(err, errlen,
					  "two shards both hold a flow starting at frame %" PRIu64
					  ": they are not shards of one run",
					  last_frame);
		last_frame = it->key[0];
		sh->global_ids[sh->next_flow] = ++id;
	}
	char *source = xmalloc(s[0].source.len + 1);
	memcpy(source, s[0].source.start, s[0].source.len);
	source[s[0].source.len] = '\0';
	output_json_report_head(out, &r, source);
	free(source);
	for (size_t i = 0; i < n; i++)
		s[i].next_flow = 0;
	bool first = true;
	for (struct shard *sh; (sh = next_shard(s, n, true)); sh->next_flow++, first = false)
		write_item(out, &sh->flows.v[sh->next_flow], sh->global_ids, first);
	output_json_report_findings(out, r.nflows != 0);
	first = true;
	for (struct shard *sh; (sh = next_shard(s, n, false)); sh->next_finding++, first = false)
		write_item(out, &sh->findings.v[sh->next_finding], sh->global_ids, first);
	output_json_report_end(out, !first);
	return 0;
}

int output_merge(FILE *out, const char *const *paths, size_t n, char *err, size_t errlen)
{
	struct shard *s = xcalloc(n, sizeof *s);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = read_shard(&s[i], paths[i], err, errlen);
	for (size_t i = 1; i < n && !rc; i++)
		rc = check_alike(&s[0], &s[i], err, errlen);
	if (!rc)
		rc = check_version(&s[0], err, errlen);
	if (!rc)
		rc = check_complete(s, n, err, errlen);
	for (size_t i = 0; i < n && !rc; i++)
		s[i].global_ids = xcalloc(s[i].flows.n + 1, sizeof *s[i].global_ids);
	if (!rc)
		rc = write_merged(out, s, n, err, errlen);
	for (size_t i = 0; i < n; i++) {
		free(s[i].text);
		free(s[i].flows.v);
		free(s[i].findings.v);
		free(s[i].global_ids);
	}
	free(s);
	return rc;
}
