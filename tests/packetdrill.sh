#!/bin/sh
# tests/packetdrill.sh - `check --script` on packetdrill scripts as they are
# written (docs/ci.md "packetdrill scripts").
#
# The shared corpus ../shared/captures/packetdrill/ holds unchanged scripts
# of packetdrill's test suite, each beside a capture of its own passing run
# on Linux. Every script must match its capture as is; with
# --strict-segments a script whose line stands for a TSO burst must fail at
# that line; and tests/packetdrill_mutate.py changes each script in one
# field at a time (flag, seq, ack, win, an option value, a time), every
# change to be reported with its line and frame.
#
# Skips (77) when ../shared/captures/packetdrill/ is not beside the checkout
# or python3 is missing.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

corpus=$top_srcdir/../shared/captures/packetdrill
[ -d "$corpus" ] || skip "$corpus not found: the shared packetdrill corpus is not beside this checkout"
bin=$(tcpscope_bin) || exit 1

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

command -v python3 >/dev/null 2>&1 || skip "python3, which runs the mutation test, is not installed"
if python3 "$top_srcdir/tests/packetdrill_mutate.py" --tcpscope "$bin" "$corpus"; then
	ok
else
	bad "some mutants of the packetdrill scripts were not reported"
fi
tally packetdrill
