// SPDX-License-Identifier: GPL-2.0
/*
 * locks.c - wait and hold times of the locks that hugetlb PMD sharing
 * depends on: the i_mmap_rwsem of every hugetlb file that share/unshare
 * touch, and the hugetlb vma locks of those files' VMAs.
 *
 * Tracking: a lock becomes tracked when a share/unshare probe (or, for vma
 * locks of a tracked file, a hugetlb_vma_* helper) touches it, and stops
 * being tracked when its inode or vma lock is freed.  Tracked addresses sit
 * in a fixed open-addressing table; nothing is allocated in probe context.
 *
 * Timing: kretprobes on down_read/down_write (and their killable,
 * interruptible and trylock forms) and kprobes on up_read/up_write and
 * downgrade_write.  For an untracked lock the entry handler only looks the
 * address up and declines the return probe.  For a tracked one it keeps an
 * in-flight record per (task, lock): wait = request to acquisition,
 * including optimistic spinning, hold = acquisition to release.  An
 * acquisition that entered rwsem_down_{read,write}_slowpath is contended.
 * The records are also the live view.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include "compat.h"
#include "locks.h"
#include "pmdstat.h"
#include "filter.h"
#include "races.h"

/* ---- tracked locks -------------------------------------------------- */

#define TRACK_SLOTS	1024
#define TRACK_PROBES	16
#define TRACK_TOMB	1UL
#define KIND_MASK	7UL

struct pmdstat_tracked {
	unsigned long key;	/* lock address | kind; 0 empty; 1 deleted */
	unsigned long owner;	/* the vma of a vma lock; never printed */
	u32 dev_major;
	u32 dev_minor;
	u64 ino;
};

static struct pmdstat_tracked pmdstat_track[TRACK_SLOTS];
static atomic_t pmdstat_nr_tracked[PMDSTAT_NR_LK];
static atomic_t pmdstat_nr_tracked_all;
static atomic64_t pmdstat_track_full;

static inline unsigned int track_hash(unsigned long addr)
{
	return hash_long(addr >> 3, ilog2(TRACK_SLOTS));
}

/* The kind of tracked lock at @addr, or -1.  The hot path of every rwsem. */
static int pmdstat_tracked_kind(unsigned long addr, struct pmdstat_tracked **ent)
{
	unsigned int h, i;

	if (!atomic_read(&pmdstat_nr_tracked_all))
		return -1;
	h = track_hash(addr);
	for (i = 0; i < TRACK_PROBES; i++) {
		struct pmdstat_tracked *t = &pmdstat_track[(h + i) & (TRACK_SLOTS - 1)];
		unsigned long key = READ_ONCE(t->key);

		if (!key)
			return -1;
		if ((key & ~KIND_MASK) == addr) {
			if (ent)
				*ent = t;
			return key & KIND_MASK;
		}
	}
	return -1;
}

NOKPROBE_SYMBOL(pmdstat_tracked_kind);

static void pmdstat_track_lock(unsigned long addr, unsigned int kind,
			       struct inode *inode, unsigned long owner)
{
	struct pmdstat_tracked *free = NULL;
	unsigned int h = track_hash(addr), i;
	unsigned long old;

	for (i = 0; i < TRACK_PROBES; i++) {
		struct pmdstat_tracked *t = &pmdstat_track[(h + i) & (TRACK_SLOTS - 1)];
		unsigned long key = READ_ONCE(t->key);

		if ((key & ~KIND_MASK) == addr)
			return;
		if (key == TRACK_TOMB && !free)
			free = t;
		if (!key) {
			if (!free)
				free = t;
			break;
		}
	}
	if (!free) {
		atomic64_inc(&pmdstat_track_full);
		return;
	}
	old = READ_ONCE(free->key);
	if (old > TRACK_TOMB || cmpxchg(&free->key, old, addr | kind) != old) {
		atomic64_inc(&pmdstat_track_full);	/* lost a race: rare */
		return;
	}
	free->owner = owner;
	if (inode) {
		free->dev_major = MAJOR(inode->i_sb->s_dev);
		free->dev_minor = MINOR(inode->i_sb->s_dev);
		free->ino = inode->i_ino;
	}
	atomic_inc(&pmdstat_nr_tracked[kind]);
	atomic_inc(&pmdstat_nr_tracked_all);
}

NOKPROBE_SYMBOL(pmdstat_track_lock);

static void pmdstat_untrack_lock(unsigned long addr)
{
	unsigned int h = track_hash(addr), i;

	for (i = 0; i < TRACK_PROBES; i++) {
		struct pmdstat_tracked *t = &pmdstat_track[(h + i) & (TRACK_SLOTS - 1)];
		unsigned long key = READ_ONCE(t->key);

		if (!key)
			return;
		if ((key & ~KIND_MASK) == addr &&
		    cmpxchg(&t->key, key, TRACK_TOMB) == key) {
			atomic_dec(&pmdstat_nr_tracked[key & KIND_MASK]);
			atomic_dec(&pmdstat_nr_tracked_all);
		}
	}
}

NOKPROBE_SYMBOL(pmdstat_untrack_lock);

/*
 * A hugetlb VMA is closing: its vma lock is freed now or was freed by the
 * zap that preceded the close (__hugetlb_vma_unlock_write_free()), whose
 * kref release is inlined.  Forget every lock tracked for this vma.
 */
static void pmdstat_untrack_owner(unsigned long owner)
{
	unsigned int i;

	for (i = 0; i < TRACK_SLOTS; i++) {
		struct pmdstat_tracked *t = &pmdstat_track[i];
		unsigned long key = READ_ONCE(t->key);

		if (key > TRACK_TOMB && READ_ONCE(t->owner) == owner &&
		    cmpxchg(&t->key, key, TRACK_TOMB) == key) {
			atomic_dec(&pmdstat_nr_tracked[key & KIND_MASK]);
			atomic_dec(&pmdstat_nr_tracked_all);
		}
	}
}

NOKPROBE_SYMBOL(pmdstat_untrack_owner);

void pmdstat_track_mapping(struct address_space *mapping)
{
	if (mapping)
		pmdstat_track_lock((unsigned long)&mapping->i_mmap_rwsem,
				   PMDSTAT_LK_IMMAP, mapping->host, 0);
}

NOKPROBE_SYMBOL(pmdstat_track_mapping);

static void pmdstat_track_vma_lock(struct vm_area_struct *vma)
{
	struct rw_semaphore *sem = pmdstat_vma_lock_of(vma);

	if (sem)
		pmdstat_track_lock((unsigned long)sem, PMDSTAT_LK_VMA,
				   file_inode(vma->vm_file), (unsigned long)vma);
}

NOKPROBE_SYMBOL(pmdstat_track_vma_lock);

void pmdstat_track_vma(struct vm_area_struct *vma)
{
	if (!vma || !vma->vm_file)
		return;
	pmdstat_track_mapping(vma->vm_file->f_mapping);
	pmdstat_track_vma_lock(vma);
}

NOKPROBE_SYMBOL(pmdstat_track_vma);

/* ---- in-flight records: who waits, holds, shares right now ----------- */

struct pmdstat_inflight pmdstat_inflight[INFLIGHT_SLOTS];
static unsigned long pmdstat_share_lo, pmdstat_share_hi;

void pmdstat_set_share_range(unsigned long start, unsigned long end)
{
	pmdstat_share_lo = start;
	pmdstat_share_hi = end;
}

static inline bool in_share(unsigned long caller)
{
	return caller > pmdstat_share_lo && caller <= pmdstat_share_hi;
}

static inline unsigned int inflight_hash(void)
{
	return hash_ptr(current, ilog2(INFLIGHT_SLOTS));
}

int pmdstat_inflight_alloc(unsigned long lock, unsigned int state,
			   unsigned int kind, unsigned int mode,
			   unsigned long caller)
{
	unsigned int h = inflight_hash(), i;

	for (i = 0; i < INFLIGHT_PROBES; i++) {
		unsigned int idx = (h + i) & (INFLIGHT_SLOTS - 1);
		struct pmdstat_inflight *r = &pmdstat_inflight[idx];

		if (READ_ONCE(r->task) ||
		    cmpxchg(&r->task, 0, (unsigned long)current))
			continue;
		r->lock = lock;
		r->task_start = current->start_time;
		r->caller = caller;
		r->pid = task_pid_nr(current);
		r->cpu = smp_processor_id();
		r->scan = 0;
		r->aux1 = 0;
		r->aux2 = 0;
		r->checked = 0;
		r->kind = kind;
		r->mode = mode;
		r->contended = 0;
		r->from_share = 0;
		memcpy(r->comm, current->comm, TASK_COMM_LEN);
		r->t0 = ktime_get_mono_fast_ns();
		/* publish a complete record to the live view */
		smp_store_release(&r->state, state);
		return idx;
	}
	this_cpu_inc(pmdstat_pcpu->lk.inflight_full);
	return -1;
}

NOKPROBE_SYMBOL(pmdstat_inflight_alloc);

struct pmdstat_inflight *pmdstat_inflight_find(unsigned long lock,
					       unsigned int state)
{
	unsigned int h = inflight_hash(), i;

	for (i = 0; i < INFLIGHT_PROBES; i++) {
		struct pmdstat_inflight *r =
			&pmdstat_inflight[(h + i) & (INFLIGHT_SLOTS - 1)];

		if (READ_ONCE(r->task) == (unsigned long)current &&
		    r->lock == lock && r->state == state &&
		    r->task_start == current->start_time)
			return r;
	}
	return NULL;
}

NOKPROBE_SYMBOL(pmdstat_inflight_find);

void pmdstat_inflight_free(struct pmdstat_inflight *r)
{
	WRITE_ONCE(r->state, 0);
	/* the slot is free only after its state is cleared */
	smp_store_release(&r->task, 0);
}

NOKPROBE_SYMBOL(pmdstat_inflight_free);

int pmdstat_share_begin(unsigned long pud, unsigned long immap)
{
	int rec = pmdstat_inflight_alloc(0, ST_SHARE, 0, 0, pmdstat_share_lo + 1);

	if (rec >= 0) {
		pmdstat_inflight[rec].aux1 = pud;
		WRITE_ONCE(pmdstat_inflight[rec].aux2, immap);
	}
	return rec;
}

NOKPROBE_SYMBOL(pmdstat_share_begin);

void pmdstat_share_end(int rec, bool attached)
{
	struct pmdstat_inflight *r;

	if (rec < 0)
		return;
	r = &pmdstat_inflight[rec];
	if (READ_ONCE(r->task) != (unsigned long)current || r->state != ST_SHARE)
		return;
	/*
	 * One vma_interval_tree_iter_next() call per VMA the loop finished
	 * with; a scan that found a table to share broke out of the loop
	 * on the VMA it was looking at.
	 */
	pmdstat_hist_add(&this_cpu_ptr(pmdstat_pcpu)->lk.scan,
			 r->scan + (attached ? 1 : 0));
	pmdstat_inflight_free(r);
}

NOKPROBE_SYMBOL(pmdstat_share_end);

/* ---- outliers and the event log ------------------------------------- */

#define EVLOG_SIZE	256
#define STACK_SAVE	24

struct pmdstat_event {
	u64 ns;
	u64 at_ns;
	unsigned long caller;
	unsigned long stack[PMDSTAT_STACK_DEPTH];
	u32 pid;
	u32 cpu;
	u32 dev_major;
	u32 dev_minor;
	u64 ino;
	u8 what;
	u8 kind;
	u8 mode;
	u8 nr_stack;
	char comm[TASK_COMM_LEN];
};

static DEFINE_RAW_SPINLOCK(pmdstat_ev_lock);
static struct pmdstat_event pmdstat_top[PMDSTAT_NR_WHAT][PMDSTAT_TOP];
static unsigned int pmdstat_nr_top[PMDSTAT_NR_WHAT];
static u64 pmdstat_top_min[PMDSTAT_NR_WHAT];
static struct pmdstat_event pmdstat_evlog[EVLOG_SIZE];
static unsigned int pmdstat_ev_count;
static u64 pmdstat_ev_total, pmdstat_ev_drops;
static u64 pmdstat_threshold_ns;

/*
 * Save the stack from the frame that returns into @first on (the lock
 * function's caller), leaving out our handler and the probe machinery.
 */
static unsigned int pmdstat_save_stack(unsigned long *out, unsigned long first)
{
	unsigned long entries[STACK_SAVE];
	unsigned int n, i, start = 0, k;

	n = stack_trace_save(entries, STACK_SAVE, 0);
	for (i = 0; i < n; i++)
		if (entries[i] == first) {
			start = i;
			break;
		}
	if (i == n)	/* not found: drop our own frames only */
		while (start < n && within_module(entries[start], THIS_MODULE))
			start++;
	for (k = 0; k < PMDSTAT_STACK_DEPTH && start + k < n; k++)
		out[k] = entries[start + k];
	return k;
}

NOKPROBE_SYMBOL(pmdstat_save_stack);

static void pmdstat_note(unsigned int what, const struct pmdstat_inflight *r,
			 u64 ns, u64 now, unsigned long first)
{
	u64 thr = READ_ONCE(pmdstat_threshold_ns);
	bool top = READ_ONCE(pmdstat_nr_top[what]) < PMDSTAT_TOP ||
		   ns > READ_ONCE(pmdstat_top_min[what]);
	bool log = thr && ns >= thr;
	struct pmdstat_tracked *ent = NULL;
	struct pmdstat_event ev;
	unsigned long flags;
	unsigned int i, n;

	if (!top && !log)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.what = what;
	ev.kind = r->kind;
	ev.mode = r->mode;
	ev.ns = ns;
	ev.at_ns = ktime_get_boot_fast_ns();
	ev.caller = r->caller;
	ev.pid = task_pid_nr(current);
	ev.cpu = smp_processor_id();
	memcpy(ev.comm, current->comm, TASK_COMM_LEN);
	if (pmdstat_tracked_kind(r->lock, &ent) >= 0 && ent) {
		ev.dev_major = ent->dev_major;
		ev.dev_minor = ent->dev_minor;
		ev.ino = ent->ino;
	}
	ev.nr_stack = pmdstat_save_stack(ev.stack, first);
	(void)now;

	raw_spin_lock_irqsave(&pmdstat_ev_lock, flags);
	if (top) {
		n = pmdstat_nr_top[what];
		/* insertion into a descending array of at most PMDSTAT_TOP */
		for (i = n; i > 0 && pmdstat_top[what][i - 1].ns < ns; i--)
			if (i < PMDSTAT_TOP)
				pmdstat_top[what][i] = pmdstat_top[what][i - 1];
		if (i < PMDSTAT_TOP) {
			pmdstat_top[what][i] = ev;
			if (n < PMDSTAT_TOP)
				pmdstat_nr_top[what] = ++n;
		}
		if (n == PMDSTAT_TOP)
			WRITE_ONCE(pmdstat_top_min[what],
				   pmdstat_top[what][PMDSTAT_TOP - 1].ns);
	}
	if (log) {
		pmdstat_ev_total++;
		if (pmdstat_ev_count < EVLOG_SIZE)
			pmdstat_evlog[pmdstat_ev_count++] = ev;
		else
			pmdstat_ev_drops++;
	}
	raw_spin_unlock_irqrestore(&pmdstat_ev_lock, flags);
}

NOKPROBE_SYMBOL(pmdstat_note);

/* ---- per-CPU accounting ---------------------------------------------- */

static struct pmdstat_caller_stats *caller_slot(struct pmdstat_lock_pcpu *lk,
						unsigned long caller,
						unsigned int kind,
						unsigned int mode)
{
	unsigned int i;

	for (i = 0; i < PMDSTAT_PCPU_CALLERS; i++) {
		struct pmdstat_caller_stats *c = &lk->caller[i];

		if (c->caller == caller && c->kind == kind && c->mode == mode)
			return c;
		if (!c->caller) {
			c->caller = caller;
			c->kind = kind;
			c->mode = mode;
			return c;
		}
	}
	lk->callers_full++;
	return NULL;
}

NOKPROBE_SYMBOL(caller_slot);

/* ---- the lock probes ----------------------------------------------- */

enum lp_op {
	LP_ACQ,		/* down_*: kretprobe */
	LP_TRY,		/* down_*_trylock: kretprobe, returns 1 on success */
	LP_REL,		/* up_*: kprobe */
	LP_DOWNGRADE,	/* downgrade_write: kprobe */
	LP_SLOW,	/* rwsem_down_*_slowpath: the acquisition is contended */
	LP_TRACK_VMA,	/* hugetlb_vma_*lock*(vma): track a vma lock of a tracked file */
	LP_FREE_VMALOCK,	/* hugetlb_vma_lock_release(kref) */
	LP_CLOSE_VMA,	/* hugetlb_vm_op_close(vma) */
	LP_FREE_INODE,	/* hugetlbfs_destroy_inode(inode) */
	LP_SCAN,	/* vma_interval_tree_iter_next from huge_pmd_share */
};

struct pmdstat_lockprobe {
	const char *symbol;
	u8 op;
	u8 mode;
	bool status;	/* returns 0 on success, -EINTR when interrupted */
	bool optional;	/* load without it, saying what is lost */
	bool registered;
	struct kretprobe rp;
	struct kprobe kp;
};

static struct pmdstat_lockprobe pmdstat_lockprobes[] = {
	{ "down_read", LP_ACQ, PMDSTAT_MODE_READ },
	{ "down_read_killable", LP_ACQ, PMDSTAT_MODE_READ, true },
	{ "down_read_interruptible", LP_ACQ, PMDSTAT_MODE_READ, true },
	{ "down_write", LP_ACQ, PMDSTAT_MODE_WRITE },
	{ "down_write_killable", LP_ACQ, PMDSTAT_MODE_WRITE, true },
	{ "down_read_trylock", LP_TRY, PMDSTAT_MODE_READ },
	{ "down_write_trylock", LP_TRY, PMDSTAT_MODE_WRITE },
	{ "up_read", LP_REL, PMDSTAT_MODE_READ },
	{ "up_write", LP_REL, PMDSTAT_MODE_WRITE },
	{ "downgrade_write", LP_DOWNGRADE, PMDSTAT_MODE_WRITE },
	{ "rwsem_down_read_slowpath", LP_SLOW, PMDSTAT_MODE_READ, false, true },
	{ "rwsem_down_write_slowpath", LP_SLOW, PMDSTAT_MODE_WRITE, false, true },
	{ "hugetlb_vma_lock_read", LP_TRACK_VMA, 0, false, true },
	{ "hugetlb_vma_lock_write", LP_TRACK_VMA, 0, false, true },
	{ "hugetlb_vma_trylock_write", LP_TRACK_VMA, 0, false, true },
	{ "hugetlb_vma_lock_release", LP_FREE_VMALOCK, 0, false, true },
	{ "hugetlb_vm_op_close", LP_CLOSE_VMA },
	{ "hugetlbfs_destroy_inode", LP_FREE_INODE },
	{ "vma_interval_tree_iter_next", LP_SCAN, 0, false, true },
};

#define NR_LOCKPROBES ARRAY_SIZE(pmdstat_lockprobes)

struct pmdstat_lockcall {
	int rec;
};

static inline struct pmdstat_lock_pcpu *lk_pcpu(void)
{
	return &this_cpu_ptr(pmdstat_pcpu)->lk;
}

static inline unsigned long return_address(struct pt_regs *regs)
{
	return *(unsigned long *)kernel_stack_pointer(regs);
}

static int lp_acq_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct pmdstat_lockprobe *lp =
		container_of(get_kretprobe(ri), struct pmdstat_lockprobe, rp);
	struct pmdstat_lockcall *c = (struct pmdstat_lockcall *)ri->data;
	struct pmdstat_lock_pcpu *lk = lk_pcpu();
	unsigned int idx = lp - pmdstat_lockprobes;
	unsigned long sem = regs->di;
	int kind;

	lk->probe[idx].calls++;
	kind = pmdstat_tracked_kind(sem, NULL);
	if (kind < 0 || pmdstat_filtered_out())
		return 1;	/* untracked or filtered out: no return probe */
	lk->probe[idx].hits++;
	/* before it blocks: does this task already hold it? */
	if (lp->op == LP_ACQ && pmdstat_inflight_find(sem, ST_HOLD))
		pmdstat_races_report(pmdstat_rule_acquire(true, false),
				     return_address(regs), return_address(regs),
				     lp->mode == PMDSTAT_MODE_WRITE ?
				     "write_request_while_holding" :
				     "read_request_while_holding");
	c->rec = pmdstat_inflight_alloc(sem, ST_WAIT, kind, lp->mode,
					return_address(regs));
	return c->rec < 0;
}

NOKPROBE_SYMBOL(lp_acq_entry);

static int lp_acq_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct pmdstat_lockprobe *lp =
		container_of(get_kretprobe(ri), struct pmdstat_lockprobe, rp);
	struct pmdstat_lockcall *c = (struct pmdstat_lockcall *)ri->data;
	struct pmdstat_inflight *r = &pmdstat_inflight[c->rec];
	struct pmdstat_lock_pcpu *lk = lk_pcpu();
	long ret = (long)regs_return_value(regs);
	struct pmdstat_caller_stats *cs;
	struct pmdstat_lock_stats *l;
	u64 now, wait;
	bool ok;

	if (READ_ONCE(r->task) != (unsigned long)current || r->state != ST_WAIT)
		return 0;
	now = ktime_get_mono_fast_ns();
	wait = now - r->t0;
	l = &lk->lock[r->kind][r->mode];
	cs = caller_slot(lk, r->caller, r->kind, r->mode);
	if (lp->op == LP_TRY) {
		ok = (int)ret == 1;
		if (ok) {
			l->try_ok++;
			if (cs)
				cs->try_ok++;
		} else {
			l->try_fail++;
			if (cs)
				cs->try_fail++;
		}
	} else {
		ok = !lp->status || (int)ret == 0;
		if (!ok)
			l->failed++;
	}
	if (!ok) {
		pmdstat_inflight_free(r);
		return 0;
	}
	l->acquired++;
	pmdstat_hist_add(&l->wait, wait);
	if (r->contended)
		l->contended++;
	if (cs) {
		cs->acquired++;
		cs->contended += r->contended;
		cs->wait_total += wait;
		if (wait > cs->wait_max)
			cs->wait_max = wait;
	}
	if (r->kind == PMDSTAT_LK_IMMAP && in_share(r->caller)) {
		r->from_share = 1;
		pmdstat_hist_add(&lk->share_wait, wait);
	}
	pmdstat_note(PMDSTAT_WAIT, r, wait, now, r->caller);
	r->t0 = now;
	WRITE_ONCE(r->state, ST_HOLD);
	return 0;
}

NOKPROBE_SYMBOL(lp_acq_return);

static void lp_end_hold(struct pmdstat_lock_pcpu *lk, struct pmdstat_inflight *r,
			u64 now, unsigned long first)
{
	struct pmdstat_caller_stats *cs;
	u64 hold = now - r->t0;

	pmdstat_hist_add(&lk->lock[r->kind][r->mode].hold, hold);
	cs = caller_slot(lk, r->caller, r->kind, r->mode);
	if (cs) {
		cs->holds++;
		cs->hold_total += hold;
		if (hold > cs->hold_max)
			cs->hold_max = hold;
	}
	if (r->from_share)
		pmdstat_hist_add(&lk->share_hold, hold);
	pmdstat_note(PMDSTAT_HOLD, r, hold, now, first);
}

NOKPROBE_SYMBOL(lp_end_hold);

static int lp_kprobe(struct kprobe *kp, struct pt_regs *regs)
{
	struct pmdstat_lockprobe *lp =
		container_of(kp, struct pmdstat_lockprobe, kp);
	struct pmdstat_lock_pcpu *lk = lk_pcpu();
	unsigned int idx = lp - pmdstat_lockprobes;
	unsigned long arg = regs->di;
	struct pmdstat_inflight *r;
	u64 now;

	lk->probe[idx].calls++;
	switch (lp->op) {
	case LP_REL:
	case LP_DOWNGRADE:
		if (pmdstat_tracked_kind(arg, NULL) < 0 || pmdstat_filtered_out())
			return 0;
		lk->probe[idx].hits++;
		r = pmdstat_inflight_find(arg, ST_HOLD);
		if (!r) {
			/* taken before tracking began, or by another task */
			lk->unmatched++;
			return 0;
		}
		now = ktime_get_mono_fast_ns();
		if (r->from_share && lp->op == LP_REL) {
			/* still under i_mmap_rwsem: the table this share left */
			struct pmdstat_inflight *sh = pmdstat_inflight_find(0, ST_SHARE);

			if (sh)
				pmdstat_races_share_observe(sh->aux1);
		}
		lp_end_hold(lk, r, now, return_address(regs));
		if (lp->op == LP_DOWNGRADE) {
			r->mode = PMDSTAT_MODE_READ;
			r->t0 = now;
		} else {
			pmdstat_inflight_free(r);
		}
		break;
	case LP_SLOW:
		if (pmdstat_tracked_kind(arg, NULL) < 0)
			return 0;
		lk->probe[idx].hits++;
		r = pmdstat_inflight_find(arg, ST_WAIT);
		if (r)
			r->contended = 1;
		break;
	case LP_TRACK_VMA: {
		struct vm_area_struct *vma = (struct vm_area_struct *)arg;

		if (vma->vm_file &&
		    pmdstat_tracked_kind((unsigned long)&vma->vm_file->f_mapping->i_mmap_rwsem,
					 NULL) >= 0) {
			lk->probe[idx].hits++;
			pmdstat_track_vma_lock(vma);
		}
		break;
	}
	case LP_FREE_VMALOCK:
		pmdstat_untrack_lock((unsigned long)
				     pmdstat_vma_lock_of_kref((struct kref *)arg));
		break;
	case LP_CLOSE_VMA:
		if (atomic_read(&pmdstat_nr_tracked[PMDSTAT_LK_VMA]))
			pmdstat_untrack_owner(arg);
		break;
	case LP_FREE_INODE:
		pmdstat_untrack_lock((unsigned long)
				     &((struct inode *)arg)->i_mapping->i_mmap_rwsem);
		break;
	case LP_SCAN:
		if (!in_share(return_address(regs)))
			return 0;
		r = pmdstat_inflight_find(0, ST_SHARE);
		if (r) {
			struct pmdstat_inflight *h;

			lk->probe[idx].hits++;
			r->scan++;
			if (!r->checked && r->aux2) {
				/* the scan must run under i_mmap_rwsem (read) */
				r->checked = 1;
				h = pmdstat_inflight_find(r->aux2, ST_HOLD);
				pmdstat_races_report(pmdstat_rule_share(h ? PMDSTAT_YES :
									PMDSTAT_NO),
						     pmdstat_share_lo + 1,
						     return_address(regs),
						     "scan_without_i_mmap_rwsem");
			}
		}
		break;
	}
	return 0;
}

NOKPROBE_SYMBOL(lp_kprobe);

int pmdstat_locks_init(void)
{
	unsigned int i, maxactive = max_t(unsigned int, 256, 32 * num_possible_cpus());
	int err;

	for (i = 0; i < NR_LOCKPROBES; i++) {
		struct pmdstat_lockprobe *lp = &pmdstat_lockprobes[i];

		if (lp->op == LP_ACQ || lp->op == LP_TRY) {
			lp->rp.kp.symbol_name = lp->symbol;
			lp->rp.entry_handler = lp_acq_entry;
			lp->rp.handler = lp_acq_return;
			lp->rp.data_size = sizeof(struct pmdstat_lockcall);
			lp->rp.maxactive = maxactive;
			err = register_kretprobe(&lp->rp);
		} else {
			lp->kp.symbol_name = lp->symbol;
			lp->kp.pre_handler = lp_kprobe;
			err = register_kprobe(&lp->kp);
		}
		if (!err) {
			lp->registered = true;
			continue;
		}
		if (lp->optional) {
			pr_warn("cannot probe %s (error %d): %s\n", lp->symbol, err,
				lp->op == LP_SLOW ? "contended counts will be missing" :
				lp->op == LP_SCAN ? "scan_vmas will be empty" :
				lp->op == LP_FREE_VMALOCK ? "freed vma locks stay tracked" :
				"vma locks are tracked only from share/unshare");
			continue;
		}
		pr_err("cannot probe %s (error %d): lock timing needs it\n",
		       lp->symbol, err);
		pmdstat_locks_exit();
		return err;
	}
	return 0;
}

void pmdstat_locks_exit(void)
{
	unsigned int i;

	for (i = 0; i < NR_LOCKPROBES; i++) {
		struct pmdstat_lockprobe *lp = &pmdstat_lockprobes[i];

		if (!lp->registered)
			continue;
		if (lp->op == LP_ACQ || lp->op == LP_TRY)
			unregister_kretprobe(&lp->rp);
		else
			unregister_kprobe(&lp->kp);
		lp->registered = false;
	}
}

static unsigned long lp_nmissed(const struct pmdstat_lockprobe *lp)
{
	if (!lp->registered)
		return 0;
	if (lp->op == LP_ACQ || lp->op == LP_TRY)
		return lp->rp.nmissed + lp->rp.kp.nmissed;
	return lp->kp.nmissed;
}

static unsigned long pmdstat_lp_missed_base[ARRAY_SIZE(pmdstat_lockprobes)];

void pmdstat_locks_reset(void)
{
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < NR_LOCKPROBES; i++)
		pmdstat_lp_missed_base[i] = lp_nmissed(&pmdstat_lockprobes[i]);
	raw_spin_lock_irqsave(&pmdstat_ev_lock, flags);
	memset(pmdstat_nr_top, 0, sizeof(pmdstat_nr_top));
	memset(pmdstat_top_min, 0, sizeof(pmdstat_top_min));
	pmdstat_ev_count = 0;
	pmdstat_ev_total = 0;
	pmdstat_ev_drops = 0;
	raw_spin_unlock_irqrestore(&pmdstat_ev_lock, flags);
	atomic64_set(&pmdstat_track_full, 0);
}

int pmdstat_locks_set_threshold(unsigned long us)
{
	if (us > 60UL * 1000 * 1000)
		return -EINVAL;
	WRITE_ONCE(pmdstat_threshold_ns, (u64)us * 1000);
	return 0;
}

/* ---- snapshot ---------------------------------------------------------- */

/*
 * Make text safe for the key=value format: a task can name itself anything,
 * so every byte that is not a visible ASCII character, or is '=', becomes
 * '?'.
 */
void pmdstat_sanitize(char *p)
{
	for (; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == '=')
			*p = '?';
}

/*
 * The function that made a call returning to @addr (addr - 1 is inside it),
 * or "?": an address without a symbol is never printed.
 */
void pmdstat_symbolize(char *buf, size_t len, unsigned long addr)
{
	if (!addr) {
		strscpy(buf, "?", len);
		return;
	}
	snprintf(buf, len, "%ps", (void *)(addr - 1));
	if (!strncmp(buf, "0x", 2))
		strscpy(buf, "?", len);
	pmdstat_sanitize(buf);
}

/*
 * "f+0x1/0x20,g+0x2/0x40": whole frames only, "?" for a frame without a
 * symbol, the " [module]" suffix dropped.
 */
void pmdstat_stack_text(char *buf, size_t len, const unsigned long *stack,
			unsigned int n)
{
	char frame[KSYM_SYMBOL_LEN];
	size_t off = 0, fl;
	unsigned int i;
	char *sp;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(frame, sizeof(frame), "%pB", (void *)stack[i]);
		if (!strncmp(frame, "0x", 2))
			strscpy(frame, "?", sizeof(frame));
		sp = strchr(frame, ' ');
		if (sp)
			*sp = '\0';
		pmdstat_sanitize(frame);
		fl = strlen(frame) + (i ? 1 : 0);
		if (off + fl + 1 > len)
			break;
		off += scnprintf(buf + off, len - off, "%s%s", i ? "," : "", frame);
	}
}

static void pmdstat_event_to_snap(struct pmdstat_snap_event *d,
				  const struct pmdstat_event *e)
{
	d->what = e->what;
	d->kind = e->kind;
	d->mode = e->mode;
	d->ns = e->ns;
	d->at_ns = e->at_ns;
	d->dev_major = e->dev_major;
	d->dev_minor = e->dev_minor;
	d->ino = e->ino;
	d->pid = e->pid;
	d->cpu = e->cpu;
	pmdstat_symbolize(d->func, sizeof(d->func), e->caller);
	strscpy(d->comm, e->comm, sizeof(d->comm));
	pmdstat_sanitize(d->comm);
	pmdstat_stack_text(d->stack, sizeof(d->stack), e->stack, e->nr_stack);
}

static void pmdstat_fill_callers(struct pmdstat_snapshot *s)
{
	char func[PMDSTAT_FUNC_LEN];
	unsigned int cpu, i, j;

	for_each_possible_cpu(cpu) {
		const struct pmdstat_lock_pcpu *lk = &per_cpu_ptr(pmdstat_pcpu, cpu)->lk;

		for (i = 0; i < PMDSTAT_PCPU_CALLERS && lk->caller[i].caller; i++) {
			const struct pmdstat_caller_stats *c = &lk->caller[i];
			struct pmdstat_snap_caller *d = NULL;

			pmdstat_symbolize(func, sizeof(func), c->caller);
			pmdstat_sanitize(func);
			for (j = 0; j < s->nr_callers; j++)
				if (s->caller[j].kind == c->kind &&
				    s->caller[j].mode == c->mode &&
				    !strcmp(s->caller[j].func, func))
					d = &s->caller[j];
			if (!d) {
				if (s->nr_callers == PMDSTAT_MAX_CALLERS) {
					s->callers_full++;
					continue;
				}
				d = &s->caller[s->nr_callers++];
				strscpy(d->func, func, sizeof(d->func));
				d->kind = c->kind;
				d->mode = c->mode;
			}
			d->acquired += c->acquired;
			d->contended += c->contended;
			d->try_ok += c->try_ok;
			d->try_fail += c->try_fail;
			d->wait_total += c->wait_total;
			d->wait_max = max(d->wait_max, c->wait_max);
			d->holds += c->holds;
			d->hold_total += c->hold_total;
			d->hold_max = max(d->hold_max, c->hold_max);
		}
	}
}

void pmdstat_locks_fill(struct pmdstat_snapshot *s)
{
	struct pmdstat_event *top;
	unsigned int cpu, i, k, m, w, n[PMDSTAT_NR_WHAT];
	unsigned long flags;

	for (i = 0; i < NR_LOCKPROBES; i++) {
		const struct pmdstat_lockprobe *lp = &pmdstat_lockprobes[i];

		if (!lp->registered || s->nr_lockprobes == PMDSTAT_MAX_LOCKPROBES)
			continue;
		strscpy(s->lockprobe[s->nr_lockprobes].symbol, lp->symbol,
			sizeof(s->lockprobe[0].symbol));
		s->lockprobe[s->nr_lockprobes].missed =
			lp_nmissed(lp) - pmdstat_lp_missed_base[i];
		for_each_possible_cpu(cpu) {
			const struct pmdstat_lock_pcpu *lk =
				&per_cpu_ptr(pmdstat_pcpu, cpu)->lk;

			s->lockprobe[s->nr_lockprobes].calls += lk->probe[i].calls;
			s->lockprobe[s->nr_lockprobes].hits += lk->probe[i].hits;
		}
		s->nr_lockprobes++;
	}
	for_each_possible_cpu(cpu) {
		const struct pmdstat_lock_pcpu *lk = &per_cpu_ptr(pmdstat_pcpu, cpu)->lk;

		for (k = 0; k < PMDSTAT_NR_LK; k++)
			for (m = 0; m < PMDSTAT_NR_MODES; m++) {
				struct pmdstat_lock_stats *d = &s->lock[k][m];
				const struct pmdstat_lock_stats *l = &lk->lock[k][m];

				d->acquired += l->acquired;
				d->contended += l->contended;
				d->try_ok += l->try_ok;
				d->try_fail += l->try_fail;
				d->failed += l->failed;
				pmdstat_hist_merge(&d->wait, &l->wait);
				pmdstat_hist_merge(&d->hold, &l->hold);
			}
		pmdstat_hist_merge(&s->share_wait, &lk->share_wait);
		pmdstat_hist_merge(&s->share_hold, &lk->share_hold);
		pmdstat_hist_merge(&s->scan, &lk->scan);
		s->inflight_full += lk->inflight_full;
		s->unmatched += lk->unmatched;
		s->callers_full += lk->callers_full;
	}
	pmdstat_fill_callers(s);
	for (k = 0; k < PMDSTAT_NR_LK; k++)
		s->tracked[k] = atomic_read(&pmdstat_nr_tracked[k]);
	s->track_full = atomic64_read(&pmdstat_track_full);
	s->threshold_us = READ_ONCE(pmdstat_threshold_ns) / 1000;

	top = kmalloc_array(PMDSTAT_NR_WHAT * PMDSTAT_TOP, sizeof(*top), GFP_KERNEL);
	if (!top)
		return;
	raw_spin_lock_irqsave(&pmdstat_ev_lock, flags);
	for (w = 0; w < PMDSTAT_NR_WHAT; w++) {
		n[w] = pmdstat_nr_top[w];
		memcpy(top + w * PMDSTAT_TOP, pmdstat_top[w], n[w] * sizeof(*top));
	}
	s->events = pmdstat_ev_total;
	s->event_drops = pmdstat_ev_drops;
	raw_spin_unlock_irqrestore(&pmdstat_ev_lock, flags);
	for (w = 0; w < PMDSTAT_NR_WHAT; w++) {
		s->nr_top[w] = n[w];
		for (i = 0; i < n[w]; i++)
			pmdstat_event_to_snap(&s->top[w][i], &top[w * PMDSTAT_TOP + i]);
	}
	kfree(top);
}

/* ---- debugfs: events and live ----------------------------------------- */

struct pmdstat_evsnap {
	unsigned int n;
	u64 total;
	u64 drops;
	u64 threshold_us;
	struct pmdstat_snap_event ev[];
};

static int pmdstat_events_show(struct seq_file *m, void *v)
{
	struct pmdstat_evsnap *es = m->private;
	unsigned int i;

	seq_printf(m, "pmdstat-events version=%d threshold_us=%llu\n",
		   PMDSTAT_FORMAT_VERSION, (unsigned long long)es->threshold_us);
	for (i = 0; i < es->n; i++)
		pmdstat_format_event(m, "event", i + 1, &es->ev[i]);
	seq_printf(m, "Totals: events=%llu logged=%u drops=%llu capacity=%d\n",
		   (unsigned long long)es->total, es->n,
		   (unsigned long long)es->drops, EVLOG_SIZE);
	return 0;
}

static int pmdstat_events_open(struct inode *inode, struct file *file)
{
	struct pmdstat_event *raw;
	struct pmdstat_evsnap *es;
	unsigned long flags;
	unsigned int i;
	int err;

	es = kvzalloc(struct_size(es, ev, EVLOG_SIZE), GFP_KERNEL);
	raw = kvmalloc_array(EVLOG_SIZE, sizeof(*raw), GFP_KERNEL);
	if (!es || !raw) {
		kvfree(es);
		kvfree(raw);
		return -ENOMEM;
	}
	raw_spin_lock_irqsave(&pmdstat_ev_lock, flags);
	es->n = pmdstat_ev_count;
	es->total = pmdstat_ev_total;
	es->drops = pmdstat_ev_drops;
	memcpy(raw, pmdstat_evlog, es->n * sizeof(*raw));
	raw_spin_unlock_irqrestore(&pmdstat_ev_lock, flags);
	es->threshold_us = READ_ONCE(pmdstat_threshold_ns) / 1000;
	for (i = 0; i < es->n; i++)
		pmdstat_event_to_snap(&es->ev[i], &raw[i]);
	kvfree(raw);
	err = single_open_size(file, pmdstat_events_show, es, 4096 + es->n * 900);
	if (err)
		kvfree(es);
	return err;
}

static int pmdstat_private_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	kvfree(m->private);
	return single_release(inode, file);
}

const struct file_operations pmdstat_events_fops = {
	.owner = THIS_MODULE,
	.open = pmdstat_events_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = pmdstat_private_release,
};

static int pmdstat_live_show(struct seq_file *m, void *v)
{
	static const char *const state_name[] = {
		[ST_WAIT] = "wait", [ST_HOLD] = "hold", [ST_SHARE] = "share",
	};
	u64 now = ktime_get_mono_fast_ns();
	unsigned int i, n = 0;

	seq_printf(m, "pmdstat-live version=%d\n", PMDSTAT_FORMAT_VERSION);
	for (i = 0; i < INFLIGHT_SLOTS; i++) {
		const struct pmdstat_inflight *r = &pmdstat_inflight[i];
		struct pmdstat_tracked *ent = NULL;
		struct pmdstat_inflight c;
		char func[PMDSTAT_FUNC_LEN];

		if (!READ_ONCE(r->task))
			continue;
		c = *r;		/* racy copy: a record may change under us */
		if (!c.task || c.state < ST_WAIT || c.state > ST_SHARE)
			continue;
		c.comm[TASK_COMM_LEN - 1] = '\0';
		pmdstat_sanitize(c.comm);
		pmdstat_symbolize(func, sizeof(func), c.caller);
		pmdstat_sanitize(func);
		if (c.state == ST_SHARE) {
			seq_printf(m, "live state=share func=huge_pmd_share comm=%s pid=%u cpu=%u age_ns=%llu scan=%u\n",
				   c.comm, c.pid, c.cpu,
				   (unsigned long long)(now - min(now, c.t0)), c.scan);
		} else {
			pmdstat_tracked_kind(c.lock, &ent);
			seq_printf(m, "live state=%s lock=%s mode=%s dev=%u:%u ino=%llu func=%s comm=%s pid=%u cpu=%u age_ns=%llu contended=%u\n",
				   state_name[c.state], pmdstat_lock_name(c.kind),
				   pmdstat_mode_name(c.mode),
				   ent ? ent->dev_major : 0, ent ? ent->dev_minor : 0,
				   ent ? (unsigned long long)ent->ino : 0ULL, func,
				   c.comm, c.pid, c.cpu,
				   (unsigned long long)(now - min(now, c.t0)),
				   c.contended);
		}
		n++;
	}
	seq_printf(m, "Totals: live=%u tracked_i_mmap=%d tracked_vma_lock=%d\n", n,
		   atomic_read(&pmdstat_nr_tracked[PMDSTAT_LK_IMMAP]),
		   atomic_read(&pmdstat_nr_tracked[PMDSTAT_LK_VMA]));
	return 0;
}

static int pmdstat_live_open(struct inode *inode, struct file *file)
{
	return single_open_size(file, pmdstat_live_show, NULL, 64 * 1024);
}

const struct file_operations pmdstat_live_fops = {
	.owner = THIS_MODULE,
	.open = pmdstat_live_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};
