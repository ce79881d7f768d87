/*
 * check-decode.c - Check suite for the decoder (decode_packet and the stages
 * behind it). Frames come from the scenario notation (tests/scenario.h): a
 * test takes the IP packet of one scenario line, wraps it in the link header
 * under test with the frame-building helpers of frame.h, or patches one
 * named field to make it malformed, then asserts what decode_packet reports:
 * the result, the decode.* finding, and the header fields it filled.
 *
 * Coverage: every link type decode_packet supports, IPv4 options, the IPv6
 * extension-header chain and jumbograms, IP-in-IP tunnels, every TCP option,
 * checksum verification, and each malformed or truncated case with its
 * finding (hostile ones too: hundreds of IPv6 extension headers, a chain that
 * names a header past the payload, lying data offsets and option lengths). A
 * table-driven test cuts every link type at every length short of the end of
 * the TCP header and expects decode.truncated each time.
 */
#include "config.h"

#include <check.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "findings.h"
#include "frame.h"
#include "scenario.h"

/* Header fields and protocol numbers beyond those of frame.h. */
enum {
	IP4_TOS = 1,
	IP4_PROTO = 9,
	TCP_URGENT = 18,
	PROTO_IPIP = 4,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	PROTO_IPV6 = 41,
};

/* The lines most tests start from. */
#define DATA "> P. 1:101(100) ack 1"
#define BARE_ACK "> . 1:1(0) ack 1"
#define SYN "> S 0:0(0) win 64240 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>"

static struct scenario sc;
static struct packet pkt;
static const struct decode_options verify = {.verify_checksums = true};

static void setup(void)
{
	scenario_init(&sc);
}

static void use_ipv6(void)
{
	static const uint8_t client[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t server[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
	sc.ip_version = 6;
	memcpy(sc.client_addr, client, 16);
	memcpy(sc.server_addr, server, 16);
}

/* The Ethernet frame of one scenario line. */
static struct frame eth_frame(const char *line)
{
	return frame_eth(&sc, line, NULL);
}

/* The IP packet of one scenario line (its Ethernet header stripped). */
static struct frame ip_packet(const char *line)
{
	return frame_ip(&sc, line, NULL);
}

/* A link header followed by an IP packet. */
static struct frame link_frame(const uint8_t *hdr, size_t n, const struct frame *ip)
{
	struct frame f = {.len = 0};
	frame_put(&f, hdr, n);
	frame_put(&f, ip->b, ip->len);
	return f;
}

/* Appends n bytes of IPv4 options (n a multiple of 4). */
static void ip4_add_options(struct frame *ip, const uint8_t *opts, size_t n)
{
	frame_insert(ip, IP4_LEN, opts, n);
	ip->b[0] = (uint8_t)(ip->b[0] + n / 4);
	frame_set16(ip->b + IP4_TOTAL_LEN, (unsigned)(frame_get16(ip->b + IP4_TOTAL_LEN) + n));
	frame_ip4_fix_checksum(ip->b);
}

/* Wraps a packet in an outer IPv4 header (192.0.2.1 -> 192.0.2.2). */
static void ip4_wrap(struct frame *ip, uint8_t proto)
{
	struct frame outer = {.len = 0};
	frame_put_ip4(&outer, proto, ip->len);
	frame_put(&outer, ip->b, ip->len);
	*ip = outer;
}

/* Wraps a packet in an outer IPv6 header (2001:db8::1 -> 2001:db8::2). */
static void ip6_wrap(struct frame *ip, uint8_t next)
{
	struct frame outer = {.len = 0};
	frame_put(&outer, BYTES(0x60, 0, 0, 0));
	frame_put16(&outer, (unsigned)ip->len);
	frame_put(&outer, BYTES(next, 64));
	frame_put(&outer, BYTES(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
	frame_put(&outer, BYTES(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2));
	frame_put(&outer, ip->b, ip->len);
	*ip = outer;
}

/* Decodes the first caplen bytes of f as captured with the given link type. */
static enum decode_result decode_cut(int linktype, const struct frame *f, size_t caplen)
{
	memset(&pkt, 0xa5, sizeof pkt); /* garbage the decoder must overwrite */
	pkt.frame = 1;
	pkt.time_ns = 0;
	pkt.caplen = (uint32_t)caplen;
	pkt.wirelen = (uint32_t)f->len;
	return decode_packet(linktype, f->b, &verify, &pkt);
}

static enum decode_result decode(int linktype, const struct frame *f)
{
	return decode_cut(linktype, f, f->len);
}

/* Decodes one scenario line as an Ethernet frame. */
static enum decode_result decode_line(const char *line)
{
	struct frame f = eth_frame(line);
	return decode(DLT_EN10MB, &f);
}

#define assert_clean(r)                                                                                                \
	ck_assert_msg((r) == DECODE_TCP && pkt.decode_finding == F_NONE,                                               \
		      "expected a clean TCP decode, got result %d with %s: %s", (int)(r),                              \
		      finding_info(pkt.decode_finding)->code, pkt.decode_message)

#define assert_finding(r, want, id)                                                                                    \
	ck_assert_msg((r) == (want) && pkt.decode_finding == (id), "expected result %d with %s, got %d with %s: %s",   \
		      (int)(want), finding_info(id)->code, (int)(r), finding_info(pkt.decode_finding)->code,           \
		      pkt.decode_message)

/* Checks every field of the decoded DATA line, sent client to server. */
static void assert_data(int version)
{
	static const uint8_t v4[2][4] = {{10, 0, 0, 1}, {10, 0, 0, 2}};
	ck_assert_uint_eq(pkt.ip_version, version);
	if (version == 4) {
		ck_assert_mem_eq(pkt.src, v4[0], 4);
		ck_assert_mem_eq(pkt.dst, v4[1], 4);
	} else {
		ck_assert_mem_eq(pkt.src, sc.client_addr, 16);
		ck_assert_mem_eq(pkt.dst, sc.server_addr, 16);
	}
	ck_assert_uint_eq(pkt.ip_ttl, 64);
	ck_assert_uint_eq(pkt.ip_ecn, 0);
	ck_assert_uint_eq(pkt.sport, 40000);
	ck_assert_uint_eq(pkt.dport, 80);
	ck_assert_uint_eq(pkt.seq, 1001);
	ck_assert_uint_eq(pkt.ack, 5001);
	ck_assert_uint_eq(pkt.flags, TCP_PSH | TCP_ACK);
	ck_assert_uint_eq(pkt.window, 65535);
	ck_assert_uint_eq(pkt.urgent, 0);
	ck_assert(!pkt.ae);
	ck_assert_uint_eq(pkt.header_len, 20);
	ck_assert_uint_eq(pkt.payload_len, 100);
	ck_assert_uint_eq(pkt.opt.count, 0);
	ck_assert(pkt.checksum_checked);
	ck_assert(!pkt.checksum_bad);
}

/* ---- link types ---------------------------------------------------------- */

/* The QinQ tags of frame_put_qinq, the outer one with the type of older switches, 9100. */
static void put_qinq_9100(struct frame *f, size_t ip_len, int version)
{
	size_t at = f->len;
	frame_put_qinq(f, ip_len, version);
	frame_set16(f->b + at + 12, 0x9100);
}

/* MPLS label 16, bottom of stack, TTL 64 (RFC 3032 §2.1). */
static void put_mpls(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	(void)version; /* the label stack says nothing of the IP version */
	frame_put_macs(f);
	frame_put(f, BYTES(0x88, 0x47, 0x00, 0x01, 0x01, 0x40));
}

/* The two labels of frame_put_mpls (17, then 16 at the bottom) as multicast MPLS, 8848. */
static void put_mpls_multicast(struct frame *f, size_t ip_len, int version)
{
	size_t at = f->len;
	frame_put_mpls(f, ip_len, version);
	frame_set16(f->b + at + 12, 0x8848);
}

/* BSD loopback as written by a little-endian host: AF_INET 2, Linux AF_INET6 10. */
static void put_null_le(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	frame_put(f, BYTES(version == 6 ? 10 : 2, 0, 0, 0));
}

/* PPP without HDLC framing: the two-byte protocol field. */
static void put_ppp(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	frame_put(f, BYTES(0x00, version == 6 ? 0x57 : 0x21));
}

struct link_case {
	const char *name;
	int linktype;
	unsigned versions;	 /* bit 4 and/or bit 6 */
	frame_header_fn *header; /* appends the link header in front of the IP packet */
};

#define V4 (1u << 4)
#define V6 (1u << 6)

static const struct link_case link_cases[] = {
	{"Ethernet", DLT_EN10MB, V4 | V6, frame_put_ethernet},
	{"802.1Q", DLT_EN10MB, V4 | V6, frame_put_vlan},
	{"QinQ 88a8", DLT_EN10MB, V4 | V6, frame_put_qinq},
	{"QinQ 9100", DLT_EN10MB, V4 | V6, put_qinq_9100},
	{"802.3 LLC/SNAP", DLT_EN10MB, V4 | V6, frame_put_llc_snap},
	{"MPLS", DLT_EN10MB, V4 | V6, put_mpls},
	{"MPLS two labels", DLT_EN10MB, V4 | V6, put_mpls_multicast},
	{"PPPoE", DLT_EN10MB, V4 | V6, frame_put_pppoe},
	{"Linux SLL", DLT_LINUX_SLL, V4 | V6, frame_put_sll},
	{"Linux SLL2", DLT_LINUX_SLL2, V4 | V6, frame_put_sll2},
	{"DLT_RAW", DLT_RAW, V4 | V6, frame_put_raw},
	{"LINKTYPE_IPV4", DLT_IPV4, V4, frame_put_raw},
	{"LINKTYPE_IPV6", DLT_IPV6, V6, frame_put_raw},
	{"NULL little-endian", DLT_NULL, V4 | V6, put_null_le},
	{"NULL big-endian", DLT_NULL, V4 | V6, frame_put_loop},
	{"LOOP", DLT_LOOP, V4 | V6, frame_put_loop},
	{"NFLOG", DLT_NFLOG, V4 | V6, frame_put_nflog},
	{"PPP", DLT_PPP, V4 | V6, put_ppp},
	{"PPP in HDLC framing", DLT_PPP, V4 | V6, frame_put_ppp_hdlc},
	{"PPP serial", DLT_PPP_SERIAL, V4 | V6, frame_put_ppp_hdlc},
	{"Cisco HDLC", DLT_C_HDLC, V4 | V6, frame_put_c_hdlc},
	{"FDDI", DLT_FDDI, V4 | V6, frame_put_fddi},
};

#define LINK_CASES ((int)(sizeof link_cases / sizeof link_cases[0]))

/* ---- tunnels and wireless ------------------------------------------------- */

/* An 802.11 QoS data frame (to the AP) with LLC/SNAP around the IP packet. */
static struct frame build_80211(const struct frame *ip, int version)
{
	struct frame f = {.len = 0};
	frame_put(&f, BYTES(0x88, 0x01, 0, 0)); /* QoS data, to DS; duration */
	frame_put_macs(&f);
	frame_put(&f, BYTES(0x02, 0, 0, 0, 0, 0x03)); /* address 3 */
	frame_put(&f, BYTES(0x10, 0x00, 0x00, 0x00)); /* sequence control, QoS control */
	frame_put(&f, BYTES(0xaa, 0xaa, 0x03, 0, 0, 0));
	frame_put16(&f, frame_ethertype(version));
	frame_put(&f, ip->b, ip->len);
	return f;
}

static struct frame build_ppi(const struct frame *ip, int version)
{
	struct frame inner = frame_wrap(frame_put_ethernet, ip, version);
	struct frame f = {.len = 0};
	frame_put(&f, BYTES(0, 0, 8, 0, 1, 0, 0, 0)); /* version, flags, length 8 (LE), DLT_EN10MB (LE) */
	frame_put(&f, inner.b, inner.len);
	return f;
}

/* Puts payload behind a UDP header to dport and an outer IPv4/Ethernet. */
static struct frame over_udp(const struct frame *payload, unsigned dport)
{
	struct frame udp = {.len = 0};
	frame_put16(&udp, 54321);
	frame_put16(&udp, dport);
	frame_put16(&udp, (unsigned)(8 + payload->len));
	frame_put16(&udp, 0);
	frame_put(&udp, payload->b, payload->len);
	ip4_wrap(&udp, PROTO_UDP);
	return frame_wrap(frame_put_ethernet, &udp, 4);
}

static struct frame over_gre(const struct frame *payload, const uint8_t *gre, size_t n)
{
	struct frame g = {.len = 0};
	frame_put(&g, gre, n);
	frame_put(&g, payload->b, payload->len);
	ip4_wrap(&g, 47);
	return frame_wrap(frame_put_ethernet, &g, 4);
}

static struct frame build_gre(const struct frame *ip, int version)
{
	uint8_t gre[4] = {0, 0, (uint8_t)(frame_ethertype(version) >> 8), (uint8_t)frame_ethertype(version)};
	return over_gre(ip, gre, sizeof gre);
}

static struct frame build_gre_key_seq(const struct frame *ip, int version)
{
	uint8_t gre[12] = {
		0x30, 0, (uint8_t)(frame_ethertype(version) >> 8), (uint8_t)frame_ethertype(version), 0, 0, 0, 7, 0, 0,
		0,    1};
	return over_gre(ip, gre, sizeof gre);
}

static struct frame build_gre_ethernet(const struct frame *ip, int version)
{
	struct frame inner = frame_wrap(frame_put_ethernet, ip, version);
	return over_gre(&inner, BYTES(0, 0, 0x65, 0x58));
}

static struct frame build_erspan2(const struct frame *ip, int version)
{
	struct frame inner = frame_wrap(frame_put_ethernet, ip, version);
	struct frame hdr = {.len = 0};
	frame_put(&hdr, BYTES(0x10, 0, 0, 0, 0, 0, 0, 0)); /* the 8-byte ERSPAN II header, after GRE's sequence */
	frame_put(&hdr, inner.b, inner.len);
	return over_gre(&hdr, BYTES(0x10, 0, 0x88, 0xbe, 0, 0, 0, 1));
}

static struct frame build_aruba(const struct frame *ip, int version)
{
	struct frame inner = build_80211(ip, version);
	return over_gre(&inner, BYTES(0, 0, 0x82, 0x00));
}

static struct frame build_vxlan(const struct frame *ip, int version)
{
	struct frame inner = frame_wrap(frame_put_ethernet, ip, version);
	struct frame v = {.len = 0};
	frame_put(&v, BYTES(0x08, 0, 0, 0, 0, 0, 0x2a, 0));
	frame_put(&v, inner.b, inner.len);
	return over_udp(&v, 4789);
}

static struct frame build_geneve(const struct frame *ip, int version)
{
	struct frame g = {.len = 0};
	frame_put(&g, BYTES(0x01, 0)); /* version 0, one 4-byte word of options */
	frame_put16(&g, frame_ethertype(version));
	frame_put(&g, BYTES(0, 0, 0x2a, 0, 0x01, 0x02, 0x03, 0x04));
	frame_put(&g, ip->b, ip->len);
	return over_udp(&g, 6081);
}

static struct frame build_gtp(const struct frame *ip, int version)
{
	(void)version; /* the IP version is in the packet */
	struct frame g = {.len = 0};
	frame_put(&g, BYTES(0x32, 0xff)); /* version 1, PT, S flag; G-PDU */
	frame_put16(&g, (unsigned)(ip->len + 4));
	frame_put(&g, BYTES(0, 0, 0, 1, 0, 1, 0, 0)); /* TEID; sequence, N-PDU, no extension */
	frame_put(&g, ip->b, ip->len);
	return over_udp(&g, 2152);
}

static struct frame build_teredo(const struct frame *ip, int version)
{
	(void)version; /* the IP version is in the packet */
	struct frame t = {.len = 0};
	frame_put(&t, BYTES(0, 0, 0x12, 0x34, 192, 0, 2, 9)); /* origin indication */
	frame_put(&t, ip->b, ip->len);
	return over_udp(&t, 3544);
}

static struct frame build_ayiya(const struct frame *ip, int version)
{
	struct frame a = {.len = 0};
	/* identity length 2^1, signature 1 word, next header, epoch */
	frame_put(&a, BYTES(0x11, 0x11, 0x00, version == 6 ? 41 : 4, 0, 0, 0, 0, 0xab, 0xcd, 1, 2, 3, 4));
	frame_put(&a, ip->b, ip->len);
	return over_udp(&a, 5072);
}

/* A tunnel or wireless case: build wraps the IP packet in all its layers. */
struct tunnel_case {
	const char *name;
	int linktype;
	unsigned versions;
	struct frame (*build)(const struct frame *ip, int version);
};

static const struct tunnel_case tunnel_cases[] = {
	{"802.11 data", DLT_IEEE802_11, V4 | V6, build_80211},
	{"PPI around Ethernet", 192, V4 | V6, build_ppi},
	{"GRE", DLT_EN10MB, V4 | V6, build_gre},
	{"GRE with key and sequence", DLT_EN10MB, V4 | V6, build_gre_key_seq},
	{"GRE transparent Ethernet", DLT_EN10MB, V4 | V6, build_gre_ethernet},
	{"ERSPAN II", DLT_EN10MB, V4 | V6, build_erspan2},
	{"Aruba GRE 802.11", DLT_EN10MB, V4 | V6, build_aruba},
	{"VXLAN", DLT_EN10MB, V4 | V6, build_vxlan},
	{"Geneve", DLT_EN10MB, V4 | V6, build_geneve},
	{"GTP-U", DLT_EN10MB, V4 | V6, build_gtp},
	{"Teredo", DLT_EN10MB, V6, build_teredo},
	{"AYIYA", DLT_EN10MB, V4 | V6, build_ayiya},
};

/* The inner connection of each tunnel decodes with every field intact. */
START_TEST(test_tunnel_decodes)
{
	const struct tunnel_case *tc = &tunnel_cases[_i];
	ck_assert(decode_linktype_supported(tc->linktype));
	for (int version = 4; version <= 6; version += 2) {
		if (!(tc->versions & (1u << version)))
			continue;
		if (version == 6)
			use_ipv6();
		struct frame ip = ip_packet(DATA);
		struct frame f = tc->build(&ip, version);
		enum decode_result r = decode(tc->linktype, &f);
		ck_assert_msg(r == DECODE_TCP && pkt.decode_finding == F_NONE, "%s IPv%d: result %d, %s: %s", tc->name,
			      version, (int)r, finding_info(pkt.decode_finding)->code, pkt.decode_message);
		assert_data(version);
		/* Cut inside the tunnel's own header: truncated, never a misread. */
		size_t inner_start = f.len - ip.len;
		r = decode_cut(tc->linktype, &f, inner_start - 1);
		ck_assert_msg(r != DECODE_TCP, "%s: a cut header decoded as TCP", tc->name);
	}
}
END_TEST

/* UDP to other ports, and GRE carrying something else, are not TCP. */
START_TEST(test_tunnel_lookalikes)
{
	struct frame ip = ip_packet(DATA);
	struct frame f = over_udp(&ip, 53);
	ck_assert_int_eq(decode(DLT_EN10MB, &f), DECODE_NOT_TCP);
	f = over_gre(&ip, BYTES(0, 0, 0x88, 0x09)); /* slow protocols */
	ck_assert_int_eq(decode(DLT_EN10MB, &f), DECODE_NOT_TCP);
	struct frame g = {.len = 0};
	frame_put(&g, BYTES(0x32, 0x01)); /* GTP echo request, not a G-PDU */
	frame_put16(&g, 4);
	frame_put(&g, BYTES(0, 0, 0, 1, 0, 1, 0, 0));
	f = over_udp(&g, 2152);
	ck_assert_int_eq(decode(DLT_EN10MB, &f), DECODE_NOT_TCP);
}
END_TEST

/* Each link type carries the DATA segment in IPv4 and IPv6, all fields intact. */
START_TEST(test_link_decodes)
{
	const struct link_case *lc = &link_cases[_i];
	ck_assert(decode_linktype_supported(lc->linktype));
	for (int version = 4; version <= 6; version += 2) {
		if (!(lc->versions & (1u << version)))
			continue;
		if (version == 6)
			use_ipv6();
		struct frame ip = ip_packet(DATA);
		struct frame f = frame_wrap(lc->header, &ip, version);
		enum decode_result r = decode(lc->linktype, &f);
		ck_assert_msg(r == DECODE_TCP && pkt.decode_finding == F_NONE, "%s IPv%d: result %d, %s: %s", lc->name,
			      version, (int)r, finding_info(pkt.decode_finding)->code, pkt.decode_message);
		ck_assert_int_eq(pkt.linktype, lc->linktype);
		assert_data(version);
	}
}
END_TEST

/*
 * Cut at every length before the end of the fixed TCP header, each link type
 * yields decode.truncated (never "not TCP", never a crash); cut right at the
 * end of the header, the segment is usable and clean.
 */
START_TEST(test_link_truncated_everywhere)
{
	const struct link_case *lc = &link_cases[_i];
	for (int version = 4; version <= 6; version += 2) {
		if (!(lc->versions & (1u << version)))
			continue;
		if (version == 6)
			use_ipv6();
		struct frame ip = ip_packet(DATA);
		struct frame f = frame_wrap(lc->header, &ip, version);
		size_t headers = f.len - ip.len + (version == 6 ? IP6_LEN : IP4_LEN) + TCP_LEN;
		for (size_t cut = 0; cut < headers; cut++) {
			enum decode_result r = decode_cut(lc->linktype, &f, cut);
			ck_assert_msg(r == DECODE_BAD && pkt.decode_finding == F_DECODE_TRUNCATED,
				      "%s IPv%d cut at %zu of %zu: result %d, %s: %s", lc->name, version, cut, headers,
				      (int)r, finding_info(pkt.decode_finding)->code, pkt.decode_message);
		}
		enum decode_result r = decode_cut(lc->linktype, &f, headers);
		ck_assert_msg(r == DECODE_TCP && pkt.decode_finding == F_NONE, "%s IPv%d cut after the TCP header: %s",
			      lc->name, version, pkt.decode_message);
		ck_assert_uint_eq(pkt.payload_len, 100);
		ck_assert(!pkt.checksum_checked);
	}
}
END_TEST

START_TEST(test_null_ipv6_families)
{
	static const uint8_t families[] = {10, 24, 28, 30};
	use_ipv6();
	struct frame ip = ip_packet(DATA);
	for (size_t i = 0; i < sizeof families; i++) {
		struct frame le = link_frame(BYTES(families[i], 0, 0, 0), &ip);
		enum decode_result r = decode(DLT_NULL, &le);
		ck_assert_msg(r == DECODE_TCP, "NULL little-endian family %u", families[i]);
		assert_data(6);

		struct frame be = link_frame(BYTES(0, 0, 0, families[i]), &ip);
		r = decode(DLT_NULL, &be);
		ck_assert_msg(r == DECODE_TCP, "NULL big-endian family %u", families[i]);
		assert_data(6);

		r = decode(DLT_LOOP, &be);
		ck_assert_msg(r == DECODE_TCP, "LOOP family %u", families[i]);
		assert_data(6);
	}
}
END_TEST

START_TEST(test_null_unknown_family)
{
	struct frame ip = ip_packet(DATA);
	struct frame f = link_frame(BYTES(7, 0, 0, 0), &ip);
	ck_assert_int_eq(decode(DLT_NULL, &f), DECODE_NOT_TCP);
	f = link_frame(BYTES(0, 0, 0, 7), &ip);
	ck_assert_int_eq(decode(DLT_LOOP, &f), DECODE_NOT_TCP);
	/* LOOP is always network order: a little-endian 2 is family 0x02000000. */
	f = link_frame(BYTES(2, 0, 0, 0), &ip);
	ck_assert_int_eq(decode(DLT_LOOP, &f), DECODE_NOT_TCP);
}
END_TEST

START_TEST(test_ppp_compressed_protocol)
{
	struct frame ip = ip_packet(DATA);
	struct frame f = link_frame(BYTES(0x21), &ip);
	enum decode_result r = decode(DLT_PPP, &f);
	assert_clean(r);
	assert_data(4);

	f = link_frame(BYTES(0xff, 0x03, 0x21), &ip);
	r = decode(DLT_PPP, &f);
	assert_clean(r);
	assert_data(4);
}
END_TEST

START_TEST(test_ppp_not_ip)
{
	struct frame ip = ip_packet(DATA);
	struct frame f = link_frame(BYTES(0xff, 0x03, 0xc0, 0x21), &ip); /* LCP */
	ck_assert_int_eq(decode(DLT_PPP, &f), DECODE_NOT_TCP);
	f = link_frame(BYTES(0x0f, 0x00, 0x80, 0x35), &ip); /* Cisco SLARP */
	ck_assert_int_eq(decode(DLT_C_HDLC, &f), DECODE_NOT_TCP);
}
END_TEST

START_TEST(test_nflog_tlv_handling)
{
	/* The payload TLV found behind a TLV with the high "nested" bit set in its type. */
	struct frame ip = ip_packet(DATA);
	struct frame f = {.len = 0};
	frame_put(&f, BYTES(2, 0, 0, 0));
	frame_put16le(&f, 4 + 2);
	frame_put16le(&f, 0x8000 | 3);
	frame_put(&f, BYTES(0xaa, 0xbb, 0, 0));
	frame_put16le(&f, (unsigned)(4 + ip.len));
	frame_put16le(&f, 0x8000 | 9);
	frame_put(&f, ip.b, ip.len);
	enum decode_result r = decode(DLT_NFLOG, &f);
	assert_clean(r);
	assert_data(4);

	/* No payload TLV at all: nothing to decode. */
	struct frame empty = {.len = 0};
	frame_put(&empty, BYTES(2, 0, 0, 0));
	frame_put16le(&empty, 8);
	frame_put16le(&empty, 10);
	frame_put(&empty, BYTES('l', 'o', 0, 0));
	ck_assert_int_eq(decode(DLT_NFLOG, &empty), DECODE_NOT_TCP);

	/* A TLV length below 4 cannot be walked past. */
	struct frame bad = {.len = 0};
	frame_put(&bad, BYTES(2, 0, 0, 0, 2, 0, 9, 0));
	frame_put(&bad, ip.b, ip.len);
	ck_assert_int_eq(decode(DLT_NFLOG, &bad), DECODE_NOT_TCP);
}
END_TEST

START_TEST(test_llc_without_snap)
{
	struct frame ip = ip_packet(DATA);
	struct frame f = {.len = 0};
	frame_put_macs(&f);
	frame_put16(&f, (unsigned)(ip.len + 3));
	frame_put(&f, BYTES(0x42, 0x42, 0x03)); /* spanning tree LLC, no SNAP */
	frame_put(&f, ip.b, ip.len);
	ck_assert_int_eq(decode(DLT_EN10MB, &f), DECODE_NOT_TCP);
}
END_TEST

START_TEST(test_mpls_without_bottom)
{
	struct frame ip = ip_packet(DATA);
	struct frame f = {.len = 0};
	frame_put_macs(&f);
	frame_put16(&f, 0x8847);
	for (int i = 0; i < 9; i++)
		frame_put(&f, BYTES(0x00, 0x01, 0x10, 0x40)); /* bottom-of-stack bit never set */
	frame_put(&f, ip.b, ip.len);
	ck_assert_int_eq(decode(DLT_EN10MB, &f), DECODE_NOT_TCP);
}
END_TEST

START_TEST(test_not_ip_link_payloads)
{
	struct frame ip = ip_packet(DATA);
	struct frame f = {.len = 0};
	frame_put_macs(&f);
	frame_put16(&f, 0x0806); /* ARP */
	frame_put(&f, ip.b, ip.len);
	ck_assert_int_eq(decode(DLT_EN10MB, &f), DECODE_NOT_TCP);

	f = frame_wrap(frame_put_sll, &ip, 4);
	frame_set16(f.b + 14, 0x0806);
	ck_assert_int_eq(decode(DLT_LINUX_SLL, &f), DECODE_NOT_TCP);

	f = frame_wrap(frame_put_pppoe, &ip, 4);
	frame_set16(f.b + 20, 0xc021);
	ck_assert_int_eq(decode(DLT_EN10MB, &f), DECODE_NOT_TCP);
}
END_TEST

START_TEST(test_unsupported_linktype)
{
	struct frame f = eth_frame(DATA);
	ck_assert(!decode_linktype_supported(DLT_FRELAY));
	ck_assert(!decode_linktype_supported(-1));
	ck_assert_int_eq(decode(DLT_FRELAY, &f), DECODE_NOT_TCP);
	ck_assert_int_eq(pkt.decode_finding, F_NONE);
}
END_TEST

/* ---- IP ------------------------------------------------------------------ */

START_TEST(test_ip_version_mismatch)
{
	struct frame ip4 = ip_packet(DATA);
	use_ipv6();
	struct frame ip6 = ip_packet(DATA);
	enum decode_result r;

	struct frame f = link_frame(BYTES(0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00), &ip6);
	r = decode(DLT_EN10MB, &f);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_VERSION);
	f = link_frame(BYTES(0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd), &ip4);
	r = decode(DLT_EN10MB, &f);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_VERSION);
	r = decode(DLT_IPV4, &ip6);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_VERSION);
	r = decode(DLT_IPV6, &ip4);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_VERSION);
}
END_TEST

START_TEST(test_ip_version_unknown)
{
	static const uint8_t versions[] = {0, 5, 7, 15};
	struct frame ip = ip_packet(DATA);
	for (size_t i = 0; i < sizeof versions; i++) {
		ip.b[0] = (uint8_t)(versions[i] << 4 | 5);
		enum decode_result r = decode(DLT_RAW, &ip);
		assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_VERSION);
	}
}
END_TEST

START_TEST(test_ipv4_fields)
{
	struct frame ip = ip_packet(DATA);
	ip.b[IP4_TOS] = 0xb8 | 0x03; /* DSCP EF, ECN CE */
	ip.b[8] = 7;		     /* TTL */
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_clean(r);
	ck_assert_uint_eq(pkt.ip_ecn, 3);
	ck_assert_uint_eq(pkt.ip_ttl, 7);
	static const uint8_t zero[12] = {0};
	ck_assert_mem_eq(pkt.src + 4, zero, 12); /* IPv4 uses the first 4 bytes only */
	ck_assert_mem_eq(pkt.dst + 4, zero, 12);
}
END_TEST

START_TEST(test_ipv6_fields)
{
	use_ipv6();
	struct frame ip = ip_packet(DATA);
	ip.b[0] = 0x6b; /* version 6, traffic class 0xb9: DSCP 46, ECN 01 (ECT(1)) */
	ip.b[1] = 0x9f; /* the traffic class's low nibble, then the flow label */
	ip.b[7] = 3;	/* hop limit */
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_clean(r);
	ck_assert_uint_eq(pkt.ip_ecn, 1);
	ck_assert_uint_eq(pkt.ip_ttl, 3);
	ck_assert_mem_eq(pkt.src, sc.client_addr, 16);
	ck_assert_mem_eq(pkt.dst, sc.server_addr, 16);
}
END_TEST

START_TEST(test_ipv4_options)
{
	struct frame ip = ip_packet(DATA);
	ip4_add_options(&ip, BYTES(0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00)); /* router alert, NOPs, EOL */
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_clean(r);
	assert_data(4);

	/* The longest header: IHL 15, 40 bytes of options. */
	ip = ip_packet(DATA);
	static const uint8_t nops[40] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
					 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
	ip4_add_options(&ip, nops, sizeof nops);
	ck_assert_uint_eq(ip.b[0], 0x4f);
	r = decode(DLT_RAW, &ip);
	assert_clean(r);
	assert_data(4);
}
END_TEST

/* An option whose length is below its minimum or past the header: malformed, not TCP. */
START_TEST(test_ipv4_options_bad_length)
{
	struct frame ip = ip_packet(DATA);
	ip4_add_options(&ip, BYTES(0x82, 0x02, 0x01, 0x00)); /* security with length 2 (needs 3 or more) */
	assert_finding(decode(DLT_RAW, &ip), DECODE_BAD, F_DECODE_IP_BAD_OPTION_LENGTH);
	ip = ip_packet(DATA);
	ip4_add_options(&ip, BYTES(0x07, 0x09, 0x04, 0x00)); /* record route running past the header */
	assert_finding(decode(DLT_RAW, &ip), DECODE_BAD, F_DECODE_IP_BAD_OPTION_LENGTH);
	ip = ip_packet(DATA);
	ip4_add_options(&ip, BYTES(0x44, 0x01, 0x00, 0x00)); /* timestamp with length 1 */
	assert_finding(decode(DLT_RAW, &ip), DECODE_BAD, F_DECODE_IP_BAD_OPTION_LENGTH);
}
END_TEST

/* IPv4 AH (RFC 4302) is stepped over to the TCP segment behind it. */
START_TEST(test_ipv4_ah)
{
	struct frame ip = ip_packet(DATA);
	struct frame ah = {.len = 0};
	frame_put(&ah, BYTES(PROTO_TCP, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
	frame_put(&ah, ip.b + IP4_LEN, ip.len - IP4_LEN); /* the TCP segment */
	ip4_wrap(&ah, 51);
	enum decode_result r = decode(DLT_RAW, &ah);
	ck_assert_int_eq(r, DECODE_TCP);
	ck_assert_uint_eq(pkt.sport, 40000);
	ck_assert_uint_eq(pkt.payload_len, 100);
	ck_assert_uint_eq(pkt.src[0], 192); /* the addresses of the IPv4 header that carries the AH */
}
END_TEST

START_TEST(test_ipv4_options_truncated)
{
	struct frame ip = ip_packet(DATA);
	ip4_add_options(&ip, BYTES(0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00));
	for (size_t cut = IP4_LEN; cut < IP4_LEN + 8; cut++) {
		enum decode_result r = decode_cut(DLT_RAW, &ip, cut);
		assert_finding(r, DECODE_BAD, F_DECODE_TRUNCATED);
	}
}
END_TEST

START_TEST(test_ipv4_bad_ihl)
{
	for (unsigned ihl = 0; ihl < 5; ihl++) {
		struct frame ip = ip_packet(DATA);
		ip.b[0] = (uint8_t)(0x40 | ihl);
		enum decode_result r = decode(DLT_RAW, &ip);
		assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_IHL);
	}
}
END_TEST

START_TEST(test_ipv4_bad_length)
{
	struct frame ip = ip_packet(DATA);
	frame_set16(ip.b + IP4_TOTAL_LEN, 19);
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_LENGTH);

	ip = ip_packet(DATA);
	ip4_add_options(&ip, BYTES(1, 1, 1, 0));
	frame_set16(ip.b + IP4_TOTAL_LEN, 22); /* inside the options */
	r = decode(DLT_RAW, &ip);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_LENGTH);
}
END_TEST

/*
 * A total length that leaves fewer than 20 bytes for TCP is the IP header's
 * fault, not the snaplen's: every byte it announces was captured.
 */
START_TEST(test_ipv4_length_no_room_for_tcp)
{
	struct frame ip = ip_packet(DATA);
	frame_set16(ip.b + IP4_TOTAL_LEN, IP4_LEN + 10);
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_LENGTH);
}
END_TEST

START_TEST(test_ipv6_length_no_room_for_tcp)
{
	use_ipv6();
	struct frame ip = ip_packet(DATA);
	frame_set16(ip.b + IP6_PAYLOAD_LEN, 10);
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_LENGTH);
}
END_TEST

/* IP lengths are authoritative: Ethernet padding after the packet is not payload. */
START_TEST(test_ip_length_ignores_trailer)
{
	struct frame ip = ip_packet(BARE_ACK);
	struct frame f = frame_wrap(frame_put_ethernet, &ip, 4);
	frame_put(&f, BYTES(0, 0, 0, 0, 0, 0));
	enum decode_result r = decode(DLT_EN10MB, &f);
	assert_clean(r);
	ck_assert_uint_eq(pkt.payload_len, 0);
	ck_assert(pkt.checksum_checked);
	ck_assert(!pkt.checksum_bad);

	use_ipv6();
	ip = ip_packet(BARE_ACK);
	f = frame_wrap(frame_put_ethernet, &ip, 6);
	frame_put(&f, BYTES(0xde, 0xad));
	r = decode(DLT_EN10MB, &f);
	assert_clean(r);
	ck_assert_uint_eq(pkt.payload_len, 0);
	ck_assert(!pkt.checksum_bad);
}
END_TEST

/* Segmentation offload leaves the length 0: what was captured counts. */
START_TEST(test_ip_length_zero_offload)
{
	struct frame ip = ip_packet(DATA);
	frame_set16(ip.b + IP4_TOTAL_LEN, 0);
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_clean(r);
	assert_data(4);

	use_ipv6();
	ip = ip_packet(DATA);
	frame_set16(ip.b + IP6_PAYLOAD_LEN, 0);
	r = decode(DLT_RAW, &ip);
	assert_clean(r);
	assert_data(6);
}
END_TEST

START_TEST(test_ipv4_fragments)
{
	static const unsigned fields[] = {
		0x2000,		/* first fragment: offset 0, more follow */
		0x2000 | 185,	/* a middle one */
		185,		/* the last one */
		0x4000 | 0x2000 /* DF and MF together: still a fragment */
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		struct frame ip = ip_packet(DATA);
		frame_set16(ip.b + IP4_FRAG, fields[i]);
		frame_ip4_fix_checksum(ip.b);
		enum decode_result r = decode(DLT_RAW, &ip);
		assert_finding(r, DECODE_BAD, F_DECODE_IP_FRAGMENT);
		ck_assert_uint_eq(pkt.ip_version, 4);
	}
}
END_TEST

START_TEST(test_ipv4_fragment_not_tcp)
{
	struct frame ip = ip_packet(DATA);
	frame_set16(ip.b + IP4_FRAG, 0x2000);
	ip.b[IP4_PROTO] = PROTO_UDP;
	ck_assert_int_eq(decode(DLT_RAW, &ip), DECODE_NOT_TCP);
	ck_assert_int_eq(pkt.decode_finding, F_NONE);
}
END_TEST

START_TEST(test_ipv4_not_tcp)
{
	struct frame ip = ip_packet(DATA);
	ip.b[IP4_PROTO] = PROTO_UDP;
	ck_assert_int_eq(decode(DLT_RAW, &ip), DECODE_NOT_TCP);
	ip.b[IP4_PROTO] = 1; /* ICMP */
	ck_assert_int_eq(decode(DLT_RAW, &ip), DECODE_NOT_TCP);
}
END_TEST

START_TEST(test_ipv6_extension_chain)
{
	use_ipv6();
	struct frame ip = ip_packet(DATA);
	frame_ip6_push_ext(&ip, 0, EXT_AH, 24, 0);
	frame_ip6_push_ext(&ip, 0, EXT_DSTOPTS, 16, 0);
	frame_ip6_push_ext(&ip, 0, EXT_FRAGMENT, 8, 0); /* atomic fragment: offset 0, no M (RFC 6946) */
	frame_ip6_push_ext(&ip, 0, EXT_ROUTING, 8, 0);
	frame_ip6_push_ext(&ip, 0, EXT_HOPOPTS, 8, 0);
	ck_assert_uint_eq(ip.b[IP6_NEXT], EXT_HOPOPTS);
	ck_assert_uint_eq(ip.b[IP6_LEN + 8 + 8 + 8 + 16 + 1], 4); /* AH length in 4-byte words minus 2 */
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_clean(r);
	assert_data(6); /* includes the checksum over the upper-layer length */
}
END_TEST

START_TEST(test_ipv6_each_extension)
{
	static const struct {
		uint8_t type;
		size_t len;
	} exts[] = {{EXT_HOPOPTS, 8}, {EXT_ROUTING, 24}, {EXT_DSTOPTS, 8}, {EXT_FRAGMENT, 8}, {EXT_AH, 16}};
	use_ipv6();
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		struct frame ip = ip_packet(DATA);
		frame_ip6_push_ext(&ip, 0, exts[i].type, exts[i].len, 0);
		enum decode_result r = decode(DLT_RAW, &ip);
		ck_assert_msg(r == DECODE_TCP && pkt.decode_finding == F_NONE, "extension %u: %s", exts[i].type,
			      pkt.decode_message);
		assert_data(6);
	}
}
END_TEST

START_TEST(test_ipv6_not_tcp)
{
	use_ipv6();
	struct frame ip = ip_packet(DATA);
	ip.b[IP6_NEXT] = PROTO_UDP;
	ck_assert_int_eq(decode(DLT_RAW, &ip), DECODE_NOT_TCP);
	ip.b[IP6_NEXT] = 59; /* no next header */
	ck_assert_int_eq(decode(DLT_RAW, &ip), DECODE_NOT_TCP);
	ip = ip_packet(DATA);
	ip.b[IP6_NEXT] = PROTO_UDP;
	frame_ip6_push_ext(&ip, 0, EXT_DSTOPTS, 8, 0);
	ck_assert_int_eq(decode(DLT_RAW, &ip), DECODE_NOT_TCP);
}
END_TEST

/* Sixteen extension headers are followed to the TCP header; a seventeenth is a finding, not looped over. */
START_TEST(test_ipv6_too_many_extensions)
{
	use_ipv6();
	struct frame ip = ip_packet(BARE_ACK);
	for (int i = 0; i < 16; i++)
		frame_ip6_push_ext(&ip, 0, EXT_DSTOPTS, 8, 0);
	ck_assert_int_eq(decode(DLT_RAW, &ip), DECODE_TCP);
	ck_assert_uint_eq(pkt.sport, 40000);
	frame_ip6_push_ext(&ip, 0, EXT_HOPOPTS, 8, 0);
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_EXTENSION_CHAIN);
	ck_assert_str_eq(pkt.decode_message,
			 "more than 16 IPv6 extension headers: header 60 and what follows not read");
}
END_TEST

/*
 * Hundreds of alternating hop-by-hop and destination options headers: the
 * walk stops at the seventeenth with a finding, whole or cut anywhere past
 * it, without looping or reading past the packet; cut before it, the
 * packet is truncated.
 */
START_TEST(test_ipv6_hundreds_of_extensions)
{
	use_ipv6();
	struct frame ip = ip_packet(BARE_ACK);
	for (int i = 0; i < 400; i++)
		frame_ip6_push_ext(&ip, 0, i % 2 ? EXT_HOPOPTS : EXT_DSTOPTS, 8, 0);
	ck_assert_uint_eq(ip.len, IP6_LEN + 400 * 8 + TCP_LEN);
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_EXTENSION_CHAIN);
	for (size_t cut = IP6_LEN; cut < ip.len; cut++) {
		r = decode_cut(DLT_RAW, &ip, cut);
		enum finding_id want = cut < IP6_LEN + 16 * 8 + 2 ? F_DECODE_TRUNCATED : F_DECODE_IP_EXTENSION_CHAIN;
		ck_assert_msg(r == DECODE_BAD && pkt.decode_finding == want, "cut at %zu: %d %s", cut, (int)r,
			      pkt.decode_message);
	}
}
END_TEST

/* A chain whose last header names one more extension header exactly where the packet ends. */
START_TEST(test_ipv6_extension_chain_reaches_the_end)
{
	use_ipv6();
	struct frame ip = ip_packet(BARE_ACK);
	frame_ip6_push_ext(&ip, 0, EXT_DSTOPTS, 8, 0);
	ip.b[IP6_LEN] = EXT_HOPOPTS; /* the destination options header's next header */
	ip.len = IP6_LEN + 8;
	frame_set16(ip.b + IP6_PAYLOAD_LEN, 8);
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_EXTENSION);
	ck_assert_str_eq(pkt.decode_message, "IPv6 extension header 0 where the payload has 0 bytes left");

	/* The same chain cut by the snaplen instead: the IP length promises the next header. */
	frame_set16(ip.b + IP6_PAYLOAD_LEN, 16);
	ip.b[IP6_LEN] = EXT_FRAGMENT;
	memset(ip.b + ip.len, 0, 8);
	ip.len += 8;
	r = decode_cut(DLT_RAW, &ip, IP6_LEN + 8);
	assert_finding(r, DECODE_BAD, F_DECODE_TRUNCATED);
	ck_assert_str_eq(pkt.decode_message, "IPv6 fragment header cut by snaplen (48 bytes captured)");
}
END_TEST

START_TEST(test_ipv6_bad_extension)
{
	use_ipv6();
	struct frame ip = ip_packet(DATA);
	frame_ip6_push_ext(&ip, 0, EXT_HOPOPTS, 8, 0);
	ip.b[IP6_LEN + 1] = 20; /* 168 bytes, in a 128-byte payload */
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_EXTENSION);

	ip = ip_packet(DATA);
	frame_ip6_push_ext(&ip, 0, EXT_AH, 16, 0);
	ip.b[IP6_LEN + 1] = 60; /* (60 + 2) * 4 bytes */
	r = decode(DLT_RAW, &ip);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_EXTENSION);

	/* A fragment header in a payload too short for it. */
	ip = ip_packet(BARE_ACK);
	frame_ip6_push_ext(&ip, 0, EXT_FRAGMENT, 8, 0);
	frame_set16(ip.b + IP6_PAYLOAD_LEN, 4);
	r = decode(DLT_RAW, &ip);
	assert_finding(r, DECODE_BAD, F_DECODE_IP_BAD_EXTENSION);
}
END_TEST

START_TEST(test_ipv6_extension_truncated)
{
	use_ipv6();
	struct frame ip = ip_packet(DATA);
	frame_ip6_push_ext(&ip, 0, EXT_DSTOPTS, 16, 0);
	frame_ip6_push_ext(&ip, 0, EXT_FRAGMENT, 8, 0);
	for (size_t cut = IP6_LEN; cut < IP6_LEN + 24; cut++) {
		enum decode_result r = decode_cut(DLT_RAW, &ip, cut);
		ck_assert_msg(r == DECODE_BAD && pkt.decode_finding == F_DECODE_TRUNCATED, "cut at %zu: %d %s", cut,
			      (int)r, pkt.decode_message);
	}
}
END_TEST

START_TEST(test_ipv6_fragments)
{
	static const unsigned fields[] = {
		0x0001,	      /* first fragment: offset 0, M */
		185 << 3 | 1, /* a middle one */
		185 << 3,     /* the last one */
	};
	use_ipv6();
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		struct frame ip = ip_packet(DATA);
		frame_ip6_push_ext(&ip, 0, EXT_FRAGMENT, 8, fields[i]);
		enum decode_result r = decode(DLT_RAW, &ip);
		assert_finding(r, DECODE_BAD, F_DECODE_IP_FRAGMENT);
		ck_assert_uint_eq(pkt.ip_version, 6);
	}
}
END_TEST

START_TEST(test_ipv6_fragment_not_tcp)
{
	use_ipv6();
	struct frame ip = ip_packet(DATA);
	ip.b[IP6_NEXT] = PROTO_UDP;
	frame_ip6_push_ext(&ip, 0, EXT_FRAGMENT, 8, 0x0001);
	ck_assert_int_eq(decode(DLT_RAW, &ip), DECODE_NOT_TCP);
	ck_assert_int_eq(pkt.decode_finding, F_NONE);
}
END_TEST

/*
 * A jumbogram (RFC 2675): payload length 0 and the real length in a hop-by-hop
 * Jumbo Payload option, here with only the headers captured.
 */
START_TEST(test_ipv6_jumbo)
{
	use_ipv6();
	struct frame ip = ip_packet(BARE_ACK);
	frame_ip6_push_ext(&ip, 0, EXT_HOPOPTS, 8, 0);
	uint8_t *opt = ip.b + IP6_LEN + 2;
	opt[0] = 0xc2;
	opt[1] = 4;
	frame_set16(opt + 2, 70000 >> 16);
	frame_set16(opt + 4, 70000 & 0xffff);
	frame_set16(ip.b + IP6_PAYLOAD_LEN, 0);
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_clean(r);
	ck_assert_uint_eq(pkt.payload_len, 70000 - 8 - 20);
	ck_assert(!pkt.checksum_checked); /* 69992 bytes of segment, 20 captured */
}
END_TEST

START_TEST(test_tunnel_ipv4_in_ipv4)
{
	struct frame ip = ip_packet(DATA);
	ip4_wrap(&ip, PROTO_IPIP);
	struct frame f = frame_wrap(frame_put_ethernet, &ip, 4);
	enum decode_result r = decode(DLT_EN10MB, &f);
	assert_clean(r);
	assert_data(4); /* the inner addresses */
}
END_TEST

START_TEST(test_tunnel_ipv6_in_ipv4)
{
	use_ipv6();
	struct frame ip = ip_packet(DATA);
	ip4_wrap(&ip, PROTO_IPV6);
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_clean(r);
	assert_data(6);
}
END_TEST

START_TEST(test_tunnel_in_ipv6)
{
	struct frame ip = ip_packet(DATA);
	ip6_wrap(&ip, PROTO_IPIP);
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_clean(r);
	assert_data(4);

	use_ipv6();
	ip = ip_packet(DATA);
	ip6_wrap(&ip, PROTO_IPV6);
	r = decode(DLT_RAW, &ip);
	assert_clean(r);
	assert_data(6);
}
END_TEST

/* Two levels of tunnel are followed, a third is not. */
START_TEST(test_tunnel_depth)
{
	/* Three tunnels deep is decoded; a fourth is not followed. */
	struct frame ip = ip_packet(DATA);
	ip4_wrap(&ip, PROTO_IPIP);
	ip4_wrap(&ip, PROTO_IPIP);
	ip4_wrap(&ip, PROTO_IPIP);
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_clean(r);
	assert_data(4);
	ip4_wrap(&ip, PROTO_IPIP);
	ck_assert_int_eq(decode(DLT_RAW, &ip), DECODE_NOT_TCP);
}
END_TEST

START_TEST(test_tunnel_inner_truncated)
{
	struct frame ip = ip_packet(DATA);
	ip4_wrap(&ip, PROTO_IPIP);
	enum decode_result r = decode_cut(DLT_RAW, &ip, IP4_LEN + 10);
	assert_finding(r, DECODE_BAD, F_DECODE_TRUNCATED);
	r = decode_cut(DLT_RAW, &ip, IP4_LEN + IP4_LEN + 10);
	assert_finding(r, DECODE_BAD, F_DECODE_TRUNCATED);
}
END_TEST

/* ---- TCP header ---------------------------------------------------------- */

START_TEST(test_tcp_fields)
{
	struct frame ip = ip_packet("> SFRPEWU. 7:7(0) ack 9 win 1234");
	uint8_t *tcp = ip.b + IP4_LEN;
	tcp[TCP_OFFSET] |= 0x01; /* AE */
	frame_set16(tcp + TCP_URGENT, 0xbeef);
	struct decode_options no_verify = {.verify_checksums = false};
	memset(&pkt, 0, sizeof pkt);
	pkt.caplen = pkt.wirelen = (uint32_t)ip.len;
	enum decode_result r = decode_packet(DLT_RAW, ip.b, &no_verify, &pkt);
	assert_clean(r);
	ck_assert_uint_eq(pkt.flags, 0xff);
	ck_assert(pkt.ae);
	ck_assert_uint_eq(pkt.urgent, 0xbeef);
	ck_assert_uint_eq(pkt.seq, 1007);
	ck_assert_uint_eq(pkt.ack, 5009);
	ck_assert_uint_eq(pkt.window, 1234);
	ck_assert_uint_eq(pkt.header_len, 20);
	ck_assert_uint_eq(pkt.payload_len, 0);
	ck_assert(!pkt.checksum_checked);
}
END_TEST

START_TEST(test_tcp_server_direction)
{
	use_ipv6();
	struct frame f = eth_frame("< S. 0:0(0) ack 1");
	enum decode_result r = decode(DLT_EN10MB, &f);
	assert_clean(r);
	ck_assert_uint_eq(pkt.sport, 80);
	ck_assert_uint_eq(pkt.dport, 40000);
	ck_assert_uint_eq(pkt.seq, 5000);
	ck_assert_uint_eq(pkt.ack, 1001);
	ck_assert_mem_eq(pkt.src, sc.server_addr, 16);
}
END_TEST

START_TEST(test_tcp_bad_offset_small)
{
	for (unsigned words = 0; words < 5; words++) {
		struct frame ip = ip_packet(DATA);
		ip.b[IP4_LEN + TCP_OFFSET] = (uint8_t)(words << 4);
		enum decode_result r = decode(DLT_RAW, &ip);
		assert_finding(r, DECODE_BAD, F_DECODE_TCP_BAD_OFFSET);
	}
}
END_TEST

START_TEST(test_tcp_bad_offset_past_segment)
{
	struct frame ip = ip_packet(BARE_ACK);
	ip.b[IP4_LEN + TCP_OFFSET] = 6 << 4; /* 24 bytes in a 20-byte segment */
	enum decode_result r = decode(DLT_RAW, &ip);
	assert_finding(r, DECODE_BAD, F_DECODE_TCP_BAD_OFFSET);

	use_ipv6();
	ip = ip_packet("> P. 1:5(4) ack 1");
	ip.b[IP6_LEN + TCP_OFFSET] = 15 << 4; /* 60 bytes in a 24-byte segment */
	r = decode(DLT_RAW, &ip);
	assert_finding(r, DECODE_BAD, F_DECODE_TCP_BAD_OFFSET);
}
END_TEST

START_TEST(test_tcp_header_truncated)
{
	struct frame ip = ip_packet(DATA);
	for (size_t cut = IP4_LEN; cut < IP4_LEN + TCP_LEN; cut++) {
		enum decode_result r = decode_cut(DLT_RAW, &ip, cut);
		assert_finding(r, DECODE_BAD, F_DECODE_TRUNCATED);
	}
}
END_TEST

/* ---- TCP options --------------------------------------------------------- */

/* The option kinds the decoder saw, in wire order. */
#define assert_kinds(...)                                                                                              \
	do {                                                                                                           \
		static const uint8_t want_[] = {__VA_ARGS__};                                                          \
		ck_assert_uint_eq(pkt.opt.count, sizeof want_);                                                        \
		ck_assert_mem_eq(pkt.opt.kinds, want_, sizeof want_);                                                  \
	} while (0)

START_TEST(test_option_syn_set)
{
	enum decode_result r = decode_line(SYN);
	assert_clean(r);
	ck_assert_uint_eq(pkt.header_len, 40);
	assert_kinds(TCPOPT_MSS, TCPOPT_SACK_PERMITTED, TCPOPT_TIMESTAMP, TCPOPT_NOP, TCPOPT_WSCALE);
	ck_assert(pkt.opt.has_mss);
	ck_assert_uint_eq(pkt.opt.mss, 1460);
	ck_assert(pkt.opt.sack_permitted);
	ck_assert(pkt.opt.has_timestamps);
	ck_assert_uint_eq(pkt.opt.tsval, 100);
	ck_assert_uint_eq(pkt.opt.tsecr, 0);
	ck_assert(pkt.opt.has_wscale);
	ck_assert_uint_eq(pkt.opt.wscale, 7);
	ck_assert(!pkt.opt.has_tfo);
	ck_assert(!pkt.opt.has_mptcp);
	ck_assert_uint_eq(pkt.opt.sack_count, 0);
	ck_assert(!pkt.checksum_bad);
}
END_TEST

START_TEST(test_option_mss)
{
	enum decode_result r = decode_line("> S 0:0(0) <mss 536>");
	assert_clean(r);
	assert_kinds(TCPOPT_MSS);
	ck_assert(pkt.opt.has_mss);
	ck_assert_uint_eq(pkt.opt.mss, 536);
	ck_assert(!pkt.opt.has_wscale);
	ck_assert(!pkt.opt.sack_permitted);
}
END_TEST

START_TEST(test_option_wscale)
{
	enum decode_result r = decode_line("> S 0:0(0) <nop,wscale 14>");
	assert_clean(r);
	assert_kinds(TCPOPT_NOP, TCPOPT_WSCALE);
	ck_assert(pkt.opt.has_wscale);
	ck_assert_uint_eq(pkt.opt.wscale, 14);
	ck_assert(!pkt.opt.has_mss);
}
END_TEST

START_TEST(test_option_sack_permitted)
{
	enum decode_result r = decode_line("> S 0:0(0) <sackOK,nop,nop>");
	assert_clean(r);
	assert_kinds(TCPOPT_SACK_PERMITTED, TCPOPT_NOP, TCPOPT_NOP);
	ck_assert(pkt.opt.sack_permitted);
}
END_TEST

START_TEST(test_option_timestamps)
{
	enum decode_result r = decode_line("> . 1:1(0) ack 1 <nop,nop,TS val 4294967295 ecr 3735928559>");
	assert_clean(r);
	assert_kinds(TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP);
	ck_assert(pkt.opt.has_timestamps);
	ck_assert_uint_eq(pkt.opt.tsval, 0xffffffffu);
	ck_assert_uint_eq(pkt.opt.tsecr, 0xdeadbeefu);
}
END_TEST

/* SACK with one to four blocks, edges relative to the server's ISN (5000). */
START_TEST(test_option_sack_blocks)
{
	static const char *const lines[] = {
		"> . 1:1(0) ack 1 <nop,nop,sack 101:201>",
		"> . 1:1(0) ack 1 <nop,nop,sack 101:201 301:401>",
		"> . 1:1(0) ack 1 <nop,nop,sack 101:201 301:401 501:601>",
		"> . 1:1(0) ack 1 <nop,nop,sack 101:201 301:401 501:601 701:801>",
	};
	for (int n = 1; n <= 4; n++) {
		enum decode_result r = decode_line(lines[n - 1]);
		assert_clean(r);
		assert_kinds(TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK);
		ck_assert_uint_eq(pkt.header_len, 20 + 2 + 2 + 8 * n);
		ck_assert_uint_eq(pkt.opt.sack_count, n);
		for (int i = 0; i < n; i++) {
			ck_assert_uint_eq(pkt.opt.sack[i].left, 5000 + 101 + 200u * i);
			ck_assert_uint_eq(pkt.opt.sack[i].right, 5000 + 201 + 200u * i);
		}
	}
}
END_TEST

START_TEST(test_option_sack_with_timestamps)
{
	enum decode_result r = decode_line("> . 1:1(0) ack 1 <nop,nop,TS val 7 ecr 8,nop,nop,sack 1:2 3:4 5:6>");
	assert_clean(r);
	ck_assert_uint_eq(pkt.header_len, 60);
	assert_kinds(TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK);
	ck_assert_uint_eq(pkt.opt.tsval, 7);
	ck_assert_uint_eq(pkt.opt.tsecr, 8);
	ck_assert_uint_eq(pkt.opt.sack_count, 3);
	ck_assert_uint_eq(pkt.opt.sack[2].left, 5005);
	ck_assert_uint_eq(pkt.opt.sack[2].right, 5006);
}
END_TEST

START_TEST(test_option_tfo_cookie)
{
	enum decode_result r = decode_line("> S 0:10(10) <mss 1460,FO 0102030405060708>");
	assert_clean(r);
	assert_kinds(TCPOPT_MSS, TCPOPT_TFO, TCPOPT_EOL);
	ck_assert(pkt.opt.has_tfo);
	ck_assert_uint_eq(pkt.opt.tfo_cookie_len, 8);
	ck_assert_uint_eq(pkt.payload_len, 10);

	r = decode_line("> S 0:0(0) <FO 00112233445566778899aabbccddeeff>"); /* the longest, 16 bytes */
	assert_clean(r);
	ck_assert(pkt.opt.has_tfo);
	ck_assert_uint_eq(pkt.opt.tfo_cookie_len, 16);

	r = decode_line("> S 0:0(0) <FO 01020304>"); /* the shortest, 4 bytes */
	assert_clean(r);
	ck_assert_uint_eq(pkt.opt.tfo_cookie_len, 4);
}
END_TEST

START_TEST(test_option_tfo_request)
{
	enum decode_result r = decode_line("> S 0:0(0) <mss 1460,FO>");
	assert_clean(r);
	assert_kinds(TCPOPT_MSS, TCPOPT_TFO, TCPOPT_EOL);
	ck_assert(pkt.opt.has_tfo);
	ck_assert_uint_eq(pkt.opt.tfo_cookie_len, 0);
}
END_TEST

/* The experimental TFO option: kind 254 with ExID 0xF989 (RFC 6994). */
START_TEST(test_option_tfo_experimental)
{
	enum decode_result r = decode_line("> S 0:0(0) <opt 254 f989>");
	assert_clean(r);
	assert_kinds(TCPOPT_EXPERIMENTAL);
	ck_assert(pkt.opt.has_tfo);
	ck_assert_uint_eq(pkt.opt.tfo_cookie_len, 0);

	r = decode_line("> S 0:0(0) <opt 254 f9890102030405060708>");
	assert_clean(r);
	ck_assert(pkt.opt.has_tfo);
	ck_assert_uint_eq(pkt.opt.tfo_cookie_len, 8);

	r = decode_line("> S 0:0(0) <opt 254 1234abcd>"); /* another experiment */
	assert_clean(r);
	assert_kinds(TCPOPT_EXPERIMENTAL, TCPOPT_EOL);
	ck_assert(!pkt.opt.has_tfo);

	r = decode_line("> S 0:0(0) <opt 254, nop, nop>"); /* too short to hold an ExID */
	assert_clean(r);
	ck_assert(!pkt.opt.has_tfo);
}
END_TEST

START_TEST(test_option_mptcp)
{
	enum decode_result r = decode_line("> S 0:0(0) <mss 1460,mptcp>");
	assert_clean(r);
	assert_kinds(TCPOPT_MSS, TCPOPT_MPTCP);
	ck_assert(pkt.opt.has_mptcp);
	ck_assert(pkt.opt.has_mss);

	r = decode_line("> . 1:1(0) ack 1 <mptcp>"); /* the 20-byte form */
	assert_clean(r);
	assert_kinds(TCPOPT_MPTCP);
	ck_assert_uint_eq(pkt.header_len, 40);
	ck_assert(pkt.opt.has_mptcp);
}
END_TEST

START_TEST(test_option_unknown)
{
	enum decode_result r = decode_line("> S 0:0(0) <opt 99 0a0b0c,mss 1400,opt 200,nop>");
	assert_clean(r);
	assert_kinds(99, TCPOPT_MSS, 200, TCPOPT_NOP);
	ck_assert(pkt.opt.has_mss); /* skipped by length, parsing went on */
	ck_assert_uint_eq(pkt.opt.mss, 1400);
	ck_assert(!pkt.opt.has_wscale);
	ck_assert(!pkt.opt.has_tfo);
	ck_assert(!pkt.opt.has_mptcp);
}
END_TEST

/* Nothing after EOL is an option (RFC 9293 §3.2). */
START_TEST(test_option_eol_ends_list)
{
	enum decode_result r = decode_line("> S 0:0(0) <nop,eol,raw 020405b4 030307>");
	assert_clean(r);
	assert_kinds(TCPOPT_NOP, TCPOPT_EOL);
	ck_assert(!pkt.opt.has_mss);
	ck_assert(!pkt.opt.has_wscale);
	ck_assert_uint_eq(pkt.header_len, 32);
}
END_TEST

START_TEST(test_option_forty_nops)
{
	struct frame f = eth_frame("> . 1:1(0) ack 1 <raw 01010101010101010101 01010101010101010101 "
				   "01010101010101010101 01010101010101010101>");
	enum decode_result r = decode(DLT_EN10MB, &f);
	assert_clean(r);
	ck_assert_uint_eq(pkt.header_len, 60);
	ck_assert_uint_eq(pkt.opt.count, 40);
	for (int i = 0; i < 40; i++)
		ck_assert_uint_eq(pkt.opt.kinds[i], TCPOPT_NOP);
}
END_TEST

/* Each way an option length can be impossible; the packet stays usable. */
START_TEST(test_option_bad_length)
{
	static const char *const lines[] = {
		"> S 0:0(0) <raw 6301>",				    /* below 2 */
		"> S 0:0(0) <raw 6300>",				    /* zero */
		"> S 0:0(0) <raw 020305>",				    /* MSS of 3 */
		"> S 0:0(0) <raw 02050000 00>",				    /* MSS of 5 */
		"> S 0:0(0) <raw 03040700>",				    /* window scale of 4 */
		"> S 0:0(0) <raw 030207>",				    /* window scale of 2 */
		"> S 0:0(0) <raw 040300>",				    /* SACK-permitted of 3 */
		"> . 1:1(0) ack 1 <raw 0802 0000>",			    /* timestamps of 2 */
		"> . 1:1(0) ack 1 <raw 0809 00000001 000000>",		    /* timestamps of 9 */
		"> . 1:1(0) ack 1 <raw 0502>",				    /* SACK without a block */
		"> . 1:1(0) ack 1 <raw 0509 0000000100000002 00>",	    /* SACK of 9 */
		"> . 1:1(0) ack 1 <raw 050e 0000000100000002 00000003>",    /* SACK of 14 */
		"> S 0:0(0) <raw 2203 01>",				    /* TFO of 3 */
		"> S 0:0(0) <raw 2205 010203>",				    /* TFO cookie of 3 */
		"> S 0:0(0) <raw 2213 0102030405060708090a0b0c0d0e0f1011>", /* TFO cookie of 17 */
		"> S 0:0(0) <raw 630a 0000>",				    /* runs past the header */
		"> S 0:0(0) <mss 1460, raw 1eff>",			    /* runs far past the header */
		"> S 0:0(0) <nop,nop,nop,raw 63>",			    /* no room for a length byte */
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct frame f = eth_frame(lines[i]);
		enum decode_result r = decode(DLT_EN10MB, &f);
		ck_assert_msg(r == DECODE_TCP && pkt.decode_finding == F_DECODE_TCP_BAD_OPTION_LENGTH,
			      "\"%s\": result %d, %s: %s", lines[i], (int)r, finding_info(pkt.decode_finding)->code,
			      pkt.decode_message);
		ck_assert_uint_eq(pkt.sport, 40000);
		ck_assert(!pkt.checksum_bad);
	}
}
END_TEST

START_TEST(test_option_bad_length_keeps_earlier)
{
	enum decode_result r = decode_line("> S 0:0(0) <mss 1460,sackOK,raw 0304 0700,nop,wscale 7>");
	assert_finding(r, DECODE_TCP, F_DECODE_TCP_BAD_OPTION_LENGTH);
	ck_assert(pkt.opt.has_mss);
	ck_assert_uint_eq(pkt.opt.mss, 1460);
	ck_assert(pkt.opt.sack_permitted);
	ck_assert(!pkt.opt.has_wscale); /* after the bad one: ignored */
	ck_assert_uint_eq(pkt.opt.count, 3);
}
END_TEST

/* An option that ends exactly at the end of the header is fine. */
START_TEST(test_option_fills_header)
{
	enum decode_result r = decode_line("> S 0:0(0) <opt 99 0000>");
	assert_clean(r);
	r = decode_line("> S 0:0(0) <nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,"
			"nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,opt 99 0102030405060708>");
	assert_clean(r);
	ck_assert_uint_eq(pkt.header_len, 60);
	ck_assert_uint_eq(pkt.opt.count, 31);
}
END_TEST

/* Options cut by the snaplen: a usable packet, decode.truncated, what was there parsed. */
START_TEST(test_options_cut_by_snaplen)
{
	struct frame f = eth_frame(SYN);
	size_t options = ETH_LEN + IP4_LEN + TCP_LEN;

	enum decode_result r = decode_cut(DLT_EN10MB, &f, options + 5); /* MSS, then SACK-permitted's kind */
	assert_finding(r, DECODE_TCP, F_DECODE_TRUNCATED);
	ck_assert_uint_eq(pkt.header_len, 40);
	ck_assert(pkt.opt.has_mss);
	ck_assert(!pkt.opt.sack_permitted);
	ck_assert(!pkt.checksum_checked);
	ck_assert_uint_eq(pkt.seq, 1000);
	ck_assert_uint_eq(pkt.flags, TCP_SYN);

	r = decode_cut(DLT_EN10MB, &f, options + 3); /* inside the MSS value */
	assert_finding(r, DECODE_TCP, F_DECODE_TRUNCATED);
	ck_assert(!pkt.opt.has_mss);

	r = decode_cut(DLT_EN10MB, &f, options + 11); /* inside the timestamps */
	assert_finding(r, DECODE_TCP, F_DECODE_TRUNCATED);
	ck_assert(pkt.opt.sack_permitted);
	ck_assert(!pkt.opt.has_timestamps);

	for (size_t cut = options; cut < f.len; cut++) {
		r = decode_cut(DLT_EN10MB, &f, cut);
		ck_assert_msg(r == DECODE_TCP && pkt.decode_finding == F_DECODE_TRUNCATED, "cut at %zu: %d %s", cut,
			      (int)r, pkt.decode_message);
	}
	r = decode_cut(DLT_EN10MB, &f, f.len);
	assert_clean(r);
}
END_TEST

/* Header-only capture of a big segment: lengths come from the IP header. */
START_TEST(test_header_only_capture)
{
	struct frame f = eth_frame("> P. 1:1449(1448) ack 1 <nop,nop,TS val 1 ecr 2>");
	enum decode_result r = decode_cut(DLT_EN10MB, &f, ETH_LEN + IP4_LEN + 32);
	assert_clean(r);
	ck_assert_uint_eq(pkt.payload_len, 1448);
	ck_assert_uint_eq(pkt.caplen, ETH_LEN + IP4_LEN + 32);
	ck_assert(pkt.opt.has_timestamps);
	ck_assert(!pkt.checksum_checked);
}
END_TEST

/* ---- checksums ----------------------------------------------------------- */

START_TEST(test_checksum_good)
{
	enum decode_result r = decode_line(DATA);
	assert_clean(r);
	ck_assert(pkt.checksum_checked);
	ck_assert(!pkt.checksum_bad);

	r = decode_line("> P. 1:6(5) ack 1 <TS val 1 ecr 2>"); /* odd length */
	assert_clean(r);
	ck_assert(pkt.checksum_checked);
	ck_assert(!pkt.checksum_bad);

	use_ipv6();
	r = decode_line("> P. 1:8(7) ack 1");
	assert_clean(r);
	ck_assert(pkt.checksum_checked);
	ck_assert(!pkt.checksum_bad);
}
END_TEST

START_TEST(test_checksum_bad)
{
	struct frame f = eth_frame(DATA);
	f.b[f.len - 1] ^= 0x01; /* a payload bit */
	enum decode_result r = decode(DLT_EN10MB, &f);
	assert_clean(r); /* a bad checksum is not a decode finding */
	ck_assert(pkt.checksum_checked);
	ck_assert(pkt.checksum_bad);

	f = eth_frame("> P. 1:6(5) ack 1");
	f.b[f.len - 1] ^= 0x80; /* the odd last byte counts as the high half of a word */
	decode(DLT_EN10MB, &f);
	ck_assert(pkt.checksum_bad);

	f = eth_frame(SYN);
	f.b[ETH_LEN + 12] ^= 0x01; /* the source address, in the pseudo-header */
	decode(DLT_EN10MB, &f);
	ck_assert(pkt.checksum_bad);

	use_ipv6();
	f = eth_frame(DATA);
	f.b[ETH_LEN + 8 + 15] ^= 0x10;
	decode(DLT_EN10MB, &f);
	ck_assert(pkt.checksum_checked);
	ck_assert(pkt.checksum_bad);
}
END_TEST

START_TEST(test_checksum_not_verified)
{
	struct frame f = eth_frame(DATA);
	f.b[f.len - 1] ^= 0x01;
	struct decode_options off = {.verify_checksums = false};
	memset(&pkt, 0, sizeof pkt);
	pkt.caplen = pkt.wirelen = (uint32_t)f.len;
	enum decode_result r = decode_packet(DLT_EN10MB, f.b, &off, &pkt);
	assert_clean(r);
	ck_assert(!pkt.checksum_checked);
	ck_assert(!pkt.checksum_bad);

	decode_cut(DLT_EN10MB, &f, f.len - 1); /* the payload is not all there */
	ck_assert(!pkt.checksum_checked);
	ck_assert(!pkt.checksum_bad);
}
END_TEST

/* ---- the scenario helper, checked against the decoder -------------------- */

static void assert_same_options(const struct tcp_options *a, const struct tcp_options *b)
{
	ck_assert_int_eq(a->has_mss, b->has_mss);
	ck_assert_int_eq(a->has_wscale, b->has_wscale);
	ck_assert_int_eq(a->sack_permitted, b->sack_permitted);
	ck_assert_int_eq(a->has_timestamps, b->has_timestamps);
	ck_assert_int_eq(a->has_tfo, b->has_tfo);
	ck_assert_int_eq(a->has_mptcp, b->has_mptcp);
	ck_assert_uint_eq(a->mss, b->mss);
	ck_assert_uint_eq(a->wscale, b->wscale);
	ck_assert_uint_eq(a->tfo_cookie_len, b->tfo_cookie_len);
	ck_assert_uint_eq(a->tsval, b->tsval);
	ck_assert_uint_eq(a->tsecr, b->tsecr);
	ck_assert_uint_eq(a->sack_count, b->sack_count);
	for (int i = 0; i < a->sack_count; i++) {
		ck_assert_uint_eq(a->sack[i].left, b->sack[i].left);
		ck_assert_uint_eq(a->sack[i].right, b->sack[i].right);
	}
	ck_assert_uint_eq(a->count, b->count);
	ck_assert_mem_eq(a->kinds, b->kinds, a->count);
}

/* scenario_packet() fills exactly what decoding scenario_frame() yields. */
START_TEST(test_scenario_packet_matches_frame)
{
	static const char *const lines[] = {
		SYN,
		"+0.25 < S. 0:0(0) ack 1 win 65160 <mss 1400,sackOK,TS val 9 ecr 100,nop,wscale 9,FO 01020304>",
		"> . 1:1(0) ack 1 <nop,nop,sack 1:100 200:300>",
		DATA,
		"< . 1:1(0) ack 101 win 0",
		"> FP. 101:151(50) ack 1 <mptcp,opt 99 0a0b>",
		"< R. 1:1(0) ack 152",
		"> EW 0:0(0) <FO>",
	};
	for (int version = 4; version <= 6; version += 2) {
		scenario_init(&sc);
		if (version == 6)
			use_ipv6();
		sc.client_isn = 0xffffff00u; /* sequence numbers wrap during the scenario */
		struct scenario twin = sc;
		for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
			struct packet want;
			scenario_packet(&twin, lines[i], &want);
			struct frame f;
			int64_t t;
			f.len = scenario_frame(&sc, lines[i], f.b, sizeof f.b, &t);
			enum decode_result r = decode(DLT_EN10MB, &f);
			assert_clean(r);
			ck_assert_int_eq(want.time_ns, t);
			ck_assert_uint_eq(want.frame, sc.frame);
			ck_assert_uint_eq(want.caplen, f.len);
			ck_assert_uint_eq(want.wirelen, f.len);
			ck_assert_int_eq(want.linktype, pkt.linktype);
			ck_assert_uint_eq(want.ip_version, pkt.ip_version);
			ck_assert_uint_eq(want.ip_ttl, pkt.ip_ttl);
			ck_assert_uint_eq(want.ip_ecn, pkt.ip_ecn);
			ck_assert_mem_eq(want.src, pkt.src, 16);
			ck_assert_mem_eq(want.dst, pkt.dst, 16);
			ck_assert_uint_eq(want.sport, pkt.sport);
			ck_assert_uint_eq(want.dport, pkt.dport);
			ck_assert_uint_eq(want.seq, pkt.seq);
			ck_assert_uint_eq(want.ack, pkt.ack);
			ck_assert_uint_eq(want.window, pkt.window);
			ck_assert_uint_eq(want.flags, pkt.flags);
			ck_assert_uint_eq(want.header_len, pkt.header_len);
			ck_assert_uint_eq(want.payload_len, pkt.payload_len);
			ck_assert_int_eq(want.decode_finding, F_NONE);
			assert_same_options(&want.opt, &pkt.opt);
			ck_assert(pkt.checksum_checked);
			ck_assert(!pkt.checksum_bad);
		}
	}
}
END_TEST

START_TEST(test_scenario_numbers)
{
	struct packet p;
	sc.client_isn = 0xfffffff0u;
	sc.server_isn = 7;
	scenario_packet(&sc, "> P. 100:110(10) ack 3", &p);
	ck_assert_uint_eq(p.seq, 0xfffffff0u + 100);
	ck_assert_uint_eq(p.ack, 10);
	ck_assert_uint_eq(p.flags, TCP_PSH | TCP_ACK);
	ck_assert_int_eq(p.time_ns, 1000001000000LL);
	ck_assert_uint_eq(p.frame, 1);

	scenario_packet(&sc, "+1.5 < . 3:3(0) ack 110 <sack 4294967295:5>", &p);
	ck_assert_int_eq(p.time_ns, 1001501000000LL);
	ck_assert_uint_eq(p.frame, 2);
	ck_assert_uint_eq(p.seq, 10);
	ck_assert_uint_eq(p.ack, 0xfffffff0u + 110);
	ck_assert_uint_eq(p.opt.sack[0].left, 0xffffffefu);
	ck_assert_uint_eq(p.opt.sack[0].right, 0xfffffff5u);
	ck_assert_uint_eq(p.sport, 80);

	scenario_packet(&sc, "+0.000000001 > . 110:110(0)", &p); /* no "ack N": the field stays 0 */
	ck_assert_int_eq(p.time_ns, 1001501000001LL);
	ck_assert_uint_eq(p.ack, 0);
	ck_assert_uint_eq(p.flags, TCP_ACK);
	ck_assert_uint_eq(p.window, 65535);
}
END_TEST

START_TEST(test_scenario_pcap)
{
	static const char *const lines[] = {SYN, "< S. 0:0(0) ack 1", "> . 1:1(0) ack 1", DATA};
	char path[] = "/tmp/check-decode-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	scenario_write_pcap(&sc, path, lines, 4);

	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	ck_assert_msg(p != NULL, "%s", err);
	ck_assert_int_eq(pcap_datalink(p), DLT_EN10MB);
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int n = 0;
	while (pcap_next_ex(p, &hdr, &data) == 1) {
		n++;
		memset(&pkt, 0, sizeof pkt);
		pkt.caplen = hdr->caplen;
		enum decode_result r = decode_packet(DLT_EN10MB, data, &verify, &pkt);
		assert_clean(r);
		ck_assert(!pkt.checksum_bad);
		ck_assert_int_eq(hdr->ts.tv_sec, 1000);
		ck_assert_int_eq(hdr->ts.tv_usec, 1000 * n);
	}
	ck_assert_int_eq(n, 4);
	pcap_close(p);
	unlink(path);
}
END_TEST

/* Syntax errors abort (the line is named on stderr). */
static const char *const bad_lines[] = {
	"S 0:0(0)",				  /* no direction */
	"> 0:0(0)",				  /* no flags */
	"> X 0:0(0)",				  /* unknown flag */
	"> S 0:1(0)",				  /* END != START + LEN */
	"> S 0:0(0",				  /* unclosed */
	"> S 0:0(0) ack",			  /* ack without a number */
	"> S 0:0(0) win 65536",			  /* window out of range */
	"> S 0:0(0) <mss>",			  /* option without its value */
	"> S 0:0(0) <bogus 3>",			  /* unknown option */
	"> S 0:0(0) <mss 1460",			  /* unclosed option list */
	"> S 0:0(0) <FO 123>",			  /* odd hex digits */
	"> S 0:0(0) <sack 1:2 3:4 5:6 7:8 9:10>", /* five SACK blocks */
	"> S 0:0(0) <TS val 1 ecr 2,TS val 1 ecr 2,TS val 1 ecr 2,TS val 1 ecr 2,TS val 1 ecr 2>", /* > 40 bytes */
	"+x > S 0:0(0)",									   /* bad time */
	"> S 0:0(0) trailing",									   /* junk at the end */
	"> S 4294967296:4294967296(0)", /* sequence out of range */
};

START_TEST(test_scenario_syntax_error)
{
	struct packet p;
	scenario_packet(&sc, bad_lines[_i], &p);
}
END_TEST

START_TEST(test_scenario_frame_too_small)
{
	uint8_t small[40];
	scenario_frame(&sc, DATA, small, sizeof small, NULL);
}
END_TEST

static Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("link");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_link_decodes, 0, LINK_CASES);
	tcase_add_loop_test(tc, test_tunnel_decodes, 0, (int)(sizeof tunnel_cases / sizeof tunnel_cases[0]));
	tcase_add_test(tc, test_tunnel_lookalikes);
	tcase_add_loop_test(tc, test_link_truncated_everywhere, 0, LINK_CASES);
	tcase_add_test(tc, test_null_ipv6_families);
	tcase_add_test(tc, test_null_unknown_family);
	tcase_add_test(tc, test_ppp_compressed_protocol);
	tcase_add_test(tc, test_ppp_not_ip);
	tcase_add_test(tc, test_nflog_tlv_handling);
	tcase_add_test(tc, test_llc_without_snap);
	tcase_add_test(tc, test_mpls_without_bottom);
	tcase_add_test(tc, test_not_ip_link_payloads);
	tcase_add_test(tc, test_unsupported_linktype);
	suite_add_tcase(s, tc);

	tc = tcase_create("ip");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_ip_version_mismatch);
	tcase_add_test(tc, test_ip_version_unknown);
	tcase_add_test(tc, test_ipv4_fields);
	tcase_add_test(tc, test_ipv6_fields);
	tcase_add_test(tc, test_ipv4_options);
	tcase_add_test(tc, test_ipv4_options_bad_length);
	tcase_add_test(tc, test_ipv4_ah);
	tcase_add_test(tc, test_ipv4_options_truncated);
	tcase_add_test(tc, test_ipv4_bad_ihl);
	tcase_add_test(tc, test_ipv4_bad_length);
	tcase_add_test(tc, test_ipv4_length_no_room_for_tcp);
	tcase_add_test(tc, test_ipv6_length_no_room_for_tcp);
	tcase_add_test(tc, test_ip_length_ignores_trailer);
	tcase_add_test(tc, test_ip_length_zero_offload);
	tcase_add_test(tc, test_ipv4_fragments);
	tcase_add_test(tc, test_ipv4_fragment_not_tcp);
	tcase_add_test(tc, test_ipv4_not_tcp);
	tcase_add_test(tc, test_ipv6_extension_chain);
	tcase_add_test(tc, test_ipv6_each_extension);
	tcase_add_test(tc, test_ipv6_not_tcp);
	tcase_add_test(tc, test_ipv6_too_many_extensions);
	tcase_add_test(tc, test_ipv6_bad_extension);
	tcase_add_test(tc, test_ipv6_hundreds_of_extensions);
	tcase_add_test(tc, test_ipv6_extension_chain_reaches_the_end);
	tcase_add_test(tc, test_ipv6_extension_truncated);
	tcase_add_test(tc, test_ipv6_fragments);
	tcase_add_test(tc, test_ipv6_fragment_not_tcp);
	tcase_add_test(tc, test_ipv6_jumbo);
	tcase_add_test(tc, test_tunnel_ipv4_in_ipv4);
	tcase_add_test(tc, test_tunnel_ipv6_in_ipv4);
	tcase_add_test(tc, test_tunnel_in_ipv6);
	tcase_add_test(tc, test_tunnel_depth);
	tcase_add_test(tc, test_tunnel_inner_truncated);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_tcp_fields);
	tcase_add_test(tc, test_tcp_server_direction);
	tcase_add_test(tc, test_tcp_bad_offset_small);
	tcase_add_test(tc, test_tcp_bad_offset_past_segment);
	tcase_add_test(tc, test_tcp_header_truncated);
	tcase_add_test(tc, test_option_syn_set);
	tcase_add_test(tc, test_option_mss);
	tcase_add_test(tc, test_option_wscale);
	tcase_add_test(tc, test_option_sack_permitted);
	tcase_add_test(tc, test_option_timestamps);
	tcase_add_test(tc, test_option_sack_blocks);
	tcase_add_test(tc, test_option_sack_with_timestamps);
	tcase_add_test(tc, test_option_tfo_cookie);
	tcase_add_test(tc, test_option_tfo_request);
	tcase_add_test(tc, test_option_tfo_experimental);
	tcase_add_test(tc, test_option_mptcp);
	tcase_add_test(tc, test_option_unknown);
	tcase_add_test(tc, test_option_eol_ends_list);
	tcase_add_test(tc, test_option_forty_nops);
	tcase_add_test(tc, test_option_bad_length);
	tcase_add_test(tc, test_option_bad_length_keeps_earlier);
	tcase_add_test(tc, test_option_fills_header);
	tcase_add_test(tc, test_options_cut_by_snaplen);
	tcase_add_test(tc, test_header_only_capture);
	tcase_add_test(tc, test_checksum_good);
	tcase_add_test(tc, test_checksum_bad);
	tcase_add_test(tc, test_checksum_not_verified);
	suite_add_tcase(s, tc);

	tc = tcase_create("scenario");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_scenario_packet_matches_frame);
	tcase_add_test(tc, test_scenario_numbers);
	tcase_add_test(tc, test_scenario_pcap);
	suite_add_tcase(s, tc);
	return s;
}

/* Tests that expect abort(): they need Check's fork mode (CK_FORK=no would die). */
static TCase *scenario_abort_tcase(void)
{
	TCase *tc = tcase_create("scenario errors");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test_raise_signal(tc, test_scenario_syntax_error, SIGABRT, 0,
					 (int)(sizeof bad_lines / sizeof bad_lines[0]));
	tcase_add_test_raise_signal(tc, test_scenario_frame_too_small, SIGABRT);
	return tc;
}

int main(void)
{
	Suite *s = decode_suite();
	SRunner *sr = srunner_create(s);
	if (srunner_fork_status(sr) != CK_NOFORK)
		suite_add_tcase(s, scenario_abort_tcase());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
