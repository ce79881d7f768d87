#!/bin/sh
# tests/tshark-diff.sh - the differential test against Wireshark (SPEC 13,
# tier 3). Every capture in captures/ and, when it sits beside the checkout,
# every capture of the third-party corpus in ../shared/captures/ is read by
# both tshark and tcpscope; frame by frame the TCP fields, flows and labels
# must agree, or the difference must be listed as deliberate in
# tests/tshark-known-differences.txt. The comparison is tests/tshark_diff.py.
#
# Skips (77) only when tshark is not installed. TSHARK_DIFF_ARGS passes
# options to the comparison, e.g. "--all", "--explained", "--jobs 4" or
# "--only=captures/*" (not expanded by the shell).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

require_cmd tshark
command -v python3 >/dev/null 2>&1 || fail "tshark is installed but python3, which runs this comparison, is not"
bin=$(tcpscope_bin) || exit 1

set -- "captures=$top_srcdir/captures"
shared=$top_srcdir/../shared/captures
if [ -d "$shared" ]; then
	set -- "$@" "shared/captures=$shared"
else
	echo "note: $shared not found: comparing this repository's captures only"
fi

# An empty configuration folder: no personal preference reaches tshark; the
# ones that matter are set on its command line by tshark_diff.py.
WIRESHARK_CONFIG_DIR=$TEST_TMPDIR/wireshark
export WIRESHARK_CONFIG_DIR
mkdir -p "$WIRESHARK_CONFIG_DIR"

set -f # TSHARK_DIFF_ARGS is split into words, never globbed
# shellcheck disable=SC2086
python3 "$top_srcdir/tests/tshark_diff.py" --tcpscope "$bin" \
	--known "$top_srcdir/tests/tshark-known-differences.txt" $TSHARK_DIFF_ARGS "$@"
