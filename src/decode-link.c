/*
 * decode-link.c - link layers: strips the link header of each supported pcap
 * link type and finds the network protocol, then hands over to decode_ip().
 * Supported: Ethernet (802.1Q, QinQ, 802.3 LLC/SNAP, MPLS, PPPoE session),
 * Linux cooked SLL and SLL2, raw IP (DLT_RAW, LINKTYPE_IPV4/IPV6), BSD NULL and
 * LOOP, NFLOG, PPP, Cisco HDLC, FDDI, IEEE 802.11 data frames and PPI.
 */
#include "config.h"

#include <pcap/pcap.h>

#include "decode-internal.h"
#include "decode-wire.h"

enum {
	NFULA_PAYLOAD = 9,
	MAX_TAGS = 8, /* VLAN tags or MPLS labels followed before giving up */
};

enum net_proto decode_ethertype(uint16_t type)
{
	switch (type) {
	case ETHERTYPE_IPV4:
		return NET_IPV4;
	case ETHERTYPE_IPV6:
		return NET_IPV6;
	default:
		return NET_UNKNOWN;
	}
}

/* A PPP frame from its protocol field, which may be compressed to one byte (RFC 1661 §6.5). */
enum decode_result decode_ppp_payload(struct cursor c, const struct decode_options *opts, struct packet *pkt, int depth)
{
	uint16_t proto = cursor_u8(&c);
	if (!(proto & 1)) /* not compressed: a second byte follows */
		proto = (uint16_t)(proto << 8 | cursor_u8(&c));
	if (c.short_read)
		return decode_truncated(pkt, "PPP");
	if (proto == PPP_IPV4)
		return decode_ip(c, NET_IPV4, opts, pkt, depth);
	if (proto == PPP_IPV6)
		return decode_ip(c, NET_IPV6, opts, pkt, depth);
	return DECODE_NOT_TCP;
}

/* MPLS label stack (RFC 3032): skip to the bottom label, then guess IPv4/6. */
static enum decode_result decode_mpls(struct cursor c, const struct decode_options *opts, struct packet *pkt, int depth)
{
	for (int i = 0; i < MAX_TAGS; i++) {
		uint32_t entry = cursor_be32(&c);
		if (c.short_read)
			return decode_truncated(pkt, "MPLS");
		if (entry & 0x100)
			return decode_ip(c, NET_BY_VERSION, opts, pkt, depth);
	}
	return DECODE_NOT_TCP;
}

/* Ethernet II / 802.3 with any number (bounded) of VLAN tags. */
enum decode_result decode_ethernet(struct cursor c, const struct decode_options *opts, struct packet *pkt, int depth)
{
	cursor_skip(&c, 12);
	uint16_t type = cursor_be16(&c);
	for (int tags = 0;
	     tags < MAX_TAGS && (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD);
	     tags++) {
		cursor_skip(&c, 2);
		type = cursor_be16(&c);
	}
	if (c.short_read)
		return decode_truncated(pkt, "Ethernet");
	if (type <= 1500) {
		/* 802.3 length field: only LLC/SNAP (AA AA 03, OUI) carries an Ethernet type. */
		uint8_t dsap = cursor_u8(&c), ssap = cursor_u8(&c), ctrl = cursor_u8(&c);
		if (c.short_read)
			return decode_truncated(pkt, "LLC");
		if (dsap != 0xaa || ssap != 0xaa || ctrl != 0x03)
			return DECODE_NOT_TCP;
		cursor_skip(&c, 3);
		type = cursor_be16(&c);
		if (c.short_read)
			return decode_truncated(pkt, "LLC/SNAP");
	}
	switch (type) {
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MULTI:
		return decode_mpls(c, opts, pkt, depth);
	case ETHERTYPE_PPPOE_SESSION: {
		/* RFC 2516 §4: the length bounds the PPP frame; what follows is Ethernet padding. */
		cursor_skip(&c, 4);
		uint16_t length = cursor_be16(&c);
		if (c.short_read)
			return decode_truncated(pkt, "PPPoE");
		return decode_ppp_payload(cursor_take(&c, length), opts, pkt, depth);
	}
	default:
		return decode_ip(c, decode_ethertype(type), opts, pkt, depth);
	}
}

/*
 * IEEE 802.11 data frames (as tunnelled by Aruba GRE or captured with
 * DLT_IEEE802_11): the MAC header, then LLC/SNAP with an Ethernet type.
 * Management, control and protected (encrypted) frames carry no TCP we can read.
 */
enum decode_result decode_ieee80211(struct cursor c, const struct decode_options *opts, struct packet *pkt, int depth)
{
	uint8_t fc0 = cursor_u8(&c), fc1 = cursor_u8(&c);
	if (c.short_read)
		return decode_truncated(pkt, "802.11");
	if (((fc0 >> 2) & 3) != 2 || (fc0 & 0x40) || (fc1 & 0x40)) /* not data, null data, or protected */
		return DECODE_NOT_TCP;
	bool qos = fc0 & 0x80;
	size_t header = 24 - 2 + ((fc1 & 3) == 3 ? 6 : 0) + (qos ? 2 : 0) + (qos && (fc1 & 0x80) ? 4 : 0);
	cursor_skip(&c, header);
	uint8_t dsap = cursor_u8(&c), ssap = cursor_u8(&c), ctrl = cursor_u8(&c);
	cursor_skip(&c, 3);
	uint16_t type = cursor_be16(&c);
	if (c.short_read)
		return decode_truncated(pkt, "802.11");
	if (dsap != 0xaa || ssap != 0xaa || ctrl != 0x03)
		return DECODE_NOT_TCP;
	return decode_ip(c, decode_ethertype(type), opts, pkt, depth);
}

/* PPI (Per-Packet Information): a little-endian header naming the inner link type. */
static enum decode_result decode_ppi(struct cursor c, const struct decode_options *opts, struct packet *pkt)
{
	cursor_skip(&c, 2);
	uint16_t len = cursor_le16(&c);
	uint32_t dlt = cursor_le32(&c);
	if (c.short_read || len < 8)
		return decode_truncated(pkt, "PPI");
	cursor_skip(&c, len - 8u);
	if (c.short_read)
		return decode_truncated(pkt, "PPI");
	if (dlt == DLT_EN10MB)
		return decode_ethernet(c, opts, pkt, 0);
	if (dlt == DLT_IEEE802_11)
		return decode_ieee80211(c, opts, pkt, 0);
	return DECODE_NOT_TCP;
}

/* BSD loopback: a 4-byte address family, host order for NULL, network for LOOP. */
static enum decode_result decode_null(struct cursor c, bool big_endian, const struct decode_options *opts,
				      struct packet *pkt)
{
	uint32_t family = big_endian ? cursor_be32(&c) : cursor_le32(&c);
	if (c.short_read)
		return decode_truncated(pkt, "loopback");
	/* The writer's byte order is unknown for NULL: accept a swapped value too. */
	if (!big_endian && family > 0xffff)
		family = (family >> 24) | ((family >> 8) & 0xff00);
	switch (family) {
	case 2:
		return decode_ip(c, NET_IPV4, opts, pkt, 0);
	case 10: /* Linux */
	case 24: /* NetBSD, OpenBSD */
	case 28: /* FreeBSD */
	case 30: /* macOS */
		return decode_ip(c, NET_IPV6, opts, pkt, 0);
	default:
		return DECODE_NOT_TCP;
	}
}

/* NFLOG: a 4-byte header, then little-endian TLVs padded to 4 bytes. */
static enum decode_result decode_nflog(struct cursor c, const struct decode_options *opts, struct packet *pkt)
{
	uint8_t family = cursor_u8(&c);
	cursor_skip(&c, 3);
	while (c.left >= 4) {
		uint16_t len = cursor_le16(&c);
		uint16_t type = cursor_le16(&c) & 0x7fff;
		if (len < 4)
			return DECODE_NOT_TCP;
		struct cursor value = cursor_take(&c, len - 4u);
		cursor_skip(&c, (4 - len % 4) % 4);
		if (type == NFULA_PAYLOAD)
			return decode_ip(value, family == 10 ? NET_IPV6 : NET_IPV4, opts, pkt, 0);
	}
	if (c.short_read || c.left > 0 || pkt->caplen < pkt->wirelen) /* cut before the payload TLV */
		return decode_truncated(pkt, "NFLOG");
	return DECODE_NOT_TCP;
}

/* PPP in HDLC-like framing (RFC 1662): optional FF 03, then the protocol. */
static enum decode_result decode_ppp(struct cursor c, const struct decode_options *opts, struct packet *pkt)
{
	if (c.left >= 1 && c.p[0] == 0xff) /* address FF, control 03; 0x00ff is no protocol */
		cursor_skip(&c, 2);
	if (c.short_read)
		return decode_truncated(pkt, "PPP");
	return decode_ppp_payload(c, opts, pkt, 0);
}

bool decode_linktype_supported(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB:
	case DLT_IEEE802_11:
	case DLT_PPI:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_NFLOG:
	case DLT_PPP:
	case DLT_PPP_SERIAL:
	case DLT_C_HDLC:
	case DLT_FDDI:
		return true;
	default:
		return false;
	}
}

enum decode_result decode_packet(int linktype, const uint8_t *data, const struct decode_options *opts,
				 struct packet *pkt)
{
	struct cursor c = cursor_make(data, pkt->caplen);
	pkt->linktype = linktype;
	pkt->decode_finding = F_NONE;
	pkt->decode_message[0] = '\0';

	switch (linktype) {
	case DLT_EN10MB:
		return decode_ethernet(c, opts, pkt, 0);
	case DLT_IEEE802_11:
		return decode_ieee80211(c, opts, pkt, 0);
	case DLT_PPI:
		return decode_ppi(c, opts, pkt);
	case DLT_LINUX_SLL: {
		cursor_skip(&c, 14);
		uint16_t proto = cursor_be16(&c);
		if (c.short_read)
			return decode_truncated(pkt, "Linux cooked");
		return decode_ip(c, decode_ethertype(proto), opts, pkt, 0);
	}
	case DLT_LINUX_SLL2: {
		uint16_t proto = cursor_be16(&c);
		cursor_skip(&c, 18);
		if (c.short_read)
			return decode_truncated(pkt, "Linux cooked v2");
		return decode_ip(c, decode_ethertype(proto), opts, pkt, 0);
	}
	case DLT_RAW:
		return decode_ip(c, NET_BY_VERSION, opts, pkt, 0);
	case DLT_IPV4:
		return decode_ip(c, NET_IPV4, opts, pkt, 0);
	case DLT_IPV6:
		return decode_ip(c, NET_IPV6, opts, pkt, 0);
	case DLT_NULL:
		return decode_null(c, false, opts, pkt);
	case DLT_LOOP:
		return decode_null(c, true, opts, pkt);
	case DLT_NFLOG:
		return decode_nflog(c, opts, pkt);
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		return decode_ppp(c, opts, pkt);
	case DLT_C_HDLC: {
		cursor_skip(&c, 2);
		uint16_t proto = cursor_be16(&c);
		if (c.short_read)
			return decode_truncated(pkt, "Cisco HDLC");
		return decode_ip(c, decode_ethertype(proto), opts, pkt, 0);
	}
	case DLT_FDDI: {
		cursor_skip(&c, 13 + 6); /* frame control, addresses, LLC/SNAP up to the type */
		uint16_t proto = cursor_be16(&c);
		if (c.short_read)
			return decode_truncated(pkt, "FDDI");
		return decode_ip(c, decode_ethertype(proto), opts, pkt, 0);
	}
	default:
		return DECODE_NOT_TCP;
	}
}
