/*
 * flow-hint.c - the shard hash of a frame's flow (flow-key.h), read
 * straight off its headers in the common cases: Ethernet, Linux cooked or raw IP, then IPv4
 * that is not a fragment or IPv6 without extension headers, then TCP. An
 * engine's flow set (flow-set.c) uses it to pass over the frames of other
 * sets' flows (--shard, a split report's threads) for a few loads each
 * instead of a full decode, and report-balance.c to weigh the parts. For every
 * frame it accepts, decode_packet() finds TCP with the same addresses and
 * ports, so the same hash, or finds the frame unusable; anything else it leaves to
 * decode_packet() in every engine.
 *
 * It is a shortcut, not a second decoder: it reads a few fixed fields with
 * the cursor's load_be*() getters after one length check per header, and
 * decode_packet() stays the authority on what a frame is. The promise above
 * is checked against the full decoder by the fuzz target tests/fuzz-decode.c
 * (replayed on its regression inputs by tests/robustness.sh), which aborts
 * when a frame this accepts decodes as something other than TCP or as TCP of
 * another shard hash. A change here must keep that target passing.
 */
#include "config.h"

#include "cursor.h"
#include "decode-wire.h"
#include "decode.h"
#include "flow-hint.h"

/* The IP version the link header says follows (0: not plain IP), and where it starts. */
static int link_ip_version(int linktype, const uint8_t *data, uint32_t caplen, uint32_t *ip_offset)
{
	uint16_t type;
	switch (linktype) {
	case DLT_EN10MB:
		if (caplen < ETH_HEADER)
			return 0;
		type = load_be16(data + ETH_OFF_TYPE);
		*ip_offset = ETH_HEADER;
		break;
	case DLT_LINUX_SLL:
		if (caplen < SLL_HEADER)
			return 0;
		type = load_be16(data + SLL_OFF_PROTOCOL);
		*ip_offset = SLL_HEADER;
		break;
	case DLT_RAW:
		*ip_offset = 0;
		return caplen ? data[0] >> 4 : 0;
	case DLT_IPV4:
		*ip_offset = 0;
		return 4;
	case DLT_IPV6:
		*ip_offset = 0;
		return 6;
	default:
		return 0;
	}
	return type == ETHERTYPE_IPV4 ? 4 : type == ETHERTYPE_IPV6 ? 6 : 0;
}

bool flow_hint_shard_hash(int linktype, const uint8_t *data, uint32_t caplen, uint64_t *hash)
{
	uint32_t at = 0;
	int version = link_ip_version(linktype, data, caplen, &at);
	const uint8_t *ip = data + at;
	if (version == 4) {
		if (caplen < at + IPV4_MIN_HEADER || ip[0] >> 4 != 4)
			return false;
		uint32_t header_len = (ip[0] & 0x0f) * 4u; /* IHL, in 32-bit words */
		if (header_len < IPV4_MIN_HEADER || caplen < at + header_len + TCP_OFF_DPORT + 2)
			return false;
		/* A fragment (RFC 791 §3.1: offset or More Fragments set), or not TCP. */
		if ((load_be16(ip + IPV4_OFF_FRAGMENT) & 0x3fff) != 0 || ip[IPV4_OFF_PROTOCOL] != IPPROTO_NUM_TCP)
			return false;
		const uint8_t *tcp = ip + header_len;
		*hash = flow_key_shard_hash_ipv4(load_be32(ip + IPV4_OFF_SRC), load_be16(tcp + TCP_OFF_SPORT),
						 load_be32(ip + IPV4_OFF_DST), load_be16(tcp + TCP_OFF_DPORT));
		return true;
	}
	if (version == 6) {
		if (caplen < at + IPV6_HEADER + TCP_OFF_DPORT + 2 || ip[0] >> 4 != 6 ||
		    ip[IPV6_OFF_NEXT_HEADER] != IPPROTO_NUM_TCP) /* no extension header */
			return false;
		const uint8_t *tcp = ip + IPV6_HEADER;
		*hash = flow_key_shard_hash_endpoints(ip + IPV6_OFF_SRC, load_be16(tcp + TCP_OFF_SPORT),
						      ip + IPV6_OFF_DST, load_be16(tcp + TCP_OFF_DPORT), 6);
		return true;
	}
	return false;
}
