/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snapshot.h - the plain data that the stats file is formatted from.  The
 * module sums its per-CPU counters into one of these when the stats file is
 * opened; userspace tests fill one by hand.  No kernel types, no pointers.
 */
#ifndef PMDSTAT_SNAPSHOT_H
#define PMDSTAT_SNAPSHOT_H

#include "hist.h"

#define PMDSTAT_FORMAT_VERSION	1
#define PMDSTAT_MAX_SITES	16
#define PMDSTAT_SYM_LEN		128
#define PMDSTAT_READS_LEN	128
#define PMDSTAT_RELEASE_LEN	65

enum pmdstat_role {
	PMDSTAT_ROLE_SHARE,
	PMDSTAT_ROLE_UNSHARE,
	PMDSTAT_NR_ROLES,
};

/* Outcome slots: share uses all three, unshare the first two. */
enum pmdstat_outcome {
	PMDSTAT_OUT_SHARE_ATTACHED = 0,
	PMDSTAT_OUT_SHARE_FRESH = 1,
	PMDSTAT_OUT_SHARE_FAILED = 2,
	PMDSTAT_OUT_UNSHARE_RET1 = 0,
	PMDSTAT_OUT_UNSHARE_RET0 = 1,
	PMDSTAT_NR_OUTCOMES = 3,
};

/* Counters of one probe site (per CPU in the module). */
struct pmdstat_site_stats {
	u64 hits;
	u64 nested;
	u64 out[PMDSTAT_NR_OUTCOMES];
	struct pmdstat_hist lat;
};

/* Counters of one role, outermost calls only (per CPU in the module). */
struct pmdstat_role_stats {
	u64 out[PMDSTAT_NR_OUTCOMES];
	struct pmdstat_hist lat;
};

struct pmdstat_snap_site {
	char symbol[PMDSTAT_SYM_LEN];
	char reads[PMDSTAT_READS_LEN];
	unsigned int role;
	u64 missed;
	struct pmdstat_site_stats st;
};

struct pmdstat_snapshot {
	char release[PMDSTAT_RELEASE_LEN];
	char module_version[16];
	u64 elapsed_ns;
	u64 resets;
	u64 maxactive;
	unsigned int nr_sites;
	struct pmdstat_snap_site site[PMDSTAT_MAX_SITES];
	struct pmdstat_role_stats role[PMDSTAT_NR_ROLES];
};

const char *pmdstat_role_name(unsigned int role);
void pmdstat_format(pmdstat_out_t *out, const struct pmdstat_snapshot *s);

#endif /* PMDSTAT_SNAPSHOT_H */
