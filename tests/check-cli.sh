#!/bin/sh
# End-to-end tests of `tcpscope check` (SPEC §11, docs/ci.md) on the recorded
# captures: exit codes 0/1/2 and one-line errors, the findings policy
# (--fail-on, --allow, --deny with codes and prefixes), expectation and
# script failures in the text output (file, line, flow, frame, expected,
# actual), JSON that parses with the same facts, and JUnit XML that is
# well-formed and has the structure CI reporters read (one testsuite per
# file, a testcase per flow and per expectation, failures with messages).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
require_cmd python3
bin=$(tcpscope_bin)
caps=$top_srcdir/captures
tmp=$TEST_TMPDIR

# run WANT DESCRIPTION -- COMMAND...: runs COMMAND into $tmp/out and $tmp/err, checks its exit status.
run() {
	want=$1 what=$2
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want ($(head -c 300 "$tmp/err"))"; fi
}
# has PATTERN DESCRIPTION: $tmp/out contains the fixed string PATTERN.
has() { grep -qF -- "$1" "$tmp/out" && ok || bad "$2: no '$1' in: $(head -c 600 "$tmp/out")"; }
# err_is PATTERN DESCRIPTION: stderr is exactly one line that contains PATTERN.
err_is() {
	if [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF -- "$1" "$tmp/err"; then ok; else
		bad "$2: stderr is not one line with '$1': $(cat "$tmp/err")"
	fi
}

# A capture with an error finding: the handshake ACK of close-by-client made
# to acknowledge the wrong byte (tcp.handshake.ack_bad_ack), written by
# patching the ack field of frame 3 in a copy of the file.
python3 - "$caps/close-by-client.pcap" "$tmp/bad-ack.pcap" <<'PY' || fail "cannot write bad-ack.pcap"
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
off, frame = 24, 0
while off < len(data):
    caplen = struct.unpack_from("<I", data, off + 8)[0]
    frame += 1
    if frame == 3:
        tcp = off + 16 + 14 + 20                  # record header, Ethernet, IPv4 without options
        ack = struct.unpack_from(">I", data, tcp + 8)[0]
        struct.pack_into(">I", data, tcp + 8, (ack + 5) & 0xffffffff)
    off += 16 + caplen
open(sys.argv[2], "wb").write(data)
PY
"$bin" report --format json "$tmp/bad-ack.pcap" | python3 -c '
import json, sys
codes = [f["code"] for f in json.load(sys.stdin)["findings"]]
sys.exit(0 if "tcp.handshake.ack_bad_ack" in codes else 1)' || fail "bad-ack.pcap does not raise tcp.handshake.ack_bad_ack"

# --- exit codes and the default policy
run 0 "clean capture" -- "$bin" check "$caps/close-by-client.pcap"
has "close-by-client.pcap: ok" "clean capture"
run 1 "error finding fails by default" -- "$bin" check "$tmp/bad-ack.pcap"
has "bad-ack.pcap: FAIL" "error finding"
has "error tcp.handshake.ack_bad_ack" "error finding named"
has "frame 3, flow 1" "error finding with its frame"
run 0 "notes and warnings pass by default" -- "$bin" check "$caps/keepalive-dead.pcap" "$caps/lost-fin.pcap"
run 1 "--fail-on warning" -- "$bin" check --fail-on warning "$caps/keepalive-dead.pcap"
has "tcp.keepalive.unanswered" "--fail-on warning names the finding"
run 0 "--fail-on warning, no warning" -- "$bin" check --fail-on warning "$caps/lost-fin.pcap"
run 1 "--fail-on note" -- "$bin" check --fail-on note "$caps/lost-fin.pcap"
has "note tcp.close.fin_retransmitted" "--fail-on note names the note"
run 1 "one failing file fails the run" -- "$bin" check "$caps/close-by-client.pcap" "$tmp/bad-ack.pcap"
has "2 files: 1 passed, 1 failed, 0 could not be read" "summary line"

# --- --allow and --deny, codes and prefixes
run 0 "--allow a code" -- "$bin" check --allow tcp.handshake.ack_bad_ack "$tmp/bad-ack.pcap"
run 0 "--allow a prefix" -- "$bin" check --allow 'tcp.handshake.*' "$tmp/bad-ack.pcap"
run 1 "--allow another prefix" -- "$bin" check --allow 'tcp.reset.*' "$tmp/bad-ack.pcap"
run 1 "--deny a note" -- "$bin" check --deny tcp.close.fin_retransmitted "$caps/lost-fin.pcap"
run 1 "--deny a prefix" -- "$bin" check --deny 'tcp.close.*' "$caps/lost-fin.pcap"
run 0 "--deny an absent code" -- "$bin" check --deny 'tcp.reset.*' "$caps/lost-fin.pcap"
run 0 "exact --allow beats a prefix --deny" -- "$bin" check --deny 'tcp.close.*' --allow tcp.close.fin_retransmitted \
	--allow tcp.close.fin_lost \
	"$caps/lost-fin.pcap"
run 1 "exact --deny beats a prefix --allow" -- "$bin" check --allow 'tcp.*' --deny tcp.close.fin_retransmitted \
	"$caps/lost-fin.pcap"
run 0 "--allow is repeatable" -- "$bin" check --fail-on note --allow 'tcp.close.*' --allow 'tcp.handshake.*' \
	--allow 'tcp.rto.*' \
	"$caps/lost-fin.pcap" "$caps/lost-synack.pcap"

# --- usage and input errors: exit 2, one line naming the file and the problem
run 2 "no capture" -- "$bin" check
err_is "check needs a capture file" "no capture"
run 2 "missing capture" -- "$bin" check "$tmp/nonexistent.pcap"
err_is "nonexistent.pcap" "missing capture"
run 2 "missing capture among good ones" -- "$bin" check "$caps/close-by-client.pcap" "$tmp/nonexistent.pcap"
run 2 "bad --fail-on" -- "$bin" check --fail-on fatal "$caps/demo.pcap"
err_is "--fail-on takes error, warning or note" "bad --fail-on"
run 2 "unknown --allow code" -- "$bin" check --allow tcp.nope "$caps/demo.pcap"
err_is "unknown finding code 'tcp.nope'" "unknown --allow code"
run 2 "unknown --deny prefix" -- "$bin" check --deny 'nope.*' "$caps/demo.pcap"
err_is "no finding code starts with 'nope.'" "unknown --deny prefix"
run 2 "bad --format" -- "$bin" check --format xml "$caps/demo.pcap"
err_is "--format takes text or json or junit" "bad --format"
run 2 "junit is for check only" -- "$bin" report --format junit "$caps/demo.pcap"
run 2 "missing --expect file" -- "$bin" check --expect "$tmp/none.expect" "$caps/demo.pcap"
err_is "none.expect: No such file or directory" "missing --expect file"
printf 'flows == 1\n# fine\nflow * handshake == finished\n' >"$tmp/bad.expect"
run 2 "expect parse error" -- "$bin" check --expect "$tmp/bad.expect" "$caps/demo.pcap"
err_is "bad.expect:3:21: handshake is one of complete, simultaneous, rejected, incomplete, none, not 'finished'" \
	"expect parse error with line and column"
[ ! -s "$tmp/out" ] && ok || bad "a parse error still wrote a verdict"
printf '0 > S 0:0(0)\n+0 < S. 0:0(0) ack 1 <mss 1460\n' >"$tmp/bad.pkt"
run 2 "script parse error" -- "$bin" check --script "$tmp/bad.pkt" "$caps/demo.pcap"
err_is "bad.pkt:2:31: missing '>' to close the '<' at column 22" "script parse error with line and column"
printf '0 > S 0:0(0)\n' >"$tmp/syn.pkt"
run 2 "bad --flow selector" -- "$bin" check --script "$tmp/syn.pkt" --flow 'port x' "$caps/demo.pcap"
err_is "--flow 'port x': expected a port number (0-65535), not 'x'" "bad --flow"
run 2 "--flow without --script" -- "$bin" check --flow 1 "$caps/demo.pcap"
err_is "--flow chooses the flow of --script" "--flow without --script"

# --- expectations: pass, fail with file, line, flow, frame, actual value
cat >"$tmp/lost-synack.expect" <<'EOF'
# what a healthy handshake should look like
flows == 1
flow * handshake == complete
flow port 5000 irtt < 50ms
flow server 10.77.0.2:5000 state.client == TIME-WAIT
findings tcp.handshake.* == 0
findings error == 0
flow 7 close == fin
EOF
run 1 "failing expectations" -- "$bin" check --expect "$tmp/lost-synack.expect" "$caps/lost-synack.pcap"
has "lost-synack.expect:4: flow port 5000 irtt < 50ms" "failed expectation named with its line"
has "flow 1 (frame 1, 10.77.0.1:54122 > 10.77.0.2:5000): irtt is 1.029956s" "failing flow with frame and actual"
has "lost-synack.expect:6: findings tcp.handshake.* == 0" "failed findings expectation"
has "frame 5: tcp.handshake.synack_retransmitted" "findings failure lists the frame"
has "lost-synack.expect:8: flow 7 close == fin" "selector selecting nothing fails"
has "no flow is selected (the capture has 1)" "selector selecting nothing says so"
run 1 "flows count" -- "$bin" check --expect "$caps/demo.expect" "$caps/port-reuse.pcap"
has "the capture has 4 flows, first frames 1, 11, 21, 31" "flows failure lists the flows' first frames"
grep -qF "lost-synack.expect:3" "$tmp/out" && bad "a holding expectation was listed" || ok
run 0 "expectations that hold" -- "$bin" check --expect "$caps/lost-synack.expect" "$caps/lost-synack.pcap"
has "21 expectations hold" "passing expectations counted"

# --- frame expectations: a packet's view at one frame (the §5.2 object)
cat >"$tmp/frames.expect" <<'EOF'
frame 1 flags == S
frame 2 state.client == ESTABLISHED
frame 2 dir == server
frame 3 state.server in ESTABLISHED,SYN-RECEIVED
frame 3 labels.retransmission == 0
EOF
run 0 "frame expectations that hold" -- "$bin" check --expect "$tmp/frames.expect" "$caps/close-by-client.pcap"
has "5 expectations hold" "frame expectations counted"
cat >>"$tmp/frames.expect" <<'EOF'
frame 2 flags == S
frame 99 state.client == ESTABLISHED
EOF
run 1 "failing frame expectations" -- "$bin" check --expect "$tmp/frames.expect" "$caps/close-by-client.pcap"
has "frames.expect:6: frame 2 flags == S" "failed frame expectation named with its line"
has "frame 2 (flow 1, 10.77.0.1:53486 > 10.77.0.2:5000): flags is SA, expected == S" \
	"frame failure names the frame, the flow, the actual and the expected value"
has "frames.expect:7: frame 99 state.client == ESTABLISHED" "frame past the end fails"
has "frame 99 is not in the capture (it has 14 frames)" "frame past the end says so"
grep -qF "frames.expect:1" "$tmp/out" && bad "a holding frame expectation was listed" || ok
# A frame that is no TCP packet: close-by-client with a UDP datagram appended
# as frame 15 (a copy of frame 1 with IPv4 protocol 17).
python3 - "$caps/close-by-client.pcap" "$tmp/with-udp.pcap" <<'PY' || fail "cannot write with-udp.pcap"
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
caplen = struct.unpack_from("<I", data, 24 + 8)[0]
record = bytearray(data[24:24 + 16 + caplen])
record[16 + 14 + 9] = 17                          # record header, Ethernet, then the IPv4 protocol byte
open(sys.argv[2], "wb").write(data + record)
PY
printf 'frame 15 flags == S\nframe 14 flags == A\n' >"$tmp/udp.expect"
run 1 "frame that is not TCP" -- "$bin" check --expect "$tmp/udp.expect" "$tmp/with-udp.pcap"
has "frame 15 is not a TCP packet of the capture" "frame that is not TCP says so"
grep -qF "udp.expect:2" "$tmp/out" && bad "frame 14 of with-udp.pcap should hold" || ok
printf 'frame 3 flags == AS\n' >"$tmp/bad-frame.expect"
run 2 "frame expectation parse error" -- "$bin" check --expect "$tmp/bad-frame.expect" "$caps/demo.pcap"
err_is "bad-frame.expect:1:18: flags are written once each in the order SFRPAUEW: 'SA', not 'AS'" \
	"frame parse error with line and column"
run 1 "frame expectations as JSON" -- "$bin" check --format json --expect "$tmp/frames.expect" \
	"$caps/close-by-client.pcap"
python3 - "$tmp/out" <<'PY' && ok || bad "JSON frame expectations lack the frame, flow or actual value"
import json, sys
exps = {e["line"]: e for e in json.load(open(sys.argv[1]))["files"][0]["expectations"]}
assert exps[1]["result"] == "pass" and exps[1]["frame"] == 1 and exps[1]["selected"] == 1
f = exps[6]["failures"]
assert exps[6]["result"] == "fail" and exps[6]["frame"] == 2 and len(f) == 1
assert f[0]["flow"] == 1 and f[0]["frame"] == 2 and f[0]["field"] == "flags" and f[0]["actual"] == "SA"
assert exps[7]["selected"] == 0 and exps[7]["failures"] == []
PY
run 1 "frame expectations as JUnit" -- "$bin" check --format junit --expect "$tmp/frames.expect" \
	"$caps/close-by-client.pcap"
grep -qF 'message="frame 2 flags == S: frame 2 (flow 1, 10.77.0.1:53486 &gt; 10.77.0.2:5000): flags is SA, expected == S"' \
	"$tmp/out" && ok || bad "JUnit frame failure message"

# --- scripts
cat >"$tmp/refused.pkt" <<'EOF'
// a connection attempt to a closed port
0   > S  0:0(0) win 64240 <mss 1460,sackOK,TS val * ecr 0,nop,wscale *>
+0  < R. 1:1(0) ack 1 win 0
EOF
run 0 "matching script" -- "$bin" check --script "$tmp/refused.pkt" "$caps/refused.pcap"
has "script matches flow 1" "matching script"
sed 's/win 0$/win 0 <nop>/' "$tmp/refused.pkt" >"$tmp/refused-bad.pkt"
run 1 "script mismatch" -- "$bin" check --script "$tmp/refused-bad.pkt" "$caps/refused.pcap"
has "refused-bad.pkt:3: the flow differs from the script" "mismatch names the script line"
has "frame 2, flow 1: options <>, expected <nop>" "mismatch names the frame and the difference"
has "expected: +0  < R. 1:1(0) ack 1 win 0 <nop>" "mismatch shows the expected line"
has "actual:   +0.000046 < R. 1:1(0) ack 1 win 0" "mismatch shows the actual packet"
run 1 "script on a capture with two flows" -- "$bin" check --script "$tmp/refused.pkt" "$caps/tfo.pcap"
has "--flow '*' selects 2 flows" "ambiguous flow"
run 1 "script on the wrong flow" -- "$bin" check --script "$tmp/refused.pkt" --flow 2 "$caps/tfo.pcap"
has "frame 9, flow 2: len 100, expected 0" "wrong flow mismatches"

# --- JSON: the same facts as data
run 1 "json" -- "$bin" check --format json --expect "$tmp/lost-synack.expect" --script "$tmp/refused-bad.pkt" \
	--deny tcp.handshake.synack_retransmitted "$caps/lost-synack.pcap" "$caps/refused.pcap"
python3 - "$tmp/out" <<'PY' && ok || bad "JSON check output lacks the facts"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == 1 and d["command"] == "check" and d["result"] == "fail"
assert d["policy"] == {"fail_on": "error", "allow": [], "deny": ["tcp.handshake.synack_retransmitted"]}
a, b = d["files"]
assert a["source"].endswith("lost-synack.pcap") and a["result"] == "fail" and a["error"] is None
assert [f["frame"] for f in a["policy_failures"]] == [5]
assert a["policy_failures"][0]["code"] == "tcp.handshake.synack_retransmitted"
exps = {e["line"]: e for e in a["expectations"]}
assert len(exps) == 7
assert exps[3]["result"] == "pass" and exps[4]["result"] == "fail"
f = exps[4]["failures"][0]
assert f["flow"] == 1 and f["frame"] == 1 and f["field"] == "irtt" and abs(f["actual"] - 1.029956) < 1e-6
assert exps[6]["count"] == 2 and exps[6]["matches"] == [{"frame": 2, "code": "tcp.handshake.syn_retransmitted"},
                                                    {"frame": 5, "code": "tcp.handshake.synack_retransmitted"}]
assert exps[8]["selected"] == 0
s = b["script"]
assert s["result"] == "fail" and s["line"] == 3 and s["frame"] == 2 and s["flow"] == 1 and s["lines_matched"] == 1
assert s["expected"] == "+0  < R. 1:1(0) ack 1 win 0 <nop>" and s["message"] == "options <>, expected <nop>"
PY
run 2 "json with an unreadable file" -- "$bin" check --format json "$caps/refused.pcap" "$tmp/nonexistent.pcap"
python3 - "$tmp/out" <<'PY' && ok || bad "JSON does not report the unreadable file"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["result"] == "error"
assert d["files"][0]["result"] == "pass"
assert d["files"][1]["result"] == "error" and "nonexistent.pcap" in d["files"][1]["error"]
PY

# --- JUnit: well-formed, the structure reporters read, escaped
run 1 "junit" -- "$bin" check --format junit --expect "$tmp/lost-synack.expect" --script "$tmp/refused-bad.pkt" \
	--deny tcp.handshake.synack_retransmitted "$caps/lost-synack.pcap" "$caps/refused.pcap" "$caps/port-reuse.pcap"
cp "$tmp/out" "$tmp/junit.xml"
python3 - "$tmp/junit.xml" <<'PY' && ok || bad "JUnit XML is not well-formed or lacks the expected structure"
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites"
suites = root.findall("testsuite")
assert [s.get("name").rsplit("/", 1)[1] for s in suites] == ["lost-synack.pcap", "refused.pcap", "port-reuse.pcap"]
total = failed = 0
for s in suites:
    cases = s.findall("testcase")
    assert int(s.get("tests")) == len(cases), (s.get("name"), s.get("tests"), len(cases))
    nfail = sum(1 for c in cases if c.find("failure") is not None)
    assert int(s.get("failures")) == nfail and s.get("errors") == "0"
    for c in cases:
        assert c.get("name") and c.get("classname") and c.get("time") is not None
        f = c.find("failure")
        if f is not None:
            assert f.get("message") and f.text and f.get("type")
    total += len(cases)
    failed += nfail
assert int(root.get("tests")) == total and int(root.get("failures")) == failed
ls, rf, pr = suites
names = [c.get("name") for c in ls.findall("testcase")]
# capture, one flow, seven expectations, the script
assert names[0] == "capture" and names[1] == "flow 1: 10.77.0.1:54122 > 10.77.0.2:5000", names
assert len(names) == 1 + 1 + 7 + 1
assert any(n.endswith("lost-synack.expect:4: flow port 5000 irtt < 50ms") for n in names)
flow = ls.findall("testcase")[1].find("failure")
assert "tcp.handshake.synack_retransmitted" in flow.get("message") and "frame 5" in flow.text
irtt = [c for c in ls.findall("testcase") if c.get("name").endswith("irtt < 50ms")][0].find("failure")
assert "irtt is 1.029956s" in irtt.get("message") and "frame 1" in irtt.text
script = rf.findall("testcase")[-1]
assert script.get("classname").endswith(".script") and "refused-bad.pkt" in script.get("name")
assert "frame 2" in script.find("failure").get("message")
assert "expected: +0  < R. 1:1(0) ack 1 win 0 <nop>" in script.find("failure").text
# one testcase per flow: port-reuse has 4, all passing the policy
flows = [c for c in pr.findall("testcase") if c.get("classname").endswith(".flows")]
assert len(flows) == 4 and all(c.find("failure") is None for c in flows)
# classnames: capture path with dots replaced, then the group
assert all("." not in c.get("classname").rsplit(".", 1)[0].rsplit("/", 1)[1] for c in pr.findall("testcase"))
PY
grep -q '&lt; 50ms' "$tmp/junit.xml" && grep -q 'flow 1: 10.77.0.1:54122 &gt; 10.77.0.2:5000' "$tmp/junit.xml" && ok ||
	bad "JUnit does not escape < and >"

# Awkward file names stay well-formed: quotes, ampersand, angle brackets, invalid UTF-8.
weird="$tmp/a&b<c>\"d'e$(printf '\377').pcap"
cp "$caps/refused.pcap" "$weird"
run 0 "junit with an awkward file name" -- "$bin" check --format junit "$weird"
python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$tmp/out" && ok ||
	bad "JUnit with an awkward file name is not well-formed"
run 2 "junit with an unreadable file" -- "$bin" check --format junit "$tmp/nonexistent.pcap"
python3 - "$tmp/out" <<'PY' && ok || bad "JUnit does not report the unreadable file as an error"
import sys
import xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
assert suite.get("errors") == "1"
err = suite.find("testcase").find("error")
assert err is not None and "nonexistent.pcap" in err.get("message")
PY

tally check-cli
