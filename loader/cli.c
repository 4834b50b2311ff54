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

/* The help texts: the overview, then one a command, in commands[] order. */
static const char help_overview[] =
"Usage: pmdstat [OPTIONS] [INTERVAL [COUNT]]\n"
"       pmdstat [OPTIONS] COMMAND [ARGS...]\n"
"\n"
"Hugetlb PMD page-table sharing statistics from the pmdstat module: share\n"
"and unshare calls, their outcomes and latency, the locks they take\n"
"(i_mmap_rwsem, hugetlb vma locks) and what the race detector saw.\n"
"\n"
"Commands:\n"
"  stats      the report (the default); --backend bpf: from pmdstat-bpf\n"
"  events     the logged lock waits and holds, with their stacks\n"
"  live       the tasks waiting for or holding a tracked lock now\n"
"  attach     report what one command or process did, and nothing else\n"
"  record     append each interval's stats to a file\n"
"  report     the sum of a recording\n"
"  heatmap    one histogram of a recording over time, as an SVG picture\n"
"  help CMD   the help of a command (the same as: pmdstat CMD --help)\n"
"\n"
"Common options:\n"
"      --hist            draw the histograms as log2 bars, not percentiles\n"
"  -j, --json            JSON, one object per line per report\n"
"      --prom            the Prometheus text format\n"
"  -T, --timestamp       print a timestamp (HH:MM:SS) with each report\n"
"  -f, --file=FILE       read a saved debugfs file instead (-: stdin)\n"
"  -D, --debugfs=DIR     the module's files (default " PMDSTAT_DEBUGFS_DIR ")\n"
"      --backend=NAME    module (the default) or bpf (see pmdstat stats -h)\n"
"  -h, --help            show this help; -V, --version: the version\n"
"\n"
"Examples:\n"
"  pmdstat                  # totals since the module was loaded or reset\n"
"  pmdstat 1 5              # five 1-second intervals\n"
"  pmdstat --hist           # the totals with log2 histogram bars\n"
"  pmdstat attach -- ./repro     # what ./repro alone did\n"
"  pmdstat record 1 60 -o run.rec && pmdstat report run.rec\n"
"\n"
"The debugfs files are root-only.  Exit status: 0 success, 1 runtime\n"
"error, 2 usage error.  See pmdstat(8).\n";

static const char help_stats[] =
"Usage: pmdstat [stats] [OPTIONS] [INTERVAL [COUNT]]\n"
"       pmdstat [stats] --backend bpf [OPTIONS] [-d SECS | [--] CMD [ARGS...]]\n"
"\n"
"The report since the module was loaded or reset: the probe sites with\n"
"their calls and outcomes; count, p50, p90, p99 and max of each histogram;\n"
"lock acquisitions, callers by wait + hold time, the longest waits and\n"
"holds with their stacks; the race detector's findings.  With INTERVAL,\n"
"the differences over each INTERVAL seconds, COUNT times (default: until\n"
"Ctrl-C).  A percentile is interpolated linearly within the log2 (or finer)\n"
"bucket that holds it, and never above the histogram's max.\n"
"\n"
"Options:\n"
"      --hist            draw each histogram as bcc-style log2 bars\n"
"  -n, --top=N           rows of the caller table (default 10; 0: all)\n"
"  -i, --interval=SECS   the same as INTERVAL\n"
"  -T, --timestamp       print a timestamp with each report\n"
"  -j, --json            JSON: every histogram with its buckets\n"
"      --prom            the Prometheus text format (one report)\n"
"      --reset           zero the module's counters; alone: reset and exit\n"
"      --threshold=US    log waits and holds of US microseconds or more in\n"
"                        the event log (0 to 60000000; 0: off)\n"
"  -f, --file=FILE       a saved stats file, or pmdstat-bpf -o FILE's\n"
"  -D, --debugfs=DIR     the module's debugfs directory\n"
"      --backend=NAME    module (the default) or bpf: one run of pmdstat-bpf\n"
"                        (no module needed; no vma locks, races or events)\n"
"  -d, --duration=SECS   --backend bpf: measure SECS seconds (1 to 86400;\n"
"                        default 5), or while CMD runs, exiting with its status\n"
"\n"
"Examples:\n"
"  pmdstat                  # totals since load or reset\n"
"  pmdstat 1                # the differences every second, until Ctrl-C\n"
"  pmdstat -T 5 3           # three 5-second intervals, with timestamps\n"
"  pmdstat --hist -n 0      # histogram bars, every caller\n"
"  pmdstat --reset 10       # zero the counters, then report every 10 s\n"
"  pmdstat --prom > /var/lib/node_exporter/textfile/pmdstat.prom\n"
"  pmdstat --backend bpf -d 10       # 10 seconds of pmdstat-bpf\n"
"  pmdstat --backend bpf -j -- ./repro\n";

static const char help_events[] =
"Usage: pmdstat events [OPTIONS]\n"
"\n"
"The event log: each wait for or hold of a tracked lock that lasted at\n"
"least the threshold (pmdstat --threshold US), with its stack.\n"
"\n"
"Options:\n"
"  -j, --json            one JSON object\n"
"  -T, --timestamp       print a timestamp first\n"
"  -f, --file=FILE       a saved events file (-: stdin)\n"
"  -D, --debugfs=DIR     the module's debugfs directory\n"
"\n"
"Examples:\n"
"  pmdstat --threshold 1000 # log every wait or hold of 1 ms or more\n"
"  pmdstat events           # the logged waits and holds, with stacks\n"
"  pmdstat events -j        # the same as JSON\n"
"  pmdstat --threshold 0    # stop logging\n";

static const char help_live[] =
"Usage: pmdstat live [OPTIONS] [INTERVAL [COUNT]]\n"
"\n"
"The tasks that wait for or hold a tracked lock (i_mmap_rwsem of a hugetlb\n"
"file, a hugetlb vma lock) or run huge_pmd_share right now, oldest first.\n"
"With INTERVAL, again every INTERVAL seconds, COUNT times (default: until\n"
"Ctrl-C).\n"
"\n"
"Options:\n"
"  -i, --interval=SECS   the same as INTERVAL\n"
"  -j, --json            one JSON object per line\n"
"  -T, --timestamp       print a timestamp with each view\n"
"  -f, --file=FILE       a saved live file (-: stdin)\n"
"  -D, --debugfs=DIR     the module's debugfs directory\n"
"\n"
"Examples:\n"
"  pmdstat live             # who waits for or holds a tracked lock now\n"
"  pmdstat live 1           # the same every second, until Ctrl-C\n"
"  pmdstat live -j 1 10     # ten views as JSON, a second apart\n";

static const char help_attach[] =
"Usage: pmdstat attach [OPTIONS] [--] CMD [ARGS...]\n"
"       pmdstat attach [OPTIONS] -p PID [-d SECS]\n"
"\n"
"Report what one command did (with every process and thread it starts, in\n"
"a cgroup v2 of its own) or one running process (all its threads), and\n"
"nothing else: reset the module, set its filter, report when the command\n"
"ends (or -d SECS pass, or Ctrl-C), clear the filter.  The options after\n"
"CMD are its own.\n"
"\n"
"Options:\n"
"  -p, --pid=PID         a running process instead of a command\n"
"  -d, --duration=SECS   with -p: stop after SECS seconds\n"
"  -i, --interval=SECS   also report every SECS seconds\n"
"  -o, --output=FILE     with -i: record each interval to FILE too\n"
"      --hist, -n N, -T, -j, --prom, --threshold=US, -D DIR: as for stats\n"
"\n"
"Exit status: CMD's (128 + N if signal N killed it, 127 if it could not\n"
"run), or 1 if CMD succeeded and pmdstat failed.  With -j or --prom, CMD's\n"
"standard output goes to standard error.  Needs root (it makes a cgroup\n"
"under /sys/fs/cgroup).\n"
"\n"
"Examples:\n"
"  pmdstat attach -- pmdstat-repro -s scan -p 8\n"
"  pmdstat attach -i 1 -o run.rec -- ./repro --big\n"
"  pmdstat -j attach -- ./repro     # the report as one JSON object\n"
"  pmdstat attach -p 1234 -d 30     # process 1234 for 30 seconds\n";

static const char help_record[] =
"Usage: pmdstat record [OPTIONS] INTERVAL [COUNT] -o FILE\n"
"\n"
"Append each INTERVAL seconds' stats to FILE: a line \"record t=MS\n"
"interval=MS\" (t: ms since the start), then the stats in the format of\n"
"the stats file.  Stops after COUNT intervals, -d SECS or Ctrl-C.  pmdstat\n"
"report and pmdstat heatmap read the recording.\n"
"\n"
"Options:\n"
"  -o, --output=FILE     the recording (appended to; -: stdout)\n"
"  -d, --duration=SECS   stop after SECS seconds\n"
"  -i, --interval=SECS   the same as INTERVAL\n"
"      --reset           zero the module's counters first\n"
"  -T, -j, --threshold=US, -D DIR: as for stats\n"
"\n"
"Examples:\n"
"  pmdstat record 1 60 -o run.rec      # sixty 1-second intervals\n"
"  pmdstat record 1 -d 60 -o run.rec   # the same, by time\n"
"  pmdstat report run.rec              # their sum\n"
"  pmdstat heatmap run.rec --hist share_ns -o share.svg\n";

static const char help_report[] =
"Usage: pmdstat report [OPTIONS] FILE\n"
"\n"
"The report of a recording of pmdstat record (FILE; -: stdin): every\n"
"counter and histogram summed over its intervals.\n"
"\n"
"Options:\n"
"      --hist            draw each histogram as bcc-style log2 bars\n"
"  -n, --top=N           rows of the caller table (default 10; 0: all)\n"
"  -j, --json            one JSON object\n"
"      --prom            the Prometheus text format\n"
"\n"
"Examples:\n"
"  pmdstat report run.rec          # the report summed over the recording\n"
"  pmdstat report --hist run.rec   # with histogram bars\n"
"  pmdstat -j report run.rec       # the same as one JSON object\n"
"  pmdstat --prom report run.rec   # for node_exporter\n";

static const char help_heatmap[] =
"Usage: pmdstat heatmap FILE --hist NAME -o OUT.svg\n"
"\n"
"One histogram of a recording of pmdstat record (FILE; -: stdin) over\n"
"time, as an SVG picture: a column per interval, a row per log2 bucket,\n"
"coloured by count.\n"
"\n"
"Options:\n"
"      --hist=NAME       the histogram: a hist name= of the stats, e.g.\n"
"                        share_ns, unshare_ns, site:huge_pmd_share,\n"
"                        i_mmap_hold_ns.read, scan_vmas\n"
"  -o, --output=FILE     where the picture goes (-: stdout)\n"
"\n"
"Examples:\n"
"  pmdstat heatmap run.rec --hist share_ns -o share.svg\n"
"  pmdstat heatmap run.rec --hist i_mmap_hold_ns.read -o hold.svg\n";

enum {
	OPT_RESET = 256,
	OPT_THRESHOLD,
	OPT_HIST,
	OPT_PROM,
	OPT_BACKEND,
};

/*
 * --hist is a flag (draw the bars) everywhere but after heatmap, where it
 * names the histogram to draw: options() sets its has_arg for each scan.
 */
#define LONG_HIST	10
static struct option long_opts[] = {
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
	[LONG_HIST] = { "hist",	no_argument,	NULL, OPT_HIST },
	{ "file",	required_argument,	NULL, 'f' },
	{ "debugfs",	required_argument,	NULL, 'D' },
	{ "backend",	required_argument,	NULL, OPT_BACKEND },
	{ "pid",	required_argument,	NULL, 'p' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 },
};

#define SHORT_OPTS	":hVjTi:c:d:n:o:p:f:D:"

/* The options, as bits of which a command takes. */
enum {
	O_INTERVAL = 1 << 0, O_DURATION = 1 << 1, O_TIMESTAMP = 1 << 2,
	O_JSON = 1 << 3, O_PROM = 1 << 4, O_TOP = 1 << 5, O_RESET = 1 << 6,
	O_THRESHOLD = 1 << 7, O_OUTPUT = 1 << 8, O_PID = 1 << 9,
	O_HIST = 1 << 10, O_FILE = 1 << 11, O_DEBUGFS = 1 << 12,
};

static const struct {
	unsigned int bit;
	int opt;		/* of getopt_long */
	const char *name;
} opt_names[] = {
	{ O_INTERVAL, 'i', "-i/--interval" }, { O_DURATION, 'd', "-d/--duration" },
	{ O_TIMESTAMP, 'T', "-T/--timestamp" }, { O_JSON, 'j', "-j/--json" },
	{ O_PROM, OPT_PROM, "--prom" }, { O_TOP, 'n', "-n/--top" },
	{ O_RESET, OPT_RESET, "--reset" }, { O_THRESHOLD, OPT_THRESHOLD, "--threshold" },
	{ O_OUTPUT, 'o', "-o/--output" }, { O_PID, 'p', "-p/--pid" },
	{ O_HIST, OPT_HIST, "--hist" }, { O_FILE, 'f', "-f/--file" },
	{ O_DEBUGFS, 'D', "-D/--debugfs" },
};

#define O_MODULE	(O_RESET | O_THRESHOLD | O_DEBUGFS)

static const struct {
	const char *name;
	enum pmdstat_command cmd;
	unsigned int takes;
	const char *help;
} commands[] = {
	{ "stats", PMDSTAT_CMD_STATS, O_INTERVAL | O_DURATION | O_TIMESTAMP |
	  O_JSON | O_PROM | O_TOP | O_HIST | O_FILE | O_MODULE, help_stats },
	{ "events", PMDSTAT_CMD_EVENTS, O_TIMESTAMP | O_JSON | O_FILE | O_MODULE,
	  help_events },
	{ "live", PMDSTAT_CMD_LIVE, O_INTERVAL | O_TIMESTAMP | O_JSON | O_FILE |
	  O_MODULE, help_live },
	{ "attach", PMDSTAT_CMD_ATTACH, O_INTERVAL | O_DURATION | O_TIMESTAMP |
	  O_JSON | O_PROM | O_TOP | O_HIST | O_OUTPUT | O_PID | O_MODULE, help_attach },
	{ "record", PMDSTAT_CMD_RECORD, O_INTERVAL | O_DURATION | O_TIMESTAMP |
	  O_JSON | O_OUTPUT | O_MODULE, help_record },
	{ "report", PMDSTAT_CMD_REPORT, O_JSON | O_PROM | O_TOP | O_HIST, help_report },
	{ "heatmap", PMDSTAT_CMD_HEATMAP, O_OUTPUT | O_HIST, help_heatmap },
};

struct parse_state {
	struct pmdstat_cli *cli;
	unsigned int given;	/* O_* bits */
	bool dashdash;		/* the last scan ended at "--" */
};

const char *pmdstat_help(const struct pmdstat_cli *cli)
{
	size_t i;

	for (i = 0; cli->cmd_given && i < ARRAY_SIZE(commands); i++)
		if (commands[i].cmd == cli->cmd)
			return commands[i].help;
	return help_overview;
}

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

const char *pmdstat_command_name(enum pmdstat_command cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "?";
}

static bool is_number(const char *arg)
{
	return *arg >= '0' && *arg <= '9';
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
	return usage(cli, "unknown command '%s': give stats, events, live, attach, record, report or heatmap (pmdstat --help lists them)",
		     arg);
}

/* pmdstat help [CMD] */
static enum pmdstat_cli_result parse_help(struct pmdstat_cli *cli, int argc,
					  char **argv)
{
	if (argc > 1)
		return usage(cli, "pmdstat help takes one command: pmdstat help CMD");
	if (argc && parse_command(cli, argv[0]))
		return PMDSTAT_CLI_USAGE;
	return PMDSTAT_CLI_HELP;
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
		return usage(cli, "-c/--count is gone (in libbpf-tools -c is a cgroup): use the positional count: pmdstat INTERVAL COUNT");
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
		if (optarg)
			cli->hist = optarg;
		else
			cli->bars = true;
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
 * getopt_long over argv (argv[0] is not looked at); stop at the first
 * non-option if posix.  Whether the scan ended at "--" (rather than at a
 * word) is seen from getopt's last step: it went over exactly one
 * argument, "--", that no option took as its value.
 */
static enum pmdstat_cli_result options(struct parse_state *ps, int argc, char **argv,
				       bool posix)
{
	enum pmdstat_cli_result rc = PMDSTAT_CLI_RUN;
	int opt, at;

	long_opts[LONG_HIST].has_arg = ps->cli->cmd_given &&
		ps->cli->cmd == PMDSTAT_CMD_HEATMAP ? required_argument : no_argument;
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

#define TWICE	"the interval twice: give INTERVAL or -i SECS, not both"

/*
 * The positional INTERVAL [COUNT] of stats, live and record, as bcc's
 * tools take them; options after them are scanned again (the last number
 * stands as argv[0] of that scan).  *pos and *nr_pos: what is left.
 */
static enum pmdstat_cli_result positional(struct parse_state *ps, char ***pos,
					  int *nr_pos)
{
	struct pmdstat_cli *cli = ps->cli;
	enum pmdstat_cli_result rc;
	char **p = *pos;
	int n = *nr_pos;

	if (!n || !is_number(p[0]))
		return PMDSTAT_CLI_RUN;
	if (ps->given & O_INTERVAL)
		return usage(cli, TWICE);
	rc = parse_long(cli, p[0], "interval", 1, INT_MAX, &cli->interval);
	p++;
	n--;
	if (!rc && n && is_number(p[0])) {
		rc = parse_long(cli, p[0], "count", 1, LONG_MAX, &cli->count);
		p++;
		n--;
	}
	if (!rc && n) {
		rc = options(ps, n + 1, p - 1, false);
		p += optind - 1;
		n -= optind - 1;
		if (!rc && (ps->given & O_INTERVAL))
			rc = usage(cli, TWICE);
	}
	*pos = p;
	*nr_pos = n;
	return rc;
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
			     pmdstat_command_name(cli->cmd), opt_names[i].name, who);
	}
	return PMDSTAT_CLI_RUN;
}

/* The checks that pmdstat had before attach and record, in their words. */
static enum pmdstat_cli_result check_classic(struct pmdstat_cli *cli)
{
	bool report = cli->cmd == PMDSTAT_CMD_STATS || cli->cmd == PMDSTAT_CMD_ATTACH ||
		      cli->cmd == PMDSTAT_CMD_REPORT;

	if (cli->cmd == PMDSTAT_CMD_EVENTS && cli->interval)
		return usage(cli, "-i/--interval is for the stats report and live; pmdstat events prints the log once");
	if (!report && cli->top_set)
		return usage(cli, "-n/--top sizes the caller table of the stats report");
	if (cli->file && cli->reset)
		return usage(cli, "--reset zeroes the module's counters; it cannot reset a saved file (-f)");
	if (cli->file && cli->threshold_set)
		return usage(cli, "--threshold sets the module's event threshold; it cannot change a saved file (-f)");
	if (cli->file && cli->interval)
		return usage(cli, "an interval reads the module again and again; a saved file (-f) does not change: drop the interval");
	if (cli->file && cli->dir_set)
		return usage(cli, "-f/--file and -D/--debugfs are two sources: give one");
	if (cli->json && cli->prom)
		return usage(cli, "-j/--json and --prom are two formats: give one");
	if (cli->prom && cli->interval)
		return usage(cli, "--prom prints one report, for a scraper to read; it cannot go with an interval");
	if (cli->bars && (cli->json || cli->prom))
		return usage(cli, "--hist draws the text report's bars; -j and --prom always have every bucket: drop --hist");
	return PMDSTAT_CLI_RUN;
}

#define ONCE	"an interval reads the module again and again; --backend bpf measures once: give -d SECS for how long, or -- CMD to measure while CMD runs"

/*
 * --backend bpf is one run of pmdstat-bpf: only the stats report, and
 * nothing that reads or changes the module.  -d, which says how long that
 * run is, means nothing to the module's stats report.
 */
static enum pmdstat_cli_result check_backend(struct pmdstat_cli *cli)
{
	if (cli->backend != PMDSTAT_BACKEND_BPF) {
		if (cli->cmd == PMDSTAT_CMD_STATS && cli->duration)
			return usage(cli, "-d/--duration with the stats report is for --backend bpf (how long pmdstat-bpf measures); for SECS seconds of the module, give: pmdstat SECS 1");
		return PMDSTAT_CLI_RUN;
	}
	if (cli->cmd != PMDSTAT_CMD_STATS)
		return usage(cli, "pmdstat %s does not take --backend bpf: only the stats report does (pmdstat --backend bpf [stats]); events, live, attach, record, report and heatmap need the module",
			     pmdstat_command_name(cli->cmd));
	if (cli->file)
		return usage(cli, "--backend bpf measures now and -f/--file reads a saved file: give one (pmdstat -f FILE renders a file of pmdstat-bpf -o FILE)");
	if (cli->dir_set)
		return usage(cli, "-D/--debugfs is where the module's files are; --backend bpf does not read them: drop -D");
	if (cli->reset)
		return usage(cli, "--reset zeroes the module's counters; --backend bpf counts from zero on every run: drop --reset");
	if (cli->threshold_set)
		return usage(cli, "--threshold sets the module's event log; --backend bpf has none: drop --threshold, or use the module");
	if (cli->interval)
		return usage(cli, ONCE);
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
	if (!dashdash && nr_pos && is_number(pos[0]))
		return usage(cli, ONCE);
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

static enum pmdstat_cli_result check_command(struct parse_state *ps, char **pos,
					     int nr_pos)
{
	struct pmdstat_cli *cli = ps->cli;
	enum pmdstat_cli_result rc;

	switch (cli->cmd) {
	case PMDSTAT_CMD_STATS:
		if (cli->backend == PMDSTAT_BACKEND_BPF)
			return check_bpf_command(cli, pos, nr_pos, ps->dashdash);
		/* fall through */
	case PMDSTAT_CMD_LIVE:
	case PMDSTAT_CMD_RECORD:
		rc = positional(ps, &pos, &nr_pos);
		if (rc)
			return rc;
		if (nr_pos && cli->cmd == PMDSTAT_CMD_STATS)
			return usage(cli, "unexpected argument '%s': give INTERVAL [COUNT] (to measure a command: pmdstat --backend bpf -- CMD, or pmdstat attach -- CMD)",
				     pos[0]);
		if (cli->cmd != PMDSTAT_CMD_RECORD)
			break;
		if (!cli->interval)
			return usage(cli, "pmdstat record needs INTERVAL: the length of each interval in seconds (pmdstat record 1 -o FILE)");
		if (!cli->output)
			return usage(cli, "pmdstat record needs -o FILE: where the intervals go (-: stdout)");
		break;
	case PMDSTAT_CMD_ATTACH:
		cli->argv = pos;
		cli->argc = nr_pos;
		return check_attach(cli);
	case PMDSTAT_CMD_REPORT:
	case PMDSTAT_CMD_HEATMAP:
		if (!nr_pos)
			return usage(cli, "pmdstat %s needs a FILE: a recording of pmdstat record -o FILE",
				     pmdstat_command_name(cli->cmd));
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
	if (nr_pos && cli->cmd == PMDSTAT_CMD_EVENTS && is_number(pos[0]))
		return usage(cli, "unexpected argument '%s': pmdstat events prints the log once, it takes no INTERVAL",
			     pos[0]);
	if (nr_pos)
		return usage(cli, "unexpected argument '%s'", pos[0]);
	return PMDSTAT_CLI_RUN;
}

/*
 * The command word at argv[0] and its options and arguments; a number
 * there is the stats report's INTERVAL.  *sub, *nsub: the arguments left.
 */
static enum pmdstat_cli_result command(struct parse_state *ps, int argc,
				       char **argv, char ***sub, int *nsub)
{
	struct pmdstat_cli *cli = ps->cli;
	enum pmdstat_cli_result rc;

	if (is_number(argv[0])) {
		/* the number is a positional: argv[-1] stands as argv[0] */
		argv--;
		argc++;
	} else if (!strcmp(argv[0], "help")) {
		return parse_help(cli, argc - 1, argv + 1);
	} else {
		rc = parse_command(cli, argv[0]);
		if (rc)
			return rc;
	}
	rc = options(ps, argc, argv, cli->cmd == PMDSTAT_CMD_ATTACH ||
		     cli->cmd == PMDSTAT_CMD_STATS);
	*sub = argv + optind;
	*nsub = argc - optind;
	return rc;
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
		rc = command(&ps, argc - optind, argv + optind, &sub, &nsub);
		if (rc)
			return rc;
	}
	/* again after the command: options may follow its INTERVAL [COUNT] */
	rc = check_backend(cli);
	if (!rc)
		rc = check_command(&ps, sub, nsub);
	if (!rc)
		rc = check_backend(cli);
	if (!rc)
		rc = check_classic(cli);
	if (!rc)
		rc = check_takes(&ps);
	return rc;
}
