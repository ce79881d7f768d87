/*
 * flow-hint.h - the shard hash of a frame's flow without decoding the
 * frame, where its headers are the common ones (flow-hint.c says which).
 */
#ifndef TCPSCOPE_FLOW_HINT_H
#define TCPSCOPE_FLOW_HINT_H

#include <stdbool.h>
#include <stdint.h>

#include "flow-key.h"

/*
 * True, with flow_key_shard_hash() of its flow in hash, when the frame is
 * plain IP over TCP as far as its fixed headers show: decode_packet() then
 * finds TCP of that flow or finds the frame unusable. False when only
 * decode_packet() can tell.
 */
bool flow_hint_shard_hash(int linktype, const uint8_t *data, uint32_t caplen, uint64_t *hash);

#endif
