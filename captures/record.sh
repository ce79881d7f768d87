#!/usr/bin/env bash
# record.sh - regenerates the golden captures in this folder from real Linux
# TCP.  Each scenario gets fresh network namespaces: a client and a server,
# joined through a third one, the "wire", which bridges their two veth pairs
# and holds the scenario's nftables rules (drops, ECN marks).  tcpdump runs
# on the client's veth, so a packet the wire drops on its way to the client
# is lost upstream of the observer (a hole, then a retransmission) and one
# dropped on its way to the server is lost downstream (seen, then seen again).
# It can run on the server's veth instead, or on both at once, where each
# loss is seen from both sides: upstream of one observer, downstream of the
# other.  RECORD_AT=client|server|both picks that for every scenario named
# (default client), or a name says it for itself: lost-fin@both.  A capture
# at the client alone is NAME.pcap, as always; the others are
# NAME-at-client.pcap and NAME-at-server.pcap (from the same run with both).
# Drops cannot be made in the server's own output hook: Linux TCP hears of
# those and quietly sends the segment again, which is not a loss at all.
# tcpgen.c, compiled here into a temporary folder, plays both ends.  When
# the kernel has no netem, the NAME-at-* captures get wiredelay.c (compiled
# likewise) instead: a relay on the client's side of the bridge that holds
# every frame 2.5 ms each way (RECORD_DELAY=relay|qdisc forces it, or
# netem-else-tbf, for every scenario).
#
# Usage: sudo captures/record.sh [SCENARIO...]   (default: all of them)
# Needs root, iproute2, nftables, tcpdump, cc and chrt; uses ethtool and tc
# (netem or tbf) when present.  Not run by the tests: the .pcap files are committed.
# RECORD_DIR=DIR writes the captures there instead.  The bench-large scenario
# and bench-ui scenarios (the large traces of bench/run, never committed) are
# recorded only by name.  The default list ends with the wire-loss scenarios
# of both_ends, captured at both ends.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${RECORD_DIR:-$here}
port=5000
cli=tsc-cli-$$
srv=tsc-srv-$$
wire=tsc-wire-$$
cdev=tsc-c$$
sdev=tsc-s$$
cli4=10.77.0.1
srv4=10.77.0.2
srv6=fd77::2
work=
gen=
tcpdump_pids=()  # the capture points' tcpdumps
at=()            # the capture points of the scenario running: client, server
server_pid=
client_pid=
relay_pid=   # the wiredelay of the wire, if it has one
relay=
has_netem=
rt=()       # a command prefix for both tcpgens, such as chrt
bg_pids=()  # tcpgens a scenario started in bulk (bench-large)

all_scenarios=(
	demo close-by-client close-by-server refused abort-by-client
	abort-by-server bulk-loss zero-window keepalive keepalive-dead
	half-close ipv6 no-options lost-synack lost-handshake-ack lost-fin
	port-reuse many-short tfo ecn simultaneous-close
)
extra_scenarios=(bench-large bench-ui)
# Losses on the wire, recorded at both ends (NAME@both): see the top.
both_ends=(lost-synack lost-handshake-ack lost-fin lost-data simultaneous-close)

die() {
	echo "record.sh: $*" >&2
	exit 1
}

# Stops what is still running, by pid, and removes the namespaces.
net_down() {
	local pid
	for pid in "$client_pid" "$server_pid" "${bg_pids[@]}" \
		"${tcpdump_pids[@]}"; do
		if [[ -n $pid ]]; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	client_pid='' server_pid='' bg_pids=() tcpdump_pids=()
	relay_stop || true
	local ns
	for ns in "$cli" "$wire" "$srv"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

# Stops the wiredelay, if one runs; fails if it could not pass a frame on.
relay_stop() {
	if [[ -z $relay_pid ]]; then
		return 0
	fi
	local status=0
	kill "$relay_pid" 2>/dev/null || true
	wait "$relay_pid" || status=$?
	relay_pid=
	((status == 0))
}

# net_delay: how net_up makes RTTs visible for the capture points in at:
# "relay" when RECORD_DELAY says so, or by default (RECORD_DELAY unset or
# "auto") for NAME-at-* captures when the kernel has no netem; otherwise
# "qdisc" (netem, or else tbf, as the NAME.pcap captures were recorded).
net_delay() {
	local mode=${RECORD_DELAY:-auto}
	if [[ $mode == auto ]]; then
		if [[ -z $has_netem && ${at[*]} != client ]]; then
			mode=relay
		else
			mode=qdisc
		fi
	fi
	echo "$mode"
}

# Sets has_netem if this kernel can add a netem qdisc (in a scratch
# namespace).
probe_netem() {
	local ns=tsc-probe-$$
	has_netem=
	ip netns add "$ns"
	if ip -n "$ns" link add pa type veth peer name pb &&
		ip netns exec "$ns" tc qdisc add dev pa root netem delay 1ms \
			2>/dev/null; then
		has_netem=1
	fi
	ip netns del "$ns"
}

on_exit() {
	net_down
	if [[ -n $work ]]; then
		rm -rf "$work"
	fi
}

# net_up DELAY: client and server joined through the wire (see the top of
# this file), with an empty nftables chain on the wire for the scenario's
# rules.  DELAY says how RTTs are made visible (see the loop below the links);
# with "relay" the client's side of the wire is a wiredelay between wc and a
# veth pair wd-wb, wb being the bridge's port: client - wc ~ wd - wb [br0] ws.
net_up() {
	local delay=$1 ns
	for ns in "$cli" "$wire" "$srv"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	ip link add "$cdev" netns "$cli" type veth peer name wc netns "$wire"
	ip link add "$sdev" netns "$srv" type veth peer name ws netns "$wire"
	ip -n "$wire" link add br0 type bridge forward_delay 0
	local brport=wc wires=(wc ws)
	if [[ $delay == relay ]]; then
		# wiredelay copies frames as they are: their checksums must be whole.
		command -v ethtool >/dev/null ||
			die "wiredelay needs ethtool (to turn checksum offload off)"
		ip -n "$wire" link add wd type veth peer name wb
		brport=wb wires=(wc wd wb ws)
		ip netns exec "$wire" sysctl -qw net.ipv6.conf.wc.disable_ipv6=1 \
			net.ipv6.conf.wd.disable_ipv6=1
	fi
	ip -n "$wire" link set "$brport" master br0
	ip -n "$wire" link set ws master br0
	ip -n "$cli" addr add "$cli4/24" dev "$cdev"
	ip -n "$srv" addr add "$srv4/24" dev "$sdev"
	ip -n "$cli" addr add fd77::1/64 dev "$cdev" nodad
	ip -n "$srv" addr add "$srv6/64" dev "$sdev" nodad
	local dev
	for dev in "$cli:$cdev" "${wires[@]/#/$wire:}" "$srv:$sdev"; do
		ns=${dev%%:*} dev=${dev#*:}
		# One MSS per packet on the wire and in the nftables hooks, and
		# real checksums in the capture.  Without ethtool, at least limit
		# GSO to one segment.
		if command -v ethtool >/dev/null; then
			ip netns exec "$ns" ethtool -K "$dev" tx off tso off gso off \
				gro off >/dev/null 2>&1 || true
		fi
		ip -n "$ns" link set "$dev" gso_max_segs 1 2>/dev/null || true
		ip -n "$ns" link set "$dev" up
	done
	ip -n "$wire" link set br0 up
	# Carrier changes reach the bridge up to a second late (linkwatch);
	# until then it drops what it should forward.
	local _
	for _ in $(seq 60); do
		if links_ready; then
			break
		fi
		sleep 0.05
	done
	links_ready || die "the veth links did not come up"
	# Make RTTs visible: 2.5 ms each way when the kernel has netem, or with
	# DELAY "relay" (the kernel has none) from wiredelay, or else a
	# 20 Mbit/s bottleneck with a deep queue (RTT = queueing delay).
	if [[ $delay == relay ]]; then
		ip netns exec "$wire" chrt -f 20 "$relay" --delay 2500 wc wd \
			2>"$work/relay.err" &
		relay_pid=$!
		for _ in $(seq 50); do
			if grep -q relaying "$work/relay.err"; then
				break
			fi
			sleep 0.05
		done
		grep -q relaying "$work/relay.err" ||
			die "wiredelay did not start: $(cat "$work/relay.err")"
	fi
	for dev in wc ws; do
		if [[ $delay == relay ]]; then
			break
		fi
		ip netns exec "$wire" tc qdisc add dev "$dev" root netem \
			delay 2500us 2>/dev/null ||
			ip netns exec "$wire" tc qdisc add dev "$dev" root tbf \
				rate 20mbit burst 16kb latency 500ms 2>/dev/null ||
			true
	done
	ip netns exec "$wire" nft -f - <<-EOF
		table bridge tsc {
			chain wire { type filter hook forward priority 0; }
		}
	EOF
}

links_ready() {
	[[ $(ip -n "$cli" -br link show "$cdev") == *" UP "* &&
		$(ip -n "$srv" -br link show "$sdev") == *" UP "* &&
		$(ip netns exec "$wire" bridge link | grep -c 'state forwarding') == 2 ]]
}

# sysctl_both NAME=VALUE...: the same TCP settings in both hosts.
sysctl_both() {
	local ns
	for ns in "$cli" "$srv"; do
		ip netns exec "$ns" sysctl -qw "$@"
	done
}

# wire RULE...: a rule for packets crossing the wire, in either direction.
wire() {
	ip netns exec "$wire" nft add rule bridge tsc wire "$@"
}

# capture_file NAME POINT: the file a capture of scenario NAME at POINT
# (client or server) goes to, without the folder; see the top.
capture_file() {
	if [[ $2 == client && ${#at[@]} == 1 ]]; then
		echo "$1.pcap"
	else
		echo "$1-at-$2.pcap"
	fi
}

# Starts a tcpdump on the veth of each capture point in at, and waits until
# every one listens.
capture_start() {
	local point ns dev err _ ok
	for point in "${at[@]}"; do
		if [[ $point == client ]]; then
			ns=$cli dev=$cdev
		else
			ns=$srv dev=$sdev
		fi
		err=$work/tcpdump-$point.err
		: >"$err"
		ip netns exec "$ns" tcpdump -i "$dev" --immediate-mode -s 128 \
			-Z root -B 131072 -w "$work/capture-$point.pcap" tcp \
			2>"$err" &
		tcpdump_pids+=($!)
		ok=
		for _ in $(seq 50); do
			if grep -q 'listening on' "$err"; then
				ok=1
				break
			fi
			sleep 0.1
		done
		[[ -n $ok ]] || die "tcpdump did not start: $(cat "$err")"
	done
}

# capture_stop NAME: stops the tcpdumps, checks that none lost a packet, and
# moves each capture to its file (capture_file).
capture_stop() {
	local name=$1 pid point file
	sleep 0.5
	for pid in "${tcpdump_pids[@]}"; do
		kill -INT "$pid"
		wait "$pid" || true
	done
	tcpdump_pids=()
	for point in "${at[@]}"; do
		grep -q '^0 packets dropped by kernel' "$work/tcpdump-$point.err" ||
			die "tcpdump lost packets: $(cat "$work/tcpdump-$point.err")"
		file=$(capture_file "$name" "$point")
		mv "$work/capture-$point.pcap" "$out/$file"
		printf '%-36s %5s packets\n' "$file" \
			"$(tcpdump -nr "$out/$file" 2>/dev/null | wc -l)"
	done
}

# server ARGS...: starts tcpgen server and waits until it listens.
server() {
	ip netns exec "$srv" "${rt[@]}" "$gen" server -q -p "$port" "$@" \
		2>"$work/server.err" &
	server_pid=$!
	local _
	for _ in $(seq 100); do
		if [[ -n $(ip netns exec "$srv" ss -Hltn "sport = :$port") ]]; then
			return
		fi
		sleep 0.05
	done
	die "server did not start"
}

client_start() {
	ip netns exec "$cli" "${rt[@]}" "$gen" client -q -p "$port" "$@" \
		2>"$work/client.err" &
	client_pid=$!
}

# wait_for PIDVAR WHO EXPECTED: waits for a tcpgen and checks its exit code.
wait_for() {
	local -n pidvar=$1
	local status=0
	wait "$pidvar" || status=$?
	pidvar=''
	if [[ $status != "$3" ]]; then
		die "$2 exited with $status, expected $3: $(cat "$work/$2.err")"
	fi
}

client_wait() {
	wait_for client_pid client "${1:-0}"
}

server_wait() {
	wait_for server_pid server "${1:-0}"
}

# client ARGS...: runs a client to the end; it must succeed.
client() {
	client_start "$@"
	client_wait 0
}

# A flagship connection.  The client's 16 KB request (12 segments) loses
# its last two segments and the tail-loss probe after the capture point, so
# the client recovers by a retransmission timeout; the server's ~300 KB
# answer loses three segments (two in a row) before the capture point,
# recovered with SACK, by fast retransmit and RACK.  Then an orderly close.  Each rule counts the data
# segments it sees in its direction, from 0.
scenario_demo() {
	wire "tcp dport $port ip length > 100" \
		"numgen inc mod 100000 { 10, 11, 12 } drop"
	wire "tcp sport $port ip length > 100" \
		"numgen inc mod 100000 { 30, 31, 90 } drop"
	server -r 16000 -s 300000
	client -a "$srv4" -s 16000 -r 300000
	server_wait
}

scenario_close_by_client() {
	server -r 1000 -s 4000
	client -a "$srv4" -s 1000 -r 4000
	server_wait
}

scenario_close_by_server() {
	server -r 1000 -s 4000 -c first
	client -a "$srv4" -s 1000 -c last
	server_wait
}

scenario_refused() {
	client_start -a "$srv4"
	client_wait 1
}

scenario_abort_by_client() {
	server -r 1000 -s 4000
	client -a "$srv4" -s 1000 -r 4000 -c abort
	server_wait 1
}

scenario_abort_by_server() {
	server -r 1000 -s 4000 -c abort
	client_start -a "$srv4" -s 1000 -c last
	client_wait 1
	server_wait
}

scenario_bulk_loss() {
	wire "tcp sport $port ip length > 100 numgen random mod 100 < 2 drop"
	server -r 1000 -s 1500000
	client -a "$srv4" -s 1000 -r 1500000
	server_wait
}

# The client reads nothing for 3 s through a small receive buffer: the
# window closes, the server probes it, the client reopens it.
scenario_zero_window() {
	server -r 100 -s 200000
	client -a "$srv4" -s 100 -r 200000 -b 16384 -S 3000
	server_wait
}

scenario_keepalive() {
	server -r 100 -s 100
	client -a "$srv4" -s 100 -r 100 -k -i 4500
	server_wait
}

# After the exchange everything the server sends is dropped: the client's
# keep-alive probes go unanswered and it gives up with an RST.
scenario_keepalive_dead() {
	server -r 100 -s 100
	client_start -a "$srv4" -s 100 -r 100 -k -i 8000
	sleep 0.5
	wire "tcp sport $port drop"
	client_wait 1
	server_wait 1
}

scenario_half_close() {
	server -r eof -s 30000 -c first
	client -a "$srv4" -s 300 -c half
	server_wait
}

scenario_ipv6() {
	server -a "$srv6" -r 2000 -s 20000
	client -a "$srv6" -s 2000 -r 20000
	server_wait
}

scenario_no_options() {
	sysctl_both net.ipv4.tcp_sack=0 net.ipv4.tcp_timestamps=0 \
		net.ipv4.tcp_window_scaling=0
	server -r 1000 -s 50000
	client -a "$srv4" -s 1000 -r 50000
	server_wait
}

scenario_lost_synack() {
	wire "tcp sport $port tcp flags & (syn | ack) == syn | ack" \
		"numgen inc mod 1000 == 0 drop"
	server -r 100 -s 100
	client -a "$srv4" -s 100 -r 100
	server_wait
}

# The handshake ACK is lost and the client stays silent for 1.5 s, so the
# server retransmits its SYN-ACK.
scenario_lost_handshake_ack() {
	wire "tcp dport $port tcp flags & (syn | ack | fin | rst) == ack" \
		"numgen inc mod 1000 == 0 drop"
	server -r 100 -s 100
	client -a "$srv4" -w 1500 -s 100 -r 100
	server_wait
}

scenario_lost_fin() {
	wire "tcp dport $port tcp flags & fin == fin numgen inc mod 1000 == 0 drop"
	server -r 1000 -s 1000
	client -a "$srv4" -s 1000 -r 1000
	server_wait
}

# The client's 20 KB request (14 segments) loses its sixth data segment on
# the wire; the segments after it draw SACKs and the client retransmits it.
# Then 1000 bytes back and an orderly close.
scenario_lost_data() {
	wire "tcp dport $port ip length > 100" \
		"numgen inc mod 100000 == 5 drop"
	server -r 20000 -s 1000
	client -a "$srv4" -s 20000 -r 1000
	server_wait
}

# The server closes first, so its side of each connection is in TIME-WAIT
# when the client's next SYN comes from the same port.
scenario_port_reuse() {
	server -n 4 -r 100 -s 1000 -c first
	client -a "$srv4" -n 4 -I 200 -P 40000 -s 100 -c last
	server_wait
}

scenario_many_short() {
	server -n 150 -r 100 -s 1000
	client -a "$srv4" -n 150 -s 100 -r 1000
	server_wait
}

# The first connection asks for a cookie, the second sends data on its SYN.
scenario_tfo() {
	sysctl_both net.ipv4.tcp_fastopen=3
	server -f -n 2 -r 100 -s 1000
	client -a "$srv4" -f -n 2 -I 200 -s 100 -r 1000
	server_wait
}

# ECN negotiated, and two server segments marked CE on the wire.
scenario_ecn() {
	sysctl_both net.ipv4.tcp_ecn=1
	wire "tcp sport $port ip length > 100" \
		"numgen inc mod 1000 { 20, 60 } ip ecn set ce"
	server -r 1000 -s 100000
	client -a "$srv4" -s 1000 -r 100000
	server_wait
}

# Both ends close at the same instant, so their FINs cross on the wire.
# That is a race: real-time priority keeps both ends on their CPUs when the
# instant comes, and the check below has it run again if it was lost.
scenario_simultaneous_close() {
	local at=$(($(date +%s%3N) + 1000))
	rt=(chrt -f 10)
	server -r 100 -s 100 -c first -t "$at"
	client -a "$srv4" -s 100 -r 100 -t "$at"
	server_wait
}

# The FINs crossed if the second one does not acknowledge the first.
check_simultaneous_close() {
	local fins
	fins=$(tcpdump -S -nr "$1" 'tcp[tcpflags] & tcp-fin != 0' 2>/dev/null |
		sed -n 's/.* seq \([0-9]*\), ack \([0-9]*\),.*/\1 \2/p')
	local -a n
	read -r -d '' -a n <<<"$fins" || true
	[[ ${#n[@]} == 4 && ${n[3]} == "${n[0]}" ]]
}

# The large trace of bench/run (SPEC §12): about 38 000 short connections
# and 650 000 packets.  See bench_mix.
scenario_bench_large() {
	bench_mix 40 950 30 8000000
}

# The UI trace of bench/run: 100 000 short connections and about 1 100 000
# packets, for the UI's first screen and keystroke targets.
scenario_bench_ui() {
	bench_mix 40 2500 10 8000000
}

# bench_mix PAIRS PER BULKS BYTES: PAIRS clients in parallel, each making PER
# short connections to a server of its own, while BULKS transfers of BYTES
# lose 1.5 % of their data segments on the wire (even ones download, so
# their losses are holes upstream of the observer; odd ones upload, so
# theirs are seen and then seen again).  The bottleneck is ten times the
# golden captures' so that recording takes a minute or so.  A tcpgen that
# fails (a lost SYN seldom does it) only makes the trace a few connections
# shorter.
bench_mix() {
	local pairs=$1 per=$2 bulks=$3 bulk=$4 i dev
	for dev in wc ws; do
		ip netns exec "$wire" tc qdisc replace dev "$dev" root tbf \
			rate 200mbit burst 64kb latency 20ms
	done
	wire "tcp sport 6000-6099 ip length > 100" \
		"numgen random mod 1000 < 15 drop"
	wire "tcp dport 6000-6099 ip length > 100" \
		"numgen random mod 1000 < 15 drop"
	for ((i = 0; i < pairs; i++)); do
		bg_gen "$srv" server -p $((5000 + i)) -n "$per" -r 100 -s 1000
	done
	for ((i = 0; i < bulks; i++)); do
		if ((i % 2 == 0)); then
			bg_gen "$srv" server -p $((6000 + i)) -r 1000 -s "$bulk"
		else
			bg_gen "$srv" server -p $((6000 + i)) -r "$bulk" -s 1000
		fi
	done
	local _
	for _ in $(seq 200); do
		if (($(ip netns exec "$srv" ss -Hltn | wc -l) == pairs + bulks)); then
			break
		fi
		sleep 0.05
	done
	local clients=()
	for ((i = 0; i < pairs; i++)); do
		bg_gen "$cli" client -a "$srv4" -p $((5000 + i)) -n "$per" \
			-s 100 -r 1000
		clients+=("${bg_pids[-1]}")
	done
	for ((i = 0; i < bulks; i++)); do
		sleep 0.5
		if ((i % 2 == 0)); then
			bg_gen "$cli" client -a "$srv4" -p $((6000 + i)) -s 1000 -r "$bulk"
		else
			bg_gen "$cli" client -a "$srv4" -p $((6000 + i)) -s "$bulk" -r 1000
		fi
		clients+=("${bg_pids[-1]}")
	done
	local pid failed=0
	for pid in "${clients[@]}"; do
		wait "$pid" || failed=$((failed + 1))
	done
	if ((failed > 0)); then
		echo "record.sh: $failed of ${#clients[@]} clients failed:" \
			"$(tail -n 3 "$work/bg.err")" >&2
	fi
	sleep 1
	for pid in "${bg_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	bg_pids=()
}

# bg_gen NETNS ARGS...: one more tcpgen in the background, in bg_pids.
bg_gen() {
	local ns=$1
	shift
	ip netns exec "$ns" "$gen" "$@" -q -T 600 2>>"$work/bg.err" &
	bg_pids+=($!)
}

# record NAME[@POINT]: one scenario, captured at POINT (client, server or
# both; default RECORD_AT, or else client), into the files capture_file
# names.  Tried again (up to five times in all) while its check_NAME
# function, if it has one, rejects any of them.
record() {
	local name=${1%%@*} point=${RECORD_AT:-client} attempt
	if [[ $1 == *@* ]]; then
		point=${1#*@}
	fi
	local fn=${name//-/_}
	case $point in
	client | server) at=("$point") ;;
	both) at=(client server) ;;
	*) die "$1: capture point '$point' is not client, server or both" ;;
	esac
	for attempt in 1 2 3 4 5; do
		rt=()
		net_up "$(net_delay)"
		capture_start
		"scenario_$fn"
		capture_stop "$name"
		relay_stop || die "$1: wiredelay lost frames: $(cat "$work/relay.err")"
		net_down
		if ! declare -F "check_$fn" >/dev/null || check_all "$fn" "$name"; then
			return
		fi
		echo "record.sh: $1 does not show it yet (try $attempt)" >&2
	done
	die "$1: gave up"
}

# check_all FN NAME: check_FN accepts the capture of every point in at.
check_all() {
	local point
	for point in "${at[@]}"; do
		"check_$1" "$out/$(capture_file "$2" "$point")" || return 1
	done
}

main() {
	[[ $(id -u) == 0 ]] || die "needs root (network namespaces, nftables)"
	local tool
	for tool in ip ss bridge nft tcpdump cc chrt; do
		command -v "$tool" >/dev/null || die "$tool is missing"
	done
	local scenarios=("$@")
	if [[ ${#scenarios[@]} == 0 ]]; then
		scenarios=("${all_scenarios[@]}" "${both_ends[@]/%/@both}")
	fi
	local name
	for name in "${scenarios[@]}"; do
		name=${name%%@*}
		declare -F "scenario_${name//-/_}" >/dev/null ||
			die "unknown scenario '$name' (known: ${all_scenarios[*]} ${both_ends[*]} ${extra_scenarios[*]})"
	done

	trap on_exit EXIT
	trap 'exit 130' INT TERM
	work=$(mktemp -d)
	gen=$work/tcpgen
	cc -std=c11 -O2 -Wall -Wextra -o "$gen" "$here/tcpgen.c"
	relay=$work/wiredelay
	cc -std=c11 -O2 -Wall -Wextra -o "$relay" "$here/wiredelay.c"
	case ${RECORD_DELAY:-auto} in
	auto | relay | qdisc) ;;
	*) die "RECORD_DELAY=$RECORD_DELAY is not auto, relay or qdisc" ;;
	esac
	probe_netem
	if [[ -z $has_netem && ${RECORD_DELAY:-auto} == auto ]]; then
		echo "record.sh: no netem in this kernel: wiredelay for NAME-at-*" \
			"captures, tbf for NAME.pcap" >&2
	fi

	for name in "${scenarios[@]}"; do
		record "$name"
	done
}

main "$@"
