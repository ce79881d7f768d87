/*
 * frame.c - building packets byte by byte for the tests that craft frames
 * (check-decode, crafted): the appenders and patchers of a struct frame, IPv4
 * and IPv6 header helpers, and the link headers of the encapsulations both
 * programs write. See frame.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

static void fit(const struct frame *f, size_t n)
{
	if (f->len + n > FRAME_MAX) {
		fprintf(stderr, "frame: %zu bytes and %zu more exceed FRAME_MAX (%d)\n", f->len, n, FRAME_MAX);
		abort();
	}
}

void frame_put(struct frame *f, const uint8_t *p, size_t n)
{
	fit(f, n);
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

void frame_put8(struct frame *f, unsigned v)
{
	uint8_t b = (uint8_t)v;
	frame_put(f, &b, 1);
}

void frame_put16(struct frame *f, unsigned v)
{
	frame_put(f, BYTES((uint8_t)(v >> 8), (uint8_t)v));
}

void frame_put16le(struct frame *f, unsigned v)
{
	frame_put(f, BYTES((uint8_t)v, (uint8_t)(v >> 8)));
}

void frame_set16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

unsigned frame_get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

void frame_insert(struct frame *f, size_t at, const uint8_t *p, size_t n)
{
	fit(f, n);
	memmove(f->b + at + n, f->b + at, f->len - at);
	memcpy(f->b + at, p, n);
	f->len += n;
}

struct frame frame_eth(struct scenario *sc, const char *line, int64_t *time_ns)
{
	struct frame f;
	f.len = scenario_frame(sc, line, f.b, sizeof f.b, time_ns);
	return f;
}

struct frame frame_ip(struct scenario *sc, const char *line, int64_t *time_ns)
{
	struct frame f = frame_eth(sc, line, time_ns);
	memmove(f.b, f.b + ETH_LEN, f.len - ETH_LEN);
	f.len -= ETH_LEN;
	return f;
}

/* ---- IP headers ---------------------------------------------------------- */

void frame_ip4_fix_checksum(uint8_t *ip)
{
	size_t ihl = (ip[0] & 0x0f) * 4u;
	uint32_t sum = 0;
	frame_set16(ip + IP4_CHECKSUM, 0);
	for (size_t i = 0; i + 1 < ihl; i += 2)
		sum += frame_get16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	frame_set16(ip + IP4_CHECKSUM, ~sum & 0xffff);
}

void frame_put_ip4(struct frame *f, uint8_t proto, size_t payload_len)
{
	size_t at = f->len;
	frame_put(f, BYTES(0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, proto, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2));
	frame_set16(f->b + at + IP4_TOTAL_LEN, (unsigned)(IP4_LEN + payload_len));
	frame_ip4_fix_checksum(f->b + at);
}

void frame_ip6_push_ext(struct frame *f, size_t at, uint8_t type, size_t len, unsigned frag)
{
	uint8_t *ip = f->b + at;
	uint8_t ext[64] = {ip[IP6_NEXT]};
	if (len > sizeof ext) {
		fprintf(stderr, "frame: an extension header of %zu bytes (max %zu)\n", len, sizeof ext);
		abort();
	}
	if (type == EXT_AH)
		ext[1] = (uint8_t)(len / 4 - 2);
	else if (type != EXT_FRAGMENT)
		ext[1] = (uint8_t)(len / 8 - 1);
	if (type == EXT_FRAGMENT)
		frame_set16(ext + 2, frag);
	frame_insert(f, at + IP6_LEN, ext, len);
	ip[IP6_NEXT] = type;
	frame_set16(ip + IP6_PAYLOAD_LEN, (unsigned)(frame_get16(ip + IP6_PAYLOAD_LEN) + len));
}

/* ---- link headers -------------------------------------------------------- */

void frame_put_macs(struct frame *f)
{
	frame_put(f, BYTES(0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01));
}

unsigned frame_ethertype(int version)
{
	return version == 6 ? 0x86dd : 0x0800;
}

/* The PPP protocol number of IPv4 or IPv6. */
static unsigned ppp_protocol(int version)
{
	return version == 6 ? 0x0057 : 0x0021;
}

void frame_put_ethernet(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	frame_put_macs(f);
	frame_put16(f, frame_ethertype(version));
}

void frame_put_vlan(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	frame_put_macs(f);
	frame_put(f, BYTES(0x81, 0x00, 0x00, 0x64));
	frame_put16(f, frame_ethertype(version));
}

void frame_put_qinq(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	frame_put_macs(f);
	frame_put(f, BYTES(0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x64));
	frame_put16(f, frame_ethertype(version));
}

void frame_put_llc_snap(struct frame *f, size_t ip_len, int version)
{
	frame_put_macs(f);
	frame_put16(f, (unsigned)(ip_len + 8));
	frame_put(f, BYTES(0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00));
	frame_put16(f, frame_ethertype(version));
}

void frame_put_mpls(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	(void)version; /* the label stack says nothing of the IP version */
	frame_put_macs(f);
	frame_put(f, BYTES(0x88, 0x47, 0x00, 0x01, 0x10, 0x40, 0x00, 0x01, 0x01, 0x40));
}

void frame_put_pppoe(struct frame *f, size_t ip_len, int version)
{
	frame_put_macs(f);
	frame_put(f, BYTES(0x88, 0x64, 0x11, 0x00, 0x00, 0x01));
	frame_put16(f, (unsigned)(ip_len + 2));
	frame_put16(f, ppp_protocol(version));
}

void frame_put_sll(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	frame_put(f, BYTES(0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x02, 0, 0, 0, 0, 0x01, 0, 0));
	frame_put16(f, frame_ethertype(version));
}

void frame_put_sll2(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	frame_put16(f, frame_ethertype(version));
	frame_put(f, BYTES(0, 0, 0, 0, 0, 2, 0x00, 0x01, 0x00, 0x06, 0x02, 0, 0, 0, 0, 0x01, 0, 0));
}

void frame_put_raw(struct frame *f, size_t ip_len, int version)
{
	(void)f;
	(void)ip_len;
	(void)version;
}

void frame_put_loop(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	frame_put(f, BYTES(0, 0, 0, version == 6 ? 24 : 2));
}

void frame_put_nflog(struct frame *f, size_t ip_len, int version)
{
	frame_put(f, BYTES(version == 6 ? 10 : 2, 0, 0, 0));
	frame_put16le(f, 4 + 5); /* NFULA_PREFIX "eth0", padded to 4 */
	frame_put16le(f, 10);
	frame_put(f, BYTES('e', 't', 'h', '0', 0, 0, 0, 0));
	frame_put16le(f, (unsigned)(4 + ip_len)); /* NFULA_PAYLOAD */
	frame_put16le(f, 9);
}

void frame_put_ppp_hdlc(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	frame_put(f, BYTES(0xff, 0x03));
	frame_put16(f, ppp_protocol(version));
}

void frame_put_c_hdlc(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	frame_put(f, BYTES(0x0f, 0x00));
	frame_put16(f, frame_ethertype(version));
}

void frame_put_fddi(struct frame *f, size_t ip_len, int version)
{
	(void)ip_len;
	frame_put8(f, 0x50);
	frame_put_macs(f);
	frame_put(f, BYTES(0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00));
	frame_put16(f, frame_ethertype(version));
}

struct frame frame_wrap(frame_header_fn *header, const struct frame *ip, int version)
{
	struct frame f = {.len = 0};
	header(&f, ip->len, version);
	frame_put(&f, ip->b, ip->len);
	return f;
}
