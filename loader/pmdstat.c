// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat - report hugetlb PMD page-table sharing statistics collected by
 * the pmdstat kernel module (debugfs, format: docs/format.md).
 *
 * One report since the module was loaded (or last reset), or with -i the
 * differences over each interval; as text with bcc-style log2 histograms
 * and klockstat-style lock tables, or as JSON.  "pmdstat events" shows the
 * event log, "pmdstat live" who waits for or holds a tracked lock now.
 * -f reads a saved copy of a file instead.
 *
 * Exit status: 0 success, 1 runtime error, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "out.h"
#include "parse.h"
#include "render.h"
#include "source.h"

#ifndef PMDSTAT_VERSION
#define PMDSTAT_VERSION "0.1"
#endif

#define EXIT_USAGE	2
#define THRESHOLD_MAX_US	60000000	/* the module's limit: one minute */
#define TOP_DEFAULT	10

enum command {
	CMD_STATS,
	CMD_EVENTS,
	CMD_LIVE,
};

static struct env {
	enum command cmd;
	bool cmd_given;		/* named on the command line */
	long interval;		/* seconds; 0: one report */
	long count;		/* intervals; 0: until Ctrl-C */
	long top;		/* rows of the caller table; 0: all */
	bool top_set;
	bool timestamp;
	bool json;
	bool reset;
	long threshold_us;
	bool threshold_set;
	const char *file;	/* saved stats, events or live file, or NULL */
	const char *dir;	/* pmdstat debugfs directory */
	bool dir_set;
} env = {
	.top = TOP_DEFAULT,
	.dir = PMDSTAT_DEBUGFS_DIR,
};

static volatile sig_atomic_t exiting;

static const char usage_text[] =
"Usage: pmdstat [-h] [-V] [-j] [-T] [-n N] [-i SECS [-c N]] [--reset]\n"
"               [--threshold US] [-f FILE | -D DIR] [stats | events | live]\n"
"\n"
"Show hugetlb PMD page-table sharing statistics from the pmdstat module:\n"
"calls of the share and unshare sites, their outcomes, and their latency\n"
"as log2 histograms; and the locks they take (i_mmap_rwsem, hugetlb vma\n"
"locks): acquisitions, wait and hold times per caller and as histograms,\n"
"and the longest waits and holds with their stacks; and what the race\n"
"detector saw: shares overlapping unshares of the same file, and broken\n"
"lock rules or share counts, with their stacks.\n"
"\n"
"Commands:\n"
"    stats       the report above (the default)\n"
"    events      the event log: each wait or hold of at least the threshold\n"
"                (--threshold), with its stack\n"
"    live        the tasks waiting for or holding a tracked lock right now\n"
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
"\n"
"Options:\n"
"  -i, --interval=SECS   stats: print the differences every SECS seconds;\n"
"                        live: print the live view every SECS seconds\n"
"  -c, --count=N         stop after N intervals (needs -i)\n"
"  -T, --timestamp       print a timestamp (HH:MM:SS) with each report\n"
"  -j, --json            print JSON, one object per line per report\n"
"  -n, --top=N           rows of the lock caller table (default 10; 0: all)\n"
"      --reset           zero the module's counters; alone: reset and exit\n"
"      --threshold=US    log each lock wait or hold of US microseconds or\n"
"                        more (0 to 60000000; 0: off); alone: set and exit\n"
"  -f, --file=FILE       read a saved stats, events or live file instead of\n"
"                        debugfs (-: stdin)\n"
"  -D, --debugfs=DIR     the module's debugfs directory\n"
"                        (default " PMDSTAT_DEBUGFS_DIR ")\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"The debugfs files are root-only: run as root.  Exit status: 0 success,\n"
"1 runtime error, 2 usage error.\n";

enum {
	OPT_RESET = 256,
	OPT_THRESHOLD,
};

static const struct option long_opts[] = {
	{ "interval",	required_argument,	NULL, 'i' },
	{ "count",	required_argument,	NULL, 'c' },
	{ "timestamp",	no_argument,		NULL, 'T' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "top",	required_argument,	NULL, 'n' },
	{ "reset",	no_argument,		NULL, OPT_RESET },
	{ "threshold",	required_argument,	NULL, OPT_THRESHOLD },
	{ "file",	required_argument,	NULL, 'f' },
	{ "debugfs",	required_argument,	NULL, 'D' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 },
};

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pmdstat: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'pmdstat --help' for more information.\n");
	return EXIT_USAGE;
}

/* A whole number in [min, max], or a usage error naming the option. */
static int parse_long(const char *arg, const char *opt, long min, long max,
		      long *val)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		return usage_error("invalid %s '%s': expected a whole number from %ld to %ld",
				   opt, arg, min, max);
	*val = v;
	return 0;
}

static int parse_command(const char *arg)
{
	static const struct {
		const char *name;
		enum command cmd;
	} cmds[] = {
		{ "stats", CMD_STATS }, { "events", CMD_EVENTS }, { "live", CMD_LIVE },
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(arg, cmds[i].name)) {
			env.cmd = cmds[i].cmd;
			env.cmd_given = true;
			return 0;
		}
	return usage_error("unknown command '%s': give stats, events or live", arg);
}

static int parse_args(int argc, char **argv)
{
	int opt, err;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hVjTi:c:n:f:D:", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			err = parse_long(optarg, "interval", 1, INT_MAX, &env.interval);
			if (err)
				return err;
			break;
		case 'c':
			err = parse_long(optarg, "count", 1, LONG_MAX, &env.count);
			if (err)
				return err;
			break;
		case 'n':
			err = parse_long(optarg, "top", 0, INT_MAX, &env.top);
			if (err)
				return err;
			env.top_set = true;
			break;
		case 'T':
			env.timestamp = true;
			break;
		case 'j':
			env.json = true;
			break;
		case OPT_RESET:
			env.reset = true;
			break;
		case OPT_THRESHOLD:
			err = parse_long(optarg, "threshold", 0, THRESHOLD_MAX_US,
					 &env.threshold_us);
			if (err)
				return err;
			env.threshold_set = true;
			break;
		case 'f':
			env.file = optarg;
			break;
		case 'D':
			env.dir = optarg;
			env.dir_set = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case 'V':
			printf("pmdstat %s (stats format %d)\n", PMDSTAT_VERSION,
			       PMDSTAT_READER_FORMAT);
			exit(0);
		case ':':
			if (optopt && strncmp(argv[optind - 1], "--", 2))
				return usage_error("option '-%c' needs a value", optopt);
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt && strncmp(argv[optind - 1], "--", 2))
				return usage_error("unknown option '-%c'", optopt);
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		err = parse_command(argv[optind++]);
		if (err)
			return err;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (env.count && !env.interval)
		return usage_error("-c/--count needs -i/--interval");
	if (env.cmd == CMD_EVENTS && env.interval)
		return usage_error("-i/--interval is for the stats report and live; pmdstat events prints the log once");
	if (env.cmd != CMD_STATS && env.top_set)
		return usage_error("-n/--top sizes the caller table of the stats report");
	if (env.file && env.reset)
		return usage_error("--reset zeroes the module's counters; it cannot reset a saved file (-f)");
	if (env.file && env.threshold_set)
		return usage_error("--threshold sets the module's event threshold; it cannot change a saved file (-f)");
	if (env.file && env.interval)
		return usage_error("-i/--interval reads the module again and again; a saved file (-f) does not change");
	if (env.file && env.dir_set)
		return usage_error("-f/--file and -D/--debugfs are two sources: give one");
	return 0;
}

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

/*
 * Read env.file, or the debugfs file name, into raw; 0, or 1 after printing
 * what went wrong.  path: the name to use in messages.
 */
static int read_input(pmdstat_out_t *raw, const char *name, char *path,
		      size_t size)
{
	int err;

	if (env.file) {
		snprintf(path, size, "%s", env.file);
	} else if (snprintf(path, size, "%s/%s", env.dir, name) >= (int)size) {
		fprintf(stderr, "pmdstat: debugfs directory name too long: %s\n", env.dir);
		return 1;
	}
	err = pmdstat_read_file(path, raw);
	if (env.file && !strcmp(path, "-"))
		snprintf(path, size, "stdin");
	if (!err)
		return 0;
	if (env.file)
		fprintf(stderr, "pmdstat: cannot read %s: %s\n", path, strerror(-err));
	else if (err == -ENOMEM)
		fprintf(stderr, "pmdstat: reading %s: out of memory\n", path);
	else
		pmdstat_explain_open(env.dir, name, -err);
	return 1;
}

/* Read and parse one snapshot; 0, or 1 after printing what went wrong. */
static int load(pmdstat_out_t *raw, struct pmdstat_stats *st)
{
	char path[PATH_MAX];
	struct pmdstat_parse_error perr;

	if (read_input(raw, PMDSTAT_STATS_FILE, path, sizeof(path)))
		return 1;
	if (pmdstat_parse(pmdstat_out_str(raw), raw->len, st, &perr)) {
		fprintf(stderr, "pmdstat: %s: %s\n", path, perr.msg);
		return 1;
	}
	return 0;
}

/* The same for the events or the live file. */
static int load_recfile(pmdstat_out_t *raw, struct pmdstat_recfile *f)
{
	bool events = env.cmd == CMD_EVENTS;
	struct pmdstat_parse_error perr;
	char path[PATH_MAX];
	enum pmdstat_parse_code rc;

	if (read_input(raw, events ? PMDSTAT_EVENTS_FILE : PMDSTAT_LIVE_FILE,
		       path, sizeof(path)))
		return 1;
	if (events)
		rc = pmdstat_parse_events(pmdstat_out_str(raw), raw->len, f, &perr);
	else
		rc = pmdstat_parse_live(pmdstat_out_str(raw), raw->len, f, &perr);
	if (rc) {
		fprintf(stderr, "pmdstat: %s: %s\n", path, perr.msg);
		return 1;
	}
	return 0;
}

/* Write cmd to the control file; 0, or 1 after saying why it failed. */
static int write_control(const char *cmd)
{
	int err = pmdstat_write_control(env.dir, cmd);

	if (!err)
		return 0;
	if (err == -EINVAL)
		fprintf(stderr, "pmdstat: the module rejected '%s' on %s/%s: is the module as new as this pmdstat? (see dmesg)\n",
			cmd, env.dir, PMDSTAT_CONTROL_FILE);
	else if (err == -ENAMETOOLONG)
		fprintf(stderr, "pmdstat: debugfs directory name too long: %s\n", env.dir);
	else
		pmdstat_explain_open(env.dir, PMDSTAT_CONTROL_FILE, -err);
	return 1;
}

static int do_reset(void)
{
	return write_control("reset");
}

static int do_threshold(void)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "threshold_us=%ld", env.threshold_us);
	return write_control(cmd);
}

/* Write out, filled by a renderer, to stdout; 0, or 1 on an error. */
static int emit(pmdstat_out_t *out)
{
	if (pmdstat_out_failed(out)) {
		fprintf(stderr, "pmdstat: out of memory\n");
		return 1;
	}
	if (pmdstat_out_write(out, stdout) || fflush(stdout)) {
		fprintf(stderr, "pmdstat: writing the report: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/* Render st to stdout; 0, or 1 on a write error. */
static int report(pmdstat_out_t *out, const struct pmdstat_stats *st,
		  const struct pmdstat_render_opts *ro, bool first)
{
	pmdstat_out_clear(out);
	if (env.json) {
		pmdstat_render_json(out, st, ro);
		pmdstat_out_append(out, "\n", 1);
	} else {
		if (!first || env.interval)
			pmdstat_out_append(out, "\n", 1);
		pmdstat_render_text(out, st, ro);
	}
	return emit(out);
}

static const char *now_hms(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, "%H:%M:%S", &tm))
		snprintf(buf, size, "??:??:??");
	return buf;
}

static void base_opts(struct pmdstat_render_opts *ro, char *ts, size_t size)
{
	memset(ro, 0, sizeof(*ro));
	ro->max_callers = (unsigned int)env.top;
	if (env.timestamp)
		ro->timestamp = now_hms(ts, size);
}

static int run_once(pmdstat_out_t *raw, pmdstat_out_t *out)
{
	struct pmdstat_render_opts ro;
	struct pmdstat_stats st;
	char ts[16];
	int rc;

	if (load(raw, &st))
		return 1;
	base_opts(&ro, ts, sizeof(ts));
	rc = report(out, &st, &ro, true);
	pmdstat_stats_free(&st);
	return rc;
}

/* Sleep until *deadline, advanced by the interval; false if interrupted. */
static bool sleep_interval(struct timespec *deadline)
{
	deadline->tv_sec += env.interval;
	while (!exiting) {
		int err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline, NULL);

		if (!err)
			return true;
		if (err != EINTR)
			return false;
	}
	return false;
}

static int run_interval(pmdstat_out_t *raw, pmdstat_out_t *out)
{
	struct pmdstat_stats prev, cur, delta;
	struct timespec deadline;
	long n = 0;
	char ts[16];
	int rc = 0;

	if (load(raw, &prev))
		return 1;
	if (!env.json) {
		printf("Reporting hugetlb PMD sharing every %ld s... Hit Ctrl-C to end.\n",
		       env.interval);
		fflush(stdout);
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	for (;;) {
		struct pmdstat_render_opts ro;
		int d;

		sleep_interval(&deadline);
		if (load(raw, &cur)) {
			rc = 1;
			break;
		}
		d = pmdstat_stats_delta(&prev, &cur, &delta);
		if (d < 0) {
			fprintf(stderr, "pmdstat: out of memory\n");
			pmdstat_stats_free(&cur);
			rc = 1;
			break;
		}
		base_opts(&ro, ts, sizeof(ts));
		ro.interval = true;
		ro.reset_seen = d > 0;
		rc = report(out, &delta, &ro, n == 0);
		pmdstat_stats_free(&delta);
		pmdstat_stats_free(&prev);
		prev = cur;
		if (rc || exiting || (env.count && ++n >= env.count))
			break;
	}
	pmdstat_stats_free(&prev);
	return rc;
}

/* pmdstat events, and pmdstat live (every interval with -i). */
static int run_recfile(pmdstat_out_t *raw, pmdstat_out_t *out)
{
	struct pmdstat_render_opts ro;
	struct pmdstat_recfile f;
	struct timespec deadline;
	long n = 0;
	char ts[16];
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	for (;;) {
		if (load_recfile(raw, &f))
			return 1;
		base_opts(&ro, ts, sizeof(ts));
		pmdstat_out_clear(out);
		if (env.json && env.cmd == CMD_EVENTS)
			pmdstat_render_events_json(out, &f, &ro);
		else if (env.json)
			pmdstat_render_live_json(out, &f, &ro);
		else if (env.cmd == CMD_EVENTS)
			pmdstat_render_events_text(out, &f, &ro);
		else
			pmdstat_render_live_text(out, &f, &ro);
		if (env.json)
			pmdstat_out_append(out, "\n", 1);
		rc = emit(out);
		pmdstat_recfile_free(&f);
		if (rc || !env.interval || exiting || (env.count && ++n >= env.count))
			break;
		if (!sleep_interval(&deadline))
			break;
		if (!env.json)
			fputs("\n", stdout);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = sig_handler };
	pmdstat_out_t raw, out;
	int rc;

	rc = parse_args(argc, argv);
	if (rc)
		return rc;

	/* no SA_RESTART: Ctrl-C ends the current sleep, bcc-style */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (env.reset || env.threshold_set) {
		rc = env.reset ? do_reset() : 0;
		if (!rc && env.threshold_set)
			rc = do_threshold();
		/* alone they act and exit; with -i or a command, a report follows */
		if (rc || (!env.interval && !env.cmd_given))
			return rc;
	}
	pmdstat_out_init(&raw);
	pmdstat_out_init(&out);
	if (env.cmd != CMD_STATS)
		rc = run_recfile(&raw, &out);
	else if (env.interval)
		rc = run_interval(&raw, &out);
	else
		rc = run_once(&raw, &out);
	pmdstat_out_free(&raw);
	pmdstat_out_free(&out);
	return rc;
}
