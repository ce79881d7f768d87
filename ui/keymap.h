/*
 * keymap.h - curses key codes and mouse events to struct ui_key, so that no
 * view ever sees a curses constant. Part of the terminal layer (term.c).
 */
#ifndef TCPSCOPE_UI_KEYMAP_H
#define TCPSCOPE_UI_KEYMAP_H

#include <stdbool.h>
#include <wchar.h>

#include "ui.h"

/* After keypad(): binds the usual escape sequences of Home, End, PgUp, PgDn and the arrows that TERM's entry lacks. */
void keymap_define_fallbacks(void);
/* Translates what wget_wch() returned; false for input that means nothing to tcpscope. */
bool keymap_translate(bool function_key, wint_t wch, struct ui_key *k);

#endif
