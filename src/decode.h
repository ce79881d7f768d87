/*
 * decode.h - from link-layer bytes to a decoded TCP packet.
 *
 * decode_packet() walks link layer -> IPv4/IPv6 (options, extension headers,
 * simple IP-in-IP tunnels) -> TCP header and options, reading only through a
 * bounds-checked cursor. It has three outcomes, kept apart as tcpdump does:
 * a usable TCP packet (possibly with a decode finding such as a bad option
 * length), a packet that is not TCP, or a packet whose TCP header cannot be
 * used (truncated by snaplen or invalid), which carries a decode.* finding.
 */
#ifndef TCPSCOPE_DECODE_H
#define TCPSCOPE_DECODE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

/* Link types an older libpcap does not name. */
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_PPI
#define DLT_PPI 192
#endif
#ifndef DLT_NFLOG
#define DLT_NFLOG 239
#endif

enum decode_result {
	DECODE_TCP,	/* header fields in pkt are usable */
	DECODE_NOT_TCP, /* not a TCP packet: ignored */
	DECODE_BAD,	/* TCP (or unknown) but unusable: pkt->decode_finding says why */
};

struct decode_options {
	bool verify_checksums;
};

/* True if decode_packet() understands this pcap link type (DLT_* value). */
bool decode_linktype_supported(int linktype);

/*
 * Decodes one frame. data/caplen are the captured bytes (borrowed); frame,
 * time and lengths must already be set in pkt by the caller.
 */
enum decode_result decode_packet(int linktype, const uint8_t *data, const struct decode_options *opts,
				 struct packet *pkt);

#endif
