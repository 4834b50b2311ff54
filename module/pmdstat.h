/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pmdstat.h - what the module's files share: the probe-site table and the
 * per-CPU counters.
 */
#ifndef PMDSTAT_H
#define PMDSTAT_H

#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/sched/clock.h>
#include <linux/uaccess.h>
#include "locks.h"
#include "snapshot.h"

#define PMDSTAT_VERSION "0.1"

/* every kprobe / kretprobe of the module, for one unregistration batch */
#define PMDSTAT_MAX_KPROBES	256
#define PMDSTAT_MAX_KRETPROBES	32

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
	int tramp_to;			/* a trampoline into this site, or -1 */
	bool entry_only;		/* a kprobe: outcome decided at entry */
	bool registered;
	unsigned long missed_base;	/* nmissed at the last reset */
	struct kretprobe rp;		/* share sites, and timed unshare sites */
	struct kprobe kp;		/* unshare sites (entry only) */
};

/*
 * Per-CPU counters; summed into a snapshot when the stats file is opened.
 * A reset bumps pmdstat_gen; each CPU's block is zeroed by the first
 * handler that runs there afterwards (handlers never touch another CPU's
 * block, so no update is lost or half-reset), and readers skip blocks of
 * an older generation.
 */
struct pmdstat_pcpu {
	unsigned long gen;
	struct pmdstat_site_stats site[PMDSTAT_MAX_SITES];
	struct pmdstat_role_stats role[PMDSTAT_NR_ROLES];
	struct pmdstat_lock_pcpu lk;
};

extern struct pmdstat_site pmdstat_sites[PMDSTAT_MAX_SITES];
extern unsigned int pmdstat_nr_sites;
extern struct pmdstat_pcpu __percpu *pmdstat_pcpu;
extern unsigned long pmdstat_gen;

void pmdstat_pcpu_renew(struct pmdstat_pcpu *pc, unsigned long gen);

/*
 * The clock of every duration pmdstat measures: local_clock(), as
 * lock_stat does (lockstat_clock()).  ktime_get_mono_fast_ns() reads the
 * clocksource, which in a VM whose TSC is unsynchronised is an emulated
 * HPET: a device access per read.  local_clock() reads the TSC; across
 * CPUs it may drift by a bounded amount, so a duration that ends on
 * another CPU can come out slightly negative: pmdstat_since() makes it 0.
 */
static __always_inline u64 pmdstat_clock(void)
{
	return local_clock();
}

static __always_inline u64 pmdstat_since(u64 t0, u64 now)
{
	return now > t0 ? now - t0 : 0;
}

/* This CPU's counters, of the current generation.  Probe context only. */
static __always_inline struct pmdstat_pcpu *pmdstat_this_pcpu(void)
{
	struct pmdstat_pcpu *pc = this_cpu_ptr(pmdstat_pcpu);
	unsigned long gen = READ_ONCE(pmdstat_gen);

	/* pairs with the release in pmdstat_pcpu_renew() (same CPU: order only) */
	if (unlikely(READ_ONCE(pc->gen) != gen))
		pmdstat_pcpu_renew(pc, gen);
	return pc;
}

/*
 * At a probed function's entry the stack pointer points at the return
 * address into its caller: read it without trusting it (0 if unreadable).
 */
static __always_inline unsigned long pmdstat_entry_return_address(struct pt_regs *regs)
{
	unsigned long ret = 0;

	if (get_kernel_nofault(ret, (unsigned long *)kernel_stack_pointer(regs)))
		return 0;
	return ret;
}

/* @cpu's counters for a reader, or NULL when they predate the last reset. */
static inline const struct pmdstat_pcpu *pmdstat_pcpu_of(unsigned int cpu)
{
	const struct pmdstat_pcpu *pc = per_cpu_ptr(pmdstat_pcpu, cpu);

	/* pairs with the release in pmdstat_pcpu_renew(): a zeroed block */
	return smp_load_acquire(&pc->gen) == READ_ONCE(pmdstat_gen) ? pc : NULL;
}

/*
 * tests/bench/floor builds pmdstat with PMDSTAT_FLOOR: the same probes,
 * with handlers that return at once (the cost of the probes themselves).
 */
#ifdef PMDSTAT_FLOOR
#define PMDSTAT_IS_FLOOR	1
#else
#define PMDSTAT_IS_FLOOR	0
#endif

int pmdstat_return_sites(const char *name, unsigned long *addr, unsigned int max);
unsigned int pmdstat_probes_kprobes(struct kprobe **out, unsigned int max);
unsigned int pmdstat_probes_kretprobes(struct kretprobe **out, unsigned int max);
void pmdstat_probes_forget(void);
int pmdstat_pcpu_alloc(void);
void pmdstat_pcpu_free(void);

int pmdstat_probes_init(unsigned int maxactive, bool time_unshare);
unsigned long pmdstat_site_nmissed(const struct pmdstat_site *site);
unsigned long pmdstat_site_raw_missed(const struct pmdstat_site *site);
int pmdstat_probes_arm(unsigned int maxactive);

#endif /* PMDSTAT_H */
