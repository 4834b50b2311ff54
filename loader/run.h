/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run.h - what pmdstat's commands share when they run: reading a snapshot
 * of the module (or a saved file), printing a report in the format the
 * command line asks for (text, JSON, Prometheus), writing the control
 * file, and the loop of intervals (pmdstat -i, record, attach -i) with
 * what ends it; and pmdstat attach (attach.c).  Messages go to stderr; functions return 0 or 1 (error).
 */
#ifndef PMDSTAT_RUN_H
#define PMDSTAT_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <sys/types.h>
#include "cli.h"
#include "parse.h"
#include "render.h"

/* Set by SIGINT and SIGTERM (unless attach forwards them). */
extern volatile sig_atomic_t pmdstat_exiting;

struct pmdstat_run {
	const struct pmdstat_cli *cli;
	pmdstat_out_t raw;	/* the file read last */
	pmdstat_out_t out;	/* the report being written */
};

void pmdstat_run_init(struct pmdstat_run *r, const struct pmdstat_cli *cli);
void pmdstat_run_free(struct pmdstat_run *r);

/* SIGINT and SIGTERM set pmdstat_exiting and end a sleep (no SA_RESTART). */
void pmdstat_run_signals(void);

/* cli's -f file, or name in the debugfs directory, into r->raw; path for messages. */
int pmdstat_run_read(struct pmdstat_run *r, const char *name, char *path,
		     size_t size);
/* Parse r->raw, read from path (for messages), into st. */
int pmdstat_run_parse(struct pmdstat_run *r, const char *path, struct pmdstat_stats *st);
/* Read and parse one snapshot of the stats. */
int pmdstat_run_load(struct pmdstat_run *r, struct pmdstat_stats *st);

/* Write cmd to the control file. */
int pmdstat_run_control(struct pmdstat_run *r, const char *cmd);
/* Say why writing cmd to the control file failed (err: -errno). */
void pmdstat_run_control_failed(const struct pmdstat_run *r, const char *cmd, int err);

/* The render options of the command line; ts holds the timestamp. */
void pmdstat_run_opts(const struct pmdstat_run *r, struct pmdstat_render_opts *ro,
		      char *ts, size_t size);
/* r->out to stdout. */
int pmdstat_run_emit(struct pmdstat_run *r);
/* st as text, JSON (-j) or Prometheus (--prom) to stdout. */
int pmdstat_run_report(struct pmdstat_run *r, const struct pmdstat_stats *st,
		       const struct pmdstat_render_opts *ro, bool first);
/*
 * st, one snapshot, reported once: the module's, -f FILE's, or
 * pmdstat-bpf's with --backend bpf.
 */
int pmdstat_run_show(struct pmdstat_run *r, const struct pmdstat_stats *st);
/* Load and report once: the counts since load or reset. */
int pmdstat_run_once(struct pmdstat_run *r);

/* What ends a run of intervals, besides Ctrl-C and COUNT. */
struct pmdstat_until {
	bool has_end;
	struct timespec end;	/* CLOCK_MONOTONIC: -d */
	pid_t child;		/* attach -- CMD: its exit; 0: none */
	bool child_done;
	int status;		/* the child's exit status, once done */
	pid_t pid;		/* attach -p: its exit; 0: none */
	u64 pid_start;
	bool pid_gone;
};

/* u ends at -d SECS from now. */
void pmdstat_until_duration(struct pmdstat_until *u, long secs);

/*
 * Sleep until deadline, or until u says to stop (end reached, Ctrl-C,
 * the watched process gone).  True if the run ends after this interval.
 */
bool pmdstat_run_sleep(const struct timespec *deadline, struct pmdstat_until *u);

/* Where each interval goes. */
struct pmdstat_sink {
	bool print;		/* its report, on stdout */
	FILE *rec;		/* its line (pmdstat record), or NULL */
	const char *rec_name;	/* for messages */
	long intervals;		/* so far */
};

/*
 * Every cli->interval seconds, the difference since the last snapshot to
 * sk, until u ends it, Ctrl-C (then the partial interval too), or COUNT
 * intervals.
 */
int pmdstat_run_intervals(struct pmdstat_run *r, struct pmdstat_sink *sk,
			  struct pmdstat_until *u);

/* pmdstat record. */
int pmdstat_run_record(struct pmdstat_run *r);

/*
 * pmdstat attach, as the command line of r asks: -- CMD (a fresh cgroup;
 * filter_cgroup; reset; run CMD in it; with -i a report (and with -o a
 * recorded line) every interval; the report; filter=none; the cgroup
 * removed) or -p PID (filter_tgid; reset; until -d, the process's exit or
 * Ctrl-C; the report; filter=none).  The filter is set before the reset,
 * so that nothing else is counted in between.  Root only.  Returns the
 * exit status: CMD's (128 + signal, 127 if it could not run; 1 if it
 * succeeded but pmdstat failed); for -p 0, 1, or 2 for a process that
 * does not exist.
 */
int pmdstat_attach(struct pmdstat_run *r);

#endif /* PMDSTAT_RUN_H */
