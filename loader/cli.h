/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli.h - pmdstat's command line: the commands, their options, and the
 * checks of which go together, with messages that say what to give
 * instead.  Separate from main() so that the unit tests can run it.
 */
#ifndef PMDSTAT_CLI_H
#define PMDSTAT_CLI_H

#include <stdbool.h>

enum pmdstat_command {
	PMDSTAT_CMD_STATS,
	PMDSTAT_CMD_EVENTS,
	PMDSTAT_CMD_LIVE,
	PMDSTAT_CMD_ATTACH,
	PMDSTAT_CMD_RECORD,
	PMDSTAT_CMD_REPORT,
	PMDSTAT_CMD_HEATMAP,
};

/* Where the stats report's numbers come from (--backend). */
enum pmdstat_backend {
	PMDSTAT_BACKEND_MODULE,	/* the module's debugfs files (the default) */
	PMDSTAT_BACKEND_BPF,	/* one run of pmdstat-bpf */
};

/* pmdstat-bpf's limit of -d */
#define PMDSTAT_BPF_DURATION_MAX	86400

struct pmdstat_cli {
	enum pmdstat_command cmd;
	bool cmd_given;		/* named on the command line */
	enum pmdstat_backend backend;
	long interval;		/* seconds; 0: one report */
	long count;		/* intervals; 0: until Ctrl-C */
	long top;		/* rows of the caller table; 0: all */
	bool top_set;
	bool timestamp;
	bool bars;		/* --hist: draw the histograms as log2 bars */
	bool json;
	bool prom;
	bool reset;
	long threshold_us;
	bool threshold_set;
	const char *file;	/* -f: saved stats, events or live file, or NULL */
	const char *dir;	/* pmdstat debugfs directory */
	bool dir_set;
	const char *output;	/* -o: record's lines, heatmap's SVG ("-": stdout) */
	long pid;		/* attach -p; 0: none */
	long duration;		/* -d: seconds; 0: none (--backend bpf: its default) */
	const char *hist;	/* heatmap --hist NAME */
	const char *input;	/* report, heatmap: the recording ("-": stdin) */
	char **argv;		/* attach, --backend bpf: the command and its arguments,
				 * NULL-terminated */
	int argc;
	char msg[512];		/* why the command line is wrong */
};

enum pmdstat_cli_result {
	PMDSTAT_CLI_RUN,	/* go on */
	PMDSTAT_CLI_USAGE,	/* wrong: msg says why (exit 2) */
	PMDSTAT_CLI_HELP,	/* -h: print pmdstat_help(cli), exit 0 */
	PMDSTAT_CLI_VERSION,	/* -V */
};

/*
 * The help of the command named on the command line (pmdstat CMD --help,
 * pmdstat help CMD), or the overview (pmdstat --help).
 */
const char *pmdstat_help(const struct pmdstat_cli *cli);
/* "stats", "events", ... */
const char *pmdstat_command_name(enum pmdstat_command cmd);

/*
 * Parse argv into cli (defaults first).  argv's pointers may be reordered
 * (getopt), the strings are kept: cli points into them.
 */
enum pmdstat_cli_result pmdstat_cli_parse(struct pmdstat_cli *cli, int argc,
					  char **argv);

#endif /* PMDSTAT_CLI_H */
