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

static void usage(FILE *out)
{
	fputs("Usage: tcpscope [OPTIONS] FILE            analyse a capture (UI on a terminal, report otherwise)\n"
	      "       tcpscope report [OPTIONS] FILE...   capture summary, flows and findings\n"
	      "       tcpscope packets [--flow ID] [OPTIONS] FILE\n"
	      "                                           one JSON line per TCP packet\n"
	      "       tcpscope explain CODE | --list      what a finding means\n"
	      "\n"
	      "Options:\n"
	      "  -r FILE               read this capture (pcap or pcapng, - for stdin)\n"
	      "  -f, --filter EXPR     BPF filter (tcpdump syntax) applied to the capture\n"
	      "      --format FMT      text or json\n"
	      "      --msl SECONDS     maximum segment lifetime; TIME-WAIT lasts 2*MSL (default 30)\n"
	      "      --verify-checksums  check TCP checksums (off: offload makes them wrong)\n"
	      "      --shard I/N       analyse only the flows in shard I of N (1-based)\n"
	      "      --flow ID         (packets) only this flow\n"
	      "  -h, --help            this help\n"
	      "  -V, --version         print the version\n"
	      "\n"
	      "Exit status: 0 success, 1 check failed, 2 usage or input error.\n",
	      out);
}

static int parse_shard(const char *arg, struct options *o)
{
	unsigned i, n;
	char extra;
	if (sscanf(arg, "%u/%u%c", &i, &n, &extra) != 2 || n == 0 || i == 0 || i > n)
		return -1;
	o->engine.shard_index = i - 1;
	o->engine.shard_count = n;
	return 0;
}

enum {
	OPT_FORMAT = 256,
	OPT_MSL,
	OPT_VERIFY,
	OPT_SHARD,
	OPT_FLOW,
	OPT_LIST,
};

/* Parses options after the command word; leaves positional arguments in o. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"filter", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"msl", required_argument, NULL, OPT_MSL},
		{"verify-checksums", no_argument, NULL, OPT_VERIFY},
		{"shard", required_argument, NULL, OPT_SHARD},
		{"flow", required_argument, NULL, OPT_FLOW},
		{"list", no_argument, NULL, OPT_LIST},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "+r:f:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->read_file = optarg;
			break;
		case 'f':
			o->filter = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return cmd_usage_error("--format takes text or json, not \"%s\"", optarg);
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
		case OPT_SHARD:
			if (parse_shard(optarg, o) != 0)
				return cmd_usage_error("--shard takes I/N with 1 <= I <= N, not \"%s\"", optarg);
			break;
		case OPT_FLOW:
			o->flow_id = (uint32_t)strtoul(optarg, &end, 10);
			if (*end || o->flow_id == 0)
				return cmd_usage_error("--flow takes a flow id (1, 2, ...), not \"%s\"", optarg);
			break;
		case OPT_LIST:
			o->list = true;
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
	{"report", cmd_report},
	{"packets", cmd_packets},
	{"explain", cmd_explain},
};

int main(int argc, char **argv)
{
	struct options o;
	memset(&o, 0, sizeof o);
	engine_config_default(&o.engine);

	const struct command *cmd = NULL;
	if (argc > 1)
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				cmd = &commands[i];
	int shift = cmd ? 1 : 0;
	int rc = parse_options(argc - shift, argv + shift, &o);
	if (rc != 0)
		return rc;
	if (cmd)
		return cmd->run(&o);
	if (o.nargs == 0) {
		usage(stderr);
		return 2;
	}
	return cmd_default(&o);
}
