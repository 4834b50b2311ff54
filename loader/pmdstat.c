// SPDX-License-Identifier: GPL-2.0
/*
 * pmdstat - report hugetlb PMD page-table sharing statistics collected by
 * the pmdstat kernel module (debugfs, format: docs/format.md).
 *
 * One report since the module was loaded (or last reset), or with -i the
 * differences over each interval; as text with bcc-style log2 histograms
 * and klockstat-style lock tables, as JSON, or for Prometheus.  "pmdstat
 * events" shows the event log, "pmdstat live" who waits for or holds a
 * tracked lock now.  -f reads a saved copy of a file instead.  "attach"
 * records one command or process only, "record" writes each interval's
 * stats in the text format, "report" and "heatmap" read such a recording.  --backend bpf
 * makes the stats report from one run of pmdstat-bpf instead of the module.
 *
 * The command line is cli.c's, what the commands share at run time run.c's.
 *
 * Exit status: 0 success, 1 runtime error, 2 usage error (attach -- CMD
 * and --backend bpf -- CMD: CMD's; --backend bpf: pmdstat-bpf's if it
 * failed).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "backend.h"
#include "cli.h"
#include "out.h"
#include "parse.h"
#include "record.h"
#include "render.h"
#include "run.h"
#include "source.h"

#ifndef PMDSTAT_VERSION
#define PMDSTAT_VERSION "0.1"
#endif

#define EXIT_USAGE	2

static struct pmdstat_cli env;

/* The events or the live file; 0, or 1 after printing what went wrong. */
static int load_recfile(struct pmdstat_run *r, struct pmdstat_recfile *f)
{
	bool events = env.cmd == PMDSTAT_CMD_EVENTS;
	struct pmdstat_parse_error perr;
	char path[PATH_MAX];
	enum pmdstat_parse_code rc;

	if (pmdstat_run_read(r, events ? PMDSTAT_EVENTS_FILE : PMDSTAT_LIVE_FILE,
			     path, sizeof(path)))
		return 1;
	if (events)
		rc = pmdstat_parse_events(pmdstat_out_str(&r->raw), r->raw.len, f, &perr);
	else
		rc = pmdstat_parse_live(pmdstat_out_str(&r->raw), r->raw.len, f, &perr);
	if (rc) {
		fprintf(stderr, "pmdstat: %s: %s\n", path, perr.msg);
		return 1;
	}
	return 0;
}

static int run_interval(struct pmdstat_run *r)
{
	struct pmdstat_sink sk = { .print = true };
	struct pmdstat_until u = { 0 };

	if (!env.json) {
		printf("Reporting hugetlb PMD sharing every %ld s... Hit Ctrl-C to end.\n",
		       env.interval);
		fflush(stdout);
	}
	return pmdstat_run_intervals(r, &sk, &u);
}

/* pmdstat events, and pmdstat live (every interval with -i). */
static int run_recfile(struct pmdstat_run *r)
{
	struct pmdstat_render_opts ro;
	struct pmdstat_recfile f;
	struct pmdstat_until u = { 0 };
	struct timespec deadline;
	pmdstat_out_t *out = &r->out;
	long n = 0;
	char ts[16];
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	for (;;) {
		if (load_recfile(r, &f))
			return 1;
		pmdstat_run_opts(r, &ro, ts, sizeof(ts));
		pmdstat_out_clear(out);
		if (env.json && env.cmd == PMDSTAT_CMD_EVENTS)
			pmdstat_render_events_json(out, &f, &ro);
		else if (env.json)
			pmdstat_render_live_json(out, &f, &ro);
		else if (env.cmd == PMDSTAT_CMD_EVENTS)
			pmdstat_render_events_text(out, &f, &ro);
		else
			pmdstat_render_live_text(out, &f, &ro);
		if (env.json)
			pmdstat_out_append(out, "\n", 1);
		rc = pmdstat_run_emit(r);
		pmdstat_recfile_free(&f);
		if (rc || !env.interval || pmdstat_exiting ||
		    (env.count && ++n >= env.count))
			break;
		deadline.tv_sec += env.interval;
		if (pmdstat_run_sleep(&deadline, &u))
			break;
		if (!env.json)
			fputs("\n", stdout);
	}
	return rc;
}

/* The recording env.input, opened; NULL after a message. */
static FILE *open_recording(const char **name)
{
	FILE *f;

	if (!strcmp(env.input, "-")) {
		*name = "stdin";
		return stdin;
	}
	*name = env.input;
	f = fopen(env.input, "r");
	if (!f)
		fprintf(stderr, "pmdstat: cannot read %s: %s\n", env.input, strerror(errno));
	return f;
}

/* pmdstat report FILE: the sum of a recording, as any stats report. */
static int run_report(struct pmdstat_run *r)
{
	struct pmdstat_render_opts ro;
	struct pmdstat_recording rec;
	const char *name;
	char msg[512], ts[16];
	FILE *f;
	int err, rc;

	f = open_recording(&name);
	if (!f)
		return 1;
	err = pmdstat_recording_sum(f, &rec, msg, sizeof(msg));
	if (f != stdin)
		fclose(f);
	if (err) {
		fprintf(stderr, "pmdstat: %s: %s\n", name, msg);
		pmdstat_recording_free(&rec);
		return 1;
	}
	pmdstat_run_opts(r, &ro, ts, sizeof(ts));
	ro.recording = true;
	ro.intervals = rec.intervals;
	ro.span_ms = rec.span_ms;
	rc = pmdstat_run_report(r, &rec.sum, &ro, true);
	pmdstat_recording_free(&rec);
	return rc;
}

/* Write len bytes of buf to path ("-": stdout); 0, or 1 after a message. */
static int write_output(const char *path, const char *buf, size_t len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "pmdstat: cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fwrite(buf, 1, len, f) != len || fflush(f))
		rc = 1;
	if (f != stdout && fclose(f))
		rc = 1;
	if (rc)
		fprintf(stderr, "pmdstat: writing %s: %s\n", path, strerror(errno));
	return rc;
}

/* pmdstat heatmap FILE --hist NAME -o OUT.svg */
static int run_heatmap(void)
{
	struct pmdstat_heatmap_opts o = { .hist = env.hist };
	pmdstat_out_t svg;
	char msg[4096];
	FILE *f;
	int err, rc;

	f = open_recording(&o.source);
	if (!f)
		return 1;
	pmdstat_out_init(&svg);
	err = pmdstat_heatmap(f, &o, &svg, msg, sizeof(msg));
	if (f != stdin)
		fclose(f);
	if (err) {
		fprintf(stderr, "pmdstat: %s: %s\n", o.source, msg);
		pmdstat_out_free(&svg);
		return err == -ENOENT ? EXIT_USAGE : 1;
	}
	rc = write_output(env.output, svg.buf, svg.len);
	pmdstat_out_free(&svg);
	return rc;
}

/* --reset and --threshold: alone they act and exit, else a command follows. */
static int module_options(struct pmdstat_run *r, bool *done)
{
	char cmd[32];
	int rc = 0;

	*done = false;
	if (!env.reset && !env.threshold_set)
		return 0;
	if (env.reset)
		rc = pmdstat_run_control(r, "reset");
	if (!rc && env.threshold_set) {
		snprintf(cmd, sizeof(cmd), "threshold_us=%ld", env.threshold_us);
		rc = pmdstat_run_control(r, cmd);
	}
	*done = rc || (!env.interval && !env.cmd_given);
	return rc;
}

static int run(struct pmdstat_run *r)
{
	bool done;
	int rc;

	switch (env.cmd) {
	case PMDSTAT_CMD_REPORT:
		return run_report(r);
	case PMDSTAT_CMD_HEATMAP:
		return run_heatmap();
	default:
		break;
	}
	/* nothing of the module's: the command line allows no --reset or -i */
	if (env.backend == PMDSTAT_BACKEND_BPF)
		return pmdstat_backend_bpf(r);
	rc = module_options(r, &done);
	if (done)
		return rc;
	switch (env.cmd) {
	case PMDSTAT_CMD_EVENTS:
	case PMDSTAT_CMD_LIVE:
		return run_recfile(r);
	case PMDSTAT_CMD_ATTACH:
		return pmdstat_attach(r);
	case PMDSTAT_CMD_RECORD:
		return pmdstat_run_record(r);
	default:
		return env.interval ? run_interval(r) : pmdstat_run_once(r);
	}
}

int main(int argc, char **argv)
{
	struct pmdstat_run r;
	int rc;

	switch (pmdstat_cli_parse(&env, argc, argv)) {
	case PMDSTAT_CLI_HELP:
		fputs(pmdstat_help(&env), stdout);
		return 0;
	case PMDSTAT_CLI_VERSION:
		printf("pmdstat %s (stats format %d)\n", PMDSTAT_VERSION,
		       PMDSTAT_READER_FORMAT);
		return 0;
	case PMDSTAT_CLI_USAGE:
		fprintf(stderr, "pmdstat: %s\nTry 'pmdstat %s%s--help' for more information.\n",
			env.msg, env.cmd_given ? pmdstat_command_name(env.cmd) : "",
			env.cmd_given ? " " : "");
		return EXIT_USAGE;
	case PMDSTAT_CLI_RUN:
		break;
	}
	pmdstat_run_signals();
	pmdstat_run_init(&r, &env);
	rc = run(&r);
	pmdstat_run_free(&r);
	return rc;
}
