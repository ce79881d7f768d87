/*
 * decode-wire.h - the numbers of the wire formats the decoders read: link
 * type codes that say what follows (EtherType, PPP), IP protocol numbers,
 * and where the fixed fields of the IPv4, IPv6 and TCP headers sit. The full
 * decoder (decode-*.c) and its shortcut (flow-hint.c) read the same
 * fields, so they name them once, here.
 */
#ifndef TCPSCOPE_DECODE_WIRE_H
#define TCPSCOPE_DECODE_WIRE_H

/* What follows a link header: EtherTypes (IEEE Registration Authority) and PPP protocols (RFC 1661). */
enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_VLAN = 0x8100,
	ETHERTYPE_QINQ = 0x88a8,
	ETHERTYPE_QINQ_OLD = 0x9100,
	ETHERTYPE_MPLS = 0x8847,
	ETHERTYPE_MPLS_MULTI = 0x8848,
	ETHERTYPE_PPPOE_SESSION = 0x8864,
	PPP_IPV4 = 0x0021,
	PPP_IPV6 = 0x0057,
};

/* Where the link header ends and the EtherType sits: Ethernet II, and Linux cooked capture (SLL). */
enum {
	ETH_HEADER = 14,
	ETH_OFF_TYPE = 12,
	SLL_HEADER = 16,
	SLL_OFF_PROTOCOL = 14,
};

/* IP protocol numbers (IANA), as IPv4's protocol field and IPv6's next header carry them. */
enum {
	IPPROTO_NUM_HOPOPTS = 0,
	IPPROTO_NUM_IPIP = 4,
	IPPROTO_NUM_TCP = 6,
	IPPROTO_NUM_UDP = 17,
	IPPROTO_NUM_IPV6 = 41,
	IPPROTO_NUM_ROUTING = 43,
	IPPROTO_NUM_FRAGMENT = 44,
	IPPROTO_NUM_GRE = 47,
	IPPROTO_NUM_AH = 51,
	IPPROTO_NUM_DSTOPTS = 60,
};

/* The fixed IPv4 header (RFC 791 §3.1) and IPv6 header (RFC 8200 §3). */
enum {
	IPV4_MIN_HEADER = 20,
	IPV4_OFF_VERSION_IHL = 0, /* version (high nibble), header length in 32-bit words */
	IPV4_OFF_TOS = 1,	  /* DSCP and ECN (RFC 3168 §5: the low two bits) */
	IPV4_OFF_TOTAL_LENGTH = 2,
	IPV4_OFF_FRAGMENT = 6, /* flags and fragment offset: More Fragments 0x2000, offset 0x1fff */
	IPV4_OFF_TTL = 8,
	IPV4_OFF_PROTOCOL = 9,
	IPV4_OFF_SRC = 12,
	IPV4_OFF_DST = 16,
	IPV6_HEADER = 40,
	IPV6_OFF_NEXT_HEADER = 6,
	IPV6_OFF_SRC = 8,
	IPV6_OFF_DST = 24,
};

/* Where each field of the fixed TCP header sits (RFC 9293 §3.1, Figure 1). */
enum {
	TCP_OFF_SPORT = 0,
	TCP_OFF_DPORT = 2,
	TCP_OFF_SEQ = 4,
	TCP_OFF_ACK = 8,
	TCP_OFF_DATA_OFFSET = 12, /* data offset (high nibble), reserved bits, AE (bit 0) */
	TCP_OFF_FLAGS = 13,
	TCP_OFF_WINDOW = 14,
	TCP_OFF_CHECKSUM = 16,
	TCP_OFF_URGENT = 18,
	TCP_FIXED_HEADER = 20,
};
_Static_assert(TCP_OFF_URGENT + 2 == TCP_FIXED_HEADER && TCP_OFF_CHECKSUM + 2 == TCP_OFF_URGENT,
	       "the urgent pointer ends the fixed header, after the checksum");

#endif
