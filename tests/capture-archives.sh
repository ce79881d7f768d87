#!/bin/sh
# Capture archives (docs/formats.md "Compressed and split captures"):
#  - a gzip or zstd copy of every bundled capture gives the plain file's
#    report byte for byte but for the name, from a file and from a pipe, and
#    so does packets;
#  - a compressed file cut short is read to its last whole packet and ends
#    in capture.truncated; a corrupt one is one line on stderr and exit 2;
#  - --join on the pieces editcap -c cuts of every bundled capture gives the
#    whole's flows, findings and states byte for byte (JSON, all but the
#    capture section, whose counts and times must match too), in order and
#    with the pieces named backwards; also with --threads and --shard (the
#    shards merged again with tcpscope merge), and
#    for packets (also on parts compressed one by one), timeline, check and
#    the JSON Lines stream;
#  - a piece missing in the middle of a set is a gap, not an error.
set -u
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
bin=$(tcpscope_bin)
require_cmd gzip zstd editcap python3
caps=$top_srcdir/captures
tmp=$TEST_TMPDIR

# The capture section without what names the input: the counts and times must still agree.
counts() { sed -n 's/^  "capture": {"source": "[^"]*", \("parts": \[[^]]*\], \)\{0,1\}/  "capture": {/p' "$1"; }
# Everything but the capture section.
body() { sed '/^  "capture": /d' "$1"; }
same_report() { # WHOLE OTHER WHAT
	body "$2" >"$tmp/other.body"
	if ! body "$1" | cmp -s - "$tmp/other.body"; then
		bad "$3: flows or findings differ from the whole's"
		body "$1" | diff - "$tmp/other.body" | head -5
	elif [ "$(counts "$1")" != "$(counts "$2")" ]; then
		bad "$3: the capture section's counts differ: $(counts "$2")"
	else
		ok
	fi
}

for pcap in "$caps"/*.pcap; do
	name=$(basename "$pcap" .pcap)
	"$bin" report --format json "$pcap" >"$tmp/whole.json" || bad "$name: the plain file fails"
	"$bin" report --format json - <"$pcap" >"$tmp/whole-stdin.json"

	# --- gzip and zstd: the same report from a file and from a pipe
	gzip -c "$pcap" >"$tmp/$name.pcap.gz"
	zstd -q -c "$pcap" >"$tmp/$name.zst.data" # no telling name: the magic number decides
	for z in "$tmp/$name.pcap.gz" "$tmp/$name.zst.data"; do
		"$bin" report --format json "$z" >"$tmp/z.json" 2>"$tmp/z.err" || bad "$name: $(cat "$tmp/z.err")"
		same_report "$tmp/whole.json" "$tmp/z.json" "$name $(basename "$z")"
		"$bin" report --format json - <"$z" >"$tmp/z-stdin.json"
		if cmp -s "$tmp/whole-stdin.json" "$tmp/z-stdin.json"; then ok; else bad "$name: $(basename "$z") on stdin differs"; fi
	done

	# --- --join: editcap -c pieces, about five per capture, named in order and backwards
	packets=$(sed -n 's/.*"capture": {.*"packets": \([0-9]*\),.*/\1/p' "$tmp/whole.json")
	per=$(((packets + 4) / 5))
	rm -rf "$tmp/parts" && mkdir "$tmp/parts"
	editcap -c "$per" "$pcap" "$tmp/parts/$name.pcap" || bad "$name: editcap failed"
	set -- "$tmp/parts"/*
	nparts=$#
	"$bin" report --format json --join "$@" >"$tmp/join.json" 2>"$tmp/join.err" || bad "$name: --join: $(cat "$tmp/join.err")"
	same_report "$tmp/whole.json" "$tmp/join.json" "$name --join of $nparts parts"
	grep -q "\"parts\": \[\"$1\"" "$tmp/join.json" || [ "$nparts" -eq 1 ] || bad "$name: the capture section does not name the parts in order"
	reversed=$(for p in "$@"; do echo "$p"; done | sort -r)
	# shellcheck disable=SC2086 # the part names have no spaces
	"$bin" report --format json --join $reversed >"$tmp/join-rev.json" || bad "$name: --join backwards fails"
	if cmp -s "$tmp/join.json" "$tmp/join-rev.json"; then ok; else bad "$name: --join depends on the order the parts are named in"; fi
done

# --- join and threads, shards and the other commands (demo: 440 packets, cut in 5)
demo=$caps/demo.pcap
rm -rf "$tmp/parts" && mkdir "$tmp/parts"
editcap -c 100 "$demo" "$tmp/parts/demo.pcap"
set -- "$tmp/parts"/*
[ $# -eq 5 ] || bad "editcap -c 100 cut demo.pcap in $# parts, not 5"
"$bin" report --format json --threads 1 --join "$@" >"$tmp/t1.json"
"$bin" report --format json --threads 2 --join "$@" >"$tmp/t2.json"
if cmp -s "$tmp/t1.json" "$tmp/t2.json"; then ok; else bad "--join --threads 2 differs from one thread"; fi
# A join's shards: the whole's flows and findings; their input is the parts' bytes
# together; merged, they are the join's report.
parts_bytes=$(cat "$@" | wc -c)
for i in 1 2; do
	"$bin" report --format json --shard "$i/2" "$demo" | sed 's/"input_bytes": [0-9]*/"input_bytes": N/' >"$tmp/s.json"
	"$bin" report --format json --shard "$i/2" --join "$@" >"$tmp/sj$i.json"
	grep -q "\"input_bytes\": $parts_bytes," "$tmp/sj$i.json" ||
		bad "--join --shard $i/2: input_bytes is not the parts' $parts_bytes bytes"
	sed 's/"input_bytes": [0-9]*/"input_bytes": N/' "$tmp/sj$i.json" >"$tmp/sj.json"
	same_report "$tmp/s.json" "$tmp/sj.json" "--join --shard $i/2"
done
"$bin" merge "$tmp/sj2.json" "$tmp/sj1.json" >"$tmp/merged.json" || bad "merge of a join's shards failed"
if cmp -s "$tmp/t1.json" "$tmp/merged.json"; then ok; else bad "a join's shards merged differ from its report"; fi
"$bin" packets "$demo" >"$tmp/p.whole"
"$bin" packets --join "$5" "$3" "$1" "$4" "$2" >"$tmp/p.join"
if cmp -s "$tmp/p.whole" "$tmp/p.join"; then ok; else bad "packets --join differs from the whole's"; fi
# A rotated set compressed part by part (ring_*.pcap.zst), gzip and zstd mixed: still the one capture.
gzip -c "$1" >"$tmp/part1.pcap.gz"
gzip -c "$4" >"$tmp/part4.pcap.gz"
for part in "$2" "$3" "$5"; do zstd -q -c "$part" >"$tmp/$(basename "$part").zst"; done
"$bin" packets --join "$tmp"/*.zst "$tmp/part4.pcap.gz" "$tmp/part1.pcap.gz" >"$tmp/p.zjoin"
if cmp -s "$tmp/p.whole" "$tmp/p.zjoin"; then ok; else bad "packets --join of compressed parts differs from the whole's"; fi
gzip -c "$demo" >"$tmp/demo.gz"
"$bin" packets "$tmp/demo.gz" >"$tmp/p.gz"
if cmp -s "$tmp/p.whole" "$tmp/p.gz"; then ok; else bad "packets on a gzip copy differs"; fi
"$bin" timeline --flow 1 "$demo" >"$tmp/tl.whole" # every row's details are read again by seeking
"$bin" timeline --flow 1 "$tmp/demo.gz" >"$tmp/tl.gz"
if cmp -s "$tmp/tl.whole" "$tmp/tl.gz"; then ok; else bad "timeline of a gzip copy differs"; fi
"$bin" timeline --flow 1 --join "$@" >"$tmp/tl.join"
if cmp -s "$tmp/tl.whole" "$tmp/tl.join"; then ok; else bad "timeline --join differs from the whole's"; fi
"$bin" --format json "$demo" | sed '$d' >"$tmp/st.whole"
"$bin" --format json --join "$@" | sed '$d' >"$tmp/st.join"
if [ -s "$tmp/st.whole" ] && cmp -s "$tmp/st.whole" "$tmp/st.join"; then ok; else bad "the JSON Lines stream with --join differs"; fi
"$bin" check --format json --fail-on note "$demo" >"$tmp/ck.whole"
echo $? >>"$tmp/ck.whole"
"$bin" check --format json --fail-on note --join "$@" >"$tmp/ck.join"
echo $? >>"$tmp/ck.join"
sed 's/"source": "[^"]*"//' "$tmp/ck.whole" >"$tmp/ck.a"
sed 's/"source": "[^"]*"//' "$tmp/ck.join" >"$tmp/ck.b"
if cmp -s "$tmp/ck.a" "$tmp/ck.b" && [ "$(tail -1 "$tmp/ck.join")" = 1 ]; then ok; else bad "check --join differs from the whole's"; fi
"$bin" check --join "$@" >"$tmp/ck.text"
if grep -q "demo_00000.* + .*demo_00004" "$tmp/ck.text"; then ok; else bad "check --join does not name the parts"; fi

# --- what --join does not go with, and what needs it
"$bin" --join -i lo >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q -- "--join reads capture files" "$tmp/err"; then ok; else bad "--join -i is not refused: $(cat "$tmp/err")"; fi
"$bin" packets "$1" "$2" >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q -- "or --join and its parts" "$tmp/err"; then ok; else bad "packets of two files without --join: $(cat "$tmp/err")"; fi

# --- a piece missing in the middle: a gap, the rest read
"$bin" report --format json --join "$1" "$2" "$4" "$5" >"$tmp/gap.json" 2>"$tmp/gap.err"
status=$?
if [ $status -eq 0 ] && [ ! -s "$tmp/gap.err" ] && grep -q '"packets": 340,' "$tmp/gap.json"; then
	ok
else
	bad "a missing middle part: exit $status, $(head -c 200 "$tmp/gap.err")"
fi

# --- compressed and cut short: every whole packet, then capture.truncated (bulk-loss: zstd
# delivers whole blocks of up to 128 KiB, and a smaller file is one block, nothing before its end)
bulk=$caps/bulk-loss.pcap
total=$("$bin" report --format json "$bulk" | sed -n 's/.*"capture": {.*"packets": \([0-9]*\),.*/\1/p')
gzip -c "$bulk" >"$tmp/bulk.gz"
zstd -q -c "$bulk" >"$tmp/bulk.zst"
for z in "$tmp/bulk.gz" "$tmp/bulk.zst"; do
	size=$(wc -c <"$z")
	head -c $((size * 3 / 4)) "$z" >"$tmp/cut"
	"$bin" report --format json "$tmp/cut" >"$tmp/cut.json" 2>"$tmp/cut.err"
	status=$?
	got=$(sed -n 's/.*"capture": {.*"packets": \([0-9]*\),.*/\1/p' "$tmp/cut.json")
	if [ $status -eq 0 ] && grep -q '"truncated": true' "$tmp/cut.json" && grep -q '"capture.truncated"' "$tmp/cut.json" &&
		[ "${got:-0}" -gt 0 ] && [ "$got" -lt "$total" ]; then
		ok
	else
		bad "$(basename "$z") cut at 3/4: exit $status, ${got:-no} packets, $(cat "$tmp/cut.err")"
	fi
	# the whole data but the end of the stream (gzip's trailer, zstd's last block): truncated
	head -c $((size - 4)) "$z" >"$tmp/cut"
	"$bin" report --format json "$tmp/cut" >"$tmp/cut.json"
	if grep -q '"capture.truncated"' "$tmp/cut.json"; then ok; else bad "$(basename "$z") without its last 4 bytes is not truncated"; fi
	# the same on a pipe
	head -c $((size * 3 / 4)) "$z" | "$bin" report --format json - >"$tmp/cut.json"
	if grep -q '"capture.truncated"' "$tmp/cut.json"; then ok; else bad "$(basename "$z") cut on stdin is not truncated"; fi
done

# --- corrupt: one line on stderr, exit 2 (a flipped byte in the middle, a bad header, a bad checksum)
zstd -q -c "$demo" >"$tmp/demo.zst"
for z in "$tmp/demo.gz" "$tmp/demo.zst" "$tmp/bulk.gz" "$tmp/bulk.zst"; do
	for at in middle header end; do
		python3 - "$z" "$tmp/bad" "$at" <<'EOF'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
at = {'middle': len(data) // 2, 'header': 3, 'end': len(data) - 2}[sys.argv[3]]
data[at] ^= 0x55
open(sys.argv[2], 'wb').write(data)
EOF
		"$bin" report "$tmp/bad" >/dev/null 2>"$tmp/bad.err"
		status=$?
		if [ $status -eq 2 ] && [ "$(wc -l <"$tmp/bad.err")" -eq 1 ]; then
			ok
		else
			bad "$(basename "$z") corrupt at its $at: exit $status, $(cat "$tmp/bad.err")"
		fi
	done
done

tally capture-archives
