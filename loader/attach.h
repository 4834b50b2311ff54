/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attach.h - pmdstat attach: record one command (run in a cgroup v2 of its
 * own) or one running process, and nothing else.
 */
#ifndef PMDSTAT_ATTACH_H
#define PMDSTAT_ATTACH_H

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

#endif /* PMDSTAT_ATTACH_H */
