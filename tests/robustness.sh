#!/bin/sh
# Robustness tier (SPEC §13 item 4): no input crashes or hangs tcpscope.
#  1. The pipeline fuzz target's replay driver runs every malformed capture
#     (the third-party malformed corpus, the project's crafted malformed
#     traces, the pipeline's fuzz regression inputs) and deterministic mutants
#     of the bundled captures through reader + decoders + engine + writers.
#     In the sanitizer build any memory error or undefined behaviour aborts it.
#  2. The real binary on the same files: exit 0 or 2, never a crash or a hang,
#     and a refusal is exactly one line on stderr.
#  3. Every fuzz target's replay driver (tests/fuzz-TARGET) runs that target's
#     regression inputs, tests/fuzz-crashers/TARGET/ (docs/robustness.md),
#     and its seeds (tests/fuzz-seeds.sh), so that each replay program runs
#     on thousands of real inputs even where no regression was ever found.
set -u
top=${top_srcdir:?}
bin=${TCPSCOPE:?}
replay=${top_builddir:?}/tests/fuzz-pipeline
crafted=${CRAFTED:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
n=0

list="$tmp/inputs"
: >"$list"
if [ -d "$top/../shared/captures/malformed" ]; then
	find "$top/../shared/captures/malformed" -type f >>"$list"
else
	echo "robustness: ../shared/captures absent, using the project's own inputs only"
fi
find "$top/tests/fuzz-crashers/pipeline" -type f >>"$list" 2>/dev/null
if [ -x "$crafted" ]; then
	mkdir "$tmp/crafted" && "$crafted" "$tmp/crafted" >/dev/null && find "$tmp/crafted" -name '*.pcap' >>"$list"
fi
# Mutants: the same seeded byte flips and cuts every run.
python3 - "$top/captures" "$tmp/mutants" <<'PY'
import os, random, sys
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst)
rng = random.Random(20261122)
for name in sorted(os.listdir(src)):
    if not name.endswith(".pcap"):
        continue
    data = open(os.path.join(src, name), "rb").read()[:20000]
    for k in range(8):
        b = bytearray(data)
        for _ in range(rng.randint(1, 40)):
            b[rng.randrange(24, len(b))] = rng.randrange(256)
        if k % 3 == 0:
            b = b[: rng.randrange(24, len(b))]
        open(os.path.join(dst, "%s.%d.pcap" % (name, k)), "wb").write(b)
PY
find "$tmp/mutants" -type f >>"$list"

total=$(wc -l <"$list")
# 1. replay through the library (one process per 50 inputs keeps memory small)
if ! xargs -d '\n' -n 50 "$replay" <"$list" >"$tmp/replay.out" 2>"$tmp/replay.err"; then
	echo "FAIL: the replay driver crashed or reported a sanitizer error:"
	tail -n 40 "$tmp/replay.err"
	failures=$((failures + 1))
fi

# 2. the binary: exit 0 or 2, within 20 s, one line on refusal
while IFS= read -r f; do
	n=$((n + 1))
	timeout 20 "$bin" report --format json "$f" >/dev/null 2>"$tmp/err"
	rc=$?
	case $rc in
	0) ;;
	2)
		if [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
			echo "FAIL: $f: exit 2 with $(wc -l <"$tmp/err") lines on stderr"
			failures=$((failures + 1))
		fi
		;;
	124)
		echo "FAIL: $f: hangs (killed after 20 s)"
		failures=$((failures + 1))
		;;
	*)
		echo "FAIL: $f: exit status $rc"
		head -n 20 "$tmp/err"
		failures=$((failures + 1))
		;;
	esac
done <"$list"

# 3. each fuzz target's regression inputs and seeds through its replay driver
"$top/tests/fuzz-seeds.sh" "$tmp/fuzz" >/dev/null 2>"$tmp/seeds.err" || {
	echo "FAIL: tests/fuzz-seeds.sh: $(tail -n 5 "$tmp/seeds.err")"
	failures=$((failures + 1))
}
regressions=0 seeds=0
for target in pipeline decode expect script; do
	: >"$tmp/regress"
	[ -d "$top/tests/fuzz-crashers/$target" ] && find "$top/tests/fuzz-crashers/$target" -type f >"$tmp/regress"
	regressions=$((regressions + $(wc -l <"$tmp/regress")))
	find "$tmp/fuzz/seeds/$target" -type f >>"$tmp/regress" 2>/dev/null
	seeds=$((seeds + $(find "$tmp/fuzz/seeds/$target" -type f 2>/dev/null | wc -l)))
	if [ ! -s "$tmp/regress" ]; then
		echo "FAIL: no inputs for tests/fuzz-$target"
		failures=$((failures + 1))
	elif ! xargs -d '\n' "${top_builddir}/tests/fuzz-$target" <"$tmp/regress" >"$tmp/regress.out" 2>"$tmp/regress.err"; then
		echo "FAIL: tests/fuzz-$target on its regression inputs and seeds:"
		tail -n 40 "$tmp/regress.err"
		failures=$((failures + 1))
	fi
done
echo "robustness: $total inputs replayed, $n run through tcpscope, $regressions fuzz regression inputs and $seeds seeds through the fuzz targets, $failures failures"
[ "$failures" -eq 0 ]
