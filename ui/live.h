/*
 * live.h - a live capture session (SPEC §10): the capture source, the
 * optional `-w` file and the engine, driven by the program's one poll() loop.
 * The JSON stream (cmd-live.c) and the live UI use it the same way:
 *
 *   struct live *lv = live_open(&cfg, err, sizeof err);   capture opened, -w
 *                                                         created, -Z applied
 *   live_attach(lv, loop, &engine_cfg, &sink, &hooks, ...);
 *   loop_run(loop);            packets flow: sink.packet / .finding / .flow_end
 *   live_stop(lv);             (if the loop ended for another reason: a key, a signal)
 *   live_finish(lv);           every flow still open -> sink.flow_end, in id order
 *   live_stats(lv, &st);       final counters, kernel drops included
 *   live_close(lv, err, ...);  closes the -w file; reports a short write
 *
 * What the session puts in the loop: the capture's descriptor (drained at
 * most LIVE_READ_BUDGET packets per wake-up, so the keyboard and redraw timer
 * are never starved), a one-second tick (idle and TIME-WAIT expiry on the
 * wall clock, kernel counters, packets/s, memory, link state, -w flush)
 * and, with --duration, a deadline. The UI adds its keyboard descriptor and a redraw
 * timer to the same loop and rate-limits redraws itself.
 *
 * For the UI:
 *   - Give your own engine_sink: flows are created and updated through
 *     sink.packet (packet views carry the flow id), end through
 *     sink.flow_end; engine_foreach_open_flow(live_engine(lv), ...) gives a
 *     provisional summary of every open flow (as model_refresh_open_flows()
 *     does for files).
 *   - During a sink callback, live_current_record() is the record being
 *     analysed; when saving (-w, or without it cfg.save_temporary: a private
 *     file in $TMPDIR) its offset is where the record starts in that file
 *     (live_save_path()), so details can be re-read with capture_open_file()
 *     + capture_seek() after live_flush(). Once the reader is open, the
 *     temporary file can lose its name (live_unlink_temporary): nothing is
 *     left behind however the program ends.
 *   - With cfg.segment_bytes, the temporary file rotates: once it holds that
 *     many bytes the next record starts a new file, and hooks.segment gets
 *     its name (open it there: the name goes when the hook returns). The old
 *     file is closed for writing; its space goes when its last reader closes
 *     it. The -w file never rotates.
 *   - hooks.changed runs after each batch of packets and after each expiry
 *     tick: mark the model dirty there (do not draw; draw from your timer).
 *   - hooks.notice (optional) says the interface went down or came back up:
 *     capture goes on and resumes by itself, show the message.
 *   - hooks.ended runs once when capture stops by itself: -c reached,
 *     --duration over, or LIVE_END_ERROR (the capture failed: the interface
 *     disappeared; the message says so). Return 0 to keep the loop (and the
 *     UI) running on what was captured, LOOP_STOP to end it.
 *   - live_stats() is cheap: call it at every redraw for the status bar.
 *
 * Ownership: the session copies cfg, but the strings it points to (device,
 * filter, save_path, user: usually argv) must outlive the session. Records
 * and summaries handed to the sink are borrowed for the call.
 *
 * Signals are the caller's: install SIGINT/SIGTERM handlers that call
 * loop_stop_from_signal(). Nothing here prints; errors come back in err buffers.
 */
#ifndef TCPSCOPE_UI_LIVE_H
#define TCPSCOPE_UI_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture-live.h"
#include "engine.h"
#include "loop.h"

#define LIVE_READ_BUDGET 4096		/* packets per wake-up of the loop */
#define LIVE_DEFAULT_IDLE_TIMEOUT_S 300 /* --idle-timeout */
#define LIVE_DEFAULT_MAX_FLOWS 100000	/* --max-flows: about 160 MB of half-open flows */
#define LIVE_HEADERS_SNAPLEN 256	/* -s default without -w: every header the analysis reads */
#define LIVE_DEFAULT_BUFFER_KIB 8192	/* -B default: libpcap's 2 MiB holds only a few whole packets */
#define LIVE_ERROR_MAX 512

struct live_config {
	struct capture_live_config capture; /* -i, -f, -s, -B, -p */
	const char *save_path;		    /* -w: also save every packet here (pcap, or pcapng by extension) */
	bool save_temporary;		    /* without save_path: save to a private temporary file (pcap) anyway */
	uint64_t segment_bytes;		    /* with save_temporary: rotate the file past this size; 0 never */
	const char *user;		    /* -Z: drop root to this user once the capture is open */
	uint64_t max_packets;		    /* -c: stop after this many packets; 0 = no limit */
	int64_t duration_ms;		    /* --duration: stop after this long; 0 = no limit */
};

enum live_end {
	LIVE_END_COUNT,	   /* -c packets captured */
	LIVE_END_DURATION, /* --duration elapsed */
	LIVE_END_ERROR,	   /* the capture failed: the interface disappeared */
};

struct live_hooks {
	void *ctx;
	void (*changed)(void *ctx);
	void (*notice)(void *ctx, const char *message);
	int (*ended)(void *ctx, enum live_end why, const char *message);
	void (*segment)(void *ctx, const char *path); /* with cfg.segment_bytes: the temporary file rotated */
};

struct live_stats {
	struct engine_stats engine;	  /* packets, flows_active, flows_total, flows_evicted, ... */
	struct capture_live_stats kernel; /* received, dropped (kernel), if_dropped: last read */
	double packets_per_sec;		  /* over the last tick */
	size_t memory_bytes;		  /* resident memory of the process; 0 if unknown */
	bool capturing;			  /* false once capture has stopped */
	bool link_down;			  /* the interface is down or has no carrier (capture waits) */
	const char *error;		  /* why capture failed, or "" */
};

struct live;

/*
 * Opens the capture, creates the -w file and, with cfg->user, drops root
 * privileges (initgroups, setgid, setuid; the -w file is given to that
 * user). Returns NULL with one line in err.
 */
struct live *live_open(const struct live_config *cfg, char *err, size_t errlen);
/* "listening on eth0, link-type EN10MB, snapshot length 262144 bytes", for the user. */
void live_banner(const struct live *lv, char *buf, size_t len);
/* The file packets are saved to (-w, or the temporary file), or NULL. */
const char *live_save_path(const struct live *lv);
/* Removes the temporary file's name now (open readers go on reading it); live_close() does otherwise. */
void live_unlink_temporary(struct live *lv);
/* A non-fatal warning from opening (promiscuous mode unsupported, -Z without root...), or "". */
const char *live_warning(const struct live *lv);
/* Creates the engine with this sink and puts the capture and timers into the loop. Returns -1 with err. */
int live_attach(struct live *lv, struct loop *loop, const struct engine_config *engine_cfg,
		const struct engine_sink *sink, const struct live_hooks *hooks, char *err, size_t errlen);
struct engine *live_engine(const struct live *lv);
/* The record being analysed, during a sink callback; NULL otherwise. */
const struct capture_record *live_current_record(const struct live *lv);
/* Makes every saved record readable from the -w file. Returns -1 on a write error. */
int live_flush(struct live *lv);
void live_stats(const struct live *lv, struct live_stats *out);
/* Stops capturing (reads the kernel counters one last time); idempotent. */
void live_stop(struct live *lv);
/* Ends every open flow through the sink. Call once, after live_stop(). */
void live_finish(struct live *lv);
/* Frees everything. Returns -1 with err if the -w file could not be written in full. */
int live_close(struct live *lv, char *err, size_t errlen);

#endif
