/*
 * text-utf8.h - the one UTF-8 decoder. Strings that reach tcpscope's outputs come
 * from captures, the system and the user, so none of them can be trusted to
 * be UTF-8; every writer (the terminal-safe text rule, JSON, JUnit XML, the
 * UI's renderer) asks this decoder what a byte sequence is and then applies
 * its own format's rule to what is not a plain character.
 */
#ifndef TCPSCOPE_TEXT_UTF8_H
#define TCPSCOPE_TEXT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The length (1 to 4) of the well-formed UTF-8 sequence that starts at s,
 * with its code point in *cp; 0 when s does not start one (a NUL, a stray
 * continuation byte, an overlong form, a surrogate, a code point past
 * U+10FFFF, or a sequence cut short). Reads no byte past a NUL.
 */
size_t utf8_decode(const unsigned char *s, uint32_t *cp);

/* Whether cp is a C0 or C1 control or DEL: the code points that drive a terminal. */
static inline int utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

#endif
