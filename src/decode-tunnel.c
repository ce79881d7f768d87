/*
 * decode-tunnel.c - TCP carried inside tunnels, so that a capture taken on a
 * tunnel endpoint or a mirror port shows its inner connections (as tshark
 * does on the same ports): GRE (RFC 2784/2890, PPTP's enhanced GRE,
 * transparent Ethernet bridging, ERSPAN II/III, Aruba's 802.11), and UDP to
 * the registered ports of VXLAN (RFC 7348), Geneve (RFC 8926), GTP-U,
 * Teredo (RFC 4380) and AYIYA. The inner packet's addresses and ports
 * replace the outer ones; depth bounds nesting.
 *
 * This is the decoder's one deliberate call loop: a tunnel carries a whole
 * packet, so this file calls back up into decode_ip() and the link decoders
 * of decode-link.c (decode_ethernet, decode_ieee80211, decode_ppp_payload)
 * for the inner one, and they reach it again only through decode-ip.c, one
 * level deeper. tests/module-cycles.sh lists these two edges as its only
 * exception.
 */
#include "config.h"

#include "decode-internal.h"

enum {
	GRE_CHECKSUM = 0x8000,
	GRE_KEY = 0x2000,
	GRE_SEQUENCE = 0x1000,
	GRE_ACK = 0x0080, /* enhanced GRE (RFC 2637) only */
	GRE_TRANSPARENT_ETHERNET = 0x6558,
	GRE_PPP = 0x880b,
	GRE_ERSPAN_2 = 0x88be,
	GRE_ERSPAN_3 = 0x22eb,
	GRE_ARUBA_80211 = 0x8200,
	PORT_GTP_U = 2152,
	PORT_TEREDO = 3544,
	PORT_VXLAN = 4789,
	PORT_AYIYA = 5072,
	PORT_GENEVE = 6081,
	UDP_HEADER_LEN = 8,
};

/* Dispatches on an Ethernet type, as GRE and Geneve name their payload. */
static enum decode_result decode_by_ethertype(struct cursor c, uint16_t type, const struct decode_options *opts,
					      struct packet *pkt, int depth)
{
	if (type == GRE_TRANSPARENT_ETHERNET)
		return decode_ethernet(c, opts, pkt, depth);
	return decode_ip(c, decode_ethertype(type), opts, pkt, depth);
}

enum decode_result decode_gre(struct cursor c, const struct decode_options *opts, struct packet *pkt, int depth)
{
	uint16_t flags = cursor_be16(&c);
	uint16_t proto = cursor_be16(&c);
	int version = flags & 7;
	size_t skip = 0;
	if (flags & GRE_CHECKSUM)
		skip += 4;
	if (flags & GRE_KEY)
		skip += 4;
	if (flags & GRE_SEQUENCE)
		skip += 4;
	if (version == 1 && (flags & GRE_ACK))
		skip += 4;
	cursor_skip(&c, skip);
	if (c.short_read)
		return decode_truncated(pkt, "GRE");
	switch (proto) {
	case GRE_PPP:
		if (c.left >= 2 && c.p[0] == 0xff && c.p[1] == 0x03)
			cursor_skip(&c, 2);
		return decode_ppp_payload(c, opts, pkt, depth);
	case GRE_ERSPAN_2:
		/* ERSPAN type I has no header (and no sequence number); type II has 8 bytes. */
		if (flags & GRE_SEQUENCE)
			cursor_skip(&c, 8);
		return decode_ethernet(c, opts, pkt, depth);
	case GRE_ERSPAN_3: {
		cursor_skip(&c, 11);
		uint8_t last = cursor_u8(&c);
		if (last & 1) /* O bit: an 8-byte platform-specific subheader follows */
			cursor_skip(&c, 8);
		return decode_ethernet(c, opts, pkt, depth);
	}
	case GRE_ARUBA_80211:
		return decode_ieee80211(c, opts, pkt, depth);
	default:
		return decode_by_ethertype(c, proto, opts, pkt, depth);
	}
}

/* GTP-U (3GPP TS 29.281): a G-PDU carries an IP packet after optional extension headers. */
static enum decode_result decode_gtp_u(struct cursor c, const struct decode_options *opts, struct packet *pkt,
				       int depth)
{
	uint8_t flags = cursor_u8(&c);
	uint8_t type = cursor_u8(&c);
	cursor_skip(&c, 6); /* length, TEID */
	if (c.short_read)
		return decode_truncated(pkt, "GTP-U");
	if ((flags >> 5) != 1 || type != 0xff)
		return DECODE_NOT_TCP;
	if (flags & 0x07) { /* sequence number, N-PDU number, next extension type */
		cursor_skip(&c, 3);
		uint8_t next = cursor_u8(&c);
		for (int i = 0; next != 0 && i < 8; i++) {
			uint8_t units = cursor_u8(&c);
			if (units == 0)
				return DECODE_NOT_TCP;
			cursor_skip(&c, units * 4u - 2);
			next = cursor_u8(&c);
		}
	}
	if (c.short_read)
		return decode_truncated(pkt, "GTP-U");
	return decode_ip(c, NET_BY_VERSION, opts, pkt, depth);
}

/* Teredo: IPv6 in UDP, after optional authentication and origin indication headers. */
static enum decode_result decode_teredo(struct cursor c, const struct decode_options *opts, struct packet *pkt,
					int depth)
{
	for (int i = 0; i < 2 && c.left >= 2 && c.p[0] == 0; i++) {
		if (c.p[1] == 1) { /* authentication: lengths, client id, auth value, nonce, confirmation */
			cursor_skip(&c, 2);
			uint8_t id_len = cursor_u8(&c), auth_len = cursor_u8(&c);
			cursor_skip(&c, id_len + auth_len + 9u);
		} else if (c.p[1] == 0) { /* origin indication */
			cursor_skip(&c, 8);
		} else {
			return DECODE_NOT_TCP;
		}
	}
	if (c.short_read)
		return decode_truncated(pkt, "Teredo");
	if (c.left < 1 || c.p[0] >> 4 != 6)
		return DECODE_NOT_TCP;
	return decode_ip(c, NET_IPV6, opts, pkt, depth);
}

/* AYIYA: identity and signature sizes in the header, then the next header. */
static enum decode_result decode_ayiya(struct cursor c, const struct decode_options *opts, struct packet *pkt,
				       int depth)
{
	uint8_t id = cursor_u8(&c), sig = cursor_u8(&c);
	cursor_skip(&c, 1);
	uint8_t next = cursor_u8(&c);
	cursor_skip(&c, 4 + (1u << (id >> 4)) + (sig >> 4) * 4u);
	if (c.short_read)
		return decode_truncated(pkt, "AYIYA");
	if (next == 41)
		return decode_ip(c, NET_IPV6, opts, pkt, depth);
	if (next == 4)
		return decode_ip(c, NET_IPV4, opts, pkt, depth);
	return DECODE_NOT_TCP;
}

enum decode_result decode_udp(struct cursor c, const struct decode_options *opts, struct packet *pkt, int depth)
{
	uint16_t sport = cursor_be16(&c), dport = cursor_be16(&c);
	cursor_skip(&c, 4); /* length, checksum */
	if (c.short_read)
		return DECODE_NOT_TCP; /* a cut UDP header: not ours to judge */
	uint16_t port = dport;
	for (int pass = 0; pass < 2; pass++, port = sport) {
		switch (port) {
		case PORT_VXLAN:
			cursor_skip(&c, 8);
			return c.short_read ? decode_truncated(pkt, "VXLAN") : decode_ethernet(c, opts, pkt, depth);
		case PORT_GENEVE: {
			uint8_t ver_optlen = cursor_u8(&c);
			cursor_skip(&c, 1);
			uint16_t proto = cursor_be16(&c);
			cursor_skip(&c, 4 + (ver_optlen & 0x3f) * 4u);
			if (c.short_read)
				return decode_truncated(pkt, "Geneve");
			return decode_by_ethertype(c, proto, opts, pkt, depth);
		}
		case PORT_GTP_U:
			return decode_gtp_u(c, opts, pkt, depth);
		case PORT_TEREDO:
			return decode_teredo(c, opts, pkt, depth);
		case PORT_AYIYA:
			return decode_ayiya(c, opts, pkt, depth);
		default:
			break;
		}
	}
	return DECODE_NOT_TCP;
}
