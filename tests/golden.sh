#!/bin/sh
# Golden tier (SPEC §13 item 2): every capture in captures/ has a checked-in
# `report --format json` in captures/golden/NAME.json, and the current output
# must equal it (the version string aside). After a deliberate change, review
# the difference and regenerate with:   tests/golden.sh --update
set -u
bin=${TCPSCOPE:?}
caps=${top_srcdir:?}/captures
update=${1:-}
status=0
count=0
for cap in "$caps"/*.pcap "$caps"/*.pcapng; do
	[ -f "$cap" ] || continue
	name=$(basename "$cap")
	golden="$caps/golden/${name%.*}.json"
	out=$(cd "$caps" && "$bin" report --format json "$name") || { echo "FAIL: $name: tcpscope failed"; status=1; continue; }
	if [ "$update" = "--update" ]; then
		printf '%s\n' "$out" >"$golden"
		echo "updated $golden"
		continue
	fi
	count=$((count + 1))
	if [ ! -f "$golden" ]; then
		echo "FAIL: $name has no golden report ($golden); create it with tests/golden.sh --update"
		status=1
		continue
	fi
	printf '%s\n' "$out" | python3 -c '
import json, sys
got = json.load(sys.stdin)
want = json.load(open(sys.argv[1]))
got.pop("version"); want.pop("version")
if got == want:
    sys.exit(0)
def walk(a, b, path):
    if type(a) != type(b) or not isinstance(a, (dict, list)):
        if a != b:
            print("  %s: got %r, golden %r" % (path, a, b))
        return
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            walk(a.get(k), b.get(k), path + "." + k)
    else:
        if len(a) != len(b):
            print("  %s: %d items, golden %d" % (path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, "%s[%d]" % (path, i))
walk(got, want, "")
sys.exit(1)' "$golden" || { echo "FAIL: $name differs from its golden report (above)"; status=1; }
done
[ "$update" = "--update" ] || echo "golden: $count reports compared"
exit $status
