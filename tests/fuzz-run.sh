#!/bin/sh
# fuzz-run.sh BUILDDIR TARGET [SECONDS] - runs one libFuzzer target of a
# build configured with --enable-fuzzing (docs/robustness.md), at low
# priority, for SECONDS (default 1800). Everything lives under $FUZZ_DIR
# (default /var/tmp/tcpscope-fuzz): the seeds (written by fuzz-seeds.sh when
# missing), corpus/TARGET (the inputs libFuzzer found, kept between runs),
# artifacts/TARGET/ (crashes, timeouts, leaks) and TARGET.log.
# Each target gets an input size limit suited to what it reads.
set -eu
build=${1:?usage: fuzz-run.sh BUILDDIR TARGET [SECONDS]}
target=${2:?usage: fuzz-run.sh BUILDDIR TARGET [SECONDS]}
seconds=${3:-1800}
dir=${FUZZ_DIR:-/var/tmp/tcpscope-fuzz}
case $target in
pipeline) max_len=65536 ;;
decode) max_len=4096 ;;
expect | script) max_len=4096 ;;
*)
	echo "fuzz-run.sh: unknown target '$target' (pipeline, decode, expect, script)" >&2
	exit 2
	;;
esac
[ -d "$dir/seeds/$target" ] || "$(dirname "$0")/fuzz-seeds.sh" "$dir"
mkdir -p "$dir/corpus/$target" "$dir/artifacts/$target"
exec nice -n 10 "$build/tests/fuzz-$target-libfuzzer" "$dir/corpus/$target" "$dir/seeds/$target" \
	-max_len=$max_len -timeout=10 -rss_limit_mb=2048 -max_total_time="$seconds" -print_final_stats=1 \
	-artifact_prefix="$dir/artifacts/$target/" >"$dir/$target.log" 2>&1
