/*
 * state-paths.c - walks every endpoint's path of states in the captures
 * named on the command line and fails on a move RFC 9293's state diagram
 * does not have (SPEC §4.2: "every endpoint's path of states is one that
 * RFC 9293's diagram has").
 *
 * The paths are read from the settled packet views, as `tcpscope packets`
 * prints them, and each consecutive pair of states of one endpoint is held
 * to the engine's own state × event table (tcp_state_next()): a move is
 * legal when some event makes it, or a FIN+ACK's two, staying put always is (through the
 * state a view says an endpoint passed on the way, if any). A flow's first
 * view is compared with UNKNOWN (its state before anything was seen). Files
 * that cannot be read are skipped with a note: the robustness tests are
 * about those. Exit status: 0 all legal, 1 an illegal move, 2 usage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "engine.h"
#include "mem-alloc.h"

struct walk {
	const char *path;
	enum tcp_state *last; /* [flow id * 2 + side] */
	size_t cap;	      /* entries of last */
	unsigned long illegal, views;
};

static bool legal(enum tcp_state from, enum tcp_state to)
{
	if (from == to)
		return true;
	for (int ev = 0; ev < TCPE_COUNT; ev++)
		if (tcp_state_next(from, (enum tcp_event)ev) == to)
			return true;
	/* One FIN+ACK: its ACK, then its FIN (RFC 9293 §3.10.7.4 "fifth", "eighth"), e.g. FIN-WAIT-1 to TIME-WAIT. */
	enum tcp_state acked = tcp_state_next(from, TCPE_FIN_ACKED);
	return acked != TCPS_COUNT && tcp_state_next(acked, TCPE_FIN_RECEIVED) == to;
}

static void step(struct walk *w, const struct packet_view *v, int side, enum tcp_state from, enum tcp_state to)
{
	if (legal(from, to))
		return;
	printf("%s: flow %u frame %llu: the %s goes %s -> %s, a move RFC 9293 does not have\n", w->path, v->flow_id,
	       (unsigned long long)v->pkt->frame, side ? "server" : "client", tcp_state_name(from), tcp_state_name(to));
	w->illegal++;
}

static void check_view(void *ctx, const struct packet_view *v)
{
	struct walk *w = ctx;
	size_t need = ((size_t)v->flow_id + 1) * 2;
	if (need > w->cap) {
		size_t old = w->cap;
		w->cap = need * 2;
		w->last = xrealloc(w->last, w->cap * sizeof *w->last);
		for (size_t i = old; i < w->cap; i++)
			w->last[i] = TCPS_UNKNOWN;
	}
	w->views++;
	for (int side = 0; side < 2; side++) {
		enum tcp_state *prev = &w->last[(size_t)v->flow_id * 2 + side];
		/* A view may pass through one state on the way (packet_view.via): both moves must be legal. */
		if (v->via[side] != TCPS_COUNT) {
			step(w, v, side, *prev, v->via[side]);
			*prev = v->via[side];
		}
		step(w, v, side, *prev, v->state[side]);
		*prev = v->state[side];
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: state-paths FILE...\n");
		return 2;
	}
	unsigned long illegal = 0, views = 0;
	int files = 0;
	for (int i = 1; i < argc; i++) {
		char err[CAPTURE_ERRBUF_SIZE];
		struct capture *cap = capture_open_file(argv[i], NULL, err, sizeof err);
		if (!cap) {
			printf("note: %s skipped: %s\n", argv[i], err);
			continue;
		}
		struct walk w = {.path = argv[i]};
		struct engine_config cfg;
		engine_config_default(&cfg);
		struct engine_sink sink = {.ctx = &w, .packet = check_view};
		struct engine *e = engine_new(&cfg, &sink);
		struct capture_record rec;
		enum capture_status st;
		while ((st = capture_next(cap, &rec)) == CAPTURE_PACKET)
			engine_packet(e, &rec);
		engine_finish(e);
		engine_free(e);
		capture_close(cap);
		free(w.last);
		illegal += w.illegal;
		views += w.views;
		files++;
	}
	printf("state-paths: %d files, %lu packet views, %lu illegal moves\n", files, views, illegal);
	return illegal ? 1 : 0;
}
