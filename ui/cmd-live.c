/*
 * cmd-live.c - `tcpscope -i IFACE` and `tcpscope -D` (SPEC §10).
 *
 * On a terminal (stdin and stdout, no --format) a live capture opens the UI
 * (cmd-ui.c), which reads packet details back from a saved file: the -w
 * file, or else a private temporary one. Without a terminal (or with
 * --format json) it streams JSON Lines on stdout: a finding line as each
 * finding is made, a flow line as each flow ends or is evicted, and at the
 * end (-c, --duration, SIGINT, SIGTERM, or the interface failing) a flow line
 * for every flow still open and one stats line with the kernel's drop count.
 * Status messages go to stderr so stdout stays pure JSON. Either way the
 * capture runs in the program's one poll() loop (ui/loop.c) through
 * ui/live.c.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "live.h"
#include "output.h"
#include "text-safe.h"

/*
 * Without -w the live UI's temporary file rotates at this many bytes per
 * packet the UI keeps (--ui-max-packets), and at no less than
 * SEGMENT_MIN_BYTES. Two files at most are kept (MODEL_SEGMENTS), so the disk
 * holds twice that at most. A record takes 16 bytes and the packet's first
 * 256: about 90 for an ACK, 272 for a full segment.
 */
#define SEGMENT_BYTES_PER_PACKET 128
#define SEGMENT_MIN_BYTES (64 * 1024)

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	loop_stop_from_signal();
}

static void catch_stop_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() returns EINTR and the loop sees the stop at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void print_interface(void *ctx, const struct capture_interface *iface)
{
	int *n = ctx;
	printf("%d.", ++*n);
	text_safe_write(stdout, iface->name);
	if (iface->description) {
		fputs(" (", stdout);
		text_safe_write(stdout, iface->description);
		fputc(')', stdout);
	}
	printf(" [%s%s%s%s]\n", iface->up ? "Up" : "Down", iface->running ? ", Running" : "",
	       iface->loopback ? ", Loopback" : "", iface->wireless ? ", Wireless" : "");
}

int cmd_list_interfaces(struct options *o)
{
	(void)o;
	char err[CAPTURE_ERRBUF_SIZE];
	int n = 0;
	if (capture_live_list(print_interface, &n, err, sizeof err) != 0) {
		cmd_error(err);
		return 2;
	}
	if (n == 0)
		fputs("tcpscope: no interface to capture on (live capture needs root, or the CAP_NET_RAW and "
		      "CAP_NET_ADMIN capabilities)\n",
		      stderr);
	return 0;
}

static void stream_finding(void *ctx, const struct finding *f)
{
	output_stream_finding(stdout, f, false);
}

static void stream_flow(void *ctx, const struct flow_summary *s)
{
	output_stream_flow(stdout, s, false);
}

/* Flushed per batch, not per line: readers see each batch at once, and a flood costs few writes. */
static void stream_changed(void *ctx)
{
	fflush(stdout);
}

static void stream_notice(void *ctx, const char *message)
{
	cmd_error(message);
}

static int stream_ended(void *ctx, enum live_end why, const char *message)
{
	if (why == LIVE_END_ERROR)
		cmd_error(message);
	return LOOP_STOP;
}

/* The JSON Lines stream of a live capture; returns the exit status. */
static int stream_live(struct live *lv, const struct engine_config *cfg)
{
	char err[LIVE_ERROR_MAX];
	struct loop *loop = loop_new();
	struct engine_sink sink = {.finding = stream_finding, .flow_end = stream_flow};
	struct live_hooks hooks = {.changed = stream_changed, .notice = stream_notice, .ended = stream_ended};
	int status = 0;
	catch_stop_signals();
	if (live_attach(lv, loop, cfg, &sink, &hooks, err, sizeof err) != 0) {
		cmd_error(err);
		status = 2;
	} else if (!stop_requested && loop_run(loop) != 0) {
		perror("tcpscope: poll");
		status = 2;
	}
	live_stop(lv);
	live_finish(lv);
	struct live_stats st;
	live_stats(lv, &st);
	output_stream_stats(stdout, &st.engine, st.kernel.dropped);
	fflush(stdout);
	if (*st.error)
		status = 2;
	fprintf(stderr, "tcpscope: %llu packets captured, %llu received by filter, %llu dropped by kernel\n",
		(unsigned long long)st.engine.packets, (unsigned long long)st.kernel.received,
		(unsigned long long)st.kernel.dropped);
	loop_free(loop);
	return status;
}

int cmd_live(struct options *o)
{
	if (o->nargs > 0)
		return cmd_usage_error("give either -i IFACE or a capture file, not both");
	if (o->live.save_path && strcmp(o->live.save_path, "-") == 0)
		return cmd_usage_error("-w - would mix packets into the output: give a file name");
	if (o->format && strcmp(o->format, "json") != 0)
		return cmd_usage_error("live capture writes --format json (or opens the UI on a terminal)");
	bool ui = !o->format && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	if (!o->idle_timeout_set)
		o->engine.idle_timeout_ns = LIVE_DEFAULT_IDLE_TIMEOUT_S * 1000000000LL;
	if (!o->max_flows_set)
		o->engine.max_flows = LIVE_DEFAULT_MAX_FLOWS;
	/*
	 * The analysis reads headers only (payload sizes come from the IP header):
	 * small slots copy less and fit many more packets in the kernel's ring.
	 * Whole packets when they are saved, or when checksums need the payload.
	 */
	if (!o->live.capture.snaplen && !o->live.save_path && !o->engine.verify_checksums)
		o->live.capture.snaplen = LIVE_HEADERS_SNAPLEN;
	if (!o->live.capture.buffer_kib)
		o->live.capture.buffer_kib = LIVE_DEFAULT_BUFFER_KIB;
	o->live.capture.filter = o->filter;
	/* The UI reads details back from the saved packets: without -w, from a temporary file (headers only). */
	o->live.save_temporary = ui;
	if (ui && !o->live.save_path && o->ui_limits.packets) {
		uint64_t bytes = o->ui_limits.packets * SEGMENT_BYTES_PER_PACKET;
		o->live.segment_bytes = bytes > SEGMENT_MIN_BYTES ? bytes : SEGMENT_MIN_BYTES;
	}

	char err[LIVE_ERROR_MAX];
	struct live *lv = live_open(&o->live, err, sizeof err);
	if (!lv) {
		cmd_error(err);
		return 2;
	}
	int status;
	if (ui) {
		status = cmd_ui_live(o, lv);
	} else {
		if (*live_warning(lv)) {
			char warning[LIVE_ERROR_MAX + 16];
			snprintf(warning, sizeof warning, "warning: %s", live_warning(lv));
			cmd_error(warning);
		}
		char banner[LIVE_ERROR_MAX];
		live_banner(lv, banner, sizeof banner);
		cmd_error(banner);
		status = stream_live(lv, &o->engine);
	}
	if (live_close(lv, err, sizeof err) != 0) {
		cmd_error(err);
		status = 2;
	}
	return status;
}
