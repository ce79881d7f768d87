#!/bin/sh
# tests/extract.sh - `report --where EXPR`, `packets --where EXPR` and `extract --flow ID|--where EXPR
# -w OUT` on real files. The flows --where selects are checked against a
# selection made in Python from the full JSON report; the frames extract
# writes are checked against tshark reading the original with a display
# filter for the same flows (time, lengths, addresses, ports, raw seq and
# ack of every frame, in order). With --join, the parts of one capture give
# the whole file's frames byte for byte. Also: pcapng by the output's extension,
# nanosecond timestamps kept, and the usage errors (exit 2, one line, the
# expression's column).
set -u
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
require_cmd tshark python3
bin=$(tcpscope_bin)
caps=$top_srcdir/captures
tmp=$TEST_TMPDIR

expect_status() {
	want=$1 what=$2
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want ($(head -c 200 "$tmp/err"))"; fi
}
frames() {
	tshark -r "$1" ${2:+-Y "$2"} -T fields -e frame.time_epoch -e frame.len -e frame.cap_len -e ip.src \
		-e ipv6.src -e tcp.srcport -e tcp.seq_raw -e tcp.ack_raw 2>/dev/null
}
# same_frames WHAT OUT ORIGINAL FILTER: OUT holds exactly ORIGINAL's frames that FILTER shows.
same_frames() {
	frames "$2" >"$tmp/got.txt"
	frames "$3" "$4" >"$tmp/want.txt"
	if [ -s "$tmp/want.txt" ] && cmp -s "$tmp/got.txt" "$tmp/want.txt"; then ok; else
		bad "$1: $(wc -l <"$tmp/got.txt") frames written, tshark shows $(wc -l <"$tmp/want.txt") for $4"
	fi
}

many=$caps/many-short.pcap
"$bin" report --format json "$many" >"$tmp/all.json" || bad "report --format json"

# --- report --where: exactly the flows the expression selects, with their findings
expect_status 0 "report --where" -- "$bin" report --format json --where "client.port < 39250 or irtt > 40us" "$many"
python3 - "$tmp/all.json" "$tmp/out" <<'PY' && ok || bad "report --where chose other flows than the expression says"
import json, sys
full, where = (json.load(open(p)) for p in sys.argv[1:3])
want = [f["id"] for f in full["flows"] if f["client"]["port"] < 39250 or (f["irtt"] is not None and f["irtt"] > 40e-6)]
got = [f["id"] for f in where["flows"]]
assert 0 < len(want) < len(full["flows"]), want
assert got == want, (got, want)
assert where["capture"]["packets"] == full["capture"]["packets"]  # the capture counts stay whole
PY
"$bin" report --format json --where "labels.retransmission > 0" "$caps/demo.pcap" >"$tmp/retx.json"
"$bin" report --format json --where "not retx" "$caps/demo.pcap" >"$tmp/noretx.json"
python3 - "$tmp/retx.json" "$tmp/noretx.json" <<'PY' && ok || bad "report --where: a flow's findings go with it"
import json, sys
yes, no = (json.load(open(p)) for p in sys.argv[1:3])
assert len(yes["flows"]) == 1 and len(yes["findings"]) > 0
assert len(no["flows"]) == 0 and all(f.get("flow", 0) == 0 for f in no["findings"])
PY
expect_status 0 "text report --where" -- "$bin" report --where "port 5000 and conn_state in SF,S1" "$caps/demo.pcap"
grep -q "10.77.0.1:53484" "$tmp/out" && ok || bad "text report --where lost the flow"
expect_status 2 "unknown field" -- "$bin" report --where "port 80 and tcp.flags == 2" "$many"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "column 13: unknown field 'tcp.flags'" "$tmp/err" && ok ||
	bad "unknown field: $(cat "$tmp/err")"
expect_status 2 "bad value" -- "$bin" report --where "duration > 1h" "$many"
grep -q "column 13: unknown unit 'h'" "$tmp/err" && ok || bad "bad unit: $(cat "$tmp/err")"

# --- packets --where: the packets of exactly those flows, every one of them
expect_status 0 "packets --where" -- "$bin" packets --where "client.port < 39250" "$many"
python3 - "$tmp/all.json" "$tmp/out" <<'PY' && ok || bad "packets --where printed other packets than the flows'"
import json, sys
flows = [f for f in json.load(open(sys.argv[1]))["flows"] if f["client"]["port"] < 39250]
lines = [json.loads(l) for l in open(sys.argv[2])]
assert 0 < len(flows) < 150
assert sorted({p["flow"] for p in lines}) == [f["id"] for f in flows]
assert len(lines) == sum(f["packets"]["client"] + f["packets"]["server"] for f in flows)
PY
expect_status 2 "packets --where and --flow" -- "$bin" packets --flow 1 --where "port 5000" "$many"
expect_status 2 "packets --where unknown field" -- "$bin" packets --where "nosuch > 1" "$many"
grep -q "column 1: unknown field 'nosuch'" "$tmp/err" && ok || bad "packets --where: $(cat "$tmp/err")"

# --- extract --flow: one flow's frames, unchanged
port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["flows"][4]["client"]["port"])' "$tmp/all.json")
expect_status 0 "extract --flow" -- "$bin" extract --flow 5 -w "$tmp/f5.pcap" "$many"
grep -q "^10 frames of 1 flow written to" "$tmp/out" && ok || bad "extract --flow: $(cat "$tmp/out")"
same_frames "extract --flow 5" "$tmp/f5.pcap" "$many" "tcp.port == $port"

# --- extract --where, to pcapng (by the name)
expect_status 0 "extract --where pcapng" -- "$bin" extract --where "client.port < 39250" -w "$tmp/w.pcapng" "$many"
[ "$(head -c 4 "$tmp/w.pcapng" | od -An -tx1 | tr -d ' ')" = 0a0d0d0a ] && ok || bad "extract -w X.pcapng is not pcapng"
ports=$(python3 -c '
import json, sys
print(" or ".join("tcp.port == %d" % f["client"]["port"] for f in json.load(open(sys.argv[1]))["flows"] if f["client"]["port"] < 39250))
' "$tmp/all.json")
same_frames "extract --where" "$tmp/w.pcapng" "$many" "$ports"
expect_status 0 "extract --where nothing" -- "$bin" extract --where "port 1" -w "$tmp/none.pcap" "$many"
[ "$(tshark -r "$tmp/none.pcap" 2>/dev/null | wc -l)" -eq 0 ] && ok || bad "an empty selection wrote frames"

# --- nanosecond timestamps stay nanoseconds
if command -v editcap >/dev/null 2>&1; then
	editcap -F nsecpcap "$caps/demo.pcap" "$tmp/ns.pcap" 2>/dev/null
	expect_status 0 "extract nanosecond" -- "$bin" extract --flow 1 -w "$tmp/ns-out.pcap" "$tmp/ns.pcap"
	magic=$(head -c 4 "$tmp/ns-out.pcap" | od -An -tx1 | tr -d ' ')
	[ "$magic" = 4d3cb2a1 ] || [ "$magic" = a1b23c4d ] && ok || bad "a nanosecond capture came out as $magic"
	same_frames "extract nanosecond" "$tmp/ns-out.pcap" "$tmp/ns.pcap" "tcp"
fi

# --- usage errors
expect_status 2 "extract without -w" -- "$bin" extract --flow 1 "$many"
expect_status 2 "extract with both" -- "$bin" extract --flow 1 --where "port 5000" -w "$tmp/x.pcap" "$many"
expect_status 2 "extract with neither" -- "$bin" extract -w "$tmp/x.pcap" "$many"
expect_status 2 "extract no such flow" -- "$bin" extract --flow 999 -w "$tmp/x.pcap" "$many"
grep -q "has no flow 999 (it has 150)" "$tmp/err" && ok || bad "no such flow: $(cat "$tmp/err")"
expect_status 2 "extract from stdin" -- "$bin" extract --flow 1 -w "$tmp/x.pcap" - <"$many"

# --- --join: the parts of one capture (editcap pieces, named out of order) give the whole file's frames, byte for byte
if command -v editcap >/dev/null; then
	mkdir "$tmp/parts"
	editcap -c 150 "$many" "$tmp/parts/many.pcap" >/dev/null || bad "editcap failed"
	# shellcheck disable=SC2046 # the parts' names, newest first
	set -- $(ls "$tmp/parts"/* | sort -r)
	[ $# -eq 10 ] && ok || bad "editcap made $# parts, expected 10"
	"$bin" extract --where "client.port < 39250" -w "$tmp/whole.pcap" "$many" >/dev/null || bad "extract --where on the file"
	"$bin" extract --join --where "client.port < 39250" -w "$tmp/joined.pcap" "$@" >"$tmp/out" 2>"$tmp/err" ||
		bad "extract --join: $(cat "$tmp/err")"
	cmp -s "$tmp/whole.pcap" "$tmp/joined.pcap" && ok || bad "extract --join wrote other bytes than extract on the whole file"
	grep -q "^[1-9][0-9]* frames of [1-9][0-9]* flows written to " "$tmp/out" && ok || bad "extract --join: $(cat "$tmp/out")"
	expect_status 2 "extract --join no such flow" -- "$bin" extract --join --flow 999 -w "$tmp/x.pcap" "$@"
	grep -q "many_.* + .* has no flow 999 (it has 150)" "$tmp/err" && ok || bad "--join, no such flow: $(cat "$tmp/err")"
	set --
else
	echo "note: editcap is not installed: the --join part is skipped"
fi

# --- every flow of a public capture with many flows (pcapng input), against tshark
shared=$top_srcdir/../shared/captures
espn=$shared/chrissanders-packets/http_espn.pcapng
if [ -f "$espn" ]; then
	"$bin" report --format json "$espn" >"$tmp/espn.json"
	python3 -c '
import json, sys
for f in json.load(open(sys.argv[1]))["flows"]:
    print(f["id"], f["client"]["port"], f["server"]["addr"])' "$tmp/espn.json" >"$tmp/espn-flows.txt"
	[ "$(wc -l <"$tmp/espn-flows.txt")" -gt 20 ] && ok || bad "http_espn.pcapng: too few flows"
	while read -r id cport saddr; do
		"$bin" extract --flow "$id" -w "$tmp/espn-$id.pcap" "$espn" >/dev/null || bad "extract flow $id"
		same_frames "http_espn flow $id" "$tmp/espn-$id.pcap" "$espn" "tcp.port == $cport and ip.addr == $saddr"
	done <"$tmp/espn-flows.txt"
	"$bin" extract --where "host 205.234.218.129" -w "$tmp/espn-host.pcapng" "$espn" >/dev/null
	same_frames "http_espn --where host" "$tmp/espn-host.pcapng" "$espn" "tcp and ip.addr == 205.234.218.129"
else
	echo "note: no corpus at $shared: the public-capture part is skipped"
fi

tally "extract and report --where"
