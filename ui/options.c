/*
 * options.c - the command line's options as one table: each option's names,
 * what kind of value it takes, the field of struct options it sets, and
 * (for numbers) its range and what the error says it takes. getopt_long's
 * tables are built from it, so an option is added in one place. Options
 * whose value depends on the command or needs parsing of its own (--format,
 * --shard, --flow, -w, --duration) have a function instead of a field.
 * The help text (options_usage) is here too, beside the table it describes.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "mem-alloc.h"
#include "report-run.h"
#include "shard-env.h"

enum option_kind {
	OPT_TEXT,    /* a const char * field: the value as written */
	OPT_FLAG,    /* a bool field set true */
	OPT_UNFLAG,  /* a bool field set false */
	OPT_LIST,    /* a char ** field, its int count at .count: repeatable */
	OPT_COUNT,   /* an unsigned field (4 or 8 bytes): a decimal number in [min, max] */
	OPT_SECONDS, /* an int64_t field of nanoseconds: a number of seconds, fractions allowed */
	OPT_CHOICE,  /* a const char * field: one of the words in choices */
	OPT_SPECIAL, /* parse() does it */
	OPT_HELP,
	OPT_VERSION,
};

struct option_spec {
	const char *name; /* the long name, or NULL */
	char letter;	  /* the short name, or 0 */
	enum option_kind kind;
	size_t field, size; /* where it goes in struct options */
	size_t also;	    /* a bool set true as well (so a command knows it was given), 0 for none */
	size_t count;	    /* OPT_LIST: the int that counts the list */
	unsigned long long min, max;
	const char *takes; /* OPT_COUNT, OPT_SECONDS and OPT_CHOICE: "NAME takes TAKES, not ARG" */
	const char *const *choices;
	int (*parse)(const char *arg, struct options *o); /* OPT_SPECIAL: 0, or the exit status after an error */
};

#define FIELD(f) .field = offsetof(struct options, f), .size = sizeof(((struct options *)NULL)->f)
#define ALSO(f) .also = offsetof(struct options, f)
#define STRINGIFY(x) #x
#define NUMBER_TEXT(x) STRINGIFY(x)

void options_usage(FILE *out)
{
	fputs("Usage: tcpscope [OPTIONS] FILE            analyse a capture (UI on a terminal, report otherwise)\n"
	      "       tcpscope [OPTIONS] --join FILE...   the same over files that are parts of one capture\n"
	      "       tcpscope report [OPTIONS] FILE...   capture summary, flows and findings\n"
	      "       tcpscope packets [--flow ID|--where EXPR] [OPTIONS] FILE\n"
	      "                                           one JSON line per TCP packet\n"
	      "       tcpscope extract --flow ID|--where EXPR -w OUT [OPTIONS] FILE...\n"
	      "                                           the flows' frames, unchanged, into OUT (pcap or .pcapng);\n"
	      "                                           FILE... with --join: the parts of one capture\n"
	      "       tcpscope timeline --flow ID [--width N] [OPTIONS] FILE\n"
	      "                                           a flow's ladder diagram as plain text\n"
	      "       tcpscope explain CODE | --list | --markdown\n"
	      "                                           what a finding means; the catalogue\n"
	      "       tcpscope check [--expect FILE] [--script FILE [--flow SEL]] [--fail-on SEV]\n"
	      "                      [--allow CODE] [--deny CODE] [--format text|json|junit] FILE...\n"
	      "                                           pass or fail captures in CI (docs/ci.md)\n"
	      "       tcpscope merge SHARD.json...        the JSON reports of --shard 1/N ... N/N as one\n"
	      "       tcpscope -i IFACE [OPTIONS]         capture live (UI on a terminal, JSON Lines otherwise)\n"
	      "       tcpscope -D                         list the interfaces to capture on\n"
	      "\n"
	      "Options:\n"
	      "  -r FILE               read this capture (pcap or pcapng, gzip or zstd compressed or\n"
	      "                        not; - for stdin)\n"
	      "  -f, --filter EXPR     BPF filter (tcpdump syntax) applied to the capture\n"
	      "      --format FMT      text or json (check: also junit)\n"
	      "      --msl SECONDS     maximum segment lifetime; TIME-WAIT lasts 2*MSL (default 30)\n"
	      "      --verify-checksums  check TCP checksums (off: offload makes them wrong)\n"
	      "      --join            the files named are the parts of one capture (a rotated set,\n"
	      "                        editcap -c pieces), in any order: read merged by timestamp\n"
	      "      --shard I/N       analyse only the flows in shard I of N (1-based); auto[/N]: I (and N)\n"
	      "                        from Kubernetes, Slurm or GNU parallel (docs/scale.md)\n"
	      "      --threads N       (report, check) split the flows over N threads (default: one\n"
	      "                        per CPU, at most 8; 1 for none)\n"
	      "      --max-findings-per-flow N  findings of each severity kept per flow (default 100;\n"
	      "                        0 no limit); the rest are counted as findings_dropped\n"
	      "      --where EXPR      (report, packets, extract) only the flows EXPR selects, e.g. 'retx > 0',\n"
	      "                        'conn_state in REJ,S0', 'host 10.0.0.1 and port 443' (docs/ci.md)\n"
	      "      --flow ID         (packets, extract) only this flow; (check) the flow of --script: ID,\n"
	      "                        'port N', 'client ADDR[:PORT]', ... (default: the only flow)\n"
	      "      --expect FILE     (check) expectations that must hold (docs/ci.md)\n"
	      "      --script FILE     (check) the exchange one flow must show, or a packetdrill script\n"
	      "      --sut ADDR|client|server  (check) the system under test of a packetdrill script\n"
	      "                        (default: from its --local_ip or its listen/connect calls)\n"
	      "      --strict-segments (check) a packetdrill line matches one segment, not a TSO burst\n"
	      "      --peer-from-trace (check) the injected side's ISN and TS vals are the trace's, for a\n"
	      "                        capture packetdrill did not make\n"
	      "      --tolerance-usecs N, --tolerance-percent P  (check) a packetdrill script's timing\n"
	      "                        tolerance (default: the script's, else 4000 us and 0 %)\n"
	      "      --fail-on SEV     (check) fail on findings of this severity or above: error (default),\n"
	      "                        warning or note\n"
	      "      --allow CODE      (check) findings CODE (or PREFIX.*) never fail the check; repeatable\n"
	      "      --deny CODE       (check) findings CODE (or PREFIX.*) always fail the check; repeatable\n"
	      "      --width N         (timeline) columns of the ladder (default 100)\n"
	      "      --ascii           (UI, timeline) ASCII instead of UTF-8 line drawing\n"
	      "      --color WHEN      (UI) auto (default; off when NO_COLOR is set), always or never\n"
	      "\n"
	      "Live capture (docs/live.md):\n"
	      "  -i IFACE              capture on IFACE (\"any\": all); needs root or CAP_NET_RAW+CAP_NET_ADMIN\n"
	      "  -D                    list the interfaces\n"
	      "  -s SNAPLEN            bytes kept per packet (default 256, the headers; 262144 with -w)\n"
	      "  -B KiB                kernel capture buffer (default 8192)\n"
	      "  -p                    do not put the interface in promiscuous mode\n"
	      "  -w FILE               also save the packets (pcap, or pcapng if FILE ends in .pcapng)\n"
	      "  -c N                  stop after N packets\n"
	      "      --duration S      stop after S seconds\n"
	      "  -Z USER               drop root to USER once the capture is open\n"
	      "      --idle-timeout S  end flows idle for S seconds (live default 300; 0 never)\n"
	      "      --max-flows N     keep at most N flows, evicting the oldest idle or half-open\n"
	      "                        (live default 100000; 0 no limit)\n"
	      "      --ui-max-packets N  (live UI) keep the last N packets in memory, 32 bytes each\n"
	      "                        (default 2000000; 0 no limit, nor on the temporary file)\n"
	      "      --ui-max-history N  (live UI) keep at most N closed flows (default 100000; 0 no limit)\n"
	      "\n"
	      "  -h, --help            this help\n"
	      "  -V, --version         print the version\n"
	      "\n"
	      "Exit status: 0 success, 1 check failed, 2 usage or input error.\n",
	      out);
}

static bool is_check(const struct options *o)
{
	return o->command && strcmp(o->command, "check") == 0;
}

static int parse_format(const char *arg, struct options *o)
{
	if (strcmp(arg, "text") && strcmp(arg, "json") && !(is_check(o) && !strcmp(arg, "junit")))
		return cmd_usage_error("--format takes text or json%s, not \"%s\"", is_check(o) ? " or junit" : "",
				       arg);
	o->format = arg;
	return 0;
}

/* --shard I/N, or auto[/N] from a batch engine's environment (shard-env.h). */
static int parse_shard(const char *arg, struct options *o)
{
	unsigned i, n;
	char extra;
	if (strcmp(arg, "auto") == 0 || strncmp(arg, "auto/", 5) == 0) {
		char err[256];
		if (shard_from_environment(arg[4] ? arg + 5 : NULL, &o->engine.flows.shard_index,
					   &o->engine.flows.shard_count, err, sizeof err) != 0) {
			cmd_error(err);
			return 2;
		}
		return 0;
	}
	if (sscanf(arg, "%u/%u%c", &i, &n, &extra) != 2 || n == 0 || i == 0 || i > n)
		return cmd_usage_error("--shard takes I/N with 1 <= I <= N, or auto[/N], not \"%s\"", arg);
	o->engine.flows.shard_index = i - 1;
	o->engine.flows.shard_count = n;
	return 0;
}

/* A flow id; check takes any flow selector, which it parses itself. */
static int parse_flow(const char *arg, struct options *o)
{
	char *end;
	o->flow_arg = arg;
	if (is_check(o))
		return 0;
	o->flow_id = (uint32_t)strtoul(arg, &end, 10);
	if (*end || o->flow_id == 0)
		return cmd_usage_error("--flow takes a flow id (1, 2, ...), not \"%s\"", arg);
	return 0;
}

/* A decimal integer in [min, max]. */
static int parse_count(const char *arg, unsigned long long min, unsigned long long max, unsigned long long *out)
{
	char *end;
	if (*arg < '0' || *arg > '9')
		return -1;
	*out = strtoull(arg, &end, 10);
	return *end || *out < min || *out > max ? -1 : 0;
}

/* A non-negative number of seconds (fractions allowed) into nanoseconds. */
static int parse_seconds(const char *arg, int64_t *ns)
{
	char *end;
	double s = strtod(arg, &end);
	if (end == arg || *end || !(s >= 0) || s > 1e9)
		return -1;
	*ns = (int64_t)(s * 1e9);
	return 0;
}

static int parse_duration(const char *arg, struct options *o)
{
	int64_t ns;
	if (parse_seconds(arg, &ns) != 0 || ns == 0)
		return cmd_usage_error("--duration takes a number of seconds, not \"%s\"", arg);
	o->live.duration_ms = ns / 1000000 > 0 ? ns / 1000000 : 1;
	return 0;
}

/* -w: extract's output file, or live capture's copy of the packets. */
static int parse_write(const char *arg, struct options *o)
{
	if (o->command && strcmp(o->command, "extract") == 0)
		o->write_file = arg;
	else
		o->live.save_path = arg;
	return 0;
}

static const char *const color_choices[] = {"auto", "always", "never", NULL};

static const struct option_spec specs[] = {
	{NULL, 'r', OPT_TEXT, FIELD(read_file)},
	{"filter", 'f', OPT_TEXT, FIELD(filter)},
	{"format", 0, OPT_SPECIAL, .parse = parse_format},
	{"msl", 0, OPT_SECONDS, FIELD(engine.msl_ns), .takes = "a number of seconds"},
	{"verify-checksums", 0, OPT_FLAG, FIELD(engine.verify_checksums)},
	{"shard", 0, OPT_SPECIAL, .parse = parse_shard},
	{"join", 0, OPT_FLAG, FIELD(join)},
	{"threads", 0, OPT_COUNT, FIELD(threads), .min = 1, .max = REPORT_MAX_THREADS,
	 .takes = "a number from 1 to " NUMBER_TEXT(REPORT_MAX_THREADS)},
	{"flow", 0, OPT_SPECIAL, .parse = parse_flow},
	{"where", 0, OPT_TEXT, FIELD(where)},
	{"list", 0, OPT_FLAG, FIELD(list)},
	{"markdown", 0, OPT_FLAG, FIELD(markdown)},
	{"expect", 0, OPT_TEXT, FIELD(expect_file)},
	{"script", 0, OPT_TEXT, FIELD(script_file)},
	{"sut", 0, OPT_TEXT, FIELD(sut)},
	{"strict-segments", 0, OPT_FLAG, FIELD(strict_segments)},
	{"peer-from-trace", 0, OPT_FLAG, FIELD(peer_from_trace)},
	{"tolerance-usecs", 0, OPT_TEXT, FIELD(tolerance_usecs)},
	{"tolerance-percent", 0, OPT_TEXT, FIELD(tolerance_percent)},
	{"fail-on", 0, OPT_TEXT, FIELD(fail_on)},
	{"allow", 0, OPT_LIST, FIELD(allow), .count = offsetof(struct options, nallow)},
	{"deny", 0, OPT_LIST, FIELD(deny), .count = offsetof(struct options, ndeny)},
	{"interface", 'i', OPT_TEXT, FIELD(live.capture.device)},
	{"list-interfaces", 'D', OPT_FLAG, FIELD(list_interfaces)},
	{"snapshot-length", 's', OPT_COUNT, FIELD(live.capture.snaplen), .min = 1, .max = 262144,
	 .takes = "a snapshot length from 1 to 262144 bytes"},
	{"buffer-size", 'B', OPT_COUNT, FIELD(live.capture.buffer_kib), .min = 1, .max = 4 * 1024 * 1024,
	 .takes = "a buffer size in KiB"},
	{"no-promiscuous-mode", 'p', OPT_UNFLAG, FIELD(live.capture.promiscuous)},
	{NULL, 'w', OPT_SPECIAL, .parse = parse_write},
	{NULL, 'c', OPT_COUNT, FIELD(live.max_packets), .min = 1, .max = UINT64_MAX, .takes = "a number of packets"},
	{"relinquish-privileges", 'Z', OPT_TEXT, FIELD(live.user)},
	{"duration", 0, OPT_SPECIAL, .parse = parse_duration},
	{"idle-timeout", 0, OPT_SECONDS, FIELD(engine.idle_timeout_ns), ALSO(idle_timeout_set),
	 .takes = "a number of seconds"},
	{"max-flows", 0, OPT_COUNT, FIELD(engine.max_flows), ALSO(max_flows_set), .max = SIZE_MAX,
	 .takes = "a number of flows"},
	{"max-findings-per-flow", 0, OPT_COUNT, FIELD(engine.max_findings_per_flow), .max = UINT32_MAX,
	 .takes = "a number of findings"},
	{"width", 0, OPT_COUNT, FIELD(width), .min = 1, .max = 10000, .takes = "a number of columns"},
	{"ascii", 0, OPT_FLAG, FIELD(ascii)},
	{"color", 0, OPT_CHOICE, FIELD(color), .choices = color_choices, .takes = "auto, always or never"},
	{"ui-max-packets", 0, OPT_COUNT, FIELD(ui_limits.packets), ALSO(ui_limits_set), .max = 1ULL << 40,
	 .takes = "a number of packets"},
	{"ui-max-history", 0, OPT_COUNT, FIELD(ui_limits.history), ALSO(ui_limits_set), .max = UINT32_MAX,
	 .takes = "a number of flows"},
	{.name = "help", .letter = 'h', .kind = OPT_HELP},
	{.name = "version", .letter = 'V', .kind = OPT_VERSION},
};

#define NSPECS (sizeof specs / sizeof specs[0])

/* How the option is named in errors: its short name if it has one (-s), else --name. */
static void option_shown(const struct option_spec *s, char *buf, size_t len)
{
	if (s->letter)
		snprintf(buf, len, "-%c", s->letter);
	else
		snprintf(buf, len, "--%s", s->name);
}

static int value_error(const struct option_spec *s, const char *arg)
{
	char shown[64];
	option_shown(s, shown, sizeof shown);
	return cmd_usage_error("%s takes %s, not \"%s\"", shown, s->takes, arg);
}

/* Stores an unsigned number in a field of 4 or 8 bytes (its range is within the field's). */
static void store_unsigned(void *field, size_t size, unsigned long long v)
{
	if (size == sizeof(uint32_t)) {
		uint32_t narrow = (uint32_t)v;
		memcpy(field, &narrow, sizeof narrow);
	} else {
		uint64_t wide = v;
		memcpy(field, &wide, sizeof wide);
	}
}

static bool is_choice(const char *const *choices, const char *arg)
{
	for (; *choices; choices++)
		if (strcmp(*choices, arg) == 0)
			return true;
	return false;
}

/* Applies one option with its value (NULL for none); 0, or the exit status. */
static int apply(const struct option_spec *s, char *arg, struct options *o)
{
	char *field = (char *)o + s->field;
	unsigned long long n;
	int64_t ns;
	switch (s->kind) {
	case OPT_TEXT:
		memcpy(field, &arg, sizeof arg);
		break;
	case OPT_FLAG:
	case OPT_UNFLAG:
		*(bool *)(void *)field = s->kind == OPT_FLAG;
		break;
	case OPT_LIST: {
		char ***list = (char ***)(void *)field;
		int *count = (int *)(void *)((char *)o + s->count);
		*list = xrealloc(*list, (size_t)(*count + 1) * sizeof **list);
		(*list)[(*count)++] = arg;
		break;
	}
	case OPT_COUNT:
		if (parse_count(arg, s->min, s->max, &n) != 0)
			return value_error(s, arg);
		store_unsigned(field, s->size, n);
		break;
	case OPT_SECONDS:
		if (parse_seconds(arg, &ns) != 0)
			return value_error(s, arg);
		memcpy(field, &ns, sizeof ns);
		break;
	case OPT_CHOICE:
		if (!is_choice(s->choices, arg))
			return value_error(s, arg);
		memcpy(field, &arg, sizeof arg);
		break;
	case OPT_SPECIAL:
		return s->parse(arg, o);
	case OPT_HELP:
		options_usage(stdout);
		exit(0);
	case OPT_VERSION:
		printf("tcpscope %s\n", PACKAGE_VERSION);
		exit(0);
	}
	if (s->also)
		*(bool *)(void *)((char *)o + s->also) = true;
	return 0;
}

static bool takes_value(const struct option_spec *s)
{
	return s->kind != OPT_FLAG && s->kind != OPT_UNFLAG && s->kind != OPT_HELP && s->kind != OPT_VERSION;
}

int options_parse(int argc, char **argv, struct options *o)
{
	/* getopt_long's tables, built from specs: a long option's val is its index + 256. */
	struct option longopts[NSPECS + 1];
	char shortopts[2 * NSPECS + 2] = "+";
	size_t nlong = 0, nshort = 1;
	for (size_t i = 0; i < NSPECS; i++) {
		const struct option_spec *s = &specs[i];
		if (s->name)
			longopts[nlong++] = (struct option){s->name, takes_value(s) ? required_argument : no_argument,
							    NULL, (int)i + 256};
		if (s->letter) {
			shortopts[nshort++] = s->letter;
			if (takes_value(s))
				shortopts[nshort++] = ':';
		}
	}
	longopts[nlong] = (struct option){0};
	shortopts[nshort] = '\0';

	int c;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct option_spec *s = NULL;
		if (c >= 256)
			s = &specs[c - 256];
		for (size_t i = 0; !s && c != '?' && i < NSPECS; i++)
			if (specs[i].letter == c)
				s = &specs[i];
		if (!s) {
			fputs("Try 'tcpscope --help'.\n", stderr);
			return 2;
		}
		int rc = apply(s, optarg, o);
		if (rc != 0)
			return rc;
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->read_file && o->nargs == 0) {
		o->args = &o->read_file;
		o->nargs = 1;
	}
	return 0;
}
