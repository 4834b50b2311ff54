/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proc.h - the processes pmdstat attach and --backend bpf run or watch:
 * starting a command inside a cgroup with its signals forwarded, its exit,
 * and a process that is already running; and the cgroup v2 of its own
 * (cgroup.c) for the command pmdstat attach runs, so that the module's
 * filter_cgroup records it, every process and thread it starts, and
 * nothing else.
 */
#ifndef PMDSTAT_PROC_H
#define PMDSTAT_PROC_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>
#include "pmdstat_types.h"

#define PMDSTAT_CGROUP_ROOT	"/sys/fs/cgroup"

struct pmdstat_cgroup {
	char mnt[PATH_MAX];	/* where cgroup2 is mounted */
	char path[PATH_MAX];	/* the cgroup: <mnt>/pmdstat-<pid> */
	bool mounted;		/* mounted by us: unmounted by remove */
	bool created;
	u64 id;			/* the inode number of path: the cgroup id */
};

/*
 * Create a fresh cgroup v2 "pmdstat-<our pid>" under root (normally
 * PMDSTAT_CGROUP_ROOT).  If root is not a cgroup2 mount, use root/unified
 * when that is one (systemd's hybrid layout); else mount cgroup2 on root
 * (creating it) when nothing is mounted there, or on root/unified when
 * something else is (a cgroup v1 tmpfs is never hidden).  0, or 1 after
 * saying what went wrong and what to do; cg is then clean.
 */
int pmdstat_cgroup_create(struct pmdstat_cgroup *cg, const char *root);

/*
 * Remove the cgroup, retrying for about a second while the command's
 * processes go away, and unmount what create mounted.  0, or 1 after
 * saying what is left and how to remove it.
 */
int pmdstat_cgroup_remove(struct pmdstat_cgroup *cg);

#define PMDSTAT_PID_MAX		4194304		/* PID_MAX_LIMIT */

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
 * pmdstat_child_start(), and from then on SIGINT and SIGTERM sent to
 * pmdstat go to the child instead (except a terminal's Ctrl-C, which the
 * child, in the same process group, gets anyway); one that comes before
 * the child can take it waits until it can.
 */
pid_t pmdstat_child_spawn(const struct pmdstat_cgroup *cg, char *const argv[]);

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

#endif /* PMDSTAT_PROC_H */
