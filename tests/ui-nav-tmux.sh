#!/bin/sh
# tests/ui-nav-tmux.sh - the real tcpscope UI in tmux (as tests/ui-tmux.sh),
# for getting around a capture: timeline `/` finding a frame inside a fold
# and opening it, `:FRAME` from the flows view, a frame named in a finding
# followed with Tab and Enter, flows listed while a big file is still
# loading, an 80x24 terminal with IPv6 addresses (whole endpoints, fewer
# columns), and Home/End/PgDn under TERM=xterm-256color inside tmux, whose
# Home and End (ESC [ 1 ~, ESC [ 4 ~) that terminfo entry does not know,
# plus the other common sequences sent by hand.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_cmd tmux timeout
bin=$(tcpscope_bin)
captures=$top_srcdir/captures
crafted=${CRAFTED:-$top_builddir/tests/crafted}
synpcap=$top_builddir/tests/synpcap
[ -x "$crafted" ] && [ -x "$synpcap" ] || fail "tests/crafted and tests/synpcap are needed (make check builds them)"
. "$top_srcdir/tests/tmux-lib.sh"
ui_wrapper 90

# The detail pane's first line names the selected packet (shown at 34 rows and more).
selected() { wait_for "$1" " Frame $2  "; }

# 1. / in the timeline lands on frame 100 inside a fold, and opens it.
start fold 120 40 -- "$captures/demo.pcap"
wait_for fold "10.77.0.1:53484"
key fold Enter
wait_for fold "frames 83-157"
for k in / 1 0 0 Enter; do key fold "$k"; done
selected fold 100
expect_on_screen fold "100 0.230386"
if screen fold | grep -qF "frames 83-157"; then
	fail "the fold holding frame 100 is still folded"
fi
key fold Q
expect_restored fold 0

# 2. :FRAME from the flows view opens the flow's timeline at that packet; a frame that is not there is said.
start goto 120 40 -- "$captures/demo.pcap"
wait_for goto "Flows 1/1"
for k in : 3 0 0 Enter; do key goto "$k"; done
selected goto 300
expect_on_screen goto "Flow 1  10.77.0.1:53484"
for k in '#' 9 9 9 Enter; do key goto "$k"; done
wait_for goto "There is no frame 999: the capture has 440 frames."
key goto Q
expect_restored goto 0

# 3. A finding's message names frames 28 and 34: Tab picks 28, Enter goes there.
start link 120 40 -- "$captures/zero-window.pcap"
wait_for link "Flows 1/1"
key link f
wait_for link "zero window from frame 28 to frame 34"
key link Down
key link Tab
wait_for link "Enter goes to frame 28 (1 of 2 named; Tab the next)."
key link Enter
selected link 28
key link Q
expect_restored link 0

# 4. Flows are listed while the file loads (600 000 SYNs, each a flow: seconds of loading).
"$synpcap" "$TEST_TMPDIR/syns.pcap" 600000 || fail "synpcap could not write its capture"
start loading 120 40 -- "$TEST_TMPDIR/syns.pcap"
i=0
while :; do
	shot=$(screen loading)
	if printf '%s\n' "$shot" | grep -qF " loading " && printf '%s\n' "$shot" | grep -qF "10.0.0.0:1024"; then
		break
	fi
	i=$((i + 1))
	if [ $i -gt 600 ] || printf '%s\n' "$shot" | grep -qF "600 000 flows"; then
		printf '%s\n' "$shot"
		fail "no flow row was on the screen while the file was loading"
	fi
	sleep 0.05
done
key loading Q
expect_restored loading 0

# 5. 80x24 with IPv6 addresses: the endpoints show whole, less important columns go.
mkdir "$TEST_TMPDIR/crafted" && "$crafted" "$TEST_TMPDIR/crafted" >/dev/null || fail "crafted could not write its captures"
start ipv6 80 24 -- "$TEST_TMPDIR/crafted/ipv6-long-addresses.pcap"
wait_for ipv6 "[2001:db8:85a3::8a2e:370:7334]:51234 [2001:db8:85a3::1bb]:443"
expect_on_screen ipv6 "CLIENT END"
# The prompt keeps its label and shows the end of a long text.
key ipv6 /
tm ipv6 send-keys -t ipv6 -l "host 2001:db8:85a3::8a2e:370:7334 and not port 80 and not port 8080 and port 443"
wait_for ipv6 " search: "
screen ipv6 | tail -n 1 | grep -qF "and port 443" || {
	screen ipv6
	fail "the end of the search text is not shown"
}
key ipv6 Escape
key ipv6 Q
expect_restored ipv6 0

# 6. TERM=xterm-256color inside tmux: Home and End as tmux sends them, then each common sequence by hand.
start keys 120 40 TERM=xterm-256color -- "$captures/demo.pcap"
wait_for keys "Flows 1/1"
key keys Enter
selected keys 1
key keys End
selected keys 440
key keys Home
selected keys 1
raw() { tm keys send-keys -t keys -l "$(printf "$1")"; }
for seq in '\033[4~:440' '\033[1~:1' '\033[F:440' '\033[H:1' '\033OF:440' '\033OH:1' '\033[8~:440' '\033[7~:1'; do
	raw "${seq%:*}"
	selected keys "${seq##*:}"
done
raw '\033[6~'
wait_for keys "frames 83-157" # a page down
if screen keys | grep -qF " Frame 1  "; then
	fail "PgDn (ESC [ 6 ~) did not move the selection"
fi
raw '\033[5~'
selected keys 1
key keys Q
expect_restored keys 0

echo "tmux navigation tests passed"
