/*
 * analysis-measure.h - what a connection's segments measure (SPEC §4.6).
 *
 * measure_segment() runs on every segment right after tcp_engine_segment(),
 * before the delivery stage takes it, and reads what the engine decided
 * about it (struct segment_ctx: dropped, illegal_flags, advanced,
 * handshake_timed) and the labels computed for it (analysis-labels.h). It
 * keeps its results in the flow (flow.h): packet and byte counters, the TTL,
 * retransmitted bytes, RTT samples (analysis-rtt.h), zero-window time, keep-alive
 * probes, bytes in flight, Wireshark's completeness bits and where the
 * capture was taken. It judges nothing: the diagnoses after it
 * (analysis-diagnose.h) say what the numbers mean.
 */
#ifndef TCPSCOPE_ANALYSIS_MEASURE_H
#define TCPSCOPE_ANALYSIS_MEASURE_H

#include <stdint.h>

#include "analysis-labels.h"

struct segment_ctx;

/*
 * Measures one segment; call right after tcp_engine_segment() on it.
 * Returns Wireshark's tcp.analysis.bytes_in_flight after it: what its sender
 * has unacknowledged after a data segment, -1 after any other.
 */
int64_t measure_segment(const struct segment_ctx *sc, const struct label_result *labels);
/* Frees the buffers the measurements hang on a flow (its RTT rings), when the flow is freed or finished. */
struct flow;
void measure_release(struct flow *f);

#endif
