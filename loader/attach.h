/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attach.h - pmdstat attach: record one command (run in a cgroup v2 of its
 * own) or one running process, and nothing else; and its parts: starting
 * the command inside the cgroup with its signals forwarded, and watching a
 * process that is already running.
 */
#ifndef PMDSTAT_ATTACH_H
#define PMDSTAT_ATTACH_H

#include <stdbool.h>
#include <sys/types.h>
#include "cgroup.h"
#include "pmdstat_types.h"

#define PMDSTAT_PID_MAX		4194304		/* PID_MAX_LIMIT */

struct pmdstat_run;

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

/*
 * Start argv[0] (looked up in PATH) with argv, in cg when cg is not NULL:
 * fork; the child writes "0" to cg's cgroup.procs, then execs.  Returns the
 * child's pid once it has exec'd; -1 after a message if it could not start
 * (fork, or the move into the cgroup failed: it is reaped); -127 after a
 * message if the exec failed (it is reaped).
 */
pid_t pmdstat_child_start(const struct pmdstat_cgroup *cg, char *const argv[]);

/*
 * With -j or --prom, standard output carries a report for a program: the
 * command started after this writes its standard output to pmdstat's
 * standard error instead (perf stat keeps its report on stderr for the
 * same reason), so the two never mix.
 */
void pmdstat_child_stdout_to_stderr(bool on);

/*
 * From now on, SIGINT and SIGTERM sent to pmdstat go to child instead
 * (except a terminal's Ctrl-C, which the child, in the same process group,
 * gets anyway).
 */
void pmdstat_forward_signals(pid_t child);

/*
 * Has child exited?  Without wait, only checks (0: running).  1 once it
 * has, with *status its exit status: the code, or 128 + the signal that
 * killed it.  -1 on a waitpid error (errno).
 */
int pmdstat_child_done(pid_t child, bool wait, int *status);

/*
 * The start time of process pid (field 22 of /proc/PID/stat), to tell it
 * from a later process with the same pid.  0; -ENOENT if there is no such
 * process or it is a zombie; another -errno.
 */
int pmdstat_proc_start(pid_t pid, u64 *start);
/* Is pid still the process that started at start? */
bool pmdstat_proc_alive(pid_t pid, u64 start);

#endif /* PMDSTAT_ATTACH_H */
