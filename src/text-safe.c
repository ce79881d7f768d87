/*
 * text-safe.c - shows control characters and invalid UTF-8 as \xHH (the
 * rule is in text-safe.h). safe_run() finds how many leading bytes can go
 * out as they are; the byte after such a run is the one to escape. The
 * buffer and stream writers both loop over that one function.
 */
#include "config.h"

#include <string.h>

#include "text-safe.h"
#include "text-utf8.h"

/* Bytes of the well-formed, control-free UTF-8 at the start of s. */
static size_t safe_run(const unsigned char *s)
{
	size_t n = 0, len;
	uint32_t cp;
	while ((len = utf8_decode(s + n, &cp)) > 0 && !utf8_is_control(cp))
		n += len;
	return n;
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
