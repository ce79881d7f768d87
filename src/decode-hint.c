/*
 * decode-hint.c - the shard hash of a frame's flow (flow-key.h), read
 * straight off its headers in the common cases: Ethernet, Linux cooked or raw IP, then IPv4
 * that is not a fragment or IPv6 without extension headers, then TCP. A
 * split report (report-parallel.c) uses it to pass over the frames of other
 * threads' flows for a few loads each instead of a full decode. For every
 * frame it accepts, decode_packet() finds TCP with the same addresses and
 * ports, so the same hash, or finds the frame unusable; anything else it leaves to
 * decode_packet() in every thread.
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
#include "decode-hint.h"
#include "decode.h"

enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	IPPROTO_TCP_NUMBER = 6,
};

/* The IP version the link header says follows (0: not plain IP), and where it starts. */
static int link_ip_version(int linktype, const uint8_t *data, uint32_t caplen, uint32_t *ip_offset)
{
	uint16_t type;
	switch (linktype) {
	case DLT_EN10MB:
		if (caplen < 14)
			return 0;
		type = load_be16(data + 12);
		*ip_offset = 14;
		break;
	case DLT_LINUX_SLL:
		if (caplen < 16)
			return 0;
		type = load_be16(data + 14);
		*ip_offset = 16;
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

bool decode_shard_hash(int linktype, const uint8_t *data, uint32_t caplen, uint64_t *hash)
{
	uint32_t at = 0;
	int version = link_ip_version(linktype, data, caplen, &at);
	const uint8_t *ip = data + at;
	if (version == 4) {
		if (caplen < at + 20 || ip[0] >> 4 != 4)
			return false;
		uint32_t header_len = (ip[0] & 0x0f) * 4u;
		if (header_len < 20 || caplen < at + header_len + 4)
			return false;
		/* A fragment (RFC 791 §3.1: offset or More Fragments set), or not TCP. */
		if ((load_be16(ip + 6) & 0x3fff) != 0 || ip[9] != IPPROTO_TCP_NUMBER)
			return false;
		const uint8_t *tcp = ip + header_len;
		*hash = flow_key_shard_hash_ipv4(load_be32(ip + 12), load_be16(tcp), load_be32(ip + 16),
						 load_be16(tcp + 2));
		return true;
	}
	if (version == 6) {
		if (caplen < at + 40 + 4 || ip[0] >> 4 != 6 || ip[6] != IPPROTO_TCP_NUMBER) /* RFC 8200 §3 */
			return false;
		const uint8_t *tcp = ip + 40;
		*hash = flow_key_shard_hash_endpoints(ip + 8, load_be16(tcp), ip + 24, load_be16(tcp + 2), 6);
		return true;
	}
	return false;
}
