/*
 * summary.h - the per-flow summary record (SPEC §4.6, §4.7, §5.1 "flows").
 *
 * A plain copy of everything the outputs say about a flow, made by
 * summary_from_flow() when the flow ends or input ends. Sinks keep these
 * records, never flow pointers; a record owns no memory.
 */
#ifndef TCPSCOPE_SUMMARY_H
#define TCPSCOPE_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis-zeek.h"
#include "findings.h"
#include "tcp-state.h"

struct flow;

/* Where the capture was taken, as far as one flow's handshake shows it (analysis-measure.c, infer_vantage). */
enum vantage { VANTAGE_UNKNOWN, VANTAGE_CLIENT, VANTAGE_SERVER, VANTAGE_MIDDLE };

struct rtt_summary {
	uint32_t samples;
	int64_t min_ns, avg_ns, max_ns;
};

struct flow_summary {
	uint32_t id;
	uint8_t ip_version;
	uint8_t addr[2][16]; /* [0] client, [1] server */
	uint16_t port[2];
	bool direction_guessed;
	uint8_t vantage; /* where the capture was taken, as the handshake shows (enum vantage, flow.h) */
	uint64_t first_frame, last_frame;
	int64_t start_ns, end_ns;
	uint64_t packets[2], payload_bytes[2], retrans_bytes[2];
	const char *handshake; /* complete, simultaneous, rejected, incomplete, none */
	const char *close;     /* fin, half, rst, none */
	int closed_first_by;   /* -1 none, 0 client, 1 server */
	enum tcp_state state[2];
	int64_t time_wait_left_ns; /* -1 when no endpoint is in TIME-WAIT */
	char conn_state[8];
	char history[ZEEK_HISTORY_MAX];
	uint8_t completeness;
	uint16_t mss[2]; /* 0: not announced */
	int wscale[2];	 /* -1: not announced */
	bool sack_permitted, timestamps, tfo, ecn;
	int64_t irtt_ns; /* -1 unknown */
	struct rtt_summary rtt[2];
	uint32_t keepalives[2];
	int64_t keepalive_interval_ns[2]; /* mean time between probes, -1 with fewer than two */
	uint32_t max_in_flight[2];
	int64_t zero_window_ns[2];
	uint32_t labels[L_COUNT];
	uint32_t findings[3];	   /* by severity, every finding made (also those dropped) */
	uint32_t findings_dropped; /* past the per-flow cap: counted above but not emitted */
};

/* "client", "server", "middle" or "unknown": the name of an enum vantage. */
const char *summary_vantage_name(int vantage);
/* Fills s from f; end_of_input_ns is the capture's last time (for TIME-WAIT left). */
void summary_from_flow(const struct flow *f, int64_t end_of_input_ns, struct flow_summary *s);

#endif
