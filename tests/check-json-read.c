/*
 * check-json-read.c - Check suite for the strict JSON reader
 * (src/json-read.c): every kind of value is skipped whole, with its span;
 * objects and arrays step member by member; counts are exact to 2^64 - 1;
 * and what RFC 8259 forbids is refused with the offset where it went wrong
 * (bad literals and numbers, controls, bad escapes and UTF-8 in strings,
 * missing or trailing commas, unclosed containers, nesting past the limit,
 * text after the document).
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "json-read.h"

/* Skips the one value of text; true if it is valid and nothing follows. */
static bool valid(const char *text)
{
	struct json_reader jr;
	json_reader_init(&jr, text, strlen(text));
	return json_skip_value(&jr, NULL) && json_end(&jr);
}

START_TEST(test_values_accepted)
{
	static const char *const ok[] = {
		"null",
		"true",
		"false",
		"0",
		"-0",
		"12",
		"-3.25",
		"1e9",
		"1E+2",
		"2.5e-3",
		"\"\"",
		"\"a b\"",
		"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"",
		"\"caf\xc3\xa9 \xf0\x9f\x98\x80\"",
		"[]",
		"[1, [2, {}], \"x\"]",
		"{}",
		"{\"a\": 1, \"b\": {\"c\": [true, null]}}",
		" \t\r\n{ \"k\" :\n[ ] } \n",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		ck_assert_msg(valid(ok[i]), "refused: %s", ok[i]);
}
END_TEST

START_TEST(test_values_refused)
{
	static const char *const bad[] = {
		"",	     "nul",	"tru",	     "True",	  "01",		 "-",
		"1.",	     "1.e3",	".5",	     "1e",	  "+1",		 "\"abc",
		"\"a\x01\"", "\"\\x\"", "\"\\u12\"", "\"\xff\"",  "\"\xc3\"",	 "\"\xed\xa0\x80\"",
		"[1,]",	     "[1 2]",	"[",	     "{\"a\" 1}", "{\"a\": 1,}", "{a: 1}",
		"{\"a\": 1", "1 2",	"[] x",	     "{\"a\": }", "[,1]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!valid(bad[i]), "accepted: %s", bad[i]);
}
END_TEST

START_TEST(test_depth_limit)
{
	char deep[2 * JSON_MAX_DEPTH + 8];
	memset(deep, '[', JSON_MAX_DEPTH);
	memset(deep + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
	deep[2 * JSON_MAX_DEPTH] = '\0';
	ck_assert(valid(deep));
	memset(deep, '[', JSON_MAX_DEPTH + 1);
	memset(deep + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
	deep[2 * JSON_MAX_DEPTH + 2] = '\0';
	ck_assert(!valid(deep));
}
END_TEST

START_TEST(test_error_offset_sticks)
{
	const char *text = "{\"a\": [1, 2,, 3]}";
	struct json_reader jr;
	json_reader_init(&jr, text, strlen(text));
	ck_assert(!json_skip_value(&jr, NULL));
	ck_assert_ptr_nonnull(jr.error);
	ck_assert_uint_eq(jr.error_offset, 12); /* the second comma */
	const char *first = jr.error;
	ck_assert(!json_skip_value(&jr, NULL));
	ck_assert(!json_end(&jr));
	ck_assert_ptr_eq(jr.error, first);
	ck_assert_uint_eq(jr.error_offset, 12);
}
END_TEST

START_TEST(test_walk_object)
{
	const char *text =
		"{\"id\": 7, \"name\": \"x\\\"y\", \"list\": [1, {\"z\": null}], \"big\": 18446744073709551615}";
	struct json_reader jr;
	struct json_span key, span;
	uint64_t v;
	json_reader_init(&jr, text, strlen(text));
	ck_assert(json_object_begin(&jr));
	ck_assert(json_object_next(&jr, &key) && json_span_is(key, "id"));
	ck_assert(json_u64(&jr, &v, &span));
	ck_assert_uint_eq(v, 7);
	ck_assert_uint_eq((size_t)(span.start - text), 7);
	ck_assert_uint_eq(span.len, 1);
	ck_assert(json_object_next(&jr, &key) && json_span_is(key, "name"));
	ck_assert(!json_plain_string(&jr, &span)); /* it has an escape */
	json_reader_init(&jr, text, strlen(text));
	ck_assert(json_object_begin(&jr) && json_object_next(&jr, &key) && json_skip_value(&jr, NULL));
	ck_assert(json_object_next(&jr, &key) && json_skip_value(&jr, &span));
	ck_assert_uint_eq(span.len, strlen("\"x\\\"y\""));
	ck_assert(json_object_next(&jr, &key) && json_span_is(key, "list"));
	ck_assert(json_array_begin(&jr));
	ck_assert(json_array_next(&jr) && json_u64(&jr, &v, NULL) && v == 1);
	ck_assert(json_array_next(&jr) && json_skip_value(&jr, &span));
	ck_assert(json_span_is(span, "{\"z\": null}"));
	ck_assert(!json_array_next(&jr) && !jr.error);
	ck_assert(json_object_next(&jr, &key) && json_span_is(key, "big"));
	ck_assert(json_u64(&jr, &v, NULL));
	ck_assert(v == UINT64_MAX);
	ck_assert(!json_object_next(&jr, &key) && !jr.error);
	ck_assert(json_end(&jr));
}
END_TEST

START_TEST(test_counts_refused)
{
	static const char *const bad[] = {"18446744073709551616", "-1", "1.0", "1e3", "\"1\"", "null"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct json_reader jr;
		uint64_t v;
		json_reader_init(&jr, bad[i], strlen(bad[i]));
		ck_assert_msg(!json_u64(&jr, &v, NULL), "taken as a count: %s", bad[i]);
	}
}
END_TEST

START_TEST(test_nul_inside)
{
	const char text[] = "[1]\0[2]";
	struct json_reader jr;
	json_reader_init(&jr, text, sizeof text - 1);
	ck_assert(json_skip_value(&jr, NULL));
	ck_assert(!json_end(&jr));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json-read");
	TCase *tc = tcase_create("reader");
	tcase_add_test(tc, test_values_accepted);
	tcase_add_test(tc, test_values_refused);
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_error_offset_sticks);
	tcase_add_test(tc, test_walk_object);
	tcase_add_test(tc, test_counts_refused);
	tcase_add_test(tc, test_nul_inside);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
