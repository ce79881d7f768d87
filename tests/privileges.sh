#!/usr/bin/env bash
# tests/privileges.sh - `-Z USER` drops root for real (SPEC §10).
#
# Makes two network namespaces joined by a veth pair, runs
# `tcpscope -i IFACE --format json -Z nobody` in one (no terminal: the JSON
# stream), and checks from /proc/PID/status, once tcpscope is listening,
# that every uid (real, effective, saved, filesystem) and every gid is
# nobody's, that the supplementary groups are exactly nobody's, and that no
# capability is left. Then connections from the other namespace must still
# show up as flows: the capture opened as root goes on after the drop.
# Finally an unknown user is one clear line on stderr and exit status 2.
# Needs root (skips otherwise, and only then), iproute2 and python3. Touches
# only the namespaces it creates; they are removed on every exit path.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "dropping privileges needs root to start with"
for cmd in ip python3; do
	command -v "$cmd" >/dev/null 2>&1 || fail "$cmd is needed (iproute2, python3)"
done
tcpscope=$(tcpscope_bin)
id nobody >/dev/null 2>&1 || fail "this system has no user nobody"

cap=tsp-cap-$$
peer=tsp-peer-$$
cdev=tspc$$
pdev=tspp$$
cap4=10.198.0.1
peer4=10.198.0.2
scope_pid=

cleanup()
{
	[ -n "$scope_pid" ] && kill "$scope_pid" 2>/dev/null
	ip netns del "$cap" 2>/dev/null || true
	ip netns del "$peer" 2>/dev/null || true
	rm -rf "$TEST_TMPDIR"
}
trap cleanup EXIT

veth_pair "$cap" "$peer" "$cdev" "$pdev" "$cap4" "$peer4"

# ---- 1. the drop ----------------------------------------------------------------
# stdin from /dev/null: no terminal, so the JSON stream whatever runs the test.
ip netns exec "$cap" "$tcpscope" -i "$cdev" --format json -f tcp -Z nobody \
	</dev/null >"$TEST_TMPDIR/out.json" 2>"$TEST_TMPDIR/err" &
scope_pid=$!
for _ in $(seq 200); do
	grep -q "listening on" "$TEST_TMPDIR/err" 2>/dev/null && break
	running "$scope_pid" || break
	sleep 0.05
done
grep -q "listening on" "$TEST_TMPDIR/err" || fail "tcpscope did not start: $(cat "$TEST_TMPDIR/err")"

status=/proc/$scope_pid/status
uid=$(id -u nobody)
gid=$(id -g nobody)
field() { awk -v f="$1:" '$1 == f { $1 = ""; print substr($0, 2) }' "$status"; }
[ "$(field Uid | tr -s ' \t' ' ')" = "$uid $uid $uid $uid" ] ||
	fail "-Z nobody: uids (real, effective, saved, fs) are $(field Uid), not $uid"
[ "$(field Gid | tr -s ' \t' ' ')" = "$gid $gid $gid $gid" ] ||
	fail "-Z nobody: gids (real, effective, saved, fs) are $(field Gid), not $gid"
want_groups=$(id -G nobody | tr ' ' '\n' | sort -n | paste -sd ' ')
got_groups=$(field Groups | tr -s ' \t' '\n' | sed '/^$/d' | sort -n | paste -sd ' ')
[ "$got_groups" = "$want_groups" ] ||
	fail "-Z nobody: supplementary groups are '$got_groups', not nobody's '$want_groups'"
for cap_set in CapEff CapPrm; do
	[ "$(field "$cap_set")" = 0000000000000000 ] || fail "-Z nobody: $cap_set is $(field "$cap_set"), not empty"
done
echo "ok 1 - -Z nobody: uids $uid, gids $gid, groups $want_groups, no capabilities"

# ---- 2. capture goes on after the drop -----------------------------------------------
# Three connections to closed ports: SYN, then RST from the kernel of $cap.
for port in 7001 7002 7003; do
	ip netns exec "$peer" python3 -c '
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit("port %s did not refuse" % sys.argv[2])' "$cap4" "$port" || fail "the connection to port $port"
done
sleep 0.3
kill -INT "$scope_pid"
for _ in $(seq 300); do
	running "$scope_pid" || break
	sleep 0.05
done
running "$scope_pid" && fail "tcpscope is still running 15 s after SIGINT"
wait "$scope_pid"
rc=$?
scope_pid=
[ "$rc" -eq 0 ] || fail "tcpscope exited $rc: $(cat "$TEST_TMPDIR/err")"
python3 - "$TEST_TMPDIR/out.json" <<'PY' || fail "flows after the drop (above)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
flows = [l for l in lines if l["type"] == "flow"]
ports = sorted(f["server"]["port"] for f in flows)
assert ports == [7001, 7002, 7003], ports
assert all(f["handshake"] == "rejected" for f in flows), [f["handshake"] for f in flows]
assert lines[-1]["type"] == "stats" and lines[-1]["flows"] == 3, lines[-1]
PY
echo "ok 2 - capture goes on after the drop: 3 refused connections seen"

# ---- 3. an unknown user -----------------------------------------------------------------
user=tcpscope-no-such-user-$$
rc=0
ip netns exec "$cap" "$tcpscope" -i "$cdev" --format json -Z "$user" \
	</dev/null >"$TEST_TMPDIR/unknown.json" 2>"$TEST_TMPDIR/unknown.err" || rc=$?
[ "$rc" -eq 2 ] || fail "-Z $user: exit $rc, expected 2 ($(cat "$TEST_TMPDIR/unknown.err"))"
[ "$(grep -c . "$TEST_TMPDIR/unknown.err")" -eq 1 ] ||
	fail "-Z $user: not one line: $(cat "$TEST_TMPDIR/unknown.err")"
grep -qx "tcpscope: -Z: unknown user \"$user\"" "$TEST_TMPDIR/unknown.err" ||
	fail "-Z $user: unclear message: $(cat "$TEST_TMPDIR/unknown.err")"
echo "ok 3 - -Z with an unknown user: one line, exit 2"
