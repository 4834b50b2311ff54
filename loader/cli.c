// SPDX-License-Identifier: GPL-2.0
/*
 * cli.c - pmdstat's command line (see cli.h).
 *
 * Options before the command are the global ones, options after it the
 * command's: both are parsed with getopt_long, the second time on the
 * arguments after the command word.  attach, and stats (for --backend
 * bpf), stop at their command's name, so that the command's own options
 * stay its own (with or without "--").  Without a command word, "--" ends
 * the global options and, with --backend bpf, what follows is the command
 * to run.  Which options a command takes is one table.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proc.h"
#include "cli.h"
#include "fields.h"
#include "source.h"

#define THRESHOLD_MAX_US	60000000	/* the module's limit: one minute */
#define TOP_DEFAULT	10

const char pmdstat_usage_text[] =
"Usage: pmdstat [-h] [-V] [-j | --prom] [-T] [-n N] [-i SECS [-c N]] [--reset]\n"
"               [--threshold US] [-f FILE | -D DIR] [stats | events | live]\n"
"       pmdstat [-j | --prom] [-n N] --backend bpf [-d SECS | -- CMD [ARGS...]]\n"
"       pmdstat [-j | --prom] attach [-i SECS [-o FILE]] [--] CMD [ARGS...]\n"
"       pmdstat [-j | --prom] attach [-i SECS [-o FILE]] -p PID [-d SECS]\n"
"       pmdstat record -i SECS [-c N] [-d SECS] -o FILE\n"
"       pmdstat [-j | --prom] report FILE\n"
"       pmdstat heatmap FILE --hist NAME -o OUT.svg\n"
"\n"
"Show hugetlb PMD page-table sharing statistics from the pmdstat module:\n"
"calls of the share and unshare sites, their outcomes, and their latency\n"
"as log2 histograms; and the locks they take (i_mmap_rwsem, hugetlb vma\n"
"locks): acquisitions, wait and hold times per caller and as histograms,\n"
"and the longest waits and holds with their stacks; and what the race\n"
"detector saw: shares overlapping unshares of the same file, and broken\n"
"lock rules or share counts, with their stacks.\n"
"\n"
"Without the module, --backend bpf makes the stats report from one run of\n"
"pmdstat-bpf (BPF kprobes): share and unshare calls, their outcomes and\n"
"latency, and the i_mmap_rwsem of huge_pmd_share, but no vma locks, races,\n"
"filters or events.\n"
"\n"
"Commands:\n"
"    stats       the report above (the default; the only command of\n"
"                --backend bpf)\n"
"    events      the event log: each wait or hold of at least the threshold\n"
"                (--threshold), with its stack\n"
"    live        the tasks waiting for or holding a tracked lock right now\n"
"    attach      record one command (run in a cgroup v2 of its own, with\n"
"                every process and thread it starts) or one running process\n"
"                (-p), and nothing else: reset the module, set its filter,\n"
"                report when the command ends, clear the filter\n"
"    record      append each interval's stats to FILE (a record line, then\n"
"                the stats text format), for report and heatmap\n"
"    report      the report of a recording: every counter and histogram\n"
"                summed over its intervals\n"
"    heatmap     one histogram of a recording over time, as an SVG picture:\n"
"                a column per interval, a row per log2 bucket\n"
"\n"
"Examples:\n"
"    pmdstat                   # totals since the module was loaded or reset\n"
"    pmdstat -i 1              # what happened in each 1 second interval\n"
"    pmdstat -i 5 -c 3 -T      # three 5 second intervals, with timestamps\n"
"    pmdstat -n 0              # every caller in the lock caller table\n"
"    pmdstat -j                # the totals as one JSON object\n"
"    pmdstat -j -i 1           # one JSON object per line, every second\n"
"    pmdstat --reset           # zero every counter and histogram\n"
"    pmdstat --reset -i 10     # zero them, then report every 10 seconds\n"
"    pmdstat --threshold 1000  # log every wait or hold of 1000 us or more\n"
"    pmdstat --threshold 0     # stop logging events\n"
"    pmdstat events            # the logged waits and holds, with stacks\n"
"    pmdstat events -j         # the event log as one JSON object\n"
"    pmdstat live              # who waits for or holds a tracked lock now\n"
"    pmdstat live -i 1         # the same every second, until Ctrl-C\n"
"    pmdstat -f stats.txt      # analyse a saved copy of the stats file\n"
"    pmdstat events -f ev.txt  # or of the events file\n"
"    pmdstat attach -- pmdstat-repro -s scan -p 8\n"
"                              # run the repro; report what it alone did\n"
"    pmdstat attach -i 1 -o run.rec -- ./repro --big\n"
"                              # the same, plus a report and a recorded\n"
"                              # interval every second while it runs\n"
"    pmdstat -j attach -- ./repro   # the report as one JSON object\n"
"    pmdstat attach -p 1234 -d 30   # process 1234 (all its threads), 30 s\n"
"    pmdstat attach -p 1234    # the same until it exits or Ctrl-C\n"
"    pmdstat record -i 1 -d 60 -o run.rec\n"
"                              # an interval every second for a minute\n"
"    pmdstat report run.rec  # the report summed over the recording\n"
"    pmdstat -j report run.rec    # the same as one JSON object\n"
"    pmdstat heatmap run.rec --hist share_ns -o share.svg\n"
"                              # share latency over time\n"
"    pmdstat heatmap run.rec --hist i_mmap_hold_ns.read -o hold.svg\n"
"    pmdstat --prom > /var/lib/node_exporter/textfile/pmdstat.prom\n"
"                              # for node_exporter's textfile collector\n"
"                              # (write a temporary file and mv it, so\n"
"                              # that a scrape never sees half of it)\n"
"    pmdstat --prom report run.rec  # a recording's sums, the same way\n"
"    pmdstat --backend bpf -d 10    # 10 seconds measured by pmdstat-bpf,\n"
"                              # no module needed\n"
"    pmdstat --backend bpf -j -- ./repro\n"
"                              # while ./repro runs, as JSON\n"
"    pmdstat --backend bpf --prom -d 5\n"
"                              # 5 seconds, in the Prometheus format\n"
"\n"
"Options:\n"
"  -i, --interval=SECS   stats: print the differences every SECS seconds;\n"
"                        live: print the live view every SECS seconds;\n"
"                        record: the length of each recorded interval;\n"
"                        attach: also report every SECS seconds\n"
"  -c, --count=N         stop after N intervals (needs -i)\n"
"  -d, --duration=SECS   record, attach -p: stop after SECS seconds;\n"
"                        --backend bpf: measure SECS seconds (1 to 86400;\n"
"                        default 5, without -- CMD)\n"
"  -T, --timestamp       print a timestamp (HH:MM:SS) with each report\n"
"  -j, --json            print JSON, one object per line per report\n"
"      --prom            print the stats report (or report's sum, or\n"
"                        attach's report) in the Prometheus text format\n"
"  -n, --top=N           rows of the lock caller table (default 10; 0: all)\n"
"      --reset           zero the module's counters; alone: reset and exit\n"
"      --threshold=US    log each lock wait or hold of US microseconds or\n"
"                        more (0 to 60000000; 0: off); alone: set and exit\n"
"  -o, --output=FILE     record: append the intervals to FILE (-: stdout);\n"
"                        attach -i: record them to FILE too;\n"
"                        heatmap: write the SVG to FILE (-: stdout)\n"
"  -p, --pid=PID         attach: record only process PID and its threads\n"
"      --hist=NAME       heatmap: the histogram (share_ns, unshare_ns,\n"
"                        site:huge_pmd_share, i_mmap_hold_ns.read,\n"
"                        scan_vmas, ...: a hist name= of the stats)\n"
"  -f, --file=FILE       read a saved stats, events or live file instead of\n"
"                        debugfs (-: stdin)\n"
"  -D, --debugfs=DIR     the module's debugfs directory\n"
"                        (default " PMDSTAT_DEBUGFS_DIR ")\n"
"      --backend=NAME    where the stats report comes from: module (the\n"
"                        default: its debugfs files) or bpf (one run of\n"
"                        pmdstat-bpf, found next to pmdstat or in PATH,\n"
"                        for -d SECS or while -- CMD runs; needs root and\n"
"                        kernel BTF, not the module)\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"The debugfs files are root-only: run as root (attach creates a cgroup\n"
"under /sys/fs/cgroup too).  Ctrl-C ends -i, record and attach -p with a\n"
"last report; attach passes SIGINT and SIGTERM on to its command and\n"
"reports when the command ends.  An interval of record is a line\n"
"\"record t=MS interval=MS\" (t: ms since the start), then its stats in\n"
"the format of the stats file.  Exit status: 0 success, 1 runtime error,\n"
"2 usage error;\n"
"attach -- CMD exits with CMD's status (128 + N if signal N killed it, 127\n"
"if it could not run), or 1 if CMD succeeded and pmdstat failed;\n"
"--backend bpf -- CMD reports, then exits with CMD's status the same way.\n"
"If pmdstat-bpf itself fails, pmdstat exits with its status.  With -j or\n"
"--prom, the standard output of attach's or --backend bpf's CMD goes to\n"
"standard error, so that standard output holds only the report.\n";

enum {
	OPT_RESET = 256,
	OPT_THRESHOLD,
	OPT_HIST,
	OPT_PROM,
	OPT_BACKEND,
};

static const struct option long_opts[] = {
	{ "interval",	required_argument,	NULL, 'i' },
	{ "count",	required_argument,	NULL, 'c' },
	{ "duration",	required_argument,	NULL, 'd' },
	{ "timestamp",	no_argument,		NULL, 'T' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "prom",	no_argument,		NULL, OPT_PROM },
	{ "top",	required_argument,	NULL, 'n' },
	{ "reset",	no_argument,		NULL, OPT_RESET },
	{ "threshold",	required_argument,	NULL, OPT_THRESHOLD },
	{ "output",	required_argument,	NULL, 'o' },
	{ "pid",	required_argument,	NULL, 'p' },
	{ "hist",	required_argument,	NULL, OPT_HIST },
	{ "file",	required_argument,	NULL, 'f' },
	{ "debugfs",	required_argument,	NULL, 'D' },
	{ "backend",	required_argument,	NULL, OPT_BACKEND },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 },
};

#define SHORT_OPTS	":hVjTi:c:d:n:o:p:f:D:"

/* The options, as bits of which a command takes. */
enum {
	O_INTERVAL = 1 << 0, O_COUNT = 1 << 1, O_DURATION = 1 << 2,
	O_TIMESTAMP = 1 << 3, O_JSON = 1 << 4, O_PROM = 1 << 5, O_TOP = 1 << 6,
	O_RESET = 1 << 7, O_THRESHOLD = 1 << 8, O_OUTPUT = 1 << 9,
	O_PID = 1 << 10, O_HIST = 1 << 11, O_FILE = 1 << 12, O_DEBUGFS = 1 << 13,
};

static const struct {
	unsigned int bit;
	int opt;		/* of getopt_long */
	const char *name;
} opt_names[] = {
	{ O_INTERVAL, 'i', "-i/--interval" }, { O_COUNT, 'c', "-c/--count" },
	{ O_DURATION, 'd', "-d/--duration" }, { O_TIMESTAMP, 'T', "-T/--timestamp" },
	{ O_JSON, 'j', "-j/--json" }, { O_PROM, OPT_PROM, "--prom" },
	{ O_TOP, 'n', "-n/--top" }, { O_RESET, OPT_RESET, "--reset" },
	{ O_THRESHOLD, OPT_THRESHOLD, "--threshold" }, { O_OUTPUT, 'o', "-o/--output" },
	{ O_PID, 'p', "-p/--pid" }, { O_HIST, OPT_HIST, "--hist" },
	{ O_FILE, 'f', "-f/--file" }, { O_DEBUGFS, 'D', "-D/--debugfs" },
};

#define O_MODULE	(O_RESET | O_THRESHOLD | O_DEBUGFS)

static const struct {
	const char *name;
	enum pmdstat_command cmd;
	unsigned int takes;
} commands[] = {
	{ "stats", PMDSTAT_CMD_STATS, O_INTERVAL | O_COUNT | O_DURATION |
	  O_TIMESTAMP | O_JSON | O_PROM | O_TOP | O_FILE | O_MODULE },
	{ "events", PMDSTAT_CMD_EVENTS, O_TIMESTAMP | O_JSON | O_FILE | O_MODULE },
	{ "live", PMDSTAT_CMD_LIVE, O_INTERVAL | O_COUNT | O_TIMESTAMP | O_JSON |
	  O_FILE | O_MODULE },
	{ "attach", PMDSTAT_CMD_ATTACH, O_INTERVAL | O_DURATION | O_TIMESTAMP |
	  O_JSON | O_PROM | O_TOP | O_OUTPUT | O_PID | O_MODULE },
	{ "record", PMDSTAT_CMD_RECORD, O_INTERVAL | O_COUNT | O_DURATION |
	  O_TIMESTAMP | O_JSON | O_OUTPUT | O_MODULE },
	{ "report", PMDSTAT_CMD_REPORT, O_JSON | O_PROM | O_TOP },
	{ "heatmap", PMDSTAT_CMD_HEATMAP, O_OUTPUT | O_HIST },
};

struct parse_state {
	struct pmdstat_cli *cli;
	unsigned int given;	/* O_* bits */
	bool dashdash;		/* the last scan ended at "--" */
};

__attribute__((format(printf, 2, 3)))
static enum pmdstat_cli_result usage(struct pmdstat_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cli->msg, sizeof(cli->msg), fmt, ap);
	va_end(ap);
	return PMDSTAT_CLI_USAGE;
}

/* A whole number in [min, max], or a usage error naming what it is. */
static enum pmdstat_cli_result parse_long(struct pmdstat_cli *cli, const char *arg,
					  const char *what, long min, long max,
					  long *val)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		return usage(cli, "invalid %s '%s': expected a whole number from %ld to %ld",
			     what, arg, min, max);
	*val = v;
	return PMDSTAT_CLI_RUN;
}

static enum pmdstat_cli_result parse_command(struct pmdstat_cli *cli, const char *arg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(arg, commands[i].name)) {
			cli->cmd = commands[i].cmd;
			cli->cmd_given = true;
			return PMDSTAT_CLI_RUN;
		}
	if (cli->backend == PMDSTAT_BACKEND_BPF)
		return usage(cli, "unknown command '%s': give stats, or a command to measure after \"--\": pmdstat --backend bpf -- CMD [ARGS...]",
			     arg);
	return usage(cli, "unknown command '%s': give stats, events, live, attach, record, report or heatmap",
		     arg);
}

static enum pmdstat_cli_result parse_backend(struct pmdstat_cli *cli, const char *arg)
{
	if (!strcmp(arg, "module"))
		cli->backend = PMDSTAT_BACKEND_MODULE;
	else if (!strcmp(arg, "bpf"))
		cli->backend = PMDSTAT_BACKEND_BPF;
	else
		return usage(cli, "invalid backend '%s': give module (the default: the pmdstat module) or bpf (pmdstat-bpf)",
			     arg);
	return PMDSTAT_CLI_RUN;
}

static unsigned int bit_of(int opt)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(opt_names); i++)
		if (opt_names[i].opt == opt)
			return opt_names[i].bit;
	return 0;
}

/* One option of getopt_long. */
static enum pmdstat_cli_result one_option(struct parse_state *ps, int opt,
					  char **argv)
{
	struct pmdstat_cli *cli = ps->cli;
	const char *bad = argv[optind - 1];

	ps->given |= bit_of(opt);
	switch (opt) {
	case 'i':
		return parse_long(cli, optarg, "interval", 1, INT_MAX, &cli->interval);
	case 'c':
		return parse_long(cli, optarg, "count", 1, LONG_MAX, &cli->count);
	case 'd':
		return parse_long(cli, optarg, "duration", 1, INT_MAX, &cli->duration);
	case 'p':
		return parse_long(cli, optarg, "pid", 1, PMDSTAT_PID_MAX, &cli->pid);
	case 'n':
		cli->top_set = true;
		return parse_long(cli, optarg, "top", 0, INT_MAX, &cli->top);
	case OPT_THRESHOLD:
		cli->threshold_set = true;
		return parse_long(cli, optarg, "threshold", 0, THRESHOLD_MAX_US,
				  &cli->threshold_us);
	case 'T':
		cli->timestamp = true;
		break;
	case 'j':
		cli->json = true;
		break;
	case OPT_PROM:
		cli->prom = true;
		break;
	case OPT_RESET:
		cli->reset = true;
		break;
	case 'o':
		cli->output = optarg;
		break;
	case OPT_HIST:
		cli->hist = optarg;
		break;
	case 'f':
		cli->file = optarg;
		break;
	case 'D':
		cli->dir = optarg;
		cli->dir_set = true;
		break;
	case OPT_BACKEND:
		return parse_backend(cli, optarg);
	case 'h':
		return PMDSTAT_CLI_HELP;
	case 'V':
		return PMDSTAT_CLI_VERSION;
	case ':':
		if (optopt && strncmp(bad, "--", 2))
			return usage(cli, "option '-%c' needs a value", optopt);
		return usage(cli, "option '%s' needs a value", bad);
	default:
		if (optopt && strncmp(bad, "--", 2))
			return usage(cli, "unknown option '-%c'", optopt);
		return usage(cli, "unknown option '%s'", bad);
	}
	return PMDSTAT_CLI_RUN;
}

/*
 * getopt_long over argv; stop at the first non-option if posix.  Whether
 * the scan ended at "--" (rather than at a word) is seen from getopt's
 * last step: it went over exactly one argument, "--", that no option took
 * as its value.
 */
static enum pmdstat_cli_result options(struct parse_state *ps, int argc, char **argv,
				       bool posix)
{
	enum pmdstat_cli_result rc = PMDSTAT_CLI_RUN;
	int opt, at;

	optind = 0;	/* a new scan, in GNU getopt's terms */
	opterr = 0;
	ps->dashdash = false;
	while (rc == PMDSTAT_CLI_RUN) {
		at = optind ? optind : 1;
		opt = getopt_long(argc, argv, posix ? "+" SHORT_OPTS : SHORT_OPTS,
				  long_opts, NULL);
		if (opt == -1) {
			ps->dashdash = optind == at + 1 && !strcmp(argv[at], "--");
			break;
		}
		rc = one_option(ps, opt, argv);
	}
	return rc;
}

static const char *command_name(enum pmdstat_command cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "?";
}

/* An option given that the command does not take: say which ones do. */
static enum pmdstat_cli_result check_takes(struct parse_state *ps)
{
	struct pmdstat_cli *cli = ps->cli;
	unsigned int takes = 0;
	char who[128];
	size_t i, k, n;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].cmd == cli->cmd)
			takes = commands[i].takes;
	for (i = 0; i < ARRAY_SIZE(opt_names); i++) {
		unsigned int bit = opt_names[i].bit;

		if (!(ps->given & bit) || (takes & bit))
			continue;
		who[0] = '\0';
		for (k = 0, n = 0; k < ARRAY_SIZE(commands) && n < sizeof(who); k++)
			if (commands[k].takes & bit)
				n += (size_t)snprintf(who + n, sizeof(who) - n, "%s%s",
						      n ? ", " : "", commands[k].name);
		return usage(cli, "pmdstat %s does not take %s (it is for: %s)",
			     command_name(cli->cmd), opt_names[i].name, who);
	}
	return PMDSTAT_CLI_RUN;
}

/* The checks that pmdstat had before attach and record, in their words. */
static enum pmdstat_cli_result check_classic(struct pmdstat_cli *cli)
{
	bool report = cli->cmd == PMDSTAT_CMD_STATS || cli->cmd == PMDSTAT_CMD_ATTACH ||
		      cli->cmd == PMDSTAT_CMD_REPORT;

	if (cli->count && !cli->interval)
		return usage(cli, "-c/--count needs -i/--interval");
	if (cli->cmd == PMDSTAT_CMD_EVENTS && cli->interval)
		return usage(cli, "-i/--interval is for the stats report and live; pmdstat events prints the log once");
	if (!report && cli->top_set)
		return usage(cli, "-n/--top sizes the caller table of the stats report");
	if (cli->file && cli->reset)
		return usage(cli, "--reset zeroes the module's counters; it cannot reset a saved file (-f)");
	if (cli->file && cli->threshold_set)
		return usage(cli, "--threshold sets the module's event threshold; it cannot change a saved file (-f)");
	if (cli->file && cli->interval)
		return usage(cli, "-i/--interval reads the module again and again; a saved file (-f) does not change");
	if (cli->file && cli->dir_set)
		return usage(cli, "-f/--file and -D/--debugfs are two sources: give one");
	if (cli->json && cli->prom)
		return usage(cli, "-j/--json and --prom are two formats: give one");
	if (cli->prom && cli->interval)
		return usage(cli, "--prom prints one report, for a scraper to read; it cannot go with -i/--interval");
	return PMDSTAT_CLI_RUN;
}

/*
 * --backend bpf is one run of pmdstat-bpf: only the stats report, and
 * nothing that reads or changes the module.  -d, which says how long that
 * run is, means nothing to the module's stats report.
 */
static enum pmdstat_cli_result check_backend(struct pmdstat_cli *cli)
{
	if (cli->backend != PMDSTAT_BACKEND_BPF) {
		if (cli->cmd == PMDSTAT_CMD_STATS && cli->duration)
			return usage(cli, "-d/--duration with the stats report is for --backend bpf (how long pmdstat-bpf measures); for SECS seconds of the module, give -i SECS -c 1");
		return PMDSTAT_CLI_RUN;
	}
	if (cli->cmd != PMDSTAT_CMD_STATS)
		return usage(cli, "pmdstat %s does not take --backend bpf: only the stats report does (pmdstat --backend bpf [stats]); events, live, attach, record, report and heatmap need the module",
			     command_name(cli->cmd));
	if (cli->file)
		return usage(cli, "--backend bpf measures now and -f/--file reads a saved file: give one (pmdstat -f FILE renders a file of pmdstat-bpf -o FILE)");
	if (cli->dir_set)
		return usage(cli, "-D/--debugfs is where the module's files are; --backend bpf does not read them: drop -D");
	if (cli->reset)
		return usage(cli, "--reset zeroes the module's counters; --backend bpf counts from zero on every run: drop --reset");
	if (cli->threshold_set)
		return usage(cli, "--threshold sets the module's event log; --backend bpf has none: drop --threshold, or use the module");
	if (cli->interval || cli->count)
		return usage(cli, "-i/--interval and -c/--count read the module again and again; --backend bpf measures once: give -d SECS for how long, or -- CMD to measure while CMD runs");
	if (cli->duration > PMDSTAT_BPF_DURATION_MAX)
		return usage(cli, "invalid duration '%ld' with --backend bpf: pmdstat-bpf measures from 1 to %d seconds",
			     cli->duration, PMDSTAT_BPF_DURATION_MAX);
	return PMDSTAT_CLI_RUN;
}

/*
 * stats --backend bpf [--] CMD: the command pmdstat-bpf runs and measures;
 * dashdash: the arguments came after "--".
 */
static enum pmdstat_cli_result check_bpf_command(struct pmdstat_cli *cli, char **pos,
						 int nr_pos, bool dashdash)
{
	cli->argv = pos;
	cli->argc = nr_pos;
	if (dashdash && !nr_pos)
		return usage(cli, "nothing after \"--\": give the command to measure (pmdstat --backend bpf -- CMD [ARGS...]), or -d SECS");
	if (nr_pos && cli->duration)
		return usage(cli, "-d/--duration and a command to run both say when to stop: give one (--backend bpf -- CMD measures until CMD exits)");
	return PMDSTAT_CLI_RUN;
}

static enum pmdstat_cli_result check_attach(struct pmdstat_cli *cli)
{
	if (!cli->argc && !cli->pid)
		return usage(cli, "pmdstat attach needs a command to run (pmdstat attach -- CMD [ARGS...]) or a process (pmdstat attach -p PID)");
	if (cli->argc && cli->pid)
		return usage(cli, "pmdstat attach takes a command to run or -p PID, not both");
	if (cli->duration && !cli->pid)
		return usage(cli, "-d/--duration is for attach -p PID: attach -- CMD runs until CMD exits");
	if (cli->output && !cli->interval)
		return usage(cli, "-o/--output with attach records each interval: give -i SECS too");
	if (cli->output && !strcmp(cli->output, "-"))
		return usage(cli, "attach prints its reports on stdout: give -o a file name");
	return PMDSTAT_CLI_RUN;
}

static enum pmdstat_cli_result check_command(struct pmdstat_cli *cli, char **pos,
					     int nr_pos, bool dashdash)
{
	const char *name = command_name(cli->cmd);

	switch (cli->cmd) {
	case PMDSTAT_CMD_STATS:
		if (cli->backend == PMDSTAT_BACKEND_BPF)
			return check_bpf_command(cli, pos, nr_pos, dashdash);
		if (nr_pos)
			return usage(cli, "unexpected argument '%s' (to measure a command: pmdstat --backend bpf -- CMD, or pmdstat attach -- CMD)",
				     pos[0]);
		break;
	case PMDSTAT_CMD_ATTACH:
		cli->argv = pos;
		cli->argc = nr_pos;
		return check_attach(cli);
	case PMDSTAT_CMD_RECORD:
		if (!cli->interval)
			return usage(cli, "pmdstat record needs -i SECS: the length of each interval");
		if (!cli->output)
			return usage(cli, "pmdstat record needs -o FILE: where the intervals go (-: stdout)");
		break;
	case PMDSTAT_CMD_REPORT:
	case PMDSTAT_CMD_HEATMAP:
		if (!nr_pos)
			return usage(cli, "pmdstat %s needs a FILE: a recording of pmdstat record -o FILE",
				     name);
		cli->input = pos[0];
		pos++;
		nr_pos--;
		if (cli->cmd == PMDSTAT_CMD_HEATMAP && !cli->hist)
			return usage(cli, "pmdstat heatmap needs --hist NAME: the histogram to draw (e.g. share_ns)");
		if (cli->cmd == PMDSTAT_CMD_HEATMAP && !cli->output)
			return usage(cli, "pmdstat heatmap needs -o OUT.svg: where the picture goes (-: stdout)");
		break;
	default:
		break;
	}
	if (nr_pos)
		return usage(cli, "unexpected argument '%s'", pos[0]);
	return PMDSTAT_CLI_RUN;
}

enum pmdstat_cli_result pmdstat_cli_parse(struct pmdstat_cli *cli, int argc,
					  char **argv)
{
	struct parse_state ps = { .cli = cli };
	enum pmdstat_cli_result rc;
	char **sub = argv + argc;
	int nsub = 0;

	memset(cli, 0, sizeof(*cli));
	cli->top = TOP_DEFAULT;
	cli->dir = PMDSTAT_DEBUGFS_DIR;

	/* the global options, up to the command word */
	rc = options(&ps, argc, argv, true);
	if (rc)
		return rc;
	if (ps.dashdash && cli->backend == PMDSTAT_BACKEND_BPF) {
		/* pmdstat --backend bpf -- CMD: no command word, CMD for stats */
		sub = argv + optind;
		nsub = argc - optind;
	} else if (optind < argc) {
		rc = parse_command(cli, argv[optind]);
		if (rc)
			return rc;
		/* the command's options: argv[0] of the scan is the command word */
		sub = argv + optind;
		nsub = argc - optind;
		rc = options(&ps, nsub, sub, cli->cmd == PMDSTAT_CMD_ATTACH ||
			     cli->cmd == PMDSTAT_CMD_STATS);
		if (rc)
			return rc;
		sub += optind;
		nsub -= optind;
	}
	rc = check_backend(cli);
	if (!rc)
		rc = check_classic(cli);
	if (!rc)
		rc = check_takes(&ps);
	if (!rc)
		rc = check_command(cli, sub, nsub, ps.dashdash);
	return rc;
}
