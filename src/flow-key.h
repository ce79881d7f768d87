/*
 * flow-key.h - canonical flow keys: both directions of a connection map to
 * one key, whose side 0 is the lower (address, port) pair. A packet's
 * direction is a bit: whether its source is side 0.
 */
#ifndef TCPSCOPE_FLOW_KEY_H
#define TCPSCOPE_FLOW_KEY_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

struct flow_key {
	uint8_t addr[2][16];
	uint16_t port[2];
	uint8_t ip_version;
};

/* Fills key from the packet's addresses; returns true if the source is side 0. */
bool flow_key_from_packet(const struct packet *pkt, struct flow_key *key);
/* The same from addresses (IPv4 in the first 4 of 16 bytes, the rest 0) and ports. */
bool flow_key_from_endpoints(const uint8_t src[16], uint16_t sport, const uint8_t dst[16], uint16_t dport,
			     uint8_t ip_version, struct flow_key *key);
bool flow_key_equal(const struct flow_key *a, const struct flow_key *b);
/* Seeded hash for the flow table (not cryptographic). */
uint64_t flow_key_hash(const struct flow_key *key, uint64_t seed);
/* Stable, unseeded hash for --shard: the same on every run and machine. */
uint64_t flow_key_shard_hash(const struct flow_key *key);
/* flow_key_shard_hash() of the flow between these endpoints, in either order (addresses as in a key). */
uint64_t flow_key_shard_hash_endpoints(const uint8_t a[16], uint16_t a_port, const uint8_t b[16], uint16_t b_port,
				       uint8_t ip_version);
/* The same for IPv4, the addresses as big-endian numbers. */
uint64_t flow_key_shard_hash_ipv4(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport);

#endif
