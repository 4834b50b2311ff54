/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup.h - a cgroup v2 of its own for the command pmdstat attach runs,
 * so that the module's filter_cgroup records it, every process and thread
 * it starts, and nothing else.
 */
#ifndef PMDSTAT_CGROUP_H
#define PMDSTAT_CGROUP_H

#include <limits.h>
#include <stdbool.h>
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

#endif /* PMDSTAT_CGROUP_H */
