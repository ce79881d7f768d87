#!/bin/sh
# End-to-end tests of the tcpscope command line on real files: exit codes and
# one-line errors (SPEC §5 "Exit codes"), stdin, filters, truncated files,
# explain, packets selection, and JSON that parses (shards: tests/split.sh).
set -u
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
bin=$(tcpscope_bin)
caps=$top_srcdir/captures
tmp=$TEST_TMPDIR

# expect_status WANT DESCRIPTION -- COMMAND...
expect_status() {
	want=$1 what=$2
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want ($(head -c 200 "$tmp/err"))"; fi
}
json_ok() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null; }
lines_json_ok() { python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$1" 2>/dev/null; }

# --- usage and input errors: exit 2 with exactly one line naming the problem
expect_status 2 "missing file" -- "$bin" report "$tmp/nonexistent.pcap"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "nonexistent.pcap" "$tmp/err" && ok || bad "missing file: message not one line naming the file"
printf 'not a capture at all\n' >"$tmp/garbage.pcap"
expect_status 2 "garbage file" -- "$bin" report "$tmp/garbage.pcap"
grep -q "garbage.pcap" "$tmp/err" && ok || bad "garbage: message does not name the file"
expect_status 2 "bad filter" -- "$bin" report -f "tcp port" "$caps/demo.pcap"
grep -q "filter" "$tmp/err" && ok || bad "bad filter: message does not mention the filter"
expect_status 2 "unknown option" -- "$bin" report --no-such-option "$caps/demo.pcap"
expect_status 2 "bad --shard" -- "$bin" report --shard 3/2 "$caps/demo.pcap"
expect_status 2 "no file" -- "$bin" report
expect_status 0 "--version" -- "$bin" --version
grep -q "^tcpscope " "$tmp/out" && ok || bad "--version output"
expect_status 0 "--help" -- "$bin" --help

# --- reports: text and JSON, from a file and from stdin, identical analysis
expect_status 0 "text report" -- "$bin" report "$caps/demo.pcap"
grep -q "1 flows" "$tmp/out" && ok || bad "text report of demo.pcap does not show 1 flow"
"$bin" report --format json "$caps/demo.pcap" >"$tmp/file.json" && json_ok "$tmp/file.json" && ok || bad "JSON report does not parse"
"$bin" report --format json - <"$caps/demo.pcap" >"$tmp/stdin.json" || bad "report from stdin failed"
python3 - "$tmp/file.json" "$tmp/stdin.json" <<'PY' && ok || bad "stdin report differs from file report"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d["capture"].pop("source")
sys.exit(0 if a == b else 1)
PY

# --- a BPF filter keeps only matching flows, frame numbers stay file positions
"$bin" report --format json -f "tcp port 5000 and host 10.77.0.1" "$caps/many-short.pcap" >"$tmp/all.json"
first_port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["flows"][0]["client"]["port"])' "$tmp/all.json")
"$bin" report --format json -f "tcp port $first_port" "$caps/many-short.pcap" >"$tmp/one.json"
python3 - "$tmp/all.json" "$tmp/one.json" <<'PY' && ok || bad "filter did not select exactly the first flow with its frame numbers"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert len(a["flows"]) > 100 and len(b["flows"]) == 1
assert b["flows"][0]["first_frame"] == a["flows"][0]["first_frame"]
assert b["flows"][0]["last_frame"] == a["flows"][0]["last_frame"]
PY

# --- a file cut in the middle of a record: read to the last whole packet
size=$(wc -c <"$caps/close-by-client.pcap")
head -c $((size - 30)) "$caps/close-by-client.pcap" >"$tmp/cut.pcap"
expect_status 0 "truncated file" -- "$bin" report --format json "$tmp/cut.pcap"
python3 - "$tmp/out" <<'PY' && ok || bad "truncated file: not reported or packets lost"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["capture"]["truncated"] is True
assert d["capture"]["packets"] == 13, d["capture"]["packets"]
assert any(f["code"] == "capture.truncated" for f in d["findings"])
PY

# --- packets: one JSON line per TCP packet, --flow selects
"$bin" packets "$caps/port-reuse.pcap" >"$tmp/p.jsonl" && lines_json_ok "$tmp/p.jsonl" && ok || bad "packets output does not parse"
[ "$(wc -l <"$tmp/p.jsonl")" -eq 40 ] && ok || bad "packets: expected 40 lines for port-reuse.pcap"
"$bin" packets --flow 2 "$caps/port-reuse.pcap" >"$tmp/p2.jsonl"
python3 - "$tmp/p2.jsonl" <<'PY' && ok || bad "packets --flow 2 selected other flows"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(r["flow"] == 2 for r in rows)
assert "reused_ports" in rows[0]["labels"]
PY
expect_status 2 "packets --flow beyond the last flow" -- "$bin" packets --flow 99 "$caps/port-reuse.pcap"

# --- the JSON stream without a terminal
"$bin" -r "$caps/port-reuse.pcap" --format json </dev/null >"$tmp/stream.jsonl"
python3 - "$tmp/stream.jsonl" <<'PY' && ok || bad "JSON stream: wrong objects"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
types = [r["type"] for r in rows]
assert types.count("flow") == 4 and types[-1] == "stats"
assert rows[-1]["packets"] == 40 and rows[-1]["flows"] == 4
PY

# --- explain
expect_status 0 "explain a code" -- "$bin" explain tcp.close.time_wait_violation
grep -q "RFC 6191" "$tmp/out" && ok || bad "explain does not cite the RFC"
expect_status 0 "explain a prefix" -- "$bin" explain 'tcp.reset.*'
[ "$(grep -c '^tcp.reset' "$tmp/out")" -eq 6 ] && ok || bad "explain tcp.reset.* did not list the 6 reset codes"
expect_status 2 "explain unknown" -- "$bin" explain tcp.nonsense
"$bin" explain --list >"$tmp/list"
n=$(grep -c '^[a-z]' "$tmp/list")
m=$(grep -c '^FINDING(' "$top_srcdir/src/findings.def")
[ "$n" -eq "$m" ] && ok || bad "explain --list shows $n codes, the catalogue has $m"

# docs/findings.md is generated from the catalogue and must be current
"$bin" explain --markdown | cmp -s - "$top_srcdir/docs/findings.md" && ok ||
	bad "docs/findings.md is stale: regenerate with 'tcpscope explain --markdown > docs/findings.md'"

tally cli
