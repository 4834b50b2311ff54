/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmdstat.h - what the module's files share: the probe-site table and the
 * per-CPU counters.
 */
#ifndef PMDSTAT_H
#define PMDSTAT_H

#include <linux/kprobes.h>
#include <linux/percpu.h>
#include "locks.h"
#include "snapshot.h"

#define PMDSTAT_VERSION "0.1"

struct pmdstat_site {
	char symbol[PMDSTAT_SYM_LEN];
	char reads[PMDSTAT_READS_LEN];
	unsigned int role;
	unsigned long start;		/* symbol start; never printed */
	unsigned long size;
	int vma_arg;			/* argument register holding the vma, or -1 */
	int file_arg;			/* ... holding vma->vm_file, or -1 */
	int pud_arg;			/* ... holding the pud (share), or -1 */
	int ptep_arg;			/* ... holding the ptep (unshare), or -1 */
	unsigned long missed_base;	/* nmissed at the last reset */
	struct kretprobe rp;
};

/* Per-CPU counters; summed into a snapshot when the stats file is opened. */
struct pmdstat_pcpu {
	struct pmdstat_site_stats site[PMDSTAT_MAX_SITES];
	struct pmdstat_role_stats role[PMDSTAT_NR_ROLES];
	struct pmdstat_lock_pcpu lk;
};

extern struct pmdstat_site pmdstat_sites[PMDSTAT_MAX_SITES];
extern unsigned int pmdstat_nr_sites;
extern struct pmdstat_pcpu __percpu *pmdstat_pcpu;

int pmdstat_probes_init(unsigned int maxactive);
void pmdstat_probes_exit(void);
unsigned long pmdstat_site_nmissed(const struct pmdstat_site *site);

#endif /* PMDSTAT_H */
