/*
 * json-read.h - a small, strict reader of JSON text (RFC 8259), for
 * `tcpscope merge`, which reads back the documents tcpscope wrote.
 *
 * The reader walks text held in memory in place and builds nothing: the
 * caller steps through objects and arrays, takes the numbers it needs and
 * skips the rest, and learns where each value lies (a span of the text), so
 * that a value can be copied out byte for byte. Everything it passes over is
 * checked against the grammar of RFC 8259 (§2 to §8: literals, numbers,
 * strings with their escapes and well-formed UTF-8, nesting up to
 * JSON_MAX_DEPTH); the first error sticks, with its offset, and every call
 * after it fails. The text must end with a NUL (the UTF-8 decoder stops at
 * one), which the reader treats as the end of the input.
 */
#ifndef TCPSCOPE_JSON_READ_H
#define TCPSCOPE_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

struct json_span {
	const char *start;
	size_t len;
};

struct json_reader {
	const char *text, *p, *end; /* end points at the NUL after the text */
	const char *error;	    /* the first error, or NULL */
	size_t error_offset;
	bool after_open; /* the last token opened an object or array: no comma before its first item */
	int depth;
};

void json_reader_init(struct json_reader *jr, const char *text, size_t len);
/* Skips one value of any kind, checking it; where its text lies in span (may be NULL). */
bool json_skip_value(struct json_reader *jr, struct json_span *span);
/* Consumes the '{' or '[' that opens an object or array. */
bool json_object_begin(struct json_reader *jr);
bool json_array_begin(struct json_reader *jr);
/*
 * The next member of the object begun last: its key (the text between the
 * quotes, escapes as written) in key, with the ':' after it consumed. False
 * at the closing brace, which it consumes, or on an error.
 */
bool json_object_next(struct json_reader *jr, struct json_span *key);
/* Whether the array begun last has another item (the reader is then at it); false at ']' (consumed) or an error. */
bool json_array_next(struct json_reader *jr);
/* A non-negative integer (no fraction, no exponent) that fits in 64 bits; where it lies in span (may be NULL). */
bool json_u64(struct json_reader *jr, uint64_t *v, struct json_span *span);
/* A string without escapes: its text, between the quotes, in span. */
bool json_plain_string(struct json_reader *jr, struct json_span *span);
/* Whether the next value is null (then consumed). */
bool json_null(struct json_reader *jr);
/* Checks that nothing but white space is left. */
bool json_end(struct json_reader *jr);
/* Records an error of the caller's at the current offset (the first error sticks); returns false. */
bool json_fail(struct json_reader *jr, const char *error);
/* Whether a span holds exactly the text s. */
bool json_span_is(struct json_span span, const char *s);

#endif
