#!/bin/sh
# tcpscope merge and --shard auto (SPEC §12, docs/scale.md). The JSON reports
# of --shard 1/N ... N/N, merged, must be byte for byte the report of one
# engine over the whole input, for N = 1, 2, 3 and 5 on every bundled
# capture, the crafted ones (every link type, malformed frames, a truncated
# file) and pcapng copies, and for N = 3 on the public corpus where present;
# merge must refuse, with one line and exit 2, every set of documents that is
# not the N shards of one input made alike; --shard auto must be the shard
# that each batch engine's variables name; and shards run by GNU parallel
# on several job slots must merge to the one-engine report.
set -u
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
bin=$(tcpscope_bin)
caps=$top_srcdir/captures
crafted=${CRAFTED:?}
synpcap=$top_builddir/tests/synpcap
tmp=$TEST_TMPDIR
# A test run inside a batch engine must not take its variables for ours.
unset JOB_COMPLETION_INDEX SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_STEP \
	PARALLEL_SEQ PARALLEL_JOBSLOT TCPSCOPE_SHARD_COUNT

mkdir "$tmp/crafted" && "$crafted" "$tmp/crafted" >/dev/null || bad "crafted could not write its captures"
command -v editcap >/dev/null || bad "editcap (Debian wireshark-common) is needed for the pcapng cases"
for f in many-short port-reuse bulk-loss; do
	editcap -F pcapng "$caps/$f.pcap" "$tmp/$f.pcapng" || bad "editcap could not convert $f.pcap"
done
"$synpcap" "$tmp/syns.pcap" 9000 || bad "synpcap could not write syns.pcap"

# shards FILE N [OPTIONS...]: the N shard reports of FILE in $tmp/shard1.json ... shardN.json
shards() {
	_f=$1 _n=$2
	shift 2
	_i=1
	while [ "$_i" -le "$_n" ]; do
		"$bin" report --format json --threads 1 --shard "$_i/$_n" "$@" "$_f" >"$tmp/shard$_i.json" 2>/dev/null
		_i=$((_i + 1))
	done
}
# shard_list N: the paths of shards 1 to N
shard_list() { seq 1 "$1" | sed "s|.*|$tmp/shard&.json|"; }

# merges_to_whole FILE N [OPTIONS...]: merging the N shards gives the one-engine report (or, for an
# input that gives no report at all, no shard gives one either)
merges_to_whole() {
	_f=$1 _n=$2
	shift 2
	"$bin" report --format json --threads 1 "$@" "$_f" >"$tmp/whole.json" 2>/dev/null
	shards "$_f" "$_n" "$@"
	if [ ! -s "$tmp/whole.json" ]; then
		: >"$tmp/merge.err"
		# shellcheck disable=SC2046
		! cat $(shard_list "$_n") | grep -q .
		return
	fi
	# shellcheck disable=SC2046 # one path per shard
	"$bin" merge $(shard_list "$_n") >"$tmp/merged.json" 2>"$tmp/merge.err" &&
		cmp -s "$tmp/whole.json" "$tmp/merged.json"
}

# --- the merged shards are the whole, byte for byte
{
	ls "$caps"/*.pcap "$tmp"/*.pcapng "$tmp/crafted"/*.pcap
	echo "$tmp/syns.pcap"
} >"$tmp/inputs"
while IFS= read -r f; do
	for n in 1 2 3 5; do
		merges_to_whole "$f" "$n" && ok || bad "merge of $n shards of $f differs from one engine: $(cat "$tmp/merge.err")"
	done
done <"$tmp/inputs"
[ "$passes" -ge 200 ] || bad "only $passes merges compared"
grep -c '"id"' "$tmp/merged.json" | grep -qx 9000 && ok || bad "the 9000-flow merge does not list 9000 flows"

# The comparisons mean something: the shards split flows, and renumber them, and carry findings of no flow.
shards "$caps/many-short.pcap" 3
python3 - "$tmp/shard1.json" "$tmp/shard2.json" "$tmp/shard3.json" <<'PY' && ok || bad "the shards of many-short do not each hold some of its flows"
import json, sys
docs = [json.load(open(p)) for p in sys.argv[1:]]
assert all(d["flows"] and d["flows"][0]["id"] == 1 for d in docs)
assert len({d["flows"][0]["first_frame"] for d in docs}) == 3
PY
shards "$tmp/crafted/truncated-file.pcap" 2
grep -q '"code": "capture.truncated"' "$tmp/shard1.json" && ! grep -q '"code": "capture.truncated"' "$tmp/shard2.json" &&
	ok || bad "capture.truncated is not shard 1's alone"

# Shards made in threads, spilled to temporary files, or with a filter and options merge the same.
f=$caps/port-reuse.pcap
merges_to_whole "$f" 3 --threads 2 && ok || bad "shards made in 2 threads do not merge to the whole"
TCPSCOPE_REPORT_MEMORY=2048 merges_to_whole "$f" 2 && ok || bad "spilled shards do not merge to the whole"
merges_to_whole "$caps/many-short.pcap" 3 -f "tcp port 80 or tcp port 443" --msl 5 --max-findings-per-flow 1 &&
	ok || bad "shards with a filter and options do not merge to the whole"
# The order of the documents on the command line does not matter.
shards "$caps/many-short.pcap" 3
"$bin" report --format json "$caps/many-short.pcap" >"$tmp/whole.json"
"$bin" merge "$tmp/shard3.json" "$tmp/shard1.json" "$tmp/shard2.json" >"$tmp/merged.json" &&
	cmp -s "$tmp/whole.json" "$tmp/merged.json" && ok || bad "merge depends on the order of its arguments"
# Without --shard, the report has no shard object (and is byte for byte what it was: tests/golden.sh).
grep -q '"shard"' "$tmp/whole.json" && bad "a report without --shard has a shard object" || ok

shared=$top_srcdir/../shared/captures
if [ -d "$shared" ]; then
	find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort >"$tmp/public"
	before=$passes
	while IFS= read -r f; do
		merges_to_whole "$f" 3 && ok || bad "merge of 3 shards of $f differs from one engine: $(cat "$tmp/merge.err")"
	done <"$tmp/public"
	[ $((passes - before)) -gt 300 ] || bad "only $((passes - before)) public captures merged"
else
	echo "the public captures ($shared) are absent: merging only the bundled and crafted ones"
fi

# --- refusals: one line on stderr, exit 2, nothing on stdout
# refuses NAME PATTERN DOC...: merging DOCs fails with a message matching PATTERN
refuses() {
	_name=$1 _pattern=$2
	shift 2
	"$bin" merge "$@" >"$tmp/refused.out" 2>"$tmp/refused.err"
	_status=$?
	if [ "$_status" -eq 2 ] && [ ! -s "$tmp/refused.out" ] && [ "$(wc -l <"$tmp/refused.err")" -eq 1 ] &&
		grep -q "$_pattern" "$tmp/refused.err"; then
		ok
	else
		bad "$_name: status $_status, stdout $(wc -c <"$tmp/refused.out") bytes, stderr: $(cat "$tmp/refused.err")"
	fi
}
f=$caps/many-short.pcap
for i in 1 2 3; do "$bin" report --format json --shard "$i/3" "$f" >"$tmp/a$i.json"; done
"$bin" report --format json --shard 2/2 "$f" >"$tmp/of2.json"
"$bin" report --format json --shard 2/3 "$caps/port-reuse.pcap" >"$tmp/other.json"
"$bin" report --format json --shard 2/3 --msl 10 "$f" >"$tmp/msl.json"
"$bin" report --format json --shard 2/3 -f tcp "$f" >"$tmp/filter.json"
"$bin" report --format json "$f" >"$tmp/plain.json"
# Another file under the same name: the same source, another input.
cp "$caps/port-reuse.pcap" "$tmp/same-name.pcap"
"$bin" report --format json --shard 2/3 "$tmp/same-name.pcap" >"$tmp/x2.json"
cp "$caps/demo.pcap" "$tmp/same-name.pcap"
"$bin" report --format json --shard 1/3 "$tmp/same-name.pcap" >"$tmp/x1.json"
"$bin" report --format json --shard 3/3 "$tmp/same-name.pcap" >"$tmp/x3.json"
sed 's/"version": "[^"]*"/"version": "0.0.0-other"/' "$tmp/a2.json" >"$tmp/version.json"
head -c 3000 "$tmp/a2.json" >"$tmp/cut.json"
sed '0,/"id": 2,/s//"id": 7,/' "$tmp/a2.json" >"$tmp/ids.json"
sed 's/"flow": [0-9][0-9]*/"flow": 999/' "$tmp/other.json" >"$tmp/dangling.json"
grep -q '"flow": 999' "$tmp/dangling.json" && ok || bad "port-reuse's shard 2/3 has no finding of a flow to break"
printf '{"format": 1, "tool": "tcpscope", "version": 1,}' >"$tmp/grammar.json"

refuses "a missing shard" "shard 3/3 is missing" "$tmp/a1.json" "$tmp/a2.json"
refuses "a duplicated shard" "are both shard 2/3" "$tmp/a1.json" "$tmp/a2.json" "$tmp/a2.json" "$tmp/a3.json"
refuses "a shard given twice instead of another" "are both shard 1/3" "$tmp/a1.json" "$tmp/a1.json" "$tmp/a3.json"
refuses "different N" "is shard 2/2" "$tmp/a1.json" "$tmp/of2.json" "$tmp/a3.json"
refuses "different inputs" "different inputs (they differ in source)" "$tmp/a1.json" "$tmp/other.json" "$tmp/a3.json"
refuses "different files of one name" "different inputs" "$tmp/x1.json" "$tmp/x2.json" "$tmp/x3.json"
refuses "different versions" "different versions of tcpscope" "$tmp/a1.json" "$tmp/version.json" "$tmp/a3.json"
for i in 1 2 3; do sed 's/"version": "[^"]*"/"version": "0.0.0-other"/' "$tmp/a$i.json" >"$tmp/old$i.json"; done
refuses "shards of another version than merge's" "written by tcpscope \"0.0.0-other\", not by this one" \
	"$tmp/old1.json" "$tmp/old2.json" "$tmp/old3.json"
refuses "different settings" "different settings" "$tmp/a1.json" "$tmp/msl.json" "$tmp/a3.json"
refuses "different filters" "different settings" "$tmp/a1.json" "$tmp/filter.json" "$tmp/a3.json"
refuses "a report made without --shard" "not a shard's report" "$tmp/plain.json"
refuses "a cut document" "cut.json is not a tcpscope JSON report: .* at byte 3000" "$tmp/a1.json" "$tmp/cut.json" "$tmp/a3.json"
refuses "flow ids out of order" "flow ids that are not 1, 2, 3" "$tmp/a1.json" "$tmp/ids.json" "$tmp/a3.json"
refuses "a finding of no listed flow" "a finding of a flow the report does not list" "$tmp/a1.json" "$tmp/dangling.json" "$tmp/a3.json"
refuses "bad JSON" "not a tcpscope JSON report" "$tmp/grammar.json"
refuses "a missing file" "No such file" "$tmp/nothing-here.json"
"$bin" merge >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "merge without documents does not exit 2"

# --- --shard auto: each engine's variables name the shard --shard I/N does
f=$caps/many-short.pcap
for i in 1 2 3; do "$bin" report --format json --shard "$i/3" "$f" >"$tmp/want$i.json"; done
# auto_is I SHARD NAME=VALUE...: with those variables, report --shard SHARD is shard I/3
auto_is() {
	_i=$1 _shard=$2
	shift 2
	env "$@" "$bin" report --format json --shard "$_shard" "$f" >"$tmp/auto.json" 2>"$tmp/auto.err" &&
		cmp -s "$tmp/auto.json" "$tmp/want$_i.json" && ok || bad "with $*: not shard $_i/3 ($(cat "$tmp/auto.err"))"
}
auto_is 1 auto/3 JOB_COMPLETION_INDEX=0
auto_is 3 auto/3 JOB_COMPLETION_INDEX=2
auto_is 2 auto JOB_COMPLETION_INDEX=1 TCPSCOPE_SHARD_COUNT=3
auto_is 1 auto SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=3
auto_is 3 auto/3 SLURM_ARRAY_TASK_ID=7 SLURM_ARRAY_TASK_MIN=5 SLURM_ARRAY_TASK_COUNT=3
auto_is 2 auto SLURM_ARRAY_TASK_ID=12 SLURM_ARRAY_TASK_MIN=10 SLURM_ARRAY_TASK_STEP=2 SLURM_ARRAY_TASK_COUNT=3
auto_is 2 auto/3 PARALLEL_SEQ=2 PARALLEL_JOBSLOT=1
auto_is 3 auto PARALLEL_SEQ=3 TCPSCOPE_SHARD_COUNT=3
# auto_refused PATTERN SHARD NAME=VALUE...: one line matching PATTERN, exit 2, no report
auto_refused() {
	_pattern=$1 _shard=$2
	shift 2
	env "$@" "$bin" report --format json --shard "$_shard" "$f" >"$tmp/auto.out" 2>"$tmp/auto.err"
	_status=$?
	[ "$_status" -eq 2 ] && [ ! -s "$tmp/auto.out" ] && [ "$(wc -l <"$tmp/auto.err")" -eq 1 ] &&
		grep -q "$_pattern" "$tmp/auto.err" && ok || bad "with $*: status $_status, $(cat "$tmp/auto.err")"
}
auto_refused "none of JOB_COMPLETION_INDEX" auto
auto_refused "none of JOB_COMPLETION_INDEX" auto/3
auto_refused "gives the index but not the count" auto JOB_COMPLETION_INDEX=0
auto_refused "gives the index but not the count" auto PARALLEL_SEQ=1
auto_refused "makes this shard 4 of 3" auto/3 JOB_COMPLETION_INDEX=3
auto_refused "makes this shard 5 of 3" auto/3 PARALLEL_SEQ=5
auto_refused "both JOB_COMPLETION_INDEX and PARALLEL_SEQ" auto/3 JOB_COMPLETION_INDEX=0 PARALLEL_SEQ=1
auto_refused "the Slurm array has 3 tasks" auto/4 SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=3
auto_refused "not in the array's range" auto SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_STEP=2 \
	SLURM_ARRAY_TASK_COUNT=3
auto_refused "SLURM_ARRAY_TASK_COUNT is" auto SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=1
auto_refused "PARALLEL_SEQ is \"x\"" auto/3 PARALLEL_SEQ=x
auto_refused "auto/N takes a number" auto/zero PARALLEL_SEQ=1

# --- end to end: 5 shards run by GNU parallel on 3 local job slots, merged, are one engine's report
command -v parallel >/dev/null || bad "GNU parallel (Debian parallel, ./quickstart test installs it) is needed"
for f in "$caps/many-short.pcap" "$tmp/syns.pcap" "$tmp/crafted/malformed.pcap"; do
	rm -f "$tmp"/par*.json
	"$bin" report --format json --threads 1 "$f" >"$tmp/whole.json"
	parallel --will-cite -j 3 "'$bin' report --format json --threads 1 --shard auto/5 '$f' > '$tmp/par{}.json'" \
		::: 1 2 3 4 5 || bad "GNU parallel could not run the shards of $f"
	"$bin" merge "$tmp"/par*.json >"$tmp/merged.json" 2>"$tmp/merge.err" && cmp -s "$tmp/whole.json" "$tmp/merged.json" &&
		ok || bad "5 shards of $f run by GNU parallel do not merge to the whole: $(cat "$tmp/merge.err")"
done
# The job slot is not the shard: with 5 jobs on 2 slots, slots repeat, sequence numbers do not.
parallel --will-cite -j 2 'echo $PARALLEL_SEQ $PARALLEL_JOBSLOT' ::: 1 2 3 4 5 >"$tmp/slots"
[ "$(cut -d' ' -f1 "$tmp/slots" | sort -u | wc -l)" -eq 5 ] && [ "$(cut -d' ' -f2 "$tmp/slots" | sort -u | wc -l)" -le 2 ] &&
	ok || bad "GNU parallel's sequence numbers and slots are not what --shard auto assumes: $(tr '\n' ' ' <"$tmp/slots")"

tally merge
