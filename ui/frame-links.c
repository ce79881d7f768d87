/*
 * frame-links.c - finds "frame N" and "frames N-M" in a message
 * (frame-links.h). The text is scanned once, left to right: each time the
 * word "frame" or "frames" stands before a number, that number is a link, and
 * after "frames" so is the number after a dash.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "frame-links.h"

/* Adds the number at text[at] (digits follow) as a link; returns where its digits end. */
static size_t add_link(const char *text, size_t at, struct frame_link *links, size_t *n, size_t max)
{
	size_t len = strspn(text + at, "0123456789");
	if (*n < max)
		links[(*n)++] = (struct frame_link){strtoull(text + at, NULL, 10), at, len};
	return at + len;
}

size_t frame_links_find(const char *text, struct frame_link *links, size_t max)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, "frame")) != NULL;) {
		size_t at = (size_t)(p - text) + 5;
		bool plural = text[at] == 's';
		bool word_start = p == text || !isalnum((unsigned char)p[-1]);
		at += plural;
		p = text + at;
		if (!word_start || text[at] != ' ' || !isdigit((unsigned char)text[at + 1]))
			continue;
		at = add_link(text, at + 1, links, &n, max);
		if (plural && text[at] == '-' && isdigit((unsigned char)text[at + 1]))
			at = add_link(text, at + 1, links, &n, max);
		p = text + at;
	}
	return n;
}
