/*
 * decode-tcp.c - the TCP header (RFC 9293 §3.1) and its options: MSS,
 * window scale, SACK-permitted, SACK blocks, timestamps, TFO (RFC 7413, and
 * its experimental kind 254), MPTCP and unknown kinds skipped by length.
 * A header cut by snaplen inside the options is still usable (the fixed part
 * is there) and carries decode.truncated; an impossible option length stops
 * option parsing with decode.tcp.bad_option_length.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "decode-internal.h"
#include "decode-wire.h"

enum { TFO_EXPERIMENT_ID = 0xf989 };

static bool option_length_ok(uint8_t kind, uint8_t len)
{
	switch (kind) {
	case TCPOPT_MSS:
		return len == 4;
	case TCPOPT_WSCALE:
		return len == 3;
	case TCPOPT_SACK_PERMITTED:
		return len == 2;
	case TCPOPT_SACK:
		return len >= 10 && (len - 2) % 8 == 0;
	case TCPOPT_TIMESTAMP:
		return len == 10;
	case TCPOPT_TFO:
		return len == 2 || (len >= 6 && len <= 18);
	default:
		return len >= 2;
	}
}

/* Reads the value of one option whose kind and length were validated. */
static void read_option(uint8_t kind, uint8_t len, struct cursor *v, struct tcp_options *opt)
{
	switch (kind) {
	case TCPOPT_MSS:
		opt->has_mss = true;
		opt->mss = cursor_be16(v);
		break;
	case TCPOPT_WSCALE:
		opt->has_wscale = true;
		opt->wscale = cursor_u8(v);
		break;
	case TCPOPT_SACK_PERMITTED:
		opt->sack_permitted = true;
		break;
	case TCPOPT_SACK:
		for (int i = 0; i < (len - 2) / 8 && opt->sack_count < TCP_MAX_SACK_BLOCKS; i++) {
			opt->sack[opt->sack_count].left = cursor_be32(v);
			opt->sack[opt->sack_count].right = cursor_be32(v);
			opt->sack_count++;
		}
		break;
	case TCPOPT_TIMESTAMP:
		opt->has_timestamps = true;
		opt->tsval = cursor_be32(v);
		opt->tsecr = cursor_be32(v);
		break;
	case TCPOPT_TFO:
		opt->has_tfo = true;
		opt->tfo_cookie_len = (uint8_t)(len - 2);
		break;
	case TCPOPT_EXPERIMENTAL:
		if (len >= 4 && cursor_be16(v) == TFO_EXPERIMENT_ID) {
			opt->has_tfo = true;
			opt->tfo_cookie_len = (uint8_t)(len - 4);
		}
		break;
	case TCPOPT_MPTCP:
		opt->has_mptcp = true;
		break;
	default:
		break;
	}
}

/*
 * NOP, NOP, timestamps: the options of nearly every segment but the SYNs of
 * a Linux or BSD connection. Sets what the general loop would have set.
 */
static bool parse_nop_nop_timestamps(struct cursor c, struct tcp_options *opt)
{
	static const uint8_t layout[4] = {TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP, 10};
	if (c.left != 12 || memcmp(c.p, layout, sizeof layout) != 0)
		return false;
	opt->kinds[0] = TCPOPT_NOP;
	opt->kinds[1] = TCPOPT_NOP;
	opt->kinds[2] = TCPOPT_TIMESTAMP;
	opt->count = 3;
	opt->has_timestamps = true;
	opt->tsval = load_be32(c.p + 4);
	opt->tsecr = load_be32(c.p + 8);
	return true;
}

static void parse_options(struct cursor c, bool cut, struct packet *pkt)
{
	struct tcp_options *opt = &pkt->opt;
	if (!cut && parse_nop_nop_timestamps(c, opt))
		return;
	while (c.left > 0) {
		uint8_t kind = cursor_u8(&c);
		if (opt->count < TCP_MAX_OPTIONS)
			opt->kinds[opt->count++] = kind;
		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP)
			continue;
		if (c.left == 0) {
			if (!cut)
				decode_fail(pkt, F_DECODE_TCP_BAD_OPTION_LENGTH, "option %u has no length byte", kind);
			return;
		}
		uint8_t len = cursor_u8(&c);
		if (!option_length_ok(kind, len)) {
			decode_fail(pkt, F_DECODE_TCP_BAD_OPTION_LENGTH, "option %u has impossible length %u", kind,
				    len);
			return;
		}
		if (len - 2u > c.left) {
			if (!cut)
				decode_fail(pkt, F_DECODE_TCP_BAD_OPTION_LENGTH,
					    "option %u of length %u runs past the header (%zu bytes left)", kind, len,
					    c.left + 2);
			return;
		}
		struct cursor value = cursor_take(&c, len - 2u);
		read_option(kind, len, &value, opt);
	}
}

static bool checksum_is_bad(struct cursor seg, uint32_t len, uint32_t pseudo_sum)
{
	uint32_t sum = pseudo_sum;
	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(seg.p[i] << 8 | seg.p[i + 1]);
	if (len & 1)
		sum += (uint32_t)seg.p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum != 0xffff;
}

enum decode_result decode_tcp(struct cursor seg, uint32_t ip_payload_len, uint32_t pseudo_sum,
			      const struct decode_options *opts, struct packet *pkt)
{
	struct cursor whole = seg;
	/*
	 * The fixed header is read in place with the load_be*() getters of
	 * cursor.h, once the cursor has said it is all there; a cut one is read
	 * as the cursor's own getters would, zeros past the end, and short_read
	 * then stops the decode below.
	 */
	uint8_t padded[TCP_FIXED_HEADER] = {0};
	const uint8_t *h = seg.p;
	if (seg.left < sizeof padded) {
		memcpy(padded, seg.p, seg.left);
		h = padded;
	}
	cursor_skip(&seg, sizeof padded);
	pkt->sport = load_be16(h + TCP_OFF_SPORT);
	pkt->dport = load_be16(h + TCP_OFF_DPORT);
	pkt->seq = load_be32(h + TCP_OFF_SEQ);
	pkt->ack = load_be32(h + TCP_OFF_ACK);
	uint8_t offset_byte = h[TCP_OFF_DATA_OFFSET];
	pkt->flags = h[TCP_OFF_FLAGS];
	pkt->window = load_be16(h + TCP_OFF_WINDOW);
	pkt->urgent = load_be16(h + TCP_OFF_URGENT);
	/* Everything but the two arrays, which are read only up to sack_count and count. */
	memset(&pkt->opt, 0, offsetof(struct tcp_options, sack));
	pkt->opt.count = 0;
	pkt->checksum_checked = pkt->checksum_bad = false;
	if (seg.short_read && whole.left == ip_payload_len) /* all there, the IP length is too short */
		return decode_fail(pkt, F_DECODE_IP_BAD_LENGTH, "IP payload of %u bytes has no room for a TCP header",
				   ip_payload_len);
	if (seg.short_read)
		return decode_fail(pkt, F_DECODE_TRUNCATED, "TCP header cut by snaplen: %zu of %d bytes captured",
				   whole.left, TCP_FIXED_HEADER);

	pkt->ae = offset_byte & 1;
	uint32_t header_len = (offset_byte >> 4) * 4u;
	pkt->header_len = (uint8_t)header_len;
	if (header_len < TCP_FIXED_HEADER)
		return decode_fail(pkt, F_DECODE_TCP_BAD_OFFSET, "TCP data offset %u words (< 5)", header_len / 4);
	if (header_len > ip_payload_len)
		return decode_fail(pkt, F_DECODE_TCP_BAD_OFFSET, "TCP header length %u exceeds IP payload length %u",
				   header_len, ip_payload_len);
	pkt->payload_len = ip_payload_len - header_len;

	bool cut = whole.left < header_len;
	parse_options(cursor_take(&seg, header_len - TCP_FIXED_HEADER), cut, pkt);
	if (cut && pkt->decode_finding == F_NONE)
		decode_fail(pkt, F_DECODE_TRUNCATED, "TCP options cut by snaplen: %zu of %u header bytes captured",
			    whole.left, header_len);

	if (opts->verify_checksums && whole.left >= ip_payload_len) {
		pkt->checksum_checked = true;
		pkt->checksum_bad = checksum_is_bad(whole, ip_payload_len, pseudo_sum);
	}
	return DECODE_TCP;
}
