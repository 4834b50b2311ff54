// SPDX-License-Identifier: GPL-2.0
/*
 * attach.c - pmdstat attach (see run.h): the command run in a cgroup of
 * its own (cgroup.c) or a running process watched, the module filtering
 * for it, the report when it ends, and the filter cleared and the cgroup
 * removed whatever happened.  The processes themselves are proc.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "proc.h"
#include "run.h"
#include "source.h"

#define EXIT_USAGE	2
#define EXIT_NOEXEC	127

/* ---- the command ---- */

static int need_root(void)
{
	if (!geteuid())
		return 0;
	fprintf(stderr, "pmdstat: attach must run as root: it resets the module, sets its filter in %s and creates a cgroup: run it with sudo\n",
		PMDSTAT_DEBUGFS_DIR "/" PMDSTAT_CONTROL_FILE);
	return 1;
}

/* Is the module there, and its stats file one this pmdstat reads? */
static int module_ready(struct pmdstat_run *r)
{
	struct pmdstat_stats st;

	if (pmdstat_run_load(r, &st))
		return 1;
	pmdstat_stats_free(&st);
	return 0;
}

/* The last report, then the filter cleared: 0, or 1 if either failed. */
static int finish(struct pmdstat_run *r)
{
	int rc = pmdstat_run_once(r);

	return pmdstat_run_control(r, "filter=none") || rc;
}

/* The reports every interval while until u ends it (-i), or just the wait. */
static int watch(struct pmdstat_run *r, FILE *rec, struct pmdstat_until *u)
{
	struct pmdstat_sink sk = { .print = true, .rec = rec, .rec_name = r->cli->output };
	struct timespec forever;

	if (r->cli->interval)
		return pmdstat_run_intervals(r, &sk, u);
	clock_gettime(CLOCK_MONOTONIC, &forever);
	forever.tv_sec += 100L * 365 * 86400;
	while (!pmdstat_run_sleep(&forever, u))
		;
	return 0;
}

static int attach_pid(struct pmdstat_run *r)
{
	const struct pmdstat_cli *cli = r->cli;
	struct pmdstat_until u = { .pid = (pid_t)cli->pid };
	char cmd[48];
	int err, rc;

	err = pmdstat_proc_start(u.pid, &u.pid_start);
	if (err) {
		if (err == -ENOENT)
			fprintf(stderr, "pmdstat: no process %ld: give the pid of a running process (ps -e)\n",
				cli->pid);
		else
			fprintf(stderr, "pmdstat: cannot read /proc/%ld/stat: %s\n", cli->pid,
				strerror(-err));
		return err == -ENOENT ? EXIT_USAGE : 1;
	}
	if (need_root())
		return 1;
	/* the filter first: the reset leaves only the process's own calls */
	snprintf(cmd, sizeof(cmd), "filter_tgid=%ld", cli->pid);
	err = pmdstat_write_control(cli->dir, cmd);
	if (err == -EINVAL) {
		fprintf(stderr, "pmdstat: the module rejected %s: process %ld exited meanwhile, or the module is older than this pmdstat (see dmesg)\n",
			cmd, cli->pid);
		return EXIT_USAGE;
	}
	if (err) {
		pmdstat_run_control_failed(r, cmd, err);
		return 1;
	}
	if (pmdstat_run_control(r, "reset")) {
		pmdstat_run_control(r, "filter=none");
		return 1;
	}
	if (cli->duration)
		pmdstat_until_duration(&u, cli->duration);
	if (cli->duration)
		fprintf(stderr, "pmdstat: recording only process %ld and its threads for %ld s... Hit Ctrl-C to end.\n",
			cli->pid, cli->duration);
	else
		fprintf(stderr, "pmdstat: recording only process %ld and its threads until it exits... Hit Ctrl-C to end.\n",
			cli->pid);
	rc = watch(r, NULL, &u);
	if (u.pid_gone)
		fprintf(stderr, "pmdstat: process %ld exited\n", cli->pid);
	return finish(r) || rc;
}

/* Start CMD in cg and wait for it: its exit status, or -1 on an error of pmdstat. */
static int run_command(struct pmdstat_run *r, const struct pmdstat_cgroup *cg,
		       FILE *rec, int *status)
{
	struct pmdstat_until u = { 0 };
	int rc;

	pmdstat_child_stdout_to_stderr(r->cli->json || r->cli->prom);
	u.child = pmdstat_child_spawn(cg, r->cli->argv);
	if (u.child < 0) {
		*status = u.child == -EXIT_NOEXEC ? EXIT_NOEXEC : 1;
		return -1;
	}
	rc = watch(r, rec, &u);
	if (!u.child_done && pmdstat_child_done(u.child, true, &u.status) != 1) {
		fprintf(stderr, "pmdstat: waiting for '%s': %s\n", r->cli->argv[0],
			strerror(errno));
		*status = 1;
		return -1;
	}
	*status = u.status;
	return rc;
}

static int attach_command(struct pmdstat_run *r)
{
	const struct pmdstat_cli *cli = r->cli;
	struct pmdstat_cgroup cg;
	FILE *rec = NULL;
	char cmd[48];
	int status, rc;

	if (need_root() || module_ready(r) || pmdstat_cgroup_create(&cg, PMDSTAT_CGROUP_ROOT))
		return 1;
	/* the filter first: the reset leaves only the calls of the cgroup, empty yet */
	snprintf(cmd, sizeof(cmd), "filter_cgroup=%llu", (unsigned long long)cg.id);
	if (pmdstat_run_control(r, cmd)) {
		pmdstat_cgroup_remove(&cg);
		return 1;
	}
	if (cli->output) {
		rec = fopen(cli->output, "a");
		if (!rec)
			fprintf(stderr, "pmdstat: cannot open %s to record to: %s\n",
				cli->output, strerror(errno));
	}
	if ((cli->output && !rec) || pmdstat_run_control(r, "reset")) {
		if (rec)
			fclose(rec);
		pmdstat_run_control(r, "filter=none");
		pmdstat_cgroup_remove(&cg);
		return 1;
	}
	fprintf(stderr, "pmdstat: recording only the cgroup %s (id %llu): running %s\n",
		cg.path, (unsigned long long)cg.id, cli->argv[0]);
	rc = run_command(r, &cg, rec, &status);
	if (rc >= 0) {
		fprintf(stderr, "pmdstat: %s exited with status %d\n", cli->argv[0], status);
		rc = finish(r) || rc;
	} else {
		rc = pmdstat_run_control(r, "filter=none");
	}
	if (rec && fclose(rec)) {
		fprintf(stderr, "pmdstat: writing %s: %s\n", cli->output, strerror(errno));
		rc = 1;
	}
	rc = pmdstat_cgroup_remove(&cg) || rc;
	return status ? status : rc;
}

int pmdstat_attach(struct pmdstat_run *r)
{
	return r->cli->pid ? attach_pid(r) : attach_command(r);
}
