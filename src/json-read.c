/*
 * json-read.c - the strict JSON reader of json-read.h. Each function skips
 * the white space before its token (RFC 8259 §2: space, tab, LF, CR), checks
 * what it reads, and on the first error records it and leaves the reader
 * where it stopped, so the caller can say where the text went wrong.
 */
#include "config.h"

#include <string.h>

#include "json-read.h"
#include "text-utf8.h"

void json_reader_init(struct json_reader *jr, const char *text, size_t len)
{
	memset(jr, 0, sizeof *jr);
	jr->text = jr->p = text;
	jr->end = text + len;
}

bool json_fail(struct json_reader *jr, const char *error)
{
	if (!jr->error) {
		jr->error = error;
		jr->error_offset = (size_t)(jr->p - jr->text);
	}
	return false;
}

static void skip_space(struct json_reader *jr)
{
	while (jr->p < jr->end && (*jr->p == ' ' || *jr->p == '\t' || *jr->p == '\n' || *jr->p == '\r'))
		jr->p++;
}

/* The next significant character, 0 at the end or after an error. */
static char peek(struct json_reader *jr)
{
	if (jr->error)
		return 0;
	skip_space(jr);
	return jr->p < jr->end ? *jr->p : 0;
}

static bool take(struct json_reader *jr, char c, const char *error)
{
	if (peek(jr) != c)
		return json_fail(jr, error);
	jr->p++;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* §7: a string, from its opening quote; plain_only refuses escapes. The text between the quotes in span. */
static bool read_string(struct json_reader *jr, struct json_span *span, bool plain_only)
{
	if (!take(jr, '"', "a string was expected"))
		return false;
	const char *start = jr->p;
	for (;;) {
		unsigned char c = (unsigned char)*jr->p;
		if (jr->p >= jr->end)
			return json_fail(jr, "the text ends inside a string");
		if (c == '"')
			break;
		if (c < 0x20)
			return json_fail(jr, "a control character inside a string");
		if (c == '\\') {
			if (plain_only)
				return json_fail(jr, "an escape where a plain name was expected");
			char e = jr->p[1];
			if (e == 'u') {
				for (int i = 2; i < 6; i++)
					if (!is_hex(jr->p[i]))
						return json_fail(jr, "a \\u escape without four hex digits");
				jr->p += 6;
			} else if (e && strchr("\"\\/bfnrt", e)) {
				jr->p += 2;
			} else {
				return json_fail(jr, "an unknown escape in a string");
			}
			continue;
		}
		uint32_t cp;
		size_t n = c < 0x80 ? 1 : utf8_decode((const unsigned char *)jr->p, &cp);
		if (n == 0)
			return json_fail(jr, "a string that is not UTF-8");
		jr->p += n;
	}
	if (span)
		*span = (struct json_span){start, (size_t)(jr->p - start)};
	jr->p++;
	return true;
}

/* §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool read_number(struct json_reader *jr)
{
	const char *p = jr->p;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (is_digit(*p))
			p++;
	else
		return json_fail(jr, "a malformed number");
	if (*p == '.') {
		if (!is_digit(*++p))
			return json_fail(jr, "a malformed number");
		while (is_digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		if (*++p == '+' || *p == '-')
			p++;
		if (!is_digit(*p))
			return json_fail(jr, "a malformed number");
		while (is_digit(*p))
			p++;
	}
	jr->p = p;
	return true;
}

static bool read_literal(struct json_reader *jr, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(jr->end - jr->p) < n || memcmp(jr->p, word, n) != 0)
		return json_fail(jr, "an unexpected character");
	jr->p += n;
	return true;
}

static bool open_container(struct json_reader *jr, char c, const char *error)
{
	if (!take(jr, c, error))
		return false;
	if (++jr->depth > JSON_MAX_DEPTH)
		return json_fail(jr, "nested too deeply");
	jr->after_open = true;
	return true;
}

bool json_object_begin(struct json_reader *jr)
{
	return open_container(jr, '{', "an object was expected");
}

bool json_array_begin(struct json_reader *jr)
{
	return open_container(jr, '[', "an array was expected");
}

/* Whether the container has another item: a comma before every item but the first; false at close (consumed). */
static bool next_item(struct json_reader *jr, char close)
{
	bool first = jr->after_open;
	jr->after_open = false;
	char c = peek(jr);
	if (jr->error)
		return false;
	if (c == close) {
		jr->p++;
		jr->depth--;
		return false;
	}
	return first || take(jr, ',', close == '}' ? "a ',' or '}' was expected" : "a ',' or ']' was expected");
}

bool json_object_next(struct json_reader *jr, struct json_span *key)
{
	return next_item(jr, '}') && read_string(jr, key, false) && take(jr, ':', "a ':' was expected");
}

bool json_array_next(struct json_reader *jr)
{
	return next_item(jr, ']');
}

bool json_skip_value(struct json_reader *jr, struct json_span *span)
{
	char c = peek(jr);
	const char *start = jr->p;
	bool ok;
	if (c == '{') {
		ok = json_object_begin(jr);
		while (ok && json_object_next(jr, NULL))
			ok = json_skip_value(jr, NULL);
	} else if (c == '[') {
		ok = json_array_begin(jr);
		while (ok && json_array_next(jr))
			ok = json_skip_value(jr, NULL);
	} else if (c == '"') {
		ok = read_string(jr, NULL, false);
	} else if (c == '-' || is_digit(c)) {
		ok = read_number(jr);
	} else if (c == 't' || c == 'f' || c == 'n') {
		ok = read_literal(jr, c == 't' ? "true" : c == 'f' ? "false" : "null");
	} else {
		ok = json_fail(jr, c ? "an unexpected character" : "the text ends where a value was expected");
	}
	ok = ok && !jr->error;
	if (ok && span)
		*span = (struct json_span){start, (size_t)(jr->p - start)};
	return ok;
}

bool json_u64(struct json_reader *jr, uint64_t *v, struct json_span *span)
{
	struct json_span s;
	if (!is_digit(peek(jr)) || !json_skip_value(jr, &s))
		return json_fail(jr, "a count was expected");
	uint64_t n = 0;
	for (size_t i = 0; i < s.len; i++) {
		unsigned d = (unsigned)(s.start[i] - '0');
		if (d > 9 || n > (UINT64_MAX - d) / 10)
			return json_fail(jr, "a count was expected");
		n = n * 10 + d;
	}
	*v = n;
	if (span)
		*span = s;
	return true;
}

bool json_plain_string(struct json_reader *jr, struct json_span *span)
{
	return read_string(jr, span, true);
}

bool json_null(struct json_reader *jr)
{
	if (peek(jr) != 'n')
		return false;
	return read_literal(jr, "null");
}

bool json_end(struct json_reader *jr)
{
	return peek(jr) == 0 && !jr->error && (jr->p == jr->end || json_fail(jr, "a NUL inside the text"));
}

bool json_span_is(struct json_span span, const char *s)
{
	return strlen(s) == span.len && memcmp(span.start, s, span.len) == 0;
}
