/*
 * scenario.h - test scenarios in a compact packetdrill-like notation.
 *
 * One line describes one TCP segment:
 *
 *     [+SECONDS] > FLAGS START:END(LEN) [ack N] [win N] [<OPTIONS>]
 *
 *   >        client to server, <  server to client
 *   FLAGS    any of S F R P E W U, and '.' for ACK (e.g. "S", "S.", "P.", "F.", "R.")
 *   START:END(LEN)  relative sequence numbers (0 = the sender's ISN); the payload
 *            length is LEN
 *   ack N    relative acknowledgement (sets the ACK flag's field; the '.' flag
 *            sets the bit)
 *   win N    raw window field (default 65535)
 *   OPTIONS  comma list: mss N, sackOK, wscale N, TS val N ecr N, nop, eol,
 *            sack L:R [L:R ...] (relative to the peer's ISN), FO [cookie-hex],
 *            mptcp
 *   +SECONDS time since the previous segment (default +0.001)
 *
 * A scenario holds the 4-tuple, both ISNs (so tests can place them near 2^32)
 * and the running time. It turns each line into a struct packet (for engine
 * tests) or into link-layer bytes (Ethernet/IPv4 or IPv6 + TCP, for decode
 * tests and for writing pcaps with pcap_dump). Parse errors abort the test
 * with the offending line.
 */
#ifndef TCPSCOPE_TESTS_SCENARIO_H
#define TCPSCOPE_TESTS_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

struct scenario {
	uint8_t ip_version; /* 4 (default) or 6 */
	uint8_t client_addr[16], server_addr[16];
	uint16_t client_port, server_port; /* default 40000 and 80 */
	uint32_t client_isn, server_isn;   /* default 1000 and 5000 */
	int64_t time_ns;		   /* time of the last segment */
	uint64_t frame;			   /* frame number of the last segment */
};

/* A scenario with the defaults: 10.0.0.1:40000 -> 10.0.0.2:80, t = 1000 s. */
void scenario_init(struct scenario *sc);

/* Parses one line into *pkt (frame and time advance). */
void scenario_packet(struct scenario *sc, const char *line, struct packet *pkt);

/*
 * Encodes one line as an Ethernet frame into buf (at most cap bytes, payload
 * bytes are zero); returns the frame length. Advances frame and time too.
 */
size_t scenario_frame(struct scenario *sc, const char *line, uint8_t *buf, size_t cap, int64_t *time_ns);

/* Encodes one line as an Ethernet frame and feeds it to an engine (frame and time advance). */
struct engine;
void scenario_feed(struct scenario *sc, struct engine *e, const char *line);
/* Feeds an Ethernet frame made by scenario_frame() (then patched, say) as the scenario's last frame. */
void scenario_feed_frame(const struct scenario *sc, struct engine *e, const uint8_t *frame, size_t len,
			 int64_t time_ns);

/* Writes a pcap (DLT_EN10MB, microseconds) with one frame per line. */
void scenario_write_pcap(struct scenario *sc, const char *path, const char *const *lines, size_t n);

#endif
