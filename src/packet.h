/*
 * packet.h - the decoded TCP packet: the record the decoders fill and the
 * engine consumes. One record is reused for every packet (no per-packet
 * allocation); it holds copies of the header fields, never pointers into the
 * packet bytes, so it stays valid after the capture source moves on.
 */
#ifndef TCPSCOPE_PACKET_H
#define TCPSCOPE_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "findings.h"

/* TCP flag bits as they sit in byte 13 of the header (RFC 9293 §3.1). */
enum {
	TCP_FIN = 0x01,
	TCP_SYN = 0x02,
	TCP_RST = 0x04,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
	TCP_URG = 0x20,
	TCP_ECE = 0x40,
	TCP_CWR = 0x80,
};

/* Option kinds (IANA "TCP Option Kind Numbers"). */
enum {
	TCPOPT_EOL = 0,
	TCPOPT_NOP = 1,
	TCPOPT_MSS = 2,
	TCPOPT_WSCALE = 3,
	TCPOPT_SACK_PERMITTED = 4,
	TCPOPT_SACK = 5,
	TCPOPT_TIMESTAMP = 8,
	TCPOPT_MD5 = 19,
	TCPOPT_MPTCP = 30,
	TCPOPT_TFO = 34,
	TCPOPT_ACCECN0 = 172,
	TCPOPT_ACCECN1 = 174,
	TCPOPT_EXPERIMENTAL = 254,
};

#define TCP_MAX_SACK_BLOCKS 4
#define TCP_MAX_OPTIONS 40

struct sack_block {
	uint32_t left, right; /* [left, right): right is one past the last byte */
};

struct tcp_options {
	bool has_mss, has_wscale, sack_permitted, has_timestamps;
	bool has_tfo; /* TFO option (kind 34 or experimental 254/0xF989) */
	bool has_mptcp;
	uint16_t mss;
	uint8_t wscale;
	uint8_t tfo_cookie_len; /* 0 with has_tfo: a cookie request */
	uint32_t tsval, tsecr;
	uint8_t sack_count;
	struct sack_block sack[TCP_MAX_SACK_BLOCKS];
	uint8_t count; /* options in wire order, NOP included */
	uint8_t kinds[TCP_MAX_OPTIONS];
};

#define DECODE_MESSAGE_MAX 96

struct packet {
	uint64_t frame;	 /* 1-based position in the capture, every record counted */
	uint64_t offset; /* where its record starts in the input (capture_record.offset) */
	int64_t time_ns; /* capture time, nanoseconds since the epoch */
	uint32_t caplen, wirelen;
	int linktype;

	uint8_t ip_version; /* 4 or 6 */
	uint8_t ip_ecn;	    /* the two ECN bits of TOS / traffic class */
	uint8_t ip_ttl;
	uint8_t src[16], dst[16]; /* IPv4 addresses use the first 4 bytes */

	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t window; /* as on the wire, unscaled */
	uint16_t urgent;
	uint8_t flags; /* TCP_* bits */
	bool ae;       /* the AccECN / former NS bit */
	uint8_t header_len;
	uint32_t payload_len; /* TCP payload length from the IP length fields */
	bool checksum_checked, checksum_bad;
	struct tcp_options opt;

	/* Decode trouble: a decode.* finding and its message, F_NONE if clean. */
	enum finding_id decode_finding;
	char decode_message[DECODE_MESSAGE_MAX];
};

#endif
