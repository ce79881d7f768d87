#!/bin/sh
# tests/valgrind.sh - the decoder and engine suites under valgrind (issue 8):
# no invalid read or write, no use of uninitialised memory, no definite or
# indirect leak. CK_FORK=no keeps every Check test in the one process that
# valgrind watches. Skipped when valgrind is not installed (quickstart
# installs it, so CI runs this) and in a sanitizer build, whose ASan
# runtime valgrind cannot run: the normal build runs this test.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_cmd valgrind
grep -q '^SAN_CFLAGS = .*-fsanitize' "$top_builddir/Makefile" 2>/dev/null &&
	skip "a sanitizer build: valgrind runs in the normal build"

for suite in check-decode check-engine; do
	prog=$top_builddir/tests/$suite
	[ -x "$prog" ] || fail "$prog is not built"
	CK_FORK=no valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --track-origins=yes "$prog" >"$TEST_TMPDIR/$suite.out" 2>&1 ||
		{ cat "$TEST_TMPDIR/$suite.out"; fail "valgrind reports errors in $suite (above)"; }
	tail -n 1 "$TEST_TMPDIR/$suite.out"
	echo "ok - $suite: valgrind is silent"
done
