#!/bin/sh
# Every endpoint's path of states is one of RFC 9293's diagram (SPEC §4.2,
# §13): tests/state-paths walks the settled packet views of every capture in
# captures/ and, when it is there, the third-party corpus ../shared/captures/
# (packetdrill's Linux runs among them), and fails on any other move.
set -u
walker=${STATE_PATHS:?}
top=${top_srcdir:?}
list=$(mktemp)
trap 'rm -f "$list"' EXIT
find "$top/captures" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort >"$list"
shared=$top/../shared/captures
if [ -d "$shared" ]; then
	find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' -o -name '*.trace' \) \
		-not -path '*/malformed/*' | sort >>"$list"
else
	echo "state-paths: $shared absent, walking the project's captures only"
fi
tr '\n' '\0' <"$list" | xargs -0 "$walker"
