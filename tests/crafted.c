/*
 * crafted.c - writes the crafted capture files that later tests read
 * (differential runs against tshark, capture-reader tests, golden traces):
 *
 *   link-*.pcap        one short complete connection (SYN, SYN-ACK, ACK, data,
 *                      FIN, FIN, ACK) per supported link type and encapsulation
 *   malformed.pcap     every malformed or truncated case the decoder reports,
 *                      each followed by a healthy segment of one connection;
 *                      malformed.txt lists frame numbers and expected findings
 *   truncated-file.pcap  the connection, the file cut inside its last record
 *   nanosecond.pcap    the connection with nanosecond timestamps
 *   big-endian.pcap    the connection in a big-endian (swapped) file
 *   big-endian-nanosecond.pcap  both at once
 *   ipv6-long-addresses.pcap  the connection over IPv6 between addresses too
 *                      long for the UI to show every column at 80 columns
 *
 * Usage: crafted DIR. Frames come from the scenario notation (scenario.h) as
 * Ethernet; the link header is stripped and the one under test put in its
 * place. libpcap's pcap_dump writes host order and microseconds only, so the
 * nanosecond and big-endian files are written here by hand (the pcap format
 * is a 24-byte file header and a 16-byte header per record).
 */
#include "config.h"

#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "scenario.h"

enum {
	SNAPLEN = 65535,
	IP4_ID = 4,
};

#define NS_PER_SEC 1000000000LL

/* The connection every link-type file carries. */
static const char *const connection[] = {
	"> S 0:0(0) win 64240 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
	"+0.010 < S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 200 ecr 100,nop,wscale 7>",
	"+0.010 > . 1:1(0) ack 1 win 502 <nop,nop,TS val 110 ecr 200>",
	"+0.001 > P. 1:101(100) ack 1 win 502 <nop,nop,TS val 111 ecr 200>",
	"+0.010 < F. 1:1(0) ack 101 win 509 <nop,nop,TS val 210 ecr 111>",
	"+0.001 > F. 101:101(0) ack 2 win 502 <nop,nop,TS val 112 ecr 210>",
	"+0.010 < . 2:2(0) ack 102 win 509 <nop,nop,TS val 220 ecr 112>",
};

#define CONNECTION_LEN (sizeof connection / sizeof connection[0])

static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("crafted: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(EXIT_FAILURE);
}

/* IPv6 addresses for the scenarios that use them. */
static void use_ipv6(struct scenario *sc)
{
	static const uint8_t client[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t server[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
	sc->ip_version = 6;
	memcpy(sc->client_addr, client, 16);
	memcpy(sc->server_addr, server, 16);
}

/* ---- link headers -------------------------------------------------------- */

/* BSD loopback as written by a little-endian host: AF_INET 2, macOS AF_INET6 30. */
static void put_null_le(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	frame_put(f, BYTES(version == 6 ? 30 : 2, 0, 0, 0));
}

/* Ethernet, then an outer IPv4 header: IP-in-IP or 6in4. */
static void put_tunnel(struct frame *f, size_t ip_len, int version)
{
	frame_put_ethernet(f, IP4_LEN + ip_len, 4);
	frame_put_ip4(f, version == 6 ? 41 : 4, ip_len);
}

/* One link-*.pcap: the link type, the IP version, and the encapsulation's header. */
struct link_file {
	const char *name;
	int linktype;
	int version;
	frame_header_fn *header; /* the link header in front of each IP packet */
};

static const struct link_file link_files[] = {
	{"link-ethernet.pcap", DLT_EN10MB, 4, frame_put_ethernet},
	{"link-ethernet-ipv6.pcap", DLT_EN10MB, 6, frame_put_ethernet},
	{"link-vlan.pcap", DLT_EN10MB, 4, frame_put_vlan},
	{"link-qinq.pcap", DLT_EN10MB, 6, frame_put_qinq},
	{"link-llc-snap.pcap", DLT_EN10MB, 4, frame_put_llc_snap},
	{"link-mpls.pcap", DLT_EN10MB, 4, frame_put_mpls},
	{"link-pppoe.pcap", DLT_EN10MB, 4, frame_put_pppoe},
	{"link-ipip.pcap", DLT_EN10MB, 4, put_tunnel},
	{"link-6in4.pcap", DLT_EN10MB, 6, put_tunnel},
	{"link-sll.pcap", DLT_LINUX_SLL, 4, frame_put_sll},
	{"link-sll2.pcap", DLT_LINUX_SLL2, 6, frame_put_sll2},
	{"link-raw.pcap", DLT_RAW, 4, frame_put_raw},
	{"link-raw-ipv6.pcap", DLT_RAW, 6, frame_put_raw},
	{"link-ipv4.pcap", DLT_IPV4, 4, frame_put_raw},
	{"link-ipv6.pcap", DLT_IPV6, 6, frame_put_raw},
	{"link-null.pcap", DLT_NULL, 4, put_null_le},
	{"link-null-ipv6.pcap", DLT_NULL, 6, put_null_le},
	{"link-loop.pcap", DLT_LOOP, 4, frame_put_loop},
	{"link-loop-ipv6.pcap", DLT_LOOP, 6, frame_put_loop},
	{"link-nflog.pcap", DLT_NFLOG, 4, frame_put_nflog},
	{"link-ppp.pcap", DLT_PPP, 4, frame_put_ppp_hdlc},
	{"link-ppp-serial.pcap", DLT_PPP_SERIAL, 6, frame_put_ppp_hdlc},
	{"link-c-hdlc.pcap", DLT_C_HDLC, 4, frame_put_c_hdlc},
	{"link-fddi.pcap", DLT_FDDI, 4, frame_put_fddi},
};

/* ---- writing pcaps ------------------------------------------------------- */

static const char *out_dir;

static char *out_path(const char *name)
{
	static char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", out_dir, name) >= (int)sizeof path)
		die("path too long: %s/%s", out_dir, name);
	return path;
}

struct writer {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	uint64_t frames;
};

static void writer_open(struct writer *w, const char *name, int linktype)
{
	w->dead = pcap_open_dead(linktype, SNAPLEN);
	if (!w->dead)
		die("pcap_open_dead(%d) failed", linktype);
	w->dumper = pcap_dump_open(w->dead, out_path(name));
	if (!w->dumper)
		die("%s: %s", out_path(name), pcap_geterr(w->dead));
	w->frames = 0;
}

/* Writes one record of which only the first caplen bytes were captured. */
static void writer_add(struct writer *w, const struct frame *f, size_t caplen, int64_t t)
{
	struct pcap_pkthdr hdr = {
		.ts = {.tv_sec = (time_t)(t / NS_PER_SEC), .tv_usec = (suseconds_t)(t % NS_PER_SEC / 1000)},
		.caplen = (bpf_u_int32)(caplen < f->len ? caplen : f->len),
		.len = (bpf_u_int32)f->len,
	};
	pcap_dump((u_char *)w->dumper, &hdr, f->b);
	w->frames++;
}

static void writer_close(struct writer *w)
{
	if (pcap_dump_flush(w->dumper) != 0)
		die("write failed");
	pcap_dump_close(w->dumper);
	pcap_close(w->dead);
}

/* The connection's frames over one link type. */
static void write_link_file(const struct link_file *lf)
{
	struct scenario sc;
	struct writer w;
	scenario_init(&sc);
	if (lf->version == 6)
		use_ipv6(&sc);
	writer_open(&w, lf->name, lf->linktype);
	for (size_t i = 0; i < CONNECTION_LEN; i++) {
		int64_t t;
		struct frame ip = frame_ip(&sc, connection[i], &t);
		struct frame f = frame_wrap(lf->header, &ip, lf->version);
		writer_add(&w, &f, f.len, t);
	}
	writer_close(&w);
}

/* The connection over Ethernet, then the file cut in the middle of the last record. */
static void write_truncated_file(void)
{
	static const char name[] = "truncated-file.pcap";
	struct scenario sc;
	scenario_init(&sc);
	scenario_write_pcap(&sc, out_path(name), connection, CONNECTION_LEN);

	struct scenario again;
	scenario_init(&again);
	uint8_t buf[FRAME_MAX];
	size_t last = 0;
	for (size_t i = 0; i < CONNECTION_LEN; i++)
		last = scenario_frame(&again, connection[i], buf, sizeof buf, NULL);
	FILE *fp = fopen(out_path(name), "rb");
	if (!fp || fseek(fp, 0, SEEK_END) != 0)
		die("%s: cannot measure", out_path(name));
	long size = ftell(fp);
	fclose(fp);
	if (truncate(out_path(name), size - (long)last / 2) != 0)
		die("%s: cannot truncate", out_path(name));
}

/* The connection between [2001:db8:85a3::8a2e:370:7334]:51234 and [2001:db8:85a3::1bb]:443. */
static void write_ipv6_long_addresses(void)
{
	static const uint8_t client[16] = {0x20, 0x01, 0x0d, 0xb8, 0x85, 0xa3, 0,    0,
					   0,	 0,    0x8a, 0x2e, 0x03, 0x70, 0x73, 0x34};
	static const uint8_t server[16] = {0x20, 0x01, 0x0d, 0xb8, 0x85, 0xa3, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xbb};
	struct scenario sc;
	scenario_init(&sc);
	sc.ip_version = 6;
	memcpy(sc.client_addr, client, sizeof client);
	memcpy(sc.server_addr, server, sizeof server);
	sc.client_port = 51234;
	sc.server_port = 443;
	scenario_write_pcap(&sc, out_path("ipv6-long-addresses.pcap"), connection, CONNECTION_LEN);
}

/* Appends an integer of n bytes in the chosen byte order. */
static void put_uint(FILE *fp, uint32_t v, int n, bool big_endian)
{
	for (int i = 0; i < n; i++) {
		int shift = big_endian ? 8 * (n - 1 - i) : 8 * i;
		fputc((int)(v >> shift & 0xff), fp);
	}
}

/* The connection in a pcap written by hand (any byte order, micro or nano). */
static void write_by_hand(const char *name, bool big_endian, bool nanosecond)
{
	FILE *fp = fopen(out_path(name), "wb");
	if (!fp)
		die("%s: cannot create", out_path(name));
	put_uint(fp, nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, 4, big_endian);
	put_uint(fp, 2, 2, big_endian); /* version 2.4 */
	put_uint(fp, 4, 2, big_endian);
	put_uint(fp, 0, 4, big_endian); /* thiszone */
	put_uint(fp, 0, 4, big_endian); /* sigfigs */
	put_uint(fp, SNAPLEN, 4, big_endian);
	put_uint(fp, DLT_EN10MB, 4, big_endian);

	struct scenario sc;
	scenario_init(&sc);
	for (size_t i = 0; i < CONNECTION_LEN; i++) {
		uint8_t buf[FRAME_MAX];
		int64_t t;
		size_t len = scenario_frame(&sc, connection[i], buf, sizeof buf, &t);
		t += 123 * (int64_t)(i + 1); /* sub-microsecond digits that only a nanosecond file keeps */
		int64_t frac = t % NS_PER_SEC;
		put_uint(fp, (uint32_t)(t / NS_PER_SEC), 4, big_endian);
		put_uint(fp, (uint32_t)(nanosecond ? frac : frac / 1000), 4, big_endian);
		put_uint(fp, (uint32_t)len, 4, big_endian);
		put_uint(fp, (uint32_t)len, 4, big_endian);
		fwrite(buf, 1, len, fp);
	}
	if (fclose(fp) != 0)
		die("%s: write failed", out_path(name));
}

/* ---- the malformed mix ----------------------------------------------------- */

/*
 * malformed.pcap interleaves malformed frames (each from a client port of its
 * own, 50000 and up, IPv4 or IPv6) with healthy data segments of the main
 * connection (port 40000), so a reader can show that processing goes on.
 * malformed.txt lists each malformed frame's number and expected finding.
 */
struct mix {
	struct writer w;
	struct scenario good, bad4, bad6;
	uint16_t bad_port; /* each malformed frame gets a flow of its own */
	int64_t now;
	uint32_t next_seq; /* relative sequence number of the next healthy segment */
	FILE *expect;
};

/* An Ethernet frame of one line from the given scenario, on the file's clock. */
static struct frame mix_frame(struct mix *m, struct scenario *sc, const char *line)
{
	sc->time_ns = m->now;
	return frame_eth(sc, line, &m->now);
}

static void mix_healthy(struct mix *m, const char *line)
{
	struct frame f = mix_frame(m, &m->good, line);
	writer_add(&m->w, &f, f.len, m->now);
}

static void mix_data(struct mix *m)
{
	char line[96];
	snprintf(line, sizeof line, "> P. %u:%u(100) ack 1", m->next_seq, m->next_seq + 100);
	m->next_seq += 100;
	mix_healthy(m, line);
}

/* Writes a malformed frame captured up to caplen, notes its finding, then a healthy segment. */
static void mix_bad(struct mix *m, const struct frame *f, size_t caplen, const char *code, const char *what)
{
	writer_add(&m->w, f, caplen, m->now);
	fprintf(m->expect, "%-4llu %-29s %s\n", (unsigned long long)m->w.frames, code, what);
	mix_data(m);
}

static struct frame bad4(struct mix *m, const char *line)
{
	m->bad4.client_port = m->bad_port++;
	return mix_frame(m, &m->bad4, line);
}

static struct frame bad6(struct mix *m, const char *line)
{
	m->bad6.client_port = m->bad_port++;
	return mix_frame(m, &m->bad6, line);
}

/* Patches an IPv4 header field of an Ethernet frame and keeps the header checksum valid. */
static void ip4_set16(struct frame *f, size_t field, unsigned v)
{
	frame_set16(f->b + ETH_LEN + field, v);
	frame_ip4_fix_checksum(f->b + ETH_LEN);
}

#define DATA_LINE "> P. 1:101(100) ack 1"
#define SYN_LINE "> S 0:0(0) win 64240 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>"

/* The truncated cases: a frame cut inside each layer's header. */
static void mix_truncated(struct mix *m)
{
	struct frame f = bad4(m, DATA_LINE);
	mix_bad(m, &f, 10, "decode.truncated", "Ethernet header cut");

	f = bad4(m, DATA_LINE);
	frame_insert(&f, 12, BYTES(0x81, 0x00, 0x00, 0x64));
	mix_bad(m, &f, 16, "decode.truncated", "802.1Q tag cut");

	f = bad4(m, DATA_LINE);
	mix_bad(m, &f, ETH_LEN + 12, "decode.truncated", "IPv4 header cut");

	f = bad4(m, DATA_LINE);
	frame_insert(&f, ETH_LEN + IP4_LEN, BYTES(0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00));
	f.b[ETH_LEN] = 0x47;
	ip4_set16(&f, IP4_TOTAL_LEN, frame_get16(f.b + ETH_LEN + IP4_TOTAL_LEN) + 8);
	mix_bad(m, &f, ETH_LEN + IP4_LEN + 4, "decode.truncated", "IPv4 options cut");

	f = bad6(m, DATA_LINE);
	mix_bad(m, &f, ETH_LEN + 30, "decode.truncated", "IPv6 header cut");

	f = bad6(m, DATA_LINE);
	frame_ip6_push_ext(&f, ETH_LEN, EXT_DSTOPTS, 16, 0);
	mix_bad(m, &f, ETH_LEN + IP6_LEN + 10, "decode.truncated", "IPv6 destination options header cut");

	f = bad6(m, DATA_LINE);
	frame_ip6_push_ext(&f, ETH_LEN, EXT_FRAGMENT, 8, 0);
	mix_bad(m, &f, ETH_LEN + IP6_LEN + 6, "decode.truncated", "IPv6 fragment header cut");

	f = bad4(m, DATA_LINE);
	mix_bad(m, &f, ETH_LEN + IP4_LEN + 12, "decode.truncated", "TCP header cut");

	f = bad4(m, SYN_LINE);
	mix_bad(m, &f, ETH_LEN + IP4_LEN + TCP_LEN + 6, "decode.truncated",
		"TCP options cut by snaplen (usable: MSS decoded)");
}

/* The invalid IP headers. */
static void mix_bad_ip(struct mix *m)
{
	struct frame f = bad4(m, DATA_LINE);
	f.b[ETH_LEN] = 0x65;
	frame_ip4_fix_checksum(f.b + ETH_LEN);
	mix_bad(m, &f, f.len, "decode.ip.bad_version", "version 6 behind Ethernet type IPv4");

	f = bad4(m, DATA_LINE);
	f.b[ETH_LEN] = 0x44;
	mix_bad(m, &f, f.len, "decode.ip.bad_ihl", "IHL 4");

	f = bad4(m, DATA_LINE);
	ip4_set16(&f, IP4_TOTAL_LEN, 19);
	mix_bad(m, &f, f.len, "decode.ip.bad_length", "total length 19 < header length 20");

	f = bad4(m, DATA_LINE);
	ip4_set16(&f, IP4_TOTAL_LEN, IP4_LEN + 10);
	mix_bad(m, &f, f.len, "decode.ip.bad_length", "total length 30: no room for the TCP header");

	f = bad6(m, DATA_LINE);
	frame_ip6_push_ext(&f, ETH_LEN, EXT_HOPOPTS, 8, 0);
	f.b[ETH_LEN + IP6_LEN + 1] = 20;
	mix_bad(m, &f, f.len, "decode.ip.bad_extension", "hop-by-hop header of 168 bytes in a 128-byte payload");
}

/* Fragments, first and later, IPv4 and IPv6 (never reassembled: distinct ids, gaps). */
static void mix_fragments(struct mix *m)
{
	struct frame f = bad4(m, DATA_LINE);
	ip4_set16(&f, IP4_ID, 0x1111);
	ip4_set16(&f, IP4_FRAG, 0x2000);
	mix_bad(m, &f, f.len, "decode.ip.fragment", "IPv4 first fragment (MF, offset 0)");

	f = bad4(m, DATA_LINE);
	ip4_set16(&f, IP4_ID, 0x2222);
	ip4_set16(&f, IP4_FRAG, 185);
	mix_bad(m, &f, f.len, "decode.ip.fragment", "IPv4 later fragment (offset 1480)");

	f = bad6(m, DATA_LINE);
	frame_ip6_push_ext(&f, ETH_LEN, EXT_FRAGMENT, 8, 0x0001);
	f.b[ETH_LEN + IP6_LEN + 7] = 0x11; /* identification */
	mix_bad(m, &f, f.len, "decode.ip.fragment", "IPv6 first fragment (M, offset 0)");

	f = bad6(m, DATA_LINE);
	frame_ip6_push_ext(&f, ETH_LEN, EXT_FRAGMENT, 8, 185 << 3);
	f.b[ETH_LEN + IP6_LEN + 7] = 0x22;
	mix_bad(m, &f, f.len, "decode.ip.fragment", "IPv6 later fragment (offset 1480)");
}

/* Invalid TCP headers and option lengths. */
static void mix_bad_tcp(struct mix *m)
{
	struct frame f = bad4(m, DATA_LINE);
	f.b[ETH_LEN + IP4_LEN + TCP_OFFSET] = 4 << 4;
	mix_bad(m, &f, f.len, "decode.tcp.bad_offset", "data offset 4 words");

	f = bad4(m, "> . 1:1(0) ack 1");
	f.b[ETH_LEN + IP4_LEN + TCP_OFFSET] = 6 << 4;
	mix_bad(m, &f, f.len, "decode.tcp.bad_offset", "24-byte header in a 20-byte segment");

	f = bad4(m, "> S 0:0(0) <raw 6301>");
	mix_bad(m, &f, f.len, "decode.tcp.bad_option_length", "option 99 of length 1 (usable)");

	f = bad4(m, "> S 0:0(0) <raw 020305>");
	mix_bad(m, &f, f.len, "decode.tcp.bad_option_length", "MSS of length 3 (usable)");

	f = bad4(m, "> S 0:0(0) <mss 1460,raw 630a 0000>");
	mix_bad(m, &f, f.len, "decode.tcp.bad_option_length", "option 99 runs past the header (usable)");

	f = bad4(m, "> S 0:0(0) <nop,nop,nop,raw 63>");
	mix_bad(m, &f, f.len, "decode.tcp.bad_option_length", "option 99 without a length byte (usable)");
}

static void write_malformed_file(void)
{
	struct mix m;
	scenario_init(&m.good);
	scenario_init(&m.bad4);
	scenario_init(&m.bad6);
	use_ipv6(&m.bad6);
	m.bad_port = 50000;
	m.now = m.good.time_ns;
	m.next_seq = 1;
	m.expect = fopen(out_path("malformed.txt"), "w");
	if (!m.expect)
		die("%s: cannot create", out_path("malformed.txt"));
	fprintf(m.expect, "# malformed.pcap: frame, expected decode finding, case. Every other frame is a\n"
			  "# healthy segment of 10.0.0.1:40000 -> 10.0.0.2:80 that must decode cleanly.\n");
	writer_open(&m.w, "malformed.pcap", DLT_EN10MB);

	for (size_t i = 0; i < 3; i++)
		mix_healthy(&m, connection[i]);
	mix_truncated(&m);
	mix_bad_ip(&m);
	mix_fragments(&m);
	mix_bad_tcp(&m);

	char line[96];
	snprintf(line, sizeof line, "< F. 1:1(0) ack %u", m.next_seq);
	mix_healthy(&m, line);
	snprintf(line, sizeof line, "> F. %u:%u(0) ack 2", m.next_seq, m.next_seq);
	mix_healthy(&m, line);
	snprintf(line, sizeof line, "< . 2:2(0) ack %u", m.next_seq + 1);
	mix_healthy(&m, line);

	writer_close(&m.w);
	if (fclose(m.expect) != 0)
		die("%s: write failed", out_path("malformed.txt"));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: crafted DIR\n");
		return 2;
	}
	out_dir = argv[1];
	for (size_t i = 0; i < sizeof link_files / sizeof link_files[0]; i++)
		write_link_file(&link_files[i]);
	write_malformed_file();
	write_truncated_file();
	write_by_hand("nanosecond.pcap", false, true);
	write_by_hand("big-endian.pcap", true, false);
	write_by_hand("big-endian-nanosecond.pcap", true, true);
	write_ipv6_long_addresses();
	return 0;
}
