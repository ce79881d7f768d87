/*
 * keymap.c - from curses input to struct ui_key (keymap.h): function keys,
 * control characters, and mouse events. ncurses reports only presses here
 * (mouseinterval 0, so a click is never delayed); a second press on the same
 * cell within DOUBLE_CLICK_NS becomes a double click.
 *
 * The keys come from the terminfo entry TERM names; when TERM does not match
 * the terminal (xterm-256color inside tmux, which sends ESC [ 1 ~ for Home)
 * keymap_define_fallbacks() teaches curses the sequences common terminals
 * send for the keys the entry lacks, so they arrive as KEY_HOME and the rest.
 */
#include "config.h"

#include <curses.h>

#include "keymap.h"
#include "model.h"

#define DOUBLE_CLICK_NS (400 * 1000000LL)

/* What xterm, tmux, screen, rxvt and the Linux console send for the keys a list needs. */
static const struct {
	const char *sequence;
	int key;
} fallback_keys[] = {
	{"\033[H", KEY_HOME},	{"\033OH", KEY_HOME},	{"\033[1~", KEY_HOME}, {"\033[7~", KEY_HOME},
	{"\033[F", KEY_END},	{"\033OF", KEY_END},	{"\033[4~", KEY_END},  {"\033[8~", KEY_END},
	{"\033[5~", KEY_PPAGE}, {"\033[6~", KEY_NPAGE}, {"\033[A", KEY_UP},    {"\033OA", KEY_UP},
	{"\033[B", KEY_DOWN},	{"\033OB", KEY_DOWN},	{"\033[C", KEY_RIGHT}, {"\033OC", KEY_RIGHT},
	{"\033[D", KEY_LEFT},	{"\033OD", KEY_LEFT},	{"\033[3~", KEY_DC},   {"\033[Z", KEY_BTAB},
};

void keymap_define_fallbacks(void)
{
	for (size_t i = 0; i < sizeof fallback_keys / sizeof fallback_keys[0]; i++)
		if (key_defined(fallback_keys[i].sequence) == 0) /* neither bound nor the prefix of a binding */
			define_key(fallback_keys[i].sequence, fallback_keys[i].key);
}

static bool mouse_key(struct ui_key *k)
{
	static int64_t last_ns;
	static int last_y = -1, last_x = -1;
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return false;
	k->y = ev.y;
	k->x = ev.x;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		k->code = ev.bstate & BUTTON4_PRESSED ? UK_WHEEL_UP : UK_WHEEL_DOWN;
		last_y = -1; /* a double click is two clicks with nothing between */
	} else if (ev.bstate & BUTTON1_PRESSED) {
		int64_t now = model_now_ns();
		bool twice = ev.y == last_y && ev.x == last_x && now - last_ns < DOUBLE_CLICK_NS;
		k->code = twice ? UK_DOUBLE_CLICK : UK_CLICK;
		last_ns = twice ? 0 : now;
		last_y = ev.y;
		last_x = ev.x;
	} else {
		return false;
	}
	return true;
}

bool keymap_translate(bool function_key, wint_t wch, struct ui_key *k)
{
	k->y = k->x = 0;
	if (function_key) {
		switch (wch) {
		case KEY_UP:
			k->code = UK_UP;
			return true;
		case KEY_DOWN:
			k->code = UK_DOWN;
			return true;
		case KEY_LEFT:
			k->code = UK_LEFT;
			return true;
		case KEY_RIGHT:
			k->code = UK_RIGHT;
			return true;
		case KEY_PPAGE:
			k->code = UK_PGUP;
			return true;
		case KEY_NPAGE:
			k->code = UK_PGDN;
			return true;
		case KEY_HOME:
			k->code = UK_HOME;
			return true;
		case KEY_END:
			k->code = UK_END;
			return true;
		case KEY_ENTER:
			k->code = UK_ENTER;
			return true;
		case KEY_BACKSPACE:
		case KEY_DC:
			k->code = UK_BACKSPACE;
			return true;
		case KEY_BTAB:
			k->code = UK_BACKTAB;
			return true;
		case KEY_RESIZE:
			k->code = UK_RESIZE;
			return true;
		case KEY_MOUSE:
			return mouse_key(k);
		default:
			return false;
		}
	}
	switch (wch) {
	case '\r':
	case '\n':
		k->code = UK_ENTER;
		break;
	case 27:
		k->code = UK_ESC;
		break;
	case 127:
	case 8:
		k->code = UK_BACKSPACE;
		break;
	case '\t':
		k->code = UK_TAB;
		break;
	case 12: /* Ctrl-L */
		k->code = UK_REDRAW;
		break;
	default:
		k->code = (int)wch;
		break;
	}
	return true;
}
