/*
 * main.c - the tcpscope program: parses the command line and dispatches to
 * a command (report, packets, explain, ...) or, with a capture file and a
 * terminal, to the interactive UI. Every command shares the engine options
 * parsed here. Exit codes: 0 success, 1 check failed, 2 usage or input error.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "file-map.h"
#include "report.h"
#include "shard-env.h"
#include "xalloc.h"

#define DEFAULT_THREADS_MAX 8 /* past this, every thread reading every record outweighs its share */

/* One analysis thread per CPU, up to DEFAULT_THREADS_MAX. */
static uint32_t default_threads(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 1 ? 1 : cpus > DEFAULT_THREADS_MAX ? DEFAULT_THREADS_MAX : (uint32_t)cpus;
}

static void usage(FILE *out)
{
	fputs("Usage: tcpscope [OPTIONS] FILE            analyse a capture (UI on a terminal, report otherwise)\n"
	      "       tcpscope [OPTIONS] --join FILE...   the same over files that are parts of one capture\n"
	      "       tcpscope report [OPTIONS] FILE...   capture summary, flows and findings\n"
	      "       tcpscope packets [--flow ID|--where EXPR] [OPTIONS] FILE\n"
	      "                                           one JSON line per TCP packet\n"
	      "       tcpscope extract --flow ID|--where EXPR -w OUT [OPTIONS] FILE\n"
	      "                                           the flows' frames, unchanged, into OUT (pcap or .pcapng)\n"
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

/* --shard I/N, or auto[/N] from a batch engine's environment (shard-env.h); -1 after printing why not. */
static int parse_shard(const char *arg, struct options *o)
{
	unsigned i, n;
	char extra;
	if (strcmp(arg, "auto") == 0 || strncmp(arg, "auto/", 5) == 0) {
		char err[256];
		if (shard_from_environment(arg[4] ? arg + 5 : NULL, &o->engine.shard_index, &o->engine.shard_count, err,
					   sizeof err) != 0) {
			cmd_error(err);
			return -1;
		}
		return 0;
	}
	if (sscanf(arg, "%u/%u%c", &i, &n, &extra) != 2 || n == 0 || i == 0 || i > n) {
		cmd_usage_error("--shard takes I/N with 1 <= I <= N, or auto[/N], not \"%s\"", arg);
		return -1;
	}
	o->engine.shard_index = i - 1;
	o->engine.shard_count = n;
	return 0;
}

enum {
	OPT_FORMAT = 256,
	OPT_MSL,
	OPT_VERIFY,
	OPT_SHARD,
	OPT_JOIN,
	OPT_THREADS,
	OPT_FLOW,
	OPT_LIST,
	OPT_MARKDOWN,
	OPT_EXPECT,
	OPT_SCRIPT,
	OPT_SUT,
	OPT_STRICT_SEGMENTS,
	OPT_PEER_FROM_TRACE,
	OPT_TOLERANCE_USECS,
	OPT_TOLERANCE_PERCENT,
	OPT_FAIL_ON,
	OPT_ALLOW,
	OPT_DENY,
	OPT_DURATION,
	OPT_IDLE_TIMEOUT,
	OPT_MAX_FLOWS,
	OPT_MAX_FINDINGS,
	OPT_WIDTH,
	OPT_ASCII,
	OPT_COLOR,
	OPT_UI_MAX_PACKETS,
	OPT_UI_MAX_HISTORY,
	OPT_WHERE,
};

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

/* A decimal integer in [min, max]. */
static int parse_count(const char *arg, unsigned long long min, unsigned long long max, unsigned long long *out)
{
	char *end;
	if (*arg < '0' || *arg > '9')
		return -1;
	*out = strtoull(arg, &end, 10);
	return *end || *out < min || *out > max ? -1 : 0;
}

static bool is_check(const struct options *o)
{
	return o->command && strcmp(o->command, "check") == 0;
}

/* Appends the value of a repeatable option to its list. */
static void push_arg(char ***list, int *n, char *arg)
{
	*list = xrealloc(*list, (size_t)(*n + 1) * sizeof **list);
	(*list)[(*n)++] = arg;
}

/* Parses options after the command word; leaves positional arguments in o. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"filter", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"msl", required_argument, NULL, OPT_MSL},
		{"verify-checksums", no_argument, NULL, OPT_VERIFY},
		{"shard", required_argument, NULL, OPT_SHARD},
		{"join", no_argument, NULL, OPT_JOIN},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"flow", required_argument, NULL, OPT_FLOW},
		{"where", required_argument, NULL, OPT_WHERE},
		{"list", no_argument, NULL, OPT_LIST},
		{"markdown", no_argument, NULL, OPT_MARKDOWN},
		{"expect", required_argument, NULL, OPT_EXPECT},
		{"script", required_argument, NULL, OPT_SCRIPT},
		{"sut", required_argument, NULL, OPT_SUT},
		{"strict-segments", no_argument, NULL, OPT_STRICT_SEGMENTS},
		{"peer-from-trace", no_argument, NULL, OPT_PEER_FROM_TRACE},
		{"tolerance-usecs", required_argument, NULL, OPT_TOLERANCE_USECS},
		{"tolerance-percent", required_argument, NULL, OPT_TOLERANCE_PERCENT},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"allow", required_argument, NULL, OPT_ALLOW},
		{"deny", required_argument, NULL, OPT_DENY},
		{"interface", required_argument, NULL, 'i'},
		{"list-interfaces", no_argument, NULL, 'D'},
		{"snapshot-length", required_argument, NULL, 's'},
		{"buffer-size", required_argument, NULL, 'B'},
		{"no-promiscuous-mode", no_argument, NULL, 'p'},
		{"relinquish-privileges", required_argument, NULL, 'Z'},
		{"duration", required_argument, NULL, OPT_DURATION},
		{"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
		{"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
		{"max-findings-per-flow", required_argument, NULL, OPT_MAX_FINDINGS},
		{"width", required_argument, NULL, OPT_WIDTH},
		{"ascii", no_argument, NULL, OPT_ASCII},
		{"color", required_argument, NULL, OPT_COLOR},
		{"ui-max-packets", required_argument, NULL, OPT_UI_MAX_PACKETS},
		{"ui-max-history", required_argument, NULL, OPT_UI_MAX_HISTORY},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;
	char *end;
	unsigned long long n;
	int64_t ns;
	while ((c = getopt_long(argc, argv, "+r:f:hVi:Ds:B:pw:c:Z:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->read_file = optarg;
			break;
		case 'f':
			o->filter = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json") &&
			    !(is_check(o) && !strcmp(optarg, "junit")))
				return cmd_usage_error("--format takes text or json%s, not \"%s\"",
						       is_check(o) ? " or junit" : "", optarg);
			o->format = optarg;
			break;
		case OPT_MSL: {
			double msl = strtod(optarg, &end);
			if (*end || msl < 0)
				return cmd_usage_error("--msl takes a number of seconds, not \"%s\"", optarg);
			o->engine.msl_ns = (int64_t)(msl * 1e9);
			break;
		}
		case OPT_VERIFY:
			o->engine.verify_checksums = true;
			break;
		case OPT_JOIN:
			o->join = true;
			break;
		case OPT_SHARD:
			if (parse_shard(optarg, o) != 0)
				return 2;
			break;
		case OPT_FLOW:
			o->flow_arg = optarg;
			if (is_check(o))
				break; /* check takes any flow selector, parsed by the command */
			o->flow_id = (uint32_t)strtoul(optarg, &end, 10);
			if (*end || o->flow_id == 0)
				return cmd_usage_error("--flow takes a flow id (1, 2, ...), not \"%s\"", optarg);
			break;
		case OPT_LIST:
			o->list = true;
			break;
		case OPT_MARKDOWN:
			o->markdown = true;
			break;
		case OPT_EXPECT:
			o->expect_file = optarg;
			break;
		case OPT_SCRIPT:
			o->script_file = optarg;
			break;
		case OPT_SUT:
			o->sut = optarg;
			break;
		case OPT_STRICT_SEGMENTS:
			o->strict_segments = true;
			break;
		case OPT_PEER_FROM_TRACE:
			o->peer_from_trace = true;
			break;
		case OPT_TOLERANCE_USECS:
			o->tolerance_usecs = optarg;
			break;
		case OPT_TOLERANCE_PERCENT:
			o->tolerance_percent = optarg;
			break;
		case OPT_FAIL_ON:
			o->fail_on = optarg;
			break;
		case OPT_ALLOW:
			push_arg(&o->allow, &o->nallow, optarg);
			break;
		case OPT_DENY:
			push_arg(&o->deny, &o->ndeny, optarg);
			break;
		case 'i':
			o->live.capture.device = optarg;
			break;
		case 'D':
			o->list_interfaces = true;
			break;
		case 's':
			if (parse_count(optarg, 1, 262144, &n) != 0)
				return cmd_usage_error("-s takes a snapshot length from 1 to 262144 bytes, not \"%s\"",
						       optarg);
			o->live.capture.snaplen = (int)n;
			break;
		case 'B':
			if (parse_count(optarg, 1, 4 * 1024 * 1024, &n) != 0)
				return cmd_usage_error("-B takes a buffer size in KiB, not \"%s\"", optarg);
			o->live.capture.buffer_kib = (int)n;
			break;
		case 'p':
			o->live.capture.promiscuous = false;
			break;
		case 'w':
			if (o->command && strcmp(o->command, "extract") == 0)
				o->write_file = optarg;
			else
				o->live.save_path = optarg;
			break;
		case OPT_WHERE:
			o->where = optarg;
			break;
		case 'c':
			if (parse_count(optarg, 1, UINT64_MAX, &n) != 0)
				return cmd_usage_error("-c takes a number of packets, not \"%s\"", optarg);
			o->live.max_packets = n;
			break;
		case 'Z':
			o->live.user = optarg;
			break;
		case OPT_DURATION:
			if (parse_seconds(optarg, &ns) != 0 || ns == 0)
				return cmd_usage_error("--duration takes a number of seconds, not \"%s\"", optarg);
			o->live.duration_ms = ns / 1000000 > 0 ? ns / 1000000 : 1;
			break;
		case OPT_IDLE_TIMEOUT:
			if (parse_seconds(optarg, &ns) != 0)
				return cmd_usage_error("--idle-timeout takes a number of seconds, not \"%s\"", optarg);
			o->engine.idle_timeout_ns = ns;
			o->idle_timeout_set = true;
			break;
		case OPT_THREADS:
			if (parse_count(optarg, 1, REPORT_MAX_THREADS, &n) != 0)
				return cmd_usage_error("--threads takes a number from 1 to %d, not \"%s\"",
						       REPORT_MAX_THREADS, optarg);
			o->engine.threads = (uint32_t)n;
			break;
		case OPT_MAX_FLOWS:
			if (parse_count(optarg, 0, SIZE_MAX, &n) != 0)
				return cmd_usage_error("--max-flows takes a number of flows, not \"%s\"", optarg);
			o->engine.max_flows = (size_t)n;
			o->max_flows_set = true;
			break;
		case OPT_MAX_FINDINGS:
			if (parse_count(optarg, 0, UINT32_MAX, &n) != 0)
				return cmd_usage_error("--max-findings-per-flow takes a number of findings, not \"%s\"",
						       optarg);
			o->engine.max_findings_per_flow = (uint32_t)n;
			break;
		case OPT_UI_MAX_PACKETS:
			if (parse_count(optarg, 0, 1ULL << 40, &n) != 0)
				return cmd_usage_error("--ui-max-packets takes a number of packets, not \"%s\"",
						       optarg);
			o->ui_limits.packets = n;
			o->ui_limits_set = true;
			break;
		case OPT_UI_MAX_HISTORY:
			if (parse_count(optarg, 0, UINT32_MAX, &n) != 0)
				return cmd_usage_error("--ui-max-history takes a number of flows, not \"%s\"", optarg);
			o->ui_limits.history = (uint32_t)n;
			o->ui_limits_set = true;
			break;
		case OPT_WIDTH:
			if (parse_count(optarg, 1, 10000, &n) != 0)
				return cmd_usage_error("--width takes a number of columns, not \"%s\"", optarg);
			o->width = (int)n;
			break;
		case OPT_ASCII:
			o->ascii = true;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never"))
				return cmd_usage_error("--color takes auto, always or never, not \"%s\"", optarg);
			o->color = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("tcpscope %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			fputs("Try 'tcpscope --help'.\n", stderr);
			return 2;
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->read_file && o->nargs == 0) {
		o->args = &o->read_file;
		o->nargs = 1;
	}
	return 0;
}

static const struct command {
	const char *name;
	int (*run)(struct options *o);
} commands[] = {
	{"report", cmd_report},	    {"packets", cmd_packets}, {"explain", cmd_explain}, {"check", cmd_check},
	{"timeline", cmd_timeline}, {"merge", cmd_merge},     {"extract", cmd_extract},
};

int main(int argc, char **argv)
{
	/* The program owns signals: mapped captures end with an error, not SIGBUS, when cut short (file-map.h). */
	file_map_guard_sigbus();
	struct options o;
	memset(&o, 0, sizeof o);
	engine_config_default(&o.engine);
	o.engine.threads = default_threads();
	o.live.capture.promiscuous = true;
	o.ui_limits = (struct model_limits){MODEL_DEFAULT_MAX_PACKETS, MODEL_DEFAULT_MAX_HISTORY};

	const struct command *cmd = NULL;
	if (argc > 1)
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				cmd = &commands[i];
	int shift = cmd ? 1 : 0;
	o.command = cmd ? cmd->name : NULL;
	int rc = parse_options(argc - shift, argv + shift, &o);
	if (rc != 0)
		return rc;
	const struct live_config *lc = &o.live;
	if (!lc->capture.device &&
	    (lc->save_path || lc->max_packets || lc->duration_ms || lc->user || lc->capture.snaplen ||
	     lc->capture.buffer_kib || !lc->capture.promiscuous || o.ui_limits_set))
		return cmd_usage_error("-s, -B, -p, -w, -c, --duration, -Z, --ui-max-packets and --ui-max-history are "
				       "for live capture: add -i IFACE");
	if (o.join && lc->capture.device)
		return cmd_usage_error("--join reads capture files: it does not go with -i");
	if (cmd)
		return cmd->run(&o);
	if (o.list_interfaces)
		return cmd_list_interfaces(&o);
	if (o.live.capture.device)
		return cmd_live(&o);
	if (o.nargs == 0) {
		usage(stderr);
		return 2;
	}
	return cmd_default(&o);
}
