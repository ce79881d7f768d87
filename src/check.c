/*
 * check.c - runs one capture through the engine for `tcpscope check` and
 * judges it (check.h): the findings policy, every expectation, and the
 * script on the packets of the flow --flow selects. An extra sink watches
 * the run's packet views when there is a script or a `frame` expectation
 * (without one the engine builds no views, and a report may run in
 * threads). It copies the views of the frames the expectations name
 * (expect_frames), and feeds the script the first flow the selector
 * matches; the selector is counted again on the final flow summaries, so a
 * selector that matches no flow or several is reported rather than guessed.
 * A packetdrill script is fed every packet the selector matches instead
 * (its connections are its own to find: packetdrill.h).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "check.h"
#include "mem-alloc.h"
#include "report-run.h"

void check_policy_init(struct check_policy *p)
{
	memset(p, 0, sizeof *p);
	p->fail_on = SEV_ERROR;
}

void check_policy_free(struct check_policy *p)
{
	free(p->allow);
	free(p->deny);
	memset(p, 0, sizeof *p);
}

/* How specific the most specific matching pattern is: -1 none, INT_MAX an exact code, else the prefix length. */
static int best_match(char *const *patterns, size_t n, enum finding_id id)
{
	int best = -1;
	for (size_t i = 0; i < n; i++) {
		if (!expect_pattern_match(patterns[i], id))
			continue;
		size_t len = strlen(patterns[i]);
		int score = patterns[i][len - 1] == '*' ? (int)len - 1 : INT_MAX;
		if (score > best)
			best = score;
	}
	return best;
}

bool check_policy_denies(const struct check_policy *p, enum finding_id id)
{
	int deny = best_match(p->deny, p->ndeny, id), allow = best_match(p->allow, p->nallow, id);
	if (deny >= 0 || allow >= 0)
		return deny >= allow;
	return finding_info(id)->severity >= p->fail_on;
}

/* What the extra sink feeds: the script matcher (the selected flow's packets) and the frames to keep. */
struct check_watch {
	bool script;
	const struct expect_selector *sel;
	uint32_t flow_id;
	struct script_matcher matcher;
	struct packetdrill_matcher *packetdrill; /* instead of matcher, for a packetdrill script */
	struct expect_frames frames;
};

/* The flow identity of a packet, as a selector sees it. */
static void packet_identity(const struct packet_view *v, struct flow_summary *id)
{
	const struct packet *p = v->pkt;
	int client_is_src = !v->from_server;
	memset(id, 0, sizeof *id);
	id->id = v->flow_id;
	id->ip_version = p->ip_version;
	memcpy(id->addr[0], client_is_src ? p->src : p->dst, 16);
	memcpy(id->addr[1], client_is_src ? p->dst : p->src, 16);
	id->port[0] = client_is_src ? p->sport : p->dport;
	id->port[1] = client_is_src ? p->dport : p->sport;
}

static void watch_packet(void *ctx, const struct packet_view *v)
{
	struct check_watch *w = ctx;
	expect_frames_packet(&w->frames, v);
	if (!w->script || v->flow_id == 0)
		return;
	if (w->packetdrill) {
		struct flow_summary id;
		packet_identity(v, &id);
		if (expect_selector_match(w->sel, &id))
			packetdrill_matcher_packet(w->packetdrill, v);
		return;
	}
	if (w->flow_id == 0) {
		struct flow_summary id;
		packet_identity(v, &id);
		if (!expect_selector_match(w->sel, &id))
			return;
		w->flow_id = v->flow_id;
	}
	if (v->flow_id == w->flow_id)
		script_matcher_packet(&w->matcher, v);
}

/* Puts the script's verdict into cf, given how many flows the selector matches. */
static void finish_script(struct check_file *cf, const struct check_config *cfg, struct check_watch *w)
{
	cf->has_script = true;
	if (w->packetdrill) {
		packetdrill_matcher_finish(w->packetdrill, &cf->script, &cf->script_flows, &cf->script_flow_id);
		packetdrill_matcher_free(w->packetdrill);
		return;
	}
	struct report_reader rd;
	const struct flow_summary *s;
	report_read_flows(&cf->report, &rd);
	while ((s = report_next_flow(&rd)))
		cf->script_flows += expect_selector_match(&cfg->script_flow, s);
	report_reader_close(&rd);
	script_matcher_finish(&w->matcher);
	cf->script = w->matcher.result;
	if (cf->script_flows == 1) {
		cf->script_flow_id = w->flow_id;
		return;
	}
	struct script_result *r = &cf->script;
	memset(r, 0, sizeof *r);
	if (cf->script_flows == 0)
		snprintf(r->message, sizeof r->message, "--flow '%s' selects no flow (the capture has %zu)",
			 cfg->script_flow_text, cf->report.nflows);
	else
		snprintf(r->message, sizeof r->message,
			 "--flow '%s' selects %zu flows; a script is about one (choose with --flow ID)",
			 cfg->script_flow_text, cf->script_flows);
}

const struct finding *check_next_denied(const struct check_policy *p, struct report_reader *rd)
{
	const struct finding *f;
	while ((f = report_next_finding(rd)) && !check_policy_denies(p, f->id))
		continue;
	return f;
}

/* Counts the findings that fail the policy and keeps copies of them by flow. */
static void collect_denied(struct check_file *cf, const struct check_policy *p)
{
	struct report_reader rd;
	const struct finding *f;
	report_read_findings(&cf->report, &rd);
	while ((f = check_next_denied(p, &rd))) {
		spool_add(&cf->denied, (struct spool_key){f->flow, 0}, f);
		cf->ndenied++;
	}
	report_reader_close(&rd);
	spool_seal(&cf->denied);
	struct spool_reader denied;
	spool_reader_open(&denied, &cf->denied);
	for (uint32_t last = 0; (f = spool_reader_next(&denied)); last = f->flow)
		cf->denied_flows += cf->denied_flows == 0 || f->flow != last;
	spool_reader_close(&denied);
}

int check_run_file(struct check_file *cf, const char *path, const char *filter, const struct engine_config *ecfg,
		   const struct check_config *cfg)
{
	return check_run_files(cf, &path, 1, filter, ecfg, cfg);
}

int check_run_files(struct check_file *cf, const char *const *paths, size_t n, const char *filter,
		    const struct engine_config *ecfg, const struct check_config *cfg)
{
	char err[CAPTURE_ERRBUF_SIZE];
	struct check_watch watch = {.script = cfg->script != NULL, .sel = &cfg->script_flow};
	struct engine_sink sink = {.ctx = &watch, .packet = watch_packet};
	memset(cf, 0, sizeof *cf);
	report_init(&cf->report, paths[0]);
	spool_init(&cf->denied, sizeof(struct finding), report_memory_budget());
	if (cfg->script && cfg->script->packetdrill)
		watch.packetdrill = packetdrill_matcher_new(cfg->script->packetdrill, &cfg->packetdrill);
	else if (cfg->script)
		script_matcher_init(&watch.matcher, cfg->script);
	if (cfg->expect)
		expect_frames_init(&watch.frames, cfg->expect);
	bool watching = cfg->script || watch.frames.n > 0;
	if (report_run_files(&cf->report, paths, n, filter, ecfg, cfg->threads, watching ? &sink : NULL, err,
			     sizeof err) != 0) {
		expect_frames_free(&watch.frames);
		packetdrill_matcher_free(watch.packetdrill);
		cf->error = xstrdup(err);
		return -1;
	}
	collect_denied(cf, &cfg->policy);
	cf->pass = cf->ndenied == 0;
	if (cfg->expect) {
		cf->nresults = cfg->expect->count;
		cf->results = xcalloc(cf->nresults ? cf->nresults : 1, sizeof *cf->results);
		for (size_t i = 0; i < cf->nresults; i++) {
			expect_eval(&cfg->expect->items[i], &cf->report, &watch.frames, &cf->results[i]);
			cf->pass = cf->pass && cf->results[i].pass;
		}
	}
	expect_frames_free(&watch.frames);
	if (cfg->script) {
		finish_script(cf, cfg, &watch);
		cf->pass = cf->pass && cf->script.pass;
	}
	if (check_file_fault(cf, err, sizeof err)) {
		cf->error = xstrdup(err);
		return -1;
	}
	return 0;
}

int check_file_fault(const struct check_file *cf, char *msg, size_t len)
{
	int error = report_fault(&cf->report, msg, len);
	return error ? error : spool_fault(&cf->denied, msg, len);
}

void check_file_free(struct check_file *cf)
{
	for (size_t i = 0; i < cf->nresults; i++)
		expect_result_free(&cf->results[i]);
	free(cf->results);
	spool_free(&cf->denied);
	free(cf->error);
	report_free(&cf->report);
	memset(cf, 0, sizeof *cf);
}
