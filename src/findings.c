/*
 * findings.c - tables generated from findings.def and labels.def, and the
 * look-ups over them. Nothing else in the program spells a code or a label
 * name: everything comes through here.
 */
#include "config.h"

#include <string.h>

#include "findings.h"

/* flow.h keeps once-per-flow findings in a 128-bit mask. */
_Static_assert(F_COUNT <= 128, "more than 128 findings: widen struct flow's reported mask");

static const struct catalogue_entry catalogue[F_COUNT] = {
	[F_NONE] = {"none", SEV_NOTE, "", "", ""},
#define FINDING(id, code, sev, title, ref, text) [F_##id] = {code, SEV_##sev, title, ref, text},
#include "findings.def"
#undef FINDING
};

static const struct label_entry labels[L_COUNT] = {
#define LABEL(id, name, ws, text) [L_##id] = {name, ws, text},
#include "labels.def"
#undef LABEL
};

const struct catalogue_entry *finding_info(enum finding_id id)
{
	return &catalogue[id < F_COUNT ? id : F_NONE];
}

enum finding_id finding_by_code(const char *code)
{
	for (int i = 1; i < F_COUNT; i++)
		if (strcmp(catalogue[i].code, code) == 0)
			return (enum finding_id)i;
	return F_NONE;
}

const char *severity_name(enum severity sev)
{
	static const char *const names[] = {"note", "warning", "error"};
	return names[sev];
}

int severity_parse(const char *name)
{
	for (int s = SEV_NOTE; s <= SEV_ERROR; s++)
		if (strcmp(name, severity_name((enum severity)s)) == 0)
			return s;
	return -1;
}

const struct label_entry *label_info(enum label_id id)
{
	return &labels[id];
}
