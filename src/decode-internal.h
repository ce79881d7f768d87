/*
 * decode-internal.h - the seams between the decoder stages (link, IP, TCP).
 * Each stage takes a cursor positioned at its header and the packet record
 * it fills, and hands the rest to the next stage. Only decode-*.c include it.
 *
 * Calls go one way, decode-link.c -> decode-ip.c -> decode-tcp.c, and every
 * stage reports an unusable packet through decode-fail.c below them all. The
 * one loop is the tunnel recursion: decode-ip.c hands GRE and UDP to
 * decode-tunnel.c, whose inner packet starts again at IP or at a link layer
 * (depth bounds it). tests/module-cycles.sh allows that loop and no other.
 */
#ifndef TCPSCOPE_DECODE_INTERNAL_H
#define TCPSCOPE_DECODE_INTERNAL_H

#include "cursor.h"
#include "decode.h"

/* Network-layer protocols a link layer can hand over. */
enum net_proto { NET_UNKNOWN, NET_IPV4, NET_IPV6, NET_BY_VERSION };

/* Records a decode finding with a printf-style message; returns DECODE_BAD (decode-fail.c). */
enum decode_result decode_fail(struct packet *pkt, enum finding_id id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* decode_fail() for a header (named by what) cut by the snaplen. */
enum decode_result decode_truncated(struct packet *pkt, const char *what);

/* Decodes an IP packet of the given kind (NET_BY_VERSION reads the nibble). */
enum decode_result decode_ip(struct cursor c, enum net_proto proto, const struct decode_options *opts,
			     struct packet *pkt, int depth);

/*
 * Decodes a TCP segment. seg covers the IP payload as far as it was captured;
 * ip_payload_len is its length according to the IP header. pseudo_sum is the
 * one's-complement sum of the IP pseudo-header, for checksum verification
 * (0, and not computed, when opts do not ask for it).
 */
enum decode_result decode_tcp(struct cursor seg, uint32_t ip_payload_len, uint32_t pseudo_sum,
			      const struct decode_options *opts, struct packet *pkt);

/* Link layers a tunnel can carry (depth counts the tunnels already opened). */
enum decode_result decode_ethernet(struct cursor c, const struct decode_options *opts, struct packet *pkt, int depth);
enum decode_result decode_ieee80211(struct cursor c, const struct decode_options *opts, struct packet *pkt, int depth);
enum decode_result decode_ppp_payload(struct cursor c, const struct decode_options *opts, struct packet *pkt,
				      int depth);

/* Tunnels over IP (decode-tunnel.c): GRE, and UDP to the tunnel ports. */
enum decode_result decode_gre(struct cursor c, const struct decode_options *opts, struct packet *pkt, int depth);
enum decode_result decode_udp(struct cursor c, const struct decode_options *opts, struct packet *pkt, int depth);

/* Maps an Ethernet type to a network protocol (NET_UNKNOWN if not IP). */
enum net_proto decode_ethertype(uint16_t type);

#endif
