#!/bin/sh
# Resource limits of batch mode (docs/robustness.md, SPEC §12 "O(concurrent
# flows), not O(packets)"):
#  - peak memory of `report --format json`, `check --format junit` and the JSON Lines stream
#    (`-r FILE --format json`) under --max-flows 10000 does not grow with the
#    number of flows in the file: a capture of 2 000 000 distinct SYNs needs
#    no more than one of 200 000 plus a small margin (two runs compared, so the
#    bound holds on any machine; before the spool it was 902 MB against
#    115 MB), and the output is still complete (every flow is there);
#  - reports that spill everything to the temporary file
#    (TCPSCOPE_REPORT_MEMORY=1) are byte for byte the reports kept in memory;
#  - a temporary file that cannot be written (a file size limit, writes
#    then fail with EFBIG) ends report, check and extract with exit 2 and
#    one line naming the directory and the reason, and no report is shown
#    (the library records the fault, the command decides: STYLE.md 12);
#  - --max-findings-per-flow keeps that many findings of each severity per
#    flow, the per-severity counts whole, and says how many were dropped, per
#    flow and in the capture totals.
# Under AddressSanitizer the big capture has 1 000 000 SYNs (the point stands
# at five times the small one) and ASan's quarantine of freed memory, which
# would otherwise grow RSS with every allocation made, is kept at 1 MB.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
require_cmd python3
bin=$(tcpscope_bin)
synpcap=${top_builddir}/tests/synpcap
[ -x "$synpcap" ] || fail "tests/synpcap not built (make check builds it)"
tmp=$TEST_TMPDIR
failures=0

bad() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

big=2000000
if ldd "$bin" 2>/dev/null | grep -q libasan; then
	big=1000000
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
	export ASAN_OPTIONS
fi
small=200000
margin_kb=32768

# measure PATTERN -- COMMAND...: runs COMMAND, reading its output as it comes
# (it is large); prints its peak RSS in KiB and how many lines start with
# PATTERN, after checking that the numbers following PATTERN, if any, are
# 1, 2, 3... (flow ids in order).
measure() {
	pattern=$1
	shift 2
	python3 -c '
import resource, subprocess, sys
pattern, n = sys.argv[1], 0
p = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, text=True)
for line in p.stdout:
    if line.startswith(pattern):
        n += 1
        rest = line[len(pattern):]
        if rest[:1].isdigit() and int(rest[:rest.index(",")]) != n:
            sys.exit("flow %s where %d was expected" % (rest[:20], n))
rc = p.wait()
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, n)
sys.exit(rc)
' "$pattern" "$@"
}

"$synpcap" "$tmp/small.pcap" $small || fail "synpcap $small"
"$synpcap" "$tmp/big.pcap" $big || fail "synpcap $big"

for mode in report check stream; do
	for size in small big; do
		pcap=$tmp/$size.pcap
		case $mode in
		report) result=$(measure '    {"id": ' -- "$bin" report --format json --max-flows 10000 "$pcap") ;;
		check) result=$(measure '    <testcase ' -- "$bin" check --format junit --max-flows 10000 "$pcap") ;;
		stream) result=$(measure '{"type": "flow"' -- "$bin" -r "$pcap" --format json --max-flows 10000) ;;
		esac || bad "$mode on $size.pcap failed: $result"
		rss=${result% *}
		got=${result#* }
		eval "rss_$size=\$rss"
		want=$small
		[ $size = big ] && want=$big
		[ $mode = check ] && got=$((got - 1)) # JUnit: a testcase per flow and one for the capture
		[ "$got" = "$want" ] || bad "$mode on $size.pcap: $got flows in the output, expected $want"
	done
	echo "$mode: peak RSS $rss_small KiB with $small flows, $rss_big KiB with $big"
	[ "$rss_big" -le $((rss_small + margin_kb)) ] ||
		bad "$mode: peak RSS grows with the flows in the file ($rss_small KiB -> $rss_big KiB)"
done

# Spilled reports are the in-memory ones.
for pcap in "$top_srcdir"/captures/*.pcap; do
	for fmt in json text; do
		"$bin" report --format $fmt "$pcap" >"$tmp/mem" 2>&1
		TCPSCOPE_REPORT_MEMORY=1 "$bin" report --format $fmt "$pcap" >"$tmp/spilled" 2>&1
		cmp -s "$tmp/mem" "$tmp/spilled" || bad "report --format $fmt $(basename "$pcap") differs when spilled"
	done
	"$bin" check --fail-on note --format junit "$pcap" >"$tmp/mem" 2>&1
	TCPSCOPE_REPORT_MEMORY=1 "$bin" check --fail-on note --format junit "$pcap" >"$tmp/spilled" 2>&1
	cmp -s "$tmp/mem" "$tmp/spilled" || bad "check --format junit $(basename "$pcap") differs when spilled"
done

# The findings cap: counts stay whole, what was dropped is counted, per flow and in total.
# 3 flows, 40 SYN+FIN segments each: 40 tcp.flags.illegal errors a flow (the default cap keeps them all).
"$synpcap" "$tmp/illegal.pcap" 120 3 3 || fail "synpcap illegal.pcap"
"$bin" report --format json "$tmp/illegal.pcap" >"$tmp/all.json"
"$bin" report --format json --max-findings-per-flow 7 "$tmp/illegal.pcap" >"$tmp/capped.json"
python3 - "$tmp/all.json" "$tmp/capped.json" <<'EOF' || bad "--max-findings-per-flow 7 on 40 findings a flow"
import json, sys
full, capped = (json.load(open(p)) for p in sys.argv[1:])
dropped = 0
for a, b in zip(full["flows"], capped["flows"]):
    assert a["findings"] == b["findings"], "per-severity counts changed"
    kept = [f for f in capped["findings"] if f["flow"] == b["id"]]
    assert b["findings"]["error"] == 40, b["findings"]
    for sev, n in b["findings"].items():
        assert len([f for f in kept if f["severity"] == sev]) == min(n, 7), (b["id"], sev)
    want = sum(max(n - 7, 0) for n in b["findings"].values())
    assert b.get("findings_dropped", 0) == want, (b["id"], b.get("findings_dropped"), want)
    dropped += want
assert dropped == 3 * 33 and len(capped["findings"]) == 3 * 7
assert capped["capture"].get("findings_dropped", 0) == dropped
assert "findings_dropped" not in full["capture"]
EOF
"$bin" report --max-findings-per-flow 7 "$tmp/illegal.pcap" >"$tmp/capped.txt"
grep -q "(and 99 dropped past the per-flow cap)" "$tmp/capped.txt" || bad "the text report does not say findings were dropped"
grep -q "40E 0W 0N (33 dropped)" "$tmp/capped.txt" || bad "the text flow rows do not say findings were dropped"
"$bin" report --max-findings-per-flow x "$tmp/illegal.pcap" >/dev/null 2>&1
[ $? -eq 2 ] || bad "--max-findings-per-flow x is not a usage error"

# A temporary file that cannot be written: each command says so in one line and fails.
# SIGXFSZ is ignored, so past the limit a write fails with EFBIG instead of killing the process.
limited() {
	(
		trap '' XFSZ
		ulimit -f 16
		TMPDIR=$tmp TCPSCOPE_REPORT_MEMORY=1 "$@"
	) >"$tmp/limited.out" 2>"$tmp/limited.err"
}
many=$top_srcdir/captures/many-short.pcap
for cmd in "report" "report --format json" "report --threads 2 --format json" "report --where packets>0" \
	"check --format junit" "extract --where packets>0 -w $tmp/extract.pcap"; do
	rc=0
	# shellcheck disable=SC2086 # the command's words
	limited "$bin" $cmd "$many" || rc=$?
	[ $rc -eq 2 ] || bad "$cmd with an unwritable temporary file: exit $rc, expected 2"
	[ "$(grep -c . "$tmp/limited.err")" -eq 1 ] &&
		grep -q "^tcpscope: cannot write a temporary file in $tmp: File too large (set TMPDIR to a directory with room)$" \
			"$tmp/limited.err" ||
		bad "$cmd with an unwritable temporary file: not the one-line error: $(cat "$tmp/limited.err")"
	case $cmd in report*) [ -s "$tmp/limited.out" ] && bad "$cmd showed a report it could not keep: $(head -c 200 "$tmp/limited.out")" ;; esac
done

[ $failures -eq 0 ] || exit 1
echo "limits: all passed"
