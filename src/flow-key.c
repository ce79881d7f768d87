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

static uint64_t ports_and_version(const struct flow_key *key)
{
	return (uint64_t)key->port[0] << 24 | (uint64_t)key->port[1] << 8 | key->ip_version;
}

/*
 * Four independent products of the address words, then one final mix
 * (MurmurHash3's): a short dependency chain, where mixing the words one
 * after another costs a multiply-latency each. Both hashes run once per
 * packet (the shard hash in every thread of a split report).
 */
static uint64_t hash_words(const uint64_t w[4], uint64_t seed, const struct flow_key *key)
{
	uint64_t h = (w[0] ^ seed) * 0x9e3779b97f4a7c15ULL;
	h += (w[1] ^ ports_and_version(key)) * 0xbf58476d1ce4e5b9ULL;
	h += w[2] * 0x94d049bb133111ebULL;
	h += w[3] * 0xd6e8feb86659fd93ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

/* The table hash: native-order words, seeded; it need not be the same everywhere. */
uint64_t flow_key_hash(const struct flow_key *key, uint64_t seed)
{
	const uint8_t *addr = (const uint8_t *)key->addr;
	const uint64_t w[4] = {load64(addr), load64(addr + 8), load64(addr + 16), load64(addr + 24)};
	return hash_words(w, seed, key);
}

#define SHARD_SEED 0x74637073636f7065ULL

/* The shard hash: big-endian words and a fixed seed, so every machine splits alike. */
uint64_t flow_key_shard_hash(const struct flow_key *key)
{
	const uint8_t *addr = (const uint8_t *)key->addr;
	const uint64_t w[4] = {load64_big_endian(addr), load64_big_endian(addr + 8), load64_big_endian(addr + 16),
			       load64_big_endian(addr + 24)};
	return hash_words(w, SHARD_SEED, key);
}

/*
 * The same for IPv4 endpoints given as numbers, without building the key:
 * the lower (address, port) pair first, each address the top half of its
 * first word, the other words zero.
 */
uint64_t flow_key_shard_hash_ipv4(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	bool src_lower = ((uint64_t)src << 16 | sport) <= ((uint64_t)dst << 16 | dport);
	struct flow_key ports = {.port = {src_lower ? sport : dport, src_lower ? dport : sport}, .ip_version = 4};
	const uint64_t w[4] = {(uint64_t)(src_lower ? src : dst) << 32, 0, (uint64_t)(src_lower ? dst : src) << 32, 0};
	return hash_words(w, SHARD_SEED, &ports);
}
