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

bool flow_key_from_packet(const struct packet *pkt, struct flow_key *key)
{
	bool src_lower = endpoint_not_above(pkt->src, pkt->sport, pkt->dst, pkt->dport);
	const uint8_t *lower = src_lower ? pkt->src : pkt->dst, *upper = src_lower ? pkt->dst : pkt->src;
	memcpy(key->addr[0], lower, 16);
	memcpy(key->addr[1], upper, 16);
	key->port[0] = src_lower ? pkt->sport : pkt->dport;
	key->port[1] = src_lower ? pkt->dport : pkt->sport;
	key->ip_version = pkt->ip_version;
	return src_lower;
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

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 31);
}

static uint64_t hash_with(const struct flow_key *key, uint64_t h)
{
	for (int side = 0; side < 2; side++)
		for (int i = 0; i < 16; i += 8) {
			uint64_t w = 0;
			for (int j = 0; j < 8; j++)
				w = w << 8 | key->addr[side][i + j];
			h = mix(h, w);
		}
	return mix(h, ports_and_version(key));
}

/*
 * Four independent products of the native-order words, then one final mix
 * (MurmurHash3's): a short dependency chain, where mixing the words one
 * after another, as the shard hash does, costs a multiply-latency each.
 * This runs once per packet; unlike the shard hash it need not be the same
 * everywhere.
 */
uint64_t flow_key_hash(const struct flow_key *key, uint64_t seed)
{
	const uint8_t *addr = (const uint8_t *)key->addr;
	uint64_t h = (load64(addr) ^ seed) * 0x9e3779b97f4a7c15ULL;
	h += (load64(addr + 8) ^ ports_and_version(key)) * 0xbf58476d1ce4e5b9ULL;
	h += load64(addr + 16) * 0x94d049bb133111ebULL;
	h += load64(addr + 24) * 0xd6e8feb86659fd93ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

uint64_t flow_key_shard_hash(const struct flow_key *key)
{
	return hash_with(key, 0x74637073636f7065ULL);
}
