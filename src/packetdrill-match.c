/*
 * packetdrill-match.c - a packetdrill script's meaning, checked against the
 * packets of a trace (packetdrill.h).
 *
 * Packets arrive in capture order. Each one to or from the system under
 * test goes to the queue of its direction: the next '<' line waits for the
 * next injected packet, the next '>' line for the next packet the SUT sent,
 * so the two directions may interleave on the wire as they did in the run.
 * A packet is first mapped into the script's space (packetdrill's
 * run_packet.c does the same with its live packets): the SUT's sequence
 * numbers from its live ISN to the script's, the acks and SACK blocks of
 * injected packets likewise, and an injected TS ecr through the TS vals the
 * SUT was seen to send. Without --strict-segments a '>' line with more
 * payload than the packet gathers the following segments (TSO/GSO) until it
 * has it all. Fields are then compared, every difference into one message.
 *
 * Times are judged at the end, when every packet line has the frame it
 * matched: events are walked in script order with packetdrill's clock
 * (run.c): +T counts from the moment the previous event happened (a packet
 * the trace saw: its capture time; an event it cannot see: its expected
 * time), except that an injected packet after an injected packet counts from
 * the previous one's expected time. The first packet matched anchors the
 * script's clock to the capture's. A time matches within the larger of
 * --tolerance_usecs and --tolerance_percent of the gap from the previous
 * event. The verdict is the first failure in script order: a content
 * mismatch, a time out of tolerance, or a line no packet matched.
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mem-alloc.h"
#include "packetdrill.h"
#include "script.h"

/* A packet, or the segments one line gathered, in the script's space. */
struct pd_wire {
	uint64_t frame, first_frame;
	int64_t time_ns;
	uint8_t flags, ecn;
	bool ae;
	uint32_t seq, ack, len;
	uint16_t win, urg;
	struct tcp_options opt;
};

struct pd_conn {
	bool bound;
	uint8_t peer[16];
	uint16_t sut_port, peer_port;
	uint32_t flow_id;
	bool has_local_isn; /* the SUT's ISN, live and as the script wrote it */
	uint32_t live_isn, script_isn;
	bool has_remote_isn; /* the injected side's ISN, live and as written (the same unless --peer-from-trace) */
	uint32_t remote_isn, script_remote_isn;
	bool ts_found; /* the first TS val the SUT sent: script and live */
	uint32_t first_script_ts, first_live_ts;
	uint32_t ts_script[PACKETDRILL_TS_MAP], ts_live[PACKETDRILL_TS_MAP];
	size_t nts;
};

struct pd_observed {
	bool seen;
	struct pd_wire wire;
};

struct packetdrill_matcher {
	const struct packetdrill_script *s;
	struct packetdrill_config cfg;
	bool strict;
	enum packetdrill_role role;
	bool sut_known;
	uint8_t sut_version, sut[16];
	size_t next[2]; /* the next TCP line of each direction: [0] injected, [1] sent; s->count: none */
	bool failed[2];
	struct pd_observed *obs; /* one per event */
	struct pd_conn *conns;
	bool gathering; /* a '>' line is gathering segments into gathered */
	struct pd_wire gathered;
	uint64_t last_frame;
	int64_t first_ns, last_ns; /* the SUT's first and latest packets */
	bool has_failure;	   /* the first content mismatch */
	size_t failure_event;
	struct script_result failure;
};

/* ---- Configuration ------------------------------------------------------- */

int packetdrill_config_sut(struct packetdrill_config *c, const char *arg, char *err, size_t errlen)
{
	if (strcmp(arg, "client") == 0) {
		c->sut_role = PD_ROLE_CLIENT;
		return 0;
	}
	if (strcmp(arg, "server") == 0) {
		c->sut_role = PD_ROLE_SERVER;
		return 0;
	}
	c->sut_ip_version = strchr(arg, ':') ? 6 : 4;
	if (inet_pton(c->sut_ip_version == 6 ? AF_INET6 : AF_INET, arg, c->sut_addr) != 1) {
		snprintf(err, errlen, "--sut takes client, server or an IPv4/IPv6 address, not \"%s\"", arg);
		return -1;
	}
	c->has_sut_addr = true;
	return 0;
}

/* ---- Formatting --------------------------------------------------------- */

/* Flags in packetdrill's letters; with ace, E, W and A as the ACE digit after the '.' (P.5). */
static void append_flags(char *buf, size_t len, size_t *n, uint8_t flags, bool ae, bool ace)
{
	static const struct {
		char letter;
		uint8_t bit;
	} letters[] = {{'F', TCP_FIN}, {'S', TCP_SYN}, {'R', TCP_RST}, {'P', TCP_PSH},
		       {'E', TCP_ECE}, {'W', TCP_CWR}, {'U', TCP_URG}};
	size_t before = *n;
	for (size_t k = 0; k < sizeof letters / sizeof letters[0]; k++)
		if ((flags & letters[k].bit) && !(ace && (letters[k].bit & (TCP_ECE | TCP_CWR))))
			script_append(buf, len, n, "%c", letters[k].letter);
	if (ae && !ace)
		script_append(buf, len, n, "A");
	if (flags & TCP_ACK)
		script_append(buf, len, n, ".");
	if (ace)
		script_append(buf, len, n, "%d", (flags & TCP_ECE ? 1 : 0) | (flags & TCP_CWR ? 2 : 0) | (ae ? 4 : 0));
	if (*n == before)
		script_append(buf, len, n, "-");
}

/*
 * What the script's numbers add to the live ones (packetdrill's socket.h):
 * a SYN's sequence and ack numbers are absolute, those of other packets
 * relative to their side's ISN. The SUT's side: a SYN's sequence number is
 * mapped from the script's ISN onto the live one, other numbers count from
 * the live ISN. The injected side's ISN is its SYN's, live as written
 * (with --peer-from-trace mapped like the SUT's).
 */
static uint32_t local_offset(const struct pd_conn *c, bool syn)
{
	if (!c->has_local_isn)
		return 0;
	return syn ? c->live_isn - c->script_isn : c->live_isn;
}

static uint32_t remote_offset(const struct pd_conn *c, bool syn)
{
	if (!c->has_remote_isn)
		return 0;
	return syn ? c->remote_isn - c->script_remote_isn : c->remote_isn;
}

/* What a packet's SACK block edges less make them the script's (SACK blocks count the other side's bytes). */
static uint32_t sack_base(const struct pd_conn *c, bool outbound, bool syn)
{
	return outbound ? remote_offset(c, syn) : local_offset(c, syn);
}

/* Appends the packet's options, its SACK blocks in the script's space. */
static void append_wire_options(char *buf, size_t len, size_t *n, const struct pd_wire *w, const struct pd_conn *c,
				bool outbound)
{
	script_append_options(buf, len, n, &w->opt, sack_base(c, outbound, w->flags & TCP_SYN));
}

/* The packet in packetdrill notation, in the script's space, its time after prev_ns. */
static void format_wire(char *buf, size_t len, const struct pd_wire *w, const struct pd_conn *c, bool outbound,
			int64_t prev_ns)
{
	static const char *const ecn_names[] = {"", "[ect1] ", "[ect0] ", "[ce] "};
	size_t n = 0;
	buf[0] = '\0';
	script_append(buf, len, &n, "+");
	script_append_seconds(buf, len, &n, w->time_ns - prev_ns);
	script_append(buf, len, &n, " %c %s", outbound ? '>' : '<', ecn_names[w->ecn & 3]);
	append_flags(buf, len, &n, w->flags, w->ae, false);
	script_append(buf, len, &n, " %u:%u(%u)", w->seq, w->seq + w->len, w->len);
	if (w->flags & TCP_ACK)
		script_append(buf, len, &n, " ack %u", w->ack);
	script_append(buf, len, &n, " win %u", w->win);
	if (w->urg)
		script_append(buf, len, &n, " urg %u", w->urg);
	append_wire_options(buf, len, &n, w, c, outbound);
}

/* ---- Mapping ------------------------------------------------------------ */

static bool same_address(const uint8_t *a, const uint8_t *b, uint8_t version)
{
	return memcmp(a, b, version == 6 ? 16 : 4) == 0;
}

/* The live TS val the SUT sent for script TS val script_val (run_packet.c's ts_val_map), or interpolated. */
static bool live_ts_for(const struct pd_conn *c, uint32_t script_val, uint32_t *live)
{
	size_t n = c->nts < PACKETDRILL_TS_MAP ? c->nts : PACKETDRILL_TS_MAP;
	for (size_t i = n; i-- > 0;)
		if (c->ts_script[i] == script_val) {
			*live = c->ts_live[i];
			return true;
		}
	if (!c->ts_found)
		return false;
	*live = script_val - c->first_script_ts + c->first_live_ts;
	return true;
}

static void remember_ts(struct pd_conn *c, uint32_t script_val, uint32_t live_val)
{
	if (!c->ts_found) {
		c->ts_found = true;
		c->first_script_ts = script_val;
		c->first_live_ts = live_val;
	}
	c->ts_script[c->nts % PACKETDRILL_TS_MAP] = script_val;
	c->ts_live[c->nts % PACKETDRILL_TS_MAP] = live_val;
	c->nts++;
}

static const struct packetdrill_option *script_ts(const struct packetdrill_packet *pk)
{
	for (uint8_t i = 0; i < pk->nopts; i++)
		if (pk->opts[i].kind == TCPOPT_TIMESTAMP)
			return &pk->opts[i];
	return NULL;
}

/* ---- Comparing ---------------------------------------------------------- */

/*
 * The tolerance of a TS val: the larger of --tolerance_usecs and
 * --tolerance_percent of the time since the script began, not since the
 * last event (run_packet.c); the script's start is taken as the first
 * packet of the SUT's.
 */
static int64_t ts_tolerance(const struct packetdrill_matcher *m, const struct packetdrill_event *ev, int64_t t)
{
	int64_t tolerance = m->cfg.has_tolerance_ns ? m->cfg.tolerance_ns : ev->tolerance_ns;
	double pct = m->cfg.has_tolerance_percent ? m->cfg.tolerance_percent : ev->tolerance_percent;
	int64_t dynamic = (int64_t)(pct / 100.0 * (double)(t - m->first_ns));
	return dynamic > tolerance ? dynamic : tolerance;
}

/* Does the packet's option i match script option o? */
static bool option_matches(const struct packetdrill_matcher *m, const struct packetdrill_event *ev,
			   const struct pd_conn *c, const struct pd_wire *w, uint8_t i,
			   const struct packetdrill_option *o)
{
	const struct tcp_options *a = &w->opt;
	const struct packetdrill_packet *pk = &ev->pkt;
	if (a->kinds[i] != o->kind)
		return false;
	switch (o->kind) {
	case TCPOPT_MSS:
		return o->symbolic || a->mss == o->val[0];
	case TCPOPT_WSCALE:
		return a->wscale == o->val[0];
	case TCPOPT_SACK: {
		uint32_t base = sack_base(c, pk->outbound, w->flags & TCP_SYN);
		if (a->sack_count != o->nsack)
			return false;
		for (uint8_t b = 0; b < o->nsack; b++)
			if (a->sack[b].left - base != o->sack[b][0] || a->sack[b].right - base != o->sack[b][1])
				return false;
		return true;
	}
	case TCPOPT_TIMESTAMP: {
		uint32_t live;
		if (pk->outbound) { /* TS val within the tolerance, and only with --tcp_ts_tick_usecs (run_packet.c) */
			if (!m->s->ts_tick_usecs || !c->ts_found)
				return true;
			int64_t off = (int32_t)(a->tsval - c->first_live_ts - (o->val[0] - c->first_script_ts));
			return (off < 0 ? -off : off) * m->s->ts_tick_usecs * 1000 <= ts_tolerance(m, ev, w->time_ns);
		}
		if (a->tsval != o->val[0] && !m->cfg.peer_from_trace)
			return false;
		if (!(w->flags & TCP_ACK))
			return a->tsecr == o->val[1];
		return !live_ts_for(c, o->val[1], &live) || a->tsecr == live;
	}
	case TCPOPT_TFO:
	case TCPOPT_EXPERIMENTAL:
		return o->symbolic || (a->has_tfo && a->tfo_cookie_len == o->bytes);
	default: /* nop, eol, sackOK; md5, MPTCP and AccECN by kind */
		return true;
	}
}

static bool options_match(const struct packetdrill_matcher *m, const struct packetdrill_event *ev,
			  const struct pd_conn *c, const struct pd_wire *w)
{
	const struct packetdrill_packet *pk = &ev->pkt;
	if (pk->options_any)
		return true;
	if (w->opt.count != pk->nopts)
		return false;
	for (uint8_t i = 0; i < pk->nopts; i++)
		if (!option_matches(m, ev, c, w, i, &pk->opts[i]))
			return false;
	return true;
}

static bool ecn_matches(enum packetdrill_ecn want, uint8_t ecn)
{
	static const int8_t wire[] = {[PD_ECN_NOT_ECT] = 0, [PD_ECN_ECT1] = 1, [PD_ECN_ECT0] = 2, [PD_ECN_CE] = 3};
	if (want == PD_ECN_UNCHECKED)
		return true;
	if (want == PD_ECN_ECT01)
		return ecn == 1 || ecn == 2;
	return ecn == wire[want];
}

/* Appends every difference between the packet and its line to msg. */
static void compare(const struct packetdrill_matcher *m, const struct packetdrill_event *ev, const struct pd_conn *c,
		    const struct pd_wire *w, char *msg, size_t len, size_t *n)
{
	const struct packetdrill_packet *pk = &ev->pkt;
	if (w->flags != pk->flags || w->ae != pk->ae) {
		script_append(msg, len, n, "flags ");
		append_flags(msg, len, n, w->flags, w->ae, pk->ace_digit);
		script_append(msg, len, n, ", expected ");
		append_flags(msg, len, n, pk->flags, pk->ae, pk->ace_digit);
	}
	if (w->seq != pk->seq)
		script_append(msg, len, n, "%sseq %u, expected %u", *n ? "; " : "", w->seq, pk->seq);
	if (w->len != pk->len)
		script_append(msg, len, n, "%slen %u, expected %u", *n ? "; " : "", w->len, pk->len);
	if (pk->has_ack && (w->flags & TCP_ACK) && w->ack != pk->ack)
		script_append(msg, len, n, "%sack %u, expected %u", *n ? "; " : "", w->ack, pk->ack);
	if (pk->has_win && w->win != pk->win)
		script_append(msg, len, n, "%swin %u, expected %u", *n ? "; " : "", w->win, pk->win);
	if ((pk->has_urg || (pk->flags & TCP_URG)) && w->urg != pk->urg)
		script_append(msg, len, n, "%surg %u, expected %u", *n ? "; " : "", w->urg, pk->urg);
	static const char *const ecn_names[] = {"", "[noecn]", "[ect1]", "[ect0]", "[ce]", "[ect01]"};
	if (!ecn_matches(pk->ecn, w->ecn))
		script_append(msg, len, n, "%sIP ECN field %u, expected %s", *n ? "; " : "", w->ecn,
			      ecn_names[pk->ecn]);
	if (!options_match(m, ev, c, w)) {
		script_append(msg, len, n, "%soptions", *n ? "; " : "");
		size_t before = *n;
		append_wire_options(msg, len, n, w, c, pk->outbound);
		if (*n == before)
			script_append(msg, len, n, " <>");
		script_append(msg, len, n, ", not as written");
	}
}

/* ---- Matching ----------------------------------------------------------- */

static size_t next_tcp_line(const struct packetdrill_script *s, size_t from, bool outbound)
{
	while (from < s->count && (s->events[from].kind != PD_EV_TCP || s->events[from].pkt.outbound != outbound))
		from++;
	return from;
}

int packetdrill_config_check(const struct packetdrill_script *s, const struct packetdrill_config *cfg, char *err,
			     size_t errlen)
{
	if (cfg->has_sut_addr || cfg->sut_role != PD_ROLE_UNKNOWN || s->has_local_ip || s->role != PD_ROLE_UNKNOWN ||
	    s->npackets == 0)
		return 0;
	snprintf(err, errlen,
		 "cannot tell the system under test: the script has no --local_ip and no listen, accept, "
		 "connect or sendto(MSG_FASTOPEN) call; give --sut ADDR, --sut client or --sut server");
	return -1;
}

struct packetdrill_matcher *packetdrill_matcher_new(const struct packetdrill_script *s,
						    const struct packetdrill_config *cfg)
{
	enum packetdrill_role role = cfg->sut_role != PD_ROLE_UNKNOWN ? cfg->sut_role : s->role;
	struct packetdrill_matcher *m = xcalloc(1, sizeof *m);
	m->s = s;
	m->cfg = *cfg;
	m->strict = cfg->strict_segments || s->strict_segments;
	m->role = role;
	if (cfg->has_sut_addr || (cfg->sut_role == PD_ROLE_UNKNOWN && s->has_local_ip)) {
		m->sut_known = true;
		m->sut_version = cfg->has_sut_addr ? cfg->sut_ip_version : s->local_ip_version;
		memcpy(m->sut, cfg->has_sut_addr ? cfg->sut_addr : s->local_ip, 16);
	}
	m->obs = xcalloc(s->count, sizeof *m->obs);
	m->conns = xcalloc(s->nconns ? s->nconns : 1, sizeof *m->conns);
	m->next[0] = next_tcp_line(s, 0, false);
	m->next[1] = next_tcp_line(s, 0, true);
	return m;
}

void packetdrill_matcher_free(struct packetdrill_matcher *m)
{
	if (!m)
		return;
	free(m->obs);
	free(m->conns);
	free(m);
}

/* Is the packet on a 4-tuple that an earlier connection than conn is bound to? */
static bool tuple_of_other_conn(const struct packetdrill_matcher *m, unsigned conn, const uint8_t *peer,
				uint16_t sut_port, uint16_t peer_port)
{
	for (unsigned i = 0; i < m->s->nconns; i++) {
		const struct pd_conn *c = &m->conns[i];
		if (i != conn && c->bound && c->sut_port == sut_port && c->peer_port == peer_port &&
		    same_address(c->peer, peer, m->sut_version))
			return true;
	}
	return false;
}

/* The packet in the script's space (packetdrill's live-to-script mapping). */
static void to_script_space(const struct pd_conn *c, const struct packet *p, bool outbound, struct pd_wire *w)
{
	memset(w, 0, sizeof *w);
	w->frame = w->first_frame = p->frame;
	w->time_ns = p->time_ns;
	w->flags = p->flags;
	w->ae = p->ae;
	w->ecn = p->ip_ecn;
	w->len = p->payload_len;
	w->win = p->window;
	w->urg = p->urgent;
	w->opt = p->opt;
	bool syn = p->flags & TCP_SYN;
	w->seq = p->seq - (outbound ? local_offset(c, syn) : remote_offset(c, syn));
	w->ack = p->ack - (outbound ? remote_offset(c, syn) : local_offset(c, syn));
}

static void record_failure(struct packetdrill_matcher *m, size_t idx, const struct pd_wire *w, const struct pd_conn *c,
			   const char *msg)
{
	const struct packetdrill_event *ev = &m->s->events[idx];
	m->failed[ev->pkt.outbound] = true;
	if (m->has_failure && m->failure_event < idx)
		return;
	struct script_result *r = &m->failure;
	memset(r, 0, sizeof *r);
	m->has_failure = true;
	m->failure_event = idx;
	r->line = ev->line;
	r->frame = w->first_frame;
	snprintf(r->expected, sizeof r->expected, "%s", ev->text);
	if (w->first_frame != w->frame)
		snprintf(r->message, sizeof r->message, "%s (the segments of frames %" PRIu64 " to %" PRIu64 ")", msg,
			 w->first_frame, w->frame);
	else
		snprintf(r->message, sizeof r->message, "%s", msg);
	format_wire(r->actual, sizeof r->actual, w, c, ev->pkt.outbound, m->last_ns);
}

/* Resolves the SUT's address from a role and the first packet's view. */
static void learn_sut(struct packetdrill_matcher *m, const struct packet_view *v)
{
	const struct packet *p = v->pkt;
	bool src_is_server = v->from_server;
	bool sut_is_src = m->role == PD_ROLE_SERVER ? src_is_server : !src_is_server;
	m->sut_known = true;
	m->sut_version = p->ip_version;
	memset(m->sut, 0, sizeof m->sut);
	memcpy(m->sut, sut_is_src ? p->src : p->dst, p->ip_version == 6 ? 16 : 4);
}

/*
 * Binds line pk's connection to the packet's 4-tuple if it has none yet;
 * false when the packet belongs to another connection (packetdrill passes
 * over packets of other sockets too).
 */
static bool on_connection(struct packetdrill_matcher *m, struct pd_conn *c, const struct packetdrill_packet *pk,
			  const struct packet_view *v, bool outbound)
{
	const struct packet *p = v->pkt;
	const uint8_t *peer = outbound ? p->dst : p->src;
	uint16_t sut_port = outbound ? p->sport : p->dport, peer_port = outbound ? p->dport : p->sport;
	if (c->bound)
		return c->sut_port == sut_port && c->peer_port == peer_port &&
		       same_address(c->peer, peer, m->sut_version);
	if ((pk->flags & TCP_SYN) && !(p->flags & TCP_SYN) &&
	    tuple_of_other_conn(m, pk->conn, peer, sut_port, peer_port))
		return false; /* a connection that opens with a SYN does not open with an earlier one's packet */
	c->bound = true;
	memcpy(c->peer, peer, 16);
	c->sut_port = sut_port;
	c->peer_port = peer_port;
	c->flow_id = v->flow_id;
	return true;
}

/* A SYN line matched by a SYN: that side's ISN, live and as written. */
static void learn_isn(const struct packetdrill_matcher *m, struct pd_conn *c, const struct packetdrill_packet *pk,
		      const struct packet *p, bool outbound)
{
	if (!(pk->flags & TCP_SYN) || !(p->flags & TCP_SYN))
		return;
	if (outbound) {
		c->has_local_isn = true;
		c->live_isn = p->seq;
		c->script_isn = pk->seq;
	} else {
		c->has_remote_isn = true;
		c->remote_isn = p->seq;
		c->script_remote_isn = m->cfg.peer_from_trace ? pk->seq : p->seq;
	}
}

/*
 * Without --strict-segments, a '>' line with more payload than the packet
 * gathers the segments TSO/GSO made of it: false while it waits for more,
 * else *w is the aggregate, the last segment's header over the first one's
 * sequence number (run_packet.c's aggregate_packets).
 */
static bool gather(struct packetdrill_matcher *m, const struct packetdrill_packet *pk, struct pd_wire *w)
{
	if (m->strict || !pk->outbound || !(m->gathering || (w->len > 0 && w->len < pk->len)))
		return true;
	if (!m->gathering) {
		m->gathering = true;
		m->gathered = *w;
	} else {
		uint32_t seq = m->gathered.seq, len = m->gathered.len + w->len;
		uint64_t first = m->gathered.first_frame;
		m->gathered = *w;
		m->gathered.seq = seq;
		m->gathered.len = len;
		m->gathered.first_frame = first;
	}
	if (m->gathered.len < pk->len)
		return false;
	m->gathering = false;
	*w = m->gathered;
	return true;
}

/* Matches the packet against the next line of its direction. */
static void match_packet(struct packetdrill_matcher *m, const struct packet_view *v, bool outbound)
{
	size_t idx = m->next[outbound];
	if (m->failed[outbound] || idx >= m->s->count)
		return; /* after the last line of its direction (packetdrill's teardown), or after a mismatch */
	const struct packetdrill_event *ev = &m->s->events[idx];
	const struct packetdrill_packet *pk = &ev->pkt;
	struct pd_conn *c = &m->conns[pk->conn];
	if (!on_connection(m, c, pk, v, outbound))
		return;
	learn_isn(m, c, pk, v->pkt, outbound);
	struct pd_wire w;
	to_script_space(c, v->pkt, outbound, &w);
	if (!gather(m, pk, &w))
		return;
	char msg[sizeof m->failure.message];
	size_t n = 0;
	msg[0] = '\0';
	compare(m, ev, c, &w, msg, sizeof msg, &n);
	if (n) {
		record_failure(m, idx, &w, c, msg);
		return;
	}
	const struct packetdrill_option *ts = script_ts(pk);
	if (outbound && ts && w.opt.has_timestamps)
		remember_ts(c, ts->val[0], w.opt.tsval);
	m->obs[idx].seen = true;
	m->obs[idx].wire = w;
	m->next[outbound] = next_tcp_line(m->s, idx + 1, outbound);
}

void packetdrill_matcher_packet(struct packetdrill_matcher *m, const struct packet_view *v)
{
	const struct packet *p = v->pkt;
	if (m->s->npackets == 0) /* no line expects a packet: every packet comes after the script */
		return;
	if (!m->sut_known)
		learn_sut(m, v);
	if (p->ip_version != m->sut_version)
		return;
	bool outbound = same_address(p->src, m->sut, m->sut_version);
	if (!outbound && !same_address(p->dst, m->sut, m->sut_version))
		return;
	if (!m->last_ns)
		m->first_ns = m->last_ns = p->time_ns;
	m->last_frame = p->frame;
	match_packet(m, v, outbound);
	m->last_ns = p->time_ns;
}

/* ---- The timeline ------------------------------------------------------- */

static bool is_injected_packet(const struct packetdrill_event *ev)
{
	return (ev->kind == PD_EV_TCP || ev->kind == PD_EV_ICMP || ev->kind == PD_EV_UDP) && !ev->pkt.outbound;
}

struct pd_clock {
	bool anchored;
	int64_t shift;	  /* capture time = script time + shift, once anchored */
	int64_t prev_now; /* when the previous event happened */
	int64_t prev_exp; /* when it was expected */
	bool prev_injected;
	unsigned prev_line;
};

/* Judges event ev's time; fills r and returns false when it is out of tolerance. */
static bool judge_time(const struct packetdrill_matcher *m, struct pd_clock *k, const struct packetdrill_event *ev,
		       const struct pd_observed *o, struct script_result *r)
{
	int64_t offset = k->prev_injected && is_injected_packet(ev) ? k->prev_exp : k->prev_now;
	bool absolute = ev->time_kind == PD_TIME_ABS || ev->time_kind == PD_TIME_ABS_RANGE;
	int64_t base = absolute ? k->shift : offset;
	int64_t exp = base + ev->time_ns, end = ev->time_kind == PD_TIME_ABS_RANGE || ev->time_kind == PD_TIME_REL_RANGE
							? base + ev->end_ns
							: exp;
	bool ok = true;
	if (o && o->seen && !k->anchored) { /* the first packet seen sets the script's clock */
		k->anchored = true;
		k->shift += o->wire.time_ns - exp;
		exp = end = o->wire.time_ns;
	} else if (o && o->seen && ev->time_kind == PD_TIME_ANY) {
		exp = end = o->wire.time_ns;
	} else if (o && o->seen) {
		int64_t tolerance = m->cfg.has_tolerance_ns ? m->cfg.tolerance_ns : ev->tolerance_ns;
		double pct = m->cfg.has_tolerance_percent ? m->cfg.tolerance_percent : ev->tolerance_percent;
		int64_t dynamic = (int64_t)(pct / 100.0 * (double)(exp - k->prev_exp));
		if (dynamic > tolerance)
			tolerance = dynamic;
		int64_t t = o->wire.time_ns;
		if (t < exp - tolerance || t > end + tolerance) {
			size_t n = 0;
			ok = false;
			script_append(r->message, sizeof r->message, &n, "%s +",
				      ev->pkt.outbound ? "sent" : "injected");
			script_append_seconds(r->message, sizeof r->message, &n, t - offset);
			script_append(r->message, sizeof r->message, &n, " s after line %u, expected +", k->prev_line);
			script_append_seconds(r->message, sizeof r->message, &n, exp - offset);
			if (end != exp) {
				script_append(r->message, sizeof r->message, &n, " to +");
				script_append_seconds(r->message, sizeof r->message, &n, end - offset);
			}
			script_append(r->message, sizeof r->message, &n, " s +/- ");
			script_append_seconds(r->message, sizeof r->message, &n, tolerance);
			script_append(r->message, sizeof r->message, &n, " s");
			format_wire(r->actual, sizeof r->actual, &o->wire, &m->conns[ev->pkt.conn], ev->pkt.outbound,
				    offset);
		}
	}
	k->prev_now = o && o->seen ? o->wire.time_ns : exp;
	k->prev_exp = exp;
	k->prev_injected = is_injected_packet(ev);
	k->prev_line = ev->line;
	return ok;
}

/* The message for a capture without a packet to or from the system under test. */
static void no_sut_packets(const struct packetdrill_matcher *m, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	if (!m->sut_known) {
		snprintf(buf, len, "the capture has no packet of the flows selected");
		return;
	}
	inet_ntop(m->sut_version == 6 ? AF_INET6 : AF_INET, m->sut, addr, sizeof addr);
	snprintf(buf, len, "the capture has no packet to or from the system under test %s (--sut names another)", addr);
}

void packetdrill_matcher_finish(struct packetdrill_matcher *m, struct script_result *r, size_t *flows,
				uint32_t *first_flow)
{
	const struct packetdrill_script *s = m->s;
	size_t limit = m->has_failure ? m->failure_event : s->count;
	struct pd_clock k = {0};
	memset(r, 0, sizeof *r);
	for (size_t i = 0; i < s->count; i++)
		r->matched += m->obs[i].seen;
	*flows = 0;
	*first_flow = 0;
	for (unsigned i = 0; i < s->nconns; i++) {
		bool again = false;
		for (unsigned j = 0; j < i; j++)
			again = again || (m->conns[j].bound && m->conns[j].flow_id == m->conns[i].flow_id);
		if (m->conns[i].bound && !again) {
			*flows += 1;
			*first_flow = *first_flow ? *first_flow : m->conns[i].flow_id;
		}
	}
	for (size_t i = 0; i < limit; i++) {
		const struct packetdrill_event *ev = &s->events[i];
		const struct pd_observed *o = ev->kind == PD_EV_TCP ? &m->obs[i] : NULL;
		if (ev->time_kind == PD_TIME_NONE)
			continue;
		if (o && !o->seen) {
			r->line = ev->line;
			snprintf(r->expected, sizeof r->expected, "%s", ev->text);
			*first_flow = m->conns[ev->pkt.conn].flow_id;
			if (m->last_frame)
				snprintf(r->message, sizeof r->message,
					 "no %s packet matched this line (the capture's last packet of the system "
					 "under test is frame %" PRIu64 "; %zu of %zu packet lines matched)",
					 ev->pkt.outbound ? "sent" : "injected", m->last_frame, r->matched,
					 s->npackets);
			else
				no_sut_packets(m, r->message, sizeof r->message);
			return;
		}
		if (!judge_time(m, &k, ev, o, r)) {
			r->line = ev->line;
			r->frame = o->wire.frame;
			snprintf(r->expected, sizeof r->expected, "%s", ev->text);
			*first_flow = m->conns[ev->pkt.conn].flow_id;
			return;
		}
	}
	if (m->has_failure) {
		size_t matched = r->matched;
		*r = m->failure;
		r->matched = matched;
		*first_flow = m->conns[s->events[m->failure_event].pkt.conn].flow_id;
		return;
	}
	r->pass = true;
}
