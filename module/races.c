// SPDX-License-Identifier: GPL-2.0
/*
 * races.c - on production kernels, where lockdep is compiled out, check
 * what lockdep and the 2019 review thread worried about:
 *  - shadow share counts per PMD table page (detect.c), fed by what the
 *    share path sees under i_mmap_rwsem (read) and what unshares see under
 *    i_mmap_rwsem (write), against the kernel's pt_share_count and
 *    page_count;
 *  - overlaps: an unshare that detaches a table of a file while a
 *    huge_pmd_share of the same file is in flight on another task;
 *  - lock rules at every unshare that returns 1 (i_mmap_rwsem and the vma
 *    lock write-held by the task; the vma is known from the unshare
 *    site or from the caller that is running: __unmap_hugepage_range,
 *    hugetlb_change_protection, move_hugetlb_page_tables,
 *    hugetlb_unshare_pmds), during share (i_mmap_rwsem read-held), and
 *    recursive acquisitions (locks.c).
 * Test-only fault injection (inject_share_delay_us) is the one place where
 * pmdstat changes timing; it is off by default and logged when on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/hash.h>
#include <linux/uaccess.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pgtable.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include "compat.h"
#include "locks.h"
#include "pmdstat.h"
#include "races.h"

unsigned int pmdstat_inject_share_delay_us;
module_param_named(inject_share_delay_us, pmdstat_inject_share_delay_us, uint, 0444);
MODULE_PARM_DESC(inject_share_delay_us,
		 "TEST ONLY: busy-wait this many microseconds (at most 200, with preemption off) at the start of every huge_pmd_share call, so that overlaps with unshares become reproducible. Changes timing; off (0) by default; logged when on.");

#define PMDSTAT_INJECT_MAX_US 200
#define VLOG_SIZE PMDSTAT_MAX_RACE_LOG
#define OLOG_SIZE PMDSTAT_MAX_RACE_LOG

static DEFINE_RAW_SPINLOCK(pmdstat_races_lock);
static struct pmdstat_shadow *pmdstat_shadow;
static atomic64_t pmdstat_violations[PMDSTAT_NR_VIOLATIONS];
static atomic64_t pmdstat_overlaps, pmdstat_unverified, pmdstat_checked;
/* unshares of a VMA split, without the vma lock by design: not reported */
static atomic64_t pmdstat_split_exempt;

struct pmdstat_vrec {
	u64 at_ns;
	unsigned long caller;
	unsigned long stack[PMDSTAT_STACK_DEPTH];
	u32 pid;
	u32 cpu;
	u8 kind;
	u8 nr_stack;
	char comm[TASK_COMM_LEN];
	char detail[PMDSTAT_DETAIL_LEN];
};

struct pmdstat_orec {
	u64 at_ns;
	u64 share_age_ns;
	u32 share_pid;
	u32 share_cpu;
	u32 unshare_pid;
	u32 unshare_cpu;
	unsigned long caller;
	char share_comm[TASK_COMM_LEN];
	char unshare_comm[TASK_COMM_LEN];
};

/* shares whose table the shadow could not see (filtered, no record) */
static atomic64_t pmdstat_unseen_shares;

void pmdstat_share_unseen(void)
{
	atomic64_inc(&pmdstat_unseen_shares);
}

NOKPROBE_SYMBOL(pmdstat_share_unseen);

/* The shadow's epoch: moves with every share it did not see. */
static u64 pmdstat_shadow_epoch(void)
{
	return atomic64_read(&pmdstat_unseen_shares) + pmdstat_share_sites_missed();
}

NOKPROBE_SYMBOL(pmdstat_shadow_epoch);

static struct pmdstat_vrec pmdstat_vlog[VLOG_SIZE];
static unsigned int pmdstat_nr_vlog;
static u64 pmdstat_vlog_drops;
static struct pmdstat_orec pmdstat_olog[OLOG_SIZE];
static unsigned int pmdstat_nr_olog;
static u64 pmdstat_olog_drops;

/* ---- reports ------------------------------------------------------- */

void pmdstat_races_report(unsigned int v, unsigned long caller,
			  unsigned long first, const char *detail)
{
	unsigned long entries[24], flags;
	struct pmdstat_vrec rec;
	unsigned int k, n, i, start = 0;

	if (!v)
		return;
	memset(&rec, 0, sizeof(rec));
	rec.at_ns = ktime_get_boot_fast_ns();
	rec.caller = caller;
	rec.pid = task_pid_nr(current);
	rec.cpu = smp_processor_id();
	memcpy(rec.comm, current->comm, TASK_COMM_LEN);
	strscpy(rec.detail, detail, sizeof(rec.detail));
	n = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	for (i = 0; i < n; i++)
		if (entries[i] == first) {
			start = i;
			break;
		}
	if (i == n)
		while (start < n && within_module(entries[start], THIS_MODULE))
			start++;
	for (i = 0; i < PMDSTAT_STACK_DEPTH && start + i < n; i++)
		rec.stack[i] = entries[start + i];
	rec.nr_stack = i;

	for (k = 0; k < PMDSTAT_NR_VIOLATIONS; k++) {
		if (!(v & (1U << k)))
			continue;
		atomic64_inc(&pmdstat_violations[k]);
		rec.kind = k;
		raw_spin_lock_irqsave(&pmdstat_races_lock, flags);
		if (pmdstat_nr_vlog < VLOG_SIZE)
			pmdstat_vlog[pmdstat_nr_vlog++] = rec;
		else
			pmdstat_vlog_drops++;
		raw_spin_unlock_irqrestore(&pmdstat_races_lock, flags);
	}
}

NOKPROBE_SYMBOL(pmdstat_races_report);

/* ---- share counts ------------------------------------------------------ */

static inline u64 table_of(const void *entry)
{
	return page_to_pfn(virt_to_page(entry));
}

/* True if the shadow saw the table (a false return moves its epoch). */
bool pmdstat_races_share_observe(unsigned long pudp)
{
	unsigned long flags;
	unsigned int v;
	pud_t pud;
	pmd_t *pmd;

	if (!pudp || get_kernel_nofault(pud, (pud_t *)pudp))
		return false;
	if (!pud_present(pud) || pud_leaf(pud))
		return false;
	pmd = pud_pgtable(pud);
	if (!virt_addr_valid(pmd))
		return false;
	/*
	 * Read the count inside the lock: the shadow keeps the value of the
	 * last share to leave, and a losing racer has undone its increment
	 * before it leaves.
	 */
	raw_spin_lock_irqsave(&pmdstat_races_lock, flags);
	pmdstat_shadow->epoch = pmdstat_shadow_epoch();
	v = pmdstat_shadow_share(pmdstat_shadow, table_of(pmd),
				 pmdstat_table_share_count(pmd));
	raw_spin_unlock_irqrestore(&pmdstat_races_lock, flags);
	if (v)
		pmdstat_races_report(v, 0, 0, "at_share");
	return true;
}

NOKPROBE_SYMBOL(pmdstat_races_share_observe);

/* Is the vma lock of the vma being unshared write-held by this task? */
static int vma_lock_state(struct pmdstat_unshare_ctx *u, bool *in_split)
{
	unsigned long vma = u->vma;
	struct rw_semaphore *sem;
	int split = pmdstat_ctx_lookup(vma ? NULL : &vma);

	*in_split = split == PMDSTAT_YES;
	if (!vma || split == PMDSTAT_UNKNOWN)
		return PMDSTAT_UNKNOWN;
	sem = pmdstat_vma_lock_of((struct vm_area_struct *)vma);
	if (!sem)
		return PMDSTAT_UNKNOWN;
	return pmdstat_rwsem_write_held_by_current(sem);
}

NOKPROBE_SYMBOL(vma_lock_state);

static void pmdstat_overlap(struct pmdstat_unshare_ctx *u, unsigned long caller)
{
	struct pmdstat_orec rec;
	unsigned long flags;
	unsigned int i;
	u64 now;

	/* shares are rare: most unshares find none in flight and stop here */
	if (!pmdstat_shares_in_flight())
		return;
	now = pmdstat_clock();
	for_each_set_bit(i, pmdstat_share_map, INFLIGHT_SLOTS) {
		const struct pmdstat_inflight *r = &pmdstat_inflight[i];
		unsigned long task = READ_ONCE(r->task);

		if (!task || task == (unsigned long)current ||
		    READ_ONCE(r->state) != ST_SHARE || READ_ONCE(r->aux2) != u->immap)
			continue;
		memset(&rec, 0, sizeof(rec));
		rec.at_ns = ktime_get_boot_fast_ns();
		rec.share_age_ns = now - min(now, READ_ONCE(r->t0));
		rec.share_pid = r->pid;
		rec.share_cpu = r->cpu;
		memcpy(rec.share_comm, r->comm, TASK_COMM_LEN);
		rec.unshare_pid = task_pid_nr(current);
		rec.unshare_cpu = smp_processor_id();
		memcpy(rec.unshare_comm, current->comm, TASK_COMM_LEN);
		rec.caller = caller;
		atomic64_inc(&pmdstat_overlaps);
		raw_spin_lock_irqsave(&pmdstat_races_lock, flags);
		if (pmdstat_nr_olog < OLOG_SIZE)
			pmdstat_olog[pmdstat_nr_olog++] = rec;
		else
			pmdstat_olog_drops++;
		raw_spin_unlock_irqrestore(&pmdstat_races_lock, flags);
	}
}

NOKPROBE_SYMBOL(pmdstat_overlap);

/*
 * An unshare of the table holding @ptep, shared by @k other mms, is
 * entered: under the lock rules it will detach the table and return 1,
 * so the whole check runs here.  The shadow follows every unshare; with
 * @report false (a task outside the filter) nothing is reported.
 */
void pmdstat_races_unshare(struct pmdstat_unshare_ctx *u, void *ptep, long long k,
			   unsigned long caller, bool report)
{
	int immap = PMDSTAT_UNKNOWN, vl;
	long long refs, expect;
	char detail[PMDSTAT_DETAIL_LEN];
	unsigned long flags;
	unsigned int v, v2;
	bool in_split;

	u->table = table_of(ptep);
	u->k = k;
	refs = page_count(virt_to_page(ptep));
	expect = pmdstat_table_expected_refs(k);
	raw_spin_lock_irqsave(&pmdstat_races_lock, flags);
	pmdstat_shadow->epoch = pmdstat_shadow_epoch();
	v = pmdstat_shadow_unshare_begin(pmdstat_shadow, u->table, k, refs, expect);
	v2 = pmdstat_shadow_unshare_end(pmdstat_shadow, u->table, k, 1);
	raw_spin_unlock_irqrestore(&pmdstat_races_lock, flags);
	if (!report)
		return;
	if (v) {
		snprintf(detail, sizeof(detail),
			 "share_count:%lld,page_count:%lld,expected_refs:%lld",
			 k, refs, expect);
		pmdstat_races_report(v, caller, 0, detail);
	}
	pmdstat_races_report(v2, caller, 0, "after_unshare");
	if (u->immap) {
		immap = pmdstat_rwsem_write_held_by_current((struct rw_semaphore *)u->immap);
		pmdstat_overlap(u, caller);
	}
	vl = vma_lock_state(u, &in_split);
	if (vl == PMDSTAT_UNKNOWN || immap == PMDSTAT_UNKNOWN)
		atomic64_inc(&pmdstat_unverified);
	else
		atomic64_inc(&pmdstat_checked);	/* both rules were checked */
	if (in_split && vl == PMDSTAT_NO)
		atomic64_inc(&pmdstat_split_exempt);
	pmdstat_races_report(pmdstat_rule_unshare(1, immap, vl, in_split),
			     caller, 0, in_split ? "unshare_in_hugetlb_split" : "unshare");
}

NOKPROBE_SYMBOL(pmdstat_races_unshare);

/* ---- the callers of unshare that tell which vma it works on ----------- */

enum { CTX_LOCKED, CTX_SPLIT, CTX_MAYBE_SPLIT };

struct pmdstat_ctxprobe {
	const char *symbol;
	int vma_arg;
	u8 kind;	/* CTX_SPLIT: unshares in it run without the vma lock, by design */
	bool registered;
	struct kretprobe rp;
};

static struct pmdstat_ctxprobe pmdstat_ctxprobes[] = {
	{ "__unmap_hugepage_range", 1 },
	{ "hugetlb_change_protection", 0 },
	{ "move_hugetlb_page_tables", 0 },
	/*
	 * (vma, start, end, ...) in every version: only the vma is read.
	 * It unshares for hugetlb_split() too, which it cannot tell.
	 */
	{ "hugetlb_unshare_pmds", 0, CTX_MAYBE_SPLIT },
#ifdef HAVE_HUGETLB_SPLIT
	{ "hugetlb_split", 0, CTX_SPLIT },
#endif
};

#define CTX_SPLIT_PROBE (ARRAY_SIZE(pmdstat_ctxprobes) - 1)

struct pmdstat_ctxcall {
	int rec;
};

/* context calls that found no in-flight slot (their context is lost) */
static atomic_t pmdstat_ctx_lost;

/*
 * Can a split be told from the rest?  Its probe is armed, and no context
 * call was missed or lost.
 */
static bool pmdstat_split_seen(void)
{
#ifdef HAVE_HUGETLB_SPLIT
	const struct pmdstat_ctxprobe *cp = &pmdstat_ctxprobes[CTX_SPLIT_PROBE];

	return cp->registered && !cp->rp.nmissed && !cp->rp.kp.nmissed &&
	       !atomic_read(&pmdstat_ctx_lost);
#else
	return true;	/* no hugetlb_split(): every unshare takes the vma lock */
#endif
}

NOKPROBE_SYMBOL(pmdstat_split_seen);

/*
 * The context of the running task's unshare: the vma of its innermost
 * context call (into *@vma, if given), and whether it runs in a VMA
 * split: PMDSTAT_YES, PMDSTAT_NO, or PMDSTAT_UNKNOWN (in
 * hugetlb_unshare_pmds() when hugetlb_split() could not be followed).
 */
int pmdstat_ctx_lookup(unsigned long *vma)
{
	unsigned int h = hash_ptr(current, ilog2(INFLIGHT_SLOTS)), i;
	unsigned int span = pmdstat_inflight_span(h);
	bool split = false, maybe = false;
	u64 newest = 0;

	for (i = 0; i < span; i++) {
		const struct pmdstat_inflight *r =
			&pmdstat_inflight[(h + i) & (INFLIGHT_SLOTS - 1)];

		if (READ_ONCE(r->task) != (unsigned long)current ||
		    r->task_start != current->start_time ||
		    READ_ONCE(r->state) != ST_CTX)
			continue;
		if (r->aux2 == CTX_SPLIT)
			split = true;
		if (r->aux2 == CTX_MAYBE_SPLIT)
			maybe = true;
		if (vma && r->t0 >= newest) {
			newest = r->t0;
			*vma = r->aux1;
		}
	}
	if (split)
		return PMDSTAT_YES;
	return maybe && !pmdstat_split_seen() ? PMDSTAT_UNKNOWN : PMDSTAT_NO;
}

NOKPROBE_SYMBOL(pmdstat_ctx_lookup);

static int ctx_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct pmdstat_ctxprobe *cp =
		container_of(get_kretprobe(ri), struct pmdstat_ctxprobe, rp);
	struct pmdstat_ctxcall *c = (struct pmdstat_ctxcall *)ri->data;
	struct pmdstat_inflight *r;

	if (PMDSTAT_IS_FLOOR)
		return 0;
	c->rec = pmdstat_inflight_alloc(0, ST_CTX, 0, 0, 0);
	if (c->rec < 0) {
		atomic_inc(&pmdstat_ctx_lost);
		return 1;
	}
	r = &pmdstat_inflight[c->rec];
	r->aux1 = regs_get_kernel_argument(regs, cp->vma_arg);
	r->aux2 = cp->kind;
	return 0;
}

NOKPROBE_SYMBOL(ctx_entry);

static int ctx_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct pmdstat_ctxcall *c = (struct pmdstat_ctxcall *)ri->data;
	struct pmdstat_inflight *r;

	if (PMDSTAT_IS_FLOOR)
		return 0;
	r = &pmdstat_inflight[c->rec];
	if (READ_ONCE(r->task) == (unsigned long)current && r->state == ST_CTX)
		pmdstat_inflight_free(r);
	return 0;
}

NOKPROBE_SYMBOL(ctx_return);

/* Allocate the detector's state; no probe is armed yet. */
int pmdstat_races_init(void)
{
	if (pmdstat_inject_share_delay_us > PMDSTAT_INJECT_MAX_US) {
		pr_err("inject_share_delay_us=%u is out of range: give 0 (off) to %d\n",
		       pmdstat_inject_share_delay_us, PMDSTAT_INJECT_MAX_US);
		return -EINVAL;
	}
	pmdstat_shadow = kvzalloc(sizeof(*pmdstat_shadow), GFP_KERNEL);
	if (!pmdstat_shadow)
		return -ENOMEM;
	return 0;
}

/* Arm the context probes (before the unshare sites). */
void pmdstat_races_arm(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(pmdstat_ctxprobes); i++) {
		struct pmdstat_ctxprobe *cp = &pmdstat_ctxprobes[i];

		cp->rp.kp.symbol_name = cp->symbol;
		cp->rp.entry_handler = ctx_entry;
		cp->rp.handler = ctx_return;
		cp->rp.data_size = sizeof(struct pmdstat_ctxcall);
		cp->rp.maxactive = max_t(unsigned int, 64, 8 * num_possible_cpus());
		err = register_kretprobe(&cp->rp);
		if (err) {
			pr_warn("cannot probe %s (error %d): the vma-lock rule is not checked on its unshares\n",
				cp->symbol, err);
			continue;
		}
		cp->registered = true;
	}
	if (pmdstat_inject_share_delay_us)
		pr_warn("FAULT INJECTION ON (test only): every huge_pmd_share call is delayed by %u us\n",
			pmdstat_inject_share_delay_us);
}

unsigned int pmdstat_races_kretprobes(struct kretprobe **out, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(pmdstat_ctxprobes) && n < max; i++)
		if (pmdstat_ctxprobes[i].registered)
			out[n++] = &pmdstat_ctxprobes[i].rp;
	return n;
}

/* After every probe is gone. */
void pmdstat_races_exit(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pmdstat_ctxprobes); i++) {
		pmdstat_ctxprobes[i].registered = false;
		memset(&pmdstat_ctxprobes[i].rp, 0, sizeof(pmdstat_ctxprobes[i].rp));
	}
	kvfree(pmdstat_shadow);
	pmdstat_shadow = NULL;
}

void pmdstat_races_reset(void)
{
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < PMDSTAT_NR_VIOLATIONS; i++)
		atomic64_set(&pmdstat_violations[i], 0);
	atomic64_set(&pmdstat_overlaps, 0);
	atomic64_set(&pmdstat_unverified, 0);
	atomic64_set(&pmdstat_checked, 0);
	atomic64_set(&pmdstat_split_exempt, 0);
	raw_spin_lock_irqsave(&pmdstat_races_lock, flags);
	if (pmdstat_shadow) {
		pmdstat_shadow->full = 0;
		pmdstat_shadow->compared = 0;
	}
	pmdstat_nr_vlog = 0;
	pmdstat_vlog_drops = 0;
	pmdstat_nr_olog = 0;
	pmdstat_olog_drops = 0;
	raw_spin_unlock_irqrestore(&pmdstat_races_lock, flags);
}

void pmdstat_races_fill(struct pmdstat_snapshot *s)
{
	struct pmdstat_vrec *v;
	struct pmdstat_orec *o;
	unsigned int i, nv, no;
	unsigned long flags;

	for (i = 0; i < PMDSTAT_NR_VIOLATIONS; i++)
		s->violations[i] = atomic64_read(&pmdstat_violations[i]);
	s->overlaps = atomic64_read(&pmdstat_overlaps);
	s->unverified = atomic64_read(&pmdstat_unverified);
	s->checked_unshares = atomic64_read(&pmdstat_checked);
	s->split_exempt = atomic64_read(&pmdstat_split_exempt);
	s->inject_delay_us = pmdstat_inject_share_delay_us;
	v = kmalloc_array(PMDSTAT_MAX_RACE_LOG, sizeof(*v), GFP_KERNEL);
	o = kmalloc_array(PMDSTAT_MAX_RACE_LOG, sizeof(*o), GFP_KERNEL);
	if (!v || !o)
		goto out;
	raw_spin_lock_irqsave(&pmdstat_races_lock, flags);
	s->shadow_tables = pmdstat_shadow->nr;
	s->shadow_full = pmdstat_shadow->full;
	s->shadow_compared = pmdstat_shadow->compared;
	nv = min_t(unsigned int, pmdstat_nr_vlog, PMDSTAT_MAX_RACE_LOG);
	no = min_t(unsigned int, pmdstat_nr_olog, PMDSTAT_MAX_RACE_LOG);
	memcpy(v, pmdstat_vlog, nv * sizeof(*v));
	memcpy(o, pmdstat_olog, no * sizeof(*o));
	s->race_log_drops = pmdstat_vlog_drops + pmdstat_olog_drops +
			    (pmdstat_nr_vlog - nv) + (pmdstat_nr_olog - no);
	raw_spin_unlock_irqrestore(&pmdstat_races_lock, flags);
	s->nr_vlog = nv;
	for (i = 0; i < nv; i++) {
		struct pmdstat_snap_violation *d = &s->vlog[i];

		d->kind = v[i].kind;
		d->at_ns = v[i].at_ns;
		d->pid = v[i].pid;
		d->cpu = v[i].cpu;
		strscpy(d->comm, v[i].comm, sizeof(d->comm));
		pmdstat_sanitize(d->comm);
		pmdstat_symbolize(d->func, sizeof(d->func), v[i].caller);
		strscpy(d->detail, v[i].detail[0] ? v[i].detail : "none", sizeof(d->detail));
		pmdstat_sanitize(d->detail);
		pmdstat_stack_text(d->stack, sizeof(d->stack), v[i].stack, v[i].nr_stack);
	}
	s->nr_olog = no;
	for (i = 0; i < no; i++) {
		struct pmdstat_snap_overlap *d = &s->olog[i];

		d->at_ns = o[i].at_ns;
		d->share_age_ns = o[i].share_age_ns;
		d->share_pid = o[i].share_pid;
		d->share_cpu = o[i].share_cpu;
		d->unshare_pid = o[i].unshare_pid;
		d->unshare_cpu = o[i].unshare_cpu;
		strscpy(d->share_comm, o[i].share_comm, sizeof(d->share_comm));
		strscpy(d->unshare_comm, o[i].unshare_comm, sizeof(d->unshare_comm));
		pmdstat_sanitize(d->share_comm);
		pmdstat_sanitize(d->unshare_comm);
		pmdstat_symbolize(d->func, sizeof(d->func), o[i].caller);
	}
out:
	kfree(v);
	kfree(o);
}
