/* SPDX-License-Identifier: GPL-2.0 */
/*
 * races.h - the race and lock-rule detector's kernel side: what the share,
 * unshare and lock probes hand it (see detect.h for the decisions).
 */
#ifndef PMDSTAT_RACES_H
#define PMDSTAT_RACES_H

#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include "detect.h"
#include "snapshot.h"

/* What an unshare call carries from entry to return. */
struct pmdstat_unshare_ctx {
	u64 table;		/* pfn of the PMD table, 0: unknown */
	long long k;		/* its share count at entry */
	unsigned long immap;	/* the file's i_mmap_rwsem, 0: unknown */
	unsigned long vma;	/* the vma, if the site has it */
};

extern unsigned int pmdstat_inject_share_delay_us;

int pmdstat_races_init(void);
void pmdstat_races_arm(void);
unsigned int pmdstat_races_kretprobes(struct kretprobe **out, unsigned int max);
void pmdstat_races_exit(void);
void pmdstat_races_reset(void);
void pmdstat_races_fill(struct pmdstat_snapshot *s);
int pmdstat_ctx_lookup(unsigned long *vma);
void pmdstat_share_unseen(void);
unsigned long pmdstat_share_sites_missed(void);

void pmdstat_races_unshare(struct pmdstat_unshare_ctx *u, void *ptep, long long k,
			   unsigned long caller, bool report);
/* a share holding i_mmap_rwsem for read is about to release it */
bool pmdstat_races_share_observe(unsigned long pud);
/* record violations (a bitmask of enum pmdstat_violation) */
void pmdstat_races_report(unsigned int v, unsigned long caller,
			  unsigned long first, const char *detail);

#endif /* PMDSTAT_RACES_H */
