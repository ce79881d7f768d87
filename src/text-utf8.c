/*
 * text-utf8.c - decodes one UTF-8 sequence by the well-formed byte table of
 * RFC 3629 §4: the second byte's range depends on the first, which rules out
 * overlong forms, UTF-16 surrogates and code points past U+10FFFF.
 */
#include "config.h"

#include "text-utf8.h"

size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c == 0)
		return 0;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t extra;
	unsigned char lo = 0x80, hi = 0xbf; /* the allowed range of the second byte */
	uint32_t value;
	if (c >= 0xc2 && c <= 0xdf) {
		extra = 1;
		value = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		extra = 2;
		value = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0; /* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f; /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		extra = 3;
		value = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f; /* nothing past U+10FFFF */
	} else {
		return 0; /* a continuation byte, or 0xc0, 0xc1, 0xf5 to 0xff */
	}
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i <= extra; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	for (size_t i = 1; i <= extra; i++)
		value = value << 6 | (s[i] & 0x3f);
	*cp = value;
	return extra + 1;
}
