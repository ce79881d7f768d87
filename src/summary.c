/*
 * summary.c - turns a flow's engine state into its summary record: the
 * handshake and close verdicts, end states and TIME-WAIT left, negotiated
 * options, RTT statistics, Zeek's conn_state/history and Wireshark's
 * completeness bits (SPEC §4.7).
 */
#include "config.h"

#include <string.h>

#include "flow.h"
#include "summary.h"

static const char *handshake_verdict(const struct flow *f)
{
	if (f->handshake_done)
		return f->simultaneous_open ? "simultaneous" : "complete";
	if (f->rejected)
		return "rejected";
	if (f->ep[SIDE_CLIENT].syn_sent || f->ep[SIDE_SERVER].syn_sent)
		return "incomplete";
	return "none";
}

static const char *close_verdict(const struct flow *f)
{
	const struct endpoint *c = &f->ep[SIDE_CLIENT], *s = &f->ep[SIDE_SERVER];
	if (c->fin_acked && s->fin_acked)
		return "fin";
	if (f->reset)
		return "rst";
	if (c->fin_sent || s->fin_sent)
		return "half";
	return "none";
}

/* snprintf's "%s" into dst (cut to fit, NUL-terminated), without formatting: it runs twice per flow. */
static void copy_text(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

const char *summary_vantage_name(int vantage)
{
	static const char *const names[] = {[VANTAGE_UNKNOWN] = "unknown",
					    [VANTAGE_CLIENT] = "client",
					    [VANTAGE_SERVER] = "server",
					    [VANTAGE_MIDDLE] = "middle"};
	return vantage >= 0 && vantage <= VANTAGE_MIDDLE ? names[vantage] : "unknown";
}

void summary_from_flow(const struct flow *f, int64_t end_of_input_ns, struct flow_summary *s)
{
	memset(s, 0, sizeof *s);
	s->id = f->id;
	s->ip_version = f->key.ip_version;
	int client_key_side = f->client_is_lower ? 0 : 1;
	for (int side = 0; side < 2; side++) {
		int k = side == SIDE_CLIENT ? client_key_side : !client_key_side;
		const struct endpoint *ep = &f->ep[side];
		memcpy(s->addr[side], f->key.addr[k], 16);
		s->port[side] = f->key.port[k];
		s->packets[side] = ep->packets;
		s->payload_bytes[side] = ep->payload_bytes;
		s->retrans_bytes[side] = ep->retrans_bytes;
		s->state[side] = ep->state;
		s->mss[side] = ep->has_mss ? ep->mss : 0;
		s->wscale[side] = ep->wscale;
		s->keepalives[side] = ep->keepalives;
		s->keepalive_interval_ns[side] =
			ep->keepalives > 1 ? ep->keepalive_interval_sum_ns / (ep->keepalives - 1) : -1;
		s->max_in_flight[side] = ep->max_in_flight;
		s->zero_window_ns[side] =
			ep->zero_window_ns + (ep->zero_window_since >= 0 ? f->last_ns - ep->zero_window_since : 0);
		if (ep->rtt.samples) {
			s->rtt[side].samples = ep->rtt.samples;
			s->rtt[side].min_ns = ep->rtt.min_ns;
			s->rtt[side].max_ns = ep->rtt.max_ns;
			s->rtt[side].avg_ns = ep->rtt.sum_ns / ep->rtt.samples;
		}
	}
	s->direction_guessed = f->direction_guessed;
	s->vantage = f->vantage;
	s->first_frame = f->first_frame;
	s->last_frame = f->last_frame;
	s->start_ns = f->start_ns;
	s->end_ns = f->last_ns;
	s->handshake = handshake_verdict(f);
	s->close = close_verdict(f);
	s->closed_first_by = f->closed_first_by;

	s->time_wait_left_ns = -1;
	for (int side = 0; side < 2; side++)
		if (f->ep[side].state == TCPS_TIME_WAIT) {
			int64_t left = f->ep[side].time_wait_until - end_of_input_ns;
			if (left > s->time_wait_left_ns)
				s->time_wait_left_ns = left;
		}

	const struct endpoint *c = &f->ep[SIDE_CLIENT], *sv = &f->ep[SIDE_SERVER];
	bool both_syn = c->syn_sent && sv->syn_sent;
	s->sack_permitted = both_syn && c->sack_permitted && sv->sack_permitted;
	s->timestamps = both_syn && c->timestamps && sv->timestamps;
	s->tfo = c->tfo;
	s->ecn = both_syn && c->ecn_setup && sv->ecn_setup;
	s->irtt_ns = f->irtt_ns;
	copy_text(s->conn_state, sizeof s->conn_state, zeek_conn_state(&f->zeek));
	copy_text(s->history, sizeof s->history, zeek_history(&f->zeek));
	s->completeness = f->completeness;
	if (f->label_counts)
		memcpy(s->labels, f->label_counts, sizeof s->labels);
	else
		memset(s->labels, 0, sizeof s->labels);
	memcpy(s->findings, f->finding_counts, sizeof s->findings);
	s->findings_dropped = f->findings_dropped;
}
