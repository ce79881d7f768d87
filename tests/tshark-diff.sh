#!/bin/sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
require_cmd tshark
command -v python3 >/dev/null 2>&1 || fail "python3 is needed to compare with tshark"
bin=$(tcpscope_bin) || exit 1
set -- "captures=$top_srcdir/captures"
shared=$top_srcdir/../shared/captures
if [ -d "$shared" ]; then set -- "$@" "shared/captures=$shared"; else echo "SKIP part: $shared not found"; fi
WIRESHARK_CONFIG_DIR=$TEST_TMPDIR/wireshark
export WIRESHARK_CONFIG_DIR
mkdir -p "$WIRESHARK_CONFIG_DIR"
python3 "$top_srcdir/tests/tshark_diff.py" --tcpscope "$bin" --known "$top_srcdir/tests/tshark-known-differences.txt" $TSHARK_DIFF_ARGS "$@"
