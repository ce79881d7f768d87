/*
 * analysis-zeek.c - Zeek's conn_state and history, computed the way Zeek does.
 *
 * This is a re-implementation, from headers only, of the parts of Zeek that
 * decide two conn.log columns:
 *
 *   - the endpoint state machine of Zeek's TCP analyzer
 *     (packet_analysis/protocol/tcp/TCPSessionAdapter.cc and
 *     analyzer/protocol/tcp/TCP_Endpoint.cc): TCP_INACTIVE, SYN_SENT,
 *     SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET per endpoint;
 *   - the history letters, recorded in the order Zeek records them: S h A D F
 *     R I Q once per direction (S/H, F and R again when they carry a new
 *     relative sequence number), C T W G at counts 1, 10, 100, ... per
 *     direction, '^' when Zeek flips originator and responder; upper case for
 *     the originator, lower case for the responder;
 *   - conn_state() of scripts/base/protocols/conn/main.zeek.
 *
 * The rules are those of current Zeek (7.x/8.x). Bro 2.4-era logs differ in
 * ways that are version changes, not bugs: they have no T, W, G or '^', and
 * their conn_state() said RSTOS0 for any originator RST with a silent
 * responder, where Zeek now says OTH unless the history reads ^?S...R.
 *
 * Data flow: zeek_packet() decides Zeek's orientation on the first packet
 * (IPBasedAnalyzer::NewConn + TCPAnalyzer::WantConnection: a flow that starts
 * without a bare SYN is flipped when its source port is a likely server
 * port) and may flip again on the second (a SYN-ACK followed by an ACK or
 * data, see zeek_flip_after_synack), then runs each packet through the same
 * steps, in the same order, as TCPSessionAdapter::Process: partial status,
 * endpoint initialisation,
 * relative sequence, history, zero window, FIN/RST bookkeeping, ACK
 * bookkeeping, last sequence (retransmission), state machine, the peer's
 * reassembler seeing the ACK (content gaps), the sender's reassembler seeing
 * the data. zeek_conn_state() and zeek_history() only read.
 *
 * What headers cannot give, and what is done instead:
 *   - 'G' (content gap): Zeek reports a gap when an ACK covers stream bytes its
 *     reassembler never received. We keep the reassembler's sequence
 *     bookkeeping (delivered-up-to, trimmed-up-to, up to ZEEK_PENDING_BLOCKS
 *     out-of-order ranges) without the bytes; a payload counts as received
 *     when the frame was captured whole (caplen >= wirelen), as Zeek only
 *     reassembles fully captured payloads. Past ZEEK_PENDING_BLOCKS ranges
 *     the highest is forgotten: its bytes then count as missing, which can
 *     merge two holes into one gap where Zeek would count two.
 *   - 'C': Zeek's own checksum test is the caller's (bad_checksum).
 *   - Connection boundaries (Zeek's IsReuse, attempt/close/reset timers that
 *     remove a connection so the next packet starts a new one) belong to the
 *     flow table, not here.
 *   - likely_server_ports is the set Zeek's default base/protocols scripts
 *     register (Zeek 7/8); a site that redefines it may flip differently.
 *   - The history is cut at ZEEK_HISTORY_MAX - 1 letters (only floods of
 *     RSTs or SYNs with ever new sequence numbers get there).
 *
 * Zeek's own arithmetic is kept where it matters for equality with Zeek:
 * relative sequence numbers are 64-bit with wrap counters, and the wrap
 * counters move on a numeric (not sequence-order) comparison of raw 32-bit
 * values, exactly as Zeek's UpdateLastSeq/UpdateAckSeq do. Raw 32-bit
 * sequence numbers are compared with SEQ_*; the 64-bit relative offsets
 * derived from them do not wrap and are compared as plain integers.
 */
#include "analysis-zeek.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mem-alloc.h"
#include "tcp-seq.h"

/* Zeek's first_packet_seen bits. */
#define ZEEK_ORIG 1u
#define ZEEK_RESP 2u

/* TCPSessionAdapter.cc: sequence jumps beyond this are not trusted. */
#define ZEEK_TOO_LARGE_SEQ_DELTA 1048576

/* TCP_Endpoint.h HIST_* codes; the responder's are shifted left by 16. */
enum {
	HIST_SYN_PKT = 0x1,
	HIST_FIN_PKT = 0x2,
	HIST_RST_PKT = 0x4,
	HIST_FIN_RST_PKT = 0x8,
	HIST_DATA_PKT = 0x10,
	HIST_ACK_PKT = 0x20,
	HIST_MULTI_FLAG_PKT = 0x40,
};

/*
 * likely_server_ports as Zeek's default scripts build it (TCP only): every
 * port that base/protocols registers through Analyzer::register_for_ports or
 * adds with "redef likely_server_ports". Sorted.
 */
static const uint16_t zeek_server_ports[] = {
	21,   22,   25,	  53,	79,   80,   81,	  88,	110,  135,  139,  143,	389,  443,  445,  502,
	563,  585,  587,  614,	631,  636,  989,  990,	992,  993,  995,  1080, 1434, 1883, 2811, 3128,
	3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

/* The per-packet facts every step below reads. */
struct zeek_segment {
	bool syn, fin, rst, ack;
	uint32_t seq, ack_seq;
	int len;       /* payload length from the IP length fields */
	bool captured; /* the payload bytes are in the capture */
	uint16_t window;
};

static bool zeek_likely_server_port(uint16_t port)
{
	size_t lo = 0, hi = sizeof(zeek_server_ports) / sizeof(zeek_server_ports[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (zeek_server_ports[mid] == port)
			return true;
		if (zeek_server_ports[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * Zeek's wrap counting compares raw 32-bit values by magnitude (did the value
 * pass through zero?), which is not a sequence-order comparison; SEQ_* would
 * answer a different question, so this one helper says so and does it.
 */
static bool zeek_numerically_below(uint32_t a, uint32_t b)
{
	return a < b;
}

static struct zeek_endpoint *zeek_peer(struct zeek_conn *zc, const struct zeek_endpoint *e)
{
	return e == &zc->ep[0] ? &zc->ep[1] : &zc->ep[0];
}

static bool zeek_is_orig(const struct zeek_conn *zc, const struct zeek_endpoint *e)
{
	return e == &zc->ep[zc->orig_side];
}

/* ---- history (Connection::AddHistory / CheckHistory / ScaledHistoryEntry) ---- */

static void zeek_history_append(struct zeek_conn *zc, char code)
{
	if (zc->history_len + 1 < ZEEK_HISTORY_MAX) {
		zc->history[zc->history_len++] = code;
		zc->history[zc->history_len] = '\0';
	}
}

/* TCP_Endpoint::AddHistory: the responder's letters are lower case. */
static void zeek_add_history(struct zeek_conn *zc, const struct zeek_endpoint *e, char code)
{
	zeek_history_append(zc, zeek_is_orig(zc, e) ? code : (char)tolower((unsigned char)code));
}

/*
 * TCP_Endpoint::CheckHistory + Connection::CheckHistory: record the letter
 * the first time this kind of packet is seen in this direction. Returns true
 * if it had been seen before (and so nothing was recorded).
 */
static bool zeek_check_history(struct zeek_conn *zc, const struct zeek_endpoint *e, uint32_t mask, char code)
{
	if (!zeek_is_orig(zc, e))
		mask <<= 16;
	if ((zc->hist_seen & mask) == 0) {
		zc->hist_seen |= mask;
		zeek_add_history(zc, e, code);
		return false;
	}
	return true;
}

/*
 * Connection::ScaledHistoryEntry: count one more, and record the letter when
 * the count reaches the threshold (1, then 10, 100, ...). Zeek's overflow
 * guard is kept as it is.
 */
static void zeek_scaled_history(struct zeek_conn *zc, const struct zeek_endpoint *e, struct zeek_scaled *s, char code)
{
	if (++s->count == s->threshold) {
		uint32_t next = s->threshold * 10u;

		zeek_add_history(zc, e, code);
		if (next <= s->threshold)
			s->count = 0;
		else
			s->threshold = next;
	}
}

/* ---- endpoint bookkeeping (TCP_Endpoint) ---- */

static void zeek_set_state(struct zeek_endpoint *e, enum zeek_endpoint_state state)
{
	if (state != e->state) {
		e->prev_state = e->state;
		e->state = state;
	}
}

static void zeek_init_seqs(struct zeek_endpoint *e, uint32_t start, uint32_t last)
{
	e->start_seq = start;
	e->ack_seq = start;
	e->last_seq = last;
}

/* TCP_Endpoint::UpdateLastSeq: a value numerically below the old one wrapped. */
static void zeek_update_last(struct zeek_endpoint *e, uint32_t seq)
{
	if (zeek_numerically_below(seq, e->last_seq))
		++e->seq_wraps;
	e->last_seq = seq;
}

/* TCP_Endpoint::UpdateAckSeq. */
static void zeek_update_ack(struct zeek_endpoint *e, uint32_t seq)
{
	if (zeek_numerically_below(seq, e->ack_seq))
		++e->ack_wraps;
	e->ack_seq = seq;
}

static uint64_t zeek_full_seq(uint32_t seq, uint32_t wraps)
{
	return ((uint64_t)wraps << 32) + seq;
}

/* TCP_Endpoint::ToRelativeSeqSpace. */
static uint64_t zeek_to_relative(const struct zeek_endpoint *e, uint32_t seq, uint32_t wraps)
{
	return zeek_full_seq(seq, wraps) - (uint64_t)e->start_seq;
}

/* TCP_Endpoint::NoDataAcked: at most the SYN octet has been acknowledged. */
static bool zeek_no_data_acked(const struct zeek_endpoint *e)
{
	uint64_t ack = zeek_full_seq(e->ack_seq, e->ack_wraps);
	uint64_t start = (uint64_t)e->start_seq;

	return ack == start || ack == start + 1;
}

/*
 * TCP_Endpoint::Size: bytes sent (orig_bytes / resp_bytes), from the larger
 * of the highest sequence sent and the highest acknowledged, less SYN and FIN.
 */
static uint64_t zeek_size(const struct zeek_endpoint *e, const struct zeek_endpoint *peer)
{
	uint64_t last, ack, size;

	if (e->prev_state == ZEEK_TCP_SYN_SENT && e->state == ZEEK_TCP_RESET && peer->state == ZEEK_TCP_INACTIVE &&
	    !zeek_no_data_acked(e))
		return 0; /* a half-open connection discovered and aborted */

	last = zeek_full_seq(e->last_seq, e->seq_wraps);
	ack = zeek_full_seq(e->ack_seq, e->ack_wraps);
	size = (last > ack ? last : ack) - (uint64_t)e->start_seq;
	if (size != 0)
		--size; /* the SYN octet (real or, mid-stream, assumed) */
	if (e->fin_count > 0 && size != 0)
		--size; /* the FIN octet */
	return size;
}

/*
 * get_relative_seq (TCPSessionAdapter.cc): cur relative to the endpoint's
 * start, in 64-bit space; last/wraps are the reference it is near. Sets
 * *underflow when it falls before the start without any wrap.
 */
static uint64_t zeek_relative_seq(const struct zeek_endpoint *e, uint32_t cur, uint32_t last, uint32_t wraps,
				  bool *underflow)
{
	int32_t delta = SEQ_DIFF(cur, last);

	if (delta < 0) {
		if (wraps && zeek_numerically_below(last, cur))
			--wraps; /* part of the previous 32-bit space */
	} else if (delta > 0) {
		if (zeek_numerically_below(cur, last))
			++wraps; /* the space wrapped around */
	}

	if (wraps == 0) {
		delta = SEQ_DIFF(cur, (uint32_t)e->start_seq);
		if (delta < 0)
			*underflow = true;
		return (uint64_t)(int64_t)delta; /* Zeek sign-extends here */
	}
	return zeek_to_relative(e, cur, wraps);
}

/* ---- reassembler bookkeeping (TCP_Reassembler / Reassembler), for 'G' ---- */

/* TCP_Reassembler.cc is_clean / established_or_cleanly_closing. */
static bool zeek_is_clean(const struct zeek_endpoint *e)
{
	return e->state == ZEEK_TCP_ESTABLISHED ||
	       (e->state == ZEEK_TCP_CLOSED && e->prev_state == ZEEK_TCP_ESTABLISHED);
}

/* TCP_Reassembler::Gap: 'G' only while both sides are cleanly established. */
static void zeek_gap(struct zeek_conn *zc, struct zeek_endpoint *e)
{
	if (zeek_is_clean(e) && zeek_is_clean(zeek_peer(zc, e)))
		zeek_scaled_history(zc, e, &e->gap, 'G');
}

static void zeek_drop_pending(struct zeek_endpoint *e, unsigned i)
{
	memmove(&e->pending[i], &e->pending[i + 1], (e->pending_count - i - 1) * sizeof(e->pending[0]));
	--e->pending_count;
}

/* BlockInserted: deliver from reassem_seq on while blocks are contiguous. */
static void zeek_deliver_contiguous(struct zeek_endpoint *e)
{
	while (e->pending_count > 0 && e->pending[0].seq <= e->reassem_seq) {
		if (e->pending[0].upper > e->reassem_seq)
			e->reassem_seq = e->pending[0].upper;
		zeek_drop_pending(e, 0);
	}
}

/*
 * Reassembler::NewBlock for [seq, upper): keeps the undelivered ranges sorted
 * and merged, then delivers what has become contiguous. Only a new block
 * reaching reassem_seq triggers delivery, as in Zeek.
 */
static void zeek_new_block(struct zeek_endpoint *e, uint64_t seq, uint64_t upper)
{
	unsigned i = 0, j;

	if (upper <= e->trim_seq)
		return; /* old data */
	if (seq < e->trim_seq)
		seq = e->trim_seq;
	if (upper <= e->reassem_seq)
		return; /* already delivered */

	while (i < e->pending_count && e->pending[i].upper < seq)
		++i;
	j = i;
	while (j < e->pending_count && e->pending[j].seq <= upper) {
		if (e->pending[j].seq < seq)
			seq = e->pending[j].seq;
		if (e->pending[j].upper > upper)
			upper = e->pending[j].upper;
		++j;
	}
	if (j > i) { /* merge pending[i..j) into one range */
		e->pending[i].seq = seq;
		e->pending[i].upper = upper;
		while (j > i + 1)
			zeek_drop_pending(e, --j);
	} else {
		if (!e->pending)
			e->pending = xmalloc(ZEEK_PENDING_BLOCKS * sizeof *e->pending);
		if (e->pending_count == ZEEK_PENDING_BLOCKS) {
			if (i == ZEEK_PENDING_BLOCKS)
				return; /* out of room: forget the highest range */
			--e->pending_count;
		}
		memmove(&e->pending[i + 1], &e->pending[i], (e->pending_count - i) * sizeof(e->pending[0]));
		e->pending[i].seq = seq;
		e->pending[i].upper = upper;
		++e->pending_count;
	}
	if (seq <= e->reassem_seq)
		zeek_deliver_contiguous(e);
}

/*
 * TCP_Reassembler::Undelivered(up_to): every hole below up_to is a gap, and
 * each block above a hole is delivered after it.
 */
static void zeek_undelivered(struct zeek_conn *zc, struct zeek_endpoint *e, uint64_t up_to)
{
	if (up_to <= 2 && zc->is_partial)
		return; /* the faked-up SYN octet of a mid-stream start */

	while (e->pending_count > 0 && e->pending[0].seq < up_to) {
		zeek_gap(zc, e); /* Zeek counts it even when the hole is empty */
		e->reassem_seq = e->pending[0].seq;
		zeek_deliver_contiguous(e);
	}
	if (up_to > e->reassem_seq) {
		zeek_gap(zc, e);
		e->reassem_seq = up_to;
	}
}

/* TCP_Reassembler::AckReceived + Reassembler::TrimToSeq for e's data. */
static void zeek_ack_received(struct zeek_conn *zc, struct zeek_endpoint *e, uint64_t seq)
{
	if (e->fin_count > 0 && seq >= e->fin_seq)
		seq = e->fin_seq - 1; /* the FIN octet is not stream data */
	if (seq <= e->trim_seq)
		return;
	if (seq > e->reassem_seq)
		zeek_undelivered(zc, e, seq);
	/* what is still below seq (a mid-stream start's first octets) is dropped */
	while (e->pending_count > 0 && e->pending[0].upper <= seq)
		zeek_drop_pending(e, 0);
	e->trim_seq = seq;
}

/* TCP_Reassembler::DataSent: acknowledged data is dropped, the rest inserted. */
static void zeek_data_sent(struct zeek_endpoint *e, uint64_t seq, int len)
{
	uint64_t ack = zeek_to_relative(e, e->ack_seq, e->ack_wraps);
	uint64_t upper = seq + (uint64_t)len;

	if (seq < ack) {
		if (upper <= ack)
			return;
		seq = ack;
	}
	zeek_new_block(e, seq, upper);
}

/* ---- the per-packet steps of TCPSessionAdapter::Process ---- */

/* Connection::FlipRoles + TCPSessionAdapter::FlipRoles. hist_seen stays. */
static void zeek_flip(struct zeek_conn *zc)
{
	uint8_t seen = zc->first_packet_seen;

	zc->orig_side ^= 1;
	zc->first_packet_seen = (uint8_t)(((seen & ZEEK_ORIG) ? ZEEK_RESP : 0) | ((seen & ZEEK_RESP) ? ZEEK_ORIG : 0));
	zc->is_partial = false;
	zc->flipped = true;
	zeek_history_append(zc, '^');
}

/*
 * IPBasedAnalyzer::NewConn + TCPAnalyzer::WantConnection: the sender of the
 * first packet is the originator, unless the flow starts without a bare SYN
 * and the ports say the sender is the server.
 */
static void zeek_start(struct zeek_conn *zc, int side, const struct packet *pkt)
{
	bool syn = pkt->flags & TCP_SYN, ack = pkt->flags & TCP_ACK;
	bool flip = false;

	zc->started = true;
	zc->orig_side = (uint8_t)side;
	if ((!syn || ack) && zeek_likely_server_port(pkt->sport)) {
		if (zeek_likely_server_port(pkt->dport))
			/* both plausible: flip a non-SYN towards the higher port */
			flip = !syn && pkt->sport < pkt->dport;
		else
			flip = true;
	}
	if (flip)
		zeek_flip(zc);
}

/* TCPSessionAdapter::SetPartialStatus. */
static void zeek_set_partial_status(struct zeek_conn *zc, const struct zeek_segment *s, bool is_orig)
{
	if (is_orig) {
		if (!(zc->first_packet_seen & ZEEK_ORIG))
			zc->is_partial = !s->syn || s->ack;
	} else if (!(zc->first_packet_seen & ZEEK_RESP) && !zc->is_partial) {
		zc->is_partial = !s->syn;
	}
}

/* init_endpoint: set up sequence numbers on a side's first packet or new SYN. */
static void zeek_init_endpoint(struct zeek_endpoint *e, const struct zeek_segment *s, uint32_t last)
{
	switch (e->state) {
	case ZEEK_TCP_INACTIVE:
		if (s->syn) {
			zeek_init_seqs(e, s->seq, last);
		} else {
			/* mid-stream: number as if a SYN came just before */
			zeek_init_seqs(e, s->seq - 1, s->seq);
		}
		break;
	case ZEEK_TCP_SYN_SENT:
	case ZEEK_TCP_SYN_ACK_SENT:
		if (s->syn && s->seq != (uint32_t)e->start_seq)
			zeek_init_seqs(e, s->seq, last); /* SYN_seq_jump */
		break;
	case ZEEK_TCP_ESTABLISHED:
	case ZEEK_TCP_PARTIAL:
		if (s->syn)
			zeek_init_seqs(e, s->seq, last); /* guess this SYN really starts it */
		break;
	case ZEEK_TCP_RESET:
		if (s->syn && e->prev_state == ZEEK_TCP_INACTIVE)
			zeek_init_seqs(e, s->seq, last); /* the RST that set it up was likely injected */
		break;
	case ZEEK_TCP_CLOSED:
		break;
	}
}

/* update_history: the once-per-direction letters of one packet. */
static void zeek_update_history(struct zeek_conn *zc, struct zeek_endpoint *e, const struct zeek_segment *s,
				uint64_t rel_seq)
{
	int bits = s->syn + s->fin + s->rst;

	if (bits > 1) {
		if (s->fin && s->rst)
			zeek_check_history(zc, e, HIST_FIN_RST_PKT, 'I');
		else
			zeek_check_history(zc, e, HIST_MULTI_FLAG_PKT, 'Q');
	} else if (s->syn) {
		char code = s->ack ? 'H' : 'S';

		/* S and H share one mask; again only for a new sequence number */
		if (zeek_check_history(zc, e, HIST_SYN_PKT, code) && rel_seq != e->hist_last_syn)
			zeek_add_history(zc, e, code);
		e->hist_last_syn = rel_seq;
	} else if (s->fin) {
		/* a FIN's sequence number is taken after its data */
		uint64_t fin_at = rel_seq + (uint64_t)s->len;

		if (zeek_check_history(zc, e, HIST_FIN_PKT, 'F') && fin_at != e->hist_last_fin)
			zeek_add_history(zc, e, 'F');
		e->hist_last_fin = fin_at;
	} else if (s->rst) {
		if (zeek_check_history(zc, e, HIST_RST_PKT, 'R') && rel_seq != e->hist_last_rst)
			zeek_add_history(zc, e, 'R');
		e->hist_last_rst = rel_seq;
	} else if (s->len) {
		zeek_check_history(zc, e, HIST_DATA_PKT, 'D');
	} else if (s->ack) {
		zeek_check_history(zc, e, HIST_ACK_PKT, 'A');
	}
}

/*
 * update_window: a zero window is 'W', unless it comes with or after a RST
 * or after the peer's FIN (no window matters then).
 */
static void zeek_update_window(struct zeek_conn *zc, struct zeek_endpoint *e, const struct zeek_segment *s)
{
	if (s->window == 0 && !s->rst && zeek_peer(zc, e)->state != ZEEK_TCP_CLOSED && e->state != ZEEK_TCP_RESET)
		zeek_scaled_history(zc, e, &e->zero_window, 'W');
}

/* init_peer: an ACK from a side whose peer is unseen numbers the peer from it. */
static void zeek_init_peer(struct zeek_endpoint *peer, uint32_t ack_seq)
{
	peer->start_seq = (uint32_t)(ack_seq - 1);
	peer->ack_seq = ack_seq - 1;
	peer->last_seq = ack_seq - 1;
}

/* update_ack_seq: only forward, and not to a suspicious 0. */
static void zeek_update_ack_seq(struct zeek_endpoint *e, uint32_t ack_seq)
{
	int32_t delta = SEQ_DIFF(ack_seq, e->ack_seq);

	if (ack_seq == 0 && delta > ZEEK_TOO_LARGE_SEQ_DELTA)
		return; /* more likely a broken ack than a wrap onto 0 */
	if (delta > 0)
		zeek_update_ack(e, ack_seq);
}

/*
 * update_last_seq: advance the highest sequence sent; data that does not
 * advance it is a retransmission ('T'). Returns the advance (may be < 0).
 */
static int32_t zeek_update_last_seq(struct zeek_conn *zc, struct zeek_endpoint *e, const struct zeek_segment *s,
				    uint32_t last)
{
	int32_t delta = SEQ_DIFF(last, e->last_seq);

	if ((s->syn || s->rst) && (delta > ZEEK_TOO_LARGE_SEQ_DELTA || delta < -ZEEK_TOO_LARGE_SEQ_DELTA))
		; /* an outlandish SYN or RST sequence is not trusted */
	else if (s->fin && e->last_seq == (uint32_t)e->start_seq + 1)
		zeek_update_last(e, last); /* only SYN and FIN seen: trust the FIN (> 2 GB flows) */
	else if (e->state == ZEEK_TCP_RESET)
		; /* nothing after a RST is trusted */
	else if (delta > 0)
		zeek_update_last(e, last);
	else if (s->len > 0)
		zeek_scaled_history(zc, e, &e->rexmit, 'T');
	return delta;
}

/* UpdateInactiveState: the first packet(s) from a side. */
static void zeek_state_inactive(struct zeek_conn *zc, struct zeek_endpoint *e, struct zeek_endpoint *peer,
				const struct zeek_segment *s, bool is_orig)
{
	if (s->syn) {
		if (is_orig) {
			zeek_set_state(e, s->ack ? ZEEK_TCP_SYN_ACK_SENT : ZEEK_TCP_SYN_SENT);
		} else {
			if (!s->ack && peer->state == ZEEK_TCP_SYN_ACK_SENT && s->seq == (uint32_t)e->start_seq) {
				/* SYN-ACK seen before its SYN: flip and establish */
				zeek_flip(zc);
				zeek_set_state(peer, ZEEK_TCP_ESTABLISHED);
				zc->first_packet_seen |= ZEEK_ORIG;
			}
			if (peer->state == ZEEK_TCP_SYN_SENT)
				zeek_set_state(peer, ZEEK_TCP_ESTABLISHED);
			zeek_set_state(e, ZEEK_TCP_ESTABLISHED);
		}
	}

	if (s->fin)
		zeek_set_state(e, ZEEK_TCP_CLOSED);

	if (s->rst)
		zeek_set_state(e, ZEEK_TCP_RESET);

	if (e->state == ZEEK_TCP_INACTIVE) { /* no control flag moved it */
		const struct zeek_endpoint *orig = &zc->ep[zc->orig_side];

		if (!is_orig && s->len == 0 && orig->state == ZEEK_TCP_SYN_SENT) {
			/* an ACK to a SYN before the SYN-ACK: not a partial connection */
		} else if (s->ack && peer->state == ZEEK_TCP_ESTABLISHED) {
			/* the SYN was missed but the SYN-ACK seen: establish */
			zeek_set_state(e, ZEEK_TCP_ESTABLISHED);
			zc->is_partial = false;
			zc->first_packet_seen |= is_orig ? ZEEK_ORIG : ZEEK_RESP;
		} else {
			zeek_set_state(e, ZEEK_TCP_PARTIAL);
		}
	}
}

/* UpdateSYN_SentState: only FIN and RST move a side that sent a SYN. */
static void zeek_state_syn_sent(struct zeek_endpoint *e, const struct zeek_segment *s)
{
	if (s->fin)
		zeek_set_state(e, ZEEK_TCP_CLOSED);
	if (s->rst)
		zeek_set_state(e, ZEEK_TCP_RESET);
}

/* UpdateEstablishedState (also for PARTIAL). */
static void zeek_state_established(struct zeek_endpoint *e, struct zeek_endpoint *peer, const struct zeek_segment *s)
{
	if (s->syn && e->state == ZEEK_TCP_PARTIAL && peer->state == ZEEK_TCP_INACTIVE && !s->ack)
		zeek_set_state(e, ZEEK_TCP_SYN_SENT); /* SYN_after_partial */

	if (s->fin && !s->rst) {
		zeek_set_state(e, ZEEK_TCP_CLOSED);
		if (peer->state == ZEEK_TCP_RESET && peer->prev_state == ZEEK_TCP_CLOSED)
			zeek_set_state(peer, ZEEK_TCP_CLOSED); /* the peer's FIN+RST was a normal close */
	}

	if (s->rst)
		zeek_set_state(e, ZEEK_TCP_RESET);
}

/* UpdateClosedState: a RST after our FIN counts unless both FINs were seen. */
static void zeek_state_closed(struct zeek_endpoint *e, const struct zeek_endpoint *peer, const struct zeek_segment *s)
{
	if (s->rst && peer->state != ZEEK_TCP_CLOSED)
		zeek_set_state(e, ZEEK_TCP_RESET);
}

/* UpdateStateMachine: one handler per state of the sending side. */
static void zeek_state_machine(struct zeek_conn *zc, struct zeek_endpoint *e, struct zeek_endpoint *peer,
			       const struct zeek_segment *s, bool is_orig)
{
	switch (e->state) {
	case ZEEK_TCP_INACTIVE:
		zeek_state_inactive(zc, e, peer, s, is_orig);
		break;
	case ZEEK_TCP_SYN_SENT:
	case ZEEK_TCP_SYN_ACK_SENT:
		zeek_state_syn_sent(e, s);
		break;
	case ZEEK_TCP_ESTABLISHED:
	case ZEEK_TCP_PARTIAL:
		zeek_state_established(e, peer, s);
		break;
	case ZEEK_TCP_CLOSED:
		zeek_state_closed(e, peer, s);
		break;
	case ZEEK_TCP_RESET:
		break; /* UpdateResetState only reports weirds */
	}
}

/*
 * Zeek >= 5.1 (pull request #2191): a connection that began with a SYN-ACK
 * Zeek did not flip on ports is flipped when an ACK or data segment follows
 * in either direction, since stealth scans never send those. The conn.log
 * result is as if the flip had happened on the first packet: '^' first, the
 * SYN-ACK recorded for the responder (h), the responder ESTABLISHED. The code
 * of that change was not in the sources available here; this reproduces the
 * pull request's description and Zeek's own baselines for it
 * (core.tcp.flip-without-syn "^hADadFf", tcp/one-sided-2745 "^haf"). Those
 * baselines, and core.checksums_ignore_nets where the packet after the
 * SYN-ACK fails its checksum and no flip follows ("HcADF"), fit "the
 * connection's second packet", which is what this checks.
 */
static void zeek_flip_after_synack(struct zeek_conn *zc, const struct zeek_segment *s)
{
	struct zeek_endpoint *o = &zc->ep[zc->orig_side], *r = &zc->ep[zc->orig_side ^ 1];
	char old[ZEEK_HISTORY_MAX];
	uint8_t i, n = zc->history_len;

	if (zc->packets != 2 || o->state != ZEEK_TCP_SYN_ACK_SENT || r->state != ZEEK_TCP_INACTIVE || s->syn ||
	    s->rst || (!s->ack && s->len == 0))
		return;

	memcpy(old, zc->history, n);
	zc->history_len = 0;
	zc->history[0] = '\0';
	zeek_flip(zc); /* '^' */
	for (i = 0; i < n; ++i) {
		unsigned char c = (unsigned char)old[i];

		zeek_history_append(zc, (char)(isupper(c) ? tolower(c) : toupper(c)));
	}
	zc->hist_seen = (zc->hist_seen << 16) | (zc->hist_seen >> 16);
	zc->first_packet_seen = ZEEK_RESP;
	zc->is_partial = false;
	o->state = ZEEK_TCP_ESTABLISHED; /* the SYN-ACK sender, now the responder */
	o->prev_state = ZEEK_TCP_INACTIVE;
}

/* TCPSessionAdapter::Process, in Zeek's order. */
static void zeek_process(struct zeek_conn *zc, struct zeek_endpoint *e, const struct zeek_segment *s)
{
	struct zeek_endpoint *peer = zeek_peer(zc, e);
	bool is_orig;

	zeek_flip_after_synack(zc, s);
	is_orig = zeek_is_orig(zc, e);
	int seg_len = s->len + s->syn + s->fin - (s->rst ? s->len : 0);
	uint32_t last = s->seq + (uint32_t)seg_len;
	bool seq_underflow = false, ack_underflow = false;
	uint64_t rel_seq, rel_ack = 0;

	zeek_set_partial_status(zc, s, is_orig);
	zeek_init_endpoint(e, s, last);
	rel_seq = zeek_relative_seq(e, s->seq, e->last_seq, e->seq_wraps, &seq_underflow);
	zeek_update_history(zc, e, s, rel_seq);
	zeek_update_window(zc, e, s);

	if (s->fin) {
		++e->fin_count;
		e->fin_seq = rel_seq + (uint64_t)seg_len;
	}

	if (s->ack) {
		if (peer->state == ZEEK_TCP_INACTIVE) {
			rel_ack = 1;
			zeek_init_peer(peer, s->ack_seq);
		} else {
			rel_ack = zeek_relative_seq(peer, s->ack_seq, peer->ack_seq, peer->ack_wraps, &ack_underflow);
			if (ack_underflow)
				rel_ack = 0;
			else if (!s->rst) /* acks in RSTs are not trusted */
				zeek_update_ack_seq(peer, s->ack_seq);
		}
	}

	zeek_update_last_seq(zc, e, s, last);
	zeek_state_machine(zc, e, peer, s, is_orig);

	/* after the state machine, so gaps at the very end are judged by it */
	if (s->ack)
		zeek_ack_received(zc, peer, rel_ack);

	/* CheckPIA_FirstPacket, with the role the packet arrived in */
	zc->first_packet_seen |= is_orig ? ZEEK_ORIG : ZEEK_RESP;

	if (s->len > 0 && s->captured && !s->rst && !seq_underflow)
		zeek_data_sent(e, s->syn ? rel_seq + 1 : rel_seq, s->len);
}

static void zeek_endpoint_init(struct zeek_endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->state = e->prev_state = ZEEK_TCP_INACTIVE;
	e->checksum.threshold = e->rexmit.threshold = e->zero_window.threshold = e->gap.threshold = 1;
	e->reassem_seq = e->trim_seq = 1; /* relative numbering starts after the SYN */
}

void zeek_init(struct zeek_conn *zc)
{
	memset(zc, 0, sizeof(*zc));
	zeek_endpoint_init(&zc->ep[0]);
	zeek_endpoint_init(&zc->ep[1]);
}

void zeek_release(struct zeek_conn *zc)
{
	for (int side = 0; side < 2; side++) {
		free(zc->ep[side].pending);
		zc->ep[side].pending = NULL;
	}
}

void zeek_packet(struct zeek_conn *zc, int from_server, const struct packet *pkt, bool bad_checksum)
{
	int side = from_server ? 1 : 0;
	struct zeek_endpoint *e = &zc->ep[side];
	struct zeek_segment s = {
		.syn = pkt->flags & TCP_SYN,
		.fin = pkt->flags & TCP_FIN,
		.rst = pkt->flags & TCP_RST,
		.ack = pkt->flags & TCP_ACK,
		.seq = pkt->seq,
		.ack_seq = pkt->ack,
		.len = (int)pkt->payload_len,
		.captured = pkt->caplen >= pkt->wirelen,
		.window = pkt->window,
	};

	if (!zc->started)
		zeek_start(zc, side, pkt);
	if (zc->packets < UINT8_MAX)
		++zc->packets;

	if (bad_checksum) {
		/* TCPAnalyzer::ValidateChecksum: counted, then the packet is dropped */
		zeek_scaled_history(zc, e, &e->checksum, 'C');
		return;
	}
	zeek_process(zc, e, &s);
}

/* The RSTOS0 history test of conn_state(): /^\^?S[^HAFGIQ]*R.* / matched whole. */
static bool zeek_history_is_syn_then_rst(const char *h)
{
	if (*h == '^')
		++h;
	if (*h++ != 'S')
		return false;
	for (; *h; ++h) {
		if (*h == 'R')
			return true;
		if (strchr("HAFGIQ", *h))
			return false;
	}
	return false;
}

/* conn_state() of base/protocols/conn/main.zeek, for TCP. */
const char *zeek_conn_state(const struct zeek_conn *zc)
{
	const struct zeek_endpoint *o = &zc->ep[zc->orig_side];
	const struct zeek_endpoint *r = &zc->ep[zc->orig_side ^ 1];
	enum zeek_endpoint_state os = o->state, rs = r->state;
	bool o_inactive = os == ZEEK_TCP_INACTIVE || os == ZEEK_TCP_PARTIAL;
	bool r_inactive = rs == ZEEK_TCP_INACTIVE || rs == ZEEK_TCP_PARTIAL;

	if (rs == ZEEK_TCP_RESET) {
		if (os == ZEEK_TCP_SYN_SENT || os == ZEEK_TCP_SYN_ACK_SENT ||
		    (os == ZEEK_TCP_RESET && zeek_size(o, r) == 0 && zeek_size(r, o) == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == ZEEK_TCP_RESET) {
		if (!r_inactive)
			return "RSTO";
		return zeek_history_is_syn_then_rst(zc->history) ? "RSTOS0" : "OTH";
	}
	if (rs == ZEEK_TCP_CLOSED && os == ZEEK_TCP_CLOSED)
		return "SF";
	if (os == ZEEK_TCP_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == ZEEK_TCP_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == ZEEK_TCP_SYN_SENT && rs == ZEEK_TCP_INACTIVE)
		return "S0";
	if (os == ZEEK_TCP_ESTABLISHED && rs == ZEEK_TCP_ESTABLISHED)
		return "S1";
	return "OTH";
}

const char *zeek_history(const struct zeek_conn *zc)
{
	return zc->history;
}
