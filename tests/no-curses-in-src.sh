#!/bin/sh
# The engine library never includes curses (STYLE.md principle 1): only ui/ may.
hits=$(grep -rlE '#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/)' "$top_srcdir/src" 2>/dev/null)
if [ -n "$hits" ]; then
	echo "src/ must not include curses: $hits"
	exit 1
fi
echo "src/ is curses-free"
