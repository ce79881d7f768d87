#!/bin/sh
# tests/ui-live-tmux.sh - the live UI end to end (SPEC §10, issue #5):
# `tcpscope -i VETH` runs in tmux inside one network namespace while tcpgen
# (captures/tcpgen.c) makes connections from another, joined by a veth pair
# (the pattern of tests/live.sh). The screen comes back with capture-pane,
# as in tests/ui-tmux.sh. Checked:
#   1. without -w: the flow row appears while the connection is open; once
#      it closes its states change and the row is dimmed; 5 s later it moves
#      to the history, below a flow still open; details are read back (the
#      timeline and its detail pane); the temporary file has no name at any
#      time; p shows PAUSED and p again resumes; the interface going down is
#      said in the status bar and the UI stays up; q quits with status 0 and
#      the terminal restored;
#   2. with -w: SIGTERM stops the capture, exits 128 + 15 with the terminal
#      restored, and the -w file reads back with the flow;
#   3. with tiny limits (--ui-max-packets 200 --ui-max-history 5) and 100
#      connections: the status bar counts packets and flows dropped from
#      memory, the timeline of a flow whose packets all went says so, the
#      temporary file rotated (the first one is gone) and at most two are
#      held, each of a bounded size; q still quits with status 0.
# Needs root (skips otherwise), iproute2, tmux and a C compiler. Touches only
# the namespaces it creates; they are removed on every exit path.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "the live UI test needs root (network namespaces, raw sockets)"
require_cmd tmux timeout ip ss "${CC:-cc}"
bin=$(tcpscope_bin)

cap=tsu-cap-$$
peer=tsu-peer-$$
cdev=tsuc$$ # tcpscope's end of the pair, in $cap
pdev=tsup$$
cap4=10.197.0.1
peer4=10.197.0.2

cleanup()
{
	for sock in "$TEST_TMPDIR"/tmux-*.sock; do
		[ -S "$sock" ] && tmux -S "$sock" kill-server 2>/dev/null
	done
	for pidfile in "$TEST_TMPDIR"/*.gen; do
		[ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
	done
	ip netns del "$cap" 2>/dev/null
	ip netns del "$peer" 2>/dev/null
	rm -rf "$TEST_TMPDIR"
}
# Replaces lib.sh's EXIT trap: tmux, tcpgen and the namespaces go too, then the temporary folder.
trap cleanup EXIT

"${CC:-cc}" -O1 -o "$TEST_TMPDIR/tcpgen" "$top_srcdir/captures/tcpgen.c" || fail "cannot build tcpgen"
gen=$TEST_TMPDIR/tcpgen
veth_pair "$cap" "$peer" "$cdev" "$pdev" "$cap4" "$peer4"

# NAME ARGS...: tcpgen in the background in a namespace, its pid in NAME.gen for the clean-up.
gen_bg()
{
	name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$gen" "$@" -q 2>/dev/null &
	echo $! >"$TEST_TMPDIR/$name.gen"
}

# A tcpgen server in $cap on PORT, ready when this returns.
server()
{
	gen_bg "server-$1" "$cap" server -a "$cap4" -p "$1" -n 5 -r 100 -s 100 -T 30
	i=0
	until ip netns exec "$cap" ss -Hltn "sport = :$1" | grep -q .; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "tcpgen server on port $1 did not start"
		sleep 0.05
	done
}

. "$top_srcdir/tests/tmux-lib.sh"
ui_wrapper 60
mkdir "$TEST_TMPDIR/tmp"

# start NAME ARGS...: tcpscope ARGS on $cdev, in $cap, in a 120x30 terminal.
start()
{
	name=$1
	shift
	tm "$name" new-session -d -s "$name" -x 120 -y 30 \
		"ip netns exec $cap env TERM=tmux-256color TMPDIR=$TEST_TMPDIR/tmp $TEST_TMPDIR/run $TEST_TMPDIR/$name.pid $bin -i $cdev $*" ||
		fail "tmux cannot start a session"
}

# row NAME PORT: the flows view's line of the flow to server port PORT, with its attributes.
row() { tm "$1" capture-pane -e -p -t "$1" | grep -F -- "$cap4:$2"; }

# dimmed NAME PORT: that line's client address is drawn dim (SGR 2), as the whole row then is.
dimmed() { row "$1" "$2" | grep -q "$(printf '\033')\[\([0-9]*;\)*2\(;[0-9]*\)*m$peer4:"; }

# ---- 1. the live UI without -w ------------------------------------------------
server 5001
start live -f tcp
wait_for live "Capturing: no TCP flow yet."
wait_for live "listening on $cdev"
[ -z "$(ls -A "$TEST_TMPDIR/tmp")" ] || fail "the temporary file still has a name: $(ls "$TEST_TMPDIR/tmp")"

# A connection that stays open for 3 s: its row appears while it is open.
gen_bg client1 "$peer" client -a "$cap4" -p 5001 -s 100 -r 100 -i 3000 -T 10
i=0
until row live 5001 | grep -q "ESTAB"; do
	i=$((i + 1))
	[ $i -lt 60 ] || fail "no ESTABLISHED row while the connection is open: $(screen live)"
	sleep 0.05
done
dimmed live 5001 && fail "an open flow is drawn dimmed"
echo "ok 1 - the flow row appears while the connection is open"

# It closes: TIME-WAIT and CLOSED, dimmed.
i=0
until row live 5001 | grep -q "TIME-WAIT"; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the closed flow's states did not change: $(row live 5001)"
	sleep 0.05
done
row live 5001 | grep -q "CLOSED" || fail "the server end is not CLOSED: $(row live 5001)"
dimmed live 5001 || fail "a flow that just closed is not dimmed: $(row live 5001)"
echo "ok 2 - once closed its states change and the row is dimmed"

# Another connection, left open; the first flow moves to the history below it.
gen_bg client2 "$peer" client -a "$cap4" -p 5001 -s 100 -r 100 -i 15000 -T 30
wait_for live "history from 2"
first=$(screen live | grep -F "$peer4:" | head -n 1)
case $first in
*ESTAB*) ;;
*) fail "the open flow is not above the history: $first" ;;
esac
dimmed live 5001 && fail "history rows are drawn dimmed"
echo "ok 3 - 5 s later the closed flow moves to the history, below the open one"

# Details come back from the (nameless) temporary file.
key live End
key live Enter
wait_for live "SYN-SENT"
key live d
wait_for live "Packet detail"
wait_for live "Frame "
key live q
wait_for live "Flows "
[ -z "$(ls -A "$TEST_TMPDIR/tmp")" ] || fail "the temporary file still has a name"
echo "ok 4 - the timeline and the detail pane read packets back"

# p pauses the display, p again resumes it.
key live p
wait_for live "PAUSED"
key live p
i=0
while screen live | grep -qF "PAUSED"; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "p does not resume the display"
	sleep 0.05
done
echo "ok 5 - p shows PAUSED, p again resumes"

# The link goes down: said in the status bar; the UI stays up; it comes back.
ip netns exec "$cap" ip link set "$cdev" down
wait_for live "$cdev: the interface is down"
ip netns exec "$cap" ip link set "$cdev" up
wait_for live "$cdev: the interface is up again"
echo "ok 6 - link down and up are said in the status bar; the UI stays up"

key live q
expect_restored live 0
[ -z "$(ls -A "$TEST_TMPDIR/tmp")" ] || fail "a temporary file is left behind"
echo "ok 7 - q quits with status 0, the terminal restored, no file left behind"

# ---- 2. -w and SIGTERM ----------------------------------------------------------
server 5002
start save -f tcp -w "$TEST_TMPDIR/save.pcap"
wait_for save "Capturing: no TCP flow yet."
ip netns exec "$peer" "$gen" client -q -a "$cap4" -p 5002 -s 100 -r 100 -T 10 2>/dev/null ||
	fail "the connection to port 5002 failed"
wait_for save "TIME-WAIT"
kill -TERM "$(cat "$TEST_TMPDIR/save.pid")"
expect_restored save 143
"$bin" report --format json "$TEST_TMPDIR/save.pcap" >"$TEST_TMPDIR/save.json" || fail "the -w file does not read back"
grep -q '"port": 5002' "$TEST_TMPDIR/save.json" || fail "the -w file lacks the flow"
echo "ok 8 - SIGTERM: status 143, the terminal restored, the -w file complete"

# ---- 3. memory limits and the rotating temporary file -------------------------
server 5003
gen_bg server-burst "$cap" server -a "$cap4" -p 5004 -n 100 -r 4000 -s 100 -T 30
i=0
until ip netns exec "$cap" ss -Hltn "sport = :5004" | grep -q .; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "tcpgen server on port 5004 did not start"
	sleep 0.05
done
start limits -f tcp --ui-max-packets 200 --ui-max-history 5
wait_for limits "Capturing: no TCP flow yet."
pid=$(cat "$TEST_TMPDIR/limits.pid")
# The temporary files tcpscope holds open (they have no name): "inode size" each.
held()
{
	for fd in /proc/"$pid"/fd/*; do
		case $(readlink "$fd") in
		*tcpscope-live-*) stat -L -c '%i %s' "$fd" ;;
		esac
	done | sort -u
}
first=$(held | cut -d' ' -f1)
[ -n "$first" ] || fail "no temporary file is open"

# One connection stays open (flow 1); a hundred more push its packets out of memory
# and fill the temporary file past its segment size (64 KiB, the least) a few times.
gen_bg client-long "$peer" client -a "$cap4" -p 5003 -s 100 -r 100 -i 15000 -T 30
wait_for limits "ESTAB"
ip netns exec "$peer" "$gen" client -q -a "$cap4" -p 5004 -n 100 -I 5 -s 4000 -r 100 -T 30 2>/dev/null ||
	fail "the connections to port 5004 failed"
wait_for limits "(dropped: "
screen limits | grep -qE "MB \(dropped: [0-9 ]+ pkts, [0-9 ]+ flows\)" ||
	fail "the status bar does not count dropped packets and flows: $(screen limits | tail -n 1)"
echo "ok 9 - past tiny limits the UI stays up and counts what it dropped from memory"

key limits Home
key limits Enter
wait_for limits "earlier packets dropped from memory: all of them"
key limits q
wait_for limits "Flows "
files=$(held)
[ "$(echo "$files" | wc -l)" -le 2 ] || fail "more than two temporary files are held: $files"
echo "$files" | grep -q "^$first " && fail "the temporary file never rotated: $files"
# A segment: 64 KiB and two records (of 256 + 16 bytes at most) beyond.
for size in $(echo "$files" | cut -d' ' -f2); do
	[ "$size" -le $((64 * 1024 + 2 * 272)) ] || fail "a temporary file grew to $size bytes"
done
echo "ok 10 - the temporary file rotated; at most two of bounded size are held"

key limits q
expect_restored limits 0
echo "ok 11 - q quits with status 0 after dropping"
