/*
 * fuzz-decode.c - fuzz target for the packet decoders alone: one packet of
 * any link type tcpscope supports, decoded, then fed to a fresh engine
 * twice (the second time as a retransmission of the first) with its
 * per-packet views written as JSON.
 *
 * Input layout: two bytes of link type (a pcap DLT number, big-endian; a
 * number the decoder does not support picks one that it does, by remainder,
 * so every input reaches a decoder), one byte of switches (bit 0: verify
 * checksums, bit 1: the packet was cut by a snaplen, its wire length is
 * longer than what was captured), then the packet bytes.
 * tests/fuzz-seeds.sh writes the packets of the sample captures this way.
 *
 * It also holds flow_hint_shard_hash() to its promise (flow-hint.h): a frame
 * it reads a flow from decodes as TCP of that flow's shard hash, or as
 * unusable, never as something other than TCP.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "engine.h"
#include "flow-hint.h"
#include "flow-key.h"
#include "fuzz-target.h"
#include "output.h"

enum { FUZZ_HEADER = 3, DLT_SEARCH_LIMIT = 1024 };

/* The link types decode_packet() supports, found by asking it once. */
static int supported[64];
static size_t nsupported;

static int choose_linktype(unsigned dlt)
{
	if (nsupported == 0)
		for (int t = 0; t < DLT_SEARCH_LIMIT && nsupported < sizeof supported / sizeof supported[0]; t++)
			if (decode_linktype_supported(t))
				supported[nsupported++] = t;
	return decode_linktype_supported((int)dlt) ? (int)dlt : supported[dlt % nsupported];
}

static void write_packet(void *ctx, const struct packet_view *v)
{
	output_json_packet(ctx, v, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < FUZZ_HEADER)
		return 0;
	int linktype = choose_linktype((unsigned)data[0] << 8 | data[1]);
	bool verify = data[2] & 1, cut_by_snaplen = data[2] & 2;
	const uint8_t *bytes = data + FUZZ_HEADER;
	uint32_t caplen = (uint32_t)(size - FUZZ_HEADER);
	uint32_t wirelen = cut_by_snaplen ? caplen + 1000 : caplen;

	struct packet pkt;
	memset(&pkt, 0, sizeof pkt);
	pkt.frame = 1;
	pkt.caplen = caplen;
	pkt.wirelen = wirelen;
	struct decode_options opts = {.verify_checksums = verify};
	enum decode_result decoded = decode_packet(linktype, bytes, &opts, &pkt);
	uint64_t hint;
	if (flow_hint_shard_hash(linktype, bytes, caplen, &hint)) {
		struct flow_key key;
		if (decoded == DECODE_NOT_TCP)
			abort();
		if (decoded == DECODE_TCP && (flow_key_from_packet(&pkt, &key), flow_key_shard_hash(&key) != hint))
			abort();
	}

	FILE *out = fopen("/dev/null", "w");
	if (!out)
		abort();
	struct engine_config cfg;
	engine_config_default(&cfg);
	cfg.verify_checksums = verify;
	struct engine_sink sink = {.ctx = out, .packet = write_packet};
	struct engine *e = engine_new(&cfg, &sink);
	struct capture_record rec = {.frame = 1,
				     .time_ns = 1000000000,
				     .caplen = caplen,
				     .wirelen = wirelen,
				     .linktype = linktype,
				     .data = bytes};
	engine_packet(e, &rec);
	rec.frame = 2;
	rec.time_ns += 200000000;
	engine_packet(e, &rec);
	engine_finish(e);
	engine_free(e);
	fclose(out);
	return 0;
}
