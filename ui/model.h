/*
 * model.h - what the UI knows about one capture: a compact record per TCP
 * packet, a summary per flow, and every finding. The views read it; only
 * the loader (or, live, the capture's engine) writes it.
 *
 * A file loads incrementally: model_load_step() feeds the engine for a
 * bounded time and returns, so the UI loop stays responsive and shows the
 * first screen at once (SPEC §12). A live capture (model_open_live) is fed
 * by an engine the capture session owns (ui/live.h): the model is that
 * engine's sink, and the records are saved to a file as they arrive, from
 * which details are read back as for any file. Either way the engine's sink
 * fills the model; the UI never holds engine pointers, only flow ids and
 * packet indices (STYLE.md 9).
 *
 * Per packet the model keeps 32 bytes (struct model_packet): where the record
 * is in the file, its time, frame, flow, flags, labels, both endpoint states
 * after it, and whether findings sit on it. Everything else (seq, ack,
 * window, options) is read again from the file on demand by seeking to the
 * record: model_read_detail(). The input must therefore be a seekable file.
 *
 * Live, a flow is "closed" once both endpoints are CLOSED or in TIME-WAIT, or
 * the engine ended it; closed_ns says when the model first saw that, so the
 * flows view can dim it for a moment and then move it to the history.
 *
 * Live, memory is bounded for captures of hours (SPEC §10): past
 * limits.packets the oldest packet records are dropped (indices keep
 * counting: the packets in memory are packets_first .. npackets - 1, and each
 * flow counts its own dropped packets), findings on dropped packets go with
 * them (and the oldest past one for every 8 packets kept: a flood may raise
 * one on each), and past limits.history the flows closed earliest are
 * dropped. The
 * saved file may come in segments (model_live_segment): at most
 * MODEL_SEGMENTS are open, and one goes as soon as no packet in memory is in
 * it. `drops` changes whenever anything is dropped: a view then forgets the
 * indices and ids that no longer resolve (struct view_ops.forget) before it
 * reads the model again.
 *
 * Ownership: the model owns every array here; pointers returned by the
 * accessors stay valid until the next model_load_step() or model_close()
 * (live: until the engine calls the sink again, i.e. the loop runs on).
 */
#ifndef TCPSCOPE_UI_MODEL_H
#define TCPSCOPE_UI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

struct model_packet {
	uint64_t where; /* file offset << 16 | payload length (clamped to 65535) */
	int64_t time_ns;
	uint32_t frame; /* frame numbers beyond 2^32 are out of scope for the UI */
	uint32_t flow;
	uint32_t labels; /* 1u << L_* */
	uint8_t flags;	 /* TCP_* */
	uint8_t states;	 /* client state | server state << 4, after this packet */
	uint8_t bits;	 /* MODEL_FROM_SERVER | (window shift + 1) << 1 | fate (enum delivery_fate) << 5 */
	uint8_t mark;	 /* 0: no finding on this packet, else 1 + its worst severity */
};

enum { MODEL_FROM_SERVER = 1, MODEL_FATE_SHIFT = 5 };

static inline uint64_t model_packet_offset(const struct model_packet *p)
{
	return p->where >> 16;
}

static inline uint32_t model_packet_len(const struct model_packet *p)
{
	return (uint32_t)(p->where & 0xffff);
}

static inline int model_packet_side(const struct model_packet *p)
{
	return p->bits & MODEL_FROM_SERVER;
}

static inline enum tcp_state model_packet_state(const struct model_packet *p, int side)
{
	return (enum tcp_state)(side ? p->states >> 4 : p->states & 0x0f);
}

/* The window scale shift in effect for this packet, -1 if unknown. */
static inline int model_packet_shift(const struct model_packet *p)
{
	return (p->bits >> 1 & 0x0f) - 1;
}

/* What became of the segment on the way to its receiver (enum delivery_fate, engine.h). */
static inline int model_packet_fate(const struct model_packet *p)
{
	return p->bits >> MODEL_FATE_SHIFT;
}

/* The relative sequence bases of both directions from a frame on (SPEC §4.3). */
struct model_epoch {
	uint64_t frame;
	uint32_t base[2];
	uint8_t known; /* bit side: base[side] is set */
};

struct model_flow {
	struct flow_summary s;		    /* the engine's summary; provisional until `ended` */
	bool seen;			    /* at least one packet arrived */
	bool ended;			    /* the engine ended the flow: s is final */
	uint8_t worst;			    /* 0 no finding, else 1 + the worst severity */
	enum finding_id worst_id;	    /* the first finding of the worst severity */
	uint64_t first_packet, last_packet; /* model packet indices (live: the first may be dropped) */
	uint64_t packets_dropped;	    /* live: its packets dropped from memory, the oldest first */
	int64_t closed_ns;		    /* live: when it was first seen closed (model_now_ns()); 0 while open */
	struct model_epoch *epochs;
	uint32_t nepochs;
	size_t epochs_cap;
};

struct model_finding {
	uint64_t frame; /* 0 for capture-wide findings */
	int64_t time_ns;
	uint32_t flow;	  /* 0 outside any flow */
	uint32_t message; /* offset into the message arena */
	enum finding_id id;
};

/* A packet read again from the file, with its relative numbers. */
struct model_detail {
	struct packet pkt;
	uint32_t rel_seq, rel_ack;
};

#define MODEL_ERROR_MAX 512
#define MODEL_SEGMENTS 2		  /* live: saved-file segments open at most (the current one and the last) */
#define MODEL_DEFAULT_MAX_PACKETS 2000000 /* --ui-max-packets: 64 MB of packet records */
#define MODEL_DEFAULT_MAX_HISTORY 100000  /* --ui-max-history: about 50 MB of closed flows */

/* Live: how much the model keeps; 0 keeps everything. */
struct model_limits {
	uint64_t packets; /* packet records; past it the oldest are dropped */
	uint32_t history; /* closed flows; past it those closed earliest are dropped */
};

/* A file the packets are saved in: live, the next segment starts where the capture rotated it. */
struct model_segment {
	struct capture *reader; /* reads details back; NULL for a file until the first read */
	uint64_t first;		/* the index of the first packet saved in it */
};

/*
 * What a live capture's session gives the model: during a sink callback,
 * current() is the record being analysed (its offset is where it starts in
 * the saved file, as capture_record.offset is for a file); flush() makes
 * every record saved so far readable from the file.
 */
struct model_feed {
	void *ctx;
	const struct capture_record *(*current)(void *ctx);
	int (*flush)(void *ctx);
};

struct model {
	char *path, *filter; /* path: the file, or a join's title ("a + b") */
	char **paths;	     /* the files read again for details (one, or a join's parts) */
	size_t npaths;
	char *source;		/* live: the interface, as the user named it; NULL for a file */
	bool live;		/* fed by a live capture through model_sink() */
	struct model_feed feed; /* live only */
	struct engine_config cfg;
	struct model_limits limits;		       /* live only */
	struct capture *cap;			       /* the loader's handle; NULL once loaded */
	struct engine *engine;			       /* NULL once loaded */
	struct model_segment segments[MODEL_SEGMENTS]; /* model_read_detail()'s handles, oldest first */
	unsigned nsegments;
	bool loading;
	bool nanosecond;
	char linktype[32];
	char error[MODEL_ERROR_MAX]; /* a read error that ended loading early, or "" */
	uint64_t file_size, offset;  /* bytes of the file and bytes read so far */
	int64_t load_ns;	     /* time spent in model_load_step() so far */
	uint64_t generation;	     /* changes whenever the model does: views rebuild */
	struct engine_stats stats;

	uint64_t drops; /* changes whenever packets, flows or findings are dropped from memory */

	/* Packets: indices packets_first .. npackets - 1 are in memory; live, older ones were dropped. */
	struct model_packet **chunks; /* chunks[i] holds indices from (chunk_first + i) << CHUNK_SHIFT */
	size_t nchunks, chunks_cap;
	uint64_t chunk_first;
	struct model_packet *spare_chunk; /* a dropped chunk kept for the next one */
	uint64_t npackets, packets_first;
	uint64_t dropped_frame; /* the frame of the last packet dropped, 0 if none */

	/*
	 * Flows in memory by rising id; entries that are not `seen` are placeholders
	 * (a flow with a finding before its first packet, or a dropped flow not yet
	 * swept away: model_flow() does not find those). flow_ids[i] is flows[i]'s id.
	 */
	struct model_flow *flows;
	uint32_t *flow_ids;
	size_t flows_len, flows_cap, flow_ids_cap;
	size_t flows_swept;	/* dropped entries still in flows[] */
	uint32_t nflows;	/* flows seen: the highest id */
	uint32_t open_flows;	/* live: flows seen and not closed yet */
	uint64_t flows_dropped; /* live: closed flows dropped from memory */
	uint32_t *closed; /* live: ids of the closed flows in memory, closed[closed_head..closed_len), earliest first */
	size_t closed_head, closed_len, closed_cap;

	/*
	 * Findings: indices findings_first .. nfindings - 1 are in memory, at
	 * findings[index - findings_base]; live, those on dropped packets go, and
	 * the oldest past one for every 8 packets limits.packets keeps.
	 */
	struct model_finding *findings; /* in the order the engine made them */
	size_t findings_base, findings_first, nfindings, findings_cap;
	char *messages;
	size_t messages_len, messages_cap;
	uint32_t severity[3]; /* every finding made, dropped ones included */

	uint64_t current_frame; /* the record being fed to the engine */
	uint64_t current_offset;
	int64_t last_refresh_ns;
};

/* Opens the file for loading. Returns -1 with a one-line message in err. */
/* model_open() over n files read as the parts of one capture (capture_open_join) when n > 1. */
int model_open_files(struct model *m, const char *const *paths, size_t n, const char *filter,
		     const struct engine_config *cfg, char *err, size_t errlen);
int model_open(struct model *m, const char *path, const char *filter, const struct engine_config *cfg, char *err,
	       size_t errlen);
/* Loads for about budget_ns of wall time; returns true while input remains. */
bool model_load_step(struct model *m, int64_t budget_ns);
/* Loads everything that remains (the batch `timeline` command). */
void model_load_all(struct model *m);
/* While loading: copies the engine's current summary of every open flow. */
void model_refresh_open_flows(struct model *m);
/*
 * Opens a model for a live capture: `path` is the file the capture saves
 * every record to (it must hold the file's header already; it may be
 * unlinked once this returns: the model keeps it open to read details
 * back), `source` names the interface. Fill it through model_sink().
 * Returns -1 with a one-line message in err.
 */
int model_open_live(struct model *m, const char *path, const char *source, const struct engine_config *cfg,
		    const struct model_feed *feed, const struct model_limits *limits, char *err, size_t errlen);
/*
 * Live: the capture saves the records from the next one on in a new file,
 * `path` (with its header; it may be unlinked once this returns). With
 * MODEL_SEGMENTS open already, the oldest goes now with its packets. Returns
 * -1 with err if the file cannot be opened (details of its packets then say so).
 */
int model_live_segment(struct model *m, const char *path, char *err, size_t errlen);
/* The sink that fills the model: give it to the live capture's engine. */
struct engine_sink model_sink(struct model *m);
/*
 * Live: catches up with the engine that feeds the model: its counters and,
 * with `flows`, its current summary of every open flow (a pass over all of
 * them: a few times a second at most). The views rebuild at their next update.
 */
void model_live_refresh(struct model *m, struct engine *e, bool flows);
void model_close(struct model *m);

/* NULL if the index is not in memory (not recorded yet, or dropped). */
const struct model_packet *model_packet_at(const struct model *m, uint64_t index);
/* NULL if the id is unknown (yet), or dropped from memory. */
const struct model_flow *model_flow(const struct model *m, uint32_t id);
/* NULL if the index is not in memory. */
const struct model_finding *model_finding_at(const struct model *m, size_t index);
const char *model_finding_message(const struct model *m, const struct model_finding *f);
/* The packet index of a frame, or UINT64_MAX if that frame is not a TCP packet in memory. */
uint64_t model_find_frame(const struct model *m, uint64_t frame);
/*
 * Appends the indices of flow's packets at or after *next to (*vec, *n, *cap)
 * and sets *next past the last packet loaded: call it again to get the rest.
 */
void model_collect_flow_packets(const struct model *m, uint32_t flow, uint64_t *next, uint64_t **vec, size_t *n,
				size_t *cap);
/* The relative sequence base of a side at a frame; false if never seen. */
bool model_flow_base(const struct model_flow *f, uint64_t frame, int side, uint32_t *base);
/* Reads a packet again from the file (seeking to it). Returns -1 with a one-line message in err. */
int model_read_detail(struct model *m, uint64_t index, struct model_detail *d, char *err, size_t errlen);
/*
 * Copies the captured bytes of a packet (up to cap of them) into buf, read
 * again from the file; *caplen is how many the record has. -1 with err.
 */
int model_read_bytes(struct model *m, uint64_t index, uint8_t *buf, size_t cap, uint32_t *caplen, char *err,
		     size_t errlen);
/* Bytes the model holds (packets, flows, findings). */
size_t model_memory(const struct model *m);
/* Monotonic clock in nanoseconds. */
int64_t model_now_ns(void);

#endif
