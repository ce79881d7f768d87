/*
 * flow-key.c - building, comparing and hashing canonical flow keys.
 * The table hash is seeded so that crafted traffic cannot aim at one bucket;
 * the shard hash is fixed so that --shard splits the same way everywhere.
 */
#include "config.h"

#include <string.h>

#include "flow-key.h"

static uint64_t load64(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof w);
	return w;
}

static uint64_t load64_big_endian(const uint8_t *p)
{
	uint64_t w = load64(p);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* memcmp's order of (address, port) pairs, on big-endian words: no call. */
static bool endpoint_not_above(const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp)
{
	uint64_t a0 = load64_big_endian(a), b0 = load64_big_endian(b);
	if (a0 != b0)
		return a0 < b0;
	uint64_t a1 = load64_big_endian(a + 8), b1 = load64_big_endian(b + 8);
	if (a1 != b1)
		return a1 < b1;
	return ap <= bp;
}

bool flow_key_from_endpoints(const uint8_t src[16], uint16_t sport, const uint8_t dst[16], uint16_t dport,
			     uint8_t ip_version, struct flow_key *key)
{
	bool src_lower = endpoint_not_above(src, sport, dst, dport);
	memcpy(key->addr[0], src_lower ? src : dst, 16);
	memcpy(key->addr[1], src_lower ? dst : src, 16);
	key->port[0] = src_lower ? sport : dport;
	key->port[1] = src_lower ? dport : sport;
	key->ip_version = ip_version;
	return src_lower;
}

bool flow_key_from_packet(const struct packet *pkt, struct flow_key *key)
{
	return flow_key_from_endpoints(pkt->src, pkt->sport, pkt->dst, pkt->dport, pkt->ip_version, key);
}

bool flow_key_equal(const struct flow_key *a, const struct flow_key *b)
{
	uint64_t diff = 0;
	for (size_t i = 0; i < sizeof a->addr; i += 8)
		diff |= load64((const uint8_t *)a->addr + i) ^ load64((const uint8_t *)b->addr + i);
	return diff == 0 && a->port[0] == b->port[0] && a->port[1] == b->port[1] && a->ip_version == b->ip_version;
}

/* The key's ports, side 0 first, and IP version as one word. */
static uint64_t ports_and_version(uint16_t port0, uint16_t port1, uint8_t ip_version)
{
	return (uint64_t)port0 << 24 | (uint64_t)port1 << 8 | ip_version;
}

/* MurmurHash3's 64-bit finalizer: every input bit reaches every output bit. */
static uint64_t final_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

/*
 * The table hash: four independent products of the key's native-order
 * words, seeded, then the final mix: a short dependency chain, where mixing
 * the words one after another costs a multiply-latency each. It runs once
 * per packet and need not be the same everywhere.
 */
uint64_t flow_key_hash(const struct flow_key *key, uint64_t seed)
{
	const uint8_t *addr = (const uint8_t *)key->addr;
	uint64_t h = (load64(addr) ^ seed) * 0x9e3779b97f4a7c15ULL;
	h += (load64(addr + 8) ^ ports_and_version(key->port[0], key->port[1], key->ip_version)) *
	     0xbf58476d1ce4e5b9ULL;
	h += load64(addr + 16) * 0x94d049bb133111ebULL;
	h += load64(addr + 24) * 0xd6e8feb86659fd93ULL;
	return final_mix(h);
}

/*
 * The shard hash is the same on every machine (big-endian words, a fixed
 * seed) and the same seen from either endpoint: each address word and the
 * ports are summed over the two endpoints, so that a frame's flow is hashed
 * without first putting its endpoints in order (flow-hint.c does it for
 * every frame of every thread of a split report).
 */
static uint64_t shard_hash_of_sums(uint64_t word0, uint64_t word1, uint32_t ports, uint8_t ip_version)
{
	uint64_t h = (word0 ^ 0x74637073636f7065ULL) * 0x9e3779b97f4a7c15ULL;
	h += (word1 ^ ((uint64_t)ports << 8 | ip_version)) * 0xbf58476d1ce4e5b9ULL;
	return final_mix(h);
}

uint64_t flow_key_shard_hash_endpoints(const uint8_t a[16], uint16_t a_port, const uint8_t b[16], uint16_t b_port,
				       uint8_t ip_version)
{
	return shard_hash_of_sums(load64_big_endian(a) + load64_big_endian(b),
				  load64_big_endian(a + 8) + load64_big_endian(b + 8), (uint32_t)a_port + b_port,
				  ip_version);
}

uint64_t flow_key_shard_hash(const struct flow_key *key)
{
	return flow_key_shard_hash_endpoints(key->addr[0], key->port[0], key->addr[1], key->port[1], key->ip_version);
}

/* An IPv4 address is the top half of its key's first big-endian word; the second word is zero. */
uint64_t flow_key_shard_hash_ipv4(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	return shard_hash_of_sums(((uint64_t)src << 32) + ((uint64_t)dst << 32), 0, (uint32_t)sport + dport, 4);
}
