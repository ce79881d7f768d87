# shellcheck shell=sh
# tests/lib.sh - small helpers for the shell tests that `make check` runs.
#
# Source it first thing:   . "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
#
# Automake's test harness reads the exit status: 0 pass, 1 fail, 77 skip.
# It exports top_srcdir, top_builddir and TCPSCOPE (the binary under test);
# when a test is run by hand they default to this checkout and its build/.
#
#   tcpscope_bin        prints the path of the tcpscope binary (fails if none)
#   skip "why"          says why and exits 77 (skipped)
#   fail "why"          says why and exits 1 (failed)
#   require_cmd CMD...  skips unless every CMD is on PATH
#   $TEST_TMPDIR        a private temporary directory, removed when the test
#                       exits (normally, on failure, or on SIGINT/TERM/HUP)
#
# The EXIT trap belongs to this file: a test that needs more clean-up puts its
# files under $TEST_TMPDIR instead of setting its own trap.

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir/build}"

skip()
{
	echo "SKIP: $*"
	exit 77
}

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

tcpscope_bin()
{
	bin=${TCPSCOPE:-$top_builddir/ui/tcpscope}
	[ -x "$bin" ] || fail "tcpscope binary not found or not executable: $bin (set TCPSCOPE)"
	printf '%s\n' "$bin"
}

require_cmd()
{
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 || skip "$cmd is not installed"
	done
}

TEST_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/tcpscope-test.XXXXXX") || fail "cannot create a temporary directory"
trap 'rm -rf "$TEST_TMPDIR"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
