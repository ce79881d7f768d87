/*
 * check-text-safe.c - Check suite for the terminal-safety rule
 * (src/text-safe.c): what is escaped (C0 with ESC, DEL, C1 in UTF-8, bytes
 * that are not UTF-8), what is kept (printable ASCII, backslashes, valid
 * UTF-8 up to four bytes), and how the buffer writer cuts a string that does
 * not fit: never inside a character or an escape, always terminated.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text-safe.h"
#include "text-utf8.h"

static void expect_safe(const char *in, const char *want)
{
	char buf[256];
	ck_assert_str_eq(text_safe(buf, sizeof buf, in), want);
	ck_assert(text_is_safe(in) == (strcmp(in, want) == 0));

	char *mem = NULL;
	size_t memlen = 0;
	FILE *out = open_memstream(&mem, &memlen);
	ck_assert_ptr_nonnull(out);
	text_safe_write(out, in);
	fclose(out);
	ck_assert_str_eq(mem, want);
	free(mem);
}

/* The decoder every writer shares: lengths, code points, and each kind of ill-formed input (RFC 3629 §4). */
START_TEST(test_utf8_decode)
{
	static const struct {
		const char *bytes;
		size_t len;
		uint32_t cp;
	} cases[] = {
		{"A", 1, 'A'},
		{"\x7f", 1, 0x7f},
		{"\xc2\x80", 2, 0x80},
		{"\xc3\xa9", 2, 0xe9},
		{"\xe2\x94\x80", 3, 0x2500},
		{"\xef\xbf\xbd", 3, 0xfffd},
		{"\xf0\x9f\x98\x80", 4, 0x1f600},
		{"\xf4\x8f\xbf\xbf", 4, 0x10ffff},
		{"", 0, 0},		    /* the end */
		{"\x80", 0, 0},		    /* a continuation byte */
		{"\xc0\xaf", 0, 0},	    /* overlong '/' */
		{"\xe0\x80\xaf", 0, 0},	    /* overlong '/' */
		{"\xed\xa0\x80", 0, 0},	    /* a surrogate */
		{"\xf4\x90\x80\x80", 0, 0}, /* past U+10FFFF */
		{"\xf5\x80\x80\x80", 0, 0},
		{"\xe2\x94", 0, 0}, /* cut by the NUL */
		{"\xe2\x94"
		 "A",
		 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t cp = 0;
		size_t n = utf8_decode((const unsigned char *)cases[i].bytes, &cp);
		ck_assert_msg(n == cases[i].len, "case %zu: length %zu", i, n);
		if (n)
			ck_assert_msg(cp == cases[i].cp, "case %zu: U+%04X", i, (unsigned)cp);
	}
	ck_assert(utf8_is_control(0x1b) && utf8_is_control(0x7f) && utf8_is_control(0x9b));
	ck_assert(!utf8_is_control(' ') && !utf8_is_control(0xa0) && !utf8_is_control(0x2500));
}
END_TEST

START_TEST(test_kept)
{
	expect_safe("", "");
	expect_safe("capture-1.pcap", "capture-1.pcap");
	expect_safe("C:\\dir\\x1b", "C:\\dir\\x1b"); /* backslashes stay as they are */
	expect_safe("caf\xc3\xa9 \xe2\x94\x82 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x94\x82 \xf0\x9f\x98\x80");
	expect_safe("\xc2\xa0nbsp", "\xc2\xa0nbsp"); /* U+00A0, just past C1 */
}
END_TEST

START_TEST(test_escaped)
{
	expect_safe("\x1b]0;owned\x07title", "\\x1b]0;owned\\x07title");
	expect_safe("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H");
	expect_safe("a\nb\rc\td", "a\\x0ab\\x0dc\\x09d");
	expect_safe("del\x7f", "del\\x7f");
	expect_safe("\x01\x1f", "\\x01\\x1f");
	expect_safe("csi\xc2\x9b"
		    "31m",
		    "csi\\xc2\\x9b31m"); /* U+009B, C1 CSI in UTF-8 */
	expect_safe("\xc2\x80", "\\xc2\\x80");
	expect_safe("raw\x9b", "raw\\x9b");			 /* a lone 8-bit CSI: not UTF-8 */
	expect_safe("\xc0\xaf", "\\xc0\\xaf");			 /* overlong */
	expect_safe("\xed\xa0\x80", "\\xed\\xa0\\x80");		 /* a surrogate */
	expect_safe("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* past U+10FFFF */
	expect_safe("\xe2\x94", "\\xe2\\x94");			 /* cut short by the end */
	expect_safe("\xe2\x94x", "\\xe2\\x94x");
	expect_safe("\xff", "\\xff");
}
END_TEST

START_TEST(test_buffer_cuts)
{
	char buf[8];
	ck_assert_str_eq(text_safe(buf, sizeof buf, "abcdefghij"), "abcdefg");
	ck_assert_str_eq(text_safe(buf, sizeof buf, "abcde\x1b"), "abcde"); /* no half escape */
	ck_assert_str_eq(text_safe(buf, sizeof buf, "abc\x1bzz"), "abc\\x1b");
	ck_assert_str_eq(text_safe(buf, sizeof buf, "abcdef\xc3\xa9"), "abcdef"); /* no half character */
	ck_assert_str_eq(text_safe(buf, 1, "abc"), "");
	buf[0] = 'q';
	ck_assert_ptr_eq(text_safe(buf, 0, "abc"), buf);
	ck_assert_int_eq(buf[0], 'q');
}
END_TEST

int main(void)
{
	Suite *s = suite_create("text-safe");
	TCase *tc = tcase_create("rule");
	tcase_add_test(tc, test_utf8_decode);
	tcase_add_test(tc, test_kept);
	tcase_add_test(tc, test_escaped);
	tcase_add_test(tc, test_buffer_cuts);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
