/* SPDX-License-Identifier: GPL-2.0 */
/*
 * detect.h - the race and lock-rule detector's decisions, in plain C: a
 * shadow share count per PMD table page, and the rules that lockdep would
 * check on a debug kernel.  The module feeds it what the probes read; the
 * userspace unit tests drive every violation kind through it.
 */
#ifndef PMDSTAT_DETECT_H
#define PMDSTAT_DETECT_H

#include "snapshot.h"

enum pmdstat_violation {
	PMDSTAT_V_STRAY_REF,		/* page_count above what sharing explains */
	PMDSTAT_V_SHADOW_MISMATCH,	/* kernel share count != shadow count */
	PMDSTAT_V_NEGATIVE,		/* a share count below zero */
	PMDSTAT_V_UNSHARE_NO_IMMAP,	/* unshare ret 1, i_mmap_rwsem not write-held */
	PMDSTAT_V_UNSHARE_NO_VMALOCK,	/* unshare ret 1, vma lock not write-held */
	PMDSTAT_V_SHARE_NO_IMMAP,	/* share scanned, i_mmap_rwsem not read-held */
	PMDSTAT_V_RECURSION,		/* task asked for a tracked rwsem it holds */
	PMDSTAT_NR_VIOLATIONS,
};

#define PMDSTAT_SHADOW_SLOTS	1024
#define PMDSTAT_SHADOW_PROBES	16

struct pmdstat_shadow_ent {
	u64 table;		/* page frame number of the PMD table; 0: empty */
	long long count;	/* other mms sharing it, as last seen under the rules */
	u64 stamp;		/* when it was last written: the oldest is evicted */
	u64 epoch;		/* the shadow's epoch then */
};

struct pmdstat_shadow {
	struct pmdstat_shadow_ent e[PMDSTAT_SHADOW_SLOTS];
	u64 nr;
	u64 full;	/* entries evicted to make room */
	u64 compared;	/* unshares checked against a shadow count */
	u64 blind;	/* unshares not compared: a share went unseen since */
	u64 clock;
	/*
	 * Set by the caller before each call: it changes whenever a share
	 * could not be observed (filtered out, missed by its probe), and an
	 * entry written in an older epoch is not compared.
	 */
	u64 epoch;
};

const char *pmdstat_violation_name(unsigned int v);

/*
 * A share, holding i_mmap_rwsem for read, leaves @table at share count @k
 * (read under the lock that serialises calls on @s).  While readers hold
 * i_mmap_rwsem a count rises (a sharer attaches) and may fall back (a
 * sharer that lost the race to populate the PUD drops its reference before
 * it leaves), so the shadow keeps the value the last share to leave saw.
 * A count of 0 means nobody shares the table (any more): it is forgotten.
 */
unsigned int pmdstat_shadow_share(struct pmdstat_shadow *s, u64 table,
				  long long k);

/*
 * An unshare (i_mmap_rwsem write-held: no share can run) begins on @table
 * with kernel share count @k and @refs page references, where the sharing
 * explains @expect_refs.  Returns the violations seen.  A count of 0 is
 * never compared: the table may be a freed one's page, reused.
 */
unsigned int pmdstat_shadow_unshare_begin(struct pmdstat_shadow *s, u64 table,
					  long long k, long long refs,
					  long long expect_refs);

/* ... and returned @ret; the shadow follows. */
unsigned int pmdstat_shadow_unshare_end(struct pmdstat_shadow *s, u64 table,
					long long k, int ret);

/* Tri-state facts for the rules. */
enum { PMDSTAT_NO = 0, PMDSTAT_YES = 1, PMDSTAT_UNKNOWN = -1 };

/*
 * Rules of huge_pmd_unshare() returning 1: i_mmap_rwsem and the vma lock
 * write-held by the task, except the vma lock during hugetlb_split()
 * (take_locks=false), which by design holds only the rmap lock.
 */
unsigned int pmdstat_rule_unshare(int ret, int immap_write_held,
				  int vmalock_write_held, bool in_split);

/* Rule of huge_pmd_share(): i_mmap_rwsem read-held while it scans. */
unsigned int pmdstat_rule_share(int immap_read_held);

/*
 * A blocking request for a lock the task already holds deadlocks (or can,
 * behind a waiting writer).
 */
unsigned int pmdstat_rule_acquire(bool already_held, bool trylock);

#endif /* PMDSTAT_DETECT_H */
