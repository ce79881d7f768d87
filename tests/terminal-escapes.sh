#!/usr/bin/env bash
# tests/terminal-escapes.sh - strings from the outside world never reach the
# terminal raw (src/text-safe.h): a capture file named with escape
# sequences (an OSC that sets the window title, a screen clear, a C1 CSI,
# DEL) through report, check and the error for a file that does not exist;
# its JSON keeps the name exactly, escaped as JSON; an unusable TMPDIR
# named the same way. As root, an interface named with an escape sequence,
# in a network namespace made here, through -D (without root that part is
# skipped, with a message).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
tcpscope=$(tcpscope_bin)

evil=$'evil\e]0;owned\a\e[2J\xc2\x9b31m\x7f'
shown='evil\x1b]0;owned\x07\x1b[2J\xc2\x9b31m\x7f'
cp "$top_srcdir/captures/demo.pcap" "$TEST_TMPDIR/$evil.pcap" || fail "cannot copy the capture"

# raw_controls FILE: true if FILE has a control byte other than a newline (C0, DEL, C1 in UTF-8).
raw_controls()
{
	LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$1"
}

cd "$TEST_TMPDIR" || fail "cannot enter $TEST_TMPDIR"
"$tcpscope" report "$evil.pcap" >out 2>err || fail "report: $(cat err)"
raw_controls out && fail "report: a raw control byte in the text report"
grep -qF "Capture $shown.pcap:" out || fail "report: the name is not shown escaped: $(head -1 out)"
echo "ok 1 - report: the file name is escaped"

"$tcpscope" report --format json "$evil.pcap" >out.json || fail "report --format json"
raw_controls out.json && fail "report --format json: a raw control byte"
python3 - "$evil.pcap" out.json <<'PY' || fail "report --format json: the name (above)"
import json, os, sys
want = os.fsdecode(sys.argv[1].encode("utf-8", "surrogateescape"))
got = json.load(open(sys.argv[2], encoding="utf-8"))["capture"]["source"]
assert got == want, (got, want)
PY
echo "ok 2 - report --format json: the exact name, JSON-escaped"

"$tcpscope" check "$evil.pcap" >out 2>err
raw_controls out && fail "check: a raw control byte"
raw_controls err && fail "check: a raw control byte on stderr"
grep -qF "$shown.pcap: " out || fail "check: the name is not shown escaped: $(cat out)"
echo "ok 3 - check: the file name is escaped"

rc=0
"$tcpscope" report "missing-$evil.pcap" >out 2>err || rc=$?
[ "$rc" -eq 2 ] || fail "a missing file: exit $rc, expected 2"
[ "$(grep -c . err)" -eq 1 ] || fail "a missing file: not one line: $(cat err)"
raw_controls err && fail "a missing file: a raw control byte in the error"
grep -qF "tcpscope: missing-$shown.pcap" err || fail "a missing file: the name is not shown escaped: $(cat err)"
echo "ok 4 - the error for a missing file names it escaped, on one line"

rc=0
TMPDIR="$TEST_TMPDIR/no-such-$evil" TCPSCOPE_REPORT_MEMORY=1 "$tcpscope" report "$top_srcdir/captures/many-short.pcap" \
	>out 2>err || rc=$?
[ "$rc" -eq 2 ] || fail "an unusable TMPDIR: exit $rc, expected 2"
raw_controls err && fail "an unusable TMPDIR: a raw control byte in the error"
grep -qF "no-such-$shown: " err || fail "an unusable TMPDIR: the directory is not shown escaped: $(cat err)"
echo "ok 5 - the error for an unusable TMPDIR names it escaped"

# A name that is not UTF-8: JSON text must be Unicode (RFC 8259 §8.1), so each
# such byte is U+FFFD there; in JUnit XML too; the text report shows \xHH.
latin=$'caf\xe9-\xff'
cp "$top_srcdir/captures/demo.pcap" "$latin.pcap" || fail "cannot copy the capture"
"$tcpscope" report --format json "$latin.pcap" >out.json || fail "report --format json on a Latin-1 name"
"$tcpscope" check --format junit "$latin.pcap" >out.xml || fail "check --format junit on a Latin-1 name"
python3 - out.json out.xml <<'PY' || fail "a name that is not UTF-8 (above)"
import json, sys, xml.etree.ElementTree as ET
got = json.load(open(sys.argv[1], encoding="utf-8"))["capture"]["source"]
assert got == "caf\ufffd-\ufffd.pcap", got
suite = ET.parse(sys.argv[2]).getroot().find("testsuite")
assert suite.get("name") == "caf\ufffd-\ufffd.pcap", suite.get("name")
PY
"$tcpscope" report "$latin.pcap" >out || fail "report on a Latin-1 name"
grep -qF 'Capture caf\xe9-\xff.pcap:' out || fail "report: the Latin-1 name is not shown escaped: $(head -1 out)"
echo "ok 6 - a name that is not UTF-8: U+FFFD in JSON and JUnit, \\xHH in text"

if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null 2>&1; then
	echo "SKIP 7 - -D with an escape sequence in an interface name needs root and iproute2"
	exit 0
fi
ns=tse-$$
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$TEST_TMPDIR"' EXIT
ip netns add "$ns" || fail "cannot create a network namespace"
ifname=$'x\e[31m\a'
ip -n "$ns" link add name "$ifname" type veth peer name tsepeer || fail "cannot create the veth pair"
ip netns exec "$ns" "$tcpscope" -D >out 2>err || fail "-D: $(cat err)"
raw_controls out && fail "-D: a raw control byte"
grep -qF 'x\x1b[31m\x07' out || fail "-D: the interface name is not shown escaped: $(cat out)"
echo "ok 7 - -D: an interface name is escaped"
