#!/bin/sh
# tests/ui-tmux.sh - drives the real tcpscope UI in a terminal: tmux runs it in
# a detached session of a fixed size, keys go in with send-keys, and the
# screen comes back with capture-pane (SPEC §13; tmux's own regress tests work
# this way). It checks the flows view, the ladder with the handshake and the
# endpoint states, n, the graph (its kinds, its cursor, Enter to the
# timeline), a resize, going back, quitting with status 0
# and the terminal restored (alternate screen left, cursor shown, the shell's
# text back), the "too small" screen at 30x8, Ctrl-C and SIGTERM, monochrome,
# --ascii, the mouse, a file that cannot be read, and --join and a gzip copy.
#
# Each UI runs in its own tmux server (one socket per session name) under a
# wrapper that prints EXIT=<status> when tcpscope ends and is bounded by
# `timeout`, so a failing test leaves no process behind: a server exits with
# its session.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_cmd tmux timeout
bin=$(tcpscope_bin)
captures=$top_srcdir/captures
. "$top_srcdir/tests/tmux-lib.sh"
ui_wrapper 90

# An xterm (X10) mouse event: button code, 0-based column and row.
mouse()
{
	tm "$1" send-keys -t "$1" -l "$(printf "\033[M$(printf '\\%03o\\%03o\\%03o' $((32 + $2)) $((33 + $3)) $((33 + $4)))")"
}

# double_click NAME X Y TEXT: two clicks on one cell until TEXT shows. The
# UI sees a double click when the second press comes within 400 ms of the
# first; on a loaded machine two tmux commands can be further apart than
# that, so a pair that arrived as two single clicks is sent again (at most
# five times). Sent in one write, ncurses would merge the two presses.
double_click()
{
	tries=0
	while :; do
		mouse "$1" 0 "$2" "$3"
		mouse "$1" 3 "$2" "$3"
		mouse "$1" 0 "$2" "$3"
		mouse "$1" 3 "$2" "$3"
		i=0
		while [ $i -lt 40 ]; do
			screen "$1" | grep -qF -- "$4" && return 0
			i=$((i + 1))
			sleep 0.05
		done
		tries=$((tries + 1))
		if [ $tries -eq 5 ]; then
			wait_for "$1" "$4"
			return 0
		fi
	done
}

# 1. The whole journey on demo.pcap at 120x40.
start demo 120 40 -- "$captures/demo.pcap"
wait_for demo "10.77.0.1:53484"
expect_on_screen demo "Flows 1/1"
[ "$(pane demo '#{alternate_on}')" = 1 ] || fail "the UI does not use the alternate screen"
key demo Enter
wait_for demo "SYN-SENT"
expect_on_screen demo "├─SYN"
expect_on_screen demo "SYN-RECEIVED"
expect_on_screen demo "ESTABLISHED"
expect_on_screen demo "TIME-WAIT"
expect_on_screen demo "FIN-WAIT-1"
expect_on_screen demo "Frame 1 "
key demo n
wait_for demo "Frame 21 "
expect_on_screen demo "retransmission: segment repeats sequence space already sent"
key demo g
wait_for demo "Time-sequence graph of flow 1"
expect_on_screen demo "retransmission"
tm demo resize-window -t demo -x 90 -y 30
wait_for demo "Time-sequence graph of flow 1"
i=0
while [ "$(screen demo | wc -l)" -ne 30 ] || ! screen demo | tail -n 1 | grep -q "demo.pcap"; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "no redraw at 90x30 after the resize"
	sleep 0.05
done
[ "$(screen demo | LC_ALL=C.UTF-8 wc -L)" -le 90 ] || fail "lines wider than 90 columns after the resize"
key demo q
wait_for demo "SYN-SENT"
key demo q
wait_for demo "Flows 1/1"
key demo q
expect_restored demo 0

# 2. A terminal below 80x24 gets a clear message, and q still quits cleanly.
start small 30 8 -- "$captures/demo.pcap"
wait_for small "Terminal too small"
expect_on_screen small "30x8: needs at least 80x24"
key small q
expect_restored small 0

# 3. Growing a small terminal brings the UI back.
start grow 30 8 -- "$captures/demo.pcap"
wait_for grow "Terminal too small"
tm grow resize-window -t grow -x 100 -y 30
wait_for grow "10.77.0.1:53484"
key grow q
expect_restored grow 0

# 4. Ctrl-C quits like q; SIGTERM quits with 128 + 15; both restore the terminal.
start intr 120 40 -- "$captures/demo.pcap"
wait_for intr "10.77.0.1:53484"
key intr Enter
wait_for intr "SYN-SENT"
key intr C-c
expect_restored intr 0

start term 120 40 -- "$captures/demo.pcap"
wait_for term "10.77.0.1:53484"
kill -TERM "$(cat "$TEST_TMPDIR/term.pid")"
expect_restored term 143

# 5. Colour by default; none with NO_COLOR or --color=never (bold and reverse only).
colours()
{
	tm "$1" capture-pane -e -p -t "$1" | grep -c "$(printf '\033')\[[0-9;]*\(3[0-7]\|4[0-7]\)m"
}
start colour 120 40 -- "$captures/demo.pcap"
wait_for colour "10.77.0.1:53484"
[ "$(colours colour)" -gt 0 ] || fail "no colour by default"
key colour q
expect_restored colour 0
start nocolour 120 40 NO_COLOR=1 -- "$captures/demo.pcap"
wait_for nocolour "10.77.0.1:53484"
[ "$(colours nocolour)" -eq 0 ] || fail "colour although NO_COLOR is set"
key nocolour q
expect_restored nocolour 0
start never 120 40 -- --color=never "$captures/demo.pcap"
wait_for never "10.77.0.1:53484"
[ "$(colours never)" -eq 0 ] || fail "colour with --color=never"
key never q
expect_restored never 0

# 6. ASCII line drawing with --ascii, and in a locale that is not UTF-8.
start ascii 120 40 -- --ascii "$captures/demo.pcap"
wait_for ascii "10.77.0.1:53484"
key ascii Enter
wait_for ascii "|-SYN------"
if screen ascii | grep -q "├"; then
	fail "--ascii still draws UTF-8 lines"
fi
key ascii Q
expect_restored ascii 0
start clocale 120 40 LC_ALL=C -- "$captures/demo.pcap"
wait_for clocale "10.77.0.1:53484"
key clocale Enter
wait_for clocale "|-SYN------"
key clocale Q
expect_restored clocale 0

# 7. The mouse: a click selects a flow, a double click opens it, the wheel scrolls.
start mouse 120 40 -- "$captures/many-short.pcap"
wait_for mouse "Flows 1/150"
mouse mouse 0 10 5
mouse mouse 3 10 5
wait_for mouse "Flows 4/150"
mouse mouse 65 10 5
wait_for mouse "Flows 7/150"
double_click mouse 10 5 "Flow 7 "
key mouse Q
expect_restored mouse 0

# 8. A file that cannot be read: one line on stderr, status 2, no UI.
start missing 120 40 -- "$TEST_TMPDIR/no-such.pcap"
wait_for missing "EXIT=2"
expect_on_screen missing "tcpscope: $TEST_TMPDIR/no-such.pcap"
tm missing kill-session -t missing

# 9. The graph kinds (v), the cursor (Right, a click) and Enter from it to the
#    timeline, on the packet under the cursor even inside a fold (frame 6 is
#    in the fold of frames 4-20). Frames are the demo's (captures/README.md).
start graph 120 40 -- "$captures/demo.pcap"
wait_for graph "10.77.0.1:53484"
key graph Enter
wait_for graph "SYN-SENT"
key graph g
wait_for graph "Time-sequence graph of flow 1"
expect_on_screen graph " frame 2  0.000043 s  from server"
for kind in "Throughput graph" "Round-trip time graph" "Window graph" "Time-sequence graph"; do
	key graph v
	wait_for graph "$kind of flow 1"
done
expect_on_screen graph "retransmission"
# The throughput graph has no mark for the SYN-ACK: the cursor went to the nearest packet it shows.
expect_on_screen graph " frame 3  0.000056 s  from client"
key graph Right
key graph Right
wait_for graph " frame 6  0.000107 s  from client  seq 1449  ack 1  len 1448"
key graph Enter
wait_for graph "Frame 6 "
expect_on_screen graph "  6 0.000107"
key graph q
wait_for graph "Time-sequence graph of flow 1"
mouse graph 0 100 10
mouse graph 3 100 10
wait_for graph " frame 265  0.280047 s"
key graph Q
expect_restored graph 0

# 10. --join opens the UI on the parts of one capture (editcap pieces, named backwards), and a
#     gzip copy opens as the file does: the same flow, its ladder and packet details read again.
if command -v editcap >/dev/null && command -v gzip >/dev/null; then
	mkdir "$TEST_TMPDIR/parts"
	editcap -c 100 "$captures/demo.pcap" "$TEST_TMPDIR/parts/demo.pcap" || fail "editcap failed"
	start join 120 40 -- --join $(ls "$TEST_TMPDIR/parts"/* | sort -r)
	wait_for join "10.77.0.1:53484"
	expect_on_screen join "Flows 1/1"
	expect_on_screen join "440 packets"
	key join Enter
	wait_for join "Frame 1 "
	key join n
	wait_for join "Frame 21 "
	expect_on_screen join "retransmission: segment repeats sequence space already sent"
	# w writes the flow's frames from the parts: the bytes extract writes from the whole file
	key join q
	wait_for join "Flows 1/1"
	key join w
	wait_for join "write flow 1 to"
	key join C-u
	type_text join "$TEST_TMPDIR/join-flow.pcap"
	key join Enter
	wait_for join "Wrote 440 frames"
	"$bin" extract --flow 1 -w "$TEST_TMPDIR/demo-flow.pcap" "$captures/demo.pcap" >/dev/null ||
		fail "extract --flow 1 on demo.pcap"
	cmp -s "$TEST_TMPDIR/join-flow.pcap" "$TEST_TMPDIR/demo-flow.pcap" ||
		fail "w on a joined capture wrote other bytes than extract on the whole file"
	key join Q
	expect_restored join 0
	gzip -c "$captures/demo.pcap" >"$TEST_TMPDIR/demo.pcap.gz"
	start gz 120 40 -- "$TEST_TMPDIR/demo.pcap.gz"
	wait_for gz "10.77.0.1:53484"
	key gz Enter
	wait_for gz "Frame 1 "
	key gz n
	wait_for gz "Frame 21 "
	key gz Q
	expect_restored gz 0
else
	echo "SKIP part 10: editcap (wireshark-common) or gzip is not installed"
fi

echo "tmux UI tests passed"
