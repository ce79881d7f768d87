/*
 * main.c - the tcpscope program: finds the command word, has the options
 * parsed (options.c) and dispatches to a command (report, packets, explain,
 * ...) or, with a capture file and a terminal, to the interactive UI. Every
 * command shares the engine options. Exit codes: 0 success, 1 check failed,
 * 2 usage or input error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture-map.h"
#include "commands.h"

#define DEFAULT_THREADS_MAX 8 /* past this, every thread reading every record outweighs its share */

/* One analysis thread per CPU, up to DEFAULT_THREADS_MAX. */
static uint32_t default_threads(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 1 ? 1 : cpus > DEFAULT_THREADS_MAX ? DEFAULT_THREADS_MAX : (uint32_t)cpus;
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
	/* The program owns signals: mapped captures end with an error, not SIGBUS, when cut short (capture-map.h). */
	file_map_guard_sigbus();
	struct options o;
	memset(&o, 0, sizeof o);
	engine_config_default(&o.engine);
	o.threads = default_threads();
	o.live.capture.promiscuous = true;
	o.ui_limits = (struct model_limits){MODEL_DEFAULT_MAX_PACKETS, MODEL_DEFAULT_MAX_HISTORY};

	const struct command *cmd = NULL;
	if (argc > 1)
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				cmd = &commands[i];
	int shift = cmd ? 1 : 0;
	o.command = cmd ? cmd->name : NULL;
	int rc = options_parse(argc - shift, argv + shift, &o);
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
		options_usage(stderr);
		return 2;
	}
	return cmd_default(&o);
}
