/*
 * scenario.c - the packetdrill-like test notation of scenario.h: parses one
 * line into a segment description, then either fills a struct packet the way
 * the decoder would (for engine tests) or encodes the segment as an Ethernet
 * frame with valid IPv4/IPv6 and TCP headers, lengths and checksums (for
 * decode tests and pcaps written with pcap_dump).
 *
 * Besides the options listed in scenario.h, two escape hatches let decode
 * tests build options no healthy stack sends:
 *     opt KIND [HEX]   an option of any kind, its length byte computed
 *     raw HEX          bytes copied verbatim into the options area
 * Options are laid out in the order given; when their total is not a multiple
 * of four, EOL bytes pad the header (as a sender must, RFC 9293 §3.1).
 * Addresses are used as stored: a test that sets ip_version to 6 also sets
 * client_addr and server_addr. Any syntax error aborts with the line and the
 * column where parsing stopped.
 */
#include "config.h"

#include <ctype.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine.h"
#include "scenario.h"

enum {
	ETH_HEADER_LEN = 14,
	IPV4_HEADER_LEN = 20,
	IPV6_HEADER_LEN = 40,
	TCP_HEADER_LEN = 20,
	TCP_OPTIONS_MAX = 40,
	IP_LENGTH_MAX = 65535,
	PCAP_SNAPLEN = 262144,
	DEFAULT_TTL = 64,
};

#define NS_PER_SEC 1000000000LL
#define DEFAULT_GAP_NS 1000000LL /* +0.001 */

/* One parsed line. Option bytes are kept as they go on the wire. */
struct segment {
	bool from_client;
	int64_t gap_ns;
	uint8_t flags;
	uint32_t start, len; /* relative sequence number and payload length */
	bool has_ack;
	uint32_t ack; /* relative to the peer's ISN */
	uint16_t window;
	uint8_t options[TCP_OPTIONS_MAX];
	size_t options_len;
	struct tcp_options opt; /* the options as the decoder would report them */
	bool after_eol;		/* an EOL was laid out: later bytes are not options */
};

struct parser {
	const char *line;
	const char *p;
};

static _Noreturn void parse_fail(const struct parser *ps, const char *what)
{
	fprintf(stderr, "scenario: %s at column %d of line \"%s\"\n", what, (int)(ps->p - ps->line) + 1, ps->line);
	abort();
}

static void skip_space(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

/* Consumes the keyword if it comes next as a whole word (case-insensitive). */
static bool accept_word(struct parser *ps, const char *word)
{
	skip_space(ps);
	size_t n = strlen(word);
	if (strncasecmp(ps->p, word, n) != 0 || isalnum((unsigned char)ps->p[n]))
		return false;
	ps->p += n;
	return true;
}

static void expect_char(struct parser *ps, char ch, const char *what)
{
	skip_space(ps);
	if (*ps->p != ch)
		parse_fail(ps, what);
	ps->p++;
}

static uint64_t parse_number(struct parser *ps, uint64_t max, const char *what)
{
	skip_space(ps);
	if (!isdigit((unsigned char)*ps->p))
		parse_fail(ps, what);
	uint64_t v = 0;
	while (isdigit((unsigned char)*ps->p)) {
		v = v * 10 + (uint64_t)(*ps->p - '0');
		if (v > max)
			parse_fail(ps, "number out of range");
		ps->p++;
	}
	return v;
}

/* "+SECONDS" with up to nine decimals, exactly, in nanoseconds. */
static int64_t parse_gap(struct parser *ps)
{
	ps->p++; /* '+' */
	int64_t ns = (int64_t)parse_number(ps, 1000000000, "expected seconds after '+'") * NS_PER_SEC;
	if (*ps->p == '.') {
		ps->p++;
		int64_t scale = NS_PER_SEC / 10;
		if (!isdigit((unsigned char)*ps->p))
			parse_fail(ps, "expected digits after the decimal point");
		while (isdigit((unsigned char)*ps->p)) {
			if (scale == 0)
				parse_fail(ps, "more than nine decimals");
			ns += (*ps->p - '0') * scale;
			scale /= 10;
			ps->p++;
		}
	}
	return ns;
}

static void parse_flags(struct parser *ps, struct segment *seg)
{
	static const char letters[] = "FSRP.UEW"; /* letter i stands for bit i of the flags byte */
	const char *hit;
	skip_space(ps);
	const char *begin = ps->p;
	for (; *ps->p != '\0' && (hit = strchr(letters, *ps->p)) != NULL; ps->p++)
		seg->flags |= (uint8_t)(1u << (hit - letters));
	if (ps->p == begin || !(*ps->p == ' ' || *ps->p == '\t'))
		parse_fail(ps, "expected flags from \"SFRPEWU.\" followed by a space");
}

static void put_bytes(struct parser *ps, struct segment *seg, const uint8_t *bytes, size_t n)
{
	if (seg->options_len + n > TCP_OPTIONS_MAX)
		parse_fail(ps, "options exceed 40 bytes");
	memcpy(seg->options + seg->options_len, bytes, n);
	seg->options_len += n;
}

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

/* Notes an option kind in wire order, as the decoder's opt.kinds does. */
static void record_kind(struct segment *seg, uint8_t kind)
{
	if (seg->after_eol)
		return;
	if (seg->opt.count < TCP_MAX_OPTIONS)
		seg->opt.kinds[seg->opt.count++] = kind;
	if (kind == TCPOPT_EOL)
		seg->after_eol = true;
}

/* Reads hex digit pairs, spaces allowed between them, into out (at most cap bytes). */
static size_t parse_hex(struct parser *ps, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (skip_space(ps); isxdigit((unsigned char)ps->p[0]); skip_space(ps)) {
		if (!isxdigit((unsigned char)ps->p[1]))
			parse_fail(ps, "odd number of hex digits");
		if (n == cap)
			parse_fail(ps, "too many hex bytes for the options area");
		char pair[3] = {ps->p[0], ps->p[1], '\0'};
		out[n++] = (uint8_t)strtoul(pair, NULL, 16);
		ps->p += 2;
	}
	return n;
}

static bool at_item_end(struct parser *ps)
{
	skip_space(ps);
	return *ps->p == ',' || *ps->p == '>';
}

/* MPTCP MP_CAPABLE (RFC 8684 §3.1): 4 bytes on a SYN, with one key on the SYN-ACK, two after. */
static void put_mptcp(struct parser *ps, struct segment *seg)
{
	uint8_t o[20] = {TCPOPT_MPTCP, 4, 0x01, 0x01};
	static const uint8_t keys[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	if (seg->flags & TCP_SYN)
		o[1] = seg->flags & TCP_ACK ? 12 : 4;
	else
		o[1] = 20;
	memcpy(o + 4, keys, (size_t)o[1] - 4);
	put_bytes(ps, seg, o, o[1]);
	record_kind(seg, TCPOPT_MPTCP);
	seg->opt.has_mptcp = true;
}

static void parse_option(struct parser *ps, struct segment *seg, const struct scenario *sc)
{
	uint32_t peer_isn = seg->from_client ? sc->server_isn : sc->client_isn;
	struct tcp_options *opt = &seg->opt;
	uint8_t o[TCP_OPTIONS_MAX];

	if (accept_word(ps, "mss")) {
		opt->mss = (uint16_t)parse_number(ps, 65535, "expected the MSS value");
		opt->has_mss = true;
		o[0] = TCPOPT_MSS;
		o[1] = 4;
		put_be16(o + 2, opt->mss);
		put_bytes(ps, seg, o, 4);
		record_kind(seg, TCPOPT_MSS);
	} else if (accept_word(ps, "sackOK")) {
		opt->sack_permitted = true;
		o[0] = TCPOPT_SACK_PERMITTED;
		o[1] = 2;
		put_bytes(ps, seg, o, 2);
		record_kind(seg, TCPOPT_SACK_PERMITTED);
	} else if (accept_word(ps, "wscale")) {
		opt->wscale = (uint8_t)parse_number(ps, 255, "expected the window scale shift");
		opt->has_wscale = true;
		o[0] = TCPOPT_WSCALE;
		o[1] = 3;
		o[2] = opt->wscale;
		put_bytes(ps, seg, o, 3);
		record_kind(seg, TCPOPT_WSCALE);
	} else if (accept_word(ps, "TS")) {
		if (!accept_word(ps, "val"))
			parse_fail(ps, "expected \"val\" after TS");
		opt->tsval = (uint32_t)parse_number(ps, UINT32_MAX, "expected the TSval");
		if (!accept_word(ps, "ecr"))
			parse_fail(ps, "expected \"ecr\" after the TSval");
		opt->tsecr = (uint32_t)parse_number(ps, UINT32_MAX, "expected the TSecr");
		opt->has_timestamps = true;
		o[0] = TCPOPT_TIMESTAMP;
		o[1] = 10;
		put_be32(o + 2, opt->tsval);
		put_be32(o + 6, opt->tsecr);
		put_bytes(ps, seg, o, 10);
		record_kind(seg, TCPOPT_TIMESTAMP);
	} else if (accept_word(ps, "nop")) {
		o[0] = TCPOPT_NOP;
		put_bytes(ps, seg, o, 1);
		record_kind(seg, TCPOPT_NOP);
	} else if (accept_word(ps, "eol")) {
		o[0] = TCPOPT_EOL;
		put_bytes(ps, seg, o, 1);
		record_kind(seg, TCPOPT_EOL);
	} else if (accept_word(ps, "sack")) {
		size_t n = 0;
		o[0] = TCPOPT_SACK;
		while (!at_item_end(ps)) {
			if (n == TCP_MAX_SACK_BLOCKS)
				parse_fail(ps, "more than four SACK blocks");
			uint32_t left = (uint32_t)parse_number(ps, UINT32_MAX, "expected a SACK block L:R");
			expect_char(ps, ':', "expected ':' in the SACK block");
			uint32_t right = (uint32_t)parse_number(ps, UINT32_MAX, "expected the SACK block's right edge");
			opt->sack[n].left = peer_isn + left;
			opt->sack[n].right = peer_isn + right;
			put_be32(o + 2 + 8 * n, opt->sack[n].left);
			put_be32(o + 6 + 8 * n, opt->sack[n].right);
			n++;
		}
		if (n == 0)
			parse_fail(ps, "expected at least one SACK block");
		opt->sack_count = (uint8_t)n;
		o[1] = (uint8_t)(2 + 8 * n);
		put_bytes(ps, seg, o, o[1]);
		record_kind(seg, TCPOPT_SACK);
	} else if (accept_word(ps, "FO")) {
		size_t n = parse_hex(ps, o + 2, sizeof o - 2);
		o[0] = TCPOPT_TFO;
		o[1] = (uint8_t)(2 + n);
		opt->has_tfo = true;
		opt->tfo_cookie_len = (uint8_t)n;
		put_bytes(ps, seg, o, o[1]);
		record_kind(seg, TCPOPT_TFO);
	} else if (accept_word(ps, "mptcp")) {
		put_mptcp(ps, seg);
	} else if (accept_word(ps, "opt")) {
		o[0] = (uint8_t)parse_number(ps, 255, "expected the option kind");
		size_t n = parse_hex(ps, o + 2, sizeof o - 2);
		o[1] = (uint8_t)(2 + n);
		put_bytes(ps, seg, o, o[1]);
		record_kind(seg, o[0]);
	} else if (accept_word(ps, "raw")) {
		size_t n = parse_hex(ps, o, sizeof o);
		if (n == 0)
			parse_fail(ps, "expected hex bytes after raw");
		put_bytes(ps, seg, o, n);
		record_kind(seg, o[0]);
	} else {
		parse_fail(ps, "unknown option");
	}
	if (!at_item_end(ps))
		parse_fail(ps, "expected ',' or '>' after the option");
}

static void parse_options(struct parser *ps, struct segment *seg, const struct scenario *sc)
{
	ps->p++; /* '<' */
	skip_space(ps);
	if (*ps->p == '>') {
		ps->p++;
		return;
	}
	for (;;) {
		parse_option(ps, seg, sc);
		if (*ps->p == '>')
			break;
		ps->p++; /* ',' */
	}
	ps->p++;
	size_t pad = (4 - seg->options_len % 4) % 4;
	static const uint8_t eol[3] = {TCPOPT_EOL, TCPOPT_EOL, TCPOPT_EOL};
	put_bytes(ps, seg, eol, pad);
	if (pad > 0)
		record_kind(seg, TCPOPT_EOL);
}

static void parse_line(const struct scenario *sc, const char *line, struct segment *seg)
{
	struct parser ps = {line, line};
	memset(seg, 0, sizeof *seg);
	seg->gap_ns = DEFAULT_GAP_NS;
	seg->window = 65535;

	skip_space(&ps);
	if (*ps.p == '+')
		seg->gap_ns = parse_gap(&ps);
	skip_space(&ps);
	if (*ps.p != '>' && *ps.p != '<')
		parse_fail(&ps, "expected '>' (client to server) or '<' (server to client)");
	seg->from_client = *ps.p == '>';
	ps.p++;
	parse_flags(&ps, seg);

	seg->start = (uint32_t)parse_number(&ps, UINT32_MAX, "expected START:END(LEN)");
	expect_char(&ps, ':', "expected ':' after START");
	uint64_t end = parse_number(&ps, UINT32_MAX, "expected END after ':'");
	expect_char(&ps, '(', "expected '(' before LEN");
	seg->len = (uint32_t)parse_number(&ps, IP_LENGTH_MAX, "expected LEN");
	expect_char(&ps, ')', "expected ')' after LEN");
	if (end != (uint64_t)seg->start + seg->len)
		parse_fail(&ps, "END must be START + LEN");

	bool seen_win = false, seen_options = false;
	for (;;) {
		skip_space(&ps);
		if (*ps.p == '\0' || *ps.p == '\n')
			break;
		if (!seg->has_ack && accept_word(&ps, "ack")) {
			seg->ack = (uint32_t)parse_number(&ps, UINT32_MAX, "expected the acknowledgement number");
			seg->has_ack = true;
		} else if (!seen_win && accept_word(&ps, "win")) {
			seg->window = (uint16_t)parse_number(&ps, 65535, "expected the window (0-65535)");
			seen_win = true;
		} else if (!seen_options && *ps.p == '<') {
			parse_options(&ps, seg, sc);
			seen_options = true;
		} else {
			parse_fail(&ps, "expected ack N, win N, <options> or the end of the line");
		}
	}
}

static size_t ip_header_len(const struct scenario *sc)
{
	return sc->ip_version == 6 ? IPV6_HEADER_LEN : IPV4_HEADER_LEN;
}

static size_t tcp_header_len(const struct segment *seg)
{
	return TCP_HEADER_LEN + seg->options_len;
}

/* Moves the scenario's clock and frame counter to this segment. */
static void advance(struct scenario *sc, const struct segment *seg)
{
	sc->time_ns += seg->gap_ns;
	sc->frame++;
}

static void check_version(const struct scenario *sc, const char *line)
{
	if (sc->ip_version != 4 && sc->ip_version != 6) {
		fprintf(stderr, "scenario: ip_version %u is neither 4 nor 6 (line \"%s\")\n", sc->ip_version, line);
		abort();
	}
}

static void check_size(const struct scenario *sc, const struct segment *seg, const char *line)
{
	size_t ip_len = tcp_header_len(seg) + seg->len + (sc->ip_version == 4 ? IPV4_HEADER_LEN : 0);
	if (ip_len > IP_LENGTH_MAX) {
		fprintf(stderr, "scenario: segment too long for the IP length field (line \"%s\")\n", line);
		abort();
	}
}

void scenario_init(struct scenario *sc)
{
	memset(sc, 0, sizeof *sc);
	sc->ip_version = 4;
	static const uint8_t client[4] = {10, 0, 0, 1}, server[4] = {10, 0, 0, 2};
	memcpy(sc->client_addr, client, 4);
	memcpy(sc->server_addr, server, 4);
	sc->client_port = 40000;
	sc->server_port = 80;
	sc->client_isn = 1000;
	sc->server_isn = 5000;
	sc->time_ns = 1000 * NS_PER_SEC;
}

void scenario_packet(struct scenario *sc, const char *line, struct packet *pkt)
{
	struct segment seg;
	check_version(sc, line);
	parse_line(sc, line, &seg);
	check_size(sc, &seg, line);
	advance(sc, &seg);

	memset(pkt, 0, sizeof *pkt);
	pkt->frame = sc->frame;
	pkt->time_ns = sc->time_ns;
	pkt->caplen = pkt->wirelen = (uint32_t)(ETH_HEADER_LEN + ip_header_len(sc) + tcp_header_len(&seg) + seg.len);
	pkt->linktype = DLT_EN10MB;
	pkt->ip_version = sc->ip_version;
	pkt->ip_ttl = DEFAULT_TTL;
	size_t addr_len = sc->ip_version == 6 ? 16 : 4;
	memcpy(pkt->src, seg.from_client ? sc->client_addr : sc->server_addr, addr_len);
	memcpy(pkt->dst, seg.from_client ? sc->server_addr : sc->client_addr, addr_len);
	pkt->sport = seg.from_client ? sc->client_port : sc->server_port;
	pkt->dport = seg.from_client ? sc->server_port : sc->client_port;
	pkt->seq = (seg.from_client ? sc->client_isn : sc->server_isn) + seg.start;
	if (seg.has_ack)
		pkt->ack = (seg.from_client ? sc->server_isn : sc->client_isn) + seg.ack;
	pkt->window = seg.window;
	pkt->flags = seg.flags;
	pkt->header_len = (uint8_t)tcp_header_len(&seg);
	pkt->payload_len = seg.len;
	pkt->opt = seg.opt;
	pkt->decode_finding = F_NONE;
}

/* One's-complement sum of a byte run, big-endian 16-bit words (RFC 1071). */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t scenario_frame(struct scenario *sc, const char *line, uint8_t *buf, size_t cap, int64_t *time_ns)
{
	struct segment seg;
	check_version(sc, line);
	parse_line(sc, line, &seg);
	check_size(sc, &seg, line);

	size_t ip_len = ip_header_len(sc), tcp_len = tcp_header_len(&seg);
	size_t total = ETH_HEADER_LEN + ip_len + tcp_len + seg.len;
	if (total > cap) {
		fprintf(stderr, "scenario: frame of %zu bytes does not fit the %zu-byte buffer (line \"%s\")\n", total,
			cap, line);
		abort();
	}
	advance(sc, &seg);
	if (time_ns)
		*time_ns = sc->time_ns;
	memset(buf, 0, total);

	/* Ethernet: locally administered MACs ending in 1 (client) and 2 (server). */
	uint8_t *eth = buf;
	eth[0] = eth[6] = 0x02;
	eth[5] = seg.from_client ? 2 : 1;
	eth[11] = seg.from_client ? 1 : 2;
	put_be16(eth + 12, sc->ip_version == 6 ? 0x86dd : 0x0800);

	uint8_t *ip = buf + ETH_HEADER_LEN;
	uint8_t *tcp = ip + ip_len;
	const uint8_t *src = seg.from_client ? sc->client_addr : sc->server_addr;
	const uint8_t *dst = seg.from_client ? sc->server_addr : sc->client_addr;
	uint32_t tcp_total = (uint32_t)(tcp_len + seg.len);
	uint32_t pseudo;
	if (sc->ip_version == 4) {
		ip[0] = 0x45;
		put_be16(ip + 2, (uint32_t)(ip_len + tcp_total));
		put_be16(ip + 4, (uint32_t)sc->frame); /* identification */
		put_be16(ip + 6, 0x4000);	       /* don't fragment */
		ip[8] = DEFAULT_TTL;
		ip[9] = 6;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		put_be16(ip + 10, fold(sum16(ip, IPV4_HEADER_LEN, 0)));
		pseudo = sum16(src, 4, 0) + sum16(dst, 4, 0) + 6 + tcp_total;
	} else {
		ip[0] = 0x60;
		put_be16(ip + 4, tcp_total);
		ip[6] = 6;
		ip[7] = DEFAULT_TTL;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		pseudo = sum16(src, 16, 0) + sum16(dst, 16, 0) + 6 + tcp_total;
	}

	put_be16(tcp, seg.from_client ? sc->client_port : sc->server_port);
	put_be16(tcp + 2, seg.from_client ? sc->server_port : sc->client_port);
	put_be32(tcp + 4, (seg.from_client ? sc->client_isn : sc->server_isn) + seg.start);
	if (seg.has_ack)
		put_be32(tcp + 8, (seg.from_client ? sc->server_isn : sc->client_isn) + seg.ack);
	tcp[12] = (uint8_t)(tcp_len / 4 << 4);
	tcp[13] = seg.flags;
	put_be16(tcp + 14, seg.window);
	memcpy(tcp + TCP_HEADER_LEN, seg.options, seg.options_len);
	put_be16(tcp + 16, fold(sum16(tcp, tcp_total, pseudo)));
	return total;
}

void scenario_feed(struct scenario *sc, struct engine *e, const char *line)
{
	static uint8_t buf[IP_LENGTH_MAX + ETH_HEADER_LEN];
	int64_t t;
	size_t len = scenario_frame(sc, line, buf, sizeof buf, &t);
	scenario_feed_frame(sc, e, buf, len, t);
}

void scenario_feed_frame(const struct scenario *sc, struct engine *e, const uint8_t *frame, size_t len, int64_t time_ns)
{
	struct capture_record rec = {.frame = sc->frame,
				     .time_ns = time_ns,
				     .caplen = (uint32_t)len,
				     .wirelen = (uint32_t)len,
				     .linktype = DLT_EN10MB,
				     .data = frame};
	engine_packet(e, &rec);
}

void scenario_write_pcap(struct scenario *sc, const char *path, const char *const *lines, size_t n)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, PCAP_SNAPLEN);
	if (!dead) {
		fprintf(stderr, "scenario: pcap_open_dead failed\n");
		abort();
	}
	pcap_dumper_t *dumper = pcap_dump_open(dead, path);
	if (!dumper) {
		fprintf(stderr, "scenario: %s: %s\n", path, pcap_geterr(dead));
		abort();
	}
	size_t cap = ETH_HEADER_LEN + IPV4_HEADER_LEN + IP_LENGTH_MAX;
	uint8_t *buf = malloc(cap);
	if (!buf)
		abort();
	for (size_t i = 0; i < n; i++) {
		int64_t t;
		size_t len = scenario_frame(sc, lines[i], buf, cap, &t);
		struct pcap_pkthdr hdr = {
			.ts = {.tv_sec = (time_t)(t / NS_PER_SEC), .tv_usec = (suseconds_t)(t % NS_PER_SEC / 1000)},
			.caplen = (bpf_u_int32)len,
			.len = (bpf_u_int32)len,
		};
		pcap_dump((u_char *)dumper, &hdr, buf);
	}
	free(buf);
	if (pcap_dump_flush(dumper) != 0) {
		fprintf(stderr, "scenario: %s: write failed\n", path);
		abort();
	}
	pcap_dump_close(dumper);
	pcap_close(dead);
}
