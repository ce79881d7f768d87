/*
 * keymap.c - from curses input to struct ui_key (keymap.h): function keys,
 * control characters, and mouse events. ncurses reports only presses here
 * (mouseinterval 0, so a click is never delayed); a second press on the same
 * cell within DOUBLE_CLICK_NS becomes a double click.
 */
#include "config.h"

#include <curses.h>

#include "keymap.h"
#include "model.h"

#define DOUBLE_CLICK_NS (400 * 1000000LL)

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
