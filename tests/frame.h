/*
 * frame.h - building packets byte by byte, for the test programs that craft
 * frames: check-decode (frames it hands to decode_packet) and crafted (frames
 * it writes to pcaps). A struct frame is a fixed-size buffer filled front to
 * back; frame_put* append, frame_set16 and frame_insert patch, and the
 * frame_put_<link> functions append the link header of one encapsulation in
 * front of an IP packet still to come, so that frame_wrap(header, ip, v) is
 * that packet on that link. Packets themselves come from the scenario notation
 * (scenario.h) through frame_eth and frame_ip. Going past FRAME_MAX bytes, or
 * any other misuse, prints a message and aborts: in a Check test, a failure.
 */
#ifndef TCPSCOPE_TESTS_FRAME_H
#define TCPSCOPE_TESTS_FRAME_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "scenario.h"

enum {
	FRAME_MAX = 4096,
	/* header lengths (fixed parts) */
	ETH_LEN = 14,
	IP4_LEN = 20,
	IP6_LEN = 40,
	TCP_LEN = 20,
	/* IPv4 header fields */
	IP4_TOTAL_LEN = 2,
	IP4_FRAG = 6,
	IP4_CHECKSUM = 10,
	/* IPv6 header fields */
	IP6_PAYLOAD_LEN = 4,
	IP6_NEXT = 6,
	/* TCP header fields, from the start of the TCP header */
	TCP_OFFSET = 12,
	/* IPv6 extension header types */
	EXT_HOPOPTS = 0,
	EXT_ROUTING = 43,
	EXT_FRAGMENT = 44,
	EXT_AH = 51,
	EXT_DSTOPTS = 60,
};

/* A byte buffer filled front to back. */
struct frame {
	uint8_t b[FRAME_MAX];
	size_t len;
};

/* BYTES(1, 2, 3) stands for a pointer to those bytes and their count. */
#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

/* Appends n bytes. */
void frame_put(struct frame *f, const uint8_t *p, size_t n);
void frame_put8(struct frame *f, unsigned v);
/* Appends 16 bits in network order, and in little-endian order. */
void frame_put16(struct frame *f, unsigned v);
void frame_put16le(struct frame *f, unsigned v);
/* Writes and reads 16 bits in network order. */
void frame_set16(uint8_t *p, unsigned v);
unsigned frame_get16(const uint8_t *p);
/* Inserts n bytes at offset at, moving what follows. */
void frame_insert(struct frame *f, size_t at, const uint8_t *p, size_t n);

/* The Ethernet frame of one scenario line (time_ns as for scenario_frame). */
struct frame frame_eth(struct scenario *sc, const char *line, int64_t *time_ns);
/* The IP packet of one scenario line (its Ethernet header stripped). */
struct frame frame_ip(struct scenario *sc, const char *line, int64_t *time_ns);

/* Recomputes the header checksum of the IPv4 header at ip. */
void frame_ip4_fix_checksum(uint8_t *ip);
/* Appends an IPv4 header (192.0.2.1 -> 192.0.2.2) for payload_len bytes of protocol proto. */
void frame_put_ip4(struct frame *f, uint8_t proto, size_t payload_len);
/*
 * Puts an IPv6 extension header of len bytes right after the fixed IPv6
 * header that starts at offset at, so pushing in reverse order builds a
 * chain; frag is the offset/M field of a fragment header.
 */
void frame_ip6_push_ext(struct frame *f, size_t at, uint8_t type, size_t len, unsigned frag);

/* The two MAC addresses of an Ethernet header, and the type for IP version 4 or 6. */
void frame_put_macs(struct frame *f);
unsigned frame_ethertype(int version);

/*
 * Appends a link header for an IP packet of ip_len bytes of the given version.
 * Each function below is one; the comments give the pcap link types.
 */
typedef void frame_header_fn(struct frame *f, size_t ip_len, int version);
/* DLT_EN10MB: Ethernet II. */
void frame_put_ethernet(struct frame *f, size_t ip_len, int version);
/* DLT_EN10MB: an 802.1Q tag (VLAN 100). */
void frame_put_vlan(struct frame *f, size_t ip_len, int version);
/* DLT_EN10MB: QinQ, an 802.1ad tag (88a8, VLAN 10) and an 802.1Q tag (VLAN 100). */
void frame_put_qinq(struct frame *f, size_t ip_len, int version);
/* DLT_EN10MB: 802.3 length, LLC AA AA 03, SNAP OUI 0 and the type. */
void frame_put_llc_snap(struct frame *f, size_t ip_len, int version);
/* DLT_EN10MB: MPLS labels 17, then 16 with the bottom-of-stack bit (RFC 3032). */
void frame_put_mpls(struct frame *f, size_t ip_len, int version);
/* DLT_EN10MB: PPPoE session stage (RFC 2516 §5.3), then the PPP protocol. */
void frame_put_pppoe(struct frame *f, size_t ip_len, int version);
/* DLT_LINUX_SLL: packet type, ARPHRD_ETHER, address length, 8 address bytes, protocol. */
void frame_put_sll(struct frame *f, size_t ip_len, int version);
/* DLT_LINUX_SLL2: protocol, reserved, ifindex, ARPHRD_ETHER, type, address length, address. */
void frame_put_sll2(struct frame *f, size_t ip_len, int version);
/* DLT_RAW, DLT_IPV4, DLT_IPV6: no link header at all. */
void frame_put_raw(struct frame *f, size_t ip_len, int version);
/* DLT_LOOP, or DLT_NULL from a big-endian host: AF_INET 2, NetBSD/OpenBSD AF_INET6 24. */
void frame_put_loop(struct frame *f, size_t ip_len, int version);
/* DLT_NFLOG: header (AF_INET 2, AF_INET6 10), a prefix TLV "eth0", the payload TLV's header. */
void frame_put_nflog(struct frame *f, size_t ip_len, int version);
/* DLT_PPP, DLT_PPP_SERIAL: HDLC-like framing (RFC 1662), then the PPP protocol. */
void frame_put_ppp_hdlc(struct frame *f, size_t ip_len, int version);
/* DLT_C_HDLC: Cisco HDLC with the Ethernet type. */
void frame_put_c_hdlc(struct frame *f, size_t ip_len, int version);
/* DLT_FDDI: frame control, two addresses, LLC/SNAP with the Ethernet type. */
void frame_put_fddi(struct frame *f, size_t ip_len, int version);

/* The link header of header followed by the IP packet ip. */
struct frame frame_wrap(frame_header_fn *header, const struct frame *ip, int version);

#endif
