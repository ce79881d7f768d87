/*
 * live.c - one live capture session: capture -> (-w file) -> engine -> sink,
 * paced by the program's poll() loop (see live.h for the life cycle).
 *
 * Packet time and the expiry clock are both the wall clock: the kernel
 * stamps packets with CLOCK_REALTIME, and the tick hands the same clock to
 * engine_expire(), so a flow that falls silent still ends after TIME-WAIT or
 * --idle-timeout without waiting for another packet. Once capture stops (by
 * -c, --duration, an interface failure or live_stop()) the engine is frozen:
 * nothing expires any more, so a UI that stays up shows what was captured.
 *
 * A temporary file that rotates (cfg.segment_bytes) is checked before each
 * record is saved: once the last record saved starts past rotate_at, the
 * record goes to a new file, so a file holds segment_bytes and two records at
 * most. The UI decides when an old file's space goes: when it closes it.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture-save.h"
#include "live.h"
#include "mem-alloc.h"

#define TICK_MS 1000
#define LIVE_DRAIN_BATCHES 16 /* at the stop: read at most this many budgets more */

struct live {
	struct live_config cfg;
	struct capture_live *cap; /* NULL once capture has stopped */
	int fd;
	struct capture_save *save;
	char *temporary;       /* the temporary file's path (cfg.save_temporary without -w), or NULL */
	bool temporary_linked; /* it still has that name */
	uint64_t rotate_at;    /* rotating: a new file once a record starts at or past this offset; 0 never */
	uint64_t last_offset;  /* where the last record saved starts */
	char rotated_error[LIVE_ERROR_MAX]; /* a rotated-out file that could not be written in full, or "" */
	struct engine *engine;
	struct loop *loop;
	struct live_hooks hooks;
	const struct capture_record *current;
	uint64_t packets;
	char device[64];
	int linktype, snaplen;

	struct capture_live_stats kernel; /* the last counters read */
	uint64_t rate_packets;		  /* packets at the last tick */
	int64_t rate_ms;		  /* time of the last tick */
	double pps;
	size_t memory;
	bool link_down;
	bool finished;
	char warning[LIVE_ERROR_MAX];
	char error[LIVE_ERROR_MAX];
};

/* -Z: leave root for good, as tcpdump does (supplementary groups first, then gid, then uid). */
static int drop_privileges(struct live *lv, const char *user, char *err, size_t errlen)
{
	if (getuid() != 0 && geteuid() != 0) {
		snprintf(lv->warning, sizeof lv->warning, "-Z %s ignored: not running as root", user);
		return 0;
	}
	errno = 0;
	const struct passwd *pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen, "-Z: unknown user \"%s\"%s%s", user, errno ? ": " : "",
			 errno ? strerror(errno) : "");
		return -1;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	if (lv->save && capture_save_chown(lv->save, uid, gid) != 0) {
		snprintf(err, errlen, "-Z %s: cannot give %s to %s: %s", user, lv->cfg.save_path, user,
			 strerror(errno));
		return -1;
	}
	if (initgroups(pw->pw_name, gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
		snprintf(err, errlen, "-Z %s: cannot drop privileges: %s", user, strerror(errno));
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "-Z %s: root privileges could be regained: refusing to go on", user);
		return -1;
	}
	return 0;
}

/* Creates a private file (mode 0600) in $TMPDIR, or /tmp; returns its path (malloc'd), or NULL with err. */
static char *make_temporary(char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	size_t len = strlen(dir) + sizeof "/tcpscope-live-XXXXXX";
	char *path = xmalloc(len);
	snprintf(path, len, "%s/tcpscope-live-XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a temporary file in %s: %s (set TMPDIR, or give -w FILE)", dir,
			 strerror(errno));
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

struct live *live_open(const struct live_config *cfg, char *err, size_t errlen)
{
	struct live *lv = xcalloc(1, sizeof *lv);
	lv->cfg = *cfg;
	lv->fd = -1;
	lv->cap = capture_live_open(&cfg->capture, err, errlen);
	if (!lv->cap) {
		free(lv);
		return NULL;
	}
	snprintf(lv->device, sizeof lv->device, "%s", cfg->capture.device);
	snprintf(lv->warning, sizeof lv->warning, "%s", capture_live_warning(lv->cap));
	lv->linktype = capture_live_linktype(lv->cap);
	lv->snaplen = capture_live_snaplen(lv->cap);
	if (!cfg->save_path && cfg->save_temporary) {
		lv->temporary = make_temporary(err, errlen);
		if (!lv->temporary)
			goto fail;
		lv->temporary_linked = true;
		lv->cfg.save_path = lv->temporary;
	}
	if (lv->cfg.save_path) {
		lv->save =
			capture_save_open(lv->cfg.save_path, lv->linktype, lv->snaplen, lv->device, false, err, errlen);
		if (!lv->save)
			goto fail;
	}
	if (cfg->user && drop_privileges(lv, cfg->user, err, errlen) != 0)
		goto fail;
	return lv;
fail:
	if (lv->save) {
		char ignored[CAPTURE_ERRBUF_SIZE];
		capture_save_close(lv->save, ignored, sizeof ignored);
		unlink(lv->cfg.save_path);
	} else if (lv->temporary) {
		unlink(lv->temporary);
	}
	free(lv->temporary);
	capture_live_close(lv->cap);
	free(lv);
	return NULL;
}

const char *live_save_path(const struct live *lv)
{
	return lv->save ? lv->cfg.save_path : NULL;
}

void live_unlink_temporary(struct live *lv)
{
	if (lv->temporary_linked)
		unlink(lv->temporary);
	lv->temporary_linked = false;
}

void live_banner(const struct live *lv, char *buf, size_t len)
{
	/* Not a temporary file: its name is no business of the user's, and soon gone. */
	bool named = lv->save && !lv->temporary;
	snprintf(buf, len, "listening on %s, link-type %s, snapshot length %d bytes%s%s", lv->device,
		 capture_linktype_name(lv->linktype), lv->snaplen, named ? ", saving to " : "",
		 named ? lv->cfg.save_path : "");
}

const char *live_warning(const struct live *lv)
{
	return lv->warning;
}

static int64_t wall_clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Resident memory from /proc (Linux); 0 where it cannot be read. */
static size_t resident_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return 0;
	unsigned long size, resident = 0;
	int n = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	long page = sysconf(_SC_PAGESIZE);
	return n == 2 && page > 0 ? (size_t)resident * (size_t)page : 0;
}

static void read_kernel_stats(struct live *lv)
{
	struct capture_live_stats st;
	/* After a failure the counters may be gone: keep the last good ones. */
	if (lv->cap && capture_live_stats(lv->cap, &st) == 0)
		lv->kernel = st;
}

/*
 * The temporary file is full: later records go to a new one, whose name the
 * UI gets (to open it) before it is removed. The old one is closed for
 * writing and stays readable by whoever holds it. If no new file can be
 * made, the current one grows on for another segment before the next try.
 */
static void rotate(struct live *lv)
{
	char err[LIVE_ERROR_MAX];
	lv->rotate_at += lv->cfg.segment_bytes;
	char *path = make_temporary(err, sizeof err);
	struct capture_save *next =
		path ? capture_save_open(path, lv->linktype, lv->snaplen, lv->device, false, err, sizeof err) : NULL;
	if (next && capture_save_flush(next) != 0) {
		capture_save_close(next, err, sizeof err);
		next = NULL;
	}
	if (!next) {
		if (path)
			unlink(path);
		free(path);
		if (lv->hooks.notice) {
			char message[2 * LIVE_ERROR_MAX];
			snprintf(message, sizeof message,
				 "cannot start a new temporary file (%s): the current one grows on", err);
			lv->hooks.notice(lv->hooks.ctx, message);
		}
		return;
	}
	if (capture_save_close(lv->save, err, sizeof err) != 0 && !lv->rotated_error[0])
		snprintf(lv->rotated_error, sizeof lv->rotated_error, "%s", err);
	lv->save = next;
	free(lv->temporary);
	lv->temporary = path;
	lv->cfg.save_path = path;
	lv->temporary_linked = true;
	lv->rotate_at = lv->cfg.segment_bytes;
	lv->last_offset = 0;
	lv->hooks.segment(lv->hooks.ctx, path);
	live_unlink_temporary(lv);
}

static void on_record(void *ctx, struct capture_record *rec)
{
	struct live *lv = ctx;
	lv->packets++;
	rec->offset = 0;
	if (lv->rotate_at && lv->last_offset >= lv->rotate_at)
		rotate(lv);
	if (lv->save) {
		capture_save_write(lv->save, rec, &rec->offset); /* a failure is reported by live_close() */
		lv->last_offset = rec->offset;
	}
	lv->current = rec;
	engine_packet(lv->engine, rec);
	lv->current = NULL;
}

/* Packets to read at most now: LIVE_READ_BUDGET, or fewer to stop exactly at -c. */
static int budget_left(const struct live *lv)
{
	if (lv->cfg.max_packets && lv->cfg.max_packets - lv->packets < (uint64_t)LIVE_READ_BUDGET)
		return (int)(lv->cfg.max_packets - lv->packets);
	return LIVE_READ_BUDGET;
}

/*
 * Capture is over: what the kernel already holds is analysed (packets seen
 * before the stop belong to the capture), last counters, descriptor out of
 * the loop, handle closed; the user's hook decides what happens next.
 */
static int end_capture(struct live *lv, enum live_end why, const char *message)
{
	if (!lv->cap)
		return 0;
	/* Bounded, so a stop under a flood still stops. */
	for (int i = 0; i < LIVE_DRAIN_BATCHES && why != LIVE_END_ERROR && lv->engine && budget_left(lv) > 0; i++)
		if (capture_live_read(lv->cap, budget_left(lv), on_record, lv) <= 0)
			break;
	read_kernel_stats(lv);
	if (why == LIVE_END_ERROR)
		snprintf(lv->error, sizeof lv->error, "%s", message);
	if (lv->loop)
		loop_remove_fd(lv->loop, lv->fd);
	capture_live_close(lv->cap);
	lv->cap = NULL;
	lv->fd = -1;
	live_flush(lv);
	if (lv->hooks.changed)
		lv->hooks.changed(lv->hooks.ctx);
	return lv->hooks.ended ? lv->hooks.ended(lv->hooks.ctx, why, lv->error) : LOOP_STOP;
}

static int on_readable(void *ctx, int fd)
{
	struct live *lv = ctx;
	int n = capture_live_read(lv->cap, budget_left(lv), on_record, lv);
	if (n < 0)
		return end_capture(lv, LIVE_END_ERROR, capture_live_error(lv->cap));
	if (n > 0 && lv->hooks.changed)
		lv->hooks.changed(lv->hooks.ctx);
	if (lv->cfg.max_packets && lv->packets >= lv->cfg.max_packets)
		return end_capture(lv, LIVE_END_COUNT, "");
	return 0;
}

/*
 * Tells the user when the interface goes down or comes back (capture itself
 * just waits); returns true when the interface no longer exists.
 */
static bool watch_link(struct live *lv)
{
	int up = capture_live_link_up(lv->cap);
	if (up == CAPTURE_LIVE_LINK_GONE)
		return true;
	bool down = up == 0;
	if (down == lv->link_down)
		return false;
	lv->link_down = down;
	if (!lv->hooks.notice)
		return false;
	char message[LIVE_ERROR_MAX];
	snprintf(message, sizeof message,
		 down ? "%s: the interface is down; capture goes on when it comes back"
		      : "%s: the interface is up again",
		 lv->device);
	lv->hooks.notice(lv->hooks.ctx, message);
	return false;
}

static int on_tick(void *ctx)
{
	struct live *lv = ctx;
	if (!lv->cap)
		return 0;
	int64_t now = loop_now_ms();
	engine_expire(lv->engine, wall_clock_ns());
	read_kernel_stats(lv);
	if (now > lv->rate_ms)
		lv->pps = (double)(lv->packets - lv->rate_packets) * 1000.0 / (double)(now - lv->rate_ms);
	lv->rate_packets = lv->packets;
	lv->rate_ms = now;
	lv->memory = resident_bytes();
	if (watch_link(lv))
		return end_capture(lv, LIVE_END_ERROR, capture_live_error(lv->cap));
	live_flush(lv);
	if (lv->hooks.changed)
		lv->hooks.changed(lv->hooks.ctx);
	return 0;
}

static int on_deadline(void *ctx)
{
	return end_capture(ctx, LIVE_END_DURATION, "");
}

int live_attach(struct live *lv, struct loop *loop, const struct engine_config *engine_cfg,
		const struct engine_sink *sink, const struct live_hooks *hooks, char *err, size_t errlen)
{
	lv->loop = loop;
	lv->hooks = *hooks;
	struct engine_config cfg = *engine_cfg;
	cfg.views_per_flow = true; /* a live screen shows each packet at once (tcp-delivery.h) */
	lv->engine = engine_new(&cfg, sink);
	lv->fd = capture_live_fd(lv->cap);
	lv->rate_ms = loop_now_ms();
	lv->memory = resident_bytes();
	if (lv->temporary && lv->cfg.segment_bytes && hooks->segment)
		lv->rotate_at = lv->cfg.segment_bytes;
	if (loop_add_fd(loop, lv->fd, on_readable, lv) != 0 || loop_add_timer(loop, TICK_MS, on_tick, lv) < 0 ||
	    (lv->cfg.duration_ms > 0 && loop_add_timer(loop, lv->cfg.duration_ms, on_deadline, lv) < 0)) {
		snprintf(err, errlen, "the event loop is full");
		return -1;
	}
	return 0;
}

struct engine *live_engine(const struct live *lv)
{
	return lv->engine;
}

const struct capture_record *live_current_record(const struct live *lv)
{
	return lv->current;
}

int live_flush(struct live *lv)
{
	return lv->save ? capture_save_flush(lv->save) : 0;
}

void live_stats(const struct live *lv, struct live_stats *out)
{
	memset(out, 0, sizeof *out);
	if (lv->engine)
		engine_get_stats(lv->engine, &out->engine);
	out->kernel = lv->kernel;
	out->packets_per_sec = lv->pps;
	out->memory_bytes = lv->memory;
	out->capturing = lv->cap != NULL;
	out->link_down = lv->link_down;
	out->error = lv->error;
}

void live_stop(struct live *lv)
{
	if (!lv->cap)
		return;
	struct live_hooks quiet = {0};
	lv->hooks = quiet; /* the caller is stopping: no hook to ask */
	lv->rotate_at = 0; /* nor a new file to hand over: the last packets stay in this one */
	end_capture(lv, LIVE_END_COUNT, "");
}

void live_finish(struct live *lv)
{
	if (lv->engine && !lv->finished) {
		engine_finish(lv->engine);
		lv->finished = true;
	}
}

int live_close(struct live *lv, char *err, size_t errlen)
{
	if (!lv)
		return 0;
	capture_live_close(lv->cap);
	int rc = capture_save_close(lv->save, err, errlen);
	if (rc == 0 && lv->rotated_error[0]) {
		snprintf(err, errlen, "%s", lv->rotated_error);
		rc = -1;
	}
	live_unlink_temporary(lv);
	free(lv->temporary);
	engine_free(lv->engine);
	free(lv);
	return rc;
}
