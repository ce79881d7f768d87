# shellcheck shell=sh
# tests/tmux-lib.sh - driving tcpscope's UI in a real terminal for the tmux
# suites (ui-tmux.sh, ui-live-tmux.sh). Source it after tests/lib.sh. Each
# session NAME has a tmux server of its own (socket $TEST_TMPDIR/tmux-NAME.sock).
#
#   tm NAME TMUX-ARGS...      tmux on the server of session NAME
#   ui_wrapper SECONDS        writes $TEST_TMPDIR/run, the command a session
#                             runs as `run PIDFILE CMD...`: it prints
#                             SHELL-BEFORE-UI, runs CMD in the terminal's
#                             foreground (so Ctrl-C reaches it, and only it)
#                             with its pid saved and at most SECONDS to live,
#                             prints EXIT=status and lingers for the checks
#   start NAME WIDTH HEIGHT [ENV=VALUE...] -- ARGS...
#                             $bin (tcpscope) with ARGS in a new session of
#                             that size under the wrapper, TERM=tmux-256color
#                             unless an ENV=VALUE says otherwise
#   screen NAME, key NAME KEY, pane NAME FORMAT
#   wait_for NAME TEXT [S]    until the screen shows TEXT (a fixed string); at
#                             most S seconds, default 30 (generous: the
#                             sanitizer build under a parallel make check is slow)
#   expect_on_screen NAME TEXT
#   expect_restored NAME STATUS  the UI ended with STATUS and left the terminal
#                             as it found it; the session is then closed

tm()
{
	sock=$TEST_TMPDIR/tmux-$1.sock
	shift
	tmux -S "$sock" -f /dev/null "$@"
}

ui_wrapper()
{
	cat >"$TEST_TMPDIR/run" <<WRAPPER
#!/bin/sh
trap '' INT
pidfile=\$1
shift
echo "SHELL-BEFORE-UI"
timeout --foreground $1 sh -c 'echo \$\$ >"\$0"; exec "\$@"' "\$pidfile" "\$@"
echo "EXIT=\$?"
sleep 60
WRAPPER
	chmod +x "$TEST_TMPDIR/run"
}

start()
{
	name=$1 width=$2 height=$3
	shift 3
	envs=
	while [ "$1" != "--" ]; do
		envs="$envs $1"
		shift
	done
	shift
	tm "$name" new-session -d -s "$name" -x "$width" -y "$height" \
		"env TERM=tmux-256color $envs $TEST_TMPDIR/run $TEST_TMPDIR/$name.pid $bin $*" ||
		fail "tmux cannot start a session"
}

screen() { tm "$1" capture-pane -p -t "$1"; }
key() { tm "$1" send-keys -t "$1" "$2"; }
# type_text SESSION TEXT: TEXT as typed, each character a key (no key names).
type_text() { tm "$1" send-keys -t "$1" -l "$2"; }
pane() { tm "$1" display-message -p -t "$1" "$2"; }

wait_for()
{
	i=0
	while ! screen "$1" | grep -qF -- "$2"; do
		i=$((i + 1))
		if [ $i -gt $((${3:-30} * 20)) ]; then
			echo "---- screen of $1:"
			screen "$1"
			fail "$1: \"$2\" never appeared"
		fi
		sleep 0.05
	done
}

expect_on_screen()
{
	screen "$1" | grep -qF -- "$2" || {
		screen "$1"
		fail "$1: \"$2\" is not on the screen"
	}
}

expect_restored()
{
	wait_for "$1" "EXIT=$2"
	[ "$(pane "$1" '#{alternate_on}')" = 0 ] || fail "$1: still on the alternate screen"
	[ "$(pane "$1" '#{cursor_flag}')" = 1 ] || fail "$1: the cursor is still hidden"
	[ "$(pane "$1" '#{mouse_any_flag}')" = 0 ] || fail "$1: mouse reporting is still on"
	expect_on_screen "$1" "SHELL-BEFORE-UI"
	if screen "$1" | grep -q "tcpscope ·"; then
		screen "$1"
		fail "$1: the UI is still on the screen"
	fi
	tm "$1" kill-session -t "$1"
}
