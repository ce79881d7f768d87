/*
 * check-cursor.c - Check suite for src/cursor.h, the bounds-checked reader
 * every decoder goes through. Each getter is tried with its bytes present,
 * exactly at the end, and past the end: a read past the end must yield zero,
 * consume what was left, and set the sticky short_read flag, which nothing
 * clears. cursor_copy zero-fills and cursor_take splits off a sub-cursor.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#include "cursor.h"

static const uint8_t bytes[] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};

START_TEST(test_make)
{
	struct cursor c = cursor_make(bytes, sizeof bytes);
	ck_assert_ptr_eq(c.p, bytes);
	ck_assert_uint_eq(c.left, 8);
	ck_assert(!c.short_read);

	struct cursor empty = cursor_make(NULL, 0);
	ck_assert_uint_eq(empty.left, 0);
	ck_assert(!empty.short_read);
}
END_TEST

START_TEST(test_u8)
{
	struct cursor c = cursor_make(bytes, 2);
	ck_assert_uint_eq(cursor_u8(&c), 0x12);
	ck_assert_uint_eq(cursor_u8(&c), 0x34); /* the last byte: still fine */
	ck_assert(!c.short_read);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_ptr_eq(c.p, bytes + 2);
	ck_assert_uint_eq(cursor_u8(&c), 0);
	ck_assert(c.short_read);
	ck_assert_ptr_eq(c.p, bytes + 2);
}
END_TEST

START_TEST(test_be16_le16)
{
	struct cursor c = cursor_make(bytes, 4);
	ck_assert_uint_eq(cursor_be16(&c), 0x1234);
	ck_assert_uint_eq(cursor_le16(&c), 0x7856);
	ck_assert(!c.short_read);
	ck_assert_uint_eq(c.left, 0);
}
END_TEST

START_TEST(test_be16_past_end)
{
	struct cursor c = cursor_make(bytes, 1);
	ck_assert_uint_eq(cursor_be16(&c), 0);
	ck_assert(c.short_read);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_ptr_eq(c.p, bytes + 1);
}
END_TEST

START_TEST(test_le16_past_end)
{
	struct cursor c = cursor_make(bytes, 1);
	ck_assert_uint_eq(cursor_le16(&c), 0);
	ck_assert(c.short_read);
	ck_assert_uint_eq(c.left, 0);
}
END_TEST

START_TEST(test_be32_le32)
{
	struct cursor c = cursor_make(bytes, 8);
	ck_assert_uint_eq(cursor_be32(&c), 0x12345678u);
	ck_assert_uint_eq(cursor_le32(&c), 0xf0debc9au);
	ck_assert(!c.short_read);
	ck_assert_uint_eq(c.left, 0);
}
END_TEST

/* With 0..3 bytes left a 32-bit read is past the end: zero, all consumed, short. */
START_TEST(test_be32_past_end)
{
	for (size_t have = 0; have < 4; have++) {
		struct cursor c = cursor_make(bytes, have);
		ck_assert_msg(cursor_be32(&c) == 0, "be32 with %zu bytes left must yield 0", have);
		ck_assert(c.short_read);
		ck_assert_uint_eq(c.left, 0);
		ck_assert_ptr_eq(c.p, bytes + have);
	}
}
END_TEST

START_TEST(test_le32_past_end)
{
	for (size_t have = 0; have < 4; have++) {
		struct cursor c = cursor_make(bytes, have);
		ck_assert_msg(cursor_le32(&c) == 0, "le32 with %zu bytes left must yield 0", have);
		ck_assert(c.short_read);
		ck_assert_uint_eq(c.left, 0);
	}
}
END_TEST

START_TEST(test_skip)
{
	struct cursor c = cursor_make(bytes, 8);
	cursor_skip(&c, 3);
	ck_assert_uint_eq(c.left, 5);
	ck_assert_uint_eq(cursor_u8(&c), 0x78);
	cursor_skip(&c, 4); /* exactly to the end */
	ck_assert(!c.short_read);
	ck_assert_uint_eq(c.left, 0);
	cursor_skip(&c, 0);
	ck_assert(!c.short_read);
}
END_TEST

START_TEST(test_skip_past_end)
{
	struct cursor c = cursor_make(bytes, 8);
	cursor_skip(&c, 9);
	ck_assert(c.short_read);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_ptr_eq(c.p, bytes + 8);
}
END_TEST

/* Once short, always short: later reads keep yielding zero and keep the flag. */
START_TEST(test_short_read_sticky)
{
	struct cursor c = cursor_make(bytes, 3);
	cursor_be16(&c);
	ck_assert_uint_eq(cursor_be16(&c), 0);
	ck_assert(c.short_read);
	cursor_skip(&c, 0);
	ck_assert(c.short_read);
	ck_assert_uint_eq(cursor_u8(&c), 0);
	ck_assert_uint_eq(cursor_be32(&c), 0);
	ck_assert_uint_eq(cursor_le16(&c), 0);
	ck_assert(c.short_read);
}
END_TEST

START_TEST(test_copy)
{
	uint8_t out[4] = {0xff, 0xff, 0xff, 0xff};
	struct cursor c = cursor_make(bytes, 8);
	cursor_copy(&c, out, 4);
	ck_assert_mem_eq(out, bytes, 4);
	ck_assert_uint_eq(c.left, 4);
	ck_assert(!c.short_read);
}
END_TEST

START_TEST(test_copy_past_end)
{
	uint8_t out[4] = {0xff, 0xff, 0xff, 0xff};
	static const uint8_t expect[4] = {0x12, 0x34, 0, 0};
	struct cursor c = cursor_make(bytes, 2);
	cursor_copy(&c, out, 4);
	ck_assert_mem_eq(out, expect, 4);
	ck_assert(c.short_read);
	ck_assert_uint_eq(c.left, 0);
}
END_TEST

START_TEST(test_take)
{
	struct cursor c = cursor_make(bytes, 8);
	struct cursor sub = cursor_take(&c, 3);
	ck_assert_ptr_eq(sub.p, bytes);
	ck_assert_uint_eq(sub.left, 3);
	ck_assert(!sub.short_read);
	ck_assert_ptr_eq(c.p, bytes + 3);
	ck_assert_uint_eq(c.left, 5);
	ck_assert(!c.short_read);

	/* The sub-cursor ends where it was cut, whatever follows in the parent. */
	ck_assert_uint_eq(cursor_be16(&sub), 0x1234);
	ck_assert_uint_eq(cursor_be16(&sub), 0);
	ck_assert(sub.short_read);
	ck_assert(!c.short_read);
	ck_assert_uint_eq(cursor_u8(&c), 0x78);
}
END_TEST

START_TEST(test_take_past_end)
{
	struct cursor c = cursor_make(bytes, 4);
	struct cursor sub = cursor_take(&c, 6);
	ck_assert_ptr_eq(sub.p, bytes);
	ck_assert_uint_eq(sub.left, 4);
	ck_assert(!sub.short_read);
	ck_assert(c.short_read);
	ck_assert_uint_eq(c.left, 0);
	ck_assert_uint_eq(cursor_be32(&sub), 0x12345678u);
	ck_assert(!sub.short_read);
}
END_TEST

START_TEST(test_take_zero)
{
	struct cursor c = cursor_make(bytes, 8);
	struct cursor sub = cursor_take(&c, 0);
	ck_assert_uint_eq(sub.left, 0);
	ck_assert_uint_eq(c.left, 8);
	ck_assert(!c.short_read);
	ck_assert_uint_eq(cursor_u8(&sub), 0);
	ck_assert(sub.short_read);
}
END_TEST

static Suite *cursor_suite(void)
{
	Suite *s = suite_create("cursor");
	TCase *tc = tcase_create("getters");
	tcase_add_test(tc, test_make);
	tcase_add_test(tc, test_u8);
	tcase_add_test(tc, test_be16_le16);
	tcase_add_test(tc, test_be16_past_end);
	tcase_add_test(tc, test_le16_past_end);
	tcase_add_test(tc, test_be32_le32);
	tcase_add_test(tc, test_be32_past_end);
	tcase_add_test(tc, test_le32_past_end);
	tcase_add_test(tc, test_skip);
	tcase_add_test(tc, test_skip_past_end);
	tcase_add_test(tc, test_short_read_sticky);
	tcase_add_test(tc, test_copy);
	tcase_add_test(tc, test_copy_past_end);
	suite_add_tcase(s, tc);

	tc = tcase_create("take");
	tcase_add_test(tc, test_take);
	tcase_add_test(tc, test_take_past_end);
	tcase_add_test(tc, test_take_zero);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cursor_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
