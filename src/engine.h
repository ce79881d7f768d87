/*
 * engine.h - the analysis pipeline: capture records in, findings, per-packet
 * views and flow summaries out (SPEC §2).
 *
 *   record -> [flow set] -> decode -> flow table (incarnations, client/server) ->
 *   TCP engine + delivery stage -> analyses (measurements, diagnoses, labels, Zeek) -> sink
 *
 * The analyses read what the engine decided and never feed it back: the
 * labels, Wireshark's reading of the capture alone, are taken before the
 * engine runs but only the analyses after it read them (src/README.md maps
 * every stage to its files).
 *
 * The flow set (engine_config.flows, flow-set.h) is the one seam for
 * parallelism: which flows are this engine's. By default every flow is;
 * --shard and the parallel runner (report-parallel.c) give each of several
 * engines over the same input a set of its own, and the engine passes over
 * the records of the others' flows. It knows nothing of threads.
 *
 * The sink is a struct of callbacks; everything passed to it is borrowed for
 * the duration of the call (copy what you keep). Flows leave the engine as
 * struct flow_summary when they end: closed and past TIME-WAIT, replaced by a
 * new incarnation, evicted (idle timeout or --max-flows), or at engine_finish(),
 * which emits the remaining flows in id order. Memory is therefore bounded by
 * the flows open at once, not by packets.
 */
#ifndef TCPSCOPE_ENGINE_H
#define TCPSCOPE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "findings.h"
#include "flow-set.h"
#include "packet.h"
#include "summary.h"
#include "tcp-state.h"

#define VIEW_MAX_FINDINGS 12
#define ENGINE_MAX_FINDINGS_PER_FLOW 100 /* the default cap, per severity */

/* What became of a segment that could change its receiver's state (tcp-delivery.h). */
enum delivery_fate {
	FATE_NONE,	/* no such effect: data, most ACKs, RSTs */
	FATE_DELIVERED, /* the receiver's later behaviour proves it arrived (fate_frame) */
	FATE_LOST,	/* lost after the capture point: fate_frame proves it */
	FATE_UNKNOWN,	/* no evidence either way: taken as delivered */
	FATE_REFUSED,	/* reached a port without a listener (fate_frame is its RST) */
};

/* "delivered", "lost", ... as formats.md spells them (tcp-delivery.c). */
const char *delivery_fate_name(int fate);

/* What the engine concluded about one TCP packet. */
struct packet_view {
	const struct packet *pkt;
	uint32_t flow_id;
	int from_server;
	uint32_t rel_seq, rel_ack;
	int window_shift;	 /* -1 unknown */
	enum tcp_state state[2]; /* after the packet, as the endpoints had them: [0] client, [1] server */
	enum tcp_state via[2];	 /* a state passed through on the way to state[] at this packet; TCPS_COUNT: none */
	uint8_t fate;		 /* enum delivery_fate of this segment */
	uint64_t fate_frame;	 /* the frame that settled its fate (0: none, or the end of the flow) */
	uint64_t arrived_after;	 /* delivered only after the receiver sent this later frame (0: at once) */
	uint32_t labels;	 /* 1u << L_* */
	uint32_t dupack_num;
	int64_t bytes_in_flight; /* sender's unacknowledged bytes after a data segment; -1 n/a */
	uint8_t nfindings;
	enum finding_id findings[VIEW_MAX_FINDINGS];
};

struct engine_sink {
	void *ctx;
	void (*packet)(void *ctx, const struct packet_view *view);
	void (*finding)(void *ctx, const struct finding *finding);
	void (*flow_end)(void *ctx, const struct flow_summary *summary);
};

struct engine_config {
	int64_t msl_ns;		 /* TIME-WAIT lasts 2 * msl_ns (default 30 s) */
	int64_t idle_timeout_ns; /* evict flows idle this long; 0 = never */
	size_t max_flows;	 /* 0 = unlimited */
	bool verify_checksums;
	uint32_t max_findings_per_flow; /* of each severity, emitted per flow (default 100); 0 = unlimited */
	struct flow_set flows;		/* analyse only these flows (flow-set.h: --shard, the parallel runner) */
	bool views_per_flow; /* live: packet views leave at once, not when their states are settled (tcp-delivery.h) */
	/*
	 * engine_free gives the flows' memory back to the system, for a program
	 * that builds nothing more from it (the UI once a file is loaded would
	 * keep up to 24 MB). Otherwise it stays cached for what comes next: the
	 * report's summaries and the JSON writer draw on it (mem-blocks.h).
	 */
	bool give_back_memory;
};

struct engine_stats {
	uint64_t packets, tcp_packets, decode_errors;
	uint64_t flows_total, flows_evicted;
	size_t flows_active;
	size_t flows_peak; /* the most flows held at once */
	int64_t first_ns, last_ns;
	bool truncated;
};

struct engine;

void engine_config_default(struct engine_config *cfg);
struct engine *engine_new(const struct engine_config *cfg, const struct engine_sink *sink);
void engine_packet(struct engine *e, const struct capture_record *rec);
/*
 * The input ended inside a record (raises capture.truncated). Findings that
 * belong to no flow are raised by one flow set alone (flow-set.h), so that
 * the sets' findings add up to the whole: this one and unusable frames by
 * the engine whose set has them, except unusable frames whose headers name
 * their flow (flow_set_place_record), which are that flow's set's.
 */
void engine_input_truncated(struct engine *e, const char *detail);
/* Ends every flow still open (in id order) and emits their summaries. */
void engine_finish(struct engine *e);
/* Evicts flows that are done or idle at capture time now (live mode calls it on a timer). */
void engine_expire(struct engine *e, int64_t now_ns);
/*
 * Calls fn with a summary of every flow still open, oldest activity first
 * (UI and live mode); segments that waited too long for evidence of their
 * delivery are settled first (tcp-delivery.h), so the states are as of now.
 */
void engine_foreach_open_flow(struct engine *e, void (*fn)(void *ctx, const struct flow_summary *s), void *ctx);
void engine_get_stats(const struct engine *e, struct engine_stats *out);
void engine_free(struct engine *e);

#endif
