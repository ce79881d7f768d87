#!/bin/sh
# Splitting one analysis (SPEC §12): --threads N runs N engines in threads,
# each over a shard of the flows, and must give, byte for byte, what one
# engine gives; --shard I/N runs one shard, and the shards' flows and
# findings together must be exactly the whole's (each capture-wide finding
# in one shard only). Inputs: the bundled captures, the crafted ones (every
# link type and encapsulation, every malformed case, a truncated file), three
# bundled ones again as pcapng, and, where present, the third-party
# malformed corpus.
set -u
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
bin=$(tcpscope_bin)
caps=$top_srcdir/captures
crafted=${CRAFTED:?}
synpcap=$top_builddir/tests/synpcap
tmp=$TEST_TMPDIR

mkdir "$tmp/crafted" && "$crafted" "$tmp/crafted" >/dev/null || bad "crafted could not write its captures"
# pcapng too (read by its own reader, not mapped): editcap comes with tshark, which ./quickstart installs.
command -v editcap >/dev/null || bad "editcap (Debian wireshark-common) is needed for the pcapng cases"
for f in many-short port-reuse bulk-loss; do
	editcap -F pcapng "$caps/$f.pcap" "$tmp/$f.pcapng" || bad "editcap could not convert $f.pcap"
done
list="$tmp/inputs"
{
	ls "$caps"/*.pcap "$tmp"/*.pcapng
	ls "$tmp/crafted"/*.pcap
	if [ -d "$caps/../../shared/captures/malformed" ]; then find "$caps/../../shared/captures/malformed" -type f; fi
} >"$list"

# run NAME ARGS...: output, error and exit status of one run, in $tmp/NAME.*
run() {
	name=$1
	shift
	"$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.status"
}
same() { cmp -s "$tmp/$1.out" "$tmp/$2.out" && cmp -s "$tmp/$1.err" "$tmp/$2.err" && cmp -s "$tmp/$1.status" "$tmp/$2.status"; }

# --- threads: the same bytes as one engine, for every input and output
while IFS= read -r f; do
	for cmd in "report" "report --format json" "check --format json" "check --format junit"; do
		# shellcheck disable=SC2086 # cmd is words on purpose
		run one $cmd --threads 1 "$f"
		for t in 2 3 16; do
			# shellcheck disable=SC2086
			run many $cmd --threads "$t" "$f"
			same one many && ok || bad "$cmd --threads $t $f differs from --threads 1"
		done
	done
done <"$list"
[ "$passes" -gt 300 ] || bad "only $passes thread comparisons ran"

# --- threads with spilling: every part of the report goes to temporary files and merges back
run one report --format json --threads 1 "$caps/many-short.pcap"
TCPSCOPE_REPORT_MEMORY=2048 run many report --format json --threads 3 "$caps/many-short.pcap"
same one many && ok || bad "a spilled report in 3 threads differs"

# --- many flows: the JSON flows are formatted by every thread, in rounds of 2048 a thread
"$synpcap" "$tmp/syns.pcap" 9000 || bad "synpcap could not write syns.pcap"
"$synpcap" "$tmp/illegal.pcap" 9000 9000 3 || bad "synpcap could not write illegal.pcap"
for f in "$tmp/syns.pcap" "$tmp/illegal.pcap"; do
	run one report --format json --threads 1 "$f"
	for t in 2 3 5; do
		run many report --format json --threads "$t" "$f"
		same one many && ok || bad "$(basename "$f"): --threads $t differs from one"
	done
	TCPSCOPE_REPORT_MEMORY=100000 run many report --format json --threads 2 "$f"
	same one many && ok || bad "$(basename "$f"): spilled, in 2 threads, differs from one"
done
grep -c '"id"' "$tmp/one.out" | grep -qx 9000 && ok || bad "the 9000-flow report does not list 9000 flows"

# --- a shard in threads is that shard
for i in 1 2 3; do
	run one report --format json --shard "$i/3" --threads 1 "$tmp/crafted/malformed.pcap"
	run many report --format json --shard "$i/3" --threads 2 "$tmp/crafted/malformed.pcap"
	same one many && ok || bad "--shard $i/3 in 2 threads differs from one"
done

# --- shards: together exactly the whole, capture-wide findings once
for f in "$caps/many-short.pcap" "$caps/port-reuse.pcap" "$tmp/crafted/malformed.pcap" "$tmp/crafted/truncated-file.pcap"; do
	"$bin" report --format json --threads 1 "$f" >"$tmp/whole.json"
	for i in 1 2 3; do "$bin" report --format json --shard "$i/3" "$f" >"$tmp/shard$i.json"; done
	python3 - "$tmp/whole.json" "$tmp/shard1.json" "$tmp/shard2.json" "$tmp/shard3.json" <<'PY' && ok || bad "the shards of $f do not add up to the whole"
import json, sys
whole = json.load(open(sys.argv[1]))
shards = [json.load(open(p)) for p in sys.argv[2:]]
def flow_key(f):
    return (f["client"]["addr"], f["client"]["port"], f["server"]["addr"], f["server"]["port"], f["first_frame"])
def finding_key(f):
    return (f["frame"], f["code"], f["message"])
assert sorted(flow_key(f) for s in shards for f in s["flows"]) == sorted(flow_key(f) for f in whole["flows"])
assert sorted(finding_key(f) for s in shards for f in s["findings"]) == sorted(finding_key(f) for f in whole["findings"])
assert sum(s["capture"]["decode_errors"] for s in shards) == whole["capture"]["decode_errors"]
assert sum(s["capture"]["tcp_packets"] for s in shards) == whole["capture"]["tcp_packets"]
assert sum(1 for s in shards if s["flows"]) >= 2 or len({flow_key(f)[:4] for f in whole["flows"]}) < 3
PY
done
# Those captures do have findings of no flow to share out: unusable frames, and the truncation.
"$bin" report --format json "$tmp/crafted/malformed.pcap" >"$tmp/malformed.json"
python3 - "$tmp/malformed.json" "$tmp/whole.json" <<'PY' && ok || bad "no unusable frames, or no capture.truncated, to share out"
import json, sys
malformed, truncated = (json.load(open(p)) for p in sys.argv[1:])
assert malformed["capture"]["decode_errors"] > 5
assert sum(1 for f in malformed["findings"] if f["flow"] is None) > 5
assert any(f["code"] == "capture.truncated" for f in truncated["findings"])
PY

tally split
