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
 * The cost model.  The rwsem probes fire for every rwsem in the system, so
 * an operation on a lock that is not tracked must stay cheap and must not
 * write any cache line that other CPUs use:
 *  - down_*() and up_*() have entry kprobes only (no kretprobe, whose
 *    instance comes from a pool shared by all CPUs on 6.1);
 *  - the handler bumps a per-CPU call counter and looks the lock up in the
 *    tracked table: loads only, lock-free (a seqcount guards the rare
 *    writers);
 *  - a release first reads one counter of the in-flight table's bucket of
 *    the running task (records of the task, if any, live there): zero, and
 *    it is done.
 * Writes to shared memory happen only for tracked locks and share/unshare
 * calls that pmdstat records.
 *
 * Timing.  A request of a tracked lock opens an in-flight record per
 * (task, lock) at down_*()'s entry.  An acquisition that enters
 * rwsem_down_{read,write}_slowpath() is contended: its wait ends where the
 * slow path returns (kprobes on its return instructions, which run only
 * for contended acquisitions), and a killable wait that gives up returns
 * an error there.  An acquisition that takes the fast path does not wait:
 * it holds the lock from its request on.  Wait histograms therefore hold
 * the waits of contended acquisitions only.  A trylock's outcome is read
 * from the lock word at its entry (the same test the fast path makes) and
 * confirmed by the release that follows a success; a prediction that the
 * lock word later contradicts is dropped, never reported.  Hold = the
 * acquisition to the release.  The records are also the live view.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/ftrace.h>
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
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <trace/events/lock.h>
#include "compat.h"
#include "locks.h"
#include "pmdstat.h"
#include "filter.h"
#include "races.h"

bool pmdstat_count_scan;
module_param_named(count_scan, pmdstat_count_scan, bool, 0444);
MODULE_PARM_DESC(count_scan,
		 "Count the VMAs each huge_pmd_share call scans (a probe on vma_interval_tree_iter_next, or mapping_rmap_tree_iter_next where that is absent, which every rmap walk of every file hits). Off by default: the stats say scan=off.");

/* ---- tracked locks -------------------------------------------------- */

#define TRACK_SLOTS	8192
#define TRACK_PROBES	16
#define KIND_MASK	7UL
#define TRACK_BUSY	(-2)

struct pmdstat_tracked {
	unsigned long key;	/* lock address | kind; 0 empty */
	unsigned long owner;	/* the vma of a vma lock; never printed */
	u32 dev_major;
	u32 dev_minor;
	u64 ino;
};

static struct pmdstat_tracked pmdstat_track[TRACK_SLOTS];
static atomic_t pmdstat_nr_tracked[PMDSTAT_NR_LK];
static atomic_t pmdstat_nr_tracked_all;
static atomic64_t pmdstat_track_full;
/*
 * Writers (track, untrack: share/unshare of a new file, a freed inode or
 * vma lock) serialise on this lock and bump the seqcount around each
 * change; deletion moves later members of a probe chain back (no
 * tombstones), so a reader that raced a move retries.
 */
static DEFINE_RAW_SPINLOCK(pmdstat_track_wlock);

/*
 * The vma lock of each tracked vma, by vma (writers only, under the lock):
 * a closing vma no longer points at its lock (the final unmap freed it
 * and cleared vm_private_data, through a release function that is inlined
 * on Debian's kernels), so it is found from the vma here.
 */
struct pmdstat_owned {
	unsigned long owner;	/* 0: empty */
	unsigned long lock;
};

static struct pmdstat_owned pmdstat_owned[TRACK_SLOTS];
/* written on every tracking change: not beside what releases read */
static unsigned int pmdstat_track_seq ____cacheline_aligned_in_smp;

static inline unsigned int track_hash(unsigned long addr)
{
	return hash_long(addr >> 3, ilog2(TRACK_SLOTS));
}

static int track_find(unsigned long addr)
{
	unsigned int h = track_hash(addr), i;

	for (i = 0; i < TRACK_PROBES; i++) {
		unsigned int idx = (h + i) & (TRACK_SLOTS - 1);
		/* pairs with the release that publishes a complete entry */
		unsigned long key = smp_load_acquire(&pmdstat_track[idx].key);

		if (!key)
			return -1;
		if ((key & ~KIND_MASK) == addr)
			return idx;
	}
	return -1;
}

NOKPROBE_SYMBOL(track_find);

/*
 * The kind of tracked lock at @addr, -1 if it is not tracked, or
 * TRACK_BUSY if writers kept the table changing; with @ent, a copy of its
 * entry.  The hot path of every rwsem: loads only.
 */
static int pmdstat_tracked_kind_busy(unsigned long addr,
				     struct pmdstat_tracked *ent)
{
	unsigned int seq, tries = 0;
	int idx, kind;

	if (!atomic_read(&pmdstat_nr_tracked_all))
		return -1;
	do {
		seq = READ_ONCE(pmdstat_track_seq);
		if (seq & 1) {
			cpu_relax();
			continue;
		}
		smp_rmb();	/* the table after the seqcount (track_write_begin) */
		idx = track_find(addr);
		kind = idx < 0 ? -1 : (int)(READ_ONCE(pmdstat_track[idx].key) & KIND_MASK);
		if (idx >= 0 && ent)
			*ent = pmdstat_track[idx];
		smp_rmb();	/* the seqcount after the table (track_write_end) */
		if (READ_ONCE(pmdstat_track_seq) == seq)
			return kind;
	} while (++tries < 16);
	return TRACK_BUSY;
}

NOKPROBE_SYMBOL(pmdstat_tracked_kind_busy);

/* ... where a busy table counts as "not tracked" (an event is missed) */
static inline int pmdstat_tracked_kind(unsigned long addr, struct pmdstat_tracked *ent)
{
	int kind = pmdstat_tracked_kind_busy(addr, ent);

	if (unlikely(kind == TRACK_BUSY))
		pmdstat_this_pcpu()->lk.busy++;
	return kind < 0 ? -1 : kind;
}

static void track_write_begin(unsigned long *flags)
	__acquires(&pmdstat_track_wlock)
{
	raw_spin_lock_irqsave(&pmdstat_track_wlock, *flags);
	WRITE_ONCE(pmdstat_track_seq, pmdstat_track_seq + 1);
	smp_wmb();	/* odd seqcount before the table changes: readers retry */
}

NOKPROBE_SYMBOL(track_write_begin);

static void track_write_end(unsigned long flags)
	__releases(&pmdstat_track_wlock)
{
	smp_wmb();	/* the table changes before the even seqcount */
	WRITE_ONCE(pmdstat_track_seq, pmdstat_track_seq + 1);
	raw_spin_unlock_irqrestore(&pmdstat_track_wlock, flags);
}

NOKPROBE_SYMBOL(track_write_end);

static inline unsigned int owner_hash(unsigned long owner)
{
	return hash_long(owner >> 3, ilog2(TRACK_SLOTS));
}

/* The slot of @owner's entry (with @lock, if not 0), or -1. */
static int owned_find_pair(unsigned long owner, unsigned long lock)
{
	unsigned int h = owner_hash(owner), i;

	for (i = 0; i < TRACK_SLOTS; i++) {
		struct pmdstat_owned *e = &pmdstat_owned[(h + i) & (TRACK_SLOTS - 1)];

		if (!e->owner)
			return -1;
		if (e->owner == owner && (!lock || e->lock == lock))
			return (h + i) & (TRACK_SLOTS - 1);
	}
	return -1;
}

NOKPROBE_SYMBOL(owned_find_pair);

static inline int owned_find(unsigned long owner)
{
	return owned_find_pair(owner, 0);
}

/* Under the writer lock; false if there is no room. */
static bool owned_add(unsigned long owner, unsigned long lock)
{
	unsigned int h = owner_hash(owner), i;

	for (i = 0; i < TRACK_PROBES; i++) {
		struct pmdstat_owned *e = &pmdstat_owned[(h + i) & (TRACK_SLOTS - 1)];

		if (!e->owner) {
			e->owner = owner;
			e->lock = lock;
			return true;
		}
	}
	return false;
}

NOKPROBE_SYMBOL(owned_add);

/* Under the writer lock: remove slot @idx (backward shift, as below). */
static void owned_delete(unsigned int idx)
{
	unsigned int hole = idx, i;

	for (i = 1; i < TRACK_SLOTS; i++) {
		unsigned int j = (idx + i) & (TRACK_SLOTS - 1);
		struct pmdstat_owned *m = &pmdstat_owned[j];
		unsigned int home;

		if (!m->owner)
			break;
		home = owner_hash(m->owner);
		if (((hole - home) & (TRACK_SLOTS - 1)) <
		    ((j - home) & (TRACK_SLOTS - 1))) {
			pmdstat_owned[hole] = *m;
			hole = j;
		}
	}
	pmdstat_owned[hole].owner = 0;
}

NOKPROBE_SYMBOL(owned_delete);

static void owned_forget(unsigned long owner);

static void pmdstat_track_lock(unsigned long addr, unsigned int kind,
			       struct inode *inode, unsigned long owner)
{
	unsigned int h = track_hash(addr), i;
	struct pmdstat_tracked *t = NULL;
	struct super_block *sb = NULL;
	/* i_ino: unsigned long on 6.1/6.12, u64 on 7.3; read it as declared */
	typeof(inode->i_ino) ino = 0;
	unsigned long flags;
	dev_t dev = 0;

	if (pmdstat_tracked_kind(addr, NULL) >= 0)
		return;		/* the common case: nothing to write */
	/* dev and ino, read before the lock and without trusting the pointers */
	if (inode && (get_kernel_nofault(sb, &inode->i_sb) ||
		      get_kernel_nofault(ino, &inode->i_ino) || !sb ||
		      get_kernel_nofault(dev, &sb->s_dev)))
		return;
	track_write_begin(&flags);
	if (track_find(addr) >= 0)
		goto out;
	if (owner)
		owned_forget(owner);	/* a vma has one lock: drop an older one */
	for (i = 0; i < TRACK_PROBES; i++) {
		struct pmdstat_tracked *s = &pmdstat_track[(h + i) & (TRACK_SLOTS - 1)];

		if (!s->key) {
			t = s;
			break;
		}
	}
	if (!t || (owner && !owned_add(owner, addr))) {
		atomic64_inc(&pmdstat_track_full);
		goto out;
	}
	t->owner = owner;
	t->dev_major = MAJOR(dev);
	t->dev_minor = MINOR(dev);
	t->ino = ino;
	/* the entry is complete before its key makes it visible */
	smp_store_release(&t->key, addr | kind);
	atomic_inc(&pmdstat_nr_tracked[kind]);
	atomic_inc(&pmdstat_nr_tracked_all);
out:
	track_write_end(flags);
}

NOKPROBE_SYMBOL(pmdstat_track_lock);

/* Remove slot @idx, moving later members of its probe chain back. */
static void track_delete(unsigned int idx)
{
	unsigned int hole = idx, i;
	unsigned long key = pmdstat_track[idx].key;
	int o;

	if (pmdstat_track[idx].owner) {
		o = owned_find_pair(pmdstat_track[idx].owner, key & ~KIND_MASK);
		if (o >= 0)
			owned_delete(o);
	}

	atomic_dec(&pmdstat_nr_tracked[key & KIND_MASK]);
	atomic_dec(&pmdstat_nr_tracked_all);
	/*
	 * Every later member of the cluster, up to the first empty slot,
	 * whose home is at or before the hole moves back (not only those
	 * within one probe window of the deleted slot: the hole travels).
	 */
	for (i = 1; i < TRACK_SLOTS; i++) {
		unsigned int j = (idx + i) & (TRACK_SLOTS - 1);
		struct pmdstat_tracked *m = &pmdstat_track[j];
		unsigned int home;

		if (!m->key)
			break;
		home = track_hash(m->key & ~KIND_MASK);
		if (((hole - home) & (TRACK_SLOTS - 1)) <
		    ((j - home) & (TRACK_SLOTS - 1))) {
			pmdstat_track[hole].owner = m->owner;
			pmdstat_track[hole].dev_major = m->dev_major;
			pmdstat_track[hole].dev_minor = m->dev_minor;
			pmdstat_track[hole].ino = m->ino;
			/* the copy is complete before its key replaces the old one */
			smp_store_release(&pmdstat_track[hole].key, m->key);
			hole = j;
		}
	}
	WRITE_ONCE(pmdstat_track[hole].key, 0);
}

NOKPROBE_SYMBOL(track_delete);

static void pmdstat_untrack_lock(unsigned long addr)
{
	unsigned long flags;
	int idx;

	/* a freed lock must not stay tracked: only a clear "no" skips */
	if (pmdstat_tracked_kind_busy(addr, NULL) == -1)
		return;
	track_write_begin(&flags);
	idx = track_find(addr);
	if (idx >= 0)
		track_delete(idx);
	track_write_end(flags);
}

NOKPROBE_SYMBOL(pmdstat_untrack_lock);

/* Under the writer lock: forget every lock tracked for @owner. */
static void owned_forget(unsigned long owner)
{
	int o, idx;

	while ((o = owned_find(owner)) >= 0) {
		idx = track_find(pmdstat_owned[o].lock);
		if (idx >= 0 && pmdstat_track[idx].owner == owner)
			track_delete(idx);	/* and its owner entry */
		else
			owned_delete(o);
	}
}

NOKPROBE_SYMBOL(owned_forget);

/*
 * A closing vma: forget the vma lock tracked for it, found by the vma.
 * Most closing VMAs have none: they take the lock but leave the seqcount
 * (and so every reader) alone.
 */
static void pmdstat_untrack_owner(unsigned long owner)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pmdstat_track_wlock, flags);
	if (owned_find(owner) >= 0) {
		WRITE_ONCE(pmdstat_track_seq, pmdstat_track_seq + 1);
		smp_wmb();	/* odd seqcount before the table changes */
		owned_forget(owner);
		smp_wmb();	/* the table changes before the even seqcount */
		WRITE_ONCE(pmdstat_track_seq, pmdstat_track_seq + 1);
	}
	raw_spin_unlock_irqrestore(&pmdstat_track_wlock, flags);
}

NOKPROBE_SYMBOL(pmdstat_untrack_owner);

void pmdstat_track_mapping(struct address_space *mapping)
{
	struct inode *host = NULL;

	if (!mapping)
		return;
	if (pmdstat_tracked_kind((unsigned long)&mapping->i_mmap_rwsem, NULL) >= 0)
		return;
	if (get_kernel_nofault(host, &mapping->host))
		return;
	pmdstat_track_lock((unsigned long)&mapping->i_mmap_rwsem,
			   PMDSTAT_LK_IMMAP, host, 0);
}

NOKPROBE_SYMBOL(pmdstat_track_mapping);

static void pmdstat_track_vma_lock(struct vm_area_struct *vma, struct file *file)
{
	struct rw_semaphore *sem = pmdstat_vma_lock_of(vma);
	struct inode *inode = NULL;

	if (sem && !get_kernel_nofault(inode, &file->f_inode))
		pmdstat_track_lock((unsigned long)sem, PMDSTAT_LK_VMA, inode,
				   (unsigned long)vma);
}

NOKPROBE_SYMBOL(pmdstat_track_vma_lock);

/* The file of @vma, read without trusting the pointer, or NULL. */
struct file *pmdstat_vma_file(struct vm_area_struct *vma)
{
	struct file *file = NULL;

	if (!vma || get_kernel_nofault(file, &vma->vm_file))
		return NULL;
	return file;
}

NOKPROBE_SYMBOL(pmdstat_vma_file);

struct address_space *pmdstat_file_mapping(struct file *file)
{
	struct address_space *mapping = NULL;

	if (!file || get_kernel_nofault(mapping, &file->f_mapping))
		return NULL;
	return mapping;
}

NOKPROBE_SYMBOL(pmdstat_file_mapping);

void pmdstat_track_vma(struct vm_area_struct *vma)
{
	struct file *file = pmdstat_vma_file(vma);

	if (!file)
		return;
	pmdstat_track_mapping(pmdstat_file_mapping(file));
	pmdstat_track_vma_lock(vma, file);
}

NOKPROBE_SYMBOL(pmdstat_track_vma);

/* ---- in-flight records: who waits, holds, shares right now ----------- */

struct pmdstat_inflight pmdstat_inflight[INFLIGHT_SLOTS];
/*
 * Records whose task hashes to each bucket: a release of a lock that is
 * not tracked reads one of these and stops at zero.
 */
static atomic_t pmdstat_home[INFLIGHT_SLOTS];
/*
 * How far from its home bucket any record of the bucket was ever placed
 * (1 + offset; only grows, and is never reset while loaded): a task's
 * lookup of its own records scans that many slots, not INFLIGHT_PROBES.
 * This holds because only pmdstat_inflight_alloc() claims slots, always
 * for current and from current's bucket, and raises the span before it
 * publishes the record; a task sees its own earlier stores, so a record it
 * made is never past the span it reads.  (A u8 and a byte cmpxchg: x86.)
 */
static u8 pmdstat_home_span[INFLIGHT_SLOTS] ____cacheline_aligned_in_smp;
static_assert(INFLIGHT_PROBES <= U8_MAX);

unsigned int pmdstat_inflight_span(unsigned int h)
{
	return READ_ONCE(pmdstat_home_span[h]);
}

NOKPROBE_SYMBOL(pmdstat_inflight_span);

static void span_raise(unsigned int h, unsigned int span)
{
	u8 old = READ_ONCE(pmdstat_home_span[h]);

	do {
		if (old >= span)
			return;
	} while (!try_cmpxchg(&pmdstat_home_span[h], &old, (u8)span));
}

NOKPROBE_SYMBOL(span_raise);
/* records in the slow path: the slow-path return probes read it */
static atomic_t pmdstat_nr_slow;
/* share calls in flight: an unshare looks for overlaps only if any */
static atomic_t pmdstat_nr_shares;
/*
 * ... and which records they are: an unshare that finds shares in flight
 * visits these, not all INFLIGHT_SLOTS records.  A set bit is a hint
 * (the record's state is checked); a share's bit is set while it runs.
 */
DECLARE_BITMAP(pmdstat_share_map, INFLIGHT_SLOTS);

bool pmdstat_shares_in_flight(void)
{
	return atomic_read(&pmdstat_nr_shares) != 0;
}

NOKPROBE_SYMBOL(pmdstat_shares_in_flight);

#define MAX_SHARE_RANGES PMDSTAT_MAX_SITES
static struct {
	unsigned long lo, hi;
} pmdstat_share_range[MAX_SHARE_RANGES];
static unsigned int pmdstat_nr_share_ranges;

/* Every share-role site (the exact symbol and its clones) is a share range. */
void pmdstat_add_share_range(unsigned long start, unsigned long end)
{
	if (pmdstat_nr_share_ranges < MAX_SHARE_RANGES) {
		pmdstat_share_range[pmdstat_nr_share_ranges].lo = start;
		pmdstat_share_range[pmdstat_nr_share_ranges].hi = end;
		pmdstat_nr_share_ranges++;
	}
}

/* A return address inside a share site (addr - 1 is the call). */
static bool in_share(unsigned long caller)
{
	unsigned int i;

	for (i = 0; i < pmdstat_nr_share_ranges; i++)
		if (caller > pmdstat_share_range[i].lo &&
		    caller <= pmdstat_share_range[i].hi)
			return true;
	return false;
}

NOKPROBE_SYMBOL(in_share);

static __always_inline unsigned int inflight_hash(void)
{
	return hash_ptr(current, ilog2(INFLIGHT_SLOTS));
}

/* Does the running task have an in-flight record?  One load. */
static __always_inline bool current_has_records(void)
{
	return atomic_read(&pmdstat_home[inflight_hash()]) != 0;
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
		span_raise(h, i + 1);
		atomic_inc(&pmdstat_home[h]);
		r->home = h;
		r->lock = lock;
		r->task_start = current->start_time;
		r->caller = caller;
		r->pid = task_pid_nr(current);
		r->cpu = smp_processor_id();
		r->scan = 0;
		r->aux1 = 0;
		r->aux2 = 0;
		r->checked = 0;
		r->wait_pending = 0;
		/* blame_peek: a copy of this record's use only */
		WRITE_ONCE(r->gen, r->gen + 1);
		r->blk_state = PMDSTAT_BLOCK_UNKNOWN;
		r->blamed = 0;
		r->wslot = 0;
		r->kind = kind;
		r->mode = mode;
		r->contended = 0;
		r->slow = 0;
		r->predicted = 0;
		r->observed = 0;
		r->from_share = 0;
		memcpy(r->comm, current->comm, TASK_COMM_LEN);
		r->t0 = pmdstat_clock();
		/* publish a complete record to the live view */
		smp_store_release(&r->state, state);
		return idx;
	}
	pmdstat_this_pcpu()->lk.inflight_full++;
	return -1;
}

NOKPROBE_SYMBOL(pmdstat_inflight_alloc);

/* The running task's record of @lock in @state (0: WAIT or HOLD). */
struct pmdstat_inflight *pmdstat_inflight_find(unsigned long lock,
					       unsigned int state)
{
	unsigned int h = inflight_hash(), i, span;

	if (!atomic_read(&pmdstat_home[h]))
		return NULL;
	span = pmdstat_inflight_span(h);
	for (i = 0; i < span; i++) {
		struct pmdstat_inflight *r =
			&pmdstat_inflight[(h + i) & (INFLIGHT_SLOTS - 1)];
		unsigned int st;

		if (READ_ONCE(r->task) != (unsigned long)current ||
		    r->task_start != current->start_time)
			continue;
		st = READ_ONCE(r->state);
		if (r->lock == lock &&
		    (st == state || (!state && (st == ST_WAIT || st == ST_HOLD))))
			return r;
	}
	return NULL;
}

NOKPROBE_SYMBOL(pmdstat_inflight_find);

/*
 * Per lock hash: the lock's first contended write request (record index
 * + 1; 0: none), which a new reader queues behind (rwsem hand-off) and
 * the lock word does not name; and the last reader that released the
 * lock while that writer waited: the one that let it in.  A writer claims
 * an empty slot with cmpxchg; the note and the slot's release are made
 * under the busy bit, so a record whose index is in @who is never freed
 * (pmdstat_inflight_free() takes the bit) while a reader notes on it.
 * Written only while a writer waits for a lock of this hash: a line each,
 * so contended writers of one lock do not share a line with another's.
 */
#define WW_SLOTS	256

struct pmdstat_wwait {
	unsigned long who;
	unsigned long busy;		/* bit 0: the note below is being made */
	unsigned long rel_who;		/* the @who the note was made for */
	unsigned long rel_caller;	/* the releasing reader's caller, pid */
	u32 rel_pid;
} ____cacheline_aligned_in_smp;

static struct pmdstat_wwait pmdstat_wwait[WW_SLOTS];

static __always_inline struct pmdstat_wwait *wwait_slot(unsigned long lock)
{
	return &pmdstat_wwait[hash_long(lock >> 3, ilog2(WW_SLOTS))];
}

static __always_inline unsigned long wwait_tag(const struct pmdstat_inflight *r)
{
	return (unsigned long)(r - pmdstat_inflight) + 1;
}

/*
 * The slot's busy bit: a bit lock and not bit_spin_lock() (which disables
 * preemption through the traced preempt_count helpers, and is what
 * lockdep would be asked to check from inside lock probes).  Interrupts
 * are off while it is held (raw_: no irqsoff tracing), so a holder is never stretched by an
 * interrupt while another CPU spins on it from an int3 probe handler
 * (NMI-like, interrupts off).  The probes never fire inside it (notrace,
 * NOKPROBE), so a CPU never spins on a bit it holds itself.
 */
static __always_inline bool wwait_trylock(struct pmdstat_wwait *s,
					  unsigned long *flags)
{
	raw_local_irq_save(*flags);
	if (!test_and_set_bit_lock(0, &s->busy))
		return true;
	raw_local_irq_restore(*flags);
	return false;
}

static __always_inline void wwait_lock(struct pmdstat_wwait *s,
				       unsigned long *flags)
{
	while (!wwait_trylock(s, flags))
		while (READ_ONCE(s->busy))
			cpu_relax();
}

static __always_inline void wwait_unlock(struct pmdstat_wwait *s,
					 unsigned long flags)
{
	clear_bit_unlock(0, &s->busy);
	raw_local_irq_restore(flags);
}

/*
 * @r leaves its slot; with @take (its wait was blamed on nothing), the
 * reader that last released the lock while it waited becomes its blocker.
 * Spins for the few stores a noting reader makes; reads before it retries
 * the atomic, so that spinners do not bounce the line.
 */
static void wwait_clear(struct pmdstat_inflight *r, bool take)
{
	unsigned long tag, flags;
	struct pmdstat_wwait *s;

	if (!r->wslot)
		return;
	s = wwait_slot(r->lock);
	tag = wwait_tag(r);
	wwait_lock(s, &flags);
	if (s->rel_who == tag) {
		if (take && s->rel_caller) {
			r->blk_caller = s->rel_caller;
			r->blk_pid = s->rel_pid;
			r->blk_comm[0] = '\0';
			r->blk_mode = PMDSTAT_MODE_READ;
			/* the blocker before its state, as in lp_blame() */
			smp_store_release(&r->blk_state, PMDSTAT_BLOCK_HOLD);
		}
		s->rel_who = 0;
	}
	if (READ_ONCE(s->who) == tag)
		WRITE_ONCE(s->who, 0);
	wwait_unlock(s, flags);
	r->wslot = 0;
}

NOKPROBE_SYMBOL(wwait_clear);

void pmdstat_inflight_free(struct pmdstat_inflight *r)
{
	wwait_clear(r, false);
	if (r->slow) {
		r->slow = 0;
		atomic_dec(&pmdstat_nr_slow);
	}
	WRITE_ONCE(r->state, 0);
	atomic_dec(&pmdstat_home[r->home]);
	/* the slot is free only after its state is cleared */
	smp_store_release(&r->task, 0);
}

NOKPROBE_SYMBOL(pmdstat_inflight_free);

int pmdstat_share_begin(unsigned long pud, unsigned long immap,
			unsigned long func)
{
	/* func + 1 symbolizes as the share site */
	int rec = pmdstat_inflight_alloc(0, ST_SHARE, 0, 0, func + 1);

	if (rec < 0)
		pmdstat_share_unseen();
	if (rec >= 0) {
		pmdstat_inflight[rec].aux1 = pud;
		WRITE_ONCE(pmdstat_inflight[rec].aux2, immap);
		smp_mb__before_atomic();	/* the record before its bit */
		set_bit(rec, pmdstat_share_map);
		atomic_inc(&pmdstat_nr_shares);
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
	 * One vma_interval_tree_iter_next() call (7.3:
	 * mapping_rmap_tree_iter_next()) per VMA the loop finished with; a
	 * scan that found a table to share broke out of the loop on the VMA
	 * it was looking at.
	 */
	if (pmdstat_count_scan)
		pmdstat_hist_add(&pmdstat_this_pcpu()->lk.scan,
				 r->scan + (attached ? 1 : 0));
	if (!r->observed)
		pmdstat_share_unseen();	/* the shadow did not see it */
	clear_bit(rec, pmdstat_share_map);
	pmdstat_inflight_free(r);
	atomic_dec(&pmdstat_nr_shares);
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
static atomic64_t pmdstat_ev_total, pmdstat_ev_drops;
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
			 u64 ns, unsigned long first)
{
	u64 thr = READ_ONCE(pmdstat_threshold_ns);
	bool top = READ_ONCE(pmdstat_nr_top[what]) < PMDSTAT_TOP ||
		   ns > READ_ONCE(pmdstat_top_min[what]);
	bool log = thr && ns >= thr;
	struct pmdstat_tracked ent;
	struct pmdstat_event ev;
	unsigned long flags;
	unsigned int i, n;

	if (log) {
		atomic64_inc(&pmdstat_ev_total);
		/* a full log drops without taking the lock */
		if (READ_ONCE(pmdstat_ev_count) >= EVLOG_SIZE) {
			atomic64_inc(&pmdstat_ev_drops);
			log = false;
		}
	}
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
	if (pmdstat_tracked_kind(r->lock, &ent) >= 0) {
		ev.dev_major = ent.dev_major;
		ev.dev_minor = ent.dev_minor;
		ev.ino = ent.ino;
	}
	/* 0: the stack at hand is not the acquiring path's (lp_release) */
	ev.nr_stack = first ? pmdstat_save_stack(ev.stack, first) : 0;

	/*
	 * An int3 kprobe (the slow paths' returns) runs as an NMI (x86's
	 * exc_int3 enters NMI context): there the lock is only tried, so that
	 * it can never spin on a holder it interrupted, and lockdep does not
	 * see a lock used from both NMI and task context.
	 */
	/*
	 * Likewise with interrupts off (PREEMPT_RT: an rtmutex's wait_lock
	 * held around lock:contention_end): a reader of the log may hold the
	 * lock while it copies the whole of it.
	 */
	if (in_nmi() || irqs_disabled()) {
		if (!raw_spin_trylock_irqsave(&pmdstat_ev_lock, flags)) {
			atomic64_inc(&pmdstat_ev_drops);
			return;
		}
	} else {
		raw_spin_lock_irqsave(&pmdstat_ev_lock, flags);
	}
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
		if (pmdstat_ev_count < EVLOG_SIZE)
			pmdstat_evlog[pmdstat_ev_count++] = ev;
		else
			atomic64_inc(&pmdstat_ev_drops);
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
	LP_ACQ,		/* down_*: blocking request */
	LP_TRY,		/* down_*_trylock */
	LP_REL,		/* up_* */
	LP_DOWNGRADE,	/* downgrade_write */
	LP_SLOW,	/* rwsem_down_*_slowpath entry: the request is contended */
	LP_SLOW_RET,	/* ... its return instructions: acquired, or gave up */
	LP_TRACK_VMA,	/* hugetlb_vma_*lock*(vma): track a vma lock of a tracked file */
	LP_FREE_VMALOCK,	/* hugetlb_vma_lock_release(kref) */
	LP_CLOSE_VMA,	/* hugetlb_vm_op_close(vma) */
	LP_FREE_INODE,	/* hugetlbfs_destroy_inode(inode) */
	LP_SCAN,	/* the VMA interval tree's next step from huge_pmd_share */
	LP_TP_BEGIN,	/* lock:contention_begin (PREEMPT_RT rwsems) */
	LP_TP_END,	/* lock:contention_end (PREEMPT_RT rwsems) */
};

#define LP_MAX_KPROBES	8	/* return instructions of one slow path */

struct pmdstat_lockprobe;

struct pmdstat_lpkp {
	struct kprobe kp;
	struct pmdstat_lockprobe *lp;
};

struct pmdstat_lockprobe {
	const char *symbol;
	u8 op;
	u8 mode;
	bool optional;	/* load without it, saying what is lost */
	const char *alt;	/* probed instead if @symbol is not in kallsyms */
	bool ftraced;	/* its entry is in pmdstat_lp_fops, not a kprobe */
	bool tp;	/* a tracepoint probe (LP_TP_*) is registered */
	unsigned long ip;	/* ... at this address (the ftrace location) */
	unsigned int nr_kp;	/* registered kprobes */
	struct pmdstat_lpkp kp[LP_MAX_KPROBES];
};

static struct pmdstat_lockprobe pmdstat_lockprobes[] = {
	/* order of registration: what ends a record before what opens one */
	{ "hugetlbfs_destroy_inode", LP_FREE_INODE },
	{ "hugetlb_vma_lock_release", LP_FREE_VMALOCK, 0, true },
	{ "hugetlb_vm_op_close", LP_CLOSE_VMA },
	{ "up_read", LP_REL, PMDSTAT_MODE_READ },
	{ "up_write", LP_REL, PMDSTAT_MODE_WRITE },
	{ "downgrade_write", LP_DOWNGRADE, PMDSTAT_MODE_WRITE },
	{ "rwsem_down_read_slowpath", LP_SLOW_RET, PMDSTAT_MODE_READ, true },
	{ "rwsem_down_write_slowpath", LP_SLOW_RET, PMDSTAT_MODE_WRITE, true },
	{ "lock:contention_end", LP_TP_END, 0, true },
	{ "lock:contention_begin", LP_TP_BEGIN, 0, true },
	{ "rwsem_down_read_slowpath", LP_SLOW, PMDSTAT_MODE_READ, true },
	{ "rwsem_down_write_slowpath", LP_SLOW, PMDSTAT_MODE_WRITE, true },
	{ "down_read", LP_ACQ, PMDSTAT_MODE_READ },
	{ "down_read_killable", LP_ACQ, PMDSTAT_MODE_READ },
	{ "down_read_interruptible", LP_ACQ, PMDSTAT_MODE_READ },
	{ "down_write", LP_ACQ, PMDSTAT_MODE_WRITE },
	{ "down_write_killable", LP_ACQ, PMDSTAT_MODE_WRITE },
	{ "down_read_trylock", LP_TRY, PMDSTAT_MODE_READ },
	{ "down_write_trylock", LP_TRY, PMDSTAT_MODE_WRITE },
	{ "hugetlb_vma_lock_read", LP_TRACK_VMA, 0, true },
	{ "hugetlb_vma_lock_write", LP_TRACK_VMA, 0, true },
	{ "hugetlb_vma_trylock_write", LP_TRACK_VMA, 0, true },
	/* 7.3 renamed the file rmap tree: mapping_rmap_tree_foreach() */
	{ "vma_interval_tree_iter_next", LP_SCAN, 0, true,
	  .alt = "mapping_rmap_tree_iter_next" },
};

#define NR_LOCKPROBES ARRAY_SIZE(pmdstat_lockprobes)
static_assert(ARRAY_SIZE(pmdstat_lockprobes) <= PMDSTAT_MAX_LOCKPROBES);
static_assert(ARRAY_SIZE(pmdstat_lockprobes) * LP_MAX_KPROBES + PMDSTAT_MAX_SITES <=
	      PMDSTAT_MAX_KPROBES);

static bool pmdstat_slow_timed[PMDSTAT_NR_MODES];

static __always_inline struct pmdstat_lock_pcpu *lk_pcpu(void)
{
	return &pmdstat_this_pcpu()->lk;
}

static __always_inline unsigned long return_address(struct pt_regs *regs)
{
	return pmdstat_entry_return_address(regs);
}

/* ---- blame: what each contended wait waited behind ------------------ */

/* on by default: it costs nothing until a wait is contended */
static bool pmdstat_blame_on __read_mostly = true;

int pmdstat_locks_set_blame(unsigned long on)
{
	if (on > 1)
		return -EINVAL;
	WRITE_ONCE(pmdstat_blame_on, on);
	return 0;
}

/* What lp_blame() reads of another task's record. */
struct blame_cand {
	unsigned long task;
	unsigned long caller;
	u64 t0;
	u32 pid;
	u8 state;
	u8 mode;
	u8 waiting;		/* in the slow path, or counted as contended */
	char comm[TASK_COMM_LEN];
};

/* A consistent copy of another task's record of @lock, or false. */
static bool blame_peek(const struct pmdstat_inflight *r, unsigned long lock,
		       struct blame_cand *c)
{
	/* pairs with the cmpxchg of task that orders a free before gen's bump */
	u32 gen = smp_load_acquire(&r->gen);
	unsigned long task = READ_ONCE(r->task);
	unsigned int st;

	if (!task || READ_ONCE(r->lock) != lock)
		return false;
	/* pairs with the release that publishes a complete record */
	st = smp_load_acquire(&r->state);
	if (st != ST_WAIT && st != ST_HOLD)
		return false;
	c->task = task;
	c->state = st;
	c->mode = READ_ONCE(r->mode);
	c->waiting = st == ST_WAIT && (READ_ONCE(r->slow) || READ_ONCE(r->contended));
	c->t0 = READ_ONCE(r->t0);
	c->caller = READ_ONCE(r->caller);
	c->pid = READ_ONCE(r->pid);
	memcpy(c->comm, r->comm, TASK_COMM_LEN);
	/* the copy above before the recheck below: a record freed meanwhile fails it */
	smp_rmb();
	return READ_ONCE(r->gen) == gen && READ_ONCE(r->task) == task &&
	       READ_ONCE(r->state) == st && READ_ONCE(r->lock) == lock;
}

NOKPROBE_SYMBOL(blame_peek);

/* @task's record of @lock, found in its own home's span; or false. */
static bool blame_find(unsigned long task, unsigned long lock,
		       struct blame_cand *c)
{
	unsigned int h = hash_ptr((void *)task, ilog2(INFLIGHT_SLOTS)), i, span;

	if (!atomic_read(&pmdstat_home[h]))
		return false;
	span = pmdstat_inflight_span(h);
	for (i = 0; i < span; i++)
		if (blame_peek(&pmdstat_inflight[(h + i) & (INFLIGHT_SLOTS - 1)],
			       lock, c) && c->task == task)
			return true;
	return false;
}

NOKPROBE_SYMBOL(blame_find);

/*
 * @w's request is contended: note what it waits behind.  The lock word
 * names a task: the writer that holds it; the last reader in (a writer
 * waits for it; it may have left); on PREEMPT_RT the holder of the
 * rtmutex (a writer waiting for the readers to leave, whom every later
 * request queues behind, or a reader in its slow path, which a writer
 * waits for).  That task's own record of the lock says how it asked.
 * Else the first writer that waits for the lock (a new reader queues
 * behind it: rwsem hand-off; so does a later writer).  Else unknown: a
 * holder that took it before tracking began, a task the filter leaves
 * out, or a reader that was not the last one in.  Looks at no more than
 * two tasks' records: it runs in the waiter's context, on PREEMPT_RT
 * under the rtmutex's wait_lock with interrupts off.  True if @w is a
 * PREEMPT_RT writer that holds the rtmutex and waits for the readers to
 * leave: every other request waits behind it.
 */
static noinline bool lp_blame(struct pmdstat_inflight *w)
{
	struct rw_semaphore *sem = (struct rw_semaphore *)w->lock;
	unsigned int state = PMDSTAT_BLOCK_UNKNOWN;
	unsigned long task, v;
	struct blame_cand c;
	int how;

	task = pmdstat_rwsem_owner(sem, &how);
	/* PREEMPT_RT: a writer that holds the rtmutex waits for the readers */
	if (how == PMDSTAT_OWNER_RTMUTEX && task == (unsigned long)current)
		return true;
	if (how != PMDSTAT_OWNER_NONE && task != (unsigned long)current &&
	    blame_find(task, w->lock, &c)) {
		bool write = c.mode == PMDSTAT_MODE_WRITE;

		if (how == PMDSTAT_OWNER_WRITER && write && !c.waiting)
			state = PMDSTAT_BLOCK_HOLD;
		else if (how == PMDSTAT_OWNER_READER && !write && !c.waiting &&
			 w->mode == PMDSTAT_MODE_WRITE)
			state = PMDSTAT_BLOCK_HOLD;
		else if (how == PMDSTAT_OWNER_RTMUTEX && c.waiting &&
			 (write || w->mode == PMDSTAT_MODE_WRITE))
			state = write ? PMDSTAT_BLOCK_WAIT : PMDSTAT_BLOCK_HOLD;
	}
	if (state == PMDSTAT_BLOCK_UNKNOWN) {
		/*
		 * A writer that asked before this request and still waits
		 * (local_clock() of two CPUs: a writer that asked just before
		 * may look later, and this wait is then unknown).
		 */
		v = READ_ONCE(wwait_slot(w->lock)->who);
		if (!v || v > INFLIGHT_SLOTS || &pmdstat_inflight[v - 1] == w ||
		    !blame_peek(&pmdstat_inflight[v - 1], w->lock, &c) ||
		    c.mode != PMDSTAT_MODE_WRITE || !c.waiting || c.t0 > w->t0)
			return false;
		state = PMDSTAT_BLOCK_WAIT;
	}
	w->blk_caller = c.caller;
	w->blk_mode = c.mode;
	w->blk_pid = c.pid;
	memcpy(w->blk_comm, c.comm, TASK_COMM_LEN);
	/* the blocker before the state that says it is there (live view) */
	smp_store_release(&w->blk_state, state);
	return false;
}

NOKPROBE_SYMBOL(lp_blame);

/*
 * A reader is about to release @r's lock (up_read's entry: it still holds
 * it).  If a writer waits for the lock and this is one of the last
 * readers, the last one noted lets the writer in: noted in the lock's
 * slot, blamed for the writer's wait when nothing else was seen (lp_blame
 * runs when the wait begins, and the lock word names only the last reader
 * in).  On every tracked read release, a read of a line that only
 * contended writers of this lock hash write; the note is written at most
 * a few times per waiting writer's wait, by the readers that find
 * themselves among the last two.
 */
static void blame_note_release(const struct pmdstat_inflight *r)
{
	struct pmdstat_wwait *s = wwait_slot(r->lock);
	unsigned long v = READ_ONCE(s->who), flags;

	if (likely(!v) || v > INFLIGHT_SLOTS || v == wwait_tag(r))
		return;
	/*
	 * More readers still in: one of the last lets the writer in.  Two,
	 * not one: two last readers that release at once both see two.
	 */
	if (pmdstat_rwsem_nr_readers((struct rw_semaphore *)r->lock) > 2)
		return;
	/* most waiting writers of this slot's hash wait for other locks */
	if (READ_ONCE(pmdstat_inflight[v - 1].lock) != r->lock)
		return;
	/* taken: another reader notes right now; one note is enough */
	if (!wwait_trylock(s, &flags))
		return;
	/* under the bit, record v stays the waiting writer's (wwait_clear) */
	if (READ_ONCE(s->who) == v &&
	    READ_ONCE(pmdstat_inflight[v - 1].lock) == r->lock &&
	    READ_ONCE(pmdstat_inflight[v - 1].mode) == PMDSTAT_MODE_WRITE) {
		s->rel_caller = r->caller;
		s->rel_pid = r->pid;
		s->rel_who = v;
	}
	wwait_unlock(s, flags);
}

NOKPROBE_SYMBOL(blame_note_release);

/*
 * A contended write request claims its lock's slot if it is free (read
 * first: a taken slot's line stays shared).  With @first, the PREEMPT_RT
 * writer that every other request of the lock waits behind takes it over
 * from a writer of the same lock, under the bit (wwait_clear() clears
 * under it), with the note made for that writer: it is this one's.
 */
static void wwait_claim(struct pmdstat_inflight *r, bool first)
{
	struct pmdstat_wwait *s = wwait_slot(r->lock);
	unsigned long v = READ_ONCE(s->who), tag = wwait_tag(r), flags;

	if (!first) {
		if (!v && !cmpxchg(&s->who, 0, tag))
			r->wslot = 1;
		return;
	}
	wwait_lock(s, &flags);
	v = s->who;
	if (!v || (v <= INFLIGHT_SLOTS &&
		   READ_ONCE(pmdstat_inflight[v - 1].lock) == r->lock)) {
		if (v && s->rel_who == v)
			s->rel_who = tag;
		WRITE_ONCE(s->who, tag);
		r->wslot = 1;
	}
	wwait_unlock(s, flags);
}

NOKPROBE_SYMBOL(wwait_claim);

/* A contended request starts waiting: blame it, if blame is on. */
static __always_inline void lp_contended(struct pmdstat_inflight *r)
{
	if (!r->contended && READ_ONCE(pmdstat_blame_on)) {
		bool first = lp_blame(r);

		r->blamed = 1;
		if (r->mode == PMDSTAT_MODE_WRITE)
			wwait_claim(r, first);
	}
	r->contended = 1;
}

/* @r waited @wait: into its row of waiter and blocker. */
static void lp_blame_add(struct pmdstat_lock_pcpu *lk,
			 const struct pmdstat_inflight *r, u64 wait)
{
	bool known = r->blk_state != PMDSTAT_BLOCK_UNKNOWN;
	/* a row's waiter is never 0, which marks an empty row: 1 symbolizes as "?" */
	unsigned long waiter = r->caller ? r->caller : 1;
	unsigned long blocker = known ? r->blk_caller : 0;
	u8 bmode = known ? r->blk_mode : 0;
	unsigned int i;

	for (i = 0; i < PMDSTAT_PCPU_BLAME; i++) {
		struct pmdstat_blame_stats *b = &lk->blame[i];

		if (!b->waiter) {
			b->blocker = blocker;
			b->kind = r->kind;
			b->wmode = r->mode;
			b->bmode = bmode;
			b->bstate = r->blk_state;
			/* the key before the waiter that says the row is in use */
			smp_store_release(&b->waiter, waiter);
		} else if (b->waiter != waiter || b->blocker != blocker ||
			   b->kind != r->kind || b->wmode != r->mode ||
			   b->bmode != bmode || b->bstate != r->blk_state) {
			continue;
		}
		b->waits++;
		b->wait_total += wait;
		if (wait >= b->wait_max) {
			b->wait_max = wait;
			b->max_pid = known ? r->blk_pid : 0;
			if (known)
				memcpy(b->max_comm, r->blk_comm, TASK_COMM_LEN);
			else
				b->max_comm[0] = '\0';
		}
		return;
	}
	lk->blame_full++;
}

NOKPROBE_SYMBOL(lp_blame_add);

/* An acquisition is complete: count it and start its hold. */
static void lp_acquired(struct pmdstat_lock_pcpu *lk, struct pmdstat_inflight *r,
			u64 now, bool waited, unsigned long first)
{
	struct pmdstat_lock_stats *l = &lk->lock[r->kind][r->mode];
	struct pmdstat_caller_stats *cs = caller_slot(lk, r->caller, r->kind, r->mode);
	u64 wait = pmdstat_since(r->t0, now);

	l->acquired++;
	if (cs)
		cs->acquired++;
	if (waited) {
		/* only acquisitions that took the slow path waited */
		l->contended++;
		pmdstat_hist_add(&l->wait, wait);
		if (cs) {
			cs->contended++;
			cs->wait_total += wait;
			if (wait > cs->wait_max)
				cs->wait_max = wait;
		}
		if (r->from_share)
			pmdstat_hist_add(&lk->share_wait, wait);
		/*
		 * Blamed when it began: a row; else blame was off then.  A
		 * writer blamed on nothing then: the reader that let it in.
		 */
		wwait_clear(r, r->blamed && r->blk_state == PMDSTAT_BLOCK_UNKNOWN);
		if (r->blamed)
			lp_blame_add(lk, r, wait);
		else
			lk->blame_off++;
		pmdstat_note(PMDSTAT_WAIT, r, wait, first);
		r->t0 = now;
	}
	WRITE_ONCE(r->state, ST_HOLD);
}

NOKPROBE_SYMBOL(lp_acquired);

static void lp_end_hold(struct pmdstat_lock_pcpu *lk, struct pmdstat_inflight *r,
			u64 now, unsigned long first)
{
	struct pmdstat_caller_stats *cs;
	u64 hold = pmdstat_since(r->t0, now);

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
	pmdstat_note(PMDSTAT_HOLD, r, hold, first);
}

NOKPROBE_SYMBOL(lp_end_hold);

/*
 * A record the lock word denies: a trylock predicted to succeed that did
 * not (it counts as failed now; successes are counted when a release
 * confirms them), or a hold whose release was missed.
 */
static void lp_drop_stale(struct pmdstat_lock_pcpu *lk, struct pmdstat_inflight *r)
{
	struct pmdstat_caller_stats *cs;

	if (r->wait_pending) {
		/* RT: a wait that ended (lp_rt_end): it happened */
		u64 acquired = r->t0;

		r->wait_pending = 0;
		r->t0 = r->aux1;
		lp_acquired(lk, r, acquired, true, 0);
	}
	if (r->predicted) {
		lk->lock[r->kind][r->mode].try_fail++;
		cs = caller_slot(lk, r->caller, r->kind, r->mode);
		if (cs)
			cs->try_fail++;
	}
	lk->stale++;
	pmdstat_inflight_free(r);
}

/* A release confirms a trylock's success: count it now. */
static void lp_confirm_try(struct pmdstat_lock_pcpu *lk, struct pmdstat_inflight *r)
{
	struct pmdstat_caller_stats *cs = caller_slot(lk, r->caller, r->kind, r->mode);
	struct pmdstat_lock_stats *l = &lk->lock[r->kind][r->mode];

	l->try_ok++;
	l->acquired++;
	if (cs) {
		cs->try_ok++;
		cs->acquired++;
	}
	r->predicted = 0;
}

NOKPROBE_SYMBOL(lp_confirm_try);

NOKPROBE_SYMBOL(lp_drop_stale);

static void lp_request(struct pmdstat_lockprobe *lp, unsigned long sem,
		       unsigned long caller, struct pmdstat_lock_pcpu *lk,
		       unsigned int idx)
{
	struct pmdstat_inflight *r;
	int kind, held, rec;

	kind = pmdstat_tracked_kind(sem, NULL);
	if (kind < 0 || pmdstat_filtered_out())
		return;
	lk->probe[idx].hits++;
	/* before it blocks: does this task already hold it? */
	r = pmdstat_inflight_find(sem, 0);
	if (r) {
		held = pmdstat_rwsem_held_by_current((struct rw_semaphore *)sem,
						     r->mode == PMDSTAT_MODE_WRITE);
		if (held == PMDSTAT_NO) {
			lp_drop_stale(lk, r);	/* a record the lock word denies */
		} else if (held == PMDSTAT_YES && lp->op == LP_ACQ && !r->predicted) {
			/* only a write hold is ever confirmed by the lock word */
			pmdstat_races_report(pmdstat_rule_acquire(true, false),
					     caller, caller,
					     lp->mode == PMDSTAT_MODE_WRITE ?
					     "write_request_while_holding" :
					     "read_request_while_holding");
			return;
		} else if (lp->op == LP_ACQ && r->mode == PMDSTAT_MODE_READ) {
			/*
			 * A read record the lock word cannot confirm, and a new
			 * request: keep timing the new one, not a hold that may
			 * have ended unseen.
			 */
			lp_drop_stale(lk, r);
		} else {
			return;	/* cannot tell: record nothing */
		}
	}
	if (lp->op == LP_TRY) {
		struct pmdstat_lock_stats *l = &lk->lock[kind][lp->mode];
		struct pmdstat_caller_stats *cs = caller_slot(lk, caller, kind, lp->mode);

		/* the fast path's own test, on the lock word at entry */
		if (!pmdstat_rwsem_trylock_would_succeed((struct rw_semaphore *)sem,
							 lp->mode == PMDSTAT_MODE_WRITE)) {
			l->try_fail++;
			if (cs)
				cs->try_fail++;
			return;
		}
		rec = pmdstat_inflight_alloc(sem, ST_HOLD, kind, lp->mode, caller);
		if (rec >= 0)
			pmdstat_inflight[rec].predicted = 1;	/* counted when confirmed */
		return;
	}
	rec = pmdstat_inflight_alloc(sem, ST_WAIT, kind, lp->mode, caller);
	if (rec >= 0 && kind == PMDSTAT_LK_IMMAP && in_share(caller))
		pmdstat_inflight[rec].from_share = 1;
}

NOKPROBE_SYMBOL(lp_request);

static void lp_release(struct pmdstat_lockprobe *lp, unsigned long sem,
		       unsigned long caller, struct pmdstat_lock_pcpu *lk,
		       unsigned int idx)
{
	struct pmdstat_inflight *r;
	u64 now;

	/*
	 * Look the record up before any other test: a release must end the
	 * hold it belongs to even if the filter changed or the lock stopped
	 * being tracked since the acquisition.
	 */
	if (!current_has_records())
		return;
	if (lp->op == LP_REL && pmdstat_shares_in_flight()) {
		/* still under i_mmap_rwsem: the table this share leaves */
		struct pmdstat_inflight *sh = pmdstat_inflight_find(0, ST_SHARE);

		if (sh && sh->aux2 == sem && !sh->observed) {
			sh->observed = 1;
			if (!pmdstat_races_share_observe(sh->aux1))
				pmdstat_share_unseen();
		}
	}
	r = pmdstat_inflight_find(sem, 0);
	if (!r) {
		if (pmdstat_tracked_kind(sem, NULL) >= 0 && !pmdstat_filtered_out()) {
			lk->probe[idx].hits++;
			lk->unmatched++;	/* taken before tracking began */
		}
		return;
	}
	lk->probe[idx].hits++;
	now = pmdstat_clock();
	if (r->wait_pending) {
		/* RT: the wait from the request (aux1) ended at t0 (lp_rt_end) */
		u64 acquired = r->t0;

		r->wait_pending = 0;
		r->t0 = r->aux1;
		lp_acquired(lk, r, acquired, true, 0);	/* not its stack: none */
	} else if (r->state == ST_WAIT) {
		lp_acquired(lk, r, r->t0, false, r->caller);	/* the fast path: no wait */
	}
	if (r->predicted)
		lp_confirm_try(lk, r);
	lp_end_hold(lk, r, now, caller);
	if (r->mode == PMDSTAT_MODE_READ)
		blame_note_release(r);
	if (lp->op == LP_DOWNGRADE) {
		r->mode = PMDSTAT_MODE_READ;
		r->t0 = now;
	} else {
		pmdstat_inflight_free(r);
	}
}

NOKPROBE_SYMBOL(lp_release);

/*
 * Without a record of its own: is @sem held for read (or write) by the
 * running task?  No only when the lock word says nobody reads it and the
 * task does not write-hold it; a missing record alone proves nothing.
 */
static int lp_read_held(struct rw_semaphore *sem)
{
	if (pmdstat_rwsem_held_by_current(sem, true) == PMDSTAT_YES)
		return PMDSTAT_YES;
	return pmdstat_rwsem_held_by_current(sem, false) == PMDSTAT_NO ?
	       PMDSTAT_NO : PMDSTAT_UNKNOWN;
}

NOKPROBE_SYMBOL(lp_read_held);

/*
 * The running task's record in the slow path: of lock @lock, or (0) the
 * newest one (a leftover from a return we did not see is older).
 */
static struct pmdstat_inflight *lp_find_slow(unsigned long lock)
{
	struct pmdstat_inflight *best = NULL;
	unsigned int h = inflight_hash(), i, span = pmdstat_inflight_span(h);

	for (i = 0; i < span; i++) {
		struct pmdstat_inflight *r =
			&pmdstat_inflight[(h + i) & (INFLIGHT_SLOTS - 1)];

		if (READ_ONCE(r->task) != (unsigned long)current ||
		    r->task_start != current->start_time ||
		    READ_ONCE(r->state) != ST_WAIT || !r->slow)
			continue;
		if (lock ? r->lock == lock : (!best || r->t0 > best->t0))
			best = r;
	}
	return best;
}

NOKPROBE_SYMBOL(lp_find_slow);

#ifdef HAVE_RWSEM_RWBASE
/*
 * PREEMPT_RT rwsems (compat.h): contention is seen at the lock:contention_*
 * tracepoints.  A reader that cannot take the fast path brackets its wait
 * with begin(sem, RT|READ) ... end(sem, ret), and its rtmutex wait inside
 * with begin(rtmutex, RT) ... end(rtmutex).  A writer first takes the
 * rtmutex (begin/end on the rtmutex if it is contended), then, if readers
 * are in, waits for them between begin(sem, RT|WRITE) and end(sem, ret).
 *
 * A wait is counted at the event that ends it.  A writer's rtmutex wait
 * ends its wait only if no reader is in; otherwise the record is marked
 * (wait_pending, the request time kept in aux1) and its wait for the
 * readers continues it.
 */
#define LP_RT_RTMUTEX	PMDSTAT_RT_RTMUTEX

static void lp_rt_begin(struct pmdstat_lock_pcpu *lk, unsigned int idx,
			unsigned long lock, unsigned int flags)
{
	struct pmdstat_inflight *r;

	lockdep_assert_preemption_disabled();
	if (!current_has_records())
		return;
	lk->probe[idx].calls++;
	if (flags & (LCB_F_READ | LCB_F_WRITE)) {
		r = pmdstat_inflight_find(lock, 0);
		if (!r)
			return;
		if (r->state == ST_HOLD) {
			/* a writer with its rtmutex, waiting for readers to leave */
			if (!(flags & LCB_F_WRITE) || r->mode != PMDSTAT_MODE_WRITE || r->slow)
				return;
			if (r->wait_pending) {
				/* its wait goes on: from the request (aux1) */
				r->wait_pending = 0;
				r->t0 = r->aux1;
				/* t0 before the state: the live view reads them */
				smp_store_release(&r->state, ST_WAIT);
			} else {
				/*
				 * Counted already: a reader slipped in after
				 * lp_rt_end() looked.  This wait is in its hold;
				 * slow only so that its end is seen.
				 */
				r->slow = 1;
				atomic_inc(&pmdstat_nr_slow);
				return;
			}
		}
	} else {
		r = pmdstat_inflight_find(lock - LP_RT_RTMUTEX, ST_WAIT);
		if (!r)
			return;
	}
	if (r->slow)
		return;		/* a reader's rtmutex, inside its own wait */
	if (!r->contended)
		lk->probe[idx].hits++;	/* contended requests */
	lp_contended(r);
	r->slow = 1;
	atomic_inc(&pmdstat_nr_slow);
}

NOKPROBE_SYMBOL(lp_rt_begin);

/* A write hold counted at its rtmutex whose wait for readers failed. */
static void lp_rt_undo(struct pmdstat_lock_pcpu *lk, struct pmdstat_inflight *r)
{
	struct pmdstat_caller_stats *cs = caller_slot(lk, r->caller, r->kind, r->mode);
	struct pmdstat_lock_stats *l = &lk->lock[r->kind][r->mode];

	/* per-CPU counters are summed: one on another CPU may go below 0 */
	l->acquired--;
	l->contended--;
	l->failed++;
	if (cs) {
		cs->acquired--;
		cs->contended--;
	}
	pmdstat_inflight_free(r);
}

NOKPROBE_SYMBOL(lp_rt_undo);

static void lp_rt_end(struct pmdstat_lock_pcpu *lk, unsigned int idx,
		      unsigned long lock, int ret)
{
	struct pmdstat_inflight *r;
	struct rw_semaphore *sem;
	bool on_rtmutex = false;
	u64 now;

	lockdep_assert_preemption_disabled();
	if (!atomic_read(&pmdstat_nr_slow) || !current_has_records())
		return;
	lk->probe[idx].calls++;
	r = pmdstat_inflight_find(lock, 0);
	if (r && r->state == ST_HOLD) {
		if (!r->slow)
			return;
		/* the wait of a hold counted already (lp_rt_begin) */
		r->slow = 0;
		atomic_dec(&pmdstat_nr_slow);
		if (ret)
			lp_rt_undo(lk, r);	/* -EINTR: the kernel let go of it */
		return;
	}
	if (!r) {
		r = pmdstat_inflight_find(lock - LP_RT_RTMUTEX, ST_WAIT);
		/* a reader's rtmutex wait is inside its own: its sem's end follows */
		if (r && r->mode == PMDSTAT_MODE_READ)
			return;
		on_rtmutex = true;
	}
	if (!r || !r->slow)
		return;
	lk->probe[idx].hits++;	/* waits ended */
	r->slow = 0;
	atomic_dec(&pmdstat_nr_slow);
	if (ret) {
		lk->lock[r->kind][r->mode].failed++;
		pmdstat_inflight_free(r);
		return;
	}
	now = pmdstat_clock();
	sem = (struct rw_semaphore *)(lock - LP_RT_RTMUTEX);
	if (on_rtmutex && (unsigned int)atomic_read(&sem->rwbase.readers) != READER_BIAS) {
		/*
		 * A writer with the rtmutex, and readers are in: it waits for
		 * them next, between begin and end on the sem, where the wait
		 * is counted.  If they all leave before it looks, nothing
		 * follows, and the release counts the wait as ending here.
		 */
		r->aux1 = r->t0;
		r->t0 = now;	/* the hold starts: what live shows */
		r->wait_pending = 1;
		/* t0 before the state: the live view reads them */
		smp_store_release(&r->state, ST_HOLD);
		return;
	}
	/*
	 * Counted here, with the stack of the acquiring path, even where this
	 * runs under the rtmutex's wait_lock with interrupts off: per-CPU
	 * counters, and for an outlier alone a stack and a try of the event
	 * log's raw lock (pmdstat_note).  A reader that slips in between this
	 * test and the writer's own (its fast path takes no lock) makes the
	 * writer wait again: that wait is then counted in its hold.
	 */
	lp_acquired(lk, r, now, true, r->caller);
}

NOKPROBE_SYMBOL(lp_rt_end);
#endif

/*
 * One probe hit: @arg is the function's first argument, @caller the return
 * address into its caller (0 for the slow paths' return sites), @ret the
 * return value at a return site.  Runs with preemption disabled.
 */
static void lp_dispatch(struct pmdstat_lockprobe *lp, unsigned long arg,
			unsigned long caller, unsigned long ret)
{
	unsigned int idx = lp - pmdstat_lockprobes;
	struct pmdstat_lock_pcpu *lk;
	struct pmdstat_inflight *r;

	lk = lk_pcpu();
	lk->probe[idx].calls++;
	switch (lp->op) {
	case LP_ACQ:
	case LP_TRY:
		lp_request(lp, arg, caller, lk, idx);
		break;
	case LP_REL:
	case LP_DOWNGRADE:
		lp_release(lp, arg, caller, lk, idx);
		break;
	case LP_SLOW:
		if (!current_has_records())
			break;
		r = pmdstat_inflight_find(arg, ST_WAIT);
		if (r && !r->slow) {
			lk->probe[idx].hits++;
			lp_contended(r);
			r->slow = 1;
			atomic_inc(&pmdstat_nr_slow);
		}
		break;
	case LP_SLOW_RET:
		/* returns the rwsem, or ERR_PTR(-EINTR) from a killable wait */
		if (!atomic_read(&pmdstat_nr_slow) || !current_has_records())
			break;
		r = lp_find_slow(IS_ERR_VALUE(ret) ? 0 : ret);
		if (!r)
			break;
		if (IS_ERR_VALUE(ret)) {
			lk->probe[idx].hits++;
			lk->lock[r->kind][r->mode].failed++;
			pmdstat_inflight_free(r);
		} else {
			lk->probe[idx].hits++;
			lp_acquired(lk, r, pmdstat_clock(), true, r->caller);
			r->slow = 0;
			atomic_dec(&pmdstat_nr_slow);
		}
		break;
	case LP_TRACK_VMA: {
		/* the function is given a live vma: it reads the same fields */
		struct vm_area_struct *vma = (struct vm_area_struct *)arg;
		struct rw_semaphore *sem = pmdstat_vma_lock_of(vma);
		struct address_space *mapping;
		struct file *file;

		if (!sem)
			break;
		/* the common case, one lookup: its lock is tracked already */
		if (pmdstat_tracked_kind((unsigned long)sem, NULL) >= 0) {
			lk->probe[idx].hits++;
			break;
		}
		file = pmdstat_vma_file(vma);
		mapping = pmdstat_file_mapping(file);
		if (mapping &&
		    pmdstat_tracked_kind((unsigned long)&mapping->i_mmap_rwsem,
					 NULL) >= 0) {
			lk->probe[idx].hits++;
			pmdstat_track_vma_lock(vma, file);
		}
		break;
	}
	case LP_FREE_VMALOCK:
		pmdstat_untrack_lock((unsigned long)
				     pmdstat_vma_lock_of_kref((struct kref *)arg));
		break;
	case LP_CLOSE_VMA: {
		struct vm_area_struct *vma = (struct vm_area_struct *)arg;
		struct rw_semaphore *sem;

		if (!atomic_read(&pmdstat_nr_tracked[PMDSTAT_LK_VMA]))
			break;
		/* the lock is freed right after; or was, by the final unmap */
		sem = pmdstat_vma_lock_of(vma);
		if (sem)
			pmdstat_untrack_lock((unsigned long)sem);
		else
			pmdstat_untrack_owner(arg);
		break;
	}
	case LP_FREE_INODE: {
		struct address_space *mapping = NULL;

		if (!atomic_read(&pmdstat_nr_tracked_all) ||
		    get_kernel_nofault(mapping, &((struct inode *)arg)->i_mapping) ||
		    !mapping)
			break;
		pmdstat_untrack_lock((unsigned long)&mapping->i_mmap_rwsem);
		break;
	}
	case LP_SCAN:
		if (!current_has_records())
			break;
		if (!in_share(caller))
			break;
		r = pmdstat_inflight_find(0, ST_SHARE);
		if (r) {
			struct pmdstat_inflight *h;

			lk->probe[idx].hits++;
			r->scan++;
			if (!r->checked && r->aux2) {
				/* the scan must run under i_mmap_rwsem (read) */
				r->checked = 1;
				h = pmdstat_inflight_find(r->aux2, 0);
				pmdstat_races_report(pmdstat_rule_share(h ? PMDSTAT_YES :
						lp_read_held((struct rw_semaphore *)r->aux2)),
						     r->caller, caller,
						     "scan_without_i_mmap_rwsem");
			}
		}
		break;
	}
}

NOKPROBE_SYMBOL(lp_dispatch);

#ifdef HAVE_RWSEM_RWBASE
/*
 * Non-zero on this CPU while a handler runs (preemption is off in all of
 * them).  A contended raw spinlock of ours fires lock:contention_end, which
 * has no flags to tell it from an rwsem's: the tracepoint probes return at
 * once when they find it set, so that no handler runs inside another.  A
 * count, so that a kprobe handler that interrupts another keeps it set.
 */
static DEFINE_PER_CPU(int, pmdstat_lp_running);

static void lp_handle(struct pmdstat_lockprobe *lp, unsigned long arg,
		      unsigned long caller, unsigned long ret)
{
	__this_cpu_inc(pmdstat_lp_running);
	lp_dispatch(lp, arg, caller, ret);
	__this_cpu_dec(pmdstat_lp_running);
}

NOKPROBE_SYMBOL(lp_handle);
#else
/* Nothing here can run inside a handler: no tracepoint probes. */
#define lp_handle lp_dispatch
#endif

/* The slow paths' return sites, and entries that ftrace cannot patch. */
static int lp_kprobe(struct kprobe *kp, struct pt_regs *regs)
{
	struct pmdstat_lockprobe *lp = container_of(kp, struct pmdstat_lpkp, kp)->lp;

	if (PMDSTAT_IS_FLOOR)
		return 0;
	if (lp->op == LP_SLOW_RET)
		lp_handle(lp, 0, 0, regs_return_value(regs));
	else
		lp_handle(lp, regs->di, return_address(regs), 0);
	return 0;
}

NOKPROBE_SYMBOL(lp_kprobe);

/*
 * The entries of the lock functions go through one ftrace_ops: every rwsem
 * operation in the system passes here, and an ftrace_ops that saves only
 * the argument registers costs far less than a kprobe (which saves all
 * registers and looks itself up by address).  The callback finds its
 * lockprobe by the traced address in this table.  Entries are only added,
 * each before its address joins the ops' filter (so a callback can meet a
 * slot being filled only for an address it is not called for), and the
 * table is cleared after the ops is unregistered.
 */
#define LP_IP_SLOTS	64	/* power of two, at least twice the lockprobes */
static_assert(LP_IP_SLOTS >= 2 * NR_LOCKPROBES);

static struct {
	unsigned long ip;
	struct pmdstat_lockprobe *lp;
} pmdstat_lp_ip[LP_IP_SLOTS] __read_mostly;

static struct pmdstat_lockprobe *lp_of_ip(unsigned long ip)
{
	unsigned int h = hash_long(ip, ilog2(LP_IP_SLOTS)), i;

	for (i = 0; i < LP_IP_SLOTS; i++) {
		unsigned int k = (h + i) & (LP_IP_SLOTS - 1);
		unsigned long slot = READ_ONCE(pmdstat_lp_ip[k].ip);

		if (slot == ip)
			return READ_ONCE(pmdstat_lp_ip[k].lp);
		if (!slot)
			break;
	}
	return NULL;
}

NOKPROBE_SYMBOL(lp_of_ip);

static bool lp_ip_add(unsigned long ip, struct pmdstat_lockprobe *lp)
{
	unsigned int h = hash_long(ip, ilog2(LP_IP_SLOTS)), i;

	for (i = 0; i < LP_IP_SLOTS; i++) {
		unsigned int k = (h + i) & (LP_IP_SLOTS - 1);

		if (!pmdstat_lp_ip[k].ip || pmdstat_lp_ip[k].ip == ip) {
			WRITE_ONCE(pmdstat_lp_ip[k].lp, lp);
			/* the pointer before the address that finds it */
			smp_store_release(&pmdstat_lp_ip[k].ip, ip);
			return true;
		}
	}
	return false;
}

/*
 * The ftrace_ops callback.  The tracked locks are rwsems, taken and
 * released in task context only: calls from interrupts (an NMI's
 * mmap_read_trylock, say) are not ours and must not interleave with a
 * task's handler on the same CPU, which the per-CPU counters assume (as
 * kprobes never nest).  The recursion guard is ours, as in kprobes' own
 * ftrace handler, so that the trampoline calls this function directly and
 * a refused call is counted as missed; it also disables preemption.
 */
static void notrace lp_ftrace(unsigned long ip, unsigned long parent_ip,
			      struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct pmdstat_lockprobe *lp;
	int bit;

	if (PMDSTAT_IS_FLOOR || unlikely(!fregs) || !in_task())
		return;
	lp = lp_of_ip(ip);
	if (unlikely(!lp))
		return;
	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0) {
		this_cpu_inc(pmdstat_pcpu->lk.probe[lp - pmdstat_lockprobes].missed);
		return;
	}
	if (likely(rcu_is_watching()))
		lp_handle(lp, pmdstat_ftrace_arg0(fregs), parent_ip, 0);
	ftrace_test_recursion_unlock(bit);
}

NOKPROBE_SYMBOL(lp_ftrace);

/* No SAVE_REGS: the argument registers only. */
static struct ftrace_ops pmdstat_lp_fops = {
	.func = lp_ftrace,
};

#ifdef HAVE_RWSEM_RWBASE
/*
 * The lock:contention_* tracepoints (16edd9b511a1, ee042be16cb4), found by
 * name: their symbols are not exported.  A probe runs in the waiter's
 * context, sometimes with interrupts off (the rtmutex's wait_lock).  The
 * begin probe marks the waiting record (lp_rt_begin); the end probe also
 * counts the acquisition, and for an outlier saves a stack and takes the
 * event log's raw lock (pmdstat_note).
 *
 * Both disable preemption themselves.  Until a46023d5616e ("tracing: Guard
 * __DECLARE_TRACE() use of __DO_TRACE_CALL() with SRCU-fast") a tracepoint
 * did it for its probes; since then (7.3) it only holds SRCU-fast, and a
 * reader's contention_end, and a writer's -EINTR one, come after the
 * wait_lock is dropped: preemptible.  The per-CPU counters, the running
 * count above all, must not move to another CPU half-way (one CPU left at
 * 1 and another at -1 dropped every hit after), nor interleave with another
 * task's handler on this CPU.
 *
 * A begin of a raw spinlock (LCB_F_SPIN), a mutex and the rest is dropped on
 * its flags; an end has none, and is dropped unless a tracked wait is in
 * flight.  Neither runs inside another handler (pmdstat_lp_running): our
 * own raw spinlocks fire them too.
 */
static struct tracepoint *lp_tp[2];	/* contention_begin, contention_end */

static void lp_tp_lookup(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "contention_begin"))
		lp_tp[0] = tp;
	else if (!strcmp(tp->name, "contention_end"))
		lp_tp[1] = tp;
}

static void notrace lp_tp_begin(void *data, void *lock, unsigned int flags)
{
	struct pmdstat_lockprobe *lp = data;

	unsigned int idx = lp - pmdstat_lockprobes;

	/* rtmutexes and rt spinlocks pass the flags: no record, no work */
	if (PMDSTAT_IS_FLOOR || !(flags & LCB_F_RT) ||
	    (flags & ~(LCB_F_RT | LCB_F_READ | LCB_F_WRITE)) || !in_task() ||
	    !current_has_records())
		return;
	preempt_disable_notrace();
	if (!__this_cpu_read(pmdstat_lp_running)) {
		__this_cpu_inc(pmdstat_lp_running);
		lp_rt_begin(lk_pcpu(), idx, (unsigned long)lock, flags);
		__this_cpu_dec(pmdstat_lp_running);
	}
	preempt_enable_notrace();
}

NOKPROBE_SYMBOL(lp_tp_begin);

static void notrace lp_tp_end(void *data, void *lock, int ret)
{
	/* every contention ends here: only while a tracked wait is slow */
	struct pmdstat_lockprobe *lp = data;

	unsigned int idx = lp - pmdstat_lockprobes;

	if (PMDSTAT_IS_FLOOR || !atomic_read(&pmdstat_nr_slow) || !in_task() ||
	    !current_has_records())
		return;
	preempt_disable_notrace();
	if (!__this_cpu_read(pmdstat_lp_running)) {
		__this_cpu_inc(pmdstat_lp_running);
		lp_rt_end(lk_pcpu(), idx, (unsigned long)lock, ret);
		__this_cpu_dec(pmdstat_lp_running);
	}
	preempt_enable_notrace();
}

NOKPROBE_SYMBOL(lp_tp_end);

static void *lp_tp_func(const struct pmdstat_lockprobe *lp)
{
	return lp->op == LP_TP_BEGIN ? (void *)lp_tp_begin : (void *)lp_tp_end;
}

static void lp_tp_unregister_all(void);

/*
 * The two work as a pair: contention_end is registered first (it ends
 * what begin marks), begin only after it, and if begin fails, end goes.
 */
static int lp_tp_register(struct pmdstat_lockprobe *lp)
{
	struct tracepoint *tp;
	unsigned int i;
	int err;

	if (!lp_tp[0] || !lp_tp[1])
		for_each_kernel_tracepoint(lp_tp_lookup, NULL);
	if (lp->op == LP_TP_BEGIN) {
		for (i = 0; i < NR_LOCKPROBES; i++)
			if (pmdstat_lockprobes[i].op == LP_TP_END &&
			    !pmdstat_lockprobes[i].tp)
				return -ENOENT;	/* lock:contention_end is not in */
	}
	tp = lp_tp[lp->op == LP_TP_END];
	if (!tp)
		return -ENOENT;
	err = tracepoint_probe_register(tp, lp_tp_func(lp), lp);
	if (!err)
		lp->tp = true;
	else if (lp->op == LP_TP_BEGIN)
		lp_tp_unregister_all();
	return err;
}

/* Unregister the tracepoint probes and wait until none can still run. */
static void lp_tp_unregister_all(void)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < NR_LOCKPROBES; i++) {
		struct pmdstat_lockprobe *lp = &pmdstat_lockprobes[i];

		if (!lp->tp)
			continue;
		/*
		 * It fails only with -ENOENT (not registered); on -ENOMEM for
		 * the smaller array the probe is replaced by a stub and 0 is
		 * returned.  Say so if it ever fails.
		 */
		if (tracepoint_probe_unregister(lp_tp[lp->op == LP_TP_END],
						lp_tp_func(lp), lp))
			WARN_ONCE(1, "pmdstat: cannot unregister from %s\n",
				  lp->symbol);
		lp->tp = false;
		any = true;
	}
	if (any)
		tracepoint_synchronize_unregister();
}

#define PMDSTAT_RT_RWSEM	1
#else
static int lp_tp_register(struct pmdstat_lockprobe *lp)
{
	return -EOPNOTSUPP;
}

static void lp_tp_unregister_all(void)
{
}

#define PMDSTAT_RT_RWSEM	0
#endif

static bool pmdstat_lp_fops_on;	/* registered */
static unsigned int pmdstat_lp_nr_ftraced;	/* functions in its filter */

/*
 * Where each entry probe would sit: the address a kprobe on the symbol
 * resolves to (past an endbr64: the ftrace location).  Disabled kprobes,
 * never armed, unregistered in one batch (one RCU wait, not one each).
 */
static void lp_resolve_all(void)
{
	static struct kprobe kps[NR_LOCKPROBES];
	struct kprobe *reg[NR_LOCKPROBES];
	unsigned int i, n = 0;

	memset(kps, 0, sizeof(kps));
	for (i = 0; i < NR_LOCKPROBES; i++) {
		struct pmdstat_lockprobe *lp = &pmdstat_lockprobes[i];

		lp->ip = 0;
		if (lp->op == LP_SLOW_RET || lp->op == LP_TP_BEGIN ||
		    lp->op == LP_TP_END || !PMDSTAT_FTRACE_ARGS ||
		    (lp->op == LP_SCAN && !pmdstat_count_scan))
			continue;
		kps[i].symbol_name = lp->symbol;
		kps[i].flags = KPROBE_FLAG_DISABLED;
		if (register_kprobe(&kps[i]))
			continue;	/* lp_register() reports it */
		/*
		 * An ftrace-based kprobe sits exactly on the ftrace location,
		 * the ip the callback is given (ftrace_location() is not
		 * exported; this flag says kp.addr is one).
		 */
		if (kprobe_ftrace(&kps[i]))
			lp->ip = (unsigned long)kps[i].addr;
		reg[n++] = &kps[i];
	}
	if (n)
		unregister_kprobes(reg, n);
}

/* 0 if @sym is in kallsyms and can be probed, else -errno. */
static int lp_probeable(const char *sym)
{
	struct kprobe kp = {
		.symbol_name = sym,
		.flags = KPROBE_FLAG_DISABLED,
	};
	int err = register_kprobe(&kp);

	if (!err)
		unregister_kprobe(&kp);
	return err;
}

/*
 * A function that kernels name differently: when @lp->symbol is absent
 * (-ENOENT), probe @lp->alt instead, found by name as well, at load.
 */
static void lp_pick_symbol(struct pmdstat_lockprobe *lp)
{
	int err;

	if (!lp->alt || lp_probeable(lp->symbol) != -ENOENT)
		return;		/* present: lp_register() reports any error */
	err = lp_probeable(lp->alt);
	if (err) {
		pr_warn("neither %s nor %s can be probed (%s: not in kallsyms; %s: error %d)\n",
			lp->symbol, lp->alt, lp->symbol, lp->alt, err);
		return;
	}
	pr_info("%s is not in this kernel: probing %s instead\n", lp->symbol,
		lp->alt);
	lp->symbol = lp->alt;
}

/* Start the ftrace_ops with the entries added so far; 0 or -errno. */
static int lp_fops_start(void)
{
	int err;

	/* an ops with an empty filter would trace every function */
	if (pmdstat_lp_fops_on || !pmdstat_lp_nr_ftraced)
		return 0;
	err = register_ftrace_function(&pmdstat_lp_fops);
	if (err) {
		pr_err("cannot register the ftrace_ops of the lock functions (error %d)\n",
		       err);
		return err;
	}
	pmdstat_lp_fops_on = true;
	return 0;
}

/* Put @lp's entry in the ftrace_ops; 0, or -errno to use a kprobe. */
static int lp_ftrace_add(struct pmdstat_lockprobe *lp)
{
	int err;

	if (!lp->ip || !lp_ip_add(lp->ip, lp))
		return -EOPNOTSUPP;
	/* on a registered ops this arms the entry at once */
	err = ftrace_set_filter_ip(&pmdstat_lp_fops, lp->ip, 0, 0);
	if (err)
		return err;	/* not an ftrace location: a kprobe will do */
	lp->ftraced = true;
	pmdstat_lp_nr_ftraced++;
	return 0;
}

/* Register the probes of one lock function; 0 or -errno. */
static int lp_register(struct pmdstat_lockprobe *lp)
{
	unsigned long addr[64];
	int i, n, err;

	if (lp->op == LP_TP_BEGIN || lp->op == LP_TP_END)
		return lp_tp_register(lp);	/* end first: begin needs it */
	if (lp->op != LP_SLOW_RET) {
		err = lp_ftrace_add(lp);
		if (!err)
			return 0;
		if (err != -EOPNOTSUPP)
			pr_info("%s: ftrace_set_filter_ip failed (error %d): a kprobe instead\n",
				lp->symbol, err);
		lp->kp[0].lp = lp;
		lp->kp[0].kp.symbol_name = lp->symbol;
		lp->kp[0].kp.pre_handler = lp_kprobe;
		err = register_kprobe(&lp->kp[0].kp);
		if (!err)
			lp->nr_kp = 1;
		return err;
	}
	/* candidates; only those at instruction boundaries register */
	n = pmdstat_return_sites(lp->symbol, addr, ARRAY_SIZE(addr));
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		struct pmdstat_lpkp *k;

		if (lp->nr_kp == LP_MAX_KPROBES) {
			err = -E2BIG;	/* a return we could not probe */
			goto fail;
		}
		k = &lp->kp[lp->nr_kp];
		memset(k, 0, sizeof(*k));
		k->lp = lp;
		k->kp.addr = (kprobe_opcode_t *)addr[i];
		k->kp.pre_handler = lp_kprobe;
		err = register_kprobe(&k->kp);
		if (err == -EILSEQ)
			continue;	/* the byte is inside an instruction */
		if (err)
			goto fail;
		lp->nr_kp++;
	}
	if (!lp->nr_kp) {
		err = -ENOENT;
		goto fail;
	}
	return 0;
fail:
	while (lp->nr_kp)
		unregister_kprobe(&lp->kp[--lp->nr_kp].kp);
	return err;
}

int pmdstat_locks_init(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < NR_LOCKPROBES; i++) {
		struct pmdstat_lockprobe *lp = &pmdstat_lockprobes[i];

		if (lp->op != LP_SCAN || pmdstat_count_scan)
			lp_pick_symbol(lp);
	}
	lp_resolve_all();
	for (i = 0; i < NR_LOCKPROBES; i++) {
		struct pmdstat_lockprobe *lp = &pmdstat_lockprobes[i];

		if (lp->op == LP_SCAN && !pmdstat_count_scan)
			continue;
		/* PREEMPT_RT has no rwsem slow paths; elsewhere no tracepoints */
		if (PMDSTAT_RT_RWSEM ? lp->op == LP_SLOW || lp->op == LP_SLOW_RET :
		    lp->op == LP_TP_BEGIN || lp->op == LP_TP_END)
			continue;
		if (lp->op == LP_SLOW && !pmdstat_slow_timed[lp->mode]) {
			/* without its return probes, a slow path is not timed */
			pr_warn("%s: its returns are not probed, so its acquisitions count as uncontended\n",
				lp->symbol);
			continue;
		}
		/*
		 * Entries that end records are armed before those that open
		 * them: the ops starts, with the first group, when the loop
		 * reaches the first opener.
		 */
		if (lp->op == LP_ACQ || lp->op == LP_TRY ||
		    lp->op == LP_TRACK_VMA || lp->op == LP_SCAN) {
			err = lp_fops_start();
			if (err) {
				pmdstat_locks_exit();
				return err;
			}
		}
		err = lp_register(lp);
		if (!err) {
			if (lp->op == LP_SLOW_RET)
				pmdstat_slow_timed[lp->mode] = true;
			if (lp->op == LP_TP_BEGIN) {
				pmdstat_slow_timed[PMDSTAT_MODE_READ] = true;
				pmdstat_slow_timed[PMDSTAT_MODE_WRITE] = true;
				pr_info("PREEMPT_RT rwsems: contended waits are timed from lock:contention_begin/end\n");
			}
			continue;
		}
		if (lp->optional) {
			pr_warn("cannot probe %s%s (error %d): %s\n", lp->symbol,
				lp->op == LP_SLOW_RET ? " at its returns" : "", err,
				lp->op == LP_SLOW || lp->op == LP_SLOW_RET ||
				lp->op == LP_TP_BEGIN || lp->op == LP_TP_END ?
				"contended waits will not be timed" :
				lp->op == LP_SCAN ? "scan_vmas will be empty" :
				lp->op == LP_FREE_VMALOCK ?
				"vma locks are forgotten when their VMA closes" :
				"vma locks are tracked only from share/unshare");
			continue;
		}
		pr_err("cannot probe %s (error %d): lock timing needs it\n",
		       lp->symbol, err);
		pmdstat_locks_exit();
		return err;
	}
	err = lp_fops_start();	/* if no opener was ftraced */
	if (err) {
		pmdstat_locks_exit();
		return err;
	}
	return 0;
}

/*
 * Stop the ftrace_ops.  For an ops of a module, ftrace waits (RCU tasks)
 * until no callback can still be running before this returns.
 */
void pmdstat_locks_disarm(void)
{
	unsigned int i;

	lp_tp_unregister_all();
	if (pmdstat_lp_fops_on && unregister_ftrace_function(&pmdstat_lp_fops)) {
		/* still on ftrace's list: leak its filter rather than free it */
		WARN_ONCE(1, "pmdstat: cannot unregister the lock functions' ftrace_ops\n");
		pmdstat_lp_nr_ftraced = 0;
	}
	pmdstat_lp_fops_on = false;
	if (pmdstat_lp_nr_ftraced)
		ftrace_free_filter(&pmdstat_lp_fops);
	pmdstat_lp_nr_ftraced = 0;
	for (i = 0; i < NR_LOCKPROBES; i++)
		pmdstat_lockprobes[i].ftraced = false;
	memset(pmdstat_lp_ip, 0, sizeof(pmdstat_lp_ip));
}

/* The kprobes to unregister, for one batch with the other files' probes. */
unsigned int pmdstat_locks_kprobes(struct kprobe **out, unsigned int max)
{
	unsigned int i, k, n = 0;

	for (i = NR_LOCKPROBES; i-- > 0;)
		for (k = 0; k < pmdstat_lockprobes[i].nr_kp && n < max; k++)
			out[n++] = &pmdstat_lockprobes[i].kp[k].kp;
	return n;
}

/* After the batch: forget what was registered. */
void pmdstat_locks_forget(void)
{
	unsigned int i;
#ifdef HAVE_RWSEM_RWBASE
	bool bad = false;
	int cpu;

	/*
	 * No handler runs now: a CPU whose running count is not back to 0
	 * had a handler moved to another CPU half-way, and dropped every
	 * tracepoint hit since.  Say so: the tests look for it.
	 */
	for_each_possible_cpu(cpu) {
		int n = per_cpu(pmdstat_lp_running, cpu);

		if (n) {
			pr_err("CPU %d's handler count is %d at unload: contention was missed\n",
			       cpu, n);
			bad = true;
		}
	}
	WARN_ONCE(bad, "pmdstat: unbalanced handler counts at unload\n");
#endif
	for (i = 0; i < NR_LOCKPROBES; i++) {
		pmdstat_lockprobes[i].nr_kp = 0;
		memset(pmdstat_lockprobes[i].kp, 0, sizeof(pmdstat_lockprobes[i].kp));
	}
	memset(pmdstat_slow_timed, 0, sizeof(pmdstat_slow_timed));
}

/* Unwind a failed init (the module's exit unregisters in one batch). */
void pmdstat_locks_exit(void)
{
	static struct kprobe *kps[NR_LOCKPROBES * LP_MAX_KPROBES];
	unsigned int n = pmdstat_locks_kprobes(kps, ARRAY_SIZE(kps));

	if (n)
		unregister_kprobes(kps, n);
	pmdstat_locks_disarm();
	pmdstat_locks_forget();
}

static unsigned long lp_nmissed(const struct pmdstat_lockprobe *lp)
{
	unsigned long n = 0;
	unsigned int k;

	for (k = 0; k < lp->nr_kp; k++)
		n += lp->kp[k].kp.nmissed;
	return n;
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
	atomic64_set(&pmdstat_ev_total, 0);
	atomic64_set(&pmdstat_ev_drops, 0);
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
		const struct pmdstat_pcpu *pc = pmdstat_pcpu_of(cpu);
		const struct pmdstat_lock_pcpu *lk;

		if (!pc)
			continue;
		lk = &pc->lk;
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

/* The per-CPU rows of waiter and blocker, merged by function name. */
static void pmdstat_fill_blame(struct pmdstat_snapshot *s)
{
	char waiter[PMDSTAT_FUNC_LEN], blocker[PMDSTAT_FUNC_LEN];
	unsigned int cpu, i, j;

	s->blame = READ_ONCE(pmdstat_blame_on);
	for_each_possible_cpu(cpu) {
		const struct pmdstat_pcpu *pc = pmdstat_pcpu_of(cpu);

		if (!pc)
			continue;
		s->blame_full += pc->lk.blame_full;
		s->blame_off += pc->lk.blame_off;
		cond_resched();
		/* pairs with lp_blame_add()'s release: the key before its use */
		for (i = 0; i < PMDSTAT_PCPU_BLAME && smp_load_acquire(&pc->lk.blame[i].waiter);
		     i++) {
			const struct pmdstat_blame_stats *b = &pc->lk.blame[i];
			u64 waits = READ_ONCE(b->waits);
			struct pmdstat_snap_blame *d = NULL;

			/* published before its first wait is counted */
			if (!waits)
				continue;
			pmdstat_symbolize(waiter, sizeof(waiter), b->waiter);
			if (b->bstate == PMDSTAT_BLOCK_UNKNOWN)
				strscpy(blocker, "unknown", sizeof(blocker));
			else
				pmdstat_symbolize(blocker, sizeof(blocker), b->blocker);
			for (j = 0; j < s->nr_blame && !d; j++)
				if (s->blocked_by[j].kind == b->kind &&
				    s->blocked_by[j].wmode == b->wmode &&
				    s->blocked_by[j].bmode == b->bmode &&
				    s->blocked_by[j].bstate == b->bstate &&
				    !strcmp(s->blocked_by[j].waiter, waiter) &&
				    !strcmp(s->blocked_by[j].blocker, blocker))
					d = &s->blocked_by[j];
			if (!d) {
				if (s->nr_blame == PMDSTAT_MAX_BLAME) {
					s->blame_full += b->waits;
					continue;
				}
				d = &s->blocked_by[s->nr_blame++];
				strscpy(d->waiter, waiter, sizeof(d->waiter));
				strscpy(d->blocker, blocker, sizeof(d->blocker));
				d->kind = b->kind;
				d->wmode = b->wmode;
				d->bmode = b->bmode;
				d->bstate = b->bstate;
			}
			d->waits += waits;
			d->wait_total += b->wait_total;
			if (b->wait_max >= d->wait_max) {
				d->wait_max = b->wait_max;
				d->max_pid = b->max_pid;
				strscpy(d->max_comm, b->max_comm, sizeof(d->max_comm));
				pmdstat_sanitize(d->max_comm);
			}
		}
	}
}

void pmdstat_locks_fill(struct pmdstat_snapshot *s)
{
	struct pmdstat_event *top;
	unsigned int cpu, i, k, m, w, n[PMDSTAT_NR_WHAT];
	unsigned long flags;

	s->count_scan = pmdstat_count_scan;
	if (pmdstat_slow_timed[PMDSTAT_MODE_READ] && pmdstat_slow_timed[PMDSTAT_MODE_WRITE])
		s->contention = PMDSTAT_RT_RWSEM ? PMDSTAT_CONT_TRACEPOINT : PMDSTAT_CONT_SLOWPATH;
	else if (pmdstat_slow_timed[PMDSTAT_MODE_READ] || pmdstat_slow_timed[PMDSTAT_MODE_WRITE])
		s->contention = PMDSTAT_CONT_PARTIAL;
	else
		s->contention = PMDSTAT_CONT_NONE;

	for (i = 0; i < NR_LOCKPROBES; i++) {
		const struct pmdstat_lockprobe *lp = &pmdstat_lockprobes[i];

		if ((!lp->nr_kp && !lp->ftraced && !lp->tp) ||
		    s->nr_lockprobes == PMDSTAT_MAX_LOCKPROBES)
			continue;
		snprintf(s->lockprobe[s->nr_lockprobes].symbol,
			 sizeof(s->lockprobe[0].symbol), "%s%s", lp->symbol,
			 lp->op == LP_SLOW_RET ? "%return" : "");
		s->lockprobe[s->nr_lockprobes].missed =
			lp_nmissed(lp) - pmdstat_lp_missed_base[i];
		for_each_possible_cpu(cpu) {
			const struct pmdstat_pcpu *pc = pmdstat_pcpu_of(cpu);

			if (!pc)
				continue;
			s->lockprobe[s->nr_lockprobes].calls += pc->lk.probe[i].calls;
			s->lockprobe[s->nr_lockprobes].hits += pc->lk.probe[i].hits;
			s->lockprobe[s->nr_lockprobes].missed += pc->lk.probe[i].missed;
		}
		s->nr_lockprobes++;
	}
	for_each_possible_cpu(cpu) {
		const struct pmdstat_pcpu *pc = pmdstat_pcpu_of(cpu);
		const struct pmdstat_lock_pcpu *lk;

		if (!pc)
			continue;
		lk = &pc->lk;

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
		s->stale += lk->stale;
		s->track_busy += lk->busy;
		s->callers_full += lk->callers_full;
	}
	pmdstat_fill_callers(s);
	pmdstat_fill_blame(s);
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
	s->events = atomic64_read(&pmdstat_ev_total);
	s->event_drops = atomic64_read(&pmdstat_ev_drops);
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
	es->total = atomic64_read(&pmdstat_ev_total);
	es->drops = atomic64_read(&pmdstat_ev_drops);
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

/* A waiter's blocker, as noted when its wait began (lp_blame). */
static void live_blocker(struct seq_file *m, struct pmdstat_inflight *c,
			 unsigned int state)
{
	char func[PMDSTAT_FUNC_LEN];

	if (state != ST_WAIT || !c->contended) {
		seq_puts(m, "\n");
		return;
	}
	if (c->blk_state == PMDSTAT_BLOCK_UNKNOWN) {
		seq_puts(m, " blocker=unknown blocker_state=unknown\n");
		return;
	}
	pmdstat_symbolize(func, sizeof(func), c->blk_caller);
	c->blk_comm[TASK_COMM_LEN - 1] = '\0';
	pmdstat_sanitize(c->blk_comm);
	seq_printf(m, " blocker=%s blocker_mode=%s blocker_state=%s blocker_pid=%u blocker_comm=%s\n",
		   func, pmdstat_mode_name(c->blk_mode),
		   pmdstat_block_name(c->blk_state), c->blk_pid, c->blk_comm);
}

static int pmdstat_live_show(struct seq_file *m, void *v)
{
	static const char *const state_name[] = {
		[ST_WAIT] = "wait", [ST_HOLD] = "hold", [ST_SHARE] = "share",
	};
	u64 now = pmdstat_clock();
	unsigned int i, n = 0;

	seq_printf(m, "pmdstat-live version=%d\n", PMDSTAT_FORMAT_VERSION);
	for (i = 0; i < INFLIGHT_SLOTS; i++) {
		const struct pmdstat_inflight *r = &pmdstat_inflight[i];
		struct pmdstat_tracked ent;
		struct pmdstat_inflight c;
		char func[PMDSTAT_FUNC_LEN];
		unsigned int state;
		int kind = -1;

		if (!READ_ONCE(r->task))
			continue;
		c = *r;		/* racy copy: a record may change under us */
		if (!c.task || c.state < ST_WAIT || c.state > ST_SHARE)
			continue;
		state = c.state;
		if (state != ST_SHARE) {
			/* a lock no longer tracked was freed: its record is stale */
			kind = pmdstat_tracked_kind(c.lock, &ent);
			if (kind < 0)
				continue;
			/* a request that took the fast path holds the lock */
			if (state == ST_WAIT && !c.slow)
				state = ST_HOLD;
			/* a holder the lock word denies is stale; a waiter holds nothing */
			if (state == ST_HOLD &&
			    pmdstat_rwsem_held_by_task((struct rw_semaphore *)c.lock,
						       c.mode == PMDSTAT_MODE_WRITE,
						       c.task) == PMDSTAT_NO)
				continue;
		}
		c.comm[TASK_COMM_LEN - 1] = '\0';
		pmdstat_sanitize(c.comm);
		pmdstat_symbolize(func, sizeof(func), c.caller);
		pmdstat_sanitize(func);
		if (state == ST_SHARE) {
			seq_printf(m, "live state=share func=huge_pmd_share comm=%s pid=%u cpu=%u age_ns=%llu scan=%u\n",
				   c.comm, c.pid, c.cpu,
				   (unsigned long long)(now - min(now, c.t0)), c.scan);
		} else {
			seq_printf(m, "live state=%s lock=%s mode=%s dev=%u:%u ino=%llu func=%s comm=%s pid=%u cpu=%u age_ns=%llu contended=%u",
				   state_name[state], pmdstat_lock_name(c.kind),
				   pmdstat_mode_name(c.mode),
				   ent.dev_major, ent.dev_minor,
				   (unsigned long long)ent.ino, func,
				   c.comm, c.pid, c.cpu,
				   (unsigned long long)(now - min(now, c.t0)),
				   c.contended);
			live_blocker(m, &c, state);
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
