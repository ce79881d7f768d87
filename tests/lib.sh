# shellcheck shell=sh
# tests/lib.sh - small helpers for the shell tests that `make check` runs.
#
# Source it first thing:   . "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
#
# Automake's test harness reads the exit status: 0 pass, 1 fail, 77 skip.
# It exports top_srcdir, top_builddir and TCPSCOPE (the binary under test);
# when a test is run by hand they default to this checkout and its build/.
#
#   tcpscope_bin        prints the path of the tcpscope binary, or fails:
#                       bin=$(tcpscope_bin) || exit 1
#   skip "why"          says why and exits 77 (skipped)
#   fail "why"          says why and exits 1 (failed)
#   require_cmd CMD...  skips unless every CMD is on PATH
#   veth_pair CAPNS PEERNS CAPDEV PEERDEV CAP4 PEER4
#                       two new network namespaces joined by a veth pair, with
#                       loopback and both ends up, CAP4/24 on CAPDEV in CAPNS
#                       and PEER4/24 on PEERDEV in PEERNS, or fails (needs
#                       root; the caller deletes the namespaces on exit)
#   running PID         true while PID runs (an exited child stays a zombie
#                       until waited for)
#   ok / bad "why"      count one check passed / failed (bad says why), for
#                       tests that carry on after a failure
#   tally NAME          prints NAME's counts; true if nothing failed: end a
#                       test with it
#   $TEST_TMPDIR        a private temporary directory, removed when the test
#                       exits (normally, on failure, or on SIGINT/TERM/HUP)
#
# The EXIT trap is set here: a test that needs more clean-up puts its files
# under $TEST_TMPDIR, or replaces the trap and removes $TEST_TMPDIR itself.

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
	_lib_bin=${TCPSCOPE:-$top_builddir/ui/tcpscope}
	[ -x "$_lib_bin" ] || fail "tcpscope binary not found or not executable: $_lib_bin (set TCPSCOPE)"
	printf '%s\n' "$_lib_bin"
}

require_cmd()
{
	for _lib_cmd in "$@"; do
		command -v "$_lib_cmd" >/dev/null 2>&1 || skip "$_lib_cmd is not installed"
	done
}

veth_pair()
{
	ip netns add "$1" && ip netns add "$2" || fail "cannot create network namespaces"
	ip link add "$3" netns "$1" type veth peer name "$4" netns "$2" || fail "cannot create a veth pair"
	ip -n "$1" link set lo up && ip -n "$2" link set lo up &&
		ip -n "$1" addr add "$5/24" dev "$3" && ip -n "$2" addr add "$6/24" dev "$4" &&
		ip -n "$1" link set "$3" up && ip -n "$2" link set "$4" up || fail "cannot configure the veth pair"
}

passes=0
failures=0

ok()
{
	passes=$((passes + 1))
}

bad()
{
	echo "FAIL: $*"
	failures=$((failures + 1))
}

tally()
{
	echo "$1: $passes passed, $failures failed"
	[ "$failures" -eq 0 ]
}

running()
{
	[ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

TEST_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/tcpscope-test.XXXXXX") || fail "cannot create a temporary directory"
trap 'rm -rf "$TEST_TMPDIR"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
