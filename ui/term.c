/*
 * term.c - curses, signals and colours (term.h).
 *
 * Exit paths and how each restores the terminal:
 *   q / Q            the loop returns and the caller runs term_close();
 *   SIGINT/TERM/HUP  the handler records the signal and stops the loop
 *                    (loop_stop_from_signal only sets a flag); the caller then runs
 *                    term_close() as after q;
 *   exit()           atexit(term_close);
 *   a crash          SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT (abort() on
 *                    out of memory) run endwin() and then die of the same
 *                    signal, as htop does.
 * SIGWINCH stays with ncurses, which answers it with KEY_RESIZE at the next
 * read; the caller reads keys on its redraw timer too, so a resize shows
 * within one frame even though no key was pressed.
 */
#include "config.h"

#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keymap.h"
#include "term.h"

static bool active;
static bool use_color;
static SCREEN *screen;
static volatile sig_atomic_t quit_signal;

/* The semantic colour table: foreground, background, and attributes in colour and in monochrome. */
static const struct {
	short fg, bg;
	attr_t color_attr, mono_attr;
} palette[RA_COUNT] = {
	[RA_NORMAL] = {-1, -1, A_NORMAL, A_NORMAL},
	[RA_DIM] = {-1, -1, A_DIM, A_DIM},
	[RA_TITLE] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
	[RA_HEADER] = {COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_BOLD | A_UNDERLINE},
	[RA_STATUS] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
	[RA_PROGRESS] = {COLOR_BLUE, COLOR_CYAN, A_BOLD, A_REVERSE | A_BOLD},
	[RA_KEY] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
	[RA_MESSAGE] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE | A_BOLD},
	[RA_NOTE] = {COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
	[RA_WARNING] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
	[RA_ERROR] = {COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},
	[RA_LABEL] = {COLOR_MAGENTA, -1, A_NORMAL, A_NORMAL},
	[RA_STATE] = {-1, -1, A_BOLD, A_BOLD},
	[RA_CLIENT] = {COLOR_BLUE, -1, A_BOLD, A_NORMAL},
	[RA_SERVER] = {COLOR_GREEN, -1, A_NORMAL, A_NORMAL},
	[RA_FOLD] = {COLOR_CYAN, -1, A_DIM, A_DIM},
	[RA_LINK] = {COLOR_CYAN, -1, A_BOLD | A_UNDERLINE, A_BOLD | A_UNDERLINE},
	[RA_GRAPH_DATA] = {-1, -1, A_BOLD, A_NORMAL},
	[RA_GRAPH_RETRANS] = {COLOR_RED, -1, A_BOLD, A_BOLD},
	[RA_GRAPH_ACK] = {COLOR_GREEN, -1, A_NORMAL, A_DIM},
	[RA_GRAPH_WINDOW] = {COLOR_YELLOW, -1, A_NORMAL, A_DIM},
	[RA_GRAPH_SACK] = {COLOR_MAGENTA, -1, A_BOLD, A_BOLD},
};

void term_close(void)
{
	if (!active)
		return;
	active = false;
	endwin();
	if (screen) {
		delscreen(screen);
		screen = NULL;
	}
	fflush(stdout);
}

static void on_quit_signal(int sig)
{
	quit_signal = sig;
	loop_stop_from_signal();
}

static void on_fatal_signal(int sig)
{
	/* Not async-signal-safe, but a dying process should not leave a broken terminal behind. */
	if (active) {
		active = false;
		endwin();
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		sigaction(fatal[i], &sa, NULL);
}

int term_open(bool color, char *err, size_t errlen)
{
	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		snprintf(err, errlen, "cannot use this terminal (TERM=%s)", getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	active = true;
	atexit(term_close);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	keymap_define_fallbacks();
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mouseinterval(0);
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	use_color = color && has_colors();
	if (use_color) {
		start_color();
		use_default_colors();
		for (int a = 0; a < RA_COUNT; a++)
			init_pair((short)(a + 1), palette[a].fg, palette[a].bg);
	}
	install_signals();
	return 0;
}

void term_size(int *width, int *height)
{
	getmaxyx(stdscr, *height, *width);
}

void term_blit(const struct render_canvas *c)
{
	for (int y = 0; y < c->height; y++) {
		for (int x = 0; x < c->width; x++) {
			const struct render_cell *cell = render_cell_at(c, y, x);
			int a = cell->attr & ~RA_SELECTED;
			attr_t attrs = use_color ? palette[a].color_attr : palette[a].mono_attr;
			if (cell->attr & RA_SELECTED)
				attrs ^= A_REVERSE;
			wchar_t wch[2] = {(wchar_t)cell->ch, L'\0'};
			cchar_t cc;
			setcchar(&cc, wch, attrs, use_color ? (short)(a + 1) : 0, NULL);
			mvadd_wch(y, x, &cc);
		}
	}
	refresh();
}

bool term_read_key(struct ui_key *k)
{
	wint_t wch;
	int rc = wget_wch(stdscr, &wch);
	if (rc == ERR)
		return false;
	return keymap_translate(rc == KEY_CODE_YES, wch, k);
}

bool term_quit_requested(int *status)
{
	if (!quit_signal)
		return false;
	*status = quit_signal == SIGINT ? 0 : 128 + quit_signal;
	return true;
}
