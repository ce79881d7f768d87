/*
 * flow-key.c - building, comparing and hashing canonical flow keys.
 * The table hash is seeded so that crafted traffic cannot aim at one bucket;
 * the shard hash is fixed so that --shard splits the same way everywhere.
 */
#include "config.h"

#include <string.h>

#include "flow-key.h"

static int compare_endpoint(const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp)
{
	int c = memcmp(a, b, 16);
	if (c != 0)
		return c;
	return (ap > bp) - (ap < bp);
}

bool flow_key_from_packet(const struct packet *pkt, struct flow_key *key)
{
	bool src_lower = compare_endpoint(pkt->src, pkt->sport, pkt->dst, pkt->dport) <= 0;
	memset(key, 0, sizeof *key);
	key->ip_version = pkt->ip_version;
	memcpy(key->addr[src_lower ? 0 : 1], pkt->src, 16);
	memcpy(key->addr[src_lower ? 1 : 0], pkt->dst, 16);
	key->port[src_lower ? 0 : 1] = pkt->sport;
	key->port[src_lower ? 1 : 0] = pkt->dport;
	return src_lower;
}

bool flow_key_equal(const struct flow_key *a, const struct flow_key *b)
{
	return a->port[0] == b->port[0] && a->port[1] == b->port[1] && a->ip_version == b->ip_version &&
	       memcmp(a->addr, b->addr, sizeof a->addr) == 0;
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
	return mix(h, (uint64_t)key->port[0] << 24 | (uint64_t)key->port[1] << 8 | key->ip_version);
}

/*
 * The same mixing over the addresses as native-order words: loading them
 * whole is cheaper than hash_with's byte order (this runs once per packet),
 * and unlike the shard hash the table hash need not be the same everywhere.
 */
uint64_t flow_key_hash(const struct flow_key *key, uint64_t seed)
{
	const uint8_t *addr = (const uint8_t *)key->addr;
	uint64_t h = seed;
	for (size_t i = 0; i < sizeof key->addr; i += 8) {
		uint64_t w;
		memcpy(&w, addr + i, 8);
		h = mix(h, w);
	}
	return mix(h, (uint64_t)key->port[0] << 24 | (uint64_t)key->port[1] << 8 | key->ip_version);
}

uint64_t flow_key_shard_hash(const struct flow_key *key)
{
	return hash_with(key, 0x74637073636f7065ULL);
}
