#!/bin/sh
# Golden tier (SPEC §13 item 2): every capture in captures/ has an expectation
# file, captures/NAME.expect, stating what the trace shows (handshake, close,
# states, key labels and findings, after captures/README.md), and
# `tcpscope check --expect` must pass on it. A capture without one fails, so
# a new trace cannot arrive without saying what it shows.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
bin=$(tcpscope_bin)
caps=$top_srcdir/captures
status=0
count=0
for cap in "$caps"/*.pcap "$caps"/*.pcapng; do
	[ -f "$cap" ] || continue
	name=$(basename "$cap")
	expect="$caps/${name%.*}.expect"
	count=$((count + 1))
	if [ ! -f "$expect" ]; then
		echo "FAIL: $name has no expectation file (${expect#"$top_srcdir"/})"
		status=1
		continue
	fi
	# Run from captures/ so that messages name the files as a reader finds them.
	if ! (cd "$caps" && "$bin" check --expect "$(basename "$expect")" "$name"); then
		echo "FAIL: $name does not meet ${expect#"$top_srcdir"/} (above)"
		status=1
	fi
done
for expect in "$caps"/*.expect; do
	[ -f "$expect" ] || continue
	base=${expect%.expect}
	[ -f "$base.pcap" ] || [ -f "$base.pcapng" ] || { echo "FAIL: $(basename "$expect") has no capture"; status=1; }
done
[ "$count" -gt 0 ] || fail "no captures in $caps"
echo "expectations: $count captures checked"
exit $status
