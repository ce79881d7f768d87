/*
 * text-safe.c - shows control characters and invalid UTF-8 as \xHH (the
 * rule is in text-safe.h). safe_run() finds how many leading bytes can go
 * out as they are; the byte after such a run is the one to escape. The
 * buffer and stream writers both loop over that one function.
 */
#include "config.h"

#include <string.h>

#include "text-safe.h"

/* Bytes of the well-formed, control-free UTF-8 at the start of s (RFC 3629 §4). */
static size_t safe_run(const unsigned char *s)
{
	size_t n = 0;
	for (;;) {
		const unsigned char *p = s + n;
		unsigned char c = p[0];
		if (c >= 0x20 && c < 0x7f) {
			n++;
			continue;
		}
		size_t extra;
		unsigned char lo = 0x80, hi = 0xbf; /* the allowed range of the second byte */
		if (c >= 0xc2 && c <= 0xdf) {
			extra = 1;
			if (c == 0xc2)
				lo = 0xa0; /* U+0080 to U+009F are the C1 controls */
		} else if (c >= 0xe0 && c <= 0xef) {
			extra = 2;
			if (c == 0xe0)
				lo = 0xa0; /* no overlong forms */
			else if (c == 0xed)
				hi = 0x9f; /* no surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			extra = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f; /* nothing past U+10FFFF */
		} else {
			return n; /* a control, a NUL, or a byte that cannot start a character */
		}
		if (p[1] < lo || p[1] > hi)
			return n;
		for (size_t i = 2; i <= extra; i++)
			if (p[i] < 0x80 || p[i] > 0xbf)
				return n;
		n += extra + 1;
	}
}

bool text_is_safe(const char *s)
{
	return s[safe_run((const unsigned char *)s)] == '\0';
}

static const char hex_digits[] = "0123456789abcdef";

char *text_safe(char *dst, size_t len, const char *s)
{
	if (len == 0)
		return dst;
	const unsigned char *p = (const unsigned char *)s;
	size_t out = 0;
	while (*p) {
		size_t room = len - 1 - out, run = safe_run(p);
		bool cut = run > room;
		if (cut) {
			run = room;
			while (run > 0 && (p[run] & 0xc0) == 0x80) /* never split a character */
				run--;
		}
		memcpy(dst + out, p, run);
		out += run;
		p += run;
		if (cut || !*p || room - run < 4)
			break;
		dst[out++] = '\\';
		dst[out++] = 'x';
		dst[out++] = hex_digits[*p >> 4];
		dst[out++] = hex_digits[*p & 0xf];
		p++;
	}
	dst[out] = '\0';
	return dst;
}

void text_safe_write(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t run = safe_run(p);
		fwrite(p, 1, run, out);
		p += run;
		if (!*p)
			break;
		fprintf(out, "\\x%c%c", hex_digits[*p >> 4], hex_digits[*p & 0xf]);
		p++;
	}
}
