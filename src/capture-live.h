/*
 * capture-live.h - the live capture source (SPEC §10): a libpcap handle on a
 * network interface, the sibling of the file source in capture.h.
 *
 * The handle is opened with pcap_create()/pcap_activate() in immediate mode
 * (each packet is delivered at once, not when a kernel block fills), with an
 * optional kernel buffer size, and set non-blocking. The BPF filter is
 * compiled into the kernel, so rejected packets never reach us. The caller
 * polls capture_live_fd() (the program's one poll() loop) and, when it is
 * readable, drains what is ready with capture_live_read(); that call never
 * blocks. Frame numbers count the packets delivered (after the filter), so a
 * file saved from them has the same numbers.
 *
 * Records passed to the callback, and the bytes they point to, are borrowed
 * for the duration of the call. Errors go into caller-supplied buffers or
 * capture_live_error(); nothing here prints (STYLE.md principle 12).
 */
#ifndef TCPSCOPE_CAPTURE_LIVE_H
#define TCPSCOPE_CAPTURE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

#define CAPTURE_LIVE_DEFAULT_SNAPLEN 262144 /* tcpdump's default: whole packets */

struct capture_live_config {
	const char *device; /* an interface name, or "any" */
	const char *filter; /* BPF expression, or NULL for everything */
	int snaplen;	    /* bytes kept per packet; 0 = CAPTURE_LIVE_DEFAULT_SNAPLEN */
	int buffer_kib;	    /* kernel capture buffer in KiB; 0 = libpcap's default (2 MiB) */
	bool promiscuous;
};

struct capture_live_stats {
	uint64_t received;   /* packets the filter accepted (pcap_stats ps_recv) */
	uint64_t dropped;    /* dropped by the kernel: the buffer was full (ps_drop) */
	uint64_t if_dropped; /* dropped by the interface or driver (ps_ifdrop) */
};

/* One interface for `tcpscope -D`. Strings are borrowed for the callback. */
struct capture_interface {
	const char *name;
	const char *description; /* NULL if none */
	bool up, running, loopback, wireless;
};

struct capture_live;

typedef void (*capture_live_fn)(void *ctx, struct capture_record *rec);

/*
 * Opens and activates a live capture. On failure returns NULL with one line
 * in err naming the interface and the problem: no such interface, permission
 * denied (and which capabilities are needed), interface down, bad filter.
 */
struct capture_live *capture_live_open(const struct capture_live_config *cfg, char *err, size_t errlen);
/* A non-fatal warning from activation (promiscuous mode unsupported...), or "". */
const char *capture_live_warning(const struct capture_live *cap);
/* The descriptor to poll for input. */
int capture_live_fd(const struct capture_live *cap);
int capture_live_linktype(const struct capture_live *cap);
int capture_live_snaplen(const struct capture_live *cap);
/*
 * Delivers up to max packets that are ready (max > 0), without blocking.
 * Returns how many were delivered (0: none ready), or -1 when the capture
 * failed for good (the interface went down or disappeared): the message is in
 * capture_live_error().
 */
int capture_live_read(struct capture_live *cap, int max, capture_live_fn fn, void *ctx);
const char *capture_live_error(const struct capture_live *cap);
/*
 * Is the interface up with a carrier? 1 yes, 0 no, -1 unknown ("any"), or
 * CAPTURE_LIVE_LINK_GONE when the interface no longer exists (the message is
 * then in capture_live_error()). A link that goes down does not end a Linux
 * capture: packets simply stop and resume when it comes back, so the caller
 * polls this to tell the user. libpcap notices a deleted interface only
 * through an error on its ring, which a quick down/up/delete can leave
 * unreported; this poll is the dependable way to learn it is gone.
 */
#define CAPTURE_LIVE_LINK_GONE (-2)
int capture_live_link_up(struct capture_live *cap);
/* The kernel's counters since the capture opened. Returns -1 (message in capture_live_error()) if unavailable. */
int capture_live_stats(struct capture_live *cap, struct capture_live_stats *out);
void capture_live_close(struct capture_live *cap);

/* Calls fn for every interface libpcap can capture on. Returns 0, or -1 with a message in err. */
int capture_live_list(void (*fn)(void *ctx, const struct capture_interface *iface), void *ctx, char *err,
		      size_t errlen);

#endif
