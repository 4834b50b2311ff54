// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat - report hugetlb PMD page-table sharing statistics collected by
 * the pmdstat kernel module (debugfs, format: docs/format.md).
 *
 * One report since the module was loaded (or last reset), or with -i the
 * differences over each interval; as text with bcc-style log2 histograms
 * or as JSON.  -f reads a saved copy of the stats file instead.
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

static struct env {
	long interval;		/* seconds; 0: one report */
	long count;		/* intervals; 0: until Ctrl-C */
	bool timestamp;
	bool json;
	bool reset;
	const char *file;	/* saved stats file, or NULL */
	const char *dir;	/* pmdstat debugfs directory */
	bool dir_set;
} env = {
	.dir = PMDSTAT_DEBUGFS_DIR,
};

static volatile sig_atomic_t exiting;

static const char usage_text[] =
"Usage: pmdstat [-h] [-V] [-j] [-T] [-i SECS [-c N]] [--reset] [-f FILE | -D DIR]\n"
"\n"
"Show hugetlb PMD page-table sharing statistics from the pmdstat module:\n"
"calls of the share and unshare sites, their outcomes, and their latency\n"
"as log2 histograms.\n"
"\n"
"Examples:\n"
"    pmdstat                  # totals since the module was loaded or reset\n"
"    pmdstat -i 1             # what happened in each 1 second interval\n"
"    pmdstat -i 5 -c 3 -T     # three 5 second intervals, with timestamps\n"
"    pmdstat -j               # the totals as one JSON object\n"
"    pmdstat -j -i 1          # one JSON object per line, every second\n"
"    pmdstat --reset          # zero every counter and histogram\n"
"    pmdstat --reset -i 10    # zero them, then report every 10 seconds\n"
"    pmdstat -f stats.txt     # analyse a saved copy of the stats file\n"
"\n"
"Options:\n"
"  -i, --interval=SECS   print the differences every SECS seconds\n"
"  -c, --count=N         stop after N intervals (needs -i)\n"
"  -T, --timestamp       print a timestamp (HH:MM:SS) with each report\n"
"  -j, --json            print JSON, one object per line per report\n"
"      --reset           zero the module's counters; alone: reset and exit\n"
"  -f, --file=FILE       read a saved stats file instead of debugfs (-: stdin)\n"
"  -D, --debugfs=DIR     the module's debugfs directory\n"
"                        (default " PMDSTAT_DEBUGFS_DIR ")\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"The debugfs files are root-only: run as root.  Exit status: 0 success,\n"
"1 runtime error, 2 usage error.\n";

enum {
	OPT_RESET = 256,
};

static const struct option long_opts[] = {
	{ "interval",	required_argument,	NULL, 'i' },
	{ "count",	required_argument,	NULL, 'c' },
	{ "timestamp",	no_argument,		NULL, 'T' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "reset",	no_argument,		NULL, OPT_RESET },
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

static int parse_args(int argc, char **argv)
{
	int opt, err;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":hVjTi:c:f:D:", long_opts, NULL)) != -1) {
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
		case 'T':
			env.timestamp = true;
			break;
		case 'j':
			env.json = true;
			break;
		case OPT_RESET:
			env.reset = true;
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
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (env.count && !env.interval)
		return usage_error("-c/--count needs -i/--interval");
	if (env.file && env.reset)
		return usage_error("--reset zeroes the module's counters; it cannot reset a saved file (-f)");
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

/* Read and parse one snapshot; 0, or 1 after printing what went wrong. */
static int load(pmdstat_out_t *raw, struct pmdstat_stats *st)
{
	char path[PATH_MAX];
	struct pmdstat_parse_error perr;
	int err;

	if (env.file) {
		snprintf(path, sizeof(path), "%s", env.file);
	} else if (snprintf(path, sizeof(path), "%s/%s", env.dir, PMDSTAT_STATS_FILE) >=
		   (int)sizeof(path)) {
		fprintf(stderr, "pmdstat: debugfs directory name too long: %s\n", env.dir);
		return 1;
	}
	err = pmdstat_read_file(path, raw);
	if (env.file && !strcmp(path, "-"))
		snprintf(path, sizeof(path), "stdin");
	if (err) {
		if (env.file)
			fprintf(stderr, "pmdstat: cannot read %s: %s\n", path, strerror(-err));
		else if (err == -ENOMEM)
			fprintf(stderr, "pmdstat: reading %s: out of memory\n", path);
		else
			pmdstat_explain_open(env.dir, PMDSTAT_STATS_FILE, -err);
		return 1;
	}
	if (pmdstat_parse(pmdstat_out_str(raw), raw->len, st, &perr)) {
		fprintf(stderr, "pmdstat: %s: %s\n", path, perr.msg);
		return 1;
	}
	return 0;
}

static int do_reset(void)
{
	int err = pmdstat_write_reset(env.dir);

	if (!err)
		return 0;
	if (err == -EINVAL)
		fprintf(stderr, "pmdstat: the module rejected 'reset' on %s/%s: is the module as new as this pmdstat? (see dmesg)\n",
			env.dir, PMDSTAT_CONTROL_FILE);
	else if (err == -ENAMETOOLONG)
		fprintf(stderr, "pmdstat: debugfs directory name too long: %s\n", env.dir);
	else
		pmdstat_explain_open(env.dir, PMDSTAT_CONTROL_FILE, -err);
	return 1;
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

static const char *now_hms(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, "%H:%M:%S", &tm))
		snprintf(buf, size, "??:??:??");
	return buf;
}

static int run_once(pmdstat_out_t *raw, pmdstat_out_t *out)
{
	struct pmdstat_render_opts ro = { 0 };
	struct pmdstat_stats st;
	char ts[16];
	int rc;

	if (load(raw, &st))
		return 1;
	if (env.timestamp)
		ro.timestamp = now_hms(ts, sizeof(ts));
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
		struct pmdstat_render_opts ro = { .interval = true };
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
		ro.reset_seen = d > 0;
		if (env.timestamp)
			ro.timestamp = now_hms(ts, sizeof(ts));
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

	if (env.reset) {
		rc = do_reset();
		if (rc || !env.interval)
			return rc;
	}
	pmdstat_out_init(&raw);
	pmdstat_out_init(&out);
	rc = env.interval ? run_interval(&raw, &out) : run_once(&raw, &out);
	pmdstat_out_free(&raw);
	pmdstat_out_free(&out);
	return rc;
}
