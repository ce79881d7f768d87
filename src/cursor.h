/*
 * cursor.h - bounds-checked reading of untrusted packet bytes.
 *
 * Every read of packet data in the decoders goes through a cursor: a pointer,
 * the number of bytes left, and a sticky "short" flag. Reading past the end
 * yields zero and sets the flag, so a decoder reads a whole header and checks
 * once afterwards instead of testing every field. Multi-byte getters assemble
 * big-endian values byte by byte; packet bytes are never cast to host structs.
 * A cursor borrows its bytes: they belong to the capture source and stay valid
 * only until the next packet is read.
 */
#ifndef TCPSCOPE_CURSOR_H
#define TCPSCOPE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t *p;
	size_t left;
	bool short_read; /* a read went past the end: the data is truncated */
};

/*
 * Big-endian values at p, for a decoder that has checked once that a whole
 * fixed-size header is there (the common case, read without a test per field).
 */
static inline uint16_t load_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline struct cursor cursor_make(const uint8_t *p, size_t len)
{
	struct cursor c = {p, len, false};
	return c;
}

/* Advances by n bytes, or to the end (setting short_read) if fewer are left. */
static inline void cursor_skip(struct cursor *c, size_t n)
{
	if (n > c->left) {
		c->p += c->left;
		c->left = 0;
		c->short_read = true;
		return;
	}
	c->p += n;
	c->left -= n;
}

static inline uint8_t cursor_u8(struct cursor *c)
{
	if (c->left < 1) {
		c->short_read = true;
		return 0;
	}
	uint8_t v = c->p[0];
	cursor_skip(c, 1);
	return v;
}

static inline uint16_t cursor_be16(struct cursor *c)
{
	if (c->left < 2) {
		cursor_skip(c, c->left);
		c->short_read = true;
		return 0;
	}
	uint16_t v = load_be16(c->p);
	cursor_skip(c, 2);
	return v;
}

static inline uint16_t cursor_le16(struct cursor *c)
{
	if (c->left < 2) {
		cursor_skip(c, c->left);
		c->short_read = true;
		return 0;
	}
	uint16_t v = (uint16_t)((unsigned)c->p[1] << 8 | c->p[0]);
	cursor_skip(c, 2);
	return v;
}

static inline uint32_t cursor_be32(struct cursor *c)
{
	if (c->left < 4) {
		cursor_skip(c, c->left);
		c->short_read = true;
		return 0;
	}
	uint32_t v = load_be32(c->p);
	cursor_skip(c, 4);
	return v;
}

static inline uint32_t cursor_le32(struct cursor *c)
{
	if (c->left < 4) {
		cursor_skip(c, c->left);
		c->short_read = true;
		return 0;
	}
	uint32_t v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 | (uint32_t)c->p[1] << 8 | c->p[0];
	cursor_skip(c, 4);
	return v;
}

/* Copies n bytes into out (zero-filling what is missing). */
static inline void cursor_copy(struct cursor *c, uint8_t *out, size_t n)
{
	if (n <= c->left) { /* the usual case, in one copy of a length often known when inlined */
		memcpy(out, c->p, n);
		cursor_skip(c, n);
		return;
	}
	memcpy(out, c->p, c->left);
	memset(out + c->left, 0, n - c->left);
	cursor_skip(c, n);
}

/*
 * Splits off the next n bytes as a cursor of their own and advances past them.
 * If fewer than n are left, the sub-cursor gets what there is and the parent
 * is marked short.
 */
static inline struct cursor cursor_take(struct cursor *c, size_t n)
{
	size_t have = n < c->left ? n : c->left;
	struct cursor sub = {c->p, have, false};
	cursor_skip(c, n);
	return sub;
}

#endif
