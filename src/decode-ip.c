/*
 * decode-ip.c - IPv4 (RFC 791) and IPv6 (RFC 8200): addresses, lengths,
 * IPv4 options, the IPv6 extension-header chain, fragments (recognised and
 * skipped with a finding) and IP-in-IP tunnels (GRE and UDP encapsulations
 * continue in decode-tunnel.c), then hands the TCP segment to decode_tcp()
 * together with the pseudo-header sum for its checksum.
 */
#include "config.h"

#include <string.h>

#include "decode-internal.h"
#include "decode-wire.h"

enum {
	IPV6_OPT_JUMBO = 0xc2,
	MAX_TUNNEL_DEPTH = 3,
	MAX_EXTENSION_HEADERS = 16,
};

static uint32_t sum_bytes(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	return sum;
}

/* Bytes of the frame on the wire from the current header on (captured is what the cursor holds). */
static uint32_t wire_left(const struct packet *pkt, size_t captured)
{
	size_t consumed = pkt->caplen - captured;
	size_t left = pkt->wirelen > consumed ? pkt->wirelen - consumed : 0;
	return (uint32_t)(left > captured ? left : captured);
}

/*
 * An IPv6 extension header (type next) whose first `need` bytes are not
 * there: malformed if the payload length leaves no room for them (RFC 8200
 * §4), else cut by the snaplen.
 */
static enum decode_result ext_missing(struct packet *pkt, uint8_t next, uint32_t need, uint32_t payload_len)
{
	if (payload_len < need)
		return decode_fail(pkt, F_DECODE_IP_BAD_EXTENSION,
				   "IPv6 extension header %u where the payload has %u bytes left", next, payload_len);
	return decode_truncated(pkt, next == IPPROTO_NUM_FRAGMENT ? "IPv6 fragment" : "IPv6 extension");
}

/* The one's-complement sum of the pseudo-header of a TCP segment (RFC 9293 §3.1, RFC 8200 §8.1). */
static uint32_t pseudo_header_sum(const struct packet *pkt, uint32_t tcp_len)
{
	size_t n = pkt->ip_version == 6 ? 16 : 4;
	return sum_bytes(pkt->src, n) + sum_bytes(pkt->dst, n) + (tcp_len >> 16) + (tcp_len & 0xffff) + IPPROTO_NUM_TCP;
}

/* Follows the protocol after an IP header: TCP, IPv4's AH, a tunnel, or something else. */
static enum decode_result decode_upper(struct cursor c, uint8_t proto, uint32_t payload_len,
				       const struct decode_options *opts, struct packet *pkt, int depth)
{
	switch (proto) {
	case IPPROTO_NUM_TCP:
		return decode_tcp(cursor_take(&c, payload_len), payload_len,
				  opts->verify_checksums ? pseudo_header_sum(pkt, payload_len) : 0, opts, pkt);
	case IPPROTO_NUM_AH: { /* RFC 4302: IPv6 walks it as an extension header, IPv4 comes here */
		uint8_t next = cursor_u8(&c);
		uint32_t ah_len = (cursor_u8(&c) + 2u) * 4;
		if (c.short_read)
			return decode_truncated(pkt, "AH");
		if (ah_len > payload_len)
			return decode_fail(pkt, F_DECODE_IP_BAD_EXTENSION, "AH of %u bytes exceeds payload length %u",
					   ah_len, payload_len);
		cursor_skip(&c, ah_len - 2);
		if (c.short_read)
			return decode_truncated(pkt, "AH");
		return next == IPPROTO_NUM_AH ? DECODE_NOT_TCP
					      : decode_upper(c, next, payload_len - ah_len, opts, pkt, depth);
	}
	case IPPROTO_NUM_IPIP:
		return depth < MAX_TUNNEL_DEPTH ? decode_ip(c, NET_IPV4, opts, pkt, depth + 1) : DECODE_NOT_TCP;
	case IPPROTO_NUM_IPV6:
		return depth < MAX_TUNNEL_DEPTH ? decode_ip(c, NET_IPV6, opts, pkt, depth + 1) : DECODE_NOT_TCP;
	case IPPROTO_NUM_GRE:
		return depth < MAX_TUNNEL_DEPTH ? decode_gre(cursor_take(&c, payload_len), opts, pkt, depth + 1)
						: DECODE_NOT_TCP;
	case IPPROTO_NUM_UDP:
		return depth < MAX_TUNNEL_DEPTH ? decode_udp(cursor_take(&c, payload_len), opts, pkt, depth + 1)
						: DECODE_NOT_TCP;
	default:
		return DECODE_NOT_TCP;
	}
}

/* The smallest length each IPv4 option can have (RFC 791 §3.1, RFC 1108, RFC 2113); 2 for others. */
static unsigned ipv4_option_min_length(uint8_t type)
{
	switch (type) {
	case 7:	  /* record route */
	case 131: /* loose source route */
	case 137: /* strict source route */
	case 130: /* security */
		return 3;
	case 68:  /* timestamp */
	case 136: /* stream id */
	case 148: /* router alert */
		return 4;
	default:
		return 2;
	}
}

/* RFC 791 §3.1: every option but EOL and NOP has a length, at least its minimum, that fits the header. */
static bool ipv4_options_valid(struct cursor c, struct packet *pkt)
{
	while (c.left > 0) {
		uint8_t type = cursor_u8(&c);
		if (type == 0)
			return true;
		if (type == 1)
			continue;
		uint8_t len = c.left > 0 ? cursor_u8(&c) : 0;
		if (len < ipv4_option_min_length(type) || len - 2u > c.left) {
			decode_fail(pkt, F_DECODE_IP_BAD_OPTION_LENGTH, "IPv4 option %u has impossible length %u", type,
				    len);
			return false;
		}
		cursor_skip(&c, len - 2u);
	}
	return true;
}

static enum decode_result decode_ipv4(struct cursor c, const struct decode_options *opts, struct packet *pkt, int depth)
{
	size_t captured = c.left;
	if (captured < IPV4_MIN_HEADER)
		return decode_truncated(pkt, "IPv4");
	/* The fixed header is all there: its fields are read in place. */
	const uint8_t *h = c.p;
	uint8_t version_ihl = h[IPV4_OFF_VERSION_IHL];
	uint8_t tos = h[IPV4_OFF_TOS];
	uint32_t total_len = load_be16(h + IPV4_OFF_TOTAL_LENGTH);
	uint16_t frag = load_be16(h + IPV4_OFF_FRAGMENT);
	uint8_t ttl = h[IPV4_OFF_TTL];
	uint8_t proto = h[IPV4_OFF_PROTOCOL];
	const uint8_t *src = h + IPV4_OFF_SRC, *dst = h + IPV4_OFF_DST;
	cursor_skip(&c, IPV4_MIN_HEADER);
	if (version_ihl >> 4 != 4)
		return decode_fail(pkt, F_DECODE_IP_BAD_VERSION, "IP version %u where IPv4 was expected",
				   version_ihl >> 4);
	uint32_t header_len = (version_ihl & 0x0f) * 4u;
	if (header_len < IPV4_MIN_HEADER)
		return decode_fail(pkt, F_DECODE_IP_BAD_IHL, "IPv4 header length %u bytes (IHL %u < 5)", header_len,
				   header_len / 4);
	/* Offload leaves the length 0; a length past the frame is cut to what was on the wire (as tshark). */
	uint32_t on_wire = wire_left(pkt, captured);
	if (total_len == 0 || total_len > on_wire)
		total_len = on_wire;
	if (total_len < header_len)
		return decode_fail(pkt, F_DECODE_IP_BAD_LENGTH, "IPv4 total length %u < header length %u", total_len,
				   header_len);
	struct cursor options = cursor_take(&c, header_len - 20);
	if (c.short_read)
		return decode_truncated(pkt, "IPv4 options");
	if (!ipv4_options_valid(options, pkt))
		return DECODE_BAD;

	pkt->ip_version = 4;
	pkt->ip_ecn = tos & 3;
	pkt->ip_ttl = ttl;
	memset(pkt->src, 0, sizeof pkt->src);
	memset(pkt->dst, 0, sizeof pkt->dst);
	memcpy(pkt->src, src, 4);
	memcpy(pkt->dst, dst, 4);

	if ((frag & 0x1fff) != 0 || (frag & 0x2000) != 0) { /* offset or More Fragments (RFC 791 §3.2) */
		if (proto != IPPROTO_NUM_TCP)
			return DECODE_NOT_TCP;
		return decode_fail(pkt, F_DECODE_IP_FRAGMENT, "IPv4 fragment (offset %u, %s), not reassembled",
				   (frag & 0x1fff) * 8u, frag & 0x2000 ? "more follow" : "last");
	}
	return decode_upper(c, proto, total_len - header_len, opts, pkt, depth);
}

/* Reads a Jumbo Payload option (RFC 2675) from a hop-by-hop options body. */
static uint32_t find_jumbo_length(struct cursor body)
{
	while (body.left > 0) {
		uint8_t type = cursor_u8(&body);
		if (type == 0) /* Pad1 */
			continue;
		uint8_t len = cursor_u8(&body);
		if (type == IPV6_OPT_JUMBO && len == 4)
			return cursor_be32(&body);
		cursor_skip(&body, len);
	}
	return 0;
}

static enum decode_result decode_ipv6(struct cursor c, const struct decode_options *opts, struct packet *pkt, int depth)
{
	size_t captured = c.left;
	uint32_t vtf = cursor_be32(&c);
	uint32_t payload_len = cursor_be16(&c);
	uint8_t next = cursor_u8(&c);
	uint8_t hop_limit = cursor_u8(&c);
	uint8_t src[16], dst[16];
	cursor_copy(&c, src, 16);
	cursor_copy(&c, dst, 16);
	if (c.short_read)
		return decode_truncated(pkt, "IPv6");
	if (vtf >> 28 != 6)
		return decode_fail(pkt, F_DECODE_IP_BAD_VERSION, "IP version %u where IPv6 was expected", vtf >> 28);

	pkt->ip_version = 6;
	pkt->ip_ecn = (vtf >> 20) & 3;
	pkt->ip_ttl = hop_limit;
	memcpy(pkt->src, src, 16);
	memcpy(pkt->dst, dst, 16);
	bool offload_length = payload_len == 0;
	uint32_t on_wire = wire_left(pkt, captured) - IPV6_HEADER;
	if (offload_length || payload_len > on_wire) /* jumbogram, offload, or longer than the frame */
		payload_len = on_wire;

	/* Walk the extension-header chain (RFC 8200 §4.1). */
	for (int headers = 0;; headers++) {
		uint32_t ext_len;
		bool is_fragment = false;
		uint16_t frag_field = 0;
		switch (next) {
		case IPPROTO_NUM_HOPOPTS:
		case IPPROTO_NUM_ROUTING:
		case IPPROTO_NUM_DSTOPTS:
		case IPPROTO_NUM_AH:
			if (c.left < 2)
				return ext_missing(pkt, next, 2, payload_len);
			ext_len = next == IPPROTO_NUM_AH ? (c.p[1] + 2u) * 4 : (c.p[1] + 1u) * 8;
			break;
		case IPPROTO_NUM_FRAGMENT:
			if (c.left < 8)
				return ext_missing(pkt, next, 8, payload_len);
			ext_len = 8;
			is_fragment = true;
			frag_field = (uint16_t)(c.p[2] << 8 | c.p[3]);
			break;
		default:
			return decode_upper(c, next, payload_len, opts, pkt, depth);
		}
		/* §4.1 expects each header at most once (Destination Options twice): a longer chain is not followed. */
		if (headers == MAX_EXTENSION_HEADERS)
			return decode_fail(pkt, F_DECODE_IP_EXTENSION_CHAIN,
					   "more than %d IPv6 extension headers: header %u and what follows not read",
					   MAX_EXTENSION_HEADERS, next);
		if (ext_len > payload_len)
			return decode_fail(pkt, F_DECODE_IP_BAD_EXTENSION,
					   "IPv6 extension header %u of %u bytes exceeds payload length %u", next,
					   ext_len, payload_len);
		struct cursor ext = cursor_take(&c, ext_len);
		if (c.short_read)
			return decode_truncated(pkt, "IPv6 extension");
		uint8_t following = cursor_u8(&ext);
		if (next == IPPROTO_NUM_HOPOPTS && offload_length) {
			cursor_skip(&ext, 1);
			uint32_t jumbo = find_jumbo_length(ext);
			if (jumbo != 0)
				payload_len = jumbo;
		}
		payload_len -= ext_len;
		if (is_fragment && (frag_field & 0xfff9) != 0) { /* offset or M flag (RFC 8200 §4.5) */
			if (following != IPPROTO_NUM_TCP)
				return DECODE_NOT_TCP;
			return decode_fail(pkt, F_DECODE_IP_FRAGMENT, "IPv6 fragment (offset %u, %s), not reassembled",
					   (frag_field >> 3) * 8u, frag_field & 1 ? "more follow" : "last");
		}
		next = following;
	}
}

enum decode_result decode_ip(struct cursor c, enum net_proto proto, const struct decode_options *opts,
			     struct packet *pkt, int depth)
{
	if (proto == NET_BY_VERSION) {
		if (c.left < 1)
			return decode_truncated(pkt, "IP");
		proto = c.p[0] >> 4 == 6 ? NET_IPV6 : c.p[0] >> 4 == 4 ? NET_IPV4 : NET_UNKNOWN;
		if (proto == NET_UNKNOWN)
			return decode_fail(pkt, F_DECODE_IP_BAD_VERSION, "IP version %u is neither 4 nor 6",
					   c.p[0] >> 4);
	}
	switch (proto) {
	case NET_IPV4:
		return decode_ipv4(c, opts, pkt, depth);
	case NET_IPV6:
		return decode_ipv6(c, opts, pkt, depth);
	default:
		return DECODE_NOT_TCP;
	}
}
