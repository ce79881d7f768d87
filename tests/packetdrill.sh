#!/bin/sh
# tests/packetdrill.sh - `check --script` on packetdrill scripts as they are
# written (docs/ci.md "packetdrill scripts").
#
# First the bundled captures/close-by-client.server.pkt, the server's side of
# close-by-client.pcap, whose client was a real stack: it matches with
# --peer-from-trace, fails at its first injected line without, and fails at
# the line of its three-segment write with --strict-segments; the command's
# usage errors about packetdrill scripts; and a mismatch in JSON.
#
# The shared corpus ../shared/captures/packetdrill/ holds unchanged scripts
# of packetdrill's test suite, each beside a capture of its own passing run
# on Linux. Every script must match its capture as is; with
# --strict-segments a script whose line stands for a TSO burst must fail at
# that line; and tests/packetdrill_mutate.py changes each script in one
# field at a time (flag, seq, ack, win, an option value, a time), every
# change to be reported with its line and frame.
#
# Skips (77) after the bundled checks when ../shared/captures/packetdrill/ is
# not beside the checkout or python3 is missing.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

bin=$(tcpscope_bin) || exit 1

# expect_check WHAT STATUS PATTERN ARGS...: tcpscope check ARGS exits STATUS and prints PATTERN (grep -E).
expect_check()
{
	_what=$1 _status=$2 _pattern=$3
	shift 3
	_out=$("$bin" check "$@" 2>&1)
	_got=$?
	if [ $_got -eq "$_status" ] && printf '%s\n' "$_out" | grep -Eq -- "$_pattern"; then
		ok
	else
		bad "$_what: expected exit $_status and /$_pattern/, got exit $_got:
$_out"
	fi
}

caps=$top_srcdir/captures
server=$caps/close-by-client.server.pkt
expect_check "a real client's side, --peer-from-trace" 0 'ok \(1 flow, 0 findings, packetdrill script matches 1 flow\)' \
	--peer-from-trace --script "$server" "$caps/close-by-client.pcap"
expect_check "a real client's ISN, as written" 1 'server.pkt:12: the trace differs from the script' \
	--script "$server" "$caps/close-by-client.pcap"
expect_check "three segments, --strict-segments" 1 'frame 6, flow 1: flags ., expected P.; len 1448, expected 4000' \
	--strict-segments --peer-from-trace --script "$server" "$caps/close-by-client.pcap"
sed 's/> F. 4001:4001(0) ack 1002 win 67/> F. 4001:4001(0) ack 1002 win 68/' "$server" >"$TEST_TMPDIR/fin.pkt"
expect_check "a mismatch in JSON" 1 '"result": "fail", "lines_matched": 11, "line": 31, "frame": 13, .*"message": "win 67, expected 68"' \
	--format json --peer-from-trace --script "$TEST_TMPDIR/fin.pkt" "$caps/close-by-client.pcap"
expect_check "--strict-segments alone" 2 'give --script too' --strict-segments "$caps/close-by-client.pcap"
expect_check "a bad --sut" 2 '--sut takes client, server or an IPv4/IPv6 address, not "nowhere"' \
	--sut nowhere --script "$server" "$caps/close-by-client.pcap"
printf '0 > S 0:0(0)\n' >"$TEST_TMPDIR/lines.pkt"
expect_check "--tolerance-usecs on tcpscope's notation" 2 "lines.pkt is in tcpscope's notation" \
	--tolerance-usecs 100 --script "$TEST_TMPDIR/lines.pkt" "$caps/close-by-client.pcap"
printf '0 write(3, ..., 1) = 1\n+0 > P. 1:2(1) ack 1\n' >"$TEST_TMPDIR/nosut.pkt"
expect_check "no system under test" 2 'cannot tell the system under test' \
	--script "$TEST_TMPDIR/nosut.pkt" "$caps/close-by-client.pcap"
printf '`defaults.sh`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n' >"$TEST_TMPDIR/calls.pkt"
expect_check "a script without packet lines" 0 'ok \(1 flow, 0 findings, packetdrill script expects no packets\)' \
	--script "$TEST_TMPDIR/calls.pkt" "$caps/close-by-client.pcap"
printf '0 listen(3, 1) = 0\n+0 < S 0:0(0) win 1 <mss 1460\n' >"$TEST_TMPDIR/open.pkt"
expect_check "a line tcpscope cannot read" 2 "open.pkt:2:21: this '<' option list is never closed by '>'" \
	--script "$TEST_TMPDIR/open.pkt" "$caps/close-by-client.pcap"

corpus=$top_srcdir/../shared/captures/packetdrill
if [ ! -d "$corpus" ]; then
	tally packetdrill || exit 1
	skip "$corpus not found: the shared packetdrill corpus is not beside this checkout (only the bundled script was run)"
fi

scripts=0
for pkt in "$corpus"/*.pkt; do
	scripts=$((scripts + 1))
	out=$("$bin" check --script "$pkt" "${pkt%.pkt}.pcap" 2>&1)
	status=$?
	if [ $status -eq 0 ] && printf '%s\n' "$out" | grep -q 'packetdrill script matches [1-9]'; then
		ok
	else
		bad "$(basename "$pkt") does not match its own capture (exit $status):
$out"
	fi
done
[ "$scripts" -gt 0 ] || fail "no scripts in $corpus"
echo "$scripts packetdrill scripts run against their captures"

# One '>' line of 10000 bytes went out as five 2000-byte GSO segments.
tso=$corpus/fast_recovery__prr-ss-ack-below-snd_una-cubic
out=$("$bin" check --strict-segments --script "$tso.pkt" "$tso.pcap" 2>&1)
status=$?
if [ $status -eq 1 ] && printf '%s\n' "$out" | grep -q "$tso.pkt:22: the trace differs" &&
	printf '%s\n' "$out" | grep -q 'frame 4, flow 1: len 2000, expected 10000'; then
	ok
else
	bad "--strict-segments should fail line 22 at frame 4 (exit $status): $out"
fi

if ! command -v python3 >/dev/null 2>&1; then
	tally packetdrill || exit 1
	skip "python3, which runs the mutation test, is not installed"
fi
if python3 "$top_srcdir/tests/packetdrill_mutate.py" --tcpscope "$bin" "$corpus"; then
	ok
else
	bad "some mutants of the packetdrill scripts were not reported"
fi
tally packetdrill
