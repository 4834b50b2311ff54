// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - the run-time parts pmdstat's commands share (see run.h): read,
 * parse and report a snapshot, write the control file, and the loop of
 * intervals that pmdstat -i, pmdstat record and pmdstat attach -i run, with
 * pmdstat record itself.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "proc.h"
#include "out.h"
#include "record.h"
#include "run.h"
#include "source.h"

#define POLL_NS		100000000L	/* how often a watched process is checked */
#define NS_PER_S	1000000000L

volatile sig_atomic_t pmdstat_exiting;

static void sig_handler(int sig)
{
	(void)sig;
	pmdstat_exiting = 1;
}

void pmdstat_run_signals(void)
{
	struct sigaction sa = { .sa_handler = sig_handler };

	/* no SA_RESTART: Ctrl-C ends the current sleep, bcc-style */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void pmdstat_run_init(struct pmdstat_run *r, const struct pmdstat_cli *cli)
{
	r->cli = cli;
	pmdstat_out_init(&r->raw);
	pmdstat_out_init(&r->out);
}

void pmdstat_run_free(struct pmdstat_run *r)
{
	pmdstat_out_free(&r->raw);
	pmdstat_out_free(&r->out);
}

int pmdstat_run_read(struct pmdstat_run *r, const char *name, char *path,
		     size_t size)
{
	const struct pmdstat_cli *cli = r->cli;
	int err;

	if (cli->file) {
		snprintf(path, size, "%s", cli->file);
	} else if (snprintf(path, size, "%s/%s", cli->dir, name) >= (int)size) {
		fprintf(stderr, "pmdstat: debugfs directory name too long: %s\n", cli->dir);
		return 1;
	}
	err = pmdstat_read_file(path, &r->raw);
	if (cli->file && !strcmp(path, "-"))
		snprintf(path, size, "stdin");
	if (!err)
		return 0;
	if (cli->file)
		fprintf(stderr, "pmdstat: cannot read %s: %s\n", path, strerror(-err));
	else if (err == -ENOMEM)
		fprintf(stderr, "pmdstat: reading %s: out of memory\n", path);
	else
		pmdstat_explain_open(cli->dir, name, -err);
	return 1;
}

int pmdstat_run_parse(struct pmdstat_run *r, const char *path, struct pmdstat_stats *st)
{
	struct pmdstat_parse_error perr;

	if (pmdstat_parse(pmdstat_out_str(&r->raw), r->raw.len, st, &perr)) {
		fprintf(stderr, "pmdstat: %s: %s\n", path, perr.msg);
		return 1;
	}
	return 0;
}

int pmdstat_run_load(struct pmdstat_run *r, struct pmdstat_stats *st)
{
	char path[PATH_MAX];

	if (pmdstat_run_read(r, PMDSTAT_STATS_FILE, path, sizeof(path)))
		return 1;
	return pmdstat_run_parse(r, path, st);
}

void pmdstat_run_control_failed(const struct pmdstat_run *r, const char *cmd, int err)
{
	const char *dir = r->cli->dir;

	if (err == -EINVAL)
		fprintf(stderr, "pmdstat: the module rejected '%s' on %s/%s: is the module as new as this pmdstat? (see dmesg)\n",
			cmd, dir, PMDSTAT_CONTROL_FILE);
	else if (err == -ENAMETOOLONG)
		fprintf(stderr, "pmdstat: debugfs directory name too long: %s\n", dir);
	else
		pmdstat_explain_open(dir, PMDSTAT_CONTROL_FILE, -err);
}

int pmdstat_run_control(struct pmdstat_run *r, const char *cmd)
{
	int err = pmdstat_write_control(r->cli->dir, cmd);

	if (!err)
		return 0;
	pmdstat_run_control_failed(r, cmd, err);
	return 1;
}

static const char *now_hms(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, "%H:%M:%S", &tm))
		snprintf(buf, size, "??:??:??");
	return buf;
}

void pmdstat_run_opts(const struct pmdstat_run *r, struct pmdstat_render_opts *ro,
		      char *ts, size_t size)
{
	memset(ro, 0, sizeof(*ro));
	ro->max_callers = (unsigned int)r->cli->top;
	ro->bars = r->cli->bars;
	if (r->cli->timestamp)
		ro->timestamp = now_hms(ts, size);
}

/* r's output to f (what: for a message); 0, or 1 after a message. */
static int emit_to(struct pmdstat_run *r, FILE *f, const char *what)
{
	if (pmdstat_out_failed(&r->out)) {
		fprintf(stderr, "pmdstat: out of memory\n");
		return 1;
	}
	if (pmdstat_out_write(&r->out, f) || fflush(f)) {
		fprintf(stderr, "pmdstat: writing %s: %s\n", what, strerror(errno));
		return 1;
	}
	return 0;
}

int pmdstat_run_emit(struct pmdstat_run *r)
{
	return emit_to(r, stdout, "the report");
}

int pmdstat_run_report(struct pmdstat_run *r, const struct pmdstat_stats *st,
		       const struct pmdstat_render_opts *ro, bool first)
{
	pmdstat_out_t *out = &r->out;

	pmdstat_out_clear(out);
	if (r->cli->json) {
		pmdstat_render_json(out, st, ro);
		pmdstat_out_append(out, "\n", 1);
	} else if (r->cli->prom) {
		pmdstat_render_prom(out, st, ro);
	} else {
		if (!first || r->cli->interval)
			pmdstat_out_append(out, "\n", 1);
		pmdstat_render_text(out, st, ro);
	}
	return pmdstat_run_emit(r);
}

int pmdstat_run_show(struct pmdstat_run *r, const struct pmdstat_stats *st)
{
	struct pmdstat_render_opts ro;
	char ts[16];

	pmdstat_run_opts(r, &ro, ts, sizeof(ts));
	return pmdstat_run_report(r, st, &ro, true);
}

int pmdstat_run_once(struct pmdstat_run *r)
{
	struct pmdstat_stats st;
	int rc;

	if (pmdstat_run_load(r, &st))
		return 1;
	rc = pmdstat_run_show(r, &st);
	pmdstat_stats_free(&st);
	return rc;
}

/* ---- the loop of intervals ---- */

static int ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

static void ts_add_ns(struct timespec *t, long ns)
{
	t->tv_nsec += ns;
	while (t->tv_nsec >= NS_PER_S) {
		t->tv_nsec -= NS_PER_S;
		t->tv_sec++;
	}
}

static u64 ms_since(const struct timespec *start)
{
	struct timespec now;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(now.tv_sec - start->tv_sec) * NS_PER_S +
	     (now.tv_nsec - start->tv_nsec);
	return ns > 0 ? (u64)(ns + 500000) / 1000000 : 0;
}

void pmdstat_until_duration(struct pmdstat_until *u, long secs)
{
	clock_gettime(CLOCK_MONOTONIC, &u->end);
	u->end.tv_sec += secs;
	u->has_end = true;
}

/* Must the run stop now?  Checks the watched processes. */
static bool stop_now(struct pmdstat_until *u)
{
	if (pmdstat_exiting)
		return true;
	if (u->child > 0 && !u->child_done &&
	    pmdstat_child_done(u->child, false, &u->status) == 1)
		u->child_done = true;
	if (u->pid && !u->pid_gone && !pmdstat_proc_alive(u->pid, u->pid_start))
		u->pid_gone = true;
	return u->child_done || u->pid_gone;
}

bool pmdstat_run_sleep(const struct timespec *deadline, struct pmdstat_until *u)
{
	bool watch = u->child > 0 || u->pid, at_end = false;
	struct timespec t = *deadline, now, step;

	if (u->has_end && ts_cmp(&u->end, &t) <= 0) {
		t = u->end;
		at_end = true;
	}
	for (;;) {
		int err;

		if (stop_now(u))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ts_cmp(&now, &t) >= 0)
			return at_end;
		step = t;
		if (watch) {
			step = now;
			ts_add_ns(&step, POLL_NS);
			if (ts_cmp(&step, &t) > 0)
				step = t;
		}
		err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &step, NULL);
		if (err && err != EINTR)
			return true;
	}
}

/* One interval of pmdstat record to sk->rec, flushed. */
static int record_line(struct pmdstat_run *r, struct pmdstat_sink *sk,
		       const struct pmdstat_stats *d, u64 t_ms, u64 interval_ms)
{
	pmdstat_out_clear(&r->out);
	pmdstat_record_write(&r->out, d, t_ms, interval_ms);
	return emit_to(r, sk->rec, sk->rec_name);
}

int pmdstat_run_intervals(struct pmdstat_run *r, struct pmdstat_sink *sk,
			  struct pmdstat_until *u)
{
	const struct pmdstat_cli *cli = r->cli;
	struct pmdstat_stats prev, cur, delta;
	struct timespec start, deadline;
	u64 t_prev = 0;
	char ts[16];
	int rc = 0;

	if (pmdstat_run_load(r, &prev))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	deadline = start;
	for (;;) {
		struct pmdstat_render_opts ro;
		bool stop;
		u64 t;
		int d;

		deadline.tv_sec += cli->interval;
		stop = pmdstat_run_sleep(&deadline, u);
		if (pmdstat_run_load(r, &cur)) {
			rc = 1;
			break;
		}
		t = ms_since(&start);
		d = pmdstat_stats_delta(&prev, &cur, &delta);
		if (d < 0) {
			fprintf(stderr, "pmdstat: out of memory\n");
			pmdstat_stats_free(&cur);
			rc = 1;
			break;
		}
		pmdstat_run_opts(r, &ro, ts, sizeof(ts));
		ro.interval = true;
		ro.reset_seen = d > 0;
		if (sk->print)
			rc = pmdstat_run_report(r, &delta, &ro, sk->intervals == 0);
		if (!rc && sk->rec)
			rc = record_line(r, sk, &delta, t, t - t_prev);
		pmdstat_stats_free(&delta);
		pmdstat_stats_free(&prev);
		prev = cur;
		t_prev = t;
		sk->intervals++;
		if (rc || stop || pmdstat_exiting || (cli->count && sk->intervals >= cli->count))
			break;
	}
	pmdstat_stats_free(&prev);
	return rc;
}

int pmdstat_run_record(struct pmdstat_run *r)
{
	const struct pmdstat_cli *cli = r->cli;
	struct pmdstat_sink sk = { .rec_name = cli->output };
	struct pmdstat_until u = { 0 };
	int rc;

	if (!strcmp(cli->output, "-")) {
		sk.rec = stdout;
		sk.rec_name = "stdout";
	} else {
		sk.rec = fopen(cli->output, "a");
		if (!sk.rec) {
			fprintf(stderr, "pmdstat: cannot open %s to record to: %s\n",
				cli->output, strerror(errno));
			return 1;
		}
	}
	if (cli->duration)
		pmdstat_until_duration(&u, cli->duration);
	fprintf(stderr, "Recording hugetlb PMD sharing every %ld s to %s... Hit Ctrl-C to end.\n",
		cli->interval, sk.rec_name);
	rc = pmdstat_run_intervals(r, &sk, &u);
	if (sk.rec != stdout && fclose(sk.rec) && !rc) {
		fprintf(stderr, "pmdstat: writing %s: %s\n", cli->output, strerror(errno));
		rc = 1;
	}
	fprintf(stderr, "pmdstat: recorded %ld interval%s to %s\n", sk.intervals,
		sk.intervals == 1 ? "" : "s", sk.rec_name);
	return rc;
}
