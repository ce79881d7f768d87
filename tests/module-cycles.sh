#!/bin/sh
# Data flows one way (STYLE.md principle 2): no two modules may call each
# other, directly or round a loop, and no module calls up into a higher
# layer. This test reads `nm` of the built objects of src/ and of the
# tcpscope program in ui/, draws an edge A -> B whenever object A uses a
# symbol that object B defines (one object is one .c with its .h, since a
# header only declares), and fails naming the loops and upward calls it finds.
#
# A module's layer is its name's prefix (src/README.md lists them), from the
# bottom: 0 the helpers anyone may call (mem-, text-, findings, json-read);
# 1 the sources (capture-, decode-: a capture reader asks the decoder which
# link types it reads); 2 flows (flow-); 3 the TCP engine and its delivery
# stage (tcp-); 4 the analyses (analysis-, summary); 5 the engine that drives
# them (engine); 6 what the commands collect and judge (report-, check,
# expect, script, packetdrill-); 7 outputs (output-); 8 the program (ui/).
# A call may go to its own layer or any below; a src/ module whose name has
# no layer fails the test too, so a new file must say where it belongs.
#
# The one allowed loop is the tunnel recursion: a tunnel (GRE, VXLAN, Geneve,
# ...) carries a whole packet, so src/decode-tunnel.c re-enters link and IP
# decoding (see the comment at the top of that file). Its edges back into
# decode-ip and decode-link are listed in ALLOWED and dropped before the search.
#
# Usage: module-cycles.sh            check the build in $top_builddir
#        module-cycles.sh --graph F  check a graph file of "A B" lines instead
# Before checking the build it checks itself on small graphs, so a checker that
# could no longer see a loop fails too.
ALLOWED='src/decode-tunnel src/decode-ip
src/decode-tunnel src/decode-link'

# The nm that reads these objects: with link-time optimisation they hold the
# compiler's own format (GCC's nm reads GCC's through its plugin; clang's
# need llvm-nm). Prints nothing if none of them can.
find_nm() {
	probe=$(ls "$top_builddir"/src/*.o 2>/dev/null | head -n 1)
	[ -n "$probe" ] || return 0
	for tool in ${NM:-} nm gcc-nm llvm-nm; do
		if "$tool" "$probe" 2>/dev/null | grep -q ' T '; then
			echo "$tool"
			return 0
		fi
	done
}

# Print "A B" for every object A that uses a symbol defined by object B. An
# object whose source is gone (a stale build) is left out.
edges_from_objects() {
	for o in "$top_builddir"/src/*.o "$top_builddir"/ui/tcpscope-*.o; do
		[ -f "$o" ] || continue
		m=${o#"$top_builddir"/}
		m=${m%.o}
		m=$(printf '%s\n' "$m" | sed 's|^ui/tcpscope-|ui/|')
		[ -f "${top_srcdir:-$top_builddir/..}/$m.c" ] || continue
		"$NM_TOOL" "$o" | awk -v m="$m" '
			$1 == "U" { print "U", m, $2; next }
			NF == 3 && $2 ~ /^[TDBRCGSVW]$/ { print "D", m, $3 }'
	done | awk '
		$1 == "D" { def[$3] = $2; next }
		{ use[++n] = $2 " " $3 }
		END {
			for (i = 1; i <= n; i++) {
				split(use[i], f, " ")
				if ((f[2] in def) && def[f[2]] != f[1])
					print f[1], def[f[2]]
			}
		}' | sort -u
}

# Read "A B" edges on stdin; print each upward call and each loop the search
# closes (one per line), and nothing when the graph is clean.
find_problems() {
	awk -v allowed="$ALLOWED" '
		BEGIN {
			n = split(allowed, a, "\n")
			for (i = 1; i <= n; i++) skip[a[i]] = 1
		}
		function layer(m,   n) {
			if (m ~ /^ui\//) return 8
			n = m; sub(/^src\//, "", n)
			if (n ~ /^(mem|text)-/ || n == "findings" || n == "json-read") return 0
			if (n ~ /^(capture|decode)-/) return 1
			if (n ~ /^flow-/) return 2
			if (n ~ /^tcp-/) return 3
			if (n ~ /^analysis-/ || n == "summary") return 4
			if (n == "engine") return 5
			if (n ~ /^report(-|$)/ || n ~ /^(check|expect|script)$/ || n ~ /^packetdrill-/) return 6
			if (n ~ /^output-/) return 7
			return -1
		}
		($1 " " $2) in skip { next }
		{
			for (i = 1; i <= 2; i++)
				if (layer($i) < 0 && !(($i) in unnamed)) {
					unnamed[$i] = 1
					print "no layer in the name: " $i
				}
			if (layer($1) >= 0 && layer($1) < layer($2))
				print "upward call: " $1 " -> " $2
			out[$1] = out[$1] " " $2
			node[$1] = 1; node[$2] = 1
		}
		# Depth-first search; colour 1 = on the current path, 2 = done.
		function visit(v, depth,   k, i, j, w, succ, cyc) {
			colour[v] = 1
			path[depth] = v
			k = split(out[v], succ, " ")
			for (i = 1; i <= k; i++) {
				w = succ[i]
				if (colour[w] == 1) {
					for (j = depth; path[j] != w; j--) ;
					cyc = w
					for (j++; j <= depth; j++) cyc = cyc " -> " path[j]
					print "cycle: " cyc " -> " w
				} else if (colour[w] == 0)
					visit(w, depth + 1)
			}
			colour[v] = 2
		}
		END {
			for (v in node)
				if (colour[v] == 0) visit(v, 0)
		}'
}

# The checker must see a loop, an upward call, and let the allowed loop pass.
self_check() {
	got=$(printf 'src/a src/b\nsrc/b src/c\nsrc/c src/a\n' | find_problems)
	case $got in *"cycle: "*"src/a"*"src/b"*"src/c"*) ;; *)
		echo "self-check: missed the loop a -> b -> c -> a (got: $got)"; return 1 ;; esac
	got=$(printf 'src/capture-a ui/b\n' | find_problems)
	[ "$got" = "upward call: src/capture-a -> ui/b" ] || {
		echo "self-check: missed an upward call (got: $got)"; return 1; }
	got=$(printf 'src/tcp-a src/analysis-b\n' | find_problems)
	[ "$got" = "upward call: src/tcp-a -> src/analysis-b" ] || {
		echo "self-check: missed a call from the engine up into an analysis (got: $got)"; return 1; }
	got=$(printf 'src/misc src/mem-a\n' | find_problems)
	[ "$got" = "no layer in the name: src/misc" ] || {
		echo "self-check: missed a module with no layer (got: $got)"; return 1; }
	got=$(printf 'src/decode-ip src/decode-tunnel\nsrc/decode-tunnel src/decode-ip\nui/x src/decode-ip\n' |
		find_problems)
	[ -z "$got" ] || { echo "self-check: the tunnel recursion is allowed (got: $got)"; return 1; }
	got=$(printf 'ui/a ui/b\nui/b src/report-c\nsrc/report-c src/engine\nsrc/engine src/tcp-d\nsrc/tcp-d src/mem-e\n' |
		find_problems)
	[ -z "$got" ] || { echo "self-check: a one-way graph passes (got: $got)"; return 1; }
}

self_check || exit 1
if [ "$1" = "--graph" ]; then
	problems=$(find_problems <"$2")
else
	: "${top_builddir:?set top_builddir to the build directory}"
	NM_TOOL=$(find_nm)
	if [ -z "$NM_TOOL" ]; then
		echo "SKIP: no nm here reads the objects in $top_builddir/src (set NM, e.g. NM=llvm-nm)"
		exit 77
	fi
	graph=$(edges_from_objects)
	[ -n "$graph" ] || { echo "no objects found under $top_builddir"; exit 1; }
	problems=$(printf '%s\n' "$graph" | find_problems)
fi
if [ -n "$problems" ]; then
	printf '%s\n' "$problems"
	exit 1
fi
echo "modules call one way: no cycles, no call up into a higher layer"
