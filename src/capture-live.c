/*
 * capture-live.c - live capture on an interface via libpcap (SPEC §10).
 *
 * Set-up follows libpcap's recommended order: pcap_create, options
 * (snaplen, promiscuous, immediate mode, buffer size), pcap_activate, then
 * the kernel filter and non-blocking mode. libpcap's status codes are turned
 * into one-line messages a user can act on. Reading drains at most a budget
 * of packets per call so that the caller's poll() loop stays responsive
 * under load. libpcap reports a vanished interface as PCAP_ERROR from
 * pcap_dispatch(), which ends the capture for good; an interface that is
 * merely taken down (or loses its carrier) only stops delivering packets,
 * so its state is read separately with SIOCGIFFLAGS.
 *
 * The kernel's counters (pcap_stats) are 32-bit and wrap; they are widened
 * here by accumulating the differences between successive reads.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture-linktype.h"
#include "capture-live.h"
#include "decode.h"
#include "mem-alloc.h"

#define READ_TIMEOUT_MS 100 /* unused in immediate mode, but some platforms want one */

struct capture_live {
	pcap_t *pcap;
	char *device;
	int linktype;
	int snaplen;
	int ioctl_fd; /* for the link state; -1 until first needed */
	uint64_t frame;
	/* Widened pcap_stats counters and the raw values last read. */
	struct capture_live_stats totals;
	u_int last_recv, last_drop, last_ifdrop;
	char warning[CAPTURE_ERRBUF_SIZE];
	char error[CAPTURE_ERRBUF_SIZE];
};

/* Turns a failed pcap_activate() into a message that says what to do. */
static void explain_activate_error(pcap_t *p, const char *device, int rc, char *err, size_t errlen)
{
	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		snprintf(err, errlen, "%s: no such interface (tcpscope -D lists them)", device);
		break;
	case PCAP_ERROR_PERM_DENIED:
		snprintf(err, errlen,
			 "%s: permission denied: live capture needs root, or the CAP_NET_RAW and CAP_NET_ADMIN "
			 "capabilities (setcap cap_net_raw,cap_net_admin=eip tcpscope)",
			 device);
		break;
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		snprintf(err, errlen,
			 "%s: permission denied for promiscuous mode: run as root, or use -p to capture without it",
			 device);
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(err, errlen, "%s: the interface is down", device);
		break;
	default:
		snprintf(err, errlen, "%s: cannot capture: %s", device,
			 rc == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(rc));
		break;
	}
}

/* Compiles the filter for this handle's link type and loads it into the kernel. */
static int set_filter(pcap_t *p, const char *device, const char *filter, char *err, size_t errlen)
{
	bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
	char pcap_err[PCAP_ERRBUF_SIZE];
	if (strcmp(device, "any") == 0 || pcap_lookupnet(device, &net, &mask, pcap_err) != 0)
		mask = PCAP_NETMASK_UNKNOWN; /* only "ip broadcast" needs it */
	struct bpf_program prog;
	if (pcap_compile(p, &prog, filter, 1, mask) != 0) {
		snprintf(err, errlen, "%s: bad filter \"%s\": %s", device, filter, pcap_geterr(p));
		return -1;
	}
	int rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc != 0) {
		snprintf(err, errlen, "%s: cannot set the filter: %s", device, pcap_geterr(p));
		return -1;
	}
	return 0;
}

struct capture_live *capture_live_open(const struct capture_live_config *cfg, char *err, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	const char *device = cfg->device;
	pcap_t *p = pcap_create(device, pcap_err);
	if (!p) {
		snprintf(err, errlen, "%s: %s", device, pcap_err);
		return NULL;
	}
	int snaplen = cfg->snaplen > 0 ? cfg->snaplen : CAPTURE_LIVE_DEFAULT_SNAPLEN;
	pcap_set_snaplen(p, snaplen);
	pcap_set_promisc(p, cfg->promiscuous);
	pcap_set_timeout(p, READ_TIMEOUT_MS);
	if (pcap_set_immediate_mode(p, 1) != 0) {
		snprintf(err, errlen, "%s: this libpcap has no immediate mode", device);
		pcap_close(p);
		return NULL;
	}
	if (cfg->buffer_kib > 0)
		pcap_set_buffer_size(p, cfg->buffer_kib * 1024);

	struct capture_live *cap = xcalloc(1, sizeof *cap);
	int rc = pcap_activate(p);
	if (rc < 0) {
		explain_activate_error(p, device, rc, err, errlen);
		goto fail;
	}
	if (rc > 0)
		snprintf(cap->warning, sizeof cap->warning, "%s: %s", device,
			 rc == PCAP_WARNING ? pcap_geterr(p) : pcap_statustostr(rc));
	cap->linktype = pcap_datalink(p);
	if (!decode_linktype_supported(cap->linktype)) {
		snprintf(err, errlen, "%s: unsupported link type %s (%d)", device, capture_linktype_name(cap->linktype),
			 cap->linktype);
		goto fail;
	}
	if (cfg->filter && *cfg->filter && set_filter(p, device, cfg->filter, err, errlen) != 0)
		goto fail;
	if (pcap_setnonblock(p, 1, pcap_err) != 0) {
		snprintf(err, errlen, "%s: cannot make the capture non-blocking: %s", device, pcap_err);
		goto fail;
	}
	if (pcap_get_selectable_fd(p) < 0) {
		snprintf(err, errlen, "%s: this interface cannot be polled", device);
		goto fail;
	}
	cap->pcap = p;
	cap->ioctl_fd = -1;
	cap->device = xstrdup(device);
	cap->snaplen = pcap_snapshot(p);
	return cap;
fail:
	pcap_close(p);
	free(cap);
	return NULL;
}

const char *capture_live_warning(const struct capture_live *cap)
{
	return cap->warning;
}

int capture_live_fd(const struct capture_live *cap)
{
	return pcap_get_selectable_fd(cap->pcap);
}

int capture_live_linktype(const struct capture_live *cap)
{
	return cap->linktype;
}

int capture_live_snaplen(const struct capture_live *cap)
{
	return cap->snaplen;
}

struct read_ctx {
	struct capture_live *cap;
	capture_live_fn fn;
	void *ctx;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct read_ctx *rc = (struct read_ctx *)user;
	struct capture_record rec = {
		.frame = ++rc->cap->frame,
		.time_ns = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec * 1000,
		.caplen = h->caplen,
		.wirelen = h->len,
		.linktype = rc->cap->linktype,
		.data = data,
	};
	rc->fn(rc->ctx, &rec);
}

int capture_live_read(struct capture_live *cap, int max, capture_live_fn fn, void *ctx)
{
	struct read_ctx rc = {cap, fn, ctx};
	int total = 0;
	/* One pcap_dispatch() returns at most one kernel block: go on until nothing is ready or the budget is spent. */
	while (total < max) {
		int n = pcap_dispatch(cap->pcap, max - total, on_packet, (u_char *)&rc);
		if (n == PCAP_ERROR) {
			snprintf(cap->error, sizeof cap->error, "%s: capture stopped: %s", cap->device,
				 pcap_geterr(cap->pcap));
			return -1;
		}
		if (n <= 0)
			break;
		total += n;
	}
	return total;
}

const char *capture_live_error(const struct capture_live *cap)
{
	return cap->error;
}

int capture_live_link_up(struct capture_live *cap)
{
	if (strcmp(cap->device, "any") == 0 || strlen(cap->device) >= IFNAMSIZ)
		return -1;
	if (cap->ioctl_fd < 0)
		cap->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, cap->device, strlen(cap->device));
	if (cap->ioctl_fd < 0)
		return -1;
	if (ioctl(cap->ioctl_fd, SIOCGIFFLAGS, &ifr) != 0) {
		if (errno != ENODEV && errno != ENXIO)
			return -1;
		snprintf(cap->error, sizeof cap->error, "%s: capture stopped: The interface disappeared", cap->device);
		return CAPTURE_LIVE_LINK_GONE;
	}
	return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

int capture_live_stats(struct capture_live *cap, struct capture_live_stats *out)
{
	struct pcap_stat ps;
	if (pcap_stats(cap->pcap, &ps) != 0) {
		snprintf(cap->error, sizeof cap->error, "%s: no statistics: %s", cap->device, pcap_geterr(cap->pcap));
		*out = cap->totals;
		return -1;
	}
	/* Unsigned differences survive the 32-bit counters wrapping. */
	cap->totals.received += (u_int)(ps.ps_recv - cap->last_recv);
	cap->totals.dropped += (u_int)(ps.ps_drop - cap->last_drop);
	cap->totals.if_dropped += (u_int)(ps.ps_ifdrop - cap->last_ifdrop);
	cap->last_recv = ps.ps_recv;
	cap->last_drop = ps.ps_drop;
	cap->last_ifdrop = ps.ps_ifdrop;
	*out = cap->totals;
	return 0;
}

void capture_live_close(struct capture_live *cap)
{
	if (!cap)
		return;
	pcap_close(cap->pcap);
	if (cap->ioctl_fd >= 0)
		close(cap->ioctl_fd);
	free(cap->device);
	free(cap);
}

int capture_live_list(void (*fn)(void *ctx, const struct capture_interface *iface), void *ctx, char *err, size_t errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all;
	if (pcap_findalldevs(&all, pcap_err) != 0) {
		snprintf(err, errlen, "cannot list interfaces: %s", pcap_err);
		return -1;
	}
	for (const pcap_if_t *d = all; d; d = d->next) {
		struct capture_interface iface = {
			.name = d->name,
			.description = d->description,
			.up = (d->flags & PCAP_IF_UP) != 0,
			.running = (d->flags & PCAP_IF_RUNNING) != 0,
			.loopback = (d->flags & PCAP_IF_LOOPBACK) != 0,
			.wireless = (d->flags & PCAP_IF_WIRELESS) != 0,
		};
		fn(ctx, &iface);
	}
	pcap_freealldevs(all);
	return 0;
}
