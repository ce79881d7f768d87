/*
 * findings.h - the finding and label catalogues (expanded from findings.def
 * and labels.def) and the finding record that flows from the engine to sinks.
 * A finding record owns no memory: its message is a fixed buffer, so sinks copy
 * the record if they keep it.
 */
#ifndef TCPSCOPE_FINDINGS_H
#define TCPSCOPE_FINDINGS_H

#include <stdint.h>

enum severity { SEV_NOTE, SEV_WARNING, SEV_ERROR };

enum finding_id {
	F_NONE = 0,
#define FINDING(id, code, sev, title, ref, text) F_##id,
#include "findings.def"
#undef FINDING
	F_COUNT
};

enum label_id {
#define LABEL(id, name, ws, text) L_##id,
#include "labels.def"
#undef LABEL
	L_COUNT
};

struct catalogue_entry {
	const char *code;
	enum severity severity;
	const char *title;
	const char *reference;
	const char *explanation;
};

struct label_entry {
	const char *name;
	const char *wireshark;
	const char *description;
};

#define FINDING_MESSAGE_MAX 160

struct finding {
	uint64_t frame;	 /* 1-based frame number; 0 for capture-wide findings */
	uint32_t flow;	 /* flow id; 0 when the packet belongs to no flow */
	int64_t time_ns; /* capture time of the frame */
	enum finding_id id;
	char message[FINDING_MESSAGE_MAX];
};

struct flow;

/*
 * Receives a finding about an earlier frame of flow f, judged only later
 * (when the flow ends, or when a later segment settles it): the engine counts
 * it on the flow and emits it with that frame and time.
 */
typedef void (*finding_late_raise_fn)(void *ctx, struct flow *f, enum finding_id id, uint64_t frame, int64_t time_ns,
				      const char *message);

const struct catalogue_entry *finding_info(enum finding_id id);
/* Looks a code up by its dotted name; F_NONE if unknown. */
enum finding_id finding_by_code(const char *code);
const char *severity_name(enum severity sev);
/* Parses "error", "warning" or "note"; -1 if none of them. */
int severity_parse(const char *name);
const struct label_entry *label_info(enum label_id id);

#endif
