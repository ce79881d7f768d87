#!/bin/sh
# Error audit: every `error` finding tcpscope raises on the third-party capture
# corpus (../shared/captures beside this checkout) must be a reviewed, true
# protocol violation listed in tests/error-audit-reviewed.txt, and every line
# of that file must still be raised (so the file stays true).
#
# Reviewed file: RELPATH<TAB>FRAME<TAB>CODE<TAB>REASON, RELPATH relative to the
# captures folder, REASON in words why the sender really broke the protocol;
# lines starting with # and blank lines are ignored.
#
# By hand:  TCPSCOPE=build/ui/tcpscope top_srcdir=. sh tests/error-audit.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

bin=$(tcpscope_bin) || exit 1
require_cmd python3
caps=$top_srcdir/../shared/captures
reviewed=$top_srcdir/tests/error-audit-reviewed.txt
[ -d "$caps" ] || skip "no capture corpus at $caps"
[ -f "$reviewed" ] || fail "missing $reviewed"

got=$TEST_TMPDIR/got
mkdir "$TEST_TMPDIR/reports" || fail "cannot create $TEST_TMPDIR/reports"
: >"$TEST_TMPDIR/index"
files=0
unread=0
(cd "$caps" && find . -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' -o -name '*.trace' \) -print) |
	sed 's|^\./||' | LC_ALL=C sort >"$TEST_TMPDIR/files"
while IFS= read -r rel; do
	files=$((files + 1))
	out=$TEST_TMPDIR/reports/$files.json
	if ! (cd "$caps" && "$bin" report --format json "$rel") >"$out" 2>/dev/null && [ ! -s "$out" ]; then
		# A malformed capture is refused (exit 2, no report): nothing to judge.
		unread=$((unread + 1))
		continue
	fi
	printf '%s\t%s\n' "$out" "$rel" >>"$TEST_TMPDIR/index"
done <"$TEST_TMPDIR/files"
# One python3 for all reports (its start-up dominates otherwise).
python3 -c '
import json, sys
status = 0
with open(sys.argv[1]) as index, open(sys.argv[2], "w") as out:
    for line in index:
        path, rel = line.rstrip("\n").split("\t", 1)
        try:
            with open(path) as f:
                report = json.load(f)
        except ValueError as e:
            print("FAIL: %s: tcpscope wrote no valid JSON report: %s" % (rel, e))
            status = 1
            continue
        for x in report.get("findings", []):
            if x.get("severity") == "error":
                out.write("%s\t%s\t%s\n" % (rel, x.get("frame"), x.get("code")))
sys.exit(status)
' "$TEST_TMPDIR/index" "$got" || fail "cannot read every tcpscope JSON report (above)"
[ "$files" -gt 0 ] || skip "no captures under $caps"

# The reviewed triples; a line without a reason is itself a failure.
status=0
awk -F '\t' -v out="$TEST_TMPDIR/want.unsorted" '
	/^#/ || /^[ \t]*$/ { next }
	NF < 4 || $4 ~ /^[ \t]*$/ { print "FAIL: " FILENAME ":" NR ": needs RELPATH<TAB>FRAME<TAB>CODE<TAB>REASON"; bad = 1; next }
	{ print $1 "\t" $2 "\t" $3 > out }
	END { exit bad }' "$reviewed" || status=1
touch "$TEST_TMPDIR/want.unsorted"
LC_ALL=C sort -u "$TEST_TMPDIR/want.unsorted" >"$TEST_TMPDIR/want"
LC_ALL=C sort -u "$got" >"$TEST_TMPDIR/got.sorted"

LC_ALL=C comm -23 "$TEST_TMPDIR/got.sorted" "$TEST_TMPDIR/want" >"$TEST_TMPDIR/new"
LC_ALL=C comm -13 "$TEST_TMPDIR/got.sorted" "$TEST_TMPDIR/want" >"$TEST_TMPDIR/gone"
if [ -s "$TEST_TMPDIR/new" ]; then
	echo "FAIL: $(wc -l <"$TEST_TMPDIR/new") error finding(s) not reviewed (add them to tests/error-audit-reviewed.txt with a reason only if the protocol really was broken):"
	sed 's/^/  /' "$TEST_TMPDIR/new"
	status=1
fi
if [ -s "$TEST_TMPDIR/gone" ]; then
	echo "FAIL: $(wc -l <"$TEST_TMPDIR/gone") reviewed error(s) no longer raised (remove them from tests/error-audit-reviewed.txt):"
	sed 's/^/  /' "$TEST_TMPDIR/gone"
	status=1
fi
echo "error-audit: $files captures ($unread refused as malformed), $(wc -l <"$got") error findings, $(wc -l <"$TEST_TMPDIR/want") reviewed"
exit $status
