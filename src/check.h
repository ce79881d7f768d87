/*
 * check.h - the verdict of `tcpscope check` on one capture (SPEC §11): the
 * findings policy, the expectations and the script, run over one report.
 *
 *   capture --report_run_file--> report --policy----> denied findings
 *                                       --expect_eval-> expectation results
 *            --packet views of the frames named--> expect_frames --^
 *            --packet views of one flow--> script matcher -> script result
 *            --packet views of every flow--> packetdrill matcher --^ (a packetdrill script)
 *
 * The policy decides which findings fail the check: by default every finding
 * of severity error (or of --fail-on and above); --deny PATTERN makes matching
 * findings fail whatever their severity, --allow PATTERN lets them pass. When
 * both match, the more specific pattern wins (an exact code over a prefix, a
 * longer prefix over a shorter one, any pattern over the severity rule), and
 * deny wins a tie. A check_file owns its report and results; the config and
 * the parsed expectations and script it points to are the caller's.
 */
#ifndef TCPSCOPE_CHECK_H
#define TCPSCOPE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "expect.h"
#include "packetdrill.h"
#include "report.h"
#include "script.h"

struct check_policy {
	enum severity fail_on;
	char **allow, **deny; /* finding patterns (expect_pattern_check): arrays owned, strings borrowed */
	size_t nallow, ndeny;
};

struct check_config {
	struct check_policy policy;
	const struct expect_set *expect;    /* NULL: no --expect */
	const struct script *script;	    /* NULL: no --script */
	struct expect_selector script_flow; /* the flow the script is about (--flow, default '*') */
	const char *script_flow_text;
	struct packetdrill_config packetdrill; /* how a packetdrill script is read (--sut, --strict-segments, ...) */
	uint32_t threads;		       /* split each file's flows over this many threads (report_run_files) */
};

struct check_file {
	struct report report;
	char *error;	     /* the capture could not be read: the one-line message */
	size_t ndenied;	     /* findings that fail the policy (check_next_denied reads them in report order) */
	struct spool denied; /* copies of them ordered by flow (capture-wide first), for JUnit's per-flow cases */
	size_t denied_flows; /* distinct flows among them, the capture (flow 0) counting as one */
	struct expect_result *results; /* one per expectation, in file order */
	size_t nresults;
	bool has_script;
	uint32_t script_flow_id; /* the flow the script ran on (packetdrill: the failing line's or the first) */
	size_t script_flows;	 /* how many flows --flow selected (packetdrill: the script's connections matched) */
	struct script_result script;
	bool pass;
};

void check_policy_init(struct check_policy *p);
void check_policy_free(struct check_policy *p);
/* True if a finding with this code fails the check. */
bool check_policy_denies(const struct check_policy *p, enum finding_id id);

/*
 * Reads one capture and judges it. Returns 0, or -1 when the capture could
 * not be read or its temporary files failed (cf->error says why; the check
 * is then an error, exit 2).
 */
int check_run_file(struct check_file *cf, const char *path, const char *filter, const struct engine_config *ecfg,
		   const struct check_config *cfg);
/* The same over n files read as the parts of one capture (report_run_files). */
int check_run_files(struct check_file *cf, const char *const *paths, size_t n, const char *filter,
		    const struct engine_config *ecfg, const struct check_config *cfg);
/* A fault of cf's temporary files so far, writing the verdicts included (report_fault); 0 if none. */
int check_file_fault(const struct check_file *cf, char *msg, size_t len);
void check_file_free(struct check_file *cf);

/* The next finding of a report reader (report_read_findings) that fails the policy, or NULL. */
const struct finding *check_next_denied(const struct check_policy *p, struct report_reader *rd);

#endif
