#!/bin/sh
# tests/ui-filter-tmux.sh - the flows filter and the way out to Wireshark,
# driven in a real terminal by tmux (as tests/ui-tmux.sh does): a filter
# expression narrows the flows view to the flows a count made from the JSON
# report says match; an unknown field keeps the prompt open with the
# problem and a caret under it; `w` (a flow) and `W` (the filtered flows)
# write pcap files that tshark reads back holding exactly those flows'
# frames, bytes and timestamps as in the original; `x` in the timeline
# shows the packet's bytes as tshark -x prints them.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_cmd tmux timeout tshark python3
bin=$(tcpscope_bin)
captures=$top_srcdir/captures
. "$top_srcdir/tests/tmux-lib.sh"
ui_wrapper 300

start()
{
	name=$1
	shift
	tm "$name" new-session -d -s "$name" -x 120 -y 40 \
		"env TERM=tmux-256color $TEST_TMPDIR/run $TEST_TMPDIR/$name.pid $bin $*" ||
		fail "tmux cannot start a session"
}

# type NAME TEXT: the text as keys, literally.

# frames FILE [DISPLAY-FILTER]: what identifies each frame, one line a frame.
frames()
{
	tshark -r "$1" ${2:+-Y "$2"} -T fields -e frame.time_epoch -e frame.len -e frame.cap_len -e ip.src \
		-e tcp.srcport -e tcp.seq_raw -e tcp.ack_raw 2>/dev/null
}

many=$captures/many-short.pcap
"$bin" report --format json "$many" >"$TEST_TMPDIR/many.json" || fail "report --format json failed"

# 1. A filter expression: time and count fields, or; the count comes from the JSON report.
want=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(1 for f in d["flows"] if (f["irtt"] is not None and f["irtt"] > 30e-6) or f["client"]["port"] < 39230))
' "$TEST_TMPDIR/many.json")
[ "$want" -gt 0 ] && [ "$want" -lt 150 ] || fail "the filter test needs some flows in and some out, not $want"
start filt "$many"
wait_for filt "Flows 1/150"
key filt '\'
type_text filt "irtt > 30us or client.port < 39230"
key filt Enter
wait_for filt "Flows 1/$want (filter: irtt > 30us or client.port < 39230)"

# 2. An unknown field: the prompt stays open on its text, the problem under it, a caret at its column.
key filt '\'
key filt C-u
type_text filt "port 5000 and tcp.flags == 2"
key filt Enter
wait_for filt "^ unknown field 'tcp.flags'"
expect_on_screen filt "filter: port 5000 and tcp.flags == 2"
prompt_col=$(screen filt | grep -F "filter: port 5000" | awk '{ print index($0, "tcp.flags") }')
caret_col=$(screen filt | grep -F "^ unknown field" | awk '{ print index($0, "^") }')
[ "$prompt_col" = "$caret_col" ] || fail "the caret is at column $caret_col, the field at $prompt_col"
expect_on_screen filt "Flows 1/$want (filter: irtt > 30us" # the old filter still applies
# Editing clears the error; a valid expression is taken.
key filt C-u
type_text filt "client.port < 39250"
key filt Enter
n250=$(python3 -c '
import json, sys
print(sum(1 for f in json.load(open(sys.argv[1]))["flows"] if f["client"]["port"] < 39250))' "$TEST_TMPDIR/many.json")
wait_for filt "Flows 1/$n250 (filter: client.port < 39250)"
if screen filt | grep -qF "unknown field"; then
	fail "the error stayed after a valid filter"
fi

# 3. W: every flow the filter shows, to a pcap; exactly their frames come back.
key filt W
wait_for filt "write the $n250 flows shown to"
key filt C-u
type_text filt "$TEST_TMPDIR/shown.pcap"
key filt Enter
wait_for filt "Wrote"
frames "$TEST_TMPDIR/shown.pcap" >"$TEST_TMPDIR/shown.txt"
ports=$(python3 -c '
import json, sys
print(" or ".join("tcp.port == %d" % f["client"]["port"] for f in json.load(open(sys.argv[1]))["flows"] if f["client"]["port"] < 39250))
' "$TEST_TMPDIR/many.json")
frames "$many" "$ports" >"$TEST_TMPDIR/shown-want.txt"
[ -s "$TEST_TMPDIR/shown-want.txt" ] || fail "tshark found no frame of the filtered flows"
cmp -s "$TEST_TMPDIR/shown.txt" "$TEST_TMPDIR/shown-want.txt" || { diff "$TEST_TMPDIR/shown.txt" "$TEST_TMPDIR/shown-want.txt" | head; fail "W wrote other frames than the filtered flows'"; }
expect_on_screen filt "Wrote $(wc -l <"$TEST_TMPDIR/shown-want.txt") frames of $n250 flows"

# 4. w: the selected flow (the first row: flow 1); a second w on the same name asks first.
port1=$(python3 -c '
import json, sys
print(json.load(open(sys.argv[1]))["flows"][0]["client"]["port"])' "$TEST_TMPDIR/many.json")
key filt w
wait_for filt "write flow 1 to"
expect_on_screen filt "flow-1.pcap"
key filt C-u
type_text filt "$TEST_TMPDIR/flow1.pcap"
key filt Enter
wait_for filt "Wrote 10 frames of 1 flow"
frames "$TEST_TMPDIR/flow1.pcap" >"$TEST_TMPDIR/flow1.txt"
frames "$many" "tcp.port == $port1" >"$TEST_TMPDIR/flow1-want.txt"
cmp -s "$TEST_TMPDIR/flow1.txt" "$TEST_TMPDIR/flow1-want.txt" || fail "w wrote other frames than flow 1's"
key filt w
key filt C-u
type_text filt "$TEST_TMPDIR/shown.pcap"
key filt Enter
wait_for filt "exists: Enter again replaces it"
key filt Escape
[ "$(frames "$TEST_TMPDIR/shown.pcap" | wc -l)" -gt 10 ] || fail "Esc after the question replaced the file"
key filt Q
expect_restored filt 0

# 5. The timeline: x shows frame 1's bytes as tshark -x does; w writes the flow, pcapng by its name.
start bytes "$captures/demo.pcap"
wait_for bytes "10.77.0.1:53484"
key bytes Enter
wait_for bytes "Frame 1 "
key bytes x
wait_for bytes "Packet bytes"
tshark -r "$captures/demo.pcap" -Y frame.number==1 -x 2>/dev/null | python3 -c '
import sys
for line in sys.stdin:
    if line[:4].strip() and line[4:6] == "  ":
        hexes = line[6:54].split()
        print(line[:4] + "  " + " ".join(hexes[:8]) + "  " + " ".join(hexes[8:]))
' >"$TEST_TMPDIR/hex-want.txt"
[ -s "$TEST_TMPDIR/hex-want.txt" ] || fail "tshark -x printed no bytes"
screen bytes >"$TEST_TMPDIR/bytes-screen.txt"
while read -r want_line; do
	grep -qF -- "$want_line" "$TEST_TMPDIR/bytes-screen.txt" || {
		cat "$TEST_TMPDIR/bytes-screen.txt"
		fail "the bytes pane lacks \"$want_line\""
	}
done <"$TEST_TMPDIR/hex-want.txt"
key bytes w
wait_for bytes "write flow 1 to"
key bytes C-u
type_text bytes "$TEST_TMPDIR/demo.pcapng"
key bytes Enter
wait_for bytes "Wrote 440 frames of 1 flow"
[ "$(head -c 4 "$TEST_TMPDIR/demo.pcapng" | od -An -tx1 | tr -d ' ')" = 0a0d0d0a ] || fail "not a pcapng"
frames "$TEST_TMPDIR/demo.pcapng" >"$TEST_TMPDIR/demo.txt"
frames "$captures/demo.pcap" >"$TEST_TMPDIR/demo-want.txt"
cmp -s "$TEST_TMPDIR/demo.txt" "$TEST_TMPDIR/demo-want.txt" || fail "the pcapng differs from the capture"
key bytes Q
expect_restored bytes 0

echo "tmux filter and export tests passed"
