/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filter.h - record only one process (tgid) or one cgroup v2 subtree, so
 * that other hugetlb users of a busy test host do not pollute the numbers.
 */
#ifndef PMDSTAT_FILTER_H
#define PMDSTAT_FILTER_H

#include <linux/types.h>
#include "snapshot.h"

extern pid_t pmdstat_filter_tgid;
extern u64 pmdstat_filter_cgid;

bool pmdstat_filter_slow(void);

/* Is the running task outside the filter?  Cheap when no filter is set. */
static inline bool pmdstat_filtered_out(void)
{
	if (!READ_ONCE(pmdstat_filter_tgid) && !READ_ONCE(pmdstat_filter_cgid))
		return false;
	return pmdstat_filter_slow();
}

/* A control command: 1 if it is not a filter command, else 0 or -errno. */
int pmdstat_filter_command(const char *cmd);
void pmdstat_filter_fill(struct pmdstat_snapshot *s);

#endif /* PMDSTAT_FILTER_H */
